/*
 * dh.c - Diffie-Hellman for IKEv1 over OpenSSL 3 EVP_PKEY.
 *
 * Private exponent length (MODP), NIST SP 800-56A rev3 5.6.1.1 for
 * safe-prime groups: x in [1, 2^N - 1] with 2s <= N, s the security
 * strength of the group (SP 800-57 part 1 table 2; SP 800-56A rev3
 * appendix D for MODP-4096; 1536 bits is in neither, RFC 3526 8 estimates
 * 90-120 and OpenSSL refuses N = 160 for it). A full-length exponent buys
 * nothing against the best attacks (Pollard lambda on x costs 2^(N/2);
 * the index calculus on p does not depend on N) and costs 3-7 times the
 * CPU (crypto-costs.md 1.2):
 *
 *	group	prime	s	N (bits)
 *	2	1024	80	160	the 2 x 80 minimum
 *	5	1536	96	192
 *	14	2048	112	224
 *	15	3072	128	256
 *	16	4096	152	304
 *
 * N is set as OSSL_PKEY_PARAM_DH_PRIV_LEN on the key generation context
 * (set on the domain parameters it is silently ignored). OpenSSL then
 * draws the key below 2^N (groups 5-16, which it recognises as the RFC
 * 3526 named groups and for which it also requires N >= 2s by its own
 * strength table) or as exactly N bits (group 2, for which it knows no q).
 *
 * Peer validation, RFC 6989 2.2 (MODP): all five primes are safe primes,
 * p = 2q + 1 with q prime (RFC 2409 6.2, RFC 3526; tests/vectors/modp-dh.txt
 * was made by a script that checks it). The subgroups of Z_p* therefore
 * have orders 1, 2, q and 2q, and the only small ones are {1} and
 * {1, p-1}. Checking 1 < y < p-1 rejects exactly their non-trivial
 * elements (y = 1, y = p-1) as well as 0 and values >= p. What it lets
 * through besides the order-q subgroup (where g = 2 and honest values
 * live, as p = 7 mod 8 makes 2 a quadratic residue) is the elements of
 * order 2q; raising one to our x reveals only x mod 2 (its Legendre
 * symbol), one bit of a one-time exponent we discard after this exchange.
 * So the full check y^q = 1 (a modexp dearer than the derive itself, as
 * it uses the full-length q; OpenSSL runs it for groups 5-16, whose q it
 * knows, under the default EVP_PKEY_derive_set_peer) buys nothing here:
 * we call EVP_PKEY_derive_set_peer_ex(ctx, peer, 0) after our own range
 * check.
 * (crypto-costs.md says the range check "leaves only the order-2 element":
 * it removes it, and what it leaves, order-2q elements, leaks one bit.)
 *
 * ECP (RFC 6989 2.3): P-256 and P-384 have cofactor 1, so a point with
 * coordinates below p that lies on the curve and is not the point at
 * infinity is in the prime-order group. OpenSSL checks range and curve
 * equation when it imports the point (EVP_PKEY_fromdata); we add
 * EVP_PKEY_public_check_quick (the same checks plus infinity; about 10 us
 * on a P-256 derive of about 100) so that the property does not hang on
 * import internals.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>

#include "ikd/dh.h"
#include "lib/log.h"

enum dh_kind {
	DH_KIND_MODP,
	DH_KIND_ECP
};

struct dh_group_info {
	uint16_t id;
	const char *name;
	enum dh_kind kind;
	size_t pub_len;			/* KE payload data */
	size_t secret_len;		/* g^xy */
	int priv_bits;			/* MODP: N in the table above */
	BIGNUM *(*prime)(BIGNUM *);	/* MODP: RFC 2409 6.2 / RFC 3526 */
	const char *curve;		/* ECP: OpenSSL group name */
};

static const struct dh_group_info dh_groups[] = {
	{ IKE_DH_MODP1024, "modp1024", DH_KIND_MODP, 128, 128, 160,
	    BN_get_rfc2409_prime_1024, NULL },
	{ IKE_DH_MODP1536, "modp1536", DH_KIND_MODP, 192, 192, 192,
	    BN_get_rfc3526_prime_1536, NULL },
	{ IKE_DH_MODP2048, "modp2048", DH_KIND_MODP, 256, 256, 224,
	    BN_get_rfc3526_prime_2048, NULL },
	{ IKE_DH_MODP3072, "modp3072", DH_KIND_MODP, 384, 384, 256,
	    BN_get_rfc3526_prime_3072, NULL },
	{ IKE_DH_MODP4096, "modp4096", DH_KIND_MODP, 512, 512, 304,
	    BN_get_rfc3526_prime_4096, NULL },
	/* RFC 5903 7: x | y, each of the field size; secret = x */
	{ IKE_DH_ECP256, "ecp256", DH_KIND_ECP, 64, 32, 0, NULL, "P-256" },
	{ IKE_DH_ECP384, "ecp384", DH_KIND_ECP, 96, 48, 0, NULL, "P-384" },
};

