package httpapi

import (
	"encoding/json"
	"net/http"

	"appointd/internal/booking"
)

type categoryOut struct {
	ID             int64   `json:"id"`
	CategoryID     int64   `json:"category_id"` // no parent category is kept: 0
	SalonServiceID int64   `json:"salon_service_id"`
	Title          string  `json:"title"`
	BookingTitle   string  `json:"booking_title"`
	APIID          string  `json:"api_id"`
	Weight         int64   `json:"weight"`
	PriceMin       float64 `json:"price_min"`
	PriceMax       float64 `json:"price_max"`
	Sex            int64   `json:"sex"` // 0: for every client
	IsChain        bool    `json:"is_chain"`
	Staff          []int64 `json:"staff"`
}

func renderCategory(c booking.ServiceCategory) categoryOut {
	staff := c.StaffIDs
	if staff == nil {
		staff = []int64{}
	}
	return categoryOut{ID: c.ID, SalonServiceID: c.ID, Title: c.Title, BookingTitle: c.Title, APIID: c.APIID,
		Weight: c.Weight, PriceMin: money(c.PriceMin), PriceMax: money(c.PriceMax), Staff: staff}
}

func renderCategories(list []booking.ServiceCategory) []categoryOut {
	out := make([]categoryOut, len(list))
	for i, c := range list {
		out[i] = renderCategory(c)
	}
	return out
}

type categoryBody struct {
	Title  String `json:"title"`
	APIID  String `json:"api_id"`
	Weight Int    `json:"weight"`
}

func (b categoryBody) input() booking.CategoryInput {
	return booking.CategoryInput{Title: b.Title.Ptr(), APIID: b.APIID.Ptr(), Weight: b.Weight.Ptr()}
}

func (s *Server) saveCategory(c *call, id int64, status int) error {
	loc, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	var body categoryBody
	if err := decodeBody(c.r, &body); err != nil {
		return err
	}
	if id == 0 && body.Title.Ptr() == nil {
		return booking.Invalid("title", "title is required")
	}
	cat, err := s.Service.SaveCategory(c.ctx, c.caller, loc, id, body.input())
	if err != nil {
		return err
	}
	return c.ok(status, renderCategory(cat))
}

func (s *Server) createCategory(c *call) error { return s.saveCategory(c, 0, http.StatusCreated) }

func (s *Server) updateCategory(c *call) error {
	id, err := pathID(c.r, "id")
	if err != nil {
		return err
	}
	return s.saveCategory(c, id, http.StatusOK)
}

func (s *Server) deleteCategory(c *call) error {
	p, err := pathIDs(c.r, "location_id", "id")
	if err != nil {
		return err
	}
	loc, id := p[0], p[1]
	if err := s.Service.DeleteCategory(c.ctx, c.caller, loc, id); err != nil {
		return err
	}
	return c.noContent()
}

func (s *Server) getCategory(c *call) error {
	p, err := pathIDs(c.r, "location_id", "id")
	if err != nil {
		return err
	}
	loc, id := p[0], p[1]
	cat, err := s.Service.Category(c.ctx, c.caller, loc, id, true)
	if err != nil {
		return err
	}
	return c.ok(http.StatusOK, renderCategory(cat))
}

// categoryList serves the list routes; an {id} narrows to that one.
func (s *Server) categoryList(c *call, public bool) ([]categoryOut, error) {
	loc, err := pathID(c.r, "location_id")
	if err != nil {
		return nil, err
	}
	id, err := optionalID(c.r, "id")
	if err != nil {
		return nil, err
	}
	staff, err := queryAlias(c.r, "staff_id", "team_member_id", "master_id")
	if err != nil {
		return nil, err
	}
	if id != 0 {
		cat, err := s.Service.Category(c.ctx, c.caller, loc, id, public)
		return []categoryOut{renderCategory(cat)}, err
	}
	list, err := s.Service.Categories(c.ctx, c.caller, booking.ServiceFilter{LocationID: loc, TeamMemberID: staff}, public)
	return renderCategories(list), err
}

func (s *Server) publicCategories(c *call) error {
	out, err := s.categoryList(c, true)
	if err != nil {
		return err
	}
	return c.ok(http.StatusOK, out)
}

