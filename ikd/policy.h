/*
 * policy.h - the auto-generated L2TP server policy: UDP to and from the
 * L2TP port travels inside transport-mode ESP or not at all.
 *
 * What the kernel needs, by direction (transport mode, net/xfrm/):
 *
 *   Input. ESP packets are decrypted whatever the policies say: the SA is
 *   found from (destination, SPI) in the ESP header. The IN policy is only
 *   a filter, checked when the decrypted (or cleartext) packet reaches
 *   its transport protocol (udp_queue_rcv_one_skb -> xfrm4_policy_check):
 *   every non-optional template must have been matched by an SA that
 *   processed the packet (xfrm_policy_ok/xfrm_state_ok: ESP, transport,
 *   our reqid), else the packet is dropped (XfrmInTmplMismatch) before
 *   any socket sees it. IN policies apply to packets for local addresses
 *   only (forwarded ones use FWD), so the destination adds nothing: we
 *   install ONE per family,
 *       in:  src any, sport any -> dst any, UDP dport 1701,
 *            tmpl ESP transport reqid XFRM_REQID_L2TP, required,
 *   which covers every local address, including ones that appear before
 *   their address event is handled, link-local and broadcast ones. There
 *   is no window in which a cleartext UDP/1701 packet can reach the L2TP
 *   daemon's wildcard socket.
 *
 *   Output. The OUT policy is what makes the kernel encrypt: the route
 *   lookup of every locally sent packet looks for a matching OUT policy
 *   (xfrm_lookup), resolves its template to the SA for (source,
 *   destination, ESP, transport, reqid, SA selector) and, when there is
 *   none, asks the key manager (ACQUIRE) and drops the packet (with
 *   net.core.xfrm_larval_drop = 1, the default): a reply from the L2TP
 *   port never leaves in cleartext. We install one per local address,
 *       out: src <addr>/32 or /128, UDP sport 1701 -> dst any, dport any,
 *            tmpl ESP transport reqid XFRM_REQID_L2TP, required,
 *   "me to any": the daemon's socket is bound to the L2TP port, so all
 *   its packets match whatever port the peer used (clients that dial from
 *   an ephemeral port included), and nothing else this host sends does.
 *   FWD: none (transport mode, nothing is forwarded).
 *
 * Addresses: every local address gets its OUT policy, except loopback
 * ones (127.0.0.0/8, ::1): the loopback device has disable_xfrm and
 * disable_policy set (net/ipv4/devinet.c, net/ipv6/addrconf.c), so the
 * kernel would never consult them. IPv6 link-local addresses are kept
 * (harmless, and a peer reaching us there stays covered). An address on
 * several interfaces has one policy, removed with its last instance. The
 * list follows RTM_NEWADDR/RTM_DELADDR events (RTMGRP_IPV4_IFADDR,
 * RTMGRP_IPV6_IFADDR) and is rebuilt from an RTM_GETADDR dump when the
 * kernel reports lost events.
 *
 * Caveat: an interface with net.ipv4.conf.<if>.disable_policy = 1 (or
 * the IPv6 one) skips IN policy checks; that is an administrator's
 * explicit choice and not overridden here.
 *
 * Lifetime: policy_mgr_new first removes every policy carrying ikd's tag
 * (left by a crashed earlier run), policy_mgr_free removes every policy
 * it installed: a restart leaves no orphan state.
 */
#ifndef IKD_POLICY_H
#define IKD_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xfrm.h"

struct event_base;
struct nlmsghdr;

/* RFC 2661 8.1: L2TP uses UDP port 1701. */
#define POLICY_L2TP_PORT	1701
/*
 * Priority of our policies; lower values win. An administrator's more
 * specific policies with the iproute2 default (0) take precedence.
 */
#define POLICY_PRIORITY_DEFAULT	4096

struct policy_mgr_opts {
	uint16_t	 l2tp_port;	/* 0: POLICY_L2TP_PORT */
	uint32_t	 priority;	/* 0: POLICY_PRIORITY_DEFAULT */
};

struct policy_mgr;

/*
 * Remove stale policies of ours, install the inbound policies and the
 * outbound one of every current local address, and follow address
 * changes on `base`. be (borrowed, must outlive the manager) does the
 * writes; opts may be NULL for the defaults. Call once at start, before
 * anything else installs policies. Returns NULL (logged) if the dump,
 * the subscription or an inbound policy failed (what was installed is
 * removed again); an outbound policy that fails is logged and listed as
 * not installed. IPv6 inbound is skipped when the kernel has no IPv6.
 */
struct policy_mgr *policy_mgr_new(struct event_base *base,
    struct xfrm_backend *be, const struct policy_mgr_opts *opts);
/*
 * Remove every policy installed (ones already gone are fine), stop
 * following addresses, free. NULL is a no-op.
 */
void policy_mgr_free(struct policy_mgr *);

/*
 * Call cb for each policy the manager wants (the inbound ones first),
 * with whether it is installed, for the control socket. cb must not
 * change the manager.
 */
typedef void policy_mgr_cb(const struct xfrm_policy_req *, bool installed,
    void *arg);
void policy_mgr_foreach(const struct policy_mgr *, policy_mgr_cb *cb,
    void *arg);
/* Number of policies installed. */
size_t policy_mgr_count(const struct policy_mgr *);

/*
 * Re-read the addresses (RTM_GETADDR dump) and add or remove outbound
 * policies to match. Done on lost events; public for the control socket
 * and tests. 0, or -1 (logged) if the dump failed (nothing removed).
 */
int policy_mgr_resync(struct policy_mgr *);

/*
 * Handle one rtnetlink message (RTM_NEWADDR, RTM_DELADDR; others are
 * ignored), as read from the event socket. Public for tests and the fuzz
 * target. Returns 0, or -1 if the message is malformed (logged at debug).
 */
int policy_mgr_handle_msg(struct policy_mgr *, const struct nlmsghdr *nlh);

/* True if `addr` gets an outbound policy (not loopback). */
bool policy_addr_usable(uint16_t family, const union xfrm_ipaddr *addr);

#endif
