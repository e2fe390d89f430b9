/*
 * kdp.h - l2tpd's kernel data path: per tunnel a connected UDP socket and
 * the kernel L2TPv2 tunnel on it, per session the kernel session and the
 * PPPoL2TP socket handed to pppd, statistics, and the control frames the
 * kernel leaves to user space. (STYLE.md's layout calls this module
 * l2tpd/kernel.c; the prefix is kdp_.)
 *
 * Two kernel interfaces, chosen by kdp_new():
 *
 *   genl   the generic netlink family "l2tp" (module l2tp_netlink, only
 *          built with CONFIG_L2TP_V3, as in Debian's amd64 kernels):
 *          L2TP_CMD_TUNNEL_CREATE with L2TP_ATTR_FD of our UDP socket,
 *          L2TP_CMD_SESSION_CREATE (pseudowire PPP), _GET for the
 *          statistics, _DELETE. The PPPoL2TP socket then attaches to the
 *          session that exists (the kernel's pppol2tp_connect() reuses a
 *          PPP session that has no socket yet).
 *   pppox  PPPoL2TP sockets only (module l2tp_ppp; kernels without
 *          CONFIG_L2TP_V3, such as Debian's user-mode-linux 6.1 kernel
 *          the e2e lab runs): a "tunnel management" PPPoL2TP socket
 *          connected with session ids 0/0 creates the tunnel on our UDP
 *          socket, each session socket's connect() creates its session,
 *          PPPIOCGL2TPSTATS reads the statistics, and closing the sockets
 *          deletes them.
 * Both give pppd the same PPPoL2TP session socket and behave the same on
 * the wire. KDP_MODE_AUTO takes genl when the family exists.
 *
 * Sockets and addresses. l2tpd keeps one unconnected "listening" UDP
 * socket on the server's address(es), port 1701 (kdp_listen_socket): new
 * peers' SCCRQs arrive there, with IP_PKTINFO giving the local address
 * the peer used. Each tunnel then gets its own socket bound to that same
 * local address:1701 and connected to the peer's address:port. All of
 * them set SO_REUSEADDR (UDP lets sockets share a port only when every
 * one of them has it; SO_REUSEPORT is not used: its groups hash datagrams
 * across members). The kernel's UDP lookup scores a connected socket
 * whose remote address and port match above the unconnected one, so from
 * connect() on every datagram from that peer reaches the tunnel's socket
 * and the listener sees only new peers. Datagrams that reached the new
 * socket between its bind() and connect() may come from other peers:
 * kdp_tunnel_recv() checks every source and drops (counts) foreign ones;
 * a dropped SCCRQ is retransmitted by its sender (RFC 2661 5.8).
 * The kernel tunnel is keyed by this socket (the kernel finds the tunnel
 * through the socket that received the datagram), so two tunnels with the
 * same local and peer address:port cannot both work: kdp_tunnel_new()
 * refuses the second one (EADDRINUSE).
 *
 * NAT. ikd keys an IPsec peer by its outer address and NAT-T port
 * (ESP-in-UDP from e.g. 203.0.113.7:61234 to our 4500). The L2TP socket
 * sees what the kernel delivers after ESP decapsulation in transport
 * mode: the IP source is the outer one (the NAT's public address, no
 * NAT-OA substitution), the UDP source port is the client's own L2TP
 * port inside ESP (1701 for Windows, macOS, iOS), and the kernel skips
 * the inner UDP checksum, which the NAT made wrong. So the peer address
 * given to kdp_tunnel_new() is the address:port the listening socket
 * reported, and the IPsec SA is found by the address alone. Two clients
 * behind one NAT that both use source port 1701 look identical here
 * (same address:port): the second tunnel is refused, as above; only the
 * outer NAT-T port, which this socket never sees, tells them apart.
 *
 * Control frames. The kernel's UDP encap receive hook (l2tp_core.c,
 * l2tp_udp_encap_recv -> l2tp_udp_recv_core) consumes only data frames of
 * sessions it knows; control frames (T bit set), frames of another L2TP
 * version, frames too short for a header and data frames of unknown
 * sessions are handed back to UDP and queued on the tunnel's socket as
 * ordinary datagrams. kdp_tunnel_recv() returns the control frames and
 * drops (counts) the rest. Control frames are sent with send() on the
 * same socket (kdp_tunnel_send); the kernel transmits them untouched.
 *
 * Identifiers are L2TPv2's 16-bit ids; ours must be non-zero and unique
 * within the network namespace (tunnels) or the tunnel (sessions): the
 * kernel refuses a duplicate with EEXIST.
 *
 * Every failure is logged once here, as one line with the tunnel or
 * session tag ("tun 4312/77 192.0.2.2:1701", "sess 4312:981/77:5") and,
 * where it is the cause, the kernel module that is missing.
 */
