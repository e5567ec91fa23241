// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package ical

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// DecodeOptions tunes a Decoder. The zero value decodes leniently with the
// default limits.
type DecodeOptions struct {
	// Strict makes every deviation from RFC 5545 syntax an error. When false
	// (lenient), the decoder repairs what real producers send (bare LF line
	// endings, blank lines, unfolded continuation lines, stray text after
	// END:VCALENDAR, unbalanced END lines, characters after a quoted
	// parameter value) and records one Warning per repair; invalid UTF-8
	// and control characters are kept as they are, for Validate to report.
	Strict bool
	// MaxLineBytes bounds the length of one unfolded content line. Zero
	// means 8 MiB; more than 256 MiB is taken as 256 MiB.
	MaxLineBytes int
	// MaxDepth bounds the nesting of components. Zero means 32; real
	// objects nest at most four deep.
	MaxDepth int
	// MaxComponents bounds the number of components in one decoded object.
	// Zero means 1,000,000.
	MaxComponents int
	// MaxWarnings bounds how many warnings are kept; later ones are only
	// counted. Zero means 100.
	MaxWarnings int
}

const (
	defaultMaxLineBytes  = 8 << 20
	defaultMaxDepth      = 32
	defaultMaxComponents = 1_000_000
	defaultMaxWarnings   = 100
	// The read buffer starts small, for the many small objects of a
	// CalDAV server, and doubles up to maxChunk while the input goes on:
	// each chunk becomes one string, so large chunks waste less to
	// allocation rounding.
	minChunk = 16 << 10
	maxChunk = 1 << 20
)

// Decoder reads iCalendar objects (RFC 5545 §3.4) from a stream. It keeps
// every component, property and parameter in order, including unknown and
// X- ones, and property values as written (unfolded, still escaped).
type Decoder struct {
	r    io.Reader
	opts DecodeOptions

	buf      []byte
	w        int // buf[:w] holds read, unconsumed data
	eof      bool
	readErr  error
	chunk    string     // complete logical lines, unfolded, consumed from pos
	pos      int        // offset in chunk of the next line
	lines    []lineInfo // the logical lines of chunk
	next     int        // index in lines of the next line
	consumed int        // bytes of buf that chunk was made from
	chunkBad bool       // chunk needs checkLine: a lone CR, or strict checks
	loneCR   bool       // chunk has a CR that does not start a CRLF
	markBare bool       // the line being recorded has a bare LF
	phys     int        // physical lines consumed so far
	started  bool

	// Properties are written straight into the slab of their component's
	// depth, so that each component's properties end up contiguous.
	propLevels []slab[Property]
	plist      []Param // scratch for Decoder.params
	join       strings.Builder
	joined     *Property // the property join holds the value of
	childStack []*Component
	children   slab[*Component]
	comps      slab[Component]

	ncomp     int
	warnings  []Warning
	nwarnings int
	bareLF    bool // a bare LF line ending was seen
}

// NewDecoder returns a lenient Decoder with default limits reading from r.
func NewDecoder(r io.Reader) *Decoder {
	return NewDecoderOptions(r, DecodeOptions{})
}

// NewDecoderOptions returns a Decoder with the given options.
func NewDecoderOptions(r io.Reader, opts DecodeOptions) *Decoder {
	if opts.MaxLineBytes <= 0 {
		opts.MaxLineBytes = defaultMaxLineBytes
	}
	// Line offsets are kept in 32 bits, and the read buffer may grow to
	// twice the longest line.
	opts.MaxLineBytes = min(opts.MaxLineBytes, 1<<28)
	if opts.MaxDepth <= 0 {
		opts.MaxDepth = defaultMaxDepth
	}
	if opts.MaxComponents <= 0 {
		opts.MaxComponents = defaultMaxComponents
	}
	if opts.MaxWarnings <= 0 {
		opts.MaxWarnings = defaultMaxWarnings
	}
	return &Decoder{r: r, opts: opts}
}

// Parse decodes the first iCalendar object in data leniently. Warnings are
// discarded; use a Decoder to see them.
func Parse(data []byte) (*Calendar, error) {
	return NewDecoder(bytes.NewReader(data)).Decode()
}

