// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package ical_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/internal/vectors"
)

// pythonPeers are scripts that print, for each file they are given, the
// components of every object with the names of their properties, as a
// python library reads them: icalendar (used by khal and many servers) and
// vobject (used by Radicale). Both come from Debian's packages.
var pythonPeers = map[string]string{
	"python3-icalendar": `
import json, sys
import icalendar

out = {}
for path in sys.argv[1:]:
    with open(path, 'rb') as f:
        data = f.read()
    try:
        cals = icalendar.Calendar.from_ical(data, multiple=True)
    except Exception as e:
        out[path] = {'error': repr(e)}
        continue
    comps = []
    for cal in cals:
        for c in cal.walk():
            names = sorted(set(k for k, v in c.property_items(recursive=False, sorted=False)
                               if k not in ('BEGIN', 'END')))
            comps.append({'name': c.name, 'props': names})
    out[path] = {'components': comps}
json.dump(out, sys.stdout)
`,
	"python3-vobject": `
import json, sys
import vobject

def walk(comp, comps):
    lines = [c for c in comp.getChildren() if isinstance(c, vobject.base.ContentLine)]
    comps.append({'name': comp.name.upper(), 'props': sorted(set(c.name.upper() for c in lines))})
    for c in comp.getChildren():
        if isinstance(c, vobject.base.Component):
            walk(c, comps)

out = {}
for path in sys.argv[1:]:
    with open(path, 'rb') as f:
        data = f.read().decode('utf-8', 'surrogateescape')
    try:
        comps = []
        for cal in vobject.readComponents(data):
            walk(cal, comps)
    except Exception as e:
        out[path] = {'error': repr(e)}
        continue
    out[path] = {'components': comps}
json.dump(out, sys.stdout)
`,
}

// sameComponents compares two lists of components in any order: vobject
// groups sub-components by name.
func sameComponents(a, b []component) bool {
	key := func(c component) string { return c.Name + ":" + strings.Join(c.Props, ",") }
	ka, kb := make([]string, len(a)), make([]string, len(b))
	for i := range a {
		ka[i] = key(a[i])
	}
	for i := range b {
		kb[i] = key(b[i])
	}
	slices.Sort(ka)
	slices.Sort(kb)
	return slices.Equal(ka, kb)
}

// component is a component's name and the set of its property names.
type component struct {
	Name  string   `json:"name"`
	Props []string `json:"props"`
}

// TestInteropPython feeds our canonical encoding of every vector object to
// other libraries and checks that they read the same components with the
// same property names as we do, whenever they can read the original: what
// we emit is read by other software as we meant it.
func TestInteropPython(t *testing.T) {
	if os.Getenv("ALMANAC_TEST_INTEROP") != "1" {
		t.Skip("set ALMANAC_TEST_INTEROP=1, with python3-icalendar and python3-vobject installed (apt-get install python3-icalendar python3-vobject), to run")
	}
	objs, err := vectors.Calendars("ics", "imip", "rfc-examples")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var paths []string
	names := map[string]string{}
	wants := map[string][]component{}
	for i, o := range objs {
		if _, broken := brokenVectors[o.Name]; broken {
			continue
		}
		cals := decodeAll(t, o.Data)
		path := filepath.Join(dir, strconv.Itoa(i)+".ics")
		if err := os.WriteFile(path, encodeAll(t, cals), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path+".orig", o.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
		names[path] = o.Name
		for _, c := range cals {
			c.Walk(func(c *ical.Component) bool {
				var props []string
				for _, p := range c.Props {
					props = append(props, p.Name)
				}
				slices.Sort(props)
				wants[path] = append(wants[path], component{Name: c.Name, Props: slices.Compact(props)})
				return true
			})
		}
	}
	for peer, script := range pythonPeers {
		t.Run(peer, func(t *testing.T) {
			args := []string{"-c", script}
			for _, p := range paths {
				args = append(args, p, p+".orig")
			}
			cmd := exec.Command("/usr/bin/python3", args...)
			cmd.Stderr = os.Stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s: %v (apt-get install %s)", peer, err, peer)
			}
			var got map[string]struct {
				Error      string      `json:"error"`
				Components []component `json:"components"`
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatal(err)
			}
			read, neither := 0, 0
			for _, path := range paths {
				g, orig := got[path], got[path+".orig"]
				switch {
				case g.Error != "" && orig.Error != "":
					// The peer cannot read the original either: our
					// encoding made it no worse.
					neither++
				case g.Error != "":
					t.Errorf("%s: %s reads the original but not our encoding: %s", names[path], peer, g.Error)
				case !sameComponents(g.Components, wants[path]):
					t.Errorf("%s: %s reads our encoding as\n%v\nwant\n%v", names[path], peer, g.Components, wants[path])
				default:
					read++
				}
			}
			t.Logf("%s read %d of %d encodings as we meant them; %d it cannot read in their original form either", peer, read, len(paths), neither)
		})
	}
}
