package httpapi

import (
	"encoding/json"
	"net/http"
	"strings"

	"appointd/internal/apitime"
	"appointd/internal/auth"
	"appointd/internal/booking"
)

// clientRoutes lists the client routes.
func (s *Server) clientRoutes() []route {
	const v1 = "/api/v1"
	return []route{
		{method: "POST", path: v1 + "/clients/{location_id}", auth: authUser, perm: auth.PermClients, handle: s.createClient},
		{method: "GET", path: v1 + "/clients/{location_id}", auth: authUser, perm: auth.PermClients, handle: s.listClients},
		{method: "POST", path: v1 + "/clients/{location_id}/bulk", auth: authUser, perm: auth.PermClients, handle: s.bulkClients},
		{method: "GET", path: v1 + "/client/{location_id}/{id}", auth: authUser, perm: auth.PermClients, handle: s.getClient},
		{method: "PUT", path: v1 + "/client/{location_id}/{id}", auth: authUser, perm: auth.PermClients, handle: s.updateClient},
		{method: "DELETE", path: v1 + "/client/{location_id}/{id}", auth: authUser, perm: auth.PermClientsDelete, handle: s.deleteClient},
		{method: "POST", path: v1 + "/company/{location_id}/clients/search", auth: authUser, perm: auth.PermClients, handle: s.searchClients},
	}
}

type clientCategoryOut struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	Color string `json:"color"`
}

type clientOut struct {
	ID             int64               `json:"id"`
	Name           string              `json:"name"`
	Surname        string              `json:"surname"`
	MiddleName     string              `json:"middle_name"`
	Patronymic     string              `json:"patronymic"`
	DisplayName    string              `json:"display_name"`
	Phone          string              `json:"phone"`
	Email          string              `json:"email"`
	Categories     []clientCategoryOut `json:"categories"`
	GenderID       int64               `json:"gender_id"`
	SexID          int64               `json:"sex_id"`
	Gender         string              `json:"gender"`
	Sex            string              `json:"sex"`
	Discount       int64               `json:"discount"`
	ImportanceID   int64               `json:"importance_id"`
	Importance     string              `json:"importance"`
	Card           string              `json:"card"`
	BirthDate      *string             `json:"birth_date"`
	Comment        string              `json:"comment"`
	SMSCheck       int                 `json:"sms_check"`
	SMSNot         int                 `json:"sms_not"`
	Spent          float64             `json:"spent"`
	Paid           float64             `json:"paid"`
	Balance        float64             `json:"balance"`
	Visits         int64               `json:"visits"`
	LastChangeDate string              `json:"last_change_date"`
	CustomFields   any                 `json:"custom_fields"`
}

func renderClient(c booking.Client, loc booking.Location) clientOut {
	out := clientOut{ID: c.ID, Name: c.Name, Surname: c.Surname, MiddleName: c.MiddleName, Patronymic: c.MiddleName,
		DisplayName: strings.TrimSpace(c.Name + " " + c.Surname), Phone: c.Phone, Email: c.Email,
		Categories: []clientCategoryOut{}, GenderID: c.GenderID, SexID: c.GenderID,
		Gender: booking.GenderTitle(c.GenderID), Sex: booking.GenderTitle(c.GenderID), Discount: c.Discount,
		ImportanceID: c.ImportanceID, Importance: booking.ImportanceTitle(c.ImportanceID), Card: c.Card,
		Comment: c.Comment, SMSCheck: flag01(c.SMSCheck), SMSNot: flag01(c.SMSNot), Spent: money(c.Spent),
		Paid: money(c.Spent), Balance: money(c.Balance), Visits: c.Visits,
		LastChangeDate: apitime.FormatCompact(c.UpdatedAt, loc.Zone()), CustomFields: []any{}}
	for _, id := range c.Categories {
		out.Categories = append(out.Categories, clientCategoryOut{ID: id})
	}
	if c.BirthDate != nil {
		d := c.BirthDate.Format(apitime.Date)
		out.BirthDate = &d
	}
	if len(c.CustomFields) > 0 {
		out.CustomFields = c.CustomFields
	}
	return out
}

// clientBody is a client in a request, with the aliases real clients send.
type clientBody struct {
	Name         String          `json:"name"`
	Surname      String          `json:"surname"`
	MiddleName   String          `json:"middle_name"`
	Patronymic   String          `json:"patronymic"`
	Phone        String          `json:"phone"`
	Email        String          `json:"email"`
	GenderID     Int             `json:"gender_id"`
	SexID        Int             `json:"sex_id"`
	ImportanceID Int             `json:"importance_id"`
	Discount     Int             `json:"discount"`
	Card         String          `json:"card"`
	BirthDate    String          `json:"birth_date"`
	Comment      String          `json:"comment"`
	SMSCheck     Bool            `json:"sms_check"`
	SMSNot       Bool            `json:"sms_not"`
	Spent        Float           `json:"spent"`
	Balance      Float           `json:"balance"`
	Categories   *[]Int          `json:"categories"`
	Labels       *[]Int          `json:"labels"`
	CustomFields json.RawMessage `json:"custom_fields"`
}

