/*
 * pribench: the libpri reference benchmark for trunkd's ISDN stack.
 *
 * Part of the trunkd testbench; our own program using only libpri's public API.
 *
 * Two libpri controllers live in this process, one PRI_NETWORK and one PRI_CPE
 * (EuroISDN E1). Their D-channel frames go through an in-memory ring of
 * buffers (default) or, with --socketpair, through one SOCK_SEQPACKET
 * socketpair per direction. After the link is up, N complete calls run one
 * after the other: the CPE sends SETUP, the network answers with CALL
 * PROCEEDING, ALERTING and CONNECT, the CPE hangs up, down to RELEASE
 * COMPLETE on both sides. Nothing ever waits for real time: the program just
 * feeds whichever side has a frame pending until both are idle.
 *
 * Output: one JSON line
 *   {"impl":"libpri","transport":"memory"|"socketpair","calls":N,
 *    "cpu_us_per_call":X,"frames":F}
 * where X is the process CPU time of the call loop divided by N and F the
 * number of frames exchanged during the call loop.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <libpri.h>

#define RING_SLOTS 256
#define FRAME_MAX 512

struct frame {
	int len;
	unsigned char data[FRAME_MAX];
};

/* Frames travelling towards one side. */
struct ring {
	struct frame slot[RING_SLOTS];
	unsigned head; /* next to read */
	unsigned tail; /* next to write */
};

struct side {
	const char *name;
	struct pri *pri;
	struct side *peer;
	struct ring rx;    /* memory transport: frames waiting for this side */
	int rx_fd;         /* socketpair transport: we read here ... */
	int tx_fd;         /* ... and write here */
	long pending;      /* frames waiting for this side */
	int up;
};

static struct side g_net; /* zero-initialised: the rings stay in .bss */
static struct side g_cpe;
static int g_socketpair;
static long g_frames;

/* Per-run counters used to verify that every call really completed. */
static long g_rings, g_proceedings, g_alertings, g_answers;
static long g_net_cleared, g_cpe_cleared, g_unexpected;

static void die(const char *msg)
{
	fprintf(stderr, "pribench: %s\n", msg);
	exit(1);
}

static void lib_text(struct pri *pri, char *s)
{
	(void)pri;
	fprintf(stderr, "libpri: %s", s);
}

/* ------------------------------------------------------------- transport */

static int read_cb(struct pri *pri, void *buf, int buflen)
{
	struct side *s = pri_get_userdata(pri);
	int len;

	if (s->pending <= 0)
		return 0; /* nothing waiting: libpri wants 0, never -1 */
	if (g_socketpair) {
		ssize_t n = recv(s->rx_fd, buf, (size_t)buflen - 2, MSG_DONTWAIT);

		if (n <= 0) {
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				die("frame counted but not readable");
			die("socketpair recv failed");
		}
		len = (int)n;
	} else {
		struct frame *f = &s->rx.slot[s->rx.head % RING_SLOTS];

		len = f->len;
		if (len > buflen - 2)
			die("frame too long for libpri's buffer");
		memcpy(buf, f->data, (size_t)len);
		s->rx.head++;
	}
	s->pending--;
	/* Two dummy FCS octets, which libpri strips. */
	((unsigned char *)buf)[len] = 0;
	((unsigned char *)buf)[len + 1] = 0;
	return len + 2;
}

static int write_cb(struct pri *pri, void *buf, int buflen)
{
	struct side *s = pri_get_userdata(pri);
	struct side *to = s->peer;
	int len = buflen - 2; /* drop libpri's placeholder FCS */

	if (len <= 0 || len > FRAME_MAX)
		die("bad frame length from libpri");
	if (g_socketpair) {
		if (send(s->tx_fd, buf, (size_t)len, MSG_NOSIGNAL) != len)
			die("socketpair send failed");
	} else {
		struct frame *f;

		if (to->rx.tail - to->rx.head >= RING_SLOTS)
			die("frame ring overflow");
		f = &to->rx.slot[to->rx.tail % RING_SLOTS];
		f->len = len;
		memcpy(f->data, buf, (size_t)len);
		to->rx.tail++;
	}
	to->pending++;
	g_frames++;
	return buflen;
}

