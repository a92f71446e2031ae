package store

import (
	"context"
	"strings"
	"time"

	"appointd/internal/booking"
)

const goodColumns = `id, location_id, title, print_title, article, barcode, category_id, category, cost, actual_cost,
	unit_title, critical_amount, desired_amount, amount, comment, updated_at`

func scanGood(r scanner) (booking.Good, error) {
	var g booking.Good
	var updated int64
	err := r.Scan(&g.ID, &g.LocationID, &g.Title, &g.PrintTitle, &g.Article, &g.Barcode, &g.CategoryID, &g.Category,
		&g.Cost, &g.ActualCost, &g.UnitTitle, &g.CriticalAmount, &g.DesiredAmount, &g.Amount, &g.Comment, &updated)
	g.UpdatedAt = fromUnix(updated)
	return g, one(err)
}

func (t *tx) Goods(ctx context.Context, f booking.GoodsFilter) ([]booking.Good, int, error) {
	cond := " FROM goods WHERE location_id = ? AND deleted_at IS NULL"
	args := []any{f.LocationID}
	if f.CategoryID != 0 {
		cond += " AND category_id = ?"
		args = append(args, f.CategoryID)
	}
	if term := strings.TrimSpace(f.Term); term != "" {
		cond += ` AND (LOWER(title) LIKE ? ESCAPE '\' OR LOWER(article) LIKE ? ESCAPE '\' OR barcode LIKE ? ESCAPE '\')`
		p := likeArg(strings.ToLower(term))
		args = append(args, p, p, likeArg(term))
	}
	var total int
	if err := t.queryRow(ctx, "SELECT COUNT(*)"+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := t.query(ctx, "SELECT "+goodColumns+cond+" ORDER BY id LIMIT ? OFFSET ?", append(args, f.Limit, f.Offset)...)
	list, err := scanAll(rows, err, scanGood)
	return list, total, err
}

func (t *tx) Good(ctx context.Context, locationID, id int64) (booking.Good, error) {
	return scanGood(t.queryRow(ctx, "SELECT "+goodColumns+" FROM goods WHERE location_id = ? AND id = ? AND deleted_at IS NULL",
		locationID, id))
}

func (t *tx) CreateGood(ctx context.Context, g booking.Good, at time.Time) (int64, error) {
	return t.insert(ctx, `INSERT INTO goods (location_id, title, print_title, article, barcode, category_id, category, cost,
		actual_cost, unit_title, critical_amount, desired_amount, amount, comment, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		g.LocationID, g.Title, g.PrintTitle, g.Article, g.Barcode, g.CategoryID, g.Category, g.Cost, g.ActualCost,
		g.UnitTitle, g.CriticalAmount, g.DesiredAmount, g.Amount, g.Comment, unix(at), unix(at))
}

func (t *tx) UpdateGood(ctx context.Context, g booking.Good, at time.Time) error {
	return mustAffect(t.exec(ctx, `UPDATE goods SET title = ?, print_title = ?, article = ?, barcode = ?, category_id = ?,
		category = ?, cost = ?, actual_cost = ?, unit_title = ?, critical_amount = ?, desired_amount = ?, amount = ?,
		comment = ?, updated_at = ? WHERE location_id = ? AND id = ? AND deleted_at IS NULL`,
		g.Title, g.PrintTitle, g.Article, g.Barcode, g.CategoryID, g.Category, g.Cost, g.ActualCost, g.UnitTitle,
		g.CriticalAmount, g.DesiredAmount, g.Amount, g.Comment, unix(at), g.LocationID, g.ID))
}

func (t *tx) DeleteGood(ctx context.Context, locationID, id int64, at time.Time) error {
	return mustAffect(t.exec(ctx, "UPDATE goods SET deleted_at = ? WHERE location_id = ? AND id = ? AND deleted_at IS NULL",
		unix(at), locationID, id))
}

func (t *tx) AddGoodStock(ctx context.Context, id, delta int64) error {
	return mustAffect(t.exec(ctx, "UPDATE goods SET amount = amount + ? WHERE id = ?", delta, id))
}

func (t *tx) CreateGoodsLine(ctx context.Context, locationID int64, l booking.GoodsLine, at time.Time) error {
	_, err := t.insert(ctx, `INSERT INTO visit_goods (location_id, visit_id, appointment_id, good_id, title, article, barcode,
		amount, cost_per_unit, price, discount, cost, operation_unit_type, master_id, storage_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		locationID, l.VisitID, l.AppointmentID, l.GoodID, l.Title, l.Article, l.Barcode, l.Amount, l.CostPerUnit, l.Price,
		l.Discount, l.Cost, l.OperationUnitType, l.MasterID, l.StorageID, unix(at))
	return err
}

func (t *tx) DeleteGoodsLine(ctx context.Context, id int64) error {
	return mustAffect(t.exec(ctx, "DELETE FROM visit_goods WHERE id = ?", id))
}

// attachGoodsLines fills the goods lines of appointments.
func (t *tx) attachGoodsLines(ctx context.Context, list []booking.Appointment, byID map[int64]int, where string, args []any) error {
	rows, err := t.query(ctx, `SELECT id, visit_id, appointment_id, good_id, title, article, barcode, amount, cost_per_unit,
		price, discount, cost, operation_unit_type, master_id, storage_id FROM visit_goods
		WHERE `+where+` ORDER BY appointment_id, id`, args...)
	lines, err := scanAll(rows, err, func(r scanner) (booking.GoodsLine, error) {
		var l booking.GoodsLine
		err := r.Scan(&l.ID, &l.VisitID, &l.AppointmentID, &l.GoodID, &l.Title, &l.Article, &l.Barcode, &l.Amount,
			&l.CostPerUnit, &l.Price, &l.Discount, &l.Cost, &l.OperationUnitType, &l.MasterID, &l.StorageID)
		return l, err
	})
	for _, l := range lines {
		list[byID[l.AppointmentID]].Goods = append(list[byID[l.AppointmentID]].Goods, l)
	}
	return err
}
