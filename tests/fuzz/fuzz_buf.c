/*
 * fuzz_buf.c - drive the bounded reader and writer with a program taken
 * from the input and check their contract after every step: a failed read
 * consumes nothing, the offset never passes the length, a child reader
 * never reaches outside its parent, the writer never writes past its
 * capacity and stays failed once it overflowed.
 *
 * Input: first byte = split point s; bytes [1, 1+s) are the opcode
 * program, the rest is the data read by it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define WCAP 64

static void
check(int cond)
{
	if (!cond)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rbuf r, child;
	struct wbuf w;
	uint8_t guard[WCAP + 16];
	uint8_t tmp[256];
	const uint8_t *view;
	size_t s, np;
	const uint8_t *prog;
	int in_child = 0;

	if (size < 1)
		return 0;
	s = data[0];
	np = s < size - 1 ? s : size - 1;
	prog = data + 1;
	rbuf_init(&r, data + 1 + np, size - 1 - np);
	memset(guard, 0xa5, sizeof(guard));
	wbuf_init(&w, guard, WCAP);

	for (size_t i = 0; i < np; i++) {
		struct rbuf *cur = in_child ? &child : &r;
		struct rbuf before = *cur;
		uint8_t op = prog[i] & 0x0f, arg = prog[i] >> 4;
		size_t n = arg * 3u;
		bool ok = true, wover = !wbuf_ok(&w);
		uint64_t v64;
		uint32_t v32;
		uint16_t v16;
		uint8_t v8;

		switch (op) {
		case 0:
			ok = rbuf_get_u8(cur, &v8);
			wbuf_put_u8(&w, v8);
			break;
		case 1:
			ok = rbuf_get_u16(cur, &v16);
			break;
		case 2:
			ok = rbuf_get_u24(cur, &v32);
			break;
		case 3:
			ok = rbuf_get_u32(cur, &v32);
			wbuf_put_u32(&w, v32);
			break;
		case 4:
			ok = rbuf_get_u64(cur, &v64);
			break;
		case 5:
			ok = rbuf_get_bytes(cur, tmp, n);
			if (ok)
				wbuf_put_bytes(&w, tmp, n);
			break;
		case 6:
			ok = rbuf_view(cur, n, &view);
			if (ok && n > 0)
				check(view >= before.p &&
				    view + n <= before.p + before.len);
			break;
		case 7:
			if (!in_child) {
				ok = rbuf_sub(&r, n, &child);
				if (ok) {
					check(child.p >= r.p &&
					    child.p + child.len <=
					    r.p + r.len);
					in_child = 1;
				}
			} else
				in_child = 0;
			break;
		case 8:
			ok = rbuf_skip(cur, n);
			break;
		case 9:
			wbuf_patch_u16(&w, n, 0x1234);
			break;
		case 10:
			wbuf_patch_u32(&w, n, 0x12345678);
			break;
		case 11:
			wbuf_put_zero(&w, n);
			break;
		case 12:
			(void)wbuf_reserve(&w, n);
			break;
		case 13:
			wbuf_put_u24(&w, (uint32_t)n << 20);
			break;
		default:
			ok = rbuf_peek_u16(cur, &v16) || true;
			break;
		}
		if (!ok)
			check(cur->off == before.off && cur->len == before.len);
		check(cur->off <= cur->len);
		check(w.len <= w.cap);
		if (wover)
			check(!wbuf_ok(&w));
	}
	for (size_t i = WCAP; i < sizeof(guard); i++)
		check(guard[i] == 0xa5);
	return 0;
}
