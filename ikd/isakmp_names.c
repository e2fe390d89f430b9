/*
 * isakmp_names.c - names of ISAKMP/IKE/IPsec DOI values for logs, and
 * the table of well-known vendor IDs (contracts in isakmp.h).
 */
#include <string.h>

#include "ikd/isakmp.h"

struct name {
	unsigned int v;
	const char *s;
};

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

static const char *
lookup(const struct name *t, size_t n, unsigned int v)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].v == v)
			return t[i].s;
	return "unknown";
}

/* RFC 2408 3.1, RFC 3947 9, draft-ietf-ipsec-nat-t-ike-02, [MS-IKEE] */
static const struct name payload_names[] = {
	{ ISAKMP_PAYLOAD_NONE, "NONE" },
	{ ISAKMP_PAYLOAD_SA, "SA" },
	{ ISAKMP_PAYLOAD_P, "P" },
	{ ISAKMP_PAYLOAD_T, "T" },
	{ ISAKMP_PAYLOAD_KE, "KE" },
	{ ISAKMP_PAYLOAD_ID, "ID" },
	{ ISAKMP_PAYLOAD_CERT, "CERT" },
	{ ISAKMP_PAYLOAD_CR, "CR" },
	{ ISAKMP_PAYLOAD_HASH, "HASH" },
	{ ISAKMP_PAYLOAD_SIG, "SIG" },
	{ ISAKMP_PAYLOAD_NONCE, "NONCE" },
	{ ISAKMP_PAYLOAD_N, "N" },
	{ ISAKMP_PAYLOAD_D, "D" },
	{ ISAKMP_PAYLOAD_VID, "VID" },
	{ ISAKMP_PAYLOAD_NAT_D, "NAT-D" },
	{ ISAKMP_PAYLOAD_NAT_OA, "NAT-OA" },
	{ ISAKMP_PAYLOAD_NAT_D_DRAFT, "NAT-D-draft" },
	{ ISAKMP_PAYLOAD_NAT_OA_DRAFT, "NAT-OA-draft" },
	{ ISAKMP_PAYLOAD_FRAG, "FRAG" },
};

const char *
isakmp_payload_name(unsigned int type)
{
	return lookup(payload_names, NITEMS(payload_names), type);
}

static const struct name exchange_names[] = {
	{ ISAKMP_EXCH_NONE, "NONE" },
	{ ISAKMP_EXCH_BASE, "BASE" },
	{ ISAKMP_EXCH_IDPROT, "MAIN" },
	{ ISAKMP_EXCH_AUTH_ONLY, "AUTH-ONLY" },
	{ ISAKMP_EXCH_AGGRESSIVE, "AGGRESSIVE" },
	{ ISAKMP_EXCH_INFO, "INFO" },
	{ ISAKMP_EXCH_TRANSACTION, "TRANSACTION" },
	{ ISAKMP_EXCH_QUICK, "QUICK" },
	{ ISAKMP_EXCH_NEW_GROUP, "NEW-GROUP" },
};

const char *
isakmp_exchange_name(unsigned int exchange)
{
	return lookup(exchange_names, NITEMS(exchange_names), exchange);
}

