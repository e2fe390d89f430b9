/*
 * control.c - ikd's control socket server (protocol: lib/ctl.h), run by
 * the IKE process, which holds the SA state. The privileged parent
 * created and bound the socket (mode 0600 in run_dir) and handed the
 * listening descriptor down; connections are accepted only from the
 * parent's uid (root), checked with SO_PEERCRED. Policies, L2TP
 * registration and SA counters come from the parent (priv.h).
 *
 * Each connection is a bufferevent: request lines are cut at "\n" and
 * bounded by CTL_REQ_MAX; a longer one gets "error request too long" and
 * the connection is closed. A watcher whose unread output passes
 * CTL_OUT_MAX is dropped (it stopped reading).
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ikd/ikd.h"
#include "ikd/priv.h"
#include "lib/clock.h"
#include "lib/ctl.h"
#include "lib/ev.h"
#include "lib/log.h"

#define CTL_TAG		"ctl"
/* Connections at a time. */
#define CTL_MAX_CONNS	16
/* Unread output a connection may pile up. */
#define CTL_OUT_MAX	(1024 * 1024)

struct ikd_ctl;

struct ctl_conn {
	TAILQ_ENTRY(ctl_conn)	 link;
	struct ikd_ctl		*ctl;
	struct bufferevent	*bev;
	unsigned int		 id;
	bool			 watch;
	bool			 closing;	/* close once flushed */
};

struct ikd_ctl {
	struct ikd			*ctx;
	struct event_base		*base;
	int				 fd;
	uid_t				 uid;
	struct priv_client		*pc;
	struct event			*ev;
	TAILQ_HEAD(, ctl_conn)		 conns;
	size_t				 nconns;
	unsigned int			 next_id;
};

static void
conn_free(struct ctl_conn *c)
{
	TAILQ_REMOVE(&c->ctl->conns, c, link);
	c->ctl->nconns--;
	log_debug("%s#%u: closed", CTL_TAG, c->id);
	bufferevent_free(c->bev);
	free(c);
}

static void
conn_send(struct ctl_conn *c, const char *line)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);

	if (evbuffer_add(out, line, strlen(line)) == -1)
		log_warnx("%s#%u: output buffer", CTL_TAG, c->id);
}

static void
conn_record(struct ctl_conn *c, struct ctl_rec *r)
{
	const char *line;

	if ((line = ctl_rec_line(r)) == NULL) {
		log_warnx("%s#%u: record too long, dropped", CTL_TAG, c->id);
		return;
	}
	conn_send(c, line);
}

static void
conn_error(struct ctl_conn *c, const char *why)
{
	char line[CTL_LINE_MAX];

	snprintf(line, sizeof(line), "error %s\n", why);
	conn_send(c, line);
}

/* Copy s with spaces as ',' (proposal strings in one value). */
static const char *
commas(const char *s, char *buf, size_t len)
{
	size_t i;

	snprintf(buf, len, "%s", s);
	for (i = 0; buf[i] != '\0'; i++)
		if (buf[i] == ' ')
			buf[i] = ',';
	return buf;
}

/* "icookie:rcookie" in hex; buf has room for 2 * 16 + 2 bytes. */
static void
cookies_str(const uint8_t *i, const uint8_t *r, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t k, n = 0;

	if (len < 4 * ISAKMP_COOKIE_LEN + 2) {
		buf[0] = '\0';
		return;
	}
	for (k = 0; k < ISAKMP_COOKIE_LEN; k++) {
		buf[n++] = hex[i[k] >> 4];
		buf[n++] = hex[i[k] & 0xf];
	}
	buf[n++] = ':';
	for (k = 0; k < ISAKMP_COOKIE_LEN; k++) {
		buf[n++] = hex[r[k] >> 4];
		buf[n++] = hex[r[k] & 0xf];
	}
	buf[n] = '\0';
}

static uint64_t
age_s(uint64_t since_ms)
{
	uint64_t now = clock_mono_ms();

	return now > since_ms ? (now - since_ms) / 1000 : 0;
}

