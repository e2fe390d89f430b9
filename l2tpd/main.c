/*
 * main.c - l2tpd, the RFC 2661 LNS of the L2TP/IPsec server: options
 * (like ikd's), configuration, the kernel data path, the listening
 * socket, the pppd plugin socket, the ikd link, one event loop, signals
 * (SIGCHLD reaps pppd, SIGHUP reopens the session log, SIGTERM/SIGINT
 * stop) and a clean exit: StopCCN to every peer, SIGTERM to every pppd,
 * kernel tunnels and sessions removed.
 *
 * XXX privileges: l2tpd runs as root; dropping all but CAP_NET_ADMIN
 * (STYLE 2) is not done yet.
 * XXX SIGHUP does not reload the configuration.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <event2/event.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf/conf.h"
#include "conf/conf_cli.h"
#include "lib/ev.h"
#include "lib/log.h"
#include "lib/sesslog.h"
#include "lib/sessproto.h"
#include "l2tpd/kdp.h"
#include "l2tpd/l2tp.h"
#include "l2tpd/l2tpd.h"
#include "l2tpd/pool.h"

static struct kdp_tunnel *
op_tunnel_new(struct l2tpd *d, const struct kdp_tunnel_cfg *c)
{
	return kdp_tunnel_new(d->kdp, c);
}

static void
op_listen_send(struct l2tpd *d, const struct sockaddr_storage *local,
    const struct sockaddr_storage *peer, const void *buf, size_t len)
{
	union {
		struct cmsghdr	hdr;
		uint8_t		buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cb;
	struct msghdr mh;
	struct iovec iov;
	struct cmsghdr *cm;

	memset(&mh, 0, sizeof(mh));
	memset(&cb, 0, sizeof(cb));
	iov.iov_base = (void *)(uintptr_t)buf;
	iov.iov_len = len;
	mh.msg_name = (void *)(uintptr_t)peer;
	mh.msg_namelen = peer->ss_family == AF_INET ?
	    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cb.buf;
	cm = (struct cmsghdr *)cb.buf;
	if (local->ss_family == AF_INET) {
		struct in_pktinfo pi;

		memset(&pi, 0, sizeof(pi));
		pi.ipi_spec_dst = ((const struct sockaddr_in *)local)->sin_addr;
		mh.msg_controllen = CMSG_SPACE(sizeof(pi));
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	} else {
		struct in6_pktinfo pi;

		memset(&pi, 0, sizeof(pi));
		pi.ipi6_addr = ((const struct sockaddr_in6 *)local)->sin6_addr;
		mh.msg_controllen = CMSG_SPACE(sizeof(pi));
		cm->cmsg_level = IPPROTO_IPV6;
		cm->cmsg_type = IPV6_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	}
	if (sendmsg(d->listen_fd, &mh, 0) == -1)
		log_warn("listener sendmsg");
}

const struct l2tpd_ops l2tpd_kdp_ops = {
	.tunnel_new = op_tunnel_new,
	.tunnel_free = kdp_tunnel_free,
	.tunnel_send = kdp_tunnel_send,
	.tunnel_recv = kdp_tunnel_recv,
	.tunnel_fd = kdp_tunnel_fd,
	.session_new = kdp_session_new,
	.session_free = kdp_session_free,
	.session_stats = kdp_session_stats,
	.session_fd = kdp_session_ppp_fd,
	.pppd_start = pppd_spawn,
	.pppd_stop = pppd_kill,
	.listen_send = op_listen_send,
};

/* One datagram from the listening socket, with the local address. */
static void
listen_cb(int fd, short what, void *arg)
{
	struct l2tpd *d = arg;
	uint8_t buf[L2TP_MAX_MSG];
	union {
		struct cmsghdr	hdr;
		uint8_t		buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cb;
	struct sockaddr_storage peer, local;
	struct msghdr mh;
	struct iovec iov;
	struct cmsghdr *cm;
	ssize_t n;
	int i;

	(void)what;
	for (i = 0; i < 64; i++) {
		memset(&mh, 0, sizeof(mh));
		memset(&peer, 0, sizeof(peer));
		memset(&local, 0, sizeof(local));
		iov.iov_base = buf;
		iov.iov_len = sizeof(buf);
		mh.msg_name = &peer;
		mh.msg_namelen = sizeof(peer);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cb.buf;
		mh.msg_controllen = sizeof(cb.buf);
		if ((n = recvmsg(fd, &mh, 0)) == -1) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("listener recvmsg");
			return;
		}
		for (cm = CMSG_FIRSTHDR(&mh); cm != NULL;
		    cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level == IPPROTO_IP &&
			    cm->cmsg_type == IP_PKTINFO) {
				struct in_pktinfo pi;
				struct sockaddr_in *s =
				    (struct sockaddr_in *)&local;

				memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
				s->sin_family = AF_INET;
				s->sin_addr = pi.ipi_addr;
				s->sin_port = htons(d->conf->l2tp.port);
			} else if (cm->cmsg_level == IPPROTO_IPV6 &&
			    cm->cmsg_type == IPV6_PKTINFO) {
				struct in6_pktinfo pi;
				struct sockaddr_in6 *s =
				    (struct sockaddr_in6 *)&local;

				memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
				s->sin6_family = AF_INET6;
				s->sin6_addr = pi.ipi6_addr;
				s->sin6_port = htons(d->conf->l2tp.port);
			}
		}
		if (local.ss_family != peer.ss_family) {
			log_debug("listener: datagram without local address");
			continue;
		}
		l2tpd_listen_input(d, buf, (size_t)n, &local, &peer);
	}
}

