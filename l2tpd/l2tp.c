/*
 * l2tp.c - L2TP parsing: header, AVP chain, typed AVP values, hidden
 * AVPs and the per-message table (contracts in l2tp.h). Every read goes
 * through lib/buf; values are views into the datagram or into the
 * message's plaintext buffer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "l2tpd/l2tp.h"
#include "l2tpd/l2tp_avp.h"

static void
say(char *reason, size_t reasonlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(char *reason, size_t reasonlen, const char *fmt, ...)
{
	va_list ap;

	if (reason == NULL || reasonlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(reason, reasonlen, fmt, ap);
	va_end(ap);
}

enum l2tp_err
l2tp_hdr_parse(const uint8_t *p, size_t len, struct l2tp_hdr *h,
    char *reason, size_t reasonlen)
{
	struct rbuf r;
	uint16_t flags, length = 0;
	size_t msglen;

	memset(h, 0, sizeof(*h));
	rbuf_init(&r, p, len);
	if (!rbuf_get_u16(&r, &flags)) {
		say(reason, reasonlen, "header truncated: %zu bytes", len);
		return L2TP_ERR_TRUNCATED;
	}
	h->flags = flags;
	h->version = flags & L2TP_HDR_VER_MASK;
	h->control = (flags & L2TP_HDR_T) != 0;
	h->has_length = (flags & L2TP_HDR_L) != 0;
	h->has_seq = (flags & L2TP_HDR_S) != 0;
	h->has_offset = (flags & L2TP_HDR_O) != 0;
	h->priority = (flags & L2TP_HDR_P) != 0;
	/* RFC 2661 3.1: Ver MUST be 2; 1 is L2F (RFC 2341), 3 is L2TPv3 */
	if (h->version == L2TP_VERSION_L2F) {
		say(reason, reasonlen, "version 1 (L2F, RFC 2341) not "
		    "supported");
		return L2TP_ERR_VERSION_L2F;
	}
	if (h->version == L2TP_VERSION_3) {
		say(reason, reasonlen, "version 3 (L2TPv3, RFC 3931) not "
		    "supported");
		return L2TP_ERR_VERSION_3;
	}
	if (h->version != L2TP_VERSION) {
		say(reason, reasonlen, "version %u not supported",
		    h->version);
		return L2TP_ERR_VERSION;
	}
	/* RFC 2661 3.1: control messages have L and S set, O and P clear */
	if (h->control && (!h->has_length || !h->has_seq ||
	    h->has_offset || h->priority)) {
		say(reason, reasonlen, "control message with flags 0x%04x: "
		    "L and S must be set, O and P clear", flags);
		return L2TP_ERR_CTRL_BITS;
	}
	if (h->has_length && !rbuf_get_u16(&r, &length))
		goto truncated;
	if (!rbuf_get_u16(&r, &h->tunnel_id) ||
	    !rbuf_get_u16(&r, &h->session_id))
		goto truncated;
	if (h->has_seq && (!rbuf_get_u16(&r, &h->ns) ||
	    !rbuf_get_u16(&r, &h->nr)))
		goto truncated;
	if (h->has_offset && !rbuf_get_u16(&r, &h->offset_size))
		goto truncated;
	msglen = len;
	if (h->has_length) {
		if (length > len || length < r.off) {
			say(reason, reasonlen, "Length %u at offset 2 outside "
			    "%zu..%zu (header, datagram)", length, r.off, len);
			return L2TP_ERR_LENGTH;
		}
		msglen = length;
	} else if (len > L2TP_MAX_MSG) {
		say(reason, reasonlen, "datagram of %zu bytes", len);
		return L2TP_ERR_LENGTH;
	}
	h->length = (uint16_t)msglen;
	h->trailing = len - msglen;
	/* RFC 2661 3.1: the pad follows the Offset Size field */
	if (h->has_offset && h->offset_size > msglen - r.off) {
		say(reason, reasonlen, "Offset Size %u at offset %zu past the "
		    "message end (%zu)", h->offset_size, r.off - 2, msglen);
		return L2TP_ERR_OFFSET;
	}
	h->hdr_len = r.off + (h->has_offset ? h->offset_size : 0);
	rbuf_init(&h->payload, p + h->hdr_len, msglen - h->hdr_len);
	return L2TP_OK;
