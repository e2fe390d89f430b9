/*
 * reliable.c - RFC 2661 5.8 reliable delivery for one control connection.
 * See reliable.h for the contract and the policies.
 *
 * Send side: `inflight` holds the transmitted, unacknowledged messages in
 * Ns order (snd_una .. snd_nxt-1), `waiting` the ones without window room
 * yet (no Ns assigned). Receive side: a ring of RX_SLOTS slots indexed by
 * Ns; [rcv_head, rcv_nxt) are in-order messages not yet popped, slots past
 * rcv_nxt hold out-of-order ones. All sequence arithmetic is uint16_t
 * subtraction (serial numbers modulo 65536).
 */
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/ev.h"
#include "lib/log.h"

#include "l2tp_hdr.h"
#include "reliable.h"

/* Power of two, >= 2 * L2TP_REL_MAX_OUR_RWS: ready + out-of-order span. */
#define RX_SLOTS	128
#define NEVER		UINT64_MAX

struct rel_tx {
	TAILQ_ENTRY(rel_tx)	 entry;
	uint16_t		 ns;
	uint16_t		 session_id;
	size_t			 len;		/* header + body */
	uint8_t			 pkt[];
};
TAILQ_HEAD(rel_txq, rel_tx);

struct rel_rx {
	bool		 used;
	uint16_t	 ns;
	uint8_t		*body;
	size_t		 len;
};

struct l2tp_rel {
	struct l2tp_rel_params	 p;
	char			 tag[64];
	l2tp_rel_send_cb	*send_cb;
	l2tp_rel_dead_cb	*dead_cb;
	void			*arg;
	struct ev_timer		*timer;		/* NULL without a base */

	uint16_t		 peer_tid;
	uint16_t		 peer_rws;

	uint16_t		 snd_una;	/* oldest unacked Ns */
	uint16_t		 snd_nxt;	/* next Ns to assign */
	struct rel_txq		 inflight;
	struct rel_txq		 waiting;
	size_t			 ninflight;
	size_t			 nwaiting;
	struct ev_backoff	 backoff;
	uint64_t		 rtx_at;	/* retransmit/give up; NEVER */

	uint16_t		 rcv_head;	/* next Ns to pop */
	uint16_t		 rcv_nxt;	/* next Ns expected: our Nr */
	uint16_t		 rx_span;	/* max rcv span: 2 * our_rws */
	struct rel_rx		 rx[RX_SLOTS];
	uint64_t		 ack_at;	/* ZLB ACK due, or NEVER */

	bool			 dead;
	struct l2tp_rel_stats	 st;
};

static void rel_rearm(struct l2tp_rel *);

const char *
l2tp_rel_in_name(enum l2tp_rel_in in)
{
	switch (in) {
	case L2TP_REL_IN_DELIVER:
		return "deliver";
	case L2TP_REL_IN_ZLB:
		return "zlb";
	case L2TP_REL_IN_QUEUED:
		return "queued";
	case L2TP_REL_IN_DUPLICATE:
		return "duplicate";
	case L2TP_REL_IN_DROPPED:
		return "dropped";
	case L2TP_REL_IN_DEAD:
		return "dead";
	}
	return "?";
}

void
l2tp_rel_params_from_conf(struct l2tp_rel_params *p,
    const struct l2tp_conf *c)
{
	memset(p, 0, sizeof(*p));
	p->rto_initial_ms = c->retransmit_initial;
	p->rto_max_ms = c->retransmit_max;
	p->max_retries = c->retransmit_count;
	p->ack_delay_ms = 0;
	p->our_rws = (uint16_t)c->receive_window;
	p->max_queue = 8 + 2 * (size_t)c->max_sessions_per_tunnel;
}

static void
rel_timer_cb(void *arg)
{
	struct l2tp_rel *r = arg;

	/* tick re-arms; after DEAD the callee may free r */
	if (l2tp_rel_tick(r) == L2TP_REL_TICK_DEAD && r->dead_cb != NULL)
		r->dead_cb(r->arg);
}

