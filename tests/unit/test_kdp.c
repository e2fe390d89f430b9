/*
 * test_kdp.c - l2tpd/kdp.c without an L2TP kernel: the generic netlink
 * requests are built and parsed back attribute by attribute against what
 * net/l2tp/l2tp_netlink.c reads; canned TUNNEL_GET / SESSION_GET replies
 * (with and without pad attributes, malformed, truncated at every length)
 * go through kdp_parse_info and through the reply walker the way
 * nl_transact feeds it; frames are classified by their first bytes; the
 * PPPoL2TP connect address is checked field by field; and kdp_new's
 * error line on this kernel names the module that is missing (the host
 * kernel has no L2TP: the outcome is measured first, so the test holds on
 * a kernel with it too). The kernel path itself runs in the UML lab
 * (tests/e2e/guest/kdp-kernel.sh).
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
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
#include <linux/if_pppox.h>
#include <linux/l2tp.h>
#include <linux/netlink.h>

#include "l2tpd/kdp.h"
#include "lib/log.h"
#include "lib/nl.h"
#include "tests/unit/logcap.h"

#define FAM	0x1d		/* a dynamic genl family id */

static struct nl_req req;

/*
 * Requests, parsed back with the kernel's attribute types
 * (l2tp_nl_policy: CONN_ID u32, PROTO_VERSION u8, ENCAP_TYPE u16, FD u32,
 * PW_TYPE u16, RECV_SEQ/SEND_SEQ/LNS_MODE u8, RECV_TIMEOUT msecs u64).
 */

static const struct nl_attr_policy req_pol[L2TP_ATTR_MAX + 1] = {
	[L2TP_ATTR_PW_TYPE] = { NL_ATTR_U16, 0, 0 },
	[L2TP_ATTR_ENCAP_TYPE] = { NL_ATTR_U16, 0, 0 },
	[L2TP_ATTR_PROTO_VERSION] = { NL_ATTR_U8, 0, 0 },
	[L2TP_ATTR_CONN_ID] = { NL_ATTR_U32, 0, 0 },
	[L2TP_ATTR_PEER_CONN_ID] = { NL_ATTR_U32, 0, 0 },
	[L2TP_ATTR_SESSION_ID] = { NL_ATTR_U32, 0, 0 },
	[L2TP_ATTR_PEER_SESSION_ID] = { NL_ATTR_U32, 0, 0 },
	[L2TP_ATTR_RECV_SEQ] = { NL_ATTR_U8, 0, 0 },
	[L2TP_ATTR_SEND_SEQ] = { NL_ATTR_U8, 0, 0 },
	[L2TP_ATTR_LNS_MODE] = { NL_ATTR_U8, 0, 0 },
	[L2TP_ATTR_RECV_TIMEOUT] = { NL_ATTR_U64, 0, 0 },
	[L2TP_ATTR_FD] = { NL_ATTR_U32, 0, 0 },
	/* present in no request of ours: must stay absent */
	[L2TP_ATTR_UDP_CSUM] = { NL_ATTR_U8, 0, 0 },
	[L2TP_ATTR_COOKIE] = { NL_ATTR_BINARY, 0, 0 },
	[L2TP_ATTR_L2SPEC_TYPE] = { NL_ATTR_U8, 0, 0 },
	[L2TP_ATTR_IP_SADDR] = { NL_ATTR_U32, 0, 0 },
	[L2TP_ATTR_IFNAME] = { NL_ATTR_STRING, 0, 0 },
};

/* Parse req: header, genl command, attributes; returns the count. */
static int
parse_req(uint8_t cmd, const struct nlattr **tb)
{
	struct nlmsghdr *nlh = nl_req_hdr(&req);
	struct genlmsghdr g;
	int i, n = 0;

	assert_int_equal(nlh->nlmsg_type, FAM);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(nlh->nlmsg_len, nl_req_len(&req));
	assert_true(nl_msg_get_extra(nlh, &g, sizeof(g)));
	assert_int_equal(g.cmd, cmd);
	assert_int_equal(g.version, L2TP_GENL_VERSION);
	assert_true(nl_attr_parse(nlh, GENL_HDRLEN, req_pol, L2TP_ATTR_MAX,
	    tb));
	for (i = 0; i <= L2TP_ATTR_MAX; i++)
		if (tb[i] != NULL)
			n++;
	return n;
}

