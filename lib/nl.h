/*
 * nl.h - a small netlink helper on libmnl: one socket per bus, requests
 * built in a bounded aligned buffer, replies walked and parsed attribute by
 * attribute with type and length checks.
 *
 * Used by ikd (NETLINK_XFRM requests, expiry events; NETLINK_ROUTE address
 * dumps and events) and l2tpd (NETLINK_GENERIC "l2tp" family).
 *
 * Netlink payloads are host-order kernel structs; these helpers never trust
 * a length from the kernel (or from anyone else: datagrams that do not come
 * from the kernel, port 0, are dropped).
 *
 * Use one socket for requests (groups 0) and another for events: a message
 * that is not the reply to the running request is dropped by nl_transact.
 */
#ifndef LIB_NL_H
#define LIB_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

/* Largest request we build; a request never grows past it. */
#define NL_REQ_MAX		8192
/* Receive buffer: the kernel sizes dump skbs at most 32 KiB. */
#define NL_RECV_MAX		32768
/* Longest extended-ack text kept (longer text is cut). */
#define NL_EXTACK_MSG_MAX	256
/* nl_transact gives up when the kernel has not answered within this. */
#define NL_TIMEOUT_MS		5000

struct nl_sock;

/*
 * A request under construction. Put helpers are sticky no-ops once the
 * request did not fit (or was misused): check nl_req_ok() once, before
 * sending. nl_transact refuses a request that is not ok.
 */
struct nl_req {
	_Alignas(8) uint8_t	 buf[NL_REQ_MAX];
	bool			 overflow;
};

/*
 * Called for each data message of a reply (nl_transact) or each event
 * (nl_recv_events). nlh is valid only during the call; its nlmsg_len has
 * been checked against the datagram, nothing else has. Return 0 to go on,
 * -1 (errno set) to fail: no further message is delivered and the caller
 * returns -1 with that errno. The callback must not use the socket it is
 * called for (its receive buffer holds nlh).
 */
typedef int nl_msg_cb(const struct nlmsghdr *nlh, void *arg);

/*
 * Open a netlink socket on `bus` (NETLINK_ROUTE, NETLINK_XFRM,
 * NETLINK_GENERIC), close-on-exec, bound to `groups` (the legacy bitmask,
 * e.g. RTMGRP_IPV4_IFADDR or XFRMGRP_EXPIRE; 0 for a request socket).
 * Extended acks (NETLINK_EXT_ACK) and capped acks (NETLINK_CAP_ACK) are
 * enabled where the kernel has them. Returns NULL (errno set, logged) on
 * failure. The caller owns the result; free with nl_close().
 */
struct nl_sock *nl_open(int bus, unsigned int groups);
/* Close and free. NULL is a no-op. */
void nl_close(struct nl_sock *);
/* The socket's fd, for an event loop. Still owned by the nl_sock. */
int nl_fd(const struct nl_sock *);
/* The port id the kernel gave the socket. */
uint32_t nl_portid(const struct nl_sock *);
/* Join multicast group `group` (number, not mask; for groups > 32). 0/-1. */
int nl_add_membership(struct nl_sock *, unsigned int group);

/*
 * Start a request of `type` with NLM_F_REQUEST | NLM_F_ACK | `flags`
 * (e.g. NLM_F_DUMP, NLM_F_CREATE | NLM_F_EXCL). Clears the whole buffer
 * and the overflow flag. Sequence and port are set by nl_transact.
 */
void nl_req_init(struct nl_req *, uint16_t type, uint16_t flags);
/*
 * Append the family header of `size` bytes (struct xfrm_usersa_info,
 * struct ifaddrmsg, ...), zeroed, and return it for the caller to fill;
 * it is 8-byte aligned and stays valid while the request lives. Only once,
 * right after nl_req_init. Returns NULL and marks the request failed if it
 * does not fit or something was put before it.
 */
