# SPDX-License-Identifier: MIT
# Copyright the Almanac authors.
#
# Looks up the current user's principal from /.well-known/caldav (RFC 6764)
# the way python-requests does it: a PROPFIND with a body, redirects followed
# by requests' own rules (a 301 re-sends the PROPFIND without its body, 302
# and 303 turn it into GET, 307 and 308 keep it). Prints one JSON object; the
# Go test (wellknown_test.go) judges it.
#
# Usage: /usr/bin/python3 wellknown.py BASE_URL USER PASSWORD

import json
import sys
import xml.etree.ElementTree as ET

import caldav
import requests

BASE, USER, PASSWORD = sys.argv[1:4]
URL = BASE.rstrip("/") + "/.well-known/caldav"
BODY = """<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:"><D:prop><D:current-user-principal/></D:prop></D:propfind>"""


def propfind(auth):
    r = requests.request("PROPFIND", URL, data=BODY, auth=auth, timeout=20,
                         headers={"Depth": "0", "Content-Type": "text/xml; charset=utf-8"})
    principal = None
    if r.status_code == 207:
        try:
            el = ET.fromstring(r.content).find(".//{DAV:}current-user-principal/{DAV:}href")
            principal = el.text if el is not None else None
        except ET.ParseError:
            pass
    return {
        "redirects": [[h.status_code, h.headers.get("Location")] for h in r.history],
        "status": r.status_code,
        "url": r.url,
        "method": r.request.method,
        "www_authenticate": r.headers.get("WWW-Authenticate"),
        "principal": principal,
        "body": r.text[:2000],
    }


out = {"anonymous": propfind(None), "basic": propfind((USER, PASSWORD))}

# python3-caldav started at the well-known URL: it authenticates after the
# 401 and follows the redirect through python-requests.
try:
    client = caldav.DAVClient(url=URL, username=USER, password=PASSWORD, timeout=20)
    p = client.principal()
    out["caldav"] = {"principal": str(p.url.path),
                     "calendars": [str(c.url.path) for c in p.calendars()]}
except Exception as e:
    out["caldav"] = {"error": "%s: %s" % (type(e).__name__, e)}

json.dump(out, sys.stdout, indent=1)
