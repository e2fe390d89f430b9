/*
 * fuzz_proposal.c - Phase 1 and Quick Mode proposal selection on
 * arbitrary SA payload bodies, with the default configuration (built
 * once) and a copy without legacy_compat. Both selectors run on every
 * input. A failure must leave one bounded line in why; a success must
 * point into the input, and its reply SA must build, parse and select
 * again to the same choice.
 *
 * Input: byte 0 = flags. Bit 0: NAT detected; bit 1: NAT-T draft; bit 2:
 * legacy_compat off; bits 3-4: Quick Mode KE (none, PROPOSAL_PFS_ANY,
 * MODP-2048, ECP-256). The rest is the SA body (after the generic
 * header). Seeds: tests/fuzz/corpus/proposal/ (the unit test offers,
 * written by PROPOSAL_SEED_DIR=... build/tests/unit/test_proposal).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ikd/proposal.h"
#include "ikd/dh.h"
#include "conf/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OUTCAP	(70 * 1024)

static struct vpn_conf *vconf;
static struct ike_conf conf_legacy, conf_strict;
static uint8_t out[OUTCAP];

static void
check(int cond)
{
	if (!cond)
		abort();
}

static void
init_once(void)
{
	struct conf_err err;

	if (vconf != NULL)
		return;
	vconf = conf_parse_string("", "fuzz.conf", NULL, &err);
	check(vconf != NULL);
	conf_legacy = vconf->ike;
	conf_strict = vconf->ike;
	conf_strict.legacy_compat = false;
}

/* One NUL-terminated line inside the buffer. */
static void
check_why(const char *why, size_t cap)
{
	size_t n = strnlen(why, cap);

	check(n < cap);
	check(memchr(why, '\n', n) == NULL);
}

static void
inside(const struct rbuf *body, const uint8_t *p, size_t n)
{
	const uint8_t *lo = rbuf_cur(body), *hi = lo + rbuf_left(body);

	check(p != NULL && p >= lo && p <= hi && n <= (size_t)(hi - p));
}

/* The reply body out[4..len), or false if it could not be built. */
static bool
reply_body(struct isakmp_builder *b, size_t xf_len, struct rbuf *body)
{
	size_t len;

	/*
	 * SA header 12 + proposal 8 + SPI <= 16 (+ lifetime attributes
	 * added or widened): only a transform near 64K cannot fit.
	 */
	if (!isakmp_builder_finish(b, &len)) {
		check(xf_len + 64 > UINT16_MAX);
		return false;
	}
	rbuf_init(body, out + ISAKMP_GENERIC_LEN, len - ISAKMP_GENERIC_LEN);
	return true;
}

static void
ike(const struct ike_conf *conf, const struct rbuf *sa)
{
	struct ike_choice c, c2;
	struct isakmp_builder b;
	struct rbuf body;
	struct wbuf w;
	char why[160], s[PROPOSAL_STR_MAX];
	uint32_t mask = PROPOSAL_AUTH_PSK | PROPOSAL_AUTH_RSA_SIG;

	if (proposal_select_ike(conf, mask, sa, NULL, &c, why,
	    sizeof(why)) != 0) {
		check_why(why, sizeof(why));
		return;
	}
	inside(sa, c.xf, c.xf_len);
	check(c.life_seconds > 0 && c.life_seconds <= conf->ike_lifetime);
	check(dh_group_supported(c.group));
	(void)ike_choice_str(&c, s, sizeof(s));
	check_why(s, sizeof(s));

	wbuf_init(&w, out, sizeof(out));
	isakmp_builder_init(&b, &w, NULL);
	proposal_build_ike_reply(&b, &c);
	if (!reply_body(&b, c.xf_len, &body))
		return;
	check(proposal_select_ike(conf, mask, &body, NULL, &c2, why,
	    sizeof(why)) == 0);
	check(c2.proposal == c.proposal && c2.transform == c.transform &&
	    c2.enc == c.enc && c2.hash == c.hash && c2.auth == c.auth &&
	    c2.group == c.group && c2.life_seconds == c.life_seconds &&
	    c2.life_kbytes == c.life_kbytes && c2.xf_len == c.xf_len);
	/* length, number, id and attributes as offered; reserved zeroed */
	check(memcmp(c2.xf + 2, c.xf + 2, 4) == 0);
	check(memcmp(c2.xf + 8, c.xf + 8, c.xf_len - 8) == 0);
}

static void
esp(const struct ike_conf *conf, const struct rbuf *sa, bool natt,
    bool draft, uint16_t pfs, uint32_t our_spi)
{
	struct esp_choice c, c2;
	struct isakmp_builder b;
	struct rbuf body;
	struct wbuf w;
	char why[160], s[PROPOSAL_STR_MAX];
	uint8_t nd[16];

	if (proposal_select_esp(conf, sa, natt, draft, pfs, NULL, &c, why,
	    sizeof(why)) != 0) {
		check_why(why, sizeof(why));
		return;
	}
	inside(sa, c.xf, c.xf_len);
	check(c.life_seconds >= conf->ipsec_lifetime_min &&
	    c.life_seconds <= conf->ipsec_lifetime_max);
	check(c.udp_encap == natt);
	check((pfs == 0) == (c.pfs_group == 0));
	(void)esp_choice_str(&c, s, sizeof(s));
	check_why(s, sizeof(s));
	wbuf_init(&w, nd, sizeof(nd));
	proposal_responder_lifetime_data(&w, &c);
	check(wbuf_ok(&w));

	wbuf_init(&w, out, sizeof(out));
	isakmp_builder_init(&b, &w, NULL);
	proposal_build_esp_reply(&b, &c, our_spi);
	if (!reply_body(&b, c.xf_len, &body))
		return;
	check(proposal_select_esp(conf, &body, natt, draft, pfs, NULL, &c2,
	    why, sizeof(why)) == 0);
	check(c2.peer_spi == our_spi && c2.proposal == c.proposal &&
	    c2.transform == c.transform &&
	    c2.transform_id == c.transform_id && c2.key_bits == c.key_bits &&
	    c2.auth_alg == c.auth_alg && c2.encap == c.encap &&
	    c2.pfs_group == c.pfs_group && c2.life_seconds == c.life_seconds &&
	    c2.life_kbytes == c.life_kbytes && !c2.responder_lifetime);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t pfs[4] = { 0, PROPOSAL_PFS_ANY, 14, 19 };
	const struct ike_conf *conf;
	struct rbuf sa;
	uint32_t spi = 0;
	uint8_t flags;

	init_once();
	if (size < 1)
		return 0;
	flags = data[0];
	conf = (flags & 0x04) ? &conf_strict : &conf_legacy;
	rbuf_init(&sa, data + 1, size - 1);
	for (size_t i = 1; i < size && i < 5; i++)
		spi = spi << 8 | data[i];
	ike(conf, &sa);
	esp(conf, &sa, (flags & 0x01) != 0, (flags & 0x02) != 0,
	    pfs[(flags >> 3) & 3], spi);
	return 0;
}
