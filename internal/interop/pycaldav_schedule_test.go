// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package interop

import (
	"encoding/json"
	"encoding/xml"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/almanac-project/almanac/ical"
)

// scheduleItem is one item of a scheduling inbox as pycaldav_schedule.py
// reports it.
type scheduleItem struct {
	URL    string
	Method string
	UID    string
	Invite bool
	Bob    string // bob's PARTSTAT in the item
}

// acceptResult is what the script reports of accept_invite().
type acceptResult struct {
	CopyURL string `json:"copy_url"`
	CopyBob string `json:"copy_bob"`
	Copies  int
	// Writes are the PUTs and POSTs accept_invite() sent.
	Writes []struct {
		URL     string
		Status  int
		Headers map[string]string
	}
}

// inviteResult is ann's copy after save_with_invites().
type inviteResult struct {
	URL       string
	Organizer string
	Bob       map[string]string // the parameters of bob's ATTENDEE
}

// TestInteropPythonCaldavSchedule drives python3-caldav 0.11's scheduling
// calls (RFC 6638) as two users of the real server: ann saves an event
// with save_with_invites(); bob finds the invitation with
// schedule_inbox().get_items() and answers it with accept_invite(); ann's
// copy and inbox show the answer; ann asks for bob's busy time with
// freebusy_request(); ann deletes the event and bob's copy is cancelled.
// A second invitation has a UID with a space, a colon and a slash, which
// accept_invite() turns into the URL it PUTs to (client-quirks §2).
func TestInteropPythonCaldavSchedule(t *testing.T) {
	requireInterop(t, []string{python}, "caldav", "icalendar")
	s := startServer(t)
	s.addUser(t, "ann")
	s.addUser(t, "bob")
	_, env := tempHome(t)
	out := mustRun(t, env, t.TempDir(), "", python, testdataPath(t, "pycaldav_schedule.py"), s.url("/"), s.password("ann"), s.password("bob"))
	var run pycaldavRun
	if err := json.Unmarshal([]byte(out.stdout), &run); err != nil {
		t.Fatalf("pycaldav_schedule.py printed no JSON: %v\nstdout:\n%s\nstderr:\n%s", err, out.stdout, out.stderr)
	}
	for _, h := range run.HTTP {
		if h.Status >= 500 {
			t.Errorf("%s %s = %d, want no server error\n%s", h.Method, h.URL, h.Status, h.Body)
		}
	}
	const (
		uid     = "pycaldav-schedule@example.org"
		awkward = "pycaldav/schedule 2:awkward@example.org"
	)

	var disc struct {
		AutoSchedule bool `json:"auto_schedule"`
		Addresses    []string
		Inbox        string
		Outbox       string
		BobInbox     string `json:"bob_inbox"`
	}
	if run.step(t, "discovery", &disc) {
		if !disc.AutoSchedule || disc.Inbox != calendarPath("ann", "inbox") || disc.Outbox != calendarPath("ann", "outbox") ||
			disc.BobInbox != calendarPath("bob", "inbox") || len(disc.Addresses) == 0 || disc.Addresses[0] != "mailto:ann@example.org" {
			t.Errorf("discovery: check_scheduling_support() %v, schedule_inbox() %q, schedule_outbox() %q, bob's inbox %q, calendar_user_address_set() %q; "+
				"want true, %s, %s, %s and mailto:ann@example.org first",
				disc.AutoSchedule, disc.Inbox, disc.Outbox, disc.BobInbox, disc.Addresses,
				calendarPath("ann", "inbox"), calendarPath("ann", "outbox"), calendarPath("bob", "inbox"))
		}
	}

	var inv inviteResult
	if run.step(t, "invite", &inv) {
		checkInvite(t, uid, inv)
	}

	var inbox struct {
		Items   []scheduleItem
		CopyURL string `json:"copy_url"`
		CopyBob string `json:"copy_bob"`
	}
	if run.step(t, "bob_inbox", &inbox) {
		if len(inbox.Items) != 1 || inbox.Items[0].UID != uid || inbox.Items[0].Method != "REQUEST" || !inbox.Items[0].Invite {
			t.Errorf("bob: schedule_inbox().get_items() = %+v, want one item, a REQUEST for %s that is_invite_request()", inbox.Items, uid)
		}
		// The copy the server delivered is <UID>.ics in bob's default
		// calendar, where accept_invite() will PUT (client-quirks §1).
		if want := calendarPath("bob", "calendar") + "pycaldav-schedule%40example.org.ics"; inbox.CopyURL != want || inbox.CopyBob != "NEEDS-ACTION" {
			t.Errorf("bob's copy is at %q with his PARTSTAT %q, want %s with NEEDS-ACTION", inbox.CopyURL, inbox.CopyBob, want)
		}
	}

	var acc acceptResult
	if run.step(t, "accept", &acc) {
		checkAccept(t, uid, acc)
	}

	var org struct{ Bob map[string]string }
	if run.step(t, "organizer_copy", &org) {
		if org.Bob["PARTSTAT"] != "ACCEPTED" || org.Bob["SCHEDULE-STATUS"] != "2.0" {
			t.Errorf("ann's copy after accept_invite(): bob's ATTENDEE has %v, want PARTSTAT=ACCEPTED and SCHEDULE-STATUS=2.0", org.Bob)
		}
	}

	var annInbox struct{ Items []scheduleItem }
	if run.step(t, "ann_inbox", &annInbox) {
		want := []scheduleItem{{Method: "REPLY", UID: uid, Bob: "ACCEPTED"}}
		got := slices.Clone(annInbox.Items)
		for i := range got {
			got[i].URL = ""
		}
		if !slices.Equal(got, want) {
			t.Errorf("ann: schedule_inbox().get_items() = %+v, want bob's REPLY accepting %s, not an invitation", annInbox.Items, uid)
		}
	}

	var fb struct {
		Returned    string
		PostStatus  int    `json:"post_status"`
		PostBody    string `json:"post_body"`
		RequestBody string `json:"request_body"`
	}
	if run.step(t, "freebusy", &fb) {
		checkScheduleFreeBusy(t, fb.PostStatus, fb.PostBody)
	}

	var cancel struct {
		Status   string
		BobItems []scheduleItem `json:"bob_items"`
	}
	if run.step(t, "cancel", &cancel) {
		cancels := slices.ContainsFunc(cancel.BobItems, func(it scheduleItem) bool { return it.Method == "CANCEL" && it.UID == uid })
		if cancel.Status != "CANCELLED" || !cancels {
			t.Errorf("after ann deleted the event: bob's copy has STATUS %q and his inbox %+v; want CANCELLED and a CANCEL for %s", cancel.Status, cancel.BobItems, uid)
		}
	}

	var odd struct {
		Invite       inviteResult
		Accept       acceptResult
		OrganizerBob map[string]string `json:"organizer_bob"`
	}
	if run.step(t, "awkward_uid", &odd) {
		checkInvite(t, awkward, odd.Invite)
		checkAccept(t, awkward, odd.Accept)
		if odd.OrganizerBob["PARTSTAT"] != "ACCEPTED" {
			t.Errorf("UID %q: ann's copy after accept_invite() has bob's ATTENDEE %v, want PARTSTAT=ACCEPTED", awkward, odd.OrganizerBob)
		}
	}
	if t.Failed() {
		t.Logf("pycaldav_schedule.py stderr:\n%s", out.stderr)
	}
}

