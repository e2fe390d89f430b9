/*
 * exchange.c - the IKEv1 exchanges as data, and the dispatcher.
 *
 * Each step of an exchange we answer has a table of the payloads it may
 * carry (with counts); anything else is refused before a handler runs
 * (STYLE 6, RFC 2408 5.1-5.3). The dispatcher (ikd_input) does, in order:
 * NAT-T keepalive -> header -> SA lookup by cookies -> duplicate of the
 * last request (resend our last answer, RFC 2408 5 / RFC 2409 5: never
 * process twice) -> the exchange handler.
 *
 * XXX we never retransmit on our own (no responder timer): a lost answer
 * is resent when the initiator resends its request, which every IKEv1
 * initiator does.
 */
#include <sys/socket.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ikd/cert.h"
#include "ikd/ikd.h"
#include "lib/buf.h"
#include "lib/ev.h"
#include "lib/log.h"

/* One payload type a step allows, with its count range. */
struct exchange_rule {
	uint8_t type;
	uint8_t min;
	uint8_t max;
};

struct exchange_table {
	const char *name;
	bool hash_first;	/* RFC 2409 5.5, 5.7: HASH right after HDR */
	const struct exchange_rule *rules;
	size_t nrules;
};

#define NRULES(r)	(sizeof(r) / sizeof((r)[0]))

/* RFC 2409 5.4: HDR, SA [, VID...] */
static const struct exchange_rule mm1_rules[] = {
	{ ISAKMP_PAYLOAD_SA, 1, 1 },
	{ ISAKMP_PAYLOAD_VID, 0, 16 },
	{ ISAKMP_PAYLOAD_N, 0, 4 },
};
/* RFC 2409 5.4 + RFC 3947 3: HDR, KE, Ni [, NAT-D, NAT-D...] [, VID] */
static const struct exchange_rule mm3_rules[] = {
	{ ISAKMP_PAYLOAD_KE, 1, 1 },
	{ ISAKMP_PAYLOAD_NONCE, 1, 1 },
	{ ISAKMP_PAYLOAD_NAT_D, 0, 8 },
	{ ISAKMP_PAYLOAD_NAT_D_DRAFT, 0, 8 },
	{ ISAKMP_PAYLOAD_VID, 0, 16 },
	/* a CERTREQ per trusted CA (Windows may list many) */
	{ ISAKMP_PAYLOAD_CR, 0, 32 },
};
/* RFC 2409 5.4: HDR*, IDii, HASH_I [, N(INITIAL-CONTACT)] [, VID] */
static const struct exchange_rule mm5_rules[] = {
	{ ISAKMP_PAYLOAD_ID, 1, 1 },
	{ ISAKMP_PAYLOAD_HASH, 1, 1 },
	{ ISAKMP_PAYLOAD_N, 0, 4 },
	{ ISAKMP_PAYLOAD_VID, 0, 8 },
	{ ISAKMP_PAYLOAD_CERT, 0, 0 },
};
/* RFC 2409 5.1: HDR*, IDii, [CERT, ...] SIG_I [, CR] [, N] [, VID] */
static const struct exchange_rule mm5_sig_rules[] = {
	{ ISAKMP_PAYLOAD_ID, 1, 1 },
	{ ISAKMP_PAYLOAD_SIG, 1, 1 },
	{ ISAKMP_PAYLOAD_CERT, 0, IKD_CERT_MAX_PEER },
	{ ISAKMP_PAYLOAD_CR, 0, 32 },
	{ ISAKMP_PAYLOAD_N, 0, 4 },
	{ ISAKMP_PAYLOAD_VID, 0, 8 },
};
/*
 * RFC 2409 5.5: HDR*, HASH(1), SA, Ni [, KE] [, IDci, IDcr]
 * + RFC 3947 5.2: NAT-OAi, NAT-OAr (draft: one NAT-OA, 131).
 */
