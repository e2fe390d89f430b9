/*
 * isakmp.c - ISAKMP/IKEv1 parsing: header, payload chain and typed
 * payload bodies (contracts in isakmp.h). Every read goes through
 * lib/buf; every parser works on a copy of its reader and fills views
 * into the caller's buffer.
 */
#include <string.h>

#include "ikd/isakmp.h"

bool
isakmp_spi_size_ok(uint8_t where, uint8_t protocol, size_t size)
{
	switch (protocol) {
	case IPSEC_PROTO_ISAKMP:
		/*
		 * RFC 2408 3.5, 3.14: the cookie pair is the ISAKMP SPI, the
		 * size may be anything from 0 to 16 and the content is ignored;
		 * 3.15: a Delete names the SA by the pair, so 16.
		 */
		if (where == ISAKMP_PAYLOAD_D)
			return size == ISAKMP_SPI_MAX_ISAKMP;
		return size <= ISAKMP_SPI_MAX_ISAKMP;
	case IPSEC_PROTO_AH:
	case IPSEC_PROTO_ESP:
		/* RFC 2407 4.4.1: a 4-byte SPI; a notify may carry none */
		if (size == ISAKMP_SPI_SIZE_IPSEC)
			return true;
		return where == ISAKMP_PAYLOAD_N && size == 0;
	case IPSEC_PROTO_IPCOMP:
		/* RFC 2407 4.4.5, RFC 3173 4.1: the 2-byte CPI, or 4 bytes */
		if (size == 2 || size == 4)
			return true;
		return where == ISAKMP_PAYLOAD_N && size == 0;
	default:
		/*
		 * Unknown protocol: the caller answers INVALID-PROTOCOL-ID;
		 * syntax only needs the SPI to fit (and to exist in a D).
		 */
		return where != ISAKMP_PAYLOAD_D || size > 0;
	}
}

bool
isakmp_id_len_ok(uint8_t type, size_t len)
{
	/* RFC 2407 4.6.2.2 - 4.6.2.12 */
	switch (type) {
	case IPSEC_ID_IPV4_ADDR:
		return len == 4;
	case IPSEC_ID_IPV4_ADDR_SUBNET:
	case IPSEC_ID_IPV4_ADDR_RANGE:
		return len == 8;
	case IPSEC_ID_IPV6_ADDR:
		return len == 16;
	case IPSEC_ID_IPV6_ADDR_SUBNET:
	case IPSEC_ID_IPV6_ADDR_RANGE:
		return len == 32;
	case IPSEC_ID_FQDN:
	case IPSEC_ID_USER_FQDN:
	case IPSEC_ID_DER_ASN1_DN:
	case IPSEC_ID_DER_ASN1_GN:
	case IPSEC_ID_KEY_ID:
		return len >= 1;
	default:
		return true;
	}
}

static bool
data_type(uint8_t type)
{
	switch (type) {
	case ISAKMP_PAYLOAD_KE:
	case ISAKMP_PAYLOAD_HASH:
	case ISAKMP_PAYLOAD_SIG:
	case ISAKMP_PAYLOAD_NONCE:
	case ISAKMP_PAYLOAD_VID:
	case ISAKMP_PAYLOAD_NAT_D:
	case ISAKMP_PAYLOAD_NAT_D_DRAFT:
		return true;
	default:
		return false;
	}
}

bool
isakmp_data_len_ok(uint8_t type, size_t len)
{
	if (!data_type(type))
		return false;
	/* RFC 2409 5: 8 <= nonce length <= 256 */
	if (type == ISAKMP_PAYLOAD_NONCE)
		return len >= ISAKMP_NONCE_MIN && len <= ISAKMP_NONCE_MAX;
	/* RFC 2408 3.7, 3.11-3.13, 3.16; RFC 3947 3.2: never empty */
	return len >= 1;
}

