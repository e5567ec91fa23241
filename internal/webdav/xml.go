// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package webdav

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"unicode/utf8"
)

// XML namespaces used by the CalDAV server (RFC 4918 §21, RFC 4791 §9).
const (
	NS       = "DAV:"
	NSCalDAV = "urn:ietf:params:xml:ns:caldav"
	NSCS     = "http://calendarserver.org/ns/"
	NSApple  = "http://apple.com/ns/ical/"
	// nsXML is the namespace of the xml: prefix (XML Namespaces §3).
	nsXML = "http://www.w3.org/XML/1998/namespace"
)

// prefixes are the prefixes the encoder declares on the root element of a
// response; other namespaces are declared as default namespaces where
// they are used.
var prefixes = []struct{ space, prefix string }{
	{NS, "D"},
	{NSCalDAV, "C"},
	{NSCS, "CS"},
	{NSApple, "A"},
}

func prefixOf(space string) string {
	for _, p := range prefixes {
		if p.space == space {
			return p.prefix
		}
	}
	return ""
}

// Name returns the DAV: element name local.
func Name(local string) xml.Name { return xml.Name{Space: NS, Local: local} }

// CalName returns the CALDAV: element name local.
func CalName(local string) xml.Name { return xml.Name{Space: NSCalDAV, Local: local} }

// Element is an XML element of a request or response body: a name,
// attributes without namespace (or xml:lang), character data and child
// elements. Mixed content keeps its text and its children but not their
// interleaving, which WebDAV bodies do not use. Raw, when set, is written
// verbatim as the content instead of Text and Children: it is the inner
// XML of a dead property as produced by InnerXML.
type Element struct {
	Name     xml.Name
	Attr     []xml.Attr
	Text     string
	Children []*Element
	Raw      string
}

// NewElement returns an element with children.
func NewElement(name xml.Name, children ...*Element) *Element {
	return &Element{Name: name, Children: children}
}

// TextElement returns an element holding character data.
func TextElement(name xml.Name, text string) *Element {
	return &Element{Name: name, Text: text}
}

// Href returns a DAV:href element (RFC 4918 §14.7).
func Href(href string) *Element { return TextElement(Name("href"), href) }

