/*
 * crypto.c - IKEv1 key material over OpenSSL 3 EVP (RFC 2409 5, App. B).
 *
 * Cost notes (crypto-costs.md 1.2): the per-call EVP fetch and context set
 * up dominate the small PRF and CBC calls, so
 *  - the HMAC EVP_MAC is fetched once, and per digest one unkeyed
 *    EVP_MAC_CTX with the digest set (the digest fetch happens there) is
 *    kept; ike_prf_new() dups it and sets the key;
 *  - a `struct ike_prf` keeps its keyed context as a template, and each
 *    PRF call dups it (copies the HMAC pads: no key schedule, no fetch);
 *  - digests and ciphers are fetched once; `struct ike_cbc` keys its
 *    encrypt and decrypt contexts once, and each message only sets the IV.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "ikd/crypto.h"
#include "lib/log.h"

struct hash_info {
	enum ike_hash id;
	const char *name;		/* for logs */
	const char *mdname;		/* OpenSSL digest name */
	size_t len;
};

static const struct hash_info hashes[] = {
	{ IKE_HASH_SHA1, "sha1", "SHA1", 20 },
	{ IKE_HASH_SHA2_256, "sha2-256", "SHA2-256", 32 },
	{ IKE_HASH_SHA2_384, "sha2-384", "SHA2-384", 48 },
	{ IKE_HASH_SHA2_512, "sha2-512", "SHA2-512", 64 },
};

#define NHASHES		(sizeof(hashes) / sizeof(hashes[0]))

struct enc_info {
	enum ike_enc id;
	const char *name;
	const char *cipher;		/* OpenSSL cipher name */
	size_t key_len;
	size_t block_len;
};

static const struct enc_info encs[] = {
	{ IKE_ENC_3DES_CBC, "3des-cbc", "DES-EDE3-CBC", 24, 8 },
	{ IKE_ENC_AES128_CBC, "aes128-cbc", "AES-128-CBC", 16, 16 },
	{ IKE_ENC_AES192_CBC, "aes192-cbc", "AES-192-CBC", 24, 16 },
	{ IKE_ENC_AES256_CBC, "aes256-cbc", "AES-256-CBC", 32, 16 },
};

#define NENCS		(sizeof(encs) / sizeof(encs[0]))

/* Process-global caches, see "Cost notes". */
static EVP_MAC *hmac_mac;
static EVP_MAC_CTX *hmac_base[NHASHES];	/* unkeyed, digest set */
static EVP_MD *md_cache[NHASHES];
static EVP_CIPHER *cipher_cache[NENCS];

struct ike_prf {
	const struct hash_info *h;
	EVP_MAC_CTX *tmpl;		/* keyed */
};

struct ike_cbc {
	const struct enc_info *e;
	EVP_CIPHER_CTX *enc;		/* keyed, padding off */
	EVP_CIPHER_CTX *dec;
};

#define IKE_IVS_MAX	8		/* M-IDs tracked per ISAKMP SA */

struct ivs_entry {
	bool live;
	uint32_t mid;
	uint64_t used;			/* LRU stamp */
	struct ike_iv iv;
};

struct ike_ivs {
	const struct hash_info *h;
	size_t block_len;
	struct ike_iv p1;		/* phase 1 chain (M-ID 0) */
	struct ivs_entry e[IKE_IVS_MAX];
	uint64_t clock;
};

/* Log an OpenSSL failure once, with its reason, and clear the queue. */
static void
crypto_warn_ssl(const char *what)
{
	unsigned long e = ERR_peek_last_error();

	log_warnx("crypto: %s failed: %s", what,
	    e != 0 ? ERR_reason_error_string(e) : "unknown error");
	ERR_clear_error();
}

static const struct hash_info *
hash_lookup(enum ike_hash hash)
{
	size_t i;

	for (i = 0; i < NHASHES; i++)
		if (hashes[i].id == hash)
			return &hashes[i];
	return NULL;
}

static const struct enc_info *
enc_lookup(enum ike_enc enc)
{
	size_t i;

	for (i = 0; i < NENCS; i++)
		if (encs[i].id == enc)
			return &encs[i];
	return NULL;
}

const char *
ike_hash_name(enum ike_hash hash)
{
	const struct hash_info *h = hash_lookup(hash);

	return h != NULL ? h->name : "unknown";
}

const char *
ike_enc_name(enum ike_enc enc)
{
	const struct enc_info *e = enc_lookup(enc);

	return e != NULL ? e->name : "unknown";
}

