/*
 * ss7peer: Debian's libss7 as the far exchange of a trunkd SS7 link.
 *
 * Part of the trunkd testbench. This is our own program; it only uses libss7
 * through its public API (libss7.h).
 *
 * ss7peer (--socket PATH | --fd N) [--variant itu|ansi] [--opc PC] [--dpc PC]
 *         [--cic-base N] [--circuits N] [--ni int|nat|0-3]
 *         [--auto answer|reject:CAUSE|none] [--answer-delay-ms N]
 *
 * The signalling link is a SOCK_SEQPACKET Unix socket (connected to PATH, or
 * the already connected descriptor N, e.g. one end of a socketpair): every
 * datagram is one MTP2 signal unit from its BSN octet, WITHOUT FCS, in both
 * directions.
 *
 * libss7 runs MTP2 itself with plain read()/write() on a descriptor and adds
 * (writes) or expects (reads) two FCS octets after every signal unit. So
 * libss7 gets one end of a private socketpair and ss7peer relays between the
 * other end and the link socket, stripping or appending those two octets.
 * The link is registered as SS7_TRANSPORT_DAHDIMTP2: libss7 runs exactly the
 * same MTP2 over the descriptor as with SS7_TRANSPORT_DAHDIDCHAN (which would
 * write a fill-in unit every time the descriptor is writable), but
 * ss7_pollflags() then asks for POLLOUT only when libss7 has a signal unit
 * to send (an MSU, a changed LSSU status, a FISU with a new BSN/BIB).
 * ss7peer writes exactly while it asks; fill-in units are not repeated on
 * the socket. The poll timeout is the next libss7 or ss7peer timer, so
 * nothing spins.
 *
 * stdout, one line per event, flushed at once (CIC = circuit identification
 * code):
 *   MTP2_UP | MTP2_DOWN              the signalling link (MTP2) in/out of service
 *   LINK_UP | LINK_DOWN              the link set (MTP3, after SLTM/SLTA) up/down
 *   CALLING cic=CIC                  our IAM went out (reply to "call")
 *   IAM cic=CIC ani=D dnis=D         incoming IAM
 *   ACM cic=CIC | CON cic=CIC | ANM cic=CIC | CPG cic=CIC event=E
 *   SAM cic=CIC dnis=D
 *   REL cic=CIC cause=C              release received (ss7peer answers RLC)
 *   RLC cic=CIC                      release complete received
 *   GRS cic=CIC range=R | GRA cic=CIC range=R   (range: CICs after CIC)
 *   CGB, CGU, CGBA, CGUA cic=CIC range=R
 *   BLO, BLA, UBL, UBA, RSC, UCIC cic=CIC
 *   TIMEOUT cic=CIC cause=C          libss7 clears a call on a timer (REL sent)
 *   NOT_IN_SERVICE cic=CIC           libss7's T5 expired
 *   EVENT NAME                       any other libss7 event
 *   ERROR text                       bad command, failure (never fatal)
 * Every incoming message is acknowledged by ss7peer as the protocol wants
 * (RLC for REL and RSC, GRA for GRS, BLA/UBA for BLO/UBL, CGBA/CGUA).
 *
 * stdin commands, one per line:
 *   call CIC NUMBER [CLI]   IAM          answer CIC   (ACM if not sent, ANM)
 *   ring CIC                ACM          hangup CIC CAUSE   REL
 *   grs CIC RANGE           GRS for CIC..CIC+RANGE
 *   blo CIC | ubl CIC | rsc CIC          quit
 *
 * Exit status: 0 on quit or end of stdin, 1 on bad usage, 2 when the socket
 * cannot be connected or is closed by the other side.
 * With SS7PEER_DEBUG=1 in the environment libss7's MTP2/MTP3/ISUP dumps go
 * to stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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

#include <libss7.h>

#define MAX_CIRCUITS 256
#define LINE_MAX_LEN 512
#define SU_MAX 300         /* MTP2: 3 header octets + 272 SIF/SIO, with margin */
#define MAX_WRITES 256     /* signal units libss7 may emit in one go */

enum auto_mode { AUTO_NONE, AUTO_ANSWER, AUTO_REJECT };

struct circuit {
	struct isup_call *call; /* libss7's record for this CIC, or NULL */
	int busy;               /* a call (either direction) is up or being set up */
	int inbound;
	int acm_sent;
	long long answer_due_ms; /* 0: no answer pending */
};

