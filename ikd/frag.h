/*
 * frag.h - IKEv1 fragmentation as negotiated by the "FRAGMENTATION" vendor
 * ID (Cisco/Microsoft, [MS-IKEE] payload 132; strongSwan "fragmentation").
 *
 * Wire format (verified against strongSwan encoding/message.c
 * create_fragment() and fragment_payload.c): every fragment is a complete
 * ISAKMP datagram with
 *   - the cookies of the original message,
 *   - next payload 132, version 1.0,
 *   - exchange type ID_PROT (2), or AGGRESSIVE (4) on an Aggressive Mode
 *     SA, whatever the exchange of the original (Quick Mode too),
 *   - flags 0 (racoon sets ENC on fragments although they are not
 *     encrypted: on receive the flags are ignored), message ID 0 (on
 *     receive any message ID and exchange type are accepted),
 * followed by one fragment payload: generic header (next 0, reserved,
 * length), fragment ID (2 bytes), fragment number (1 byte, from 1),
 * flags (1 byte, ISAKMP_FRAG_LAST on the last), data. The data of all
 * fragments, concatenated in number order, is the complete original
 * datagram (header included, already encrypted if it was).
 *
 * Sizes: strongSwan's default is a 576-byte IPv4 datagram (1280 IPv6);
 * minus IP (20/40), UDP (8), non-ESP marker on 4500 (4), ISAKMP header
 * (28) and fragment payload header (8) that leaves 512 bytes of data per
 * IPv4 fragment on port 500.
 *
 * How strongSwan 5.9 (charon as IKEv1 initiator, Debian 12) takes our
 * fragments (read in src/libcharon/sa/ikev1/task_manager_v1.c
 * handle_fragment/process_message, encoding/message.c add_fragment_v1,
 * sa/ikev1/tasks/isakmp_vendor.c):
 *   - it reassembles any datagram whose first payload is 132, whether or
 *     not fragmentation was negotiated: `fragmentation=yes|force` and
 *     `charon.fragment_size` only steer what it sends. Nothing else is
 *     needed from us; echoing the VID only tells it that it may fragment
 *     towards us. Its VID is MD5("FRAGMENTATION") + 0x80000000 (20
 *     bytes); it accepts ours bare (16 bytes) or with a suffix that has
 *     bit 0x80000000 set.
 *   - one reassembly per IKE SA: a fragment with another fragment ID
 *     throws away the partial message it held; a number seen before is
 *     ignored; the message is complete when it holds as many fragments
 *     as the number of the one flagged last; at most charon.max_packet
 *     (10000) bytes. So every message needs its own ID, a resent one
 *     may reuse its ID (after completion it is reassembled anew and then
 *     recognised as a retransmission by its hash), and the fragments of
 *     two messages must not interleave.
 *   - the fragments' header: M-ID 0 and exchange ID_PROT (or AGGRESSIVE)
 *     match its message rules; during Main Mode they are taken as the
 *     response it waits for, a fragmented Quick Mode answer goes through
 *     its request path (fragments of ID_PROT are let through once
 *     established) and the reassembled QUICK_MODE message is processed
 *     as a job of its own.
 *
 * Pure module: no sockets, no SA state, time through lib/clock.h.
 */
#ifndef IKD_FRAG_H
#define IKD_FRAG_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ikd/isakmp.h"

/* Fragments per message: numbers 1..FRAG_MAX_FRAGS. */
#define FRAG_MAX_FRAGS		16
/* Largest reassembled message (bytes, header included). */
#define FRAG_MAX_SIZE		65536
/* Partial messages at once, per peer address:port and in all. */
#define FRAG_MAX_PER_PEER	8
#define FRAG_MAX_TOTAL		256
/* A partial message older than this is dropped (ms). */
#define FRAG_TIMEOUT_MS		10000
/* Fragment payload header: generic header + id + number + flags. */
#define FRAG_PAYLOAD_HDR_LEN	8
/* Default IP datagram size for fragmented sends (strongSwan, RFC 791). */
#define FRAG_DEFAULT_MTU_V4	576
#define FRAG_DEFAULT_MTU_V6	1280

/* One parsed fragment datagram: views into the caller's buffer. */
struct frag_msg {
	struct isakmp_hdr hdr;
	struct isakmp_frag frag;
};

/*
 * Parse one datagram (NAT-T marker already stripped) as a fragment:
 * a valid ISAKMP header with next payload 132 and exactly one fragment
 * payload (next 0, length = the rest of the datagram), fragment number
 * 1..FRAG_MAX_FRAGS, non-empty data. m holds views into p. Returns
 * ISAKMP_OK or the reason (ISAKMP_ERR_WRONG_TYPE when the header's next
 * payload is not 132, ISAKMP_ERR_TRAILING / _PAYLOAD_LENGTH for a chain
 * that is not exactly one payload, ISAKMP_ERR_DATA_LENGTH for a number
 * out of range).
 */
enum isakmp_err frag_msg_parse(const uint8_t *p, size_t len,
    struct frag_msg *m);

