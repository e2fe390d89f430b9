/*
 * conf_cli.h - what both daemons do for --check-config: load the file,
 * report every warning, describe what will be used, never print a secret.
 */
#ifndef CONF_CONF_CLI_H
#define CONF_CONF_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "conf/conf.h"

#define CONF_DEFAULT_PATH	"/etc/l2tp-ipsec/vpn.conf"

#define CONF_DESCRIBE_IKE	0x01	/* ike section, PSK sources */
#define CONF_DESCRIBE_L2TP	0x02	/* l2tp, ppp, pool, users, log */

/*
 * Write to out a summary of the parts of conf named by sections
 * (CONF_DESCRIBE_*): addresses, ports, proposals in order, limits, the
 * number of PSKs and users (never a secret value).
 */
void	 conf_describe(const struct vpn_conf *conf, unsigned int sections,
	    FILE *out);

/*
 * --check-config: load path; on error print "prog: <error>" to stderr and
 * return 1; else print the warnings ("prog: warning: ...") to stderr, the
 * summary of sections and "<path>: configuration OK" to stdout, return 0.
 */
int	 conf_check_cli(const char *prog, const char *path,
	    unsigned int sections);

/* Command line shared by ikd and l2tpd. */
struct daemon_opts {
	const char	*config;	/* -f FILE, default CONF_DEFAULT_PATH */
	bool		 foreground;	/* -d: stay in front, log to stderr */
	int		 verbose;	/* -v, repeatable: more logging */
	bool		 check_config;	/* --check-config: check and exit */
};

/*
 * Parse argv into opts. On a usage error or -h, print the usage of prog to
 * stderr (or stdout for -h) and return -1 with *status the exit status to
 * use (2 or 0). Returns 0 when the daemon should go on.
 */
int	 daemon_opts_parse(int argc, char *argv[], const char *prog,
	    struct daemon_opts *opts, int *status);

/*
 * What both daemons do first: log to stderr, load opts->config (a first
 * start may generate the secrets file and print its values to stdout,
 * never to the log), then log where and as verbosely as the config and
 * -v say, log each config warning and what was generated. Exits through
 * fatalx() with the load error. Returns the loaded config.
 */
struct vpn_conf *daemon_start(const char *prog,
	    const struct daemon_opts *opts);

#endif
