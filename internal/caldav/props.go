// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import (
	"encoding/xml"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/almanac-project/almanac/internal/webdav"
)

// Property names.
var (
	pResourceType           = webdav.Name("resourcetype")
	pDisplayName            = webdav.Name("displayname")
	pGetETag                = webdav.Name("getetag")
	pGetContentType         = webdav.Name("getcontenttype")
	pGetContentLength       = webdav.Name("getcontentlength")
	pGetLastModified        = webdav.Name("getlastmodified")
	pCurrentUserPrincipal   = webdav.Name("current-user-principal")
	pPrincipalURL           = webdav.Name("principal-URL")
	pPrincipalCollectionSet = webdav.Name("principal-collection-set")
	pOwner                  = webdav.Name("owner")
	pGroupMembership        = webdav.Name("group-membership")
	pGroupMemberSet         = webdav.Name("group-member-set")
	pAlternateURISet        = webdav.Name("alternate-URI-set")
	pSupportedReportSet     = webdav.Name("supported-report-set")
	pSyncToken              = webdav.Name("sync-token")
	pQuotaUsed              = webdav.Name("quota-used-bytes")
	pQuotaAvailable         = webdav.Name("quota-available-bytes")
	pCurrentUserPrivSet     = webdav.Name("current-user-privilege-set")
	pACL                    = webdav.Name("acl")
	pACLRestrictions        = webdav.Name("acl-restrictions")
	pSupportedPrivilegeSet  = webdav.Name("supported-privilege-set")
	pInheritedACLSet        = webdav.Name("inherited-acl-set")

	pCalendarHomeSet        = webdav.CalName("calendar-home-set")
	pCalendarUserAddressSet = webdav.CalName("calendar-user-address-set")
	pCalendarUserType       = webdav.CalName("calendar-user-type")
	pCalendarDescription    = webdav.CalName("calendar-description")
	pCalendarTimezone       = webdav.CalName("calendar-timezone")
	pSupportedCompSet       = webdav.CalName("supported-calendar-component-set")
	pSupportedCalData       = webdav.CalName("supported-calendar-data")
	pMaxResourceSize        = webdav.CalName("max-resource-size")
	pMinDateTime            = webdav.CalName("min-date-time")
	pMaxDateTime            = webdav.CalName("max-date-time")
	pMaxInstances           = webdav.CalName("max-instances")
	pMaxAttendees           = webdav.CalName("max-attendees-per-instance")
	pCalendarData           = webdav.CalName("calendar-data")

	// RFC 6638 §2.1.1, §2.2.1, §9.1–§9.3; RFC 7953 §7.2.4.
	pScheduleInboxURL           = webdav.CalName("schedule-inbox-URL")
	pScheduleOutboxURL          = webdav.CalName("schedule-outbox-URL")
	pScheduleCalendarTransp     = webdav.CalName("schedule-calendar-transp")
	pScheduleDefaultCalendarURL = webdav.CalName("schedule-default-calendar-URL")
	pScheduleTag                = webdav.CalName("schedule-tag")
	pCalendarAvailability       = webdav.CalName("calendar-availability")

	pCalendarColor = xml.Name{Space: webdav.NSApple, Local: "calendar-color"}
	pCalendarOrder = xml.Name{Space: webdav.NSApple, Local: "calendar-order"}
	pGetCTag       = xml.Name{Space: webdav.NSCS, Local: "getctag"}
)

// common are the properties of every resource.
var common = []xml.Name{pResourceType, pCurrentUserPrincipal, pPrincipalCollectionSet, pCurrentUserPrivSet,
	pSupportedReportSet, pSupportedPrivilegeSet, pACLRestrictions}

