/*
 * isakmp.h - ISAKMP/IKEv1 wire codec: header, payload chain, typed
 * payload bodies, builders, vendor IDs. Pure parse/build over lib/buf:
 * no state, no sockets, no crypto, no policy.
 *
 * Sources: RFC 2408 (ISAKMP), RFC 2407 (IPsec DOI), RFC 2409 (IKE),
 * RFC 3947/3948 (NAT-T) and draft-ietf-ipsec-nat-t-ike-02/03 (draft
 * payload numbers), RFC 3706 (DPD), RFC 4754 (ECDSA auth methods),
 * [MS-IKEE] (fragment payload 132).
 *
 * Parsing order (STYLE 5): isakmp_hdr_parse() on the datagram (NAT-T
 * non-ESP marker already stripped by the caller), isakmp_payloads_parse()
 * on the plaintext chain (decrypted by the caller if the ENC flag is set),
 * then the typed body parser of each payload the exchange wants. Parsed
 * structures hold views into the caller's buffer: nothing is copied, the
 * buffer must outlive them.
 *
 * Every parser returns ISAKMP_OK or a reason code (isakmp_err_name() for
 * logs); the caller maps reasons to notifies (e.g. PAYLOAD-MALFORMED,
 * INVALID-SPI, DOI-NOT-SUPPORTED) and decides what to do.
 */
#ifndef IKD_ISAKMP_H
#define IKD_ISAKMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

/* RFC 2408 3.1, 3.2 */
#define ISAKMP_HDR_LEN		28
#define ISAKMP_COOKIE_LEN	8
#define ISAKMP_GENERIC_LEN	4
#define ISAKMP_MAJOR		1
#define ISAKMP_MINOR		0
#define ISAKMP_VERSION		((ISAKMP_MAJOR << 4) | ISAKMP_MINOR)

/* Payloads kept per message; a message with more is malformed. */
#define ISAKMP_MAX_PAYLOADS	64
/* "no payload" index in struct isakmp_msg */
#define ISAKMP_IDX_NONE		0xff

/* RFC 2409 5: "the length of nonce payload MUST be between 8 and 256" */
#define ISAKMP_NONCE_MIN	8
#define ISAKMP_NONCE_MAX	256

/* RFC 2408 3.5: the ISAKMP SPI (cookie pair) is 0..16 bytes; RFC 2407 */
#define ISAKMP_SPI_MAX_ISAKMP	16
#define ISAKMP_SPI_SIZE_IPSEC	4

/* RFC 2408 3.1: payload types (+ RFC 3947 9, NAT-T drafts, [MS-IKEE]) */
enum isakmp_payload_type {
	ISAKMP_PAYLOAD_NONE = 0,
	ISAKMP_PAYLOAD_SA = 1,
	ISAKMP_PAYLOAD_P = 2,
	ISAKMP_PAYLOAD_T = 3,
	ISAKMP_PAYLOAD_KE = 4,
	ISAKMP_PAYLOAD_ID = 5,
	ISAKMP_PAYLOAD_CERT = 6,
	ISAKMP_PAYLOAD_CR = 7,
	ISAKMP_PAYLOAD_HASH = 8,
	ISAKMP_PAYLOAD_SIG = 9,
	ISAKMP_PAYLOAD_NONCE = 10,
	ISAKMP_PAYLOAD_N = 11,
	ISAKMP_PAYLOAD_D = 12,
	ISAKMP_PAYLOAD_VID = 13,
	ISAKMP_PAYLOAD_NAT_D = 20,
	ISAKMP_PAYLOAD_NAT_OA = 21,
	ISAKMP_PAYLOAD_NAT_D_DRAFT = 130,
	ISAKMP_PAYLOAD_NAT_OA_DRAFT = 131,
	ISAKMP_PAYLOAD_FRAG = 132
};

/* RFC 2408 3.1 exchange types; 6: draft-ietf-ipsec-isakmp-mode-cfg */
enum isakmp_exchange {
	ISAKMP_EXCH_NONE = 0,
	ISAKMP_EXCH_BASE = 1,
	ISAKMP_EXCH_IDPROT = 2,		/* Main Mode */
	ISAKMP_EXCH_AUTH_ONLY = 3,
	ISAKMP_EXCH_AGGRESSIVE = 4,
	ISAKMP_EXCH_INFO = 5,
	ISAKMP_EXCH_TRANSACTION = 6,
	ISAKMP_EXCH_QUICK = 32,		/* RFC 2409 5.5 */
	ISAKMP_EXCH_NEW_GROUP = 33	/* RFC 2409 5.6 */
};

/* RFC 2408 3.1 flags */
#define ISAKMP_FLAG_ENC		0x01
#define ISAKMP_FLAG_COMMIT	0x02
#define ISAKMP_FLAG_AUTH	0x04