static const struct exchange_rule qm1_rules[] = {
	{ ISAKMP_PAYLOAD_HASH, 1, 1 },
	{ ISAKMP_PAYLOAD_SA, 1, 1 },
	{ ISAKMP_PAYLOAD_NONCE, 1, 1 },
	{ ISAKMP_PAYLOAD_KE, 0, 1 },
	{ ISAKMP_PAYLOAD_ID, 0, 2 },
	{ ISAKMP_PAYLOAD_NAT_OA, 0, 2 },
	{ ISAKMP_PAYLOAD_NAT_OA_DRAFT, 0, 2 },
	{ ISAKMP_PAYLOAD_N, 0, 4 },
};
/* RFC 2409 5.5: HDR*, HASH(3) */
static const struct exchange_rule qm3_rules[] = {
	{ ISAKMP_PAYLOAD_HASH, 1, 1 },
};
/* RFC 2409 5.7: HDR*, HASH(1), N/D */
static const struct exchange_rule info_rules[] = {
	{ ISAKMP_PAYLOAD_HASH, 1, 1 },
	{ ISAKMP_PAYLOAD_N, 0, 4 },
	{ ISAKMP_PAYLOAD_D, 0, 4 },
};

static const struct exchange_table tables[EXCH_STEP_COUNT] = {
	[EXCH_MM1] = { "MM1", false, mm1_rules, NRULES(mm1_rules) },
	[EXCH_MM3] = { "MM3", false, mm3_rules, NRULES(mm3_rules) },
	[EXCH_MM5] = { "MM5", false, mm5_rules, NRULES(mm5_rules) },
	[EXCH_MM5_SIG] = { "MM5", false, mm5_sig_rules,
	    NRULES(mm5_sig_rules) },
	[EXCH_QM1] = { "QM1", true, qm1_rules, NRULES(qm1_rules) },
	[EXCH_QM3] = { "QM3", true, qm3_rules, NRULES(qm3_rules) },
	[EXCH_INFO] = { "INFO", true, info_rules, NRULES(info_rules) },
};

const char *
exchange_step_name(enum exchange_step step)
{
	if (step >= EXCH_STEP_COUNT)
		return "unknown";
	return tables[step].name;
}

int
exchange_check(enum exchange_step step, const struct isakmp_msg *msg,
    const char **why)
{
	const struct exchange_table *t;
	size_t i, allowed = 0;

	if (step >= EXCH_STEP_COUNT) {
		*why = "no such step";
		return ISAKMP_N_INVALID_EXCHANGE_TYPE;
	}
	t = &tables[step];
	if (msg->unknown > 0) {
		*why = "unknown payload type";
		return ISAKMP_N_INVALID_PAYLOAD_TYPE;
	}
	if (t->hash_first && (msg->npl == 0 ||
	    msg->pl[0].type != ISAKMP_PAYLOAD_HASH)) {
		*why = "HASH is not the first payload";
		return ISAKMP_N_INVALID_PAYLOAD_TYPE;
	}
	for (i = 0; i < t->nrules; i++) {
		if (msg->count[t->rules[i].type] < t->rules[i].min) {
			*why = "a required payload is missing";
			return ISAKMP_N_PAYLOAD_MALFORMED;
		}
		if (msg->count[t->rules[i].type] > t->rules[i].max) {
			*why = "too many payloads of one type";
			return ISAKMP_N_PAYLOAD_MALFORMED;
		}
		allowed += msg->count[t->rules[i].type];
	}
	/* RFC 2408 5.1: a payload type the step does not list */
	if (allowed != msg->npl) {
		*why = "a payload this message may not carry";
		return ISAKMP_N_INVALID_PAYLOAD_TYPE;
	}
	*why = NULL;
	return 0;
}

void
ikd_peer_error(struct ikd *ctx, const char *tag, const char *fmt, ...)
{
	char line[256];
	unsigned int suppressed = 0;
	va_list ap;

	ctx->ctr.malformed++;
	if (!log_ratelimit_ok(&ctx->rl, 20, 10, &suppressed))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (suppressed > 0)
		logt_debug(tag, "%s (%u similar lines suppressed)", line,
		    suppressed);
	else
		logt_debug(tag, "%s", line);
}

