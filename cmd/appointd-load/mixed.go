package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// journalLine is one line of --journal. A line with Ack false is written
// before its request is sent (the request may or may not take effect if
// the server dies); Ack true is written after a 2xx answer (the server
// promised it). Create has no pending line: its id is not known before.
type journalLine struct {
	Op      string `json:"op"` // create, edit or delete
	ID      int64  `json:"id"`
	StaffID int64  `json:"staff_id"`
	Start   int64  `json:"start"` // Unix seconds
	Comment string `json:"comment"`
	Ack     bool   `json:"ack"`
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

// mixedOp creates, edits (moves to a new time, new comment) and deletes
// appointments of the given members: half creates, three in ten edits, two
// in ten deletes. Every create and edit takes a fresh 10-minute slot, so
// nothing collides. An appointment is worked on by one client at a time,
// so the journal's order per appointment is the order of its commits.
func mixedOp(c *client, loc int64, members []int64, service int64, j *journal) func(i int) (int, error) {
	start := time.Now().AddDate(0, 0, 1).UTC().Truncate(24 * time.Hour)
	var slots atomic.Int64
	slot := func() (int64, time.Time) {
		k := slots.Add(1) - 1
		return members[k%int64(len(members))], start.Add(time.Duration(k/int64(len(members))) * 10 * time.Minute)
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
	body := func(staff int64, at time.Time, comment string) map[string]any {
		return map[string]any{"staff_id": staff, "services": []map[string]any{{"id": service}}, "seance_length": 600,
			"technical_break_duration": 0, "datetime": at.Format(time.RFC3339), "comment": comment}
	}
	return func(i int) (int, error) {
		kind := i % 10
		id, ok := int64(0), false
		if kind >= 5 {
			id, ok = take()
		}
		switch {
		case !ok: // create
			staff, at := slot()
			b := body(staff, at, "")
			b["client"] = map[string]any{"phone": fmt.Sprintf("+7901%07d", i%5000)}
			code, env, err := c.do("POST", fmt.Sprintf("/records/%d", loc), b)
			if err != nil || code != 201 {
				return code, err
			}
			id = num(data(env)["id"])
			j.write(journalLine{Op: "create", ID: id, StaffID: staff, Start: at.Unix(), Ack: true})
			give(id)
			return 200, nil
		case kind < 8: // edit
			staff, at := slot()
			l := journalLine{Op: "edit", ID: id, StaffID: staff, Start: at.Unix(), Comment: fmt.Sprintf("edit %d", i)}
			j.write(l)
			code, _, err := c.do("PUT", fmt.Sprintf("/record/%d/%d", loc, id), body(staff, at, l.Comment))
			if err != nil || code != 201 {
				return code, err // its state is unknown now: it stays out of the pool
			}
			l.Ack = true
			j.write(l)
			give(id)
			return 200, nil
		default: // delete
			l := journalLine{Op: "delete", ID: id}
			j.write(l)
			code, _, err := c.do("DELETE", fmt.Sprintf("/record/%d/%d", loc, id), nil)
			if err != nil || code != 204 {
				return code, err
			}
			l.Ack = true
			j.write(l)
			return 200, nil
		}
	}
}
