/*
 * isakmp_build.c - ISAKMP/IKEv1 builders mirroring the parsers in
 * isakmp.c (contracts in isakmp.h). Lengths and "next payload" bytes are
 * written as placeholders and patched when the item closes; the "next"
 * byte is patched together with the byte after it (wbuf_patch_u16), which
 * the builder itself wrote and remembers.
 */
#include <string.h>

#include "ikd/isakmp.h"

#define NO_OFF	SIZE_MAX

/* Offsets inside the items (RFC 2408 3.1, 3.2, 3.5, 3.6). */
#define HDR_NEXT_OFF	16
#define HDR_LENGTH_OFF	24
#define GEN_LENGTH_OFF	2
#define PROP_SPI_SIZE_OFF 6

void
isakmp_hdr_build(struct wbuf *w, const struct isakmp_hdr *h)
{
	wbuf_put_bytes(w, h->icookie, ISAKMP_COOKIE_LEN);
	wbuf_put_bytes(w, h->rcookie, ISAKMP_COOKIE_LEN);
	wbuf_put_u8(w, h->next);
	wbuf_put_u8(w, h->version);
	wbuf_put_u8(w, h->exchange);
	wbuf_put_u8(w, h->flags);
	wbuf_put_u32(w, h->msgid);
	wbuf_put_u32(w, h->length);
}

void
isakmp_builder_init(struct isakmp_builder *b, struct wbuf *w,
    const struct isakmp_hdr *h)
{
	struct isakmp_hdr hh;

	memset(b, 0, sizeof(*b));
	b->w = w;
	b->start = wbuf_mark(w);
	b->next_off = NO_OFF;
	b->first = ISAKMP_PAYLOAD_NONE;
	b->pl_off = NO_OFF;
	b->prop_off = NO_OFF;
	b->prev_prop = NO_OFF;
	b->xf_off = NO_OFF;
	b->prev_xf = NO_OFF;
	if (h == NULL)
		return;
	hh = *h;
	hh.next = ISAKMP_PAYLOAD_NONE;
	hh.length = 0;
	isakmp_hdr_build(w, &hh);
	b->has_hdr = true;
	b->next_off = b->start + HDR_NEXT_OFF;
	b->next_follow = hh.version;
}

/* Write `type` into the pending "next payload" byte, if any. */
static void
link_next(struct isakmp_builder *b, uint8_t type)
{
	if (b->next_off != NO_OFF)
		wbuf_patch_u16(b->w, b->next_off,
		    (uint16_t)(type << 8 | b->next_follow));
	if (b->first == ISAKMP_PAYLOAD_NONE)
		b->first = type;
}

/* Patch the 16-bit length at off + 2 of an item that starts at off. */
static void
close_len(struct isakmp_builder *b, size_t off)
{
	size_t len = wbuf_mark(b->w) - off;

	if (!wbuf_ok(b->w))
		return;
	if (len > UINT16_MAX) {
		b->bad = true;
		return;
	}
	wbuf_patch_u16(b->w, off + GEN_LENGTH_OFF, (uint16_t)len);
}

size_t
isakmp_build_payload_begin(struct isakmp_builder *b, uint8_t type)
{
	size_t off = wbuf_mark(b->w);

	if (b->pl_off != NO_OFF || type == ISAKMP_PAYLOAD_NONE)
		b->bad = true;
	link_next(b, type);
	/* RFC 2408 3.2: next (patched later), reserved 0, length */
	wbuf_put_u8(b->w, ISAKMP_PAYLOAD_NONE);
	wbuf_put_u8(b->w, 0);
	wbuf_put_u16(b->w, 0);
	b->next_off = off;
	b->next_follow = 0;
	b->pl_off = off;
	return off;
}

void
isakmp_build_payload_end(struct isakmp_builder *b)
{
	if (b->pl_off == NO_OFF || b->in_sa) {
		b->bad = true;
		return;
	}
	close_len(b, b->pl_off);
	b->pl_off = NO_OFF;
}

