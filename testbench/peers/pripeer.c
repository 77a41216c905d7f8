/*
 * pripeer: Debian's libpri as the far end of a trunkd D-channel.
 *
 * Part of the trunkd testbench. This is our own program; it only uses libpri
 * through its public API (libpri.h).
 *
 * pripeer --socket PATH --role net|cpe --switch euroisdn|ni2
 *         [--answer-delay-ms N] [--auto answer|reject:CAUSE|ring|none]
 *         [--hangup-after-ms N]
 *
 * The D-channel is a SOCK_SEQPACKET Unix socket that we connect to: every
 * datagram is one LAPD frame (address, control, information) without FCS, in
 * both directions.
 *
 * stdout, one line per event, flushed at once, words separated by spaces
 * (ID = our call table index, the lowest free one; N = B-channel, -1 = any):
 *   UP | DOWN                         D-channel (multi-frame) up / down
 *   RING call=ID chan=N ani=D dnis=D complete=0|1   incoming SETUP (chan is
 *                                     the channel we use, 0 = none free)
 *   CALLING call=ID chan=N            our SETUP went out (reply to "call")
 *   SETUP_ACK call=ID | PROCEEDING call=ID chan=N | PROGRESS call=ID
 *   RINGING call=ID | ANSWER call=ID  far end's ALERTING / CONNECT
 *   INFO call=ID digits=D             overlap digits (INFORMATION)
 *   KEYPAD call=ID digits=D           keypad digits
 *   HANGUP call=ID cause=C            the call is being cleared: far end's
 *                                     DISCONNECT or RELEASE (RELEASE COMPLETE),
 *                                     or our outright rejection; printed once
 *                                     per call; cause=0 if unknown
 *   HANGUP_ACK call=ID                clearing we started (or answered with
 *                                     RELEASE) completed
 *   RESTART chan=N | RESTART_ACK chan=N   (chan=-1: whole interface)
 *   CONNECT_ACK call=ID | NOTIFY chan=N info=I | EVENT NAME (anything else)
 *   ERROR text                        bad command, failure (never fatal)
 *
 * stdin commands, one per line:
 *   call CHAN|any NUMBER [CLI] | answer ID | ack ID (CALL PROCEEDING)
 *   ring ID (ALERTING) | hangup ID CAUSE | info ID DIGITS
 *   restart [CHAN] (RESTART of one channel, or of every B-channel one by one)
 *   quit
 *
 * Exit status: 0 on quit or end of stdin, 1 on bad usage, 2 when the socket
 * cannot be connected or is closed by the other side.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <libpri.h>

#define MAX_CALLS 64 /* call table: more than the 30 B-channels of an E1 */
#define MAX_TIMERS 128
#define MAX_CHAN 31
#define LINE_MAX_LEN 512

enum auto_mode { AUTO_NONE, AUTO_ANSWER, AUTO_REJECT, AUTO_RING };

struct call_slot {
	int used;
	q931_call *call;
	int chan;          /* B-channel in use, 0 if none known yet */
	int inbound;
	int answered;      /* CONNECT sent (inbound) or received (outbound) */
	int hangup_shown;  /* a HANGUP line was printed for this call */
	int responded;     /* inbound: we sent some answer to the SETUP */
};

enum timer_kind { TMR_ANSWER, TMR_HANGUP };

struct peer_timer {
	int used;
	long long due_ms;
	enum timer_kind kind;
	int id;            /* call slot */
	q931_call *call;   /* guards against the slot having been reused */
};

static struct pri *g_pri;
static int g_fd = -1;
static int g_switch;
static int g_role;
static enum auto_mode g_auto = AUTO_ANSWER;
static int g_reject_cause = 21;
static long g_answer_delay_ms;
static long g_hangup_after_ms = -1;
static struct call_slot g_calls[MAX_CALLS];
static struct peer_timer g_timers[MAX_TIMERS];
static int g_chan_busy[MAX_CHAN + 1];
static int g_read_got;   /* the last read callback returned a frame */
static int g_sock_dead;  /* the socket reached EOF or failed */
/* An incoming clearing message for an inbound call we never responded to. */
static int g_clear_slot = -1;
static int g_clear_cause;

/* ------------------------------------------------------------------ output */

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

