/*
 * tunnel.c - the LNS control connection (RFC 2661 7.2): SCCRQ / SCCRP /
 * SCCCN / StopCCN / HELLO as a (state, event) -> action table, reliable
 * delivery through l2tpd/reliable, tunnel authentication (RFC 2661 5.1.1)
 * when l2tp.secret is set, HELLO liveness, and the tunnel table keyed by
 * the peer's address and port as the L2TP socket sees them (kdp.h: the
 * outer address of the IPsec peer, its L2TP port inside ESP).
 */
#include <sys/random.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <openssl/crypto.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/ev.h"
#include "lib/log.h"
#include "lib/sockaddr.h"
#include "l2tpd/l2tp.h"
#include "l2tpd/l2tpd.h"
#include "l2tpd/reliable.h"

#define TUNNEL_SETUP_MS		60000	/* SCCRP -> SCCCN at most */
#define TUNNEL_MSG_MAX		1500

const char *
tunnel_state_name(enum tunnel_state s)
{
	switch (s) {
	case TUNNEL_IDLE:
		return "idle";
	case TUNNEL_WAIT_CTL_CONN:
		return "wait-ctl-conn";
	case TUNNEL_ESTABLISHED:
		return "established";
	case TUNNEL_CLOSING:
		return "closing";
	case TUNNEL_DEAD:
		return "dead";
	}
	return "?";
}

const char *
tunnel_event_name(enum tunnel_event e)
{
	static const char *const names[] = {
		"SCCRQ", "SCCRQ(refused)", "SCCCN", "SCCCN(bad-auth)",
		"StopCCN", "HELLO", "session-message", "other-message",
		"peer-dead", "hello-due", "linger-done", "admin-close"
	};

	if ((size_t)e < sizeof(names) / sizeof(names[0]))
		return names[e];
	return "?";
}

static void
tunnel_set_tag(struct tunnel *t)
{
	char a[INET6_ADDRSTRLEN + 8];

	sa_str(&t->peer, true, a, sizeof(a));
	snprintf(t->tag, sizeof(t->tag), "tun %u/%u %s", t->id, t->peer_id,
	    a);
}

static void
tunnel_set_state(struct tunnel *t, enum tunnel_state s)
{
	if (t->state == s)
		return;
	logt_info(t->tag, "%s -> %s", tunnel_state_name(t->state),
	    tunnel_state_name(s));
	t->state = s;
}

struct tunnel *
tunnel_lookup(struct l2tpd *d, uint16_t id)
{
	struct tunnel *t;

	TAILQ_FOREACH(t, &d->tunnels, link)
		if (t->id == id)
			return t;
	return NULL;
}

static void
rel_send(void *arg, const uint8_t *pkt, size_t len)
{
	struct tunnel *t = arg;

	if (t->kt != NULL)
		(void)t->d->ops->tunnel_send(t->kt, pkt, len);
}

uint64_t
tunnel_deadline(const struct tunnel *t)
{
	uint64_t d = UINT64_MAX, x;
	unsigned int hi = t->d->conf->l2tp.hello_interval;

	if (t->state == TUNNEL_DEAD)
		return 0;
	if (t->rel != NULL && (x = l2tp_rel_deadline(t->rel)) < d)
		d = x;
	if ((t->state == TUNNEL_CLOSING || t->state == TUNNEL_WAIT_CTL_CONN)
	    && t->linger_until < d)
		d = t->linger_until;
	if (t->state == TUNNEL_ESTABLISHED && hi != 0 && !t->hello_sent &&
	    (x = t->last_rx_ms + (uint64_t)hi * 1000) < d)
		d = x;
	return d;
}

static void
tunnel_rearm(struct tunnel *t)
{
	uint64_t dl, now;

	if (t->timer == NULL)
		return;
	dl = tunnel_deadline(t);
	if (dl == UINT64_MAX) {
		ev_timer_disarm(t->timer);
		return;
	}
	now = clock_mono_ms();
	(void)ev_timer_arm(t->timer, dl > now ? dl - now : 0);
}

