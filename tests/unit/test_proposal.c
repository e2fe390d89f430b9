/*
 * test_proposal.c - ikd/proposal.c: Phase 1 and Quick Mode selection on
 * offers built with the ISAKMP builders to look like the built-in clients
 * (research notes windows-client.md 1.2, 2.1, 6.1, 6.2): server order wins,
 * legacy_compat, insecure algorithms, attribute syntax (key length,
 * duplicates, unknown classes, TV/TLV lifetimes), NAT-T encapsulation
 * modes, PFS, responder lifetime, AH+ESP bundles, the failure line, the
 * reply builders by round trip, and every truncation of an offer.
 *
 * With PROPOSAL_SEED_DIR=dir set, the offers are also written to dir in
 * the fuzz seed format (tests/fuzz/fuzz_proposal.c: a flags byte, then
 * the SA body).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ikd/proposal.h"
#include "ikd/dh.h"
#include "conf/conf.h"
#include "lib/log.h"
#include "tests/unit/logcap.h"

#define BUFSZ		8192
#define MAXXF		48
#define MAXATTR		16
#define MAXPROP		8

/* Wire values the shared headers do not name for us. */
#define T_MD5		1	/* RFC 2409 Appendix A hash */
#define T_MODP768	1	/* RFC 2409 6.1 */

/* One attribute; tlv > 0: TLV with that many value bytes. */
struct tattr {
	uint16_t type;
	uint64_t value;
	uint8_t tlv;
};

struct txf {
	uint8_t number;
	uint8_t id;
	struct tattr a[MAXATTR];
	size_t na;
};

struct tprop {
	uint8_t number;
	uint8_t protocol;
	uint32_t spi;		/* 4 bytes for AH/ESP, none for ISAKMP */
	struct txf xf[MAXXF];
	size_t nxf;
};

/* An SA offer and the buffer holding it. */
struct offer {
	uint32_t doi;
	uint32_t situation;
	struct tprop p[MAXPROP];
	size_t np;
	uint8_t buf[BUFSZ];
	size_t len;
	struct rbuf body;
};

static struct vpn_conf *vconf;
static struct ike_conf conf;
static char why[512];

/* --- log capture: refused transforms are debug lines, nothing louder */

static int
setup(void **state)
{
	struct conf_err err;

	(void)state;
	vconf = conf_parse_string("", "t.conf", NULL, &err);
	if (vconf == NULL) {
		fprintf(stderr, "conf: %s\n", err.msg);
		return -1;
	}
	logcap_start(LOG_LEVEL_DEBUG);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	conf_free(vconf);
	logcap_stop();
	return 0;
}

/* Each test starts from the default configuration. */
static int
reset(void **state)
{
	(void)state;
	conf = vconf->ike;
	logcap_reset();
	memset(why, 0, sizeof(why));
	return 0;
}

/* --- offer construction --- */

static void
offer_init(struct offer *o)
{
	memset(o, 0, sizeof(*o));
	o->doi = ISAKMP_DOI_IPSEC;
	o->situation = IPSEC_SIT_IDENTITY_ONLY;
}

static struct tprop *
add_prop(struct offer *o, uint8_t number, uint8_t protocol, uint32_t spi)
{
	struct tprop *p;

	assert_true(o->np < MAXPROP);
	p = &o->p[o->np++];
	p->number = number;
	p->protocol = protocol;
	p->spi = spi;
	return p;
}

static struct txf *
add_xf(struct tprop *p, uint8_t id)
{
	struct txf *x;

	assert_true(p->nxf < MAXXF);
	x = &p->xf[p->nxf];
	x->number = (uint8_t)++p->nxf;
	x->id = id;
	return x;
}

static void
add_attr(struct txf *x, uint16_t type, uint64_t value, uint8_t tlv)
{
	assert_true(x->na < MAXATTR);
	x->a[x->na].type = type;
	x->a[x->na].value = value;
	x->a[x->na].tlv = tlv;
	x->na++;
}

/* A phase 1 transform; key_bits/life 0: attribute left out. */
static struct txf *
p1(struct tprop *p, uint16_t enc, uint16_t key_bits, uint16_t hash,
    uint16_t auth, uint16_t group, uint32_t life)
{
	struct txf *x = add_xf(p, IPSEC_KEY_IKE);

	add_attr(x, IKE_ATTR_ENCR, enc, 0);
	if (key_bits != 0)
		add_attr(x, IKE_ATTR_KEY_LENGTH, key_bits, 0);
	add_attr(x, IKE_ATTR_HASH, hash, 0);
	add_attr(x, IKE_ATTR_AUTH, auth, 0);
	add_attr(x, IKE_ATTR_GROUP_DESC, group, 0);
	if (life != 0) {
		add_attr(x, IKE_ATTR_LIFE_TYPE, IKE_LIFE_SECONDS, 0);
		add_attr(x, IKE_ATTR_LIFE_DURATION, life, 0);
	}
	return x;
}

/* An ESP transform; 0 leaves key length, auth, mode or life out. */
static struct txf *
esp(struct tprop *p, uint8_t id, uint16_t key_bits, uint16_t auth,
    uint16_t encap, uint32_t life)
{
	struct txf *x = add_xf(p, id);

	if (life != 0) {
		add_attr(x, IPSEC_ATTR_LIFE_TYPE, IPSEC_LIFE_SECONDS, 0);
		add_attr(x, IPSEC_ATTR_LIFE_DURATION, life, 0);
	}
	if (encap != 0)
		add_attr(x, IPSEC_ATTR_ENCAP_MODE, encap, 0);
	if (auth != 0)
		add_attr(x, IPSEC_ATTR_AUTH_ALG, auth, 0);
	if (key_bits != 0)
		add_attr(x, IPSEC_ATTR_KEY_LENGTH, key_bits, 0);
	return x;
}

/* Write the SA payload with the builders; body = after its header. */
static void
offer_build(struct offer *o)
{
	struct isakmp_builder b;
	struct isakmp_attr a;
	struct wbuf w;
	uint8_t spi[4], val[16];
	size_t i, j, k, len;

	wbuf_init(&w, o->buf, sizeof(o->buf));
	isakmp_builder_init(&b, &w, NULL);
	isakmp_build_sa_begin(&b, o->doi, o->situation);
	for (i = 0; i < o->np; i++) {
		const struct tprop *p = &o->p[i];

		spi[0] = (uint8_t)(p->spi >> 24);
		spi[1] = (uint8_t)(p->spi >> 16);
		spi[2] = (uint8_t)(p->spi >> 8);
		spi[3] = (uint8_t)p->spi;
		isakmp_build_proposal_begin(&b, p->number, p->protocol,
		    p->protocol == IPSEC_PROTO_ISAKMP ? NULL : spi,
		    p->protocol == IPSEC_PROTO_ISAKMP ? 0 : 4);
		for (j = 0; j < p->nxf; j++) {
			const struct txf *x = &p->xf[j];

			isakmp_build_transform_begin(&b, x->number, x->id);
			for (k = 0; k < x->na; k++) {
				const struct tattr *t = &x->a[k];

				if (t->tlv == 0) {
					isakmp_build_attr(&b, t->type,
					    t->value);
					continue;
				}
				memset(&a, 0, sizeof(a));
				a.type = t->type;
				a.len = t->tlv;
				for (size_t n = 0; n < t->tlv; n++)
					val[t->tlv - 1 - n] = n < 8 ?
					    (uint8_t)(t->value >> (8 * n)) : 0;
				a.value = val;
				isakmp_build_attr_copy(&b, &a);
			}
			isakmp_build_transform_end(&b);
		}
		isakmp_build_proposal_end(&b);
	}
	isakmp_build_sa_end(&b);
	assert_true(isakmp_builder_finish(&b, &len));
	o->len = len;
	rbuf_init(&o->body, o->buf + ISAKMP_GENERIC_LEN,
	    len - ISAKMP_GENERIC_LEN);
	/* fuzz seeds: flags byte 0 (no NAT, no KE), then the body */
	{
		const char *dir = getenv("PROPOSAL_SEED_DIR");
		static unsigned int seq;
		char path[512];
		FILE *f;

		if (dir == NULL)
			return;
		snprintf(path, sizeof(path), "%s/unit-%03u", dir, seq++);
		if ((f = fopen(path, "wb")) == NULL)
			return;
		fputc(0, f);
		fwrite(o->buf + ISAKMP_GENERIC_LEN, 1,
		    len - ISAKMP_GENERIC_LEN, f);
		fclose(f);
	}
}

/* --- offers of the built-in clients --- */

/* windows-client.md 1.2: Windows 10/11 Main Mode 1, in order */
static void
offer_windows_mm(struct offer *o)
{
	struct tprop *p;

	offer_init(o);
	p = add_prop(o, 1, IPSEC_PROTO_ISAKMP, 0);
	p1(p, IKE_ENCR_AES_CBC, 256, IKE_HASH_SHA1, IKE_AUTH_PSK,
	    IKE_DH_ECP384, 28800);
	p1(p, IKE_ENCR_AES_CBC, 128, IKE_HASH_SHA1, IKE_AUTH_PSK,
	    IKE_DH_ECP256, 28800);
	p1(p, IKE_ENCR_AES_CBC, 256, IKE_HASH_SHA1, IKE_AUTH_PSK,
	    IKE_DH_MODP2048, 28800);
	p1(p, IKE_ENCR_3DES_CBC, 0, IKE_HASH_SHA1, IKE_AUTH_PSK,
	    IKE_DH_MODP2048, 28800);
	p1(p, IKE_ENCR_3DES_CBC, 0, IKE_HASH_SHA1, IKE_AUTH_PSK,
	    IKE_DH_MODP1024, 28800);
	offer_build(o);
}

