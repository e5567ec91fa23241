# SPDX-License-Identifier: MIT
# Copyright the Almanac authors.
#
# Drives python3-caldav (Debian's package) against a CalDAV server and prints
# one JSON object on stdout: for each step, {"ok": true, ...results} or
# {"ok": false, "error": "..."}, plus the log of every HTTP exchange. The Go
# test (pycaldav_test.go) decides what is right; this script only reports.
#
# Usage: /usr/bin/python3 pycaldav.py BASE_URL USER PASSWORD

import json
import sys
import traceback
from datetime import datetime, timezone

import caldav
import icalendar

BASE, USER, PASSWORD = sys.argv[1:4]

# The search window: the week of 2026-06-01 (UTC).
WIN_START = datetime(2026, 6, 1, tzinfo=timezone.utc)
WIN_END = datetime(2026, 6, 8, tzinfo=timezone.utc)

SINGLE = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Almanac//interop//EN
BEGIN:VEVENT
UID:pycaldav-single
DTSTAMP:20260501T000000Z
DTSTART:20260602T100000Z
DTEND:20260602T110000Z
SUMMARY:Single
END:VEVENT
END:VCALENDAR
"""

# Five daily instances; the third is moved from 09:00 to 15:00.
RECURRING = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Almanac//interop//EN
BEGIN:VEVENT
UID:pycaldav-recurring
DTSTAMP:20260501T000000Z
DTSTART:20260601T090000Z
DTEND:20260601T093000Z
RRULE:FREQ=DAILY;COUNT=5
SUMMARY:Daily
END:VEVENT
BEGIN:VEVENT
UID:pycaldav-recurring
DTSTAMP:20260501T000000Z
RECURRENCE-ID:20260603T090000Z
DTSTART:20260603T150000Z
DTEND:20260603T153000Z
SUMMARY:Daily (moved)
END:VEVENT
END:VCALENDAR
"""

ALLDAY = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Almanac//interop//EN
BEGIN:VEVENT
UID:pycaldav-allday
DTSTAMP:20260501T000000Z
DTSTART;VALUE=DATE:20260604
DTEND;VALUE=DATE:20260605
SUMMARY:All day
END:VEVENT
END:VCALENDAR
"""

# Weekly at 18:00 Berlin time (16:00 UTC in summer): one instance in the window.
ZONED = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Almanac//interop//EN
BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
UID:pycaldav-zoned
DTSTAMP:20260501T000000Z
DTSTART;TZID=Europe/Berlin:20260605T180000
DTEND;TZID=Europe/Berlin:20260605T190000
RRULE:FREQ=WEEKLY;COUNT=3
SUMMARY:Zoned
END:VEVENT
END:VCALENDAR
"""

TODO = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Almanac//interop//EN
BEGIN:VTODO
UID:pycaldav-todo
DTSTAMP:20260501T000000Z
SUMMARY:Pending task
STATUS:NEEDS-ACTION
DUE:20260610T170000Z
END:VTODO
END:VCALENDAR
"""

TODO_DONE = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Almanac//interop//EN
BEGIN:VTODO
UID:pycaldav-todo-done
DTSTAMP:20260501T000000Z
SUMMARY:Finished task
STATUS:COMPLETED
COMPLETED:20260502T080000Z
END:VTODO
END:VCALENDAR
"""

JOURNAL = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Almanac//interop//EN
BEGIN:VJOURNAL
UID:pycaldav-journal
DTSTAMP:20260501T000000Z
DTSTART;VALUE=DATE:20260601
SUMMARY:Notes
DESCRIPTION:Written by python3-caldav.
END:VJOURNAL
END:VCALENDAR
"""

ADDED = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Almanac//interop//EN
BEGIN:VEVENT
UID:pycaldav-added
DTSTAMP:20260501T000000Z
DTSTART:20260607T100000Z
DTEND:20260607T110000Z
SUMMARY:Added after the first sync
END:VEVENT
END:VCALENDAR
"""

out = {"steps": {}, "http": []}
state = {}


def log_response(r, *args, **kwargs):
    entry = {
        "method": r.request.method,
        "url": r.request.url,
        "status": r.status_code,
        "auth": "Authorization" in r.request.headers,
    }
    if r.status_code >= 400 or r.request.method == "REPORT":
        entry["body"] = r.text[:2000]
    out["http"].append(entry)


def step(name):
    def run(fn):
        try:
            res = fn() or {}
            res["ok"] = True
        except Exception as e:
            res = {"ok": False, "error": "%s: %s" % (type(e).__name__, e),
                   "traceback": traceback.format_exc()[-3000:]}
        out["steps"][name] = res
        return fn
    return run


def path(url):
    return str(caldav.lib.url.URL.objectify(url).path)


def ical_value(prop):
    """The iCalendar text of a property value; the first one of a list."""
    if prop is None:
        return None
    if isinstance(prop, list):
        prop = prop[0]
    return prop.to_ical().decode()


def components(obj, names=("VEVENT", "VTODO", "VJOURNAL")):
    cal = icalendar.Calendar.from_ical(obj.data)
    return [c for c in cal.walk() if c.name in names]


client = caldav.DAVClient(url=BASE, username=USER, password=PASSWORD, timeout=20)
client.session.hooks["response"].append(log_response)


@step("principal")
def _():
    p = client.principal()
    state["principal"] = p
    return {"url": path(p.url), "home": path(p.calendar_home_set.url)}


@step("calendars")
def _():
    return {"urls": [path(c.url) for c in state["principal"].calendars()]}


@step("make_calendar")
def _():
    cal = state["principal"].make_calendar(name="Interop", cal_id="interop")
    state["cal"] = cal
    return {"url": path(cal.url),
            "listed": [path(c.url) for c in state["principal"].calendars()],
            "displayname": cal.get_display_name()}


