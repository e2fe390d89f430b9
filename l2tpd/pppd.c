/*
 * pppd.c - pppd for each established session: exec'd with the explicit
 * argv of l2tpd/pppd_args (no shell), only the PPPoL2TP socket inherited;
 * reaped from SIGCHLD with waitpid(WNOHANG); and the plugin socket
 * server (lib/sessproto over SOCK_SEQPACKET in run_dir): a plugin
 * connection is bound to its session by the HELLO key, and only if the
 * connecting process (SO_PEERCRED) is that session's pppd.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <event2/event.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "lib/ev.h"
#include "lib/log.h"
#include "lib/sessproto.h"
#include "l2tpd/l2tpd.h"
#include "l2tpd/pppd_args.h"

struct plugin_conn {
	LIST_ENTRY(plugin_conn)	 link;
	struct pppd_srv		*srv;
	int			 fd;
	pid_t			 pid;	/* SO_PEERCRED */
	struct event		*ev;
	struct session		*s;
};

struct pppd_srv {
	struct l2tpd		*d;
	int			 fd;
	char			 path[sizeof(((struct sockaddr_un *)0)->
				    sun_path)];
	struct event		*ev;
	LIST_HEAD(, plugin_conn) conns;
};

static void
conn_free(struct plugin_conn *c)
{
	if (c->s != NULL)
		c->s->plugin_fd = -1;
	LIST_REMOVE(c, link);
	ev_free(c->ev);
	close(c->fd);
	free(c);
}

static void
conn_disconnect(struct plugin_conn *c, uint8_t cause, const char *text)
{
	struct sessproto_msg m;

	memset(&m, 0, sizeof(m));
	m.type = SESSPROTO_DISCONNECT;
	m.u.end.code = cause;
	snprintf(m.u.end.text, sizeof(m.u.end.text), "%s", text);
	(void)sessproto_send(c->fd, &m);
}

/* Read what is pending; false when the connection was freed. */
static bool
conn_read(struct plugin_conn *c)
{
	struct sessproto_msg m, ack;
	struct session *s;
	int rc, i;

	for (i = 0; i < 32; i++) {
		rc = sessproto_recv(c->fd, &m);
		if (rc == -1 && (errno == EAGAIN || errno == EINTR))
			return true;
		if (rc == 0 || rc == -1 || rc == -2 ||
		    !sessproto_from_plugin(m.type)) {
			if (rc != 0)
				log_info("plugin connection of pid %d: %s",
				    (int)c->pid, rc == -1 ? strerror(errno) :
				    "malformed message");
			conn_free(c);
			return false;
		}
		if (c->s == NULL) {
			if (m.type != SESSPROTO_HELLO) {
				conn_free(c);
				return false;
			}
			s = session_lookup_key(c->srv->d, m.u.hello.key);
			if (s == NULL || s->pppd_pid <= 0 ||
			    s->pppd_pid != (pid_t)m.u.hello.pid ||
			    s->pppd_pid != c->pid || s->plugin_fd >= 0) {
				log_info("plugin HELLO key %s pid %u: no such "
				    "session", m.u.hello.key, m.u.hello.pid);
				conn_disconnect(c, SESSPROTO_DISC_UNKNOWN_KEY,
				    "unknown session");
				conn_free(c);
				return false;
			}
			c->s = s;
			s->plugin_fd = c->fd;
			memset(&ack, 0, sizeof(ack));
			ack.type = SESSPROTO_HELLO_ACK;
			if (sessproto_send(c->fd, &ack) == -1)
				logt_warn(s->tag, "plugin HELLO_ACK");
			logt_debug(s->tag, "plugin of pppd %d connected",
			    (int)c->pid);
			continue;
		}
		session_plugin_msg(c->s, &m);
	}
	return true;
}

static void
conn_cb(int fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)conn_read(arg);
}

static void
accept_cb(int fd, short what, void *arg)
{
	struct pppd_srv *srv = arg;
	struct plugin_conn *c;
	struct ucred cr;
	socklen_t crlen = sizeof(cr);
	int cfd;

	(void)what;
	if ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) ==
	    -1) {
		if (errno != EAGAIN && errno != EINTR)
			log_warn("plugin socket accept");
		return;
	}
	if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) == -1 ||
	    (c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("plugin connection");
		close(cfd);
		return;
	}
	c->srv = srv;
	c->fd = cfd;
	c->pid = cr.pid;
	if ((c->ev = ev_read_new(srv->d->base, cfd, conn_cb, c)) == NULL) {
		close(cfd);
		free(c);
		return;
	}
	LIST_INSERT_HEAD(&srv->conns, c, link);
}