/* windows-client.md 6.1: Apple (racoon) Main Mode 1, lifetime 3600 s */
static void
offer_apple_mm(struct offer *o)
{
	static const struct {
		uint16_t enc, bits, hash, group;
	} list[] = {
		{ IKE_ENCR_AES_CBC, 256, IKE_HASH_SHA2_256, 14 },
		{ IKE_ENCR_AES_CBC, 256, IKE_HASH_SHA1, 14 },
		{ IKE_ENCR_AES_CBC, 256, T_MD5, 14 },
		{ IKE_ENCR_AES_CBC, 256, IKE_HASH_SHA2_512, 14 },
		{ IKE_ENCR_AES_CBC, 256, IKE_HASH_SHA2_256, 5 },
		{ IKE_ENCR_AES_CBC, 256, IKE_HASH_SHA1, 5 },
		{ IKE_ENCR_AES_CBC, 256, T_MD5, 5 },
		{ IKE_ENCR_AES_CBC, 256, IKE_HASH_SHA2_256, 2 },
		{ IKE_ENCR_AES_CBC, 256, IKE_HASH_SHA1, 2 },
		{ IKE_ENCR_AES_CBC, 256, T_MD5, 2 },
		{ IKE_ENCR_AES_CBC, 128, IKE_HASH_SHA1, 2 },
		{ IKE_ENCR_AES_CBC, 128, T_MD5, 2 },
		{ IKE_ENCR_3DES_CBC, 0, IKE_HASH_SHA1, 2 },
		{ IKE_ENCR_3DES_CBC, 0, T_MD5, 2 },
	};
	struct tprop *p;
	size_t i;

	offer_init(o);
	p = add_prop(o, 1, IPSEC_PROTO_ISAKMP, 0);
	for (i = 0; i < sizeof(list) / sizeof(list[0]); i++)
		p1(p, list[i].enc, list[i].bits, list[i].hash, IKE_AUTH_PSK,
		    list[i].group, 3600);
	offer_build(o);
}

/* windows-client.md 6.2: Android racoon, MODP-1024 only */
static void
offer_android_mm(struct offer *o)
{
	static const struct {
		uint16_t enc, bits, hash;
	} list[] = {
		{ IKE_ENCR_AES_CBC, 256, IKE_HASH_SHA1 },
		{ IKE_ENCR_AES_CBC, 256, T_MD5 },
		{ IKE_ENCR_AES_CBC, 128, IKE_HASH_SHA1 },
		{ IKE_ENCR_AES_CBC, 128, T_MD5 },
		{ IKE_ENCR_3DES_CBC, 0, IKE_HASH_SHA1 },
		{ IKE_ENCR_3DES_CBC, 0, T_MD5 },
		{ IKE_ENCR_DES_CBC, 0, IKE_HASH_SHA1 },
		{ IKE_ENCR_DES_CBC, 0, T_MD5 },
	};
	struct tprop *p;
	size_t i;

	offer_init(o);
	p = add_prop(o, 1, IPSEC_PROTO_ISAKMP, 0);
	for (i = 0; i < sizeof(list) / sizeof(list[0]); i++)
		p1(p, list[i].enc, list[i].bits, list[i].hash, IKE_AUTH_PSK,
		    IKE_DH_MODP1024, 28800);
	offer_build(o);
}

/* windows-client.md 2.1: Windows Quick Mode 1 */
static void
offer_windows_qm(struct offer *o, uint16_t encap)
{
	struct tprop *p;
	struct txf *x;

	offer_init(o);
	p = add_prop(o, 1, IPSEC_PROTO_ESP, 0xc12a007e);
	x = esp(p, IPSEC_ESP_AES_CBC, 256, IPSEC_AUTH_HMAC_SHA1, encap, 3600);
	add_attr(x, IPSEC_ATTR_LIFE_TYPE, IPSEC_LIFE_KILOBYTES, 0);
	add_attr(x, IPSEC_ATTR_LIFE_DURATION, 250000, 4);
	esp(p, IPSEC_ESP_AES_CBC, 128, IPSEC_AUTH_HMAC_SHA1, encap, 3600);
	esp(p, IPSEC_ESP_3DES, 0, IPSEC_AUTH_HMAC_SHA1, encap, 3600);
	offer_build(o);
}

static int
sel_ike(const struct offer *o, struct ike_choice *c)
{
	return proposal_select_ike(&conf, PROPOSAL_AUTH_PSK, &o->body, "t",
	    c, why, sizeof(why));
}

static int
sel_esp(const struct offer *o, bool natt, bool draft, uint16_t pfs,
    struct esp_choice *c)
{
	return proposal_select_esp(&conf, &o->body, natt, draft, pfs, "t", c,
	    why, sizeof(why));
}

static void
assert_why_has(const char *s)
{
	if (strstr(why, s) == NULL)
		fail_msg("\"%s\" not in why: %s", s, why);
}

/* Keep only conf proposals whose group is not ECP. */
static void
conf_drop_ecp(void)
{
	size_t i, n = 0;

	for (i = 0; i < conf.nproposals; i++)
		if (conf.proposals[i].dh != CONF_DH_ECP256 &&
		    conf.proposals[i].dh != CONF_DH_ECP384)
			conf.proposals[n++] = conf.proposals[i];
	conf.nproposals = n;
}

/* --- Phase 1 --- */

static void
test_p1_windows_default(void **state)
{
	struct offer o;
	struct ike_choice c;
	char s[PROPOSAL_STR_MAX];

	(void)state;
	offer_windows_mm(&o);
	/* ECP-256 is before ECP-384 in the default ike.proposals */
	assert_int_equal(sel_ike(&o, &c), 0);
	assert_int_equal(c.proposal, 1);
	assert_int_equal(c.transform, 2);
	assert_int_equal(c.enc, IKE_ENC_AES128_CBC);
	assert_int_equal(c.key_bits, 128);
	assert_int_equal(c.hash, IKE_HASH_SHA1);
	assert_int_equal(c.auth, IKE_AUTH_PSK);
	assert_int_equal(c.group, IKE_DH_ECP256);
	assert_int_equal(c.peer_life_seconds, 28800);
	assert_int_equal(c.life_seconds, 28800);
	assert_false(c.life_capped);
	assert_int_equal(c.life_kbytes, 0);
	assert_int_equal(c.spi_size, 0);
	assert_string_equal(ike_choice_str(&c, s, sizeof(s)),
	    "aes128-sha1-ecp256 psk 28800s");
	assert_int_equal(logcap_count(LOG_LEVEL_WARNING), 0);
}

static void
test_p1_windows_no_ecp(void **state)
{
	struct offer o;
	struct ike_choice c;

	(void)state;
	conf_drop_ecp();
	offer_windows_mm(&o);
	assert_int_equal(sel_ike(&o, &c), 0);
	assert_int_equal(c.transform, 3);
	assert_int_equal(c.enc, IKE_ENC_AES256_CBC);
	assert_int_equal(c.group, IKE_DH_MODP2048);
	/* without legacy_compat the same: 3des transforms come later */
	conf.legacy_compat = false;
	assert_int_equal(sel_ike(&o, &c), 0);
	assert_int_equal(c.transform, 3);
}

static void
test_p1_server_order(void **state)
{
	struct offer o;
	struct ike_choice c;

	(void)state;
	/* the server's order, not the peer's: 3des-modp1024 first in conf */
	offer_windows_mm(&o);
	conf.proposals[0] = (struct conf_ike_proposal){ CONF_ENC_3DES,
	    CONF_HASH_SHA1, CONF_DH_MODP1024 };
	assert_int_equal(sel_ike(&o, &c), 0);
	assert_int_equal(c.transform, 5);
	assert_int_equal(c.enc, IKE_ENC_3DES_CBC);
	assert_int_equal(c.key_bits, 192);
}

static void
test_p1_apple(void **state)
{
	struct offer o;
	struct ike_choice c;
	char s[PROPOSAL_STR_MAX];

	(void)state;
	offer_apple_mm(&o);
	assert_int_equal(sel_ike(&o, &c), 0);
	assert_int_equal(c.transform, 1);
	assert_int_equal(c.enc, IKE_ENC_AES256_CBC);
	assert_int_equal(c.hash, IKE_HASH_SHA2_256);
	assert_int_equal(c.group, IKE_DH_MODP2048);
	assert_int_equal(c.life_seconds, 3600);
	assert_string_equal(ike_choice_str(&c, s, sizeof(s)),
	    "aes256-sha256-modp2048 psk 3600s");
	/* MD5 transforms were skipped with a debug line each */
	assert_true(logcap_count(LOG_LEVEL_DEBUG) >= 1);
	assert_int_equal(logcap_count(LOG_LEVEL_WARNING), 0);
}

static void
test_p1_android(void **state)
{
	struct offer o;
	struct ike_choice c;

	(void)state;
	offer_android_mm(&o);
	assert_int_equal(sel_ike(&o, &c), 0);
	assert_int_equal(c.transform, 1);
	assert_int_equal(c.enc, IKE_ENC_AES256_CBC);
	assert_int_equal(c.group, IKE_DH_MODP1024);

	conf.legacy_compat = false;
	assert_int_equal(sel_ike(&o, &c), ISAKMP_N_NO_PROPOSAL_CHOSEN);
	assert_non_null(strstr(why, "peer offered [1] aes256-sha1-psk-modp1024"
	    " 28800s, [2] aes256-md5-psk-modp1024 28800s"));
	assert_why_has("none acceptable: ");
	assert_why_has("modp1024 needs ike.legacy_compat");
	assert_why_has("md5 refused (insecure)");
	assert_why_has("des refused (insecure)");
	/* one line, no duplicate reasons */
	assert_null(strchr(why, '\n'));
	assert_null(strstr(strstr(why, "md5 refused") + 1, "md5 refused"));
	assert_int_equal(c.transform, 0);
	assert_null(c.xf);
}

