/*
 * test_cert.c - ikd/cert.c: loading (missing/mismatched files, non-RSA
 * key), our ID and chain, CERTREQ matching, and every refusal of a peer
 * with its exact reason: another CA, expired, not yet valid, revoked,
 * ike.cert_allow, ID not in the certificate, bad signature, wrong
 * encoding, garbage DER, too many certificates; and the accepted cases
 * (DN, FQDN and address IDs, intermediate sent by the peer).
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "ikd/cert.h"
#include "ikd/isakmp.h"
#include "ikd/proposal.h"
#include "ikd/sig.h"
#include "tests/lib/certgen.h"

/* Size of the paths the tests write below fx.dir. */
#define PATH_LEN	160

struct fx {
	char dir[64];
	char ca[128], cert[128], key[128], crl[128], other[128];
	EVP_PKEY *cakey, *skey, *ckey, *okey, *ikey;
	X509 *ca_x, *srv, *cli, *other_ca, *other_cli, *expired, *future,
	    *revoked, *inter, *inter_cli, *bob;
	struct ike_conf conf;
	struct conf_cert_rule rules[2];
	struct ikd_certs *certs;
};

static uint8_t hash[20] = {
	0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe, 1, 2, 3, 4, 5, 6, 7,
	8, 9, 10, 11, 12
};

static int
group_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	X509 *rv[1];
	X509_CRL *crl;
	char err[512];

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_cert.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->ca, sizeof(f->ca), "%s/ca.crt", f->dir);
	snprintf(f->cert, sizeof(f->cert), "%s/server.crt", f->dir);
	snprintf(f->key, sizeof(f->key), "%s/server.key", f->dir);
	snprintf(f->crl, sizeof(f->crl), "%s/crl.pem", f->dir);
	snprintf(f->other, sizeof(f->other), "%s/other.key", f->dir);
	assert_non_null(f->cakey = certgen_rsa(2048));
	assert_non_null(f->skey = certgen_rsa(2048));
	assert_non_null(f->ckey = certgen_rsa(2048));
	assert_non_null(f->okey = certgen_rsa(2048));
	assert_non_null(f->ikey = certgen_rsa(2048));
	assert_non_null(f->ca_x = certgen_cert(NULL, NULL, f->cakey,
	    "/O=Example/CN=Test VPN CA", 1, -1, 3650, true, NULL, NULL));
	assert_non_null(f->srv = certgen_cert(f->ca_x, f->cakey, f->skey,
	    "/CN=vpn.test", 2, -1, 365, false, "vpn.test", "192.0.2.1"));
	assert_non_null(f->cli = certgen_cert(f->ca_x, f->cakey, f->ckey,
	    "/O=Example/CN=alice", 3, -1, 365, false, "alice.test",
	    "198.51.100.7"));
	assert_non_null(f->expired = certgen_cert(f->ca_x, f->cakey, f->ckey,
	    "/O=Example/CN=old", 4, -400, -35, false, NULL, NULL));
	assert_non_null(f->future = certgen_cert(f->ca_x, f->cakey, f->ckey,
	    "/O=Example/CN=later", 5, 30, 365, false, NULL, NULL));
	assert_non_null(f->revoked = certgen_cert(f->ca_x, f->cakey,
	    f->ckey, "/O=Example/CN=gone", 6, -1, 365, false, NULL, NULL));
	assert_non_null(f->bob = certgen_cert(f->ca_x, f->cakey, f->ckey,
	    "/O=Other/CN=bob", 7, -1, 365, false, NULL, NULL));
	assert_non_null(f->inter = certgen_cert(f->ca_x, f->cakey, f->ikey,
	    "/O=Example/CN=Sub CA", 8, -1, 365, true, NULL, NULL));
	assert_non_null(f->inter_cli = certgen_cert(f->inter, f->ikey,
	    f->ckey, "/O=Example/CN=carol", 9, -1, 365, false, NULL, NULL));
	assert_non_null(f->other_ca = certgen_cert(NULL, NULL, f->okey,
	    "/CN=Other CA", 1, -1, 3650, true, NULL, NULL));
	assert_non_null(f->other_cli = certgen_cert(f->other_ca, f->okey,
	    f->ckey, "/O=Example/CN=alice", 3, -1, 365, false, NULL, NULL));
	rv[0] = f->revoked;
	assert_non_null(crl = certgen_crl(f->ca_x, f->cakey, rv, 1));
	assert_int_equal(certgen_write_cert(f->ca, f->ca_x, false), 0);
	assert_int_equal(certgen_write_cert(f->cert, f->srv, false), 0);
	assert_int_equal(certgen_write_key(f->key, f->skey), 0);
	assert_int_equal(certgen_write_key(f->other, f->okey), 0);
	assert_int_equal(certgen_write_crl(f->crl, crl), 0);
	X509_CRL_free(crl);
	f->conf.ca_file = f->ca;
	f->conf.cert_file = f->cert;
	f->conf.key_file = f->key;
	f->conf.crl_file = f->crl;
	(void)err;
	*state = f;
	return 0;
}

