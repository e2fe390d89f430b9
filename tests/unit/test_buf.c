/*
 * test_buf.c - bounded reader/writer: every truncation length, length
 * fields at -1/0/+1, sticky overflow, build/parse round trip.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/buf.h"

static const uint8_t pattern[16] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	0x89, 0x9a, 0xab, 0xbc, 0xcd, 0xde, 0xef, 0xf0
};

/* Every getter: succeeds with exactly its width, fails one short. */
static void
test_get_widths(void **state)
{
	struct rbuf r;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	(void)state;
	rbuf_init(&r, pattern, 1);
	assert_true(rbuf_get_u8(&r, &u8));
	assert_int_equal(u8, 0x01);
	assert_false(rbuf_get_u8(&r, &u8));

	rbuf_init(&r, pattern, 2);
	assert_true(rbuf_get_u16(&r, &u16));
	assert_int_equal(u16, 0x0102);
	rbuf_init(&r, pattern, 3);
	assert_true(rbuf_get_u24(&r, &u32));
	assert_int_equal(u32, 0x010203);
	rbuf_init(&r, pattern, 4);
	assert_true(rbuf_get_u32(&r, &u32));
	assert_int_equal(u32, 0x01020304);
	rbuf_init(&r, pattern + 8, 8);
	assert_true(rbuf_get_u64(&r, &u64));
	assert_true(u64 == 0x899aabbccddeeff0ULL);
	assert_int_equal(rbuf_left(&r), 0);
}

/*
 * Each read at every length shorter than it needs fails and leaves the
 * reader exactly where it was.
 */
static void
test_truncation_consumes_nothing(void **state)
{
	static const size_t widths[] = { 1, 2, 3, 4, 8, 5, 16 };
	struct rbuf r, child;
	uint8_t out[16];
	const uint8_t *view;
	uint64_t v64;
	uint32_t v32;
	uint16_t v16;
	uint8_t v8;

	(void)state;
	for (size_t wi = 0; wi < sizeof(widths) / sizeof(widths[0]); wi++) {
		size_t w = widths[wi];

		for (size_t len = 0; len < w; len++) {
			bool ok;

			for (int op = 0; op < 9; op++) {
				/* start one byte in, to check off is kept */
				rbuf_init(&r, pattern, len + 1);
				assert_true(rbuf_skip(&r, 1));
				switch (op) {
				case 0:
					ok = w == 1 && rbuf_get_u8(&r, &v8);
					break;
				case 1:
					ok = w == 2 && rbuf_get_u16(&r, &v16);
					break;
				case 2:
					ok = w == 3 && rbuf_get_u24(&r, &v32);
					break;
				case 3:
					ok = w == 4 && rbuf_get_u32(&r, &v32);
					break;
				case 4:
					ok = w == 8 && rbuf_get_u64(&r, &v64);
					break;
				case 5:
					ok = rbuf_get_bytes(&r, out, w);
					break;
				case 6:
					ok = rbuf_view(&r, w, &view);
					break;
				case 7:
					ok = rbuf_sub(&r, w, &child);
					break;
				default:
					ok = rbuf_skip(&r, w);
					break;
				}
				assert_false(ok);
				assert_int_equal(r.off, 1);
				assert_int_equal(rbuf_left(&r), len);
			}
		}
	}
}

static void
test_peek_and_view(void **state)
{
	struct rbuf r;
	const uint8_t *view;
	uint16_t v16;
	uint8_t v8;

	(void)state;
	rbuf_init(&r, pattern, 3);
	assert_true(rbuf_peek_u16(&r, &v16));
	assert_int_equal(v16, 0x0102);
	assert_int_equal(r.off, 0);
	assert_true(rbuf_view(&r, 2, &view));
	assert_ptr_equal(view, pattern);
	assert_ptr_equal(rbuf_cur(&r), pattern + 2);
	assert_false(rbuf_peek_u16(&r, &v16));
	assert_true(rbuf_peek_u8(&r, &v8));
	assert_int_equal(v8, 0x03);
	assert_true(rbuf_skip(&r, 1));
	assert_false(rbuf_peek_u8(&r, &v8));
	/* zero-length operations at the end succeed */
	assert_true(rbuf_skip(&r, 0));
	assert_true(rbuf_view(&r, 0, &view));
}

