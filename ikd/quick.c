/*
 * quick.c - Quick Mode responder (RFC 2409 5.5) for L2TP/IPsec:
 *
 *	QM1  HDR*, HASH(1), SA, Ni [, KE] [, IDci, IDcr] [, NAT-OA...]
 *	QM2  HDR*, HASH(2), SA, Nr [, KE] [, IDci, IDcr] [, NAT-OA...]
 *	QM3  HDR*, HASH(3)
 *	(QM4 HDR*, HASH, N(CONNECTED) when the COMMIT bit was set,
 *	     RFC 2408 4.8)
 *
 * Transitions (quick_recv): (none) QM1 -> QM_R1; QM_R1 QM3 -> QM_DONE;
 * everything else is logged and dropped. Transport mode ESP only, for
 * UDP to our port 1701 (windows-client.md 2.3).
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <openssl/rand.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ikd/ikd.h"
#include "lib/buf.h"
#include "lib/ev.h"
#include "lib/log.h"

#define QM_NONCE_LEN	32
#define L2TP_PORT	1701

static void
qm_set_state(struct ike_qm *qm, enum ike_qm_state state)
{
	logt_debug(qm->tag, "%s -> %s", ike_qm_state_name(qm->state),
	    ike_qm_state_name(state));
	qm->state = state;
}

static void
qm_timer_cb(void *arg)
{
	struct ike_qm *qm = arg;

	if (qm->state != IKE_QM_DONE)
		logt_info(qm->tag, "Quick Mode not completed, dropped");
	quick_free(qm);
}

struct ike_qm *
quick_lookup(struct ike_sa *sa, uint32_t mid)
{
	struct ike_qm *qm;

	TAILQ_FOREACH(qm, &sa->qms, link)
		if (qm->mid == mid)
			return qm;
	return NULL;
}

static struct ike_qm *
qm_new(struct ike_sa *sa, uint32_t mid)
{
	struct ike_qm *qm;

	if ((qm = calloc(1, sizeof(*qm))) == NULL) {
		sa->ikd->ctr.alloc_failed++;
		return NULL;
	}
	qm->sa = sa;
	qm->mid = mid;
	qm->state = IKE_QM_R1;
	snprintf(qm->tag, sizeof(qm->tag), "ike#%u/qm 0x%08x", sa->serial,
	    mid);
	if (sa->ikd->base != NULL) {
		if ((qm->timer = ev_timer_new(sa->ikd->base, qm_timer_cb,
		    qm)) == NULL) {
			free(qm);
			return NULL;
		}
		(void)ev_timer_arm(qm->timer, IKD_QM_TIMEOUT_MS);
	}
	TAILQ_INSERT_TAIL(&sa->qms, qm, link);
	return qm;
}

static void
fill_addr(const struct sockaddr_storage *ss, union xfrm_ipaddr *a)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET)
		a->v4 = ((const struct sockaddr_in *)(const void *)ss)->
		    sin_addr;
	else if (ss->ss_family == AF_INET6)
		a->v6 = ((const struct sockaddr_in6 *)(const void *)ss)->
		    sin6_addr;
}

void
quick_free(struct ike_qm *qm)
{
	struct ikd *ctx;
	struct xfrm_sa_id id;

	if (qm == NULL)
		return;
	ctx = qm->sa->ikd;
	if (qm->state != IKE_QM_DONE && qm->spi_in != 0) {
		/* the larval SA from ALLOCSPI */
		memset(&id, 0, sizeof(id));
		id.family = qm->sa->path.local.ss_family;
		fill_addr(&qm->sa->path.local, &id.dst);
		id.spi = qm->spi_in;
		(void)ctx->kops->sa_del(ctx->karg, &id);
	}
	TAILQ_REMOVE(&qm->sa->qms, qm, link);
	if (qm->sa->ivs != NULL)
		ike_ivs_drop(qm->sa->ivs, qm->mid);
	ev_timer_free(qm->timer);
	ike_secret_free(qm->gqmxy);
	ikd_msgbuf_clear(&qm->last_req);
	ikd_msgbuf_clear(&qm->last_resp);
	explicit_bzero(qm, sizeof(*qm));
	free(qm);
}

