/*
 * proposal.h - responder-side choice among the transforms a peer offers
 * in a Phase 1 (Main Mode) or Quick Mode SA payload, and the reply SA
 * payload that echoes the chosen one.
 *
 * The SERVER's preference decides (ike.proposals / ike.esp order in the
 * configuration), never the peer's order: conceptually, for each
 * configured proposal in order, every peer proposal/transform is scanned
 * and the first acceptable match wins. Among peer transforms matching the
 * same configured proposal, the peer's order breaks the tie.
 *
 * Pure functions over the SA payload body (the bytes after the generic
 * header): no state, no sockets. The choices hold views into that body
 * (the chosen transform, the peer's proposal SPI), so the packet buffer
 * must outlive them until the reply is built; everything else is copied.
 */
#ifndef IKD_PROPOSAL_H
#define IKD_PROPOSAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ikd/isakmp.h"

#include "ikd/crypto.h"
#include "lib/buf.h"

struct ike_conf;

/*
 * Phase 1 authentication methods the caller can serve (what keys and
 * certificates it holds): a bit per RFC 2409 Appendix A / RFC 4754
 * method number.
 */
#define PROPOSAL_AUTH_BIT(m)	(UINT32_C(1) << (m))
#define PROPOSAL_AUTH_PSK	PROPOSAL_AUTH_BIT(IKE_AUTH_PSK)
#define PROPOSAL_AUTH_RSA_SIG	PROPOSAL_AUTH_BIT(IKE_AUTH_RSA_SIG)
#define PROPOSAL_AUTH_ECDSA_256	PROPOSAL_AUTH_BIT(IKE_AUTH_ECDSA_SHA256_P256)
#define PROPOSAL_AUTH_ECDSA_384	PROPOSAL_AUTH_BIT(IKE_AUTH_ECDSA_SHA384_P384)
#define PROPOSAL_AUTH_ECDSA_521	PROPOSAL_AUTH_BIT(IKE_AUTH_ECDSA_SHA512_P521)

/*
 * proposal_select_esp() pfs_group when the Quick Mode had a KE whose
 * group the caller does not know yet: any acceptable group; the caller
 * then checks the KE length against dh_group_public_len(out->pfs_group).
 */
#define PROPOSAL_PFS_ANY	0xffff

/* RFC 2407 4.5: ESP SA lifetime when the peer gives no seconds. */
#define PROPOSAL_IPSEC_LIFE_DEFAULT	28800

/* Room for ike_choice_str() / esp_choice_str() output. */
#define PROPOSAL_STR_MAX	96

/* The chosen Phase 1 transform. */
struct ike_choice {
	uint32_t situation;	/* as offered (IDENTITY_ONLY) */
	uint8_t proposal;	/* proposal number */
	uint8_t transform;	/* transform number */
	const uint8_t *spi;	/* the proposal's SPI (view), usually none */
	uint8_t spi_size;
	enum ike_enc enc;
	uint16_t key_bits;	/* 128/192/256; 192 for 3DES */
	enum ike_hash hash;	/* also the PRF (HMAC), RFC 2409 4 */
	uint16_t auth;		/* IKE_AUTH_* as offered */
	uint16_t group;		/* IKE_DH_* (Group Description) */
	uint32_t peer_life_seconds;	/* 0: none offered */
	uint32_t life_seconds;	/* our expiry: min(peer, ike_lifetime) */
	bool life_capped;	/* the peer offered more than ike_lifetime */
	uint64_t life_kbytes;	/* 0: none offered */
	/* the chosen transform as offered, generic header included */
	const uint8_t *xf;
	size_t xf_len;
	struct rbuf attrs;	/* its attribute list (view) */
};

/* The chosen Quick Mode ESP transform. */
struct esp_choice {
	uint32_t situation;
	uint8_t proposal;	/* proposal number */
	uint8_t transform;	/* transform number */
	uint8_t transform_id;	/* IPSEC_ESP_AES_CBC, _3DES, _AES_GCM_16 */
	uint32_t peer_spi;	/* the peer's inbound SPI (our outbound) */
	uint16_t key_bits;	/* 128/256; 192 for 3DES */
	uint16_t auth_alg;	/* IPSEC_AUTH_HMAC_*, 0 with GCM */
	/*
	 * ICV length in bits: 96 for HMAC-SHA1 (RFC 2404), 128 for
	 * HMAC-SHA2-256 (RFC 4868 2.3: truncated to half, not the 96 bits
	 * of the pre-standard "sha2-truncbug"), 128 for GCM-16 (RFC 4106).
	 */
	uint16_t icv_bits;
	uint16_t encap;		/* IPSEC_ENCAP_* as offered */
	bool udp_encap;		/* encap is 4 or 61444 (RFC 3948) */
	uint16_t pfs_group;	/* Group Description, 0 without PFS */
	uint32_t peer_life_seconds;	/* 0: none offered (28800 assumed) */
	uint32_t life_seconds;	/* chosen */
	uint64_t life_kbytes;	/* as offered, 0: none */
	/*
	 * RFC 2407 4.6.3.1: the peer's seconds (or the 28800 default) are
	 * above ike.ipsec_lifetime_max; life_seconds is that maximum and the
	 * caller sends RESPONDER-LIFETIME with
	 * proposal_responder_lifetime_data().
	 */
	bool responder_lifetime;
	/* the chosen transform as offered, generic header included */
	const uint8_t *xf;
	size_t xf_len;
	struct rbuf attrs;	/* its attribute list (view) */
};

