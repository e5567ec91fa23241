// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package auth

import (
	"crypto/rand"
	"crypto/sha256"
)

// GeneratePassword returns a random password of 26 base32 characters
// (128 bits), for one-time administrator passwords and `almanac user add`
// without --password-stdin.
func GeneratePassword() string {
	return rand.Text()
}

// NewAppToken returns a new random app password token (128 bits, base32)
// and the SHA-256 hash under which it is stored.
func NewAppToken() (token string, hash []byte) {
	token = rand.Text()
	return token, HashToken(token)
}

// HashToken is the SHA-256 of an app password token, the form the store
// keeps (calendar.AppPassword.Hash).
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
