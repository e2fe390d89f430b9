/*
 * test_ctl.c - the control protocol (lib/ctl.h): every command, refused
 * requests (unknown, extra words, stray spaces, control bytes, ports at
 * 0/1/65535/65536, bad addresses, too long), every truncation of valid
 * requests, format/parse round trips, reply classification, record
 * building (sanitising, overflow) and lookup.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lib/ctl.h"

static bool
parse(const char *s, struct ctl_req *r, const char **why)
{
	return ctl_req_parse(s, strlen(s), r, why);
}

static void
test_commands(void **state)
{
	struct ctl_req r;
	const char *why;
	const struct sockaddr_in *s4;
	const struct sockaddr_in6 *s6;
	struct in6_addr a6;

	(void)state;
	assert_true(parse("policies", &r, &why));
	assert_int_equal(r.cmd, CTL_CMD_POLICIES);
	assert_true(parse("ike-sas", &r, &why));
	assert_int_equal(r.cmd, CTL_CMD_IKE_SAS);
	assert_true(parse("ipsec-sas", &r, &why));
	assert_int_equal(r.cmd, CTL_CMD_IPSEC_SAS);
	assert_true(parse("watch", &r, &why));
	assert_int_equal(r.cmd, CTL_CMD_WATCH);
	assert_true(parse("counters", &r, &why));
	assert_int_equal(r.cmd, CTL_CMD_COUNTERS);
	assert_false(parse("counters x", &r, &why));
	assert_string_equal(why, "wrong number of arguments");
	assert_true(parse("register l2tp 1701", &r, &why));
	assert_int_equal(r.cmd, CTL_CMD_REGISTER_L2TP);
	assert_int_equal(r.port, 1701);
	assert_true(parse("peer 192.0.2.5 4500", &r, &why));
	assert_int_equal(r.cmd, CTL_CMD_PEER);
	assert_int_equal(r.port, 4500);
	assert_int_equal(r.addr.ss_family, AF_INET);
	s4 = (const struct sockaddr_in *)(const void *)&r.addr;
	assert_int_equal(ntohl(s4->sin_addr.s_addr), 0xc0000205);
	assert_int_equal(s4->sin_port, 0);
	assert_true(parse("drop 192.0.2.5 1701", &r, &why));
	assert_int_equal(r.cmd, CTL_CMD_DROP);
	assert_int_equal(r.port, 1701);
	assert_int_equal(ntohl(s4->sin_addr.s_addr), 0xc0000205);
	assert_true(parse("peer 2001:db8::1 0", &r, &why));
	assert_int_equal(r.addr.ss_family, AF_INET6);
	assert_int_equal(r.port, 0);
	s6 = (const struct sockaddr_in6 *)(const void *)&r.addr;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", &a6), 1);
	assert_memory_equal(&s6->sin6_addr, &a6, sizeof(a6));
	assert_string_equal(ctl_cmd_name(CTL_CMD_REGISTER_L2TP),
	    "register l2tp");
	assert_string_equal(ctl_cmd_name(CTL_CMD_IPSEC_SAS), "ipsec-sas");
	assert_string_equal(ctl_cmd_name((enum ctl_cmd)99), "?");
}

static void
test_refused(void **state)
{
	static const char *bad[] = {
		"", " ", "policies ", " policies", "ike-sas  x", "IKE-SAS",
		"ike-sas x", "ipsec-sas\r", "watch\t", "helo",
		"register", "register l2tp", "register l2tp 0",
		"register l2tp 65536", "register l2tp 99999",
		"register l2tp 017011", "register l2tp -1",
		"register l2tp +5", "register l2tp 1x", "register ppp 1701",
		"register l2tp 1701 x", "peer", "peer 192.0.2.5",
		"peer 192.0.2.5 65536", "peer 192.0.2.256 500",
		"peer 192.0.2 500", "peer host.example 500", "peer :: x",
		"peer 192.0.2.5  500", "peer 192.0.2.5 500 1",
		"peer 1111:2222:3333:4444:5555:6666:7777:8888:9999 1",
		"drop", "drop 192.0.2.5", "drop 192.0.2.5 65536",
		"drop host.example 1701", "drop 192.0.2.5 1701 x",
		"policies\x80", "ike-sas\x7f",
	};
	struct ctl_req r;
	const char *why;
	char longline[CTL_REQ_MAX + 8];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		if (parse(bad[i], &r, &why))
			fail_msg("accepted \"%s\"", bad[i]);
		assert_non_null(why);
	}
	/* an embedded NUL is a control byte */
	assert_false(ctl_req_parse("watch\0x", 7, &r, &why));
	/* length: CTL_REQ_MAX - 1 without "\n" is the most */
	memset(longline, 'a', sizeof(longline));
	assert_false(ctl_req_parse(longline, CTL_REQ_MAX, &r, &why));
	assert_string_equal(why, "request too long");
	/* boundaries that are fine */
	assert_true(parse("register l2tp 1", &r, &why));
	assert_true(parse("register l2tp 65535", &r, &why));
	assert_int_equal(r.port, 65535);
	assert_true(parse("peer 0.0.0.0 65535", &r, &why));
}