static void
ike_sa_rec(const struct ike_sa *sa, struct ctl_rec *r)
{
	char a[IKD_TAG_MAX], ck[2 * 2 * ISAKMP_COOKIE_LEN + 2];
	char alg[PROPOSAL_STR_MAX];
	const struct ike_child *ch;
	size_t n = 0;

	TAILQ_FOREACH(ch, &sa->ikd->children, link)
		if (ch->sa == sa)
			n++;
	cookies_str(sa->icookie, sa->rcookie, ck, sizeof(ck));
	ctl_rec_init(r, "ike-sa");
	ctl_rec_add(r, "id", "ike#%u", sa->serial);
	ctl_rec_add(r, "peer", "%s", sa_str(&sa->path.remote, true, a,
	    sizeof(a)));
	ctl_rec_add(r, "local", "%s", sa_str(&sa->path.local, true, a,
	    sizeof(a)));
	ctl_rec_add(r, "state", "%s", ike_sa_state_name(sa->state));
	ctl_rec_add(r, "nat", "%s", sa->peer_natted || sa->local_natted ?
	    "yes" : "no");
	ctl_rec_add(r, "natt", "%s", sa->natt == IKD_NATT_RFC ? "rfc3947" :
	    sa->natt == IKD_NATT_DRAFT ? "draft" : "none");
	ctl_rec_add(r, "cookies", "%s", ck);
	ctl_rec_add(r, "client", "%s", ikd_client_name(sa->client));
	ctl_rec_add(r, "peer-id", "%s", sa->peer_id);
	ctl_rec_add(r, "alg", "%s", commas(sa->prop_str, alg, sizeof(alg)));
	ctl_rec_add(r, "age", "%llu", (unsigned long long)age_s(
	    sa->created_ms));
	ctl_rec_add(r, "ipsec-sas", "%zu", n);
}

/* The keys that identify an ESP SA pair (ipsec-sa and the events). */
static void
child_rec(const struct ike_child *ch, const char *kind, struct ctl_rec *r)
{
	char a[IKD_TAG_MAX], ck[2 * 2 * ISAKMP_COOKIE_LEN + 2];

	cookies_str(ch->icookie, ch->rcookie, ck, sizeof(ck));
	ctl_rec_init(r, kind);
	ctl_rec_add(r, "id", "esp#%u", ch->serial);
	ctl_rec_add(r, "peer", "%s", sa_str(&ch->path.remote, true, a,
	    sizeof(a)));
	ctl_rec_add(r, "ike", "ike#%u", ch->ike_serial);
	ctl_rec_add(r, "cookies", "%s", ck);
	ctl_rec_add(r, "spi-in", "0x%08x", ch->spi_in);
	ctl_rec_add(r, "spi-out", "0x%08x", ch->spi_out);
	ctl_rec_add(r, "client", "%s", ikd_client_name(ch->client));
	ctl_rec_add(r, "l2tp-port", "%u", ch->l2tp_port);
}

static void
counters_add(struct ikd *ctx, const struct ike_child *ch, bool in,
    struct ctl_rec *r)
{
	struct xfrm_sa_counters k;
	struct xfrm_sa_id id;
	const char *d = in ? "in" : "out";
	char key[16];

	if ((in ? !ch->in_installed : !ch->out_installed) ||
	    ctx->kops->sa_counters == NULL) {
		snprintf(key, sizeof(key), "%s-bytes", d);
		ctl_rec_add(r, key, "?");
		return;
	}
	ike_child_sa_id(ch, in, &id);
	memset(&k, 0, sizeof(k));
	if (ctx->kops->sa_counters(ctx->karg, &id, &k) == -1) {
		snprintf(key, sizeof(key), "%s-bytes", d);
		ctl_rec_add(r, key, "?");
		snprintf(key, sizeof(key), "%s-packets", d);
		ctl_rec_add(r, key, "?");
		return;
	}
	snprintf(key, sizeof(key), "%s-bytes", d);
	ctl_rec_add(r, key, "%llu", (unsigned long long)k.bytes);
	snprintf(key, sizeof(key), "%s-packets", d);
	ctl_rec_add(r, key, "%llu", (unsigned long long)k.packets);
}

