/*
 * fuzz_isakmp.c - the ISAKMP codec on arbitrary input: header, payload
 * chain (plaintext or encrypted rules), every typed body parser on every
 * payload found, the SA iterators, vendor ID lookup, then a rebuild of
 * the message from the parsed structures that must succeed, have the
 * same size, parse again to the same payload list and, when the input
 * had no non-zero reserved bytes, equal the input byte for byte.
 *
 * Input: byte 0 = mode. Bit 0: parse the chain as encrypted (padding
 * allowed). Bit 1: no header; byte 1 is the first payload type and the
 * rest is a bare chain. Otherwise the rest is a datagram (header first).
 * Seeds: tests/fuzz/corpus/isakmp/ (the unit test vectors written by
 * ISAKMP_VECTOR_DIR=... build/tests/unit/test_isakmp, and the strongSwan
 * packets from tests/vectors/, each behind a mode byte 0).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ikd/isakmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OUTCAP	(70 * 1024)

static void
check(int cond)
{
	if (!cond)
		abort();
}

/* A view [p, p + n) must lie inside the body. */
static void
inside(const struct rbuf *body, const uint8_t *p, size_t n)
{
	const uint8_t *lo = rbuf_cur(body), *hi = lo + rbuf_left(body);

	if (n == 0)
		return;
	check(p != NULL && p >= lo && p <= hi && n <= (size_t)(hi - p));
}

/* Walk a validated SA with the iterators: they must agree with it. */
static void
walk_sa(const struct rbuf *body, const struct isakmp_sa *sa)
{
	struct rbuf pit = sa->proposals, tit, ait;
	struct isakmp_proposal prop;
	struct isakmp_transform xf;
	struct isakmp_attr a;
	uint64_t v64;
	uint32_t v32;
	size_t np = 0, nt, na;

	while (isakmp_proposal_next(&pit, &prop)) {
		np++;
		inside(body, prop.spi, prop.spi_size);
		tit = prop.transforms;
		nt = 0;
		while (isakmp_transform_next(&tit, &xf)) {
			nt++;
			ait = xf.attrs;
			na = 0;
			while (isakmp_attr_next(&ait, &a)) {
				na++;
				inside(body, a.value, a.len);
				if (isakmp_attr_u32(&a, &v32))
					check(isakmp_attr_u64(&a, &v64) &&
					    v64 == v32);
				(void)isakmp_ike_attr_name(a.type);
				(void)isakmp_ipsec_attr_name(a.type);
			}
			check(na == xf.nattrs && rbuf_left(&ait) == 0);
		}
		check(nt == prop.ntransforms && rbuf_left(&tit) == 0);
	}
	check(np == sa->nproposals && rbuf_left(&pit) == 0);
}

/* Every typed parser on one body; returns the result of its own type. */
static enum isakmp_err
parse_all_kinds(const struct isakmp_payload *pl)
{
	static const uint8_t data_types[] = {
		ISAKMP_PAYLOAD_KE, ISAKMP_PAYLOAD_HASH, ISAKMP_PAYLOAD_SIG,
		ISAKMP_PAYLOAD_NONCE, ISAKMP_PAYLOAD_VID, ISAKMP_PAYLOAD_NAT_D,
		ISAKMP_PAYLOAD_NAT_D_DRAFT,
	};
	const struct rbuf *b = &pl->body;
	struct rbuf before = *b;
	struct isakmp_sa sa;
	struct isakmp_data d;
	struct isakmp_id id;
	struct isakmp_cert c;
	struct isakmp_notify n;
	struct isakmp_delete del;
	struct isakmp_nat_oa oa;
	struct isakmp_frag f;
	enum isakmp_err e, own = ISAKMP_ERR_WRONG_TYPE;
	uint32_t suffix;

	if ((e = isakmp_sa_parse(b, &sa)) == ISAKMP_OK) {
		check(sa.nproposals > 0);
		walk_sa(b, &sa);
	}
	if (pl->type == ISAKMP_PAYLOAD_SA)
		own = e;
	for (size_t i = 0; i < sizeof(data_types); i++) {
		e = isakmp_data_parse(b, data_types[i], &d);
		if (e == ISAKMP_OK) {
			inside(b, d.data, d.len);
			check(isakmp_data_len_ok(data_types[i], d.len));
		}
		if (pl->type == data_types[i])
			own = e;
	}
	check(isakmp_data_parse(b, ISAKMP_PAYLOAD_SA, &d) ==
	    ISAKMP_ERR_WRONG_TYPE);
	if ((e = isakmp_id_parse(b, &id)) == ISAKMP_OK)
		inside(b, id.data, id.len);
	if (pl->type == ISAKMP_PAYLOAD_ID)
		own = e;
	if ((e = isakmp_cert_parse(b, ISAKMP_PAYLOAD_CERT, &c)) == ISAKMP_OK)
		inside(b, c.data, c.len);
	if (pl->type == ISAKMP_PAYLOAD_CERT)
		own = e;
	if ((e = isakmp_cert_parse(b, ISAKMP_PAYLOAD_CR, &c)) == ISAKMP_OK)
		inside(b, c.data, c.len);
	if (pl->type == ISAKMP_PAYLOAD_CR)
		own = e;
	if ((e = isakmp_notify_parse(b, &n)) == ISAKMP_OK) {
		inside(b, n.spi, n.spi_size);
		inside(b, n.data, n.len);
		(void)isakmp_notify_name(n.type);
	}
	if (pl->type == ISAKMP_PAYLOAD_N)
		own = e;
	if ((e = isakmp_delete_parse(b, &del)) == ISAKMP_OK)
		inside(b, del.spis, (size_t)del.count * del.spi_size);
	if (pl->type == ISAKMP_PAYLOAD_D)
		own = e;
	if ((e = isakmp_nat_oa_parse(b, &oa)) == ISAKMP_OK) {
		check(oa.len == 4 || oa.len == 16);
		inside(b, oa.addr, oa.len);
	}
	if (pl->type == ISAKMP_PAYLOAD_NAT_OA ||
	    pl->type == ISAKMP_PAYLOAD_NAT_OA_DRAFT)
		own = e;
	if ((e = isakmp_frag_parse(b, &f)) == ISAKMP_OK)
		inside(b, f.data, f.len);
	if (pl->type == ISAKMP_PAYLOAD_FRAG)
		own = e;
	(void)isakmp_vid_name(isakmp_vid_lookup(rbuf_cur(b), rbuf_left(b),
	    &suffix));
	(void)isakmp_payload_name(pl->type);
	/* parsers read copies: the body view is untouched */
	check(b->p == before.p && b->off == before.off &&
	    b->len == before.len);
	return own;
}

