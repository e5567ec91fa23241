// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package webdav

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"net/http"
	"slices"
)

// Response is a DAV:response element (RFC 4918 §14.24): either a status
// for the href (Status non-zero) or property results (Propstats).
type Response struct {
	// Href is the escaped href as it must appear on the wire.
	Href string
	// Status is the status of a response without properties.
	Status int
	// Propstats are the property results, in order.
	Propstats []*Propstat
	// Error is an optional DAV:error element.
	Error *Element
	// Children are further elements after the status or propstats, such
	// as the DAV:response elements of an expand-property report (RFC 3253
	// §3.8).
	Children []*Element
}

// Propstat is a DAV:propstat element (RFC 4918 §14.22).
type Propstat struct {
	Status int
	Props  []*Element
	// Error is an optional DAV:error element, such as
	// DAV:cannot-modify-protected-property.
	Error *Element
}

// Add appends prop to the propstat of status, creating it if needed;
// the 200 propstat always comes first.
func (r *Response) Add(status int, prop *Element) {
	for _, ps := range r.Propstats {
		if ps.Status == status && ps.Error == nil {
			ps.Props = append(ps.Props, prop)
			return
		}
	}
	ps := &Propstat{Status: status, Props: []*Element{prop}}
	if status == http.StatusOK {
		r.Propstats = slices.Insert(r.Propstats, 0, ps)
	} else {
		r.Propstats = append(r.Propstats, ps)
	}
}

// Element returns r as a DAV:response element.
func (r *Response) Element() *Element {
	e := NewElement(Name("response"), Href(r.Href))
	if len(r.Propstats) == 0 || r.Status != 0 {
		status := r.Status
		if status == 0 {
			status = http.StatusOK
		}
		e.Children = append(e.Children, TextElement(Name("status"), StatusLine(status)))
	}
	for _, ps := range r.Propstats {
		pe := NewElement(Name("propstat"), NewElement(Name("prop"), ps.Props...), TextElement(Name("status"), StatusLine(ps.Status)))
		if ps.Error != nil {
			pe.Children = append(pe.Children, ps.Error)
		}
		e.Children = append(e.Children, pe)
	}
	if r.Error != nil {
		e.Children = append(e.Children, r.Error)
	}
	e.Children = append(e.Children, r.Children...)
	return e
}

// StatusLine returns the DAV:status text of code (RFC 4918 §14.28).
func StatusLine(code int) string {
	text := http.StatusText(code)
	if code == http.StatusMultiStatus {
		text = "Multi-Status"
	}
	return fmt.Sprintf("HTTP/1.1 %d %s", code, text)
}

// MultistatusWriter streams a 207 DAV:multistatus body (RFC 4918 §13):
// the status and the opening tag are written with the first response, so
// a handler can still answer with an error before that.
type MultistatusWriter struct {
	w       http.ResponseWriter
	bw      *bufio.Writer
	started bool
	err     error
}

// NewMultistatusWriter returns a writer on w.
func NewMultistatusWriter(w http.ResponseWriter) *MultistatusWriter {
	return &MultistatusWriter{w: w}
}

// Started reports whether the status line has been written.
func (m *MultistatusWriter) Started() bool { return m.started }

func (m *MultistatusWriter) start() {
	if m.started {
		return
	}
	m.started = true
	m.w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	m.w.WriteHeader(http.StatusMultiStatus)
	m.bw = bufio.NewWriterSize(m.w, 32<<10)
	enc := encoder{w: m.bw}
	enc.write(xml.Header)
	enc.start(&Element{Name: Name("multistatus")}, true)
	enc.write(">")
	m.err = enc.err
}

// Write writes one response.
func (m *MultistatusWriter) Write(r *Response) error {
	m.start()
	if m.err != nil {
		return m.err
	}
	enc := encoder{w: m.bw}
	enc.write("\n ")
	enc.element(r.Element(), 1)
	m.err = enc.err
	return m.err
}

// Close writes the elements after the responses (such as DAV:sync-token,
// RFC 6578 §6.4) and the closing tag, and flushes.
func (m *MultistatusWriter) Close(extra ...*Element) error {
	m.start()
	if m.err != nil {
		return m.err
	}
	enc := encoder{w: m.bw}
	for _, e := range extra {
		enc.write("\n ")
		enc.element(e, 1)
	}
	enc.write("\n</D:multistatus>\n")
	if enc.err != nil {
		return enc.err
	}
	return m.bw.Flush()
}

// WriteXML writes a complete XML response with status code and root
// element e.
func WriteXML(w http.ResponseWriter, code int, e *Element) error {
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(code)
	bw := bufio.NewWriter(w)
	enc := encoder{w: bw}
	enc.write(xml.Header)
	enc.root(e, 0)
	enc.write("\n")
	if enc.err != nil {
		return enc.err
	}
	return bw.Flush()
}
