package api

import (
	"context"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// The fields that were `nullable` beside a oneOf/allOf (a form OpenAPI 3.0
// linters reject) keep their meaning after the rewrite: null, an integer
// and a string are accepted, anything else is not.
func TestNullableIntegerOrStringFields(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	schemas := doc.Components.Schemas
	prop := func(schema string, path ...string) *openapi3.Schema {
		s := schemas[schema].Value
		for _, p := range path {
			if p == "[]" {
				s = s.Items.Value
				continue
			}
			s = s.Properties[p].Value
		}
		return s
	}
	perm := doc.Paths.Find("/company/{location_id}/users/{user_id}/permissions").Put.RequestBody.Value.
		Content.Get("application/json").Schema.Value.Properties["staff_id"].Value
	fields := map[string]*openapi3.Schema{
		"permissions.staff_id":                       perm,
		"QuickStaffInput.position_id":                prop("QuickStaffInput", "position_id"),
		"ServiceInput.technical_break_duration":      prop("ServiceInput", "technical_break_duration"),
		"ServiceInput.staff[].technological_card_id": prop("ServiceInput", "staff", "[]", "technological_card_id"),
		"LinkInput.technological_card_id":            prop("LinkInput", "technological_card_id"),
		"RecordInput.technical_break_duration":       prop("RecordInput", "technical_break_duration"),
	}
	for name, s := range fields {
		for _, ok := range []any{nil, float64(7), "7"} {
			if err := s.VisitJSON(ok); err != nil {
				t.Errorf("%s rejects %#v: %v", name, ok, err)
			}
		}
		for _, bad := range []any{true, map[string]any{}, []any{}} {
			if err := s.VisitJSON(bad); err == nil {
				t.Errorf("%s accepts %#v", name, bad)
			}
		}
	}
	// Optional objects: null or the object, nothing else.
	for name, s := range map[string]*openapi3.Schema{
		"WebhookDelivery.payload":     prop("WebhookDelivery", "payload"),
		"ScheduleEvent.entity_master": prop("ScheduleEvent", "entity_master"),
	} {
		if err := s.VisitJSON(nil); err != nil {
			t.Errorf("%s rejects null: %v", name, err)
		}
		if err := s.VisitJSON("x"); err == nil {
			t.Errorf("%s accepts a string", name)
		}
	}
}
