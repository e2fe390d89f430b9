/*
 * l2tp_hdr.h - the 12-byte L2TP control message header writer (RFC 2661
 * 3.1), and nothing else. l2tpd/reliable.c writes control headers through
 * it so that reliable delivery does not depend on the AVP codec.
 *
 * XXX the codec (l2tpd/l2tp.[ch], written in parallel) may replace this
 * file by an equivalent function in l2tp.h; keep the name and contract.
 */
#ifndef L2TPD_L2TP_HDR_H
#define L2TPD_L2TP_HDR_H

#include <stdint.h>

#include "lib/buf.h"

/* T, L and S bits set, O and P clear, version 2 (RFC 2661 3.1, 5.1). */
#define L2TP_CTRL_HDR_FLAGS	0xc802
#define L2TP_CTRL_HDR_LEN	12
/* Largest control message body: the Length field is 16 bits. */
#define L2TP_CTRL_BODY_MAX	(65535 - L2TP_CTRL_HDR_LEN)

/*
 * Append a control header to w: flags/version, Length = 12 + body_len,
 * Tunnel ID, Session ID, Ns, Nr. body_len above L2TP_CTRL_BODY_MAX makes w
 * overflow (sticky), like any other put that does not fit.
 */
static inline void
l2tp_ctrl_hdr_write(struct wbuf *w, size_t body_len, uint16_t tunnel_id,
    uint16_t session_id, uint16_t ns, uint16_t nr)
{
	if (body_len > L2TP_CTRL_BODY_MAX) {
		w->overflow = true;
		return;
	}
	wbuf_put_u16(w, L2TP_CTRL_HDR_FLAGS);
	wbuf_put_u16(w, (uint16_t)(L2TP_CTRL_HDR_LEN + body_len));
	wbuf_put_u16(w, tunnel_id);
	wbuf_put_u16(w, session_id);
	wbuf_put_u16(w, ns);
	wbuf_put_u16(w, nr);
}

#endif