#define DH_NGROUPS	(sizeof(dh_groups) / sizeof(dh_groups[0]))

/* Per group, made on first use and kept: see "Caches" in dh.h. */
struct dh_cache {
	EVP_PKEY *params;		/* domain parameters */
	EVP_PKEY_CTX *keygen;		/* keygen-initialised, priv_len set */
	BIGNUM *p;			/* MODP prime */
	BIGNUM *pm1;			/* p - 1 */
};

static struct dh_cache dh_cache[DH_NGROUPS];
static BIGNUM *dh_g;			/* 2 */
static EVP_PKEY_CTX *dh_import_ctx[2];	/* fromdata contexts, per kind */

struct ike_dh {
	const struct dh_group_info *grp;
	EVP_PKEY *key;
	uint8_t pub[IKE_DH_PUB_MAX];
};

/* Log an OpenSSL failure once, with its reason, and clear the queue. */
static void
dh_warn_ssl(const struct dh_group_info *grp, const char *what)
{
	unsigned long e = ERR_peek_last_error();

	log_warnx("dh %s: %s failed: %s", grp != NULL ? grp->name : "-", what,
	    e != 0 ? ERR_reason_error_string(e) : "unknown error");
	ERR_clear_error();
}

static const struct dh_group_info *
dh_group_lookup(uint16_t group)
{
	size_t i;

	for (i = 0; i < DH_NGROUPS; i++)
		if (dh_groups[i].id == group)
			return &dh_groups[i];
	return NULL;
}

bool
dh_group_supported(uint16_t group)
{
	return dh_group_lookup(group) != NULL;
}

const char *
dh_group_name(uint16_t group)
{
	const struct dh_group_info *grp = dh_group_lookup(group);

	return grp != NULL ? grp->name : "unknown";
}

size_t
dh_group_public_len(uint16_t group)
{
	const struct dh_group_info *grp = dh_group_lookup(group);

	return grp != NULL ? grp->pub_len : 0;
}

int
dh_group_private_bits(uint16_t group)
{
	const struct dh_group_info *grp = dh_group_lookup(group);

	return grp != NULL ? grp->priv_bits : 0;
}

static EVP_PKEY_CTX *
dh_import_ctx_get(const struct dh_group_info *grp)
{
	EVP_PKEY_CTX **ctxp = &dh_import_ctx[grp->kind];

	if (*ctxp == NULL)
		*ctxp = EVP_PKEY_CTX_new_from_name(NULL,
		    grp->kind == DH_KIND_MODP ? "DH" : "EC", NULL);
	if (*ctxp == NULL || EVP_PKEY_fromdata_init(*ctxp) <= 0)
		return NULL;
	return *ctxp;
}

/*
 * Build an EVP_PKEY of `grp` from the parts given (any may be NULL):
 * private value, public value (MODP: BIGNUM in pub_bn; ECP: encoded point
 * in pub_oct). selection as for EVP_PKEY_fromdata. NULL on failure, with
 * the OpenSSL error queue left for the caller.
 */
static EVP_PKEY *
dh_pkey_fromdata(const struct dh_group_info *grp, const struct dh_cache *c,
    const BIGNUM *priv, const BIGNUM *pub_bn, const uint8_t *pub_oct,
    size_t pub_oct_len, int selection)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *pkey = NULL;

	if ((bld = OSSL_PARAM_BLD_new()) == NULL)
		goto done;
	if (grp->kind == DH_KIND_MODP) {
		if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, c->p) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, dh_g))
			goto done;
		if (pub_bn != NULL && !OSSL_PARAM_BLD_push_BN(bld,
		    OSSL_PKEY_PARAM_PUB_KEY, pub_bn))
			goto done;
	} else {
		if (!OSSL_PARAM_BLD_push_utf8_string(bld,
		    OSSL_PKEY_PARAM_GROUP_NAME, grp->curve, 0))
			goto done;
		if (pub_oct != NULL && !OSSL_PARAM_BLD_push_octet_string(bld,
		    OSSL_PKEY_PARAM_PUB_KEY, pub_oct, pub_oct_len))
			goto done;
	}
	if (priv != NULL && !OSSL_PARAM_BLD_push_BN(bld,
	    OSSL_PKEY_PARAM_PRIV_KEY, priv))
		goto done;
	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		goto done;
	if ((ctx = dh_import_ctx_get(grp)) == NULL)
		goto done;
	if (EVP_PKEY_fromdata(ctx, &pkey, selection, params) <= 0)
		pkey = NULL;
done:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

/* The cache entry of `grp`, created on first use; NULL (logged) on error. */
static struct dh_cache *
dh_cache_get(const struct dh_group_info *grp)
{
	struct dh_cache *c = &dh_cache[grp - dh_groups];
	OSSL_PARAM params[2];
	int priv_bits;

	if (c->keygen != NULL)
		return c;
	if (grp->kind == DH_KIND_MODP) {
		if (dh_g == NULL) {
			if ((dh_g = BN_new()) == NULL ||
			    !BN_set_word(dh_g, 2)) {
				BN_free(dh_g);
				dh_g = NULL;
				goto fail;
			}
		}
		if (c->p == NULL && (c->p = grp->prime(NULL)) == NULL)
			goto fail;
		if (c->pm1 == NULL) {
			if ((c->pm1 = BN_dup(c->p)) == NULL ||
			    !BN_sub_word(c->pm1, 1))
				goto fail;
		}
	}
	if (c->params == NULL && (c->params = dh_pkey_fromdata(grp, c, NULL,
	    NULL, NULL, 0, EVP_PKEY_KEY_PARAMETERS)) == NULL)
		goto fail;
	if ((c->keygen = EVP_PKEY_CTX_new_from_pkey(NULL, c->params,
	    NULL)) == NULL || EVP_PKEY_keygen_init(c->keygen) <= 0)
		goto fail;
	if (grp->kind == DH_KIND_MODP) {
		/* SP 800-56A exponent length: on the keygen ctx, see above */
		priv_bits = grp->priv_bits;
		params[0] = OSSL_PARAM_construct_int(OSSL_PKEY_PARAM_DH_PRIV_LEN,
		    &priv_bits);
		params[1] = OSSL_PARAM_construct_end();
		if (EVP_PKEY_CTX_set_params(c->keygen, params) <= 0)
			goto fail;
	}
	return c;
fail:
	dh_warn_ssl(grp, "group setup");
	EVP_PKEY_CTX_free(c->keygen);
	c->keygen = NULL;
	return NULL;
}

/* Export the public value of dh->key into dh->pub in KE payload format. */
static int
dh_export_public(struct ike_dh *dh)
{
	const struct dh_group_info *grp = dh->grp;
	uint8_t pt[1 + IKE_DH_PUB_MAX];
	BIGNUM *y = NULL;
	size_t len = 0;
	int rc = -1;

	if (grp->kind == DH_KIND_MODP) {
		if (EVP_PKEY_get_bn_param(dh->key, OSSL_PKEY_PARAM_PUB_KEY,
		    &y) <= 0)
			goto done;
		/* RFC 2409 5: pre-pended with zeros to the group length */
		if (BN_bn2binpad(y, dh->pub, (int)grp->pub_len) < 0)
			goto done;
	} else {
		/* uncompressed 0x04 | x | y; RFC 5903 7 drops the 0x04 */
		if (EVP_PKEY_get_octet_string_param(dh->key,
		    OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt), &len) <= 0 ||
		    len != 1 + grp->pub_len || pt[0] != 0x04)
			goto done;
		memcpy(dh->pub, pt + 1, grp->pub_len);
	}
	rc = 0;
done:
	BN_free(y);
	if (rc == -1)
		dh_warn_ssl(grp, "public value export");
	return rc;
}

static struct ike_dh *
dh_alloc(uint16_t group)
{
	const struct dh_group_info *grp;
	struct ike_dh *dh;

	if ((grp = dh_group_lookup(group)) == NULL) {
		log_warnx("dh: unsupported group %u", group);
		return NULL;
	}
	if ((dh = calloc(1, sizeof(*dh))) == NULL) {
		log_warn("dh %s: calloc", grp->name);
		return NULL;
	}
	dh->grp = grp;
	return dh;
}

struct ike_dh *
dh_new(uint16_t group)
{
	struct ike_dh *dh;
	struct dh_cache *c;

	if ((dh = dh_alloc(group)) == NULL)
		return NULL;
	if ((c = dh_cache_get(dh->grp)) == NULL)
		goto fail;
	if (EVP_PKEY_keygen(c->keygen, &dh->key) <= 0) {
		dh->key = NULL;
		dh_warn_ssl(dh->grp, "key generation");
		goto fail;
	}
	if (dh_export_public(dh) == -1)
		goto fail;
	return dh;
fail:
	dh_free(dh);
	return NULL;
}

