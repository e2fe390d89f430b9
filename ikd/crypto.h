/*
 * crypto.h - IKEv1 key material (RFC 2409): PRF, SKEYID*, encryption key
 * expansion, HASH_I/HASH_R, Quick Mode and informational hashes, KEYMAT,
 * the IV chain and CBC encryption of message bodies.
 *
 * Everything here is pure computation over buffers the caller passes with
 * their lengths; nothing reads packets, state or sockets. Secrets live in
 * `struct ike_secret` buffers wiped before free and are never logged.
 *
 * OpenSSL objects are fetched once and cached (the HMAC EVP_MAC with one
 * unkeyed context per digest, digests, ciphers): per-call fetches dominate
 * the cost of the small PRF/CBC calls IKE makes. The caches are global and
 * not locked: ikd does its crypto in one thread.
 */
#ifndef IKD_CRYPTO_H
#define IKD_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ikd/isakmp.h"

/*
 * The negotiated hash is isakmp.h's enum ike_hash (phase 1 attribute "Hash
 * Algorithm", RFC 2409 Appendix A / IANA); of its values SHA1 and SHA2
 * 256/384/512 are supported (ike_hash_supported). The PRF is HMAC with
 * this hash (RFC 2409 4: no PRF attribute is negotiated in practice).
 */

/*
 * Phase 1 encryption: 3DES-CBC (attribute value 5, RFC 2409 App. A) and
 * AES-CBC (7, IANA, RFC 3602) with its Key Length attribute.
 */
enum ike_enc {
	IKE_ENC_3DES_CBC,
	IKE_ENC_AES128_CBC,
	IKE_ENC_AES192_CBC,
	IKE_ENC_AES256_CBC
};

#define IKE_COOKIE_LEN		8	/* CKY-I, CKY-R (RFC 2408 3.1) */
#define IKE_HASH_MAX		64	/* SHA2-512 */
#define IKE_BLOCK_MAX		16	/* AES */
#define IKE_KEY_MAX		32	/* AES-256 */
#define IKE_KE_MAX		512	/* g^xi / g^xr, MODP 4096 */
#define IKE_KEYMAT_MAX		256	/* ike_keymat() output bound */
#define IKE_CBC_MAX		65536	/* largest body ike_cbc_* accepts */
#define IKE_PROTO_ESP		3	/* RFC 2407 4.4.1 */

/* A secret byte string: wiped with OPENSSL_cleanse before it is freed. */
struct ike_secret {
	size_t len;
	uint8_t *p;
};

/* One part of a concatenation fed to a PRF or hash. */
struct ike_chunk {
	const void *p;
	size_t len;
};

/* An IV (or the last cipher block that becomes the next IV). */
struct ike_iv {
	uint8_t b[IKE_BLOCK_MAX];
	size_t len;
};

struct ike_prf;
struct ike_cbc;
struct ike_ivs;

/* Log names ("sha1", "aes256-cbc"); "unknown" for other values. */
const char *ike_hash_name(enum ike_hash hash);
const char *ike_enc_name(enum ike_enc enc);
/* True for the values of the enums above. */
bool ike_hash_supported(enum ike_hash hash);
/* Output length of the hash (and of the PRF); 0 if unsupported. */
size_t ike_hash_len(enum ike_hash hash);
/* Key and block lengths in bytes; 0 if unsupported. */
size_t ike_enc_key_len(enum ike_enc enc);
size_t ike_enc_block_len(enum ike_enc enc);
/*
 * Map the phase 1 attributes Encryption Algorithm `alg` and Key Length
 * `key_bits` (0 if absent) to *enc. AES-CBC has no default key length, so
 * it needs an explicit 128/192/256; 3DES has a fixed one (absent or 192).
 * False if unsupported.
 */
bool ike_enc_from_attr(uint16_t alg, uint16_t key_bits, enum ike_enc *enc);

/* Constant-time comparison of two equal-length buffers (HASH checks). */
bool ike_ct_equal(const void *a, const void *b, size_t len);

/*
 * Secrets. ike_secret_new returns a zeroed secret of `len` (> 0) bytes,
 * ike_secret_copy a copy of p[0..len); both NULL (logged) on failure. The
 * caller owns the result. ike_secret_free wipes and frees; NULL is a no-op.
 */