bool
isakmp_builder_finish(struct isakmp_builder *b, size_t *len)
{
	size_t total = wbuf_mark(b->w) - b->start;

	if (b->pl_off != NO_OFF || b->in_sa || b->prop_off != NO_OFF ||
	    b->xf_off != NO_OFF)
		b->bad = true;
	if (b->has_hdr) {
		if (total > UINT32_MAX)
			b->bad = true;
		else
			wbuf_patch_u32(b->w, b->start + HDR_LENGTH_OFF,
			    (uint32_t)total);
	}
	if (b->bad || !wbuf_ok(b->w))
		return false;
	if (len != NULL)
		*len = total;
	return true;
}

/* RFC 2408 3.4, RFC 2407 4.6.1 */
void
isakmp_build_sa_begin(struct isakmp_builder *b, uint32_t doi,
    uint32_t situation)
{
	(void)isakmp_build_payload_begin(b, ISAKMP_PAYLOAD_SA);
	wbuf_put_u32(b->w, doi);
	wbuf_put_u32(b->w, situation);
	b->in_sa = true;
	b->prev_prop = NO_OFF;
}

/* RFC 2408 3.5 */
void
isakmp_build_proposal_begin(struct isakmp_builder *b, uint8_t number,
    uint8_t protocol, const uint8_t *spi, uint8_t spi_size)
{
	size_t off = wbuf_mark(b->w);

	if (!b->in_sa || b->prop_off != NO_OFF ||
	    !isakmp_spi_size_ok(ISAKMP_PAYLOAD_P, protocol, spi_size) ||
	    (spi == NULL && spi_size > 0))
		b->bad = true;
	if (b->prev_prop != NO_OFF)
		wbuf_patch_u16(b->w, b->prev_prop, ISAKMP_PAYLOAD_P << 8);
	wbuf_put_u8(b->w, ISAKMP_PAYLOAD_NONE);
	wbuf_put_u8(b->w, 0);
	wbuf_put_u16(b->w, 0);
	wbuf_put_u8(b->w, number);
	wbuf_put_u8(b->w, protocol);
	wbuf_put_u8(b->w, spi_size);
	wbuf_put_u8(b->w, 0);		/* # transforms, patched */
	if (spi != NULL)
		wbuf_put_bytes(b->w, spi, spi_size);
	b->prop_off = off;
	b->prop_spi_size = spi_size;
	b->nxf = 0;
	b->prev_xf = NO_OFF;
}

/* RFC 2408 3.6 */
void
isakmp_build_transform_begin(struct isakmp_builder *b, uint8_t number,
    uint8_t id)
{
	size_t off = wbuf_mark(b->w);

	if (b->prop_off == NO_OFF || b->xf_off != NO_OFF)
		b->bad = true;
	if (b->prev_xf != NO_OFF)
		wbuf_patch_u16(b->w, b->prev_xf, ISAKMP_PAYLOAD_T << 8);
	wbuf_put_u8(b->w, ISAKMP_PAYLOAD_NONE);
	wbuf_put_u8(b->w, 0);
	wbuf_put_u16(b->w, 0);
	wbuf_put_u8(b->w, number);
	wbuf_put_u8(b->w, id);
	wbuf_put_u16(b->w, 0);
	b->xf_off = off;
}

/* RFC 2408 3.3 */
void
isakmp_build_attr(struct isakmp_builder *b, uint16_t type, uint64_t value)
{
	if (b->xf_off == NO_OFF || (type & ISAKMP_ATTR_AF))
		b->bad = true;
	if (value <= UINT16_MAX) {
		wbuf_put_u16(b->w, type | ISAKMP_ATTR_AF);
		wbuf_put_u16(b->w, (uint16_t)value);
	} else if (value <= UINT32_MAX) {
		wbuf_put_u16(b->w, type);
		wbuf_put_u16(b->w, 4);
		wbuf_put_u32(b->w, (uint32_t)value);
	} else {
		wbuf_put_u16(b->w, type);
		wbuf_put_u16(b->w, 8);
		wbuf_put_u64(b->w, value);
	}
}

