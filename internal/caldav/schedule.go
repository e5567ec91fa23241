// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/ical/tz"
	"github.com/almanac-project/almanac/internal/webdav"
)

// Scheduler is implemented by backends that do CalDAV scheduling (RFC
// 6638). The handler advertises "calendar-auto-schedule" in the DAV header,
// serves the inbox and outbox, and accepts POST on the outbox only when the
// backend implements it.
//
// The inbox and outbox themselves are Calendars of Kind "inbox" and
// "outbox", named by Principal.Inbox and Principal.Outbox; their
// Privileges carry the scheduling privileges of RFC 6638 §6 (the owner of
// an outbox needs PrivScheduleSendFreeBusy to POST to it).
type Scheduler interface {
	// ScheduleFreeBusy answers a VFREEBUSY request POSTed to owner's
	// outbox (RFC 6638 §5, Appendix B.5) by the owner. msg is the parsed
	// VCALENDAR, already checked to be METHOD:REQUEST with one VFREEBUSY
	// whose ORGANIZER is one of the owner's addresses, with DTSTART and
	// DTEND in UTC and at least one ATTENDEE. The result has one
	// response per ATTENDEE, in order. A failed precondition is a
	// *ScheduleError.
	ScheduleFreeBusy(ctx context.Context, owner string, msg *ical.Component) ([]ScheduleResponse, error)
}

// ScheduleResponse is the outcome for one recipient of a POST to an
// outbox: a CALDAV:response of the CALDAV:schedule-response (RFC 6638
// §10.2).
type ScheduleResponse struct {
	Recipient   string // calendar user address
	Status      string // REQUEST-STATUS value, e.g. "2.0;Success" or "3.7;Invalid calendar user"
	Data        []byte // CALDAV:calendar-data: a VCALENDAR METHOD:REPLY with the VFREEBUSY, or nil
	Description string // DAV:responsedescription, optional
}

// ScheduleError is a failed RFC 6638 precondition, e.g.
// "valid-scheduling-message", "valid-organizer",
// "unique-scheduling-object-resource", "same-organizer-in-all-components",
// "allowed-organizer-scheduling-object-change",
// "allowed-attendee-scheduling-object-change",
// "valid-schedule-default-calendar-URL", "default-calendar-needed". The
// handler answers with the CALDAV: element of that name in a DAV:error
// body and the status the RFC gives it: 400 for valid-scheduling-message
// (§5.2.1), 403 for the others (§3.2.4, §4.3.1, §5.2.2).
type ScheduleError struct {
	// Condition is the local name of the CALDAV: precondition element.
	Condition string
	// Msg is a short public explanation.
	Msg string
	// Err is the cause, for the log.
	Err error
	// Href optionally names the resource the condition is about, such
	// as the scheduling object resource that already uses the UID for
	// unique-scheduling-object-resource (§3.2.4.1): a path as
	// UIDConflictError.Href has it. It becomes the element's DAV:href.
	Href string
}

