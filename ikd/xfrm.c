/*
 * xfrm.c - typed XFRM operations over netlink ("xfrm" backend) or logged
 * and recorded only ("none" backend); see xfrm.h for the contract and the
 * ownership tag.
 *
 * Kernel facts this file relies on (net/xfrm/xfrm_user.c, xfrm_state.c,
 * xfrm_policy.c, include/uapi/linux/xfrm.h):
 *   - ALLOCSPI creates an SA in state ACQ keyed by (daddr, spi, proto);
 *     UPDSA replaces such a larval SA by a complete one (xfrm_state_update),
 *     NEWSA only creates (EEXIST if the key is taken);
 *   - policies are identified by (direction, type, selector compared
 *     bytewise, mark, if_id) or by their index; NEWPOLICY fails with EEXIST
 *     on an identical one, UPDPOLICY would replace it (we never use it);
 *   - lookups of missing SAs answer ESRCH, of missing policies ENOENT;
 *   - struct xfrm_usersa_info has another size for 32-bit x86 processes:
 *     XXX a -m32 ikd needs a kernel with CONFIG_XFRM_USER_COMPAT;
 *   - policy dumps (NLM_F_DUMP) list main and sub policies and also the
 *     per-socket ones, with direction XFRM_POLICY_MAX + dir (seen on
 *     6.1); XFRMA_MARK / XFRMA_IF_ID are only put when non-zero.
 */
#include <sys/queue.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/ipsec.h>
#include <linux/netlink.h>
#include <linux/udp.h>
#include <linux/xfrm.h>

#include <event2/event.h>

#include "lib/ev.h"
#include "lib/log.h"
#include "lib/nl.h"
#include "xfrm.h"

#define XFRM_TAG	"xfrm"
#define XFRM_NONE_TAG	"xfrm none"

/* A dump interrupted by a concurrent change is retried this often. */
#define XFRM_DUMP_TRIES	3

/* Description of a selector or SA for logs. */
#define XFRM_DESC_MAX	200

_Static_assert(XFRM_ENC_KEY_MAX <= 255 && XFRM_AUTH_KEY_MAX <= 255,
    "key lengths fit uint8_t");

struct xfrm_ops {
	int	(*spi_alloc)(struct xfrm_backend *,
		    const struct xfrm_spi_req *, uint32_t *);
	int	(*sa_add)(struct xfrm_backend *, const struct xfrm_sa_req *);
	int	(*sa_del)(struct xfrm_backend *, const struct xfrm_sa_id *);
	int	(*sa_get)(struct xfrm_backend *, const struct xfrm_sa_id *,
		    struct xfrm_sa_info *);
	int	(*policy_add)(struct xfrm_backend *,
		    const struct xfrm_policy_req *);
	int	(*policy_del)(struct xfrm_backend *,
		    const struct xfrm_policy_id *);
	int	(*socket_bypass)(struct xfrm_backend *, int, int);
	int	(*sa_dump)(struct xfrm_backend *, xfrm_sa_dump_cb *, void *);
	int	(*policy_dump)(struct xfrm_backend *, xfrm_policy_dump_cb *,
		    void *);
	int	(*flush)(struct xfrm_backend *, unsigned int, unsigned int *,
		    unsigned int *);
	void	(*free)(struct xfrm_backend *);
};

/* "none" backend records. SPIs handed out are unique across all SAs. */
#define NONE_BUCKETS	1024

struct none_sa {
	LIST_ENTRY(none_sa)	 bucket;
	TAILQ_ENTRY(none_sa)	 entry;
	struct xfrm_sa_info	 info;
};

struct none_policy {
	TAILQ_ENTRY(none_policy) entry;
	struct xfrm_policy_info	 info;
};

struct none_state {
	LIST_HEAD(, none_sa)	 buckets[NONE_BUCKETS];
	TAILQ_HEAD(, none_sa)	 sas;
	TAILQ_HEAD(, none_policy) policies;
	uint32_t		 next_index;
};

struct xfrm_backend {
	enum conf_kernel	 kind;
	const struct xfrm_ops	*ops;
	struct nl_sock		*nl;		/* xfrm */
	struct nl_req		*req;		/* xfrm; wiped after SA add */
	struct none_state	*none;		/* none */
};

struct xfrm_events {
	struct xfrm_backend	*be;
	struct nl_sock		*nl;		/* NULL: backend "none" */
	struct event		*ev;
	xfrm_event_cb		*cb;
	void			*arg;
};

/*
 * Names and small helpers.
 */

const char *
xfrm_enc_name(enum xfrm_enc enc)
{
	switch (enc) {
	case XFRM_ENC_AES_CBC:
		return "aes-cbc";
	case XFRM_ENC_3DES_CBC:
		return "3des-cbc";
	case XFRM_ENC_AES_GCM16:
		return "aes-gcm16";
	}
	return "?";
}

const char *
xfrm_auth_name(enum xfrm_auth auth)
{
	switch (auth) {
	case XFRM_AUTH_NONE:
		return "none";
	case XFRM_AUTH_HMAC_SHA1_96:
		return "hmac-sha1-96";
	case XFRM_AUTH_HMAC_SHA256_128:
		return "hmac-sha256-128";
	}
	return "?";
}

const char *
xfrm_dir_name(enum xfrm_dir dir)
{
	switch (dir) {
	case XFRM_DIR_IN:
		return "in";
	case XFRM_DIR_OUT:
		return "out";
	case XFRM_DIR_FWD:
		return "fwd";
	}
	return "?";
}

const char *
xfrm_event_type_name(enum xfrm_event_type type)
{
	switch (type) {
	case XFRM_EVENT_EXPIRE_SOFT:
		return "soft expire";
	case XFRM_EVENT_EXPIRE_HARD:
		return "hard expire";
	case XFRM_EVENT_ACQUIRE:
		return "acquire";
	case XFRM_EVENT_LOST:
		return "events lost";
	}
	return "?";
}

bool
xfrm_reqid_ours(uint32_t reqid)
{
	return (reqid & XFRM_REQID_MASK) == XFRM_REQID_BASE;
}