static const struct name notify_names[] = {
	{ ISAKMP_N_INVALID_PAYLOAD_TYPE, "INVALID-PAYLOAD-TYPE" },
	{ ISAKMP_N_DOI_NOT_SUPPORTED, "DOI-NOT-SUPPORTED" },
	{ ISAKMP_N_SITUATION_NOT_SUPPORTED, "SITUATION-NOT-SUPPORTED" },
	{ ISAKMP_N_INVALID_COOKIE, "INVALID-COOKIE" },
	{ ISAKMP_N_INVALID_MAJOR_VERSION, "INVALID-MAJOR-VERSION" },
	{ ISAKMP_N_INVALID_MINOR_VERSION, "INVALID-MINOR-VERSION" },
	{ ISAKMP_N_INVALID_EXCHANGE_TYPE, "INVALID-EXCHANGE-TYPE" },
	{ ISAKMP_N_INVALID_FLAGS, "INVALID-FLAGS" },
	{ ISAKMP_N_INVALID_MESSAGE_ID, "INVALID-MESSAGE-ID" },
	{ ISAKMP_N_INVALID_PROTOCOL_ID, "INVALID-PROTOCOL-ID" },
	{ ISAKMP_N_INVALID_SPI, "INVALID-SPI" },
	{ ISAKMP_N_INVALID_TRANSFORM_ID, "INVALID-TRANSFORM-ID" },
	{ ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED, "ATTRIBUTES-NOT-SUPPORTED" },
	{ ISAKMP_N_NO_PROPOSAL_CHOSEN, "NO-PROPOSAL-CHOSEN" },
	{ ISAKMP_N_BAD_PROPOSAL_SYNTAX, "BAD-PROPOSAL-SYNTAX" },
	{ ISAKMP_N_PAYLOAD_MALFORMED, "PAYLOAD-MALFORMED" },
	{ ISAKMP_N_INVALID_KEY_INFORMATION, "INVALID-KEY-INFORMATION" },
	{ ISAKMP_N_INVALID_ID_INFORMATION, "INVALID-ID-INFORMATION" },
	{ ISAKMP_N_INVALID_CERT_ENCODING, "INVALID-CERT-ENCODING" },
	{ ISAKMP_N_INVALID_CERTIFICATE, "INVALID-CERTIFICATE" },
	{ ISAKMP_N_CERT_TYPE_UNSUPPORTED, "CERT-TYPE-UNSUPPORTED" },
	{ ISAKMP_N_INVALID_CERT_AUTHORITY, "INVALID-CERT-AUTHORITY" },
	{ ISAKMP_N_INVALID_HASH_INFORMATION, "INVALID-HASH-INFORMATION" },
	{ ISAKMP_N_AUTHENTICATION_FAILED, "AUTHENTICATION-FAILED" },
	{ ISAKMP_N_INVALID_SIGNATURE, "INVALID-SIGNATURE" },
	{ ISAKMP_N_ADDRESS_NOTIFICATION, "ADDRESS-NOTIFICATION" },
	{ ISAKMP_N_NOTIFY_SA_LIFETIME, "NOTIFY-SA-LIFETIME" },
	{ ISAKMP_N_CERTIFICATE_UNAVAILABLE, "CERTIFICATE-UNAVAILABLE" },
	{ ISAKMP_N_UNSUPPORTED_EXCHANGE_TYPE, "UNSUPPORTED-EXCHANGE-TYPE" },
	{ ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS, "UNEQUAL-PAYLOAD-LENGTHS" },
	{ ISAKMP_N_CONNECTED, "CONNECTED" },
	{ ISAKMP_N_RESPONDER_LIFETIME, "RESPONDER-LIFETIME" },
	{ ISAKMP_N_REPLAY_STATUS, "REPLAY-STATUS" },
	{ ISAKMP_N_INITIAL_CONTACT, "INITIAL-CONTACT" },
	{ ISAKMP_N_R_U_THERE, "R-U-THERE" },
	{ ISAKMP_N_R_U_THERE_ACK, "R-U-THERE-ACK" },
};

const char *
isakmp_notify_name(unsigned int type)
{
	return lookup(notify_names, NITEMS(notify_names), type);
}

static const struct name ike_attr_names[] = {
	{ IKE_ATTR_ENCR, "encryption" },
	{ IKE_ATTR_HASH, "hash" },
	{ IKE_ATTR_AUTH, "auth-method" },
	{ IKE_ATTR_GROUP_DESC, "group" },
	{ IKE_ATTR_GROUP_TYPE, "group-type" },
	{ IKE_ATTR_GROUP_PRIME, "group-prime" },
	{ IKE_ATTR_GROUP_GEN_1, "group-generator-1" },
	{ IKE_ATTR_GROUP_GEN_2, "group-generator-2" },
	{ IKE_ATTR_GROUP_CURVE_A, "group-curve-a" },
	{ IKE_ATTR_GROUP_CURVE_B, "group-curve-b" },
	{ IKE_ATTR_LIFE_TYPE, "life-type" },
	{ IKE_ATTR_LIFE_DURATION, "life-duration" },
	{ IKE_ATTR_PRF, "prf" },
	{ IKE_ATTR_KEY_LENGTH, "key-length" },
	{ IKE_ATTR_FIELD_SIZE, "field-size" },
	{ IKE_ATTR_GROUP_ORDER, "group-order" },
};