#ifndef L2TPD_KDP_H
#define L2TPD_KDP_H

#include <sys/socket.h>
#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nl_req;
struct nlmsghdr;

enum kdp_mode {
	KDP_MODE_AUTO = 0,	/* genl if the kernel has it, else pppox */
	KDP_MODE_GENL,
	KDP_MODE_PPPOX
};

/* Longest tag (tunnel or session), NUL included. */
#define KDP_TAG_MAX	80

/* Counters of a tunnel or session, from the kernel. */
struct kdp_stats {
	uint64_t	 tx_packets;
	uint64_t	 tx_bytes;
	uint64_t	 tx_errors;
	uint64_t	 rx_packets;
	uint64_t	 rx_bytes;
	uint64_t	 rx_errors;
	uint64_t	 rx_seq_discards;
	uint64_t	 rx_oos_packets;
	bool		 using_ipsec;	/* the socket has an IPsec policy */
};

/* What kdp_tunnel_recv() saw on a tunnel socket (never reset). */
struct kdp_tunnel_counters {
	uint64_t	 ctrl_in;	/* control frames returned */
	uint64_t	 data_in;	/* data frames the kernel passed up */
	uint64_t	 bad_in;	/* not L2TPv2 / too short / too long */
	uint64_t	 foreign_in;	/* not from the tunnel's peer */
};

struct kdp_tunnel_cfg {
	/* Our address and port (1701) the peer sent to: AF_INET/AF_INET6. */
	struct sockaddr_storage	 local;
	/* The peer's address and port as the listening socket saw them. */
	struct sockaddr_storage	 peer;
	uint16_t		 tunnel_id;	/* ours, non-zero */
	uint16_t		 peer_tunnel_id; /* Assigned Tunnel ID */
};

struct kdp_session_cfg {
	uint16_t		 session_id;	/* ours, non-zero */
	uint16_t		 peer_session_id;
	bool			 send_seq;	/* RFC 2661 5.4: Ns/Nr on data */
	bool			 recv_seq;	/* drop data without Ns */
	bool			 lns_mode;	/* we control sequencing */
	uint32_t		 reorder_timeout_ms; /* 0: no reordering */
};

struct kdp;
struct kdp_tunnel;
struct kdp_session;

/* "auto", "genl", "pppox". */
const char *kdp_mode_name(enum kdp_mode);

/*
 * Open the kernel interface in the caller's network namespace: for genl,
 * a NETLINK_GENERIC socket and the "l2tp" family id; for pppox (and in
 * every mode) a check that PPPoL2TP sockets can be created. Returns NULL
 * (logged, naming the missing module: l2tp_netlink, l2tp_ppp) on
 * failure. The caller owns the result; free with kdp_free().
 */
struct kdp *kdp_new(enum kdp_mode want);
/* Free every tunnel still open (see kdp_tunnel_free), then the context. */
void kdp_free(struct kdp *);
/* The mode in use (never KDP_MODE_AUTO). */
enum kdp_mode kdp_get_mode(const struct kdp *);

/*
 * Give the UDP socket fd (AF_INET or AF_INET6) its own inbound IPsec
 * policy: only datagrams that came through a transport-mode ESP SA are
 * delivered; cleartext ones are dropped by the kernel (XfrmInTmplMismatch)
 * even with no global policy, i.e. with ikd absent. Needs CAP_NET_ADMIN.
 * 0, or -1 with errno (not logged).
 */
