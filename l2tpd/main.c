/*
 * main.c - l2tpd, the RFC 2661 LNS of the L2TP/IPsec server.
 */
#include <stdbool.h>
#include <stdio.h>

#include "conf/conf_cli.h"

int
main(int argc, char *argv[])
{
	struct daemon_opts opts;
	int status;

	if (daemon_opts_parse(argc, argv, "l2tpd", &opts, &status) == -1)
		return status;
	if (opts.check_config)
		return conf_check_cli("l2tpd", opts.config,
		    CONF_DESCRIBE_L2TP);
	/* XXX the LNS itself lands with the l2tpd issue (#4). */
	fprintf(stderr, "l2tpd: this build only checks the configuration "
	    "(--check-config); the LNS is not built yet\n");
	return 2;
}