const char *
isakmp_ike_attr_name(unsigned int type)
{
	return lookup(ike_attr_names, NITEMS(ike_attr_names), type);
}

static const struct name ike_encr_names[] = {
	{ IKE_ENCR_DES_CBC, "DES-CBC" },
	{ IKE_ENCR_IDEA_CBC, "IDEA-CBC" },
	{ IKE_ENCR_BLOWFISH_CBC, "Blowfish-CBC" },
	{ IKE_ENCR_RC5_CBC, "RC5-CBC" },
	{ IKE_ENCR_3DES_CBC, "3DES-CBC" },
	{ IKE_ENCR_CAST_CBC, "CAST-CBC" },
	{ IKE_ENCR_AES_CBC, "AES-CBC" },
};

const char *
isakmp_ike_encr_name(unsigned int v)
{
	return lookup(ike_encr_names, NITEMS(ike_encr_names), v);
}

static const struct name ike_hash_names[] = {
	{ IKE_HASH_MD5, "MD5" },
	{ IKE_HASH_SHA1, "SHA1" },
	{ IKE_HASH_TIGER, "Tiger" },
	{ IKE_HASH_SHA2_256, "SHA2-256" },
	{ IKE_HASH_SHA2_384, "SHA2-384" },
	{ IKE_HASH_SHA2_512, "SHA2-512" },
};

const char *
isakmp_ike_hash_name(unsigned int v)
{
	return lookup(ike_hash_names, NITEMS(ike_hash_names), v);
}

static const struct name ike_auth_names[] = {
	{ IKE_AUTH_PSK, "PSK" },
	{ IKE_AUTH_DSS_SIG, "DSS-sig" },
	{ IKE_AUTH_RSA_SIG, "RSA-sig" },
	{ IKE_AUTH_RSA_ENC, "RSA-enc" },
	{ IKE_AUTH_RSA_ENC_REV, "RSA-enc-revised" },
	{ IKE_AUTH_ECDSA_SHA256_P256, "ECDSA-SHA256-P256" },
	{ IKE_AUTH_ECDSA_SHA384_P384, "ECDSA-SHA384-P384" },
	{ IKE_AUTH_ECDSA_SHA512_P521, "ECDSA-SHA512-P521" },
	{ IKE_AUTH_XAUTH_INIT_PSK, "XAUTH-init-PSK" },
	{ IKE_AUTH_XAUTH_RESP_PSK, "XAUTH-resp-PSK" },
};

const char *
isakmp_ike_auth_name(unsigned int v)
{
	return lookup(ike_auth_names, NITEMS(ike_auth_names), v);
}

static const struct name ike_group_names[] = {
	{ IKE_GROUP_MODP_768, "MODP-768" },
	{ IKE_GROUP_MODP_1024, "MODP-1024" },
	{ IKE_GROUP_EC2N_155, "EC2N-155" },
	{ IKE_GROUP_EC2N_185, "EC2N-185" },
	{ IKE_GROUP_MODP_1536, "MODP-1536" },
	{ IKE_GROUP_MODP_2048, "MODP-2048" },
	{ IKE_GROUP_MODP_3072, "MODP-3072" },
	{ IKE_GROUP_MODP_4096, "MODP-4096" },
	{ IKE_GROUP_MODP_6144, "MODP-6144" },
	{ IKE_GROUP_MODP_8192, "MODP-8192" },
	{ IKE_GROUP_ECP_256, "ECP-256" },
	{ IKE_GROUP_ECP_384, "ECP-384" },
	{ IKE_GROUP_ECP_521, "ECP-521" },
};

const char *
isakmp_ike_group_name(unsigned int v)
{
	return lookup(ike_group_names, NITEMS(ike_group_names), v);
}

static const struct name ipsec_proto_names[] = {
	{ IPSEC_PROTO_ISAKMP, "ISAKMP" },
	{ IPSEC_PROTO_AH, "AH" },
	{ IPSEC_PROTO_ESP, "ESP" },
	{ IPSEC_PROTO_IPCOMP, "IPCOMP" },
};

