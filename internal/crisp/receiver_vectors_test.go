// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package crisp

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/almanac-project/almanac/itip"
)

// isVector is an entry of testdata/ischedule/manifest.json.
type isVector struct {
	ID          string `json:"id"`
	File        string `json:"file"`
	Kind        string `json:"kind"`
	FirstLine   string `json:"first_line"`
	DerivedFrom string `json:"derived_from"`
	Method      string `json:"method"`
	Component   string `json:"component"`
	SHA256      string `json:"sha256"`
	TableCheck  *struct {
		Valid bool `json:"valid"`
	} `json:"rfc5546_table_check"`
}

func rxReadFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.FromSlash(name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func loadISVectors(t testing.TB) []isVector {
	t.Helper()
	var m struct {
		Count   int        `json:"count"`
		Vectors []isVector `json:"vectors"`
	}
	if err := json.Unmarshal(rxReadFile(t, "testdata/ischedule/manifest.json"), &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Vectors) != m.Count || m.Count != 24 {
		t.Fatalf("manifest lists %d vectors, count says %d, want 24", len(m.Vectors), m.Count)
	}
	return m.Vectors
}

// rxTranscript is an HTTP message of the drafts: the start line, the header
// fields as printed (folded lines unfolded) and the body.
type rxTranscript struct {
	start  string
	header http.Header
	body   string
}

func parseTranscript(t testing.TB, text string) rxTranscript {
	t.Helper()
	head, body, _ := strings.Cut(text, "\n\n")
	sc := bufio.NewScanner(strings.NewReader(head))
	var tr rxTranscript
	tr.header = http.Header{}
	var last string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case tr.start == "":
			tr.start = line
		case strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t"):
			vs := tr.header[last]
			vs[len(vs)-1] += " " + strings.TrimSpace(line)
		default:
			name, value, ok := strings.Cut(line, ":")
			if !ok {
				t.Fatalf("header line %q", line)
			}
			last = http.CanonicalHeaderKey(name)
			tr.header[last] = append(tr.header[last], strings.TrimSpace(value))
		}
	}
	tr.body = body
	return tr
}

