"""A minimal client for trunkd's JSON-lines API socket (docs/api.md).

Standard library only (Python 3.9+). Both examples in this folder use it;
copy it into your own scripts as a starting point.

The protocol in four lines:
  * one JSON object per line, both ways; the server greets with a `hello` line;
  * a request is {"id": ..., "cmd": ..., args...};
  * its reply is {"id": ..., "ok": true, "result": {...}} or
    {"id": ..., "ok": false, "error": {"code": ..., "message": ...}};
  * lines with "event" and no "id" are events: they can arrive at any time,
    also between a request and its reply, so they are set aside in a queue.
"""

import collections
import json
import socket
import time

# The API version this client speaks; the server's `hello` must match it.
API_VERSION = 1

# Where trunkd puts its socket when run under systemd.
DEFAULT_SOCKET = "/run/trunkd/trunkd.sock"


class ApiError(Exception):
    """trunkd refused a request (an `ok: false` reply)."""

    def __init__(self, cmd, code, message):
        super().__init__(f"{cmd}: {code}: {message}")
        self.cmd = cmd
        self.code = code
        self.message = message


class ConnectionLost(Exception):
    """The socket closed, or the server sent something that is not JSON."""


class Trunkd:
    """One connection to trunkd: requests, replies and a queue of events."""

    def __init__(self, path, timeout=10.0):
        self.path = path
        # Requests wait at most this long for their reply (trunkd answers
        # call control within 2 s, everything else at once).
        self.timeout = timeout
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.sock.settimeout(timeout)
            self.sock.connect(path)
        except OSError:
            self.sock.close()
            raise
        self._buf = b""
        self._next_id = 1
        # Events that arrived while we were waiting for something else.
        self.events = collections.deque()
        hello = self._read_line(time.monotonic() + timeout)
        if hello is None or hello.get("event") != "hello":
            raise ConnectionLost(f"{path}: no hello from trunkd (got {hello!r})")
        if hello.get("api") != API_VERSION:
            raise ConnectionLost(
                f"{path}: trunkd speaks API {hello.get('api')}, this client {API_VERSION}"
            )
        self.server = hello.get("server", "?")

    def close(self):
        """Close the connection (trunkd forgets its subscription)."""
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- reading -------------------------------------------------------------

    def _read_line(self, deadline):
        """The next line as JSON, or None when `deadline` passed first
        (None deadline: wait for ever)."""
        while b"\n" not in self._buf:
            if deadline is None:
                self.sock.settimeout(None)
            else:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                return None
            except OSError as e:
                raise ConnectionLost(f"{self.path}: {e}") from e
            if not data:
                raise ConnectionLost(f"{self.path}: trunkd closed the connection")
            self._buf += data
        line, _, self._buf = self._buf.partition(b"\n")
        try:
            return json.loads(line)
        except ValueError as e:
            raise ConnectionLost(f"{self.path}: bad JSON from trunkd: {e}") from e

    # -- requests ------------------------------------------------------------

    def request(self, cmd, **args):
        """Send one request and return its `result`; raise ApiError when
        trunkd refuses it. Events read meanwhile are queued in self.events."""
        rid = self._next_id
        self._next_id += 1
        msg = dict(args, id=rid, cmd=cmd)
        try:
            self.sock.sendall(json.dumps(msg).encode() + b"\n")
        except OSError as e:
            raise ConnectionLost(f"{self.path}: {e}") from e
        deadline = time.monotonic() + self.timeout
        while True:
            line = self._read_line(deadline)
            if line is None:
                raise ConnectionLost(f"{cmd}: no reply within {self.timeout} s")
            if "event" in line and "id" not in line:
                self.events.append(line)
                continue
            if line.get("id") != rid:
                # Replies come in request order, so this cannot happen
                # unless someone else shares the connection: skip it.
                continue
            if line.get("ok"):
                return line.get("result", {})
            err = line.get("error") or {}
            raise ApiError(cmd, err.get("code", "?"), err.get("message", ""))

    # -- events --------------------------------------------------------------

    def next_event(self, timeout=None):
        """The next event (queued ones first), or None after `timeout`
        seconds (None: wait for ever)."""
        if self.events:
            return self.events.popleft()
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            line = self._read_line(deadline)
            if line is None:
                return None
            if "event" in line and "id" not in line:
                return line
            # A stray reply (to nobody): ignore it.
