/*
 * test_exchange.c - ikd's exchange code against an in-process scripted
 * IKEv1 initiator (tests/lib/ike_initiator.c, built from the same codec
 * and crypto and shared with the bench), with a mock kernel that records
 * SPI allocations and SA requests and a capture of everything ikd sends.
 * No sockets, no event loop, no root.
 *
 * Covered: Main Mode + Quick Mode with PSK for aes256-sha1-modp2048 and
 * aes128-sha1-ecp256 (the installed keys are checked against the
 * initiator's own KEYMAT), NAT-T with the float to 4500 and UDP-encapsulated
 * SAs, wrong PSK (no SA, no kernel state), retransmitted MM3 (the same
 * MM4 bytes again), a Quick Mode with a TCP selector (refused), DPD,
 * Deletes, garbage/truncated input, and Main Mode with every initiator
 * message split into IKE fragments (payload 132, delivered last first,
 * MM5's on 4500) answered with the FRAGMENTATION VID only when announced
 * and with answers fragmented like the peer's; fragments ikd sends (above
 * the threshold to a peer with the VID, mirroring 200-byte fragments,
 * never to a peer without either, resent with the same fragment ID), the
 * reassembly timer, and the "counters" control command.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/rand.h>

#include <event2/event.h>

#include "ikd/ikd.h"
#include "conf/conf.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/ev.h"
#include "lib/log.h"
#include "ikd/cert.h"
#include "tests/lib/certgen.h"
#include "tests/lib/ike_initiator.h"

#define PSK		"exchange-test-psk-0123456789"
#define SERVER_IP	"192.0.2.1"
#define CLIENT_IP	"192.0.2.2"
#define NAT_PUBLIC_IP	"192.0.2.2"
#define CLIENT_PRIV_IP	"198.51.100.2"

/* ---- mock kernel ---- */

#define MAX_REC		16

struct mock_kernel {
	unsigned int nalloc;
	uint32_t next_spi;
	struct xfrm_sa_req add[MAX_REC];
	unsigned int nadd;
	struct xfrm_sa_id del[MAX_REC];
	unsigned int ndel;
};

static struct mock_kernel mk;

static int
mock_spi_alloc(void *arg, const struct xfrm_spi_req *r, uint32_t *spi)
{
	struct mock_kernel *m = arg;

	assert_int_equal(r->reqid, XFRM_REQID_L2TP);
	m->nalloc++;
	*spi = m->next_spi++;
	return 0;
}

static int
mock_sa_add(void *arg, const struct xfrm_sa_req *r)
{
	struct mock_kernel *m = arg;

	assert_true(m->nadd < MAX_REC);
	m->add[m->nadd++] = *r;
	return 0;
}

static int
mock_sa_del(void *arg, const struct xfrm_sa_id *id)
{
	struct mock_kernel *m = arg;

	assert_true(m->ndel < MAX_REC);
	m->del[m->ndel++] = *id;
	return 0;
}

/* Counters derived from the SPI, so the control test can check them. */
static int
mock_sa_counters(void *arg, const struct xfrm_sa_id *id,
    struct xfrm_sa_counters *out)
{
	(void)arg;
	memset(out, 0, sizeof(*out));
	out->bytes = 1000 + (id->spi & 0xff);
	out->packets = 10 + (id->spi & 0xf);
	return 0;
}

static const struct ikd_kernel_ops mock_ops = {
	.spi_alloc = mock_spi_alloc,
	.sa_add = mock_sa_add,
	.sa_del = mock_sa_del,
	.sa_counters = mock_sa_counters,
};

/* ---- send capture ---- */

#define MAX_SENT	64

struct sent {
	uint8_t p[IKD_MSG_MAX];
	size_t len;
	struct ikd_path path;
};

static struct sent sent[MAX_SENT];
static size_t nsent;

static int
capture_send(void *arg, const struct ikd_path *path, const uint8_t *msg,
    size_t len)
{
	(void)arg;
	assert_true(nsent < MAX_SENT);
	assert_true(len <= IKD_MSG_MAX);
	memcpy(sent[nsent].p, msg, len);
	sent[nsent].len = len;
	sent[nsent].path = *path;
	nsent++;
	return 0;
}

/* ---- fixture ---- */

static struct vpn_conf *vconf;
static struct ikd ctx;

/* info/warning lines about a failed authentication, and the last one */
static unsigned int nauth_lines;
static char auth_line[512];
/* "certificate refused" lines and the last one; "established" lines */
static unsigned int ncert_lines;
static char cert_line[768];
static char est_line[768];

static void
sink(enum log_level level, const char *line)
{
	if (level <= LOG_LEVEL_INFO &&
	    strstr(line, "authentication failed") != NULL) {
		nauth_lines++;
		snprintf(auth_line, sizeof(auth_line), "%s", line);
	}
	if (level <= LOG_LEVEL_INFO &&
	    strstr(line, "certificate refused") != NULL) {
		ncert_lines++;
		snprintf(cert_line, sizeof(cert_line), "%s", line);
	}
	if (strstr(line, "ISAKMP SA established") != NULL)
		snprintf(est_line, sizeof(est_line), "%s", line);
	if (getenv("TEST_EXCHANGE_LOG") != NULL)
		fprintf(stderr, "%s\n", line);
}

static int
setup(void **state)
{
	struct conf_err err;

	(void)state;
	vconf = conf_parse_string("secrets_file = \"\";\n"
	    "ike = { kernel = \"none\"; psk = \"" PSK "\"; };\n", "t.conf",
	    NULL, &err);
	if (vconf == NULL) {
		fprintf(stderr, "conf: %s\n", err.msg);
		return -1;
	}
	log_set_sink(sink);
	log_setlevel(LOG_LEVEL_DEBUG);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	conf_free(vconf);
	log_set_sink(NULL);
	ike_crypto_cleanup();
	dh_cleanup();
	return 0;
}

static int
reset(void **state)
{
	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	memset(&mk, 0, sizeof(mk));
	mk.next_spi = 0xc0de0100;
	nsent = 0;
	nauth_lines = 0;
	auth_line[0] = '\0';
	ncert_lines = 0;
	cert_line[0] = '\0';
	est_line[0] = '\0';
	ikd_init(&ctx, vconf, NULL, &mock_ops, &mk, capture_send, NULL);
	return 0;
}

static int
done(void **state)
{
	(void)state;
	ikd_shutdown(&ctx, false);
	assert_int_equal(ctx.nsa, 0);
	assert_int_equal(ctx.half_open, 0);
	return 0;
}

/* ---- the scripted initiator (tests/lib/ike_initiator.c) ---- */

#define INI(pr, call) do {						\
	if ((call) == -1)						\
		fail_msg("initiator: %s", (pr)->err);			\
} while (0)

static void
mkaddr(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)(void *)ss;

	memset(ss, 0, sizeof(*ss));
	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, ip, &s4->sin_addr), 1);
}

static void
peer_init(struct ike_ini *pr, uint16_t encr, uint16_t keylen,
    enum ike_enc enc, uint16_t group, bool nat)
{
	INI(pr, ike_ini_init(pr, encr, keylen, enc, group, PSK, nat));
	mkaddr(&pr->p500.local, SERVER_IP, 500);
	mkaddr(&pr->p4500.local, SERVER_IP, 4500);
	if (nat) {
		/* the NAT maps 500 -> 1024 and 4500 -> 1025 */
		mkaddr(&pr->p500.remote, NAT_PUBLIC_IP, 1024);
		mkaddr(&pr->p4500.remote, NAT_PUBLIC_IP, 1025);
		mkaddr(&pr->self, CLIENT_PRIV_IP, 500);
	} else {
		mkaddr(&pr->p500.remote, CLIENT_IP, 500);
		mkaddr(&pr->p4500.remote, CLIENT_IP, 4500);
		mkaddr(&pr->self, CLIENT_IP, 500);
	}
}

static void
peer_free(struct ike_ini *pr)
{
	ike_ini_free(pr);
}

static void
feed(const uint8_t *p, size_t len, const struct ikd_path *path)
{
	struct ikd_pkt pkt;

	memset(&pkt, 0, sizeof(pkt));
	pkt.data = p;
	pkt.len = len;
	pkt.path = *path;
	ikd_input(&ctx, &pkt);
}

static void
hdr(const struct ike_ini *pr, struct isakmp_hdr *h, uint8_t exch,
    uint32_t mid)
{
	ike_ini_hdr(pr, h, exch, mid);
}

/* Parse a plaintext reply, header included. */
static void
parse_plain(const struct sent *s, struct isakmp_hdr *h,
    struct isakmp_msg *msg)
{
	static struct ike_ini any;

	INI(&any, ike_ini_parse_plain(&any, s->p, s->len, h, msg));
}

/* Decrypt a reply under mid's IV chain (committed), parse it. */
static void
open_reply(struct ike_ini *pr, const struct sent *s, uint8_t *plain,
    struct isakmp_hdr *h, struct isakmp_msg *msg)
{
	INI(pr, ike_ini_open(pr, s->p, s->len, plain, h, msg));
}

static size_t
build_mm1(struct ike_ini *pr, uint8_t *out)
{
	size_t len;

	INI(pr, ike_ini_build_mm1(pr, out, &len));
	return len;
}

static size_t
build_mm3(struct ike_ini *pr, uint8_t *out)
{
	size_t len;

	INI(pr, ike_ini_build_mm3(pr, out, &len));
	return len;
}

/* MM4 in: check NAT-D, derive the keys (with our PSK). */
static void
recv_mm4(struct ike_ini *pr, const struct sent *s)
{
	INI(pr, ike_ini_recv_mm4(pr, s->p, s->len));
}

static size_t
build_mm5(struct ike_ini *pr, uint8_t *out, bool initial_contact)
{
	size_t len;

	INI(pr, ike_ini_build_mm5(pr, initial_contact, out, &len));
	return len;
}

static void
recv_mm6(struct ike_ini *pr, const struct sent *s)
{
	INI(pr, ike_ini_recv_mm6(pr, s->p, s->len));
}

