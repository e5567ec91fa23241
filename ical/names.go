// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package ical

// Component names (RFC 5545 §3.6, RFC 7953 §3).
const (
	CompCalendar     = "VCALENDAR"
	CompEvent        = "VEVENT"
	CompToDo         = "VTODO"
	CompJournal      = "VJOURNAL"
	CompFreeBusy     = "VFREEBUSY"
	CompTimezone     = "VTIMEZONE"
	CompStandard     = "STANDARD"
	CompDaylight     = "DAYLIGHT"
	CompAlarm        = "VALARM"
	CompAvailability = "VAVAILABILITY"
	CompAvailable    = "AVAILABLE"
)

// Property names (RFC 5545 §3.7–3.8, RFC 7986, RFC 7953, RFC 7529, RFC 9073
// where named).
const (
	PropCalScale        = "CALSCALE"
	PropMethod          = "METHOD"
	PropProdID          = "PRODID"
	PropVersion         = "VERSION"
	PropAttach          = "ATTACH"
	PropCategories      = "CATEGORIES"
	PropClass           = "CLASS"
	PropComment         = "COMMENT"
	PropDescription     = "DESCRIPTION"
	PropGeo             = "GEO"
	PropLocation        = "LOCATION"
	PropPercentComplete = "PERCENT-COMPLETE"
	PropPriority        = "PRIORITY"
	PropResources       = "RESOURCES"
	PropStatus          = "STATUS"
	PropSummary         = "SUMMARY"
	PropCompleted       = "COMPLETED"
	PropDTEnd           = "DTEND"
	PropDue             = "DUE"
	PropDTStart         = "DTSTART"
	PropDuration        = "DURATION"
	PropFreeBusy        = "FREEBUSY"
	PropTransp          = "TRANSP"
	PropTZID            = "TZID"
	PropTZName          = "TZNAME"
	PropTZOffsetFrom    = "TZOFFSETFROM"
	PropTZOffsetTo      = "TZOFFSETTO"
	PropTZURL           = "TZURL"
	PropAttendee        = "ATTENDEE"
	PropContact         = "CONTACT"
	PropOrganizer       = "ORGANIZER"
	PropRecurrenceID    = "RECURRENCE-ID"
	PropRelatedTo       = "RELATED-TO"
	PropURL             = "URL"
	PropUID             = "UID"
	PropExDate          = "EXDATE"
	PropRDate           = "RDATE"
	PropRRule           = "RRULE"
	PropExRule          = "EXRULE"
	PropAction          = "ACTION"
	PropRepeat          = "REPEAT"
	PropTrigger         = "TRIGGER"
	PropCreated         = "CREATED"
	PropDTStamp         = "DTSTAMP"
	PropLastModified    = "LAST-MODIFIED"
	PropSequence        = "SEQUENCE"
	PropRequestStatus   = "REQUEST-STATUS"
	// RFC 7986.
	PropName            = "NAME"
	PropRefreshInterval = "REFRESH-INTERVAL"
	PropSource          = "SOURCE"
	PropColor           = "COLOR"
	PropImage           = "IMAGE"
	PropConference      = "CONFERENCE"
	// RFC 7953.
	PropBusyType = "BUSYTYPE"
	// RFC 9074 (VALARM extensions).
	PropAcknowledged = "ACKNOWLEDGED"
	PropProximity    = "PROXIMITY"
)

// Parameter names (RFC 5545 §3.2, RFC 7986 §6).
const (
	ParamAltRep        = "ALTREP"
	ParamCN            = "CN"
	ParamCUType        = "CUTYPE"
	ParamDelegatedFrom = "DELEGATED-FROM"
	ParamDelegatedTo   = "DELEGATED-TO"
	ParamDir           = "DIR"
	ParamEncoding      = "ENCODING"
	ParamFmtType       = "FMTTYPE"
	ParamFBType        = "FBTYPE"
	ParamLanguage      = "LANGUAGE"
	ParamMember        = "MEMBER"
	ParamPartStat      = "PARTSTAT"
	ParamRange         = "RANGE"
	ParamRelated       = "RELATED"
	ParamRelType       = "RELTYPE"
	ParamRole          = "ROLE"
	ParamRSVP          = "RSVP"
	ParamSentBy        = "SENT-BY"
	ParamTZID          = "TZID"
	ParamValue         = "VALUE"
	ParamDisplay       = "DISPLAY"
	ParamEmail         = "EMAIL"
	ParamFeature       = "FEATURE"
	ParamLabel         = "LABEL"
	// RFC 6638 §7.
	ParamScheduleAgent     = "SCHEDULE-AGENT"
	ParamScheduleForceSend = "SCHEDULE-FORCE-SEND"
	ParamScheduleStatus    = "SCHEDULE-STATUS"
)

// ValueType names an RFC 5545 §3.3 value data type, as written in VALUE=.
type ValueType string

