/*
 * kdp.c - l2tpd's kernel data path: tunnel UDP sockets, kernel L2TPv2
 * tunnels and PPP sessions over generic netlink ("genl") or PPPoL2TP
 * sockets alone ("pppox"), statistics, control frames. See kdp.h.
 */
#include <sys/ioctl.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/if_pppox.h>
#include <linux/l2tp.h>
#include <linux/ppp-ioctl.h>
#include <linux/xfrm.h>

#include "l2tpd/kdp.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/sockaddr.h"
#include "lib/nl.h"

/* RFC 2661 3.1: T bit, version field of the first 16 bits. */
#define KDP_HDR_T		0x8000u
#define KDP_HDR_VER_MASK	0x000fu
#define KDP_L2TP_VERSION	2

struct kdp {
	enum kdp_mode		 mode;
	struct nl_sock		*nl;		/* genl only */
	uint16_t		 family;	/* "l2tp" family id */
	struct nl_req		*req;
	LIST_HEAD(, kdp_tunnel)	 tunnels;
	bool			 cleartext_ok;	/* lab probes only */
};

struct kdp_tunnel {
	struct kdp		*kdp;
	LIST_ENTRY(kdp_tunnel)	 entry;
	struct kdp_tunnel_cfg	 cfg;
	int			 fd;		/* connected UDP */
	int			 mgmt_fd;	/* pppox: tunnel PPPoL2TP socket */
	bool			 in_kernel;
	char			 tag[KDP_TAG_MAX];
	struct kdp_tunnel_counters counters;
	struct log_ratelimit	 rl;
	LIST_HEAD(, kdp_session) sessions;
};

struct kdp_session {
	struct kdp_tunnel	*tunnel;
	LIST_ENTRY(kdp_session)	 entry;
	struct kdp_session_cfg	 cfg;
	int			 fd;		/* PPPoL2TP */
	bool			 in_kernel;	/* genl: created by us */
	char			 tag[KDP_TAG_MAX];
};

const char *
kdp_mode_name(enum kdp_mode mode)
{
	switch (mode) {
	case KDP_MODE_AUTO:
		return "auto";
	case KDP_MODE_GENL:
		return "genl";
	case KDP_MODE_PPPOX:
		return "pppox";
	}
	return "?";
}

/*
 * Module hints: what a kernel error means here, or "".
 */

/* socket(AF_PPPOX, SOCK_DGRAM, PX_PROTO_OL2TP) */
static const char *
kdp_pppox_hint(int err)
{
	switch (err) {
	case EAFNOSUPPORT:
		return " (kernel modules pppox and l2tp_ppp not loaded)";
	case EPROTONOSUPPORT:
		return " (kernel module l2tp_ppp not loaded)";
	}
	return "";
}

/* genl L2TP requests */
static const char *
kdp_genl_hint(uint8_t cmd, int err)
{
	switch (err) {
	case EPROTONOSUPPORT:
		if (cmd == L2TP_CMD_SESSION_CREATE)
			return " (no PPP pseudowire: kernel module l2tp_ppp "
			    "not loaded)";
		return " (encapsulation not supported by the kernel)";
	case EEXIST:
		if (cmd == L2TP_CMD_TUNNEL_CREATE)
			return " (tunnel id in use in this network namespace)";
		return " (session id in use in the tunnel)";
	case EBUSY:
		return " (the UDP socket already carries a tunnel)";
	case ENOENT:
		return " (no such tunnel or session in the kernel)";
	case EPERM:
		return " (CAP_NET_ADMIN needed)";
	}
	return "";
}

/*
 * Addresses.
 */

static socklen_t
kdp_sa_len(const struct sockaddr_storage *ss)
{
	switch (ss->ss_family) {
	case AF_INET:
		return sizeof(struct sockaddr_in);
	case AF_INET6:
		return sizeof(struct sockaddr_in6);
	}
	return 0;
}

/*
 * Frames and kernel messages.
 */

enum kdp_frame
kdp_frame_classify(const void *buf, size_t len)
{
	struct rbuf r;
	uint16_t flags;

	rbuf_init(&r, buf, len);
	if (!rbuf_get_u16(&r, &flags))
		return KDP_FRAME_BAD;
	if ((flags & KDP_HDR_VER_MASK) != KDP_L2TP_VERSION)
		return KDP_FRAME_BAD;
	return (flags & KDP_HDR_T) ? KDP_FRAME_CONTROL : KDP_FRAME_DATA;
}

static void
kdp_genl_start(struct nl_req *req, uint16_t family, uint8_t cmd)
{
	nl_req_init(req, family, 0);
	nl_req_put_genl(req, cmd, L2TP_GENL_VERSION);
}

bool
kdp_build_tunnel_create(struct nl_req *req, uint16_t family,
    uint16_t tunnel_id, uint16_t peer_tunnel_id, int fd)
{
	kdp_genl_start(req, family, L2TP_CMD_TUNNEL_CREATE);
	nl_req_put_u32(req, L2TP_ATTR_CONN_ID, tunnel_id);
	nl_req_put_u32(req, L2TP_ATTR_PEER_CONN_ID, peer_tunnel_id);
	nl_req_put_u8(req, L2TP_ATTR_PROTO_VERSION, KDP_L2TP_VERSION);
	nl_req_put_u16(req, L2TP_ATTR_ENCAP_TYPE, L2TP_ENCAPTYPE_UDP);
	/* The kernel takes our socket as it is (bound, connected). */
	nl_req_put_u32(req, L2TP_ATTR_FD, (uint32_t)fd);
	return nl_req_ok(req);
}