func (s *Server) companyCategories(c *call) error {
	out, err := s.categoryList(c, false)
	if err != nil {
		return err
	}
	return c.okMeta(http.StatusOK, out, map[string]int{"total_count": len(out)})
}

type staffLinkOut struct {
	ID                  int64    `json:"id"`
	SeanceLength        int64    `json:"seance_length"`
	TechnologicalCardID *int64   `json:"technological_card_id"`
	ImageURL            string   `json:"image_url"`
	Price               *float64 `json:"price"` // no per-member price is kept: null
	Name                string   `json:"name"`
}

type serviceOut struct {
	ID                     int64          `json:"id"`
	SalonServiceID         int64          `json:"salon_service_id"`
	Title                  string         `json:"title"`
	BookingTitle           string         `json:"booking_title"`
	CategoryID             int64          `json:"category_id"`
	PriceMin               float64        `json:"price_min"`
	PriceMax               float64        `json:"price_max"`
	Duration               int64          `json:"duration"`
	TechnicalBreakDuration *int64         `json:"technical_break_duration"`
	Discount               int64          `json:"discount"`
	Comment                string         `json:"comment"`
	Weight                 int64          `json:"weight"`
	Active                 int            `json:"active"`
	APIID                  string         `json:"api_id"`
	IsMulti                bool           `json:"is_multi"`
	Prepaid                string         `json:"prepaid"`
	ImageGroup             []any          `json:"image_group"`
	Staff                  []staffLinkOut `json:"staff"`
	serviceSettingsOut
}

// serviceSettingsOut is the rest of the object Altegio documents as the PATCH
// answer. appointd keeps none of these settings per service: each is derived
// from what it keeps or is the documented neutral value (docs/ARCHITECTURE.md,
// "Documented fields appointd does not keep").
type serviceSettingsOut struct {
	TaxVariant                    int64    `json:"tax_variant"`
	VatID                         int64    `json:"vat_id"`
	PrintTitle                    string   `json:"print_title"`
	ServiceType                   int64    `json:"service_type"`
	APIServiceID                  int64    `json:"api_service_id"`
	RepeatVisitDaysStep           *int64   `json:"repeat_visit_days_step"`
	SeanceSearchStart             int64    `json:"seance_search_start"`
	SeanceSearchFinish            int64    `json:"seance_search_finish"`
	SeanceSearchStep              int64    `json:"seance_search_step"`
	Step                          int64    `json:"step"`
	IsNeedLimitDate               bool     `json:"is_need_limit_date"`
	DateFrom                      string   `json:"date_from"`
	DateTo                        string   `json:"date_to"`
	ScheduleTemplateType          int64    `json:"schedule_template_type"`
	OnlineInvoicingStatus         int64    `json:"online_invoicing_status"`
	IsAbonementAutopaymentEnabled int64    `json:"is_abonement_autopayment_enabled"`
	AutopaymentBeforeVisitTime    int64    `json:"autopayment_before_visit_time"`
	AbonementRestrictionValue     int64    `json:"abonement_restriction_value"`
	IsChain                       bool     `json:"is_chain"`
	IsPriceManagedOnlyInChain     bool     `json:"is_price_managed_only_in_chain"`
	IsCommentManagedOnlyInChain   bool     `json:"is_comment_managed_only_in_chain"`
	PricePrepaidAmount            float64  `json:"price_prepaid_amount"`
	PricePrepaidPercent           int64    `json:"price_prepaid_percent"`
	Capacity                      int64    `json:"capacity"`
	IsOnline                      bool     `json:"is_online"`
	Dates                         []string `json:"dates"`
	Resources                     []any    `json:"resources"`
}

// serviceSettings fills the fields appointd derives: the receipt title is the
// title, the slot grid is the location's, the search window is the whole day
// (no per-service window), and online booking follows active.
func serviceSettings(sv booking.SalonService) serviceSettingsOut {
	return serviceSettingsOut{PrintTitle: sv.Title, SeanceSearchFinish: 24 * 3600, SeanceSearchStep: sv.SeanceStep,
		Step: sv.SeanceStep, IsOnline: sv.Active, Dates: []string{}, Resources: []any{}}
}

