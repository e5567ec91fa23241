// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

// Command load is a CalDAV load tool. It generates a deterministic calendar,
// loads it into one calendar collection by PUT with several clients, runs
// timed scenarios (calendar-query, expand, multiget, PROPFIND, sync-collection,
// GET, free-busy-query, a read/write mix) and reports operations per second,
// latency percentiles, the server's memory and disk use, and whether each
// answer matches what the generator knows it must be.
//
//	load -url http://127.0.0.1:5232/u/load/ -mkcalendar -pid 1234 -data /tmp/r
//	load -url … -crash-test acked.txt -duration 30s   # PUT until the server dies
//	load -url … -crash-verify acked.txt               # after the restart
//	load -compare almanac=a.json,radicale=r.json,xandikos=x.json
//
// See bench/README.md.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

// Report is the outcome of one run against one server.
type Report struct {
	Server    string    `json:"server"`
	URL       string    `json:"url"`
	Objects   int       `json:"objects"`
	Seed      uint64    `json:"seed"`
	Clients   int       `json:"clients"`
	Month     string    `json:"month"`
	Week      string    `json:"week"`
	Started   time.Time `json:"started"`
	Results   []Result  `json:"results"`
	RSSLoadKB int64     `json:"rss_after_load_kb,omitempty"`
	RSSEndKB  int64     `json:"rss_end_kb,omitempty"`
	HWMKB     int64     `json:"rss_peak_kb,omitempty"`
	DiskBytes int64     `json:"disk_bytes,omitempty"`
	// Crash is set by -crash-verify.
	Crash *CrashResult `json:"crash,omitempty"`
}

func main() {
	var (
		rawURL     = flag.String("url", "", "calendar collection URL")
		user       = flag.String("user", "", "user for HTTP Basic authentication (none when empty)")
		password   = flag.String("password", "", "password for HTTP Basic authentication")
		objects    = flag.Int("objects", 10000, "number of calendar objects")
		clients    = flag.Int("clients", 4, "concurrent clients")
		seed       = flag.Uint64("seed", 1, "generator seed")
		ops        = flag.Int("ops", 200, "at most this many operations per timed scenario")
		duration   = flag.Duration("duration", 3*time.Second, "at most this long per timed scenario (each client does at least one operation); the crash test's bound")
		timeout    = flag.Duration("timeout", 2*time.Minute, "timeout of one request")
		pid        = flag.Int("pid", 0, "server process whose VmRSS and VmHWM to report")
		dataDir    = flag.String("data", "", "server storage directory whose size to report")
		jsonOut    = flag.Bool("json", false, "print the report as JSON")
		scenarios  = flag.String("scenarios", strings.Join(Scenarios, ","), "comma-separated scenarios to run")
		mkcalendar = flag.Bool("mkcalendar", false, "create the collection with MKCALENDAR first")
		month      = flag.String("month", "2026-06", "the month of the calendar-queries (YYYY-MM)")
		week       = flag.String("week", "2026-06-08", "the first day of the free-busy week (YYYY-MM-DD)")
		server     = flag.String("name", "", "server name for the report")
		crashTest  = flag.String("crash-test", "", "PUT new objects until the server stops answering or -duration ends, and write every acknowledged href and ETag to this file")
		crashCheck = flag.String("crash-verify", "", "check that every object listed in this file (written by -crash-test) is on the server with the same ETag")
		compare    = flag.String("compare", "", "name=report.json,…: print a Markdown comparison of JSON reports; the first is the subject")
		big        = flag.String("big", "", "with -compare: the subject's JSON report at a larger size, for the scaling ratio")
		crashFiles = flag.String("crash", "", "with -compare: name=crash.json,… reports of -crash-verify")
		wait       = flag.Duration("wait", 0, "only wait up to this long until the -url's host accepts connections (for scripts)")
		freePort   = flag.Bool("free-port", false, "only print a free TCP port on 127.0.0.1 (for scripts)")
	)
	flag.Parse()
	if *freePort {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fatal(err)
		}
		fmt.Println(l.Addr().(*net.TCPAddr).Port)
		l.Close()
		return
	}
	if *wait > 0 {
		if err := waitUp(*rawURL, *wait); err != nil {
			fatal(err)
		}
		return
	}
	if *compare != "" {
		if err := Compare(os.Stdout, *compare, *big, *crashFiles); err != nil {
			fatal(err)
		}
		return
	}
	if *rawURL == "" {
		fatal(fmt.Errorf("-url is required"))
	}
	c, err := NewClient(*rawURL, *user, *password, *clients, *timeout)
	if err != nil {
		fatal(err)
	}
	gen := DefaultGen(*seed)
	rep := &Report{Server: *server, URL: *rawURL, Objects: *objects, Seed: *seed, Clients: *clients, Month: *month, Week: *week, Started: time.Now().UTC()}

	if *mkcalendar {
		r, err := c.Do("MKCALENDAR", "", map[string]string{"Content-Type": "application/xml"}, MkcalendarBody)
		if err := expectStatus("MKCALENDAR", r, err, 201); err != nil {
			fatal(err)
		}
	}
	switch {
	case *crashTest != "":
		if err := CrashTest(c, gen, *crashTest, *clients, *duration); err != nil {
			fatal(err)
		}
		return
	case *crashCheck != "":
		res, err := CrashVerify(c, *crashCheck, *clients)
		if err != nil {
			fatal(err)
		}
		rep.Crash = res
		rep.Objects = res.Acked
		if *jsonOut {
			writeJSON(rep)
		} else {
			fmt.Println(res.Summary())
		}
		if !res.OK() {
			os.Exit(1)
		}
		return
	}

	m, err := time.Parse("2006-01", *month)
	if err != nil {
		fatal(fmt.Errorf("-month: %v", err))
	}
	w, err := time.Parse("2006-01-02", *week)
	if err != nil {
		fatal(fmt.Errorf("-week: %v", err))
	}
	opt := Options{Clients: *clients, Ops: *ops, Duration: *duration, Month: m, Week: w}
	r := NewRunner(c, gen, *objects, opt)
	list := strings.Split(*scenarios, ",")
	if !contains(list, "put") {
		if err := r.Load(); err != nil {
			fatal(err)
		}
	}
	for _, name := range Scenarios {
		if !contains(list, name) {
			continue
		}
		res := r.Run(name)
		if *pid > 0 {
			res.RSSKB, res.HWMKB = readStatus(*pid)
		}
		rep.Results = append(rep.Results, res)
		r.log("%-20s %8.1f ops/s  p50 %8.2f ms  p99 %8.2f ms  %d ops %d errors  count %d (want %d %s)  RSS %d MB, peak %d MB%s",
			name, res.OpsPerSec, res.P50ms, res.P99ms, res.Ops, res.Errors, res.Count, res.Expected, res.Unit, res.RSSKB>>10, res.HWMKB>>10, verdict(res))
		if name == "put" && *pid > 0 {
			rep.RSSLoadKB, _ = readStatus(*pid)
		}
	}
	if *pid > 0 {
		rep.RSSEndKB, rep.HWMKB = readStatus(*pid)
	}
	if *dataDir != "" {
		rep.DiskBytes = diskUsage(*dataDir)
	}
	if *jsonOut {
		writeJSON(rep)
		return
	}
	printReport(rep)
}

