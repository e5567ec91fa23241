// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package calendar

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/itip"
)

// Scheduling messages that arrive from outside the service (iMIP, RFC
// 6047; later the real-time transport) come in through ReceiveMessage.
// Nothing but a valid iTIP message whose sender is proven is ever applied
// to a calendar; anything else is held in the recipient's scheduling
// inbox for the user to judge, marked with PropUnverified.

// PropUnverified marks an inbox item whose sender could not be verified
// (seed-mapping §3.6; RFC 6047 §3): an iCalendar property of the held
// VCALENDAR whose value says why, for clients and the web UI to show.
const PropUnverified = "X-ALMANAC-UNVERIFIED"

// Inbound describes how a scheduling message reached the service.
type Inbound struct {
	// Transport names it for the log: "imip" …
	Transport string
	// Verifies reports whether the transport proved that the message
	// comes from actor, an e-mail address (DKIM aligned with the From:
	// domain, S/MIME, a trusted MTA's results). Nil verifies nobody.
	Verifies func(actor string) bool
}

// Receipt is the outcome of ReceiveMessage for one recipient.
type Receipt struct {
	// Status is a REQUEST-STATUS code: "2.0" delivered (applied, or held
	// when Held), "3.7" no such calendar user, 5.x refused.
	Status string
	// Held: the message is in the inbox but was not applied, because its
	// sender is unverified.
	Held bool
	// Reason says why a message was held or refused, for the log.
	Reason string
}

// ReceiveMessage delivers msg, an iTIP message from outside the service,
// to the principal with the calendar user address rcpt. A message that
// breaks the RFC 5546 tables is refused (5.3) and stored nowhere. A valid
// one from a verified sender is delivered as a local one is: an inbox
// item, then automatic processing into the recipient's calendar. A valid
// one whose sender is not verified is held in the inbox, marked with
// PropUnverified, and changes no calendar.
func (s *Service) ReceiveMessage(ctx context.Context, rcpt string, msg *ical.Component, in Inbound) (Receipt, error) {
	p, err := s.st.PrincipalByAddress(ctx, rcpt)
	if errors.Is(err, ErrNotFound) {
		return Receipt{Status: itip.StatusInvalidUser, Reason: "no calendar user " + rcpt}, nil
	}
	if err != nil {
		return Receipt{}, fmt.Errorf("recipient %q: %w", rcpt, err)
	}
	if ps := itip.Validate(msg, itip.ValidateOptions{Mode: itip.ModeInterop, KnownTZID: itip.KnownTZID}); !itip.Valid(ps) {
		for _, pr := range ps {
			if !pr.Warning {
				return Receipt{Status: itip.StatusNoScheduling, Reason: "invalid iTIP: " + pr.String()}, nil
			}
		}
	}
	method, _ := itip.MethodOf(msg)
	addr := recipientAddress(p, msg, rcpt)
	actor, ok := verifiedActor(msg, in.Verifies)
	if !ok {
		reason := "the sender of the " + method + " could not be verified"
		if err := s.hold(ctx, p, msg, reason); err != nil {
			return Receipt{}, err
		}
		s.log.InfoContext(ctx, "scheduling: unverified message held", "transport", in.Transport, "recipient", addr, "uid", itip.UID(msg), "method", method)
		return Receipt{Status: itip.StatusSuccess, Held: true, Reason: reason}, nil
	}
	m := itip.Message{Method: itip.Method(method), Originator: actor, Recipients: []string{addr}, UID: itip.UID(msg), Calendar: msg}
	st := s.deliverLocal(ctx, m, ical.Marshal(msg), p, addr)
	if st != itip.StatusDelivered {
		return Receipt{Status: st, Reason: "delivery failed"}, nil
	}
	return Receipt{Status: itip.StatusSuccess}, nil
}

// recipientAddress is the address rcpt's principal plays in msg: the one
// of its addresses that is the ORGANIZER or an ATTENDEE, else rcpt (an
// Outlook REPLY without ORGANIZER names the organizer nowhere).
func recipientAddress(p *Principal, msg *ical.Component, rcpt string) string {
	in := append([]string{itip.Organizer(msg)}, itip.Attendees(msg)...)
	for _, a := range p.Addresses {
		if slices.Contains(in, a) {
			return a
		}
	}
	return ical.NormalizeAddress(rcpt)
}

// verifiedActor returns the originator of msg (RFC 5546 §1.4: the
// ORGANIZER of an organizer's method, the ATTENDEE who replies, counters
// or asks for a refresh) when verifies proves the message comes from
// them.
func verifiedActor(msg *ical.Component, verifies func(string) bool) (string, bool) {
	if verifies == nil {
		return "", false
	}
	candidates := append([]string{itip.Organizer(msg)}, itip.Attendees(msg)...)
	for _, a := range candidates {
		mail, ok := strings.CutPrefix(a, "mailto:")
		if !ok || itip.CheckOriginator(msg, a) != nil {
			continue
		}
		if verifies(mail) {
			return a, true
		}
	}
	return "", false
}

// hold stores msg in p's inbox, marked unverified, without processing it.
func (s *Service) hold(ctx context.Context, p *Principal, msg *ical.Component, reason string) error {
	inbox, err := s.schedulingCollection(ctx, p, KindInbox)
	if err != nil {
		return err
	}
	held := *msg
	held.Props = append(slices.Clone(msg.Props), ical.NewProperty(PropUnverified, ical.EscapeText(reason)))
	return s.putInboxItem(ctx, inbox, ical.Marshal(&held), &held)
}

// RecordBounce records that a message about uid, sent by the organizer
// (or attendee) from to recipient, could not be delivered: a delivery
// status notification (RFC 3464) said so. A permanent failure sets
// SCHEDULE-STATUS 5.2 on recipient in from's copy (RFC 6638 §3.2.9: no
// way to deliver), a temporary one 5.1. It reports whether a copy was
// found.
func (s *Service) RecordBounce(ctx context.Context, uid, from, recipient string, permanent bool) (bool, error) {
	p, err := s.st.PrincipalByAddress(ctx, from)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sender %q: %w", from, err)
	}
	coll, o, err := s.findCopy(ctx, p, uid)
	if err != nil || o == nil {
		return false, err
	}
	st := itip.StatusUnavailable
	if permanent {
		st = itip.StatusInvalidService
	}
	s.recordStatus(ctx, coll, o.Name, map[string]string{ical.NormalizeAddress(recipient): st})
	return true, nil
}
