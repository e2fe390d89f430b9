/*
 * phase1.c - Main Mode responder with pre-shared keys (RFC 2409 5, 5.4)
 * or RSA signatures (5.1, RFC 4945; cert.h):
 *
 *	MM1  HDR, SA, VID...		-> MM2  HDR, SA, VID...
 *	MM3  HDR, KE, Ni [,CR], NAT-D..	-> MM4  HDR, KE, Nr [,CR..], NAT-D, NAT-D
 *	MM5  HDR*, IDii, HASH_I [, N]	-> MM6  HDR*, IDir, HASH_R
 *	  or HDR*, IDii, CERT.., SIG_I	-> MM6  HDR*, IDir(DN), CERT.., SIG_R
 *
 * Transitions (the only ones; every other (state, message) pair ends in
 * phase1_recv's default exit, logged and dropped):
 *	(new)        MM1 -> MM_R1	phase1_recv_mm1
 *	MM_R1        MM3 -> MM_R2	recv_mm3
 *	MM_R2        MM5 -> ESTABLISHED	recv_mm5
 * Failures delete the SA (no kernel state exists before Quick Mode).
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <openssl/rand.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ikd/cert.h"
#include "ikd/ikd.h"
#include "ikd/sig.h"
#include "lib/buf.h"
#include "lib/log.h"

/* Our nonce length (RFC 2409 5: 8..256 bytes). */
#define PHASE1_NONCE_LEN	32

static void
mm_fail(struct ike_sa *sa, const char *why)
{
	ike_sa_delete(sa, false, why);
}

static int
parse_plain(struct ike_sa *sa, const struct ikd_pkt *pkt,
    const struct isakmp_hdr *h, enum exchange_step step,
    struct isakmp_msg *msg)
{
	enum isakmp_err err;
	const char *why;
	int n;

	if (h->flags & ISAKMP_FLAG_ENC) {
		ikd_peer_error(sa->ikd, sa->tag, "%s encrypted",
		    exchange_step_name(step));
		return -1;
	}
	err = isakmp_payloads_parse(pkt->data + ISAKMP_HDR_LEN,
	    pkt->len - ISAKMP_HDR_LEN, h->next, false, msg);
	if (err != ISAKMP_OK) {
		ikd_peer_error(sa->ikd, sa->tag, "%s: %s (payload %s at %zu)",
		    exchange_step_name(step), isakmp_err_name(err),
		    isakmp_payload_name(msg->fail_type), msg->fail_offset);
		return -1;
	}
	if ((n = exchange_check(step, msg, &why)) != 0) {
		ikd_peer_error(sa->ikd, sa->tag, "%s: %s",
		    exchange_step_name(step), why);
		return -1;
	}
	return 0;
}

static void
mm_header(const struct ike_sa *sa, struct isakmp_hdr *h)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->icookie, sa->icookie, ISAKMP_COOKIE_LEN);
	memcpy(h->rcookie, sa->rcookie, ISAKMP_COOKIE_LEN);
	h->version = ISAKMP_VERSION;
	h->exchange = ISAKMP_EXCH_IDPROT;
}

static void
build_vid(struct isakmp_builder *b, enum isakmp_vid v)
{
	const uint8_t *d;
	size_t len;

	if (isakmp_vid_value(v, &d, &len))
		isakmp_build_data(b, ISAKMP_PAYLOAD_VID, d, len);
}

/* Keep the request we answered and our answer; send it. */
static int
mm_answer(struct ike_sa *sa, const struct ikd_pkt *pkt, const uint8_t *out,
    size_t len)
{
	if (ikd_msgbuf_set(&sa->last_req, pkt->data, pkt->len) == -1 ||
	    ikd_msgbuf_set(&sa->last_resp, out, len) == -1) {
		sa->ikd->ctr.alloc_failed++;
		return -1;
	}
	return exchange_send(sa, out, len);
}

/* What we can authenticate with: a PSK if one is configured, and RSA
 * signatures if certificates are loaded. */
static uint32_t
auth_mask(const struct ikd *ctx)
{
	const struct ike_conf *c = &ctx->conf->ike;
	uint32_t m = ikd_certs_auth_mask(ctx->certs);

	if (c->psk.str != NULL || c->npeers > 0 || m == 0)
		m |= PROPOSAL_AUTH_PSK;
	return m;
}

