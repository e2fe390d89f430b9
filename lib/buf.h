/*
 * buf.h - bounded reader and writer for every byte that crosses the wire.
 *
 * Reader: every get checks the remaining length first; a failed read
 * returns false and consumes nothing, so a parser can stop at the first
 * failure with the reader still pointing at the offending field.
 * Writer: every put checks capacity; the first overflow makes the writer
 * sticky (all later puts are no-ops, wbuf_ok() is false), so a builder
 * writes its whole message and checks wbuf_ok() once at the end.
 * Multi-byte integers are network order (big endian) unless named _le.
 */
#ifndef LIB_BUF_H
#define LIB_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rbuf {
	const uint8_t *p;
	size_t len;
	size_t off;
};

struct wbuf {
	uint8_t *p;
	size_t cap;
	size_t len;
	bool overflow;
};

/* Reader over p[0..len). p is borrowed and must outlive the reader. */
void rbuf_init(struct rbuf *r, const void *p, size_t len);
/* Bytes not yet consumed. */
size_t rbuf_left(const struct rbuf *r);
/* Pointer to the next unread byte (valid while the buffer lives). */
const uint8_t *rbuf_cur(const struct rbuf *r);

bool rbuf_get_u8(struct rbuf *r, uint8_t *v);
bool rbuf_get_u16(struct rbuf *r, uint16_t *v);
bool rbuf_get_u24(struct rbuf *r, uint32_t *v);
bool rbuf_get_u32(struct rbuf *r, uint32_t *v);
bool rbuf_get_u64(struct rbuf *r, uint64_t *v);
/* Copy n bytes out into dst. */
bool rbuf_get_bytes(struct rbuf *r, void *dst, size_t n);
/* Borrow n bytes: *view points into the buffer. */
bool rbuf_view(struct rbuf *r, size_t n, const uint8_t **view);
/* Consume n bytes into a child reader limited to exactly those n bytes. */
bool rbuf_sub(struct rbuf *r, size_t n, struct rbuf *child);
bool rbuf_skip(struct rbuf *r, size_t n);
/* Look at the next bytes without consuming them. */
bool rbuf_peek_u8(const struct rbuf *r, uint8_t *v);
bool rbuf_peek_u16(const struct rbuf *r, uint16_t *v);

/* Writer over p[0..cap). p is borrowed; len starts at 0. */
void wbuf_init(struct wbuf *w, void *p, size_t cap);
void wbuf_put_u8(struct wbuf *w, uint8_t v);
void wbuf_put_u16(struct wbuf *w, uint16_t v);
void wbuf_put_u24(struct wbuf *w, uint32_t v);
void wbuf_put_u32(struct wbuf *w, uint32_t v);
void wbuf_put_u64(struct wbuf *w, uint64_t v);
void wbuf_put_bytes(struct wbuf *w, const void *src, size_t n);
void wbuf_put_zero(struct wbuf *w, size_t n);
/*
 * Reserve n bytes and return a pointer to them for the caller to fill
 * (e.g. a cipher writing in place), or NULL on overflow (then sticky).
 */
uint8_t *wbuf_reserve(struct wbuf *w, size_t n);
/* The current length: where a length field or a nested item starts. */
size_t wbuf_mark(const struct wbuf *w);
/*
 * Write v at offset off, already written (off + 2/4 <= len). A patch
 * outside what was written sets the overflow flag (a builder bug caught
 * by the final wbuf_ok check) and writes nothing.
 */
void wbuf_patch_u16(struct wbuf *w, size_t off, uint16_t v);
void wbuf_patch_u32(struct wbuf *w, size_t off, uint32_t v);
/* False once any put or patch did not fit. */
bool wbuf_ok(const struct wbuf *w);
/* Bytes written so far (meaningful only if wbuf_ok). */
size_t wbuf_len(const struct wbuf *w);

#endif
