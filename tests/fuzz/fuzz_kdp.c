/*
 * fuzz_kdp.c - the parsers of l2tpd/kdp.c: kernel replies to
 * L2TP_CMD_TUNNEL_GET / L2TP_CMD_SESSION_GET (kdp_parse_info on each
 * message the reply walker delivers, as nl_transact does) and the frame
 * classifier of the tunnel socket (kdp_frame_classify on the raw input).
 * Checks: a parsed reply is a GET of the family with its ids; stats only
 * with has_stats; a rejected reply leaves the output zeroed; the class is
 * one of the three.
 *
 * Input: the datagram, our request as seq 7 from any port, family 0x1d
 * (the seeds in corpus/kdp/ use those).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/l2tp.h>
#include <linux/netlink.h>

#include "l2tpd/kdp.h"
#include "lib/log.h"
#include "lib/nl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_FAMILY	0x1d
#define FUZZ_SEQ	7

static void
check(int cond)
{
	if (!cond)
		abort();
}

static int
cb(const struct nlmsghdr *nlh, void *arg)
{
	static const struct kdp_info zero;
	struct kdp_info info;

	(void)arg;
	if (kdp_parse_info(nlh, FUZZ_FAMILY, &info)) {
		check(info.cmd == L2TP_CMD_TUNNEL_GET ||
		    info.cmd == L2TP_CMD_SESSION_GET);
		check(info.cmd != L2TP_CMD_SESSION_GET || info.has_session);
		if (!info.has_stats)
			check(info.stats.tx_packets == 0 &&
			    info.stats.rx_bytes == 0);
	} else
		check(memcmp(&info, &zero, sizeof(zero)) == 0);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct nl_reply r;
	enum kdp_frame f;
	uint8_t *buf;

	if (!init) {
		log_init("fuzz_kdp", true, 0);
		log_setlevel(LOG_LEVEL_WARNING);
		init = 1;
	}
	f = kdp_frame_classify(data, size);
	check(f == KDP_FRAME_CONTROL || f == KDP_FRAME_DATA ||
	    f == KDP_FRAME_BAD);
	if (size > NL_RECV_MAX)
		return 0;
	/* Exactly the datagram's size (malloc aligns it enough). */
	if ((buf = malloc(size != 0 ? size : 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	nl_reply_init(&r, FUZZ_SEQ, 0, false, cb, NULL);
	(void)nl_reply_parse(&r, buf, size);
	free(buf);
	return 0;
}