/*
 * Our certificate for this peer: the one its CERTREQs (MM3) ask for among
 * those that sign with the negotiated method (cert.h ikd_certs_select);
 * at MM1 (no CERTREQs yet) the first for the method.
 */
static int
choose_ident(struct ike_sa *sa, const struct isakmp_msg *msg)
{
	struct ikd_dn crs[IKD_CR_MAX];
	const struct isakmp_payload *pl;
	struct isakmp_cert cr;
	char dn[IKD_DN_STR_MAX];
	size_t n = 0;
	bool unmatched;
	int ident;

	for (pl = msg != NULL ? isakmp_msg_first(msg, ISAKMP_PAYLOAD_CR) :
	    NULL; pl != NULL && n < IKD_CR_MAX; pl = isakmp_msg_next(msg, pl)) {
		if (isakmp_cert_parse(&pl->body, pl->type, &cr) != ISAKMP_OK ||
		    cr.encoding != ISAKMP_CERT_X509_SIG)
			continue;
		crs[n].der = cr.data;
		crs[n].len = cr.len;
		n++;
		ikd_dn_der_str(cr.data, cr.len, dn, sizeof(dn));
		logt_debug(sa->tag, "CERTREQ for \"%s\"", cr.len > 0 ? dn :
		    "any CA");
	}
	if ((ident = ikd_certs_select(sa->ikd->certs, sa->auth, crs, n,
	    &unmatched)) == -1)
		return -1;
	sa->ident = (unsigned int)ident;
	if (unmatched) {
		sa->cr_unmatched = true;
		logt_info(sa->tag, "MM3: the peer asks for certificates of "
		    "CAs that issued none of ours; sending \"%s\" anyway",
		    ikd_certs_subject(sa->ikd->certs, sa->ident));
	}
	return 0;
}

void
phase1_recv_mm1(struct ike_sa *sa, const struct ikd_pkt *pkt,
    const struct isakmp_hdr *rh)
{
	struct ikd *ctx = sa->ikd;
	struct isakmp_msg msg;
	const struct isakmp_payload *pl, *sapl;
	struct isakmp_data vid;
	struct ike_choice choice;
	struct isakmp_builder b;
	struct isakmp_hdr h;
	struct wbuf w;
	uint8_t out[IKD_MSG_MAX];
	char why[256];
	size_t len;
	int n;

	if (parse_plain(sa, pkt, rh, EXCH_MM1, &msg) == -1) {
		mm_fail(sa, "malformed MM1");
		return;
	}
	for (pl = isakmp_msg_first(&msg, ISAKMP_PAYLOAD_VID); pl != NULL;
	    pl = isakmp_msg_next(&msg, pl))
		if (isakmp_data_parse(&pl->body, pl->type, &vid) == ISAKMP_OK)
			natt_record_vid(sa, &vid);
	natt_finish_vids(sa);

	/* RFC 2409 5: choose one transform, echo it unchanged */
	sapl = isakmp_msg_first(&msg, ISAKMP_PAYLOAD_SA);
	n = proposal_select_ike(&ctx->conf->ike, auth_mask(ctx),
	    &sapl->body, sa->tag, &choice, why, sizeof(why));
	if (n != 0) {
		ctx->ctr.no_proposal++;
		logt_info(sa->tag, "MM1 refused (%s): %s",
		    isakmp_notify_name((unsigned int)n), why);
		exchange_notify_plain(ctx, pkt, rh, (uint16_t)n);
		mm_fail(sa, NULL);
		return;
	}
	sa->auth = choice.auth;
	if (sa->auth != IKE_AUTH_PSK && choose_ident(sa, NULL) == -1) {
		mm_fail(sa, "no certificate for the auth method");
		return;
	}
	sa->enc = choice.enc;
	sa->hash = choice.hash;
	sa->group = choice.group;
	sa->life_seconds = choice.life_seconds;
	ike_choice_str(&choice, sa->prop_str, sizeof(sa->prop_str));
	/* RFC 2409 5: SAi_b, the whole SA body, goes into HASH_I/HASH_R */
	sa->sai_len = rbuf_left(&sapl->body);
	if ((sa->sai_b = malloc(sa->sai_len)) == NULL) {
		ctx->ctr.alloc_failed++;
		mm_fail(sa, "out of memory");
		return;
	}
	memcpy(sa->sai_b, rbuf_cur(&sapl->body), sa->sai_len);

	mm_header(sa, &h);
	wbuf_init(&w, out, sizeof(out));
	isakmp_builder_init(&b, &w, &h);
	proposal_build_ike_reply(&b, &choice);
	/* RFC 3947 2 / drafts: echo the NAT-T VID we chose */
	if (sa->natt != IKD_NATT_NONE)
		build_vid(&b, sa->natt_vid);
	/* RFC 3706 2: we answer R-U-THERE */
	build_vid(&b, ISAKMP_VID_DPD);
	/* IKE fragmentation: we reassemble; announced only to who asks */
	if (sa->vids & (UINT32_C(1) << ISAKMP_VID_FRAGMENTATION))
		build_vid(&b, ISAKMP_VID_FRAGMENTATION);
	if (!isakmp_builder_finish(&b, &len)) {
		logt_warnx(sa->tag, "cannot build MM2");
		mm_fail(sa, "MM2 build failed");
		return;
	}
	logt_info(sa->tag, "MM1: %s client, proposal %s, NAT-T %s%s",
	    ikd_client_name(sa->client), sa->prop_str,
	    sa->natt == IKD_NATT_RFC ? "rfc3947" :
	    sa->natt == IKD_NATT_DRAFT ? "draft" : "no",
	    sa->peer_dpd ? ", DPD" : "");
	if (mm_answer(sa, pkt, out, len) == -1)
		mm_fail(sa, "cannot send MM2");
}

