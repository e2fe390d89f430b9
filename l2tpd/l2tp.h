/*
 * l2tp.h - L2TP version 2 wire codec (RFC 2661): header of control and
 * data messages, the AVP chain with every RFC 2661 4.4 AVP, hidden AVPs
 * (4.3), the per-message table of mandatory and optional AVPs (section 6)
 * and builders. Pure parse/build over lib/buf: no state, no sockets, no
 * timers, no policy (ids, windows and result codes are the caller's).
 *
 * Parsing order (STYLE 5): l2tp_hdr_parse() on the UDP payload; for a
 * control message l2tp_msg_parse() then walks the AVPs (Message Type
 * first), decodes the typed values into struct l2tp_values, unhides
 * hidden AVPs with the tunnel secret and checks the message table.
 * Parsed structures hold views into the caller's datagram, except hidden
 * plaintext which lives in the message's own buffer (wipe it with
 * l2tp_msg_wipe() once done, after a failed parse too: it may carry
 * proxy authentication data).
 *
 * Every parser returns L2TP_OK or a reason code and, in the message, a
 * one-line reason naming the AVP and its offset in the datagram for the
 * caller to log with its tunnel/session tag. L2TP_ERR_UNKNOWN_MANDATORY
 * and L2TP_ERR_UNKNOWN_MSG_MANDATORY are the RFC 2661 4.1/3.2 cases in
 * which the tunnel (or the session, l2tp_msg_scope()) must be torn down.
 */
#ifndef L2TPD_L2TP_H
#define L2TPD_L2TP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

/* RFC 2661 3.1: first 16 bits of the header */
#define L2TP_HDR_T		0x8000
#define L2TP_HDR_L		0x4000
#define L2TP_HDR_S		0x0800
#define L2TP_HDR_O		0x0200
#define L2TP_HDR_P		0x0100
#define L2TP_HDR_VER_MASK	0x000f
/* the x bits: MUST be 0 on send, ignored on receipt */
#define L2TP_HDR_RESERVED	0x34f0

#define L2TP_VERSION		2
#define L2TP_VERSION_L2F	1	/* RFC 2341 */
#define L2TP_VERSION_3		3	/* RFC 3931 */

/* T L S + length, ids, Ns, Nr: every control message */
#define L2TP_CTRL_HDR_LEN	12
/* the smallest data message header: flags/version, tunnel, session */
#define L2TP_DATA_HDR_MIN	6
#define L2TP_MAX_MSG		65535

/* RFC 2661 4.1: M, H, 4 reserved bits, 10-bit length */
#define L2TP_AVP_HDR_LEN	6
#define L2TP_AVP_M		0x8000
#define L2TP_AVP_H		0x4000
#define L2TP_AVP_RESERVED	0x3c00
#define L2TP_AVP_LEN_MASK	0x03ff
#define L2TP_AVP_MAX_LEN	1023
#define L2TP_AVP_MAX_VALUE	(L2TP_AVP_MAX_LEN - L2TP_AVP_HDR_LEN)

#define L2TP_VENDOR_IETF	0
#define L2TP_VENDOR_MICROSOFT	311
#define L2TP_VENDOR_CISCO	9

/* AVPs kept per message; a message with more is malformed */
#define L2TP_MAX_AVPS		64
/* unknown non-mandatory AVPs remembered (all are counted) */
#define L2TP_MAX_SKIPPED	8
/* room for the plaintext of every hidden AVP of one message */
#define L2TP_PLAIN_MAX		4096
#define L2TP_REASON_LEN		160

/* RFC 2661 3.2: control message types */
enum l2tp_msg_type {
	L2TP_MSG_ZLB = 0,	/* not on the wire: no Message Type AVP */
	L2TP_MSG_SCCRQ = 1,
	L2TP_MSG_SCCRP = 2,
	L2TP_MSG_SCCCN = 3,
	L2TP_MSG_STOPCCN = 4,
	L2TP_MSG_HELLO = 6,
	L2TP_MSG_OCRQ = 7,
	L2TP_MSG_OCRP = 8,
	L2TP_MSG_OCCN = 9,
	L2TP_MSG_ICRQ = 10,
	L2TP_MSG_ICRP = 11,
	L2TP_MSG_ICCN = 12,
	L2TP_MSG_CDN = 14,
	L2TP_MSG_WEN = 15,
	L2TP_MSG_SLI = 16
};
#define L2TP_MSG_MAX		16

