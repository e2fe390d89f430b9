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
 * Signatures: sig.h (RSA, and ECDSA per RFC 4754 by the key's curve).
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
#define IKD_IDENT_MAX		9	/* our certificates: cert_file + 8 */
#define IKD_CR_MAX		32	/* CERTREQ authorities considered */

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

/* PROPOSAL_AUTH_* bits our keys can do (the union). */
uint32_t ikd_certs_auth_mask(const struct ikd_certs *certs);

/*
 * Our certificates ("identities"): 0 is ike.cert_file, then
 * ike.server_certs in order. Each has its chain (0 = the certificate),
 * its subject (DER for ID_DER_ASN1_DN, and as text) and its key.
 */
size_t ikd_certs_count(const struct ikd_certs *certs);
const uint8_t *ikd_certs_id_der(const struct ikd_certs *certs, size_t ident,
    size_t *len);
const char *ikd_certs_subject(const struct ikd_certs *certs, size_t ident);
const uint8_t *ikd_certs_chain(const struct ikd_certs *certs, size_t ident,
    size_t i, size_t *len);

/* The trusted CAs' subject DNs (DER), for CERTREQ; NULL past the end. */
const uint8_t *ikd_certs_ca_name(const struct ikd_certs *certs, size_t i,
    size_t *len);

/* A CERTREQ authority: a DER DN (len 0: any CA). */
struct ikd_dn {
	const uint8_t	*der;
	size_t		 len;
};

/*
 * The certificate to authenticate with the negotiated auth method: the
 * first of ours whose key signs with `method` and whose chain has an
 * issuer the peer's CERTREQs name; if none is named (or there are no
 * CERTREQs), the first that signs with `method`, with *unmatched set when
 * CERTREQs named only CAs we have no certificate from. -1: none signs
 * with method.
 */
int ikd_certs_select(const struct ikd_certs *certs, uint16_t method,
    const struct ikd_dn *crs, size_t ncr, bool *unmatched);

/*
 * The IKE process forgets the private keys right after the fork: it signs
 * through the parent (PRIV_SIGN), which keeps the only copies.
 */
void ikd_certs_drop_key(struct ikd_certs *certs);

/* Sign HASH_R with identity ident's key; *siglen in: room, out: length.
 * -1 without the key. */
int ikd_certs_sign(const struct ikd_certs *certs, size_t ident,
    const uint8_t *hash, size_t hlen, uint8_t *sig, size_t *siglen);

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
 * over `hash` (HASH_I) with the negotiated auth method (IKE_AUTH_*). Returns 0 when accepted, -1 refused (res->why).
 */
int ikd_certs_check_peer(struct ikd_certs *certs,
    const struct ikd_cert_in *in, size_t nin, const struct isakmp_id *id,
    uint16_t method, const uint8_t *hash, size_t hlen, const uint8_t *sig,
    size_t siglen, struct ikd_cert_result *res);

/* Printable one-line DN of a DER Name ("C=DE, O=x, CN=y"). */
void ikd_dn_der_str(const uint8_t *der, size_t len, char *buf, size_t buflen);

#endif
