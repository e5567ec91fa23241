// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import (
	"encoding/xml"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/almanac-project/almanac/internal/webdav"
)

// propFailure is why one property instruction failed.
type propFailure struct {
	status int
	cond   xml.Name // precondition for the propstat's DAV:error, or zero
}

// protected is the failure of writing a protected property (RFC 4918
// §16: DAV:cannot-modify-protected-property).
var protected = &propFailure{status: http.StatusForbidden, cond: webdav.Name("cannot-modify-protected-property")}

// liveAnywhere reports whether name is a live property of some kind of
// resource, which makes it protected wherever it is not writable.
func liveAnywhere(name xml.Name) bool {
	if name == pCalendarData {
		return true
	}
	for _, names := range liveNames {
		if slices.Contains(names, name) {
			return true
		}
	}
	return slices.Contains(inboxNames, name) || slices.Contains(outboxNames, name)
}

// knownComponents are the component types a calendar may be restricted
// to (RFC 4791 §5.2.3).
var knownComponents = []string{"VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "VAVAILABILITY"}

// setProp applies one set or remove instruction to c. creating allows
// the properties only MKCALENDAR and extended MKCOL may set. A live
// property of another kind of collection (the schedule-calendar-transp
// of a calendar on an inbox, say) is protected. The error is the
// backend's, looking up a calendar an href names.
func (h *Handler) setProp(rq *request, c *Calendar, op webdav.PropOp, creating bool) (*propFailure, error) {
	p := op.Prop
	val := p.TextContent()
	if liveAnywhere(p.Name) && !isLive(&resource{kind: kindCalendar, calendar: c}, p.Name) {
		return protected, nil
	}
	switch p.Name {
	case pScheduleCalendarTransp:
		// RFC 6638 §9.1: CALDAV:opaque (the default) or
		// CALDAV:transparent.
		if op.Remove {
			c.Transparent = false
			return nil, nil
		}
		if len(p.Children) != 1 {
			return &propFailure{status: http.StatusConflict}, nil
		}
		switch p.Children[0].Name {
		case webdav.CalName("opaque"):
			c.Transparent = false
		case webdav.CalName("transparent"):
			c.Transparent = true
		default:
			// RFC 4918 §9.2: 409 for a value the property cannot take.
			return &propFailure{status: http.StatusConflict}, nil
		}
		return nil, nil
	case pScheduleDefaultCalendarURL:
		return h.setDefaultCalendar(rq, c, op)
	case pCalendarAvailability:
		if op.Remove {
			c.Availability = ""
			return nil, nil
		}
		// RFC 7953 §7.2.4: one VAVAILABILITY, and VTIMEZONEs only.
		if !validAvailability(val) {
			return &propFailure{status: http.StatusForbidden, cond: webdav.CalName("valid-calendar-data")}, nil
		}
		c.Availability = val
		return nil, nil
	}
	return h.setCalendarProp(c, op, val, creating), nil
}

// setCalendarProp applies an instruction on a property of RFC 4918,
// RFC 4791 or Apple's, or a dead property.
func (h *Handler) setCalendarProp(c *Calendar, op webdav.PropOp, val string, creating bool) *propFailure {
	p := op.Prop
	switch p.Name {
	case pResourceType:
		if !creating {
			return protected
		}
		// RFC 5689 §3: the resource types must be ones the server can
		// create here: a calendar collection.
		if p.Child(webdav.Name("collection")) == nil || p.Child(webdav.CalName("calendar")) == nil || len(p.Children) != 2 {
			return &propFailure{status: http.StatusForbidden, cond: webdav.Name("valid-resourcetype")}
		}
		return nil
	case pSupportedCompSet:
		// RFC 4791 §5.2.3: set at creation only.
		if !creating || op.Remove {
			return protected
		}
		var comps []string
		for _, e := range p.ChildrenNamed(webdav.CalName("comp")) {
			name := strings.ToUpper(e.AttrValue("name"))
			if !slices.Contains(knownComponents, name) {
				return &propFailure{status: http.StatusForbidden, cond: webdav.CalName("supported-calendar-component")}
			}
			if !slices.Contains(comps, name) {
				comps = append(comps, name)
			}
		}
		if len(comps) == 0 {
			return &propFailure{status: http.StatusForbidden, cond: webdav.CalName("supported-calendar-component")}
		}
		c.Components = comps
		return nil
	case pDisplayName:
		c.DisplayName = removed(op, val)
		return nil
	case pCalendarDescription:
		c.Description = removed(op, val)
		return nil
	case pCalendarColor:
		c.Color = strings.TrimSpace(removed(op, val))
		return nil
	case pCalendarOrder:
		if op.Remove {
			c.Order = 0
			return nil
		}
		n, err := strconv.Atoi(strings.TrimSpace(val))
		if err != nil {
			// RFC 4918 §9.2: 409 for a value the property cannot take.
			return &propFailure{status: http.StatusConflict}
		}
		c.Order = n
		return nil
	case pCalendarTimezone:
		if op.Remove {
			c.Timezone = ""
			return nil
		}
		// RFC 4791 §5.2.2: one valid VTIMEZONE.
		if _, ok := parseTimezone(val, h.opt.Now()); !ok {
			return &propFailure{status: http.StatusForbidden, cond: webdav.CalName("valid-calendar-data")}
		}
		c.Timezone = val
		return nil
	}
	if liveAnywhere(p.Name) || p.Name.Space == "" {
		return protected
	}
	// A dead property (RFC 4918 §4.2).
	i := slices.IndexFunc(c.Props, func(d Property) bool { return d.Space == p.Name.Space && d.Local == p.Name.Local })
	if op.Remove {
		if i >= 0 {
			c.Props = slices.Delete(c.Props, i, i+1)
		}
		return nil
	}
	d := Property{Space: p.Name.Space, Local: p.Name.Local, XML: p.InnerXML()}
	if i >= 0 {
		c.Props[i] = d
	} else {
		c.Props = append(c.Props, d)
	}
	return nil
}

func removed(op webdav.PropOp, val string) string {
	if op.Remove {
		return ""
	}
	return val
}

// applyProps applies ops to c in document order, all or nothing (RFC 4918
// §9.2, RFC 4791 §5.3.1). It returns the propstat answer and whether
// everything succeeded; on failure the failed instructions carry their
// status and the others 424 (Failed Dependency). The error is the
// backend's.
func (h *Handler) applyProps(rq *request, c *Calendar, ops []webdav.PropOp, creating bool) (*webdav.Response, bool, error) {
	resp := &webdav.Response{}
	failures := make([]*propFailure, len(ops))
	ok := true
	for i, op := range ops {
		f, err := h.setProp(rq, c, op, creating)
		if err != nil {
			return nil, false, err
		}
		failures[i] = f
		if f != nil {
			ok = false
		}
	}
	for i, op := range ops {
		el := webdav.NewElement(op.Prop.Name)
		switch f := failures[i]; {
		case ok:
			resp.Add(http.StatusOK, el)
		case f == nil:
			resp.Add(http.StatusFailedDependency, el)
		case f.cond.Local != "":
			resp.Propstats = append(resp.Propstats, &webdav.Propstat{Status: f.status, Props: []*webdav.Element{el},
				Error: webdav.NewElement(webdav.Name("error"), webdav.NewElement(f.cond))})
		default:
			resp.Add(f.status, el)
		}
	}
	return resp, ok, nil
}

// proppatch answers PROPPATCH (RFC 4918 §9.2). Only calendar collections
// and scheduling inboxes and outboxes have writable properties:
// displayname, dead properties, and on a calendar calendar-description,
// calendar-timezone, schedule-calendar-transp (RFC 6638 §9.1) and the
// Apple calendar-color and calendar-order; on an inbox calendar-timezone,
// schedule-default-calendar-URL (RFC 6638 §9.2) and calendar-availability
// (RFC 7953 §7.2.4). Other live properties are protected.
func (h *Handler) proppatch(w http.ResponseWriter, r *http.Request, rq *request) error {
	root, err := webdav.ReadXML(r, 0)
	if err != nil {
		return err
	}
	ops, err := webdav.ParsePropertyUpdate(root)
	if err != nil {
		return err
	}
	res := rq.res
	if err := h.load(rq.ctx, res); err != nil {
		return err
	}
	var resp *webdav.Response
	if res.kind == kindCalendar {
		c := *res.calendar
		c.Props = slices.Clone(c.Props)
		c.Components = slices.Clone(c.Components)
		var ok bool
		resp, ok, err = h.applyProps(rq, &c, ops, false)
		if err != nil {
			return err
		}
		if ok && len(ops) > 0 {
			if err := h.b.UpdateCalendar(rq.ctx, &c); err != nil {
				return err
			}
		}
	} else {
		// Nothing is writable here: every instruction fails.
		resp = &webdav.Response{}
		for _, op := range ops {
			el := webdav.NewElement(op.Prop.Name)
			if liveAnywhere(op.Prop.Name) {
				resp.Propstats = append(resp.Propstats, &webdav.Propstat{Status: http.StatusForbidden, Props: []*webdav.Element{el},
					Error: webdav.NewElement(webdav.Name("error"), webdav.NewElement(protected.cond))})
			} else {
				resp.Add(http.StatusForbidden, el)
			}
		}
	}
	resp.Href = h.href(res)
	mw := webdav.NewMultistatusWriter(w)
	if err := mw.Write(resp); err != nil {
		return err
	}
	return mw.Close()
}
