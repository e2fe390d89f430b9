/*
 * test_pki.c - vpn-pki's operations (pki/pki.h) in a temporary directory,
 * checked from outside with the openssl CLI: CA profile, server EKUs and
 * SANs, chain verification, PKCS#12 opening with the printed/filed
 * password (and not with a wrong one), revocation seen by
 * `openssl verify -crl_check`, file modes, refusals (second init, existing
 * server/client, bad names, revoked twice), list output.
 */
#define _XOPEN_SOURCE 700
#include <sys/stat.h>

#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "pki/pki.h"

#define OUT_MAX	65536

static char tmpdir[64];
/* BUILD/vpn-pki, next to BUILD/tests/unit/test_pki (build or build/san). */
static char tool[1024];
static char pkidir[128];

/* Run a shell command (2>&1), its output into out; returns exit status. */
static int __attribute__((format(printf, 3, 4)))
run(char *out, size_t cap, const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	size_t n = 0, got;
	FILE *p;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd) - 8, fmt, ap);
	va_end(ap);
	strcat(cmd, " 2>&1");
	p = popen(cmd, "r");
	assert_non_null(p);
	while ((got = fread(out + n, 1, cap - 1 - n, p)) > 0)
		n += got;
	out[n] = '\0';
	st = pclose(p);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static mode_t
mode_of(const char *rel)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", pkidir, rel);
	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

static bool
exists_in(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", pkidir, rel);
	return access(path, F_OK) == 0;
}

/* Up to cap bytes of pkidir/rel into buf; returns how many. */
static size_t
read_in(const char *rel, void *buf, size_t cap)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", pkidir, rel);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

/* `openssl x509 -text` of pkidir/rel into out (OUT_MAX); exit status. */
static int
x509_text(char *out, const char *rel)
{
	return run(out, OUT_MAX, "openssl x509 -noout -text -in %s/%s",
	    pkidir, rel);
}

/* `openssl verify` of pkidir/rel against the CA; exit status. */
static int
verify_ca(char *out, const char *rel)
{
	return run(out, OUT_MAX, "openssl verify -CAfile %s/ca.crt %s/%s",
	    pkidir, pkidir, rel);
}

/* The same, checking the CA's CRL too. */
static int
verify_crl(char *out, const char *rel)
{
	return run(out, OUT_MAX, "openssl verify -crl_check -CRLfile "
	    "%s/crl.pem -CAfile %s/ca.crt %s/%s", pkidir, pkidir, pkidir, rel);
}

/* pkidir/rel is valid for `days` days from now: one day less, not more. */
static void
assert_valid_days(char *out, const char *rel, int days)
{
	assert_int_equal(run(out, OUT_MAX, "openssl x509 -noout -in %s/%s "
	    "-checkend %d", pkidir, rel, (days - 1) * 86400), 0);
	assert_int_not_equal(run(out, OUT_MAX, "openssl x509 -noout -in "
	    "%s/%s -checkend %d", pkidir, rel, (days + 1) * 86400), 0);
}

/* The CRL as text into out; it verifies against the CA. */
static void
crl_text_ok(char *out)
{
	assert_int_equal(run(out, OUT_MAX, "openssl crl -noout -text -CAfile "
	    "%s/ca.crt -in %s/crl.pem", pkidir, pkidir), 0);
	assert_non_null(strstr(out, "verify OK"));
}

/* `openssl pkcs12 -info` of client name's PKCS#12 with the password in
 * pwfile; exit status. */