static void
recv_mm3(struct ike_sa *sa, const struct ikd_pkt *pkt,
    const struct isakmp_hdr *rh)
{
	struct ikd *ctx = sa->ikd;
	struct isakmp_msg msg;
	struct isakmp_data ke, ni;
	const struct isakmp_payload *pl;
	const struct conf_secret *psk = NULL;
	struct ike_secret *gxy = NULL, *skeyid = NULL;
	struct isakmp_cert cr;
	size_t i;
	struct ike_p1_input in;
	struct isakmp_builder b;
	struct isakmp_hdr h;
	struct wbuf w;
	uint8_t out[IKD_MSG_MAX];
	size_t len;

	if (parse_plain(sa, pkt, rh, EXCH_MM3, &msg) == -1) {
		/* the peer may resend a good one: keep the SA */
		return;
	}
	pl = isakmp_msg_first(&msg, ISAKMP_PAYLOAD_KE);
	if (isakmp_data_parse(&pl->body, pl->type, &ke) != ISAKMP_OK ||
	    ke.len != dh_group_public_len(sa->group)) {
		ikd_peer_error(ctx, sa->tag, "MM3: KE of %zu bytes for %s",
		    ke.len, dh_group_name(sa->group));
		exchange_notify_plain(ctx, pkt, rh,
		    ISAKMP_N_INVALID_KEY_INFORMATION);
		mm_fail(sa, "bad KE");
		return;
	}
	pl = isakmp_msg_first(&msg, ISAKMP_PAYLOAD_NONCE);
	if (isakmp_data_parse(&pl->body, pl->type, &ni) != ISAKMP_OK) {
		ikd_peer_error(ctx, sa->tag, "MM3: bad nonce length");
		mm_fail(sa, "bad nonce");
		return;
	}
	if (natt_check(sa, &msg, pkt) == -1) {
		ikd_peer_error(ctx, sa->tag, "MM3: bad NAT-D payloads");
		mm_fail(sa, "bad NAT-D");
		return;
	}
	if (sa->auth != IKE_AUTH_PSK)
		(void)choose_ident(sa, &msg);	/* keeps MM1's on failure */
	else if ((psk = conf_ike_psk(ctx->conf,
	    (const struct sockaddr *)&pkt->path.remote)) == NULL ||
	    psk->str == NULL) {
		logt_warnx(sa->tag, "no pre-shared key for this peer (set "
		    "ike.psk or an ike.peers entry)");
		mm_fail(sa, "no PSK");
		return;
	}
	memcpy(sa->gxi, ke.data, ke.len);
	sa->gxi_len = ke.len;
	memcpy(sa->ni, ni.data, ni.len);
	sa->ni_len = ni.len;
	sa->nr_len = PHASE1_NONCE_LEN;
	if (RAND_bytes(sa->nr, (int)sa->nr_len) != 1) {
		mm_fail(sa, "RAND_bytes failed");
		return;
	}
	/* RFC 2409 5: g^xy; dh_derive validates the peer value */
	if ((sa->dh = dh_new(sa->group)) == NULL) {
		mm_fail(sa, "DH key generation failed");
		return;
	}
	sa->gxr_len = dh_public_len(sa->dh);
	if (dh_public(sa->dh, sa->gxr, sa->gxr_len) == -1) {
		mm_fail(sa, "DH public value");
		return;
	}
	if (dh_derive(sa->dh, sa->gxi, sa->gxi_len, &gxy) == -1) {
		ikd_peer_error(ctx, sa->tag, "MM3: invalid DH public value");
		exchange_notify_plain(ctx, pkt, rh,
		    ISAKMP_N_INVALID_KEY_INFORMATION);
		mm_fail(sa, "bad DH value");
		return;
	}
	dh_free(sa->dh);
	sa->dh = NULL;
	/* RFC 2409 5.4: SKEYID = prf(pre-shared-key, Ni_b | Nr_b);
	 * 5.1: SKEYID = prf(Ni_b | Nr_b, g^xy) */
	if (psk != NULL)
		skeyid = ike_skeyid_psk(sa->hash, (const uint8_t *)psk->str,
		    psk->len, sa->ni, sa->ni_len, sa->nr, sa->nr_len);
	else
		skeyid = ike_skeyid_sig(sa->hash, sa->ni, sa->ni_len, sa->nr,
		    sa->nr_len, gxy);
	memset(&in, 0, sizeof(in));
	in.hash = sa->hash;
	in.enc = sa->enc;
	in.cky_i = sa->icookie;
	in.cky_r = sa->rcookie;
	in.gxi = sa->gxi;
	in.gxi_len = sa->gxi_len;
	in.gxr = sa->gxr;
	in.gxr_len = sa->gxr_len;
	in.gxy = gxy;
	if (skeyid != NULL)
		sa->keys = ike_keys_new(&in, skeyid);
	ike_secret_free(skeyid);
	ike_secret_free(gxy);
	if (sa->keys == NULL || (sa->ivs = ike_ivs_new(sa->keys)) == NULL ||
	    (ike_sig_auth_hash(sa->auth) != 0 && ike_keys_auth_hash(sa->keys,
	    (enum ike_hash)ike_sig_auth_hash(sa->auth)) == -1)) {
		mm_fail(sa, "key derivation failed");
		return;
	}

	mm_header(sa, &h);
	wbuf_init(&w, out, sizeof(out));
	isakmp_builder_init(&b, &w, &h);
	isakmp_build_data(&b, ISAKMP_PAYLOAD_KE, sa->gxr, sa->gxr_len);
	isakmp_build_data(&b, ISAKMP_PAYLOAD_NONCE, sa->nr, sa->nr_len);
	/* RFC 2409 5.1 / RFC 4945 3.2.4: ask for a certificate of our CAs */
	for (i = 0; sa->auth != IKE_AUTH_PSK &&
	    (cr.data = ikd_certs_ca_name(ctx->certs, i, &cr.len)) != NULL; i++) {
		cr.encoding = ISAKMP_CERT_X509_SIG;
		isakmp_build_cert(&b, ISAKMP_PAYLOAD_CR, &cr);
	}
	if (natt_build(sa, &b) == -1 || !isakmp_builder_finish(&b, &len)) {
		logt_warnx(sa->tag, "cannot build MM4");
		mm_fail(sa, "MM4 build failed");
		return;
	}
	if (mm_answer(sa, pkt, out, len) == -1) {
		mm_fail(sa, "cannot send MM4");
		return;
	}
	ike_sa_set_state(sa, IKE_SA_MM_R2);
}