bool
kdp_build_tunnel_delete(struct nl_req *req, uint16_t family,
    uint16_t tunnel_id)
{
	kdp_genl_start(req, family, L2TP_CMD_TUNNEL_DELETE);
	nl_req_put_u32(req, L2TP_ATTR_CONN_ID, tunnel_id);
	return nl_req_ok(req);
}

bool
kdp_build_tunnel_get(struct nl_req *req, uint16_t family, uint16_t tunnel_id)
{
	kdp_genl_start(req, family, L2TP_CMD_TUNNEL_GET);
	nl_req_put_u32(req, L2TP_ATTR_CONN_ID, tunnel_id);
	return nl_req_ok(req);
}

bool
kdp_build_session_create(struct nl_req *req, uint16_t family,
    uint16_t tunnel_id, const struct kdp_session_cfg *cfg)
{
	kdp_genl_start(req, family, L2TP_CMD_SESSION_CREATE);
	nl_req_put_u32(req, L2TP_ATTR_CONN_ID, tunnel_id);
	nl_req_put_u32(req, L2TP_ATTR_SESSION_ID, cfg->session_id);
	nl_req_put_u32(req, L2TP_ATTR_PEER_SESSION_ID, cfg->peer_session_id);
	nl_req_put_u16(req, L2TP_ATTR_PW_TYPE, L2TP_PWTYPE_PPP);
	/* Only what differs from the kernel's defaults (all off). */
	if (cfg->recv_seq)
		nl_req_put_u8(req, L2TP_ATTR_RECV_SEQ, 1);
	if (cfg->send_seq)
		nl_req_put_u8(req, L2TP_ATTR_SEND_SEQ, 1);
	if (cfg->lns_mode)
		nl_req_put_u8(req, L2TP_ATTR_LNS_MODE, 1);
	/* nla_get_msecs(): a u64 of milliseconds. */
	if (cfg->reorder_timeout_ms != 0)
		nl_req_put_u64(req, L2TP_ATTR_RECV_TIMEOUT,
		    cfg->reorder_timeout_ms);
	return nl_req_ok(req);
}

/* A session command that names only the session: delete, get. */
static bool
build_session_cmd(struct nl_req *req, uint16_t family, uint8_t cmd,
    uint16_t tunnel_id, uint16_t session_id)
{
	kdp_genl_start(req, family, cmd);
	nl_req_put_u32(req, L2TP_ATTR_CONN_ID, tunnel_id);
	nl_req_put_u32(req, L2TP_ATTR_SESSION_ID, session_id);
	return nl_req_ok(req);
}

bool
kdp_build_session_delete(struct nl_req *req, uint16_t family,
    uint16_t tunnel_id, uint16_t session_id)
{
	return build_session_cmd(req, family, L2TP_CMD_SESSION_DELETE,
	    tunnel_id, session_id);
}

bool
kdp_build_session_get(struct nl_req *req, uint16_t family,
    uint16_t tunnel_id, uint16_t session_id)
{
	return build_session_cmd(req, family, L2TP_CMD_SESSION_GET,
	    tunnel_id, session_id);
}

bool
kdp_parse_info(const struct nlmsghdr *nlh, uint16_t family,
    struct kdp_info *out)
{
	static const struct nl_attr_policy pol[L2TP_ATTR_MAX + 1] = {
		[L2TP_ATTR_PW_TYPE] = { NL_ATTR_U16, 0, 0 },
		[L2TP_ATTR_CONN_ID] = { NL_ATTR_U32, 0, 0 },
		[L2TP_ATTR_PEER_CONN_ID] = { NL_ATTR_U32, 0, 0 },
		[L2TP_ATTR_SESSION_ID] = { NL_ATTR_U32, 0, 0 },
		[L2TP_ATTR_PEER_SESSION_ID] = { NL_ATTR_U32, 0, 0 },
		[L2TP_ATTR_USING_IPSEC] = { NL_ATTR_U8, 0, 0 },
		[L2TP_ATTR_STATS] = { NL_ATTR_NESTED, 0, 0 },
	};
	static const struct nl_attr_policy spol[L2TP_ATTR_STATS_MAX + 1] = {
		[L2TP_ATTR_TX_PACKETS] = { NL_ATTR_U64, 0, 0 },
		[L2TP_ATTR_TX_BYTES] = { NL_ATTR_U64, 0, 0 },
		[L2TP_ATTR_TX_ERRORS] = { NL_ATTR_U64, 0, 0 },
		[L2TP_ATTR_RX_PACKETS] = { NL_ATTR_U64, 0, 0 },
		[L2TP_ATTR_RX_BYTES] = { NL_ATTR_U64, 0, 0 },
		[L2TP_ATTR_RX_SEQ_DISCARDS] = { NL_ATTR_U64, 0, 0 },
		[L2TP_ATTR_RX_OOS_PACKETS] = { NL_ATTR_U64, 0, 0 },
		[L2TP_ATTR_RX_ERRORS] = { NL_ATTR_U64, 0, 0 },
	};
	const struct nlattr *tb[L2TP_ATTR_MAX + 1];
	const struct nlattr *st[L2TP_ATTR_STATS_MAX + 1];
	struct genlmsghdr g;

