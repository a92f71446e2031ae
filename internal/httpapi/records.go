package httpapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"appointd/internal/apitime"
	"appointd/internal/auth"
	"appointd/internal/booking"
)

// recordRoutes lists the appointment routes.
func (s *Server) recordRoutes() []route {
	const v1 = "/api/v1"
	return []route{
		{method: "GET", path: v1 + "/records/{location_id}", auth: authUser, perm: auth.PermTimetable, handle: s.listRecords},
		{method: "POST", path: v1 + "/records/{location_id}", auth: authUser, perm: auth.PermCreateRecords, handle: s.createRecord},
		{method: "GET", path: v1 + "/records/partner", auth: authUser, handle: s.partnerRecords},
		{method: "GET", path: v1 + "/record/{location_id}/{record_id}", auth: authUser, perm: auth.PermTimetable, handle: s.getRecord},
		{method: "PUT", path: v1 + "/record/{location_id}/{record_id}", auth: authUser, perm: auth.PermEditRecords, handle: s.updateRecord},
		{method: "DELETE", path: v1 + "/record/{location_id}/{record_id}", auth: authUser, perm: auth.PermDeleteRecords, handle: s.deleteRecord},
	}
}

type recordServiceOut struct {
	ID                 int64          `json:"id"`
	Title              string         `json:"title"`
	Cost               float64        `json:"cost"`
	CostToPay          float64        `json:"cost_to_pay"`
	ManualCost         float64        `json:"manual_cost"`
	CostPerUnit        float64        `json:"cost_per_unit"`
	Discount           int64          `json:"discount"`
	FirstCost          float64        `json:"first_cost"`
	Amount             int64          `json:"amount"`
	Assistants         []any          `json:"assistants"` // appointd has no assistants
	StaffServiceLink   map[string]any `json:"staff_service_link"`
	CompanyServiceLink map[string]any `json:"company_service_link"`
}

type recordStaffOut struct {
	ID             int64  `json:"id"`
	APIID          string `json:"api_id"`
	Name           string `json:"name"`
	Specialization string `json:"specialization"`
	Position       any    `json:"position"`
	Avatar         string `json:"avatar"`
	AvatarBig      string `json:"avatar_big"`
	Rating         int64  `json:"rating"`
	VotesCount     int64  `json:"votes_count"`
}

type recordClientOut struct {
	ID          int64   `json:"id"`
	Name        string  `json:"name"`
	Surname     string  `json:"surname"`
	MiddleName  string  `json:"middle_name"`
	Patronymic  string  `json:"patronymic"`
	DisplayName string  `json:"display_name"`
	Comment     string  `json:"comment"`
	Phone       string  `json:"phone"`
	Card        string  `json:"card"`
	Email       string  `json:"email"`
	Discount    int64   `json:"discount"`
	Gender      int64   `json:"gender"`
	Sex         int64   `json:"sex"`
	Birthday    *string `json:"birthday"`
	ClientTags  []any   `json:"client_tags"`
	CustomField []any   `json:"custom_fields"`
	// Counted from the client's appointments (docs/ARCHITECTURE.md).
	SuccessVisitsCount int64 `json:"success_visits_count"`
	FailVisitsCount    int64 `json:"fail_visits_count"`
	IsNew              bool  `json:"is_new"`
	PhoneCountryID     int64 `json:"phone_country_id"`
}

