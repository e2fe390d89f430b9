/*
 * test_priv.c - ikd's privilege separation (ikd/priv.h): the parent's
 * request parser (every type on the menu, unknown types, body sizes at
 * -1/0/+1, every truncation, requests the xfrm checks refuse), the
 * executor's refusal reply, a full round trip of every request through a
 * SOCK_SEQPACKET socketpair to a parent process on the "none" backend
 * (including a refused one and a malformed reply), and the privilege
 * drop in a forked process.
 */
#include <sys/prctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <event2/event.h>

#include "ikd/cert.h"
#include "ikd/ikd.h"
#include "ikd/sig.h"
#include "ikd/policy.h"
#include "ikd/priv.h"
#include "ikd/xfrm.h"
#include "lib/log.h"
#include "tests/lib/certgen.h"

static void
ip4(union xfrm_ipaddr *a, const char *s)
{
	memset(a, 0, sizeof(*a));
	assert_int_equal(inet_pton(AF_INET, s, &a->v4), 1);
}

static void
spi_req(struct xfrm_spi_req *r)
{
	memset(r, 0, sizeof(*r));
	r->family = AF_INET;
	ip4(&r->peer, "192.0.2.2");
	ip4(&r->local, "192.0.2.1");
	r->reqid = XFRM_REQID_L2TP;
}

/* Inbound AES-128-CBC + HMAC-SHA1-96 from 192.0.2.2. */
static void
sa_req(struct xfrm_sa_req *r, uint32_t spi)
{
	memset(r, 0, sizeof(*r));
	r->family = AF_INET;
	r->dir = XFRM_DIR_IN;
	ip4(&r->src, "192.0.2.2");
	ip4(&r->dst, "192.0.2.1");
	r->spi = spi;
	r->reqid = XFRM_REQID_L2TP;
	xfrm_sel_any(&r->sel, AF_UNSPEC);
	r->enc = XFRM_ENC_AES_CBC;
	r->enc_key_len = 16;
	memset(r->enc_key, 0x11, 16);
	r->auth = XFRM_AUTH_HMAC_SHA1_96;
	r->auth_key_len = 20;
	memset(r->auth_key, 0x22, 20);
	r->replay_window = 32;
	r->hard_secs = 3600;
	r->soft_secs = 3000;
}

static void
sa_id(struct xfrm_sa_id *id, uint32_t spi)
{
	memset(id, 0, sizeof(*id));
	id->family = AF_INET;
	ip4(&id->dst, "192.0.2.1");
	id->spi = spi;
}

struct valid {
	uint32_t		 type;
	size_t			 len;
	union {
		struct xfrm_spi_req	 spi;
		struct xfrm_sa_req	 sa;
		struct xfrm_sa_id	 id;
		struct priv_l2tp	 l2tp;
	} u;
};

static size_t
valid_set(struct valid *v)
{
	size_t n = 0;

	v[n].type = PRIV_SPI_ALLOC;
	spi_req(&v[n].u.spi);
	v[n++].len = sizeof(struct xfrm_spi_req);
	v[n].type = PRIV_SA_ADD;
	sa_req(&v[n].u.sa, 0xc0000101);
	v[n++].len = sizeof(struct xfrm_sa_req);
	v[n].type = PRIV_SA_DEL;
	sa_id(&v[n].u.id, 0xc0000101);
	v[n++].len = sizeof(struct xfrm_sa_id);
	v[n].type = PRIV_SA_COUNTERS;
	sa_id(&v[n].u.id, 0xc0000101);
	v[n++].len = sizeof(struct xfrm_sa_id);
	v[n].type = PRIV_POLICY_LIST;
	v[n++].len = 0;
	v[n].type = PRIV_L2TP_REGISTER;
	memset(&v[n].u, 0, sizeof(v[n].u));
	v[n].u.l2tp.port = 1701;
	v[n++].len = sizeof(struct priv_l2tp);
	return n;
}