struct l2tp_rel *
l2tp_rel_new(const struct l2tp_rel_params *params, struct event_base *base,
    l2tp_rel_send_cb *send_cb, l2tp_rel_dead_cb *dead_cb, void *arg,
    const char *tag)
{
	struct l2tp_rel *r;

	if (params->rto_initial_ms == 0 ||
	    params->rto_max_ms < params->rto_initial_ms ||
	    params->our_rws == 0 || params->our_rws > L2TP_REL_MAX_OUR_RWS ||
	    params->max_queue == 0 || send_cb == NULL) {
		log_warnx("%s: reliable delivery: bad parameters",
		    tag != NULL ? tag : "tun");
		return NULL;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		log_warn("%s: reliable delivery: calloc",
		    tag != NULL ? tag : "tun");
		return NULL;
	}
	r->p = *params;
	snprintf(r->tag, sizeof(r->tag), "%s", tag != NULL ? tag : "tun");
	r->send_cb = send_cb;
	r->dead_cb = dead_cb;
	r->arg = arg;
	r->peer_rws = L2TP_REL_DEFAULT_RWS;
	TAILQ_INIT(&r->inflight);
	TAILQ_INIT(&r->waiting);
	/* max_retries retransmissions: one delay per transmission */
	ev_backoff_init(&r->backoff, params->rto_initial_ms,
	    params->rto_max_ms, params->max_retries + 1);
	r->rtx_at = NEVER;
	r->ack_at = NEVER;
	r->rx_span = (uint16_t)(2 * params->our_rws);
	if (base != NULL &&
	    (r->timer = ev_timer_new(base, rel_timer_cb, r)) == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

static void
rel_txq_free(struct rel_txq *q)
{
	struct rel_tx *m;

	while ((m = TAILQ_FIRST(q)) != NULL) {
		TAILQ_REMOVE(q, m, entry);
		free(m);
	}
}

void
l2tp_rel_free(struct l2tp_rel *r)
{
	size_t i;

	if (r == NULL)
		return;
	ev_timer_free(r->timer);
	rel_txq_free(&r->inflight);
	rel_txq_free(&r->waiting);
	for (i = 0; i < RX_SLOTS; i++)
		free(r->rx[i].body);
	free(r);
}

void
l2tp_rel_set_peer_tunnel(struct l2tp_rel *r, uint16_t tid)
{
	r->peer_tid = tid;
}

/* (Re)write m's header with the current Nr and hand it to the wire. */
static void
rel_transmit(struct l2tp_rel *r, struct rel_tx *m)
{
	struct wbuf w;

	wbuf_init(&w, m->pkt, L2TP_CTRL_HDR_LEN);
	l2tp_ctrl_hdr_write(&w, m->len - L2TP_CTRL_HDR_LEN, r->peer_tid,
	    m->session_id, m->ns, r->rcv_nxt);
	/* the ack rides on this message */
	r->ack_at = NEVER;
	r->send_cb(r->arg, m->pkt, m->len);
}

static void
rel_send_zlb(struct l2tp_rel *r)
{
	uint8_t pkt[L2TP_CTRL_HDR_LEN];
	struct wbuf w;

	wbuf_init(&w, pkt, sizeof(pkt));
	/* RFC 2661 5.8: a ZLB carries the next Ns, which it does not use */
	l2tp_ctrl_hdr_write(&w, 0, r->peer_tid, 0, r->snd_nxt, r->rcv_nxt);
	r->ack_at = NEVER;
	r->st.zlb_sent++;
	logt_debug(r->tag, "ZLB ACK ns %u nr %u", r->snd_nxt, r->rcv_nxt);
	r->send_cb(r->arg, pkt, sizeof(pkt));
}

/* Restart the backoff: the oldest in-flight message waits rto_initial. */
static void
rel_restart_rtx(struct l2tp_rel *r, uint64_t now)
{
	uint64_t d;

	ev_backoff_reset(&r->backoff);
	if (r->ninflight == 0 || !ev_backoff_next(&r->backoff, &d)) {
		r->rtx_at = NEVER;
		return;
	}
	r->rtx_at = now + d;
}

/* Move waiting messages into the peer's window and send them. */
static void
rel_fill_window(struct l2tp_rel *r, uint64_t now)
{
	struct rel_tx *m;
	bool was_empty = r->ninflight == 0;

	while (r->ninflight < r->peer_rws &&
	    (m = TAILQ_FIRST(&r->waiting)) != NULL) {
		TAILQ_REMOVE(&r->waiting, m, entry);
		r->nwaiting--;
		m->ns = r->snd_nxt++;
		TAILQ_INSERT_TAIL(&r->inflight, m, entry);
		r->ninflight++;
		r->st.sent++;
		logt_debug(r->tag, "send ns %u nr %u len %zu", m->ns,
		    r->rcv_nxt, m->len);
		rel_transmit(r, m);
	}
	if (was_empty && r->ninflight > 0)
		rel_restart_rtx(r, now);
}

void
l2tp_rel_set_peer_rws(struct l2tp_rel *r, uint16_t rws)
{
	if (rws == 0) {
		logt_debug(r->tag, "peer Receive Window Size 0, using 1");
		rws = 1;
	}
	if (rws > L2TP_REL_MAX_PEER_RWS)
		rws = L2TP_REL_MAX_PEER_RWS;
	r->peer_rws = rws;
	if (!r->dead) {
		rel_fill_window(r, clock_mono_ms());
		rel_rearm(r);
	}
}

int
l2tp_rel_send(struct l2tp_rel *r, uint16_t session_id, const void *body,
    size_t len)
{
	struct rel_tx *m;

	if (r->dead) {
		logt_debug(r->tag, "send on a dead connection refused");
		return -1;
	}
	if (len == 0) {
		/* it would look like a ZLB and never be acknowledged */
		logt_warnx(r->tag, "empty control message refused");
		return -1;
	}
	if (len > L2TP_CTRL_BODY_MAX) {
		logt_warnx(r->tag, "control message of %zu bytes too long",
		    len);
		return -1;
	}
	if (r->ninflight + r->nwaiting >= r->p.max_queue) {
		logt_warnx(r->tag, "control send queue full (%zu messages)",
		    r->p.max_queue);
		return -1;
	}
	if ((m = malloc(sizeof(*m) + L2TP_CTRL_HDR_LEN + len)) == NULL) {
		logt_warn(r->tag, "control message: malloc");
		return -1;
	}
	m->session_id = session_id;
	m->ns = 0;
	m->len = L2TP_CTRL_HDR_LEN + len;
	memcpy(m->pkt + L2TP_CTRL_HDR_LEN, body, len);
	TAILQ_INSERT_TAIL(&r->waiting, m, entry);
	r->nwaiting++;
	rel_fill_window(r, clock_mono_ms());
	rel_rearm(r);
	return 0;
}

/* RFC 2661 5.8: Nr acknowledges every message with Ns < Nr. */
static void
rel_ack(struct l2tp_rel *r, uint16_t nr, uint64_t now)
{
	uint16_t acked = (uint16_t)(nr - r->snd_una);
	uint16_t span = (uint16_t)(r->snd_nxt - r->snd_una);
	struct rel_tx *m;

	if (acked > span) {
		r->st.bad_nr++;
		logt_debug(r->tag, "Nr %u outside %u..%u: ignored", nr,
		    r->snd_una, r->snd_nxt);
		return;
	}
	if (acked == 0)
		return;
	while (acked-- > 0 && (m = TAILQ_FIRST(&r->inflight)) != NULL) {
		TAILQ_REMOVE(&r->inflight, m, entry);
		r->ninflight--;
		free(m);
	}
	r->snd_una = nr;
	rel_restart_rtx(r, now);
	rel_fill_window(r, now);
}

static void
rel_schedule_ack(struct l2tp_rel *r, uint64_t now)
{
	uint64_t at = now + r->p.ack_delay_ms;

	if (at < r->ack_at)
		r->ack_at = at;
}

/* Store a copy of body in the slot for ns. */
static int
rel_rx_store(struct l2tp_rel *r, uint16_t ns, const void *body, size_t len)
{
	struct rel_rx *s = &r->rx[ns & (RX_SLOTS - 1)];
	uint8_t *copy = NULL;

	if (len > 0) {
		if ((copy = malloc(len)) == NULL) {
			logt_warn(r->tag, "control message: malloc");
			return -1;
		}
		memcpy(copy, body, len);
	}
	/* the span checks keep slots distinct; never leak on a bug */
	if (s->used)
		free(s->body);
	s->used = true;
	s->ns = ns;
	s->body = copy;
	s->len = len;
	return 0;
}

static bool
rel_rx_has(const struct l2tp_rel *r, uint16_t ns)
{
	const struct rel_rx *s = &r->rx[ns & (RX_SLOTS - 1)];

	return s->used && s->ns == ns;
}

enum l2tp_rel_in
l2tp_rel_input(struct l2tp_rel *r, uint16_t ns, uint16_t nr, bool zlb,
    const void *body, size_t len)
{
	uint64_t now = clock_mono_ms();
	uint16_t ahead = (uint16_t)(ns - r->rcv_nxt);
	uint16_t span = (uint16_t)(ns - r->rcv_head);
	enum l2tp_rel_in res;

	if (r->dead)
		return L2TP_REL_IN_DEAD;
	rel_ack(r, nr, now);

	if (zlb) {
		res = L2TP_REL_IN_ZLB;
	} else if (ahead >= 0x8000 ||
	    (ahead > 0 && ahead < r->p.our_rws && rel_rx_has(r, ns))) {
		/* RFC 2661 5.8: a duplicate is acknowledged again */
		r->st.duplicates++;
		rel_send_zlb(r);
		res = L2TP_REL_IN_DUPLICATE;
	} else if (ahead >= r->p.our_rws || span >= r->rx_span) {
		/* beyond our window, or the owner has not popped */
		r->st.dropped++;
		res = L2TP_REL_IN_DROPPED;
	} else if (rel_rx_store(r, ns, body, len) == -1) {
		r->st.dropped++;
		res = L2TP_REL_IN_DROPPED;
	} else if (ahead > 0) {
		r->st.queued++;
		/* the ZLB repeats our Nr: the peer learns of the gap */
		rel_schedule_ack(r, now);
		res = L2TP_REL_IN_QUEUED;
	} else {
		/* in order: it and any queued successors become ready */
		do {
			r->rcv_nxt++;
			r->st.delivered++;
		} while (rel_rx_has(r, r->rcv_nxt) &&
		    (uint16_t)(r->rcv_nxt - r->rcv_head) < r->rx_span);
		rel_schedule_ack(r, now);
		res = L2TP_REL_IN_DELIVER;
	}
	logt_debug(r->tag, "recv ns %u nr %u%s: %s", ns, nr,
	    zlb ? " (ZLB)" : "", l2tp_rel_in_name(res));
	rel_rearm(r);
	return res;
}

bool
l2tp_rel_pop(struct l2tp_rel *r, struct l2tp_rel_msg *out)
{
	struct rel_rx *s;

	if (r->rcv_head == r->rcv_nxt)
		return false;
	s = &r->rx[r->rcv_head & (RX_SLOTS - 1)];
	out->ns = s->ns;
	out->body = s->body;
	out->len = s->len;
	memset(s, 0, sizeof(*s));
	r->rcv_head++;
	return true;
}

uint64_t
l2tp_rel_deadline(const struct l2tp_rel *r)
{
	if (r->dead)
		return NEVER;
	return r->rtx_at < r->ack_at ? r->rtx_at : r->ack_at;
}

enum l2tp_rel_tick
l2tp_rel_tick(struct l2tp_rel *r)
{
	uint64_t now = clock_mono_ms(), d;
	struct rel_tx *m;

	if (r->dead)
		return L2TP_REL_TICK_DEAD;
	if (r->rtx_at <= now) {
		if (!ev_backoff_next(&r->backoff, &d)) {
			/* RFC 2661 5.8: give up, tear the tunnel down */
			r->dead = true;
			r->rtx_at = NEVER;
			r->ack_at = NEVER;
			logt_info(r->tag, "no ack for Ns %u after %u "
			    "retransmissions: peer dead", r->snd_una,
			    r->p.max_retries);
			rel_rearm(r);
			return L2TP_REL_TICK_DEAD;
		}
		logt_debug(r->tag, "retransmit ns %u..%u, next in %llu ms",
		    r->snd_una, (uint16_t)(r->snd_nxt - 1),
		    (unsigned long long)d);
		TAILQ_FOREACH(m, &r->inflight, entry) {
			r->st.retransmitted++;
			rel_transmit(r, m);
		}
		r->rtx_at = now + d;
	}
	if (r->ack_at <= now)
		rel_send_zlb(r);
	rel_rearm(r);
	return L2TP_REL_TICK_OK;
}

static void
rel_rearm(struct l2tp_rel *r)
{
	uint64_t at, now;

	if (r->timer == NULL)
		return;
	if ((at = l2tp_rel_deadline(r)) == NEVER) {
		ev_timer_disarm(r->timer);
		return;
	}
	now = clock_mono_ms();
	if (ev_timer_arm(r->timer, at > now ? at - now : 0) == -1)
		logt_warnx(r->tag, "cannot arm the control timer");
}

bool
l2tp_rel_idle(const struct l2tp_rel *r)
{
	return r->ninflight == 0 && r->nwaiting == 0;
}

bool
l2tp_rel_dead(const struct l2tp_rel *r)
{
	return r->dead;
}

uint16_t
l2tp_rel_next_ns(const struct l2tp_rel *r)
{
	return r->snd_nxt;
}

uint16_t
l2tp_rel_next_nr(const struct l2tp_rel *r)
{
	return r->rcv_nxt;
}

size_t
l2tp_rel_inflight(const struct l2tp_rel *r)
{
	return r->ninflight;
}

size_t
l2tp_rel_waiting(const struct l2tp_rel *r)
{
	return r->nwaiting;
}

const struct l2tp_rel_stats *
l2tp_rel_stats(const struct l2tp_rel *r)
{
	return &r->st;
}
