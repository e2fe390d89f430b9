/*
 * test_xfrm.c - ikd/xfrm.c and ikd/policy.c.
 *
 * Without privileges: every request is built and parsed back attribute
 * by attribute (algorithm names, key lengths, ICV/truncation, encap,
 * selector, template, lifetimes); the request checks refuse each bad
 * field; the dump/event parsers on crafted kernel messages, truncated at
 * every length; the "none" backend (unique SPIs, log lines without keys,
 * recorded state, flush); the policy manager on the "none" backend fed
 * with crafted address events.
 *
 * Live, as root only: each test forks a child that moves into private
 * network namespaces (unshare(CLONE_NEWNET); nothing touches the host's
 * own namespace) and talks to the kernel: policies added, dumped and
 * deleted; SPI allocation (larval SAs: this host has no esp4, so no
 * complete SA is installed here; tests/e2e/guest/xfrm-kernel.sh does that
 * in the UML lab); foreign policies and SAs survive xfrm_flush_ours; the
 * per-socket bypass lets traffic through policies that stop the same
 * traffic on other sockets; the policy manager follows addresses on a
 * veth pair and cleartext UDP/1701 never reaches a socket bound to it.
 * Not root: the live tests are reported as skipped, with the reason.
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <event2/event.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/udp.h>
#include <linux/veth.h>
#include <linux/xfrm.h>

#include "ikd/policy.h"
#include "ikd/xfrm.h"
#include "lib/log.h"
#include "lib/nl.h"

/* test_none_backend logs over 2000 lines: keep every one of them. */
#define LOGCAP_LINES	4096
#include "tests/unit/logcap.h"

static struct nl_req req;

/*
 * Requests.
 */

static const uint8_t key_enc[XFRM_ENC_KEY_MAX] = {
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a,
	0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25,
	0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30,
	0x31, 0x32, 0x33
};
static const uint8_t key_auth[XFRM_AUTH_KEY_MAX] = {
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa,
	0xab, 0xac, 0xad, 0xae, 0xaf, 0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5,
	0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf
};

static void
ip4(union xfrm_ipaddr *a, const char *s)
{
	memset(a, 0, sizeof(*a));
	assert_int_equal(inet_pton(AF_INET, s, &a->v4), 1);
}

static void
ip6(union xfrm_ipaddr *a, const char *s)
{
	memset(a, 0, sizeof(*a));
	assert_int_equal(inet_pton(AF_INET6, s, &a->v6), 1);
}

/* Outbound AES-256-CBC + HMAC-SHA1-96, 192.0.2.1 -> 192.0.2.2. */
static void
sa_req_v4(struct xfrm_sa_req *r)
{
	memset(r, 0, sizeof(*r));
	r->family = AF_INET;
	r->dir = XFRM_DIR_OUT;
	ip4(&r->src, "192.0.2.1");
	ip4(&r->dst, "192.0.2.2");
	r->spi = 0xc0010203;
	r->reqid = XFRM_REQID_L2TP;
	xfrm_sel_any(&r->sel, AF_INET);
	r->sel.proto = IPPROTO_UDP;
	r->sel.src = r->src;
	r->sel.src_plen = 32;
	r->sel.dst = r->dst;
	r->sel.dst_plen = 32;
	r->sel.sport = 1701;
	r->sel.sport_mask = 0xffff;
	r->enc = XFRM_ENC_AES_CBC;
	r->enc_key_len = 32;
	memcpy(r->enc_key, key_enc, 32);
	r->auth = XFRM_AUTH_HMAC_SHA1_96;
	r->auth_key_len = 20;
	memcpy(r->auth_key, key_auth, 20);
	r->replay_window = 32;
	r->soft_secs = 2700;
	r->hard_secs = 3600;
	r->soft_bytes = 900000000;
	r->hard_bytes = 1000000000;
}

static void
policy_req_in_v4(struct xfrm_policy_req *r)
{
	memset(r, 0, sizeof(*r));
	xfrm_sel_any(&r->sel, AF_INET);
	r->sel.proto = IPPROTO_UDP;
	r->sel.dport = 1701;
	r->sel.dport_mask = 0xffff;
	r->dir = XFRM_DIR_IN;
	r->priority = 4096;
	r->reqid = XFRM_REQID_L2TP;
}

static const struct nl_attr_policy sa_pol[XFRMA_MAX + 1] = {
	[XFRMA_ALG_AUTH] = { NL_ATTR_BINARY, 0, 0 },
	[XFRMA_ALG_CRYPT] = { NL_ATTR_BINARY, sizeof(struct xfrm_algo), 0 },
	[XFRMA_ALG_AEAD] = { NL_ATTR_BINARY, sizeof(struct xfrm_algo_aead),
	    0 },
	[XFRMA_ALG_AUTH_TRUNC] = { NL_ATTR_BINARY,
	    sizeof(struct xfrm_algo_auth), 0 },
	[XFRMA_ENCAP] = { NL_ATTR_BINARY, sizeof(struct xfrm_encap_tmpl),
	    sizeof(struct xfrm_encap_tmpl) },
	[XFRMA_TMPL] = { NL_ATTR_BINARY, 0, 0 },
	[XFRMA_MARK] = { NL_ATTR_BINARY, 0, 0 },
	[XFRMA_REPLAY_ESN_VAL] = { NL_ATTR_BINARY, 0, 0 },
	[XFRMA_SA_EXTRA_FLAGS] = { NL_ATTR_BINARY, 0, 0 },
	[XFRMA_POLICY_TYPE] = { NL_ATTR_BINARY, 0, 0 },
	[XFRMA_SET_MARK] = { NL_ATTR_BINARY, 0, 0 },
	[XFRMA_IF_ID] = { NL_ATTR_BINARY, 0, 0 },
};

/* Number of attributes in the request after a header of `hdr` bytes. */
static unsigned int
count_attrs(const struct nlmsghdr *nlh, size_t hdr)
{
	const uint8_t *p = (const uint8_t *)nlh + NLMSG_HDRLEN +
	    NLMSG_ALIGN(hdr);
	const uint8_t *end = (const uint8_t *)nlh + nlh->nlmsg_len;
	unsigned int n = 0;

	while (p + NLA_HDRLEN <= end) {
		struct nlattr a;

		memcpy(&a, p, sizeof(a));
		assert_true(a.nla_len >= NLA_HDRLEN);
		p += NLA_ALIGN(a.nla_len);
		n++;
	}
	return n;
}

static void
check_algo(const struct nlattr *a, const char *name, unsigned int bits,
    const uint8_t *key)
{
	struct xfrm_algo h;

	assert_non_null(a);
	assert_int_equal(nl_attr_len(a), sizeof(h) + bits / 8);
	memcpy(&h, nl_attr_data(a), sizeof(h));
	assert_string_equal(h.alg_name, name);
	assert_int_equal(h.alg_key_len, bits);
	assert_memory_equal((const uint8_t *)nl_attr_data(a) + sizeof(h), key,
	    bits / 8);
}

static void
check_algo_auth(const struct nlattr *a, const char *name, unsigned int bits,
    unsigned int trunc, const uint8_t *key)
{
	struct xfrm_algo_auth h;

	assert_non_null(a);
	assert_int_equal(nl_attr_len(a), sizeof(h) + bits / 8);
	memcpy(&h, nl_attr_data(a), sizeof(h));
	assert_string_equal(h.alg_name, name);
	assert_int_equal(h.alg_key_len, bits);
	assert_int_equal(h.alg_trunc_len, trunc);
	assert_memory_equal((const uint8_t *)nl_attr_data(a) + sizeof(h), key,
	    bits / 8);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(xfrm_enc_name(XFRM_ENC_AES_CBC), "aes-cbc");
	assert_string_equal(xfrm_enc_name(XFRM_ENC_3DES_CBC), "3des-cbc");
	assert_string_equal(xfrm_enc_name(XFRM_ENC_AES_GCM16), "aes-gcm16");
	assert_string_equal(xfrm_enc_name((enum xfrm_enc)99), "?");
	assert_string_equal(xfrm_auth_name(XFRM_AUTH_HMAC_SHA1_96),
	    "hmac-sha1-96");
	assert_string_equal(xfrm_auth_name(XFRM_AUTH_HMAC_SHA256_128),
	    "hmac-sha256-128");
	assert_string_equal(xfrm_auth_name(XFRM_AUTH_NONE), "none");
	assert_string_equal(xfrm_dir_name(XFRM_DIR_IN), "in");
	assert_string_equal(xfrm_dir_name(XFRM_DIR_OUT), "out");
	assert_string_equal(xfrm_dir_name(XFRM_DIR_FWD), "fwd");
	assert_string_equal(xfrm_event_type_name(XFRM_EVENT_EXPIRE_HARD),
	    "hard expire");
	/* the tag range, at its edges */
	assert_false(xfrm_reqid_ours(0));
	assert_false(xfrm_reqid_ours(1));
	assert_false(xfrm_reqid_ours(16384));
	assert_false(xfrm_reqid_ours(0x4c31ffff));
	assert_true(xfrm_reqid_ours(0x4c320000));
	assert_true(xfrm_reqid_ours(XFRM_REQID_L2TP));
	assert_true(xfrm_reqid_ours(0x4c32ffff));
	assert_false(xfrm_reqid_ours(0x4c330000));
	assert_false(xfrm_reqid_ours(0xcc320001));
}

static void
test_build_sa_cbc_sha1(void **state)
{
	struct xfrm_usersa_info u;
	const struct nlattr *tb[XFRMA_MAX + 1];
	struct xfrm_sa_req r;
	struct nlmsghdr *nlh;
	uint32_t a;

	(void)state;
	sa_req_v4(&r);
	assert_true(xfrm_build_sa_add(&req, &r));
	nlh = nl_req_hdr(&req);
	/* outbound: a new SA */
	assert_int_equal(nlh->nlmsg_type, XFRM_MSG_NEWSA);
	assert_true(nlh->nlmsg_flags & NLM_F_ACK);
	assert_true(nl_msg_get_extra(nlh, &u, sizeof(u)));
	assert_int_equal(u.family, AF_INET);
	assert_int_equal(u.mode, XFRM_MODE_TRANSPORT);
	assert_int_equal(u.id.proto, IPPROTO_ESP);
	assert_int_equal(ntohl(u.id.spi), 0xc0010203);
	assert_int_equal(u.reqid, XFRM_REQID_L2TP);
	assert_int_equal(u.replay_window, 32);
	assert_int_equal(u.flags, 0);
	memcpy(&a, &u.saddr, 4);
	assert_int_equal(ntohl(a), 0xc0000201);
	memcpy(&a, &u.id.daddr, 4);
	assert_int_equal(ntohl(a), 0xc0000202);
	/* lifetimes: seconds and bytes, packets unlimited */
	assert_int_equal(u.lft.soft_add_expires_seconds, 2700);
	assert_int_equal(u.lft.hard_add_expires_seconds, 3600);
	assert_int_equal(u.lft.soft_byte_limit, 900000000);
	assert_int_equal(u.lft.hard_byte_limit, 1000000000);
	assert_true(u.lft.soft_packet_limit == XFRM_INF);
	assert_true(u.lft.hard_packet_limit == XFRM_INF);
	assert_int_equal(u.lft.soft_use_expires_seconds, 0);
	/* selector: udp 192.0.2.1/32 sport 1701 -> 192.0.2.2/32 any */
	assert_int_equal(u.sel.family, AF_INET);
	assert_int_equal(u.sel.proto, IPPROTO_UDP);
	assert_int_equal(u.sel.prefixlen_s, 32);
	assert_int_equal(u.sel.prefixlen_d, 32);
	assert_int_equal(ntohs(u.sel.sport), 1701);
	assert_int_equal(ntohs(u.sel.sport_mask), 0xffff);
	assert_int_equal(u.sel.dport, 0);
	assert_int_equal(u.sel.dport_mask, 0);
	assert_int_equal(u.sel.ifindex, 0);
	memcpy(&a, &u.sel.saddr, 4);
	assert_int_equal(ntohl(a), 0xc0000201);

	assert_true(nl_attr_parse(nlh, sizeof(u), sa_pol, XFRMA_MAX, tb));
	assert_int_equal(count_attrs(nlh, sizeof(u)), 2);
	check_algo(tb[XFRMA_ALG_CRYPT], "cbc(aes)", 256, key_enc);
	check_algo_auth(tb[XFRMA_ALG_AUTH_TRUNC], "hmac(sha1)", 160, 96,
	    key_auth);
	assert_null(tb[XFRMA_ALG_AUTH]);
	assert_null(tb[XFRMA_ALG_AEAD]);
	assert_null(tb[XFRMA_ENCAP]);
	assert_null(tb[XFRMA_MARK]);
	assert_null(tb[XFRMA_SET_MARK]);
	assert_null(tb[XFRMA_REPLAY_ESN_VAL]);

	/* AES-128 */
	r.enc_key_len = 16;
	assert_true(xfrm_build_sa_add(&req, &r));
	assert_true(nl_attr_parse(nl_req_hdr(&req), sizeof(u), sa_pol,
	    XFRMA_MAX, tb));
	check_algo(tb[XFRMA_ALG_CRYPT], "cbc(aes)", 128, key_enc);
}