bool
isakmp_payload_known(unsigned int type)
{
	switch (type) {
	case ISAKMP_PAYLOAD_SA:
	case ISAKMP_PAYLOAD_KE:
	case ISAKMP_PAYLOAD_ID:
	case ISAKMP_PAYLOAD_CERT:
	case ISAKMP_PAYLOAD_CR:
	case ISAKMP_PAYLOAD_HASH:
	case ISAKMP_PAYLOAD_SIG:
	case ISAKMP_PAYLOAD_NONCE:
	case ISAKMP_PAYLOAD_N:
	case ISAKMP_PAYLOAD_D:
	case ISAKMP_PAYLOAD_VID:
	case ISAKMP_PAYLOAD_NAT_D:
	case ISAKMP_PAYLOAD_NAT_OA:
	case ISAKMP_PAYLOAD_NAT_D_DRAFT:
	case ISAKMP_PAYLOAD_NAT_OA_DRAFT:
	case ISAKMP_PAYLOAD_FRAG:
		return true;
	default:
		/* NONE, and P/T which RFC 2408 3.4 nests inside the SA */
		return false;
	}
}

/*
 * RFC 2408 3.1. Length rule: the length field must equal the datagram.
 * UDP keeps datagram boundaries, so a difference is truncation or a
 * broken sender; bytes beyond the length would not be covered by the
 * length-delimited message yet would change the "last cipher block"
 * that RFC 2409 Appendix B chains the next IV from. Libreswan drops such
 * packets too ("size differs from size specified in ISAKMP HDR").
 * XXX the Cisco VPN client's 16 surplus zero bytes are not accepted.
 */
enum isakmp_err
isakmp_hdr_parse(struct rbuf *r, struct isakmp_hdr *h)
{
	struct rbuf c = *r;
	size_t total = rbuf_left(r);

	if (total < ISAKMP_HDR_LEN)
		return ISAKMP_ERR_HDR_TRUNCATED;
	if (!rbuf_get_bytes(&c, h->icookie, ISAKMP_COOKIE_LEN) ||
	    !rbuf_get_bytes(&c, h->rcookie, ISAKMP_COOKIE_LEN) ||
	    !rbuf_get_u8(&c, &h->next) ||
	    !rbuf_get_u8(&c, &h->version) ||
	    !rbuf_get_u8(&c, &h->exchange) ||
	    !rbuf_get_u8(&c, &h->flags) ||
	    !rbuf_get_u32(&c, &h->msgid) ||
	    !rbuf_get_u32(&c, &h->length))
		return ISAKMP_ERR_HDR_TRUNCATED;
	/* RFC 2408 3.1: major 1; never accept a larger minor than ours */
	if ((h->version >> 4) != ISAKMP_MAJOR)
		return ISAKMP_ERR_MAJOR_VERSION;
	if ((h->version & 0x0f) != ISAKMP_MINOR)
		return ISAKMP_ERR_MINOR_VERSION;
	if (h->length < ISAKMP_HDR_LEN)
		return ISAKMP_ERR_HDR_LENGTH_SMALL;
	if (h->length > total)
		return ISAKMP_ERR_HDR_LENGTH_OVER;
	if (h->length < total)
		return ISAKMP_ERR_HDR_LENGTH_UNDER;
	*r = c;
	return ISAKMP_OK;
}