int
tunnel_send_msg(struct tunnel *t, uint16_t session_id, const uint8_t *pkt,
    size_t len)
{
	int rc;

	if (len <= L2TP_CTRL_HDR_LEN || t->rel == NULL)
		return -1;
	rc = l2tp_rel_send(t->rel, session_id, pkt + L2TP_CTRL_HDR_LEN,
	    len - L2TP_CTRL_HDR_LEN);
	if (rc == -1)
		logt_warnx(t->tag, "control queue full or connection dead");
	tunnel_rearm(t);
	return rc;
}

static void tunnel_free(struct tunnel *);
static void tunnel_fsm(struct tunnel *, enum tunnel_event,
    const struct l2tp_msg *);

static void
tunnel_timer_cb(void *arg)
{
	(void)tunnel_tick(arg);
}

static void
tunnel_read_cb(int fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	tunnel_readable(arg);
}

void
tunnel_readable(struct tunnel *t)
{
	uint8_t buf[L2TP_MAX_MSG];
	ssize_t n;
	int i;

	/* bounded: other sockets get their turn */
	for (i = 0; i < 64 && t->state != TUNNEL_DEAD; i++) {
		n = t->d->ops->tunnel_recv(t->kt, buf, sizeof(buf));
		if (n < 0)
			break;
		if (n > 0)
			tunnel_input(t, buf, (size_t)n);
	}
	(void)tunnel_tick(t);
}

static struct tunnel *
tunnel_new(struct l2tpd *d, const struct sockaddr_storage *local,
    const struct sockaddr_storage *peer, uint16_t peer_id)
{
	struct l2tp_rel_params rp;
	struct kdp_tunnel_cfg kc;
	struct tunnel *t;
	uint16_t id;
	int i;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		log_warn("tunnel allocation");
		return NULL;
	}
	t->d = d;
	t->local = *local;
	t->peer = *peer;
	t->peer_id = peer_id;
	t->state = TUNNEL_IDLE;
	t->last_rx_ms = clock_mono_ms();
	TAILQ_INIT(&t->sessions);
	sesslog_init(&t->ike);
	for (i = 0; i < L2TPD_ID_TRIES && t->kt == NULL; i++) {
		if (getrandom(&id, sizeof(id), 0) != sizeof(id))
			goto fail;
		if (id == 0 || tunnel_lookup(d, id) != NULL)
			continue;
		t->id = id;
		tunnel_set_tag(t);
		memset(&kc, 0, sizeof(kc));
		kc.local = *local;
		kc.peer = *peer;
		kc.tunnel_id = id;
		kc.peer_tunnel_id = peer_id;
		t->kt = d->ops->tunnel_new(d, &kc);
		/* EEXIST: the id is taken in this netns (not by us) */
		if (t->kt == NULL && errno != EEXIST)
			goto fail;
	}
	if (t->kt == NULL)
		goto fail;
	l2tp_rel_params_from_conf(&rp, &d->conf->l2tp);
	if ((t->rel = l2tp_rel_new(&rp, NULL, rel_send, NULL, t, t->tag)) ==
	    NULL)
		goto fail;
	l2tp_rel_set_peer_tunnel(t->rel, peer_id);
	if (d->base != NULL) {
		if ((t->timer = ev_timer_new(d->base, tunnel_timer_cb, t)) ==
		    NULL)
			goto fail;
		if ((t->ev_read = ev_read_new(d->base,
		    d->ops->tunnel_fd(t->kt), tunnel_read_cb, t)) == NULL)
			goto fail;
	}
	TAILQ_INSERT_TAIL(&d->tunnels, t, link);
	d->ntunnels++;
	logt_info(t->tag, "new tunnel (local id %u)", t->id);
	return t;
fail:
	ev_timer_free(t->timer);
	l2tp_rel_free(t->rel);
	if (t->kt != NULL)
		d->ops->tunnel_free(t->kt);
	free(t);
	return NULL;
}

