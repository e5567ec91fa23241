// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package server

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/imip"
	"github.com/almanac-project/almanac/internal/calendar"
	"github.com/almanac-project/almanac/internal/config"
	"github.com/almanac-project/almanac/internal/mailer"
	"github.com/almanac-project/almanac/itip"
)

// iMIP (RFC 6047) glue: the e-mail transport of the calendar service's
// deliveries, and the inbound handler that turns received mail into
// ReceiveMessage and RecordBounce calls. The MIME work is package imip's,
// the SMTP work package mailer's.

// headerUID and headerDelivery are the header fields of outgoing messages
// that let a bounce (RFC 3464, which returns the original headers) be
// traced back to the event and the delivery; in canonical form, as
// imip.Bounce.OriginalHeaders keys them.
const (
	headerUID      = "X-Almanac-Uid"
	headerDelivery = "X-Almanac-Delivery"
)

// mailTransport is the calendar.Deliverer that sends iMIP messages
// through the relay.
type mailTransport struct {
	sub  *mailer.Submitter
	from string // the envelope sender (--mail-from): it receives the bounces
	svc  *calendar.Service
}

// newMailTransport builds the outbound transport of cfg, or nil when no
// relay is configured.
func newMailTransport(cfg config.Config) (*mailTransport, error) {
	if cfg.SMTPRelay == "" {
		return nil, nil
	}
	sc := mailer.SubmitConfig{Relay: cfg.SMTPRelay, User: cfg.SMTPUser, HelloName: hostOf(cfg.MailFrom)}
	if cfg.SMTPPasswordFile != "" {
		pw, err := os.ReadFile(cfg.SMTPPasswordFile)
		if err != nil {
			return nil, fmt.Errorf("smtp-password-file: %w", err)
		}
		sc.Password = strings.TrimRight(string(pw), "\r\n")
	}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("ca-file: %w", err)
		}
		sc.RootCAs = x509.NewCertPool()
		if !sc.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca-file %s: no PEM certificate in it", cfg.CAFile)
		}
	}
	if cfg.DKIMKey != "" {
		key, err := mailer.LoadDKIMKey(cfg.DKIMKey)
		if err != nil {
			return nil, fmt.Errorf("dkim-key: %w", err)
		}
		sc.DKIM = &mailer.DKIMSigner{Domain: hostOf(cfg.MailFrom), Selector: cfg.DKIMSelector, Key: key}
	}
	sub, err := mailer.NewSubmitter(sc)
	if err != nil {
		return nil, err
	}
	return &mailTransport{sub: sub, from: cfg.MailFrom}, nil
}

// hostOf returns the domain of an e-mail address.
func hostOf(addr string) string {
	_, domain, _ := strings.Cut(addr, "@")
	return strings.ToLower(domain)
}

// mailAddress returns the e-mail address of a mailto: calendar user
// address.
func mailAddress(calAddr string) (string, bool) {
	a, ok := strings.CutPrefix(ical.NormalizeAddress(calAddr), "mailto:")
	if !ok || !strings.Contains(a, "@") {
		return "", false
	}
	return a, true
}

// Deliver sends one delivery as an iMIP message (RFC 6047 §2): from the
// originator, with the service address as Sender: and envelope sender.
// The relay's acceptance is SCHEDULE-STATUS 1.1 (RFC 6638 §3.2.9: sent,
// delivery unknown); a permanent refusal of the recipient is 3.7, any
// other permanent refusal 5.2; a temporary failure is an error, retried.
func (t *mailTransport) Deliver(ctx context.Context, d *calendar.Delivery) (string, error) {
	to, ok := mailAddress(d.Recipient)
	if !ok {
		return itip.StatusInvalidService, nil // no e-mail address to send to
	}
	from, ok := mailAddress(d.Originator)
	if !ok {
		return itip.StatusInvalidService, nil
	}
	cal, err := ical.Parse(d.Message)
	if err != nil {
		return itip.StatusNoScheduling, nil
	}
	out := &imip.Outgoing{
		From:     from,
		To:       []string{to},
		Calendar: cal.Component,
		Headers:  map[string]string{headerUID: d.UID, headerDelivery: strconv.FormatInt(d.ID, 10)},
	}
	if !strings.EqualFold(from, t.from) {
		out.Sender = t.from
	}
	if t.svc != nil {
		if p, err := t.svc.PrincipalByAddress(ctx, d.Originator); err == nil {
			out.FromName = p.DisplayName
		}
	}
	msg, err := imip.Build(out)
	if err != nil {
		return itip.StatusNoScheduling, nil
	}
	err = t.sub.Send(ctx, t.from, []string{to}, msg)
	var se *mailer.SMTPError
	var pe *mailer.PartialError
	switch {
	case err == nil:
		return itip.StatusSent, nil
	case errors.As(err, &pe):
		se = pe.Refused[to]
	case !errors.As(err, &se):
		return "", err
	}
	if se == nil || !se.Permanent {
		return "", err
	}
	if strings.HasPrefix(se.Enhanced, "5.1.") {
		return itip.StatusInvalidUser, nil // RFC 3463: bad destination mailbox
	}
	return itip.StatusInvalidService, nil
}