const char *
isakmp_ipsec_proto_name(unsigned int v)
{
	return lookup(ipsec_proto_names, NITEMS(ipsec_proto_names), v);
}

static const struct name ipsec_esp_names[] = {
	{ IPSEC_ESP_DES_IV64, "DES-IV64" },
	{ IPSEC_ESP_DES, "DES" },
	{ IPSEC_ESP_3DES, "3DES" },
	{ IPSEC_ESP_RC5, "RC5" },
	{ IPSEC_ESP_IDEA, "IDEA" },
	{ IPSEC_ESP_CAST, "CAST" },
	{ IPSEC_ESP_BLOWFISH, "Blowfish" },
	{ IPSEC_ESP_3IDEA, "3IDEA" },
	{ IPSEC_ESP_DES_IV32, "DES-IV32" },
	{ IPSEC_ESP_RC4, "RC4" },
	{ IPSEC_ESP_NULL, "NULL" },
	{ IPSEC_ESP_AES_CBC, "AES-CBC" },
	{ IPSEC_ESP_AES_CTR, "AES-CTR" },
	{ IPSEC_ESP_AES_CCM_8, "AES-CCM-8" },
	{ IPSEC_ESP_AES_CCM_12, "AES-CCM-12" },
	{ IPSEC_ESP_AES_CCM_16, "AES-CCM-16" },
	{ IPSEC_ESP_AES_GCM_8, "AES-GCM-8" },
	{ IPSEC_ESP_AES_GCM_12, "AES-GCM-12" },
	{ IPSEC_ESP_AES_GCM_16, "AES-GCM-16" },
};

const char *
isakmp_ipsec_esp_name(unsigned int v)
{
	return lookup(ipsec_esp_names, NITEMS(ipsec_esp_names), v);
}

static const struct name ipsec_attr_names[] = {
	{ IPSEC_ATTR_LIFE_TYPE, "sa-life-type" },
	{ IPSEC_ATTR_LIFE_DURATION, "sa-life-duration" },
	{ IPSEC_ATTR_GROUP_DESC, "group" },
	{ IPSEC_ATTR_ENCAP_MODE, "encapsulation-mode" },
	{ IPSEC_ATTR_AUTH_ALG, "auth-alg" },
	{ IPSEC_ATTR_KEY_LENGTH, "key-length" },
	{ IPSEC_ATTR_KEY_ROUNDS, "key-rounds" },
	{ IPSEC_ATTR_COMP_DICT_SIZE, "compress-dict-size" },
	{ IPSEC_ATTR_COMP_PRIV_ALG, "compress-private-alg" },
};

const char *
isakmp_ipsec_attr_name(unsigned int type)
{
	return lookup(ipsec_attr_names, NITEMS(ipsec_attr_names), type);
}

static const struct name ipsec_encap_names[] = {
	{ IPSEC_ENCAP_TUNNEL, "tunnel" },
	{ IPSEC_ENCAP_TRANSPORT, "transport" },
	{ IPSEC_ENCAP_UDP_TUNNEL, "UDP-tunnel" },
	{ IPSEC_ENCAP_UDP_TRANSPORT, "UDP-transport" },
	{ IPSEC_ENCAP_UDP_TUNNEL_DRAFT, "UDP-tunnel-draft" },
	{ IPSEC_ENCAP_UDP_TRANSPORT_DRAFT, "UDP-transport-draft" },
};

const char *
isakmp_ipsec_encap_name(unsigned int v)
{
	return lookup(ipsec_encap_names, NITEMS(ipsec_encap_names), v);
}

static const struct name ipsec_auth_names[] = {
	{ IPSEC_AUTH_HMAC_MD5, "HMAC-MD5" },
	{ IPSEC_AUTH_HMAC_SHA1, "HMAC-SHA1" },
	{ IPSEC_AUTH_DES_MAC, "DES-MAC" },
	{ IPSEC_AUTH_KPDK, "KPDK" },
	{ IPSEC_AUTH_HMAC_SHA2_256, "HMAC-SHA2-256" },
	{ IPSEC_AUTH_HMAC_SHA2_384, "HMAC-SHA2-384" },
	{ IPSEC_AUTH_HMAC_SHA2_512, "HMAC-SHA2-512" },
	{ IPSEC_AUTH_AES_XCBC_MAC, "AES-XCBC-MAC" },
};

