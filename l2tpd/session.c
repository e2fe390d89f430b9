/*
 * session.c - LNS incoming calls (RFC 2661 7.4.1): ICRQ / ICRP / ICCN,
 * CDN both ways, per-tunnel and global session limits, the kernel
 * session and pppd of an established call, its address from the pool and
 * its accounting record (lib/sesslog: start, auth, ip-up, end).
 *
 * End of a session:
 *  - pppd exits first (the client hung up PPP, auth failed, idle): the
 *    END record (pppd's final counters through the plugin, else the
 *    kernel's), CDN to the peer, free;
 *  - the peer's CDN first: SIGTERM pppd, state closed until pppd is
 *    reaped (its final counters come then), END, free;
 *  - the tunnel goes: kernel counters, END, SIGTERM pppd, free at once
 *    (the kernel tunnel takes the kernel sessions with it).
 */
#include <sys/random.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/sesslog.h"
#include "lib/sessproto.h"
#include "l2tpd/l2tp.h"
#include "l2tpd/l2tpd.h"
#include "l2tpd/pool.h"

#define SESSION_MSG_MAX		512

const char *
session_state_name(enum session_state s)
{
	switch (s) {
	case SESSION_IDLE:
		return "idle";
	case SESSION_WAIT_CONNECT:
		return "wait-connect";
	case SESSION_ESTABLISHED:
		return "established";
	case SESSION_CLOSED:
		return "closed";
	}
	return "?";
}

const char *
session_event_name(enum session_event e)
{
	switch (e) {
	case SEV_ICRQ:
		return "ICRQ";
	case SEV_ICCN:
		return "ICCN";
	case SEV_CDN:
		return "CDN";
	case SEV_PPPD_EXIT:
		return "pppd-exit";
	case SEV_TUNNEL_DOWN:
		return "tunnel-down";
	case SEV_OTHER:
		return "other-message";
	}
	return "?";
}

static void
session_set_state(struct session *s, enum session_state st)
{
	if (s->state == st)
		return;
	logt_info(s->tag, "%s -> %s", session_state_name(s->state),
	    session_state_name(st));
	s->state = st;
}

static void
session_set_tag(struct session *s)
{
	sesslog_format_tag(s->tag, sizeof(s->tag), &s->rec);
}

struct session *
session_lookup_key(struct l2tpd *d, const char *key)
{
	struct tunnel *t;
	struct session *s;

	TAILQ_FOREACH(t, &d->tunnels, link)
		TAILQ_FOREACH(s, &t->sessions, link)
			if (strcmp(s->key, key) == 0)
				return s;
	return NULL;
}

struct session *
session_lookup_pid(struct l2tpd *d, pid_t pid)
{
	struct tunnel *t;
	struct session *s;

	if (pid <= 0)
		return NULL;
	TAILQ_FOREACH(t, &d->tunnels, link)
		TAILQ_FOREACH(s, &t->sessions, link)
			if (s->pppd_pid == pid)
				return s;
	return NULL;
}

static struct session *
session_lookup(struct tunnel *t, uint16_t id)
{
	struct session *s;

	TAILQ_FOREACH(s, &t->sessions, link)
		if (s->id == id)
			return s;
	return NULL;
}

static uint16_t
session_new_id(struct tunnel *t)
{
	uint16_t id;
	int i;

	for (i = 0; i < 64; i++) {
		if (getrandom(&id, sizeof(id), 0) != sizeof(id))
			return 0;
		if (id != 0 && session_lookup(t, id) == NULL)
			return id;
	}
	return 0;
}

static void
send_cdn(struct tunnel *t, uint16_t peer_sid, uint16_t our_sid,
    uint16_t result, const char *why, const char *tag)
{
	uint8_t buf[SESSION_MSG_MAX];
	struct wbuf w = { buf, sizeof(buf), 0, false };

	logt_info(tag, "sending CDN %s: %s",
	    l2tp_result_name(L2TP_MSG_CDN, result), why);
	if (!l2tp_build_cdn(&w, t->peer_id, peer_sid, 0, 0, our_sid, result,
	    L2TP_ERROR_NONE, why) ||
	    tunnel_send_msg(t, peer_sid, buf, w.len) == -1)
		logt_warnx(tag, "cannot send CDN");
}

/* Counters for the END record: pppd's final ones, else the kernel's. */
static void
session_read_stats(struct session *s)
{
	struct kdp_stats ks;

	if (s->final_ctr || s->ks == NULL)
		return;
	if (s->t->d->ops->session_stats(s->ks, &ks) == 0) {
		s->rec.ctr.bytes_in = ks.rx_bytes;
		s->rec.ctr.bytes_out = ks.tx_bytes;
		s->rec.ctr.pkts_in = ks.rx_packets;
		s->rec.ctr.pkts_out = ks.tx_packets;
	}
}