static void
test_truncations(void **state)
{
	static const char *good[] = {
		"policies", "ike-sas", "ipsec-sas", "watch", "counters",
		"register l2tp 1701", "peer 192.0.2.5 4500",
		"peer 2001:db8::1 0", "drop 192.0.2.5 1701",
	};
	struct ctl_req r;
	const char *why;
	size_t i, n, len;
	char buf[64];

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		len = strlen(good[i]);
		assert_true(ctl_req_parse(good[i], len, &r, &why));
		for (n = 0; n < len; n++) {
			/* from a copy exactly n bytes long (ASan sees reads
			   past it) */
			memcpy(buf, good[i], n);
			if (ctl_req_parse(buf, n, &r, &why)) {
				/* only shorter numbers may still parse */
				assert_true(r.cmd == CTL_CMD_REGISTER_L2TP ||
				    r.cmd == CTL_CMD_PEER ||
				    r.cmd == CTL_CMD_DROP);
				assert_true(buf[n - 1] >= '0' &&
				    buf[n - 1] <= '9');
			}
		}
	}
}

static void
test_round_trip(void **state)
{
	static const char *good[] = {
		"policies", "ike-sas", "ipsec-sas", "watch", "counters",
		"register l2tp 1701", "peer 192.0.2.5 4500",
		"peer 2001:db8::1 0", "drop 192.0.2.5 1701",
	};
	struct ctl_req r, r2;
	const char *why;
	char buf[CTL_REQ_MAX];
	size_t i;
	int n;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_true(parse(good[i], &r, &why));
		n = ctl_req_format(&r, buf, sizeof(buf));
		assert_int_equal(n, strlen(good[i]) + 1);
		assert_memory_equal(buf, good[i], strlen(good[i]));
		assert_int_equal(buf[n - 1], '\n');
		assert_true(ctl_req_parse(buf, (size_t)n - 1, &r2, &why));
		assert_int_equal(r.cmd, r2.cmd);
		assert_int_equal(r.port, r2.port);
	}
	/* too small, invalid */
	assert_true(parse("ipsec-sas", &r, &why));
	assert_int_equal(ctl_req_format(&r, buf, 10), -1);
	assert_int_equal(ctl_req_format(&r, buf, 11), 10);
	memset(&r, 0, sizeof(r));
	r.cmd = CTL_CMD_PEER;
	assert_int_equal(ctl_req_format(&r, buf, sizeof(buf)), -1);
	r.cmd = CTL_CMD_REGISTER_L2TP;
	assert_int_equal(ctl_req_format(&r, buf, sizeof(buf)), -1);
	r.cmd = (enum ctl_cmd)0;
	assert_int_equal(ctl_req_format(&r, buf, sizeof(buf)), -1);
}

static enum ctl_reply
classify(const char *s, const char **reason)
{
	return ctl_reply_classify(s, strlen(s), reason);
}