static void
ipsec_sa_rec(struct ikd *ctx, const struct ike_child *ch, struct ctl_rec *r)
{
	char alg[PROPOSAL_STR_MAX];

	child_rec(ch, "ipsec-sa", r);
	ctl_rec_add(r, "esp", "%s", commas(ch->esp_str, alg, sizeof(alg)));
	ctl_rec_add(r, "encap", "%s", ch->udp_encap ? "yes" : "no");
	ctl_rec_add(r, "age", "%llu", (unsigned long long)age_s(
	    ch->created_ms));
	counters_add(ctx, ch, true, r);
	counters_add(ctx, ch, false, r);
}

/* `peer <addr> <port>`: does ch belong to that peer? */
static bool
child_matches(const struct ike_child *ch, const struct ctl_req *q)
{
	if (!sa_equal(&ch->path.remote, &q->addr, false))
		return false;
	return q->port == 0 || sa_port(&ch->path.remote) == q->port ||
	    ch->l2tp_port == q->port || ch->l2tp_port == 0;
}

static bool
sa_matches(const struct ike_sa *sa, const struct ctl_req *q)
{
	const struct ike_child *ch;

	if (!sa_equal(&sa->path.remote, &q->addr, false))
		return false;
	if (q->port == 0 || sa_port(&sa->path.remote) == q->port)
		return true;
	TAILQ_FOREACH(ch, &sa->ikd->children, link)
		if (ch->sa == sa && child_matches(ch, q))
			return true;
	return false;
}

struct pol_print {
	struct ctl_conn		*c;
};

static void
policy_rec(const struct priv_policy *p, struct ctl_rec *r)
{
	const struct xfrm_sel *s = &p->req.sel;
	char a[XFRM_ADDRSTRLEN], b[XFRM_ADDRSTRLEN];

	ctl_rec_init(r, "policy");
	ctl_rec_add(r, "dir", "%s", xfrm_dir_name(p->req.dir));
	ctl_rec_add(r, "src", "%s/%u", xfrm_addr_ntop(s->family, &s->src, a,
	    sizeof(a)), s->src_plen);
	ctl_rec_add(r, "dst", "%s/%u", xfrm_addr_ntop(s->family, &s->dst, b,
	    sizeof(b)), s->dst_plen);
	ctl_rec_add(r, "proto", "%u", s->proto);
	if (s->sport_mask != 0)
		ctl_rec_add(r, "sport", "%u", s->sport);
	else
		ctl_rec_add(r, "sport", "any");
	if (s->dport_mask != 0)
		ctl_rec_add(r, "dport", "%u", s->dport);
	else
		ctl_rec_add(r, "dport", "any");
	ctl_rec_add(r, "priority", "%u", p->req.priority);
	ctl_rec_add(r, "reqid", "0x%08x", p->req.reqid);
	ctl_rec_add(r, "installed", "%s", p->installed ? "yes" : "no");
}

static void
cmd_policies(struct ctl_conn *c)
{
	struct priv_policy_list *l;
	struct ctl_rec r;
	uint32_t i;

	if (c->ctl->pc == NULL) {
		conn_error(c, "policies are not available");
		return;
	}
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		conn_error(c, "out of memory");
		return;
	}
	if (priv_call(c->ctl->pc, PRIV_POLICY_LIST, NULL, 0, l,
	    sizeof(*l)) == -1) {
		conn_error(c, strerror(errno));
		free(l);
		return;
	}
	for (i = 0; i < l->n && i < PRIV_POLICY_MAX; i++) {
		policy_rec(&l->p[i], &r);
		conn_record(c, &r);
	}
	ctl_rec_init(&r, "l2tp");
	ctl_rec_add(&r, "port", "%u", l->l2tp_port);
	ctl_rec_add(&r, "policies", "%u", l->n);
	conn_record(c, &r);
	free(l);
	conn_send(c, "ok\n");
}

/*
 * "drop <addr> <port>": the ESP SAs and ISAKMP SAs "peer" would list go,
 * each announced to the peer with a Delete notification first. An
 * ISAKMP SA that still has ESP SAs of another L2TP port stays.
 */