static void
test_build_tunnel(void **state)
{
	const struct nlattr *tb[L2TP_ATTR_MAX + 1];

	(void)state;
	assert_true(kdp_build_tunnel_create(&req, FAM, 4312, 77, 9));
	assert_int_equal(parse_req(L2TP_CMD_TUNNEL_CREATE, tb), 5);
	assert_int_equal(nl_attr_get_u32(tb[L2TP_ATTR_CONN_ID]), 4312);
	assert_int_equal(nl_attr_get_u32(tb[L2TP_ATTR_PEER_CONN_ID]), 77);
	assert_int_equal(nl_attr_get_u8(tb[L2TP_ATTR_PROTO_VERSION]), 2);
	assert_int_equal(nl_attr_get_u16(tb[L2TP_ATTR_ENCAP_TYPE]),
	    L2TP_ENCAPTYPE_UDP);
	assert_int_equal(nl_attr_get_u32(tb[L2TP_ATTR_FD]), 9);

	assert_true(kdp_build_tunnel_delete(&req, FAM, 65535));
	assert_int_equal(parse_req(L2TP_CMD_TUNNEL_DELETE, tb), 1);
	assert_int_equal(nl_attr_get_u32(tb[L2TP_ATTR_CONN_ID]), 65535);

	assert_true(kdp_build_tunnel_get(&req, FAM, 1));
	assert_int_equal(parse_req(L2TP_CMD_TUNNEL_GET, tb), 1);
	assert_int_equal(nl_attr_get_u32(tb[L2TP_ATTR_CONN_ID]), 1);
}

static void
test_build_session(void **state)
{
	const struct nlattr *tb[L2TP_ATTR_MAX + 1];
	struct kdp_session_cfg c;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.session_id = 981;
	c.peer_session_id = 5;
	/* Defaults: no sequencing attributes at all. */
	assert_true(kdp_build_session_create(&req, FAM, 4312, &c));
	assert_int_equal(parse_req(L2TP_CMD_SESSION_CREATE, tb), 4);
	assert_int_equal(nl_attr_get_u32(tb[L2TP_ATTR_CONN_ID]), 4312);
	assert_int_equal(nl_attr_get_u32(tb[L2TP_ATTR_SESSION_ID]), 981);
	assert_int_equal(nl_attr_get_u32(tb[L2TP_ATTR_PEER_SESSION_ID]), 5);
	assert_int_equal(nl_attr_get_u16(tb[L2TP_ATTR_PW_TYPE]),
	    L2TP_PWTYPE_PPP);
	assert_null(tb[L2TP_ATTR_LNS_MODE]);

	c.send_seq = c.recv_seq = c.lns_mode = true;
	c.reorder_timeout_ms = 250;
	assert_true(kdp_build_session_create(&req, FAM, 4312, &c));
	assert_int_equal(parse_req(L2TP_CMD_SESSION_CREATE, tb), 8);
	assert_int_equal(nl_attr_get_u8(tb[L2TP_ATTR_RECV_SEQ]), 1);
	assert_int_equal(nl_attr_get_u8(tb[L2TP_ATTR_SEND_SEQ]), 1);
	assert_int_equal(nl_attr_get_u8(tb[L2TP_ATTR_LNS_MODE]), 1);
	assert_int_equal(nl_attr_get_u64(tb[L2TP_ATTR_RECV_TIMEOUT]), 250);

	c.send_seq = c.recv_seq = false;
	c.reorder_timeout_ms = 0;
	assert_true(kdp_build_session_create(&req, FAM, 4312, &c));
	assert_int_equal(parse_req(L2TP_CMD_SESSION_CREATE, tb), 5);
	assert_non_null(tb[L2TP_ATTR_LNS_MODE]);
	assert_null(tb[L2TP_ATTR_SEND_SEQ]);

	assert_true(kdp_build_session_delete(&req, FAM, 4312, 981));
	assert_int_equal(parse_req(L2TP_CMD_SESSION_DELETE, tb), 2);
	assert_int_equal(nl_attr_get_u32(tb[L2TP_ATTR_SESSION_ID]), 981);

	assert_true(kdp_build_session_get(&req, FAM, 4312, 981));
	assert_int_equal(parse_req(L2TP_CMD_SESSION_GET, tb), 2);
	assert_int_equal(nl_attr_get_u32(tb[L2TP_ATTR_CONN_ID]), 4312);
	assert_int_equal(nl_attr_get_u32(tb[L2TP_ATTR_SESSION_ID]), 981);
}

