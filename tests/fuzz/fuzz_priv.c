/*
 * fuzz_priv.c - the privileged parent's request handling (ikd/priv.h)
 * on arbitrary messages from the IKE process: priv_req_parse, then
 * priv_parent_handle on the "none" backend. Checks: a request that
 * parses has the exact size of its type; every reply has the 16-byte
 * header, echoes the type word and seq, and carries a body only on
 * success; a refused request always gets result -1 / EPERM.
 *
 * Input: the message. L2TP registrations are parsed but not executed
 * (they would rebuild the policy manager from live rtnetlink dumps).
 * Seeds in corpus/priv/: one valid request of each type.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ikd/priv.h"
#include "lib/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond)
{
	if (!cond)
		abort();
}

static void
quiet(enum log_level level, const char *line)
{
	(void)level;
	(void)line;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct priv_parent pp;
	static uint8_t out[PRIV_MSG_MAX];
	struct priv_req q;
	const char *why = NULL;
	uint32_t seq;
	bool ok;
	size_t n;

	if (pp.xb == NULL) {
		log_init("fuzz_priv", true, 0);
		log_set_sink(quiet);
		if ((pp.xb = xfrm_backend_new(CONF_KERNEL_NONE)) == NULL)
			abort();
		pp.l2tp_port = 1701;
	}
	if (size > PRIV_MSG_MAX)
		return 0;
	ok = priv_req_parse(data, size, &q, &seq, &why);
	check(ok || why != NULL);
	if (ok && q.type == PRIV_L2TP_REGISTER)
		return 0;
	n = priv_parent_handle(&pp, data, size, out);
	check(n >= PRIV_REPLY_HDR && n <= PRIV_MSG_MAX);
	if (size >= 8) {
		check(get32(out) == get32(data));
		check(get32(out + 4) == get32(data + 4));
	}
	if (!ok) {
		check(n == PRIV_REPLY_HDR);
		check(get32(out + 8) == 0xffffffffu);
		check(get32(out + 12) == EPERM);
	} else if (get32(out + 8) != 0)
		check(n == PRIV_REPLY_HDR && get32(out + 12) != 0);
	return 0;
}