	memset(out, 0, sizeof(*out));
	if (nlh->nlmsg_type != family || !nl_msg_get_extra(nlh, &g, sizeof(g)))
		return false;
	if (g.cmd != L2TP_CMD_TUNNEL_GET && g.cmd != L2TP_CMD_SESSION_GET)
		return false;
	if (!nl_attr_parse(nlh, GENL_HDRLEN, pol, L2TP_ATTR_MAX, tb))
		return false;
	if (tb[L2TP_ATTR_CONN_ID] == NULL)
		return false;
	if (g.cmd == L2TP_CMD_SESSION_GET && tb[L2TP_ATTR_SESSION_ID] == NULL)
		return false;
	out->cmd = g.cmd;
	out->tunnel_id = nl_attr_get_u32(tb[L2TP_ATTR_CONN_ID]);
	if (tb[L2TP_ATTR_PEER_CONN_ID] != NULL)
		out->peer_tunnel_id =
		    nl_attr_get_u32(tb[L2TP_ATTR_PEER_CONN_ID]);
	if (tb[L2TP_ATTR_SESSION_ID] != NULL) {
		out->has_session = true;
		out->session_id = nl_attr_get_u32(tb[L2TP_ATTR_SESSION_ID]);
	}
	if (tb[L2TP_ATTR_PEER_SESSION_ID] != NULL)
		out->peer_session_id =
		    nl_attr_get_u32(tb[L2TP_ATTR_PEER_SESSION_ID]);
	if (tb[L2TP_ATTR_PW_TYPE] != NULL)
		out->pw_type = nl_attr_get_u16(tb[L2TP_ATTR_PW_TYPE]);
	if (tb[L2TP_ATTR_USING_IPSEC] != NULL)
		out->stats.using_ipsec =
		    nl_attr_get_u8(tb[L2TP_ATTR_USING_IPSEC]) != 0;
	if (tb[L2TP_ATTR_STATS] == NULL)
		return true;
	if (!nl_attr_parse_nested(tb[L2TP_ATTR_STATS], spol,
	    L2TP_ATTR_STATS_MAX, st)) {
		memset(out, 0, sizeof(*out));
		return false;
	}
	out->has_stats = true;
#define KDP_STAT(a, f) \
	if (st[a] != NULL) \
		out->stats.f = nl_attr_get_u64(st[a])
	KDP_STAT(L2TP_ATTR_TX_PACKETS, tx_packets);
	KDP_STAT(L2TP_ATTR_TX_BYTES, tx_bytes);
	KDP_STAT(L2TP_ATTR_TX_ERRORS, tx_errors);
	KDP_STAT(L2TP_ATTR_RX_PACKETS, rx_packets);
	KDP_STAT(L2TP_ATTR_RX_BYTES, rx_bytes);
	KDP_STAT(L2TP_ATTR_RX_SEQ_DISCARDS, rx_seq_discards);
	KDP_STAT(L2TP_ATTR_RX_OOS_PACKETS, rx_oos_packets);
	KDP_STAT(L2TP_ATTR_RX_ERRORS, rx_errors);
#undef KDP_STAT
	return true;
}

socklen_t
kdp_pppol2tp_addr(struct sockaddr_storage *out, int udp_fd,
    const struct sockaddr_storage *peer, uint16_t tunnel_id,
    uint16_t session_id, uint16_t peer_tunnel_id, uint16_t peer_session_id)
{
	struct sockaddr_pppol2tp sp;
	struct sockaddr_pppol2tpin6 sp6;

	_Static_assert(sizeof(sp) <= sizeof(*out), "sockaddr_pppol2tp");
	_Static_assert(sizeof(sp6) <= sizeof(*out), "sockaddr_pppol2tpin6");
	memset(out, 0, sizeof(*out));
	switch (peer->ss_family) {
	case AF_INET:
		memset(&sp, 0, sizeof(sp));
		sp.sa_family = AF_PPPOX;
		sp.sa_protocol = PX_PROTO_OL2TP;
		sp.pppol2tp.pid = 0;		/* the fd is ours */
		sp.pppol2tp.fd = udp_fd;
		memcpy(&sp.pppol2tp.addr, peer, sizeof(sp.pppol2tp.addr));
		sp.pppol2tp.s_tunnel = tunnel_id;
		sp.pppol2tp.s_session = session_id;
		sp.pppol2tp.d_tunnel = peer_tunnel_id;
		sp.pppol2tp.d_session = peer_session_id;
		memcpy(out, &sp, sizeof(sp));
		return sizeof(sp);
	case AF_INET6:
		memset(&sp6, 0, sizeof(sp6));
		sp6.sa_family = AF_PPPOX;
		sp6.sa_protocol = PX_PROTO_OL2TP;
		sp6.pppol2tp.pid = 0;
		sp6.pppol2tp.fd = udp_fd;
		memcpy(&sp6.pppol2tp.addr, peer, sizeof(sp6.pppol2tp.addr));
		sp6.pppol2tp.s_tunnel = tunnel_id;
		sp6.pppol2tp.s_session = session_id;
		sp6.pppol2tp.d_tunnel = peer_tunnel_id;
		sp6.pppol2tp.d_session = peer_session_id;
		memcpy(out, &sp6, sizeof(sp6));
		return sizeof(sp6);
	}
	return 0;
}