static void
session_free(struct session *s)
{
	struct tunnel *t = s->t;
	struct l2tpd *d = t->d;

	if (s->start_pending)
		sesslog_emit(d->slog, &s->rec, SESSLOG_START, NULL);
	if (s->started)
		sesslog_emit(d->slog, &s->rec, SESSLOG_END,
		    s->cause[0] != '\0' ? s->cause : "closed");
	if (s->has_addr) {
		(void)pool_release(d->pool, s->addr);
		s->has_addr = false;
	}
	if (d->pppd != NULL)
		pppd_plugin_detach(d->pppd, s);
	if (s->ks != NULL)
		d->ops->session_free(s->ks);
	TAILQ_REMOVE(&t->sessions, s, link);
	t->nsessions--;
	d->nsessions--;
	logt_debug(s->tag, "session freed");
	free(s);
}

static void
set_cause(struct session *s, const char *why)
{
	if (s->cause[0] == '\0')
		snprintf(s->cause, sizeof(s->cause), "%s", why);
}

/*
 * The session is over (first cause wins): its counters are read, and it
 * is freed now, or once its pppd has exited.
 */
static void
session_end(struct session *s, const char *why)
{
	set_cause(s, why);
	session_read_stats(s);
	session_set_state(s, SESSION_CLOSED);
	if (s->pppd_pid > 0)
		s->t->d->ops->pppd_stop(s->t->d, s);
	else
		session_free(s);
}

void
session_close(struct session *s, uint16_t result, const char *why)
{
	if (s->state == SESSION_CLOSED)
		return;
	send_cdn(s->t, s->peer_id, s->id, result, why, s->tag);
	session_end(s, why);
}

static void
session_copy_ike(struct session *s)
{
	const struct sesslog *ike = &s->t->ike;

	/* ikd's view of the peer: outer address and IKE (NAT-T) port */
	if (ike->peer.ss_family != AF_UNSPEC)
		s->rec.peer = ike->peer;
	s->rec.nat = ike->nat;
	s->rec.has_cookies = ike->has_cookies;
	memcpy(s->rec.icookie, ike->icookie, 8);
	memcpy(s->rec.rcookie, ike->rcookie, 8);
	s->rec.spi_in = ike->spi_in;
	s->rec.spi_out = ike->spi_out;
	s->rec.client = s->t->client;
}

void
session_ike_known(struct tunnel *t)
{
	struct session *s;

	TAILQ_FOREACH(s, &t->sessions, link) {
		if (t->ike_known)
			session_copy_ike(s);
		if (s->start_pending) {
			s->start_pending = false;
			sesslog_emit(t->d->slog, &s->rec, SESSLOG_START, NULL);
		}
	}
}

static struct session *
session_new(struct tunnel *t, const struct l2tp_msg *m)
{
	struct session *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->t = t;
	s->state = SESSION_IDLE;
	s->plugin_fd = -1;
	if ((s->id = session_new_id(t)) == 0) {
		free(s);
		return NULL;
	}
	s->peer_id = m->v.session_id;
	s->call_serial = m->v.call_serial;
	sesslog_init(&s->rec);
	s->rec.peer = t->peer;
	s->rec.local_tunnel = t->id;
	s->rec.remote_tunnel = t->peer_id;
	s->rec.local_session = s->id;
	s->rec.remote_session = s->peer_id;
	s->rec.client = t->client;
	if (t->ike_known)
		session_copy_ike(s);
	session_set_tag(s);
	snprintf(s->key, sizeof(s->key), "%u-%u", t->id, s->id);
	TAILQ_INSERT_TAIL(&t->sessions, s, link);
	t->nsessions++;
	t->d->nsessions++;
	return s;
}

/* RFC 2661 7.4.1: ICRQ -> ICRP, or CDN when over a limit. */
static void
session_recv_icrq(struct tunnel *t, const struct l2tp_msg *m)
{
	const struct l2tp_conf *c = &t->d->conf->l2tp;
	uint8_t buf[SESSION_MSG_MAX];
	struct wbuf w = { buf, sizeof(buf), 0, false };
	struct session *s;
	const char *why = NULL;

	if (m->hdr.session_id != 0)
		why = "ICRQ with a session id";
	else if (t->d->stopping)
		why = "shutting down";
	else if (t->nsessions >= c->max_sessions_per_tunnel)
		why = "session limit of the tunnel";
	else if (t->d->nsessions >= c->max_sessions)
		why = "session limit";
	if (why != NULL || (s = session_new(t, m)) == NULL) {
		uint16_t id = session_new_id(t);

		t->d->ctr.refused_sessions++;
		logt_info(t->tag, "ICRQ (peer session %u) refused: %s",
		    m->v.session_id, why != NULL ? why : "no memory");
		if (id != 0)
			send_cdn(t, m->v.session_id, id,
			    L2TP_CDN_NO_RESOURCES_TEMP,
			    why != NULL ? why : "no memory", t->tag);
		return;
	}
	if (!l2tp_build_icrp(&w, t->peer_id, s->peer_id, 0, 0, s->id) ||
	    tunnel_send_msg(t, s->peer_id, buf, w.len) == -1) {
		logt_warnx(s->tag, "cannot send ICRP");
		session_free(s);
		return;
	}
	logt_info(s->tag, "ICRQ (call serial %u): ICRP sent", s->call_serial);
	session_set_state(s, SESSION_WAIT_CONNECT);
}

