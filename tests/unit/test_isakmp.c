/*
 * test_isakmp.c - ISAKMP/IKEv1 codec: realistic client messages built
 * with the builders (Windows and Apple Main Mode 1, Quick Mode 1 with two
 * NAT-OA, informational Delete and R-U-THERE, a message with every other
 * payload type, a fragment), round trip build -> parse -> rebuild, every
 * truncation, length fields at -1/0/+1, reserved bytes, payload count
 * limit, unknown payloads, encrypted padding, vendor IDs recomputed with
 * MD5, and two real strongSwan packets from the lab capture.
 *
 * Runs from the repository top (reads tests/vectors/). With
 * ISAKMP_VECTOR_DIR=dir set, the built vectors are also written to dir
 * in the fuzz seed format (tests/fuzz/fuzz_isakmp.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "ikd/isakmp.h"

#define BUFSZ	4096

static const uint8_t icookie[8] = {
	0x5a, 0x11, 0x0c, 0x4e, 0x9d, 0x21, 0x7f, 0x03
};
static const uint8_t rcookie[8] = {
	0xe8, 0xdb, 0xd3, 0xa0, 0x5e, 0xa8, 0x9e, 0xe2
};

/* draft-ietf-ipsec-nat-t-ike-08 (MD5), not in our table */
static const uint8_t vid_draft08[16] = {
	0x43, 0x9b, 0x59, 0xf8, 0xba, 0x67, 0x6c, 0x4c,
	0x77, 0x37, 0xae, 0x22, 0xea, 0xb8, 0xf5, 0x82
};

static const uint8_t client_ip[4] = { 192, 168, 1, 10 };
static const uint8_t server_ip[4] = { 203, 0, 113, 1 };
static const uint8_t esp_spi[4] = { 0xc1, 0x2a, 0x00, 0x7e };

/* A built test message. */
struct vec {
	const char *name;
	uint8_t buf[BUFSZ];
	size_t len;
	size_t padding;		/* encrypted padding at the end */
};

static void
hdr_init(struct isakmp_hdr *h, uint8_t exchange, uint8_t flags,
    uint32_t msgid, bool with_r)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->icookie, icookie, sizeof(icookie));
	if (with_r)
		memcpy(h->rcookie, rcookie, sizeof(rcookie));
	h->version = ISAKMP_VERSION;
	h->exchange = exchange;
	h->flags = flags;
	h->msgid = msgid;
}

static void
put_vid(struct isakmp_builder *b, enum isakmp_vid vid, const uint8_t *suffix)
{
	const uint8_t *v;
	size_t len;
	uint8_t tmp[20];

	assert_true(isakmp_vid_value(vid, &v, &len));
	memcpy(tmp, v, len);
	if (suffix != NULL) {
		memcpy(tmp + len, suffix, 4);
		len += 4;
	}
	(void)isakmp_build_data(b, ISAKMP_PAYLOAD_VID, tmp, len);
}

/*
 * Windows 10/11 Main Mode message 1 (research/windows-client.md 1.2,
 * 1.3): five transforms, 28800 s, seven vendor IDs in logged order.
 */
static void
build_windows_mm1(struct vec *v)
{
	static const struct {
		uint16_t encr, keylen, group;
	} xf[5] = {
		{ IKE_ENCR_AES_CBC, 256, IKE_GROUP_ECP_384 },
		{ IKE_ENCR_AES_CBC, 128, IKE_GROUP_ECP_256 },
		{ IKE_ENCR_AES_CBC, 256, IKE_GROUP_MODP_2048 },
		{ IKE_ENCR_3DES_CBC, 0, IKE_GROUP_MODP_2048 },
		{ IKE_ENCR_3DES_CBC, 0, IKE_GROUP_MODP_1024 },
	};
	static const uint8_t win_version[4] = { 0, 0, 0, 9 };
	struct isakmp_builder b;
	struct isakmp_hdr h;
	struct wbuf w;

	v->name = "windows-mm1";
	v->padding = 0;
	wbuf_init(&w, v->buf, sizeof(v->buf));
	hdr_init(&h, ISAKMP_EXCH_IDPROT, 0, 0, false);
	isakmp_builder_init(&b, &w, &h);
	isakmp_build_sa_begin(&b, ISAKMP_DOI_IPSEC, IPSEC_SIT_IDENTITY_ONLY);
	isakmp_build_proposal_begin(&b, 1, IPSEC_PROTO_ISAKMP, NULL, 0);
	for (size_t i = 0; i < 5; i++) {
		isakmp_build_transform_begin(&b, (uint8_t)(i + 1),
		    IPSEC_KEY_IKE);
		isakmp_build_attr(&b, IKE_ATTR_ENCR, xf[i].encr);
		if (xf[i].keylen != 0)
			isakmp_build_attr(&b, IKE_ATTR_KEY_LENGTH,
			    xf[i].keylen);
		isakmp_build_attr(&b, IKE_ATTR_HASH, IKE_HASH_SHA1);
		isakmp_build_attr(&b, IKE_ATTR_AUTH, IKE_AUTH_PSK);
		isakmp_build_attr(&b, IKE_ATTR_GROUP_DESC, xf[i].group);
		isakmp_build_attr(&b, IKE_ATTR_LIFE_TYPE, IKE_LIFE_SECONDS);
		isakmp_build_attr(&b, IKE_ATTR_LIFE_DURATION, 28800);
		isakmp_build_transform_end(&b);
	}
	isakmp_build_proposal_end(&b);
	isakmp_build_sa_end(&b);
	put_vid(&b, ISAKMP_VID_MS_NT5, win_version);
	put_vid(&b, ISAKMP_VID_NATT_RFC3947, NULL);
	put_vid(&b, ISAKMP_VID_NATT_DRAFT_02_N, NULL);
	put_vid(&b, ISAKMP_VID_FRAGMENTATION, NULL);
	put_vid(&b, ISAKMP_VID_MS_NEGDISC, NULL);
	put_vid(&b, ISAKMP_VID_MS_INITIAL_CONTACT, NULL);
	put_vid(&b, ISAKMP_VID_MS_CGA1, NULL);
	assert_true(isakmp_builder_finish(&b, &v->len));
}

/*
 * macOS/iOS Main Mode message 1 (research 6.1): 14 transforms over
 * MODP-2048/1536/1024, 3600 s as a 4-byte TLV, NAT-T drafts and DPD.
 */
static void
build_apple_mm1(struct vec *v)
{
	static const struct {
		uint16_t group, encr, keylen, hash;
	} xf[14] = {
		{ 14, 7, 256, 4 }, { 14, 7, 256, 2 }, { 14, 7, 256, 1 },
		{ 14, 7, 256, 6 },
		{ 5, 7, 256, 4 }, { 5, 7, 256, 2 }, { 5, 7, 256, 1 },
		{ 2, 7, 256, 4 }, { 2, 7, 256, 2 }, { 2, 7, 256, 1 },
		{ 2, 7, 128, 2 }, { 2, 7, 128, 1 }, { 2, 5, 0, 2 },
		{ 2, 5, 0, 1 },
	};
	static const uint8_t life[4] = { 0x00, 0x00, 0x0e, 0x10 };
	struct isakmp_attr tlv = {
		IKE_ATTR_LIFE_DURATION, false, 4, life
	};
	struct isakmp_builder b;
	struct isakmp_hdr h;
	struct wbuf w;

	v->name = "apple-mm1";
	v->padding = 0;
	wbuf_init(&w, v->buf, sizeof(v->buf));
	hdr_init(&h, ISAKMP_EXCH_IDPROT, 0, 0, false);
	isakmp_builder_init(&b, &w, &h);
	isakmp_build_sa_begin(&b, ISAKMP_DOI_IPSEC, IPSEC_SIT_IDENTITY_ONLY);
	isakmp_build_proposal_begin(&b, 1, IPSEC_PROTO_ISAKMP, NULL, 0);
	for (size_t i = 0; i < 14; i++) {
		isakmp_build_transform_begin(&b, (uint8_t)(i + 1),
		    IPSEC_KEY_IKE);
		isakmp_build_attr(&b, IKE_ATTR_ENCR, xf[i].encr);
		if (xf[i].keylen != 0)
			isakmp_build_attr(&b, IKE_ATTR_KEY_LENGTH,
			    xf[i].keylen);
		isakmp_build_attr(&b, IKE_ATTR_HASH, xf[i].hash);
		isakmp_build_attr(&b, IKE_ATTR_AUTH, IKE_AUTH_PSK);
		isakmp_build_attr(&b, IKE_ATTR_GROUP_DESC, xf[i].group);
		isakmp_build_attr(&b, IKE_ATTR_LIFE_TYPE, IKE_LIFE_SECONDS);
		isakmp_build_attr_copy(&b, &tlv);
		isakmp_build_transform_end(&b);
	}
	isakmp_build_proposal_end(&b);
	isakmp_build_sa_end(&b);
	put_vid(&b, ISAKMP_VID_NATT_RFC3947, NULL);
	(void)isakmp_build_data(&b, ISAKMP_PAYLOAD_VID, vid_draft08,
	    sizeof(vid_draft08));
	put_vid(&b, ISAKMP_VID_NATT_DRAFT_03, NULL);
	put_vid(&b, ISAKMP_VID_NATT_DRAFT_02, NULL);
	put_vid(&b, ISAKMP_VID_NATT_DRAFT_02_N, NULL);
	put_vid(&b, ISAKMP_VID_DPD, NULL);
	assert_true(isakmp_builder_finish(&b, &v->len));
}

/*
 * Quick Mode message 1 as the responder sees it after decryption:
 * HASH(1), SA (ESP, UDP-transport, AES-256 / 3DES / AES-128 draft
 * encapsulation), Ni, IDci, IDcr, NAT-OAi, NAT-OAr, then `pad` bytes of
 * cipher padding (RFC 2409 Appendix B) that the header length includes.
 */
static void
build_quick1(struct vec *v, size_t pad)
{
	static const uint8_t hash[20] = { 0x11, 0x22, 0x33 };
	static const uint8_t nonce[32] = { 0xa5, 0x5a };
	static const struct {
		uint8_t id;
		uint16_t keylen, encap;
	} xf[3] = {
		{ IPSEC_ESP_AES_CBC, 256, IPSEC_ENCAP_UDP_TRANSPORT },
		{ IPSEC_ESP_3DES, 0, IPSEC_ENCAP_UDP_TRANSPORT },
		{ IPSEC_ESP_AES_CBC, 128, IPSEC_ENCAP_UDP_TRANSPORT_DRAFT },
	};
	struct isakmp_id idci = {
		IPSEC_ID_IPV4_ADDR, 17, 1701, client_ip, 4
	};
	struct isakmp_id idcr = {
		IPSEC_ID_IPV4_ADDR, 17, 1701, server_ip, 4
	};
	struct isakmp_nat_oa oai = { IPSEC_ID_IPV4_ADDR, false, client_ip, 4 };
	struct isakmp_nat_oa oar = { IPSEC_ID_IPV4_ADDR, false, server_ip, 4 };
	struct isakmp_builder b;
	struct isakmp_hdr h;
	struct wbuf w;

	v->name = pad ? "quick1-padded" : "quick1";
	v->padding = pad;
	wbuf_init(&w, v->buf, sizeof(v->buf));
	hdr_init(&h, ISAKMP_EXCH_QUICK, ISAKMP_FLAG_ENC, 0x1a2b3c4d, true);
	isakmp_builder_init(&b, &w, &h);
	(void)isakmp_build_data(&b, ISAKMP_PAYLOAD_HASH, hash, sizeof(hash));
	isakmp_build_sa_begin(&b, ISAKMP_DOI_IPSEC, IPSEC_SIT_IDENTITY_ONLY);
	isakmp_build_proposal_begin(&b, 1, IPSEC_PROTO_ESP, esp_spi, 4);
	for (size_t i = 0; i < 3; i++) {
		isakmp_build_transform_begin(&b, (uint8_t)(i + 1), xf[i].id);
		isakmp_build_attr(&b, IPSEC_ATTR_LIFE_TYPE, IPSEC_LIFE_SECONDS);
		isakmp_build_attr(&b, IPSEC_ATTR_LIFE_DURATION, 3600);
		isakmp_build_attr(&b, IPSEC_ATTR_LIFE_TYPE,
		    IPSEC_LIFE_KILOBYTES);
		isakmp_build_attr(&b, IPSEC_ATTR_LIFE_DURATION, 250000);
		isakmp_build_attr(&b, IPSEC_ATTR_ENCAP_MODE, xf[i].encap);
		isakmp_build_attr(&b, IPSEC_ATTR_AUTH_ALG,
		    IPSEC_AUTH_HMAC_SHA1);
		if (xf[i].keylen != 0)
			isakmp_build_attr(&b, IPSEC_ATTR_KEY_LENGTH,
			    xf[i].keylen);
		isakmp_build_transform_end(&b);
	}
	isakmp_build_proposal_end(&b);
	isakmp_build_sa_end(&b);
	(void)isakmp_build_data(&b, ISAKMP_PAYLOAD_NONCE, nonce,
	    sizeof(nonce));
	isakmp_build_id(&b, &idci);
	isakmp_build_id(&b, &idcr);
	isakmp_build_nat_oa(&b, ISAKMP_PAYLOAD_NAT_OA, &oai);
	isakmp_build_nat_oa(&b, ISAKMP_PAYLOAD_NAT_OA, &oar);
	for (size_t i = 0; i < pad; i++)
		wbuf_put_u8(&w, i + 1 == pad ? (uint8_t)(pad - 1) : 0);
	assert_true(isakmp_builder_finish(&b, &v->len));
}

