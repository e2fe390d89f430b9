/*
 * ikd.h - the IKEv1 responder's process context and the objects its
 * modules share: the ISAKMP SA table (sa.c), the Quick Mode exchanges
 * (quick.c), the ESP SA pairs we installed (sa.c), and the entry points
 * of net.c, exchange.c, phase1.c, quick.c, info.c and natt.c.
 *
 * Data flow: net.c reads a datagram (marker stripped on the NAT-T port,
 * keepalives dropped), fills a struct ikd_pkt and calls ikd_input()
 * (exchange.c), which parses the header, finds the SA, answers
 * retransmissions and hands the message to the exchange handler. Handlers
 * send through ikd->send (net.c, or a test's capture) and reach the
 * kernel only through ikd->kops (kernel.c: xfrm.h, or a test's mock).
 */
#ifndef IKD_IKD_H
#define IKD_IKD_H

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <netinet/in.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* proposal.h includes isakmp.h and crypto.h without their enum clash */
#include "ikd/proposal.h"
#include "ikd/dh.h"
#include "ikd/frag.h"
#include "ikd/xfrm.h"
#include "conf/conf.h"
#include "lib/log.h"
#include "lib/sockaddr.h"

struct event_base;
struct ev_timer;
struct ikd_net;
struct ikd_ctl;
struct priv_client;

/* Largest ISAKMP message we accept or build. */
#define IKD_MSG_MAX		8192
/* RFC 3948 2.2: the non-ESP marker in front of IKE on the NAT-T port. */
#define IKD_NON_ESP_MARKER_LEN	4
/* Phase 1 ID payload body we keep (type, proto, port, data). */
#define IKD_ID_MAX		1024
/* Bucket count of the SA table (cookie hash). */
#define IKD_SA_BUCKETS		256
/* An unfinished Main Mode is dropped after this long. */
#define IKD_HALF_OPEN_MS	30000
/* Quick Mode: unfinished after this long is dropped; a finished one is
 * kept this long to answer retransmitted QM1s. */
#define IKD_QM_TIMEOUT_MS	30000
/*
 * IKE fragmentation, sending (exchange_send): a message of more than this
 * many bytes goes out in fragments to a peer that announced the
 * FRAGMENTATION VID; fragments are at most this large too. 1200 + IPv6
 * (40) + UDP (8) + non-ESP marker (4) stays under a 1280-byte path MTU.
 */
#define IKD_FRAG_SEND_THRESHOLD	1200
/* Smallest fragment data we send when mirroring the peer's fragments. */
#define IKD_FRAG_MIN_DATA	64
/* Tag buffers: "ike#4294967295 [v6addr]:65535" and the qm/esp forms. */
#define IKD_TAG_MAX		80

/* Who the peer looks like, from its vendor IDs (windows-client.md 1.3). */
enum ikd_client {
	IKD_CLIENT_UNKNOWN,
	IKD_CLIENT_WINDOWS,
	IKD_CLIENT_APPLE,
	IKD_CLIENT_ANDROID,
	IKD_CLIENT_STRONGSWAN,
	IKD_CLIENT_LIBRESWAN
};

/* Which NAT-T flavour was negotiated in MM1/MM2. */
enum ikd_natt {
	IKD_NATT_NONE,
	IKD_NATT_RFC,		/* RFC 3947: payloads 20/21, encap 3/4 */
	IKD_NATT_DRAFT		/* drafts 02/03: 130/131, 61443/61444 */
};

/*
 * One side of a conversation: our address and port (the one the peer
 * sent to) and the peer's, and whether it is the NAT-T port (non-ESP
 * marker in front of IKE, RFC 3948 2.2).
 */
struct ikd_path {
	struct sockaddr_storage local;
	struct sockaddr_storage remote;
	bool natt;
};

/* A received ISAKMP message (marker already stripped), borrowed. */
struct ikd_pkt {
	const uint8_t *data;
	size_t len;
	struct ikd_path path;
	/* reassembled from fragments: the largest fragment's data, else 0 */
	size_t frag_max;
};

/* Counters (debug lines about peer input are rate limited, these not). */
struct ikd_counters {
	uint64_t rx;
	uint64_t tx;
	uint64_t keepalives;
	uint64_t malformed;
	uint64_t unknown_sa;
	uint64_t retransmits;
	uint64_t half_open_refused;
	uint64_t no_proposal;
	uint64_t auth_failed;
	uint64_t p1_established;
	uint64_t qm_refused;
	uint64_t qm_done;
	uint64_t kernel_errors;
	uint64_t alloc_failed;
	/* IKE fragmentation (the reassembly's own: frag_table_stats) */
	uint64_t frag_in;		/* datagrams with payload 132 */
	uint64_t frag_out;		/* fragment datagrams sent */
	uint64_t frag_msgs_out;		/* messages sent as fragments */
};