struct ike_secret *ike_secret_new(size_t len);
struct ike_secret *ike_secret_copy(const void *p, size_t len);
void ike_secret_free(struct ike_secret *s);

/*
 * Plain hash of the concatenation v[0..n) (phase 1 IV, NAT-D). Writes
 * ike_hash_len(hash) bytes to out; `outlen` must be at least that.
 * Returns 0, or -1 (logged).
 */
int ike_hash_v(enum ike_hash hash, const struct ike_chunk *v, size_t n,
    uint8_t *out, size_t outlen);

/*
 * PRF = HMAC(hash) keyed with key[0..keylen) (copied into the OpenSSL
 * context; the caller keeps its key). Returns NULL (logged) on failure;
 * the caller owns the result (ike_prf_free, NULL is a no-op).
 */
struct ike_prf *ike_prf_new(enum ike_hash hash, const uint8_t *key,
    size_t keylen);
void ike_prf_free(struct ike_prf *prf);
/* Output length of the PRF. */
size_t ike_prf_len(const struct ike_prf *prf);
/*
 * prf(key, v[0] | v[1] | ... | v[n-1]): writes ike_prf_len(prf) bytes to
 * out, which must hold `outlen` >= that. Returns 0, or -1 (logged).
 */
int ike_prf_v(const struct ike_prf *prf, const struct ike_chunk *v, size_t n,
    uint8_t *out, size_t outlen);
/* ike_prf_v over one buffer. */
int ike_prf(const struct ike_prf *prf, const uint8_t *data, size_t len,
    uint8_t *out, size_t outlen);

/*
 * RFC 2409 5.4: SKEYID = prf(pre-shared-key, Ni_b | Nr_b). The PSK is
 * only read. Returns a new secret (caller owns) or NULL (logged).
 */
struct ike_secret *ike_skeyid_psk(enum ike_hash hash, const uint8_t *psk,
    size_t psk_len, const uint8_t *ni_b, size_t ni_len, const uint8_t *nr_b,
    size_t nr_len);
/*
 * RFC 2409 5.1: signatures, SKEYID = prf(Ni_b | Nr_b, g^xy). Returns a new
 * secret (caller owns) or NULL (logged).
 */
struct ike_secret *ike_skeyid_sig(enum ike_hash hash, const uint8_t *ni_b,
    size_t ni_len, const uint8_t *nr_b, size_t nr_len,
    const struct ike_secret *gxy);

/*
 * Phase 1 inputs for ike_keys_new(); all pointers are borrowed for the
 * call only (what is needed later is copied).
 */
struct ike_p1_input {
	enum ike_hash hash;
	enum ike_enc enc;
	const uint8_t *cky_i;		/* IKE_COOKIE_LEN bytes */
	const uint8_t *cky_r;		/* IKE_COOKIE_LEN bytes */
	const uint8_t *gxi;		/* initiator's KE payload data */
	size_t gxi_len;
	const uint8_t *gxr;		/* responder's KE payload data */
	size_t gxr_len;
	const struct ike_secret *gxy;	/* dh_derive() output */
};

/*
 * The keys of one ISAKMP SA. Read-only outside crypto.c; the secrets stay
 * readable for known-answer tests and are wiped by ike_keys_free().
 */
struct ike_keys {
	enum ike_hash hash;
	enum ike_enc enc;
	struct ike_secret *skeyid;
	struct ike_secret *skeyid_d;
	struct ike_secret *skeyid_a;
	struct ike_secret *skeyid_e;
	struct ike_secret *ka;		/* encryption key (RFC 2409 App. B) */
	struct ike_cbc *cbc;		/* keyed with ka */
	/* private to crypto.c */
	struct ike_prf *prf_skeyid;	/* HASH_I, HASH_R */
	enum ike_hash auth_hash;	/* prf_skeyid's hash (ike_keys_auth_hash) */
	struct ike_prf *prf_a;		/* HASH(1..3), informational */
	struct ike_prf *prf_d;		/* KEYMAT */
	uint8_t cky_i[IKE_COOKIE_LEN];
	uint8_t cky_r[IKE_COOKIE_LEN];
	uint8_t gxi[IKE_KE_MAX];
	size_t gxi_len;
	uint8_t gxr[IKE_KE_MAX];
	size_t gxr_len;
};

