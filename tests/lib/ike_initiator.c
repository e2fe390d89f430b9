/*
 * ike_initiator.c - the scripted IKEv1 initiator shared by test_exchange
 * and the bench; see ike_initiator.h.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>
#include <openssl/x509.h>

#include "ikd/sig.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "tests/lib/ike_initiator.h"

static int fail(struct ike_ini *ini, const char *fmt, ...) LOG_PRINTF(2, 3);

static int
fail(struct ike_ini *ini, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ini->err, sizeof(ini->err), fmt, ap);
	va_end(ap);
	return -1;
}

static const uint8_t *
in4(const struct sockaddr_storage *ss)
{
	return (const uint8_t *)&((const struct sockaddr_in *)
	    (const void *)ss)->sin_addr;
}

static void
put_spi(uint8_t *b, uint32_t spi)
{
	b[0] = (uint8_t)(spi >> 24);
	b[1] = (uint8_t)(spi >> 16);
	b[2] = (uint8_t)(spi >> 8);
	b[3] = (uint8_t)spi;
}

int
ike_ini_init(struct ike_ini *ini, uint16_t encr, uint16_t keylen,
    enum ike_enc enc, uint16_t group, const char *psk, bool nat)
{
	memset(ini, 0, sizeof(*ini));
	ini->encr = encr;
	ini->keylen = keylen;
	ini->enc = enc;
	ini->hash = IKE_HASH_SHA1;
	ini->group = group;
	ini->psk = psk;
	ini->nat = nat;
	if (RAND_bytes(ini->icky, sizeof(ini->icky)) != 1 ||
	    RAND_bytes(ini->ni, sizeof(ini->ni)) != 1 ||
	    RAND_bytes(ini->qni, sizeof(ini->qni)) != 1)
		return fail(ini, "RAND_bytes failed");
	ini->p4500.natt = true;
	ini->spi_i = 0x11223344;
	ini->id_proto = IPPROTO_UDP;
	ini->encap = nat ? IPSEC_ENCAP_UDP_TRANSPORT : IPSEC_ENCAP_TRANSPORT;
	ini->mid = 0x5a5a0001;
	ini->qm_life = 3600;
	return 0;
}

void
ike_ini_free(struct ike_ini *ini)
{
	dh_free(ini->dh);
	ike_keys_free(ini->keys);
	ike_ivs_free(ini->ivs);
	ini->dh = NULL;
	ini->keys = NULL;
	ini->ivs = NULL;
}

const struct ikd_path *
ike_ini_mm_path(const struct ike_ini *ini)
{
	return ini->nat ? &ini->p4500 : &ini->p500;
}

void
ike_ini_hdr(const struct ike_ini *ini, struct isakmp_hdr *h, uint8_t exch,
    uint32_t mid)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->icookie, ini->icky, ISAKMP_COOKIE_LEN);
	memcpy(h->rcookie, ini->rcky, ISAKMP_COOKIE_LEN);
	h->version = ISAKMP_VERSION;
	h->exchange = exch;
	h->msgid = mid;
}

int
ike_ini_parse_plain(struct ike_ini *ini, const uint8_t *p, size_t len,
    struct isakmp_hdr *h, struct isakmp_msg *msg)
{
	struct rbuf r;

	rbuf_init(&r, p, len);
	if (isakmp_hdr_parse(&r, h) != ISAKMP_OK)
		return fail(ini, "bad ISAKMP header");
	if (isakmp_payloads_parse(p + ISAKMP_HDR_LEN, len - ISAKMP_HDR_LEN,
	    h->next, false, msg) != ISAKMP_OK)
		return fail(ini, "bad payload chain");
	return 0;
}

int
ike_ini_open(struct ike_ini *ini, const uint8_t *p, size_t len,
    uint8_t *plain, struct isakmp_hdr *h, struct isakmp_msg *msg)
{
	struct ike_iv iv, next;
	struct rbuf r;

	rbuf_init(&r, p, len);
	if (isakmp_hdr_parse(&r, h) != ISAKMP_OK)
		return fail(ini, "bad ISAKMP header");
	if (!(h->flags & ISAKMP_FLAG_ENC))
		return fail(ini, "reply not encrypted");
	if (ini->ivs == NULL || ike_ivs_get(ini->ivs, h->msgid, &iv) == -1)
		return fail(ini, "no IV for M-ID 0x%08x", h->msgid);
	if (ike_cbc_decrypt(ini->keys->cbc, &iv, p + ISAKMP_HDR_LEN,
	    len - ISAKMP_HDR_LEN, plain, IKD_MSG_MAX, &next) == -1)
		return fail(ini, "cannot decrypt");
	if (ike_ivs_set(ini->ivs, h->msgid, &next) == -1)
		return fail(ini, "cannot commit the IV");
	if (isakmp_payloads_parse(plain, len - ISAKMP_HDR_LEN, h->next, true,
	    msg) != ISAKMP_OK)
		return fail(ini, "bad payload chain after decryption");
	return 0;
}

int
ike_ini_seal(struct ike_ini *ini, uint8_t exch, uint32_t mid, uint8_t flags,
    uint8_t first, const uint8_t *plain, size_t plen, uint8_t *out,
    size_t *len)
{
	struct isakmp_hdr h;
	struct ike_iv iv, next;
	struct wbuf w;
	size_t clen;

	if (ini->ivs == NULL || ike_ivs_get(ini->ivs, mid, &iv) == -1)
		return fail(ini, "no IV for M-ID 0x%08x", mid);
	if (ike_cbc_encrypt(ini->keys->cbc, &iv, plain, plen,
	    out + ISAKMP_HDR_LEN, IKD_MSG_MAX - ISAKMP_HDR_LEN, &clen,
	    &next) == -1)
		return fail(ini, "cannot encrypt");
	if (ike_ivs_set(ini->ivs, mid, &next) == -1)
		return fail(ini, "cannot commit the IV");
	ike_ini_hdr(ini, &h, exch, mid);
	h.next = first;
	h.flags = flags | ISAKMP_FLAG_ENC;
	h.length = (uint32_t)(ISAKMP_HDR_LEN + clen);
	wbuf_init(&w, out, ISAKMP_HDR_LEN);
	isakmp_hdr_build(&w, &h);
	if (!wbuf_ok(&w))
		return fail(ini, "cannot build the header");
	*len = h.length;
	return 0;
}

int
ike_ini_build_mm1(struct ike_ini *ini, uint8_t *out, size_t *len)
{
	struct isakmp_builder b;
	struct isakmp_hdr h;
	struct isakmp_msg msg;
	struct wbuf w;
	const uint8_t *d;
	size_t dl;

	ike_ini_hdr(ini, &h, ISAKMP_EXCH_IDPROT, 0);
	wbuf_init(&w, out, IKD_MSG_MAX);
	isakmp_builder_init(&b, &w, &h);
	isakmp_build_sa_begin(&b, ISAKMP_DOI_IPSEC, IPSEC_SIT_IDENTITY_ONLY);
	isakmp_build_proposal_begin(&b, 1, IPSEC_PROTO_ISAKMP, NULL, 0);
	isakmp_build_transform_begin(&b, 1, IPSEC_KEY_IKE);
	isakmp_build_attr(&b, IKE_ATTR_ENCR, ini->encr);
	if (ini->keylen != 0)
		isakmp_build_attr(&b, IKE_ATTR_KEY_LENGTH, ini->keylen);
	isakmp_build_attr(&b, IKE_ATTR_HASH, 2);
	isakmp_build_attr(&b, IKE_ATTR_AUTH, ini->sig_key != NULL ?
	    ike_sig_method(ini->sig_key) : IKE_AUTH_PSK);
	isakmp_build_attr(&b, IKE_ATTR_GROUP_DESC, ini->group);
	isakmp_build_attr(&b, IKE_ATTR_LIFE_TYPE, IKE_LIFE_SECONDS);
	isakmp_build_attr(&b, IKE_ATTR_LIFE_DURATION, 28800);
	isakmp_build_transform_end(&b);
	isakmp_build_proposal_end(&b);
	isakmp_build_sa_end(&b);
	if (!isakmp_vid_value(ISAKMP_VID_NATT_RFC3947, &d, &dl))
		return fail(ini, "no NAT-T VID");
	isakmp_build_data(&b, ISAKMP_PAYLOAD_VID, d, dl);
	if (!isakmp_vid_value(ISAKMP_VID_DPD, &d, &dl))
		return fail(ini, "no DPD VID");
	isakmp_build_data(&b, ISAKMP_PAYLOAD_VID, d, dl);
	if (ini->vid_frag) {
		if (!isakmp_vid_value(ISAKMP_VID_FRAGMENTATION, &d, &dl))
			return fail(ini, "no FRAGMENTATION VID");
		isakmp_build_data(&b, ISAKMP_PAYLOAD_VID, d, dl);
	}
	if (!isakmp_builder_finish(&b, len))
		return fail(ini, "cannot build MM1");
	/* RFC 2409 5: keep SAi_b for HASH_I / HASH_R */
	if (isakmp_payloads_parse(out + ISAKMP_HDR_LEN, *len - ISAKMP_HDR_LEN,
	    ISAKMP_PAYLOAD_SA, false, &msg) != ISAKMP_OK ||
	    rbuf_left(&msg.pl[0].body) > sizeof(ini->sai_b))
		return fail(ini, "cannot reparse MM1");
	ini->sai_len = rbuf_left(&msg.pl[0].body);
	memcpy(ini->sai_b, rbuf_cur(&msg.pl[0].body), ini->sai_len);
	ini->sz.sai_len = ini->sai_len;
	return 0;
}