static void
on_stop(int sig, short what, void *arg)
{
	struct l2tpd *d = arg;

	(void)what;
	log_info("signal %d: shutting down", sig);
	event_base_loopbreak(d->base);
}

static void
on_hup(int sig, short what, void *arg)
{
	struct l2tpd *d = arg;

	(void)sig;
	(void)what;
	/* XXX no configuration reload; logrotate support only */
	if (d->slog != NULL && sesslog_reopen(d->slog) == 0)
		log_info("SIGHUP: session log reopened");
}

static void
on_chld(int sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	pppd_reap(arg);
}

/* Wait up to ms for every child to exit, reaping them. */
static void
wait_children(struct l2tpd *d, unsigned int ms)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	unsigned int waited;

	for (waited = 0; waited < ms; waited += 50) {
		pppd_reap(d);
		if (waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD)
			return;
		nanosleep(&ts, NULL);
	}
}

int
main(int argc, char *argv[])
{
	struct daemon_opts opts;
	struct vpn_conf *conf;
	struct l2tpd d;
	struct sockaddr_storage la;
	struct event *ev_listen, *ev_int, *ev_term, *ev_hup, *ev_chld;
	char sock[PATH_MAX], conf_path[PATH_MAX];
	int status;

	if (daemon_opts_parse(argc, argv, "l2tpd", &opts, &status) == -1)
		return status;
	if (opts.check_config)
		return conf_check_cli("l2tpd", opts.config,
		    CONF_DESCRIBE_L2TP);

	conf = daemon_start("l2tpd", &opts);
	/* pppd's plugin reads the same file: give it an absolute path */
	if (realpath(conf->path, conf_path) == NULL)
		fatal("realpath %s", conf->path);
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		fatal("signal");
	if (!opts.foreground && daemon(0, 0) == -1)
		fatal("daemon");

	memset(&d, 0, sizeof(d));
	d.conf = conf;
	d.conf_path = conf_path;
	d.ops = &l2tpd_kdp_ops;
	d.listen_fd = -1;
	TAILQ_INIT(&d.tunnels);
	if ((d.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	if ((d.kdp = kdp_new(KDP_MODE_AUTO)) == NULL)
		fatalx("no kernel L2TP data path");
	if ((d.pool = pool_new(conf)) == NULL)
		fatalx("cannot build the address pool");
	/* before the session log, which usually lives there */
	if (mkdir(conf->run_dir, 0755) == -1 && errno != EEXIST)
		fatal("mkdir %s", conf->run_dir);
	if ((d.slog = sesslog_open(conf->log.session_log)) == NULL)
		fatalx("cannot open the session log");
	if (snprintf(sock, sizeof(sock), "%s/%s", conf->run_dir,
	    SESSPROTO_SOCK_NAME) >= (int)sizeof(sock))
		fatalx("run_dir too long");
	if ((d.pppd = pppd_srv_new(&d, sock)) == NULL)
		fatalx("cannot serve the plugin socket %s", sock);

	la = conf->l2tp.listen;
	if (la.ss_family == AF_UNSPEC)
		la.ss_family = AF_INET;
	if (la.ss_family == AF_INET)
		((struct sockaddr_in *)&la)->sin_port = htons(conf->l2tp.port);
	else
		((struct sockaddr_in6 *)&la)->sin6_port =
		    htons(conf->l2tp.port);
	if ((d.listen_fd = kdp_listen_socket(&la)) == -1)
		fatalx("cannot listen on the L2TP port %u", conf->l2tp.port);
	/* Plain L2TP never reaches us, ikd or not (kdp_require_esp). */
	if (kdp_require_esp(d.listen_fd, la.ss_family) == -1)
		fatal("cannot require IPsec (ESP) on the L2TP socket");
	if ((ev_listen = ev_read_new(d.base, d.listen_fd, listen_cb, &d)) ==
	    NULL)
		fatalx("listener event");
	if ((ev_int = ev_signal_add(d.base, SIGINT, on_stop, &d)) == NULL ||
	    (ev_term = ev_signal_add(d.base, SIGTERM, on_stop, &d)) == NULL ||
	    (ev_hup = ev_signal_add(d.base, SIGHUP, on_hup, &d)) == NULL ||
	    (ev_chld = ev_signal_add(d.base, SIGCHLD, on_chld, &d)) == NULL)
		fatalx("cannot install signal handlers");
	if ((d.ikd = ikdlink_new(&d, conf->ike.control_socket,
	    conf->l2tp.port)) == NULL)
		fatalx("ikd link");
	log_info("l2tpd started: port %u, kernel %s, up to %u tunnels, "
	    "%u sessions (%u per tunnel), hello %u s, tunnel auth %s",
	    conf->l2tp.port, kdp_mode_name(kdp_get_mode(d.kdp)),
	    conf->l2tp.max_tunnels, conf->l2tp.max_sessions,
	    conf->l2tp.max_sessions_per_tunnel, conf->l2tp.hello_interval,
	    conf->l2tp.secret.str != NULL ? "on" : "off");

	if (event_base_dispatch(d.base) == -1)
		log_warnx("event loop failed");

	/* RFC 2661 5.7: StopCCN to every peer; end every pppd */
	l2tpd_shutdown(&d);
	wait_children(&d, 2000);
	tunnel_free_all(&d);
	wait_children(&d, 1000);
	log_info("l2tpd stopped: %llu control datagrams, %llu malformed, "
	    "%llu tunnels, %llu sessions, refused %llu tunnels %llu "
	    "sessions", (unsigned long long)d.ctr.rx,
	    (unsigned long long)d.ctr.malformed,
	    (unsigned long long)d.ctr.tunnels,
	    (unsigned long long)d.ctr.sessions,
	    (unsigned long long)d.ctr.refused_tunnels,
	    (unsigned long long)d.ctr.refused_sessions);
	ikdlink_free(d.ikd);
	pppd_srv_free(d.pppd);
	ev_free(ev_listen);
	ev_free(ev_int);
	ev_free(ev_term);
	ev_free(ev_hup);
	ev_free(ev_chld);
	close(d.listen_fd);
	kdp_free(d.kdp);
	sesslog_close(d.slog);
	pool_free(d.pool);
	event_base_free(d.base);
	conf_free(conf);
	return 0;
}