/*
 * Canned replies, laid out as l2tp_nl_session_send() /
 * l2tp_nl_tunnel_send() do: genl header, ids, then the STATS nest of u64
 * counters. With `pad`, a zero-length PAD attribute precedes each u64 (as
 * nla_put_u64_64bit adds on architectures without efficient unaligned
 * access).
 */

struct msg {
	_Alignas(8) uint8_t	 b[1024];
	size_t			 len;
};

static void
put_attr(struct msg *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr a;

	a.nla_len = (uint16_t)(NLA_HDRLEN + len);
	a.nla_type = type;
	memcpy(m->b + m->len, &a, sizeof(a));
	if (len > 0)
		memcpy(m->b + m->len + NLA_HDRLEN, data, len);
	m->len += NLA_ALIGN(NLA_HDRLEN + len);
}

static void
put_u32(struct msg *m, uint16_t type, uint32_t v)
{
	put_attr(m, type, &v, sizeof(v));
}

static void
put_u64(struct msg *m, uint16_t type, uint16_t pad_type, bool pad,
    uint64_t v)
{
	if (pad)
		put_attr(m, pad_type, NULL, 0);
	put_attr(m, type, &v, sizeof(v));
}

static void
reply(struct msg *m, uint8_t cmd, bool session, bool pad)
{
	struct nlmsghdr h;
	struct genlmsghdr g;
	struct nlattr nest;
	size_t nest_off;
	uint16_t pw = L2TP_PWTYPE_PPP;
	uint8_t u8;
	uint64_t v;

	memset(m, 0, sizeof(*m));
	m->len = NLMSG_HDRLEN;
	memset(&g, 0, sizeof(g));
	g.cmd = cmd;
	g.version = L2TP_GENL_VERSION;
	memcpy(m->b + m->len, &g, sizeof(g));
	m->len += GENL_HDRLEN;
	put_u32(m, L2TP_ATTR_CONN_ID, 4312);
	put_u32(m, L2TP_ATTR_PEER_CONN_ID, 77);
	if (session) {
		put_u32(m, L2TP_ATTR_SESSION_ID, 981);
		put_u32(m, L2TP_ATTR_PEER_SESSION_ID, 5);
		put_attr(m, L2TP_ATTR_PW_TYPE, &pw, sizeof(pw));
		u8 = 1;
		put_attr(m, L2TP_ATTR_LNS_MODE, &u8, 1);
		put_attr(m, L2TP_ATTR_USING_IPSEC, &u8, 1);
		v = 10000;
		put_u64(m, L2TP_ATTR_RECV_TIMEOUT, L2TP_ATTR_PAD, pad, v);
	}
	u8 = 2;
	put_attr(m, L2TP_ATTR_PROTO_VERSION, &u8, 1);
	nest_off = m->len;
	m->len += NLA_HDRLEN;
	put_u64(m, L2TP_ATTR_TX_PACKETS, L2TP_ATTR_STATS_PAD, pad, 11);
	put_u64(m, L2TP_ATTR_TX_BYTES, L2TP_ATTR_STATS_PAD, pad, 1100);
	put_u64(m, L2TP_ATTR_TX_ERRORS, L2TP_ATTR_STATS_PAD, pad, 1);
	put_u64(m, L2TP_ATTR_RX_PACKETS, L2TP_ATTR_STATS_PAD, pad, 22);
	put_u64(m, L2TP_ATTR_RX_BYTES, L2TP_ATTR_STATS_PAD, pad, 2200);
	put_u64(m, L2TP_ATTR_RX_SEQ_DISCARDS, L2TP_ATTR_STATS_PAD, pad, 3);
	put_u64(m, L2TP_ATTR_RX_OOS_PACKETS, L2TP_ATTR_STATS_PAD, pad, 4);
	put_u64(m, L2TP_ATTR_RX_ERRORS, L2TP_ATTR_STATS_PAD, pad, 2);
	put_u64(m, L2TP_ATTR_RX_COOKIE_DISCARDS, L2TP_ATTR_STATS_PAD, pad, 5);
	put_u64(m, L2TP_ATTR_RX_INVALID, L2TP_ATTR_STATS_PAD, pad, 6);
	/* The kernel opens the nest without NLA_F_NESTED. */
	nest.nla_len = (uint16_t)(m->len - nest_off);
	nest.nla_type = L2TP_ATTR_STATS;
	memcpy(m->b + nest_off, &nest, sizeof(nest));
	memset(&h, 0, sizeof(h));
	h.nlmsg_len = (uint32_t)m->len;
	h.nlmsg_type = FAM;
	h.nlmsg_seq = 7;
	memcpy(m->b, &h, sizeof(h));
}