/* End of the last payload of a decrypted chain (padding excluded). */
static size_t
chain_end(const struct isakmp_msg *msg)
{
	const struct isakmp_payload *last = &msg->pl[msg->npl - 1];

	return last->offset + last->length;
}

/* Is the ID's address this socket address? */
static bool
id_addr_is(const struct isakmp_id *id, const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET && id->type == IPSEC_ID_IPV4_ADDR &&
	    id->len == 4)
		return memcmp(id->data, &((const struct sockaddr_in *)
		    (const void *)ss)->sin_addr, 4) == 0;
	if (ss->ss_family == AF_INET6 && id->type == IPSEC_ID_IPV6_ADDR &&
	    id->len == 16)
		return memcmp(id->data, &((const struct sockaddr_in6 *)
		    (const void *)ss)->sin6_addr, 16) == 0;
	return false;
}

/*
 * RFC 2409 5.5 / RFC 3947 5.2 / windows-client.md 2.3: IDci is one host,
 * UDP, any port (Windows 1701, Apple ephemeral); its address is the
 * peer's, or under NAT its private address (used for nothing but the
 * echo: the SAs use the public one). IDcr is our address (anything when
 * we are behind NAT), UDP, port 1701 (or 0: Windows 7 asks for all of
 * UDP; the SA is still installed for 1701 only).
 */
static bool
check_ids(struct ike_qm *qm, const struct isakmp_id *ci,
    const struct isakmp_id *cr, const char **why)
{
	struct ike_sa *sa = qm->sa;
	uint8_t want = sa->path.local.ss_family == AF_INET ?
	    IPSEC_ID_IPV4_ADDR : IPSEC_ID_IPV6_ADDR;

	if (ci->type != want || cr->type != want) {
		*why = "IDs are not single host addresses";
		return false;
	}
	if (ci->protocol != IPPROTO_UDP || cr->protocol != IPPROTO_UDP) {
		*why = "IDs are not for UDP (L2TP)";
		return false;
	}
	if (cr->port != L2TP_PORT && cr->port != 0) {
		*why = "IDcr port is not 1701";
		return false;
	}
	if (!sa->peer_natted && !id_addr_is(ci, &sa->path.remote)) {
		*why = "IDci is not the peer's address (and no NAT)";
		return false;
	}
	if (!sa->local_natted && !id_addr_is(cr, &sa->path.local)) {
		*why = "IDcr is not our address";
		return false;
	}
	qm->remote_port = ci->port;
	return true;
}

static void
qm_refuse(struct ike_qm *qm, uint16_t type, const char *why)
{
	uint8_t spi[4] = { 0 };

	qm->sa->ikd->ctr.qm_refused++;
	logt_info(qm->tag, "Quick Mode refused (%s): %s",
	    isakmp_notify_name(type), why);
	(void)info_send_notify(qm->sa, type, IPSEC_PROTO_ESP, spi, 0, NULL,
	    0);
	quick_free(qm);
}

static void
build_nat_oa(struct isakmp_builder *b, uint8_t type,
    const struct sockaddr_storage *ss)
{
	struct isakmp_nat_oa oa;

	memset(&oa, 0, sizeof(oa));
	if (ss->ss_family == AF_INET) {
		oa.id_type = IPSEC_ID_IPV4_ADDR;
		oa.addr = (const uint8_t *)&((const struct sockaddr_in *)
		    (const void *)ss)->sin_addr;
		oa.len = 4;
	} else {
		oa.id_type = IPSEC_ID_IPV6_ADDR;
		oa.addr = (const uint8_t *)&((const struct sockaddr_in6 *)
		    (const void *)ss)->sin6_addr;
		oa.len = 16;
	}
	isakmp_build_nat_oa(b, type, &oa);
}