static void
test_parse_valid(void **state)
{
	struct valid v[8];
	struct priv_req q;
	uint8_t buf[PRIV_MSG_MAX];
	const char *why = NULL;
	uint32_t seq;
	size_t n, i, len;

	(void)state;
	n = valid_set(v);
	for (i = 0; i < n; i++) {
		len = priv_req_build(buf, sizeof(buf), v[i].type, 100 + i,
		    &v[i].u, v[i].len);
		assert_int_equal(len, PRIV_REQ_HDR + v[i].len);
		if (!priv_req_parse(buf, len, &q, &seq, &why))
			fail_msg("%s refused: %s", priv_type_name(v[i].type),
			    why);
		assert_int_equal(q.type, v[i].type);
		assert_int_equal(q.seq, 100 + i);
		assert_int_equal(seq, 100 + i);
		assert_memory_equal(&q.u, &v[i].u, v[i].len);
	}
	assert_string_equal(priv_type_name(PRIV_SA_ADD), "sa-add");
	assert_string_equal(priv_type_name((enum priv_type)0), "?");
	/* a build that does not fit */
	assert_int_equal(priv_req_build(buf, PRIV_REQ_HDR + 3, PRIV_SA_DEL,
	    1, &v[2].u, v[2].len), 0);
}

static void
expect_refused(const uint8_t *p, size_t len, const char *what)
{
	struct priv_req q;
	const char *why = NULL;
	uint32_t seq;

	if (priv_req_parse(p, len, &q, &seq, &why))
		fail_msg("accepted: %s (%zu bytes)", what, len);
	assert_non_null(why);
}

/* A request of type with that body (seq 1) is refused. */
static void
expect_body_refused(uint32_t type, const void *body, size_t blen,
    const char *what)
{
	uint8_t buf[PRIV_MSG_MAX + 8];
	size_t len;

	len = priv_req_build(buf, sizeof(buf), type, 1, body, blen);
	expect_refused(buf, len, what);
}

static void
test_parse_refused(void **state)
{
	struct valid v[8];
	uint8_t buf[PRIV_MSG_MAX + 8], body[PRIV_MSG_MAX];
	struct xfrm_spi_req sr;
	struct xfrm_sa_req r;
	struct xfrm_sa_id id;
	struct priv_l2tp l2;
	static const uint32_t bad_types[] = { 0, 7, 8, 0x100, 0xffffffffu };
	size_t n, i, len, k;

	(void)state;
	memset(body, 0, sizeof(body));
	/* types not on the menu, any size */
	for (i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]); i++)
		for (k = 0; k < 64; k += 7) {
			expect_body_refused(bad_types[i], body, k,
			    "unknown type");
		}
	/* every type: body size -1 and +1, and every truncation */
	n = valid_set(v);
	for (i = 0; i < n; i++) {
		len = priv_req_build(buf, sizeof(buf), v[i].type, 1, &v[i].u,
		    v[i].len);
		buf[len] = 0;
		expect_refused(buf, len + 1, "body + 1");
		for (k = 0; k < len; k++)
			expect_refused(buf, k, "truncated");
	}
	/* the xfrm checks: a reqid not ours, other protocols' keys, port 0 */
	spi_req(&sr);
	sr.reqid = 1;
	expect_body_refused(PRIV_SPI_ALLOC, &sr, sizeof(sr),
	    "SPI request with a foreign reqid");
	sa_req(&r, 0xc0000101);
	r.reqid = 16384;
	expect_body_refused(PRIV_SA_ADD, &r, sizeof(r),
	    "SA with a foreign reqid");
	sa_req(&r, 0xc0000101);
	r.enc_key_len = 15;
	expect_body_refused(PRIV_SA_ADD, &r, sizeof(r),
	    "SA with a bad key length");
	sa_req(&r, 0xc0000101);
	r.enc = (enum xfrm_enc)77;
	expect_body_refused(PRIV_SA_ADD, &r, sizeof(r),
	    "SA with an unknown cipher");
	sa_req(&r, 0xc0000101);
	r.enc_key_len = XFRM_ENC_KEY_MAX + 1;
	expect_body_refused(PRIV_SA_ADD, &r, sizeof(r),
	    "SA with a key past its buffer");
	sa_id(&id, 0);
	expect_body_refused(PRIV_SA_DEL, &id, sizeof(id), "delete of SPI 0");
	sa_id(&id, 5);
	id.family = AF_UNIX;
	expect_body_refused(PRIV_SA_COUNTERS, &id, sizeof(id),
	    "counters of a bad family");
	memset(&l2, 0, sizeof(l2));
	expect_body_refused(PRIV_L2TP_REGISTER, &l2, sizeof(l2), "L2TP port 0");
	/* longer than any message */
	expect_body_refused(PRIV_SA_ADD, body, PRIV_MSG_MAX - PRIV_REQ_HDR,
	    "oversized");
}