int
ike_ini_recv_mm2(struct ike_ini *ini, const uint8_t *p, size_t len)
{
	struct isakmp_hdr h;
	struct isakmp_msg msg;

	if (ike_ini_parse_plain(ini, p, len, &h, &msg) == -1)
		return -1;
	if (h.exchange != ISAKMP_EXCH_IDPROT)
		return fail(ini, "MM2: exchange %u", h.exchange);
	if (memcmp(h.icookie, ini->icky, ISAKMP_COOKIE_LEN) != 0)
		return fail(ini, "MM2: not our cookie");
	if (msg.count[ISAKMP_PAYLOAD_SA] != 1 ||
	    msg.count[ISAKMP_PAYLOAD_VID] < 1)
		return fail(ini, "MM2: %u SA, %u VID payloads",
		    msg.count[ISAKMP_PAYLOAD_SA],
		    msg.count[ISAKMP_PAYLOAD_VID]);
	memcpy(ini->rcky, h.rcookie, ISAKMP_COOKIE_LEN);
	return 0;
}

/* RFC 3947 3.2: HASH(CKY-I | CKY-R | IP | Port), IPv4 only here. */
static int
natd(const struct ike_ini *ini, const struct sockaddr_storage *ss,
    uint8_t *out)
{
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)
	    (const void *)ss;
	struct ike_chunk v[4] = {
		{ ini->icky, 8 }, { ini->rcky, 8 }, { &s4->sin_addr, 4 },
		{ &s4->sin_port, 2 }
	};

	return ike_hash_v(ini->hash, v, 4, out, IKE_HASH_MAX);
}

