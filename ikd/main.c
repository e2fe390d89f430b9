/*
 * main.c - ikd, the IKEv1 responder of the L2TP/IPsec server.
 */
#include <stdbool.h>
#include <stdio.h>

#include "conf/conf_cli.h"

int
main(int argc, char *argv[])
{
	struct daemon_opts opts;
	int status;

	if (daemon_opts_parse(argc, argv, "ikd", &opts, &status) == -1)
		return status;
	if (opts.check_config)
		return conf_check_cli("ikd", opts.config, CONF_DESCRIBE_IKE);
	/* XXX the IKE service itself lands with the ikd issue (#3). */
	fprintf(stderr, "ikd: this build only checks the configuration "
	    "(--check-config); the IKE responder is not built yet\n");
	return 2;
}