// recordOut is the appointment (record) object of 4.2.
type recordOut struct {
	ID                     int64              `json:"id"`
	CompanyID              int64              `json:"company_id"`
	StaffID                int64              `json:"staff_id"`
	Services               []recordServiceOut `json:"services"`
	GoodsTransactions      []goodsLineOut     `json:"goods_transactions"`
	Staff                  recordStaffOut     `json:"staff"`
	Client                 *recordClientOut   `json:"client"`
	ClientsCount           int                `json:"clients_count"`
	Date                   string             `json:"date"`
	Datetime               string             `json:"datetime"`
	CreateDate             string             `json:"create_date"`
	Comment                string             `json:"comment"`
	Online                 bool               `json:"online"`
	VisitAttendance        int64              `json:"visit_attendance"`
	Attendance             int64              `json:"attendance"`
	Confirmed              int                `json:"confirmed"`
	SeanceLength           int64              `json:"seance_length"`
	Length                 int64              `json:"length"`
	SMSBefore              int                `json:"sms_before"`
	SMSNow                 int                `json:"sms_now"`
	SMSNowText             string             `json:"sms_now_text"`
	EmailNow               int                `json:"email_now"`
	Notified               int                `json:"notified"`
	MasterRequest          int                `json:"master_request"`
	APIID                  string             `json:"api_id"`
	FromURL                string             `json:"from_url"`
	ReviewRequested        int                `json:"review_requested"`
	VisitID                int64              `json:"visit_id"`
	CreatedUserID          int64              `json:"created_user_id"`
	Deleted                bool               `json:"deleted"`
	PaidFull               int                `json:"paid_full"`
	Prepaid                bool               `json:"prepaid"`
	PrepaidConfirmed       bool               `json:"prepaid_confirmed"`
	LastChangeDate         string             `json:"last_change_date"`
	CustomColor            string             `json:"custom_color"`
	CustomFontColor        string             `json:"custom_font_color"`
	RecordLabels           []map[string]any   `json:"record_labels"`
	ActivityID             int64              `json:"activity_id"`
	CustomFields           any                `json:"custom_fields"`
	Documents              []documentOut      `json:"documents"`
	SMSRemainHours         int64              `json:"sms_remain_hours"`
	EmailRemainHours       int64              `json:"email_remain_hours"`
	BookformID             int64              `json:"bookform_id"`
	RecordFrom             string             `json:"record_from"`
	IsMobile               int                `json:"is_mobile"`
	IsSaleBillPrinted      bool               `json:"is_sale_bill_printed"`
	TechnicalBreakDuration int64              `json:"technical_break_duration"`
	ResourceInstanceIDs    []int64            `json:"resource_instance_ids"`
	IsRemindSMSSent        bool               `json:"is_remind_sms_sent"`
	Comer                  *bool              `json:"comer"`
	PaymentStatus          int                `json:"payment_status"`
	IsUpdateBlocked        bool               `json:"is_update_blocked"`
	ShortLink              string             `json:"short_link"`
	AcceptanceFree         *bool              `json:"acceptance_free"`
}

// recordGetOut is the answer of GET /record: the object and
// comer_person_info, which appointd has no data for (null).
type recordGetOut struct {
	recordWithExtras
	ComerPersonInfo map[string]any `json:"comer_person_info"`
}

// documentOut is an item of an appointment's documents: its visit's
// document, named with the appointment it is listed under.
type documentOut struct {
	ID                int64  `json:"id"`
	TypeID            int64  `json:"type_id"`
	StorageID         int64  `json:"storage_id"`
	UserID            int64  `json:"user_id"`
	CompanyID         int64  `json:"company_id"`
	Number            int64  `json:"number"`
	Comment           string `json:"comment"`
	DateCreated       string `json:"date_created"`
	CategoryID        int64  `json:"category_id"`
	VisitID           int64  `json:"visit_id"`
	RecordID          int64  `json:"record_id"`
	TypeTitle         string `json:"type_title"`
	IsSaleBillPrinted bool   `json:"is_sale_bill_printed"`
}

