// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

// readScenarios are the scenarios the "≥ 50× Radicale" target applies to.
var readScenarios = map[string]bool{"query-month": true, "query-month-expand": true, "multiget-50": true,
	"propfind-etags": true, "sync-initial": true, "get": true, "freebusy-week": true, "sync-delta": true}

type named struct {
	name string
	rep  *Report
}

// loadReports reads "name=file,…"; a missing or empty file (a server that
// did not run) is reported and skipped.
func loadReports(w io.Writer, list string) ([]named, error) {
	var out []named
	for _, item := range strings.Split(list, ",") {
		name, file, ok := strings.Cut(item, "=")
		if !ok {
			return nil, fmt.Errorf("-compare: %q is not name=file", item)
		}
		b, err := os.ReadFile(file)
		if err != nil || len(b) == 0 {
			fmt.Fprintf(w, "_%s: no report (%s did not run)._\n\n", name, name)
			continue
		}
		var r Report
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, fmt.Errorf("%s: %v", file, err)
		}
		out = append(out, named{name, &r})
	}
	return out, nil
}

// result returns the result of a scenario, or nil.
func (r *Report) result(scenario string) *Result {
	for i := range r.Results {
		if r.Results[i].Scenario == scenario {
			return &r.Results[i]
		}
	}
	return nil
}