bool
ike_hash_supported(enum ike_hash hash)
{
	return hash_lookup(hash) != NULL;
}

size_t
ike_hash_len(enum ike_hash hash)
{
	const struct hash_info *h = hash_lookup(hash);

	return h != NULL ? h->len : 0;
}

size_t
ike_enc_key_len(enum ike_enc enc)
{
	const struct enc_info *e = enc_lookup(enc);

	return e != NULL ? e->key_len : 0;
}

size_t
ike_enc_block_len(enum ike_enc enc)
{
	const struct enc_info *e = enc_lookup(enc);

	return e != NULL ? e->block_len : 0;
}

bool
ike_enc_from_attr(uint16_t alg, uint16_t key_bits, enum ike_enc *enc)
{
	switch (alg) {
	case 5:		/* 3DES-CBC, RFC 2409 App. A: fixed key length */
		if (key_bits != 0 && key_bits != 192)
			return false;
		*enc = IKE_ENC_3DES_CBC;
		return true;
	case 7:		/* AES-CBC: no default, Key Length required */
		switch (key_bits) {
		case 128:
			*enc = IKE_ENC_AES128_CBC;
			return true;
		case 192:
			*enc = IKE_ENC_AES192_CBC;
			return true;
		case 256:
			*enc = IKE_ENC_AES256_CBC;
			return true;
		}
		return false;
	}
	return false;
}

bool
ike_ct_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

struct ike_secret *
ike_secret_new(size_t len)
{
	struct ike_secret *s;

	if (len == 0 || len > SIZE_MAX - sizeof(*s)) {
		log_warnx("crypto: bad secret length %zu", len);
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s) + len)) == NULL) {
		log_warn("crypto: calloc");
		return NULL;
	}
	s->len = len;
	s->p = (uint8_t *)(s + 1);
	return s;
}

struct ike_secret *
ike_secret_copy(const void *p, size_t len)
{
	struct ike_secret *s;

	if ((s = ike_secret_new(len)) != NULL)
		memcpy(s->p, p, len);
	return s;
}

void
ike_secret_free(struct ike_secret *s)
{
	if (s == NULL)
		return;
	OPENSSL_cleanse(s->p, s->len);
	free(s);
}

/* The cached digest of `h`, fetched on first use. */
static EVP_MD *
md_get(const struct hash_info *h)
{
	EVP_MD **mdp = &md_cache[h - hashes];

	if (*mdp == NULL)
		*mdp = EVP_MD_fetch(NULL, h->mdname, NULL);
	return *mdp;
}

/* The cached unkeyed HMAC context for `h`, made on first use. */
static EVP_MAC_CTX *
hmac_base_get(const struct hash_info *h)
{
	EVP_MAC_CTX **ctxp = &hmac_base[h - hashes];
	OSSL_PARAM params[2];
	char mdname[16];

	if (*ctxp != NULL)
		return *ctxp;
	if (hmac_mac == NULL &&
	    (hmac_mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL)) == NULL)
		return NULL;
	/* OSSL_PARAM wants a mutable string; the table is const */
	if ((size_t)snprintf(mdname, sizeof(mdname), "%s", h->mdname) >=
	    sizeof(mdname))
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    mdname, 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((*ctxp = EVP_MAC_CTX_new(hmac_mac)) == NULL)
		return NULL;
	if (!EVP_MAC_CTX_set_params(*ctxp, params)) {
		EVP_MAC_CTX_free(*ctxp);
		*ctxp = NULL;
	}
	return *ctxp;
}

int
ike_hash_v(enum ike_hash hash, const struct ike_chunk *v, size_t n,
    uint8_t *out, size_t outlen)
{
	const struct hash_info *h;
	EVP_MD_CTX *ctx = NULL;
	EVP_MD *md;
	unsigned int len;
	size_t i;

	if ((h = hash_lookup(hash)) == NULL || outlen < h->len) {
		log_warnx("crypto: hash %d: unsupported or short output",
		    (int)hash);
		return -1;
	}
	if ((md = md_get(h)) == NULL || (ctx = EVP_MD_CTX_new()) == NULL ||
	    !EVP_DigestInit_ex2(ctx, md, NULL))
		goto fail;
	for (i = 0; i < n; i++)
		if (v[i].len > 0 && !EVP_DigestUpdate(ctx, v[i].p, v[i].len))
			goto fail;
	if (!EVP_DigestFinal_ex(ctx, out, &len) || len != h->len)
		goto fail;
	EVP_MD_CTX_free(ctx);
	return 0;
fail:
	crypto_warn_ssl(h->name);
	EVP_MD_CTX_free(ctx);
	return -1;
}