func (b clientBody) input() (booking.ClientInput, error) {
	in := booking.ClientInput{Name: b.Name.Ptr(), Surname: b.Surname.Ptr(), MiddleName: b.MiddleName.Ptr(),
		Phone: b.Phone.Ptr(), Email: b.Email.Ptr(), GenderID: b.GenderID.Ptr(), ImportanceID: b.ImportanceID.Ptr(),
		Discount: b.Discount.Ptr(), Card: b.Card.Ptr(), BirthDate: b.BirthDate.Ptr(), Comment: b.Comment.Ptr(),
		SMSCheck: boolPtr(b.SMSCheck), SMSNot: boolPtr(b.SMSNot), Spent: toMinor(b.Spent), Balance: toMinor(b.Balance)}
	if in.MiddleName == nil {
		in.MiddleName = b.Patronymic.Ptr()
	}
	if in.GenderID == nil {
		in.GenderID = b.SexID.Ptr()
	}
	tags := b.Categories
	if tags == nil {
		tags = b.Labels
	}
	if tags != nil {
		ids := make([]int64, 0, len(*tags))
		for _, t := range *tags {
			ids = append(ids, t.V)
		}
		in.Categories = &ids
	}
	if len(b.CustomFields) > 0 && string(b.CustomFields) != "null" {
		var m map[string]any
		if err := json.Unmarshal(b.CustomFields, &m); err != nil {
			var arr []any
			if json.Unmarshal(b.CustomFields, &arr) != nil || len(arr) > 0 {
				return in, booking.Invalid("custom_fields", "custom_fields must be an object keyed by field code")
			}
			m = map[string]any{}
		}
		in.CustomFields = m
	}
	return in, nil
}

// location is the caller's location of the path, for rendering in its zone.
func (s *Server) location(c *call, id int64) (booking.Location, error) {
	loc, _, err := s.Service.GetLocation(c.ctx, c.caller, id, false)
	return loc, err
}

func (s *Server) createClient(c *call) error {
	loc, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	var body clientBody
	if err := decodeBody(c.r, &body); err != nil {
		return err
	}
	in, err := body.input()
	if err != nil {
		return err
	}
	cl, err := s.Service.CreateClient(c.ctx, c.caller, loc, in)
	if err != nil {
		return err
	}
	l, err := s.location(c, loc)
	if err != nil {
		return err
	}
	return c.ok(http.StatusCreated, renderClient(cl, l))
}

func (s *Server) getClient(c *call) error {
	p, err := pathIDs(c.r, "location_id", "id")
	if err != nil {
		return err
	}
	cl, err := s.Service.GetClient(c.ctx, c.caller, p[0], p[1])
	if err != nil {
		return err
	}
	l, err := s.location(c, p[0])
	if err != nil {
		return err
	}
	return c.ok(http.StatusOK, renderClient(cl, l))
}

func (s *Server) updateClient(c *call) error {
	p, err := pathIDs(c.r, "location_id", "id")
	if err != nil {
		return err
	}
	var body clientBody
	if err := decodeBody(c.r, &body); err != nil {
		return err
	}
	in, err := body.input()
	if err != nil {
		return err
	}
	cl, err := s.Service.UpdateClient(c.ctx, c.caller, p[0], p[1], in)
	if err != nil {
		return err
	}
	l, err := s.location(c, p[0])
	if err != nil {
		return err
	}
	return c.ok(http.StatusOK, renderClient(cl, l))
}

func (s *Server) deleteClient(c *call) error {
	p, err := pathIDs(c.r, "location_id", "id")
	if err != nil {
		return err
	}
	if err := s.Service.DeleteClient(c.ctx, c.caller, p[0], p[1]); err != nil {
		return err
	}
	return c.noContent()
}

// renderClients renders a page in the location's zone.
func (s *Server) renderClients(c *call, locID int64, list []booking.Client) ([]clientOut, error) {
	l, err := s.location(c, locID)
	out := make([]clientOut, len(list))
	for i, cl := range list {
		out[i] = renderClient(cl, l)
	}
	return out, err
}

// listClients is the deprecated GET /clients/{id}: meta {page, total_count}.
func (s *Server) listClients(c *call) error {
	loc, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	q := c.r.URL.Query()
	page, count, err := pageCount(c.r, "count", 20, 200)
	if err != nil {
		return err
	}
	ids, err := queryIDs(c.r, "id")
	if err != nil {
		return err
	}
	in := booking.ClientListInput{ClientQuery: booking.ClientQuery{LocationID: loc, IDs: ids,
		FullName: q.Get("fullname"), PhoneDigits: booking.PhoneDigits(q.Get("phone")), Email: q.Get("email"),
		Card: q.Get("card"), Limit: count, Offset: (page - 1) * count},
		ChangedAfterRaw: q.Get("changed_after"), ChangedBeforeRaw: q.Get("changed_before")}
	list, total, err := s.Service.ListClients(c.ctx, c.caller, in)
	if err != nil {
		return err
	}
	out, err := s.renderClients(c, loc, list)
	if err != nil {
		return err
	}
	return c.okMeta(http.StatusOK, out, map[string]int{"page": page, "total_count": total})
}

