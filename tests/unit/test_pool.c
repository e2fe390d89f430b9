/*
 * test_pool.c - the address pool (l2tpd/pool.c) built from real config
 * text: order, reserved addresses (exclude, ppp.local_address, statics),
 * exhaustion, FIFO quarantine, stickiness, statics, double and bogus
 * releases, a 65536-address pool, and a long random run against a model.
 */
#include <arpa/inet.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "lib/log.h"
#include "l2tpd/pool.h"

static struct vpn_conf *conf;
static int nwarnings;

static void
sink(enum log_level level, const char *line)
{
	(void)line;
	if (level == LOG_LEVEL_WARNING)
		nwarnings++;
}

static struct vpn_conf *
parse(const char *text)
{
	struct conf_err err;
	struct vpn_conf *c;

	c = conf_parse_string(text, "t.conf", NULL, &err);
	if (c == NULL)
		fail_msg("%s", err.msg);
	return c;
}

static struct pool *
mk(const char *text)
{
	struct pool *p;

	conf = parse(text);
	p = pool_new(conf);
	assert_non_null(p);
	return p;
}

static int
setup(void **state)
{
	(void)state;
	conf = NULL;
	nwarnings = 0;
	log_set_sink(sink);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	log_set_sink(NULL);
	conf_free(conf);
	return 0;
}

static struct in_addr
ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static void
expect_alloc(struct pool *p, const char *user, const char *want)
{
	struct in_addr a;
	char got[INET_ADDRSTRLEN];

	assert_int_equal(pool_alloc(p, user, &a), POOL_OK);
	inet_ntop(AF_INET, &a, got, sizeof(got));
	assert_string_equal(got, want);
}

#define SMALL \
	"ppp = { local_address = \"10.1.0.1\"; };\n" \
	"pool = { start = \"10.0.0.1\"; end = \"10.0.0.5\"; };\n"

static void
test_order_and_exhaustion(void **state)
{
	struct pool *p = mk(SMALL);
	struct in_addr a = { 0x01020304 };

	(void)state;
	assert_int_equal(pool_nfree(p), 5);
	expect_alloc(p, NULL, "10.0.0.1");
	expect_alloc(p, NULL, "10.0.0.2");
	expect_alloc(p, "alice", "10.0.0.3");
	expect_alloc(p, NULL, "10.0.0.4");
	expect_alloc(p, "bob", "10.0.0.5");
	assert_int_equal(pool_nfree(p), 0);
	assert_int_equal(pool_nused(p), 5);
	assert_int_equal(pool_alloc(p, NULL, &a), POOL_EXHAUSTED);
	assert_int_equal(pool_alloc(p, "carol", &a), POOL_EXHAUSTED);
	/* *out untouched on failure */
	assert_int_equal(a.s_addr, 0x01020304);
	assert_true(pool_in_use(p, ip("10.0.0.3")));
	assert_string_equal(pool_result_name(POOL_EXHAUSTED),
	    "pool exhausted");
	pool_free(p);
	pool_free(NULL);
}

/* Excluded, ppp.local_address and users' statics are never dynamic. */
static void
test_reserved(void **state)
{
	struct pool *p = mk(
	    "ppp = { local_address = \"10.0.0.2\"; };\n"
	    "pool = { start = \"10.0.0.1\"; end = \"10.0.0.8\";\n"
	    "  exclude = [ \"10.0.0.2\", \"10.0.0.5\", \"10.0.0.8\" ]; };\n"
	    "users = ( { name = \"dave\"; address = \"10.0.0.4\"; } );\n");
	struct in_addr a;

	(void)state;
	assert_int_equal(pool_nfree(p), 4);
	expect_alloc(p, NULL, "10.0.0.1");
	expect_alloc(p, NULL, "10.0.0.3");
	expect_alloc(p, NULL, "10.0.0.6");
	expect_alloc(p, NULL, "10.0.0.7");
	assert_int_equal(pool_alloc(p, NULL, &a), POOL_EXHAUSTED);
	/* reserved addresses cannot be released either */
	assert_int_equal(pool_release(p, ip("10.0.0.2")), -1);
	assert_int_equal(pool_release(p, ip("10.0.0.5")), -1);
	assert_int_equal(pool_release(p, ip("10.0.0.4")), -1);
	assert_false(pool_in_use(p, ip("10.0.0.5")));
	pool_free(p);
}

