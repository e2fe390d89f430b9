/*
 * pppd_args.h - the explicit argv l2tpd execs pppd with for one L2TP
 * session (no shell, no options file): the PPPoL2TP socket in LNS mode,
 * our plugin with its options, and the PPP policy from the config.
 *
 * Pure: config + session in, argv out; nothing is opened or checked on
 * disk. The strings live in the struct pppd_argv the caller provides.
 */
#ifndef L2TPD_PPPD_ARGS_H
#define L2TPD_PPPD_ARGS_H

#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"

#define PPPD_ARGV_MAX	96	/* entries, the NULL terminator included */
#define PPPD_ARGS_BUF	4096	/* bytes of argument text */

/* Our plugin's option names (pppd-plugin/plugin.c registers them). */
#define PPPD_OPT_CONFIG		"l2tp-ipsec-config"
#define PPPD_OPT_SOCKET		"l2tp-ipsec-socket"
#define PPPD_OPT_SESSION	"l2tp-ipsec-session"
#define PPPD_OPT_STATS		"l2tp-ipsec-stats-interval"

/* What l2tpd knows about one session when it starts pppd. */
struct pppd_session {
	int		 fd;		/* connected PPPoL2TP socket, inherited */
	uint16_t	 tunnel_id;	/* our L2TP IDs, for pppol2tp.so */
	uint16_t	 session_id;
	const char	*key;		/* session key/log tag, 1..64 chars */
	const char	*conf_path;	/* the config file the plugin reads */
	const char	*sock_path;	/* l2tpd's plugin socket */
	const char	*ifname;	/* NULL: pppd's choice (pppN) */
	int		 unit;		/* -1: pppd's choice */
	struct in_addr	 remote;	/* 0: asked by the plugin after auth */
	unsigned int	 stats_interval;	/* s, 0: plugin default */
};

struct pppd_argv {
	char	*argv[PPPD_ARGV_MAX];	/* NULL-terminated, into buf */
	size_t	 argc;
	char	 buf[PPPD_ARGS_BUF];
	size_t	 used;
};

/*
 * Fill *out with pppd's argv for session s under conf. argv[0] is
 * conf->ppp.pppd. Borrowed pointers in s need only live for the call.
 * Returns 0, or -1 if s is invalid (fd < 0, empty key/paths, key or paths
 * with blanks or control characters) or the result does not fit.
 */
int	pppd_args_build(const struct vpn_conf *conf,
	    const struct pppd_session *s, struct pppd_argv *out);

#endif