static void
tunnel_free(struct tunnel *t)
{
	struct l2tpd *d = t->d;

	session_tunnel_down(t, t->down_cause != NULL ? t->down_cause :
	    t->state == TUNNEL_DEAD ? "tunnel down" : "tunnel freed");
	logt_info(t->tag, "tunnel freed: %llu sent, %llu retransmitted, "
	    "%llu received", (unsigned long long)l2tp_rel_stats(t->rel)->sent,
	    (unsigned long long)l2tp_rel_stats(t->rel)->retransmitted,
	    (unsigned long long)l2tp_rel_stats(t->rel)->delivered);
	TAILQ_REMOVE(&d->tunnels, t, link);
	d->ntunnels--;
	ev_free(t->ev_read);
	ev_timer_free(t->timer);
	l2tp_rel_free(t->rel);
	if (t->kt != NULL)
		d->ops->tunnel_free(t->kt);
	free(t);
}

void
tunnel_free_all(struct l2tpd *d)
{
	struct tunnel *t;

	while ((t = TAILQ_FIRST(&d->tunnels)) != NULL) {
		tunnel_set_state(t, TUNNEL_DEAD);
		tunnel_free(t);
	}
}

bool
tunnel_tick(struct tunnel *t)
{
	uint64_t now = clock_mono_ms();
	unsigned int hi = t->d->conf->l2tp.hello_interval;

	if (t->state != TUNNEL_DEAD && t->rel != NULL &&
	    l2tp_rel_deadline(t->rel) <= now &&
	    l2tp_rel_tick(t->rel) == L2TP_REL_TICK_DEAD)
		tunnel_fsm(t, TEV_PEER_DEAD, NULL);
	if (t->state == TUNNEL_CLOSING && now >= t->linger_until)
		tunnel_fsm(t, TEV_LINGER_DONE, NULL);
	if (t->state == TUNNEL_WAIT_CTL_CONN && now >= t->linger_until)
		tunnel_close(t, L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERROR_NONE,
		    "no SCCCN in time");
	if (t->state == TUNNEL_ESTABLISHED && hi != 0 && !t->hello_sent &&
	    now >= t->last_rx_ms + (uint64_t)hi * 1000)
		tunnel_fsm(t, TEV_HELLO_DUE, NULL);
	if (t->state == TUNNEL_DEAD) {
		tunnel_free(t);
		return false;
	}
	tunnel_rearm(t);
	return true;
}

/* ---- actions ---- */

static void
send_stopccn(struct tunnel *t, uint16_t result, uint16_t error,
    const char *why)
{
	uint8_t buf[TUNNEL_MSG_MAX];
	struct wbuf w = { buf, sizeof(buf), 0, false };

	logt_info(t->tag, "sending StopCCN %s (%s): %s",
	    l2tp_result_name(L2TP_MSG_STOPCCN, result),
	    l2tp_error_code_name(error), why);
	if (!l2tp_build_stopccn(&w, t->peer_id, 0, 0, t->id, result, error,
	    why) || tunnel_send_msg(t, 0, buf, w.len) == -1)
		logt_warnx(t->tag, "cannot send StopCCN");
}

static void
act_closing(struct tunnel *t)
{
	t->linger_until = clock_mono_ms() + L2TPD_LINGER_MS;
	session_tunnel_down(t, "tunnel closing");
}

void
tunnel_close(struct tunnel *t, uint16_t result, uint16_t error,
    const char *why)
{
	if (t->state == TUNNEL_CLOSING || t->state == TUNNEL_DEAD)
		return;
	send_stopccn(t, result, error, why);
	tunnel_set_state(t, TUNNEL_CLOSING);
	act_closing(t);
	tunnel_rearm(t);
}

