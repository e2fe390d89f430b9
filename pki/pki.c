/*
 * pki.c - vpn-pki's operations: CA, server and client certificates,
 * PKCS#12 bundles, CRL, listing (pki.h). OpenSSL 3 API only.
 *
 * Profiles (RFC 5280 4.2.1; Windows' IKEv1 requirements):
 *  CA:     basicConstraints critical CA:TRUE, pathlen 0; keyUsage critical
 *          keyCertSign, cRLSign; SKI/AKI; 10 years.
 *  server: EKU serverAuth + "IP security IKE intermediate"
 *          (1.3.6.1.5.5.8.2.2, which Windows wants on the gateway's
 *          certificate); keyUsage digitalSignature, keyEncipherment;
 *          SAN DNS/IP; CN = first DNS name; 2 years.
 *  client: EKU clientAuth; keyUsage digitalSignature, keyEncipherment;
 *          CN = name, no SAN; 2 years.
 *  CRL:    v2, AKI, crlNumber, nextUpdate + 30 days, reason per entry.
 *
 * Files are written to NAME.tmp (O_CREAT|O_EXCL, final mode) and renamed;
 * new files with RENAME_NOREPLACE so that nothing is ever overwritten,
 * the serial and the CRL with rename(2). A lock file serialises runs.
 */
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "pki/pki.h"

#define DAYS_CA		3650
#define DAYS_LEAF	730
#define DAYS_CRL	30
#define PKCS12_ITER	2048
#define PASS_LEN	20
#define FILE_MAX	(1024 * 1024)

struct pki_ctx {
	const char *dir;
	int lockfd;
	X509 *ca;
	EVP_PKEY *cakey;
};

static void __attribute__((format(printf, 2, 3)))
pki_err(const char *file, const char *fmt, ...)
{
	va_list ap;
	unsigned long e;
	char buf[256];

	fprintf(stderr, "vpn-pki: %s: ", file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	/* OpenSSL's reasons, oldest first. */
	while ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		fprintf(stderr, ": %s", buf);
	}
	fputc('\n', stderr);
}

/* A file that could not be opened: errno says it better than OpenSSL. */
static void
open_err(const char *path)
{
	int e = errno;

	ERR_clear_error();
	pki_err(path, "open: %s", strerror(e));
}

static int
path_join(char *dst, size_t cap, const char *dir, const char *name)
{
	int n;

	n = snprintf(dst, cap, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= cap) {
		pki_err(dir, "path too long");
		return -1;
	}
	return 0;
}

static bool
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 || errno != ENOENT;
}

/*
 * mkdir -p for the parents (0755), the last component 0711: others may
 * not list it but may open what is readable in it by name (ca.crt,
 * crl.pem), so ikd's unprivileged IKE process sees a new CRL; keys are
 * 0600 and clients/ stays 0700.
 */
static int
mkdir_private(const char *dir)
{
	char tmp[PATH_MAX];
	struct stat st;
	size_t i, len = strlen(dir);

	if (len == 0 || len >= sizeof(tmp)) {
		pki_err(dir, "bad directory name");
		return -1;
	}
	memcpy(tmp, dir, len + 1);
	for (i = 1; i < len; i++) {
		if (tmp[i] != '/')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, 0755) == -1 && errno != EEXIST) {
			pki_err(tmp, "mkdir: %s", strerror(errno));
			return -1;
		}
		tmp[i] = '/';
	}
	if (mkdir(dir, 0711) == -1 && errno != EEXIST) {
		pki_err(dir, "mkdir: %s", strerror(errno));
		return -1;
	}
	if (stat(dir, &st) == -1) {
		pki_err(dir, "stat: %s", strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		pki_err(dir, "not a directory");
		return -1;
	}
	if ((st.st_mode & 066) != 0 && chmod(dir, 0711) == -1) {
		pki_err(dir, "chmod 0711: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int
mkdir_sub(const char *dir, const char *sub)
{
	char path[PATH_MAX];

	if (path_join(path, sizeof(path), dir, sub) == -1)
		return -1;
	if (mkdir(path, 0700) == -1 && errno != EEXIST) {
		pki_err(path, "mkdir: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Write data to path via path.tmp with `mode`; replace: rename over an
 * existing file, else fail if path exists.
 */
static int
write_atomic(const char *path, const void *data, size_t len, mode_t mode,
    bool replace)
{
	char tmp[PATH_MAX];
	const uint8_t *p = data;
	ssize_t n;
	int fd, r;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		pki_err(path, "path too long");
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    mode);
	if (fd == -1) {
		pki_err(tmp, "create: %s%s", strerror(errno), errno == EEXIST ?
		    " (left by an interrupted run? remove it)" : "");
		return -1;
	}
	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			pki_err(tmp, "write: %s", strerror(errno));
			goto fail;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fchmod(fd, mode) == -1 || fsync(fd) == -1) {
		pki_err(tmp, "fchmod/fsync: %s", strerror(errno));
		goto fail;
	}
	if (close(fd) == -1) {
		fd = -1;
		pki_err(tmp, "close: %s", strerror(errno));
		goto fail;
	}
	fd = -1;
	if (replace)
		r = rename(tmp, path);
	else
		r = renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE);
	if (r == -1) {
		pki_err(path, "rename: %s", strerror(errno));
		goto fail;
	}
	return 0;
fail:
	if (fd != -1)
		close(fd);
	unlink(tmp);
	return -1;
}

/* Write what a PEM/DER writer put into the memory BIO `b`. */
static int
write_bio(const char *path, BIO *b, mode_t mode, bool replace)
{
	char *data;
	long len;

	len = BIO_get_mem_data(b, &data);
	if (len <= 0) {
		pki_err(path, "nothing to write");
		return -1;
	}
	return write_atomic(path, data, (size_t)len, mode, replace);
}

static int
write_cert(const char *path, X509 *x, bool replace)
{
	BIO *b;
	int r = -1;

	if ((b = BIO_new(BIO_s_mem())) == NULL ||
	    !PEM_write_bio_X509(b, x))
		pki_err(path, "encoding the certificate");
	else
		r = write_bio(path, b, 0644, replace);
	BIO_free(b);
	return r;
}

static int
write_key(const char *path, EVP_PKEY *k)
{
	BIO *b;
	int r = -1;

	if ((b = BIO_new(BIO_s_secmem())) == NULL ||
	    !PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL))
		pki_err(path, "encoding the key");
	else
		r = write_bio(path, b, 0600, false);
	BIO_free(b);
	return r;
}

static X509 *
read_cert(const char *path)
{
	BIO *b;
	X509 *x = NULL;

	if ((b = BIO_new_file(path, "r")) == NULL) {
		open_err(path);
	} else if ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) == NULL)
		pki_err(path, "not a PEM certificate");
	BIO_free(b);
	return x;
}

