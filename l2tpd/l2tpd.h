/*
 * l2tpd.h - l2tpd's process context, tunnels and sessions (RFC 2661 LNS).
 *
 * Modules:
 *   tunnel.c   control connection FSM (RFC 2661 7.2), reliable delivery
 *              through l2tpd/reliable, HELLO liveness, the tunnel table
 *   session.c  incoming call FSM (RFC 2661 7.4.1), per-session record
 *              (lib/sesslog), addresses (l2tpd/pool), pppd hand-off
 *   pppd.c     spawn/reap pppd, the plugin socket server (lib/sessproto)
 *   ikdlink.c  ikd control socket client: register, peer queries
 *   main.c     options, config, sockets, event loop, signals, exit
 *
 * Substitution for tests: the kernel data path (l2tpd/kdp.h), pppd
 * (pppd_start/pppd_stop below) and the listener's raw send are reached
 * through struct l2tpd_ops, so tests/unit/test_l2tpd.c drives tunnels and
 * sessions in-process with a fake kernel and a mock clock. Time is
 * clock_mono_ms() everywhere: each tunnel has one deadline
 * (tunnel_deadline) and tunnel_tick() does what is due; the daemon arms
 * one timer per tunnel to that deadline, tests move the clock and tick.
 */
#ifndef L2TPD_L2TPD_H
#define L2TPD_L2TPD_H

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/sesslog.h"
#include "l2tpd/kdp.h"

struct event;
struct event_base;
struct ev_timer;
struct l2tp_msg;
struct l2tp_rel;
struct pool;
struct vpn_conf;
struct l2tpd;
struct tunnel;
struct session;
struct ikdlink;
struct pppd_srv;

#define L2TPD_TAG_MAX		96
#define L2TPD_HOSTNAME_MAX	64
/* After a StopCCN (ours or the peer's) the tunnel stays to (re)ack. */
#define L2TPD_LINGER_MS		5000
/* Tries to find a free random tunnel id (the kernel says EEXIST). */
#define L2TPD_ID_TRIES		16

/* RFC 2661 7.2: control connection states (LNS side). */
enum tunnel_state {
	TUNNEL_IDLE,
	TUNNEL_WAIT_CTL_CONN,	/* SCCRP sent, waiting for SCCCN */
	TUNNEL_ESTABLISHED,
	TUNNEL_CLOSING,		/* StopCCN sent or received: linger */
	TUNNEL_DEAD		/* freed on the next tick */
};

enum tunnel_event {
	TEV_SCCRQ,
	TEV_SCCRQ_BAD,		/* auth or version refused */
	TEV_SCCCN,
	TEV_SCCCN_BAD,		/* wrong challenge response */
	TEV_STOPCCN,
	TEV_HELLO,
	TEV_SESSION_MSG,	/* ICRQ, ICCN, CDN, ... to session.c */
	TEV_OTHER_MSG,		/* any other control message */
	TEV_PEER_DEAD,		/* retransmissions exhausted, no HELLO ack */
	TEV_HELLO_DUE,		/* hello_interval of silence */
	TEV_LINGER_DONE,
	TEV_ADMIN_CLOSE		/* shutdown */
};

/* RFC 2661 7.4.1: LNS incoming call states. */
enum session_state {
	SESSION_IDLE,
	SESSION_WAIT_CONNECT,	/* ICRP sent, waiting for ICCN */
	SESSION_ESTABLISHED,	/* kernel session + pppd */
	SESSION_CLOSED		/* CDN sent or received; freed */
};

enum session_event {
	SEV_ICRQ,
	SEV_ICCN,
	SEV_CDN,
	SEV_PPPD_EXIT,		/* pppd reaped */
	SEV_TUNNEL_DOWN,
	SEV_OTHER
};

/* What tests substitute: the kernel data path, pppd, the listener. */
struct l2tpd_ops {
	struct kdp_tunnel *(*tunnel_new)(struct l2tpd *,
	    const struct kdp_tunnel_cfg *);
	void	(*tunnel_free)(struct kdp_tunnel *);
	ssize_t	(*tunnel_send)(struct kdp_tunnel *, const void *, size_t);
	ssize_t	(*tunnel_recv)(struct kdp_tunnel *, void *, size_t);
	int	(*tunnel_fd)(const struct kdp_tunnel *);
	struct kdp_session *(*session_new)(struct kdp_tunnel *,
	    const struct kdp_session_cfg *);
	void	(*session_free)(struct kdp_session *);
	int	(*session_stats)(struct kdp_session *, struct kdp_stats *);
	int	(*session_fd)(const struct kdp_session *);
	/* start pppd for s (sets s->pppd_pid), 0 or -1 */
	int	(*pppd_start)(struct l2tpd *, struct session *);
	/* SIGTERM s's pppd (reaped later through session_pppd_exit) */
	void	(*pppd_stop)(struct l2tpd *, struct session *);
	/* a reply from the listening socket to a peer without tunnel */
	void	(*listen_send)(struct l2tpd *, const struct sockaddr_storage *
	    local, const struct sockaddr_storage *peer, const void *,
	    size_t);
};