/* Each test starts from the loaded files (some tests replace certs). */
static int
setup(void **state)
{
	struct fx *f = *state;
	char err[512];

	assert_int_equal(ikd_certs_load(&f->conf, &f->certs, err,
	    sizeof(err)), 0);
	assert_non_null(f->certs);
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	ikd_certs_free(f->certs);
	f->certs = NULL;
	return 0;
}

static int
group_teardown(void **state)
{
	struct fx *f = *state;
	char cmd[160];

	EVP_PKEY_free(f->cakey);
	EVP_PKEY_free(f->skey);
	EVP_PKEY_free(f->ckey);
	EVP_PKEY_free(f->okey);
	EVP_PKEY_free(f->ikey);
	X509_free(f->ca_x);
	X509_free(f->srv);
	X509_free(f->cli);
	X509_free(f->other_ca);
	X509_free(f->other_cli);
	X509_free(f->expired);
	X509_free(f->future);
	X509_free(f->revoked);
	X509_free(f->inter);
	X509_free(f->inter_cli);
	X509_free(f->bob);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* The peer: its certificates (DER) and an ID naming the first one. */
struct peer {
	struct ikd_cert_in in[IKD_CERT_MAX_PEER + 2];
	uint8_t *der[IKD_CERT_MAX_PEER + 2];
	size_t n;
	uint8_t *id_der;
	struct isakmp_id id;
	uint8_t sig[512];
	size_t siglen;
};

static void
peer_init(struct peer *p, X509 **xs, size_t n, EVP_PKEY *signer)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < n; i++) {
		assert_non_null(p->der[i] = certgen_der(xs[i],
		    &p->in[i].len));
		p->in[i].der = p->der[i];
		p->in[i].encoding = ISAKMP_CERT_X509_SIG;
	}
	p->n = n;
	assert_non_null(p->id_der = certgen_subject_der(xs[0], &p->id.len));
	p->id.type = IPSEC_ID_DER_ASN1_DN;
	p->id.data = p->id_der;
	p->siglen = sizeof(p->sig);
	assert_int_equal(certgen_sign(signer, hash, sizeof(hash), p->sig,
	    &p->siglen), 0);
}

static void
peer_free(struct peer *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		OPENSSL_free(p->der[i]);
	OPENSSL_free(p->id_der);
}

static int
check(struct fx *f, struct peer *p, struct ikd_cert_result *res)
{
	return ikd_certs_check_peer(f->certs, p->in, p->n, &p->id,
	    IKE_AUTH_RSA_SIG, hash, sizeof(hash), p->sig, p->siglen, res);
}

static void
expect_refused(struct fx *f, X509 *x, EVP_PKEY *signer, const char *why,
    const char *subject)
{
	struct ikd_cert_result res;
	struct peer p;

	peer_init(&p, &x, 1, signer);
	assert_int_equal(check(f, &p, &res), -1);
	if (strstr(res.why, why) == NULL)
		fail_msg("why \"%s\", expected \"%s\"", res.why, why);
	assert_string_equal(res.subject, subject);
	peer_free(&p);
}

/*
 * A peer sending the chain xs[0..n) and signing with signer: accepted
 * (why NULL) or refused with a reason containing why.
 */
static void
expect_chain(struct fx *f, X509 **xs, size_t n, EVP_PKEY *signer,
    const char *why)
{
	struct ikd_cert_result res;
	struct peer p;

	peer_init(&p, xs, n, signer);
	if (why == NULL) {
		assert_int_equal(check(f, &p, &res), 0);
	} else {
		assert_int_equal(check(f, &p, &res), -1);
		if (strstr(res.why, why) == NULL)
			fail_msg("why \"%s\", expected \"%s\"", res.why, why);
	}
	peer_free(&p);
}