const char *
xfrm_addr_ntop(uint16_t family, const union xfrm_ipaddr *a, char *buf,
    size_t len)
{
	if ((family != AF_INET && family != AF_INET6) ||
	    inet_ntop(family, a, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

void
xfrm_sel_any(struct xfrm_sel *sel, uint16_t family)
{
	memset(sel, 0, sizeof(*sel));
	sel->family = family;
}

static size_t
xfrm_addr_len(uint16_t family)
{
	return family == AF_INET ? sizeof(struct in_addr) :
	    sizeof(struct in6_addr);
}

static unsigned int
xfrm_plen_max(uint16_t family)
{
	return family == AF_INET ? 32 : 128;
}

static bool
xfrm_family_ok(uint16_t family)
{
	return family == AF_INET || family == AF_INET6;
}

static bool
xfrm_addr_zero(uint16_t family, const union xfrm_ipaddr *a)
{
	static const uint8_t zero[sizeof(struct in6_addr)];

	return memcmp(a, zero, xfrm_addr_len(family)) == 0;
}

/* True if the bits of `a` past `plen` are all zero. */
static bool
xfrm_addr_host_bits_zero(uint16_t family, const union xfrm_ipaddr *a,
    unsigned int plen)
{
	const uint8_t *p = (const uint8_t *)a;
	size_t n = xfrm_addr_len(family), i;

	for (i = 0; i < n; i++) {
		unsigned int first = (unsigned int)i * 8;
		uint8_t keep;

		if (plen >= first + 8)
			continue;
		keep = plen <= first ? 0 : (uint8_t)(0xff << (8 - (plen -
		    first)));
		if ((p[i] & (uint8_t)~keep) != 0)
			return false;
	}
	return true;
}

static bool
xfrm_addr_equal(uint16_t family, const union xfrm_ipaddr *a,
    const union xfrm_ipaddr *b)
{
	return memcmp(a, b, xfrm_addr_len(family)) == 0;
}

static const char *
xfrm_port_str(uint16_t port, uint16_t mask, char *buf, size_t len)
{
	if (mask == 0)
		snprintf(buf, len, "any");
	else if (mask == 0xffff)
		snprintf(buf, len, "%u", port);
	else
		snprintf(buf, len, "%u/0x%04x", port, mask);
	return buf;
}

static const char *
xfrm_proto_str(uint8_t proto, char *buf, size_t len)
{
	switch (proto) {
	case 0:
		return "any";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_ESP:
		return "esp";
	}
	snprintf(buf, len, "proto %u", proto);
	return buf;
}

/* "udp 0.0.0.0/0 port any -> 192.0.2.1/32 port 1701" */
static const char *
xfrm_sel_str(const struct xfrm_sel *s, char *buf, size_t len)
{
	char src[XFRM_ADDRSTRLEN], dst[XFRM_ADDRSTRLEN], sp[16], dp[16];
	char pr[16];

	if (!xfrm_family_ok(s->family)) {
		snprintf(buf, len, "any");
		return buf;
	}
	snprintf(buf, len, "%s %s/%u port %s -> %s/%u port %s",
	    xfrm_proto_str(s->proto, pr, sizeof(pr)),
	    xfrm_addr_ntop(s->family, &s->src, src, sizeof(src)), s->src_plen,
	    xfrm_port_str(s->sport, s->sport_mask, sp, sizeof(sp)),
	    xfrm_addr_ntop(s->family, &s->dst, dst, sizeof(dst)), s->dst_plen,
	    xfrm_port_str(s->dport, s->dport_mask, dp, sizeof(dp)));
	return buf;
}

/* "esp 0x0000c001 192.0.2.2 -> 192.0.2.1" */
static const char *
xfrm_sa_id_str(uint16_t family, const union xfrm_ipaddr *src,
    const union xfrm_ipaddr *dst, uint32_t spi, char *buf, size_t len)
{
	char s[XFRM_ADDRSTRLEN], d[XFRM_ADDRSTRLEN];

	if (src == NULL)
		snprintf(buf, len, "esp 0x%08x -> %s", spi,
		    xfrm_addr_ntop(family, dst, d, sizeof(d)));
	else
		snprintf(buf, len, "esp 0x%08x %s -> %s", spi,
		    xfrm_addr_ntop(family, src, s, sizeof(s)),
		    xfrm_addr_ntop(family, dst, d, sizeof(d)));
	return buf;
}

/*
 * Log a failed lookup or delete: a missing object (ESRCH) only at debug,
 * the caller may well expect it (deleting what may have expired); any
 * other failure as a warning with strerror. errno is kept.
 */
static void xfrm_log_fail(const char *tag, const char *fmt, ...)
    LOG_PRINTF(2, 3);

static void
xfrm_log_fail(const char *tag, const char *fmt, ...)
{
	char buf[XFRM_DESC_MAX + 64];
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (saved == ESRCH)
		logt_debug(tag, "%s: %s", buf, strerror(saved));
	else {
		errno = saved;
		logt_warn(tag, "%s", buf);
	}
	errno = saved;
}

/*
 * Checks.
 */

static bool
xfrm_sel_check(const struct xfrm_sel *s, bool allow_unspec, const char **why)
{
	unsigned int max;

	if (s->family == AF_UNSPEC && allow_unspec) {
		struct xfrm_sel zero;

		xfrm_sel_any(&zero, AF_UNSPEC);
		if (s->proto != 0 || s->src_plen != 0 || s->dst_plen != 0 ||
		    s->sport != 0 || s->sport_mask != 0 || s->dport != 0 ||
		    s->dport_mask != 0 ||
		    memcmp(&s->src, &zero.src, sizeof(zero.src)) != 0 ||
		    memcmp(&s->dst, &zero.dst, sizeof(zero.dst)) != 0) {
			*why = "selector without family is not empty";
			return false;
		}
		return true;
	}
	if (!xfrm_family_ok(s->family)) {
		*why = "selector family";
		return false;
	}
	max = xfrm_plen_max(s->family);
	if (s->src_plen > max || s->dst_plen > max) {
		*why = "selector prefix length";
		return false;
	}
	if (!xfrm_addr_host_bits_zero(s->family, &s->src, s->src_plen) ||
	    !xfrm_addr_host_bits_zero(s->family, &s->dst, s->dst_plen)) {
		*why = "selector address has bits past its prefix";
		return false;
	}
	if ((s->sport & ~s->sport_mask) != 0 ||
	    (s->dport & ~s->dport_mask) != 0) {
		*why = "selector port has bits outside its mask";
		return false;
	}
	if (s->proto == 0 && (s->sport_mask != 0 || s->dport_mask != 0)) {
		*why = "selector ports without a protocol";
		return false;
	}
	return true;
}

static bool
xfrm_spi_ok(uint32_t spi)
{
	return spi >= XFRM_SPI_MIN;
}

bool
xfrm_spi_req_check(const struct xfrm_spi_req *r, const char **why)
{
	if (!xfrm_family_ok(r->family)) {
		*why = "family";
		return false;
	}
	if (xfrm_addr_zero(r->family, &r->peer) ||
	    xfrm_addr_zero(r->family, &r->local)) {
		*why = "unspecified address";
		return false;
	}
	if (!xfrm_reqid_ours(r->reqid)) {
		*why = "reqid outside ikd's range";
		return false;
	}
	if (r->spi_min == 0 && r->spi_max == 0)
		return true;
	if (!xfrm_spi_ok(r->spi_min) || r->spi_max < r->spi_min) {
		*why = "SPI range";
		return false;
	}
	return true;
}

/* Key length in bytes the algorithm takes (0: invalid). */
static bool
xfrm_enc_key_ok(enum xfrm_enc enc, size_t len)
{
	switch (enc) {
	case XFRM_ENC_AES_CBC:
		return len == 16 || len == 24 || len == 32;
	case XFRM_ENC_3DES_CBC:
		return len == 24;
	case XFRM_ENC_AES_GCM16:
		/* RFC 4106 8.1: AES key followed by the 4-byte salt */
		return len == 16 + 4 || len == 24 + 4 || len == 32 + 4;
	}
	return false;
}

static size_t
xfrm_auth_key_len(enum xfrm_auth auth)
{
	switch (auth) {
	case XFRM_AUTH_NONE:
		return 0;
	case XFRM_AUTH_HMAC_SHA1_96:
		return 20;	/* RFC 2404 3 */
	case XFRM_AUTH_HMAC_SHA256_128:
		return 32;	/* RFC 4868 2.1.1 */
	}
	return 0;
}

static unsigned int
xfrm_auth_trunc_bits(enum xfrm_auth auth)
{
	return auth == XFRM_AUTH_HMAC_SHA1_96 ? 96 : 128;
}

static const char *
xfrm_enc_kname(enum xfrm_enc enc)
{
	switch (enc) {
	case XFRM_ENC_AES_CBC:
		return "cbc(aes)";
	case XFRM_ENC_3DES_CBC:
		return "cbc(des3_ede)";
	case XFRM_ENC_AES_GCM16:
		return "rfc4106(gcm(aes))";
	}
	return NULL;
}

static const char *
xfrm_auth_kname(enum xfrm_auth auth)
{
	switch (auth) {
	case XFRM_AUTH_NONE:
		return NULL;
	case XFRM_AUTH_HMAC_SHA1_96:
		return "hmac(sha1)";
	case XFRM_AUTH_HMAC_SHA256_128:
		return "hmac(sha256)";
	}
	return NULL;
}

bool
xfrm_sa_req_check(const struct xfrm_sa_req *r, const char **why)
{
	if (!xfrm_family_ok(r->family)) {
		*why = "family";
		return false;
	}
	if (r->dir != XFRM_DIR_IN && r->dir != XFRM_DIR_OUT) {
		*why = "direction";
		return false;
	}
	if (xfrm_addr_zero(r->family, &r->src) ||
	    xfrm_addr_zero(r->family, &r->dst)) {
		*why = "unspecified address";
		return false;
	}
	if (!xfrm_spi_ok(r->spi)) {
		*why = "SPI below 256";
		return false;
	}
	if (!xfrm_reqid_ours(r->reqid)) {
		*why = "reqid outside ikd's range";
		return false;
	}
	if (!xfrm_sel_check(&r->sel, true, why))
		return false;
	if (r->sel.family != AF_UNSPEC && r->sel.family != r->family) {
		*why = "selector family differs from the SA's";
		return false;
	}
	if (xfrm_enc_kname(r->enc) == NULL) {
		*why = "encryption algorithm";
		return false;
	}
	if (r->enc_key_len > sizeof(r->enc_key) ||
	    !xfrm_enc_key_ok(r->enc, r->enc_key_len)) {
		*why = "encryption key length";
		return false;
	}
	if (r->auth != XFRM_AUTH_NONE && xfrm_auth_kname(r->auth) == NULL) {
		*why = "integrity algorithm";
		return false;
	}
	/* RFC 4106 1: GCM is combined mode, no separate integrity */
	if ((r->enc == XFRM_ENC_AES_GCM16) != (r->auth == XFRM_AUTH_NONE)) {
		*why = "integrity algorithm required except with GCM";
		return false;
	}
	if (r->auth_key_len > sizeof(r->auth_key) ||
	    r->auth_key_len != xfrm_auth_key_len(r->auth)) {
		*why = "integrity key length";
		return false;
	}
	if (r->encap > 1 || (r->encap &&
	    (r->encap_sport == 0 || r->encap_dport == 0))) {
		*why = "UDP encapsulation ports";
		return false;
	}
	if (r->replay_window > XFRM_REPLAY_MAX) {
		*why = "replay window above 32";
		return false;
	}
	if ((r->soft_secs != 0 && r->hard_secs != 0 &&
	    r->soft_secs > r->hard_secs) ||
	    (r->soft_bytes != 0 && r->hard_bytes != 0 &&
	    r->soft_bytes > r->hard_bytes)) {
		*why = "soft lifetime above hard";
		return false;
	}
	return true;
}

bool
xfrm_sa_id_check(const struct xfrm_sa_id *r, const char **why)
{
	if (!xfrm_family_ok(r->family)) {
		*why = "family";
		return false;
	}
	if (xfrm_addr_zero(r->family, &r->dst)) {
		*why = "unspecified address";
		return false;
	}
	if (!xfrm_spi_ok(r->spi)) {
		*why = "SPI below 256";
		return false;
	}
	return true;
}

static bool
xfrm_dir_ok(uint8_t dir)
{
	return dir == XFRM_DIR_IN || dir == XFRM_DIR_OUT || dir == XFRM_DIR_FWD;
}

bool
xfrm_policy_req_check(const struct xfrm_policy_req *r, const char **why)
{
	if (!xfrm_sel_check(&r->sel, false, why))
		return false;
	if (!xfrm_dir_ok(r->dir)) {
		*why = "direction";
		return false;
	}
	if (!xfrm_reqid_ours(r->reqid)) {
		*why = "reqid outside ikd's range";
		return false;
	}
	return true;
}

bool
xfrm_policy_id_check(const struct xfrm_policy_id *r, const char **why)
{
	if (!xfrm_sel_check(&r->sel, false, why))
		return false;
	if (!xfrm_dir_ok(r->dir)) {
		*why = "direction";
		return false;
	}
	return true;
}

/*
 * Kernel structures <-> ours.
 */

static uint8_t
xfrm_kdir(uint8_t dir)
{
	switch (dir) {
	case XFRM_DIR_IN:
		return XFRM_POLICY_IN;
	case XFRM_DIR_OUT:
		return XFRM_POLICY_OUT;
	}
	return XFRM_POLICY_FWD;
}

static void
xfrm_addr_to_k(uint16_t family, const union xfrm_ipaddr *a,
    xfrm_address_t *k)
{
	memset(k, 0, sizeof(*k));
	if (xfrm_family_ok(family))
		memcpy(k, a, xfrm_addr_len(family));
}

static void
xfrm_addr_from_k(uint16_t family, const xfrm_address_t *k,
    union xfrm_ipaddr *a)
{
	memset(a, 0, sizeof(*a));
	if (xfrm_family_ok(family))
		memcpy(a, k, xfrm_addr_len(family));
}

/* The whole kernel selector is compared bytewise: zero it all first. */
static void
xfrm_sel_to_k(const struct xfrm_sel *s, struct xfrm_selector *k)
{
	memset(k, 0, sizeof(*k));
	if (s->family == AF_UNSPEC)
		return;
	k->family = s->family;
	xfrm_addr_to_k(s->family, &s->src, &k->saddr);
	xfrm_addr_to_k(s->family, &s->dst, &k->daddr);
	k->prefixlen_s = s->src_plen;
	k->prefixlen_d = s->dst_plen;
	k->proto = s->proto;
	k->sport = htons(s->sport);
	k->sport_mask = htons(s->sport_mask);
	k->dport = htons(s->dport);
	k->dport_mask = htons(s->dport_mask);
}

static void
xfrm_sel_from_k(const struct xfrm_selector *k, struct xfrm_sel *s)
{
	memset(s, 0, sizeof(*s));
	if (!xfrm_family_ok(k->family))
		return;
	s->family = k->family;
	xfrm_addr_from_k(k->family, &k->saddr, &s->src);
	xfrm_addr_from_k(k->family, &k->daddr, &s->dst);
	s->src_plen = k->prefixlen_s;
	s->dst_plen = k->prefixlen_d;
	s->proto = k->proto;
	s->sport = ntohs(k->sport);
	s->sport_mask = ntohs(k->sport_mask);
	s->dport = ntohs(k->dport);
	s->dport_mask = ntohs(k->dport_mask);
}

static void
xfrm_lft_infinite(struct xfrm_lifetime_cfg *lft)
{
	lft->soft_byte_limit = XFRM_INF;
	lft->hard_byte_limit = XFRM_INF;
	lft->soft_packet_limit = XFRM_INF;
	lft->hard_packet_limit = XFRM_INF;
	lft->soft_add_expires_seconds = 0;	/* 0: no time limit */
	lft->hard_add_expires_seconds = 0;
	lft->soft_use_expires_seconds = 0;
	lft->hard_use_expires_seconds = 0;
}

/*
 * Builders.
 */

static bool
xfrm_build_refuse(struct nl_req *req, const char *what, const char *why)
{
	logt_warnx(XFRM_TAG, "%s: refused: %s", what, why);
	req->overflow = true;
	return false;
}

bool
xfrm_build_spi_alloc(struct nl_req *req, const struct xfrm_spi_req *r)
{
	struct xfrm_userspi_info *u;
	const char *why;

	nl_req_init(req, XFRM_MSG_ALLOCSPI, 0);
	if (!xfrm_spi_req_check(r, &why))
		return xfrm_build_refuse(req, "allocate SPI", why);
	if ((u = nl_req_put_extra_header(req, sizeof(*u))) == NULL)
		return false;
	/* The larval SA is the inbound one: from the peer to us. */
	xfrm_addr_to_k(r->family, &r->local, &u->info.id.daddr);
	xfrm_addr_to_k(r->family, &r->peer, &u->info.saddr);
	u->info.id.proto = IPPROTO_ESP;
	u->info.family = r->family;
	u->info.mode = XFRM_MODE_TRANSPORT;
	u->info.reqid = r->reqid;
	xfrm_lft_infinite(&u->info.lft);
	if (r->spi_min == 0 && r->spi_max == 0) {
		u->min = XFRM_SPI_MIN;
		u->max = XFRM_SPI_MAX;
	} else {
		u->min = r->spi_min;
		u->max = r->spi_max;
	}
	return nl_req_ok(req);
}

/* Largest algorithm attribute: header struct, then the key. */
#define XFRM_ALG_BUF_MAX	(sizeof(struct xfrm_algo_aead) + \
	(XFRM_ENC_KEY_MAX > XFRM_AUTH_KEY_MAX ? XFRM_ENC_KEY_MAX : \
	XFRM_AUTH_KEY_MAX))

_Static_assert(sizeof(struct xfrm_algo_auth) == sizeof(struct xfrm_algo_aead),
    "XFRM_ALG_BUF_MAX covers the larger header");

/*
 * Put an algorithm attribute: struct xfrm_algo, xfrm_algo_auth or
 * xfrm_algo_aead (by type) followed directly by the key (alg_key[]).
 * extra_bits is the ICV or truncation length. The stack copy is wiped.
 */
static void
xfrm_put_alg(struct nl_req *req, uint16_t type, const char *name,
    unsigned int extra_bits, const uint8_t *key, size_t keylen)
{
	uint8_t buf[XFRM_ALG_BUF_MAX];
	struct xfrm_algo_aead aead;
	struct xfrm_algo_auth auth;
	struct xfrm_algo plain;
	size_t hdr;

	memset(buf, 0, sizeof(buf));
	switch (type) {
	case XFRMA_ALG_AEAD:
		memset(&aead, 0, sizeof(aead));
		snprintf(aead.alg_name, sizeof(aead.alg_name), "%s", name);
		aead.alg_key_len = (unsigned int)keylen * 8;
		aead.alg_icv_len = extra_bits;
		hdr = sizeof(aead);
		memcpy(buf, &aead, hdr);
		break;
	case XFRMA_ALG_AUTH_TRUNC:
		memset(&auth, 0, sizeof(auth));
		snprintf(auth.alg_name, sizeof(auth.alg_name), "%s", name);
		auth.alg_key_len = (unsigned int)keylen * 8;
		auth.alg_trunc_len = extra_bits;
		hdr = sizeof(auth);
		memcpy(buf, &auth, hdr);
		break;
	default:
		memset(&plain, 0, sizeof(plain));
		snprintf(plain.alg_name, sizeof(plain.alg_name), "%s", name);
		plain.alg_key_len = (unsigned int)keylen * 8;
		hdr = sizeof(plain);
		memcpy(buf, &plain, hdr);
		break;
	}
	memcpy(buf + hdr, key, keylen);
	nl_req_put(req, type, hdr + keylen, buf);
	explicit_bzero(buf, sizeof(buf));
}

bool
xfrm_build_sa_add(struct nl_req *req, const struct xfrm_sa_req *r)
{
	struct xfrm_usersa_info *u;
	struct xfrm_encap_tmpl encap;
	const char *why;

	nl_req_init(req, r->dir == XFRM_DIR_IN ? XFRM_MSG_UPDSA :
	    XFRM_MSG_NEWSA, 0);
	if (!xfrm_sa_req_check(r, &why))
		return xfrm_build_refuse(req, "add SA", why);
	if ((u = nl_req_put_extra_header(req, sizeof(*u))) == NULL)
		return false;
	xfrm_sel_to_k(&r->sel, &u->sel);
	xfrm_addr_to_k(r->family, &r->dst, &u->id.daddr);
	u->id.spi = htonl(r->spi);
	u->id.proto = IPPROTO_ESP;
	xfrm_addr_to_k(r->family, &r->src, &u->saddr);
	xfrm_lft_infinite(&u->lft);
	if (r->soft_bytes != 0)
		u->lft.soft_byte_limit = r->soft_bytes;
	if (r->hard_bytes != 0)
		u->lft.hard_byte_limit = r->hard_bytes;
	u->lft.soft_add_expires_seconds = r->soft_secs;
	u->lft.hard_add_expires_seconds = r->hard_secs;
	u->family = r->family;
	u->mode = XFRM_MODE_TRANSPORT;
	u->reqid = r->reqid;
	/*
	 * Legacy replay state (no XFRMA_REPLAY_ESN_VAL): IKEv1 negotiates
	 * no ESN, and the kernel caps this window at 32 packets.
	 */
	u->replay_window = r->replay_window;

	if (r->enc == XFRM_ENC_AES_GCM16) {
		/* RFC 4106 8.1: ICV 16 bytes; alg_key_len counts the salt */
		xfrm_put_alg(req, XFRMA_ALG_AEAD, xfrm_enc_kname(r->enc), 128,
		    r->enc_key, r->enc_key_len);
	} else {
		xfrm_put_alg(req, XFRMA_ALG_CRYPT, xfrm_enc_kname(r->enc), 0,
		    r->enc_key, r->enc_key_len);
		/*
		 * XFRMA_ALG_AUTH_TRUNC states the truncation: 96 bits for
		 * HMAC-SHA1 (RFC 2404), 128 for HMAC-SHA-256 (RFC 4868;
		 * the kernel's default for plain XFRMA_ALG_AUTH is 96).
		 */
		xfrm_put_alg(req, XFRMA_ALG_AUTH_TRUNC,
		    xfrm_auth_kname(r->auth), xfrm_auth_trunc_bits(r->auth),
		    r->auth_key, r->auth_key_len);
	}
	if (r->encap) {
		/* RFC 3948 2: ESP in UDP, no non-ESP marker on ESP */
		memset(&encap, 0, sizeof(encap));
		encap.encap_type = UDP_ENCAP_ESPINUDP;
		encap.encap_sport = htons(r->encap_sport);
		encap.encap_dport = htons(r->encap_dport);
		nl_req_put(req, XFRMA_ENCAP, sizeof(encap), &encap);
	}
	return nl_req_ok(req);
}

bool
xfrm_build_sa_id(struct nl_req *req, const struct xfrm_sa_id *r, bool get)
{
	struct xfrm_usersa_id *u;
	const char *why;

	nl_req_init(req, get ? XFRM_MSG_GETSA : XFRM_MSG_DELSA, 0);
	if (!xfrm_sa_id_check(r, &why))
		return xfrm_build_refuse(req, get ? "get SA" : "delete SA",
		    why);
	if ((u = nl_req_put_extra_header(req, sizeof(*u))) == NULL)
		return false;
	xfrm_addr_to_k(r->family, &r->dst, &u->daddr);
	u->spi = htonl(r->spi);
	u->family = r->family;
	u->proto = IPPROTO_ESP;
	return nl_req_ok(req);
}

bool
xfrm_build_policy_add(struct nl_req *req, const struct xfrm_policy_req *r)
{
	struct xfrm_userpolicy_info *u;
	struct xfrm_user_tmpl t;
	const char *why;

	nl_req_init(req, XFRM_MSG_NEWPOLICY, 0);
	if (!xfrm_policy_req_check(r, &why))
		return xfrm_build_refuse(req, "add policy", why);
	if ((u = nl_req_put_extra_header(req, sizeof(*u))) == NULL)
		return false;
	xfrm_sel_to_k(&r->sel, &u->sel);
	xfrm_lft_infinite(&u->lft);
	u->priority = r->priority;
	u->dir = xfrm_kdir(r->dir);
	u->action = XFRM_POLICY_ALLOW;
	u->share = XFRM_SHARE_ANY;

	/*
	 * One template: ESP, transport mode, addresses 0 (transport mode
	 * takes them from the flow), required (optional 0), any algorithm.
	 */
	memset(&t, 0, sizeof(t));
	t.id.proto = IPPROTO_ESP;
	t.family = r->sel.family;
	t.reqid = r->reqid;
	t.mode = XFRM_MODE_TRANSPORT;
	t.share = XFRM_SHARE_ANY;
	t.optional = 0;
	t.aalgos = ~0u;
	t.ealgos = ~0u;
	t.calgos = ~0u;
	nl_req_put(req, XFRMA_TMPL, sizeof(t), &t);
	return nl_req_ok(req);
}

bool
xfrm_build_policy_id(struct nl_req *req, const struct xfrm_policy_id *r,
    bool get)
{
	struct xfrm_userpolicy_id *u;
	const char *why;

	nl_req_init(req, get ? XFRM_MSG_GETPOLICY : XFRM_MSG_DELPOLICY, 0);
	if (!xfrm_policy_id_check(r, &why))
		return xfrm_build_refuse(req, get ? "get policy" :
		    "delete policy", why);
	if ((u = nl_req_put_extra_header(req, sizeof(*u))) == NULL)
		return false;
	xfrm_sel_to_k(&r->sel, &u->sel);
	u->dir = xfrm_kdir(r->dir);
	return nl_req_ok(req);
}

/* DELPOLICY by index (from a dump or a GETPOLICY reply). */
static void
xfrm_build_policy_del_index(struct nl_req *req, uint32_t index, uint8_t dir)
{
	struct xfrm_userpolicy_id *u;

	nl_req_init(req, XFRM_MSG_DELPOLICY, 0);
	if ((u = nl_req_put_extra_header(req, sizeof(*u))) == NULL)
		return;
	u->index = index;
	u->dir = xfrm_kdir(dir);
}

/*
 * Parsers.
 */

/* Attributes we read from SA, policy and event messages. */
static const struct nl_attr_policy xfrm_attr_pol[XFRMA_MAX + 1] = {
	[XFRMA_ALG_AUTH] = { NL_ATTR_BINARY, sizeof(struct xfrm_algo), 0 },
	[XFRMA_ALG_CRYPT] = { NL_ATTR_BINARY, sizeof(struct xfrm_algo), 0 },
	[XFRMA_ALG_AEAD] = { NL_ATTR_BINARY, sizeof(struct xfrm_algo_aead),
	    0 },
	[XFRMA_ALG_AUTH_TRUNC] = { NL_ATTR_BINARY,
	    sizeof(struct xfrm_algo_auth), 0 },
	[XFRMA_ENCAP] = { NL_ATTR_BINARY, sizeof(struct xfrm_encap_tmpl),
	    sizeof(struct xfrm_encap_tmpl) },
	[XFRMA_TMPL] = { NL_ATTR_BINARY, sizeof(struct xfrm_user_tmpl), 0 },
	[XFRMA_POLICY_TYPE] = { NL_ATTR_BINARY,
	    sizeof(struct xfrm_userpolicy_type),
	    sizeof(struct xfrm_userpolicy_type) },
	[XFRMA_MARK] = { NL_ATTR_BINARY, sizeof(struct xfrm_mark),
	    sizeof(struct xfrm_mark) },
	[XFRMA_IF_ID] = { NL_ATTR_U32, 0, 0 },
};

/* Mark or interface id set: ikd never sets either, so not ours. */
static bool
xfrm_attrs_marked(const struct nlattr **tb)
{
	struct xfrm_mark m;

	if (tb[XFRMA_MARK] != NULL) {
		memcpy(&m, nl_attr_data(tb[XFRMA_MARK]), sizeof(m));
		if (m.v != 0 || m.m != 0)
			return true;
	}
	return tb[XFRMA_IF_ID] != NULL && nl_attr_get_u32(tb[XFRMA_IF_ID]) != 0;
}

/* First template of XFRMA_TMPL into *t; *n templates. False: malformed. */
static bool
xfrm_attrs_tmpl(const struct nlattr *a, struct xfrm_user_tmpl *t,
    unsigned int *n, bool *all_ours)
{
	size_t len = nl_attr_len(a), i;
	const uint8_t *p = nl_attr_data(a);

	if (len == 0 || len % sizeof(*t) != 0)
		return false;
	*n = (unsigned int)(len / sizeof(*t));
	*all_ours = true;
	for (i = 0; i < *n; i++) {
		struct xfrm_user_tmpl cur;

		memcpy(&cur, p + i * sizeof(cur), sizeof(cur));
		if (i == 0)
			*t = cur;
		if (!xfrm_reqid_ours(cur.reqid))
			*all_ours = false;
	}
	return true;
}

static void
xfrm_sa_info_from_k(const struct xfrm_usersa_info *u, const struct nlattr **tb,
    struct xfrm_sa_info *out)
{
	memset(out, 0, sizeof(*out));
	out->family = u->family;
	xfrm_addr_from_k(u->family, &u->saddr, &out->src);
	xfrm_addr_from_k(u->family, &u->id.daddr, &out->dst);
	out->spi = ntohl(u->id.spi);
	out->proto = u->id.proto;
	out->mode = u->mode;
	out->reqid = u->reqid;
	xfrm_sel_from_k(&u->sel, &out->sel);
	out->counters.bytes = u->curlft.bytes;
	out->counters.packets = u->curlft.packets;
	out->counters.add_time = u->curlft.add_time;
	out->counters.use_time = u->curlft.use_time;
	out->counters.replay_drops = u->stats.replay;
	out->counters.integrity_failed = u->stats.integrity_failed;
	out->larval = tb[XFRMA_ALG_CRYPT] == NULL &&
	    tb[XFRMA_ALG_AEAD] == NULL && tb[XFRMA_ALG_AUTH] == NULL &&
	    tb[XFRMA_ALG_AUTH_TRUNC] == NULL;
	if (tb[XFRMA_ENCAP] != NULL) {
		struct xfrm_encap_tmpl e;

		memcpy(&e, nl_attr_data(tb[XFRMA_ENCAP]), sizeof(e));
		out->encap = true;
		out->encap_sport = ntohs(e.encap_sport);
		out->encap_dport = ntohs(e.encap_dport);
	}
	out->marked = xfrm_attrs_marked(tb);
	out->ours = xfrm_reqid_ours(u->reqid) && !out->marked;
}

bool
xfrm_parse_sa(const struct nlmsghdr *nlh, struct xfrm_sa_info *out)
{
	const struct nlattr *tb[XFRMA_MAX + 1];
	struct xfrm_usersa_info u;

	if (nlh->nlmsg_type != XFRM_MSG_NEWSA ||
	    !nl_msg_get_extra(nlh, &u, sizeof(u)) ||
	    !xfrm_family_ok(u.family) ||
	    !nl_attr_parse(nlh, sizeof(u), xfrm_attr_pol, XFRMA_MAX, tb))
		return false;
	xfrm_sa_info_from_k(&u, tb, out);
	return true;
}

bool
xfrm_parse_policy(const struct nlmsghdr *nlh, struct xfrm_policy_info *out)
{
	const struct nlattr *tb[XFRMA_MAX + 1];
	struct xfrm_userpolicy_info u;
	struct xfrm_userpolicy_type pt;
	struct xfrm_user_tmpl t;
	bool all_ours = false;

	if (nlh->nlmsg_type != XFRM_MSG_NEWPOLICY ||
	    !nl_msg_get_extra(nlh, &u, sizeof(u)) ||
	    !nl_attr_parse(nlh, sizeof(u), xfrm_attr_pol, XFRMA_MAX, tb))
		return false;
	memset(out, 0, sizeof(*out));
	xfrm_sel_from_k(&u.sel, &out->sel);
	/* Per-socket policies are dumped with XFRM_POLICY_MAX + dir. */
	if (u.dir >= XFRM_POLICY_MAX && u.dir < 2 * XFRM_POLICY_MAX) {
		out->socket = true;
		u.dir -= XFRM_POLICY_MAX;
	}
	switch (u.dir) {
	case XFRM_POLICY_IN:
		out->dir = XFRM_DIR_IN;
		break;
	case XFRM_POLICY_OUT:
		out->dir = XFRM_DIR_OUT;
		break;
	case XFRM_POLICY_FWD:
		out->dir = XFRM_DIR_FWD;
		break;
	default:
		return false;
	}
	out->action = u.action;
	out->priority = u.priority;
	out->index = u.index;
	out->type = XFRM_POLICY_TYPE_MAIN;
	if (tb[XFRMA_POLICY_TYPE] != NULL) {
		memcpy(&pt, nl_attr_data(tb[XFRMA_POLICY_TYPE]), sizeof(pt));
		out->type = pt.type;
	}
	if (tb[XFRMA_TMPL] != NULL) {
		if (!xfrm_attrs_tmpl(tb[XFRMA_TMPL], &t, &out->ntmpl,
		    &all_ours))
			return false;
		out->tmpl_proto = t.id.proto;
		out->tmpl_mode = t.mode;
		out->tmpl_optional = t.optional;
		out->tmpl_reqid = t.reqid;
	}
	out->marked = xfrm_attrs_marked(tb);
	out->ours = out->ntmpl > 0 && all_ours && !out->marked &&
	    out->type == XFRM_POLICY_TYPE_MAIN && !out->socket;
	return true;
}

bool
xfrm_parse_event(const struct nlmsghdr *nlh, struct xfrm_event *out)
{
	const struct nlattr *tb[XFRMA_MAX + 1];
	struct xfrm_user_expire ue;
	struct xfrm_user_acquire ua;
	struct xfrm_user_tmpl t;
	struct xfrm_sa_info sa;
	unsigned int n;
	bool all_ours;

	memset(out, 0, sizeof(*out));
	switch (nlh->nlmsg_type) {
	case XFRM_MSG_EXPIRE:
		if (!nl_msg_get_extra(nlh, &ue, sizeof(ue)) ||
		    !xfrm_family_ok(ue.state.family) ||
		    !nl_attr_parse(nlh, sizeof(ue), xfrm_attr_pol, XFRMA_MAX,
		    tb))
			return false;
		xfrm_sa_info_from_k(&ue.state, tb, &sa);
		out->type = ue.hard ? XFRM_EVENT_EXPIRE_HARD :
		    XFRM_EVENT_EXPIRE_SOFT;
		out->family = sa.family;
		out->src = sa.src;
		out->dst = sa.dst;
		out->spi = sa.spi;
		out->proto = sa.proto;
		out->reqid = sa.reqid;
		out->sel = sa.sel;
		out->ours = sa.ours;
		return true;
	case XFRM_MSG_ACQUIRE:
		if (!nl_msg_get_extra(nlh, &ua, sizeof(ua)) ||
		    !xfrm_family_ok(ua.sel.family) ||
		    !nl_attr_parse(nlh, sizeof(ua), xfrm_attr_pol, XFRMA_MAX,
		    tb))
			return false;
		out->type = XFRM_EVENT_ACQUIRE;
		out->family = ua.sel.family;
		xfrm_addr_from_k(out->family, &ua.saddr, &out->src);
		xfrm_addr_from_k(out->family, &ua.id.daddr, &out->dst);
		out->proto = ua.id.proto;
		xfrm_sel_from_k(&ua.sel, &out->sel);
		if (tb[XFRMA_TMPL] == NULL)
			return true;	/* not ours: no template reqid */
		if (!xfrm_attrs_tmpl(tb[XFRMA_TMPL], &t, &n, &all_ours))
			return false;
		out->reqid = t.reqid;
		out->ours = all_ours && !xfrm_attrs_marked(tb);
		return true;
	}
	return false;
}

/*
 * Dispatch: checks, then the backend.
 */

/* Log a refused request; errno EINVAL. */
static int
xfrm_refused(const char *what, const char *why)
{
	logt_warnx(XFRM_TAG, "%s: refused: %s", what, why);
	errno = EINVAL;
	return -1;
}

int
xfrm_spi_alloc(struct xfrm_backend *be, const struct xfrm_spi_req *r,
    uint32_t *spi)
{
	const char *why = "";

	if (!xfrm_spi_req_check(r, &why))
		return xfrm_refused("allocate SPI", why);
	return be->ops->spi_alloc(be, r, spi);
}

int
xfrm_sa_add(struct xfrm_backend *be, const struct xfrm_sa_req *r)
{
	const char *why = "";

	if (!xfrm_sa_req_check(r, &why))
		return xfrm_refused("add SA", why);
	return be->ops->sa_add(be, r);
}

int
xfrm_sa_del(struct xfrm_backend *be, const struct xfrm_sa_id *r)
{
	const char *why = "";

	if (!xfrm_sa_id_check(r, &why))
		return xfrm_refused("delete SA", why);
	return be->ops->sa_del(be, r);
}

int
xfrm_sa_get_counters(struct xfrm_backend *be, const struct xfrm_sa_id *r,
    struct xfrm_sa_counters *out)
{
	struct xfrm_sa_info info;
	const char *why = "";
	char d[XFRM_DESC_MAX];

	if (!xfrm_sa_id_check(r, &why))
		return xfrm_refused("get SA", why);
	if (be->ops->sa_get(be, r, &info) == -1)
		return -1;
	if (!info.ours) {
		logt_warnx(XFRM_TAG, "get SA %s: not ours (reqid 0x%08x)",
		    xfrm_sa_id_str(r->family, NULL, &r->dst, r->spi, d,
		    sizeof(d)), info.reqid);
		errno = EACCES;
		return -1;
	}
	*out = info.counters;
	return 0;
}

int
xfrm_policy_add(struct xfrm_backend *be, const struct xfrm_policy_req *r)
{
	const char *why = "";

	if (!xfrm_policy_req_check(r, &why))
		return xfrm_refused("add policy", why);
	return be->ops->policy_add(be, r);
}

int
xfrm_policy_del(struct xfrm_backend *be, const struct xfrm_policy_id *r)
{
	const char *why = "";

	if (!xfrm_policy_id_check(r, &why))
		return xfrm_refused("delete policy", why);
	return be->ops->policy_del(be, r);
}

int
xfrm_socket_bypass(struct xfrm_backend *be, int fd, int family)
{
	if (!xfrm_family_ok((uint16_t)family) || fd < 0) {
		return xfrm_refused("socket bypass", "bad fd or family");
	}
	return be->ops->socket_bypass(be, fd, family);
}

int
xfrm_sa_dump(struct xfrm_backend *be, xfrm_sa_dump_cb *cb, void *arg)
{
	return be->ops->sa_dump(be, cb, arg);
}

int
xfrm_policy_dump(struct xfrm_backend *be, xfrm_policy_dump_cb *cb, void *arg)
{
	return be->ops->policy_dump(be, cb, arg);
}

int
xfrm_flush_ours(struct xfrm_backend *be, unsigned int what,
    unsigned int *nsa, unsigned int *npolicy)
{
	unsigned int a = 0, b = 0;
	int rc;

	rc = be->ops->flush(be, what, &a, &b);
	if (a != 0 || b != 0)
		logt_info(be->kind == CONF_KERNEL_NONE ? XFRM_NONE_TAG :
		    XFRM_TAG, "removed %u SAs and %u policies of ours", a, b);
	if (nsa != NULL)
		*nsa = a;
	if (npolicy != NULL)
		*npolicy = b;
	return rc;
}

enum conf_kernel
xfrm_backend_kind(const struct xfrm_backend *be)
{
	return be->kind;
}

void
xfrm_backend_free(struct xfrm_backend *be)
{
	if (be == NULL)
		return;
	be->ops->free(be);
	free(be);
}

/*
 * "xfrm" backend.
 */

/*
 * Run the request in be->req. A missing policy comes back as ESRCH, as a
 * missing SA does (the kernel answers ENOENT for policies; elsewhere
 * ENOENT means something else, e.g. no free SPI or no crypto module).
 */
static int
xk_transact(struct xfrm_backend *be, nl_msg_cb *cb, void *arg)
{
	uint16_t type = nl_req_hdr(be->req)->nlmsg_type;

	if (nl_transact(be->nl, be->req, cb, arg) == -1) {
		if (errno == ENOENT && (type == XFRM_MSG_GETPOLICY ||
		    type == XFRM_MSG_DELPOLICY))
			errno = ESRCH;
		return -1;
	}
	return 0;
}

struct xk_sa_reply {
	struct xfrm_sa_info	 info;
	bool			 got;
};

static int
xk_sa_reply_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct xk_sa_reply *r = arg;

	if (r->got || !xfrm_parse_sa(nlh, &r->info)) {
		errno = EBADMSG;
		return -1;
	}
	r->got = true;
	return 0;
}

static int
xk_spi_alloc(struct xfrm_backend *be, const struct xfrm_spi_req *r,
    uint32_t *spi)
{
	struct xk_sa_reply rep;
	char p[XFRM_ADDRSTRLEN], l[XFRM_ADDRSTRLEN];
	int rc = -1;

	memset(&rep, 0, sizeof(rep));
	if (xfrm_build_spi_alloc(be->req, r) &&
	    xk_transact(be, xk_sa_reply_cb, &rep) == 0) {
		/* The reply is the larval SA, holding its SPI. */
		if (rep.got && xfrm_spi_ok(rep.info.spi))
			rc = 0;
		else
			errno = EBADMSG;
	}
	xfrm_addr_ntop(r->family, &r->peer, p, sizeof(p));
	xfrm_addr_ntop(r->family, &r->local, l, sizeof(l));
	if (rc == -1) {
		logt_warn(XFRM_TAG, "allocate SPI %s -> %s", p, l);
		return -1;
	}
	*spi = rep.info.spi;
	logt_debug(XFRM_TAG, "allocated SPI 0x%08x %s -> %s", *spi, p, l);
	return 0;
}

static int
xk_sa_add(struct xfrm_backend *be, const struct xfrm_sa_req *r)
{
	char d[XFRM_DESC_MAX];
	int rc = 0, saved;

	if (!xfrm_build_sa_add(be->req, r) || xk_transact(be, NULL, NULL) ==
	    -1) {
		saved = errno;
		logt_warn(XFRM_TAG, "add SA %s %s %s/%s%s",
		    xfrm_dir_name(r->dir), xfrm_sa_id_str(r->family, &r->src,
		    &r->dst, r->spi, d, sizeof(d)), xfrm_enc_name(r->enc),
		    xfrm_auth_name(r->auth), r->encap ? " udp-encap" : "");
		errno = saved;
		rc = -1;
	} else
		logt_debug(XFRM_TAG, "added SA %s %s", xfrm_dir_name(r->dir),
		    xfrm_sa_id_str(r->family, &r->src, &r->dst, r->spi, d,
		    sizeof(d)));
	/*
	 * The request held the keys. XXX on a kernel without
	 * NETLINK_CAP_ACK (before 4.3) an error ack echoes the request, keys
	 * included, into the socket's receive buffer, which lib/nl does not
	 * wipe.
	 */
	saved = errno;
	explicit_bzero(be->req, sizeof(*be->req));
	errno = saved;
	return rc;
}

static int
xk_sa_get(struct xfrm_backend *be, const struct xfrm_sa_id *r,
    struct xfrm_sa_info *out)
{
	struct xk_sa_reply rep;
	char d[XFRM_DESC_MAX];

	memset(&rep, 0, sizeof(rep));
	if (xfrm_build_sa_id(be->req, r, true) &&
	    xk_transact(be, xk_sa_reply_cb, &rep) == 0) {
		if (rep.got) {
			*out = rep.info;
			return 0;
		}
		errno = EBADMSG;
	}
	xfrm_log_fail(XFRM_TAG, "get SA %s", xfrm_sa_id_str(r->family, NULL,
	    &r->dst, r->spi, d, sizeof(d)));
	return -1;
}

static int
xk_sa_del(struct xfrm_backend *be, const struct xfrm_sa_id *r)
{
	struct xfrm_sa_info info;
	char d[XFRM_DESC_MAX];

	/* Only ours: look first (the lookup logs its failure). */
	if (xk_sa_get(be, r, &info) == -1)
		return -1;
	xfrm_sa_id_str(r->family, &info.src, &r->dst, r->spi, d, sizeof(d));
	if (!info.ours) {
		logt_warnx(XFRM_TAG, "delete SA %s: not ours (reqid 0x%08x)",
		    d, info.reqid);
		errno = EACCES;
		return -1;
	}
	if (!xfrm_build_sa_id(be->req, r, false) ||
	    xk_transact(be, NULL, NULL) == -1) {
		xfrm_log_fail(XFRM_TAG, "delete SA %s", d);
		return -1;
	}
	logt_debug(XFRM_TAG, "deleted SA %s", d);
	return 0;
}

static int
xk_policy_add(struct xfrm_backend *be, const struct xfrm_policy_req *r)
{
	char s[XFRM_DESC_MAX];

	xfrm_sel_str(&r->sel, s, sizeof(s));
	if (!xfrm_build_policy_add(be->req, r) ||
	    xk_transact(be, NULL, NULL) == -1) {
		logt_warn(XFRM_TAG, "add policy %s %s", xfrm_dir_name(r->dir),
		    s);
		return -1;
	}
	logt_debug(XFRM_TAG, "added policy %s %s", xfrm_dir_name(r->dir), s);
	return 0;
}

struct xk_policy_reply {
	struct xfrm_policy_info	 info;
	bool			 got;
};

static int
xk_policy_reply_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct xk_policy_reply *r = arg;

	if (r->got || !xfrm_parse_policy(nlh, &r->info)) {
		errno = EBADMSG;
		return -1;
	}
	r->got = true;
	return 0;
}