static X509_CRL *
read_crl(const char *path)
{
	BIO *b;
	X509_CRL *c = NULL;

	if ((b = BIO_new_file(path, "r")) == NULL) {
		open_err(path);
	} else if ((c = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL)) == NULL)
		pki_err(path, "not a PEM CRL");
	BIO_free(b);
	return c;
}

static int
write_crl(const char *path, X509_CRL *c)
{
	BIO *b;
	int r = -1;

	if ((b = BIO_new(BIO_s_mem())) == NULL ||
	    !PEM_write_bio_X509_CRL(b, c))
		pki_err(path, "encoding the CRL");
	else
		r = write_bio(path, b, 0644, true);
	BIO_free(b);
	return r;
}

static EVP_PKEY *
keygen(struct pki_key key)
{
	EVP_PKEY *k = NULL;

	if (key.type == PKI_KEY_ECDSA_P256)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	else if (key.rsa_bits >= 2048 && key.rsa_bits <= 8192)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)key.rsa_bits);
	else {
		pki_err("key", "RSA size %u not in 2048..8192", key.rsa_bits);
		return NULL;
	}
	if (k == NULL)
		pki_err("key", "key generation failed");
	return k;
}

/* Lock the directory against concurrent runs; load the CA unless init. */
static int
ctx_open(struct pki_ctx *c, const char *dir, bool load_ca)
{
	char path[PATH_MAX];
	BIO *b;

	memset(c, 0, sizeof(*c));
	c->dir = dir;
	c->lockfd = -1;
	if (mkdir_private(dir) == -1 ||
	    path_join(path, sizeof(path), dir, ".lock") == -1)
		return -1;
	c->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (c->lockfd == -1) {
		pki_err(path, "open: %s", strerror(errno));
		return -1;
	}
	if (flock(c->lockfd, LOCK_EX | LOCK_NB) == -1) {
		pki_err(path, "locked by another vpn-pki: %s", strerror(errno));
		return -1;
	}
	if (!load_ca)
		return 0;
	if (path_join(path, sizeof(path), dir, "ca.crt") == -1 ||
	    (c->ca = read_cert(path)) == NULL)
		return -1;
	if (path_join(path, sizeof(path), dir, "ca.key") == -1)
		return -1;
	if ((b = BIO_new_file(path, "r")) == NULL) {
		open_err(path);
		return -1;
	}
	c->cakey = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	if (c->cakey == NULL) {
		pki_err(path, "not a PEM private key");
		return -1;
	}
	if (X509_check_private_key(c->ca, c->cakey) != 1) {
		pki_err(path, "does not match ca.crt");
		return -1;
	}
	return 0;
}

static void
ctx_close(struct pki_ctx *c)
{
	X509_free(c->ca);
	EVP_PKEY_free(c->cakey);
	if (c->lockfd != -1)
		close(c->lockfd);
	c->ca = NULL;
	c->cakey = NULL;
	c->lockfd = -1;
}

/*
 * Take the next serial from dir/serial and store serial + 1 before the
 * certificate is made, so that a failed run never reuses one.
 */
static ASN1_INTEGER *
serial_next(struct pki_ctx *c)
{
	char path[PATH_MAX], line[64], *nl;
	BIGNUM *bn = NULL;
	ASN1_INTEGER *ai = NULL;
	char *hex = NULL;
	FILE *f;

	if (path_join(path, sizeof(path), c->dir, "serial") == -1)
		return NULL;
	if ((f = fopen(path, "re")) == NULL) {
		pki_err(path, "open: %s", strerror(errno));
		return NULL;
	}
	if (fgets(line, sizeof(line), f) == NULL) {
		fclose(f);
		pki_err(path, "empty");
		return NULL;
	}
	fclose(f);
	if ((nl = strchr(line, '\n')) != NULL)
		*nl = '\0';
	if (line[0] == '\0' || strspn(line, "0123456789ABCDEFabcdef") !=
	    strlen(line) || BN_hex2bn(&bn, line) == 0 || BN_is_zero(bn)) {
		pki_err(path, "not a positive hex serial: \"%.20s\"", line);
		goto out;
	}
	if ((ai = BN_to_ASN1_INTEGER(bn, NULL)) == NULL ||
	    !BN_add_word(bn, 1) || (hex = BN_bn2hex(bn)) == NULL) {
		pki_err(path, "serial arithmetic failed");
		ASN1_INTEGER_free(ai);
		ai = NULL;
		goto out;
	}
	snprintf(line, sizeof(line), "%s\n", hex);
	if (write_atomic(path, line, strlen(line), 0600, true) == -1) {
		ASN1_INTEGER_free(ai);
		ai = NULL;
	}
out:
	OPENSSL_free(hex);
	BN_free(bn);
	return ai;
}