/* RFC 2408 3.14.1 errors, RFC 2407 4.6.3 status, RFC 3706 5 DPD */
enum isakmp_notify_type {
	ISAKMP_N_INVALID_PAYLOAD_TYPE = 1,
	ISAKMP_N_DOI_NOT_SUPPORTED = 2,
	ISAKMP_N_SITUATION_NOT_SUPPORTED = 3,
	ISAKMP_N_INVALID_COOKIE = 4,
	ISAKMP_N_INVALID_MAJOR_VERSION = 5,
	ISAKMP_N_INVALID_MINOR_VERSION = 6,
	ISAKMP_N_INVALID_EXCHANGE_TYPE = 7,
	ISAKMP_N_INVALID_FLAGS = 8,
	ISAKMP_N_INVALID_MESSAGE_ID = 9,
	ISAKMP_N_INVALID_PROTOCOL_ID = 10,
	ISAKMP_N_INVALID_SPI = 11,
	ISAKMP_N_INVALID_TRANSFORM_ID = 12,
	ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED = 13,
	ISAKMP_N_NO_PROPOSAL_CHOSEN = 14,
	ISAKMP_N_BAD_PROPOSAL_SYNTAX = 15,
	ISAKMP_N_PAYLOAD_MALFORMED = 16,
	ISAKMP_N_INVALID_KEY_INFORMATION = 17,
	ISAKMP_N_INVALID_ID_INFORMATION = 18,
	ISAKMP_N_INVALID_CERT_ENCODING = 19,
	ISAKMP_N_INVALID_CERTIFICATE = 20,
	ISAKMP_N_CERT_TYPE_UNSUPPORTED = 21,
	ISAKMP_N_INVALID_CERT_AUTHORITY = 22,
	ISAKMP_N_INVALID_HASH_INFORMATION = 23,
	ISAKMP_N_AUTHENTICATION_FAILED = 24,
	ISAKMP_N_INVALID_SIGNATURE = 25,
	ISAKMP_N_ADDRESS_NOTIFICATION = 26,
	ISAKMP_N_NOTIFY_SA_LIFETIME = 27,
	ISAKMP_N_CERTIFICATE_UNAVAILABLE = 28,
	ISAKMP_N_UNSUPPORTED_EXCHANGE_TYPE = 29,
	ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS = 30,
	ISAKMP_N_CONNECTED = 16384,
	ISAKMP_N_RESPONDER_LIFETIME = 24576,
	ISAKMP_N_REPLAY_STATUS = 24577,
	ISAKMP_N_INITIAL_CONTACT = 24578,
	ISAKMP_N_R_U_THERE = 36136,
	ISAKMP_N_R_U_THERE_ACK = 36137
};

/* RFC 2408 3.4 / RFC 2407 4.2: domain of interpretation */
#define ISAKMP_DOI_ISAKMP	0
#define ISAKMP_DOI_IPSEC	1

/* RFC 2407 4.2: IPsec situation bits */
#define IPSEC_SIT_IDENTITY_ONLY	0x01
#define IPSEC_SIT_SECRECY	0x02
#define IPSEC_SIT_INTEGRITY	0x04

/* RFC 2408 3.3: attribute format bit (1 = TV, basic) */
#define ISAKMP_ATTR_AF		0x8000

/* RFC 2409 Appendix A: IKE (phase 1) SA attribute classes */
enum ike_attr_type {
	IKE_ATTR_ENCR = 1,
	IKE_ATTR_HASH = 2,
	IKE_ATTR_AUTH = 3,
	IKE_ATTR_GROUP_DESC = 4,
	IKE_ATTR_GROUP_TYPE = 5,
	IKE_ATTR_GROUP_PRIME = 6,
	IKE_ATTR_GROUP_GEN_1 = 7,
	IKE_ATTR_GROUP_GEN_2 = 8,
	IKE_ATTR_GROUP_CURVE_A = 9,
	IKE_ATTR_GROUP_CURVE_B = 10,
	IKE_ATTR_LIFE_TYPE = 11,
	IKE_ATTR_LIFE_DURATION = 12,
	IKE_ATTR_PRF = 13,
	IKE_ATTR_KEY_LENGTH = 14,
	IKE_ATTR_FIELD_SIZE = 15,
	IKE_ATTR_GROUP_ORDER = 16
};

/* RFC 2409 Appendix A; 7: RFC 3602 */
enum ike_encr {
	IKE_ENCR_DES_CBC = 1,
	IKE_ENCR_IDEA_CBC = 2,
	IKE_ENCR_BLOWFISH_CBC = 3,
	IKE_ENCR_RC5_CBC = 4,
	IKE_ENCR_3DES_CBC = 5,
	IKE_ENCR_CAST_CBC = 6,
	IKE_ENCR_AES_CBC = 7
};

/* RFC 2409 Appendix A; 4-6: RFC 4868 */
enum ike_hash {
	IKE_HASH_MD5 = 1,
	IKE_HASH_SHA1 = 2,
	IKE_HASH_TIGER = 3,
	IKE_HASH_SHA2_256 = 4,
	IKE_HASH_SHA2_384 = 5,
	IKE_HASH_SHA2_512 = 6
};