static int
xk_policy_del(struct xfrm_backend *be, const struct xfrm_policy_id *r)
{
	struct xk_policy_reply rep;
	char s[XFRM_DESC_MAX];

	xfrm_sel_str(&r->sel, s, sizeof(s));
	memset(&rep, 0, sizeof(rep));
	/* Only ours: look it up, then delete that very policy by index. */
	if (!xfrm_build_policy_id(be->req, r, true) ||
	    xk_transact(be, xk_policy_reply_cb, &rep) == -1) {
		xfrm_log_fail(XFRM_TAG, "get policy %s %s",
		    xfrm_dir_name(r->dir), s);
		return -1;
	}
	if (!rep.got) {
		errno = EBADMSG;
		logt_warn(XFRM_TAG, "get policy %s %s", xfrm_dir_name(r->dir),
		    s);
		return -1;
	}
	if (!rep.info.ours) {
		logt_warnx(XFRM_TAG, "delete policy %s %s: not ours",
		    xfrm_dir_name(r->dir), s);
		errno = EACCES;
		return -1;
	}
	xfrm_build_policy_del_index(be->req, rep.info.index, r->dir);
	if (xk_transact(be, NULL, NULL) == -1) {
		xfrm_log_fail(XFRM_TAG, "delete policy %s %s",
		    xfrm_dir_name(r->dir), s);
		return -1;
	}
	logt_debug(XFRM_TAG, "deleted policy %s %s", xfrm_dir_name(r->dir), s);
	return 0;
}