static const struct nlmsghdr *
hdr(const struct msg *m)
{
	return (const struct nlmsghdr *)(const void *)m->b;
}

static void
check_stats(const struct kdp_info *i)
{
	assert_true(i->has_stats);
	assert_int_equal(i->stats.tx_packets, 11);
	assert_int_equal(i->stats.tx_bytes, 1100);
	assert_int_equal(i->stats.tx_errors, 1);
	assert_int_equal(i->stats.rx_packets, 22);
	assert_int_equal(i->stats.rx_bytes, 2200);
	assert_int_equal(i->stats.rx_seq_discards, 3);
	assert_int_equal(i->stats.rx_oos_packets, 4);
	assert_int_equal(i->stats.rx_errors, 2);
}

static void
test_parse_session(void **state)
{
	struct kdp_info i;
	struct msg m;
	int pad;

	(void)state;
	for (pad = 0; pad <= 1; pad++) {
		reply(&m, L2TP_CMD_SESSION_GET, true, pad);
		assert_true(kdp_parse_info(hdr(&m), FAM, &i));
		assert_int_equal(i.cmd, L2TP_CMD_SESSION_GET);
		assert_int_equal(i.tunnel_id, 4312);
		assert_int_equal(i.peer_tunnel_id, 77);
		assert_true(i.has_session);
		assert_int_equal(i.session_id, 981);
		assert_int_equal(i.peer_session_id, 5);
		assert_int_equal(i.pw_type, L2TP_PWTYPE_PPP);
		assert_true(i.stats.using_ipsec);
		check_stats(&i);
	}
}

static void
test_parse_tunnel(void **state)
{
	struct kdp_info i;
	struct msg m;

	(void)state;
	reply(&m, L2TP_CMD_TUNNEL_GET, false, true);
	assert_true(kdp_parse_info(hdr(&m), FAM, &i));
	assert_int_equal(i.cmd, L2TP_CMD_TUNNEL_GET);
	assert_int_equal(i.tunnel_id, 4312);
	assert_false(i.has_session);
	assert_false(i.stats.using_ipsec);
	check_stats(&i);
}

static void
test_parse_bad(void **state)
{
	struct kdp_info i;
	struct msg m;
	struct nlmsghdr h;
	size_t off;

	(void)state;
	/* Another family. */
	reply(&m, L2TP_CMD_SESSION_GET, true, false);
	assert_false(kdp_parse_info(hdr(&m), FAM + 1, &i));
	/* Another command (our request echoed, say). */
	reply(&m, L2TP_CMD_SESSION_CREATE, true, false);
	assert_false(kdp_parse_info(hdr(&m), FAM, &i));
	/* A session reply without SESSION_ID. */
	reply(&m, L2TP_CMD_SESSION_GET, false, false);
	assert_false(kdp_parse_info(hdr(&m), FAM, &i));
	/* Without CONN_ID: the first attribute becomes an unknown type. */
	reply(&m, L2TP_CMD_TUNNEL_GET, false, false);
	m.b[NLMSG_HDRLEN + GENL_HDRLEN + 2] = 0x7f;
	assert_false(kdp_parse_info(hdr(&m), FAM, &i));
	/* CONN_ID twice. */
	reply(&m, L2TP_CMD_TUNNEL_GET, false, false);
	put_u32(&m, L2TP_ATTR_CONN_ID, 1);
	memcpy(&h, m.b, sizeof(h));
	h.nlmsg_len = (uint32_t)m.len;
	memcpy(m.b, &h, sizeof(h));
	assert_false(kdp_parse_info(hdr(&m), FAM, &i));
	/* CONN_ID with 2 bytes instead of 4. */
	reply(&m, L2TP_CMD_TUNNEL_GET, false, false);
	off = NLMSG_HDRLEN + GENL_HDRLEN;
	m.b[off] = NLA_HDRLEN + 2;
	assert_false(kdp_parse_info(hdr(&m), FAM, &i));
	/* A counter of 4 bytes: the nest fails, so does the whole. */
	memset(&m, 0, sizeof(m));
	reply(&m, L2TP_CMD_TUNNEL_GET, false, false);
	off = m.len - 10 * (NLA_HDRLEN + 8);	/* first counter */
	m.b[off] = NLA_HDRLEN + 4;
	assert_false(kdp_parse_info(hdr(&m), FAM, &i));
	assert_false(i.has_stats);
	/* Only the headers: shorter than the genl header. */
	reply(&m, L2TP_CMD_TUNNEL_GET, false, false);
	memcpy(&h, m.b, sizeof(h));
	h.nlmsg_len = NLMSG_HDRLEN + 2;
	memcpy(m.b, &h, sizeof(h));
	assert_false(kdp_parse_info(hdr(&m), FAM, &i));
}