// Warnings returns the repairs and findings recorded so far, in input order.
func (d *Decoder) Warnings() []Warning {
	if n := d.nwarnings - len(d.warnings); n > 0 {
		return append(d.warnings[:len(d.warnings):len(d.warnings)], Warning{Msg: fmt.Sprintf("%d more warnings not shown", n)})
	}
	return slices.Clone(d.warnings)
}

func (d *Decoder) warn(line int, format string, args ...any) {
	d.nwarnings++
	if len(d.warnings) < d.opts.MaxWarnings {
		d.warnings = append(d.warnings, Warning{Line: line, Msg: fmt.Sprintf(format, args...)})
	}
}

// repair records a lenient repair, or returns the error in strict mode.
func (d *Decoder) repair(line int, format string, args ...any) error {
	if d.opts.Strict {
		return &SyntaxError{Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	d.warn(line, format, args...)
	return nil
}

// Decode reads the next VCALENDAR object. It returns io.EOF when the input
// holds no further object.
func (d *Decoder) Decode() (*Calendar, error) {
	c, err := d.DecodeComponent()
	if err != nil {
		return nil, err
	}
	if c.Name != CompCalendar {
		return nil, &SyntaxError{Line: c.Line, Msg: fmt.Sprintf("expected BEGIN:VCALENDAR, found BEGIN:%s", c.Name)}
	}
	return &Calendar{c}, nil
}

// DecodeComponent reads the next top-level component, whatever its name.
// It returns io.EOF when the input holds no further component.
func (d *Decoder) DecodeComponent() (*Component, error) {
	type frame struct {
		c          *Component
		childStart int
	}
	var stack []frame
	// closeTop finishes the innermost open component and attaches it to
	// its parent; it returns the component when it was the outermost.
	closeTop := func() *Component {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		d.finish(f.c, len(stack), f.childStart)
		if len(stack) == 0 {
			return f.c
		}
		d.childStack = append(d.childStack, f.c)
		return nil
	}
	d.ncomp = 0
	for {
		line, lineNo, err := d.nextLine()
		if err == io.EOF {
			if len(stack) == 0 {
				return nil, io.EOF
			}
			if err := d.repair(lineNo, "missing END:%s at end of input", stack[len(stack)-1].c.Name); err != nil {
				return nil, err
			}
			for {
				if c := closeTop(); c != nil {
					return c, nil
				}
			}
		}
		if err != nil {
			return nil, err
		}
		if line == "" || isBlank(line) {
			if err := d.repair(lineNo, "blank line ignored"); err != nil {
				return nil, err
			}
			continue
		}
		if len(stack) == 0 && strings.HasPrefix(line, "\ufeff") {
			// A byte order mark before a later object (files joined with
			// cat) is dropped like the one at the start of the input.
			line = line[len("\ufeff"):]
		}
		name, rest, ok := splitName(line)
		switch {
		case ok && name == "BEGIN":
			if len(stack) >= d.opts.MaxDepth {
				return nil, &LimitError{Line: lineNo, Msg: fmt.Sprintf("components nested deeper than %d", d.opts.MaxDepth)}
			}
			if d.ncomp >= d.opts.MaxComponents {
				return nil, &LimitError{Line: lineNo, Msg: fmt.Sprintf("more than %d components", d.opts.MaxComponents)}
			}
			c := d.begin(rest, lineNo)
			if c == nil {
				return nil, &SyntaxError{Line: lineNo, Msg: fmt.Sprintf("invalid component name %q", rest)}
			}
			d.level(len(stack)).begin()
			stack = append(stack, frame{c, len(d.childStack)})
		case len(stack) == 0:
			if err := d.repair(lineNo, "text outside any component ignored"); err != nil {
				return nil, err
			}
		case ok && name == "END":
			end := asciiUpper(strings.TrimSpace(rest))
			if top := stack[len(stack)-1].c; end != top.Name {
				match := len(stack) - 1
				for match >= 0 && stack[match].c.Name != end {
					match-- // the innermost open component of that name
				}
				if match < 0 {
					if err := d.repair(lineNo, "END:%s without BEGIN ignored", end); err != nil {
						return nil, err
					}
					continue
				}
				if err := d.repair(lineNo, "END:%s closes unterminated %s", end, top.Name); err != nil {
					return nil, err
				}
				for len(stack)-1 > match {
					closeTop()
				}
			}
			if c := closeTop(); c != nil {
				return c, nil
			}
		default:
			if err := d.property(line, lineNo, d.level(len(stack)-1)); err != nil {
				return nil, err
			}
		}
	}
}

// begin allocates a component named by the BEGIN value, or returns nil if
// the name is not an iana-token or x-name.
func (d *Decoder) begin(value string, line int) *Component {
	name := strings.TrimSpace(value)
	if name == "" || !isName(name) {
		return nil
	}
	d.ncomp++
	c := d.comps.one()
	c.Name = asciiUpper(name)
	c.Line = line
	return c
}

// finish gives the component its properties, written at its depth, and
// its children, moved from the stack into an exact-size slice.
func (d *Decoder) finish(c *Component, depth, childStart int) {
	c.Props = d.propLevels[depth].end()
	c.Children = d.children.take(d.childStack[childStart:])
	clear(d.childStack[childStart:])
	d.childStack = d.childStack[:childStart]
}

// level returns the property slab of a nesting depth.
func (d *Decoder) level(depth int) *slab[Property] {
	for len(d.propLevels) <= depth {
		d.propLevels = append(d.propLevels, slab[Property]{})
	}
	return &d.propLevels[depth]
}

// property parses a content line into the component's property slab. A
// broken continuation line is joined to the previous property when the
// component has one.
func (d *Decoder) property(line string, lineNo int, props *slab[Property]) error {
	canJoin := props.running() > 0
	i, lower := scanName(line, 0)
	if i == 0 || i == len(line) || line[i] != ';' && line[i] != ':' {
		colon := strings.IndexAny(line, ":;")
		switch {
		case canJoin && (colon <= 0 || !isPlausibleName(line[:colon])):
			if err := d.repair(lineNo, "continuation line without leading space joined to the previous line"); err != nil {
				return err
			}
			// Joins accumulate in a builder, so that a flood of broken
			// lines costs linear time, and are bounded like a line.
			prev := &props.buf[len(props.buf)-1]
			if d.joined != prev {
				d.join = strings.Builder{}
				d.join.WriteString(prev.Value)
				d.joined = prev
			}
			if d.join.Len()+len(line) > d.opts.MaxLineBytes {
				return &LimitError{Line: lineNo, Msg: fmt.Sprintf("content line longer than %d bytes", d.opts.MaxLineBytes)}
			}
			d.join.WriteString(line)
			prev.Value = d.join.String()
			return nil
		case colon < 0:
			return &SyntaxError{Line: lineNo, Msg: "malformed content line: missing colon"}
		case colon == 0:
			return &SyntaxError{Line: lineNo, Msg: "malformed content line: empty property name"}
		case !isPlausibleName(line[:colon]):
			return &SyntaxError{Line: lineNo, Msg: fmt.Sprintf("malformed content line: invalid property name %q", line[:colon])}
		}
		if err := d.repair(lineNo, "invalid character in property name %q", line[:colon]); err != nil {
			return err
		}
		i, lower = colon, true
	}
	p := Property{Name: line[:i], Line: lineNo}
	if lower {
		p.Name = asciiUpper(p.Name)
	}
	if i < len(line) && line[i] == ';' {
		if end, ok := scanParams(line, i); ok {
			// The usual case: parameters that can be kept as written.
			p.Params = Params{text: line[i:end]}
			i = end
		} else {
			var err error
			if p.Params, i, err = d.params(line, i, lineNo, p.Name); err != nil {
				return err
			}
		}
	}
	if i >= len(line) || line[i] != ':' {
		return &SyntaxError{Line: lineNo, Msg: fmt.Sprintf("property %s: malformed content line: missing colon", p.Name)}
	}
	p.Value = line[i+1:]
	props.push(p)
	d.joined = nil
	return nil
}

// isScheme reports whether s is a URI scheme commonly used in calendar
// user addresses.
func isScheme(s string) bool {
	switch len(s) {
	case 3:
		return strings.EqualFold(s, "urn") || strings.EqualFold(s, "tel")
	case 4:
		return strings.EqualFold(s, "http") || strings.EqualFold(s, "ldap")
	case 5:
		return strings.EqualFold(s, "https")
	case 6:
		return strings.EqualFold(s, "mailto")
	}
	return false
}

// unescapeParamBackslashes removes the backslash before ; , and : in an
// unquoted parameter value.
func unescapeParamBackslashes(v string) string {
	b := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) && (v[i+1] == ';' || v[i+1] == ',' || v[i+1] == ':') {
			i++
		}
		b = append(b, v[i])
	}
	return string(b)
}