struct ike_prf *
ike_prf_new(enum ike_hash hash, const uint8_t *key, size_t keylen)
{
	const struct hash_info *h;
	struct ike_prf *prf;
	EVP_MAC_CTX *base;

	if ((h = hash_lookup(hash)) == NULL) {
		log_warnx("crypto: prf: unsupported hash %d", (int)hash);
		return NULL;
	}
	if (keylen == 0) {
		log_warnx("crypto: prf %s: empty key", h->name);
		return NULL;
	}
	if ((prf = calloc(1, sizeof(*prf))) == NULL) {
		log_warn("crypto: calloc");
		return NULL;
	}
	prf->h = h;
	if ((base = hmac_base_get(h)) == NULL ||
	    (prf->tmpl = EVP_MAC_CTX_dup(base)) == NULL ||
	    !EVP_MAC_init(prf->tmpl, key, keylen, NULL)) {
		crypto_warn_ssl("prf key setup");
		ike_prf_free(prf);
		return NULL;
	}
	return prf;
}

void
ike_prf_free(struct ike_prf *prf)
{
	if (prf == NULL)
		return;
	EVP_MAC_CTX_free(prf->tmpl);	/* clears the HMAC key pads */
	free(prf);
}

size_t
ike_prf_len(const struct ike_prf *prf)
{
	return prf->h->len;
}

int
ike_prf_v(const struct ike_prf *prf, const struct ike_chunk *v, size_t n,
    uint8_t *out, size_t outlen)
{
	EVP_MAC_CTX *ctx;
	size_t i, len;

	if (outlen < prf->h->len) {
		log_warnx("crypto: prf %s: output buffer of %zu bytes",
		    prf->h->name, outlen);
		return -1;
	}
	if ((ctx = EVP_MAC_CTX_dup(prf->tmpl)) == NULL)
		goto fail;
	for (i = 0; i < n; i++)
		if (v[i].len > 0 && !EVP_MAC_update(ctx, v[i].p, v[i].len))
			goto fail;
	if (!EVP_MAC_final(ctx, out, &len, outlen) || len != prf->h->len)
		goto fail;
	EVP_MAC_CTX_free(ctx);
	return 0;
fail:
	crypto_warn_ssl("prf");
	EVP_MAC_CTX_free(ctx);
	return -1;
}

int
ike_prf(const struct ike_prf *prf, const uint8_t *data, size_t len,
    uint8_t *out, size_t outlen)
{
	struct ike_chunk c = { data, len };

	return ike_prf_v(prf, &c, 1, out, outlen);
}

/* prf(v...) into a new secret of the PRF's length. */
static struct ike_secret *
prf_secret(const struct ike_prf *prf, const struct ike_chunk *v, size_t n)
{
	struct ike_secret *s;

	if ((s = ike_secret_new(prf->h->len)) == NULL)
		return NULL;
	if (ike_prf_v(prf, v, n, s->p, s->len) == -1) {
		ike_secret_free(s);
		return NULL;
	}
	return s;
}

struct ike_secret *
ike_skeyid_psk(enum ike_hash hash, const uint8_t *psk, size_t psk_len,
    const uint8_t *ni_b, size_t ni_len, const uint8_t *nr_b, size_t nr_len)
{
	struct ike_chunk v[] = { { ni_b, ni_len }, { nr_b, nr_len } };
	struct ike_secret *s;
	struct ike_prf *prf;

	/* RFC 2409 5.4: SKEYID = prf(pre-shared-key, Ni_b | Nr_b) */
	if ((prf = ike_prf_new(hash, psk, psk_len)) == NULL)
		return NULL;
	s = prf_secret(prf, v, 2);
	ike_prf_free(prf);
	return s;
}

struct ike_secret *
ike_skeyid_sig(enum ike_hash hash, const uint8_t *ni_b, size_t ni_len,
    const uint8_t *nr_b, size_t nr_len, const struct ike_secret *gxy)
{
	struct ike_chunk v = { gxy->p, gxy->len };
	struct ike_secret *key, *s = NULL;
	struct ike_prf *prf;

	/* RFC 2409 5.1: SKEYID = prf(Ni_b | Nr_b, g^xy) */
	if (ni_len > IKE_CBC_MAX || nr_len > IKE_CBC_MAX) {
		log_warnx("crypto: nonces too long");
		return NULL;
	}
	if ((key = ike_secret_new(ni_len + nr_len)) == NULL)
		return NULL;
	memcpy(key->p, ni_b, ni_len);
	memcpy(key->p + ni_len, nr_b, nr_len);
	if ((prf = ike_prf_new(hash, key->p, key->len)) != NULL)
		s = prf_secret(prf, &v, 1);
	ike_prf_free(prf);
	ike_secret_free(key);
	return s;
}

