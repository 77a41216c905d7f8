/*
 * ss7bench: the libss7 CPU reference for trunkd's SS7 benchmark.
 *
 * Part of the trunkd testbench. This is our own program; it only uses libss7
 * through its public API (libss7.h).
 *
 * ss7bench [--calls N] [--variant itu|ansi]
 *
 * Two libss7 instances (point codes 1 and 2) in one process, joined by one
 * SOCK_SEQPACKET socketpair (libss7 has no in-memory mode; it reads and
 * writes the descriptors itself, FCS placeholder octets included). After the
 * link set is up (not measured), N complete ISUP calls run one after the
 * other on CICs 1..30: IAM, ACM, ANM, REL, RLC, with MTP2 (FISU
 * acknowledgements) and MTP3 included. Both instances run in one thread
 * driven by poll(); each instance writes only while ss7_pollflags() asks for
 * POLLOUT (links are SS7_TRANSPORT_DAHDIMTP2), so nothing spins.
 *
 * Prints one JSON line:
 *   {"impl":"libss7","transport":"socketpair","variant":"itu","calls":N,
 *    "cpu_us_per_call":X,"calls_per_s":Y,"signal_units":S}
 * cpu_us_per_call is getrusage() user+system time of the measured part
 * divided by N; calls_per_s is N over the wall-clock time of that part;
 * signal_units counts every SU both instances wrote.
 *
 * Exit status: 0 on success, 1 on bad usage, 2 when the link does not come
 * up or a call does not complete (within generous limits).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <libss7.h>

#define CIRCUITS 30

struct side {
	struct ss7 *ss7;
	int fd;
	unsigned pc, dpc;
	int up;
};

static struct side g_side[2];
static long g_done;     /* calls completed (RLC received by the caller) */
static long g_sus;      /* signal units written */
static int g_failed;

static void quiet(struct ss7 *ss7, char *s)
{
	(void)ss7;
	(void)s;
}

static void loud(struct ss7 *ss7, char *s)
{
	(void)ss7;
	fputs(s, stderr);
}

static int hangup_cb(struct ss7 *ss7, int cic, unsigned int dpc, int cause, int what)
{
	(void)ss7;
	(void)dpc;
	fprintf(stderr, "ss7bench: libss7 asks to clear cic %d (cause %d, action %d)\n", cic,
		cause, what);
	g_failed = 1;
	return SS7_CIC_USED;
}

static void call_null_cb(struct ss7 *ss7, struct isup_call *c, int lock)
{
	(void)ss7;
	(void)c;
	(void)lock;
}