static void
recv_qm1(struct ike_sa *sa, const struct ikd_pkt *pkt,
    const struct isakmp_hdr *h)
{
	struct ikd *ctx = sa->ikd;
	uint8_t plain[IKD_MSG_MAX], out[IKD_MSG_MAX], hash[IKE_HASH_MAX];
	uint8_t ld[16];
	struct isakmp_msg msg;
	const struct isakmp_payload *pl, *idpl;
	struct isakmp_data hd, ni, ke;
	struct isakmp_id ci, cr;
	struct esp_choice choice;
	struct xfrm_spi_req sreq;
	struct isakmp_builder b;
	struct isakmp_notify n;
	struct ike_dh *dh = NULL;
	struct ike_iv next;
	struct ike_qm *qm;
	struct wbuf w, lw;
	uint8_t gxr[IKE_KE_MAX], spib[4];
	size_t hlen = ike_keys_hash_len(sa->keys), len, hoff, gxr_len = 0;
	size_t noa;
	uint16_t pfs = 0;
	const char *why;
	char pwhy[256], tag[IKD_TAG_MAX];
	int rc;
	bool natt;

	snprintf(tag, sizeof(tag), "ike#%u/qm 0x%08x", sa->serial, h->msgid);
	memset(&ke, 0, sizeof(ke));
	/*
	 * Until HASH(1) checks, the M-ID is the sender's word only: forget
	 * the IV state a rejected message made (XXX the IV table still
	 * evicts its oldest entry for it, see ike_ivs_get).
	 */
	if (exchange_open(sa, pkt, h, plain, sizeof(plain), &msg,
	    &next) == -1) {
		ike_ivs_drop(sa->ivs, h->msgid);
		return;
	}
	if (exchange_check(EXCH_QM1, &msg, &why) != 0) {
		ikd_peer_error(ctx, tag, "QM1: %s", why);
		ike_ivs_drop(sa->ivs, h->msgid);
		return;
	}
	/* RFC 2409 5.5: HASH(1) = prf(SKEYID_a, M-ID | SA | Ni ...) */
	pl = &msg.pl[0];
	if (isakmp_data_parse(&pl->body, pl->type, &hd) != ISAKMP_OK ||
	    hd.len != hlen ||
	    ike_qm_hash1(sa->keys, h->msgid, plain + msg.pl[1].offset,
	    chain_end(&msg) - msg.pl[1].offset, hash, sizeof(hash)) == -1 ||
	    !ike_ct_equal(hash, hd.data, hlen)) {
		ikd_peer_error(ctx, tag, "QM1: HASH(1) mismatch, dropped");
		ike_ivs_drop(sa->ivs, h->msgid);
		return;
	}
	if (ike_ivs_set(sa->ivs, h->msgid, &next) == -1 ||
	    (qm = qm_new(sa, h->msgid)) == NULL)
		return;
	if (ikd_msgbuf_set(&qm->last_req, pkt->data, pkt->len) == -1) {
		quick_free(qm);
		return;
	}
	ike_sa_rebind(sa, &pkt->path);
	qm->commit = (h->flags & ISAKMP_FLAG_COMMIT) != 0;

	pl = isakmp_msg_first(&msg, ISAKMP_PAYLOAD_NONCE);
	if (isakmp_data_parse(&pl->body, pl->type, &ni) != ISAKMP_OK) {
		qm_refuse(qm, ISAKMP_N_PAYLOAD_MALFORMED, "bad nonce");
		return;
	}
	memcpy(qm->ni, ni.data, ni.len);
	qm->ni_len = ni.len;

	/* RFC 2409 5.5: PFS when KE is present (in the phase 1 group) */
	if ((pl = isakmp_msg_first(&msg, ISAKMP_PAYLOAD_KE)) != NULL) {
		pfs = sa->group;
		if (isakmp_data_parse(&pl->body, pl->type, &ke) != ISAKMP_OK ||
		    ke.len != dh_group_public_len(pfs)) {
			qm_refuse(qm, ISAKMP_N_INVALID_KEY_INFORMATION,
			    "PFS KE does not fit the phase 1 group");
			return;
		}
	}

	if (isakmp_msg_count(&msg, ISAKMP_PAYLOAD_ID) != 2) {
		qm_refuse(qm, ISAKMP_N_INVALID_ID_INFORMATION, "no IDci/IDcr: "
		    "only UDP/1701 transport SAs are served");
		return;
	}
	idpl = isakmp_msg_first(&msg, ISAKMP_PAYLOAD_ID);
	if (isakmp_id_parse(&idpl->body, &ci) != ISAKMP_OK ||
	    isakmp_id_parse(&isakmp_msg_next(&msg, idpl)->body, &cr) !=
	    ISAKMP_OK) {
		qm_refuse(qm, ISAKMP_N_INVALID_ID_INFORMATION,
		    "malformed ID");
		return;
	}
	if (!check_ids(qm, &ci, &cr, &why)) {
		qm_refuse(qm, ISAKMP_N_INVALID_ID_INFORMATION, why);
		return;
	}
	noa = isakmp_msg_count(&msg, natt_oa_type(sa));

	natt = sa->natt != IKD_NATT_NONE &&
	    (sa->peer_natted || sa->local_natted);
	pl = isakmp_msg_first(&msg, ISAKMP_PAYLOAD_SA);
	rc = proposal_select_esp(&ctx->conf->ike, &pl->body, natt,
	    sa->natt == IKD_NATT_DRAFT, pfs, qm->tag, &choice, pwhy,
	    sizeof(pwhy));
	if (rc != 0) {
		ctx->ctr.no_proposal++;
		qm_refuse(qm, (uint16_t)rc, pwhy);
		return;
	}
	qm->spi_out = choice.peer_spi;
	qm->esp_id = choice.transform_id;
	qm->key_bits = choice.key_bits;
	qm->auth_alg = choice.auth_alg;
	qm->udp_encap = choice.udp_encap;
	qm->life_seconds = choice.life_seconds;
	qm->life_kbytes = choice.life_kbytes;
	esp_choice_str(&choice, qm->esp_str, sizeof(qm->esp_str));

	/* our inbound SPI (RFC 2408 2.4: the receiver chooses it) */
	memset(&sreq, 0, sizeof(sreq));
	sreq.family = sa->path.local.ss_family;
	fill_addr(&sa->path.remote, &sreq.peer);
	fill_addr(&sa->path.local, &sreq.local);
	sreq.reqid = XFRM_REQID_L2TP;
	if (ctx->kops->spi_alloc(ctx->karg, &sreq, &qm->spi_in) == -1) {
		ctx->ctr.kernel_errors++;
		qm->spi_in = 0;
		qm_refuse(qm, ISAKMP_N_NO_PROPOSAL_CHOSEN,
		    "cannot allocate an SPI");
		return;
	}
	qm->nr_len = QM_NONCE_LEN;
	if (RAND_bytes(qm->nr, (int)qm->nr_len) != 1) {
		quick_free(qm);
		return;
	}
	if (pfs != 0) {
		if ((dh = dh_new(pfs)) == NULL) {
			quick_free(qm);
			return;
		}
		gxr_len = dh_public_len(dh);
		if (dh_public(dh, gxr, gxr_len) == -1 ||
		    dh_derive(dh, ke.data, ke.len, &qm->gqmxy) == -1) {
			dh_free(dh);
			qm_refuse(qm, ISAKMP_N_INVALID_KEY_INFORMATION,
			    "bad PFS public value");
			return;
		}
		dh_free(dh);
	}

	wbuf_init(&w, out, sizeof(out));
	isakmp_builder_init(&b, &w, NULL);
	hoff = isakmp_build_data(&b, ISAKMP_PAYLOAD_HASH, NULL, hlen);
	proposal_build_esp_reply(&b, &choice, qm->spi_in);
	isakmp_build_data(&b, ISAKMP_PAYLOAD_NONCE, qm->nr, qm->nr_len);
	if (pfs != 0)
		isakmp_build_data(&b, ISAKMP_PAYLOAD_KE, gxr, gxr_len);
	/* RFC 2409 5.5: the identities are echoed unchanged */
	isakmp_build_id(&b, &ci);
	isakmp_build_id(&b, &cr);
	/*
	 * RFC 3947 5.2: answer NAT-OA with ours: the initiator's address as
	 * we see it, then our own (SoftEther answers two with two).
	 */
	if (natt && noa > 0) {
		if (noa >= 2 || sa->natt == IKD_NATT_RFC)
			build_nat_oa(&b, natt_oa_type(sa), &sa->path.remote);
		build_nat_oa(&b, natt_oa_type(sa), &sa->path.local);
	}
	if (choice.responder_lifetime) {
		/* RFC 2407 4.6.3.1 */
		wbuf_init(&lw, ld, sizeof(ld));
		proposal_responder_lifetime_data(&lw, &choice);
		spib[0] = (uint8_t)(qm->spi_in >> 24);
		spib[1] = (uint8_t)(qm->spi_in >> 16);
		spib[2] = (uint8_t)(qm->spi_in >> 8);
		spib[3] = (uint8_t)qm->spi_in;
		memset(&n, 0, sizeof(n));
		n.doi = ISAKMP_DOI_IPSEC;
		n.protocol = IPSEC_PROTO_ESP;
		n.spi_size = 4;
		n.spi = spib;
		n.type = ISAKMP_N_RESPONDER_LIFETIME;
		n.data = ld;
		n.len = wbuf_len(&lw);
		if (wbuf_ok(&lw))
			isakmp_build_notify(&b, &n);
	}
	if (!isakmp_builder_finish(&b, &len)) {
		logt_warnx(qm->tag, "cannot build QM2");
		quick_free(qm);
		return;
	}
	/* RFC 2409 5.5: HASH(2) = prf(SKEYID_a, M-ID | Ni_b | SA | Nr ...) */
	if (ike_qm_hash2(sa->keys, qm->mid, qm->ni, qm->ni_len,
	    out + hoff + hlen, len - hoff - hlen, hash, sizeof(hash)) == -1) {
		quick_free(qm);
		return;
	}
	memcpy(out + hoff, hash, hlen);
	if (exchange_seal_send(sa, ISAKMP_EXCH_QUICK,
	    qm->commit ? ISAKMP_FLAG_COMMIT : 0, qm->mid, b.first, out, len,
	    &qm->last_resp) == -1) {
		quick_free(qm);
		return;
	}
	explicit_bzero(plain, sizeof(plain));
	logt_debug(qm->tag, "QM2 sent: %s, SPI in 0x%08x out 0x%08x",
	    qm->esp_str, qm->spi_in, qm->spi_out);
}

