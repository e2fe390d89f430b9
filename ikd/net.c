/*
 * net.c - ikd's UDP sockets: IKE (ike.port) and NAT-T (ike.natt_port) on
 * each ike.listen address, or on the wildcard with IP_PKTINFO /
 * IPV6_RECVPKTINFO so that we learn (and answer from) the address each
 * packet came to.
 *
 * RFC 3948: the NAT-T sockets carry UDP_ENCAP_ESPINUDP, so the kernel
 * decapsulates ESP-in-UDP itself and hands us only IKE, behind the 4-byte
 * zero non-ESP marker (stripped here, added on send), and NAT-keepalives.
 * Every socket gets a per-socket XFRM bypass policy so that IKE is never
 * caught by an IPsec policy (ours for UDP/1701 or an administrator's).
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ikd/ikd.h"
#include "lib/ev.h"
#include "lib/log.h"

#ifndef UDP_ENCAP
#define UDP_ENCAP		100
#endif
#ifndef UDP_ENCAP_ESPINUDP
#define UDP_ENCAP_ESPINUDP	2
#endif

#define NET_MAX_SOCKS	(2 * CONF_MAX_LISTEN + 4)
/* Datagrams read per wakeup before yielding to the loop. */
#define NET_READ_BURST	64

struct ikd_net;

struct net_sock {
	struct ikd_net		*net;
	int			 fd;
	int			 family;
	bool			 natt;
	bool			 wildcard;
	struct sockaddr_storage	 bound;
	struct event		*ev;
};

struct ikd_net {
	struct ikd		*ctx;
	struct net_sock		 socks[NET_MAX_SOCKS];
	size_t			 nsock;
};

static socklen_t
ss_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
}

static void
set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)(void *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)(void *)ss)->sin6_port = htons(port);
}

/* IP_PKTINFO / IPV6_PKTINFO: the address the datagram was sent to. */
static void
local_from_cmsg(struct sockaddr_storage *local, struct cmsghdr *c)
{
	struct in_pktinfo pi;
	struct in6_pktinfo pi6;

	if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
	    local->ss_family == AF_INET) {
		memcpy(&pi, CMSG_DATA(c), sizeof(pi));
		((struct sockaddr_in *)(void *)local)->sin_addr = pi.ipi_addr;
	} else if (c->cmsg_level == IPPROTO_IPV6 &&
	    c->cmsg_type == IPV6_PKTINFO && local->ss_family == AF_INET6) {
		memcpy(&pi6, CMSG_DATA(c), sizeof(pi6));
		((struct sockaddr_in6 *)(void *)local)->sin6_addr =
		    pi6.ipi6_addr;
	}
}

static void
net_read_cb(int fd, short what, void *arg)
{
	struct net_sock *s = arg;
	uint8_t buf[IKD_MSG_MAX + IKD_NON_ESP_MARKER_LEN + 1];
	union {
		struct cmsghdr hdr;
		uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cbuf;
	struct cmsghdr *c;
	struct msghdr m;
	struct iovec iov;
	struct ikd_pkt pkt;
	ssize_t n;
	int i;
	static const uint8_t marker[IKD_NON_ESP_MARKER_LEN];

	(void)what;
	for (i = 0; i < NET_READ_BURST; i++) {
		memset(&pkt, 0, sizeof(pkt));
		memset(&m, 0, sizeof(m));
		iov.iov_base = buf;
		iov.iov_len = sizeof(buf);
		m.msg_name = &pkt.path.remote;
		m.msg_namelen = sizeof(pkt.path.remote);
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		m.msg_control = cbuf.b;
		m.msg_controllen = sizeof(cbuf.b);
		if ((n = recvmsg(fd, &m, 0)) == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				log_warn("recvmsg");
			return;
		}
		pkt.path.local = s->bound;
		pkt.path.natt = s->natt;
		for (c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c))
			local_from_cmsg(&pkt.path.local, c);
		pkt.data = buf;
		pkt.len = (size_t)n;
		if (s->natt && pkt.len >= IKD_NON_ESP_MARKER_LEN) {
			/* RFC 3948 2.2: IKE behind a zero non-ESP marker */
			if (memcmp(buf, marker, sizeof(marker)) != 0) {
				ikd_peer_error(s->net->ctx, NULL, "ESP on the "
				    "NAT-T socket (no kernel encap?)");
				continue;
			}
			pkt.data += IKD_NON_ESP_MARKER_LEN;
			pkt.len -= IKD_NON_ESP_MARKER_LEN;
		}
		ikd_input(s->net->ctx, &pkt);
	}
}

