package booking

import (
	"strings"

	"appointd/internal/auth"
)

// Without client_phones_access a caller sees clients' phones and e-mails
// masked (docs/RIGHTS.md). Use cases mask the views they return, after any
// webhook payload was rendered from the full ones.

// MaskPhone keeps the first two and the last two characters and stars the
// rest, keeping the length: "+79161234567" → "+7********67".
func MaskPhone(p string) string {
	r := []rune(p)
	if len(r) <= 4 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:2]) + strings.Repeat("*", len(r)-4) + string(r[len(r)-2:])
}

// MaskEmail keeps the first character and the domain: "anna@mail.ru" →
// "a***@mail.ru".
func MaskEmail(e string) string {
	if e == "" {
		return ""
	}
	r := []rune(e)
	at := strings.LastIndex(e, "@")
	if at < 0 {
		return string(r[:1]) + "***"
	}
	return string(r[:1]) + "***" + e[at:]
}

// seesContacts reports whether a member may see clients' contacts.
func seesContacts(p auth.Permissions) bool {
	return p.Allows(auth.PermClientPhones)
}

// masked is a copy of c with its contacts masked.
func (c Client) masked() Client {
	c.Phone, c.Email = MaskPhone(c.Phone), MaskEmail(c.Email)
	return c
}

// maskClient masks a client in place unless p allows contacts.
func maskClient(p auth.Permissions, c *Client) {
	if !seesContacts(p) {
		*c = c.masked()
	}
}

// maskClients masks the clients in place unless p allows contacts.
func maskClients(p auth.Permissions, list []Client) {
	for i := range list {
		maskClient(p, &list[i])
	}
}

// maskViews gives each view a masked copy of its client unless p allows
// contacts; a copy, because a view's client may be shared.
func maskViews(p auth.Permissions, list []AppointmentView) {
	for i := range list {
		maskView(p, &list[i])
	}
}

func maskView(p auth.Permissions, v *AppointmentView) {
	if v.Client != nil && !seesContacts(p) {
		m := v.Client.masked()
		v.Client = &m
	}
}

// maskVisit masks the client of a visit and of its appointments.
func maskVisit(p auth.Permissions, d *VisitDetails) {
	if seesContacts(p) {
		return
	}
	if d.Client != nil {
		m := d.Client.masked()
		d.Client = &m
	}
	maskViews(p, d.Records)
}

// unmasked drops a phone or e-mail of a client edit that is the masked form
// of the stored value: a caller who sees masked contacts and sends a client
// back as it got it changes neither.
func (in ClientInput) unmasked(p auth.Permissions, old Client) ClientInput {
	if seesContacts(p) {
		return in
	}
	if in.Phone != nil && old.Phone != "" && *in.Phone == MaskPhone(old.Phone) {
		in.Phone = nil
	}
	if in.Email != nil && old.Email != "" && *in.Email == MaskEmail(old.Email) {
		in.Email = nil
	}
	return in
}