static struct ss7 *g_ss7;
static int g_ext = -1;   /* the link socket (SUs without FCS) */
static int g_lib = -1;   /* libss7's end of the private socketpair */
static int g_inner = -1; /* our end of it */
static int g_variant = SS7_ITU;
static unsigned g_opc = 1, g_dpc = 2;
static int g_cic_base = 1, g_circuits = 30;
static enum auto_mode g_auto = AUTO_ANSWER;
static int g_reject_cause = 21;
static long g_answer_delay_ms;
static struct circuit g_circ[MAX_CIRCUITS];
static int g_sock_dead;

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

static void lib_text(struct ss7 *ss7, char *s)
{
	(void)ss7;
	fputs(s, stderr);
}

/* Printable copy without spaces or ITU's end-of-pulsing '#'. */
static const char *clean(const char *s, char *buf, size_t len)
{
	size_t i = 0;

	for (; s && *s && i + 1 < len; s++) {
		if (*s == '#')
			continue;
		buf[i++] = (*s > ' ' && *s < 127) ? *s : '_';
	}
	buf[i] = '\0';
	return buf;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------- transport */

/* Pass every signal unit libss7 wants to send to the link socket. */
static void flush_out(void)
{
	unsigned char buf[SU_MAX + 2];
	int i;

	for (i = 0; i < MAX_WRITES && !g_sock_dead; i++) {
		ssize_t n;

		if (!(ss7_pollflags(g_ss7, g_lib) & POLLOUT))
			return;
		if (ss7_write(g_ss7, g_lib) <= 0)
			return;
		n = recv(g_inner, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 2)
			continue;
		/* The last two octets are libss7's FCS placeholder. */
		while (send(g_ext, buf, (size_t)n - 2, MSG_NOSIGNAL) < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				struct pollfd p = { .fd = g_ext, .events = POLLOUT };

				poll(&p, 1, 100);
				continue;
			}
			fprintf(stderr, "ss7peer: send: %s\n", strerror(errno));
			g_sock_dead = 1;
			return;
		}
	}
}

/* Hand one received signal unit (no FCS) to libss7. */
static void deliver(const unsigned char *su, ssize_t len)
{
	unsigned char buf[SU_MAX + 2];

	if (len < 3 || len > SU_MAX)
		return; /* shorter than any SU, or longer than MTP2 allows */
	memcpy(buf, su, (size_t)len);
	buf[len] = 0;
	buf[len + 1] = 0;
	if (send(g_inner, buf, (size_t)len + 2, MSG_NOSIGNAL) < 0) {
		fprintf(stderr, "ss7peer: inner send: %s\n", strerror(errno));
		return;
	}
	ss7_read(g_ss7, g_lib);
}

/* ---------------------------------------------------------------- circuits */

static struct circuit *circ(int cic)
{
	if (cic < g_cic_base || cic >= g_cic_base + g_circuits)
		return NULL;
	return &g_circ[cic - g_cic_base];
}

/* The call is over: forget it and let libss7 free its record. */
static void circ_idle(int cic, struct isup_call *c)
{
	struct circuit *k = circ(cic);

	if (k) {
		if (k->call && k->call != c)
			isup_free_call(g_ss7, k->call);
		memset(k, 0, sizeof(*k));
	}
	if (c)
		isup_free_call(g_ss7, c);
}

/* A message that leaves the circuit's call state alone (BLO, UBL...). */
static void circ_done_with(int cic, struct isup_call *c)
{
	struct circuit *k = circ(cic);

	if (k && k->busy) {
		if (!k->call)
			k->call = c;
		return; /* the record is the live call's */
	}
	if (k && k->call == c)
		k->call = NULL;
	isup_free_call(g_ss7, c);
}

static struct isup_call *call_for(int cic)
{
	struct circuit *k = circ(cic);

	if (!k)
		return NULL;
	if (!k->call)
		k->call = isup_new_call(g_ss7, cic, g_dpc, 0);
	return k->call;
}

/* ----------------------------------------------------------- libss7 hooks */

