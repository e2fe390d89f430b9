/*
 * policy_poll.c - the restart scenario's stop-watch, run inside the UML
 * lab in the server host (tests/e2e/guest/scenario.sh --restart), started
 * before ikd is killed:
 *
 *   policy_poll OLD_INDEXES OUTFILE SECS
 *
 * Every 50 ms it dumps the kernel's XFRM policies (what `ip xfrm policy`
 * shows, through ikd/xfrm.c's dump) and appends one line to OUTFILE:
 *   CS none        no inbound L2TP policy of ours
 *   CS old IDX     only the inbound L2TP policy from before the restart
 *   CS new IDX     an inbound L2TP policy whose index is not in OLD_INDEXES
 * CS is the guest uptime (CLOCK_BOOTTIME) in centiseconds, the clock of
 * the scenario's /proc/uptime. "Inbound L2TP policy of ours": dir in,
 * IPv4, any -> any, UDP destination port 1701, ESP transport template with
 * a reqid of ikd's range (what ikd/policy.c installs). OLD_INDEXES: blank-
 * or comma-separated decimal indexes. Stops at the first "new" (exit 0),
 * or after SECS seconds ("CS timeout", exit 1). A shell loop costs one
 * `ip` process per look, ~0.15 s idle and ~1 s on a loaded host in UML;
 * this keeps the 50 ms period.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ikd/xfrm.h"
#include "lib/log.h"

#define MAX_OLD	16

struct look {
	uint32_t	 old[MAX_OLD];
	size_t		 nold;
	bool		 seen_old;
	bool		 seen_new;
	uint32_t	 idx;
};

static long
now_cs(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_BOOTTIME, &ts) == -1)
		return -1;
	return (long)ts.tv_sec * 100 + ts.tv_nsec / 10000000;
}

static bool
is_old(const struct look *l, uint32_t idx)
{
	size_t i;

	for (i = 0; i < l->nold; i++)
		if (l->old[i] == idx)
			return true;
	return false;
}

static int
on_policy(const struct xfrm_policy_info *p, void *arg)
{
	struct look *l = arg;

	if (p->socket || p->dir != XFRM_DIR_IN || p->sel.family != AF_INET ||
	    p->sel.proto != IPPROTO_UDP || p->sel.src_plen != 0 ||
	    p->sel.dst_plen != 0 || p->sel.dport != 1701 ||
	    p->sel.dport_mask == 0 || p->sel.sport_mask != 0 ||
	    p->ntmpl < 1 || p->tmpl_proto != IPPROTO_ESP ||
	    !xfrm_reqid_ours(p->tmpl_reqid))
		return 0;
	if (!is_old(l, p->index)) {
		l->seen_new = true;
		l->idx = p->index;
		return 0;
	}
	if (!l->seen_new) {
		l->seen_old = true;
		l->idx = p->index;
	}
	return 0;
}

static int
parse_old(const char *s, struct look *l)
{
	char *end;
	unsigned long v;

	while (*s != '\0') {
		if (*s == ' ' || *s == ',' || *s == '\n' || *s == '\t') {
			s++;
			continue;
		}
		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno != 0 || end == s || v > UINT32_MAX ||
		    l->nold == MAX_OLD)
			return -1;
		l->old[l->nold++] = (uint32_t)v;
		s = end;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct xfrm_backend *be;
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	struct look l;
	FILE *out;
	long end, cs;
	char *e;
	unsigned long secs;

	memset(&l, 0, sizeof(l));
	if (argc != 4 || parse_old(argv[1], &l) == -1 ||
	    (secs = strtoul(argv[3], &e, 10)) == 0 || *e != '\0' ||
	    secs > 3600) {
		fprintf(stderr, "usage: policy_poll OLD_INDEXES OUTFILE SECS\n");
		return 2;
	}
	log_init("policy_poll", true, 0);
	if ((out = fopen(argv[2], "w")) == NULL) {
		perror(argv[2]);
		return 2;
	}
	setvbuf(out, NULL, _IOLBF, 0);
	if ((be = xfrm_backend_new(CONF_KERNEL_XFRM)) == NULL)
		return 2;
	end = now_cs() + (long)secs * 100;
	for (;;) {
		l.seen_old = l.seen_new = false;
		l.idx = 0;
		if (xfrm_policy_dump(be, on_policy, &l) == -1) {
			perror("xfrm_policy_dump");
			xfrm_backend_free(be);
			fclose(out);
			return 2;
		}
		cs = now_cs();
		if (l.seen_new) {
			fprintf(out, "%ld new %u\n", cs, l.idx);
			break;
		}
		if (l.seen_old)
			fprintf(out, "%ld old %u\n", cs, l.idx);
		else
			fprintf(out, "%ld none\n", cs);
		if (cs >= end) {
			fprintf(out, "%ld timeout\n", cs);
			xfrm_backend_free(be);
			fclose(out);
			return 1;
		}
		(void)nanosleep(&pause, NULL);
	}
	xfrm_backend_free(be);
	return fclose(out) == 0 ? 0 : 2;
}
