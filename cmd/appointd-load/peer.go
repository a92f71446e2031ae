package main

import (
	"fmt"
	"time"
)

// drivePeer runs a scenario against a stateless mock of the API (Prism
// serving api/openapi.yaml): the same requests as against appointd, with
// ids 1 instead of set-up ids, and any 2xx counted as success because a
// mock answers its example whatever it is sent.
func drivePeer(c *client, scenario string, loc int64, day, login, password string, clients, requests int, maxTime time.Duration) error {
	c.auth += ", User 0123456789abcdef0123456789abcdef"
	c.accept = "application/json" // the contract declares only this type
	var method, path string
	var body any
	switch scenario {
	case "auth":
		method, path, body = "POST", "/auth", map[string]string{"login": login, "password": password}
	case "get":
		method, path = "GET", fmt.Sprintf("/record/%d/1", loc)
	case "list":
		method, path = "GET", fmt.Sprintf("/records/%d?start_date=%s&end_date=%s&count=50", loc, day, day)
	case "slots":
		method, path = "GET", fmt.Sprintf("/timetable/seances/%d/1/%s?service_ids[]=1", loc, day)
	case "create":
		method, path = "POST", fmt.Sprintf("/records/%d", loc)
		body = map[string]any{"staff_id": 1, "services": []map[string]any{{"id": 1}}, "seance_length": 600,
			"client": map[string]any{"phone": "+79000000001"}, "datetime": day + "T12:00:00"}
	default:
		return fmt.Errorf("scenario %q has no peer form", scenario)
	}
	op := func(int) (int, error) {
		s, _, err := c.do(method, path, body)
		if s >= 200 && s < 300 {
			s = 200
		}
		return s, err
	}
	return drive("peer-"+scenario, op, 200, clients, requests, maxTime)
}
