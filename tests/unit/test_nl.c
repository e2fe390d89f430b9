/*
 * test_nl.c - netlink helper: request building at capacity (sticky
 * overflow, nothing written past the buffer), attribute parsing (valid
 * attributes, every truncation length, length fields at -1/0/+1, policy
 * widths, nests), reply walking (ACK, error with extended-ack text, DONE,
 * other sequences and ports ignored, malformed framing), and a few
 * read-only live requests (RTM_GETADDR dump, extended ack from a strict
 * dump check, XFRM_MSG_GETSA dump, nlctrl lookup, events).
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/xfrm.h>

#include "lib/log.h"
#include "lib/nl.h"
#include "tests/unit/logcap.h"

/*
 * Crafted messages.
 */

struct mbuf {
	_Alignas(8) uint8_t	 b[4096];
	size_t			 len;
};

static void
m_init(struct mbuf *m)
{
	memset(m, 0, sizeof(*m));
}

static void
m_put(struct mbuf *m, const void *p, size_t n)
{
	assert_true(m->len + n + 3 <= sizeof(m->b));
	memcpy(m->b + m->len, p, n);
	m->len += n;
	while (m->len % 4 != 0)
		m->b[m->len++] = 0;
}

/* Start a message; returns its offset for m_end. */
static size_t
m_hdr(struct mbuf *m, uint16_t type, uint16_t flags, uint32_t seq,
    uint32_t pid)
{
	struct nlmsghdr h;
	size_t off = m->len;

	memset(&h, 0, sizeof(h));
	h.nlmsg_type = type;
	h.nlmsg_flags = flags;
	h.nlmsg_seq = seq;
	h.nlmsg_pid = pid;
	m_put(m, &h, sizeof(h));
	return off;
}

static void
m_end(struct mbuf *m, size_t off)
{
	uint32_t len = (uint32_t)(m->len - off);

	memcpy(m->b + off, &len, sizeof(len));
}

/* An attribute; returns its offset. */
static size_t
m_attr(struct mbuf *m, uint16_t type, const void *p, size_t n)
{
	struct nlattr a;
	size_t off = m->len;

	a.nla_len = (uint16_t)(NLA_HDRLEN + n);
	a.nla_type = type;
	memcpy(m->b + m->len, &a, sizeof(a));
	m->len += sizeof(a);
	if (n > 0)
		m_put(m, p, n);
	return off;
}

static size_t
m_attr_u32(struct mbuf *m, uint16_t type, uint32_t v)
{
	return m_attr(m, type, &v, sizeof(v));
}

static void
m_set_nla_len(struct mbuf *m, size_t off, uint16_t len)
{
	memcpy(m->b + off, &len, sizeof(len));
}

static void
m_set_nlmsg_len(uint8_t *msg, uint32_t len)
{
	memcpy(msg, &len, sizeof(len));
}

/* Copy of the first n bytes in a heap block of exactly n bytes. */
static uint8_t *
exact_copy(const uint8_t *p, size_t n)
{
	uint8_t *c = malloc(n > 0 ? n : 1);

	assert_non_null(c);
	memcpy(c, p, n);
	return c;
}

/*
 * Test attribute set: a family header of 8 bytes, then these.
 */
enum {
	TA_UNSPEC,
	TA_U8,
	TA_U16,
	TA_U32,
	TA_U64,
	TA_STR,
	TA_BIN,
	TA_FLAG,
	TA_NEST,
	TA_IGNORED,
	TA_MAX = TA_IGNORED
};

enum {
	TN_UNSPEC,
	TN_ID,
	TN_NAME,
	TN_MAX = TN_NAME
};

#define EXTRA_LEN	8

static const struct nl_attr_policy ta_policy[TA_MAX + 1] = {
	[TA_U8] = { NL_ATTR_U8, 0, 0 },
	[TA_U16] = { NL_ATTR_U16, 0, 0 },
	[TA_U32] = { NL_ATTR_U32, 0, 0 },
	[TA_U64] = { NL_ATTR_U64, 0, 0 },
	[TA_STR] = { NL_ATTR_STRING, 2, 16 },
	[TA_BIN] = { NL_ATTR_BINARY, 4, 16 },
	[TA_FLAG] = { NL_ATTR_FLAG, 0, 0 },
	[TA_NEST] = { NL_ATTR_NESTED, 0, 0 },
	/* TA_IGNORED stays NL_ATTR_UNSPEC */
};

static const struct nl_attr_policy tn_policy[TN_MAX + 1] = {
	[TN_ID] = { NL_ATTR_U32, 0, 0 },
	[TN_NAME] = { NL_ATTR_STRING, 1, 0 },
};

/*
 * Attribute ends of the valid message, for the truncation test: pairs of
 * (end without padding, end with padding); a cut anywhere in between is
 * a whole attribute.
 */
static size_t bounds[32];
static size_t nbounds;

static void
bound(const struct mbuf *m, size_t unaligned_end)
{
	bounds[nbounds++] = unaligned_end;
	bounds[nbounds++] = m->len;
}