/* A child reader cannot see past its parent's slice. */
static void
test_sub_is_bounded(void **state)
{
	struct rbuf r, c;
	uint32_t v;
	uint8_t b;

	(void)state;
	rbuf_init(&r, pattern, sizeof(pattern));
	assert_true(rbuf_skip(&r, 2));
	assert_true(rbuf_sub(&r, 3, &c));
	assert_int_equal(r.off, 5);
	assert_int_equal(rbuf_left(&c), 3);
	assert_false(rbuf_get_u32(&c, &v));
	assert_int_equal(c.off, 0);
	assert_true(rbuf_get_u8(&c, &b));
	assert_int_equal(b, 0x03);
	assert_false(rbuf_sub(&c, 3, &r));
}

static void
test_null_buffers(void **state)
{
	struct rbuf r;
	struct wbuf w;
	uint8_t v;

	(void)state;
	rbuf_init(&r, NULL, 10);
	assert_int_equal(rbuf_left(&r), 0);
	assert_false(rbuf_get_u8(&r, &v));
	assert_true(rbuf_skip(&r, 0));
	wbuf_init(&w, NULL, 10);
	wbuf_put_bytes(&w, "", 0);
	assert_true(wbuf_ok(&w));
	wbuf_put_u8(&w, 1);
	assert_false(wbuf_ok(&w));
	assert_int_equal(wbuf_len(&w), 0);
}