// params parses the parameters starting at line[i] that scanParams could
// not keep as written: it repairs what the lenient decoder accepts (or
// fails in strict mode) and returns them re-encoded, with the index after
// them.
func (d *Decoder) params(line string, i, lineNo int, prop string) (Params, int, error) {
	d.plist = d.plist[:0]
	for i < len(line) && line[i] == ';' {
		i++
		j, lower := scanName(line, i)
		if j == i {
			return Params{}, i, &SyntaxError{Line: lineNo, Msg: fmt.Sprintf("property %s: empty parameter name", prop)}
		}
		pname := line[i:j]
		if lower {
			pname = asciiUpper(pname)
		}
		i = j
		if i >= len(line) || line[i] != '=' {
			if err := d.repair(lineNo, "property %s: parameter %s has no value", prop, pname); err != nil {
				return Params{}, i, err
			}
			d.plist = append(d.plist, Param{Name: pname, Values: []string{""}})
			continue
		}
		i++
		var values []string
		for {
			var v string
			if i < len(line) && line[i] == '"' {
				end := strings.IndexByte(line[i+1:], '"')
				if end < 0 {
					return Params{}, i, &SyntaxError{Line: lineNo, Msg: fmt.Sprintf("property %s: parameter %s: unterminated quoted value", prop, pname)}
				}
				v = line[i+1 : i+1+end]
				i += end + 2
				if i < len(line) && line[i] != ',' && line[i] != ';' && line[i] != ':' {
					k := i
					for k < len(line) && line[k] != ',' && line[k] != ';' && line[k] != ':' {
						k++
					}
					if err := d.repair(lineNo, "property %s: parameter %s: text after closing quote kept in the value", prop, pname); err != nil {
						return Params{}, i, err
					}
					v += line[i:k]
					i = k
				}
			} else {
				k := i
				escaped := false
				for k < len(line) && line[k] != ',' && line[k] != ';' && line[k] != ':' {
					switch line[k] {
					case '"':
						if err := d.repair(lineNo, "property %s: parameter %s: stray double quote", prop, pname); err != nil {
							return Params{}, i, err
						}
					case '\\':
						// Apple writes X-TITLE=a\; b: a backslash escape, which
						// parameter values do not have (RFC 5545 §3.2).
						if k+1 < len(line) && (line[k+1] == ';' || line[k+1] == ',' || line[k+1] == ':') {
							if err := d.repair(lineNo, "property %s: parameter %s: backslash-escaped %q taken literally", prop, pname, line[k+1]); err != nil {
								return Params{}, i, err
							}
							escaped = true
							k++
						}
					}
					k++
				}
				if k < len(line) && line[k] == ':' && isScheme(line[i:k]) && isQuotedParam(pname) {
					// SENT-BY=mailto:a@example.com without the quotes RFC 5545
					// §3.2.18 requires: the colon belongs to the URI.
					if err := d.repair(lineNo, "property %s: parameter %s: unquoted URI value", prop, pname); err != nil {
						return Params{}, i, err
					}
					k++
					for k < len(line) && line[k] != ',' && line[k] != ';' && line[k] != ':' {
						k++
					}
				}
				v = line[i:k]
				if escaped {
					v = unescapeParamBackslashes(v)
				}
				i = k
			}
			values = append(values, decodeParamValue(v))
			if i < len(line) && line[i] == ',' {
				i++
				continue
			}
			break
		}
		d.plist = append(d.plist, Param{Name: pname, Values: values})
	}
	return NewParams(d.plist...), i, nil
}