static void
test_build_sa_3des_sha256_in(void **state)
{
	struct xfrm_usersa_info u;
	const struct nlattr *tb[XFRMA_MAX + 1];
	struct xfrm_sa_req r;
	struct nlmsghdr *nlh;

	(void)state;
	sa_req_v4(&r);
	r.dir = XFRM_DIR_IN;
	r.src = r.dst;
	ip4(&r.dst, "192.0.2.1");
	xfrm_sel_any(&r.sel, AF_UNSPEC);
	r.enc = XFRM_ENC_3DES_CBC;
	r.enc_key_len = 24;
	r.auth = XFRM_AUTH_HMAC_SHA256_128;
	r.auth_key_len = 32;
	memcpy(r.auth_key, key_auth, 32);
	r.soft_bytes = r.hard_bytes = 0;
	assert_true(xfrm_build_sa_add(&req, &r));
	nlh = nl_req_hdr(&req);
	/* inbound: completes the larval SA of ALLOCSPI */
	assert_int_equal(nlh->nlmsg_type, XFRM_MSG_UPDSA);
	assert_true(nl_msg_get_extra(nlh, &u, sizeof(u)));
	/* no selector: all zero */
	assert_int_equal(u.sel.family, 0);
	assert_int_equal(u.sel.prefixlen_s, 0);
	assert_int_equal(u.sel.proto, 0);
	assert_true(u.lft.soft_byte_limit == XFRM_INF);
	assert_true(u.lft.hard_byte_limit == XFRM_INF);
	assert_true(nl_attr_parse(nlh, sizeof(u), sa_pol, XFRMA_MAX, tb));
	check_algo(tb[XFRMA_ALG_CRYPT], "cbc(des3_ede)", 192, key_enc);
	check_algo_auth(tb[XFRMA_ALG_AUTH_TRUNC], "hmac(sha256)", 256, 128,
	    key_auth);
	assert_null(tb[XFRMA_ALG_AEAD]);
}

static void
test_build_sa_gcm_encap_v6(void **state)
{
	struct xfrm_usersa_info u;
	struct xfrm_algo_aead h;
	struct xfrm_encap_tmpl e;
	const struct nlattr *tb[XFRMA_MAX + 1];
	struct xfrm_sa_req r;
	struct nlmsghdr *nlh;
	struct in6_addr a6;
	unsigned int klen;

	(void)state;
	for (klen = 16; klen <= 32; klen += 8) {
		memset(&r, 0, sizeof(r));
		r.family = AF_INET6;
		r.dir = XFRM_DIR_OUT;
		ip6(&r.src, "2001:db8::1");
		ip6(&r.dst, "2001:db8::2");
		r.spi = 0x100;
		r.reqid = XFRM_REQID_BASE | 0xfffe;
		r.enc = XFRM_ENC_AES_GCM16;
		r.enc_key_len = (uint8_t)(klen + 4);
		memcpy(r.enc_key, key_enc, klen + 4);
		r.auth = XFRM_AUTH_NONE;
		r.encap = 1;
		r.encap_sport = 4500;
		r.encap_dport = 61000;
		assert_true(xfrm_build_sa_add(&req, &r));
		nlh = nl_req_hdr(&req);
		assert_true(nl_msg_get_extra(nlh, &u, sizeof(u)));
		assert_int_equal(u.family, AF_INET6);
		memcpy(&a6, &u.id.daddr, sizeof(a6));
		assert_memory_equal(&a6, &r.dst.v6, sizeof(a6));
		memcpy(&a6, &u.saddr, sizeof(a6));
		assert_memory_equal(&a6, &r.src.v6, sizeof(a6));
		assert_int_equal(u.replay_window, 0);
		assert_int_equal(u.lft.hard_add_expires_seconds, 0);
		assert_true(nl_attr_parse(nlh, sizeof(u), sa_pol, XFRMA_MAX,
		    tb));
		assert_int_equal(count_attrs(nlh, sizeof(u)), 2);
		/* RFC 4106: key + 4-byte salt, 16-byte ICV */
		assert_non_null(tb[XFRMA_ALG_AEAD]);
		assert_int_equal(nl_attr_len(tb[XFRMA_ALG_AEAD]), sizeof(h) +
		    klen + 4);
		memcpy(&h, nl_attr_data(tb[XFRMA_ALG_AEAD]), sizeof(h));
		assert_string_equal(h.alg_name, "rfc4106(gcm(aes))");
		assert_int_equal(h.alg_key_len, (klen + 4) * 8);
		assert_int_equal(h.alg_icv_len, 128);
		assert_memory_equal((const uint8_t *)nl_attr_data(
		    tb[XFRMA_ALG_AEAD]) + sizeof(h), key_enc, klen + 4);
		assert_null(tb[XFRMA_ALG_CRYPT]);
		assert_null(tb[XFRMA_ALG_AUTH_TRUNC]);
		assert_null(tb[XFRMA_ALG_AUTH]);
		/* RFC 3948: ESP in UDP, ports in network order */
		assert_non_null(tb[XFRMA_ENCAP]);
		memcpy(&e, nl_attr_data(tb[XFRMA_ENCAP]), sizeof(e));
		assert_int_equal(e.encap_type, UDP_ENCAP_ESPINUDP);
		assert_int_equal(ntohs(e.encap_sport), 4500);
		assert_int_equal(ntohs(e.encap_dport), 61000);
		memset(&a6, 0, sizeof(a6));
		assert_memory_equal(&e.encap_oa, &a6, sizeof(a6));
	}
}

/* One field of a valid SA request spoiled per case. */
static void
test_sa_check_rejects(void **state)
{
	struct xfrm_sa_req r;
	const char *why;
	int i;

	(void)state;
	sa_req_v4(&r);
	assert_true(xfrm_sa_req_check(&r, &why));
	for (i = 0; i < 25; i++) {
		sa_req_v4(&r);
		switch (i) {
		case 0: r.family = AF_UNSPEC; break;
		case 1: r.family = 99; break;
		case 2: r.dir = XFRM_DIR_FWD; break;
		case 3: r.spi = 0; break;
		case 4: r.spi = 0xff; break;
		case 5: r.reqid = 1; break;
		case 6: r.reqid = 0; break;
		case 7: ip4(&r.dst, "0.0.0.0"); break;
		case 8: r.enc_key_len = 20; break;
		case 9: r.enc_key_len = 200; break;
		case 10: r.auth_key_len = 16; break;
		case 11: r.auth = XFRM_AUTH_NONE; r.auth_key_len = 0; break;
		case 12: r.enc = XFRM_ENC_AES_GCM16; r.enc_key_len = 36; break;
		case 13: r.enc = (enum xfrm_enc)0; break;
		case 14: r.auth = (enum xfrm_auth)7; break;
		case 15: r.encap = 1; r.encap_sport = 4500; break;
		case 16: r.encap = 2; r.encap_sport = r.encap_dport = 4500;
			break;
		case 17: r.replay_window = 33; break;
		case 18: r.soft_secs = 3601; break;
		case 19: r.soft_bytes = r.hard_bytes + 1; break;
		case 20: r.sel.family = AF_INET6; break;
		case 21: r.sel.src_plen = 33; break;
		case 22: r.sel.src_plen = 24; break;	/* host bits set */
		case 23: r.sel.sport_mask = 0xff00; break;
		case 24: r.enc = XFRM_ENC_3DES_CBC; r.enc_key_len = 16; break;
		}
		why = NULL;
		assert_false(xfrm_sa_req_check(&r, &why));
		assert_non_null(why);
		/* the builder refuses too and leaves no usable request */
		assert_false(xfrm_build_sa_add(&req, &r));
		assert_false(nl_req_ok(&req));
	}
	/* soft without hard is fine, as are the 3DES and AES-192 keys */
	sa_req_v4(&r);
	r.hard_secs = 0;
	r.enc_key_len = 24;
	assert_true(xfrm_sa_req_check(&r, &why));
}

static void
test_build_spi_alloc(void **state)
{
	struct xfrm_userspi_info u;
	struct xfrm_spi_req r;
	struct nlmsghdr *nlh;
	const char *why;
	uint32_t a;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.family = AF_INET;
	ip4(&r.peer, "198.51.100.7");
	ip4(&r.local, "192.0.2.1");
	r.reqid = XFRM_REQID_L2TP;
	assert_true(xfrm_build_spi_alloc(&req, &r));
	nlh = nl_req_hdr(&req);
	assert_int_equal(nlh->nlmsg_type, XFRM_MSG_ALLOCSPI);
	assert_int_equal(nlh->nlmsg_len, NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(u)));
	assert_true(nl_msg_get_extra(nlh, &u, sizeof(u)));
	/* inbound: from the peer to us */
	memcpy(&a, &u.info.id.daddr, 4);
	assert_int_equal(ntohl(a), 0xc0000201);
	memcpy(&a, &u.info.saddr, 4);
	assert_int_equal(ntohl(a), 0xc6336407);
	assert_int_equal(u.info.id.proto, IPPROTO_ESP);
	assert_int_equal(u.info.id.spi, 0);
	assert_int_equal(u.info.family, AF_INET);
	assert_int_equal(u.info.mode, XFRM_MODE_TRANSPORT);
	assert_int_equal(u.info.reqid, XFRM_REQID_L2TP);
	assert_int_equal(u.info.seq, 0);
	assert_int_equal(u.min, 0x100);
	assert_int_equal(u.max, 0xffffffff);

	r.spi_min = 0x1000;
	r.spi_max = 0x1fff;
	assert_true(xfrm_build_spi_alloc(&req, &r));
	assert_true(nl_msg_get_extra(nl_req_hdr(&req), &u, sizeof(u)));
	assert_int_equal(u.min, 0x1000);
	assert_int_equal(u.max, 0x1fff);
	r.spi_min = r.spi_max = 0x4242;
	assert_true(xfrm_spi_req_check(&r, &why));

	r.spi_min = 0xff;
	assert_false(xfrm_spi_req_check(&r, &why));
	r.spi_min = 0x2000;
	r.spi_max = 0x1fff;
	assert_false(xfrm_spi_req_check(&r, &why));
	r.spi_min = r.spi_max = 0;
	r.reqid = 7;
	assert_false(xfrm_spi_req_check(&r, &why));
	assert_false(xfrm_build_spi_alloc(&req, &r));
	r.reqid = XFRM_REQID_L2TP;
	memset(&r.peer, 0, sizeof(r.peer));
	assert_false(xfrm_spi_req_check(&r, &why));	/* 0.0.0.0 */
	r.family = AF_INET6;
	ip6(&r.peer, "2001:db8::2");
	memset(&r.local, 0, sizeof(r.local));
	assert_false(xfrm_spi_req_check(&r, &why));	/* :: */
}

static void
test_build_sa_id(void **state)
{
	struct xfrm_usersa_id u;
	struct xfrm_sa_id id;
	struct nlmsghdr *nlh;
	uint32_t a;

	(void)state;
	memset(&id, 0, sizeof(id));
	id.family = AF_INET;
	ip4(&id.dst, "192.0.2.1");
	id.spi = 0xdeadbeef;
	assert_true(xfrm_build_sa_id(&req, &id, true));
	nlh = nl_req_hdr(&req);
	assert_int_equal(nlh->nlmsg_type, XFRM_MSG_GETSA);
	assert_false(nlh->nlmsg_flags & NLM_F_DUMP);
	assert_true(nl_msg_get_extra(nlh, &u, sizeof(u)));
	memcpy(&a, &u.daddr, 4);
	assert_int_equal(ntohl(a), 0xc0000201);
	assert_int_equal(ntohl(u.spi), 0xdeadbeef);
	assert_int_equal(u.family, AF_INET);
	assert_int_equal(u.proto, IPPROTO_ESP);
	assert_true(xfrm_build_sa_id(&req, &id, false));
	assert_int_equal(nl_req_hdr(&req)->nlmsg_type, XFRM_MSG_DELSA);
	id.spi = 1;
	assert_false(xfrm_build_sa_id(&req, &id, false));
}

