// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package imip

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/itip"
)

// outcome is what an inbound iMIP processor does with a message.
type outcome string

const (
	outOK         outcome = "ok"          // ITIP returns an iTIP message
	outBounce     outcome = "bounce"      // a delivery status notification
	outAutoReply  outcome = "auto-reply"  // an automatic reply
	outNoCalendar outcome = "no calendar" // ErrNoCalendar
	outMalformed  outcome = "malformed"   // ErrMalformed: a calendar part that cannot be used
)

// corpusWant is the expected classification of one corpus file, written
// from its row in testdata/corpus/manifest.md (METHOD, component, reject
// reason) and checked by reading the file.
type corpusWant struct {
	file      string
	outcome   outcome
	method    string // METHOD of the iTIP message
	component string // its main component type
	// uid is the UID of the iTIP message; for a bounce, Bounce.UID.
	uid string
	// sender is the From: address of an e-mail; for a bare calendar, the
	// originator of RFC 5546 §1.4: the ORGANIZER, or the ATTENDEE of a
	// REPLY, COUNTER or REFRESH.
	sender string
	// valid is the verdict of itip.Validate in interop mode with
	// itip.KnownTZID.
	valid bool
	// reason is, for an invalid iTIP message, "PROPERTY rule" of its first
	// error; for another outcome than ok, a part of the error of ITIP.
	reason string
}