/* The kdp-backed ops of the daemon (main.c, pppd.c). */
extern const struct l2tpd_ops l2tpd_kdp_ops;

struct l2tpd_counters {
	uint64_t	 rx;		/* control datagrams */
	uint64_t	 malformed;
	uint64_t	 tunnels;	/* established */
	uint64_t	 sessions;	/* established */
	uint64_t	 refused_tunnels;
	uint64_t	 refused_sessions;
};

struct l2tpd {
	const struct vpn_conf	*conf;
	const char		*conf_path;	/* absolute, for pppd's plugin */
	struct event_base	*base;		/* NULL in unit tests */
	const struct l2tpd_ops	*ops;
	struct kdp		*kdp;
	struct pool		*pool;
	struct sesslog_out	*slog;
	struct pppd_srv		*pppd;
	struct ikdlink		*ikd;
	int			 listen_fd;
	TAILQ_HEAD(, tunnel)	 tunnels;
	size_t			 ntunnels;
	size_t			 nsessions;
	bool			 stopping;
	struct l2tpd_counters	 ctr;
	void			*test;		/* for the test's ops */
};

struct tunnel {
	TAILQ_ENTRY(tunnel)	 link;
	struct l2tpd		*d;
	enum tunnel_state	 state;
	uint16_t		 id;		/* ours */
	uint16_t		 peer_id;	/* Assigned Tunnel ID */
	struct sockaddr_storage	 local, peer;
	char			 tag[L2TPD_TAG_MAX];
	char			 peer_host[L2TPD_HOSTNAME_MAX + 1];
	struct kdp_tunnel	*kt;
	struct l2tp_rel		*rel;
	struct event		*ev_read;
	struct ev_timer		*timer;
	uint8_t			 challenge[16];	/* ours, if a secret */
	bool			 challenged;
	uint64_t		 last_rx_ms;
	uint64_t		 linger_until;
	bool			 hello_sent;
	const char		*down_cause;	/* for its sessions' end */
	/* quirks */
	bool			 apple;		/* NUL-terminated host name */
	enum sesslog_client	 client;
	/* IKE identifiers from ikd (peer query) */
	struct sesslog		 ike;		/* only peer/ike/spi/client */
	bool			 ike_known;
	bool			 ike_pending;	/* asked ikd, no answer yet */
	uint32_t		 next_call;
	TAILQ_HEAD(, session)	 sessions;
	size_t			 nsessions;
	unsigned int		 refs;
};

struct session {
	TAILQ_ENTRY(session)	 link;
	struct tunnel		*t;
	enum session_state	 state;
	uint16_t		 id;		/* ours */
	uint16_t		 peer_id;
	uint32_t		 call_serial;
	char			 tag[L2TPD_TAG_MAX];
	char			 key[32];	/* plugin session key */
	struct kdp_session	*ks;
	pid_t			 pppd_pid;
	int			 plugin_fd;	/* -1: none */
	struct in_addr		 addr;
	bool			 has_addr;
	bool			 final_ctr;	/* plugin sent final counters */
	bool			 started;	/* established (END is due) */
	bool			 start_pending;	/* START waits for ikd */
	struct sesslog		 rec;
	char			 cause[128];
	bool			 sequencing;	/* Sequencing Required AVP */
};

/* tunnel.c */
const char	*tunnel_state_name(enum tunnel_state);
const char	*tunnel_event_name(enum tunnel_event);
/*
 * A datagram on the listening socket from a peer without tunnel: an
 * SCCRQ makes a tunnel (kernel socket and tunnel, SCCRP sent); others
 * are dropped. local is our address the peer sent to (port included).
 */
void		 l2tpd_listen_input(struct l2tpd *, const uint8_t *, size_t,
		    const struct sockaddr_storage *local,
		    const struct sockaddr_storage *peer);