/* Printable peer ID for logs (addresses and names only). */
static void
id_str(const struct isakmp_id *id, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	size_t i, n;

	if (id->type == IPSEC_ID_IPV4_ADDR && id->len == 4)
		snprintf(buf, len, "%s", inet_ntop(AF_INET, id->data, a,
		    sizeof(a)));
	else if (id->type == IPSEC_ID_IPV6_ADDR && id->len == 16)
		snprintf(buf, len, "%s", inet_ntop(AF_INET6, id->data, a,
		    sizeof(a)));
	else if (id->type == IPSEC_ID_DER_ASN1_DN)
		ikd_dn_der_str(id->data, id->len, buf, len);
	else if (id->type == IPSEC_ID_FQDN || id->type == IPSEC_ID_USER_FQDN ||
	    id->type == IPSEC_ID_KEY_ID) {
		n = id->len < len - 1 ? id->len : len - 1;
		for (i = 0; i < n; i++)
			buf[i] = (id->data[i] >= 0x20 && id->data[i] < 0x7f) ?
			    (char)id->data[i] : '?';
		buf[n] = '\0';
	} else
		snprintf(buf, len, "%s", isakmp_id_type_name(id->type));
}

static const char *
psk_source(const struct vpn_conf *conf, const struct conf_secret *psk,
    char *buf, size_t len)
{
	if (psk == &conf->ike.psk)
		snprintf(buf, len, "ike.psk");
	else if (psk != NULL && psk->file != NULL)
		snprintf(buf, len, "ike.peers entry at %s:%u", psk->file,
		    psk->line);
	else
		snprintf(buf, len, "ike.peers");
	return buf;
}