int
ike_ini_build_mm3(struct ike_ini *ini, uint8_t *out, size_t *len)
{
	struct isakmp_builder b;
	struct isakmp_hdr h;
	struct wbuf w;
	const struct ike_dh *dh;
	uint8_t hh[IKE_HASH_MAX];
	size_t hl = ike_hash_len(ini->hash);

	dh_free(ini->dh);
	ini->dh = NULL;
	if (ini->dh_fixed == NULL &&
	    (ini->dh = dh_new(ini->group)) == NULL)
		return fail(ini, "dh_new(%u) failed", ini->group);
	dh = ini->dh_fixed != NULL ? ini->dh_fixed : ini->dh;
	ini->gxi_len = dh_public_len(dh);
	if (dh_public(dh, ini->gxi, ini->gxi_len) == -1)
		return fail(ini, "dh_public failed");
	ike_ini_hdr(ini, &h, ISAKMP_EXCH_IDPROT, 0);
	wbuf_init(&w, out, IKD_MSG_MAX);
	isakmp_builder_init(&b, &w, &h);
	isakmp_build_data(&b, ISAKMP_PAYLOAD_KE, ini->gxi, ini->gxi_len);
	isakmp_build_data(&b, ISAKMP_PAYLOAD_NONCE, ini->ni, sizeof(ini->ni));
	if (ini->certreq_dn != NULL) {
		struct isakmp_cert cr = { ISAKMP_CERT_X509_SIG,
		    ini->certreq_dn, ini->certreq_len };

		isakmp_build_cert(&b, ISAKMP_PAYLOAD_CR, &cr);
	}
	/* RFC 3947 3.2: the remote end (the server), then us as we think */
	if (natd(ini, &ini->p500.local, hh) == -1)
		return fail(ini, "NAT-D hash failed");
	isakmp_build_data(&b, ISAKMP_PAYLOAD_NAT_D, hh, hl);
	if (natd(ini, &ini->self, hh) == -1)
		return fail(ini, "NAT-D hash failed");
	isakmp_build_data(&b, ISAKMP_PAYLOAD_NAT_D, hh, hl);
	if (!isakmp_builder_finish(&b, len))
		return fail(ini, "cannot build MM3");
	return 0;
}

static int
get_data(struct ike_ini *ini, const struct isakmp_payload *pl,
    struct isakmp_data *d, size_t max)
{
	if (pl == NULL)
		return fail(ini, "missing payload");
	if (isakmp_data_parse(&pl->body, pl->type, d) != ISAKMP_OK ||
	    d->len > max)
		return fail(ini, "bad %s payload",
		    isakmp_payload_name(pl->type));
	return 0;
}

