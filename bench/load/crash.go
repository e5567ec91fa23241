// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// CrashTest PUTs new objects with clients concurrent clients until the
// server stops answering (the runner kills it) or limit passes, and writes
// every acknowledged object (201 or 204) to file as "name etag" lines. The
// objects are those of gen with UIDs starting "crash-", so a crash test can
// share a collection with a normal run.
func CrashTest(c *Client, gen GenConfig, file string, clients int, limit time.Duration) error {
	gen.Prefix = "crash"
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	var (
		next     atomic.Int64
		dead     atomic.Bool
		mu       sync.Mutex
		acked    int
		noETag   int
		failures int
		lastErr  error
		refusal  error
		wg       sync.WaitGroup
	)
	w := bufio.NewWriter(f)
	deadline := time.Now().Add(limit)
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for !dead.Load() && time.Now().Before(deadline) {
				o := gen.Generate(int(next.Add(1) - 1))
				rep, err := c.Do("PUT", o.Href(), map[string]string{"Content-Type": "text/calendar; charset=utf-8", "If-None-Match": "*"}, o.Data)
				mu.Lock()
				switch {
				case err != nil:
					// The server is gone: an answer that never came is
					// not an acknowledgement.
					dead.Store(true)
					lastErr = err
				case rep.Status == 201 || rep.Status == 204:
					etag := rep.Header.Get("ETag")
					if etag == "" {
						etag = "-"
						noETag++
					}
					fmt.Fprintf(w, "%s %s\n", o.Href(), etag)
					acked++
				default:
					failures++
					if refusal == nil {
						refusal = StatusError("PUT", rep)
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "crash test: %d PUTs acknowledged in %.1f s (%.0f/s), %d without ETag, %d refused (first: %v); stopped by: %v\n",
		acked, elapsed.Seconds(), float64(acked)/elapsed.Seconds(), noETag, failures, refusal, lastErr)
	if acked == 0 {
		return fmt.Errorf("crash test: no PUT was acknowledged (%v)", refusal)
	}
	if !dead.Load() {
		return errors.New("crash test: the server was still answering when the time was up")
	}
	return nil
}

// CrashResult is the outcome of -crash-verify.
type CrashResult struct {
	Acked    int      `json:"acked"`
	Present  int      `json:"present"`
	Lost     int      `json:"lost"`
	Changed  int      `json:"etag_changed"`
	NoETag   int      `json:"acked_without_etag"`
	Examples []string `json:"examples,omitempty"`
}

// OK reports whether there were acknowledged writes and every one
// survived.
func (r *CrashResult) OK() bool { return r.Acked > 0 && r.Lost == 0 && r.Changed == 0 }

// Summary is one line for people.
func (r *CrashResult) Summary() string {
	s := fmt.Sprintf("crash verify: %d acknowledged, %d present with the same ETag, %d lost, %d with another ETag, %d acknowledged without ETag",
		r.Acked, r.Present, r.Lost, r.Changed, r.NoETag)
	if len(r.Examples) > 0 {
		s += "; e.g. " + strings.Join(r.Examples, "; ")
	}
	return s
}

// CrashVerify GETs every object listed in file and compares its ETag with
// the acknowledged one.
func CrashVerify(c *Client, file string, clients int) (*CrashResult, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	type ack struct{ name, etag string }
	var acks []ack
	for _, line := range strings.Split(string(b), "\n") {
		if name, etag, ok := strings.Cut(line, " "); ok {
			acks = append(acks, ack{name, etag})
		}
	}
	res := &CrashResult{Acked: len(acks)}
	var (
		mu   sync.Mutex
		next atomic.Int64
		wg   sync.WaitGroup
	)
	for range clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(acks) {
					return
				}
				a := acks[i]
				rep, err := c.Do("GET", a.name, nil, nil)
				mu.Lock()
				switch {
				case err != nil || rep.Status != 200:
					res.Lost++
					if len(res.Examples) < 3 {
						if err == nil {
							err = StatusError("GET", rep)
						}
						res.Examples = append(res.Examples, fmt.Sprintf("%s: %v", a.name, err))
					}
				case a.etag == "-":
					res.NoETag++
					res.Present++
				case rep.Header.Get("ETag") != a.etag:
					res.Changed++
					if len(res.Examples) < 3 {
						res.Examples = append(res.Examples, fmt.Sprintf("%s: ETag %s, acknowledged %s", a.name, rep.Header.Get("ETag"), a.etag))
					}
				default:
					res.Present++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return res, nil
}