// liveNames lists the live properties of each kind of resource
// (DAV:propname, RFC 4918 §9.1); liveNamesOf tells calendars from
// scheduling inboxes and outboxes.
var liveNames = map[kind][]xml.Name{
	kindRoot:       common,
	kindPrincipals: common,
	kindCalendars:  common,
	kindPrincipal: append([]xml.Name{pDisplayName, pPrincipalURL, pCalendarHomeSet, pCalendarUserAddressSet,
		pCalendarUserType, pScheduleInboxURL, pScheduleOutboxURL, pAlternateURISet, pGroupMembership,
		pGroupMemberSet}, common...),
	kindHome: append([]xml.Name{pDisplayName, pOwner, pQuotaUsed, pQuotaAvailable}, common...),
	kindCalendar: append([]xml.Name{pDisplayName, pGetETag, pGetLastModified, pOwner, pCalendarDescription,
		pCalendarTimezone, pSupportedCompSet, pSupportedCalData, pMaxResourceSize, pMinDateTime, pMaxDateTime,
		pMaxInstances, pMaxAttendees, pCalendarColor, pCalendarOrder, pGetCTag, pSyncToken, pQuotaUsed,
		pQuotaAvailable, pACL, pInheritedACLSet, pScheduleCalendarTransp}, common...),
	kindObject: append([]xml.Name{pGetETag, pGetContentType, pGetContentLength, pGetLastModified, pOwner,
		pScheduleTag}, common...),
}

// inboxNames are the live properties of a scheduling inbox: those of
// RFC 4791 that RFC 6638 §2.2 lets it have, the members' ETag, CTag and
// sync token, and the properties of RFC 6638 §9.2 and RFC 7953 §7.2.4.
var inboxNames = append([]xml.Name{pDisplayName, pGetETag, pGetLastModified, pOwner, pCalendarTimezone,
	pSupportedCompSet, pSupportedCalData, pMaxResourceSize, pMinDateTime, pMaxDateTime, pMaxInstances,
	pMaxAttendees, pGetCTag, pSyncToken, pQuotaUsed, pQuotaAvailable, pACL, pInheritedACLSet,
	pScheduleDefaultCalendarURL, pCalendarAvailability}, common...)

// outboxNames are the live properties of a scheduling outbox: of those
// RFC 6638 §2.1 allows, the ones that a POST is checked against
// (supported-calendar-data, max-resource-size).
var outboxNames = append([]xml.Name{pDisplayName, pOwner, pSupportedCalData, pMaxResourceSize, pQuotaUsed,
	pQuotaAvailable, pACL, pInheritedACLSet}, common...)

// liveNamesOf lists the live properties of res.
func liveNamesOf(res *resource) []xml.Name {
	if res.kind == kindCalendar && res.calendar != nil {
		switch res.calendar.Kind {
		case kindNameInbox:
			return inboxNames
		case kindNameOutbox:
			return outboxNames
		}
	}
	return liveNames[res.kind]
}

// allpropNames are the properties of a DAV:allprop answer (RFC 4918
// §9.1: the live properties RFC 4918 defines, here those of the resource,
// plus current-user-principal where a redirected body-less PROPFIND needs
// it, see client-quirks.md). Dead properties are added by the caller.
func allpropNames(k kind) []xml.Name {
	names := []xml.Name{pResourceType, pDisplayName, pGetETag, pGetContentType, pGetContentLength, pGetLastModified}
	switch k {
	case kindRoot, kindPrincipals, kindPrincipal:
		names = append(names, pCurrentUserPrincipal)
	}
	if k == kindPrincipal {
		names = append(names, pPrincipalURL, pCalendarHomeSet)
	}
	return names
}

// isLive reports whether name is a live property of res.
func isLive(res *resource, name xml.Name) bool {
	return slices.Contains(liveNamesOf(res), name)
}

// propCtx carries what computing properties needs beyond the resource.
type propCtx struct {
	rq *request
	// quota caches Backend.Quota per owner during one request.
	quota map[string][2]int64
}