int
ike_ini_recv_mm4(struct ike_ini *ini, const uint8_t *p, size_t len)
{
	struct isakmp_hdr h;
	struct isakmp_msg msg;
	struct isakmp_data d;
	const struct isakmp_payload *pl;
	struct ike_secret *gxy = NULL, *skeyid = NULL;
	struct ike_p1_input in;
	uint8_t hh[IKE_HASH_MAX];
	size_t hl = ike_hash_len(ini->hash);
	int rc = -1;

	if (ike_ini_parse_plain(ini, p, len, &h, &msg) == -1)
		return -1;
	if (msg.count[ISAKMP_PAYLOAD_KE] != 1 ||
	    msg.count[ISAKMP_PAYLOAD_NONCE] != 1 ||
	    msg.count[ISAKMP_PAYLOAD_NAT_D] != 2)
		return fail(ini, "MM4: wrong payload set");
	if (get_data(ini, isakmp_msg_first(&msg, ISAKMP_PAYLOAD_KE), &d,
	    sizeof(ini->gxr)) == -1)
		return -1;
	memcpy(ini->gxr, d.data, d.len);
	ini->gxr_len = d.len;
	ini->mm4_certreqs = msg.count[ISAKMP_PAYLOAD_CR];
	if (get_data(ini, isakmp_msg_first(&msg, ISAKMP_PAYLOAD_NONCE), &d,
	    sizeof(ini->nr)) == -1)
		return -1;
	memcpy(ini->nr, d.data, d.len);
	ini->nr_len = d.len;
	ini->sz.nr_len = d.len;
	/* RFC 3947 3.2: first NAT-D = us as the server saw us */
	pl = isakmp_msg_first(&msg, ISAKMP_PAYLOAD_NAT_D);
	if (get_data(ini, pl, &d, IKE_HASH_MAX) == -1 ||
	    natd(ini, &ini->p500.remote, hh) == -1 || d.len != hl ||
	    memcmp(d.data, hh, hl) != 0)
		return fail(ini, "MM4: first NAT-D is not us");
	pl = isakmp_msg_next(&msg, pl);
	if (get_data(ini, pl, &d, IKE_HASH_MAX) == -1 ||
	    natd(ini, &ini->p500.local, hh) == -1 || d.len != hl ||
	    memcmp(d.data, hh, hl) != 0)
		return fail(ini, "MM4: second NAT-D is not the server");

	if (dh_derive(ini->dh_fixed != NULL ? ini->dh_fixed : ini->dh,
	    ini->gxr, ini->gxr_len, &gxy) == -1) {
		fail(ini, "dh_derive failed");
		goto out;
	}
	if (ini->sig_key != NULL)
		skeyid = ike_skeyid_sig(ini->hash, ini->ni, sizeof(ini->ni),
		    ini->nr, ini->nr_len, gxy);
	else
		skeyid = ike_skeyid_psk(ini->hash, (const uint8_t *)ini->psk,
		    strlen(ini->psk), ini->ni, sizeof(ini->ni), ini->nr,
		    ini->nr_len);
	if (skeyid == NULL) {
		fail(ini, "SKEYID failed");
		goto out;
	}
	memset(&in, 0, sizeof(in));
	in.hash = ini->hash;
	in.enc = ini->enc;
	in.cky_i = ini->icky;
	in.cky_r = ini->rcky;
	in.gxi = ini->gxi;
	in.gxi_len = ini->gxi_len;
	in.gxr = ini->gxr;
	in.gxr_len = ini->gxr_len;
	in.gxy = gxy;
	ike_keys_free(ini->keys);
	ike_ivs_free(ini->ivs);
	ini->ivs = NULL;
	if ((ini->keys = ike_keys_new(&in, skeyid)) == NULL ||
	    (ini->ivs = ike_ivs_new(ini->keys)) == NULL ||
	    (ini->sig_key != NULL &&
	    ike_sig_auth_hash(ike_sig_method(ini->sig_key)) != 0 &&
	    ike_keys_auth_hash(ini->keys, (enum ike_hash)ike_sig_auth_hash(
	    ike_sig_method(ini->sig_key))) == -1)) {
		fail(ini, "key derivation failed");
		goto out;
	}
	rc = 0;
out:
	ike_secret_free(gxy);
	ike_secret_free(skeyid);
	return rc;
}

