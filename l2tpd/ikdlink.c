/*
 * ikdlink.c - l2tpd as a client of ikd's control socket (lib/ctl.h).
 *
 * One connection, kept open: "register l2tp <port>" on connect, then
 * "peer <addr> <port>" per established tunnel for the IKE identifiers of
 * its session records. Replies come in request order, so a FIFO of what
 * was asked matches them up. When ikd is absent or goes away (restart),
 * l2tpd says so loudly and reconnects every IKDLINK_RETRY_MS, so it is
 * registered again within a second of ikd coming back. Cleartext L2TP is
 * refused with or without ikd: besides ikd's global policies, l2tpd's
 * own sockets carry an inbound policy requiring ESP (kdp_require_esp);
 * without ikd no client gets through IPsec at all.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/ctl.h"
#include "lib/ev.h"
#include "lib/log.h"
#include "l2tpd/l2tpd.h"

#define IKDLINK_RETRY_MS	250
#define IKDLINK_WARN_MS		30000
#define IKDLINK_PENDING		64
#define IKDLINK_TAG		"ikd-link"

struct ikdlink {
	struct l2tpd		*d;
	char			 path[sizeof(((struct sockaddr_un *)0)->
				    sun_path)];
	uint16_t		 port;
	int			 fd;
	struct event		*ev;
	struct ev_timer		*timer;
	bool			 registered;
	uint64_t		 last_warn;
	bool			 warned;
	char			 buf[CTL_LINE_MAX * 2];
	size_t			 len;
	/* what was asked, oldest first */
	struct ikdlink_pend {
		enum { PEND_REGISTER, PEND_PEER, PEND_DROP } kind;
		uint16_t	 tunnel;	/* PEND_PEER */
		char		 tag[L2TPD_TAG_MAX]; /* PEND_DROP: tunnel's */
	}			 pending[IKDLINK_PENDING];
	size_t			 npending;
	char			 dropped[64];	/* PEND_DROP's record */
	struct sesslog		 acc;		/* current peer reply */
	bool			 acc_any;
};

static void ikdlink_connect(struct ikdlink *);
static const struct ikdlink_pend reg = { .kind = PEND_REGISTER };

static void
retry_cb(void *arg)
{
	ikdlink_connect(arg);
}

static void
ikdlink_down(struct ikdlink *l, const char *why)
{
	uint64_t now = clock_mono_ms();

	if (l->fd != -1) {
		ev_free(l->ev);
		l->ev = NULL;
		close(l->fd);
		l->fd = -1;
	}
	l->registered = false;
	/* unanswered peer queries: their tunnels stop waiting */
	while (l->npending > 0) {
		const struct ikdlink_pend *p = &l->pending[--l->npending];
		struct tunnel *t;

		if (p->kind == PEND_PEER &&
		    (t = tunnel_lookup(l->d, p->tunnel)) != NULL)
			tunnel_set_ike(t, NULL);
		else if (p->kind == PEND_DROP)
			logt_warnx(p->tag, "ikd went away before dropping the "
			    "dead peer's SAs");
	}
	l->len = 0;
	if (!l->warned || now - l->last_warn >= IKDLINK_WARN_MS) {
		logt_warnx(IKDLINK_TAG, "ikd is not reachable at %s (%s): "
		    "no client can dial in until it is back (cleartext L2TP "
		    "stays refused: ESP is required on our sockets)", l->path, why);
		l->warned = true;
		l->last_warn = now;
	}
	if (l->timer != NULL)
		(void)ev_timer_arm(l->timer, IKDLINK_RETRY_MS);
}

static int
ikdlink_request(struct ikdlink *l, const struct ctl_req *r,
    const struct ikdlink_pend *what)
{
	char line[CTL_REQ_MAX];
	int n;

	if (l->fd == -1 || l->npending >= IKDLINK_PENDING)
		return -1;
	if ((n = ctl_req_format(r, line, sizeof(line))) < 0)
		return -1;
	/* a short line on a fresh unix stream: all of it or an error */
	if (send(l->fd, line, (size_t)n, MSG_NOSIGNAL) != n) {
		ikdlink_down(l, "send failed");
		return -1;
	}
	l->pending[l->npending++] = *what;
	return 0;
}

static bool
parse_peer(char *v, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	char *colon, *end, *a = v;
	unsigned long port;

	if ((colon = strrchr(v, ':')) == NULL)
		return false;
	*colon = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || end == colon + 1 || port > 65535)
		return false;
	if (a[0] == '[') {
		size_t n = strlen(a);

		if (n < 2 || a[n - 1] != ']')
			return false;
		a[n - 1] = '\0';
		a++;
		memset(ss, 0, sizeof(*ss));
		if (inet_pton(AF_INET6, a, &sin6->sin6_addr) != 1)
			return false;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		return true;
	}
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, a, &sin->sin_addr) != 1)
		return false;
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	return true;
}