/* RFC 2661 4.4: IETF AVP types (vendor 0) */
enum l2tp_avp_type {
	L2TP_AVP_MESSAGE_TYPE = 0,
	L2TP_AVP_RESULT_CODE = 1,
	L2TP_AVP_PROTOCOL_VERSION = 2,
	L2TP_AVP_FRAMING_CAP = 3,
	L2TP_AVP_BEARER_CAP = 4,
	L2TP_AVP_TIE_BREAKER = 5,
	L2TP_AVP_FIRMWARE_REV = 6,
	L2TP_AVP_HOST_NAME = 7,
	L2TP_AVP_VENDOR_NAME = 8,
	L2TP_AVP_ASSIGNED_TUNNEL_ID = 9,
	L2TP_AVP_RECV_WINDOW_SIZE = 10,
	L2TP_AVP_CHALLENGE = 11,
	L2TP_AVP_Q931_CAUSE = 12,
	L2TP_AVP_CHALLENGE_RESPONSE = 13,
	L2TP_AVP_ASSIGNED_SESSION_ID = 14,
	L2TP_AVP_CALL_SERIAL = 15,
	L2TP_AVP_MIN_BPS = 16,
	L2TP_AVP_MAX_BPS = 17,
	L2TP_AVP_BEARER_TYPE = 18,
	L2TP_AVP_FRAMING_TYPE = 19,
	/* 20: reserved */
	L2TP_AVP_CALLED_NUMBER = 21,
	L2TP_AVP_CALLING_NUMBER = 22,
	L2TP_AVP_SUB_ADDRESS = 23,
	L2TP_AVP_TX_CONNECT_SPEED = 24,
	L2TP_AVP_PHYS_CHANNEL_ID = 25,
	L2TP_AVP_INITIAL_RCVD_LCP = 26,
	L2TP_AVP_LAST_SENT_LCP = 27,
	L2TP_AVP_LAST_RCVD_LCP = 28,
	L2TP_AVP_PROXY_AUTHEN_TYPE = 29,
	L2TP_AVP_PROXY_AUTHEN_NAME = 30,
	L2TP_AVP_PROXY_AUTHEN_CHALLENGE = 31,
	L2TP_AVP_PROXY_AUTHEN_ID = 32,
	L2TP_AVP_PROXY_AUTHEN_RESPONSE = 33,
	L2TP_AVP_CALL_ERRORS = 34,
	L2TP_AVP_ACCM = 35,
	L2TP_AVP_RANDOM_VECTOR = 36,
	L2TP_AVP_PRIVATE_GROUP_ID = 37,
	L2TP_AVP_RX_CONNECT_SPEED = 38,
	L2TP_AVP_SEQUENCING_REQUIRED = 39
};
#define L2TP_AVP_MAX		39
#define L2TP_BIT(t)		((uint64_t)1 << (t))

/* RFC 2661 4.4.2: Framing/Bearer Capabilities and Types */
#define L2TP_FRAMING_SYNC	0x1
#define L2TP_FRAMING_ASYNC	0x2
#define L2TP_BEARER_DIGITAL	0x1
#define L2TP_BEARER_ANALOG	0x2

/* RFC 2661 4.4.2: StopCCN result codes */
enum l2tp_stopccn_result {
	L2TP_STOPCCN_GENERAL = 1,
	L2TP_STOPCCN_GENERAL_ERROR = 2,
	L2TP_STOPCCN_ALREADY_EXISTS = 3,
	L2TP_STOPCCN_NOT_AUTHORIZED = 4,
	L2TP_STOPCCN_BAD_VERSION = 5,
	L2TP_STOPCCN_SHUTTING_DOWN = 6,
	L2TP_STOPCCN_FSM_ERROR = 7
};

/* RFC 2661 4.4.2: CDN result codes */
enum l2tp_cdn_result {
	L2TP_CDN_LOST_CARRIER = 1,
	L2TP_CDN_GENERAL_ERROR = 2,
	L2TP_CDN_ADMIN = 3,
	L2TP_CDN_NO_RESOURCES_TEMP = 4,
	L2TP_CDN_NO_RESOURCES_PERM = 5,
	L2TP_CDN_INVALID_DEST = 6,
	L2TP_CDN_NO_CARRIER = 7,
	L2TP_CDN_BUSY = 8,
	L2TP_CDN_NO_DIAL_TONE = 9,
	L2TP_CDN_TIMEOUT = 10,
	L2TP_CDN_NO_FRAMING = 11
};