/*
 * RFC 2409 Appendix B: Ka from SKEYID_e. Its first key_len bytes when it
 * is long enough, else Ka = K1 | K2 | ... with K1 = prf(SKEYID_e, 0) and
 * Ki+1 = prf(SKEYID_e, Ki), truncated to key_len.
 */
static struct ike_secret *
keys_expand_ka(const struct hash_info *h, const struct ike_secret *skeyid_e,
    size_t key_len)
{
	static const uint8_t zero = 0;
	uint8_t k[IKE_HASH_MAX];
	struct ike_chunk v;
	struct ike_secret *ka;
	struct ike_prf *prf;
	size_t off, n;

	if (skeyid_e->len >= key_len)
		return ike_secret_copy(skeyid_e->p, key_len);
	if ((ka = ike_secret_new(key_len)) == NULL)
		return NULL;
	if ((prf = ike_prf_new(h->id, skeyid_e->p, skeyid_e->len)) == NULL)
		goto fail;
	v.p = &zero;
	v.len = 1;
	for (off = 0; off < key_len; off += n) {
		if (ike_prf_v(prf, &v, 1, k, sizeof(k)) == -1)
			goto fail;
		n = key_len - off < h->len ? key_len - off : h->len;
		memcpy(ka->p + off, k, n);
		v.p = k;
		v.len = h->len;
	}
	OPENSSL_cleanse(k, sizeof(k));
	ike_prf_free(prf);
	return ka;
fail:
	OPENSSL_cleanse(k, sizeof(k));
	ike_prf_free(prf);
	ike_secret_free(ka);
	return NULL;
}

/* RFC 2409 5: prf(SKEYID, [prev |] g^xy | CKY-I | CKY-R | c) */
static struct ike_secret *
keys_skeyid_x(const struct ike_keys *k, const struct ike_secret *prev,
    const struct ike_secret *gxy, uint8_t c)
{
	struct ike_chunk v[5];
	size_t n = 0;

	if (prev != NULL) {
		v[n].p = prev->p;
		v[n++].len = prev->len;
	}
	v[n].p = gxy->p;
	v[n++].len = gxy->len;
	v[n].p = k->cky_i;
	v[n++].len = IKE_COOKIE_LEN;
	v[n].p = k->cky_r;
	v[n++].len = IKE_COOKIE_LEN;
	v[n].p = &c;
	v[n++].len = 1;
	return prf_secret(k->prf_skeyid, v, n);
}

struct ike_keys *
ike_keys_new(const struct ike_p1_input *in, const struct ike_secret *skeyid)
{
	const struct hash_info *h;
	const struct enc_info *e;
	struct ike_keys *k;

	if ((h = hash_lookup(in->hash)) == NULL ||
	    (e = enc_lookup(in->enc)) == NULL) {
		log_warnx("crypto: unsupported hash %d or cipher %d",
		    (int)in->hash, (int)in->enc);
		return NULL;
	}
	if (in->cky_i == NULL || in->cky_r == NULL || in->gxy == NULL ||
	    skeyid == NULL || in->gxi == NULL || in->gxi_len == 0 ||
	    in->gxi_len > IKE_KE_MAX || in->gxr == NULL || in->gxr_len == 0 ||
	    in->gxr_len > IKE_KE_MAX) {
		log_warnx("crypto: bad phase 1 key input");
		return NULL;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		log_warn("crypto: calloc");
		return NULL;
	}
	k->hash = in->hash;
	k->enc = in->enc;
	memcpy(k->cky_i, in->cky_i, IKE_COOKIE_LEN);
	memcpy(k->cky_r, in->cky_r, IKE_COOKIE_LEN);
	memcpy(k->gxi, in->gxi, in->gxi_len);
	k->gxi_len = in->gxi_len;
	memcpy(k->gxr, in->gxr, in->gxr_len);
	k->gxr_len = in->gxr_len;

	k->auth_hash = h->id;
	if ((k->skeyid = ike_secret_copy(skeyid->p, skeyid->len)) == NULL ||
	    (k->prf_skeyid = ike_prf_new(h->id, skeyid->p,
	    skeyid->len)) == NULL)
		goto fail;
	/*
	 * RFC 2409 5:
	 *   SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0)
	 *   SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1)
	 *   SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2)
	 */
	if ((k->skeyid_d = keys_skeyid_x(k, NULL, in->gxy, 0)) == NULL ||
	    (k->skeyid_a = keys_skeyid_x(k, k->skeyid_d, in->gxy,
	    1)) == NULL ||
	    (k->skeyid_e = keys_skeyid_x(k, k->skeyid_a, in->gxy, 2)) == NULL)
		goto fail;
	/* XXX RFC 2409 App. B weak-key check for 3DES: odds 2^-52, skipped */
	if ((k->ka = keys_expand_ka(h, k->skeyid_e, e->key_len)) == NULL ||
	    (k->cbc = ike_cbc_new(e->id, k->ka->p, k->ka->len)) == NULL ||
	    (k->prf_a = ike_prf_new(h->id, k->skeyid_a->p,
	    k->skeyid_a->len)) == NULL ||
	    (k->prf_d = ike_prf_new(h->id, k->skeyid_d->p,
	    k->skeyid_d->len)) == NULL)
		goto fail;
	return k;
fail:
	ike_keys_free(k);
	return NULL;
}

