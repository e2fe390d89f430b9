/*
 * fuzz_cert.c - what an authenticated-encryption-decrypted MM5 with
 * signatures hands to ikd/cert.c: arbitrary CERT payloads, ID and SIG
 * against a fixed trust set (a CA, our certificate, a CRL), plus the DN
 * printer on arbitrary DER.
 *
 * Input: a sequence of records [type: 1 byte][length: 2 bytes][bytes]:
 *   type % 4 == 0: a CERT payload (encoding = type >> 2, X.509 mostly)
 *   type % 4 == 1: the ID (ID type = type >> 2)
 *   type % 4 == 2: the SIG
 *   type % 4 == 3: a CERTREQ authority (ikd_certs_ca_matches) and a DN
 *                  to print
 * Whatever the input, the check must end (accepted or with a reason)
 * without a leak or an out-of-bounds read.
 * Seeds: tests/fuzz/corpus/cert/ (the client certificate of the trust set
 * as CERT with its DN as ID; truncated; with a wrong encoding).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "ikd/cert.h"
#include "ikd/isakmp.h"
#include "tests/lib/certgen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static struct ikd_certs *certs;
static const uint8_t hash[20] = { 1, 2, 3 };

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[] = "/tmp/fuzz_cert.XXXXXX", ca[64], crt[64], key[64],
	    crl[64], err[512];
	struct ike_conf c;
	EVP_PKEY *k1, *k2;
	X509 *cax, *srv, *rv[1];
	X509_CRL *cl;

	(void)argc;
	(void)argv;
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(ca, sizeof(ca), "%s/ca", dir);
	snprintf(crt, sizeof(crt), "%s/crt", dir);
	snprintf(key, sizeof(key), "%s/key", dir);
	snprintf(crl, sizeof(crl), "%s/crl", dir);
	if ((k1 = certgen_rsa(1024)) == NULL ||
	    (k2 = certgen_rsa(1024)) == NULL ||
	    (cax = certgen_cert(NULL, NULL, k1, "/CN=Fuzz CA", 1, -1, 3650,
	    true, NULL, NULL)) == NULL ||
	    (srv = certgen_cert(cax, k1, k2, "/CN=vpn.fuzz", 2, -1, 3650,
	    false, "vpn.fuzz", "192.0.2.1")) == NULL)
		abort();
	rv[0] = srv;
	if ((cl = certgen_crl(cax, k1, rv, 1)) == NULL ||
	    certgen_write_cert(ca, cax, false) == -1 ||
	    certgen_write_cert(crt, srv, false) == -1 ||
	    certgen_write_key(key, k2) == -1 ||
	    certgen_write_crl(crl, cl) == -1)
		abort();
	memset(&c, 0, sizeof(c));
	c.ca_file = ca;
	c.cert_file = crt;
	c.key_file = key;
	c.crl_file = crl;
	if (ikd_certs_load(&c, &certs, err, sizeof(err)) == -1) {
		fprintf(stderr, "fuzz_cert: %s\n", err);
		abort();
	}
	unlink(ca);
	unlink(crt);
	unlink(key);
	unlink(crl);
	rmdir(dir);
	X509_CRL_free(cl);
	X509_free(srv);
	X509_free(cax);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ikd_cert_in in[IKD_CERT_MAX_PEER + 1];
	struct ikd_cert_result res;
	struct isakmp_id id;
	const uint8_t *sig = NULL;
	size_t nin = 0, siglen = 0, off = 0, len;
	char dn[IKD_DN_STR_MAX];
	uint8_t type;

	memset(&id, 0, sizeof(id));
	id.type = IPSEC_ID_DER_ASN1_DN;
	while (off + 3 <= size) {
		type = data[off];
		len = (size_t)data[off + 1] << 8 | data[off + 2];
		off += 3;
		if (len > size - off)
			len = size - off;
		switch (type % 4) {
		case 0:
			if (nin < IKD_CERT_MAX_PEER + 1) {
				in[nin].encoding = type >> 2;
				in[nin].der = data + off;
				in[nin].len = len;
				nin++;
			}
			break;
		case 1:
			id.type = type >> 2;
			id.data = data + off;
			id.len = len;
			break;
		case 2:
			sig = data + off;
			siglen = len;
			break;
		default:
			(void)ikd_certs_ca_matches(certs, data + off, len);
			ikd_dn_der_str(data + off, len, dn, sizeof(dn));
			break;
		}
		off += len;
	}
	/* a refusal always says why */
	if (ikd_certs_check_peer(certs, in, nin, &id, hash, sizeof(hash),
	    sig, siglen, &res) == -1 && res.why[0] == '\0')
		abort();
	return 0;
}