/* Informational: HASH + Delete of one ESP SPI (Windows after rekey). */
static void
build_info_delete(struct vec *v)
{
	static const uint8_t hash[20] = { 0x42 };
	struct isakmp_delete d = {
		ISAKMP_DOI_IPSEC, IPSEC_PROTO_ESP, 4, 1, esp_spi
	};
	struct isakmp_builder b;
	struct isakmp_hdr h;
	struct wbuf w;

	v->name = "info-delete";
	v->padding = 0;
	wbuf_init(&w, v->buf, sizeof(v->buf));
	hdr_init(&h, ISAKMP_EXCH_INFO, ISAKMP_FLAG_ENC, 0x0badcafe, true);
	isakmp_builder_init(&b, &w, &h);
	(void)isakmp_build_data(&b, ISAKMP_PAYLOAD_HASH, hash, sizeof(hash));
	isakmp_build_delete(&b, &d);
	assert_true(isakmp_builder_finish(&b, &v->len));
}

/* Informational: HASH + Delete of the ISAKMP SA (cookie pair). */
static void
build_info_delete_isakmp(struct vec *v)
{
	static const uint8_t hash[20] = { 0x43 };
	uint8_t cookies[16];
	struct isakmp_delete d = {
		ISAKMP_DOI_IPSEC, IPSEC_PROTO_ISAKMP, 16, 1, cookies
	};
	struct isakmp_builder b;
	struct isakmp_hdr h;
	struct wbuf w;

	memcpy(cookies, icookie, 8);
	memcpy(cookies + 8, rcookie, 8);
	v->name = "info-delete-isakmp";
	v->padding = 0;
	wbuf_init(&w, v->buf, sizeof(v->buf));
	hdr_init(&h, ISAKMP_EXCH_INFO, ISAKMP_FLAG_ENC, 0x0badcaff, true);
	isakmp_builder_init(&b, &w, &h);
	(void)isakmp_build_data(&b, ISAKMP_PAYLOAD_HASH, hash, sizeof(hash));
	isakmp_build_delete(&b, &d);
	assert_true(isakmp_builder_finish(&b, &v->len));
}

/* Informational: HASH + N(R-U-THERE), RFC 3706 5.3 */
static void
build_info_dpd(struct vec *v)
{
	static const uint8_t hash[20] = { 0x44 };
	static const uint8_t seq[4] = { 0x00, 0x00, 0x31, 0x7a };
	uint8_t cookies[16];
	struct isakmp_notify n = {
		ISAKMP_DOI_IPSEC, IPSEC_PROTO_ISAKMP, 16, ISAKMP_N_R_U_THERE,
		cookies, seq, sizeof(seq)
	};
	struct isakmp_builder b;
	struct isakmp_hdr h;
	struct wbuf w;

	memcpy(cookies, icookie, 8);
	memcpy(cookies + 8, rcookie, 8);
	v->name = "info-dpd";
	v->padding = 0;
	wbuf_init(&w, v->buf, sizeof(v->buf));
	hdr_init(&h, ISAKMP_EXCH_INFO, ISAKMP_FLAG_ENC, 0x77665544, true);
	isakmp_builder_init(&b, &w, &h);
	(void)isakmp_build_data(&b, ISAKMP_PAYLOAD_HASH, hash, sizeof(hash));
	isakmp_build_notify(&b, &n);
	assert_true(isakmp_builder_finish(&b, &v->len));
}

/* Every other payload type and ID/NAT-OA/notify variant once. */
static void
build_misc(struct vec *v)
{
	static const uint8_t ke[128] = { 0x01, 0x02, 0x03 };
	static const uint8_t nonce[16] = { 0x99 };
	static const uint8_t natd1[20] = { 0xd1 };
	static const uint8_t natd2[20] = { 0xd2 };
	static const uint8_t subnet[8] = { 10, 0, 0, 0, 255, 255, 255, 0 };
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t der[10] = { 0x30, 0x08 };
	static const uint8_t sig[32] = { 0x5e };
	static const uint8_t lifeattr[8] = { 0x80, 0x01, 0x00, 0x01,
	    0x80, 0x02, 0x0e, 0x10 };
	uint8_t cookies[16];
	struct isakmp_id id_subnet = {
		IPSEC_ID_IPV4_ADDR_SUBNET, 17, 0, subnet, sizeof(subnet)
	};
	struct isakmp_id id_v6 = { IPSEC_ID_IPV6_ADDR, 0, 0, v6, 16 };
	struct isakmp_id id_fqdn = {
		IPSEC_ID_FQDN, 0, 0, (const uint8_t *)"vpn.example", 11
	};
	struct isakmp_cert cert = { ISAKMP_CERT_X509_SIG, der, sizeof(der) };
	struct isakmp_cert cr = { ISAKMP_CERT_X509_SIG, NULL, 0 };
	struct isakmp_nat_oa oa6 = { IPSEC_ID_IPV6_ADDR, false, v6, 16 };
	struct isakmp_notify ic = {
		ISAKMP_DOI_IPSEC, IPSEC_PROTO_ISAKMP, 16,
		ISAKMP_N_INITIAL_CONTACT, cookies, NULL, 0
	};
	struct isakmp_notify rl = {
		ISAKMP_DOI_IPSEC, IPSEC_PROTO_ESP, 4,
		ISAKMP_N_RESPONDER_LIFETIME, esp_spi, lifeattr, 8
	};
	struct isakmp_builder b;
	struct isakmp_hdr h;
	struct wbuf w;

	memcpy(cookies, icookie, 8);
	memcpy(cookies + 8, rcookie, 8);
	v->name = "misc";
	v->padding = 0;
	wbuf_init(&w, v->buf, sizeof(v->buf));
	hdr_init(&h, ISAKMP_EXCH_AGGRESSIVE, 0, 0, true);
	isakmp_builder_init(&b, &w, &h);
	(void)isakmp_build_data(&b, ISAKMP_PAYLOAD_KE, ke, sizeof(ke));
	(void)isakmp_build_data(&b, ISAKMP_PAYLOAD_NONCE, nonce,
	    sizeof(nonce));
	(void)isakmp_build_data(&b, ISAKMP_PAYLOAD_NAT_D, natd1, 20);
	(void)isakmp_build_data(&b, ISAKMP_PAYLOAD_NAT_D, natd2, 20);
	(void)isakmp_build_data(&b, ISAKMP_PAYLOAD_NAT_D_DRAFT, natd1, 20);
	isakmp_build_id(&b, &id_subnet);
	isakmp_build_id(&b, &id_v6);
	isakmp_build_id(&b, &id_fqdn);
	isakmp_build_cert(&b, ISAKMP_PAYLOAD_CERT, &cert);
	isakmp_build_cert(&b, ISAKMP_PAYLOAD_CR, &cr);
	(void)isakmp_build_data(&b, ISAKMP_PAYLOAD_SIG, sig, sizeof(sig));
	isakmp_build_nat_oa(&b, ISAKMP_PAYLOAD_NAT_OA_DRAFT, &oa6);
	isakmp_build_notify(&b, &ic);
	isakmp_build_notify(&b, &rl);
	assert_true(isakmp_builder_finish(&b, &v->len));
}

/* One IKE fragment ([MS-IKEE] Fragment Payload): the last of three. */
static void
build_frag(struct vec *v)
{
	static const uint8_t data[40] = { 0xf0, 0x0d };
	struct isakmp_frag f = { 0x0102, 3, ISAKMP_FRAG_LAST, data, 40 };
	struct isakmp_builder b;
	struct isakmp_hdr h;
	struct wbuf w;

	v->name = "frag";
	v->padding = 0;
	wbuf_init(&w, v->buf, sizeof(v->buf));
	hdr_init(&h, ISAKMP_EXCH_IDPROT, 0, 0, true);
	isakmp_builder_init(&b, &w, &h);
	isakmp_build_frag(&b, &f);
	assert_true(isakmp_builder_finish(&b, &v->len));
}

typedef void vec_build_cb(struct vec *);

static void
build_quick1_padded(struct vec *v)
{
	build_quick1(v, 12);
}

static void
build_quick1_plain(struct vec *v)
{
	build_quick1(v, 0);
}

static vec_build_cb *const vec_builders[] = {
	build_windows_mm1, build_apple_mm1, build_quick1_plain,
	build_quick1_padded, build_info_delete, build_info_delete_isakmp,
	build_info_dpd, build_misc, build_frag,
};
#define NVEC	(sizeof(vec_builders) / sizeof(vec_builders[0]))

/* Header + chain, as ikd will do (chain "decrypted" already). */
static enum isakmp_err
parse_all(const uint8_t *p, size_t len, struct isakmp_hdr *h,
    struct isakmp_msg *m)
{
	struct rbuf r;
	enum isakmp_err e;

	rbuf_init(&r, p, len);
	if ((e = isakmp_hdr_parse(&r, h)) != ISAKMP_OK)
		return e;
	return isakmp_payloads_parse(rbuf_cur(&r), rbuf_left(&r), h->next,
	    (h->flags & ISAKMP_FLAG_ENC) != 0, m);
}

/* Parse a body with the typed parser for its type. */
static enum isakmp_err
parse_body(uint8_t type, const struct rbuf *body)
{
	struct isakmp_sa sa;
	struct isakmp_data d;
	struct isakmp_id id;
	struct isakmp_cert c;
	struct isakmp_notify n;
	struct isakmp_delete del;
	struct isakmp_nat_oa oa;
	struct isakmp_frag f;

	switch (type) {
	case ISAKMP_PAYLOAD_SA:
		return isakmp_sa_parse(body, &sa);
	case ISAKMP_PAYLOAD_ID:
		return isakmp_id_parse(body, &id);
	case ISAKMP_PAYLOAD_CERT:
	case ISAKMP_PAYLOAD_CR:
		return isakmp_cert_parse(body, type, &c);
	case ISAKMP_PAYLOAD_N:
		return isakmp_notify_parse(body, &n);
	case ISAKMP_PAYLOAD_D:
		return isakmp_delete_parse(body, &del);
	case ISAKMP_PAYLOAD_NAT_OA:
	case ISAKMP_PAYLOAD_NAT_OA_DRAFT:
		return isakmp_nat_oa_parse(body, &oa);
	case ISAKMP_PAYLOAD_FRAG:
		return isakmp_frag_parse(body, &f);
	default:
		return isakmp_data_parse(body, type, &d);
	}
}

/* Rebuild an SA body through the iterators and attr_copy. */
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
 * Parse p completely (header, chain, every body) and rebuild it with
 * the builders from the parsed structures only; *outlen = bytes built.
 */