int kdp_require_esp(int fd, int family);
/*
 * Tunnel sockets get that policy (kdp_tunnel_new) unless this is set:
 * for the lab probes of the kernel data path, which have no IPsec. The
 * daemon never sets it.
 */
void kdp_set_cleartext_ok(struct kdp *, bool ok);

/*
 * The listening socket: UDP on `local` (address and port; the any
 * address is allowed), SO_REUSEADDR, IP_PKTINFO / IPV6_RECVPKTINFO on,
 * non-blocking, close-on-exec. Returns the fd (the caller owns it) or -1
 * (logged).
 */
int kdp_listen_socket(const struct sockaddr_storage *local);

/*
 * Create the tunnel's connected UDP socket and the kernel tunnel on it.
 * The address families of local and peer must be the same. Returns NULL
 * (logged with the tunnel tag) on failure: EADDRINUSE a tunnel with the
 * same local and peer address:port exists; EEXIST the tunnel id is in use
 * in this network namespace; EINVAL bad ids or addresses; others from the
 * kernel. The tunnel belongs to the kdp (freed by kdp_free at the latest).
 */
struct kdp_tunnel *kdp_tunnel_new(struct kdp *, const struct kdp_tunnel_cfg *);
/*
 * Delete the tunnel in the kernel (which deletes its sessions), close its
 * sockets, free its sessions and it. The kernel does not hang up the PPP
 * channel of a pppd that holds a session socket (seen on 6.1: pppd only
 * notices after its LCP echo timeouts, and can still transmit through the
 * dead session meanwhile): the caller terminates the tunnel's pppd
 * processes itself. NULL is a no-op.
 */
void kdp_tunnel_free(struct kdp_tunnel *);
/* The tunnel's UDP socket, for the event loop (owned by the tunnel). */
int kdp_tunnel_fd(const struct kdp_tunnel *);
/* "tun LOCAL/PEER ADDR:PORT" for log lines (owned by the tunnel). */
const char *kdp_tunnel_tag(const struct kdp_tunnel *);
const struct kdp_tunnel_counters *kdp_tunnel_counters(
    const struct kdp_tunnel *);

/*
 * Read one datagram from the tunnel socket without blocking. Returns the
 * length of a control frame copied to buf; 0 when a datagram was dropped
 * (data frame, not L2TPv2, longer than len, foreign source: counted,
 * logged at debug); -1 with errno EAGAIN when nothing is pending, or
 * another socket error (logged).
 */
ssize_t kdp_tunnel_recv(struct kdp_tunnel *, void *buf, size_t len);
/*
 * Send one control frame to the peer. Returns len, or -1 (errno; EAGAIN
 * is not logged, other errors are).
 */
ssize_t kdp_tunnel_send(struct kdp_tunnel *, const void *buf, size_t len);
/* Tunnel counters from the kernel into *out. 0, or -1 (logged). */
int kdp_tunnel_stats(struct kdp_tunnel *, struct kdp_stats *out);

/*
 * Create the kernel session (pseudowire PPP) and its connected PPPoL2TP
 * socket, with the sequencing options of cfg. Returns NULL (logged with
 * the session tag) on failure: EEXIST the session id is in use in the
 * tunnel; EPROTONOSUPPORT / EAFNOSUPPORT module l2tp_ppp missing. The
 * session belongs to the tunnel.
 */
struct kdp_session *kdp_session_new(struct kdp_tunnel *,
    const struct kdp_session_cfg *);
/*
 * Delete the session and close our PPPoL2TP socket. genl: the kernel
 * session goes at once. pppox: it goes when the last copy of the socket
 * is closed, i.e. when pppd (holding one) ends too. Either way the caller
 * terminates the session's pppd (see kdp_tunnel_free). NULL is a no-op.
 */