void
isakmp_build_attr_copy(struct isakmp_builder *b,
    const struct isakmp_attr *attr)
{
	if (b->xf_off == NO_OFF || (attr->type & ISAKMP_ATTR_AF) ||
	    (attr->tv && attr->len != 2) ||
	    (attr->value == NULL && attr->len > 0)) {
		b->bad = true;
		return;
	}
	if (attr->tv) {
		wbuf_put_u16(b->w, attr->type | ISAKMP_ATTR_AF);
	} else {
		wbuf_put_u16(b->w, attr->type);
		wbuf_put_u16(b->w, attr->len);
	}
	if (attr->len > 0)
		wbuf_put_bytes(b->w, attr->value, attr->len);
}

void
isakmp_build_transform_end(struct isakmp_builder *b)
{
	if (b->xf_off == NO_OFF) {
		b->bad = true;
		return;
	}
	close_len(b, b->xf_off);
	b->prev_xf = b->xf_off;
	b->xf_off = NO_OFF;
	b->nxf++;
}

void
isakmp_build_proposal_end(struct isakmp_builder *b)
{
	/* RFC 2408 3.5: at least one transform, counted in 8 bits */
	if (b->prop_off == NO_OFF || b->xf_off != NO_OFF || b->nxf == 0 ||
	    b->nxf > UINT8_MAX) {
		b->bad = true;
		return;
	}
	close_len(b, b->prop_off);
	wbuf_patch_u16(b->w, b->prop_off + PROP_SPI_SIZE_OFF,
	    (uint16_t)(b->prop_spi_size << 8 | b->nxf));
	b->prev_prop = b->prop_off;
	b->prop_off = NO_OFF;
}

void
isakmp_build_sa_end(struct isakmp_builder *b)
{
	if (!b->in_sa || b->prop_off != NO_OFF || b->prev_prop == NO_OFF) {
		b->bad = true;
		return;
	}
	b->in_sa = false;
	isakmp_build_payload_end(b);
}

void
isakmp_build_sa(struct isakmp_builder *b, const struct isakmp_sa_spec *s)
{
	if (s->attrs == NULL && s->nattrs > 0) {
		b->bad = true;
		return;
	}
	isakmp_build_sa_begin(b, s->doi, s->situation);
	isakmp_build_proposal_begin(b, s->proposal, s->protocol, s->spi,
	    s->spi_size);
	isakmp_build_transform_begin(b, s->transform, s->transform_id);
	for (size_t i = 0; i < s->nattrs; i++)
		isakmp_build_attr(b, s->attrs[i].type, s->attrs[i].value);
	isakmp_build_transform_end(b);
	isakmp_build_proposal_end(b);
	isakmp_build_sa_end(b);
}

size_t
isakmp_build_data(struct isakmp_builder *b, uint8_t type,
    const uint8_t *data, size_t len)
{
	size_t off;

	if (!isakmp_data_len_ok(type, len))
		b->bad = true;
	(void)isakmp_build_payload_begin(b, type);
	off = wbuf_mark(b->w);
	if (data != NULL)
		wbuf_put_bytes(b->w, data, len);
	else
		wbuf_put_zero(b->w, len);
	isakmp_build_payload_end(b);
	return off;
}

/* Opaque tail of a payload; NULL with a length is a caller bug. */
static void
put_tail(struct isakmp_builder *b, const uint8_t *data, size_t len)
{
	if (data == NULL && len > 0) {
		b->bad = true;
		return;
	}
	if (len > 0)
		wbuf_put_bytes(b->w, data, len);
}