static enum isakmp_err
rebuild(const uint8_t *p, size_t len, uint8_t *out, size_t cap,
    size_t *outlen)
{
	struct isakmp_builder b;
	struct isakmp_hdr h;
	struct isakmp_msg m;
	struct wbuf w;
	enum isakmp_err e;

	if ((e = parse_all(p, len, &h, &m)) != ISAKMP_OK)
		return e;
	wbuf_init(&w, out, cap);
	isakmp_builder_init(&b, &w, &h);
	for (size_t i = 0; i < m.npl; i++) {
		const struct isakmp_payload *pl = &m.pl[i];
		struct isakmp_sa sa;
		struct isakmp_data d;
		struct isakmp_id id;
		struct isakmp_cert c;
		struct isakmp_notify n;
		struct isakmp_delete del;
		struct isakmp_nat_oa oa;
		struct isakmp_frag f;

		if ((e = parse_body(pl->type, &pl->body)) != ISAKMP_OK &&
		    pl->known)
			return e;
		switch (pl->known ? pl->type : 0) {
		case ISAKMP_PAYLOAD_SA:
			(void)isakmp_sa_parse(&pl->body, &sa);
			rebuild_sa(&b, &sa);
			break;
		case ISAKMP_PAYLOAD_ID:
			(void)isakmp_id_parse(&pl->body, &id);
			isakmp_build_id(&b, &id);
			break;
		case ISAKMP_PAYLOAD_CERT:
		case ISAKMP_PAYLOAD_CR:
			(void)isakmp_cert_parse(&pl->body, pl->type, &c);
			isakmp_build_cert(&b, pl->type, &c);
			break;
		case ISAKMP_PAYLOAD_N:
			(void)isakmp_notify_parse(&pl->body, &n);
			isakmp_build_notify(&b, &n);
			break;
		case ISAKMP_PAYLOAD_D:
			(void)isakmp_delete_parse(&pl->body, &del);
			isakmp_build_delete(&b, &del);
			break;
		case ISAKMP_PAYLOAD_NAT_OA:
		case ISAKMP_PAYLOAD_NAT_OA_DRAFT:
			(void)isakmp_nat_oa_parse(&pl->body, &oa);
			isakmp_build_nat_oa(&b, pl->type, &oa);
			break;
		case ISAKMP_PAYLOAD_FRAG:
			(void)isakmp_frag_parse(&pl->body, &f);
			isakmp_build_frag(&b, &f);
			break;
		case 0:
			/* unknown: copied as an opaque body */
			(void)isakmp_build_payload_begin(&b, pl->type);
			wbuf_put_bytes(&w, rbuf_cur(&pl->body),
			    rbuf_left(&pl->body));
			isakmp_build_payload_end(&b);
			break;
		default:
			(void)isakmp_data_parse(&pl->body, pl->type, &d);
			(void)isakmp_build_data(&b, pl->type, d.data, d.len);
			break;
		}
	}
	/* the padding is not a payload: copied as is */
	wbuf_put_bytes(&w, p + len - m.padding, m.padding);
	if (!isakmp_builder_finish(&b, outlen))
		return ISAKMP_ERR_COUNT;
	return ISAKMP_OK;
}