/* Run Main Mode to the end; returns the path MM5 went on. */
static const struct ikd_path *
main_mode(struct ike_ini *pr)
{
	uint8_t m[IKD_MSG_MAX];
	const struct ikd_path *p5;
	size_t len, n0;

	len = build_mm1(pr, m);
	feed(m, len, &pr->p500);
	assert_int_equal(nsent, 1);
	INI(pr, ike_ini_recv_mm2(pr, sent[0].p, sent[0].len));

	len = build_mm3(pr, m);
	feed(m, len, &pr->p500);
	assert_int_equal(nsent, 2);
	recv_mm4(pr, &sent[1]);

	/* RFC 3947 4: float to 4500 once NAT is seen */
	p5 = ike_ini_mm_path(pr);
	len = build_mm5(pr, m, false);
	n0 = nsent;
	feed(m, len, p5);
	assert_int_equal(nsent, n0 + 1);
	assert_true(sa_equal(&sent[n0].path.remote, &p5->remote, true));
	assert_int_equal(sent[n0].path.natt, p5->natt);
	recv_mm6(pr, &sent[n0]);
	return p5;
}

static size_t
build_qm1(struct ike_ini *pr, uint8_t *out)
{
	size_t len;

	INI(pr, ike_ini_build_qm1(pr, out, &len));
	return len;
}

static void
recv_qm2(struct ike_ini *pr, const struct sent *s)
{
	INI(pr, ike_ini_recv_qm2(pr, s->p, s->len));
}

static size_t
build_qm3(struct ike_ini *pr, uint8_t *out)
{
	size_t len;

	INI(pr, ike_ini_build_qm3(pr, out, &len));
	return len;
}

/* The installed keys must be the initiator's KEYMAT for that SPI. */
static void
check_keys(struct ike_ini *pr, const struct xfrm_sa_req *r)
{
	struct ike_secret *km;

	km = ike_ini_keymat(pr, r->spi, 32 + 20);
	assert_non_null(km);
	assert_int_equal(r->enc, XFRM_ENC_AES_CBC);
	assert_int_equal(r->enc_key_len, 32);
	assert_memory_equal(r->enc_key, km->p, 32);
	assert_int_equal(r->auth, XFRM_AUTH_HMAC_SHA1_96);
	assert_int_equal(r->auth_key_len, 20);
	assert_memory_equal(r->auth_key, km->p + 32, 20);
	ike_secret_free(km);
}

/*
 * The datagrams ikd sent from sent[n0] on. A whole message (no fragment):
 * it must be the only one, copied to *out; returns 0. IKE fragments: each
 * must be ID_PROT, M-ID 0, flags 0, numbered from 1, at most dgram_max
 * bytes, on the first one's path, all with one fragment ID (*id); frag.c
 * reassembles them into *out only at the last; returns their count.
 */
static size_t
take_reply(size_t n0, size_t dgram_max, struct sent *out, uint16_t *id)
{
	struct frag_table *t;
	struct frag_msg fm;
	enum frag_result res = FRAG_PENDING;
	uint8_t *msg = NULL;
	size_t i, len = 0;

	assert_true(nsent > n0);
	if (frag_msg_parse(sent[n0].p, sent[n0].len, &fm) ==
	    ISAKMP_ERR_WRONG_TYPE) {
		assert_int_equal(nsent, n0 + 1);
		*out = sent[n0];
		return 0;
	}
	t = frag_table_new(IKD_MSG_MAX);
	assert_non_null(t);
	for (i = n0; i < nsent; i++) {
		assert_int_equal(res, FRAG_PENDING);
		assert_int_equal(frag_msg_parse(sent[i].p, sent[i].len, &fm),
		    ISAKMP_OK);
		assert_int_equal(fm.hdr.exchange, ISAKMP_EXCH_IDPROT);
		assert_int_equal(fm.hdr.msgid, 0);
		assert_int_equal(fm.hdr.flags, 0);
		assert_int_equal(fm.frag.number, i - n0 + 1);
		assert_true(sent[i].len <= dgram_max);
		if (i == n0)
			*id = fm.frag.id;
		assert_int_equal(fm.frag.id, *id);
		assert_true(sa_equal(&sent[i].path.remote,
		    &sent[n0].path.remote, true));
		assert_int_equal(sent[i].path.natt, sent[n0].path.natt);
		res = frag_recv(t, &sent[i].path.local, sent[i].p,
		    sent[i].len, &msg, &len);
	}
	assert_int_equal(res, FRAG_DONE);
	assert_true(len <= sizeof(out->p));
	memcpy(out->p, msg, len);
	out->len = len;
	out->path = sent[n0].path;
	free(msg);
	frag_table_free(t);
	return nsent - n0;
}

/* Quick Mode; returns how many fragments QM2 came in (0: whole). */
static size_t
quick_mode(struct ike_ini *pr, const struct ikd_path *path)
{
	static struct sent qm2;
	uint8_t m[IKD_MSG_MAX];
	size_t len, n0, nfrag, ndgram;
	uint16_t id;

	len = build_qm1(pr, m);
	n0 = nsent;
	feed(m, len, path);
	nfrag = take_reply(n0, IKD_FRAG_SEND_THRESHOLD, &qm2, &id);
	ndgram = nfrag > 0 ? nfrag : 1;
	assert_int_equal(mk.nalloc, 1);
	recv_qm2(pr, &qm2);
	assert_int_equal(pr->spi_r, 0xc0de0100);
	len = build_qm3(pr, m);
	feed(m, len, path);
	/* nothing to answer, unless COMMIT asked for CONNECTED */
	assert_int_equal(nsent, n0 + ndgram + (pr->qm_flags &
	    ISAKMP_FLAG_COMMIT ? 1 : 0));
	assert_int_equal(mk.nadd, 2);
	/* inbound: our SPI, from the peer; outbound: its SPI */
	assert_int_equal(mk.add[0].dir, XFRM_DIR_IN);
	assert_int_equal(mk.add[0].spi, pr->spi_r);
	assert_int_equal(mk.add[1].dir, XFRM_DIR_OUT);
	assert_int_equal(mk.add[1].spi, pr->spi_i);
	check_keys(pr, &mk.add[0]);
	check_keys(pr, &mk.add[1]);
	assert_int_equal(mk.add[0].hard_secs,
	    pr->qm_life < 28800 ? pr->qm_life : 28800);
	assert_int_equal(mk.add[0].sel.proto, IPPROTO_UDP);
	assert_int_equal(mk.add[0].sel.dport, 1701);
	assert_int_equal(mk.add[1].sel.sport, 1701);
	assert_int_equal(mk.add[0].reqid, XFRM_REQID_L2TP);
	return nfrag;
}

static void
run_full(uint16_t encr, uint16_t keylen, enum ike_enc enc, uint16_t group)
{
	struct ike_ini pr;
	const struct ikd_path *p;

	peer_init(&pr, encr, keylen, enc, group, false);
	p = main_mode(&pr);
	assert_int_equal(ctx.ctr.p1_established, 1);
	assert_int_equal(ctx.half_open, 0);
	/* no VID, no fragments from the peer: nothing is fragmented */
	assert_int_equal(quick_mode(&pr, p), 0);
	assert_false(mk.add[0].encap);
	assert_int_equal(ctx.ctr.qm_done, 1);
	assert_int_equal(ctx.ctr.malformed, 0);
	peer_free(&pr);
}

static void
test_full_aes256_sha1_modp2048(void **state)
{
	(void)state;
	run_full(IKE_ENCR_AES_CBC, 256, IKE_ENC_AES256_CBC,
	    IKE_GROUP_MODP_2048);
}

static void
test_full_aes128_sha1_ecp256(void **state)
{
	(void)state;
	run_full(IKE_ENCR_AES_CBC, 128, IKE_ENC_AES128_CBC, IKE_GROUP_ECP_256);
}

static void
test_full_3des_modp1024(void **state)
{
	(void)state;
	/* the Windows-like legacy proposal of the e2e strongSwan client */
	run_full(IKE_ENCR_3DES_CBC, 0, IKE_ENC_3DES_CBC, IKE_GROUP_MODP_1024);
}

static void
test_nat_float(void **state)
{
	struct ike_ini pr;
	const struct ikd_path *p;
	struct ike_sa *sa;

	(void)state;
	peer_init(&pr, IKE_ENCR_AES_CBC, 128, IKE_ENC_AES128_CBC,
	    IKE_GROUP_ECP_256, true);
	p = main_mode(&pr);
	assert_true(p->natt);
	sa = TAILQ_FIRST(&ctx.sas);
	assert_non_null(sa);
	assert_true(sa->peer_natted);
	assert_false(sa->local_natted);
	assert_true(sa->path.natt);
	assert_int_equal(sa_port(&sa->path.remote), 1025);
	quick_mode(&pr, p);
	/* RFC 3948: ESP in UDP, ports as on the wire */
	assert_true(mk.add[0].encap);
	assert_int_equal(mk.add[0].encap_sport, 1025);
	assert_int_equal(mk.add[0].encap_dport, 4500);
	assert_true(mk.add[1].encap);
	assert_int_equal(mk.add[1].encap_sport, 4500);
	assert_int_equal(mk.add[1].encap_dport, 1025);
	/* SAs use the public address, not IDci (RFC 3947 5.2) */
	assert_memory_equal(&mk.add[1].dst.v4,
	    &((const struct sockaddr_in *)(const void *)&p->remote)->sin_addr,
	    4);
	peer_free(&pr);
}

static void
hex_cookies(const uint8_t *icky, const uint8_t *rcky, char *out)
{
	size_t i;

	for (i = 0; i < ISAKMP_COOKIE_LEN; i++)
		sprintf(out + 2 * i, "%02x", icky[i]);
	out[2 * ISAKMP_COOKIE_LEN] = '/';
	for (i = 0; i < ISAKMP_COOKIE_LEN; i++)
		sprintf(out + 2 * ISAKMP_COOKIE_LEN + 1 + 2 * i, "%02x",
		    rcky[i]);
}

/*
 * MM1, MM3 and an MM5 that ikd refuses: no MM6, the SA is gone, nothing
 * reached the kernel. The refused MM5 is left in m, its length in *len.
 */
static void
mm_refused_at_mm5(struct ike_ini *pr, uint8_t *m, size_t *len)
{
	struct isakmp_hdr h;
	struct isakmp_msg msg;

	*len = build_mm1(pr, m);
	feed(m, *len, &pr->p500);
	parse_plain(&sent[0], &h, &msg);
	memcpy(pr->rcky, h.rcookie, 8);
	*len = build_mm3(pr, m);
	feed(m, *len, &pr->p500);
	recv_mm4(pr, &sent[1]);
	*len = build_mm5(pr, m, false);
	feed(m, *len, &pr->p500);
	assert_int_equal(nsent, 2);
	assert_int_equal(ctx.nsa, 0);
	assert_int_equal(ctx.ctr.auth_failed, 1);
	assert_int_equal(mk.nalloc + mk.nadd, 0);
}