void kdp_session_free(struct kdp_session *);
/*
 * The PPPoL2TP socket for pppd's pppol2tp.so (`plugin pppol2tp.so
 * pppol2tp <fd> pppol2tp_lns_mode pppol2tp_tunnel_id <ours>
 * pppol2tp_session_id <ours>`: pppd 2.4.9's plugin exits with
 * "tunnel_id/session_id values not specified" in LNS mode without the
 * two ids, seen in the lab). It stays owned by the session and is
 * close-on-exec: the child calls kdp_fd_inherit() on it between fork()
 * and exec(). The tunnel's UDP socket is close-on-exec and must stay so
 * (a copy in pppd would keep the tunnel alive).
 */
int kdp_session_ppp_fd(const struct kdp_session *);
/* "sess LT:LS/PT:PS" (owned by the session). */
const char *kdp_session_tag(const struct kdp_session *);
/* Session counters from the kernel into *out. 0, or -1 (logged). */
int kdp_session_stats(struct kdp_session *, struct kdp_stats *out);

/*
 * In a child after fork(): clear close-on-exec on fd so that exec() passes
 * it on. Async-signal-safe (fcntl only); nothing is logged. 0 or -1.
 */
int kdp_fd_inherit(int fd);

/*
 * Wire and kernel message helpers, public for the unit tests and the
 * fuzz target.
 */

/* The first bytes of an L2TP frame (RFC 2661 3.1). */
enum kdp_frame {
	KDP_FRAME_CONTROL,	/* T bit set, version 2 */
	KDP_FRAME_DATA,		/* T bit clear, version 2 */
	KDP_FRAME_BAD		/* shorter than the flags, other version */
};
enum kdp_frame kdp_frame_classify(const void *buf, size_t len);

/*
 * Generic netlink requests for family `family` (its id). Each starts the
 * request (nl_req_init) and returns nl_req_ok().
 */
bool kdp_build_tunnel_create(struct nl_req *, uint16_t family,
    uint16_t tunnel_id, uint16_t peer_tunnel_id, int fd);
bool kdp_build_tunnel_delete(struct nl_req *, uint16_t family,
    uint16_t tunnel_id);
bool kdp_build_tunnel_get(struct nl_req *, uint16_t family,
    uint16_t tunnel_id);
bool kdp_build_session_create(struct nl_req *, uint16_t family,
    uint16_t tunnel_id, const struct kdp_session_cfg *);
bool kdp_build_session_delete(struct nl_req *, uint16_t family,
    uint16_t tunnel_id, uint16_t session_id);
bool kdp_build_session_get(struct nl_req *, uint16_t family,
    uint16_t tunnel_id, uint16_t session_id);

/* A L2TP_CMD_TUNNEL_GET / L2TP_CMD_SESSION_GET reply, parsed. */
struct kdp_info {
	uint8_t			 cmd;		/* genl command of the reply */
	uint32_t		 tunnel_id;
	uint32_t		 peer_tunnel_id;
	bool			 has_session;
	uint32_t		 session_id;
	uint32_t		 peer_session_id;
	uint16_t		 pw_type;	/* 0 if absent */
	bool			 has_stats;
	struct kdp_stats	 stats;
};

/*
 * Parse one reply message of `family`: genl header with command
 * L2TP_CMD_TUNNEL_GET or L2TP_CMD_SESSION_GET, attributes with their
 * widths checked, L2TP_ATTR_CONN_ID required (and L2TP_ATTR_SESSION_ID
 * for a session), the L2TP_ATTR_STATS nest when present. Pad attributes
 * and unknown ones are skipped. False (out unusable) on anything else.
 * nlh's length must have been checked against its buffer (nl_reply_parse
 * does).
 */
bool kdp_parse_info(const struct nlmsghdr *nlh, uint16_t family,
    struct kdp_info *out);

/*
 * The sockaddr for connect() of a PPPoL2TP socket (L2TPv2, IPv4 or
 * IPv6 by the peer's family): the tunnel's UDP fd, the peer's address,
 * our and the peer's tunnel and session ids (session ids 0/0: the tunnel
 * management socket). Returns its length, or 0 for another family.
 */
socklen_t kdp_pppol2tp_addr(struct sockaddr_storage *out, int udp_fd,
    const struct sockaddr_storage *peer, uint16_t tunnel_id,
    uint16_t session_id, uint16_t peer_tunnel_id, uint16_t peer_session_id);

#endif
