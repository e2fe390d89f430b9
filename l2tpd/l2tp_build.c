/*
 * l2tp_build.c - L2TP builders: control messages from struct l2tp_values
 * (the mirror of l2tp_msg_parse), hidden AVPs, data messages, and the
 * messages the LNS sends (contracts in l2tp.h).
 */
#include <string.h>

#include <openssl/crypto.h>

#include "l2tpd/l2tp.h"
#include "l2tpd/l2tp_avp.h"

/* Patch the Length field of the message starting at start. */
static void
patch_length(struct wbuf *w, size_t start)
{
	size_t len = wbuf_mark(w) - start;

	if (len > L2TP_MAX_MSG) {
		/* a builder bug or a caller's oversized value */
		wbuf_patch_u16(w, wbuf_mark(w), 0);
		return;
	}
	wbuf_patch_u16(w, start + 2, (uint16_t)len);
}

bool
l2tp_build_avp_raw(struct wbuf *w, size_t start, uint16_t flags,
    uint16_t vendor, uint16_t type, const void *value, size_t len)
{
	if (len > L2TP_AVP_MAX_VALUE)
		return false;
	wbuf_put_u16(w, (uint16_t)((flags & ~L2TP_AVP_LEN_MASK) |
	    (len + L2TP_AVP_HDR_LEN)));
	wbuf_put_u16(w, vendor);
	wbuf_put_u16(w, type);
	if (len > 0)
		wbuf_put_bytes(w, value, len);
	patch_length(w, start);
	return wbuf_ok(w);
}

static uint16_t
bswap16(uint16_t v)
{
	return (uint16_t)(v << 8 | v >> 8);
}

static void
put_bytes(struct wbuf *w, const struct l2tp_bytes *b)
{
	if (b->len > 0)
		wbuf_put_bytes(w, b->p, b->len);
}