static void
cmd_drop(struct ctl_conn *c, const struct ctl_req *q)
{
	struct ikd *ctx = c->ctl->ctx;
	struct ike_child *ch, *cn;
	struct ike_sa *sa, *sn;
	struct ctl_rec r;
	size_t nsa = 0, nch = 0;
	char what[CTL_REQ_MAX];
	bool busy;

	for (sa = TAILQ_FIRST(&ctx->sas); sa != NULL; sa = sn) {
		sn = TAILQ_NEXT(sa, link);
		if (!sa_matches(sa, q))
			continue;
		busy = false;
		for (ch = TAILQ_FIRST(&ctx->children); ch != NULL; ch = cn) {
			cn = TAILQ_NEXT(ch, link);
			if (ch->sa != sa)
				continue;
			if (!child_matches(ch, q)) {
				busy = true;
				continue;
			}
			ike_child_notify_delete(ch);
			ike_child_delete(ch, "dropped on request (drop)");
			nch++;
		}
		if (busy)
			continue;
		ike_sa_delete(sa, true, "dropped on request (drop)");
		nsa++;
	}
	/* ESP SAs of this peer under an ISAKMP SA that is already gone */
	for (ch = TAILQ_FIRST(&ctx->children); ch != NULL; ch = cn) {
		cn = TAILQ_NEXT(ch, link);
		if (!child_matches(ch, q))
			continue;
		ike_child_notify_delete(ch);
		ike_child_delete(ch, "dropped on request (drop)");
		nch++;
	}
	if (ctl_req_format(q, what, sizeof(what)) < 1)
		snprintf(what, sizeof(what), "drop\n");
	what[strcspn(what, "\n")] = '\0';
	if (nsa == 0 && nch == 0) {
		log_info("%s#%u: %s: no SA for this peer", CTL_TAG, c->id,
		    what);
		conn_error(c, "no SA for this peer");
		return;
	}
	log_info("%s#%u: %s: dropped %zu ISAKMP SA(s) and %zu ESP SA "
	    "pair(s) of the peer", CTL_TAG, c->id, what, nsa, nch);
	ctl_rec_init(&r, "dropped");
	ctl_rec_add(&r, "ike-sas", "%zu", nsa);
	ctl_rec_add(&r, "ipsec-sas", "%zu", nch);
	conn_record(c, &r);
	conn_send(c, "ok\n");
}

static void
cmd_register(struct ctl_conn *c, uint16_t port)
{
	struct priv_l2tp req;
	struct ctl_rec r;
	uint32_t n = 0;

	if (c->ctl->pc == NULL) {
		conn_error(c, "policies are not available");
		return;
	}
	memset(&req, 0, sizeof(req));
	req.port = port;
	if (priv_call(c->ctl->pc, PRIV_L2TP_REGISTER, &req, sizeof(req), &n,
	    sizeof(n)) == -1) {
		conn_error(c, strerror(errno));
		return;
	}
	log_info("%s#%u: L2TP daemon registered port %u, %u policies "
	    "installed", CTL_TAG, c->id, port, n);
	ctl_rec_init(&r, "l2tp");
	ctl_rec_add(&r, "port", "%u", port);
	ctl_rec_add(&r, "policies", "%u", n);
	conn_record(c, &r);
	if (n == 0)
		conn_error(c, "no L2TP policy installed");
	else
		conn_send(c, "ok\n");
}

