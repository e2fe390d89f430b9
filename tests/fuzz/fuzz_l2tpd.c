/*
 * fuzz_l2tpd.c - datagrams into l2tpd's tunnels: the listener and the
 * tunnel/session state machines (l2tpd/tunnel.c, session.c) with a fake
 * kernel data path and pppd (struct l2tpd_ops), a mock clock, and the
 * bookkeeping checked after every step (tunnel and session counts match
 * the lists and the fake kernel's live objects; everything is gone after
 * tunnel_free_all).
 *
 * Input: a program of records, each an opcode byte (% 5) and operands:
 *  0 len2 bytes      datagram to the listener from peer (op >> 4) % 2
 *  1 f len2 bytes    datagram to the first tunnel; f&1: set its Tunnel
 *                    ID to the tunnel's, f&2: set Ns to the expected one,
 *                    f&4: Session ID to the first session's id
 *  2 ms2             advance the clock by ms * 4, tick every tunnel
 *  3 st              the first session's pppd exits with status st << 8
 *  4                 shutdown (StopCCN to all)
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "l2tpd/l2tpd.h"
#include "l2tpd/pool.h"
#include "l2tpd/reliable.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct kdp_tunnel {
	int	x;
};
struct kdp_session {
	int	x;
};

static uint64_t now_ms;
static int ntun_live, nsess_live;
static pid_t next_pid = 100;

static void
check(int cond)
{
	if (!cond)
		abort();
}

static uint64_t
mock_clock(void)
{
	return now_ms;
}

static struct kdp_tunnel *
f_tunnel_new(struct l2tpd *d, const struct kdp_tunnel_cfg *c)
{
	(void)d;
	check(c->tunnel_id != 0);
	ntun_live++;
	return calloc(1, sizeof(struct kdp_tunnel));
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
	(void)p;
	check(len >= 12 && len <= 65535);
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
	(void)t;
	check(c->session_id != 0);
	nsess_live++;
	return calloc(1, sizeof(struct kdp_session));
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
	return 0;
}

static int
f_session_fd(const struct kdp_session *s)
{
	(void)s;
	return 3;
}

static int
f_pppd_start(struct l2tpd *d, struct session *s)
{
	(void)d;
	s->pppd_pid = next_pid++;
	return 0;
}

static void
f_pppd_stop(struct l2tpd *d, struct session *s)
{
	(void)d;
	(void)s;
}

static void
f_listen_send(struct l2tpd *d, const struct sockaddr_storage *local,
    const struct sockaddr_storage *peer, const void *p, size_t len)
{
	(void)d;
	(void)local;
	(void)peer;
	(void)p;
	check(len >= 12);
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

void
pppd_plugin_detach(struct pppd_srv *srv, struct session *s)
{
	(void)srv;
	s->plugin_fd = -1;
}

static struct vpn_conf *conf;

static void
check_books(struct l2tpd *d)
{
	struct tunnel *t;
	struct session *s;
	size_t nt = 0, ns = 0, n;

	TAILQ_FOREACH(t, &d->tunnels, link) {
		nt++;
		n = 0;
		TAILQ_FOREACH(s, &t->sessions, link) {
			check(s->t == t && s->id != 0);
			n++;
		}
		check(n == t->nsessions);
		ns += n;
	}
	check(nt == d->ntunnels && (int)nt == ntun_live);
	check(ns == d->nsessions && nsess_live <= (int)ns);
	check(pool_nused(d->pool) <= ns);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[65536];
	struct sockaddr_storage local, peer[2];
	struct sockaddr_in *sin;
	struct l2tpd d;
	struct tunnel *t, *next;
	struct session *s;
	size_t off = 0, len;
	uint8_t op, f;
	int i;

	if (conf == NULL) {
		struct conf_err err;

		log_setlevel(LOG_LEVEL_WARNING);
		conf = conf_parse_string("l2tp = { hostname = \"lns\"; "
		    "hello_interval = 10; retransmit_initial = 100; "
		    "retransmit_max = 400; retransmit_count = 2; "
		    "max_tunnels = 2; max_sessions = 3; "
		    "max_sessions_per_tunnel = 2; };\n"
		    "pool = { start = \"10.9.0.10\"; end = \"10.9.0.11\"; };\n",
		    "f.conf", NULL, &err);
		check(conf != NULL);
		clock_set_mock(mock_clock);
	}
	now_ms = 1000000;
	memset(&d, 0, sizeof(d));
	d.conf = conf;
	d.ops = &fake_ops;
	d.listen_fd = -1;
	TAILQ_INIT(&d.tunnels);
	d.pool = pool_new(conf);
	check(d.pool != NULL);
	memset(&local, 0, sizeof(local));
	memset(peer, 0, sizeof(peer));
	sin = (struct sockaddr_in *)&local;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(1701);
	sin->sin_addr.s_addr = htonl(0xc0000201);
	for (i = 0; i < 2; i++) {
		sin = (struct sockaddr_in *)&peer[i];
		sin->sin_family = AF_INET;
		sin->sin_port = htons(1701);
		sin->sin_addr.s_addr = htonl(0xc6336407 + (uint32_t)i);
	}

	while (off < size) {
		op = data[off++];
		switch (op % 5) {
		case 0:
		case 1:
			f = 0;
			if (op % 5 == 1) {
				if (off >= size)
					goto done;
				f = data[off++];
			}
			if (size - off < 2)
				goto done;
			len = (size_t)data[off] << 8 | data[off + 1];
			off += 2;
			if (len > size - off)
				len = size - off;
			memcpy(buf, data + off, len);
			off += len;
			if (op % 5 == 0) {
				l2tpd_listen_input(&d, buf, len, &local,
				    &peer[(op >> 4) & 1]);
				break;
			}
			if ((t = TAILQ_FIRST(&d.tunnels)) == NULL)
				break;
			if ((f & 1) && len >= 6)
				put16(buf + 4, t->id);
			if ((f & 2) && len >= 10)
				put16(buf + 8, l2tp_rel_next_nr(t->rel));
			if ((f & 4) && len >= 8 &&
			    (s = TAILQ_FIRST(&t->sessions)) != NULL)
				put16(buf + 6, s->id);
			tunnel_input(t, buf, len);
			(void)tunnel_tick(t);
			break;
		case 2:
			if (size - off < 2)
				goto done;
			now_ms += 4 * ((uint64_t)data[off] << 8 | data[off + 1]);
			off += 2;
			for (t = TAILQ_FIRST(&d.tunnels); t != NULL;
			    t = next) {
				next = TAILQ_NEXT(t, link);
				(void)tunnel_tick(t);
			}
			break;
		case 3:
			if (off >= size)
				goto done;
			f = data[off++];
			if ((t = TAILQ_FIRST(&d.tunnels)) != NULL &&
			    (s = TAILQ_FIRST(&t->sessions)) != NULL &&
			    s->pppd_pid > 0)
				session_pppd_exit(&d, s->pppd_pid, f << 8);
			break;
		case 4:
			l2tpd_shutdown(&d);
			break;
		}
		check_books(&d);
	}
done:
	tunnel_free_all(&d);
	check(ntun_live == 0 && nsess_live == 0);
	check(pool_nused(d.pool) == 0);
	pool_free(d.pool);
	return 0;
}
