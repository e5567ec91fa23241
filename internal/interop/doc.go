// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

// Package interop holds the tests that drive real third-party CalDAV clients
// against a real Almanac server on a loopback port: vdirsyncer and khal,
// python3-caldav, calcurse-caldav, cadaver, and python-requests for the
// well-known redirect (design/client-quirks.md lists what each client
// expects). The clients are Debian's packages; the Python ones run under
// /usr/bin/python3 so that Debian's modules are found whatever python3 is on
// PATH. The scripts the tests run are in testdata/.
//
// The tests skip unless ALMANAC_TEST_INTEROP=1; when it is set, a missing
// client is a failure, as CI installs them all. The package has no non-test
// code.
package interop