/* Serial as upper-case hex, the name of issued/SERIAL.pem. */
static int
serial_hex(const ASN1_INTEGER *ai, char *dst, size_t cap)
{
	BIGNUM *bn;
	char *hex = NULL;
	int r = -1;

	if ((bn = ASN1_INTEGER_to_BN(ai, NULL)) != NULL &&
	    (hex = BN_bn2hex(bn)) != NULL && strlen(hex) < cap) {
		memcpy(dst, hex, strlen(hex) + 1);
		r = 0;
	}
	OPENSSL_free(hex);
	BN_free(bn);
	return r;
}

/* Add extension `nid` with the value syntax of x509v3_config(5). */
static int
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *e;
	int ok;

	X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
	if ((e = X509V3_EXT_conf_nid(NULL, &v3, nid, value)) == NULL) {
		pki_err("certificate", "extension %s = %s",
		    OBJ_nid2sn(nid), value);
		return -1;
	}
	ok = X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	if (!ok) {
		pki_err("certificate", "adding %s", OBJ_nid2sn(nid));
		return -1;
	}
	return 0;
}

static X509 *
cert_new(ASN1_INTEGER *serial, const char *cn, EVP_PKEY *key, long days)
{
	X509 *x;
	X509_NAME *n;

	if ((x = X509_new()) == NULL || !X509_set_version(x, X509_VERSION_3) ||
	    !X509_set_serialNumber(x, serial) ||
	    (n = X509_get_subject_name(x)) == NULL ||
	    !X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0) ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -300) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), (int)days, 0,
	    NULL) == NULL || !X509_set_pubkey(x, key)) {
		pki_err("certificate", "building \"%s\"", cn);
		X509_free(x);
		return NULL;
	}
	return x;
}

static const EVP_MD *
sign_md(void)
{
	return EVP_sha256();
}

/*
 * s as the inside of a libconfig string: '"' and '\' escaped, with, when
 * glob, fnmatch's special characters first escaped by a backslash so that
 * the value matches s literally. Returns -1 if it does not fit.
 */
static int
conf_quote(char *dst, size_t cap, const char *s, bool glob)
{
	size_t n = 0;

	for (; *s != '\0'; s++) {
		if (glob && strchr("*?[\\", *s) != NULL) {
			if (n + 2 >= cap)
				return -1;
			dst[n++] = '\\';
			dst[n++] = '\\';
		}
		if (*s == '"' || *s == '\\') {
			if (n + 1 >= cap)
				return -1;
			dst[n++] = '\\';
		}
		if (n + 1 >= cap)
			return -1;
		dst[n++] = *s;
	}
	dst[n] = '\0';
	return 0;
}

/*
 * The one-line DN ikd matches ike.cert_allow against, "C=DE, O=Example,
 * CN=alice": RDNs in certificate order, ", " between, RFC 2253 escapes
 * but UTF-8 kept (the flags of ikd/cert.c's dn_str). "" on failure.
 */
static void
dn_oneline(const X509_NAME *nm, char *buf, size_t len)
{
	BIO *b;
	int n;

	buf[0] = '\0';
	if ((b = BIO_new(BIO_s_mem())) == NULL)
		return;
	if (X509_NAME_print_ex(b, nm, 0, (XN_FLAG_RFC2253 & ~XN_FLAG_DN_REV &
	    ~XN_FLAG_SEP_MASK & ~ASN1_STRFLGS_ESC_MSB) |
	    XN_FLAG_SEP_CPLUS_SPC) >= 0) {
		n = BIO_read(b, buf, (int)len - 1);
		buf[n > 0 ? n : 0] = '\0';
	}
	BIO_free(b);
}

/*
 * The ike section for vpn.conf, exactly as conf/ reads it: absolute paths
 * (conf resolves relative ones against its own directory, not ours), the
 * CRL only if there is one, and a commented cert_allow example with the
 * CA's DN. Before `vpn-pki server` there is nothing to configure yet.
 */
static void
print_config(FILE *out, const char *dir)
{
	char abs[PATH_MAX], path[PATH_MAX + 16], q[4][2 * PATH_MAX + 40];
	char dn[1024], qdn[4 * sizeof(dn)];
	X509 *ca;
	bool crl;

	if (path_join(path, sizeof(path), dir, "server.crt") == -1 ||
	    !exists(path)) {
		fprintf(out, "\nConfiguration for ikd: printed by `vpn-pki "
		    "server`, once the server has its certificate.\n");
		return;
	}
	if (realpath(dir, abs) == NULL) {
		open_err(dir);
		return;
	}
	if (path_join(path, sizeof(path), abs, "ca.crt") == -1 ||
	    conf_quote(q[0], sizeof(q[0]), path, false) == -1 ||
	    path_join(path, sizeof(path), abs, "server.crt") == -1 ||
	    conf_quote(q[1], sizeof(q[1]), path, false) == -1 ||
	    path_join(path, sizeof(path), abs, "server.key") == -1 ||
	    conf_quote(q[2], sizeof(q[2]), path, false) == -1 ||
	    path_join(path, sizeof(path), abs, "crl.pem") == -1 ||
	    conf_quote(q[3], sizeof(q[3]), path, false) == -1) {
		pki_err(dir, "path too long for the configuration lines");
		return;
	}
	crl = exists(path);	/* the last one joined */
	fprintf(out, "\nConfiguration for ikd (vpn.conf): put these lines "
	    "in its ike section (the\nfile has one: keep a single "
	    "`ike = { ... };`), then `ikd --check-config`.\n"
	    "ike = {\n"
	    "\tca_file = \"%s\";\n"
	    "\tcert_file = \"%s\";\n"
	    "\tkey_file = \"%s\";\n", q[0], q[1], q[2]);
	if (crl)
		fprintf(out, "\tcrl_file = \"%s\";\n", q[3]);
	if (path_join(path, sizeof(path), abs, "ca.crt") == 0 &&
	    (ca = read_cert(path)) != NULL) {
		dn_oneline(X509_get_subject_name(ca), dn, sizeof(dn));
		X509_free(ca);
		if (dn[0] != '\0' &&
		    conf_quote(qdn, sizeof(qdn), dn, true) == 0)
			fprintf(out, "\t# Optional: only certificates matching "
			    "a rule may connect (fnmatch globs\n\t# over "
			    "one-line DNs); without rules, any certificate "
			    "from ca_file.\n\t# cert_allow = ( { issuer = "
			    "\"%s\"; subject = \"CN=*\"; } );\n", qdn);
	}
	fprintf(out, "};\n");
}