/* RFC 2408 3.2: the generic payload header chain. */
enum isakmp_err
isakmp_payloads_parse(const uint8_t *p, size_t len, uint8_t first,
    bool encrypted, struct isakmp_msg *msg)
{
	uint8_t last[256];
	struct rbuf r;
	uint8_t type = first;

	memset(msg, 0, sizeof(*msg));
	memset(msg->first, ISAKMP_IDX_NONE, sizeof(msg->first));
	memset(last, ISAKMP_IDX_NONE, sizeof(last));
	msg->first_unknown = ISAKMP_IDX_NONE;
	rbuf_init(&r, p, len);

	while (type != ISAKMP_PAYLOAD_NONE) {
		struct isakmp_payload *pl;
		uint8_t next, resv, idx;
		uint16_t plen;

		msg->fail_type = type;
		msg->fail_offset = r.off;
		if (msg->npl == ISAKMP_MAX_PAYLOADS)
			return ISAKMP_ERR_TOO_MANY_PAYLOADS;
		if (rbuf_left(&r) < ISAKMP_GENERIC_LEN)
			return ISAKMP_ERR_PAYLOAD_TRUNCATED;
		pl = &msg->pl[msg->npl];
		pl->offset = r.off;
		if (!rbuf_get_u8(&r, &next) || !rbuf_get_u8(&r, &resv) ||
		    !rbuf_get_u16(&r, &plen))
			return ISAKMP_ERR_PAYLOAD_TRUNCATED;
		if (plen < ISAKMP_GENERIC_LEN)
			return ISAKMP_ERR_PAYLOAD_LENGTH;
		if (!rbuf_sub(&r, plen - ISAKMP_GENERIC_LEN, &pl->body))
			return ISAKMP_ERR_PAYLOAD_OVERRUN;
		pl->type = type;
		pl->reserved = resv;
		pl->length = plen;
		pl->known = isakmp_payload_known(type);
		pl->next_same = ISAKMP_IDX_NONE;

		idx = (uint8_t)msg->npl++;
		if (last[type] == ISAKMP_IDX_NONE)
			msg->first[type] = idx;
		else
			msg->pl[last[type]].next_same = idx;
		last[type] = idx;
		msg->count[type]++;
		if (!pl->known) {
			/* caller: INVALID-PAYLOAD-TYPE (RFC 2408 5.3) */
			if (msg->unknown++ == 0)
				msg->first_unknown = idx;
		}
		/* RFC 2408 3.2: reserved is sent as 0; tolerate, count */
		if (resv != 0)
			msg->reserved_nonzero++;
		type = next;
	}

	if (rbuf_left(&r) > 0) {
		/*
		 * RFC 2409 Appendix B: an encrypted message is padded to the
		 * cipher block size; the padding follows the last payload.
		 */
		if (!encrypted) {
			msg->fail_type = ISAKMP_PAYLOAD_NONE;
			msg->fail_offset = r.off;
			return ISAKMP_ERR_TRAILING;
		}
		msg->padding = rbuf_left(&r);
	}
	msg->fail_type = ISAKMP_PAYLOAD_NONE;
	msg->fail_offset = 0;
	return ISAKMP_OK;
}

const struct isakmp_payload *
isakmp_msg_first(const struct isakmp_msg *msg, uint8_t type)
{
	uint8_t idx = msg->first[type];

	if (idx == ISAKMP_IDX_NONE || idx >= msg->npl)
		return NULL;
	return &msg->pl[idx];
}

const struct isakmp_payload *
isakmp_msg_next(const struct isakmp_msg *msg,
    const struct isakmp_payload *pl)
{
	if (pl == NULL || pl->next_same == ISAKMP_IDX_NONE ||
	    pl->next_same >= msg->npl)
		return NULL;
	return &msg->pl[pl->next_same];
}

size_t
isakmp_msg_count(const struct isakmp_msg *msg, uint8_t type)
{
	return msg->count[type];
}

/* RFC 2408 3.3: one data attribute from r (unchanged on failure). */
static enum isakmp_err
attr_read(struct rbuf *r, struct isakmp_attr *a)
{
	struct rbuf c = *r;
	uint16_t t, lv;

	if (!rbuf_get_u16(&c, &t))
		return ISAKMP_ERR_ATTR_TRUNCATED;
	a->type = t & (uint16_t)~ISAKMP_ATTR_AF;
	if (t & ISAKMP_ATTR_AF) {
		/* TV: the value is the 2-byte "Attribute Length" field */
		a->tv = true;
		a->len = 2;
		if (!rbuf_view(&c, 2, &a->value))
			return ISAKMP_ERR_ATTR_TRUNCATED;
	} else {
		a->tv = false;
		if (!rbuf_get_u16(&c, &lv))
			return ISAKMP_ERR_ATTR_TRUNCATED;
		a->len = lv;
		if (!rbuf_view(&c, lv, &a->value))
			return ISAKMP_ERR_ATTR_LENGTH;
	}
	*r = c;
	return ISAKMP_OK;
}

/* RFC 2408 3.6: one transform from r (unchanged on failure). */
static enum isakmp_err
transform_read(struct rbuf *r, struct isakmp_transform *xf, uint8_t *next)
{
	struct rbuf c = *r, body;
	uint16_t len, resv2;
	uint8_t resv;

	if (!rbuf_get_u8(&c, next) || !rbuf_get_u8(&c, &resv) ||
	    !rbuf_get_u16(&c, &len))
		return ISAKMP_ERR_BODY_SHORT;
	/* RFC 2408 3.6: next is 3 (more transforms) or 0 (the last) */
	if (*next != ISAKMP_PAYLOAD_T && *next != ISAKMP_PAYLOAD_NONE)
		return ISAKMP_ERR_TRANSFORM_NEXT;
	if (len < 8 || !rbuf_sub(&c, len - ISAKMP_GENERIC_LEN, &body))
		return ISAKMP_ERR_TRANSFORM_LENGTH;
	if (!rbuf_get_u8(&body, &xf->number) || !rbuf_get_u8(&body, &xf->id) ||
	    !rbuf_get_u16(&body, &resv2))
		return ISAKMP_ERR_TRANSFORM_LENGTH;
	(void)rbuf_sub(&body, rbuf_left(&body), &xf->attrs);
	xf->nattrs = 0;
	xf->reserved_nonzero = resv != 0 || resv2 != 0;
	*r = c;
	return ISAKMP_OK;
}