// Child returns the first child named name, or nil.
func (e *Element) Child(name xml.Name) *Element {
	if e == nil {
		return nil
	}
	for _, c := range e.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// ChildrenNamed returns the children named name.
func (e *Element) ChildrenNamed(name xml.Name) []*Element {
	if e == nil {
		return nil
	}
	var out []*Element
	for _, c := range e.Children {
		if c.Name == name {
			out = append(out, c)
		}
	}
	return out
}

// AttrValue returns the value of the attribute local without namespace,
// or "".
func (e *Element) AttrValue(local string) string {
	if e == nil {
		return ""
	}
	for _, a := range e.Attr {
		if a.Name.Space == "" && a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// TextContent returns the character data of e and its descendants.
func (e *Element) TextContent() string {
	if e == nil {
		return ""
	}
	if len(e.Children) == 0 {
		return e.Text
	}
	var b strings.Builder
	b.WriteString(e.Text)
	for _, c := range e.Children {
		b.WriteString(c.TextContent())
	}
	return b.String()
}

// InnerXML returns the content of e as self-contained XML: each top-level
// child declares its namespace, so the result can be stored as a dead
// property value and written back into any context.
func (e *Element) InnerXML() string {
	if e.Raw != "" {
		return e.Raw
	}
	var b bytes.Buffer
	escape(&b, e.Text)
	for _, c := range e.Children {
		enc := encoder{w: &b, defaultNS: "\x00", noPrefix: true}
		enc.element(c, -1)
	}
	return b.String()
}

// Marshal returns e as XML with the known namespaces declared on it.
func (e *Element) Marshal() []byte {
	var b bytes.Buffer
	enc := encoder{w: &b}
	enc.root(e, 0)
	return b.Bytes()
}

// Unmarshal decodes e, re-encoded, into v with encoding/xml: the way to
// hand an element to a package that declares xml-tagged types.
func (e *Element) Unmarshal(v any) error {
	return xml.Unmarshal(e.Marshal(), v)
}

// encoder writes elements with the fixed prefixes of prefixes for the
// known namespaces and a default namespace for the others.
type encoder struct {
	w         io.Writer
	defaultNS string
	noPrefix  bool // declare every namespace as a default namespace
	err       error
}

func (enc *encoder) write(s string) {
	if enc.err == nil {
		_, enc.err = io.WriteString(enc.w, s)
	}
}

// root writes e with the namespace prefix declarations.
func (enc *encoder) root(e *Element, indent int) {
	enc.start(e, true)
	enc.content(e, indent)
}

// element writes e at the given indentation level (-1: no indentation).
func (enc *encoder) element(e *Element, indent int) {
	saved := enc.defaultNS
	enc.start(e, false)
	enc.content(e, indent)
	enc.defaultNS = saved
}

func (enc *encoder) start(e *Element, decl bool) {
	enc.write("<")
	enc.write(enc.qname(e.Name))
	if decl {
		for _, p := range prefixes {
			enc.write(" xmlns:" + p.prefix + `="` + p.space + `"`)
		}
	}
	if (enc.noPrefix || prefixOf(e.Name.Space) == "") && e.Name.Space != enc.defaultNS {
		var b bytes.Buffer
		escapeAttr(&b, e.Name.Space)
		enc.write(` xmlns="` + b.String() + `"`)
		enc.defaultNS = e.Name.Space
	}
	for _, a := range e.Attr {
		var name string
		switch a.Name.Space {
		case "":
			name = a.Name.Local
		case nsXML, "xml":
			name = "xml:" + a.Name.Local
		default:
			continue
		}
		var b bytes.Buffer
		escapeAttr(&b, a.Value)
		enc.write(" " + name + `="` + b.String() + `"`)
	}
}

func (enc *encoder) qname(n xml.Name) string {
	if p := prefixOf(n.Space); p != "" && !enc.noPrefix {
		return p + ":" + n.Local
	}
	return n.Local
}

func (enc *encoder) content(e *Element, indent int) {
	if e.Raw == "" && e.Text == "" && len(e.Children) == 0 {
		enc.write("/>")
		return
	}
	enc.write(">")
	if e.Raw != "" {
		enc.write(e.Raw)
	} else {
		var b bytes.Buffer
		escape(&b, e.Text)
		enc.write(b.String())
		pretty := indent >= 0 && e.Text == ""
		for _, c := range e.Children {
			if pretty {
				enc.write("\n" + strings.Repeat(" ", indent+1))
				enc.element(c, indent+1)
			} else {
				enc.element(c, -1)
			}
		}
		if pretty && len(e.Children) > 0 {
			enc.write("\n" + strings.Repeat(" ", indent))
		}
	}
	enc.write("</" + enc.qname(e.Name) + ">")
}

// escape writes s as character data; unlike xml.EscapeText it keeps line
// feeds as they are, which keeps calendar data readable.
func escape(b *bytes.Buffer, s string) {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < utf8.RuneSelf && c != '&' && c != '<' && c != '>' || c == '\n' || c == '\t' {
			i++
			continue
		}
		var repl string
		switch c {
		case '&':
			repl = "&amp;"
		case '<':
			repl = "&lt;"
		case '>':
			repl = "&gt;"
		case '\r':
			repl = "&#xD;"
		default:
			if r, n := utf8.DecodeRuneInString(s[i:]); c >= utf8.RuneSelf && (r != utf8.RuneError || n > 1) {
				// A valid multi-byte character (a literal U+FFFD too).
				i += n
				continue
			}
			// Invalid UTF-8 or a control character XML 1.0 cannot carry.
			repl = "\uFFFD"
		}
		b.WriteString(s[last:i])
		b.WriteString(repl)
		i++
		last = i
	}
	b.WriteString(s[last:])
}

func escapeAttr(b *bytes.Buffer, s string) {
	_ = xml.EscapeText(b, []byte(s))
}