static void
test_p1_insecure(void **state)
{
	struct offer o;
	struct ike_choice c;
	struct tprop *p;

	(void)state;
	offer_init(&o);
	p = add_prop(&o, 1, IPSEC_PROTO_ISAKMP, 0);
	p1(p, IKE_ENCR_DES_CBC, 0, IKE_HASH_SHA1, IKE_AUTH_PSK, 14, 28800);
	p1(p, IKE_ENCR_AES_CBC, 128, T_MD5, IKE_AUTH_PSK, 14, 28800);
	p1(p, IKE_ENCR_AES_CBC, 128, IKE_HASH_SHA1, IKE_AUTH_PSK, T_MODP768,
	    28800);
	offer_build(&o);
	assert_int_equal(sel_ike(&o, &c), ISAKMP_N_NO_PROPOSAL_CHOSEN);
	assert_why_has("[1] des-sha1-psk-modp2048 28800s");
	assert_why_has("[2] aes128-md5-psk-modp2048 28800s");
	assert_why_has("[3] aes128-sha1-psk-modp768 28800s");
	assert_why_has("des refused (insecure)");
	assert_why_has("md5 refused (insecure)");
	assert_why_has("modp768 refused (insecure)");
	assert_int_equal(logcap_count(LOG_LEVEL_DEBUG), 3);
	assert_int_equal(logcap_count(LOG_LEVEL_WARNING), 0);
}

static void
test_p1_key_length(void **state)
{
	struct offer o;
	struct ike_choice c;
	struct tprop *p;

	(void)state;
	offer_init(&o);
	p = add_prop(&o, 1, IPSEC_PROTO_ISAKMP, 0);
	p1(p, IKE_ENCR_AES_CBC, 0, IKE_HASH_SHA1, IKE_AUTH_PSK, 14, 28800);
	p1(p, IKE_ENCR_AES_CBC, 512, IKE_HASH_SHA1, IKE_AUTH_PSK, 14, 28800);
	p1(p, IKE_ENCR_3DES_CBC, 128, IKE_HASH_SHA1, IKE_AUTH_PSK, 14, 28800);
	p1(p, IKE_ENCR_BLOWFISH_CBC, 128, IKE_HASH_SHA1, IKE_AUTH_PSK, 14,
	    28800);
	offer_build(&o);
	assert_int_equal(sel_ike(&o, &c), ISAKMP_N_NO_PROPOSAL_CHOSEN);
	assert_why_has("[1] aes-sha1-psk-modp2048");
	assert_why_has("aes without key length");
	assert_why_has("aes key length 512 unsupported");
	assert_why_has("3des key length 128");
	assert_why_has("enc3 unsupported");

	/* aes192 is accepted when configured; 3des with 192 too */
	offer_init(&o);
	p = add_prop(&o, 1, IPSEC_PROTO_ISAKMP, 0);
	p1(p, IKE_ENCR_3DES_CBC, 192, IKE_HASH_SHA1, IKE_AUTH_PSK, 14, 0);
	p1(p, IKE_ENCR_AES_CBC, 192, IKE_HASH_SHA1, IKE_AUTH_PSK, 14, 0);
	offer_build(&o);
	conf.proposals[0] = (struct conf_ike_proposal){ CONF_ENC_AES192,
	    CONF_HASH_SHA1, CONF_DH_MODP2048 };
	conf.proposals[1] = (struct conf_ike_proposal){ CONF_ENC_3DES,
	    CONF_HASH_SHA1, CONF_DH_MODP2048 };
	conf.nproposals = 2;
	assert_int_equal(sel_ike(&o, &c), 0);
	assert_int_equal(c.transform, 2);
	assert_int_equal(c.enc, IKE_ENC_AES192_CBC);
	/* no lifetime offered: ours */
	assert_int_equal(c.peer_life_seconds, 0);
	assert_int_equal(c.life_seconds, conf.ike_lifetime);
	conf.nproposals = 1;
	conf.proposals[0].enc = CONF_ENC_3DES;
	assert_int_equal(sel_ike(&o, &c), 0);
	assert_int_equal(c.transform, 1);
}

static void
test_p1_attr_syntax(void **state)
{
	struct offer o;
	struct ike_choice c;
	struct tprop *p;
	struct txf *x;

	(void)state;
	offer_init(&o);
	p = add_prop(&o, 1, IPSEC_PROTO_ISAKMP, 0);
	/* 1: duplicate hash */
	x = p1(p, IKE_ENCR_AES_CBC, 128, IKE_HASH_SHA1, IKE_AUTH_PSK, 14, 0);
	add_attr(x, IKE_ATTR_HASH, IKE_HASH_SHA2_256, 0);
	/* 2: PRF (RFC 2409: none negotiable) */
	x = p1(p, IKE_ENCR_AES_CBC, 128, IKE_HASH_SHA1, IKE_AUTH_PSK, 14, 0);
	add_attr(x, IKE_ATTR_PRF, 1, 0);
	/* 3: a private group (prime given) */
	x = p1(p, IKE_ENCR_AES_CBC, 128, IKE_HASH_SHA1, IKE_AUTH_PSK, 14, 0);
	add_attr(x, IKE_ATTR_GROUP_PRIME, 0x12345678, 4);
	/* 4: an unknown class */
	x = p1(p, IKE_ENCR_AES_CBC, 128, IKE_HASH_SHA1, IKE_AUTH_PSK, 14, 0);
	add_attr(x, 16383, 1, 0);
	/* 5: the hash as TLV (basic attribute in variable form) */
	x = add_xf(p, IPSEC_KEY_IKE);
	add_attr(x, IKE_ATTR_ENCR, IKE_ENCR_AES_CBC, 0);
	add_attr(x, IKE_ATTR_KEY_LENGTH, 128, 0);
	add_attr(x, IKE_ATTR_HASH, IKE_HASH_SHA1, 4);
	add_attr(x, IKE_ATTR_AUTH, IKE_AUTH_PSK, 0);
	add_attr(x, IKE_ATTR_GROUP_DESC, 14, 0);
	/* 6: no group */
	x = add_xf(p, IPSEC_KEY_IKE);
	add_attr(x, IKE_ATTR_ENCR, IKE_ENCR_AES_CBC, 0);
	add_attr(x, IKE_ATTR_KEY_LENGTH, 128, 0);
	add_attr(x, IKE_ATTR_HASH, IKE_HASH_SHA1, 0);
	add_attr(x, IKE_ATTR_AUTH, IKE_AUTH_PSK, 0);
	/* 7: transform id not KEY_IKE */
	x = add_xf(p, 2);
	offer_build(&o);
	assert_int_equal(sel_ike(&o, &c), ISAKMP_N_NO_PROPOSAL_CHOSEN);
	assert_why_has("duplicate hash");
	assert_why_has("unsupported attribute");
	assert_why_has("(13)");
	assert_why_has("(6)");
	assert_why_has("(16383)");
	assert_why_has("hash not a basic attribute");
	assert_why_has("no group");
	assert_why_has("transform id 2 not KEY_IKE");
	assert_int_equal(logcap_count(LOG_LEVEL_DEBUG), 7);

	/* a valid transform after the broken ones is still found */
	p1(p, IKE_ENCR_AES_CBC, 128, IKE_HASH_SHA1, IKE_AUTH_PSK, 14, 0);
	offer_build(&o);
	assert_int_equal(sel_ike(&o, &c), 0);
	assert_int_equal(c.transform, 8);
}