// checkInvite checks ann's copy after save_with_invites(): ann is the
// ORGANIZER and bob was delivered to (RFC 6638 §3.2.9: 1.2).
func checkInvite(t *testing.T, uid string, inv inviteResult) {
	t.Helper()
	if !strings.HasPrefix(inv.URL, calendarPath("ann", "calendar")) || inv.Organizer != "mailto:ann@example.org" ||
		inv.Bob["PARTSTAT"] != "NEEDS-ACTION" || inv.Bob["SCHEDULE-STATUS"] != "1.2" {
		t.Errorf("UID %q: save_with_invites() saved %q; ann's copy has ORGANIZER %q and bob's ATTENDEE %v; want it in ann's calendar, ORGANIZER ann, bob NEEDS-ACTION with SCHEDULE-STATUS=1.2",
			uid, inv.URL, inv.Organizer, inv.Bob)
	}
}

// checkAccept checks what accept_invite() did: one PUT, answered 204, of
// the answered invitation over bob's copy (no second resource), which
// then shows him ACCEPTED. python3-caldav sends it without If-Match or
// If-Schedule-Tag-Match (client-quirks §2).
func checkAccept(t *testing.T, uid string, acc acceptResult) {
	t.Helper()
	if len(acc.Writes) != 1 || acc.Writes[0].Status != 204 || acc.Writes[0].URL != acc.CopyURL ||
		!strings.HasPrefix(acc.CopyURL, calendarPath("bob", "calendar")) {
		t.Errorf("UID %q: accept_invite() wrote %+v; want one PUT answered 204 to bob's copy %s", uid, acc.Writes, acc.CopyURL)
	}
	if acc.CopyBob != "ACCEPTED" || acc.Copies != 1 {
		t.Errorf("UID %q: after accept_invite() bob's calendar holds %d objects with the UID, his PARTSTAT %q; want one, ACCEPTED", uid, acc.Copies, acc.CopyBob)
	}
}