static int
xk_socket_bypass(struct xfrm_backend *be, int fd, int family)
{
	struct xfrm_userpolicy_info pol;
	int level, opt;
	uint8_t dirs[2] = { XFRM_POLICY_IN, XFRM_POLICY_OUT };
	size_t i;

	(void)be;
	level = family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
	opt = family == AF_INET6 ? IPV6_XFRM_POLICY : IP_XFRM_POLICY;
	for (i = 0; i < sizeof(dirs); i++) {
		/* net/xfrm/xfrm_user.c xfrm_compile_policy(): no template */
		memset(&pol, 0, sizeof(pol));
		pol.sel.family = (uint16_t)family;
		xfrm_lft_infinite(&pol.lft);
		pol.dir = dirs[i];
		pol.action = XFRM_POLICY_ALLOW;
		pol.share = XFRM_SHARE_ANY;
		if (setsockopt(fd, level, opt, &pol, sizeof(pol)) == -1) {
			logt_warn(XFRM_TAG, "socket bypass policy %s on fd %d",
			    i == 0 ? "in" : "out", fd);
			return -1;
		}
	}
	return 0;
}

/* Dumps. */

struct xk_dump {
	xfrm_sa_dump_cb		*sa_cb;
	xfrm_policy_dump_cb	*pol_cb;
	void			*arg;
};