func renderRecord(v booking.AppointmentView) recordOut {
	zone := v.Location.Zone()
	a := v.Appointment
	out := recordOut{ID: a.ID, CompanyID: a.LocationID, StaffID: a.TeamMemberID, Services: []recordServiceOut{},
		GoodsTransactions: renderGoodsLines(a.Goods), ClientsCount: int(max(a.ClientsCount, 1)), Date: apitime.FormatLocal(a.Start, zone),
		Datetime: apitime.FormatISO(a.Start, zone), CreateDate: apitime.FormatCompact(a.CreatedAt, zone),
		Comment: a.Comment, VisitAttendance: a.VisitAttendance, Attendance: a.Attendance,
		Confirmed: int(a.Confirmed), SeanceLength: a.SeanceLength,
		Length: a.SeanceLength, SMSNow: flag01(a.SendSMS), MasterRequest: 1, APIID: a.APIID, VisitID: a.VisitID,
		CreatedUserID: a.CreatedUserID, Deleted: a.Deleted, PaidFull: flag01(a.PaidFull), LastChangeDate: apitime.FormatCompact(a.UpdatedAt, zone),
		CustomColor: a.CustomColor, CustomFontColor: "#ffffff", RecordLabels: []map[string]any{},
		CustomFields: []any{}, Documents: []documentOut{}, SMSRemainHours: deref(a.SMSRemainHours), EmailRemainHours: deref(a.EmailRemainHours),
		TechnicalBreakDuration: a.TechnicalBreakDuration, ResourceInstanceIDs: []int64{}, ActivityID: a.ActivityID,
		PaymentStatus: a.PaymentStatus(), IsUpdateBlocked: v.UpdateBlocked || a.Deleted}
	if a.SMSRemainHours != nil && *a.SMSRemainHours > 0 {
		out.SMSBefore = 1
	}
	for _, l := range a.Services {
		cost := money(l.Cost)
		out.Services = append(out.Services, recordServiceOut{ID: l.ServiceID, Title: l.Title, Cost: cost, CostToPay: cost,
			ManualCost: cost, CostPerUnit: money(l.FirstCost), Discount: l.Discount, FirstCost: money(l.FirstCost),
			Amount: l.Amount, Assistants: []any{}, StaffServiceLink: map[string]any{"length": l.Length},
			CompanyServiceLink: map[string]any{"price_min": money(l.PriceMin), "price_max": money(l.PriceMax)}})
	}
	for _, id := range a.RecordLabels {
		out.RecordLabels = append(out.RecordLabels, map[string]any{"id": id})
	}
	if len(a.CustomFields) > 0 {
		out.CustomFields = a.CustomFields
	}
	if d := v.Document; d != nil {
		out.Documents = append(out.Documents, documentOut{ID: d.ID, TypeID: d.TypeID, UserID: d.UserID, CompanyID: d.LocationID,
			Number: d.Number, Comment: d.Comment, DateCreated: apitime.FormatISO(d.CreatedAt, zone), VisitID: d.VisitID,
			RecordID: a.ID, TypeTitle: "Visit"})
	}
	m := v.Member
	out.Staff = recordStaffOut{ID: m.ID, APIID: m.APIID, Name: m.Name, Specialization: m.Specialization,
		Position: renderStaff(m).Position, Avatar: m.Avatar, AvatarBig: m.Avatar, Rating: roundedRating(m), VotesCount: m.VotesCount}
	if c := v.Client; c != nil {
		rc := &recordClientOut{ID: c.ID, Name: c.Name, Surname: c.Surname, MiddleName: c.MiddleName, Patronymic: c.MiddleName,
			DisplayName: strings.TrimSpace(c.Name + " " + c.Surname), Comment: c.Comment, Phone: c.Phone, Card: c.Card,
			Email: c.Email, Discount: c.Discount, Gender: c.GenderID, Sex: c.GenderID, ClientTags: []any{}, CustomField: []any{},
			SuccessVisitsCount: v.ClientRecord.Arrived, FailVisitsCount: v.ClientRecord.NoShow, IsNew: v.ClientIsNew()}
		if c.BirthDate != nil {
			d := c.BirthDate.Format(apitime.Date)
			rc.Birthday = &d
		}
		out.Client = rc
	}
	return out
}

// recordBody is the create body, with the shapes real clients send.
type recordBody struct {
	StaffID      Int `json:"staff_id"`
	TeamMemberID Int `json:"team_member_id"`
	Services     []struct {
		ID        Int   `json:"id"`
		FirstCost Float `json:"first_cost"`
		Discount  Int   `json:"discount"`
		Cost      Float `json:"cost"`
		Amount    Int   `json:"amount"`
	} `json:"services"`
	Client *struct {
		ID    Int    `json:"id"`
		Name  String `json:"name"`
		Phone String `json:"phone"`
		Email String `json:"email"`
	} `json:"client"`
	ClientID               Int             `json:"client_id"`
	Datetime               String          `json:"datetime"`
	SeanceLength           Int             `json:"seance_length"`
	TechnicalBreakDuration Int             `json:"technical_break_duration"`
	SaveIfBusy             Bool            `json:"save_if_busy"`
	SendSMS                Bool            `json:"send_sms"`
	Comment                String          `json:"comment"`
	SMSRemainHours         Int             `json:"sms_remain_hours"`
	EmailRemainHours       Int             `json:"email_remain_hours"`
	Attendance             Int             `json:"attendance"`
	APIID                  String          `json:"api_id"`
	CustomColor            String          `json:"custom_color"`
	RecordLabels           []Int           `json:"record_labels"`
	CustomFields           json.RawMessage `json:"custom_fields"`
	ActivityID             Int             `json:"activity_id"`
	ClientsCount           Int             `json:"clients_count"`
}