static void
test_build_policy(void **state)
{
	struct xfrm_userpolicy_info u;
	struct xfrm_userpolicy_id uid;
	struct xfrm_user_tmpl t;
	const struct nlattr *tb[XFRMA_MAX + 1];
	struct xfrm_policy_req r;
	struct xfrm_policy_id id;
	struct nlmsghdr *nlh;
	uint8_t zero[16] = { 0 };

	(void)state;
	policy_req_in_v4(&r);
	assert_true(xfrm_build_policy_add(&req, &r));
	nlh = nl_req_hdr(&req);
	assert_int_equal(nlh->nlmsg_type, XFRM_MSG_NEWPOLICY);
	assert_true(nl_msg_get_extra(nlh, &u, sizeof(u)));
	assert_int_equal(u.dir, XFRM_POLICY_IN);
	assert_int_equal(u.action, XFRM_POLICY_ALLOW);
	assert_int_equal(u.priority, 4096);
	assert_int_equal(u.index, 0);
	assert_int_equal(u.flags, 0);
	assert_true(u.lft.hard_byte_limit == XFRM_INF);
	assert_int_equal(u.sel.family, AF_INET);
	assert_int_equal(u.sel.proto, IPPROTO_UDP);
	assert_int_equal(u.sel.prefixlen_s, 0);
	assert_int_equal(u.sel.prefixlen_d, 0);
	assert_memory_equal(&u.sel.saddr, zero, 16);
	assert_memory_equal(&u.sel.daddr, zero, 16);
	assert_int_equal(ntohs(u.sel.dport), 1701);
	assert_int_equal(ntohs(u.sel.dport_mask), 0xffff);
	assert_int_equal(u.sel.sport, 0);
	assert_int_equal(u.sel.sport_mask, 0);
	assert_true(nl_attr_parse(nlh, sizeof(u), sa_pol, XFRMA_MAX, tb));
	assert_int_equal(count_attrs(nlh, sizeof(u)), 1);
	/* exactly one template: ESP transport, our reqid, required */
	assert_non_null(tb[XFRMA_TMPL]);
	assert_int_equal(nl_attr_len(tb[XFRMA_TMPL]), sizeof(t));
	memcpy(&t, nl_attr_data(tb[XFRMA_TMPL]), sizeof(t));
	assert_int_equal(t.id.proto, IPPROTO_ESP);
	assert_int_equal(t.id.spi, 0);
	assert_memory_equal(&t.id.daddr, zero, 16);
	assert_memory_equal(&t.saddr, zero, 16);
	assert_int_equal(t.family, AF_INET);
	assert_int_equal(t.mode, XFRM_MODE_TRANSPORT);
	assert_int_equal(t.reqid, XFRM_REQID_L2TP);
	assert_int_equal(t.optional, 0);
	assert_int_equal(t.share, XFRM_SHARE_ANY);
	assert_int_equal(t.aalgos, 0xffffffff);
	assert_int_equal(t.ealgos, 0xffffffff);
	assert_int_equal(t.calgos, 0xffffffff);

	/* outbound IPv6 from one address, sport 1701 */
	memset(&r, 0, sizeof(r));
	xfrm_sel_any(&r.sel, AF_INET6);
	r.sel.proto = IPPROTO_UDP;
	ip6(&r.sel.src, "2001:db8::1");
	r.sel.src_plen = 128;
	r.sel.sport = 1701;
	r.sel.sport_mask = 0xffff;
	r.dir = XFRM_DIR_OUT;
	r.reqid = XFRM_REQID_L2TP;
	assert_true(xfrm_build_policy_add(&req, &r));
	nlh = nl_req_hdr(&req);
	assert_true(nl_msg_get_extra(nlh, &u, sizeof(u)));
	assert_int_equal(u.dir, XFRM_POLICY_OUT);
	assert_int_equal(u.sel.family, AF_INET6);
	assert_int_equal(u.sel.prefixlen_s, 128);
	assert_memory_equal(&u.sel.saddr, &r.sel.src.v6, 16);
	assert_int_equal(ntohs(u.sel.sport), 1701);

	/* get/delete by selector: the same selector bytes as the add */
	memset(&id, 0, sizeof(id));
	id.sel = r.sel;
	id.dir = r.dir;
	assert_true(xfrm_build_policy_id(&req, &id, false));
	nlh = nl_req_hdr(&req);
	assert_int_equal(nlh->nlmsg_type, XFRM_MSG_DELPOLICY);
	assert_true(nl_msg_get_extra(nlh, &uid, sizeof(uid)));
	assert_memory_equal(&uid.sel, &u.sel, sizeof(u.sel));
	assert_int_equal(uid.dir, XFRM_POLICY_OUT);
	assert_int_equal(uid.index, 0);
	assert_true(xfrm_build_policy_id(&req, &id, true));
	assert_int_equal(nl_req_hdr(&req)->nlmsg_type, XFRM_MSG_GETPOLICY);
}

static void
test_policy_check_rejects(void **state)
{
	struct xfrm_policy_req r;
	struct xfrm_policy_id id;
	const char *why;
	int i;

	(void)state;
	for (i = 0; i < 10; i++) {
		policy_req_in_v4(&r);
		switch (i) {
		case 0: r.sel.family = AF_UNSPEC; break;
		case 1: r.dir = 3; break;
		case 2: r.reqid = 7; break;
		case 3: r.sel.dst_plen = 33; break;
		case 4: ip4(&r.sel.dst, "192.0.2.1"); r.sel.dst_plen = 24;
			break;
		case 5: r.sel.dport_mask = 0xff00; break;
		case 6: r.sel.proto = 0; break;	/* ports without proto */
		case 7: r.sel.family = AF_INET6; r.sel.src_plen = 129; break;
		case 8: ip4(&r.sel.src, "10.0.0.1"); r.sel.src_plen = 0; break;
		case 9: r.reqid = 0x4c330001; break;
		}
		why = NULL;
		assert_false(xfrm_policy_req_check(&r, &why));
		assert_non_null(why);
		assert_false(xfrm_build_policy_add(&req, &r));
	}
	policy_req_in_v4(&r);
	r.dir = XFRM_DIR_FWD;
	assert_true(xfrm_policy_req_check(&r, &why));
	memset(&id, 0, sizeof(id));
	id.sel = r.sel;
	id.dir = 5;
	assert_false(xfrm_policy_id_check(&id, &why));
	/* a port range with a mask */
	policy_req_in_v4(&r);
	r.sel.dport = 0x0600;
	r.sel.dport_mask = 0xff00;
	assert_true(xfrm_policy_req_check(&r, &why));
}

/*
 * Parsers on crafted kernel messages.
 */

/* A NEWSA as the kernel dumps it: header, algorithms, encap, extras. */
static void
craft_sa(struct nl_req *m, uint32_t reqid, bool mark, bool larval)
{
	struct xfrm_usersa_info *u;
	struct xfrm_encap_tmpl e;
	struct xfrm_mark mk;
	uint8_t alg[sizeof(struct xfrm_algo) + 32];
	uint8_t aalg[sizeof(struct xfrm_algo_auth) + 20];
	uint32_t a;

	nl_req_init(m, XFRM_MSG_NEWSA, NLM_F_MULTI);
	u = nl_req_put_extra_header(m, sizeof(*u));
	assert_non_null(u);
	u->family = AF_INET;
	a = htonl(0xc0000202);
	memcpy(&u->saddr, &a, 4);
	a = htonl(0xc0000201);
	memcpy(&u->id.daddr, &a, 4);
	u->id.spi = htonl(0xc001);
	u->id.proto = IPPROTO_ESP;
	u->mode = XFRM_MODE_TRANSPORT;
	u->reqid = reqid;
	u->sel.family = AF_INET;
	u->sel.proto = IPPROTO_UDP;
	u->sel.dport = htons(1701);
	u->sel.dport_mask = htons(0xffff);
	u->curlft.bytes = 123456;
	u->curlft.packets = 789;
	u->curlft.add_time = 1700000000;
	u->curlft.use_time = 1700000001;
	u->stats.replay = 3;
	u->stats.integrity_failed = 4;
	if (!larval) {
		memset(alg, 0, sizeof(alg));
		snprintf((char *)alg, 64, "cbc(aes)");
		nl_req_put(m, XFRMA_ALG_CRYPT, sizeof(alg), alg);
		memset(aalg, 0, sizeof(aalg));
		snprintf((char *)aalg, 64, "hmac(sha1)");
		nl_req_put(m, XFRMA_ALG_AUTH_TRUNC, sizeof(aalg), aalg);
		memset(&e, 0, sizeof(e));
		e.encap_type = UDP_ENCAP_ESPINUDP;
		e.encap_sport = htons(4500);
		e.encap_dport = htons(1024);
		nl_req_put(m, XFRMA_ENCAP, sizeof(e), &e);
	}
	nl_req_put_u32(m, XFRMA_SA_EXTRA_FLAGS, 0);
	if (mark) {
		mk.v = 5;
		mk.m = 0xff;
		nl_req_put(m, XFRMA_MARK, sizeof(mk), &mk);
	}
	assert_true(nl_req_ok(m));
}

/*
 * Every truncation of `full`: below the headers the parse fails; past
 * them it succeeds exactly at attribute boundaries (fewer attributes,
 * with or without the last padding) and fails inside an attribute.
 */
static void
check_truncations(const struct nlmsghdr *full, size_t hdr,
    bool (*parse)(const struct nlmsghdr *, void *), void *out)
{
	size_t len = full->nlmsg_len, l, base = NLMSG_HDRLEN +
	    NLMSG_ALIGN(hdr);
	bool boundary[NL_REQ_MAX + 1];
	const uint8_t *p = (const uint8_t *)full;
	size_t off;

	memset(boundary, 0, sizeof(boundary));
	for (off = base; off < len;) {
		struct nlattr a;

		size_t end;

		boundary[off] = true;
		memcpy(&a, p + off, sizeof(a));
		/* the last attribute's padding may be cut */
		for (end = off + a.nla_len; end <= off + NLA_ALIGN(a.nla_len) &&
		    end <= len; end++)
			boundary[end] = true;
		off += NLA_ALIGN(a.nla_len);
	}
	for (l = NLMSG_HDRLEN; l < len; l++) {
		uint8_t *copy = malloc(l);
		struct nlmsghdr *nlh = (struct nlmsghdr *)(void *)copy;
		bool ok;

		assert_non_null(copy);
		memcpy(copy, full, l);
		nlh->nlmsg_len = (uint32_t)l;
		ok = parse(nlh, out);
		if (l < NLMSG_HDRLEN + hdr)
			assert_false(ok);
		else if (l >= base)
			assert_int_equal(ok, boundary[l]);
		free(copy);
	}
}

static bool
parse_sa_v(const struct nlmsghdr *nlh, void *out)
{
	return xfrm_parse_sa(nlh, out);
}

static bool
parse_policy_v(const struct nlmsghdr *nlh, void *out)
{
	return xfrm_parse_policy(nlh, out);
}

static bool
parse_event_v(const struct nlmsghdr *nlh, void *out)
{
	return xfrm_parse_event(nlh, out);
}

static void
test_parse_sa(void **state)
{
	struct xfrm_sa_info sa;
	char buf[XFRM_ADDRSTRLEN];

	(void)state;
	craft_sa(&req, XFRM_REQID_L2TP, false, false);
	assert_true(xfrm_parse_sa(nl_req_hdr(&req), &sa));
	assert_true(sa.ours);
	assert_false(sa.larval);
	assert_false(sa.marked);
	assert_int_equal(sa.family, AF_INET);
	assert_string_equal(xfrm_addr_ntop(sa.family, &sa.src, buf,
	    sizeof(buf)), "192.0.2.2");
	assert_string_equal(xfrm_addr_ntop(sa.family, &sa.dst, buf,
	    sizeof(buf)), "192.0.2.1");
	assert_int_equal(sa.spi, 0xc001);
	assert_int_equal(sa.proto, IPPROTO_ESP);
	assert_int_equal(sa.mode, XFRM_MODE_TRANSPORT);
	assert_int_equal(sa.reqid, XFRM_REQID_L2TP);
	assert_int_equal(sa.sel.proto, IPPROTO_UDP);
	assert_int_equal(sa.sel.dport, 1701);
	assert_int_equal(sa.sel.dport_mask, 0xffff);
	assert_int_equal(sa.counters.bytes, 123456);
	assert_int_equal(sa.counters.packets, 789);
	assert_int_equal(sa.counters.add_time, 1700000000);
	assert_int_equal(sa.counters.use_time, 1700000001);
	assert_int_equal(sa.counters.replay_drops, 3);
	assert_int_equal(sa.counters.integrity_failed, 4);
	assert_true(sa.encap);
	assert_int_equal(sa.encap_sport, 4500);
	assert_int_equal(sa.encap_dport, 1024);
	check_truncations(nl_req_hdr(&req), sizeof(struct xfrm_usersa_info),
	    parse_sa_v, &sa);

	/* marked: not ours even with our reqid */
	craft_sa(&req, XFRM_REQID_L2TP, true, true);
	assert_true(xfrm_parse_sa(nl_req_hdr(&req), &sa));
	assert_true(sa.marked);
	assert_false(sa.ours);
	assert_true(sa.larval);
	/* foreign reqid */
	craft_sa(&req, 1, false, false);
	assert_true(xfrm_parse_sa(nl_req_hdr(&req), &sa));
	assert_false(sa.ours);
	/* another type */
	nl_req_hdr(&req)->nlmsg_type = XFRM_MSG_NEWPOLICY;
	assert_false(xfrm_parse_sa(nl_req_hdr(&req), &sa));
	/* malformed encap (short) */
	craft_sa(&req, XFRM_REQID_L2TP, false, true);
	nl_req_put(&req, XFRMA_ENCAP, 4, "abcd");
	assert_false(xfrm_parse_sa(nl_req_hdr(&req), &sa));
}