/*
 * Context.
 */

struct kdp *
kdp_new(enum kdp_mode want)
{
	struct kdp *k;
	int fd, saved;

	if ((k = calloc(1, sizeof(*k))) == NULL) {
		log_warn("kernel: out of memory");
		return NULL;
	}
	LIST_INIT(&k->tunnels);
	k->mode = KDP_MODE_PPPOX;
	if (want != KDP_MODE_PPPOX) {
		if ((k->req = malloc(sizeof(*k->req))) == NULL) {
			log_warn("kernel: out of memory");
			goto fail;
		}
		if ((k->nl = nl_open(NETLINK_GENERIC, 0)) == NULL)
			goto fail;
		if (nl_genl_family_id(k->nl, L2TP_GENL_NAME, &k->family) == 0)
			k->mode = KDP_MODE_GENL;
		else if (errno == ENOENT && want == KDP_MODE_AUTO) {
			log_info("kernel: no generic netlink family \"l2tp\" "
			    "(module l2tp_netlink, built only with "
			    "CONFIG_L2TP_V3): using PPPoL2TP sockets only");
			nl_close(k->nl);
			k->nl = NULL;
		} else if (errno == ENOENT) {
			log_warnx("kernel: no generic netlink family \"l2tp\": "
			    "kernel module l2tp_netlink not loaded (it exists "
			    "only with CONFIG_L2TP_V3)");
			goto fail;
		} else {
			log_warn("kernel: generic netlink family \"l2tp\"");
			goto fail;
		}
	}
	/* Every mode hands PPPoL2TP sockets to pppd. */
	fd = socket(AF_PPPOX, SOCK_DGRAM | SOCK_CLOEXEC, PX_PROTO_OL2TP);
	if (fd == -1) {
		saved = errno;
		log_warnx("kernel: cannot open a PPPoL2TP socket: %s%s",
		    strerror(saved), kdp_pppox_hint(saved));
		errno = saved;
		goto fail;
	}
	close(fd);
	log_debug("kernel: L2TP data path over %s", kdp_mode_name(k->mode));
	return k;
fail:
	saved = errno;
	nl_close(k->nl);
	free(k->req);
	free(k);
	errno = saved;
	return NULL;
}

void
kdp_free(struct kdp *k)
{
	if (k == NULL)
		return;
	while (!LIST_EMPTY(&k->tunnels))
		kdp_tunnel_free(LIST_FIRST(&k->tunnels));
	nl_close(k->nl);
	free(k->req);
	free(k);
}

enum kdp_mode
kdp_get_mode(const struct kdp *k)
{
	return k->mode;
}

/* Run the request in k->req; on failure log `what` with tag and hint. */
static int
kdp_genl(struct kdp *k, const char *tag, const char *what, bool quiet_enoent,
    nl_msg_cb *cb, void *arg)
{
	struct genlmsghdr g;
	int saved;

	memcpy(&g, (const uint8_t *)nl_req_hdr(k->req) + NLMSG_HDRLEN,
	    sizeof(g));
	if (nl_transact(k->nl, k->req, cb, arg) == 0)
		return 0;
	saved = errno;
	if (saved == ENOENT && quiet_enoent)
		logt_debug(tag, "%s: %s", what, strerror(saved));
	else
		logt_warnx(tag, "%s: %s%s", what, strerror(saved),
		    kdp_genl_hint(g.cmd, saved));
	errno = saved;
	return -1;
}

/*
 * The socket's own inbound IPsec policy: every datagram it receives must
 * have come through a transport-mode ESP SA (any SA, any reqid: the
 * template has reqid 0, and transport mode compares no addresses). The
 * kernel checks a socket's own policy instead of the global ones
 * (__xfrm_policy_check) before the UDP encap hook and before queueing
 * (udp_queue_rcv_one_skb), so cleartext L2TP is dropped, counted as
 * XfrmInTmplMismatch, whether or not ikd and its policies are there.
 * Outbound traffic is left to ikd's global policies: an outbound socket
 * template would need the reqid of each SA.
 */
int
kdp_require_esp(int fd, int family)
{
	struct {
		struct xfrm_userpolicy_info	 p;
		struct xfrm_user_tmpl		 t;
	} pol;
	int level, opt;

	memset(&pol, 0, sizeof(pol));
	pol.p.sel.family = (uint16_t)family;
	pol.p.lft.soft_byte_limit = XFRM_INF;
	pol.p.lft.hard_byte_limit = XFRM_INF;
	pol.p.lft.soft_packet_limit = XFRM_INF;
	pol.p.lft.hard_packet_limit = XFRM_INF;
	pol.p.dir = XFRM_POLICY_IN;
	pol.p.action = XFRM_POLICY_ALLOW;
	pol.p.share = XFRM_SHARE_ANY;
	pol.t.id.proto = IPPROTO_ESP;
	pol.t.family = (uint16_t)family;
	pol.t.mode = XFRM_MODE_TRANSPORT;
	pol.t.share = XFRM_SHARE_ANY;
	pol.t.aalgos = pol.t.ealgos = pol.t.calgos = ~0u;
	if (family == AF_INET) {
		level = IPPROTO_IP;
		opt = IP_XFRM_POLICY;
	} else if (family == AF_INET6) {
		level = IPPROTO_IPV6;
		opt = IPV6_XFRM_POLICY;
	} else {
		errno = EAFNOSUPPORT;
		return -1;
	}
	return setsockopt(fd, level, opt, &pol, sizeof(pol));
}