// paramStops are the bytes that end an unquoted parameter value for
// scanParams: the separators, and the characters that need a repair.
var paramStops = [256]bool{',': true, ';': true, ':': true, '"': true, '\\': true}

// scanParams checks whether the parameters starting at line[i] can be kept
// as written: upper-case names each with "=", values that need no repair,
// the URI-valued parameters quoted, no unquoted value with a double quote or
// a backslash, followed by the colon. It returns the index of the colon.
func scanParams(line string, i int) (int, bool) {
	for i < len(line) && line[i] == ';' {
		j := i + 1
		var seen uint8
		for ; j < len(line); j++ {
			c := nameChars[line[j]]
			if c == 0 {
				break
			}
			seen |= c
		}
		if j == i+1 || seen&2 != 0 || j >= len(line) || line[j] != '=' {
			return 0, false
		}
		quoted := isQuotedParam(line[i+1 : j])
		i = j + 1
		for {
			if i < len(line) && line[i] == '"' {
				q := strings.IndexByte(line[i+1:], '"')
				if q < 0 {
					return 0, false
				}
				i += q + 2
			} else {
				if quoted {
					return 0, false
				}
				for i < len(line) && !paramStops[line[i]] {
					i++
				}
				if i < len(line) && (line[i] == '"' || line[i] == '\\') {
					return 0, false
				}
			}
			if i < len(line) && line[i] == ',' {
				i++
				continue
			}
			break
		}
	}
	return i, i < len(line) && line[i] == ':'
}