static int
xk_dump_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct xk_dump *d = arg;
	struct xfrm_sa_info sa;
	struct xfrm_policy_info pol;

	if (d->sa_cb != NULL) {
		if (!xfrm_parse_sa(nlh, &sa)) {
			errno = EBADMSG;
			return -1;
		}
		return d->sa_cb(&sa, d->arg);
	}
	if (!xfrm_parse_policy(nlh, &pol)) {
		errno = EBADMSG;
		return -1;
	}
	return d->pol_cb(&pol, d->arg);
}

static int
xk_dump(struct xfrm_backend *be, uint16_t type, struct xk_dump *d)
{
	int tries;

	for (tries = 0; tries < XFRM_DUMP_TRIES; tries++) {
		/*
		 * No family header: the kernel starts a dump before any size
		 * check and parses what follows the nlmsghdr as attributes
		 * (xfrm_dump_sa_start: XFRMA_ADDRESS_FILTER, XFRMA_PROTO).
		 */
		nl_req_init(be->req, type, NLM_F_DUMP);
		if (nl_transact(be->nl, be->req, xk_dump_cb, d) == 0)
			return 0;
		if (errno != EINTR)
			break;
	}
	logt_warn(XFRM_TAG, "dump %s", type == XFRM_MSG_GETSA ? "SAs" :
	    "policies");
	return -1;
}