/* Released addresses go to the back of the line. */
static void
test_fifo_quarantine(void **state)
{
	struct pool *p = mk(SMALL);

	(void)state;
	expect_alloc(p, NULL, "10.0.0.1");
	assert_int_equal(pool_release(p, ip("10.0.0.1")), 0);
	/* not handed out again while others were free longer */
	expect_alloc(p, NULL, "10.0.0.2");
	expect_alloc(p, NULL, "10.0.0.3");
	expect_alloc(p, NULL, "10.0.0.4");
	assert_int_equal(pool_release(p, ip("10.0.0.3")), 0);
	assert_int_equal(pool_release(p, ip("10.0.0.2")), 0);
	expect_alloc(p, NULL, "10.0.0.5");
	expect_alloc(p, NULL, "10.0.0.1");
	expect_alloc(p, NULL, "10.0.0.3");
	expect_alloc(p, NULL, "10.0.0.2");
	assert_int_equal(pool_nfree(p), 0);
	pool_free(p);
}

static void
test_double_and_bogus_release(void **state)
{
	struct pool *p = mk(SMALL);

	(void)state;
	expect_alloc(p, NULL, "10.0.0.1");
	assert_int_equal(pool_release(p, ip("10.0.0.1")), 0);
	assert_int_equal(pool_release(p, ip("10.0.0.1")), -1);
	/* never handed out, outside the range, the server's address */
	assert_int_equal(pool_release(p, ip("10.0.0.4")), -1);
	assert_int_equal(pool_release(p, ip("10.0.0.6")), -1);
	assert_int_equal(pool_release(p, ip("10.0.0.0")), -1);
	assert_int_equal(pool_release(p, ip("10.1.0.1")), -1);
	assert_int_equal(nwarnings, 5);
	assert_int_equal(pool_nfree(p), 5);
	assert_int_equal(pool_nused(p), 0);
	/* the pool still hands each address out once */
	expect_alloc(p, NULL, "10.0.0.2");
	expect_alloc(p, NULL, "10.0.0.3");
	expect_alloc(p, NULL, "10.0.0.4");
	expect_alloc(p, NULL, "10.0.0.5");
	expect_alloc(p, NULL, "10.0.0.1");
	pool_free(p);
}

/* A returning user gets its address back while it is still free. */
static void
test_sticky(void **state)
{
	struct pool *p = mk(SMALL);
	struct in_addr a;

	(void)state;
	expect_alloc(p, "alice", "10.0.0.1");
	expect_alloc(p, "bob", "10.0.0.2");
	assert_int_equal(pool_release(p, ip("10.0.0.1")), 0);
	assert_int_equal(pool_release(p, ip("10.0.0.2")), 0);
	expect_alloc(p, "carol", "10.0.0.3");
	expect_alloc(p, "alice", "10.0.0.1");
	expect_alloc(p, "bob", "10.0.0.2");
	/* a second session of alice gets another one */
	expect_alloc(p, "alice", "10.0.0.4");
	assert_int_equal(pool_release(p, ip("10.0.0.1")), 0);
	assert_int_equal(pool_release(p, ip("10.0.0.4")), 0);
	/* both free: the one remembered last comes first */
	expect_alloc(p, "alice", "10.0.0.4");
	expect_alloc(p, "alice", "10.0.0.1");
	assert_int_equal(pool_release(p, ip("10.0.0.1")), 0);
	assert_int_equal(pool_release(p, ip("10.0.0.4")), 0);
	/* anonymous takes the head (.5), then .1: alice's .1 is gone */
	expect_alloc(p, NULL, "10.0.0.5");
	expect_alloc(p, "erin", "10.0.0.1");
	expect_alloc(p, "alice", "10.0.0.4");
	assert_int_equal(pool_release(p, ip("10.0.0.1")), 0);
	/* .1 now remembers erin only */
	assert_int_equal(pool_release(p, ip("10.0.0.4")), 0);
	expect_alloc(p, "zed", "10.0.0.1");
	expect_alloc(p, "alice", "10.0.0.4");
	assert_int_equal(pool_alloc(p, "alice", &a), POOL_EXHAUSTED);
	pool_free(p);
}