static void
act_send_sccrp(struct tunnel *t, const struct l2tp_msg *m)
{
	const struct l2tp_conf *c = &t->d->conf->l2tp;
	uint8_t buf[TUNNEL_MSG_MAX], resp[16];
	struct wbuf w = { buf, sizeof(buf), 0, false };
	struct l2tp_ctrl_conn cc;

	memset(&cc, 0, sizeof(cc));
	cc.tunnel_id = t->id;
	cc.host_name = c->hostname;
	cc.vendor_name = "l2tp-ipsec";
	cc.firmware_rev = 0x0100;
	cc.rws = (uint16_t)c->receive_window;
	cc.framing_cap = L2TP_FRAMING_SYNC | L2TP_FRAMING_ASYNC;
	if (c->secret.str != NULL) {
		if (getrandom(t->challenge, sizeof(t->challenge), 0) !=
		    sizeof(t->challenge)) {
			tunnel_close(t, L2TP_STOPCCN_GENERAL_ERROR,
			    L2TP_ERROR_NO_RESOURCES, "no random bytes");
			return;
		}
		t->challenged = true;
		cc.challenge = t->challenge;
		cc.challenge_len = sizeof(t->challenge);
	}
	/* RFC 2661 5.1.1: answer the peer's challenge (checked earlier) */
	if ((m->v.present & L2TP_BIT(L2TP_AVP_CHALLENGE)) != 0) {
		if (!l2tp_challenge_response(L2TP_MSG_SCCRP,
		    (const uint8_t *)c->secret.str, c->secret.len,
		    m->v.challenge.p, m->v.challenge.len, resp)) {
			tunnel_close(t, L2TP_STOPCCN_GENERAL_ERROR,
			    L2TP_ERROR_NO_RESOURCES, "no MD5");
			return;
		}
		cc.challenge_response = resp;
	}
	if (!l2tp_build_sccrp(&w, t->peer_id, 0, 0, &cc) ||
	    tunnel_send_msg(t, 0, buf, w.len) == -1) {
		logt_warnx(t->tag, "cannot send SCCRP");
		tunnel_set_state(t, TUNNEL_DEAD);
		return;
	}
	t->linger_until = clock_mono_ms() + TUNNEL_SETUP_MS;
	/* the IKE identifiers for the session records, asked early */
	if (t->d->ikd != NULL)
		(void)ikdlink_query_peer(t->d->ikd, t);
	logt_info(t->tag, "SCCRQ from host \"%.*s\"%s: SCCRP sent",
	    (int)m->v.host_name.len, (const char *)m->v.host_name.p,
	    t->challenged ? " (challenged)" : "");
}

static void
act_established(struct tunnel *t, const struct l2tp_msg *m)
{
	(void)m;
	t->d->ctr.tunnels++;
	logt_info(t->tag, "tunnel up: host \"%s\" client %s", t->peer_host,
	    sesslog_client_name(t->client));
}

static void
act_refuse_auth(struct tunnel *t, const struct l2tp_msg *m)
{
	(void)m;
	send_stopccn(t, L2TP_STOPCCN_NOT_AUTHORIZED, L2TP_ERROR_NONE,
	    "tunnel authentication failed");
	act_closing(t);
}

static void
act_recv_stopccn(struct tunnel *t, const struct l2tp_msg *m)
{
	const struct l2tp_result *r = &m->v.result;

	logt_info(t->tag, "StopCCN from peer: %s (%u) error %u \"%.*s\"",
	    l2tp_result_name(L2TP_MSG_STOPCCN, r->code), r->code, r->error,
	    (int)(r->message.len > 64 ? 64 : r->message.len),
	    r->message.p != NULL ? (const char *)r->message.p : "");
	/* RFC 2661 5.7: the peer's StopCCN is acked (ZLB); keep state */
	act_closing(t);
}

static void
act_send_hello(struct tunnel *t, const struct l2tp_msg *m)
{
	uint8_t buf[64];
	struct wbuf w = { buf, sizeof(buf), 0, false };

	(void)m;
	/* RFC 2661 6.5: HELLO; its missing ack is what declares death */
	t->hello_sent = true;
	if (!l2tp_build_hello(&w, t->peer_id, 0, 0) ||
	    tunnel_send_msg(t, 0, buf, w.len) == -1)
		logt_warnx(t->tag, "cannot send HELLO");
	else
		logt_debug(t->tag, "HELLO sent");
}

static void
act_session(struct tunnel *t, const struct l2tp_msg *m)
{
	session_recv(t, m);
}

static void
act_peer_dead(struct tunnel *t, const struct l2tp_msg *m)
{
	(void)m;
	logt_warnx(t->tag, "peer does not acknowledge (%zu unacked): "
	    "tearing the tunnel and its %zu sessions down",
	    l2tp_rel_inflight(t->rel), t->nsessions);
	t->down_cause = "peer dead: control messages unacknowledged";
	/* everything of a dead peer goes, its IPsec SAs too */
	if (t->d->ikd != NULL)
		(void)ikdlink_drop_peer(t->d->ikd, t);
}

