/*
 * test_l2tp.c - the L2TP codec (l2tpd/l2tp.h): every message type built
 * with every AVP it may carry, parsed back and rebuilt byte for byte;
 * every truncation and the +-1 of each length field (header Length,
 * Offset Size, each AVP length); the real dial-in of the lab
 * (tests/vectors/l2tp-dialin.txt); hidden AVP known answers computed by
 * tests/vectors/l2tp_hidden_ref.py (tests/vectors/l2tp-hidden.txt); M-bit
 * handling of unknown and vendor AVPs; the Windows/Apple/Android quirks
 * of /work/shared/research/windows-client.md.
 *
 * Runs from the repository top (reads tests/vectors/). With
 * L2TP_VECTOR_DIR=dir set, the built messages are also written to dir in
 * the fuzz seed format (tests/fuzz/fuzz_l2tp.c: mode byte, datagram).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "l2tpd/l2tp.h"

#define BUFSZ	4096

static const uint8_t secret[] = "lab-tunnel-secret";
#define SECRET_LEN	(sizeof(secret) - 1)
static const uint8_t rv16[16] = {
	0x3c, 0x1d, 0x9e, 0x07, 0x55, 0xa1, 0x42, 0xfe,
	0x10, 0x2b, 0x77, 0xc8, 0x01, 0x93, 0x6e, 0xd4
};

static struct l2tp_msg m, m2;

#define STR(s)	{ (const uint8_t *)(s), sizeof(s) - 1 }

/* A built test message. */
struct vec {
	const char *name;
	uint16_t type;
	uint8_t mode;		/* fuzz seed mode: 1 = parse with secret */
	uint8_t buf[BUFSZ];
	size_t len;
};