/* The attributes must exactly fill the transform. */
static enum isakmp_err
attrs_check(struct isakmp_transform *xf)
{
	struct rbuf it = xf->attrs;
	struct isakmp_attr a;
	enum isakmp_err e;

	xf->nattrs = 0;
	while (rbuf_left(&it) > 0) {
		if ((e = attr_read(&it, &a)) != ISAKMP_OK)
			return e;
		xf->nattrs++;
	}
	return ISAKMP_OK;
}

/* RFC 2408 3.5: one proposal from r (unchanged on failure). */
static enum isakmp_err
proposal_read(struct rbuf *r, struct isakmp_proposal *prop, uint8_t *next)
{
	struct rbuf c = *r, body;
	uint16_t len;
	uint8_t resv;

	if (!rbuf_get_u8(&c, next) || !rbuf_get_u8(&c, &resv) ||
	    !rbuf_get_u16(&c, &len))
		return ISAKMP_ERR_BODY_SHORT;
	/* RFC 2408 3.5: next is 2 (more proposals) or 0 (the last) */
	if (*next != ISAKMP_PAYLOAD_P && *next != ISAKMP_PAYLOAD_NONE)
		return ISAKMP_ERR_PROPOSAL_NEXT;
	if (len < 8 || !rbuf_sub(&c, len - ISAKMP_GENERIC_LEN, &body))
		return ISAKMP_ERR_PROPOSAL_LENGTH;
	if (!rbuf_get_u8(&body, &prop->number) ||
	    !rbuf_get_u8(&body, &prop->protocol) ||
	    !rbuf_get_u8(&body, &prop->spi_size) ||
	    !rbuf_get_u8(&body, &prop->ntransforms))
		return ISAKMP_ERR_PROPOSAL_LENGTH;
	if (!isakmp_spi_size_ok(ISAKMP_PAYLOAD_P, prop->protocol,
	    prop->spi_size) ||
	    !rbuf_view(&body, prop->spi_size, &prop->spi))
		return ISAKMP_ERR_SPI_SIZE;
	(void)rbuf_sub(&body, rbuf_left(&body), &prop->transforms);
	prop->reserved_nonzero = resv != 0;
	*r = c;
	return ISAKMP_OK;
}

/* The transform chain of a proposal, down to the attributes. */
static enum isakmp_err
transforms_check(const struct isakmp_proposal *prop, bool *resv)
{
	struct rbuf it = prop->transforms;
	struct isakmp_transform xf;
	enum isakmp_err e;
	uint8_t next = ISAKMP_PAYLOAD_T;
	size_t n = 0;

	if (prop->ntransforms == 0)
		return ISAKMP_ERR_TRANSFORM_COUNT;
	while (next == ISAKMP_PAYLOAD_T) {
		if ((e = transform_read(&it, &xf, &next)) != ISAKMP_OK)
			return e;
		if ((e = attrs_check(&xf)) != ISAKMP_OK)
			return e;
		if (xf.reserved_nonzero)
			*resv = true;
		n++;
	}
	if (rbuf_left(&it) > 0)
		return ISAKMP_ERR_BODY_TRAILING;
	/* RFC 2408 3.5: "# of Transforms" must match what follows */
	if (n != prop->ntransforms)
		return ISAKMP_ERR_TRANSFORM_COUNT;
	return ISAKMP_OK;
}