/* "counters": ikd's counters, then the IKE fragmentation ones. */
static void
cmd_counters(struct ctl_conn *c)
{
	const struct ikd *ctx = c->ctl->ctx;
	const struct ikd_counters *k = &ctx->ctr;
	const struct frag_stats *fs = NULL;
	struct ctl_rec r;
	char key[32];
	size_t i;

	ctl_rec_init(&r, "counters");
	ctl_rec_add(&r, "rx", "%llu", (unsigned long long)k->rx);
	ctl_rec_add(&r, "tx", "%llu", (unsigned long long)k->tx);
	ctl_rec_add(&r, "keepalives", "%llu",
	    (unsigned long long)k->keepalives);
	ctl_rec_add(&r, "malformed", "%llu", (unsigned long long)k->malformed);
	ctl_rec_add(&r, "unknown-sa", "%llu",
	    (unsigned long long)k->unknown_sa);
	ctl_rec_add(&r, "retransmits", "%llu",
	    (unsigned long long)k->retransmits);
	ctl_rec_add(&r, "half-open-refused", "%llu",
	    (unsigned long long)k->half_open_refused);
	ctl_rec_add(&r, "no-proposal", "%llu",
	    (unsigned long long)k->no_proposal);
	ctl_rec_add(&r, "auth-failed", "%llu",
	    (unsigned long long)k->auth_failed);
	ctl_rec_add(&r, "p1-established", "%llu",
	    (unsigned long long)k->p1_established);
	ctl_rec_add(&r, "qm-refused", "%llu",
	    (unsigned long long)k->qm_refused);
	ctl_rec_add(&r, "qm-done", "%llu", (unsigned long long)k->qm_done);
	ctl_rec_add(&r, "kernel-errors", "%llu",
	    (unsigned long long)k->kernel_errors);
	ctl_rec_add(&r, "alloc-failed", "%llu",
	    (unsigned long long)k->alloc_failed);
	ctl_rec_add(&r, "ike-sas", "%zu", ctx->nsa);
	ctl_rec_add(&r, "half-open", "%zu", ctx->half_open);
	conn_record(c, &r);

	if (ctx->frag != NULL)
		fs = frag_table_stats(ctx->frag);
	ctl_rec_init(&r, "frag");
	ctl_rec_add(&r, "in", "%llu", (unsigned long long)k->frag_in);
	ctl_rec_add(&r, "accepted", "%llu",
	    (unsigned long long)(fs != NULL ? fs->fragments : 0));
	ctl_rec_add(&r, "duplicates", "%llu",
	    (unsigned long long)(fs != NULL ? fs->duplicates : 0));
	ctl_rec_add(&r, "reassembled", "%llu",
	    (unsigned long long)(fs != NULL ? fs->reassembled : 0));
	ctl_rec_add(&r, "pending", "%zu",
	    ctx->frag != NULL ? frag_pending(ctx->frag) : 0);
	ctl_rec_add(&r, "out", "%llu", (unsigned long long)k->frag_out);
	ctl_rec_add(&r, "msgs-out", "%llu",
	    (unsigned long long)k->frag_msgs_out);
	for (i = 0; i < FRAG_DROP_COUNT; i++) {
		snprintf(key, sizeof(key), "drop-%s",
		    frag_drop_key((enum frag_drop)i));
		ctl_rec_add(&r, key, "%llu",
		    (unsigned long long)(fs != NULL ? fs->dropped[i] : 0));
	}
	conn_record(c, &r);
	conn_send(c, "ok\n");
}

static void
handle_line(struct ctl_conn *c, const char *line, size_t len)
{
	struct ikd *ctx = c->ctl->ctx;
	const struct ike_sa *sa;
	const struct ike_child *ch;
	struct ctl_req q;
	struct ctl_rec r;
	const char *why = NULL;
	size_t n = 0;

	if (!ctl_req_parse(line, len, &q, &why)) {
		log_debug("%s#%u: bad request: %s", CTL_TAG, c->id, why);
		conn_error(c, why);
		return;
	}
	log_debug("%s#%u: %s", CTL_TAG, c->id, ctl_cmd_name(q.cmd));
	switch (q.cmd) {
	case CTL_CMD_POLICIES:
		cmd_policies(c);
		return;
	case CTL_CMD_IKE_SAS:
		TAILQ_FOREACH(sa, &ctx->sas, link) {
			ike_sa_rec(sa, &r);
			conn_record(c, &r);
		}
		conn_send(c, "ok\n");
		return;
	case CTL_CMD_IPSEC_SAS:
		TAILQ_FOREACH(ch, &ctx->children, link) {
			ipsec_sa_rec(ctx, ch, &r);
			conn_record(c, &r);
		}
		conn_send(c, "ok\n");
		return;
	case CTL_CMD_REGISTER_L2TP:
		cmd_register(c, q.port);
		return;
	case CTL_CMD_PEER:
		TAILQ_FOREACH(sa, &ctx->sas, link)
			if (sa_matches(sa, &q)) {
				ike_sa_rec(sa, &r);
				conn_record(c, &r);
				n++;
			}
		TAILQ_FOREACH(ch, &ctx->children, link)
			if (child_matches(ch, &q)) {
				ipsec_sa_rec(ctx, ch, &r);
				conn_record(c, &r);
				n++;
			}
		if (n == 0)
			conn_error(c, "no SA for this peer");
		else
			conn_send(c, "ok\n");
		return;
	case CTL_CMD_WATCH:
		c->watch = true;
		conn_send(c, "ok\n");
		return;
	case CTL_CMD_DROP:
		cmd_drop(c, &q);
		return;
	case CTL_CMD_COUNTERS:
		cmd_counters(c);
		return;
	}
	conn_error(c, "unknown command");
}

