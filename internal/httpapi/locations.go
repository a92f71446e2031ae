package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"appointd/internal/booking"
)

type paymentPolicy struct {
	Type string `json:"type"`
}

// locationOut is the location ("company") object: the fields of the list
// items and of GET /company/{id} together.
type locationOut struct {
	ID                   int64          `json:"id"`
	Title                string         `json:"title"`
	PublicTitle          string         `json:"public_title"`
	ShortDescr           string         `json:"short_descr"`
	Logo                 string         `json:"logo"`
	Active               int            `json:"active"`
	Phone                string         `json:"phone"`
	Phones               []string       `json:"phones"`
	Email                string         `json:"email"`
	CountryID            int64          `json:"country_id"`
	Country              string         `json:"country"`
	CityID               int64          `json:"city_id"`
	City                 string         `json:"city"`
	Timezone             float64        `json:"timezone"`
	TimezoneName         string         `json:"timezone_name"`
	Address              string         `json:"address"`
	Zip                  string         `json:"zip"`
	CoordinateLat        float64        `json:"coordinate_lat"`
	CoordinateLon        float64        `json:"coordinate_lon"`
	Site                 string         `json:"site"`
	Description          string         `json:"description"`
	BusinessTypeID       int64          `json:"business_type_id"`
	Schedule             string         `json:"schedule"`
	PhoneConfirmation    bool           `json:"phone_confirmation"`
	ActiveStaffCount     int            `json:"active_staff_count"`
	CurrencyShortTitle   string         `json:"currency_short_title"`
	RemindsSMSDisabled   bool           `json:"reminds_sms_disabled"`
	RemindsSMSDefault    int            `json:"reminds_sms_default"`
	GroupPriority        int            `json:"group_priority"`
	BookformGroupPrio    int            `json:"bookform_group_priority"`
	AppIOS               string         `json:"app_ios"`
	AppAndroid           string         `json:"app_android"`
	Photos               []string       `json:"photos"`
	CompanyPhotos        []string       `json:"company_photos"`
	Social               booking.Social `json:"social"`
	MainGroupID          int64          `json:"main_group_id"`
	MainGroup            []any          `json:"main_group"`
	Bookforms            []any          `json:"bookforms"`
	OnlineSalesFormURL   string         `json:"online_sales_form_url"`
	PaymentPolicy        paymentPolicy  `json:"payment_policy"`
	PushNotificationConf bool           `json:"push_notification_phone_confirm"`
	Access               map[string]any `json:"access,omitempty"`
}

func renderLocation(l booking.Location, now time.Time) locationOut {
	phones := l.Phones
	if phones == nil {
		phones = []string{}
	}
	active := 0
	if l.Active {
		active = 1
	}
	return locationOut{
		ID: l.ID, Title: l.Title, PublicTitle: l.PublicTitle, ShortDescr: l.ShortDescr, Logo: l.Logo,
		Active: active, Phone: l.Phone, Phones: phones, Email: l.Email, CountryID: l.CountryID,
		Country: l.Country, CityID: l.CityID, City: l.City, Timezone: l.OffsetHours(now),
		TimezoneName: l.TimezoneName, Address: l.Address, Zip: l.Zip, CoordinateLat: l.CoordinateLat,
		CoordinateLon: l.CoordinateLon, Site: l.Site, Description: l.Description,
		BusinessTypeID: l.BusinessTypeID, CurrencyShortTitle: l.Currency, Photos: []string{},
		CompanyPhotos: []string{}, Social: l.Social, MainGroup: []any{}, Bookforms: []any{},
		PaymentPolicy: paymentPolicy{Type: "none"},
	}
}

// locationBody is the body of POST /companies and PUT /company/{id}.
type locationBody struct {
	Title          String          `json:"title"`
	ShortDescr     String          `json:"short_descr"`
	Description    String          `json:"description"`
	Phones         *[]String       `json:"phones"`
	Email          String          `json:"email"`
	Site           String          `json:"site"`
	CountryID      Int             `json:"country_id"`
	Country        String          `json:"country"`
	CityID         Int             `json:"city_id"`
	City           String          `json:"city"`
	TimezoneName   String          `json:"timezone_name"`
	Address        String          `json:"address"`
	Zip            String          `json:"zip"`
	CoordinateLat  Float           `json:"coordinate_lat"`
	CoordinateLon  Float           `json:"coordinate_lon"`
	CoordinateLot  Float           `json:"coordinate_lot"` // sic, in the create docs
	BusinessTypeID Int             `json:"business_type_id"`
	Currency       String          `json:"currency_short_title"`
	Social         *booking.Social `json:"social"`
}