// splitName returns the name of a line that is a BEGIN or END line and the
// value after the colon.
func splitName(line string) (name, value string, ok bool) {
	if len(line) < 4 {
		return "", "", false
	}
	switch line[0] {
	case 'B', 'b':
		if len(line) >= 6 && line[5] == ':' && strings.EqualFold(line[:5], "BEGIN") {
			return "BEGIN", line[6:], true
		}
	case 'E', 'e':
		if line[3] == ':' && strings.EqualFold(line[:3], "END") {
			return "END", line[4:], true
		}
	}
	return "", "", false
}

// nextLine returns the next unfolded logical line without its line ending,
// and the physical line it starts on.
func (d *Decoder) nextLine() (string, int, error) {
	for d.next >= len(d.lines) {
		if err := d.fill(); err != nil {
			return "", d.phys + 1, err
		}
	}
	li := d.lines[d.next]
	d.next++
	line := d.chunk[d.pos:li.end]
	d.pos = int(li.next)
	lineNo := d.phys + 1
	d.phys += int(li.phys)
	if li.bareLF {
		if d.opts.Strict {
			return "", lineNo, &SyntaxError{Line: lineNo, Msg: "bare LF line ending: RFC 5545 §3.1 requires CRLF"}
		}
		d.warn(lineNo, "bare LF line ending (RFC 5545 §3.1 requires CRLF); accepted")
	}
	if len(line) > d.opts.MaxLineBytes {
		return "", lineNo, &LimitError{Line: lineNo, Msg: fmt.Sprintf("content line longer than %d bytes", d.opts.MaxLineBytes)}
	}
	return d.checkLine(line, lineNo)
}

// lineInfo describes one logical line of the current chunk.
type lineInfo struct {
	// end is the offset in the chunk where the line ends, before its line
	// break; next is where the next line starts.
	end, next int32
	// phys is the number of physical lines the logical line spans.
	phys int32
	// bareLF marks the first line of the input ending in a bare LF.
	bareLF bool
}

// unfold copies b to dst joining folded lines (RFC 5545 §3.1: a line break
// followed by one space or HTAB is removed) and records where each logical
// line ends and the next begins. The text between folds is copied in one
// piece, line breaks included. dst must be empty, with room for b: it then
// allocates nothing.
func (d *Decoder) unfold(dst *strings.Builder, b []byte) {
	d.lines = d.lines[:0]
	crs, crlf := bytes.Count(b, []byte{'\r'}), 0
	// b[run:] is not copied yet; its offset x is at dst.Len()+x-run in dst.
	run, r := 0, 0
	phys := int32(1)
	folded := false // the current logical line continues a fold
	at := func(x int) int32 { return int32(dst.Len() + x - run) }
	for {
		i := bytes.IndexByte(b[r:], '\n')
		if i < 0 {
			if r < len(b) || folded {
				// The last line of the input has no line ending.
				d.lines = append(d.lines, lineInfo{end: at(len(b)), next: at(len(b)), phys: phys, bareLF: d.markBare})
			}
			break
		}
		i += r
		end := i
		if i > r && b[i-1] == '\r' {
			// Extra CRs before the CRLF belong to the line ending too.
			for end > r && b[end-1] == '\r' {
				crlf++
				end--
			}
		} else if !d.bareLF {
			d.bareLF = true
			d.markBare = true
		}
		if i+1 < len(b) && (b[i+1] == ' ' || b[i+1] == '\t') {
			// A fold: drop the break and the one whitespace character
			// after it, and go on with the same logical line.
			dst.Write(b[run:end])
			run, r = i+2, i+2
			phys++
			folded = true
			continue
		}
		r = i + 1
		d.lines = append(d.lines, lineInfo{end: at(end), next: at(r), phys: phys, bareLF: d.markBare})
		d.markBare = false
		phys = 1
		folded = false
	}
	dst.Write(b[run:])
	// Every CR not counted as the start of a CRLF is a lone CR inside a line.
	d.loneCR = crs != crlf
}

