/*
 * ctl.h - the control socket protocol of ikd (and, later, l2tpd): a
 * line-oriented text protocol on a unix stream socket that only root can
 * open (the socket is mode 0600 in the private run_dir).
 *
 * Requests. One line per request, ASCII words separated by single spaces,
 * ended by "\n"; at most CTL_REQ_MAX bytes with the newline. Words are
 * printable ASCII without spaces (0x21..0x7e). The commands:
 *
 *   policies                 the L2TP IPsec policies ikd wants, and
 *                            whether each is installed
 *   ike-sas                  every ISAKMP SA
 *   ipsec-sas                every ESP SA pair, with the kernel's byte
 *                            and packet counters
 *   register l2tp <port>     an L2TP daemon serves UDP <port> (1..65535):
 *                            ikd makes sure the L2TP policy covers it;
 *                            re-sent by the daemon whenever ikd restarts
 *   peer <addr> <port>       the ISAKMP and ESP SAs of one peer: <addr>
 *                            its outer IPv4/IPv6 address, <port> its IKE
 *                            port, or the L2TP port of its ESP SAs
 *                            (Quick Mode ID), or 0 for any
 *   drop <addr> <port>       delete the SAs "peer <addr> <port>" lists,
 *                            telling the peer (Delete notifications): the
 *                            ESP SAs that match, and each matching
 *                            ISAKMP SA left without ESP SAs; answers
 *                            "dropped ike-sas=N ipsec-sas=M" then "ok",
 *                            or "error no SA for this peer". l2tpd sends
 *                            it for a peer that stopped answering HELLO
 *                            (Windows does no DPD)
 *   counters                 ikd's counters: one "counters" record
 *                            (datagrams, errors, negotiations) and one
 *                            "frag" record (IKE fragments in and out,
 *                            reassembled, pending, dropped by reason)
 *   watch                    answers "ok", then streams event lines
 *                            ("sa-up ...", "sa-down ...") until the
 *                            client closes the connection
 *
 * Replies. Zero or more record lines, then one terminator line: "ok" or
 * "error <reason>" (the reason is free text). A record line is
 *
 *   <kind> <key>=<value> <key>=<value> ...
 *
 * kind and keys are lower case [a-z0-9-], never "ok" or "error"; values
 * are printable ASCII without spaces (a byte outside 0x21..0x7e is sent
 * as '?'). Every line is at most CTL_LINE_MAX bytes with its "\n".
 * Record kinds: "policy", "ike-sa", "ipsec-sa", "l2tp", "dropped",
 * "counters", "frag"; the event kinds
 * "sa-up" and "sa-down" carry the keys of "ipsec-sa" that identify the
 * pair (id, peer, ike, cookies, spi-in, spi-out, client, l2tp-port).
 * A request that does not parse gets "error <why>" and the connection
 * stays usable.
 *
 * The parser and formatters here are pure (no I/O), shared by the server
 * (ikd/control.c), vpnctl and the daemons that query ikd.
 */
#ifndef LIB_CTL_H
#define LIB_CTL_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/log.h"

/* Longest request line, "\n" included. */
#define CTL_REQ_MAX	256
/* Longest reply or event line, "\n" included. */
#define CTL_LINE_MAX	1024

enum ctl_cmd {
	CTL_CMD_POLICIES = 1,
	CTL_CMD_IKE_SAS,
	CTL_CMD_IPSEC_SAS,
	CTL_CMD_REGISTER_L2TP,
	CTL_CMD_PEER,
	CTL_CMD_WATCH,
	CTL_CMD_DROP,
	CTL_CMD_COUNTERS
};

/* A parsed request. */
struct ctl_req {
	enum ctl_cmd		 cmd;
	uint16_t		 port;	/* register l2tp, peer/drop (0: any) */
	struct sockaddr_storage	 addr;	/* peer/drop, port 0 in it */
};

/* Name of a command as on the wire ("ike-sas"), "?" if unknown. */
const char *ctl_cmd_name(enum ctl_cmd);

/*
 * Parse one request line line[0..len), the "\n" already removed (a
 * remaining "\r" or any control byte is an error). On success fill *out
 * and return true; otherwise false with a static reason in *why.
 */
bool ctl_req_parse(const char *line, size_t len, struct ctl_req *out,
    const char **why);

/*
 * Write the request line of r, "\n" included and NUL-terminated, into
 * buf. Returns its length, or -1 if r is invalid or buf too small.
 */
int ctl_req_format(const struct ctl_req *r, char *buf, size_t cap);

/* What a reply line is. */
enum ctl_reply {
	CTL_REPLY_RECORD,	/* a record (or event) line */
	CTL_REPLY_OK,		/* terminator: success */
	CTL_REPLY_ERROR,	/* terminator: failure, *reason set */
	CTL_REPLY_BAD		/* not a valid line of this protocol */
};

/*
 * Classify one reply line line[0..len) without its "\n". For
 * CTL_REPLY_ERROR *reason (if reason is not NULL) points into line at the
 * reason text, of length len - 6.
 */
enum ctl_reply ctl_reply_classify(const char *line, size_t len,
    const char **reason);

/*
 * A record line being built: ctl_rec_init(kind), then ctl_rec_add() per
 * key; overflow is sticky and makes ctl_rec_line() return NULL.
 */
struct ctl_rec {
	char			 buf[CTL_LINE_MAX];
	size_t			 len;
	bool			 overflow;
};

void ctl_rec_init(struct ctl_rec *, const char *kind);
/* Append " key=value", the value printf-formatted, bytes outside
   0x21..0x7e replaced by '?'. An empty value is sent as "-". */
void ctl_rec_add(struct ctl_rec *, const char *key, const char *fmt, ...)
    LOG_PRINTF(3, 4);
/* The finished line with its "\n" (NUL-terminated), or NULL on overflow. */
const char *ctl_rec_line(struct ctl_rec *);

/*
 * Look up `key` in the record line line[0..len) (no "\n") and copy its
 * value, NUL-terminated, into val. False if the line is not a record, the
 * key is absent or the value does not fit in cap.
 */
bool ctl_rec_get(const char *line, size_t len, const char *key, char *val,
    size_t cap);

#endif