static void
test_p1_lifetimes(void **state)
{
	struct offer o;
	struct ike_choice c;
	struct tprop *p;
	struct txf *x;
	static const uint8_t tlvs[] = { 1, 2, 4, 8 };
	size_t i;

	(void)state;
	/* the duration as TV and as TLV of 1..8 bytes: same meaning */
	for (i = 0; i < sizeof(tlvs); i++) {
		offer_init(&o);
		p = add_prop(&o, 1, IPSEC_PROTO_ISAKMP, 0);
		x = p1(p, IKE_ENCR_AES_CBC, 128, IKE_HASH_SHA1, IKE_AUTH_PSK,
		    14, 0);
		add_attr(x, IKE_ATTR_LIFE_TYPE, IKE_LIFE_SECONDS, 0);
		add_attr(x, IKE_ATTR_LIFE_DURATION, tlvs[i] == 1 ? 200 : 3600,
		    tlvs[i]);
		offer_build(&o);
		assert_int_equal(sel_ike(&o, &c), 0);
		assert_int_equal(c.peer_life_seconds, tlvs[i] == 1 ? 200 :
		    3600);
		assert_int_equal(c.life_seconds, c.peer_life_seconds);
	}

	/* above ike_lifetime: accepted, our expiry capped */
	offer_init(&o);
	p = add_prop(&o, 1, IPSEC_PROTO_ISAKMP, 0);
	x = p1(p, IKE_ENCR_AES_CBC, 128, IKE_HASH_SHA1, IKE_AUTH_PSK, 14,
	    86400);
	add_attr(x, IKE_ATTR_LIFE_TYPE, IKE_LIFE_KILOBYTES, 0);
	add_attr(x, IKE_ATTR_LIFE_DURATION, 5000000, 4);
	offer_build(&o);
	assert_int_equal(sel_ike(&o, &c), 0);
	assert_int_equal(c.peer_life_seconds, 86400);
	assert_int_equal(c.life_seconds, 28800);
	assert_true(c.life_capped);
	assert_int_equal(c.life_kbytes, 5000000);

	/* a 12-byte duration that fits (leading zeros) and one that does not */
	offer_init(&o);
	p = add_prop(&o, 1, IPSEC_PROTO_ISAKMP, 0);
	x = p1(p, IKE_ENCR_AES_CBC, 128, IKE_HASH_SHA1, IKE_AUTH_PSK, 14, 0);
	add_attr(x, IKE_ATTR_LIFE_TYPE, IKE_LIFE_SECONDS, 0);
	add_attr(x, IKE_ATTR_LIFE_DURATION, 3600, 12);
	offer_build(&o);
	assert_int_equal(sel_ike(&o, &c), 0);
	assert_int_equal(c.life_seconds, 3600);
	o.buf[o.len - 12] = 1;		/* now 2^88 + 3600 */
	assert_int_equal(sel_ike(&o, &c), ISAKMP_N_NO_PROPOSAL_CHOSEN);
	assert_why_has("bad life duration");

	/* pairs: duration without type, type without duration, twice, 0 */
	offer_init(&o);
	p = add_prop(&o, 1, IPSEC_PROTO_ISAKMP, 0);
	x = p1(p, IKE_ENCR_AES_CBC, 128, IKE_HASH_SHA1, IKE_AUTH_PSK, 14, 0);
	add_attr(x, IKE_ATTR_LIFE_DURATION, 3600, 0);
	x = p1(p, IKE_ENCR_AES_CBC, 128, IKE_HASH_SHA1, IKE_AUTH_PSK, 14, 0);
	add_attr(x, IKE_ATTR_LIFE_TYPE, IKE_LIFE_SECONDS, 0);
	x = p1(p, IKE_ENCR_AES_CBC, 128, IKE_HASH_SHA1, IKE_AUTH_PSK, 14,
	    3600);
	add_attr(x, IKE_ATTR_LIFE_TYPE, IKE_LIFE_SECONDS, 0);
	add_attr(x, IKE_ATTR_LIFE_DURATION, 3600, 0);
	x = p1(p, IKE_ENCR_AES_CBC, 128, IKE_HASH_SHA1, IKE_AUTH_PSK, 14, 0);
	add_attr(x, IKE_ATTR_LIFE_TYPE, IKE_LIFE_SECONDS, 0);
	add_attr(x, IKE_ATTR_LIFE_DURATION, 0, 0);
	x = p1(p, IKE_ENCR_AES_CBC, 128, IKE_HASH_SHA1, IKE_AUTH_PSK, 14, 0);
	add_attr(x, IKE_ATTR_LIFE_TYPE, 3, 0);
	add_attr(x, IKE_ATTR_LIFE_DURATION, 10, 0);
	offer_build(&o);
	assert_int_equal(sel_ike(&o, &c), ISAKMP_N_NO_PROPOSAL_CHOSEN);
	assert_why_has("life duration without type");
	assert_why_has("life type without duration");
	assert_why_has("duplicate life type");
	assert_why_has("bad life duration");
	assert_why_has("unknown life type");
}

static void
test_p1_auth_mask(void **state)
{
	struct offer o;
	struct ike_choice c;
	struct tprop *p;

	(void)state;
	offer_init(&o);
	p = add_prop(&o, 1, IPSEC_PROTO_ISAKMP, 0);
	p1(p, IKE_ENCR_AES_CBC, 128, IKE_HASH_SHA1, IKE_AUTH_RSA_SIG, 14, 0);
	p1(p, IKE_ENCR_AES_CBC, 128, IKE_HASH_SHA1, IKE_AUTH_XAUTH_INIT_PSK,
	    14, 0);
	p1(p, IKE_ENCR_AES_CBC, 128, IKE_HASH_SHA1, IKE_AUTH_PSK, 14, 0);
	offer_build(&o);
	assert_int_equal(sel_ike(&o, &c), 0);
	assert_int_equal(c.transform, 3);
	assert_int_equal(proposal_select_ike(&conf, PROPOSAL_AUTH_RSA_SIG |
	    PROPOSAL_AUTH_PSK, &o.body, NULL, &c, why, sizeof(why)), 0);
	assert_int_equal(c.transform, 1);
	assert_int_equal(c.auth, IKE_AUTH_RSA_SIG);
	assert_int_equal(proposal_select_ike(&conf, PROPOSAL_AUTH_ECDSA_256,
	    &o.body, NULL, &c, why, sizeof(why)),
	    ISAKMP_N_NO_PROPOSAL_CHOSEN);
	assert_why_has("auth rsasig not accepted");
	assert_why_has("auth xauthinitpsk not accepted");
	assert_why_has("auth psk not accepted");
}

static void
test_p1_not_configured(void **state)
{
	struct offer o;
	struct ike_choice c;

	(void)state;
	offer_windows_mm(&o);
	conf.nproposals = 1;
	conf.proposals[0] = (struct conf_ike_proposal){ CONF_ENC_AES256,
	    CONF_HASH_SHA512, CONF_DH_MODP4096 };
	assert_int_equal(sel_ike(&o, &c), ISAKMP_N_NO_PROPOSAL_CHOSEN);
	assert_why_has("sha1 not in ike.proposals");
	conf.proposals[0].hash = CONF_HASH_SHA1;
	assert_int_equal(sel_ike(&o, &c), ISAKMP_N_NO_PROPOSAL_CHOSEN);
	assert_why_has("ecp384 not in ike.proposals");
	assert_why_has("aes128 not in ike.proposals");
	assert_why_has("3des not in ike.proposals");
	conf.nproposals = 2;
	conf.proposals[1] = (struct conf_ike_proposal){ CONF_ENC_AES128,
	    CONF_HASH_SHA1, CONF_DH_ECP384 };
	assert_int_equal(sel_ike(&o, &c), ISAKMP_N_NO_PROPOSAL_CHOSEN);
	assert_why_has("aes256-sha1-ecp384 not in ike.proposals");
}

static void
test_p1_structure(void **state)
{
	struct offer o;
	struct ike_choice c;
	struct tprop *p;

	(void)state;
	/* RFC 2409 5: one proposal only */
	offer_init(&o);
	p = add_prop(&o, 1, IPSEC_PROTO_ISAKMP, 0);
	p1(p, IKE_ENCR_AES_CBC, 128, IKE_HASH_SHA1, IKE_AUTH_PSK, 14, 0);
	p = add_prop(&o, 2, IPSEC_PROTO_ISAKMP, 0);
	p1(p, IKE_ENCR_AES_CBC, 128, IKE_HASH_SHA1, IKE_AUTH_PSK, 14, 0);
	offer_build(&o);
	assert_int_equal(sel_ike(&o, &c), ISAKMP_N_BAD_PROPOSAL_SYNTAX);
	assert_why_has("2 proposals");

	offer_init(&o);
	p = add_prop(&o, 1, IPSEC_PROTO_ESP, 1);
	esp(p, IPSEC_ESP_AES_CBC, 128, IPSEC_AUTH_HMAC_SHA1, 2, 0);
	offer_build(&o);
	assert_int_equal(sel_ike(&o, &c), ISAKMP_N_INVALID_PROTOCOL_ID);
	assert_why_has("protocol esp");

	offer_windows_mm(&o);
	o.situation = 0;
	offer_build(&o);
	assert_int_equal(sel_ike(&o, &c), ISAKMP_N_SITUATION_NOT_SUPPORTED);
	o.situation = IPSEC_SIT_SECRECY | IPSEC_SIT_IDENTITY_ONLY;
	offer_build(&o);
	assert_int_equal(sel_ike(&o, &c), ISAKMP_N_SITUATION_NOT_SUPPORTED);
	o.situation = IPSEC_SIT_IDENTITY_ONLY;
	o.doi = ISAKMP_DOI_ISAKMP;
	offer_build(&o);
	assert_int_equal(sel_ike(&o, &c), ISAKMP_N_DOI_NOT_SUPPORTED);
	assert_why_has("malformed SA payload");

	/* transform count wrong */
	offer_windows_mm(&o);
	o.buf[ISAKMP_GENERIC_LEN + 8 + 7] = 4;
	assert_int_equal(sel_ike(&o, &c), ISAKMP_N_BAD_PROPOSAL_SYNTAX);
}

/* Every truncation of a valid offer fails cleanly (ASan watches). */
static void
test_p1_truncations(void **state)
{
	struct offer o;
	struct ike_choice c;
	struct esp_choice e;
	struct rbuf r;
	size_t n;
	char small[8];

	(void)state;
	offer_windows_mm(&o);
	for (n = 0; n < rbuf_left(&o.body); n++) {
		rbuf_init(&r, rbuf_cur(&o.body), n);
		assert_int_not_equal(proposal_select_ike(&conf,
		    PROPOSAL_AUTH_PSK, &r, NULL, &c, small, sizeof(small)), 0);
		assert_true(strlen(small) < sizeof(small));
		assert_int_not_equal(proposal_select_esp(&conf, &r, false,
		    false, 0, NULL, &e, why, sizeof(why)), 0);
	}
	assert_int_equal(logcap_count(LOG_LEVEL_WARNING), 0);
}