/* RFC 2409 Appendix A; 9-11: RFC 4754; 65001/2: XAUTH draft */
enum ike_auth {
	IKE_AUTH_PSK = 1,
	IKE_AUTH_DSS_SIG = 2,
	IKE_AUTH_RSA_SIG = 3,
	IKE_AUTH_RSA_ENC = 4,
	IKE_AUTH_RSA_ENC_REV = 5,
	IKE_AUTH_ECDSA_SHA256_P256 = 9,
	IKE_AUTH_ECDSA_SHA384_P384 = 10,
	IKE_AUTH_ECDSA_SHA512_P521 = 11,
	IKE_AUTH_XAUTH_INIT_PSK = 65001,
	IKE_AUTH_XAUTH_RESP_PSK = 65002
};

/* RFC 2409 6, RFC 3526, RFC 5903 */
enum ike_group {
	IKE_GROUP_MODP_768 = 1,
	IKE_GROUP_MODP_1024 = 2,
	IKE_GROUP_EC2N_155 = 3,
	IKE_GROUP_EC2N_185 = 4,
	IKE_GROUP_MODP_1536 = 5,
	IKE_GROUP_MODP_2048 = 14,
	IKE_GROUP_MODP_3072 = 15,
	IKE_GROUP_MODP_4096 = 16,
	IKE_GROUP_MODP_6144 = 17,
	IKE_GROUP_MODP_8192 = 18,
	IKE_GROUP_ECP_256 = 19,
	IKE_GROUP_ECP_384 = 20,
	IKE_GROUP_ECP_521 = 21
};

/* RFC 2409 Appendix A: group type */
#define IKE_GROUP_TYPE_MODP	1
#define IKE_GROUP_TYPE_ECP	2
#define IKE_GROUP_TYPE_EC2N	3

/* RFC 2409 Appendix A / RFC 2407 4.5: life type (both phases) */
#define IKE_LIFE_SECONDS	1
#define IKE_LIFE_KILOBYTES	2
#define IPSEC_LIFE_SECONDS	1
#define IPSEC_LIFE_KILOBYTES	2

/* RFC 2407 4.4.1: protocol identifiers */
enum ipsec_proto {
	IPSEC_PROTO_ISAKMP = 1,
	IPSEC_PROTO_AH = 2,
	IPSEC_PROTO_ESP = 3,
	IPSEC_PROTO_IPCOMP = 4
};

/* RFC 2407 4.4.2: ISAKMP transform identifier */
#define IPSEC_KEY_IKE		1

/* RFC 2407 4.4.4; 12: RFC 3602; 13: RFC 3686; 14-20: RFC 4309/4106 */
enum ipsec_esp {
	IPSEC_ESP_DES_IV64 = 1,
	IPSEC_ESP_DES = 2,
	IPSEC_ESP_3DES = 3,
	IPSEC_ESP_RC5 = 4,
	IPSEC_ESP_IDEA = 5,
	IPSEC_ESP_CAST = 6,
	IPSEC_ESP_BLOWFISH = 7,
	IPSEC_ESP_3IDEA = 8,
	IPSEC_ESP_DES_IV32 = 9,
	IPSEC_ESP_RC4 = 10,
	IPSEC_ESP_NULL = 11,
	IPSEC_ESP_AES_CBC = 12,
	IPSEC_ESP_AES_CTR = 13,
	IPSEC_ESP_AES_CCM_8 = 14,
	IPSEC_ESP_AES_CCM_12 = 15,
	IPSEC_ESP_AES_CCM_16 = 16,
	IPSEC_ESP_AES_GCM_8 = 18,
	IPSEC_ESP_AES_GCM_12 = 19,
	IPSEC_ESP_AES_GCM_16 = 20
};

/* RFC 2407 4.5: IPsec SA attribute classes */
enum ipsec_attr_type {
	IPSEC_ATTR_LIFE_TYPE = 1,
	IPSEC_ATTR_LIFE_DURATION = 2,
	IPSEC_ATTR_GROUP_DESC = 3,
	IPSEC_ATTR_ENCAP_MODE = 4,
	IPSEC_ATTR_AUTH_ALG = 5,
	IPSEC_ATTR_KEY_LENGTH = 6,
	IPSEC_ATTR_KEY_ROUNDS = 7,
	IPSEC_ATTR_COMP_DICT_SIZE = 8,
	IPSEC_ATTR_COMP_PRIV_ALG = 9
};

/* RFC 2407 4.5; 3/4: RFC 3947 5.1; 61443/61444: NAT-T drafts 00-03 */
enum ipsec_encap {
	IPSEC_ENCAP_TUNNEL = 1,
	IPSEC_ENCAP_TRANSPORT = 2,
	IPSEC_ENCAP_UDP_TUNNEL = 3,
	IPSEC_ENCAP_UDP_TRANSPORT = 4,
	IPSEC_ENCAP_UDP_TUNNEL_DRAFT = 61443,
	IPSEC_ENCAP_UDP_TRANSPORT_DRAFT = 61444
};