/* Why a fragment or a partial message was dropped (counters, logs). */
enum frag_drop {
	FRAG_DROP_MALFORMED,	/* frag_msg_parse failed */
	FRAG_DROP_PEER_LIMIT,	/* FRAG_MAX_PER_PEER partial messages */
	FRAG_DROP_TOTAL_LIMIT,	/* FRAG_MAX_TOTAL partial messages */
	FRAG_DROP_TOO_BIG,	/* data would exceed the table's max_size */
	FRAG_DROP_CONFLICT,	/* same number, other data; two last; ... */
	FRAG_DROP_TIMEOUT,	/* not complete within FRAG_TIMEOUT_MS */
	FRAG_DROP_BAD_MESSAGE,	/* reassembled bytes are no ISAKMP message */
	FRAG_DROP_NOMEM,	/* malloc failed */
	FRAG_DROP_COUNT
};

struct frag_stats {
	uint64_t fragments;	/* accepted into a partial message */
	uint64_t duplicates;	/* identical repeats, ignored */
	uint64_t reassembled;	/* complete messages returned */
	uint64_t dropped[FRAG_DROP_COUNT];
};

enum frag_result {
	FRAG_PENDING,		/* stored (or duplicate); nothing to do */
	FRAG_DONE,		/* *out holds a reassembled message */
	FRAG_DROPPED		/* fragment (and maybe its message) dropped */
};

struct frag_table;

/*
 * Empty table whose reassembled messages are at most max_size bytes
 * (clamped to 1..FRAG_MAX_SIZE; ikd passes its own IKD_MSG_MAX, which
 * bounds the table at FRAG_MAX_TOTAL * max_size bytes of data). NULL on
 * allocation failure. Free with frag_table_free.
 */
struct frag_table *frag_table_new(size_t max_size);
/* Free every partial message and the table (NULL is fine). */
void frag_table_free(struct frag_table *t);

/*
 * Feed one datagram whose ISAKMP header says next payload 132, received
 * from peer. Partial messages are keyed by (peer address and port,
 * initiator cookie, fragment ID). Duplicates (same number, same data) are
 * ignored; a conflicting fragment (same number and other data, a second
 * "last" with another number, a number above the last, another responder
 * cookie) drops the whole message. Timed-out partial messages are dropped
 * first. On FRAG_DONE *out is a malloc'd copy of the reassembled message
 * (the caller frees it) of *outlen <= max_size bytes; it passed
 * isakmp_hdr_parse, has the fragments' cookies and its next payload is
 * not 132. Every drop is counted and logged once with the peer and the
 * cookies (malformed datagrams: rate limited, they have no message).
 */
enum frag_result frag_recv(struct frag_table *t,
    const struct sockaddr_storage *peer, const uint8_t *p, size_t len,
    uint8_t **out, size_t *outlen);

/* Drop the partial messages older than FRAG_TIMEOUT_MS (for a timer). */
void frag_expire(struct frag_table *t);
/*
 * Milliseconds until the oldest partial message times out into *ms (0 if
 * it already has): when a frag_expire() timer should fire. False (and *ms
 * untouched) when the table holds none: no timer is needed.
 */
bool frag_next_expiry(const struct frag_table *t, uint64_t *ms);
/*
 * Largest data length of one fragment of the message the last FRAG_DONE
 * returned (0 before the first): how large the peer's fragments are.
 */
size_t frag_last_max_data(const struct frag_table *t);
/* Partial messages held now. */
size_t frag_pending(const struct frag_table *t);
/* Counters since frag_table_new. */
const struct frag_stats *frag_table_stats(const struct frag_table *t);
const char *frag_drop_name(enum frag_drop d);
/* Short name of a drop reason for counter keys ("peer-limit"). */
const char *frag_drop_key(enum frag_drop d);

/*
 * Largest ISAKMP datagram (header included) that fits an IP datagram of
 * mtu bytes: minus the IP header (20, IPv6 40), UDP (8) and the non-ESP
 * marker when natt (port 4500). 0 if mtu is too small for a fragment
 * with one byte of data.
 */
size_t frag_dgram_max(size_t mtu, bool ipv6, bool natt);

/*
 * Split msg[0..len) (a complete ISAKMP datagram, header first) into
 * fragments of at most dgram_max bytes each, with fragment ID id and
 * exchange type `exchange` (ISAKMP_EXCH_IDPROT or _AGGRESSIVE), written
 * back to back into buf[0..cap). Fragment i is buf[off[i]..off[i + 1]),
 * *n fragments (off needs FRAG_MAX_FRAGS + 1 entries). Returns false,
 * writing nothing useful, if msg has no valid header, would need more
 * than FRAG_MAX_FRAGS fragments, or buf is too small. A message that
 * already fits is still split (into one fragment): whether to fragment
 * is the caller's choice (frag_needed()).
 */
bool frag_split(const uint8_t *msg, size_t len, uint16_t id,
    uint8_t exchange, size_t dgram_max, uint8_t *buf, size_t cap,
    size_t off[FRAG_MAX_FRAGS + 1], size_t *n);

/*
 * Whether a message of len bytes should go out fragmented: the peer
 * announced the FRAGMENTATION vendor ID and len exceeds dgram_max.
 */
bool frag_needed(bool peer_vid, size_t len, size_t dgram_max);

#endif