/*
 * The kernel side: the three operations ikd needs, wired to xfrm.h by
 * kernel.c, or to a recording mock in tests. Each returns 0 or -1 and
 * logs its own failure.
 */
struct ikd_kernel_ops {
	int	(*spi_alloc)(void *arg, const struct xfrm_spi_req *,
		    uint32_t *spi);
	int	(*sa_add)(void *arg, const struct xfrm_sa_req *);
	int	(*sa_del)(void *arg, const struct xfrm_sa_id *);
	/* for the control socket; NULL: counters are not available */
	int	(*sa_counters)(void *arg, const struct xfrm_sa_id *,
		    struct xfrm_sa_counters *out);
	/* sign a HASH_R with our certificate key where it lives (the
	 * privileged parent); NULL: ikd->certs holds the key itself */
	int	(*sign)(void *arg, unsigned int ident, const uint8_t *hash,
		    size_t hlen, uint8_t *sig, size_t *siglen);
};

/* Send one ISAKMP message on path (the marker is added for NAT-T). */
typedef int ikd_send_cb(void *arg, const struct ikd_path *path,
    const uint8_t *msg, size_t len);

/* A stored message: the last request answered / response sent. */
struct ikd_msgbuf {
	uint8_t *p;
	size_t len;
	/* the fragment ID it went out with (resent with the same), 0: none */
	uint16_t frag_id;
};

/* RFC 2409 5.4: Main Mode responder states. */
enum ike_sa_state {
	IKE_SA_MM_R1,		/* MM1 in, MM2 out: waiting for MM3 */
	IKE_SA_MM_R2,		/* MM3 in, MM4 out: waiting for MM5 */
	IKE_SA_ESTABLISHED,	/* MM5 in, MM6 out */
	IKE_SA_DEAD		/* being freed */
};

/* RFC 2409 5.5: Quick Mode responder states. */
enum ike_qm_state {
	IKE_QM_R1,		/* QM1 in, QM2 out: waiting for QM3 */
	IKE_QM_DONE		/* QM3 in, ESP SAs installed */
};

struct ike_sa;

/* One Quick Mode exchange (by message ID) of an ISAKMP SA. */
struct ike_qm {
	TAILQ_ENTRY(ike_qm)	 link;
	struct ike_sa		*sa;
	uint32_t		 mid;
	char			 tag[IKD_TAG_MAX];
	enum ike_qm_state	 state;
	uint8_t			 ni[ISAKMP_NONCE_MAX];
	size_t			 ni_len;
	uint8_t			 nr[ISAKMP_NONCE_MAX];
	size_t			 nr_len;
	uint32_t		 spi_in;	/* ours, allocated */
	uint32_t		 spi_out;	/* the peer's */
	uint8_t			 esp_id;	/* IPSEC_ESP_* */
	uint16_t		 key_bits;
	uint16_t		 auth_alg;	/* IPSEC_AUTH_*, 0 with GCM */
	bool			 udp_encap;
	uint32_t		 life_seconds;
	uint64_t		 life_kbytes;
	char			 esp_str[PROPOSAL_STR_MAX];
	struct ike_secret	*gqmxy;		/* PFS, NULL without */
	uint16_t		 remote_port;	/* IDci port, 0 = any */
	bool			 commit;	/* RFC 2408 4.8 */
	struct ikd_msgbuf	 last_req;
	struct ikd_msgbuf	 last_resp;
	struct ev_timer		*timer;
};

/* An ESP SA pair we installed (inbound + outbound), see sa.c. */
struct ike_child {
	TAILQ_ENTRY(ike_child)	 link;
	struct ikd		*ikd;
	struct ike_sa		*sa;		/* NULL: ISAKMP SA gone */
	char			 tag[IKD_TAG_MAX];
	/* for the control socket, copied at creation */
	unsigned int		 serial;
	unsigned int		 ike_serial;
	uint8_t			 icookie[ISAKMP_COOKIE_LEN];
	uint8_t			 rcookie[ISAKMP_COOKIE_LEN];
	enum ikd_client		 client;
	char			 esp_str[PROPOSAL_STR_MAX];
	uint16_t		 l2tp_port;	/* IDci port, 0 = any */
	bool			 udp_encap;
	uint64_t		 created_ms;
	bool			 up;		/* sa-up was announced */
	uint32_t		 spi_in;
	uint32_t		 spi_out;
	struct ikd_path		 path;		/* at install time */
	uint8_t			 idi[IKD_ID_MAX];	/* the IKE peer's ID */
	size_t			 idi_len;
	bool			 in_installed;
	bool			 out_installed;
	struct ev_timer		*expire;	/* forget at hard expiry */
};