int
ike_ini_build_mm5(struct ike_ini *ini, bool initial_contact, uint8_t *out,
    size_t *len)
{
	uint8_t plain[IKD_MSG_MAX], idb[4 + 1024], hh[IKE_HASH_MAX], spi[16];
	uint8_t sig[1024];
	struct isakmp_builder b;
	struct isakmp_notify n;
	struct isakmp_id id;
	struct isakmp_cert c;
	struct wbuf w;
	size_t plen, hl, siglen = sizeof(sig);

	if (ini->keys == NULL)
		return fail(ini, "MM5 before the keys");
	hl = ike_keys_auth_len(ini->keys);
	/* Windows: ID_IPV4_ADDR = its own (private) address; with
	 * certificates the subject DN */
	memset(&id, 0, sizeof(id));
	id.protocol = IPPROTO_UDP;
	id.port = 500;
	if (ini->sig_key != NULL) {
		id.type = IPSEC_ID_DER_ASN1_DN;
		id.data = ini->id_der;
		id.len = ini->id_der_len;
	} else {
		id.type = IPSEC_ID_IPV4_ADDR;
		id.data = in4(&ini->self);
		id.len = 4;
	}
	if (id.len > sizeof(idb) - 4)
		return fail(ini, "ID too long");
	idb[0] = id.type;
	idb[1] = id.protocol;
	idb[2] = 500 >> 8;
	idb[3] = 500 & 0xff;
	memcpy(idb + 4, id.data, id.len);
	ini->sz.idi_len = 4 + id.len;
	if (ike_hash_i(ini->keys, ini->sai_b, ini->sai_len, idb, 4 + id.len,
	    hh, sizeof(hh)) == -1)
		return fail(ini, "HASH_I failed");
	wbuf_init(&w, plain, sizeof(plain));
	isakmp_builder_init(&b, &w, NULL);
	isakmp_build_id(&b, &id);
	if (ini->sig_key != NULL) {
		/* RFC 2409 5.1: SIG_I = PKCS#1 v1.5 over the raw HASH_I */
		c.encoding = ISAKMP_CERT_X509_SIG;
		c.data = ini->cert_der;
		c.len = ini->cert_len;
		if (c.len > 0)
			isakmp_build_cert(&b, ISAKMP_PAYLOAD_CERT, &c);
		if (ike_sig_sign(ini->sig_key, hh, hl, sig, &siglen) == -1)
			return fail(ini, "SIG_I failed");
		isakmp_build_data(&b, ISAKMP_PAYLOAD_SIG, sig, siglen);
	} else
		isakmp_build_data(&b, ISAKMP_PAYLOAD_HASH, hh, hl);
	if (initial_contact) {
		memcpy(spi, ini->icky, 8);
		memcpy(spi + 8, ini->rcky, 8);
		memset(&n, 0, sizeof(n));
		n.doi = ISAKMP_DOI_IPSEC;
		n.protocol = IPSEC_PROTO_ISAKMP;
		n.spi_size = 16;
		n.spi = spi;
		n.type = ISAKMP_N_INITIAL_CONTACT;
		isakmp_build_notify(&b, &n);
	}
	if (!isakmp_builder_finish(&b, &plen))
		return fail(ini, "cannot build MM5");
	if (ike_ini_seal(ini, ISAKMP_EXCH_IDPROT, 0, 0, b.first, plain, plen,
	    out, len) == -1)
		return -1;
	ini->sz.mm5_ct = *len - ISAKMP_HDR_LEN;
	return 0;
}

/* MM6 with signatures: the server's certificate is named by its DN ID
 * and its key verifies SIG_R over HASH_R. */
static int
mm6_sig(struct ike_ini *ini, const struct isakmp_msg *msg,
    const struct isakmp_id *id, const uint8_t *hh, size_t hl)
{
	const struct isakmp_payload *pl;
	struct isakmp_cert c;
	struct isakmp_data d;
	const unsigned char *p;
	X509_NAME *nm = NULL;
	X509 *x = NULL;
	int rc = -1;

	if (id->type != IPSEC_ID_DER_ASN1_DN)
		return fail(ini, "MM6: IDir is not a DN");
	if ((pl = isakmp_msg_first(msg, ISAKMP_PAYLOAD_CERT)) == NULL ||
	    isakmp_cert_parse(&pl->body, pl->type, &c) != ISAKMP_OK ||
	    c.encoding != ISAKMP_CERT_X509_SIG || c.len >
	    sizeof(ini->mm6_cert))
		return fail(ini, "MM6: no X.509 CERT payload");
	memcpy(ini->mm6_cert, c.data, c.len);
	ini->mm6_cert_len = c.len;
	p = c.data;
	if ((x = d2i_X509(NULL, &p, (long)c.len)) == NULL) {
		fail(ini, "MM6: CERT is not DER X.509");
		goto out;
	}
	p = id->data;
	if ((nm = d2i_X509_NAME(NULL, &p, (long)id->len)) == NULL ||
	    X509_NAME_cmp(nm, X509_get_subject_name(x)) != 0) {
		fail(ini, "MM6: IDir is not the certificate's subject");
		goto out;
	}
	if (get_data(ini, isakmp_msg_first(msg, ISAKMP_PAYLOAD_SIG), &d,
	    1024) == -1)
		goto out;
	if (ike_sig_verify(X509_get0_pubkey(x), hh, hl, d.data, d.len) ==
	    -1) {
		fail(ini, "MM6: SIG_R does not verify");
		goto out;
	}
	rc = 0;
out:
	X509_NAME_free(nm);
	X509_free(x);
	return rc;
}