void
kdp_set_cleartext_ok(struct kdp *k, bool ok)
{
	k->cleartext_ok = ok;
}

int
kdp_listen_socket(const struct sockaddr_storage *local)
{
	char a[INET6_ADDRSTRLEN + 8];
	socklen_t len = kdp_sa_len(local);
	int fd, on = 1, saved;

	sa_str(local, true, a, sizeof(a));
	if (len == 0) {
		log_warnx("kernel: listening socket: bad address family %u",
		    local->ss_family);
		errno = EAFNOSUPPORT;
		return -1;
	}
	fd = socket(local->ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd == -1) {
		log_warn("kernel: listening socket %s", a);
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1 ||
	    (local->ss_family == AF_INET && setsockopt(fd, IPPROTO_IP,
	    IP_PKTINFO, &on, sizeof(on)) == -1) ||
	    (local->ss_family == AF_INET6 && (setsockopt(fd, IPPROTO_IPV6,
	    IPV6_RECVPKTINFO, &on, sizeof(on)) == -1 || setsockopt(fd,
	    IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) == -1))) {
		log_warn("kernel: listening socket %s: setsockopt", a);
		goto fail;
	}
	if (bind(fd, (const struct sockaddr *)local, len) == -1) {
		log_warn("kernel: listening socket %s: bind", a);
		goto fail;
	}
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/*
 * Tunnels.
 */

struct kdp_tunnel *
kdp_tunnel_new(struct kdp *k, const struct kdp_tunnel_cfg *cfg)
{
	struct kdp_tunnel *t, *o;
	struct sockaddr_storage sp;
	char peer[INET6_ADDRSTRLEN + 8], local[INET6_ADDRSTRLEN + 8];
	socklen_t len, splen;
	int on = 1, saved;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		log_warn("kernel: tun %u: out of memory", cfg->tunnel_id);
		return NULL;
	}
	t->kdp = k;
	t->cfg = *cfg;
	t->fd = t->mgmt_fd = -1;
	LIST_INIT(&t->sessions);
	sa_str(&cfg->peer, true, peer, sizeof(peer));
	sa_str(&cfg->local, true, local, sizeof(local));
	snprintf(t->tag, sizeof(t->tag), "tun %u/%u %s", cfg->tunnel_id,
	    cfg->peer_tunnel_id, peer);

	len = kdp_sa_len(&cfg->peer);
	if (cfg->tunnel_id == 0 || cfg->peer_tunnel_id == 0 || len == 0 ||
	    cfg->local.ss_family != cfg->peer.ss_family ||
	    sa_port(&cfg->peer) == 0) {
		logt_warnx(t->tag, "kernel tunnel: bad ids or addresses "
		    "(local %s)", local);
		errno = EINVAL;
		goto fail;
	}
	LIST_FOREACH(o, &k->tunnels, entry) {
		if (o->cfg.tunnel_id == cfg->tunnel_id) {
			logt_warnx(t->tag, "kernel tunnel: tunnel id in use "
			    "by %s", o->tag);
			errno = EEXIST;
			goto fail;
		}
		if (sa_equal(&o->cfg.local, &cfg->local, true) &&
		    sa_equal(&o->cfg.peer, &cfg->peer, true)) {
			/* The kernel finds a tunnel by its socket. */
			logt_warnx(t->tag, "kernel tunnel: %s already has a "
			    "tunnel to this address and port (%s): a second "
			    "one would get none of its packets", local,
			    o->tag);
			errno = EADDRINUSE;
			goto fail;
		}
	}

	t->fd = socket(cfg->peer.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, IPPROTO_UDP);
	if (t->fd == -1) {
		logt_warn(t->tag, "kernel tunnel: UDP socket");
		goto fail;
	}
	if (setsockopt(t->fd, SOL_SOCKET, SO_REUSEADDR, &on,
	    sizeof(on)) == -1) {
		logt_warn(t->tag, "kernel tunnel: SO_REUSEADDR");
		goto fail;
	}
	if (bind(t->fd, (const struct sockaddr *)&cfg->local, len) == -1) {
		logt_warn(t->tag, "kernel tunnel: bind %s (the listening "
		    "socket needs SO_REUSEADDR too)", local);
		goto fail;
	}
	if (!k->cleartext_ok && kdp_require_esp(t->fd,
	    cfg->peer.ss_family) == -1) {
		logt_warn(t->tag, "kernel tunnel: socket IPsec policy (ESP "
		    "required)");
		goto fail;
	}
	if (connect(t->fd, (const struct sockaddr *)&cfg->peer, len) == -1) {
		logt_warn(t->tag, "kernel tunnel: connect from %s", local);
		goto fail;
	}

	if (k->mode == KDP_MODE_GENL) {
		if (!kdp_build_tunnel_create(k->req, k->family,
		    cfg->tunnel_id, cfg->peer_tunnel_id, t->fd)) {
			errno = EMSGSIZE;
			logt_warnx(t->tag, "kernel tunnel: request too long");
			goto fail;
		}
		if (kdp_genl(k, t->tag, "kernel tunnel create", false, NULL,
		    NULL) == -1)
			goto fail;
	} else {
		/* Session ids 0/0: the kernel creates the tunnel. */
		t->mgmt_fd = socket(AF_PPPOX, SOCK_DGRAM | SOCK_CLOEXEC,
		    PX_PROTO_OL2TP);
		if (t->mgmt_fd == -1) {
			saved = errno;
			logt_warnx(t->tag, "kernel tunnel: PPPoL2TP socket: "
			    "%s%s", strerror(saved), kdp_pppox_hint(saved));
			errno = saved;
			goto fail;
		}
		splen = kdp_pppol2tp_addr(&sp, t->fd, &cfg->peer,
		    cfg->tunnel_id, 0, cfg->peer_tunnel_id, 0);
		if (connect(t->mgmt_fd, (struct sockaddr *)&sp, splen) == -1) {
			saved = errno;
			logt_warnx(t->tag, "kernel tunnel create (PPPoL2TP): "
			    "%s%s", strerror(saved), saved == EEXIST ?
			    " (tunnel id in use in this network namespace)" :
			    saved == EBUSY ? " (the UDP socket already "
			    "carries a tunnel)" : "");
			errno = saved;
			goto fail;
		}
	}
	t->in_kernel = true;
	LIST_INSERT_HEAD(&k->tunnels, t, entry);
	logt_info(t->tag, "kernel tunnel up (%s, local %s)",
	    kdp_mode_name(k->mode), local);
	return t;
fail:
	saved = errno;
	if (t->mgmt_fd != -1)
		close(t->mgmt_fd);
	if (t->fd != -1)
		close(t->fd);
	free(t);
	errno = saved;
	return NULL;
}