/* Big-endian encoding of every width. */
static void
test_put_widths(void **state)
{
	uint8_t out[32];
	struct wbuf w;
	static const uint8_t want[] = {
		0xab, 0x01, 0x02, 0x01, 0x02, 0x03, 0x01, 0x02, 0x03, 0x04,
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x00, 0x00,
		0xee
	};

	(void)state;
	wbuf_init(&w, out, sizeof(out));
	wbuf_put_u8(&w, 0xab);
	wbuf_put_u16(&w, 0x0102);
	wbuf_put_u24(&w, 0x010203);
	wbuf_put_u32(&w, 0x01020304);
	wbuf_put_u64(&w, 0x0102030405060708ULL);
	wbuf_put_zero(&w, 2);
	wbuf_put_bytes(&w, "\xee", 1);
	assert_true(wbuf_ok(&w));
	assert_int_equal(wbuf_len(&w), sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
}

/*
 * Overflow is sticky: once a put does not fit, later puts that would fit
 * are no-ops, nothing is written past the capacity.
 */
static void
test_overflow_sticky(void **state)
{
	uint8_t out[8];
	struct wbuf w;

	(void)state;
	memset(out, 0x55, sizeof(out));
	wbuf_init(&w, out, 5);
	wbuf_put_u32(&w, 0xdeadbeef);
	assert_true(wbuf_ok(&w));
	wbuf_put_u16(&w, 0x1234);
	assert_false(wbuf_ok(&w));
	wbuf_put_u8(&w, 0x77);
	assert_false(wbuf_ok(&w));
	assert_int_equal(wbuf_len(&w), 4);
	assert_int_equal(out[4], 0x55);
	assert_null(wbuf_reserve(&w, 0));

	/* a u24 that does not fit 24 bits is a builder bug */
	wbuf_init(&w, out, sizeof(out));
	wbuf_put_u24(&w, 0x1000000);
	assert_false(wbuf_ok(&w));
}

static void
test_patch_bounds(void **state)
{
	uint8_t out[8];
	struct wbuf w;
	size_t mark;

	(void)state;
	wbuf_init(&w, out, sizeof(out));
	wbuf_put_u8(&w, 1);
	mark = wbuf_mark(&w);
	wbuf_put_u16(&w, 0);
	wbuf_put_u8(&w, 9);
	wbuf_patch_u16(&w, mark, 0xbeef);
	assert_true(wbuf_ok(&w));
	assert_int_equal(out[1], 0xbe);
	assert_int_equal(out[2], 0xef);
	/* 2 bytes at offset 3 go past what was written (len 4) */
	wbuf_patch_u16(&w, 3, 1);
	assert_false(wbuf_ok(&w));
	assert_int_equal(out[3], 9);

	wbuf_init(&w, out, sizeof(out));
	wbuf_put_u32(&w, 0);
	wbuf_patch_u32(&w, 0, 0x01020304);
	assert_true(wbuf_ok(&w));
	wbuf_patch_u32(&w, SIZE_MAX, 1);
	assert_false(wbuf_ok(&w));
}

/*
 * A TLV walker written as STYLE.md section 5 says (type u8, length u16
 * counting the 3-byte header, body): the pattern every codec follows.
 * Returns the number of TLVs read, -1 on a malformed chain.
 */
static int
tlv_walk(const uint8_t *p, size_t len, uint8_t *types, size_t max)
{
	struct rbuf r, body;
	int n = 0;

	rbuf_init(&r, p, len);
	while (rbuf_left(&r) > 0) {
		uint8_t type;
		uint16_t declared;

		if (!rbuf_get_u8(&r, &type) || !rbuf_get_u16(&r, &declared))
			return -1;
		if (declared < 3 || (size_t)declared - 3 > rbuf_left(&r))
			return -1;
		if (!rbuf_sub(&r, declared - 3, &body))
			return -1;
		if ((size_t)n < max)
			types[n] = type;
		n++;
	}
	return n;
}

static size_t
tlv_build(uint8_t *out, size_t cap, bool *ok)
{
	struct wbuf w;
	size_t mark;

	wbuf_init(&w, out, cap);
	for (uint8_t t = 1; t <= 3; t++) {
		wbuf_put_u8(&w, t);
		mark = wbuf_mark(&w);
		wbuf_put_u16(&w, 0);
		wbuf_put_zero(&w, t * 2);
		wbuf_patch_u16(&w, mark, (uint16_t)(3 + t * 2));
	}
	*ok = wbuf_ok(&w);
	return wbuf_len(&w);
}

/* Round trip, and the builder fails at every capacity short of the size. */
static void
test_tlv_round_trip(void **state)
{
	uint8_t out[64], types[4];
	size_t len, cap;
	bool ok;

	(void)state;
	len = tlv_build(out, sizeof(out), &ok);
	assert_true(ok);
	assert_int_equal(len, 21);
	assert_int_equal(tlv_walk(out, len, types, 4), 3);
	assert_int_equal(types[0], 1);
	assert_int_equal(types[2], 3);
	for (cap = 0; cap < len; cap++) {
		tlv_build(out, cap, &ok);
		assert_false(ok);
	}
	tlv_build(out, len, &ok);
	assert_true(ok);
}

/* Every truncation of a valid chain is refused, never over-read. */
static void
test_tlv_truncations(void **state)
{
	uint8_t out[64], types[4];
	size_t len;
	bool ok;

	(void)state;
	len = tlv_build(out, sizeof(out), &ok);
	for (size_t l = 1; l < len; l++) {
		int n = tlv_walk(out, l, types, 4);

		/* cut exactly between TLVs: a shorter valid chain */
		if (l == 5 || l == 12)
			assert_int_equal(n, l == 5 ? 1 : 2);
		else
			assert_int_equal(n, -1);
	}
}

/* The length field of the middle TLV at -1, 0 (exact), +1, and < header. */
static void
test_tlv_length_boundaries(void **state)
{
	uint8_t out[64], types[4];
	size_t len;
	bool ok;

	(void)state;
	len = tlv_build(out, sizeof(out), &ok);
	/* second TLV starts at 5, its length at 6..7, value 7 */
	out[7] = 7 - 1;
	assert_int_equal(tlv_walk(out, len, types, 4), -1);
	out[7] = 7 + 1;
	assert_int_equal(tlv_walk(out, len, types, 4), -1);
	out[7] = 7;
	assert_int_equal(tlv_walk(out, len, types, 4), 3);
	/* the last TLV: +1 runs past the buffer */
	out[14] = 9 + 1;
	assert_int_equal(tlv_walk(out, len, types, 4), -1);
	out[14] = 9;
	/* a declared length shorter than the header itself */
	out[7] = 2;
	assert_int_equal(tlv_walk(out, len, types, 4), -1);
	out[6] = 0xff;
	out[7] = 0xff;
	assert_int_equal(tlv_walk(out, len, types, 4), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_widths),
		cmocka_unit_test(test_truncation_consumes_nothing),
		cmocka_unit_test(test_peek_and_view),
		cmocka_unit_test(test_sub_is_bounded),
		cmocka_unit_test(test_null_buffers),
		cmocka_unit_test(test_put_widths),
		cmocka_unit_test(test_overflow_sticky),
		cmocka_unit_test(test_patch_bounds),
		cmocka_unit_test(test_tlv_round_trip),
		cmocka_unit_test(test_tlv_truncations),
		cmocka_unit_test(test_tlv_length_boundaries),
	};

	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