/* RFC 2407 4.5; 5-7: RFC 4868; 9: RFC 3566 */
enum ipsec_auth {
	IPSEC_AUTH_HMAC_MD5 = 1,
	IPSEC_AUTH_HMAC_SHA1 = 2,
	IPSEC_AUTH_DES_MAC = 3,
	IPSEC_AUTH_KPDK = 4,
	IPSEC_AUTH_HMAC_SHA2_256 = 5,
	IPSEC_AUTH_HMAC_SHA2_384 = 6,
	IPSEC_AUTH_HMAC_SHA2_512 = 7,
	IPSEC_AUTH_AES_XCBC_MAC = 9
};

/* RFC 2407 4.6.2.1: identification types */
enum ipsec_id_type {
	IPSEC_ID_IPV4_ADDR = 1,
	IPSEC_ID_FQDN = 2,
	IPSEC_ID_USER_FQDN = 3,
	IPSEC_ID_IPV4_ADDR_SUBNET = 4,
	IPSEC_ID_IPV6_ADDR = 5,
	IPSEC_ID_IPV6_ADDR_SUBNET = 6,
	IPSEC_ID_IPV4_ADDR_RANGE = 7,
	IPSEC_ID_IPV6_ADDR_RANGE = 8,
	IPSEC_ID_DER_ASN1_DN = 9,
	IPSEC_ID_DER_ASN1_GN = 10,
	IPSEC_ID_KEY_ID = 11
};

/* RFC 2408 3.9: certificate encodings */
enum isakmp_cert_encoding {
	ISAKMP_CERT_NONE = 0,
	ISAKMP_CERT_PKCS7 = 1,
	ISAKMP_CERT_PGP = 2,
	ISAKMP_CERT_DNS_KEY = 3,
	ISAKMP_CERT_X509_SIG = 4,
	ISAKMP_CERT_X509_KE = 5,
	ISAKMP_CERT_KERBEROS = 6,
	ISAKMP_CERT_CRL = 7,
	ISAKMP_CERT_ARL = 8,
	ISAKMP_CERT_SPKI = 9,
	ISAKMP_CERT_X509_ATTR = 10
};

/* [MS-IKEE] Fragment Payload: fragment flags */
#define ISAKMP_FRAG_LAST	0x01

/*
 * Why a parse failed. ISAKMP_OK is 0; every other value names the first
 * rule the input broke (isakmp_err_name() for logs).
 */
enum isakmp_err {
	ISAKMP_OK = 0,
	ISAKMP_ERR_HDR_TRUNCATED,	/* fewer than 28 bytes */
	ISAKMP_ERR_MAJOR_VERSION,	/* major != 1 (e.g. IKEv2) */
	ISAKMP_ERR_MINOR_VERSION,	/* minor != 0 */
	ISAKMP_ERR_HDR_LENGTH_SMALL,	/* length field < 28 */
	ISAKMP_ERR_HDR_LENGTH_OVER,	/* length field > datagram */
	ISAKMP_ERR_HDR_LENGTH_UNDER,	/* length field < datagram */
	ISAKMP_ERR_PAYLOAD_TRUNCATED,	/* generic header does not fit */
	ISAKMP_ERR_PAYLOAD_LENGTH,	/* payload length < 4 */
	ISAKMP_ERR_PAYLOAD_OVERRUN,	/* payload length > bytes left */
	ISAKMP_ERR_TOO_MANY_PAYLOADS,	/* > ISAKMP_MAX_PAYLOADS */
	ISAKMP_ERR_TRAILING,		/* plaintext bytes after the chain */
	ISAKMP_ERR_BODY_SHORT,		/* fixed body fields do not fit */
	ISAKMP_ERR_BODY_TRAILING,	/* bytes after a complete body */
	ISAKMP_ERR_DATA_LENGTH,		/* data length out of range */
	ISAKMP_ERR_SA_DOI,		/* SA DOI is not IPsec */
	ISAKMP_ERR_SA_SITUATION,	/* situation other than identity */
	ISAKMP_ERR_SA_NO_PROPOSAL,	/* SA without proposals */
	ISAKMP_ERR_PROPOSAL_NEXT,	/* proposal next not 2 or 0 */
	ISAKMP_ERR_PROPOSAL_LENGTH,	/* proposal length < 8 or > left */
	ISAKMP_ERR_SPI_SIZE,		/* SPI size bad for the protocol */
	ISAKMP_ERR_TRANSFORM_COUNT,	/* # transforms != found, or 0 */
	ISAKMP_ERR_TRANSFORM_NEXT,	/* transform next not 3 or 0 */
	ISAKMP_ERR_TRANSFORM_LENGTH,	/* transform length < 8 or > left */
	ISAKMP_ERR_ATTR_TRUNCATED,	/* attribute header does not fit */
	ISAKMP_ERR_ATTR_LENGTH,		/* TLV value longer than left */
	ISAKMP_ERR_ID_LENGTH,		/* ID data length wrong for type */
	ISAKMP_ERR_DELETE_COUNT,	/* count 0 or count * size != left */
	ISAKMP_ERR_NAT_OA_TYPE,		/* NAT-OA ID type not IPv4/IPv6 */
	ISAKMP_ERR_NAT_OA_LENGTH,	/* NAT-OA address length */
	ISAKMP_ERR_WRONG_TYPE,		/* parser called on a wrong type */
	ISAKMP_ERR_COUNT
};

