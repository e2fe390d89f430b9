/*
 * proposal.c - responder-side proposal selection for Phase 1 and Quick
 * Mode (contracts in proposal.h).
 *
 * Each peer transform is decoded once (attribute syntax: duplicates,
 * TV/TLV form, life type/duration pairs, unknown classes), judged against
 * fixed rules (insecure or unsupported algorithms, legacy_compat, NAT-T
 * encapsulation, PFS, lifetimes) and then ranked by the index of the first
 * configured proposal it matches. The lowest rank wins, the earliest peer
 * transform breaking ties: the same result as iterating the configured
 * proposals in order and scanning every peer transform for each, in one
 * pass over the SA.
 *
 * Every refused transform gets a short reason; on failure the caller gets
 * one line listing what the peer offered and the distinct reasons.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "ikd/proposal.h"
#include "ikd/dh.h"
#include "conf/conf.h"
#include "lib/log.h"

/* RFC 2409 Appendix A hash values absent from crypto.h's enum ike_hash */
#define P1_HASH_MD5		1
#define P1_HASH_TIGER		3
/* RFC 2409 6.1: the first Oakley group, 768-bit MODP */
#define P1_GROUP_MODP768	1

#define REASON_MAX		16	/* distinct reasons kept for why */
#define REASON_LEN		72
#define LABEL_LEN		80
#define DEBUG_MAX		16	/* refused-transform lines per offer */
#define NO_RANK			SIZE_MAX

/* The failure line under construction: offered list, then reasons. */
struct why {
	char *p;
	size_t cap;
	size_t len;
	bool full;		/* truncated: nothing more is written */
	size_t noffered;
	char reasons[REASON_MAX][REASON_LEN];
	size_t nreasons;
	size_t reasons_dropped;
	size_t nrefused;	/* transforms refused (debug lines capped) */
};

/* Life type/duration pairs (RFC 2407 4.5, RFC 2409 Appendix A). */
struct life {
	uint16_t pending;	/* type waiting for its duration, 0: none */
	bool has_seconds;
	bool has_kbytes;
	uint64_t seconds;
	uint64_t kbytes;
};

/* A decoded Phase 1 transform; has_* bits by attribute class. */
struct p1_xf {
	uint32_t seen;		/* bit per IKE attribute class 1..16 */
	uint16_t enc;
	uint16_t hash;
	uint16_t auth;
	uint16_t group;
	uint16_t key_bits;
	struct life life;
};

/* A decoded ESP transform. */
struct esp_xf {
	uint8_t id;
	uint32_t seen;		/* bit per IPsec attribute class 1..9 */
	uint16_t auth;
	uint16_t key_bits;
	uint16_t encap;
	uint16_t group;
	struct life life;
};

#define SEEN(x, t)	(((x)->seen & (UINT32_C(1) << (t))) != 0)

static void why_vput(struct why *w, const char *fmt, va_list ap)
    LOG_PRINTF(2, 0);
static void why_put(struct why *w, const char *fmt, ...) LOG_PRINTF(2, 3);
static void why_reason(struct why *w, const char *fmt, ...) LOG_PRINTF(2, 3);

/* Bounded append; on overflow end the line with "..." and stop. */
static void
why_vput(struct why *w, const char *fmt, va_list ap)
{
	char tmp[256];
	size_t n, room, keep;
	int r;

	if (w->p == NULL || w->cap == 0 || w->full)
		return;
	r = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	if (r < 0)
		return;
	n = strlen(tmp);
	room = w->cap - 1 - w->len;
	if ((size_t)r < sizeof(tmp) && n <= room) {
		memcpy(w->p + w->len, tmp, n);
		w->len += n;
		w->p[w->len] = '\0';
		return;
	}
	w->full = true;
	/* keep what fits before "..." (or just cut a tiny buffer) */
	if (w->cap - 1 < 3) {
		w->p[w->cap - 1] = '\0';
		return;
	}
	if (w->len > w->cap - 1 - 3)
		w->len = w->cap - 1 - 3;
	room = w->cap - 1 - 3 - w->len;
	keep = n < room ? n : room;
	memcpy(w->p + w->len, tmp, keep);
	w->len += keep;
	memcpy(w->p + w->len, "...", 4);
	w->len += 3;
}

static void
why_put(struct why *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	why_vput(w, fmt, ap);
	va_end(ap);
}

static void
why_init(struct why *w, char *p, size_t cap)
{
	memset(w, 0, sizeof(*w));
	w->p = p;
	w->cap = cap;
	if (p != NULL && cap > 0)
		p[0] = '\0';
}

/* Remember a reason once (the same one for many transforms is common). */
static void
why_reason(struct why *w, const char *fmt, ...)
{
	char tmp[REASON_LEN];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	(void)vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	for (i = 0; i < w->nreasons; i++)
		if (strcmp(w->reasons[i], tmp) == 0)
			return;
	if (w->nreasons == REASON_MAX) {
		w->reasons_dropped++;
		return;
	}
	memcpy(w->reasons[w->nreasons++], tmp, sizeof(tmp));
}

/* One offered item: "[label] text", comma separated. */
static void
why_offer(struct why *w, const char *label, const char *text)
{
	why_put(w, "%s[%s] %s", w->noffered == 0 ? "peer offered " : ", ",
	    label, text);
	w->noffered++;
}

/*
 * A debug line for a refused item; at most DEBUG_MAX per offer, since
 * one SA payload can hold thousands of transforms.
 */
static void
why_debug(struct why *w, const char *tag, const char *what, const char *num,
    const char *label, const char *reason)
{
	if (w->nrefused++ < DEBUG_MAX)
		logt_debug(tag, "%s %s (%s) refused: %s", what, num, label,
		    reason);
}

/* The count of refused items past the debug cap. */
static void
why_debug_end(struct why *w, const char *tag)
{
	if (w->nrefused > DEBUG_MAX)
		logt_debug(tag, "%zu more refused transforms not logged",
		    w->nrefused - DEBUG_MAX);
}

/* "; none acceptable: r1; r2" */
static void
why_finish(struct why *w)
{
	size_t i;

	if (w->noffered == 0)
		why_put(w, "peer offered nothing usable");
	why_put(w, "; none acceptable");
	for (i = 0; i < w->nreasons; i++)
		why_put(w, "%s%s", i == 0 ? ": " : "; ", w->reasons[i]);
	if (w->reasons_dropped > 0)
		why_put(w, "; %zu more", w->reasons_dropped);
}

/* Names for labels and reasons (lower case, as in the config file). */

