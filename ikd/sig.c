/*
 * sig.c - IKEv1 RSA and ECDSA signatures (sig.h).
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include "ikd/isakmp.h"
#include "ikd/sig.h"

/* ECDSA field size in bytes for the methods, 0 if not ECDSA. */
static size_t
ec_size(uint16_t method)
{
	switch (method) {
	case IKE_AUTH_ECDSA_SHA256_P256:
		return 32;
	case IKE_AUTH_ECDSA_SHA384_P384:
		return 48;
	case IKE_AUTH_ECDSA_SHA512_P521:
		return 66;
	default:
		return 0;
	}
}

int
ike_sig_auth_hash(uint16_t method)
{
	switch (method) {
	case IKE_AUTH_ECDSA_SHA256_P256:
		return IKE_HASH_SHA2_256;
	case IKE_AUTH_ECDSA_SHA384_P384:
		return IKE_HASH_SHA2_384;
	case IKE_AUTH_ECDSA_SHA512_P521:
		return IKE_HASH_SHA2_512;
	default:
		return 0;
	}
}

uint16_t
ike_sig_method(const EVP_PKEY *k)
{
	char curve[32];

	if (k == NULL)
		return 0;
	if (EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA)
		return IKE_AUTH_RSA_SIG;
	if (EVP_PKEY_get_base_id(k) != EVP_PKEY_EC ||
	    !EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME,
	    curve, sizeof(curve), NULL))
		return 0;
	if (strcmp(curve, "prime256v1") == 0)
		return IKE_AUTH_ECDSA_SHA256_P256;
	if (strcmp(curve, "secp384r1") == 0)
		return IKE_AUTH_ECDSA_SHA384_P384;
	if (strcmp(curve, "secp521r1") == 0)
		return IKE_AUTH_ECDSA_SHA512_P521;
	return 0;
}

int
ike_sig_sign(EVP_PKEY *k, const uint8_t *hash, size_t hlen, uint8_t *sig,
    size_t *siglen)
{
	uint16_t m = ike_sig_method(k);
	size_t n = ec_size(m), dlen;
	uint8_t der[160];
	const unsigned char *p = der;
	const BIGNUM *r, *s;
	ECDSA_SIG *es = NULL;
	EVP_PKEY_CTX *pc;
	int rc = -1;

	if (m == 0 || (pc = EVP_PKEY_CTX_new(k, NULL)) == NULL)
		return -1;
	if (EVP_PKEY_sign_init(pc) != 1)
		goto out;
	if (m == IKE_AUTH_RSA_SIG) {
		if (EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) == 1 &&
		    EVP_PKEY_sign(pc, sig, siglen, hash, hlen) == 1)
			rc = 0;
		goto out;
	}
	dlen = sizeof(der);
	if (*siglen < 2 * n || EVP_PKEY_sign(pc, der, &dlen, hash, hlen) != 1 ||
	    (es = d2i_ECDSA_SIG(NULL, &p, (long)dlen)) == NULL)
		goto out;
	ECDSA_SIG_get0(es, &r, &s);
	if (BN_bn2binpad(r, sig, (int)n) != (int)n ||
	    BN_bn2binpad(s, sig + n, (int)n) != (int)n)
		goto out;
	*siglen = 2 * n;
	rc = 0;
out:
	ECDSA_SIG_free(es);
	EVP_PKEY_CTX_free(pc);
	ERR_clear_error();
	return rc;
}

int
ike_sig_verify(EVP_PKEY *k, const uint8_t *hash, size_t hlen,
    const uint8_t *sig, size_t siglen)
{
	uint16_t m = ike_sig_method(k);
	size_t n = ec_size(m);
	unsigned char *der = NULL;
	BIGNUM *r = NULL, *s = NULL;
	ECDSA_SIG *es = NULL;
	EVP_PKEY_CTX *pc;
	int rc = -1, dlen;

	if (m == 0 || (pc = EVP_PKEY_CTX_new(k, NULL)) == NULL)
		return -1;
	if (EVP_PKEY_verify_init(pc) != 1)
		goto out;
	if (m == IKE_AUTH_RSA_SIG) {
		if (EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PADDING) == 1 &&
		    EVP_PKEY_verify(pc, sig, siglen, hash, hlen) == 1)
			rc = 0;
		goto out;
	}
	/* RFC 4754 7: r | s, each exactly the field size */
	if (siglen != 2 * n || (es = ECDSA_SIG_new()) == NULL ||
	    (r = BN_bin2bn(sig, (int)n, NULL)) == NULL ||
	    (s = BN_bin2bn(sig + n, (int)n, NULL)) == NULL ||
	    ECDSA_SIG_set0(es, r, s) != 1)
		goto out;
	r = s = NULL;
	if ((dlen = i2d_ECDSA_SIG(es, &der)) > 0 &&
	    EVP_PKEY_verify(pc, der, (size_t)dlen, hash, hlen) == 1)
		rc = 0;
out:
	BN_free(r);
	BN_free(s);
	OPENSSL_free(der);
	ECDSA_SIG_free(es);
	EVP_PKEY_CTX_free(pc);
	ERR_clear_error();
	return rc;
}