/*
 * Every truncation of a valid reply, as nl_transact sees it: through the
 * reply walker (which checks nlmsg_len against the datagram) and
 * kdp_parse_info in the callback. Either the walker refuses the
 * datagram, or the parse fails, or it succeeds with the same ids (a cut
 * on an attribute boundary is a well-formed shorter message).
 */

struct trunc_ctx {
	unsigned int	 ok;
	unsigned int	 failed;
};

static int
trunc_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct trunc_ctx *c = arg;
	struct kdp_info i;

	if (kdp_parse_info(nlh, FAM, &i)) {
		assert_int_equal(i.tunnel_id, 4312);
		if (i.has_session)
			assert_int_equal(i.session_id, 981);
		c->ok++;
	} else
		c->failed++;
	return 0;
}

static void
test_parse_truncated(void **state)
{
	struct nl_reply r;
	struct trunc_ctx c;
	struct msg m, t;
	struct nlmsghdr h;
	size_t len;
	int pad;

	(void)state;
	for (pad = 0; pad <= 1; pad++) {
		reply(&m, L2TP_CMD_SESSION_GET, true, pad);
		memset(&c, 0, sizeof(c));
		for (len = 0; len <= m.len; len++) {
			/* The datagram cut short, header unchanged. */
			memcpy(&t, &m, sizeof(m));
			nl_reply_init(&r, 7, 0, false, trunc_cb, &c);
			assert_int_equal(nl_reply_parse(&r, t.b, len),
			    len == m.len || len == 0);
			/* The message cut short: its own length says so. */
			if (len < NLMSG_HDRLEN)
				continue;
			memcpy(&h, t.b, sizeof(h));
			h.nlmsg_len = (uint32_t)len;
			memcpy(t.b, &h, sizeof(h));
			nl_reply_init(&r, 7, 0, false, trunc_cb, &c);
			assert_true(nl_reply_parse(&r, t.b, len));
		}
		/* The full one and a few cut at attribute boundaries. */
		assert_true(c.ok >= 2);
		assert_true(c.failed > c.ok);
	}
}

/*
 * Frames: RFC 2661 3.1, T bit and version 2.
 */

static void
test_frame_classify(void **state)
{
	static const uint8_t ctrl[] = { 0xc8, 0x02, 0x00, 0x0c };
	static const uint8_t data[] = { 0x40, 0x02, 0x00, 0x0c };
	static const uint8_t data_min[] = { 0x00, 0x02 };
	static const uint8_t v3[] = { 0xc8, 0x03 };
	static const uint8_t v1[] = { 0x80, 0x01 };

	(void)state;
	assert_int_equal(kdp_frame_classify(ctrl, sizeof(ctrl)),
	    KDP_FRAME_CONTROL);
	assert_int_equal(kdp_frame_classify(ctrl, 2), KDP_FRAME_CONTROL);
	assert_int_equal(kdp_frame_classify(ctrl, 1), KDP_FRAME_BAD);
	assert_int_equal(kdp_frame_classify(ctrl, 0), KDP_FRAME_BAD);
	assert_int_equal(kdp_frame_classify(NULL, 0), KDP_FRAME_BAD);
	assert_int_equal(kdp_frame_classify(data, sizeof(data)),
	    KDP_FRAME_DATA);
	assert_int_equal(kdp_frame_classify(data_min, 2), KDP_FRAME_DATA);
	assert_int_equal(kdp_frame_classify(v3, 2), KDP_FRAME_BAD);
	assert_int_equal(kdp_frame_classify(v1, 2), KDP_FRAME_BAD);
}

/*
 * The PPPoL2TP connect address.
 */