static const char *
p1_enc_str(uint16_t enc, uint16_t key_bits, char *buf, size_t len)
{
	switch (enc) {
	case IKE_ENCR_AES_CBC:
		if (key_bits == 0)
			snprintf(buf, len, "aes");
		else
			snprintf(buf, len, "aes%u", (unsigned int)key_bits);
		break;
	case IKE_ENCR_3DES_CBC:
		snprintf(buf, len, "3des");
		break;
	case IKE_ENCR_DES_CBC:
		snprintf(buf, len, "des");
		break;
	case 0:
		snprintf(buf, len, "noenc");
		break;
	default:
		snprintf(buf, len, "enc%u", (unsigned int)enc);
		break;
	}
	return buf;
}

static const char *
p1_hash_str(uint16_t hash, char *buf, size_t len)
{
	switch (hash) {
	case P1_HASH_MD5:
		return "md5";
	case IKE_HASH_SHA1:
		return "sha1";
	case P1_HASH_TIGER:
		return "tiger";
	case IKE_HASH_SHA2_256:
		return "sha256";
	case IKE_HASH_SHA2_384:
		return "sha384";
	case IKE_HASH_SHA2_512:
		return "sha512";
	case 0:
		return "nohash";
	}
	snprintf(buf, len, "hash%u", (unsigned int)hash);
	return buf;
}

static const char *
auth_str(uint16_t auth, char *buf, size_t len)
{
	switch (auth) {
	case IKE_AUTH_PSK:
		return "psk";
	case IKE_AUTH_DSS_SIG:
		return "dss";
	case IKE_AUTH_RSA_SIG:
		return "rsasig";
	case IKE_AUTH_RSA_ENC:
		return "rsaenc";
	case IKE_AUTH_RSA_ENC_REV:
		return "rsaencrev";
	case IKE_AUTH_ECDSA_SHA256_P256:
		return "ecdsa256";
	case IKE_AUTH_ECDSA_SHA384_P384:
		return "ecdsa384";
	case IKE_AUTH_ECDSA_SHA512_P521:
		return "ecdsa521";
	case IKE_AUTH_XAUTH_INIT_PSK:
		return "xauthinitpsk";
	case IKE_AUTH_XAUTH_RESP_PSK:
		return "xauthresppsk";
	case 0:
		return "noauth";
	}
	snprintf(buf, len, "auth%u", (unsigned int)auth);
	return buf;
}

static const char *
group_str(uint16_t group, char *buf, size_t len)
{
	if (dh_group_supported(group))
		return dh_group_name(group);
	switch (group) {
	case P1_GROUP_MODP768:
		return "modp768";
	case IKE_GROUP_MODP_6144:
		return "modp6144";
	case IKE_GROUP_MODP_8192:
		return "modp8192";
	case IKE_GROUP_ECP_521:
		return "ecp521";
	case 0:
		return "nogroup";
	}
	snprintf(buf, len, "group%u", (unsigned int)group);
	return buf;
}

static const char *
esp_enc_str(uint8_t id, uint16_t key_bits, char *buf, size_t len)
{
	switch (id) {
	case IPSEC_ESP_AES_CBC:
		if (key_bits == 0)
			snprintf(buf, len, "aes");
		else
			snprintf(buf, len, "aes%u", (unsigned int)key_bits);
		break;
	case IPSEC_ESP_AES_GCM_16:
		if (key_bits == 0)
			snprintf(buf, len, "aesgcm16");
		else
			snprintf(buf, len, "aes%ugcm16",
			    (unsigned int)key_bits);
		break;
	case IPSEC_ESP_3DES:
		snprintf(buf, len, "3des");
		break;
	case IPSEC_ESP_DES:
		snprintf(buf, len, "des");
		break;
	case IPSEC_ESP_NULL:
		snprintf(buf, len, "null");
		break;
	default:
		snprintf(buf, len, "esp%u", (unsigned int)id);
		break;
	}
	return buf;
}

static const char *
esp_auth_str(uint16_t auth, char *buf, size_t len)
{
	switch (auth) {
	case IPSEC_AUTH_HMAC_MD5:
		return "md5";
	case IPSEC_AUTH_HMAC_SHA1:
		return "sha1";
	case IPSEC_AUTH_HMAC_SHA2_256:
		return "sha256";
	case IPSEC_AUTH_HMAC_SHA2_384:
		return "sha384";
	case IPSEC_AUTH_HMAC_SHA2_512:
		return "sha512";
	case IPSEC_AUTH_AES_XCBC_MAC:
		return "aesxcbc";
	}
	snprintf(buf, len, "auth%u", (unsigned int)auth);
	return buf;
}

static const char *
encap_str(uint16_t encap, char *buf, size_t len)
{
	switch (encap) {
	case 0:
		return "default-mode";
	case IPSEC_ENCAP_TUNNEL:
		return "tunnel";
	case IPSEC_ENCAP_TRANSPORT:
		return "transport";
	case IPSEC_ENCAP_UDP_TUNNEL:
		return "udp-tunnel";
	case IPSEC_ENCAP_UDP_TRANSPORT:
		return "udp-transport";
	case IPSEC_ENCAP_UDP_TUNNEL_DRAFT:
		return "udp-tunnel-draft";
	case IPSEC_ENCAP_UDP_TRANSPORT_DRAFT:
		return "udp-transport-draft";
	}
	snprintf(buf, len, "mode%u", (unsigned int)encap);
	return buf;
}

static const char *
proto_str(uint8_t proto, char *buf, size_t len)
{
	switch (proto) {
	case IPSEC_PROTO_ISAKMP:
		return "isakmp";
	case IPSEC_PROTO_AH:
		return "ah";
	case IPSEC_PROTO_ESP:
		return "esp";
	case IPSEC_PROTO_IPCOMP:
		return "ipcomp";
	}
	snprintf(buf, len, "proto%u", (unsigned int)proto);
	return buf;
}

/* " 28800s", " 250000kb" (nothing if absent) appended to buf. */
static void
life_str(const struct life *l, char *buf, size_t len)
{
	size_t n = strlen(buf);

	if (l->has_seconds && n < len)
		n += (size_t)snprintf(buf + n, len - n, " %llus",
		    (unsigned long long)l->seconds);
	if (l->has_kbytes && n < len)
		(void)snprintf(buf + n, len - n, " %llukb",
		    (unsigned long long)l->kbytes);
}

/*
 * RFC 2407 4.5 / RFC 2409 Appendix A: a Life Type, then its Life
 * Duration; seconds and kilobytes each at most once. type_class and
 * dur_class are the attribute numbers of the phase. False with a reason.
 */