// checkScheduleFreeBusy checks the answer to freebusy_request() for bob
// over 2 March 2027 (RFC 6638 §5): a CALDAV:schedule-response whose one
// response is bob's, 2.0, with his meeting 14:00–15:00 UTC as busy time
// and nothing of the meeting itself. python3-caldav posts it to the outbox
// but cannot read a schedule-response (it expects a multistatus and
// returns nothing useful), so the script hands over the body it got.
func checkScheduleFreeBusy(t *testing.T, status int, body string) {
	t.Helper()
	if status != 200 {
		t.Errorf("freebusy_request(): the POST to ann's outbox = %d, want 200\n%s", status, body)
		return
	}
	var sr struct {
		XMLName   xml.Name
		Responses []struct {
			Recipient struct {
				Hrefs []string `xml:"DAV: href"`
			} `xml:"urn:ietf:params:xml:ns:caldav recipient"`
			Status string `xml:"urn:ietf:params:xml:ns:caldav request-status"`
			Data   string `xml:"urn:ietf:params:xml:ns:caldav calendar-data"`
		} `xml:"urn:ietf:params:xml:ns:caldav response"`
	}
	if err := xml.Unmarshal([]byte(body), &sr); err != nil || sr.XMLName.Local != "schedule-response" || len(sr.Responses) != 1 {
		t.Errorf("freebusy_request(): want a CALDAV:schedule-response with one response (RFC 6638 §10.1), got %v\n%s", err, body)
		return
	}
	r := sr.Responses[0]
	if !slices.Equal(r.Recipient.Hrefs, []string{"mailto:bob@example.org"}) || !strings.HasPrefix(r.Status, "2.0") ||
		strings.Contains(body, "SUMMARY") || strings.Contains(body, "Scheduled by") {
		t.Errorf("freebusy_request(): the answer for %q has status %q, or shows the meeting itself; want bob's, 2.0, busy time only:\n%s", r.Recipient.Hrefs, r.Status, body)
	}
	cal, err := ical.Parse([]byte(r.Data))
	if err != nil {
		t.Errorf("freebusy_request(): bob's calendar-data does not parse: %v\n%s", err, r.Data)
		return
	}
	start, end := time.Date(2027, 3, 2, 14, 0, 0, 0, time.UTC), time.Date(2027, 3, 2, 15, 0, 0, 0, time.UTC)
	covered := false
	for _, c := range cal.Components(ical.CompFreeBusy) {
		for _, p := range c.PropsNamed(ical.PropFreeBusy) {
			periods, err := p.Periods()
			if err != nil {
				t.Errorf("FREEBUSY:%s: %v", p.Value, err)
			}
			for _, pe := range periods {
				pend := pe.End.Wall
				if pe.HasDuration {
					pend = pe.Duration.AddWall(pe.Start.Wall)
				}
				covered = covered || !pe.Start.Wall.After(start) && !pend.Before(end)
			}
		}
	}
	if !covered {
		t.Errorf("freebusy_request(): bob's answer does not show %v–%v as busy:\n%s", start, end, r.Data)
	}
}