// prop computes one property of res: the element with its value and 200,
// or a nil element and the status (404, 403) for the propstat.
func (h *Handler) prop(pc *propCtx, res *resource, name xml.Name) (*webdav.Element, int) {
	if !isLive(res, name) {
		if res.kind == kindCalendar && res.calendar != nil {
			for _, p := range res.calendar.Props {
				if p.Space == name.Space && p.Local == name.Local {
					return &webdav.Element{Name: name, Raw: p.XML}, http.StatusOK
				}
			}
		}
		return nil, http.StatusNotFound
	}
	el := func(children ...*webdav.Element) (*webdav.Element, int) {
		return webdav.NewElement(name, children...), http.StatusOK
	}
	text := func(s string) (*webdav.Element, int) {
		return webdav.TextElement(name, s), http.StatusOK
	}
	missing := func() (*webdav.Element, int) { return nil, http.StatusNotFound }
	cal, obj, prin := res.calendar, res.object, res.principal
	switch name {
	case pResourceType:
		switch res.kind {
		case kindPrincipal:
			return el(webdav.NewElement(webdav.Name("principal")))
		case kindCalendar:
			// RFC 4791 §4.2; RFC 6638 §2.2, §2.1 for inbox and outbox.
			t := "calendar"
			switch cal.Kind {
			case "inbox":
				t = "schedule-inbox"
			case "outbox":
				t = "schedule-outbox"
			}
			return el(webdav.NewElement(webdav.Name("collection")), webdav.NewElement(webdav.CalName(t)))
		case kindObject:
			return el()
		}
		return el(webdav.NewElement(webdav.Name("collection")))
	case pDisplayName:
		switch {
		case prin != nil && prin.DisplayName != "":
			return text(prin.DisplayName)
		case cal != nil && res.kind == kindCalendar && cal.DisplayName != "":
			return text(cal.DisplayName)
		}
		return missing()
	case pGetETag:
		if obj != nil {
			return text(obj.ETag)
		}
		return text(calendarETag(cal))
	case pGetContentType:
		// vdirsyncer skips members whose type lacks "calendar".
		return text("text/calendar; charset=utf-8")
	case pGetContentLength:
		return text(strconv.FormatInt(obj.Size, 10))
	case pGetLastModified:
		t := time.Time{}
		if obj != nil {
			t = obj.Modified
		} else if cal != nil {
			t = cal.Modified
		}
		if t.IsZero() {
			return missing()
		}
		return text(t.UTC().Format(http.TimeFormat))
	case pCurrentUserPrincipal:
		// RFC 5397 §3.
		if pc.rq.user == nil {
			return el(webdav.NewElement(webdav.Name("unauthenticated")))
		}
		return el(webdav.Href(h.principalHref(pc.rq.user.Name)))
	case pPrincipalURL:
		return el(webdav.Href(h.principalHref(prin.Name)))
	case pPrincipalCollectionSet:
		return el(webdav.Href(h.opt.Prefix + "principals/"))
	case pOwner:
		return el(webdav.Href(h.principalHref(res.owner)))
	case pGroupMembership, pGroupMemberSet:
		return el()
	case pAlternateURISet:
		var hrefs []*webdav.Element
		for _, a := range prin.Addresses {
			hrefs = append(hrefs, webdav.Href(a))
		}
		return el(hrefs...)
	case pCalendarHomeSet:
		// RFC 4791 §6.2.1.
		return el(webdav.Href(h.homeHref(prin.Name)))
	case pCalendarUserAddressSet:
		// RFC 6638 §2.4.1: every address, mailto: first.
		var hrefs []*webdav.Element
		for _, a := range prin.Addresses {
			hrefs = append(hrefs, webdav.Href(a))
		}
		hrefs = append(hrefs, webdav.Href(h.principalHref(prin.Name)))
		return el(hrefs...)
	case pScheduleInboxURL, pScheduleOutboxURL:
		// RFC 6638 §2.2.1, §2.1.1: absent when the principal does not
		// receive, or send, scheduling messages.
		box := prin.Inbox
		if name == pScheduleOutboxURL {
			box = prin.Outbox
		}
		if box == "" {
			return missing()
		}
		return el(webdav.Href(webdav.JoinPath(h.opt.Prefix, true, "calendars", prin.Name, box)))
	case pScheduleTag:
		// RFC 6638 §9.3: defined on scheduling object resources only.
		if obj.ScheduleTag == "" {
			return missing()
		}
		return text(obj.ScheduleTag)
	case pScheduleCalendarTransp:
		// RFC 6638 §9.1.
		t := "opaque"
		if cal.Transparent {
			t = "transparent"
		}
		return el(webdav.NewElement(webdav.CalName(t)))
	case pScheduleDefaultCalendarURL:
		// RFC 6638 §9.2: absent when there is no default calendar.
		if cal.DefaultCalendar == "" {
			return missing()
		}
		return el(webdav.Href(webdav.JoinPath(h.opt.Prefix, true, "calendars", res.owner, cal.DefaultCalendar)))
	case pCalendarAvailability:
		// RFC 7953 §7.2.4.
		if cal.Availability == "" {
			return missing()
		}
		return text(cal.Availability)
	case pCalendarUserType:
		return text(userType(prin))
	case pSupportedReportSet:
		// RFC 3253 §3.1.5.
		var reports []*webdav.Element
		for _, r := range supportedReports(res) {
			reports = append(reports, webdav.NewElement(webdav.Name("supported-report"),
				webdav.NewElement(webdav.Name("report"), webdav.NewElement(r))))
		}
		return el(reports...)
	case pCurrentUserPrivSet:
		// RFC 3744 §5.4.
		return el(privilegeElements(h.privileges(pc.rq, res), supportedPrivileges(res))...)
	case pSupportedPrivilegeSet:
		return el(supportedPrivilegeSet(supportedPrivileges(res)))
	case pACLRestrictions:
		// RFC 3744 §5.6: only grant ACEs, no inversion.
		return el(webdav.NewElement(webdav.Name("grant-only")), webdav.NewElement(webdav.Name("no-invert")))
	case pInheritedACLSet:
		return el()
	case pACL:
		if h.privileges(pc.rq, res)&PrivReadACL == 0 {
			return nil, http.StatusForbidden
		}
		return el(h.aclElements(cal.ACL, supportedPrivileges(res))...)
	case pQuotaUsed, pQuotaAvailable:
		q, ok := pc.quota[res.owner]
		if !ok {
			used, avail, err := h.b.Quota(pc.rq.ctx, res.owner)
			if err != nil {
				return missing()
			}
			q = [2]int64{used, avail}
			if pc.quota == nil {
				pc.quota = map[string][2]int64{}
			}
			pc.quota[res.owner] = q
		}
		if name == pQuotaUsed {
			return text(strconv.FormatInt(q[0], 10))
		}
		if q[1] < 0 {
			// RFC 4331 §4: no limit, so no value to report.
			return missing()
		}
		return text(strconv.FormatInt(q[1], 10))
	case pCalendarDescription:
		if cal.Description == "" {
			return missing()
		}
		return text(cal.Description)
	case pCalendarTimezone:
		if cal.Timezone == "" {
			return missing()
		}
		return text(cal.Timezone)
	case pCalendarColor:
		if cal.Color == "" {
			return missing()
		}
		return text(cal.Color)
	case pCalendarOrder:
		return text(strconv.Itoa(cal.Order))
	case pSupportedCompSet:
		// RFC 4791 §5.2.3.
		var comps []*webdav.Element
		for _, c := range components(cal) {
			comps = append(comps, &webdav.Element{Name: webdav.CalName("comp"), Attr: []xml.Attr{{Name: xml.Name{Local: "name"}, Value: c}}})
		}
		return el(comps...)
	case pSupportedCalData:
		// RFC 4791 §5.2.4. A POST to the outbox takes iCalendar only.
		types := []string{"text/calendar", "application/calendar+json"}
		if cal.Kind == kindNameOutbox {
			types = types[:1]
		}
		var data []*webdav.Element
		for _, t := range types {
			data = append(data, &webdav.Element{Name: webdav.CalName("calendar-data"), Attr: []xml.Attr{{Name: xml.Name{Local: "content-type"}, Value: t}, {Name: xml.Name{Local: "version"}, Value: "2.0"}}})
		}
		return el(data...)
	case pMaxResourceSize:
		return text(strconv.FormatInt(h.maxObjectSize(), 10))
	case pMinDateTime:
		if h.opt.Limits.MinDateTime.IsZero() {
			return missing()
		}
		return text(h.opt.Limits.MinDateTime.UTC().Format(icalUTC))
	case pMaxDateTime:
		if h.opt.Limits.MaxDateTime.IsZero() {
			return missing()
		}
		return text(h.opt.Limits.MaxDateTime.UTC().Format(icalUTC))
	case pMaxInstances:
		if h.opt.Limits.MaxInstances <= 0 {
			return missing()
		}
		return text(strconv.Itoa(h.opt.Limits.MaxInstances))
	case pMaxAttendees:
		if h.opt.Limits.MaxAttendeesPerInstance <= 0 {
			return missing()
		}
		return text(strconv.Itoa(h.opt.Limits.MaxAttendeesPerInstance))
	case pGetCTag:
		return text(cal.CTag)
	case pSyncToken:
		// RFC 6578 §4.
		return text(cal.SyncToken)
	}
	return missing()
}