@step("save")
def _():
    cal = state["cal"]
    saved = {}
    for name, data, save in [
        ("single", SINGLE, cal.save_event),
        ("recurring", RECURRING, cal.save_event),
        ("allday", ALLDAY, cal.save_event),
        ("zoned", ZONED, cal.save_event),
        ("todo", TODO, cal.save_todo),
        ("todo_done", TODO_DONE, cal.save_todo),
        ("journal", JOURNAL, cal.save_journal),
    ]:
        obj = save(data)
        state[name] = obj
        saved[name] = path(obj.url)
    # Read back through the library: the components and their UIDs survive.
    back = {}
    for name in saved:
        uid = "pycaldav-" + name.replace("_", "-")
        by_uid = {"todo": cal.todo_by_uid, "todo_done": cal.todo_by_uid,
                  "journal": cal.journal_by_uid}.get(name, cal.event_by_uid)
        back[name] = sorted(ical_value(c.get("RECURRENCE-ID")) or "master"
                            for c in components(by_uid(uid)))
    return {"urls": saved, "components": back}


@step("expand")
def _():
    first = len(out["http"])
    found = state["cal"].search(start=WIN_START, end=WIN_END, event=True, expand=True)
    raw = [e.get("body", "") for e in out["http"][first:] if e["method"] == "REPORT"]
    instances = []
    for obj in found:
        for c in components(obj, ("VEVENT",)):
            rid = c.get("RECURRENCE-ID")
            instances.append({
                "uid": str(c.get("UID")),
                "recurrence_id": ical_value(rid),
                "dtstart": ical_value(c.get("DTSTART")),
                "summary": str(c.get("SUMMARY")),
            })
    return {"instances": instances,
            "server_sent_rrule": any("RRULE" in b for b in raw),
            "report_status": [e["status"] for e in out["http"][first:] if e["method"] == "REPORT"]}


@step("todos")
def _():
    return {"pending": sorted(str(c.get("UID")) for t in state["cal"].todos() for c in components(t)),
            "all": sorted(str(c.get("UID")) for t in state["cal"].todos(include_completed=True)
                          for c in components(t)),
            "journals": sorted(str(c.get("UID")) for j in state["cal"].journals() for c in components(j))}


@step("sync")
def _():
    cal = state["cal"]
    coll = cal.objects_by_sync_token(load_objects=True)
    initial = sorted(path(o.url) for o in coll)
    token0 = coll.sync_token
    state["token0"] = token0
    # One change, one deletion, one addition.
    single = state["single"]
    single.icalendar_component["SUMMARY"] = "Single (edited)"
    single.save()
    state["journal"].delete()
    cal.save_event(ADDED)
    updated, deleted = coll.sync()
    delta = cal.objects_by_sync_token(token0)
    again = cal.objects_by_sync_token(coll.sync_token)
    return {"initial": initial, "token0": token0, "token1": coll.sync_token,
            "updated": sorted(path(o.url) for o in updated),
            "deleted": sorted(path(o.url) for o in deleted),
            "delta_since_token0": sorted(path(o.url) for o in delta),
            "delta_since_token1": sorted(path(o.url) for o in again)}


@step("invalid_sync_token")
def _():
    # A token in no server's format, and one that extends a real token: the
    # server never issued either.
    results = []
    for token in ["http://almanac.invalid/never-issued", state["token0"] + "0000"]:
        first = len(out["http"])
        try:
            got = state["cal"].objects_by_sync_token(token)
            raised = None
            count = len(list(got))
        except Exception as e:
            raised = "%s: %s" % (type(e).__name__, e)
            count = None
        reports = [e for e in out["http"][first:] if e["method"] == "REPORT"]
        results.append({"token": token, "raised": raised, "count": count,
                        "status": reports[-1]["status"] if reports else None,
                        "body": reports[-1].get("body", "") if reports else None})
    return {"tokens": results}


@step("freebusy")
def _():
    # The library hands back the body as it came; icalendar 4.0 cannot read
    # a FREEBUSY with several periods, so the Go test parses it.
    fb = state["cal"].freebusy_request(WIN_START, WIN_END)
    data = fb.data
    return {"data": data if isinstance(data, str) else data.decode()}


# python3-caldav names an object after its UID, quoting a "/" as %2F and
# then quoting the result again (client-quirks §2).
SLASH = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Almanac//interop//EN
BEGIN:VEVENT
UID:pycaldav/slash@example.org
DTSTAMP:20260501T000000Z
DTSTART:20260701T100000Z
DTEND:20260701T110000Z
SUMMARY:Slash in the UID
END:VEVENT
END:VCALENDAR
"""


@step("slash_uid")
def _():
    cal = state["cal"]
    obj = cal.save_event(SLASH)
    by_uid = cal.event_by_uid("pycaldav/slash@example.org")
    by_url = cal.event_by_url(obj.url)
    res = {"url": path(obj.url), "found_at": path(by_uid.url),
           "uids": [str(c.get("UID")) for c in components(by_uid) + components(by_url)]}
    by_url.delete()
    try:
        cal.event_by_uid("pycaldav/slash@example.org")
        res["gone"] = False
    except caldav.error.NotFoundError:
        res["gone"] = True
    return res


@step("delete")
def _():
    cal = state["cal"]
    state["single"].delete()
    try:
        cal.event_by_uid("pycaldav-single")
        gone = False
    except caldav.error.NotFoundError:
        gone = True
    cal.delete()
    return {"event_gone": gone,
            "calendars_after": [path(c.url) for c in state["principal"].calendars()]}


json.dump(out, sys.stdout, indent=1)