static int hangup_cb(struct ss7 *ss7, int cic, unsigned int dpc, int cause, int what)
{
	struct circuit *k = circ(cic);

	(void)ss7;
	(void)dpc;
	if (!k)
		return SS7_CIC_NOT_EXISTS;
	switch (what) {
	case SS7_HANGUP_SEND_REL:
		if (k->call) {
			out("TIMEOUT cic=%d cause=%d", cic, cause);
			isup_rel(g_ss7, k->call, cause);
		}
		return SS7_CIC_USED;
	case SS7_HANGUP_REEVENT_IAM:
		/* Dual seizure lost: our IAM is dropped, theirs becomes the call. */
		if (k->call) {
			isup_clear_callflags(g_ss7, k->call, ISUP_SENT_IAM | ISUP_PENDING_IAM);
			k->inbound = 1;
			isup_event_iam(g_ss7, k->call, (int)g_dpc);
		}
		return SS7_CIC_USED;
	default:
		return k->busy ? SS7_CIC_USED : SS7_CIC_IDLE;
	}
}

static void call_null_cb(struct ss7 *ss7, struct isup_call *c, int lock)
{
	int i;

	(void)ss7;
	(void)lock;
	for (i = 0; i < g_circuits; i++)
		if (g_circ[i].call == c)
			memset(&g_circ[i], 0, sizeof(g_circ[i]));
}

static void not_in_service_cb(struct ss7 *ss7, int cic, unsigned int dpc)
{
	(void)ss7;
	(void)dpc;
	out("NOT_IN_SERVICE cic=%d", cic);
}

/* ------------------------------------------------------------------ calls */

static void send_acm(int cic)
{
	struct circuit *k = circ(cic);

	if (!k || !k->call || k->acm_sent)
		return;
	if (isup_acm(g_ss7, k->call) < 0)
		out("ERROR acm failed cic=%d", cic);
	k->acm_sent = 1;
}

static void do_answer(int cic)
{
	struct circuit *k = circ(cic);

	if (!k || !k->call || !k->busy || !k->inbound) {
		out("ERROR no inbound call on cic %d", cic);
		return;
	}
	send_acm(cic);
	k->answer_due_ms = 0;
	if (isup_anm(g_ss7, k->call) < 0)
		out("ERROR anm failed cic=%d", cic);
}

static void do_release(int cic, int cause)
{
	struct circuit *k = circ(cic);

	if (!k || !k->call || !k->busy) {
		out("ERROR no call on cic %d", cic);
		return;
	}
	k->answer_due_ms = 0;
	if (isup_rel(g_ss7, k->call, cause) < 0)
		out("ERROR rel failed cic=%d", cic);
}

static void on_iam(ss7_event_iam *e)
{
	char ani[64], dnis[64];
	struct circuit *k = circ(e->cic);

	out("IAM cic=%d ani=%s dnis=%s", e->cic, clean(e->calling_party_num, ani, sizeof(ani)),
	    clean(e->called_party_num, dnis, sizeof(dnis)));
	if (!k) {
		out("ERROR IAM on unknown cic %d", e->cic);
		isup_rel(g_ss7, e->call, 44); /* requested circuit not available */
		return;
	}
	if (k->call && k->call != e->call)
		isup_free_call(g_ss7, k->call);
	k->call = e->call;
	k->busy = 1;
	k->inbound = 1;
	k->acm_sent = 0;
	switch (g_auto) {
	case AUTO_NONE:
		break;
	case AUTO_REJECT:
		do_release(e->cic, g_reject_cause);
		break;
	case AUTO_ANSWER:
		send_acm(e->cic);
		if (g_answer_delay_ms > 0)
			k->answer_due_ms = now_ms() + g_answer_delay_ms;
		else
			do_answer(e->cic);
		break;
	}
}

/* GRS received: every circuit in the range is idle again; answer GRA. */
static void on_grs(ss7_event_cicrange *e)
{
	unsigned char status[255];
	int cic;

	out("GRS cic=%d range=%d", e->startcic, e->endcic - e->startcic);
	memset(status, 0, sizeof(status));
	for (cic = e->startcic; cic <= e->endcic; cic++) {
		struct circuit *k = circ(cic);

		if (k && k->call && k->call != e->call)
			isup_free_call(g_ss7, k->call);
		if (k)
			memset(k, 0, sizeof(*k));
	}
	if (isup_gra(g_ss7, e->call, e->endcic, status) < 0)
		out("ERROR gra failed cic=%d", e->startcic);
	isup_free_call(g_ss7, e->call);
}

