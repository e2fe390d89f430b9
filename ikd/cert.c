/*
 * cert.c - certificates for Main Mode with signatures (cert.h).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "conf/conf.h"
#include "ikd/cert.h"
#include "ikd/isakmp.h"
#include "ikd/proposal.h"
#include "lib/log.h"

#define CHAIN_MAX	8	/* our certificate + intermediates */
#define CA_MAX		64	/* trusted CAs named in CERTREQ */

struct der {
	uint8_t	*p;
	size_t	 len;
};

struct ikd_certs {
	X509_STORE		*store;		/* cas + the CRLs */
	STACK_OF(X509)		*cas;
	char			*crl_path;	/* NULL: no revocation checks */
	struct stat		 crl_st;	/* of the CRL file loaded */
	struct stat		 crl_bad;	/* of a file that failed, to warn
						 * once per change */
	STACK_OF(X509)		*extras;	/* our intermediates */
	EVP_PKEY		*key;
	struct der		 chain[CHAIN_MAX];
	size_t			 nchain;
	struct der		 ca[CA_MAX];
	size_t			 nca;
	struct der		 id;		/* our subject, DER */
	char			 subject[IKD_DN_STR_MAX];
	const struct conf_cert_rule *rules;
	size_t			 nrules;
};

static void
der_free(struct der *d)
{
	free(d->p);
	d->p = NULL;
	d->len = 0;
}

static int
der_of_cert(X509 *x, struct der *d)
{
	unsigned char *p = NULL;
	int n;

	if ((n = i2d_X509(x, &p)) <= 0)
		return -1;
	d->p = p;
	d->len = (size_t)n;
	return 0;
}

static int
der_of_name(const X509_NAME *nm, struct der *d)
{
	unsigned char *p = NULL;
	int n;

	if ((n = i2d_X509_NAME(nm, &p)) <= 0)
		return -1;
	d->p = p;
	d->len = (size_t)n;
	return 0;
}

/* "C=DE, O=Example, CN=alice": RDNs in certificate order. */
static void
dn_str(const X509_NAME *nm, char *buf, size_t len)
{
	BIO *b;
	int n;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (nm == NULL || (b = BIO_new(BIO_s_mem())) == NULL)
		return;
	if (X509_NAME_print_ex(b, nm, 0, (XN_FLAG_RFC2253 & ~XN_FLAG_DN_REV &
	    ~XN_FLAG_SEP_MASK & ~ASN1_STRFLGS_ESC_MSB) |
	    XN_FLAG_SEP_CPLUS_SPC) >= 0) {
		n = BIO_read(b, buf, (int)len - 1);
		buf[n > 0 ? n : 0] = '\0';
	}
	BIO_free(b);
}

void
ikd_dn_der_str(const uint8_t *der, size_t len, char *buf, size_t buflen)
{
	const unsigned char *p = der;
	X509_NAME *nm = NULL;

	if (buflen == 0)
		return;
	if (len > 4096 || (nm = d2i_X509_NAME(NULL, &p, (long)len)) == NULL ||
	    p != der + len) {
		snprintf(buf, buflen, "(malformed DN)");
		X509_NAME_free(nm);
		ERR_clear_error();
		return;
	}
	dn_str(nm, buf, buflen);
	X509_NAME_free(nm);
}

/* The first OpenSSL error as text, or fallback. */
static void
ossl_err(char *err, size_t len, const char *what, const char *path)
{
	unsigned long e = ERR_get_error();
	char r[160];

	if (e != 0)
		ERR_error_string_n(e, r, sizeof(r));
	else
		snprintf(r, sizeof(r), "%s", strerror(errno ? errno : EINVAL));
	snprintf(err, len, "%s %s: %s", what, path, r);
	ERR_clear_error();
}

