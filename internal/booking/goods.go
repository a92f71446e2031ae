package booking

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	"appointd/internal/auth"
)

// Good is a product a location sells. A location has one storage, whose id
// is the location's id; Amount is the stock in it. Money is in minor units.
type Good struct {
	ID             int64
	LocationID     int64
	Title          string
	PrintTitle     string
	Article        string
	Barcode        string
	CategoryID     int64
	Category       string
	Cost           int64 // the selling price of one unit
	ActualCost     int64 // what one unit cost the location
	UnitTitle      string
	CriticalAmount int64
	DesiredAmount  int64
	Amount         int64
	Comment        string
	UpdatedAt      time.Time
}

// GoodInput is a create or an edit of a good; nil fields change nothing.
type GoodInput struct {
	Title, PrintTitle, Article, Barcode, Category, UnitTitle, Comment   *string
	CategoryID, Cost, ActualCost, CriticalAmount, DesiredAmount, Amount *int64
}

// GoodsFilter is GET /goods/{location_id}: Term matches title, article or
// barcode; ID 0 lists every good.
type GoodsFilter struct {
	LocationID, CategoryID int64
	Term                   string
	Offset, Limit          int
}

// GoodsLine is a good sold in a visit through one of its appointments.
type GoodsLine struct {
	ID                int64
	VisitID           int64
	AppointmentID     int64
	GoodID            int64
	Title             string
	Article           string
	Barcode           string
	Amount            int64 // units sold, > 0
	CostPerUnit       int64
	Price             int64 // CostPerUnit × Amount
	Discount          int64 // percent
	Cost              int64 // what the client pays for the line
	OperationUnitType int64
	MasterID          int64
	StorageID         int64
}

// GoodsLineInput is one goods_transactions item of a visit edit.
type GoodsLineInput struct {
	GoodID, Amount, MasterID, StorageID, OperationUnitType int64
	CostPerUnit, Discount, Cost                            *int64
}

// GoodsTx is the store's part for goods and visit goods lines.
type GoodsTx interface {
	// Goods lists a location's non-deleted goods in id order, and how many
	// match the filter in all.
	Goods(ctx context.Context, f GoodsFilter) ([]Good, int, error)
	// Good returns a non-deleted good of the location.
	Good(ctx context.Context, locationID, id int64) (Good, error)
	CreateGood(ctx context.Context, g Good, at time.Time) (int64, error)
	UpdateGood(ctx context.Context, g Good, at time.Time) error
	DeleteGood(ctx context.Context, locationID, id int64, at time.Time) error
	// AddGoodStock adds delta (negative: takes) to a good's stock.
	AddGoodStock(ctx context.Context, id, delta int64) error
	CreateGoodsLine(ctx context.Context, locationID int64, l GoodsLine, at time.Time) error
	DeleteGoodsLine(ctx context.Context, id int64) error
}

const maxGoodsAmount = 1_000_000

// ListGoods is GET /goods/{location_id}.
func (s *Service) ListGoods(ctx context.Context, c Caller, f GoodsFilter) ([]Good, int, error) {
	var out []Good
	var total int
	err := s.store.Read(ctx, func(tx Tx) error {
		if _, _, err := s.access(ctx, tx, c, f.LocationID, auth.PermStorages); err != nil {
			return err
		}
		var err error
		out, total, err = tx.Goods(ctx, f)
		return err
	})
	return out, total, err
}

// GetGood is GET /goods/{location_id}/{good_id}.
func (s *Service) GetGood(ctx context.Context, c Caller, locationID, id int64) (Good, error) {
	var out Good
	err := s.store.Read(ctx, func(tx Tx) error {
		if _, _, err := s.access(ctx, tx, c, locationID, auth.PermStorages); err != nil {
			return err
		}
		var err error
		out, err = tx.Good(ctx, locationID, id)
		return err
	})
	return out, err
}

// SaveGood creates (id 0) or edits a good.
func (s *Service) SaveGood(ctx context.Context, c Caller, locationID, id int64, in GoodInput) (Good, error) {
	var out Good
	err := s.store.Write(ctx, func(tx Tx) error {
		if _, _, err := s.access(ctx, tx, c, locationID, auth.PermStorages); err != nil {
			return err
		}
		g := Good{LocationID: locationID}
		if id != 0 {
			var err error
			if g, err = tx.Good(ctx, locationID, id); err != nil {
				return err
			}
		}
		if err := in.apply(&g); err != nil {
			return err
		}
		now := s.now()
		if id == 0 {
			var err error
			if id, err = tx.CreateGood(ctx, g, now); err != nil {
				return err
			}
		} else if err := tx.UpdateGood(ctx, g, now); err != nil {
			return err
		}
		var err error
		out, err = tx.Good(ctx, locationID, id)
		return err
	})
	return out, err
}

