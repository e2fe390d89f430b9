/*
 * certgen.c - test-only X.509 material (certgen.h).
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "ikd/sig.h"
#include "tests/lib/certgen.h"

EVP_PKEY *
certgen_rsa(int bits)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
}

EVP_PKEY *
certgen_ec(const char *curve)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
}

static X509_NAME *
parse_dn(const char *dn)
{
	X509_NAME *nm = X509_NAME_new();
	char buf[256], *p, *tok, *eq, *save = NULL;

	if (nm == NULL)
		return NULL;
	snprintf(buf, sizeof(buf), "%s", dn);
	p = buf;
	for (tok = strtok_r(p, "/", &save); tok != NULL;
	    tok = strtok_r(NULL, "/", &save)) {
		if ((eq = strchr(tok, '=')) == NULL)
			continue;
		*eq = '\0';
		if (!X509_NAME_add_entry_by_txt(nm, tok, MBSTRING_UTF8,
		    (const unsigned char *)eq + 1, -1, -1, 0)) {
			X509_NAME_free(nm);
			return NULL;
		}
	}
	return nm;
}

static int
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value)) == NULL)
		return -1;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

X509 *
certgen_cert(X509 *issuer, EVP_PKEY *ikey, EVP_PKEY *key, const char *dn,
    long serial, int nb_days, int na_days, bool ca, const char *san_dns,
    const char *san_ip)
{
	X509 *x = X509_new();
	X509_NAME *nm;
	char san[256];

	if (x == NULL || (nm = parse_dn(dn)) == NULL) {
		X509_free(x);
		return NULL;
	}
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_gmtime_adj(X509_getm_notBefore(x), (long)nb_days * 86400);
	X509_gmtime_adj(X509_getm_notAfter(x), (long)na_days * 86400);
	X509_set_subject_name(x, nm);
	X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer) : nm);
	X509_NAME_free(nm);
	X509_set_pubkey(x, key);
	if (issuer == NULL) {
		issuer = x;
		ikey = key;
	}
	if (ca) {
		if (add_ext(x, issuer, NID_basic_constraints,
		    "critical,CA:TRUE") == -1 ||
		    add_ext(x, issuer, NID_key_usage,
		    "critical,keyCertSign,cRLSign") == -1)
			goto fail;
	} else if (add_ext(x, issuer, NID_basic_constraints, "CA:FALSE") ==
	    -1 || add_ext(x, issuer, NID_key_usage,
	    "digitalSignature,keyEncipherment") == -1 ||
	    add_ext(x, issuer, NID_ext_key_usage, "clientAuth,serverAuth") ==
	    -1)
		goto fail;
	if (san_dns != NULL || san_ip != NULL) {
		snprintf(san, sizeof(san), "%s%s%s%s%s",
		    san_dns != NULL ? "DNS:" : "", san_dns != NULL ? san_dns : "",
		    san_dns != NULL && san_ip != NULL ? "," : "",
		    san_ip != NULL ? "IP:" : "", san_ip != NULL ? san_ip : "");
		if (add_ext(x, issuer, NID_subject_alt_name, san) == -1)
			goto fail;
	}
	if (X509_sign(x, ikey, EVP_sha256()) == 0)
		goto fail;
	return x;
fail:
	X509_free(x);
	return NULL;
}

X509_CRL *
certgen_crl(X509 *ca, EVP_PKEY *cakey, X509 **revoked, size_t n)
{
	return certgen_crl_at(ca, cakey, revoked, n, -3600, 30L * 86400);
}

X509_CRL *
certgen_crl_at(X509 *ca, EVP_PKEY *cakey, X509 **revoked, size_t n,
    long last_s, long next_s)
{
	X509_CRL *crl = X509_CRL_new();
	X509_REVOKED *r;
	ASN1_TIME *t = ASN1_TIME_new();
	size_t i;

	if (crl == NULL || t == NULL)
		goto fail;
	X509_CRL_set_version(crl, 1);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca));
	X509_gmtime_adj(t, last_s);
	X509_CRL_set1_lastUpdate(crl, t);
	X509_gmtime_adj(t, next_s);
	X509_CRL_set1_nextUpdate(crl, t);
	for (i = 0; i < n; i++) {
		if ((r = X509_REVOKED_new()) == NULL)
			goto fail;
		X509_REVOKED_set_serialNumber(r,
		    X509_get_serialNumber(revoked[i]));
		X509_gmtime_adj(t, -60);
		X509_REVOKED_set_revocationDate(r, t);
		X509_CRL_add0_revoked(crl, r);
	}
	X509_CRL_sort(crl);
	if (X509_CRL_sign(crl, cakey, EVP_sha256()) == 0)
		goto fail;
	ASN1_TIME_free(t);
	return crl;
fail:
	ASN1_TIME_free(t);
	X509_CRL_free(crl);
	return NULL;
}

static FILE *
open_mode(const char *path, bool append, int mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | (append ? O_APPEND :
	    O_TRUNC), mode);

	if (fd == -1)
		return NULL;
	(void)fchmod(fd, (mode_t)mode);
	return fdopen(fd, append ? "a" : "w");
}

int
certgen_write_cert(const char *path, X509 *x, bool append)
{
	FILE *f = open_mode(path, append, 0644);
	int ok;

	if (f == NULL)
		return -1;
	ok = PEM_write_X509(f, x);
	return fclose(f) == 0 && ok ? 0 : -1;
}

int
certgen_write_key(const char *path, EVP_PKEY *k)
{
	FILE *f = open_mode(path, false, 0600);
	int ok;

	if (f == NULL)
		return -1;
	ok = PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
	return fclose(f) == 0 && ok ? 0 : -1;
}

int
certgen_write_crl(const char *path, X509_CRL *crl)
{
	FILE *f = open_mode(path, false, 0644);
	int ok;

	if (f == NULL)
		return -1;
	ok = PEM_write_X509_CRL(f, crl);
	return fclose(f) == 0 && ok ? 0 : -1;
}

uint8_t *
certgen_der(X509 *x, size_t *len)
{
	unsigned char *p = NULL;
	int n = i2d_X509(x, &p);

	*len = n > 0 ? (size_t)n : 0;
	return n > 0 ? p : NULL;
}

uint8_t *
certgen_subject_der(X509 *x, size_t *len)
{
	unsigned char *p = NULL;
	int n = i2d_X509_NAME(X509_get_subject_name(x), &p);

	*len = n > 0 ? (size_t)n : 0;
	return n > 0 ? p : NULL;
}

int
certgen_sign(EVP_PKEY *k, const uint8_t *h, size_t hlen, uint8_t *sig,
    size_t *siglen)
{
	return ike_sig_sign(k, h, hlen, sig, siglen);
}