static void
test_p1_reply_roundtrip(void **state)
{
	struct offer o;
	struct ike_choice c, c2;
	struct isakmp_builder b;
	struct isakmp_sa sa;
	struct isakmp_proposal prop;
	struct isakmp_transform xf;
	struct rbuf it, body;
	struct wbuf w;
	uint8_t out[512];
	size_t len;

	(void)state;
	offer_apple_mm(&o);
	assert_int_equal(sel_ike(&o, &c), 0);
	assert_non_null(c.xf);
	wbuf_init(&w, out, sizeof(out));
	isakmp_builder_init(&b, &w, NULL);
	proposal_build_ike_reply(&b, &c);
	assert_true(isakmp_builder_finish(&b, &len));
	rbuf_init(&body, out + ISAKMP_GENERIC_LEN, len - ISAKMP_GENERIC_LEN);
	assert_int_equal(isakmp_sa_parse(&body, &sa), ISAKMP_OK);
	assert_int_equal(sa.nproposals, 1);
	it = sa.proposals;
	assert_true(isakmp_proposal_next(&it, &prop));
	assert_int_equal(prop.number, 1);
	assert_int_equal(prop.protocol, IPSEC_PROTO_ISAKMP);
	assert_int_equal(prop.ntransforms, 1);
	it = prop.transforms;
	assert_true(isakmp_transform_next(&it, &xf));
	/* windows-client.md 1.2: exactly the offered transform */
	assert_int_equal(ISAKMP_GENERIC_LEN + 4 + rbuf_left(&xf.attrs),
	    c.xf_len);
	assert_memory_equal(rbuf_cur(&xf.attrs), rbuf_cur(&c.attrs),
	    rbuf_left(&c.attrs));
	/* all but the "next" byte (3 in the offer, 0 as the only one) */
	assert_memory_equal(out + len - c.xf_len + 1, c.xf + 1, c.xf_len - 1);
	/* RFC 2408 3.6: reserved bytes of the offer are not echoed */
	{
		struct offer o2;
		struct ike_choice c3;
		uint8_t *x;

		offer_windows_mm(&o2);
		assert_int_equal(sel_ike(&o2, &c3), 0);
		x = o2.buf + (c3.xf - o2.buf);
		x[1] = 0x5a;
		x[6] = 0xfb;
		x[7] = 0xff;
		assert_int_equal(sel_ike(&o2, &c3), 0);
		wbuf_init(&w, out, sizeof(out));
		isakmp_builder_init(&b, &w, NULL);
		proposal_build_ike_reply(&b, &c3);
		assert_true(isakmp_builder_finish(&b, &len));
		assert_int_equal(out[len - c3.xf_len + 1], 0);
		assert_int_equal(out[len - c3.xf_len + 6], 0);
		assert_int_equal(out[len - c3.xf_len + 7], 0);
		assert_memory_equal(out + len - c3.xf_len + 8, c3.xf + 8,
		    c3.xf_len - 8);
	}
	offer_apple_mm(&o);
	assert_int_equal(sel_ike(&o, &c), 0);
	wbuf_init(&w, out, sizeof(out));
	isakmp_builder_init(&b, &w, NULL);
	proposal_build_ike_reply(&b, &c);
	assert_true(isakmp_builder_finish(&b, &len));
	rbuf_init(&body, out + ISAKMP_GENERIC_LEN, len - ISAKMP_GENERIC_LEN);
	/* and selecting from our reply gives the same choice */
	assert_int_equal(proposal_select_ike(&conf, PROPOSAL_AUTH_PSK, &body,
	    NULL, &c2, why, sizeof(why)), 0);
	assert_int_equal(c2.transform, c.transform);
	assert_int_equal(c2.enc, c.enc);
	assert_int_equal(c2.hash, c.hash);
	assert_int_equal(c2.group, c.group);
	assert_int_equal(c2.life_seconds, c.life_seconds);
}

static void
test_why_bounds(void **state)
{
	struct offer o;
	struct ike_choice c;
	char w[64];
	size_t n;

	(void)state;
	offer_android_mm(&o);
	conf.legacy_compat = false;
	for (n = 0; n <= sizeof(w); n++) {
		memset(w, 'X', sizeof(w));
		assert_int_equal(proposal_select_ike(&conf, PROPOSAL_AUTH_PSK,
		    &o.body, NULL, &c, n == 0 ? NULL : w, n),
		    ISAKMP_N_NO_PROPOSAL_CHOSEN);
		if (n == 0)
			continue;
		assert_true(strlen(w) < n);
		/* the rest of the buffer is untouched */
		if (n < sizeof(w))
			assert_int_equal(w[n], 'X');
		if (n >= 4)
			assert_string_equal(w + strlen(w) - 3, "...");
	}
	/* the full line fits in a normal buffer, untruncated */
	assert_int_equal(sel_ike(&o, &c), ISAKMP_N_NO_PROPOSAL_CHOSEN);
	assert_true(strlen(why) < sizeof(why) - 1);
	assert_null(strstr(why, "..."));
}

/* Many transforms: debug lines capped, why truncated, last one found. */
static void
test_p1_many(void **state)
{
	struct offer o;
	struct ike_choice c;
	struct tprop *p;
	size_t i;

	(void)state;
	offer_init(&o);
	p = add_prop(&o, 1, IPSEC_PROTO_ISAKMP, 0);
	for (i = 0; i < 39; i++)
		p1(p, IKE_ENCR_DES_CBC, 0, IKE_HASH_SHA1, IKE_AUTH_PSK, 14,
		    28800);
	offer_build(&o);
	assert_int_equal(sel_ike(&o, &c), ISAKMP_N_NO_PROPOSAL_CHOSEN);
	assert_int_equal(strlen(why), sizeof(why) - 1);
	assert_string_equal(why + strlen(why) - 3, "...");
	/* 16 lines and one "more not logged" */
	assert_int_equal(logcap_count(LOG_LEVEL_DEBUG), 17);
	p1(p, IKE_ENCR_AES_CBC, 128, IKE_HASH_SHA1, IKE_AUTH_PSK, 14, 28800);
	offer_build(&o);
	assert_int_equal(sel_ike(&o, &c), 0);
	assert_int_equal(c.transform, 40);
}

/* --- Quick Mode --- */

static void
test_qm_windows(void **state)
{
	struct offer o;
	struct esp_choice c;
	char s[PROPOSAL_STR_MAX];

	(void)state;
	offer_windows_qm(&o, IPSEC_ENCAP_TRANSPORT);
	assert_int_equal(sel_esp(&o, false, false, 0, &c), 0);
	assert_int_equal(c.proposal, 1);
	assert_int_equal(c.transform, 1);
	assert_int_equal(c.transform_id, IPSEC_ESP_AES_CBC);
	assert_int_equal(c.peer_spi, 0xc12a007e);
	assert_int_equal(c.key_bits, 256);
	assert_int_equal(c.auth_alg, IPSEC_AUTH_HMAC_SHA1);
	assert_int_equal(c.icv_bits, 96);
	assert_int_equal(c.encap, IPSEC_ENCAP_TRANSPORT);
	assert_false(c.udp_encap);
	assert_int_equal(c.pfs_group, 0);
	assert_int_equal(c.peer_life_seconds, 3600);
	assert_int_equal(c.life_seconds, 3600);
	assert_int_equal(c.life_kbytes, 250000);
	assert_false(c.responder_lifetime);
	assert_string_equal(esp_choice_str(&c, s, sizeof(s)),
	    "aes256-sha1 transport 3600s");

	/* server order: aes128-sha1 first in ike.esp */
	conf.esp[0] = (struct conf_esp_proposal){ CONF_ESP_ENC_3DES,
	    CONF_ESP_INTEG_SHA1 };
	assert_int_equal(sel_esp(&o, false, false, 0, &c), 0);
	assert_int_equal(c.transform, 3);
	assert_int_equal(c.key_bits, 192);
	conf.legacy_compat = false;
	assert_int_equal(sel_esp(&o, false, false, 0, &c), 0);
	assert_int_equal(c.transform, 2);
	assert_int_equal(c.key_bits, 128);
}

static void
test_qm_natt(void **state)
{
	struct offer o;
	struct esp_choice c;
	char s[PROPOSAL_STR_MAX];

	(void)state;
	/* RFC 3947 5.1: 4 under NAT */
	offer_windows_qm(&o, IPSEC_ENCAP_UDP_TRANSPORT);
	assert_int_equal(sel_esp(&o, true, false, 0, &c), 0);
	assert_int_equal(c.encap, IPSEC_ENCAP_UDP_TRANSPORT);
	assert_true(c.udp_encap);
	assert_string_equal(esp_choice_str(&c, s, sizeof(s)),
	    "aes256-sha1 udp-transport 3600s");
	assert_int_equal(sel_esp(&o, true, true, 0, &c), 0);
	assert_int_equal(sel_esp(&o, false, false, 0, &c),
	    ISAKMP_N_NO_PROPOSAL_CHOSEN);
	assert_why_has("udp-transport without NAT");

	/* the draft number */
	offer_windows_qm(&o, IPSEC_ENCAP_UDP_TRANSPORT_DRAFT);
	assert_int_equal(sel_esp(&o, true, true, 0, &c), 0);
	assert_int_equal(c.encap, IPSEC_ENCAP_UDP_TRANSPORT_DRAFT);
	assert_true(c.udp_encap);
	assert_int_equal(sel_esp(&o, true, false, 0, &c), 0);

	/* plain transport only without NAT */
	offer_windows_qm(&o, IPSEC_ENCAP_TRANSPORT);
	assert_int_equal(sel_esp(&o, true, false, 0, &c),
	    ISAKMP_N_NO_PROPOSAL_CHOSEN);
	assert_why_has("transport under NAT (udp-transport 4 needed)");
	assert_int_equal(sel_esp(&o, true, true, 0, &c),
	    ISAKMP_N_NO_PROPOSAL_CHOSEN);
	assert_why_has("udp-transport 61444 needed");

	/* no mode: transport without NAT, refused under NAT */
	offer_windows_qm(&o, 0);
	assert_int_equal(sel_esp(&o, false, false, 0, &c), 0);
	assert_int_equal(c.encap, 0);
	assert_int_equal(sel_esp(&o, true, false, 0, &c),
	    ISAKMP_N_NO_PROPOSAL_CHOSEN);
}