func (in GoodInput) apply(g *Good) error {
	for _, f := range []struct {
		in  *string
		out *string
	}{{in.Title, &g.Title}, {in.PrintTitle, &g.PrintTitle}, {in.Article, &g.Article}, {in.Barcode, &g.Barcode},
		{in.Category, &g.Category}, {in.UnitTitle, &g.UnitTitle}, {in.Comment, &g.Comment}} {
		if f.in != nil {
			*f.out = strings.TrimSpace(*f.in)
		}
	}
	e := &ValidationError{}
	for _, f := range []struct {
		name string
		in   *int64
		out  *int64
		max  int64
	}{{"category_id", in.CategoryID, &g.CategoryID, 1 << 53}, {"cost", in.Cost, &g.Cost, maxPaymentMinorAmount},
		{"actual_cost", in.ActualCost, &g.ActualCost, maxPaymentMinorAmount},
		{"critical_amount", in.CriticalAmount, &g.CriticalAmount, maxGoodsAmount},
		{"desired_amount", in.DesiredAmount, &g.DesiredAmount, maxGoodsAmount},
		{"amount", in.Amount, &g.Amount, maxGoodsAmount}} {
		if f.in == nil {
			continue
		}
		if *f.in < 0 || *f.in > f.max {
			e.Add(f.name, "%s must be a number from 0 up", f.name)
		}
		*f.out = *f.in
	}
	if g.Title == "" {
		e.Add("title", "title is required")
	}
	return e.Err()
}

// DeleteGood removes a good from the catalog; the visit lines that sold it
// keep their title and prices.
func (s *Service) DeleteGood(ctx context.Context, c Caller, locationID, id int64) error {
	return s.store.Write(ctx, func(tx Tx) error {
		if _, _, err := s.access(ctx, tx, c, locationID, auth.PermStorages); err != nil {
			return err
		}
		return tx.DeleteGood(ctx, locationID, id, s.now())
	})
}

func (l GoodsLineInput) validate(e *ValidationError) {
	const f = "goods_transactions"
	if l.GoodID <= 0 {
		e.Add(f, "each line needs the good_id of a good of the location")
	}
	if l.Amount == 0 || l.Amount > maxGoodsAmount || l.Amount < -maxGoodsAmount {
		e.Add(f, "amount must be a non-zero number of units")
	}
	if (l.CostPerUnit != nil && (*l.CostPerUnit < 0 || *l.CostPerUnit > maxPaymentMinorAmount)) ||
		(l.Cost != nil && (*l.Cost < 0 || *l.Cost > maxPaymentMinorAmount)) {
		e.Add(f, "prices must be 0 to 1000000000")
	}
	if l.Discount != nil && (*l.Discount < 0 || *l.Discount > 100) {
		e.Add(f, "discount is a percentage from 0 to 100")
	}
	if l.OperationUnitType < 0 || l.OperationUnitType > 2 {
		e.Add(f, "operation_unit_type must be 1 (sale unit) or 2 (write-off unit)")
	}
	if l.MasterID < 0 || l.StorageID < 0 {
		e.Add(f, "master_id and storage_id are ids")
	}
}

// setVisitGoods replaces the goods lines of the visit with lines: the old
// lines' units go back to stock, the new ones are taken from it. The goods
// rows are locked in ascending id order after the visit (lock order in
// docs/ARCHITECTURE.md), so two sales of the last unit cannot both pass the
// stock check. d's records get the new lines, so the fast payment that
// follows sees the new total.
func (s *Service) setVisitGoods(ctx context.Context, tx Tx, d VisitDetails, rec AppointmentView, lines *[]GoodsLineInput, now time.Time) error {
	if lines == nil {
		return nil
	}
	ids := map[int64]bool{}
	for _, r := range d.Records {
		for _, l := range r.Goods {
			ids[l.GoodID] = true
		}
	}
	for _, l := range *lines {
		ids[l.GoodID] = true
	}
	if err := lockGoods(ctx, tx, ids); err != nil {
		return err
	}
	for i := range d.Records {
		if err := unsell(ctx, tx, d.Records[i].Goods); err != nil {
			return err
		}
		d.Records[i].Goods = nil
	}
	for _, in := range *lines {
		l, err := s.goodsLine(ctx, tx, d.Location, rec, in)
		if err != nil {
			return err
		}
		if err := tx.AddGoodStock(ctx, l.GoodID, -l.Amount); err != nil {
			return err
		}
		if err := tx.CreateGoodsLine(ctx, d.Location.ID, l, now); err != nil {
			return err
		}
		for i := range d.Records {
			if d.Records[i].ID == rec.ID {
				d.Records[i].Goods = append(d.Records[i].Goods, l)
			}
		}
	}
	return nil
}