static void not_in_service_cb(struct ss7 *ss7, int cic, unsigned int dpc)
{
	(void)ss7;
	(void)dpc;
	fprintf(stderr, "ss7bench: cic %d not in service\n", cic);
	g_failed = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void place_call(struct side *s, int cic)
{
	struct isup_call *c = isup_new_call(s->ss7, cic, s->dpc, 1);

	if (!c) {
		g_failed = 1;
		return;
	}
	isup_set_called(c, "5551234", SS7_NAI_NATIONAL, s->ss7);
	isup_set_calling(c, "5550001", SS7_NAI_NATIONAL, SS7_PRESENTATION_ALLOWED,
			 SS7_SCREENING_USER_PROVIDED);
	isup_set_calling_party_category(c, 10);
	if (isup_iam(s->ss7, c) < 0)
		g_failed = 1;
}

static void handle(struct side *s, ss7_event *e)
{
	switch (e->e) {
	case SS7_EVENT_UP:
		s->up = 1;
		break;
	case SS7_EVENT_DOWN:
		s->up = 0;
		break;
	case ISUP_EVENT_IAM:
		isup_acm(s->ss7, e->iam.call);
		isup_anm(s->ss7, e->iam.call);
		break;
	case ISUP_EVENT_ANM:
		isup_rel(s->ss7, e->anm.call, 16);
		break;
	case ISUP_EVENT_REL:
		isup_rlc(s->ss7, e->rel.call);
		isup_free_call(s->ss7, e->rel.call);
		break;
	case ISUP_EVENT_RLC:
		isup_free_call(s->ss7, e->rlc.call);
		g_done++;
		break;
	default:
		break;
	}
}

/* One round: every instance reads what waits, handles events, writes. */
static void step(int timeout_ms)
{
	struct pollfd p[2];
	int i;

	for (i = 0; i < 2; i++) {
		p[i].fd = g_side[i].fd;
		p[i].events = POLLIN;
		p[i].revents = 0;
	}
	if (poll(p, 2, timeout_ms) < 0 && errno != EINTR) {
		perror("ss7bench: poll");
		exit(2);
	}
	for (i = 0; i < 2; i++) {
		struct side *s = &g_side[i];
		struct timeval *tv = ss7_schedule_next(s->ss7);
		ss7_event *e;
		int n;

		if (p[i].revents & POLLIN)
			ss7_read(s->ss7, s->fd);
		if (tv) {
			struct timeval cur;

			gettimeofday(&cur, NULL);
			if (!timercmp(tv, &cur, >))
				ss7_schedule_run(s->ss7);
		}
		while ((e = ss7_check_event(s->ss7)) != NULL)
			handle(s, e);
		for (n = 0; n < 256 && (ss7_pollflags(s->ss7, s->fd) & POLLOUT); n++) {
			if (ss7_write(s->ss7, s->fd) <= 0)
				break;
			g_sus++;
		}
	}
}

static void usage(FILE *f)
{
	fprintf(f, "usage: ss7bench [--calls N] [--variant itu|ansi]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "calls", required_argument, NULL, 'c' },
		{ "variant", required_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long calls = 10000, placed;
	int variant = SS7_ITU, opt, fds[2], i;
	double cpu0, wall0, cpu, wall, deadline;
	char *end;
	const char *dbg = getenv("SS7BENCH_DEBUG");

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			calls = strtol(optarg, &end, 10);
			if (*end || calls < 1 || calls > 100000000) {
				usage(stderr);
				return 1;
			}
			break;
		case 'v':
			if (!strcmp(optarg, "itu"))
				variant = SS7_ITU;
			else if (!strcmp(optarg, "ansi"))
				variant = SS7_ANSI;
			else {
				usage(stderr);
				return 1;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 1;
	}

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0) {
		perror("ss7bench: socketpair");
		return 2;
	}
	ss7_set_message(dbg ? loud : quiet);
	ss7_set_error(loud);
	ss7_set_hangup(hangup_cb);
	ss7_set_call_null(call_null_cb);
	ss7_set_notinservice(not_in_service_cb);
	for (i = 0; i < 2; i++) {
		struct side *s = &g_side[i];

		s->fd = fds[i];
		s->pc = (unsigned)i + 1;
		s->dpc = (unsigned)(2 - i);
		fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK);
		s->ss7 = ss7_new(variant);
		if (!s->ss7) {
			fprintf(stderr, "ss7bench: ss7_new failed\n");
			return 2;
		}
		ss7_set_network_ind(s->ss7, SS7_NI_NAT);
		ss7_set_pc(s->ss7, s->pc);
		if (ss7_add_link(s->ss7, SS7_TRANSPORT_DAHDIMTP2, s->fd, 0, s->dpc)) {
			fprintf(stderr, "ss7bench: ss7_add_link failed\n");
			return 2;
		}
		ss7_start(s->ss7);
	}

	/* Alignment (emergency proving) and the link set up delay: not measured. */
	deadline = now_s() + 30;
	while (!(g_side[0].up && g_side[1].up)) {
		if (now_s() > deadline) {
			fprintf(stderr, "ss7bench: the link set did not come up\n");
			return 2;
		}
		step(5);
	}
	/* Let libss7 settle (its SLTM/SLTA and timers) before measuring. */
	deadline = now_s() + 0.2;
	while (now_s() < deadline)
		step(5);
	g_sus = 0;

	cpu0 = cpu_s();
	wall0 = now_s();
	deadline = wall0 + 60 + (double)calls / 100;
	for (placed = 0; placed < calls; placed++) {
		long want = placed + 1;

		place_call(&g_side[0], 1 + (int)(placed % CIRCUITS));
		while (g_done < want && !g_failed) {
			if (now_s() > deadline) {
				fprintf(stderr, "ss7bench: call %ld did not complete\n", want);
				return 2;
			}
			step(100);
		}
		if (g_failed) {
			fprintf(stderr, "ss7bench: call %ld failed\n", want);
			return 2;
		}
	}
	cpu = cpu_s() - cpu0;
	wall = now_s() - wall0;

	printf("{\"impl\":\"libss7\",\"transport\":\"socketpair\",\"variant\":\"%s\",\"calls\":%ld,"
	       "\"cpu_us_per_call\":%.2f,\"calls_per_s\":%.0f,\"signal_units\":%ld}\n",
	       variant == SS7_ITU ? "itu" : "ansi", calls, cpu * 1e6 / (double)calls,
	       wall > 0 ? (double)calls / wall : 0.0, g_sus);
	return 0;
}