bool
ikdlink_parse_record(const char *line, size_t len, struct sesslog *rec)
{
	char v[64];
	unsigned long x;
	char *end;
	size_t i;
	bool ipsec;

	if (len >= 7 && memcmp(line, "ike-sa ", 7) == 0)
		ipsec = false;
	else if (len >= 9 && memcmp(line, "ipsec-sa ", 9) == 0)
		ipsec = true;
	else
		return false;
	if (ctl_rec_get(line, len, ipsec ? "encap" : "nat", v, sizeof(v)))
		rec->nat = strcmp(v, "yes") == 0;
	/* the outer address and IKE/NAT-T port: "a.b.c.d:p", "[v6]:p" */
	if (ctl_rec_get(line, len, "peer", v, sizeof(v)))
		(void)parse_peer(v, &rec->peer);
	if (ctl_rec_get(line, len, "client", v, sizeof(v))) {
		if (strcmp(v, "windows") == 0)
			rec->client = SESSLOG_CLIENT_WINDOWS;
		else if (strcmp(v, "apple") == 0)
			rec->client = SESSLOG_CLIENT_APPLE;
		else if (strcmp(v, "android") == 0)
			rec->client = SESSLOG_CLIENT_ANDROID;
		else if (strcmp(v, "unknown") != 0)
			rec->client = SESSLOG_CLIENT_OTHER;
	}
	/* cookies=<16 hex>:<16 hex> */
	if (ctl_rec_get(line, len, "cookies", v, sizeof(v)) &&
	    strlen(v) == 33 && v[16] == ':') {
		uint8_t ck[16];
		bool ok = true;

		for (i = 0; i < 16 && ok; i++) {
			const char *h = &v[i < 8 ? 2 * i : 2 * i + 1];
			char b[3] = { h[0], h[1], 0 };

			x = strtoul(b, &end, 16);
			ok = *end == '\0' && end == b + 2;
			ck[i] = (uint8_t)x;
		}
		if (ok) {
			memcpy(rec->icookie, ck, 8);
			memcpy(rec->rcookie, ck + 8, 8);
			rec->has_cookies = true;
		}
	}
	if (ipsec && ctl_rec_get(line, len, "spi-in", v, sizeof(v))) {
		errno = 0;
		x = strtoul(v, &end, 16);
		if (errno == 0 && *end == '\0' && x <= UINT32_MAX)
			rec->spi_in = (uint32_t)x;
	}
	if (ipsec && ctl_rec_get(line, len, "spi-out", v, sizeof(v))) {
		errno = 0;
		x = strtoul(v, &end, 16);
		if (errno == 0 && *end == '\0' && x <= UINT32_MAX)
			rec->spi_out = (uint32_t)x;
	}
	return true;
}

static void
ikdlink_line(struct ikdlink *l, const char *line, size_t len)
{
	const char *reason = NULL;
	struct ikdlink_pend what;
	struct tunnel *t;

	switch (ctl_reply_classify(line, len, &reason)) {
	case CTL_REPLY_RECORD:
		if (l->npending > 0 && l->pending[0].kind == PEND_PEER &&
		    ikdlink_parse_record(line, len, &l->acc))
			l->acc_any = true;
		else if (l->npending > 0 && l->pending[0].kind == PEND_DROP &&
		    len > 8 && memcmp(line, "dropped ", 8) == 0)
			snprintf(l->dropped, sizeof(l->dropped), "%.*s",
			    (int)(len - 8), line + 8);
		return;
	case CTL_REPLY_OK:
	case CTL_REPLY_ERROR:
		break;
	case CTL_REPLY_BAD:
		logt_warnx(IKDLINK_TAG, "bad reply line from ikd");
		return;
	}
	if (l->npending == 0) {
		logt_warnx(IKDLINK_TAG, "unexpected reply from ikd");
		return;
	}
	what = l->pending[0];
	memmove(l->pending, l->pending + 1,
	    (l->npending - 1) * sizeof(l->pending[0]));
	l->npending--;
	if (what.kind == PEND_DROP) {
		if (reason == NULL)
			logt_info(what.tag, "ikd dropped the dead peer's IPsec "
			    "SAs (%s)", l->dropped[0] != '\0' ? l->dropped :
			    "no counts");
		else
			logt_info(what.tag, "ikd dropped nothing: %.*s",
			    (int)(len - 6), reason);
		l->dropped[0] = '\0';
	} else if (what.kind == PEND_REGISTER) {
		if (reason == NULL) {
			l->registered = true;
			l->warned = false;
			logt_info(IKDLINK_TAG, "registered with ikd: l2tp "
			    "port %u", l->port);
		} else
			logt_warnx(IKDLINK_TAG, "ikd refused the registration: "
			    "%.*s", (int)(len - 6), reason);
	} else if ((t = tunnel_lookup(l->d, what.tunnel)) != NULL) {
		if (!l->acc_any)
			logt_info(t->tag, "ikd knows no IPsec SA of this peer");
		tunnel_set_ike(t, l->acc_any ? &l->acc : NULL);
	}
	sesslog_init(&l->acc);
	l->acc_any = false;
}

