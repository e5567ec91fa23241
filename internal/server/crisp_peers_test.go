// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadPeers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "peers")
	file := `# partners
partner.example  AB:CD:EF:01            # a certificate fingerprint
other.example    cal.other.example
partner.example  dkim  crisp  v=DKIM1; k=ed25519; p=MCowBQYDK2VwAyEA
`
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := loadPeers(path)
	if err != nil {
		t.Fatalf("loadPeers: %v", err)
	}
	if p.certs["ab:cd:ef:01"] != "partner.example" || p.certs["cal.other.example"] != "other.example" || len(p.certs) != 2 {
		t.Errorf("certs = %v", p.certs)
	}
	if got := p.keys["crisp._domainkey.partner.example"]; got != "v=DKIM1; k=ed25519; p=MCowBQYDK2VwAyEA" {
		t.Errorf("keys = %v", p.keys)
	}
	if err := os.WriteFile(path, []byte("just-one-field\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadPeers(path); err == nil || !strings.Contains(err.Error(), ":1:") {
		t.Errorf("loadPeers(bad line) = %v, want an error naming line 1", err)
	}
}