/* Key lengths of an ESP transform (bytes). */
static bool
esp_key_lens(const struct ike_qm *qm, enum xfrm_enc *enc, size_t *enc_len,
    enum xfrm_auth *auth, size_t *auth_len)
{
	switch (qm->esp_id) {
	case IPSEC_ESP_AES_CBC:
		*enc = XFRM_ENC_AES_CBC;
		*enc_len = qm->key_bits / 8;
		break;
	case IPSEC_ESP_3DES:
		*enc = XFRM_ENC_3DES_CBC;
		*enc_len = 24;
		break;
	case IPSEC_ESP_AES_GCM_16:
		/* RFC 4106 8.1: key | 4-byte salt */
		*enc = XFRM_ENC_AES_GCM16;
		*enc_len = qm->key_bits / 8 + 4;
		break;
	default:
		return false;
	}
	switch (qm->auth_alg) {
	case 0:
		*auth = XFRM_AUTH_NONE;
		*auth_len = 0;
		break;
	case IPSEC_AUTH_HMAC_SHA1:
		*auth = XFRM_AUTH_HMAC_SHA1_96;
		*auth_len = 20;
		break;
	case IPSEC_AUTH_HMAC_SHA2_256:
		*auth = XFRM_AUTH_HMAC_SHA256_128;
		*auth_len = 32;
		break;
	default:
		return false;
	}
	return *enc_len <= XFRM_ENC_KEY_MAX && *auth_len <= XFRM_AUTH_KEY_MAX;
}

