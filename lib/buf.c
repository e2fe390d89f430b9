/*
 * buf.c - bounded reader and writer (see buf.h for the contract).
 */
#include <string.h>

#include "buf.h"

/* Stand-ins for a NULL buffer, so pointer arithmetic stays defined. */
static const uint8_t rbuf_empty[1];
static uint8_t wbuf_empty[1];

void
rbuf_init(struct rbuf *r, const void *p, size_t len)
{
	r->p = p == NULL ? rbuf_empty : p;
	r->len = p == NULL ? 0 : len;
	r->off = 0;
}

size_t
rbuf_left(const struct rbuf *r)
{
	return r->len - r->off;
}

const uint8_t *
rbuf_cur(const struct rbuf *r)
{
	return r->p + r->off;
}

/* Return a pointer to the next n bytes, or NULL (nothing consumed). */
static const uint8_t *
rbuf_take(struct rbuf *r, size_t n)
{
	const uint8_t *q;

	if (n > rbuf_left(r))
		return NULL;
	q = r->p + r->off;
	r->off += n;
	return q;
}

static uint64_t
be_read(const uint8_t *q, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = (v << 8) | q[i];
	return v;
}

bool
rbuf_get_u8(struct rbuf *r, uint8_t *v)
{
	const uint8_t *q = rbuf_take(r, 1);

	if (q == NULL)
		return false;
	*v = q[0];
	return true;
}

bool
rbuf_get_u16(struct rbuf *r, uint16_t *v)
{
	const uint8_t *q = rbuf_take(r, 2);

	if (q == NULL)
		return false;
	*v = (uint16_t)be_read(q, 2);
	return true;
}

bool
rbuf_get_u24(struct rbuf *r, uint32_t *v)
{
	const uint8_t *q = rbuf_take(r, 3);

	if (q == NULL)
		return false;
	*v = (uint32_t)be_read(q, 3);
	return true;
}

bool
rbuf_get_u32(struct rbuf *r, uint32_t *v)
{
	const uint8_t *q = rbuf_take(r, 4);

	if (q == NULL)
		return false;
	*v = (uint32_t)be_read(q, 4);
	return true;
}

bool
rbuf_get_u64(struct rbuf *r, uint64_t *v)
{
	const uint8_t *q = rbuf_take(r, 8);

	if (q == NULL)
		return false;
	*v = be_read(q, 8);
	return true;
}

bool
rbuf_get_bytes(struct rbuf *r, void *dst, size_t n)
{
	const uint8_t *q = rbuf_take(r, n);

	if (q == NULL)
		return false;
	if (n > 0)
		memcpy(dst, q, n);
	return true;
}

bool
rbuf_view(struct rbuf *r, size_t n, const uint8_t **view)
{
	const uint8_t *q = rbuf_take(r, n);

	if (q == NULL)
		return false;
	*view = q;
	return true;
}

bool
rbuf_sub(struct rbuf *r, size_t n, struct rbuf *child)
{
	const uint8_t *q = rbuf_take(r, n);

	if (q == NULL)
		return false;
	child->p = q;
	child->len = n;
	child->off = 0;
	return true;
}

bool
rbuf_skip(struct rbuf *r, size_t n)
{
	return rbuf_take(r, n) != NULL;
}

bool
rbuf_peek_u8(const struct rbuf *r, uint8_t *v)
{
	if (rbuf_left(r) < 1)
		return false;
	*v = r->p[r->off];
	return true;
}

bool
rbuf_peek_u16(const struct rbuf *r, uint16_t *v)
{
	if (rbuf_left(r) < 2)
		return false;
	*v = (uint16_t)be_read(r->p + r->off, 2);
	return true;
}

void
wbuf_init(struct wbuf *w, void *p, size_t cap)
{
	w->p = p == NULL ? wbuf_empty : p;
	w->cap = p == NULL ? 0 : cap;
	w->len = 0;
	w->overflow = false;
}

uint8_t *
wbuf_reserve(struct wbuf *w, size_t n)
{
	uint8_t *q;

	if (w->overflow || n > w->cap - w->len) {
		w->overflow = true;
		return NULL;
	}
	q = w->p + w->len;
	w->len += n;
	return q;
}

static void
be_write(uint8_t *q, uint64_t v, size_t n)
{
	for (size_t i = n; i > 0; i--) {
		q[i - 1] = (uint8_t)v;
		v >>= 8;
	}
}

static void
wbuf_put_be(struct wbuf *w, uint64_t v, size_t n)
{
	uint8_t *q = wbuf_reserve(w, n);

	if (q != NULL)
		be_write(q, v, n);
}

void
wbuf_put_u8(struct wbuf *w, uint8_t v)
{
	wbuf_put_be(w, v, 1);
}

void
wbuf_put_u16(struct wbuf *w, uint16_t v)
{
	wbuf_put_be(w, v, 2);
}

void
wbuf_put_u24(struct wbuf *w, uint32_t v)
{
	/* A value that does not fit 24 bits is a builder bug: fail sticky. */
	if (v > 0xffffff) {
		w->overflow = true;
		return;
	}
	wbuf_put_be(w, v, 3);
}

void
wbuf_put_u32(struct wbuf *w, uint32_t v)
{
	wbuf_put_be(w, v, 4);
}

void
wbuf_put_u64(struct wbuf *w, uint64_t v)
{
	wbuf_put_be(w, v, 8);
}

void
wbuf_put_bytes(struct wbuf *w, const void *src, size_t n)
{
	uint8_t *q = wbuf_reserve(w, n);

	if (q != NULL && n > 0)
		memcpy(q, src, n);
}

void
wbuf_put_zero(struct wbuf *w, size_t n)
{
	uint8_t *q = wbuf_reserve(w, n);

	if (q != NULL && n > 0)
		memset(q, 0, n);
}

size_t
wbuf_mark(const struct wbuf *w)
{
	return w->len;
}

static void
wbuf_patch_be(struct wbuf *w, size_t off, uint64_t v, size_t n)
{
	if (w->overflow)
		return;
	if (off > w->len || n > w->len - off) {
		w->overflow = true;
		return;
	}
	be_write(w->p + off, v, n);
}

void
wbuf_patch_u16(struct wbuf *w, size_t off, uint16_t v)
{
	wbuf_patch_be(w, off, v, 2);
}

void
wbuf_patch_u32(struct wbuf *w, size_t off, uint32_t v)
{
	wbuf_patch_be(w, off, v, 4);
}

bool
wbuf_ok(const struct wbuf *w)
{
	return !w->overflow;
}

size_t
wbuf_len(const struct wbuf *w)
{
	return w->len;
}
