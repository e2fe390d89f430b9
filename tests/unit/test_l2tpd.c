/*
 * test_l2tpd.c - l2tpd's tunnel and session state machines in process: a
 * scripted LAC (messages from the codec's builders) against
 * l2tpd/tunnel.c + session.c with a fake kernel data path and pppd (the
 * struct l2tpd_ops substitution) and a mock clock. Covers the happy path,
 * retransmission, duplicate SCCRQ, StopCCN, CDN both ways, HELLO timeout,
 * tunnel and session limits, tunnel authentication, FSM errors, the Apple
 * host name quirk, the plugin reports (address, counters, END record) and
 * the parsing of ikd's replies.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/sesslog.h"
#include "lib/sessproto.h"
#include "l2tpd/l2tp.h"
#include "l2tpd/l2tpd.h"
#include "l2tpd/pool.h"

/* ---- fakes ---- */

struct kdp_tunnel {
	uint16_t	 id;
};
struct kdp_session {
	uint16_t	 id;
	int		 fd;
};

#define MAX_SENT	64

static uint64_t now_ms = 1000000;
static uint8_t sent[MAX_SENT][1500];
static size_t sent_len[MAX_SENT];
static size_t nsent;
static uint8_t lsent[1500];
static size_t lsent_len;
static int ntun_live, nsess_live, npppd_stop, nstarted;
static pid_t next_pid = 5000;
static bool fail_tunnel_eexist;

static uint64_t
mock_clock(void)
{
	return now_ms;
}

