/*
 * main.c - ikd, the IKEv1 responder of the L2TP/IPsec server: options,
 * configuration, the one event loop, the kernel backend and L2TP policy
 * manager, the sockets, signals and a clean exit that removes what we
 * installed.
 *
 * Privilege separation (ikd/priv.h): main() is the privileged parent.
 * It sets up everything that needs root (XFRM backend, stale SA cleanup,
 * the L2TP policies, the UDP sockets with their bypass, the control
 * socket), forks the IKE process (ike_process(): drops to ike.user and
 * runs the exchanges and the control socket), then only answers its
 * requests. SIGTERM/SIGINT are passed to the IKE process, which sends
 * its Deletes and removes its SAs through the parent; when it is gone
 * the parent removes whatever of ours is left and exits. If the IKE
 * process dies on its own the parent does the same and exits 1.
 *
 * XXX chroot of the IKE process is not done (it opens no files after
 * the drop, but syslog needs /dev/log).
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <event2/event.h>

#include <errno.h>
#include <signal.h>
#include <syslog.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "conf/conf_cli.h"
#include "ikd/cert.h"
#include "ikd/ikd.h"
#include "ikd/policy.h"
#include "ikd/priv.h"
#include "ikd/xfrm.h"
#include "lib/ev.h"
#include "lib/log.h"

/* What the IKE process inherits from the parent. */
struct ike_proc_args {
	struct vpn_conf		*conf;
	struct ikd_net		*net;		/* sockets, no events yet */
	int			 ctl_fd;
	int			 priv_fd;
	uid_t			 ctl_uid;	/* who may use the socket */
	struct ikd_certs	*certs;		/* NULL: PSK only */
	bool			 log_stderr;
};

/* Parent state for its event callbacks. */
struct parent {
	struct event_base	*base;
	struct priv_parent	 pp;
	pid_t			 child;
	int			 priv_fd;
	int			 child_status;
	bool			 child_gone;
	bool			 stopping;
	unsigned int		 nstop;
	struct event		*ev_priv;
};

static void
on_stop(int sig, short what, void *arg)
{
	struct event_base *base = arg;

	(void)what;
	log_info("signal %d: shutting down", sig);
	event_base_loopbreak(base);
}

static void
on_hup(int sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	(void)arg;
	/* XXX reload (swap in a validated configuration) is not done yet */
	log_info("SIGHUP ignored: configuration reload is not implemented");
}

/* Close every descriptor above stderr except the sorted keep[0..n). */
static void
close_all_but(int *keep, size_t n)
{
	unsigned int lo = 3;
	size_t i, j;
	int t;

	for (i = 1; i < n; i++)
		for (j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
			t = keep[j];
			keep[j] = keep[j - 1];
			keep[j - 1] = t;
		}
	for (i = 0; i < n; i++) {
		if (keep[i] < 3)
			continue;
		if ((unsigned int)keep[i] > lo)
			(void)close_range(lo, (unsigned int)keep[i] - 1, 0);
		lo = (unsigned int)keep[i] + 1;
	}
	(void)close_range(lo, ~0u, 0);
}