/* The value of AVP type from v into w (the mirror of decode_value). */
static bool
encode_value(uint16_t type, const struct l2tp_values *v, struct wbuf *w)
{
	const struct l2tp_call_errors *ce = &v->call_errors;
	const struct l2tp_result *r = &v->result;

	switch (type) {
	case L2TP_AVP_RESULT_CODE:
		if (!r->has_error && r->message.len > 0)
			return false;
		if (r->swapped) {
			/* only to reproduce Apple's bug in tests */
			wbuf_put_u16(w, bswap16(r->code));
			if (r->has_error)
				wbuf_put_u16(w, bswap16(r->error));
		} else {
			wbuf_put_u16(w, r->code);
			if (r->has_error)
				wbuf_put_u16(w, r->error);
		}
		put_bytes(w, &r->message);
		return true;
	case L2TP_AVP_PROTOCOL_VERSION:
		wbuf_put_u8(w, v->proto_ver);
		wbuf_put_u8(w, v->proto_rev);
		return true;
	case L2TP_AVP_FRAMING_CAP:
		wbuf_put_u32(w, v->framing_cap);
		return true;
	case L2TP_AVP_BEARER_CAP:
		wbuf_put_u32(w, v->bearer_cap);
		return true;
	case L2TP_AVP_TIE_BREAKER:
		wbuf_put_bytes(w, v->tie_breaker, 8);
		return true;
	case L2TP_AVP_FIRMWARE_REV:
		wbuf_put_u16(w, v->firmware_rev);
		return true;
	case L2TP_AVP_HOST_NAME:
		put_bytes(w, &v->host_name);
		if (v->host_name_nul)
			wbuf_put_u8(w, 0);
		return true;
	case L2TP_AVP_VENDOR_NAME:
		put_bytes(w, &v->vendor_name);
		return true;
	case L2TP_AVP_ASSIGNED_TUNNEL_ID:
		wbuf_put_u16(w, v->tunnel_id);
		return true;
	case L2TP_AVP_RECV_WINDOW_SIZE:
		wbuf_put_u16(w, v->rws);
		return true;
	case L2TP_AVP_CHALLENGE:
		put_bytes(w, &v->challenge);
		return true;
	case L2TP_AVP_Q931_CAUSE:
		wbuf_put_u16(w, v->q931.cause);
		wbuf_put_u8(w, v->q931.msg);
		put_bytes(w, &v->q931.advisory);
		return true;
	case L2TP_AVP_CHALLENGE_RESPONSE:
		wbuf_put_bytes(w, v->challenge_response, 16);
		return true;
	case L2TP_AVP_ASSIGNED_SESSION_ID:
		wbuf_put_u16(w, v->session_id);
		return true;
	case L2TP_AVP_CALL_SERIAL:
		wbuf_put_u32(w, v->call_serial);
		return true;
	case L2TP_AVP_MIN_BPS:
		wbuf_put_u32(w, v->min_bps);
		return true;
	case L2TP_AVP_MAX_BPS:
		wbuf_put_u32(w, v->max_bps);
		return true;
	case L2TP_AVP_BEARER_TYPE:
		wbuf_put_u32(w, v->bearer_type);
		return true;
	case L2TP_AVP_FRAMING_TYPE:
		wbuf_put_u32(w, v->framing_type);
		return true;
	case L2TP_AVP_CALLED_NUMBER:
		put_bytes(w, &v->called_number);
		return true;
	case L2TP_AVP_CALLING_NUMBER:
		put_bytes(w, &v->calling_number);
		return true;
	case L2TP_AVP_SUB_ADDRESS:
		put_bytes(w, &v->sub_address);
		return true;
	case L2TP_AVP_TX_CONNECT_SPEED:
		wbuf_put_u32(w, v->tx_speed);
		return true;
	case L2TP_AVP_PHYS_CHANNEL_ID:
		wbuf_put_u32(w, v->phys_channel);
		return true;
	case L2TP_AVP_INITIAL_RCVD_LCP:
		put_bytes(w, &v->initial_rcvd_lcp);
		return true;
	case L2TP_AVP_LAST_SENT_LCP:
		put_bytes(w, &v->last_sent_lcp);
		return true;
	case L2TP_AVP_LAST_RCVD_LCP:
		put_bytes(w, &v->last_rcvd_lcp);
		return true;
	case L2TP_AVP_PROXY_AUTHEN_TYPE:
		wbuf_put_u16(w, v->proxy_authen_type);
		return true;
	case L2TP_AVP_PROXY_AUTHEN_NAME:
		put_bytes(w, &v->proxy_authen_name);
		return true;
	case L2TP_AVP_PROXY_AUTHEN_CHALLENGE:
		put_bytes(w, &v->proxy_authen_challenge);
		return true;
	case L2TP_AVP_PROXY_AUTHEN_ID:
		wbuf_put_u8(w, 0);
		wbuf_put_u8(w, v->proxy_authen_id);
		return true;
	case L2TP_AVP_PROXY_AUTHEN_RESPONSE:
		put_bytes(w, &v->proxy_authen_response);
		return true;
	case L2TP_AVP_CALL_ERRORS:
		wbuf_put_u16(w, 0);
		wbuf_put_u32(w, ce->crc);
		wbuf_put_u32(w, ce->framing);
		wbuf_put_u32(w, ce->hw_overruns);
		wbuf_put_u32(w, ce->buf_overruns);
		wbuf_put_u32(w, ce->timeouts);
		wbuf_put_u32(w, ce->alignment);
		return true;
	case L2TP_AVP_ACCM:
		wbuf_put_u16(w, 0);
		wbuf_put_u32(w, v->accm.send);
		wbuf_put_u32(w, v->accm.recv);
		return true;
	case L2TP_AVP_PRIVATE_GROUP_ID:
		put_bytes(w, &v->private_group);
		return true;
	case L2TP_AVP_RX_CONNECT_SPEED:
		wbuf_put_u32(w, v->rx_speed);
		return true;
	case L2TP_AVP_SEQUENCING_REQUIRED:
		return true;
	default:
		return false;
	}
}

/* One IETF AVP of v, hidden with hide if asked. */
static bool
put_avp(struct wbuf *w, size_t start, uint16_t type,
    const struct l2tp_values *v, const struct l2tp_hide *hide, bool hidden)
{
	const struct l2tp_avp_def *d = l2tp_avp_def(L2TP_VENDOR_IETF, type);
	uint8_t val[L2TP_AVP_MAX_VALUE], enc[L2TP_AVP_MAX_VALUE];
	struct wbuf vw;
	size_t enclen;
	uint16_t flags = d->mandatory ? L2TP_AVP_M : 0;
	bool ok;

	wbuf_init(&vw, val, sizeof(val));
	if (!encode_value(type, v, &vw) || !wbuf_ok(&vw) ||
	    wbuf_len(&vw) < d->min || wbuf_len(&vw) > d->max)
		return false;
	if (!hidden)
		return l2tp_build_avp_raw(w, start, flags, L2TP_VENDOR_IETF,
		    type, val, wbuf_len(&vw));
	/* RFC 2661 4.3 */
	ok = l2tp_hidden_encode(type, hide->secret, hide->secret_len,
	    hide->rv, hide->rv_len, val, wbuf_len(&vw), enc, sizeof(enc),
	    &enclen) && l2tp_build_avp_raw(w, start, flags | L2TP_AVP_H,
	    L2TP_VENDOR_IETF, type, enc, enclen);
	OPENSSL_cleanse(val, sizeof(val));
	return ok;
}