static void handle_event(ss7_event *e)
{
	char buf[64];
	struct circuit *k;

	switch (e->e) {
	case SS7_EVENT_UP:
		out("LINK_UP");
		break;
	case SS7_EVENT_DOWN:
		out("LINK_DOWN");
		memset(g_circ, 0, sizeof(g_circ)); /* libss7 dropped every call */
		break;
	case MTP2_LINK_UP:
		out("MTP2_UP");
		break;
	case MTP2_LINK_DOWN:
		out("MTP2_DOWN");
		break;
	case ISUP_EVENT_IAM:
		on_iam(&e->iam);
		break;
	case ISUP_EVENT_SAM:
		out("SAM cic=%d dnis=%s", e->sam.cic,
		    clean(e->sam.called_party_num, buf, sizeof(buf)));
		break;
	case ISUP_EVENT_ACM:
		out("ACM cic=%d", e->acm.cic);
		break;
	case ISUP_EVENT_CPG:
		out("CPG cic=%d event=%d", e->cpg.cic, e->cpg.event);
		break;
	case ISUP_EVENT_CON:
		out("CON cic=%d", e->con.cic);
		break;
	case ISUP_EVENT_ANM:
		out("ANM cic=%d", e->anm.cic);
		break;
	case ISUP_EVENT_REL:
		out("REL cic=%d cause=%d", e->rel.cic, e->rel.cause);
		if (isup_rlc(g_ss7, e->rel.call) >= 0)
			circ_idle(e->rel.cic, e->rel.call);
		break;
	case ISUP_EVENT_RLC:
		out("RLC cic=%d", e->rlc.cic);
		circ_idle(e->rlc.cic, e->rlc.call);
		break;
	case ISUP_EVENT_RSC:
		out("RSC cic=%d", e->rsc.cic);
		if (isup_rlc(g_ss7, e->rsc.call) >= 0)
			circ_idle(e->rsc.cic, e->rsc.call);
		break;
	case ISUP_EVENT_GRS:
		on_grs(&e->grs);
		break;
	case ISUP_EVENT_GRA:
		out("GRA cic=%d range=%d", e->gra.startcic, e->gra.endcic - e->gra.startcic);
		/* ANSI sends GRS twice: the record lives until the second GRA. */
		k = circ(e->gra.startcic);
		if (!isup_free_call_if_clear(g_ss7, e->gra.call) && k && k->call == e->gra.call)
			k->call = NULL;
		break;
	case ISUP_EVENT_CGB:
	case ISUP_EVENT_CGU: {
		int blocking = e->e == ISUP_EVENT_CGB;
		ss7_event_cicrange *r = blocking ? &e->cgb : &e->cgu;

		out("%s cic=%d range=%d", blocking ? "CGB" : "CGU", r->startcic,
		    r->endcic - r->startcic);
		if ((blocking ? isup_cgba(g_ss7, r->call, r->endcic, r->status)
			      : isup_cgua(g_ss7, r->call, r->endcic, r->status)) < 0)
			out("ERROR %s failed", blocking ? "cgba" : "cgua");
		circ_done_with(r->startcic, r->call);
		break;
	}
	case ISUP_EVENT_CGBA:
	case ISUP_EVENT_CGUA: {
		ss7_event_cicrange *r = e->e == ISUP_EVENT_CGBA ? &e->cgba : &e->cgua;

		out("%s cic=%d range=%d", e->e == ISUP_EVENT_CGBA ? "CGBA" : "CGUA", r->startcic,
		    r->endcic - r->startcic);
		circ_done_with(r->startcic, r->call);
		break;
	}
	case ISUP_EVENT_BLO:
		out("BLO cic=%d", e->blo.cic);
		if (isup_bla(g_ss7, e->blo.call) >= 0)
			circ_done_with(e->blo.cic, e->blo.call);
		break;
	case ISUP_EVENT_UBL:
		out("UBL cic=%d", e->ubl.cic);
		if (isup_uba(g_ss7, e->ubl.call) >= 0)
			circ_done_with(e->ubl.cic, e->ubl.call);
		break;
	case ISUP_EVENT_BLA:
		out("BLA cic=%d", e->bla.cic);
		circ_done_with(e->bla.cic, e->bla.call);
		break;
	case ISUP_EVENT_UBA:
		out("UBA cic=%d", e->uba.cic);
		circ_done_with(e->uba.cic, e->uba.call);
		break;
	case ISUP_EVENT_UCIC:
		out("UCIC cic=%d", e->ucic.cic);
		break;
	default:
		out("EVENT %s", ss7_event2str(e->e));
		break;
	}
}

