/*
 * fuzz_l2tp.c - the L2TP codec on arbitrary input: the header parser,
 * the control message parser (AVPs, hidden AVPs with a fixed tunnel
 * secret, the message table), then a rebuild of every accepted message
 * from its parsed values that must succeed, parse again to the same
 * type, and give the same bytes when built a second time from the second
 * parse (build(parse(build(v))) == build(v)). A parse that fails must
 * leave a reason; views must lie inside the datagram or the message's
 * plaintext buffer.
 *
 * A data message's header is rebuilt with l2tp_build_data and must give
 * the input back when it had no reserved bits and a zero offset pad.
 *
 * Input: byte 0 = mode. Bit 0: parse with the tunnel secret
 * "lab-tunnel-secret" (hidden AVPs decode). The rest is the UDP payload.
 * Bit 1 instead: a bare hidden value - 2-byte attribute type, 1-byte
 * Random Vector length, the Random Vector, the hidden bytes - decoded,
 * re-encoded and decoded again to the same plaintext.
 * Seeds: tests/fuzz/corpus/l2tp/ (the unit test vectors and the lab's
 * dial-in, written by L2TP_VECTOR_DIR=... build/tests/unit/test_l2tp).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "l2tpd/l2tp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OUTCAP	(70 * 1024)

static const uint8_t fuzz_secret[] = "lab-tunnel-secret";

static void
check(int cond)
{
	if (!cond)
		abort();
}

/* [p, p + n) inside [lo, lo + len) */
static bool
within(const uint8_t *lo, size_t len, const uint8_t *p, size_t n)
{
	if (n == 0)
		return true;
	return p != NULL && p >= lo && p <= lo + len &&
	    n <= (size_t)(lo + len - p);
}

static void
check_view(const struct l2tp_msg *m, const uint8_t *pkt, size_t len,
    const struct l2tp_bytes *b)
{
	check(within(pkt, len, b->p, b->len) ||
	    within(m->plain, m->plain_len, b->p, b->len));
}

static void
check_msg(const struct l2tp_msg *m, const uint8_t *pkt, size_t len)
{
	const struct l2tp_values *v = &m->v;
	uint64_t must, may;

	check(m->hdr.control);
	check(m->hdr.length + m->hdr.trailing == len);
	check(m->zlb == (m->navp == 0));
	check(m->navp <= L2TP_MAX_AVPS);
	check(m->plain_len <= sizeof(m->plain));
	if (m->zlb)
		return;
	check(l2tp_msg_avps(m->type, &must, &may));
	check((must & ~v->present) == 0);
	check((m->unexpected & (must | may)) == 0);
	check((v->hidden & ~v->present) == 0);
	for (size_t i = 0; i < m->navp; i++) {
		const struct l2tp_avp *a = &m->avp[i];

		check(a->length >= L2TP_AVP_HDR_LEN);
		check(a->offset + a->length <= m->hdr.length);
		check(within(pkt, len, a->value, a->len) ||
		    within(m->plain, m->plain_len, a->value, a->len));
		(void)l2tp_avp_name(a->vendor, a->type);
	}
	check(m->avp[0].type == L2TP_AVP_MESSAGE_TYPE &&
	    m->avp[0].vendor == 0);
	check_view(m, pkt, len, &v->host_name);
	check_view(m, pkt, len, &v->vendor_name);
	check_view(m, pkt, len, &v->challenge);
	check_view(m, pkt, len, &v->result.message);
	check_view(m, pkt, len, &v->q931.advisory);
	check_view(m, pkt, len, &v->called_number);
	check_view(m, pkt, len, &v->calling_number);
	check_view(m, pkt, len, &v->sub_address);
	check_view(m, pkt, len, &v->initial_rcvd_lcp);
	check_view(m, pkt, len, &v->last_sent_lcp);
	check_view(m, pkt, len, &v->last_rcvd_lcp);
	check_view(m, pkt, len, &v->proxy_authen_name);
	check_view(m, pkt, len, &v->proxy_authen_challenge);
	check_view(m, pkt, len, &v->proxy_authen_response);
	check_view(m, pkt, len, &v->random_vector);
	check_view(m, pkt, len, &v->private_group);
	if (v->present & L2TP_BIT(L2TP_AVP_HOST_NAME))
		check(v->host_name.len > 0);
	if (v->present & L2TP_BIT(L2TP_AVP_ASSIGNED_TUNNEL_ID))
		check(v->tunnel_id != 0);
	if (v->present & L2TP_BIT(L2TP_AVP_ASSIGNED_SESSION_ID))
		check(v->session_id != 0);
	if (v->present & L2TP_BIT(L2TP_AVP_RESULT_CODE)) {
		check(v->result.has_error || v->result.message.len == 0);
		(void)l2tp_result_name(m->type, v->result.code);
		(void)l2tp_error_code_name(v->result.error);
	}
	(void)l2tp_msg_type_name(m->type);
	(void)l2tp_msg_scope(m->type);
}

