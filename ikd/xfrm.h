/*
 * xfrm.h - ikd's typed kernel IPsec operations: SPI allocation, transport
 * mode ESP SAs, policies, counters, per-socket bypass, expiry events, and
 * the cleanup of everything ikd owns.
 *
 * One interface, two backends chosen by the configuration (ike.kernel):
 *   "xfrm"  requests over NETLINK_XFRM (lib/nl), the real thing;
 *   "none"  nothing reaches the kernel: each operation is logged at info
 *           level (parameters, never keys) and recorded, SPIs are random
 *           and unique; for benchmarks and host-only protocol tests.
 *
 * Each operation takes its own request struct. The structs are plain
 * data, no pointers, fixed sizes: they are the menu of privileged
 * operations the unprivileged IKE process asks the parent for (STYLE 2),
 * and the parent runs xfrm_*_check() on them before anything else.
 * Requests that carry keys (struct xfrm_sa_req) must be wiped with
 * explicit_bzero() by whoever holds them once they are done.
 *
 * Ownership tag. Every SA and every policy ikd installs carries a reqid in
 * XFRM_REQID_BASE..XFRM_REQID_BASE + 0xffff ("L2" << 16): the SA's reqid,
 * the policy's template reqid. The checks refuse requests with any other
 * reqid, and the cleanup (xfrm_flush_ours), the deletes and the expiry
 * events only act on objects whose reqid is in that range and that carry
 * no mark, no interface id and (policies) are of the main type, all of
 * which ikd never sets. Why a reqid and not a mark: the reqid is pure
 * bookkeeping on both sides of the kernel lookup (a transport-mode
 * template with reqid R is satisfied by SAs with reqid R), whereas
 * XFRMA_MARK changes which packets an SA or policy matches (the packet
 * mark must match) and XFRMA_SET_MARK rewrites packets; strongSwan numbers
 * reqids from 1 and Libreswan from 16384, far below our range.
 *
 * All SAs that carry L2TP share XFRM_REQID_L2TP with the server policy
 * (ikd/policy.h): the kernel checks on input that the SA that decrypted a
 * packet matches the policy template's reqid (net/xfrm/xfrm_policy.c,
 * xfrm_state_ok()), and picks the outbound SA by addresses, reqid and the
 * SA's selector (xfrm_state_find()).
 */
#ifndef IKD_XFRM_H
#define IKD_XFRM_H

#include <netinet/in.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"

struct event_base;
struct nl_req;
struct nlmsghdr;

/* ikd's reqid range (see above). */
#define XFRM_REQID_BASE		0x4c320000u
#define XFRM_REQID_MASK		0xffff0000u
/* The L2TP server policy and every SA carrying L2TP. */
#define XFRM_REQID_L2TP		(XFRM_REQID_BASE | 1)

/* RFC 4303 2.1: SPIs 1..255 are reserved by IANA, 0 is "no SA". */
#define XFRM_SPI_MIN		0x100u
#define XFRM_SPI_MAX		0xffffffffu

/* Legacy (non-ESN) replay window: a 32-bit bitmap in the kernel. */
#define XFRM_REPLAY_MAX		32

/* Key bytes: AES-256 plus the 4-byte GCM salt (RFC 4106 8.1). */
#define XFRM_ENC_KEY_MAX	36
/* HMAC-SHA-256 (RFC 4868 2.1.1: key length = output length). */
#define XFRM_AUTH_KEY_MAX	32

/* Longest text of xfrm_addr_ntop(), NUL included. */
#define XFRM_ADDRSTRLEN		INET6_ADDRSTRLEN

/* An IPv4 or IPv6 address in network order; the family is alongside. */
union xfrm_ipaddr {
	struct in_addr		 v4;
	struct in6_addr		 v6;
};

/* ESP encryption (kernel crypto API names in parentheses). */
enum xfrm_enc {
	XFRM_ENC_AES_CBC = 1,	/* cbc(aes), 16/24/32-byte key; RFC 3602 */
	XFRM_ENC_3DES_CBC,	/* cbc(des3_ede), 24-byte key; RFC 2451 */
	XFRM_ENC_AES_GCM16	/* rfc4106(gcm(aes)), key 16/24/32 + 4 salt,
				   16-byte ICV; RFC 4106 */
};