static int
xk_sa_dump(struct xfrm_backend *be, xfrm_sa_dump_cb *cb, void *arg)
{
	struct xk_dump d = { cb, NULL, arg };

	return xk_dump(be, XFRM_MSG_GETSA, &d);
}

static int
xk_policy_dump(struct xfrm_backend *be, xfrm_policy_dump_cb *cb, void *arg)
{
	struct xk_dump d = { NULL, cb, arg };

	return xk_dump(be, XFRM_MSG_GETPOLICY, &d);
}

/* Objects of ours collected from a dump, deleted after it. */
struct xk_ours {
	struct xfrm_sa_id	*sas;
	struct xfrm_policy_info	*pols;
	size_t			 n;
	size_t			 cap;
};

static int
xk_ours_grow(struct xk_ours *o, size_t elem, void **arr)
{
	void *p;
	size_t cap;

	if (o->n < o->cap)
		return 0;
	cap = o->cap == 0 ? 16 : o->cap * 2;
	if ((p = reallocarray(*arr, cap, elem)) == NULL)
		return -1;
	*arr = p;
	o->cap = cap;
	return 0;
}

static int
xk_ours_sa_cb(const struct xfrm_sa_info *sa, void *arg)
{
	struct xk_ours *o = arg;
	void *arr = o->sas;

	/*
	 * SAs without an SPI (the kernel's acquire states, the leftover of
	 * an ALLOCSPI that found no free SPI) are not in the by-SPI table,
	 * so no DELSA reaches them; they expire by themselves after
	 * net.core.xfrm_acq_expires (30 s).
	 */
	if (!sa->ours || sa->spi == 0)
		return 0;
	if (xk_ours_grow(o, sizeof(*o->sas), &arr) == -1)
		return -1;
	o->sas = arr;
	memset(&o->sas[o->n], 0, sizeof(o->sas[o->n]));
	o->sas[o->n].family = sa->family;
	o->sas[o->n].dst = sa->dst;
	o->sas[o->n].spi = sa->spi;
	o->n++;
	return 0;
}

static int
xk_ours_policy_cb(const struct xfrm_policy_info *pol, void *arg)
{
	struct xk_ours *o = arg;
	void *arr = o->pols;

	if (!pol->ours)
		return 0;
	if (xk_ours_grow(o, sizeof(*o->pols), &arr) == -1)
		return -1;
	o->pols = arr;
	o->pols[o->n++] = *pol;
	return 0;
}

