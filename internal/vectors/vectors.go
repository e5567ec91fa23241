// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

// Package vectors finds the shared test vectors (testdata/vectors, copied
// from the project's shared corpus with their manifests) and extracts the
// iCalendar objects that RFC example messages and real-world iMIP e-mails
// carry. It is used by tests only.
package vectors

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"io"
	"io/fs"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
)

// Dir returns the absolute path of testdata/vectors in the module.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "vectors")
}

// Object is an iCalendar text found in a vector file.
type Object struct {
	// Name identifies the object: the file path relative to Dir, plus
	// "#N" for the N-th object of a file that holds several.
	Name string
	Data []byte
}

// Calendars returns every iCalendar object under the given subdirectories of
// Dir: whole .ics/.ical files, calendar parts of e-mails (.eml, and .txt
// transcripts that are MIME messages), and VCALENDAR blocks in other
// transcripts, in a stable order.
func Calendars(subdirs ...string) ([]Object, error) {
	var out []Object
	for _, sub := range subdirs {
		root := filepath.Join(Dir(), sub)
		err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(Dir(), path)
			switch strings.ToLower(filepath.Ext(path)) {
			case ".ics", ".ical":
				out = append(out, Object{rel, data})
			case ".eml", ".txt":
				parts := MIMECalendars(data)
				if len(parts) == 0 {
					parts = Blocks(data)
				}
				for i, p := range parts {
					name := rel
					if len(parts) > 1 {
						name += "#" + strconv.Itoa(i+1)
					}
					out = append(out, Object{name, p})
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Blocks returns the BEGIN:VCALENDAR … END:VCALENDAR blocks of a text.
func Blocks(data []byte) [][]byte {
	var out [][]byte
	for {
		i := bytes.Index(data, []byte("BEGIN:VCALENDAR"))
		if i < 0 {
			return out
		}
		j := bytes.Index(data[i:], []byte("END:VCALENDAR"))
		if j < 0 {
			return out
		}
		end := i + j + len("END:VCALENDAR")
		out = append(out, append(data[i:end:end], "\r\n"...))
		data = data[end:]
	}
}

// MIMECalendars walks a MIME message and returns the decoded bodies of its
// calendar parts: text/calendar, application/ics, and attachments named
// *.ics. It is a test helper: lenient, and it gives up quietly on broken
// structure.
func MIMECalendars(data []byte) [][]byte {
	data = bytes.TrimLeft(data, " \t\r\n")
	msg, err := mail.ReadMessage(bufio.NewReader(bytes.NewReader(data)))
	if err != nil {
		return nil
	}
	var out [][]byte
	walk(msg.Header, msg.Body, &out, 0)
	return out
}

type header interface{ Get(string) string }

func walk(h header, body io.Reader, out *[][]byte, depth int) {
	if depth > 10 {
		return
	}
	ct := h.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err != nil {
				return
			}
			walk(p.Header, p, out, depth+1)
		}
	}
	if mt == "message/rfc822" {
		msg, err := mail.ReadMessage(bufio.NewReader(body))
		if err == nil {
			walk(msg.Header, msg.Body, out, depth+1)
		}
		return
	}
	name := params["name"]
	if _, dp, err := mime.ParseMediaType(h.Get("Content-Disposition")); err == nil && dp["filename"] != "" {
		name = dp["filename"]
	}
	if mt != "text/calendar" && mt != "application/ics" && !strings.HasSuffix(strings.ToLower(name), ".ics") {
		return
	}
	raw, err := io.ReadAll(body)
	if err != nil {
		return
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))) {
	case "base64":
		dec, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, bytes.NewReader(bytes.Map(func(r rune) rune {
			if r == '\r' || r == '\n' || r == ' ' || r == '\t' {
				return -1
			}
			return r
		}, raw))))
		if err == nil {
			raw = dec
		}
	case "quoted-printable":
		if dec, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw))); err == nil {
			raw = dec
		}
	}
	if bytes.Contains(raw, []byte("BEGIN:")) || bytes.Contains(raw, []byte("begin:")) {
		*out = append(*out, raw)
	}
}
