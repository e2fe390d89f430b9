/*
 * reliable.h - RFC 2661 5.8 reliable delivery of the control messages of
 * one control connection (tunnel), independent of the AVP codec.
 *
 * The owner (the tunnel) hands in outgoing message bodies (AVP bytes) and
 * the (Ns, Nr, ZLB) of every received control message whose header it
 * parsed. This module:
 *  - assigns Ns when a message is first transmitted and piggybacks the
 *    current Nr on every message it sends (retransmissions carry the
 *    updated Nr, as RFC 3931 4.2 spells out for the same mechanism);
 *  - keeps at most peer_rws messages unacknowledged (the peer's Receive
 *    Window Size, RFC 2661 5.8: 4 when the peer sent none); the rest wait
 *    in a FIFO bounded by max_queue (send fails when full);
 *  - retransmits every unacknowledged message when the retransmission
 *    timer expires, with a delay of rto_initial doubled after each
 *    timeout and capped at rto_max; after max_retries retransmissions
 *    without progress the next timeout declares the peer dead. Any
 *    acknowledgement that advances restarts the backoff;
 *  - acknowledges: a received message that is not answered by a message
 *    of ours before ack_delay_ms elapsed gets a ZLB ACK (RFC 2661 5.8).
 *    The default ack_delay_ms is 0: the ZLB leaves on the next loop turn,
 *    after the owner processed the datagram and had its chance to send a
 *    reply that carries the ack. Android's mtpd waits for this ACK after
 *    SCCCN and after ICCN before going on, so any delay would add to its
 *    connection setup (research/windows-client.md 6.2, 4.4);
 *  - re-acknowledges duplicates (Ns already received) with a ZLB at once;
 *  - queues messages that arrive out of order if they fall inside our
 *    announced window (Ns - expected < our_rws) and drops the rest
 *    silently (RFC 2661 5.8 allows either; the peer retransmits);
 *  - hands up in-order messages through l2tp_rel_pop();
 *  - does 16-bit serial arithmetic everywhere, so Ns/Nr wrap at 65535.
 *
 * Time: every function reads clock_mono_ms() (lib/clock.h, mockable).
 * l2tp_rel_deadline()/l2tp_rel_tick() are the pure "what to do at time t"
 * half; with an event_base the module arms its own lib/ev.h timer to the
 * deadline and calls tick itself, calling dead_cb on give-up. Tests pass
 * no base, move the mock clock and call tick.
 *
 * XXX RFC 2661 Appendix A slow start / congestion avoidance is not
 * implemented: the window is the peer's RWS from the start.
 */
#ifndef L2TPD_RELIABLE_H
#define L2TPD_RELIABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct l2tp_conf;
struct l2tp_rel;

/* RFC 2661 5.8: the window to assume when the peer sent no RWS AVP. */
#define L2TP_REL_DEFAULT_RWS	4
/* Peer windows above this are clamped (bounds memory and serial maths). */
#define L2TP_REL_MAX_PEER_RWS	1024
/* Our announced window can be at most this (l2tp.receive_window 1..64). */
#define L2TP_REL_MAX_OUR_RWS	64

struct l2tp_rel_params {
	uint64_t	 rto_initial_ms;	/* l2tp.retransmit_initial */
	uint64_t	 rto_max_ms;		/* l2tp.retransmit_max */
	unsigned int	 max_retries;		/* l2tp.retransmit_count */
	uint64_t	 ack_delay_ms;		/* ZLB ACK delay, see above */
	uint16_t	 our_rws;		/* l2tp.receive_window */
	size_t		 max_queue;		/* unacked + waiting messages */
};

/*
 * Parameters from the config's l2tp section: retransmit_initial,
 * retransmit_max, retransmit_count, receive_window; ack_delay_ms 0 (see
 * above); max_queue 8 + 2 * max_sessions_per_tunnel (a session has at
 * most two control messages of ours outstanding, ICRP and CDN; the tunnel
 * its SCCRP, Hello and StopCCN).
 */
void		 l2tp_rel_params_from_conf(struct l2tp_rel_params *,
		    const struct l2tp_conf *);

/*
 * Called for every packet to put on the wire (full control message,
 * header included); pkt is valid only during the call. Must not call back
 * into this module.
 */
typedef void l2tp_rel_send_cb(void *arg, const uint8_t *pkt, size_t len);
/*
 * Called (only with an event_base) when the peer is declared dead. The
 * callee may free the l2tp_rel (and its owner).
 */
typedef void l2tp_rel_dead_cb(void *arg);

/* Result of feeding a received control message to l2tp_rel_input(). */
enum l2tp_rel_in {
	L2TP_REL_IN_DELIVER,	/* in order: l2tp_rel_pop() has it */
	L2TP_REL_IN_ZLB,	/* ZLB: only its Nr counted */
	L2TP_REL_IN_QUEUED,	/* ahead of a gap, kept for later */
	L2TP_REL_IN_DUPLICATE,	/* already received: re-acked */
	L2TP_REL_IN_DROPPED,	/* outside our window, or no room */
	L2TP_REL_IN_DEAD	/* connection already given up */
};