/*
 * IKE fragmentation (frag.h, ikd.h exchange_send): the data bytes per
 * fragment to send msg[0..len) to sa's peer with, or 0 to send it whole.
 */
static size_t
frag_send_size(const struct ike_sa *sa, const uint8_t *msg, size_t len)
{
	struct isakmp_hdr h;
	struct rbuf r;
	size_t per = 0, mirror;

	rbuf_init(&r, msg, len);
	if (isakmp_hdr_parse(&r, &h) != ISAKMP_OK)
		return 0;
	/*
	 * Never MM2 (our answer to MM1: clear, SA first; the state is still
	 * MM_R1 when MM4 goes out): Windows takes fragments only when it
	 * expects a certificate (windows-client.md 1.6).
	 */
	if (h.exchange == ISAKMP_EXCH_IDPROT &&
	    (h.flags & ISAKMP_FLAG_ENC) == 0 && h.next == ISAKMP_PAYLOAD_SA)
		return 0;
	if ((sa->vids & (UINT32_C(1) << ISAKMP_VID_FRAGMENTATION)) != 0 &&
	    len > IKD_FRAG_SEND_THRESHOLD)
		per = IKD_FRAG_SEND_THRESHOLD - ISAKMP_HDR_LEN -
		    FRAG_PAYLOAD_HDR_LEN;
	/* the peer fragmented towards us: it wants fragments that small */
	if (sa->peer_frag_max > 0) {
		mirror = sa->peer_frag_max > IKD_FRAG_MIN_DATA ?
		    sa->peer_frag_max : IKD_FRAG_MIN_DATA;
		if (len > mirror && (per == 0 || mirror < per))
			per = mirror;
	}
	return per;
}

/*
 * The stored last answer of sa or of one of its Quick Modes that holds
 * exactly msg[0..len) (we are resending it, or sending it the first
 * time right after storing it), or NULL.
 */
static struct ikd_msgbuf *
stored_answer(struct ike_sa *sa, const uint8_t *msg, size_t len)
{
	struct ike_qm *qm;

	if (ikd_msgbuf_eq(&sa->last_resp, msg, len))
		return &sa->last_resp;
	TAILQ_FOREACH(qm, &sa->qms, link)
		if (ikd_msgbuf_eq(&qm->last_resp, msg, len))
			return &qm->last_resp;
	return NULL;
}

/* Send msg as fragments of per data bytes (frag_send_size). */
static int
send_fragments(struct ike_sa *sa, const uint8_t *msg, size_t len,
    size_t per)
{
	uint8_t buf[IKD_MSG_MAX + FRAG_MAX_FRAGS *
	    (ISAKMP_HDR_LEN + FRAG_PAYLOAD_HDR_LEN)];
	size_t off[FRAG_MAX_FRAGS + 1], n, i;
	struct ikd *ctx = sa->ikd;
	struct ikd_msgbuf *keep;
	uint16_t id;

	if (len > IKD_MSG_MAX) {
		logt_warnx(sa->tag, "message too large to fragment (%zu)",
		    len);
		return -1;
	}
	/* at most FRAG_MAX_FRAGS fragments: larger ones if need be */
	if ((len + per - 1) / per > FRAG_MAX_FRAGS)
		per = (len + FRAG_MAX_FRAGS - 1) / FRAG_MAX_FRAGS;
	/* a new ID per message; a resent message keeps its own (frag.h) */
	keep = stored_answer(sa, msg, len);
	if (keep != NULL && keep->frag_id != 0)
		id = keep->frag_id;
	else {
		if (++sa->frag_id == 0)
			sa->frag_id = 1;
		id = sa->frag_id;
		if (keep != NULL)
			keep->frag_id = id;
	}
	/* frag.h: fragments are ID_PROT whatever they carry (no Aggressive) */
	if (!frag_split(msg, len, id, ISAKMP_EXCH_IDPROT,
	    per + ISAKMP_HDR_LEN + FRAG_PAYLOAD_HDR_LEN, buf, sizeof(buf), off,
	    &n)) {
		logt_warnx(sa->tag, "cannot split a %zu-byte message into "
		    "fragments", len);
		return -1;
	}
	logt_debug(sa->tag, "-> %zu fragments of %zu bytes (fragment id %u, "
	    "message %zu bytes)%s", n, per + ISAKMP_HDR_LEN +
	    FRAG_PAYLOAD_HDR_LEN, id, len, sa->path.natt ? " (NAT-T)" : "");
	ctx->ctr.frag_msgs_out++;
	for (i = 0; i < n; i++) {
		if (ctx->send(ctx->send_arg, &sa->path, buf + off[i],
		    off[i + 1] - off[i]) == -1)
			return -1;
		ctx->ctr.tx++;
		ctx->ctr.frag_out++;
	}
	return 0;
}

