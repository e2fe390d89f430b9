/*
 * vpnctl - send one command to ikd's control socket and print the reply
 * (protocol: lib/ctl.h).
 *
 *   vpnctl [-s socket] command [args...]
 *   vpnctl ike-sas | ipsec-sas | policies | counters | watch
 *   vpnctl register l2tp 1701 | peer 192.0.2.5 4500 | drop 192.0.2.5 1701
 *
 * The words are joined with single spaces and checked with the same
 * parser the server uses. Record lines are printed as received; the
 * terminator "ok" is not printed, "error <reason>" goes to stderr. Exit
 * status: 0 ok, 1 error reply, 2 usage, connection or protocol failure.
 * "watch" prints event lines until the server closes the connection or
 * vpnctl is interrupted.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/ctl.h"

#define VPNCTL_SOCKET	"/run/l2tp-ipsec/ikd.sock"

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: vpnctl [-s socket] policies | ike-sas | "
	    "ipsec-sas | counters | watch | register l2tp <port> | peer "
	    "<addr> <port> | drop <addr> <port>\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	const char *path = VPNCTL_SOCKET, *why = NULL, *reason;
	char req[CTL_REQ_MAX], line[CTL_LINE_MAX + 1];
	struct sockaddr_un sun;
	struct ctl_req r;
	size_t len = 0, n;
	FILE *in;
	int c, fd, i;

	while ((c = getopt(argc, argv, "s:")) != -1) {
		switch (c) {
		case 's':
			path = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	for (i = optind; i < argc; i++) {
		n = strlen(argv[i]);
		if (len + n + 1 >= sizeof(req)) {
			fprintf(stderr, "vpnctl: request too long\n");
			return 2;
		}
		if (len > 0)
			req[len++] = ' ';
		memcpy(req + len, argv[i], n);
		len += n;
	}
	if (!ctl_req_parse(req, len, &r, &why)) {
		fprintf(stderr, "vpnctl: %s\n", why);
		usage();
	}
	req[len++] = '\n';

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "vpnctl: socket path too long\n");
		return 2;
	}
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "vpnctl: %s: %s\n", path, strerror(errno));
		return 2;
	}
	if (write(fd, req, len) != (ssize_t)len) {
		fprintf(stderr, "vpnctl: write: %s\n", strerror(errno));
		return 2;
	}
	if ((in = fdopen(fd, "r")) == NULL) {
		fprintf(stderr, "vpnctl: fdopen: %s\n", strerror(errno));
		return 2;
	}
	while (fgets(line, sizeof(line), in) != NULL) {
		n = strlen(line);
		if (n == 0 || line[n - 1] != '\n') {
			fprintf(stderr, "vpnctl: line too long or cut\n");
			return 2;
		}
		line[--n] = '\0';
		switch (ctl_reply_classify(line, n, &reason)) {
		case CTL_REPLY_RECORD:
			printf("%s\n", line);
			fflush(stdout);
			break;
		case CTL_REPLY_OK:
			if (r.cmd != CTL_CMD_WATCH)
				return 0;
			break;
		case CTL_REPLY_ERROR:
			fprintf(stderr, "vpnctl: error: %s\n", reason);
			return 1;
		case CTL_REPLY_BAD:
			fprintf(stderr, "vpnctl: bad reply line\n");
			return 2;
		}
	}
	if (r.cmd == CTL_CMD_WATCH)
		return 0;
	fprintf(stderr, "vpnctl: connection closed before the reply ended\n");
	return 2;
}
