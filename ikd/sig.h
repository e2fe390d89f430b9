/*
 * sig.h - IKEv1 signatures over HASH_I/HASH_R (RFC 2409 5.1):
 *   RSA (auth method 3): PKCS#1 v1.5 type 1 padding over the raw HASH, no
 *     DigestInfo (what strongSwan, Libreswan and Windows do);
 *   ECDSA (methods 9/10/11, RFC 4754 by curve P-256/P-384/P-521): ECDSA
 *     over the HASH as the digest (no second hash, strongSwan's
 *     SIGN_ECDSA_WITH_NULL), encoded r | s, each the curve's size.
 * Shared by ikd (cert.c) and the test initiator.
 */
#ifndef IKD_SIG_H
#define IKD_SIG_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

/* The auth method a key signs with (IKE_AUTH_*), 0 if none. */
uint16_t ike_sig_method(const EVP_PKEY *k);

/* *siglen in: room, out: length. 0 or -1. */
int ike_sig_sign(EVP_PKEY *k, const uint8_t *hash, size_t hlen,
    uint8_t *sig, size_t *siglen);
int ike_sig_verify(EVP_PKEY *k, const uint8_t *hash, size_t hlen,
    const uint8_t *sig, size_t siglen);

#endif