static void
dump_vector(const char *name, uint8_t mode, const uint8_t *p, size_t len)
{
	const char *dir = getenv("L2TP_VECTOR_DIR");
	char path[512];
	FILE *f;

	if (dir == NULL)
		return;
	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(&mode, 1, 1, f), 1);
	assert_int_equal(fwrite(p, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/*
 * Values for every message type: all mandatory and all optional AVPs
 * with recognisable contents.
 */
static void
fill_values(uint16_t type, struct l2tp_values *v)
{
	static const uint8_t lcp[] = { 0x01, 0x01, 0x00, 0x0e, 0x01, 0x04,
	    0x05, 0x78, 0x05, 0x06, 0xf6, 0x56, 0x75, 0xe4 };
	static const uint8_t chal[16] = { 0xa5, 0x01, 0x02, 0x03, 0x04,
	    0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e,
	    0x0f };
	uint64_t must, may;

	memset(v, 0, sizeof(*v));
	assert_true(l2tp_msg_avps(type, &must, &may));
	v->present = must | may;
	v->result.code = type == L2TP_MSG_CDN ? L2TP_CDN_ADMIN :
	    L2TP_STOPCCN_SHUTTING_DOWN;
	v->result.has_error = true;
	v->result.error = L2TP_ERROR_TRY_ANOTHER;
	v->result.message = (struct l2tp_bytes)STR("server going down");
	v->proto_ver = 1;
	v->proto_rev = 0;
	v->framing_cap = L2TP_FRAMING_SYNC | L2TP_FRAMING_ASYNC;
	v->bearer_cap = L2TP_BEARER_ANALOG;
	memcpy(v->tie_breaker, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	v->firmware_rev = 0x0a00;
	v->host_name = (struct l2tp_bytes)STR("lns.example.net");
	v->vendor_name = (struct l2tp_bytes)STR("l2tpd");
	v->tunnel_id = 0x3d67;
	v->rws = 8;
	v->challenge = (struct l2tp_bytes){ chal, sizeof(chal) };
	memcpy(v->challenge_response, chal, 16);
	v->challenge_response[0] = 0x5a;
	v->q931.cause = 16;
	v->q931.msg = 0x5a;
	v->q931.advisory = (struct l2tp_bytes)STR("normal clearing");
	v->session_id = 0xb382;
	v->call_serial = 77;
	v->min_bps = 9600;
	v->max_bps = 100000000;
	v->bearer_type = L2TP_BEARER_DIGITAL;
	v->framing_type = L2TP_FRAMING_SYNC;
	v->called_number = (struct l2tp_bytes)STR("1701");
	v->calling_number = (struct l2tp_bytes)STR("192.0.2.2");
	v->sub_address = (struct l2tp_bytes)STR("sub");
	v->tx_speed = 1000000;
	v->phys_channel = 0x01020304;
	v->initial_rcvd_lcp = (struct l2tp_bytes){ lcp, sizeof(lcp) };
	v->last_sent_lcp = (struct l2tp_bytes){ lcp, sizeof(lcp) - 6 };
	v->last_rcvd_lcp = (struct l2tp_bytes){ lcp + 4, sizeof(lcp) - 4 };
	v->proxy_authen_type = L2TP_PROXY_AUTHEN_CHAP;
	v->proxy_authen_name = (struct l2tp_bytes)STR("labuser");
	v->proxy_authen_challenge = (struct l2tp_bytes){ chal, 16 };
	v->proxy_authen_id = 0x2a;
	v->proxy_authen_response = (struct l2tp_bytes){ chal + 1, 15 };
	v->call_errors = (struct l2tp_call_errors){ 1, 2, 3, 4, 5, 6 };
	v->accm.send = 0xffffffff;
	v->accm.recv = 0x000a0000;
	v->private_group = (struct l2tp_bytes)STR("group-7");
	v->rx_speed = 2000000;
}

static void
assert_bytes_equal(const struct l2tp_bytes *a, const struct l2tp_bytes *b)
{
	assert_int_equal(a->len, b->len);
	if (a->len > 0)
		assert_memory_equal(a->p, b->p, a->len);
}

/* Every value the present mask says is there must be equal. */
static void
assert_values_equal(const struct l2tp_values *a, const struct l2tp_values *b)
{
	uint64_t p = a->present & ~L2TP_BIT(L2TP_AVP_RANDOM_VECTOR);

#define HAS(t)	(p & L2TP_BIT(L2TP_AVP_ ## t))
	assert_true(p == (b->present & ~L2TP_BIT(L2TP_AVP_RANDOM_VECTOR)));
	if (HAS(RESULT_CODE)) {
		assert_int_equal(a->result.code, b->result.code);
		assert_int_equal(a->result.has_error, b->result.has_error);
		assert_int_equal(a->result.error, b->result.error);
		assert_bytes_equal(&a->result.message, &b->result.message);
	}
	if (HAS(PROTOCOL_VERSION)) {
		assert_int_equal(a->proto_ver, b->proto_ver);
		assert_int_equal(a->proto_rev, b->proto_rev);
	}
	if (HAS(FRAMING_CAP))
		assert_int_equal(a->framing_cap, b->framing_cap);
	if (HAS(BEARER_CAP))
		assert_int_equal(a->bearer_cap, b->bearer_cap);
	if (HAS(TIE_BREAKER))
		assert_memory_equal(a->tie_breaker, b->tie_breaker, 8);
	if (HAS(FIRMWARE_REV))
		assert_int_equal(a->firmware_rev, b->firmware_rev);
	if (HAS(HOST_NAME)) {
		assert_bytes_equal(&a->host_name, &b->host_name);
		assert_int_equal(a->host_name_nul, b->host_name_nul);
	}
	if (HAS(VENDOR_NAME))
		assert_bytes_equal(&a->vendor_name, &b->vendor_name);
	if (HAS(ASSIGNED_TUNNEL_ID))
		assert_int_equal(a->tunnel_id, b->tunnel_id);
	if (HAS(RECV_WINDOW_SIZE))
		assert_int_equal(a->rws, b->rws);
	if (HAS(CHALLENGE))
		assert_bytes_equal(&a->challenge, &b->challenge);
	if (HAS(CHALLENGE_RESPONSE))
		assert_memory_equal(a->challenge_response,
		    b->challenge_response, 16);
	if (HAS(Q931_CAUSE)) {
		assert_int_equal(a->q931.cause, b->q931.cause);
		assert_int_equal(a->q931.msg, b->q931.msg);
		assert_bytes_equal(&a->q931.advisory, &b->q931.advisory);
	}
	if (HAS(ASSIGNED_SESSION_ID))
		assert_int_equal(a->session_id, b->session_id);
	if (HAS(CALL_SERIAL))
		assert_int_equal(a->call_serial, b->call_serial);
	if (HAS(MIN_BPS))
		assert_int_equal(a->min_bps, b->min_bps);
	if (HAS(MAX_BPS))
		assert_int_equal(a->max_bps, b->max_bps);
	if (HAS(BEARER_TYPE))
		assert_int_equal(a->bearer_type, b->bearer_type);
	if (HAS(FRAMING_TYPE))
		assert_int_equal(a->framing_type, b->framing_type);
	if (HAS(CALLED_NUMBER))
		assert_bytes_equal(&a->called_number, &b->called_number);
	if (HAS(CALLING_NUMBER))
		assert_bytes_equal(&a->calling_number, &b->calling_number);
	if (HAS(SUB_ADDRESS))
		assert_bytes_equal(&a->sub_address, &b->sub_address);
	if (HAS(TX_CONNECT_SPEED))
		assert_int_equal(a->tx_speed, b->tx_speed);
	if (HAS(PHYS_CHANNEL_ID))
		assert_int_equal(a->phys_channel, b->phys_channel);
	if (HAS(INITIAL_RCVD_LCP))
		assert_bytes_equal(&a->initial_rcvd_lcp, &b->initial_rcvd_lcp);
	if (HAS(LAST_SENT_LCP))
		assert_bytes_equal(&a->last_sent_lcp, &b->last_sent_lcp);
	if (HAS(LAST_RCVD_LCP))
		assert_bytes_equal(&a->last_rcvd_lcp, &b->last_rcvd_lcp);
	if (HAS(PROXY_AUTHEN_TYPE))
		assert_int_equal(a->proxy_authen_type, b->proxy_authen_type);
	if (HAS(PROXY_AUTHEN_NAME))
		assert_bytes_equal(&a->proxy_authen_name,
		    &b->proxy_authen_name);
	if (HAS(PROXY_AUTHEN_CHALLENGE))
		assert_bytes_equal(&a->proxy_authen_challenge,
		    &b->proxy_authen_challenge);
	if (HAS(PROXY_AUTHEN_ID))
		assert_int_equal(a->proxy_authen_id, b->proxy_authen_id);
	if (HAS(PROXY_AUTHEN_RESPONSE))
		assert_bytes_equal(&a->proxy_authen_response,
		    &b->proxy_authen_response);
	if (HAS(CALL_ERRORS))
		assert_memory_equal(&a->call_errors, &b->call_errors,
		    sizeof(a->call_errors));
	if (HAS(ACCM)) {
		assert_int_equal(a->accm.send, b->accm.send);
		assert_int_equal(a->accm.recv, b->accm.recv);
	}
	if (HAS(PRIVATE_GROUP_ID))
		assert_bytes_equal(&a->private_group, &b->private_group);
	if (HAS(RX_CONNECT_SPEED))
		assert_int_equal(a->rx_speed, b->rx_speed);
#undef HAS
}

static const uint16_t all_types[] = {
	L2TP_MSG_SCCRQ, L2TP_MSG_SCCRP, L2TP_MSG_SCCCN, L2TP_MSG_STOPCCN,
	L2TP_MSG_HELLO, L2TP_MSG_OCRQ, L2TP_MSG_OCRP, L2TP_MSG_OCCN,
	L2TP_MSG_ICRQ, L2TP_MSG_ICRP, L2TP_MSG_ICCN, L2TP_MSG_CDN,
	L2TP_MSG_WEN, L2TP_MSG_SLI,
};
#define NTYPES	(sizeof(all_types) / sizeof(all_types[0]))

static void
build_full(uint16_t type, struct vec *v)
{
	struct l2tp_values vals;
	struct wbuf w;

	fill_values(type, &vals);
	wbuf_init(&w, v->buf, sizeof(v->buf));
	assert_true(l2tp_build_ctrl(&w, 0x5698, l2tp_msg_scope(type) ==
	    L2TP_SCOPE_SESSION ? 0xd9cf : 0, 3, 2, type, &vals, NULL));
	v->len = wbuf_len(&w);
	v->type = type;
	v->mode = 0;
	v->name = l2tp_msg_type_name(type);
}

/* Parse, compare with the values, rebuild from the parse: same bytes. */
static void
test_round_trip(void **state)
{
	struct l2tp_values vals;
	struct vec v;
	uint8_t out[BUFSZ];
	struct wbuf w;
	char name[64];

	(void)state;
	for (size_t i = 0; i < NTYPES; i++) {
		build_full(all_types[i], &v);
		fill_values(all_types[i], &vals);
		assert_int_equal(l2tp_msg_parse(v.buf, v.len, NULL, 0, &m),
		    L2TP_OK);
		assert_int_equal(m.type, all_types[i]);
		assert_false(m.zlb);
		assert_int_equal(m.hdr.tunnel_id, 0x5698);
		assert_int_equal(m.hdr.ns, 3);
		assert_int_equal(m.hdr.nr, 2);
		assert_int_equal(m.hdr.length, v.len);
		assert_int_equal(m.unexpected, 0);
		assert_int_equal(m.nskipped, 0);
		assert_int_equal(m.navp, 1 + (size_t)__builtin_popcountll(
		    vals.present));
		assert_values_equal(&vals, &m.v);
		/* the M bits of RFC 2661 4.4 */
		for (size_t k = 0; k < m.navp; k++) {
			bool mand = true;

			switch (m.avp[k].type) {
			case L2TP_AVP_TIE_BREAKER:
			case L2TP_AVP_FIRMWARE_REV:
			case L2TP_AVP_VENDOR_NAME:
			case L2TP_AVP_PHYS_CHANNEL_ID:
			case L2TP_AVP_RX_CONNECT_SPEED:
			case L2TP_AVP_PRIVATE_GROUP_ID:
				mand = false;
				break;
			default:
				mand = m.avp[k].type <
				    L2TP_AVP_INITIAL_RCVD_LCP ||
				    m.avp[k].type >
				    L2TP_AVP_PROXY_AUTHEN_RESPONSE;
			}
			assert_int_equal(m.avp[k].mandatory, mand);
		}
		wbuf_init(&w, out, sizeof(out));
		assert_true(l2tp_build_ctrl(&w, m.hdr.tunnel_id,
		    m.hdr.session_id, m.hdr.ns, m.hdr.nr, m.type, &m.v, NULL));
		assert_int_equal(wbuf_len(&w), v.len);
		assert_memory_equal(out, v.buf, v.len);
		(void)snprintf(name, sizeof(name), "full-%s", v.name);
		dump_vector(name, 0, v.buf, v.len);
	}
	/* ZLB */
	wbuf_init(&w, out, sizeof(out));
	assert_true(l2tp_build_zlb(&w, 41228, 1, 2));
	assert_int_equal(wbuf_len(&w), L2TP_CTRL_HDR_LEN);
	assert_int_equal(l2tp_msg_parse(out, wbuf_len(&w), NULL, 0, &m),
	    L2TP_OK);
	assert_true(m.zlb);
	assert_int_equal(m.type, L2TP_MSG_ZLB);
	assert_int_equal(m.hdr.tunnel_id, 41228);
	assert_int_equal(m.navp, 0);
	dump_vector("zlb", 0, out, wbuf_len(&w));
}

/* Each length of a built message shorter than itself is refused. */
static void
test_truncation(void **state)
{
	struct vec v;

	(void)state;
	for (size_t i = 0; i < NTYPES; i++) {
		build_full(all_types[i], &v);
		for (size_t n = 0; n < v.len; n++) {
			enum l2tp_err e = l2tp_msg_parse(v.buf, n, NULL, 0, &m);

			assert_int_not_equal(e, L2TP_OK);
			if (n < L2TP_CTRL_HDR_LEN)
				assert_int_equal(e, L2TP_ERR_TRUNCATED);
			else
				assert_int_equal(e, L2TP_ERR_LENGTH);
			assert_true(strlen(m.reason) > 0);
		}
		/* and with Length saying so, the AVP chain is cut */
		assert_int_equal(l2tp_msg_parse(v.buf, v.len, NULL, 0, &m2),
		    L2TP_OK);
		for (size_t n = L2TP_CTRL_HDR_LEN; n < v.len; n++) {
			enum l2tp_err e;
			bool boundary = false;

			for (size_t k = 0; k < m2.navp; k++)
				if (m2.avp[k].offset == n)
					boundary = true;

			v.buf[2] = (uint8_t)(n >> 8);
			v.buf[3] = (uint8_t)n;
			e = l2tp_msg_parse(v.buf, v.len, NULL, 0, &m);
			if (n == L2TP_CTRL_HDR_LEN) {
				/* nothing left: a ZLB, trailing bytes */
				assert_int_equal(e, L2TP_OK);
				assert_true(m.zlb);
				assert_int_equal(m.hdr.trailing, v.len - n);
				continue;
			}
			if (boundary)
				assert_true(e == L2TP_OK ||
				    e == L2TP_ERR_MISSING_AVP);
			else
				assert_int_not_equal(e, L2TP_OK);
		}
	}
}

/* The header Length at -1/0/+1 and trailing datagram bytes. */
static void
test_hdr_length(void **state)
{
	struct vec v;
	uint8_t big[BUFSZ + 1];

	(void)state;
	build_full(L2TP_MSG_SCCRQ, &v);
	memcpy(big, v.buf, v.len);
	big[v.len] = 0xee;
	assert_int_equal(l2tp_msg_parse(big, v.len + 1, NULL, 0, &m),
	    L2TP_OK);
	assert_int_equal(m.hdr.trailing, 1);
	assert_int_equal(m.hdr.length, v.len);
	/* +1: past the datagram */
	big[3]++;
	assert_int_equal(l2tp_msg_parse(big, v.len, NULL, 0, &m),
	    L2TP_ERR_LENGTH);
	assert_non_null(strstr(m.reason, "Length"));
	/* -1: the last AVP is cut */
	big[3] = (uint8_t)(v.len - 1);
	big[2] = (uint8_t)((v.len - 1) >> 8);
	assert_int_equal(l2tp_msg_parse(big, v.len, NULL, 0, &m),
	    L2TP_ERR_AVP_LENGTH);
	/* below the header */
	big[2] = 0;
	big[3] = L2TP_CTRL_HDR_LEN - 1;
	assert_int_equal(l2tp_msg_parse(big, v.len, NULL, 0, &m),
	    L2TP_ERR_LENGTH);
	big[3] = 0;
	assert_int_equal(l2tp_msg_parse(big, v.len, NULL, 0, &m),
	    L2TP_ERR_LENGTH);
}

/*
 * Each AVP's length at -1 and +1 (the datagram and header Length kept
 * consistent, so only the AVP chain is wrong), and at 0..5.
 */
static void
test_avp_length(void **state)
{
	struct vec v;
	uint8_t tmp[BUFSZ];

	(void)state;
	for (size_t i = 0; i < NTYPES; i++) {
		build_full(all_types[i], &v);
		assert_int_equal(l2tp_msg_parse(v.buf, v.len, NULL, 0, &m),
		    L2TP_OK);
		for (size_t k = 0; k < m.navp; k++) {
			size_t off = m.avp[k].offset;
			uint16_t f = (uint16_t)(v.buf[off] << 8 |
			    v.buf[off + 1]);
			uint16_t len = f & L2TP_AVP_LEN_MASK;
			enum l2tp_err e;

			for (int d = -1; d <= 1; d += 2) {
				uint16_t nf = (uint16_t)((f &
				    ~L2TP_AVP_LEN_MASK) | (uint16_t)(len + d));

				memcpy(tmp, v.buf, v.len);
				tmp[off] = (uint8_t)(nf >> 8);
				tmp[off + 1] = (uint8_t)nf;
				e = l2tp_msg_parse(tmp, v.len, NULL, 0, &m2);
				assert_int_not_equal(e, L2TP_OK);
				if (k + 1 == m.navp && d > 0)
					assert_int_equal(e,
					    L2TP_ERR_AVP_LENGTH);
				assert_non_null(strstr(m2.reason, "offset"));
			}
			for (uint16_t bad = 0; bad < L2TP_AVP_HDR_LEN; bad++) {
				memcpy(tmp, v.buf, v.len);
				tmp[off + 1] = (uint8_t)bad;
				tmp[off] &= 0xfc;
				assert_int_equal(l2tp_msg_parse(tmp, v.len,
				    NULL, 0, &m2), L2TP_ERR_AVP_LENGTH);
			}
		}
	}
}

/* Value sizes of fixed-size AVPs at -1 and +1: built as the last AVP. */
static void
test_avp_value_sizes(void **state)
{
	static const uint8_t zeros[32];
	uint8_t buf[BUFSZ];
	struct wbuf w;
	struct l2tp_values v;

	(void)state;
	memset(&v, 0, sizeof(v));
	for (uint16_t t = 1; t <= L2TP_AVP_MAX; t++) {
		static const size_t fixed[L2TP_AVP_MAX + 1] = {
			[2] = 2, [3] = 4, [4] = 4, [5] = 8, [6] = 2, [9] = 2,
			[10] = 2, [13] = 16, [14] = 2, [15] = 4, [16] = 4,
			[17] = 4, [18] = 4, [19] = 4, [24] = 4, [25] = 4,
			[29] = 2, [32] = 2, [34] = 26, [35] = 10, [38] = 4,
		};
		size_t want = fixed[t];

		if (want == 0)
			continue;
		for (size_t len = want - 1; len <= want + 1; len++) {
			enum l2tp_err e;

			wbuf_init(&w, buf, sizeof(buf));
			assert_true(l2tp_build_hello(&w, 1, 0, 0));
			assert_true(l2tp_build_avp_raw(&w, 0, L2TP_AVP_M, 0, t,
			    "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c"
			    "\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18"
			    "\x19\x1a\x1b\x1c", len));
			e = l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m);
			if (len == want) {
				assert_int_equal(e, L2TP_OK);
				assert_true(m.unexpected & L2TP_BIT(t));
			} else {
				assert_int_equal(e, L2TP_ERR_AVP_VALUE);
				assert_non_null(strstr(m.reason,
				    l2tp_avp_name(0, t)));
			}
		}
	}
	/* Sequencing Required has no value */
	wbuf_init(&w, buf, sizeof(buf));
	assert_true(l2tp_build_hello(&w, 1, 0, 0));
	assert_true(l2tp_build_avp_raw(&w, 0, L2TP_AVP_M, 0,
	    L2TP_AVP_SEQUENCING_REQUIRED, zeros, 1));
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_ERR_AVP_VALUE);
	/* ids of 0, window 0, empty host name, Q.931 of 2, result of 3 */
	{
		static const struct {
			uint16_t type;
			size_t len;
		} bad[] = {
			{ L2TP_AVP_ASSIGNED_TUNNEL_ID, 2 },
			{ L2TP_AVP_ASSIGNED_SESSION_ID, 2 },
			{ L2TP_AVP_RECV_WINDOW_SIZE, 2 },
			{ L2TP_AVP_HOST_NAME, 0 },
			{ L2TP_AVP_HOST_NAME, 1 },	/* just a NUL */
			{ L2TP_AVP_Q931_CAUSE, 2 },
			{ L2TP_AVP_RESULT_CODE, 3 },
			{ L2TP_AVP_RESULT_CODE, 1 },
			{ L2TP_AVP_CHALLENGE, 0 },
			{ L2TP_AVP_RANDOM_VECTOR, 0 },
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			wbuf_init(&w, buf, sizeof(buf));
			assert_true(l2tp_build_hello(&w, 1, 0, 0));
			assert_true(l2tp_build_avp_raw(&w, 0, L2TP_AVP_M, 0,
			    bad[i].type, zeros, bad[i].len));
			assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w),
			    NULL, 0, &m), L2TP_ERR_AVP_VALUE);
		}
	}
	/* the largest AVP */
	{
		uint8_t big[L2TP_AVP_MAX_VALUE];

		memset(big, 'a', sizeof(big));
		wbuf_init(&w, buf, sizeof(buf));
		assert_true(l2tp_build_hello(&w, 1, 0, 0));
		assert_true(l2tp_build_avp_raw(&w, 0, 0, 0,
		    L2TP_AVP_VENDOR_NAME, big, sizeof(big)));
		assert_false(l2tp_build_avp_raw(&w, 0, 0, 0,
		    L2TP_AVP_VENDOR_NAME, big, sizeof(big) + 1));
		assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0,
		    &m), L2TP_OK);
		assert_int_equal(m.v.vendor_name.len, L2TP_AVP_MAX_VALUE);
		assert_int_equal(m.avp[1].length, L2TP_AVP_MAX_LEN);
	}
}