static void
act_admin_close(struct tunnel *t, const struct l2tp_msg *m)
{
	(void)m;
	send_stopccn(t, L2TP_STOPCCN_SHUTTING_DOWN, L2TP_ERROR_NONE,
	    "server shutting down");
	act_closing(t);
}

static void
act_none(struct tunnel *t, const struct l2tp_msg *m)
{
	(void)t;
	(void)m;
}

/*
 * RFC 2661 7.2 (LNS column): every legal transition. Unlisted pairs go
 * to tunnel_fsm's one exit: StopCCN with an FSM error, or silence while
 * closing.
 */
static const struct tunnel_trans {
	enum tunnel_state	 state;
	enum tunnel_event	 event;
	void			 (*action)(struct tunnel *,
				    const struct l2tp_msg *);
	enum tunnel_state	 next;
} tunnel_table[] = {
	{ TUNNEL_IDLE, TEV_SCCRQ, act_send_sccrp, TUNNEL_WAIT_CTL_CONN },
	{ TUNNEL_IDLE, TEV_SCCRQ_BAD, act_refuse_auth, TUNNEL_CLOSING },
	{ TUNNEL_IDLE, TEV_ADMIN_CLOSE, act_none, TUNNEL_DEAD },
	{ TUNNEL_IDLE, TEV_PEER_DEAD, act_peer_dead, TUNNEL_DEAD },
	{ TUNNEL_WAIT_CTL_CONN, TEV_SCCCN, act_established,
	    TUNNEL_ESTABLISHED },
	{ TUNNEL_WAIT_CTL_CONN, TEV_SCCCN_BAD, act_refuse_auth,
	    TUNNEL_CLOSING },
	{ TUNNEL_WAIT_CTL_CONN, TEV_STOPCCN, act_recv_stopccn,
	    TUNNEL_CLOSING },
	{ TUNNEL_WAIT_CTL_CONN, TEV_HELLO, act_none, TUNNEL_WAIT_CTL_CONN },
	{ TUNNEL_WAIT_CTL_CONN, TEV_PEER_DEAD, act_peer_dead, TUNNEL_DEAD },
	{ TUNNEL_WAIT_CTL_CONN, TEV_ADMIN_CLOSE, act_admin_close,
	    TUNNEL_CLOSING },
	{ TUNNEL_ESTABLISHED, TEV_STOPCCN, act_recv_stopccn, TUNNEL_CLOSING },
	{ TUNNEL_ESTABLISHED, TEV_HELLO, act_none, TUNNEL_ESTABLISHED },
	{ TUNNEL_ESTABLISHED, TEV_SESSION_MSG, act_session,
	    TUNNEL_ESTABLISHED },
	{ TUNNEL_ESTABLISHED, TEV_HELLO_DUE, act_send_hello,
	    TUNNEL_ESTABLISHED },
	{ TUNNEL_ESTABLISHED, TEV_PEER_DEAD, act_peer_dead, TUNNEL_DEAD },
	{ TUNNEL_ESTABLISHED, TEV_ADMIN_CLOSE, act_admin_close,
	    TUNNEL_CLOSING },
	/* closing: ack what still comes (reliable does), wait, go */
	{ TUNNEL_CLOSING, TEV_STOPCCN, act_none, TUNNEL_CLOSING },
	{ TUNNEL_CLOSING, TEV_HELLO, act_none, TUNNEL_CLOSING },
	{ TUNNEL_CLOSING, TEV_SESSION_MSG, act_none, TUNNEL_CLOSING },
	{ TUNNEL_CLOSING, TEV_LINGER_DONE, act_none, TUNNEL_DEAD },
	{ TUNNEL_CLOSING, TEV_PEER_DEAD, act_none, TUNNEL_DEAD },
	{ TUNNEL_CLOSING, TEV_ADMIN_CLOSE, act_none, TUNNEL_CLOSING },
};

bool
tunnel_transition(enum tunnel_state s, enum tunnel_event ev,
    enum tunnel_state *next)
{
	size_t i;

