module github.com/almanac-project/almanac/bench

go 1.26.0

require (
	github.com/almanac-project/almanac v0.0.0
	github.com/arran4/golang-ical v0.3.4
	github.com/emersion/go-ical v0.0.0-20250609112844-439c63cef608
	github.com/teambition/rrule-go v1.8.2
)

replace github.com/almanac-project/almanac => ../
