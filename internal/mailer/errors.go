// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package mailer

import (
	"errors"
	"fmt"
	"net/textproto"
	"slices"
	"strconv"
	"strings"

	"github.com/emersion/go-smtp"
)

// SMTPError is an SMTP reply that refuses something: the relay's answer to
// a submission, or the answer a Handler wants the inbound server to give.
type SMTPError struct {
	Code      int    // reply code (RFC 5321 §4.2), e.g. 550
	Enhanced  string // enhanced status code (RFC 3463), e.g. "5.1.1"; "" if none
	Message   string // reply text
	Permanent bool   // a 5xx reply: retrying the same message will not help
}

func (e *SMTPError) Error() string {
	s := "smtp " + strconv.Itoa(e.Code)
	if e.Enhanced != "" {
		s += " " + e.Enhanced
	}
	if e.Message != "" {
		s += " " + e.Message
	}
	return s
}

// PartialError reports the recipients a relay refused at RCPT TO (and,
// when others were accepted but the message itself was then refused, those
// too). Recipients that are not in Refused received the message. Refused
// may list every recipient, in which case nothing was sent.
type PartialError struct {
	Refused map[string]*SMTPError // by recipient, as passed to Send
}

func (e *PartialError) Error() string {
	rcpts := make([]string, 0, len(e.Refused))
	for r := range e.Refused {
		rcpts = append(rcpts, r)
	}
	slices.Sort(rcpts)
	var b strings.Builder
	fmt.Fprintf(&b, "mailer: %d recipient(s) refused:", len(rcpts))
	for _, r := range rcpts {
		fmt.Fprintf(&b, " <%s>: %v;", r, e.Refused[r])
	}
	return strings.TrimSuffix(b.String(), ";")
}

// replyError converts a reply error of net/smtp (a *textproto.Error, whose
// text starts with the enhanced code when the server sends one) to an
// *SMTPError; it returns nil for any other error.
func replyError(err error) *SMTPError {
	var te *textproto.Error
	if !errors.As(err, &te) {
		return nil
	}
	e := &SMTPError{Code: te.Code, Message: te.Msg, Permanent: te.Code >= 500 && te.Code < 600}
	if code, rest, ok := strings.Cut(te.Msg, " "); ok && isEnhanced(code, te.Code) {
		e.Enhanced = code
		// RFC 2034 §4: the enhanced code starts every line of the reply.
		e.Message = strings.ReplaceAll(rest, "\n"+code+" ", "\n")
	} else if isEnhanced(te.Msg, te.Code) {
		e.Enhanced, e.Message = te.Msg, ""
	}
	return e
}

// isEnhanced reports whether s is an enhanced status code (RFC 3463 §2:
// class.subject.detail) whose class agrees with the reply code.
func isEnhanced(s string, code int) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 3 || parts[0] != strconv.Itoa(code/100) {
		return false
	}
	for _, p := range parts {
		if n, err := strconv.Atoi(p); err != nil || n < 0 || n > 999 || len(p) > 3 {
			return false
		}
	}
	return true
}

// Replies of the inbound server. The texts are generic; details go to the
// log.
var (
	errTemporary  = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary local error, try again later"}
	errTooLarge   = &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4}, Message: "Message too big for system"}
	errTimeout    = &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 4, 2}, Message: "Timeout, closing connection"}
	errLineLength = &smtp.SMTPError{Code: 500, EnhancedCode: smtp.EnhancedCode{5, 4, 0}, Message: "Line too long, closing connection"}
	errRate       = &smtp.SMTPError{Code: 450, EnhancedCode: smtp.EnhancedCode{4, 7, 1}, Message: "Too many messages from this sender, try again later"}
	errBlocked    = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Sender refused by policy"}
	errAuthor     = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Exactly one author address is required in From (RFC 5322 section 3.6)"}
	errMalformed  = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Malformed message header"}
)

// wireError converts an error of a Handler to the reply of the inbound
// server: an *SMTPError (possibly wrapped) keeps its code, anything else
// is errTemporary. It reports whether the error was an *SMTPError.
func wireError(err error) (*smtp.SMTPError, bool) {
	var e *SMTPError
	if !errors.As(err, &e) || e.Code < 400 || e.Code > 599 {
		return errTemporary, false
	}
	w := &smtp.SMTPError{Code: e.Code, EnhancedCode: smtp.EnhancedCodeNotSet}
	if isEnhanced(e.Enhanced, e.Code) {
		for i, p := range strings.Split(e.Enhanced, ".") {
			w.EnhancedCode[i], _ = strconv.Atoi(p)
		}
	}
	// go-smtp sends one reply line per "\n"; a CR would end the reply early.
	w.Message = strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, e.Message)
	if w.Message == "" {
		w.Message = "Refused"
		if e.Code < 500 {
			w.Message = "Try again later"
		}
	}
	return w, true
}