// corpusTable classifies every file of testdata/corpus. Files whose
// outcome differs from the manifest's METHOD column carry a comment.
var corpusTable = []corpusWant{
	// A DSN (RFC 3464), also marked Auto-Submitted: auto-replied.
	{"apple-ccs/dsn_failure_no_ics.eml", outBounce, "", "", "", "MAILER-DAEMON@mail-out4.example.com", false, "automatic message"},
	{"apple-ccs/dsn_failure_no_original.eml", outBounce, "", "", "", "MAILER-DAEMON@relay11.example.com", false, "automatic message"},
	// The manifest's REQUEST is the returned invitation inside the DSN: a
	// bounce, never processed as iTIP; its UID is Bounce.UID.
	{"apple-ccs/dsn_failure_with_ics.eml", outBounce, "", "", "1E71F9C8-AEDA-48EB-98D0-76E898F6BB5C", "MAILER-DAEMON@relay11.example.com", false, "automatic message"},
	{"apple-ccs/good_reply.eml", outOK, "REPLY", "VEVENT", "1E71F9C8-AEDA-48EB-98D0-76E898F6BB5C", "xyzzy@example.com", true, ""},
	{"apple-ccs/good_reply_future.eml", outOK, "REPLY", "VEVENT", "1E71F9C8-AEDA-48EB-98D0-76E898F6BB5C", "xyzzy@example.com", true, ""},
	{"apple-ccs/good_reply_past.eml", outOK, "REPLY", "VEVENT", "1E71F9C8-AEDA-48EB-98D0-76E898F6BB5C", "xyzzy@example.com", true, ""},
	{"apple-ccs/reply_missing_attachment.eml", outNoCalendar, "", "", "", "xyzzy@example.com", false, "no iTIP calendar"},
	{"apple-ccs/reply_missing_attendee.eml", outOK, "REPLY", "VEVENT", "1E71F9C8-AEDA-48EB-98D0-76E898F6BB5C", "xyzzy@example.com", false, "ATTENDEE presence"},
	// Lacks the ATTENDEE too; interop mode accepts a REPLY without
	// ORGANIZER (Outlook, imip-quirks §2.4.20), so ATTENDEE is the reason.
	{"apple-ccs/reply_missing_organizer.eml", outOK, "REPLY", "VEVENT", "1E71F9C8-AEDA-48EB-98D0-76E898F6BB5C", "xyzzy@example.com", false, "ATTENDEE presence"},
	// Concatenated objects (listed, not counted, in the manifest); see
	// TestCorpusConcatenated.
	{"ical4j/incoming.ics", outMalformed, "", "", "", "", false, "several iCalendar objects"},
	{"ical4j/outlook-TZ-set-to-utc.ics", outOK, "PUBLISH", "VEVENT", "56e9e5d6-acb2-418d-ad60-3e12061ff8bf.calendar.gmx.com", "begenda.qa1@gmx.com", false, "SUMMARY presence"},
	{"ical4j/outlook11-Standup.ics", outOK, "PUBLISH", "VEVENT", "040000008200E00074C5B7101A82E008000000002079F2E4D4A3C9010000000000000000100000006C4B4F5EBD28AD43BB7F772276780C54", "ben.fortuna@example.com", true, ""},
	{"ical4j/outlook15-TZ-no-description.ics", outOK, "PUBLISH", "VEVENT", "56e9e5d6-acb2-418d-ad60-3e12061ff8bf.calendar.gmx.com", "begenda.qa1@gmx.com", false, "SUMMARY presence"},
	{"ical4j/windows-live-outlook1.ics", outOK, "REQUEST", "VEVENT", "9177c616-46dc-4755-bab1-5fdfecd31b6b", "abc@outlook.com", true, ""},
	{"ical4j/windows-live-outlook2.ics", outOK, "REQUEST", "VEVENT", "181547ec-4781-453c-a50f-2064f46fa118", "begendatest01@outlook.com", true, ""},
	{"ical4j/yahoo1.ics", outOK, "REQUEST", "VEVENT", "19df7f27-3f11-4c04-bf80-9df63e1be04d", "abc@yahoo.com", true, ""},
	{"kde/itip-event-counterproposal-declined.ical", outOK, "DECLINECOUNTER", "VEVENT", "libkcal-1387792342.429", "testusera@example.com", false, "SEQUENCE presence"},
	{"kde/itip-event-counterproposal.ical", outOK, "COUNTER", "VEVENT", "libkcal-1387792342.429", "testuserd@example.com", false, "SEQUENCE presence"},
	{"kde/itip-event-delegation-request.ical", outOK, "REQUEST", "VEVENT", "libkcal-1387792342.429", "testusera@example.com", true, ""},
	{"kde/itip-todo.ical", outOK, "REQUEST", "VTODO", "libkcal-336776170.1020", "testusera@example.com", false, "DTSTART presence"},
	// The 53 RFC 2446 examples in one file; libical/2446-split/ has them
	// one per file.
	{"libical/2446.ics", outMalformed, "", "", "", "", false, "several iCalendar objects"},
	// multipart/alternat and a part header starting with a space: no
	// calendar part is reachable (the calendar text is in a text/plain
	// body).
	{"libical/complex-mime-error.eml", outNoCalendar, "", "", "", "foo1@example.com", false, "no iTIP calendar"},
	{"libical/complex-mime.eml", outOK, "REQUEST", "VEVENT", "calsvr.example.com-873970198738777-8aa", "foo1@example.com", false, "DTEND value"},
	// Concatenated objects, as ical4j/incoming.ics.
	{"libical/incoming.ics", outMalformed, "", "", "", "", false, "several iCalendar objects"},
	{"libical/simple-mime.eml", outOK, "REQUEST", "VEVENT", "calsvr.example.com-873970198738777-8aa", "foo1@example.com", true, ""},
	{"linagora/exchange-romance-standard-time.ics", outOK, "REQUEST", "VEVENT", "040000008200E00074C5B7101A82E00800000000602312E836EDD90100000000000000001000000009C40B24EBC55C49B5E76D3C60DFC74F", "bob@example.com", true, ""},
	{"linagora/meeting_without_sequence.ics", outOK, "REQUEST", "VEVENT", "f1514f44bf39311568d64072ac247c17656ceafde3b4b3eba961c8c5184cdc6ee047feb2aab16e43439a608f28671ab7c10e754c301b1e32001ad51dd20eac2fc7af20abf4093bbe", "attendee1@linagora.com", true, ""},
	{"linagora/obm-meeting.ics", outOK, "REQUEST", "VEVENT", "ea127690-0440-404b-af98-9823c855a283", "ouazana@domain.tld", true, ""},
	{"linagora/openpaas-cancel-ics-attachment.eml", outOK, "CANCEL", "VEVENT", "ea127690-0440-404b-af98-9823c855a283", "alice@james.org", false, "STATUS status"},
	{"linagora/openpaas-invite-ics-attachment.eml", outOK, "REQUEST", "VEVENT", "ea127690-0440-404b-af98-9823c855a283", "alice@do.main.tld", true, ""},
	// The calendar sits where the part header should be: the text/calendar
	// part is empty, and is refused cleanly.
	{"linagora/thunderbird-reply-ics_in_header.eml", outMalformed, "", "", "", "alice@linagora.com", false, "no VCALENDAR"},
	{"misc/exchange2013-resource-request-m0020.eml", outOK, "REQUEST", "VEVENT", "040000008200E00074C5B7101A82E008000000006055F2A81B4ACF01000000000000000010000000B361C9BCE384F548A0527FAF6CC1EDC2", "newsletter@finntack.com", true, ""},
	{"misc/salesforce-vobject_0050.ics", outOK, "REQUEST", "VEVENT", "appointments@wellsfargo.com", "appointments@wellsfargo.com", false, "ATTENDEE presence"},
	{"nextcloud-mail/request_application_ics.eml", outOK, "REQUEST", "VEVENT", "69d4c40b4a274636bf23517938df9673@example.org", "alice@example.org", true, ""},
	{"nextcloud-mail/request_google.eml", outOK, "REQUEST", "VEVENT", "69d4c40b4a274636bf23517938df9673@example.org", "alice@example.org", true, ""},
	{"nextcloud-mail/request_outlook_com.eml", outOK, "REQUEST", "VEVENT", "1F0BD3F6FEFC421AAA5BE992D6992B6A", "alice@example.org", true, ""},
	{"nextcloud-mail/request_proton_bridge.eml", outOK, "REQUEST", "VEVENT", "69d4c40b4a274636bf23517938df9673@example.org", "alice@example.org", true, ""},
	{"nylas/bogus_sequence_number.ics", outOK, "REQUEST", "VEVENT", "234252cccc@google.com", "test2@example.com", true, ""},
	{"nylas/data-invite.ics", outOK, "REQUEST", "VEVENT", "3f449c2mddkrkat2e803koqgt8@google.com", "charles@inboxapp.com", true, ""},
	{"nylas/event_with_no_participants.ics", outOK, "REQUEST", "VEVENT", "8153F823-B9F1-4BE0-ADFB-5FEEB01C08A9", "2_hezdsojzgeztsmjzgi4tsojrgnoifyhpytdqmciaf5u2j7kguydtwmzsmex4qj23absxjo6rjcxda@imip.me.com", false, "ATTENDEE presence"},
	{"nylas/event_without_sequence.ics", outOK, "REQUEST", "VEVENT", "8153F823-B9F1-4BE0-ADFB-5FEEB01C08A9", "2_hezdsojzgeztsmjzgi4tsojrgnoifyhpytdqmciaf5u2j7kguydtwmzsmex4qj23absxjo6rjcxda@imip.me.com", false, "ATTENDEE presence"},
	{"nylas/gcal_recur.ics", outOK, "REQUEST", "VEVENT", "flg2h6nam1cb1uqetgfkslrfrc@google.com", "foobar@nilas.com", true, ""},
	{"nylas/gcal_v1.ics", outOK, "REQUEST", "VEVENT", "jvbroggos139aumnj4p5og9rd0@google.com", "karim@nilas.com", true, ""},
	{"nylas/gcal_v2.ics", outOK, "REQUEST", "VEVENT", "jvbroggos139aumnj4p5og9rd0@google.com", "karim@nilas.com", true, ""},
	{"nylas/google_cancelled1.ics", outOK, "REQUEST", "VEVENT", "c74p2nmutcd0kt69ku7rs8vu2g@google.com", "inboxapptest.french@gmail.com", true, ""},
	{"nylas/google_cancelled2.ics", outOK, "CANCEL", "VEVENT", "c74p2nmutcd0kt69ku7rs8vu2g@google.com", "inboxapptest.french@gmail.com", true, ""},
	{"nylas/icloud_cancelled1.ics", outOK, "REQUEST", "VEVENT", "5919D444-7C99-4687-A526-FC5D10091318", "2_addr@imip.me.com", true, ""},
	{"nylas/icloud_cancelled2.ics", outOK, "CANCEL", "VEVENT", "5919D444-7C99-4687-A526-FC5D10091318", "invalid@example.com", true, ""},
	{"nylas/icloud_oneday_event.ics", outOK, "REQUEST", "VEVENT", "8153F823-B9F1-4BE0-ADFB-5FEEB01C08A9", "2_hezdsojzgeztsmjzgi4tsojrgnoifyhpytdqmciaf5u2j7kguydtwmzsmex4qj23absxjo6rjcxda@imip.me.com", true, ""},
	{"nylas/invalid_rsvp.ics", outOK, "REPLY", "VEVENT", "234252$cccc@nylas.com", "karim@example.com", true, ""},
	{"nylas/invalid_rsvp2.ics", outOK, "REPLY", "VEVENT", "234252cccc@google.com", "karim@example.com", true, ""},
	{"nylas/invite_w_rsvps1.ics", outOK, "REQUEST", "VEVENT", "040000008200E00074C5B7101A82E00800000000F9125A30B06BD0010000000000000000100000009D791C7548BFD144BFA54F14213CAD25", "test2@example.com", true, ""},
	{"nylas/invite_w_rsvps2.ics", outOK, "REPLY", "VEVENT", "cccc@nylas.com", "test1@example.com", true, ""},
	{"nylas/invite_w_rsvps3.ics", outOK, "REPLY", "VEVENT", "cccc@nylas.com", "karim@example.com", true, ""},
	{"nylas/invite_w_rsvps_4.ics", outOK, "REPLY", "VEVENT", "cccc@nylas.com", "karim@example.com", true, ""},
	{"nylas/iphone_through_exchange.ics", outOK, "REQUEST", "VEVENT", "091BD1D08D29478193C4AD1C0E60965400000000000000000000000000000000", "inbox.apptest2@inboxapp.onmicrosoft.com", true, ""},
	{"nylas/meetup_infinite.ics", outOK, "PUBLISH", "VEVENT", "", "info@meetup.com", false, "UID presence"},
	{"nylas/multiple_events.ics", outOK, "REQUEST", "VEVENT", "8153F823-B9F1-4BE0-ADFB-5FEEB01C08A9", "2_hezdsojzgeztsmjzgi4tsojrgnoifyhpytdqmciaf5u2j7kguydtwmzsmex4qj23absxjo6rjcxda@imip.me.com", false, "ATTENDEE presence"},
	{"nylas/multiple_summaries.ics", outOK, "REQUEST", "VEVENT", "jvbogoss39aumnj4p5og9rd0@google.com", "test@nilas.com", false, "SUMMARY presence"},
	// The manifest's "(none)" is a strict parser failing on the leading
	// white-space line; Parse skips it and finds the iCloud REQUEST.
	{"nylas/raw_message_with_ical_invite.eml", outOK, "REQUEST", "VEVENT", "65BEB44C-9B9F-4DE3-BA5F-8153629CA077", "noreply@insideicloud.icloud.com", true, ""},
	{"nylas/self_sent_v1.ics", outOK, "REQUEST", "VEVENT", "burgos@google.com", "inboxapptest@gmail.com", true, ""},
	{"nylas/self_sent_v2.ics", outOK, "REQUEST", "VEVENT", "burgos@google.com", "inboxapptest@gmail.com", true, ""},
	{"nylas/windows_event.ics", outOK, "REQUEST", "VEVENT", "040000008200E00074C5B7101A82E008000000005853D6D90C4BD0010000000000000000100000000827DA11FE47F5489049C8464AB0838A", "inbox.apptest2@inboxapp.onmicrosoft.com", true, ""},
	// No UID, ORGANIZER nor ATTENDEE.
	{"python-icalendar/issue_165_missing_event.ics", outOK, "REQUEST", "VEVENT", "", "", false, "ATTENDEE presence"},
	{"python-icalendar/issue_27_multiple_periods_in_freebusy_multiple_freebusies.ics", outOK, "REPLY", "VFREEBUSY", "null", "attendee@domain.tld", true, ""},
	{"python-icalendar/issue_350.ics", outOK, "REQUEST", "VEVENT", "20055546456446", "", false, "ATTENDEE presence"},
	{"python-icalendar/issue_836_do_not_quote_tzid.ics", outOK, "PUBLISH", "VEVENT", "minimal-demo-event-est-20241028@example.com", "", false, "ORGANIZER presence"},
	{"python-icalendar/property_params.ics", outOK, "REQUEST", "VEVENT", "XRIMCAL-628059586-522954492-9750559", "rembrand@daxlab.com", true, ""},
	{"python-icalendar/rfc_7529.ics", outOK, "REQUEST", "VEVENT", "4.3.1", "", false, "ATTENDEE presence"},
	{"python-icalendar/timezone_same_start.ics", outOK, "REQUEST", "VEVENT", "040000008200E00074C5B7101A82E0080000000090E19664858ED20100000000000000", "", false, "ATTENDEE presence"},
	{"thunderbird/cancel-repeat-event.eml", outOK, "CANCEL", "VEVENT", "02e79b96", "sender@example.com", false, "PRODID presence"},
	{"thunderbird/cancel-single-event.eml", outOK, "CANCEL", "VEVENT", "02e79b96", "sender@example.com", false, "PRODID presence"},
	{"thunderbird/event-with-file-attachment.eml", outOK, "REQUEST", "VEVENT", "02e79b96-file", "sender@example.com", false, "PRODID presence"},
	{"thunderbird/exception-major.eml", outOK, "REQUEST", "VEVENT", "02e79b96", "sender@example.com", false, "PRODID presence"},
	{"thunderbird/exception-minor.eml", outOK, "REQUEST", "VEVENT", "02e79b96", "sender@example.com", false, "PRODID presence"},
	// No METHOD property: the method="REQUEST" parameter gives it.
	{"thunderbird/extensions-invite.eml", outOK, "REQUEST", "VEVENT", "36138BFC6A7B03EFC2258776003DB5C5", "john@example.com", false, "PRODID presence"},
	{"thunderbird/meet-meeting-invite.eml", outOK, "REQUEST", "VEVENT", "65m17hsdolmotv3kvmrtg40ont@google.com", "example@gmail.com", true, ""},
	{"thunderbird/message-containing-event.eml", outOK, "PUBLISH", "VEVENT", "20160824T204000Z-568860280@example.com", "noreply@example.com", true, ""},
	{"thunderbird/message-non-invite.eml", outOK, "PUBLISH", "VEVENT", "1e5fd4e6-bc52-439c-ac76-40da54f57c77@secure.example.com", "noreply@example.com", true, ""},
	{"thunderbird/outlook-test-invite.eml", outOK, "REQUEST", "VEVENT", "030000008200E00074C5B7101A82E0080000000060B608D090DDD7010000000000000000100000004BE0CFFA54BCF64E956E34143362C3C0", "marge@example.org", true, ""},
	{"thunderbird/repeat-event.eml", outOK, "REQUEST", "VEVENT", "02e79b96", "sender@example.com", false, "PRODID presence"},
	{"thunderbird/repeat-update-major.eml", outOK, "REQUEST", "VEVENT", "02e79b96", "sender@example.com", false, "PRODID presence"},
	{"thunderbird/repeat-update-minor.eml", outOK, "REQUEST", "VEVENT", "02e79b96", "sender@example.com", false, "PRODID presence"},
	{"thunderbird/single-event.eml", outOK, "REQUEST", "VEVENT", "02e79b96", "sender@example.com", false, "PRODID presence"},
	{"thunderbird/teams-meeting-invite.eml", outOK, "REQUEST", "VEVENT", "056000008200E00074C5B7101A82E008000000001AF84C64CBC8D601000000000000000010000000403B5AC10A0EB444A947D2B499A4B98C", "marge@example.com", true, ""},
	{"thunderbird/update-major.eml", outOK, "REQUEST", "VEVENT", "02e79b96", "sender@example.com", false, "PRODID presence"},
	{"thunderbird/update-minor.eml", outOK, "REQUEST", "VEVENT", "02e79b96", "sender@example.com", false, "PRODID presence"},
	{"zimbra/exchange-cdo-appt2.eml", outOK, "REQUEST", "VEVENT", "040000008200E00074C5B7101A82E00800000000903BBA247055C501000000000000000010000000D4405206A9F5AF4EB318331708B99FFD", "events@dev.example.zimbra.com", true, ""},
	{"zimbra/exchange-cdo-invite1.eml", outOK, "REQUEST", "VEVENT", "{CFEE0F33-6DA8-45E9-8F86-F86D63BBCAAA}", "smith@example.zimbra.com", true, ""},
	{"zimbra/outlook12-request-bug_45331.eml", outOK, "REQUEST", "VEVENT", "041000008200E00074C5B7101A82E0080000000000E8B0F815A5CA01000000000000000010000000EA075A61ADE9284F85949CD39FACEEF4", "av1@zmmighp-vm2.delhi.corp.yahoo.com", true, ""},
	{"zimbra/outlook14-reply-bug-69862.eml", outOK, "REPLY", "VEVENT", "5baee2a1-9064-4356-9b3c-f56b02050088", "rcpt@zimbra.com", true, ""},
	{"zimbra/outlook2003-tnef-winmail-dat-note.eml", outNoCalendar, "", "", "", "pillb@foobarbaz.com", false, "no iTIP calendar"},
	// The Zimbra REQUEST is returned inside the DSN, as dsn_failure_with_ics.
	{"zimbra/zimbra-calendar-bounce-dsn.eml", outBounce, "", "", "4dd50a2d-1bb9-403f-9c17-be8356cdf6f6", "MAILER-DAEMON@mta02.zimbra.com", false, "automatic message"},
	{"zimbra/zimbra-change-request-wo-rsvp.eml", outOK, "REQUEST", "VEVENT", "ad22c92b-680c-436b-98b0-def254c953d5", "org@testdomain.com", true, ""},
	// No From: header at all.
	{"zimbra/zimbra-new-request-rsvp-true.eml", outOK, "REQUEST", "VEVENT", "8282cdfc-a5a6-4ed4-84e2-be12c2bc4af8", "", true, ""},
	{"zimbra/zimbra-request-bug-69862.eml", outOK, "REQUEST", "VEVENT", "5baee2a1-9064-4356-9b3c-f56b02050088", "test@zimbra.com", true, ""},
	{"libical/2446-split/01-PUBLISH-VEVENT.ics", outOK, "PUBLISH", "VEVENT", "0981234-1234234-23@example.com", "a@example.com", true, ""},
	{"libical/2446-split/02-PUBLISH-VEVENT.ics", outOK, "PUBLISH", "VEVENT", "0981234-1234234-23@example.com", "a@example.com", true, ""},
	{"libical/2446-split/03-CANCEL-VEVENT.ics", outOK, "CANCEL", "VEVENT", "0981234-1234234-23@example.com", "a@example.com", true, ""},
	{"libical/2446-split/04-PUBLISH-VEVENT.ics", outOK, "PUBLISH", "VEVENT", "0981234-1234234-23@example.com", "a@example.com", false, "DTEND value"},
	{"libical/2446-split/05-PUBLISH-VEVENT.ics", outOK, "PUBLISH", "VEVENT", "0981234-1234234-23@example.com", "a@example.com", true, ""},
	{"libical/2446-split/06-REQUEST-VEVENT.ics", outOK, "REQUEST", "VEVENT", "calsrv.example.com-873970198738777@example.com", "a@example.com", true, ""},
	{"libical/2446-split/07-REPLY-VEVENT.ics", outOK, "REPLY", "VEVENT", "calsrv.example.com-873970198738777@example.com", "b@example.com", true, ""},
	{"libical/2446-split/08-REQUEST-VEVENT.ics", outOK, "REQUEST", "VEVENT", "calsrv.example.com-873970198738777@example.com", "a@example.com", true, ""},
	{"libical/2446-split/09-REQUEST-VEVENT.ics", outOK, "REQUEST", "VEVENT", "calsrv.example.com-873970198738777a@example.com", "a@example.com", true, ""},
	{"libical/2446-split/10-COUNTER-VEVENT.ics", outOK, "COUNTER", "VEVENT", "calsrv.example.com-873970198738777a@example.com", "a@example.com", true, ""},
	{"libical/2446-split/11-REQUEST-VEVENT.ics", outOK, "REQUEST", "VEVENT", "calsrv.example.com-873970198738777@example.com", "a@example.com", true, ""},
	{"libical/2446-split/12-DECLINECOUNTER-VEVENT.ics", outOK, "DECLINECOUNTER", "VEVENT", "calsrv.example.com-873970198738777@example.com", "a@example.com", false, "ATTENDEE presence"},
	{"libical/2446-split/13-REPLY-VEVENT.ics", outOK, "REPLY", "VEVENT", "calsrv.example.com-873970198738777@example.com", "c@example.com", true, ""},
	{"libical/2446-split/14-REQUEST-VEVENT.ics", outOK, "REQUEST", "VEVENT", "calsrv.example.com-873970198738777@example.com", "a@example.com", true, ""},
	{"libical/2446-split/15-REPLY-VEVENT.ics", outOK, "REPLY", "VEVENT", "calsrv.example.com-873970198738777@example.com", "e@example.com", true, ""},
	{"libical/2446-split/16-REPLY-VEVENT.ics", outOK, "REPLY", "VEVENT", "calsrv.example.com-873970198738777@example.com", "c@example.com", true, ""},
	{"libical/2446-split/17-REQUEST-VEVENT.ics", outOK, "REQUEST", "VEVENT", "calsrv.example.com-873970198738777@example.com", "a@example.com", true, ""},
	{"libical/2446-split/18-CANCEL-VEVENT.ics", outOK, "CANCEL", "VEVENT", "calsrv.example.com-873970198738777@example.com", "a@example.com", true, ""},
	{"libical/2446-split/19-CANCEL-VEVENT.ics", outOK, "CANCEL", "VEVENT", "calsrv.example.com-873970198738777@example.com", "a@example.com", true, ""},
	{"libical/2446-split/20-REQUEST-VEVENT.ics", outOK, "REQUEST", "VEVENT", "calsrv.example.com-873970198738777@example.com", "a@example.com", true, ""},
	{"libical/2446-split/21-REQUEST-VEVENT.ics", outOK, "REQUEST", "VEVENT", "123456@example.com", "b@example.com", true, ""},
	{"libical/2446-split/22-PUBLISH-VFREEBUSY.ics", outOK, "PUBLISH", "VFREEBUSY", "", "a@example.com", false, "UID presence"},
	{"libical/2446-split/23-REQUEST-VFREEBUSY.ics", outOK, "REQUEST", "VFREEBUSY", "calsrv.example.com-873970198738777@example.com", "a@example.com", false, "DTEND utc"},
	{"libical/2446-split/24-REPLY-VFREEBUSY.ics", outOK, "REPLY", "VFREEBUSY", "calsrv.example.com-873970198738777@example.com", "b@example.com", true, ""},
	{"libical/2446-split/25-REQUEST-VEVENT.ics", outOK, "REQUEST", "VEVENT", "calsrv.example.com-873970198738777@example.com", "a@example.com", true, ""},
	{"libical/2446-split/26-REQUEST-VEVENT.ics", outOK, "REQUEST", "VEVENT", "guid-1@host1.com", "a@example.com", true, ""},
	{"libical/2446-split/27-REQUEST-VEVENT.ics", outOK, "REQUEST", "VEVENT", "guid-1@host1com", "a@example.com", true, ""},
	{"libical/2446-split/28-CANCEL-VEVENT.ics", outOK, "CANCEL", "VEVENT", "guid-1@host1.com", "a@example.com", true, ""},
	{"libical/2446-split/29-CANCEL-VEVENT.ics", outOK, "CANCEL", "VEVENT", "guid-1@host1.com", "a@example.com", true, ""},
	{"libical/2446-split/30-REQUEST-VEVENT.ics", outOK, "REQUEST", "VEVENT", "guid-1@host1.com", "a@example.com", true, ""},
	{"libical/2446-split/31-ADD-VEVENT.ics", outOK, "ADD", "VEVENT", "123456789@host1.com", "a@example.com", true, ""},
	{"libical/2446-split/32-REQUEST-VEVENT.ics", outOK, "REQUEST", "VEVENT", "123456789@host1.com", "a@example.com", true, ""},
	{"libical/2446-split/33-ADD-VEVENT.ics", outOK, "ADD", "VEVENT", "123456789@host1.com", "a@example.com", false, "RRULE forbidden"},
	{"libical/2446-split/34-REQUEST-VEVENT.ics", outOK, "REQUEST", "VEVENT", "123456789@host1.com", "a@example.com", true, ""},
	{"libical/2446-split/35-REQUEST-VEVENT.ics", outOK, "REQUEST", "VEVENT", "123456789@host1.com", "a@example.com", true, ""},
	{"libical/2446-split/36-REQUEST-VEVENT.ics", outOK, "REQUEST", "VEVENT", "123456789@host1.com", "a@example.com", true, ""},
	{"libical/2446-split/37-ADD-VEVENT.ics", outOK, "ADD", "VEVENT", "123456789@host1.com", "a@example.com", true, ""},
	{"libical/2446-split/38-REQUEST-VEVENT.ics", outOK, "REQUEST", "VEVENT", "123456789@host1.com", "a@example.com", false, "DTEND value"},
	{"libical/2446-split/39-COUNTER-VEVENT.ics", outOK, "COUNTER", "VEVENT", "guid-1@host1.com", "a@example.com", true, ""},
	{"libical/2446-split/40-REQUEST-VEVENT.ics", outOK, "REQUEST", "VEVENT", "guid-1@host1.com", "a@example.com", true, ""},
	{"libical/2446-split/41-REPLY-VEVENT.ics", outOK, "REPLY", "VEVENT", "guid-1@host1.com", "b@example.com", false, "REQUEST-STATUS request-status"},
	{"libical/2446-split/42-REQUEST-VTODO.ics", outOK, "REQUEST", "VTODO", "calsrv.example.com-873970198738777-00@example.com", "a@example.com", true, ""},
	{"libical/2446-split/43-REPLY-VTODO.ics", outOK, "REPLY", "VTODO", "calsrv.example.com-873970198738777-00@example.com", "b@example.com", true, ""},
	{"libical/2446-split/44-REQUEST-VTODO.ics", outOK, "REQUEST", "VTODO", "calsrv.example.com-873970198738777-00@example.com", "a@example.com", true, ""},
	{"libical/2446-split/45-REPLY-VTODO.ics", outOK, "REPLY", "VTODO", "calsrv.example.com-873970198738777-00@example.com", "b@example.com", true, ""},
	{"libical/2446-split/46-REPLY-VTODO.ics", outOK, "REPLY", "VTODO", "calsrv.example.com-873970198738777-00@example.com", "d@example.com", true, ""},
	{"libical/2446-split/47-REQUEST-VTODO.ics", outOK, "REQUEST", "VTODO", "calsrv.example.com-873970198738777-00@example.com", "a@example.com", true, ""},
	{"libical/2446-split/48-REQUEST-VTODO.ics", outOK, "REQUEST", "VTODO", "calsrv.example.com-873970198738777-00@example.com", "a@example.com", true, ""},
	{"libical/2446-split/49-REPLY-VTODO.ics", outOK, "REPLY", "VTODO", "calsrv.example.com-873970198738777-00@example.com", "b@example.com", true, ""},
	{"libical/2446-split/50-PUBLISH-VJOURNAL.ics", outOK, "PUBLISH", "VJOURNAL", "0981234-1234234-2410@example.com", "a@example.com", true, ""},
	{"libical/2446-split/51-REFRESH-VEVENT.ics", outOK, "REFRESH", "VEVENT", " guid-1-12345@host1.com", "a@example.com", true, ""},
	{"libical/2446-split/52-REQUEST-VEVENT.ics", outOK, "REQUEST", "VEVENT", "acme-12345@host1.com", "a@example.com", true, ""},
	{"libical/2446-split/53-REFRESH-VEVENT.ics", outOK, "REFRESH", "VEVENT", "acme-12345@host1.com", "b@example.com", true, ""},
}