/* A valid reply: every kind once, a nest, an unknown type, an unused one. */
static size_t
build_valid(struct mbuf *m, uint32_t seq)
{
	static const uint8_t extra[EXTRA_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t bin[6] = { 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02 };
	uint8_t u8 = 0xa5;
	uint16_t u16 = 0xbeef;
	uint64_t u64 = 0x0102030405060708ULL;
	size_t h, nest;

	nbounds = 0;
	h = m_hdr(m, 0x20, 0, seq, 0);
	m_put(m, extra, sizeof(extra));
	bound(m, m->len);
	m_attr(m, TA_U8, &u8, 1);
	bound(m, m->len - 3);
	m_attr(m, TA_U16, &u16, 2);
	bound(m, m->len - 2);
	m_attr_u32(m, TA_U32, 0xcafef00d);
	bound(m, m->len);
	m_attr(m, TA_U64, &u64, 8);
	bound(m, m->len);
	m_attr(m, TA_STR, "lo", 3);
	bound(m, m->len - 1);
	m_attr(m, TA_BIN, bin, sizeof(bin));
	bound(m, m->len - 2);
	m_attr(m, TA_FLAG, NULL, 0);
	bound(m, m->len);
	nest = m_attr(m, TA_NEST | NLA_F_NESTED, NULL, 0);
	m_attr_u32(m, TN_ID, 77);
	m_attr(m, TN_NAME, "inner", 6);
	m_set_nla_len(m, nest, (uint16_t)(m->len - nest));
	bound(m, m->len);
	m_attr_u32(m, TA_IGNORED, 1);
	bound(m, m->len);
	m_attr_u32(m, 200, 2);
	bound(m, m->len);
	m_end(m, h);
	return h;
}

static void
check_valid_tb(const struct nlattr **tb)
{
	const struct nlattr *tn[TN_MAX + 1];

	assert_non_null(tb[TA_U8]);
	assert_int_equal(nl_attr_get_u8(tb[TA_U8]), 0xa5);
	assert_int_equal(nl_attr_get_u16(tb[TA_U16]), 0xbeef);
	assert_int_equal(nl_attr_get_u32(tb[TA_U32]), 0xcafef00d);
	assert_true(nl_attr_get_u64(tb[TA_U64]) == 0x0102030405060708ULL);
	assert_string_equal(nl_attr_get_str(tb[TA_STR]), "lo");
	assert_int_equal(nl_attr_len(tb[TA_BIN]), 6);
	assert_memory_equal(nl_attr_data(tb[TA_BIN]), "\xde\xad\xbe\xef", 4);
	assert_non_null(tb[TA_FLAG]);
	assert_int_equal(nl_attr_len(tb[TA_FLAG]), 0);
	assert_non_null(tb[TA_NEST]);
	assert_int_equal(nl_attr_type(tb[TA_NEST]), TA_NEST);
	assert_null(tb[TA_IGNORED]);
	assert_true(nl_attr_parse_nested(tb[TA_NEST], tn_policy, TN_MAX, tn));
	assert_int_equal(nl_attr_get_u32(tn[TN_ID]), 77);
	assert_string_equal(nl_attr_get_str(tn[TN_NAME]), "inner");
}

/*
 * Requests.
 */

/* Build with every put, then parse the request back with the policy. */
static void
test_req_roundtrip(void **state)
{
	static struct nl_req req;
	const struct nlattr *tb[TA_MAX + 1];
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	uint8_t *extra;

	(void)state;
	nl_req_init(&req, XFRM_MSG_NEWSA, NLM_F_CREATE | NLM_F_EXCL);
	extra = nl_req_put_extra_header(&req, EXTRA_LEN);
	assert_non_null(extra);
	assert_int_equal((uintptr_t)extra % 8, 0);
	memset(extra, 0x11, EXTRA_LEN);
	nl_req_put_u8(&req, TA_U8, 0xa5);
	nl_req_put_u16(&req, TA_U16, 0xbeef);
	nl_req_put_u32(&req, TA_U32, 0xcafef00d);
	nl_req_put_u64(&req, TA_U64, 0x0102030405060708ULL);
	nl_req_put_strz(&req, TA_STR, "lo");
	nl_req_put(&req, TA_BIN, 6, "\xde\xad\xbe\xef\x01\x02");
	nl_req_put_flag(&req, TA_FLAG);
	nest = nl_req_nest_start(&req, TA_NEST);
	assert_non_null(nest);
	nl_req_put_u32(&req, TN_ID, 77);
	nl_req_put_strz(&req, TN_NAME, "inner");
	nl_req_nest_end(&req, nest);
	assert_true(nl_req_ok(&req));

	nlh = nl_req_hdr(&req);
	assert_int_equal(nlh->nlmsg_type, XFRM_MSG_NEWSA);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK |
	    NLM_F_CREATE | NLM_F_EXCL);
	assert_int_equal(nl_req_len(&req), nlh->nlmsg_len);
	assert_int_equal(nl_req_len(&req) % 4, 0);
	assert_true(nl_attr_parse(nlh, EXTRA_LEN, ta_policy, TA_MAX, tb));
	check_valid_tb(tb);
	assert_true(nl_attr_type(tb[TA_NEST]) == TA_NEST);

	/* genl header */
	nl_req_init(&req, 0x1a, 0);
	nl_req_put_genl(&req, 3, 1);
	nl_req_put_strz(&req, TN_NAME, "l2tp");
	assert_true(nl_req_ok(&req));
	assert_int_equal(nl_req_len(&req), NLMSG_HDRLEN + GENL_HDRLEN + 12);
	assert_int_equal(req.buf[NLMSG_HDRLEN], 3);
	assert_int_equal(req.buf[NLMSG_HDRLEN + 1], 1);
}

struct guarded_req {
	struct nl_req	 req;
	uint8_t		 guard[256];
};

static void
check_guard(const struct guarded_req *g)
{
	for (size_t i = 0; i < sizeof(g->guard); i++)
		assert_int_equal(g->guard[i], 0x5a);
}