static int
crl_sign(X509_CRL *crl, struct pki_ctx *c, long crlnum)
{
	ASN1_TIME *now = NULL, *next = NULL;
	ASN1_INTEGER *num = NULL;
	X509V3_CTX v3;
	X509_EXTENSION *e = NULL;
	int r = -1, i;

	if ((now = X509_gmtime_adj(NULL, 0)) == NULL ||
	    (next = X509_time_adj_ex(NULL, DAYS_CRL, 0, NULL)) == NULL ||
	    !X509_CRL_set1_lastUpdate(crl, now) ||
	    !X509_CRL_set1_nextUpdate(crl, next) ||
	    (num = ASN1_INTEGER_new()) == NULL ||
	    !ASN1_INTEGER_set(num, crlnum) ||
	    !X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0,
	    X509V3_ADD_REPLACE))
		goto out;
	if (X509_CRL_get_ext_by_NID(crl, NID_authority_key_identifier,
	    -1) < 0) {
		X509V3_set_ctx(&v3, c->ca, NULL, NULL, crl, 0);
		if ((e = X509V3_EXT_conf_nid(NULL, &v3,
		    NID_authority_key_identifier, "keyid:always")) == NULL ||
		    !X509_CRL_add_ext(crl, e, -1))
			goto out;
	}
	i = X509_CRL_sort(crl);
	if (i && X509_CRL_sign(crl, c->cakey, sign_md()) > 0)
		r = 0;
out:
	if (r == -1)
		pki_err("crl.pem", "building the CRL");
	X509_EXTENSION_free(e);
	ASN1_INTEGER_free(num);
	ASN1_TIME_free(now);
	ASN1_TIME_free(next);
	return r;
}

int
pki_init(const char *dir, const char *cn, struct pki_key key, FILE *out)
{
	struct pki_ctx c;
	char path[PATH_MAX];
	ASN1_INTEGER *one = NULL;
	X509_CRL *crl = NULL;
	X509_NAME *n;
	EVP_PKEY *k = NULL;
	X509 *x = NULL;
	int r = -1;

	if (cn == NULL)
		cn = "L2TP-IPsec VPN CA";
	if (cn[0] == '\0' || strlen(cn) > 64) {
		pki_err("--cn", "must be 1..64 bytes");
		return -1;
	}
	if (ctx_open(&c, dir, false) == -1)
		goto out;
	if (path_join(path, sizeof(path), dir, "ca.key") == -1)
		goto out;
	if (exists(path)) {
		pki_err(path, "a CA exists already; refusing to overwrite it");
		goto out;
	}
	if (path_join(path, sizeof(path), dir, "ca.crt") == -1)
		goto out;
	if (exists(path)) {
		pki_err(path, "a CA exists already; refusing to overwrite it");
		goto out;
	}
	if (mkdir_sub(dir, "issued") == -1 || mkdir_sub(dir, "clients") == -1)
		goto out;
	/* Serial 1 is the CA's; certificates start at 2. */
	if ((one = ASN1_INTEGER_new()) == NULL || !ASN1_INTEGER_set(one, 1) ||
	    (k = keygen(key)) == NULL ||
	    (x = cert_new(one, cn, k, DAYS_CA)) == NULL)
		goto out;
	if (!X509_set_issuer_name(x, X509_get_subject_name(x))) {
		pki_err("ca.crt", "issuer name");
		goto out;
	}
	if (add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE,"
	    "pathlen:0") == -1 ||
	    add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign") ==
	    -1 || add_ext(x, x, NID_subject_key_identifier, "hash") == -1 ||
	    add_ext(x, x, NID_authority_key_identifier, "keyid:always") == -1)
		goto out;
	if (X509_sign(x, k, sign_md()) <= 0) {
		pki_err("ca.crt", "signing");
		goto out;
	}
	c.ca = x;
	c.cakey = k;
	x = NULL;
	k = NULL;
	/* The empty CRL (v2). */
	if ((crl = X509_CRL_new()) == NULL || !X509_CRL_set_version(crl, 1) ||
	    (n = X509_get_subject_name(c.ca)) == NULL ||
	    !X509_CRL_set_issuer_name(crl, n)) {
		pki_err("crl.pem", "building the CRL");
		goto out;
	}
	if (crl_sign(crl, &c, 1) == -1)
		goto out;
	/* Key first: a crash leaves no ca.crt without its key. */
	if (path_join(path, sizeof(path), dir, "serial") == -1 ||
	    write_atomic(path, "02\n", 3, 0600, false) == -1 ||
	    path_join(path, sizeof(path), dir, "ca.key") == -1 ||
	    write_key(path, c.cakey) == -1 ||
	    path_join(path, sizeof(path), dir, "crl.pem") == -1 ||
	    write_crl(path, crl) == -1 ||
	    path_join(path, sizeof(path), dir, "ca.crt") == -1 ||
	    write_cert(path, c.ca, false) == -1)
		goto out;
	fprintf(out, "created CA \"%s\" (%s) in %s: ca.crt, ca.key (0600), "
	    "crl.pem, serial; valid %d days\n", cn,
	    key.type == PKI_KEY_ECDSA_P256 ? "ECDSA P-256" : "RSA", dir,
	    DAYS_CA);
	fprintf(out, "next: vpn-pki server --dns <server name>\n");
	print_config(out, dir);
	fprintf(out, "\nOn clients: import ca.crt as a trusted root "
	    "(Windows: Local Computer\\Trusted Root Certification "
	    "Authorities; macOS: System keychain, trust \"Always\").\n");
	r = 0;