static int
xk_flush(struct xfrm_backend *be, unsigned int what, unsigned int *nsa,
    unsigned int *npol)
{
	struct xk_ours o;
	char d[XFRM_DESC_MAX];
	size_t i;
	int rc = 0;

	if (what & XFRM_FLUSH_POLICY) {
		/* Policies first: no packet is caught without an SA. */
		memset(&o, 0, sizeof(o));
		if (xk_policy_dump(be, xk_ours_policy_cb, &o) == -1)
			rc = -1;
		for (i = 0; i < o.n; i++) {
			xfrm_build_policy_del_index(be->req, o.pols[i].index,
			    o.pols[i].dir);
			if (xk_transact(be, NULL, NULL) == 0)
				(*npol)++;
			else if (errno != ESRCH) {
				logt_warn(XFRM_TAG, "delete policy %s %s",
				    xfrm_dir_name(o.pols[i].dir),
				    xfrm_sel_str(&o.pols[i].sel, d,
				    sizeof(d)));
				rc = -1;
			}
		}
		free(o.pols);
	}
	if (what & XFRM_FLUSH_SA) {
		memset(&o, 0, sizeof(o));
		if (xk_sa_dump(be, xk_ours_sa_cb, &o) == -1)
			rc = -1;
		for (i = 0; i < o.n; i++) {
			if (!xfrm_build_sa_id(be->req, &o.sas[i], false))
				continue;
			if (xk_transact(be, NULL, NULL) == 0)
				(*nsa)++;
			else if (errno != ESRCH) {
				logt_warn(XFRM_TAG, "delete SA %s",
				    xfrm_sa_id_str(o.sas[i].family, NULL,
				    &o.sas[i].dst, o.sas[i].spi, d,
				    sizeof(d)));
				rc = -1;
			}
		}
		free(o.sas);
	}
	return rc;
}

static void
xk_free(struct xfrm_backend *be)
{
	nl_close(be->nl);
	if (be->req != NULL) {
		explicit_bzero(be->req, sizeof(*be->req));
		free(be->req);
	}
}

static const struct xfrm_ops xk_ops = {
	.spi_alloc = xk_spi_alloc,
	.sa_add = xk_sa_add,
	.sa_del = xk_sa_del,
	.sa_get = xk_sa_get,
	.policy_add = xk_policy_add,
	.policy_del = xk_policy_del,
	.socket_bypass = xk_socket_bypass,
	.sa_dump = xk_sa_dump,
	.policy_dump = xk_policy_dump,
	.flush = xk_flush,
	.free = xk_free,
};

/*
 * "none" backend: records what would be installed, logs it at info.
 */

static size_t
none_bucket(uint32_t spi)
{
	return (spi ^ (spi >> 10) ^ (spi >> 20)) % NONE_BUCKETS;
}

static struct none_sa *
none_sa_find(struct none_state *ns, uint16_t family,
    const union xfrm_ipaddr *dst, uint32_t spi)
{
	struct none_sa *s;

	LIST_FOREACH(s, &ns->buckets[none_bucket(spi)], bucket)
		if (s->info.spi == spi && s->info.family == family &&
		    xfrm_addr_equal(family, &s->info.dst, dst))
			return s;
	return NULL;
}

static bool
none_spi_used(struct none_state *ns, uint32_t spi)
{
	struct none_sa *s;

	LIST_FOREACH(s, &ns->buckets[none_bucket(spi)], bucket)
		if (s->info.spi == spi)
			return true;
	return false;
}

static void
none_sa_unlink(struct none_state *ns, struct none_sa *s)
{
	LIST_REMOVE(s, bucket);
	TAILQ_REMOVE(&ns->sas, s, entry);
	free(s);
}

/* Small ranges are scanned, large ones sampled (as the kernel does). */
#define NONE_SCAN_MAX	4096
#define NONE_TRIES	64

static int
none_spi_alloc(struct xfrm_backend *be, const struct xfrm_spi_req *r,
    uint32_t *spi)
{
	struct none_state *ns = be->none;
	struct none_sa *s;
	uint32_t lo, hi, range, cand = 0, i;
	char p[XFRM_ADDRSTRLEN], l[XFRM_ADDRSTRLEN];
	bool found = false;

	lo = r->spi_min == 0 && r->spi_max == 0 ? XFRM_SPI_MIN : r->spi_min;
	hi = r->spi_min == 0 && r->spi_max == 0 ? XFRM_SPI_MAX : r->spi_max;
	range = hi - lo;	/* one less than the number of SPIs */
	if (range < NONE_SCAN_MAX) {
		uint32_t start = arc4random_uniform(range + 1);

		for (i = 0; i <= range && !found; i++) {
			cand = lo + (start + i) % (range + 1);
			found = !none_spi_used(ns, cand);
		}
	} else {
		for (i = 0; i < NONE_TRIES && !found; i++) {
			/* lo >= XFRM_SPI_MIN: range + 1 does not wrap */
			cand = lo + arc4random_uniform(range + 1);
			found = !none_spi_used(ns, cand);
		}
	}
	xfrm_addr_ntop(r->family, &r->peer, p, sizeof(p));
	xfrm_addr_ntop(r->family, &r->local, l, sizeof(l));
	if (!found) {
		errno = ENOENT;
		logt_warn(XFRM_NONE_TAG, "allocate SPI %s -> %s in "
		    "0x%08x..0x%08x", p, l, lo, hi);
		return -1;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		logt_warn(XFRM_NONE_TAG, "allocate SPI: calloc");
		return -1;
	}
	s->info.family = r->family;
	s->info.src = r->peer;
	s->info.dst = r->local;
	s->info.spi = cand;
	s->info.proto = IPPROTO_ESP;
	s->info.mode = XFRM_MODE_TRANSPORT;
	s->info.reqid = r->reqid;
	s->info.larval = true;
	s->info.ours = true;
	s->info.counters.add_time = (uint64_t)time(NULL);
	LIST_INSERT_HEAD(&ns->buckets[none_bucket(cand)], s, bucket);
	TAILQ_INSERT_TAIL(&ns->sas, s, entry);
	*spi = cand;
	logt_info(XFRM_NONE_TAG, "would allocate SPI: esp 0x%08x %s -> %s "
	    "reqid 0x%08x", cand, p, l, r->reqid);
	return 0;
}

static int
none_sa_add(struct xfrm_backend *be, const struct xfrm_sa_req *r)
{
	struct none_state *ns = be->none;
	struct none_sa *s;
	char d[XFRM_DESC_MAX], sel[XFRM_DESC_MAX], encap[32] = "";

	xfrm_sa_id_str(r->family, &r->src, &r->dst, r->spi, d, sizeof(d));
	s = none_sa_find(ns, r->family, &r->dst, r->spi);
	if (r->dir == XFRM_DIR_IN && (s == NULL || !s->info.larval)) {
		/* XFRM_MSG_UPDSA needs the larval SA of ALLOCSPI */
		errno = ESRCH;
		logt_warn(XFRM_NONE_TAG, "add SA in %s", d);
		return -1;
	}
	if (r->dir == XFRM_DIR_OUT && s != NULL) {
		errno = EEXIST;
		logt_warn(XFRM_NONE_TAG, "add SA out %s", d);
		return -1;
	}
	if (s == NULL) {
		if ((s = calloc(1, sizeof(*s))) == NULL) {
			logt_warn(XFRM_NONE_TAG, "add SA: calloc");
			return -1;
		}
		LIST_INSERT_HEAD(&ns->buckets[none_bucket(r->spi)], s, bucket);
		TAILQ_INSERT_TAIL(&ns->sas, s, entry);
	}
	s->info.family = r->family;
	s->info.src = r->src;
	s->info.dst = r->dst;
	s->info.spi = r->spi;
	s->info.proto = IPPROTO_ESP;
	s->info.mode = XFRM_MODE_TRANSPORT;
	s->info.reqid = r->reqid;
	s->info.sel = r->sel;
	s->info.larval = false;
	s->info.encap = r->encap != 0;
	s->info.encap_sport = r->encap_sport;
	s->info.encap_dport = r->encap_dport;
	s->info.ours = true;
	memset(&s->info.counters, 0, sizeof(s->info.counters));
	s->info.counters.add_time = (uint64_t)time(NULL);
	if (r->encap)
		snprintf(encap, sizeof(encap), " udp-encap %u->%u",
		    r->encap_sport, r->encap_dport);
	/* Parameters only: never the keys. */
	logt_info(XFRM_NONE_TAG, "would add SA %s %s transport reqid 0x%08x "
	    "enc %s/%u auth %s%s replay %u lifetime soft %llus/%lluB "
	    "hard %llus/%lluB sel %s", xfrm_dir_name(r->dir), d, r->reqid,
	    xfrm_enc_name(r->enc), (unsigned int)(r->enc_key_len - (r->enc ==
	    XFRM_ENC_AES_GCM16 ? 4 : 0)) * 8, xfrm_auth_name(r->auth), encap,
	    r->replay_window, (unsigned long long)r->soft_secs,
	    (unsigned long long)r->soft_bytes,
	    (unsigned long long)r->hard_secs,
	    (unsigned long long)r->hard_bytes,
	    xfrm_sel_str(&r->sel, sel, sizeof(sel)));
	return 0;
}

static int
none_sa_get(struct xfrm_backend *be, const struct xfrm_sa_id *r,
    struct xfrm_sa_info *out)
{
	struct none_sa *s;
	char d[XFRM_DESC_MAX];

	if ((s = none_sa_find(be->none, r->family, &r->dst, r->spi)) ==
	    NULL) {
		errno = ESRCH;
		xfrm_log_fail(XFRM_NONE_TAG, "get SA %s", xfrm_sa_id_str(
		    r->family, NULL, &r->dst, r->spi, d, sizeof(d)));
		return -1;
	}
	*out = s->info;
	return 0;
}

static int
none_sa_del(struct xfrm_backend *be, const struct xfrm_sa_id *r)
{
	struct none_sa *s;
	char d[XFRM_DESC_MAX];

	xfrm_sa_id_str(r->family, NULL, &r->dst, r->spi, d, sizeof(d));
	if ((s = none_sa_find(be->none, r->family, &r->dst, r->spi)) ==
	    NULL) {
		errno = ESRCH;
		xfrm_log_fail(XFRM_NONE_TAG, "delete SA %s", d);
		return -1;
	}
	none_sa_unlink(be->none, s);
	logt_info(XFRM_NONE_TAG, "would delete SA %s", d);
	return 0;
}