const char *
isakmp_ipsec_auth_name(unsigned int v)
{
	return lookup(ipsec_auth_names, NITEMS(ipsec_auth_names), v);
}

static const struct name id_type_names[] = {
	{ IPSEC_ID_IPV4_ADDR, "IPV4_ADDR" },
	{ IPSEC_ID_FQDN, "FQDN" },
	{ IPSEC_ID_USER_FQDN, "USER_FQDN" },
	{ IPSEC_ID_IPV4_ADDR_SUBNET, "IPV4_ADDR_SUBNET" },
	{ IPSEC_ID_IPV6_ADDR, "IPV6_ADDR" },
	{ IPSEC_ID_IPV6_ADDR_SUBNET, "IPV6_ADDR_SUBNET" },
	{ IPSEC_ID_IPV4_ADDR_RANGE, "IPV4_ADDR_RANGE" },
	{ IPSEC_ID_IPV6_ADDR_RANGE, "IPV6_ADDR_RANGE" },
	{ IPSEC_ID_DER_ASN1_DN, "DER_ASN1_DN" },
	{ IPSEC_ID_DER_ASN1_GN, "DER_ASN1_GN" },
	{ IPSEC_ID_KEY_ID, "KEY_ID" },
};

const char *
isakmp_id_type_name(unsigned int v)
{
	return lookup(id_type_names, NITEMS(id_type_names), v);
}

static const struct name cert_names[] = {
	{ ISAKMP_CERT_NONE, "none" },
	{ ISAKMP_CERT_PKCS7, "PKCS7" },
	{ ISAKMP_CERT_PGP, "PGP" },
	{ ISAKMP_CERT_DNS_KEY, "DNS-signed-key" },
	{ ISAKMP_CERT_X509_SIG, "X.509-sig" },
	{ ISAKMP_CERT_X509_KE, "X.509-KE" },
	{ ISAKMP_CERT_KERBEROS, "Kerberos" },
	{ ISAKMP_CERT_CRL, "CRL" },
	{ ISAKMP_CERT_ARL, "ARL" },
	{ ISAKMP_CERT_SPKI, "SPKI" },
	{ ISAKMP_CERT_X509_ATTR, "X.509-attr" },
};

const char *
isakmp_cert_name(unsigned int v)
{
	return lookup(cert_names, NITEMS(cert_names), v);
}