/* RFC 2661 6: each mandatory AVP of each message type left out. */
static void
test_missing_avps(void **state)
{
	struct l2tp_values vals;
	uint8_t buf[BUFSZ];
	struct wbuf w;
	uint64_t must, may;

	(void)state;
	for (size_t i = 0; i < NTYPES; i++) {
		assert_true(l2tp_msg_avps(all_types[i], &must, &may));
		assert_int_equal(must & may, 0);
		for (unsigned int t = 0; t <= L2TP_AVP_MAX; t++) {
			if (!(must & L2TP_BIT(t)))
				continue;
			fill_values(all_types[i], &vals);
			vals.present &= ~L2TP_BIT(t);
			wbuf_init(&w, buf, sizeof(buf));
			/* the builder refuses */
			assert_false(l2tp_build_ctrl(&w, 1, 1, 0, 0,
			    all_types[i], &vals, NULL));
			/* a peer's message without it: built by hand */
			wbuf_init(&w, buf, sizeof(buf));
			vals.present |= L2TP_BIT(t);
			assert_true(l2tp_build_ctrl(&w, 1, 1, 0, 0,
			    all_types[i], &vals, NULL));
			assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w),
			    NULL, 0, &m), L2TP_OK);
			/* drop AVP t by rebuilding with raw copies */
			{
				uint8_t out[BUFSZ];
				struct wbuf o;

				wbuf_init(&o, out, sizeof(out));
				wbuf_put_bytes(&o, buf, L2TP_CTRL_HDR_LEN);
				for (size_t k = 0; k < m.navp; k++) {
					if (m.avp[k].type == t)
						continue;
					wbuf_put_bytes(&o, buf +
					    m.avp[k].offset, m.avp[k].length);
				}
				wbuf_patch_u16(&o, 2, (uint16_t)wbuf_len(&o));
				assert_true(wbuf_ok(&o));
				assert_int_equal(l2tp_msg_parse(out,
				    wbuf_len(&o), NULL, 0, &m2),
				    L2TP_ERR_MISSING_AVP);
				assert_non_null(strstr(m2.reason,
				    l2tp_avp_name(0, (uint16_t)t)));
				assert_non_null(strstr(m2.reason,
				    l2tp_msg_type_name(all_types[i])));
			}
		}
	}
	assert_false(l2tp_msg_avps(5, &must, &may));
	assert_false(l2tp_msg_avps(13, &must, &may));
	assert_false(l2tp_msg_avps(17, &must, &may));
	assert_false(l2tp_msg_avps(0, &must, &may));
}

/* One line of tests/vectors/l2tp-dialin.txt */
struct sample {
	char cas[32], from[8], what[8];
	uint8_t p[BUFSZ];
	size_t len;
};

static size_t
hex_decode(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	unsigned int b;

	while (hex[0] != '\0' && hex[0] != '\n' && hex[1] != '\0') {
		assert_true(n < cap);
		assert_int_equal(sscanf(hex, "%2x", &b), 1);
		out[n++] = (uint8_t)b;
		hex += 2;
	}
	return n;
}

static size_t
read_samples(struct sample *s, size_t max)
{
	FILE *f = fopen("tests/vectors/l2tp-dialin.txt", "r");
	static char line[2 * BUFSZ + 128];
	char hex[2 * BUFSZ + 1];
	size_t n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		assert_true(n < max);
		assert_int_equal(sscanf(line, "%31s %7s %7s %8192s", s[n].cas,
		    s[n].from, s[n].what, hex), 4);
		s[n].len = hex_decode(hex, s[n].p, sizeof(s[n].p));
		n++;
	}
	assert_int_equal(fclose(f), 0);
	return n;
}

static uint16_t
type_of(const char *what)
{
	for (uint16_t t = 0; t <= L2TP_MSG_MAX; t++) {
		const char *n = l2tp_msg_type_name(t);

		if (strcasecmp(n, what) == 0)
			return t;
	}
	fail_msg("no type %s", what);
	return 0;
}

/* The real dial-in: every message parses, values as xl2tpd sent them. */
static void
test_dialin(void **state)
{
	static struct sample s[40];
	size_t n = read_samples(s, 40), nctrl = 0, ndata = 0;
	uint8_t out[BUFSZ];
	struct wbuf w;
	struct l2tp_hdr h;
	char name[96];

	(void)state;
	assert_true(n >= 20);
	for (size_t i = 0; i < n; i++) {
		(void)snprintf(name, sizeof(name), "dialin-%.31s-%02zu-%.7s",
		    s[i].cas, i, s[i].what);
		dump_vector(name, 0, s[i].p, s[i].len);
		if (strcmp(s[i].what, "data") == 0) {
			ndata++;
			assert_int_equal(l2tp_hdr_parse(s[i].p, s[i].len, &h,
			    NULL, 0), L2TP_OK);
			assert_false(h.control);
			assert_false(h.has_length);
			assert_int_equal(h.hdr_len, L2TP_DATA_HDR_MIN);
			/* PPP in HDLC-like framing: ff 03 c0 21 (LCP) */
			assert_int_equal(rbuf_left(&h.payload),
			    s[i].len - L2TP_DATA_HDR_MIN);
			assert_memory_equal(rbuf_cur(&h.payload),
			    "\xff\x03\xc0\x21", 4);
			assert_int_equal(l2tp_msg_parse(s[i].p, s[i].len,
			    NULL, 0, &m), L2TP_ERR_DATA_MSG);
			/* data truncations: header refused, payload cut */
			for (size_t k = 0; k < s[i].len; k++) {
				enum l2tp_err e = l2tp_hdr_parse(s[i].p, k,
				    &h, NULL, 0);

				if (k < L2TP_DATA_HDR_MIN) {
					assert_int_equal(e,
					    L2TP_ERR_TRUNCATED);
				} else {
					assert_int_equal(e, L2TP_OK);
					assert_int_equal(rbuf_left(&h.payload),
					    k - L2TP_DATA_HDR_MIN);
				}
			}
			/* the same data message rebuilt */
			wbuf_init(&w, out, sizeof(out));
			assert_true(l2tp_build_data(&w, 0, s[i].p[2] << 8 |
			    s[i].p[3], s[i].p[4] << 8 | s[i].p[5], 0, 0, 0,
			    s[i].p + 6, s[i].len - 6));
			assert_int_equal(wbuf_len(&w), s[i].len);
			assert_memory_equal(out, s[i].p, s[i].len);
			continue;
		}
		nctrl++;
		assert_int_equal(l2tp_msg_parse(s[i].p, s[i].len, NULL, 0, &m),
		    L2TP_OK);
		assert_int_equal(m.type, type_of(s[i].what));
		assert_int_equal(m.unexpected, 0);
		assert_int_equal(m.nskipped, 0);
		for (size_t k = 0; k < s[i].len; k++)
			assert_int_not_equal(l2tp_msg_parse(s[i].p, k, NULL, 0,
			    &m2), L2TP_OK);
		/* rebuilt from the values: xl2tpd orders AVPs like us but
		 * for ICCN (Tx Connect Speed before Framing Type) */
		wbuf_init(&w, out, sizeof(out));
		assert_true(l2tp_build_ctrl(&w, m.hdr.tunnel_id,
		    m.hdr.session_id, m.hdr.ns, m.hdr.nr, m.type, &m.v, NULL));
		assert_int_equal(wbuf_len(&w), s[i].len);
		if (m.type != L2TP_MSG_ICCN)
			assert_memory_equal(out, s[i].p, s[i].len);
		assert_int_equal(l2tp_msg_parse(out, wbuf_len(&w), NULL, 0,
		    &m2), L2TP_OK);
		assert_values_equal(&m.v, &m2.v);
	}
	assert_int_equal(nctrl, 18);
	assert_true(ndata >= 4);

	/* direct-strongswan, first line: the SCCRQ of xl2tpd 1.3 */
	assert_int_equal(l2tp_msg_parse(s[0].p, s[0].len, NULL, 0, &m),
	    L2TP_OK);
	assert_int_equal(m.type, L2TP_MSG_SCCRQ);
	assert_int_equal(m.hdr.tunnel_id, 0);
	assert_int_equal(m.hdr.ns, 0);
	assert_int_equal(m.hdr.nr, 0);
	assert_int_equal(m.v.proto_ver, 1);
	assert_int_equal(m.v.proto_rev, 0);
	assert_int_equal(m.v.framing_cap, 3);
	assert_int_equal(m.v.bearer_cap, 0);
	assert_int_equal(m.v.firmware_rev, 0x0690);
	assert_int_equal(m.v.host_name.len, 6);
	assert_memory_equal(m.v.host_name.p, "client", 6);
	assert_false(m.v.host_name_nul);
	assert_int_equal(m.v.vendor_name.len, 13);
	assert_memory_equal(m.v.vendor_name.p, "xelerance.com", 13);
	assert_int_equal(m.v.tunnel_id, 41228);
	assert_int_equal(m.v.rws, 4);
	assert_false(m.avp[4].mandatory);	/* Firmware Revision */
	/* SCCRP from the LNS */
	assert_int_equal(l2tp_msg_parse(s[1].p, s[1].len, NULL, 0, &m),
	    L2TP_OK);
	assert_int_equal(m.hdr.tunnel_id, 41228);
	assert_int_equal(m.v.tunnel_id, 15719);
	/* ICRQ, ICRP, ICCN */
	assert_int_equal(l2tp_msg_parse(s[4].p, s[4].len, NULL, 0, &m),
	    L2TP_OK);
	assert_int_equal(m.type, L2TP_MSG_ICRQ);
	assert_int_equal(m.v.session_id, 2490);
	assert_int_equal(m.v.call_serial, 1);
	assert_true(m.v.present & L2TP_BIT(L2TP_AVP_BEARER_TYPE));
	assert_int_equal(l2tp_msg_parse(s[5].p, s[5].len, NULL, 0, &m),
	    L2TP_OK);
	assert_int_equal(m.type, L2TP_MSG_ICRP);
	assert_int_equal(m.hdr.session_id, 2490);
	assert_int_equal(m.v.session_id, 45954);
	assert_int_equal(l2tp_msg_parse(s[7].p, s[7].len, NULL, 0, &m),
	    L2TP_OK);
	assert_int_equal(m.type, L2TP_MSG_ICCN);
	assert_int_equal(m.v.tx_speed, 0);
	assert_int_equal(m.v.framing_type, L2TP_FRAMING_SYNC);
	assert_true(m.v.present & L2TP_BIT(L2TP_AVP_RX_CONNECT_SPEED));
	/* our ICRP and ZLB builders write what xl2tpd wrote */
	wbuf_init(&w, out, sizeof(out));
	assert_true(l2tp_build_icrp(&w, 41228, 2490, 1, 3, 45954));
	assert_int_equal(wbuf_len(&w), s[5].len);
	assert_memory_equal(out, s[5].p, s[5].len);
	wbuf_init(&w, out, sizeof(out));
	assert_true(l2tp_build_zlb(&w, 41228, 1, 2));
	assert_int_equal(wbuf_len(&w), s[3].len);
	assert_memory_equal(out, s[3].p, s[3].len);
}