/* Filling the buffer: exact fit succeeds, one more fails and sticks. */
static void
test_req_overflow(void **state)
{
	static struct guarded_req g;
	static uint8_t big[70000];
	struct nl_req *req = &g.req;
	size_t len;

	(void)state;
	memset(big, 0x77, sizeof(big));
	memset(g.guard, 0x5a, sizeof(g.guard));
	nl_req_init(req, RTM_GETADDR, NLM_F_DUMP);
	assert_non_null(nl_req_put_extra_header(req, 8));
	/* 16 + 8 + 8 * 1004 = 8056; 136 left */
	for (int i = 0; i < 8; i++)
		nl_req_put(req, 1, 1000, big);
	assert_true(nl_req_ok(req));
	assert_int_equal(nl_req_len(req), 8056);
	/* 4 + 132 = 136: exactly full */
	nl_req_put(req, 2, 132, big);
	assert_true(nl_req_ok(req));
	assert_int_equal(nl_req_len(req), NL_REQ_MAX);
	/* one more, even empty, does not fit */
	nl_req_put_flag(req, 3);
	assert_false(nl_req_ok(req));
	assert_int_equal(nl_req_len(req), NL_REQ_MAX);
	check_guard(&g);

	/* sticky: nothing below changes the request */
	len = nl_req_len(req);
	nl_req_put_u8(req, 4, 1);
	assert_null(nl_req_nest_start(req, 5));
	nl_req_nest_end(req, NULL);
	assert_null(nl_req_put_extra_header(req, 4));
	assert_false(nl_req_ok(req));
	assert_int_equal(nl_req_len(req), len);
	check_guard(&g);

	/* one byte too many on the last attribute */
	nl_req_init(req, RTM_GETADDR, 0);
	assert_true(nl_req_ok(req));
	nl_req_put(req, 1, NL_REQ_MAX - NLMSG_HDRLEN - NLA_HDRLEN, big);
	assert_true(nl_req_ok(req));
	nl_req_init(req, RTM_GETADDR, 0);
	nl_req_put(req, 1, NL_REQ_MAX - NLMSG_HDRLEN - NLA_HDRLEN + 1, big);
	assert_false(nl_req_ok(req));
	assert_int_equal(nl_req_len(req), NLMSG_HDRLEN);
	/* then a small put is still refused */
	nl_req_put_u8(req, 1, 1);
	assert_int_equal(nl_req_len(req), NLMSG_HDRLEN);
	check_guard(&g);

	/* longer than nla_len can say */
	nl_req_init(req, RTM_GETADDR, 0);
	nl_req_put(req, 1, sizeof(big), big);
	assert_false(nl_req_ok(req));
	check_guard(&g);

	/* a string that does not fit */
	big[sizeof(big) - 1] = '\0';
	nl_req_init(req, RTM_GETADDR, 0);
	nl_req_put_strz(req, 1, (const char *)big);
	assert_false(nl_req_ok(req));

	/* NULL data with a length is misuse */
	nl_req_init(req, RTM_GETADDR, 0);
	nl_req_put(req, 1, 4, NULL);
	assert_false(nl_req_ok(req));

	/* extra header: too large, or after an attribute */
	nl_req_init(req, RTM_GETADDR, 0);
	assert_null(nl_req_put_extra_header(req, NL_REQ_MAX));
	assert_false(nl_req_ok(req));
	nl_req_init(req, RTM_GETADDR, 0);
	assert_non_null(nl_req_put_extra_header(req,
	    NL_REQ_MAX - NLMSG_HDRLEN));
	assert_true(nl_req_ok(req));
	nl_req_init(req, RTM_GETADDR, 0);
	nl_req_put_u32(req, 1, 1);
	assert_null(nl_req_put_extra_header(req, 4));
	assert_false(nl_req_ok(req));

	/* a nest that overflows inside: end is a no-op */
	nl_req_init(req, RTM_GETADDR, 0);
	{
		struct nlattr *nest = nl_req_nest_start(req, 1);

		assert_non_null(nest);
		nl_req_put(req, 2, NL_REQ_MAX, big);
		nl_req_nest_end(req, nest);
		assert_false(nl_req_ok(req));
		assert_int_equal(nl_req_len(req), NLMSG_HDRLEN + NLA_HDRLEN);
	}
	check_guard(&g);
}

/* nl_transact refuses an overflowed request without sending it. */
static void
test_req_overflow_not_sent(void **state)
{
	static struct nl_req req;
	static uint8_t big[NL_REQ_MAX];
	struct nl_sock *s;

	(void)state;
	if ((s = nl_open(NETLINK_ROUTE, 0)) == NULL)
		skip();
	nl_req_init(&req, RTM_GETADDR, NLM_F_DUMP);
	nl_req_put(&req, 1, sizeof(big), big);
	assert_int_equal(nl_transact(s, &req, NULL, NULL), -1);
	assert_int_equal(errno, EMSGSIZE);
	assert_non_null(strstr(logcap_last(), "GETADDR"));
	nl_close(s);
	nl_close(NULL);
}

/*
 * Attribute parsing.
 */

static void
test_attr_parse_valid(void **state)
{
	static struct mbuf m;
	const struct nlattr *tb[TA_MAX + 1];
	const struct nlmsghdr *nlh;

	(void)state;
	m_init(&m);
	build_valid(&m, 1);
	nlh = (const void *)m.b;
	assert_true(nl_attr_parse(nlh, EXTRA_LEN, ta_policy, TA_MAX, tb));
	check_valid_tb(tb);

	/* an unaligned family header size still finds the attributes */
	assert_true(nl_attr_parse(nlh, EXTRA_LEN - 1, ta_policy, TA_MAX, tb));
	assert_non_null(tb[TA_U8]);
	/* a family header longer than the message */
	assert_false(nl_attr_parse(nlh, m.len, ta_policy, TA_MAX, tb));
	assert_null(tb[TA_U8]);
	/* maxtype below some types: those are skipped */
	assert_true(nl_attr_parse(nlh, EXTRA_LEN, ta_policy, TA_U16, tb));
	assert_int_equal(nl_attr_get_u16(tb[TA_U16]), 0xbeef);
	assert_string_equal(nl_attr_kind_name(NL_ATTR_U64), "u64");

	/* family header copy-out */
	{
		uint8_t extra[EXTRA_LEN + 1];

		assert_true(nl_msg_get_extra(nlh, extra, EXTRA_LEN));
		assert_memory_equal(extra, "\x01\x02\x03\x04", 4);
		assert_true(nl_msg_get_extra(nlh, extra, 0));
		m_set_nlmsg_len(m.b, NLMSG_HDRLEN + EXTRA_LEN - 1);
		assert_false(nl_msg_get_extra(nlh, extra, EXTRA_LEN));
		m_set_nlmsg_len(m.b, NLMSG_HDRLEN - 1);
		assert_false(nl_msg_get_extra(nlh, extra, 0));
	}
}

/*
 * Every truncation of the message: parse succeeds exactly when the cut
 * falls on an attribute end (in or after its padding), and
 * then holds only the attributes before it. The copy is exactly n bytes
 * so any read past it is caught by the sanitizer.
 */
static void
test_attr_parse_truncation(void **state)
{
	static struct mbuf m;
	const struct nlattr *tb[TA_MAX + 1];
	size_t n, i;

	(void)state;
	m_init(&m);
	build_valid(&m, 1);
	for (n = NLMSG_HDRLEN; n < m.len; n++) {
		uint8_t *c = exact_copy(m.b, n);
		bool want = false, got;

		for (i = 0; i < nbounds; i += 2)
			if (bounds[i] <= n && n <= bounds[i + 1])
				want = true;
		m_set_nlmsg_len(c, (uint32_t)n);
		got = nl_attr_parse((const void *)c, EXTRA_LEN, ta_policy,
		    TA_MAX, tb);
		if (got != want)
			fail_msg("truncated at %zu: parse %d, want %d", n, got,
			    want);
		if (got && n < bounds[4])
			assert_null(tb[TA_U16]);
		if (got && n >= bounds[2])
			assert_non_null(tb[TA_U8]);
		free(c);
	}
}

/*
 * The datagram walker on every truncation of data + DONE: only the exact
 * message boundaries are well-formed.
 */
static int
count_cb(const struct nlmsghdr *nlh, void *arg)
{
	unsigned int *n = arg;

	(void)nlh;
	(*n)++;
	return 0;
}

