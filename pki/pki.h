/*
 * pki.h - the admin setup tool's operations (vpn-pki): a small CA for
 * certificate authentication of IKEv1 (issue 5), built on OpenSSL 3's API.
 *
 * Layout of the PKI directory (0700, default PKI_DIR):
 *   ca.crt ca.key            the CA (key 0600)
 *   serial                   next serial number, hex
 *   crl.pem                  the CRL, rewritten atomically on revoke
 *   server.crt server.key    the IKE server's certificate and key
 *   clients/NAME.{crt,key,p12}
 *   issued/SERIAL.pem        every certificate issued (for list and revoke)
 *
 * Every operation takes the directory, prints what it did and the config
 * lines / import notes to `out`, prints errors as "vpn-pki: <file>: <reason>"
 * to stderr, and returns 0 or -1. Nothing secret is printed except the
 * generated PKCS#12 password (once, by pki_client).
 */
#ifndef PKI_PKI_H
#define PKI_PKI_H

#include <stdbool.h>
#include <stdio.h>

#define PKI_DIR		"/etc/l2tp-ipsec/pki"
#define PKI_MAX_NAMES	8

enum pki_keytype {
	PKI_KEY_RSA,
	PKI_KEY_ECDSA_P256
};

struct pki_key {
	enum pki_keytype type;
	unsigned rsa_bits;	/* PKI_KEY_RSA: 2048..8192 */
};

/* RSA-2048: the built-in Windows/macOS IKEv1 clients sign with RSA. */
#define PKI_KEY_DEFAULT	((struct pki_key){ PKI_KEY_RSA, 2048 })

/* Create the CA in dir (cn NULL: "L2TP-IPsec VPN CA"); refuses if one exists. */
int pki_init(const char *dir, const char *cn, struct pki_key key, FILE *out);
/*
 * Issue the server certificate: dns[0] is the CN, every dns/ip a SAN.
 * Refuses if server.crt or server.key exists.
 */
int pki_server(const char *dir, const char *const *dns, size_t ndns,
    const char *const *ip, size_t nip, struct pki_key key, FILE *out);
/*
 * Issue client `name` (letters, digits, '.', '_', '-') and its PKCS#12
 * bundle, protected with the first line of password_file or, if NULL, a
 * generated password printed once. legacy: PBE-SHA1-3DES + SHA-1 MAC
 * instead of PBES2/AES-256-CBC + SHA-256 MAC.
 */
int pki_client(const char *dir, const char *name, const char *password_file,
    bool legacy, struct pki_key key, FILE *out);
/* Revoke client `name` (reason: RFC 5280 5.3.1 name, NULL: unspecified). */
int pki_revoke(const char *dir, const char *name, const char *reason,
    FILE *out);
/* Print every issued certificate: serial, subject, expiry, status. */
int pki_list(const char *dir, FILE *out);

/* Checks used by the CLI and tests. */
bool pki_name_ok(const char *name);
bool pki_dns_ok(const char *dns);

#endif
