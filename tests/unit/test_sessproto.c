/*
 * test_sessproto.c - the l2tpd <-> plugin messages: a fixed wire vector,
 * round trip of every type, every truncation length, length field at
 * -1/0/+1, trailing bytes, field bounds, and send/recv over a real
 * SOCK_SEQPACKET pair (including an oversized record).
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/sessproto.h"

static uint32_t
ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

/* One valid message of every type. */
static size_t
samples(struct sessproto_msg *m)
{
	size_t n = 0;

	memset(m, 0, 12 * sizeof(*m));
	m[n].type = SESSPROTO_HELLO;
	m[n].u.hello.pid = 4242;
	strcpy(m[n].u.hello.key, "4312:981/77:5");
	n++;
	m[n].type = SESSPROTO_PHASE;
	m[n].u.phase = 8;
	n++;
	m[n].type = SESSPROTO_AUTH_OK;
	m[n].u.auth.method = SESSPROTO_AUTH_MSCHAPV2;
	strcpy(m[n].u.auth.user, "alice");
	n++;
	m[n].type = SESSPROTO_AUTH_FAIL;
	m[n].u.auth.method = SESSPROTO_AUTH_MSCHAPV2;
	m[n].u.auth.cause = SESSPROTO_FAIL_BAD_SECRET;
	strcpy(m[n].u.auth.user, "alice");
	strcpy(m[n].u.auth.text, "MS-CHAPv2 response mismatch");
	n++;
	m[n].type = SESSPROTO_ADDR_REQ;
	strcpy(m[n].u.auth.user, "bob");
	n++;
	m[n].type = SESSPROTO_IP_UP;
	strcpy(m[n].u.ip.ifname, "ppp0");
	m[n].u.ip.local = ip("203.0.113.1");
	m[n].u.ip.remote = ip("203.0.113.10");
	m[n].u.ip.ndns = 2;
	m[n].u.ip.dns[0] = ip("192.0.2.53");
	m[n].u.ip.dns[1] = ip("192.0.2.54");
	n++;
	m[n].type = SESSPROTO_COUNTERS;
	m[n].u.counters.flags = SESSPROTO_COUNTERS_FINAL;
	m[n].u.counters.seconds = 61;
	m[n].u.counters.bytes_in = 0x100000001ULL;
	m[n].u.counters.bytes_out = 2;
	m[n].u.counters.pkts_in = 3;
	m[n].u.counters.pkts_out = 4;
	n++;
	m[n].type = SESSPROTO_IP_DOWN;
	strcpy(m[n].u.ip.ifname, "ppp0");
	n++;
	m[n].type = SESSPROTO_EXIT;
	m[n].u.end.code = 5;
	strcpy(m[n].u.end.text, "user-request");
	n++;
	m[n].type = SESSPROTO_HELLO_ACK;
	n++;
	m[n].type = SESSPROTO_ADDR;
	m[n].u.addr.local = ip("203.0.113.1");
	m[n].u.addr.remote = ip("203.0.113.10");
	n++;
	m[n].type = SESSPROTO_DISCONNECT;
	m[n].u.end.code = SESSPROTO_DISC_ADMIN;
	strcpy(m[n].u.end.text, "operator");
	n++;
	return n;
}

/* The format pinned by hand: HELLO pid 0x01020304 key "k1". */
static void
test_wire_vector(void **state)
{
	static const uint8_t want[] = {
		0x01, 0x01, 0x00, 0x0b, 0x01, 0x02, 0x03, 0x04,
		0x02, 'k', '1'
	};
	struct sessproto_msg m;
	uint8_t buf[SESSPROTO_MAX_MSG];
	size_t len;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.type = SESSPROTO_HELLO;
	m.u.hello.pid = 0x01020304;
	strcpy(m.u.hello.key, "k1");
	len = sessproto_build(&m, buf, sizeof(buf));
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_true(sessproto_parse(want, sizeof(want), &m));
	assert_int_equal(m.type, SESSPROTO_HELLO);
	assert_int_equal(m.u.hello.pid, 0x01020304);
	assert_string_equal(m.u.hello.key, "k1");
}

/*
 * Every sample: build, parse back equal, rebuild identical; every shorter
 * record (with its length field patched to match, and unpatched) fails;
 * length field -1/+1 fails; a trailing byte fails.
 */
