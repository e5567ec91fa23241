// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package calendar

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"

	"github.com/almanac-project/almanac/ical"
)

// DefaultCalendar is the name of the calendar every new home gets.
const DefaultCalendar = "calendar"

// reservedNames cannot be principal names: RFC 3744 §5.5.1 pseudo-principals
// that appear in ACEs, and words the server's URL space uses.
var reservedNames = map[string]bool{
	"all": true, "authenticated": true, "unauthenticated": true, "self": true,
	"owner": true, "anonymous": true, "public": true,
	"principals": true, "calendars": true, "feeds": true, "well-known": true,
}

// ValidPrincipalName reports whether name can name a principal: 1 to 64
// characters of [a-z0-9._-], not "." or "..", and not reserved.
func ValidPrincipalName(name string) bool {
	if len(name) == 0 || len(name) > 64 || name == "." || name == ".." || reservedNames[name] {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// normalizePrincipal checks the type and normalises the addresses of p.
func normalizePrincipal(p *Principal) error {
	switch p.Type {
	case "":
		p.Type = TypeIndividual
	case TypeIndividual, TypeGroup, TypeRoom, TypeResource:
	default:
		return fmt.Errorf("principal type %q: %w", p.Type, ErrInvalidArgument)
	}
	if p.QuotaBytes < 0 {
		return fmt.Errorf("quota %d: %w", p.QuotaBytes, ErrInvalidArgument)
	}
	var out []string
	seen := map[string]bool{}
	for _, a := range p.Addresses {
		n := ical.NormalizeAddress(a)
		if n == "" {
			continue
		}
		if !strings.Contains(n, ":") || n == "mailto:" || strings.HasPrefix(n, "mailto:") && !strings.Contains(n, "@") {
			return fmt.Errorf("calendar user address %q: %w", a, ErrInvalidArgument)
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	p.Addresses = out
	return nil
}

// CreatePrincipal validates and stores p, then creates its home with the
// default calendar "calendar" (VEVENT and VTODO) and the scheduling inbox
// and outbox (RFC 6638 §2.1, §2.2). Name must satisfy
// ValidPrincipalName (ErrInvalidName); Type "" means individual;
// addresses are normalised to lower-case "mailto:" URIs. A taken name or
// address gives ErrExists.
func (s *Service) CreatePrincipal(ctx context.Context, p *Principal) error {
	if !ValidPrincipalName(p.Name) {
		return fmt.Errorf("principal name %q: %w", p.Name, ErrInvalidName)
	}
	if err := normalizePrincipal(p); err != nil {
		return err
	}
	if err := s.st.CreatePrincipal(ctx, p); err != nil {
		return fmt.Errorf("create principal %q: %w", p.Name, err)
	}
	c := &Collection{
		OwnerID:     p.ID,
		Name:        DefaultCalendar,
		Kind:        KindCalendar,
		DisplayName: "Calendar",
		Components:  []string{ical.CompEvent, ical.CompToDo},
	}
	home := []*Collection{c,
		{OwnerID: p.ID, Name: InboxName, Kind: KindInbox},
		{OwnerID: p.ID, Name: OutboxName, Kind: KindOutbox},
	}
	for _, c := range home {
		if err := s.st.CreateCollection(ctx, c); err != nil {
			if derr := s.st.DeletePrincipal(ctx, p.ID); derr != nil {
				err = errors.Join(err, derr)
			}
			return fmt.Errorf("create home of %q: %w", p.Name, err)
		}
	}
	return nil
}

// Principal returns the principal with the name.
func (s *Service) Principal(ctx context.Context, name string) (*Principal, error) {
	p, err := s.st.PrincipalByName(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("principal %q: %w", name, err)
	}
	return p, nil
}

// PrincipalByAddress returns the principal with the calendar user address
// (case-insensitive for mailto: addresses).
func (s *Service) PrincipalByAddress(ctx context.Context, addr string) (*Principal, error) {
	p, err := s.st.PrincipalByAddress(ctx, ical.NormalizeAddress(addr))
	if err != nil {
		return nil, fmt.Errorf("principal with address %q: %w", addr, err)
	}
	return p, nil
}

// Principals lists every principal by name.
func (s *Service) Principals(ctx context.Context) ([]*Principal, error) {
	ps, err := s.st.Principals(ctx)
	if err != nil {
		return nil, fmt.Errorf("list principals: %w", err)
	}
	return ps, nil
}

// UpdatePrincipal stores the descriptive fields of p (everything but ID,
// Name and Created), validated as by CreatePrincipal.
func (s *Service) UpdatePrincipal(ctx context.Context, p *Principal) error {
	if err := normalizePrincipal(p); err != nil {
		return err
	}
	if err := s.st.UpdatePrincipal(ctx, p); err != nil {
		return fmt.Errorf("update principal %q: %w", p.Name, err)
	}
	return nil
}

// DeletePrincipal removes a principal with everything it owns.
func (s *Service) DeletePrincipal(ctx context.Context, name string) error {
	p, err := s.Principal(ctx, name)
	if err != nil {
		return err
	}
	if err := s.st.DeletePrincipal(ctx, p.ID); err != nil {
		return fmt.Errorf("delete principal %q: %w", name, err)
	}
	return nil
}

// SetPassword stores the password hash (an argon2id PHC string made by
// internal/auth; "" disables password login) of a principal.
func (s *Service) SetPassword(ctx context.Context, name, hash string) error {
	p, err := s.Principal(ctx, name)
	if err != nil {
		return err
	}
	p.PasswordHash = hash
	if err := s.st.UpdatePrincipal(ctx, p); err != nil {
		return fmt.Errorf("set password of %q: %w", name, err)
	}
	return nil
}

// tokenEncoding writes random tokens in lower-case base32 without padding.
var tokenEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newToken returns 128 random bits as 26 base32 characters.
func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24)
	return tokenEncoding.EncodeToString(b[:])
}

// HashToken is the SHA-256 under which an app password token is stored.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// CreateAppPassword creates an app password for the principal and returns
// its token: 128 random bits in base32. Only its SHA-256 is stored, so the
// token cannot be shown again.
func (s *Service) CreateAppPassword(ctx context.Context, name, label string) (string, error) {
	p, err := s.Principal(ctx, name)
	if err != nil {
		return "", err
	}
	token := newToken()
	a := &AppPassword{PrincipalID: p.ID, Label: label, Hash: HashToken(token)}
	if err := s.st.CreateAppPassword(ctx, a); err != nil {
		return "", fmt.Errorf("create app password for %q: %w", name, err)
	}
	return token, nil
}

// PrincipalByAppPassword returns the principal an app password token
// belongs to, or ErrNotFound.
func (s *Service) PrincipalByAppPassword(ctx context.Context, token string) (*Principal, error) {
	a, err := s.st.AppPasswordByHash(ctx, HashToken(token))
	if err != nil {
		return nil, fmt.Errorf("app password: %w", err)
	}
	p, err := s.st.Principal(ctx, a.PrincipalID)
	if err != nil {
		return nil, fmt.Errorf("app password owner: %w", err)
	}
	return p, nil
}