int
exchange_send(struct ike_sa *sa, const uint8_t *msg, size_t len)
{
	struct ikd *ctx = sa->ikd;
	size_t per;

	if ((per = frag_send_size(sa, msg, len)) > 0)
		return send_fragments(sa, msg, len, per);
	logt_debug(sa->tag, "-> %zu bytes%s", len,
	    sa->path.natt ? " (NAT-T)" : "");
	if (ctx->send(ctx->send_arg, &sa->path, msg, len) == -1)
		return -1;
	ctx->ctr.tx++;
	return 0;
}

int
exchange_open(struct ike_sa *sa, const struct ikd_pkt *pkt,
    const struct isakmp_hdr *h, uint8_t *plain, size_t cap,
    struct isakmp_msg *msg, struct ike_iv *next)
{
	struct ike_iv iv;
	size_t len = pkt->len - ISAKMP_HDR_LEN;
	enum isakmp_err err;

	if ((h->flags & ISAKMP_FLAG_ENC) == 0) {
		ikd_peer_error(sa->ikd, sa->tag, "%s message 0x%08x not "
		    "encrypted", isakmp_exchange_name(h->exchange), h->msgid);
		return -1;
	}
	if (sa->keys == NULL || len > cap || len == 0 ||
	    ike_ivs_get(sa->ivs, h->msgid, &iv) == -1 ||
	    ike_cbc_decrypt(sa->keys->cbc, &iv, pkt->data + ISAKMP_HDR_LEN,
	    len, plain, cap, next) == -1) {
		ikd_peer_error(sa->ikd, sa->tag, "cannot decrypt %s message "
		    "0x%08x (%zu bytes)", isakmp_exchange_name(h->exchange),
		    h->msgid, len);
		return -1;
	}
	err = isakmp_payloads_parse(plain, len, h->next, true, msg);
	if (err != ISAKMP_OK) {
		ikd_peer_error(sa->ikd, sa->tag, "%s message 0x%08x: %s "
		    "(payload %s at %zu)", isakmp_exchange_name(h->exchange),
		    h->msgid, isakmp_err_name(err),
		    isakmp_payload_name(msg->fail_type), msg->fail_offset);
		return -1;
	}
	return 0;
}

int
exchange_seal_send(struct ike_sa *sa, uint8_t exchange, uint8_t flags,
    uint32_t mid, uint8_t first, const uint8_t *plain, size_t len,
    struct ikd_msgbuf *keep)
{
	uint8_t out[IKD_MSG_MAX];
	struct isakmp_hdr h;
	struct ike_iv iv, next;
	struct wbuf w;
	size_t clen;