static bool
life_attr(struct life *l, const struct isakmp_attr *a, uint16_t type_class,
    char *reason, size_t rlen)
{
	uint64_t v;

	if (a->type == type_class) {
		if (l->pending != 0) {
			snprintf(reason, rlen, "life type without duration");
			return false;
		}
		if (!isakmp_attr_u64(a, &v) || (v != IKE_LIFE_SECONDS &&
		    v != IKE_LIFE_KILOBYTES)) {
			snprintf(reason, rlen, "unknown life type");
			return false;
		}
		if ((v == IKE_LIFE_SECONDS && l->has_seconds) ||
		    (v == IKE_LIFE_KILOBYTES && l->has_kbytes)) {
			snprintf(reason, rlen, "duplicate life type");
			return false;
		}
		l->pending = (uint16_t)v;
		return true;
	}
	/* the duration is variable: TV or TLV of any length that fits */
	if (l->pending == 0) {
		snprintf(reason, rlen, "life duration without type");
		return false;
	}
	if (!isakmp_attr_u64(a, &v) || v == 0) {
		snprintf(reason, rlen, "bad life duration");
		return false;
	}
	if (l->pending == IKE_LIFE_SECONDS) {
		l->has_seconds = true;
		l->seconds = v;
	} else {
		l->has_kbytes = true;
		l->kbytes = v;
	}
	l->pending = 0;
	return true;
}

/* Keep the first failure's reason: returns false for `ok`. */
static bool
first_fail(bool ok, char *reason, size_t rlen, const char *why)
{
	if (ok)
		snprintf(reason, rlen, "%s", why);
	return false;
}

/*
 * RFC 2407 4.5: "the Life Duration attribute MUST immediately follow the
 * Life Type" (the ESP reply builder relies on it when it rewrites the
 * seconds). False with a reason when a pending type is not followed.
 */
static bool
life_follows(struct life *l, const struct isakmp_attr *a, uint16_t dur_class,
    char *reason, size_t rlen)
{
	if (l->pending == 0 || a->type == dur_class)
		return true;
	l->pending = 0;
	snprintf(reason, rlen, "life type without duration");
	return false;
}

/* A basic attribute (RFC 2408 3.3: AF = 1) with a 16-bit value. */
static bool
basic_attr(const struct isakmp_attr *a, uint16_t *v, const char *name,
    char *reason, size_t rlen)
{
	uint32_t x;

	if (!isakmp_attr_u32(a, &x) || x > UINT16_MAX) {
		snprintf(reason, rlen, "%s not a basic attribute", name);
		return false;
	}
	*v = (uint16_t)x;	/* kept for the label even when refused */
	if (!a->tv) {
		snprintf(reason, rlen, "%s not a basic attribute", name);
		return false;
	}
	return true;
}

/* One 16-bit basic attribute of a transform and where it is stored. */
struct attr_slot {
	uint16_t type;
	size_t off;		/* of a uint16_t in the decoded transform */
	const char *name;
};

/* What one phase's transforms may carry (RFC 2409 A, RFC 2407 4.5). */
struct attr_class {
	const struct attr_slot *slots;
	size_t nslots;
	uint16_t life_type;
	uint16_t life_dur;
	const char *(*attr_name)(unsigned int type);
};

/*
 * Decode a transform's attributes into the uint16_t fields of `xf` named
 * by the class, plus its seen bits and lifetime. Anything the class does
 * not list makes the transform unacceptable; after the first failure the
 * decoding goes on for the label only. False with the first reason.
 */
static bool
attrs_decode(const struct attr_class *cls, struct rbuf it, void *xf,
    uint32_t *seen, struct life *life, char *reason, size_t rlen)
{
	const struct attr_slot *slot;
	struct isakmp_attr a;
	char tmp[REASON_LEN];
	bool ok = true;
	size_t i;

	reason[0] = '\0';
	while (rbuf_left(&it) > 0) {
		if (!isakmp_attr_next(&it, &a)) {
			snprintf(reason, rlen, "malformed attributes");
			return false;
		}
		if (!life_follows(life, &a, cls->life_dur, tmp, sizeof(tmp)))
			ok = first_fail(ok, reason, rlen, tmp);
		if (a.type == cls->life_type || a.type == cls->life_dur) {
			if (!life_attr(life, &a, cls->life_type, tmp,
			    sizeof(tmp)))
				ok = first_fail(ok, reason, rlen, tmp);
			continue;
		}
		for (slot = NULL, i = 0; i < cls->nslots; i++)
			if (cls->slots[i].type == a.type)
				slot = &cls->slots[i];
		if (slot == NULL) {
			snprintf(tmp, sizeof(tmp),
			    "unsupported attribute %s (%u)",
			    cls->attr_name(a.type), (unsigned int)a.type);
			ok = first_fail(ok, reason, rlen, tmp);
			continue;
		}
		if ((*seen & (UINT32_C(1) << a.type)) != 0) {
			snprintf(tmp, sizeof(tmp), "duplicate %s", slot->name);
			ok = first_fail(ok, reason, rlen, tmp);
			continue;
		}
		*seen |= UINT32_C(1) << a.type;
		if (!basic_attr(&a, (uint16_t *)((char *)xf + slot->off),
		    slot->name, tmp, sizeof(tmp)))
			ok = first_fail(ok, reason, rlen, tmp);
	}
	if (ok && life->pending != 0) {
		snprintf(reason, rlen, "life type without duration");
		ok = false;
	}
	return ok;
}

/*
 * Phase 1 attributes (RFC 2409 Appendix A). Anything we do not negotiate
 * (private groups, PRF, field size, group order) makes the transform
 * unacceptable: accepting it silently would agree to something else.
 */
static const struct attr_slot p1_slots[] = {
	{ IKE_ATTR_ENCR, offsetof(struct p1_xf, enc), "encryption" },
	{ IKE_ATTR_HASH, offsetof(struct p1_xf, hash), "hash" },
	{ IKE_ATTR_AUTH, offsetof(struct p1_xf, auth), "auth method" },
	{ IKE_ATTR_GROUP_DESC, offsetof(struct p1_xf, group), "group" },
	{ IKE_ATTR_KEY_LENGTH, offsetof(struct p1_xf, key_bits),
	    "key length" },
};
static const struct attr_class p1_class = {
	p1_slots, sizeof(p1_slots) / sizeof(p1_slots[0]),
	IKE_ATTR_LIFE_TYPE, IKE_ATTR_LIFE_DURATION, isakmp_ike_attr_name
};

static bool
p1_decode(const struct isakmp_transform *xf, struct p1_xf *t, char *reason,
    size_t rlen)
{
	memset(t, 0, sizeof(*t));
	return attrs_decode(&p1_class, xf->attrs, t, &t->seen, &t->life,
	    reason, rlen);
}

/* "aes256-sha1-psk-ecp384 28800s" */
static void
p1_label(const struct p1_xf *t, char *buf, size_t len)
{
	char e[16], h[16], au[16], g[16];

	snprintf(buf, len, "%s-%s-%s-%s",
	    p1_enc_str(t->enc, t->key_bits, e, sizeof(e)),
	    p1_hash_str(t->hash, h, sizeof(h)),
	    auth_str(t->auth, au, sizeof(au)),
	    group_str(t->group, g, sizeof(g)));
	life_str(&t->life, buf, len);
}

