/*
 * cert.c - certificates for Main Mode with signatures (cert.h).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
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
#include "ikd/sig.h"
#include "lib/dn.h"
#include "lib/log.h"

#define CHAIN_MAX	8	/* our certificate + intermediates */
#define CA_MAX		64	/* trusted CAs named in CERTREQ */

struct der {
	uint8_t	*p;
	size_t	 len;
};

/* One certificate of ours (ike.cert_file, then ike.server_certs). */
struct ikd_ident {
	EVP_PKEY		*key;		/* NULL after ikd_certs_drop_key */
	uint16_t		 method;	/* IKE_AUTH_* of the key */
	struct der		 chain[CHAIN_MAX];
	size_t			 nchain;
	struct der		 id;		/* our subject, DER */
	char			 subject[IKD_DN_STR_MAX];
};

struct ikd_certs {
	X509_STORE		*store;		/* cas + the CRLs */
	STACK_OF(X509)		*cas;
	char			*crl_path;	/* NULL: no revocation checks */
	struct stat		 crl_st;	/* of the CRL file loaded */
	struct stat		 crl_bad;	/* of a file that failed, to warn
						 * once per change */
	STACK_OF(X509)		*extras;	/* our intermediates, all */
	struct ikd_ident	 ident[IKD_IDENT_MAX];
	size_t			 nident;
	struct der		 ca[CA_MAX];
	size_t			 nca;
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
	dn_oneline(nm, buf, buflen);
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
	/* the end entity's issuer is checked (verify_cb: if it has a CRL) */
	X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
	return 0;
}

/* Is there a CRL of the CA named nm in the store ctx verifies with? */
static bool
has_crl(X509_STORE_CTX *ctx, const X509_NAME *nm)
{
	STACK_OF(X509_CRL) *crls;
	bool any;

	if ((crls = X509_STORE_CTX_get1_crls(ctx, nm)) == NULL) {
		ERR_clear_error();
		return false;
	}
	any = sk_X509_CRL_num(crls) > 0;
	sk_X509_CRL_pop_free(crls, X509_CRL_free);
	return any;
}

/*
 * crl_file holds CRLs of some CAs: those are checked (a missing CRL of
 * such a CA, or an expired one, refuses); a CA with no CRL in the file is
 * not checked for revocation (warned at start, warn_crl_coverage).
 */
static int
verify_cb(int ok, X509_STORE_CTX *ctx)
{
	X509 *cur;

	if (ok || X509_STORE_CTX_get_error(ctx) != X509_V_ERR_UNABLE_TO_GET_CRL)
		return ok;
	if ((cur = X509_STORE_CTX_get_current_cert(ctx)) == NULL ||
	    has_crl(ctx, X509_get_issuer_name(cur)))
		return 0;
	X509_STORE_CTX_set_error(ctx, X509_V_OK);
	return 1;
}

