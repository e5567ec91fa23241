// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package crisp

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Capabilities of receivers (iSchedule -05 §5, seed-mapping §3.3): a
// GET ?action=capabilities, cached by its max-age, revalidated with
// If-None-Match, and fetched again when a response of the receiver
// announces another serial number in iSchedule-Capabilities (-05 §8.3).

const (
	// defaultCapsFreshness applies when the document has no max-age.
	defaultCapsFreshness = time.Hour
	// maxCapsFreshness caps max-age; the serial number catches changes
	// in between.
	maxCapsFreshness = 24 * time.Hour
	// maxCapsSize bounds a capabilities document.
	maxCapsSize = 1 << 20
	// headerCapabilities carries the capabilities serial number on every
	// response (-05 §8.3).
	headerCapabilities = "iSchedule-Capabilities"
)

// capsEntry is the cached capabilities of one endpoint.
type capsEntry struct {
	caps    *Capabilities
	etag    string
	serial  int64
	expires time.Time
	// stale is set when a response announced another serial number.
	stale bool
}

// Capabilities returns the capabilities of the receiver at endpoint. The
// document is cached for its max-age (an hour without one, a day at
// most), then revalidated with a conditional GET; a response of the
// receiver that announces another serial number makes the next call
// fetch it again. The result is shared and must not be modified.
func (c *Client) Capabilities(ctx context.Context, endpoint *url.URL) (*Capabilities, error) {
	key := endpointKey(endpoint)
	now := c.now()
	c.mu.Lock()
	var cached capsEntry
	e, ok := c.caps[key]
	if ok {
		cached = *e
	}
	c.mu.Unlock()
	if ok && !cached.stale && now.Before(cached.expires) {
		return cached.caps, nil
	}
	etag := ""
	if ok && !cached.stale {
		// -05 §5: senders SHOULD use conditional GET requests.
		etag = cached.etag
	}
	f, err := c.fetchCaps(ctx, endpoint, etag)
	if err == nil && f.notModified && f.serial != 0 && f.serial != cached.serial {
		// Not modified, says the validator, but the serial moved on.
		f, err = c.fetchCaps(ctx, endpoint, "")
	}
	if err != nil {
		return nil, err
	}
	ne := &capsEntry{caps: f.caps, etag: f.etag, serial: f.serial, expires: now.Add(f.freshness)}
	if f.notModified {
		ne.caps, ne.serial = cached.caps, cached.serial
		if ne.etag == "" {
			ne.etag = cached.etag
		}
	}
	c.storeCaps(key, ne, now)
	return ne.caps, nil
}

// probe fetches the capabilities at u, following redirects, and returns
// the endpoint URL they lead to. The document is cached for that URL.
func (c *Client) probe(ctx context.Context, u *url.URL) (*url.URL, error) {
	f, err := c.fetchCaps(ctx, u, "")
	if err != nil {
		return nil, err
	}
	now := c.now()
	c.storeCaps(endpointKey(f.endpoint), &capsEntry{caps: f.caps, etag: f.etag, serial: f.serial, expires: now.Add(f.freshness)}, now)
	return f.endpoint, nil
}

func (c *Client) storeCaps(key string, e *capsEntry, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.caps) >= maxCacheEntries {
		for k, old := range c.caps {
			if !now.Before(old.expires) {
				delete(c.caps, k)
			}
		}
	}
	c.caps[key] = e
}

// noteSerial marks the cached capabilities of the endpoint stale when
// the response h announces another serial number.
func (c *Client) noteSerial(endpoint *url.URL, h http.Header) {
	serial, ok := parseSerial(h)
	if !ok {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.caps[endpointKey(endpoint)]; e != nil && e.serial != serial {
		e.stale = true
	}
}

func parseSerial(h http.Header) (int64, bool) {
	v := strings.TrimSpace(h.Get(headerCapabilities))
	if v == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil
}

// capsFetch is the outcome of one capabilities request.
type capsFetch struct {
	caps        *Capabilities // nil when notModified
	notModified bool
	etag        string
	serial      int64
	freshness   time.Duration
	endpoint    *url.URL // after redirects, without the query
}

func (c *Client) fetchCaps(ctx context.Context, endpoint *url.URL, etag string) (*capsFetch, error) {
	h := http.Header{}
	h.Set("Accept", "application/xml")
	h.Set(headerVersion, Version)
	if etag != "" {
		h.Set("If-None-Match", etag)
	}
	q := *endpoint
	q.RawQuery = "action=capabilities"
	resp, final, err := c.do(ctx, http.MethodGet, &q, h, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	f := &capsFetch{etag: resp.Header.Get("ETag"), freshness: capsFreshness(resp.Header)}
	f.serial, _ = parseSerial(resp.Header)
	ep := *final
	ep.RawQuery, ep.ForceQuery, ep.Fragment = "", false, ""
	f.endpoint = &ep
	switch {
	case resp.StatusCode == http.StatusNotModified && etag != "":
		f.notModified = true
		return f, nil
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("crisp: capabilities of %s: %s", endpoint.Redacted(), resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxCapsSize+1))
	if err != nil {
		return nil, fmt.Errorf("crisp: capabilities of %s: %w", endpoint.Redacted(), err)
	}
	if len(body) > maxCapsSize {
		return nil, fmt.Errorf("crisp: capabilities of %s: document too large", endpoint.Redacted())
	}
	var qr QueryResult
	if err := xml.NewDecoder(bytes.NewReader(body)).Decode(&qr); err != nil {
		return nil, fmt.Errorf("crisp: capabilities of %s: %w", endpoint.Redacted(), err)
	}
	f.caps = &qr.Capabilities
	if f.caps.SerialNumber != 0 {
		f.serial = f.caps.SerialNumber
	}
	return f, nil
}

// capsFreshness is the lifetime the response headers give a capabilities
// document (RFC 9111 §5.2.2: max-age, no-cache, no-store).
func capsFreshness(h http.Header) time.Duration {
	d := defaultCapsFreshness
	for _, v := range h.Values("Cache-Control") {
		for _, dir := range strings.Split(v, ",") {
			name, arg, _ := strings.Cut(strings.TrimSpace(dir), "=")
			switch strings.ToLower(name) {
			case "no-cache", "no-store":
				return 0
			case "max-age":
				n, err := strconv.ParseInt(strings.Trim(arg, `"`), 10, 64)
				if err == nil && n >= 0 {
					d = time.Duration(min(n, int64(maxCapsFreshness/time.Second))) * time.Second
				}
			}
		}
	}
	return d
}

// endpointKey identifies an endpoint in the caches.
func endpointKey(u *url.URL) string {
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) + u.EscapedPath()
}

// errRedirect is the cause of refused redirects.
var errRedirect = errors.New("crisp: redirect refused")