static int
open_sock(struct ikd_net *net, struct xfrm_backend *xb,
    const struct sockaddr_storage *addr, uint16_t port, bool natt,
    bool wildcard)
{
	struct net_sock *s;
	int fd = -1, on = 1, encap = UDP_ENCAP_ESPINUDP;
	char a[IKD_TAG_MAX];

	if (net->nsock >= NET_MAX_SOCKS)
		return -1;
	s = &net->socks[net->nsock];
	memset(s, 0, sizeof(*s));
	s->net = net;
	s->family = addr->ss_family;
	s->natt = natt;
	s->wildcard = wildcard;
	s->bound = *addr;
	set_port(&s->bound, port);
	if ((fd = socket(s->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_UDP)) == -1) {
		log_warn("socket");
		return -1;
	}
	if (s->family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) == -1)
		goto fail;
	if ((s->family == AF_INET ? setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on,
	    sizeof(on)) : setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on,
	    sizeof(on))) == -1)
		goto fail;
	if (bind(fd, (struct sockaddr *)&s->bound, ss_len(&s->bound)) == -1) {
		log_warn("bind %s", sa_str(&s->bound, true, a,
		    sizeof(a)));
		goto fail_logged;
	}
	/* RFC 3948: the kernel takes ESP-in-UDP off this socket */
	if (natt && setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &encap,
	    sizeof(encap)) == -1)
		goto fail;
	if (xb != NULL && xfrm_socket_bypass(xb, fd, s->family) == -1)
		goto fail_logged;
	if (net->ctx->base != NULL && (s->ev = ev_read_new(net->ctx->base, fd,
	    net_read_cb, s)) == NULL)
		goto fail_logged;
	s->fd = fd;
	net->nsock++;
	log_info("listening on %s%s", sa_str(&s->bound, true, a,
	    sizeof(a)), natt ? " (NAT-T)" : "");
	return 0;
fail:
	log_warn("socket option on %s", sa_str(&s->bound, true, a,
	    sizeof(a)));
fail_logged:
	close(fd);
	return -1;
}

struct ikd_net *
ikd_net_new(struct ikd *ctx, struct xfrm_backend *xb)
{
	const struct ike_conf *ic = &ctx->conf->ike;
	struct sockaddr_storage any;
	struct ikd_net *net;
	size_t i;

	if ((net = calloc(1, sizeof(*net))) == NULL) {
		log_warn("ikd_net_new");
		return NULL;
	}
	net->ctx = ctx;
	if (ic->nlisten == 0) {
		/* XXX IPv4 wildcard only for now; list IPv6 in ike.listen */
		memset(&any, 0, sizeof(any));
		any.ss_family = AF_INET;
		if (open_sock(net, xb, &any, ic->port, false, true) == -1 ||
		    open_sock(net, xb, &any, ic->natt_port, true, true) == -1)
			goto fail;
	}
	for (i = 0; i < ic->nlisten; i++)
		if (open_sock(net, xb, &ic->listen[i], ic->port, false,
		    false) == -1 || open_sock(net, xb, &ic->listen[i],
		    ic->natt_port, true, false) == -1)
			goto fail;
	return net;
fail:
	ikd_net_free(net);
	return NULL;
}

