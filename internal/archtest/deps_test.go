// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package archtest

import (
	"encoding/json"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/almanac-project/almanac"

type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
	Doc        string
	Dir        string
	GoFiles    []string
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", module+"/...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// rule says what one package may depend on (directly or not): the module
// packages in mods, the third-party packages under the paths in thirdParty
// and nothing else of other modules, no standard-library package of
// forbidden, and no package of imports directly. The arrows are STYLE.md
// §2.
type rule struct {
	mods       []string
	forbidden  []string
	imports    []string
	thirdParty []string
}

var icalLibs = []string{"ical", "ical/recur", "ical/tz"}

// mailLibs are the mail libraries of design/dependencies.md §6 and what
// they pull in (x/crypto for go-msgauth's Ed25519).
var mailLibs = []string{
	"github.com/emersion/go-smtp", "github.com/emersion/go-sasl", "github.com/emersion/go-message",
	"github.com/emersion/go-msgauth", "github.com/smallstep/pkcs7", "golang.org/x/net/publicsuffix",
	"golang.org/x/crypto",
}

// rules covers the root libraries, the protocol packages and the domain
// service; packages not listed (the server wiring, stores, commands) may
// import anything.
var rules = map[string]rule{
	"ical":                    {},
	"ical/recur":              {mods: []string{"ical"}},
	"ical/tz":                 {mods: []string{"ical", "ical/recur"}},
	"internal/webdav":         {forbidden: []string{"database/sql"}},
	"itip":                    {mods: icalLibs, forbidden: []string{"net/http", "database/sql"}},
	"imip":                    {mods: append([]string{"itip"}, icalLibs...), forbidden: []string{"net/http", "database/sql"}, thirdParty: []string{"github.com/emersion/go-message", "golang.org/x/text"}},
	"internal/caldav/caldata": {mods: icalLibs, forbidden: []string{"database/sql", "net/http"}},
	"internal/caldav":         {mods: append([]string{"internal/webdav", "internal/caldav/caldata", "itip"}, icalLibs...), forbidden: []string{"database/sql"}},
	// The domain service computes busy time for scheduling (free-busy
	// replies, room conflicts) with caldata, a pure leaf package of
	// calendar-data rules that speaks no HTTP.
	"internal/calendar": {mods: append([]string{"itip", "internal/caldav/caldata"}, icalLibs...), forbidden: []string{"net/http", "database/sql"}},
	// The mail transport moves bytes: no module package, no store. It
	// speaks no HTTP, but publicsuffix pulls net/http in for its
	// cookiejar.PublicSuffixList, so that one is checked on its imports.
	"internal/mailer": {forbidden: []string{"database/sql"}, imports: []string{"net/http"}, thirdParty: mailLibs},
	// CRISP speaks HTTP and iTIP only: no store, no calendar service
	// (seed-mapping §3.1: the endpoint exposes no calendar access).
	"internal/crisp": {mods: append([]string{"itip"}, icalLibs...), forbidden: []string{"database/sql"},
		thirdParty: []string{"golang.org/x/net", "golang.org/x/text"}},
}

// TestDependencyDirection checks the import arrows of STYLE.md §2: root
// libraries import nothing of internal/, protocol packages never reach the
// store or the domain service, and the domain service never speaks HTTP.
func TestDependencyDirection(t *testing.T) {
	for _, p := range listPackages(t) {
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		r, listed := rules[rel]
		if !listed {
			continue
		}
		for _, d := range p.Imports {
			if contains(r.imports, d) {
				t.Errorf("%s must not import %s (STYLE.md §2)", rel, d)
			}
		}
		for _, d := range p.Deps {
			if contains(r.forbidden, d) {
				t.Errorf("%s must not depend on %s (STYLE.md §2)", rel, d)
			}
			if !strings.HasPrefix(d, module) {
				if strings.Contains(strings.SplitN(d, "/", 2)[0], ".") && !underAny(r.thirdParty, d) {
					t.Errorf("%s depends on third-party module %s", rel, d)
				}
				continue
			}
			drel := strings.TrimPrefix(strings.TrimPrefix(d, module), "/")
			if !contains(r.mods, drel) {
				t.Errorf("%s must not depend on %s (STYLE.md §2)", rel, drel)
			}
		}
	}
}

// TestPackageDocs checks that every package has a package doc comment, in
// exactly one file.
func TestPackageDocs(t *testing.T) {
	for _, p := range listPackages(t) {
		if p.Doc == "" {
			t.Errorf("no package doc in %s", p.ImportPath)
			continue
		}
		n := 0
		for _, f := range p.GoFiles {
			file, err := parser.ParseFile(token.NewFileSet(), filepath.Join(p.Dir, f), nil, parser.PackageClauseOnly|parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			if file.Doc != nil {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s has package docs in %d files, want 1", p.ImportPath, n)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// underAny reports whether the package path p is one of paths or below one.
func underAny(paths []string, p string) bool {
	for _, x := range paths {
		if p == x || strings.HasPrefix(p, x+"/") {
			return true
		}
	}
	return false
}
