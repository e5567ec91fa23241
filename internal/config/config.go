// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

// Package config holds the configuration of `almanac serve` and the
// commands that open the store (DESIGN.md §4). A Config is loaded from,
// in increasing precedence: the defaults, a TOML file (--config; unknown
// keys are an error), ALMANAC_<FLAG> environment variables, and command-line
// flags. It is a value passed down explicitly, never a global.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// Config is the configuration of the server. The TOML key of each field is
// the name of its flag.
type Config struct {
	// Listen is the HTTP listen address (host:port).
	Listen string `toml:"listen"`
	// Data is the data directory; the embedded SQLite store lives there
	// (almanac.db) unless DB is set.
	Data string `toml:"data"`
	// DB is a PostgreSQL connection string, a URL (postgres://…) or
	// libpq keyword/value pairs ("host=/run/postgresql dbname=almanac");
	// "" selects the embedded SQLite store in Data.
	DB string `toml:"db"`
	// BaseURL is the public URL of the server, used for absolute links; ""
	// derives it from Listen.
	BaseURL string `toml:"base-url"`
	// Domains are the mail domains whose calendar addresses are local.
	Domains []string `toml:"domain"`

	TLSCert  string `toml:"tls-cert"`
	TLSKey   string `toml:"tls-key"`
	CAFile   string `toml:"ca-file"`  // CA bundle for outgoing TLS (CRISP, SMTP); "" = system roots
	Resolver string `toml:"resolver"` // DNS server host:port for DKIM, DMARC and CRISP discovery; "" = system

	// Mail (iMIP).
	SMTPRelay        string   `toml:"smtp-relay"`
	SMTPUser         string   `toml:"smtp-user"`
	SMTPPasswordFile string   `toml:"smtp-password-file"`
	MailFrom         string   `toml:"mail-from"`
	LMTPListen       string   `toml:"lmtp-listen"`
	SMTPListen       string   `toml:"smtp-listen"`
	DKIMKey          string   `toml:"dkim-key"`
	DKIMSelector     string   `toml:"dkim-selector"`
	TrustedMTA       []string `toml:"trusted-mta"`
	// MailAllow and MailBlock list senders ("user@domain", "@domain" or
	// "domain") whose mail skips the rate limits, or is refused.
	MailAllow []string `toml:"mail-allow"`
	MailBlock []string `toml:"mail-block"`

	// CRISP (real-time scheduling with other domains).
	CRISPAnonymous    string `toml:"crisp-anonymous"` // allow, hold or deny
	CRISPDKIMKey      string `toml:"crisp-dkim-key"`
	CRISPDKIMSelector string `toml:"crisp-dkim-selector"`
	CRISPPeers        string `toml:"crisp-peers"`

	// Logging.
	LogLevel  string `toml:"log-level"`  // debug, info, warn or error
	LogFormat string `toml:"log-format"` // text or json
}

// Default returns the defaults of DESIGN.md §4.
func Default() Config {
	return Config{
		Listen:         "127.0.0.1:8008",
		Data:           "./almanac-data",
		CRISPAnonymous: "hold",
		LogLevel:       "info",
		LogFormat:      "text",
	}
}

// IsPostgres reports whether the configuration selects PostgreSQL: DB is
// a postgres:// or postgresql:// URL or libpq keyword/value pairs.
func (c *Config) IsPostgres() bool {
	if strings.HasPrefix(c.DB, "postgres://") || strings.HasPrefix(c.DB, "postgresql://") {
		return true
	}
	return !strings.Contains(c.DB, "://") && strings.Contains(c.DB, "=")
}

// Validate checks the values that can be checked without I/O.
func (c *Config) Validate() error {
	if c.Listen == "" {
		return errors.New("listen: empty address; give host:port, e.g. 127.0.0.1:8008")
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fmt.Errorf("listen: %q is not host:port, e.g. 127.0.0.1:8008", c.Listen)
	}
	if c.DB == "" && c.Data == "" {
		return errors.New("data: empty directory; give --data DIR or --db postgres://…")
	}
	if c.DB != "" && !c.IsPostgres() {
		return fmt.Errorf("db: %q is not a PostgreSQL connection string; use postgres://user@host/dbname, or --data DIR for the embedded store", redactDSN(c.DB))
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("base-url: %q is not an absolute http(s) URL, e.g. https://cal.example.org/", c.BaseURL)
		}
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("tls-cert and tls-key go together; give both or neither")
	}
	if err := c.validateMail(); err != nil {
		return err
	}
	if !slices.Contains([]string{"allow", "hold", "deny"}, c.CRISPAnonymous) {
		return fmt.Errorf("crisp-anonymous: %q is not allow, hold or deny", c.CRISPAnonymous)
	}
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, c.LogLevel) {
		return fmt.Errorf("log-level: %q is not debug, info, warn or error", c.LogLevel)
	}
	if !slices.Contains([]string{"text", "json"}, c.LogFormat) {
		return fmt.Errorf("log-format: %q is not text or json", c.LogFormat)
	}
	return nil
}

