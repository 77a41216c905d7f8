#!/usr/bin/env python3
"""Print trunkd's events as they happen, one compact line each.

    python3 examples/event_tail.py --socket /tmp/trunkd.sock --events 'call_*'
    python3 examples/event_tail.py --trunk-group pstn --count 10
    python3 examples/event_tail.py --span 1 --events link,restart,protocol_error

Filters are trunkd's own (docs/api.md, `subscribe`): an event is shown when it
matches all of them; `--events` takes kinds, comma-separated or repeated, and a
kind ending in `*` matches a prefix. When this reader falls behind, trunkd
drops events for it and says so on the next one (`dropped_before`): that is
reported as a line of its own and counted in the summary at the end.
"""

import argparse
import sys
import time

from trunkd_api import DEFAULT_SOCKET, ApiError, ConnectionLost, Trunkd

# Fields worth a place on the line, by kind of event, in order. Call events
# (call_*) all carry the call record; media events carry `media_id`.
CALL_FIELDS = ("span", "channel", "direction", "ani", "dnis", "state")
FIELDS = {
    "call_cleared": CALL_FIELDS + ("cause", "cause_text", "cleared_by"),
    "link": ("span", "state"),
    "restart": ("span", "channel", "remote"),
    "protocol_error": ("span", "message", "cause"),
    "digit": ("span", "timeslot", "digit"),
    "digit_end": ("span", "timeslot", "digit", "duration_ms"),
    "play_done": ("span", "timeslot", "media_id", "reason", "digit", "played_ms"),
    "collect_done": ("span", "timeslot", "media_id", "digits", "reason", "terminator"),
    "dtmf_sent": ("span", "timeslot", "media_id", "stopped"),
    "record_done": ("span", "timeslot", "media_id", "reason", "duration_ms", "path"),
    "record_failed": ("span", "timeslot", "media_id", "path", "error"),
    "tone_done": ("span", "timeslot", "media_id", "stopped"),
    "tone_detected": ("span", "timeslot", "tone"),
}
# Never shown for unknown kinds: bulky or already on the line.
SKIP = {"event", "call", "dropped_before", "started_ms", "answered_ms", "ended_ms", "hex"}


def fields_of(ev):
    """The (name, value) pairs to show for one event."""
    kind = ev.get("event", "?")
    names = FIELDS.get(kind)
    if names is None and kind.startswith("call_"):
        names = CALL_FIELDS
    if names is None:
        # A kind this script does not know (new ones may appear): show
        # every scalar field, so nothing is hidden.
        names = [k for k, v in ev.items() if k not in SKIP and not isinstance(v, (dict, list))]
    return [(n, ev[n]) for n in names if ev.get(n) not in (None, "")]


def format_event(ev, now=None):
    """`12:00:01.234 call_cleared     call=7 span=1 ... cause=16 ...`"""
    now = time.time() if now is None else now
    stamp = time.strftime("%H:%M:%S", time.localtime(now)) + f".{int(now * 1000) % 1000:03d}"
    call = ev.get("call")
    parts = [stamp, f"{ev.get('event', '?'):<16}", f"call={call if call is not None else '-'}"]
    for name, value in fields_of(ev):
        if isinstance(value, str) and (" " in value or value == ""):
            value = repr(value)
        parts.append(f"{name}={value}")
    return " ".join(parts)


def event_kinds(values):
    """`--events a,b --events c` as ['a', 'b', 'c']."""
    kinds = []
    for v in values or []:
        kinds += [k.strip() for k in v.split(",") if k.strip()]
    return kinds


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--socket", default=DEFAULT_SOCKET, help="trunkd's API socket")
    p.add_argument("--events", action="append", help="kinds to show (comma-separated, * suffix)")
    p.add_argument("--trunk-group", help="only events of this trunk group")
    p.add_argument("--call", type=int, help="only events of this call id")
    p.add_argument("--span", type=int, help="only events of this span")
    p.add_argument("--count", type=int, default=0, help="exit after N events (0: never)")
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    # Only the filters given go into the request: trunkd applies each one.
    filters = {}
    kinds = event_kinds(args.events)
    if kinds:
        filters["events"] = kinds
    if args.trunk_group is not None:
        filters["trunk_group"] = args.trunk_group
    if args.call is not None:
        filters["call"] = args.call
    if args.span is not None:
        filters["span"] = args.span
    shown = dropped = 0
    try:
        api = Trunkd(args.socket)
        api.request("subscribe", **filters)
        desc = " ".join(
            f"{k}={','.join(v) if isinstance(v, list) else v}" for k, v in filters.items()
        ) or "everything"
        print(f"# {api.server}: subscribed to {desc}", flush=True)
        while args.count == 0 or shown < args.count:
            ev = api.next_event()
            lost = ev.get("dropped_before")
            if lost:
                dropped += lost
                print(f"# {lost} events dropped by trunkd before the next one "
                      f"(this reader fell behind; {dropped} in all)", flush=True)
            print(format_event(ev), flush=True)
            shown += 1
    except (OSError, ConnectionLost, ApiError) as e:
        print(f"event_tail: {args.socket}: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    print(f"# {shown} events shown, {dropped} dropped by trunkd", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