static void
test_qm_tunnel(void **state)
{
	struct offer o;
	struct esp_choice c;
	static const uint16_t modes[] = { IPSEC_ENCAP_TUNNEL,
	    IPSEC_ENCAP_UDP_TUNNEL, IPSEC_ENCAP_UDP_TUNNEL_DRAFT };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		offer_windows_qm(&o, modes[i]);
		assert_int_equal(sel_esp(&o, i > 0, i == 2, 0, &c),
		    ISAKMP_N_NO_PROPOSAL_CHOSEN);
		assert_why_has("tunnel mode refused");
	}
	offer_windows_qm(&o, 77);
	assert_int_equal(sel_esp(&o, false, false, 0, &c),
	    ISAKMP_N_NO_PROPOSAL_CHOSEN);
	assert_why_has("encapsulation mode 77 unknown");
}

static void
test_qm_apple(void **state)
{
	struct offer o;
	struct esp_choice c;
	struct tprop *p;

	(void)state;
	/* windows-client.md 6.1: AES256/AES128/3DES x SHA256/SHA1/MD5 */
	offer_init(&o);
	p = add_prop(&o, 1, IPSEC_PROTO_ESP, 0x0a0b0c0d);
	esp(p, IPSEC_ESP_AES_CBC, 256, IPSEC_AUTH_HMAC_SHA2_256, 4, 3600);
	esp(p, IPSEC_ESP_AES_CBC, 256, IPSEC_AUTH_HMAC_SHA1, 4, 3600);
	esp(p, IPSEC_ESP_AES_CBC, 256, IPSEC_AUTH_HMAC_MD5, 4, 3600);
	esp(p, IPSEC_ESP_AES_CBC, 128, IPSEC_AUTH_HMAC_SHA1, 4, 3600);
	esp(p, IPSEC_ESP_3DES, 0, IPSEC_AUTH_HMAC_SHA1, 4, 3600);
	esp(p, IPSEC_ESP_3DES, 0, IPSEC_AUTH_HMAC_MD5, 4, 3600);
	offer_build(&o);
	/* default ike.esp has aes256-sha1 before aes256-sha256 */
	assert_int_equal(sel_esp(&o, true, false, 0, &c), 0);
	assert_int_equal(c.transform, 2);
	assert_int_equal(c.icv_bits, 96);
	/* sha256 alone: RFC 4868 128-bit ICV */
	conf.nesp = 1;
	conf.esp[0] = (struct conf_esp_proposal){ CONF_ESP_ENC_AES256,
	    CONF_ESP_INTEG_SHA256 };
	assert_int_equal(sel_esp(&o, true, false, 0, &c), 0);
	assert_int_equal(c.transform, 1);
	assert_int_equal(c.auth_alg, IPSEC_AUTH_HMAC_SHA2_256);
	assert_int_equal(c.icv_bits, 128);
	assert_int_equal(c.peer_spi, 0x0a0b0c0d);
	/* aes128-sha256 is configured but not offered */
	conf.esp[0].enc = CONF_ESP_ENC_AES128;
	assert_int_equal(sel_esp(&o, true, false, 0, &c),
	    ISAKMP_N_NO_PROPOSAL_CHOSEN);
	assert_why_has("hmac-md5 refused (insecure)");
	/* the cipher alone when no ike.esp entry has it */
	assert_why_has("aes256 not in ike.esp");
	assert_why_has("aes128-sha1 not in ike.esp");
	assert_why_has("3des not in ike.esp");
}

static void
test_qm_gcm(void **state)
{
	struct offer o;
	struct esp_choice c;
	struct tprop *p;
	char s[PROPOSAL_STR_MAX];

	(void)state;
	offer_init(&o);
	p = add_prop(&o, 1, IPSEC_PROTO_ESP, 7);
	esp(p, IPSEC_ESP_AES_GCM_16, 256, IPSEC_AUTH_HMAC_SHA1, 2, 3600);
	esp(p, IPSEC_ESP_AES_GCM_16, 0, 0, 2, 3600);
	esp(p, IPSEC_ESP_AES_GCM_16, 192, 0, 2, 3600);
	esp(p, IPSEC_ESP_AES_GCM_12, 128, 0, 2, 3600);
	esp(p, IPSEC_ESP_AES_GCM_16, 128, 0, 2, 3600);
	esp(p, IPSEC_ESP_AES_GCM_16, 256, 0, 2, 3600);
	offer_build(&o);
	/* default order: aes128gcm16 before aes256gcm16 */
	assert_int_equal(sel_esp(&o, false, false, 0, &c), 0);
	assert_int_equal(c.transform, 5);
	assert_int_equal(c.transform_id, IPSEC_ESP_AES_GCM_16);
	assert_int_equal(c.key_bits, 128);
	assert_int_equal(c.auth_alg, 0);
	assert_int_equal(c.icv_bits, 128);
	assert_string_equal(esp_choice_str(&c, s, sizeof(s)),
	    "aes128gcm16 transport 3600s");
	conf.nesp = 0;
	assert_int_equal(sel_esp(&o, false, false, 0, &c),
	    ISAKMP_N_NO_PROPOSAL_CHOSEN);
	assert_why_has("aes-gcm with auth algorithm");
	assert_why_has("aes-gcm without key length");
	assert_why_has("aes-gcm key length 192 unsupported");
	assert_why_has("esp19 unsupported");
	assert_why_has("aes128gcm16 not in ike.esp");

	/* CBC without integrity, DES, NULL */
	offer_init(&o);
	p = add_prop(&o, 1, IPSEC_PROTO_ESP, 7);
	esp(p, IPSEC_ESP_AES_CBC, 128, 0, 2, 3600);
	esp(p, IPSEC_ESP_DES, 0, IPSEC_AUTH_HMAC_SHA1, 2, 3600);
	esp(p, IPSEC_ESP_NULL, 0, IPSEC_AUTH_HMAC_SHA1, 2, 3600);
	esp(p, IPSEC_ESP_AES_CBC, 128, IPSEC_AUTH_HMAC_SHA2_512, 2, 3600);
	offer_build(&o);
	assert_int_equal(sel_esp(&o, false, false, 0, &c),
	    ISAKMP_N_NO_PROPOSAL_CHOSEN);
	assert_why_has("no auth algorithm");
	assert_why_has("des refused (insecure)");
	assert_why_has("null encryption refused");
	assert_why_has("auth sha512 unsupported");
}

static void
test_qm_pfs(void **state)
{
	struct offer o;
	struct esp_choice c;
	struct tprop *p;
	struct txf *x;
	char s[PROPOSAL_STR_MAX];

	(void)state;
	offer_init(&o);
	p = add_prop(&o, 1, IPSEC_PROTO_ESP, 7);
	x = esp(p, IPSEC_ESP_AES_CBC, 256, IPSEC_AUTH_HMAC_SHA1, 2, 3600);
	add_attr(x, IPSEC_ATTR_GROUP_DESC, IKE_DH_MODP2048, 0);
	offer_build(&o);
	assert_int_equal(sel_esp(&o, false, false, IKE_DH_MODP2048, &c), 0);
	assert_int_equal(c.pfs_group, IKE_DH_MODP2048);
	assert_string_equal(esp_choice_str(&c, s, sizeof(s)),
	    "aes256-sha1 transport 3600s pfs modp2048");
	assert_int_equal(sel_esp(&o, false, false, PROPOSAL_PFS_ANY, &c), 0);
	assert_int_equal(c.pfs_group, IKE_DH_MODP2048);
	/* KE in another group */
	assert_int_equal(sel_esp(&o, false, false, IKE_DH_ECP256, &c),
	    ISAKMP_N_NO_PROPOSAL_CHOSEN);
	assert_why_has("pfs modp2048 but KE is ecp256");
	/* group without KE */
	assert_int_equal(sel_esp(&o, false, false, 0, &c),
	    ISAKMP_N_NO_PROPOSAL_CHOSEN);
	assert_why_has("pfs modp2048 without KE");
	assert_why_has("[1.1] aes256-sha1 transport 3600s pfs modp2048");

	/* KE without group */
	offer_windows_qm(&o, 2);
	assert_int_equal(sel_esp(&o, false, false, IKE_DH_MODP2048, &c),
	    ISAKMP_N_NO_PROPOSAL_CHOSEN);
	assert_why_has("KE without pfs group");

	/* unsupported, insecure, legacy groups */
	offer_init(&o);
	p = add_prop(&o, 1, IPSEC_PROTO_ESP, 7);
	x = esp(p, IPSEC_ESP_AES_CBC, 256, IPSEC_AUTH_HMAC_SHA1, 2, 3600);
	add_attr(x, IPSEC_ATTR_GROUP_DESC, T_MODP768, 0);
	x = esp(p, IPSEC_ESP_AES_CBC, 256, IPSEC_AUTH_HMAC_SHA1, 2, 3600);
	add_attr(x, IPSEC_ATTR_GROUP_DESC, IKE_GROUP_ECP_521, 0);
	x = esp(p, IPSEC_ESP_AES_CBC, 256, IPSEC_AUTH_HMAC_SHA1, 2, 3600);
	add_attr(x, IPSEC_ATTR_GROUP_DESC, IKE_DH_MODP1024, 0);
	offer_build(&o);
	assert_int_equal(sel_esp(&o, false, false, PROPOSAL_PFS_ANY, &c), 0);
	assert_int_equal(c.transform, 3);
	conf.legacy_compat = false;
	assert_int_equal(sel_esp(&o, false, false, PROPOSAL_PFS_ANY, &c),
	    ISAKMP_N_NO_PROPOSAL_CHOSEN);
	assert_why_has("modp768 refused (insecure)");
	assert_why_has("pfs ecp521 unsupported");
	assert_why_has("modp1024 needs ike.legacy_compat");
}

