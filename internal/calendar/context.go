// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package calendar

import "context"

type principalKey struct{}

// ContextWithPrincipal returns ctx carrying the authenticated principal.
// The HTTP layer sets it once authentication succeeded; a context without
// one is anonymous.
func ContextWithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFromContext returns the authenticated principal, or nil for an
// anonymous request.
func PrincipalFromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}
