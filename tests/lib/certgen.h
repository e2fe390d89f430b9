/*
 * certgen.h - test-only X.509 material made with OpenSSL's API: CAs,
 * end-entity certificates with chosen validity, CRLs, PEM files, and the
 * raw PKCS#1 v1.5 signature IKEv1 uses. For test_cert and test_exchange.
 */
#ifndef TESTS_LIB_CERTGEN_H
#define TESTS_LIB_CERTGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* A new RSA key (bits >= 1024), or NULL. */
EVP_PKEY *certgen_rsa(int bits);
/* A new EC key on curve ("P-256", "P-384", "P-521"), or NULL. */
EVP_PKEY *certgen_ec(const char *curve);

/*
 * A certificate for `key` with subject `dn` ("/O=x/CN=y" form), signed by
 * issuer/ikey (issuer NULL: self-signed by key). Valid from now+nb_days
 * to now+na_days (negative: in the past). ca: CA:TRUE + keyCertSign;
 * else digitalSignature + clientAuth/serverAuth. san_dns/san_ip may be
 * NULL. Serial: `serial`.
 */
X509 *certgen_cert(X509 *issuer, EVP_PKEY *ikey, EVP_PKEY *key,
    const char *dn, long serial, int nb_days, int na_days, bool ca,
    const char *san_dns, const char *san_ip);

/* A CRL of `ca` revoking the listed certificates (n may be 0). */
X509_CRL *certgen_crl(X509 *ca, EVP_PKEY *cakey, X509 **revoked, size_t n);
/* The same with lastUpdate/nextUpdate at now + last_s / next_s seconds. */
X509_CRL *certgen_crl_at(X509 *ca, EVP_PKEY *cakey, X509 **revoked,
    size_t n, long last_s, long next_s);

/* Write PEM files (mode 0600 for keys); 0 or -1. Append when `append`. */
int certgen_write_cert(const char *path, X509 *x, bool append);
int certgen_write_key(const char *path, EVP_PKEY *k);
int certgen_write_crl(const char *path, X509_CRL *crl);

/* DER of a certificate / of its subject; caller frees with free(). */
uint8_t *certgen_der(X509 *x, size_t *len);
uint8_t *certgen_subject_der(X509 *x, size_t *len);

/* IKEv1 signature over the raw hash (ikd/sig.h). */
int certgen_sign(EVP_PKEY *k, const uint8_t *h, size_t hlen, uint8_t *sig,
    size_t *siglen);

#endif