	for (i = 0; i < sizeof(tunnel_table) / sizeof(tunnel_table[0]); i++)
		if (tunnel_table[i].state == s && tunnel_table[i].event == ev) {
			*next = tunnel_table[i].next;
			return true;
		}
	return false;
}

static void
tunnel_fsm(struct tunnel *t, enum tunnel_event ev, const struct l2tp_msg *m)
{
	const struct tunnel_trans *tr;
	size_t i;

	for (i = 0; i < sizeof(tunnel_table) / sizeof(tunnel_table[0]);
	    i++) {
		tr = &tunnel_table[i];
		if (tr->state != t->state || tr->event != ev)
			continue;
		logt_debug(t->tag, "%s in %s", tunnel_event_name(ev),
		    tunnel_state_name(t->state));
		tr->action(t, m);
		/* an action may have closed or killed the tunnel itself */
		if (t->state == tr->state && t->state != TUNNEL_DEAD)
			tunnel_set_state(t, tr->next);
		else if (tr->next == TUNNEL_DEAD)
			tunnel_set_state(t, TUNNEL_DEAD);
		return;
	}
	logt_info(t->tag, "got %s in state %s", tunnel_event_name(ev),
	    tunnel_state_name(t->state));
	if (t->state == TUNNEL_CLOSING || t->state == TUNNEL_DEAD)
		return;
	/* RFC 2661 7.2: an unexpected message is an FSM error */
	tunnel_close(t, L2TP_STOPCCN_FSM_ERROR, L2TP_ERROR_NONE,
	    "unexpected message");
}

/* ---- input ---- */

static void
note_peer(struct tunnel *t, const struct l2tp_msg *m)
{
	size_t n = m->v.host_name.len;

	if (n > L2TPD_HOSTNAME_MAX)
		n = L2TPD_HOSTNAME_MAX;
	if (n > 0)
		memcpy(t->peer_host, m->v.host_name.p, n);
	t->peer_host[n] = '\0';
	/* Apple's Host Name carries a trailing NUL (codec strips it) */
	t->apple = m->v.host_name_nul;
	if (t->apple)
		t->client = SESSLOG_CLIENT_APPLE;
	else if (m->v.vendor_name.len >= 9 &&
	    memcmp(m->v.vendor_name.p, "Microsoft", 9) == 0)
		t->client = SESSLOG_CLIENT_WINDOWS;
	else
		t->client = SESSLOG_CLIENT_OTHER;
	if ((m->v.present & L2TP_BIT(L2TP_AVP_RECV_WINDOW_SIZE)) != 0)
		l2tp_rel_set_peer_rws(t->rel, m->v.rws);
}

static enum tunnel_event
classify(struct tunnel *t, const struct l2tp_msg *m)
{
	const struct conf_secret *sec = &t->d->conf->l2tp.secret;
	uint8_t want[16];

	switch (m->type) {
	case L2TP_MSG_SCCRQ:
		if (t->state != TUNNEL_IDLE)
			return TEV_SCCRQ;
		note_peer(t, m);
		if (m->v.proto_ver != 1) {
			logt_info(t->tag, "SCCRQ protocol version %u.%u",
			    m->v.proto_ver, m->v.proto_rev);
			return TEV_SCCRQ_BAD;
		}
		/* RFC 2661 5.1.1: a challenge needs a shared secret */
		if ((m->v.present & L2TP_BIT(L2TP_AVP_CHALLENGE)) != 0 &&
		    sec->str == NULL) {
			logt_info(t->tag, "peer challenges us; no l2tp.secret");
			return TEV_SCCRQ_BAD;
		}
		return TEV_SCCRQ;
	case L2TP_MSG_SCCCN:
		if (!t->challenged)
			return TEV_SCCCN;
		if ((m->v.present & L2TP_BIT(L2TP_AVP_CHALLENGE_RESPONSE)) ==
		    0) {
			logt_info(t->tag, "SCCCN without Challenge Response");
			return TEV_SCCCN_BAD;
		}
		if (!l2tp_challenge_response(L2TP_MSG_SCCCN,
		    (const uint8_t *)sec->str, sec->len, t->challenge,
		    sizeof(t->challenge), want) ||
		    CRYPTO_memcmp(want, m->v.challenge_response, 16) != 0) {
			logt_info(t->tag, "SCCCN Challenge Response wrong");
			return TEV_SCCCN_BAD;
		}
		return TEV_SCCCN;
	case L2TP_MSG_STOPCCN:
		return TEV_STOPCCN;
	case L2TP_MSG_HELLO:
		return TEV_HELLO;
	case L2TP_MSG_ICRQ:
	case L2TP_MSG_ICCN:
	case L2TP_MSG_CDN:
	case L2TP_MSG_OCRQ:
	case L2TP_MSG_OCRP:
	case L2TP_MSG_OCCN:
	case L2TP_MSG_WEN:
	case L2TP_MSG_SLI:
		return TEV_SESSION_MSG;
	default:
		return TEV_OTHER_MSG;
	}
}

