/*
 * dn.h - the one-line form of an X.509 distinguished name that ikd logs
 * and matches ike.cert_allow against, and vpn-pki prints in its config
 * example: "C=DE, O=Example, CN=alice" (RDNs in certificate order, ", "
 * between, RFC 2253 escapes, UTF-8 kept).
 */
#ifndef LIB_DN_H
#define LIB_DN_H

#include <stddef.h>

#include <openssl/x509.h>

/* Into buf (always terminated, truncated to len - 1); "" on failure. */
void dn_oneline(const X509_NAME *nm, char *buf, size_t len);

#endif