/* RFC 2661 7.4.1: ICCN -> kernel session, pppd, START record. */
static void
session_recv_iccn(struct session *s, const struct l2tp_msg *m)
{
	struct l2tpd *d = s->t->d;
	struct kdp_session_cfg kc;
	int rc;

	memset(&kc, 0, sizeof(kc));
	kc.session_id = s->id;
	kc.peer_session_id = s->peer_id;
	kc.lns_mode = true;
	/* RFC 2661 4.4.6: Sequencing Required: Ns/Nr on data */
	s->sequencing = (m->v.present &
	    L2TP_BIT(L2TP_AVP_SEQUENCING_REQUIRED)) != 0;
	kc.send_seq = s->sequencing;
	kc.recv_seq = s->sequencing;
	if ((s->ks = d->ops->session_new(s->t->kt, &kc)) == NULL) {
		session_close(s, L2TP_CDN_NO_RESOURCES_TEMP,
		    "kernel session failed");
		return;
	}
	session_set_state(s, SESSION_ESTABLISHED);
	d->ctr.sessions++;
	s->started = true;
	/* pppd first: the START record names its pid */
	rc = d->ops->pppd_start(d, s);
	if (rc == 0)
		s->rec.pppd_pid = s->pppd_pid;
	/* the record carries the IKE identifiers: wait for ikd's answer */
	if (s->t->ike_pending)
		s->start_pending = true;
	else
		sesslog_emit(d->slog, &s->rec, SESSLOG_START, NULL);
	if (rc == -1) {
		session_close(s, L2TP_CDN_NO_RESOURCES_TEMP,
		    "pppd did not start");
		return;
	}
	logt_info(s->tag, "ICCN (tx speed %u, framing %u%s): pppd %d",
	    m->v.tx_speed, m->v.framing_type, s->sequencing ?
	    ", sequencing" : "", (int)s->pppd_pid);
}

static void
session_recv_cdn(struct session *s, const struct l2tp_msg *m)
{
	const struct l2tp_result *r = &m->v.result;
	char why[96];

	snprintf(why, sizeof(why), "peer CDN %s (%u)",
	    l2tp_result_name(L2TP_MSG_CDN, r->code), r->code);
	logt_info(s->tag, "%s", why);
	session_end(s, why);
}

/*
 * RFC 2661 7.4.1 (LNS incoming call), by message: every legal pair is
 * handled here; anything else ends the call with a CDN (or is dropped
 * when the call is already closed or unknown).
 */
void
session_recv(struct tunnel *t, const struct l2tp_msg *m)
{
	struct session *s = NULL;
	enum session_event ev;

	switch (m->type) {
	case L2TP_MSG_ICRQ:
		ev = SEV_ICRQ;
		break;
	case L2TP_MSG_ICCN:
		ev = SEV_ICCN;
		break;
	case L2TP_MSG_CDN:
		ev = SEV_CDN;
		break;
	default:
		ev = SEV_OTHER;
		break;
	}
	if (ev == SEV_ICRQ && m->hdr.session_id == 0 &&
	    m->v.session_id != 0) {
		/* a second ICRQ for a call we have (new Ns): ignore it */
		TAILQ_FOREACH(s, &t->sessions, link)
			if (s->peer_id == m->v.session_id &&
			    s->state != SESSION_CLOSED) {
				logt_info(s->tag, "duplicate ICRQ ignored");
				return;
			}
		session_recv_icrq(t, m);
		return;
	}
	if (m->hdr.session_id != 0)
		s = session_lookup(t, m->hdr.session_id);
	else if (ev == SEV_CDN)
		/* a CDN before the peer learnt our id: by its own id */
		TAILQ_FOREACH(s, &t->sessions, link)
			if (s->peer_id == m->v.session_id)
				break;
	if (s == NULL) {
		logt_info(t->tag, "%s for unknown session %u: dropped",
		    l2tp_msg_type_name(m->type), m->hdr.session_id);
		return;
	}
	if (s->state == SESSION_WAIT_CONNECT && ev == SEV_ICCN &&
	    !m->zlb) {
		session_recv_iccn(s, m);
		return;
	}
	if (ev == SEV_CDN && s->state != SESSION_CLOSED) {
		session_recv_cdn(s, m);
		return;
	}
	logt_info(s->tag, "got %s in state %s", l2tp_msg_type_name(m->type),
	    session_state_name(s->state));
	if (s->state != SESSION_CLOSED)
		session_close(s, L2TP_CDN_GENERAL_ERROR, "unexpected message");
}