/* Static addresses, inside and outside the range, once at a time. */
static void
test_statics(void **state)
{
	struct pool *p = mk(SMALL
	    "users = ( { name = \"dave\"; address = \"10.0.0.3\"; },\n"
	    "  { name = \"erin\"; address = \"192.0.2.9\"; },\n"
	    "  { name = \"al\"; } );\n");
	struct in_addr a;
	int i;

	(void)state;
	assert_int_equal(pool_nfree(p), 4);
	expect_alloc(p, "dave", "10.0.0.3");
	assert_int_equal(pool_alloc(p, "dave", &a), POOL_STATIC_IN_USE);
	expect_alloc(p, "erin", "192.0.2.9");
	assert_true(pool_in_use(p, ip("192.0.2.9")));
	assert_int_equal(pool_alloc(p, "erin", &a), POOL_STATIC_IN_USE);
	expect_alloc(p, "al", "10.0.0.1");
	assert_int_equal(pool_nused(p), 1);
	assert_int_equal(pool_release(p, ip("192.0.2.9")), 0);
	assert_int_equal(pool_release(p, ip("192.0.2.9")), -1);
	assert_false(pool_in_use(p, ip("192.0.2.9")));
	expect_alloc(p, "erin", "192.0.2.9");
	assert_int_equal(pool_release(p, ip("10.0.0.3")), 0);
	assert_int_equal(pool_release(p, ip("10.0.0.3")), -1);
	/* dynamic allocation never returns dave's address */
	for (i = 0; i < 3; i++)
		assert_int_equal(pool_alloc(p, NULL, &a), POOL_OK);
	assert_int_equal(pool_alloc(p, NULL, &a), POOL_EXHAUSTED);
	assert_false(pool_in_use(p, ip("10.0.0.3")));
	expect_alloc(p, "dave", "10.0.0.3");
	pool_free(p);
}

/* The largest pool: 65536 addresses, each exactly once. */
static void
test_large(void **state)
{
	struct pool *p = mk(
	    "ppp = { local_address = \"10.1.0.1\"; };\n"
	    "pool = { start = \"10.0.0.0\"; end = \"10.0.255.255\"; };\n");
	uint8_t *seen;
	struct in_addr a;
	uint32_t i, h;

	(void)state;
	seen = calloc(65536, 1);
	assert_non_null(seen);
	assert_int_equal(pool_nfree(p), 65536);
	for (i = 0; i < 65536; i++) {
		assert_int_equal(pool_alloc(p, NULL, &a), POOL_OK);
		h = ntohl(a.s_addr) - 0x0a000000;
		assert_true(h < 65536);
		assert_int_equal(seen[h], 0);
		seen[h] = 1;
	}
	assert_int_equal(pool_alloc(p, NULL, &a), POOL_EXHAUSTED);
	for (i = 0; i < 65536; i += 2) {
		a.s_addr = htonl(0x0a000000 + i);
		assert_int_equal(pool_release(p, a), 0);
	}
	assert_int_equal(pool_nfree(p), 32768);
	free(seen);
	pool_free(p);
}

/*
 * Random allocs (anonymous and by 8 users) and releases (of held and of
 * random addresses) against a model: nothing handed out twice, counts
 * agree, a bogus release never changes anything.
 */
static void
test_random_model(void **state)
{
	static const char *users[] = { NULL, "u0", "u1", "u2", "u3", "u4",
	    "u5", "u6", "u7" };
	struct pool *p = mk(
	    "ppp = { local_address = \"10.0.0.7\"; };\n"
	    "pool = { start = \"10.0.0.1\"; end = \"10.0.0.40\";\n"
	    "  exclude = [ \"10.0.0.7\", \"10.0.0.13\" ]; };\n");
	bool held[64] = { false };
	uint32_t nheld = 0, i, h, seed = 12345;
	struct in_addr a;
	enum pool_result r;

	(void)state;
	for (i = 0; i < 200000; i++) {
		seed = seed * 1103515245u + 12345u;
		if ((seed >> 16) % 2 == 0) {
			r = pool_alloc(p, users[(seed >> 20) % 9], &a);
			if (nheld == 38) {
				assert_int_equal(r, POOL_EXHAUSTED);
				continue;
			}
			assert_int_equal(r, POOL_OK);
			h = ntohl(a.s_addr) - 0x0a000000;
			assert_true(h >= 1 && h <= 40);
			assert_true(h != 7 && h != 13);
			assert_false(held[h]);
			held[h] = true;
			nheld++;
		} else {
			h = (seed >> 18) % 42;
			a.s_addr = htonl(0x0a000000 + h);
			if (held[h]) {
				assert_int_equal(pool_release(p, a), 0);
				held[h] = false;
				nheld--;
			} else
				assert_int_equal(pool_release(p, a), -1);
		}
		assert_int_equal(pool_nused(p), nheld);
		assert_int_equal(pool_nfree(p), 38 - nheld);
	}
	pool_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_order_and_exhaustion,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_reserved, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fifo_quarantine, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_double_and_bogus_release,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_sticky, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statics, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_model, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
