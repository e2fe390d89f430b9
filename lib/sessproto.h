/*
 * sessproto.h - the messages between l2tpd and its pppd plugin.
 *
 * l2tpd listens on a unix SOCK_SEQPACKET socket in the private run_dir
 * (<run_dir>/l2tpd-plugin.sock). The plugin inside each pppd connects once,
 * says HELLO with the session key l2tpd gave it on pppd's command line, and
 * from then on reports what pppd does; l2tpd answers with the peer's
 * address and may ask for a disconnect. One SOCK_SEQPACKET record carries
 * exactly one message, so there is no stream framing to get wrong.
 *
 * Wire format (all integers network order, IPv4 addresses as the 4 bytes
 * on the wire, strings as a u8 length + bytes, no NUL, printable ASCII
 * 0x20..0x7e; names (user, key, ifname) also without spaces):
 *
 *   header   u8 version (1) | u8 type | u16 length of the whole record,
 *            header included; must equal the record's size
 *
 *   plugin -> l2tpd
 *   0x01 HELLO      u32 pppd pid | str key (1..64)
 *   0x02 PHASE      u8 phase (pppd PHASE_*, 0..12)
 *   0x03 AUTH_OK    u8 method | str user (1..64)
 *   0x04 AUTH_FAIL  u8 method | u8 cause | str user (0..64, empty if the
 *                   peer never named itself) | str text (0..127)
 *   0x05 ADDR_REQ   str user (1..64): which address for this peer?
 *   0x06 IP_UP      str ifname (1..15) | u32 local | u32 remote |
 *                   u8 ndns (0..2) | ndns x u32 dns
 *   0x07 COUNTERS   u8 flags (bit 0: final) | u32 seconds connected |
 *                   u64 bytes in | u64 bytes out | u64 pkts in |
 *                   u64 pkts out
 *   0x08 IP_DOWN    str ifname (1..15)
 *   0x09 EXIT       u8 code (pppd's exit status, EXIT_*) | str text
 *                   (0..127)
 *
 *   l2tpd -> plugin
 *   0x81 HELLO_ACK  (empty): the key names a session waiting for this
 *                   pppd; otherwise l2tpd sends DISCONNECT
 *   0x82 ADDR       u32 local | u32 remote: the answer to ADDR_REQ;
 *                   remote 0.0.0.0 = none (pool empty), the plugin then
 *                   ends the session
 *   0x83 DISCONNECT u8 cause | str text (0..127): end the session
 *
 * A message is accepted only if the version and type are known, the
 * length field equals the record size, every field is within its bounds
 * and nothing is left over. Secrets never cross this socket: the plugin
 * reads the users' passwords from the configuration file itself.
 *
 * The parser copies strings into the fixed arrays of struct sessproto_msg
 * (NUL-terminated), so a parsed message does not borrow the record.
 */
#ifndef LIB_SESSPROTO_H
#define LIB_SESSPROTO_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SESSPROTO_VERSION	1
#define SESSPROTO_HDR_LEN	4
#define SESSPROTO_MAX_MSG	512	/* bytes in one record, header included */
#define SESSPROTO_KEY_MAX	64
#define SESSPROTO_USER_MAX	64	/* = CONF_USER_NAME_MAX */
#define SESSPROTO_IFNAME_MAX	15	/* IFNAMSIZ - 1 */
#define SESSPROTO_TEXT_MAX	127
#define SESSPROTO_MAX_DNS	2
#define SESSPROTO_PHASE_MAX	12	/* pppd PHASE_MASTER */
/* The socket's name inside conf run_dir. */
#define SESSPROTO_SOCK_NAME	"l2tpd-plugin.sock"

enum sessproto_type {
	SESSPROTO_HELLO = 0x01,
	SESSPROTO_PHASE = 0x02,
	SESSPROTO_AUTH_OK = 0x03,
	SESSPROTO_AUTH_FAIL = 0x04,
	SESSPROTO_ADDR_REQ = 0x05,
	SESSPROTO_IP_UP = 0x06,
	SESSPROTO_COUNTERS = 0x07,
	SESSPROTO_IP_DOWN = 0x08,
	SESSPROTO_EXIT = 0x09,
	SESSPROTO_HELLO_ACK = 0x81,
	SESSPROTO_ADDR = 0x82,
	SESSPROTO_DISCONNECT = 0x83
};

/* How the peer authenticated (or tried to). */
enum sessproto_auth_method {
	SESSPROTO_AUTH_NONE = 0,
	SESSPROTO_AUTH_PAP = 1,
	SESSPROTO_AUTH_CHAP_MD5 = 2,
	SESSPROTO_AUTH_MSCHAP = 3,
	SESSPROTO_AUTH_MSCHAPV2 = 4,
	SESSPROTO_AUTH_EAP = 5,
	SESSPROTO_AUTH_METHOD_MAX = 5
};