static void
test_qm_lifetimes(void **state)
{
	struct offer o;
	struct esp_choice c;
	struct tprop *p;
	struct txf *x;
	char s[PROPOSAL_STR_MAX];

	(void)state;
	/* above the maximum: RFC 2407 4.6.3.1 */
	offer_init(&o);
	p = add_prop(&o, 1, IPSEC_PROTO_ESP, 7);
	esp(p, IPSEC_ESP_AES_CBC, 256, IPSEC_AUTH_HMAC_SHA1, 2, 86400);
	offer_build(&o);
	assert_int_equal(sel_esp(&o, false, false, 0, &c), 0);
	assert_int_equal(c.peer_life_seconds, 86400);
	assert_int_equal(c.life_seconds, 28800);
	assert_true(c.responder_lifetime);
	assert_string_equal(esp_choice_str(&c, s, sizeof(s)),
	    "aes256-sha1 transport 28800s (responder-lifetime)");

	/* below the minimum: refused */
	offer_init(&o);
	p = add_prop(&o, 1, IPSEC_PROTO_ESP, 7);
	esp(p, IPSEC_ESP_AES_CBC, 256, IPSEC_AUTH_HMAC_SHA1, 2, 120);
	offer_build(&o);
	assert_int_equal(sel_esp(&o, false, false, 0, &c),
	    ISAKMP_N_NO_PROPOSAL_CHOSEN);
	assert_why_has("lifetime 120s below ike.ipsec_lifetime_min 300");

	/* absent: 28800 (RFC 2407 4.5), above a max of 3600 */
	offer_init(&o);
	p = add_prop(&o, 1, IPSEC_PROTO_ESP, 7);
	esp(p, IPSEC_ESP_AES_CBC, 256, IPSEC_AUTH_HMAC_SHA1, 2, 0);
	offer_build(&o);
	assert_int_equal(sel_esp(&o, false, false, 0, &c), 0);
	assert_int_equal(c.peer_life_seconds, 0);
	assert_int_equal(c.life_seconds, 28800);
	assert_false(c.responder_lifetime);
	conf.ipsec_lifetime_max = 3600;
	assert_int_equal(sel_esp(&o, false, false, 0, &c), 0);
	assert_int_equal(c.life_seconds, 3600);
	assert_true(c.responder_lifetime);

	/* seconds as 4-byte TLV, kilobytes only, huge seconds */
	offer_init(&o);
	p = add_prop(&o, 1, IPSEC_PROTO_ESP, 7);
	x = esp(p, IPSEC_ESP_AES_CBC, 256, IPSEC_AUTH_HMAC_SHA1, 2, 0);
	add_attr(x, IPSEC_ATTR_LIFE_TYPE, IPSEC_LIFE_SECONDS, 0);
	add_attr(x, IPSEC_ATTR_LIFE_DURATION, 1800, 4);
	x = esp(p, IPSEC_ESP_AES_CBC, 128, IPSEC_AUTH_HMAC_SHA1, 2, 0);
	add_attr(x, IPSEC_ATTR_LIFE_TYPE, IPSEC_LIFE_KILOBYTES, 0);
	add_attr(x, IPSEC_ATTR_LIFE_DURATION, 100000, 4);
	x = esp(p, IPSEC_ESP_AES_CBC, 256, IPSEC_AUTH_HMAC_SHA2_256, 2, 0);
	add_attr(x, IPSEC_ATTR_LIFE_TYPE, IPSEC_LIFE_SECONDS, 0);
	add_attr(x, IPSEC_ATTR_LIFE_DURATION, UINT64_C(1) << 40, 8);
	offer_build(&o);
	conf.ipsec_lifetime_max = 28800;
	assert_int_equal(sel_esp(&o, false, false, 0, &c), 0);
	assert_int_equal(c.transform, 1);
	assert_int_equal(c.life_seconds, 1800);
	assert_false(c.responder_lifetime);
	conf.esp[0].enc = CONF_ESP_ENC_AES128;
	assert_int_equal(sel_esp(&o, false, false, 0, &c), 0);
	assert_int_equal(c.transform, 2);
	assert_int_equal(c.life_seconds, 28800);
	assert_int_equal(c.life_kbytes, 100000);
	conf.esp[0] = (struct conf_esp_proposal){ CONF_ESP_ENC_AES256,
	    CONF_ESP_INTEG_SHA256 };
	assert_int_equal(sel_esp(&o, false, false, 0, &c), 0);
	assert_int_equal(c.transform, 3);
	assert_int_equal(c.peer_life_seconds, UINT32_MAX);
	assert_int_equal(c.life_seconds, 28800);
	assert_true(c.responder_lifetime);
}

static void
test_qm_bundles(void **state)
{
	struct offer o;
	struct esp_choice c;
	struct tprop *p;
	struct txf *x;

	(void)state;
	/* RFC 2408 4.2: proposal 1 = ESP AND AH, proposal 2 = ESP alone */
	offer_init(&o);
	p = add_prop(&o, 1, IPSEC_PROTO_ESP, 0x11111111);
	esp(p, IPSEC_ESP_AES_CBC, 256, IPSEC_AUTH_HMAC_SHA1, 2, 3600);
	p = add_prop(&o, 1, IPSEC_PROTO_AH, 0x22222222);
	x = add_xf(p, 3);		/* AH_SHA */
	add_attr(x, IPSEC_ATTR_AUTH_ALG, IPSEC_AUTH_HMAC_SHA1, 0);
	p = add_prop(&o, 2, IPSEC_PROTO_ESP, 0x33333333);
	esp(p, IPSEC_ESP_AES_CBC, 128, IPSEC_AUTH_HMAC_SHA1, 2, 3600);
	offer_build(&o);
	assert_int_equal(sel_esp(&o, false, false, 0, &c), 0);
	assert_int_equal(c.proposal, 2);
	assert_int_equal(c.peer_spi, 0x33333333);
	assert_int_equal(c.key_bits, 128);

	/* bundle alone, AH alone, IPCOMP alone */
	o.np = 2;
	offer_build(&o);
	assert_int_equal(sel_esp(&o, false, false, 0, &c),
	    ISAKMP_N_NO_PROPOSAL_CHOSEN);
	assert_why_has("[1] esp+ah");
	assert_why_has("esp+ah bundle refused");
	offer_init(&o);
	p = add_prop(&o, 1, IPSEC_PROTO_AH, 0x22222222);
	x = add_xf(p, 3);
	add_attr(x, IPSEC_ATTR_AUTH_ALG, IPSEC_AUTH_HMAC_SHA1, 0);
	p = add_prop(&o, 2, IPSEC_PROTO_IPCOMP, 0x1234);
	add_xf(p, 2);
	offer_build(&o);
	assert_int_equal(sel_esp(&o, false, false, 0, &c),
	    ISAKMP_N_NO_PROPOSAL_CHOSEN);
	assert_why_has("ah unsupported (esp only)");
	assert_why_has("ipcomp unsupported (esp only)");
}

static void
test_qm_unknown_attr(void **state)
{
	struct offer o;
	struct esp_choice c;
	struct tprop *p;
	struct txf *x;

	(void)state;
	offer_init(&o);
	p = add_prop(&o, 1, IPSEC_PROTO_ESP, 7);
	x = esp(p, IPSEC_ESP_AES_CBC, 256, IPSEC_AUTH_HMAC_SHA1, 2, 3600);
	add_attr(x, IPSEC_ATTR_KEY_ROUNDS, 10, 0);
	x = esp(p, IPSEC_ESP_AES_CBC, 256, IPSEC_AUTH_HMAC_SHA1, 2, 3600);
	add_attr(x, IPSEC_ATTR_ENCAP_MODE, 2, 0);
	x = esp(p, IPSEC_ESP_AES_CBC, 256, IPSEC_AUTH_HMAC_SHA1, 2, 3600);
	add_attr(x, 32001, 10, 0);
	offer_build(&o);
	assert_int_equal(sel_esp(&o, false, false, 0, &c),
	    ISAKMP_N_NO_PROPOSAL_CHOSEN);
	assert_why_has("(7)");
	assert_why_has("duplicate encapsulation mode");
	assert_why_has("(32001)");

	/* RFC 2407 4.5: the duration must follow its type at once */
	offer_init(&o);
	p = add_prop(&o, 1, IPSEC_PROTO_ESP, 7);
	x = esp(p, IPSEC_ESP_AES_CBC, 256, IPSEC_AUTH_HMAC_SHA1, 2, 0);
	add_attr(x, IPSEC_ATTR_LIFE_TYPE, IPSEC_LIFE_SECONDS, 0);
	add_attr(x, IPSEC_ATTR_KEY_ROUNDS, 1, 0);
	add_attr(x, IPSEC_ATTR_LIFE_DURATION, 86400, 0);
	x = esp(p, IPSEC_ESP_AES_CBC, 256, IPSEC_AUTH_HMAC_SHA1, 0, 0);
	add_attr(x, IPSEC_ATTR_LIFE_TYPE, IPSEC_LIFE_SECONDS, 0);
	add_attr(x, IPSEC_ATTR_ENCAP_MODE, 2, 0);
	add_attr(x, IPSEC_ATTR_LIFE_DURATION, 86400, 0);
	offer_build(&o);
	assert_int_equal(sel_esp(&o, false, false, 0, &c),
	    ISAKMP_N_NO_PROPOSAL_CHOSEN);
	assert_why_has("life type without duration");
	assert_null(strstr(why, "(7)"));
	assert_int_equal(logcap_count(LOG_LEVEL_WARNING), 0);
}

