// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package crisp

import (
	"encoding/xml"
	"hash/fnv"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/itip"
)

// dateTimeLayout is the UTC DATE-TIME form of min-date-time and
// max-date-time (iSchedule -05 §6.1.2).
const dateTimeLayout = "20060102T150405Z"

// schedulingMethods are the methods accepted for VEVENT and VTODO: those
// of the RFC 5546 matrix that have recipients (PUBLISH has none, so the
// Recipient binding of iSchedule -05 §6.2.1 cannot hold). VJOURNAL is not
// accepted: its CANCEL forbids ATTENDEE, so it has no recipient either.
var schedulingMethods = []itip.Method{
	itip.MethodRequest, itip.MethodReply, itip.MethodCancel, itip.MethodAdd,
	itip.MethodRefresh, itip.MethodCounter, itip.MethodDeclineCounter,
}

// Capabilities returns the capabilities document served for o
// (iSchedule -05 §6.1, seed-mapping §3.3). The serial number is a hash of
// the rest of the document: it changes exactly when the content does,
// and is the same in every process with the same configuration.
func (o Options) Capabilities() Capabilities {
	return o.capabilities(true)
}

// capabilities builds the document; freeBusy says whether VFREEBUSY
// REQUEST is accepted.
func (o Options) capabilities(freeBusy bool) Capabilities {
	l := o.Limits.withDefaults()
	methods := make([]NamedEmpty, len(schedulingMethods))
	for i, m := range schedulingMethods {
		methods[i] = NamedEmpty{Name: string(m)}
	}
	c := Capabilities{
		Versions: []string{Version},
		SchedulingMessages: []ComponentMethods{
			{Name: ical.CompEvent, Methods: methods},
			{Name: ical.CompToDo, Methods: methods},
		},
		CalendarDataTypes: []CalendarDataType{{ContentType: "text/calendar", Version: "2.0"}},
		// Inline attachments are refused (iSchedule -05 "Attachment
		// Considerations", seed-mapping §3.9).
		Attachments:      &Attachments{External: &struct{}{}},
		RScales:          []string{"GREGORIAN"},
		MaxContentLength: l.MaxContentLength,
		MinDateTime:      l.MinDateTime.UTC().Format(dateTimeLayout),
		MaxDateTime:      l.MaxDateTime.UTC().Format(dateTimeLayout),
		MaxInstances:     l.MaxInstances,
		MaxRecipients:    l.MaxRecipients,
		Administrator:    o.Administrator,
		// CRISP (seed-mapping §3.3): ITIPVERSION=1.0 is RFC 5546, no
		// calendar access protocol, no access rights exposed.
		ITIPVersion: "5546",
		CAPVersion:  "none",
		CAR:         "NONE",
		Auth:        &AuthKind{},
	}
	if freeBusy {
		c.SchedulingMessages = append(c.SchedulingMessages, ComponentMethods{
			Name: ical.CompFreeBusy, Methods: []NamedEmpty{{Name: string(itip.MethodRequest)}},
		})
	}
	if o.Anonymous != AnonymousDeny {
		c.Auth.Anonymous = &struct{}{}
	}
	if o.Verifier != nil {
		c.Auth.DKIM = &struct{}{}
	}
	if len(o.Peers) > 0 {
		c.Auth.MTLS = &struct{}{}
	}
	c.SerialNumber = capabilitiesSerial(c)
	return c
}

// capabilitiesSerial hashes the document without its serial number into a
// positive decimal-friendly number (iSchedule -05 §9.3: 1*DIGIT).
func capabilitiesSerial(c Capabilities) int64 {
	c.SerialNumber = 0
	b, err := xml.Marshal(QueryResult{Capabilities: c})
	if err != nil {
		panic("crisp: capabilities: " + err.Error())
	}
	h := fnv.New32a()
	_, _ = h.Write(b)
	return int64(h.Sum32())
}