/* A line "key value" of tests/vectors/l2tp-hidden.txt. */
struct hcase {
	char name[64];
	uint16_t type;
	uint8_t secret[64], rv[64], value[128], hidden[160], avp[170];
	size_t secret_len, rv_len, value_len, hidden_len, avp_len;
	bool padded;
};

static size_t
read_hidden(struct hcase *c, size_t max)
{
	FILE *f = fopen("tests/vectors/l2tp-hidden.txt", "r");
	char key[16], val[400], line[512];
	size_t n = 0;
	unsigned int u;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#')
			continue;
		if (line[0] == '\n') {
			continue;
		}
		val[0] = '\0';
		assert_true(sscanf(line, "%15s %399s", key, val) >= 1);
		if (strcmp(key, "name") == 0) {
			assert_true(n < max);
			memset(&c[n], 0, sizeof(c[n]));
			(void)snprintf(c[n].name, sizeof(c[n].name), "%s", val);
			n++;
			continue;
		}
		assert_true(n > 0);
		if (strcmp(key, "type") == 0) {
			assert_int_equal(sscanf(val, "%u", &u), 1);
			c[n - 1].type = (uint16_t)u;
		} else if (strcmp(key, "padded") == 0) {
			c[n - 1].padded = val[0] == '1';
		} else if (strcmp(key, "secret") == 0) {
			c[n - 1].secret_len = hex_decode(val, c[n - 1].secret,
			    sizeof(c[n - 1].secret));
		} else if (strcmp(key, "rv") == 0) {
			c[n - 1].rv_len = hex_decode(val, c[n - 1].rv,
			    sizeof(c[n - 1].rv));
		} else if (strcmp(key, "value") == 0) {
			c[n - 1].value_len = hex_decode(val, c[n - 1].value,
			    sizeof(c[n - 1].value));
		} else if (strcmp(key, "hidden") == 0) {
			c[n - 1].hidden_len = hex_decode(val, c[n - 1].hidden,
			    sizeof(c[n - 1].hidden));
		} else if (strcmp(key, "avp") == 0) {
			c[n - 1].avp_len = hex_decode(val, c[n - 1].avp,
			    sizeof(c[n - 1].avp));
		} else {
			fail_msg("unknown key %s", key);
		}
	}
	assert_int_equal(fclose(f), 0);
	return n;
}

/* HELLO + Random Vector + the hidden AVP of the reference. */
static size_t
hello_with(const struct hcase *c, uint8_t *buf, size_t cap, bool with_rv)
{
	struct wbuf w;

	wbuf_init(&w, buf, cap);
	assert_true(l2tp_build_hello(&w, 7, 0, 0));
	if (with_rv)
		assert_true(l2tp_build_avp_raw(&w, 0, L2TP_AVP_M, 0,
		    L2TP_AVP_RANDOM_VECTOR, c->rv, c->rv_len));
	wbuf_put_bytes(&w, c->avp, c->avp_len);
	wbuf_patch_u16(&w, 2, (uint16_t)wbuf_len(&w));
	assert_true(wbuf_ok(&w));
	return wbuf_len(&w);
}

/* RFC 2661 4.3 known answers from l2tp_hidden_ref.py. */
static void
test_hidden_kat(void **state)
{
	static struct hcase c[16];
	size_t n = read_hidden(c, 16), len, outlen;
	uint8_t out[BUFSZ], buf[BUFSZ];
	char name[96];

	(void)state;
	assert_int_equal(n, 7);
	for (size_t i = 0; i < n; i++) {
		assert_true(l2tp_hidden_decode(c[i].type, c[i].secret,
		    c[i].secret_len, c[i].rv, c[i].rv_len, c[i].hidden,
		    c[i].hidden_len, out, sizeof(out), &outlen));
		assert_int_equal(outlen, c[i].value_len);
		if (outlen > 0)
			assert_memory_equal(out, c[i].value, outlen);
		if (c[i].padded) {
			assert_true(l2tp_hidden_encode(c[i].type, c[i].secret,
			    c[i].secret_len, c[i].rv, c[i].rv_len, c[i].value,
			    c[i].value_len, out, sizeof(out), &outlen));
			assert_int_equal(outlen, c[i].hidden_len);
			assert_memory_equal(out, c[i].hidden, outlen);
		}
		/* the other type number gives another stream */
		if (l2tp_hidden_decode((uint16_t)(c[i].type + 1), c[i].secret,
		    c[i].secret_len, c[i].rv, c[i].rv_len, c[i].hidden,
		    c[i].hidden_len, out, sizeof(out), &outlen))
			assert_true(outlen != c[i].value_len || (outlen > 0 &&
			    memcmp(out, c[i].value, outlen) != 0));

		/* in a message */
		len = hello_with(&c[i], buf, sizeof(buf), true);
		(void)snprintf(name, sizeof(name), "hidden-%s", c[i].name);
		dump_vector(name, 1, buf, len);
		{
			assert_int_equal(l2tp_msg_parse(buf, len, secret,
			    0, &m), L2TP_ERR_HIDDEN);
			assert_non_null(strstr(m.reason, "no tunnel secret"));
			assert_int_equal(l2tp_msg_parse(buf, len, c[i].secret,
			    c[i].secret_len, &m), L2TP_OK);
			assert_true(m.v.hidden & L2TP_BIT(c[i].type));
			assert_true(m.avp[2].hidden);
			assert_int_equal(m.avp[2].len, c[i].value_len);
			if (c[i].value_len > 0)
				assert_memory_equal(m.avp[2].value,
				    c[i].value, c[i].value_len);
			assert_true(m.plain_len >= c[i].value_len);
			l2tp_msg_wipe(&m);
			assert_int_equal(m.plain_len, 0);
			for (size_t k = 0; k < sizeof(m.plain); k++)
				assert_int_equal(m.plain[k], 0);
		}
		/* without the Random Vector */
		len = hello_with(&c[i], buf, sizeof(buf), false);
		assert_int_equal(l2tp_msg_parse(buf, len, c[i].secret,
		    c[i].secret_len, &m), L2TP_ERR_HIDDEN);
		assert_non_null(strstr(m.reason, "Random Vector"));
	}
	/* a wrong secret: the original length does not fit */
	len = hello_with(&c[0], buf, sizeof(buf), true);
	assert_int_equal(l2tp_msg_parse(buf, len, (const uint8_t *)"wrong", 5,
	    &m), L2TP_ERR_HIDDEN);
	assert_non_null(strstr(m.reason, "Challenge Response"));
	/* decode limits */
	assert_false(l2tp_hidden_decode(1, secret, SECRET_LEN, rv16, 16,
	    c[0].hidden, 1, out, sizeof(out), &outlen));
	assert_false(l2tp_hidden_decode(1, secret, SECRET_LEN, rv16, 16,
	    c[0].hidden, c[0].hidden_len, out, c[0].hidden_len - 1, &outlen));
	assert_false(l2tp_hidden_encode(1, secret, SECRET_LEN, rv16, 16,
	    buf, L2TP_AVP_MAX_VALUE - 1, out, sizeof(out), &outlen));
	assert_true(l2tp_hidden_encode(1, secret, SECRET_LEN, rv16, 16,
	    buf, L2TP_AVP_MAX_VALUE - 2, out, sizeof(out), &outlen));
	assert_int_equal(outlen, L2TP_AVP_MAX_VALUE);
}

