package httpapi

import (
	"net/http"
	"time"

	"appointd/internal/apitime"
	"appointd/internal/auth"
	"appointd/internal/booking"
)

// goodsRoutes lists the goods catalog routes: storages_access (docs/RIGHTS.md).
func (s *Server) goodsRoutes() []route {
	const v1 = "/api/v1"
	return []route{
		{method: "GET", path: v1 + "/goods/{location_id}", auth: authUser, perm: auth.PermStorages, handle: s.listGoods},
		{method: "GET", path: v1 + "/goods/{location_id}/{good_id}", auth: authUser, perm: auth.PermStorages, handle: s.getGood},
		{method: "POST", path: v1 + "/goods/{location_id}", auth: authUser, perm: auth.PermStorages, handle: s.createGood},
		{method: "PUT", path: v1 + "/goods/{location_id}/{good_id}", auth: authUser, perm: auth.PermStorages, handle: s.updateGood},
		{method: "DELETE", path: v1 + "/goods/{location_id}/{good_id}", auth: authUser, perm: auth.PermStorages, handle: s.deleteGood},
	}
}

type stockOut struct {
	StorageID int64   `json:"storage_id"`
	Amount    float64 `json:"amount"`
}

type goodOut struct {
	GoodID         int64      `json:"good_id"`
	Title          string     `json:"title"`
	Value          string     `json:"value"`
	Label          string     `json:"label"`
	PrintTitle     string     `json:"print_title"`
	Article        string     `json:"article"`
	Barcode        string     `json:"barcode"`
	CategoryID     int64      `json:"category_id"`
	Category       string     `json:"category"`
	SalonID        int64      `json:"salon_id"`
	Cost           float64    `json:"cost"`
	ActualCost     float64    `json:"actual_cost"`
	UnitShortTitle string     `json:"unit_short_title"`
	UnitEquals     float64    `json:"unit_equals"`
	CriticalAmount float64    `json:"critical_amount"`
	DesiredAmount  float64    `json:"desired_amount"`
	ActualAmounts  []stockOut `json:"actual_amounts"`
	Comment        string     `json:"comment"`
	LastChangeDate string     `json:"last_change_date"`
}

func renderGood(g booking.Good) goodOut {
	return goodOut{GoodID: g.ID, Title: g.Title, Value: g.Title, Label: g.Title, PrintTitle: g.PrintTitle,
		Article: g.Article, Barcode: g.Barcode, CategoryID: g.CategoryID, Category: g.Category, SalonID: g.LocationID,
		Cost: money(g.Cost), ActualCost: money(g.ActualCost), UnitShortTitle: g.UnitTitle, UnitEquals: 1,
		CriticalAmount: float64(g.CriticalAmount), DesiredAmount: float64(g.DesiredAmount),
		ActualAmounts: []stockOut{{StorageID: g.LocationID, Amount: float64(g.Amount)}}, Comment: g.Comment,
		LastChangeDate: apitime.FormatISO(g.UpdatedAt, time.UTC)}
}

func (s *Server) listGoods(c *call) error {
	loc, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	page, count, err := pageCount(c.r, "count", 25, 1000)
	if err != nil {
		return err
	}
	category, err := queryInt(c.r, "category_id", 0)
	if err != nil {
		return err
	}
	offset, err := pageOffset(int64(page), int64(count))
	if err != nil {
		return err
	}
	list, total, err := s.Service.ListGoods(c.ctx, c.caller, booking.GoodsFilter{LocationID: loc, CategoryID: category,
		Term: c.r.URL.Query().Get("term"), Offset: offset, Limit: count})
	if err != nil {
		return err
	}
	out := make([]goodOut, len(list))
	for i, g := range list {
		out[i] = renderGood(g)
	}
	return c.okMeta(http.StatusOK, out, map[string]int{"count": total})
}

func (s *Server) getGood(c *call) error {
	p, err := pathIDs(c.r, "location_id", "good_id")
	if err != nil {
		return err
	}
	g, err := s.Service.GetGood(c.ctx, c.caller, p[0], p[1])
	if err != nil {
		return err
	}
	return c.ok(http.StatusOK, renderGood(g))
}

// goodBody is a good create or edit. `amount` (the stock of the location's
// storage) is appointd's: Altegio changes stock through storage operations.
type goodBody struct {
	Title          String `json:"title"`
	PrintTitle     String `json:"print_title"`
	Article        String `json:"article"`
	Barcode        String `json:"barcode"`
	CategoryID     Int    `json:"category_id"`
	Category       String `json:"category"`
	Cost           Float  `json:"cost"`
	ActualCost     Float  `json:"actual_cost"`
	UnitShortTitle String `json:"unit_short_title"`
	CriticalAmount Int    `json:"critical_amount"`
	DesiredAmount  Int    `json:"desired_amount"`
	Amount         Int    `json:"amount"`
	Comment        String `json:"comment"`
}