void
ike_keys_free(struct ike_keys *k)
{
	if (k == NULL)
		return;
	ike_secret_free(k->skeyid);
	ike_secret_free(k->skeyid_d);
	ike_secret_free(k->skeyid_a);
	ike_secret_free(k->skeyid_e);
	ike_secret_free(k->ka);
	ike_cbc_free(k->cbc);
	ike_prf_free(k->prf_skeyid);
	ike_prf_free(k->prf_a);
	ike_prf_free(k->prf_d);
	free(k);
}

size_t
ike_keys_hash_len(const struct ike_keys *k)
{
	return ike_hash_len(k->hash);
}

int
ike_keys_auth_hash(struct ike_keys *k, enum ike_hash hash)
{
	struct ike_prf *p;

	if ((p = ike_prf_new(hash, k->skeyid->p, k->skeyid->len)) == NULL)
		return -1;
	ike_prf_free(k->prf_skeyid);
	k->prf_skeyid = p;
	k->auth_hash = hash;
	return 0;
}

size_t
ike_keys_auth_len(const struct ike_keys *k)
{
	return ike_hash_len(k->auth_hash);
}

int
ike_hash_i(const struct ike_keys *k, const uint8_t *sai_b, size_t sai_len,
    const uint8_t *idii_b, size_t idii_len, uint8_t *out, size_t outlen)
{
	/* RFC 2409 5: prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b) */
	struct ike_chunk v[] = {
		{ k->gxi, k->gxi_len }, { k->gxr, k->gxr_len },
		{ k->cky_i, IKE_COOKIE_LEN }, { k->cky_r, IKE_COOKIE_LEN },
		{ sai_b, sai_len }, { idii_b, idii_len }
	};

	return ike_prf_v(k->prf_skeyid, v, 6, out, outlen);
}

int
ike_hash_r(const struct ike_keys *k, const uint8_t *sai_b, size_t sai_len,
    const uint8_t *idir_b, size_t idir_len, uint8_t *out, size_t outlen)
{
	/* RFC 2409 5: prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b) */
	struct ike_chunk v[] = {
		{ k->gxr, k->gxr_len }, { k->gxi, k->gxi_len },
		{ k->cky_r, IKE_COOKIE_LEN }, { k->cky_i, IKE_COOKIE_LEN },
		{ sai_b, sai_len }, { idir_b, idir_len }
	};

	return ike_prf_v(k->prf_skeyid, v, 6, out, outlen);
}

static void
put_mid(uint8_t b[4], uint32_t mid)
{
	b[0] = (uint8_t)(mid >> 24);
	b[1] = (uint8_t)(mid >> 16);
	b[2] = (uint8_t)(mid >> 8);
	b[3] = (uint8_t)mid;
}

int
ike_qm_hash1(const struct ike_keys *k, uint32_t mid, const uint8_t *rest,
    size_t rest_len, uint8_t *out, size_t outlen)
{
	uint8_t m[4];
	struct ike_chunk v[] = { { m, 4 }, { rest, rest_len } };

	/* RFC 2409 5.5: HASH(1) = prf(SKEYID_a, M-ID | rest) */
	put_mid(m, mid);
	return ike_prf_v(k->prf_a, v, 2, out, outlen);
}