static void drain_events(void)
{
	ss7_event *e;

	while ((e = ss7_check_event(g_ss7)) != NULL)
		handle_event(e);
}

/* ------------------------------------------------------------- commands */

static int parse_cic(const char *s)
{
	char *end;
	long v;

	if (!s)
		return -1;
	v = strtol(s, &end, 10);
	if (*end || !circ((int)v) || v > INT_MAX)
		return -1;
	return (int)v;
}

static void cmd_call(int cic, const char *number, const char *cli)
{
	struct circuit *k = circ(cic);
	struct isup_call *c;

	if (!number) {
		out("ERROR usage: call CIC NUMBER [CLI]");
		return;
	}
	if (k->busy) {
		out("ERROR cic %d busy", cic);
		return;
	}
	if (k->call) {
		isup_free_call(g_ss7, k->call);
		k->call = NULL;
	}
	c = isup_new_call(g_ss7, cic, g_dpc, 1);
	if (!c) {
		out("ERROR isup_new_call failed");
		return;
	}
	isup_set_called(c, number, SS7_NAI_NATIONAL, g_ss7);
	if (cli)
		isup_set_calling(c, cli, SS7_NAI_NATIONAL, SS7_PRESENTATION_ALLOWED,
				 SS7_SCREENING_USER_PROVIDED);
	isup_set_calling_party_category(c, 10); /* ordinary subscriber */
	memset(k, 0, sizeof(*k));
	k->call = c;
	k->busy = 1;
	if (isup_iam(g_ss7, c) < 0) {
		out("ERROR iam failed cic=%d", cic);
		return;
	}
	out("CALLING cic=%d", cic);
}

/* Returns 1 when the program should stop. */
static int handle_command(char *line)
{
	char *argv[8];
	int argc = 0, cic;
	char *save = NULL, *tok;
	struct isup_call *c;

	for (tok = strtok_r(line, " \t\r", &save); tok && argc < 8;
	     tok = strtok_r(NULL, " \t\r", &save))
		argv[argc++] = tok;
	if (argc == 0)
		return 0;
	if (!strcmp(argv[0], "quit"))
		return 1;
	if (strcmp(argv[0], "call") && strcmp(argv[0], "answer") && strcmp(argv[0], "ring") &&
	    strcmp(argv[0], "hangup") && strcmp(argv[0], "grs") && strcmp(argv[0], "blo") &&
	    strcmp(argv[0], "ubl") && strcmp(argv[0], "rsc")) {
		out("ERROR unknown command %s", argv[0]);
		return 0;
	}
	cic = parse_cic(argc > 1 ? argv[1] : NULL);
	if (cic < 0) {
		out("ERROR no such cic %s", argc > 1 ? argv[1] : "(missing)");
		return 0;
	}
	if (!strcmp(argv[0], "call")) {
		cmd_call(cic, argc > 2 ? argv[2] : NULL, argc > 3 ? argv[3] : NULL);
	} else if (!strcmp(argv[0], "answer")) {
		do_answer(cic);
	} else if (!strcmp(argv[0], "ring")) {
		if (!circ(cic)->busy || !circ(cic)->inbound)
			out("ERROR no inbound call on cic %d", cic);
		else
			send_acm(cic);
	} else if (!strcmp(argv[0], "hangup")) {
		do_release(cic, argc > 2 ? atoi(argv[2]) : 16);
	} else if (!strcmp(argv[0], "grs")) {
		int range = argc > 2 ? atoi(argv[2]) : 0;

		if (range < 1 || range > 31 || !circ(cic + range)) {
			out("ERROR grs range must be 1..31 within our circuits");
			return 0;
		}
		c = call_for(cic);
		if (!c || isup_grs(g_ss7, c, cic + range) < 0)
			out("ERROR grs failed cic=%d", cic);
	} else {
		c = call_for(cic);
		if (!c) {
			out("ERROR isup_new_call failed");
			return 0;
		}
		if (!strcmp(argv[0], "blo") ? isup_blo(g_ss7, c) < 0
		    : !strcmp(argv[0], "ubl") ? isup_ubl(g_ss7, c) < 0
					      : isup_rsc(g_ss7, c) < 0)
			out("ERROR %s failed cic=%d", argv[0], cic);
	}
	return 0;
}