static void
test_reply_truncation(void **state)
{
	static struct mbuf m;
	struct nl_reply r;
	size_t first, n, h;
	int zero = 0;
	unsigned int calls;

	(void)state;
	m_init(&m);
	build_valid(&m, 7);
	first = m.len;
	h = m_hdr(&m, NLMSG_DONE, NLM_F_MULTI, 7, 0);
	m_put(&m, &zero, sizeof(zero));
	m_end(&m, h);
	for (n = 0; n <= m.len; n++) {
		uint8_t *c = exact_copy(m.b, n);
		bool ok;

		calls = 0;
		nl_reply_init(&r, 7, 0, false, count_cb, &calls);
		ok = nl_reply_parse(&r, c, n);
		if (n == 0 || n == first || n == m.len)
			assert_true(ok);
		else
			assert_false(ok);
		assert_int_equal(calls, n >= first ? 1 : 0);
		assert_int_equal(r.done, n == m.len);
		free(c);
	}
}

/* nla_len at -1, exact, +1; in the middle and at the end. */
static void
test_attr_len_boundary(void **state)
{
	static struct mbuf m;
	const struct nlattr *tb[TA_MAX + 1];
	const struct nlmsghdr *nlh = (const void *)m.b;
	size_t h, a, b;
	uint64_t u64 = 1;
	int d;

	(void)state;
	for (d = -1; d <= 1; d++) {
		/* middle: u32 then u64 */
		m_init(&m);
		h = m_hdr(&m, 0x20, 0, 1, 0);
		m_put(&m, "12345678", EXTRA_LEN);
		a = m_attr_u32(&m, TA_U32, 5);
		m_attr(&m, TA_U64, &u64, sizeof(u64));
		m_end(&m, h);
		m_set_nla_len(&m, a, (uint16_t)(NLA_HDRLEN + 4 + d));
		assert_int_equal(nl_attr_parse(nlh, EXTRA_LEN, ta_policy,
		    TA_MAX, tb), d == 0);

		/* end: u8 then u32 */
		m_init(&m);
		h = m_hdr(&m, 0x20, 0, 1, 0);
		m_put(&m, "12345678", EXTRA_LEN);
		m_attr(&m, TA_U8, "x", 1);
		b = m_attr_u32(&m, TA_U32, 5);
		m_end(&m, h);
		m_set_nla_len(&m, b, (uint16_t)(NLA_HDRLEN + 4 + d));
		assert_int_equal(nl_attr_parse(nlh, EXTRA_LEN, ta_policy,
		    TA_MAX, tb), d == 0);

		/* end, binary: -1 is a shorter payload in padding, +1 past */
		m_init(&m);
		h = m_hdr(&m, 0x20, 0, 1, 0);
		m_put(&m, "12345678", EXTRA_LEN);
		b = m_attr(&m, TA_BIN, "abcdefgh", 8);
		m_end(&m, h);
		m_set_nla_len(&m, b, (uint16_t)(NLA_HDRLEN + 8 + d));
		assert_int_equal(nl_attr_parse(nlh, EXTRA_LEN, ta_policy,
		    TA_MAX, tb), d <= 0);
		if (d <= 0)
			assert_int_equal(nl_attr_len(tb[TA_BIN]), 8 + d);
	}

	/* below the attribute header: 0 (no endless loop), 3; 4 is empty */
	m_init(&m);
	h = m_hdr(&m, 0x20, 0, 1, 0);
	m_put(&m, "12345678", EXTRA_LEN);
	b = m_attr(&m, TA_BIN, "abcd", 4);
	m_end(&m, h);
	m_set_nla_len(&m, b, 0);
	assert_false(nl_attr_parse(nlh, EXTRA_LEN, ta_policy, TA_MAX, tb));
	m_set_nla_len(&m, b, 3);
	assert_false(nl_attr_parse(nlh, EXTRA_LEN, ta_policy, TA_MAX, tb));
	/* 4: an empty attribute, below the binary minimum of 4 bytes */
	m_set_nla_len(&m, b, 4);
	assert_false(nl_attr_parse(nlh, EXTRA_LEN, ta_policy, TA_MAX, tb));

	/* nlmsg_len at -1/0/+1 against the datagram */
	for (d = -1; d <= 1; d++) {
		struct nl_reply r;
		uint32_t len;

		m_init(&m);
		build_valid(&m, 1);
		len = (uint32_t)m.len;
		m_set_nlmsg_len(m.b, (uint32_t)(len + d));
		nl_reply_init(&r, 1, 0, false, NULL, NULL);
		assert_int_equal(nl_reply_parse(&r, m.b, m.len), d <= 0);
		assert_int_equal(nl_attr_parse(nlh, EXTRA_LEN, ta_policy,
		    TA_MAX, tb), d == 0);
		m_set_nlmsg_len(m.b, len);
	}
}

/* Parse one attribute of `type` with payload p[0..n) under ta_policy. */
static bool
parse_one(uint16_t type, const void *p, size_t n)
{
	static struct mbuf m;
	const struct nlattr *tb[TA_MAX + 1];
	size_t h;

	m_init(&m);
	h = m_hdr(&m, 0x20, 0, 1, 0);
	m_put(&m, "12345678", EXTRA_LEN);
	m_attr(&m, type, p, n);
	m_end(&m, h);
	return nl_attr_parse((const void *)m.b, EXTRA_LEN, ta_policy, TA_MAX,
	    tb);
}

