/*
 * dn.c - one-line distinguished names (dn.h).
 */
#include <openssl/bio.h>
#include <openssl/x509.h>

#include "lib/dn.h"

void
dn_oneline(const X509_NAME *nm, char *buf, size_t len)
{
	BIO *b;
	int n;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (nm == NULL || (b = BIO_new(BIO_s_mem())) == NULL)
		return;
	if (X509_NAME_print_ex(b, nm, 0, (XN_FLAG_RFC2253 & ~XN_FLAG_DN_REV &
	    ~XN_FLAG_SEP_MASK & ~ASN1_STRFLGS_ESC_MSB) |
	    XN_FLAG_SEP_CPLUS_SPC) >= 0) {
		n = BIO_read(b, buf, (int)len - 1);
		buf[n > 0 ? n : 0] = '\0';
	}
	BIO_free(b);
}