/* Why authentication failed. */
enum sessproto_auth_cause {
	SESSPROTO_FAIL_UNKNOWN_USER = 1,	/* no such user in the config */
	SESSPROTO_FAIL_BAD_SECRET = 2,		/* wrong password/response */
	SESSPROTO_FAIL_METHOD = 3,		/* method not allowed */
	SESSPROTO_FAIL_NO_RESPONSE = 4,		/* peer never authenticated */
	SESSPROTO_FAIL_INTERNAL = 5,		/* our side failed */
	SESSPROTO_FAIL_CAUSE_MAX = 5
};

/* Why l2tpd asks for a disconnect. */
enum sessproto_disc_cause {
	SESSPROTO_DISC_ADMIN = 1,		/* operator request */
	SESSPROTO_DISC_UNKNOWN_KEY = 2,		/* HELLO names no session */
	SESSPROTO_DISC_TUNNEL_DOWN = 3,		/* L2TP tunnel/session gone */
	SESSPROTO_DISC_NO_ADDRESS = 4,		/* pool exhausted */
	SESSPROTO_DISC_SHUTDOWN = 5,		/* l2tpd stops */
	SESSPROTO_DISC_CAUSE_MAX = 5
};

#define SESSPROTO_COUNTERS_FINAL	0x01

struct sessproto_hello {
	uint32_t	pid;
	char		key[SESSPROTO_KEY_MAX + 1];
};

struct sessproto_auth {
	uint8_t		method;		/* enum sessproto_auth_method */
	uint8_t		cause;		/* AUTH_FAIL only */
	char		user[SESSPROTO_USER_MAX + 1];
	char		text[SESSPROTO_TEXT_MAX + 1];	/* AUTH_FAIL only */
};

struct sessproto_ip {
	char		ifname[SESSPROTO_IFNAME_MAX + 1];
	uint32_t	local;		/* network order (as in_addr.s_addr) */
	uint32_t	remote;
	uint8_t		ndns;		/* IP_UP only */
	uint32_t	dns[SESSPROTO_MAX_DNS];
};

struct sessproto_counters {
	uint8_t		flags;		/* SESSPROTO_COUNTERS_FINAL */
	uint32_t	seconds;
	uint64_t	bytes_in;
	uint64_t	bytes_out;
	uint64_t	pkts_in;
	uint64_t	pkts_out;
};

/* EXIT (code = pppd status) and DISCONNECT (code = disc cause). */
struct sessproto_end {
	uint8_t		code;
	char		text[SESSPROTO_TEXT_MAX + 1];
};

struct sessproto_addr {
	uint32_t	local;		/* network order */
	uint32_t	remote;		/* 0: no address available */
};

struct sessproto_msg {
	enum sessproto_type	type;
	union {
		struct sessproto_hello		hello;
		uint8_t				phase;
		struct sessproto_auth		auth;	/* AUTH_OK/FAIL/ADDR_REQ */
		struct sessproto_ip		ip;	/* IP_UP, IP_DOWN */
		struct sessproto_counters	counters;
		struct sessproto_end		end;	/* EXIT, DISCONNECT */
		struct sessproto_addr		addr;
	} u;
};

/*
 * Parse one record p[0..len) into *m (overwritten; zeroed first). p is
 * only read during the call. Returns false on anything malformed, with *m
 * unspecified.
 */
bool		 sessproto_parse(const uint8_t *p, size_t len,
		    struct sessproto_msg *m);

/*
 * Encode *m into buf[0..cap). The strings in *m must be NUL-terminated
 * and within the bounds above. Returns the record length, or 0 if *m is
 * invalid or does not fit.
 */
size_t		 sessproto_build(const struct sessproto_msg *m, uint8_t *buf,
		    size_t cap);

/* True for the types the plugin sends, false for l2tpd's. */
bool		 sessproto_from_plugin(enum sessproto_type type);

/*
 * Build *m and send it as one record on fd (MSG_NOSIGNAL). Returns 0, or
 * -1 with errno set (EINVAL: m invalid).
 */
int		 sessproto_send(int fd, const struct sessproto_msg *m);

/*
 * Receive one record from fd and parse it. Returns 1 with *m filled, 0 on
 * end of file, -1 with errno set on an I/O error (EAGAIN on a non-blocking
 * fd without data), or -2 for a malformed or oversized record (consumed).
 */
int		 sessproto_recv(int fd, struct sessproto_msg *m);

/* Names for logs; unknown values give "?". */
const char	*sessproto_type_name(enum sessproto_type type);
const char	*sessproto_auth_method_name(unsigned int method);
const char	*sessproto_auth_cause_name(unsigned int cause);
const char	*sessproto_disc_cause_name(unsigned int cause);
const char	*sessproto_phase_name(unsigned int phase);
/* pppd exit status (EXIT_* of pppd.h) as a word: "user-request", ... */
const char	*sessproto_exit_name(unsigned int code);

#endif
