// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package ical_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/internal/vectors"
)

// pythonICalendar prints, for each file it is given, the components of
// every object in walk order with the names of their properties, as the
// python icalendar library (which khal and many servers use) reads them.
const pythonICalendar = `
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
`

// component is a component's name and the set of its property names.
type component struct {
	Name  string   `json:"name"`
	Props []string `json:"props"`
}

// TestInteropPythonICalendar feeds our canonical encoding of every vector
// object to Debian's python3-icalendar and checks that it reads the same
// components, in order, with the same property names: what we emit is read
// by other software as we meant it.
func TestInteropPythonICalendar(t *testing.T) {
	if os.Getenv("ALMANAC_TEST_INTEROP") != "1" {
		t.Skip("set ALMANAC_TEST_INTEROP=1, with python3-icalendar installed (apt-get install python3-icalendar), to run")
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
	args := []string{"-c", pythonICalendar}
	for _, p := range paths {
		args = append(args, p, p+".orig")
	}
	cmd := exec.Command("/usr/bin/python3", args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3-icalendar: %v", err)
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
			// The peer cannot read the original either (python-icalendar
			// 4.0.3 refuses FREEBUSY period lists and DATE onsets in
			// VTIMEZONE): our encoding made it no worse.
			neither++
		case g.Error != "":
			t.Errorf("%s: python3-icalendar reads the original but not our encoding: %s", names[path], g.Error)
		case !reflect.DeepEqual(g.Components, wants[path]):
			t.Errorf("%s: python3-icalendar reads our encoding as\n%v\nwant\n%v", names[path], g.Components, wants[path])
		default:
			read++
		}
	}
	t.Logf("python3-icalendar read %d of %d encodings as we meant them; %d it cannot read in their original form either", read, len(paths), neither)
}