static int
p12_info(char *out, const char *name, const char *pwfile)
{
	return run(out, OUT_MAX, "openssl pkcs12 -info -noout -in "
	    "%s/clients/%s.p12 -passin file:%s", pkidir, name, pwfile);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_pki.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	/* Not yet existing: init creates it 0711. */
	snprintf(pkidir, sizeof(pkidir), "%s/etc/pki", tmpdir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A memory stream for the tools' messages. */
struct sink {
	char *buf;
	size_t len;
	FILE *f;
};

static void
sink_open(struct sink *s)
{
	s->buf = NULL;
	s->len = 0;
	s->f = open_memstream(&s->buf, &s->len);
	assert_non_null(s->f);
}

static void
sink_close(struct sink *s)
{
	fclose(s->f);
	free(s->buf);
}

static void
init_ca(struct pki_key key)
{
	struct sink s;

	sink_open(&s);
	assert_int_equal(pki_init(pkidir, "Test VPN CA", key, s.f), 0);
	fflush(s.f);
	/* No server certificate yet: no configuration lines yet. */
	assert_non_null(strstr(s.buf, "Configuration for ikd: printed by "
	    "`vpn-pki server`"));
	assert_null(strstr(s.buf, "ca_file"));
	sink_close(&s);
}

static void
test_init(void **state)
{
	char out[OUT_MAX], before[4096], after[4096];
	struct sink s;
	size_t n1, n2;

	(void)state;
	init_ca(PKI_KEY_DEFAULT);
	assert_int_equal(mode_of(""), 0711);
	assert_int_equal(mode_of("ca.key"), 0600);
	assert_int_equal(mode_of("serial"), 0600);
	assert_int_equal(x509_text(out, "ca.crt"), 0);
	assert_non_null(strstr(out, "Subject: CN = Test VPN CA"));
	assert_non_null(strstr(out, "Issuer: CN = Test VPN CA"));
	assert_non_null(strstr(out, "X509v3 Basic Constraints: critical"));
	assert_non_null(strstr(out, "CA:TRUE, pathlen:0"));
	assert_non_null(strstr(out, "Certificate Sign, CRL Sign"));
	assert_non_null(strstr(out, "X509v3 Subject Key Identifier"));
	assert_non_null(strstr(out, "rsaEncryption"));
	assert_non_null(strstr(out, "(2048 bit)"));
	/* Self-signed and valid ~10 years (3650 days from today). */
	assert_int_equal(verify_ca(out, "ca.crt"), 0);
	assert_valid_days(out, "ca.crt", 3650);
	/* The empty CRL verifies against the CA. */
	crl_text_ok(out);
	assert_non_null(strstr(out, "No Revoked Certificates"));

	/* A second init is refused and leaves the key alone. */
	n1 = read_in("ca.key", before, sizeof(before));
	sink_open(&s);
	assert_int_equal(pki_init(pkidir, NULL, PKI_KEY_DEFAULT, s.f), -1);
	sink_close(&s);
	n2 = read_in("ca.key", after, sizeof(after));
	assert_int_equal(n1, n2);
	assert_memory_equal(before, after, n1);
	/* Also through the binary: exit 1 and the file in the message. */
	assert_int_equal(run(out, sizeof(out), "%s -d %s init",
	    tool, pkidir), 1);
	assert_non_null(strstr(out, "ca.key: a CA exists already"));
}

static void
test_server(void **state)
{
	const char *dns[] = { "vpn.example.com", "vpn2.example.org" };
	const char *ip[] = { "192.0.2.1", "2001:db8::7" };
	const char *bad_dns[] = { "vpn.example.com,IP:1.2.3.4" };
	const char *bad_ip[] = { "192.0.2.300" };
	char out[OUT_MAX];
	struct sink s;

	(void)state;
	init_ca((struct pki_key){ PKI_KEY_ECDSA_P256, 0 });
	sink_open(&s);
	/* Refused before anything is written. */
	assert_int_equal(pki_server(pkidir, bad_dns, 1, ip, 2,
	    PKI_KEY_DEFAULT, s.f), -1);
	assert_int_equal(pki_server(pkidir, dns, 1, bad_ip, 1,
	    PKI_KEY_DEFAULT, s.f), -1);
	assert_int_equal(pki_server(pkidir, dns, 0, ip, 0, PKI_KEY_DEFAULT,
	    s.f), -1);
	assert_false(exists_in("server.key"));
	assert_false(exists_in("server.crt"));
	assert_int_equal(pki_server(pkidir, dns, 2, ip, 2, PKI_KEY_DEFAULT,
	    s.f), 0);
	assert_int_equal(mode_of("server.key"), 0600);
	assert_true(exists_in("server.crt"));
	/* Never overwritten. */
	assert_int_equal(pki_server(pkidir, dns, 1, NULL, 0, PKI_KEY_DEFAULT,
	    s.f), -1);
	sink_close(&s);

	assert_int_equal(x509_text(out, "server.crt"), 0);
	assert_non_null(strstr(out, "Subject: CN = vpn.example.com\n"));
	assert_non_null(strstr(out, "Issuer: CN = Test VPN CA"));
	assert_non_null(strstr(out,
	    "TLS Web Server Authentication, 1.3.6.1.5.5.8.2.2"));
	assert_non_null(strstr(out, "Digital Signature, Key Encipherment"));
	assert_non_null(strstr(out, "DNS:vpn.example.com, "
	    "DNS:vpn2.example.org, IP Address:192.0.2.1, "
	    "IP Address:2001:DB8:0:0:0:0:0:7"));
	assert_non_null(strstr(out, "CA:FALSE"));
	assert_non_null(strstr(out, "(2048 bit)"));
	assert_non_null(strstr(out, "ecdsa-with-SHA256"));
	assert_int_equal(verify_ca(out, "server.crt"), 0);
	assert_non_null(strstr(out, "server.crt: OK"));
	/* Valid two years, not longer. */
	assert_valid_days(out, "server.crt", 730);
	/* The key belongs to the certificate. */
	assert_int_equal(run(out, sizeof(out), "test \"$(openssl x509 -noout "
	    "-pubkey -in %s/server.crt)\" = \"$(openssl pkey -pubout -in "
	    "%s/server.key)\"", pkidir, pkidir), 0);
	/* A certificate from another CA does not verify: the check can fail. */
	assert_int_not_equal(run(out, sizeof(out), "openssl verify -CAfile "
	    "%s/server.crt %s/ca.crt", pkidir, pkidir), 0);
}

/*
 * The ike section vpn-pki server prints, from "ike = {" to "};\n", into a
 * new string (the caller frees it). With uncomment, "# cert_allow" lines
 * lose their "# ".
 */
static char *
printed_ike(const char *printed, bool uncomment)
{
	const char *from = strstr(printed, "\nike = {\n"), *to;
	char *r, *c;

	assert_non_null(from);
	from++;
	to = strstr(from, "\n};\n");
	assert_non_null(to);
	r = strndup(from, (size_t)(to - from) + 4);
	assert_non_null(r);
	if (uncomment && (c = strstr(r, "# cert_allow")) != NULL)
		memmove(c, c + 2, strlen(c + 2) + 1);
	return r;
}

static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/*
 * What vpn-pki prints loads as it is: alone (with cert_allow uncommented,
 * whose example matches the CA's DN), and pasted into the example
 * vpn.conf's ike section as the text tells.
 */
static void
test_config_loads(void **state)
{
	const char *dns[] = { "vpn.example.com" };
	char conf[256], path[512], *ike, *example, *text, *at;
	struct conf_err err;
	struct vpn_conf *c;
	struct sink s;
	FILE *f;
	size_t n;

	(void)state;
	init_ca(PKI_KEY_DEFAULT);
	sink_open(&s);
	assert_int_equal(pki_server(pkidir, dns, 1, NULL, 0, PKI_KEY_DEFAULT,
	    s.f), 0);
	fflush(s.f);
	assert_null(strstr(s.buf, "not in ikd"));
	assert_null(strstr(s.buf, "refuses"));
	snprintf(conf, sizeof(conf), "%s/vpn.conf", tmpdir);

	/* Alone: certificate-only, no PSK needed. */
	ike = printed_ike(s.buf, true);
	assert_non_null(strstr(ike, "\n\tcert_allow = ( { issuer = "
	    "\"CN=Test VPN CA\"; subject = \"CN=*\"; } );\n"));
	n = strlen(ike) + 64;
	text = malloc(n);
	assert_non_null(text);
	snprintf(text, n, "secrets_file = \"\";\n%s", ike);
	write_text(conf, text);
	free(text);
	c = conf_load(conf, &err);
	if (c == NULL)
		fail_msg("%s\n--- printed:\n%s", err.msg, s.buf);
	snprintf(path, sizeof(path), "%s/ca.crt", pkidir);
	assert_string_equal(c->ike.ca_file, path);
	snprintf(path, sizeof(path), "%s/server.crt", pkidir);
	assert_string_equal(c->ike.cert_file, path);
	snprintf(path, sizeof(path), "%s/server.key", pkidir);
	assert_string_equal(c->ike.key_file, path);
	snprintf(path, sizeof(path), "%s/crl.pem", pkidir);
	assert_string_equal(c->ike.crl_file, path);
	assert_int_equal(c->ike.ncert_allow, 1);
	assert_string_equal(c->ike.cert_allow[0].issuer, "CN=Test VPN CA");
	assert_string_equal(c->ike.cert_allow[0].subject, "CN=*");
	assert_null(c->ike.psk.str);
	conf_free(c);
	free(ike);

	/* Its lines pasted into the example's ike section. */
	ike = printed_ike(s.buf, false);
	f = fopen("conf/vpn.conf", "r");
	assert_non_null(f);
	example = calloc(1, OUT_MAX);
	assert_non_null(example);
	assert_true(fread(example, 1, OUT_MAX - 1, f) > 0);
	fclose(f);
	at = strstr(example, "\nike = {\n");
	assert_non_null(at);
	at += strlen("\nike = {\n");
	n = strlen(example) + strlen(ike) + 1;
	text = malloc(n);
	assert_non_null(text);
	/* The example's "ike = {", the printed lines inside, the rest. */
	snprintf(text, n, "%.*s%.*s%s", (int)(at - example), example,
	    (int)(strlen(ike) - strlen("ike = {\n") - strlen("};\n")),
	    ike + strlen("ike = {\n"), at);
	write_text(conf, text);
	c = conf_load(conf, &err);
	if (c == NULL)
		fail_msg("%s\n--- text:\n%s", err.msg, text);
	snprintf(path, sizeof(path), "%s/server.key", pkidir);
	assert_string_equal(c->ike.key_file, path);
	assert_int_equal(c->ike.ncert_allow, 0);
	conf_free(c);
	free(text);
	free(example);
	free(ike);
	sink_close(&s);
}

/* Issue client `name`, return the generated password in pass. */
static void
client_generated(const char *name, char *pass, size_t cap)
{
	struct sink s;
	const char *p;
	size_t n;

	sink_open(&s);
	assert_int_equal(pki_client(pkidir, name, NULL, false,
	    PKI_KEY_DEFAULT, s.f), 0);
	fflush(s.f);
	p = strstr(s.buf, "PKCS#12 password (shown only now): ");
	assert_non_null(p);
	p += strlen("PKCS#12 password (shown only now): ");
	n = strcspn(p, "\n");
	assert_int_equal(n, 20);
	assert_true(n < cap);
	memcpy(pass, p, n);
	pass[n] = '\0';
	/* Printed exactly once. */
	assert_null(strstr(p + n, pass));
	sink_close(&s);
}

static void
test_client(void **state)
{
	char out[OUT_MAX], pass[64], pwfile[256], wrong[256];
	struct sink s;

	(void)state;
	init_ca(PKI_KEY_DEFAULT);
	client_generated("alice", pass, sizeof(pass));
	assert_int_equal(mode_of("clients/alice.key"), 0600);
	assert_int_equal(mode_of("clients/alice.p12"), 0600);
	assert_int_equal(mode_of("clients"), 0700);
	snprintf(pwfile, sizeof(pwfile), "%s/pw", tmpdir);
	write_text(pwfile, pass);
	assert_int_equal(p12_info(out, "alice", pwfile), 0);
	assert_non_null(strstr(out, "MAC: sha256, Iteration 2048"));
	assert_non_null(strstr(out, "PBES2, PBKDF2, AES-256-CBC, Iteration "
	    "2048, PRF hmacWithSHA256"));
	/* Key, client certificate and the CA inside. */
	assert_int_equal(run(out, sizeof(out), "openssl pkcs12 -in "
	    "%s/clients/alice.p12 -passin file:%s -nodes | grep -c "
	    "'BEGIN CERTIFICATE\\|BEGIN PRIVATE KEY\\|subject=CN = alice\\|"
	    "subject=CN = Test VPN CA'", pkidir, pwfile), 0);
	assert_int_equal(atoi(out), 5);
	/* A wrong password does not open it. */
	snprintf(wrong, sizeof(wrong), "%s/wrong", tmpdir);
	write_text(wrong, "not-the-password\n");
	assert_int_not_equal(p12_info(out, "alice", wrong), 0);
	assert_non_null(strstr(out, "verify error"));

	assert_int_equal(x509_text(out, "clients/alice.crt"), 0);
	assert_non_null(strstr(out, "Subject: CN = alice\n"));
	assert_non_null(strstr(out, "TLS Web Client Authentication\n"));
	assert_null(strstr(out, "Server Authentication"));
	assert_int_equal(verify_ca(out, "clients/alice.crt"), 0);

	/* Password from a file (first line), legacy encryption. */
	write_text(pwfile, "s3cret pass\nsecond line ignored\n");
	sink_open(&s);
	assert_int_equal(pki_client(pkidir, "bob.laptop", pwfile, true,
	    (struct pki_key){ PKI_KEY_ECDSA_P256, 0 }, s.f), 0);
	fflush(s.f);
	assert_null(strstr(s.buf, "s3cret"));
	assert_null(strstr(s.buf, "shown only now"));
	/* Existing client, bad names, missing password file: refused. */
	assert_int_equal(pki_client(pkidir, "alice", pwfile, false,
	    PKI_KEY_DEFAULT, s.f), -1);
	assert_int_equal(pki_client(pkidir, "../alice", pwfile, false,
	    PKI_KEY_DEFAULT, s.f), -1);
	assert_int_equal(pki_client(pkidir, ".hidden", pwfile, false,
	    PKI_KEY_DEFAULT, s.f), -1);
	assert_int_equal(pki_client(pkidir, "", pwfile, false,
	    PKI_KEY_DEFAULT, s.f), -1);
	assert_int_equal(pki_client(pkidir, "carol", "/nonexistent/pw", false,
	    PKI_KEY_DEFAULT, s.f), -1);
	assert_false(exists_in("clients/carol.key"));
	assert_false(exists_in("clients/alice.key.tmp"));
	sink_close(&s);
	write_text(pwfile, "s3cret pass\n");
	assert_int_equal(p12_info(out, "bob.laptop", pwfile), 0);
	assert_non_null(strstr(out, "MAC: sha1, Iteration 2048"));
	assert_non_null(strstr(out, "pbeWithSHA1And3-KeyTripleDES-CBC"));
}

static void
test_revoke_list(void **state)
{
	const char *dns[] = { "vpn.example.com" };
	char out[OUT_MAX], pass[64];
	struct sink s;

	(void)state;
	init_ca(PKI_KEY_DEFAULT);
	sink_open(&s);
	assert_int_equal(pki_server(pkidir, dns, 1, NULL, 0,
	    (struct pki_key){ PKI_KEY_ECDSA_P256, 0 }, s.f), 0);
	sink_close(&s);
	client_generated("alice", pass, sizeof(pass));
	client_generated("bob", pass, sizeof(pass));
	assert_int_equal(verify_crl(out, "clients/alice.crt"), 0);

	sink_open(&s);
	assert_int_equal(pki_revoke(pkidir, "alice", "bogusReason", s.f), -1);
	assert_int_equal(pki_revoke(pkidir, "nobody", NULL, s.f), -1);
	assert_int_equal(pki_revoke(pkidir, "alice", "keyCompromise", s.f), 0);
	/* Twice: refused, the CRL keeps one entry. */
	assert_int_equal(pki_revoke(pkidir, "alice", NULL, s.f), -1);
	sink_close(&s);
	assert_int_equal(mode_of("crl.pem"), 0644);
	assert_int_not_equal(verify_crl(out, "clients/alice.crt"), 0);
	assert_non_null(strstr(out, "certificate revoked"));
	assert_int_equal(verify_crl(out, "clients/bob.crt"), 0);
	assert_int_equal(verify_crl(out, "server.crt"), 0);
	crl_text_ok(out);
	assert_non_null(strstr(out, "X509v3 CRL Number: \n                2\n"));
	assert_non_null(strstr(out, "Key Compromise"));
	assert_non_null(strstr(out, "Serial Number: 03\n"));
	assert_null(strstr(out, "Serial Number: 04"));
	/* Next update in 30 days. */
	assert_int_equal(run(out, sizeof(out), "n=$(openssl crl -noout "
	    "-nextupdate -in %s/crl.pem | cut -d= -f2); "
	    "d=$(( ($(date -d \"$n\" +%%s) - $(date +%%s)) / 3600 )); "
	    "echo $d; [ $d -ge 719 ] && [ $d -le 720 ]", pkidir), 0);

	sink_open(&s);
	assert_int_equal(pki_list(pkidir, s.f), 0);
	fflush(s.f);
	assert_non_null(strstr(s.buf, "\n02       valid      "));
	assert_non_null(strstr(s.buf, "CN = vpn.example.com\n"));
	assert_non_null(strstr(s.buf, "\n03       revoked    "));
	assert_non_null(strstr(s.buf, "CN = alice\n"));
	assert_non_null(strstr(s.buf, "\n04       valid      "));
	assert_non_null(strstr(s.buf, "CN = bob\n"));
	sink_close(&s);
	/* The binary agrees, with the secrets nowhere in its output. */
	assert_int_equal(run(out, sizeof(out), "%s -d %s list",
	    tool, pkidir), 0);
	assert_non_null(strstr(out, "03       revoked"));
	assert_null(strstr(out, pass));
}

static void
test_names(void **state)
{
	(void)state;
	assert_true(pki_name_ok("alice"));
	assert_true(pki_name_ok("bob.laptop_2-x"));
	assert_false(pki_name_ok(""));
	assert_false(pki_name_ok("../x"));
	assert_false(pki_name_ok("a/b"));
	assert_false(pki_name_ok("-rf"));
	assert_false(pki_name_ok("a b"));
	assert_true(pki_dns_ok("vpn.example.com"));
	assert_true(pki_dns_ok("a"));
	assert_false(pki_dns_ok(""));
	assert_false(pki_dns_ok("vpn..example"));
	assert_false(pki_dns_ok(".vpn"));
	assert_false(pki_dns_ok("vpn."));
	assert_false(pki_dns_ok("-vpn.example"));
	assert_false(pki_dns_ok("vpn-.example"));
	assert_false(pki_dns_ok("vpn,IP:1.2.3.4"));
	assert_false(pki_dns_ok("*.example.com"));
}

/* Without a CA every command fails and says which file is missing. */
static void
test_no_ca(void **state)
{
	char out[OUT_MAX];

	(void)state;
	assert_int_equal(run(out, sizeof(out), "%s -d %s client "
	    "alice", tool, pkidir), 1);
	assert_non_null(strstr(out, "/ca.crt: open: No such file"));
	assert_int_equal(run(out, sizeof(out), "%s -d %s list",
	    tool, pkidir), 1);
	assert_int_equal(run(out, sizeof(out), "%s -d %s frob",
	    tool, pkidir), 2);
	assert_int_equal(run(out, sizeof(out), "%s -d %s init "
	    "--rsa 1024", tool, pkidir), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_loads, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_client, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revoke_list, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_no_ca, setup, teardown),
	};

	ssize_t n;
	char *slash;

	n = readlink("/proc/self/exe", tool, sizeof(tool) - 32);
	if (n <= 0)
		return 1;
	tool[n] = '\0';
	if ((slash = strstr(tool, "/tests/unit/test_pki")) == NULL)
		return 1;
	strcpy(slash, "/vpn-pki");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