/* ---------------------------------------------------------------- timers */

static void run_own_timers(void)
{
	long long now = now_ms();
	int i;

	for (i = 0; i < g_circuits; i++)
		if (g_circ[i].answer_due_ms && g_circ[i].answer_due_ms <= now)
			do_answer(g_cic_base + i);
}

static void run_lib_timers(void)
{
	struct timeval *tv = ss7_schedule_next(g_ss7);
	struct timeval cur;

	if (!tv)
		return;
	gettimeofday(&cur, NULL);
	if (timercmp(tv, &cur, >))
		return;
	ss7_schedule_run(g_ss7);
}

/* Milliseconds until the next libss7 or own timer, -1 for none. */
static int next_timeout(void)
{
	long long now = now_ms(), best = -1;
	struct timeval *tv = ss7_schedule_next(g_ss7);
	int i;

	if (tv) {
		struct timeval cur;
		long long d;

		gettimeofday(&cur, NULL);
		d = (long long)(tv->tv_sec - cur.tv_sec) * 1000 + (tv->tv_usec - cur.tv_usec) / 1000;
		best = d < 0 ? 0 : d + 1;
	}
	for (i = 0; i < g_circuits; i++) {
		long long d;

		if (!g_circ[i].answer_due_ms)
			continue;
		d = g_circ[i].answer_due_ms - now;
		if (d < 0)
			d = 0;
		if (best < 0 || d < best)
			best = d;
	}
	if (best > INT_MAX)
		best = INT_MAX;
	return (int)best;
}

/* ------------------------------------------------------------------ main */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ss7peer (--socket PATH | --fd N) [--variant itu|ansi] [--opc PC] [--dpc PC]\n"
		"               [--cic-base N] [--circuits N] [--ni int|nat|0-3]\n"
		"               [--auto answer|reject:CAUSE|none] [--answer-delay-ms N]\n"
		"stdin commands: call CIC NUMBER [CLI] | answer CIC | ring CIC | hangup CIC CAUSE\n"
		"                | grs CIC RANGE | blo CIC | ubl CIC | rsc CIC | quit\n");
}

static int parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 0);
	return !*s || *end || errno || *v > max ? -1 : 0;
}