out:
	ASN1_INTEGER_free(one);
	X509_CRL_free(crl);
	X509_free(x);
	EVP_PKEY_free(k);
	ctx_close(&c);
	return r;
}

bool
pki_name_ok(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > 64 || name[0] == '.' || name[0] == '-')
		return false;
	return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._-") == len;
}

/* RFC 1123 host names: labels of letters, digits, '-', 1..63 long. */
bool
pki_dns_ok(const char *dns)
{
	size_t len = strlen(dns), label = 0, i;

	if (len == 0 || len > 253)
		return false;
	for (i = 0; i < len; i++) {
		char ch = dns[i];

		if (ch == '.') {
			if (label == 0 || dns[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-'))
			return false;
		if (ch == '-' && label == 0)
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0 && dns[len - 1] != '-';
}

/*
 * Issue a leaf: `cn`, extensions `ext` (NULL-terminated nid/value pairs),
 * key to key_path, cert to crt_path and issued/SERIAL.pem. On success
 * *keyp / *certp are the caller's.
 */
struct ext_spec {
	int nid;
	const char *value;
};

static int
issue(struct pki_ctx *c, const char *cn, const struct ext_spec *ext,
    size_t next, struct pki_key key, const char *key_path,
    const char *crt_path, EVP_PKEY **keyp, X509 **certp, char *serial,
    size_t serial_cap)
{
	char path[PATH_MAX], name[80];
	ASN1_INTEGER *sn = NULL;
	EVP_PKEY *k = NULL;
	X509 *x = NULL;
	size_t i;
	int r = -1;

	if ((k = keygen(key)) == NULL || (sn = serial_next(c)) == NULL ||
	    serial_hex(sn, serial, serial_cap) == -1 ||
	    (x = cert_new(sn, cn, k, DAYS_LEAF)) == NULL)
		goto out;
	if (!X509_set_issuer_name(x, X509_get_subject_name(c->ca))) {
		pki_err(crt_path, "issuer name");
		goto out;
	}
	for (i = 0; i < next; i++)
		if (add_ext(x, c->ca, ext[i].nid, ext[i].value) == -1)
			goto out;
	if (X509_sign(x, c->cakey, sign_md()) <= 0) {
		pki_err(crt_path, "signing");
		goto out;
	}
	snprintf(name, sizeof(name), "issued/%s.pem", serial);
	if (write_key(key_path, k) == -1 || write_cert(crt_path, x, false) ==
	    -1 || path_join(path, sizeof(path), c->dir, name) == -1 ||
	    write_cert(path, x, false) == -1)
		goto out;
	*keyp = k;
	*certp = x;
	k = NULL;
	x = NULL;
	r = 0;
out:
	ASN1_INTEGER_free(sn);
	EVP_PKEY_free(k);
	X509_free(x);
	return r;
}

int
pki_server(const char *dir, const char *const *dns, size_t ndns,
    const char *const *ip, size_t nip, struct pki_key key, FILE *out)
{
	struct pki_ctx c;
	char key_path[PATH_MAX], crt_path[PATH_MAX], san[PKI_MAX_NAMES * 2 *
	    (253 + 8)], serial[80];
	unsigned char addr[16];
	struct ext_spec ext[6];
	size_t i, len = 0;
	EVP_PKEY *k = NULL;
	X509 *x = NULL;
	int r = -1;

	memset(&c, 0, sizeof(c));
	c.lockfd = -1;
	if (ndns == 0 || ndns > PKI_MAX_NAMES || nip > PKI_MAX_NAMES) {
		pki_err("server", "need 1..%d --dns and at most %d --ip",
		    PKI_MAX_NAMES, PKI_MAX_NAMES);
		return -1;
	}
	for (i = 0; i < ndns; i++) {
		if (!pki_dns_ok(dns[i])) {
			pki_err("--dns", "\"%s\" is not a host name", dns[i]);
			return -1;
		}
		len += (size_t)snprintf(san + len, sizeof(san) - len, "%sDNS:%s",
		    len ? "," : "", dns[i]);
	}
	for (i = 0; i < nip; i++) {
		if (inet_pton(AF_INET, ip[i], addr) != 1 &&
		    inet_pton(AF_INET6, ip[i], addr) != 1) {
			pki_err("--ip", "\"%s\" is not an IPv4/IPv6 address",
			    ip[i]);
			return -1;
		}
		len += (size_t)snprintf(san + len, sizeof(san) - len, ",IP:%s",
		    ip[i]);
	}
	if (ctx_open(&c, dir, true) == -1 ||
	    path_join(key_path, sizeof(key_path), dir, "server.key") == -1 ||
	    path_join(crt_path, sizeof(crt_path), dir, "server.crt") == -1)
		goto out;
	if (exists(key_path) || exists(crt_path)) {
		pki_err(exists(key_path) ? key_path : crt_path, "exists; "
		    "refusing to overwrite (revoke and remove it to reissue)");
		goto out;
	}
	ext[0] = (struct ext_spec){ NID_basic_constraints, "critical,CA:FALSE" };
	ext[1] = (struct ext_spec){ NID_key_usage,
	    "critical,digitalSignature,keyEncipherment" };
	/* 1.3.6.1.5.5.8.2.2: iKEIntermediate, required by Windows. */
	ext[2] = (struct ext_spec){ NID_ext_key_usage,
	    "serverAuth,1.3.6.1.5.5.8.2.2" };
	ext[3] = (struct ext_spec){ NID_subject_alt_name, san };
	ext[4] = (struct ext_spec){ NID_authority_key_identifier,
	    "keyid:always" };
	ext[5] = (struct ext_spec){ NID_subject_key_identifier, "hash" };
	if (issue(&c, dns[0], ext, 6, key, key_path, crt_path, &k, &x, serial,
	    sizeof(serial)) == -1)
		goto out;
	fprintf(out, "issued server certificate serial %s, CN=%s, SAN %s, "
	    "valid %d days: %s (key %s, 0600)\n", serial, dns[0], san,
	    DAYS_LEAF, crt_path, key_path);
	print_config(out, dir);
	fprintf(out, "\nClients must reach the server by one of the names in "
	    "the SAN (Windows checks the name it dials).\n");
	r = 0;
out:
	EVP_PKEY_free(k);
	X509_free(x);
	ctx_close(&c);
	return r;
}

/* PASS_LEN characters from [A-Za-z0-9] by rejection sampling. */
static int
gen_password(char *dst, size_t cap)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char rnd[64];
	size_t n = 0, i;
	ssize_t got;

	if (cap < PASS_LEN + 1)
		return -1;
	while (n < PASS_LEN) {
		got = getrandom(rnd, sizeof(rnd), 0);
		if (got == -1 && errno == EINTR)
			continue;
		if (got <= 0) {
			pki_err("getrandom", "%s", strerror(errno));
			return -1;
		}
		for (i = 0; i < (size_t)got && n < PASS_LEN; i++)
			if (rnd[i] < 248)	/* 248 = 4 * 62 */
				dst[n++] = alpha[rnd[i] % 62];
	}
	dst[n] = '\0';
	OPENSSL_cleanse(rnd, sizeof(rnd));
	return 0;
}

static int
read_password(const char *file, char *dst, size_t cap)
{
	FILE *f;
	size_t len;

	if ((f = fopen(file, "re")) == NULL) {
		pki_err(file, "open: %s", strerror(errno));
		return -1;
	}
	if (fgets(dst, (int)cap, f) == NULL) {
		fclose(f);
		pki_err(file, "empty password file");
		return -1;
	}
	fclose(f);
	len = strcspn(dst, "\r\n");
	dst[len] = '\0';
	if (len == 0 || len + 1 >= cap) {
		OPENSSL_cleanse(dst, cap);
		pki_err(file, "password must be 1..%zu bytes on the first line",
		    cap - 2);
		return -1;
	}
	return 0;
}

int
pki_client(const char *dir, const char *name, const char *password_file,
    bool legacy, struct pki_key key, FILE *out)
{
	struct pki_ctx c;
	char key_path[PATH_MAX], crt_path[PATH_MAX], p12_path[PATH_MAX],
	    rel[PATH_MAX], serial[80], pass[256];
	struct ext_spec ext[5];
	STACK_OF(X509) *cas = NULL;
	PKCS12 *p12 = NULL;
	EVP_PKEY *k = NULL;
	X509 *x = NULL;
	BIO *b = NULL;
	int r = -1, nid_enc;

	memset(&c, 0, sizeof(c));
	c.lockfd = -1;
	pass[0] = '\0';
	if (!pki_name_ok(name)) {
		pki_err(name, "client names are 1..64 letters, digits, '.', "
		    "'_', '-', not starting with '.' or '-'");
		return -1;
	}
	if (ctx_open(&c, dir, true) == -1)
		goto out;
	snprintf(rel, sizeof(rel), "clients/%s.key", name);
	if (path_join(key_path, sizeof(key_path), dir, rel) == -1)
		goto out;
	snprintf(rel, sizeof(rel), "clients/%s.crt", name);
	if (path_join(crt_path, sizeof(crt_path), dir, rel) == -1)
		goto out;
	snprintf(rel, sizeof(rel), "clients/%s.p12", name);
	if (path_join(p12_path, sizeof(p12_path), dir, rel) == -1)
		goto out;
	if (exists(key_path) || exists(crt_path) || exists(p12_path)) {
		pki_err(crt_path, "client \"%s\" exists; refusing to "
		    "overwrite", name);
		goto out;
	}
	if (password_file != NULL) {
		if (read_password(password_file, pass, sizeof(pass)) == -1)
			goto out;
	} else if (gen_password(pass, sizeof(pass)) == -1)
		goto out;
	if (mkdir_sub(dir, "clients") == -1)
		goto out;
	ext[0] = (struct ext_spec){ NID_basic_constraints, "critical,CA:FALSE" };
	ext[1] = (struct ext_spec){ NID_key_usage,
	    "critical,digitalSignature,keyEncipherment" };
	ext[2] = (struct ext_spec){ NID_ext_key_usage, "clientAuth" };
	ext[3] = (struct ext_spec){ NID_authority_key_identifier,
	    "keyid:always" };
	ext[4] = (struct ext_spec){ NID_subject_key_identifier, "hash" };
	if (issue(&c, name, ext, 5, key, key_path, crt_path, &k, &x, serial,
	    sizeof(serial)) == -1)
		goto out;
	/*
	 * PKCS#12: PBES2/PBKDF2-HMAC-SHA256/AES-256-CBC for key and
	 * certificates and a SHA-256 MAC (what OpenSSL 3 writes by default;
	 * Windows 10 1709+ and macOS import it). legacy: the old
	 * pbeWithSHA1And3-KeyTripleDES-CBC and SHA-1 MAC (Windows 7/8,
	 * older macOS keychains); no RC2, so no legacy provider is needed.
	 */
	nid_enc = legacy ? NID_pbe_WithSHA1And3_Key_TripleDES_CBC :
	    NID_aes_256_cbc;
	if ((cas = sk_X509_new_null()) == NULL || !sk_X509_push(cas, c.ca)) {
		pki_err(p12_path, "out of memory");
		goto out;
	}
	p12 = PKCS12_create_ex(pass, name, k, x, cas, nid_enc, nid_enc,
	    PKCS12_ITER, -1, 0, NULL, NULL);
	if (p12 == NULL || !PKCS12_set_mac(p12, pass, -1, NULL, 0,
	    PKCS12_ITER, legacy ? EVP_sha1() : EVP_sha256())) {
		pki_err(p12_path, "building the PKCS#12 bundle");
		goto out;
	}
	if ((b = BIO_new(BIO_s_mem())) == NULL || !i2d_PKCS12_bio(b, p12)) {
		pki_err(p12_path, "encoding the PKCS#12 bundle");
		goto out;
	}
	if (write_bio(p12_path, b, 0600, false) == -1)
		goto out;
	fprintf(out, "issued client certificate serial %s, CN=%s, valid %d "
	    "days: %s (key %s, 0600)\n", serial, name, DAYS_LEAF, crt_path,
	    key_path);
	fprintf(out, "PKCS#12 bundle (key, certificate, CA; %s): %s\n",
	    legacy ? "legacy 3DES/SHA-1" : "AES-256-CBC, SHA-256 MAC",
	    p12_path);
	if (password_file == NULL)
		fprintf(out, "PKCS#12 password (shown only now): %s\n", pass);
	else
		fprintf(out, "PKCS#12 password: the one in %s\n",
		    password_file);
	print_config(out, dir);
	fprintf(out, "\nOn the client: Windows: import %s.p12 into Local "
	    "Computer\\Personal (certlm.msc; the CA lands in Trusted Root "
	    "Certification Authorities, else import ca.crt there); macOS: "
	    "import %s.p12 into the System keychain and trust the CA.\n",
	    name, name);
	r = 0;
out:
	OPENSSL_cleanse(pass, sizeof(pass));
	BIO_free(b);
	PKCS12_free(p12);
	sk_X509_free(cas);
	EVP_PKEY_free(k);
	X509_free(x);
	ctx_close(&c);
	return r;
}

static const struct {
	const char *name;
	int code;
} reasons[] = {
	{ "unspecified", CRL_REASON_UNSPECIFIED },
	{ "keyCompromise", CRL_REASON_KEY_COMPROMISE },
	{ "affiliationChanged", CRL_REASON_AFFILIATION_CHANGED },
	{ "superseded", CRL_REASON_SUPERSEDED },
	{ "cessationOfOperation", CRL_REASON_CESSATION_OF_OPERATION },
};

int
pki_revoke(const char *dir, const char *name, const char *reason, FILE *out)
{
	struct pki_ctx c;
	char crt_path[PATH_MAX], crl_path[PATH_MAX], rel[PATH_MAX],
	    serial[80];
	ASN1_ENUMERATED *re = NULL;
	ASN1_INTEGER *num = NULL;
	X509_REVOKED *rev = NULL, *old;
	ASN1_TIME *now = NULL;
	X509_CRL *crl = NULL;
	X509 *x = NULL;
	long crlnum = 1;
	int r = -1, code = -1;
	size_t i;

	memset(&c, 0, sizeof(c));
	c.lockfd = -1;
	if (reason == NULL)
		reason = "unspecified";
	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (strcmp(reason, reasons[i].name) == 0)
			code = reasons[i].code;
	if (code == -1) {
		pki_err("--reason", "\"%s\": one of unspecified, keyCompromise, "
		    "affiliationChanged, superseded, cessationOfOperation",
		    reason);
		return -1;
	}
	if (!pki_name_ok(name)) {
		pki_err(name, "not a client name");
		return -1;
	}
	if (ctx_open(&c, dir, true) == -1)
		goto out;
	snprintf(rel, sizeof(rel), "clients/%s.crt", name);
	if (path_join(crt_path, sizeof(crt_path), dir, rel) == -1 ||
	    path_join(crl_path, sizeof(crl_path), dir, "crl.pem") == -1 ||
	    (x = read_cert(crt_path)) == NULL ||
	    (crl = read_crl(crl_path)) == NULL)
		goto out;
	if (X509_CRL_verify(crl, c.cakey) != 1) {
		pki_err(crl_path, "not signed by this CA");
		goto out;
	}
	if (serial_hex(X509_get0_serialNumber(x), serial, sizeof(serial)) ==
	    -1) {
		pki_err(crt_path, "bad serial");
		goto out;
	}
	if (X509_CRL_get0_by_serial(crl, &old,
	    X509_get0_serialNumber(x)) == 1) {
		pki_err(crt_path, "serial %s is already revoked", serial);
		goto out;
	}
	if ((num = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL,
	    NULL)) != NULL) {
		crlnum = ASN1_INTEGER_get(num);
		if (crlnum < 0 || crlnum == LONG_MAX) {
			pki_err(crl_path, "bad crlNumber");
			goto out;
		}
		crlnum++;
	}
	if ((rev = X509_REVOKED_new()) == NULL ||
	    (now = X509_gmtime_adj(NULL, 0)) == NULL ||
	    !X509_REVOKED_set_serialNumber(rev, X509_get_serialNumber(x)) ||
	    !X509_REVOKED_set_revocationDate(rev, now) ||
	    (re = ASN1_ENUMERATED_new()) == NULL ||
	    !ASN1_ENUMERATED_set(re, code) ||
	    !X509_REVOKED_add1_ext_i2d(rev, NID_crl_reason, re, 0, 0) ||
	    !X509_CRL_add0_revoked(crl, rev)) {
		pki_err(crl_path, "adding serial %s", serial);
		X509_REVOKED_free(rev);
		goto out;
	}
	if (crl_sign(crl, &c, crlnum) == -1 || write_crl(crl_path, crl) == -1)
		goto out;
	fprintf(out, "revoked client \"%s\" (serial %s, reason %s); %s "
	    "rewritten (CRL number %ld, next update in %d days)\n", name,
	    serial, reason, crl_path, crlnum, DAYS_CRL);
	fprintf(out, "ikd must reload crl.pem; re-run vpn-pki revoke or "
	    "another command before the CRL's next update.\n");
	print_config(out, dir);
	r = 0;
out:
	ASN1_ENUMERATED_free(re);
	ASN1_INTEGER_free(num);
	ASN1_TIME_free(now);
	X509_CRL_free(crl);
	X509_free(x);
	ctx_close(&c);
	return r;
}

static int
cmp_names(const void *a, const void *b)
{
	const char *const *x = a, *const *y = b;
	size_t lx = strlen(*x), ly = strlen(*y);

	/* Hex serials: shorter is smaller. */
	if (lx != ly)
		return lx < ly ? -1 : 1;
	return strcmp(*x, *y);
}

int
pki_list(const char *dir, FILE *out)
{
	struct pki_ctx c;
	char path[PATH_MAX], rel[PATH_MAX], subj[256], exp[64], serial[80];
	char **names = NULL, **tmp;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	X509_CRL *crl = NULL;
	X509_REVOKED *rv;
	DIR *d = NULL;
	BIO *b = NULL;
	X509 *x;
	long len;
	char *data;
	int r = -1;

	memset(&c, 0, sizeof(c));
	c.lockfd = -1;
	if (ctx_open(&c, dir, true) == -1 ||
	    path_join(path, sizeof(path), dir, "crl.pem") == -1 ||
	    (crl = read_crl(path)) == NULL ||
	    path_join(path, sizeof(path), dir, "issued") == -1)
		goto out;
	if (X509_CRL_verify(crl, c.cakey) != 1) {
		pki_err("crl.pem", "not signed by this CA");
		goto out;
	}
	if ((d = opendir(path)) == NULL) {
		pki_err(path, "opendir: %s", strerror(errno));
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);

		if (l < 5 || strcmp(de->d_name + l - 4, ".pem") != 0 ||
		    strspn(de->d_name, "0123456789ABCDEF") != l - 4)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((tmp = realloc(names, cap * sizeof(*names))) ==
			    NULL) {
				pki_err(path, "out of memory");
				goto out;
			}
			names = tmp;
		}
		if ((names[n] = strdup(de->d_name)) == NULL) {
			pki_err(path, "out of memory");
			goto out;
		}
		n++;
	}
	qsort(names, n, sizeof(*names), cmp_names);
	fprintf(out, "%-8s %-10s %-24s %s\n", "serial", "status",
	    "expires (UTC)", "subject");
	for (i = 0; i < n; i++) {
		snprintf(rel, sizeof(rel), "issued/%s", names[i]);
		if (path_join(path, sizeof(path), dir, rel) == -1 ||
		    (x = read_cert(path)) == NULL)
			goto out;
		BIO_free(b);
		if ((b = BIO_new(BIO_s_mem())) == NULL ||
		    X509_NAME_print_ex(b, X509_get_subject_name(x), 0,
		    XN_FLAG_ONELINE) < 0 || (len = BIO_get_mem_data(b,
		    &data)) < 0) {
			X509_free(x);
			pki_err(path, "printing the subject");
			goto out;
		}
		snprintf(subj, sizeof(subj), "%.*s", (int)len, data);
		BIO_free(b);
		if ((b = BIO_new(BIO_s_mem())) == NULL ||
		    !ASN1_TIME_print(b, X509_get0_notAfter(x)) ||
		    (len = BIO_get_mem_data(b, &data)) < 0) {
			X509_free(x);
			pki_err(path, "printing the expiry");
			goto out;
		}
		snprintf(exp, sizeof(exp), "%.*s", (int)len, data);
		if (serial_hex(X509_get0_serialNumber(x), serial,
		    sizeof(serial)) == -1)
			snprintf(serial, sizeof(serial), "?");
		fprintf(out, "%-8s %-10s %-24s %s\n", serial,
		    X509_CRL_get0_by_serial(crl, &rv,
		    X509_get0_serialNumber(x)) == 1 ? "revoked" :
		    X509_cmp_current_time(X509_get0_notAfter(x)) < 0 ?
		    "expired" : "valid", exp, subj);
		X509_free(x);
	}
	r = 0;
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	BIO_free(b);
	if (d != NULL)
		closedir(d);
	X509_CRL_free(crl);
	ctx_close(&c);
	return r;
}
