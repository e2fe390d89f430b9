/*
 * cert.h - certificate authentication for Main Mode (RFC 2409 5.1, RFC
 * 4945): our certificate, chain and private key, the CAs clients must
 * chain to, CRLs, and the ike.cert_allow rules.
 *
 * Loaded by the privileged parent before the IKE process is forked (the
 * files may sit in a 0700 directory); the IKE process only uses the loaded
 * objects. Everything a peer sends is checked here:
 *   - the CERT payloads (X.509 signature encoding only) are DER-decoded,
 *     bounded in number and size;
 *   - the end-entity certificate is the one the peer's ID names (subject DN,
 *     or a subjectAltName for FQDN/USER_FQDN/address IDs);
 *   - its chain is verified by OpenSSL against ca_file (intermediates from
 *     the peer's other CERT payloads or from cert_file's extras), with the
 *     validity period and, when crl_file is set, revocation;
 *   - keyUsage, when present, allows digitalSignature or nonRepudiation
 *     (RFC 4945 5.1.3.2);
 *   - ike.cert_allow (fnmatch over the one-line DNs) when it has rules;
 *   - the SIG payload verifies over HASH_I with the certificate's key.
 * Refusals return the exact reason; the caller logs it with the subject.
 *
 * Signatures (RFC 2409 5.1): RSA is PKCS#1 v1.5 type 1 padding over the
 * raw HASH (no DigestInfo), as strongSwan, Libreswan and Windows do.
 */
#ifndef IKD_CERT_H
#define IKD_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ike_conf;
struct isakmp_id;
struct ikd_certs;

/* Limits on what a peer may send. */
#define IKD_CERT_MAX_PEER	8	/* CERT payloads in one MM5 */
#define IKD_CERT_DER_MAX	8192	/* one DER certificate */
#define IKD_SIG_MAX		1024	/* a signature (RSA-8192) */
#define IKD_DN_STR_MAX		256	/* one-line DN for logs/rules */

/*
 * Load ca_file, cert_file (ours first, then intermediates), key_file and
 * crl_file of `c`. Returns 0 and *out (NULL when certificates are not
 * configured: cert_file NULL), or -1 with a reason in err. Checks: the key
 * matches our certificate, our certificate chains to ca_file or to its
 * own extras (warned otherwise, peers may still trust it), the key is RSA.
 */
int ikd_certs_load(const struct ike_conf *c, struct ikd_certs **out,
    char *err, size_t errlen);
void ikd_certs_free(struct ikd_certs *certs);

/*
 * In the IKE process after the privilege drop: warn when it cannot read
 * the CRL file (then a changed CRL needs a restart). The CRL is reloaded
 * before a verification whenever the file changed (vpn-pki revoke).
 */
void ikd_certs_check_access(const struct ikd_certs *certs);

/* PROPOSAL_AUTH_* bits the loaded key can do. */
uint32_t ikd_certs_auth_mask(const struct ikd_certs *certs);

/* Our identity: subject DN (DER, for ID_DER_ASN1_DN) and as text. */
const uint8_t *ikd_certs_id_der(const struct ikd_certs *certs, size_t *len);
const char *ikd_certs_subject(const struct ikd_certs *certs);

/* Our chain, 0 = our certificate: DER of each, NULL past the end. */
const uint8_t *ikd_certs_chain(const struct ikd_certs *certs, size_t i,
    size_t *len);

/* The trusted CAs' subject DNs (DER), for CERTREQ; NULL past the end. */
const uint8_t *ikd_certs_ca_name(const struct ikd_certs *certs, size_t i,
    size_t *len);

/*
 * Does a CERTREQ authority (DER DN; empty = any) name a CA of our chain?
 * Used to log when a peer asks for a CA we do not have.
 */
bool ikd_certs_ca_matches(const struct ikd_certs *certs, const uint8_t *dn,
    size_t len);

/* Sign HASH_R with our key; *siglen in: room, out: length. */
int ikd_certs_sign(const struct ikd_certs *certs, const uint8_t *hash,
    size_t hlen, uint8_t *sig, size_t *siglen);

/* One CERT payload of the peer. */
struct ikd_cert_in {
	uint8_t		 encoding;	/* enum isakmp_cert_encoding */
	const uint8_t	*der;
	size_t		 len;
};

/* What the check found out, for the log (always filled as far as known). */
struct ikd_cert_result {
	char	subject[IKD_DN_STR_MAX];
	char	issuer[IKD_DN_STR_MAX];
	char	why[IKD_DN_STR_MAX + 160];
};

/*
 * Check the peer: certificates, ID, chain, rules, and the signature `sig`
 * over `hash` (HASH_I). Returns 0 when accepted, -1 refused (res->why).
 */
int ikd_certs_check_peer(struct ikd_certs *certs,
    const struct ikd_cert_in *in, size_t nin, const struct isakmp_id *id,
    const uint8_t *hash, size_t hlen, const uint8_t *sig, size_t siglen,
    struct ikd_cert_result *res);

/* Printable one-line DN of a DER Name ("C=DE, O=x, CN=y"). */
void ikd_dn_der_str(const uint8_t *der, size_t len, char *buf, size_t buflen);

#endif