// searchClients is POST /company/{id}/clients/search.
func (s *Server) searchClients(c *call) error {
	loc, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	var body struct {
		Page             Int      `json:"page"`
		PageSize         Int      `json:"page_size"`
		Fields           []string `json:"fields"`
		OrderBy          string   `json:"order_by"`
		OrderByDirection string   `json:"order_by_direction"`
		Filters          []struct {
			Type  string          `json:"type"`
			State json.RawMessage `json:"state"`
		} `json:"filters"`
	}
	if err := decodeBody(c.r, &body); err != nil {
		return err
	}
	page, size := int64(1), int64(25)
	if body.Page.Set {
		page = body.Page.V
	}
	if body.PageSize.Set {
		size = body.PageSize.V
	}
	if size < 1 || size > 200 {
		return booking.Invalid("page_size", "page_size must be from 1 to 200")
	}
	offset, err := pageOffset(page, size)
	if err != nil {
		return err
	}
	q := booking.ClientQuery{LocationID: loc, OrderBy: body.OrderBy, Limit: int(size), Offset: offset,
		Desc: strings.EqualFold(body.OrderByDirection, "desc")}
	for _, f := range body.Filters {
		var state struct {
			Value json.RawMessage `json:"value"`
		}
		if json.Unmarshal(f.State, &state) != nil {
			return s.filterError(c)
		}
		var str string
		var ints []Int
		var one Int
		switch {
		case f.Type == "quick_search" && json.Unmarshal(state.Value, &str) == nil:
			q.Quick = strings.TrimSpace(str)
		case (f.Type == "id" || f.Type == "gender" || f.Type == "importance") &&
			(json.Unmarshal(state.Value, &ints) == nil || json.Unmarshal(state.Value, &one) == nil):
			if one.Set {
				ints = append(ints, one)
			}
			vals := make([]int64, 0, len(ints))
			for _, v := range ints {
				vals = append(vals, v.V)
			}
			switch f.Type {
			case "id":
				q.IDs = vals
				if len(vals) == 0 {
					q.IDs = []int64{0}
				}
			case "gender":
				q.GenderIDs = vals
			case "importance":
				q.ImportanceIDs = vals
			}
		default:
			return s.filterError(c)
		}
	}
	list, total, err := s.Service.ListClients(c.ctx, c.caller, booking.ClientListInput{ClientQuery: q})
	if err != nil {
		return err
	}
	out, err := s.renderClients(c, loc, list)
	if err != nil {
		return err
	}
	data := make([]map[string]any, len(out))
	for i, cl := range out {
		data[i] = pickFields(cl, body.Fields)
	}
	return c.okMeta(http.StatusOK, data, map[string]int{"total_count": total})
}

func (s *Server) filterError(c *call) error {
	writeJSON(c.w, http.StatusBadRequest, envelope{Success: false, Data: nil, Meta: map[string]any{
		"message": "Invalid filter value", "errors": map[string][]string{"filters": {"Invalid filter state value"}}}})
	return nil
}

// pickFields keeps the requested fields (all when none are named); id stays.
func pickFields(v any, fields []string) map[string]any {
	b, _ := json.Marshal(v)
	var all map[string]any
	_ = json.Unmarshal(b, &all)
	if len(fields) == 0 {
		return all
	}
	out := map[string]any{"id": all["id"]}
	for _, f := range fields {
		if val, ok := all[f]; ok {
			out[f] = val
		}
	}
	return out
}

// bulkClients is POST /clients/{id}/bulk: 200 with created and errors.
func (s *Server) bulkClients(c *call) error {
	loc, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	var body []clientBody
	if err := decodeBody(c.r, &body); err != nil {
		return err
	}
	rows := make([]booking.ClientInput, len(body))
	for i, b := range body {
		if rows[i], err = b.input(); err != nil {
			return err
		}
	}
	created, refused, err := s.Service.BulkCreateClients(c.ctx, c.caller, loc, rows)
	if err != nil {
		return err
	}
	out, err := s.renderClients(c, loc, created)
	if err != nil {
		return err
	}
	type errOut struct {
		Phone string `json:"phone"`
		Name  string `json:"name"`
		Error string `json:"error"`
	}
	errs := make([]errOut, len(refused))
	for i, r := range refused {
		errs[i] = errOut{r.Phone, r.Name, r.Error}
	}
	return c.ok(http.StatusOK, map[string]any{"created": out, "errors": errs})
}