static void
rebuild_sa(struct isakmp_builder *b, const struct isakmp_sa *sa)
{
	struct rbuf pit = sa->proposals, tit, ait;
	struct isakmp_proposal prop;
	struct isakmp_transform xf;
	struct isakmp_attr a;

	isakmp_build_sa_begin(b, sa->doi, sa->situation);
	while (isakmp_proposal_next(&pit, &prop)) {
		isakmp_build_proposal_begin(b, prop.number, prop.protocol,
		    prop.spi, prop.spi_size);
		tit = prop.transforms;
		while (isakmp_transform_next(&tit, &xf)) {
			isakmp_build_transform_begin(b, xf.number, xf.id);
			ait = xf.attrs;
			while (isakmp_attr_next(&ait, &a))
				isakmp_build_attr_copy(b, &a);
			isakmp_build_transform_end(b);
		}
		isakmp_build_proposal_end(b);
	}
	isakmp_build_sa_end(b);
}

/*
 * Rebuild one payload from its parsed structure; false if its own parser
 * refused it. *resv is set when the payload had non-zero reserved bytes
 * the builder writes as zero.
 */
static bool
rebuild_payload(struct isakmp_builder *b, const struct isakmp_payload *pl,
    bool *resv)
{
	struct isakmp_sa sa;
	struct isakmp_data d;
	struct isakmp_id id;
	struct isakmp_cert c;
	struct isakmp_notify n;
	struct isakmp_delete del;
	struct isakmp_nat_oa oa;
	struct isakmp_frag f;
	const struct rbuf *body = &pl->body;

	if (pl->reserved != 0)
		*resv = true;
	if (!pl->known) {
		(void)isakmp_build_payload_begin(b, pl->type);
		wbuf_put_bytes(b->w, rbuf_cur(body), rbuf_left(body));
		isakmp_build_payload_end(b);
		return true;
	}
	switch (pl->type) {
	case ISAKMP_PAYLOAD_SA:
		if (isakmp_sa_parse(body, &sa) != ISAKMP_OK)
			return false;
		if (sa.reserved_nonzero)
			*resv = true;
		rebuild_sa(b, &sa);
		return true;
	case ISAKMP_PAYLOAD_ID:
		if (isakmp_id_parse(body, &id) != ISAKMP_OK)
			return false;
		isakmp_build_id(b, &id);
		return true;
	case ISAKMP_PAYLOAD_CERT:
	case ISAKMP_PAYLOAD_CR:
		if (isakmp_cert_parse(body, pl->type, &c) != ISAKMP_OK)
			return false;
		isakmp_build_cert(b, pl->type, &c);
		return true;
	case ISAKMP_PAYLOAD_N:
		if (isakmp_notify_parse(body, &n) != ISAKMP_OK)
			return false;
		isakmp_build_notify(b, &n);
		return true;
	case ISAKMP_PAYLOAD_D:
		if (isakmp_delete_parse(body, &del) != ISAKMP_OK)
			return false;
		isakmp_build_delete(b, &del);
		return true;
	case ISAKMP_PAYLOAD_NAT_OA:
	case ISAKMP_PAYLOAD_NAT_OA_DRAFT:
		if (isakmp_nat_oa_parse(body, &oa) != ISAKMP_OK)
			return false;
		if (oa.reserved_nonzero)
			*resv = true;
		isakmp_build_nat_oa(b, pl->type, &oa);
		return true;
	case ISAKMP_PAYLOAD_FRAG:
		if (isakmp_frag_parse(body, &f) != ISAKMP_OK)
			return false;
		isakmp_build_frag(b, &f);
		return true;
	default:
		if (isakmp_data_parse(body, pl->type, &d) != ISAKMP_OK)
			return false;
		(void)isakmp_build_data(b, pl->type, d.data, d.len);
		return true;
	}
}