/* The unprivileged IKE process; never returns. */
static void __attribute__((noreturn))
ike_process(struct ike_proc_args *a)
{
	struct event_base *base;
	struct event *ev_int, *ev_term, *ev_hup;
	struct priv_client pc;
	struct ikd ctx;
	int keep[CONF_MAX_LISTEN * 2 + 8];
	size_t n;

	/* syslog's socket is closed below: reopen it afterwards */
	closelog();
	n = ikd_net_fds(a->net, keep, sizeof(keep) / sizeof(keep[0]) - 2);
	keep[n++] = a->ctl_fd;
	keep[n++] = a->priv_fd;
	close_all_but(keep, n);
	log_init("ikd", a->log_stderr, a->conf->log.facility);
	/* the parent keeps the only copy of the key (PRIV_SIGN) */
	ikd_certs_drop_key(a->certs);
	if (priv_drop(a->conf->ike.user) == -1)
		fatalx("cannot drop privileges");
	ikd_certs_check_access(a->certs);
	/* cleared by the credential change: set it now */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) == -1)
		fatal("PR_SET_PDEATHSIG");

	if ((base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	memset(&pc, 0, sizeof(pc));
	pc.fd = a->priv_fd;
	memset(&ctx, 0, sizeof(ctx));
	ikd_init(&ctx, a->conf, base, &priv_kernel_ops, &pc, ikd_net_send,
	    a->net);
	ctx.net = a->net;
	ctx.certs = a->certs;
	if (ikd_net_start(a->net, &ctx) == -1)
		fatalx("cannot watch the IKE sockets");
	if ((ctx.ctl = ikd_ctl_new(&ctx, a->ctl_fd, a->ctl_uid, &pc)) == NULL)
		fatalx("cannot serve the control socket");
	if ((ev_int = ev_signal_add(base, SIGINT, on_stop, base)) == NULL ||
	    (ev_term = ev_signal_add(base, SIGTERM, on_stop, base)) == NULL ||
	    (ev_hup = ev_signal_add(base, SIGHUP, on_hup, NULL)) == NULL)
		fatalx("cannot install signal handlers");
	log_info("ikd started: kernel %s, %zu IKE proposals, %zu ESP "
	    "proposals", conf_kernel_name(a->conf->ike.kernel),
	    a->conf->ike.nproposals, a->conf->ike.nesp);

	if (event_base_dispatch(base) == -1)
		log_warnx("event loop failed");

	/* RFC 2408 5.15: best-effort Deletes, then remove what we installed */
	ikd_ctl_free(ctx.ctl);
	ctx.ctl = NULL;
	ikd_shutdown(&ctx, true);
	log_info("IKE process stopped: %llu packets in, %llu out, %llu "
	    "ISAKMP SAs, %llu Quick Modes, %llu malformed",
	    (unsigned long long)ctx.ctr.rx, (unsigned long long)ctx.ctr.tx,
	    (unsigned long long)ctx.ctr.p1_established,
	    (unsigned long long)ctx.ctr.qm_done,
	    (unsigned long long)ctx.ctr.malformed);
	ikd_net_free(ctx.net);
	ev_free(ev_int);
	ev_free(ev_term);
	ev_free(ev_hup);
	event_base_free(base);
	ikd_certs_free(a->certs);
	conf_free(a->conf);
	ike_crypto_cleanup();
	dh_cleanup();
	exit(0);
}

static void
parent_child_gone(struct parent *p, int status)
{
	p->child_gone = true;
	p->child_status = status;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && p->stopping)
		log_info("IKE process %d exited", (int)p->child);
	else if (WIFSIGNALED(status))
		log_warnx("IKE process %d killed by signal %d%s", (int)p->child,
		    WTERMSIG(status), p->stopping ? "" : ": cleaning up");
	else
		log_warnx("IKE process %d exited with status %d%s",
		    (int)p->child, WEXITSTATUS(status),
		    p->stopping ? "" : ": cleaning up");
	event_base_loopbreak(p->base);
}

static void
parent_on_chld(int sig, short what, void *arg)
{
	struct parent *p = arg;
	int status;
	pid_t r;

	(void)sig;
	(void)what;
	while ((r = waitpid(-1, &status, WNOHANG)) > 0)
		if (r == p->child && !p->child_gone)
			parent_child_gone(p, status);
}

static void
parent_on_stop(int sig, short what, void *arg)
{
	struct parent *p = arg;

	(void)what;
	p->stopping = true;
	/* a second signal: the IKE process is stuck */
	log_info("signal %d: stopping the IKE process %d", sig, (int)p->child);
	if (!p->child_gone && kill(p->child, p->nstop++ == 0 ? SIGTERM :
	    SIGKILL) == -1 && errno != ESRCH)
		log_warn("kill %d", (int)p->child);
}

static void
parent_on_priv(int fd, short what, void *arg)
{
	struct parent *p = arg;

	(void)what;
	if (priv_parent_serve(&p->pp, fd) == -1) {
		/* the IKE process closed its end: it is exiting; SIGCHLD
		   will tell how */
		ev_free(p->ev_priv);
		p->ev_priv = NULL;
	}
}