// lockGoods locks the goods rows in ascending id order (the lock order in
// docs/ARCHITECTURE.md: after the visit).
func lockGoods(ctx context.Context, tx Tx, ids map[int64]bool) error {
	sorted := make([]int64, 0, len(ids))
	for id := range ids {
		sorted = append(sorted, id)
	}
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	for _, id := range sorted {
		if err := tx.Lock(ctx, LockGood, id); errors.Is(err, ErrNotFound) {
			return Invalid("goods_transactions", "good %d is not a good of this location", id)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// unsell undoes sales, their goods locked already: the units go back to
// stock and the lines are deleted.
func unsell(ctx context.Context, tx Tx, lines []GoodsLine) error {
	for _, l := range lines {
		if err := tx.AddGoodStock(ctx, l.GoodID, l.Amount); err != nil {
			return err
		}
		if err := tx.DeleteGoodsLine(ctx, l.ID); err != nil {
			return err
		}
	}
	return nil
}

// returnGoods undoes the sales made through a deleted appointment.
func returnGoods(ctx context.Context, tx Tx, a Appointment) error {
	ids := map[int64]bool{}
	for _, l := range a.Goods {
		ids[l.GoodID] = true
	}
	if err := lockGoods(ctx, tx, ids); err != nil {
		return err
	}
	return unsell(ctx, tx, a.Goods)
}

// goodsLine checks one new line against the catalog and the stock (read
// under the good's lock) and prices it.
func (s *Service) goodsLine(ctx context.Context, tx Tx, loc Location, rec AppointmentView, in GoodsLineInput) (GoodsLine, error) {
	const f = "goods_transactions"
	g, err := tx.Good(ctx, loc.ID, in.GoodID)
	if errors.Is(err, ErrNotFound) {
		return GoodsLine{}, Invalid(f, "good %d is not a good of this location", in.GoodID)
	} else if err != nil {
		return GoodsLine{}, err
	}
	amount := max(in.Amount, -in.Amount) // a sale may be written as a stock movement (-1)
	if g.Amount < amount {
		return GoodsLine{}, Invalid(f, "not enough %q in stock: %d left, %d asked", g.Title, g.Amount, amount)
	}
	if in.StorageID != 0 && in.StorageID != loc.ID {
		return GoodsLine{}, Invalid(f, "storage %d is not the storage of this location (%d)", in.StorageID, loc.ID)
	}
	l := GoodsLine{VisitID: rec.VisitID, AppointmentID: rec.ID, GoodID: g.ID, Title: g.Title, Article: g.Article,
		Barcode: g.Barcode, Amount: amount, CostPerUnit: g.Cost, OperationUnitType: max(in.OperationUnitType, 1),
		MasterID: rec.TeamMemberID, StorageID: loc.ID}
	if in.MasterID != 0 {
		if _, err := tx.TeamMember(ctx, loc.ID, in.MasterID); err != nil {
			return l, Invalid(f, "master %d is not a team member of this location", in.MasterID)
		}
		l.MasterID = in.MasterID
	}
	if in.CostPerUnit != nil {
		l.CostPerUnit = *in.CostPerUnit
	}
	if in.Discount != nil {
		l.Discount = *in.Discount
	}
	l.Price = l.CostPerUnit * l.Amount
	l.Cost = l.Price * (100 - l.Discount) / 100
	if in.Cost != nil {
		l.Cost = *in.Cost
	}
	if l.Price > maxPaymentMinorAmount {
		return l, Invalid(f, "good %d: cost_per_unit × amount must be at most 1000000000", g.ID)
	}
	return l, nil
}
