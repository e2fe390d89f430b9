/*
 * test_sockaddr.c - the one address printer and comparison of both
 * daemons: v4/v6 with and without port, truncation, unknown families,
 * and which fields make two addresses equal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/sockaddr.h"

static struct sockaddr_storage
v4(const char *a, uint16_t port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s = (struct sockaddr_in *)&ss;

	memset(&ss, 0, sizeof(ss));
	s->sin_family = AF_INET;
	s->sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, a, &s->sin_addr), 1);
	return ss;
}

static struct sockaddr_storage
v6(const char *a, uint16_t port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	s->sin6_family = AF_INET6;
	s->sin6_port = htons(port);
	assert_int_equal(inet_pton(AF_INET6, a, &s->sin6_addr), 1);
	return ss;
}

static void
test_str(void **state)
{
	struct sockaddr_storage a = v4("192.0.2.5", 4500);
	struct sockaddr_storage b = v6("2001:db8::5", 1701);
	struct sockaddr_storage u;
	char buf[SA_STR_LEN];

	(void)state;
	assert_string_equal(sa_str(&a, true, buf, sizeof(buf)),
	    "192.0.2.5:4500");
	assert_string_equal(sa_str(&a, false, buf, sizeof(buf)), "192.0.2.5");
	assert_string_equal(sa_str(&b, true, buf, sizeof(buf)),
	    "[2001:db8::5]:1701");
	assert_string_equal(sa_str(&b, false, buf, sizeof(buf)),
	    "2001:db8::5");
	memset(&u, 0, sizeof(u));
	u.ss_family = AF_UNIX;
	assert_string_equal(sa_str(&u, true, buf, sizeof(buf)), "?");
	/* Truncated, always terminated; len 0 writes nothing. */
	assert_string_equal(sa_str(&a, true, buf, 6), "192.0");
	buf[0] = 'x';
	sa_str(&a, true, buf, 0);
	assert_int_equal(buf[0], 'x');
}

/* The longest address with the longest port fits SA_STR_LEN. */
static void
test_str_longest(void **state)
{
	struct sockaddr_storage a =
	    v6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535);
	char buf[SA_STR_LEN];

	(void)state;
	sa_str(&a, true, buf, sizeof(buf));
	assert_string_equal(buf,
	    "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
}

static void
test_equal(void **state)
{
	struct sockaddr_storage a = v4("192.0.2.5", 500);
	struct sockaddr_storage a2 = v4("192.0.2.5", 4500);
	struct sockaddr_storage c = v4("192.0.2.6", 500);
	struct sockaddr_storage m = v6("::ffff:192.0.2.5", 500);
	struct sockaddr_storage b = v6("2001:db8::5", 500);
	struct sockaddr_storage b2 = v6("2001:db8::5", 501);
	struct sockaddr_storage d = v6("2001:db8::6", 500);
	struct sockaddr_storage u1, u2;

	(void)state;
	assert_true(sa_equal(&a, &a, true));
	assert_true(sa_equal(&a, &a2, false));
	assert_false(sa_equal(&a, &a2, true));
	assert_false(sa_equal(&a, &c, false));
	/* A v4-mapped v6 address is another family. */
	assert_false(sa_equal(&a, &m, false));
	assert_true(sa_equal(&b, &b2, false));
	assert_false(sa_equal(&b, &b2, true));
	assert_false(sa_equal(&b, &d, false));
	/* Scope id and flow label are not compared. */
	((struct sockaddr_in6 *)&b2)->sin6_port = htons(500);
	((struct sockaddr_in6 *)&b2)->sin6_scope_id = 3;
	((struct sockaddr_in6 *)&b2)->sin6_flowinfo = htonl(7);
	assert_true(sa_equal(&b, &b2, true));
	memset(&u1, 0, sizeof(u1));
	memset(&u2, 0, sizeof(u2));
	u1.ss_family = u2.ss_family = AF_UNIX;
	assert_false(sa_equal(&u1, &u2, true));
}

static void
test_port(void **state)
{
	struct sockaddr_storage a = v4("192.0.2.5", 4500);
	struct sockaddr_storage b = v6("2001:db8::5", 1701);
	struct sockaddr_storage u;

	(void)state;
	assert_int_equal(sa_port(&a), 4500);
	assert_int_equal(sa_port(&b), 1701);
	memset(&u, 0, sizeof(u));
	assert_int_equal(sa_port(&u), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_str),
		cmocka_unit_test(test_str_longest),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_port),
	};

	return cmocka_run_group_tests_name("sockaddr", tests, NULL, NULL);
}
