/*
 * report.c - the plugin's connection to l2tpd (see report.h).
 */
#include "pppd-plugin/pppd_compat.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pppd-plugin/report.h"

static int report_fd = -1;
static const char *report_tag = "sess ?";

int
report_open(const char *path, const char *tag)
{
	struct sockaddr_un sun;
	int fd;

	report_tag = tag;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		error("%s: l2tpd socket path too long: %s", tag, path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	/* CLOEXEC: the scripts pppd runs must not inherit it. */
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		error("%s: socket: %m", tag);
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		error("%s: connect %s: %m", tag, path);
		close(fd);
		return -1;
	}
	report_fd = fd;
	return 0;
}

bool
report_is_open(void)
{
	return report_fd != -1;
}

int
report_send(const struct sessproto_msg *m)
{
	if (report_fd == -1)
		return -1;
	if (sessproto_send(report_fd, m) == -1) {
		error("%s: sending %s to l2tpd: %m", report_tag,
		    sessproto_type_name(m->type));
		report_close();
		return -1;
	}
	dbglog("%s: sent %s", report_tag, sessproto_type_name(m->type));
	return 0;
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Receive one message within timeout_ms: 1, 0 on timeout, -1 on error. */
static int
recv_within(struct sessproto_msg *m, int timeout_ms)
{
	struct pollfd pfd;
	long end;
	int n, rc;

	end = now_ms() + timeout_ms;
	for (;;) {
		pfd.fd = report_fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		n = (int)(end - now_ms());
		if (n < 0)
			n = 0;
		rc = poll(&pfd, 1, n);
		if (rc == -1 && errno == EINTR)
			continue;
		if (rc == -1) {
			error("%s: poll: %m", report_tag);
			return -1;
		}
		if (rc == 0)
			return 0;
		rc = sessproto_recv(report_fd, m);
		if (rc == 1)
			return 1;
		if (rc == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (rc == 0)
			error("%s: l2tpd closed the connection", report_tag);
		else if (rc == -2)
			error("%s: malformed message from l2tpd", report_tag);
		else
			error("%s: receiving from l2tpd: %m", report_tag);
		return -1;
	}
}

int
report_request(const struct sessproto_msg *req, enum sessproto_type want,
    struct sessproto_msg *reply, int timeout_ms)
{
	int rc;

	if (report_send(req) == -1)
		return -1;
	rc = recv_within(reply, timeout_ms);
	if (rc == 0)
		error("%s: no answer from l2tpd to %s within %d ms",
		    report_tag, sessproto_type_name(req->type), timeout_ms);
	if (rc != 1) {
		report_close();
		return -1;
	}
	if (reply->type != want && reply->type != SESSPROTO_DISCONNECT) {
		error("%s: l2tpd answered %s with %s", report_tag,
		    sessproto_type_name(req->type),
		    sessproto_type_name(reply->type));
		report_close();
		return -1;
	}
	return 0;
}

int
report_poll(struct sessproto_msg *m)
{
	int rc;

	if (report_fd == -1)
		return -1;
	rc = recv_within(m, 0);
	if (rc == -1)
		report_close();
	return rc;
}

void
report_close(void)
{
	if (report_fd != -1)
		close(report_fd);
	report_fd = -1;
}