// checkLine repairs a carriage return inside a line and, in strict mode,
// rejects invalid UTF-8 and control characters. It only looks at lines of a
// chunk found suspect. The lenient decoder keeps invalid UTF-8 and control
// characters as they are (lossless); Validate reports them.
func (d *Decoder) checkLine(line string, lineNo int) (string, int, error) {
	if !d.chunkBad {
		return line, lineNo, nil
	}
	if strings.IndexByte(line, '\r') >= 0 {
		if err := d.repair(lineNo, "carriage return inside a line taken as an escaped line break"); err != nil {
			return "", lineNo, err
		}
		line = strings.ReplaceAll(line, "\r", `\n`)
	}
	if !d.opts.Strict {
		return line, lineNo, nil
	}
	if !utf8.ValidString(line) {
		// RFC 5545 §3.1.4: the default charset is UTF-8.
		return "", lineNo, &SyntaxError{Line: lineNo, Msg: "invalid UTF-8"}
	}
	for i := 0; i < len(line); i++ {
		// RFC 5545 §3.1: no control characters other than HTAB.
		if c := line[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return "", lineNo, &SyntaxError{Line: lineNo, Msg: fmt.Sprintf("control character 0x%02x", c)}
		}
	}
	return line, lineNo, nil
}

// fill makes d.chunk hold the next run of complete logical lines.
func (d *Decoder) fill() error {
	// Move the unconsumed tail to the front (d.chunk was taken from it).
	if d.consumed > 0 {
		if !d.eof && len(d.buf) < maxChunk && d.consumed > len(d.buf)/2 {
			nb := make([]byte, 2*len(d.buf))
			d.w = copy(nb, d.buf[d.consumed:d.w])
			d.buf = nb
		} else {
			d.w = copy(d.buf, d.buf[d.consumed:d.w])
		}
		d.consumed = 0
		d.chunk, d.pos, d.lines, d.next = "", 0, d.lines[:0], 0
	}
	if d.buf == nil {
		size := minChunk
		if l, ok := d.r.(interface{ Len() int }); ok {
			// bytes.Reader, strings.Reader, bytes.Buffer: size the buffer
			// for the input at once.
			size = min(max(l.Len()+1, 512), maxChunk)
		}
		d.buf = make([]byte, size)
	}
	for {
		cut := -1
		if d.eof {
			cut = d.w
		} else {
			// The last LF whose next byte is known and is not a fold.
			for i := d.w - 2; i >= 0; i-- {
				if d.buf[i] == '\n' {
					if c := d.buf[i+1]; c != ' ' && c != '\t' {
						cut = i + 1
						break
					}
				}
			}
		}
		if cut > 0 {
			b := d.buf[:cut]
			if !d.started {
				d.started = true
				if bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
					// A byte order mark before BEGIN:VCALENDAR is dropped.
					copy(d.buf, d.buf[3:d.w])
					d.w -= 3
					continue
				}
			}
			d.consumed = cut
			// The unfolded copy becomes the chunk string without a second
			// copy, and without zeroing its memory first.
			var sb strings.Builder
			sb.Grow(cut)
			d.unfold(&sb, b)
			d.chunk = sb.String()
			d.pos, d.next = 0, 0
			d.chunkBad = d.loneCR || d.opts.Strict && (!utf8.ValidString(d.chunk) || hasCTL(d.chunk))
			return nil
		}
		if d.eof {
			if d.readErr != nil && d.readErr != io.EOF {
				return d.readErr
			}
			return io.EOF
		}
		if d.w == len(d.buf) {
			if len(d.buf) > d.opts.MaxLineBytes {
				return &LimitError{Line: d.phys + 1, Msg: fmt.Sprintf("content line longer than %d bytes", d.opts.MaxLineBytes)}
			}
			nb := make([]byte, 2*len(d.buf))
			copy(nb, d.buf[:d.w])
			d.buf = nb
		}
		// Read until the buffer is full or the input ends.
		for d.w < len(d.buf) && !d.eof {
			n, err := d.r.Read(d.buf[d.w:])
			d.w += n
			if err != nil {
				d.eof = true
				d.readErr = err
				if !errors.Is(err, io.EOF) {
					return fmt.Errorf("ical: read: %w", err)
				}
			}
			if n == 0 && err == nil {
				break
			}
		}
	}
}