/*
 * RFC 2409 5: from SKEYID (borrowed, copied) derive
 *   SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0)
 *   SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1)
 *   SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2)
 * and the encryption key Ka from SKEYID_e (Appendix B: its first bytes if
 * long enough, else K1 | K2 | ... with K1 = prf(SKEYID_e, 0),
 * Ki+1 = prf(SKEYID_e, Ki)). Returns a new object (caller owns,
 * ike_keys_free) or NULL (logged).
 */
struct ike_keys *ike_keys_new(const struct ike_p1_input *in,
    const struct ike_secret *skeyid);
/* Wipe and free; NULL is a no-op. */
void ike_keys_free(struct ike_keys *keys);
/* PRF output length of these keys (length of every HASH below). */
size_t ike_keys_hash_len(const struct ike_keys *keys);

/*
 * RFC 2409 5:
 *   HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b)
 *   HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b)
 * SAi_b is the body of the initiator's SA payload, IDii_b / IDir_b the ID
 * payload bodies (generic headers excluded). Writes ike_keys_hash_len()
 * bytes to out (outlen >= that). Returns 0, or -1 (logged).
 */
/*
 * ECDSA (methods 9-11): HASH_I and HASH_R are computed with HMAC of the
 * curve's hash (SHA-256/384/512) keyed with SKEYID instead of the
 * negotiated PRF (what strongSwan does; RFC 4754 ties the hash to the
 * method). Call after ike_keys_new; 0 or -1. ike_keys_auth_len() is then
 * the length of HASH_I/HASH_R.
 */
int ike_keys_auth_hash(struct ike_keys *keys, enum ike_hash hash);
size_t ike_keys_auth_len(const struct ike_keys *keys);

int ike_hash_i(const struct ike_keys *keys, const uint8_t *sai_b,
    size_t sai_len, const uint8_t *idii_b, size_t idii_len, uint8_t *out,
    size_t outlen);
int ike_hash_r(const struct ike_keys *keys, const uint8_t *sai_b,
    size_t sai_len, const uint8_t *idir_b, size_t idir_len, uint8_t *out,
    size_t outlen);

/*
 * RFC 2409 5.5, Quick Mode (M-ID in network order; `rest` is the message
 * from the payload after HASH to the end, generic headers included and
 * the encryption padding excluded):
 *   HASH(1) = prf(SKEYID_a, M-ID | rest)
 *   HASH(2) = prf(SKEYID_a, M-ID | Ni_b | rest)
 *   HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b)
 * RFC 2409 5.7: informational HASH(1) = prf(SKEYID_a, M-ID | N/D), the same
 * formula as HASH(1). Output as for ike_hash_i.
 */
int ike_qm_hash1(const struct ike_keys *keys, uint32_t mid,
    const uint8_t *rest, size_t rest_len, uint8_t *out, size_t outlen);
int ike_qm_hash2(const struct ike_keys *keys, uint32_t mid,
    const uint8_t *ni_b, size_t ni_len, const uint8_t *rest, size_t rest_len,
    uint8_t *out, size_t outlen);
int ike_qm_hash3(const struct ike_keys *keys, uint32_t mid,
    const uint8_t *ni_b, size_t ni_len, const uint8_t *nr_b, size_t nr_len,
    uint8_t *out, size_t outlen);
int ike_info_hash(const struct ike_keys *keys, uint32_t mid,
    const uint8_t *body, size_t body_len, uint8_t *out, size_t outlen);

/*
 * RFC 2409 5.5: KEYMAT for one SA (one direction):
 *   K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b)
 *   Ki+1 = prf(SKEYID_d, Ki | [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b)
 *   KEYMAT = K1 | K2 | ... truncated to `len` (1..IKE_KEYMAT_MAX) bytes.
 * gqmxy is the Quick Mode DH secret with PFS, NULL without. `spi` is the
 * SPI of the SA being keyed (the one its receiver chose). Ni_b / Nr_b are
 * the Quick Mode nonces. The caller splits the result in the kernel's
 * order: the encryption key first, then the authentication key; for
 * AES-GCM (RFC 4106 8.1) the encryption key is key | 4-byte salt and there
 * is no authentication key. Returns a new secret (caller owns) or NULL
 * (logged).
 */