/* RFC 2408 3.1 */
struct isakmp_hdr {
	uint8_t icookie[ISAKMP_COOKIE_LEN];
	uint8_t rcookie[ISAKMP_COOKIE_LEN];
	uint8_t next;		/* first payload type */
	uint8_t version;	/* major << 4 | minor */
	uint8_t exchange;
	uint8_t flags;		/* unknown bits kept, see ISAKMP_FLAG_* */
	uint32_t msgid;
	uint32_t length;
};

/* One payload of a chain: its generic header and a view of its body. */
struct isakmp_payload {
	uint8_t type;
	uint8_t reserved;	/* RFC 2408 3.2: should be 0; kept */
	uint16_t length;	/* including the generic header */
	bool known;		/* a top-level type this codec parses */
	uint8_t next_same;	/* index of the next one of this type */
	size_t offset;		/* of the generic header in the chain */
	struct rbuf body;	/* exactly length - 4 bytes */
};

/*
 * A parsed payload chain. pl[] is in wire order; first[t] / count[t]
 * index the payloads of type t (the rest of the list via next_same).
 */
struct isakmp_msg {
	struct isakmp_payload pl[ISAKMP_MAX_PAYLOADS];
	size_t npl;
	uint8_t first[256];
	uint8_t count[256];
	size_t unknown;		/* payloads of unknown or nested type */
	uint8_t first_unknown;	/* index, or ISAKMP_IDX_NONE */
	size_t reserved_nonzero; /* generic headers with reserved != 0 */
	size_t padding;		/* encrypted: bytes after the last payload */
	/* on failure: the payload being read */
	uint8_t fail_type;
	size_t fail_offset;
};

/* RFC 2408 3.4 + RFC 2407 4.6.1: SA payload */
struct isakmp_sa {
	uint32_t doi;
	uint32_t situation;
	struct rbuf proposals;	/* the validated proposal chain */
	size_t nproposals;
	bool reserved_nonzero;	/* in a proposal or transform */
};

/* RFC 2408 3.5: one proposal */
struct isakmp_proposal {
	uint8_t number;
	uint8_t protocol;
	uint8_t spi_size;
	uint8_t ntransforms;
	const uint8_t *spi;	/* spi_size bytes */
	struct rbuf transforms;	/* the transform chain */
	bool reserved_nonzero;
};

/* RFC 2408 3.6: one transform */
struct isakmp_transform {
	uint8_t number;
	uint8_t id;
	struct rbuf attrs;	/* the attribute list */
	size_t nattrs;
	bool reserved_nonzero;
};

/* RFC 2408 3.3: one data attribute */
struct isakmp_attr {
	uint16_t type;		/* AF bit cleared */
	bool tv;		/* AF = 1: basic, 2-byte value */
	uint16_t len;		/* value length (2 for TV) */
	const uint8_t *value;
};

/* KE, HASH, SIG, NONCE, VID, NAT-D: opaque data */
struct isakmp_data {
	const uint8_t *data;
	size_t len;
};

/* RFC 2408 3.8 + RFC 2407 4.6.2 */
struct isakmp_id {
	uint8_t type;
	uint8_t protocol;
	uint16_t port;
	const uint8_t *data;
	size_t len;
};

/* RFC 2408 3.9 (CERT), 3.10 (CR: the authority may be empty) */
struct isakmp_cert {
	uint8_t encoding;
	const uint8_t *data;
	size_t len;
};

/* RFC 2408 3.14 */
struct isakmp_notify {
	uint32_t doi;
	uint8_t protocol;
	uint8_t spi_size;
	uint16_t type;
	const uint8_t *spi;
	const uint8_t *data;
	size_t len;
};

/* RFC 2408 3.15 */
struct isakmp_delete {
	uint32_t doi;
	uint8_t protocol;
	uint8_t spi_size;
	uint16_t count;
	const uint8_t *spis;	/* count * spi_size bytes */
};

/* RFC 3947 5.2 */
struct isakmp_nat_oa {
	uint8_t id_type;	/* IPSEC_ID_IPV4_ADDR or _IPV6_ADDR */
	bool reserved_nonzero;
	const uint8_t *addr;	/* 4 or 16 bytes */
	size_t len;
};

/* [MS-IKEE] Fragment Payload (strongSwan fragment_payload.c layout) */
struct isakmp_frag {
	uint16_t id;
	uint8_t number;		/* from 1 */
	uint8_t flags;		/* ISAKMP_FRAG_LAST */
	const uint8_t *data;
	size_t len;
};