int
ike_ini_recv_mm6(struct ike_ini *ini, const uint8_t *p, size_t len)
{
	uint8_t plain[IKD_MSG_MAX], hh[IKE_HASH_MAX];
	const struct isakmp_payload *pl;
	struct isakmp_hdr h;
	struct isakmp_msg msg;
	struct isakmp_data d;
	struct isakmp_id id;
	size_t hl;

	if (ike_ini_open(ini, p, len, plain, &h, &msg) == -1)
		return -1;
	hl = ike_keys_auth_len(ini->keys);
	ini->sz.mm6_ct = len - ISAKMP_HDR_LEN;
	if ((pl = isakmp_msg_first(&msg, ISAKMP_PAYLOAD_ID)) == NULL ||
	    isakmp_id_parse(&pl->body, &id) != ISAKMP_OK)
		return fail(ini, "MM6: no valid ID");
	if (ini->sig_key == NULL && (id.type != IPSEC_ID_IPV4_ADDR ||
	    id.len != 4 || memcmp(id.data, in4(&ini->p500.local), 4) != 0))
		return fail(ini, "MM6: IDir is not the server's address");
	ini->sz.idr_len = rbuf_left(&pl->body);
	if (ike_hash_r(ini->keys, ini->sai_b, ini->sai_len,
	    rbuf_cur(&pl->body), rbuf_left(&pl->body), hh, sizeof(hh)) == -1)
		return fail(ini, "HASH_R failed");
	if (ini->sig_key != NULL)
		return mm6_sig(ini, &msg, &id, hh, hl);
	if (get_data(ini, isakmp_msg_first(&msg, ISAKMP_PAYLOAD_HASH), &d,
	    IKE_HASH_MAX) == -1)
		return -1;
	if (d.len != hl || memcmp(d.data, hh, hl) != 0)
		return fail(ini, "MM6: HASH_R does not verify");
	return 0;
}

static void
build_esp_sa(struct isakmp_builder *b, const struct ike_ini *ini)
{
	uint8_t spi[4];

	put_spi(spi, ini->spi_i);
	isakmp_build_sa_begin(b, ISAKMP_DOI_IPSEC, IPSEC_SIT_IDENTITY_ONLY);
	isakmp_build_proposal_begin(b, 1, IPSEC_PROTO_ESP, spi, 4);
	isakmp_build_transform_begin(b, 1, IPSEC_ESP_AES_CBC);
	isakmp_build_attr(b, IPSEC_ATTR_LIFE_TYPE, IPSEC_LIFE_SECONDS);
	isakmp_build_attr(b, IPSEC_ATTR_LIFE_DURATION, ini->qm_life);
	isakmp_build_attr(b, IPSEC_ATTR_ENCAP_MODE, ini->encap);
	isakmp_build_attr(b, IPSEC_ATTR_AUTH_ALG, IPSEC_AUTH_HMAC_SHA1);
	isakmp_build_attr(b, IPSEC_ATTR_KEY_LENGTH, 256);
	isakmp_build_transform_end(b);
	isakmp_build_proposal_end(b);
	isakmp_build_sa_end(b);
}

int
ike_ini_build_qm1(struct ike_ini *ini, uint8_t *out, size_t *len)
{
	uint8_t plain[1024], hh[IKE_HASH_MAX], srv[4];
	struct isakmp_builder b;
	struct isakmp_nat_oa oa;
	struct isakmp_id ci, cr;
	struct wbuf w;
	size_t plen, hoff, hl;

	if (ini->keys == NULL)
		return fail(ini, "QM1 before the keys");
	hl = ike_keys_hash_len(ini->keys);
	memcpy(srv, in4(&ini->p500.local), 4);
	wbuf_init(&w, plain, sizeof(plain));
	isakmp_builder_init(&b, &w, NULL);
	hoff = isakmp_build_data(&b, ISAKMP_PAYLOAD_HASH, NULL, hl);
	build_esp_sa(&b, ini);
	isakmp_build_data(&b, ISAKMP_PAYLOAD_NONCE, ini->qni,
	    sizeof(ini->qni));
	memset(&ci, 0, sizeof(ci));
	ci.type = IPSEC_ID_IPV4_ADDR;
	ci.protocol = ini->id_proto;
	ci.port = 1701;
	ci.data = in4(&ini->self);
	ci.len = 4;
	cr = ci;
	cr.data = srv;
	isakmp_build_id(&b, &ci);
	isakmp_build_id(&b, &cr);
	if (ini->nat) {
		/* RFC 3947 5.2: NAT-OAi, NAT-OAr (Windows sends both) */
		memset(&oa, 0, sizeof(oa));
		oa.id_type = IPSEC_ID_IPV4_ADDR;
		oa.addr = ci.data;
		oa.len = 4;
		isakmp_build_nat_oa(&b, ISAKMP_PAYLOAD_NAT_OA, &oa);
		oa.addr = srv;
		isakmp_build_nat_oa(&b, ISAKMP_PAYLOAD_NAT_OA, &oa);
	}
	if (!isakmp_builder_finish(&b, &plen))
		return fail(ini, "cannot build QM1");
	/* RFC 2409 5.5: HASH(1) = prf(SKEYID_a, M-ID | SA | Ni [| IDs]) */
	if (ike_qm_hash1(ini->keys, ini->mid, plain + hoff + hl,
	    plen - hoff - hl, hh, sizeof(hh)) == -1)
		return fail(ini, "HASH(1) failed");
	memcpy(plain + hoff, hh, hl);
	if (ike_ini_seal(ini, ISAKMP_EXCH_QUICK, ini->mid, ini->qm_flags,
	    b.first, plain, plen, out, len) == -1)
		return -1;
	ini->sz.qm1_ct = *len - ISAKMP_HDR_LEN;
	ini->sz.qm1_hashed = plen - hoff - hl;
	return 0;
}