func (b recordBody) input() booking.AppointmentInput {
	in := booking.AppointmentInput{TeamMemberID: b.StaffID.V, Datetime: b.Datetime.V, SeanceLength: b.SeanceLength.Ptr(),
		TechnicalBreak: b.TechnicalBreakDuration.Ptr(), SaveIfBusy: b.SaveIfBusy.V, SendSMS: b.SendSMS.V,
		Comment: b.Comment.V, SMSRemainHours: b.SMSRemainHours.Ptr(), EmailRemainHours: b.EmailRemainHours.Ptr(),
		Attendance: b.Attendance.Ptr(), APIID: b.APIID.V, CustomColor: b.CustomColor.V, ActivityID: b.ActivityID.V,
		ClientsCount: b.ClientsCount.Ptr()}
	if !b.StaffID.Set {
		in.TeamMemberID = b.TeamMemberID.V
	}
	for _, sv := range b.Services {
		in.Services = append(in.Services, booking.ServiceRequest{ID: sv.ID.V, FirstCost: toMinor(sv.FirstCost),
			Discount: sv.Discount.Ptr(), Cost: toMinor(sv.Cost), Amount: sv.Amount.Ptr()})
	}
	in.Client.ID = b.ClientID.V
	if b.Client != nil {
		if b.Client.ID.Set {
			in.Client.ID = b.Client.ID.V
		}
		in.Client.Name, in.Client.Phone, in.Client.Email = b.Client.Name.V, b.Client.Phone.V, b.Client.Email.V
	}
	for _, l := range b.RecordLabels {
		in.RecordLabels = append(in.RecordLabels, l.V)
	}
	if len(b.CustomFields) > 0 {
		_ = json.Unmarshal(b.CustomFields, &in.CustomFields)
	}
	return in
}

// createRecord is POST /records/{id}: 201 with the appointment (D4).
func (s *Server) createRecord(c *call) error {
	loc, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	var body recordBody
	if err := decodeBody(c.r, &body); err != nil {
		return err
	}
	v, err := s.Service.CreateAppointment(c.ctx, c.caller, loc, body.input())
	if err != nil {
		return err
	}
	return c.ok(http.StatusCreated, renderRecord(v))
}

func (s *Server) getRecord(c *call) error {
	p, err := pathIDs(c.r, "location_id", "record_id")
	if err != nil {
		return err
	}
	in, err := readIncludes(c.r)
	if err != nil {
		return err
	}
	v, err := s.Service.GetAppointment(c.ctx, c.caller, p[0], p[1])
	if err != nil {
		return err
	}
	return c.ok(http.StatusOK, recordGetOut{recordWithExtras: in.render(v)})
}

// deref is an optional number, 0 when unset.
func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// patch is the edit the body names; absent fields keep their values.
func (b recordBody) patch() booking.AppointmentPatch {
	in := b.input()
	p := booking.AppointmentPatch{SeanceLength: b.SeanceLength.Ptr(), TechnicalBreak: b.TechnicalBreakDuration.Ptr(),
		SaveIfBusy: b.SaveIfBusy.V, Comment: b.Comment.Ptr(), Attendance: b.Attendance.Ptr(), APIID: b.APIID.Ptr(),
		CustomColor: b.CustomColor.Ptr(), CustomFields: in.CustomFields, SMSRemainHours: b.SMSRemainHours.Ptr(),
		EmailRemainHours: b.EmailRemainHours.Ptr(), SendSMS: boolPtr(b.SendSMS), ActivityID: b.ActivityID.Ptr(),
		Datetime: b.Datetime.Ptr()}
	if b.StaffID.Set || b.TeamMemberID.Set {
		p.TeamMemberID = &in.TeamMemberID
	}
	if b.Services != nil {
		p.Services = &in.Services
	}
	if b.Client != nil || b.ClientID.Set {
		p.Client = &in.Client
	}
	if b.RecordLabels != nil {
		p.RecordLabels = &in.RecordLabels
	}
	return p
}

