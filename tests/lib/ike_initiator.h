/*
 * ike_initiator.h - a scripted IKEv1 initiator (Main Mode with PSK, Quick
 * Mode for L2TP transport mode, protected Informationals), built from
 * ikd's own codec (isakmp*.c) and crypto (crypto.c, dh.c). It builds the
 * messages an initiator sends and checks and absorbs the answers; it never
 * touches a socket: the caller moves the bytes (tests/unit/test_exchange.c
 * feeds them to ikd_input() in process, bench/ike_load.c sends them over
 * UDP to a running ikd).
 *
 * Every function returns 0 (builders: the message length in *len) or -1
 * with a reason in ini->err; a failed check leaves the exchange unusable.
 */
#ifndef TESTS_LIB_IKE_INITIATOR_H
#define TESTS_LIB_IKE_INITIATOR_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "ikd/ikd.h"

#define IKE_INI_NONCE_LEN	16
#define IKE_INI_ERR_MAX		160

/*
 * Sizes of one exchange as seen on the wire, recorded while it runs, for
 * a replay of the responder's crypto over the same lengths (the bench).
 */
struct ike_ini_sizes {
	size_t sai_len;		/* SAi_b (HASH_I / HASH_R input) */
	size_t idi_len;		/* IDii_b */
	size_t idr_len;		/* IDir_b */
	size_t nr_len;		/* Nr */
	size_t qnr_len;		/* Quick Mode Nr */
	/* encrypted bodies (after the ISAKMP header) */
	size_t mm5_ct;
	size_t mm6_ct;
	size_t qm1_ct;
	size_t qm2_ct;
	size_t qm3_ct;
	size_t del_esp_ct;
	size_t del_isakmp_ct;
	/* bytes under HASH(1) / HASH(2) (after the HASH payload) */
	size_t qm1_hashed;
	size_t qm2_hashed;
	size_t del_esp_hashed;
	size_t del_isakmp_hashed;
};

/* One initiator: one ISAKMP SA and one Quick Mode at a time. */
struct ike_ini {
	/* phase 1 proposal */
	uint16_t encr;		/* IKE_ENCR_* */
	uint16_t keylen;
	enum ike_enc enc;
	enum ike_hash hash;
	uint16_t group;
	const char *psk;	/* borrowed */
	uint8_t icky[ISAKMP_COOKIE_LEN];
	uint8_t rcky[ISAKMP_COOKIE_LEN];
	struct ike_dh *dh;
	/*
	 * A key pair to use instead of a fresh one per MM3 (borrowed; a
	 * load generator's saving, invisible to the responder), or NULL.
	 */
	const struct ike_dh *dh_fixed;
	uint8_t gxi[IKE_KE_MAX];
	size_t gxi_len;
	uint8_t gxr[IKE_KE_MAX];
	size_t gxr_len;
	uint8_t ni[IKE_INI_NONCE_LEN];
	uint8_t nr[ISAKMP_NONCE_MAX];
	size_t nr_len;
	uint8_t sai_b[512];
	size_t sai_len;
	struct ike_keys *keys;
	struct ike_ivs *ivs;
	/*
	 * Paths as the responder sees them (local = the server's IKE or
	 * NAT-T address, remote = us after any NAT), and our own idea of
	 * our address (IDii, the second NAT-D, IDci).
	 */
	struct ikd_path p500;
	struct ikd_path p4500;
	struct sockaddr_storage self;
	bool nat;
	bool vid_frag;		/* MM1 announces FRAGMENTATION (as Windows) */
	/*
	 * RSA signatures instead of the PSK when sig_key is set (borrowed):
	 * MM5 sends ID_DER_ASN1_DN id_der, CERT cert_der and SIG_I; MM6 must
	 * carry the server's certificate, whose key verifies SIG_R.
	 */
	EVP_PKEY *sig_key;
	const uint8_t *id_der;
	size_t id_der_len;
	const uint8_t *cert_der;
	size_t cert_len;
	const uint8_t *certreq_dn;	/* MM3 sends a CR with it, or none */
	size_t certreq_len;
	unsigned int mm4_certreqs;	/* CR payloads MM4 carried */
	uint8_t mm6_cert[4096];		/* the server's certificate (DER) */
	size_t mm6_cert_len;
	/* quick mode */
	uint32_t mid;
	uint8_t qni[IKE_INI_NONCE_LEN];
	uint8_t qnr[ISAKMP_NONCE_MAX];
	size_t qnr_len;
	uint32_t spi_i;
	uint32_t spi_r;
	uint8_t id_proto;
	uint16_t encap;
	uint8_t qm_flags;
	uint32_t qm_life;
	bool qm2_resp_life;	/* QM2 carried RESPONDER-LIFETIME */
	struct ike_ini_sizes sz;
	char err[IKE_INI_ERR_MAX];
};