	if (ike_ivs_get(sa->ivs, mid, &iv) == -1)
		return -1;
	if (ike_cbc_padded_len(sa->keys->cbc, len) + ISAKMP_HDR_LEN >
	    sizeof(out)) {
		logt_warnx(sa->tag, "message too large to send (%zu)", len);
		return -1;
	}
	if (ike_cbc_encrypt(sa->keys->cbc, &iv, plain, len,
	    out + ISAKMP_HDR_LEN, sizeof(out) - ISAKMP_HDR_LEN, &clen,
	    &next) == -1)
		return -1;
	memset(&h, 0, sizeof(h));
	memcpy(h.icookie, sa->icookie, ISAKMP_COOKIE_LEN);
	memcpy(h.rcookie, sa->rcookie, ISAKMP_COOKIE_LEN);
	h.next = first;
	h.version = ISAKMP_VERSION;
	h.exchange = exchange;
	h.flags = flags | ISAKMP_FLAG_ENC;
	h.msgid = mid;
	h.length = (uint32_t)(ISAKMP_HDR_LEN + clen);
	wbuf_init(&w, out, ISAKMP_HDR_LEN);
	isakmp_hdr_build(&w, &h);
	if (!wbuf_ok(&w))
		return -1;
	/* RFC 2409 App. B: the last cipher block is the next IV */
	if (ike_ivs_set(sa->ivs, mid, &next) == -1)
		return -1;
	if (keep != NULL && ikd_msgbuf_set(keep, out, h.length) == -1) {
		sa->ikd->ctr.alloc_failed++;
		ikd_msgbuf_clear(keep);
	}
	return exchange_send(sa, out, h.length);
}

void
exchange_notify_plain(struct ikd *ctx, const struct ikd_pkt *pkt,
    const struct isakmp_hdr *rh, uint16_t type)
{
	uint8_t out[256];
	struct isakmp_builder b;
	struct isakmp_notify n;
	struct isakmp_hdr h;
	struct wbuf w;
	size_t len;

	/* RFC 2408 5: an unprotected Informational, M-ID 0 */
	memset(&h, 0, sizeof(h));
	memcpy(h.icookie, rh->icookie, ISAKMP_COOKIE_LEN);
	memcpy(h.rcookie, rh->rcookie, ISAKMP_COOKIE_LEN);
	h.version = ISAKMP_VERSION;
	h.exchange = ISAKMP_EXCH_INFO;
	wbuf_init(&w, out, sizeof(out));
	isakmp_builder_init(&b, &w, &h);
	memset(&n, 0, sizeof(n));
	n.doi = ISAKMP_DOI_IPSEC;
	n.protocol = IPSEC_PROTO_ISAKMP;
	n.type = type;
	isakmp_build_notify(&b, &n);
	if (!isakmp_builder_finish(&b, &len))
		return;
	if (ctx->send(ctx->send_arg, &pkt->path, out, len) == 0)
		ctx->ctr.tx++;
}

/* A duplicate of the request we last answered: send the answer again. */
static bool
resend_if_dup(struct ike_sa *sa, const struct ikd_msgbuf *req,
    const struct ikd_msgbuf *resp, const struct ikd_pkt *pkt,
    const char *what)
{
	if (!ikd_msgbuf_eq(req, pkt->data, pkt->len))
		return false;
	sa->ikd->ctr.retransmits++;
	if (resp->p == NULL) {
		logt_debug(sa->tag, "duplicate %s, nothing to resend", what);
		return true;
	}
	logt_debug(sa->tag, "duplicate %s, resending our answer", what);
	(void)exchange_send(sa, resp->p, resp->len);
	return true;
}

/* A message of sa reassembled from fragments: remember their size. */
static void
note_peer_frag(struct ike_sa *sa, const struct ikd_pkt *pkt)
{
	if (pkt->frag_max <= sa->peer_frag_max)
		return;
	if (sa->peer_frag_max == 0)
		logt_debug(sa->tag, "peer fragments its messages (%zu bytes "
		    "of data per fragment): ours to it will be too",
		    pkt->frag_max);
	sa->peer_frag_max = pkt->frag_max;
}

