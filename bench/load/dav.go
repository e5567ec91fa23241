// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package main

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

// Client sends CalDAV requests to one calendar collection.
type Client struct {
	HTTP     *http.Client
	Base     *url.URL // the collection, with a trailing slash
	User     string
	Password string
}

// NewClient returns a client for the collection at rawURL that keeps up to
// conns connections open.
func NewClient(rawURL, user, password string, conns int, timeout time.Duration) (*Client, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	return &Client{HTTP: &http.Client{Transport: tr, Timeout: timeout}, Base: u, User: user, Password: password}, nil
}

// Reply is a response read in full.
type Reply struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends one request; target is an object name relative to the
// collection, or "" for the collection itself.
func (c *Client) Do(method, target string, header map[string]string, body []byte) (*Reply, error) {
	u := *c.Base
	u.Path = c.Base.Path + target
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, u.String(), rd)
	if err != nil {
		return nil, err
	}
	if c.User != "" {
		req.SetBasicAuth(c.User, c.Password)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &Reply{Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

// StatusError describes an unexpected answer.
func StatusError(method string, r *Reply) error {
	snippet := strings.Join(strings.Fields(string(r.Body[:min(len(r.Body), 160)])), " ")
	return fmt.Errorf("%s: HTTP %d (%s) %s", method, r.Status, r.Header.Get("Content-Type"), snippet)
}

const xmlHeader = `<?xml version="1.0" encoding="utf-8"?>` + "\n"

// utc formats an instant as an iCalendar UTC date-time.
func utc(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// QueryBody is a calendar-query for the VEVENTs overlapping [from, to)
// with getetag and calendar-data, expanded when expand is set.
func QueryBody(from, to time.Time, expand bool) []byte {
	data := `<C:calendar-data/>`
	if expand {
		data = fmt.Sprintf(`<C:calendar-data><C:expand start="%s" end="%s"/></C:calendar-data>`, utc(from), utc(to))
	}
	return []byte(xmlHeader + `<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">` +
		`<D:prop><D:getetag/>` + data + `</D:prop>` +
		`<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">` +
		fmt.Sprintf(`<C:time-range start="%s" end="%s"/>`, utc(from), utc(to)) +
		`</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`)
}

// MultigetBody asks for getetag and calendar-data of the given objects.
func MultigetBody(base string, hrefs []string) []byte {
	var b strings.Builder
	b.WriteString(xmlHeader + `<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">`)
	b.WriteString(`<D:prop><D:getetag/><C:calendar-data/></D:prop>`)
	for _, h := range hrefs {
		b.WriteString("<D:href>")
		xml.EscapeText(&b, []byte(base+h))
		b.WriteString("</D:href>")
	}
	b.WriteString(`</C:calendar-multiget>`)
	return []byte(b.String())
}

// PropfindETagBody asks for getetag.
var PropfindETagBody = []byte(xmlHeader + `<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>`)

// SyncBody is a sync-collection report (RFC 6578) for getetag from token
// ("" for the initial sync).
func SyncBody(token string) []byte {
	var b strings.Builder
	b.WriteString(xmlHeader + `<D:sync-collection xmlns:D="DAV:"><D:sync-token>`)
	xml.EscapeText(&b, []byte(token))
	b.WriteString(`</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`)
	return []byte(b.String())
}

// FreeBusyBody is a free-busy-query over [from, to).
func FreeBusyBody(from, to time.Time) []byte {
	return []byte(xmlHeader + `<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav">` +
		fmt.Sprintf(`<C:time-range start="%s" end="%s"/>`, utc(from), utc(to)) + `</C:free-busy-query>`)
}

// MkcalendarBody creates a calendar for events and to-dos.
var MkcalendarBody = []byte(xmlHeader + `<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">` +
	`<D:set><D:prop><D:displayname>load</D:displayname>` +
	`<C:supported-calendar-component-set><C:comp name="VEVENT"/><C:comp name="VTODO"/></C:supported-calendar-component-set>` +
	`</D:prop></D:set></C:mkcalendar>`)

// Multistatus is the part of a 207 answer the tool reads.
type Multistatus struct {
	Responses []MSResponse `xml:"DAV: response"`
	SyncToken string       `xml:"DAV: sync-token"`
}

// MSResponse is one DAV:response.
type MSResponse struct {
	Href      string     `xml:"DAV: href"`
	Status    string     `xml:"DAV: status"`
	Propstats []Propstat `xml:"DAV: propstat"`
}

// Propstat is one DAV:propstat.
type Propstat struct {
	Status string `xml:"DAV: status"`
	Prop   struct {
		ETag         string `xml:"DAV: getetag"`
		CalendarData string `xml:"urn:ietf:params:xml:ns:caldav calendar-data"`
	} `xml:"DAV: prop"`
}

// ParseMultistatus decodes a 207 body.
func ParseMultistatus(body []byte) (*Multistatus, error) {
	var ms Multistatus
	if err := xml.Unmarshal(body, &ms); err != nil {
		return nil, err
	}
	return &ms, nil
}

// Member is one object of a multistatus answer.
type Member struct {
	Name    string // the last path segment of the href, unescaped
	Status  int    // of the response, or of the propstat that carries getetag
	ETag    string
	Data    string
	HasData bool
}

// Members returns the objects of a multistatus answer (not the collection
// itself, whose href ends with a slash).
func (ms *Multistatus) Members() []Member {
	var out []Member
	for _, r := range ms.Responses {
		href := strings.TrimSpace(r.Href)
		if strings.HasSuffix(href, "/") {
			continue
		}
		if u, err := url.PathUnescape(href); err == nil {
			href = u
		}
		m := Member{Name: path.Base(href), Status: statusCode(r.Status)}
		for _, ps := range r.Propstats {
			if code := statusCode(ps.Status); code == 200 {
				m.Status = 200
				m.ETag = strings.TrimSpace(ps.Prop.ETag)
				if ps.Prop.CalendarData != "" {
					m.Data, m.HasData = ps.Prop.CalendarData, true
				}
			} else if m.Status == 0 {
				m.Status = code
			}
		}
		out = append(out, m)
	}
	return out
}

// statusCode reads the code of an "HTTP/1.1 200 OK" line, 0 if absent.
func statusCode(s string) int {
	f := strings.Fields(s)
	if len(f) < 2 {
		return 0
	}
	var n int
	fmt.Sscanf(f[1], "%d", &n)
	return n
}

// CountResponses counts the DAV:href elements of a multistatus body that
// do not end with a slash (the members, not the collection), without an XML
// parser, so that the timed operations measure the server rather than
// encoding/xml.
func CountResponses(body []byte) int {
	n := 0
	for i := 0; ; {
		j := bytes.Index(body[i:], []byte("href>"))
		if j < 0 {
			return n
		}
		j += i
		// An opening tag: <href> or <prefix:href>.
		k := bytes.LastIndexByte(body[:j], '<')
		if k >= 0 && body[k+1] != '/' && !bytes.ContainsAny(body[k+1:j], " /") {
			end := bytes.IndexByte(body[j:], '<')
			if end > 0 {
				v := bytes.TrimSpace(body[j+5 : j+end])
				if len(v) > 0 && v[len(v)-1] != '/' {
					n++
				}
			}
		}
		i = j + 5
	}
}

// icalLine is one unfolded content line.
type icalLine struct {
	Name   string
	Params map[string]string
	Value  string
}

// icalLines unfolds and splits iCalendar text into content lines. It is
// only meant for the answers of the servers under test.
func icalLines(s string) []icalLine {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\n ", "")
	s = strings.ReplaceAll(s, "\n\t", "")
	var out []icalLine
	for _, line := range strings.Split(s, "\n") {
		if line == "" {
			continue
		}
		head, value, ok := splitContentLine(line)
		if !ok {
			continue
		}
		parts := strings.Split(head, ";")
		l := icalLine{Name: strings.ToUpper(parts[0]), Value: value, Params: map[string]string{}}
		for _, p := range parts[1:] {
			if k, v, ok := strings.Cut(p, "="); ok {
				l.Params[strings.ToUpper(k)] = strings.Trim(v, `"`)
			}
		}
		out = append(out, l)
	}
	return out
}

// splitContentLine splits at the first colon outside a quoted parameter
// value.
func splitContentLine(line string) (head, value string, ok bool) {
	quoted := false
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '"':
			quoted = !quoted
		case ':':
			if !quoted {
				return line[:i], line[i+1:], true
			}
		}
	}
	return "", "", false
}

// parseICalTime reads a DATE or DATE-TIME value with its TZID parameter.
// Unknown zones and floating times are taken as UTC.
func parseICalTime(value, tzid string) (time.Time, error) {
	if len(value) == 8 {
		return time.Parse("20060102", value)
	}
	if strings.HasSuffix(value, "Z") {
		return time.Parse("20060102T150405Z", value)
	}
	loc := time.UTC
	if l, ok := locations[tzid]; ok {
		loc = l
	}
	t, err := time.ParseInLocation("20060102T150405", value, loc)
	return t.UTC(), err
}