static void
test_classify(void **state)
{
	const char *reason = NULL;

	(void)state;
	assert_int_equal(classify("ok", NULL), CTL_REPLY_OK);
	assert_int_equal(classify("error no such peer", &reason),
	    CTL_REPLY_ERROR);
	assert_string_equal(reason, "no such peer");
	assert_int_equal(classify("error", &reason), CTL_REPLY_ERROR);
	assert_string_equal(reason, "");
	assert_int_equal(classify("ike-sa id=ike#1 peer=192.0.2.5:500", NULL),
	    CTL_REPLY_RECORD);
	assert_int_equal(classify("sa-up id=esp", NULL), CTL_REPLY_RECORD);
	assert_int_equal(classify("okay", NULL), CTL_REPLY_RECORD);
	assert_int_equal(classify("", NULL), CTL_REPLY_BAD);
	assert_int_equal(classify(" ok", NULL), CTL_REPLY_BAD);
	assert_int_equal(classify("Ike-sa x=1", NULL), CTL_REPLY_BAD);
	assert_int_equal(classify("ok\r", NULL), CTL_REPLY_BAD);
	assert_int_equal(ctl_reply_classify("ok\0", 3, NULL), CTL_REPLY_BAD);
}

static void
test_records(void **state)
{
	struct ctl_rec rec;
	const char *line;
	char val[32], small[4];
	size_t i;

	(void)state;
	ctl_rec_init(&rec, "ipsec-sa");
	ctl_rec_add(&rec, "peer", "%s:%u", "192.0.2.5", 4500u);
	ctl_rec_add(&rec, "spi-in", "0x%08x", 0xc1a2b3c4u);
	ctl_rec_add(&rec, "peer-id", "%s", "a b\tc\n");
	ctl_rec_add(&rec, "empty", "%s", "");
	line = ctl_rec_line(&rec);
	assert_non_null(line);
	assert_string_equal(line, "ipsec-sa peer=192.0.2.5:4500 "
	    "spi-in=0xc1a2b3c4 peer-id=a?b?c? empty=-\n");
	assert_true(ctl_rec_get(line, strlen(line) - 1, "peer", val,
	    sizeof(val)));
	assert_string_equal(val, "192.0.2.5:4500");
	/* "peer" must not match "peer-id" or a prefix */
	assert_true(ctl_rec_get(line, strlen(line) - 1, "peer-id", val,
	    sizeof(val)));
	assert_string_equal(val, "a?b?c?");
	assert_false(ctl_rec_get(line, strlen(line) - 1, "pee", val,
	    sizeof(val)));
	assert_false(ctl_rec_get(line, strlen(line) - 1, "ipsec-sa", val,
	    sizeof(val)));
	assert_false(ctl_rec_get(line, strlen(line) - 1, "", val,
	    sizeof(val)));
	assert_true(ctl_rec_get(line, strlen(line) - 1, "empty", small,
	    sizeof(small)));
	assert_string_equal(small, "-");
	/* value does not fit: refused, not cut */
	assert_false(ctl_rec_get(line, strlen(line) - 1, "spi-in", small,
	    sizeof(small)));
	assert_false(ctl_rec_get("ok", 2, "ok", val, sizeof(val)));
	/* every truncation of the line: never a read past it */
	for (i = 0; i < strlen(line); i++) {
		char copy[CTL_LINE_MAX];

		memcpy(copy, line, i);
		(void)ctl_rec_get(copy, i, "empty", val, sizeof(val));
		(void)ctl_reply_classify(copy, i, NULL);
	}
	/* overflow is sticky: exactly CTL_LINE_MAX - 1 chars fit */
	ctl_rec_init(&rec, "x");
	for (i = 0; i < 2000; i++)
		ctl_rec_add(&rec, "k", "%s", "v");
	assert_null(ctl_rec_line(&rec));
	ctl_rec_init(&rec, "x");
	ctl_rec_add(&rec, "k", "%0*d", CTL_LINE_MAX - 5, 0);
	assert_null(ctl_rec_line(&rec));
	ctl_rec_init(&rec, "x");
	ctl_rec_add(&rec, "k", "%0*d", CTL_LINE_MAX - 6, 0);
	line = ctl_rec_line(&rec);
	assert_non_null(line);
	assert_int_equal(strlen(line), CTL_LINE_MAX - 1);
	assert_int_equal(ctl_reply_classify(line, strlen(line) - 1, NULL),
	    CTL_REPLY_RECORD);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_records),
	};

	return cmocka_run_group_tests_name("ctl", tests, NULL, NULL);
}