static void
test_handle_refusal(void **state)
{
	struct priv_parent pp;
	struct xfrm_sa_req r;
	uint8_t buf[PRIV_MSG_MAX], out[PRIV_MSG_MAX];
	size_t len, rlen;

	(void)state;
	memset(&pp, 0, sizeof(pp));
	pp.xb = xfrm_backend_new(CONF_KERNEL_NONE);
	assert_non_null(pp.xb);
	sa_req(&r, 0xc0000101);
	r.reqid = 1;
	len = priv_req_build(buf, sizeof(buf), PRIV_SA_ADD, 42, &r,
	    sizeof(r));
	rlen = priv_parent_handle(&pp, buf, len, out);
	/* type, seq, result -1, EPERM, no body */
	assert_int_equal(rlen, PRIV_REPLY_HDR);
	assert_int_equal(out[3], PRIV_SA_ADD);
	assert_int_equal(out[7], 42);
	assert_int_equal(out[8], 0xff);
	assert_int_equal(out[15], EPERM);
	assert_int_equal(pp.refused, 1);
	assert_int_equal(pp.handled, 0);
	/* a short header: type 0, seq 0 */
	rlen = priv_parent_handle(&pp, buf, 3, out);
	assert_int_equal(rlen, PRIV_REPLY_HDR);
	assert_int_equal(out[3], 0);
	assert_int_equal(pp.refused, 2);
	xfrm_backend_free(pp.xb);
}

/* The key the parent of test_sign holds (NULL in the other tests). */
static struct ikd_certs *serve_certs;

/* A parent on the "none" backend serving fd until EOF. */
static void __attribute__((noreturn))
serve(int fd)
{
	struct priv_parent pp;

	memset(&pp, 0, sizeof(pp));
	pp.certs = serve_certs;
	if ((pp.base = event_base_new()) == NULL ||
	    (pp.xb = xfrm_backend_new(CONF_KERNEL_NONE)) == NULL)
		_exit(3);
	pp.l2tp_port = 1701;
	for (;;) {
		fd_set rs;

		FD_ZERO(&rs);
		FD_SET(fd, &rs);
		if (select(fd + 1, &rs, NULL, NULL, NULL) == -1)
			_exit(4);
		if (priv_parent_serve(&pp, fd) == -1)
			break;
	}
	policy_mgr_free(pp.pm);
	xfrm_backend_free(pp.xb);
	event_base_free(pp.base);
	_exit(0);
}

/* Fork a serve() parent; returns this side's end of the socketpair. */
static int
parent_start(pid_t *pid)
{
	int sp[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp), 0);
	if ((*pid = fork()) == 0) {
		close(sp[0]);
		serve(sp[1]);
	}
	assert_true(*pid > 0);
	close(sp[1]);
	return sp[0];
}