static void
dump_vector(const char *dir, const char *name, uint8_t mode,
    const uint8_t *p, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(&mode, 1, 1, f), 1);
	assert_int_equal(fwrite(p, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Read a file of the repository into buf; returns its length. */
static size_t
read_vector(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, cap, f);
	assert_true(feof(f));
	fclose(f);
	return n;
}

/* Every built vector parses and rebuilds byte for byte. */
static void
test_round_trip(void **state)
{
	static struct vec v;
	static uint8_t out[BUFSZ];
	const char *dir = getenv("ISAKMP_VECTOR_DIR");
	size_t outlen;

	(void)state;
	for (size_t i = 0; i < NVEC; i++) {
		vec_builders[i](&v);
		assert_int_equal(rebuild(v.buf, v.len, out, sizeof(out),
		    &outlen), ISAKMP_OK);
		assert_int_equal(outlen, v.len);
		assert_memory_equal(out, v.buf, v.len);
		if (dir != NULL)
			dump_vector(dir, v.name, v.padding ? 1 : 0, v.buf,
			    v.len);
	}
}

/* Phase 1 attributes of one transform. */
struct p1 {
	uint32_t encr, keylen, hash, auth, group, life_type;
	uint64_t life;
	size_t nattrs;
};

static void
get_p1(const struct isakmp_transform *xf, struct p1 *o)
{
	struct rbuf it = xf->attrs;
	struct isakmp_attr a;
	uint32_t v;

	memset(o, 0, sizeof(*o));
	while (isakmp_attr_next(&it, &a)) {
		o->nattrs++;
		if (a.type == IKE_ATTR_LIFE_DURATION) {
			assert_true(isakmp_attr_u64(&a, &o->life));
			continue;
		}
		assert_true(a.tv);
		assert_true(isakmp_attr_u32(&a, &v));
		switch (a.type) {
		case IKE_ATTR_ENCR:
			o->encr = v;
			break;
		case IKE_ATTR_KEY_LENGTH:
			o->keylen = v;
			break;
		case IKE_ATTR_HASH:
			o->hash = v;
			break;
		case IKE_ATTR_AUTH:
			o->auth = v;
			break;
		case IKE_ATTR_GROUP_DESC:
			o->group = v;
			break;
		case IKE_ATTR_LIFE_TYPE:
			o->life_type = v;
			break;
		default:
			fail_msg("unexpected attribute %u", a.type);
		}
	}
	assert_int_equal(rbuf_left(&it), 0);
}

static void
test_windows_mm1(void **state)
{
	static const uint32_t want[5][4] = {
		{ 7, 256, 20 }, { 7, 128, 19 }, { 7, 256, 14 },
		{ 5, 0, 14 }, { 5, 0, 2 },
	};
	static const enum isakmp_vid vids[7] = {
		ISAKMP_VID_MS_NT5, ISAKMP_VID_NATT_RFC3947,
		ISAKMP_VID_NATT_DRAFT_02_N, ISAKMP_VID_FRAGMENTATION,
		ISAKMP_VID_MS_NEGDISC, ISAKMP_VID_MS_INITIAL_CONTACT,
		ISAKMP_VID_MS_CGA1,
	};
	static struct vec v;
	const struct isakmp_payload *pl;
	struct isakmp_proposal prop;
	struct isakmp_transform xf;
	struct isakmp_hdr h;
	struct isakmp_msg m;
	struct isakmp_sa sa;
	struct isakmp_data d;
	struct rbuf it;
	struct p1 p;
	uint32_t suffix;
	size_t n;

	(void)state;
	build_windows_mm1(&v);
	assert_int_equal(parse_all(v.buf, v.len, &h, &m), ISAKMP_OK);
	assert_memory_equal(h.icookie, icookie, 8);
	assert_int_equal(h.exchange, ISAKMP_EXCH_IDPROT);
	assert_int_equal(h.length, v.len);
	assert_int_equal(m.npl, 8);
	assert_int_equal(m.unknown, 0);
	assert_int_equal(m.first_unknown, ISAKMP_IDX_NONE);
	assert_int_equal(m.padding, 0);
	assert_int_equal(isakmp_msg_count(&m, ISAKMP_PAYLOAD_SA), 1);
	assert_int_equal(isakmp_msg_count(&m, ISAKMP_PAYLOAD_VID), 7);

	pl = isakmp_msg_first(&m, ISAKMP_PAYLOAD_SA);
	assert_non_null(pl);
	assert_int_equal(isakmp_sa_parse(&pl->body, &sa), ISAKMP_OK);
	assert_int_equal(sa.doi, ISAKMP_DOI_IPSEC);
	assert_int_equal(sa.situation, IPSEC_SIT_IDENTITY_ONLY);
	assert_int_equal(sa.nproposals, 1);
	assert_false(sa.reserved_nonzero);
	it = sa.proposals;
	assert_true(isakmp_proposal_next(&it, &prop));
	assert_int_equal(rbuf_left(&it), 0);
	assert_int_equal(prop.protocol, IPSEC_PROTO_ISAKMP);
	assert_int_equal(prop.spi_size, 0);
	assert_int_equal(prop.ntransforms, 5);
	it = prop.transforms;
	for (n = 0; isakmp_transform_next(&it, &xf); n++) {
		assert_true(n < 5);
		assert_int_equal(xf.number, n + 1);
		assert_int_equal(xf.id, IPSEC_KEY_IKE);
		get_p1(&xf, &p);
		assert_int_equal(p.nattrs, want[n][1] ? 7 : 6);
		assert_int_equal(p.encr, want[n][0]);
		assert_int_equal(p.keylen, want[n][1]);
		assert_int_equal(p.group, want[n][2]);
		assert_int_equal(p.hash, IKE_HASH_SHA1);
		assert_int_equal(p.auth, IKE_AUTH_PSK);
		assert_int_equal(p.life_type, IKE_LIFE_SECONDS);
		assert_true(p.life == 28800);
	}
	assert_int_equal(n, 5);

	n = 0;
	for (pl = isakmp_msg_first(&m, ISAKMP_PAYLOAD_VID); pl != NULL;
	    pl = isakmp_msg_next(&m, pl), n++) {
		assert_int_equal(isakmp_data_parse(&pl->body,
		    ISAKMP_PAYLOAD_VID, &d), ISAKMP_OK);
		assert_int_equal(isakmp_vid_lookup(d.data, d.len, &suffix),
		    vids[n]);
		assert_int_equal(suffix, n == 0 ? 9 : 0);
	}
	assert_int_equal(n, 7);
}

static void
test_apple_mm1(void **state)
{
	static const enum isakmp_vid vids[6] = {
		ISAKMP_VID_NATT_RFC3947, ISAKMP_VID_UNKNOWN,
		ISAKMP_VID_NATT_DRAFT_03, ISAKMP_VID_NATT_DRAFT_02,
		ISAKMP_VID_NATT_DRAFT_02_N, ISAKMP_VID_DPD,
	};
	static struct vec v;
	const struct isakmp_payload *pl;
	struct isakmp_proposal prop;
	struct isakmp_transform xf;
	struct isakmp_hdr h;
	struct isakmp_msg m;
	struct isakmp_sa sa;
	struct isakmp_data d;
	struct rbuf it;
	struct p1 p;
	size_t n;

	(void)state;
	build_apple_mm1(&v);
	assert_int_equal(parse_all(v.buf, v.len, &h, &m), ISAKMP_OK);
	assert_int_equal(m.npl, 7);
	pl = isakmp_msg_first(&m, ISAKMP_PAYLOAD_SA);
	assert_int_equal(isakmp_sa_parse(&pl->body, &sa), ISAKMP_OK);
	it = sa.proposals;
	assert_true(isakmp_proposal_next(&it, &prop));
	assert_int_equal(prop.ntransforms, 14);
	it = prop.transforms;
	for (n = 0; isakmp_transform_next(&it, &xf); n++) {
		get_p1(&xf, &p);
		assert_true(p.life == 3600);
		assert_int_equal(p.auth, IKE_AUTH_PSK);
	}
	assert_int_equal(n, 14);
	/* the last one: 3DES/MD5/MODP-1024 */
	assert_int_equal(p.encr, IKE_ENCR_3DES_CBC);
	assert_int_equal(p.hash, IKE_HASH_MD5);
	assert_int_equal(p.group, IKE_GROUP_MODP_1024);

	n = 0;
	for (pl = isakmp_msg_first(&m, ISAKMP_PAYLOAD_VID); pl != NULL;
	    pl = isakmp_msg_next(&m, pl), n++) {
		assert_int_equal(isakmp_data_parse(&pl->body,
		    ISAKMP_PAYLOAD_VID, &d), ISAKMP_OK);
		assert_int_equal(isakmp_vid_lookup(d.data, d.len, NULL),
		    vids[n]);
	}
	assert_int_equal(n, 6);
}

static void
test_quick1(void **state)
{
	static struct vec v;
	const struct isakmp_payload *pl;
	struct isakmp_proposal prop;
	struct isakmp_transform xf;
	struct isakmp_attr a;
	struct isakmp_nat_oa oa;
	struct isakmp_id id;
	struct isakmp_hdr h;
	struct isakmp_msg m;
	struct isakmp_sa sa;
	struct rbuf it, ait;
	uint64_t v64;
	uint32_t encap = 0;
	size_t n = 0;

	(void)state;
	build_quick1(&v, 0);
	assert_int_equal(parse_all(v.buf, v.len, &h, &m), ISAKMP_OK);
	assert_int_equal(h.exchange, ISAKMP_EXCH_QUICK);
	assert_int_equal(h.msgid, 0x1a2b3c4d);
	assert_int_equal(m.npl, 7);
	assert_int_equal(m.pl[0].type, ISAKMP_PAYLOAD_HASH);
	assert_int_equal(m.pl[0].offset, 0);

	pl = isakmp_msg_first(&m, ISAKMP_PAYLOAD_SA);
	assert_int_equal(isakmp_sa_parse(&pl->body, &sa), ISAKMP_OK);
	it = sa.proposals;
	assert_true(isakmp_proposal_next(&it, &prop));
	assert_int_equal(prop.protocol, IPSEC_PROTO_ESP);
	assert_int_equal(prop.spi_size, 4);
	assert_memory_equal(prop.spi, esp_spi, 4);
	it = prop.transforms;
	while (isakmp_transform_next(&it, &xf)) {
		n++;
		ait = xf.attrs;
		while (isakmp_attr_next(&ait, &a)) {
			if (a.type == IPSEC_ATTR_ENCAP_MODE)
				assert_true(isakmp_attr_u32(&a, &encap));
			if (a.type == IPSEC_ATTR_LIFE_DURATION) {
				assert_true(isakmp_attr_u64(&a, &v64));
				assert_true(v64 == 3600 || v64 == 250000);
				/* 250000 does not fit 16 bits: TLV */
				assert_true(a.tv == (v64 == 3600));
			}
		}
	}
	assert_int_equal(n, 3);
	assert_int_equal(encap, IPSEC_ENCAP_UDP_TRANSPORT_DRAFT);

	assert_int_equal(isakmp_msg_count(&m, ISAKMP_PAYLOAD_ID), 2);
	pl = isakmp_msg_first(&m, ISAKMP_PAYLOAD_ID);
	assert_int_equal(isakmp_id_parse(&pl->body, &id), ISAKMP_OK);
	assert_int_equal(id.type, IPSEC_ID_IPV4_ADDR);
	assert_int_equal(id.protocol, 17);
	assert_int_equal(id.port, 1701);
	assert_memory_equal(id.data, client_ip, 4);
	pl = isakmp_msg_next(&m, pl);
	assert_int_equal(isakmp_id_parse(&pl->body, &id), ISAKMP_OK);
	assert_memory_equal(id.data, server_ip, 4);
	assert_null(isakmp_msg_next(&m, pl));

	assert_int_equal(isakmp_msg_count(&m, ISAKMP_PAYLOAD_NAT_OA), 2);
	pl = isakmp_msg_first(&m, ISAKMP_PAYLOAD_NAT_OA);
	assert_int_equal(isakmp_nat_oa_parse(&pl->body, &oa), ISAKMP_OK);
	assert_memory_equal(oa.addr, client_ip, 4);
	pl = isakmp_msg_next(&m, pl);
	assert_int_equal(isakmp_nat_oa_parse(&pl->body, &oa), ISAKMP_OK);
	assert_int_equal(oa.id_type, IPSEC_ID_IPV4_ADDR);
	assert_memory_equal(oa.addr, server_ip, 4);
	assert_false(oa.reserved_nonzero);
}

static void
test_info(void **state)
{
	static struct vec v;
	const struct isakmp_payload *pl;
	struct isakmp_delete d;
	struct isakmp_notify n;
	struct isakmp_hdr h;
	struct isakmp_msg m;

	(void)state;
	build_info_delete(&v);
	assert_int_equal(parse_all(v.buf, v.len, &h, &m), ISAKMP_OK);
	assert_int_equal(h.exchange, ISAKMP_EXCH_INFO);
	pl = isakmp_msg_first(&m, ISAKMP_PAYLOAD_D);
	assert_int_equal(isakmp_delete_parse(&pl->body, &d), ISAKMP_OK);
	assert_int_equal(d.protocol, IPSEC_PROTO_ESP);
	assert_int_equal(d.count, 1);
	assert_memory_equal(d.spis, esp_spi, 4);

	build_info_delete_isakmp(&v);
	assert_int_equal(parse_all(v.buf, v.len, &h, &m), ISAKMP_OK);
	pl = isakmp_msg_first(&m, ISAKMP_PAYLOAD_D);
	assert_int_equal(isakmp_delete_parse(&pl->body, &d), ISAKMP_OK);
	assert_int_equal(d.spi_size, 16);
	assert_memory_equal(d.spis + 8, rcookie, 8);

	build_info_dpd(&v);
	assert_int_equal(parse_all(v.buf, v.len, &h, &m), ISAKMP_OK);
	pl = isakmp_msg_first(&m, ISAKMP_PAYLOAD_N);
	assert_int_equal(isakmp_notify_parse(&pl->body, &n), ISAKMP_OK);
	assert_int_equal(n.type, ISAKMP_N_R_U_THERE);
	assert_int_equal(n.protocol, IPSEC_PROTO_ISAKMP);
	assert_int_equal(n.spi_size, 16);
	assert_memory_equal(n.spi, icookie, 8);
	assert_int_equal(n.len, 4);
	assert_int_equal(n.data[3], 0x7a);
	assert_string_equal(isakmp_notify_name(n.type), "R-U-THERE");
}

static void
test_misc_and_frag(void **state)
{
	static struct vec v;
	const struct isakmp_payload *pl;
	struct isakmp_frag f;
	struct isakmp_id id;
	struct isakmp_cert c;
	struct isakmp_hdr h;
	struct isakmp_msg m;

	(void)state;
	build_misc(&v);
	assert_int_equal(parse_all(v.buf, v.len, &h, &m), ISAKMP_OK);
	assert_int_equal(m.npl, 14);
	assert_int_equal(isakmp_msg_count(&m, ISAKMP_PAYLOAD_NAT_D), 2);
	assert_int_equal(isakmp_msg_count(&m, ISAKMP_PAYLOAD_NAT_D_DRAFT), 1);
	pl = isakmp_msg_first(&m, ISAKMP_PAYLOAD_ID);
	assert_int_equal(isakmp_id_parse(&pl->body, &id), ISAKMP_OK);
	assert_int_equal(id.type, IPSEC_ID_IPV4_ADDR_SUBNET);
	assert_int_equal(id.len, 8);
	pl = isakmp_msg_first(&m, ISAKMP_PAYLOAD_CR);
	assert_int_equal(isakmp_cert_parse(&pl->body, ISAKMP_PAYLOAD_CR, &c),
	    ISAKMP_OK);
	assert_int_equal(c.encoding, ISAKMP_CERT_X509_SIG);
	assert_int_equal(c.len, 0);
	/* a CERT needs data: the same body as CERT is refused */
	assert_int_equal(isakmp_cert_parse(&pl->body, ISAKMP_PAYLOAD_CERT,
	    &c), ISAKMP_ERR_DATA_LENGTH);
	assert_int_equal(isakmp_cert_parse(&pl->body, ISAKMP_PAYLOAD_ID, &c),
	    ISAKMP_ERR_WRONG_TYPE);

	build_frag(&v);
	assert_int_equal(parse_all(v.buf, v.len, &h, &m), ISAKMP_OK);
	assert_int_equal(h.next, ISAKMP_PAYLOAD_FRAG);
	pl = isakmp_msg_first(&m, ISAKMP_PAYLOAD_FRAG);
	assert_int_equal(isakmp_frag_parse(&pl->body, &f), ISAKMP_OK);
	assert_int_equal(f.id, 0x0102);
	assert_int_equal(f.number, 3);
	assert_int_equal(f.flags, ISAKMP_FRAG_LAST);
	assert_int_equal(f.len, 40);
}

/* Body parsers that must refuse every strict prefix of a valid body. */
static bool
prefix_must_fail(uint8_t type, const struct rbuf *body)
{
	struct isakmp_id id;

	switch (type) {
	case ISAKMP_PAYLOAD_SA:
	case ISAKMP_PAYLOAD_D:
	case ISAKMP_PAYLOAD_NAT_OA:
	case ISAKMP_PAYLOAD_NAT_OA_DRAFT:
		return true;
	case ISAKMP_PAYLOAD_ID:
		/* fixed-size address types */
		return isakmp_id_parse(body, &id) == ISAKMP_OK &&
		    id.type != IPSEC_ID_FQDN;
	default:
		return false;
	}
}

/*
 * Every truncation length of every vector, each copied into a buffer of
 * exactly that size (ASan catches any read past it): the header refuses
 * it; the chain parser refuses every prefix of the chain; every typed
 * parser survives every prefix of each body and the structured ones
 * refuse them.
 */
static void
test_truncation(void **state)
{
	static struct vec v;
	struct isakmp_hdr h;
	struct isakmp_msg m, full;
	enum isakmp_err e;

	(void)state;
	for (size_t i = 0; i < NVEC; i++) {
		size_t chain_end;

		vec_builders[i](&v);
		assert_int_equal(parse_all(v.buf, v.len, &h, &full),
		    ISAKMP_OK);
		chain_end = v.len - v.padding;
		for (size_t len = 0; len < v.len; len++) {
			uint8_t *p = malloc(len ? len : 1);
			struct rbuf r;

			assert_non_null(p);
			memcpy(p, v.buf, len);
			rbuf_init(&r, p, len);
			e = isakmp_hdr_parse(&r, &h);
			assert_int_not_equal(e, ISAKMP_OK);
			assert_int_equal(r.off, 0);
			if (len >= ISAKMP_HDR_LEN) {
				assert_int_equal(e,
				    ISAKMP_ERR_HDR_LENGTH_OVER);
				e = isakmp_payloads_parse(p + ISAKMP_HDR_LEN,
				    len - ISAKMP_HDR_LEN, h.next, true, &m);
				if (len < chain_end)
					assert_int_not_equal(e, ISAKMP_OK);
				else
					assert_int_equal(e, ISAKMP_OK);
				e = isakmp_payloads_parse(p + ISAKMP_HDR_LEN,
				    len - ISAKMP_HDR_LEN, h.next, false, &m);
				if (len == chain_end)
					assert_int_equal(e, ISAKMP_OK);
				else
					assert_int_not_equal(e, ISAKMP_OK);
			} else {
				assert_int_equal(e, ISAKMP_ERR_HDR_TRUNCATED);
			}
			free(p);
		}
		for (size_t k = 0; k < full.npl; k++) {
			const struct isakmp_payload *pl = &full.pl[k];
			size_t blen = rbuf_left(&pl->body);
			bool strict = prefix_must_fail(pl->type, &pl->body);

			assert_int_equal(parse_body(pl->type, &pl->body),
			    ISAKMP_OK);
			for (size_t len = 0; len < blen; len++) {
				uint8_t *p = malloc(len ? len : 1);
				struct rbuf r;

				assert_non_null(p);
				memcpy(p, rbuf_cur(&pl->body), len);
				rbuf_init(&r, p, len);
				e = parse_body(pl->type, &r);
				if (strict)
					assert_int_not_equal(e, ISAKMP_OK);
				free(p);
			}
		}
	}
}

/* Copy of a vector with a 16-bit field at off replaced. */
static enum isakmp_err
parse_patched16(const struct vec *v, size_t off, uint16_t val,
    struct isakmp_msg *m)
{
	static uint8_t buf[BUFSZ];
	struct isakmp_hdr h;

	memcpy(buf, v->buf, v->len);
	buf[off] = (uint8_t)(val >> 8);
	buf[off + 1] = (uint8_t)val;
	return parse_all(buf, v->len, &h, m);
}

/* The SA of a vector, with one byte at off (in the message) replaced. */
static enum isakmp_err
sa_patched(const struct vec *v, size_t off, size_t width, uint32_t val)
{
	static uint8_t buf[BUFSZ];
	struct isakmp_hdr h;
	struct isakmp_msg m;
	struct isakmp_sa sa;
	const struct isakmp_payload *pl;

	memcpy(buf, v->buf, v->len);
	for (size_t i = 0; i < width; i++)
		buf[off + i] = (uint8_t)(val >> (8 * (width - 1 - i)));
	assert_int_equal(parse_all(buf, v->len, &h, &m), ISAKMP_OK);
	pl = isakmp_msg_first(&m, ISAKMP_PAYLOAD_SA);
	assert_non_null(pl);
	return isakmp_sa_parse(&pl->body, &sa);
}

/* Offset in the message of a payload's generic header. */
static size_t
pl_off(const struct isakmp_msg *m, size_t idx)
{
	return ISAKMP_HDR_LEN + m->pl[idx].offset;
}

static void
test_hdr_length(void **state)
{
	static struct vec v;
	static uint8_t buf[BUFSZ];
	struct isakmp_hdr h;
	struct isakmp_msg m;
	struct rbuf r;

	(void)state;
	build_windows_mm1(&v);
	memcpy(buf, v.buf, v.len);
	for (int d = -1; d <= 1; d++) {
		uint32_t len = (uint32_t)v.len + (uint32_t)d;

		buf[24] = (uint8_t)(len >> 24);
		buf[25] = (uint8_t)(len >> 16);
		buf[26] = (uint8_t)(len >> 8);
		buf[27] = (uint8_t)len;
		rbuf_init(&r, buf, v.len);
		assert_int_equal(isakmp_hdr_parse(&r, &h), d < 0 ?
		    ISAKMP_ERR_HDR_LENGTH_UNDER : d > 0 ?
		    ISAKMP_ERR_HDR_LENGTH_OVER : ISAKMP_OK);
		assert_int_equal(r.off, d == 0 ? ISAKMP_HDR_LEN : 0);
	}
	/* 0, 27: below the header; 28: the datagram is longer */
	buf[24] = buf[25] = buf[26] = 0;
	buf[27] = 0;
	rbuf_init(&r, buf, v.len);
	assert_int_equal(isakmp_hdr_parse(&r, &h),
	    ISAKMP_ERR_HDR_LENGTH_SMALL);
	buf[27] = 27;
	assert_int_equal(isakmp_hdr_parse(&r, &h),
	    ISAKMP_ERR_HDR_LENGTH_SMALL);
	buf[27] = 28;
	assert_int_equal(isakmp_hdr_parse(&r, &h),
	    ISAKMP_ERR_HDR_LENGTH_UNDER);
	/* a header alone is a valid (empty) message */
	rbuf_init(&r, buf, 28);
	assert_int_equal(isakmp_hdr_parse(&r, &h), ISAKMP_OK);
	assert_int_equal(rbuf_left(&r), 0);
	assert_int_equal(isakmp_payloads_parse(rbuf_cur(&r), 0, 0, false,
	    &m), ISAKMP_OK);
	assert_int_equal(m.npl, 0);

	/* versions: IKEv2 header, minor 1 */
	memcpy(buf, v.buf, v.len);
	buf[17] = 0x20;
	rbuf_init(&r, buf, v.len);
	assert_int_equal(isakmp_hdr_parse(&r, &h), ISAKMP_ERR_MAJOR_VERSION);
	assert_memory_equal(h.icookie, icookie, 8);
	buf[17] = 0x11;
	assert_int_equal(isakmp_hdr_parse(&r, &h), ISAKMP_ERR_MINOR_VERSION);
	assert_int_equal(r.off, 0);
	/* unknown flag bits are kept for the caller, not refused */
	buf[17] = 0x10;
	buf[19] = 0xf8;
	assert_int_equal(isakmp_hdr_parse(&r, &h), ISAKMP_OK);
	assert_int_equal(h.flags, 0xf8);
}

static void
test_payload_length(void **state)
{
	static struct vec v;
	struct isakmp_hdr h;
	struct isakmp_msg m, m2;
	size_t off, last, base;

	(void)state;
	build_windows_mm1(&v);
	assert_int_equal(parse_all(v.buf, v.len, &h, &m), ISAKMP_OK);
	/* the first VID (MS NT5, 24 bytes) */
	off = pl_off(&m, 1) + 2;
	base = m.pl[1].length;
	assert_int_equal(parse_patched16(&v, off, (uint16_t)base, &m2),
	    ISAKMP_OK);
	assert_int_not_equal(parse_patched16(&v, off, (uint16_t)(base - 1),
	    &m2), ISAKMP_OK);
	assert_int_not_equal(parse_patched16(&v, off, (uint16_t)(base + 1),
	    &m2), ISAKMP_OK);
	assert_int_equal(parse_patched16(&v, off, 0, &m2),
	    ISAKMP_ERR_PAYLOAD_LENGTH);
	assert_int_equal(m2.fail_type, ISAKMP_PAYLOAD_VID);
	assert_int_equal(m2.fail_offset, m.pl[1].offset);
	assert_int_equal(parse_patched16(&v, off, 3, &m2),
	    ISAKMP_ERR_PAYLOAD_LENGTH);
	assert_int_equal(parse_patched16(&v, off, 0xffff, &m2),
	    ISAKMP_ERR_PAYLOAD_OVERRUN);

	/* the last payload: +1 overruns, -1 leaves a trailing byte */
	last = m.npl - 1;
	off = pl_off(&m, last) + 2;
	base = m.pl[last].length;
	assert_int_equal(parse_patched16(&v, off, (uint16_t)(base + 1), &m2),
	    ISAKMP_ERR_PAYLOAD_OVERRUN);
	assert_int_equal(parse_patched16(&v, off, (uint16_t)(base - 1), &m2),
	    ISAKMP_ERR_TRAILING);
	assert_int_equal(m2.fail_offset, v.len - ISAKMP_HDR_LEN - 1);
	/* ... which is legal padding in an encrypted message */
	v.buf[19] |= ISAKMP_FLAG_ENC;
	assert_int_equal(parse_patched16(&v, off, (uint16_t)(base - 1), &m2),
	    ISAKMP_OK);
	assert_int_equal(m2.padding, 1);
	assert_int_equal(m2.pl[last].length, base - 1);
}

static void
test_sa_lengths(void **state)
{
	static struct vec v;
	struct isakmp_hdr h;
	struct isakmp_msg m;
	size_t sa_off, prop, xf, plen, xlen;

	(void)state;
	build_windows_mm1(&v);
	assert_int_equal(parse_all(v.buf, v.len, &h, &m), ISAKMP_OK);
	sa_off = pl_off(&m, 0);
	prop = sa_off + 4 + 8;
	xf = prop + 8;
	plen = (size_t)v.buf[prop + 2] << 8 | v.buf[prop + 3];
	xlen = (size_t)v.buf[xf + 2] << 8 | v.buf[xf + 3];
	assert_int_equal(plen, m.pl[0].length - 12);

	/* proposal length */
	assert_int_equal(sa_patched(&v, prop + 2, 2, (uint32_t)plen),
	    ISAKMP_OK);
	assert_int_not_equal(sa_patched(&v, prop + 2, 2,
	    (uint32_t)plen - 1), ISAKMP_OK);
	assert_int_equal(sa_patched(&v, prop + 2, 2, (uint32_t)plen + 1),
	    ISAKMP_ERR_PROPOSAL_LENGTH);
	assert_int_equal(sa_patched(&v, prop + 2, 2, 0),
	    ISAKMP_ERR_PROPOSAL_LENGTH);
	assert_int_equal(sa_patched(&v, prop + 2, 2, 7),
	    ISAKMP_ERR_PROPOSAL_LENGTH);
	/* proposal next: 2 with nothing after, 3 */
	assert_int_equal(sa_patched(&v, prop, 1, ISAKMP_PAYLOAD_P),
	    ISAKMP_ERR_BODY_SHORT);
	assert_int_equal(sa_patched(&v, prop, 1, ISAKMP_PAYLOAD_T),
	    ISAKMP_ERR_PROPOSAL_NEXT);
	/* # transforms at -1/0/+1 */
	assert_int_equal(sa_patched(&v, prop + 7, 1, 4),
	    ISAKMP_ERR_TRANSFORM_COUNT);
	assert_int_equal(sa_patched(&v, prop + 7, 1, 6),
	    ISAKMP_ERR_TRANSFORM_COUNT);
	assert_int_equal(sa_patched(&v, prop + 7, 1, 0),
	    ISAKMP_ERR_TRANSFORM_COUNT);
	/* ISAKMP SPI size: 1..16 would eat into the transforms */
	assert_int_not_equal(sa_patched(&v, prop + 6, 1, 1), ISAKMP_OK);
	assert_int_equal(sa_patched(&v, prop + 6, 1, 17),
	    ISAKMP_ERR_SPI_SIZE);

	/* transform length */
	assert_int_equal(sa_patched(&v, xf + 2, 2, (uint32_t)xlen),
	    ISAKMP_OK);
	assert_int_not_equal(sa_patched(&v, xf + 2, 2, (uint32_t)xlen - 1),
	    ISAKMP_OK);
	assert_int_not_equal(sa_patched(&v, xf + 2, 2, (uint32_t)xlen + 1),
	    ISAKMP_OK);
	assert_int_equal(sa_patched(&v, xf + 2, 2, 0),
	    ISAKMP_ERR_TRANSFORM_LENGTH);
	assert_int_equal(sa_patched(&v, xf + 2, 2, 0xffff),
	    ISAKMP_ERR_TRANSFORM_LENGTH);
	/* transform next: 0 on the first leaves 4 orphans, 2 is wrong */
	assert_int_equal(sa_patched(&v, xf, 1, 0), ISAKMP_ERR_BODY_TRAILING);
	assert_int_equal(sa_patched(&v, xf, 1, 2), ISAKMP_ERR_TRANSFORM_NEXT);
	/* DOI and situation */
	assert_int_equal(sa_patched(&v, sa_off + 4, 4, 0), ISAKMP_ERR_SA_DOI);
	assert_int_equal(sa_patched(&v, sa_off + 8, 4, 3),
	    ISAKMP_ERR_SA_SITUATION);
}

static void
test_attr_length(void **state)
{
	static struct vec v;
	struct isakmp_hdr h;
	struct isakmp_msg m;
	size_t xf, attr;

	(void)state;
	/* Apple: life duration is the last attribute, a 4-byte TLV */
	build_apple_mm1(&v);
	assert_int_equal(parse_all(v.buf, v.len, &h, &m), ISAKMP_OK);
	xf = pl_off(&m, 0) + 12 + 8;
	attr = xf + ((size_t)v.buf[xf + 2] << 8 | v.buf[xf + 3]) - 8;
	assert_int_equal(v.buf[attr], 0);
	assert_int_equal(v.buf[attr + 1], IKE_ATTR_LIFE_DURATION);
	assert_int_equal(sa_patched(&v, attr + 2, 2, 4), ISAKMP_OK);
	assert_int_equal(sa_patched(&v, attr + 2, 2, 3),
	    ISAKMP_ERR_ATTR_TRUNCATED);
	assert_int_equal(sa_patched(&v, attr + 2, 2, 5),
	    ISAKMP_ERR_ATTR_LENGTH);
	/* 0: the value bytes 00 00 0e 10 read as a TLV of 3600 bytes */
	assert_int_equal(sa_patched(&v, attr + 2, 2, 0),
	    ISAKMP_ERR_ATTR_LENGTH);
	assert_int_equal(sa_patched(&v, attr + 2, 2, 0xffff),
	    ISAKMP_ERR_ATTR_LENGTH);
}

static void
test_spi_size_and_delete_count(void **state)
{
	static struct vec v;
	static uint8_t buf[BUFSZ];
	const struct isakmp_payload *pl;
	struct isakmp_delete d;
	struct isakmp_hdr h;
	struct isakmp_msg m;
	size_t prop, doff;

	(void)state;
	/* ESP proposal SPI size 4 at -1/0/+1 and 0 */
	build_quick1(&v, 0);
	assert_int_equal(parse_all(v.buf, v.len, &h, &m), ISAKMP_OK);
	prop = pl_off(&m, 1) + 12;
	assert_int_equal(v.buf[prop + 5], IPSEC_PROTO_ESP);
	assert_int_equal(sa_patched(&v, prop + 6, 1, 4), ISAKMP_OK);
	assert_int_equal(sa_patched(&v, prop + 6, 1, 3), ISAKMP_ERR_SPI_SIZE);
	assert_int_equal(sa_patched(&v, prop + 6, 1, 5), ISAKMP_ERR_SPI_SIZE);
	assert_int_equal(sa_patched(&v, prop + 6, 1, 0), ISAKMP_ERR_SPI_SIZE);

	/* Delete count 1 with a 4-byte SPI: 0 and 2 */
	build_info_delete(&v);
	assert_int_equal(parse_all(v.buf, v.len, &h, &m), ISAKMP_OK);
	doff = pl_off(&m, 1) + 4;
	for (int c = 0; c <= 2; c++) {
		memcpy(buf, v.buf, v.len);
		buf[doff + 7] = (uint8_t)c;
		assert_int_equal(parse_all(buf, v.len, &h, &m), ISAKMP_OK);
		pl = isakmp_msg_first(&m, ISAKMP_PAYLOAD_D);
		assert_int_equal(isakmp_delete_parse(&pl->body, &d),
		    c == 1 ? ISAKMP_OK : ISAKMP_ERR_DELETE_COUNT);
	}
	/* Delete SPI size: 3, 5, 0 for ESP */
	for (int s = 3; s <= 5; s += 2) {
		memcpy(buf, v.buf, v.len);
		buf[doff + 5] = (uint8_t)s;
		assert_int_equal(parse_all(buf, v.len, &h, &m), ISAKMP_OK);
		pl = isakmp_msg_first(&m, ISAKMP_PAYLOAD_D);
		assert_int_equal(isakmp_delete_parse(&pl->body, &d),
		    ISAKMP_ERR_SPI_SIZE);
	}
	memcpy(buf, v.buf, v.len);
	buf[doff + 5] = 0;
	assert_int_equal(parse_all(buf, v.len, &h, &m), ISAKMP_OK);
	pl = isakmp_msg_first(&m, ISAKMP_PAYLOAD_D);
	assert_int_equal(isakmp_delete_parse(&pl->body, &d),
	    ISAKMP_ERR_SPI_SIZE);
}

static void
test_small_bodies(void **state)
{
	static const uint8_t n_over[] = { 0, 0, 0, 1, 3, 5, 0, 11,
	    1, 2, 3, 4 };
	static const uint8_t n_esp0[] = { 0, 0, 0, 1, 3, 0, 0, 14 };
	static const uint8_t n_isakmp17[8 + 17] = { 0, 0, 0, 1, 1, 17, 0, 1 };
	static const uint8_t oa_v4_5[] = { 1, 0, 0, 0, 1, 2, 3, 4, 5 };
	static const uint8_t oa_v4_3[] = { 1, 0, 0, 0, 1, 2, 3 };
	static const uint8_t oa_fqdn[] = { 2, 0, 0, 0, 1, 2, 3, 4 };
	static const uint8_t oa_resv[] = { 1, 0, 7, 0, 1, 2, 3, 4 };
	static const uint8_t id_v4_3[] = { 1, 17, 0x06, 0xa5, 1, 2, 3 };
	static const uint8_t id_v4_5[] = { 1, 17, 0x06, 0xa5, 1, 2, 3, 4, 5 };
	static const uint8_t id_v6_15[4 + 15] = { 5 };
	static const uint8_t id_fqdn0[] = { 2, 0, 0, 0 };
	static const uint8_t id_unknown[] = { 200, 0, 0, 0 };
	static const uint8_t frag0[] = { 0, 1, 1, 1 };
	static const uint8_t del_unknown[] = { 0, 0, 0, 1, 99, 1, 0, 2, 7, 8 };
	uint8_t nonce[ISAKMP_NONCE_MAX + 1];
	struct isakmp_notify n;
	struct isakmp_nat_oa oa;
	struct isakmp_id id;
	struct isakmp_frag f;
	struct isakmp_data d;
	struct isakmp_delete del;
	struct rbuf r;

	(void)state;
	memset(nonce, 0x3c, sizeof(nonce));
	rbuf_init(&r, n_over, sizeof(n_over));
	/* ESP notify with a 5-byte SPI */
	assert_int_equal(isakmp_notify_parse(&r, &n), ISAKMP_ERR_SPI_SIZE);
	rbuf_init(&r, n_esp0, sizeof(n_esp0));
	assert_int_equal(isakmp_notify_parse(&r, &n), ISAKMP_OK);
	assert_int_equal(n.len, 0);
	rbuf_init(&r, n_isakmp17, sizeof(n_isakmp17));
	assert_int_equal(isakmp_notify_parse(&r, &n), ISAKMP_ERR_SPI_SIZE);
	rbuf_init(&r, n_isakmp17, 7);
	assert_int_equal(isakmp_notify_parse(&r, &n), ISAKMP_ERR_BODY_SHORT);

	rbuf_init(&r, oa_v4_5, sizeof(oa_v4_5));
	assert_int_equal(isakmp_nat_oa_parse(&r, &oa),
	    ISAKMP_ERR_NAT_OA_LENGTH);
	rbuf_init(&r, oa_v4_3, sizeof(oa_v4_3));
	assert_int_equal(isakmp_nat_oa_parse(&r, &oa),
	    ISAKMP_ERR_NAT_OA_LENGTH);
	rbuf_init(&r, oa_fqdn, sizeof(oa_fqdn));
	assert_int_equal(isakmp_nat_oa_parse(&r, &oa), ISAKMP_ERR_NAT_OA_TYPE);
	rbuf_init(&r, oa_resv, sizeof(oa_resv));
	assert_int_equal(isakmp_nat_oa_parse(&r, &oa), ISAKMP_OK);
	assert_true(oa.reserved_nonzero);

	rbuf_init(&r, id_v4_3, sizeof(id_v4_3));
	assert_int_equal(isakmp_id_parse(&r, &id), ISAKMP_ERR_ID_LENGTH);
	rbuf_init(&r, id_v4_5, sizeof(id_v4_5));
	assert_int_equal(isakmp_id_parse(&r, &id), ISAKMP_ERR_ID_LENGTH);
	rbuf_init(&r, id_v6_15, sizeof(id_v6_15));
	assert_int_equal(isakmp_id_parse(&r, &id), ISAKMP_ERR_ID_LENGTH);
	rbuf_init(&r, id_fqdn0, sizeof(id_fqdn0));
	assert_int_equal(isakmp_id_parse(&r, &id), ISAKMP_ERR_ID_LENGTH);
	rbuf_init(&r, id_unknown, sizeof(id_unknown));
	assert_int_equal(isakmp_id_parse(&r, &id), ISAKMP_OK);
	assert_int_equal(id.len, 0);

	rbuf_init(&r, frag0, sizeof(frag0));
	assert_int_equal(isakmp_frag_parse(&r, &f), ISAKMP_ERR_DATA_LENGTH);
	rbuf_init(&r, del_unknown, sizeof(del_unknown));
	assert_int_equal(isakmp_delete_parse(&r, &del), ISAKMP_OK);
	assert_int_equal(del.count, 2);

	/* RFC 2409 5: nonce 8..256 at -1/0/+1 of both bounds */
	for (size_t len = 6; len <= ISAKMP_NONCE_MAX + 1; len++) {
		bool ok = len >= 8 && len <= 256;

		if (len > 9 && len < 255)
			continue;
		rbuf_init(&r, nonce, len);
		assert_int_equal(isakmp_data_parse(&r, ISAKMP_PAYLOAD_NONCE,
		    &d), ok ? ISAKMP_OK : ISAKMP_ERR_DATA_LENGTH);
	}
	rbuf_init(&r, nonce, 0);
	assert_int_equal(isakmp_data_parse(&r, ISAKMP_PAYLOAD_KE, &d),
	    ISAKMP_ERR_DATA_LENGTH);
	assert_int_equal(isakmp_data_parse(&r, ISAKMP_PAYLOAD_SA, &d),
	    ISAKMP_ERR_WRONG_TYPE);
}

/* Reserved bytes are recorded, never refused (client quirks). */
static void
test_reserved(void **state)
{
	static struct vec v;
	static uint8_t buf[BUFSZ];
	const struct isakmp_payload *pl;
	struct isakmp_hdr h;
	struct isakmp_msg m, m2;
	struct isakmp_sa sa;
	struct isakmp_nat_oa oa;
	size_t prop;

	(void)state;
	build_quick1(&v, 0);
	assert_int_equal(parse_all(v.buf, v.len, &h, &m), ISAKMP_OK);
	memcpy(buf, v.buf, v.len);
	buf[pl_off(&m, 2) + 1] = 0x5a;			/* NONCE generic */
	prop = pl_off(&m, 1) + 12;
	buf[prop + 1] = 0x01;				/* proposal */
	buf[prop + 8 + 4 + 6] = 0x02;			/* transform resv2 */
	buf[pl_off(&m, 5) + 4 + 2] = 0x03;		/* NAT-OA */
	assert_int_equal(parse_all(buf, v.len, &h, &m2), ISAKMP_OK);
	assert_int_equal(m2.reserved_nonzero, 1);
	assert_int_equal(m2.pl[2].reserved, 0x5a);
	pl = isakmp_msg_first(&m2, ISAKMP_PAYLOAD_SA);
	assert_int_equal(isakmp_sa_parse(&pl->body, &sa), ISAKMP_OK);
	assert_true(sa.reserved_nonzero);
	pl = isakmp_msg_first(&m2, ISAKMP_PAYLOAD_NAT_OA);
	assert_int_equal(isakmp_nat_oa_parse(&pl->body, &oa), ISAKMP_OK);
	assert_true(oa.reserved_nonzero);
}

/* A bare chain of n VIDs. */
static size_t
vid_chain(uint8_t *buf, size_t cap, size_t n, uint8_t *first)
{
	struct isakmp_builder b;
	struct wbuf w;
	size_t len;

	wbuf_init(&w, buf, cap);
	isakmp_builder_init(&b, &w, NULL);
	for (size_t i = 0; i < n; i++)
		put_vid(&b, ISAKMP_VID_DPD, NULL);
	assert_true(isakmp_builder_finish(&b, &len));
	*first = b.first;
	return len;
}

static void
test_payload_count(void **state)
{
	static uint8_t buf[BUFSZ];
	struct isakmp_msg m;
	uint8_t first;
	size_t len;

	(void)state;
	len = vid_chain(buf, sizeof(buf), ISAKMP_MAX_PAYLOADS, &first);
	assert_int_equal(first, ISAKMP_PAYLOAD_VID);
	assert_int_equal(isakmp_payloads_parse(buf, len, first, false, &m),
	    ISAKMP_OK);
	assert_int_equal(m.npl, ISAKMP_MAX_PAYLOADS);
	assert_int_equal(isakmp_msg_count(&m, ISAKMP_PAYLOAD_VID),
	    ISAKMP_MAX_PAYLOADS);
	len = vid_chain(buf, sizeof(buf), ISAKMP_MAX_PAYLOADS + 1, &first);
	assert_int_equal(isakmp_payloads_parse(buf, len, first, false, &m),
	    ISAKMP_ERR_TOO_MANY_PAYLOADS);
	assert_int_equal(m.fail_offset, ISAKMP_MAX_PAYLOADS * 20);
}

static void
test_unknown_payload(void **state)
{
	static uint8_t buf[BUFSZ];
	static const uint8_t junk[6] = { 1, 2, 3, 4, 5, 6 };
	const struct isakmp_payload *pl;
	struct isakmp_builder b;
	struct isakmp_msg m;
	struct wbuf w;
	size_t len;

	(void)state;
	wbuf_init(&w, buf, sizeof(buf));
	isakmp_builder_init(&b, &w, NULL);
	put_vid(&b, ISAKMP_VID_DPD, NULL);
	(void)isakmp_build_payload_begin(&b, 99);
	wbuf_put_bytes(&w, junk, sizeof(junk));
	isakmp_build_payload_end(&b);
	(void)isakmp_build_payload_begin(&b, ISAKMP_PAYLOAD_P);
	isakmp_build_payload_end(&b);
	put_vid(&b, ISAKMP_VID_NATT_RFC3947, NULL);
	assert_true(isakmp_builder_finish(&b, &len));

	assert_int_equal(isakmp_payloads_parse(buf, len, b.first, false, &m),
	    ISAKMP_OK);
	assert_int_equal(m.npl, 4);
	assert_int_equal(m.unknown, 2);
	assert_int_equal(m.first_unknown, 1);
	assert_false(m.pl[1].known);
	assert_int_equal(m.pl[1].type, 99);
	assert_int_equal(rbuf_left(&m.pl[1].body), 6);
	assert_false(m.pl[2].known);	/* P at top level */
	assert_int_equal(rbuf_left(&m.pl[2].body), 0);
	assert_true(m.pl[3].known);
	pl = isakmp_msg_first(&m, 99);
	assert_ptr_equal(pl, &m.pl[1]);
	assert_null(isakmp_msg_first(&m, ISAKMP_PAYLOAD_SA));
	assert_string_equal(isakmp_payload_name(99), "unknown");
}

static void
test_encrypted_padding(void **state)
{
	static struct vec v;
	struct isakmp_hdr h;
	struct isakmp_msg m;
	size_t chain;

	(void)state;
	build_quick1(&v, 12);
	assert_int_equal(parse_all(v.buf, v.len, &h, &m), ISAKMP_OK);
	assert_int_equal(h.length, v.len);
	assert_int_equal(m.padding, 12);
	assert_int_equal(m.npl, 7);
	chain = v.len - ISAKMP_HDR_LEN;
	assert_int_equal(isakmp_payloads_parse(v.buf + ISAKMP_HDR_LEN, chain,
	    h.next, false, &m), ISAKMP_ERR_TRAILING);
	assert_int_equal(m.fail_offset, chain - 12);
	assert_int_equal(m.fail_type, ISAKMP_PAYLOAD_NONE);
	/* plaintext Main Mode: exact end required, padding refused */
	build_windows_mm1(&v);
	v.buf[v.len] = 0;
	assert_int_equal(isakmp_payloads_parse(v.buf + ISAKMP_HDR_LEN,
	    v.len + 1 - ISAKMP_HDR_LEN, ISAKMP_PAYLOAD_SA, false, &m),
	    ISAKMP_ERR_TRAILING);
	assert_int_equal(isakmp_payloads_parse(v.buf + ISAKMP_HDR_LEN,
	    v.len + 1 - ISAKMP_HDR_LEN, ISAKMP_PAYLOAD_SA, true, &m),
	    ISAKMP_OK);
	assert_int_equal(m.padding, 1);
}

static void
test_attr_values(void **state)
{
	static const uint8_t v8[9] = { 0, 0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa,
	    0x99, 0x88 };
	static const uint8_t v9[9] = { 1, 0, 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t v5[5] = { 1, 0, 0, 0, 0 };
	static const uint8_t v5z[5] = { 0, 0xde, 0xad, 0xbe, 0xef };
	static const uint8_t tv[2] = { 0x70, 0x80 };
	struct isakmp_attr a;
	uint64_t x;
	uint32_t y;

	(void)state;
	a = (struct isakmp_attr){ 12, true, 2, tv };
	assert_true(isakmp_attr_u32(&a, &y));
	assert_int_equal(y, 28800);
	a = (struct isakmp_attr){ 12, false, 9, v8 };
	assert_true(isakmp_attr_u64(&a, &x));
	assert_true(x == 0xffeeddccbbaa9988ULL);
	assert_false(isakmp_attr_u32(&a, &y));
	/* 9 significant bytes do not fit 64 bits */
	a = (struct isakmp_attr){ 12, false, 9, v9 };
	assert_false(isakmp_attr_u64(&a, &x));
	a = (struct isakmp_attr){ 12, false, 5, v5 };
	assert_true(isakmp_attr_u64(&a, &x));
	assert_true(x == 0x100000000ULL);
	assert_false(isakmp_attr_u32(&a, &y));
	a = (struct isakmp_attr){ 12, false, 5, v5z };
	assert_true(isakmp_attr_u32(&a, &y));
	assert_int_equal(y, 0xdeadbeef);
	a = (struct isakmp_attr){ 12, false, 0, v5 };
	assert_false(isakmp_attr_u64(&a, &x));
}

/* Builders refuse misuse and bad contents; TV/TLV choice. */
static void
test_builder_errors(void **state)
{
	static uint8_t buf[256];
	uint8_t small[40];
	struct isakmp_builder b;
	struct isakmp_hdr h;
	struct isakmp_attr a;
	struct isakmp_msg m;
	struct isakmp_sa sa;
	struct wbuf w;
	struct rbuf it;
	struct isakmp_proposal prop;
	struct isakmp_transform xf;
	size_t len;
	struct isakmp_attr_spec attrs[3] = {
		{ IPSEC_ATTR_LIFE_DURATION, 0xffff },
		{ IPSEC_ATTR_LIFE_DURATION, 0x10000 },
		{ IPSEC_ATTR_LIFE_DURATION, 0x100000000ULL },
	};
	struct isakmp_sa_spec spec = {
		ISAKMP_DOI_IPSEC, IPSEC_SIT_IDENTITY_ONLY, 1, IPSEC_PROTO_ESP,
		esp_spi, 4, 1, IPSEC_ESP_AES_CBC, attrs, 3
	};
	struct isakmp_delete d0 = { 1, IPSEC_PROTO_ESP, 4, 0, esp_spi };
	struct isakmp_id bad_id = { IPSEC_ID_IPV4_ADDR, 0, 0, esp_spi, 3 };
	struct isakmp_nat_oa bad_oa = { IPSEC_ID_IPV6_ADDR, false, esp_spi,
	    4 };

	(void)state;
	hdr_init(&h, ISAKMP_EXCH_QUICK, 0, 1, true);

	/* one proposal, one transform: 0xffff TV, then 4- and 8-byte TLV */
	wbuf_init(&w, buf, sizeof(buf));
	isakmp_builder_init(&b, &w, &h);
	isakmp_build_sa(&b, &spec);
	assert_true(isakmp_builder_finish(&b, &len));
	assert_int_equal(len, 28 + 12 + 12 + 8 + 4 + 8 + 12);
	assert_int_equal(parse_all(buf, len, &h, &m), ISAKMP_OK);
	assert_int_equal(isakmp_sa_parse(&m.pl[0].body, &sa), ISAKMP_OK);
	it = sa.proposals;
	assert_true(isakmp_proposal_next(&it, &prop));
	it = prop.transforms;
	assert_true(isakmp_transform_next(&it, &xf));
	assert_int_equal(xf.nattrs, 3);
	it = xf.attrs;
	assert_true(isakmp_attr_next(&it, &a) && a.tv);
	assert_true(isakmp_attr_next(&it, &a) && !a.tv && a.len == 4);
	assert_true(isakmp_attr_next(&it, &a) && !a.tv && a.len == 8);
	assert_false(isakmp_attr_next(&it, &a));

	/* overflow: sticky, reported by finish */
	wbuf_init(&w, small, sizeof(small));
	isakmp_builder_init(&b, &w, &h);
	put_vid(&b, ISAKMP_VID_DPD, NULL);
	assert_false(isakmp_builder_finish(&b, &len));

	/* nonce too short, open payload, orphan transform, bad D/ID/OA */
	wbuf_init(&w, buf, sizeof(buf));
	isakmp_builder_init(&b, &w, &h);
	(void)isakmp_build_data(&b, ISAKMP_PAYLOAD_NONCE, buf, 7);
	assert_false(isakmp_builder_finish(&b, &len));
	wbuf_init(&w, buf, sizeof(buf));
	isakmp_builder_init(&b, &w, &h);
	(void)isakmp_build_payload_begin(&b, ISAKMP_PAYLOAD_VID);
	assert_false(isakmp_builder_finish(&b, &len));
	wbuf_init(&w, buf, sizeof(buf));
	isakmp_builder_init(&b, &w, &h);
	isakmp_build_transform_begin(&b, 1, 1);
	assert_false(isakmp_builder_finish(&b, &len));
	wbuf_init(&w, buf, sizeof(buf));
	isakmp_builder_init(&b, &w, &h);
	isakmp_build_sa_begin(&b, 1, 1);
	isakmp_build_proposal_begin(&b, 1, IPSEC_PROTO_ESP, esp_spi, 4);
	isakmp_build_proposal_end(&b);		/* no transform */
	isakmp_build_sa_end(&b);
	assert_false(isakmp_builder_finish(&b, &len));
	wbuf_init(&w, buf, sizeof(buf));
	isakmp_builder_init(&b, &w, &h);
	isakmp_build_delete(&b, &d0);
	assert_false(isakmp_builder_finish(&b, &len));
	wbuf_init(&w, buf, sizeof(buf));
	isakmp_builder_init(&b, &w, &h);
	isakmp_build_id(&b, &bad_id);
	assert_false(isakmp_builder_finish(&b, &len));
	wbuf_init(&w, buf, sizeof(buf));
	isakmp_builder_init(&b, &w, &h);
	isakmp_build_nat_oa(&b, ISAKMP_PAYLOAD_NAT_OA, &bad_oa);
	assert_false(isakmp_builder_finish(&b, &len));
	wbuf_init(&w, buf, sizeof(buf));
	isakmp_builder_init(&b, &w, &h);
	isakmp_build_payload_end(&b);
	assert_false(isakmp_builder_finish(&b, &len));

	/* a HASH placeholder filled in later */
	wbuf_init(&w, buf, sizeof(buf));
	isakmp_builder_init(&b, &w, &h);
	len = isakmp_build_data(&b, ISAKMP_PAYLOAD_HASH, NULL, 20);
	assert_int_equal(len, 28 + 4);
	assert_true(isakmp_builder_finish(&b, &len));
	assert_int_equal(len, 28 + 24);
	assert_int_equal(buf[16], ISAKMP_PAYLOAD_HASH);
	assert_int_equal(buf[17], ISAKMP_VERSION);
}

static void
md5(const char *s, size_t n, uint8_t out[16])
{
	unsigned int len = 0;

	assert_int_equal(EVP_Digest(s, n, out, &len, EVP_md5(), NULL), 1);
	assert_int_equal(len, 16);
}

/* The vendor ID table, recomputed from its definitions. */
static void
test_vendor_ids(void **state)
{
	static const struct {
		enum isakmp_vid vid;
		const char *str;	/* MD5 input, or NULL */
	} defs[] = {
		{ ISAKMP_VID_NATT_RFC3947, "RFC 3947" },
		{ ISAKMP_VID_NATT_DRAFT_02_N,
		    "draft-ietf-ipsec-nat-t-ike-02\n" },
		{ ISAKMP_VID_NATT_DRAFT_02, "draft-ietf-ipsec-nat-t-ike-02" },
		{ ISAKMP_VID_NATT_DRAFT_03, "draft-ietf-ipsec-nat-t-ike-03" },
		{ ISAKMP_VID_FRAGMENTATION, "FRAGMENTATION" },
		{ ISAKMP_VID_MS_NT5, "MS NT5 ISAKMPOAKLEY" },
		{ ISAKMP_VID_MS_NEGDISC, "MS-Negotiation Discovery Capable" },
		{ ISAKMP_VID_MS_INITIAL_CONTACT, "Vid-Initial-Contact" },
		{ ISAKMP_VID_MS_CGA1, "IKE CGA version 1" },
	};
	/* RFC 3706 5.1 gives the DPD value literally */
	static const uint8_t dpd[16] = {
		0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
		0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00
	};
	static const uint8_t frag_caps[20] = {
		0x40, 0x48, 0xb7, 0xd5, 0x6e, 0xbc, 0xe8, 0x85, 0x25, 0xe7,
		0xde, 0x7f, 0x00, 0xd6, 0xc2, 0xd3, 0x80, 0x00, 0x00, 0x00
	};
	uint8_t h[16], tmp[20];
	const uint8_t *v;
	size_t len;
	uint32_t suffix;

	(void)state;
	for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++) {
		md5(defs[i].str, strlen(defs[i].str), h);
		assert_true(isakmp_vid_value(defs[i].vid, &v, &len));
		assert_int_equal(len, 16);
		assert_memory_equal(v, h, 16);
		assert_int_equal(isakmp_vid_lookup(h, 16, &suffix),
		    defs[i].vid);
		assert_int_equal(suffix, 0);
		/* one bit off: unknown */
		h[7] ^= 0x10;
		assert_int_equal(isakmp_vid_lookup(h, 16, NULL),
		    ISAKMP_VID_UNKNOWN);
	}
	assert_true(isakmp_vid_value(ISAKMP_VID_DPD, &v, &len));
	assert_memory_equal(v, dpd, 16);
	assert_int_equal(isakmp_vid_lookup(dpd, 16, NULL), ISAKMP_VID_DPD);
	assert_int_equal(isakmp_vid_lookup(dpd, 15, NULL), ISAKMP_VID_UNKNOWN);

	/* XAUTH: the first 8 bytes of MD5 of the draft name */
	md5("draft-ietf-ipsra-isakmp-xauth-06.txt",
	    strlen("draft-ietf-ipsra-isakmp-xauth-06.txt"), h);
	assert_true(isakmp_vid_value(ISAKMP_VID_XAUTH, &v, &len));
	assert_int_equal(len, 8);
	assert_memory_equal(v, h, 8);
	assert_int_equal(isakmp_vid_lookup(h, 8, NULL), ISAKMP_VID_XAUTH);
	assert_int_equal(isakmp_vid_lookup(h, 16, NULL), ISAKMP_VID_UNKNOWN);

	/* Cisco Unity: MD5("CISCO-UNITY") with a 2-byte version */
	md5("CISCO-UNITY", strlen("CISCO-UNITY"), h);
	assert_true(isakmp_vid_value(ISAKMP_VID_CISCO_UNITY, &v, &len));
	assert_memory_equal(v, h, 14);
	h[14] = 1;
	h[15] = 0;
	assert_memory_equal(v, h, 16);
	h[15] = 7;
	assert_int_equal(isakmp_vid_lookup(h, 16, NULL),
	    ISAKMP_VID_CISCO_UNITY);

	/* suffixes: MS NT5 + version, FRAGMENTATION + capabilities */
	md5("MS NT5 ISAKMPOAKLEY", strlen("MS NT5 ISAKMPOAKLEY"), tmp);
	memcpy(tmp + 16, (const uint8_t[4]){ 0, 0, 0, 8 }, 4);
	assert_int_equal(isakmp_vid_lookup(tmp, 20, &suffix),
	    ISAKMP_VID_MS_NT5);
	assert_int_equal(suffix, 8);
	assert_int_equal(isakmp_vid_lookup(tmp, 19, NULL), ISAKMP_VID_UNKNOWN);
	assert_int_equal(isakmp_vid_lookup(frag_caps, 20, &suffix),
	    ISAKMP_VID_FRAGMENTATION);
	assert_int_equal(suffix, 0x80000000);
	assert_int_equal(isakmp_vid_lookup(frag_caps, 16, &suffix),
	    ISAKMP_VID_FRAGMENTATION);
	assert_int_equal(suffix, 0);
	/* a suffix where none is defined */
	md5("RFC 3947", strlen("RFC 3947"), tmp);
	assert_int_equal(isakmp_vid_lookup(tmp, 20, NULL), ISAKMP_VID_UNKNOWN);
	assert_int_equal(isakmp_vid_lookup(NULL, 0, NULL), ISAKMP_VID_UNKNOWN);
	assert_false(isakmp_vid_value(ISAKMP_VID_UNKNOWN, &v, &len));
	assert_false(isakmp_vid_value(ISAKMP_VID_COUNT, &v, &len));
	assert_string_equal(isakmp_vid_name(ISAKMP_VID_MS_INITIAL_CONTACT),
	    "Vid-Initial-Contact");
	assert_string_equal(isakmp_vid_name(ISAKMP_VID_COUNT), "unknown");
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(isakmp_payload_name(ISAKMP_PAYLOAD_NAT_D_DRAFT),
	    "NAT-D-draft");
	assert_string_equal(isakmp_payload_name(ISAKMP_PAYLOAD_FRAG), "FRAG");
	assert_string_equal(isakmp_exchange_name(ISAKMP_EXCH_IDPROT), "MAIN");
	assert_string_equal(isakmp_exchange_name(ISAKMP_EXCH_QUICK), "QUICK");
	assert_string_equal(isakmp_exchange_name(77), "unknown");
	assert_string_equal(isakmp_notify_name(ISAKMP_N_INITIAL_CONTACT),
	    "INITIAL-CONTACT");
	assert_string_equal(isakmp_notify_name(ISAKMP_N_PAYLOAD_MALFORMED),
	    "PAYLOAD-MALFORMED");
	assert_string_equal(isakmp_notify_name(ISAKMP_N_R_U_THERE_ACK),
	    "R-U-THERE-ACK");
	assert_string_equal(isakmp_ike_attr_name(IKE_ATTR_LIFE_DURATION),
	    "life-duration");
	assert_string_equal(isakmp_ike_encr_name(IKE_ENCR_AES_CBC), "AES-CBC");
	assert_string_equal(isakmp_ike_hash_name(IKE_HASH_SHA2_256),
	    "SHA2-256");
	assert_string_equal(isakmp_ike_auth_name(IKE_AUTH_ECDSA_SHA384_P384),
	    "ECDSA-SHA384-P384");
	assert_string_equal(isakmp_ike_auth_name(IKE_AUTH_RSA_SIG), "RSA-sig");
	assert_string_equal(isakmp_ike_group_name(IKE_GROUP_ECP_384),
	    "ECP-384");
	assert_string_equal(isakmp_ipsec_proto_name(IPSEC_PROTO_ESP), "ESP");
	assert_string_equal(isakmp_ipsec_esp_name(IPSEC_ESP_AES_GCM_16),
	    "AES-GCM-16");
	assert_string_equal(isakmp_ipsec_attr_name(IPSEC_ATTR_ENCAP_MODE),
	    "encapsulation-mode");
	assert_string_equal(isakmp_ipsec_encap_name(61444),
	    "UDP-transport-draft");
	assert_string_equal(isakmp_ipsec_encap_name(4), "UDP-transport");
	assert_string_equal(isakmp_ipsec_auth_name(IPSEC_AUTH_HMAC_SHA2_256),
	    "HMAC-SHA2-256");
	assert_string_equal(isakmp_id_type_name(IPSEC_ID_KEY_ID), "KEY_ID");
	assert_string_equal(isakmp_cert_name(ISAKMP_CERT_CRL), "CRL");
	/* every reason code has its own name */
	for (int i = 0; i < ISAKMP_ERR_COUNT; i++) {
		assert_string_not_equal(isakmp_err_name((enum isakmp_err)i),
		    "unknown");
		for (int j = 0; j < i; j++)
			assert_string_not_equal(
			    isakmp_err_name((enum isakmp_err)i),
			    isakmp_err_name((enum isakmp_err)j));
	}
	assert_string_equal(isakmp_err_name(ISAKMP_ERR_COUNT), "unknown");
	for (unsigned int t = 0; t < 256; t++)
		assert_non_null(isakmp_payload_name(t));
}

/*
 * Real strongSwan 5.9.8 Main Mode messages 1 and 2 from
 * /work/shared/lab/samples/direct-strongswan/server-eth0.pcap. That
 * capture has snaplen 200, so the datagrams (212 and 160 bytes) were cut
 * at 158: *-snap200.bin are the captured bytes, unchanged. The full
 * *.bin files are the captured bytes plus the missing tail, rebuilt from
 * charon.log ("sending ... vendor ID": XAuth, DPD, FRAGMENTATION,
 * RFC 3947, draft-02\n for MM1; up to RFC 3947 for MM2) and strongSwan's
 * encoding of those VIDs (FRAGMENTATION with capabilities 0x80000000,
 * as captured whole in MM2). The test checks the captured prefix is
 * intact.
 */
static void
test_strongswan_pcap(void **state)
{
	static uint8_t full[512], snap[512];
	static const enum isakmp_vid mm1_vids[5] = {
		ISAKMP_VID_XAUTH, ISAKMP_VID_DPD, ISAKMP_VID_FRAGMENTATION,
		ISAKMP_VID_NATT_RFC3947, ISAKMP_VID_NATT_DRAFT_02_N,
	};
	static const char *const names[2][2] = {
		{ "tests/vectors/strongswan-mm1.bin",
		  "tests/vectors/strongswan-mm1-snap200.bin" },
		{ "tests/vectors/strongswan-mm2.bin",
		  "tests/vectors/strongswan-mm2-snap200.bin" },
	};
	static uint8_t out[512];
	const struct isakmp_payload *pl;
	struct isakmp_proposal prop;
	struct isakmp_transform xf;
	struct isakmp_hdr h;
	struct isakmp_msg m;
	struct isakmp_sa sa;
	struct isakmp_data d;
	struct rbuf it;
	struct p1 p;
	size_t flen, slen, n, outlen;
	uint32_t suffix;

	(void)state;
	for (int k = 0; k < 2; k++) {
		flen = read_vector(names[k][0], full, sizeof(full));
		slen = read_vector(names[k][1], snap, sizeof(snap));
		assert_int_equal(flen, k == 0 ? 212 : 160);
		assert_int_equal(slen, 158);
		assert_memory_equal(full, snap, slen);
		assert_int_equal(parse_all(snap, slen, &h, &m),
		    ISAKMP_ERR_HDR_LENGTH_OVER);
		assert_int_equal(parse_all(full, flen, &h, &m), ISAKMP_OK);
		assert_int_equal(h.exchange, ISAKMP_EXCH_IDPROT);
		assert_int_equal(h.msgid, 0);
		assert_int_equal(h.icookie[0], 0xf8);
		assert_int_equal(h.rcookie[0], k == 0 ? 0x00 : 0xe8);
		assert_int_equal(m.npl, k == 0 ? 6 : 5);

		pl = isakmp_msg_first(&m, ISAKMP_PAYLOAD_SA);
		assert_int_equal(isakmp_sa_parse(&pl->body, &sa), ISAKMP_OK);
		it = sa.proposals;
		assert_true(isakmp_proposal_next(&it, &prop));
		assert_int_equal(prop.protocol, IPSEC_PROTO_ISAKMP);
		assert_int_equal(prop.ntransforms, k == 0 ? 2 : 1);
		it = prop.transforms;
		assert_true(isakmp_transform_next(&it, &xf));
		get_p1(&xf, &p);
		/* aes256-sha1-modp1024, PSK; charon's default 3 h life */
		assert_int_equal(p.encr, IKE_ENCR_AES_CBC);
		assert_int_equal(p.keylen, 256);
		assert_int_equal(p.hash, IKE_HASH_SHA1);
		assert_int_equal(p.group, IKE_GROUP_MODP_1024);
		assert_int_equal(p.auth, IKE_AUTH_PSK);
		assert_int_equal(p.life_type, IKE_LIFE_SECONDS);
		assert_true(p.life == 10800);
		if (k == 0) {
			assert_true(isakmp_transform_next(&it, &xf));
			get_p1(&xf, &p);
			assert_int_equal(p.encr, IKE_ENCR_3DES_CBC);
		}
		assert_false(isakmp_transform_next(&it, &xf));

		n = 0;
		for (pl = isakmp_msg_first(&m, ISAKMP_PAYLOAD_VID); pl != NULL;
		    pl = isakmp_msg_next(&m, pl), n++) {
			assert_int_equal(isakmp_data_parse(&pl->body,
			    ISAKMP_PAYLOAD_VID, &d), ISAKMP_OK);
			assert_int_equal(isakmp_vid_lookup(d.data, d.len,
			    &suffix), mm1_vids[n]);
			if (mm1_vids[n] == ISAKMP_VID_FRAGMENTATION)
				assert_int_equal(suffix, 0x80000000);
		}
		assert_int_equal(n, k == 0 ? 5 : 4);

		/* and the builders reproduce strongSwan's bytes */
		assert_int_equal(rebuild(full, flen, out, sizeof(out),
		    &outlen), ISAKMP_OK);
		assert_int_equal(outlen, flen);
		assert_memory_equal(out, full, flen);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_windows_mm1),
		cmocka_unit_test(test_apple_mm1),
		cmocka_unit_test(test_quick1),
		cmocka_unit_test(test_info),
		cmocka_unit_test(test_misc_and_frag),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_hdr_length),
		cmocka_unit_test(test_payload_length),
		cmocka_unit_test(test_sa_lengths),
		cmocka_unit_test(test_attr_length),
		cmocka_unit_test(test_spi_size_and_delete_count),
		cmocka_unit_test(test_small_bodies),
		cmocka_unit_test(test_reserved),
		cmocka_unit_test(test_payload_count),
		cmocka_unit_test(test_unknown_payload),
		cmocka_unit_test(test_encrypted_padding),
		cmocka_unit_test(test_attr_values),
		cmocka_unit_test(test_builder_errors),
		cmocka_unit_test(test_vendor_ids),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_strongswan_pcap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