// userType is the CALDAV:calendar-user-type of p (RFC 6638 §2.4.2): a
// CUTYPE value (RFC 5545 §3.2.3), INDIVIDUAL by default.
func userType(p *Principal) string {
	if p.Type == "" {
		return "INDIVIDUAL"
	}
	return strings.ToUpper(p.Type)
}

// icalUTC is the RFC 5545 §3.3.5 form of a UTC date-time.
const icalUTC = "20060102T150405Z"

func (h *Handler) maxObjectSize() int64 {
	if m := h.opt.Limits.MaxResourceSize; m > 0 && m < MaxObjectSize {
		return m
	}
	return MaxObjectSize
}

// components returns the supported-calendar-component-set of c.
func components(c *Calendar) []string {
	if len(c.Components) == 0 {
		return []string{"VEVENT", "VTODO", "VJOURNAL"}
	}
	return c.Components
}

// calendarETag is the entity tag of a calendar collection: its CTag,
// which changes with every member change.
func calendarETag(c *Calendar) string {
	t := c.CTag
	if t == "" {
		t = c.SyncToken
	}
	if strings.HasPrefix(t, `"`) && strings.HasSuffix(t, `"`) && len(t) >= 2 {
		return t
	}
	return `"` + strings.ReplaceAll(t, `"`, "") + `"`
}