static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct ctl_conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer_ptr eol;
	char line[CTL_REQ_MAX];
	size_t eol_len;

	for (;;) {
		if (c->watch || c->closing) {
			/* a watcher only listens */
			evbuffer_drain(in, evbuffer_get_length(in));
			return;
		}
		eol = evbuffer_search_eol(in, NULL, &eol_len,
		    EVBUFFER_EOL_LF);
		if (eol.pos < 0) {
			if (evbuffer_get_length(in) < CTL_REQ_MAX)
				return;
			eol.pos = CTL_REQ_MAX;
		}
		if ((size_t)eol.pos >= CTL_REQ_MAX) {
			log_debug("%s#%u: request too long, closing",
			    CTL_TAG, c->id);
			conn_error(c, "request too long");
			bufferevent_disable(bev, EV_READ);
			evbuffer_drain(in, evbuffer_get_length(in));
			/* closed once the reply is out (write cb) */
			c->closing = true;
			return;
		}
		if (evbuffer_remove(in, line, (size_t)eol.pos) !=
		    (int)eol.pos) {
			log_warnx("%s#%u: evbuffer_remove", CTL_TAG, c->id);
			return;
		}
		evbuffer_drain(in, eol_len);
		handle_line(c, line, (size_t)eol.pos);
	}
}

static void
conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct ctl_conn *c = arg;

	(void)bev;
	/* the "request too long" reply went out: close */
	if (c->closing)
		conn_free(c);
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct ctl_conn *c = arg;

	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		conn_free(c);
}

static void
accept_cb(int fd, short what, void *arg)
{
	struct ikd_ctl *ctl = arg;
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	struct ctl_conn *c;
	int cfd;

	(void)what;
	if ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) ==
	    -1) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warn("%s: accept", CTL_TAG);
		return;
	}
	if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == -1 ||
	    cred.uid != ctl->uid) {
		log_warnx("%s: connection from uid %d refused", CTL_TAG,
		    clen == sizeof(cred) ? (int)cred.uid : -1);
		close(cfd);
		return;
	}
	if (ctl->nconns >= CTL_MAX_CONNS) {
		log_warnx("%s: %d connections open, refused pid %d", CTL_TAG,
		    CTL_MAX_CONNS, (int)cred.pid);
		close(cfd);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("%s: calloc", CTL_TAG);
		close(cfd);
		return;
	}
	c->ctl = ctl;
	c->id = ++ctl->next_id;
	if ((c->bev = bufferevent_socket_new(ctl->base, cfd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		log_warnx("%s: bufferevent_socket_new failed", CTL_TAG);
		close(cfd);
		free(c);
		return;
	}
	bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb,
	    c);
	/* do not read far ahead of the line bound */
	bufferevent_setwatermark(c->bev, EV_READ, 0, 4 * CTL_REQ_MAX);
	if (bufferevent_enable(c->bev, EV_READ | EV_WRITE) == -1) {
		bufferevent_free(c->bev);
		free(c);
		return;
	}
	TAILQ_INSERT_TAIL(&ctl->conns, c, link);
	ctl->nconns++;
	log_debug("%s#%u: connection from pid %d", CTL_TAG, c->id,
	    (int)cred.pid);
}