static void
input_idprot(struct ikd *ctx, const struct ikd_pkt *pkt,
    const struct isakmp_hdr *h, const char *src)
{
	static const uint8_t zero[ISAKMP_COOKIE_LEN];
	struct ike_sa *sa;

	if (h->msgid != 0) {
		ikd_peer_error(ctx, src, "Main Mode with message ID 0x%08x",
		    h->msgid);
		return;
	}
	if (memcmp(h->rcookie, zero, sizeof(zero)) == 0) {
		/* RFC 2408 3.1: MM1 has a zero responder cookie */
		if ((sa = ike_sa_lookup_mm1(ctx, h->icookie,
		    &pkt->path.remote)) != NULL) {
			/* a resent MM1: answered in MM_R1, late otherwise */
			if (sa->state == IKE_SA_MM_R1 && resend_if_dup(sa,
			    &sa->last_req, &sa->last_resp, pkt, "MM1"))
				return;
			logt_debug(sa->tag, "MM1 with this SA's cookie in "
			    "state %s, ignored", ike_sa_state_name(sa->state));
			return;
		}
		if ((sa = ike_sa_new(ctx, pkt, h->icookie)) == NULL)
			return;
		note_peer_frag(sa, pkt);
		phase1_recv_mm1(sa, pkt, h);
		return;
	}
	if ((sa = ike_sa_lookup(ctx, h->icookie, h->rcookie)) == NULL) {
		ctx->ctr.unknown_sa++;
		ikd_peer_error(ctx, src, "Main Mode message for an unknown "
		    "SA (cookies %02x%02x%02x%02x...)", h->icookie[0],
		    h->icookie[1], h->icookie[2], h->icookie[3]);
		return;
	}
	note_peer_frag(sa, pkt);
	if (resend_if_dup(sa, &sa->last_req, &sa->last_resp, pkt,
	    "Main Mode message"))
		return;
	phase1_recv(sa, pkt, h);
}

static void
input_quick(struct ikd *ctx, const struct ikd_pkt *pkt,
    const struct isakmp_hdr *h, const char *src)
{
	struct ike_sa *sa;
	struct ike_qm *qm;

	if ((sa = ike_sa_lookup(ctx, h->icookie, h->rcookie)) == NULL) {
		ctx->ctr.unknown_sa++;
		ikd_peer_error(ctx, src, "Quick Mode for an unknown SA");
		return;
	}
	note_peer_frag(sa, pkt);
	if (sa->state != IKE_SA_ESTABLISHED) {
		ikd_peer_error(ctx, sa->tag, "got Quick Mode in state %s",
		    ike_sa_state_name(sa->state));
		return;
	}
	if (h->msgid == 0) {
		/* RFC 2409 5.5: the M-ID of a Quick Mode is never zero */
		ikd_peer_error(ctx, sa->tag, "Quick Mode with M-ID 0");
		return;
	}
	qm = quick_lookup(sa, h->msgid);
	if (qm != NULL && resend_if_dup(sa, &qm->last_req, &qm->last_resp,
	    pkt, "Quick Mode message"))
		return;
	quick_recv(sa, qm, pkt, h);
}

static void
input_info(struct ikd *ctx, const struct ikd_pkt *pkt,
    const struct isakmp_hdr *h, const char *src)
{
	struct ike_sa *sa;

	if ((sa = ike_sa_lookup(ctx, h->icookie, h->rcookie)) == NULL) {
		ctx->ctr.unknown_sa++;
		ikd_peer_error(ctx, src, "Informational for an unknown SA");
		return;
	}
	note_peer_frag(sa, pkt);
	if (sa->state != IKE_SA_ESTABLISHED ||
	    (h->flags & ISAKMP_FLAG_ENC) == 0) {
		/*
		 * RFC 2408 5: unprotected notifies (a refusal of our MM
		 * answer) are logged, never acted on.
		 */
		ikd_peer_error(ctx, sa->tag, "unprotected Informational in "
		    "state %s ignored", ike_sa_state_name(sa->state));
		return;
	}
	info_recv(sa, pkt, h);
}

/*
 * [MS-IKEE] / Cisco IKE fragmentation: feed the fragment to the
 * reassembly table; a complete message goes through ikd_input like any
 * datagram from the same path (it cannot be a fragment again, frag.h).
 */
static void input_dgram(struct ikd *, const struct ikd_pkt *);

/*
 * Arm the reassembly timer for the oldest partial message, or disarm it
 * when there is none.
 */
static void
frag_timer_arm(struct ikd *ctx)
{
	uint64_t ms;

	if (ctx->frag_timer == NULL)
		return;
	if (!frag_next_expiry(ctx->frag, &ms))
		ev_timer_disarm(ctx->frag_timer);
	else if (ev_timer_arm(ctx->frag_timer, ms) == -1)
		log_warnx("cannot arm the IKE fragment reassembly timer");
}