bool
l2tp_build_ctrl(struct wbuf *w, uint16_t tunnel_id, uint16_t session_id,
    uint16_t ns, uint16_t nr, uint16_t type, const struct l2tp_values *v,
    const struct l2tp_hide *hide)
{
	size_t start = wbuf_mark(w);
	uint64_t must, may, hidden;
	uint8_t mt[2] = { (uint8_t)(type >> 8), (uint8_t)type };

	/* RFC 2661 3.1: T, L, S set; Ver 2 */
	wbuf_put_u16(w, L2TP_HDR_T | L2TP_HDR_L | L2TP_HDR_S | L2TP_VERSION);
	wbuf_put_u16(w, 0);
	wbuf_put_u16(w, tunnel_id);
	wbuf_put_u16(w, session_id);
	wbuf_put_u16(w, ns);
	wbuf_put_u16(w, nr);
	patch_length(w, start);
	if (type == L2TP_MSG_ZLB)
		return wbuf_ok(w);
	if (!l2tp_msg_avps(type, &must, &may) || (must & ~v->present) != 0)
		return false;
	/* RFC 2661 4.4.1: Message Type first, M set, never hidden */
	if (!l2tp_build_avp_raw(w, start, L2TP_AVP_M, L2TP_VENDOR_IETF,
	    L2TP_AVP_MESSAGE_TYPE, mt, 2))
		return false;
	hidden = v->hidden & v->present;
	if (hidden & (L2TP_BIT(L2TP_AVP_MESSAGE_TYPE) |
	    L2TP_BIT(L2TP_AVP_RANDOM_VECTOR)))
		return false;
	if (hidden != 0) {
		/* RFC 2661 4.3: a Random Vector before the hidden AVPs */
		if (hide == NULL || hide->secret == NULL ||
		    hide->secret_len == 0 || hide->rv == NULL ||
		    hide->rv_len == 0 || !l2tp_build_avp_raw(w, start,
		    L2TP_AVP_M, L2TP_VENDOR_IETF, L2TP_AVP_RANDOM_VECTOR,
		    hide->rv, hide->rv_len))
			return false;
	} else if (v->present & L2TP_BIT(L2TP_AVP_RANDOM_VECTOR)) {
		if (v->random_vector.len == 0 || !l2tp_build_avp_raw(w, start,
		    L2TP_AVP_M, L2TP_VENDOR_IETF, L2TP_AVP_RANDOM_VECTOR,
		    v->random_vector.p, v->random_vector.len))
			return false;
	}
	for (uint16_t t = 1; t <= L2TP_AVP_MAX; t++) {
		if (t == L2TP_AVP_RANDOM_VECTOR ||
		    !(v->present & L2TP_BIT(t)))
			continue;
		if (l2tp_avp_def(L2TP_VENDOR_IETF, t) == NULL ||
		    !put_avp(w, start, t, v, hide, (hidden & L2TP_BIT(t)) != 0))
			return false;
	}
	return wbuf_ok(w);
}

bool
l2tp_build_data(struct wbuf *w, uint16_t flags, uint16_t tunnel_id,
    uint16_t session_id, uint16_t ns, uint16_t nr, uint16_t offset_size,
    const uint8_t *payload, size_t len)
{
	size_t start = wbuf_mark(w);

	flags &= L2TP_HDR_L | L2TP_HDR_S | L2TP_HDR_O | L2TP_HDR_P;
	wbuf_put_u16(w, flags | L2TP_VERSION);
	if (flags & L2TP_HDR_L)
		wbuf_put_u16(w, 0);
	wbuf_put_u16(w, tunnel_id);
	wbuf_put_u16(w, session_id);
	if (flags & L2TP_HDR_S) {
		wbuf_put_u16(w, ns);
		wbuf_put_u16(w, nr);
	}
	if (flags & L2TP_HDR_O) {
		wbuf_put_u16(w, offset_size);
		wbuf_put_zero(w, offset_size);
	}
	if (len > 0)
		wbuf_put_bytes(w, payload, len);
	if (flags & L2TP_HDR_L)
		patch_length(w, start);
	else if (wbuf_mark(w) - start > L2TP_MAX_MSG)
		return false;
	return wbuf_ok(w);
}