struct ike_secret *ike_keymat(const struct ike_keys *keys,
    const struct ike_secret *gqmxy, uint8_t protocol, const uint8_t *spi,
    size_t spi_len, const uint8_t *ni_b, size_t ni_len, const uint8_t *nr_b,
    size_t nr_len, size_t len);

/*
 * CBC of ISAKMP message bodies (everything after the ISAKMP header) with
 * the phase 1 cipher, keyed once. The IV is passed in and the next IV (the
 * last cipher block, RFC 2409 Appendix B) is passed out, so the caller
 * commits it to the chain only once the message is accepted (decrypt) or
 * sent (encrypt). `next` may be the same object as `iv`.
 */
struct ike_cbc *ike_cbc_new(enum ike_enc enc, const uint8_t *key,
    size_t keylen);
void ike_cbc_free(struct ike_cbc *cbc);
size_t ike_cbc_block_len(const struct ike_cbc *cbc);
/*
 * Ciphertext length for `plain_len` bytes of plaintext: padded with zero
 * bytes to the next multiple of the block size, always at least one pad
 * byte, so an aligned body gets a whole block of padding (strongSwan's
 * IKEv1 encrypt_v1 pads the same way; receivers find the end of the data
 * from the payload chain). 0 if plain_len exceeds IKE_CBC_MAX.
 */
size_t ike_cbc_padded_len(const struct ike_cbc *cbc, size_t plain_len);
/*
 * Encrypt in[0..in_len) plus padding into out[0..out_cap); *out_len is set
 * to ike_cbc_padded_len(). out may be exactly in (the buffer then needs
 * the room for the padding); other overlaps are not allowed. iv->len must
 * be the block length. Returns 0, or -1 (logged) with nothing committed.
 */
int ike_cbc_encrypt(struct ike_cbc *cbc, const struct ike_iv *iv,
    const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
    size_t *out_len, struct ike_iv *next);
/*
 * Decrypt in[0..in_len) into out[0..in_len) (out_cap >= in_len; out may be
 * exactly in). in_len must be a non-zero multiple of the block size, else
 * -1 with a debug line (peer input). The padding is left in place: the
 * payload chain says where the data ends. Returns 0, or -1.
 */
int ike_cbc_decrypt(struct ike_cbc *cbc, const struct ike_iv *iv,
    const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
    struct ike_iv *next);

/*
 * IV chain of one ISAKMP SA (RFC 2409 Appendix B). M-ID 0 is phase 1,
 * whose first IV is hash(g^xi | g^xr) truncated to the block size; each
 * later phase 1 message uses the last cipher block of the previous one.
 * Every other M-ID (Quick Mode, informational) starts from
 * hash(last phase 1 cipher block | M-ID) truncated, then chains the same
 * way. A bounded number of M-IDs is kept (least recently used dropped).
 * A retransmitted message must be recognised before decryption (it was
 * already decrypted with the IV that is now stale).
 */
/* A new chain for `keys` (borrowed for the call). NULL (logged) on error. */
struct ike_ivs *ike_ivs_new(const struct ike_keys *keys);
void ike_ivs_free(struct ike_ivs *ivs);
/*
 * The current IV for `mid` into *iv; for a new non-zero M-ID it is
 * derived from the phase 1 chain as it stands now (so phase 1 must be
 * complete). Returns 0, or -1 (logged).
 */
int ike_ivs_get(struct ike_ivs *ivs, uint32_t mid, struct ike_iv *iv);
/*
 * Commit the last cipher block of an accepted or sent message of `mid` as
 * its next IV. Returns 0, or -1 (logged: wrong length).
 */
int ike_ivs_set(struct ike_ivs *ivs, uint32_t mid, const struct ike_iv *next);
/* Forget a finished exchange's IV (mid != 0); unknown M-IDs are ignored. */
void ike_ivs_drop(struct ike_ivs *ivs, uint32_t mid);

/* Free the process-global caches (at exit, for leak checkers). */
void ike_crypto_cleanup(void);

#endif