// updateRecord is PUT /record/{id}/{record_id}: 201 with the full
// appointment (D5); a partial body keeps the other fields.
func (s *Server) updateRecord(c *call) error {
	p, err := pathIDs(c.r, "location_id", "record_id")
	if err != nil {
		return err
	}
	in, err := readIncludes(c.r)
	if err != nil {
		return err
	}
	var body recordBody
	if err := decodeBody(c.r, &body); err != nil {
		return err
	}
	v, err := s.Service.UpdateAppointment(c.ctx, c.caller, p[0], p[1], body.patch())
	if err != nil {
		return err
	}
	return c.ok(http.StatusCreated, in.render(v))
}

// deleteRecord is DELETE /record/{id}/{record_id}: 204, soft (D12).
func (s *Server) deleteRecord(c *call) error {
	p, err := pathIDs(c.r, "location_id", "record_id")
	if err != nil {
		return err
	}
	if err := s.Service.DeleteAppointment(c.ctx, c.caller, p[0], p[1]); err != nil {
		return err
	}
	return c.noContent()
}

// pageCount reads page and a page size (D7): default def, above max
// clamped, below 1 or not a number a 422.
func pageCount(r *http.Request, sizeName string, def, max int64) (int, int, error) {
	page, err := queryInt(r, "page", 1)
	if err != nil {
		return 0, 0, err
	}
	count, err := queryInt(r, sizeName, def)
	if err != nil {
		return 0, 0, err
	}
	if page < 1 {
		return 0, 0, booking.Invalid("page", "page must be 1 or more")
	}
	if count < 1 {
		return 0, 0, booking.Invalid(sizeName, "%s must be 1 or more", sizeName)
	}
	count = min(count, max)
	if _, err := pageOffset(page, count); err != nil {
		return 0, 0, err
	}
	return int(page), int(count), nil
}

// maxOffset is the furthest row a page may start at: far past any real
// list, far below where (page-1) × size overflows int64.
const maxOffset = 1_000_000_000

// pageOffset is the first row of page for pages of size rows, the one check
// of every list's paging: page 1 or more, and a page starting past
// maxOffset a 422 naming page. A page past the data is just empty; an
// overflowing product would be a negative OFFSET (PostgreSQL fails, SQLite
// answers page 1).
func pageOffset(page, size int64) (int, error) {
	if page < 1 {
		return 0, booking.Invalid("page", "page must be 1 or more")
	}
	if size > 0 && page-1 > maxOffset/size {
		return 0, booking.Invalid("page", "page is too large: a page may start at most %d rows in", maxOffset)
	}
	return int((page - 1) * size), nil
}

// recordFilter reads the filters both appointment lists share.
func recordFilter(r *http.Request, sizeName string, def, max int64) (booking.AppointmentFilter, error) {
	var f booking.AppointmentFilter
	var err error
	if f.Page, f.Count, err = pageCount(r, sizeName, def, max); err != nil {
		return f, err
	}
	if f.TeamMemberID, err = queryAlias(r, "team_member_id", "staff_id", "master_id"); err != nil {
		return f, err
	}
	if f.ClientID, err = queryInt(r, "client_id", 0); err != nil {
		return f, err
	}
	if f.CreatedUserID, err = queryAlias(r, "created_user_id", "user_id"); err != nil {
		return f, err
	}
	if f.WithDeleted, err = queryBool(r, "with_deleted"); err != nil {
		return f, err
	}
	q := r.URL.Query()
	f.StartDate, f.EndDate = q.Get("start_date"), q.Get("end_date")
	f.CreatedStartDate, f.CreatedEndDate = q.Get("c_start_date"), q.Get("c_end_date")
	if v := q.Get("created_start_date"); v != "" {
		f.CreatedStartDate = v
	}
	if v := q.Get("created_end_date"); v != "" {
		f.CreatedEndDate = v
	}
	f.ChangedAfter, f.ChangedBefore = q.Get("changed_after"), q.Get("changed_before")
	return f, nil
}

// recordWithExtras adds the arrays the include_* flags ask for: the
// payments taken through the appointment, and consumables (appointd has
// none, so always empty).
type recordWithExtras struct {
	recordOut
	Consumables         *[]any        `json:"consumables,omitempty"`
	FinanceTransactions *[]paymentOut `json:"finance_transactions,omitempty"`
}