bool
l2tp_build_zlb(struct wbuf *w, uint16_t tunnel_id, uint16_t ns, uint16_t nr)
{
	return l2tp_build_ctrl(w, tunnel_id, 0, ns, nr, L2TP_MSG_ZLB, NULL,
	    NULL);
}

bool
l2tp_build_hello(struct wbuf *w, uint16_t tunnel_id, uint16_t ns,
    uint16_t nr)
{
	struct l2tp_values v;

	memset(&v, 0, sizeof(v));
	return l2tp_build_ctrl(w, tunnel_id, 0, ns, nr, L2TP_MSG_HELLO, &v,
	    NULL);
}

/* Result Code with an error code, and a message if not NULL/empty. */
static void
set_result(struct l2tp_values *v, uint16_t result, uint16_t error,
    const char *message)
{
	v->present |= L2TP_BIT(L2TP_AVP_RESULT_CODE);
	v->result.code = result;
	v->result.has_error = true;
	v->result.error = error;
	if (message != NULL && message[0] != '\0') {
		v->result.message.p = (const uint8_t *)message;
		v->result.message.len = strlen(message);
	}
}

bool
l2tp_build_stopccn(struct wbuf *w, uint16_t tunnel_id, uint16_t ns,
    uint16_t nr, uint16_t our_tunnel_id, uint16_t result, uint16_t error,
    const char *message)
{
	struct l2tp_values v;

	if (our_tunnel_id == 0)
		return false;
	memset(&v, 0, sizeof(v));
	v.present = L2TP_BIT(L2TP_AVP_ASSIGNED_TUNNEL_ID);
	v.tunnel_id = our_tunnel_id;
	set_result(&v, result, error, message);
	return l2tp_build_ctrl(w, tunnel_id, 0, ns, nr, L2TP_MSG_STOPCCN, &v,
	    NULL);
}

bool
l2tp_build_cdn(struct wbuf *w, uint16_t tunnel_id, uint16_t session_id,
    uint16_t ns, uint16_t nr, uint16_t our_session_id, uint16_t result,
    uint16_t error, const char *message)
{
	struct l2tp_values v;

	if (our_session_id == 0)
		return false;
	memset(&v, 0, sizeof(v));
	v.present = L2TP_BIT(L2TP_AVP_ASSIGNED_SESSION_ID);
	v.session_id = our_session_id;
	set_result(&v, result, error, message);
	return l2tp_build_ctrl(w, tunnel_id, session_id, ns, nr, L2TP_MSG_CDN,
	    &v, NULL);
}

bool
l2tp_build_icrp(struct wbuf *w, uint16_t tunnel_id, uint16_t session_id,
    uint16_t ns, uint16_t nr, uint16_t our_session_id)
{
	struct l2tp_values v;

	if (our_session_id == 0)
		return false;
	memset(&v, 0, sizeof(v));
	v.present = L2TP_BIT(L2TP_AVP_ASSIGNED_SESSION_ID);
	v.session_id = our_session_id;
	return l2tp_build_ctrl(w, tunnel_id, session_id, ns, nr,
	    L2TP_MSG_ICRP, &v, NULL);
}