/* Hidden AVPs through the builder and the parser. */
static void
test_hidden_round_trip(void **state)
{
	static const uint16_t types[] = { L2TP_MSG_ICCN, L2TP_MSG_SCCRP,
	    L2TP_MSG_SCCRQ, L2TP_MSG_CDN };
	struct l2tp_hide hide = { secret, SECRET_LEN, rv16, sizeof(rv16) };
	struct l2tp_values vals;
	uint8_t buf[BUFSZ], out[BUFSZ];
	struct wbuf w;
	char name[64];

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		fill_values(types[i], &vals);
		/* hide everything but what must not be hidden */
		vals.hidden = vals.present;
		wbuf_init(&w, buf, sizeof(buf));
		assert_false(l2tp_build_ctrl(&w, 9, 9, 0, 0, types[i], &vals,
		    NULL));
		wbuf_init(&w, buf, sizeof(buf));
		assert_true(l2tp_build_ctrl(&w, 9, 9, 0, 0, types[i], &vals,
		    &hide));
		assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), secret,
		    SECRET_LEN, &m), L2TP_OK);
		assert_int_equal(m.v.hidden, vals.present);
		assert_int_equal(m.avp[1].type, L2TP_AVP_RANDOM_VECTOR);
		assert_false(m.avp[1].hidden);
		assert_values_equal(&vals, &m.v);
		(void)snprintf(name, sizeof(name), "hidden-%s",
		    l2tp_msg_type_name(types[i]));
		dump_vector(name, 1, buf, wbuf_len(&w));
		/* rebuilt from the parse with the same hiding: same bytes */
		hide.rv = m.v.random_vector.p;
		hide.rv_len = m.v.random_vector.len;
		wbuf_init(&w, out, sizeof(out));
		assert_true(l2tp_build_ctrl(&w, 9, 9, 0, 0, types[i], &m.v,
		    &hide));
		assert_memory_equal(out, buf, wbuf_len(&w));
		hide.rv = rv16;
		hide.rv_len = sizeof(rv16);
		assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w),
		    (const uint8_t *)"other", 5, &m2), L2TP_ERR_HIDDEN);
		l2tp_msg_wipe(&m);
	}
	/* Message Type and Random Vector can't be hidden */
	fill_values(L2TP_MSG_HELLO, &vals);
	vals.present |= L2TP_BIT(L2TP_AVP_RANDOM_VECTOR);
	vals.hidden = L2TP_BIT(L2TP_AVP_RANDOM_VECTOR);
	wbuf_init(&w, buf, sizeof(buf));
	assert_false(l2tp_build_ctrl(&w, 9, 0, 0, 0, L2TP_MSG_HELLO, &vals,
	    &hide));
	wbuf_init(&w, buf, sizeof(buf));
	wbuf_put_bytes(&w, "\xc8\x02\x00\x00\x00\x09\x00\x00\x00\x00\x00\x00",
	    12);
	assert_true(l2tp_build_avp_raw(&w, 0, L2TP_AVP_M | L2TP_AVP_H, 0,
	    L2TP_AVP_MESSAGE_TYPE, "\x00\x06", 2));
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), secret, SECRET_LEN,
	    &m), L2TP_ERR_HIDDEN);
	wbuf_init(&w, buf, sizeof(buf));
	assert_true(l2tp_build_hello(&w, 9, 0, 0));
	assert_true(l2tp_build_avp_raw(&w, 0, L2TP_AVP_M | L2TP_AVP_H, 0,
	    L2TP_AVP_RANDOM_VECTOR, rv16, 16));
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), secret, SECRET_LEN,
	    &m), L2TP_ERR_HIDDEN);
	/* more hidden plaintext than L2TP_PLAIN_MAX in one message */
	{
		static uint8_t filler[900], big[8 * BUFSZ];

		memset(filler, 'x', sizeof(filler));
		fill_values(L2TP_MSG_ICCN, &vals);
		vals.initial_rcvd_lcp.p = vals.last_sent_lcp.p =
		    vals.last_rcvd_lcp.p = vals.proxy_authen_name.p =
		    vals.proxy_authen_response.p = filler;
		vals.initial_rcvd_lcp.len = vals.last_sent_lcp.len =
		    vals.last_rcvd_lcp.len = vals.proxy_authen_name.len =
		    vals.proxy_authen_response.len = sizeof(filler);
		vals.hidden = vals.present;
		wbuf_init(&w, big, sizeof(big));
		assert_true(l2tp_build_ctrl(&w, 9, 9, 0, 0, L2TP_MSG_ICCN,
		    &vals, &hide));
		assert_int_equal(l2tp_msg_parse(big, wbuf_len(&w), secret,
		    SECRET_LEN, &m), L2TP_ERR_HIDDEN);
		assert_non_null(strstr(m.reason, "more than 4096"));
		l2tp_msg_wipe(&m);
		/* four of them fit */
		vals.hidden &= ~L2TP_BIT(L2TP_AVP_PROXY_AUTHEN_RESPONSE);
		wbuf_init(&w, big, sizeof(big));
		assert_true(l2tp_build_ctrl(&w, 9, 9, 0, 0, L2TP_MSG_ICCN,
		    &vals, &hide));
		assert_int_equal(l2tp_msg_parse(big, wbuf_len(&w), secret,
		    SECRET_LEN, &m), L2TP_OK);
		assert_values_equal(&vals, &m.v);
		l2tp_msg_wipe(&m);
	}
}

/* RFC 2661 4.1: unknown AVPs by their M bit; vendor AVPs. */
static void
test_mbit(void **state)
{
	struct l2tp_values vals;
	uint8_t buf[BUFSZ];
	struct wbuf w;
	size_t base;

	(void)state;
	fill_values(L2TP_MSG_SCCRQ, &vals);
	wbuf_init(&w, buf, sizeof(buf));
	assert_true(l2tp_build_ctrl(&w, 0, 0, 0, 0, L2TP_MSG_SCCRQ, &vals,
	    NULL));
	base = wbuf_len(&w);
	/* M=0: skipped and recorded */
	assert_true(l2tp_build_avp_raw(&w, 0, 0, 0, 50, "xyz", 3));
	assert_true(l2tp_build_avp_raw(&w, 0, 0, L2TP_VENDOR_MICROSOFT, 1,
	    "\x00\x01", 2));
	assert_true(l2tp_build_avp_raw(&w, 0, L2TP_AVP_H, L2TP_VENDOR_CISCO,
	    5, "abcd", 4));
	/* reserved bits on a known type: unrecognised (M=0: skipped) */
	assert_true(l2tp_build_avp_raw(&w, 0, 0x0400, 0,
	    L2TP_AVP_FIRMWARE_REV, "\x0a\x00", 2));
	/* RFC 3145 PPP Disconnect Cause Code (SoftEther), M=0 */
	assert_true(l2tp_build_avp_raw(&w, 0, 0, 0, 46,
	    "\x00\x00\xc0\x21\x01", 5));
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_OK);
	dump_vector("skipped-avps", 0, buf, wbuf_len(&w));
	assert_int_equal(m.nskipped, 5);
	assert_int_equal(m.skipped[0].type, 50);
	assert_int_equal(m.skipped[0].offset, base);
	assert_int_equal(m.skipped[1].vendor, L2TP_VENDOR_MICROSOFT);
	assert_int_equal(m.skipped[2].vendor, L2TP_VENDOR_CISCO);
	assert_int_equal(m.skipped[3].type, L2TP_AVP_FIRMWARE_REV);
	assert_int_equal(m.v.firmware_rev, 0x0a00);	/* the real one */
	assert_false(m.avp[m.navp - 1].known);
	/* more than L2TP_MAX_SKIPPED: counted */
	for (int i = 0; i < 3; i++)
		assert_true(l2tp_build_avp_raw(&w, 0, 0, 0, 60, "", 0));
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_OK);
	assert_int_equal(m.nskipped, 8);
	assert_true(l2tp_build_avp_raw(&w, 0, 0, 0, 60, "", 0));
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_OK);
	assert_int_equal(m.nskipped, 9);

	/* M=1 in a tunnel message: tear the tunnel down */
	w.len = base;
	assert_true(l2tp_build_avp_raw(&w, 0, L2TP_AVP_M, 0, 50, "xyz", 3));
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_ERR_UNKNOWN_MANDATORY);
	assert_int_equal(m.bad_vendor, 0);
	assert_int_equal(m.bad_type, 50);
	assert_int_equal(l2tp_msg_scope(m.type), L2TP_SCOPE_TUNNEL);
	assert_non_null(strstr(m.reason, "vendor 0 type 50"));
	assert_non_null(strstr(m.reason, "tunnel"));
	dump_vector("unknown-mandatory", 0, buf, wbuf_len(&w));
	/* vendor AVP with M=1 */
	w.len = base;
	assert_true(l2tp_build_avp_raw(&w, 0, L2TP_AVP_M, L2TP_VENDOR_CISCO,
	    7, "", 0));
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_ERR_UNKNOWN_MANDATORY);
	assert_int_equal(m.bad_vendor, L2TP_VENDOR_CISCO);
	assert_int_equal(m.bad_type, 7);
	assert_non_null(strstr(m.reason, "vendor 9 type 7"));
	/* reserved bits with M=1 */
	w.len = base;
	assert_true(l2tp_build_avp_raw(&w, 0, L2TP_AVP_M | 0x2000, 0,
	    L2TP_AVP_CHALLENGE, "c", 1));
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_ERR_UNKNOWN_MANDATORY);
	assert_int_equal(m.bad_type, L2TP_AVP_CHALLENGE);
	/* reserved type 20 */
	w.len = base;
	assert_true(l2tp_build_avp_raw(&w, 0, L2TP_AVP_M, 0, 20, "", 0));
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_ERR_UNKNOWN_MANDATORY);

	/* M=1 in a session message: the session only */
	fill_values(L2TP_MSG_ICRQ, &vals);
	wbuf_init(&w, buf, sizeof(buf));
	assert_true(l2tp_build_ctrl(&w, 5, 0, 0, 0, L2TP_MSG_ICRQ, &vals,
	    NULL));
	assert_true(l2tp_build_avp_raw(&w, 0, L2TP_AVP_M, 311, 12, "x", 1));
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_ERR_UNKNOWN_MANDATORY);
	assert_int_equal(l2tp_msg_scope(m.type), L2TP_SCOPE_SESSION);
	assert_non_null(strstr(m.reason, "session"));
	assert_non_null(strstr(m.reason, "Microsoft"));

	/* unknown message types by their M bit */
	wbuf_init(&w, buf, sizeof(buf));
	wbuf_put_bytes(&w, "\xc8\x02\x00\x00\x00\x09\x00\x00\x00\x00\x00\x00",
	    12);
	assert_true(l2tp_build_avp_raw(&w, 0, L2TP_AVP_M, 0,
	    L2TP_AVP_MESSAGE_TYPE, "\x00\x63", 2));
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_ERR_UNKNOWN_MSG_MANDATORY);
	assert_int_equal(m.type, 99);
	buf[12] &= 0x7f;
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_ERR_UNKNOWN_MSG);
	/* types 5 and 13 are reserved */
	buf[19] = 5;
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_ERR_UNKNOWN_MSG);
	buf[19] = 13;
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_ERR_UNKNOWN_MSG);
	/* Message Type of 1 or 3 bytes */
	wbuf_init(&w, buf, sizeof(buf));
	wbuf_put_bytes(&w, "\xc8\x02\x00\x00\x00\x09\x00\x00\x00\x00\x00\x00",
	    12);
	assert_true(l2tp_build_avp_raw(&w, 0, L2TP_AVP_M, 0,
	    L2TP_AVP_MESSAGE_TYPE, "\x00\x06\x00", 3));
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_ERR_AVP_VALUE);
}