/* At start: name the CAs whose certificates are not revocation-checked. */
static void
warn_crl_coverage(X509_STORE *store, STACK_OF(X509) *cas, const char *path)
{
	X509_STORE_CTX *ctx;
	char dn[IKD_DN_STR_MAX];
	X509_NAME *nm;
	int i;

	if ((ctx = X509_STORE_CTX_new()) == NULL)
		return;
	if (X509_STORE_CTX_init(ctx, store, NULL, NULL) == 1)
		for (i = 0; i < sk_X509_num(cas); i++) {
			nm = X509_get_subject_name(sk_X509_value(cas, i));
			if (has_crl(ctx, nm))
				continue;
			dn_oneline(nm, dn, sizeof(dn));
			log_warnx("CA \"%s\" has no CRL in %s: its certificates "
			    "are not checked for revocation", dn, path);
		}
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
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

/*
 * The key file through our own buffer (read(2), no stdio buffer), wiped
 * after decoding: the IKE process forked later inherits no copy of it.
 */
#define KEY_FILE_MAX	(64 * 1024)

static EVP_PKEY *
read_key(const char *path, char *err, size_t errlen)
{
	EVP_PKEY *k = NULL;
	uint8_t *buf;
	size_t len = 0;
	ssize_t n;
	BIO *b;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		snprintf(err, errlen, "cannot open %s: %s", path,
		    strerror(errno));
		return NULL;
	}
	if ((buf = malloc(KEY_FILE_MAX)) == NULL) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	while (len < KEY_FILE_MAX && (n = read(fd, buf + len,
	    KEY_FILE_MAX - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (len == KEY_FILE_MAX)
		snprintf(err, errlen, "%s: larger than %d bytes", path,
		    KEY_FILE_MAX);
	else if ((b = BIO_new_mem_buf(buf, (int)len)) == NULL)
		snprintf(err, errlen, "out of memory");
	else {
		if ((k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL)) == NULL)
			ossl_err(err, errlen, "no usable private key in", path);
		BIO_free(b);
	}
	OPENSSL_cleanse(buf, KEY_FILE_MAX);
	free(buf);
	return k;
}

/* Load one identity: cert_file (ours, then intermediates) and its key. */
static int
load_ident(struct ikd_certs *certs, const char *cert_file,
    const char *key_file, char *err, size_t errlen)
{
	struct ikd_ident *id = &certs->ident[certs->nident];
	STACK_OF(X509) *mine;
	X509 *x;
	int i, rc = -1;

	if (certs->nident >= IKD_IDENT_MAX) {
		snprintf(err, errlen, "more than %d certificates of ours",
		    IKD_IDENT_MAX);
		return -1;
	}
	certs->nident++;
	if ((mine = read_certs(cert_file, err, errlen)) == NULL)
		return -1;
	if (sk_X509_num(mine) > CHAIN_MAX) {
		snprintf(err, errlen, "%s: more than %d certificates",
		    cert_file, CHAIN_MAX);
		goto out;
	}
	for (i = 0; i < sk_X509_num(mine); i++)
		if (der_of_cert(sk_X509_value(mine, i),
		    &id->chain[id->nchain++]) == -1) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
	x = sk_X509_value(mine, 0);
	if (der_of_name(X509_get_subject_name(x), &id->id) == -1) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	dn_oneline(X509_get_subject_name(x), id->subject, sizeof(id->subject));
	if ((id->key = read_key(key_file, err, errlen)) == NULL)
		goto out;
	if ((id->method = ike_sig_method(id->key)) == 0) {
		snprintf(err, errlen, "%s: IKEv1 signatures need an RSA key "
		    "or an ECDSA key on P-256, P-384 or P-521", key_file);
		goto out;
	}
	if (X509_check_private_key(x, id->key) != 1) {
		snprintf(err, errlen, "%s does not belong to the certificate "
		    "in %s (%s)", key_file, cert_file, id->subject);
		ERR_clear_error();
		goto out;
	}
	/* keep the intermediates for peers' chains too */
	for (i = 1; i < sk_X509_num(mine); i++) {
		x = sk_X509_value(mine, i);
		if (X509_up_ref(x) != 1 || !sk_X509_push(certs->extras, x)) {
			X509_free(x);
			snprintf(err, errlen, "out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	sk_X509_pop_free(mine, X509_free);
	return rc;
}

int
ikd_certs_load(const struct ike_conf *c, struct ikd_certs **out, char *err,
    size_t errlen)
{
	struct ikd_certs *certs;
	size_t j;
	int i, rc = -1;

	*out = NULL;
	if (c->cert_file == NULL)
		return 0;
	if (c->ca_file == NULL || c->key_file == NULL) {
		snprintf(err, errlen, "ike.cert_file needs ike.key_file and "
		    "ike.ca_file");
		return -1;
	}
	if ((certs = calloc(1, sizeof(*certs))) == NULL ||
	    (certs->extras = sk_X509_new_null()) == NULL) {
		snprintf(err, errlen, "out of memory");
		free(certs);
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
	if (certs->crl_path != NULL)
		warn_crl_coverage(certs->store, certs->cas, certs->crl_path);
	if (load_ident(certs, c->cert_file, c->key_file, err, errlen) == -1)
		goto out;
	for (j = 0; j < c->nserver_certs; j++)
		if (load_ident(certs, c->server_certs[j].cert_file,
		    c->server_certs[j].key_file, err, errlen) == -1)
			goto out;
	rc = 0;
	*out = certs;
out:
	if (rc == -1)
		ikd_certs_free(certs);
	return rc;
}

void
ikd_certs_free(struct ikd_certs *certs)
{
	struct ikd_ident *id;
	size_t i, j;

	if (certs == NULL)
		return;
	X509_STORE_free(certs->store);
	sk_X509_pop_free(certs->cas, X509_free);
	free(certs->crl_path);
	sk_X509_pop_free(certs->extras, X509_free);
	for (j = 0; j < certs->nident; j++) {
		id = &certs->ident[j];
		EVP_PKEY_free(id->key);
		for (i = 0; i < id->nchain; i++)
			der_free(&id->chain[i]);
		der_free(&id->id);
	}
	for (i = 0; i < certs->nca; i++)
		der_free(&certs->ca[i]);
	free(certs);
}

uint32_t
ikd_certs_auth_mask(const struct ikd_certs *certs)
{
	uint32_t m = 0;
	size_t i;

	for (i = 0; certs != NULL && i < certs->nident; i++)
		m |= PROPOSAL_AUTH_BIT(certs->ident[i].method);
	return m;
}

size_t
ikd_certs_count(const struct ikd_certs *certs)
{
	return certs != NULL ? certs->nident : 0;
}

const uint8_t *
ikd_certs_id_der(const struct ikd_certs *certs, size_t ident, size_t *len)
{
	if (ident >= certs->nident)
		return NULL;
	*len = certs->ident[ident].id.len;
	return certs->ident[ident].id.p;
}

const char *
ikd_certs_subject(const struct ikd_certs *certs, size_t ident)
{
	return ident < certs->nident ? certs->ident[ident].subject : "?";
}

const uint8_t *
ikd_certs_chain(const struct ikd_certs *certs, size_t ident, size_t i,
    size_t *len)
{
	if (ident >= certs->nident || i >= certs->ident[ident].nchain)
		return NULL;
	*len = certs->ident[ident].chain[i].len;
	return certs->ident[ident].chain[i].p;
}

const uint8_t *
ikd_certs_ca_name(const struct ikd_certs *certs, size_t i, size_t *len)
{
	if (i >= certs->nca)
		return NULL;
	*len = certs->ca[i].len;
	return certs->ca[i].p;
}

/* Does one of the CERTREQ authorities name an issuer up id's chain? */
static bool
ident_asked(const struct ikd_ident *id, X509_NAME *const *names, size_t n)
{
	const unsigned char *p;
	X509 *x;
	bool hit = false;
	size_t i, j;

	for (i = 0; i < id->nchain && !hit; i++) {
		p = id->chain[i].p;
		if ((x = d2i_X509(NULL, &p, (long)id->chain[i].len)) == NULL)
			continue;
		for (j = 0; j < n && !hit; j++)
			hit = X509_NAME_cmp(X509_get_issuer_name(x),
			    names[j]) == 0;
		X509_free(x);
	}
	return hit;
}

int
ikd_certs_select(const struct ikd_certs *certs, uint16_t method,
    const struct ikd_dn *crs, size_t ncr, bool *unmatched)
{
	X509_NAME *names[IKD_CR_MAX];
	const unsigned char *p;
	size_t i, n = 0;
	int first = -1, hit = -1;

	*unmatched = false;
	for (i = 0; i < ncr && n < IKD_CR_MAX; i++) {
		p = crs[i].der;
		if (crs[i].len == 0)
			continue;	/* "any CA" */
		if (crs[i].len > 4096 || (names[n] = d2i_X509_NAME(NULL, &p,
		    (long)crs[i].len)) == NULL) {
			ERR_clear_error();
			continue;
		}
		n++;
	}
	for (i = 0; i < certs->nident && hit == -1; i++) {
		if (certs->ident[i].method != method)
			continue;
		if (first == -1)
			first = (int)i;
		if (n > 0 && ident_asked(&certs->ident[i], names, n))
			hit = (int)i;
	}
	for (i = 0; i < n; i++)
		X509_NAME_free(names[i]);
	if (hit != -1)
		return hit;
	*unmatched = n > 0;
	return first;
}

int
ikd_certs_sign(const struct ikd_certs *certs, size_t ident,
    const uint8_t *hash, size_t hlen, uint8_t *sig, size_t *siglen)
{
	if (ident >= certs->nident || certs->ident[ident].key == NULL)
		return -1;
	return ike_sig_sign(certs->ident[ident].key, hash, hlen, sig, siglen);
}

void
ikd_certs_drop_key(struct ikd_certs *certs)
{
	size_t i;

	for (i = 0; certs != NULL && i < certs->nident; i++) {
		EVP_PKEY_free(certs->ident[i].key);
		certs->ident[i].key = NULL;
	}
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
    size_t nin, const struct isakmp_id *id, uint16_t method,
    const uint8_t *hash, size_t hlen, const uint8_t *sig, size_t siglen,
    struct ikd_cert_result *res)
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
	dn_oneline(X509_get_subject_name(x), res->subject, sizeof(res->subject));
	dn_oneline(X509_get_issuer_name(x), res->issuer, sizeof(res->issuer));
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
	X509_STORE_CTX_set_verify_cb(vctx, verify_cb);
	if (X509_verify_cert(vctx) != 1) {
		e = X509_STORE_CTX_get_error(vctx);
		x = X509_STORE_CTX_get_current_cert(vctx);
		if (x != NULL && x != ee) {
			char dn[IKD_DN_STR_MAX];

			dn_oneline(X509_get_subject_name(x), dn, sizeof(dn));
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
	    ike_sig_method(pub) != method) {
		snprintf(res->why, sizeof(res->why), "the certificate's key "
		    "does not sign with the negotiated auth method %s",
		    isakmp_ike_auth_name(method));
		goto out;
	}
	if (siglen == 0 || siglen > IKD_SIG_MAX ||
	    ike_sig_verify(pub, hash, hlen, sig, siglen) == -1) {
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