static int g_probing; /* inside call_alive(): its complaint is expected */

/* libpri's messages and errors go to stderr (they end with \n). */
static void lib_text(struct pri *pri, char *s)
{
	(void)pri;
	if (g_probing && strstr(s, "invalid call ptr"))
		return;
	fputs(s, stderr);
}

/* Digits-only printable copy: spaces would break the line protocol. */
static const char *clean(const char *s, char *buf, size_t len)
{
	size_t i = 0;

	for (; s && *s && i + 1 < len; s++)
		buf[i++] = (*s > ' ' && *s < 127) ? *s : '_';
	buf[i] = '\0';
	return buf;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------ libpri I/O */

static int slot_by_cref(int cref);

/*
 * Look at an incoming frame for DISCONNECT, RELEASE or RELEASE COMPLETE.
 * libpri clears an inbound call that its user has not yet responded to
 * without any event (and after a DISCONNECT it even keeps the call record in
 * the Release Request state for good), so pripeer notices these itself.
 */
static void inspect_rx(const unsigned char *f, ssize_t len)
{
	const unsigned char *q = f + 4; /* I-frame: 2 address + 2 control octets */
	ssize_t qlen = len - 4, pos;
	int crlen, cref = 0, i, mt, cause = 0;

	g_clear_slot = -1;
	if (len < 4 + 3 || (f[2] & 1) || q[0] != 0x08)
		return;
	crlen = q[1] & 0x0f;
	if (crlen < 1 || crlen > 2 || qlen < 3 + crlen)
		return;
	for (i = 0; i < crlen; i++)
		cref = (cref << 8) | q[2 + i];
	cref &= crlen == 2 ? 0x7fff : 0x7f;
	mt = q[2 + crlen];
	if (mt != 0x45 && mt != 0x4d && mt != 0x5a)
		return;
	for (pos = 3 + crlen; pos < qlen;) {
		int ie = q[pos];

		if (ie & 0x80) { /* single-octet information element */
			pos++;
			continue;
		}
		if (pos + 1 >= qlen)
			break;
		if (ie == 0x08 && q[pos + 1] >= 2) {
			/* Cause: octet 3 (maybe 3a), then the cause value. */
			ssize_t v = pos + 2 + ((q[pos + 2] & 0x80) ? 1 : 2);

			if (v < qlen && v < pos + 2 + q[pos + 1])
				cause = q[v] & 0x7f;
			break;
		}
		pos += 2 + q[pos + 1];
	}
	g_clear_slot = slot_by_cref(cref);
	g_clear_cause = cause;
}

static int read_cb(struct pri *pri, void *buf, int buflen)
{
	ssize_t n;

	(void)pri;
	g_read_got = 0;
	if (g_sock_dead || buflen < 3)
		return 0;
	n = recv(g_fd, buf, (size_t)buflen - 2, MSG_DONTWAIT);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			fprintf(stderr, "pripeer: recv: %s\n", strerror(errno));
			g_sock_dead = 1;
		}
		return 0;
	}
	if (n == 0) {
		/* Orderly shutdown of the peer (LAPD frames are never empty). */
		g_sock_dead = 1;
		return 0;
	}
	inspect_rx(buf, n);
	/* libpri strips two FCS octets: append dummies. */
	((unsigned char *)buf)[n] = 0;
	((unsigned char *)buf)[n + 1] = 0;
	g_read_got = 1;
	return (int)n + 2;
}