/* ----------------------------------------------------------------- events */

static void net_event(pri_event *e)
{
	switch (e->e) {
	case PRI_EVENT_DCHAN_UP:
		g_net.up = 1;
		break;
	case PRI_EVENT_RING: {
		int ch = e->ring.channel & 0xff;

		g_rings++;
		pri_proceeding(g_net.pri, e->ring.call, ch, 0);
		pri_acknowledge(g_net.pri, e->ring.call, ch, 1);
		if (pri_answer(g_net.pri, e->ring.call, ch, 0))
			die("pri_answer failed");
		break;
	}
	case PRI_EVENT_HANGUP_REQ:
		/* DISCONNECT from the CPE: send RELEASE. */
		pri_hangup(g_net.pri, e->hangup.call, e->hangup.cause);
		break;
	case PRI_EVENT_HANGUP:
		pri_hangup(g_net.pri, e->hangup.call, e->hangup.cause);
		g_net_cleared++;
		break;
	case PRI_EVENT_HANGUP_ACK:
		/* RELEASE COMPLETE received: libpri has destroyed the call. */
		g_net_cleared++;
		break;
	default:
		g_unexpected++;
		fprintf(stderr, "pribench: net: unexpected %s\n", pri_event2str(e->e));
		break;
	}
}

static void cpe_event(pri_event *e)
{
	switch (e->e) {
	case PRI_EVENT_DCHAN_UP:
		g_cpe.up = 1;
		break;
	case PRI_EVENT_PROCEEDING:
		g_proceedings++;
		break;
	case PRI_EVENT_RINGING:
		g_alertings++;
		break;
	case PRI_EVENT_ANSWER:
		g_answers++;
		/* The CPE clears right away: DISCONNECT. */
		pri_hangup(g_cpe.pri, e->answer.call, PRI_CAUSE_NORMAL_CLEARING);
		break;
	case PRI_EVENT_HANGUP:
		/* RELEASE from the network: answer RELEASE COMPLETE. */
		pri_hangup(g_cpe.pri, e->hangup.call, e->hangup.cause);
		g_cpe_cleared++;
		break;
	case PRI_EVENT_HANGUP_ACK:
		g_cpe_cleared++;
		break;
	case PRI_EVENT_HANGUP_REQ:
		pri_hangup(g_cpe.pri, e->hangup.call, e->hangup.cause);
		break;
	default:
		g_unexpected++;
		fprintf(stderr, "pribench: cpe: unexpected %s\n", pri_event2str(e->e));
		break;
	}
}

static void dispatch(struct side *s, pri_event *e)
{
	if (!e)
		return;
	if (s == &g_net)
		net_event(e);
	else
		cpe_event(e);
}

/* Feed frames until neither side has anything waiting. */
static void drain(void)
{
	int busy;

	do {
		busy = 0;
		if (g_net.pending > 0) {
			dispatch(&g_net, pri_check_event(g_net.pri));
			busy = 1;
		}
		if (g_cpe.pending > 0) {
			dispatch(&g_cpe, pri_check_event(g_cpe.pri));
			busy = 1;
		}
	} while (busy);
}

/* Run libpri timers that are due (only matters for very long runs: T203). */
static void run_due_timers(struct side *s)
{
	struct timeval *tv = pri_schedule_next(s->pri);
	struct timeval now;

	if (!tv)
		return;
	gettimeofday(&now, NULL);
	if (timercmp(tv, &now, >))
		return;
	{
		pri_event *e;

		while ((e = pri_schedule_run(s->pri)) != NULL)
			dispatch(s, e);
	}
}

static void place_call(long i)
{
	/* Cycle over the 30 B-channels of an E1 (timeslot 16 is the D-channel). */
	int ch = (int)(i % 30) + 1;
	struct pri_sr *sr;
	q931_call *call;

	if (ch >= 16)
		ch++;
	call = pri_new_call(g_cpe.pri);
	if (!call)
		die("pri_new_call failed");
	sr = pri_sr_new();
	if (!sr)
		die("pri_sr_new failed");
	pri_sr_set_channel(sr, ch, 1, 0);
	pri_sr_set_bearer(sr, PRI_TRANS_CAP_SPEECH, PRI_LAYER_1_ALAW);
	pri_sr_set_called(sr, "5551234", PRI_UNKNOWN, 1);
	pri_sr_set_caller(sr, "4321", NULL, PRI_UNKNOWN, PRES_ALLOWED_USER_NUMBER_NOT_SCREENED);
	if (pri_setup(g_cpe.pri, call, sr))
		die("pri_setup failed");
	pri_sr_free(sr);
}