/* Well-known vendor IDs (isakmp_names.c). */
enum isakmp_vid {
	ISAKMP_VID_UNKNOWN = 0,
	ISAKMP_VID_NATT_RFC3947,
	ISAKMP_VID_NATT_DRAFT_02_N,	/* "...-02\n" */
	ISAKMP_VID_NATT_DRAFT_02,
	ISAKMP_VID_NATT_DRAFT_03,
	ISAKMP_VID_DPD,
	ISAKMP_VID_FRAGMENTATION,
	ISAKMP_VID_MS_NT5,
	ISAKMP_VID_MS_NEGDISC,
	ISAKMP_VID_MS_INITIAL_CONTACT,
	ISAKMP_VID_MS_CGA1,
	ISAKMP_VID_XAUTH,
	ISAKMP_VID_CISCO_UNITY,
	ISAKMP_VID_COUNT
};

/*
 * Name functions for logs. They take the raw wire value and never return
 * NULL ("unknown" for values they do not know).
 */
const char *isakmp_payload_name(unsigned int type);
const char *isakmp_exchange_name(unsigned int exchange);
const char *isakmp_notify_name(unsigned int type);
const char *isakmp_ike_attr_name(unsigned int type);
const char *isakmp_ike_encr_name(unsigned int v);
const char *isakmp_ike_hash_name(unsigned int v);
const char *isakmp_ike_auth_name(unsigned int v);
const char *isakmp_ike_group_name(unsigned int v);
const char *isakmp_ipsec_proto_name(unsigned int v);
const char *isakmp_ipsec_esp_name(unsigned int v);
const char *isakmp_ipsec_attr_name(unsigned int type);
const char *isakmp_ipsec_encap_name(unsigned int v);
const char *isakmp_ipsec_auth_name(unsigned int v);
const char *isakmp_id_type_name(unsigned int v);
const char *isakmp_cert_name(unsigned int v);
const char *isakmp_err_name(enum isakmp_err err);
const char *isakmp_vid_name(enum isakmp_vid vid);

/*
 * True for the payload types this codec parses at the top level of a
 * chain (not NONE, not P/T, which only live inside an SA).
 */
bool isakmp_payload_known(unsigned int type);

/*
 * Classify a vendor ID payload body. Exact matches, except: MS NT5
 * ISAKMPOAKLEY and FRAGMENTATION also match with a 4-byte suffix (the
 * Windows version / fragmentation capabilities), stored in *suffix
 * (0 when absent; suffix may be NULL); Cisco Unity matches on its first
 * 14 bytes (the last 2 are a version). Returns ISAKMP_VID_UNKNOWN when
 * nothing matches.
 */
enum isakmp_vid isakmp_vid_lookup(const uint8_t *data, size_t len,
    uint32_t *suffix);
/*
 * The bytes we send for a well-known vendor ID (static storage, without
 * suffix). False for ISAKMP_VID_UNKNOWN or out-of-range values.
 */
bool isakmp_vid_value(enum isakmp_vid vid, const uint8_t **data,
    size_t *len);

/*
 * Length rules shared by parsers and builders. isakmp_spi_size_ok():
 * where is ISAKMP_PAYLOAD_P, _N or _D (see the parsers below for the
 * rules). isakmp_data_len_ok(): false also for non-data types.
 */
bool isakmp_spi_size_ok(uint8_t where, uint8_t protocol, size_t size);
bool isakmp_id_len_ok(uint8_t type, size_t len);
bool isakmp_data_len_ok(uint8_t type, size_t len);

/*
 * RFC 2408 3.1: read the 28-byte header from r, which must cover exactly
 * one ISAKMP message (the UDP payload; on port 4500 the caller strips the
 * 4-byte non-ESP marker first, RFC 3948 2.2). Checks major version 1,
 * minor version 0, length >= 28 and length == the bytes r holds.
 * On success r is left at the first payload with exactly length - 28
 * bytes left. On failure r is unchanged; *h is filled as far as decoded
 * (everything but HDR_TRUNCATED), so a caller may use the cookies for
 * an INVALID-MAJOR-VERSION notify.
 */
enum isakmp_err isakmp_hdr_parse(struct rbuf *r, struct isakmp_hdr *h);

/*
 * RFC 2408 3.2: walk the payload chain in p[0..len) starting with type
 * `first` (the header's next payload). Each payload's generic header is
 * checked (length >= 4 and <= bytes left), its body recorded as a view
 * into p (borrowed: p must outlive msg) and indexed by type. Unknown types
 * are recorded (msg->unknown, first_unknown) for the caller's
 * INVALID-PAYLOAD-TYPE, never refused here. Non-zero reserved bytes are
 * counted, not refused. encrypted: bytes after the last payload are the
 * cipher padding (RFC 2409 Appendix B) and are allowed (msg->padding);
 * otherwise they are ISAKMP_ERR_TRAILING. On failure msg->fail_type and
 * fail_offset say where; the other fields are unspecified.
 */
enum isakmp_err isakmp_payloads_parse(const uint8_t *p, size_t len,
    uint8_t first, bool encrypted, struct isakmp_msg *msg);

