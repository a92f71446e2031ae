package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// journalLine is one line of --journal. Before an edit or delete is sent a
// line with Status 0 says what it asks for: if the server dies with it in
// flight, it may or may not take effect. After every answer a line gives
// its status; a 2xx create or edit carries what the answer said the
// appointment now is. A create has no line before: its id is not known.
type journalLine struct {
	Op       string  `json:"op"` // create, edit or delete
	ID       int64   `json:"id,omitempty"`
	Status   int     `json:"status,omitempty"`
	StaffID  int64   `json:"staff_id,omitempty"`
	Start    int64   `json:"start,omitempty"`  // Unix seconds
	Length   int64   `json:"length,omitempty"` // seance_length, seconds
	Services []int64 `json:"services,omitempty"`
	Comment  string  `json:"comment,omitempty"`
}

type journal struct {
	mu sync.Mutex
	f  *os.File
}

// write appends one line with a single unbuffered write, so what was
// written survives the load tool being killed.
func (j *journal) write(l journalLine) {
	if j == nil {
		return
	}
	b, _ := json.Marshal(l)
	j.mu.Lock()
	defer j.mu.Unlock()
	_, _ = j.f.Write(append(b, '\n'))
}

// answered fills l from an appointment answer.
func (l *journalLine) answered(d map[string]any) {
	l.ID, l.StaffID, l.Length = num(d["id"]), num(d["staff_id"]), num(d["seance_length"])
	l.Comment, _ = d["comment"].(string)
	if at, err := time.Parse(time.RFC3339, fmt.Sprint(d["datetime"])); err == nil {
		l.Start = at.Unix()
	}
	list, _ := d["services"].([]any)
	for _, s := range list {
		m, _ := s.(map[string]any)
		l.Services = append(l.Services, num(m["id"]))
	}
}

// linkServices links the location's second service (if any) to the members
// for 10 minutes, next to the first one setupMember linked.
func linkServices(c *client, loc, first int64, members []int64) ([]int64, error) {
	_, env, err := c.do("GET", fmt.Sprintf("/services/%d", loc), nil)
	list, _ := env["data"].([]any)
	if err != nil || len(list) < 2 {
		return []int64{first}, err
	}
	second := num(list[1].(map[string]any)["id"])
	for _, m := range members {
		if code, _, err := c.do("POST", fmt.Sprintf("/company/%d/services/%d/staff", loc, second),
			map[string]any{"master_id": m, "seance_length": 600, "technological_card_id": nil}); err != nil || code != 201 {
			return nil, fmt.Errorf("link: %d %v", code, err)
		}
	}
	return []int64{first, second}, nil
}

// mixedOp creates, edits (new member, time, services, client and
// comment) and deletes appointments of the given members, request i going
// to cs[i mod len(cs)]: half creates, three in ten edits, two in ten
// deletes. Creates and edits take fresh 10-minute slots round the members
// and on through the days, so most succeed; one in seven starts 5 minutes
// into the member's previous slot and collides with it if that one is
// booked (422, counted as an error). An appointment is worked on by one
// client at a time, so the journal's order per appointment is the order of
// its commits; one whose request got no answer stays out of the pool, as
// its state is unknown.
func mixedOp(cs []*client, loc int64, members, services []int64, j *journal) func(i int) (int, error) {
	start := time.Now().AddDate(0, 0, 1).UTC().Truncate(24 * time.Hour)
	n := int64(len(members))
	var slots atomic.Int64
	slot := func(i int) (int64, time.Time) {
		k := slots.Add(1) - 1
		at := start.Add(time.Duration(k/n) * 10 * time.Minute)
		if i%7 == 3 && k >= n {
			at = at.Add(-5 * time.Minute)
		}
		return members[k%n], at
	}
	var mu sync.Mutex
	var idle []int64 // appointments no client is working on
	take := func() (int64, bool) {
		mu.Lock()
		defer mu.Unlock()
		if len(idle) == 0 {
			return 0, false
		}
		id := idle[len(idle)-1]
		idle = idle[:len(idle)-1]
		return id, true
	}
	give := func(id int64) { mu.Lock(); idle = append(idle, id); mu.Unlock() }
	// A hundred clients per run (the first member's id keeps runs apart), so
	// visits hold several appointments and edits move between visits.
	phone := func(i int) string { return fmt.Sprintf("+7901%03d%04d", members[0]%1000, i%100) }
	request := func(i int, l *journalLine) map[string]any {
		var at time.Time
		l.StaffID, at = slot(i)
		l.Start, l.Length, l.Services = at.Unix(), 600, services[:1+i/10%len(services)]
		l.Comment = fmt.Sprintf("%s %d", l.Op, i)
		var svc []map[string]any
		for _, s := range l.Services {
			svc = append(svc, map[string]any{"id": s})
		}
		return map[string]any{"staff_id": l.StaffID, "services": svc, "seance_length": l.Length, "technical_break_duration": 0,
			"datetime": at.Format(time.RFC3339), "comment": l.Comment, "client": map[string]any{"phone": phone(i)}}
	}
	return func(i int) (int, error) {
		c := cs[i%len(cs)]
		id, ok := int64(0), false
		if i%10 >= 5 {
			id, ok = take()
		}
		l := journalLine{ID: id}
		var code int
		var env map[string]any
		var err error
		switch {
		case !ok:
			l.Op = "create"
			code, env, err = c.do("POST", fmt.Sprintf("/records/%d", loc), request(i, &l))
		case i%10 < 8:
			l.Op = "edit"
			b := request(i, &l)
			j.write(l)
			code, env, err = c.do("PUT", fmt.Sprintf("/record/%d/%d", loc, id), b)
		default:
			l.Op = "delete"
			j.write(l)
			code, _, err = c.do("DELETE", fmt.Sprintf("/record/%d/%d", loc, id), nil)
		}
		if err != nil {
			return 0, err // no answer
		}
		done := journalLine{Op: l.Op, ID: id, Status: code}
		if code/100 == 2 && l.Op != "delete" {
			done.answered(data(env))
		}
		j.write(done)
		if done.ID != 0 && !(l.Op == "delete" && code/100 == 2) {
			give(done.ID)
		}
		if code/100 == 2 {
			return 200, nil
		}
		return code, nil
	}
}