/* "0123456789abcdef/fedcba9876543210": initiator/responder cookie. */
static const char *
cookies_str(const struct ike_sa *sa, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	if (len < 4 * ISAKMP_COOKIE_LEN + 2) {
		if (len > 0)
			buf[0] = '\0';
		return buf;
	}
	for (i = 0; i < ISAKMP_COOKIE_LEN; i++) {
		buf[o++] = hex[sa->icookie[i] >> 4];
		buf[o++] = hex[sa->icookie[i] & 0x0f];
	}
	buf[o++] = '/';
	for (i = 0; i < ISAKMP_COOKIE_LEN; i++) {
		buf[o++] = hex[sa->rcookie[i] >> 4];
		buf[o++] = hex[sa->rcookie[i] & 0x0f];
	}
	buf[o] = '\0';
	return buf;
}

/*
 * The one line an operator gets about a failed MM5 (usually a wrong PSK):
 * the tag carries the peer address, then the cookies (to find the
 * exchange in a capture) and the cause. The SA goes away silently, so the
 * peer's retransmissions only reach the rate-limited debug path.
 */
static void
auth_failed(struct ike_sa *sa, const struct ikd_pkt *pkt, const char *what)
{
	const struct conf_secret *psk;
	char src[96], ck[4 * ISAKMP_COOKIE_LEN + 2];

	psk = conf_ike_psk(sa->ikd->conf,
	    (const struct sockaddr *)&pkt->path.remote);
	sa->ikd->ctr.auth_failed++;
	logt_info(sa->tag, "authentication failed (cookies %s): %s — wrong "
	    "PSK for this peer? (psk from %s)", cookies_str(sa, ck,
	    sizeof(ck)), what, psk_source(sa->ikd->conf, psk, src,
	    sizeof(src)));
	mm_fail(sa, NULL);
}

/*
 * The one line an operator gets about a refused certificate: peer (tag),
 * cookies, the certificate's subject and issuer, and the exact reason.
 */
static void
cert_refused(struct ike_sa *sa, const struct ikd_cert_result *res)
{
	char ck[4 * ISAKMP_COOKIE_LEN + 2];

	sa->ikd->ctr.auth_failed++;
	logt_info(sa->tag, "certificate refused (cookies %s): subject \"%s\", "
	    "issuer \"%s\": %s", cookies_str(sa, ck, sizeof(ck)),
	    res->subject[0] != '\0' ? res->subject : "?",
	    res->issuer[0] != '\0' ? res->issuer : "?", res->why);
	mm_fail(sa, NULL);
}