/* RFC 2407 4.6.2 */
void
isakmp_build_id(struct isakmp_builder *b, const struct isakmp_id *id)
{
	if (!isakmp_id_len_ok(id->type, id->len))
		b->bad = true;
	(void)isakmp_build_payload_begin(b, ISAKMP_PAYLOAD_ID);
	wbuf_put_u8(b->w, id->type);
	wbuf_put_u8(b->w, id->protocol);
	wbuf_put_u16(b->w, id->port);
	put_tail(b, id->data, id->len);
	isakmp_build_payload_end(b);
}

/* RFC 2408 3.9, 3.10 */
void
isakmp_build_cert(struct isakmp_builder *b, uint8_t type,
    const struct isakmp_cert *c)
{
	if ((type != ISAKMP_PAYLOAD_CERT && type != ISAKMP_PAYLOAD_CR) ||
	    (type == ISAKMP_PAYLOAD_CERT && c->len == 0))
		b->bad = true;
	(void)isakmp_build_payload_begin(b, type);
	wbuf_put_u8(b->w, c->encoding);
	put_tail(b, c->data, c->len);
	isakmp_build_payload_end(b);
}

/* RFC 2408 3.14 */
void
isakmp_build_notify(struct isakmp_builder *b, const struct isakmp_notify *n)
{
	if (!isakmp_spi_size_ok(ISAKMP_PAYLOAD_N, n->protocol, n->spi_size))
		b->bad = true;
	(void)isakmp_build_payload_begin(b, ISAKMP_PAYLOAD_N);
	wbuf_put_u32(b->w, n->doi);
	wbuf_put_u8(b->w, n->protocol);
	wbuf_put_u8(b->w, n->spi_size);
	wbuf_put_u16(b->w, n->type);
	put_tail(b, n->spi, n->spi_size);
	put_tail(b, n->data, n->len);
	isakmp_build_payload_end(b);
}

/* RFC 2408 3.15 */
void
isakmp_build_delete(struct isakmp_builder *b, const struct isakmp_delete *d)
{
	if (!isakmp_spi_size_ok(ISAKMP_PAYLOAD_D, d->protocol, d->spi_size) ||
	    d->count == 0)
		b->bad = true;
	(void)isakmp_build_payload_begin(b, ISAKMP_PAYLOAD_D);
	wbuf_put_u32(b->w, d->doi);
	wbuf_put_u8(b->w, d->protocol);
	wbuf_put_u8(b->w, d->spi_size);
	wbuf_put_u16(b->w, d->count);
	put_tail(b, d->spis, (size_t)d->count * d->spi_size);
	isakmp_build_payload_end(b);
}

/* RFC 3947 5.2 */
void
isakmp_build_nat_oa(struct isakmp_builder *b, uint8_t type,
    const struct isakmp_nat_oa *oa)
{
	if ((type != ISAKMP_PAYLOAD_NAT_OA &&
	    type != ISAKMP_PAYLOAD_NAT_OA_DRAFT) ||
	    !((oa->id_type == IPSEC_ID_IPV4_ADDR && oa->len == 4) ||
	    (oa->id_type == IPSEC_ID_IPV6_ADDR && oa->len == 16)))
		b->bad = true;
	(void)isakmp_build_payload_begin(b, type);
	wbuf_put_u8(b->w, oa->id_type);
	wbuf_put_zero(b->w, 3);
	put_tail(b, oa->addr, oa->len);
	isakmp_build_payload_end(b);
}

/* [MS-IKEE] Fragment Payload */
void
isakmp_build_frag(struct isakmp_builder *b, const struct isakmp_frag *f)
{
	if (f->len == 0)
		b->bad = true;
	(void)isakmp_build_payload_begin(b, ISAKMP_PAYLOAD_FRAG);
	wbuf_put_u16(b->w, f->id);
	wbuf_put_u8(b->w, f->number);
	wbuf_put_u8(b->w, f->flags);
	put_tail(b, f->data, f->len);
	isakmp_build_payload_end(b);
}