int
ike_ini_recv_qm2(struct ike_ini *ini, const uint8_t *p, size_t len)
{
	uint8_t plain[IKD_MSG_MAX], hh[IKE_HASH_MAX];
	const struct isakmp_payload *pl;
	struct isakmp_hdr h;
	struct isakmp_msg msg;
	struct isakmp_data d;
	struct isakmp_sa sa;
	struct isakmp_proposal prop;
	struct isakmp_notify n;
	struct rbuf it;
	size_t hl, end;

	if (ike_ini_open(ini, p, len, plain, &h, &msg) == -1)
		return -1;
	hl = ike_keys_hash_len(ini->keys);
	if (h.exchange != ISAKMP_EXCH_QUICK || h.msgid != ini->mid)
		return fail(ini, "QM2: exchange %u M-ID 0x%08x", h.exchange,
		    h.msgid);
	if (msg.npl < 2 || msg.pl[0].type != ISAKMP_PAYLOAD_HASH ||
	    msg.count[ISAKMP_PAYLOAD_ID] != 2)
		return fail(ini, "QM2: wrong payload set");
	if (ini->nat && msg.count[ISAKMP_PAYLOAD_NAT_OA] != 2)
		return fail(ini, "QM2: %u NAT-OA payloads",
		    msg.count[ISAKMP_PAYLOAD_NAT_OA]);
	/* RFC 2409 5.5: HASH(2) = prf(SKEYID_a, M-ID | Ni_b | SA | Nr ...) */
	end = msg.pl[msg.npl - 1].offset + msg.pl[msg.npl - 1].length;
	if (ike_qm_hash2(ini->keys, ini->mid, ini->qni, sizeof(ini->qni),
	    plain + msg.pl[1].offset, end - msg.pl[1].offset, hh,
	    sizeof(hh)) == -1)
		return fail(ini, "HASH(2) failed");
	if (isakmp_data_parse(&msg.pl[0].body, ISAKMP_PAYLOAD_HASH, &d) !=
	    ISAKMP_OK || d.len != hl || memcmp(d.data, hh, hl) != 0)
		return fail(ini, "QM2: HASH(2) does not verify");
	ini->sz.qm2_ct = len - ISAKMP_HDR_LEN;
	ini->sz.qm2_hashed = end - msg.pl[1].offset;
	if ((pl = isakmp_msg_first(&msg, ISAKMP_PAYLOAD_SA)) == NULL ||
	    isakmp_sa_parse(&pl->body, &sa) != ISAKMP_OK)
		return fail(ini, "QM2: no valid SA");
	it = sa.proposals;
	if (!isakmp_proposal_next(&it, &prop) || prop.spi_size != 4)
		return fail(ini, "QM2: no proposal with a 4-byte SPI");
	ini->spi_r = (uint32_t)prop.spi[0] << 24 |
	    (uint32_t)prop.spi[1] << 16 | (uint32_t)prop.spi[2] << 8 |
	    prop.spi[3];
	if (get_data(ini, isakmp_msg_first(&msg, ISAKMP_PAYLOAD_NONCE), &d,
	    sizeof(ini->qnr)) == -1)
		return -1;
	memcpy(ini->qnr, d.data, d.len);
	ini->qnr_len = d.len;
	ini->sz.qnr_len = d.len;
	for (pl = isakmp_msg_first(&msg, ISAKMP_PAYLOAD_N); pl != NULL;
	    pl = isakmp_msg_next(&msg, pl)) {
		if (isakmp_notify_parse(&pl->body, &n) != ISAKMP_OK)
			return fail(ini, "QM2: bad notify");
		if (n.type == ISAKMP_N_RESPONDER_LIFETIME)
			ini->qm2_resp_life = true;
	}
	return 0;
}