static void
test_round_trip_and_truncations(void **state)
{
	struct sessproto_msg m[12], back;
	uint8_t buf[SESSPROTO_MAX_MSG], buf2[SESSPROTO_MAX_MSG];
	uint8_t cut[SESSPROTO_MAX_MSG];
	size_t i, n, len, len2, k;

	(void)state;
	n = samples(m);
	assert_int_equal(n, 12);
	for (i = 0; i < n; i++) {
		len = sessproto_build(&m[i], buf, sizeof(buf));
		assert_true(len >= SESSPROTO_HDR_LEN);
		assert_true(sessproto_parse(buf, len, &back));
		assert_int_equal(back.type, m[i].type);
		len2 = sessproto_build(&back, buf2, sizeof(buf2));
		assert_int_equal(len2, len);
		assert_memory_equal(buf, buf2, len);
		/* Builder: every capacity one short fails. */
		for (k = 0; k < len; k++)
			assert_int_equal(sessproto_build(&m[i], buf2, k), 0);
		for (k = 0; k < len; k++) {
			assert_false(sessproto_parse(buf, k, &back));
			memcpy(cut, buf, k);
			if (k >= SESSPROTO_HDR_LEN) {
				cut[2] = (uint8_t)(k >> 8);
				cut[3] = (uint8_t)k;
			}
			assert_false(sessproto_parse(cut, k, &back));
		}
		memcpy(cut, buf, len);
		cut[3] = (uint8_t)(len - 1);
		assert_false(sessproto_parse(cut, len, &back));
		cut[3] = (uint8_t)(len + 1);
		assert_false(sessproto_parse(cut, len, &back));
		cut[3] = (uint8_t)(len + 1);
		cut[len] = 0;
		assert_false(sessproto_parse(cut, len + 1, &back));
		cut[3] = 0;
		assert_false(sessproto_parse(cut, len, &back));
	}
}

static void
test_fields_checked(void **state)
{
	struct sessproto_msg m[12], back;
	uint8_t buf[SESSPROTO_MAX_MSG];
	size_t len;

	(void)state;
	samples(m);
	/* HELLO: key of 64 bytes fits, 65 is refused by both sides. */
	memset(m[0].u.hello.key, 'k', SESSPROTO_KEY_MAX);
	m[0].u.hello.key[SESSPROTO_KEY_MAX] = '\0';
	len = sessproto_build(&m[0], buf, sizeof(buf));
	assert_int_equal(len, 4 + 4 + 1 + SESSPROTO_KEY_MAX);
	assert_true(sessproto_parse(buf, len, &back));
	assert_int_equal(strlen(back.u.hello.key), SESSPROTO_KEY_MAX);
	buf[8] = SESSPROTO_KEY_MAX + 1;
	buf[len] = 'k';
	buf[3]++;
	assert_false(sessproto_parse(buf, len + 1, &back));
	/* Empty key; a space, a control byte in a name. */
	m[0].u.hello.key[0] = '\0';
	assert_int_equal(sessproto_build(&m[0], buf, sizeof(buf)), 0);
	strcpy(m[0].u.hello.key, "a b");
	assert_int_equal(sessproto_build(&m[0], buf, sizeof(buf)), 0);
	strcpy(m[0].u.hello.key, "ab");
	len = sessproto_build(&m[0], buf, sizeof(buf));
	buf[len - 1] = 0x01;
	assert_false(sessproto_parse(buf, len, &back));
	buf[len - 1] = 0x7f;
	assert_false(sessproto_parse(buf, len, &back));

	/* PHASE above PHASE_MASTER. */
	len = sessproto_build(&m[1], buf, sizeof(buf));
	buf[4] = SESSPROTO_PHASE_MAX + 1;
	assert_false(sessproto_parse(buf, len, &back));
	buf[4] = SESSPROTO_PHASE_MAX;
	assert_true(sessproto_parse(buf, len, &back));

	/* AUTH_OK needs a method and a user. */
	len = sessproto_build(&m[2], buf, sizeof(buf));
	buf[4] = 0;
	assert_false(sessproto_parse(buf, len, &back));
	buf[4] = SESSPROTO_AUTH_METHOD_MAX + 1;
	assert_false(sessproto_parse(buf, len, &back));
	m[2].u.auth.user[0] = '\0';
	assert_int_equal(sessproto_build(&m[2], buf, sizeof(buf)), 0);

	/* AUTH_FAIL: empty user allowed, cause 0 or past the end not. */
	m[3].u.auth.user[0] = '\0';
	len = sessproto_build(&m[3], buf, sizeof(buf));
	assert_true(len > 0);
	assert_true(sessproto_parse(buf, len, &back));
	assert_string_equal(back.u.auth.user, "");
	assert_string_equal(back.u.auth.text, "MS-CHAPv2 response mismatch");
	buf[5] = 0;
	assert_false(sessproto_parse(buf, len, &back));
	buf[5] = SESSPROTO_FAIL_CAUSE_MAX + 1;
	assert_false(sessproto_parse(buf, len, &back));

	/* IP_UP: ndns 3 refused; ifname 15 ok, 16 refused. */
	m[5].u.ip.ndns = 3;
	assert_int_equal(sessproto_build(&m[5], buf, sizeof(buf)), 0);
	m[5].u.ip.ndns = 0;
	strcpy(m[5].u.ip.ifname, "ppp012345678901");
	len = sessproto_build(&m[5], buf, sizeof(buf));
	assert_true(len > 0);
	assert_true(sessproto_parse(buf, len, &back));
	assert_int_equal(back.u.ip.ndns, 0);
	assert_int_equal(back.u.ip.local, m[5].u.ip.local);
	assert_int_equal(back.u.ip.remote, m[5].u.ip.remote);
	buf[4 + 1 + 15 + 8] = 3;
	assert_false(sessproto_parse(buf, len, &back));

	/* COUNTERS: unknown flag bits refused; u64 values kept. */
	len = sessproto_build(&m[6], buf, sizeof(buf));
	assert_true(sessproto_parse(buf, len, &back));
	assert_true(back.u.counters.bytes_in == 0x100000001ULL);
	assert_int_equal(back.u.counters.seconds, 61);
	buf[4] = 0x02;
	assert_false(sessproto_parse(buf, len, &back));

	/* DISCONNECT cause range. */
	len = sessproto_build(&m[11], buf, sizeof(buf));
	buf[4] = 0;
	assert_false(sessproto_parse(buf, len, &back));
	buf[4] = SESSPROTO_DISC_CAUSE_MAX + 1;
	assert_false(sessproto_parse(buf, len, &back));

	/* Version, unknown type, oversize. */
	len = sessproto_build(&m[9], buf, sizeof(buf));
	assert_int_equal(len, SESSPROTO_HDR_LEN);
	buf[0] = 2;
	assert_false(sessproto_parse(buf, len, &back));
	buf[0] = 1;
	buf[1] = 0x0a;
	assert_false(sessproto_parse(buf, len, &back));
	buf[1] = 0x80;
	assert_false(sessproto_parse(buf, len, &back));
	assert_false(sessproto_parse(buf, SESSPROTO_MAX_MSG + 1, &back));
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(sessproto_type_name(SESSPROTO_AUTH_FAIL),
	    "auth-fail");
	assert_string_equal(sessproto_type_name((enum sessproto_type)0x42),
	    "?");
	assert_string_equal(sessproto_auth_method_name(4), "mschapv2");
	assert_string_equal(sessproto_auth_method_name(6), "?");
	assert_string_equal(sessproto_auth_cause_name(2), "bad-secret");
	assert_string_equal(sessproto_auth_cause_name(0), "?");
	assert_string_equal(sessproto_disc_cause_name(5), "shutdown");
	assert_string_equal(sessproto_phase_name(8), "running");
	assert_string_equal(sessproto_phase_name(13), "?");
	assert_string_equal(sessproto_exit_name(5), "user-request");
	assert_string_equal(sessproto_exit_name(11), "peer-auth-failed");
	assert_string_equal(sessproto_exit_name(21), "cnid-auth-failed");
	assert_string_equal(sessproto_exit_name(22), "?");
	assert_true(sessproto_from_plugin(SESSPROTO_EXIT));
	assert_false(sessproto_from_plugin(SESSPROTO_ADDR));
}