// supportedReports lists the REPORTs each kind of resource answers
// (RFC 3253 §3.1.5: exactly those).
func supportedReports(res *resource) []xml.Name {
	var (
		query     = webdav.CalName("calendar-query")
		multiget  = webdav.CalName("calendar-multiget")
		freebusy  = webdav.CalName("free-busy-query")
		sync      = webdav.Name("sync-collection")
		expand    = webdav.Name("expand-property")
		search    = webdav.Name("principal-property-search")
		searchSet = webdav.Name("principal-search-property-set")
		match     = webdav.Name("principal-match")
		aclProps  = webdav.Name("acl-principal-prop-set")
	)
	switch res.kind {
	case kindRoot, kindPrincipals:
		return []xml.Name{expand, search, searchSet, match}
	case kindPrincipal:
		return []xml.Name{expand, search, searchSet}
	case kindCalendars, kindHome:
		return []xml.Name{expand, match}
	case kindCalendar:
		switch {
		case res.calendar != nil && res.calendar.Kind == kindNameOutbox:
			return []xml.Name{expand, aclProps}
		case res.calendar != nil && res.calendar.Kind == kindNameInbox:
			// RFC 6638 §2.3: no free-busy-query on an inbox.
			return []xml.Name{query, multiget, sync, expand, aclProps, match}
		}
		return []xml.Name{query, multiget, freebusy, sync, expand, aclProps, match}
	}
	return []xml.Name{query, multiget, expand}
}