/* --check-config: the file, then what only ikd reads (certificates). */
static int
check_config(const char *path)
{
	struct ikd_certs *certs;
	struct vpn_conf *conf;
	struct conf_err err;
	char ebuf[512];
	size_t i;
	int rc;

	if ((rc = conf_check_cli("ikd", path, CONF_DESCRIBE_IKE)) != 0)
		return rc;
	if ((conf = conf_load(path, &err)) == NULL)
		return 1;
	if (ikd_certs_load(&conf->ike, &certs, ebuf, sizeof(ebuf)) == -1) {
		fprintf(stderr, "ikd: certificates: %s\n", ebuf);
		conf_free(conf);
		return 1;
	}
	if (certs != NULL)
		for (i = 0; i < ikd_certs_count(certs); i++)
			printf("certificate %zu: our ID \"%s\"\n", i + 1,
			    ikd_certs_subject(certs, i));
	ikd_certs_free(certs);
	conf_free(conf);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct daemon_opts opts;
	struct vpn_conf *conf;
	struct event *ev_int, *ev_term, *ev_hup, *ev_chld;
	struct xfrm_backend *xb;
	struct ike_proc_args a;
	struct parent p;
	struct ikd tmp;
	unsigned int nsa = 0;
	int status, sp[2];
	char ebuf[512];

	memset(&a, 0, sizeof(a));
	if (daemon_opts_parse(argc, argv, "ikd", &opts, &status) == -1)
		return status;
	if (opts.check_config)
		return check_config(opts.config);

	conf = daemon_start("ikd", &opts);
	/* as root, before the IKE process drops privileges */
	if (ikd_certs_load(&conf->ike, &a.certs, ebuf, sizeof(ebuf)) == -1)
		fatalx("certificates: %s", ebuf);
	if (a.certs != NULL)
		log_info("certificate authentication: our ID \"%s\" (%zu "
		    "certificate%s), CAs from %s, CRL %s, %zu ike.cert_allow "
		    "rules", ikd_certs_subject(a.certs, 0),
		    ikd_certs_count(a.certs),
		    ikd_certs_count(a.certs) > 1 ? "s" : "", conf->ike.ca_file,
		    conf->ike.crl_file != NULL ? conf->ike.crl_file : "none",
		    conf->ike.ncert_allow);
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		fatal("signal");
	if (!opts.foreground && daemon(0, 0) == -1)
		fatal("daemon");

	memset(&p, 0, sizeof(p));
	if ((p.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	if ((xb = xfrm_backend_new(conf->ike.kernel)) == NULL)
		fatalx("cannot open the kernel backend (%s)",
		    conf_kernel_name(conf->ike.kernel));
	/* SAs left by an earlier run that died (policies: policy_mgr_new) */
	(void)xfrm_flush_ours(xb, XFRM_FLUSH_SA, NULL, NULL);
	if ((a.ctl_fd = ikd_ctl_listen(conf->run_dir,
	    conf->ike.control_socket)) == -1)
		fatalx("cannot create the control socket");
	p.pp.xb = xb;
	p.pp.certs = a.certs;
	p.pp.base = p.base;
	p.pp.l2tp_port = POLICY_L2TP_PORT;
	if ((p.pp.pm = policy_mgr_new(p.base, xb, NULL)) == NULL) {
		(void)unlink(conf->ike.control_socket);
		fatalx("cannot install the L2TP IPsec policies");
	}
	/* sockets bound here, read events in the IKE process */
	memset(&tmp, 0, sizeof(tmp));
	ikd_init(&tmp, conf, NULL, &ikd_kernel_xfrm_ops, xb, NULL, NULL);
	if ((a.net = ikd_net_new(&tmp, xb)) == NULL) {
		policy_mgr_free(p.pp.pm);
		(void)unlink(conf->ike.control_socket);
		fatalx("cannot open the IKE sockets");
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) == -1)
		fatal("socketpair");
	a.conf = conf;
	a.priv_fd = sp[1];
	a.ctl_uid = geteuid();
	a.log_stderr = opts.foreground || !conf->log.syslog;
	switch ((p.child = fork())) {
	case -1:
		fatal("fork");
	case 0:
		close(sp[0]);
		ike_process(&a);
	default:
		break;
	}
	close(sp[1]);
	close(a.ctl_fd);
	ikd_net_free(a.net);
	p.priv_fd = sp[0];
	if ((ev_int = ev_signal_add(p.base, SIGINT, parent_on_stop, &p)) ==
	    NULL ||
	    (ev_term = ev_signal_add(p.base, SIGTERM, parent_on_stop, &p)) ==
	    NULL ||
	    (ev_hup = ev_signal_add(p.base, SIGHUP, on_hup, NULL)) == NULL ||
	    (ev_chld = ev_signal_add(p.base, SIGCHLD, parent_on_chld, &p)) ==
	    NULL ||
	    (p.ev_priv = ev_read_new(p.base, sp[0], parent_on_priv, &p)) ==
	    NULL)
		fatalx("cannot install the parent's events");
	/* (signals go to one base: the parent's are added after the fork)
	   an IKE process that died before SIGCHLD was watched */
	parent_on_chld(SIGCHLD, 0, &p);
	log_info("privileged process %d: IKE process %d", (int)getpid(),
	    (int)p.child);

	if (!p.child_gone && event_base_dispatch(p.base) == -1)
		log_warnx("event loop failed");
	if (!p.child_gone) {
		/* the loop failed: do not leave the child behind */
		(void)kill(p.child, SIGKILL);
		if (waitpid(p.child, &status, 0) == p.child)
			parent_child_gone(&p, status);
	}

	/* whatever the IKE process did not remove (it died, or failed) */
	(void)xfrm_flush_ours(xb, XFRM_FLUSH_SA, &nsa, NULL);
	if (nsa > 0)
		log_info("removed %u SA(s) the IKE process left", nsa);
	policy_mgr_free(p.pp.pm);
	(void)unlink(conf->ike.control_socket);
	log_info("ikd stopped: %llu privileged requests, %llu refused",
	    (unsigned long long)p.pp.handled,
	    (unsigned long long)p.pp.refused);
	ev_free(p.ev_priv);
	close(sp[0]);
	ev_free(ev_int);
	ev_free(ev_term);
	ev_free(ev_hup);
	ev_free(ev_chld);
	xfrm_backend_free(xb);
	event_base_free(p.base);
	conf_free(conf);
	ike_crypto_cleanup();
	dh_cleanup();
	return p.stopping && WIFEXITED(p.child_status) &&
	    WEXITSTATUS(p.child_status) == 0 ? 0 : 1;
}