/* RFC 2661 4.4.2: General Error Codes */
enum l2tp_error_code {
	L2TP_ERROR_NONE = 0,
	L2TP_ERROR_NO_CONTROL = 1,
	L2TP_ERROR_BAD_LENGTH = 2,
	L2TP_ERROR_BAD_VALUE = 3,
	L2TP_ERROR_NO_RESOURCES = 4,
	L2TP_ERROR_BAD_SESSION_ID = 5,
	L2TP_ERROR_VENDOR = 6,
	L2TP_ERROR_TRY_ANOTHER = 7,
	L2TP_ERROR_UNKNOWN_MANDATORY = 8
};

/* RFC 2661 4.4.5: Proxy Authen Type */
enum l2tp_proxy_authen {
	L2TP_PROXY_AUTHEN_TEXT = 1,
	L2TP_PROXY_AUTHEN_CHAP = 2,
	L2TP_PROXY_AUTHEN_PAP = 3,
	L2TP_PROXY_AUTHEN_NONE = 4,
	L2TP_PROXY_AUTHEN_MSCHAPV1 = 5
};

enum l2tp_err {
	L2TP_OK = 0,
	L2TP_ERR_TRUNCATED,		/* shorter than its header */
	L2TP_ERR_VERSION,		/* neither 2 nor a known other */
	L2TP_ERR_VERSION_L2F,		/* version 1: L2F, RFC 2341 */
	L2TP_ERR_VERSION_3,		/* version 3: RFC 3931 */
	L2TP_ERR_LENGTH,		/* Length field vs datagram */
	L2TP_ERR_CTRL_BITS,		/* control without L/S, or with O/P */
	L2TP_ERR_OFFSET,		/* offset pad past the message */
	L2TP_ERR_DATA_MSG,		/* l2tp_msg_parse on a data message */
	L2TP_ERR_AVP_LENGTH,		/* AVP length field */
	L2TP_ERR_AVP_VALUE,		/* value size or content for its type */
	L2TP_ERR_FIRST_NOT_MSG_TYPE,	/* RFC 2661 4.1 */
	L2TP_ERR_DUPLICATE,		/* the same AVP twice */
	L2TP_ERR_TOO_MANY,		/* more than L2TP_MAX_AVPS */
	L2TP_ERR_HIDDEN,		/* no secret, no Random Vector, bad */
	L2TP_ERR_UNKNOWN_MANDATORY,	/* unknown AVP with M=1: tear down */
	L2TP_ERR_UNKNOWN_MSG,		/* unknown Message Type, M=0: ignore */
	L2TP_ERR_UNKNOWN_MSG_MANDATORY,	/* unknown Message Type, M=1 */
	L2TP_ERR_MISSING_AVP,		/* mandatory AVP of the message type */
	L2TP_ERR_BUILD			/* builder: no room or bad arguments */
};

/* What an L2TP_ERR_UNKNOWN_MANDATORY tears down (RFC 2661 4.1). */
enum l2tp_scope {
	L2TP_SCOPE_TUNNEL,
	L2TP_SCOPE_SESSION
};

/* RFC 2661 3.1: the header of a control or data message */
struct l2tp_hdr {
	uint16_t flags;		/* first 16 bits as sent */
	bool control;		/* T */
	bool has_length;	/* L */
	bool has_seq;		/* S */
	bool has_offset;	/* O */
	bool priority;		/* P */
	uint8_t version;
	uint16_t length;	/* the Length field, or the datagram length */
	uint16_t tunnel_id;
	uint16_t session_id;
	uint16_t ns, nr;	/* if has_seq */
	uint16_t offset_size;	/* if has_offset */
	size_t hdr_len;		/* bytes before the payload */
	size_t trailing;	/* datagram bytes after Length (ignored) */
	struct rbuf payload;	/* the AVPs, or the PPP frame */
};