// validateMail checks the mail settings.
func (c *Config) validateMail() error {
	for name, addr := range map[string]string{"smtp-relay": c.SMTPRelay, "lmtp-listen": c.LMTPListen, "smtp-listen": c.SMTPListen, "resolver": c.Resolver} {
		if addr == "" {
			continue
		}
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return fmt.Errorf("%s: %q is not host:port, e.g. 127.0.0.1:25", name, addr)
		}
	}
	if c.SMTPRelay != "" && c.MailFrom == "" {
		return errors.New("mail-from: needed with --smtp-relay: the envelope sender of outgoing mail, which receives the bounces, e.g. calendar@example.org")
	}
	if c.MailFrom != "" {
		if a, err := mail.ParseAddress(c.MailFrom); err != nil || a.Name != "" {
			return fmt.Errorf("mail-from: %q is not an e-mail address", c.MailFrom)
		}
	}
	if (c.DKIMKey == "") != (c.DKIMSelector == "") {
		return errors.New("dkim-key and dkim-selector go together; give both or neither")
	}
	if c.DKIMKey != "" && c.MailFrom == "" {
		return errors.New("dkim-key: needs --mail-from, whose domain signs")
	}
	for _, t := range c.TrustedMTA {
		if _, err := netip.ParsePrefix(t); err == nil {
			continue
		}
		if _, err := netip.ParseAddr(t); err != nil {
			return fmt.Errorf("trusted-mta: %q is neither an IP address nor a CIDR prefix", t)
		}
	}
	return nil
}

