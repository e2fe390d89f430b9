/*
 * report.h - the plugin's connection to l2tpd (lib/sessproto messages over
 * a unix SOCK_SEQPACKET socket). One connection per pppd, opened once the
 * options are known and kept until pppd exits.
 */
#ifndef PPPD_PLUGIN_REPORT_H
#define PPPD_PLUGIN_REPORT_H

#include "lib/sessproto.h"

/*
 * Connect to l2tpd's socket at path. tag ("sess <key>") prefixes log lines
 * and must outlive the connection. Returns 0, or -1 (logged).
 */
int	report_open(const char *path, const char *tag);

/* Whether the connection is open (a failed send closes it). */
bool	report_is_open(void);

/* Send one message. Returns 0, or -1 (logged; the connection is closed). */
int	report_send(const struct sessproto_msg *m);

/*
 * Send req and wait up to timeout_ms for a reply of type want or a
 * DISCONNECT, ignoring nothing else (any other type is a protocol error).
 * Returns 0 with *reply filled (its type says which of the two), or -1
 * on timeout, error or end of file (logged).
 */
int	report_request(const struct sessproto_msg *req,
	    enum sessproto_type want, struct sessproto_msg *reply,
	    int timeout_ms);

/*
 * Without blocking: 1 with *m filled if l2tpd sent something, 0 if not,
 * -1 if the connection ended or failed (logged, closed).
 */
int	report_poll(struct sessproto_msg *m);

/* Close the connection (idempotent). */
void	report_close(void);

#endif