/* RFC 2409 5.1: MM5 with signatures; 0 when the peer is authenticated. */
static int
mm5_check_sig(struct ike_sa *sa, const struct isakmp_msg *msg,
    const struct isakmp_id *id, char *who, size_t wholen)
{
	struct ikd_cert_in in[IKD_CERT_MAX_PEER];
	struct ikd_cert_result res;
	const struct isakmp_payload *pl;
	struct isakmp_cert c;
	struct isakmp_data sig;
	uint8_t hash[IKE_HASH_MAX];
	size_t n = 0, hlen = ike_keys_auth_len(sa->keys);

	for (pl = isakmp_msg_first(msg, ISAKMP_PAYLOAD_CERT); pl != NULL &&
	    n < IKD_CERT_MAX_PEER; pl = isakmp_msg_next(msg, pl)) {
		if (isakmp_cert_parse(&pl->body, pl->type, &c) != ISAKMP_OK) {
			memset(&res, 0, sizeof(res));
			snprintf(res.why, sizeof(res.why), "CERT payload "
			    "malformed");
			cert_refused(sa, &res);
			return -1;
		}
		in[n].encoding = c.encoding;
		in[n].der = c.data;
		in[n].len = c.len;
		n++;
	}
	pl = isakmp_msg_first(msg, ISAKMP_PAYLOAD_SIG);
	if (isakmp_data_parse(&pl->body, pl->type, &sig) != ISAKMP_OK) {
		memset(&res, 0, sizeof(res));
		snprintf(res.why, sizeof(res.why), "SIG payload malformed");
		cert_refused(sa, &res);
		return -1;
	}
	/* RFC 2409 5.1: SIG_I signs HASH_I, computed as with PSKs */
	if (ike_hash_i(sa->keys, sa->sai_b, sa->sai_len, sa->idi,
	    sa->idi_len, hash, sizeof(hash)) == -1) {
		mm_fail(sa, "HASH_I computation failed");
		return -1;
	}
	if (ikd_certs_check_peer(sa->ikd->certs, in, n, id, sa->auth, hash,
	    hlen, sig.data, sig.len, &res) == -1) {
		cert_refused(sa, &res);
		return -1;
	}
	snprintf(who, wholen, "certificate \"%s\" from \"%s\"", res.subject,
	    res.issuer);
	return 0;
}

/* RFC 2409 5.4: MM5 with a PSK; 0 when HASH_I is right. */
static int
mm5_check_psk(struct ike_sa *sa, const struct ikd_pkt *pkt,
    const struct isakmp_msg *msg)
{
	const struct isakmp_payload *pl;
	struct isakmp_data hd;
	uint8_t hash[IKE_HASH_MAX];
	size_t hlen = ike_keys_hash_len(sa->keys);

	pl = isakmp_msg_first(msg, ISAKMP_PAYLOAD_HASH);
	if (isakmp_data_parse(&pl->body, pl->type, &hd) != ISAKMP_OK ||
	    hd.len != hlen) {
		auth_failed(sa, pkt, "HASH_I has the wrong length");
		return -1;
	}
	/* RFC 2409 5.4: HASH_I over SAi_b and IDii_b; constant time */
	if (ike_hash_i(sa->keys, sa->sai_b, sa->sai_len, sa->idi,
	    sa->idi_len, hash, sizeof(hash)) == -1) {
		mm_fail(sa, "HASH_I computation failed");
		return -1;
	}
	if (!ike_ct_equal(hash, hd.data, hlen)) {
		auth_failed(sa, pkt, "HASH_I mismatch");
		return -1;
	}
	return 0;
}

/*
 * MM6's IDir into idr/idr_b: with a PSK our address as the peer reached
 * it; with signatures our certificate's subject (ID_DER_ASN1_DN, what
 * Windows RRAS sends). RFC 2407 4.6.2: echo the peer's protocol/port.
 */