static int open_link(const char *path, int fd)
{
	struct sockaddr_un sa;
	int pair[2];

	if (path) {
		g_ext = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (g_ext < 0) {
			out("ERROR socket %s", strerror(errno));
			return -1;
		}
		memset(&sa, 0, sizeof(sa));
		sa.sun_family = AF_UNIX;
		if (strlen(path) >= sizeof(sa.sun_path)) {
			out("ERROR socket path too long");
			return -1;
		}
		strcpy(sa.sun_path, path);
		if (connect(g_ext, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			fprintf(stderr, "ss7peer: connect %s: %s\n", path, strerror(errno));
			out("ERROR connect %s", strerror(errno));
			return -1;
		}
	} else {
		if (fcntl(fd, F_GETFD) < 0) {
			out("ERROR bad --fd %d", fd);
			return -1;
		}
		g_ext = fd;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
		out("ERROR socketpair %s", strerror(errno));
		return -1;
	}
	g_lib = pair[0];
	g_inner = pair[1];
	fcntl(g_lib, F_SETFL, fcntl(g_lib, F_GETFL) | O_NONBLOCK);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "fd", required_argument, NULL, 'f' },
		{ "variant", required_argument, NULL, 'v' },
		{ "opc", required_argument, NULL, 'o' },
		{ "dpc", required_argument, NULL, 'p' },
		{ "cic-base", required_argument, NULL, 'b' },
		{ "circuits", required_argument, NULL, 'c' },
		{ "ni", required_argument, NULL, 'n' },
		{ "auto", required_argument, NULL, 'a' },
		{ "answer-delay-ms", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL, *dbg;
	char line[LINE_MAX_LEN];
	size_t line_len = 0;
	int opt, stdin_open = 1, fd = -1, ni = SS7_NI_NAT;
	unsigned long v;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			path = optarg;
			break;
		case 'f':
			if (parse_uint(optarg, INT_MAX, &v))
				goto bad;
			fd = (int)v;
			break;
		case 'v':
			if (!strcmp(optarg, "itu"))
				g_variant = SS7_ITU;
			else if (!strcmp(optarg, "ansi"))
				g_variant = SS7_ANSI;
			else
				goto bad;
			break;
		case 'o':
		case 'p':
			if (parse_uint(optarg, 0xffffff, &v))
				goto bad;
			if (opt == 'o')
				g_opc = (unsigned)v;
			else
				g_dpc = (unsigned)v;
			break;
		case 'b':
			if (parse_uint(optarg, 0x3fff, &v))
				goto bad;
			g_cic_base = (int)v;
			break;
		case 'c':
			if (parse_uint(optarg, MAX_CIRCUITS, &v) || v == 0)
				goto bad;
			g_circuits = (int)v;
			break;
		case 'n':
			if (!strcmp(optarg, "int"))
				ni = SS7_NI_INT;
			else if (!strcmp(optarg, "nat"))
				ni = SS7_NI_NAT;
			else if (!parse_uint(optarg, 3, &v))
				ni = (int)v;
			else
				goto bad;
			break;
		case 'a':
			if (!strcmp(optarg, "answer"))
				g_auto = AUTO_ANSWER;
			else if (!strcmp(optarg, "none"))
				g_auto = AUTO_NONE;
			else if (!strncmp(optarg, "reject:", 7) && !parse_uint(optarg + 7, 127, &v)) {
				g_auto = AUTO_REJECT;
				g_reject_cause = (int)v;
			} else
				goto bad;
			break;
		case 'd':
			if (parse_uint(optarg, 3600000, &v))
				goto bad;
			g_answer_delay_ms = (long)v;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc || (!path) == (fd < 0)) {
		usage(stderr);
		return 1;
	}
	if (g_variant == SS7_ITU && (g_opc > 0x3fff || g_dpc > 0x3fff)) {
		fprintf(stderr, "ss7peer: ITU point codes are 14 bits\n");
		return 1;
	}
	if (open_link(path, fd) < 0)
		return 2;

	ss7_set_message(lib_text);
	ss7_set_error(lib_text);
	ss7_set_hangup(hangup_cb);
	ss7_set_call_null(call_null_cb);
	ss7_set_notinservice(not_in_service_cb);
	g_ss7 = ss7_new(g_variant);
	if (!g_ss7) {
		out("ERROR ss7_new failed");
		return 2;
	}
	dbg = getenv("SS7PEER_DEBUG");
	if (dbg && !strcmp(dbg, "1"))
		ss7_set_debug(g_ss7, SS7_DEBUG_MTP2 | SS7_DEBUG_MTP3 | SS7_DEBUG_ISUP);
	ss7_set_network_ind(g_ss7, ni);
	ss7_set_pc(g_ss7, g_opc);
	if (ss7_add_link(g_ss7, SS7_TRANSPORT_DAHDIMTP2, g_lib, 0, g_dpc)) {
		out("ERROR ss7_add_link failed");
		return 2;
	}
	ss7_start(g_ss7);
	drain_events();
	flush_out();

	for (;;) {
		struct pollfd pfd[2];
		int n = 0, res, quit = 0;

		if (g_sock_dead) {
			out("ERROR socket closed");
			return 2;
		}
		pfd[n].fd = g_ext;
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
			fprintf(stderr, "ss7peer: poll: %s\n", strerror(errno));
			return 2;
		}
		if (pfd[0].revents) {
			unsigned char su[SU_MAX + 2];

			for (;;) {
				ssize_t got = recv(g_ext, su, sizeof(su), MSG_DONTWAIT);

				if (got < 0 && errno == EINTR)
					continue;
				if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
					break;
				if (got <= 0) {
					/* EOF (signal units are never empty) or an error */
					g_sock_dead = 1;
					break;
				}
				deliver(su, got);
				drain_events();
				flush_out();
			}
			if (g_sock_dead) {
				out("ERROR socket closed");
				return 2;
			}
		}
		if (n > 1 && pfd[1].revents) {
			ssize_t got = read(STDIN_FILENO, line + line_len, sizeof(line) - 1 - line_len);

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
					drain_events();
					flush_out();
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
		run_lib_timers();
		run_own_timers();
		drain_events();
		flush_out();
	}
	return 0;

bad:
	fprintf(stderr, "ss7peer: bad option value: %s\n", optarg);
	usage(stderr);
	return 1;
}