static void
test_pppol2tp_addr(void **state)
{
	struct sockaddr_storage peer, out;
	struct sockaddr_in *sin = (struct sockaddr_in *)&peer;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&peer;
	struct sockaddr_pppol2tp sp;
	struct sockaddr_pppol2tpin6 sp6;
	socklen_t len;

	(void)state;
	memset(&peer, 0, sizeof(peer));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(1701);
	assert_int_equal(inet_pton(AF_INET, "192.0.2.2", &sin->sin_addr), 1);
	len = kdp_pppol2tp_addr(&out, 7, &peer, 4312, 981, 77, 5);
	assert_int_equal(len, sizeof(sp));
	memcpy(&sp, &out, sizeof(sp));
	assert_int_equal(sp.sa_family, AF_PPPOX);
	assert_int_equal(sp.sa_protocol, PX_PROTO_OL2TP);
	assert_int_equal(sp.pppol2tp.pid, 0);
	assert_int_equal(sp.pppol2tp.fd, 7);
	assert_int_equal(sp.pppol2tp.addr.sin_family, AF_INET);
	assert_int_equal(sp.pppol2tp.addr.sin_port, htons(1701));
	assert_memory_equal(&sp.pppol2tp.addr.sin_addr, &sin->sin_addr, 4);
	assert_int_equal(sp.pppol2tp.s_tunnel, 4312);
	assert_int_equal(sp.pppol2tp.s_session, 981);
	assert_int_equal(sp.pppol2tp.d_tunnel, 77);
	assert_int_equal(sp.pppol2tp.d_session, 5);

	memset(&peer, 0, sizeof(peer));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(1701);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::2",
	    &sin6->sin6_addr), 1);
	len = kdp_pppol2tp_addr(&out, 8, &peer, 1, 0, 2, 0);
	assert_int_equal(len, sizeof(sp6));
	memcpy(&sp6, &out, sizeof(sp6));
	assert_int_equal(sp6.sa_family, AF_PPPOX);
	assert_int_equal(sp6.sa_protocol, PX_PROTO_OL2TP);
	assert_int_equal(sp6.pppol2tp.fd, 8);
	assert_int_equal(sp6.pppol2tp.addr.sin6_port, htons(1701));
	assert_memory_equal(&sp6.pppol2tp.addr.sin6_addr, &sin6->sin6_addr,
	    16);
	assert_int_equal(sp6.pppol2tp.s_tunnel, 1);
	assert_int_equal(sp6.pppol2tp.s_session, 0);
	assert_int_equal(sp6.pppol2tp.d_tunnel, 2);
	assert_int_equal(sp6.pppol2tp.d_session, 0);

	peer.ss_family = AF_UNIX;
	assert_int_equal(kdp_pppol2tp_addr(&out, 8, &peer, 1, 1, 1, 1), 0);
}

/*
 * kdp_new on this kernel: what is missing is named. The kernel's
 * answers are measured first with plain syscalls.
 */

static bool
have_genl_l2tp(void)
{
	struct nl_sock *s;
	uint16_t id;
	bool have;

	assert_non_null(s = nl_open(NETLINK_GENERIC, 0));
	have = nl_genl_family_id(s, L2TP_GENL_NAME, &id) == 0;
	nl_close(s);
	return have;
}

static void
test_kdp_new_modules(void **state)
{
	struct kdp *k;
	int fd, pppox_errno = 0;
	bool genl;

	(void)state;
	genl = have_genl_l2tp();
	fd = socket(AF_PPPOX, SOCK_DGRAM | SOCK_CLOEXEC, PX_PROTO_OL2TP);
	if (fd == -1)
		pppox_errno = errno;
	else
		close(fd);

	logcap_start(LOG_LEVEL_DEBUG);

	k = kdp_new(KDP_MODE_GENL);
	if (!genl) {
		assert_null(k);
		assert_true(logcap_find("kernel module l2tp_netlink not loaded",
		    "CONFIG_L2TP_V3", NULL) >= 0);
	} else if (pppox_errno == 0) {
		assert_non_null(k);
		assert_int_equal(kdp_get_mode(k), KDP_MODE_GENL);
	}
	kdp_free(k);

	logcap_reset();
	k = kdp_new(KDP_MODE_AUTO);
	if (pppox_errno == EAFNOSUPPORT) {
		assert_null(k);
		assert_true(logcap_find("cannot open a PPPoL2TP socket",
		    "kernel modules pppox and l2tp_ppp not loaded", NULL) >= 0);
		if (!genl)
			assert_true(logcap_find("no generic netlink family",
			    "PPPoL2TP sockets only", NULL) >= 0);
	} else if (pppox_errno == EPROTONOSUPPORT) {
		assert_null(k);
		assert_true(logcap_find("kernel module l2tp_ppp not loaded",
		    NULL) >= 0);
	} else if (pppox_errno == 0) {
		assert_non_null(k);
		assert_int_equal(kdp_get_mode(k), genl ? KDP_MODE_GENL :
		    KDP_MODE_PPPOX);
	}
	kdp_free(k);
	kdp_free(NULL);

	logcap_stop();
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(kdp_mode_name(KDP_MODE_AUTO), "auto");
	assert_string_equal(kdp_mode_name(KDP_MODE_GENL), "genl");
	assert_string_equal(kdp_mode_name(KDP_MODE_PPPOX), "pppox");
	assert_string_equal(kdp_mode_name((enum kdp_mode)9), "?");
}