/* ESP integrity, truncated HMACs (XFRMA_ALG_AUTH_TRUNC). */
enum xfrm_auth {
	XFRM_AUTH_NONE = 0,		/* only with XFRM_ENC_AES_GCM16 */
	XFRM_AUTH_HMAC_SHA1_96,		/* hmac(sha1), key 20, RFC 2404 */
	XFRM_AUTH_HMAC_SHA256_128	/* hmac(sha256), key 32; RFC 4868 */
};

/* Direction of a policy, or of an SA as seen from this host. */
enum xfrm_dir {
	XFRM_DIR_IN = 0,
	XFRM_DIR_OUT,
	XFRM_DIR_FWD		/* policies only; ikd uses none */
};

/*
 * Traffic selector. Ports are host order; a mask of 0 means any port, so
 * { 1701, 0xffff } is exactly 1701. proto 0 is any protocol (ports must
 * then be any). Prefix lengths 0..32 or 0..128; the bits of an address
 * past its prefix must be zero. family 0 (AF_UNSPEC) is allowed for SAs
 * only: no selector, the SA serves any flow between its addresses.
 */
struct xfrm_sel {
	uint16_t		 family;
	uint8_t			 proto;
	uint8_t			 src_plen;
	uint8_t			 dst_plen;
	uint16_t		 sport;
	uint16_t		 sport_mask;
	uint16_t		 dport;
	uint16_t		 dport_mask;
	union xfrm_ipaddr	 src;
	union xfrm_ipaddr	 dst;
};

/*
 * XFRM_MSG_ALLOCSPI: reserve an SPI for an inbound ESP SA from `peer` to
 * `local` (src = peer, dst = local). The kernel creates a larval SA that
 * xfrm_sa_add() with dir XFRM_DIR_IN later completes (XFRM_MSG_UPDSA);
 * unused, it expires after net.core.xfrm_acq_expires (30 s). SPI range
 * spi_min..spi_max; both 0 means XFRM_SPI_MIN..XFRM_SPI_MAX.
 */
struct xfrm_spi_req {
	uint16_t		 family;	/* AF_INET, AF_INET6 */
	union xfrm_ipaddr	 peer;
	union xfrm_ipaddr	 local;
	uint32_t		 reqid;		/* ours */
	uint32_t		 spi_min;
	uint32_t		 spi_max;
};

/*
 * A transport-mode ESP SA. dir XFRM_DIR_IN: src = peer, dst = local,
 * spi from xfrm_spi_alloc(), sent as XFRM_MSG_UPDSA on the larval SA;
 * XFRM_DIR_OUT: src = local, dst = peer, the peer's SPI, XFRM_MSG_NEWSA
 * (fails with EEXIST if the SA exists).
 *
 * NAT-T (RFC 3948): encap set, UDP_ENCAP_ESPINUDP with the ports of this
 * SA's packets as on the wire (outbound: sport = ours, 4500; inbound:
 * sport = the peer's). Lifetimes: 0 = none; soft below hard. Bytes count
 * the SA's payload, seconds from the SA's creation (add_expires).
 */
struct xfrm_sa_req {
	uint16_t		 family;
	uint8_t			 dir;		/* XFRM_DIR_IN or _OUT */
	union xfrm_ipaddr	 src;
	union xfrm_ipaddr	 dst;
	uint32_t		 spi;		/* host order */
	uint32_t		 reqid;		/* ours */
	struct xfrm_sel		 sel;		/* family 0: none */
	enum xfrm_enc		 enc;
	uint8_t			 enc_key_len;
	uint8_t			 enc_key[XFRM_ENC_KEY_MAX];
	enum xfrm_auth		 auth;
	uint8_t			 auth_key_len;
	uint8_t			 auth_key[XFRM_AUTH_KEY_MAX];
	uint8_t			 encap;		/* 0 or 1 */
	uint16_t		 encap_sport;	/* host order */
	uint16_t		 encap_dport;
	uint8_t			 replay_window; /* 0..XFRM_REPLAY_MAX */
	uint64_t		 soft_secs;
	uint64_t		 hard_secs;
	uint64_t		 soft_bytes;
	uint64_t		 hard_bytes;
};