/* check() under the ECDSA P-256 method, with the first siglen bytes. */
static int
check_ecdsa(struct fx *f, struct peer *p, size_t siglen,
    struct ikd_cert_result *res)
{
	return ikd_certs_check_peer(f->certs, p->in, p->n, &p->id,
	    IKE_AUTH_ECDSA_SHA256_P256, hash, sizeof(hash), p->sig, siglen,
	    res);
}

/* Load c; it replaces the certificates the test's setup loaded. */
static void
use_conf(struct fx *f, const struct ike_conf *c)
{
	struct ikd_certs *certs;
	char err[512];

	if (ikd_certs_load(c, &certs, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	ikd_certs_free(f->certs);
	f->certs = certs;
}

/* Loading c fails, with an error containing want (if not NULL). */
static void
expect_load_error(const struct ike_conf *c, const char *want)
{
	struct ikd_certs *certs = (struct ikd_certs *)1;
	char err[512];

	assert_int_equal(ikd_certs_load(c, &certs, err, sizeof(err)), -1);
	if (want != NULL)
		assert_non_null(strstr(err, want));
}

/* Write x and k to f->dir/name.crt and .key; their paths into crt, key. */
static void
write_pair(struct fx *f, const char *name, X509 *x, EVP_PKEY *k,
    char crt[PATH_LEN], char key[PATH_LEN])
{
	snprintf(crt, PATH_LEN, "%s/%s.crt", f->dir, name);
	snprintf(key, PATH_LEN, "%s/%s.key", f->dir, name);
	assert_int_equal(certgen_write_cert(crt, x, false), 0);
	assert_int_equal(certgen_write_key(key, k), 0);
}

/* Put crl in place of f->crl the way vpn-pki does (a rename). */
static void
install_crl(struct fx *f, X509_CRL *crl)
{
	char tmp[PATH_LEN];

	snprintf(tmp, sizeof(tmp), "%s.tmp", f->crl);
	assert_int_equal(certgen_write_crl(tmp, crl), 0);
	X509_CRL_free(crl);
	assert_int_equal(rename(tmp, f->crl), 0);
}

static void
test_load_and_identity(void **state)
{
	struct fx *f = *state;
	const uint8_t *d;
	size_t len, dlen;
	uint8_t *want;

	struct ikd_dn cr;
	bool unmatched;

	assert_int_equal(ikd_certs_count(f->certs), 1);
	assert_string_equal(ikd_certs_subject(f->certs, 0), "CN=vpn.test");
	assert_int_equal(ikd_certs_auth_mask(f->certs), PROPOSAL_AUTH_RSA_SIG);
	assert_non_null(d = ikd_certs_id_der(f->certs, 0, &len));
	assert_null(ikd_certs_id_der(f->certs, 1, &len));
	want = certgen_subject_der(f->srv, &dlen);
	assert_int_equal(len, dlen);
	assert_memory_equal(d, want, len);
	OPENSSL_free(want);
	assert_non_null(ikd_certs_chain(f->certs, 0, 0, &len));
	assert_null(ikd_certs_chain(f->certs, 0, 1, &len));
	/* CERTREQ: our CA by name */
	assert_non_null(d = ikd_certs_ca_name(f->certs, 0, &len));
	cr.der = d;
	cr.len = len;
	assert_int_equal(ikd_certs_select(f->certs, IKE_AUTH_RSA_SIG, &cr, 1,
	    &unmatched), 0);
	assert_false(unmatched);
	assert_null(ikd_certs_ca_name(f->certs, 1, &len));
	want = certgen_subject_der(f->other_ca, &dlen);
	cr.der = want;
	cr.len = dlen;
	assert_int_equal(ikd_certs_select(f->certs, IKE_AUTH_RSA_SIG, &cr, 1,
	    &unmatched), 0);
	assert_true(unmatched);
	OPENSSL_free(want);
	assert_int_equal(ikd_certs_select(f->certs, IKE_AUTH_ECDSA_SHA256_P256,
	    NULL, 0, &unmatched), -1);
	assert_int_equal(ikd_certs_auth_mask(NULL), 0);
}

static void
test_load_errors(void **state)
{
	struct fx *f = *state;
	struct ike_conf c = f->conf;
	struct ikd_certs *certs = (struct ikd_certs *)1;
	char err[512], bad[160];

	/* not configured: nothing, no error */
	memset(&c, 0, sizeof(c));
	assert_int_equal(ikd_certs_load(&c, &certs, err, sizeof(err)), 0);
	assert_null(certs);
	/* a key that is not the certificate's */
	c = f->conf;
	c.key_file = f->other;
	expect_load_error(&c, "does not belong to the certificate");
	/* a missing CA file */
	c = f->conf;
	snprintf(bad, sizeof(bad), "%s/nope.crt", f->dir);
	c.ca_file = bad;
	expect_load_error(&c, "nope.crt");
	/* a CRL file without a CRL (the key file is PEM of something else) */
	c = f->conf;
	c.crl_file = f->ca;
	expect_load_error(&c, "no PEM CRL");
	/* cert without key */
	c = f->conf;
	c.key_file = NULL;
	expect_load_error(&c, NULL);
	/* a certificate file that holds a key */
	c = f->conf;
	c.cert_file = f->key;
	expect_load_error(&c, "no PEM certificate");
}

static void
test_accept_dn(void **state)
{
	struct fx *f = *state;
	struct ikd_cert_result res;
	struct peer p;

	peer_init(&p, &f->cli, 1, f->ckey);
	assert_int_equal(check(f, &p, &res), 0);
	assert_string_equal(res.subject, "O=Example, CN=alice");
	assert_string_equal(res.issuer, "O=Example, CN=Test VPN CA");
	peer_free(&p);
}

static void
test_accept_fqdn_and_addr(void **state)
{
	struct fx *f = *state;
	struct ikd_cert_result res;
	static const uint8_t addr[4] = { 198, 51, 100, 7 };
	static const uint8_t wrong[4] = { 198, 51, 100, 8 };
	struct peer p;

	peer_init(&p, &f->cli, 1, f->ckey);
	p.id.type = IPSEC_ID_FQDN;
	p.id.data = (const uint8_t *)"alice.test";
	p.id.len = 10;
	assert_int_equal(check(f, &p, &res), 0);
	p.id.data = (const uint8_t *)"mallory.test";
	p.id.len = 12;
	assert_int_equal(check(f, &p, &res), -1);
	assert_non_null(strstr(res.why, "is not in its certificate"));
	p.id.type = IPSEC_ID_IPV4_ADDR;
	p.id.data = addr;
	p.id.len = 4;
	assert_int_equal(check(f, &p, &res), 0);
	p.id.data = wrong;
	assert_int_equal(check(f, &p, &res), -1);
	peer_free(&p);
}

static void
test_refuse_other_ca(void **state)
{
	struct fx *f = *state;

	expect_refused(f, f->other_cli, f->ckey,
	    "unable to get local issuer certificate", "O=Example, CN=alice");
}

static void
test_refuse_expired(void **state)
{
	struct fx *f = *state;

	expect_refused(f, f->expired, f->ckey, "certificate has expired",
	    "O=Example, CN=old");
	expect_refused(f, f->future, f->ckey, "certificate is not yet valid",
	    "O=Example, CN=later");
}

static void
test_refuse_revoked(void **state)
{
	struct fx *f = *state;

	expect_refused(f, f->revoked, f->ckey, "certificate revoked",
	    "O=Example, CN=gone");
}

static void
test_refuse_bad_signature(void **state)
{
	struct fx *f = *state;

	/* signed with another key than the certificate's */
	expect_refused(f, f->cli, f->okey, "signature does not verify",
	    "O=Example, CN=alice");
}

static void
test_rules(void **state)
{
	struct fx *f = *state;
	struct ike_conf c = f->conf;

	memset(f->rules, 0, sizeof(f->rules));
	f->rules[0].subject = (char *)"O=Example, CN=a*";
	f->rules[1].issuer = (char *)"*CN=Nobody*";
	c.cert_allow = f->rules;
	c.ncert_allow = 2;
	use_conf(f, &c);
	expect_chain(f, &f->cli, 1, f->ckey, NULL);
	expect_refused(f, f->bob, f->ckey, "subject not allowed by "
	    "ike.cert_allow", "O=Other, CN=bob");
	/* an issuer rule lets bob in */
	f->rules[1].issuer = (char *)"O=Example, CN=Test VPN CA";
	f->rules[1].subject = (char *)"*CN=bob";
	expect_chain(f, &f->bob, 1, f->ckey, NULL);
}

static void
test_intermediate(void **state)
{
	struct fx *f = *state;
	struct ikd_cert_result res;
	X509 *xs[2] = { f->inter_cli, f->inter };
	struct ike_conf c = f->conf;
	struct peer p;

	/* the CRL covers only the root CA's certificates: the Sub CA has
	 * none in crl_file, so its leaf is not checked for revocation */
	peer_init(&p, xs, 2, f->ckey);
	assert_int_equal(check(f, &p, &res), 0);
	assert_string_equal(res.subject, "O=Example, CN=carol");
	peer_free(&p);
	/* without a CRL at all the chain verifies the same way */
	c.crl_file = NULL;
	use_conf(f, &c);
	expect_chain(f, xs, 2, f->ckey, NULL);
	/* without the intermediate it does not */
	expect_chain(f, xs, 1, f->ckey, "unable to get local issuer");
}

static void
test_malformed(void **state)
{
	struct fx *f = *state;
	struct ikd_cert_result res;
	X509 *many[IKD_CERT_MAX_PEER + 1];
	struct peer p;
	size_t i, full;

	peer_init(&p, &f->cli, 1, f->ckey);
	/* no certificate */
	assert_int_equal(ikd_certs_check_peer(f->certs, p.in, 0, &p.id,
	    IKE_AUTH_RSA_SIG, hash, sizeof(hash), p.sig, p.siglen, &res), -1);
	assert_string_equal(res.why, "no certificate sent");
	/* PKCS#7 encoding */
	p.in[0].encoding = ISAKMP_CERT_PKCS7;
	assert_int_equal(check(f, &p, &res), -1);
	assert_non_null(strstr(res.why, "is not supported"));
	p.in[0].encoding = ISAKMP_CERT_X509_SIG;
	/* every truncation of the DER, and a trailing byte */
	full = p.in[0].len;
	for (i = 0; i < full; i++) {
		p.in[0].len = i;
		assert_int_equal(check(f, &p, &res), -1);
		assert_non_null(strstr(res.why, "not a DER X.509"));
	}
	p.in[0].len = full;
	/* the signature truncated */
	p.siglen--;
	assert_int_equal(check(f, &p, &res), -1);
	p.siglen = 0;
	assert_int_equal(check(f, &p, &res), -1);
	peer_free(&p);
	/* too many certificates */
	for (i = 0; i < IKD_CERT_MAX_PEER + 1; i++)
		many[i] = f->cli;
	expect_chain(f, many, IKD_CERT_MAX_PEER + 1, f->ckey, "more than");
	/* an ID of a type certificates cannot name */
	peer_init(&p, &f->cli, 1, f->ckey);
	p.id.type = IPSEC_ID_KEY_ID;
	assert_int_equal(check(f, &p, &res), -1);
	assert_non_null(strstr(res.why, "is not in its certificate"));
	peer_free(&p);
}

/* vpn-pki revoke renames a new CRL into place: the next check sees it;
 * a broken CRL file keeps the one loaded before. */
static void
test_crl_reload(void **state)
{
	struct fx *f = *state;
	struct ikd_cert_result res;
	X509 *rv[2] = { f->revoked, f->cli };
	X509_CRL *crl;
	struct peer p;
	char tmp[PATH_LEN];
	FILE *fp;

	peer_init(&p, &f->cli, 1, f->ckey);
	assert_int_equal(check(f, &p, &res), 0);
	assert_non_null(crl = certgen_crl(f->ca_x, f->cakey, rv, 2));
	install_crl(f, crl);
	assert_int_equal(check(f, &p, &res), -1);
	assert_string_equal(res.why, "certificate revoked");
	/* garbage in place of the CRL: alice stays revoked */
	snprintf(tmp, sizeof(tmp), "%s.tmp", f->crl);
	assert_non_null(fp = fopen(tmp, "w"));
	fputs("not a CRL\n", fp);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(rename(tmp, f->crl), 0);
	assert_int_equal(check(f, &p, &res), -1);
	assert_string_equal(res.why, "certificate revoked");
	/* a CRL past its nextUpdate: nobody of that CA gets in */
	assert_non_null(crl = certgen_crl_at(f->ca_x, f->cakey, NULL, 0,
	    -40L * 86400, -86400));
	install_crl(f, crl);
	assert_int_equal(check(f, &p, &res), -1);
	assert_string_equal(res.why, "CRL has expired");
	/* the original CRL back: alice gets in again */
	rv[0] = f->revoked;
	assert_non_null(crl = certgen_crl(f->ca_x, f->cakey, rv, 1));
	install_crl(f, crl);
	assert_int_equal(check(f, &p, &res), 0);
	peer_free(&p);
}

/* ECDSA (RFC 4754): an EC P-256 server key offers method 9; an EC
 * client signs r | s over the HASH; an RSA certificate cannot stand in for
 * the negotiated ECDSA method, and a signature of the wrong length fails. */
static void
test_ecdsa(void **state)
{
	struct fx *f = *state;
	struct ikd_cert_result res;
	struct ike_conf c = f->conf;
	EVP_PKEY *ek, *ck;
	X509 *srv, *cli;
	struct peer p;
	char crt[PATH_LEN], key[PATH_LEN];

	assert_non_null(ek = certgen_ec("P-256"));
	assert_non_null(ck = certgen_ec("P-256"));
	assert_non_null(srv = certgen_cert(f->ca_x, f->cakey, ek,
	    "/CN=ec.vpn.test", 20, -1, 365, false, "ec.vpn.test", NULL));
	assert_non_null(cli = certgen_cert(f->ca_x, f->cakey, ck,
	    "/O=Example/CN=eve-ec", 21, -1, 365, false, NULL, NULL));
	write_pair(f, "ec", srv, ek, crt, key);
	c.cert_file = crt;
	c.key_file = key;
	use_conf(f, &c);
	assert_int_equal(ikd_certs_auth_mask(f->certs),
	    PROPOSAL_AUTH_ECDSA_256);
	peer_init(&p, &cli, 1, ck);
	assert_int_equal(p.siglen, 64);
	assert_int_equal(check_ecdsa(f, &p, p.siglen, &res), 0);
	/* the same signature under the RSA method: refused */
	assert_int_equal(check(f, &p, &res), -1);
	assert_non_null(strstr(res.why, "does not sign with the negotiated"));
	/* r | s must be exactly 2 x 32 bytes */
	assert_int_equal(check_ecdsa(f, &p, 63, &res), -1);
	p.sig[10] ^= 1;
	assert_int_equal(check_ecdsa(f, &p, p.siglen, &res), -1);
	assert_non_null(strstr(res.why, "signature does not verify"));
	peer_free(&p);
	/* an RSA client under ECDSA */
	peer_init(&p, &f->cli, 1, f->ckey);
	assert_int_equal(check_ecdsa(f, &p, p.siglen, &res), -1);
	assert_non_null(strstr(res.why, "does not sign with the negotiated"));
	peer_free(&p);
	X509_free(srv);
	X509_free(cli);
	EVP_PKEY_free(ek);
	EVP_PKEY_free(ck);
}

/*
 * ike.server_certs: a second RSA certificate from another CA and an ECDSA
 * one; the peer's CERTREQ and the negotiated method pick ours, and the
 * key that signs is that certificate's.
 */
static void
test_select(void **state)
{
	struct fx *f = *state;
	struct conf_server_cert sc[2];
	struct ike_conf c = f->conf;
	struct ikd_certs *certs;
	struct ikd_dn cr[3];
	EVP_PKEY *k2, *ek;
	X509 *s2, *es;
	uint8_t *ca1, *ca2, sig[512], h[20] = { 7 };
	size_t l1, l2, siglen;
	char err[512], c2[PATH_LEN], k2f[PATH_LEN], ecf[PATH_LEN],
	    ekf[PATH_LEN];
	bool unmatched;

	assert_non_null(k2 = certgen_rsa(2048));
	assert_non_null(ek = certgen_ec("P-256"));
	assert_non_null(s2 = certgen_cert(f->other_ca, f->okey, k2,
	    "/CN=vpn2.test", 30, -1, 365, false, "vpn2.test", NULL));
	assert_non_null(es = certgen_cert(f->ca_x, f->cakey, ek,
	    "/CN=ec.vpn.test", 31, -1, 365, false, NULL, NULL));
	write_pair(f, "s2", s2, k2, c2, k2f);
	write_pair(f, "es", es, ek, ecf, ekf);
	memset(sc, 0, sizeof(sc));
	sc[0].cert_file = c2;
	sc[0].key_file = k2f;
	sc[1].cert_file = ecf;
	sc[1].key_file = ekf;
	c.server_certs = sc;
	c.nserver_certs = 2;
	assert_int_equal(ikd_certs_load(&c, &certs, err, sizeof(err)), 0);
	assert_int_equal(ikd_certs_count(certs), 3);
	assert_int_equal(ikd_certs_auth_mask(certs), PROPOSAL_AUTH_RSA_SIG |
	    PROPOSAL_AUTH_ECDSA_256);
	assert_string_equal(ikd_certs_subject(certs, 1), "CN=vpn2.test");
	ca1 = certgen_subject_der(f->ca_x, &l1);
	ca2 = certgen_subject_der(f->other_ca, &l2);
	/* no CERTREQ: the first for the method */
	assert_int_equal(ikd_certs_select(certs, IKE_AUTH_RSA_SIG, NULL, 0,
	    &unmatched), 0);
	assert_false(unmatched);
	/* a CERTREQ for the other CA, and garbage before it */
	cr[0].der = (const uint8_t *)"\x30\x03junk";
	cr[0].len = 7;
	cr[1].der = ca2;
	cr[1].len = l2;
	assert_int_equal(ikd_certs_select(certs, IKE_AUTH_RSA_SIG, cr, 2,
	    &unmatched), 1);
	assert_false(unmatched);
	/* both CAs named: the first of ours that matches */
	cr[2].der = ca1;
	cr[2].len = l1;
	assert_int_equal(ikd_certs_select(certs, IKE_AUTH_RSA_SIG, cr + 1, 2,
	    &unmatched), 0);
	/* ECDSA: the EC one, whatever the CERTREQ */
	assert_int_equal(ikd_certs_select(certs, IKE_AUTH_ECDSA_SHA256_P256,
	    cr + 1, 1, &unmatched), 2);
	assert_true(unmatched);
	assert_int_equal(ikd_certs_select(certs, IKE_AUTH_ECDSA_SHA384_P384,
	    NULL, 0, &unmatched), -1);
	/* identity 1 signs with its own key */
	siglen = sizeof(sig);
	assert_int_equal(ikd_certs_sign(certs, 1, h, sizeof(h), sig, &siglen),
	    0);
	assert_int_equal(ike_sig_verify(X509_get0_pubkey(s2), h, sizeof(h),
	    sig, siglen), 0);
	assert_int_equal(ike_sig_verify(X509_get0_pubkey(f->srv), h, sizeof(h),
	    sig, siglen), -1);
	siglen = sizeof(sig);
	assert_int_equal(ikd_certs_sign(certs, 3, h, sizeof(h), sig, &siglen),
	    -1);
	ikd_certs_drop_key(certs);
	siglen = sizeof(sig);
	assert_int_equal(ikd_certs_sign(certs, 1, h, sizeof(h), sig, &siglen),
	    -1);
	/* a key that is not its certificate's */
	sc[0].key_file = ekf;
	ikd_certs_free(certs);
	assert_int_equal(ikd_certs_load(&c, &certs, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "does not belong"));
	OPENSSL_free(ca1);
	OPENSSL_free(ca2);
	X509_free(s2);
	X509_free(es);
	EVP_PKEY_free(k2);
	EVP_PKEY_free(ek);
}

static void
test_dn_str(void **state)
{
	char buf[IKD_DN_STR_MAX];
	uint8_t *der;
	size_t len;
	struct fx *f = *state;

	der = certgen_subject_der(f->cli, &len);
	ikd_dn_der_str(der, len, buf, sizeof(buf));
	assert_string_equal(buf, "O=Example, CN=alice");
	ikd_dn_der_str(der, len - 1, buf, sizeof(buf));
	assert_string_equal(buf, "(malformed DN)");
	ikd_dn_der_str(der, len, buf, 8);
	assert_int_equal(strlen(buf), 7);
	OPENSSL_free(der);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_load_and_identity, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_accept_dn, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_accept_fqdn_and_addr,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuse_other_ca, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refuse_expired, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refuse_revoked, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refuse_bad_signature,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intermediate, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_crl_reload, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_ecdsa, setup, teardown),
		cmocka_unit_test_setup_teardown(test_select, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dn_str, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