// verdict is the log suffix of a result that does not match the generator.
func verdict(res Result) string {
	if res.OK {
		return ""
	}
	return "  MISMATCH: " + strings.Join(res.Diagnosis, "; ")
}

// contains reports whether a comma-separated list names s.
func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.TrimSpace(x) == s {
			return true
		}
	}
	return false
}

// printReport prints a report as a table for people.
func printReport(rep *Report) {
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "scenario\tops/s\tp50 ms\tp99 ms\tops\terrors\tcount\twant\t\n")
	for _, r := range rep.Results {
		fmt.Fprintf(tw, "%s\t%.1f\t%.2f\t%.2f\t%d\t%d\t%d\t%d\t\n", r.Scenario, r.OpsPerSec, r.P50ms, r.P99ms, r.Ops, r.Errors, r.Count, r.Expected)
	}
	tw.Flush()
	if rep.HWMKB > 0 {
		fmt.Printf("RSS after load %.1f MB, at the end %.1f MB, peak %.1f MB\n", float64(rep.RSSLoadKB)/1024, float64(rep.RSSEndKB)/1024, float64(rep.HWMKB)/1024)
	}
	if rep.DiskBytes > 0 {
		fmt.Printf("disk %.1f MB\n", float64(rep.DiskBytes)/(1<<20))
	}
	for _, r := range rep.Results {
		for _, d := range r.Diagnosis {
			fmt.Printf("%s: %s\n", r.Scenario, d)
		}
	}
}

// writeJSON prints v as indented JSON.
func writeJSON(v any) {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fatal(err)
	}
}

// readStatus returns VmRSS and VmHWM of a process, in kB.
func readStatus(pid int) (rss, hwm int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		var v int64
		if strings.HasPrefix(line, "VmRSS:") {
			fmt.Sscanf(strings.TrimPrefix(line, "VmRSS:"), "%d", &v)
			rss = v
		} else if strings.HasPrefix(line, "VmHWM:") {
			fmt.Sscanf(strings.TrimPrefix(line, "VmHWM:"), "%d", &v)
			hwm = v
		}
	}
	return rss, hwm
}

// diskUsage returns the bytes allocated to the files under dir, as du does.
func diskUsage(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if info, err := d.Info(); err == nil {
			if st, ok := info.Sys().(*syscall.Stat_t); ok {
				n += st.Blocks * 512
			} else {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// fatal prints err and exits with status 1.
func fatal(err error) {
	fmt.Fprintln(os.Stderr, "load:", err)
	os.Exit(1)
}

// waitUp waits until the host of rawURL accepts TCP connections.
func waitUp(rawURL string, limit time.Duration) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(limit)
	for {
		conn, err := net.DialTimeout("tcp", u.Host, time.Second)
		if err == nil {
			return conn.Close()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not up after %v: %v", u.Host, limit, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
