// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package ical

import "strings"

// Component is an iCalendar component (RFC 5545 §3.4, §3.6): a name, its
// properties in the order they were written, and its sub-components in
// order. Unknown, IANA and X- components and properties are kept as they are.
type Component struct {
	// Name is the component name in upper case, such as "VEVENT".
	Name string
	// Props holds the properties in order.
	Props []Property
	// Children holds the sub-components in order.
	Children []*Component
	// Line is the line of the BEGIN line in the decoded input, or 0.
	Line int
}

// NewComponent returns an empty component with the given name.
func NewComponent(name string) *Component {
	return &Component{Name: strings.ToUpper(name)}
}

// Property is a content line (RFC 5545 §3.1): a name, parameters in order
// and the value exactly as written on the wire, unfolded but still escaped.
// The typed accessors (Text, DateTime, Recur, …) decode Value on demand, so a
// property survives a decode/encode round trip unchanged.
type Property struct {
	// Name is the property name in upper case, such as "DTSTART".
	Name string
	// Params holds the parameters in order.
	Params Params
	// Value is the raw value: TEXT escapes (RFC 5545 §3.3.11) are kept.
	Value string
	// Line is the line the property started on in the decoded input, or 0.
	Line int
}

// Param is a property parameter (RFC 5545 §3.2) with its values, unquoted
// and with RFC 6868 escapes decoded.
type Param struct {
	Name   string
	Values []string
}

// Value returns the first value of the parameter, or "".
func (p Param) Value() string {
	if len(p.Values) == 0 {
		return ""
	}
	return p.Values[0]
}

// NewProperty returns a property with a raw value and no parameters.
func NewProperty(name, value string) Property {
	return Property{Name: strings.ToUpper(name), Value: value}
}

// Prop returns the first property with the given name, or nil. The pointer
// is valid until the property list is next changed.
func (c *Component) Prop(name string) *Property {
	for i := range c.Props {
		if c.Props[i].Name == name {
			return &c.Props[i]
		}
	}
	return nil
}

// PropsNamed returns every property with the given name, in order.
func (c *Component) PropsNamed(name string) []*Property {
	var out []*Property
	for i := range c.Props {
		if c.Props[i].Name == name {
			out = append(out, &c.Props[i])
		}
	}
	return out
}

// Value returns the raw value of the first property with the given name, or "".
func (c *Component) Value(name string) string {
	if p := c.Prop(name); p != nil {
		return p.Value
	}
	return ""
}

// Add appends a property.
func (c *Component) Add(p Property) { c.Props = append(c.Props, p) }

// Set replaces every property with p's name by p, keeping the position of
// the first one, or appends p.
func (c *Component) Set(p Property) {
	for i := range c.Props {
		if c.Props[i].Name == p.Name {
			c.Props[i] = p
			c.delFrom(p.Name, i+1)
			return
		}
	}
	c.Props = append(c.Props, p)
}

// Del removes every property with the given name.
func (c *Component) Del(name string) { c.delFrom(name, 0) }

func (c *Component) delFrom(name string, from int) {
	out := c.Props[:from]
	for _, p := range c.Props[from:] {
		if p.Name != name {
			out = append(out, p)
		}
	}
	clear(c.Props[len(out):])
	c.Props = out
}

// Components returns the direct sub-components with the given name.
func (c *Component) Components(name string) []*Component {
	var out []*Component
	for _, ch := range c.Children {
		if ch.Name == name {
			out = append(out, ch)
		}
	}
	return out
}

// Walk calls fn for c and every component below it, depth first, in order.
// Walking stops early when fn returns false.
func (c *Component) Walk(fn func(*Component) bool) bool {
	if !fn(c) {
		return false
	}
	for _, ch := range c.Children {
		if !ch.Walk(fn) {
			return false
		}
	}
	return true
}

// Calendar is an iCalendar object: a VCALENDAR component (RFC 5545 §3.4).
type Calendar struct {
	*Component
}

// NewCalendar returns an empty VCALENDAR with VERSION:2.0 and the given PRODID.
func NewCalendar(prodID string) *Calendar {
	c := &Calendar{NewComponent(CompCalendar)}
	c.Add(NewProperty(PropProdID, prodID))
	c.Add(NewProperty(PropVersion, "2.0"))
	return c
}

// Events returns the calendar's VEVENT components.
func (c *Calendar) Events() []*Component { return c.Components(CompEvent) }