int
ikd_net_start(struct ikd_net *net, struct ikd *ctx)
{
	size_t i;

	net->ctx = ctx;
	for (i = 0; i < net->nsock; i++)
		if (net->socks[i].ev == NULL && (net->socks[i].ev =
		    ev_read_new(ctx->base, net->socks[i].fd, net_read_cb,
		    &net->socks[i])) == NULL)
			return -1;
	return 0;
}

size_t
ikd_net_fds(const struct ikd_net *net, int *fds, size_t max)
{
	size_t i;

	for (i = 0; i < net->nsock && i < max; i++)
		fds[i] = net->socks[i].fd;
	return i;
}

void
ikd_net_free(struct ikd_net *net)
{
	size_t i;

	if (net == NULL)
		return;
	for (i = 0; i < net->nsock; i++) {
		ev_free(net->socks[i].ev);
		close(net->socks[i].fd);
	}
	free(net);
}

int
ikd_net_send(void *arg, const struct ikd_path *path, const uint8_t *msg,
    size_t len)
{
	struct ikd_net *net = arg;
	struct net_sock *s = NULL;
	uint8_t marker[IKD_NON_ESP_MARKER_LEN] = { 0 };
	union {
		struct cmsghdr hdr;
		uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cbuf;
	struct sockaddr_storage to = path->remote;
	struct cmsghdr *c;
	struct iovec iov[2];
	struct msghdr m;
	char a[IKD_TAG_MAX];
	size_t i;

	for (i = 0; i < net->nsock; i++) {
		if (net->socks[i].natt != path->natt ||
		    net->socks[i].family != path->local.ss_family)
			continue;
		if (net->socks[i].wildcard ||
		    sa_equal(&net->socks[i].bound, &path->local, false)) {
			s = &net->socks[i];
			break;
		}
	}
	if (s == NULL) {
		log_warnx("no socket to send from %s", sa_str(
		    &path->local, true, a, sizeof(a)));
		return -1;
	}
	memset(&m, 0, sizeof(m));
	i = 0;
	if (path->natt) {
		/* RFC 3948 2.2 */
		iov[i].iov_base = marker;
		iov[i++].iov_len = sizeof(marker);
	}
	iov[i].iov_base = (void *)(uintptr_t)msg;
	iov[i++].iov_len = len;
	m.msg_name = &to;
	m.msg_namelen = ss_len(&to);
	m.msg_iov = iov;
	m.msg_iovlen = i;
	if (s->wildcard) {
		/* answer from the address the peer sent to */
		memset(&cbuf, 0, sizeof(cbuf));
		m.msg_control = cbuf.b;
		if (s->family == AF_INET) {
			struct in_pktinfo pi;

			memset(&pi, 0, sizeof(pi));
			pi.ipi_spec_dst = ((const struct sockaddr_in *)
			    (const void *)&path->local)->sin_addr;
			m.msg_controllen = CMSG_SPACE(sizeof(pi));
			c = CMSG_FIRSTHDR(&m);
			c->cmsg_level = IPPROTO_IP;
			c->cmsg_type = IP_PKTINFO;
			c->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		} else {
			struct in6_pktinfo pi6;

			memset(&pi6, 0, sizeof(pi6));
			pi6.ipi6_addr = ((const struct sockaddr_in6 *)
			    (const void *)&path->local)->sin6_addr;
			m.msg_controllen = CMSG_SPACE(sizeof(pi6));
			c = CMSG_FIRSTHDR(&m);
			c->cmsg_level = IPPROTO_IPV6;
			c->cmsg_type = IPV6_PKTINFO;
			c->cmsg_len = CMSG_LEN(sizeof(pi6));
			memcpy(CMSG_DATA(c), &pi6, sizeof(pi6));
		}
	}
	if (sendmsg(s->fd, &m, 0) == -1) {
		log_warn("sendmsg to %s", sa_str(&to, true, a,
		    sizeof(a)));
		return -1;
	}
	return 0;
}
