// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package icaltool

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"

	"github.com/almanac-project/almanac/ical"
)

// json converts iCalendar to jCal (RFC 7265), or with --to-ical back. Several
// VCALENDAR objects become a JSON array of jCal objects.
func (t *tool) json(args []string) error {
	fs := flag.NewFlagSet("json", flag.ContinueOnError)
	toICal := fs.Bool("to-ical", false, "convert jCal to iCalendar")
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	data, display, err := t.readOne(files)
	if err != nil {
		return err
	}
	if *toICal {
		return t.fromJCal(data, display)
	}
	cals, err := decodeAll(data, display)
	if err != nil {
		return err
	}
	var out [][]byte
	for _, c := range cals {
		j, err := ical.MarshalJCal(c.Component)
		if err != nil {
			return fmt.Errorf("%s: %w", display, err)
		}
		out = append(out, j)
	}
	var b bytes.Buffer
	if len(out) == 1 {
		b.Write(out[0])
	} else {
		b.WriteByte('[')
		b.Write(bytes.Join(out, []byte(",")))
		b.WriteByte(']')
	}
	b.WriteByte('\n')
	_, err = t.stdout.Write(b.Bytes())
	return err
}

// fromJCal converts one jCal object, or a JSON array of them, to iCalendar.
func (t *tool) fromJCal(data []byte, name string) error {
	var objs [][]byte
	var arr []json.RawMessage
	if err := json.Unmarshal(data, &arr); err != nil {
		return fmt.Errorf("%s: invalid JSON: %w", name, err)
	}
	if len(arr) > 0 && bytes.HasPrefix(bytes.TrimSpace(arr[0]), []byte("[")) {
		for _, o := range arr {
			objs = append(objs, o)
		}
	} else {
		objs = [][]byte{data}
	}
	enc := ical.NewEncoder(t.stdout)
	for _, o := range objs {
		c, err := ical.UnmarshalJCal(o)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := enc.EncodeComponent(c); err != nil {
			return err
		}
	}
	return nil
}