static bool
conf_enc_from(enum ike_enc enc, enum conf_enc *ce)
{
	switch (enc) {
	case IKE_ENC_AES128_CBC:
		*ce = CONF_ENC_AES128;
		return true;
	case IKE_ENC_AES192_CBC:
		*ce = CONF_ENC_AES192;
		return true;
	case IKE_ENC_AES256_CBC:
		*ce = CONF_ENC_AES256;
		return true;
	case IKE_ENC_3DES_CBC:
		*ce = CONF_ENC_3DES;
		return true;
	}
	return false;
}

/*
 * Fixed rules for a decoded Phase 1 transform. On success *enc is set and
 * the rank (first conf->proposals index it matches, NO_RANK if none,
 * with a reason) is returned through *rank.
 */
static bool
p1_judge(const struct ike_conf *conf, uint32_t auth_mask,
    const struct p1_xf *t, enum ike_enc *enc, size_t *rank, char *reason,
    size_t rlen)
{
	const struct conf_ike_proposal *cp;
	char b1[16], b2[16], b3[16];
	enum conf_enc ce;
	bool enc_in = false, hash_in = false, group_in = false;
	size_t i;

	*rank = NO_RANK;
	if (!SEEN(t, IKE_ATTR_ENCR) || !SEEN(t, IKE_ATTR_HASH) ||
	    !SEEN(t, IKE_ATTR_AUTH) || !SEEN(t, IKE_ATTR_GROUP_DESC)) {
		snprintf(reason, rlen, "no %s", !SEEN(t, IKE_ATTR_ENCR) ?
		    "encryption" : !SEEN(t, IKE_ATTR_HASH) ? "hash" :
		    !SEEN(t, IKE_ATTR_AUTH) ? "auth method" : "group");
		return false;
	}
	/* insecure first: these are refused whatever the config says */
	if (t->enc == IKE_ENCR_DES_CBC) {
		snprintf(reason, rlen, "des refused (insecure)");
		return false;
	}
	if (t->hash == P1_HASH_MD5) {
		snprintf(reason, rlen, "md5 refused (insecure)");
		return false;
	}
	if (t->group == P1_GROUP_MODP768) {
		snprintf(reason, rlen, "modp768 refused (insecure)");
		return false;
	}
	if (t->enc == IKE_ENCR_AES_CBC && !SEEN(t, IKE_ATTR_KEY_LENGTH)) {
		/* RFC 3602 has no default; crypto.h: none assumed */
		snprintf(reason, rlen, "aes without key length");
		return false;
	}
	if (!ike_enc_from_attr(t->enc, SEEN(t, IKE_ATTR_KEY_LENGTH) ?
	    t->key_bits : 0, enc)) {
		if (t->enc == IKE_ENCR_AES_CBC || t->enc == IKE_ENCR_3DES_CBC)
			snprintf(reason, rlen, "%s key length %u unsupported",
			    p1_enc_str(t->enc, 0, b1, sizeof(b1)),
			    (unsigned int)t->key_bits);
		else
			snprintf(reason, rlen, "%s unsupported",
			    p1_enc_str(t->enc, 0, b1, sizeof(b1)));
		return false;
	}
	if (t->enc != IKE_ENCR_AES_CBC && SEEN(t, IKE_ATTR_KEY_LENGTH) &&
	    t->key_bits != 192) {
		snprintf(reason, rlen, "3des key length %u",
		    (unsigned int)t->key_bits);
		return false;
	}
	if (!ike_hash_supported((enum ike_hash)t->hash)) {
		snprintf(reason, rlen, "%s unsupported",
		    p1_hash_str(t->hash, b1, sizeof(b1)));
		return false;
	}
	if (!dh_group_supported(t->group)) {
		snprintf(reason, rlen, "%s unsupported",
		    group_str(t->group, b1, sizeof(b1)));
		return false;
	}
	if (t->auth >= 32 || (auth_mask & PROPOSAL_AUTH_BIT(t->auth)) == 0) {
		snprintf(reason, rlen, "auth %s not accepted",
		    auth_str(t->auth, b1, sizeof(b1)));
		return false;
	}
	if (!conf->legacy_compat && *enc == IKE_ENC_3DES_CBC) {
		snprintf(reason, rlen, "3des needs ike.legacy_compat");
		return false;
	}
	if (!conf->legacy_compat && t->group == IKE_DH_MODP1024) {
		snprintf(reason, rlen, "modp1024 needs ike.legacy_compat");
		return false;
	}
	if (!conf_enc_from(*enc, &ce)) {
		snprintf(reason, rlen, "internal: enc %d", (int)*enc);
		return false;
	}
	for (i = 0; i < conf->nproposals && i < CONF_MAX_PROPOSALS; i++) {
		cp = &conf->proposals[i];
		enc_in |= cp->enc == ce;
		hash_in |= (uint16_t)cp->hash == t->hash;
		group_in |= (uint16_t)cp->dh == t->group;
		if (cp->enc == ce && (uint16_t)cp->hash == t->hash &&
		    (uint16_t)cp->dh == t->group) {
			*rank = i;
			return true;
		}
	}
	if (!enc_in)
		snprintf(reason, rlen, "%s not in ike.proposals",
		    p1_enc_str(t->enc, t->key_bits, b1, sizeof(b1)));
	else if (!hash_in)
		snprintf(reason, rlen, "%s not in ike.proposals",
		    p1_hash_str(t->hash, b1, sizeof(b1)));
	else if (!group_in)
		snprintf(reason, rlen, "%s not in ike.proposals",
		    group_str(t->group, b1, sizeof(b1)));
	else
		snprintf(reason, rlen, "%s-%s-%s not in ike.proposals",
		    p1_enc_str(t->enc, t->key_bits, b1, sizeof(b1)),
		    p1_hash_str(t->hash, b2, sizeof(b2)),
		    group_str(t->group, b3, sizeof(b3)));
	return false;
}

/* RFC 2408 5.4-5.6: the notify for a codec failure of the SA payload. */
static int
sa_err_notify(enum isakmp_err e)
{
	switch (e) {
	case ISAKMP_ERR_SA_DOI:
		return ISAKMP_N_DOI_NOT_SUPPORTED;
	case ISAKMP_ERR_SA_SITUATION:
		return ISAKMP_N_SITUATION_NOT_SUPPORTED;
	case ISAKMP_ERR_SA_NO_PROPOSAL:
	case ISAKMP_ERR_PROPOSAL_NEXT:
	case ISAKMP_ERR_PROPOSAL_LENGTH:
	case ISAKMP_ERR_SPI_SIZE:
	case ISAKMP_ERR_TRANSFORM_COUNT:
	case ISAKMP_ERR_TRANSFORM_NEXT:
	case ISAKMP_ERR_TRANSFORM_LENGTH:
		return ISAKMP_N_BAD_PROPOSAL_SYNTAX;
	default:
		return ISAKMP_N_PAYLOAD_MALFORMED;
	}
}