/* Fill one direction's SA request (keys from KEYMAT for its SPI). */
static int
fill_sa_req(struct ike_qm *qm, bool in, struct xfrm_sa_req *r)
{
	struct ike_sa *sa = qm->sa;
	struct ike_secret *km;
	enum xfrm_enc enc;
	enum xfrm_auth auth;
	size_t enc_len, auth_len;
	uint32_t spi = in ? qm->spi_in : qm->spi_out;
	uint8_t spib[4];
	const struct sockaddr_storage *lo = &sa->path.local;
	const struct sockaddr_storage *re = &sa->path.remote;

	if (!esp_key_lens(qm, &enc, &enc_len, &auth, &auth_len))
		return -1;
	spib[0] = (uint8_t)(spi >> 24);
	spib[1] = (uint8_t)(spi >> 16);
	spib[2] = (uint8_t)(spi >> 8);
	spib[3] = (uint8_t)spi;
	/* RFC 2409 5.5: KEYMAT = prf(SKEYID_d, [g^xy |] ESP | SPI | Ni | Nr) */
	km = ike_keymat(sa->keys, qm->gqmxy, IPSEC_PROTO_ESP, spib, 4,
	    qm->ni, qm->ni_len, qm->nr, qm->nr_len, enc_len + auth_len);
	if (km == NULL)
		return -1;
	memset(r, 0, sizeof(*r));
	r->family = lo->ss_family;
	r->dir = in ? XFRM_DIR_IN : XFRM_DIR_OUT;
	fill_addr(in ? re : lo, &r->src);
	fill_addr(in ? lo : re, &r->dst);
	r->spi = spi;
	r->reqid = XFRM_REQID_L2TP;
	/* the selector: UDP between the two hosts, our side port 1701 */
	r->sel.family = lo->ss_family;
	r->sel.proto = IPPROTO_UDP;
	r->sel.src_plen = r->sel.dst_plen = lo->ss_family == AF_INET ? 32 :
	    128;
	r->sel.src = r->src;
	r->sel.dst = r->dst;
	if (in) {
		r->sel.dport = L2TP_PORT;
		r->sel.dport_mask = 0xffff;
		r->sel.sport = qm->remote_port;
		r->sel.sport_mask = qm->remote_port != 0 ? 0xffff : 0;
	} else {
		r->sel.sport = L2TP_PORT;
		r->sel.sport_mask = 0xffff;
		r->sel.dport = qm->remote_port;
		r->sel.dport_mask = qm->remote_port != 0 ? 0xffff : 0;
	}
	r->enc = enc;
	r->enc_key_len = (uint8_t)enc_len;
	memcpy(r->enc_key, km->p, enc_len);
	r->auth = auth;
	r->auth_key_len = (uint8_t)auth_len;
	memcpy(r->auth_key, km->p + enc_len, auth_len);
	ike_secret_free(km);
	/* RFC 3948: ESP in UDP with the ports as on the wire */
	if (qm->udp_encap) {
		r->encap = true;
		r->encap_sport = in ? sa_port(re) : sa_port(lo);
		r->encap_dport = in ? sa_port(lo) : sa_port(re);
	}
	r->replay_window = XFRM_REPLAY_MAX;
	r->hard_secs = qm->life_seconds;
	r->hard_bytes = qm->life_kbytes * 1024;
	return 0;
}