func (e *ScheduleError) Error() string {
	msg := "caldav: " + e.Condition
	if e.Msg != "" {
		msg += ": " + e.Msg
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *ScheduleError) Unwrap() error { return e.Err }

// PrivilegeError is DAV:need-privileges (RFC 3744 §7.1.1) naming what the
// current user lacks on which resource, for a backend to return when the
// privilege is not on the resource of the request: CALDAV:schedule-send-
// invite on the organizer's outbox when a PUT would send invitations (RFC
// 6638 §6.2.2, Appendix B.6), say. The handler answers 403.
type PrivilegeError struct {
	// Path names the resource as UIDConflictError.Href does, such as
	// "calendars/wilfredo/outbox/".
	Path string
	// Privilege is the privilege missing: one bit, or an aggregate
	// (PrivScheduleSend), which is named by its own element.
	Privilege Privileges
}

func (e *PrivilegeError) Error() string {
	return fmt.Sprintf("caldav: privilege %#x needed on %s", uint32(e.Privilege), e.Path)
}

// status is the HTTP status of the precondition.
func (e *ScheduleError) status() int {
	if e.Condition == "valid-scheduling-message" {
		// RFC 6638 §5.2.1: "Use with: 400 Bad Request".
		return http.StatusBadRequest
	}
	return http.StatusForbidden
}

// scheduler returns the backend's Scheduler, or nil.
func (h *Handler) scheduler() Scheduler {
	s, _ := h.b.(Scheduler)
	return s
}

// Kinds of collections (Calendar.Kind).
const (
	kindNameCalendar = "calendar"
	kindNameInbox    = "inbox"
	kindNameOutbox   = "outbox"
)

// isScheduling reports whether c is a scheduling inbox or outbox.
func isScheduling(c *Calendar) bool {
	return c != nil && (c.Kind == kindNameInbox || c.Kind == kindNameOutbox)
}

// noSchedulingMembers refuses to create a member of a scheduling inbox or
// outbox with PUT, COPY or MOVE. Scheduling messages are put into an inbox
// by the server alone (RFC 6638 §4), and an outbox has no members (§2.1:
// "reserved for future revisions"). RFC 6638 names no status for this; it
// is 403, the status RFC 4791 §1.3 gives to a request that will always
// fail, rather than 405, since the same method is allowed on members of
// calendar collections.
func noSchedulingMembers(c *Calendar) error {
	if !isScheduling(c) {
		return nil
	}
	return &webdav.Error{Code: http.StatusForbidden, Msg: "scheduling collections are written by the server only"}
}

// parseScheduleHeaders reads If-Schedule-Tag-Match (RFC 6638 §8.3) and
// Schedule-Reply (§8.1) into cond. A schedule tag that is not one
// opaque-tag, and a Schedule-Reply other than T or F, are 400.
func parseScheduleHeaders(h http.Header, cond *Conditions) error {
	if vs := h.Values("If-Schedule-Tag-Match"); vs != nil {
		if len(vs) != 1 || !isOpaqueTag(strings.TrimSpace(vs[0])) {
			return &webdav.Error{Code: http.StatusBadRequest, Msg: "If-Schedule-Tag-Match must be one quoted opaque-tag"}
		}
		cond.IfScheduleTag = strings.TrimSpace(vs[0])
	}
	if vs := h.Values("Schedule-Reply"); vs != nil {
		// RFC 6638 §8.1: Schedule-Reply = "T" | "F" (case-insensitive
		// as every quoted string of RFC 5234 ABNF).
		if len(vs) != 1 {
			return &webdav.Error{Code: http.StatusBadRequest, Msg: "Schedule-Reply must be T or F"}
		}
		switch strings.ToUpper(strings.TrimSpace(vs[0])) {
		case "T":
		case "F":
			cond.NoScheduleReply = true
		default:
			return &webdav.Error{Code: http.StatusBadRequest, Msg: "Schedule-Reply must be T or F"}
		}
	}
	return nil
}

// isOpaqueTag reports whether s is an opaque-tag (RFC 6638 §8.3 citing RFC
// 2616 §3.11): a quoted string, here of the entity-tag characters of RFC
// 9110 §8.8.3 (no weak prefix, no quote, no control or space).
func isOpaqueTag(s string) bool {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		if c := s[i]; c == '"' || c <= 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}

// checkScheduleTag is the If-Schedule-Tag-Match test of RFC 6638
// §3.2.10.1 and §3.2.10.2 against the current object (nil when there is
// none): anything but a match is 412.
func checkScheduleTag(tag string, cur *Object) error {
	if tag == "" {
		return nil
	}
	if cur == nil || cur.ScheduleTag == "" || cur.ScheduleTag != tag {
		return &webdav.Error{Code: http.StatusPreconditionFailed, Msg: "schedule tag does not match"}
	}
	return nil
}

// setScheduleTag sets the Schedule-Tag response header (RFC 6638 §8.2)
// when tag is not empty.
func setScheduleTag(w http.ResponseWriter, tag string) {
	if tag != "" {
		w.Header().Set("Schedule-Tag", tag)
	}
}

// setDefaultCalendar applies a PROPPATCH instruction on the
// CALDAV:schedule-default-calendar-URL of inbox c (RFC 6638 §9.2): no
// DAV:href (or remove) means no default calendar; one DAV:href must name
// a calendar collection of the same home that supports VEVENT (§4.3: "a
// valid calendar collection belonging to the owner of the scheduling
// Inbox collection"), else 403 CALDAV:valid-schedule-default-calendar-URL
// (§4.3.1.2).
func (h *Handler) setDefaultCalendar(rq *request, c *Calendar, op webdav.PropOp) (*propFailure, error) {
	hrefs := op.Prop.ChildrenNamed(webdav.Name("href"))
	if op.Remove || len(hrefs) == 0 {
		c.DefaultCalendar = ""
		return nil, nil
	}
	invalid := &propFailure{status: http.StatusForbidden, cond: webdav.CalName("valid-schedule-default-calendar-URL")}
	if len(hrefs) > 1 {
		return invalid, nil
	}
	p, err := hrefPath(strings.TrimSpace(hrefs[0].Text))
	if err != nil {
		return invalid, nil
	}
	target, err := h.route(p)
	if err != nil || target.kind != kindCalendar || target.owner != c.Owner {
		return invalid, nil
	}
	cal, err := h.b.Calendar(rq.ctx, target.owner, target.cal)
	switch {
	case isNotFound(err) || errors.Is(err, ErrForbidden):
		return invalid, nil
	case err != nil:
		return nil, err
	case cal.Kind != kindNameCalendar || !slices.Contains(components(cal), ical.CompEvent):
		return invalid, nil
	}
	c.DefaultCalendar = cal.Name
	return nil, nil
}

// validAvailability checks a CALDAV:calendar-availability value (RFC 7953
// §7.2.4): one iCalendar object holding exactly one VAVAILABILITY and
// otherwise only VTIMEZONE components, without validation errors. TZIDs
// may name IANA or Windows zones without a VTIMEZONE (RFC 7809), as in the
// example of §7.2.4.
func validAvailability(text string) bool {
	dec := ical.NewDecoder(strings.NewReader(text))
	cal, err := dec.Decode()
	if err != nil || cal.Component == nil || cal.Name != ical.CompCalendar {
		return false
	}
	if _, err := dec.DecodeComponent(); !errors.Is(err, io.EOF) {
		return false
	}
	n := 0
	for _, c := range cal.Children {
		switch c.Name {
		case ical.CompAvailability:
			n++
		case ical.CompTimezone:
		default:
			return false
		}
	}
	if n != 1 {
		return false
	}
	zones := tz.NewResolver(cal.Component, tz.ResolverOptions{})
	for _, p := range ical.Validate(cal.Component, ical.ValidateOptions{KnownTZID: zones.Known}) {
		if p.Severity == ical.SeverityError {
			return false
		}
	}
	return true
}