/* One ISAKMP SA (Main Mode responder). */
struct ike_sa {
	TAILQ_ENTRY(ike_sa)	 link;		/* ikd->sas */
	TAILQ_ENTRY(ike_sa)	 hlink;		/* ikd->buckets[] */
	struct ikd		*ikd;
	unsigned int		 serial;
	char			 tag[IKD_TAG_MAX];
	enum ike_sa_state	 state;
	uint64_t		 created_ms;	/* clock_mono_ms() at MM1 */
	uint8_t			 icookie[ISAKMP_COOKIE_LEN];
	uint8_t			 rcookie[ISAKMP_COOKIE_LEN];
	struct ikd_path		 path;
	/* MM1: what the peer announced */
	uint32_t		 vids;		/* bit per enum isakmp_vid */
	uint32_t		 ms_version;	/* MS NT5 suffix */
	enum ikd_client		 client;
	enum ikd_natt		 natt;
	enum isakmp_vid		 natt_vid;	/* the one we echo */
	bool			 peer_dpd;	/* RFC 3706 VID seen */
	/* IKE fragmentation: largest fragment data the peer sent us (0:
	 * it never fragmented), the last fragment ID we used */
	size_t			 peer_frag_max;
	uint16_t		 frag_id;
	/* MM3: NAT detection (RFC 3947 3.2) */
	bool			 peer_natted;
	bool			 local_natted;
	/* the chosen proposal (copied from struct ike_choice) */
	enum ike_enc		 enc;
	enum ike_hash		 hash;
	uint16_t		 group;
	uint32_t		 life_seconds;
	char			 prop_str[PROPOSAL_STR_MAX];
	uint8_t			*sai_b;		/* SAi_b, for HASH_I/HASH_R */
	size_t			 sai_len;
	struct ike_dh		*dh;
	uint8_t			 gxi[IKE_KE_MAX];
	size_t			 gxi_len;
	uint8_t			 gxr[IKE_KE_MAX];
	size_t			 gxr_len;
	uint8_t			 ni[ISAKMP_NONCE_MAX];
	size_t			 ni_len;
	uint8_t			 nr[ISAKMP_NONCE_MAX];
	size_t			 nr_len;
	struct ike_keys		*keys;
	struct ike_ivs		*ivs;
	/* MM5 */
	uint8_t			 idi[IKD_ID_MAX];	/* IDii_b */
	size_t			 idi_len;
	char			 peer_id[256];	/* printable, for logs */
	bool			 initial_contact;
	/* MM1: the chosen auth method (IKE_AUTH_PSK, _RSA_SIG, _ECDSA_*);
	 * MM3: the peer's CERTREQ named none of our CAs */
	uint16_t		 auth;
	bool			 cr_unmatched;
	unsigned int		 ident;		/* our certificate (cert.h) */
	/* retransmission (RFC 2408 5: answer a duplicate, never redo it) */
	struct ikd_msgbuf	 last_req;
	struct ikd_msgbuf	 last_resp;
	struct ev_timer		*timer;		/* half-open, then lifetime */
	TAILQ_HEAD(, ike_qm)	 qms;
	bool			 counted_half_open;
};

TAILQ_HEAD(ike_sa_head, ike_sa);
TAILQ_HEAD(ike_child_head, ike_child);