void *nl_req_put_extra_header(struct nl_req *, size_t size);
/* The same for a struct genlmsghdr with `cmd` and `version`. */
void nl_req_put_genl(struct nl_req *, uint8_t cmd, uint8_t version);
/*
 * Append attribute `type` with `len` bytes of `data` (data may be NULL
 * only when len is 0). Sticky no-op when it does not fit.
 */
void nl_req_put(struct nl_req *, uint16_t type, size_t len,
    const void *data);
void nl_req_put_flag(struct nl_req *, uint16_t type);
void nl_req_put_u8(struct nl_req *, uint16_t type, uint8_t v);
void nl_req_put_u16(struct nl_req *, uint16_t type, uint16_t v);
void nl_req_put_u32(struct nl_req *, uint16_t type, uint32_t v);
void nl_req_put_u64(struct nl_req *, uint16_t type, uint64_t v);
/* String attribute including its terminating NUL. */
void nl_req_put_strz(struct nl_req *, uint16_t type, const char *s);
/*
 * Open a nested attribute (NLA_F_NESTED set). Returns the nest, to be
 * passed to nl_req_nest_end() after its members, or NULL once failed
 * (nl_req_nest_end(req, NULL) is then a no-op).
 */
struct nlattr *nl_req_nest_start(struct nl_req *, uint16_t type);
void nl_req_nest_end(struct nl_req *, struct nlattr *nest);
/* False once any put did not fit or was misused. */
bool nl_req_ok(const struct nl_req *);
/* The message header, and its current length in bytes. */
struct nlmsghdr *nl_req_hdr(struct nl_req *);
size_t nl_req_len(const struct nl_req *);

/*
 * Send `req` (its seq and port are set here) and read the replies until
 * the ACK, error or NLMSG_DONE of that sequence, calling cb (may be NULL)
 * for each data message of it. Messages of other sequences or ports and
 * datagrams not sent by the kernel are dropped. Returns 0, or -1 with
 * errno: the kernel's error, the callback's errno, EINTR (a dump was
 * interrupted by a change: retry), EBADMSG (malformed reply), ETIMEDOUT,
 * EMSGSIZE (request overflowed or reply truncated), or a socket error.
 * The kernel's extended-ack text is logged here with the request type;
 * the caller logs the failure itself, with its context.
 */
int nl_transact(struct nl_sock *, struct nl_req *, nl_msg_cb *cb,
    void *arg);

/*
 * Read one pending datagram without blocking and call cb for each data
 * message in it. Returns 0 when a datagram was handled (or dropped: not
 * from the kernel, truncated, malformed; logged), -1 with errno EAGAIN
 * when nothing is pending, ENOBUFS when the kernel dropped events (the
 * caller must resynchronise, e.g. with a dump), the callback's errno, or
 * another socket error. A read callback loops until -1.
 */
int nl_recv_events(struct nl_sock *, nl_msg_cb *cb, void *arg);

/*
 * Resolve a generic netlink family name ("l2tp") to its id with
 * CTRL_CMD_GETFAMILY. Returns 0 and sets *id, or -1 with errno (ENOENT:
 * no such family, the module is not loaded).
 */
int nl_genl_family_id(struct nl_sock *, const char *name, uint16_t *id);

/*
 * Attribute policy, one entry per attribute type, indexed by type. An
 * entry left zero (NL_ATTR_UNSPEC) means the attribute is not used: it is
 * skipped and never reaches tb[]. Integers must have exactly their width;
 * strings must be NUL-terminated within the attribute; min_len and max_len
 * (0: none) bound the payload length of strings, binary and nests.
 */
enum nl_attr_kind {
	NL_ATTR_UNSPEC = 0,
	NL_ATTR_FLAG,
	NL_ATTR_U8,
	NL_ATTR_U16,
	NL_ATTR_U32,
	NL_ATTR_U64,
	NL_ATTR_STRING,
	NL_ATTR_BINARY,
	NL_ATTR_NESTED
};

struct nl_attr_policy {
	enum nl_attr_kind	 kind;
	size_t			 min_len;
	size_t			 max_len;
};

/* Name of a policy kind, for logs. */
const char *nl_attr_kind_name(enum nl_attr_kind);