/* An ESP SA as the kernel keys it: destination, SPI, protocol ESP. */
struct xfrm_sa_id {
	uint16_t		 family;
	union xfrm_ipaddr	 dst;
	uint32_t		 spi;		/* host order */
};

/* XFRM_MSG_GETSA: current lifetime and statistics of an SA. */
struct xfrm_sa_counters {
	uint64_t		 bytes;
	uint64_t		 packets;
	uint64_t		 add_time;	/* wall clock s, kernel's */
	uint64_t		 use_time;	/* 0: never used */
	uint32_t		 replay_drops;	/* xfrm_stats.replay */
	uint32_t		 integrity_failed;
};

/*
 * A policy: action allow, one template ESP transport mode with `reqid`,
 * required (template optional = 0: a packet the policy matches must have
 * been, or will be, transformed by a matching SA). Lower priority values
 * win (the kernel picks the matching policy with the smallest value).
 * Added with XFRM_MSG_NEWPOLICY: EEXIST if a policy with the same
 * selector and direction exists, ours or not; it is never replaced.
 */
struct xfrm_policy_req {
	struct xfrm_sel		 sel;
	uint8_t			 dir;		/* enum xfrm_dir */
	uint32_t		 priority;
	uint32_t		 reqid;		/* ours */
};

/* A policy as the kernel keys it (main type, no mark). */
struct xfrm_policy_id {
	struct xfrm_sel		 sel;
	uint8_t			 dir;
};

/* An SA from a dump (keys are never read). */
struct xfrm_sa_info {
	uint16_t		 family;
	union xfrm_ipaddr	 src;
	union xfrm_ipaddr	 dst;
	uint32_t		 spi;		/* host order */
	uint8_t			 proto;		/* IPPROTO_ESP, .. */
	uint8_t			 mode;		/* XFRM_MODE_* */
	uint32_t		 reqid;
	struct xfrm_sel		 sel;
	struct xfrm_sa_counters	 counters;
	bool			 larval;	/* no algorithm yet */
	bool			 encap;
	uint16_t		 encap_sport;	/* host order */
	uint16_t		 encap_dport;
	bool			 marked;	/* mark or if_id set */
	bool			 ours;
};

/* A policy from a dump; the template fields are the first template's. */
struct xfrm_policy_info {
	struct xfrm_sel		 sel;
	uint8_t			 dir;		/* enum xfrm_dir */
	uint8_t			 action;	/* XFRM_POLICY_ALLOW.. */
	uint8_t			 type;		/* XFRM_POLICY_TYPE_* */
	uint32_t		 priority;
	uint32_t		 index;
	unsigned int		 ntmpl;
	uint8_t			 tmpl_proto;
	uint8_t			 tmpl_mode;
	uint8_t			 tmpl_optional;
	uint32_t		 tmpl_reqid;
	bool			 marked;	/* mark or if_id set */
	bool			 socket;	/* a per-socket policy */
	bool			 ours;
};

struct xfrm_backend;

/* Names for logs: "aes-cbc", "hmac-sha1-96", "in"; "?" if unknown. */
const char *xfrm_enc_name(enum xfrm_enc);
const char *xfrm_auth_name(enum xfrm_auth);
const char *xfrm_dir_name(enum xfrm_dir);
/* True if `reqid` is in ikd's range. */
bool xfrm_reqid_ours(uint32_t reqid);
/*
 * Print `a` of `family` into buf (at least XFRM_ADDRSTRLEN bytes) and
 * return buf; "?" for an unknown family.
 */
const char *xfrm_addr_ntop(uint16_t family, const union xfrm_ipaddr *a,
    char *buf, size_t len);
/* Clear *sel to "any" of `family`: any address, protocol and port. */
void xfrm_sel_any(struct xfrm_sel *sel, uint16_t family);

/*
 * Request checks, run by every operation before anything else and by the
 * privileged parent on requests from the IKE process. Each returns true
 * if the request is well formed and within ikd's rights (our reqid, ESP,
 * key lengths that match the algorithms, ...); otherwise false with a
 * reason in why (a static string, never NULL).
 */