void
dh_free(struct ike_dh *dh)
{
	if (dh == NULL)
		return;
	EVP_PKEY_free(dh->key);	/* OpenSSL clears private BIGNUMs */
	free(dh);
}

uint16_t
dh_group(const struct ike_dh *dh)
{
	return dh->grp->id;
}

size_t
dh_public_len(const struct ike_dh *dh)
{
	return dh->grp->pub_len;
}

int
dh_public(const struct ike_dh *dh, uint8_t *out, size_t len)
{
	if (len != dh->grp->pub_len) {
		log_warnx("dh %s: public value buffer of %zu bytes, want %zu",
		    dh->grp->name, len, dh->grp->pub_len);
		return -1;
	}
	memcpy(out, dh->pub, len);
	return 0;
}

/*
 * Validate and import the peer's KE data (length already checked).
 * NULL if the value is refused (debug line) or OpenSSL failed (warning).
 */
static EVP_PKEY *
dh_import_peer(const struct dh_group_info *grp, const uint8_t *peer)
{
	struct dh_cache *c;
	uint8_t pt[1 + IKE_DH_PUB_MAX];
	EVP_PKEY_CTX *chk = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *y = NULL;

	if ((c = dh_cache_get(grp)) == NULL)
		return NULL;
	if (grp->kind == DH_KIND_MODP) {
		if ((y = BN_bin2bn(peer, (int)grp->pub_len, NULL)) == NULL) {
			dh_warn_ssl(grp, "BN_bin2bn");
			return NULL;
		}
		/* RFC 6989 2.2: 1 < y < p-1 (safe prime, see the top) */
		if (BN_cmp(y, BN_value_one()) <= 0 || BN_cmp(y, c->pm1) >= 0) {
			log_debug("dh %s: peer public value out of range",
			    grp->name);
			BN_free(y);
			return NULL;
		}
		pkey = dh_pkey_fromdata(grp, c, NULL, y, NULL, 0,
		    EVP_PKEY_PUBLIC_KEY);
		BN_free(y);
		if (pkey == NULL)
			dh_warn_ssl(grp, "peer import");
		return pkey;
	}
	/* RFC 5903 7: x | y; OpenSSL wants the SEC1 uncompressed point */
	pt[0] = 0x04;
	memcpy(pt + 1, peer, grp->pub_len);
	pkey = dh_pkey_fromdata(grp, c, NULL, NULL, pt, 1 + grp->pub_len,
	    EVP_PKEY_PUBLIC_KEY);
	if (pkey == NULL) {
		/* coordinate >= p or not on the curve */
		log_debug("dh %s: peer point refused: %s", grp->name,
		    ERR_reason_error_string(ERR_peek_last_error()));
		ERR_clear_error();
		return NULL;
	}
	/* RFC 6989 2.3: on the curve, not infinity (cofactor 1) */
	if ((chk = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL) {
		dh_warn_ssl(grp, "EVP_PKEY_CTX_new_from_pkey");
		EVP_PKEY_free(pkey);
		return NULL;
	}
	if (EVP_PKEY_public_check_quick(chk) != 1) {
		log_debug("dh %s: peer point fails validation", grp->name);
		ERR_clear_error();
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	EVP_PKEY_CTX_free(chk);
	return pkey;
}

int
dh_derive(const struct ike_dh *dh, const uint8_t *peer, size_t peer_len,
    struct ike_secret **shared)
{
	const struct dh_group_info *grp = dh->grp;
	struct ike_secret *s = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	size_t len;

	*shared = NULL;
	if (peer == NULL || peer_len != grp->pub_len) {
		/* RFC 2409 5: the KE data is exactly the group length */
		log_debug("dh %s: peer public value of %zu bytes, want %zu",
		    grp->name, peer_len, grp->pub_len);
		return -1;
	}
	if ((pkey = dh_import_peer(grp, peer)) == NULL)
		return -1;
	if ((s = ike_secret_new(grp->secret_len)) == NULL)
		goto fail;
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->key, NULL)) == NULL ||
	    EVP_PKEY_derive_init(ctx) <= 0)
		goto fail_ssl;
	if (grp->kind == DH_KIND_MODP && EVP_PKEY_CTX_set_dh_pad(ctx, 1) <= 0)
		goto fail_ssl;
	/* validated above; 0 = no second (for MODP: y^q) check */
	if (EVP_PKEY_derive_set_peer_ex(ctx, pkey, 0) <= 0)
		goto fail_ssl;
	len = s->len;
	if (EVP_PKEY_derive(ctx, s->p, &len) <= 0 || len > s->len)
		goto fail_ssl;
	if (len < s->len) {
		/* left-pad to the prime length (MODP) / field size (ECP) */
		memmove(s->p + (s->len - len), s->p, len);
		memset(s->p, 0, s->len - len);
	}
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	*shared = s;
	return 0;
