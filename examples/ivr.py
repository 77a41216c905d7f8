#!/usr/bin/env python3
"""A small IVR driven over trunkd's API socket (standard library only).

For every call that rings on a trunk group with `inbound = "api"`:

    answer -> play the welcome prompt -> collect one digit
      "1"                 -> play the info prompt, hang up (cause 16)
      "2" or no input     -> transfer: dial --transfer-to on --transfer-tg,
                             wait for the answer, bridge the two calls, and
                             when either ends hang up the other
      anything else       -> play the invalid prompt and ask once more

The caller may hang up at any moment (a `call_cleared` event): the script
notices, tidies up the other leg if there is one, and waits for the next call.
Refused requests (error replies) are printed and handled the same way.

Prompts are file names under trunkd's `[media] prompt_dir`.

    python3 examples/ivr.py --socket /tmp/trunkd.sock --trunk-group pstn \\
        --transfer-tg agents --transfer-to 4000
"""

import argparse
import sys
import time

from trunkd_api import DEFAULT_SOCKET, ApiError, ConnectionLost, Trunkd

# Q.850 cause 16: normal call clearing.
NORMAL_CLEARING = 16


def say(call, text):
    """One line per step, flushed at once so that a pipe sees it."""
    stamp = time.strftime("%H:%M:%S")
    print(f"{stamp} call {call}: {text}", flush=True)


class CallEnded(Exception):
    """A leg of the call we are handling was cleared."""

    def __init__(self, event):
        super().__init__(f"call {event.get('call')} cleared")
        self.event = event


def cause_text(ev):
    """'cause 16 (normal call clearing) by remote' from a call record."""
    return f"cause {ev.get('cause')} ({ev.get('cause_text')}) by {ev.get('cleared_by')}"