/* RFC 2408 3.4, RFC 2407 4.6.1 */
enum isakmp_err
isakmp_sa_parse(const struct rbuf *body, struct isakmp_sa *sa)
{
	struct rbuf c = *body, it;
	struct isakmp_proposal prop;
	enum isakmp_err e;
	uint8_t next = ISAKMP_PAYLOAD_P;

	memset(sa, 0, sizeof(*sa));
	if (!rbuf_get_u32(&c, &sa->doi) || !rbuf_get_u32(&c, &sa->situation))
		return ISAKMP_ERR_BODY_SHORT;
	if (sa->doi != ISAKMP_DOI_IPSEC)
		return ISAKMP_ERR_SA_DOI;
	/*
	 * RFC 2407 4.6.1: SECRECY/INTEGRITY add labelled-domain fields
	 * before the proposals; nobody we serve sends them.
	 */
	if (sa->situation & (IPSEC_SIT_SECRECY | IPSEC_SIT_INTEGRITY))
		return ISAKMP_ERR_SA_SITUATION;
	if (rbuf_left(&c) == 0)
		return ISAKMP_ERR_SA_NO_PROPOSAL;
	(void)rbuf_sub(&c, rbuf_left(&c), &sa->proposals);

	it = sa->proposals;
	while (next == ISAKMP_PAYLOAD_P) {
		if ((e = proposal_read(&it, &prop, &next)) != ISAKMP_OK)
			return e;
		if (prop.reserved_nonzero)
			sa->reserved_nonzero = true;
		if ((e = transforms_check(&prop, &sa->reserved_nonzero)) !=
		    ISAKMP_OK)
			return e;
		sa->nproposals++;
	}
	if (rbuf_left(&it) > 0)
		return ISAKMP_ERR_BODY_TRAILING;
	return ISAKMP_OK;
}

bool
isakmp_proposal_next(struct rbuf *it, struct isakmp_proposal *prop)
{
	uint8_t next;

	if (rbuf_left(it) == 0)
		return false;
	return proposal_read(it, prop, &next) == ISAKMP_OK;
}

bool
isakmp_transform_next(struct rbuf *it, struct isakmp_transform *xf)
{
	uint8_t next;

	if (rbuf_left(it) == 0)
		return false;
	if (transform_read(it, xf, &next) != ISAKMP_OK)
		return false;
	(void)attrs_check(xf);
	return true;
}

bool
isakmp_attr_next(struct rbuf *it, struct isakmp_attr *attr)
{
	if (rbuf_left(it) == 0)
		return false;
	return attr_read(it, attr) == ISAKMP_OK;
}

bool
isakmp_attr_u64(const struct isakmp_attr *attr, uint64_t *v)
{
	uint64_t x = 0;

	if (attr->len == 0 || attr->value == NULL)
		return false;
	for (size_t i = 0; i < attr->len; i++) {
		if (x > (UINT64_MAX >> 8))
			return false;
		x = (x << 8) | attr->value[i];
	}
	*v = x;
	return true;
}

bool
isakmp_attr_u32(const struct isakmp_attr *attr, uint32_t *v)
{
	uint64_t x;

	if (!isakmp_attr_u64(attr, &x) || x > UINT32_MAX)
		return false;
	*v = (uint32_t)x;
	return true;
}

/* The rest of a reader as a view. */
static void
rest_view(struct rbuf *c, const uint8_t **data, size_t *len)
{
	*len = rbuf_left(c);
	(void)rbuf_view(c, *len, data);
}

enum isakmp_err
isakmp_data_parse(const struct rbuf *body, uint8_t type,
    struct isakmp_data *d)
{
	struct rbuf c = *body;

	if (!data_type(type))
		return ISAKMP_ERR_WRONG_TYPE;
	rest_view(&c, &d->data, &d->len);
	if (!isakmp_data_len_ok(type, d->len))
		return ISAKMP_ERR_DATA_LENGTH;
	return ISAKMP_OK;
}

/* RFC 2407 4.6.2 */
enum isakmp_err
isakmp_id_parse(const struct rbuf *body, struct isakmp_id *id)
{
	struct rbuf c = *body;

	if (!rbuf_get_u8(&c, &id->type) || !rbuf_get_u8(&c, &id->protocol) ||
	    !rbuf_get_u16(&c, &id->port))
		return ISAKMP_ERR_BODY_SHORT;
	rest_view(&c, &id->data, &id->len);
	if (!isakmp_id_len_ok(id->type, id->len))
		return ISAKMP_ERR_ID_LENGTH;
	return ISAKMP_OK;
}