static int
mm6_idr(const struct ike_sa *sa, const struct isakmp_id *id,
    struct isakmp_id *idr, uint8_t *idr_b, size_t room, size_t *idr_len)
{
	const struct sockaddr_storage *local = &sa->path.local;

	memset(idr, 0, sizeof(*idr));
	if (sa->auth != IKE_AUTH_PSK) {
		idr->type = IPSEC_ID_DER_ASN1_DN;
		idr->data = ikd_certs_id_der(sa->ikd->certs, sa->ident,
		    &idr->len);
	} else if (local->ss_family == AF_INET) {
		idr->type = IPSEC_ID_IPV4_ADDR;
		idr->data = (const uint8_t *)&((const struct sockaddr_in *)
		    (const void *)local)->sin_addr;
		idr->len = 4;
	} else {
		idr->type = IPSEC_ID_IPV6_ADDR;
		idr->data = (const uint8_t *)&((const struct sockaddr_in6 *)
		    (const void *)local)->sin6_addr;
		idr->len = 16;
	}
	if (4 + idr->len > room)
		return -1;
	idr->protocol = id->protocol;
	idr->port = id->port;
	idr_b[0] = idr->type;
	idr_b[1] = idr->protocol;
	idr_b[2] = (uint8_t)(idr->port >> 8);
	idr_b[3] = (uint8_t)idr->port;
	memcpy(idr_b + 4, idr->data, idr->len);
	*idr_len = 4 + idr->len;
	return 0;
}

/* MM6's authentication: HASH_R, or our certificates and SIG_R. */
static int
mm6_auth(struct ike_sa *sa, struct isakmp_builder *b, const uint8_t *idr_b,
    size_t idr_len)
{
	uint8_t hash[IKE_HASH_MAX], sig[IKD_SIG_MAX];
	size_t hlen = ike_keys_auth_len(sa->keys), siglen = sizeof(sig), i;
	struct isakmp_cert c;

	if (ike_hash_r(sa->keys, sa->sai_b, sa->sai_len, idr_b, idr_len, hash,
	    sizeof(hash)) == -1)
		return -1;
	if (sa->auth == IKE_AUTH_PSK) {
		isakmp_build_data(b, ISAKMP_PAYLOAD_HASH, hash, hlen);
		return 0;
	}
	/* RFC 4945 3.3: our certificate first, then the intermediates */
	for (i = 0; (c.data = ikd_certs_chain(sa->ikd->certs, sa->ident, i,
	    &c.len)) != NULL; i++) {
		c.encoding = ISAKMP_CERT_X509_SIG;
		isakmp_build_cert(b, ISAKMP_PAYLOAD_CERT, &c);
	}
	if ((sa->ikd->kops->sign != NULL ? sa->ikd->kops->sign(sa->ikd->karg,
	    sa->ident, hash, hlen, sig, &siglen) :
	    ikd_certs_sign(sa->ikd->certs, sa->ident, hash, hlen, sig,
	    &siglen)) == -1) {
		logt_warnx(sa->tag, "cannot sign HASH_R with our key");
		return -1;
	}
	isakmp_build_data(b, ISAKMP_PAYLOAD_SIG, sig, siglen);
	return 0;
}

