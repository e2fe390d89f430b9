/*
 * sig.h - IKEv1 signatures over HASH_I/HASH_R (RFC 2409 5.1):
 *   RSA (auth method 3): PKCS#1 v1.5 type 1 padding over the raw HASH, no
 *     DigestInfo (what strongSwan, Libreswan and Windows do);
 *   ECDSA (methods 9/10/11, RFC 4754 by curve P-256/P-384/P-521): ECDSA
 *     over the HASH as the digest (no second hash, strongSwan's
 *     SIGN_ECDSA_WITH_NULL), encoded r | s, each the curve's size; the
 *     HASH itself is HMAC-SHA-256/384/512 by curve, keyed with SKEYID
 *     (ike_sig_auth_hash; strongSwan's keymat_v1 prf_auth).
 * Shared by ikd (cert.c) and the test initiator.
 */
#ifndef IKD_SIG_H
#define IKD_SIG_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

/*
 * The hash of HASH_I/HASH_R for an auth method: for ECDSA the curve's
 * (IKE_HASH_SHA2_256/384/512; crypto.h ike_keys_auth_hash), 0 for the
 * others (the negotiated PRF).
 */
int ike_sig_auth_hash(uint16_t method);

/* The auth method a key signs with (IKE_AUTH_*), 0 if none. */
uint16_t ike_sig_method(const EVP_PKEY *k);

/* *siglen in: room, out: length. 0 or -1. */
int ike_sig_sign(EVP_PKEY *k, const uint8_t *hash, size_t hlen,
    uint8_t *sig, size_t *siglen);
int ike_sig_verify(EVP_PKEY *k, const uint8_t *hash, size_t hlen,
    const uint8_t *sig, size_t siglen);

#endif