/* A listening socket shares port 1701 with a later SO_REUSEADDR one. */
static void
test_listen_socket(void **state)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	socklen_t len = sizeof(ss);
	int fd, fd2, on = 1;

	(void)state;
	memset(&ss, 0, sizeof(ss));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin->sin_port = 0;
	fd = kdp_listen_socket(&ss);
	assert_true(fd >= 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	fd2 = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd2 >= 0);
	assert_int_equal(setsockopt(fd2, SOL_SOCKET, SO_REUSEADDR, &on,
	    sizeof(on)), 0);
	assert_int_equal(bind(fd2, (struct sockaddr *)&ss, len), 0);
	close(fd2);
	close(fd);
	ss.ss_family = AF_UNIX;
	assert_int_equal(kdp_listen_socket(&ss), -1);
}

/* /proc/net/xfrm_stat's XfrmInTmplMismatch, or -1. */
static long
tmpl_mismatch(void)
{
	char line[128];
	long v = -1;
	FILE *f = fopen("/proc/net/xfrm_stat", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "XfrmInTmplMismatch %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* A bound loopback UDP socket; its address in *sin. */
static int
lo_socket(struct sockaddr_in *sin)
{
	socklen_t len = sizeof(*sin);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)sin, sizeof(*sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)sin, &len), 0);
	return fd;
}

/* Does fd get a datagram within 300 ms? */
static bool
receives(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char b[64];

	if (poll(&p, 1, 300) != 1)
		return false;
	return recv(fd, b, sizeof(b), 0) > 0;
}

/*
 * kdp_require_esp: a cleartext datagram (loopback, no IPsec) does not
 * reach the socket and the kernel counts a template mismatch; the same
 * datagram reaches a socket without the policy. This is how l2tpd
 * refuses plain L2TP with ikd absent.
 */
static void
test_require_esp(void **state)
{
	struct sockaddr_in a, b, c;
	int fa, fb, fc;
	long before, after;

	(void)state;
	fa = lo_socket(&a);
	fb = lo_socket(&b);
	fc = lo_socket(&c);
	assert_int_equal(kdp_require_esp(fa, AF_INET), 0);
	before = tmpl_mismatch();
	assert_true(sendto(fc, "l2tp", 4, 0, (struct sockaddr *)&a,
	    sizeof(a)) == 4);
	assert_true(sendto(fc, "l2tp", 4, 0, (struct sockaddr *)&b,
	    sizeof(b)) == 4);
	assert_false(receives(fa));
	assert_true(receives(fb));
	after = tmpl_mismatch();
	assert_true(before >= 0);
	assert_int_equal(after, before + 1);
	assert_int_equal(kdp_require_esp(fb, AF_UNIX), -1);
	assert_int_equal(errno, EAFNOSUPPORT);
	close(fa);
	close(fb);
	close(fc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_tunnel),
		cmocka_unit_test(test_build_session),
		cmocka_unit_test(test_parse_session),
		cmocka_unit_test(test_parse_tunnel),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_truncated),
		cmocka_unit_test(test_frame_classify),
		cmocka_unit_test(test_pppol2tp_addr),
		cmocka_unit_test(test_kdp_new_modules),
		cmocka_unit_test(test_require_esp),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_listen_socket),
	};

	log_init("test_kdp", true, 0);
	log_setlevel(LOG_LEVEL_WARNING);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