int
ike_qm_hash2(const struct ike_keys *k, uint32_t mid, const uint8_t *ni_b,
    size_t ni_len, const uint8_t *rest, size_t rest_len, uint8_t *out,
    size_t outlen)
{
	uint8_t m[4];
	struct ike_chunk v[] = {
		{ m, 4 }, { ni_b, ni_len }, { rest, rest_len }
	};

	/* RFC 2409 5.5: HASH(2) = prf(SKEYID_a, M-ID | Ni_b | rest) */
	put_mid(m, mid);
	return ike_prf_v(k->prf_a, v, 3, out, outlen);
}

int
ike_qm_hash3(const struct ike_keys *k, uint32_t mid, const uint8_t *ni_b,
    size_t ni_len, const uint8_t *nr_b, size_t nr_len, uint8_t *out,
    size_t outlen)
{
	static const uint8_t zero = 0;
	uint8_t m[4];
	struct ike_chunk v[] = {
		{ &zero, 1 }, { m, 4 }, { ni_b, ni_len }, { nr_b, nr_len }
	};

	/* RFC 2409 5.5: HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b) */
	put_mid(m, mid);
	return ike_prf_v(k->prf_a, v, 4, out, outlen);
}

int
ike_info_hash(const struct ike_keys *k, uint32_t mid, const uint8_t *body,
    size_t body_len, uint8_t *out, size_t outlen)
{
	/* RFC 2409 5.7: HASH(1) = prf(SKEYID_a, M-ID | N/D) */
	return ike_qm_hash1(k, mid, body, body_len, out, outlen);
}

struct ike_secret *
ike_keymat(const struct ike_keys *k, const struct ike_secret *gqmxy,
    uint8_t protocol, const uint8_t *spi, size_t spi_len,
    const uint8_t *ni_b, size_t ni_len, const uint8_t *nr_b, size_t nr_len,
    size_t len)
{
	uint8_t kprev[IKE_HASH_MAX];
	struct ike_chunk v[6];
	struct ike_secret *out;
	size_t hlen, off, n, nv;

	if (len == 0 || len > IKE_KEYMAT_MAX || spi == NULL || spi_len == 0) {
		log_warnx("crypto: keymat: bad length %zu or SPI", len);
		return NULL;
	}
	if ((out = ike_secret_new(len)) == NULL)
		return NULL;
	hlen = ike_prf_len(k->prf_d);
	/*
	 * RFC 2409 5.5: K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI |
	 * Ni_b | Nr_b), Ki+1 = prf(SKEYID_d, Ki | [g(qm)^xy |] protocol |
	 * SPI | Ni_b | Nr_b)
	 */
	for (off = 0; off < len; off += n) {
		nv = 0;
		if (off > 0) {
			v[nv].p = kprev;
			v[nv++].len = hlen;
		}
		if (gqmxy != NULL) {
			v[nv].p = gqmxy->p;
			v[nv++].len = gqmxy->len;
		}
		v[nv].p = &protocol;
		v[nv++].len = 1;
		v[nv].p = spi;
		v[nv++].len = spi_len;
		v[nv].p = ni_b;
		v[nv++].len = ni_len;
		v[nv].p = nr_b;
		v[nv++].len = nr_len;
		if (ike_prf_v(k->prf_d, v, nv, kprev, sizeof(kprev)) == -1) {
			OPENSSL_cleanse(kprev, sizeof(kprev));
			ike_secret_free(out);
			return NULL;
		}
		n = len - off < hlen ? len - off : hlen;
		memcpy(out->p + off, kprev, n);
	}
	OPENSSL_cleanse(kprev, sizeof(kprev));
	return out;
}

/* The cached cipher of `e`, fetched on first use. */
static EVP_CIPHER *
cipher_get(const struct enc_info *e)
{
	EVP_CIPHER **cp = &cipher_cache[e - encs];

	if (*cp == NULL)
		*cp = EVP_CIPHER_fetch(NULL, e->cipher, NULL);
	return *cp;
}