/* Message Type first, duplicates, AVP count. */
static void
test_order_and_count(void **state)
{
	uint8_t buf[BUFSZ];
	struct wbuf w;

	(void)state;
	/* first AVP is Host Name */
	wbuf_init(&w, buf, sizeof(buf));
	wbuf_put_bytes(&w, "\xc8\x02\x00\x00\x00\x09\x00\x00\x00\x00\x00\x00",
	    12);
	assert_true(l2tp_build_avp_raw(&w, 0, L2TP_AVP_M, 0,
	    L2TP_AVP_HOST_NAME, "h", 1));
	assert_true(l2tp_build_avp_raw(&w, 0, L2TP_AVP_M, 0,
	    L2TP_AVP_MESSAGE_TYPE, "\x00\x06", 2));
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_ERR_FIRST_NOT_MSG_TYPE);
	assert_non_null(strstr(m.reason, "Host Name"));
	assert_non_null(strstr(m.reason, "offset 12"));
	/* a vendor AVP first */
	buf[14] = 0x01;
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_ERR_FIRST_NOT_MSG_TYPE);
	/* duplicates */
	wbuf_init(&w, buf, sizeof(buf));
	assert_true(l2tp_build_hello(&w, 1, 0, 0));
	assert_true(l2tp_build_avp_raw(&w, 0, L2TP_AVP_M, 0,
	    L2TP_AVP_RANDOM_VECTOR, "r1", 2));
	assert_true(l2tp_build_avp_raw(&w, 0, L2TP_AVP_M, 0,
	    L2TP_AVP_RANDOM_VECTOR, "r22", 3));
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_OK);
	assert_int_equal(m.v.random_vector.len, 3);
	assert_true(l2tp_build_avp_raw(&w, 0, L2TP_AVP_M, 0,
	    L2TP_AVP_RECV_WINDOW_SIZE, "\x00\x04", 2));
	assert_true(l2tp_build_avp_raw(&w, 0, L2TP_AVP_M, 0,
	    L2TP_AVP_RECV_WINDOW_SIZE, "\x00\x08", 2));
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_ERR_DUPLICATE);
	assert_non_null(strstr(m.reason, "Receive Window Size"));
	wbuf_init(&w, buf, sizeof(buf));
	assert_true(l2tp_build_hello(&w, 1, 0, 0));
	assert_true(l2tp_build_avp_raw(&w, 0, L2TP_AVP_M, 0,
	    L2TP_AVP_MESSAGE_TYPE, "\x00\x06", 2));
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_ERR_DUPLICATE);
	/* L2TP_MAX_AVPS */
	wbuf_init(&w, buf, sizeof(buf));
	assert_true(l2tp_build_hello(&w, 1, 0, 0));
	for (int i = 1; i < L2TP_MAX_AVPS; i++)
		assert_true(l2tp_build_avp_raw(&w, 0, 0, 0, 200, "", 0));
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_OK);
	assert_int_equal(m.navp, L2TP_MAX_AVPS);
	dump_vector("max-avps", 0, buf, wbuf_len(&w));
	assert_true(l2tp_build_avp_raw(&w, 0, 0, 0, 200, "", 0));
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_ERR_TOO_MANY);
}

/* RFC 2661 3.1: versions, control flags, offset, data messages. */
static void
test_header(void **state)
{
	static const uint8_t ppp[] = { 0xff, 0x03, 0xc0, 0x21, 0x01, 0x01,
	    0x00, 0x04 };
	uint8_t buf[BUFSZ];
	struct wbuf w;
	struct l2tp_hdr h;
	char reason[L2TP_REASON_LEN];
	size_t len;

	(void)state;
	wbuf_init(&w, buf, sizeof(buf));
	assert_true(l2tp_build_hello(&w, 1, 0, 0));
	len = wbuf_len(&w);
	buf[1] = 0x01;
	assert_int_equal(l2tp_hdr_parse(buf, len, &h, reason, sizeof(reason)),
	    L2TP_ERR_VERSION_L2F);
	assert_non_null(strstr(reason, "L2F"));
	buf[1] = 0x03;
	assert_int_equal(l2tp_msg_parse(buf, len, NULL, 0, &m),
	    L2TP_ERR_VERSION_3);
	assert_non_null(strstr(m.reason, "L2TPv3"));
	for (uint8_t ver = 0; ver < 16; ver++) {
		if (ver == 1 || ver == 2 || ver == 3)
			continue;
		buf[1] = ver;
		assert_int_equal(l2tp_msg_parse(buf, len, NULL, 0, &m),
		    L2TP_ERR_VERSION);
	}
	buf[1] = 0x02;
	/* x bits are ignored */
	buf[0] |= 0x34;
	buf[1] |= 0xf0;
	assert_int_equal(l2tp_msg_parse(buf, len, NULL, 0, &m), L2TP_OK);
	assert_int_equal(m.type, L2TP_MSG_HELLO);
	buf[0] = 0xc8;
	buf[1] = 0x02;
	/* control: L and S needed, O and P refused */
	buf[0] = 0x88;
	assert_int_equal(l2tp_msg_parse(buf, len, NULL, 0, &m),
	    L2TP_ERR_CTRL_BITS);
	buf[0] = 0xc0;
	assert_int_equal(l2tp_msg_parse(buf, len, NULL, 0, &m),
	    L2TP_ERR_CTRL_BITS);
	buf[0] = 0xca;
	assert_int_equal(l2tp_msg_parse(buf, len, NULL, 0, &m),
	    L2TP_ERR_CTRL_BITS);
	buf[0] = 0xc9;
	assert_int_equal(l2tp_msg_parse(buf, len, NULL, 0, &m),
	    L2TP_ERR_CTRL_BITS);
	buf[0] = 0xc8;
	assert_int_equal(l2tp_msg_parse(buf, len, NULL, 0, &m), L2TP_OK);

	/* data with every combination of L, S, O, P */
	for (uint16_t bits = 0; bits < 16; bits++) {
		uint16_t flags = (bits & 1 ? L2TP_HDR_L : 0) |
		    (bits & 2 ? L2TP_HDR_S : 0) | (bits & 4 ? L2TP_HDR_O : 0) |
		    (bits & 8 ? L2TP_HDR_P : 0);
		size_t hl = 6 + (bits & 1 ? 2 : 0) + (bits & 2 ? 4 : 0) +
		    (bits & 4 ? 2 + 3 : 0);
		char name[32];

		wbuf_init(&w, buf, sizeof(buf));
		assert_true(l2tp_build_data(&w, flags, 0xa10c, 0x09ba, 7, 9,
		    3, ppp, sizeof(ppp)));
		len = wbuf_len(&w);
		assert_int_equal(len, hl + sizeof(ppp));
		(void)snprintf(name, sizeof(name), "data-%02x", bits);
		dump_vector(name, 0, buf, len);
		assert_int_equal(l2tp_hdr_parse(buf, len, &h, NULL, 0),
		    L2TP_OK);
		assert_false(h.control);
		assert_int_equal(h.tunnel_id, 0xa10c);
		assert_int_equal(h.session_id, 0x09ba);
		assert_int_equal(h.hdr_len, hl);
		assert_int_equal(h.priority, (bits & 8) != 0);
		if (bits & 2) {
			assert_int_equal(h.ns, 7);
			assert_int_equal(h.nr, 9);
		}
		if (bits & 4)
			assert_int_equal(h.offset_size, 3);
		assert_int_equal(rbuf_left(&h.payload), sizeof(ppp));
		assert_memory_equal(rbuf_cur(&h.payload), ppp, sizeof(ppp));
		for (size_t k = 0; k < len; k++) {
			enum l2tp_err e = l2tp_hdr_parse(buf, k, &h, NULL, 0);

			if (bits & 1) {
				assert_int_not_equal(e, L2TP_OK);
			} else if (k < hl) {
				assert_int_not_equal(e, L2TP_OK);
			} else {
				assert_int_equal(e, L2TP_OK);
				assert_int_equal(rbuf_left(&h.payload), k - hl);
			}
		}
		if (bits & 1) {
			/* Length -1 / +1 */
			buf[3]--;
			assert_int_equal(l2tp_hdr_parse(buf, len, &h, NULL, 0),
			    L2TP_OK);
			assert_int_equal(h.trailing, 1);
			assert_int_equal(rbuf_left(&h.payload),
			    sizeof(ppp) - 1);
			buf[3] += 2;
			assert_int_equal(l2tp_hdr_parse(buf, len, &h, reason,
			    sizeof(reason)), L2TP_ERR_LENGTH);
			buf[3]--;
		}
		if (bits & 4) {
			size_t at = hl - 5;	/* Offset Size field */

			/* Offset Size up to the end, then one past */
			buf[at + 1] = (uint8_t)(3 + sizeof(ppp));
			assert_int_equal(l2tp_hdr_parse(buf, len, &h, NULL, 0),
			    L2TP_OK);
			assert_int_equal(rbuf_left(&h.payload), 0);
			buf[at + 1]++;
			assert_int_equal(l2tp_hdr_parse(buf, len, &h, reason,
			    sizeof(reason)), L2TP_ERR_OFFSET);
			assert_non_null(strstr(reason, "Offset Size"));
		}
	}
	/* big datagrams: no Length field over 65535 */
	{
		static uint8_t huge[L2TP_MAX_MSG + 1];

		huge[1] = 2;
		assert_int_equal(l2tp_hdr_parse(huge, sizeof(huge), &h, NULL,
		    0), L2TP_ERR_LENGTH);
		assert_int_equal(l2tp_hdr_parse(huge, sizeof(huge) - 1, &h,
		    NULL, 0), L2TP_OK);
	}
	assert_int_equal(l2tp_hdr_parse(buf, 0, &h, reason, sizeof(reason)),
	    L2TP_ERR_TRUNCATED);
	assert_int_equal(l2tp_hdr_parse(buf, 1, &h, NULL, 0),
	    L2TP_ERR_TRUNCATED);
}

/*
 * Clients: Windows 10 SCCRQ (research 4.2), Apple's SCCRQ with a NUL in
 * Host Name and its byte-swapped Result Code (6.1), Android's 2-byte
 * Result Code (4.5) and its Receive Window of 1 (6.2).
 */