/* One in-order control message (the whole datagram, as delivered). */
static void
tunnel_handle(struct tunnel *t, const uint8_t *p, size_t len)
{
	const struct conf_secret *sec = &t->d->conf->l2tp.secret;
	struct l2tp_msg *m;
	enum l2tp_err e;

	if ((m = malloc(sizeof(*m))) == NULL) {
		logt_warn(t->tag, "message allocation");
		return;
	}
	e = l2tp_msg_parse(p, len, (const uint8_t *)sec->str, sec->len, m);
	switch (e) {
	case L2TP_OK:
		if (!m->zlb)
			tunnel_fsm(t, classify(t, m), m);
		break;
	case L2TP_ERR_UNKNOWN_MSG:
		logt_debug(t->tag, "ignored: %s", m->reason);
		break;
	case L2TP_ERR_UNKNOWN_MANDATORY:
	case L2TP_ERR_UNKNOWN_MSG_MANDATORY:
		/* RFC 2661 4.1: tear down the session or the tunnel */
		logt_info(t->tag, "%s", m->reason);
		if (e == L2TP_ERR_UNKNOWN_MANDATORY &&
		    l2tp_msg_scope(m->type) == L2TP_SCOPE_SESSION &&
		    t->state == TUNNEL_ESTABLISHED) {
			m->zlb = false;
			session_recv(t, m);	/* sees m->type, ends it */
		} else
			tunnel_close(t, L2TP_STOPCCN_GENERAL_ERROR,
			    L2TP_ERROR_UNKNOWN_MANDATORY,
			    "unknown mandatory AVP");
		break;
	default:
		t->d->ctr.malformed++;
		logt_info(t->tag, "malformed %s: %s", l2tp_err_name(e),
		    m->reason);
		if (t->state == TUNNEL_IDLE)
			tunnel_set_state(t, TUNNEL_DEAD);
		break;
	}
	l2tp_msg_wipe(m);
	free(m);
}

void
tunnel_input(struct tunnel *t, const uint8_t *p, size_t len)
{
	struct l2tp_rel_msg rm;
	struct l2tp_hdr h;
	enum l2tp_rel_in r;
	char why[L2TP_REASON_LEN];

	t->d->ctr.rx++;
	if (l2tp_hdr_parse(p, len, &h, why, sizeof(why)) != L2TP_OK ||
	    !h.control) {
		t->d->ctr.malformed++;
		logt_debug(t->tag, "dropped: %s", h.control ? why :
		    "data message");
		return;
	}
	/* 0: an SCCRQ retransmitted before the peer learnt our id */
	if (h.tunnel_id != t->id && h.tunnel_id != 0) {
		logt_debug(t->tag, "dropped: tunnel id %u", h.tunnel_id);
		return;
	}
	r = l2tp_rel_input(t->rel, h.ns, h.nr, rbuf_left(&h.payload) == 0,
	    p, len);
	logt_debug(t->tag, "Ns %u Nr %u: %s", h.ns, h.nr,
	    l2tp_rel_in_name(r));
	t->last_rx_ms = clock_mono_ms();
	t->hello_sent = false;
	while (t->state != TUNNEL_DEAD && l2tp_rel_pop(t->rel, &rm)) {
		tunnel_handle(t, rm.body, rm.len);
		free(rm.body);
	}
	tunnel_rearm(t);
}

