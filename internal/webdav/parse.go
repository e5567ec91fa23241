// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package webdav

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strings"
)

// Limits of XML request bodies.
const (
	// MaxXMLBody is the default size cap of an XML request body.
	MaxXMLBody = 1 << 20
	// maxDepth is the deepest element nesting accepted.
	maxDepth = 64
	// maxElements is the number of elements accepted in one body.
	maxElements = 100000
)

// ReadBody reads a request body of at most max bytes. A larger body, by
// its Content-Length or its bytes, gives a 413 error without reading more
// than max+1 bytes.
func ReadBody(r *http.Request, max int64) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if r.ContentLength > max {
		return nil, &Error{Code: http.StatusRequestEntityTooLarge, Msg: "request body too large"}
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, max+1))
	if err != nil {
		return nil, &Error{Code: http.StatusBadRequest, Msg: "cannot read request body", Err: err}
	}
	if int64(len(data)) > max {
		return nil, &Error{Code: http.StatusRequestEntityTooLarge, Msg: "request body too large"}
	}
	return data, nil
}

// ReadXML reads an XML request body of at most max bytes (0: MaxXMLBody)
// and parses it with ParseXML, whatever the Content-Type says (some tools
// send XML without one). An empty body gives a nil element and no error.
func ReadXML(r *http.Request, max int64) (*Element, error) {
	if max <= 0 {
		max = MaxXMLBody
	}
	data, err := ReadBody(r, max)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	return ParseXML(data)
}

var errBadXML = errors.New("webdav: malformed XML")

// ParseXML parses one XML document into an element tree with resolved
// namespaces. It refuses any DOCTYPE or other directive (so no entity can
// be declared, let alone expanded), undefined entities, non-UTF-8
// encodings, nesting deeper than 64 and more than 100000 elements. Errors
// are 400 *Error values.
func ParseXML(data []byte) (*Element, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	d.CharsetReader = func(charset string, input io.Reader) (io.Reader, error) {
		switch strings.ToLower(charset) {
		case "utf-8", "us-ascii", "ascii":
			return input, nil
		}
		return nil, errors.New("webdav: unsupported charset " + charset)
	}
	var (
		root  *Element
		stack []*Element
		count int
		// declared counts the namespace URIs declared by xmlns attributes
		// of the open elements; scopes lists each element's declarations.
		declared = map[string]int{}
		scopes   [][]string
	)
	bad := func(msg string, err error) error {
		return &Error{Code: http.StatusBadRequest, Msg: msg, Err: err}
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, bad("malformed XML", err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			// A DOCTYPE could declare entities (billion laughs) or
			// external resources; WebDAV bodies never need one.
			return nil, bad("DOCTYPE not allowed", errBadXML)
		case xml.StartElement:
			count++
			if count > maxElements || len(stack) >= maxDepth {
				return nil, bad("XML body too complex", errBadXML)
			}
			e := &Element{Name: t.Name}
			var scope []string
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns" {
					declared[a.Value]++
					scope = append(scope, a.Value)
					continue
				}
				e.Attr = append(e.Attr, a)
			}
			scopes = append(scopes, scope)
			// encoding/xml leaves an undeclared prefix in Name.Space as
			// it is; Namespaces in XML §5 makes such a document
			// malformed (RFC 4918 §8.2: 400).
			if !nsDeclared(t.Name.Space, declared) {
				return nil, bad("undeclared namespace prefix", errBadXML)
			}
			for _, a := range e.Attr {
				if !nsDeclared(a.Name.Space, declared) {
					return nil, bad("undeclared namespace prefix", errBadXML)
				}
			}
			if len(stack) == 0 {
				if root != nil {
					return nil, bad("malformed XML", errBadXML)
				}
				root = e
			} else {
				p := stack[len(stack)-1]
				p.Children = append(p.Children, e)
			}
			stack = append(stack, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
			for _, uri := range scopes[len(scopes)-1] {
				declared[uri]--
			}
			scopes = scopes[:len(scopes)-1]
		case xml.CharData:
			if len(stack) == 0 {
				if len(bytes.TrimSpace(t)) != 0 {
					return nil, bad("malformed XML", errBadXML)
				}
				continue
			}
			stack[len(stack)-1].Text += string(t)
		}
	}
	if root == nil || len(stack) != 0 {
		return nil, bad("malformed XML", errBadXML)
	}
	trim(root)
	return root, nil
}

// nsDeclared reports whether space, a resolved namespace, is empty, the
// predefined xml namespace or declared by an open element.
func nsDeclared(space string, declared map[string]int) bool {
	return space == "" || space == xmlNamespace || declared[space] > 0
}

// xmlNamespace is bound to the prefix xml by definition (Namespaces in XML §3).
const xmlNamespace = "http://www.w3.org/XML/1998/namespace"

// trim drops the whitespace-only text of elements that have children
// (indentation), keeping the text of leaf elements as it is.
func trim(e *Element) {
	if len(e.Children) > 0 {
		if strings.TrimSpace(e.Text) == "" {
			e.Text = ""
		}
		for _, c := range e.Children {
			trim(c)
		}
	}
}