static bool
none_sel_equal(const struct xfrm_sel *a, const struct xfrm_sel *b)
{
	return a->family == b->family && a->proto == b->proto &&
	    a->src_plen == b->src_plen && a->dst_plen == b->dst_plen &&
	    a->sport == b->sport && a->sport_mask == b->sport_mask &&
	    a->dport == b->dport && a->dport_mask == b->dport_mask &&
	    xfrm_addr_equal(a->family, &a->src, &b->src) &&
	    xfrm_addr_equal(a->family, &a->dst, &b->dst);
}

static struct none_policy *
none_policy_find(struct none_state *ns, const struct xfrm_sel *sel,
    uint8_t dir)
{
	struct none_policy *p;

	TAILQ_FOREACH(p, &ns->policies, entry)
		if (p->info.dir == dir && none_sel_equal(&p->info.sel, sel))
			return p;
	return NULL;
}

static int
none_policy_add(struct xfrm_backend *be, const struct xfrm_policy_req *r)
{
	struct none_state *ns = be->none;
	struct none_policy *p;
	char s[XFRM_DESC_MAX];

	xfrm_sel_str(&r->sel, s, sizeof(s));
	if (none_policy_find(ns, &r->sel, r->dir) != NULL) {
		errno = EEXIST;
		logt_warn(XFRM_NONE_TAG, "add policy %s %s",
		    xfrm_dir_name(r->dir), s);
		return -1;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		logt_warn(XFRM_NONE_TAG, "add policy: calloc");
		return -1;
	}
	p->info.sel = r->sel;
	p->info.dir = r->dir;
	p->info.action = XFRM_POLICY_ALLOW;
	p->info.type = XFRM_POLICY_TYPE_MAIN;
	p->info.priority = r->priority;
	/* The kernel keeps the direction in the index's low 3 bits. */
	p->info.index = (++ns->next_index << 3) | xfrm_kdir(r->dir);
	p->info.ntmpl = 1;
	p->info.tmpl_proto = IPPROTO_ESP;
	p->info.tmpl_mode = XFRM_MODE_TRANSPORT;
	p->info.tmpl_optional = 0;
	p->info.tmpl_reqid = r->reqid;
	p->info.ours = true;
	TAILQ_INSERT_TAIL(&ns->policies, p, entry);
	logt_info(XFRM_NONE_TAG, "would add policy %s %s priority %u "
	    "tmpl esp transport reqid 0x%08x required",
	    xfrm_dir_name(r->dir), s, r->priority, r->reqid);
	return 0;
}

static int
none_policy_del(struct xfrm_backend *be, const struct xfrm_policy_id *r)
{
	struct none_policy *p;
	char s[XFRM_DESC_MAX];

	xfrm_sel_str(&r->sel, s, sizeof(s));
	if ((p = none_policy_find(be->none, &r->sel, r->dir)) == NULL) {
		errno = ESRCH;
		xfrm_log_fail(XFRM_NONE_TAG, "delete policy %s %s",
		    xfrm_dir_name(r->dir), s);
		return -1;
	}
	TAILQ_REMOVE(&be->none->policies, p, entry);
	free(p);
	logt_info(XFRM_NONE_TAG, "would delete policy %s %s",
	    xfrm_dir_name(r->dir), s);
	return 0;
}

static int
none_socket_bypass(struct xfrm_backend *be, int fd, int family)
{
	(void)be;
	logt_info(XFRM_NONE_TAG, "would set bypass policies in/out on fd %d "
	    "(%s)", fd, family == AF_INET6 ? "ipv6" : "ipv4");
	return 0;
}

static int
none_sa_dump(struct xfrm_backend *be, xfrm_sa_dump_cb *cb, void *arg)
{
	struct none_sa *s;

	TAILQ_FOREACH(s, &be->none->sas, entry)
		if (cb(&s->info, arg) == -1)
			return -1;
	return 0;
}

static int
none_policy_dump(struct xfrm_backend *be, xfrm_policy_dump_cb *cb, void *arg)
{
	struct none_policy *p;

	TAILQ_FOREACH(p, &be->none->policies, entry)
		if (cb(&p->info, arg) == -1)
			return -1;
	return 0;
}

static int
none_flush(struct xfrm_backend *be, unsigned int what, unsigned int *nsa,
    unsigned int *npol)
{
	struct none_state *ns = be->none;
	struct none_policy *p;
	struct none_sa *s;

	if (what & XFRM_FLUSH_POLICY)
		while ((p = TAILQ_FIRST(&ns->policies)) != NULL) {
			TAILQ_REMOVE(&ns->policies, p, entry);
			free(p);
			(*npol)++;
		}
	if (what & XFRM_FLUSH_SA)
		while ((s = TAILQ_FIRST(&ns->sas)) != NULL) {
			none_sa_unlink(ns, s);
			(*nsa)++;
		}
	return 0;
}

static void
none_free(struct xfrm_backend *be)
{
	unsigned int a = 0, b = 0;

	if (be->none == NULL)
		return;
	none_flush(be, XFRM_FLUSH_ALL, &a, &b);
	free(be->none);
}

static const struct xfrm_ops none_ops = {
	.spi_alloc = none_spi_alloc,
	.sa_add = none_sa_add,
	.sa_del = none_sa_del,
	.sa_get = none_sa_get,
	.policy_add = none_policy_add,
	.policy_del = none_policy_del,
	.socket_bypass = none_socket_bypass,
	.sa_dump = none_sa_dump,
	.policy_dump = none_policy_dump,
	.flush = none_flush,
	.free = none_free,
};

struct xfrm_backend *
xfrm_backend_new(enum conf_kernel kind)
{
	struct xfrm_backend *be;
	size_t i;

	if ((be = calloc(1, sizeof(*be))) == NULL) {
		logt_warn(XFRM_TAG, "backend: calloc");
		return NULL;
	}
	be->kind = kind;
	switch (kind) {
	case CONF_KERNEL_XFRM:
		be->ops = &xk_ops;
		if ((be->req = malloc(sizeof(*be->req))) == NULL) {
			logt_warn(XFRM_TAG, "backend: malloc");
			goto fail;
		}
		/* nl_open logs its own failure. */
		if ((be->nl = nl_open(NETLINK_XFRM, 0)) == NULL)
			goto fail;
		return be;
	case CONF_KERNEL_NONE:
		be->ops = &none_ops;
		if ((be->none = calloc(1, sizeof(*be->none))) == NULL) {
			logt_warn(XFRM_NONE_TAG, "backend: calloc");
			goto fail;
		}
		for (i = 0; i < NONE_BUCKETS; i++)
			LIST_INIT(&be->none->buckets[i]);
		TAILQ_INIT(&be->none->sas);
		TAILQ_INIT(&be->none->policies);
		logt_info(XFRM_NONE_TAG, "kernel = \"none\": nothing is "
		    "installed in the kernel");
		return be;
	}
	logt_warnx(XFRM_TAG, "backend: unknown kind %d", (int)kind);
fail:
	if (be->ops != NULL)
		be->ops->free(be);
	free(be);
	return NULL;
}

/*
 * Events.
 */

static int
xfrm_events_msg_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct xfrm_events *xe = arg;
	struct xfrm_event e;
	char d[XFRM_DESC_MAX];

	if (!xfrm_parse_event(nlh, &e)) {
		logt_debug(XFRM_TAG, "event %s: not parsed",
		    nl_msg_type_name(NETLINK_XFRM, nlh->nlmsg_type));
		return 0;
	}
	xfrm_sa_id_str(e.family, &e.src, &e.dst, e.spi, d, sizeof(d));
	if (!e.ours) {
		logt_debug(XFRM_TAG, "%s %s reqid 0x%08x: not ours",
		    xfrm_event_type_name(e.type), d, e.reqid);
		return 0;
	}
	logt_debug(XFRM_TAG, "%s %s", xfrm_event_type_name(e.type), d);
	xe->cb(&e, xe->arg);
	return 0;
}

static void
xfrm_events_read_cb(int fd, short what, void *arg)
{
	struct xfrm_events *xe = arg;
	struct xfrm_event lost;

	(void)fd;
	(void)what;
	for (;;) {
		if (nl_recv_events(xe->nl, xfrm_events_msg_cb, xe) == 0)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		if (errno == ENOBUFS) {
			logt_warnx(XFRM_TAG, "kernel dropped XFRM events");
			memset(&lost, 0, sizeof(lost));
			lost.type = XFRM_EVENT_LOST;
			xe->cb(&lost, xe->arg);
			continue;
		}
		logt_warn(XFRM_TAG, "reading XFRM events");
		return;
	}
}

struct xfrm_events *
xfrm_events_new(struct xfrm_backend *be, struct event_base *base,
    unsigned int flags, xfrm_event_cb *cb, void *arg)
{
	struct xfrm_events *xe;
	unsigned int groups = XFRMGRP_EXPIRE;

	if ((xe = calloc(1, sizeof(*xe))) == NULL) {
		logt_warn(XFRM_TAG, "events: calloc");
		return NULL;
	}
	xe->be = be;
	xe->cb = cb;
	xe->arg = arg;
	if (be->kind == CONF_KERNEL_NONE)
		return xe;
	if (flags & XFRM_EVENTS_ACQUIRE)
		groups |= XFRMGRP_ACQUIRE;
	if ((xe->nl = nl_open(NETLINK_XFRM, groups)) == NULL)
		goto fail;
	if ((xe->ev = ev_read_new(base, nl_fd(xe->nl), xfrm_events_read_cb,
	    xe)) == NULL)
		goto fail;
	return xe;
fail:
	xfrm_events_free(xe);
	return NULL;
}

void
xfrm_events_free(struct xfrm_events *xe)
{
	if (xe == NULL)
		return;
	ev_free(xe->ev);
	nl_close(xe->nl);
	free(xe);
}