static int
install(struct ike_qm *qm)
{
	struct ikd *ctx = qm->sa->ikd;
	struct ike_child *ch;
	struct xfrm_sa_req r;
	int rc = -1;

	if ((ch = ike_child_new(qm->sa, qm)) == NULL)
		return -1;
	/* inbound first: the peer may send as soon as it has QM2 */
	if (fill_sa_req(qm, true, &r) == -1 ||
	    ctx->kops->sa_add(ctx->karg, &r) == -1)
		goto done;
	ch->in_installed = true;
	if (fill_sa_req(qm, false, &r) == -1 ||
	    ctx->kops->sa_add(ctx->karg, &r) == -1)
		goto done;
	ch->out_installed = true;
	rc = 0;
done:
	explicit_bzero(&r, sizeof(r));
	if (rc == -1) {
		ctx->ctr.kernel_errors++;
		ike_child_delete(ch, "install failed");
	} else {
		logt_info(ch->tag, "ESP SAs installed: %s, peer ID %s%s, "
		    "lifetime %us", qm->esp_str, qm->sa->peer_id,
		    qm->udp_encap ? ", UDP-encapsulated" : "",
		    qm->life_seconds);
		ch->up = true;
		ikd_ctl_child_event(ctx, ch, true);
	}
	return rc;
}

