/*
 * test_log.c - tags, levels, sanitising of peer-supplied text, rate limit.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "tests/unit/logcap.h"

static uint64_t fake_ms;

static uint64_t
fake_clock(void)
{
	return fake_ms;
}

static int
teardown(void **state)
{
	(void)state;
	logcap_stop();
	clock_set_mock(NULL);
	return 0;
}

static void
test_tagged(void **state)
{
	(void)state;
	logt_info("tun 4312/77 192.0.2.5", "state %s -> %s", "idle",
	    "wait-ctl-conn");
	assert_string_equal(logcap_last(),
	    "tun 4312/77 192.0.2.5: state idle -> wait-ctl-conn");
	assert_int_equal(logcap_last_level(), LOG_LEVEL_INFO);
	logt_warnx(NULL, "plain %d", 5);
	assert_string_equal(logcap_last(), "plain 5");
	assert_int_equal(logcap_last_level(), LOG_LEVEL_WARNING);
}

static void
test_errno(void **state)
{
	(void)state;
	errno = ENOENT;
	log_warn("open %s", "x");
	assert_string_equal(logcap_last(), "open x: No such file or directory");
	/* errno is preserved across the call */
	assert_int_equal(errno, ENOENT);
	errno = EACCES;
	logt_warn("ike#1 192.0.2.9:500", "sendto");
	assert_string_equal(logcap_last(),
	    "ike#1 192.0.2.9:500: sendto: Permission denied");
}

static void
test_levels(void **state)
{
	(void)state;
	log_debug("hidden");
	assert_int_equal(logcap_total(), 0);
	log_setlevel(LOG_LEVEL_DEBUG);
	log_debug("shown");
	assert_int_equal(logcap_total(), 1);
	log_setlevel(LOG_LEVEL_WARNING);
	log_info("hidden");
	assert_int_equal(logcap_total(), 1);
	log_warnx("shown");
	assert_int_equal(logcap_total(), 2);
	assert_string_equal(log_level_name(LOG_LEVEL_DEBUG), "debug");
}

/* A peer-supplied host name cannot start a forged log line. */
static void
test_control_chars(void **state)
{
	(void)state;
	logt_info("tun 1/2", "host name '%s'", "evil\nfake: root login\x7f");
	assert_string_equal(logcap_last(),
	    "tun 1/2: host name 'evil?fake: root login?'");
}

/* An over-long line is cut, not overflowed. */
static void
test_long_line(void **state)
{
	char big[3000];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	logt_info("tag", "%s", big);
	assert_int_equal(strlen(logcap_last()), 1023);
	assert_memory_equal(logcap_last(), "tag: aaa", 8);
}

static void
test_ratelimit(void **state)
{
	struct log_ratelimit rl = { 0 };
	unsigned int supp = 99;
	int ok = 0;

	(void)state;
	clock_set_mock(fake_clock);
	fake_ms = 100000;
	for (int i = 0; i < 10; i++)
		ok += log_ratelimit_ok(&rl, 3, 5, &supp);
	assert_int_equal(ok, 3);
	assert_int_equal(supp, 0);
	fake_ms += 4999;
	assert_false(log_ratelimit_ok(&rl, 3, 5, &supp));
	fake_ms += 1;
	assert_true(log_ratelimit_ok(&rl, 3, 5, &supp));
	assert_int_equal(supp, 8);
	assert_true(log_ratelimit_ok(&rl, 3, 5, &supp));
	assert_int_equal(supp, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tagged,
		    logcap_setup_info, teardown),
		cmocka_unit_test_setup_teardown(test_errno,
		    logcap_setup_info, teardown),
		cmocka_unit_test_setup_teardown(test_levels,
		    logcap_setup_info, teardown),
		cmocka_unit_test_setup_teardown(test_control_chars,
		    logcap_setup_info, teardown),
		cmocka_unit_test_setup_teardown(test_long_line,
		    logcap_setup_info, teardown),
		cmocka_unit_test_setup_teardown(test_ratelimit,
		    logcap_setup_info, teardown),
	};

	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