// TestISVectorFiles checks the copied files against the manifest and the
// iTIP messages against their verdict: a message the table check finds
// valid parses and validates in interop mode; the others are the
// BEGIN:VTODO … END:VEVENT task examples, which do not parse.
func TestISVectorFiles(t *testing.T) {
	for _, v := range loadISVectors(t) {
		t.Run(v.ID, func(t *testing.T) {
			data := rxReadFile(t, "testdata/ischedule/"+v.File)
			sum := sha256.Sum256(data)
			if got := hex.EncodeToString(sum[:]); got != v.SHA256 {
				t.Fatalf("sha256 %s, manifest says %s", got, v.SHA256)
			}
			if !strings.HasPrefix(v.Kind, "itip-message") {
				return
			}
			cal, err := itip.ParseMessage(data, itip.ModeInterop)
			if !v.TableCheck.Valid {
				if err == nil {
					t.Fatalf("parsed a message the manifest says is invalid")
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseMessage: %v", err)
			}
			if ps := itip.Validate(cal.Component, itip.ValidateOptions{Mode: itip.ModeInterop}); !itip.Valid(ps) {
				t.Fatalf("invalid: %s", problemText(ps))
			}
			if m, c := itip.MethodOf(cal.Component); m != v.Method || c != v.Component {
				t.Errorf("message is %s %s, manifest says %s %s", c, m, v.Component, v.Method)
			}
		})
	}
}

// TestISVectorExchanges posts each request rxTranscript of the drafts to
// the receiver, with the body of its derived .ics, and compares the
// answer with the draft's response: the recipients and statuses of a
// schedule-response, or the refusal. The draft's DKIM signatures are
// placeholders, so the receiver runs without a Verifier (a signed request
// then counts as anonymous) and admits anonymous senders; the failed
// request is also posted to a receiver with a Verifier, which refuses it
// with verification-failed as the draft shows.
func TestISVectorExchanges(t *testing.T) {
	vectors := loadISVectors(t)
	byFile := make(map[string]isVector)
	for _, v := range vectors {
		byFile[v.File] = v
	}
	derived := func(file, kind string) (isVector, bool) {
		for _, v := range vectors {
			if v.DerivedFrom == file && strings.HasPrefix(v.Kind, kind) {
				return v, true
			}
		}
		return isVector{}, false
	}
	posts := 0
	for _, v := range vectors {
		if v.Kind != "http-request" || !strings.HasPrefix(v.FirstLine, "POST ") {
			continue
		}
		posts++
		t.Run(v.ID, func(t *testing.T) {
			req := parseTranscript(t, string(rxReadFile(t, "testdata/ischedule/"+v.File)))
			msg, ok := derived(v.File, "itip-message")
			if !ok {
				t.Fatalf("no derived message for %s", v.File)
			}
			body := string(rxReadFile(t, "testdata/ischedule/"+msg.File))
			respFile := strings.Replace(v.File, "_request.txt", "_response.txt", 1)
			resp := parseTranscript(t, string(rxReadFile(t, "testdata/ischedule/"+respFile)))
			b := newRecordingBackend(rxCyrus, rxMike)
			b.status[rxMike] = "5.3;No scheduling support for user"
			if fb, ok := derived(respFile, "itip-message"); ok {
				b.reply[rxCyrus] = rxReadFile(t, "testdata/ischedule/"+fb.File)
			}
			post := func(o Options) *httptest.ResponseRecorder {
				r := httptest.NewRequest(http.MethodPost, "/.well-known/ischedule", strings.NewReader(body))
				r.RemoteAddr = "192.0.2.10:40000"
				for k, vs := range req.header {
					if k != "Content-Length" {
						r.Header[k] = vs
					}
				}
				return rxServe(NewReceiver(o), r)
			}
			w := post(Options{Backend: b, Anonymous: AnonymousAllow, Logger: rxQuietLogger()})
			code, _ := strconv.Atoi(strings.Fields(resp.start)[1])
			if !msg.TableCheck.Valid {
				if name, _ := rxErrorElement(t, w); w.Code != http.StatusBadRequest || name.Local != errInvalidCalendarData {
					t.Fatalf("status %d %s, want 400 invalid-calendar-data", w.Code, name.Local)
				}
				if b.touched() {
					t.Errorf("the backend was called")
				}
				if code == http.StatusForbidden {
					w := post(Options{Backend: b, Anonymous: AnonymousDeny, Verifier: &Verifier{Keys: map[string]string{}}, Logger: rxQuietLogger()})
					var want Error
					if err := xml.Unmarshal([]byte(joinSplitTags(resp.body)), &want); err != nil {
						t.Fatal(err)
					}
					if name, _ := rxErrorElement(t, w); w.Code != code || name != want.Condition.XMLName {
						t.Fatalf("with a verifier: status %d %v, the draft says %d %v", w.Code, name, code, want.Condition.XMLName)
					}
				}
				return
			}
			if code != http.StatusOK {
				t.Fatalf("response rxTranscript status %d", code)
			}
			var want ScheduleResponse
			if err := xml.Unmarshal([]byte(joinSplitTags(resp.body)), &want); err != nil {
				t.Fatal(err)
			}
			sr := rxScheduleResponse(t, w)
			if len(sr.Responses) != len(want.Responses) {
				t.Fatalf("%d responses, the draft has %d", len(sr.Responses), len(want.Responses))
			}
			for i, wr := range want.Responses {
				got := sr.Responses[i]
				if got.Recipient != wr.Recipient || got.RequestStatus != wr.RequestStatus {
					t.Errorf("response %d = %s %s, the draft says %s %s", i, got.Recipient, got.RequestStatus, wr.Recipient, wr.RequestStatus)
				}
				if (wr.CalendarData != nil) != (got.CalendarData != nil) {
					t.Errorf("response %d: calendar-data %v, the draft has %v", i, got.CalendarData != nil, wr.CalendarData != nil)
				}
			}
		})
	}
	if posts != 6 {
		t.Errorf("%d POST transcripts, want 6", posts)
	}
}

// joinSplitTags undoes the line breaks the drafts print inside closing
// tags ("…<" / "/response-description>"), a known issue of the vectors.
func joinSplitTags(s string) string {
	lines := strings.Split(s, "\n")
	var b strings.Builder
	for i, l := range lines {
		b.WriteString(l)
		if strings.HasSuffix(l, "<") && i+1 < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i+1]), "/") {
			lines[i+1] = strings.TrimSpace(lines[i+1])
			continue
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// TestISVectorCapabilities reads the draft's capabilities example with
// the package's types and checks that our document answers the same
// questions a sender asks of it.
func TestISVectorCapabilities(t *testing.T) {
	resp := parseTranscript(t, string(rxReadFile(t, "testdata/ischedule/ischedule-05/ischedule05_querying-ischedule-receiver-capabilities_01_response.txt")))
	var draft QueryResult
	if err := xml.Unmarshal([]byte(joinSplitTags(resp.body)), &draft); err != nil {
		t.Fatal(err)
	}
	if draft.Capabilities.SerialNumber != 123 || draft.Capabilities.Versions[0] != "1.0" || !draft.Capabilities.Accepts("REQUEST", "VFREEBUSY") {
		t.Fatalf("draft capabilities read as %+v", draft.Capabilities)
	}
	req := parseTranscript(t, string(rxReadFile(t, "testdata/ischedule/ischedule-05/ischedule05_querying-ischedule-receiver-capabilities_01_request.txt")))
	target := strings.Fields(req.start)[1]
	w := rxServe(NewReceiver(Options{Backend: newRecordingBackend(), Logger: rxQuietLogger()}), httptest.NewRequest(http.MethodGet, target, nil))
	var ours QueryResult
	if err := xml.Unmarshal(w.Body.Bytes(), &ours); err != nil {
		t.Fatalf("status %d: %v", w.Code, err)
	}
	for _, cm := range draft.Capabilities.SchedulingMessages {
		for _, m := range cm.Methods {
			if m.Name == "PUBLISH" {
				continue
			}
			if !ours.Capabilities.Accepts(m.Name, cm.Name) {
				t.Errorf("the draft's receiver accepts %s %s, ours does not", cm.Name, m.Name)
			}
		}
	}
	if w.Header().Get("iSchedule-Capabilities") == "" || resp.header.Get("iSchedule-Capabilities") == "" {
		t.Errorf("iSchedule-Capabilities missing")
	}
}