func (b goodBody) input() booking.GoodInput {
	return booking.GoodInput{Title: b.Title.Ptr(), PrintTitle: b.PrintTitle.Ptr(), Article: b.Article.Ptr(),
		Barcode: b.Barcode.Ptr(), Category: b.Category.Ptr(), UnitTitle: b.UnitShortTitle.Ptr(), Comment: b.Comment.Ptr(),
		CategoryID: b.CategoryID.Ptr(), Cost: toMinor(b.Cost), ActualCost: toMinor(b.ActualCost),
		CriticalAmount: b.CriticalAmount.Ptr(), DesiredAmount: b.DesiredAmount.Ptr(), Amount: b.Amount.Ptr()}
}

func (s *Server) saveGood(c *call, id int64, status int) error {
	loc, err := pathID(c.r, "location_id")
	if err != nil {
		return err
	}
	var body goodBody
	if err := decodeBody(c.r, &body); err != nil {
		return err
	}
	g, err := s.Service.SaveGood(c.ctx, c.caller, loc, id, body.input())
	if err != nil {
		return err
	}
	return c.ok(status, renderGood(g))
}

func (s *Server) createGood(c *call) error { return s.saveGood(c, 0, http.StatusCreated) }

func (s *Server) updateGood(c *call) error {
	id, err := pathID(c.r, "good_id")
	if err != nil {
		return err
	}
	return s.saveGood(c, id, http.StatusOK)
}

func (s *Server) deleteGood(c *call) error {
	p, err := pathIDs(c.r, "location_id", "good_id")
	if err != nil {
		return err
	}
	if err := s.Service.DeleteGood(c.ctx, c.caller, p[0], p[1]); err != nil {
		return err
	}
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

// goodsLineOut is an item of an appointment's goods_transactions. amount
// is the stock movement, so a sale is negative, as in Altegio's sample.
type goodsLineOut struct {
	ID                int64   `json:"id"`
	Title             string  `json:"title"`
	Barcode           string  `json:"barcode"`
	Article           string  `json:"article"`
	Amount            float64 `json:"amount"`
	CostPerUnit       float64 `json:"cost_per_unit"`
	Price             float64 `json:"price"`
	Cost              float64 `json:"cost"`
	Discount          float64 `json:"discount"`
	OperationUnitType int64   `json:"operation_unit_type"`
	MasterID          int64   `json:"master_id"`
	StorageID         int64   `json:"storage_id"`
	GoodID            int64   `json:"good_id"`
}

func renderGoodsLines(lines []booking.GoodsLine) []goodsLineOut {
	out := make([]goodsLineOut, len(lines))
	for i, l := range lines {
		out[i] = goodsLineOut{ID: l.ID, Title: l.Title, Barcode: l.Barcode, Article: l.Article, Amount: -float64(l.Amount),
			CostPerUnit: money(l.CostPerUnit), Price: money(l.Price), Cost: money(l.Cost), Discount: float64(l.Discount),
			OperationUnitType: l.OperationUnitType, MasterID: l.MasterID, StorageID: l.StorageID, GoodID: l.GoodID}
	}
	return out
}

// goodsItems are the visit details' items of the goods lines (item type 7,
// product sale).
func goodsItems(r booking.AppointmentView) []visitItemOut {
	var out []visitItemOut
	for _, l := range r.Goods {
		out = append(out, visitItemOut{ID: l.ID, ItemID: l.GoodID, ItemTypeID: 7, RecordID: r.ID, ItemTitle: l.Title,
			Amount: l.Amount, FirstCost: money(l.CostPerUnit), ManualCost: money(l.Cost), Discount: l.Discount,
			Cost: money(l.Cost), MasterID: l.MasterID, GoodID: l.GoodID, IsGood: true})
	}
	return out
}

// goodsLineBody is a goods_transactions item of Edit Visit. id, title,
// barcode, article and price are read from the catalog and computed.
type goodsLineBody struct {
	GoodID            Int   `json:"good_id"`
	Amount            Float `json:"amount"`
	CostPerUnit       Float `json:"cost_per_unit"`
	Cost              Float `json:"cost"`
	Discount          Int   `json:"discount"`
	MasterID          Int   `json:"master_id"`
	StorageID         Int   `json:"storage_id"`
	OperationUnitType Int   `json:"operation_unit_type"`
}

// goodsEdit: nil when the body has no goods_transactions (the lines stay).
func goodsEdit(lines *[]goodsLineBody) *[]booking.GoodsLineInput {
	if lines == nil {
		return nil
	}
	out := []booking.GoodsLineInput{}
	for _, l := range *lines {
		amount := int64(l.Amount.V)
		if float64(amount) != l.Amount.V {
			amount = 0 // whole units only: refused by validation
		}
		out = append(out, booking.GoodsLineInput{GoodID: l.GoodID.V, Amount: amount, MasterID: l.MasterID.V,
			StorageID: l.StorageID.V, OperationUnitType: l.OperationUnitType.V, CostPerUnit: toMinor(l.CostPerUnit),
			Discount: l.Discount.Ptr(), Cost: toMinor(l.Cost)})
	}
	return &out
}