/* build(parse(build(v))) == build(v) */
static void
rebuild_check(const struct l2tp_msg *m, const uint8_t *secret,
    size_t secret_len)
{
	static uint8_t out1[OUTCAP], out2[OUTCAP];
	static struct l2tp_msg m2;
	struct l2tp_hide hide, *hp = NULL;
	struct wbuf w;
	size_t len1;
	enum l2tp_err e;

	if (m->v.hidden != 0) {
		hide.secret = secret;
		hide.secret_len = secret_len;
		hide.rv = m->v.random_vector.p;
		hide.rv_len = m->v.random_vector.len;
		hp = &hide;
	}
	wbuf_init(&w, out1, sizeof(out1));
	if (!l2tp_build_ctrl(&w, m->hdr.tunnel_id, m->hdr.session_id,
	    m->hdr.ns, m->hdr.nr, m->type, &m->v, hp)) {
		/* only a rebuild padded past the largest message may fail */
		check(m->v.hidden != 0 && m->hdr.length >
		    L2TP_MAX_MSG - 16 * L2TP_MAX_AVPS);
		return;
	}
	len1 = wbuf_len(&w);
	e = l2tp_msg_parse(out1, len1, secret, secret_len, &m2);
	check(e == L2TP_OK);
	check(m2.type == m->type && m2.zlb == m->zlb);
	check(m2.v.present == (m->v.present | (m->v.hidden ?
	    L2TP_BIT(L2TP_AVP_RANDOM_VECTOR) : 0)));
	check(m2.v.hidden == m->v.hidden);
	check(m2.nskipped == 0 && m2.hdr.trailing == 0);
	check(m2.hdr.tunnel_id == m->hdr.tunnel_id &&
	    m2.hdr.session_id == m->hdr.session_id &&
	    m2.hdr.ns == m->hdr.ns && m2.hdr.nr == m->hdr.nr);
	if (m->v.hidden != 0) {
		hide.rv = m2.v.random_vector.p;
		hide.rv_len = m2.v.random_vector.len;
	}
	wbuf_init(&w, out2, sizeof(out2));
	check(l2tp_build_ctrl(&w, m2.hdr.tunnel_id, m2.hdr.session_id,
	    m2.hdr.ns, m2.hdr.nr, m2.type, &m2.v, hp));
	check(wbuf_len(&w) == len1);
	check(memcmp(out1, out2, len1) == 0);
	l2tp_msg_wipe(&m2);
}