// The value types of RFC 5545 §3.3.
const (
	TypeBinary     ValueType = "BINARY"
	TypeBoolean    ValueType = "BOOLEAN"
	TypeCalAddress ValueType = "CAL-ADDRESS"
	TypeDate       ValueType = "DATE"
	TypeDateTime   ValueType = "DATE-TIME"
	TypeDuration   ValueType = "DURATION"
	TypeFloat      ValueType = "FLOAT"
	TypeInteger    ValueType = "INTEGER"
	TypePeriod     ValueType = "PERIOD"
	TypeRecur      ValueType = "RECUR"
	TypeText       ValueType = "TEXT"
	TypeTime       ValueType = "TIME"
	TypeURI        ValueType = "URI"
	TypeUTCOffset  ValueType = "UTC-OFFSET"
	// TypeUnknown is the type of X- and unknown IANA properties whose VALUE
	// is not given: their value is kept as written.
	TypeUnknown ValueType = "UNKNOWN"
)

// PropInfo describes a property known by name.
type PropInfo struct {
	// Default is the value type used when VALUE is absent.
	Default ValueType
	// Alt lists the other value types VALUE may select.
	Alt []ValueType
	// List is true when the value is a comma-separated list
	// (CATEGORIES, RESOURCES, RDATE, EXDATE, FREEBUSY, …).
	List bool
	// Structured is true for semicolon-structured values (GEO,
	// REQUEST-STATUS) whose separators are not TEXT escapes.
	Structured bool
}

var propInfo = map[string]PropInfo{
	PropCalScale:        {Default: TypeText},
	PropMethod:          {Default: TypeText},
	PropProdID:          {Default: TypeText},
	PropVersion:         {Default: TypeText},
	PropAttach:          {Default: TypeURI, Alt: []ValueType{TypeBinary}},
	PropCategories:      {Default: TypeText, List: true},
	PropClass:           {Default: TypeText},
	PropComment:         {Default: TypeText},
	PropDescription:     {Default: TypeText},
	PropGeo:             {Default: TypeFloat, Structured: true},
	PropLocation:        {Default: TypeText},
	PropPercentComplete: {Default: TypeInteger},
	PropPriority:        {Default: TypeInteger},
	PropResources:       {Default: TypeText, List: true},
	PropStatus:          {Default: TypeText},
	PropSummary:         {Default: TypeText},
	PropCompleted:       {Default: TypeDateTime},
	PropDTEnd:           {Default: TypeDateTime, Alt: []ValueType{TypeDate}},
	PropDue:             {Default: TypeDateTime, Alt: []ValueType{TypeDate}},
	PropDTStart:         {Default: TypeDateTime, Alt: []ValueType{TypeDate}},
	PropDuration:        {Default: TypeDuration},
	PropFreeBusy:        {Default: TypePeriod, List: true},
	PropTransp:          {Default: TypeText},
	PropTZID:            {Default: TypeText},
	PropTZName:          {Default: TypeText},
	PropTZOffsetFrom:    {Default: TypeUTCOffset},
	PropTZOffsetTo:      {Default: TypeUTCOffset},
	PropTZURL:           {Default: TypeURI},
	PropAttendee:        {Default: TypeCalAddress},
	PropContact:         {Default: TypeText},
	PropOrganizer:       {Default: TypeCalAddress},
	PropRecurrenceID:    {Default: TypeDateTime, Alt: []ValueType{TypeDate}},
	PropRelatedTo:       {Default: TypeText},
	PropURL:             {Default: TypeURI},
	PropUID:             {Default: TypeText},
	PropExDate:          {Default: TypeDateTime, Alt: []ValueType{TypeDate}, List: true},
	PropRDate:           {Default: TypeDateTime, Alt: []ValueType{TypeDate, TypePeriod}, List: true},
	PropRRule:           {Default: TypeRecur},
	PropExRule:          {Default: TypeRecur},
	PropAction:          {Default: TypeText},
	PropRepeat:          {Default: TypeInteger},
	PropTrigger:         {Default: TypeDuration, Alt: []ValueType{TypeDateTime}},
	PropCreated:         {Default: TypeDateTime},
	PropDTStamp:         {Default: TypeDateTime},
	PropLastModified:    {Default: TypeDateTime},
	PropSequence:        {Default: TypeInteger},
	PropRequestStatus:   {Default: TypeText, Structured: true},
	PropName:            {Default: TypeText},
	PropRefreshInterval: {Default: TypeDuration},
	PropSource:          {Default: TypeURI},
	PropColor:           {Default: TypeText},
	PropImage:           {Default: TypeURI, Alt: []ValueType{TypeBinary}},
	PropConference:      {Default: TypeURI},
	PropBusyType:        {Default: TypeText},
	PropAcknowledged:    {Default: TypeDateTime},
	PropProximity:       {Default: TypeText},
}

// LookupProp returns what is known of the named property (upper case).
func LookupProp(name string) (PropInfo, bool) {
	pi, ok := propInfo[name]
	return pi, ok
}

// ValueType returns the value type of p: its VALUE parameter, else the
// default of a known property, else TypeUnknown.
func (p *Property) ValueType() ValueType {
	if v := p.Params.Get(ParamValue); v != "" {
		return ValueType(asciiUpper(v))
	}
	if pi, ok := propInfo[p.Name]; ok {
		return pi.Default
	}
	return TypeUnknown
}

// asciiUpper returns s in upper case, without allocating if it already is.
func asciiUpper(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'a' <= c && c <= 'z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				b[j] = upper(b[j])
			}
			return string(b)
		}
	}
	return s
}