static double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void open_pairs(void)
{
	int a[2], b[2];

	/* a: network -> CPE, b: CPE -> network. */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, a) ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, b))
		die("socketpair failed");
	g_net.tx_fd = a[0];
	g_cpe.rx_fd = a[1];
	g_cpe.tx_fd = b[0];
	g_net.rx_fd = b[1];
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "calls", required_argument, NULL, 'n' },
		{ "socketpair", no_argument, NULL, 's' },
		{ "memory", no_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long calls = 10000, i;
	double t0, t1;
	long frames0;
	int opt;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			calls = atol(optarg);
			if (calls <= 0)
				die("--calls must be positive");
			break;
		case 's':
			g_socketpair = 1;
			break;
		case 'm':
			g_socketpair = 0;
			break;
		case 'h':
			printf("usage: pribench [--calls N] [--socketpair|--memory]\n");
			return 0;
		default:
			fprintf(stderr, "usage: pribench [--calls N] [--socketpair|--memory]\n");
			return 1;
		}
	}

	pri_set_message(lib_text);
	pri_set_error(lib_text);
	g_net.name = "net";
	g_cpe.name = "cpe";
	g_net.peer = &g_cpe;
	g_cpe.peer = &g_net;
	g_net.rx_fd = g_net.tx_fd = g_cpe.rx_fd = g_cpe.tx_fd = -1;
	if (g_socketpair)
		open_pairs();

	/* Both controllers send SABME from inside pri_new_cb(). */
	g_net.pri = pri_new_cb(g_net.tx_fd, PRI_NETWORK, PRI_SWITCH_EUROISDN_E1,
			       read_cb, write_cb, &g_net);
	g_cpe.pri = pri_new_cb(g_cpe.tx_fd, PRI_CPE, PRI_SWITCH_EUROISDN_E1,
			       read_cb, write_cb, &g_cpe);
	if (!g_net.pri || !g_cpe.pri)
		die("pri_new_cb failed");
	drain();
	if (!g_net.up || !g_cpe.up)
		die("D-channel did not come up");

	frames0 = g_frames;
	t0 = cpu_seconds();
	for (i = 0; i < calls; i++) {
		place_call(i);
		drain();
		if (g_net_cleared != i + 1 || g_cpe_cleared != i + 1) {
			fprintf(stderr,
				"pribench: call %ld did not complete: rings=%ld proceeding=%ld "
				"alerting=%ld answers=%ld net_cleared=%ld cpe_cleared=%ld\n",
				i, g_rings, g_proceedings, g_alertings, g_answers,
				g_net_cleared, g_cpe_cleared);
			return 1;
		}
		if ((i & 1023) == 1023) {
			run_due_timers(&g_net);
			run_due_timers(&g_cpe);
			drain();
		}
	}
	t1 = cpu_seconds();

	if (g_rings != calls || g_proceedings != calls || g_alertings != calls ||
	    g_answers != calls || g_net_cleared != calls || g_cpe_cleared != calls ||
	    g_unexpected) {
		fprintf(stderr,
			"pribench: incomplete run: calls=%ld rings=%ld proceeding=%ld alerting=%ld "
			"answers=%ld net_cleared=%ld cpe_cleared=%ld unexpected=%ld\n",
			calls, g_rings, g_proceedings, g_alertings, g_answers,
			g_net_cleared, g_cpe_cleared, g_unexpected);
		return 1;
	}
	printf("{\"impl\":\"libpri\",\"transport\":\"%s\",\"calls\":%ld,"
	       "\"cpu_us_per_call\":%.3f,\"frames\":%ld}\n",
	       g_socketpair ? "socketpair" : "memory", calls,
	       (t1 - t0) * 1e6 / (double)calls, g_frames - frames0);
	return 0;
}