struct ikd_ctl *
ikd_ctl_new(struct ikd *ctx, int fd, uid_t uid, struct priv_client *pc)
{
	struct ikd_ctl *ctl;

	if ((ctl = calloc(1, sizeof(*ctl))) == NULL) {
		log_warn("ikd_ctl_new");
		return NULL;
	}
	ctl->ctx = ctx;
	ctl->base = ctx->base;
	ctl->fd = fd;
	ctl->uid = uid;
	ctl->pc = pc;
	TAILQ_INIT(&ctl->conns);
	if ((ctl->ev = ev_read_new(ctx->base, fd, accept_cb, ctl)) == NULL) {
		free(ctl);
		return NULL;
	}
	return ctl;
}

void
ikd_ctl_free(struct ikd_ctl *ctl)
{
	struct ctl_conn *c;

	if (ctl == NULL)
		return;
	while ((c = TAILQ_FIRST(&ctl->conns)) != NULL)
		conn_free(c);
	ev_free(ctl->ev);
	close(ctl->fd);
	free(ctl);
}

void
ikd_ctl_child_event(struct ikd *ctx, const struct ike_child *ch, bool up)
{
	struct ikd_ctl *ctl = ctx->ctl;
	struct ctl_conn *c, *cn;
	struct ctl_rec r;
	const char *line;

	if (ctl == NULL)
		return;
	child_rec(ch, up ? "sa-up" : "sa-down", &r);
	if ((line = ctl_rec_line(&r)) == NULL)
		return;
	for (c = TAILQ_FIRST(&ctl->conns); c != NULL; c = cn) {
		cn = TAILQ_NEXT(c, link);
		if (!c->watch)
			continue;
		if (evbuffer_get_length(bufferevent_get_output(c->bev)) >
		    CTL_OUT_MAX) {
			log_warnx("%s#%u: watcher does not read, dropped",
			    CTL_TAG, c->id);
			conn_free(c);
			continue;
		}
		conn_send(c, line);
	}
}

/* run_dir (or the socket's directory): a directory of ours nobody else
   may write to. */
static int
check_dir(const char *dir)
{
	struct stat st;

	if (lstat(dir, &st) == -1) {
		log_warn("%s: %s", CTL_TAG, dir);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		log_warnx("%s: %s is not a directory", CTL_TAG, dir);
		return -1;
	}
	if (st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		log_warnx("%s: %s must be owned by uid %u and not group or "
		    "world writable (mode %04o, uid %u)", CTL_TAG, dir,
		    (unsigned int)geteuid(), (unsigned int)(st.st_mode & 07777),
		    (unsigned int)st.st_uid);
		return -1;
	}
	return 0;
}

int
ikd_ctl_listen(const char *run_dir, const char *path)
{
	struct sockaddr_un sun;
	struct stat st;
	char dir[sizeof(sun.sun_path)];
	char *slash;
	mode_t old;
	int fd = -1;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path) || path[0] != '/') {
		log_warnx("%s: bad socket path %s", CTL_TAG, path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	if (mkdir(run_dir, 0755) == -1 && errno != EEXIST) {
		log_warn("%s: mkdir %s", CTL_TAG, run_dir);
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) != NULL)
		*(slash == dir ? slash + 1 : slash) = '\0';
	if (check_dir(run_dir) == -1 || check_dir(dir) == -1)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		log_warn("%s: socket", CTL_TAG);
		return -1;
	}
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_warnx("%s: %s exists and is not a socket", CTL_TAG,
			    path);
			goto fail;
		}
		/* a live one belongs to another ikd */
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0 ||
		    errno == EAGAIN) {
			log_warnx("%s: %s is in use: is ikd running?", CTL_TAG,
			    path);
			goto fail;
		}
		close(fd);
		if (unlink(path) == -1 || (fd = socket(AF_UNIX, SOCK_STREAM |
		    SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1) {
			log_warn("%s: %s", CTL_TAG, path);
			return -1;
		}
	}
	old = umask(077);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old);
		log_warn("%s: bind %s", CTL_TAG, path);
		goto fail;
	}
	umask(old);
	if (chmod(path, 0600) == -1 || listen(fd, CTL_MAX_CONNS) == -1) {
		log_warn("%s: %s", CTL_TAG, path);
		(void)unlink(path);
		goto fail;
	}
	log_info("control socket %s", path);
	return fd;
fail:
	close(fd);
	return -1;
}