static const char *const err_names[ISAKMP_ERR_COUNT] = {
	[ISAKMP_OK] = "ok",
	[ISAKMP_ERR_HDR_TRUNCATED] = "header truncated",
	[ISAKMP_ERR_MAJOR_VERSION] = "unsupported major version",
	[ISAKMP_ERR_MINOR_VERSION] = "unsupported minor version",
	[ISAKMP_ERR_HDR_LENGTH_SMALL] = "header length below 28",
	[ISAKMP_ERR_HDR_LENGTH_OVER] = "header length exceeds datagram",
	[ISAKMP_ERR_HDR_LENGTH_UNDER] = "datagram longer than header length",
	[ISAKMP_ERR_PAYLOAD_TRUNCATED] = "payload header truncated",
	[ISAKMP_ERR_PAYLOAD_LENGTH] = "payload length below 4",
	[ISAKMP_ERR_PAYLOAD_OVERRUN] = "payload length exceeds message",
	[ISAKMP_ERR_TOO_MANY_PAYLOADS] = "too many payloads",
	[ISAKMP_ERR_TRAILING] = "bytes after the last payload",
	[ISAKMP_ERR_BODY_SHORT] = "payload body too short",
	[ISAKMP_ERR_BODY_TRAILING] = "bytes after the payload body",
	[ISAKMP_ERR_DATA_LENGTH] = "payload data length out of range",
	[ISAKMP_ERR_SA_DOI] = "SA DOI not IPsec",
	[ISAKMP_ERR_SA_SITUATION] = "SA situation not supported",
	[ISAKMP_ERR_SA_NO_PROPOSAL] = "SA without proposal",
	[ISAKMP_ERR_PROPOSAL_NEXT] = "proposal next payload not 2 or 0",
	[ISAKMP_ERR_PROPOSAL_LENGTH] = "proposal length invalid",
	[ISAKMP_ERR_SPI_SIZE] = "SPI size invalid",
	[ISAKMP_ERR_TRANSFORM_COUNT] = "transform count mismatch",
	[ISAKMP_ERR_TRANSFORM_NEXT] = "transform next payload not 3 or 0",
	[ISAKMP_ERR_TRANSFORM_LENGTH] = "transform length invalid",
	[ISAKMP_ERR_ATTR_TRUNCATED] = "attribute truncated",
	[ISAKMP_ERR_ATTR_LENGTH] = "attribute length exceeds transform",
	[ISAKMP_ERR_ID_LENGTH] = "ID data length wrong for its type",
	[ISAKMP_ERR_DELETE_COUNT] = "delete SPI count mismatch",
	[ISAKMP_ERR_NAT_OA_TYPE] = "NAT-OA ID type not an address",
	[ISAKMP_ERR_NAT_OA_LENGTH] = "NAT-OA address length wrong",
	[ISAKMP_ERR_WRONG_TYPE] = "parser used on wrong payload type",
};

const char *
isakmp_err_name(enum isakmp_err err)
{
	if ((unsigned int)err >= ISAKMP_ERR_COUNT || err_names[err] == NULL)
		return "unknown";
	return err_names[err];
}

/*
 * Well-known vendor IDs. value[0..len) is what is sent; match = bytes
 * compared; suffix = length of an optional trailer after len.
 */
struct vid_entry {
	const char *name;
	uint8_t value[16];
	uint8_t len;
	uint8_t match;
	uint8_t suffix;
};

