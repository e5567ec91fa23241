// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package sqlstore

import (
	"testing"
	"testing/fstest"
)

func TestReadMigrations(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	ms, err := readMigrations(fstest.MapFS{
		"0010_later.sql":   file("B"),
		"0002_second.sql":  file("A"),
		"README":           file("ignored"),
		"sub/0001_x.sql":   file("ignored"),
		"0001_initial.sql": file("0"),
	})
	if err != nil {
		t.Fatalf("readMigrations() = %v", err)
	}
	var got []int64
	for _, m := range ms {
		got = append(got, m.Version)
	}
	if len(ms) != 3 || got[0] != 1 || got[1] != 2 || got[2] != 10 || ms[2].SQL != "B" {
		t.Errorf("readMigrations() versions = %v, want [1 2 10] in order", got)
	}
	for name, fsys := range map[string]fstest.MapFS{
		"no version":        {"initial.sql": file("")},
		"zero version":      {"0000_x.sql": file("")},
		"duplicate version": {"0001_a.sql": file(""), "1_b.sql": file("")},
	} {
		if _, err := readMigrations(fsys); err == nil {
			t.Errorf("readMigrations(%s) = nil error, want an error", name)
		}
	}
}