// mailInbox is the mailer.Handler of the service's scheduling addresses.
//
// Routing: mail reaches the service when the MTA sends it to the LMTP or
// SMTP listener for a principal's address or for a plus-address of it
// (ann+calendar@example.org is ann@example.org): with Postfix,
// recipient_bcc_maps copies the users' mail to the plus-address and
// transport_maps sends that to Almanac (README). Mail for the service
// address (--mail-from) is where bounces come back.
type mailInbox struct {
	svc     *calendar.Service
	service string // --mail-from, lower case
	lim     imip.Limits
}

// unplus returns addr without a "+tag" in its local part.
func unplus(addr string) string {
	local, domain, ok := strings.Cut(strings.ToLower(strings.Trim(addr, "<> ")), "@")
	if !ok {
		return addr
	}
	local, _, _ = strings.Cut(local, "+")
	return local + "@" + domain
}

func (h *mailInbox) Recipient(ctx context.Context, _ mailer.Envelope, rcpt string) error {
	addr := unplus(rcpt)
	if h.service != "" && addr == unplus(h.service) {
		return nil
	}
	if _, err := h.svc.PrincipalByAddress(ctx, "mailto:"+addr); err == nil {
		return nil
	}
	return &mailer.SMTPError{Code: 550, Enhanced: "5.1.1", Message: "no such calendar user", Permanent: true}
}

// Deliver processes one received message for each envelope recipient:
// a bounce updates the status of the attendee it was for, an automatic
// reply is dropped (RFC 3834: never processed as iTIP, never answered),
// mail without a calendar is dropped, and an iTIP message goes to
// ReceiveMessage. Messages are never answered by mail from here.
func (h *mailInbox) Deliver(ctx context.Context, env mailer.Envelope, data []byte, auth mailer.Auth) []error {
	errs := make([]error, len(env.Recipients))
	fill := func(err error) []error {
		for i := range errs {
			errs[i] = err
		}
		return errs
	}
	msg, err := imip.Parse(bytes.NewReader(data), h.lim)
	switch {
	case errors.Is(err, imip.ErrLimit):
		return fill(&mailer.SMTPError{Code: 552, Enhanced: "5.3.4", Message: "message too big or too complex", Permanent: true})
	case err != nil:
		return fill(&mailer.SMTPError{Code: 554, Enhanced: "5.6.0", Message: "malformed message", Permanent: true})
	case msg.Bounce != nil:
		h.bounce(ctx, msg)
		return errs
	case msg.AutoReply:
		return errs
	}
	cal, err := msg.ITIP()
	if errors.Is(err, imip.ErrNoCalendar) {
		return errs // not for the calendar: accepted and dropped
	}
	if err != nil {
		return fill(&mailer.SMTPError{Code: 554, Enhanced: "5.6.0", Message: "no valid iTIP message: " + err.Error(), Permanent: true})
	}
	for i, rcpt := range env.Recipients {
		r, err := h.svc.ReceiveMessage(ctx, "mailto:"+unplus(rcpt), cal, calendar.Inbound{Transport: "imip", Verifies: auth.Verifies})
		switch {
		case err != nil:
			errs[i] = err
		case r.Status == itip.StatusInvalidUser:
			errs[i] = &mailer.SMTPError{Code: 550, Enhanced: "5.1.1", Message: "no such calendar user", Permanent: true}
		case strings.HasPrefix(r.Status, "5."):
			errs[i] = &mailer.SMTPError{Code: 554, Enhanced: "5.6.0", Message: r.Reason, Permanent: true}
		}
	}
	return errs
}