/* First payload of `type` in msg, or NULL. Borrowed from msg. */
const struct isakmp_payload *isakmp_msg_first(const struct isakmp_msg *msg,
    uint8_t type);
/* The payload of the same type after pl, or NULL. */
const struct isakmp_payload *isakmp_msg_next(const struct isakmp_msg *msg,
    const struct isakmp_payload *pl);
/* Number of payloads of `type` in msg. */
size_t isakmp_msg_count(const struct isakmp_msg *msg, uint8_t type);

/*
 * Typed body parsers. Each takes the body view of one payload (not
 * consumed: the parser reads a copy) and fills its structure with views
 * into the same buffer.
 */

/*
 * RFC 2408 3.4-3.6, RFC 2407 4.6.1: SA payload, validated down to every
 * attribute: DOI must be IPsec, situation IDENTITY_ONLY (others change
 * the layout), at least one proposal; each proposal's next is 2 (or 0 for
 * the last), length fits, SPI size fits and suits the protocol (ISAKMP
 * 0..16, AH/ESP 4, IPCOMP 2 or 4, others any), # transforms equals the
 * transforms present and is >= 1; each transform's next is 3 (0 last),
 * length fits, attributes exactly fill it; nothing after the last
 * proposal. Then walk with isakmp_proposal_next() etc.
 */
enum isakmp_err isakmp_sa_parse(const struct rbuf *body,
    struct isakmp_sa *sa);
/*
 * Iterators over validated chains: initialise `it` with a copy of
 * sa->proposals (prop->transforms, xf->attrs) and call until false. They
 * re-check bounds, so they are safe on any input; false means the end or
 * malformed input.
 */
bool isakmp_proposal_next(struct rbuf *it, struct isakmp_proposal *prop);
bool isakmp_transform_next(struct rbuf *it, struct isakmp_transform *xf);
bool isakmp_attr_next(struct rbuf *it, struct isakmp_attr *attr);
/*
 * Numeric value of an attribute: TV, or TLV of 1..n bytes big endian
 * (leading zero bytes allowed, e.g. a 4-byte life duration). False for an
 * empty TLV or a value that does not fit.
 */
bool isakmp_attr_u32(const struct isakmp_attr *attr, uint32_t *v);
bool isakmp_attr_u64(const struct isakmp_attr *attr, uint64_t *v);

/*
 * Opaque-data payloads: KE, HASH, SIG, VID, NAT-D (both numbers) need at
 * least one byte, NONCE 8..256 (RFC 2409 5). Other types:
 * ISAKMP_ERR_WRONG_TYPE.
 */
enum isakmp_err isakmp_data_parse(const struct rbuf *body, uint8_t type,
    struct isakmp_data *d);
/*
 * RFC 2407 4.6.2: ID payload (phase 1 IDii/IDir and phase 2 IDci/IDcr).
 * Address types need their exact size (IPv4 4, IPv4 subnet/range 8,
 * IPv6 16, IPv6 subnet/range 32); name types at least one byte; unknown
 * types any size (the caller answers INVALID-ID-INFORMATION).
 */
enum isakmp_err isakmp_id_parse(const struct rbuf *body, struct isakmp_id *id);
/* RFC 2408 3.9/3.10: CERT needs data, CR may have none. */
enum isakmp_err isakmp_cert_parse(const struct rbuf *body, uint8_t type,
    struct isakmp_cert *c);
/*
 * RFC 2408 3.14: notify. SPI size must fit and suit the protocol (ISAKMP
 * 0..16, AH/ESP 0 or 4, IPCOMP 0, 2 or 4); the rest is data.
 */
enum isakmp_err isakmp_notify_parse(const struct rbuf *body,
    struct isakmp_notify *n);
/*
 * RFC 2408 3.15: delete. SPI size: ISAKMP 16, AH/ESP 4, IPCOMP 2 or 4,
 * others >= 1; count >= 1 and count * size == the bytes left.
 */
enum isakmp_err isakmp_delete_parse(const struct rbuf *body,
    struct isakmp_delete *d);
/* RFC 3947 5.2: NAT-OA (also the draft payload 131, same layout). */
enum isakmp_err isakmp_nat_oa_parse(const struct rbuf *body,
    struct isakmp_nat_oa *oa);
/* [MS-IKEE] Fragment Payload: fragment; data must not be empty. */
enum isakmp_err isakmp_frag_parse(const struct rbuf *body,
    struct isakmp_frag *f);

/*
 * Builders (isakmp_build.c). A builder appends payloads in order to a
 * wbuf, patching each previous "next payload" byte and each length. It
 * never fails silently: misuse or invalid contents set `bad`, overflow
 * makes the wbuf fail, and isakmp_builder_finish() reports both.
 */
