/*
 * pppd_argv.c - print, one per line, the pppd argv l2tpd would exec for a
 * session (l2tpd/pppd_args.c) under a config file, so that
 * tests/e2e/guest/plugin-pppd.sh runs pppd with exactly those options.
 *
 *   pppd_argv CONF KEY SOCK [STATS_INTERVAL]
 *
 * The session is fd 0, tunnel 1, session 1 (the test drops the
 * pppol2tp.so part: its link is a pty). Exits 1 if the config does not
 * load or the argv cannot be built.
 */
#include <stdio.h>
#include <stdlib.h>

#include "conf/conf.h"
#include "l2tpd/pppd_args.h"

int
main(int argc, char **argv)
{
	struct conf_err err;
	struct vpn_conf *conf;
	struct pppd_session s = { 0 };
	static struct pppd_argv a;
	size_t i;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: pppd_argv CONF KEY SOCK "
		    "[STATS_INTERVAL]\n");
		return 2;
	}
	if ((conf = conf_load(argv[1], &err)) == NULL) {
		fprintf(stderr, "pppd_argv: %s\n", err.msg);
		return 1;
	}
	s.fd = 0;
	s.tunnel_id = 1;
	s.session_id = 1;
	s.key = argv[2];
	s.conf_path = argv[1];
	s.sock_path = argv[3];
	s.unit = -1;
	if (argc == 5)
		s.stats_interval = (unsigned int)atoi(argv[4]);
	if (pppd_args_build(conf, &s, &a) == -1) {
		fprintf(stderr, "pppd_argv: cannot build the argv\n");
		conf_free(conf);
		return 1;
	}
	for (i = 0; i < a.argc; i++)
		printf("%s\n", a.argv[i]);
	conf_free(conf);
	return 0;
}