static void
read_cb(int fd, short what, void *arg)
{
	struct ikdlink *l = arg;
	ssize_t n;
	char *nl;
	size_t used;

	(void)what;
	n = recv(fd, l->buf + l->len, sizeof(l->buf) - l->len, 0);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		ikdlink_down(l, n == 0 ? "ikd closed the connection" :
		    strerror(errno));
		return;
	}
	l->len += (size_t)n;
	while ((nl = memchr(l->buf, '\n', l->len)) != NULL) {
		used = (size_t)(nl - l->buf) + 1;
		ikdlink_line(l, l->buf, used - 1);
		memmove(l->buf, l->buf + used, l->len - used);
		l->len -= used;
	}
	if (l->len == sizeof(l->buf))
		ikdlink_down(l, "reply line too long");
}

static void
ikdlink_connect(struct ikdlink *l)
{
	struct sockaddr_un sun;
	struct ctl_req r;
	struct tunnel *t;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", l->path);
	if ((l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		ikdlink_down(l, strerror(errno));
		return;
	}
	if (connect(l->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		ikdlink_down(l, strerror(errno));
		return;
	}
	if ((l->ev = ev_read_new(l->d->base, l->fd, read_cb, l)) == NULL) {
		ikdlink_down(l, "no event");
		return;
	}
	memset(&r, 0, sizeof(r));
	r.cmd = CTL_CMD_REGISTER_L2TP;
	r.port = l->port;
	if (ikdlink_request(l, &r, &reg) == -1)
		return;
	logt_info(IKDLINK_TAG, "connected to ikd at %s", l->path);
	/* tunnels that came up while ikd was away */
	TAILQ_FOREACH(t, &l->d->tunnels, link)
		if ((t->state == TUNNEL_ESTABLISHED ||
		    t->state == TUNNEL_WAIT_CTL_CONN) && !t->ike_known &&
		    !t->ike_pending)
			(void)ikdlink_query_peer(l, t);
}

struct ikdlink *
ikdlink_new(struct l2tpd *d, const char *path, uint16_t port)
{
	struct ikdlink *l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->d = d;
	l->fd = -1;
	l->port = port;
	snprintf(l->path, sizeof(l->path), "%s", path);
	sesslog_init(&l->acc);
	if ((l->timer = ev_timer_new(d->base, retry_cb, l)) == NULL) {
		free(l);
		return NULL;
	}
	ikdlink_connect(l);
	return l;
}

void
ikdlink_free(struct ikdlink *l)
{
	if (l == NULL)
		return;
	ev_free(l->ev);
	if (l->fd != -1)
		close(l->fd);
	ev_timer_free(l->timer);
	free(l);
}

/* The "peer"/"drop" request of t's peer: its address and L2TP port. */
static void
peer_req(struct ctl_req *r, enum ctl_cmd cmd, const struct tunnel *t)
{
	memset(r, 0, sizeof(*r));
	r->cmd = cmd;
	r->addr = t->peer;
	if (r->addr.ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&r->addr;

		r->port = ntohs(sin->sin_port);
		sin->sin_port = 0;
	} else if (r->addr.ss_family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&r->addr;

		r->port = ntohs(sin6->sin6_port);
		sin6->sin6_port = 0;
	}
}

int
ikdlink_query_peer(struct ikdlink *l, struct tunnel *t)
{
	struct ikdlink_pend p = { .kind = PEND_PEER, .tunnel = t->id };
	struct ctl_req r;

	peer_req(&r, CTL_CMD_PEER, t);
	if (ikdlink_request(l, &r, &p) == -1) {
		logt_info(t->tag, "cannot ask ikd for the peer's IKE SAs");
		return -1;
	}
	t->ike_pending = true;
	return 0;
}

int
ikdlink_drop_peer(struct ikdlink *l, const struct tunnel *t)
{
	struct ikdlink_pend p = { .kind = PEND_DROP };
	struct ctl_req r;

	snprintf(p.tag, sizeof(p.tag), "%s", t->tag);
	peer_req(&r, CTL_CMD_DROP, t);
	if (ikdlink_request(l, &r, &p) == -1) {
		logt_warnx(t->tag, "cannot ask ikd to drop the dead peer's "
		    "IPsec SAs (ikd not connected): they stay until DPD or "
		    "their lifetime ends them");
		return -1;
	}
	logt_info(t->tag, "asking ikd to drop the dead peer's IPsec SAs");
	return 0;
}
