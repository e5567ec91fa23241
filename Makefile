# Almanac: build, run and test. `make test` is what CI runs (through .ci/run).

GO        ?= go
BIN       := bin/almanac
VERSION   := $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
LDFLAGS   := -X main.version=$(VERSION)
FUZZTIME  ?= 30s

STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.7.0

.PHONY: build run test interop vet lint fmt-check tidy-check fuzz bench check clean

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/almanac

# Starts the server on the embedded store in ./almanac-data. It prints its URL and, on the
# first start, the administrator's one-time password. Ctrl-C stops it.
run: build
	$(BIN) serve --data ./almanac-data

test:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

# Tests against other software (Python iCalendar libraries, real CalDAV clients); CI runs them with make test.
interop:
	ALMANAC_TEST_INTEROP=1 $(GO) test -count=1 -run "Interop|WellKnown" ./...

vet:
	$(GO) vet ./...

lint:
	$(GO) run $(STATICCHECK) ./...
	cd bench && $(GO) run $(STATICCHECK) ./...

fmt-check:
	test -z "$$(gofmt -l .)"

tidy-check:
	$(GO) mod tidy -e -diff

fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzDecode$$' -fuzztime=$(FUZZTIME) ./ical
	$(GO) test -run='^$$' -fuzz='^FuzzJCal$$' -fuzztime=$(FUZZTIME) ./ical
	$(GO) test -run='^$$' -fuzz='^FuzzValidate$$' -fuzztime=$(FUZZTIME) ./ical
	$(GO) test -run='^$$' -fuzz='^FuzzRecur$$' -fuzztime=$(FUZZTIME) ./ical/recur
	$(GO) test -run='^$$' -fuzz='^FuzzVTimezone$$' -fuzztime=$(FUZZTIME) ./ical/tz
	$(GO) test -run='^$$' -fuzz='^FuzzValidate$$' -fuzztime=$(FUZZTIME) ./itip
	$(GO) test -run='^$$' -fuzz='^FuzzProcess$$' -fuzztime=$(FUZZTIME) ./itip
	$(GO) test -run='^$$' -fuzz='^FuzzParseIMIP$$' -fuzztime=$(FUZZTIME) ./imip
	$(GO) test -run='^$$' -fuzz='^FuzzAuthenticate$$' -fuzztime=$(FUZZTIME) ./internal/mailer
	$(GO) test -run='^$$' -fuzz='^FuzzPropfind$$' -fuzztime=$(FUZZTIME) ./internal/caldav
	$(GO) test -run='^$$' -fuzz='^FuzzSchedulePost$$' -fuzztime=$(FUZZTIME) ./internal/caldav
	$(GO) test -run='^$$' -fuzz='^FuzzFilter$$' -fuzztime=$(FUZZTIME) ./internal/caldav/caldata
	$(GO) test -run='^$$' -fuzz='^FuzzSchedulingMessage$$' -fuzztime=$(FUZZTIME) ./internal/crisp
	$(GO) test -run='^$$' -fuzz='^FuzzDKIMVerify$$' -fuzztime=$(FUZZTIME) ./internal/crisp
	$(GO) test -run='^$$' -fuzz='^FuzzDKIMCanonicalField$$' -fuzztime=$(FUZZTIME) ./internal/crisp

bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./ical/...
	cd bench && $(GO) test -run='^$$' -bench=. -benchmem -benchtime=3x

check: fmt-check vet lint test

clean:
	rm -rf bin