// recordIncludes are the include_* flags of a request, read before anything is
// written so that a bad flag changes nothing.
type recordIncludes struct{ consumables, finance bool }

func readIncludes(r *http.Request) (recordIncludes, error) {
	var in recordIncludes
	var err error
	if in.consumables, err = queryBool(r, "include_consumables"); err != nil {
		return in, err
	}
	in.finance, err = queryBool(r, "include_finance_transactions")
	return in, err
}

func (in recordIncludes) render(v booking.AppointmentView) recordWithExtras {
	out := recordWithExtras{recordOut: renderRecord(v)}
	if in.consumables {
		out.Consumables = &[]any{}
	}
	if in.finance {
		pays := make([]paymentOut, 0, len(v.Payments))
		for _, p := range v.Payments {
			pays = append(pays, renderPayment(p, v.Location.Zone(), v.Client))
		}
		out.FinanceTransactions = &pays
	}
	return out
}

func renderRecords(r *http.Request, list []booking.AppointmentView) ([]recordWithExtras, error) {
	in, err := readIncludes(r)
	if err != nil {
		return nil, err
	}
	out := make([]recordWithExtras, len(list))
	for i, v := range list {
		out[i] = in.render(v)
	}
	return out, nil
}

// listRecords is GET /records/{id}: meta {page, total_count}.
func (s *Server) listRecords(c *call) error {
	loc, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	f, err := recordFilter(c.r, "count", 25, 200)
	if err != nil {
		return err
	}
	list, total, err := s.Service.ListAppointments(c.ctx, c.caller, loc, f)
	if err != nil {
		return err
	}
	out, err := renderRecords(c.r, list)
	if err != nil {
		return err
	}
	return c.okMeta(http.StatusOK, out, map[string]int{"page": f.Page, "total_count": total})
}

// partnerRecordOut is an item of GET /records/partner, in the shape 4.8
// of the reference gives it (docs/ARCHITECTURE.md, "The appointment object").
type partnerRecordOut struct {
	ID               int64               `json:"id"`
	Date             string              `json:"date"`
	Datetime         string              `json:"datetime"`
	CreateDate       string              `json:"create_date"`
	Comment          string              `json:"comment"`
	Deleted          bool                `json:"deleted"`
	Attendance       int64               `json:"attendance"`
	Length           int64               `json:"length"`
	NotifyBySMS      int64               `json:"notify_by_sms"`
	NotifyByEmail    int64               `json:"notify_by_email"`
	MasterRequested  bool                `json:"master_requested"`
	Online           bool                `json:"online"`
	APIID            string              `json:"api_id"`
	LastChangeDate   string              `json:"last_change_date"`
	Prepaid          bool                `json:"prepaid"`
	PrepaidConfirmed bool                `json:"prepaid_confirmed"`
	ActivityID       int64               `json:"activity_id"`
	Services         []partnerServiceOut `json:"services"`
	Company          partnerCompanyOut   `json:"company"`
	Staff            partnerStaffOut     `json:"staff"`
	Client           *partnerClientOut   `json:"client"`
	CustomFields     any                 `json:"custom_fields"`
}

type partnerServiceOut struct {
	ID       int64   `json:"id"`
	Title    string  `json:"title"`
	Cost     float64 `json:"cost"`
	PriceMin float64 `json:"price_min"`
	PriceMax float64 `json:"price_max"`
	Discount int64   `json:"discount"`
	Amount   int64   `json:"amount"`
}

type partnerCompanyOut struct {
	ID                int64    `json:"id"`
	Title             string   `json:"title"`
	PublicTitle       string   `json:"public_title"`
	BusinessGroupID   int64    `json:"business_group_id"`
	BusinessTypeID    int64    `json:"business_type_id"`
	CountryID         int64    `json:"country_id"`
	CityID            int64    `json:"city_id"`
	Timezone          float64  `json:"timezone"`
	TimezoneName      string   `json:"timezone_name"`
	Address           string   `json:"address"`
	CoordinateLat     float64  `json:"coordinate_lat"`
	CoordinateLon     float64  `json:"coordinate_lon"`
	Logo              string   `json:"logo"`
	Zip               string   `json:"zip"`
	Phone             string   `json:"phone"`
	Phones            []string `json:"phones"`
	Site              string   `json:"site"`
	AllowDeleteRecord bool     `json:"allow_delete_record"`
	AllowChangeRecord bool     `json:"allow_change_record"`
	Country           string   `json:"country"`
	City              string   `json:"city"`
}