/* The common SA header checks; 0 or a notify with why set. */
static int
sa_open(const struct rbuf *sa_body, struct isakmp_sa *sa, struct why *w)
{
	enum isakmp_err e;

	if ((e = isakmp_sa_parse(sa_body, sa)) != ISAKMP_OK) {
		why_put(w, "malformed SA payload: %s", isakmp_err_name(e));
		return sa_err_notify(e);
	}
	/* RFC 2407 4.2: IDENTITY_ONLY is the only situation we serve */
	if (sa->situation != IPSEC_SIT_IDENTITY_ONLY) {
		why_put(w, "situation 0x%x, not IDENTITY_ONLY",
		    (unsigned int)sa->situation);
		return ISAKMP_N_SITUATION_NOT_SUPPORTED;
	}
	return 0;
}

int
proposal_select_ike(const struct ike_conf *conf, uint32_t auth_mask,
    const struct rbuf *sa_body, const char *tag, struct ike_choice *out,
    char *why, size_t whylen)
{
	struct why w;
	struct isakmp_sa sa;
	struct isakmp_proposal prop;
	struct isakmp_transform xf;
	struct p1_xf t, best_t;
	struct rbuf pit, tit;
	enum ike_enc enc, best_enc = IKE_ENC_AES128_CBC;
	const uint8_t *start;
	size_t rank, best = NO_RANK, best_len = 0;
	char label[LABEL_LEN], reason[REASON_LEN], num[8], pb[16];
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&best_t, 0, sizeof(best_t));
	why_init(&w, why, whylen);
	if ((rc = sa_open(sa_body, &sa, &w)) != 0)
		return rc;
	pit = sa.proposals;
	if (!isakmp_proposal_next(&pit, &prop)) {
		why_put(&w, "malformed SA payload");
		return ISAKMP_N_PAYLOAD_MALFORMED;
	}
	/* RFC 2409 5: "there MUST NOT be multiple Proposal Payloads" */
	if (sa.nproposals != 1) {
		why_put(&w, "peer offered %zu proposals; RFC 2409 5 allows "
		    "one in phase 1", sa.nproposals);
		return ISAKMP_N_BAD_PROPOSAL_SYNTAX;
	}
	if (prop.protocol != IPSEC_PROTO_ISAKMP) {
		why_put(&w, "peer offered protocol %s; phase 1 needs isakmp",
		    proto_str(prop.protocol, pb, sizeof(pb)));
		return ISAKMP_N_INVALID_PROTOCOL_ID;
	}

	tit = prop.transforms;
	for (;;) {
		start = rbuf_cur(&tit);
		if (!isakmp_transform_next(&tit, &xf))
			break;
		snprintf(num, sizeof(num), "%u", (unsigned int)xf.number);
		if (xf.id != IPSEC_KEY_IKE) {
			snprintf(label, sizeof(label), "transform id %u",
			    (unsigned int)xf.id);
			snprintf(reason, sizeof(reason),
			    "transform id %u not KEY_IKE", (unsigned int)xf.id);
			why_offer(&w, num, label);
			why_reason(&w, "%s", reason);
			why_debug(&w, tag, "phase 1 transform", num, label,
			    reason);
			continue;
		}
		if (!p1_decode(&xf, &t, reason, sizeof(reason))) {
			p1_label(&t, label, sizeof(label));
			why_offer(&w, num, label);
			why_reason(&w, "%s", reason);
			why_debug(&w, tag, "phase 1 transform", num, label,
			    reason);
			continue;
		}
		p1_label(&t, label, sizeof(label));
		why_offer(&w, num, label);
		if (!p1_judge(conf, auth_mask, &t, &enc, &rank, reason,
		    sizeof(reason))) {
			why_reason(&w, "%s", reason);
			why_debug(&w, tag, "phase 1 transform", num, label,
			    reason);
			continue;
		}
		if (rank < best) {
			best = rank;
			best_t = t;
			best_enc = enc;
			best_len = (size_t)(rbuf_cur(&tit) - start);
			out->transform = xf.number;
			out->xf = start;
			out->attrs = xf.attrs;
		}
	}
	why_debug_end(&w, tag);
	if (best == NO_RANK) {
		why_finish(&w);
		memset(out, 0, sizeof(*out));
		return ISAKMP_N_NO_PROPOSAL_CHOSEN;
	}

	out->situation = sa.situation;
	out->proposal = prop.number;
	out->spi = prop.spi_size > 0 ? prop.spi : NULL;
	out->spi_size = prop.spi_size;
	out->xf_len = best_len;
	out->enc = best_enc;
	out->key_bits = (uint16_t)(ike_enc_key_len(best_enc) * 8);
	out->hash = (enum ike_hash)best_t.hash;
	out->auth = best_t.auth;
	out->group = best_t.group;
	out->life_kbytes = best_t.life.has_kbytes ? best_t.life.kbytes : 0;
	out->life_seconds = conf->ike_lifetime;
	if (best_t.life.has_seconds) {
		out->peer_life_seconds = best_t.life.seconds > UINT32_MAX ?
		    UINT32_MAX : (uint32_t)best_t.life.seconds;
		if (best_t.life.seconds <= conf->ike_lifetime)
			out->life_seconds = out->peer_life_seconds;
		else
			out->life_capped = true;
	}
	return 0;
}

void
proposal_build_ike_reply(struct isakmp_builder *b, const struct ike_choice *c)
{
	struct rbuf it = c->attrs;
	struct isakmp_attr a;

	isakmp_build_sa_begin(b, ISAKMP_DOI_IPSEC, c->situation);
	isakmp_build_proposal_begin(b, c->proposal, IPSEC_PROTO_ISAKMP, c->spi,
	    c->spi_size);
	isakmp_build_transform_begin(b, c->transform, IPSEC_KEY_IKE);
	while (isakmp_attr_next(&it, &a))
		isakmp_build_attr_copy(b, &a);
	if (rbuf_left(&it) > 0)
		b->bad = true;
	isakmp_build_transform_end(b);
	isakmp_build_proposal_end(b);
	isakmp_build_sa_end(b);
}

/* Quick Mode */

/* RFC 2407 4.5: IPsec SA attributes of an ESP transform. */
static const struct attr_slot esp_slots[] = {
	{ IPSEC_ATTR_AUTH_ALG, offsetof(struct esp_xf, auth),
	    "auth algorithm" },
	{ IPSEC_ATTR_KEY_LENGTH, offsetof(struct esp_xf, key_bits),
	    "key length" },
	{ IPSEC_ATTR_ENCAP_MODE, offsetof(struct esp_xf, encap),
	    "encapsulation mode" },
	{ IPSEC_ATTR_GROUP_DESC, offsetof(struct esp_xf, group), "group" },
};
static const struct attr_class esp_class = {
	esp_slots, sizeof(esp_slots) / sizeof(esp_slots[0]),
	IPSEC_ATTR_LIFE_TYPE, IPSEC_ATTR_LIFE_DURATION,
	isakmp_ipsec_attr_name
};