static void kdp_session_drop(struct kdp_session *, bool tunnel_going);

void
kdp_tunnel_free(struct kdp_tunnel *t)
{
	struct kdp *k;

	if (t == NULL)
		return;
	k = t->kdp;
	while (!LIST_EMPTY(&t->sessions))
		kdp_session_drop(LIST_FIRST(&t->sessions), true);
	/*
	 * genl: delete explicitly. pppox: closing the UDP socket runs the
	 * kernel's encap_destroy hook, which deletes the tunnel and every
	 * session in it (so pppd must never hold a copy of that socket).
	 */
	if (t->in_kernel && k->mode == KDP_MODE_GENL) {
		if (kdp_build_tunnel_delete(k->req, k->family,
		    t->cfg.tunnel_id))
			(void)kdp_genl(k, t->tag, "kernel tunnel delete", true,
			    NULL, NULL);
	}
	if (t->mgmt_fd != -1)
		close(t->mgmt_fd);
	if (t->fd != -1)
		close(t->fd);
	LIST_REMOVE(t, entry);
	logt_info(t->tag, "kernel tunnel down (in %llu ctrl, dropped "
	    "%llu data, %llu bad, %llu foreign)",
	    (unsigned long long)t->counters.ctrl_in,
	    (unsigned long long)t->counters.data_in,
	    (unsigned long long)t->counters.bad_in,
	    (unsigned long long)t->counters.foreign_in);
	free(t);
}

int
kdp_tunnel_fd(const struct kdp_tunnel *t)
{
	return t->fd;
}

const char *
kdp_tunnel_tag(const struct kdp_tunnel *t)
{
	return t->tag;
}

const struct kdp_tunnel_counters *
kdp_tunnel_counters(const struct kdp_tunnel *t)
{
	return &t->counters;
}

ssize_t
kdp_tunnel_recv(struct kdp_tunnel *t, void *buf, size_t len)
{
	struct sockaddr_storage from;
	socklen_t fromlen = sizeof(from);
	char a[INET6_ADDRSTRLEN + 8];
	unsigned int supp;
	ssize_t n;

	memset(&from, 0, sizeof(from));
	n = recvfrom(t->fd, buf, len, MSG_DONTWAIT | MSG_TRUNC,
	    (struct sockaddr *)&from, &fromlen);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return -1;
		/* ICMP errors on a connected socket (ECONNREFUSED...). */
		logt_warn(t->tag, "receive");
		return -1;
	}
	if (!sa_equal(&from, &t->cfg.peer, true)) {
		t->counters.foreign_in++;
		logt_debug(t->tag, "dropped %zd bytes from %s (queued before "
		    "connect)", n, sa_str(&from, true, a, sizeof(a)));
		return 0;
	}
	if ((size_t)n > len) {
		t->counters.bad_in++;
		if (log_ratelimit_ok(&t->rl, 5, 10, &supp))
			logt_debug(t->tag, "dropped a %zd-byte datagram "
			    "(buffer %zu; %u suppressed)", n, len, supp);
		return 0;
	}
	switch (kdp_frame_classify(buf, (size_t)n)) {
	case KDP_FRAME_CONTROL:
		t->counters.ctrl_in++;
		return n;
	case KDP_FRAME_DATA:
		/* A data frame of a session the kernel does not know. */
		t->counters.data_in++;
		if (log_ratelimit_ok(&t->rl, 5, 10, &supp))
			logt_debug(t->tag, "dropped a %zd-byte data frame of "
			    "no kernel session (%u suppressed)", n, supp);
		return 0;
	case KDP_FRAME_BAD:
		break;
	}
	t->counters.bad_in++;
	if (log_ratelimit_ok(&t->rl, 5, 10, &supp))
		logt_debug(t->tag, "dropped a %zd-byte datagram that is not "
		    "L2TPv2 (%u suppressed)", n, supp);
	return 0;
}