struct pppd_srv *
pppd_srv_new(struct l2tpd *d, const char *sock_path)
{
	struct pppd_srv *srv;
	struct sockaddr_un sun;
	mode_t old;

	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		return NULL;
	srv->d = d;
	srv->fd = -1;
	LIST_INIT(&srv->conns);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock_path) >=
	    (int)sizeof(sun.sun_path)) {
		log_warnx("plugin socket path too long: %s", sock_path);
		goto fail;
	}
	snprintf(srv->path, sizeof(srv->path), "%s", sock_path);
	if ((srv->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		log_warn("plugin socket");
		goto fail;
	}
	(void)unlink(sock_path);
	old = umask(077);
	if (bind(srv->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old);
		log_warn("plugin socket bind %s", sock_path);
		goto fail;
	}
	umask(old);
	if (listen(srv->fd, 16) == -1) {
		log_warn("plugin socket listen");
		goto fail;
	}
	if (d->base != NULL && (srv->ev = ev_read_new(d->base, srv->fd,
	    accept_cb, srv)) == NULL)
		goto fail;
	return srv;
fail:
	if (srv->fd != -1)
		close(srv->fd);
	free(srv);
	return NULL;
}

void
pppd_srv_free(struct pppd_srv *srv)
{
	struct plugin_conn *c;

	if (srv == NULL)
		return;
	while ((c = LIST_FIRST(&srv->conns)) != NULL)
		conn_free(c);
	ev_free(srv->ev);
	close(srv->fd);
	(void)unlink(srv->path);
	free(srv);
}

void
pppd_plugin_detach(struct pppd_srv *srv, struct session *s)
{
	struct plugin_conn *c;

	LIST_FOREACH(c, &srv->conns, link)
		if (c->s == s) {
			c->s = NULL;
			s->plugin_fd = -1;
			conn_free(c);
			return;
		}
}

/* Read the last reports (final counters) of s's plugin before its end. */
static void
pppd_plugin_drain(struct pppd_srv *srv, struct session *s)
{
	struct plugin_conn *c;

	LIST_FOREACH(c, &srv->conns, link)
		if (c->s == s) {
			(void)conn_read(c);
			return;
		}
}

void
pppd_reap(struct l2tpd *d)
{
	struct session *s;
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		s = session_lookup_pid(d, pid);
		if (s != NULL && d->pppd != NULL)
			pppd_plugin_drain(d->pppd, s);
		session_pppd_exit(d, pid, status);
	}
}

/* ops: start pppd for s on its PPPoL2TP socket. */
int
pppd_spawn(struct l2tpd *d, struct session *s)
{
	struct pppd_session ps;
	struct pppd_argv av;
	sigset_t all;
	pid_t pid;
	int fd;

	memset(&ps, 0, sizeof(ps));
	fd = d->ops->session_fd(s->ks);
	ps.fd = fd;
	ps.tunnel_id = s->t->id;
	ps.session_id = s->id;
	ps.key = s->key;
	ps.conf_path = d->conf_path != NULL ? d->conf_path : d->conf->path;
	ps.sock_path = d->pppd != NULL ? d->pppd->path : "";
	ps.ifname = NULL;
	ps.unit = -1;
	if (pppd_args_build(d->conf, &ps, &av) == -1) {
		logt_warnx(s->tag, "cannot build pppd's arguments");
		return -1;
	}
	if ((pid = fork()) == -1) {
		logt_warn(s->tag, "fork");
		return -1;
	}
	if (pid == 0) {
		/* child: default signals, the one fd, exec */
		signal(SIGPIPE, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		if (kdp_fd_inherit(fd) == -1)
			_exit(127);
		execv(av.argv[0], av.argv);
		_exit(127);
	}
	s->pppd_pid = pid;
	return 0;
}

void
pppd_kill(struct l2tpd *d, struct session *s)
{
	(void)d;
	if (s->pppd_pid > 0 && kill(s->pppd_pid, SIGTERM) == -1 &&
	    errno != ESRCH)
		logt_warn(s->tag, "kill pppd %d", (int)s->pppd_pid);
}