// bounce records a delivery status notification for one of our
// invitations in the sender's copy (imip-quirks.md §2.9 item 38).
func (h *mailInbox) bounce(ctx context.Context, msg *imip.Message) {
	b := msg.Bounce
	uid := b.UID
	if uid == "" {
		uid = b.OriginalHeaders[headerUID]
	}
	from := b.OriginalHeaders["From"]
	if a, err := mail.ParseAddress(from); err == nil {
		from = a.Address
	}
	if uid == "" || from == "" {
		return
	}
	for _, r := range b.Recipients {
		if !r.Permanent && !strings.EqualFold(r.Action, "failed") {
			continue // delayed, delivered, relayed
		}
		if _, err := h.svc.RecordBounce(ctx, uid, "mailto:"+from, "mailto:"+r.Address, r.Permanent); err != nil {
			return
		}
	}
}

// listenMail opens the LMTP and SMTP listeners of the configuration, so
// that an address in use is an error of New, and builds the mail server.
func (s *Server) listenMail() error {
	cfg := s.cfg
	if cfg.LMTPListen == "" && cfg.SMTPListen == "" {
		return nil
	}
	var err error
	if cfg.LMTPListen != "" {
		if s.lmtpLn, err = net.Listen("tcp", cfg.LMTPListen); err != nil {
			return fmt.Errorf("listen on %s: %w; choose another address with --lmtp-listen", cfg.LMTPListen, err)
		}
	}
	if cfg.SMTPListen != "" {
		if s.smtpLn, err = net.Listen("tcp", cfg.SMTPListen); err != nil {
			return fmt.Errorf("listen on %s: %w; choose another address with --smtp-listen", cfg.SMTPListen, err)
		}
	}
	hostname := hostOf(cfg.MailFrom)
	if u, err := url.Parse(s.baseURL); err == nil && u.Hostname() != "" && hostname == "" {
		hostname = u.Hostname()
	}
	s.mail = mailer.NewServer(mailer.ServerConfig{
		Hostname:   hostname,
		TrustedMTA: cfg.TrustedPrefixes(),
		Resolver:   cfg.Resolver,
		LookupTXT:  s.opt.LookupTXT,
		Allow:      cfg.MailAllow,
		Block:      cfg.MailBlock,
		Logger:     s.log,
	}, &mailInbox{svc: s.svc, service: strings.ToLower(cfg.MailFrom)})
	return nil
}

// serveMail runs the mail listeners and the delivery queue until ctx
// ends (Close stops the listeners).
func (s *Server) serveMail(ctx context.Context) {
	if s.outbound {
		s.background.Add(1)
		go func() {
			defer s.background.Done()
			defer func() {
				if r := recover(); r != nil {
					s.log.Error("scheduling queue stopped", "panic", r)
				}
			}()
			s.svc.RunDeliveries(ctx)
		}()
	}
	for _, l := range []struct {
		ln    net.Listener
		serve func(net.Listener) error
		name  string
	}{{s.lmtpLn, s.mail.ServeLMTP, "lmtp"}, {s.smtpLn, s.mail.ServeSMTP, "smtp"}} {
		if l.ln == nil {
			continue
		}
		s.log.Info("listening for mail", "protocol", l.name, "addr", l.ln.Addr().String())
		go func() {
			if err := l.serve(l.ln); err != nil && ctx.Err() == nil {
				s.log.Error("mail listener stopped", "protocol", l.name, "err", err)
			}
		}()
	}
}

// MailAddrs returns the addresses of the LMTP and SMTP listeners, nil
// when not listening.
func (s *Server) MailAddrs() (lmtp, smtp net.Addr) {
	if s.lmtpLn != nil {
		lmtp = s.lmtpLn.Addr()
	}
	if s.smtpLn != nil {
		smtp = s.smtpLn.Addr()
	}
	return lmtp, smtp
}