ssize_t
kdp_tunnel_send(struct kdp_tunnel *t, const void *buf, size_t len)
{
	ssize_t n;

	n = send(t->fd, buf, len, MSG_DONTWAIT);
	if (n == -1) {
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			logt_warn(t->tag, "send %zu bytes", len);
		return -1;
	}
	if ((size_t)n != len) {
		logt_warnx(t->tag, "sent %zd of %zu bytes", n, len);
		errno = EMSGSIZE;
		return -1;
	}
	return n;
}

/* Reply of a TUNNEL_GET / SESSION_GET. */
struct kdp_get {
	uint16_t		 family;
	uint8_t			 cmd;
	uint16_t		 tunnel_id;
	uint16_t		 session_id;
	bool			 found;
	struct kdp_stats	 stats;
};

static int
kdp_get_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct kdp_get *g = arg;
	struct kdp_info info;

	if (!kdp_parse_info(nlh, g->family, &info) || info.cmd != g->cmd ||
	    info.tunnel_id != g->tunnel_id || !info.has_stats ||
	    (g->cmd == L2TP_CMD_SESSION_GET &&
	    info.session_id != g->session_id)) {
		errno = EBADMSG;
		return -1;
	}
	g->stats = info.stats;
	g->found = true;
	return 0;
}

static void
kdp_ioc_stats(const struct pppol2tp_ioc_stats *s, struct kdp_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->tx_packets = s->tx_packets;
	out->tx_bytes = s->tx_bytes;
	out->tx_errors = s->tx_errors;
	out->rx_packets = s->rx_packets;
	out->rx_bytes = s->rx_bytes;
	out->rx_errors = s->rx_errors;
	out->rx_seq_discards = s->rx_seq_discards;
	out->rx_oos_packets = s->rx_oos_packets;
	out->using_ipsec = s->using_ipsec != 0;
}

/* genl GET for (tunnel, session) or PPPIOCGL2TPSTATS on fd. */
static int
kdp_stats(struct kdp *k, const char *tag, uint8_t cmd, uint16_t tunnel_id,
    uint16_t session_id, int fd, struct kdp_stats *out)
{
	struct pppol2tp_ioc_stats s;
	struct kdp_get g;

	if (k->mode == KDP_MODE_PPPOX) {
		memset(&s, 0, sizeof(s));
		if (ioctl(fd, PPPIOCGL2TPSTATS, &s) == -1) {
			logt_warn(tag, "kernel statistics (PPPIOCGL2TPSTATS)");
			return -1;
		}
		kdp_ioc_stats(&s, out);
		return 0;
	}
	memset(&g, 0, sizeof(g));
	g.family = k->family;
	g.cmd = cmd;
	g.tunnel_id = tunnel_id;
	g.session_id = session_id;
	if (cmd == L2TP_CMD_TUNNEL_GET)
		(void)kdp_build_tunnel_get(k->req, k->family, tunnel_id);
	else
		(void)kdp_build_session_get(k->req, k->family, tunnel_id,
		    session_id);
	if (kdp_genl(k, tag, "kernel statistics", false, kdp_get_cb,
	    &g) == -1)
		return -1;
	if (!g.found) {
		logt_warnx(tag, "kernel statistics: no reply");
		errno = ENOENT;
		return -1;
	}
	*out = g.stats;
	return 0;
}

int
kdp_tunnel_stats(struct kdp_tunnel *t, struct kdp_stats *out)
{
	return kdp_stats(t->kdp, t->tag, L2TP_CMD_TUNNEL_GET,
	    t->cfg.tunnel_id, 0, t->mgmt_fd, out);
}

/*
 * Sessions.
 */

static int
kdp_setsockopt_int(int fd, int opt, int v)
{
	return setsockopt(fd, SOL_PPPOL2TP, opt, &v, sizeof(v));
}