/* line names pr's address and port 500 and both of its cookies. */
static void
assert_names_peer(const char *line, const struct ike_ini *pr)
{
	char ck[4 * ISAKMP_COOKIE_LEN + 2], want[96];

	snprintf(want, sizeof(want), "%s:500", CLIENT_IP);
	if (strstr(line, want) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", line, want);
	hex_cookies(pr->icky, pr->rcky, ck);
	snprintf(want, sizeof(want), "(cookies %s)", ck);
	if (strstr(line, want) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", line, want);
}

/* Whether a plaintext message carries the FRAGMENTATION vendor ID. */
static bool
has_frag_vid(const struct sent *s)
{
	const struct isakmp_payload *pl;
	struct isakmp_data vid;
	struct isakmp_hdr h;
	struct isakmp_msg msg;
	uint32_t suffix;

	parse_plain(s, &h, &msg);
	for (pl = isakmp_msg_first(&msg, ISAKMP_PAYLOAD_VID); pl != NULL;
	    pl = isakmp_msg_next(&msg, pl)) {
		assert_int_equal(isakmp_data_parse(&pl->body, pl->type, &vid),
		    ISAKMP_OK);
		if (isakmp_vid_lookup(vid.data, vid.len, &suffix) ==
		    ISAKMP_VID_FRAGMENTATION)
			return true;
	}
	return false;
}

/*
 * Split m into fragments of at most dgram_max bytes (as strongSwan and
 * Windows do: exchange ID_PROT, M-ID 0) and feed them last first: ikd
 * must stay silent until the last one is in. Returns the fragment count.
 */
static size_t
feed_fragmented(const uint8_t *m, size_t len, uint16_t id, size_t dgram_max,
    const struct ikd_path *path)
{
	static uint8_t buf[2 * IKD_MSG_MAX];
	size_t off[FRAG_MAX_FRAGS + 1], n, i, n0 = nsent;

	assert_true(frag_split(m, len, id, ISAKMP_EXCH_IDPROT, dgram_max, buf,
	    sizeof(buf), off, &n));
	assert_true(n > 1);
	for (i = n; i-- > 0;) {
		assert_true(off[i + 1] - off[i] <= dgram_max);
		feed(buf + off[i], off[i + 1] - off[i], path);
		if (i > 0)
			assert_int_equal(nsent, n0);
	}
	return n;
}

/*
 * Main Mode with every initiator message fragmented (Windows with the
 * FRAGMENTATION VID), behind NAT so MM5's fragments come on 4500; a
 * fragmented MM3 sent again gets the same MM4; then Quick Mode. ikd
 * mirrors the peer: its answers after MM2 come in fragments of
 * IKD_FRAG_MIN_DATA bytes (the peer's are smaller), MM2 never.
 */
static void
test_fragmented_main_mode(void **state)
{
	static struct sent reply;
	struct ike_ini pr, plain;
	uint8_t m[IKD_MSG_MAX];
	const struct ikd_path *p5;
	const struct frag_stats *st;
	size_t len, n0, n4, n6, i, nfrag = 0;
	uint16_t id4, id6;

	(void)state;
	peer_init(&pr, IKE_ENCR_AES_CBC, 256, IKE_ENC_AES256_CBC,
	    IKE_GROUP_MODP_2048, true);
	pr.vid_frag = true;
	len = build_mm1(&pr, m);
	nfrag += feed_fragmented(m, len, 1, 80, &pr.p500);
	assert_int_equal(nsent, 1);
	assert_true(has_frag_vid(&sent[0]));
	INI(&pr, ike_ini_recv_mm2(&pr, sent[0].p, sent[0].len));

	len = build_mm3(&pr, m);
	nfrag += feed_fragmented(m, len, 2, 80, &pr.p500);
	n4 = take_reply(1, ISAKMP_HDR_LEN + FRAG_PAYLOAD_HDR_LEN +
	    IKD_FRAG_MIN_DATA, &reply, &id4);
	assert_true(n4 > 1);
	recv_mm4(&pr, &reply);
	/* the whole fragmented MM3 again: the same MM4 fragments (same
	 * fragment ID), processed once */
	nfrag += feed_fragmented(m, len, 2, 80, &pr.p500);
	assert_int_equal(nsent, 1 + 2 * n4);
	for (i = 1; i <= n4; i++) {
		assert_int_equal(sent[i + n4].len, sent[i].len);
		assert_memory_equal(sent[i + n4].p, sent[i].p, sent[i].len);
	}
	assert_int_equal(ctx.ctr.retransmits, 1);

	p5 = ike_ini_mm_path(&pr);
	assert_true(p5->natt);
	len = build_mm5(&pr, m, false);
	n0 = nsent;
	nfrag += feed_fragmented(m, len, 3, 60, p5);
	n6 = take_reply(n0, ISAKMP_HDR_LEN + FRAG_PAYLOAD_HDR_LEN +
	    IKD_FRAG_MIN_DATA, &reply, &id6);
	assert_true(n6 > 1);
	assert_int_equal(id6, id4 + 1);
	assert_true(sa_equal(&sent[n0].path.remote, &p5->remote, true));
	assert_true(sent[n0].path.natt);
	recv_mm6(&pr, &reply);
	assert_int_equal(ctx.ctr.p1_established, 1);

	st = frag_table_stats(ctx.frag);
	assert_int_equal(st->reassembled, 4);
	assert_int_equal(st->fragments, nfrag);
	assert_int_equal(ctx.ctr.frag_in, nfrag);
	assert_int_equal(frag_pending(ctx.frag), 0);
	assert_int_equal(ctx.ctr.malformed, 0);
	assert_true(quick_mode(&pr, p5) > 1);
	assert_int_equal(ctx.ctr.qm_done, 1);
	/* MM4 twice, MM6, QM2 */
	assert_int_equal(ctx.ctr.frag_msgs_out, 4);
	peer_free(&pr);

	/* a peer that did not announce it does not get the VID */
	peer_init(&plain, IKE_ENCR_AES_CBC, 128, IKE_ENC_AES128_CBC,
	    IKE_GROUP_MODP_2048, false);
	len = build_mm1(&plain, m);
	n0 = nsent;
	feed(m, len, &plain.p500);
	assert_int_equal(nsent, n0 + 1);
	assert_false(has_frag_vid(&sent[n0]));
	peer_free(&plain);
}

/*
 * Main Mode with RSA signatures (RFC 2409 5.1): the server asks for a
 * certificate of its CA in MM4, authenticates with its certificate and
 * DN in MM6, and Quick Mode follows. A client certificate of another CA
 * is refused with one line naming subject, issuer and reason, and
 * nothing reaches the kernel.
 */
struct pki_fx {
	char dir[64], ca[96], cert[96], key[96];
	EVP_PKEY *cakey, *skey, *ckey, *okey;
	X509 *ca_x, *srv, *cli, *other_ca, *other_cli;
	uint8_t *cli_der, *cli_dn, *other_der, *srv_der;
	size_t cli_len, cli_dn_len, other_len, srv_len;
};

/*
 * ctx.certs from k's CA, server certificate and key, plus sc (NULL: none)
 * as ike.server_certs. The conf's strings belong to it: load from a copy.
 */
static void
pki_load(struct pki_fx *k, struct conf_server_cert *sc)
{
	struct ike_conf c;
	char err[512];

	c = vconf->ike;
	c.ca_file = k->ca;
	c.cert_file = k->cert;
	c.key_file = k->key;
	c.crl_file = NULL;
	c.cert_allow = NULL;
	c.ncert_allow = 0;
	c.server_certs = sc;
	c.nserver_certs = sc != NULL ? 1 : 0;
	if (ikd_certs_load(&c, &ctx.certs, err, sizeof(err)) == -1)
		fail_msg("ikd_certs_load: %s", err);
}

/* pr with AES-256/MODP-2048, signing with the client key of k, sending
 * the certificate der (ID: the subject DN of k's client certificate). */
static void
cert_peer_init(struct ike_ini *pr, const struct pki_fx *k,
    const uint8_t *der, size_t len)
{
	peer_init(pr, IKE_ENCR_AES_CBC, 256, IKE_ENC_AES256_CBC,
	    IKE_GROUP_MODP_2048, false);
	pr->sig_key = k->ckey;
	pr->cert_der = der;
	pr->cert_len = len;
	pr->id_der = k->cli_dn;
	pr->id_der_len = k->cli_dn_len;
}

static void
pki_make(struct pki_fx *k, bool ec)
{
	memset(k, 0, sizeof(*k));
	snprintf(k->dir, sizeof(k->dir), "/tmp/test_exchange.XXXXXX");
	assert_non_null(mkdtemp(k->dir));
	snprintf(k->ca, sizeof(k->ca), "%s/ca.crt", k->dir);
	snprintf(k->cert, sizeof(k->cert), "%s/server.crt", k->dir);
	snprintf(k->key, sizeof(k->key), "%s/server.key", k->dir);
	assert_non_null(k->cakey = certgen_rsa(2048));
	assert_non_null(k->skey = ec ? certgen_ec("P-256") : certgen_rsa(2048));
	assert_non_null(k->ckey = ec ? certgen_ec("P-256") : certgen_rsa(2048));
	assert_non_null(k->okey = certgen_rsa(2048));
	assert_non_null(k->ca_x = certgen_cert(NULL, NULL, k->cakey,
	    "/CN=Exchange CA", 1, -1, 100, true, NULL, NULL));
	assert_non_null(k->srv = certgen_cert(k->ca_x, k->cakey, k->skey,
	    "/CN=vpn.test", 2, -1, 100, false, "vpn.test", SERVER_IP));
	assert_non_null(k->cli = certgen_cert(k->ca_x, k->cakey, k->ckey,
	    "/CN=e2e-alice", 3, -1, 100, false, NULL, NULL));
	assert_non_null(k->other_ca = certgen_cert(NULL, NULL, k->okey,
	    "/CN=Other CA", 1, -1, 100, true, NULL, NULL));
	assert_non_null(k->other_cli = certgen_cert(k->other_ca, k->okey,
	    k->ckey, "/CN=e2e-alice", 3, -1, 100, false, NULL, NULL));
	assert_non_null(k->cli_der = certgen_der(k->cli, &k->cli_len));
	assert_non_null(k->srv_der = certgen_der(k->srv, &k->srv_len));
	assert_non_null(k->other_der = certgen_der(k->other_cli,
	    &k->other_len));
	assert_non_null(k->cli_dn = certgen_subject_der(k->cli,
	    &k->cli_dn_len));
	assert_int_equal(certgen_write_cert(k->ca, k->ca_x, false), 0);
	assert_int_equal(certgen_write_cert(k->cert, k->srv, false), 0);
	assert_int_equal(certgen_write_key(k->key, k->skey), 0);
	pki_load(k, NULL);
}

static void
pki_free(struct pki_fx *k)
{
	char cmd[128];

	ikd_certs_free(ctx.certs);
	ctx.certs = NULL;
	EVP_PKEY_free(k->cakey);
	EVP_PKEY_free(k->skey);
	EVP_PKEY_free(k->ckey);
	EVP_PKEY_free(k->okey);
	X509_free(k->ca_x);
	X509_free(k->srv);
	X509_free(k->cli);
	X509_free(k->other_ca);
	X509_free(k->other_cli);
	OPENSSL_free(k->cli_der);
	OPENSSL_free(k->srv_der);
	OPENSSL_free(k->other_der);
	OPENSSL_free(k->cli_dn);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", k->dir);
	assert_int_equal(system(cmd), 0);
}

static void
cert_main_mode(bool ec)
{
	struct pki_fx k;
	struct ike_ini pr;
	const struct ikd_path *p;
	uint8_t *ca_dn;
	size_t ca_dn_len;

	pki_make(&k, ec);
	cert_peer_init(&pr, &k, k.cli_der, k.cli_len);
	/* strongSwan sends a CERTREQ naming the CA it trusts */
	ca_dn = certgen_subject_der(k.ca_x, &ca_dn_len);
	pr.certreq_dn = ca_dn;
	pr.certreq_len = ca_dn_len;
	p = main_mode(&pr);
	assert_int_equal(pr.mm4_certreqs, 1);
	assert_int_equal(pr.mm6_cert_len, k.srv_len);
	assert_memory_equal(pr.mm6_cert, k.srv_der, k.srv_len);
	assert_int_equal(ctx.ctr.p1_established, 1);
	assert_non_null(strstr(est_line, "peer ID CN=e2e-alice"));
	assert_non_null(strstr(est_line, ec ? " ecdsa256 " : " rsasig "));
	assert_non_null(strstr(est_line, "certificate \"CN=e2e-alice\" from "
	    "\"CN=Exchange CA\""));
	quick_mode(&pr, p);
	assert_int_equal(ctx.ctr.qm_done, 1);
	assert_int_equal(ctx.ctr.malformed, 0);
	assert_int_equal(ncert_lines, 0);
	peer_free(&pr);
	OPENSSL_free(ca_dn);
	pki_free(&k);
}

static void
test_cert_main_mode(void **state)
{
	(void)state;
	cert_main_mode(false);
}

static void
test_cert_main_mode_ecdsa(void **state)
{
	(void)state;
	cert_main_mode(true);
}

/* ike.server_certs: a CERTREQ for the other CA gets our certificate from
 * that CA in MM6 (and its key's SIG_R). */
static void
test_cert_chosen_by_certreq(void **state)
{
	struct pki_fx k;
	struct ike_ini pr;
	struct conf_server_cert sc;
	EVP_PKEY *k2;
	X509 *s2;
	uint8_t *s2_der, *other_dn;
	size_t s2_len, other_len;
	char crt[128], key[128];

	(void)state;
	pki_make(&k, false);
	assert_non_null(k2 = certgen_rsa(2048));
	assert_non_null(s2 = certgen_cert(k.other_ca, k.okey, k2,
	    "/CN=vpn2.test", 9, -1, 100, false, "vpn2.test", NULL));
	snprintf(crt, sizeof(crt), "%s/s2.crt", k.dir);
	snprintf(key, sizeof(key), "%s/s2.key", k.dir);
	assert_int_equal(certgen_write_cert(crt, s2, false), 0);
	assert_int_equal(certgen_write_key(key, k2), 0);
	ikd_certs_free(ctx.certs);
	sc.cert_file = crt;
	sc.key_file = key;
	sc.line = 1;
	pki_load(&k, &sc);
	cert_peer_init(&pr, &k, k.cli_der, k.cli_len);
	other_dn = certgen_subject_der(k.other_ca, &other_len);
	pr.certreq_dn = other_dn;
	pr.certreq_len = other_len;
	(void)main_mode(&pr);
	assert_int_equal(ctx.ctr.p1_established, 1);
	s2_der = certgen_der(s2, &s2_len);
	assert_int_equal(pr.mm6_cert_len, s2_len);
	assert_memory_equal(pr.mm6_cert, s2_der, s2_len);
	peer_free(&pr);
	OPENSSL_free(s2_der);
	OPENSSL_free(other_dn);
	X509_free(s2);
	EVP_PKEY_free(k2);
	pki_free(&k);
}

static void
test_cert_refused(void **state)
{
	uint8_t m[IKD_MSG_MAX];
	struct pki_fx k;
	struct ike_ini pr;
	size_t len;

	(void)state;
	pki_make(&k, false);
	cert_peer_init(&pr, &k, k.other_der, k.other_len);
	mm_refused_at_mm5(&pr, m, &len);
	assert_int_equal(ncert_lines, 1);
	assert_names_peer(cert_line, &pr);
	assert_non_null(strstr(cert_line, "subject \"CN=e2e-alice\", issuer "
	    "\"CN=Other CA\": unable to get local issuer certificate"));
	peer_free(&pr);
	/* a PSK client still gets in while certificates are configured */
	memset(&mk, 0, sizeof(mk));
	mk.next_spi = 0xc0de0100;
	nsent = 0;
	peer_init(&pr, IKE_ENCR_AES_CBC, 256, IKE_ENC_AES256_CBC,
	    IKE_GROUP_MODP_2048, false);
	(void)main_mode(&pr);
	assert_non_null(strstr(est_line, "pre-shared key"));
	peer_free(&pr);
	pki_free(&k);
}

static void
test_wrong_psk(void **state)
{
	uint8_t m[IKD_MSG_MAX];
	struct ike_ini pr;
	size_t len;

	(void)state;
	peer_init(&pr, IKE_ENCR_AES_CBC, 256, IKE_ENC_AES256_CBC,
	    IKE_GROUP_MODP_2048, false);
	pr.psk = "not-the-right-psk-at-all";
	mm_refused_at_mm5(&pr, m, &len);
	/* its retransmission finds nothing */
	feed(m, len, &pr.p500);
	assert_int_equal(nsent, 2);
	assert_int_equal(ctx.ctr.unknown_sa, 1);
	/*
	 * Exactly one operator-level line, even after the retransmission,
	 * naming the peer (address:port), both cookies and the cause.
	 */
	assert_int_equal(nauth_lines, 1);
	assert_names_peer(auth_line, &pr);
	assert_non_null(strstr(auth_line, "wrong PSK"));
	assert_non_null(strstr(auth_line, "psk from ike.psk"));
	assert_null(strstr(auth_line, PSK));
	assert_null(strstr(auth_line, pr.psk));
	peer_free(&pr);
}

static void
test_duplicate_mm3(void **state)
{
	uint8_t m[IKD_MSG_MAX], m1[IKD_MSG_MAX];
	struct isakmp_hdr h;
	struct isakmp_msg msg;
	struct ike_ini pr;
	size_t len, len1;

	(void)state;
	peer_init(&pr, IKE_ENCR_AES_CBC, 256, IKE_ENC_AES256_CBC,
	    IKE_GROUP_MODP_2048, false);
	len1 = build_mm1(&pr, m1);
	feed(m1, len1, &pr.p500);
	/* a resent MM1 gets the same MM2 and makes no new SA */
	feed(m1, len1, &pr.p500);
	assert_int_equal(nsent, 2);
	assert_int_equal(sent[0].len, sent[1].len);
	assert_memory_equal(sent[0].p, sent[1].p, sent[0].len);
	assert_int_equal(ctx.nsa, 1);
	parse_plain(&sent[0], &h, &msg);
	memcpy(pr.rcky, h.rcookie, 8);
	len = build_mm3(&pr, m);
	feed(m, len, &pr.p500);
	feed(m, len, &pr.p500);
	assert_int_equal(nsent, 4);
	assert_int_equal(sent[2].len, sent[3].len);
	assert_memory_equal(sent[2].p, sent[3].p, sent[2].len);
	assert_int_equal(ctx.ctr.retransmits, 2);
	/* and the exchange still completes with those keys */
	recv_mm4(&pr, &sent[3]);
	len = build_mm5(&pr, m, false);
	feed(m, len, &pr.p500);
	assert_int_equal(nsent, 5);
	recv_mm6(&pr, &sent[4]);
	/* a resent MM5 gets MM6 again, byte for byte */
	feed(m, len, &pr.p500);
	assert_int_equal(nsent, 6);
	assert_memory_equal(sent[4].p, sent[5].p, sent[4].len);
	peer_free(&pr);
}

static void
test_qm_tcp_refused(void **state)
{
	uint8_t m[IKD_MSG_MAX], plain[IKD_MSG_MAX];
	const struct isakmp_payload *pl;
	const struct ikd_path *p;
	struct isakmp_hdr h;
	struct isakmp_msg msg;
	struct isakmp_notify n;
	struct ike_ini pr;
	size_t len, n0;

	(void)state;
	peer_init(&pr, IKE_ENCR_AES_CBC, 128, IKE_ENC_AES128_CBC,
	    IKE_GROUP_ECP_256, false);
	pr.id_proto = IPPROTO_TCP;
	p = main_mode(&pr);
	len = build_qm1(&pr, m);
	n0 = nsent;
	feed(m, len, p);
	assert_int_equal(mk.nalloc, 0);
	assert_int_equal(mk.nadd, 0);
	assert_int_equal(ctx.ctr.qm_refused, 1);
	/* a protected INVALID-ID-INFORMATION notify */
	assert_int_equal(nsent, n0 + 1);
	open_reply(&pr, &sent[n0], plain, &h, &msg);
	assert_int_equal(h.exchange, ISAKMP_EXCH_INFO);
	pl = isakmp_msg_first(&msg, ISAKMP_PAYLOAD_N);
	assert_non_null(pl);
	assert_int_equal(isakmp_notify_parse(&pl->body, &n), 0);
	assert_int_equal(n.type, ISAKMP_N_INVALID_ID_INFORMATION);
	peer_free(&pr);
}

/* Send a protected Informational with one notify or delete. */
static void
send_info(struct ike_ini *pr, const struct ikd_path *path, uint32_t mid,
    const struct isakmp_notify *n, const struct isakmp_delete *d)
{
	uint8_t m[IKD_MSG_MAX];
	size_t len;

	INI(pr, ike_ini_build_info(pr, mid, n, d, m, &len));
	feed(m, len, path);
}

static void
test_info_dpd_delete(void **state)
{
	uint8_t plain[IKD_MSG_MAX], spi[16], seq[4] = { 0, 0, 0x12, 0x34 };
	uint8_t espi[4];
	const struct isakmp_payload *pl;
	const struct ikd_path *p;
	struct isakmp_hdr h;
	struct isakmp_msg msg;
	struct isakmp_notify n, an;
	struct isakmp_delete d;
	struct ike_ini pr;
	size_t n0;

	(void)state;
	peer_init(&pr, IKE_ENCR_AES_CBC, 128, IKE_ENC_AES128_CBC,
	    IKE_GROUP_ECP_256, false);
	p = main_mode(&pr);
	quick_mode(&pr, p);

	/* RFC 3706: R-U-THERE -> R-U-THERE-ACK with the same sequence */
	memcpy(spi, pr.icky, 8);
	memcpy(spi + 8, pr.rcky, 8);
	memset(&n, 0, sizeof(n));
	n.doi = ISAKMP_DOI_IPSEC;
	n.protocol = IPSEC_PROTO_ISAKMP;
	n.spi_size = 16;
	n.spi = spi;
	n.type = ISAKMP_N_R_U_THERE;
	n.data = seq;
	n.len = 4;
	n0 = nsent;
	send_info(&pr, p, 0x70000001, &n, NULL);
	assert_int_equal(nsent, n0 + 1);
	open_reply(&pr, &sent[n0], plain, &h, &msg);
	ike_ivs_drop(pr.ivs, h.msgid);
	pl = isakmp_msg_first(&msg, ISAKMP_PAYLOAD_N);
	assert_non_null(pl);
	assert_int_equal(isakmp_notify_parse(&pl->body, &an), 0);
	assert_int_equal(an.type, ISAKMP_N_R_U_THERE_ACK);
	assert_int_equal(an.len, 4);
	assert_memory_equal(an.data, seq, 4);

	/* Delete of the ESP SA: both kernel SAs go */
	espi[0] = (uint8_t)(pr.spi_i >> 24);
	espi[1] = (uint8_t)(pr.spi_i >> 16);
	espi[2] = (uint8_t)(pr.spi_i >> 8);
	espi[3] = (uint8_t)pr.spi_i;
	memset(&d, 0, sizeof(d));
	d.doi = ISAKMP_DOI_IPSEC;
	d.protocol = IPSEC_PROTO_ESP;
	d.spi_size = 4;
	d.count = 1;
	d.spis = espi;
	send_info(&pr, p, 0x70000002, NULL, &d);
	assert_int_equal(mk.ndel, 2);
	assert_true(TAILQ_EMPTY(&ctx.children));

	/* Delete of the ISAKMP SA */
	d.protocol = IPSEC_PROTO_ISAKMP;
	d.spi_size = 16;
	d.spis = spi;
	send_info(&pr, p, 0x70000003, NULL, &d);
	assert_int_equal(ctx.nsa, 0);
	assert_int_equal(ctx.ctr.malformed, 0);
	peer_free(&pr);
}

static void
test_initial_contact(void **state)
{
	struct ike_ini a, b;
	const struct ikd_path *p;
	uint8_t m[IKD_MSG_MAX];
	struct isakmp_hdr h;
	struct isakmp_msg msg;
	size_t len, n0;

	(void)state;
	peer_init(&a, IKE_ENCR_AES_CBC, 128, IKE_ENC_AES128_CBC,
	    IKE_GROUP_ECP_256, false);
	p = main_mode(&a);
	quick_mode(&a, p);
	assert_int_equal(ctx.nsa, 1);

	/* the same peer again (a reboot) with INITIAL-CONTACT */
	peer_init(&b, IKE_ENCR_AES_CBC, 128, IKE_ENC_AES128_CBC,
	    IKE_GROUP_ECP_256, false);
	n0 = nsent;
	len = build_mm1(&b, m);
	feed(m, len, &b.p500);
	parse_plain(&sent[n0], &h, &msg);
	memcpy(b.rcky, h.rcookie, 8);
	len = build_mm3(&b, m);
	feed(m, len, &b.p500);
	recv_mm4(&b, &sent[n0 + 1]);
	len = build_mm5(&b, m, true);
	feed(m, len, &b.p500);
	recv_mm6(&b, &sent[n0 + 2]);
	/* the older ISAKMP SA and its ESP pair are gone */
	assert_int_equal(ctx.nsa, 1);
	assert_int_equal(mk.ndel, 2);
	assert_true(TAILQ_EMPTY(&ctx.children));
	peer_free(&a);
	peer_free(&b);
}

static void
test_garbage(void **state)
{
	uint8_t m[IKD_MSG_MAX], r[IKD_MSG_MAX];
	struct isakmp_hdr h;
	struct isakmp_msg msg;
	struct ike_ini pr;
	size_t len, i, j;

	(void)state;
	peer_init(&pr, IKE_ENCR_AES_CBC, 256, IKE_ENC_AES256_CBC,
	    IKE_GROUP_MODP_2048, false);
	len = build_mm1(&pr, m);
	/* every truncation of a valid MM1 */
	for (i = 0; i < len; i++)
		feed(m, i, &pr.p500);
	assert_int_equal(nsent, 0);
	assert_int_equal(ctx.nsa, 0);
	/* random bytes, alone and behind a valid header */
	for (i = 0; i < 2000; i++) {
		size_t n = (size_t)(i % 300) + 1;

		assert_int_equal(RAND_bytes(r, (int)n), 1);
		feed(r, n, (i & 1) ? &pr.p4500 : &pr.p500);
		memcpy(r, m, ISAKMP_HDR_LEN < len ? ISAKMP_HDR_LEN : len);
		r[24] = (uint8_t)((n + ISAKMP_HDR_LEN) >> 24);
		r[25] = (uint8_t)((n + ISAKMP_HDR_LEN) >> 16);
		r[26] = (uint8_t)((n + ISAKMP_HDR_LEN) >> 8);
		r[27] = (uint8_t)(n + ISAKMP_HDR_LEN);
		assert_int_equal(RAND_bytes(r + ISAKMP_HDR_LEN, (int)n), 1);
		r[16] = (uint8_t)(i & 0xff);	/* any next payload */
		feed(r, n + ISAKMP_HDR_LEN, &pr.p500);
	}
	ikd_shutdown(&ctx, false);
	nsent = 0;
	/* a real SA, then garbage with its cookies in every exchange */
	main_mode(&pr);
	for (i = 0; i < 600; i++) {
		uint8_t ex[] = { ISAKMP_EXCH_IDPROT, ISAKMP_EXCH_QUICK,
		    ISAKMP_EXCH_INFO, ISAKMP_EXCH_AGGRESSIVE };
		size_t n = 16 * ((i % 20) + 1);

		hdr(&pr, &h, ex[i % 4], i % 3 == 0 ? 0 : (uint32_t)i);
		h.next = (uint8_t)(i % 14);
		h.flags = (uint8_t)(i % 8);
		h.length = (uint32_t)(ISAKMP_HDR_LEN + n);
		{
			struct wbuf w;

			wbuf_init(&w, r, sizeof(r));
			isakmp_hdr_build(&w, &h);
		}
		assert_int_equal(RAND_bytes(r + ISAKMP_HDR_LEN, (int)n), 1);
		feed(r, ISAKMP_HDR_LEN + n, &pr.p500);
		/* and its truncations */
		for (j = ISAKMP_HDR_LEN; j < ISAKMP_HDR_LEN + n; j += 7)
			feed(r, j, &pr.p500);
	}
	/* the SA is still there; a keepalive is just counted */
	assert_int_equal(ctx.nsa, 1);
	r[0] = 0xff;
	feed(r, 1, &pr.p4500);
	assert_true(ctx.ctr.keepalives >= 1);
	(void)msg;
	peer_free(&pr);
}

static void
test_mm1_no_proposal(void **state)
{
	uint8_t m[IKD_MSG_MAX];
	const struct isakmp_payload *pl;
	struct isakmp_hdr h;
	struct isakmp_msg msg;
	struct isakmp_notify n;
	struct ike_ini pr;
	size_t len;

	(void)state;
	/* DES is always refused */
	peer_init(&pr, IKE_ENCR_DES_CBC, 0, IKE_ENC_3DES_CBC,
	    IKE_GROUP_MODP_2048, false);
	len = build_mm1(&pr, m);
	feed(m, len, &pr.p500);
	assert_int_equal(ctx.nsa, 0);
	assert_int_equal(ctx.ctr.no_proposal, 1);
	/* RFC 2408 5: an unprotected NO-PROPOSAL-CHOSEN */
	assert_int_equal(nsent, 1);
	parse_plain(&sent[0], &h, &msg);
	assert_int_equal(h.exchange, ISAKMP_EXCH_INFO);
	assert_false(h.flags & ISAKMP_FLAG_ENC);
	pl = isakmp_msg_first(&msg, ISAKMP_PAYLOAD_N);
	assert_non_null(pl);
	assert_int_equal(isakmp_notify_parse(&pl->body, &n), 0);
	assert_int_equal(n.type, ISAKMP_N_NO_PROPOSAL_CHOSEN);
	peer_free(&pr);
}

static void
test_commit_connected(void **state)
{
	uint8_t plain[IKD_MSG_MAX];
	const struct isakmp_payload *pl;
	const struct ikd_path *p;
	struct isakmp_hdr h;
	struct isakmp_msg msg;
	struct isakmp_notify n;
	struct ike_ini pr;

	(void)state;
	peer_init(&pr, IKE_ENCR_AES_CBC, 128, IKE_ENC_AES128_CBC,
	    IKE_GROUP_ECP_256, false);
	pr.qm_flags = ISAKMP_FLAG_COMMIT;
	p = main_mode(&pr);
	quick_mode(&pr, p);
	/* RFC 2408 4.8: after the install, N(CONNECTED) in the QM's M-ID */
	open_reply(&pr, &sent[nsent - 1], plain, &h, &msg);
	assert_int_equal(h.exchange, ISAKMP_EXCH_QUICK);
	assert_int_equal(h.msgid, pr.mid);
	assert_true(h.flags & ISAKMP_FLAG_COMMIT);
	pl = isakmp_msg_first(&msg, ISAKMP_PAYLOAD_N);
	assert_non_null(pl);
	assert_int_equal(isakmp_notify_parse(&pl->body, &n), 0);
	assert_int_equal(n.type, ISAKMP_N_CONNECTED);
	peer_free(&pr);
}

static void
test_responder_lifetime(void **state)
{
	const struct ikd_path *p;
	struct ike_ini pr;

	(void)state;
	peer_init(&pr, IKE_ENCR_AES_CBC, 128, IKE_ENC_AES128_CBC,
	    IKE_GROUP_ECP_256, false);
	pr.qm_life = 86400;
	p = main_mode(&pr);
	quick_mode(&pr, p);
	/* RFC 2407 4.6.3.1: shortened to ike.ipsec_lifetime_max, and said */
	assert_true(pr.qm2_resp_life);
	assert_int_equal(mk.add[0].hard_secs, 28800);
	assert_int_equal(mk.add[1].hard_secs, 28800);
	peer_free(&pr);
}

static void
test_out_of_order(void **state)
{
	uint8_t m[IKD_MSG_MAX];
	struct isakmp_builder b;
	struct isakmp_notify n;
	struct isakmp_hdr h;
	struct isakmp_msg msg;
	struct wbuf w;
	struct ike_ini pr;
	size_t len;

	(void)state;
	peer_init(&pr, IKE_ENCR_AES_CBC, 256, IKE_ENC_AES256_CBC,
	    IKE_GROUP_MODP_2048, false);
	len = build_mm1(&pr, m);
	feed(m, len, &pr.p500);
	parse_plain(&sent[0], &h, &msg);
	memcpy(pr.rcky, h.rcookie, 8);
	/* MM_R1: a Quick Mode, an unprotected notify: dropped */
	hdr(&pr, &h, ISAKMP_EXCH_QUICK, 0x1234);
	h.flags = ISAKMP_FLAG_ENC;
	wbuf_init(&w, m, sizeof(m));
	isakmp_builder_init(&b, &w, &h);
	isakmp_build_data(&b, ISAKMP_PAYLOAD_HASH, NULL, 20);
	assert_true(isakmp_builder_finish(&b, &len));
	feed(m, len, &pr.p500);
	hdr(&pr, &h, ISAKMP_EXCH_INFO, 0);
	wbuf_init(&w, m, sizeof(m));
	isakmp_builder_init(&b, &w, &h);
	memset(&n, 0, sizeof(n));
	n.doi = ISAKMP_DOI_IPSEC;
	n.protocol = IPSEC_PROTO_ISAKMP;
	n.type = ISAKMP_N_PAYLOAD_MALFORMED;
	isakmp_build_notify(&b, &n);
	assert_true(isakmp_builder_finish(&b, &len));
	feed(m, len, &pr.p500);
	/* an MM3 without its nonce: malformed, the SA waits for a good one */
	hdr(&pr, &h, ISAKMP_EXCH_IDPROT, 0);
	wbuf_init(&w, m, sizeof(m));
	isakmp_builder_init(&b, &w, &h);
	isakmp_build_data(&b, ISAKMP_PAYLOAD_KE, pr.sai_b, 16);
	assert_true(isakmp_builder_finish(&b, &len));
	feed(m, len, &pr.p500);
	assert_int_equal(nsent, 1);
	assert_int_equal(ctx.nsa, 1);
	assert_int_equal(TAILQ_FIRST(&ctx.sas)->state, IKE_SA_MM_R1);
	assert_int_equal(ctx.ctr.malformed, 3);
	/* the right MM3 still works */
	len = build_mm3(&pr, m);
	feed(m, len, &pr.p500);
	assert_int_equal(nsent, 2);
	assert_int_equal(TAILQ_FIRST(&ctx.sas)->state, IKE_SA_MM_R2);
	peer_free(&pr);
}

/* ---- the control socket (control.c) on a finished exchange ---- */

/* Run the loop and read from fd until buf holds `until` (or EOF). */
static size_t
ctl_read(struct event_base *base, int fd, char *buf, size_t cap,
    const char *until, bool *eof)
{
	size_t len = 0;
	ssize_t n;
	int i;

	buf[0] = '\0';
	*eof = false;
	for (i = 0; i < 200 && strstr(buf, until) == NULL; i++) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		n = recv(fd, buf + len, cap - 1 - len, MSG_DONTWAIT);
		if (n == 0) {
			*eof = true;
			break;
		}
		if (n > 0) {
			len += (size_t)n;
			buf[len] = '\0';
		} else
			usleep(1000);
	}
	return len;
}

static int
ctl_connect(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)),
	    0);
	return fd;
}