static void
craft_policy(struct nl_req *m, const uint32_t *reqids, size_t n,
    int type, bool mark)
{
	struct xfrm_userpolicy_info *u;
	struct xfrm_user_tmpl t[4];
	struct xfrm_userpolicy_type pt;
	struct xfrm_mark mk;
	size_t i;

	nl_req_init(m, XFRM_MSG_NEWPOLICY, NLM_F_MULTI);
	u = nl_req_put_extra_header(m, sizeof(*u));
	assert_non_null(u);
	u->sel.family = AF_INET;
	u->sel.proto = IPPROTO_UDP;
	u->sel.sport = htons(1701);
	u->sel.sport_mask = htons(0xffff);
	u->sel.prefixlen_s = 32;
	u->priority = 77;
	u->index = 0x1239;
	u->dir = XFRM_POLICY_OUT;
	u->action = XFRM_POLICY_ALLOW;
	memset(t, 0, sizeof(t));
	for (i = 0; i < n; i++) {
		t[i].id.proto = IPPROTO_ESP;
		t[i].reqid = reqids[i];
		t[i].mode = XFRM_MODE_TRANSPORT;
		t[i].optional = (uint8_t)i;
	}
	if (n > 0)
		nl_req_put(m, XFRMA_TMPL, n * sizeof(t[0]), t);
	if (type >= 0) {
		memset(&pt, 0, sizeof(pt));
		pt.type = (uint8_t)type;
		nl_req_put(m, XFRMA_POLICY_TYPE, sizeof(pt), &pt);
	}
	if (mark) {
		mk.v = 1;
		mk.m = 1;
		nl_req_put(m, XFRMA_MARK, sizeof(mk), &mk);
	}
	assert_true(nl_req_ok(m));
}

static void
test_parse_policy(void **state)
{
	static const uint32_t ours2[2] = { XFRM_REQID_L2TP, XFRM_REQID_BASE };
	static const uint32_t mixed[2] = { XFRM_REQID_L2TP, 3 };
	struct xfrm_policy_info p;

	(void)state;
	craft_policy(&req, ours2, 1, XFRM_POLICY_TYPE_MAIN, false);
	assert_true(xfrm_parse_policy(nl_req_hdr(&req), &p));
	assert_true(p.ours);
	assert_int_equal(p.dir, XFRM_DIR_OUT);
	assert_int_equal(p.action, XFRM_POLICY_ALLOW);
	assert_int_equal(p.type, XFRM_POLICY_TYPE_MAIN);
	assert_int_equal(p.priority, 77);
	assert_int_equal(p.index, 0x1239);
	assert_int_equal(p.ntmpl, 1);
	assert_int_equal(p.tmpl_proto, IPPROTO_ESP);
	assert_int_equal(p.tmpl_mode, XFRM_MODE_TRANSPORT);
	assert_int_equal(p.tmpl_optional, 0);
	assert_int_equal(p.tmpl_reqid, XFRM_REQID_L2TP);
	assert_int_equal(p.sel.sport, 1701);
	assert_int_equal(p.sel.src_plen, 32);
	check_truncations(nl_req_hdr(&req),
	    sizeof(struct xfrm_userpolicy_info), parse_policy_v, &p);

	craft_policy(&req, ours2, 2, -1, false);
	assert_true(xfrm_parse_policy(nl_req_hdr(&req), &p));
	assert_true(p.ours);
	assert_int_equal(p.ntmpl, 2);
	/* one foreign template, a sub policy, a mark, no template */
	craft_policy(&req, mixed, 2, -1, false);
	assert_true(xfrm_parse_policy(nl_req_hdr(&req), &p));
	assert_false(p.ours);
	craft_policy(&req, ours2, 1, XFRM_POLICY_TYPE_SUB, false);
	assert_true(xfrm_parse_policy(nl_req_hdr(&req), &p));
	assert_false(p.ours);
	craft_policy(&req, ours2, 1, -1, true);
	assert_true(xfrm_parse_policy(nl_req_hdr(&req), &p));
	assert_true(p.marked);
	assert_false(p.ours);
	craft_policy(&req, ours2, 0, -1, false);
	assert_true(xfrm_parse_policy(nl_req_hdr(&req), &p));
	assert_int_equal(p.ntmpl, 0);
	assert_false(p.ours);
	/* template bytes not a multiple of the struct */
	craft_policy(&req, ours2, 0, -1, false);
	{
		uint8_t junk[sizeof(struct xfrm_user_tmpl) + 4];

		memset(junk, 0, sizeof(junk));
		nl_req_put(&req, XFRMA_TMPL, sizeof(junk), junk);
	}
	assert_false(xfrm_parse_policy(nl_req_hdr(&req), &p));
	/* bad direction */
	craft_policy(&req, ours2, 1, -1, false);
	{
		struct xfrm_userpolicy_info *u = (void *)((uint8_t *)
		    nl_req_hdr(&req) + NLMSG_HDRLEN);

		/* per-socket policies: XFRM_POLICY_MAX + dir */
		u->dir = XFRM_POLICY_MAX + XFRM_POLICY_OUT;
		assert_true(xfrm_parse_policy(nl_req_hdr(&req), &p));
		assert_true(p.socket);
		assert_int_equal(p.dir, XFRM_DIR_OUT);
		assert_false(p.ours);
		u->dir = 2 * XFRM_POLICY_MAX;
	}
	assert_false(xfrm_parse_policy(nl_req_hdr(&req), &p));
}

static void
test_parse_event(void **state)
{
	struct xfrm_user_expire *ue;
	struct xfrm_user_acquire *ua;
	struct xfrm_user_tmpl t;
	struct xfrm_event e;
	uint32_t a;

	(void)state;
	/* soft and hard expire of one of ours */
	nl_req_init(&req, XFRM_MSG_EXPIRE, 0);
	ue = nl_req_put_extra_header(&req, sizeof(*ue));
	ue->state.family = AF_INET;
	a = htonl(0xc0000201);
	memcpy(&ue->state.id.daddr, &a, 4);
	ue->state.id.spi = htonl(0xabcdef01);
	ue->state.id.proto = IPPROTO_ESP;
	ue->state.reqid = XFRM_REQID_L2TP;
	ue->hard = 0;
	assert_true(xfrm_parse_event(nl_req_hdr(&req), &e));
	assert_int_equal(e.type, XFRM_EVENT_EXPIRE_SOFT);
	assert_int_equal(e.spi, 0xabcdef01);
	assert_int_equal(e.proto, IPPROTO_ESP);
	assert_int_equal(e.family, AF_INET);
	assert_int_equal(ntohl(e.dst.v4.s_addr), 0xc0000201);
	assert_true(e.ours);
	ue->hard = 1;
	assert_true(xfrm_parse_event(nl_req_hdr(&req), &e));
	assert_int_equal(e.type, XFRM_EVENT_EXPIRE_HARD);
	check_truncations(nl_req_hdr(&req), sizeof(struct xfrm_user_expire),
	    parse_event_v, &e);
	ue->state.reqid = 9;
	assert_true(xfrm_parse_event(nl_req_hdr(&req), &e));
	assert_false(e.ours);

	/* acquire: the reqid comes from the policy's template */
	nl_req_init(&req, XFRM_MSG_ACQUIRE, 0);
	ua = nl_req_put_extra_header(&req, sizeof(*ua));
	ua->sel.family = AF_INET;
	ua->sel.proto = IPPROTO_UDP;
	ua->sel.sport = htons(1701);
	a = htonl(0xc0000202);
	memcpy(&ua->id.daddr, &a, 4);
	a = htonl(0xc0000201);
	memcpy(&ua->saddr, &a, 4);
	ua->id.proto = IPPROTO_ESP;
	memset(&t, 0, sizeof(t));
	t.id.proto = IPPROTO_ESP;
	t.reqid = XFRM_REQID_L2TP;
	nl_req_put(&req, XFRMA_TMPL, sizeof(t), &t);
	assert_true(xfrm_parse_event(nl_req_hdr(&req), &e));
	assert_int_equal(e.type, XFRM_EVENT_ACQUIRE);
	assert_int_equal(e.reqid, XFRM_REQID_L2TP);
	assert_int_equal(ntohl(e.src.v4.s_addr), 0xc0000201);
	assert_int_equal(ntohl(e.dst.v4.s_addr), 0xc0000202);
	assert_int_equal(e.sel.sport, 1701);
	assert_true(e.ours);
	check_truncations(nl_req_hdr(&req), sizeof(struct xfrm_user_acquire),
	    parse_event_v, &e);
	/* without a template: not ours */
	nl_req_init(&req, XFRM_MSG_ACQUIRE, 0);
	ua = nl_req_put_extra_header(&req, sizeof(*ua));
	ua->sel.family = AF_INET;
	assert_true(xfrm_parse_event(nl_req_hdr(&req), &e));
	assert_false(e.ours);
	/* family not IPv4/IPv6, other types */
	ua->sel.family = AF_UNSPEC;
	assert_false(xfrm_parse_event(nl_req_hdr(&req), &e));
	nl_req_hdr(&req)->nlmsg_type = XFRM_MSG_NEWSA;
	assert_false(xfrm_parse_event(nl_req_hdr(&req), &e));
}

/*
 * The "none" backend.
 */

static int
count_sa_cb(const struct xfrm_sa_info *sa, void *arg)
{
	unsigned int *n = arg;

	(void)sa;
	(*n)++;
	return 0;
}

static int
count_policy_cb(const struct xfrm_policy_info *p, void *arg)
{
	unsigned int *n = arg;

	(void)p;
	(*n)++;
	return 0;
}

static unsigned int
count_sas(struct xfrm_backend *be)
{
	unsigned int n = 0;

	assert_int_equal(xfrm_sa_dump(be, count_sa_cb, &n), 0);
	return n;
}

static unsigned int
count_policies(struct xfrm_backend *be)
{
	unsigned int n = 0;

	assert_int_equal(xfrm_policy_dump(be, count_policy_cb, &n), 0);
	return n;
}

/* No captured line holds any run of 4 key bytes, in hex. */
static void
assert_no_key_in_logs(void)
{
	char hex[16];
	size_t k;

	/* every line is kept, so every line is searched */
	assert_int_equal(logcap_kept(), logcap_total());
	for (k = 0; k + 4 <= sizeof(key_enc); k++) {
		snprintf(hex, sizeof(hex), "%02x%02x%02x%02x", key_enc[k],
		    key_enc[k + 1], key_enc[k + 2], key_enc[k + 3]);
		assert_true(logcap_find(hex, NULL) < 0);
	}
	for (k = 0; k + 4 <= sizeof(key_auth); k++) {
		snprintf(hex, sizeof(hex), "%02x%02x%02x%02x", key_auth[k],
		    key_auth[k + 1], key_auth[k + 2], key_auth[k + 3]);
		assert_true(logcap_find(hex, NULL) < 0);
	}
}