// TrustedPrefixes returns TrustedMTA as prefixes (an address is a /32 or
// /128). Validate has checked them.
func (c *Config) TrustedPrefixes() []netip.Prefix {
	var out []netip.Prefix
	for _, t := range c.TrustedMTA {
		if p, err := netip.ParsePrefix(t); err == nil {
			out = append(out, p.Masked())
		} else if a, err := netip.ParseAddr(t); err == nil {
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	return out
}

// redactDSN hides a password in a connection string for error messages.
func redactDSN(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		return u.String()
	}
	if strings.Contains(dsn, "password") {
		return "(a connection string with a password)"
	}
	return dsn
}

// field describes one setting: its flag and TOML name, its usage line and
// how to set it from a string.
type field struct {
	name  string
	usage string
	list  bool
	ptr   func(c *Config) any // *string or *[]string
}

var fields = []field{
	{name: "listen", usage: "HTTP listen address `host:port`", ptr: func(c *Config) any { return &c.Listen }},
	{name: "data", usage: "data `directory` of the embedded SQLite store", ptr: func(c *Config) any { return &c.Data }},
	{name: "db", usage: "PostgreSQL connection string `postgres://…` (instead of the embedded store)", ptr: func(c *Config) any { return &c.DB }},
	{name: "base-url", usage: "public `URL` of the server for absolute links (default: from --listen)", ptr: func(c *Config) any { return &c.BaseURL }},
	{name: "domain", usage: "mail `domain` whose calendar addresses are local (repeatable)", list: true, ptr: func(c *Config) any { return &c.Domains }},
	{name: "tls-cert", usage: "TLS certificate `file` (PEM)", ptr: func(c *Config) any { return &c.TLSCert }},
	{name: "tls-key", usage: "TLS private key `file` (PEM)", ptr: func(c *Config) any { return &c.TLSKey }},
	{name: "ca-file", usage: "CA bundle `file` for outgoing TLS (default: system roots)", ptr: func(c *Config) any { return &c.CAFile }},
	{name: "resolver", usage: "DNS server `host:port` for DKIM, DMARC and CRISP discovery (default: system)", ptr: func(c *Config) any { return &c.Resolver }},
	{name: "smtp-relay", usage: "outgoing mail relay `host:port`", ptr: func(c *Config) any { return &c.SMTPRelay }},
	{name: "smtp-user", usage: "user `name` at the mail relay", ptr: func(c *Config) any { return &c.SMTPUser }},
	{name: "smtp-password-file", usage: "`file` holding the mail relay password", ptr: func(c *Config) any { return &c.SMTPPasswordFile }},
	{name: "mail-from", usage: "sender `address` of outgoing mail", ptr: func(c *Config) any { return &c.MailFrom }},
	{name: "lmtp-listen", usage: "LMTP listen `address` for incoming mail", ptr: func(c *Config) any { return &c.LMTPListen }},
	{name: "smtp-listen", usage: "SMTP listen `address` for incoming mail", ptr: func(c *Config) any { return &c.SMTPListen }},
	{name: "dkim-key", usage: "DKIM private key `file` for outgoing mail", ptr: func(c *Config) any { return &c.DKIMKey }},
	{name: "dkim-selector", usage: "DKIM `selector` for outgoing mail", ptr: func(c *Config) any { return &c.DKIMSelector }},
	{name: "trusted-mta", usage: "`address` or CIDR of a mail server trusted to deliver (repeatable)", list: true, ptr: func(c *Config) any { return &c.TrustedMTA }},
	{name: "mail-allow", usage: "mail `sender` (user@domain, @domain) exempt from rate limits (repeatable)", list: true, ptr: func(c *Config) any { return &c.MailAllow }},
	{name: "mail-block", usage: "mail `sender` (user@domain, @domain) whose mail is refused (repeatable)", list: true, ptr: func(c *Config) any { return &c.MailBlock }},
	{name: "crisp-anonymous", usage: "anonymous CRISP senders: `allow|hold|deny`", ptr: func(c *Config) any { return &c.CRISPAnonymous }},
	{name: "crisp-dkim-key", usage: "DKIM private key `file` for CRISP requests", ptr: func(c *Config) any { return &c.CRISPDKIMKey }},
	{name: "crisp-dkim-selector", usage: "DKIM `selector` for CRISP requests", ptr: func(c *Config) any { return &c.CRISPDKIMSelector }},
	{name: "crisp-peers", usage: "`file` listing CRISP peer domains", ptr: func(c *Config) any { return &c.CRISPPeers }},
	{name: "log-level", usage: "log `level`: debug, info, warn or error", ptr: func(c *Config) any { return &c.LogLevel }},
	{name: "log-format", usage: "log `format`: text or json", ptr: func(c *Config) any { return &c.LogFormat }},
}

// StoreFlags are the settings of the commands that only open the store
// (user, import, export).
var StoreFlags = []string{"data", "db", "log-level", "log-format"}

// ProxyFlags are the settings of `almanac crisp-proxy`: no store, the
// CRISP endpoint's authentication and TLS.
var ProxyFlags = []string{"listen", "domain", "tls-cert", "tls-key", "ca-file", "resolver", "crisp-anonymous",
	"crisp-dkim-key", "crisp-dkim-selector", "crisp-peers", "mail-from", "log-level", "log-format"}

// EnvName is the environment variable of a flag: ALMANAC_ and the flag
// name in upper case with '-' as '_' (ALMANAC_BASE_URL).
func EnvName(flagName string) string {
	return "ALMANAC_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Loader binds settings to a FlagSet and loads a Config once the flags are
// parsed.
type Loader struct {
	configFile string
	set        []flagValue // in command-line order
}

type flagValue struct {
	f     *field
	value string
}

type recorder struct {
	l *Loader
	f *field
}

func (r recorder) String() string { return "" }

func (r recorder) Set(v string) error {
	r.l.set = append(r.l.set, flagValue{r.f, v})
	return nil
}

// Bind registers --config and the flags named in names (nil: every
// setting) on fs.
func Bind(fs *flag.FlagSet, names []string) *Loader {
	l := &Loader{}
	fs.StringVar(&l.configFile, "config", "", "TOML configuration `file` (keys are the flag names)")
	def := Default()
	for i := range fields {
		f := &fields[i]
		if names != nil && !slices.Contains(names, f.name) {
			continue
		}
		usage := f.usage
		if s, ok := f.ptr(&def).(*string); ok && *s != "" {
			usage += fmt.Sprintf(" (default %q)", *s)
		}
		fs.Var(recorder{l, f}, f.name, usage+"; env "+EnvName(f.name))
	}
	return l
}

// Load builds the Config: defaults, then the TOML file named by --config
// (or ALMANAC_CONFIG), then ALMANAC_<FLAG> variables read with getenv, then
// the flags parsed on the FlagSet. It validates the result. Errors are one
// line naming the file, variable or flag at fault.
func (l *Loader) Load(getenv func(string) string) (Config, error) {
	c := Default()
	path := l.configFile
	if path == "" {
		path = getenv("ALMANAC_CONFIG")
	}
	if path != "" {
		if err := loadFile(&c, path); err != nil {
			return c, err
		}
	}
	for i := range fields {
		f := &fields[i]
		v, ok := lookup(getenv, EnvName(f.name))
		if !ok {
			continue
		}
		switch p := f.ptr(&c).(type) {
		case *string:
			*p = v
		case *[]string:
			*p = splitList(v)
		}
	}
	cleared := map[string]bool{}
	for _, fv := range l.set {
		switch p := fv.f.ptr(&c).(type) {
		case *string:
			*p = fv.value
		case *[]string:
			// Repeated list flags accumulate, replacing the file and
			// environment values.
			if !cleared[fv.f.name] {
				*p, cleared[fv.f.name] = nil, true
			}
			*p = append(*p, splitList(fv.value)...)
		}
	}
	if err := c.Validate(); err != nil {
		return c, err
	}
	return c, nil
}

func lookup(getenv func(string) string, name string) (string, bool) {
	v := getenv(name)
	return v, v != ""
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func loadFile(c *Config, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("config file %s does not exist; check --config or ALMANAC_CONFIG", path)
		}
		return fmt.Errorf("config file: %w", err)
	}
	md, err := toml.Decode(string(data), c)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return fmt.Errorf("%s:%d: %s", path, pe.Position.Line, pe.Message)
		}
		return fmt.Errorf("%s: %v", path, err)
	}
	if keys := md.Undecoded(); len(keys) > 0 {
		return fmt.Errorf("%s: unknown key %q; the keys are the flag names of 'almanac serve -h'", path, keys[0].String())
	}
	return nil
}
