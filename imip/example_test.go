// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package imip_test

import (
	"bytes"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/imip"
	"github.com/almanac-project/almanac/itip"
)

// An attendee accepts: Build writes the REPLY as an e-mail, Parse and ITIP
// read it back on the organizer's side.
func ExampleBuild() {
	reply, err := ical.Parse([]byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//EN\r\nMETHOD:REPLY\r\n" +
		"BEGIN:VEVENT\r\nUID:planning-1@example.com\r\nDTSTAMP:20260302T091500Z\r\nSEQUENCE:0\r\n" +
		"DTSTART:20260310T090000Z\r\nDTEND:20260310T103000Z\r\nSUMMARY:Planning\r\n" +
		"ORGANIZER:mailto:alice@example.com\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@example.org\r\n" +
		"END:VEVENT\r\nEND:VCALENDAR\r\n"))
	if err != nil {
		log.Fatal(err)
	}
	msg, err := imip.Build(&imip.Outgoing{
		From:     "bob@example.org",
		FromName: "Bob",
		To:       []string{"alice@example.com"},
		Calendar: reply.Component,
		Date:     time.Date(2026, 3, 2, 9, 15, 0, 0, time.UTC),
	})
	if err != nil {
		log.Fatal(err)
	}

	m, err := imip.Parse(bytes.NewReader(msg), imip.Limits{})
	if err != nil {
		log.Fatal(err)
	}
	cal, err := m.ITIP()
	if err != nil {
		log.Fatal(err)
	}
	method, comp := itip.MethodOf(cal)
	fmt.Println(m.Subject)
	fmt.Println(m.From, method, comp, itip.UID(cal))
	fmt.Println(itip.Attendees(cal))
	// Output:
	// Accepted: Planning
	// bob@example.org REPLY VEVENT planning-1@example.com
	// [mailto:bob@example.org]
}

// A delivery status notification returning one of our invitations is
// recognised as a bounce, never processed as iTIP.
func ExampleParse_bounce() {
	dsn := "From: MAILER-DAEMON@mx.example.net\r\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=r\r\n\r\n" +
		"--r\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n" +
		"--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\n" +
		"Final-Recipient: rfc822; carol@example.net\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n" +
		"--r\r\nContent-Type: text/rfc822-headers\r\n\r\n" +
		"From: alice@example.com\r\nMessage-ID: <invite-7@example.com>\r\nX-Almanac-Delivery: d-7\r\n\r\n" +
		"--r--\r\n"
	m, err := imip.Parse(strings.NewReader(dsn), imip.Limits{})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := m.ITIP(); errors.Is(err, imip.ErrAutomatic) {
		fmt.Println("not iTIP")
	}
	b := m.Bounce
	fmt.Println(b.OriginalMessageID, b.OriginalHeaders["X-Almanac-Delivery"])
	for _, r := range b.Recipients {
		fmt.Println(r.Address, r.Action, r.Status, r.Permanent)
	}
	// Output:
	// not iTIP
	// invite-7@example.com d-7
	// carol@example.net failed 5.1.1 true
}