/* The process context: one per ikd, created in main(). */
struct ikd {
	struct vpn_conf			*conf;
	struct event_base		*base;
	struct ikd_net			*net;
	const struct ikd_kernel_ops	*kops;
	void				*karg;
	ikd_send_cb			*send;
	void				*send_arg;
	struct ike_sa_head		 sas;
	struct ike_sa_head		 buckets[IKD_SA_BUCKETS];
	struct ike_child_head		 children;
	unsigned int			 next_serial;
	unsigned int			 next_child_serial;
	struct ikd_ctl			*ctl;		/* NULL: none */
	size_t				 nsa;
	size_t				 half_open;
	struct ikd_counters		 ctr;
	struct log_ratelimit		 rl;
	/* IKE fragment reassembly (frag.h); allocated on the first one */
	struct frag_table		*frag;
	/* certificate authentication (cert.h); NULL: PSK only. Loaded by
	 * the parent before the IKE process is forked, not freed by it. */
	struct ikd_certs		*certs;
	/* frag_expire() when the oldest partial message times out; armed
	 * only while the table holds one (NULL without an event base) */
	struct ev_timer			*frag_timer;
};

/* ---- sa.c ---- */

/*
 * Set up ctx (zeroed by the caller) around conf, base (may be NULL in
 * tests: no timers), kernel ops and the send callback; all borrowed.
 */
void ikd_init(struct ikd *ctx, struct vpn_conf *conf,
    struct event_base *base, const struct ikd_kernel_ops *kops, void *karg,
    ikd_send_cb *send, void *send_arg);
/*
 * Tear everything down: with notify, send a Delete for every established
 * ISAKMP SA and its ESP SAs first (best effort); remove every ESP SA we
 * installed from the kernel; free all SAs.
 */
void ikd_shutdown(struct ikd *ctx, bool notify);
/* Name of a state, for logs. */
const char *ike_sa_state_name(enum ike_sa_state);
const char *ike_qm_state_name(enum ike_qm_state);
const char *ikd_client_name(enum ikd_client);
/*
 * A new ISAKMP SA for an MM1 from pkt with the initiator cookie icky,
 * with a fresh random responder cookie, in state MM_R1, linked into the
 * table. NULL when the half-open limits refuse it (logged, counted) or on
 * allocation failure.
 */
struct ike_sa *ike_sa_new(struct ikd *ctx, const struct ikd_pkt *pkt,
    const uint8_t *icky);
/* Unlink, free quick modes, detach children, wipe keys; NULL no-op. */
void ike_sa_free(struct ike_sa *sa);
/* The SA with this cookie pair, or NULL (borrowed). */
struct ike_sa *ike_sa_lookup(struct ikd *ctx, const uint8_t *icky,
    const uint8_t *rcky);
/*
 * An SA (any state) started by icky from this remote address (ports not
 * compared: the peer may have floated), for MM1 retransmissions.
 */
struct ike_sa *ike_sa_lookup_mm1(struct ikd *ctx, const uint8_t *icky,
    const struct sockaddr_storage *remote);
/* The one state setter: logs "old -> new" under the SA's tag. */
void ike_sa_set_state(struct ike_sa *sa, enum ike_sa_state state);
/* Move the SA to pkt's path if it differs (NAT-T float, RFC 3947 4). */
void ike_sa_rebind(struct ike_sa *sa, const struct ikd_path *path);
/*
 * Arm the SA's timer: ms from now, the SA is deleted (half-open timeout
 * or phase 1 lifetime). No-op without an event base.
 */
void ike_sa_arm_timer(struct ike_sa *sa, uint64_t ms);
/*
 * Delete: with notify and an established SA, send an ISAKMP Delete
 * (best effort); then free it. Its ESP SAs are left to their lifetime.
 */
void ike_sa_delete(struct ike_sa *sa, bool notify, const char *why);
/* Replace a stored message with a copy of p[0..len); -1 on ENOMEM. */
int ikd_msgbuf_set(struct ikd_msgbuf *m, const uint8_t *p, size_t len);
void ikd_msgbuf_clear(struct ikd_msgbuf *m);
bool ikd_msgbuf_eq(const struct ikd_msgbuf *m, const uint8_t *p,
    size_t len);

/*
 * A new ESP SA pair record for a finished Quick Mode (nothing is
 * installed here). NULL on allocation failure.
 */
struct ike_child *ike_child_new(struct ike_sa *sa, const struct ike_qm *qm);
/* Remove its kernel SAs (those installed) and free it; NULL no-op. */
void ike_child_delete(struct ike_child *ch, const char *why);
/* The kernel's key of ch's inbound (in) or outbound ESP SA: dst, SPI. */
void ike_child_sa_id(const struct ike_child *ch, bool in,
    struct xfrm_sa_id *id);
/* Send the peer a Delete notification for ch's ESP SA (inbound SPI), if
 * its ISAKMP SA is established; the SAs themselves stay. */