/* The child pid exits, with status 0. */
static void
wait_exit0(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void
test_round_trip(void **state)
{
	struct priv_client pc;
	struct xfrm_spi_req sr;
	struct xfrm_sa_req r;
	struct xfrm_sa_id id;
	struct xfrm_sa_counters c;
	struct priv_policy_list *l;
	struct priv_l2tp l2;
	uint32_t spi = 0, spi2 = 0, npol = 0;
	pid_t pid;

	(void)state;
	memset(&pc, 0, sizeof(pc));
	pc.fd = parent_start(&pid);

	spi_req(&sr);
	assert_int_equal(priv_kernel_ops.spi_alloc(&pc, &sr, &spi), 0);
	assert_true(spi >= XFRM_SPI_MIN);
	assert_int_equal(priv_kernel_ops.spi_alloc(&pc, &sr, &spi2), 0);
	assert_true(spi2 != spi);
	sa_req(&r, spi);
	assert_int_equal(priv_kernel_ops.sa_add(&pc, &r), 0);
	sa_id(&id, spi);
	memset(&c, 0xff, sizeof(c));
	assert_int_equal(priv_kernel_ops.sa_counters(&pc, &id, &c), 0);
	assert_int_equal(c.bytes, 0);
	assert_int_equal(c.packets, 0);
	assert_int_equal(priv_kernel_ops.sa_del(&pc, &id), 0);
	/* gone now: the backend's ESRCH comes back */
	errno = 0;
	assert_int_equal(priv_kernel_ops.sa_del(&pc, &id), -1);
	assert_int_equal(errno, ESRCH);
	/* refused by the parent's check: EPERM */
	sa_req(&r, spi2);
	r.reqid = 7;
	errno = 0;
	assert_int_equal(priv_kernel_ops.sa_add(&pc, &r), -1);
	assert_int_equal(errno, EPERM);
	/* no policy manager yet: an empty list */
	l = calloc(1, sizeof(*l));
	assert_non_null(l);
	assert_int_equal(priv_call(&pc, PRIV_POLICY_LIST, NULL, 0, l,
	    sizeof(*l)), 0);
	assert_int_equal(l->n, 0);
	assert_int_equal(l->l2tp_port, 1701);
	/* registration creates the manager (inbound policies at least) */
	memset(&l2, 0, sizeof(l2));
	l2.port = 1701;
	assert_int_equal(priv_call(&pc, PRIV_L2TP_REGISTER, &l2, sizeof(l2),
	    &npol, sizeof(npol)), 0);
	assert_true(npol >= 1);
	assert_int_equal(priv_call(&pc, PRIV_POLICY_LIST, NULL, 0, l,
	    sizeof(*l)), 0);
	assert_int_equal(l->n, npol);
	assert_int_equal(l->p[0].req.dir, XFRM_DIR_IN);
	assert_int_equal(l->p[0].req.sel.dport, 1701);
	assert_int_equal(l->p[0].installed, 1);
	/* another port: the policies follow */
	l2.port = 1702;
	assert_int_equal(priv_call(&pc, PRIV_L2TP_REGISTER, &l2, sizeof(l2),
	    &npol, sizeof(npol)), 0);
	assert_int_equal(priv_call(&pc, PRIV_POLICY_LIST, NULL, 0, l,
	    sizeof(*l)), 0);
	assert_int_equal(l->l2tp_port, 1702);
	assert_int_equal(l->p[0].req.sel.dport, 1702);
	free(l);
	/* a call whose sizes do not match its type never leaves */
	errno = 0;
	assert_int_equal(priv_call(&pc, PRIV_SA_DEL, &id, sizeof(id) - 1,
	    NULL, 0), -1);
	assert_int_equal(errno, EINVAL);

	close(pc.fd);
	wait_exit0(pid);
}

/* A fake parent that answers with a canned reply. */
static void
test_bad_reply(void **state)
{
	struct priv_client pc;
	struct xfrm_sa_id id;
	uint8_t req[PRIV_MSG_MAX], rep[PRIV_REPLY_HDR + 4];
	int sp[2];
	ssize_t n;
	static const struct {
		uint32_t type, seq, result, err;
		size_t body;
	} bad[] = {
		{ PRIV_SA_ADD, 1, 0, 0, 0 },		/* wrong type */
		{ PRIV_SA_DEL, 9, 0, 0, 0 },		/* wrong seq */
		{ PRIV_SA_DEL, 3, 0, 0, 4 },		/* a body */
		{ PRIV_SA_DEL, 4, 0xffffffffu, 0, 0 },	/* errno 0 */
		{ PRIV_SA_DEL, 5, 1, 5, 0 },		/* result 1 */
	};
	size_t i;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp), 0);
	memset(&pc, 0, sizeof(pc));
	pc.fd = sp[0];
	sa_id(&id, 0x1234);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* queue the reply first: priv_call blocks on recv */
		memset(rep, 0, sizeof(rep));
		rep[3] = (uint8_t)bad[i].type;
		rep[7] = (uint8_t)bad[i].seq;
		rep[8] = (uint8_t)(bad[i].result >> 24);
		rep[11] = (uint8_t)bad[i].result;
		rep[15] = (uint8_t)bad[i].err;
		assert_int_equal(send(sp[1], rep, PRIV_REPLY_HDR + bad[i].body,
		    0), (ssize_t)(PRIV_REPLY_HDR + bad[i].body));
		errno = 0;
		assert_int_equal(priv_call(&pc, PRIV_SA_DEL, &id, sizeof(id),
		    NULL, 0), -1);
		assert_int_equal(errno, EPROTO);
		n = recv(sp[1], req, sizeof(req), 0);
		assert_int_equal(n, PRIV_REQ_HDR + sizeof(id));
	}
	/* and a good one */
	memset(rep, 0, sizeof(rep));
	rep[3] = PRIV_SA_DEL;
	rep[7] = 6;
	assert_int_equal(send(sp[1], rep, PRIV_REPLY_HDR, 0), PRIV_REPLY_HDR);
	assert_int_equal(priv_call(&pc, PRIV_SA_DEL, &id, sizeof(id), NULL,
	    0), 0);
	close(sp[0]);
	close(sp[1]);
}