void
session_tunnel_down(struct tunnel *t, const char *cause)
{
	struct session *s;

	while ((s = TAILQ_FIRST(&t->sessions)) != NULL) {
		set_cause(s, cause);
		session_read_stats(s);
		if (s->pppd_pid > 0)
			t->d->ops->pppd_stop(t->d, s);
		session_set_state(s, SESSION_CLOSED);
		session_free(s);
	}
}

void
session_pppd_exit(struct l2tpd *d, pid_t pid, int status)
{
	struct session *s;
	char why[64];

	if ((s = session_lookup_pid(d, pid)) == NULL)
		return;
	s->pppd_pid = 0;
	if (WIFEXITED(status))
		snprintf(why, sizeof(why), "pppd exit %d (%s)",
		    WEXITSTATUS(status),
		    sessproto_exit_name((unsigned int)WEXITSTATUS(status)));
	else
		snprintf(why, sizeof(why), "pppd signal %d",
		    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	logt_info(s->tag, "%s", why);
	if (s->state == SESSION_CLOSED) {
		session_free(s);
		return;
	}
	set_cause(s, why);
	session_close(s, L2TP_CDN_ADMIN, why);
}

static void
plugin_reply_addr(struct session *s, const char *user)
{
	struct l2tpd *d = s->t->d;
	struct sessproto_msg r;
	enum pool_result pr = POOL_OK;

	memset(&r, 0, sizeof(r));
	r.type = SESSPROTO_ADDR;
	r.u.addr.local = d->conf->ppp.local_address.s_addr;
	if (!s->has_addr) {
		pr = pool_alloc(d->pool, user[0] != '\0' ? user : NULL,
		    &s->addr);
		s->has_addr = pr == POOL_OK;
	}
	if (s->has_addr) {
		r.u.addr.remote = s->addr.s_addr;
		s->rec.has_addr = true;
		s->rec.addr = s->addr;
	} else
		logt_warnx(s->tag, "no address for user %s: %s", user,
		    pool_result_name(pr));
	if (s->plugin_fd >= 0 && sessproto_send(s->plugin_fd, &r) == -1)
		logt_warn(s->tag, "plugin: ADDR");
}

void
session_plugin_msg(struct session *s, const void *msg)
{
	const struct sessproto_msg *m = msg;
	struct sesslog_out *out = s->t->d->slog;
	const struct sessproto_counters *c;

	switch (m->type) {
	case SESSPROTO_AUTH_OK:
		sesslog_set_user(&s->rec, m->u.auth.user,
		    strlen(m->u.auth.user));
		sesslog_emit(out, &s->rec, SESSLOG_AUTH_OK, NULL);
		break;
	case SESSPROTO_AUTH_FAIL:
		sesslog_set_user(&s->rec, m->u.auth.user,
		    strlen(m->u.auth.user));
		sesslog_emit(out, &s->rec, SESSLOG_AUTH_FAIL,
		    sessproto_auth_cause_name(m->u.auth.cause));
		break;
	case SESSPROTO_ADDR_REQ:
		sesslog_set_user(&s->rec, m->u.auth.user,
		    strlen(m->u.auth.user));
		plugin_reply_addr(s, m->u.auth.user);
		break;
	case SESSPROTO_IP_UP:
		snprintf(s->rec.ifname, sizeof(s->rec.ifname), "%s",
		    m->u.ip.ifname);
		sesslog_emit(out, &s->rec, SESSLOG_IP_UP, NULL);
		break;
	case SESSPROTO_COUNTERS:
		c = &m->u.counters;
		s->rec.ctr.bytes_in = c->bytes_in;
		s->rec.ctr.bytes_out = c->bytes_out;
		s->rec.ctr.pkts_in = c->pkts_in;
		s->rec.ctr.pkts_out = c->pkts_out;
		if ((c->flags & SESSPROTO_COUNTERS_FINAL) != 0)
			s->final_ctr = true;
		else
			sesslog_emit(out, &s->rec, SESSLOG_COUNTERS, NULL);
		break;
	case SESSPROTO_EXIT:
		snprintf(s->cause, sizeof(s->cause), "pppd: %s %.80s",
		    sessproto_exit_name(m->u.end.code), m->u.end.text);
		break;
	case SESSPROTO_PHASE:
	case SESSPROTO_IP_DOWN:
		logt_debug(s->tag, "plugin: %s", sessproto_type_name(m->type));
		break;
	default:
		logt_info(s->tag, "plugin: unexpected %s",
		    sessproto_type_name(m->type));
		break;
	}
}