// Compare prints the Markdown comparison of the reports in list (the first
// is the subject of the ratios), the correctness cross-check, and the
// targets of the issue.
func Compare(w io.Writer, list, bigFile, crashList string) error {
	reps, err := loadReports(w, list)
	if err != nil {
		return err
	}
	if len(reps) == 0 {
		return fmt.Errorf("-compare: no reports")
	}
	subj := reps[0]
	r0 := subj.rep
	fmt.Fprintf(w, "%d objects (seed %d), %d clients; calendar-queries over %s, free-busy from %s. Ratios are %s ÷ peer in ops/s.\n\n",
		r0.Objects, r0.Seed, r0.Clients, r0.Month, r0.Week, subj.name)

	// Speed.
	fmt.Fprint(w, "| scenario |")
	for _, n := range reps {
		fmt.Fprintf(w, " %s ops/s | p50 / p99 ms |", n.name)
	}
	for _, n := range reps[1:] {
		fmt.Fprintf(w, " %s ÷ %s |", subj.name, n.name)
	}
	fmt.Fprint(w, "\n|---|")
	for range reps {
		fmt.Fprint(w, "--:|--:|")
	}
	for range reps[1:] {
		fmt.Fprint(w, "--:|")
	}
	fmt.Fprintln(w)
	for _, s := range Scenarios {
		if subj.rep.result(s) == nil {
			continue
		}
		fmt.Fprintf(w, "| %s |", s)
		for _, n := range reps {
			res := n.rep.result(s)
			switch {
			case res == nil:
				fmt.Fprint(w, " – | – |")
			case res.Ops > 0 && res.Errors == res.Ops:
				fmt.Fprint(w, " fails | – |")
			default:
				errs := ""
				if res.Errors > 0 {
					errs = fmt.Sprintf(" (%d errors)", res.Errors)
				}
				fmt.Fprintf(w, " %s%s | %.1f / %.1f |", num(res.OpsPerSec), errs, res.P50ms, res.P99ms)
			}
		}
		for _, n := range reps[1:] {
			a, b := subj.rep.result(s), n.rep.result(s)
			if a == nil || b == nil || a.Errors > 0 || b.Errors > 0 || b.OpsPerSec == 0 {
				fmt.Fprint(w, " – |")
				continue
			}
			fmt.Fprintf(w, " %.1f× |", a.OpsPerSec/b.OpsPerSec)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprint(w, "| RSS after load / peak, MB |")
	for _, n := range reps {
		fmt.Fprintf(w, " %.0f / %.0f | |", float64(n.rep.RSSLoadKB)/1024, float64(n.rep.HWMKB)/1024)
	}
	for _, n := range reps[1:] {
		fmt.Fprintf(w, " %s |", ratio(float64(r0.HWMKB), float64(n.rep.HWMKB)))
	}
	fmt.Fprint(w, "\n| disk, MB |")
	for _, n := range reps {
		fmt.Fprintf(w, " %.1f | |", float64(n.rep.DiskBytes)/(1<<20))
	}
	for _, n := range reps[1:] {
		fmt.Fprintf(w, " %s |", ratio(float64(r0.DiskBytes), float64(n.rep.DiskBytes)))
	}
	fmt.Fprintln(w)

	// Correctness.
	fmt.Fprint(w, "\n### Cross-check (counts of the check request; the generator knows the right answer)\n\n| scenario | generator |")
	for _, n := range reps {
		fmt.Fprintf(w, " %s |", n.name)
	}
	fmt.Fprint(w, " verdict |\n|---|--:|")
	for range reps {
		fmt.Fprint(w, "--:|")
	}
	fmt.Fprintln(w, "---|")
	var notes []string
	for _, s := range Scenarios {
		if s == "mixed" || subj.rep.result(s) == nil {
			continue
		}
		want := subj.rep.result(s)
		fmt.Fprintf(w, "| %s | %s |", s, countText(want.Expected, want.ExpectedDetail, want.Unit))
		var wrong, right []string
		sameWrong := true
		var firstWrong *Result
		for _, n := range reps {
			res := n.rep.result(s)
			if res == nil {
				fmt.Fprint(w, " – |")
				continue
			}
			fmt.Fprintf(w, " %s |", countText(res.Count, res.Detail, ""))
			for _, d := range res.Diagnosis {
				notes = append(notes, fmt.Sprintf("- **%s, %s**: %s", n.name, s, d))
			}
			if res.OK {
				right = append(right, n.name)
				continue
			}
			wrong = append(wrong, n.name)
			if firstWrong == nil {
				firstWrong = res
			} else if res.Count != firstWrong.Count || res.Detail != firstWrong.Detail {
				sameWrong = false
			}
		}
		switch {
		case len(wrong) == 0:
			fmt.Fprint(w, " all agree with the generator |")
		case len(right) == 0 && sameWrong && len(reps) > 1:
			fmt.Fprint(w, " every server gives the same other answer: suspect the generator |")
		default:
			fmt.Fprintf(w, " bug in %s: %s |", strings.Join(wrong, ", "), short(firstWrong))
		}
		fmt.Fprintln(w)
	}
	if len(notes) > 0 {
		fmt.Fprintln(w, "\nDetails:")
		for _, n := range notes {
			fmt.Fprintln(w, n)
		}
	}

	// Targets.
	fmt.Fprintln(w, "\n### Targets")
	fmt.Fprintln(w)
	if put := r0.result("put"); put != nil {
		fmt.Fprintf(w, "- PUT load ≥ 1,000 objects/s: %s %s/s (%s)\n", subj.name, num(put.OpsPerSec), pass(put.OpsPerSec >= 1000 && put.Errors == 0))
	}
	for _, n := range reps[1:] {
		if n.name != "radicale" {
			continue
		}
		var worst string
		worstRatio := -1.0
		ok := true
		for s := range readScenarios {
			a, b := r0.result(s), n.rep.result(s)
			if a == nil || b == nil || b.Errors > 0 || b.OpsPerSec == 0 {
				continue
			}
			q := a.OpsPerSec / b.OpsPerSec
			if a.Errors > 0 {
				q = 0
			}
			if worstRatio < 0 || q < worstRatio {
				worstRatio, worst = q, s
			}
			ok = ok && q >= 50
		}
		if worstRatio >= 0 {
			fmt.Fprintf(w, "- every read scenario ≥ 50× Radicale: lowest %.1f× (%s) (%s; scenarios Radicale fails are left out)\n", worstRatio, worst, pass(ok))
		}
	}
	if bigFile != "" {
		bigs, err := loadReports(w, subj.name+"-big="+bigFile)
		if err != nil {
			return err
		}
		if len(bigs) == 1 {
			b := bigs[0].rep
			a, bq := r0.result("query-month"), b.result("query-month")
			if a != nil && bq != nil && a.P50ms > 0 {
				q := bq.P50ms / a.P50ms
				fmt.Fprintf(w, "- one-month query at %d objects ≤ 2× its time at %d: p50 %.2f ms vs %.2f ms = %.2f× (%s; %d vs %d objects returned)\n",
					b.Objects, r0.Objects, bq.P50ms, a.P50ms, q, pass(q <= 2), bq.Count, a.Count)
			}
			fmt.Fprintf(w, "- RSS < 200 MB with %d objects: peak %.0f MB, %.0f MB after the load, disk %.0f MB (%s)\n",
				b.Objects, float64(b.HWMKB)/1024, float64(b.RSSLoadKB)/1024, float64(b.DiskBytes)/(1<<20), pass(b.HWMKB > 0 && b.HWMKB < 200*1024))
			if put := b.result("put"); put != nil {
				fmt.Fprintf(w, "- PUT load at %d objects: %s/s\n", b.Objects, num(put.OpsPerSec))
			}
		}
	}
	if crashList != "" {
		crashes, err := loadReports(w, crashList)
		if err != nil {
			return err
		}
		for _, c := range crashes {
			if c.rep.Crash == nil {
				continue
			}
			fmt.Fprintf(w, "- kill -9 during PUT load, %s: %s (%s)\n", c.name, c.rep.Crash.Summary(), pass(c.rep.Crash.OK()))
		}
	}
	return nil
}

// countText formats a count of the cross-check table.
func countText(n int, detail, unit string) string {
	s := "–"
	if n >= 0 {
		s = fmt.Sprint(n)
	}
	if unit != "" && unit != "-" {
		s += " " + unit
	}
	if detail != "" {
		s += " (" + detail + ")"
	}
	return s
}

// short is the first diagnosis of r, cut for a table cell.
func short(r *Result) string {
	if r == nil {
		return ""
	}
	if len(r.Diagnosis) == 0 {
		return fmt.Sprintf("%d, want %d", r.Count, r.Expected)
	}
	d := r.Diagnosis[0]
	if len(d) > 140 {
		d = d[:strings.LastIndex(d[:140], " ")] + " …"
	}
	return strings.ReplaceAll(d, "|", "/")
}

// ratio formats a ÷ b, or a dash when either is unknown.
func ratio(a, b float64) string {
	if a == 0 || b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

// pass words a target's verdict.
func pass(ok bool) string {
	if ok {
		return "met"
	}
	return "**not met**"
}

// num formats a rate with three significant figures.
func num(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}