static void
test_quirks(void **state)
{
	struct l2tp_values vals;
	uint8_t buf[BUFSZ], out[BUFSZ];
	struct wbuf w;

	(void)state;
	/* Windows */
	memset(&vals, 0, sizeof(vals));
	vals.present = L2TP_BIT(L2TP_AVP_PROTOCOL_VERSION) |
	    L2TP_BIT(L2TP_AVP_FRAMING_CAP) | L2TP_BIT(L2TP_AVP_BEARER_CAP) |
	    L2TP_BIT(L2TP_AVP_FIRMWARE_REV) | L2TP_BIT(L2TP_AVP_HOST_NAME) |
	    L2TP_BIT(L2TP_AVP_VENDOR_NAME) |
	    L2TP_BIT(L2TP_AVP_ASSIGNED_TUNNEL_ID) |
	    L2TP_BIT(L2TP_AVP_RECV_WINDOW_SIZE);
	vals.proto_ver = 1;
	vals.framing_cap = L2TP_FRAMING_SYNC;
	vals.bearer_cap = 0;
	vals.firmware_rev = 0x0a00;
	vals.host_name = (struct l2tp_bytes)STR("RWB-LAPTOP-DELL");
	vals.vendor_name = (struct l2tp_bytes)STR("Microsoft");
	vals.tunnel_id = 1;
	vals.rws = 8;
	wbuf_init(&w, buf, sizeof(buf));
	assert_true(l2tp_build_ctrl(&w, 0, 0, 0, 0, L2TP_MSG_SCCRQ, &vals,
	    NULL));
	assert_true(l2tp_build_avp_raw(&w, 0, 0, L2TP_VENDOR_MICROSOFT, 2,
	    "\x00\x00\x00\x01", 4));
	dump_vector("windows-sccrq", 0, buf, wbuf_len(&w));
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_OK);
	assert_int_equal(m.v.firmware_rev, 0x0a00);
	assert_int_equal(m.v.rws, 8);
	assert_int_equal(m.nskipped, 1);
	assert_values_equal(&vals, &m.v);

	/* Apple: Host Name "iPhone\0", no Bearer Caps, RWS 4 */
	memset(&vals, 0, sizeof(vals));
	vals.present = L2TP_BIT(L2TP_AVP_PROTOCOL_VERSION) |
	    L2TP_BIT(L2TP_AVP_FRAMING_CAP) | L2TP_BIT(L2TP_AVP_HOST_NAME) |
	    L2TP_BIT(L2TP_AVP_ASSIGNED_TUNNEL_ID) |
	    L2TP_BIT(L2TP_AVP_RECV_WINDOW_SIZE);
	vals.proto_ver = 1;
	vals.framing_cap = 3;
	vals.host_name = (struct l2tp_bytes)STR("iPhone");
	vals.host_name_nul = true;
	vals.tunnel_id = 0xbeef;
	vals.rws = 4;
	wbuf_init(&w, buf, sizeof(buf));
	assert_true(l2tp_build_ctrl(&w, 0, 0, 0, 0, L2TP_MSG_SCCRQ, &vals,
	    NULL));
	dump_vector("apple-sccrq", 0, buf, wbuf_len(&w));
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_OK);
	assert_true(m.v.host_name_nul);
	assert_int_equal(m.v.host_name.len, 6);
	assert_memory_equal(m.v.host_name.p, "iPhone", 6);
	/* the AVP on the wire has 7 bytes */
	assert_int_equal(m.avp[3].type, L2TP_AVP_HOST_NAME);
	assert_int_equal(m.avp[3].len, 7);

	/* Apple StopCCN: Result Code 6 written little endian, error 0 */
	wbuf_init(&w, buf, sizeof(buf));
	wbuf_put_bytes(&w, "\xc8\x02\x00\x00\x3d\x67\x00\x00\x00\x04\x00\x05",
	    12);
	assert_true(l2tp_build_avp_raw(&w, 0, L2TP_AVP_M, 0,
	    L2TP_AVP_MESSAGE_TYPE, "\x00\x04", 2));
	assert_true(l2tp_build_avp_raw(&w, 0, L2TP_AVP_M, 0,
	    L2TP_AVP_RESULT_CODE, "\x06\x00\x00\x00", 4));
	assert_true(l2tp_build_avp_raw(&w, 0, L2TP_AVP_M, 0,
	    L2TP_AVP_ASSIGNED_TUNNEL_ID, "\xbe\xef", 2));
	dump_vector("apple-stopccn", 0, buf, wbuf_len(&w));
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_OK);
	assert_true(m.v.result.swapped);
	assert_int_equal(m.v.result.code, L2TP_STOPCCN_SHUTTING_DOWN);
	assert_true(m.v.result.has_error);
	assert_int_equal(m.v.result.error, 0);
	/* the builder reproduces it when asked */
	wbuf_init(&w, out, sizeof(out));
	assert_true(l2tp_build_ctrl(&w, 0x3d67, 0, 4, 5, L2TP_MSG_STOPCCN,
	    &m.v, NULL));
	assert_memory_equal(out, buf, wbuf_len(&w));
	/* Apple CDN: code 3, error 6, message */
	wbuf_init(&w, buf, sizeof(buf));
	wbuf_put_bytes(&w, "\xc8\x02\x00\x00\x3d\x67\x00\x01\x00\x04\x00\x05",
	    12);
	assert_true(l2tp_build_avp_raw(&w, 0, L2TP_AVP_M, 0,
	    L2TP_AVP_MESSAGE_TYPE, "\x00\x0e", 2));
	assert_true(l2tp_build_avp_raw(&w, 0, L2TP_AVP_M, 0,
	    L2TP_AVP_RESULT_CODE, "\x03\x00\x06\x00" "bye", 7));
	assert_true(l2tp_build_avp_raw(&w, 0, L2TP_AVP_M, 0,
	    L2TP_AVP_ASSIGNED_SESSION_ID, "\x00\x01", 2));
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_OK);
	assert_true(m.v.result.swapped);
	assert_int_equal(m.v.result.code, L2TP_CDN_ADMIN);
	assert_int_equal(m.v.result.error, L2TP_ERROR_VENDOR);
	assert_int_equal(m.v.result.message.len, 3);
	assert_string_equal(l2tp_result_name(m.type, m.v.result.code),
	    "administrative");
	/* a big-endian code is not swapped */
	buf[26] = 0x00;
	buf[27] = 0x03;
	buf[28] = 0x00;
	buf[29] = 0x06;
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_OK);
	assert_false(m.v.result.swapped);
	assert_int_equal(m.v.result.code, L2TP_CDN_ADMIN);
	assert_int_equal(m.v.result.error, L2TP_ERROR_VENDOR);

	/* Android StopCCN: an 8-byte Result Code AVP, RWS 1 elsewhere */
	wbuf_init(&w, buf, sizeof(buf));
	wbuf_put_bytes(&w, "\xc8\x02\x00\x00\x3d\x67\x00\x00\x00\x04\x00\x05",
	    12);
	assert_true(l2tp_build_avp_raw(&w, 0, L2TP_AVP_M, 0,
	    L2TP_AVP_MESSAGE_TYPE, "\x00\x04", 2));
	assert_true(l2tp_build_avp_raw(&w, 0, L2TP_AVP_M, 0,
	    L2TP_AVP_RESULT_CODE, "\x00\x01", 2));
	assert_true(l2tp_build_avp_raw(&w, 0, L2TP_AVP_M, 0,
	    L2TP_AVP_ASSIGNED_TUNNEL_ID, "\x12\x34", 2));
	dump_vector("android-stopccn", 0, buf, wbuf_len(&w));
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_OK);
	assert_int_equal(m.v.result.code, L2TP_STOPCCN_GENERAL);
	assert_false(m.v.result.has_error);
	assert_false(m.v.result.swapped);
	assert_int_equal(m.avp[1].length, 8);
	/* rebuilt as 8 bytes too */
	wbuf_init(&w, out, sizeof(out));
	assert_true(l2tp_build_ctrl(&w, 0x3d67, 0, 4, 5, L2TP_MSG_STOPCCN,
	    &m.v, NULL));
	assert_int_equal(wbuf_len(&w), 12 + 8 + 8 + 8);
}

/* The LNS's builders and their parse. */
static void
test_lns_builders(void **state)
{
	static uint8_t big[2 * BUFSZ];
	uint8_t buf[BUFSZ];
	struct wbuf w;

	(void)state;
	wbuf_init(&w, buf, sizeof(buf));
	assert_true(l2tp_build_stopccn(&w, 41228, 5, 6, 15719,
	    L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERROR_UNKNOWN_MANDATORY,
	    "unknown mandatory AVP"));
	dump_vector("lns-stopccn", 0, buf, wbuf_len(&w));
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_OK);
	assert_int_equal(m.type, L2TP_MSG_STOPCCN);
	assert_int_equal(m.hdr.tunnel_id, 41228);
	assert_int_equal(m.hdr.session_id, 0);
	assert_int_equal(m.hdr.ns, 5);
	assert_int_equal(m.hdr.nr, 6);
	assert_int_equal(m.v.tunnel_id, 15719);
	assert_int_equal(m.v.result.code, L2TP_STOPCCN_GENERAL_ERROR);
	assert_int_equal(m.v.result.error, L2TP_ERROR_UNKNOWN_MANDATORY);
	assert_int_equal(m.v.result.message.len, 21);
	assert_memory_equal(m.v.result.message.p, "unknown mandatory AVP",
	    21);
	/* no message */
	wbuf_init(&w, buf, sizeof(buf));
	assert_true(l2tp_build_cdn(&w, 41228, 2490, 7, 8, 45954,
	    L2TP_CDN_ADMIN, L2TP_ERROR_NONE, NULL));
	dump_vector("lns-cdn", 0, buf, wbuf_len(&w));
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_OK);
	assert_int_equal(m.type, L2TP_MSG_CDN);
	assert_int_equal(m.hdr.session_id, 2490);
	assert_int_equal(m.v.session_id, 45954);
	assert_int_equal(m.v.result.code, L2TP_CDN_ADMIN);
	assert_true(m.v.result.has_error);
	assert_int_equal(m.v.result.message.len, 0);
	assert_int_equal(m.avp[1].length, 10);
	wbuf_init(&w, buf, sizeof(buf));
	assert_true(l2tp_build_hello(&w, 41228, 9, 9));
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_OK);
	assert_int_equal(m.type, L2TP_MSG_HELLO);
	assert_int_equal(m.navp, 1);
	/* overflow at every size */
	for (size_t cap = 0; cap < 12 + 8 + 8 + 11; cap++) {
		wbuf_init(&w, buf, cap);
		assert_false(l2tp_build_stopccn(&w, 1, 0, 0, 2, 1, 0, "x"));
	}
	wbuf_init(&w, buf, 12 + 8 + 8 + 11);
	assert_true(l2tp_build_stopccn(&w, 1, 0, 0, 2, 1, 0, "x"));
	/* a message without an error code cannot be built */
	{
		struct l2tp_values vals;

		fill_values(L2TP_MSG_CDN, &vals);
		vals.result.has_error = false;
		wbuf_init(&w, buf, sizeof(buf));
		assert_false(l2tp_build_ctrl(&w, 1, 1, 0, 0, L2TP_MSG_CDN,
		    &vals, NULL));
		vals.result.message.len = 0;
		wbuf_init(&w, buf, sizeof(buf));
		assert_true(l2tp_build_ctrl(&w, 1, 1, 0, 0, L2TP_MSG_CDN,
		    &vals, NULL));
		/* an unknown type */
		wbuf_init(&w, buf, sizeof(buf));
		assert_false(l2tp_build_ctrl(&w, 1, 1, 0, 0, 5, &vals, NULL));
		/* an oversized value */
		fill_values(L2TP_MSG_SCCRQ, &vals);
		vals.vendor_name.len = L2TP_AVP_MAX_VALUE + 1;
		vals.vendor_name.p = buf;
		wbuf_init(&w, big, sizeof(big));
		assert_false(l2tp_build_ctrl(&w, 1, 0, 0, 0, L2TP_MSG_SCCRQ,
		    &vals, NULL));
	}
}