/* RFC 2408 4.8: after installing, tell the initiator (COMMIT bit). */
static void
send_connected(struct ike_qm *qm)
{
	struct ike_sa *sa = qm->sa;
	uint8_t out[256], hash[IKE_HASH_MAX], spib[4];
	size_t hlen = ike_keys_hash_len(sa->keys), hoff, len;
	struct isakmp_builder b;
	struct isakmp_notify n;
	struct wbuf w;

	spib[0] = (uint8_t)(qm->spi_in >> 24);
	spib[1] = (uint8_t)(qm->spi_in >> 16);
	spib[2] = (uint8_t)(qm->spi_in >> 8);
	spib[3] = (uint8_t)qm->spi_in;
	wbuf_init(&w, out, sizeof(out));
	isakmp_builder_init(&b, &w, NULL);
	hoff = isakmp_build_data(&b, ISAKMP_PAYLOAD_HASH, NULL, hlen);
	memset(&n, 0, sizeof(n));
	n.doi = ISAKMP_DOI_IPSEC;
	n.protocol = IPSEC_PROTO_ESP;
	n.spi_size = 4;
	n.spi = spib;
	n.type = ISAKMP_N_CONNECTED;
	isakmp_build_notify(&b, &n);
	if (!isakmp_builder_finish(&b, &len) ||
	    ike_info_hash(sa->keys, qm->mid, out + hoff + hlen,
	    len - hoff - hlen, hash, sizeof(hash)) == -1)
		return;
	memcpy(out + hoff, hash, hlen);
	(void)exchange_seal_send(sa, ISAKMP_EXCH_QUICK, ISAKMP_FLAG_COMMIT,
	    qm->mid, b.first, out, len, NULL);
}

static void
recv_qm3(struct ike_qm *qm, const struct ikd_pkt *pkt,
    const struct isakmp_hdr *h)
{
	struct ike_sa *sa = qm->sa;
	struct ikd *ctx = sa->ikd;
	uint8_t plain[IKD_MSG_MAX], hash[IKE_HASH_MAX];
	size_t hlen = ike_keys_hash_len(sa->keys);
	struct isakmp_msg msg;
	struct isakmp_data hd;
	struct ike_iv next;
	const char *why;

	if (exchange_open(sa, pkt, h, plain, sizeof(plain), &msg,
	    &next) == -1)
		return;
	if (exchange_check(EXCH_QM3, &msg, &why) != 0) {
		ikd_peer_error(ctx, qm->tag, "QM3: %s", why);
		return;
	}
	/* RFC 2409 5.5: HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b) */
	if (isakmp_data_parse(&msg.pl[0].body, ISAKMP_PAYLOAD_HASH,
	    &hd) != ISAKMP_OK || hd.len != hlen ||
	    ike_qm_hash3(sa->keys, qm->mid, qm->ni, qm->ni_len, qm->nr,
	    qm->nr_len, hash, sizeof(hash)) == -1 ||
	    !ike_ct_equal(hash, hd.data, hlen)) {
		ikd_peer_error(ctx, qm->tag, "QM3: HASH(3) mismatch, dropped");
		return;
	}
	if (ike_ivs_set(sa->ivs, qm->mid, &next) == -1)
		return;
	ike_sa_rebind(sa, &pkt->path);
	if (install(qm) == -1) {
		logt_warnx(qm->tag, "Quick Mode done but the ESP SAs could "
		    "not be installed");
		quick_free(qm);
		return;
	}
	qm_set_state(qm, IKE_QM_DONE);
	ctx->ctr.qm_done++;
	if (qm->commit)
		send_connected(qm);
	ike_secret_free(qm->gqmxy);
	qm->gqmxy = NULL;
	if (qm->timer != NULL)
		(void)ev_timer_arm(qm->timer, IKD_QM_TIMEOUT_MS);
}

void
quick_recv(struct ike_sa *sa, struct ike_qm *qm, const struct ikd_pkt *pkt,
    const struct isakmp_hdr *h)
{
	if (qm == NULL) {
		recv_qm1(sa, pkt, h);
		return;
	}
	switch (qm->state) {
	case IKE_QM_R1:
		recv_qm3(qm, pkt, h);
		return;
	case IKE_QM_DONE:
		break;
	}
	ikd_peer_error(sa->ikd, qm->tag, "got Quick Mode message in state "
	    "%s, dropped", ike_qm_state_name(qm->state));
}
