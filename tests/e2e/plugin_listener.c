/*
 * plugin_listener.c - stands in for l2tpd on the plugin socket in
 * tests/e2e/guest/plugin-pppd.sh: accepts the plugin's connections,
 * writes every message it receives as one line, answers HELLO and
 * ADDR_REQ, and can ask for a disconnect.
 *
 *   plugin_listener -s SOCK -o OUT [-l LOCAL] [-r REMOTE] [-t FILE] [-n N]
 *
 *   -s SOCK    socket path to listen on (its directory must exist)
 *   -o OUT     record file, one line per event, flushed at once:
 *              "<conn> <type> key=value ..." and "<conn> eof"
 *   -l/-r      addresses answered to ADDR_REQ (default 0.0.0.0 = none)
 *   -t FILE    answer the first periodic COUNTERS received once FILE
 *              exists with DISCONNECT (admin)
 *   -n N       exit after N connections have ended (default 1)
 *
 * HELLO keys starting with "unknown" get DISCONNECT unknown-key instead
 * of HELLO_ACK. Exits 0 when done, 1 on a malformed message or an error.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/sessproto.h"

#define MAX_CONN	8

static FILE *out;
static uint32_t addr_local, addr_remote;
static const char *trigger;

struct conn {
	int	fd;
	int	id;
	bool	disconnected;	/* DISCONNECT sent */
};

static void
record(const struct conn *c, const struct sessproto_msg *m)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN];
	unsigned int i;

	fprintf(out, "%d %s", c->id, sessproto_type_name(m->type));
	switch (m->type) {
	case SESSPROTO_HELLO:
		fprintf(out, " pid=%u key=%s", (unsigned int)m->u.hello.pid,
		    m->u.hello.key);
		break;
	case SESSPROTO_PHASE:
		fprintf(out, " %s", sessproto_phase_name(m->u.phase));
		break;
	case SESSPROTO_AUTH_OK:
		fprintf(out, " method=%s user=%s",
		    sessproto_auth_method_name(m->u.auth.method),
		    m->u.auth.user);
		break;
	case SESSPROTO_AUTH_FAIL:
		fprintf(out, " method=%s cause=%s user=%s text=\"%s\"",
		    sessproto_auth_method_name(m->u.auth.method),
		    sessproto_auth_cause_name(m->u.auth.cause),
		    m->u.auth.user, m->u.auth.text);
		break;
	case SESSPROTO_ADDR_REQ:
		fprintf(out, " user=%s", m->u.auth.user);
		break;
	case SESSPROTO_IP_UP:
		inet_ntop(AF_INET, &m->u.ip.local, a, sizeof(a));
		inet_ntop(AF_INET, &m->u.ip.remote, b, sizeof(b));
		fprintf(out, " ifname=%s local=%s remote=%s dns=",
		    m->u.ip.ifname, a, b);
		for (i = 0; i < m->u.ip.ndns; i++) {
			inet_ntop(AF_INET, &m->u.ip.dns[i], d, sizeof(d));
			fprintf(out, "%s%s", i ? "," : "", d);
		}
		break;
	case SESSPROTO_COUNTERS:
		fprintf(out, " final=%d seconds=%u bytes_in=%llu "
		    "bytes_out=%llu pkts_in=%llu pkts_out=%llu",
		    (m->u.counters.flags & SESSPROTO_COUNTERS_FINAL) != 0,
		    (unsigned int)m->u.counters.seconds,
		    (unsigned long long)m->u.counters.bytes_in,
		    (unsigned long long)m->u.counters.bytes_out,
		    (unsigned long long)m->u.counters.pkts_in,
		    (unsigned long long)m->u.counters.pkts_out);
		break;
	case SESSPROTO_IP_DOWN:
		fprintf(out, " ifname=%s", m->u.ip.ifname);
		break;
	case SESSPROTO_EXIT:
		fprintf(out, " code=%u text=%s", m->u.end.code,
		    m->u.end.text);
		break;
	case SESSPROTO_HELLO_ACK:
	case SESSPROTO_ADDR:
	case SESSPROTO_DISCONNECT:
		fprintf(out, " (from the wrong side)");
		break;
	}
	fputc('\n', out);
	fflush(out);
}

