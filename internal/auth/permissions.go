package auth

import "sort"

// Roles a user can have in a location, weakest first.
const (
	RoleWorker        = "worker"
	RoleAdministrator = "administrator"
	RoleAccountant    = "accountant"
	RoleManager       = "manager"
	RoleOwner         = "owner"
)

// Roles lists every role in order of weight.
var Roles = []string{RoleWorker, RoleAdministrator, RoleAccountant, RoleManager, RoleOwner}

func ValidRole(r string) bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Permission slugs appointd enforces or reports. Names follow Altegio.
const (
	PermTimetable         = "timetable_access"
	PermScheduleEdit      = "schedule_edit_access"
	PermTimetablePhones   = "timetable_phones_access"
	PermRecordForm        = "record_form_access"
	PermCreateRecords     = "create_records_access"
	PermEditRecords       = "edit_records_access"
	PermEditAttendance    = "edit_records_attendance_access"
	PermEditFullPaid      = "record_edit_full_paid_access"
	PermDeleteRecords     = "delete_records_access"
	PermDeleteCameRecords = "delete_customer_came_records_access"
	PermDeletePaidRecords = "delete_paid_records_access"
	PermCustomFieldsRead  = "custom_fields_record_values_read_access"
	PermCustomFieldsEdit  = "custom_fields_record_values_edit_access"
	PermLastDaysCount     = "last_days_count"
	PermFinances          = "finances_access"
	PermClients           = "clients_access"
	PermClientPhones      = "client_phones_access"
	PermClientsDelete     = "clients_delete_access"
	PermStat              = "stat_access"
	PermSendSMS           = "send_sms"
	PermLoyalty           = "loyalty_access"
	PermStorages          = "storages_access"
	PermSettings          = "settings_access"
	PermUsers             = "users_access"
	PermBilling           = "billing_access"
	PermExcel             = "excel_access"
)

// Groups is the layout of GET /user/permissions/{location_id}: group name →
// slugs in that group.
var Groups = []struct {
	Name  string
	Slugs []string
}{
	{"timetable", []string{PermTimetable, PermLastDaysCount, PermScheduleEdit, PermTimetablePhones}},
	{"record_form", []string{PermRecordForm, PermCreateRecords, PermEditRecords, PermEditAttendance,
		PermEditFullPaid, PermDeleteRecords, PermDeleteCameRecords, PermDeletePaidRecords,
		PermCustomFieldsRead, PermCustomFieldsEdit}},
	{"finances", []string{PermFinances}},
	{"clients", []string{PermClients, PermClientPhones, PermClientsDelete}},
	{"dashboard", []string{PermStat}},
	{"notification", []string{PermSendSMS}},
	{"loyalty", []string{PermLoyalty}},
	{"storages", []string{PermStorages}},
	{"settings", []string{PermSettings, PermUsers, PermBilling}},
	{"other", []string{PermExcel}},
}

// numeric slugs hold a number of days (-1 = unlimited); every other slug is a
// boolean.
var numeric = map[string]bool{PermLastDaysCount: true}

// IsNumeric reports whether slug holds a number rather than a boolean.
func IsNumeric(slug string) bool { return numeric[slug] }

// KnownSlug reports whether slug is in the catalogue.
func KnownSlug(slug string) bool {
	_, ok := allSlugs[slug]
	return ok
}

var allSlugs = func() map[string]bool {
	m := map[string]bool{}
	for _, g := range Groups {
		for _, s := range g.Slugs {
			m[s] = true
		}
	}
	return m
}()

// Slugs returns every slug, sorted.
func Slugs() []string {
	s := make([]string, 0, len(allSlugs))
	for k := range allSlugs {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

// Permissions are effective values: bool for flags, int for numeric slugs.
type Permissions map[string]any

// Allows reports whether a boolean permission is granted.
func (p Permissions) Allows(slug string) bool {
	b, _ := p[slug].(bool)
	return b
}

// Days is a numeric permission's number of days (-1 = unlimited); 0 when
// it is unset.
func (p Permissions) Days(slug string) int64 {
	switch n := p[slug].(type) {
	case int:
		return int64(n)
	case int64:
		return n
	case float64:
		return int64(n)
	}
	return 0
}

// Defaults returns the permissions a role starts with.
func Defaults(role string) Permissions {
	on := map[string]bool{}
	grant := func(slugs ...string) {
		for _, s := range slugs {
			on[s] = true
		}
	}
	days := 0
	switch role {
	case RoleWorker:
		grant(PermTimetable, PermRecordForm, PermCreateRecords, PermEditRecords, PermEditAttendance,
			PermClients, PermCustomFieldsRead)
		days = 0
	case RoleAdministrator:
		grant(PermTimetable, PermScheduleEdit, PermTimetablePhones, PermRecordForm, PermCreateRecords,
			PermEditRecords, PermEditAttendance, PermDeleteRecords, PermCustomFieldsRead,
			PermCustomFieldsEdit, PermFinances, PermClients, PermClientPhones, PermSendSMS)
		days = 30
	case RoleAccountant:
		grant(PermTimetable, PermRecordForm, PermFinances, PermStat, PermExcel, PermCustomFieldsRead)
		days = -1
	case RoleManager:
		for s := range allSlugs {
			on[s] = true
		}
		delete(on, PermBilling)
		days = -1
	case RoleOwner:
		for s := range allSlugs {
			on[s] = true
		}
		days = -1
	}
	p := Permissions{}
	for s := range allSlugs {
		if numeric[s] {
			continue
		}
		p[s] = on[s]
	}
	p[PermLastDaysCount] = days
	return p
}

// Effective overlays a user's stored overrides on the defaults of the role.
func Effective(role string, overrides map[string]any) Permissions {
	p := Defaults(role)
	for k, v := range overrides {
		if KnownSlug(k) {
			p[k] = v
		}
	}
	return p
}
