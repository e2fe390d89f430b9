/*
 * info.c - Informational exchanges (RFC 2408 4.8, 5.15; RFC 2409 5.7):
 * protected notifies and deletes, in both directions, and the DPD
 * responder (RFC 3706: R-U-THERE -> R-U-THERE-ACK).
 *
 * Each Informational has its own M-ID and so its own IV chain, derived
 * from the last phase 1 block (RFC 2409 Appendix B); it is dropped once
 * the message is handled.
 *
 * XXX we never send R-U-THERE ourselves (ike.dpd_delay): liveness of
 * Windows peers, which do not announce DPD, comes from L2TP/PPP anyway.
 */
#include <openssl/rand.h>

#include <string.h>

#include "ikd/ikd.h"
#include "lib/buf.h"
#include "lib/log.h"

/* A fresh non-zero M-ID not used by a running Quick Mode. */
static int
new_mid(struct ike_sa *sa, uint32_t *mid)
{
	uint8_t b[4];

	do {
		if (RAND_bytes(b, sizeof(b)) != 1)
			return -1;
		*mid = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
		    (uint32_t)b[2] << 8 | b[3];
	} while (*mid == 0 || quick_lookup(sa, *mid) != NULL);
	return 0;
}

/*
 * HDR*, HASH(1), <payload> (RFC 2409 5.7) being built: info_begin puts an
 * empty HASH(1) first, the caller adds its payload, info_send fills in
 * the hash and sends it under a fresh message ID.
 */
struct info_out {
	uint8_t			out[512];
	struct wbuf		w;
	struct isakmp_builder	b;
	size_t			hoff;
	uint32_t		mid;
};

static int
info_begin(struct ike_sa *sa, struct info_out *o)
{
	if (sa->keys == NULL || sa->state != IKE_SA_ESTABLISHED ||
	    new_mid(sa, &o->mid) == -1)
		return -1;
	wbuf_init(&o->w, o->out, sizeof(o->out));
	isakmp_builder_init(&o->b, &o->w, NULL);
	o->hoff = isakmp_build_data(&o->b, ISAKMP_PAYLOAD_HASH, NULL,
	    ike_keys_hash_len(sa->keys));
	return 0;
}

static int
info_send(struct ike_sa *sa, struct info_out *o)
{
	uint8_t hash[IKE_HASH_MAX];
	size_t hlen = ike_keys_hash_len(sa->keys), len;
	int rc;

	if (!isakmp_builder_finish(&o->b, &len))
		return -1;
	if (ike_info_hash(sa->keys, o->mid, o->out + o->hoff + hlen,
	    len - o->hoff - hlen, hash, sizeof(hash)) == -1)
		return -1;
	memcpy(o->out + o->hoff, hash, hlen);
	rc = exchange_seal_send(sa, ISAKMP_EXCH_INFO, 0, o->mid, o->b.first,
	    o->out, len, NULL);
	ike_ivs_drop(sa->ivs, o->mid);
	return rc;
}

int
info_send_notify(struct ike_sa *sa, uint16_t type, uint8_t protocol,
    const uint8_t *spi, size_t spi_len, const uint8_t *data, size_t len)
{
	struct info_out o;
	struct isakmp_notify n;

	if (info_begin(sa, &o) == -1)
		return -1;
	memset(&n, 0, sizeof(n));
	n.doi = ISAKMP_DOI_IPSEC;
	n.protocol = protocol;
	n.spi_size = (uint8_t)spi_len;
	n.spi = spi;
	n.type = type;
	n.data = data;
	n.len = len;
	isakmp_build_notify(&o.b, &n);
	logt_debug(sa->tag, "sending notify %s", isakmp_notify_name(type));
	return info_send(sa, &o);
}

int
info_send_delete(struct ike_sa *sa, uint8_t protocol, const uint8_t *spis,
    size_t spi_size, size_t count)
{
	struct info_out o;
	struct isakmp_delete d;

	if (info_begin(sa, &o) == -1)
		return -1;
	memset(&d, 0, sizeof(d));
	d.doi = ISAKMP_DOI_IPSEC;
	d.protocol = protocol;
	d.spi_size = (uint8_t)spi_size;
	d.count = (uint16_t)count;
	d.spis = spis;
	isakmp_build_delete(&o.b, &d);
	logt_debug(sa->tag, "sending Delete (%s, %zu SPI(s))",
	    isakmp_ipsec_proto_name(protocol), count);
	return info_send(sa, &o);
}

static void
recv_notify(struct ike_sa *sa, const struct isakmp_notify *n)
{
	switch (n->type) {
	case ISAKMP_N_R_U_THERE:
		/* RFC 3706 5: echo the sequence number in an ACK */
		if (n->protocol != IPSEC_PROTO_ISAKMP || n->len != 4 ||
		    n->spi_size != 2 * ISAKMP_COOKIE_LEN) {
			ikd_peer_error(sa->ikd, sa->tag, "malformed R-U-THERE");
			return;
		}
		logt_debug(sa->tag, "DPD R-U-THERE, answering");
		(void)info_send_notify(sa, ISAKMP_N_R_U_THERE_ACK,
		    IPSEC_PROTO_ISAKMP, n->spi, n->spi_size, n->data, n->len);
		return;
	case ISAKMP_N_R_U_THERE_ACK:
		logt_debug(sa->tag, "DPD R-U-THERE-ACK (not asked), ignored");
		return;
	case ISAKMP_N_INITIAL_CONTACT:
		/* RFC 2407 4.6.3.3 */
		ike_sa_initial_contact(sa);
		return;
	default:
		logt_info(sa->tag, "peer notify %s (%u)",
		    isakmp_notify_name(n->type), n->type);
		return;
	}
}