static void
recv_mm5(struct ike_sa *sa, const struct ikd_pkt *pkt,
    const struct isakmp_hdr *rh)
{
	struct ikd *ctx = sa->ikd;
	uint8_t plain[IKD_MSG_MAX], out[IKD_MSG_MAX];
	uint8_t idr_b[IKD_ID_MAX];
	struct isakmp_msg msg;
	const struct isakmp_payload *pl;
	struct isakmp_id id, idr;
	struct isakmp_notify n;
	struct isakmp_builder b;
	struct ike_iv next;
	struct wbuf w;
	size_t len, idr_len;
	const char *why;
	char who[2 * IKD_DN_STR_MAX + 32] = "pre-shared key";
	bool sig = sa->auth != IKE_AUTH_PSK;

	if (exchange_open(sa, pkt, rh, plain, sizeof(plain), &msg,
	    &next) == -1) {
		auth_failed(sa, pkt, "MM5 did not decrypt to a valid message");
		return;
	}
	if (exchange_check(sig ? EXCH_MM5_SIG : EXCH_MM5, &msg, &why) != 0) {
		if (sig)
			ikd_peer_error(ctx, sa->tag, "MM5: %s", why);
		auth_failed(sa, pkt, "MM5 payloads are wrong");
		return;
	}
	pl = isakmp_msg_first(&msg, ISAKMP_PAYLOAD_ID);
	if (isakmp_id_parse(&pl->body, &id) != ISAKMP_OK ||
	    rbuf_left(&pl->body) > sizeof(sa->idi)) {
		auth_failed(sa, pkt, "MM5 ID payload malformed");
		return;
	}
	memcpy(sa->idi, rbuf_cur(&pl->body), rbuf_left(&pl->body));
	sa->idi_len = rbuf_left(&pl->body);
	if (sig ? mm5_check_sig(sa, &msg, &id, who, sizeof(who)) :
	    mm5_check_psk(sa, pkt, &msg))
		return;		/* logged, SA gone */
	/* accepted: commit the IV, take the (possibly floated) path */
	if (ike_ivs_set(sa->ivs, 0, &next) == -1) {
		mm_fail(sa, "IV");
		return;
	}
	ike_sa_rebind(sa, &pkt->path);
	id_str(&id, sa->peer_id, sizeof(sa->peer_id));
	for (pl = isakmp_msg_first(&msg, ISAKMP_PAYLOAD_N); pl != NULL;
	    pl = isakmp_msg_next(&msg, pl))
		if (isakmp_notify_parse(&pl->body, &n) == ISAKMP_OK &&
		    n.type == ISAKMP_N_INITIAL_CONTACT)
			sa->initial_contact = true;

	wbuf_init(&w, out, sizeof(out));
	isakmp_builder_init(&b, &w, NULL);
	if (mm6_idr(sa, &id, &idr, idr_b, sizeof(idr_b), &idr_len) == -1) {
		mm_fail(sa, "our ID is too long");
		return;
	}
	isakmp_build_id(&b, &idr);
	if (mm6_auth(sa, &b, idr_b, idr_len) == -1 ||
	    !isakmp_builder_finish(&b, &len)) {
		mm_fail(sa, "MM6 build failed");
		return;
	}
	if (ikd_msgbuf_set(&sa->last_req, pkt->data, pkt->len) == -1) {
		ctx->ctr.alloc_failed++;
		mm_fail(sa, "out of memory");
		return;
	}
	if (exchange_seal_send(sa, ISAKMP_EXCH_IDPROT, 0, 0, b.first, out,
	    len, &sa->last_resp) == -1) {
		mm_fail(sa, "cannot send MM6");
		return;
	}
	explicit_bzero(plain, sizeof(plain));
	ike_sa_set_state(sa, IKE_SA_ESTABLISHED);
	ctx->ctr.p1_established++;
	logt_info(sa->tag, "ISAKMP SA established: peer ID %s, %s, %s client, "
	    "%s, lifetime %us%s%s", sa->peer_id, who,
	    ikd_client_name(sa->client), sa->prop_str, sa->life_seconds,
	    sa->peer_natted ? ", peer behind NAT" : "",
	    sa->path.natt ? " (UDP 4500)" : "");
	ike_sa_arm_timer(sa, (uint64_t)sa->life_seconds * 1000);
	/* RFC 2407 4.6.3.3, and Windows' Vid-Initial-Contact (3) */
	if (sa->initial_contact ||
	    (sa->vids & (UINT32_C(1) << ISAKMP_VID_MS_INITIAL_CONTACT)))
		ike_sa_initial_contact(sa);
}

void
phase1_recv(struct ike_sa *sa, const struct ikd_pkt *pkt,
    const struct isakmp_hdr *h)
{
	switch (sa->state) {
	case IKE_SA_MM_R1:
		recv_mm3(sa, pkt, h);
		return;
	case IKE_SA_MM_R2:
		recv_mm5(sa, pkt, h);
		return;
	case IKE_SA_ESTABLISHED:
	case IKE_SA_DEAD:
		break;
	}
	ikd_peer_error(sa->ikd, sa->tag, "got Main Mode message in state %s, "
	    "dropped", ike_sa_state_name(sa->state));
}