void ike_child_notify_delete(const struct ike_child *ch);
/* The child whose outbound SPI (the peer's inbound) is spi, of sa's peer. */
struct ike_child *ike_child_lookup_out(struct ikd *ctx,
    const struct ike_sa *sa, uint32_t spi);
/*
 * RFC 2407 4.6.3.3 INITIAL-CONTACT: delete every other ISAKMP SA and
 * every ESP SA pair we hold for sa's peer (same remote address and same
 * phase 1 ID: several Windows clients behind one NAT share the address).
 */
void ike_sa_initial_contact(struct ike_sa *sa);

/* ---- kernel.c ---- */

/* Kernel operations on an xfrm.h backend (arg: struct xfrm_backend *). */
extern const struct ikd_kernel_ops ikd_kernel_xfrm_ops;

/* ---- control.c ---- */

/*
 * Privileged side: create run_dir (0755) if missing, refuse it or the
 * socket's directory unless owned by us and not group/world writable,
 * replace a stale socket at path (refuse a live one), bind it mode 0600
 * and listen. Returns the listening descriptor, or -1 (logged).
 */
int ikd_ctl_listen(const char *run_dir, const char *path);

/*
 * Serve the control protocol (lib/ctl.h) on the listening unix socket
 * fd (taken over: closed by ikd_ctl_free) on ctx->base, to connections
 * from uid only. pc (borrowed, may be NULL: policies and registration
 * are refused) reaches the privileged parent. NULL (logged) on failure.
 */
struct ikd_ctl *ikd_ctl_new(struct ikd *ctx, int fd, uid_t uid,
    struct priv_client *pc);
/* Close every connection and the listening socket. NULL is a no-op. */
void ikd_ctl_free(struct ikd_ctl *ctl);
/* Tell watchers an ESP SA pair went up or down (no-op without ctl). */
void ikd_ctl_child_event(struct ikd *ctx, const struct ike_child *ch,
    bool up);

/* ---- net.c ---- */

/*
 * Open the IKE and NAT-T sockets (ike.listen addresses, or the wildcard
 * with IP_PKTINFO), UDP_ENCAP_ESPINUDP on the NAT-T ones, per-socket
 * XFRM bypass through xb (may be NULL: none), read events on ctx->base
 * (none when it is NULL: see ikd_net_start). Returns NULL (logged) on
 * failure. The caller owns it.
 */
struct ikd_net *ikd_net_new(struct ikd *ctx, struct xfrm_backend *xb);
/*
 * Hand net (opened without an event base, by the privileged parent) to
 * ctx: datagrams go to ctx, read events on ctx->base. 0 or -1 (logged).
 */
int ikd_net_start(struct ikd_net *net, struct ikd *ctx);
/* Append net's descriptors to fds (at most max); returns the count. */
size_t ikd_net_fds(const struct ikd_net *net, int *fds, size_t max);
void ikd_net_free(struct ikd_net *net);
/* ikd_send_cb for net (arg: struct ikd_net *). */
int ikd_net_send(void *arg, const struct ikd_path *path, const uint8_t *msg,
    size_t len);

/* ---- exchange.c ---- */

/*
 * One received ISAKMP message (pkt borrowed for the call): parse,
 * dispatch, answer. Never fails: bad input is counted and dropped.
 */
void ikd_input(struct ikd *ctx, const struct ikd_pkt *pkt);

/* Steps of the exchanges we answer (exchange tables). */
enum exchange_step {
	EXCH_MM1,
	EXCH_MM3,
	EXCH_MM5,
	EXCH_MM5_SIG,	/* RFC 2409 5.1: SIG instead of HASH, CERTs */
	EXCH_QM1,
	EXCH_QM3,
	EXCH_INFO,
	EXCH_STEP_COUNT
};

/*
 * Check msg's payload set against the step's table (required, optional
 * with counts, HASH first where the RFC says so). Returns 0, or the
 * notify type to answer (INVALID-PAYLOAD-TYPE, PAYLOAD-MALFORMED) with a
 * reason in *why.
 */
int exchange_check(enum exchange_step step, const struct isakmp_msg *msg,
    const char **why);
const char *exchange_step_name(enum exchange_step step);
/* Rate-limited debug line + malformed counter about peer input. */
void ikd_peer_error(struct ikd *ctx, const char *tag, const char *fmt, ...)
    LOG_PRINTF(3, 4);
/*
 * Decrypt pkt's body with the IV of mid into plain (cap >= body) and
 * parse the chain into msg. On success *next is the IV to commit once the
 * message is accepted. Returns 0, or -1 (peer error, counted).
 */