static bool
esp_decode(const struct isakmp_transform *xf, struct esp_xf *t,
    char *reason, size_t rlen)
{
	memset(t, 0, sizeof(*t));
	t->id = xf->id;
	return attrs_decode(&esp_class, xf->attrs, t, &t->seen, &t->life,
	    reason, rlen);
}

/* "aes256-sha1 transport 3600s pfs modp2048" */
static void
esp_label(const struct esp_xf *t, char *buf, size_t len)
{
	char e[16], au[16], m[16], g[16];
	size_t n;

	snprintf(buf, len, "%s%s%s %s", esp_enc_str(t->id, t->key_bits, e,
	    sizeof(e)), SEEN(t, IPSEC_ATTR_AUTH_ALG) ? "-" : "",
	    SEEN(t, IPSEC_ATTR_AUTH_ALG) ? esp_auth_str(t->auth, au,
	    sizeof(au)) : "", encap_str(t->encap, m, sizeof(m)));
	life_str(&t->life, buf, len);
	n = strlen(buf);
	if (SEEN(t, IPSEC_ATTR_GROUP_DESC) && n < len)
		(void)snprintf(buf + n, len - n, " pfs %s",
		    group_str(t->group, g, sizeof(g)));
}

static bool
conf_esp_from(const struct esp_xf *t, enum conf_esp_enc *ce,
    enum conf_esp_integ *ci)
{
	switch (t->id) {
	case IPSEC_ESP_AES_CBC:
		*ce = t->key_bits == 128 ? CONF_ESP_ENC_AES128 :
		    CONF_ESP_ENC_AES256;
		break;
	case IPSEC_ESP_AES_GCM_16:
		*ce = t->key_bits == 128 ? CONF_ESP_ENC_AES128GCM16 :
		    CONF_ESP_ENC_AES256GCM16;
		break;
	case IPSEC_ESP_3DES:
		*ce = CONF_ESP_ENC_3DES;
		break;
	default:
		return false;
	}
	if (t->id == IPSEC_ESP_AES_GCM_16)
		*ci = CONF_ESP_INTEG_NONE;
	else if (t->auth == IPSEC_AUTH_HMAC_SHA1)
		*ci = CONF_ESP_INTEG_SHA1;
	else
		*ci = CONF_ESP_INTEG_SHA256;
	return true;
}

/* Encryption and integrity of an ESP transform. */
static bool
esp_judge_algs(const struct ike_conf *conf, const struct esp_xf *t,
    char *reason, size_t rlen)
{
	char b[16];
	bool gcm = t->id == IPSEC_ESP_AES_GCM_16;

	switch (t->id) {
	case IPSEC_ESP_AES_CBC:
	case IPSEC_ESP_AES_GCM_16:
		if (!SEEN(t, IPSEC_ATTR_KEY_LENGTH)) {
			snprintf(reason, rlen, "%s without key length",
			    gcm ? "aes-gcm" : "aes");
			return false;
		}
		if (t->key_bits != 128 && t->key_bits != 256) {
			snprintf(reason, rlen, "%s key length %u unsupported",
			    gcm ? "aes-gcm" : "aes",
			    (unsigned int)t->key_bits);
			return false;
		}
		break;
	case IPSEC_ESP_3DES:
		if (SEEN(t, IPSEC_ATTR_KEY_LENGTH) && t->key_bits != 192) {
			snprintf(reason, rlen, "3des key length %u",
			    (unsigned int)t->key_bits);
			return false;
		}
		if (!conf->legacy_compat) {
			snprintf(reason, rlen, "3des needs ike.legacy_compat");
			return false;
		}
		break;
	case IPSEC_ESP_DES_IV64:
	case IPSEC_ESP_DES:
	case IPSEC_ESP_DES_IV32:
		snprintf(reason, rlen, "des refused (insecure)");
		return false;
	case IPSEC_ESP_NULL:
		snprintf(reason, rlen, "null encryption refused");
		return false;
	default:
		snprintf(reason, rlen, "%s unsupported",
		    esp_enc_str(t->id, 0, b, sizeof(b)));
		return false;
	}
	if (gcm) {
		/* RFC 4106 8.4: GCM carries its own ICV, no auth attribute */
		if (SEEN(t, IPSEC_ATTR_AUTH_ALG)) {
			snprintf(reason, rlen, "aes-gcm with auth algorithm");
			return false;
		}
		return true;
	}
	if (!SEEN(t, IPSEC_ATTR_AUTH_ALG)) {
		snprintf(reason, rlen, "no auth algorithm");
		return false;
	}
	if (t->auth == IPSEC_AUTH_HMAC_MD5) {
		snprintf(reason, rlen, "hmac-md5 refused (insecure)");
		return false;
	}
	if (t->auth != IPSEC_AUTH_HMAC_SHA1 &&
	    t->auth != IPSEC_AUTH_HMAC_SHA2_256) {
		snprintf(reason, rlen, "auth %s unsupported",
		    esp_auth_str(t->auth, b, sizeof(b)));
		return false;
	}
	return true;
}

/* RFC 2407 4.5, RFC 3947 5.1, draft-ietf-ipsec-nat-t-ike-02 5.1 */
static bool
esp_judge_encap(const struct esp_xf *t, bool natt, bool natt_draft,
    char *reason, size_t rlen)
{
	switch (t->encap) {
	case 0:
		/* 4.5: unspecified is host-dependent; we only do transport */
	case IPSEC_ENCAP_TRANSPORT:
		if (natt) {
			snprintf(reason, rlen, "%s under NAT (udp-transport "
			    "%u needed)", t->encap == 0 ? "no mode" :
			    "transport", natt_draft ?
			    IPSEC_ENCAP_UDP_TRANSPORT_DRAFT :
			    IPSEC_ENCAP_UDP_TRANSPORT);
			return false;
		}
		return true;
	case IPSEC_ENCAP_UDP_TRANSPORT:
	case IPSEC_ENCAP_UDP_TRANSPORT_DRAFT:
		if (!natt) {
			snprintf(reason, rlen, "udp-transport without NAT");
			return false;
		}
		return true;
	case IPSEC_ENCAP_TUNNEL:
	case IPSEC_ENCAP_UDP_TUNNEL:
	case IPSEC_ENCAP_UDP_TUNNEL_DRAFT:
		snprintf(reason, rlen, "tunnel mode refused (L2TP needs "
		    "transport)");
		return false;
	default:
		snprintf(reason, rlen, "encapsulation mode %u unknown",
		    (unsigned int)t->encap);
		return false;
	}
}