struct ike_cbc *
ike_cbc_new(enum ike_enc enc, const uint8_t *key, size_t keylen)
{
	const struct enc_info *e;
	struct ike_cbc *cbc;
	EVP_CIPHER *cipher;

	if ((e = enc_lookup(enc)) == NULL || keylen != e->key_len) {
		log_warnx("crypto: cbc: unsupported cipher %d or key length "
		    "%zu", (int)enc, keylen);
		return NULL;
	}
	if ((cbc = calloc(1, sizeof(*cbc))) == NULL) {
		log_warn("crypto: calloc");
		return NULL;
	}
	cbc->e = e;
	if ((cipher = cipher_get(e)) == NULL ||
	    (size_t)EVP_CIPHER_get_key_length(cipher) != e->key_len ||
	    (size_t)EVP_CIPHER_get_block_size(cipher) != e->block_len ||
	    (cbc->enc = EVP_CIPHER_CTX_new()) == NULL ||
	    (cbc->dec = EVP_CIPHER_CTX_new()) == NULL ||
	    !EVP_EncryptInit_ex2(cbc->enc, cipher, key, NULL, NULL) ||
	    !EVP_DecryptInit_ex2(cbc->dec, cipher, key, NULL, NULL) ||
	    !EVP_CIPHER_CTX_set_padding(cbc->enc, 0) ||
	    !EVP_CIPHER_CTX_set_padding(cbc->dec, 0)) {
		crypto_warn_ssl(e->name);
		ike_cbc_free(cbc);
		return NULL;
	}
	return cbc;
}

void
ike_cbc_free(struct ike_cbc *cbc)
{
	if (cbc == NULL)
		return;
	EVP_CIPHER_CTX_free(cbc->enc);	/* clears the key schedule */
	EVP_CIPHER_CTX_free(cbc->dec);
	free(cbc);
}

size_t
ike_cbc_block_len(const struct ike_cbc *cbc)
{
	return cbc->e->block_len;
}

size_t
ike_cbc_padded_len(const struct ike_cbc *cbc, size_t plain_len)
{
	size_t bs = cbc->e->block_len;

	if (plain_len > IKE_CBC_MAX)
		return 0;
	/* at least one pad byte: a full block of zeros when aligned */
	return plain_len + (bs - plain_len % bs);
}

int
ike_cbc_encrypt(struct ike_cbc *cbc, const struct ike_iv *iv,
    const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
    size_t *out_len, struct ike_iv *next)
{
	size_t bs = cbc->e->block_len, total, full;
	uint8_t last[IKE_BLOCK_MAX];
	int n;

	total = ike_cbc_padded_len(cbc, in_len);
	if (total == 0 || out_cap < total || iv->len != bs) {
		log_warnx("crypto: %s encrypt: %zu bytes into %zu, IV %zu",
		    cbc->e->name, in_len, out_cap, iv->len);
		return -1;
	}
	/* the tail plus zero padding, copied before out (maybe = in) moves */
	full = in_len - in_len % bs;
	memset(last, 0, sizeof(last));
	if (in_len > full)
		memcpy(last, in + full, in_len - full);
	if (!EVP_EncryptInit_ex2(cbc->enc, NULL, NULL, iv->b, NULL))
		goto fail;
	if (full > 0 && (!EVP_EncryptUpdate(cbc->enc, out, &n, in, (int)full) ||
	    (size_t)n != full))
		goto fail;
	if (!EVP_EncryptUpdate(cbc->enc, out + full, &n, last, (int)bs) ||
	    (size_t)n != bs)
		goto fail;
	OPENSSL_cleanse(last, sizeof(last));
	/* RFC 2409 App. B: the last cipher block is the next IV */
	memcpy(next->b, out + total - bs, bs);
	next->len = bs;
	*out_len = total;
	return 0;
fail:
	OPENSSL_cleanse(last, sizeof(last));
	crypto_warn_ssl("cbc encrypt");
	return -1;
}

int
ike_cbc_decrypt(struct ike_cbc *cbc, const struct ike_iv *iv,
    const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
    struct ike_iv *next)
{
	size_t bs = cbc->e->block_len;
	uint8_t last[IKE_BLOCK_MAX];
	int n;

	if (in_len == 0 || in_len % bs != 0 || in_len > IKE_CBC_MAX) {
		log_debug("crypto: %s decrypt: %zu bytes is not a positive "
		    "multiple of the block size", cbc->e->name, in_len);
		return -1;
	}
	if (out_cap < in_len || iv->len != bs) {
		log_warnx("crypto: %s decrypt: %zu bytes into %zu, IV %zu",
		    cbc->e->name, in_len, out_cap, iv->len);
		return -1;
	}
	/* saved before out (maybe = in) is overwritten */
	memcpy(last, in + in_len - bs, bs);
	if (!EVP_DecryptInit_ex2(cbc->dec, NULL, NULL, iv->b, NULL) ||
	    !EVP_DecryptUpdate(cbc->dec, out, &n, in, (int)in_len) ||
	    (size_t)n != in_len) {
		crypto_warn_ssl("cbc decrypt");
		return -1;
	}
	memcpy(next->b, last, bs);
	next->len = bs;
	return 0;
}