// privileges returns the current user's privileges on res; the anonymous
// mount is read-only.
func (h *Handler) privileges(rq *request, res *resource) Privileges {
	var p Privileges
	switch res.kind {
	case kindCalendar, kindObject:
		if res.calendar != nil {
			p = res.calendar.Privileges
		}
	case kindHome:
		p = PrivRead | PrivReadFreeBusy | PrivReadCurrentUserPrivilegeSet
		if rq.user != nil && rq.user.Name == res.owner {
			p = PrivAll &^ PrivWriteACL
		}
	default:
		p = PrivRead | PrivReadCurrentUserPrivilegeSet
	}
	if rq.user == nil {
		p &^= PrivWrite | PrivWriteACL | PrivScheduleDeliver | PrivScheduleSend
	}
	return p
}

// supportedPrivileges are the privileges res supports: the scheduling
// ones only on a scheduling inbox (RFC 6638 §6.1) or outbox (§6.2).
func supportedPrivileges(res *resource) Privileges {
	p := PrivAll &^ (PrivScheduleDeliver | PrivScheduleSend)
	if res.kind == kindCalendar && res.calendar != nil {
		switch res.calendar.Kind {
		case kindNameInbox:
			p |= PrivScheduleDeliver
		case kindNameOutbox:
			p |= PrivScheduleSend
		}
	}
	return p
}

// privNames maps the privileges to their elements (RFC 3744 §3, RFC 4791
// §6.1.1, RFC 6638 §6).
var privNames = []struct {
	p    Privileges
	name xml.Name
}{
	{PrivRead, webdav.Name("read")},
	{PrivReadFreeBusy, webdav.CalName("read-free-busy")},
	{PrivWriteProperties, webdav.Name("write-properties")},
	{PrivWriteContent, webdav.Name("write-content")},
	{PrivBind, webdav.Name("bind")},
	{PrivUnbind, webdav.Name("unbind")},
	{PrivReadACL, webdav.Name("read-acl")},
	{PrivWriteACL, webdav.Name("write-acl")},
	{PrivReadCurrentUserPrivilegeSet, webdav.Name("read-current-user-privilege-set")},
	{PrivScheduleDeliverInvite, webdav.CalName("schedule-deliver-invite")},
	{PrivScheduleDeliverReply, webdav.CalName("schedule-deliver-reply")},
	{PrivScheduleQueryFreeBusy, webdav.CalName("schedule-query-freebusy")},
	{PrivScheduleSendInvite, webdav.CalName("schedule-send-invite")},
	{PrivScheduleSendReply, webdav.CalName("schedule-send-reply")},
	{PrivScheduleSendFreeBusy, webdav.CalName("schedule-send-freebusy")},
}

// privilegeName is the element of a privilege: an aggregate's when p is
// exactly one, else that of the first privilege of p.
func privilegeName(p Privileges) xml.Name {
	switch p {
	case PrivAll:
		return webdav.Name("all")
	case PrivWrite:
		return webdav.Name("write")
	case PrivScheduleDeliver:
		return webdav.CalName("schedule-deliver")
	case PrivScheduleSend:
		return webdav.CalName("schedule-send")
	}
	for _, pn := range privNames {
		if p&pn.p != 0 {
			return pn.name
		}
	}
	return webdav.Name("all")
}

// privilegeElements lists p as DAV:privilege elements, aggregates first,
// leaving out what the resource does not support: DAV:all when p holds
// every supported privilege.
func privilegeElements(p, supported Privileges) []*webdav.Element {
	priv := func(n xml.Name) *webdav.Element {
		return webdav.NewElement(webdav.Name("privilege"), webdav.NewElement(n))
	}
	p &= supported
	var out []*webdav.Element
	for _, agg := range []struct {
		p    Privileges
		name xml.Name
	}{
		{supported, webdav.Name("all")},
		{PrivWrite, webdav.Name("write")},
		{PrivScheduleDeliver, webdav.CalName("schedule-deliver")},
		{PrivScheduleSend, webdav.CalName("schedule-send")},
	} {
		if agg.p&supported == agg.p && p&agg.p == agg.p {
			out = append(out, priv(agg.name))
		}
	}
	for _, pn := range privNames {
		if p&pn.p != 0 {
			out = append(out, priv(pn.name))
		}
	}
	return out
}