/* RFC 2409 5.5: PFS iff a KE was sent, in the group of the SA. */
static bool
esp_judge_pfs(const struct ike_conf *conf, const struct esp_xf *t,
    uint16_t pfs_group, char *reason, size_t rlen)
{
	char b1[16], b2[16];
	bool has = SEEN(t, IPSEC_ATTR_GROUP_DESC);

	if (pfs_group == 0) {
		if (has) {
			snprintf(reason, rlen, "pfs %s without KE",
			    group_str(t->group, b1, sizeof(b1)));
			return false;
		}
		return true;
	}
	if (!has) {
		snprintf(reason, rlen, "KE without pfs group");
		return false;
	}
	if (pfs_group != PROPOSAL_PFS_ANY && t->group != pfs_group) {
		snprintf(reason, rlen, "pfs %s but KE is %s",
		    group_str(t->group, b1, sizeof(b1)),
		    group_str(pfs_group, b2, sizeof(b2)));
		return false;
	}
	if (t->group == P1_GROUP_MODP768) {
		snprintf(reason, rlen, "modp768 refused (insecure)");
		return false;
	}
	if (!dh_group_supported(t->group)) {
		snprintf(reason, rlen, "pfs %s unsupported",
		    group_str(t->group, b1, sizeof(b1)));
		return false;
	}
	if (t->group == IKE_DH_MODP1024 && !conf->legacy_compat) {
		snprintf(reason, rlen, "modp1024 needs ike.legacy_compat");
		return false;
	}
	return true;
}

/*
 * All rules for an ESP transform; on success the rank of the first
 * conf->esp entry it matches (or NO_RANK with a reason).
 */
static bool
esp_judge(const struct ike_conf *conf, const struct esp_xf *t, bool natt,
    bool natt_draft, uint16_t pfs_group, size_t *rank, char *reason,
    size_t rlen)
{
	enum conf_esp_enc ce;
	enum conf_esp_integ ci;
	bool enc_in = false;
	size_t i;

	*rank = NO_RANK;
	if (!esp_judge_algs(conf, t, reason, rlen) ||
	    !esp_judge_encap(t, natt, natt_draft, reason, rlen) ||
	    !esp_judge_pfs(conf, t, pfs_group, reason, rlen))
		return false;
	if (t->life.has_seconds &&
	    t->life.seconds < conf->ipsec_lifetime_min) {
		snprintf(reason, rlen, "lifetime %llus below "
		    "ike.ipsec_lifetime_min %u",
		    (unsigned long long)t->life.seconds,
		    conf->ipsec_lifetime_min);
		return false;
	}
	if (!conf_esp_from(t, &ce, &ci)) {
		snprintf(reason, rlen, "internal: esp %u", (unsigned int)t->id);
		return false;
	}
	for (i = 0; i < conf->nesp && i < CONF_MAX_PROPOSALS; i++) {
		enc_in |= conf->esp[i].enc == ce;
		if (conf->esp[i].enc == ce && conf->esp[i].integ == ci) {
			*rank = i;
			return true;
		}
	}
	snprintf(reason, rlen, "%s%s%s not in ike.esp",
	    conf_esp_enc_name(ce), enc_in ? "-" : "",
	    enc_in ? conf_esp_integ_name(ci) : "");
	return false;
}

/*
 * RFC 2408 4.2: consecutive proposals with the same number are one offer.
 * From `it` (at a proposal), read the run starting there: its first
 * proposal, its size and a "esp+ah" protocol list. False at the end.
 */
static bool
proposal_run(struct rbuf *it, struct isakmp_proposal *first, size_t *n,
    char *protos, size_t plen)
{
	struct isakmp_proposal p;
	struct rbuf peek;
	char pb[16];
	size_t len;

	if (!isakmp_proposal_next(it, first))
		return false;
	*n = 1;
	snprintf(protos, plen, "%s", proto_str(first->protocol, pb,
	    sizeof(pb)));
	for (;;) {
		peek = *it;
		if (!isakmp_proposal_next(&peek, &p) ||
		    p.number != first->number)
			break;
		*it = peek;
		(*n)++;
		len = strlen(protos);
		if (len < plen)
			(void)snprintf(protos + len, plen - len, "+%s",
			    proto_str(p.protocol, pb, sizeof(pb)));
	}
	return true;
}

int
proposal_select_esp(const struct ike_conf *conf,
    const struct rbuf *sa_body, bool natt, bool natt_draft,
    uint16_t pfs_group, const char *tag, struct esp_choice *out, char *why,
    size_t whylen)
{
	struct why w;
	struct isakmp_sa sa;
	struct isakmp_proposal prop, best_prop;
	struct isakmp_transform xf;
	struct esp_xf t, best_t;
	struct rbuf pit, tit;
	const uint8_t *start;
	size_t rank, best = NO_RANK, best_len = 0, n;
	char label[LABEL_LEN], reason[REASON_LEN], num[16], protos[32];
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&best_t, 0, sizeof(best_t));
	memset(&best_prop, 0, sizeof(best_prop));
	why_init(&w, why, whylen);
	if ((rc = sa_open(sa_body, &sa, &w)) != 0)
		return rc;

	pit = sa.proposals;
	while (proposal_run(&pit, &prop, &n, protos, sizeof(protos))) {
		snprintf(num, sizeof(num), "%u", (unsigned int)prop.number);
		if (n > 1 || prop.protocol != IPSEC_PROTO_ESP) {
			/* RFC 2408 4.2: an AND of protocols, all or nothing */
			why_offer(&w, num, protos);
			if (n > 1)
				snprintf(reason, sizeof(reason),
				    "%s bundle refused (esp alone only)",
				    protos);
			else
				snprintf(reason, sizeof(reason),
				    "%s unsupported (esp only)", protos);
			why_reason(&w, "%s", reason);
			why_debug(&w, tag, "quick mode proposal", num, protos,
			    reason);
			continue;
		}
		tit = prop.transforms;
		for (;;) {
			start = rbuf_cur(&tit);
			if (!isakmp_transform_next(&tit, &xf))
				break;
			snprintf(num, sizeof(num), "%u.%u",
			    (unsigned int)prop.number,
			    (unsigned int)xf.number);
			if (!esp_decode(&xf, &t, reason, sizeof(reason)) ||
			    !esp_judge(conf, &t, natt, natt_draft, pfs_group,
			    &rank, reason, sizeof(reason))) {
				esp_label(&t, label, sizeof(label));
				why_offer(&w, num, label);
				why_reason(&w, "%s", reason);
				why_debug(&w, tag, "quick mode transform", num,
				    label, reason);
				continue;
			}
			esp_label(&t, label, sizeof(label));
			why_offer(&w, num, label);
			if (rank < best) {
				best = rank;
				best_t = t;
				best_prop = prop;
				best_len = (size_t)(rbuf_cur(&tit) - start);
				out->transform = xf.number;
				out->xf = start;
				out->attrs = xf.attrs;
			}
		}
	}
	why_debug_end(&w, tag);
	if (best == NO_RANK) {
		why_finish(&w);
		memset(out, 0, sizeof(*out));
		return ISAKMP_N_NO_PROPOSAL_CHOSEN;
	}

	out->situation = sa.situation;
	out->proposal = best_prop.number;
	out->peer_spi = (uint32_t)best_prop.spi[0] << 24 |
	    (uint32_t)best_prop.spi[1] << 16 |
	    (uint32_t)best_prop.spi[2] << 8 | best_prop.spi[3];
	out->transform_id = best_t.id;
	out->xf_len = best_len;
	out->key_bits = best_t.id == IPSEC_ESP_3DES ? 192 : best_t.key_bits;
	out->auth_alg = best_t.id == IPSEC_ESP_AES_GCM_16 ? 0 : best_t.auth;
	/* RFC 2404 (96), RFC 4868 2.3 (128), RFC 4106 (16 octets) */
	out->icv_bits = out->auth_alg == IPSEC_AUTH_HMAC_SHA1 ? 96 : 128;
	out->encap = best_t.encap;
	out->udp_encap = best_t.encap == IPSEC_ENCAP_UDP_TRANSPORT ||
	    best_t.encap == IPSEC_ENCAP_UDP_TRANSPORT_DRAFT;
	out->pfs_group = SEEN(&best_t, IPSEC_ATTR_GROUP_DESC) ?
	    best_t.group : 0;
	out->life_kbytes = best_t.life.has_kbytes ? best_t.life.kbytes : 0;
	if (best_t.life.has_seconds)
		out->peer_life_seconds = best_t.life.seconds > UINT32_MAX ?
		    UINT32_MAX : (uint32_t)best_t.life.seconds;
	/* RFC 2407 4.5: 28800 s when the peer gives none */
	out->life_seconds = best_t.life.has_seconds ? out->peer_life_seconds :
	    PROPOSAL_IPSEC_LIFE_DEFAULT;
	/* RFC 2407 4.6.3.1: shorter local policy -> RESPONDER-LIFETIME */
	if (out->life_seconds > conf->ipsec_lifetime_max) {
		out->life_seconds = conf->ipsec_lifetime_max;
		out->responder_lifetime = true;
	}
	return 0;
}

