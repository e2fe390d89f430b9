/*
 * crypto_bench.c - CPU cost of ikd's DH and key derivation, through
 * ikd/dh.c and ikd/crypto.c exactly as the responder calls them.
 *
 *	build/bench/crypto_bench [seconds per row, default 1]
 *
 * Per row: CPU time (CLOCK_PROCESS_CPUTIME_ID) divided by the number of
 * operations. "keygen+derive" is what a responder pays per exchange: a
 * fresh key pair (dh_new: keygen + public export) and one dh_derive
 * against a fixed valid peer value (peer validation included).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ikd/crypto.h"
#include "ikd/dh.h"
#include "lib/log.h"

static double
cpu_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) == -1) {
		perror("clock_gettime");
		exit(1);
	}
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
bench_group(uint16_t group, double seconds)
{
	uint8_t peer[IKE_DH_PUB_MAX];
	struct ike_secret *s;
	struct ike_dh *p, *dh;
	double t0, t, kg = 0, dv = 0, both;
	unsigned long n = 0, i;

	if ((p = dh_new(group)) == NULL ||
	    dh_public(p, peer, dh_public_len(p)) == -1) {
		fprintf(stderr, "group %u: setup failed\n", group);
		exit(1);
	}
	/* warm the caches (first use fetches and builds the group) */
	dh = dh_new(group);
	dh_free(dh);
	t0 = cpu_now();
	do {
		for (i = 0; i < 16; i++) {
			t = cpu_now();
			if ((dh = dh_new(group)) == NULL)
				exit(1);
			kg += cpu_now() - t;
			t = cpu_now();
			if (dh_derive(dh, peer, dh_public_len(dh), &s) == -1)
				exit(1);
			dv += cpu_now() - t;
			ike_secret_free(s);
			dh_free(dh);
			n++;
		}
	} while (cpu_now() - t0 < seconds);
	both = (cpu_now() - t0) / (double)n;
	printf("%-10s keygen %8.1f us  derive %8.1f us  keygen+derive "
	    "%8.1f us  (%lu ops)\n", dh_group_name(group), kg / (double)n * 1e6,
	    dv / (double)n * 1e6, both * 1e6, n);
	dh_free(p);
}

/* One PRF call as IKE makes them: ~300 bytes under a 20-byte key. */
static void
bench_prf(enum ike_hash hash, double seconds)
{
	uint8_t key[20], msg[300], out[IKE_HASH_MAX];
	struct ike_prf *prf;
	double t0;
	unsigned long n = 0, i;

	memset(key, 0x42, sizeof(key));
	memset(msg, 0x17, sizeof(msg));
	if ((prf = ike_prf_new(hash, key, sizeof(key))) == NULL)
		exit(1);
	t0 = cpu_now();
	do {
		for (i = 0; i < 256; i++, n++)
			if (ike_prf(prf, msg, sizeof(msg), out,
			    sizeof(out)) == -1)
				exit(1);
	} while (cpu_now() - t0 < seconds);
	printf("prf %-8s %8.2f us per call over %zu bytes (%lu calls)\n",
	    ike_hash_name(hash), (cpu_now() - t0) / (double)n * 1e6,
	    sizeof(msg), n);
	ike_prf_free(prf);
}

/* SKEYID (PSK) + SKEYID_d/a/e + Ka + the IV chain, per ISAKMP SA. */
static void
bench_keys(enum ike_hash hash, enum ike_enc enc, double seconds)
{
	static const uint8_t cky[IKE_COOKIE_LEN] = { 1, 2, 3 };
	uint8_t g[256], nonce[32];
	struct ike_secret *gxy, *skeyid;
	struct ike_p1_input in;
	struct ike_keys *k;
	struct ike_ivs *ivs;
	double t0;
	unsigned long n = 0;

	memset(g, 0x5a, sizeof(g));
	memset(nonce, 0x33, sizeof(nonce));
	if ((gxy = ike_secret_copy(g, sizeof(g))) == NULL)
		exit(1);
	memset(&in, 0, sizeof(in));
	in.hash = hash;
	in.enc = enc;
	in.cky_i = in.cky_r = cky;
	in.gxi = in.gxr = g;
	in.gxi_len = in.gxr_len = sizeof(g);
	in.gxy = gxy;
	t0 = cpu_now();
	do {
		skeyid = ike_skeyid_psk(hash, (const uint8_t *)"secret", 6,
		    nonce, sizeof(nonce), nonce, sizeof(nonce));
		if (skeyid == NULL || (k = ike_keys_new(&in, skeyid)) == NULL ||
		    (ivs = ike_ivs_new(k)) == NULL)
			exit(1);
		ike_ivs_free(ivs);
		ike_keys_free(k);
		ike_secret_free(skeyid);
		n++;
	} while (cpu_now() - t0 < seconds);
	printf("keys %-8s %-10s %7.2f us per ISAKMP SA (%lu)\n",
	    ike_hash_name(hash), ike_enc_name(enc),
	    (cpu_now() - t0) / (double)n * 1e6, n);
	ike_secret_free(gxy);
}

int
main(int argc, char *argv[])
{
	static const uint16_t groups[] = { 2, 5, 14, 15, 16, 19, 20 };
	double seconds = 1.0;
	size_t i;

	if (argc > 1 && (seconds = atof(argv[1])) <= 0) {
		fprintf(stderr, "usage: %s [seconds per row]\n", argv[0]);
		return 2;
	}
	log_init("crypto_bench", true, 0);
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		bench_group(groups[i], seconds);
	bench_prf(IKE_HASH_SHA1, seconds);
	bench_prf(IKE_HASH_SHA2_256, seconds);
	bench_keys(IKE_HASH_SHA1, IKE_ENC_AES256_CBC, seconds);
	bench_keys(IKE_HASH_SHA2_256, IKE_ENC_AES256_CBC, seconds);
	ike_crypto_cleanup();
	dh_cleanup();
	return 0;
}