static void
reply(struct conn *c, enum sessproto_type type, uint8_t cause,
    const char *text)
{
	struct sessproto_msg m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	if (type == SESSPROTO_ADDR) {
		m.u.addr.local = addr_local;
		m.u.addr.remote = addr_remote;
	} else if (type == SESSPROTO_DISCONNECT) {
		m.u.end.code = cause;
		snprintf(m.u.end.text, sizeof(m.u.end.text), "%s", text);
	}
	if (sessproto_send(c->fd, &m) == -1)
		fprintf(out, "%d send %s failed: %s\n", c->id,
		    sessproto_type_name(type), strerror(errno));
	else
		fprintf(out, "%d sent %s\n", c->id, sessproto_type_name(type));
	fflush(out);
}

/* Returns 1 to keep the connection, 0 when it ended, -1 on bad input. */
static int
handle(struct conn *c)
{
	struct sessproto_msg m;
	int rc;

	rc = sessproto_recv(c->fd, &m);
	if (rc == -1 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (rc == 0 || rc == -1) {
		fprintf(out, "%d eof\n", c->id);
		fflush(out);
		return 0;
	}
	if (rc == -2) {
		fprintf(out, "%d malformed\n", c->id);
		fflush(out);
		return -1;
	}
	record(c, &m);
	switch (m.type) {
	case SESSPROTO_HELLO:
		if (strncmp(m.u.hello.key, "unknown", 7) == 0)
			reply(c, SESSPROTO_DISCONNECT,
			    SESSPROTO_DISC_UNKNOWN_KEY, "no such session");
		else
			reply(c, SESSPROTO_HELLO_ACK, 0, NULL);
		break;
	case SESSPROTO_ADDR_REQ:
		reply(c, SESSPROTO_ADDR, 0, NULL);
		break;
	case SESSPROTO_COUNTERS:
		if ((m.u.counters.flags & SESSPROTO_COUNTERS_FINAL) == 0 &&
		    trigger != NULL && !c->disconnected &&
		    access(trigger, F_OK) == 0) {
			reply(c, SESSPROTO_DISCONNECT, SESSPROTO_DISC_ADMIN,
			    "test asks");
			c->disconnected = true;
		}
		break;
	default:
		break;
	}
	return 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: plugin_listener -s SOCK -o OUT [-l LOCAL] "
	    "[-r REMOTE] [-t FILE] [-n N]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct sockaddr_un sun;
	struct pollfd pfd[MAX_CONN + 1];
	struct conn conns[MAX_CONN];
	const char *sock = NULL, *outpath = NULL;
	int ch, lfd, nconn = 0, ended = 0, want = 1, ids = 0, i, rc;
	int status = 0;

	while ((ch = getopt(argc, argv, "s:o:l:r:t:n:")) != -1) {
		switch (ch) {
		case 's':
			sock = optarg;
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'l':
			if (inet_pton(AF_INET, optarg, &addr_local) != 1)
				usage();
			break;
		case 'r':
			if (inet_pton(AF_INET, optarg, &addr_remote) != 1)
				usage();
			break;
		case 't':
			trigger = optarg;
			break;
		case 'n':
			want = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (sock == NULL || outpath == NULL ||
	    strlen(sock) >= sizeof(sun.sun_path))
		usage();
	if ((out = fopen(outpath, "a")) == NULL) {
		perror(outpath);
		return 1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, sock, strlen(sock));
	unlink(sock);
	lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (lfd == -1 || bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) ==
	    -1 || listen(lfd, 8) == -1) {
		perror(sock);
		return 1;
	}
	fprintf(out, "0 listening %s\n", sock);
	fflush(out);
	while (ended < want) {
		pfd[0].fd = lfd;
		pfd[0].events = nconn < MAX_CONN ? POLLIN : 0;
		for (i = 0; i < nconn; i++) {
			pfd[i + 1].fd = conns[i].fd;
			pfd[i + 1].events = POLLIN;
		}
		if (poll(pfd, (nfds_t)nconn + 1, -1) == -1) {
			if (errno == EINTR)
				continue;
			perror("poll");
			return 1;
		}
		for (i = nconn - 1; i >= 0; i--) {
			if (pfd[i + 1].revents == 0)
				continue;
			rc = handle(&conns[i]);
			if (rc == 1)
				continue;
			if (rc == -1)
				status = 1;
			close(conns[i].fd);
			conns[i] = conns[--nconn];
			ended++;
		}
		if ((pfd[0].revents & POLLIN) != 0) {
			conns[nconn].fd = accept4(lfd, NULL, NULL,
			    SOCK_CLOEXEC);
			if (conns[nconn].fd == -1)
				continue;
			conns[nconn].id = ++ids;
			conns[nconn].disconnected = false;
			fprintf(out, "%d connected\n", ids);
			fflush(out);
			nconn++;
		}
	}
	close(lfd);
	unlink(sock);
	fclose(out);
	return status;
}