struct isakmp_builder {
	struct wbuf *w;
	size_t start;		/* header (or bare chain) offset in w */
	bool has_hdr;
	size_t next_off;	/* "next payload" byte to patch, or SIZE_MAX */
	uint8_t next_follow;	/* the byte after it (patched together) */
	uint8_t first;		/* type of the first payload of the chain */
	size_t pl_off;		/* open payload, or SIZE_MAX */
	size_t prop_off;	/* open proposal, or SIZE_MAX */
	size_t prev_prop;	/* last closed proposal of the open SA */
	size_t xf_off;		/* open transform, or SIZE_MAX */
	size_t prev_xf;		/* last closed transform of the proposal */
	size_t nxf;		/* transforms in the open proposal */
	uint8_t prop_spi_size;
	bool in_sa;
	bool bad;
};

/* One proposal with one transform (isakmp_build_sa()). */
struct isakmp_attr_spec {
	uint16_t type;
	uint64_t value;
};
struct isakmp_sa_spec {
	uint32_t doi;
	uint32_t situation;
	uint8_t proposal;	/* proposal number */
	uint8_t protocol;
	const uint8_t *spi;
	uint8_t spi_size;
	uint8_t transform;	/* transform number */
	uint8_t transform_id;
	const struct isakmp_attr_spec *attrs;
	size_t nattrs;
};

/* RFC 2408 3.1: write a 28-byte header exactly as given. */
void isakmp_hdr_build(struct wbuf *w, const struct isakmp_hdr *h);
/*
 * Start a message at the end of w: with h, write the header (its next
 * and length are patched later); with h NULL, a bare payload chain (the
 * plaintext of an encrypted message; its first type is b->first). w is
 * borrowed for the builder's life.
 */
void isakmp_builder_init(struct isakmp_builder *b, struct wbuf *w,
    const struct isakmp_hdr *h);
/*
 * Open a payload of `type`: link it from the previous "next" byte and
 * write its generic header. Returns the offset of that header in w.
 */
size_t isakmp_build_payload_begin(struct isakmp_builder *b, uint8_t type);
/* Close the open payload: patch its length (> 65535 sets bad). */
void isakmp_build_payload_end(struct isakmp_builder *b);
/*
 * Check that nothing is open, patch the header length (if any) and
 * return true with the bytes written since init in *len (len may be
 * NULL), or false if the builder was misused, given invalid contents, or
 * the wbuf overflowed. Cipher padding (RFC 2409 Appendix B) written to
 * b->w after the last payload and before finish is counted in the
 * header length; a caller encrypting a bare chain writes the header
 * itself with isakmp_hdr_build().
 */
bool isakmp_builder_finish(struct isakmp_builder *b, size_t *len);

/* SA built piecewise (several proposals, transforms, attributes). */
void isakmp_build_sa_begin(struct isakmp_builder *b, uint32_t doi,
    uint32_t situation);
void isakmp_build_proposal_begin(struct isakmp_builder *b, uint8_t number,
    uint8_t protocol, const uint8_t *spi, uint8_t spi_size);
void isakmp_build_transform_begin(struct isakmp_builder *b, uint8_t number,
    uint8_t id);
/*
 * A numeric attribute: TV when value fits 16 bits, otherwise TLV of 4
 * (or 8) bytes (RFC 2409 Appendix A allows a variable attribute as
 * basic when it fits; basic attributes always fit).
 */
void isakmp_build_attr(struct isakmp_builder *b, uint16_t type,
    uint64_t value);
/* An attribute exactly as parsed (TV/TLV and value kept: echoing). */
void isakmp_build_attr_copy(struct isakmp_builder *b,
    const struct isakmp_attr *attr);
void isakmp_build_transform_end(struct isakmp_builder *b);
void isakmp_build_proposal_end(struct isakmp_builder *b);
void isakmp_build_sa_end(struct isakmp_builder *b);
/* A whole SA payload with one proposal and one transform. */
void isakmp_build_sa(struct isakmp_builder *b, const struct isakmp_sa_spec *s);

/*
 * KE/HASH/SIG/NONCE/VID/NAT-D payload with the same length rules as
 * isakmp_data_parse(). data may be NULL to reserve zeroed bytes (e.g. a
 * HASH filled in later). Returns the offset of the data in w.
 */
size_t isakmp_build_data(struct isakmp_builder *b, uint8_t type,
    const uint8_t *data, size_t len);
void isakmp_build_id(struct isakmp_builder *b, const struct isakmp_id *id);
/* type: ISAKMP_PAYLOAD_CERT or ISAKMP_PAYLOAD_CR */
void isakmp_build_cert(struct isakmp_builder *b, uint8_t type,
    const struct isakmp_cert *c);
void isakmp_build_notify(struct isakmp_builder *b,
    const struct isakmp_notify *n);
void isakmp_build_delete(struct isakmp_builder *b,
    const struct isakmp_delete *d);
/* type: ISAKMP_PAYLOAD_NAT_OA or ISAKMP_PAYLOAD_NAT_OA_DRAFT */
void isakmp_build_nat_oa(struct isakmp_builder *b, uint8_t type,
    const struct isakmp_nat_oa *oa);
void isakmp_build_frag(struct isakmp_builder *b, const struct isakmp_frag *f);

#endif