/*
 * PRIV_SIGN: the parent signs a HASH_R with the certificate key the IKE
 * process has dropped; hash lengths outside 16..64 are refused by the
 * parser, and a parent without certificates refuses with EPERM.
 */
static void
test_sign(void **state)
{
	char dir[] = "/tmp/test_priv.XXXXXX", ca[64], crt[64], key[64],
	    err[512], cmd[96];
	uint8_t hash[20], sig[1024], buf[PRIV_MSG_MAX], out[PRIV_MSG_MAX];
	struct priv_sign ps;
	struct priv_parent pp;
	struct priv_client pc;
	struct priv_req req;
	struct ike_conf c;
	const char *why;
	EVP_PKEY *k;
	X509 *x;
	size_t siglen = sizeof(sig), len;
	uint32_t seq;
	pid_t pid;

	(void)state;
	memset(hash, 0x5a, sizeof(hash));
	/* the parser's range */
	memset(&ps, 0, sizeof(ps));
	ps.len = PRIV_SIGN_HASH_MIN - 1;
	len = priv_req_build(buf, sizeof(buf), PRIV_SIGN, 1, &ps, sizeof(ps));
	assert_false(priv_req_parse(buf, len, &req, &seq, &why));
	assert_string_equal(why, "hash length out of range");
	ps.len = PRIV_SIGN_HASH_MAX + 1;
	len = priv_req_build(buf, sizeof(buf), PRIV_SIGN, 1, &ps, sizeof(ps));
	assert_false(priv_req_parse(buf, len, &req, &seq, &why));
	ps.len = 20;
	len = priv_req_build(buf, sizeof(buf), PRIV_SIGN, 1, &ps, sizeof(ps));
	assert_true(priv_req_parse(buf, len, &req, &seq, &why));
	/* no certificates in the parent: EPERM */
	memset(&pp, 0, sizeof(pp));
	assert_int_equal(priv_parent_handle(&pp, buf, len, out),
	    PRIV_REPLY_HDR);
	assert_int_equal(out[8], 0xff);
	assert_int_equal(out[15], EPERM);

	/* a parent with a key signs; the IKE side verifies it */
	assert_non_null(mkdtemp(dir));
	snprintf(ca, sizeof(ca), "%s/ca", dir);
	snprintf(crt, sizeof(crt), "%s/crt", dir);
	snprintf(key, sizeof(key), "%s/key", dir);
	assert_non_null(k = certgen_rsa(2048));
	assert_non_null(x = certgen_cert(NULL, NULL, k, "/CN=priv", 1, -1, 9,
	    true, NULL, NULL));
	assert_int_equal(certgen_write_cert(ca, x, false), 0);
	assert_int_equal(certgen_write_cert(crt, x, false), 0);
	assert_int_equal(certgen_write_key(key, k), 0);
	memset(&c, 0, sizeof(c));
	c.ca_file = ca;
	c.cert_file = crt;
	c.key_file = key;
	assert_int_equal(ikd_certs_load(&c, &serve_certs, err, sizeof(err)),
	    0);
	memset(&pc, 0, sizeof(pc));
	pc.fd = parent_start(&pid);
	/* this side has no key any more */
	ikd_certs_drop_key(serve_certs);
	assert_int_equal(ikd_certs_sign(serve_certs, 0, hash, sizeof(hash), sig,
	    &siglen), -1);
	siglen = sizeof(sig);
	assert_int_equal(priv_kernel_ops.sign(&pc, 0, hash, sizeof(hash), sig,
	    &siglen), 0);
	assert_int_equal(siglen, 256);
	assert_int_equal(ike_sig_verify(X509_get0_pubkey(x), hash,
	    sizeof(hash), sig, siglen), 0);
	/* a hash the parser refuses never reaches the key */
	siglen = sizeof(sig);
	assert_int_equal(priv_sign(&pc, 0, hash, 8, sig, &siglen), -1);
	/* a certificate the parent does not have: refused, no signature */
	siglen = sizeof(sig);
	assert_int_equal(priv_sign(&pc, 1, hash, sizeof(hash), sig, &siglen),
	    -1);
	assert_int_equal(priv_sign(&pc, IKD_IDENT_MAX, hash, sizeof(hash),
	    sig, &siglen), -1);
	close(pc.fd);
	wait_exit0(pid);
	ikd_certs_free(serve_certs);
	serve_certs = NULL;
	X509_free(x);
	EVP_PKEY_free(k);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void
test_drop(void **state)
{
	pid_t pid;

	(void)state;
	if ((pid = fork()) == 0) {
		log_setlevel(LOG_LEVEL_WARNING);
		if (geteuid() == 0 && priv_drop("no-such-user-ikd") != -1)
			_exit(10);
		if (priv_drop("nobody") == -1)
			_exit(11);
		if (geteuid() == 0 || getuid() == 0 || getegid() == 0)
			_exit(12);
		if (setuid(0) != -1 || seteuid(0) != -1)
			_exit(13);
		if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
			_exit(14);
		if (getgroups(0, NULL) > 1)
			_exit(15);
		_exit(0);
	}
	assert_true(pid > 0);
	wait_exit0(pid);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_refused),
		cmocka_unit_test(test_handle_refusal),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_bad_reply),
		cmocka_unit_test(test_sign),
		cmocka_unit_test(test_drop),
	};

	log_init("test_priv", true, 0);
	log_setlevel(LOG_LEVEL_WARNING);
	return cmocka_run_group_tests_name("priv", tests, NULL, NULL);
}