static void
test_none_backend(void **state)
{
	struct xfrm_backend *be;
	struct xfrm_spi_req sr;
	struct xfrm_sa_req r;
	struct xfrm_sa_id id;
	struct xfrm_sa_counters c;
	struct xfrm_policy_req pr;
	struct xfrm_policy_id pid;
	uint32_t spi, spi2;
	unsigned int nsa, npol;

	(void)state;
	be = xfrm_backend_new(CONF_KERNEL_NONE);
	assert_non_null(be);
	assert_int_equal(xfrm_backend_kind(be), CONF_KERNEL_NONE);
	assert_true(logcap_find("xfrm none", "nothing is installed",
	    NULL) >= 0);

	memset(&sr, 0, sizeof(sr));
	sr.family = AF_INET;
	ip4(&sr.peer, "192.0.2.2");
	ip4(&sr.local, "192.0.2.1");
	sr.reqid = XFRM_REQID_L2TP;
	assert_int_equal(xfrm_spi_alloc(be, &sr, &spi), 0);
	assert_true(spi >= XFRM_SPI_MIN);
	assert_true(logcap_find("would allocate SPI", "192.0.2.2 -> 192.0.2.1",
	    "reqid 0x4c320001", NULL) >= 0);

	/* the inbound SA completes the larval one */
	sa_req_v4(&r);
	r.dir = XFRM_DIR_IN;
	r.src = sr.peer;
	r.dst = sr.local;
	r.spi = spi;
	xfrm_sel_any(&r.sel, AF_UNSPEC);
	assert_int_equal(xfrm_sa_add(be, &r), 0);
	assert_true(logcap_find("would add SA in", "enc aes-cbc/256",
	    "auth hmac-sha1-96", NULL) >= 0);
	assert_true(logcap_find("would add SA in", "replay 32",
	    "lifetime soft 2700s/900000000B hard 3600s/1000000000B",
	    NULL) >= 0);
	/* an inbound SA without ALLOCSPI: no larval SA to update */
	r.spi = spi ^ 0x80000000;
	errno = 0;
	assert_int_equal(xfrm_sa_add(be, &r), -1);
	assert_int_equal(errno, ESRCH);

	/* outbound with NAT-T and GCM; twice is EEXIST */
	sa_req_v4(&r);
	r.enc = XFRM_ENC_AES_GCM16;
	r.enc_key_len = 20;
	r.auth = XFRM_AUTH_NONE;
	r.auth_key_len = 0;
	r.encap = 1;
	r.encap_sport = 4500;
	r.encap_dport = 4501;
	assert_int_equal(xfrm_sa_add(be, &r), 0);
	assert_true(logcap_find("would add SA out", "esp 0xc0010203",
	    "udp-encap 4500->4501", NULL) >= 0);
	assert_true(logcap_find("would add SA out", "enc aes-gcm16/128",
	    "sel udp 192.0.2.1/32 port 1701 -> 192.0.2.2/32 port any",
	    NULL) >= 0);
	errno = 0;
	assert_int_equal(xfrm_sa_add(be, &r), -1);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(count_sas(be), 2);
	assert_no_key_in_logs();

	/* counters, delete */
	memset(&id, 0, sizeof(id));
	id.family = AF_INET;
	id.dst = r.dst;
	id.spi = r.spi;
	assert_int_equal(xfrm_sa_get_counters(be, &id, &c), 0);
	assert_int_equal(c.bytes, 0);
	assert_int_equal(c.packets, 0);
	assert_true(c.add_time > 0);
	assert_int_equal(xfrm_sa_del(be, &id), 0);
	assert_true(logcap_find("would delete SA", "esp 0xc0010203",
	    NULL) >= 0);
	errno = 0;
	assert_int_equal(xfrm_sa_del(be, &id), -1);
	assert_int_equal(errno, ESRCH);
	assert_int_equal(xfrm_sa_get_counters(be, &id, &c), -1);

	/* a request outside our rights never reaches the backend */
	r.reqid = 5;
	errno = 0;
	assert_int_equal(xfrm_sa_add(be, &r), -1);
	assert_int_equal(errno, EINVAL);
	assert_true(logcap_find("add SA: refused", "reqid", NULL) >= 0);

	/* SPIs: unique; a range of 64 is used up after 64 allocations */
	sr.spi_min = 0x5000;
	sr.spi_max = 0x503f;
	for (nsa = 0; nsa < 64; nsa++)
		assert_int_equal(xfrm_spi_alloc(be, &sr, &spi2), 0);
	errno = 0;
	assert_int_equal(xfrm_spi_alloc(be, &sr, &spi2), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(count_sas(be), 65);
	{
		/* all distinct */
		uint8_t seen[64];
		struct xfrm_sa_id q;

		memset(seen, 0, sizeof(seen));
		memset(&q, 0, sizeof(q));
		q.family = AF_INET;
		q.dst = sr.local;
		for (q.spi = 0x5000; q.spi <= 0x503f; q.spi++) {
			assert_int_equal(xfrm_sa_get_counters(be, &q, &c), 0);
			seen[q.spi - 0x5000]++;
		}
		for (nsa = 0; nsa < 64; nsa++)
			assert_int_equal(seen[nsa], 1);
	}
	/* a larger range: random and unique */
	sr.spi_min = sr.spi_max = 0;
	for (nsa = 0; nsa < 2000; nsa++)
		assert_int_equal(xfrm_spi_alloc(be, &sr, &spi2), 0);
	assert_int_equal(count_sas(be), 2065);

	/* policies */
	policy_req_in_v4(&pr);
	assert_int_equal(xfrm_policy_add(be, &pr), 0);
	assert_true(logcap_find("would add policy in", "udp 0.0.0.0/0 port any "
	    "-> 0.0.0.0/0 port 1701", "reqid 0x4c320001 required", NULL) >= 0);
	errno = 0;
	assert_int_equal(xfrm_policy_add(be, &pr), -1);
	assert_int_equal(errno, EEXIST);
	pr.dir = XFRM_DIR_OUT;
	assert_int_equal(xfrm_policy_add(be, &pr), 0);
	assert_int_equal(count_policies(be), 2);
	memset(&pid, 0, sizeof(pid));
	pid.sel = pr.sel;
	pid.dir = XFRM_DIR_OUT;
	assert_int_equal(xfrm_policy_del(be, &pid), 0);
	errno = 0;
	assert_int_equal(xfrm_policy_del(be, &pid), -1);
	assert_int_equal(errno, ESRCH);
	assert_int_equal(count_policies(be), 1);

	{
		struct xfrm_events *xe;

		/* "none": nothing to subscribe to, nothing delivered */
		xe = xfrm_events_new(be, NULL, XFRM_EVENTS_ACQUIRE,
		    NULL, NULL);
		assert_non_null(xe);
		xfrm_events_free(xe);
		xfrm_events_free(NULL);
	}
	assert_int_equal(xfrm_socket_bypass(be, 3, AF_INET6), 0);
	assert_true(logcap_find("would set bypass", "fd 3", "ipv6", NULL) >= 0);
	assert_int_equal(xfrm_socket_bypass(be, -1, AF_INET), -1);

	assert_int_equal(xfrm_flush_ours(be, XFRM_FLUSH_ALL, &nsa, &npol), 0);
	assert_int_equal(nsa, 2065);
	assert_int_equal(npol, 1);
	assert_true(logcap_find("removed 2065 SAs and 1 policies", NULL) >= 0);
	assert_int_equal(count_sas(be), 0);
	assert_int_equal(count_policies(be), 0);
	assert_no_key_in_logs();
	xfrm_backend_free(be);
	xfrm_backend_free(NULL);
}

static void
test_addr_usable(void **state)
{
	union xfrm_ipaddr a;

	(void)state;
	ip4(&a, "127.0.0.1");
	assert_false(policy_addr_usable(AF_INET, &a));
	ip4(&a, "127.255.0.9");
	assert_false(policy_addr_usable(AF_INET, &a));
	ip4(&a, "128.0.0.1");
	assert_true(policy_addr_usable(AF_INET, &a));
	ip4(&a, "192.0.2.1");
	assert_true(policy_addr_usable(AF_INET, &a));
	ip6(&a, "::1");
	assert_false(policy_addr_usable(AF_INET6, &a));
	ip6(&a, "fe80::1");
	assert_true(policy_addr_usable(AF_INET6, &a));
	ip6(&a, "2001:db8::1");
	assert_true(policy_addr_usable(AF_INET6, &a));
	assert_false(policy_addr_usable(AF_UNSPEC, &a));
}

/* An RTM_NEWADDR / RTM_DELADDR as the kernel sends it. */
static void
craft_ifaddr(struct nl_req *m, uint16_t type, int family, const char *addr,
    const char *peer, uint32_t ifindex)
{
	struct ifaddrmsg *ifa;
	union xfrm_ipaddr a;
	size_t len = family == AF_INET ? 4 : 16;

	nl_req_init(m, type, 0);
	ifa = nl_req_put_extra_header(m, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_prefixlen = family == AF_INET ? 24 : 64;
	ifa->ifa_index = ifindex;
	if (peer != NULL) {
		/* point-to-point: IFA_ADDRESS is the peer, IFA_LOCAL ours */
		assert_int_equal(inet_pton(family, peer, &a), 1);
		nl_req_put(m, IFA_ADDRESS, len, &a);
		assert_int_equal(inet_pton(family, addr, &a), 1);
		nl_req_put(m, IFA_LOCAL, len, &a);
	} else {
		assert_int_equal(inet_pton(family, addr, &a), 1);
		nl_req_put(m, IFA_ADDRESS, len, &a);
		if (family == AF_INET)
			nl_req_put(m, IFA_LOCAL, len, &a);
	}
	nl_req_put_strz(m, IFA_LABEL, "test0");
	nl_req_put_u32(m, IFA_FLAGS, IFA_F_PERMANENT);
	assert_true(nl_req_ok(m));
}

/* Walk of the manager's list (no cmocka asserts: live children use it). */
struct out_find {
	int		 family;
	const char	*addr;
	unsigned int	 n;		/* policies with that source */
	unsigned int	 in;		/* inbound policies */
	unsigned int	 installed;
	unsigned int	 total;
	unsigned int	 bad;		/* not the server policy */
	bool		 in_first;	/* inbound ones first */
	bool		 seen_out;
};

static void
out_find_cb(const struct xfrm_policy_req *r, bool installed, void *arg)
{
	struct out_find *f = arg;
	union xfrm_ipaddr a;
	unsigned int max = r->sel.family == AF_INET ? 32 : 128;

	f->total++;
	if (installed)
		f->installed++;
	if (r->sel.proto != IPPROTO_UDP || r->reqid != XFRM_REQID_L2TP ||
	    r->sel.dst_plen != 0)
		f->bad++;
	if (r->dir == XFRM_DIR_IN) {
		f->in++;
		if (f->seen_out)
			f->in_first = false;
		if (r->sel.dport == 0 || r->sel.dport_mask != 0xffff ||
		    r->sel.src_plen != 0 || r->sel.sport_mask != 0)
			f->bad++;
		return;
	}
	f->seen_out = true;
	if (r->dir != XFRM_DIR_OUT || r->sel.sport == 0 ||
	    r->sel.sport_mask != 0xffff || r->sel.dport_mask != 0 ||
	    r->sel.src_plen != max)
		f->bad++;
	if (f->addr == NULL || r->sel.family != f->family)
		return;
	memset(&a, 0, sizeof(a));
	if (inet_pton(f->family, f->addr, &a) != 1)
		f->bad++;
	else if (memcmp(&a, &r->sel.src, f->family == AF_INET ? 4 : 16) == 0)
		f->n++;
}

static struct out_find
pm_find(struct policy_mgr *pm, int family, const char *addr)
{
	struct out_find f;

	memset(&f, 0, sizeof(f));
	f.family = family;
	f.addr = addr;
	f.in_first = true;
	policy_mgr_foreach(pm, out_find_cb, &f);
	return f;
}

static void
test_policy_mgr_none(void **state)
{
	struct event_base *base;
	struct xfrm_backend *be;
	struct policy_mgr *pm;
	struct policy_mgr_opts opts;
	struct out_find f;
	unsigned int base_total;

	(void)state;
	base = event_base_new();
	assert_non_null(base);
	be = xfrm_backend_new(CONF_KERNEL_NONE);
	assert_non_null(be);
	/* the host's own addresses are read; nothing reaches the kernel */
	pm = policy_mgr_new(base, be, NULL);
	assert_non_null(pm);
	f = pm_find(pm, AF_INET, "192.0.2.77");
	assert_int_equal(f.in, 2);
	assert_int_equal(f.bad, 0);
	assert_true(f.in_first);
	assert_int_equal(f.n, 0);
	assert_int_equal(f.installed, f.total);
	assert_int_equal(policy_mgr_count(pm), f.total);
	assert_int_equal(count_policies(be), f.total);
	base_total = f.total;
	assert_true(logcap_find("policy", "in ipv4 udp any -> any port 1701",
	    "ESP transport required", NULL) >= 0);
	assert_true(logcap_find("would add policy in", "udp ::/0 port any -> "
	    "::/0 port 1701", NULL) >= 0);

	/* an address appears on two interfaces, goes from one, then both */
	craft_ifaddr(&req, RTM_NEWADDR, AF_INET, "192.0.2.77", NULL, 9001);
	assert_int_equal(policy_mgr_handle_msg(pm, nl_req_hdr(&req)), 0);
	f = pm_find(pm, AF_INET, "192.0.2.77");
	assert_int_equal(f.n, 1);
	assert_int_equal(f.bad, 0);
	assert_int_equal(f.total, base_total + 1);
	assert_true(logcap_find("policy", "out udp 192.0.2.77 port 1701 -> any",
	    "ESP transport required", NULL) >= 0);
	assert_true(logcap_find("would add policy out", "udp 192.0.2.77/32 "
	    "port 1701 -> 0.0.0.0/0 port any", NULL) >= 0);
	/* the same event again changes nothing */
	assert_int_equal(policy_mgr_handle_msg(pm, nl_req_hdr(&req)), 0);
	craft_ifaddr(&req, RTM_NEWADDR, AF_INET, "192.0.2.77", NULL, 9002);
	assert_int_equal(policy_mgr_handle_msg(pm, nl_req_hdr(&req)), 0);
	assert_int_equal(pm_find(pm, AF_INET, "192.0.2.77").n, 1);
	craft_ifaddr(&req, RTM_DELADDR, AF_INET, "192.0.2.77", NULL, 9001);
	assert_int_equal(policy_mgr_handle_msg(pm, nl_req_hdr(&req)), 0);
	assert_int_equal(pm_find(pm, AF_INET, "192.0.2.77").n, 1);
	craft_ifaddr(&req, RTM_DELADDR, AF_INET, "192.0.2.77", NULL, 9002);
	assert_int_equal(policy_mgr_handle_msg(pm, nl_req_hdr(&req)), 0);
	f = pm_find(pm, AF_INET, "192.0.2.77");
	assert_int_equal(f.n, 0);
	assert_int_equal(f.total, base_total);
	assert_int_equal(count_policies(be), base_total);
	assert_true(logcap_find("policy", "out udp 192.0.2.77 port 1701 -> any",
	    "removed", NULL) >= 0);

	/* loopback skipped; link-local and ptp local addresses kept */
	craft_ifaddr(&req, RTM_NEWADDR, AF_INET, "127.0.0.9", NULL, 9001);
	assert_int_equal(policy_mgr_handle_msg(pm, nl_req_hdr(&req)), 0);
	assert_int_equal(pm_find(pm, AF_INET, "127.0.0.9").n, 0);
	craft_ifaddr(&req, RTM_NEWADDR, AF_INET6, "::1", NULL, 9001);
	assert_int_equal(policy_mgr_handle_msg(pm, nl_req_hdr(&req)), 0);
	assert_int_equal(pm_find(pm, AF_INET6, "::1").n, 0);
	craft_ifaddr(&req, RTM_NEWADDR, AF_INET6, "fe80::99", NULL, 9001);
	assert_int_equal(policy_mgr_handle_msg(pm, nl_req_hdr(&req)), 0);
	assert_int_equal(pm_find(pm, AF_INET6, "fe80::99").n, 1);
	craft_ifaddr(&req, RTM_NEWADDR, AF_INET, "203.0.113.1",
	    "203.0.113.2", 9003);
	assert_int_equal(policy_mgr_handle_msg(pm, nl_req_hdr(&req)), 0);
	assert_int_equal(pm_find(pm, AF_INET, "203.0.113.1").n, 1);
	assert_int_equal(pm_find(pm, AF_INET, "203.0.113.2").n, 0);
	assert_int_equal(count_policies(be), base_total + 2);

	/* malformed: address of the wrong length, no address, other type */
	nl_req_init(&req, RTM_NEWADDR, 0);
	{
		struct ifaddrmsg *ifa = nl_req_put_extra_header(&req,
		    sizeof(*ifa));

		ifa->ifa_family = AF_INET;
		nl_req_put(&req, IFA_ADDRESS, 16, key_enc);
	}
	assert_int_equal(policy_mgr_handle_msg(pm, nl_req_hdr(&req)), -1);
	nl_req_init(&req, RTM_NEWADDR, 0);
	{
		struct ifaddrmsg *ifa = nl_req_put_extra_header(&req,
		    sizeof(*ifa));

		ifa->ifa_family = AF_INET6;
	}
	assert_int_equal(policy_mgr_handle_msg(pm, nl_req_hdr(&req)), -1);
	nl_req_init(&req, RTM_NEWADDR, 0);
	assert_int_equal(policy_mgr_handle_msg(pm, nl_req_hdr(&req)), -1);
	nl_req_init(&req, RTM_NEWLINK, 0);
	assert_int_equal(policy_mgr_handle_msg(pm, nl_req_hdr(&req)), 0);
	assert_int_equal(count_policies(be), base_total + 2);

	/* resync: the crafted addresses do not exist, so they go */
	assert_int_equal(policy_mgr_resync(pm), 0);
	assert_int_equal(count_policies(be), base_total);
	assert_int_equal(pm_find(pm, AF_INET6, "fe80::99").n, 0);

	policy_mgr_free(pm);
	assert_int_equal(count_policies(be), 0);
	policy_mgr_free(NULL);

	/* another port and priority */
	memset(&opts, 0, sizeof(opts));
	opts.l2tp_port = 1702;
	opts.priority = 10;
	pm = policy_mgr_new(base, be, &opts);
	assert_non_null(pm);
	assert_true(logcap_find("would add policy in", "port 1702",
	    "priority 10 ", NULL) >= 0);
	policy_mgr_free(pm);
	xfrm_backend_free(be);
	event_base_free(base);
}

/*
 * Live tests: root, private network namespaces in a forked child.
 */

/* In the child: report and end it on a failed check. */
#define LCHECK(c) do {							\
	if (!(c)) {							\
		int e_ = errno;						\
		fprintf(stderr, "%s:%d: live check failed: %s "	\
		    "(errno: %s)\n", __FILE__, __LINE__, #c,		\
		    strerror(e_));					\
		fflush(stderr);						\
		_exit(1);						\
	}								\
} while (0)

static struct nl_sock *rtnl;

static int
live_link_index(const char *name)
{
	unsigned int i = if_nametoindex(name);

	LCHECK(i != 0);
	return (int)i;
}

static void
live_link_up(const char *name)
{
	struct ifinfomsg *ifi;

	nl_req_init(&req, RTM_NEWLINK, 0);
	ifi = nl_req_put_extra_header(&req, sizeof(*ifi));
	LCHECK(ifi != NULL);
	ifi->ifi_index = live_link_index(name);
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	LCHECK(nl_transact(rtnl, &req, NULL, NULL) == 0);
}

/* veth pair `a` (here) - `b` (moved to the namespace of ns_fd). */
static void
live_veth(const char *a, const char *b, int ns_fd)
{
	struct ifinfomsg *ifi;
	struct nlattr *li, *data, *peer;

	nl_req_init(&req, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	ifi = nl_req_put_extra_header(&req, sizeof(*ifi));
	LCHECK(ifi != NULL);
	nl_req_put_strz(&req, IFLA_IFNAME, a);
	li = nl_req_nest_start(&req, IFLA_LINKINFO);
	nl_req_put_strz(&req, IFLA_INFO_KIND, "veth");
	data = nl_req_nest_start(&req, IFLA_INFO_DATA);
	/* VETH_INFO_PEER: struct ifinfomsg, then the peer's attributes */
	peer = nl_req_nest_start(&req, VETH_INFO_PEER);
	{
		struct nlmsghdr *nlh = nl_req_hdr(&req);

		LCHECK(nlh->nlmsg_len + NLMSG_ALIGN(sizeof(*ifi)) < NL_REQ_MAX);
		memset((uint8_t *)nlh + nlh->nlmsg_len, 0, sizeof(*ifi));
		nlh->nlmsg_len += NLMSG_ALIGN(sizeof(*ifi));
	}
	nl_req_put_strz(&req, IFLA_IFNAME, b);
	nl_req_put_u32(&req, IFLA_NET_NS_FD, (uint32_t)ns_fd);
	nl_req_nest_end(&req, peer);
	nl_req_nest_end(&req, data);
	nl_req_nest_end(&req, li);
	LCHECK(nl_transact(rtnl, &req, NULL, NULL) == 0);
}

static void
live_addr(bool add, int family, const char *addr, unsigned int plen,
    const char *ifname)
{
	struct ifaddrmsg *ifa;
	union xfrm_ipaddr a;
	size_t len = family == AF_INET ? 4 : 16;

	nl_req_init(&req, add ? RTM_NEWADDR : RTM_DELADDR, add ?
	    NLM_F_CREATE | NLM_F_EXCL : 0);
	ifa = nl_req_put_extra_header(&req, sizeof(*ifa));
	LCHECK(ifa != NULL);
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_prefixlen = (uint8_t)plen;
	ifa->ifa_index = (uint32_t)live_link_index(ifname);
	LCHECK(inet_pton(family, addr, &a) == 1);
	nl_req_put(&req, IFA_LOCAL, len, &a);
	nl_req_put(&req, IFA_ADDRESS, len, &a);
	/* no duplicate address detection: usable at once */
	if (family == AF_INET6)
		nl_req_put_u32(&req, IFA_FLAGS, IFA_F_NODAD);
	LCHECK(nl_transact(rtnl, &req, NULL, NULL) == 0);
}

static int
live_operstate_cb(const struct nlmsghdr *nlh, void *arg)
{
	static const struct nl_attr_policy pol[IFLA_OPERSTATE + 1] = {
		[IFLA_OPERSTATE] = { NL_ATTR_U8, 0, 0 },
	};
	const struct nlattr *tb[IFLA_OPERSTATE + 1];
	uint8_t *state = arg;

	if (nl_attr_parse(nlh, sizeof(struct ifinfomsg), pol, IFLA_OPERSTATE,
	    tb) && tb[IFLA_OPERSTATE] != NULL)
		*state = nl_attr_get_u8(tb[IFLA_OPERSTATE]);
	return 0;
}

/*
 * Wait until the link is operationally up: the kernel attaches the
 * link's real qdisc (and stops dropping what is sent) in the same
 * linkwatch run that sets the operstate, up to a second after carrier.
 */
static void
live_wait_up(const char *name)
{
	struct ifinfomsg *ifi;
	uint8_t state;
	int i;

	for (i = 0; i < 500; i++) {
		state = IF_OPER_UNKNOWN;
		nl_req_init(&req, RTM_GETLINK, 0);
		ifi = nl_req_put_extra_header(&req, sizeof(*ifi));
		LCHECK(ifi != NULL);
		ifi->ifi_index = live_link_index(name);
		LCHECK(nl_transact(rtnl, &req, live_operstate_cb, &state) == 0);
		if (state == IF_OPER_UP) {
			usleep(20000);
			return;
		}
		usleep(10000);
	}
	LCHECK(state == IF_OPER_UP);
}

static int ns_a = -1, ns_b = -1;

static void
live_enter(int fd)
{
	LCHECK(setns(fd, CLONE_NEWNET) == 0);
	nl_close(rtnl);
	rtnl = nl_open(NETLINK_ROUTE, 0);
	LCHECK(rtnl != NULL);
}

/*
 * Namespace A (the child stays there) with lo up; with `pair`, also B
 * with lo up, joined by veth v0 (A, 192.0.2.1/24, 2001:db8::1/64) - v1
 * (B, 192.0.2.2/24, 2001:db8::2/64).
 */
static void
live_netns(bool pair)
{
	LCHECK(unshare(CLONE_NEWNET) == 0);
	ns_a = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	LCHECK(ns_a != -1);
	rtnl = nl_open(NETLINK_ROUTE, 0);
	LCHECK(rtnl != NULL);
	live_link_up("lo");
	if (!pair)
		return;
	LCHECK(unshare(CLONE_NEWNET) == 0);
	ns_b = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	LCHECK(ns_b != -1);
	live_enter(ns_b);
	live_link_up("lo");
	live_enter(ns_a);
	live_veth("v0", "v1", ns_b);
	live_addr(true, AF_INET, "192.0.2.1", 24, "v0");
	live_addr(true, AF_INET6, "2001:db8::1", 64, "v0");
	live_link_up("v0");
	live_enter(ns_b);
	live_addr(true, AF_INET, "192.0.2.2", 24, "v1");
	live_addr(true, AF_INET6, "2001:db8::2", 64, "v1");
	live_link_up("v1");
	live_wait_up("v1");
	live_enter(ns_a);
	live_wait_up("v0");
}

static void
live_run(void (*fn)(void))
{
	pid_t pid;
	int status;

	if (geteuid() != 0) {
		print_message("    skipped: needs root (CAP_NET_ADMIN and "
		    "CAP_SYS_ADMIN) for its own network namespace; "
		    "runs in CI\n");
		skip();
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		log_set_sink(NULL);
		log_setlevel(LOG_LEVEL_WARNING);
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		print_error("live child failed (status 0x%x): see above\n",
		    status);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* A system command in the current namespace; must succeed. */
static void
live_sh(const char *cmd)
{
	int rc = system(cmd);

	if (rc != 0)
		fprintf(stderr, "command failed (%d): %s\n", rc, cmd);
	LCHECK(rc == 0);
}

struct live_count {
	unsigned int	 ours;		/* with an SPI */
	unsigned int	 acq;		/* ours without an SPI */
	unsigned int	 foreign;
	unsigned int	 larval;
	uint32_t	 spi;		/* look for this SPI */
	bool		 spi_found;
	struct xfrm_policy_info	 want;	/* look for this policy */
	unsigned int	 want_found;
	uint32_t	 want_index;	/* the kernel's index of the last */
};

static int
live_count_sa_cb(const struct xfrm_sa_info *sa, void *arg)
{
	struct live_count *c = arg;

	if (sa->ours && sa->spi == 0)
		c->acq++;
	else if (sa->ours)
		c->ours++;
	else
		c->foreign++;
	if (sa->larval)
		c->larval++;
	if (sa->spi == c->spi && sa->ours)
		c->spi_found = true;
	return 0;
}

static int
live_count_policy_cb(const struct xfrm_policy_info *p, void *arg)
{
	struct live_count *c = arg;

	if (p->ours)
		c->ours++;
	else
		c->foreign++;
	if (p->ours && p->dir == c->want.dir &&
	    p->sel.family == c->want.sel.family &&
	    p->sel.proto == c->want.sel.proto &&
	    p->sel.sport == c->want.sel.sport &&
	    p->sel.dport == c->want.sel.dport &&
	    p->sel.src_plen == c->want.sel.src_plen &&
	    memcmp(&p->sel.src, &c->want.sel.src, 16) == 0 &&
	    p->priority == c->want.priority && p->ntmpl == 1 &&
	    p->tmpl_proto == IPPROTO_ESP &&
	    p->tmpl_mode == XFRM_MODE_TRANSPORT && p->tmpl_optional == 0 &&
	    p->tmpl_reqid == XFRM_REQID_L2TP &&
	    p->action == XFRM_POLICY_ALLOW) {
		c->want_found++;
		c->want_index = p->index;
	}
	return 0;
}

static struct live_count
live_policies(struct xfrm_backend *be, const struct xfrm_policy_req *want)
{
	struct live_count c;

	memset(&c, 0, sizeof(c));
	if (want != NULL) {
		c.want.sel = want->sel;
		c.want.dir = want->dir;
		c.want.priority = want->priority;
	}
	LCHECK(xfrm_policy_dump(be, live_count_policy_cb, &c) == 0);
	return c;
}

static struct live_count
live_sas(struct xfrm_backend *be, uint32_t spi)
{
	struct live_count c;

	memset(&c, 0, sizeof(c));
	c.spi = spi;
	LCHECK(xfrm_sa_dump(be, live_count_sa_cb, &c) == 0);
	return c;
}

static void
live_policy_roundtrip(void)
{
	struct xfrm_backend *be;
	struct xfrm_policy_req in4, out6;
	struct xfrm_policy_id id;
	struct live_count c;

	live_netns(false);
	be = xfrm_backend_new(CONF_KERNEL_XFRM);
	LCHECK(be != NULL);
	memset(&in4, 0, sizeof(in4));
	xfrm_sel_any(&in4.sel, AF_INET);
	in4.sel.proto = IPPROTO_UDP;
	in4.sel.dport = 1701;
	in4.sel.dport_mask = 0xffff;
	in4.dir = XFRM_DIR_IN;
	in4.priority = 4096;
	in4.reqid = XFRM_REQID_L2TP;
	memset(&out6, 0, sizeof(out6));
	xfrm_sel_any(&out6.sel, AF_INET6);
	out6.sel.proto = IPPROTO_UDP;
	LCHECK(inet_pton(AF_INET6, "2001:db8::1", &out6.sel.src) == 1);
	out6.sel.src_plen = 128;
	out6.sel.sport = 1701;
	out6.sel.sport_mask = 0xffff;
	out6.dir = XFRM_DIR_OUT;
	out6.priority = 100;
	out6.reqid = XFRM_REQID_L2TP;

	LCHECK(xfrm_policy_add(be, &in4) == 0);
	LCHECK(xfrm_policy_add(be, &out6) == 0);
	errno = 0;
	LCHECK(xfrm_policy_add(be, &in4) == -1 && errno == EEXIST);
	c = live_policies(be, &in4);
	LCHECK(c.ours == 2 && c.foreign == 0 && c.want_found == 1);
	c = live_policies(be, &out6);
	LCHECK(c.want_found == 1);
	/* the kernel's own view agrees */
	live_sh("ip xfrm policy list | grep -q "
	    "'src 0.0.0.0/0 dst 0.0.0.0/0 proto udp dport 1701'");
	live_sh("ip xfrm policy list | grep -q "
	    "'src 2001:db8::1/128 dst ::/0 proto udp sport 1701'");
	live_sh("test $(ip xfrm policy list | grep -c "
	    "'proto esp reqid 1278345217 mode transport') = 2");

	memset(&id, 0, sizeof(id));
	id.sel = in4.sel;
	id.dir = XFRM_DIR_IN;
	LCHECK(xfrm_policy_del(be, &id) == 0);
	errno = 0;
	LCHECK(xfrm_policy_del(be, &id) == -1 && errno == ESRCH);
	c = live_policies(be, &in4);
	LCHECK(c.ours == 1 && c.want_found == 0);
	/* a foreign policy with the same selector is not ours to delete */
	live_sh("ip xfrm policy add src 0.0.0.0/0 dst 0.0.0.0/0 proto udp "
	    "dport 1701 dir in tmpl proto esp mode transport reqid 7");
	errno = 0;
	LCHECK(xfrm_policy_del(be, &id) == -1 && errno == EACCES);
	errno = 0;
	LCHECK(xfrm_policy_add(be, &in4) == -1 && errno == EEXIST);
	live_sh("ip xfrm policy list | grep -q 'reqid 7 '");
	memset(&id, 0, sizeof(id));
	id.sel = out6.sel;
	id.dir = XFRM_DIR_OUT;
	LCHECK(xfrm_policy_del(be, &id) == 0);
	c = live_policies(be, NULL);
	LCHECK(c.ours == 0 && c.foreign == 1);
	xfrm_backend_free(be);
}

static void
live_spi(void)
{
	struct xfrm_backend *be;
	struct xfrm_spi_req r;
	struct xfrm_sa_id id;
	struct xfrm_sa_counters cnt;
	struct live_count c;
	uint32_t spi, spi2;

	live_netns(false);
	be = xfrm_backend_new(CONF_KERNEL_XFRM);
	LCHECK(be != NULL);
	memset(&r, 0, sizeof(r));
	r.family = AF_INET;
	LCHECK(inet_pton(AF_INET, "192.0.2.2", &r.peer) == 1);
	LCHECK(inet_pton(AF_INET, "192.0.2.1", &r.local) == 1);
	r.reqid = XFRM_REQID_L2TP;
	LCHECK(xfrm_spi_alloc(be, &r, &spi) == 0);
	LCHECK(spi >= XFRM_SPI_MIN);
	LCHECK(xfrm_spi_alloc(be, &r, &spi2) == 0);
	LCHECK(spi2 != spi);
	/* a range of one */
	r.spi_min = r.spi_max = 0x4242;
	LCHECK(xfrm_spi_alloc(be, &r, &spi2) == 0 && spi2 == 0x4242);
	errno = 0;
	LCHECK(xfrm_spi_alloc(be, &r, &spi2) == -1);
	LCHECK(errno == ENOENT || errno == EEXIST);
	c = live_sas(be, 0x4242);
	/* the failed one leaves a larval SA without SPI, also ours */
	LCHECK(c.ours == 3 && c.larval == 4 && c.acq == 1 && c.spi_found);
	live_sh("ip xfrm state list | grep -q 'proto esp spi 0x00004242 "
	    "reqid 1278345217 mode transport'");

	/* counters of a larval SA: nothing yet */
	memset(&id, 0, sizeof(id));
	id.family = AF_INET;
	id.dst = r.local;
	id.spi = 0x4242;
	LCHECK(xfrm_sa_get_counters(be, &id, &cnt) == 0);
	LCHECK(cnt.bytes == 0 && cnt.packets == 0);
	LCHECK(xfrm_sa_del(be, &id) == 0);
	errno = 0;
	LCHECK(xfrm_sa_get_counters(be, &id, &cnt) == -1 && errno == ESRCH);
	errno = 0;
	LCHECK(xfrm_sa_del(be, &id) == -1 && errno == ESRCH);

	/* a foreign larval SA is not ours to read or delete */
	live_sh("ip xfrm state allocspi src 192.0.2.2 dst 192.0.2.1 proto "
	    "esp mode transport reqid 7 min 0x7777 max 0x7777 >/dev/null");
	id.spi = 0x7777;
	errno = 0;
	LCHECK(xfrm_sa_del(be, &id) == -1 && errno == EACCES);
	errno = 0;
	LCHECK(xfrm_sa_get_counters(be, &id, &cnt) == -1 && errno == EACCES);
	c = live_sas(be, 0);
	LCHECK(c.ours == 2 && c.foreign == 1);
	xfrm_backend_free(be);
}

static void
live_flush(void)
{
	struct xfrm_backend *be;
	struct xfrm_spi_req r;
	struct xfrm_policy_req p;
	struct live_count c;
	unsigned int nsa, npol;
	uint32_t spi;

	live_netns(false);
	be = xfrm_backend_new(CONF_KERNEL_XFRM);
	LCHECK(be != NULL);
	/* foreign: other reqids, no template, our reqid with a mark */
	live_sh("ip xfrm policy add src 10.0.0.0/8 dst 10.1.0.0/16 dir out "
	    "tmpl proto esp mode transport reqid 7");
	live_sh("ip xfrm policy add src 10.0.0.0/8 dst 10.1.0.0/16 dir in "
	    "tmpl proto esp mode transport reqid 16384");
	live_sh("ip xfrm policy add src 10.0.0.0/8 dst 10.2.0.0/16 dir in "
	    "action block");
	live_sh("ip xfrm policy add src 10.0.0.0/8 dst 10.3.0.0/16 dir out "
	    "mark 5 tmpl proto esp mode transport reqid 0x4c320001");
	live_sh("ip xfrm state allocspi src 198.51.100.1 dst 198.51.100.2 "
	    "proto esp mode transport reqid 7 >/dev/null");
	live_sh("ip xfrm state allocspi src 198.51.100.1 dst 198.51.100.2 "
	    "proto esp mode transport reqid 0x4c320001 mark 5 >/dev/null");
	/* ours */
	memset(&r, 0, sizeof(r));
	r.family = AF_INET6;
	LCHECK(inet_pton(AF_INET6, "2001:db8::2", &r.peer) == 1);
	LCHECK(inet_pton(AF_INET6, "2001:db8::1", &r.local) == 1);
	r.reqid = XFRM_REQID_L2TP;
	LCHECK(xfrm_spi_alloc(be, &r, &spi) == 0);
	r.reqid = XFRM_REQID_BASE | 0x77;
	LCHECK(xfrm_spi_alloc(be, &r, &spi) == 0);
	memset(&p, 0, sizeof(p));
	xfrm_sel_any(&p.sel, AF_INET);
	p.sel.proto = IPPROTO_UDP;
	p.sel.dport = 1701;
	p.sel.dport_mask = 0xffff;
	p.dir = XFRM_DIR_IN;
	p.reqid = XFRM_REQID_L2TP;
	LCHECK(xfrm_policy_add(be, &p) == 0);
	p.dir = XFRM_DIR_FWD;
	LCHECK(xfrm_policy_add(be, &p) == 0);
	p.sel.family = AF_INET6;
	p.dir = XFRM_DIR_OUT;
	LCHECK(xfrm_policy_add(be, &p) == 0);

	c = live_policies(be, NULL);
	LCHECK(c.ours == 3 && c.foreign == 4);
	c = live_sas(be, 0);
	LCHECK(c.ours == 2 && c.foreign == 2);
	LCHECK(xfrm_flush_ours(be, XFRM_FLUSH_ALL, &nsa, &npol) == 0);
	LCHECK(nsa == 2 && npol == 3);
	c = live_policies(be, NULL);
	LCHECK(c.ours == 0 && c.foreign == 4);
	c = live_sas(be, 0);
	LCHECK(c.ours == 0 && c.foreign == 2);
	/* independently: the foreign ones are all there */
	live_sh("test $(ip xfrm policy list | grep -c '^src') = 4");
	live_sh("test $(ip xfrm state list | grep -c '^src') = 2");
	live_sh("ip xfrm policy list | grep -q 'action block'");
	/* nothing left: a second flush removes nothing */
	LCHECK(xfrm_flush_ours(be, XFRM_FLUSH_ALL, &nsa, &npol) == 0);
	LCHECK(nsa == 0 && npol == 0);
	xfrm_backend_free(be);
}

/* UDP socket bound to `port` on any address of `family`, non-blocking. */
static int
live_udp(int family, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd;

	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	LCHECK(fd != -1);
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sl = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		int one = 1;

		LCHECK(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof(one)) == 0);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sl = sizeof(*sin6);
	}
	LCHECK(bind(fd, (struct sockaddr *)&ss, sl) == 0);
	return fd;
}

/* Send one datagram; the kernel may refuse it (policy without SA). */
static void
live_send(int fd, int family, const char *addr, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t sl;

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		LCHECK(inet_pton(AF_INET, addr, &sin->sin_addr) == 1);
		sl = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		LCHECK(inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1);
		sl = sizeof(*sin6);
	}
	(void)sendto(fd, "l2tp", 4, 0, (struct sockaddr *)&ss, sl);
}

/* True if a datagram arrives on fd within ms milliseconds. */
static bool
live_recv(int fd, int ms)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	char buf[64];

	if (poll(&pfd, 1, ms) != 1)
		return false;
	return recv(fd, buf, sizeof(buf), 0) > 0;
}

