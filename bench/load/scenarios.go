// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package main

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Scenarios lists every scenario in the order they run. The ones that
// write (sync-delta, mixed) come last, and they change no time, so the
// counts of the others do not depend on the order.
var Scenarios = []string{"put", "query-month", "query-month-expand", "multiget-50", "propfind-etags",
	"sync-initial", "get", "freebusy-week", "sync-delta", "mixed"}

// Result is the outcome of one scenario against one server.
type Result struct {
	Scenario   string  `json:"scenario"`
	Ops        int     `json:"ops"`
	Errors     int     `json:"errors"`
	FirstError string  `json:"first_error,omitempty"`
	Seconds    float64 `json:"seconds"`
	OpsPerSec  float64 `json:"ops_per_sec"`
	P50ms      float64 `json:"p50_ms"`
	P99ms      float64 `json:"p99_ms"`
	// Count is what the check request (sent once before the timed ones)
	// returned: objects, instances or free-busy periods (Unit); -1 when the
	// request failed. Expected is the generator's answer.
	Count    int    `json:"count"`
	Expected int    `json:"expected"`
	Unit     string `json:"unit"`
	// Detail is a second figure compared between servers, such as the
	// busy minutes of a free-busy answer.
	Detail         string   `json:"detail,omitempty"`
	ExpectedDetail string   `json:"expected_detail,omitempty"`
	OK             bool     `json:"ok"`
	Diagnosis      []string `json:"diagnosis,omitempty"`
	// The server's VmRSS and VmHWM (peak) after the scenario, with -pid.
	RSSKB int64 `json:"rss_kb,omitempty"`
	HWMKB int64 `json:"hwm_kb,omitempty"`
}

// Options are the knobs of a run.
type Options struct {
	Clients  int
	Ops      int
	Duration time.Duration
	Month    time.Time // the first day of the queried month, UTC
	Week     time.Time // the first day of the free-busy week, UTC
}

// Runner runs the scenarios against one collection.
type Runner struct {
	c    *Client
	gen  GenConfig
	objs []*Object
	opt  Options

	mu    sync.Mutex
	etags []string // by object index, as the server last acknowledged
	data  [][]byte // the current body of each object
	rev   atomic.Int64

	syncToken string // from the sync-initial check, for sync-delta
	log       func(format string, args ...any)
}

// NewRunner generates the calendar.
func NewRunner(c *Client, gen GenConfig, n int, opt Options) *Runner {
	r := &Runner{c: c, gen: gen, opt: opt, objs: make([]*Object, n), etags: make([]string, n), data: make([][]byte, n)}
	for i := range n {
		r.objs[i] = gen.Generate(i)
		r.data[i] = r.objs[i].Data
	}
	r.log = func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }
	return r
}

