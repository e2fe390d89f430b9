/*
 * priv.h - ikd's privilege separation (STYLE 2): the fixed menu of typed
 * requests the unprivileged IKE process sends to the privileged parent
 * over a SOCK_SEQPACKET socketpair, the parent's checking executor, and
 * the IKE process's side (struct ikd_kernel_ops on the channel).
 *
 * Processes. The parent (root) loads the configuration, opens the XFRM
 * backend, removes stale SAs of ours, installs the L2TP policies and
 * follows local addresses (policy.h), binds UDP 500/4500 with
 * UDP_ENCAP_ESPINUDP and the per-socket XFRM bypass, creates the control
 * socket, then forks the IKE process. That child closes every other
 * descriptor, drops to an unprivileged user (setgroups, setresgid,
 * setresuid: no capabilities are left), sets no_new_privs and runs the
 * exchanges and the control socket. The parent only answers requests.
 * If the child exits or dies, the parent logs it, removes every SA and
 * policy of ours and exits non-zero: a restart is the service manager's
 * job (no respawn loop here; l2tpd re-registers with the new ikd).
 *
 * Messages (host byte order: both ends are the same binary). Request:
 *
 *   u32 type | u32 seq | body, exactly the size of the type's struct
 *
 * Reply: u32 type | u32 seq | i32 result (0 or -1) | i32 errno | body
 * (the type's reply struct on success, nothing on failure). One request
 * is outstanding at a time; the IKE process waits for the reply (the
 * parent answers from memory or one netlink round trip).
 *
 * The menu, the parent's checks, and the reply:
 *   PRIV_SPI_ALLOC      struct xfrm_spi_req, xfrm_spi_req_check -> u32 SPI
 *   PRIV_SA_ADD         struct xfrm_sa_req (keys: wiped on both sides
 *                       after use), xfrm_sa_req_check -> nothing
 *   PRIV_SA_DEL         struct xfrm_sa_id, xfrm_sa_id_check -> nothing
 *   PRIV_SA_COUNTERS    struct xfrm_sa_id, xfrm_sa_id_check ->
 *                       struct xfrm_sa_counters (of an SA of ours only:
 *                       the backend checks the reqid)
 *   PRIV_POLICY_LIST    no body -> struct priv_policy_list
 *   PRIV_L2TP_REGISTER  struct priv_l2tp, port 1..65535 -> u32 policies
 *                       installed
 *   PRIV_SIGN           struct priv_sign, len 16..64 (an IKE HASH_R),
 *                       ident < IKD_IDENT_MAX ->
 *                       struct priv_sig: our certificate key signs it
 *                       (the key never enters the IKE process, which
 *                       parses what peers send; refused without one)
 * Anything else (unknown type, wrong size, a failed check) is refused:
 * logged at warn, counted, answered with result -1, errno EPERM.
 */
#ifndef IKD_PRIV_H
#define IKD_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ikd/xfrm.h"

struct ikd_certs;
struct ikd_kernel_ops;
struct policy_mgr;
struct event_base;

enum priv_type {
	PRIV_SPI_ALLOC = 1,
	PRIV_SA_ADD,
	PRIV_SA_DEL,
	PRIV_SA_COUNTERS,
	PRIV_POLICY_LIST,
	PRIV_L2TP_REGISTER,
	PRIV_SIGN
};

/* Header sizes. */
#define PRIV_REQ_HDR		8
#define PRIV_REPLY_HDR		16
/* Most policies PRIV_POLICY_LIST reports. */
#define PRIV_POLICY_MAX		32
/* Largest message either way. */
#define PRIV_MSG_MAX		4096

struct priv_l2tp {
	uint16_t		 port;
};

/* PRIV_SIGN: a HASH_R (MD5 .. SHA-512 sizes) and its signature. */
#define PRIV_SIGN_HASH_MIN	16
#define PRIV_SIGN_HASH_MAX	64
#define PRIV_SIG_MAX		1024

struct priv_sign {
	uint32_t		 ident;		/* which of our certificates */
	uint32_t		 len;
	uint8_t			 hash[PRIV_SIGN_HASH_MAX];
};