enum l2tp_rel_tick {
	L2TP_REL_TICK_OK,
	L2TP_REL_TICK_DEAD	/* retries exhausted: tear down */
};

/* An in-order message handed up; body is owned by the caller (free()). */
struct l2tp_rel_msg {
	uint16_t	 ns;
	uint8_t		*body;
	size_t		 len;
};

/* Counters for logs and tests. */
struct l2tp_rel_stats {
	uint64_t	 sent;		/* first transmissions */
	uint64_t	 retransmitted;	/* packets */
	uint64_t	 zlb_sent;
	uint64_t	 delivered;
	uint64_t	 duplicates;
	uint64_t	 queued;	/* out-of-order kept */
	uint64_t	 dropped;	/* out of window / no room */
	uint64_t	 bad_nr;	/* Nr outside what we sent: ignored */
};

/*
 * New connection state: Ns = Nr = 0, peer window L2TP_REL_DEFAULT_RWS,
 * peer tunnel id 0. params are copied (rto_initial_ms >= 1, rto_max_ms >=
 * rto_initial_ms, our_rws 1..L2TP_REL_MAX_OUR_RWS, max_queue >= 1, else
 * NULL). base may be NULL (no timer: the caller calls l2tp_rel_tick());
 * dead_cb is used only with a base. tag (copied) prefixes log lines.
 * Returns NULL (logged) on bad params or allocation failure.
 */
struct l2tp_rel	*l2tp_rel_new(const struct l2tp_rel_params *params,
		    struct event_base *base, l2tp_rel_send_cb *send_cb,
		    l2tp_rel_dead_cb *dead_cb, void *arg, const char *tag);
/* Free everything, queued messages included. NULL is a no-op. */
void		 l2tp_rel_free(struct l2tp_rel *);

/* The peer's Assigned Tunnel ID: written into every header from now on. */
void		 l2tp_rel_set_peer_tunnel(struct l2tp_rel *, uint16_t tid);
/*
 * The peer's Receive Window Size AVP. 0 is not a valid window (RFC 2661
 * 4.4.3 Receive Window Size is 1..65535): treated as 1. Values above
 * L2TP_REL_MAX_PEER_RWS are clamped. Messages may go out at once if the
 * window grew.
 */
void		 l2tp_rel_set_peer_rws(struct l2tp_rel *, uint16_t rws);

/*
 * Queue a control message: body (len bytes of AVPs, copied) with header
 * Session ID session_id. It is sent now if the peer window has room,
 * later otherwise. Returns 0, or -1 if the queue is full (max_queue), the
 * body is empty (that is a ZLB, which is never acknowledged) or too long,
 * the connection is dead, or allocation failed.
 */
int		 l2tp_rel_send(struct l2tp_rel *, uint16_t session_id,
		    const void *body, size_t len);

/*
 * A received control message (header already parsed and its tunnel
 * matched): its Ns and Nr, whether it is a ZLB (no AVPs), and its body
 * (copied if kept). The Nr is processed first whatever the Ns is.
 */
enum l2tp_rel_in l2tp_rel_input(struct l2tp_rel *, uint16_t ns, uint16_t nr,
		    bool zlb, const void *body, size_t len);

/*
 * Take the next in-order message into *out (ownership of out->body moves
 * to the caller). Returns false when none is ready. Call until false after
 * each l2tp_rel_input(); unpopped messages use our receive window.
 */
bool		 l2tp_rel_pop(struct l2tp_rel *, struct l2tp_rel_msg *out);

/*
 * When l2tp_rel_tick() next has something to do (clock_mono_ms() time),
 * UINT64_MAX if nothing is pending.
 */
uint64_t	 l2tp_rel_deadline(const struct l2tp_rel *);
/*
 * Do what is due at clock_mono_ms(): send a pending ZLB ACK, retransmit,
 * or give up. Returns L2TP_REL_TICK_DEAD when the peer is (now or
 * already) dead.
 */
enum l2tp_rel_tick l2tp_rel_tick(struct l2tp_rel *);

/* Nothing unacknowledged and nothing waiting to be sent. */
bool		 l2tp_rel_idle(const struct l2tp_rel *);
/* Retries exhausted. */
bool		 l2tp_rel_dead(const struct l2tp_rel *);
/* Next Ns we will send / next Ns we expect from the peer (our Nr). */
uint16_t	 l2tp_rel_next_ns(const struct l2tp_rel *);
uint16_t	 l2tp_rel_next_nr(const struct l2tp_rel *);
/* Messages sent but not acknowledged / waiting for window room. */
size_t		 l2tp_rel_inflight(const struct l2tp_rel *);
size_t		 l2tp_rel_waiting(const struct l2tp_rel *);
const struct l2tp_rel_stats *l2tp_rel_stats(const struct l2tp_rel *);

/* Names for logs. */
const char	*l2tp_rel_in_name(enum l2tp_rel_in);

#endif