/* One AVP as found in the message. */
struct l2tp_avp {
	uint16_t vendor;
	uint16_t type;
	bool mandatory;		/* M */
	bool hidden;		/* H */
	bool known;		/* an RFC 2661 AVP we decode */
	uint16_t length;	/* AVP length field (header included) */
	size_t offset;		/* in the datagram */
	const uint8_t *value;	/* plaintext (msg->plain if hidden) */
	size_t len;
};

/* A variable-length value: a view into the datagram or plain buffer. */
struct l2tp_bytes {
	const uint8_t *p;
	size_t len;
};

/* RFC 2661 4.4.2: Result Code */
struct l2tp_result {
	uint16_t code;
	bool has_error;		/* the AVP carries an error code */
	uint16_t error;
	struct l2tp_bytes message;	/* optional text, not terminated */
	/* Apple wrote code (and error) in host byte order; we swapped */
	bool swapped;
};

/* RFC 2661 4.4.3: Q.931 Cause Code */
struct l2tp_q931 {
	uint16_t cause;
	uint8_t msg;
	struct l2tp_bytes advisory;
};

/* RFC 2661 4.4.6: Call Errors */
struct l2tp_call_errors {
	uint32_t crc, framing, hw_overruns, buf_overruns, timeouts,
	    alignment;
};

/* RFC 2661 4.4.6: ACCM */
struct l2tp_accm {
	uint32_t send, recv;
};

/*
 * The typed values of a control message: the output of the parser and
 * the input of the builder. present has L2TP_BIT(type) for each AVP;
 * hidden has the bit for each AVP that was (or is to be) hidden.
 */
struct l2tp_values {
	uint64_t present;
	uint64_t hidden;
	struct l2tp_result result;
	uint8_t proto_ver, proto_rev;	/* 1, 0 */
	uint32_t framing_cap;
	uint32_t bearer_cap;
	uint8_t tie_breaker[8];
	uint16_t firmware_rev;
	struct l2tp_bytes host_name;	/* without Apple's trailing NUL */
	bool host_name_nul;		/* it had one */
	struct l2tp_bytes vendor_name;
	uint16_t tunnel_id;		/* Assigned Tunnel ID */
	uint16_t rws;
	struct l2tp_bytes challenge;
	uint8_t challenge_response[16];
	struct l2tp_q931 q931;
	uint16_t session_id;		/* Assigned Session ID */
	uint32_t call_serial;
	uint32_t min_bps, max_bps;
	uint32_t bearer_type;
	uint32_t framing_type;
	struct l2tp_bytes called_number;
	struct l2tp_bytes calling_number;
	struct l2tp_bytes sub_address;
	uint32_t tx_speed;
	uint32_t phys_channel;
	struct l2tp_bytes initial_rcvd_lcp;
	struct l2tp_bytes last_sent_lcp;
	struct l2tp_bytes last_rcvd_lcp;
	uint16_t proxy_authen_type;
	struct l2tp_bytes proxy_authen_name;
	struct l2tp_bytes proxy_authen_challenge;
	uint8_t proxy_authen_id;
	struct l2tp_bytes proxy_authen_response;
	struct l2tp_call_errors call_errors;
	struct l2tp_accm accm;
	struct l2tp_bytes random_vector;	/* the last one */
	struct l2tp_bytes private_group;
	uint32_t rx_speed;
	/* Sequencing Required has no value: its present bit says it */
};

/* An unknown AVP without M that the parser skipped (RFC 2661 4.1). */
struct l2tp_skipped {
	uint16_t vendor;
	uint16_t type;
	size_t offset;
};

/* A parsed control message (or a data message's header). */
struct l2tp_msg {
	struct l2tp_hdr hdr;
	uint16_t type;		/* L2TP_MSG_*, L2TP_MSG_ZLB if no AVPs */
	bool zlb;
	struct l2tp_values v;
	size_t navp;
	struct l2tp_avp avp[L2TP_MAX_AVPS];
	/* known AVPs that RFC 2661 6 does not list for this type (kept) */
	uint64_t unexpected;
	size_t nskipped;	/* all of them; the first are listed */
	struct l2tp_skipped skipped[L2TP_MAX_SKIPPED];
	/* L2TP_ERR_UNKNOWN_MANDATORY: which AVP */
	uint16_t bad_vendor, bad_type;
	uint8_t plain[L2TP_PLAIN_MAX];
	size_t plain_len;
	char reason[L2TP_REASON_LEN];
};