static STACK_OF(X509) *
read_certs(const char *path, char *err, size_t errlen)
{
	STACK_OF(X509) *sk;
	X509 *x;
	BIO *b;

	if ((b = BIO_new_file(path, "r")) == NULL) {
		ossl_err(err, errlen, "cannot open", path);
		return NULL;
	}
	if ((sk = sk_X509_new_null()) == NULL) {
		BIO_free(b);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL)
		if (sk_X509_num(sk) >= CA_MAX || !sk_X509_push(sk, x)) {
			X509_free(x);
			snprintf(err, errlen, "%s: more than %d certificates",
			    path, CA_MAX);
			sk_X509_pop_free(sk, X509_free);
			BIO_free(b);
			return NULL;
		}
	ERR_clear_error();	/* the end of the file */
	BIO_free(b);
	if (sk_X509_num(sk) == 0) {
		snprintf(err, errlen, "%s: no PEM certificate in it", path);
		sk_X509_free(sk);
		return NULL;
	}
	return sk;
}

static int
load_crls(X509_STORE *store, const char *path, char *err, size_t errlen)
{
	X509_CRL *crl;
	BIO *b;
	int n = 0;

	if ((b = BIO_new_file(path, "r")) == NULL) {
		ossl_err(err, errlen, "cannot open", path);
		return -1;
	}
	while ((crl = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL)) != NULL) {
		if (!X509_STORE_add_crl(store, crl)) {
			X509_CRL_free(crl);
			BIO_free(b);
			ossl_err(err, errlen, "cannot use CRL", path);
			return -1;
		}
		X509_CRL_free(crl);
		n++;
	}
	ERR_clear_error();
	BIO_free(b);
	if (n == 0) {
		snprintf(err, errlen, "%s: no PEM CRL in it", path);
		return -1;
	}
	/* the end entity's issuer must have a CRL: fail closed */
	X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
	return 0;
}