void
proposal_build_esp_reply(struct isakmp_builder *b, const struct esp_choice *c,
    uint32_t our_spi)
{
	struct rbuf it = c->attrs;
	struct isakmp_attr a;
	uint8_t spi[ISAKMP_SPI_SIZE_IPSEC];
	uint64_t v;
	bool seconds_next = false;

	spi[0] = (uint8_t)(our_spi >> 24);
	spi[1] = (uint8_t)(our_spi >> 16);
	spi[2] = (uint8_t)(our_spi >> 8);
	spi[3] = (uint8_t)our_spi;
	isakmp_build_sa_begin(b, ISAKMP_DOI_IPSEC, c->situation);
	isakmp_build_proposal_begin(b, c->proposal, IPSEC_PROTO_ESP, spi,
	    sizeof(spi));
	isakmp_build_transform_begin(b, c->transform, c->transform_id);
	if (c->responder_lifetime && c->peer_life_seconds == 0) {
		isakmp_build_attr(b, IPSEC_ATTR_LIFE_TYPE, IPSEC_LIFE_SECONDS);
		isakmp_build_attr(b, IPSEC_ATTR_LIFE_DURATION,
		    c->life_seconds);
	}
	while (isakmp_attr_next(&it, &a)) {
		if (a.type == IPSEC_ATTR_LIFE_DURATION && seconds_next &&
		    c->responder_lifetime) {
			isakmp_build_attr(b, IPSEC_ATTR_LIFE_DURATION,
			    c->life_seconds);
			seconds_next = false;
			continue;
		}
		seconds_next = a.type == IPSEC_ATTR_LIFE_TYPE &&
		    isakmp_attr_u64(&a, &v) && v == IPSEC_LIFE_SECONDS;
		isakmp_build_attr_copy(b, &a);
	}
	if (rbuf_left(&it) > 0)
		b->bad = true;
	isakmp_build_transform_end(b);
	isakmp_build_proposal_end(b);
	isakmp_build_sa_end(b);
}

void
proposal_responder_lifetime_data(struct wbuf *w, const struct esp_choice *c)
{
	/* RFC 2407 4.6.3.1: the data are SA attributes (4.5) */
	wbuf_put_u16(w, ISAKMP_ATTR_AF | IPSEC_ATTR_LIFE_TYPE);
	wbuf_put_u16(w, IPSEC_LIFE_SECONDS);
	if (c->life_seconds <= UINT16_MAX) {
		wbuf_put_u16(w, ISAKMP_ATTR_AF | IPSEC_ATTR_LIFE_DURATION);
		wbuf_put_u16(w, (uint16_t)c->life_seconds);
	} else {
		wbuf_put_u16(w, IPSEC_ATTR_LIFE_DURATION);
		wbuf_put_u16(w, 4);
		wbuf_put_u32(w, c->life_seconds);
	}
}

const char *
ike_choice_str(const struct ike_choice *c, char *buf, size_t len)
{
	char e[16], h[16], g[16], au[16];

	if (len == 0)
		return buf;
	snprintf(buf, len, "%s-%s-%s %s %us%s",
	    p1_enc_str(c->enc == IKE_ENC_3DES_CBC ? IKE_ENCR_3DES_CBC :
	    IKE_ENCR_AES_CBC, c->key_bits, e, sizeof(e)),
	    p1_hash_str((uint16_t)c->hash, h, sizeof(h)),
	    group_str(c->group, g, sizeof(g)),
	    auth_str(c->auth, au, sizeof(au)), (unsigned int)c->life_seconds,
	    c->life_capped ? " (capped)" : "");
	return buf;
}

const char *
esp_choice_str(const struct esp_choice *c, char *buf, size_t len)
{
	char e[16], au[16], m[16], g[16];
	size_t n;

	if (len == 0)
		return buf;
	snprintf(buf, len, "%s%s%s %s %us",
	    esp_enc_str(c->transform_id, c->key_bits, e, sizeof(e)),
	    c->auth_alg != 0 ? "-" : "",
	    c->auth_alg != 0 ? esp_auth_str(c->auth_alg, au, sizeof(au)) : "",
	    encap_str(c->encap, m, sizeof(m)), (unsigned int)c->life_seconds);
	n = strlen(buf);
	if (c->pfs_group != 0 && n < len)
		n += (size_t)snprintf(buf + n, len - n, " pfs %s",
		    group_str(c->pfs_group, g, sizeof(g)));
	if (c->responder_lifetime && n < len)
		(void)snprintf(buf + n, len - n, " (responder-lifetime)");
	return buf;
}