int exchange_open(struct ike_sa *sa, const struct ikd_pkt *pkt,
    const struct isakmp_hdr *h, uint8_t *plain, size_t cap,
    struct isakmp_msg *msg, struct ike_iv *next);
/*
 * Encrypt the payload chain plain[0..len) (first payload type `first`)
 * under mid's IV, prefix the header (exchange, flags | ENC, mid), commit
 * the IV, send it on sa->path, and keep it as the last response in
 * `keep` (may be NULL). Returns 0 or -1 (logged).
 */
int exchange_seal_send(struct ike_sa *sa, uint8_t exchange, uint8_t flags,
    uint32_t mid, uint8_t first, const uint8_t *plain, size_t len,
    struct ikd_msgbuf *keep);
/*
 * Send msg[0..len), a complete ISAKMP message, on sa's path (counted).
 * IKE fragmentation (frag.h): as fragments of at most
 * IKD_FRAG_SEND_THRESHOLD bytes when the peer announced the
 * FRAGMENTATION VID and msg is larger than that, or as fragments the
 * size of the peer's own (at least IKD_FRAG_MIN_DATA bytes of data) when
 * it fragmented towards us on this SA and msg is larger; never MM2. A
 * message stored as sa's or a Quick Mode's last answer keeps its
 * fragment ID, so a retransmission resends the same fragments.
 */
int exchange_send(struct ike_sa *sa, const uint8_t *msg, size_t len);
/*
 * Send an unencrypted notify of `type` about pkt (cookies from h) back to
 * its sender (RFC 2408 5: only for exchanges not yet protected).
 */
void exchange_notify_plain(struct ikd *ctx, const struct ikd_pkt *pkt,
    const struct isakmp_hdr *h, uint16_t type);

/* ---- phase1.c ---- */

/* An MM1 that made a new SA (RFC 2409 5.4): answer MM2 or delete. */
void phase1_recv_mm1(struct ike_sa *sa, const struct ikd_pkt *pkt,
    const struct isakmp_hdr *h);
/* Any later Main Mode message of sa (not a duplicate). */
void phase1_recv(struct ike_sa *sa, const struct ikd_pkt *pkt,
    const struct isakmp_hdr *h);

/* ---- quick.c ---- */

/* A Quick Mode message of an established sa (not a duplicate). */
void quick_recv(struct ike_sa *sa, struct ike_qm *qm,
    const struct ikd_pkt *pkt, const struct isakmp_hdr *h);
/* The exchange with message ID mid, or NULL. */
struct ike_qm *quick_lookup(struct ike_sa *sa, uint32_t mid);
void quick_free(struct ike_qm *qm);

/* ---- info.c ---- */

/* An Informational message of sa (RFC 2409 5.7). */
void info_recv(struct ike_sa *sa, const struct ikd_pkt *pkt,
    const struct isakmp_hdr *h);
/*
 * Send a protected Informational carrying one notify (type, protocol,
 * SPI, data) or, with del set, one Delete. Returns 0 or -1 (logged).
 */
int info_send_notify(struct ike_sa *sa, uint16_t type, uint8_t protocol,
    const uint8_t *spi, size_t spi_len, const uint8_t *data, size_t len);
int info_send_delete(struct ike_sa *sa, uint8_t protocol,
    const uint8_t *spis, size_t spi_size, size_t count);

/* ---- natt.c ---- */

/* Record one MM1 vendor ID (NAT-T flavours, DPD, client hints). */
void natt_record_vid(struct ike_sa *sa, const struct isakmp_data *vid);
/* After all MM1 VIDs: pick the NAT-T flavour and classify the client. */
void natt_finish_vids(struct ike_sa *sa);
/* NAT-D / NAT-OA payload numbers for sa's flavour. */
uint8_t natt_d_type(const struct ike_sa *sa);
uint8_t natt_oa_type(const struct ike_sa *sa);
/*
 * RFC 3947 3.2: check the peer's NAT-D payloads in msg against pkt's
 * addresses and set sa->peer_natted / local_natted. Returns 0, or -1
 * when NAT-T was negotiated and the NAT-D payloads are missing or bad.
 */
int natt_check(struct ike_sa *sa, const struct isakmp_msg *msg,
    const struct ikd_pkt *pkt);
/* Append our two NAT-D payloads (remote end first, then ours). */
int natt_build(struct ike_sa *sa, struct isakmp_builder *b);

#endif