static void
test_attr_policy(void **state)
{
	static const uint8_t z[32];
	static struct mbuf m;
	const struct nlattr *tb[TA_MAX + 1];
	size_t h;

	(void)state;
	/* integers: exactly their width */
	assert_true(parse_one(TA_U8, z, 1));
	assert_false(parse_one(TA_U8, z, 0));
	assert_false(parse_one(TA_U8, z, 2));
	assert_true(parse_one(TA_U16, z, 2));
	assert_false(parse_one(TA_U16, z, 1));
	assert_false(parse_one(TA_U16, z, 4));
	assert_true(parse_one(TA_U32, z, 4));
	assert_false(parse_one(TA_U32, z, 2));
	assert_false(parse_one(TA_U32, z, 8));
	assert_true(parse_one(TA_U64, z, 8));
	assert_false(parse_one(TA_U64, z, 4));
	assert_false(parse_one(TA_U64, z, 16));
	/* strings: NUL-terminated, min 2 and max 16 bytes with the NUL */
	assert_true(parse_one(TA_STR, "a", 2));
	assert_false(parse_one(TA_STR, "ab", 2));
	assert_false(parse_one(TA_STR, "", 0));
	assert_false(parse_one(TA_STR, "", 1));
	assert_true(parse_one(TA_STR, "0123456789abcde", 16));
	assert_false(parse_one(TA_STR, "0123456789abcdef", 17));
	/* binary: 4..16 */
	assert_false(parse_one(TA_BIN, z, 3));
	assert_true(parse_one(TA_BIN, z, 4));
	assert_true(parse_one(TA_BIN, z, 16));
	assert_false(parse_one(TA_BIN, z, 17));
	/* flag: no payload */
	assert_true(parse_one(TA_FLAG, NULL, 0));
	assert_false(parse_one(TA_FLAG, z, 4));
	/* unused and unknown types: anything goes, not stored */
	assert_true(parse_one(TA_IGNORED, z, 3));
	assert_true(parse_one(TA_UNSPEC, z, 3));
	assert_true(parse_one(1000, z, 3));
	/* byte-order flag is masked off the type */
	assert_true(parse_one(TA_U32 | NLA_F_NET_BYTEORDER, z, 4));
	assert_false(parse_one(TA_U32 | NLA_F_NET_BYTEORDER, z, 3));

	/* a used attribute twice */
	m_init(&m);
	h = m_hdr(&m, 0x20, 0, 1, 0);
	m_put(&m, "12345678", EXTRA_LEN);
	m_attr_u32(&m, TA_U32, 1);
	m_attr_u32(&m, TA_U32, 2);
	m_end(&m, h);
	assert_false(nl_attr_parse((const void *)m.b, EXTRA_LEN, ta_policy,
	    TA_MAX, tb));
	assert_null(tb[TA_U32]);
}

static void
test_attr_nested(void **state)
{
	static struct mbuf m;
	const struct nlattr *tb[TA_MAX + 1], *tn[TN_MAX + 1];
	const struct nlmsghdr *nlh = (const void *)m.b;
	size_t h, nest, inner;

	(void)state;
	/* empty nest */
	m_init(&m);
	h = m_hdr(&m, 0x20, 0, 1, 0);
	m_put(&m, "12345678", EXTRA_LEN);
	m_attr(&m, TA_NEST, NULL, 0);
	m_end(&m, h);
	assert_true(nl_attr_parse(nlh, EXTRA_LEN, ta_policy, TA_MAX, tb));
	assert_true(nl_attr_parse_nested(tb[TA_NEST], tn_policy, TN_MAX, tn));
	assert_null(tn[TN_ID]);

	/* a member longer than the nest: outer fine, nested parse fails */
	m_init(&m);
	h = m_hdr(&m, 0x20, 0, 1, 0);
	m_put(&m, "12345678", EXTRA_LEN);
	nest = m_attr(&m, TA_NEST, NULL, 0);
	inner = m_attr_u32(&m, TN_ID, 1);
	m_set_nla_len(&m, nest, (uint16_t)(m.len - nest));
	m_attr_u32(&m, TA_U32, 9);
	m_end(&m, h);
	m_set_nla_len(&m, inner, 12);
	assert_true(nl_attr_parse(nlh, EXTRA_LEN, ta_policy, TA_MAX, tb));
	assert_int_equal(nl_attr_get_u32(tb[TA_U32]), 9);
	assert_false(nl_attr_parse_nested(tb[TA_NEST], tn_policy, TN_MAX,
	    tn));
	/* member of the wrong width */
	m_set_nla_len(&m, inner, 6);
	assert_false(nl_attr_parse_nested(tb[TA_NEST], tn_policy, TN_MAX,
	    tn));
	m_set_nla_len(&m, inner, 8);
	assert_true(nl_attr_parse_nested(tb[TA_NEST], tn_policy, TN_MAX, tn));
	assert_int_equal(nl_attr_get_u32(tn[TN_ID]), 1);

	/* a nest with 2 bytes left after its member */
	m_init(&m);
	h = m_hdr(&m, 0x20, 0, 1, 0);
	m_put(&m, "12345678", EXTRA_LEN);
	nest = m_attr(&m, TA_NEST, NULL, 0);
	m_attr_u32(&m, TN_ID, 1);
	m_put(&m, "\0\0", 2);
	m_set_nla_len(&m, nest, (uint16_t)(m.len - nest - 2));
	m_end(&m, h);
	assert_true(nl_attr_parse(nlh, EXTRA_LEN, ta_policy, TA_MAX, tb));
	assert_false(nl_attr_parse_nested(tb[TA_NEST], tn_policy, TN_MAX,
	    tn));
}

/*
 * Reply walking.
 */