func renderService(sv booking.SalonService) serviceOut {
	out := serviceOut{ID: sv.ID, SalonServiceID: sv.ID, Title: sv.Title, BookingTitle: sv.BookingTitle,
		CategoryID: sv.CategoryID, PriceMin: money(sv.PriceMin), PriceMax: money(sv.PriceMax), Duration: sv.Duration,
		TechnicalBreakDuration: sv.TechnicalBreakDuration, Discount: sv.Discount, Comment: sv.Comment,
		Weight: sv.Weight, Active: flag01(sv.Active), APIID: sv.APIID, Prepaid: "forbidden",
		ImageGroup: []any{}, Staff: []staffLinkOut{}, serviceSettingsOut: serviceSettings(sv)}
	if out.BookingTitle == "" {
		out.BookingTitle = sv.Title
	}
	for _, l := range sv.Staff {
		out.Staff = append(out.Staff, staffLinkOut{ID: l.TeamMemberID, SeanceLength: l.SeanceLength,
			TechnologicalCardID: l.TechnologicalCardID, ImageURL: l.Avatar, Name: l.Name})
	}
	return out
}

type serviceBody struct {
	Title                  String          `json:"title"`
	BookingTitle           String          `json:"booking_title"`
	CategoryID             Int             `json:"category_id"`
	PriceMin               Float           `json:"price_min"`
	PriceMax               Float           `json:"price_max"`
	Duration               Int             `json:"duration"`
	TechnicalBreakDuration json.RawMessage `json:"technical_break_duration"`
	Discount               Int             `json:"discount"`
	Comment                String          `json:"comment"`
	Weight                 Int             `json:"weight"`
	Active                 Bool            `json:"active"`
	APIID                  String          `json:"api_id"`
	Staff                  *[]struct {
		ID                  Int `json:"id"`
		MasterID            Int `json:"master_id"`
		SeanceLength        Int `json:"seance_length"`
		TechnologicalCardID Int `json:"technological_card_id"`
	} `json:"staff"`
}

func (b serviceBody) input() (booking.ServiceInput, error) {
	in := booking.ServiceInput{Title: b.Title.Ptr(), BookingTitle: b.BookingTitle.Ptr(), CategoryID: b.CategoryID.Ptr(),
		PriceMin: toMinor(b.PriceMin), PriceMax: toMinor(b.PriceMax), Duration: b.Duration.Ptr(),
		Discount: b.Discount.Ptr(), Comment: b.Comment.Ptr(), Weight: b.Weight.Ptr(), Active: boolPtr(b.Active),
		APIID: b.APIID.Ptr()}
	if len(b.TechnicalBreakDuration) > 0 {
		var brk Int
		if err := decodeJSON(b.TechnicalBreakDuration, &brk); err != nil {
			return in, booking.Invalid("technical_break_duration", "technical_break_duration must be null or a number of seconds")
		}
		in.TechnicalBreakSet, in.TechnicalBreakDuration = true, brk.Ptr()
	}
	if b.Staff != nil {
		links := make([]booking.StaffLink, 0, len(*b.Staff))
		for _, l := range *b.Staff {
			id := l.ID.V
			if !l.ID.Set {
				id = l.MasterID.V
			}
			links = append(links, booking.StaffLink{TeamMemberID: id, SeanceLength: l.SeanceLength.V,
				TechnologicalCardID: l.TechnologicalCardID.Ptr()})
		}
		in.Staff = &links
	}
	return in, nil
}

func (s *Server) saveService(c *call, id int64, status int) error {
	loc, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	var body serviceBody
	if err := decodeBody(c.r, &body); err != nil {
		return err
	}
	in, err := body.input()
	if err != nil {
		return err
	}
	sv, err := s.Service.SaveService(c.ctx, c.caller, loc, id, in)
	if err != nil {
		return err
	}
	return c.ok(status, renderService(sv))
}

func (s *Server) createService(c *call) error { return s.saveService(c, 0, http.StatusCreated) }

func (s *Server) updateService(c *call) error {
	id, err := pathID(c.r, "service_id")
	if err != nil {
		return err
	}
	return s.saveService(c, id, http.StatusOK)
}

func (s *Server) deleteService(c *call) error {
	p, err := pathIDs(c.r, "location_id", "service_id")
	if err != nil {
		return err
	}
	loc, id := p[0], p[1]
	if err := s.Service.DeleteService(c.ctx, c.caller, loc, id); err != nil {
		return err
	}
	return c.noContent()
}