/*
 * Start an initiator proposing encr/keylen (enc, HMAC-SHA1) with group
 * and psk (borrowed, must outlive ini): fresh random cookie and nonces,
 * Quick Mode defaults (UDP/1701, SPI 0x11223344, M-ID 0x5a5a0001,
 * 3600 s, transport or UDP-transport with nat). The caller fills the
 * paths and self. Returns -1 only if the RNG fails.
 */
int ike_ini_init(struct ike_ini *ini, uint16_t encr, uint16_t keylen,
    enum ike_enc enc, uint16_t group, const char *psk, bool nat);
/* Free the DH key, keys and IV chains (ini may be reused after init). */
void ike_ini_free(struct ike_ini *ini);
/* The path Main Mode ends on: NAT-T after a NAT (RFC 3947 4). */
const struct ikd_path *ike_ini_mm_path(const struct ike_ini *ini);

/* An ISAKMP header with our cookies (h->next, flags, length: caller). */
void ike_ini_hdr(const struct ike_ini *ini, struct isakmp_hdr *h,
    uint8_t exchange, uint32_t mid);
/* Parse an unencrypted message, header included (views into p). */
int ike_ini_parse_plain(struct ike_ini *ini, const uint8_t *p, size_t len,
    struct isakmp_hdr *h, struct isakmp_msg *msg);
/*
 * Decrypt a protected message under its M-ID's IV chain (committed) into
 * plain (IKD_MSG_MAX bytes) and parse it; msg views into plain.
 */
int ike_ini_open(struct ike_ini *ini, const uint8_t *p, size_t len,
    uint8_t *plain, struct isakmp_hdr *h, struct isakmp_msg *msg);
/*
 * Encrypt the payload chain plain[0..plen) (first payload `first`) under
 * mid's IV into a whole message at out (IKD_MSG_MAX bytes).
 */
int ike_ini_seal(struct ike_ini *ini, uint8_t exchange, uint32_t mid,
    uint8_t flags, uint8_t first, const uint8_t *plain, size_t plen,
    uint8_t *out, size_t *len);

/* Main Mode (RFC 2409 5.4); out holds IKD_MSG_MAX bytes. */
int ike_ini_build_mm1(struct ike_ini *ini, uint8_t *out, size_t *len);
/* MM2: take the responder cookie, require one SA and a vendor ID. */
int ike_ini_recv_mm2(struct ike_ini *ini, const uint8_t *p, size_t len);
/* MM3 with a fresh DH key (or dh_fixed), our nonce and both NAT-D. */
int ike_ini_build_mm3(struct ike_ini *ini, uint8_t *out, size_t *len);
/* MM4: check both NAT-D against p500, derive g^xy and SKEYID*. */
int ike_ini_recv_mm4(struct ike_ini *ini, const uint8_t *p, size_t len);
/* MM5: ID_IPV4_ADDR(self) and HASH_I, optionally INITIAL-CONTACT. */
int ike_ini_build_mm5(struct ike_ini *ini, bool initial_contact,
    uint8_t *out, size_t *len);
/* MM6: IDir must be the server's address, HASH_R must verify. */
int ike_ini_recv_mm6(struct ike_ini *ini, const uint8_t *p, size_t len);

/* Quick Mode (RFC 2409 5.5): ESP AES-256/HMAC-SHA1 for UDP/1701. */
int ike_ini_build_qm1(struct ike_ini *ini, uint8_t *out, size_t *len);
/* QM2: HASH(2) must verify; takes the responder's SPI and nonce. */
int ike_ini_recv_qm2(struct ike_ini *ini, const uint8_t *p, size_t len);
int ike_ini_build_qm3(struct ike_ini *ini, uint8_t *out, size_t *len);
/*
 * KEYMAT (RFC 2409 5.5) for spi of our Quick Mode, len bytes; NULL on
 * failure. The caller frees it with ike_secret_free().
 */
struct ike_secret *ike_ini_keymat(struct ike_ini *ini, uint32_t spi,
    size_t len);

/*
 * A protected Informational (RFC 2409 5.7) in M-ID mid with one notify n
 * and/or one delete d (either may be NULL); its IV chain is dropped.
 */
int ike_ini_build_info(struct ike_ini *ini, uint32_t mid,
    const struct isakmp_notify *n, const struct isakmp_delete *d,
    uint8_t *out, size_t *len);
/* Delete of our Quick Mode's ESP SA (spi_i) / of the ISAKMP SA. */
int ike_ini_build_delete_esp(struct ike_ini *ini, uint32_t mid,
    uint8_t *out, size_t *len);
int ike_ini_build_delete_isakmp(struct ike_ini *ini, uint32_t mid,
    uint8_t *out, size_t *len);

#endif
