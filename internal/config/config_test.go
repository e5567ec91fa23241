// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package config

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func load(t *testing.T, names []string, args []string, env map[string]string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	l := Bind(fs, names)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("Parse(%q): %v", args, err)
	}
	return l.Load(func(k string) string { return env[k] })
}

func writeFile(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "almanac.toml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaults(t *testing.T) {
	c, err := load(t, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:8008" || c.Data != "./almanac-data" || c.DB != "" || c.IsPostgres() {
		t.Errorf("Load() with nothing = %+v, want DESIGN.md §4 defaults", c)
	}
}

func TestPrecedence(t *testing.T) {
	file := writeFile(t, `
listen = "127.0.0.1:1001"
data = "/from/file"
base-url = "https://file.example/"
domain = ["file.example", "file2.example"]
smtp-relay = "file-relay:25"
mail-from = "calendar@file.example"
crisp-anonymous = "deny"
`)
	env := map[string]string{
		"ALMANAC_LISTEN":     "127.0.0.1:1002",
		"ALMANAC_DATA":       "/from/env",
		"ALMANAC_SMTP_RELAY": "env-relay:25",
		"ALMANAC_MAIL_FROM":  "calendar@env.example",
		"ALMANAC_DOMAIN":     "env.example, env2.example",
	}
	c, err := load(t, nil, []string{"--config", file, "--listen", "127.0.0.1:1003"}, env)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ key, got, want string }{
		{"listen (flag over env over file)", c.Listen, "127.0.0.1:1003"},
		{"data (env over file)", c.Data, "/from/env"},
		{"smtp-relay (env over file)", c.SMTPRelay, "env-relay:25"},
		{"base-url (file over default)", c.BaseURL, "https://file.example/"},
		{"crisp-anonymous (file over default)", c.CRISPAnonymous, "deny"},
		{"log-format (default)", c.LogFormat, "text"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %q, want %q", tc.key, tc.got, tc.want)
		}
	}
	if want := []string{"env.example", "env2.example"}; !slices.Equal(c.Domains, want) {
		t.Errorf("domain = %q, want %q (env list over file)", c.Domains, want)
	}

	c, err = load(t, nil, []string{"--domain", "a.example", "--domain", "b.example"}, env)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a.example", "b.example"}; !slices.Equal(c.Domains, want) {
		t.Errorf("repeated --domain = %q, want %q", c.Domains, want)
	}

	t.Run("ALMANAC_CONFIG", func(t *testing.T) {
		c, err := load(t, nil, nil, map[string]string{"ALMANAC_CONFIG": file})
		if err != nil || c.Listen != "127.0.0.1:1001" {
			t.Errorf("ALMANAC_CONFIG: %+v, %v", c, err)
		}
	})
	t.Run("keyword DSN", func(t *testing.T) {
		c, err := load(t, StoreFlags, []string{"--db", "host=/tmp/pg user=postgres dbname=almanac_test"}, nil)
		if err != nil || !c.IsPostgres() {
			t.Errorf("--db with libpq keywords: %+v, %v", c, err)
		}
	})
	t.Run("ALMANAC_DB", func(t *testing.T) {
		c, err := load(t, StoreFlags, nil, map[string]string{"ALMANAC_DB": "postgres://u@localhost/almanac"})
		if err != nil || !c.IsPostgres() {
			t.Errorf("ALMANAC_DB: %+v, %v", c, err)
		}
	})
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		file string
		args []string
		env  map[string]string
		want string
	}{
		{name: "unknown key", file: "listen = \"127.0.0.1:1\"\nlisten-addr = \"x\"\n", want: `unknown key "listen-addr"`},
		{name: "unknown table", file: "[mail]\nrelay = \"x\"\n", want: `unknown key "mail`},
		{name: "syntax", file: "listen = \n", want: "almanac.toml:1:"},
		{name: "type", file: "listen = 8008\n", want: "listen"},
		{name: "missing file", args: []string{"--config", "/nonexistent/almanac.toml"}, want: "does not exist"},
		{name: "bad listen", args: []string{"--listen", "8008"}, want: "listen:"},
		{name: "bad db", env: map[string]string{"ALMANAC_DB": "mysql://x"}, want: "db:"},
		{name: "bad db path", args: []string{"--db", "/var/lib/almanac.db"}, want: "db:"},
		{name: "db password hidden", args: []string{"--db", "mongodb://u:secret@h/x"}, want: "xxxxx"},
		{name: "bad base-url", args: []string{"--base-url", "cal.example.org"}, want: "base-url:"},
		{name: "tls half", args: []string{"--tls-cert", "c.pem"}, want: "tls-cert and tls-key"},
		{name: "crisp", args: []string{"--crisp-anonymous", "maybe"}, want: "crisp-anonymous:"},
		{name: "relay without mail-from", args: []string{"--smtp-relay", "127.0.0.1:25"}, want: "mail-from:"},
		{name: "bad relay", args: []string{"--smtp-relay", "mail.example.org", "--mail-from", "c@example.org"}, want: "smtp-relay:"},
		{name: "bad mail-from", args: []string{"--mail-from", "Calendar <c@example.org>"}, want: "mail-from:"},
		{name: "dkim half", args: []string{"--dkim-key", "k.pem", "--mail-from", "c@example.org"}, want: "dkim-key and dkim-selector"},
		{name: "bad trusted-mta", args: []string{"--trusted-mta", "mx.example.org"}, want: "trusted-mta:"},
		{name: "bad lmtp-listen", args: []string{"--lmtp-listen", "2424"}, want: "lmtp-listen:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if tc.file != "" {
				args = append([]string{"--config", writeFile(t, tc.file)}, args...)
			}
			_, err := load(t, nil, args, tc.env)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load(%q) err = %v, want one containing %q", args, err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), "secret") {
				t.Errorf("Load(%q) err = %q: want one line without secrets", args, err)
			}
		})
	}
}

func TestStoreFlagsOnly(t *testing.T) {
	fs := flag.NewFlagSet("user", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	Bind(fs, StoreFlags)
	if fs.Lookup("listen") != nil || fs.Lookup("data") == nil || fs.Lookup("config") == nil {
		t.Errorf("Bind(StoreFlags) registered the wrong flags")
	}
	// The shared file may hold serve's keys too.
	file := writeFile(t, "listen = \"127.0.0.1:9\"\ndata = \"/d\"\n")
	c, err := load(t, StoreFlags, []string{"--config", file}, nil)
	if err != nil || c.Data != "/d" {
		t.Errorf("user command with serve's config file: %+v, %v", c, err)
	}
}