/* Partial messages time out even when nothing else arrives. */
static void
frag_timer_cb(void *arg)
{
	struct ikd *ctx = arg;

	frag_expire(ctx->frag);
	frag_timer_arm(ctx);
}

static int
frag_start(struct ikd *ctx)
{
	if ((ctx->frag = frag_table_new(IKD_MSG_MAX)) == NULL) {
		ctx->ctr.alloc_failed++;
		return -1;
	}
	if (ctx->base != NULL && (ctx->frag_timer = ev_timer_new(ctx->base,
	    frag_timer_cb, ctx)) == NULL) {
		ctx->ctr.alloc_failed++;
		frag_table_free(ctx->frag);
		ctx->frag = NULL;
		return -1;
	}
	return 0;
}

static void
input_frag(struct ikd *ctx, const struct ikd_pkt *pkt)
{
	struct ikd_pkt whole;
	enum frag_result res;
	uint8_t *msg;
	size_t len;

	if (ctx->frag == NULL && frag_start(ctx) == -1)
		return;
	res = frag_recv(ctx->frag, &pkt->path.remote, pkt->data, pkt->len,
	    &msg, &len);
	frag_timer_arm(ctx);
	if (res != FRAG_DONE)
		return;
	whole = *pkt;
	whole.data = msg;
	whole.len = len;
	whole.frag_max = frag_last_max_data(ctx->frag);
	input_dgram(ctx, &whole);
	free(msg);
}

void
ikd_input(struct ikd *ctx, const struct ikd_pkt *pkt)
{
	ctx->ctr.rx++;
	/* RFC 3948 2.3: NAT-keepalive, one 0xFF byte */
	if (pkt->path.natt && pkt->len == 1 && pkt->data[0] == 0xff) {
		ctx->ctr.keepalives++;
		return;
	}
	input_dgram(ctx, pkt);
}

/* One ISAKMP message: a datagram, or a reassembled fragmented one. */
static void
input_dgram(struct ikd *ctx, const struct ikd_pkt *pkt)
{
	struct isakmp_hdr h;
	struct rbuf r;
	char src[IKD_TAG_MAX];
	enum isakmp_err err;

	sa_str(&pkt->path.remote, true, src, sizeof(src));
	rbuf_init(&r, pkt->data, pkt->len);
	if ((err = isakmp_hdr_parse(&r, &h)) != ISAKMP_OK) {
		ikd_peer_error(ctx, src, "bad ISAKMP header: %s (%zu bytes)",
		    isakmp_err_name(err), pkt->len);
		return;
	}
	if (pkt->len > IKD_MSG_MAX) {
		ikd_peer_error(ctx, src, "message too large (%zu)", pkt->len);
		return;
	}
	if (h.next == ISAKMP_PAYLOAD_FRAG) {
		ctx->ctr.frag_in++;
		logt_debug(src, "<- fragment, %zu bytes%s", pkt->len,
		    pkt->path.natt ? " (NAT-T)" : "");
		input_frag(ctx, pkt);
		return;
	}
	logt_debug(src, "<- %s M-ID 0x%08x flags 0x%02x, %zu bytes%s",
	    isakmp_exchange_name(h.exchange), h.msgid, h.flags, pkt->len,
	    pkt->path.natt ? " (NAT-T)" : "");
	switch (h.exchange) {
	case ISAKMP_EXCH_IDPROT:
		input_idprot(ctx, pkt, &h, src);
		return;
	case ISAKMP_EXCH_QUICK:
		input_quick(ctx, pkt, &h, src);
		return;
	case ISAKMP_EXCH_INFO:
		input_info(ctx, pkt, &h, src);
		return;
	default:
		/* Aggressive Mode, Transaction (XAUTH/mode-cfg), others */
		ikd_peer_error(ctx, src, "unsupported exchange %s (%u)",
		    isakmp_exchange_name(h.exchange), h.exchange);
		return;
	}
}
