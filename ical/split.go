// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package ical

// Split divides an iCalendar object into calendar object resources, one per
// UID, as a CalDAV collection stores them (RFC 4791 §4.1): each holds the
// calendar's properties (without METHOD), the components with that UID in
// their original order, and the VTIMEZONEs those components reference. A
// component without a UID becomes an object of its own. cal is not
// modified; the results share its properties and components.
func Split(cal *Component) []*Component {
	zones := map[string]*Component{}
	byUID := map[string]*Component{}
	var out []*Component
	for _, ch := range cal.Children {
		if ch.Name == CompTimezone {
			zones[ch.Value(PropTZID)] = ch
			continue
		}
		uid := ch.Value(PropUID)
		obj := byUID[uid]
		if obj == nil || uid == "" {
			obj = &Component{Name: cal.Name}
			for _, p := range cal.Props {
				if p.Name != PropMethod {
					obj.Props = append(obj.Props, p)
				}
			}
			if uid != "" {
				byUID[uid] = obj
			}
			out = append(out, obj)
		}
		obj.Children = append(obj.Children, ch)
	}
	for _, obj := range out {
		obj.Children = append(referencedZones(obj.Children, zones), obj.Children...)
	}
	return out
}

// Merge combines calendar objects into one VCALENDAR with the given PRODID,
// as a calendar collection is exported or subscribed to: the components of
// every object in order, with each VTIMEZONE once per TZID (the first one
// seen wins). A non-empty name becomes the calendar's NAME (RFC 7986 §5.1)
// and X-WR-CALNAME, which most subscribing clients read.
func Merge(prodID, name string, objects []*Component) *Calendar {
	cal := NewCalendar(prodID)
	if name != "" {
		for _, prop := range []string{PropName, "X-WR-CALNAME"} {
			p := NewProperty(prop, "")
			p.SetText(name)
			cal.Add(p)
		}
	}
	seen := map[string]bool{}
	var zones, comps []*Component
	for _, obj := range objects {
		for _, ch := range obj.Children {
			if ch.Name != CompTimezone {
				comps = append(comps, ch)
				continue
			}
			if tzid := ch.Value(PropTZID); !seen[tzid] {
				seen[tzid] = true
				zones = append(zones, ch)
			}
		}
	}
	cal.Children = append(zones, comps...)
	return cal
}

// referencedZones returns the zones whose TZID a parameter of comps (or of
// their sub-components) names, in TZID order of first reference.
func referencedZones(comps []*Component, zones map[string]*Component) []*Component {
	var out []*Component
	seen := map[string]bool{}
	for _, c := range comps {
		c.Walk(func(x *Component) bool {
			for _, p := range x.Props {
				tzid := p.Params.Get(ParamTZID)
				if tzid == "" || seen[tzid] {
					continue
				}
				seen[tzid] = true
				if z := zones[tzid]; z != nil {
					out = append(out, z)
				}
			}
			return true
		})
	}
	return out
}