static void
live_bypass(void)
{
	struct xfrm_backend *be;
	struct xfrm_policy_req p;
	int byp, plain, rb, byp6, plain6, rb6;

	live_netns(true);
	be = xfrm_backend_new(CONF_KERNEL_XFRM);
	LCHECK(be != NULL);
	/* in A: all UDP of 192.0.2.1 / 2001:db8::1 requires ESP, both ways */
	memset(&p, 0, sizeof(p));
	xfrm_sel_any(&p.sel, AF_INET);
	p.sel.proto = IPPROTO_UDP;
	LCHECK(inet_pton(AF_INET, "192.0.2.1", &p.sel.dst) == 1);
	p.sel.dst_plen = 32;
	p.dir = XFRM_DIR_IN;
	p.reqid = XFRM_REQID_L2TP;
	LCHECK(xfrm_policy_add(be, &p) == 0);
	memset(&p.sel.dst, 0, sizeof(p.sel.dst));
	p.sel.dst_plen = 0;
	LCHECK(inet_pton(AF_INET, "192.0.2.1", &p.sel.src) == 1);
	p.sel.src_plen = 32;
	p.dir = XFRM_DIR_OUT;
	LCHECK(xfrm_policy_add(be, &p) == 0);
	xfrm_sel_any(&p.sel, AF_INET6);
	p.sel.proto = IPPROTO_UDP;
	LCHECK(inet_pton(AF_INET6, "2001:db8::1", &p.sel.dst) == 1);
	p.sel.dst_plen = 128;
	p.dir = XFRM_DIR_IN;
	LCHECK(xfrm_policy_add(be, &p) == 0);
	memset(&p.sel.dst, 0, sizeof(p.sel.dst));
	p.sel.dst_plen = 0;
	LCHECK(inet_pton(AF_INET6, "2001:db8::1", &p.sel.src) == 1);
	p.sel.src_plen = 128;
	p.dir = XFRM_DIR_OUT;
	LCHECK(xfrm_policy_add(be, &p) == 0);

	byp = live_udp(AF_INET, 500);
	plain = live_udp(AF_INET, 501);
	byp6 = live_udp(AF_INET6, 4500);
	plain6 = live_udp(AF_INET6, 4501);
	LCHECK(xfrm_socket_bypass(be, byp, AF_INET) == 0);
	LCHECK(xfrm_socket_bypass(be, byp6, AF_INET6) == 0);
	live_enter(ns_b);
	rb = live_udp(AF_INET, 600);
	rb6 = live_udp(AF_INET6, 600);
	/* B -> A in cleartext: only the bypassed sockets get it */
	live_send(rb, AF_INET, "192.0.2.1", 500);
	live_send(rb, AF_INET, "192.0.2.1", 501);
	live_send(rb6, AF_INET6, "2001:db8::1", 4500);
	live_send(rb6, AF_INET6, "2001:db8::1", 4501);
	live_enter(ns_a);
	LCHECK(live_recv(byp, 1000));
	LCHECK(live_recv(byp6, 1000));
	LCHECK(!live_recv(plain, 300));
	LCHECK(!live_recv(plain6, 300));
	/* A -> B: only the bypassed sockets send in cleartext */
	live_send(plain, AF_INET, "192.0.2.2", 600);
	live_send(plain6, AF_INET6, "2001:db8::2", 600);
	LCHECK(!live_recv(rb, 300));
	LCHECK(!live_recv(rb6, 300));
	live_send(byp, AF_INET, "192.0.2.2", 600);
	live_send(byp6, AF_INET6, "2001:db8::2", 600);
	LCHECK(live_recv(rb, 1000));
	LCHECK(live_recv(rb6, 1000));
	/* the socket policies show in dumps, never as ours */
	{
		struct live_count c = live_policies(be, NULL);

		LCHECK(c.ours == 4);
	}
	/* a bad fd is the kernel's error */
	errno = 0;
	LCHECK(xfrm_socket_bypass(be, 999, AF_INET) == -1 && errno == EBADF);
	xfrm_backend_free(be);
}