/* A store of the CAs and, if configured, the CRLs of crl_path. */
static X509_STORE *
build_store(STACK_OF(X509) *cas, const char *crl_path, struct stat *st,
    char *err, size_t errlen)
{
	X509_STORE *store;
	int i;

	if ((store = X509_STORE_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (i = 0; i < sk_X509_num(cas); i++)
		if (!X509_STORE_add_cert(store, sk_X509_value(cas, i))) {
			ossl_err(err, errlen, "cannot use a CA certificate",
			    "");
			X509_STORE_free(store);
			return NULL;
		}
	if (crl_path != NULL) {
		if (stat(crl_path, st) == -1) {
			snprintf(err, errlen, "%s: %s", crl_path,
			    strerror(errno));
			X509_STORE_free(store);
			return NULL;
		}
		if (load_crls(store, crl_path, err, errlen) == -1) {
			X509_STORE_free(store);
			return NULL;
		}
	}
	return store;
}

static bool
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/*
 * vpn-pki revoke rewrites the CRL by rename: before each verification,
 * reload it when the file changed. A file that cannot be read or parsed
 * is warned about once per change; the CRL loaded before stays in force.
 */
static void
crl_refresh(struct ikd_certs *certs)
{
	X509_STORE *store;
	struct stat st;
	char err[512];

	if (certs->crl_path == NULL)
		return;
	if (stat(certs->crl_path, &st) == -1) {
		if (certs->crl_bad.st_ino != 0) {
			memset(&certs->crl_bad, 0, sizeof(certs->crl_bad));
			log_warnx("CRL %s: %s; the CRL loaded before stays in "
			    "force", certs->crl_path, strerror(errno));
		}
		return;
	}
	if (same_file(&st, &certs->crl_st) || same_file(&st, &certs->crl_bad))
		return;
	if ((store = build_store(certs->cas, certs->crl_path, &st, err,
	    sizeof(err))) == NULL) {
		certs->crl_bad = st;
		log_warnx("CRL not reloaded: %s; the CRL loaded before stays "
		    "in force", err);
		return;
	}
	X509_STORE_free(certs->store);
	certs->store = store;
	certs->crl_st = st;
	memset(&certs->crl_bad, 0, sizeof(certs->crl_bad));
	log_info("CRL %s reloaded", certs->crl_path);
}

void
ikd_certs_check_access(const struct ikd_certs *certs)
{
	if (certs != NULL && certs->crl_path != NULL &&
	    access(certs->crl_path, R_OK) == -1)
		log_warnx("the IKE process cannot read the CRL %s (%s): "
		    "revocations (vpn-pki revoke) take effect only after an "
		    "ikd restart; make its directory searchable (0711)",
		    certs->crl_path, strerror(errno));
}

static EVP_PKEY *
read_key(const char *path, char *err, size_t errlen)
{
	EVP_PKEY *k;
	BIO *b;

	if ((b = BIO_new_file(path, "r")) == NULL) {
		ossl_err(err, errlen, "cannot open", path);
		return NULL;
	}
	k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	if (k == NULL)
		ossl_err(err, errlen, "no usable private key in", path);
	return k;
}

int
ikd_certs_load(const struct ike_conf *c, struct ikd_certs **out, char *err,
    size_t errlen)
{
	struct ikd_certs *certs;
	STACK_OF(X509) *mine = NULL;
	X509 *x;
	int i, rc = -1;

	*out = NULL;
	if (c->cert_file == NULL)
		return 0;
	if (c->ca_file == NULL || c->key_file == NULL) {
		snprintf(err, errlen, "ike.cert_file needs ike.key_file and "
		    "ike.ca_file");
		return -1;
	}
	if ((certs = calloc(1, sizeof(*certs))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	certs->rules = c->cert_allow;
	certs->nrules = c->ncert_allow;
	if ((certs->cas = read_certs(c->ca_file, err, errlen)) == NULL)
		goto out;
	for (i = 0; i < sk_X509_num(certs->cas); i++)
		if (der_of_name(X509_get_subject_name(sk_X509_value(certs->cas,
		    i)), &certs->ca[certs->nca++]) == -1) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
	if (c->crl_file != NULL && (certs->crl_path = strdup(c->crl_file)) ==
	    NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if ((certs->store = build_store(certs->cas, certs->crl_path,
	    &certs->crl_st, err, errlen)) == NULL)
		goto out;

	if ((mine = read_certs(c->cert_file, err, errlen)) == NULL)
		goto out;
	if (sk_X509_num(mine) > CHAIN_MAX) {
		snprintf(err, errlen, "%s: more than %d certificates",
		    c->cert_file, CHAIN_MAX);
		goto out;
	}
	for (i = 0; i < sk_X509_num(mine); i++)
		if (der_of_cert(sk_X509_value(mine, i),
		    &certs->chain[certs->nchain++]) == -1) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
	x = sk_X509_value(mine, 0);
	if (der_of_name(X509_get_subject_name(x), &certs->id) == -1) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	dn_str(X509_get_subject_name(x), certs->subject,
	    sizeof(certs->subject));
	if ((certs->key = read_key(c->key_file, err, errlen)) == NULL)
		goto out;
	if (EVP_PKEY_get_base_id(certs->key) != EVP_PKEY_RSA) {
		snprintf(err, errlen, "%s: only RSA keys are supported for "
		    "IKEv1 signatures", c->key_file);
		goto out;
	}
	if (X509_check_private_key(x, certs->key) != 1) {
		snprintf(err, errlen, "%s does not belong to the certificate "
		    "in %s (%s)", c->key_file, c->cert_file, certs->subject);
		ERR_clear_error();
		goto out;
	}
	/* keep the intermediates for peers' chains too */
	certs->extras = mine;
	mine = NULL;
	(void)sk_X509_shift(certs->extras);
	X509_free(x);
	rc = 0;
	*out = certs;
out:
	sk_X509_pop_free(mine, X509_free);
	if (rc == -1)
		ikd_certs_free(certs);
	return rc;
}

void
ikd_certs_free(struct ikd_certs *certs)
{
	size_t i;

	if (certs == NULL)
		return;
	X509_STORE_free(certs->store);
	sk_X509_pop_free(certs->cas, X509_free);
	free(certs->crl_path);
	sk_X509_pop_free(certs->extras, X509_free);
	EVP_PKEY_free(certs->key);
	for (i = 0; i < certs->nchain; i++)
		der_free(&certs->chain[i]);
	for (i = 0; i < certs->nca; i++)
		der_free(&certs->ca[i]);
	der_free(&certs->id);
	free(certs);
}

uint32_t
ikd_certs_auth_mask(const struct ikd_certs *certs)
{
	return certs != NULL ? PROPOSAL_AUTH_RSA_SIG : 0;
}

const uint8_t *
ikd_certs_id_der(const struct ikd_certs *certs, size_t *len)
{
	*len = certs->id.len;
	return certs->id.p;
}

const char *
ikd_certs_subject(const struct ikd_certs *certs)
{
	return certs->subject;
}

const uint8_t *
ikd_certs_chain(const struct ikd_certs *certs, size_t i, size_t *len)
{
	if (i >= certs->nchain)
		return NULL;
	*len = certs->chain[i].len;
	return certs->chain[i].p;
}

const uint8_t *
ikd_certs_ca_name(const struct ikd_certs *certs, size_t i, size_t *len)
{
	if (i >= certs->nca)
		return NULL;
	*len = certs->ca[i].len;
	return certs->ca[i].p;
}

bool
ikd_certs_ca_matches(const struct ikd_certs *certs, const uint8_t *dn,
    size_t len)
{
	const unsigned char *p = dn;
	X509_NAME *nm;
	X509 *x;
	bool hit = false;
	size_t i;

	if (len == 0)
		return true;
	if (len > 4096 || (nm = d2i_X509_NAME(NULL, &p, (long)len)) == NULL) {
		ERR_clear_error();
		return false;
	}
	/* our certificate's issuer, or any issuer up our chain */
	for (i = 0; i < certs->nchain && !hit; i++) {
		p = certs->chain[i].p;
		if ((x = d2i_X509(NULL, &p, (long)certs->chain[i].len)) ==
		    NULL)
			continue;
		hit = X509_NAME_cmp(X509_get_issuer_name(x), nm) == 0;
		X509_free(x);
	}
	X509_NAME_free(nm);
	return hit;
}

int
ikd_certs_sign(const struct ikd_certs *certs, const uint8_t *hash,
    size_t hlen, uint8_t *sig, size_t *siglen)
{
	EVP_PKEY_CTX *pc;
	int rc = -1;

	/* RFC 2409 5.1: PKCS#1 v1.5 over the raw HASH, no DigestInfo */
	if ((pc = EVP_PKEY_CTX_new(certs->key, NULL)) == NULL)
		return -1;
	if (EVP_PKEY_sign_init(pc) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) == 1 &&
	    EVP_PKEY_sign(pc, sig, siglen, hash, hlen) == 1)
		rc = 0;
	EVP_PKEY_CTX_free(pc);
	ERR_clear_error();
	return rc;
}

static int
verify_sig(EVP_PKEY *pub, const uint8_t *hash, size_t hlen,
    const uint8_t *sig, size_t siglen)
{
	EVP_PKEY_CTX *pc;
	int rc = -1;

	if ((pc = EVP_PKEY_CTX_new(pub, NULL)) == NULL)
		return -1;
	if (EVP_PKEY_verify_init(pc) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) == 1 &&
	    EVP_PKEY_verify(pc, sig, siglen, hash, hlen) == 1)
		rc = 0;
	EVP_PKEY_CTX_free(pc);
	ERR_clear_error();
	return rc;
}

/* Does the peer's ID name this certificate (RFC 4945 3.1)? */
static bool
id_matches(X509 *x, const struct isakmp_id *id)
{
	const unsigned char *p;
	X509_NAME *nm;
	bool ok;

	switch (id->type) {
	case IPSEC_ID_DER_ASN1_DN:
		p = id->data;
		if (id->len == 0 || id->len > 4096 ||
		    (nm = d2i_X509_NAME(NULL, &p, (long)id->len)) == NULL) {
			ERR_clear_error();
			return false;
		}
		ok = X509_NAME_cmp(nm, X509_get_subject_name(x)) == 0;
		X509_NAME_free(nm);
		return ok;
	case IPSEC_ID_FQDN:
		return X509_check_host(x, (const char *)id->data, id->len,
		    X509_CHECK_FLAG_NO_WILDCARDS |
		    X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, NULL) == 1;
	case IPSEC_ID_USER_FQDN:
		return X509_check_email(x, (const char *)id->data, id->len,
		    X509_CHECK_FLAG_NEVER_CHECK_SUBJECT) == 1;
	case IPSEC_ID_IPV4_ADDR:
	case IPSEC_ID_IPV6_ADDR:
		return (id->len == 4 || id->len == 16) &&
		    X509_check_ip(x, id->data, id->len, 0) == 1;
	default:
		return false;
	}
}

/* RFC 4945 5.1.3.2 / 5.1.3.12: key usage and extended key usage. */
static const char *
usage_problem(X509 *x)
{
	uint32_t fl = X509_get_extension_flags(x);
	uint32_t xku;

	if ((fl & EXFLAG_KUSAGE) && (X509_get_key_usage(x) &
	    (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) == 0)
		return "keyUsage allows neither digitalSignature nor "
		    "nonRepudiation";
	if (fl & EXFLAG_XKUSAGE) {
		xku = X509_get_extended_key_usage(x);
		/* clientAuth, serverAuth, anyExtendedKeyUsage, or the IPsec
		 * ones OpenSSL has no bit for: then no bit at all is set */
		if ((xku & (XKU_SSL_CLIENT | XKU_SSL_SERVER | XKU_ANYEKU)) ==
		    0 && xku != 0 && xku != UINT32_MAX)
			return "extendedKeyUsage has neither clientAuth nor an "
			    "IPsec purpose";
	}
	return NULL;
}

static bool
rules_allow(const struct ikd_certs *certs, const char *subject,
    const char *issuer)
{
	const struct conf_cert_rule *r;
	size_t i;

	if (certs->nrules == 0)
		return true;
	for (i = 0; i < certs->nrules; i++) {
		r = &certs->rules[i];
		if ((r->issuer == NULL || fnmatch(r->issuer, issuer, 0) == 0) &&
		    (r->subject == NULL || fnmatch(r->subject, subject, 0) ==
		    0))
			return true;
	}
	return false;
}

int
ikd_certs_check_peer(struct ikd_certs *certs, const struct ikd_cert_in *in,
    size_t nin, const struct isakmp_id *id, const uint8_t *hash, size_t hlen,
    const uint8_t *sig, size_t siglen, struct ikd_cert_result *res)
{
	STACK_OF(X509) *untrusted = NULL;
	X509_STORE_CTX *vctx = NULL;
	X509 *x, *ee = NULL;
	EVP_PKEY *pub;
	const unsigned char *p;
	const char *prob;
	size_t i;
	int rc = -1, e;

	memset(res, 0, sizeof(*res));
	crl_refresh(certs);
	if (nin == 0) {
		snprintf(res->why, sizeof(res->why), "no certificate sent");
		return -1;
	}
	if ((untrusted = sk_X509_new_null()) == NULL) {
		snprintf(res->why, sizeof(res->why), "out of memory");
		return -1;
	}
	for (i = 0; i < nin && i < IKD_CERT_MAX_PEER; i++) {
		if (in[i].encoding != ISAKMP_CERT_X509_SIG) {
			snprintf(res->why, sizeof(res->why), "certificate "
			    "encoding %s is not supported",
			    isakmp_cert_name(in[i].encoding));
			goto out;
		}
		p = in[i].der;
		x = NULL;
		if (in[i].len > IKD_CERT_DER_MAX ||
		    (x = d2i_X509(NULL, &p, (long)in[i].len)) == NULL ||
		    p != in[i].der + in[i].len) {
			X509_free(x);
			snprintf(res->why, sizeof(res->why), "CERT payload %zu "
			    "is not a DER X.509 certificate", i + 1);
			goto out;
		}
		/* the end entity is the one the ID names, else the first */
		if (ee == NULL && id_matches(x, id))
			ee = x;
		if (!sk_X509_push(untrusted, x)) {
			X509_free(x);
			snprintf(res->why, sizeof(res->why), "out of memory");
			goto out;
		}
	}
	if (nin > IKD_CERT_MAX_PEER) {
		snprintf(res->why, sizeof(res->why), "more than %d "
		    "certificates", IKD_CERT_MAX_PEER);
		goto out;
	}
	x = ee != NULL ? ee : sk_X509_value(untrusted, 0);
	dn_str(X509_get_subject_name(x), res->subject, sizeof(res->subject));
	dn_str(X509_get_issuer_name(x), res->issuer, sizeof(res->issuer));
	if (ee == NULL) {
		snprintf(res->why, sizeof(res->why), "the peer's ID (%s) is "
		    "not in its certificate", isakmp_id_type_name(id->type));
		goto out;
	}
	/* our own intermediates may complete the peer's chain */
	for (i = 0; i < (size_t)sk_X509_num(certs->extras); i++) {
		x = sk_X509_value(certs->extras, (int)i);
		if (X509_up_ref(x) != 1 || !sk_X509_push(untrusted, x)) {
			X509_free(x);
			snprintf(res->why, sizeof(res->why), "out of memory");
			goto out;
		}
	}
	if ((vctx = X509_STORE_CTX_new()) == NULL ||
	    X509_STORE_CTX_init(vctx, certs->store, ee, untrusted) != 1) {
		snprintf(res->why, sizeof(res->why), "out of memory");
		goto out;
	}
	if (X509_verify_cert(vctx) != 1) {
		e = X509_STORE_CTX_get_error(vctx);
		x = X509_STORE_CTX_get_current_cert(vctx);
		if (x != NULL && x != ee) {
			char dn[IKD_DN_STR_MAX];

			dn_str(X509_get_subject_name(x), dn, sizeof(dn));
			snprintf(res->why, sizeof(res->why), "%s (at \"%s\")",
			    X509_verify_cert_error_string(e), dn);
		} else
			snprintf(res->why, sizeof(res->why), "%s",
			    X509_verify_cert_error_string(e));
		goto out;
	}
	if ((prob = usage_problem(ee)) != NULL) {
		snprintf(res->why, sizeof(res->why), "%s", prob);
		goto out;
	}
	if (!rules_allow(certs, res->subject, res->issuer)) {
		snprintf(res->why, sizeof(res->why), "subject not allowed by "
		    "ike.cert_allow");
		goto out;
	}
	if ((pub = X509_get0_pubkey(ee)) == NULL ||
	    EVP_PKEY_get_base_id(pub) != EVP_PKEY_RSA) {
		snprintf(res->why, sizeof(res->why), "the certificate's key is "
		    "not RSA (auth method RSA signature)");
		goto out;
	}
	if (siglen == 0 || siglen > IKD_SIG_MAX ||
	    verify_sig(pub, hash, hlen, sig, siglen) == -1) {
		snprintf(res->why, sizeof(res->why), "signature does not "
		    "verify with the certificate's key");
		goto out;
	}
	rc = 0;
out:
	X509_STORE_CTX_free(vctx);
	sk_X509_pop_free(untrusted, X509_free);
	ERR_clear_error();
	return rc;
}