static int write_cb(struct pri *pri, void *buf, int buflen)
{
	ssize_t n;

	(void)pri;
	if (g_sock_dead || buflen < 2)
		return buflen;
	/* The last two octets are libpri's placeholder FCS: not on the wire. */
	do {
		n = send(g_fd, buf, (size_t)buflen - 2, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		fprintf(stderr, "pripeer: send: %s\n", strerror(errno));
		g_sock_dead = 1;
	}
	return buflen;
}

/* --------------------------------------------------------------- channels */

static int chan_is_bearer(int ch)
{
	if (ch < 1)
		return 0;
	if (g_switch == PRI_SWITCH_NI2)
		return ch <= 23;          /* T1: 24 is the D-channel */
	return ch <= 31 && ch != 16;  /* E1: 16 is the D-channel */
}

static int chan_alloc_any(void)
{
	int ch;

	for (ch = 1; ch <= MAX_CHAN; ch++)
		if (chan_is_bearer(ch) && !g_chan_busy[ch])
			return ch;
	return 0;
}

static void chan_take(int id, int ch)
{
	struct call_slot *s = &g_calls[id];

	if (s->chan == ch)
		return;
	if (s->chan > 0 && s->chan <= MAX_CHAN)
		g_chan_busy[s->chan] = 0;
	s->chan = ch;
	if (ch > 0 && ch <= MAX_CHAN)
		g_chan_busy[ch] = 1;
}

/* Decode an event's channel: B-channel number, 0 for none, -1 for any. */
static int ev_chan(int channel)
{
	if (channel == -1 || (channel & 0xff) == 0xff)
		return -1;
	return channel & 0xff;
}

/* ---------------------------------------------------------------- calls */

static int slot_of(q931_call *call)
{
	int i;

	if (!call)
		return -1;
	for (i = 0; i < MAX_CALLS; i++)
		if (g_calls[i].used && g_calls[i].call == call)
			return i;
	return -1;
}

static void slot_free(int id);

/*
 * Is this call record still alive inside libpri? libpri destroys some calls
 * without telling the upper layer (a far end clearing an inbound call that
 * was not yet answered with any message), so our table can hold stale
 * pointers. pri_get_crv() is public, has no side effect and validates the
 * pointer against the controller's call pool (it never dereferences a stale
 * pointer) before answering.
 */
static int call_alive(q931_call *call)
{
	int res;

	g_probing = 1;
	res = pri_get_crv(g_pri, call, NULL);
	g_probing = 0;
	return res >= 0;
}

/* Report and forget calls libpri dropped silently. */
static void slot_vanished(int id)
{
	if (!g_calls[id].hangup_shown)
		out("HANGUP call=%d cause=0", id);
	slot_free(id);
}

/* The inbound, not yet responded call with this call reference, or -1. */
static int slot_by_cref(int cref)
{
	int i, mode;

	for (i = 0; i < MAX_CALLS; i++) {
		struct call_slot *c = &g_calls[i];
		int crv;

		if (!c->used || !c->inbound || c->responded)
			continue;
		g_probing = 1;
		crv = pri_get_crv(g_pri, c->call, &mode);
		g_probing = 0;
		if (crv >= 0 && (((crv << 3) | mode) & 0x7fff) == cref)
			return i;
	}
	return -1;
}

/* After a frame that produced no event: did it silently clear a call? */
static void check_silent_clear(void)
{
	int id = g_clear_slot;

	g_clear_slot = -1;
	if (id < 0 || !g_calls[id].used)
		return;
	if (!g_calls[id].hangup_shown)
		out("HANGUP call=%d cause=%d", id, g_clear_cause);
	/* Drop the record libpri may keep lingering in Release Request. */
	if (call_alive(g_calls[id].call))
		pri_destroycall(g_pri, g_calls[id].call);
	slot_free(id);
}

static void sweep_stale(void)
{
	int i;

	for (i = 0; i < MAX_CALLS; i++)
		if (g_calls[i].used && !call_alive(g_calls[i].call))
			slot_vanished(i);
}

static int slot_new(q931_call *call, int inbound)
{
	int i;

	/* A pointer handed out again means its previous owner is gone. */
	for (i = 0; i < MAX_CALLS; i++)
		if (g_calls[i].used && g_calls[i].call == call)
			slot_vanished(i);
	for (i = 0; i < MAX_CALLS; i++) {
		if (!g_calls[i].used) {
			memset(&g_calls[i], 0, sizeof(g_calls[i]));
			g_calls[i].used = 1;
			g_calls[i].call = call;
			g_calls[i].inbound = inbound;
			return i;
		}
	}
	return -1;
}

static void slot_free(int id)
{
	int t;

	if (id < 0)
		return;
	chan_take(id, 0);
	for (t = 0; t < MAX_TIMERS; t++)
		if (g_timers[t].used && g_timers[t].id == id)
			g_timers[t].used = 0;
	memset(&g_calls[id], 0, sizeof(g_calls[id]));
}

static void timer_add(enum timer_kind kind, int id, long ms)
{
	int t;

	for (t = 0; t < MAX_TIMERS; t++) {
		if (!g_timers[t].used) {
			g_timers[t].used = 1;
			g_timers[t].kind = kind;
			g_timers[t].id = id;
			g_timers[t].call = g_calls[id].call;
			g_timers[t].due_ms = now_ms() + ms;
			return;
		}
	}
	out("ERROR timer table full");
}

static void mark_answered(int id)
{
	g_calls[id].answered = 1;
	if (g_hangup_after_ms >= 0)
		timer_add(TMR_HANGUP, id, g_hangup_after_ms);
}

static void do_answer(int id)
{
	struct call_slot *s = &g_calls[id];

	s->responded = 1;
	if (pri_answer(g_pri, s->call, s->chan, 0)) {
		out("ERROR answer failed call=%d", id);
		return;
	}
	mark_answered(id);
}

/* Causes libpri (legacy mode) clears with RELEASE COMPLETE from any state. */
static int cause_is_release_complete(int cause)
{
	return cause == PRI_CAUSE_UNALLOCATED || cause == PRI_CAUSE_NORMAL_CIRCUIT_CONGESTION ||
	       cause == PRI_CAUSE_REQUESTED_CHAN_UNAVAIL ||
	       cause == PRI_CAUSE_IDENTIFIED_CHANNEL_NOTEXIST ||
	       cause == PRI_CAUSE_INVALID_CALL_REFERENCE;
}

static void do_hangup(int id, int cause)
{
	struct call_slot *s = &g_calls[id];

	if (s->inbound && !s->responded) {
		if (cause_is_release_complete(cause)) {
			/* Rejected outright with RELEASE COMPLETE: no more events follow. */
			out("HANGUP call=%d cause=%d", id, cause);
			s->hangup_shown = 1;
		} else {
			/*
			 * libpri sends no DISCONNECT for a call it has not answered in
			 * any way (it silently does nothing), so send CALL PROCEEDING
			 * first.
			 */
			pri_proceeding(g_pri, s->call, s->chan, 0);
		}
	}
	s->responded = 1;
	if (pri_hangup(g_pri, s->call, cause))
		out("ERROR hangup failed call=%d", id);
}

/* --------------------------------------------------------------- events */

static void on_ring(pri_event *e)
{
	char ani[64], dnis[64];
	int want = ev_chan(e->ring.channel);
	int id = slot_new(e->ring.call, 1);
	int ch;

	if (id < 0) {
		out("ERROR call table full, rejecting");
		pri_hangup(g_pri, e->ring.call, PRI_CAUSE_SWITCH_CONGESTION);
		return;
	}
	if (want > 0 && chan_is_bearer(want) && !g_chan_busy[want])
		ch = want;
	else if (want == -1 || want == 0 || e->ring.flexible)
		ch = chan_alloc_any();
	else
		ch = 0;
	chan_take(id, ch);
	out("RING call=%d chan=%d ani=%s dnis=%s complete=%d", id, ch,
	    clean(e->ring.callingnum, ani, sizeof(ani)),
	    clean(e->ring.callednum, dnis, sizeof(dnis)), e->ring.complete ? 1 : 0);
	if (!ch) {
		do_hangup(id, PRI_CAUSE_REQUESTED_CHAN_UNAVAIL);
		return;
	}
	switch (g_auto) {
	case AUTO_NONE:
		break;
	case AUTO_REJECT:
		do_hangup(id, g_reject_cause);
		break;
	case AUTO_RING:
	case AUTO_ANSWER:
		g_calls[id].responded = 1;
		pri_proceeding(g_pri, e->ring.call, ch, 0);
		pri_acknowledge(g_pri, e->ring.call, ch, 1);
		if (g_auto == AUTO_ANSWER) {
			if (g_answer_delay_ms > 0)
				timer_add(TMR_ANSWER, id, g_answer_delay_ms);
			else
				do_answer(id);
		}
		break;
	}
}

static void note_chan(int id, int channel)
{
	int ch = ev_chan(channel);

	if (id >= 0 && ch > 0 && chan_is_bearer(ch))
		chan_take(id, ch);
}

static void handle_event(pri_event *e)
{
	char buf[128];
	int id, ch;

	switch (e->e) {
	case PRI_EVENT_DCHAN_UP:
		out("UP");
		break;
	case PRI_EVENT_DCHAN_DOWN:
		out("DOWN");
		break;
	case PRI_EVENT_RESTART:
		out("RESTART chan=%d", ev_chan(e->restart.channel));
		break;
	case PRI_EVENT_RESTART_ACK:
		out("RESTART_ACK chan=%d", ev_chan(e->restartack.channel));
		break;
	case PRI_EVENT_CONFIG_ERR:
		out("ERROR config %s", clean(e->err.err, buf, sizeof(buf)));
		break;
	case PRI_EVENT_RING:
		on_ring(e);
		break;
	case PRI_EVENT_INFO_RECEIVED:
		id = slot_of(e->ring.call);
		out("INFO call=%d digits=%s", id, clean(e->ring.callednum, buf, sizeof(buf)));
		break;
	case PRI_EVENT_KEYPAD_DIGIT:
		id = slot_of(e->digit.call);
		out("KEYPAD call=%d digits=%s", id, clean(e->digit.digits, buf, sizeof(buf)));
		break;
	case PRI_EVENT_SETUP_ACK:
		id = slot_of(e->setup_ack.call);
		note_chan(id, e->setup_ack.channel);
		out("SETUP_ACK call=%d", id);
		break;
	case PRI_EVENT_PROCEEDING:
		id = slot_of(e->proceeding.call);
		note_chan(id, e->proceeding.channel);
		ch = id >= 0 ? g_calls[id].chan : ev_chan(e->proceeding.channel);
		out("PROCEEDING call=%d chan=%d", id, ch);
		break;
	case PRI_EVENT_PROGRESS:
		id = slot_of(e->proceeding.call);
		note_chan(id, e->proceeding.channel);
		out("PROGRESS call=%d", id);
		break;
	case PRI_EVENT_RINGING:
		id = slot_of(e->ringing.call);
		note_chan(id, e->ringing.channel);
		out("RINGING call=%d", id);
		break;
	case PRI_EVENT_ANSWER:
		id = slot_of(e->answer.call);
		note_chan(id, e->answer.channel);
		out("ANSWER call=%d", id);
		if (id >= 0)
			mark_answered(id);
		break;
	case PRI_EVENT_CONNECT_ACK:
		id = slot_of(e->connect_ack.call);
		out("CONNECT_ACK call=%d", id);
		break;
	case PRI_EVENT_HANGUP_REQ:
		/* DISCONNECT received: answer with RELEASE. */
		id = slot_of(e->hangup.call);
		if (id < 0 || !g_calls[id].hangup_shown)
			out("HANGUP call=%d cause=%d", id, e->hangup.cause);
		if (id >= 0)
			g_calls[id].hangup_shown = 1;
		pri_hangup(g_pri, e->hangup.call, e->hangup.cause);
		break;
	case PRI_EVENT_HANGUP:
		/* RELEASE or RELEASE COMPLETE received: finish and forget. */
		id = slot_of(e->hangup.call);
		if (id < 0 || !g_calls[id].hangup_shown)
			out("HANGUP call=%d cause=%d", id, e->hangup.cause);
		pri_hangup(g_pri, e->hangup.call, e->hangup.cause);
		slot_free(id);
		break;
	case PRI_EVENT_HANGUP_ACK:
		/* Our clearing is complete; libpri already destroyed the call. */
		id = slot_of(e->hangup.call);
		out("HANGUP_ACK call=%d", id);
		slot_free(id);
		break;
	case PRI_EVENT_NOTIFY:
		out("NOTIFY chan=%d info=%d", ev_chan(e->notify.channel), e->notify.info);
		break;
	case PRI_EVENT_FACILITY:
		break;
	default:
		out("EVENT %s", pri_event2str(e->e));
		break;
	}
}

/* ------------------------------------------------------------- commands */

static int parse_id(const char *s)
{
	char *end;
	long v;

	if (!s)
		return -1;
	v = strtol(s, &end, 10);
	if (*end || v < 0 || v >= MAX_CALLS || !g_calls[v].used)
		return -1;
	return (int)v;
}

static void cmd_call(char *chan_s, char *number, char *cli)
{
	struct pri_sr *sr;
	q931_call *call;
	int ch, id, exclusive = 1;

	if (!chan_s || !number) {
		out("ERROR usage: call CHAN|any NUMBER [CLI]");
		return;
	}
	if (!strcmp(chan_s, "any")) {
		if (g_role == PRI_NETWORK) {
			/* The network always names the channel. */
			ch = chan_alloc_any();
			if (!ch) {
				out("ERROR no free channel");
				return;
			}
		} else {
			ch = 0xff;
			exclusive = 0;
		}
	} else {
		ch = atoi(chan_s);
		if (!chan_is_bearer(ch)) {
			out("ERROR bad channel %s", chan_s);
			return;
		}
		if (g_chan_busy[ch]) {
			out("ERROR channel %d busy", ch);
			return;
		}
	}
	call = pri_new_call(g_pri);
	if (!call) {
		out("ERROR pri_new_call failed");
		return;
	}
	id = slot_new(call, 0);
	if (id < 0) {
		pri_destroycall(g_pri, call);
		out("ERROR call table full");
		return;
	}
	if (ch != 0xff)
		chan_take(id, ch);
	sr = pri_sr_new();
	if (!sr) {
		pri_destroycall(g_pri, call);
		slot_free(id);
		out("ERROR pri_sr_new failed");
		return;
	}
	pri_sr_set_channel(sr, ch, exclusive, 0);
	pri_sr_set_bearer(sr, PRI_TRANS_CAP_SPEECH,
			  g_switch == PRI_SWITCH_NI2 ? PRI_LAYER_1_ULAW : PRI_LAYER_1_ALAW);
	pri_sr_set_called(sr, number, PRI_UNKNOWN, 1);
	if (cli)
		pri_sr_set_caller(sr, cli, NULL, PRI_UNKNOWN,
				  PRES_ALLOWED_USER_NUMBER_NOT_SCREENED);
	if (pri_setup(g_pri, call, sr)) {
		pri_sr_free(sr);
		pri_destroycall(g_pri, call);
		slot_free(id);
		out("ERROR pri_setup failed");
		return;
	}
	pri_sr_free(sr);
	out("CALLING call=%d chan=%d", id, ch == 0xff ? -1 : ch);
}

static void restart_all(void)
{
	int ch;

	/* pri_restart() is a no-op in libpri 1.6: restart channel by channel. */
	pri_restart(g_pri);
	for (ch = 1; ch <= MAX_CHAN; ch++)
		if (chan_is_bearer(ch))
			pri_reset(g_pri, ch);
}

/* Returns 1 when the program should stop. */
static int handle_command(char *line)
{
	char *argv[8];
	int argc = 0, id, i;
	char *save = NULL, *tok;

	for (tok = strtok_r(line, " \t\r", &save); tok && argc < 8;
	     tok = strtok_r(NULL, " \t\r", &save))
		argv[argc++] = tok;
	if (argc == 0)
		return 0;
	if (!strcmp(argv[0], "quit"))
		return 1;
	if (!strcmp(argv[0], "call")) {
		cmd_call(argc > 1 ? argv[1] : NULL, argc > 2 ? argv[2] : NULL,
			 argc > 3 ? argv[3] : NULL);
		return 0;
	}
	if (!strcmp(argv[0], "restart")) {
		if (argc > 1) {
			int ch = atoi(argv[1]);

			if (!chan_is_bearer(ch))
				out("ERROR bad channel %s", argv[1]);
			else
				pri_reset(g_pri, ch);
		} else {
			restart_all();
		}
		return 0;
	}
	id = parse_id(argc > 1 ? argv[1] : NULL);
	if (!strcmp(argv[0], "answer") || !strcmp(argv[0], "ack") ||
	    !strcmp(argv[0], "ring") || !strcmp(argv[0], "hangup") ||
	    !strcmp(argv[0], "info")) {
		if (id < 0) {
			out("ERROR no such call %s", argc > 1 ? argv[1] : "(missing)");
			return 0;
		}
	} else {
		out("ERROR unknown command %s", argv[0]);
		return 0;
	}
	if (!strcmp(argv[0], "answer")) {
		do_answer(id);
	} else if (!strcmp(argv[0], "ack")) {
		g_calls[id].responded = 1;
		if (pri_proceeding(g_pri, g_calls[id].call, g_calls[id].chan, 0))
			out("ERROR proceeding failed call=%d", id);
	} else if (!strcmp(argv[0], "ring")) {
		g_calls[id].responded = 1;
		if (pri_acknowledge(g_pri, g_calls[id].call, g_calls[id].chan, 1))
			out("ERROR alerting failed call=%d", id);
	} else if (!strcmp(argv[0], "hangup")) {
		do_hangup(id, argc > 2 ? atoi(argv[2]) : PRI_CAUSE_NORMAL_CLEARING);
	} else if (!strcmp(argv[0], "info")) {
		if (argc < 3) {
			out("ERROR usage: info ID DIGITS");
			return 0;
		}
		for (i = 0; argv[2][i]; i++)
			if (pri_information(g_pri, g_calls[id].call, argv[2][i])) {
				out("ERROR info failed call=%d", id);
				break;
			}
	}
	return 0;
}

/* ---------------------------------------------------------------- timers */

static void run_own_timers(void)
{
	long long now = now_ms();
	int t;

	for (t = 0; t < MAX_TIMERS; t++) {
		struct peer_timer tm;

		if (!g_timers[t].used || g_timers[t].due_ms > now)
			continue;
		tm = g_timers[t];
		g_timers[t].used = 0;
		if (!g_calls[tm.id].used || g_calls[tm.id].call != tm.call)
			continue;
		if (tm.kind == TMR_ANSWER)
			do_answer(tm.id);
		else if (tm.kind == TMR_HANGUP)
			do_hangup(tm.id, PRI_CAUSE_NORMAL_CLEARING);
	}
}

/* Milliseconds until the next libpri or own timer, -1 for none. */
static int next_timeout(void)
{
	long long now = now_ms(), best = -1;
	struct timeval *tv = pri_schedule_next(g_pri);
	int t;

	if (tv) {
		struct timeval cur;
		long long d;

		gettimeofday(&cur, NULL);
		d = (long long)(tv->tv_sec - cur.tv_sec) * 1000 +
		    (tv->tv_usec - cur.tv_usec) / 1000;
		best = d < 0 ? 0 : d + 1;
	}
	for (t = 0; t < MAX_TIMERS; t++) {
		if (g_timers[t].used) {
			long long d = g_timers[t].due_ms - now;

			if (d < 0)
				d = 0;
			if (best < 0 || d < best)
				best = d;
		}
	}
	if (best > INT_MAX)
		best = INT_MAX;
	return (int)best;
}

static void run_pri_timers(void)
{
	struct timeval *tv = pri_schedule_next(g_pri);
	struct timeval cur;
	pri_event *e;

	if (!tv)
		return;
	gettimeofday(&cur, NULL);
	if (timercmp(tv, &cur, >))
		return;
	while ((e = pri_schedule_run(g_pri)) != NULL)
		handle_event(e);
}

/* ------------------------------------------------------------------ main */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pripeer --socket PATH --role net|cpe --switch euroisdn|ni2\n"
		"               [--answer-delay-ms N] [--auto answer|reject:CAUSE|ring|none]\n"
		"               [--hangup-after-ms N]\n"
		"stdin commands: call CHAN|any NUMBER [CLI] | answer ID | ack ID | ring ID\n"
		"                | hangup ID CAUSE | restart [CHAN] | info ID DIGITS | quit\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "role", required_argument, NULL, 'r' },
		{ "switch", required_argument, NULL, 'w' },
		{ "answer-delay-ms", required_argument, NULL, 'd' },
		{ "auto", required_argument, NULL, 'a' },
		{ "hangup-after-ms", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL;
	struct sockaddr_un sa;
	char line[LINE_MAX_LEN];
	size_t line_len = 0;
	int opt, stdin_open = 1;
	const char *dbg;

	g_role = -1;
	g_switch = -1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			path = optarg;
			break;
		case 'r':
			if (!strcmp(optarg, "net"))
				g_role = PRI_NETWORK;
			else if (!strcmp(optarg, "cpe"))
				g_role = PRI_CPE;
			break;
		case 'w':
			if (!strcmp(optarg, "euroisdn"))
				g_switch = PRI_SWITCH_EUROISDN_E1;
			else if (!strcmp(optarg, "ni2"))
				g_switch = PRI_SWITCH_NI2;
			break;
		case 'd':
			g_answer_delay_ms = atol(optarg);
			break;
		case 'a':
			if (!strcmp(optarg, "answer"))
				g_auto = AUTO_ANSWER;
			else if (!strcmp(optarg, "ring"))
				g_auto = AUTO_RING;
			else if (!strcmp(optarg, "none"))
				g_auto = AUTO_NONE;
			else if (!strncmp(optarg, "reject:", 7)) {
				g_auto = AUTO_REJECT;
				g_reject_cause = atoi(optarg + 7);
			} else {
				fprintf(stderr, "pripeer: bad --auto %s\n", optarg);
				return 1;
			}
			break;
		case 'H':
			g_hangup_after_ms = atol(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (!path || g_role < 0 || g_switch < 0) {
		usage(stderr);
		return 1;
	}

	g_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (g_fd < 0) {
		fprintf(stderr, "pripeer: socket: %s\n", strerror(errno));
		out("ERROR socket %s", strerror(errno));
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		out("ERROR socket path too long");
		return 2;
	}
	strcpy(sa.sun_path, path);
	if (connect(g_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "pripeer: connect %s: %s\n", path, strerror(errno));
		out("ERROR connect %s", strerror(errno));
		return 2;
	}

	pri_set_message(lib_text);
	pri_set_error(lib_text);
	g_pri = pri_new_cb(g_fd, g_role, g_switch, read_cb, write_cb, NULL);
	if (!g_pri) {
		out("ERROR pri_new_cb failed");
		return 2;
	}
	dbg = getenv("PRIPEER_DEBUG");
	if (dbg && !strcmp(dbg, "1"))
		pri_set_debug(g_pri, PRI_DEBUG_Q921_DUMP | PRI_DEBUG_Q921_STATE |
				     PRI_DEBUG_Q931_DUMP | PRI_DEBUG_Q931_STATE |
				     PRI_DEBUG_Q931_ANOMALY);

	for (;;) {
		struct pollfd pfd[2];
		int n = 0, res, quit = 0;

		if (g_sock_dead) {
			out("ERROR socket closed");
			return 2;
		}
		pfd[n].fd = g_fd;
		pfd[n].events = POLLIN;
		pfd[n++].revents = 0;
		if (stdin_open) {
			pfd[n].fd = STDIN_FILENO;
			pfd[n].events = POLLIN;
			pfd[n++].revents = 0;
		}
		res = poll(pfd, (nfds_t)n, next_timeout());
		if (res < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "pripeer: poll: %s\n", strerror(errno));
			return 2;
		}
		if (pfd[0].revents) {
			/* Drain every waiting frame; POLLHUP shows up as EOF. */
			do {
				pri_event *e = pri_check_event(g_pri);

				if (e)
					handle_event(e);
				else
					check_silent_clear();
				g_clear_slot = -1;
			} while (g_read_got && !g_sock_dead);
			sweep_stale();
			if (g_sock_dead || (pfd[0].revents & (POLLERR | POLLNVAL))) {
				out("ERROR socket closed");
				return 2;
			}
		}
		if (n > 1 && pfd[1].revents) {
			ssize_t got = read(STDIN_FILENO, line + line_len,
					   sizeof(line) - 1 - line_len);

			if (got <= 0) {
				if (got < 0 && errno == EINTR)
					continue;
				stdin_open = 0;
				quit = 1;
			} else {
				char *nl;

				line_len += (size_t)got;
				line[line_len] = '\0';
				while ((nl = memchr(line, '\n', line_len)) != NULL) {
					size_t used = (size_t)(nl - line) + 1;

					*nl = '\0';
					if (handle_command(line))
						quit = 1;
					memmove(line, line + used, line_len - used);
					line_len -= used;
					line[line_len] = '\0';
					if (quit)
						break;
				}
				if (line_len == sizeof(line) - 1) {
					out("ERROR command line too long");
					line_len = 0;
				}
			}
		}
		if (quit)
			break;
		run_pri_timers();
		run_own_timers();
	}
	return 0;
}
