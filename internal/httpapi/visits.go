package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"appointd/internal/apitime"
	"appointd/internal/auth"
	"appointd/internal/booking"
	"appointd/internal/receipt"
)

// visitRoutes lists the visit, account and receipt routes.
func (s *Server) visitRoutes() []route {
	const v1 = "/api/v1"
	return []route{
		{method: "GET", path: v1 + "/visits/{visit_id}", auth: authUser, handle: s.getVisit},
		{method: "GET", path: v1 + "/visit/details/{location_id}/{record_id}/{visit_id}", auth: authUser, perm: auth.PermTimetable, handle: s.visitDetails},
		{method: "PUT", path: v1 + "/visits/{visit_id}/{record_id}", auth: authUser, handle: s.editVisit},
		{method: "GET", path: v1 + "/attendance/receipt_print/{visit_id}", auth: authUser, handle: s.receiptPDF},
		{method: "GET", path: v1 + "/accounts/{location_id}", auth: authUser, perm: auth.PermFinances, handle: s.listAccounts},
	}
}

// visitOut is GET /visits/{id}: the visit and its full appointment objects.
type visitOut struct {
	Attendance int64            `json:"attendance"`
	Datetime   string           `json:"datetime"`
	Comment    string           `json:"comment"`
	Records    []visitRecordOut `json:"records"`
}

type visitRecordOut struct {
	recordOut
	Events []any `json:"events"`
}

func (s *Server) getVisit(c *call) error {
	id, err := pathID(c.r, "visit_id")
	if err != nil {
		return err
	}
	d, err := s.Service.GetVisit(c.ctx, c.caller, id)
	if err != nil {
		return err
	}
	return c.ok(http.StatusOK, renderVisit(d))
}

func renderVisit(d booking.VisitDetails) visitOut {
	out := visitOut{Attendance: d.Visit.Attendance, Datetime: apitime.FormatISO(d.Start(), d.Location.Zone()),
		Comment: d.Visit.Comment, Records: []visitRecordOut{}}
	for _, r := range d.Records {
		out.Records = append(out.Records, visitRecordOut{recordOut: renderRecord(r), Events: []any{}})
	}
	return out
}

type idTitle struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
}

type paymentOut struct {
	ID                 int64          `json:"id"`
	DocumentID         int64          `json:"document_id"`
	Date               string         `json:"date"`
	TypeID             int64          `json:"type_id"`
	ExpenseID          int64          `json:"expense_id"`
	AccountID          int64          `json:"account_id"`
	Amount             float64        `json:"amount"`
	ClientID           int64          `json:"client_id"`
	MasterID           int64          `json:"master_id"`
	SupplierID         int64          `json:"supplier_id"`
	Comment            string         `json:"comment"`
	ItemID             int64          `json:"item_id"`
	TargetTypeID       int64          `json:"target_type_id"`
	RecordID           int64          `json:"record_id"`
	GoodsTransactionID int64          `json:"goods_transaction_id"`
	Expense            idTitle        `json:"expense"`
	Account            idTitle        `json:"account"`
	Client             map[string]any `json:"client"`
	Master             []any          `json:"master"`
	Supplier           []any          `json:"supplier"`
}

type visitItemOut struct {
	ID         int64   `json:"id"`
	ItemID     int64   `json:"item_id"`
	ItemTypeID int64   `json:"item_type_id"`
	RecordID   int64   `json:"record_id"`
	ItemTitle  string  `json:"item_title"`
	Amount     int64   `json:"amount"`
	FirstCost  float64 `json:"first_cost"`
	ManualCost float64 `json:"manual_cost"`
	Discount   int64   `json:"discount"`
	Cost       float64 `json:"cost"`
	MasterID   int64   `json:"master_id"`
	GoodID     int64   `json:"good_id"`
	ServiceID  int64   `json:"service_id"`
	EventID    int64   `json:"event_id"`
	IsService  bool    `json:"is_service"`
	IsEvent    bool    `json:"is_event"`
	IsGood     bool    `json:"is_good"`
}

type kkmOut struct {
	LastOperationType int   `json:"last_operation_type"`
	Transactions      []any `json:"transactions"`
}

// visitDetailsOut is the visit details object (5.2), also the answer of an
// edit (D6).
type visitDetailsOut struct {
	PaymentTransactions []paymentOut   `json:"payment_transactions"`
	LoyaltyTransactions []any          `json:"loyalty_transactions"`
	KKM                 kkmOut         `json:"kkm_transaction_details_container"`
	Items               []visitItemOut `json:"items"`
}

// expenseServices is the payment type of money taken for services.
var expenseServices = idTitle{ID: 5, Title: "Provision of services"}

// renderPayment is a payment transaction; client is the visit's client.
func renderPayment(p booking.Payment, zone *time.Location, client *booking.Client) paymentOut {
	po := paymentOut{ID: p.ID, DocumentID: p.DocumentID, Date: apitime.FormatCompact(p.CreatedAt, zone),
		TypeID: expenseServices.ID, ExpenseID: expenseServices.ID, AccountID: p.AccountID, Amount: money(p.Amount),
		MasterID: p.TeamMemberID, RecordID: p.AppointmentID, Expense: expenseServices,
		Account: idTitle{ID: p.AccountID, Title: p.AccountTitle}, Client: map[string]any{}, Master: []any{}, Supplier: []any{}}
	if p.ClientID != nil {
		po.ClientID = *p.ClientID
	}
	if client != nil {
		po.Client = map[string]any{"id": client.ID, "name": client.Name, "phone": client.Phone}
	}
	return po
}

