/*
 * dh.h - Diffie-Hellman for IKEv1 (RFC 2409 5, 6; RFC 3526; RFC 5903).
 *
 * Groups: MODP 2 (1024), 5 (1536), 14 (2048), 15 (3072), 16 (4096) with
 * g = 2, and ECP 19 (P-256), 20 (P-384). One `struct ike_dh` is one
 * ephemeral key pair, made per exchange and freed after the derive; keys
 * are never reused across exchanges.
 *
 * Wire formats (the KE payload data, RFC 2409 5 / RFC 5903 7):
 *   MODP: g^x big endian, left-padded with zeros to the prime length;
 *   ECP:  x | y, each exactly the field size, no 0x04 point-format octet.
 * Shared secret g^xy: MODP left-padded to the prime length; ECP the x
 * coordinate alone (RFC 5903 7, which corrected RFC 4753's x | y).
 *
 * Peer validation (RFC 6989): MODP 1 < y < p-1 (the groups are safe
 * primes, see dh.c for why that is enough here); ECP full point validation
 * (coordinates below the field prime, point on the curve, not infinity).
 *
 * Caches (domain parameters, key generation contexts) are process-global
 * and not locked: ikd does its crypto in one thread.
 */
#ifndef IKD_DH_H
#define IKD_DH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ikd/crypto.h"

/* IANA "Group Description" values (RFC 2409 Appendix A, RFC 3526, 5903). */
#define IKE_DH_MODP1024		2
#define IKE_DH_MODP1536		5
#define IKE_DH_MODP2048		14
#define IKE_DH_MODP3072		15
#define IKE_DH_MODP4096		16
#define IKE_DH_ECP256		19
#define IKE_DH_ECP384		20

/* Largest KE payload data / shared secret we produce (MODP 4096). */
#define IKE_DH_PUB_MAX		512

struct ike_dh;

/* True if `group` is one of the groups above. */
bool dh_group_supported(uint16_t group);
/* Log name of a group ("modp2048", "ecp256"); "unknown" otherwise. */
const char *dh_group_name(uint16_t group);
/* KE payload data length for `group`; 0 if unsupported. */
size_t dh_group_public_len(uint16_t group);
/*
 * Private exponent length in bits used for a MODP group (see the table in
 * dh.c); 0 for ECP groups and unsupported groups.
 */
int dh_group_private_bits(uint16_t group);

/*
 * Generate a fresh ephemeral key pair in `group`. Returns NULL (logged) if
 * the group is unsupported or OpenSSL fails. The caller owns the result
 * and frees it with dh_free().
 */
struct ike_dh *dh_new(uint16_t group);
/* Wipe and free; NULL is a no-op. */
void dh_free(struct ike_dh *dh);
/* The group of `dh`. */
uint16_t dh_group(const struct ike_dh *dh);
/* Length of our public value (= dh_group_public_len(dh_group(dh))). */
size_t dh_public_len(const struct ike_dh *dh);

/*
 * Copy our public value, in KE payload format, to out[0..len). `len` must
 * be exactly dh_public_len(dh); otherwise -1 (logged) and nothing written.
 */
int dh_public(const struct ike_dh *dh, uint8_t *out, size_t len);

/*
 * Validate the peer's KE payload data peer[0..peer_len) and compute the
 * shared secret g^xy. On success *shared is a new secret the caller owns
 * (free with ike_secret_free) and 0 is returned. A peer value of the wrong
 * length or failing validation returns -1 with a debug line (peer input;
 * the caller counts and answers); an internal failure returns -1 with a
 * warning. *shared is NULL on failure. `dh` stays usable either way.
 */
int dh_derive(const struct ike_dh *dh, const uint8_t *peer, size_t peer_len,
    struct ike_secret **shared);

/*
 * TEST ONLY - never called by ikd (grep for it): a key pair with the fixed
 * private value priv[0..priv_len) (big endian), so that published vectors
 * (RFC 5903 8) and independently computed MODP vectors can be replayed.
 * Returns NULL (logged) on a bad group or value.
 */
struct ike_dh *dh_new_with_private_for_test(uint16_t group,
    const uint8_t *priv, size_t priv_len);
/*
 * TEST ONLY: BN_num_bits() of the private value of `dh`, to check the
 * exponent length really used; -1 on failure.
 */
int dh_private_bits_for_test(const struct ike_dh *dh);

/* Free the process-global caches (at exit, for leak checkers). */
void dh_cleanup(void);

#endif