/* RFC 2408 3.9, 3.10 */
enum isakmp_err
isakmp_cert_parse(const struct rbuf *body, uint8_t type,
    struct isakmp_cert *cert)
{
	struct rbuf c = *body;

	if (type != ISAKMP_PAYLOAD_CERT && type != ISAKMP_PAYLOAD_CR)
		return ISAKMP_ERR_WRONG_TYPE;
	if (!rbuf_get_u8(&c, &cert->encoding))
		return ISAKMP_ERR_BODY_SHORT;
	rest_view(&c, &cert->data, &cert->len);
	/* 3.10: an empty Certificate Authority asks for any CA */
	if (type == ISAKMP_PAYLOAD_CERT && cert->len == 0)
		return ISAKMP_ERR_DATA_LENGTH;
	return ISAKMP_OK;
}

/* RFC 2408 3.14 */
enum isakmp_err
isakmp_notify_parse(const struct rbuf *body, struct isakmp_notify *n)
{
	struct rbuf c = *body;

	if (!rbuf_get_u32(&c, &n->doi) || !rbuf_get_u8(&c, &n->protocol) ||
	    !rbuf_get_u8(&c, &n->spi_size) || !rbuf_get_u16(&c, &n->type))
		return ISAKMP_ERR_BODY_SHORT;
	if (!isakmp_spi_size_ok(ISAKMP_PAYLOAD_N, n->protocol, n->spi_size) ||
	    !rbuf_view(&c, n->spi_size, &n->spi))
		return ISAKMP_ERR_SPI_SIZE;
	rest_view(&c, &n->data, &n->len);
	return ISAKMP_OK;
}

/* RFC 2408 3.15 */
enum isakmp_err
isakmp_delete_parse(const struct rbuf *body, struct isakmp_delete *d)
{
	struct rbuf c = *body;

	if (!rbuf_get_u32(&c, &d->doi) || !rbuf_get_u8(&c, &d->protocol) ||
	    !rbuf_get_u8(&c, &d->spi_size) || !rbuf_get_u16(&c, &d->count))
		return ISAKMP_ERR_BODY_SHORT;
	if (!isakmp_spi_size_ok(ISAKMP_PAYLOAD_D, d->protocol, d->spi_size))
		return ISAKMP_ERR_SPI_SIZE;
	/* both factors fit 16 bits: the product cannot overflow size_t */
	if (d->count == 0 ||
	    (size_t)d->count * d->spi_size != rbuf_left(&c))
		return ISAKMP_ERR_DELETE_COUNT;
	(void)rbuf_view(&c, rbuf_left(&c), &d->spis);
	return ISAKMP_OK;
}

/* RFC 3947 5.2; the drafts' payload 131 has the same layout */
enum isakmp_err
isakmp_nat_oa_parse(const struct rbuf *body, struct isakmp_nat_oa *oa)
{
	struct rbuf c = *body;
	uint8_t resv[3];
	size_t want;

	if (!rbuf_get_u8(&c, &oa->id_type) ||
	    !rbuf_get_bytes(&c, resv, sizeof(resv)))
		return ISAKMP_ERR_BODY_SHORT;
	oa->reserved_nonzero = resv[0] != 0 || resv[1] != 0 || resv[2] != 0;
	/* RFC 3947 5.2: the ID type is ID_IPV4_ADDR or ID_IPV6_ADDR */
	if (oa->id_type == IPSEC_ID_IPV4_ADDR)
		want = 4;
	else if (oa->id_type == IPSEC_ID_IPV6_ADDR)
		want = 16;
	else
		return ISAKMP_ERR_NAT_OA_TYPE;
	if (rbuf_left(&c) != want)
		return ISAKMP_ERR_NAT_OA_LENGTH;
	rest_view(&c, &oa->addr, &oa->len);
	return ISAKMP_OK;
}

/* [MS-IKEE] Fragment Payload */
enum isakmp_err
isakmp_frag_parse(const struct rbuf *body, struct isakmp_frag *f)
{
	struct rbuf c = *body;

	if (!rbuf_get_u16(&c, &f->id) || !rbuf_get_u8(&c, &f->number) ||
	    !rbuf_get_u8(&c, &f->flags))
		return ISAKMP_ERR_BODY_SHORT;
	rest_view(&c, &f->data, &f->len);
	if (f->len == 0)
		return ISAKMP_ERR_DATA_LENGTH;
	return ISAKMP_OK;
}