truncated:
	say(reason, reasonlen, "header truncated: %zu bytes for flags "
	    "0x%04x", len, flags);
	return L2TP_ERR_TRUNCATED;
}

/* b = MD5(a | b | c), any of them may be empty. */
static bool
md5_3(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
    const uint8_t *c, size_t clen, uint8_t out[16])
{
	EVP_MD_CTX *ctx;
	unsigned int n = 0;
	bool ok;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return false;
	ok = EVP_DigestInit_ex(ctx, EVP_md5(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, a, alen) == 1 &&
	    EVP_DigestUpdate(ctx, b, blen) == 1 &&
	    EVP_DigestUpdate(ctx, c, clen) == 1 &&
	    EVP_DigestFinal_ex(ctx, out, &n) == 1 && n == 16;
	EVP_MD_CTX_free(ctx);
	return ok;
}

bool
l2tp_challenge_response(uint8_t msg_type, const uint8_t *secret,
    size_t secret_len, const uint8_t *challenge, size_t challenge_len,
    uint8_t out[16])
{
	/* RFC 2661 4.4.3: as CHAP (RFC 1994), the type as identifier */
	return md5_3(&msg_type, 1, secret, secret_len, challenge,
	    challenge_len, out);
}

/*
 * RFC 2661 4.3: b1 = MD5(AV | S | RV), c(1) = p1 xor b1,
 * bi = MD5(S | c(i-1)), c(i) = pi xor bi. A last block shorter than 16
 * uses the first bytes of its pad. encrypt: in is plaintext.
 */
static bool
hidden_xor(uint16_t type, const uint8_t *secret, size_t secret_len,
    const uint8_t *rv, size_t rv_len, const uint8_t *in, size_t len,
    uint8_t *out, bool encrypt)
{
	uint8_t av[2] = { (uint8_t)(type >> 8), (uint8_t)type };
	uint8_t pad[16];
	const uint8_t *prev = NULL;
	size_t off, n;
	bool ok = true;

	for (off = 0; off < len && ok; off += 16) {
		if (off == 0)
			ok = md5_3(av, 2, secret, secret_len, rv, rv_len, pad);
		else
			ok = md5_3(secret, secret_len, prev, 16, NULL, 0, pad);
		n = len - off < 16 ? len - off : 16;
		for (size_t i = 0; i < n; i++)
			out[off + i] = in[off + i] ^ pad[i];
		prev = encrypt ? out + off : in + off;
	}
	OPENSSL_cleanse(pad, sizeof(pad));
	return ok;
}

bool
l2tp_hidden_decode(uint16_t type, const uint8_t *secret, size_t secret_len,
    const uint8_t *rv, size_t rv_len, const uint8_t *hidden, size_t hlen,
    uint8_t *out, size_t outcap, size_t *outlen)
{
	size_t orig;

	/* the sub-format: 2-byte original length, value, padding */
	if (hlen < 2 || hlen > outcap || hidden == out)
		return false;
	if (!hidden_xor(type, secret, secret_len, rv, rv_len, hidden, hlen,
	    out, false))
		return false;
	orig = ((size_t)out[0] << 8) | out[1];
	if (orig > hlen - 2) {
		OPENSSL_cleanse(out, hlen);
		return false;
	}
	memmove(out, out + 2, orig);
	OPENSSL_cleanse(out + orig, hlen - orig);
	*outlen = orig;
	return true;
}

bool
l2tp_hidden_encode(uint16_t type, const uint8_t *secret, size_t secret_len,
    const uint8_t *rv, size_t rv_len, const uint8_t *value, size_t len,
    uint8_t *out, size_t outcap, size_t *outlen)
{
	uint8_t plain[L2TP_AVP_MAX_VALUE];
	size_t total;
	bool ok;

	total = (len + 2 + 15) & ~(size_t)15;
	if (total > L2TP_AVP_MAX_VALUE)
		total = len + 2;
	if (total > L2TP_AVP_MAX_VALUE || total > outcap)
		return false;
	plain[0] = (uint8_t)(len >> 8);
	plain[1] = (uint8_t)len;
	if (len > 0)
		memcpy(plain + 2, value, len);
	memset(plain + 2 + len, 0, total - 2 - len);
	ok = hidden_xor(type, secret, secret_len, rv, rv_len, plain, total,
	    out, true);
	OPENSSL_cleanse(plain, total);
	if (ok)
		*outlen = total;
	return ok;
}

static enum l2tp_err
fail(struct l2tp_msg *m, enum l2tp_err e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum l2tp_err
fail(struct l2tp_msg *m, enum l2tp_err e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(m->reason, sizeof(m->reason), fmt, ap);
	va_end(ap);
	return e;
}

static void
bytes_of(struct rbuf *r, struct l2tp_bytes *b)
{
	b->len = rbuf_left(r);
	b->p = b->len ? rbuf_cur(r) : NULL;
	(void)rbuf_skip(r, b->len);
}

/*
 * RFC 2661 4.4.2: Result Code. Apple's L2TP client writes the code (and
 * error) in host order, i.e. little endian (xl2tpd avp.c works around
 * it): every defined code is < 256, so a code of the form 0xNN00 with a
 * non-zero NN is taken as swapped.
 */
static bool
decode_result(struct rbuf *r, struct l2tp_result *res)
{
	memset(res, 0, sizeof(*res));
	if (!rbuf_get_u16(r, &res->code))
		return false;
	if (rbuf_left(r) == 1)
		return false;
	if (rbuf_left(r) >= 2) {
		res->has_error = true;
		(void)rbuf_get_u16(r, &res->error);
		bytes_of(r, &res->message);
	}
	if (res->code > 0xff && (res->code & 0xff) == 0) {
		res->swapped = true;
		res->code = (uint16_t)(res->code >> 8);
		res->error = (uint16_t)((res->error >> 8) | (res->error << 8));
	}
	return true;
}

/* The typed value of a known AVP; r holds exactly its value. */
static bool
decode_value(uint16_t type, struct rbuf *r, struct l2tp_values *v,
    const char **why)
{
	struct l2tp_call_errors *ce = &v->call_errors;
	uint16_t u16;
	uint8_t u8;

	*why = "bad value";
	switch (type) {
	case L2TP_AVP_RESULT_CODE:
		*why = "3 bytes: half an error code";
		return decode_result(r, &v->result);
	case L2TP_AVP_PROTOCOL_VERSION:
		return rbuf_get_u8(r, &v->proto_ver) &&
		    rbuf_get_u8(r, &v->proto_rev);
	case L2TP_AVP_FRAMING_CAP:
		return rbuf_get_u32(r, &v->framing_cap);
	case L2TP_AVP_BEARER_CAP:
		return rbuf_get_u32(r, &v->bearer_cap);
	case L2TP_AVP_TIE_BREAKER:
		return rbuf_get_bytes(r, v->tie_breaker, 8);
	case L2TP_AVP_FIRMWARE_REV:
		return rbuf_get_u16(r, &v->firmware_rev);
	case L2TP_AVP_HOST_NAME:
		bytes_of(r, &v->host_name);
		/* Apple sends the C string's NUL (research 6.1) */
		v->host_name_nul = v->host_name.p[v->host_name.len - 1] == 0;
		if (v->host_name_nul)
			v->host_name.len--;
		*why = "empty host name";
		return v->host_name.len > 0;
	case L2TP_AVP_VENDOR_NAME:
		bytes_of(r, &v->vendor_name);
		return true;
	case L2TP_AVP_ASSIGNED_TUNNEL_ID:
		/* RFC 2661 4.4.3: a non-zero tunnel id */
		*why = "tunnel id 0";
		return rbuf_get_u16(r, &v->tunnel_id) && v->tunnel_id != 0;
	case L2TP_AVP_RECV_WINDOW_SIZE:
		/* RFC 2661 5.8: a window of 0 would never let us send */
		*why = "window 0";
		return rbuf_get_u16(r, &v->rws) && v->rws != 0;
	case L2TP_AVP_CHALLENGE:
		bytes_of(r, &v->challenge);
		return true;
	case L2TP_AVP_Q931_CAUSE:
		if (!rbuf_get_u16(r, &v->q931.cause) ||
		    !rbuf_get_u8(r, &v->q931.msg))
			return false;
		bytes_of(r, &v->q931.advisory);
		return true;
	case L2TP_AVP_CHALLENGE_RESPONSE:
		return rbuf_get_bytes(r, v->challenge_response, 16);
	case L2TP_AVP_ASSIGNED_SESSION_ID:
		/* RFC 2661 4.4.4: a non-zero session id */
		*why = "session id 0";
		return rbuf_get_u16(r, &v->session_id) && v->session_id != 0;
	case L2TP_AVP_CALL_SERIAL:
		return rbuf_get_u32(r, &v->call_serial);
	case L2TP_AVP_MIN_BPS:
		return rbuf_get_u32(r, &v->min_bps);
	case L2TP_AVP_MAX_BPS:
		return rbuf_get_u32(r, &v->max_bps);
	case L2TP_AVP_BEARER_TYPE:
		return rbuf_get_u32(r, &v->bearer_type);
	case L2TP_AVP_FRAMING_TYPE:
		return rbuf_get_u32(r, &v->framing_type);
	case L2TP_AVP_CALLED_NUMBER:
		bytes_of(r, &v->called_number);
		return true;
	case L2TP_AVP_CALLING_NUMBER:
		bytes_of(r, &v->calling_number);
		return true;
	case L2TP_AVP_SUB_ADDRESS:
		bytes_of(r, &v->sub_address);
		return true;
	case L2TP_AVP_TX_CONNECT_SPEED:
		return rbuf_get_u32(r, &v->tx_speed);
	case L2TP_AVP_PHYS_CHANNEL_ID:
		return rbuf_get_u32(r, &v->phys_channel);
	case L2TP_AVP_INITIAL_RCVD_LCP:
		bytes_of(r, &v->initial_rcvd_lcp);
		return true;
	case L2TP_AVP_LAST_SENT_LCP:
		bytes_of(r, &v->last_sent_lcp);
		return true;
	case L2TP_AVP_LAST_RCVD_LCP:
		bytes_of(r, &v->last_rcvd_lcp);
		return true;
	case L2TP_AVP_PROXY_AUTHEN_TYPE:
		return rbuf_get_u16(r, &v->proxy_authen_type);
	case L2TP_AVP_PROXY_AUTHEN_NAME:
		bytes_of(r, &v->proxy_authen_name);
		return true;
	case L2TP_AVP_PROXY_AUTHEN_CHALLENGE:
		bytes_of(r, &v->proxy_authen_challenge);
		return true;
	case L2TP_AVP_PROXY_AUTHEN_ID:
		/* RFC 2661 4.4.5: a reserved byte, then the PPP id */
		return rbuf_get_u8(r, &u8) &&
		    rbuf_get_u8(r, &v->proxy_authen_id);
	case L2TP_AVP_PROXY_AUTHEN_RESPONSE:
		bytes_of(r, &v->proxy_authen_response);
		return true;
	case L2TP_AVP_CALL_ERRORS:
		/* RFC 2661 4.4.6: 2 reserved bytes, six counters */
		return rbuf_get_u16(r, &u16) &&
		    rbuf_get_u32(r, &ce->crc) &&
		    rbuf_get_u32(r, &ce->framing) &&
		    rbuf_get_u32(r, &ce->hw_overruns) &&
		    rbuf_get_u32(r, &ce->buf_overruns) &&
		    rbuf_get_u32(r, &ce->timeouts) &&
		    rbuf_get_u32(r, &ce->alignment);
	case L2TP_AVP_ACCM:
		return rbuf_get_u16(r, &u16) &&
		    rbuf_get_u32(r, &v->accm.send) &&
		    rbuf_get_u32(r, &v->accm.recv);
	case L2TP_AVP_RANDOM_VECTOR:
		bytes_of(r, &v->random_vector);
		return true;
	case L2TP_AVP_PRIVATE_GROUP_ID:
		bytes_of(r, &v->private_group);
		return true;
	case L2TP_AVP_RX_CONNECT_SPEED:
		return rbuf_get_u32(r, &v->rx_speed);
	case L2TP_AVP_SEQUENCING_REQUIRED:
		return true;
	default:
		return false;
	}
}

enum l2tp_scope
l2tp_msg_scope(uint16_t type)
{
	switch (type) {
	case L2TP_MSG_OCRQ:
	case L2TP_MSG_OCRP:
	case L2TP_MSG_OCCN:
	case L2TP_MSG_ICRQ:
	case L2TP_MSG_ICRP:
	case L2TP_MSG_ICCN:
	case L2TP_MSG_CDN:
	case L2TP_MSG_WEN:
	case L2TP_MSG_SLI:
		return L2TP_SCOPE_SESSION;
	default:
		return L2TP_SCOPE_TUNNEL;
	}
}

/* One AVP at datagram offset off whose header is already read. */
static enum l2tp_err
parse_avp(struct l2tp_msg *m, struct l2tp_avp *a, const uint8_t *secret,
    size_t secret_len, struct rbuf *body)
{
	const struct l2tp_avp_def *d = l2tp_avp_def(a->vendor, a->type);
	const char *why;
	struct rbuf vr;
	size_t outlen, vlen;

	if (a->hidden) {
		/* RFC 2661 4.3: the most recent Random Vector, the secret */
		if (a->type == L2TP_AVP_MESSAGE_TYPE ||
		    a->type == L2TP_AVP_RANDOM_VECTOR)
			return fail(m, L2TP_ERR_HIDDEN, "AVP %u (%s) at offset "
			    "%zu: must not be hidden", a->type, d->name,
			    a->offset);
		if (secret == NULL || secret_len == 0)
			return fail(m, L2TP_ERR_HIDDEN, "AVP %u (%s) at offset "
			    "%zu: hidden, but no tunnel secret", a->type,
			    d->name, a->offset);
		if (!(m->v.present & L2TP_BIT(L2TP_AVP_RANDOM_VECTOR)))
			return fail(m, L2TP_ERR_HIDDEN, "AVP %u (%s) at offset "
			    "%zu: hidden, no Random Vector before it",
			    a->type, d->name, a->offset);
		vlen = rbuf_left(body);
		if (vlen > sizeof(m->plain) - m->plain_len)
			return fail(m, L2TP_ERR_HIDDEN, "AVP %u (%s) at offset "
			    "%zu: hidden AVPs of more than %d bytes in one "
			    "message", a->type, d->name, a->offset,
			    L2TP_PLAIN_MAX);
		if (!l2tp_hidden_decode(a->type, secret, secret_len,
		    m->v.random_vector.p, m->v.random_vector.len,
		    rbuf_cur(body), vlen, m->plain + m->plain_len,
		    sizeof(m->plain) - m->plain_len, &outlen))
			return fail(m, L2TP_ERR_HIDDEN, "AVP %u (%s) at offset "
			    "%zu: hidden value of %zu bytes does not decode "
			    "(wrong secret?)", a->type, d->name, a->offset,
			    vlen);
		a->value = m->plain + m->plain_len;
		a->len = outlen;
		m->plain_len += vlen;
		m->v.hidden |= L2TP_BIT(a->type);
	} else {
		a->len = rbuf_left(body);
		a->value = rbuf_cur(body);
	}
	if (a->len < d->min || a->len > d->max) {
		if (d->min == d->max)
			return fail(m, L2TP_ERR_AVP_VALUE, "AVP %u (%s) at "
			    "offset %zu: value of %zu bytes, want %u",
			    a->type, d->name, a->offset, a->len, d->min);
		return fail(m, L2TP_ERR_AVP_VALUE, "AVP %u (%s) at offset "
		    "%zu: value of %zu bytes, want %u..%u", a->type, d->name,
		    a->offset, a->len, d->min, d->max);
	}
	if ((m->v.present & L2TP_BIT(a->type)) &&
	    a->type != L2TP_AVP_RANDOM_VECTOR)
		return fail(m, L2TP_ERR_DUPLICATE, "AVP %u (%s) at offset "
		    "%zu: second one in the message", a->type, d->name,
		    a->offset);
	rbuf_init(&vr, a->value, a->len);
	if (!decode_value(a->type, &vr, &m->v, &why) || rbuf_left(&vr) != 0)
		return fail(m, L2TP_ERR_AVP_VALUE, "AVP %u (%s) at offset "
		    "%zu: %s", a->type, d->name, a->offset, why);
	m->v.present |= L2TP_BIT(a->type);
	return L2TP_OK;
}

/* RFC 2661 3.2, 4.4.1: the Message Type AVP, first in the message. */
static enum l2tp_err
parse_msg_type(struct l2tp_msg *m, struct l2tp_avp *a, struct rbuf *body)
{
	uint64_t must, may;
	uint16_t t;

	if (a->vendor != L2TP_VENDOR_IETF || a->type != L2TP_AVP_MESSAGE_TYPE)
		return fail(m, L2TP_ERR_FIRST_NOT_MSG_TYPE, "first AVP at "
		    "offset %zu is %s (vendor %u type %u), not Message Type",
		    a->offset, l2tp_avp_name(a->vendor, a->type), a->vendor,
		    a->type);
	if (a->hidden)
		return fail(m, L2TP_ERR_HIDDEN, "AVP 0 (Message Type) at "
		    "offset %zu: must not be hidden", a->offset);
	if (!rbuf_get_u16(body, &t) || rbuf_left(body) != 0)
		return fail(m, L2TP_ERR_AVP_VALUE, "AVP 0 (Message Type) at "
		    "offset %zu: value of %u bytes, want 2", a->offset,
		    a->length - L2TP_AVP_HDR_LEN);
	m->type = t;
	a->value = rbuf_cur(body) - 2;
	a->len = 2;
	if (!l2tp_msg_avps(t, &must, &may)) {
		/* RFC 2661 3.2: M set: clear the tunnel; else ignore */
		if (a->mandatory)
			return fail(m, L2TP_ERR_UNKNOWN_MSG_MANDATORY,
			    "unknown message type %u with M bit", t);
		return fail(m, L2TP_ERR_UNKNOWN_MSG, "unknown message type "
		    "%u without M bit: ignored", t);
	}
	return L2TP_OK;
}

enum l2tp_err
l2tp_msg_parse(const uint8_t *p, size_t len, const uint8_t *secret,
    size_t secret_len, struct l2tp_msg *m)
{
	struct rbuf chain, body;
	struct l2tp_avp *a;
	uint16_t flags, length;
	uint64_t must, may, missing;
	enum l2tp_err e;
	size_t off;

	memset(m, 0, offsetof(struct l2tp_msg, plain));
	m->plain_len = 0;
	m->reason[0] = '\0';
	e = l2tp_hdr_parse(p, len, &m->hdr, m->reason, sizeof(m->reason));
	if (e != L2TP_OK)
		return e;
	if (!m->hdr.control)
		return fail(m, L2TP_ERR_DATA_MSG, "data message (T=0)");
	chain = m->hdr.payload;
	if (rbuf_left(&chain) == 0) {
		/* RFC 2661 5.8: a ZLB, an ack with no AVP at all */
		m->zlb = true;
		m->type = L2TP_MSG_ZLB;
		return L2TP_OK;
	}
	while (rbuf_left(&chain) > 0) {
		off = m->hdr.hdr_len + chain.off;
		if (rbuf_left(&chain) < L2TP_AVP_HDR_LEN)
			return fail(m, L2TP_ERR_AVP_LENGTH, "AVP header at "
			    "offset %zu truncated: %zu bytes left", off,
			    rbuf_left(&chain));
		if (m->navp == L2TP_MAX_AVPS)
			return fail(m, L2TP_ERR_TOO_MANY, "more than %d AVPs "
			    "(offset %zu)", L2TP_MAX_AVPS, off);
		a = &m->avp[m->navp];
		(void)rbuf_get_u16(&chain, &flags);
		(void)rbuf_get_u16(&chain, &a->vendor);
		(void)rbuf_get_u16(&chain, &a->type);
		a->offset = off;
		a->mandatory = (flags & L2TP_AVP_M) != 0;
		a->hidden = (flags & L2TP_AVP_H) != 0;
		length = flags & L2TP_AVP_LEN_MASK;
		a->length = length;
		/* RFC 2661 4.1: Length covers the 6-byte header */
		if (length < L2TP_AVP_HDR_LEN ||
		    !rbuf_sub(&chain, length - L2TP_AVP_HDR_LEN, &body))
			return fail(m, L2TP_ERR_AVP_LENGTH, "AVP %u (%s) at "
			    "offset %zu: length %u outside 6..%zu", a->type,
			    l2tp_avp_name(a->vendor, a->type), off, length,
			    rbuf_left(&chain) + L2TP_AVP_HDR_LEN);
		m->navp++;
		if (m->navp == 1) {
			if ((e = parse_msg_type(m, a, &body)) != L2TP_OK)
				return e;
			a->known = true;
			continue;
		}
		if (a->vendor == L2TP_VENDOR_IETF &&
		    a->type == L2TP_AVP_MESSAGE_TYPE)
			return fail(m, L2TP_ERR_DUPLICATE, "AVP 0 (Message "
			    "Type) at offset %zu: second one in the message",
			    off);
		/*
		 * RFC 2661 4.1: an AVP with reserved bits set is treated as
		 * unrecognised; unrecognised with M set ends the tunnel (or
		 * the session), without M it is ignored.
		 */
		a->known = (flags & L2TP_AVP_RESERVED) == 0 &&
		    l2tp_avp_def(a->vendor, a->type) != NULL;
		if (!a->known) {
			a->value = rbuf_cur(&body);
			a->len = rbuf_left(&body);
			if (a->mandatory) {
				m->bad_vendor = a->vendor;
				m->bad_type = a->type;
				return fail(m, L2TP_ERR_UNKNOWN_MANDATORY,
				    "unknown mandatory AVP vendor %u type %u "
				    "(%s) at offset %zu, flags 0x%04x: clear "
				    "the %s", a->vendor, a->type,
				    l2tp_avp_name(a->vendor, a->type), off,
				    flags, l2tp_msg_scope(m->type) ==
				    L2TP_SCOPE_SESSION ? "session" : "tunnel");
			}
			if (m->nskipped < L2TP_MAX_SKIPPED) {
				m->skipped[m->nskipped].vendor = a->vendor;
				m->skipped[m->nskipped].type = a->type;
				m->skipped[m->nskipped].offset = off;
			}
			m->nskipped++;
			continue;
		}
		if ((e = parse_avp(m, a, secret, secret_len, &body)) !=
		    L2TP_OK)
			return e;
	}
	/* RFC 2661 6: the AVPs each message type must carry */
	(void)l2tp_msg_avps(m->type, &must, &may);
	missing = must & ~m->v.present;
	if (missing != 0) {
		unsigned int t = (unsigned int)__builtin_ctzll(missing);

		return fail(m, L2TP_ERR_MISSING_AVP, "%s without AVP %u (%s)",
		    l2tp_msg_type_name(m->type), t,
		    l2tp_avp_name(L2TP_VENDOR_IETF, (uint16_t)t));
	}
	m->unexpected = m->v.present & ~(must | may |
	    L2TP_BIT(L2TP_AVP_RANDOM_VECTOR));
	return L2TP_OK;
}

void
l2tp_msg_wipe(struct l2tp_msg *m)
{
	if (m == NULL)
		return;
	OPENSSL_cleanse(m->plain, sizeof(m->plain));
	m->plain_len = 0;
}