/* Returns true when sa itself was deleted (stop using it). */
static bool
recv_delete(struct ike_sa *sa, const struct isakmp_delete *d)
{
	struct ike_child *ch;
	const uint8_t *s;
	uint32_t spi;
	size_t i;

	switch (d->protocol) {
	case IPSEC_PROTO_ISAKMP:
		/* RFC 2408 3.15: the SPI is CKY-I | CKY-R */
		for (i = 0; i < d->count; i++) {
			s = d->spis + i * d->spi_size;
			if (d->spi_size == 2 * ISAKMP_COOKIE_LEN &&
			    memcmp(s, sa->icookie, ISAKMP_COOKIE_LEN) == 0 &&
			    memcmp(s + ISAKMP_COOKIE_LEN, sa->rcookie,
			    ISAKMP_COOKIE_LEN) == 0) {
				ike_sa_delete(sa, false, "deleted by the peer");
				return true;
			}
		}
		ikd_peer_error(sa->ikd, sa->tag, "Delete of another ISAKMP "
		    "SA ignored");
		return false;
	case IPSEC_PROTO_ESP:
		if (d->spi_size != 4)
			break;
		for (i = 0; i < d->count; i++) {
			s = d->spis + i * 4;
			spi = (uint32_t)s[0] << 24 | (uint32_t)s[1] << 16 |
			    (uint32_t)s[2] << 8 | s[3];
			/* the peer names its inbound SA: our outbound */
			if ((ch = ike_child_lookup_out(sa->ikd, sa, spi)) ==
			    NULL) {
				logt_debug(sa->tag, "Delete of unknown ESP SPI "
				    "0x%08x", spi);
				continue;
			}
			ike_child_delete(ch, "deleted by the peer");
		}
		return false;
	default:
		break;
	}
	ikd_peer_error(sa->ikd, sa->tag, "Delete for protocol %s ignored",
	    isakmp_ipsec_proto_name(d->protocol));
	return false;
}

void
info_recv(struct ike_sa *sa, const struct ikd_pkt *pkt,
    const struct isakmp_hdr *h)
{
	struct ikd *ctx = sa->ikd;
	uint8_t plain[IKD_MSG_MAX], hash[IKE_HASH_MAX];
	size_t hlen = ike_keys_hash_len(sa->keys), end;
	const struct isakmp_payload *pl;
	struct isakmp_msg msg;
	struct isakmp_data hd;
	struct isakmp_notify n;
	struct isakmp_delete d;
	struct ike_iv next;
	const char *why;
	bool isakmp_delete = false;

	if (h->msgid == 0 || quick_lookup(sa, h->msgid) != NULL) {
		ikd_peer_error(ctx, sa->tag, "Informational with M-ID 0x%08x "
		    "(0 or in use)", h->msgid);
		return;
	}
	if (exchange_open(sa, pkt, h, plain, sizeof(plain), &msg,
	    &next) == -1) {
		ike_ivs_drop(sa->ivs, h->msgid);
		return;
	}
	ike_ivs_drop(sa->ivs, h->msgid);
	if (exchange_check(EXCH_INFO, &msg, &why) != 0 || msg.npl < 2) {
		ikd_peer_error(ctx, sa->tag, "Informational: %s",
		    why != NULL ? why : "no notify or delete");
		return;
	}
	end = msg.pl[msg.npl - 1].offset + msg.pl[msg.npl - 1].length;
	/* RFC 2409 5.7: HASH(1) = prf(SKEYID_a, M-ID | N/D) */
	if (isakmp_data_parse(&msg.pl[0].body, ISAKMP_PAYLOAD_HASH,
	    &hd) != ISAKMP_OK || hd.len != hlen ||
	    ike_info_hash(sa->keys, h->msgid, plain + msg.pl[1].offset,
	    end - msg.pl[1].offset, hash, sizeof(hash)) == -1 ||
	    !ike_ct_equal(hash, hd.data, hlen)) {
		ikd_peer_error(ctx, sa->tag, "Informational: HASH(1) "
		    "mismatch, dropped");
		return;
	}
	ike_sa_rebind(sa, &pkt->path);
	for (pl = isakmp_msg_first(&msg, ISAKMP_PAYLOAD_N); pl != NULL;
	    pl = isakmp_msg_next(&msg, pl)) {
		if (isakmp_notify_parse(&pl->body, &n) != ISAKMP_OK) {
			ikd_peer_error(ctx, sa->tag, "malformed notify");
			continue;
		}
		recv_notify(sa, &n);
	}
	/* ESP deletes first: an ISAKMP delete frees sa */
	for (pl = isakmp_msg_first(&msg, ISAKMP_PAYLOAD_D); pl != NULL;
	    pl = isakmp_msg_next(&msg, pl)) {
		if (isakmp_delete_parse(&pl->body, &d) != ISAKMP_OK) {
			ikd_peer_error(ctx, sa->tag, "malformed Delete");
			continue;
		}
		if (d.protocol == IPSEC_PROTO_ISAKMP)
			isakmp_delete = true;
		else
			(void)recv_delete(sa, &d);
	}
	if (!isakmp_delete)
		return;
	for (pl = isakmp_msg_first(&msg, ISAKMP_PAYLOAD_D); pl != NULL;
	    pl = isakmp_msg_next(&msg, pl))
		if (isakmp_delete_parse(&pl->body, &d) == ISAKMP_OK &&
		    d.protocol == IPSEC_PROTO_ISAKMP && recv_delete(sa, &d))
			return;
}