type partnerStaffOut struct {
	ID             int64   `json:"id"`
	Name           string  `json:"name"`
	CompanyID      int64   `json:"company_id"`
	Specialization string  `json:"specialization"`
	Position       any     `json:"position"`
	Rating         int64   `json:"rating"`
	ShowRating     int     `json:"show_rating"`
	CommentsCount  int64   `json:"comments_count"`
	VotesCount     int64   `json:"votes_count"`
	AverageScore   float64 `json:"average_score"`
	Avatar         string  `json:"avatar"`
	Prepaid        string  `json:"prepaid"`
}

type partnerClientOut struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Phone     string `json:"phone"`
	PhoneCode string `json:"phone_code"`
	Email     string `json:"email"`
}

func renderPartnerRecord(v booking.AppointmentView, now time.Time) partnerRecordOut {
	full := renderRecord(v)
	l := renderLocation(v.Location, now)
	out := partnerRecordOut{ID: full.ID, Date: full.Date, Datetime: apitime.FormatCompact(v.Start, v.Location.Zone()),
		CreateDate: full.CreateDate, Comment: full.Comment, Deleted: full.Deleted, Attendance: full.Attendance,
		Length: full.Length, NotifyBySMS: full.SMSRemainHours, NotifyByEmail: full.EmailRemainHours,
		MasterRequested: full.MasterRequest == 1, Online: full.Online, APIID: full.APIID, LastChangeDate: full.LastChangeDate,
		Prepaid: full.Prepaid, PrepaidConfirmed: full.PrepaidConfirmed, ActivityID: full.ActivityID,
		Services: []partnerServiceOut{}, CustomFields: full.CustomFields,
		Company: partnerCompanyOut{ID: l.ID, Title: l.Title, PublicTitle: l.PublicTitle, BusinessTypeID: l.BusinessTypeID,
			CountryID: l.CountryID, CityID: l.CityID, Timezone: l.Timezone, TimezoneName: l.TimezoneName, Address: l.Address,
			CoordinateLat: l.CoordinateLat, CoordinateLon: l.CoordinateLon, Logo: l.Logo, Zip: l.Zip, Phone: l.Phone,
			Phones: l.Phones, Site: l.Site, AllowDeleteRecord: v.MayDelete, AllowChangeRecord: !v.UpdateBlocked,
			Country: l.Country, City: l.City}}
	for _, sv := range v.Services {
		out.Services = append(out.Services, partnerServiceOut{ID: sv.ServiceID, Title: sv.Title, Cost: money(sv.Cost),
			PriceMin: money(sv.PriceMin), PriceMax: money(sv.PriceMax), Discount: sv.Discount, Amount: sv.Amount})
	}
	st := renderStaff(v.Member)
	out.Staff = partnerStaffOut{ID: st.ID, Name: st.Name, CompanyID: st.CompanyID, Specialization: st.Specialization,
		Position: st.Position, Rating: full.Staff.Rating, ShowRating: st.ShowRating, CommentsCount: st.CommentsCount,
		VotesCount: st.VotesCount, AverageScore: v.Member.Rating, Avatar: st.Avatar, Prepaid: st.Prepaid}
	if c := full.Client; c != nil {
		out.Client = &partnerClientOut{ID: c.ID, Name: c.Name, Phone: c.Phone, Email: c.Email}
	}
	return out
}

// partnerRecords is GET /records/partner: meta {count}.
func (s *Server) partnerRecords(c *call) error {
	f, err := recordFilter(c.r, "editable_length", 25, 100)
	if err != nil {
		return err
	}
	loc, err := queryAlias(c.r, "salon_id", "company_id", "location_id")
	if err != nil {
		return err
	}
	list, total, err := s.Service.PartnerAppointments(c.ctx, c.caller, loc, f)
	if err != nil {
		return err
	}
	now := time.Now()
	out := make([]partnerRecordOut, len(list))
	for i, v := range list {
		out[i] = renderPartnerRecord(v, now)
	}
	return c.okMeta(http.StatusOK, out, map[string]int{"count": total})
}