/* Parse a built ESP reply back. */
static void
parse_esp_reply(const uint8_t *out, size_t len, struct isakmp_proposal *prop,
    struct isakmp_transform *xf)
{
	struct isakmp_sa sa;
	struct rbuf body, it;

	rbuf_init(&body, out + ISAKMP_GENERIC_LEN, len - ISAKMP_GENERIC_LEN);
	assert_int_equal(isakmp_sa_parse(&body, &sa), ISAKMP_OK);
	assert_int_equal(sa.doi, ISAKMP_DOI_IPSEC);
	assert_int_equal(sa.situation, IPSEC_SIT_IDENTITY_ONLY);
	assert_int_equal(sa.nproposals, 1);
	it = sa.proposals;
	assert_true(isakmp_proposal_next(&it, prop));
	assert_int_equal(prop->protocol, IPSEC_PROTO_ESP);
	assert_int_equal(prop->spi_size, 4);
	assert_int_equal(prop->ntransforms, 1);
	it = prop->transforms;
	assert_true(isakmp_transform_next(&it, xf));
}

static uint32_t
spi_of(const struct isakmp_proposal *prop)
{
	return (uint32_t)prop->spi[0] << 24 | (uint32_t)prop->spi[1] << 16 |
	    (uint32_t)prop->spi[2] << 8 | prop->spi[3];
}

static void
test_qm_reply_roundtrip(void **state)
{
	struct offer o;
	struct esp_choice c;
	struct isakmp_builder b;
	struct isakmp_proposal prop;
	struct isakmp_transform xf;
	struct isakmp_attr a;
	struct tprop *p;
	struct rbuf it;
	struct wbuf w;
	uint8_t out[512], nd[16];
	uint32_t v;
	size_t len, n;

	(void)state;
	/* echoed unchanged, with our SPI */
	offer_windows_qm(&o, IPSEC_ENCAP_UDP_TRANSPORT);
	conf.esp[0] = (struct conf_esp_proposal){ CONF_ESP_ENC_AES128,
	    CONF_ESP_INTEG_SHA1 };
	assert_int_equal(sel_esp(&o, true, false, 0, &c), 0);
	assert_int_equal(c.transform, 2);
	wbuf_init(&w, out, sizeof(out));
	isakmp_builder_init(&b, &w, NULL);
	proposal_build_esp_reply(&b, &c, 0xdeadbeef);
	assert_true(isakmp_builder_finish(&b, &len));
	parse_esp_reply(out, len, &prop, &xf);
	assert_int_equal(spi_of(&prop), 0xdeadbeef);
	assert_int_equal(prop.number, 1);
	assert_int_equal(xf.number, 2);
	assert_int_equal(xf.id, IPSEC_ESP_AES_CBC);
	assert_int_equal(rbuf_left(&xf.attrs), rbuf_left(&c.attrs));
	assert_memory_equal(rbuf_cur(&xf.attrs), rbuf_cur(&c.attrs),
	    rbuf_left(&c.attrs));
	assert_memory_equal(out + len - c.xf_len + 1, c.xf + 1, c.xf_len - 1);

	/* responder lifetime: the duration replaced, the rest kept */
	conf = vconf->ike;
	offer_init(&o);
	p = add_prop(&o, 3, IPSEC_PROTO_ESP, 7);
	esp(p, IPSEC_ESP_AES_CBC, 256, IPSEC_AUTH_HMAC_SHA1, 2, 86400);
	offer_build(&o);
	assert_int_equal(sel_esp(&o, false, false, 0, &c), 0);
	assert_true(c.responder_lifetime);
	wbuf_init(&w, out, sizeof(out));
	isakmp_builder_init(&b, &w, NULL);
	proposal_build_esp_reply(&b, &c, 0x01020304);
	assert_true(isakmp_builder_finish(&b, &len));
	parse_esp_reply(out, len, &prop, &xf);
	assert_int_equal(prop.number, 3);
	assert_int_equal(xf.nattrs, 5);
	it = xf.attrs;
	n = 0;
	while (isakmp_attr_next(&it, &a)) {
		assert_true(isakmp_attr_u32(&a, &v));
		if (a.type == IPSEC_ATTR_LIFE_DURATION)
			assert_int_equal(v, 28800);
		n++;
	}
	assert_int_equal(n, 5);
	/* and it is acceptable to us as an offer */
	{
		struct esp_choice c2;
		struct rbuf body;

		rbuf_init(&body, out + ISAKMP_GENERIC_LEN,
		    len - ISAKMP_GENERIC_LEN);
		assert_int_equal(proposal_select_esp(&conf, &body, false,
		    false, 0, NULL, &c2, why, sizeof(why)), 0);
		assert_int_equal(c2.peer_spi, 0x01020304);
		assert_int_equal(c2.life_seconds, 28800);
		assert_false(c2.responder_lifetime);
	}
	/* RFC 2407 4.6.3.1 notify data */
	wbuf_init(&w, nd, sizeof(nd));
	proposal_responder_lifetime_data(&w, &c);
	assert_true(wbuf_ok(&w));
	{
		static const uint8_t want[] = { 0x80, 0x01, 0x00, 0x01,
		    0x80, 0x02, 0x70, 0x80 };

		assert_int_equal(w.len, sizeof(want));
		assert_memory_equal(nd, want, sizeof(want));
	}

	/* no seconds offered, max below 28800: seconds added first */
	offer_init(&o);
	p = add_prop(&o, 1, IPSEC_PROTO_ESP, 7);
	esp(p, IPSEC_ESP_AES_CBC, 256, IPSEC_AUTH_HMAC_SHA1, 2, 0);
	offer_build(&o);
	conf.ipsec_lifetime_max = 3600;
	assert_int_equal(sel_esp(&o, false, false, 0, &c), 0);
	wbuf_init(&w, out, sizeof(out));
	isakmp_builder_init(&b, &w, NULL);
	proposal_build_esp_reply(&b, &c, 9);
	assert_true(isakmp_builder_finish(&b, &len));
	parse_esp_reply(out, len, &prop, &xf);
	assert_int_equal(xf.nattrs, 5);
	it = xf.attrs;
	assert_true(isakmp_attr_next(&it, &a));
	assert_int_equal(a.type, IPSEC_ATTR_LIFE_TYPE);
	assert_true(isakmp_attr_next(&it, &a));
	assert_int_equal(a.type, IPSEC_ATTR_LIFE_DURATION);
	assert_true(isakmp_attr_u32(&a, &v));
	assert_int_equal(v, 3600);

	/* a too small buffer shows in finish */
	wbuf_init(&w, out, 20);
	isakmp_builder_init(&b, &w, NULL);
	proposal_build_esp_reply(&b, &c, 9);
	assert_false(isakmp_builder_finish(&b, &len));
}

static void
test_qm_truncations(void **state)
{
	struct offer o;
	struct esp_choice c;
	struct ike_choice ic;
	struct rbuf r;
	size_t n;

	(void)state;
	offer_windows_qm(&o, IPSEC_ENCAP_UDP_TRANSPORT);
	for (n = 0; n < rbuf_left(&o.body); n++) {
		rbuf_init(&r, rbuf_cur(&o.body), n);
		assert_int_not_equal(proposal_select_esp(&conf, &r, true,
		    false, 0, NULL, &c, why, sizeof(why)), 0);
		assert_int_not_equal(proposal_select_ike(&conf,
		    PROPOSAL_AUTH_PSK, &r, NULL, &ic, why, sizeof(why)), 0);
	}
	assert_int_equal(logcap_count(LOG_LEVEL_WARNING), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_p1_windows_default, reset),
		cmocka_unit_test_setup(test_p1_windows_no_ecp, reset),
		cmocka_unit_test_setup(test_p1_server_order, reset),
		cmocka_unit_test_setup(test_p1_apple, reset),
		cmocka_unit_test_setup(test_p1_android, reset),
		cmocka_unit_test_setup(test_p1_insecure, reset),
		cmocka_unit_test_setup(test_p1_key_length, reset),
		cmocka_unit_test_setup(test_p1_attr_syntax, reset),
		cmocka_unit_test_setup(test_p1_lifetimes, reset),
		cmocka_unit_test_setup(test_p1_auth_mask, reset),
		cmocka_unit_test_setup(test_p1_not_configured, reset),
		cmocka_unit_test_setup(test_p1_structure, reset),
		cmocka_unit_test_setup(test_p1_truncations, reset),
		cmocka_unit_test_setup(test_p1_reply_roundtrip, reset),
		cmocka_unit_test_setup(test_why_bounds, reset),
		cmocka_unit_test_setup(test_p1_many, reset),
		cmocka_unit_test_setup(test_qm_windows, reset),
		cmocka_unit_test_setup(test_qm_natt, reset),
		cmocka_unit_test_setup(test_qm_tunnel, reset),
		cmocka_unit_test_setup(test_qm_apple, reset),
		cmocka_unit_test_setup(test_qm_gcm, reset),
		cmocka_unit_test_setup(test_qm_pfs, reset),
		cmocka_unit_test_setup(test_qm_lifetimes, reset),
		cmocka_unit_test_setup(test_qm_bundles, reset),
		cmocka_unit_test_setup(test_qm_unknown_attr, reset),
		cmocka_unit_test_setup(test_qm_reply_roundtrip, reset),
		cmocka_unit_test_setup(test_qm_truncations, reset),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