// TestCorpus runs every file of the real-world corpus through Parse and
// Message.ITIP (a .ics or .ical body as the one calendar part of a
// message) and the iTIP message found through itip.Validate, and checks
// the table above. No file may panic, and every file is in the table.
func TestCorpus(t *testing.T) {
	onDisk := corpusFiles(t)
	want := map[string]bool{}
	for _, w := range corpusTable {
		want[w.file] = true
	}
	for _, f := range onDisk {
		if !want[f] {
			t.Errorf("corpus file %s is not in corpusTable", f)
		}
	}
	counts := map[outcome]int{}
	valid := 0
	for _, w := range corpusTable {
		t.Run(w.file, func(t *testing.T) {
			got := classify(t, w.file)
			if got != w {
				t.Errorf("classify(%s) =\n\t%+v, want\n\t%+v", w.file, got, w)
			}
		})
		counts[w.outcome]++
		if w.outcome == outOK && w.valid {
			valid++
		}
	}
	t.Logf("%d files: %d ok (%d valid iTIP in interop mode), %d bounce, %d auto-reply, %d no calendar, %d malformed",
		len(corpusTable), counts[outOK], valid, counts[outBounce], counts[outAutoReply], counts[outNoCalendar], counts[outMalformed])
}

// corpusFiles lists the corpus files, manifest and README aside, relative
// to testdata/corpus.
func corpusFiles(t testing.TB) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir("testdata/corpus", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".md") {
			return err
		}
		rel, err := filepath.Rel("testdata/corpus", path)
		files = append(files, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// readCorpus returns a corpus file as a message: an .eml as it is, a bare
// calendar as the body of a single-part text/calendar message.
func readCorpus(t testing.TB, file string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata/corpus", file))
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(file, ".eml") {
		return data
	}
	return append([]byte("Content-Type: text/calendar; charset=UTF-8\r\n\r\n"), data...)
}

func parseCorpus(t testing.TB, file string) *Message {
	t.Helper()
	m, err := Parse(bytes.NewReader(readCorpus(t, file)), Limits{})
	if err != nil {
		t.Fatalf("Parse(%s): %v", file, err)
	}
	return m
}

func classify(t *testing.T, file string) corpusWant {
	m := parseCorpus(t, file)
	got := corpusWant{file: file, sender: m.From}
	cal, err := m.ITIP()
	switch {
	case m.Bounce != nil:
		got.outcome = outBounce
		got.uid = m.Bounce.UID
	case m.AutoReply:
		got.outcome = outAutoReply
	case errors.Is(err, ErrNoCalendar):
		got.outcome = outNoCalendar
	case errors.Is(err, ErrMalformed):
		got.outcome = outMalformed
	case err != nil:
		t.Fatalf("ITIP(%s): %v", file, err)
	default:
		got.outcome = outOK
	}
	if got.outcome != outOK {
		if err == nil {
			t.Fatalf("ITIP(%s) = a calendar for a %s", file, got.outcome)
		}
		for _, w := range corpusTable {
			if w.file == file && strings.Contains(err.Error(), w.reason) {
				got.reason = w.reason
			}
		}
		if got.reason == "" {
			got.reason = err.Error()
		}
		return got
	}
	got.method, got.component = itip.MethodOf(cal)
	got.uid = itip.UID(cal)
	if !strings.HasSuffix(file, ".eml") {
		switch got.method {
		case string(itip.MethodReply), string(itip.MethodCounter), string(itip.MethodRefresh):
			if as := itip.Attendees(cal); len(as) > 0 {
				got.sender = as[0]
			}
		default:
			got.sender = itip.Organizer(cal)
		}
		got.sender = strings.TrimPrefix(got.sender, "mailto:")
	}
	ps := itip.Validate(cal, itip.ValidateOptions{Mode: itip.ModeInterop, KnownTZID: itip.KnownTZID})
	got.valid = itip.Valid(ps)
	for _, p := range ps {
		if !p.Warning {
			got.reason = p.Property + " " + p.Rule
			break
		}
	}
	return got
}

// TestCorpusConcatenated checks the files that concatenate several
// VCALENDAR objects, which Parse refuses as one calendar part (RFC 6047
// §2.4): each object decodes, with the METHOD counts of the manifest.
func TestCorpusConcatenated(t *testing.T) {
	for _, tc := range []struct {
		file    string
		methods map[string]int
	}{
		{"libical/2446.ics", map[string]int{"ADD": 3, "CANCEL": 5, "COUNTER": 2, "DECLINECOUNTER": 1, "PUBLISH": 6, "REFRESH": 2, "REPLY": 10, "REQUEST": 24}},
		{"libical/incoming.ics", map[string]int{"CANCEL": 1, "COUNTER": 1, "PUBLISH": 3, "REPLY": 5, "REQUEST": 5}},
		{"ical4j/incoming.ics", map[string]int{"CANCEL": 1, "COUNTER": 1, "REPLY": 4, "REQUEST": 3}},
	} {
		data, err := os.ReadFile(filepath.Join("testdata/corpus", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		d := ical.NewDecoder(bytes.NewReader(data))
		for {
			cal, err := d.Decode()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: Decode: %v", tc.file, err)
			}
			m, _ := itip.MethodOf(cal.Component)
			got[m]++
		}
		if !equalCounts(got, tc.methods) {
			t.Errorf("%s: METHOD counts %v, want %v", tc.file, got, tc.methods)
		}
	}
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