static struct kdp_tunnel *
f_tunnel_new(struct l2tpd *d, const struct kdp_tunnel_cfg *c)
{
	struct kdp_tunnel *t;

	(void)d;
	if (fail_tunnel_eexist) {
		fail_tunnel_eexist = false;
		errno = EEXIST;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	t->id = c->tunnel_id;
	ntun_live++;
	return t;
}

static void
f_tunnel_free(struct kdp_tunnel *t)
{
	ntun_live--;
	free(t);
}

static ssize_t
f_tunnel_send(struct kdp_tunnel *t, const void *p, size_t len)
{
	(void)t;
	if (nsent < MAX_SENT && len <= sizeof(sent[0])) {
		memcpy(sent[nsent], p, len);
		sent_len[nsent++] = len;
	}
	return (ssize_t)len;
}

static ssize_t
f_tunnel_recv(struct kdp_tunnel *t, void *p, size_t len)
{
	(void)t;
	(void)p;
	(void)len;
	errno = EAGAIN;
	return -1;
}

static int
f_tunnel_fd(const struct kdp_tunnel *t)
{
	(void)t;
	return -1;
}

static struct kdp_session *
f_session_new(struct kdp_tunnel *t, const struct kdp_session_cfg *c)
{
	struct kdp_session *s;

	(void)t;
	s = calloc(1, sizeof(*s));
	s->id = c->session_id;
	s->fd = 42;
	nsess_live++;
	return s;
}

static void
f_session_free(struct kdp_session *s)
{
	nsess_live--;
	free(s);
}

static int
f_session_stats(struct kdp_session *s, struct kdp_stats *st)
{
	(void)s;
	memset(st, 0, sizeof(*st));
	st->rx_bytes = 111;
	st->tx_bytes = 222;
	st->rx_packets = 3;
	st->tx_packets = 4;
	return 0;
}

static int
f_session_fd(const struct kdp_session *s)
{
	return s->fd;
}

static int
f_pppd_start(struct l2tpd *d, struct session *s)
{
	(void)d;
	s->pppd_pid = next_pid++;
	nstarted++;
	return 0;
}

static void
f_pppd_stop(struct l2tpd *d, struct session *s)
{
	(void)d;
	(void)s;
	npppd_stop++;
}

static void
f_listen_send(struct l2tpd *d, const struct sockaddr_storage *local,
    const struct sockaddr_storage *peer, const void *p, size_t len)
{
	(void)d;
	(void)local;
	(void)peer;
	memcpy(lsent, p, len);
	lsent_len = len;
}

static const struct l2tpd_ops fake_ops = {
	.tunnel_new = f_tunnel_new,
	.tunnel_free = f_tunnel_free,
	.tunnel_send = f_tunnel_send,
	.tunnel_recv = f_tunnel_recv,
	.tunnel_fd = f_tunnel_fd,
	.session_new = f_session_new,
	.session_free = f_session_free,
	.session_stats = f_session_stats,
	.session_fd = f_session_fd,
	.pppd_start = f_pppd_start,
	.pppd_stop = f_pppd_stop,
	.listen_send = f_listen_send,
};

/* pppd.c is not linked: the plugin server's part session.c calls. */
void
pppd_plugin_detach(struct pppd_srv *srv, struct session *s)
{
	(void)srv;
	s->plugin_fd = -1;
}

/* ---- harness ---- */

struct env {
	struct vpn_conf		*conf;
	struct l2tpd		 d;
	struct sockaddr_storage	 local, peer;
	char			 slog_path[64];
	/* the LAC */
	uint16_t		 lac_tid;	/* its tunnel id */
	uint16_t		 ns, nr;	/* its next Ns, its Nr */
	uint16_t		 lns_tid;	/* learnt from SCCRP */
	struct tunnel		*t;
};

#define BASE_CONF \
    "l2tp = { hostname = \"lns\"; hello_interval = 60; " \
    "retransmit_initial = 1000; retransmit_max = 4000; " \
    "retransmit_count = 3; receive_window = 4; max_tunnels = %u; " \
    "max_sessions = 8; max_sessions_per_tunnel = %u; %s };\n" \
    "pool = { start = \"10.9.0.10\"; end = \"10.9.0.11\"; };\n" \
    "ppp = { local_address = \"10.9.0.1\"; };\n"

static void
env_init(struct env *e, unsigned int max_tunnels, unsigned int per_tunnel,
    const char *extra)
{
	char text[1024];
	struct conf_err err;
	struct sockaddr_in *sin;

	memset(e, 0, sizeof(*e));
	snprintf(text, sizeof(text), BASE_CONF, max_tunnels, per_tunnel,
	    extra);
	e->conf = conf_parse_string(text, "t.conf", NULL, &err);
	if (e->conf == NULL)
		fail_msg("conf: %s", err.msg);
	clock_set_mock(mock_clock);
	nsent = 0;
	lsent_len = 0;
	ntun_live = nsess_live = npppd_stop = nstarted = 0;
	e->d.conf = e->conf;
	e->d.ops = &fake_ops;
	e->d.listen_fd = -1;
	TAILQ_INIT(&e->d.tunnels);
	e->d.pool = pool_new(e->conf);
	assert_non_null(e->d.pool);
	snprintf(e->slog_path, sizeof(e->slog_path),
	    "/tmp/test_l2tpd.%d.jsonl", (int)getpid());
	unlink(e->slog_path);
	e->d.slog = sesslog_open(e->slog_path);
	assert_non_null(e->d.slog);
	sin = (struct sockaddr_in *)&e->local;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(1701);
	inet_pton(AF_INET, "192.0.2.1", &sin->sin_addr);
	sin = (struct sockaddr_in *)&e->peer;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(1701);
	inet_pton(AF_INET, "198.51.100.7", &sin->sin_addr);
	e->lac_tid = 77;
}

static void
env_free(struct env *e)
{
	tunnel_free_all(&e->d);
	assert_int_equal(ntun_live, 0);
	assert_int_equal(nsess_live, 0);
	sesslog_close(e->d.slog);
	unlink(e->slog_path);
	pool_free(e->d.pool);
	conf_free(e->conf);
	clock_set_mock(NULL);
}

/* Parse sent message i (ours), checking it is a control message. */
static void
parse_sent(size_t i, struct l2tp_msg *m, const struct env *e)
{
	const struct conf_secret *s = &e->conf->l2tp.secret;

	assert_true(i < nsent);
	assert_int_equal(l2tp_msg_parse(sent[i], sent_len[i],
	    (const uint8_t *)s->str, s->len, m), L2TP_OK);
}

/* The type of the last message we sent, L2TP_MSG_ZLB for a ZLB. */
static uint16_t
last_type(const struct env *e, struct l2tp_msg *m)
{
	assert_true(nsent > 0);
	parse_sent(nsent - 1, m, e);
	return m->type;
}

/* Give the LAC's message in w to the tunnel (or the listener). */
static void
lac_feed(struct env *e, struct wbuf *w, bool listener)
{
	if (listener)
		l2tpd_listen_input(&e->d, w->p, w->len, &e->local, &e->peer);
	else
		tunnel_input(e->t, w->p, w->len);
	e->ns++;
}

/* Let the tunnel do what is due now (ZLB acks go out here). */
static bool
tick(struct env *e)
{
	if (e->t == NULL)
		return false;
	if (!tunnel_tick(e->t)) {
		e->t = NULL;
		return false;
	}
	return true;
}

/* The LAC reads everything we sent since index from: its Nr moves. */
static void
lac_ack_all(struct env *e)
{
	struct l2tp_msg m;
	size_t i;

	e->nr = 0;
	for (i = 0; i < nsent; i++) {
		parse_sent(i, &m, e);
		if (!m.zlb && (uint16_t)(m.hdr.ns + 1) > e->nr)
			e->nr = (uint16_t)(m.hdr.ns + 1);
	}
}

static void
lac_zlb(struct env *e)
{
	uint8_t b[64];
	struct wbuf w = { b, sizeof(b), 0, false };

	lac_ack_all(e);
	assert_true(l2tp_build_zlb(&w, e->lns_tid, e->ns, e->nr));
	tunnel_input(e->t, b, w.len);
}

static void
lac_sccrq(struct env *e, const uint8_t *challenge)
{
	uint8_t b[512];
	struct wbuf w = { b, sizeof(b), 0, false };
	struct l2tp_ctrl_conn c;

	memset(&c, 0, sizeof(c));
	c.tunnel_id = e->lac_tid;
	c.host_name = "lac";
	c.framing_cap = L2TP_FRAMING_SYNC;
	c.rws = 4;
	c.challenge = challenge;
	c.challenge_len = challenge != NULL ? 16 : 0;
	assert_true(l2tp_build_sccrq(&w, e->ns, e->nr, &c));
	lac_feed(e, &w, true);
	e->t = TAILQ_FIRST(&e->d.tunnels);
}

/* SCCRQ, SCCRP, SCCCN: an established tunnel. */
static void
lac_connect(struct env *e)
{
	struct l2tp_msg m;
	uint8_t b[512];
	struct wbuf w = { b, sizeof(b), 0, false };

	lac_sccrq(e, NULL);
	assert_non_null(e->t);
	assert_int_equal(e->t->state, TUNNEL_WAIT_CTL_CONN);
	assert_int_equal(last_type(e, &m), L2TP_MSG_SCCRP);
	assert_int_equal(m.hdr.tunnel_id, e->lac_tid);
	e->lns_tid = m.v.tunnel_id;
	assert_int_equal(e->lns_tid, e->t->id);
	lac_ack_all(e);
	assert_true(l2tp_build_scccn(&w, e->lns_tid, e->ns, e->nr, NULL));
	lac_feed(e, &w, false);
	assert_int_equal(e->t->state, TUNNEL_ESTABLISHED);
	assert_true(tick(e));
	/* RFC 2661 5.8: the SCCCN is acked by a ZLB at once */
	assert_int_equal(last_type(e, &m), L2TP_MSG_ZLB);
	assert_int_equal(m.hdr.nr, e->ns);
}

/* ICRQ -> ICRP; returns our session id. */
static uint16_t
lac_icrq(struct env *e, uint16_t lac_sid, uint16_t expect)
{
	struct l2tp_msg m;
	uint8_t b[512];
	struct wbuf w = { b, sizeof(b), 0, false };

	lac_ack_all(e);
	assert_true(l2tp_build_icrq(&w, e->lns_tid, e->ns, e->nr, lac_sid,
	    1234));
	lac_feed(e, &w, false);
	assert_int_equal(last_type(e, &m), expect);
	assert_int_equal(m.hdr.session_id, lac_sid);
	return m.v.session_id;
}

static void
lac_iccn(struct env *e, uint16_t sid)
{
	uint8_t b[512];
	struct wbuf w = { b, sizeof(b), 0, false };

	lac_ack_all(e);
	assert_true(l2tp_build_iccn(&w, e->lns_tid, sid, e->ns, e->nr,
	    100000000, L2TP_FRAMING_SYNC));
	lac_feed(e, &w, false);
}

static void
lac_cdn(struct env *e, uint16_t sid, uint16_t lac_sid)
{
	uint8_t b[512];
	struct wbuf w = { b, sizeof(b), 0, false };

	lac_ack_all(e);
	assert_true(l2tp_build_cdn(&w, e->lns_tid, sid, e->ns, e->nr,
	    lac_sid, L2TP_CDN_ADMIN, 0, "bye"));
	lac_feed(e, &w, false);
}

static void
lac_stopccn(struct env *e)
{
	uint8_t b[512];
	struct wbuf w = { b, sizeof(b), 0, false };

	lac_ack_all(e);
	assert_true(l2tp_build_stopccn(&w, e->lns_tid, e->ns, e->nr,
	    e->lac_tid, L2TP_STOPCCN_GENERAL, 0, "done"));
	lac_feed(e, &w, false);
}

static struct session *
first_session(struct env *e)
{
	return e->t != NULL ? TAILQ_FIRST(&e->t->sessions) : NULL;
}

/* The JSON session log as one string. */
static char *
slog_text(struct env *e)
{
	static char buf[16384];
	FILE *f = fopen(e->slog_path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* ---- tests ---- */

static void
test_happy_path(void **state)
{
	struct env e;
	struct session *s;
	struct l2tp_msg m;
	uint16_t sid;
	char *log, pid[32];
	pid_t pppd_pid;

	(void)state;
	env_init(&e, 4, 4, "");
	lac_connect(&e);
	sid = lac_icrq(&e, 5, L2TP_MSG_ICRP);
	assert_int_not_equal(sid, 0);
	s = first_session(&e);
	assert_non_null(s);
	assert_int_equal(s->state, SESSION_WAIT_CONNECT);
	lac_iccn(&e, sid);
	assert_int_equal(s->state, SESSION_ESTABLISHED);
	assert_int_equal(nsess_live, 1);
	assert_int_equal(nstarted, 1);
	assert_true(s->pppd_pid > 0);
	pppd_pid = s->pppd_pid;
	assert_true(tick(&e));
	assert_int_equal(last_type(&e, &m), L2TP_MSG_ZLB);
	/* pppd exits: CDN to the peer, END record with kernel counters */
	session_pppd_exit(&e.d, s->pppd_pid, 0);
	assert_null(first_session(&e));
	assert_int_equal(nsess_live, 0);
	assert_int_equal(last_type(&e, &m), L2TP_MSG_CDN);
	assert_int_equal(m.hdr.session_id, 5);
	assert_int_equal(m.v.session_id, sid);
	log = slog_text(&e);
	assert_non_null(strstr(log, "\"event\":\"start\""));
	assert_non_null(strstr(log, "\"event\":\"end\""));
	/* START (written at ICCN: nothing to wait for) names pppd */
	snprintf(pid, sizeof(pid), "\"pppd_pid\":%d,", (int)pppd_pid);
	assert_non_null(strstr(log, pid));
	assert_true(strstr(log, pid) < strstr(log, "\"event\":\"end\""));
	assert_non_null(strstr(log, "\"bytes_in\":111"));
	assert_non_null(strstr(log, "\"bytes_out\":222"));
	env_free(&e);
}

static void
test_retransmit_and_peer_dead(void **state)
{
	struct env e;
	struct l2tp_msg m;
	size_t before;

	(void)state;
	env_init(&e, 4, 4, "");
	lac_sccrq(&e, NULL);
	assert_int_equal(nsent, 1);
	parse_sent(0, &m, &e);
	assert_int_equal(m.type, L2TP_MSG_SCCRP);
	/* RFC 2661 5.8: no ack -> the same SCCRP again after the RTO */
	now_ms += 999;
	assert_true(tick(&e));
	assert_int_equal(nsent, 1);
	now_ms += 1;
	assert_true(tick(&e));
	assert_int_equal(nsent, 2);
	assert_memory_equal(sent[0] + 4, sent[1] + 4, 4);
	parse_sent(1, &m, &e);
	assert_int_equal(m.type, L2TP_MSG_SCCRP);
	assert_int_equal(m.hdr.ns, 0);
	/* doubling 2 s, 4 s, then give up: tunnel freed */
	before = nsent;
	now_ms += 2000;
	assert_true(tick(&e));
	now_ms += 4000;
	assert_true(tick(&e));
	assert_int_equal(nsent, before + 2);
	now_ms += 4000;
	assert_false(tick(&e));
	assert_int_equal(e.d.ntunnels, 0);
	assert_int_equal(ntun_live, 0);
	env_free(&e);
}

static void
test_duplicate_sccrq(void **state)
{
	struct env e;
	struct l2tp_msg m;
	uint8_t b[512];
	struct wbuf w = { b, sizeof(b), 0, false };
	struct l2tp_ctrl_conn c;

	(void)state;
	env_init(&e, 4, 4, "");
	lac_sccrq(&e, NULL);
	assert_int_equal(nsent, 1);
	/* the same SCCRQ again (retransmitted, Ns 0) via the listener */
	memset(&c, 0, sizeof(c));
	c.tunnel_id = e.lac_tid;
	c.host_name = "lac";
	c.framing_cap = L2TP_FRAMING_SYNC;
	c.rws = 4;
	assert_true(l2tp_build_sccrq(&w, 0, 0, &c));
	l2tpd_listen_input(&e.d, b, w.len, &e.local, &e.peer);
	assert_int_equal(e.d.ntunnels, 1);
	assert_int_equal(ntun_live, 1);
	/* re-acked with a ZLB, no second SCCRP */
	assert_int_equal(last_type(&e, &m), L2TP_MSG_ZLB);
	assert_int_equal(m.hdr.nr, 1);
	/* on the tunnel's socket with tunnel id 0: the same */
	tunnel_input(e.t, b, w.len);
	assert_int_equal(e.d.ntunnels, 1);
	assert_int_equal(last_type(&e, &m), L2TP_MSG_ZLB);
	/* the peer restarted: new assigned tunnel id from the same
	 * address:port replaces the old tunnel */
	e.lac_tid = 78;
	e.ns = 0;
	e.nr = 0;
	lac_sccrq(&e, NULL);
	assert_int_equal(e.d.ntunnels, 1);
	assert_int_equal(e.t->peer_id, 78);
	env_free(&e);
}

static void
test_stopccn_from_peer(void **state)
{
	struct env e;
	struct l2tp_msg m;
	uint16_t sid;

	(void)state;
	env_init(&e, 4, 4, "");
	lac_connect(&e);
	sid = lac_icrq(&e, 5, L2TP_MSG_ICRP);
	lac_iccn(&e, sid);
	assert_int_equal(nsess_live, 1);
	lac_stopccn(&e);
	assert_int_equal(e.t->state, TUNNEL_CLOSING);
	/* sessions go at once, their pppd is told to stop */
	assert_int_equal(e.t->nsessions, 0);
	assert_int_equal(npppd_stop, 1);
	assert_true(tick(&e));
	assert_int_equal(last_type(&e, &m), L2TP_MSG_ZLB);
	/* lingers to re-ack, then goes */
	now_ms += L2TPD_LINGER_MS - 1;
	assert_true(tick(&e));
	now_ms += 1;
	assert_false(tick(&e));
	assert_int_equal(ntun_live, 0);
	assert_non_null(strstr(slog_text(&e), "\"event\":\"end\""));
	env_free(&e);
}

static void
test_cdn_from_peer(void **state)
{
	struct env e;
	struct session *s;
	struct l2tp_msg m;
	uint16_t sid;
	size_t before;

	(void)state;
	env_init(&e, 4, 4, "");
	lac_connect(&e);
	sid = lac_icrq(&e, 5, L2TP_MSG_ICRP);
	lac_iccn(&e, sid);
	s = first_session(&e);
	lac_cdn(&e, sid, 5);
	/* pppd told to stop; the session waits for it */
	assert_int_equal(npppd_stop, 1);
	assert_int_equal(s->state, SESSION_CLOSED);
	before = nsent;
	session_pppd_exit(&e.d, s->pppd_pid, 0);
	assert_null(first_session(&e));
	assert_int_equal(nsess_live, 0);
	/* no CDN back: only the ZLB ack */
	assert_true(tick(&e));
	assert_int_equal(nsent, before + 1);
	assert_int_equal(last_type(&e, &m), L2TP_MSG_ZLB);
	/* a CDN before ICCN (no kernel session, no pppd) */
	sid = lac_icrq(&e, 6, L2TP_MSG_ICRP);
	lac_cdn(&e, sid, 6);
	assert_null(first_session(&e));
	assert_int_equal(e.t->state, TUNNEL_ESTABLISHED);
	env_free(&e);
}

static void
test_hello_timeout(void **state)
{
	struct env e;
	struct l2tp_msg m;
	uint16_t sid;
	size_t before;
	int i;

	(void)state;
	env_init(&e, 4, 4, "");
	lac_connect(&e);
	sid = lac_icrq(&e, 5, L2TP_MSG_ICRP);
	lac_iccn(&e, sid);
	assert_true(tick(&e));
	/* 60 s of silence: HELLO */
	now_ms += 60000;
	assert_true(tick(&e));
	assert_int_equal(last_type(&e, &m), L2TP_MSG_HELLO);
	/* acked: quiet again, next HELLO 60 s later */
	lac_zlb(&e);
	before = nsent;
	now_ms += 59999;
	assert_true(tick(&e));
	assert_int_equal(nsent, before);
	now_ms += 1;
	assert_true(tick(&e));
	assert_int_equal(last_type(&e, &m), L2TP_MSG_HELLO);
	/* never acked: retransmissions, then everything of the peer goes */
	for (i = 0; i < 10 && tick(&e); i++)
		now_ms += 4000;
	assert_null(e.t);
	assert_int_equal(e.d.ntunnels, 0);
	assert_int_equal(nsess_live, 0);
	assert_int_equal(npppd_stop, 1);
	assert_non_null(strstr(slog_text(&e), "\"event\":\"end\""));
	env_free(&e);
}

static void
test_limits(void **state)
{
	struct env e;
	struct l2tp_msg m;
	struct sockaddr_in *sin;
	uint8_t b[512];
	struct wbuf w = { b, sizeof(b), 0, false };
	struct l2tp_ctrl_conn c;

	(void)state;
	env_init(&e, 1, 1, "");
	lac_connect(&e);
	(void)lac_icrq(&e, 5, L2TP_MSG_ICRP);
	/* the second call of the tunnel: CDN, no resources */
	(void)lac_icrq(&e, 6, L2TP_MSG_CDN);
	parse_sent(nsent - 1, &m, &e);
	assert_int_equal(m.v.result.code, L2TP_CDN_NO_RESOURCES_TEMP);
	assert_int_equal(e.t->nsessions, 1);
	/* a second tunnel from another peer: StopCCN from the listener */
	sin = (struct sockaddr_in *)&e.peer;
	inet_pton(AF_INET, "198.51.100.8", &sin->sin_addr);
	memset(&c, 0, sizeof(c));
	c.tunnel_id = 99;
	c.host_name = "other";
	c.framing_cap = L2TP_FRAMING_SYNC;
	assert_true(l2tp_build_sccrq(&w, 0, 0, &c));
	l2tpd_listen_input(&e.d, b, w.len, &e.local, &e.peer);
	assert_int_equal(e.d.ntunnels, 1);
	assert_true(lsent_len > 0);
	assert_int_equal(l2tp_msg_parse(lsent, lsent_len, NULL, 0, &m),
	    L2TP_OK);
	assert_int_equal(m.type, L2TP_MSG_STOPCCN);
	assert_int_equal(m.hdr.tunnel_id, 99);
	assert_int_equal(m.v.result.error, L2TP_ERROR_NO_RESOURCES);
	env_free(&e);
}

static void
test_tunnel_auth(void **state)
{
	struct env e;
	struct l2tp_msg m;
	uint8_t b[512], resp[16], ch[16];
	struct wbuf w = { b, sizeof(b), 0, false };
	const char *sec = "tunnelsecret";
	int round;

	(void)state;
	memset(ch, 0xa5, sizeof(ch));
	for (round = 0; round < 2; round++) {
		env_init(&e, 4, 4, "secret = \"tunnelsecret\";");
		lac_sccrq(&e, ch);
		assert_int_equal(last_type(&e, &m), L2TP_MSG_SCCRP);
		/* our challenge, and our response to theirs */
		assert_true((m.v.present & L2TP_BIT(L2TP_AVP_CHALLENGE)) != 0);
		assert_true(l2tp_challenge_response(L2TP_MSG_SCCRP,
		    (const uint8_t *)sec, strlen(sec), ch, 16, resp));
		assert_memory_equal(m.v.challenge_response, resp, 16);
		e.lns_tid = m.v.tunnel_id;
		assert_true(l2tp_challenge_response(L2TP_MSG_SCCCN,
		    (const uint8_t *)sec, strlen(sec), m.v.challenge.p,
		    m.v.challenge.len, resp));
		if (round == 1)
			resp[0] ^= 1;
		lac_ack_all(&e);
		w.len = 0;
		assert_true(l2tp_build_scccn(&w, e.lns_tid, e.ns, e.nr,
		    resp));
		lac_feed(&e, &w, false);
		if (round == 0) {
			assert_int_equal(e.t->state, TUNNEL_ESTABLISHED);
		} else {
			assert_int_equal(e.t->state, TUNNEL_CLOSING);
			assert_int_equal(last_type(&e, &m), L2TP_MSG_STOPCCN);
			assert_int_equal(m.v.result.code,
			    L2TP_STOPCCN_NOT_AUTHORIZED);
		}
		env_free(&e);
	}
	/* a challenge without a secret of ours: refused */
	env_init(&e, 4, 4, "");
	lac_sccrq(&e, ch);
	assert_int_equal(last_type(&e, &m), L2TP_MSG_STOPCCN);
	assert_int_equal(m.v.result.code, L2TP_STOPCCN_NOT_AUTHORIZED);
	assert_int_equal(e.t->state, TUNNEL_CLOSING);
	env_free(&e);
}

static void
test_fsm_errors(void **state)
{
	struct env e;
	struct l2tp_msg m;
	uint8_t b[512];
	struct wbuf w = { b, sizeof(b), 0, false };

	(void)state;
	/* ICRQ before SCCCN: StopCCN with an FSM error */
	env_init(&e, 4, 4, "");
	lac_sccrq(&e, NULL);
	e.lns_tid = e.t->id;
	lac_ack_all(&e);
	assert_true(l2tp_build_icrq(&w, e.lns_tid, e.ns, e.nr, 5, 1));
	lac_feed(&e, &w, false);
	assert_int_equal(e.t->state, TUNNEL_CLOSING);
	assert_int_equal(last_type(&e, &m), L2TP_MSG_STOPCCN);
	assert_int_equal(m.v.result.code, L2TP_STOPCCN_FSM_ERROR);
	env_free(&e);
	/* ICCN for a session that waits for nothing: CDN */
	env_init(&e, 4, 4, "");
	lac_connect(&e);
	lac_iccn(&e, 4242);	/* unknown: dropped */
	assert_int_equal(e.t->state, TUNNEL_ESTABLISHED);
	{
		uint16_t sid = lac_icrq(&e, 5, L2TP_MSG_ICRP);

		lac_iccn(&e, sid);
		lac_iccn(&e, sid);	/* second ICCN: CDN */
		assert_int_equal(last_type(&e, &m), L2TP_MSG_CDN);
		assert_int_equal(first_session(&e)->state, SESSION_CLOSED);
	}
	/* SCCCN again when established: FSM error */
	lac_ack_all(&e);
	w.len = 0;
	assert_true(l2tp_build_scccn(&w, e.lns_tid, e.ns, e.nr, NULL));
	lac_feed(&e, &w, false);
	assert_int_equal(e.t->state, TUNNEL_CLOSING);
	env_free(&e);
	/* something that is not an SCCRQ on the listener: dropped */
	env_init(&e, 4, 4, "");
	w.len = 0;
	assert_true(l2tp_build_hello(&w, 0, 0, 0));
	l2tpd_listen_input(&e.d, b, w.len, &e.local, &e.peer);
	assert_int_equal(e.d.ntunnels, 0);
	assert_int_equal(nsent + lsent_len, 0);
	env_free(&e);
}

static void
test_tunnel_id_eexist(void **state)
{
	struct env e;

	(void)state;
	env_init(&e, 4, 4, "");
	fail_tunnel_eexist = true;
	lac_connect(&e);
	assert_int_equal(e.d.ntunnels, 1);
	env_free(&e);
}

static void
test_apple_host_name(void **state)
{
	struct env e;
	struct l2tp_values v;
	uint8_t b[512];
	struct wbuf w = { b, sizeof(b), 0, false };
	static const uint8_t host[] = "iPhone";

	(void)state;
	env_init(&e, 4, 4, "");
	memset(&v, 0, sizeof(v));
	v.present = L2TP_BIT(L2TP_AVP_PROTOCOL_VERSION) |
	    L2TP_BIT(L2TP_AVP_HOST_NAME) | L2TP_BIT(L2TP_AVP_FRAMING_CAP) |
	    L2TP_BIT(L2TP_AVP_ASSIGNED_TUNNEL_ID);
	v.proto_ver = 1;
	v.host_name.p = host;
	v.host_name.len = sizeof(host);	/* with the NUL, as Apple sends */
	v.framing_cap = L2TP_FRAMING_SYNC;
	v.tunnel_id = 33;
	assert_true(l2tp_build_ctrl(&w, 0, 0, 0, 0, L2TP_MSG_SCCRQ, &v,
	    NULL));
	l2tpd_listen_input(&e.d, b, w.len, &e.local, &e.peer);
	e.t = TAILQ_FIRST(&e.d.tunnels);
	assert_non_null(e.t);
	assert_true(e.t->apple);
	assert_int_equal(e.t->client, SESSLOG_CLIENT_APPLE);
	assert_string_equal(e.t->peer_host, "iPhone");
	env_free(&e);
}

static void
test_plugin_reports(void **state)
{
	struct env e;
	struct session *s;
	struct sessproto_msg pm, r;
	int sp[2];
	uint16_t sid;
	char *log;

	(void)state;
	env_init(&e, 4, 4, "");
	lac_connect(&e);
	sid = lac_icrq(&e, 5, L2TP_MSG_ICRP);
	lac_iccn(&e, sid);
	s = first_session(&e);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp), 0);
	s->plugin_fd = sp[0];
	memset(&pm, 0, sizeof(pm));
	pm.type = SESSPROTO_ADDR_REQ;
	snprintf(pm.u.auth.user, sizeof(pm.u.auth.user), "alice");
	session_plugin_msg(s, &pm);
	assert_int_equal(sessproto_recv(sp[1], &r), 1);
	assert_int_equal(r.type, SESSPROTO_ADDR);
	assert_int_equal(r.u.addr.remote, inet_addr("10.9.0.10"));
	assert_int_equal(r.u.addr.local, inet_addr("10.9.0.1"));
	assert_int_equal(pool_nused(e.d.pool), 1);
	memset(&pm, 0, sizeof(pm));
	pm.type = SESSPROTO_AUTH_OK;
	pm.u.auth.method = SESSPROTO_AUTH_MSCHAPV2;
	snprintf(pm.u.auth.user, sizeof(pm.u.auth.user), "alice");
	session_plugin_msg(s, &pm);
	memset(&pm, 0, sizeof(pm));
	pm.type = SESSPROTO_COUNTERS;
	pm.u.counters.flags = SESSPROTO_COUNTERS_FINAL;
	pm.u.counters.bytes_in = 5000;
	pm.u.counters.bytes_out = 7000;
	pm.u.counters.pkts_in = 50;
	pm.u.counters.pkts_out = 70;
	session_plugin_msg(s, &pm);
	session_pppd_exit(&e.d, s->pppd_pid, 5 << 8);
	/* address back in the pool, END with pppd's final counters */
	assert_int_equal(pool_nused(e.d.pool), 0);
	log = slog_text(&e);
	assert_non_null(strstr(log, "\"event\":\"auth-ok\""));
	assert_non_null(strstr(log, "\"user\":\"alice\""));
	assert_non_null(strstr(log, "\"address\":\"10.9.0.10\""));
	assert_non_null(strstr(log, "\"bytes_in\":5000"));
	assert_non_null(strstr(log, "\"bytes_out\":7000"));
	close(sp[0]);
	close(sp[1]);
	env_free(&e);
}

/* START waits for ikd's answer so that it carries the IKE identifiers. */
static void
test_start_waits_for_ikd(void **state)
{
	struct env e;
	struct sesslog ike;
	uint16_t sid;
	char *log;

	(void)state;
	env_init(&e, 4, 4, "");
	lac_connect(&e);
	e.t->ike_pending = true;	/* as after ikdlink_query_peer */
	sid = lac_icrq(&e, 5, L2TP_MSG_ICRP);
	lac_iccn(&e, sid);
	assert_null(strstr(slog_text(&e), "\"event\":\"start\""));
	sesslog_init(&ike);
	ike.has_cookies = true;
	memset(ike.icookie, 0xab, 8);
	memset(ike.rcookie, 0xcd, 8);
	ike.spi_in = 0x11223344;
	ike.spi_out = 0x55667788;
	ike.client = SESSLOG_CLIENT_WINDOWS;
	tunnel_set_ike(e.t, &ike);
	log = slog_text(&e);
	assert_non_null(strstr(log, "\"event\":\"start\""));
	assert_non_null(strstr(log, "\"icookie\":\"abababababababab\""));
	assert_non_null(strstr(log, "\"spi_in\":\"11223344\""));
	assert_non_null(strstr(log, "\"client\":\"windows\""));
	env_free(&e);
	/* no answer at all (ikd gone): START still precedes END */
	env_init(&e, 4, 4, "");
	lac_connect(&e);
	e.t->ike_pending = true;
	sid = lac_icrq(&e, 5, L2TP_MSG_ICRP);
	lac_iccn(&e, sid);
	session_pppd_exit(&e.d, first_session(&e)->pppd_pid, 0);
	log = slog_text(&e);
	assert_non_null(strstr(log, "\"event\":\"start\""));
	assert_true(strstr(log, "\"event\":\"start\"") <
	    strstr(log, "\"event\":\"end\""));
	env_free(&e);
}

/* SIGTERM: StopCCN (shutting down) to the peer, pppd stopped, END. */
static void
test_shutdown(void **state)
{
	struct env e;
	struct l2tp_msg m;
	uint16_t sid;

	(void)state;
	env_init(&e, 4, 4, "");
	lac_connect(&e);
	sid = lac_icrq(&e, 5, L2TP_MSG_ICRP);
	lac_iccn(&e, sid);
	l2tpd_shutdown(&e.d);
	assert_true(e.d.stopping);
	assert_int_equal(e.t->state, TUNNEL_CLOSING);
	assert_int_equal(last_type(&e, &m), L2TP_MSG_STOPCCN);
	assert_int_equal(m.v.result.code, L2TP_STOPCCN_SHUTTING_DOWN);
	assert_int_equal(npppd_stop, 1);
	assert_int_equal(e.t->nsessions, 0);
	assert_non_null(strstr(slog_text(&e), "\"event\":\"end\""));
	/* no new calls while stopping: the ICRQ is only acked */
	{
		uint8_t b[512];
		struct wbuf w = { b, sizeof(b), 0, false };

		lac_ack_all(&e);
		assert_true(l2tp_build_icrq(&w, e.lns_tid, e.ns, e.nr, 6, 2));
		lac_feed(&e, &w, false);
		assert_true(tick(&e));
		assert_int_equal(last_type(&e, &m), L2TP_MSG_ZLB);
		assert_int_equal(e.t->nsessions, 0);
	}
	env_free(&e);
}

/* STYLE 11: every (state, event) pair of the tunnel table. */
static void
test_tunnel_table(void **state)
{
	/* expected next state, or -1 for unlisted (the FSM-error exit) */
	enum { I = TUNNEL_IDLE, W = TUNNEL_WAIT_CTL_CONN,
	    E = TUNNEL_ESTABLISHED, C = TUNNEL_CLOSING, D = TUNNEL_DEAD,
	    X = -1 };
	static const int want[5][12] = {
		/* SCCRQ SCCRQ_BAD SCCCN SCCCN_BAD STOPCCN HELLO SESSION
		 * OTHER PEER_DEAD HELLO_DUE LINGER ADMIN */
		[TUNNEL_IDLE] = { W, C, X, X, X, X, X, X, D, X, X, D },
		[TUNNEL_WAIT_CTL_CONN] = { X, X, E, C, C, W, X, X, D, X, X,
		    C },
		[TUNNEL_ESTABLISHED] = { X, X, X, X, C, E, E, X, D, E, X, C },
		[TUNNEL_CLOSING] = { X, X, X, X, C, C, C, X, D, X, D, C },
		[TUNNEL_DEAD] = { X, X, X, X, X, X, X, X, X, X, X, X },
	};
	enum tunnel_state next;
	int s, ev;
	bool listed;

	(void)state;
	for (s = TUNNEL_IDLE; s <= TUNNEL_DEAD; s++)
		for (ev = TEV_SCCRQ; ev <= TEV_ADMIN_CLOSE; ev++) {
			listed = tunnel_transition((enum tunnel_state)s,
			    (enum tunnel_event)ev, &next);
			if (want[s][ev] == X) {
				if (listed)
					fail_msg("%s/%s listed",
					    tunnel_state_name(s),
					    tunnel_event_name(ev));
				continue;
			}
			if (!listed || (int)next != want[s][ev])
				fail_msg("%s/%s -> %s",
				    tunnel_state_name(s),
				    tunnel_event_name(ev), listed ?
				    tunnel_state_name(next) : "unlisted");
		}
	assert_string_equal(tunnel_state_name(TUNNEL_CLOSING), "closing");
	assert_string_equal(tunnel_event_name(TEV_ADMIN_CLOSE),
	    "admin-close");
}

static void
test_ikd_records(void **state)
{
	struct sesslog rec;
	const char *ike = "ike-sa id=ike#1 peer=198.51.100.7:4500 "
	    "state=ESTABLISHED nat=yes cookies=0011223344556677:"
	    "8899aabbccddeeff client=windows";
	const char *esp = "ipsec-sa id=esp#2 peer=198.51.100.7:4500 ike=ike#1 "
	    "cookies=0011223344556677:8899aabbccddeeff spi-in=0xc1a2b3c4 "
	    "spi-out=0x0badf00d client=windows l2tp-port=1701 encap=yes";
	static const uint8_t ic[8] = { 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
	    0x77 };

	(void)state;
	sesslog_init(&rec);
	assert_true(ikdlink_parse_record(ike, strlen(ike), &rec));
	assert_true(rec.nat);
	assert_true(rec.has_cookies);
	assert_memory_equal(rec.icookie, ic, 8);
	assert_int_equal(rec.rcookie[7], 0xff);
	assert_int_equal(rec.client, SESSLOG_CLIENT_WINDOWS);
	assert_int_equal(rec.peer.ss_family, AF_INET);
	assert_int_equal(ntohs(((struct sockaddr_in *)&rec.peer)->sin_port),
	    4500);
	assert_true(ikdlink_parse_record(esp, strlen(esp), &rec));
	assert_int_equal(rec.spi_in, 0xc1a2b3c4);
	assert_int_equal(rec.spi_out, 0x0badf00d);
	sesslog_init(&rec);
	assert_false(ikdlink_parse_record("policy dir=in", 13, &rec));
	assert_false(ikdlink_parse_record("ok", 2, &rec));
	/* a bad cookie string is ignored, not half-parsed */
	assert_true(ikdlink_parse_record("ike-sa cookies=zz", 17, &rec));
	assert_false(rec.has_cookies);
	/* peers: IPv6 in brackets; bad ones leave the record alone */
	assert_true(ikdlink_parse_record("ike-sa peer=[2001:db8::1]:61234",
	    31, &rec));
	assert_int_equal(rec.peer.ss_family, AF_INET6);
	assert_int_equal(ntohs(((struct sockaddr_in6 *)&rec.peer)->sin6_port),
	    61234);
	sesslog_init(&rec);
	assert_true(ikdlink_parse_record("ike-sa peer=1.2.3.4:99999", 25,
	    &rec));
	assert_true(ikdlink_parse_record("ike-sa peer=1.2.3.4", 19, &rec));
	assert_true(ikdlink_parse_record("ike-sa peer=x:1", 15, &rec));
	assert_int_equal(rec.peer.ss_family, AF_UNSPEC);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_happy_path),
		cmocka_unit_test(test_retransmit_and_peer_dead),
		cmocka_unit_test(test_duplicate_sccrq),
		cmocka_unit_test(test_stopccn_from_peer),
		cmocka_unit_test(test_cdn_from_peer),
		cmocka_unit_test(test_hello_timeout),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_tunnel_auth),
		cmocka_unit_test(test_fsm_errors),
		cmocka_unit_test(test_tunnel_id_eexist),
		cmocka_unit_test(test_apple_host_name),
		cmocka_unit_test(test_plugin_reports),
		cmocka_unit_test(test_start_waits_for_ikd),
		cmocka_unit_test(test_shutdown),
		cmocka_unit_test(test_tunnel_table),
		cmocka_unit_test(test_ikd_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