/* Tunnel secret and Random Vector for hiding AVPs in a builder. */
struct l2tp_hide {
	const uint8_t *secret;
	size_t secret_len;
	const uint8_t *rv;	/* written as a Random Vector AVP */
	size_t rv_len;
};

/*
 * Parse the header of the datagram p[0..len) (the UDP payload). On
 * L2TP_OK h->payload is the AVP chain or PPP frame (a view into p). On
 * failure reason (if not NULL) gets a one-line explanation.
 */
enum l2tp_err l2tp_hdr_parse(const uint8_t *p, size_t len,
    struct l2tp_hdr *h, char *reason, size_t reasonlen);

/*
 * Parse a whole control message: header, AVPs, hidden AVPs (secret may
 * be NULL when the tunnel has none: a hidden AVP is then an error), the
 * RFC 2661 6 table of the message type. m is overwritten; its views
 * point into p (which must outlive m) or into m->plain. Returns L2TP_OK
 * with m->zlb set for a ZLB. A data message gives L2TP_ERR_DATA_MSG
 * (with m->hdr filled). On failure m->reason names the AVP and offset;
 * for L2TP_ERR_UNKNOWN_MANDATORY m->bad_vendor/bad_type name it.
 */
enum l2tp_err l2tp_msg_parse(const uint8_t *p, size_t len,
    const uint8_t *secret, size_t secret_len, struct l2tp_msg *m);

/* Wipe the hidden plaintext (and its views) of a parsed message. */
void l2tp_msg_wipe(struct l2tp_msg *m);

/* Whether an unknown mandatory AVP in a message of this type ends the
 * session or the whole tunnel (RFC 2661 4.1). */
enum l2tp_scope l2tp_msg_scope(uint16_t type);

/*
 * RFC 2661 6: the AVPs a message type must carry and may carry (as
 * L2TP_BIT masks; Message Type and Random Vector are implied). False for
 * a type that is not defined.
 */
bool l2tp_msg_avps(uint16_t type, uint64_t *must, uint64_t *may);

/*
 * Hide or unhide an AVP value (RFC 2661 4.3). l2tp_hidden_encode writes
 * the 2-byte original length, the value and zero padding up to a
 * multiple of 16 (pad may be 0..15 bytes more), XORed with the MD5
 * stream of (type, secret, rv), into out[0..outcap) and sets *outlen.
 * l2tp_hidden_decode reverses it into out and sets *outlen to the
 * original length. Both return false on a length that does not fit.
 */
bool l2tp_hidden_encode(uint16_t type, const uint8_t *secret,
    size_t secret_len, const uint8_t *rv, size_t rv_len,
    const uint8_t *value, size_t len, uint8_t *out, size_t outcap,
    size_t *outlen);
bool l2tp_hidden_decode(uint16_t type, const uint8_t *secret,
    size_t secret_len, const uint8_t *rv, size_t rv_len,
    const uint8_t *hidden, size_t hlen, uint8_t *out, size_t outcap,
    size_t *outlen);

/*
 * Build a control message into w: header (T, L, S set; the Length is
 * patched at the end), Message Type, a Random Vector if hide is given
 * and v->hidden is not empty, then every AVP of v->present in type
 * order with the RFC 2661 M bit (hidden when in v->hidden). type
 * L2TP_MSG_ZLB writes a ZLB (v ignored). Returns false if w overflowed
 * or the arguments are inconsistent (a hidden AVP without hide, a value
 * too long for an AVP); the caller checks nothing else.
 */
bool l2tp_build_ctrl(struct wbuf *w, uint16_t tunnel_id, uint16_t session_id,
    uint16_t ns, uint16_t nr, uint16_t type, const struct l2tp_values *v,
    const struct l2tp_hide *hide);

/*
 * Write one raw AVP (any vendor/type, as given) at the end of a control
 * message already in w (started at start): for tests and vendor AVPs.
 * The Length field at start + 2 is updated.
 */
bool l2tp_build_avp_raw(struct wbuf *w, size_t start, uint16_t flags,
    uint16_t vendor, uint16_t type, const void *value, size_t len);

/*
 * Build a data message: flags may hold L2TP_HDR_L, _S, _O, _P; ns/nr
 * are written with _S, offset_size zero bytes of pad with _O. payload is
 * the PPP frame. Returns false if w overflowed.
 */