bool xfrm_spi_req_check(const struct xfrm_spi_req *, const char **why);
bool xfrm_sa_req_check(const struct xfrm_sa_req *, const char **why);
bool xfrm_sa_id_check(const struct xfrm_sa_id *, const char **why);
bool xfrm_policy_req_check(const struct xfrm_policy_req *,
    const char **why);
bool xfrm_policy_id_check(const struct xfrm_policy_id *, const char **why);

/*
 * The backend for `kind`. The "xfrm" backend opens its NETLINK_XFRM
 * request socket here (root or CAP_NET_ADMIN is needed for the writes,
 * not for the open). Returns NULL (logged) on failure; the caller owns
 * the result, freed with xfrm_backend_free().
 */
struct xfrm_backend *xfrm_backend_new(enum conf_kernel kind);
/* Free the backend. Installed objects stay. NULL is a no-op. */
void xfrm_backend_free(struct xfrm_backend *);
/* The kind it was created with. */
enum conf_kernel xfrm_backend_kind(const struct xfrm_backend *);

/*
 * The operations. Each checks its request (EINVAL if the check fails),
 * logs its own failure with the request's parameters (a missing object,
 * ESRCH, only at debug: callers delete what may have expired), returns 0 or
 * -1 with errno (the kernel's: ESRCH no such SA/policy, EEXIST, ENOENT
 * no free SPI in the range, EPROTONOSUPPORT/ENOSYS kernel without the
 * algorithm or esp4/esp6, EPERM; EACCES: the object exists but is not
 * ours, so it was left alone).
 */
/* Reserve an inbound SPI (see struct xfrm_spi_req) into *spi. */
int xfrm_spi_alloc(struct xfrm_backend *, const struct xfrm_spi_req *,
    uint32_t *spi);
/* Install an SA (see struct xfrm_sa_req). */
int xfrm_sa_add(struct xfrm_backend *, const struct xfrm_sa_req *);
/* Delete one of our SAs (larval or complete). */
int xfrm_sa_del(struct xfrm_backend *, const struct xfrm_sa_id *);
/* Counters of one of our SAs into *out. */
int xfrm_sa_get_counters(struct xfrm_backend *, const struct xfrm_sa_id *,
    struct xfrm_sa_counters *out);
/* Install a policy (see struct xfrm_policy_req). */
int xfrm_policy_add(struct xfrm_backend *, const struct xfrm_policy_req *);
/* Delete one of our policies. */
int xfrm_policy_del(struct xfrm_backend *, const struct xfrm_policy_id *);
/*
 * Per-socket bypass (IP_XFRM_POLICY / IPV6_XFRM_POLICY, action allow,
 * both directions): no global policy applies to the traffic of `fd`, so
 * IKE on 500/4500 is never caught by SPD entries, ours or an admin's.
 * `family` is the socket's. The "none" backend only logs.
 */
int xfrm_socket_bypass(struct xfrm_backend *, int fd, int family);

/* What xfrm_flush_ours() removes. */
#define XFRM_FLUSH_SA		0x1
#define XFRM_FLUSH_POLICY	0x2
#define XFRM_FLUSH_ALL		(XFRM_FLUSH_SA | XFRM_FLUSH_POLICY)

/*
 * Delete every SA and/or policy that is ours (see the top of this file)
 * and nothing else, from dumps (XFRM_MSG_GETSA/GETPOLICY, NLM_F_DUMP).
 * The numbers deleted go to *nsa and *npolicy (either may be NULL).
 * Objects that vanished meanwhile are not errors. SAs of ours without an
 * SPI (the kernel's acquire states; what an ALLOCSPI that found no free
 * SPI leaves) cannot be deleted by id and are left to expire, within
 * net.core.xfrm_acq_expires (30 s). Returns 0, or -1 if a dump or a
 * delete failed (the rest is still attempted).
 */
int xfrm_flush_ours(struct xfrm_backend *, unsigned int what,
    unsigned int *nsa, unsigned int *npolicy);

/*
 * Dumps: cb is called for each SA or policy of the kernel (the "none"
 * backend: each it recorded), ours or not; return 0 to go on, -1 to
 * stop (the dump then fails with the callback's errno). The callback
 * must not call into the backend. 0 or -1 with errno.
 */
