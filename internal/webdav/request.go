// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package webdav

import (
	"encoding/xml"
	"net/http"
)

func badRequest(msg string) error { return &Error{Code: http.StatusBadRequest, Msg: msg} }

// Propfind is a parsed PROPFIND body (RFC 4918 §9.1, §14.20).
type Propfind struct {
	// AllProp is DAV:allprop, also set for an empty body (§9.1).
	AllProp bool
	// Include lists the DAV:include properties of an allprop request.
	Include []xml.Name
	// PropName is DAV:propname.
	PropName bool
	// Prop lists the requested properties of a DAV:prop request.
	Prop []xml.Name
}

// ParsePropfind interprets a PROPFIND body; root nil (empty body) means
// allprop.
func ParsePropfind(root *Element) (*Propfind, error) {
	if root == nil {
		return &Propfind{AllProp: true}, nil
	}
	if root.Name != Name("propfind") {
		return nil, badRequest("expected DAV:propfind")
	}
	pf := &Propfind{}
	for _, c := range root.Children {
		switch c.Name {
		case Name("allprop"):
			pf.AllProp = true
		case Name("propname"):
			pf.PropName = true
		case Name("prop"):
			pf.Prop = append(pf.Prop, ChildNames(c)...)
		case Name("include"):
			pf.Include = append(pf.Include, ChildNames(c)...)
		}
	}
	n := 0
	for _, b := range []bool{pf.AllProp, pf.PropName, pf.Prop != nil || root.Child(Name("prop")) != nil} {
		if b {
			n++
		}
	}
	if n != 1 {
		return nil, badRequest("propfind needs exactly one of allprop, propname and prop")
	}
	return pf, nil
}

// ChildNames returns the names of the children of e (none for nil).
func ChildNames(e *Element) []xml.Name {
	if e == nil {
		return nil
	}
	names := make([]xml.Name, 0, len(e.Children))
	for _, c := range e.Children {
		names = append(names, c.Name)
	}
	return names
}

// PropOp is one property instruction of a PROPPATCH or MKCOL body, in
// document order.
type PropOp struct {
	// Remove is DAV:remove; false is DAV:set.
	Remove bool
	// Prop is the property element with its value.
	Prop *Element
}

// ParsePropertyUpdate interprets a DAV:propertyupdate body (RFC 4918
// §9.2, §14.19): the set and remove instructions in document order.
func ParsePropertyUpdate(root *Element) ([]PropOp, error) {
	if root == nil || root.Name != Name("propertyupdate") {
		return nil, badRequest("expected DAV:propertyupdate")
	}
	return propOps(root, true)
}

// ParseMkcol interprets the body of an extended MKCOL (RFC 5689 §5.1,
// DAV:mkcol) or of MKCALENDAR (RFC 4791 §9.1, CALDAV:mkcalendar): the
// properties to set. root nil (no body) gives no properties.
func ParseMkcol(root *Element, name xml.Name) ([]*Element, error) {
	if root == nil {
		return nil, nil
	}
	if root.Name != name {
		return nil, &Error{Code: http.StatusUnsupportedMediaType, Msg: "unexpected request body"}
	}
	ops, err := propOps(root, false)
	if err != nil {
		return nil, err
	}
	props := make([]*Element, 0, len(ops))
	for _, op := range ops {
		props = append(props, op.Prop)
	}
	return props, nil
}

func propOps(root *Element, allowRemove bool) ([]PropOp, error) {
	var ops []PropOp
	for _, c := range root.Children {
		var remove bool
		switch c.Name {
		case Name("set"):
		case Name("remove"):
			if !allowRemove {
				return nil, badRequest("remove not allowed here")
			}
			remove = true
		default:
			continue
		}
		for _, p := range c.ChildrenNamed(Name("prop")) {
			for _, prop := range p.Children {
				ops = append(ops, PropOp{Remove: remove, Prop: prop})
			}
		}
	}
	return ops, nil
}