// supportedPrivilegeSet is the DAV:supported-privilege tree (RFC 3744
// §5.3) of a resource supporting the privileges supported, with
// CALDAV:read-free-busy under DAV:read (RFC 4791 §6.1.1) and the
// non-abstract scheduling aggregates under DAV:all (RFC 6638 §6.3).
func supportedPrivilegeSet(supported Privileges) *webdav.Element {
	sp := func(name xml.Name, abstract bool, desc string, children ...*webdav.Element) *webdav.Element {
		e := webdav.NewElement(webdav.Name("supported-privilege"), webdav.NewElement(webdav.Name("privilege"), webdav.NewElement(name)))
		if abstract {
			e.Children = append(e.Children, webdav.NewElement(webdav.Name("abstract")))
		}
		e.Children = append(e.Children, &webdav.Element{Name: webdav.Name("description"),
			Attr: []xml.Attr{{Name: xml.Name{Space: "xml", Local: "lang"}, Value: "en"}}, Text: desc})
		e.Children = append(e.Children, children...)
		return e
	}
	all := []*webdav.Element{
		sp(webdav.Name("read"), false, "Read any object",
			sp(webdav.CalName("read-free-busy"), false, "Read free/busy information")),
		sp(webdav.Name("write"), false, "Write any object",
			sp(webdav.Name("write-properties"), false, "Write properties"),
			sp(webdav.Name("write-content"), false, "Write resource content"),
			sp(webdav.Name("bind"), false, "Add new members"),
			sp(webdav.Name("unbind"), false, "Remove members")),
		sp(webdav.Name("read-acl"), false, "Read the access control list"),
		sp(webdav.Name("write-acl"), false, "Write the access control list"),
		sp(webdav.Name("read-current-user-privilege-set"), false, "Read the current user privilege set"),
	}
	if supported&PrivScheduleDeliver != 0 {
		all = append(all, sp(webdav.CalName("schedule-deliver"), false, "Deliver scheduling messages",
			sp(webdav.CalName("schedule-deliver-invite"), false, "Deliver scheduling messages from organizers"),
			sp(webdav.CalName("schedule-deliver-reply"), false, "Deliver scheduling messages from attendees"),
			sp(webdav.CalName("schedule-query-freebusy"), false, "Ask for free/busy time")))
	}
	if supported&PrivScheduleSend != 0 {
		all = append(all, sp(webdav.CalName("schedule-send"), false, "Send scheduling messages",
			sp(webdav.CalName("schedule-send-invite"), false, "Send scheduling messages as organizer"),
			sp(webdav.CalName("schedule-send-reply"), false, "Send scheduling messages as attendee"),
			sp(webdav.CalName("schedule-send-freebusy"), false, "Ask others for free/busy time")))
	}
	return sp(webdav.Name("all"), true, "Any operation", all...)
}

// aclElements writes ACEs as DAV:ace elements (RFC 3744 §5.5), with the
// privileges of a resource supporting supported.
func (h *Handler) aclElements(acl []ACE, supported Privileges) []*webdav.Element {
	var out []*webdav.Element
	for _, a := range acl {
		var pr *webdav.Element
		switch a.Principal {
		case "all", "authenticated", "unauthenticated", "self":
			pr = webdav.NewElement(webdav.Name(a.Principal))
		default:
			pr = webdav.Href(h.principalHref(a.Principal))
		}
		ace := webdav.NewElement(webdav.Name("ace"), webdav.NewElement(webdav.Name("principal"), pr),
			webdav.NewElement(webdav.Name("grant"), privilegeElements(a.Grant, supported)...))
		if a.Protected {
			ace.Children = append(ace.Children, webdav.NewElement(webdav.Name("protected")))
		}
		if a.InheritedFrom != "" {
			ace.Children = append(ace.Children, webdav.NewElement(webdav.Name("inherited"), webdav.Href(h.hrefOfPath(a.InheritedFrom))))
		}
		out = append(out, ace)
	}
	return out
}