static const char *
ctl_ask(struct event_base *base, int fd, const char *req, char *buf,
    size_t cap)
{
	bool eof;

	assert_int_equal(send(fd, req, strlen(req), 0), (ssize_t)strlen(req));
	(void)ctl_read(base, fd, buf, cap, "\n", &eof);
	/* then the rest, up to the terminator */
	while (!eof && strstr(buf, "ok\n") == NULL &&
	    strstr(buf, "error ") == NULL) {
		size_t len = strlen(buf);

		(void)ctl_read(base, fd, buf + len, cap - len, "\n", &eof);
	}
	return buf;
}

/*
 * ikd's control socket in a fresh directory: <dir>/run/ikd.sock, served
 * from its own event base.
 */
struct ctl_fx {
	char dir[40], run[64], path[96];
	struct event_base *base;
};

static void
ctl_fx_start(struct ctl_fx *f)
{
	int lfd;

	snprintf(f->dir, sizeof(f->dir), "/tmp/test-ikd-ctl-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->run, sizeof(f->run), "%s/run", f->dir);
	snprintf(f->path, sizeof(f->path), "%s/ikd.sock", f->run);
	lfd = ikd_ctl_listen(f->run, f->path);
	assert_true(lfd >= 0);
	assert_non_null(f->base = event_base_new());
	ctx.base = f->base;
	ctx.ctl = ikd_ctl_new(&ctx, lfd, geteuid(), NULL);
	ctx.base = NULL;
	assert_non_null(ctx.ctl);
}

/* Closes the socket and the base (the socket file stays). */
static void
ctl_fx_stop(struct ctl_fx *f)
{
	ikd_ctl_free(ctx.ctl);
	ctx.ctl = NULL;
	event_base_free(f->base);
	f->base = NULL;
}

/* Removes the socket file and both directories, which must be all. */
static void
ctl_fx_remove(struct ctl_fx *f)
{
	assert_int_equal(unlink(f->path), 0);
	assert_int_equal(rmdir(f->run), 0);
	assert_int_equal(rmdir(f->dir), 0);
}

static void
test_control(void **state)
{
	char buf[8192], want[256], ck[40], a[IKD_TAG_MAX];
	struct ctl_fx f;
	struct event_base *base;
	struct stat st;
	struct ike_ini pr;
	const struct ikd_path *p;
	size_t i;
	bool eof;
	int w, c;

	(void)state;
	ctl_fx_start(&f);
	base = f.base;
	assert_int_equal(stat(f.path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* a live socket is not replaced */
	assert_int_equal(ikd_ctl_listen(f.run, f.path), -1);

	w = ctl_connect(f.path);
	assert_string_equal(ctl_ask(base, w, "watch\n", buf, sizeof(buf)),
	    "ok\n");

	peer_init(&pr, IKE_ENCR_AES_CBC, 128, IKE_ENC_AES128_CBC,
	    IKE_GROUP_MODP_2048, false);
	p = main_mode(&pr);
	quick_mode(&pr, p);
	for (i = 0; i < 8; i++) {
		snprintf(ck + 2 * i, 3, "%02x", pr.icky[i]);
		snprintf(ck + 17 + 2 * i, 3, "%02x", pr.rcky[i]);
	}
	ck[16] = ':';
	sa_str(&p->remote, true, a, sizeof(a));
	snprintf(want, sizeof(want), "sa-up id=esp#1 peer=%s ike=ike#1 "
	    "cookies=%s spi-in=0xc0de0100 spi-out=0x%08x client=unknown "
	    "l2tp-port=1701\n", a, ck, pr.spi_i);
	(void)ctl_read(base, w, buf, sizeof(buf), "\n", &eof);
	assert_string_equal(buf, want);

	c = ctl_connect(f.path);
	ctl_ask(base, c, "ike-sas\n", buf, sizeof(buf));
	snprintf(want, sizeof(want), "ike-sa id=ike#1 peer=%s ", a);
	assert_memory_equal(buf, want, strlen(want));
	assert_non_null(strstr(buf, " state=ESTABLISHED nat=no "));
	snprintf(want, sizeof(want), " cookies=%s client=unknown ", ck);
	assert_non_null(strstr(buf, want));
	assert_non_null(strstr(buf, " ipsec-sas=1\nok\n"));

	ctl_ask(base, c, "ipsec-sas\n", buf, sizeof(buf));
	assert_memory_equal(buf, "ipsec-sa id=esp#1 ", 18);
	/* the mock's counters: in 0xc0de0100, out the peer's SPI */
	snprintf(want, sizeof(want), " in-bytes=%u in-packets=%u "
	    "out-bytes=%u out-packets=%u\nok\n", 1000 + 0x00, 10 + 0x0,
	    1000 + (pr.spi_i & 0xff), 10 + (pr.spi_i & 0xf));
	assert_non_null(strstr(buf, want));
	assert_non_null(strstr(buf, " esp=aes"));

	sa_str(&p->remote, false, a, sizeof(a));
	snprintf(want, sizeof(want), "peer %s %u\n", a,
	    sa_port(&p->remote));
	ctl_ask(base, c, want, buf, sizeof(buf));
	assert_memory_equal(buf, "ike-sa ", 7);
	assert_non_null(strstr(buf, "\nipsec-sa id=esp#1 "));
	/* the L2TP port of its ESP SAs finds it too */
	snprintf(want, sizeof(want), "peer %s 1701\n", a);
	ctl_ask(base, c, want, buf, sizeof(buf));
	assert_non_null(strstr(buf, "ipsec-sa id=esp#1 "));
	assert_string_equal(ctl_ask(base, c, "peer 198.51.100.9 0\n", buf,
	    sizeof(buf)), "error no SA for this peer\n");
	assert_string_equal(ctl_ask(base, c, "policies\n", buf, sizeof(buf)),
	    "error policies are not available\n");
	assert_string_equal(ctl_ask(base, c, "frobnicate\n", buf,
	    sizeof(buf)), "error unknown command\n");
	assert_string_equal(ctl_ask(base, c, "peer 1.2.3.4\n", buf,
	    sizeof(buf)), "error wrong number of arguments\n");
	/* too long: answered, then closed */
	memset(buf, 'a', 300);
	assert_int_equal(send(c, buf, 300, 0), 300);
	(void)ctl_read(base, c, buf, sizeof(buf), "\n", &eof);
	assert_string_equal(buf, "error request too long\n");
	(void)ctl_read(base, c, buf, sizeof(buf), "never", &eof);
	assert_true(eof);
	close(c);

	/*
	 * drop (l2tpd, for a peer dead to HELLO): another port keeps them,
	 * the L2TP port drops both SAs, the watcher hears the ESP SAs go
	 */
	c = ctl_connect(f.path);
	snprintf(want, sizeof(want), "drop %s 1702\n", a);
	assert_string_equal(ctl_ask(base, c, want, buf, sizeof(buf)),
	    "error no SA for this peer\n");
	snprintf(want, sizeof(want), "drop %s 1701\n", a);
	assert_string_equal(ctl_ask(base, c, want, buf, sizeof(buf)),
	    "dropped ike-sas=1 ipsec-sas=1\nok\n");
	(void)ctl_read(base, w, buf, sizeof(buf), "\n", &eof);
	assert_memory_equal(buf, "sa-down id=esp#1 peer=", 22);
	assert_string_equal(ctl_ask(base, c, "ike-sas\n", buf, sizeof(buf)),
	    "ok\n");
	assert_string_equal(ctl_ask(base, c, "ipsec-sas\n", buf,
	    sizeof(buf)), "ok\n");
	assert_string_equal(ctl_ask(base, c, want, buf, sizeof(buf)),
	    "error no SA for this peer\n");
	close(c);
	ikd_shutdown(&ctx, false);
	close(w);
	ctl_fx_stop(&f);
	peer_free(&pr);

	/* a run_dir others may write to is refused */
	assert_int_equal(chmod(f.run, 0777), 0);
	assert_int_equal(ikd_ctl_listen(f.run, f.path), -1);
	ctl_fx_remove(&f);
}

/* ---- IKE fragments ikd sends, reassembly timer, counters ---- */

/* A len-byte encrypted ID_PROT message of sa with a patterned body. */
static void
big_msg(const struct ike_sa *sa, uint8_t *p, size_t len, uint8_t seed)
{
	struct isakmp_hdr h;
	struct wbuf w;
	size_t i;

	memset(&h, 0, sizeof(h));
	memcpy(h.icookie, sa->icookie, ISAKMP_COOKIE_LEN);
	memcpy(h.rcookie, sa->rcookie, ISAKMP_COOKIE_LEN);
	h.next = ISAKMP_PAYLOAD_ID;
	h.version = ISAKMP_VERSION;
	h.exchange = ISAKMP_EXCH_IDPROT;
	h.flags = ISAKMP_FLAG_ENC;
	h.length = (uint32_t)len;
	wbuf_init(&w, p, ISAKMP_HDR_LEN);
	isakmp_hdr_build(&w, &h);
	assert_true(wbuf_ok(&w));
	for (i = ISAKMP_HDR_LEN; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

/*
 * A peer that announced FRAGMENTATION (behind NAT: on 4500) gets an
 * answer above IKD_FRAG_SEND_THRESHOLD (MM6 with a certificate) as
 * fragments that reassemble to exactly it; its resent MM5 gets the same
 * fragments again; the next large message gets the next fragment ID; a
 * message of exactly the threshold goes whole. A peer that did not
 * announce it gets one datagram however large.
 */
static void
test_frag_send_large(void **state)
{
	static struct sent reply, first[FRAG_MAX_FRAGS];
	static uint8_t big[1500], big2[2500], edge[IKD_FRAG_SEND_THRESHOLD];
	uint8_t mm5[IKD_MSG_MAX];
	struct ike_ini pr, plain;
	const struct ikd_path *p;
	struct ike_sa *sa;
	size_t n0, n, i, mm5_len;
	uint16_t id, id2;

	(void)state;
	peer_init(&pr, IKE_ENCR_AES_CBC, 256, IKE_ENC_AES256_CBC,
	    IKE_GROUP_MODP_2048, true);
	pr.vid_frag = true;
	p = main_mode(&pr);
	assert_true(p->natt);
	/* everything so far was small */
	assert_int_equal(ctx.ctr.frag_out, 0);
	sa = ike_sa_lookup(&ctx, pr.icky, pr.rcky);
	assert_non_null(sa);

	/* stored as the answer to MM5, as phase1's mm_answer does */
	big_msg(sa, big, sizeof(big), 1);
	assert_int_equal(ikd_msgbuf_set(&sa->last_resp, big, sizeof(big)), 0);
	n0 = nsent;
	assert_int_equal(exchange_send(sa, big, sizeof(big)), 0);
	n = take_reply(n0, IKD_FRAG_SEND_THRESHOLD, &reply, &id);
	assert_int_equal(n, 2);
	assert_int_equal(sent[n0].len, IKD_FRAG_SEND_THRESHOLD);
	assert_true(sent[n0].path.natt);
	assert_true(sa_equal(&sent[n0].path.remote, &p->remote, true));
	assert_int_equal(reply.len, sizeof(big));
	assert_memory_equal(reply.p, big, sizeof(big));
	for (i = 0; i < n; i++)
		first[i] = sent[n0 + i];

	/* MM5 again: every fragment again, byte for byte (same ID) */
	mm5_len = sa->last_req.len;
	memcpy(mm5, sa->last_req.p, mm5_len);
	n0 = nsent;
	feed(mm5, mm5_len, p);
	assert_int_equal(ctx.ctr.retransmits, 1);
	assert_int_equal(nsent, n0 + n);
	for (i = 0; i < n; i++) {
		assert_int_equal(sent[n0 + i].len, first[i].len);
		assert_memory_equal(sent[n0 + i].p, first[i].p, first[i].len);
	}

	/* a new message (not stored, as an Informational): the next ID */
	big_msg(sa, big2, sizeof(big2), 2);
	n0 = nsent;
	assert_int_equal(exchange_send(sa, big2, sizeof(big2)), 0);
	assert_int_equal(take_reply(n0, IKD_FRAG_SEND_THRESHOLD, &reply,
	    &id2), 3);
	assert_int_equal(id2, id + 1);
	assert_int_equal(reply.len, sizeof(big2));
	assert_memory_equal(reply.p, big2, sizeof(big2));

	/* exactly the threshold: one datagram */
	big_msg(sa, edge, sizeof(edge), 3);
	n0 = nsent;
	assert_int_equal(exchange_send(sa, edge, sizeof(edge)), 0);
	assert_int_equal(take_reply(n0, IKD_MSG_MAX, &reply, &id2), 0);
	assert_int_equal(reply.len, sizeof(edge));
	assert_int_equal(ctx.ctr.frag_msgs_out, 3);
	assert_int_equal(ctx.ctr.frag_out, 2 + 2 + 3);
	peer_free(&pr);

	/* no VID, never fragmented towards us: whole */
	nsent = 0;
	peer_init(&plain, IKE_ENCR_AES_CBC, 128, IKE_ENC_AES128_CBC,
	    IKE_GROUP_MODP_2048, false);
	(void)main_mode(&plain);
	sa = ike_sa_lookup(&ctx, plain.icky, plain.rcky);
	assert_non_null(sa);
	big_msg(sa, big, sizeof(big), 4);
	n0 = nsent;
	assert_int_equal(exchange_send(sa, big, sizeof(big)), 0);
	assert_int_equal(take_reply(n0, IKD_MSG_MAX, &reply, &id2), 0);
	assert_int_equal(reply.len, sizeof(big));
	assert_int_equal(ctx.ctr.frag_msgs_out, 3);
	peer_free(&plain);
}

/*
 * A peer without the VID that sends MM3 in 200-byte fragments gets MM4
 * (larger than its 164 bytes of fragment data) in 200-byte fragments;
 * MM6, smaller, whole; Quick Mode still completes.
 */
static void
test_frag_send_mirror(void **state)
{
	static struct sent reply;
	struct ike_ini pr;
	uint8_t m[IKD_MSG_MAX];
	const struct ikd_path *p5;
	size_t len, n0, n;
	uint16_t id;

	(void)state;
	peer_init(&pr, IKE_ENCR_AES_CBC, 128, IKE_ENC_AES128_CBC,
	    IKE_GROUP_MODP_2048, false);
	len = build_mm1(&pr, m);
	feed(m, len, &pr.p500);
	assert_int_equal(nsent, 1);
	assert_false(has_frag_vid(&sent[0]));
	INI(&pr, ike_ini_recv_mm2(&pr, sent[0].p, sent[0].len));

	len = build_mm3(&pr, m);
	assert_true(len > 200);
	(void)feed_fragmented(m, len, 7, 200, &pr.p500);
	n = take_reply(1, 200, &reply, &id);
	assert_true(n > 1);
	assert_int_equal(sent[1].len, 200);
	assert_int_equal(id, 1);
	recv_mm4(&pr, &reply);

	p5 = ike_ini_mm_path(&pr);
	len = build_mm5(&pr, m, false);
	n0 = nsent;
	feed(m, len, p5);
	assert_int_equal(take_reply(n0, IKD_MSG_MAX, &reply, &id), 0);
	assert_true(reply.len <= 200 - ISAKMP_HDR_LEN - FRAG_PAYLOAD_HDR_LEN);
	recv_mm6(&pr, &reply);
	assert_int_equal(ctx.ctr.p1_established, 1);
	(void)quick_mode(&pr, p5);
	assert_int_equal(ctx.ctr.qm_done, 1);
	assert_int_equal(ctx.ctr.malformed, 0);
	peer_free(&pr);
}

static uint64_t clock_offset_ms;

/* CLOCK_MONOTONIC (libevent's clock too) plus an offset the test sets. */
static uint64_t
offset_clock(void)
{
	struct timespec ts;

	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000 +
	    clock_offset_ms;
}

/* A 300-byte message of no SA split into 3 fragments with ID id. */
static size_t
stray_frags(uint8_t *buf, size_t cap, size_t off[FRAG_MAX_FRAGS + 1],
    uint16_t id)
{
	uint8_t msg[300];
	struct isakmp_hdr h;
	struct wbuf w;
	size_t n;

	memset(&h, 0, sizeof(h));
	memset(h.icookie, 0x40 + id, ISAKMP_COOKIE_LEN);
	memset(h.rcookie, 0x17, ISAKMP_COOKIE_LEN);
	h.next = ISAKMP_PAYLOAD_ID;
	h.version = ISAKMP_VERSION;
	h.exchange = ISAKMP_EXCH_IDPROT;
	h.flags = ISAKMP_FLAG_ENC;
	h.length = sizeof(msg);
	memset(msg, 0xa5, sizeof(msg));
	wbuf_init(&w, msg, ISAKMP_HDR_LEN);
	isakmp_hdr_build(&w, &h);
	assert_true(wbuf_ok(&w));
	assert_true(frag_split(msg, sizeof(msg), id, ISAKMP_EXCH_IDPROT,
	    ISAKMP_HDR_LEN + FRAG_PAYLOAD_HDR_LEN + 100, buf, cap, off, &n));
	assert_int_equal(n, 3);
	return n;
}

/*
 * A partial message is dropped by the reassembly timer when nothing else
 * arrives; the timer is armed only while a partial message is held.
 */
static void
test_frag_timer(void **state)
{
	uint8_t a[1024], b[1024];
	size_t ao[FRAG_MAX_FRAGS + 1], bo[FRAG_MAX_FRAGS + 1], nb, i;
	const struct frag_stats *st;
	struct event_base *base;
	struct ikd_path path;

	(void)state;
	base = event_base_new();
	assert_non_null(base);
	ctx.base = base;
	clock_offset_ms = 0;
	clock_set_mock(offset_clock);
	memset(&path, 0, sizeof(path));
	mkaddr(&path.local, SERVER_IP, 500);
	mkaddr(&path.remote, CLIENT_IP, 500);
	(void)stray_frags(a, sizeof(a), ao, 1);
	nb = stray_frags(b, sizeof(b), bo, 2);

	/* the first fragment of A: a partial message, the timer runs */
	feed(a + ao[0], ao[1] - ao[0], &path);
	assert_non_null(ctx.frag);
	assert_int_equal(frag_pending(ctx.frag), 1);
	assert_non_null(ctx.frag_timer);
	assert_true(ev_timer_pending(ctx.frag_timer));
	st = frag_table_stats(ctx.frag);
	/* all of B: reassembled (for no SA); A still waits */
	for (i = 0; i < nb; i++)
		feed(b + bo[i], bo[i + 1] - bo[i], &path);
	assert_int_equal(st->reassembled, 1);
	assert_int_equal(ctx.ctr.unknown_sa, 1);
	assert_int_equal(frag_pending(ctx.frag), 1);
	assert_true(ev_timer_pending(ctx.frag_timer));

	/* 30 ms before A times out, its first fragment again: re-armed */
	clock_offset_ms = FRAG_TIMEOUT_MS - 30;
	feed(a + ao[0], ao[1] - ao[0], &path);
	assert_int_equal(st->duplicates, 1);
	assert_int_equal(st->dropped[FRAG_DROP_TIMEOUT], 0);
	/* nothing else arrives: the loop ends once the timer dropped A */
	assert_true(event_base_dispatch(base) >= 0);
	assert_int_equal(st->dropped[FRAG_DROP_TIMEOUT], 1);
	assert_int_equal(frag_pending(ctx.frag), 0);
	assert_false(ev_timer_pending(ctx.frag_timer));

	/* B again, last first: completed, nothing left armed */
	for (i = nb; i-- > 0;) {
		feed(b + bo[i], bo[i + 1] - bo[i], &path);
		assert_true(ev_timer_pending(ctx.frag_timer) == (i > 0));
	}
	assert_int_equal(st->reassembled, 2);
	assert_int_equal(ctx.ctr.frag_in, 1 + nb + 1 + nb);

	ikd_shutdown(&ctx, false);
	assert_null(ctx.frag_timer);
	assert_null(ctx.frag);
	ctx.base = NULL;
	event_base_free(base);
	clock_set_mock(NULL);
}

/*
 * "counters" on the control socket: all zero at first; then fragments
 * in (one malformed), a reassembled MM1 and a fragmented answer out.
 */
static void
test_frag_counters(void **state)
{
	static uint8_t big[1500];
	static const char zero[] =
	    "counters rx=0 tx=0 keepalives=0 malformed=0 unknown-sa=0 "
	    "retransmits=0 half-open-refused=0 no-proposal=0 auth-failed=0 "
	    "p1-established=0 qm-refused=0 qm-done=0 kernel-errors=0 "
	    "alloc-failed=0 ike-sas=0 half-open=0\n"
	    "frag in=0 accepted=0 duplicates=0 reassembled=0 pending=0 out=0 "
	    "msgs-out=0 drop-malformed=0 drop-peer-limit=0 "
	    "drop-total-limit=0 drop-too-big=0 drop-conflict=0 "
	    "drop-timeout=0 drop-bad-message=0 drop-nomem=0\nok\n";
	char buf[4096], want[512];
	uint8_t m[IKD_MSG_MAX], fr[2 * IKD_MSG_MAX];
	size_t off[FRAG_MAX_FRAGS + 1], len, n, nf;
	struct ctl_fx f;
	struct event_base *base;
	struct ike_ini pr;
	struct ike_sa *sa;
	int c;

	(void)state;
	ctl_fx_start(&f);
	base = f.base;
	c = ctl_connect(f.path);
	assert_string_equal(ctl_ask(base, c, "counters\n", buf, sizeof(buf)),
	    zero);

	peer_init(&pr, IKE_ENCR_AES_CBC, 128, IKE_ENC_AES128_CBC,
	    IKE_GROUP_MODP_2048, false);
	pr.vid_frag = true;
	len = build_mm1(&pr, m);
	/* fragment number 0: malformed, dropped and counted */
	assert_true(frag_split(m, len, 9, ISAKMP_EXCH_IDPROT, 100, fr,
	    sizeof(fr), off, &n));
	fr[off[0] + ISAKMP_HDR_LEN + 6] = 0;
	feed(fr + off[0], off[1] - off[0], &pr.p500);
	assert_int_equal(nsent, 0);
	nf = feed_fragmented(m, len, 1, 100, &pr.p500);
	assert_int_equal(nsent, 1);
	INI(&pr, ike_ini_recv_mm2(&pr, sent[0].p, sent[0].len));
	sa = ike_sa_lookup(&ctx, pr.icky, pr.rcky);
	assert_non_null(sa);
	/*
	 * the peer's fragments carry 64 bytes: 1500 bytes would need 24 of
	 * those, so FRAG_MAX_FRAGS larger ones
	 */
	big_msg(sa, big, sizeof(big), 5);
	assert_int_equal(exchange_send(sa, big, sizeof(big)), 0);
	assert_int_equal(nsent, 1 + FRAG_MAX_FRAGS);

	ctl_ask(base, c, "counters\n", buf, sizeof(buf));
	snprintf(want, sizeof(want), "counters rx=%zu tx=%d keepalives=0 "
	    "malformed=0 ", nf + 1, 1 + FRAG_MAX_FRAGS);
	assert_memory_equal(buf, want, strlen(want));
	assert_non_null(strstr(buf, " ike-sas=1 half-open=1\n"));
	snprintf(want, sizeof(want), "\nfrag in=%zu accepted=%zu "
	    "duplicates=0 reassembled=1 pending=0 out=%d msgs-out=1 "
	    "drop-malformed=1 drop-peer-limit=0 drop-total-limit=0 "
	    "drop-too-big=0 drop-conflict=0 drop-timeout=0 "
	    "drop-bad-message=0 drop-nomem=0\nok\n", nf + 1, nf,
	    FRAG_MAX_FRAGS);
	assert_non_null(strstr(buf, want));

	close(c);
	ikd_shutdown(&ctx, false);
	ctl_fx_stop(&f);
	peer_free(&pr);
	ctl_fx_remove(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_full_aes256_sha1_modp2048,
		    reset, done),
		cmocka_unit_test_setup_teardown(test_full_aes128_sha1_ecp256,
		    reset, done),
		cmocka_unit_test_setup_teardown(test_full_3des_modp1024,
		    reset, done),
		cmocka_unit_test_setup_teardown(test_nat_float, reset, done),
		cmocka_unit_test_setup_teardown(test_fragmented_main_mode,
		    reset, done),
		cmocka_unit_test_setup_teardown(test_fragmented_main_mode,
		    reset, done),
		cmocka_unit_test_setup_teardown(test_wrong_psk, reset, done),
		cmocka_unit_test_setup_teardown(test_cert_main_mode, reset,
		    done),
		cmocka_unit_test_setup_teardown(test_cert_main_mode_ecdsa,
		    reset, done),
		cmocka_unit_test_setup_teardown(test_cert_refused, reset,
		    done),
		cmocka_unit_test_setup_teardown(test_cert_chosen_by_certreq,
		    reset, done),
		cmocka_unit_test_setup_teardown(test_duplicate_mm3, reset,
		    done),
		cmocka_unit_test_setup_teardown(test_qm_tcp_refused, reset,
		    done),
		cmocka_unit_test_setup_teardown(test_info_dpd_delete, reset,
		    done),
		cmocka_unit_test_setup_teardown(test_initial_contact, reset,
		    done),
		cmocka_unit_test_setup_teardown(test_garbage, reset, done),
		cmocka_unit_test_setup_teardown(test_mm1_no_proposal, reset,
		    done),
		cmocka_unit_test_setup_teardown(test_commit_connected, reset,
		    done),
		cmocka_unit_test_setup_teardown(test_responder_lifetime, reset,
		    done),
		cmocka_unit_test_setup_teardown(test_out_of_order, reset,
		    done),
		cmocka_unit_test_setup_teardown(test_control, reset, done),
		cmocka_unit_test_setup_teardown(test_frag_send_large, reset,
		    done),
		cmocka_unit_test_setup_teardown(test_frag_send_mirror, reset,
		    done),
		cmocka_unit_test_setup_teardown(test_frag_timer, reset, done),
		cmocka_unit_test_setup_teardown(test_frag_counters, reset,
		    done),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