struct kdp_session *
kdp_session_new(struct kdp_tunnel *t, const struct kdp_session_cfg *cfg)
{
	struct kdp *k = t->kdp;
	struct kdp_session *s, *o;
	struct sockaddr_storage sp;
	socklen_t splen;
	int saved;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		logt_warn(t->tag, "session %u: out of memory",
		    cfg->session_id);
		return NULL;
	}
	s->tunnel = t;
	s->cfg = *cfg;
	s->fd = -1;
	snprintf(s->tag, sizeof(s->tag), "sess %u:%u/%u:%u",
	    t->cfg.tunnel_id, cfg->session_id, t->cfg.peer_tunnel_id,
	    cfg->peer_session_id);
	if (cfg->session_id == 0 || cfg->peer_session_id == 0) {
		logt_warnx(s->tag, "kernel session: session ids must not be "
		    "0");
		errno = EINVAL;
		goto fail;
	}
	LIST_FOREACH(o, &t->sessions, entry) {
		if (o->cfg.session_id == cfg->session_id) {
			logt_warnx(s->tag, "kernel session: id in use");
			errno = EEXIST;
			goto fail;
		}
	}

	if (k->mode == KDP_MODE_GENL) {
		if (!kdp_build_session_create(k->req, k->family,
		    t->cfg.tunnel_id, cfg)) {
			logt_warnx(s->tag, "kernel session: request too long");
			errno = EMSGSIZE;
			goto fail;
		}
		if (kdp_genl(k, s->tag, "kernel session create", false, NULL,
		    NULL) == -1)
			goto fail;
		s->in_kernel = true;
	}

	s->fd = socket(AF_PPPOX, SOCK_DGRAM | SOCK_CLOEXEC, PX_PROTO_OL2TP);
	if (s->fd == -1) {
		saved = errno;
		logt_warnx(s->tag, "kernel session: PPPoL2TP socket: %s%s",
		    strerror(saved), kdp_pppox_hint(saved));
		errno = saved;
		goto fail;
	}
	/*
	 * genl: attaches to the session created above; pppox: creates it.
	 * The session's peer address is the tunnel's (it is connected).
	 */
	splen = kdp_pppol2tp_addr(&sp, t->fd, &t->cfg.peer, t->cfg.tunnel_id,
	    cfg->session_id, t->cfg.peer_tunnel_id, cfg->peer_session_id);
	if (connect(s->fd, (struct sockaddr *)&sp, splen) == -1) {
		saved = errno;
		logt_warnx(s->tag, "kernel session: PPPoL2TP connect: %s%s",
		    strerror(saved), saved == EEXIST ? " (session id in use "
		    "in the tunnel)" : saved == ENOENT ? " (no such kernel "
		    "tunnel)" : "");
		errno = saved;
		goto fail;
	}
	if (k->mode == KDP_MODE_PPPOX &&
	    ((cfg->recv_seq && kdp_setsockopt_int(s->fd, PPPOL2TP_SO_RECVSEQ,
	    1) == -1) ||
	    (cfg->send_seq && kdp_setsockopt_int(s->fd, PPPOL2TP_SO_SENDSEQ,
	    1) == -1) ||
	    (cfg->lns_mode && kdp_setsockopt_int(s->fd, PPPOL2TP_SO_LNSMODE,
	    1) == -1) ||
	    (cfg->reorder_timeout_ms != 0 && kdp_setsockopt_int(s->fd,
	    PPPOL2TP_SO_REORDERTO, (int)cfg->reorder_timeout_ms) == -1))) {
		logt_warn(s->tag, "kernel session: PPPoL2TP socket options");
		goto fail;
	}
	LIST_INSERT_HEAD(&t->sessions, s, entry);
	logt_info(s->tag, "kernel session up (%s%s%s)",
	    cfg->lns_mode ? "lns" : "lac", cfg->send_seq ? ", send seq" : "",
	    cfg->recv_seq ? ", recv seq" : "");
	return s;
fail:
	saved = errno;
	if (s->in_kernel &&
	    kdp_build_session_delete(k->req, k->family, t->cfg.tunnel_id,
	    cfg->session_id))
		(void)kdp_genl(k, s->tag, "kernel session delete", true, NULL,
		    NULL);
	if (s->fd != -1)
		close(s->fd);
	free(s);
	errno = saved;
	return NULL;
}

static void
kdp_session_drop(struct kdp_session *s, bool tunnel_going)
{
	struct kdp_tunnel *t = s->tunnel;
	struct kdp *k = t->kdp;

	/* Delete before closing: our close may delete it already. */
	if (s->in_kernel && !tunnel_going && k->mode == KDP_MODE_GENL &&
	    kdp_build_session_delete(k->req, k->family, t->cfg.tunnel_id,
	    s->cfg.session_id))
		(void)kdp_genl(k, s->tag, "kernel session delete", true, NULL,
		    NULL);
	if (s->fd != -1)
		close(s->fd);
	LIST_REMOVE(s, entry);
	logt_info(s->tag, "kernel session down");
	free(s);
}

void
kdp_session_free(struct kdp_session *s)
{
	if (s == NULL)
		return;
	kdp_session_drop(s, false);
}

int
kdp_session_ppp_fd(const struct kdp_session *s)
{
	return s->fd;
}

const char *
kdp_session_tag(const struct kdp_session *s)
{
	return s->tag;
}

int
kdp_session_stats(struct kdp_session *s, struct kdp_stats *out)
{
	return kdp_stats(s->tunnel->kdp, s->tag, L2TP_CMD_SESSION_GET,
	    s->tunnel->cfg.tunnel_id, s->cfg.session_id, s->fd, out);
}

int
kdp_fd_inherit(int fd)
{
	int fl;

	if ((fl = fcntl(fd, F_GETFD)) == -1)
		return -1;
	return fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
}
