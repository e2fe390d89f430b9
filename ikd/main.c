/*
 * main.c - ikd, the IKEv1 responder of the L2TP/IPsec server: options,
 * configuration, the one event loop, the kernel backend and L2TP policy
 * manager, the sockets, signals and a clean exit that removes what we
 * installed.
 *
 * XXX STYLE 2 privilege separation (a privileged parent doing the XFRM
 * writes for an unprivileged IKE process) is not done yet: everything
 * runs in one process; the kernel operations already go through the
 * typed request structs of xfrm.h, the menu the parent will check.
 */
#include <sys/types.h>

#include <event2/event.h>

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "conf/conf_cli.h"
#include "ikd/ikd.h"
#include "ikd/policy.h"
#include "ikd/xfrm.h"
#include "lib/ev.h"
#include "lib/log.h"

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

int
main(int argc, char *argv[])
{
	struct daemon_opts opts;
	struct conf_err err;
	struct vpn_conf *conf;
	struct event_base *base;
	struct event *ev_int, *ev_term, *ev_hup;
	struct xfrm_backend *xb;
	struct policy_mgr *pm;
	struct ikd ctx;
	enum log_level level;
	size_t i;
	int status;

	if (daemon_opts_parse(argc, argv, "ikd", &opts, &status) == -1)
		return status;
	if (opts.check_config)
		return conf_check_cli("ikd", opts.config, CONF_DESCRIBE_IKE);

	log_init("ikd", true, 0);
	if ((conf = conf_load(opts.config, &err)) == NULL)
		fatalx("%s", err.msg);
	log_init("ikd", opts.foreground || !conf->log.syslog,
	    conf->log.facility);
	level = (enum log_level)conf->log.level;
	if (opts.verbose > 0)
		level = opts.verbose > 1 ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO;
	if (level < (enum log_level)conf->log.level)
		level = (enum log_level)conf->log.level;
	log_setlevel(level);
	for (i = 0; i < conf->nwarnings; i++)
		log_warnx("%s", conf->warnings[i]);
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		fatal("signal");
	if (!opts.foreground && daemon(0, 0) == -1)
		fatal("daemon");

	if ((base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	if ((xb = xfrm_backend_new(conf->ike.kernel)) == NULL)
		fatalx("cannot open the kernel backend (%s)",
		    xfrm_kernel_name(conf->ike.kernel));
	/* SAs left by an earlier run that died (policies: policy_mgr_new) */
	(void)xfrm_flush_ours(xb, XFRM_FLUSH_SA, NULL, NULL);
	if ((pm = policy_mgr_new(base, xb, NULL)) == NULL)
		fatalx("cannot install the L2TP IPsec policies");

	memset(&ctx, 0, sizeof(ctx));
	ikd_init(&ctx, conf, base, &ikd_kernel_xfrm_ops, xb, ikd_net_send,
	    NULL);
	if ((ctx.net = ikd_net_new(&ctx, xb)) == NULL) {
		policy_mgr_free(pm);
		fatalx("cannot open the IKE sockets");
	}
	ctx.send_arg = ctx.net;
	if ((ev_int = ev_signal_add(base, SIGINT, on_stop, base)) == NULL ||
	    (ev_term = ev_signal_add(base, SIGTERM, on_stop, base)) == NULL ||
	    (ev_hup = ev_signal_add(base, SIGHUP, on_hup, NULL)) == NULL)
		fatalx("cannot install signal handlers");
	log_info("ikd started: kernel %s, %zu IKE proposals, %zu ESP "
	    "proposals", xfrm_kernel_name(conf->ike.kernel),
	    conf->ike.nproposals, conf->ike.nesp);

	if (event_base_dispatch(base) == -1)
		log_warnx("event loop failed");

	/* RFC 2408 5.15: best-effort Deletes, then remove what we installed */
	ikd_shutdown(&ctx, true);
	(void)xfrm_flush_ours(xb, XFRM_FLUSH_SA, NULL, NULL);
	policy_mgr_free(pm);
	log_info("ikd stopped: %llu packets in, %llu out, %llu ISAKMP SAs, "
	    "%llu Quick Modes, %llu malformed",
	    (unsigned long long)ctx.ctr.rx, (unsigned long long)ctx.ctr.tx,
	    (unsigned long long)ctx.ctr.p1_established,
	    (unsigned long long)ctx.ctr.qm_done,
	    (unsigned long long)ctx.ctr.malformed);
	ikd_net_free(ctx.net);
	ev_free(ev_int);
	ev_free(ev_term);
	ev_free(ev_hup);
	xfrm_backend_free(xb);
	event_base_free(base);
	conf_free(conf);
	ike_crypto_cleanup();
	dh_cleanup();
	return 0;
}