// hasCTL reports whether b holds a control character other than HTAB, CR
// and LF (RFC 5545 §3.1 excludes them from values).
func hasCTL(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\t' && c != '\r' && c != '\n' || c == 0x7f {
			return true
		}
	}
	return false
}

func isBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' && s[i] != '\t' && s[i] != '\r' {
			return false
		}
	}
	return true
}

// nameChars classifies bytes for scanName: 0 not in a name, 1 in a name,
// 2 a lower-case letter.
var nameChars = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case 'a' <= c && c <= 'z':
			t[c] = 2
		case 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-':
			t[c] = 1
		}
	}
	return t
}()

// scanName returns the end of the name starting at s[i] and whether it
// holds a lower-case letter.
func scanName(s string, i int) (end int, lower bool) {
	var seen uint8
	for ; i < len(s); i++ {
		c := nameChars[s[i]]
		if c == 0 {
			break
		}
		seen |= c
	}
	return i, seen&2 != 0
}

// isNameChar reports whether c may appear in an iana-token or x-name
// (RFC 5545 §3.1: ALPHA, DIGIT and "-").
func isNameChar(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-'
}

func isName(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isNameChar(s[i]) {
			return false
		}
	}
	return s != ""
}

// isPlausibleName reports whether s looks like a property name with a stray
// character (such as "_"), rather than text that lost its fold.
func isPlausibleName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isNameChar(c) && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

// slab hands out exact-size slices carved from larger allocations, so that
// decoding allocates a few large blocks instead of one slice per property.
// Items are pushed into a run; end returns the run (capacity-limited, so an
// append by the caller copies instead of overwriting the next run). When the
// block is full, the unfinished run moves to a new, larger block; finished
// runs keep the old one.
type slab[T any] struct {
	buf   []T
	start int // index in buf where the current run began
}

const (
	minSlab = 16
	maxSlab = 4096
)

func (s *slab[T]) begin() { s.start = len(s.buf) }

func (s *slab[T]) running() int { return len(s.buf) - s.start }

func (s *slab[T]) push(v T) {
	if len(s.buf) == cap(s.buf) {
		run := s.buf[s.start:]
		n := min(max(2*cap(s.buf), minSlab), maxSlab)
		n = max(n, 2*len(run))
		nb := make([]T, len(run), n)
		copy(nb, run)
		s.buf, s.start = nb, 0
	}
	s.buf = append(s.buf, v)
}

func (s *slab[T]) end() []T {
	if len(s.buf) == s.start {
		return nil
	}
	r := s.buf[s.start:len(s.buf):len(s.buf)]
	s.start = len(s.buf)
	return r
}

// take copies src into the slab and returns the copy. A long src gets an
// allocation of its own.
func (s *slab[T]) take(src []T) []T {
	if len(src) > maxSlab/4 {
		return append(make([]T, 0, len(src)), src...)
	}
	s.begin()
	for _, v := range src {
		s.push(v)
	}
	return s.end()
}

func (s *slab[T]) one() *T {
	s.begin()
	var zero T
	s.push(zero)
	s.start = len(s.buf)
	return &s.buf[len(s.buf)-1]
}