func (b locationBody) input() booking.LocationInput {
	in := booking.LocationInput{
		Title: b.Title.Ptr(), ShortDescr: b.ShortDescr.Ptr(), Description: b.Description.Ptr(),
		Email: b.Email.Ptr(), Site: b.Site.Ptr(), CountryID: b.CountryID.Ptr(), Country: b.Country.Ptr(),
		CityID: b.CityID.Ptr(), City: b.City.Ptr(), TimezoneName: b.TimezoneName.Ptr(),
		Address: b.Address.Ptr(), Zip: b.Zip.Ptr(), CoordinateLat: b.CoordinateLat.Ptr(),
		CoordinateLon: b.CoordinateLon.Ptr(), BusinessTypeID: b.BusinessTypeID.Ptr(),
		Currency: b.Currency.Ptr(), Social: b.Social,
	}
	if in.CoordinateLon == nil {
		in.CoordinateLon = b.CoordinateLot.Ptr()
	}
	if b.Phones != nil {
		phones := make([]string, 0, len(*b.Phones))
		for _, p := range *b.Phones {
			phones = append(phones, p.V)
		}
		in.Phones = &phones
	}
	return in
}

// listLocations is GET /companies: id, my, page, count.
func (s *Server) listLocations(c *call) error {
	var f booking.LocationFilter
	var err error
	if f.MyOnly, err = queryBool(c.r, "my"); err != nil {
		return err
	}
	for _, raw := range c.r.URL.Query()["id"] {
		for _, part := range strings.Split(raw, ",") {
			id, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
			if err != nil {
				return booking.Invalid("id", "id must be an integer")
			}
			f.IDs = append(f.IDs, id)
		}
	}
	page, err := queryInt(c.r, "page", 1)
	if err != nil {
		return err
	}
	count, err := queryInt(c.r, "count", 0)
	if err != nil {
		return err
	}
	if count < 0 {
		return booking.Invalid("count", "count must be 1 or more")
	}
	count = min(count, 1000)
	if _, err := pageOffset(page, count); err != nil {
		return err
	}
	f.Page, f.Count = int(page), int(count)
	locs, err := s.Service.ListLocations(c.ctx, c.caller, f)
	if err != nil {
		return err
	}
	now := time.Now()
	out := make([]locationOut, len(locs))
	for i, l := range locs {
		out[i] = renderLocation(l, now)
	}
	return c.ok(http.StatusOK, out)
}

// getLocation is GET /company/{id}; my=1 adds the caller's access.
func (s *Server) getLocation(c *call) error {
	id, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	my, err := queryBool(c.r, "my")
	if err != nil {
		return err
	}
	loc, mem, err := s.Service.GetLocation(c.ctx, c.caller, id, my)
	if err != nil {
		return err
	}
	out := renderLocation(loc, time.Now())
	if mem != nil {
		out.Access = accessOut(*mem)
	}
	return c.ok(http.StatusOK, out)
}

// accessOut is the `access` object: the effective permission flags and role.
func accessOut(m booking.Membership) map[string]any {
	a := map[string]any{}
	for k, v := range m.Permissions() {
		a[k] = v
	}
	a["user_role"] = m.Role
	a["master_id"] = int64(0)
	if m.StaffID != nil {
		a["master_id"] = *m.StaffID
	}
	return a
}

// createLocation is POST /companies: 201; the caller becomes owner.
func (s *Server) createLocation(c *call) error {
	var body locationBody
	if err := decodeBody(c.r, &body); err != nil {
		return err
	}
	loc, err := s.Service.CreateLocation(c.ctx, c.caller, body.input())
	if err != nil {
		return err
	}
	return c.ok(http.StatusCreated, renderLocation(loc, time.Now()))
}

// updateLocation is PUT /company/{id}: a partial body keeps other fields.
func (s *Server) updateLocation(c *call) error {
	id, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	var body locationBody
	if err := decodeBody(c.r, &body); err != nil {
		return err
	}
	loc, err := s.Service.UpdateLocation(c.ctx, c.caller, id, body.input())
	if err != nil {
		return err
	}
	return c.ok(http.StatusOK, renderLocation(loc, time.Now()))
}

// deleteLocation is DELETE /company/{id}: 202 Accepted.
func (s *Server) deleteLocation(c *call) error {
	id, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	if err := s.Service.DeleteLocation(c.ctx, c.caller, id); err != nil {
		return err
	}
	writeJSON(c.w, http.StatusAccepted, map[string]any{"success": true, "meta": map[string]string{"message": "Accepted"}})
	return nil
}