/* RFC 2661 4.4.3 tunnel authentication: known answers, then a flow. */
static void
test_challenge(void **state)
{
	FILE *f = fopen("tests/vectors/l2tp-chap.txt", "r");
	char line[512], sh[128], ch[256], rh[64];
	uint8_t sec[64], chal[128], want[16], got[16], buf[BUFSZ];
	uint8_t lac_chal[16], lns_chal[16];
	size_t slen, clen, n = 0;
	unsigned int mt;
	struct l2tp_ctrl_conn c;
	struct wbuf w;

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#')
			continue;
		assert_int_equal(sscanf(line, "%u %127s %255s %63s", &mt, sh,
		    ch, rh), 4);
		slen = hex_decode(sh, sec, sizeof(sec));
		clen = hex_decode(ch, chal, sizeof(chal));
		assert_int_equal(hex_decode(rh, want, sizeof(want)), 16);
		assert_true(l2tp_challenge_response((uint8_t)mt, sec, slen,
		    chal, clen, got));
		assert_memory_equal(got, want, 16);
		/* the other message type gives another answer */
		assert_true(l2tp_challenge_response((uint8_t)(mt ^ 1), sec,
		    slen, chal, clen, got));
		assert_memory_not_equal(got, want, 16);
		n++;
	}
	assert_int_equal(fclose(f), 0);
	assert_int_equal(n, 4);

	/* LAC SCCRQ with a Challenge */
	memset(lac_chal, 0xc1, sizeof(lac_chal));
	memset(lns_chal, 0x1c, sizeof(lns_chal));
	memset(&c, 0, sizeof(c));
	c.tunnel_id = 0x1234;
	c.host_name = "anonymous";
	c.framing_cap = L2TP_FRAMING_SYNC | L2TP_FRAMING_ASYNC;
	c.rws = 1;
	c.challenge = lac_chal;
	c.challenge_len = sizeof(lac_chal);
	wbuf_init(&w, buf, sizeof(buf));
	assert_true(l2tp_build_sccrq(&w, 0, 0, &c));
	dump_vector("android-sccrq-challenge", 0, buf, wbuf_len(&w));
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_OK);
	assert_int_equal(m.type, L2TP_MSG_SCCRQ);
	assert_int_equal(m.hdr.tunnel_id, 0);
	assert_int_equal(m.v.rws, 1);
	assert_int_equal(m.v.challenge.len, 16);
	assert_false(m.v.present & L2TP_BIT(L2TP_AVP_VENDOR_NAME));
	assert_false(m.v.present & L2TP_BIT(L2TP_AVP_FIRMWARE_REV));
	/* LNS SCCRP: its response and its own challenge */
	assert_true(l2tp_challenge_response(L2TP_MSG_SCCRP, secret,
	    SECRET_LEN, m.v.challenge.p, m.v.challenge.len, want));
	memset(&c, 0, sizeof(c));
	c.tunnel_id = 0x4321;
	c.host_name = "lns";
	c.vendor_name = "l2tpd";
	c.firmware_rev = 0x0100;
	c.rws = 8;
	c.framing_cap = L2TP_FRAMING_SYNC | L2TP_FRAMING_ASYNC;
	c.challenge = lns_chal;
	c.challenge_len = sizeof(lns_chal);
	c.challenge_response = want;
	wbuf_init(&w, buf, sizeof(buf));
	assert_true(l2tp_build_sccrp(&w, 0x1234, 0, 1, &c));
	dump_vector("lns-sccrp-challenge", 0, buf, wbuf_len(&w));
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_OK);
	assert_int_equal(m.type, L2TP_MSG_SCCRP);
	assert_int_equal(m.hdr.tunnel_id, 0x1234);
	assert_int_equal(m.v.tunnel_id, 0x4321);
	assert_int_equal(m.v.firmware_rev, 0x0100);
	assert_int_equal(m.v.proto_ver, 1);
	assert_int_equal(m.v.proto_rev, 0);
	assert_memory_equal(m.v.vendor_name.p, "l2tpd", 5);
	assert_memory_equal(m.v.challenge_response, want, 16);
	assert_int_equal(m.unexpected, 0);
	/* LAC SCCCN */
	assert_true(l2tp_challenge_response(L2TP_MSG_SCCCN, secret,
	    SECRET_LEN, m.v.challenge.p, m.v.challenge.len, got));
	wbuf_init(&w, buf, sizeof(buf));
	assert_true(l2tp_build_scccn(&w, 0x4321, 1, 1, got));
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_OK);
	assert_int_equal(m.type, L2TP_MSG_SCCCN);
	assert_memory_equal(m.v.challenge_response, got, 16);
	wbuf_init(&w, buf, sizeof(buf));
	assert_true(l2tp_build_scccn(&w, 0x4321, 1, 1, NULL));
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_OK);
	assert_int_equal(m.navp, 1);
	/* arguments out of range */
	c.challenge_response = NULL;
	c.tunnel_id = 0;
	wbuf_init(&w, buf, sizeof(buf));
	assert_false(l2tp_build_sccrp(&w, 1, 0, 0, &c));
	c.tunnel_id = 1;
	c.host_name = "";
	assert_false(l2tp_build_sccrp(&w, 1, 0, 0, &c));
	c.host_name = "h";
	c.challenge_response = want;
	assert_false(l2tp_build_sccrq(&w, 0, 0, &c));
	assert_false(l2tp_build_icrq(&w, 1, 0, 0, 0, 1));
	assert_false(l2tp_build_icrp(&w, 1, 1, 0, 0, 0));
	assert_false(l2tp_build_cdn(&w, 1, 1, 0, 0, 0, 1, 0, NULL));
	assert_false(l2tp_build_stopccn(&w, 1, 0, 0, 0, 1, 0, NULL));
	assert_int_equal(wbuf_len(&w), 0);
}

/* A LAC's ICRQ and ICCN, as the lab's xl2tpd sends them (minus the
 * optional AVPs). */
static void
test_call_builders(void **state)
{
	uint8_t buf[BUFSZ];
	struct wbuf w;

	(void)state;
	wbuf_init(&w, buf, sizeof(buf));
	assert_true(l2tp_build_icrq(&w, 15719, 2, 1, 2490, 1));
	dump_vector("lac-icrq", 0, buf, wbuf_len(&w));
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_OK);
	assert_int_equal(m.type, L2TP_MSG_ICRQ);
	assert_int_equal(m.hdr.tunnel_id, 15719);
	assert_int_equal(m.hdr.session_id, 0);
	assert_int_equal(m.v.session_id, 2490);
	assert_int_equal(m.v.call_serial, 1);
	assert_int_equal(m.navp, 3);
	wbuf_init(&w, buf, sizeof(buf));
	assert_true(l2tp_build_iccn(&w, 15719, 45954, 3, 2, 100000000,
	    L2TP_FRAMING_SYNC));
	dump_vector("lac-iccn", 0, buf, wbuf_len(&w));
	assert_int_equal(l2tp_msg_parse(buf, wbuf_len(&w), NULL, 0, &m),
	    L2TP_OK);
	assert_int_equal(m.type, L2TP_MSG_ICCN);
	assert_int_equal(m.hdr.session_id, 45954);
	assert_int_equal(m.v.tx_speed, 100000000);
	assert_int_equal(m.v.framing_type, L2TP_FRAMING_SYNC);
	assert_int_equal(m.navp, 3);
}

static void
test_names(void **state)
{
	(void)state;
	for (int e = L2TP_OK; e <= L2TP_ERR_BUILD; e++)
		assert_string_not_equal(l2tp_err_name((enum l2tp_err)e),
		    "unknown");
	for (size_t i = 0; i < NTYPES; i++)
		assert_string_not_equal(l2tp_msg_type_name(all_types[i]),
		    "unknown");
	assert_string_equal(l2tp_msg_type_name(0), "ZLB");
	assert_string_equal(l2tp_msg_type_name(5), "unknown");
	assert_string_equal(l2tp_msg_type_name(0xffff), "unknown");
	for (uint16_t t = 0; t <= L2TP_AVP_MAX; t++)
		assert_int_equal(strcmp(l2tp_avp_name(0, t), "unknown") == 0,
		    t == 20);
	assert_string_equal(l2tp_avp_name(0, 40), "unknown");
	assert_string_equal(l2tp_avp_name(9, 1), "Cisco vendor AVP");
	assert_string_equal(l2tp_avp_name(311, 1), "Microsoft vendor AVP");
	assert_string_equal(l2tp_avp_name(4491, 1), "vendor AVP");
	for (uint16_t c = 1; c <= 7; c++)
		assert_string_not_equal(l2tp_result_name(L2TP_MSG_STOPCCN, c),
		    "unknown");
	for (uint16_t c = 1; c <= 11; c++)
		assert_string_not_equal(l2tp_result_name(L2TP_MSG_CDN, c),
		    "unknown");
	assert_string_equal(l2tp_result_name(L2TP_MSG_STOPCCN, 8), "unknown");
	assert_string_equal(l2tp_result_name(L2TP_MSG_CDN, 0), "unknown");
	assert_string_equal(l2tp_result_name(L2TP_MSG_ICRQ, 1), "unknown");
	for (uint16_t c = 0; c <= 8; c++)
		assert_string_not_equal(l2tp_error_code_name(c), "unknown");
	assert_string_equal(l2tp_error_code_name(9), "unknown");
	assert_int_equal(l2tp_msg_scope(L2TP_MSG_SCCRQ), L2TP_SCOPE_TUNNEL);
	assert_int_equal(l2tp_msg_scope(L2TP_MSG_HELLO), L2TP_SCOPE_TUNNEL);
	assert_int_equal(l2tp_msg_scope(L2TP_MSG_CDN), L2TP_SCOPE_SESSION);
	assert_int_equal(l2tp_msg_scope(L2TP_MSG_WEN), L2TP_SCOPE_SESSION);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_hdr_length),
		cmocka_unit_test(test_avp_length),
		cmocka_unit_test(test_avp_value_sizes),
		cmocka_unit_test(test_missing_avps),
		cmocka_unit_test(test_dialin),
		cmocka_unit_test(test_hidden_kat),
		cmocka_unit_test(test_hidden_round_trip),
		cmocka_unit_test(test_mbit),
		cmocka_unit_test(test_order_and_count),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_quirks),
		cmocka_unit_test(test_lns_builders),
		cmocka_unit_test(test_challenge),
		cmocka_unit_test(test_call_builders),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