/* A control datagram on a tunnel's socket. */
void		 tunnel_input(struct tunnel *, const uint8_t *, size_t);
/* Read every pending datagram of t's socket (event callback body). */
void		 tunnel_readable(struct tunnel *);
/* When tunnel_tick has work (clock_mono_ms time), UINT64_MAX if none. */
uint64_t	 tunnel_deadline(const struct tunnel *);
/* Do what is due now; t may be freed (returns false then). */
bool		 tunnel_tick(struct tunnel *);
/* Close with StopCCN (result, error); t lingers, then goes. */
void		 tunnel_close(struct tunnel *, uint16_t result, uint16_t error,
		    const char *why);
/*
 * The RFC 2661 7.2 table: whether (s, ev) is a listed transition and its
 * next state (the action may close the tunnel instead). Unlisted pairs
 * get StopCCN (FSM error), or silence while closing.
 */
bool		 tunnel_transition(enum tunnel_state s, enum tunnel_event ev,
		    enum tunnel_state *next);
/* Lookup by our id; NULL if none. */
struct tunnel	*tunnel_lookup(struct l2tpd *, uint16_t id);
/* Queue a control message body (AVPs) for t; 0 or -1. */
int		 tunnel_send_msg(struct tunnel *, uint16_t session_id,
		    const uint8_t *pkt, size_t len);
/* Free every tunnel now (after l2tpd_shutdown's StopCCNs). */
void		 tunnel_free_all(struct l2tpd *);
/* Send StopCCN (once, not waiting) to every peer, stop every pppd. */
void		 l2tpd_shutdown(struct l2tpd *);
/*
 * ikd answered the peer query of t (ikdlink.c): its IKE identifiers, or
 * NULL when ikd knows none or the link broke. Deferred START records of
 * t's sessions go out now.
 */
void		 tunnel_set_ike(struct tunnel *, const struct sesslog *ike);

/* session.c */
const char	*session_state_name(enum session_state);
const char	*session_event_name(enum session_event);
/* A session-scoped message (ICRQ, ICCN, CDN, ...) of tunnel t. */
void		 session_recv(struct tunnel *, const struct l2tp_msg *);
/* Copy t's IKE identifiers into its sessions, emit deferred STARTs. */
void		 session_ike_known(struct tunnel *);
/* The tunnel goes: end every session (no CDN: StopCCN covers them). */
void		 session_tunnel_down(struct tunnel *, const char *cause);
/* pppd pid exited with status; finds the session. */
void		 session_pppd_exit(struct l2tpd *, pid_t, int status);
/* Lookups for the plugin server. */
struct session	*session_lookup_key(struct l2tpd *, const char *key);
struct session	*session_lookup_pid(struct l2tpd *, pid_t);
/* Close s with CDN (result, error) and stop its pppd. */
void		 session_close(struct session *, uint16_t result,
		    const char *why);
/* Plugin reports (pppd.c). */
void		 session_plugin_msg(struct session *, const void *msg);

/* ikdlink.c */
struct ikdlink	*ikdlink_new(struct l2tpd *, const char *path, uint16_t port);
void		 ikdlink_free(struct ikdlink *);
/*
 * Ask ikd for t's IKE identifiers (async; tunnel_set_ike on the answer).
 * 0 when asked (t->ike_pending set), -1 when ikd is not connected.
 */
int		 ikdlink_query_peer(struct ikdlink *, struct tunnel *);
/*
 * t's peer stopped answering (HELLO): ask ikd to delete its ISAKMP and
 * ESP SAs (Windows does no DPD, so nothing else would). Async, the answer
 * is logged. 0 when asked, -1 when ikd is not connected (logged).
 */
int		 ikdlink_drop_peer(struct ikdlink *, const struct tunnel *);
/* Parse one "ipsec-sa"/"ike-sa" record line into rec; false if none. */
bool		 ikdlink_parse_record(const char *line, size_t len,
		    struct sesslog *rec);

/* pppd.c */
struct pppd_srv	*pppd_srv_new(struct l2tpd *, const char *sock_path);
void		 pppd_srv_free(struct pppd_srv *);
/* Reap every exited child (SIGCHLD). */
void		 pppd_reap(struct l2tpd *);
/* ops of the daemon: fork+exec pppd for s / SIGTERM it. */
int		 pppd_spawn(struct l2tpd *, struct session *);
void		 pppd_kill(struct l2tpd *, struct session *);
/* Forget the plugin connection of s (closing it). */
void		 pppd_plugin_detach(struct pppd_srv *, struct session *);

#endif