struct live_loop {
	struct event_base	*base;
	struct xfrm_backend	*be;
	struct policy_mgr	*pm;
};

/* Run the loop until the manager lists `want` OUT policies for addr. */
static bool
live_wait_out(struct live_loop *l, int family, const char *addr,
    unsigned int want)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (pm_find(l->pm, family, addr).n == want)
			return true;
		event_base_loop(l->base, EVLOOP_NONBLOCK);
		usleep(10000);
	}
	return false;
}

static void
live_policy_mgr(void)
{
	struct live_loop l;
	struct xfrm_policy_req stale, want, in_old;
	struct live_count c;
	struct out_find f;
	uint32_t in_index;
	int r1701, r1702, r1701b, s;

	live_netns(true);
	l.base = event_base_new();
	LCHECK(l.base != NULL);
	l.be = xfrm_backend_new(CONF_KERNEL_XFRM);
	LCHECK(l.be != NULL);
	/* a crashed run's policy, and a foreign one */
	memset(&stale, 0, sizeof(stale));
	xfrm_sel_any(&stale.sel, AF_INET);
	stale.sel.proto = IPPROTO_UDP;
	LCHECK(inet_pton(AF_INET, "192.0.2.99", &stale.sel.src) == 1);
	stale.sel.src_plen = 32;
	stale.dir = XFRM_DIR_OUT;
	stale.reqid = XFRM_REQID_L2TP;
	LCHECK(xfrm_policy_add(l.be, &stale) == 0);
	live_sh("ip xfrm policy add src 10.0.0.0/8 dst 10.1.0.0/16 dir out "
	    "tmpl proto esp mode transport reqid 7");
	/* the killed run's inbound policy, identical to the one we want */
	memset(&in_old, 0, sizeof(in_old));
	xfrm_sel_any(&in_old.sel, AF_INET);
	in_old.sel.proto = IPPROTO_UDP;
	in_old.sel.dport = 1701;
	in_old.sel.dport_mask = 0xffff;
	in_old.dir = XFRM_DIR_IN;
	in_old.priority = POLICY_PRIORITY_DEFAULT;
	in_old.reqid = XFRM_REQID_L2TP;
	LCHECK(xfrm_policy_add(l.be, &in_old) == 0);
	c = live_policies(l.be, &in_old);
	LCHECK(c.want_found == 1);
	in_index = c.want_index;

	l.pm = policy_mgr_new(l.base, l.be, NULL);
	LCHECK(l.pm != NULL);
	/*
	 * Make before break: the identical policy was taken over, never
	 * deleted and re-added (the kernel's index is unchanged), so a
	 * restart leaves no moment without the inbound L2TP policy.
	 */
	c = live_policies(l.be, &in_old);
	LCHECK(c.want_found == 1 && c.want_index == in_index);
	/* the stale one is gone, the foreign one stays */
	memset(&want, 0, sizeof(want));
	want.sel = stale.sel;
	want.dir = XFRM_DIR_OUT;
	want.priority = POLICY_PRIORITY_DEFAULT;
	c = live_policies(l.be, &want);
	LCHECK(c.want_found == 0 && c.foreign == 1);
	/* in v4 + v6, out for 192.0.2.1, 2001:db8::1 and v0's fe80:: */
	f = pm_find(l.pm, AF_INET, "192.0.2.1");
	LCHECK(f.in == 2 && f.n == 1 && f.in_first && f.bad == 0);
	LCHECK(pm_find(l.pm, AF_INET6, "2001:db8::1").n == 1);
	LCHECK(pm_find(l.pm, AF_INET, "127.0.0.1").n == 0);
	LCHECK(pm_find(l.pm, AF_INET6, "::1").n == 0);
	LCHECK(f.installed == f.total && f.total >= 4);
	LCHECK(policy_mgr_count(l.pm) == f.total);
	c = live_policies(l.be, NULL);
	LCHECK(c.ours == f.total);
	/* the kernel holds the exact shape */
	memset(&want, 0, sizeof(want));
	xfrm_sel_any(&want.sel, AF_INET);
	want.sel.proto = IPPROTO_UDP;
	want.sel.dport = 1701;
	want.dir = XFRM_DIR_IN;
	want.priority = POLICY_PRIORITY_DEFAULT;
	LCHECK(live_policies(l.be, &want).want_found == 1);
	want.sel.dport = 0;
	want.sel.sport = 1701;
	LCHECK(inet_pton(AF_INET, "192.0.2.1", &want.sel.src) == 1);
	want.sel.src_plen = 32;
	want.dir = XFRM_DIR_OUT;
	LCHECK(live_policies(l.be, &want).want_found == 1);

	/* addresses come and go: on v0, and an extra one on lo */
	live_addr(true, AF_INET, "192.0.2.10", 24, "v0");
	LCHECK(live_wait_out(&l, AF_INET, "192.0.2.10", 1));
	live_addr(true, AF_INET, "198.51.100.1", 32, "lo");
	LCHECK(live_wait_out(&l, AF_INET, "198.51.100.1", 1));
	live_addr(true, AF_INET6, "2001:db8:1::1", 128, "lo");
	LCHECK(live_wait_out(&l, AF_INET6, "2001:db8:1::1", 1));
	want.sel.src.v4.s_addr = htonl(0xc000020a);
	LCHECK(live_policies(l.be, &want).want_found == 1);
	live_addr(false, AF_INET, "192.0.2.10", 24, "v0");
	LCHECK(live_wait_out(&l, AF_INET, "192.0.2.10", 0));
	LCHECK(live_policies(l.be, &want).want_found == 0);
	live_addr(false, AF_INET, "198.51.100.1", 32, "lo");
	LCHECK(live_wait_out(&l, AF_INET, "198.51.100.1", 0));
	live_addr(false, AF_INET6, "2001:db8:1::1", 128, "lo");
	LCHECK(live_wait_out(&l, AF_INET6, "2001:db8:1::1", 0));
	f = pm_find(l.pm, AF_INET, NULL);
	c = live_policies(l.be, NULL);
	LCHECK(c.ours == f.total && f.installed == f.total);

	/*
	 * The headline: cleartext UDP to 1701 never reaches a socket bound
	 * to it (any address); other ports do; the 1701 socket's replies
	 * do not leave in cleartext.
	 */
	r1701 = live_udp(AF_INET, 1701);
	r1702 = live_udp(AF_INET, 1702);
	live_enter(ns_b);
	s = live_udp(AF_INET, 1701);
	r1701b = live_udp(AF_INET, 1703);
	live_send(s, AF_INET, "192.0.2.1", 1701);
	live_send(r1701b, AF_INET, "192.0.2.1", 1701);
	live_send(s, AF_INET, "192.0.2.1", 1702);
	live_enter(ns_a);
	LCHECK(live_recv(r1702, 1000));
	LCHECK(!live_recv(r1701, 300));
	live_send(r1701, AF_INET, "192.0.2.2", 1703);
	live_send(r1702, AF_INET, "192.0.2.2", 1703);
	LCHECK(live_recv(r1701b, 1000));	/* from 1702 */
	LCHECK(!live_recv(r1701b, 300));	/* from 1701: blocked */
	live_sh("awk '$1 == \"XfrmInTmplMismatch\" && $2 >= 2 { ok = 1 } "
	    "END { exit !ok }' /proc/net/xfrm_stat");

	/* a clean exit leaves no policy of ours; the foreign one stays */
	policy_mgr_free(l.pm);
	c = live_policies(l.be, NULL);
	LCHECK(c.ours == 0 && c.foreign == 1);
	xfrm_backend_free(l.be);
	event_base_free(l.base);
}