bool l2tp_build_data(struct wbuf *w, uint16_t flags, uint16_t tunnel_id,
    uint16_t session_id, uint16_t ns, uint16_t nr, uint16_t offset_size,
    const uint8_t *payload, size_t len);

/* SCCRQ / SCCRP contents (RFC 2661 6.1, 6.2) for the builders below. */
struct l2tp_ctrl_conn {
	uint16_t tunnel_id;		/* our Assigned Tunnel ID, != 0 */
	const char *host_name;		/* != NULL, not empty */
	const char *vendor_name;	/* NULL: none */
	uint16_t firmware_rev;		/* 0: none */
	uint16_t rws;			/* 0: none (the peer assumes 4) */
	uint32_t framing_cap;		/* L2TP_FRAMING_* */
	const uint8_t *challenge;	/* tunnel auth; NULL: none */
	size_t challenge_len;
	const uint8_t *challenge_response;	/* 16 bytes; NULL: none */
};

/*
 * RFC 2661 4.4.3, 5.1.1: tunnel authentication, the CHAP-like
 * MD5(msg_type | secret | challenge) with msg_type the one-octet type of
 * the message carrying the response (L2TP_MSG_SCCRP or _SCCCN). False if
 * MD5 is not available.
 */
bool l2tp_challenge_response(uint8_t msg_type, const uint8_t *secret,
    size_t secret_len, const uint8_t *challenge, size_t challenge_len,
    uint8_t out[16]);

/*
 * The messages the LNS sends (and a LAC's, for tests and a test client):
 * thin wrappers around l2tp_build_ctrl, false if w overflowed or an
 * argument is out of range (id 0, empty host name).
 */
bool l2tp_build_sccrq(struct wbuf *w, uint16_t ns, uint16_t nr,
    const struct l2tp_ctrl_conn *c);
bool l2tp_build_sccrp(struct wbuf *w, uint16_t tunnel_id, uint16_t ns,
    uint16_t nr, const struct l2tp_ctrl_conn *c);
/* SCCCN with an optional 16-byte Challenge Response (NULL: none). */
bool l2tp_build_scccn(struct wbuf *w, uint16_t tunnel_id, uint16_t ns,
    uint16_t nr, const uint8_t *challenge_response);
/* ICRQ: Assigned Session ID = our id, Call Serial Number. */
bool l2tp_build_icrq(struct wbuf *w, uint16_t tunnel_id, uint16_t ns,
    uint16_t nr, uint16_t our_session_id, uint32_t call_serial);
/* ICCN: (Tx) Connect Speed and Framing Type. */
bool l2tp_build_iccn(struct wbuf *w, uint16_t tunnel_id, uint16_t session_id,
    uint16_t ns, uint16_t nr, uint32_t tx_speed, uint32_t framing_type);
bool l2tp_build_zlb(struct wbuf *w, uint16_t tunnel_id, uint16_t ns,
    uint16_t nr);
bool l2tp_build_hello(struct wbuf *w, uint16_t tunnel_id, uint16_t ns,
    uint16_t nr);
/* StopCCN: Assigned Tunnel ID = our id, result/error/message. */
bool l2tp_build_stopccn(struct wbuf *w, uint16_t tunnel_id, uint16_t ns,
    uint16_t nr, uint16_t our_tunnel_id, uint16_t result, uint16_t error,
    const char *message);
/* CDN: Assigned Session ID = our id, result/error/message. */
bool l2tp_build_cdn(struct wbuf *w, uint16_t tunnel_id, uint16_t session_id,
    uint16_t ns, uint16_t nr, uint16_t our_session_id, uint16_t result,
    uint16_t error, const char *message);
/* ICRP: Assigned Session ID = our id. */
bool l2tp_build_icrp(struct wbuf *w, uint16_t tunnel_id, uint16_t session_id,
    uint16_t ns, uint16_t nr, uint16_t our_session_id);

/* Names for logs; never NULL ("unknown" for others). */
const char *l2tp_err_name(enum l2tp_err e);
const char *l2tp_msg_type_name(uint16_t type);
const char *l2tp_avp_name(uint16_t vendor, uint16_t type);
const char *l2tp_result_name(uint16_t msg_type, uint16_t code);
const char *l2tp_error_code_name(uint16_t code);

#endif