func (s *Server) getServicePublic(c *call) error {
	p, err := pathIDs(c.r, "location_id", "service_id")
	if err != nil {
		return err
	}
	loc, id := p[0], p[1]
	sv, err := s.Service.GetService(c.ctx, c.caller, loc, id, true)
	if err != nil {
		return err
	}
	return c.ok(http.StatusOK, renderService(sv))
}

// serviceList serves the list routes; public ones answer the partner token alone.
func (s *Server) serviceList(c *call, public bool) ([]serviceOut, error) {
	loc, err := pathID(c.r, "location_id")
	if err != nil {
		return nil, err
	}
	id, err := optionalID(c.r, "service_id")
	if err != nil {
		return nil, err
	}
	if id != 0 {
		sv, err := s.Service.GetService(c.ctx, c.caller, loc, id, public)
		return []serviceOut{renderService(sv)}, err
	}
	f := booking.ServiceFilter{LocationID: loc}
	if f.TeamMemberID, err = queryAlias(c.r, "staff_id", "team_member_id", "master_id"); err != nil {
		return nil, err
	}
	if f.CategoryID, err = queryInt(c.r, "category_id", 0); err != nil {
		return nil, err
	}
	list, err := s.Service.Services(c.ctx, c.caller, f, public)
	out := make([]serviceOut, len(list))
	for i, sv := range list {
		out[i] = renderService(sv)
	}
	return out, err
}

func (s *Server) listServices(c *call) error {
	out, err := s.serviceList(c, true)
	if err != nil {
		return err
	}
	return c.ok(http.StatusOK, out)
}

func (s *Server) companyServices(c *call) error {
	out, err := s.serviceList(c, false)
	if err != nil {
		return err
	}
	return c.okMeta(http.StatusOK, out, map[string]int{"total_count": len(out)})
}

type linkOut struct {
	ServiceID           int64  `json:"service_id"`
	MasterID            int64  `json:"master_id"`
	Length              int64  `json:"length"`
	TechnologicalCardID *int64 `json:"technological_card_id"`
}

// linkStaff is POST .../services/{id}/staff (201) and PUT .../staff/{tm} (200).
func (s *Server) linkStaff(c *call) error {
	p, err := pathIDs(c.r, "location_id", "service_id")
	if err != nil {
		return err
	}
	loc, svc := p[0], p[1]
	member, err := optionalID(c.r, "team_member_id")
	if err != nil {
		return err
	}
	var body struct {
		MasterID            Int `json:"master_id"`
		TeamMemberID        Int `json:"team_member_id"`
		SeanceLength        Int `json:"seance_length"`
		TechnologicalCardID Int `json:"technological_card_id"`
	}
	if err := decodeBody(c.r, &body); err != nil {
		return err
	}
	creating := member == 0
	if creating {
		member = body.MasterID.V
		if !body.MasterID.Set {
			member = body.TeamMemberID.V
		}
		if member == 0 {
			return booking.Invalid("master_id", "master_id is required")
		}
	}
	if !body.SeanceLength.Set {
		return booking.Invalid("seance_length", "seance_length is required")
	}
	l, err := s.Service.LinkStaff(c.ctx, c.caller, loc, booking.StaffLink{ServiceID: svc, TeamMemberID: member,
		SeanceLength: body.SeanceLength.V, TechnologicalCardID: body.TechnologicalCardID.Ptr()}, creating)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if creating {
		status = http.StatusCreated
	}
	return c.ok(status, renderLink(l))
}

func renderLink(l booking.StaffLink) linkOut {
	return linkOut{ServiceID: l.ServiceID, MasterID: l.TeamMemberID, Length: l.SeanceLength,
		TechnologicalCardID: l.TechnologicalCardID}
}

func (s *Server) unlinkStaff(c *call) error {
	p, err := pathIDs(c.r, "location_id", "service_id", "team_member_id")
	if err != nil {
		return err
	}
	loc, svc, member := p[0], p[1], p[2]
	if err := s.Service.UnlinkStaff(c.ctx, c.caller, loc, svc, member); err != nil {
		return err
	}
	return c.noContent()
}