static void
no_event_cb(const struct xfrm_event *e, void *arg)
{
	(void)e;
	(void)arg;
	fprintf(stderr, "unexpected XFRM event\n");
	_exit(1);
}

static void
live_events(void)
{
	struct event_base *base;
	struct xfrm_backend *be;
	struct xfrm_events *xe;

	live_netns(false);
	base = event_base_new();
	LCHECK(base != NULL);
	be = xfrm_backend_new(CONF_KERNEL_XFRM);
	LCHECK(be != NULL);
	/* subscribing works (CAP_NET_ADMIN); expiry needs complete SAs */
	xe = xfrm_events_new(be, base, XFRM_EVENTS_ACQUIRE, no_event_cb, NULL);
	LCHECK(xe != NULL);
	xfrm_events_free(xe);
	xfrm_backend_free(be);
	event_base_free(base);
}

static void
test_live_policy_roundtrip(void **state)
{
	(void)state;
	live_run(live_policy_roundtrip);
}

static void
test_live_spi(void **state)
{
	(void)state;
	live_run(live_spi);
}

static void
test_live_flush(void **state)
{
	(void)state;
	live_run(live_flush);
}

static void
test_live_bypass(void **state)
{
	(void)state;
	live_run(live_bypass);
}

static void
test_live_policy_mgr(void **state)
{
	(void)state;
	live_run(live_policy_mgr);
}

static void
test_live_events(void **state)
{
	(void)state;
	live_run(live_events);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_build_sa_cbc_sha1),
		cmocka_unit_test(test_build_sa_3des_sha256_in),
		cmocka_unit_test(test_build_sa_gcm_encap_v6),
		cmocka_unit_test_setup_teardown(test_sa_check_rejects,
		    logcap_setup_info, logcap_teardown),
		cmocka_unit_test_setup_teardown(test_build_spi_alloc,
		    logcap_setup_info, logcap_teardown),
		cmocka_unit_test_setup_teardown(test_build_sa_id,
		    logcap_setup_info, logcap_teardown),
		cmocka_unit_test(test_build_policy),
		cmocka_unit_test_setup_teardown(test_policy_check_rejects,
		    logcap_setup_info, logcap_teardown),
		cmocka_unit_test(test_parse_sa),
		cmocka_unit_test(test_parse_policy),
		cmocka_unit_test(test_parse_event),
		cmocka_unit_test_setup_teardown(test_none_backend,
		    logcap_setup_info, logcap_teardown),
		cmocka_unit_test(test_addr_usable),
		cmocka_unit_test_setup_teardown(test_policy_mgr_none,
		    logcap_setup_info, logcap_teardown),
		cmocka_unit_test(test_live_policy_roundtrip),
		cmocka_unit_test(test_live_spi),
		cmocka_unit_test(test_live_flush),
		cmocka_unit_test(test_live_bypass),
		cmocka_unit_test(test_live_policy_mgr),
		cmocka_unit_test(test_live_events),
	};

	log_setlevel(LOG_LEVEL_WARNING);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
