/*
 * fuzz_ikd.c - libFuzzer target: messages into ikd's dispatcher
 * (ikd_input) next to one established ISAKMP SA with fixed keys.
 *
 * Input: byte 0 picks the mode, the rest is the message.
 *   mode % 4 == 0: the rest is a raw datagram (any cookies, any state);
 *   1: a Quick Mode message of the SA, 2: an Informational: the rest is
 *      byte 1 = first payload type, bytes 2..5 = M-ID, then the payload
 *      chain that follows HASH(1); the harness prepends a valid HASH(1),
 *      encrypts with the right IV and sends it, so the fuzzer reaches the
 *      handlers behind the hash check;
 *   3: the same as 1, then the rest again as a raw datagram on the
 *      NAT-T port.
 * Nothing may crash, leak or trip a sanitizer.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ikd/ikd.h"
#include "conf/conf.h"
#include "lib/buf.h"
#include "lib/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static struct vpn_conf *conf;
static uint32_t next_spi = 0x1000;

static int
k_spi(void *arg, const struct xfrm_spi_req *r, uint32_t *spi)
{
	(void)arg;
	(void)r;
	*spi = next_spi++;
	return 0;
}

static int
k_add(void *arg, const struct xfrm_sa_req *r)
{
	(void)arg;
	(void)r;
	return 0;
}

static int
k_del(void *arg, const struct xfrm_sa_id *id)
{
	(void)arg;
	(void)id;
	return 0;
}

static const struct ikd_kernel_ops ops = { k_spi, k_add, k_del, NULL };

static int
send_nop(void *arg, const struct ikd_path *path, const uint8_t *msg,
    size_t len)
{
	(void)arg;
	(void)path;
	(void)msg;
	(void)len;
	return 0;
}

static void
sink(enum log_level level, const char *line)
{
	(void)level;
	(void)line;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct conf_err err;

	(void)argc;
	(void)argv;
	conf = conf_parse_string("secrets_file = \"\";\n"
	    "ike = { kernel = \"none\"; psk = \"fuzz-psk-0123456789\"; };\n",
	    "fuzz.conf", NULL, &err);
	if (conf == NULL)
		abort();
	log_set_sink(sink);
	log_setlevel(LOG_LEVEL_DEBUG);
	return 0;
}

static void
mkaddr(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)(void *)ss;

	memset(ss, 0, sizeof(*ss));
	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	inet_pton(AF_INET, ip, &s4->sin_addr);
}

/* One established SA with fixed keys; its keys again for the harness. */
static struct ike_sa *
fixed_sa(struct ikd *ctx, const struct ikd_pkt *pkt, struct ike_keys **hk,
    struct ike_ivs **hivs)
{
	static const uint8_t icky[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t id[8] = { IPSEC_ID_IPV4_ADDR, 17, 1, 0xf4,
	    192, 0, 2, 2 };
	uint8_t g[64], s[20];
	struct ike_secret *gxy, *skeyid;
	struct ike_p1_input in;
	struct ike_sa *sa;

	if ((sa = ike_sa_new(ctx, pkt, icky)) == NULL)
		return NULL;
	memset(g, 0x5a, sizeof(g));
	memset(s, 0xa5, sizeof(s));
	sa->enc = IKE_ENC_AES128_CBC;
	sa->hash = IKE_HASH_SHA1;
	sa->group = IKE_DH_ECP256;
	sa->life_seconds = 3600;
	sa->natt = IKD_NATT_RFC;
	memcpy(sa->idi, id, sizeof(id));
	sa->idi_len = sizeof(id);
	memset(&in, 0, sizeof(in));
	in.hash = IKE_HASH_SHA1;
	in.enc = IKE_ENC_AES128_CBC;
	in.cky_i = sa->icookie;
	in.cky_r = sa->rcookie;
	in.gxi = g;
	in.gxi_len = sizeof(g);
	in.gxr = g;
	in.gxr_len = sizeof(g);
	gxy = ike_secret_copy(g, 32);
	skeyid = ike_secret_copy(s, sizeof(s));
	in.gxy = gxy;
	sa->keys = ike_keys_new(&in, skeyid);
	*hk = ike_keys_new(&in, skeyid);
	ike_secret_free(gxy);
	ike_secret_free(skeyid);
	if (sa->keys == NULL || *hk == NULL)
		abort();
	sa->ivs = ike_ivs_new(sa->keys);
	*hivs = ike_ivs_new(*hk);
	if (sa->ivs == NULL || *hivs == NULL)
		abort();
	ike_sa_set_state(sa, IKE_SA_MM_R2);
	ike_sa_set_state(sa, IKE_SA_ESTABLISHED);
	return sa;
}

/* HDR*, HASH(1), <fuzzed chain>, encrypted like a peer would. */
static size_t
protected_msg(struct ike_sa *sa, struct ike_keys *k, struct ike_ivs *ivs,
    uint8_t exch, const uint8_t *d, size_t n, uint8_t *out, size_t cap)
{
	uint8_t plain[IKD_MSG_MAX], hh[IKE_HASH_MAX];
	struct isakmp_hdr h;
	struct ike_iv iv, next;
	struct wbuf w;
	size_t hl = ike_keys_hash_len(k), len, clen;
	uint32_t mid;

	if (n < 5 || n - 5 + 4 + hl > sizeof(plain))
		return 0;
	mid = (uint32_t)d[1] << 24 | (uint32_t)d[2] << 16 |
	    (uint32_t)d[3] << 8 | d[4];
	/* generic header of HASH: next = d[0], length */
	plain[0] = d[0];
	plain[1] = 0;
	plain[2] = (uint8_t)((4 + hl) >> 8);
	plain[3] = (uint8_t)(4 + hl);
	memcpy(plain + 4 + hl, d + 5, n - 5);
	len = 4 + hl + n - 5;
	if (ike_qm_hash1(k, mid, plain + 4 + hl, n - 5, hh, sizeof(hh)) == -1)
		return 0;
	memcpy(plain + 4, hh, hl);
	if (ike_ivs_get(ivs, mid, &iv) == -1 ||
	    ike_cbc_encrypt(k->cbc, &iv, plain, len, out + ISAKMP_HDR_LEN,
	    cap - ISAKMP_HDR_LEN, &clen, &next) == -1)
		return 0;
	memset(&h, 0, sizeof(h));
	memcpy(h.icookie, sa->icookie, 8);
	memcpy(h.rcookie, sa->rcookie, 8);
	h.next = ISAKMP_PAYLOAD_HASH;
	h.version = ISAKMP_VERSION;
	h.exchange = exch;
	h.flags = ISAKMP_FLAG_ENC;
	h.msgid = mid;
	h.length = (uint32_t)(ISAKMP_HDR_LEN + clen);
	wbuf_init(&w, out, ISAKMP_HDR_LEN);
	isakmp_hdr_build(&w, &h);
	return h.length;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[IKD_MSG_MAX];
	struct ikd ctx;
	struct ikd_pkt pkt;
	struct ike_keys *hk = NULL;
	struct ike_ivs *hivs = NULL;
	struct ike_sa *sa;
	size_t len;

	if (size < 1 || size > IKD_MSG_MAX)
		return 0;
	memset(&ctx, 0, sizeof(ctx));
	ikd_init(&ctx, conf, NULL, &ops, NULL, send_nop, NULL);
	memset(&pkt, 0, sizeof(pkt));
	mkaddr(&pkt.path.local, "192.0.2.1", 500);
	mkaddr(&pkt.path.remote, "192.0.2.2", 500);
	sa = fixed_sa(&ctx, &pkt, &hk, &hivs);
	if (sa == NULL)
		abort();
	switch (data[0] % 4) {
	case 0:
		pkt.data = data + 1;
		pkt.len = size - 1;
		ikd_input(&ctx, &pkt);
		break;
	case 1:
	case 2:
	case 3:
		len = protected_msg(sa, hk, hivs, data[0] % 4 == 2 ?
		    ISAKMP_EXCH_INFO : ISAKMP_EXCH_QUICK, data + 1, size - 1,
		    out, sizeof(out));
		if (len > 0) {
			pkt.data = out;
			pkt.len = len;
			ikd_input(&ctx, &pkt);
		}
		if (data[0] % 4 == 3) {
			mkaddr(&pkt.path.local, "192.0.2.1", 4500);
			mkaddr(&pkt.path.remote, "192.0.2.2", 1025);
			pkt.path.natt = true;
			pkt.data = data + 1;
			pkt.len = size - 1;
			ikd_input(&ctx, &pkt);
		}
		break;
	}
	ikd_shutdown(&ctx, true);
	ike_keys_free(hk);
	ike_ivs_free(hivs);
	return 0;
}