struct ike_ivs *
ike_ivs_new(const struct ike_keys *k)
{
	struct ike_chunk v[] = { { k->gxi, k->gxi_len },
	    { k->gxr, k->gxr_len } };
	uint8_t h[IKE_HASH_MAX];
	struct ike_ivs *ivs;

	if ((ivs = calloc(1, sizeof(*ivs))) == NULL) {
		log_warn("crypto: calloc");
		return NULL;
	}
	ivs->h = hash_lookup(k->hash);
	ivs->block_len = ike_enc_block_len(k->enc);
	/* RFC 2409 App. B: phase 1 IV = hash(g^xi | g^xr), truncated */
	if (ivs->h == NULL || ivs->block_len == 0 ||
	    ivs->block_len > ivs->h->len ||
	    ike_hash_v(k->hash, v, 2, h, sizeof(h)) == -1) {
		free(ivs);
		return NULL;
	}
	memcpy(ivs->p1.b, h, ivs->block_len);
	ivs->p1.len = ivs->block_len;
	return ivs;
}

void
ike_ivs_free(struct ike_ivs *ivs)
{
	free(ivs);
}

static struct ivs_entry *
ivs_find(struct ike_ivs *ivs, uint32_t mid)
{
	size_t i;

	for (i = 0; i < IKE_IVS_MAX; i++)
		if (ivs->e[i].live && ivs->e[i].mid == mid)
			return &ivs->e[i];
	return NULL;
}

/* A slot for a new M-ID: a free one, else the least recently used. */
static struct ivs_entry *
ivs_slot(struct ike_ivs *ivs, uint32_t mid)
{
	struct ivs_entry *e = &ivs->e[0];
	size_t i;

	for (i = 0; i < IKE_IVS_MAX; i++) {
		if (!ivs->e[i].live) {
			e = &ivs->e[i];
			break;
		}
		if (ivs->e[i].used < e->used)
			e = &ivs->e[i];
	}
	if (e->live)
		log_debug("crypto: IV of M-ID 0x%08x dropped for 0x%08x",
		    e->mid, mid);
	memset(e, 0, sizeof(*e));
	e->live = true;
	e->mid = mid;
	return e;
}

int
ike_ivs_get(struct ike_ivs *ivs, uint32_t mid, struct ike_iv *iv)
{
	uint8_t m[4], h[IKE_HASH_MAX];
	struct ike_chunk v[] = { { ivs->p1.b, ivs->p1.len }, { m, 4 } };
	struct ivs_entry *e;

	if (mid == 0) {
		*iv = ivs->p1;
		return 0;
	}
	if ((e = ivs_find(ivs, mid)) == NULL) {
		/* RFC 2409 App. B: hash(last phase 1 block | M-ID) */
		put_mid(m, mid);
		if (ike_hash_v(ivs->h->id, v, 2, h, sizeof(h)) == -1)
			return -1;
		e = ivs_slot(ivs, mid);
		memcpy(e->iv.b, h, ivs->block_len);
		e->iv.len = ivs->block_len;
	}
	e->used = ++ivs->clock;
	*iv = e->iv;
	return 0;
}

int
ike_ivs_set(struct ike_ivs *ivs, uint32_t mid, const struct ike_iv *next)
{
	struct ivs_entry *e;

	if (next->len != ivs->block_len) {
		log_warnx("crypto: IV of %zu bytes, want %zu", next->len,
		    ivs->block_len);
		return -1;
	}
	if (mid == 0) {
		ivs->p1 = *next;
		return 0;
	}
	if ((e = ivs_find(ivs, mid)) == NULL)
		e = ivs_slot(ivs, mid);
	e->iv = *next;
	e->used = ++ivs->clock;
	return 0;
}

void
ike_ivs_drop(struct ike_ivs *ivs, uint32_t mid)
{
	struct ivs_entry *e;

	if (mid != 0 && (e = ivs_find(ivs, mid)) != NULL)
		memset(e, 0, sizeof(*e));
}

void
ike_crypto_cleanup(void)
{
	size_t i;

	for (i = 0; i < NHASHES; i++) {
		EVP_MAC_CTX_free(hmac_base[i]);
		hmac_base[i] = NULL;
		EVP_MD_free(md_cache[i]);
		md_cache[i] = NULL;
	}
	for (i = 0; i < NENCS; i++) {
		EVP_CIPHER_free(cipher_cache[i]);
		cipher_cache[i] = NULL;
	}
	EVP_MAC_free(hmac_mac);
	hmac_mac = NULL;
}
