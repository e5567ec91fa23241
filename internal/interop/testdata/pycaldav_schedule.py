# SPDX-License-Identifier: MIT
# Copyright the Almanac authors.
#
# Drives the scheduling calls of python3-caldav (Debian's package, RFC 6638)
# as two users of one CalDAV server, ann the organizer and bob the attendee,
# and prints one JSON object on stdout: for each step, {"ok": true,
# ...results} or {"ok": false, "error": "..."}, plus the log of every HTTP
# exchange. The Go test (pycaldav_schedule_test.go) decides what is right;
# this script only reports.
#
# Usage: /usr/bin/python3 pycaldav_schedule.py BASE_URL ANN_PASSWORD BOB_PASSWORD

import json
import sys
import traceback
from datetime import datetime, timezone

import caldav
import icalendar

BASE, ANN_PASSWORD, BOB_PASSWORD = sys.argv[1:4]

UID = "pycaldav-schedule@example.org"
# A UID with characters a URL must escape: a space, a colon and a slash,
# which python3-caldav writes %2F and then escapes again.
AWKWARD_UID = "pycaldav/schedule 2:awkward@example.org"
BOB = "mailto:bob@example.org"

# The meetings: Tuesday 2 March 2027, 14:00-15:00 UTC, and the day after.
# The library adds the ORGANIZER (from ann's principal) and the ATTENDEE.
MEETING = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Almanac//interop//EN
BEGIN:VEVENT
UID:%s
DTSTAMP:20270201T000000Z
DTSTART:%s
DTEND:%s
SUMMARY:Scheduled by python3-caldav
END:VEVENT
END:VCALENDAR
"""

FB_START = datetime(2027, 3, 2, tzinfo=timezone.utc)
FB_END = datetime(2027, 3, 3, tzinfo=timezone.utc)

out = {"steps": {}, "http": []}
state = {}


def logger(user):
    def log_response(r, *args, **kwargs):
        req = r.request
        entry = {
            "user": user,
            "method": req.method,
            "url": req.url,
            "status": r.status_code,
            "auth": "Authorization" in req.headers,
            "request_headers": {k: v for k, v in req.headers.items()
                                if k.lower() in ("if-match", "if-none-match", "if-schedule-tag-match",
                                                 "schedule-reply", "content-type")},
            "response_headers": {k: v for k, v in r.headers.items()
                                 if k.lower() in ("etag", "schedule-tag", "content-type")},
        }
        if req.method in ("PUT", "POST", "DELETE"):
            body = req.body
            if isinstance(body, bytes):
                body = body.decode("utf-8", "replace")
            entry["request_body"] = (body or "")[:4000]
        if r.status_code >= 400 or req.method in ("POST", "PUT", "DELETE"):
            entry["body"] = r.text[:4000]
        out["http"].append(entry)
    return log_response


def step(name):
    def run(fn):
        first = len(out["http"])
        try:
            res = fn() or {}
            res["ok"] = True
        except Exception as e:
            res = {"ok": False, "error": "%s: %s" % (type(e).__name__, e),
                   "traceback": traceback.format_exc()[-3000:]}
        res["exchanges"] = ["%s %s %s -> %d" % (h["user"], h["method"], path(h["url"]), h["status"])
                            for h in out["http"][first:]]
        out["steps"][name] = res
        return fn
    return run


def path(url):
    return str(caldav.lib.url.URL.objectify(url).path)


def uids(obj):
    return [str(c.get("UID")) for c in icalendar.Calendar.from_ical(obj.data).walk("VEVENT")]


def attendee_params(data, addr):
    """The parameters of addr's ATTENDEE in the first VEVENT of data."""
    cal = icalendar.Calendar.from_ical(data)
    for c in cal.walk("VEVENT"):
        atts = c.get("ATTENDEE")
        if atts is None:
            continue
        if not isinstance(atts, list):
            atts = [atts]
        for a in atts:
            if str(a).lower() == addr:
                return {k.upper(): str(v) for k, v in a.params.items()}
    return None


def items(mailbox):
    """Every item of a scheduling inbox: its URL, METHOD and UID, whether
    the library calls it an invitation, and bob's PARTSTAT in it."""
    res = []
    for it in mailbox.get_items():
        cal = icalendar.Calendar.from_ical(it.data)
        found = uids(it)
        res.append({"url": path(it.url), "method": str(cal.get("METHOD")),
                    "uid": found[0] if found else None,
                    "invite": it.is_invite_request(),
                    "bob": (attendee_params(it.data, BOB) or {}).get("PARTSTAT")})
    return res