/*
 * Rebuild the chain p[0..len) (after an optional header h) and check the
 * result against the input.
 */
static void
rebuild_check(const struct isakmp_hdr *h, const uint8_t *in, size_t inlen,
    const uint8_t *chain, size_t chainlen, const struct isakmp_msg *m,
    bool encrypted)
{
	static uint8_t out[OUTCAP];
	static struct isakmp_msg m2;
	struct isakmp_builder b;
	struct isakmp_hdr h2;
	struct wbuf w;
	struct rbuf r;
	size_t outlen;
	bool resv = false;

	wbuf_init(&w, out, sizeof(out));
	isakmp_builder_init(&b, &w, h);
	for (size_t i = 0; i < m->npl; i++)
		if (!rebuild_payload(&b, &m->pl[i], &resv))
			return;
	wbuf_put_bytes(&w, chain + chainlen - m->padding, m->padding);
	check(isakmp_builder_finish(&b, &outlen));
	check(outlen == inlen);
	if (!resv)
		check(memcmp(out, in, inlen) == 0);

	if (h != NULL) {
		rbuf_init(&r, out, outlen);
		check(isakmp_hdr_parse(&r, &h2) == ISAKMP_OK);
		check(h2.next == (m->npl ? m->pl[0].type : 0));
	} else {
		rbuf_init(&r, out, outlen);
		h2.next = b.first;
	}
	check(isakmp_payloads_parse(rbuf_cur(&r), rbuf_left(&r), h2.next,
	    encrypted, &m2) == ISAKMP_OK);
	check(m2.npl == m->npl && m2.padding == m->padding &&
	    m2.unknown == m->unknown);
	for (size_t i = 0; i < m->npl; i++)
		check(m2.pl[i].type == m->pl[i].type &&
		    m2.pl[i].length == m->pl[i].length);
}

static void
check_msg(const struct isakmp_msg *m, const uint8_t *chain, size_t len)
{
	size_t total = 0, unknown = 0;

	check(m->npl <= ISAKMP_MAX_PAYLOADS);
	for (size_t i = 0; i < m->npl; i++) {
		const struct isakmp_payload *pl = &m->pl[i];

		check(pl->length >= ISAKMP_GENERIC_LEN);
		check(rbuf_left(&pl->body) == pl->length - 4u);
		check(rbuf_cur(&pl->body) == chain + pl->offset + 4);
		total += pl->length;
		if (!pl->known)
			unknown++;
	}
	check(unknown == m->unknown);
	check(total + m->padding == len);
	for (unsigned int t = 0; t < 256; t++) {
		const struct isakmp_payload *pl;
		size_t n = 0;

		for (pl = isakmp_msg_first(m, (uint8_t)t); pl != NULL;
		    pl = isakmp_msg_next(m, pl)) {
			check(pl->type == t);
			n++;
		}
		check(n == isakmp_msg_count(m, (uint8_t)t));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct isakmp_msg m;
	struct isakmp_hdr h;
	struct rbuf r;
	const uint8_t *chain;
	size_t chainlen;
	enum isakmp_err e;
	bool encrypted, bare, all_ok = true;
	uint8_t first;

	if (size < 2)
		return 0;
	encrypted = data[0] & 1;
	bare = data[0] & 2;
	if (bare) {
		first = data[1];
		chain = data + 2;
		chainlen = size - 2;
		e = ISAKMP_OK;
	} else {
		rbuf_init(&r, data + 1, size - 1);
		e = isakmp_hdr_parse(&r, &h);
		check(isakmp_err_name(e) != NULL);
		if (e == ISAKMP_OK) {
			check(r.off == ISAKMP_HDR_LEN);
			check(rbuf_left(&r) == h.length - ISAKMP_HDR_LEN);
		} else {
			check(r.off == 0);
		}
		if (size - 1 < ISAKMP_HDR_LEN)
			return 0;
		/* on a header failure still walk what follows it */
		first = data[1 + 16];
		chain = data + 1 + ISAKMP_HDR_LEN;
		chainlen = size - 1 - ISAKMP_HDR_LEN;
		(void)isakmp_exchange_name(data[1 + 18]);
	}

	if (isakmp_payloads_parse(chain, chainlen, first, encrypted, &m) !=
	    ISAKMP_OK)
		return 0;
	check_msg(&m, chain, chainlen);
	for (size_t i = 0; i < m.npl; i++) {
		enum isakmp_err own = parse_all_kinds(&m.pl[i]);

		if (m.pl[i].known && own != ISAKMP_OK)
			all_ok = false;
	}
	if (!all_ok)
		return 0;
	if (bare)
		rebuild_check(NULL, chain, chainlen, chain, chainlen, &m,
		    encrypted);
	else if (e == ISAKMP_OK)
		rebuild_check(&h, data + 1, size - 1, chain, chainlen, &m,
		    encrypted);
	return 0;
}