/* Values of an SCCRQ/SCCRP from c. */
static bool
conn_values(const struct l2tp_ctrl_conn *c, struct l2tp_values *v)
{
	memset(v, 0, sizeof(*v));
	if (c->tunnel_id == 0 || c->host_name == NULL ||
	    c->host_name[0] == '\0')
		return false;
	v->present = L2TP_BIT(L2TP_AVP_PROTOCOL_VERSION) |
	    L2TP_BIT(L2TP_AVP_FRAMING_CAP) | L2TP_BIT(L2TP_AVP_HOST_NAME) |
	    L2TP_BIT(L2TP_AVP_ASSIGNED_TUNNEL_ID);
	/* RFC 2661 4.4.3: version 1, revision 0 */
	v->proto_ver = 1;
	v->proto_rev = 0;
	v->framing_cap = c->framing_cap;
	v->host_name.p = (const uint8_t *)c->host_name;
	v->host_name.len = strlen(c->host_name);
	v->tunnel_id = c->tunnel_id;
	if (c->vendor_name != NULL) {
		v->present |= L2TP_BIT(L2TP_AVP_VENDOR_NAME);
		v->vendor_name.p = (const uint8_t *)c->vendor_name;
		v->vendor_name.len = strlen(c->vendor_name);
	}
	if (c->firmware_rev != 0) {
		v->present |= L2TP_BIT(L2TP_AVP_FIRMWARE_REV);
		v->firmware_rev = c->firmware_rev;
	}
	if (c->rws != 0) {
		v->present |= L2TP_BIT(L2TP_AVP_RECV_WINDOW_SIZE);
		v->rws = c->rws;
	}
	if (c->challenge != NULL) {
		v->present |= L2TP_BIT(L2TP_AVP_CHALLENGE);
		v->challenge.p = c->challenge;
		v->challenge.len = c->challenge_len;
	}
	if (c->challenge_response != NULL) {
		v->present |= L2TP_BIT(L2TP_AVP_CHALLENGE_RESPONSE);
		memcpy(v->challenge_response, c->challenge_response, 16);
	}
	return true;
}

bool
l2tp_build_sccrq(struct wbuf *w, uint16_t ns, uint16_t nr,
    const struct l2tp_ctrl_conn *c)
{
	struct l2tp_values v;

	/* RFC 2661 6.1: no Challenge Response in an SCCRQ */
	if (!conn_values(c, &v) || c->challenge_response != NULL)
		return false;
	return l2tp_build_ctrl(w, 0, 0, ns, nr, L2TP_MSG_SCCRQ, &v, NULL);
}

bool
l2tp_build_sccrp(struct wbuf *w, uint16_t tunnel_id, uint16_t ns,
    uint16_t nr, const struct l2tp_ctrl_conn *c)
{
	struct l2tp_values v;

	if (!conn_values(c, &v))
		return false;
	return l2tp_build_ctrl(w, tunnel_id, 0, ns, nr, L2TP_MSG_SCCRP, &v,
	    NULL);
}

bool
l2tp_build_scccn(struct wbuf *w, uint16_t tunnel_id, uint16_t ns,
    uint16_t nr, const uint8_t *challenge_response)
{
	struct l2tp_values v;

	memset(&v, 0, sizeof(v));
	if (challenge_response != NULL) {
		v.present = L2TP_BIT(L2TP_AVP_CHALLENGE_RESPONSE);
		memcpy(v.challenge_response, challenge_response, 16);
	}
	return l2tp_build_ctrl(w, tunnel_id, 0, ns, nr, L2TP_MSG_SCCCN, &v,
	    NULL);
}

bool
l2tp_build_icrq(struct wbuf *w, uint16_t tunnel_id, uint16_t ns,
    uint16_t nr, uint16_t our_session_id, uint32_t call_serial)
{
	struct l2tp_values v;

	if (our_session_id == 0)
		return false;
	memset(&v, 0, sizeof(v));
	v.present = L2TP_BIT(L2TP_AVP_ASSIGNED_SESSION_ID) |
	    L2TP_BIT(L2TP_AVP_CALL_SERIAL);
	v.session_id = our_session_id;
	v.call_serial = call_serial;
	return l2tp_build_ctrl(w, tunnel_id, 0, ns, nr, L2TP_MSG_ICRQ, &v,
	    NULL);
}

bool
l2tp_build_iccn(struct wbuf *w, uint16_t tunnel_id, uint16_t session_id,
    uint16_t ns, uint16_t nr, uint32_t tx_speed, uint32_t framing_type)
{
	struct l2tp_values v;

	memset(&v, 0, sizeof(v));
	v.present = L2TP_BIT(L2TP_AVP_TX_CONNECT_SPEED) |
	    L2TP_BIT(L2TP_AVP_FRAMING_TYPE);
	v.tx_speed = tx_speed;
	v.framing_type = framing_type;
	return l2tp_build_ctrl(w, tunnel_id, session_id, ns, nr,
	    L2TP_MSG_ICCN, &v, NULL);
}