static const struct vid_entry vids[ISAKMP_VID_COUNT] = {
	[ISAKMP_VID_UNKNOWN] = { "unknown", { 0 }, 0, 0, 0 },
	/* RFC 3947 3.1: MD5("RFC 3947") */
	[ISAKMP_VID_NATT_RFC3947] = { "NAT-T RFC 3947",
	    { 0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
	      0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f }, 16, 16, 0 },
	/* MD5("draft-ietf-ipsec-nat-t-ike-02\n"), newline included */
	[ISAKMP_VID_NATT_DRAFT_02_N] = { "NAT-T draft-02\\n",
	    { 0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e,
	      0x08, 0x63, 0x81, 0xb5, 0xec, 0x42, 0x7b, 0x1f }, 16, 16, 0 },
	/* MD5("draft-ietf-ipsec-nat-t-ike-02") */
	[ISAKMP_VID_NATT_DRAFT_02] = { "NAT-T draft-02",
	    { 0xcd, 0x60, 0x46, 0x43, 0x35, 0xdf, 0x21, 0xf8,
	      0x7c, 0xfd, 0xb2, 0xfc, 0x68, 0xb6, 0xa4, 0x48 }, 16, 16, 0 },
	/* MD5("draft-ietf-ipsec-nat-t-ike-03") */
	[ISAKMP_VID_NATT_DRAFT_03] = { "NAT-T draft-03",
	    { 0x7d, 0x94, 0x19, 0xa6, 0x53, 0x10, 0xca, 0x6f,
	      0x2c, 0x17, 0x9d, 0x92, 0x15, 0x52, 0x9d, 0x56 }, 16, 16, 0 },
	/* RFC 3706 5.1: fixed value, last two bytes are version 1.0 */
	[ISAKMP_VID_DPD] = { "DPD",
	    { 0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
	      0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00 }, 16, 16, 0 },
	/*
	 * MD5("FRAGMENTATION"); strongSwan appends 4 capability bytes,
	 * Windows sends none and accepts both.
	 */
	[ISAKMP_VID_FRAGMENTATION] = { "FRAGMENTATION",
	    { 0x40, 0x48, 0xb7, 0xd5, 0x6e, 0xbc, 0xe8, 0x85,
	      0x25, 0xe7, 0xde, 0x7f, 0x00, 0xd6, 0xc2, 0xd3 }, 16, 16, 4 },
	/* MD5("MS NT5 ISAKMPOAKLEY") + 4-byte Windows version */
	[ISAKMP_VID_MS_NT5] = { "MS NT5 ISAKMPOAKLEY",
	    { 0x1e, 0x2b, 0x51, 0x69, 0x05, 0x99, 0x1c, 0x7d,
	      0x7c, 0x96, 0xfc, 0xbf, 0xb5, 0x87, 0xe4, 0x61 }, 16, 16, 4 },
	/* MD5("MS-Negotiation Discovery Capable") */
	[ISAKMP_VID_MS_NEGDISC] = { "MS-Negotiation Discovery Capable",
	    { 0xfb, 0x1d, 0xe3, 0xcd, 0xf3, 0x41, 0xb7, 0xea,
	      0x16, 0xb7, 0xe5, 0xbe, 0x08, 0x55, 0xf1, 0x20 }, 16, 16, 0 },
	/* MD5("Vid-Initial-Contact") */
	[ISAKMP_VID_MS_INITIAL_CONTACT] = { "Vid-Initial-Contact",
	    { 0x26, 0x24, 0x4d, 0x38, 0xed, 0xdb, 0x61, 0xb3,
	      0x17, 0x2a, 0x36, 0xe3, 0xd0, 0xcf, 0xb8, 0x19 }, 16, 16, 0 },
	/* MD5("IKE CGA version 1") */
	[ISAKMP_VID_MS_CGA1] = { "IKE CGA version 1",
	    { 0xe3, 0xa5, 0x96, 0x6a, 0x76, 0x37, 0x9f, 0xe7,
	      0x07, 0x22, 0x82, 0x31, 0xe5, 0xce, 0x86, 0x52 }, 16, 16, 0 },
	/* first 8 bytes of MD5("draft-ietf-ipsra-isakmp-xauth-06.txt") */
	[ISAKMP_VID_XAUTH] = { "XAUTH",
	    { 0x09, 0x00, 0x26, 0x89, 0xdf, 0xd6, 0xb7, 0x12 }, 8, 8, 0 },
	/* MD5("CISCO-UNITY") with the last 2 bytes replaced by 1.0 */
	[ISAKMP_VID_CISCO_UNITY] = { "Cisco Unity",
	    { 0x12, 0xf5, 0xf2, 0x8c, 0x45, 0x71, 0x68, 0xa9,
	      0x70, 0x2d, 0x9f, 0xe2, 0x74, 0xcc, 0x01, 0x00 }, 16, 14, 0 },
};

const char *
isakmp_vid_name(enum isakmp_vid vid)
{
	if ((unsigned int)vid >= ISAKMP_VID_COUNT)
		return "unknown";
	return vids[vid].name;
}

enum isakmp_vid
isakmp_vid_lookup(const uint8_t *data, size_t len, uint32_t *suffix)
{
	if (suffix != NULL)
		*suffix = 0;
	if (data == NULL)
		return ISAKMP_VID_UNKNOWN;
	for (size_t i = 1; i < ISAKMP_VID_COUNT; i++) {
		const struct vid_entry *e = &vids[i];
		struct rbuf r;

		if (len != e->len && (e->suffix == 0 || len != e->len +
		    (size_t)e->suffix))
			continue;
		if (memcmp(data, e->value, e->match) != 0)
			continue;
		if (len > e->len && suffix != NULL) {
			rbuf_init(&r, data + e->len, len - e->len);
			(void)rbuf_get_u32(&r, suffix);
		}
		return (enum isakmp_vid)i;
	}
	return ISAKMP_VID_UNKNOWN;
}

bool
isakmp_vid_value(enum isakmp_vid vid, const uint8_t **data, size_t *len)
{
	if (vid <= ISAKMP_VID_UNKNOWN || (unsigned int)vid >= ISAKMP_VID_COUNT)
		return false;
	*data = vids[vid].value;
	*len = vids[vid].len;
	return true;
}