// loop runs op with the configured number of clients until ops operations
// are done or the time is up (each client does at least one), and measures
// each operation.
func (r *Runner) loop(name string, ops int, limit time.Duration, op func(client, seq int) error) Result {
	res := Result{Scenario: name}
	var (
		next     atomic.Int64
		mu       sync.Mutex
		lat      []time.Duration
		errCount int
		firstErr error
		wg       sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(limit)
	for c := range r.opt.Clients {
		wg.Go(func() {
			var mine []time.Duration
			for first := true; ; first = false {
				if !first && limit > 0 && time.Now().After(deadline) {
					break
				}
				seq := int(next.Add(1) - 1)
				if seq >= ops {
					break
				}
				t0 := time.Now()
				err := op(c, seq)
				d := time.Since(t0)
				mine = append(mine, d)
				if err != nil {
					mu.Lock()
					errCount++
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	res.Ops = len(lat)
	res.Errors = errCount
	if firstErr != nil {
		res.FirstError = firstErr.Error()
	}
	res.Seconds = elapsed.Seconds()
	res.OpsPerSec = float64(res.Ops) / elapsed.Seconds()
	res.P50ms = ms(Percentile(lat, 50))
	res.P99ms = ms(Percentile(lat, 99))
	return res
}

// Run runs one scenario.
func (r *Runner) Run(name string) Result {
	from, to := r.opt.Month, r.opt.Month.AddDate(0, 1, 0)
	var res Result
	switch name {
	case "put":
		res = r.loop(name, len(r.objs), 0, func(_, i int) error { return r.put(i, true) })
		res.Count, res.Expected, res.Unit = res.Ops-res.Errors, len(r.objs), "objects"
		res.OK = res.Errors == 0
		if !res.OK {
			res.Diagnosis = []string{fmt.Sprintf("%d of %d PUTs failed: %s", res.Errors, res.Ops, res.FirstError)}
		}
		return res
	case "query-month", "query-month-expand":
		expand := name == "query-month-expand"
		body := QueryBody(from, to, expand)
		res = r.check(name, func() (*Result, error) { return r.checkQuery(from, to, expand, body) })
		want := res.Count
		r.timed(&res, func(_, _ int) error {
			return r.report(body, "1", func(b []byte) error {
				got := CountResponses(b)
				if expand {
					got = bytes.Count(b, []byte("BEGIN:VEVENT"))
				}
				if want >= 0 && got != want {
					return fmt.Errorf("calendar-query: %d %s, the check request had %d", got, res.Unit, want)
				}
				return nil
			})
		})
	case "multiget-50":
		res = r.check(name, func() (*Result, error) { return r.checkMultiget(r.multigetNames(-1)) })
		r.timed(&res, func(_, seq int) error {
			names := r.multigetNames(seq)
			return r.report(MultigetBody(r.c.Base.Path, names), "1", func(b []byte) error {
				if n := CountResponses(b); n != len(names) {
					return fmt.Errorf("multiget: %d responses for %d hrefs", n, len(names))
				}
				return nil
			})
		})
	case "propfind-etags":
		res = r.check(name, func() (*Result, error) { return r.checkListing("PROPFIND", PropfindETagBody) })
		r.timed(&res, func(_, _ int) error {
			rep, err := r.c.Do("PROPFIND", "", map[string]string{"Depth": "1", "Content-Type": "application/xml"}, PropfindETagBody)
			return expectStatus("PROPFIND", rep, err, 207)
		})
	case "sync-initial":
		res = r.check(name, func() (*Result, error) { return r.checkListing("REPORT", nil) })
		r.timed(&res, func(_, _ int) error { _, err := r.syncPages(""); return err })
	case "get":
		res = r.check(name, func() (*Result, error) { return r.checkGet(0) })
		r.timed(&res, func(_, seq int) error {
			i := int(rand.New(rand.NewPCG(r.gen.Seed, uint64(2<<40+seq))).IntN(len(r.objs)))
			rep, err := r.c.Do("GET", r.objs[i].Href(), nil, nil)
			return expectStatus("GET", rep, err, 200)
		})
	case "freebusy-week":
		body := FreeBusyBody(r.opt.Week, r.opt.Week.AddDate(0, 0, 7))
		res = r.check(name, func() (*Result, error) { return r.checkFreeBusy(body) })
		r.timed(&res, func(_, _ int) error {
			rep, err := r.c.Do("REPORT", "", map[string]string{"Depth": "1", "Content-Type": "application/xml"}, body)
			if err := expectStatus("free-busy-query", rep, err, 200); err != nil {
				return err
			}
			if !bytes.Contains(rep.Body, []byte("BEGIN:VFREEBUSY")) {
				return errors.New("free-busy-query: no VFREEBUSY in the answer")
			}
			return nil
		})
	case "sync-delta":
		res = r.check(name, r.checkSyncDelta)
		token := r.syncToken
		r.timed(&res, func(_, _ int) error { _, err := r.syncPages(token); return err })
	case "mixed":
		res = Result{Scenario: name, Count: -1, Expected: -1, Unit: "-", OK: true}
		r.timed(&res, r.mixedOp)
	default:
		res = Result{Scenario: name, Count: -1, Expected: -1, Diagnosis: []string{"unknown scenario"}}
	}
	return res
}

// check sends the untimed check request of a scenario and fills the count
// and the verdict.
func (r *Runner) check(name string, f func() (*Result, error)) Result {
	res, err := f()
	if err != nil {
		return Result{Scenario: name, Count: -1, Expected: -1, Diagnosis: []string{err.Error()}}
	}
	res.Scenario = name
	return *res
}

// timed runs the timed operations of a read scenario into res.
func (r *Runner) timed(res *Result, op func(client, seq int) error) {
	t := r.loop(res.Scenario, r.opt.Ops, r.opt.Duration, op)
	res.Ops, res.Errors, res.FirstError = t.Ops, t.Errors, t.FirstError
	res.Seconds, res.OpsPerSec, res.P50ms, res.P99ms = t.Seconds, t.OpsPerSec, t.P50ms, t.P99ms
}

// report sends a Depth 1 REPORT on the collection and hands the 207 body
// to check.
func (r *Runner) report(body []byte, depth string, check func([]byte) error) error {
	rep, err := r.c.Do("REPORT", "", map[string]string{"Depth": depth, "Content-Type": "application/xml"}, body)
	if err := expectStatus("REPORT", rep, err, 207); err != nil {
		return err
	}
	return check(rep.Body)
}

// expectStatus turns a transport error or an unexpected status into an error.
func expectStatus(what string, rep *Reply, err error, want ...int) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if !slices.Contains(want, rep.Status) {
		return StatusError(what, rep)
	}
	return nil
}

// put creates (create) or updates object i and records its ETag.
func (r *Runner) put(i int, create bool) error {
	r.mu.Lock()
	body, etag := r.data[i], r.etags[i]
	r.mu.Unlock()
	h := map[string]string{"Content-Type": "text/calendar; charset=utf-8"}
	switch {
	case create:
		h["If-None-Match"] = "*"
	case etag != "":
		h["If-Match"] = etag
	}
	rep, err := r.c.Do("PUT", r.objs[i].Href(), h, body)
	if err := expectStatus("PUT", rep, err, 201, 204); err != nil {
		return err
	}
	r.mu.Lock()
	r.etags[i] = rep.Header.Get("ETag")
	r.mu.Unlock()
	return nil
}

// touch changes object i without moving it: a new DTSTAMP and SEQUENCE.
func (r *Runner) touch(i int) error {
	n := r.rev.Add(1)
	stamp := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Second).Format("20060102T150405Z")
	r.mu.Lock()
	s := strings.Replace(string(r.objs[i].Data), "DTSTAMP:"+dtstamp, "DTSTAMP:"+stamp, 1)
	s = strings.Replace(s, "SEQUENCE:0\r\n", fmt.Sprintf("SEQUENCE:%d\r\n", n), 1)
	r.data[i] = []byte(s)
	r.mu.Unlock()
	return r.put(i, false)
}

// multigetNames picks 50 distinct objects for operation seq (-1 for the
// check request).
func (r *Runner) multigetNames(seq int) []string {
	rng := rand.New(rand.NewPCG(r.gen.Seed, uint64(1<<40+seq+1)))
	n := min(50, len(r.objs))
	seen := map[int]bool{}
	var names []string
	for len(names) < n {
		i := rng.IntN(len(r.objs))
		if !seen[i] {
			seen[i] = true
			names = append(names, r.objs[i].Href())
		}
	}
	return names
}

// mixedOp is 80 % reads (half GETs, half one-day calendar-queries) and
// 20 % updates with If-Match. Client c only updates objects i ≡ c (mod
// clients), so that updates never race.
func (r *Runner) mixedOp(c, seq int) error {
	rng := rand.New(rand.NewPCG(r.gen.Seed, uint64(3<<40+seq)))
	switch u := rng.IntN(10); {
	case u < 4:
		i := rng.IntN(len(r.objs))
		rep, err := r.c.Do("GET", r.objs[i].Href(), nil, nil)
		return expectStatus("GET", rep, err, 200)
	case u < 8:
		day := r.opt.Month.AddDate(0, 0, rng.IntN(28))
		return r.report(QueryBody(day, day.AddDate(0, 0, 1), false), "1", func([]byte) error { return nil })
	default:
		i := rng.IntN(max(len(r.objs)/r.opt.Clients, 1))*r.opt.Clients + c
		if i >= len(r.objs) {
			i = c % len(r.objs)
		}
		return r.touch(i)
	}
}

// Load fetches the ETags of an already loaded calendar (when "put" is not
// among the scenarios).
func (r *Runner) Load() error {
	rep, err := r.c.Do("PROPFIND", "", map[string]string{"Depth": "1", "Content-Type": "application/xml"}, PropfindETagBody)
	if err := expectStatus("PROPFIND", rep, err, 207); err != nil {
		return err
	}
	ms, err := ParseMultistatus(rep.Body)
	if err != nil {
		return err
	}
	byName := map[string]string{}
	for _, m := range ms.Members() {
		byName[m.Name] = m.ETag
	}
	for i, o := range r.objs {
		e, ok := byName[o.Href()]
		if !ok {
			return fmt.Errorf("%s is not on the server; run the put scenario first", o.Href())
		}
		r.etags[i] = e
	}
	return nil
}

// The check requests: full parsing, compared with the generator.

// checkQuery compares a calendar-query answer with the objects (or, with
// expand, the instances) that overlap [from, to).
func (r *Runner) checkQuery(from, to time.Time, expand bool, body []byte) (*Result, error) {
	rep, err := r.c.Do("REPORT", "", map[string]string{"Depth": "1", "Content-Type": "application/xml"}, body)
	if err := expectStatus("calendar-query", rep, err, 207); err != nil {
		return nil, err
	}
	ms, err := ParseMultistatus(rep.Body)
	if err != nil {
		return nil, fmt.Errorf("calendar-query: %v", err)
	}
	res := &Result{Unit: "objects"}
	got := map[string]Member{}
	for _, m := range ms.Members() {
		got[strings.TrimSuffix(m.Name, ".ics")] = m
	}
	want := map[string]*Object{}
	for _, o := range r.objs {
		if o.Overlaps(from, to) {
			want[o.UID] = o
		}
	}
	if !expand {
		res.Count, res.Expected = len(got), len(want)
		res.Diagnosis = diffUIDs(got, want, r.byUID(), from, to)
		res.OK = len(res.Diagnosis) == 0
		return res, nil
	}
	res.Unit = "instances"
	var masters []string
	var wrong []string
	for uid, m := range got {
		events, rrule := countEvents(m.Data)
		res.Count += events
		if rrule {
			masters = append(masters, uid)
		}
		if o, ok := want[uid]; ok && events != o.InstancesIn(from, to) && !rrule {
			wrong = append(wrong, fmt.Sprintf("%s (%s %s): %d VEVENTs, want %d instances %s",
				uid, o.Kind, o.Rule, events, o.InstancesIn(from, to), describeInstances(o, from, to)))
		}
	}
	for _, o := range want {
		res.Expected += o.InstancesIn(from, to)
	}
	res.Diagnosis = diffUIDs(got, want, r.byUID(), from, to)
	if len(masters) > 0 {
		sort.Strings(masters)
		res.Diagnosis = append(res.Diagnosis, fmt.Sprintf("CALDAV:expand ignored: %d objects come back with their RRULE (master and overrides, not instances), e.g. %s",
			len(masters), masters[0]))
	}
	sort.Strings(wrong)
	for i, w := range wrong {
		if i == 3 {
			res.Diagnosis = append(res.Diagnosis, fmt.Sprintf("… %d more objects with the wrong number of instances", len(wrong)-3))
			break
		}
		res.Diagnosis = append(res.Diagnosis, "wrong expansion: "+w)
	}
	res.OK = len(res.Diagnosis) == 0 && res.Count == res.Expected
	return res, nil
}

// byUID indexes the objects by UID.
func (r *Runner) byUID() map[string]*Object {
	m := make(map[string]*Object, len(r.objs))
	for _, o := range r.objs {
		m[o.UID] = o
	}
	return m
}

// countEvents counts the VEVENTs of calendar data and reports whether any
// has an RRULE.
func countEvents(data string) (int, bool) {
	return strings.Count(data, "BEGIN:VEVENT"), strings.Contains(data, "\nRRULE:") || strings.Contains(data, "\nRRULE;")
}

// diffUIDs explains the objects a server returned that it should not have,
// and those it left out.
func diffUIDs(got map[string]Member, want map[string]*Object, all map[string]*Object, from, to time.Time) []string {
	var missing, extra []string
	for uid := range want {
		if _, ok := got[uid]; !ok {
			missing = append(missing, uid)
		}
	}
	for uid := range got {
		if _, ok := want[uid]; !ok {
			extra = append(extra, uid)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	var out []string
	explain := func(what string, uids []string) {
		if len(uids) == 0 {
			return
		}
		kinds := map[string]int{}
		for _, u := range uids {
			if o := all[u]; o != nil {
				k := o.Kind.String()
				if o.Kind == KindRecurring {
					k += " ending with UNTIL"
					if strings.Contains(o.Rule, "COUNT=") {
						k = "recurring ending with COUNT"
					}
				}
				kinds[k]++
			} else {
				kinds["not generated"]++
			}
		}
		var ks []string
		for k, n := range kinds {
			ks = append(ks, fmt.Sprintf("%d %s", n, k))
		}
		sort.Strings(ks)
		line := fmt.Sprintf("%s %d objects (%s)", what, len(uids), strings.Join(ks, ", "))
		for i, u := range uids {
			if i == 3 {
				line += "; …"
				break
			}
			if o := all[u]; o != nil {
				line += fmt.Sprintf("; %s (%s %s %s): %s", u, o.Kind, o.Zone, o.Rule, describeInstances(o, from, to))
			} else {
				line += "; " + u
			}
		}
		out = append(out, line)
	}
	// A server that tests only the first occurrence (DTSTART, DTEND) of a
	// recurring event misses every series that starts before the range.
	firstOutside := 0
	for _, u := range missing {
		if o := all[u]; o != nil && o.Kind == KindRecurring && len(o.Instances) > 0 && o.InstancesIn(from, to) > 0 {
			if in := o.Instances[0]; !(in.Start.Before(to) && in.End.After(from)) {
				firstOutside++
			}
		}
	}
	if firstOutside > 0 && firstOutside == len(missing) {
		out = append(out, fmt.Sprintf("every object left out is a recurring series whose first occurrence is outside the range but a later one inside it (%d): the server matches recurring events by their first occurrence only", firstOutside))
	}
	explain("left out", missing)
	explain("returned but outside the range", extra)
	return out
}

// describeInstances lists the instances of o near [from, to).
func describeInstances(o *Object, from, to time.Time) string {
	var parts []string
	for _, in := range o.Instances {
		if in.End.Before(from.AddDate(0, 0, -3)) || in.Start.After(to.AddDate(0, 0, 3)) {
			continue
		}
		mark := ""
		if in.Start.Before(to) && in.End.After(from) {
			mark = " in range"
		}
		moved := ""
		if !in.RecurrenceID.IsZero() && !in.RecurrenceID.Equal(in.Start) {
			moved = " (moved from " + utc(in.RecurrenceID) + ")"
		}
		parts = append(parts, utc(in.Start)+"–"+utc(in.End)+moved+mark)
	}
	if len(parts) == 0 {
		return "no instance near the range"
	}
	return strings.Join(parts, ", ")
}

// checkMultiget checks that every requested object comes with data and an ETag.
func (r *Runner) checkMultiget(names []string) (*Result, error) {
	rep, err := r.c.Do("REPORT", "", map[string]string{"Depth": "1", "Content-Type": "application/xml"}, MultigetBody(r.c.Base.Path, names))
	if err := expectStatus("calendar-multiget", rep, err, 207); err != nil {
		return nil, err
	}
	ms, err := ParseMultistatus(rep.Body)
	if err != nil {
		return nil, err
	}
	res := &Result{Unit: "objects", Expected: len(names)}
	for _, m := range ms.Members() {
		if m.Status == 200 && m.HasData && m.ETag != "" {
			res.Count++
		}
	}
	res.OK = res.Count == res.Expected
	if !res.OK {
		res.Diagnosis = []string{fmt.Sprintf("%d of %d objects with calendar-data and getetag", res.Count, len(names))}
	}
	return res, nil
}

// checkListing checks a PROPFIND or an initial sync-collection: every
// object with the ETag its PUT returned.
func (r *Runner) checkListing(method string, body []byte) (*Result, error) {
	var members []Member
	res := &Result{Unit: "objects", Expected: len(r.objs)}
	if method == "REPORT" {
		var pages int
		var err error
		members, r.syncToken, pages, err = r.fullSync("")
		if err != nil {
			return nil, err
		}
		if pages > 1 {
			res.Detail = fmt.Sprintf("in %d truncated answers (507, RFC 6578 §3.6)", pages)
		}
	} else {
		rep, err := r.c.Do(method, "", map[string]string{"Depth": "1", "Content-Type": "application/xml"}, body)
		if err := expectStatus(method, rep, err, 207); err != nil {
			return nil, err
		}
		ms, err := ParseMultistatus(rep.Body)
		if err != nil {
			return nil, err
		}
		members = ms.Members()
	}
	byName := map[string]Member{}
	for _, m := range members {
		byName[m.Name] = m
		if m.ETag != "" {
			res.Count++
		}
	}
	var missing, differ int
	example := ""
	r.mu.Lock()
	for i, o := range r.objs {
		m, ok := byName[o.Href()]
		switch {
		case !ok || m.ETag == "":
			missing++
		case r.etags[i] != "" && m.ETag != r.etags[i]:
			differ++
			if example == "" {
				example = fmt.Sprintf("%s: PUT gave %s, listing gives %s", o.Href(), r.etags[i], m.ETag)
			}
		}
	}
	r.mu.Unlock()
	if missing > 0 {
		res.Diagnosis = append(res.Diagnosis, fmt.Sprintf("%d objects missing or without getetag", missing))
	}
	if differ > 0 {
		res.Diagnosis = append(res.Diagnosis, fmt.Sprintf("%d ETags differ from the PUT response's (%s)", differ, example))
	}
	if method == "REPORT" && r.syncToken == "" {
		res.Diagnosis = append(res.Diagnosis, "no sync-token in the answer")
	}
	res.OK = len(res.Diagnosis) == 0 && res.Count == res.Expected
	return res, nil
}

// checkGet checks that GET returns object i.
func (r *Runner) checkGet(i int) (*Result, error) {
	rep, err := r.c.Do("GET", r.objs[i].Href(), nil, nil)
	if err := expectStatus("GET", rep, err, 200); err != nil {
		return nil, err
	}
	res := &Result{Unit: "objects", Expected: 1}
	if bytes.Contains(rep.Body, []byte("UID:"+r.objs[i].UID)) {
		res.Count = 1
	}
	res.OK = res.Count == 1
	if !res.OK {
		res.Diagnosis = []string{"GET answer lacks the object's UID"}
	}
	return res, nil
}

// checkFreeBusy compares the busy time of the answer with the union of
// the opaque instances in the week.
func (r *Runner) checkFreeBusy(body []byte) (*Result, error) {
	from, to := r.opt.Week, r.opt.Week.AddDate(0, 0, 7)
	var want []span
	for _, o := range r.objs {
		if !o.Opaque {
			continue
		}
		for _, in := range o.Instances {
			if in.Start.Before(to) && in.End.After(from) {
				want = append(want, span{maxTime(in.Start, from), minTime(in.End, to)})
			}
		}
	}
	want = union(want)
	res := &Result{Unit: "periods", Expected: len(want), ExpectedDetail: fmt.Sprintf("%.0f busy minutes", total(want).Minutes())}
	rep, err := r.c.Do("REPORT", "", map[string]string{"Depth": "1", "Content-Type": "application/xml"}, body)
	if err != nil {
		return nil, err
	}
	if rep.Status != 200 || !bytes.Contains(rep.Body, []byte("BEGIN:VFREEBUSY")) {
		res.Count = -1
		res.Diagnosis = []string{fmt.Sprintf("free-busy-query not implemented: HTTP %d %s instead of 200 text/calendar with a VFREEBUSY (RFC 4791 §7.10)",
			rep.Status, rep.Header.Get("Content-Type"))}
		return res, nil
	}
	var notes []string
	if ct := rep.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		notes = append(notes, fmt.Sprintf("the VFREEBUSY comes as Content-Type %q, not text/calendar (RFC 4791 §7.10); counted anyway", ct))
	}
	var got []span
	for _, l := range icalLines(string(rep.Body)) {
		if l.Name != "FREEBUSY" {
			continue
		}
		if t := l.Params["FBTYPE"]; t != "" && !strings.EqualFold(t, "BUSY") {
			continue
		}
		for _, p := range strings.Split(l.Value, ",") {
			s, e, ok := strings.Cut(p, "/")
			if !ok {
				continue
			}
			st, err := parseICalTime(s, "")
			if err != nil {
				continue
			}
			var en time.Time
			if strings.HasPrefix(e, "P") {
				d, err := parseSimpleDuration(e)
				if err != nil {
					continue
				}
				en = st.Add(d)
			} else if en, err = parseICalTime(e, ""); err != nil {
				continue
			}
			got = append(got, span{st, en})
			res.Count++
		}
	}
	gotU := union(got)
	res.Detail = fmt.Sprintf("%.0f busy minutes", total(gotU).Minutes())
	if res.Detail != res.ExpectedDetail {
		res.Diagnosis = append(res.Diagnosis, fmt.Sprintf("busy time %s, want %s", res.Detail, res.ExpectedDetail))
	}
	// Servers may or may not merge adjacent periods: the busy time is what
	// must agree. A wrong Content-Type is noted, not counted.
	res.OK = len(res.Diagnosis) == 0
	res.Diagnosis = append(res.Diagnosis, notes...)
	return res, nil
}

// checkSyncDelta changes 10 objects and asks what changed since the token
// of the initial sync.
func (r *Runner) checkSyncDelta() (*Result, error) {
	if r.syncToken == "" {
		return nil, errors.New("no sync-token from sync-initial")
	}
	n := min(10, len(r.objs))
	changed := map[string]bool{}
	for k := range n {
		i := (k*7919 + 13) % len(r.objs)
		if err := r.touch(i); err != nil {
			return nil, err
		}
		changed[r.objs[i].Href()] = true
	}
	members, _, _, err := r.fullSync(r.syncToken)
	if err != nil {
		return nil, err
	}
	res := &Result{Unit: "objects", Expected: len(changed)}
	var extra []string
	for _, m := range members {
		res.Count++
		if !changed[m.Name] {
			extra = append(extra, m.Name)
		}
	}
	if len(extra) > 0 {
		res.Diagnosis = append(res.Diagnosis, fmt.Sprintf("%d unchanged objects reported, e.g. %s", len(extra), extra[0]))
	}
	if res.Count < res.Expected {
		res.Diagnosis = append(res.Diagnosis, fmt.Sprintf("%d of %d changed objects reported", res.Count-len(extra), res.Expected))
	}
	res.OK = len(res.Diagnosis) == 0
	return res, nil
}

// maxPages bounds the requests of one paged sync-collection.
const maxPages = 1000

// fullSync runs a sync-collection from token and follows truncated
// answers (a 507 for the collection, RFC 6578 §3.6) with the token each
// one gives, parsing every answer.
func (r *Runner) fullSync(token string) (members []Member, last string, pages int, err error) {
	for pages < maxPages {
		rep, err := r.c.Do("REPORT", "", map[string]string{"Depth": "1", "Content-Type": "application/xml"}, SyncBody(token))
		if err := expectStatus("sync-collection", rep, err, 207); err != nil {
			return nil, "", pages, err
		}
		pages++
		ms, err := ParseMultistatus(rep.Body)
		if err != nil {
			return nil, "", pages, err
		}
		members = append(members, ms.Members()...)
		if ms.SyncToken == "" || !truncated(rep.Body) {
			return members, ms.SyncToken, pages, nil
		}
		token = ms.SyncToken
	}
	return nil, "", pages, fmt.Errorf("sync-collection: still truncated after %d requests", pages)
}

// syncPages is fullSync without an XML parser, for the timed operations.
func (r *Runner) syncPages(token string) (int, error) {
	for pages := 1; pages <= maxPages; pages++ {
		rep, err := r.c.Do("REPORT", "", map[string]string{"Depth": "1", "Content-Type": "application/xml"}, SyncBody(token))
		if err := expectStatus("sync-collection", rep, err, 207); err != nil {
			return pages, err
		}
		next := syncTokenOf(rep.Body)
		if next == "" || !truncated(rep.Body) {
			return pages, nil
		}
		token = next
	}
	return maxPages, fmt.Errorf("sync-collection: still truncated after %d requests", maxPages)
}

// truncated reports whether a sync-collection answer says it is
// incomplete: a 507 status (RFC 6578 §3.6).
func truncated(body []byte) bool { return bytes.Contains(body, []byte(" 507 ")) }

// syncTokenOf finds the text of the sync-token element.
func syncTokenOf(body []byte) string {
	i := bytes.LastIndex(body, []byte("sync-token>"))
	if i < 0 {
		return ""
	}
	// body[i:] is the closing tag's name; the value ends at its "<".
	end := bytes.LastIndexByte(body[:i], '<')
	start := bytes.LastIndexByte(body[:end], '>')
	if end < 0 || start < 0 {
		return ""
	}
	return strings.TrimSpace(html.UnescapeString(string(body[start+1 : end])))
}

type span struct{ from, to time.Time }

// union merges overlapping and adjacent spans.
func union(s []span) []span {
	sort.Slice(s, func(i, j int) bool { return s[i].from.Before(s[j].from) })
	var out []span
	for _, x := range s {
		if n := len(out); n > 0 && !x.from.After(out[n-1].to) {
			out[n-1].to = maxTime(out[n-1].to, x.to)
			continue
		}
		out = append(out, x)
	}
	return out
}

// total is the summed length of the spans.
func total(s []span) time.Duration {
	var d time.Duration
	for _, x := range s {
		d += x.to.Sub(x.from)
	}
	return d
}

// maxTime returns the later of a and b.
func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// minTime returns the earlier of a and b.
func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// parseSimpleDuration reads the PTnHnMnS and PnD forms servers write in
// FREEBUSY periods.
func parseSimpleDuration(s string) (time.Duration, error) {
	s = strings.TrimPrefix(s, "P")
	var d time.Duration
	num := 0
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			num = num*10 + int(c-'0')
		case c == 'T':
		case c == 'W':
			d += time.Duration(num) * 7 * 24 * time.Hour
			num = 0
		case c == 'D':
			d += time.Duration(num) * 24 * time.Hour
			num = 0
		case c == 'H':
			d += time.Duration(num) * time.Hour
			num = 0
		case c == 'M':
			d += time.Duration(num) * time.Minute
			num = 0
		case c == 'S':
			d += time.Duration(num) * time.Second
			num = 0
		default:
			return 0, fmt.Errorf("duration %q", s)
		}
	}
	return d, nil
}