/*
 * Choose a Phase 1 transform from the SA payload body `sa_body` (not
 * consumed). RFC 2409 5: exactly one proposal, protocol ISAKMP; its
 * KEY_IKE transforms are judged one by one. A transform is acceptable
 * when it has exactly one each of encryption, hash, authentication method
 * and group description, optional life type/duration pairs and key length,
 * nothing else (no private groups, no PRF), and: encryption AES-CBC with
 * an explicit 128/192/256-bit key or 3DES; hash SHA1 or SHA2-256/384/512;
 * auth method in `auth_mask` (PROPOSAL_AUTH_*); a group dh_group_supported()
 * knows; 3DES and MODP-1024 only with conf->legacy_compat. DES, MD5 and
 * MODP-768 are always refused. Among the acceptable ones the first match
 * in conf->proposals order wins.
 *
 * Lifetime: IKEv1 has no responder lifetime for the ISAKMP SA (RFC 2407
 * 4.6.3.1 is about IPsec SAs) and RFC 2409 5 forbids changing the
 * attributes of the transform we echo, so any lifetime is accepted and
 * out->life_seconds is capped at conf->ike_lifetime (also when the peer
 * gives none): we expire, the peer re-keys with a new Main Mode.
 *
 * `tag` prefixes the debug lines about refused transforms (NULL: none).
 * Returns 0 with *out filled (views into sa_body), or the RFC 2408 notify
 * type to answer with (> 0: NO-PROPOSAL-CHOSEN, BAD-PROPOSAL-SYNTAX,
 * PAYLOAD-MALFORMED, DOI-NOT-SUPPORTED, SITUATION-NOT-SUPPORTED,
 * INVALID-PROTOCOL-ID) with one line in why[0..whylen) saying what the
 * peer offered and why nothing was acceptable (truncated with "...").
 * why may be NULL when whylen is 0.
 */
int proposal_select_ike(const struct ike_conf *conf, uint32_t auth_mask,
    const struct rbuf *sa_body, const char *tag, struct ike_choice *out,
    char *why, size_t whylen);

/*
 * Append our Phase 1 SA payload to b (RFC 2409 5: the responder returns
 * the chosen transform unchanged): DOI IPsec, the offered situation, one
 * proposal with the offered number and SPI, one transform with the offered
 * number and attributes copied byte for byte. The packet c's views point
 * into must still be live. Errors show in isakmp_builder_finish().
 */
void proposal_build_ike_reply(struct isakmp_builder *b,
    const struct ike_choice *c);

/*
 * Choose an ESP transform from a Quick Mode SA payload body `sa_body`.
 * RFC 2408 4.2: proposals with the same number are one offer (a bundle,
 * logical AND); we only do ESP alone, so a bundle (ESP+AH, ESP+IPCOMP) is
 * refused as a whole, as are AH-only offers. Each ESP transform is
 * acceptable when: ESP_AES (128/256-bit key length required), ESP_3DES
 * (legacy_compat) with HMAC-SHA1 or HMAC-SHA2-256 authentication, or
 * ESP_AES_GCM_16 (128/256) without an authentication attribute (RFC 4106
 * 8.4); encapsulation transport (2, or absent) without NAT, UDP-transport
 * (RFC 3947 4, or draft 61444) with NAT (`natt`); tunnel modes never;
 * Group Description present and equal to `pfs_group` when the message had
 * a KE (pfs_group != 0, RFC 2409 5.5; PROPOSAL_PFS_ANY: any supported
 * group, MODP-1024 only with legacy_compat), absent otherwise; no other
 * attributes; seconds lifetime >= conf->ipsec_lifetime_min. Among the
 * acceptable ones the first match in conf->esp order wins.
 *
 * `natt_draft` says the NAT-T draft VIDs were negotiated rather than
 * RFC 3947. Both UDP-transport numbers are accepted either way, as
 * strongSwan does (proposal_substructure.c): the number is only a label
 * for the same encapsulation, and the reply echoes the peer's own value.
 * natt_draft only picks the number named in the reason when a transport
 * offer under NAT is refused.
 *
 * `tag`, the return value and why: as for proposal_select_ike().
 */
int proposal_select_esp(const struct ike_conf *conf,
    const struct rbuf *sa_body, bool natt, bool natt_draft,
    uint16_t pfs_group, const char *tag, struct esp_choice *out, char *why,
    size_t whylen);

/*
 * Append our Quick Mode SA payload to b: one ESP proposal with the
 * offered number and OUR inbound SPI `our_spi`, one transform with the
 * offered number and id and the offered attributes copied, except that
 * with c->responder_lifetime the seconds lifetime carries the chosen
 * value (added first if the peer gave none). Errors show in
 * isakmp_builder_finish().
 */
void proposal_build_esp_reply(struct isakmp_builder *b,
    const struct esp_choice *c, uint32_t our_spi);

/*
 * RFC 2407 4.6.3.1: the data of a RESPONDER-LIFETIME notify, the SA
 * attributes Life Type seconds + Life Duration c->life_seconds, written
 * to w (sticky overflow, check wbuf_ok()).
 */
void proposal_responder_lifetime_data(struct wbuf *w,
    const struct esp_choice *c);

/*
 * One-line summaries for the "SA up" log lines, written to buf[0..len)
 * (PROPOSAL_STR_MAX is enough) and returned: "aes256-sha1-ecp256 psk
 * 28800s", "aes128gcm16 udp-transport 3600s pfs ecp256".
 */
const char *ike_choice_str(const struct ike_choice *c, char *buf,
    size_t len);
const char *esp_choice_str(const struct esp_choice *c, char *buf,
    size_t len);

#endif