/* Over a real SOCK_SEQPACKET pair: records keep their boundaries. */
static void
test_socket(void **state)
{
	struct sessproto_msg m[12], back;
	uint8_t big[SESSPROTO_MAX_MSG + 10];
	int sv[2];
	size_t i, n;

	(void)state;
	n = samples(m);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(sessproto_send(sv[0], &m[i]), 0);
	for (i = 0; i < n; i++) {
		assert_int_equal(sessproto_recv(sv[1], &back), 1);
		assert_int_equal(back.type, m[i].type);
	}
	/* Oversized and garbage records are consumed and reported. */
	memset(big, 0, sizeof(big));
	big[0] = 1;
	big[1] = SESSPROTO_HELLO_ACK;
	big[3] = 4;
	assert_int_equal(send(sv[0], big, sizeof(big), 0),
	    (ssize_t)sizeof(big));
	assert_int_equal(send(sv[0], big, 3, 0), 3);
	assert_int_equal(send(sv[0], big, 4, 0), 4);
	assert_int_equal(sessproto_recv(sv[1], &back), -2);
	assert_int_equal(sessproto_recv(sv[1], &back), -2);
	assert_int_equal(sessproto_recv(sv[1], &back), 1);
	assert_int_equal(back.type, SESSPROTO_HELLO_ACK);
	/* Invalid message: EINVAL, nothing sent. */
	m[0].u.hello.key[0] = '\0';
	assert_int_equal(sessproto_send(sv[0], &m[0]), -1);
	assert_int_equal(errno, EINVAL);
	close(sv[0]);
	assert_int_equal(sessproto_recv(sv[1], &back), 0);
	close(sv[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wire_vector),
		cmocka_unit_test(test_round_trip_and_truncations),
		cmocka_unit_test(test_fields_checked),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_socket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