void
tunnel_set_ike(struct tunnel *t, const struct sesslog *ike)
{
	t->ike_pending = false;
	if (ike != NULL) {
		t->ike = *ike;
		t->ike_known = true;
		if (ike->client != SESSLOG_CLIENT_UNKNOWN)
			t->client = ike->client;
	}
	session_ike_known(t);
}

/* ---- listener ---- */

void
l2tpd_listen_input(struct l2tpd *d, const uint8_t *p, size_t len,
    const struct sockaddr_storage *local,
    const struct sockaddr_storage *peer)
{
	uint8_t buf[256];
	struct wbuf w = { buf, sizeof(buf), 0, false };
	struct l2tp_msg *m;
	struct tunnel *t, *old;
	char a[INET6_ADDRSTRLEN + 8];
	enum l2tp_err e;

	d->ctr.rx++;
	sa_str(peer, true, a, sizeof(a));
	if ((m = malloc(sizeof(*m))) == NULL)
		return;
	e = l2tp_msg_parse(p, len, (const uint8_t *)d->conf->l2tp.secret.str,
	    d->conf->l2tp.secret.len, m);
	if (e != L2TP_OK || m->type != L2TP_MSG_SCCRQ ||
	    m->hdr.tunnel_id != 0 || m->hdr.ns != 0) {
		d->ctr.malformed++;
		log_debug("%s: not a new SCCRQ (%s, %s): dropped", a,
		    l2tp_err_name(e), e == L2TP_OK ?
		    l2tp_msg_type_name(m->type) : m->reason);
		goto out;
	}
	TAILQ_FOREACH(old, &d->tunnels, link)
		if (sa_equal(&old->peer, peer, true))
			break;
	if (old != NULL && old->peer_id == m->v.tunnel_id &&
	    old->state != TUNNEL_CLOSING && old->state != TUNNEL_DEAD) {
		/* a retransmitted SCCRQ that beat our connect(): re-ack */
		logt_debug(old->tag, "duplicate SCCRQ on the listener");
		tunnel_input(old, p, len);
		goto out;
	}
	if (old != NULL) {
		/* the peer restarted: its old tunnel is gone for it */
		logt_info(old->tag, "new SCCRQ (peer tunnel %u) from the same "
		    "address: dropping the old tunnel", m->v.tunnel_id);
		tunnel_set_state(old, TUNNEL_DEAD);
		tunnel_free(old);
	}
	if (d->stopping || d->ntunnels >= d->conf->l2tp.max_tunnels) {
		uint16_t any;

		d->ctr.refused_tunnels++;
		log_info("%s: SCCRQ refused: %s (%zu tunnels)", a,
		    d->stopping ? "shutting down" : "tunnel limit",
		    d->ntunnels);
		/*
		 * RFC 2661 4.4.2: StopCCN, no resources (Ns 0, Nr 1). Its
		 * Assigned Tunnel ID must not be 0: a random one, never
		 * used again (no tunnel state is kept for a refusal).
		 */
		if (getrandom(&any, sizeof(any), 0) != sizeof(any) ||
		    any == 0)
			any = 1;
		if (l2tp_build_stopccn(&w, m->v.tunnel_id, 0, 1, any,
		    L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERROR_NO_RESOURCES,
		    "too many tunnels"))
			d->ops->listen_send(d, local, peer, buf, w.len);
		goto out;
	}
	if ((t = tunnel_new(d, local, peer, m->v.tunnel_id)) == NULL) {
		d->ctr.refused_tunnels++;
		goto out;
	}
	tunnel_input(t, p, len);
	if (d->base != NULL)
		(void)tunnel_tick(t);
out:
	l2tp_msg_wipe(m);
	free(m);
}

void
l2tpd_shutdown(struct l2tpd *d)
{
	struct tunnel *t;
	uint64_t now;

	d->stopping = true;
	TAILQ_FOREACH(t, &d->tunnels, link) {
		tunnel_fsm(t, TEV_ADMIN_CLOSE, NULL);
		/* send the StopCCN now: no loop turn is coming */
		now = clock_mono_ms();
		if (t->rel != NULL && l2tp_rel_deadline(t->rel) <= now)
			(void)l2tp_rel_tick(t->rel);
	}
}