int
ike_ini_build_qm3(struct ike_ini *ini, uint8_t *out, size_t *len)
{
	uint8_t plain[128], hh[IKE_HASH_MAX];
	struct isakmp_builder b;
	struct wbuf w;
	size_t plen, hl;

	if (ini->keys == NULL)
		return fail(ini, "QM3 before the keys");
	hl = ike_keys_hash_len(ini->keys);
	/* RFC 2409 5.5: HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b) */
	if (ike_qm_hash3(ini->keys, ini->mid, ini->qni, sizeof(ini->qni),
	    ini->qnr, ini->qnr_len, hh, sizeof(hh)) == -1)
		return fail(ini, "HASH(3) failed");
	wbuf_init(&w, plain, sizeof(plain));
	isakmp_builder_init(&b, &w, NULL);
	isakmp_build_data(&b, ISAKMP_PAYLOAD_HASH, hh, hl);
	if (!isakmp_builder_finish(&b, &plen))
		return fail(ini, "cannot build QM3");
	if (ike_ini_seal(ini, ISAKMP_EXCH_QUICK, ini->mid, 0, b.first, plain,
	    plen, out, len) == -1)
		return -1;
	ini->sz.qm3_ct = *len - ISAKMP_HDR_LEN;
	return 0;
}

struct ike_secret *
ike_ini_keymat(struct ike_ini *ini, uint32_t spi, size_t len)
{
	struct ike_secret *km;
	uint8_t b[4];

	put_spi(b, spi);
	km = ike_keymat(ini->keys, NULL, IPSEC_PROTO_ESP, b, 4, ini->qni,
	    sizeof(ini->qni), ini->qnr, ini->qnr_len, len);
	if (km == NULL)
		fail(ini, "KEYMAT failed");
	return km;
}

int
ike_ini_build_info(struct ike_ini *ini, uint32_t mid,
    const struct isakmp_notify *n, const struct isakmp_delete *d,
    uint8_t *out, size_t *len)
{
	uint8_t plain[512], hh[IKE_HASH_MAX];
	struct isakmp_builder b;
	struct wbuf w;
	size_t plen, hoff, hl;
	int rc;

	if (ini->keys == NULL)
		return fail(ini, "Informational before the keys");
	hl = ike_keys_hash_len(ini->keys);
	wbuf_init(&w, plain, sizeof(plain));
	isakmp_builder_init(&b, &w, NULL);
	hoff = isakmp_build_data(&b, ISAKMP_PAYLOAD_HASH, NULL, hl);
	if (n != NULL)
		isakmp_build_notify(&b, n);
	if (d != NULL)
		isakmp_build_delete(&b, d);
	if (!isakmp_builder_finish(&b, &plen))
		return fail(ini, "cannot build the Informational");
	/* RFC 2409 5.7: HASH(1) = prf(SKEYID_a, M-ID | N/D) */
	if (ike_info_hash(ini->keys, mid, plain + hoff + hl,
	    plen - hoff - hl, hh, sizeof(hh)) == -1)
		return fail(ini, "Informational HASH failed");
	memcpy(plain + hoff, hh, hl);
	rc = ike_ini_seal(ini, ISAKMP_EXCH_INFO, mid, 0, b.first, plain,
	    plen, out, len);
	ike_ivs_drop(ini->ivs, mid);
	if (rc == 0 && d != NULL && d->protocol == IPSEC_PROTO_ESP) {
		ini->sz.del_esp_ct = *len - ISAKMP_HDR_LEN;
		ini->sz.del_esp_hashed = plen - hoff - hl;
	} else if (rc == 0 && d != NULL) {
		ini->sz.del_isakmp_ct = *len - ISAKMP_HDR_LEN;
		ini->sz.del_isakmp_hashed = plen - hoff - hl;
	}
	return rc;
}

int
ike_ini_build_delete_esp(struct ike_ini *ini, uint32_t mid, uint8_t *out,
    size_t *len)
{
	struct isakmp_delete d;
	uint8_t spi[4];

	put_spi(spi, ini->spi_i);
	memset(&d, 0, sizeof(d));
	d.doi = ISAKMP_DOI_IPSEC;
	d.protocol = IPSEC_PROTO_ESP;
	d.spi_size = 4;
	d.count = 1;
	d.spis = spi;
	return ike_ini_build_info(ini, mid, NULL, &d, out, len);
}

int
ike_ini_build_delete_isakmp(struct ike_ini *ini, uint32_t mid,
    uint8_t *out, size_t *len)
{
	struct isakmp_delete d;
	uint8_t spi[16];

	memcpy(spi, ini->icky, 8);
	memcpy(spi + 8, ini->rcky, 8);
	memset(&d, 0, sizeof(d));
	d.doi = ISAKMP_DOI_IPSEC;
	d.protocol = IPSEC_PROTO_ISAKMP;
	d.spi_size = 16;
	d.count = 1;
	d.spis = spi;
	return ike_ini_build_info(ini, mid, NULL, &d, out, len);
}