def client(user, password):
    c = caldav.DAVClient(url=BASE, username=user, password=password, timeout=20)
    c.session.hooks["response"].append(logger(user))
    return c


def default_calendar(principal):
    for c in principal.calendars():
        if path(c.url).endswith("/calendar/"):
            return c
    raise LookupError("no default calendar among %s" % [path(c.url) for c in principal.calendars()])


ann = client("ann", ANN_PASSWORD)
bob = client("bob", BOB_PASSWORD)


@step("discovery")
def _():
    state["ann"] = ann.principal()
    state["bob"] = bob.principal()
    state["ann_cal"] = default_calendar(state["ann"])
    state["bob_cal"] = default_calendar(state["bob"])
    return {"auto_schedule": bool(ann.check_scheduling_support()),
            "addresses": state["ann"].calendar_user_address_set(),
            "inbox": path(state["ann"].schedule_inbox().url),
            "outbox": path(state["ann"].schedule_outbox().url),
            "bob_inbox": path(state["bob"].schedule_inbox().url)}


def invite(uid, start, end):
    obj = state["ann_cal"].save_with_invites(MEETING % (uid, start, end), [BOB])
    copy = state["ann_cal"].event_by_uid(uid)
    cal = icalendar.Calendar.from_ical(copy.data)
    return {"url": path(obj.url), "organizer": str(cal.walk("VEVENT")[0].get("ORGANIZER")),
            "bob": attendee_params(copy.data, BOB)}


def accept(uid):
    invite = None
    for it in state["bob"].schedule_inbox().get_items():
        if it.is_invite_request() and uid in uids(it):
            invite = it
    if invite is None:
        raise LookupError("no invitation for %s in bob's inbox" % uid)
    first = len(out["http"])
    invite.accept_invite(calendar=state["bob_cal"])
    puts = [{"url": path(h["url"]), "status": h["status"], "headers": h["request_headers"]}
            for h in out["http"][first:] if h["method"] in ("PUT", "POST")]
    copy = state["bob_cal"].event_by_uid(uid)
    return {"copy_url": path(copy.url), "copy_bob": (attendee_params(copy.data, BOB) or {}).get("PARTSTAT"),
            "copies": len([o for o in state["bob_cal"].events() if uid in uids(o)]),
            "writes": puts}


@step("invite")
def _():
    return invite(UID, "20270302T140000Z", "20270302T150000Z")


@step("bob_inbox")
def _():
    res = items(state["bob"].schedule_inbox())
    copy = state["bob_cal"].event_by_uid(UID)
    return {"items": res, "copy_url": path(copy.url), "copy_bob": (attendee_params(copy.data, BOB) or {}).get("PARTSTAT")}


@step("accept")
def _():
    return accept(UID)


@step("organizer_copy")
def _():
    copy = state["ann_cal"].event_by_uid(UID)
    return {"bob": attendee_params(copy.data, BOB)}


@step("ann_inbox")
def _():
    return {"items": items(state["ann"].schedule_inbox())}


@step("freebusy")
def _():
    first = len(out["http"])
    got = state["ann"].freebusy_request(FB_START, FB_END, [BOB])
    posts = [h for h in out["http"][first:] if h["method"] == "POST"]
    return {"returned": repr(got),
            "post_status": posts[-1]["status"] if posts else None,
            "post_body": posts[-1].get("body") if posts else None,
            "request_body": posts[-1].get("request_body") if posts else None}


@step("cancel")
def _():
    state["ann_cal"].event_by_uid(UID).delete()
    copy = state["bob_cal"].event_by_uid(UID)
    cal = icalendar.Calendar.from_ical(copy.data)
    return {"status": str(cal.walk("VEVENT")[0].get("STATUS")),
            "bob_items": items(state["bob"].schedule_inbox())}


@step("awkward_uid")
def _():
    res = {"invite": invite(AWKWARD_UID, "20270303T140000Z", "20270303T150000Z"),
           "accept": accept(AWKWARD_UID)}
    res["organizer_bob"] = attendee_params(state["ann_cal"].event_by_uid(AWKWARD_UID).data, BOB)
    return res


json.dump(out, sys.stdout, indent=1)