func renderVisitDetails(d booking.VisitDetails) visitDetailsOut {
	zone := d.Location.Zone()
	out := visitDetailsOut{PaymentTransactions: []paymentOut{}, LoyaltyTransactions: []any{},
		KKM: kkmOut{LastOperationType: 1, Transactions: []any{}}, Items: []visitItemOut{}}
	for _, p := range d.Payments {
		out.PaymentTransactions = append(out.PaymentTransactions, renderPayment(p, zone, d.Client))
	}
	for _, r := range d.Records {
		for _, l := range r.Services {
			out.Items = append(out.Items, visitItemOut{ItemID: l.ServiceID, ItemTypeID: 1, RecordID: r.ID,
				ItemTitle: l.Title, Amount: l.Amount, FirstCost: money(l.FirstCost), ManualCost: money(l.Cost),
				Discount: l.Discount, Cost: money(l.Cost), MasterID: r.TeamMemberID, ServiceID: l.ServiceID, IsService: true})
		}
		out.Items = append(out.Items, goodsItems(r)...)
	}
	return out
}

func (s *Server) visitDetails(c *call) error {
	p, err := pathIDs(c.r, "location_id", "record_id", "visit_id")
	if err != nil {
		return err
	}
	d, err := s.Service.GetVisitDetails(c.ctx, c.caller, p[0], p[1], p[2])
	if err != nil {
		return err
	}
	return c.ok(http.StatusOK, renderVisitDetails(d))
}

// visitBody is the Edit Visit body (5.3).
type visitBody struct {
	Attendance Int    `json:"attendance"`
	Comment    String `json:"comment"`
	Services   []struct {
		ID          Int   `json:"id"`
		RecordID    Int   `json:"record_id"`
		Cost        Float `json:"cost"`
		CostPerUnit Float `json:"cost_per_unit"`
		FirstCost   Float `json:"first_cost"`
		Discount    Int   `json:"discount"`
	} `json:"services"`
	NewTransactions []struct {
		Amount    Float `json:"amount"`
		AccountID Int   `json:"account_id"`
	} `json:"new_transactions"`
	DeletedTransactionIDs []Int            `json:"deleted_transaction_ids"`
	FastPayment           Int              `json:"fast_payment"`
	GoodsTransactions     *[]goodsLineBody `json:"goods_transactions"`
}

func (b visitBody) edit() booking.VisitEdit {
	e := booking.VisitEdit{Attendance: b.Attendance.Ptr(), Comment: b.Comment.Ptr(), FastPayment: b.FastPayment.V,
		Goods: goodsEdit(b.GoodsTransactions)}
	for _, sv := range b.Services {
		first := toMinor(sv.FirstCost)
		if first == nil {
			first = toMinor(sv.CostPerUnit)
		}
		e.Services = append(e.Services, booking.ServiceLineEdit{ServiceID: sv.ID.V, RecordID: sv.RecordID.V,
			FirstCost: first, Discount: sv.Discount.Ptr(), Cost: toMinor(sv.Cost)})
	}
	for _, t := range b.NewTransactions {
		amount := int64(-1) // a missing amount is not a payment
		if m := toMinor(t.Amount); m != nil {
			amount = *m
		}
		e.NewPayments = append(e.NewPayments, booking.PaymentInput{Amount: amount, AccountID: t.AccountID.V})
	}
	for _, id := range b.DeletedTransactionIDs {
		e.DeletedPaymentIDs = append(e.DeletedPaymentIDs, id.V)
	}
	return e
}

// editVisit is PUT /visits/{visit_id}/{record_id}: 200 with the details (D6).
func (s *Server) editVisit(c *call) error {
	p, err := pathIDs(c.r, "visit_id", "record_id")
	if err != nil {
		return err
	}
	var body visitBody
	if err := decodeBody(c.r, &body); err != nil {
		return err
	}
	d, err := s.Service.EditVisit(c.ctx, c.caller, p[0], p[1], body.edit())
	if err != nil {
		return err
	}
	return c.ok(http.StatusOK, renderVisitDetails(d))
}

// receiptPDF is GET /attendance/receipt_print/{visit_id}: a PDF whatever
// the Accept header (D13).
func (s *Server) receiptPDF(c *call) error {
	id, err := pathID(c.r, "visit_id")
	if err != nil {
		return err
	}
	d, err := s.Service.GetVisit(c.ctx, c.caller, id)
	if err != nil {
		return err
	}
	pdf, err := receipt.Render(d)
	if err != nil {
		return err
	}
	c.w.Header().Set("Content-Type", "application/pdf")
	c.w.Header().Set("Content-Disposition", `inline; filename="receipt-`+strconv.FormatInt(d.Visit.ID, 10)+`.pdf"`)
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write(pdf)
	return nil
}

type accountOut struct {
	ID      int64  `json:"id"`
	Title   string `json:"title"`
	Type    int64  `json:"type"`
	Comment string `json:"comment"`
}

func (s *Server) listAccounts(c *call) error {
	loc, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	list, err := s.Service.Accounts(c.ctx, c.caller, loc)
	if err != nil {
		return err
	}
	out := make([]accountOut, 0, len(list))
	for _, a := range list {
		out = append(out, accountOut{ID: a.ID, Title: a.Title, Type: a.Type, Comment: a.Comment})
	}
	return c.ok(http.StatusOK, out)
}

// acceptsPDF: the receipt route also takes Accept: application/pdf.
func acceptsPDF(path, accept string) bool {
	return strings.HasPrefix(path, "/api/v1/attendance/receipt_print/") &&
		strings.Contains(strings.ToLower(accept), "application/pdf")
}