struct priv_sig {
	uint32_t		 len;
	uint8_t			 sig[PRIV_SIG_MAX];
};

struct priv_policy {
	struct xfrm_policy_req	 req;
	uint8_t			 installed;	/* 0 or 1 */
};

struct priv_policy_list {
	uint32_t		 n;
	uint16_t		 l2tp_port;	/* the port they cover */
	struct priv_policy	 p[PRIV_POLICY_MAX];
};

/* A request as parsed and checked by the parent. */
struct priv_req {
	enum priv_type		 type;
	uint32_t		 seq;
	union {
		struct xfrm_spi_req	 spi;
		struct xfrm_sa_req	 sa;
		struct xfrm_sa_id	 id;
		struct priv_l2tp	 l2tp;
		struct priv_sign	 sign;
	} u;
};

/* Name of a request type ("sa-add"), "?" if unknown. */
const char *priv_type_name(enum priv_type);

/*
 * Build the request message of `type` with `seq` and body[0..len) into
 * buf. Returns its length, or 0 if it does not fit (nothing is checked:
 * the tests build bad requests with it).
 */
size_t priv_req_build(uint8_t *buf, size_t cap, uint32_t type, uint32_t seq,
    const void *body, size_t len);

/*
 * The parent's parser: header, a type on the menu, the exact body size,
 * then the type's check (xfrm_*_check, port range). True with *out
 * filled, or false with a static reason in *why (out may then hold part
 * of a request: the caller wipes it). *seq_out gets the header's seq
 * whenever the header was readable (0 otherwise), for the refusal.
 */
bool priv_req_parse(const uint8_t *p, size_t len, struct priv_req *out,
    uint32_t *seq_out, const char **why);

/* What the parent executes requests with. */
struct priv_parent {
	struct xfrm_backend	*xb;		/* borrowed */
	struct event_base	*base;		/* for a new policy manager */
	struct policy_mgr	*pm;		/* owned; NULL: none yet */
	uint16_t		 l2tp_port;	/* pm's port */
	struct ikd_certs	*certs;		/* borrowed; NULL: no key */
	uint64_t		 handled;
	uint64_t		 refused;
};

/*
 * Handle one request message p[0..len) from the IKE process: parse and
 * check it, execute it, write the reply into out (at least PRIV_MSG_MAX
 * bytes). Refusals are logged and counted. The request's copy is wiped
 * before return (p itself is the caller's to wipe). Returns the reply's
 * length.
 */
size_t priv_parent_handle(struct priv_parent *, const uint8_t *p,
    size_t len, uint8_t *out);

/*
 * Read one request from fd (the parent's end of the socketpair), handle
 * it and send the reply; the receive buffer is wiped. Returns 0, or -1
 * when the peer closed the channel or it failed (logged).
 */
int priv_parent_serve(struct priv_parent *, int fd);

/* The IKE process's end of the channel. */
struct priv_client {
	int			 fd;
	uint32_t		 seq;
};

/*
 * Send one request (body[0..len), type's struct) and wait for its reply;
 * on success copy the reply body (exactly rlen bytes) into rbody. Returns
 * 0, or -1 with errno: the parent's errno for a failed or refused
 * operation, EPROTO for a malformed reply (logged); a closed channel is
 * fatal (the parent is gone).
 */
int priv_call(struct priv_client *, enum priv_type type, const void *body,
    size_t len, void *rbody, size_t rlen);

/* PRIV_SIGN through the parent (arg: struct priv_client *). */
int priv_sign(void *arg, unsigned int ident, const uint8_t *hash,
    size_t hlen, uint8_t *sig, size_t *siglen);

/* Kernel operations through the parent (arg: struct priv_client *). */
extern const struct ikd_kernel_ops priv_kernel_ops;

/*
 * Drop privileges for good: to `user` (its uid and primary gid; no
 * supplementary groups) when running as root, then PR_SET_NO_NEW_PRIVS
 * and a check that no capability and no way back to uid 0 remain.
 * Returns 0, or -1 (logged) on any failure: the caller must not go on.
 */
int priv_drop(const char *user);

#endif
