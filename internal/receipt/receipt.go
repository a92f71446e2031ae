// Package receipt renders a visit's receipt as a one-page PDF (D13). The
// output depends only on the visit: the PDF's dates are the visit's
// creation time, so the same visit always gives the same bytes.
package receipt

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"appointd/internal/apitime"
	"appointd/internal/booking"
)

// The Go fonts cover Latin and Cyrillic but not every currency sign, so
// amounts carry the location's currency code.
const family = "Go"

// columns of the service table: title, width (mm), alignment.
var columns = []struct {
	title string
	width float64
	align string
}{
	{"Service", 58, "L"}, {"Team member", 40, "L"}, {"Qty", 12, "R"},
	{"Price", 24, "R"}, {"Discount", 18, "R"}, {"Total", 28, "R"},
}

// Render draws the receipt of d.
func Render(d booking.VisitDetails) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(d.Visit.CreatedAt)
	pdf.SetModificationDate(d.Visit.CreatedAt)
	pdf.SetProducer("appointd", false)
	pdf.SetTitle(fmt.Sprintf("Receipt for visit %d", d.Visit.ID), true)
	pdf.AddUTF8FontFromBytes(family, "", goregular.TTF)
	pdf.AddUTF8FontFromBytes(family, "B", gobold.TTF)
	pdf.SetMargins(15, 15, 15)
	pdf.SetAutoPageBreak(false, 15)
	pdf.AddPage()

	loc := d.Location
	zone := loc.Zone()
	cur := loc.Currency
	if cur == "" {
		cur = "USD"
	}
	amount := func(minor int64) string { return formatMoney(minor) + " " + cur }

	pdf.SetFont(family, "B", 16)
	pdf.CellFormat(0, 8, loc.Title, "", 1, "L", false, 0, "")
	pdf.SetFont(family, "", 10)
	for _, line := range []string{loc.Address, loc.Phone} {
		if strings.TrimSpace(line) != "" {
			pdf.CellFormat(0, 5, line, "", 1, "L", false, 0, "")
		}
	}
	pdf.Ln(4)

	pdf.SetFont(family, "B", 12)
	pdf.CellFormat(0, 7, fmt.Sprintf("Receipt for visit No. %d", d.Visit.ID), "", 1, "L", false, 0, "")
	pdf.SetFont(family, "", 10)
	start := d.Start().In(zone)
	pdf.CellFormat(0, 5, "Date: "+start.Format("2006-01-02 15:04")+" ("+loc.TimezoneName+")", "", 1, "L", false, 0, "")
	client := "-"
	if c := d.Client; c != nil {
		client = strings.TrimSpace(c.Name + " " + c.Surname)
		if c.Phone != "" {
			client += ", " + c.Phone
		}
	}
	pdf.CellFormat(0, 5, "Client: "+client, "", 1, "L", false, 0, "")
	pdf.Ln(4)

	pdf.SetFont(family, "B", 9)
	pdf.SetFillColor(235, 235, 235)
	for _, col := range columns {
		pdf.CellFormat(col.width, 7, col.title, "B", 0, col.align, true, 0, "")
	}
	pdf.Ln(-1)
	pdf.SetFont(family, "", 9)
	for _, r := range d.Records {
		when := r.Start.In(zone).Format("15:04")
		row := func(cells ...string) {
			for i, col := range columns {
				pdf.CellFormat(col.width, 6, fit(pdf, cells[i], col.width-2), "", 0, col.align, false, 0, "")
			}
			pdf.Ln(-1)
		}
		for _, l := range r.Services {
			row(when+" "+l.Title, r.Member.Name, fmt.Sprint(l.Amount),
				formatMoney(l.FirstCost), fmt.Sprintf("%d%%", l.Discount), formatMoney(l.Cost))
		}
		for _, l := range r.Goods { // a good's price column is the unit price
			row(l.Title, r.Member.Name, fmt.Sprint(l.Amount),
				formatMoney(l.CostPerUnit), fmt.Sprintf("%d%%", l.Discount), formatMoney(l.Cost))
		}
	}
	pdf.Line(15, pdf.GetY()+1, 195, pdf.GetY()+1)
	pdf.Ln(4)

	total, paid := d.Total(), d.Paid()
	summary := func(label, value string, bold bool) {
		style := ""
		if bold {
			style = "B"
		}
		pdf.SetFont(family, style, 10)
		pdf.CellFormat(130, 6, label, "", 0, "R", false, 0, "")
		pdf.CellFormat(50, 6, value, "", 1, "R", false, 0, "")
	}
	summary("Total:", amount(total), true)
	summary("Paid:", amount(paid), false)
	for _, m := range paidByAccount(d) {
		summary(m.title+":", amount(m.amount), false)
	}
	switch d.PaidState() {
	case booking.PaidOver:
		summary("Overpaid:", amount(paid-total), true)
	default:
		summary("Unpaid:", amount(total-paid), true)
	}
	pdf.Ln(2)
	summary("Status:", stateText[d.PaidState()], false)

	pdf.SetY(-25)
	pdf.SetFont(family, "", 8)
	pdf.SetTextColor(120, 120, 120)
	pdf.CellFormat(0, 4, fmt.Sprintf("Visit %d, %s. Printed by appointd.", d.Visit.ID,
		apitime.FormatLocal(d.Start(), zone)), "", 1, "C", false, 0, "")

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("receipt: %w", err)
	}
	return buf.Bytes(), nil
}

var stateText = map[string]string{
	booking.NotPaid:     "Not paid",
	booking.PaidNotFull: "Partly paid",
	booking.PaidFull:    "Paid in full",
	booking.PaidOver:    "Overpaid",
}

type methodSum struct {
	title  string
	amount int64
}

// paidByAccount sums the payments per account, in account order.
func paidByAccount(d booking.VisitDetails) []methodSum {
	sums := map[int64]int64{}
	for _, p := range d.Payments {
		sums[p.AccountID] += p.Amount
	}
	ids := make([]int64, 0, len(sums))
	for id := range sums {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	out := make([]methodSum, 0, len(ids))
	for _, id := range ids {
		title := d.Accounts[id].Title
		if title == "" {
			title = fmt.Sprintf("Account %d", id)
		}
		out = append(out, methodSum{title: "  " + title, amount: sums[id]})
	}
	return out
}

// formatMoney prints minor units as 1234.50.
func formatMoney(minor int64) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	return fmt.Sprintf("%s%d.%02d", sign, minor/100, minor%100)
}

// fit shortens s with an ellipsis until it is at most w wide.
func fit(pdf *fpdf.Fpdf, s string, w float64) string {
	if pdf.GetStringWidth(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && pdf.GetStringWidth(string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}