/*
 * Parse the attributes of `nlh` that follow the family header of
 * `extra_hdr_len` bytes into tb[0..maxtype] (all cleared first); policy
 * has maxtype + 1 entries. Attributes above maxtype are skipped. Fails
 * (false; tb then holds nothing usable) when the message is shorter than
 * its headers, an attribute length is below its header or past the
 * message, bytes trail the last attribute, an attribute fails its policy,
 * or a used attribute appears twice. nlh->nlmsg_len must have been
 * checked against the buffer (as for messages passed to a nl_msg_cb).
 * tb entries point into the message.
 */
bool nl_attr_parse(const struct nlmsghdr *nlh, size_t extra_hdr_len,
    const struct nl_attr_policy *policy, size_t maxtype,
    const struct nlattr **tb);
/*
 * Copy the family header (the `size` bytes after the nlmsghdr) of a
 * checked message into `hdr`. False if the message is shorter.
 */
bool nl_msg_get_extra(const struct nlmsghdr *nlh, void *hdr, size_t size);
/* The same for the members of a nested attribute that passed a parse. */
bool nl_attr_parse_nested(const struct nlattr *nest,
    const struct nl_attr_policy *policy, size_t maxtype,
    const struct nlattr **tb);

/*
 * Accessors for attributes that passed their policy (the getters rely on
 * it for the width; they copy, so no alignment is assumed).
 */
uint16_t nl_attr_type(const struct nlattr *);
size_t nl_attr_len(const struct nlattr *);
const void *nl_attr_data(const struct nlattr *);
uint8_t nl_attr_get_u8(const struct nlattr *);
uint16_t nl_attr_get_u16(const struct nlattr *);
uint32_t nl_attr_get_u32(const struct nlattr *);
uint64_t nl_attr_get_u64(const struct nlattr *);
const char *nl_attr_get_str(const struct nlattr *);

/*
 * Reply walker, the framing parser under nl_transact and nl_recv_events,
 * public for tests and the fuzz target. Set up with nl_reply_init, then
 * feed it datagrams with nl_reply_parse until `done`.
 */
struct nl_reply {
	/* set by nl_reply_init */
	uint32_t	 seq;		/* sequence of our request */
	uint32_t	 portid;	/* our port; 0 accepts any */
	bool		 events;	/* no seq/port check, no ACK */
	nl_msg_cb	*cb;
	void		*arg;
	/* results */
	bool		 done;		/* ACK, error or DONE seen */
	int		 error;		/* kernel errno (> 0) or 0 */
	bool		 cb_failed;
	int		 cb_errno;
	bool		 dump_intr;	/* NLM_F_DUMP_INTR seen */
	bool		 has_offs;
	uint32_t	 ext_offs;	/* NLMSGERR_ATTR_OFFS */
	char		 ext_msg[NL_EXTACK_MSG_MAX];	/* "" if none */
	unsigned int	 delivered;	/* messages given to cb */
	unsigned int	 ignored;	/* other seq/port, after done */
};

/*
 * Prepare a walker for the replies to request `seq` from port `portid`
 * (events false), or for multicast events (events true: seq and portid
 * unused, control messages skipped).
 */
void nl_reply_init(struct nl_reply *, uint32_t seq, uint32_t portid,
    bool events, nl_msg_cb *cb, void *arg);
/*
 * Walk one datagram of `len` bytes at `buf` (4-byte aligned): check every
 * message header against the datagram, deliver our data messages to cb,
 * record ACK/error/DONE with the extended-ack text (malformed ack TLVs are
 * ignored, the error code is kept). Returns false when the datagram is
 * malformed (a bad message length, trailing bytes, an error message too
 * short for struct nlmsgerr, misaligned buffer); messages before the
 * fault have been delivered.
 */
bool nl_reply_parse(struct nl_reply *, const void *buf, size_t len);

/* Names for logs: netlink bus, and a message type on that bus. */
const char *nl_bus_name(int bus);
const char *nl_msg_type_name(int bus, uint16_t type);

#endif