/* NLMSG_ERROR with the request echoed, or capped; TLVs after it. */
static size_t
build_error(struct mbuf *m, uint32_t seq, int err, bool capped,
    const char *text, bool with_offs)
{
	struct nlmsgerr e;
	size_t h;

	memset(&e, 0, sizeof(e));
	e.error = err;
	e.msg.nlmsg_len = NLMSG_HDRLEN + 8;
	e.msg.nlmsg_type = XFRM_MSG_NEWSA;
	e.msg.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	e.msg.nlmsg_seq = seq;
	h = m_hdr(m, NLMSG_ERROR, (capped ? NLM_F_CAPPED : 0) |
	    (text != NULL ? NLM_F_ACK_TLVS : 0), seq, 4242);
	m_put(m, &e, sizeof(e));
	if (!capped)
		m_put(m, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	if (text != NULL)
		m_attr(m, NLMSGERR_ATTR_MSG, text, strlen(text) + 1);
	if (with_offs)
		m_attr_u32(m, NLMSGERR_ATTR_OFFS, 20);
	m_end(m, h);
	return h;
}

static void
test_reply_error_ext_ack(void **state)
{
	static struct mbuf m;
	struct nl_reply r;
	int capped;

	(void)state;
	for (capped = 0; capped <= 1; capped++) {
		m_init(&m);
		build_error(&m, 9, -EINVAL, capped, "Invalid SPI value", true);
		nl_reply_init(&r, 9, 4242, false, NULL, NULL);
		assert_true(nl_reply_parse(&r, m.b, m.len));
		assert_true(r.done);
		assert_int_equal(r.error, EINVAL);
		assert_string_equal(r.ext_msg, "Invalid SPI value");
		assert_true(r.has_offs);
		assert_int_equal(r.ext_offs, 20);
	}

	/* plain ACK */
	m_init(&m);
	build_error(&m, 9, 0, true, NULL, false);
	nl_reply_init(&r, 9, 4242, false, NULL, NULL);
	assert_true(nl_reply_parse(&r, m.b, m.len));
	assert_true(r.done);
	assert_int_equal(r.error, 0);
	assert_string_equal(r.ext_msg, "");

	/* text without its NUL: the TLVs are dropped, the error stays */
	m_init(&m);
	build_error(&m, 9, -EEXIST, true, NULL, false);
	{
		struct nlmsghdr *nlh = (void *)m.b;
		size_t h = 0;

		m_attr(&m, NLMSGERR_ATTR_MSG, "abcd", 4);
		m_end(&m, h);
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
	}
	nl_reply_init(&r, 9, 4242, false, NULL, NULL);
	assert_true(nl_reply_parse(&r, m.b, m.len));
	assert_int_equal(r.error, EEXIST);
	assert_string_equal(r.ext_msg, "");

	/* text far longer than we keep: cut, NUL-terminated */
	{
		static char longtext[1000];

		memset(longtext, 'x', sizeof(longtext) - 1);
		m_init(&m);
		build_error(&m, 9, -ENOENT, true, longtext, false);
		nl_reply_init(&r, 9, 4242, false, NULL, NULL);
		assert_true(nl_reply_parse(&r, m.b, m.len));
		assert_int_equal(strlen(r.ext_msg), NL_EXTACK_MSG_MAX - 1);
	}

	/* nonsense error codes */
	m_init(&m);
	build_error(&m, 9, INT_MIN, true, NULL, false);
	nl_reply_init(&r, 9, 4242, false, NULL, NULL);
	assert_true(nl_reply_parse(&r, m.b, m.len));
	assert_int_equal(r.error, EPROTO);
	m_init(&m);
	build_error(&m, 9, 5, true, NULL, false);
	nl_reply_init(&r, 9, 4242, false, NULL, NULL);
	assert_true(nl_reply_parse(&r, m.b, m.len));
	assert_int_equal(r.error, EPROTO);

	/* echoed request longer than the error message: no TLVs read */
	m_init(&m);
	build_error(&m, 9, -EINVAL, false, "text", false);
	{
		struct nlmsgerr e;

		memcpy(&e, m.b + NLMSG_HDRLEN, sizeof(e));
		e.msg.nlmsg_len = 4000;
		memcpy(m.b + NLMSG_HDRLEN, &e, sizeof(e));
	}
	nl_reply_init(&r, 9, 4242, false, NULL, NULL);
	assert_true(nl_reply_parse(&r, m.b, m.len));
	assert_int_equal(r.error, EINVAL);
	assert_string_equal(r.ext_msg, "");

	/* an error message too short for struct nlmsgerr is malformed */
	m_init(&m);
	build_error(&m, 9, -EINVAL, true, NULL, false);
	m_set_nlmsg_len(m.b, NLMSG_HDRLEN + sizeof(struct nlmsgerr) - 1);
	nl_reply_init(&r, 9, 4242, false, NULL, NULL);
	assert_false(nl_reply_parse(&r, m.b, NLMSG_HDRLEN +
	    sizeof(struct nlmsgerr) - 1));
	assert_false(r.done);
}

struct seen {
	unsigned int	 n;
	uint32_t	 seqs[8];
	int		 fail_at;	/* fail call n (from 1), 0: never */
};

static int
seen_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct seen *s = arg;

	if (s->n < 8)
		s->seqs[s->n] = nlh->nlmsg_seq;
	s->n++;
	if (s->fail_at != 0 && s->n == (unsigned int)s->fail_at) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* Messages of other sequences or ports do not reach cb or end the walk. */
static void
test_reply_seq_mismatch(void **state)
{
	static struct mbuf m;
	struct seen s;
	struct nl_reply r;
	size_t h;

	(void)state;
	m_init(&m);
	h = m_hdr(&m, 0x20, 0, 6, 4242);		/* old request */
	m_end(&m, h);
	build_error(&m, 6, -EPERM, true, "old", false);
	h = m_hdr(&m, 0x20, 0, 7, 999);			/* other port */
	m_end(&m, h);
	h = m_hdr(&m, NLMSG_NOOP, 0, 7, 4242);
	m_end(&m, h);
	h = m_hdr(&m, 0x20, 0, 7, 4242);		/* ours */
	m_end(&m, h);
	h = m_hdr(&m, 0x21, 0, 7, 0);			/* ours, port 0 */
	m_end(&m, h);
	build_error(&m, 7, 0, true, NULL, false);	/* our ACK */
	h = m_hdr(&m, 0x20, 0, 7, 4242);		/* after done */
	m_end(&m, h);

	memset(&s, 0, sizeof(s));
	nl_reply_init(&r, 7, 4242, false, seen_cb, &s);
	assert_true(nl_reply_parse(&r, m.b, m.len));
	assert_true(r.done);
	assert_int_equal(r.error, 0);
	assert_string_equal(r.ext_msg, "");
	assert_int_equal(s.n, 2);
	assert_int_equal(s.seqs[0], 7);
	assert_int_equal(r.delivered, 2);
	assert_int_equal(r.ignored, 5);

	/* the old error alone does not end a walk for seq 7 */
	m_init(&m);
	build_error(&m, 6, -EPERM, true, NULL, false);
	nl_reply_init(&r, 7, 4242, false, NULL, NULL);
	assert_true(nl_reply_parse(&r, m.b, m.len));
	assert_false(r.done);
	assert_int_equal(r.error, 0);
}

/* A dump: data, DONE with an error and text, interrupted dumps. */
static void
test_reply_dump(void **state)
{
	static struct mbuf m;
	struct seen s;
	struct nl_reply r;
	size_t h;
	int err;

	(void)state;
	m_init(&m);
	for (int i = 0; i < 3; i++) {
		h = m_hdr(&m, 0x20, NLM_F_MULTI, 3, 1);
		m_end(&m, h);
	}
	h = m_hdr(&m, NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS, 3, 1);
	err = -ENOBUFS;
	m_put(&m, &err, sizeof(err));
	m_attr(&m, NLMSGERR_ATTR_MSG, "dump failed", 12);
	m_end(&m, h);
	memset(&s, 0, sizeof(s));
	nl_reply_init(&r, 3, 1, false, seen_cb, &s);
	assert_true(nl_reply_parse(&r, m.b, m.len));
	assert_int_equal(s.n, 3);
	assert_true(r.done);
	assert_int_equal(r.error, ENOBUFS);
	assert_string_equal(r.ext_msg, "dump failed");
	assert_false(r.dump_intr);

	/* the callback fails on the 2nd: no 3rd call, the walk still ends */
	memset(&s, 0, sizeof(s));
	s.fail_at = 2;
	nl_reply_init(&r, 3, 1, false, seen_cb, &s);
	assert_true(nl_reply_parse(&r, m.b, m.len));
	assert_int_equal(s.n, 2);
	assert_true(r.cb_failed);
	assert_int_equal(r.cb_errno, ENOMEM);
	assert_int_equal(r.delivered, 1);
	assert_true(r.done);

	/* DONE without its int, and interrupted */
	m_init(&m);
	h = m_hdr(&m, 0x20, NLM_F_MULTI | NLM_F_DUMP_INTR, 3, 1);
	m_end(&m, h);
	h = m_hdr(&m, NLMSG_DONE, NLM_F_MULTI, 3, 1);
	m_end(&m, h);
	nl_reply_init(&r, 3, 1, false, NULL, NULL);
	assert_true(nl_reply_parse(&r, m.b, m.len));
	assert_true(r.done);
	assert_int_equal(r.error, 0);
	assert_true(r.dump_intr);
}

/* Event mode: no sequence, control messages skipped. */
static void
test_reply_events(void **state)
{
	static struct mbuf m;
	struct seen s;
	struct nl_reply r;
	size_t h;

	(void)state;
	m_init(&m);
	h = m_hdr(&m, XFRM_MSG_EXPIRE, 0, 0, 0);
	m_end(&m, h);
	build_error(&m, 0, -EINVAL, true, NULL, false);
	h = m_hdr(&m, NLMSG_DONE, 0, 0, 0);
	m_end(&m, h);
	h = m_hdr(&m, XFRM_MSG_ACQUIRE, 0, 123, 77);
	m_end(&m, h);
	memset(&s, 0, sizeof(s));
	nl_reply_init(&r, 0, 0, true, seen_cb, &s);
	assert_true(nl_reply_parse(&r, m.b, m.len));
	assert_int_equal(s.n, 2);
	assert_int_equal(r.ignored, 2);
	assert_false(r.done);
	assert_int_equal(r.error, 0);
}

static void
test_reply_malformed(void **state)
{
	static struct mbuf m;
	struct nl_reply r;
	size_t h;

	(void)state;
	/* nlmsg_len 0 and 15: no endless loop, no read past */
	m_init(&m);
	h = m_hdr(&m, 0x20, 0, 1, 0);
	m_end(&m, h);
	m_set_nlmsg_len(m.b, 0);
	nl_reply_init(&r, 1, 0, false, NULL, NULL);
	assert_false(nl_reply_parse(&r, m.b, m.len));
	m_set_nlmsg_len(m.b, NLMSG_HDRLEN - 1);
	assert_false(nl_reply_parse(&r, m.b, m.len));
	m_set_nlmsg_len(m.b, NLMSG_HDRLEN);
	assert_true(nl_reply_parse(&r, m.b, m.len));
	/* trailing bytes shorter than a header */
	assert_false(nl_reply_parse(&r, m.b, m.len + 8));
	/* misaligned datagram */
	assert_false(nl_reply_parse(&r, m.b + 1, m.len));
	/* the empty datagram is fine and ends nothing */
	nl_reply_init(&r, 1, 0, false, NULL, NULL);
	assert_true(nl_reply_parse(&r, m.b, 0));
	assert_false(r.done);
	assert_string_equal(nl_msg_type_name(NETLINK_XFRM, XFRM_MSG_NEWSA),
	    "NEWSA");
	assert_string_equal(nl_msg_type_name(NETLINK_ROUTE, NLMSG_ERROR),
	    "ERROR");
	assert_string_equal(nl_bus_name(NETLINK_GENERIC), "genl");
}

/*
 * Live, read-only.
 */

struct addr_find {
	int		 ifindex;
	bool		 found;
	unsigned int	 n;
};

static int
addr_cb(const struct nlmsghdr *nlh, void *arg)
{
	static const struct nl_attr_policy pol[IFA_LABEL + 1] = {
		[IFA_ADDRESS] = { NL_ATTR_BINARY, 4, 16 },
		[IFA_LOCAL] = { NL_ATTR_BINARY, 4, 16 },
		[IFA_LABEL] = { NL_ATTR_STRING, 1, IFNAMSIZ },
	};
	const struct nlattr *tb[IFA_LABEL + 1];
	struct addr_find *f = arg;
	struct ifaddrmsg ifa;
	struct in_addr lo;

	if (nlh->nlmsg_type != RTM_NEWADDR ||
	    !nl_msg_get_extra(nlh, &ifa, sizeof(ifa)) ||
	    !nl_attr_parse(nlh, sizeof(ifa), pol, IFA_LABEL, tb)) {
		errno = EBADMSG;
		return -1;
	}
	f->n++;
	lo.s_addr = htonl(INADDR_LOOPBACK);
	if (ifa.ifa_family == AF_INET && (int)ifa.ifa_index == f->ifindex &&
	    tb[IFA_LOCAL] != NULL && nl_attr_len(tb[IFA_LOCAL]) == 4 &&
	    memcmp(nl_attr_data(tb[IFA_LOCAL]), &lo, 4) == 0)
		f->found = true;
	return 0;
}

static void
test_live_getaddr(void **state)
{
	static struct nl_req req;
	struct addr_find f;
	struct ifaddrmsg *ifa;
	struct nl_sock *s;

	(void)state;
	s = nl_open(NETLINK_ROUTE, 0);
	assert_non_null(s);
	assert_true(nl_fd(s) >= 0);
	assert_true(nl_portid(s) != 0);
	memset(&f, 0, sizeof(f));
	f.ifindex = (int)if_nametoindex("lo");
	assert_true(f.ifindex > 0);
	nl_req_init(&req, RTM_GETADDR, NLM_F_DUMP);
	ifa = nl_req_put_extra_header(&req, sizeof(*ifa));
	assert_non_null(ifa);
	ifa->ifa_family = AF_INET;
	assert_int_equal(nl_transact(s, &req, addr_cb, &f), 0);
	assert_true(f.n >= 1);
	assert_true(f.found);
	/* the socket is reusable: a second dump, sequence moved on */
	memset(&f, 0, sizeof(f));
	f.ifindex = (int)if_nametoindex("lo");
	assert_int_equal(nl_transact(s, &req, addr_cb, &f), 0);
	assert_true(f.found);
	nl_close(s);
}

/*
 * A strict dump check makes the kernel refuse a header with a prefix
 * length and explain why: the text reaches the log, errno is EINVAL.
 */
static void
test_live_ext_ack(void **state)
{
	static struct nl_req req;
	struct ifaddrmsg *ifa;
	struct nl_sock *s;
	int one = 1;

	(void)state;
	s = nl_open(NETLINK_ROUTE, 0);
	assert_non_null(s);
	if (setsockopt(nl_fd(s), SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one,
	    sizeof(one)) == -1) {
		nl_close(s);
		skip();
	}
	nl_req_init(&req, RTM_GETADDR, NLM_F_DUMP);
	ifa = nl_req_put_extra_header(&req, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = 8;
	logcap_reset();
	assert_int_equal(nl_transact(s, &req, NULL, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(logcap_total(), 1);
	assert_non_null(strstr(logcap_last(), "netlink route GETADDR: kernel "
	    "error: "));
	assert_non_null(strstr(logcap_last(), "address dump request"));
	nl_close(s);
}

/* XFRM: a read-only SA dump succeeds (nothing is installed). */
static int
xfrm_cb(const struct nlmsghdr *nlh, void *arg)
{
	unsigned int *n = arg;

	if (nlh->nlmsg_type != XFRM_MSG_NEWSA ||
	    nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct xfrm_usersa_info)) {
		errno = EBADMSG;
		return -1;
	}
	(*n)++;
	return 0;
}

static void
test_live_xfrm_getsa(void **state)
{
	static struct nl_req req;
	struct nl_sock *s;
	unsigned int n = 0;

	(void)state;
	if ((s = nl_open(NETLINK_XFRM, 0)) == NULL)
		skip();	/* kernel without XFRM */
	/* the kernel parses a GETSA dump's attributes right after nlmsghdr */
	nl_req_init(&req, XFRM_MSG_GETSA, NLM_F_DUMP);
	if (nl_transact(s, &req, xfrm_cb, &n) == -1) {
		/* unprivileged: no CAP_NET_ADMIN */
		assert_int_equal(errno, EPERM);
		nl_close(s);
		skip();
	}
	nl_close(s);
}

static void
test_live_genl_family(void **state)
{
	struct nl_sock *s;
	uint16_t id = 0;

	(void)state;
	s = nl_open(NETLINK_GENERIC, 0);
	assert_non_null(s);
	assert_int_equal(nl_genl_family_id(s, "nlctrl", &id), 0);
	assert_int_equal(id, GENL_ID_CTRL);
	id = 0;
	assert_int_equal(nl_genl_family_id(s, "no-such-fam", &id), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(id, 0);
	assert_int_equal(nl_genl_family_id(s, "0123456789abcdef", &id), -1);
	assert_int_equal(errno, EINVAL);
	nl_close(s);
}

/*
 * Events: nothing pending is EAGAIN; a datagram another process sends to
 * our port is dropped, not delivered.
 */
static void
test_live_events(void **state)
{
	static struct mbuf m;
	struct sockaddr_nl to;
	struct nl_sock *s;
	struct seen seen;
	size_t h;
	int fd;

	(void)state;
	s = nl_open(NETLINK_ROUTE, RTMGRP_IPV4_IFADDR);
	assert_non_null(s);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(nl_recv_events(s, seen_cb, &seen), -1);
	assert_true(errno == EAGAIN || errno == EWOULDBLOCK);

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	assert_true(fd >= 0);
	m_init(&m);
	h = m_hdr(&m, RTM_NEWADDR, 0, 0, 0);
	m_put(&m, "\x02\x08\x00\x00\x01\x00\x00\x00", 8);
	m_end(&m, h);
	memset(&to, 0, sizeof(to));
	to.nl_family = AF_NETLINK;
	to.nl_pid = nl_portid(s);
	if (sendto(fd, m.b, m.len, 0, (struct sockaddr *)&to,
	    sizeof(to)) == (ssize_t)m.len) {
		assert_int_equal(nl_recv_events(s, seen_cb, &seen), 0);
		assert_int_equal(seen.n, 0);
		assert_non_null(strstr(logcap_last(), "dropped"));
	}
	assert_int_equal(nl_recv_events(s, seen_cb, &seen), -1);
	assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
	assert_int_equal(nl_add_membership(s, RTNLGRP_IPV6_IFADDR), 0);
	close(fd);
	nl_close(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_req_roundtrip,
		    logcap_setup_debug, logcap_teardown),
		cmocka_unit_test_setup_teardown(test_req_overflow,
		    logcap_setup_debug, logcap_teardown),
		cmocka_unit_test_setup_teardown(test_req_overflow_not_sent,
		    logcap_setup_debug, logcap_teardown),
		cmocka_unit_test_setup_teardown(test_attr_parse_valid,
		    logcap_setup_debug, logcap_teardown),
		cmocka_unit_test_setup_teardown(test_attr_parse_truncation,
		    logcap_setup_debug, logcap_teardown),
		cmocka_unit_test_setup_teardown(test_reply_truncation,
		    logcap_setup_debug, logcap_teardown),
		cmocka_unit_test_setup_teardown(test_attr_len_boundary,
		    logcap_setup_debug, logcap_teardown),
		cmocka_unit_test_setup_teardown(test_attr_policy,
		    logcap_setup_debug, logcap_teardown),
		cmocka_unit_test_setup_teardown(test_attr_nested,
		    logcap_setup_debug, logcap_teardown),
		cmocka_unit_test_setup_teardown(test_reply_error_ext_ack,
		    logcap_setup_debug, logcap_teardown),
		cmocka_unit_test_setup_teardown(test_reply_seq_mismatch,
		    logcap_setup_debug, logcap_teardown),
		cmocka_unit_test_setup_teardown(test_reply_dump,
		    logcap_setup_debug, logcap_teardown),
		cmocka_unit_test_setup_teardown(test_reply_events,
		    logcap_setup_debug, logcap_teardown),
		cmocka_unit_test_setup_teardown(test_reply_malformed,
		    logcap_setup_debug, logcap_teardown),
		cmocka_unit_test_setup_teardown(test_live_getaddr,
		    logcap_setup_debug, logcap_teardown),
		cmocka_unit_test_setup_teardown(test_live_ext_ack,
		    logcap_setup_debug, logcap_teardown),
		cmocka_unit_test_setup_teardown(test_live_xfrm_getsa,
		    logcap_setup_debug, logcap_teardown),
		cmocka_unit_test_setup_teardown(test_live_genl_family,
		    logcap_setup_debug, logcap_teardown),
		cmocka_unit_test_setup_teardown(test_live_events,
		    logcap_setup_debug, logcap_teardown),
	};

	return cmocka_run_group_tests_name("nl", tests, NULL, NULL);
}