class Ivr:
    """The menu logic for one call at a time, on one control connection."""

    def __init__(self, api, args):
        self.api = api
        self.args = args
        # The legs of the call in hand: the caller and, during a transfer,
        # the outbound call. A call_cleared for either ends the menu.
        self.legs = set()

    # -- waiting for events ------------------------------------------------

    def wait_for(self, what, match, timeout):
        """The first event `match` accepts. Raises CallEnded when one of our
        legs is cleared first, TimeoutError after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            ev = self.api.next_event(timeout=max(left, 0))
            if ev is None:
                raise TimeoutError(f"no {what} within {timeout:.0f} s")
            if match(ev):
                return ev
            if ev.get("event") == "call_cleared" and ev.get("call") in self.legs:
                raise CallEnded(ev)
            # Anything else (other calls, older media) is not ours: skip it.

    def cleared_leg(self, timeout=1.0):
        """The call_cleared event of one of our legs if it comes within
        `timeout` seconds, else None."""
        try:
            self.wait_for("call_cleared", lambda ev: False, timeout)
        except CallEnded as e:
            return e.event
        except TimeoutError:
            return None
        return None

    def media_done(self, kind, media_id, timeout):
        """Wait for `play_done`/`collect_done` of the request `media_id`."""
        return self.wait_for(
            kind,
            lambda ev: ev.get("event") == kind and ev.get("media_id") == media_id,
            timeout,
        )

    # -- steps ---------------------------------------------------------------

    def play(self, call, prompt):
        """Play one prompt to the end (or until a digit barges in)."""
        say(call, f"playing {prompt}")
        try:
            r = self.api.request("play", call=call, prompts=[prompt], barge_in=True)
        except ApiError as e:
            if e.code != "invalid_argument":
                raise
            # A missing or bad prompt file is no reason to drop the caller.
            say(call, f"cannot play {prompt}: {e.message}")
            return
        done = self.media_done("play_done", r["media_id"], r.get("duration_ms", 0) / 1000 + 10)
        say(call, f"{prompt}: {done.get('reason')} after {done.get('played_ms')} ms")

    def collect_digit(self, call):
        """One DTMF digit, or '' when the caller pressed nothing in time.
        Digits pressed during the prompt wait in the type-ahead buffer."""
        a = self.args
        r = self.api.request(
            "collect",
            call=call,
            max_digits=1,
            first_timeout_ms=a.digit_timeout_ms,
            inter_digit_timeout_ms=a.digit_timeout_ms,
        )
        done = self.media_done("collect_done", r["media_id"], a.digit_timeout_ms / 1000 + 10)
        digits = done.get("digits", "")
        say(call, f"collected {digits!r} ({done.get('reason')})")
        return digits

    def hangup(self, call, cause=NORMAL_CLEARING):
        """Clear a call. Never fails: a call that is already gone is fine,
        and anything else is only worth a line in the log."""
        try:
            self.api.request("hangup", call=call, cause=cause)
            say(call, f"hung up with cause {cause}")
        except ApiError as e:
            if e.code == "no_such_call":
                say(call, "already gone")
            else:
                say(call, f"hangup refused: {e.code}: {e.message}")

    # -- the call flow -------------------------------------------------------

    def handle(self, incoming):
        """Take one ringing call through the menu."""
        call = incoming["call"]
        say(
            call,
            f"incoming from {incoming.get('ani') or '-'} to {incoming.get('dnis')} "
            f"on span {incoming.get('span')} B{incoming.get('channel')}",
        )
        self.legs = {call}
        try:
            self.answer(call)
            self.menu(call)
        except CallEnded as e:
            gone = e.event
            say(gone["call"], f"cleared, {cause_text(gone)}")
            # Whichever leg ended, the other one goes too.
            for leg in self.legs - {gone["call"]}:
                self.hangup(leg)
        except ApiError as e:
            # Most often the call went away just before the request (its
            # call_cleared is on the way and tells why); otherwise trunkd
            # refused a step: give up on this call, politely.
            gone = self.cleared_leg()
            if gone is not None:
                say(gone["call"], f"cleared, {cause_text(gone)}")
            else:
                say(call, f"refused: {e}")
            for leg in self.legs - {gone["call"] if gone else None}:
                self.hangup(leg)
        except TimeoutError as e:
            say(call, f"gave up: {e}")
            for leg in self.legs:
                self.hangup(leg)
        finally:
            self.legs = set()

    def answer(self, call):
        """Answer and wait until the call is connected."""
        try:
            self.api.request("answer", call=call)
        except ApiError as e:
            if e.code != "wrong_state":
                raise
            # The trunk group answers calls itself (inbound = "answer"):
            # carry on with the call as it is.
            say(call, "already answered by its trunk group")
            return
        self.wait_for(
            "call_answered",
            lambda ev: ev.get("event") == "call_answered" and ev.get("call") == call,
            self.args.step_timeout,
        )
        say(call, "answered")

    def menu(self, call):
        """Welcome, one digit, branch; an invalid digit gets one more try."""
        for attempt in (1, 2):
            self.play(call, self.args.welcome)
            digit = self.collect_digit(call)
            if digit == "1":
                self.play(call, self.args.info)
                self.hangup(call)
                return
            if digit in ("2", ""):
                self.transfer(call)
                return
            self.play(call, self.args.invalid)
            if attempt == 2:
                say(call, "two invalid choices")
                self.hangup(call)

    def transfer(self, call):
        """Dial the transfer number, bridge on answer, wait for either end."""
        a = self.args
        try:
            r = self.api.request(
                "dial", trunk_group=a.transfer_tg, number=a.transfer_to, **self.from_number()
            )
        except ApiError as e:
            say(call, f"transfer failed: {e.code}: {e.message}")
            self.hangup(call)
            return
        leg = r["call"]
        self.legs.add(leg)
        say(call, f"transferring to {a.transfer_to} on {a.transfer_tg}: call {leg}")
        try:
            self.wait_for(
                "call_answered",
                lambda ev: ev.get("event") == "call_answered" and ev.get("call") == leg,
                a.ring_timeout,
            )
        except CallEnded as e:
            if e.event["call"] != leg:
                raise
            # The transfer target refused (busy, no answer...): drop the caller.
            say(leg, f"not answered, {cause_text(e.event)}")
            self.legs.discard(leg)
            self.hangup(call)
            return
        say(leg, "answered")
        bridge = self.api.request("bridge", call=call, **{"with": {"call": leg}})
        say(call, f"bridged with call {leg} ({bridge.get('conference')})")
        # Now we only wait: wait_for raises CallEnded when either side clears.
        self.wait_for("the end of the call", lambda ev: False, a.max_call_s)

    def from_number(self):
        """The calling number to present on the transfer, if configured."""
        return {"from": self.args.transfer_from} if self.args.transfer_from else {}


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--socket", default=DEFAULT_SOCKET, help="trunkd's API socket")
    p.add_argument("--trunk-group", required=True, help="answer calls ringing on this trunk group")
    p.add_argument("--transfer-tg", required=True, help="trunk group to dial the transfer on")
    p.add_argument("--transfer-to", required=True, help="number to transfer callers to")
    p.add_argument("--transfer-from", default="", help="calling number on the transfer")
    p.add_argument("--welcome", default="welcome", help="welcome / menu prompt")
    p.add_argument("--info", default="info", help="prompt for choice 1")
    p.add_argument("--invalid", default="invalid", help="prompt for an invalid choice")
    p.add_argument("--digit-timeout-ms", type=int, default=5000, help="wait for a digit")
    p.add_argument("--ring-timeout", type=float, default=30, help="seconds the transfer may ring")
    p.add_argument("--step-timeout", type=float, default=10, help="seconds for any other step")
    p.add_argument("--max-call-s", type=float, default=3600, help="longest bridged call")
    p.add_argument("--calls", type=int, default=0, help="exit after this many calls (0: never)")
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    try:
        # Two connections: `ring` only hears calls arriving on our trunk
        # group (subscribe filters are all applied together, so one
        # subscription cannot also cover the transfer leg and media events);
        # `control` carries the requests and the events of the calls in hand.
        ring = Trunkd(args.socket)
        control = Trunkd(args.socket)
        ring.request("subscribe", events=["call_incoming"], trunk_group=args.trunk_group)
        control.request(
            "subscribe", events=["call_answered", "call_cleared", "play_done", "collect_done"]
        )
    except (OSError, ConnectionLost, ApiError) as e:
        print(f"ivr: {args.socket}: {e}", file=sys.stderr)
        return 1
    print(f"ivr: {ring.server}, waiting for calls on trunk group {args.trunk_group}", flush=True)
    ivr = Ivr(control, args)
    handled = 0
    try:
        while args.calls == 0 or handled < args.calls:
            # Calls that rang while we were busy wait in `ring`'s queue; by
            # now some may have gone, which `answer` will tell us.
            incoming = ring.next_event()
            if incoming.get("event") != "call_incoming":
                continue
            ivr.handle(incoming)
            handled += 1
            say(incoming["call"], f"done ({handled} handled)")
    except ConnectionLost as e:
        print(f"ivr: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