/* Bit 1: the hidden AVP sub-format on its own. */
static void
hidden_only(const uint8_t *p, size_t len)
{
	static uint8_t plain[L2TP_AVP_MAX_VALUE], enc[L2TP_AVP_MAX_VALUE],
	    again[L2TP_AVP_MAX_VALUE];
	size_t rvlen, plen, elen, alen;
	uint16_t type;
	uint8_t resp[16];

	if (len < 3)
		return;
	type = (uint16_t)(p[0] << 8 | p[1]);
	rvlen = p[2];
	if (len - 3 < rvlen)
		return;
	p += 3;
	len -= 3;
	(void)l2tp_challenge_response((uint8_t)type, fuzz_secret,
	    sizeof(fuzz_secret) - 1, p, rvlen, resp);
	if (!l2tp_hidden_decode(type, fuzz_secret, sizeof(fuzz_secret) - 1,
	    p, rvlen, p + rvlen, len - rvlen, plain, sizeof(plain), &plen))
		return;
	check(plen + 2 <= len - rvlen);
	check(l2tp_hidden_encode(type, fuzz_secret, sizeof(fuzz_secret) - 1,
	    p, rvlen, plain, plen, enc, sizeof(enc), &elen));
	check(elen >= plen + 2 && elen <= L2TP_AVP_MAX_VALUE);
	check(l2tp_hidden_decode(type, fuzz_secret, sizeof(fuzz_secret) - 1,
	    p, rvlen, enc, elen, again, sizeof(again), &alen));
	check(alen == plen && memcmp(again, plain, plen) == 0);
}

/* A data message: the header rebuilt around the same payload. */
static void
data_check(const struct l2tp_hdr *h, const uint8_t *pkt, size_t len)
{
	static uint8_t out[OUTCAP];
	struct wbuf w;
	bool zero_pad = true;
	size_t pad_at;

	check(!h->control);
	wbuf_init(&w, out, sizeof(out));
	check(l2tp_build_data(&w, h->flags, h->tunnel_id, h->session_id,
	    h->ns, h->nr, h->offset_size, rbuf_cur(&h->payload),
	    rbuf_left(&h->payload)));
	check(wbuf_len(&w) == h->length);
	pad_at = h->hdr_len - h->offset_size;
	for (size_t i = pad_at; i < h->hdr_len; i++)
		if (pkt[i] != 0)
			zero_pad = false;
	if ((h->flags & L2TP_HDR_RESERVED) == 0 && zero_pad)
		check(memcmp(out, pkt, h->length) == 0);
	(void)len;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct l2tp_msg m;
	struct l2tp_hdr h;
	const uint8_t *secret = NULL, *pkt;
	size_t secret_len = 0, len;
	char reason[L2TP_REASON_LEN];
	enum l2tp_err e;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		secret = fuzz_secret;
		secret_len = sizeof(fuzz_secret) - 1;
	}
	pkt = data + 1;
	len = size - 1;
	if (data[0] & 2) {
		hidden_only(pkt, len);
		return 0;
	}

	reason[0] = '\0';
	e = l2tp_hdr_parse(pkt, len, &h, reason, sizeof(reason));
	check(l2tp_err_name(e) != NULL);
	if (e == L2TP_OK) {
		check(h.version == L2TP_VERSION);
		check(h.hdr_len <= h.length && h.length + h.trailing == len);
		check(rbuf_left(&h.payload) == h.length - h.hdr_len);
		check(rbuf_cur(&h.payload) == pkt + h.hdr_len);
		if (!h.control)
			data_check(&h, pkt, len);
	} else {
		check(reason[0] != '\0');
	}

	e = l2tp_msg_parse(pkt, len, secret, secret_len, &m);
	if (e != L2TP_OK) {
		check(m.reason[0] != '\0');
		if (e == L2TP_ERR_UNKNOWN_MANDATORY)
			check(m.bad_vendor != 0 || m.bad_type > L2TP_AVP_MAX ||
			    m.bad_type == 20 || m.navp > 0);
		l2tp_msg_wipe(&m);
		return 0;
	}
	check_msg(&m, pkt, len);
	rebuild_check(&m, secret, secret_len);
	l2tp_msg_wipe(&m);
	return 0;
}