fail_ssl:
	dh_warn_ssl(grp, "derive");
fail:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	ike_secret_free(s);
	return -1;
}

/* ECP public point priv * G, SEC1 uncompressed, for the test constructor. */
static int
dh_ecp_public_for_test(const struct dh_group_info *grp, const BIGNUM *priv,
    uint8_t *pt, size_t len)
{
	EC_GROUP *group = NULL;
	EC_POINT *point = NULL;
	int nid, rc = -1;

	nid = EC_curve_nist2nid(grp->curve);
	if (nid == NID_undef ||
	    (group = EC_GROUP_new_by_curve_name(nid)) == NULL ||
	    (point = EC_POINT_new(group)) == NULL ||
	    !EC_POINT_mul(group, point, priv, NULL, NULL, NULL) ||
	    EC_POINT_point2oct(group, point, POINT_CONVERSION_UNCOMPRESSED,
	    pt, len, NULL) != len)
		goto done;
	rc = 0;
done:
	EC_POINT_free(point);
	EC_GROUP_free(group);
	return rc;
}

struct ike_dh *
dh_new_with_private_for_test(uint16_t group, const uint8_t *priv,
    size_t priv_len)
{
	uint8_t pt[1 + IKE_DH_PUB_MAX];
	struct ike_dh *dh;
	struct dh_cache *c;
	BIGNUM *x = NULL, *y = NULL;
	BN_CTX *bnctx = NULL;

	if ((dh = dh_alloc(group)) == NULL)
		return NULL;
	if ((c = dh_cache_get(dh->grp)) == NULL)
		goto fail;
	if (priv_len == 0 || priv_len > IKE_DH_PUB_MAX ||
	    (x = BN_secure_new()) == NULL ||
	    BN_bin2bn(priv, (int)priv_len, x) == NULL || BN_is_zero(x))
		goto fail_ssl;
	BN_set_flags(x, BN_FLG_CONSTTIME);
	if (dh->grp->kind == DH_KIND_MODP) {
		if ((bnctx = BN_CTX_new()) == NULL || (y = BN_new()) == NULL ||
		    !BN_mod_exp(y, dh_g, x, c->p, bnctx))
			goto fail_ssl;
		dh->key = dh_pkey_fromdata(dh->grp, c, x, y, NULL, 0,
		    EVP_PKEY_KEYPAIR);
	} else {
		if (dh_ecp_public_for_test(dh->grp, x, pt,
		    1 + dh->grp->pub_len) == -1)
			goto fail_ssl;
		dh->key = dh_pkey_fromdata(dh->grp, c, x, NULL, pt,
		    1 + dh->grp->pub_len, EVP_PKEY_KEYPAIR);
	}
	if (dh->key == NULL)
		goto fail_ssl;
	if (dh_export_public(dh) == -1)
		goto fail;
	BN_clear_free(x);
	BN_free(y);
	BN_CTX_free(bnctx);
	return dh;
fail_ssl:
	dh_warn_ssl(dh->grp, "test key import");
fail:
	BN_clear_free(x);
	BN_free(y);
	BN_CTX_free(bnctx);
	dh_free(dh);
	return NULL;
}

int
dh_private_bits_for_test(const struct ike_dh *dh)
{
	BIGNUM *x = NULL;
	int bits;

	if (EVP_PKEY_get_bn_param(dh->key, OSSL_PKEY_PARAM_PRIV_KEY, &x) <= 0) {
		dh_warn_ssl(dh->grp, "private value export");
		return -1;
	}
	bits = BN_num_bits(x);
	BN_clear_free(x);
	return bits;
}

void
dh_cleanup(void)
{
	size_t i;

	for (i = 0; i < DH_NGROUPS; i++) {
		EVP_PKEY_CTX_free(dh_cache[i].keygen);
		EVP_PKEY_free(dh_cache[i].params);
		BN_free(dh_cache[i].p);
		BN_free(dh_cache[i].pm1);
	}
	memset(dh_cache, 0, sizeof(dh_cache));
	for (i = 0; i < 2; i++) {
		EVP_PKEY_CTX_free(dh_import_ctx[i]);
		dh_import_ctx[i] = NULL;
	}
	BN_free(dh_g);
	dh_g = NULL;
}