typedef int xfrm_sa_dump_cb(const struct xfrm_sa_info *, void *arg);
typedef int xfrm_policy_dump_cb(const struct xfrm_policy_info *, void *arg);
int xfrm_sa_dump(struct xfrm_backend *, xfrm_sa_dump_cb *, void *arg);
int xfrm_policy_dump(struct xfrm_backend *, xfrm_policy_dump_cb *,
    void *arg);

/*
 * Kernel events about our objects, read on the process's event loop.
 */
enum xfrm_event_type {
	XFRM_EVENT_EXPIRE_SOFT,	/* soft lifetime reached: rekey */
	XFRM_EVENT_EXPIRE_HARD,	/* the kernel deleted the SA */
	XFRM_EVENT_ACQUIRE,	/* outbound packet matched one of our
				   policies but no SA exists */
	XFRM_EVENT_LOST		/* the kernel dropped events (ENOBUFS):
				   resynchronise */
};

struct xfrm_event {
	enum xfrm_event_type	 type;
	uint16_t		 family;
	union xfrm_ipaddr	 src;
	union xfrm_ipaddr	 dst;
	/* host order; 0 for ACQUIRE and for the expiry of the kernel's
	   acquire state (no SA came in time) */
	uint32_t		 spi;
	uint8_t			 proto;
	uint32_t		 reqid;
	struct xfrm_sel		 sel;		/* SA's or flow's */
	bool			 ours;
};

typedef void xfrm_event_cb(const struct xfrm_event *, void *arg);

struct xfrm_events;

/* xfrm_events_new flags */
#define XFRM_EVENTS_ACQUIRE	0x1	/* also XFRMNLGRP_ACQUIRE */

/*
 * Subscribe to XFRMNLGRP_EXPIRE (and XFRMNLGRP_ACQUIRE with
 * XFRM_EVENTS_ACQUIRE) on `base`: cb(event, arg) is called from the loop
 * for events about our objects (others are dropped at debug level).
 * Joining the groups needs CAP_NET_ADMIN. The "none" backend delivers
 * nothing. Returns NULL (logged) on failure; the caller owns the result.
 */
struct xfrm_events *xfrm_events_new(struct xfrm_backend *,
    struct event_base *base, unsigned int flags, xfrm_event_cb *cb,
    void *arg);
/* Unsubscribe and free. NULL is a no-op. */
void xfrm_events_free(struct xfrm_events *);
/* Name of an event type, for logs. */
const char *xfrm_event_type_name(enum xfrm_event_type);

/*
 * Message builders and parsers of the "xfrm" backend, public for the unit
 * tests and fuzz targets. Builders start `req` afresh, check the request
 * first and return false (nothing usable) if it fails or does not fit.
 */
bool xfrm_build_spi_alloc(struct nl_req *, const struct xfrm_spi_req *);
bool xfrm_build_sa_add(struct nl_req *, const struct xfrm_sa_req *);
/* XFRM_MSG_GETSA (get true) or XFRM_MSG_DELSA of one SA. */
bool xfrm_build_sa_id(struct nl_req *, const struct xfrm_sa_id *,
    bool get);
bool xfrm_build_policy_add(struct nl_req *, const struct xfrm_policy_req *);
/* XFRM_MSG_GETPOLICY (get true) or DELPOLICY by selector and direction. */
bool xfrm_build_policy_id(struct nl_req *, const struct xfrm_policy_id *,
    bool get);
/*
 * Parse an XFRM_MSG_NEWSA (dump or GETSA/ALLOCSPI reply) into *out, a
 * XFRM_MSG_NEWPOLICY into *out, or an XFRM_MSG_EXPIRE / ACQUIRE into
 * *out. nlh's length must have been checked against its buffer (as for a
 * nl_msg_cb). False if the type is another or the message is malformed.
 */
bool xfrm_parse_sa(const struct nlmsghdr *, struct xfrm_sa_info *out);
bool xfrm_parse_policy(const struct nlmsghdr *, struct xfrm_policy_info *out);
bool xfrm_parse_event(const struct nlmsghdr *, struct xfrm_event *out);

#endif
