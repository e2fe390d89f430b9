/*
 * test_sesslog.c - the per-session record (lib/sesslog.c): JSON string
 * escaping (quotes, control characters, valid and invalid UTF-8), the
 * exact log and JSON lines of every event for a full and an empty record,
 * log value escaping, the worst-case line fitting lib/log's 1024 bytes,
 * and the file: mode 0640, narrowing, symlinks and directories refused,
 * reopen after rotation and a failed reopen.
 */
#include <sys/stat.h>

#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "lib/sesslog.h"

static uint64_t now_ms;
static char lines[8][1200];
static size_t nlines;
static char dir[64];
static char path[128];

static uint64_t
mock_clock(void)
{
	return now_ms;
}

/* 2026-12-05T11:50:53.123Z */
static void
mock_wall(struct timespec *ts)
{
	ts->tv_sec = 1796471453;
	ts->tv_nsec = 123456789;
}

static void
sink(enum log_level level, const char *line)
{
	(void)level;
	if (nlines < 8)
		snprintf(lines[nlines], sizeof(lines[0]), "%s", line);
	nlines++;
}

static int
setup(void **state)
{
	(void)state;
	now_ms = 5000000;
	nlines = 0;
	clock_set_mock(mock_clock);
	sesslog_set_wall_clock(mock_wall);
	log_set_sink(sink);
	log_setlevel(LOG_LEVEL_INFO);
	snprintf(dir, sizeof(dir), "/tmp/test_sesslog.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sessions.json", dir);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[200];

	(void)state;
	clock_set_mock(NULL);
	sesslog_set_wall_clock(NULL);
	log_set_sink(NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void
expect_escape(const char *in, size_t len, const char *want)
{
	char buf[256];

	assert_int_equal(sesslog_json_escape(buf, sizeof(buf), in, len),
	    strlen(want));
	assert_string_equal(buf, want);
}

#define ESC(lit, want)	expect_escape(lit, sizeof(lit) - 1, want)

static void
test_json_escape(void **state)
{
	char small[4];

	(void)state;
	ESC("alice", "alice");
	ESC("", "");
	ESC("a\"b\\c/d", "a\\\"b\\\\c/d");
	ESC("\b\f\n\r\t", "\\b\\f\\n\\r\\t");
	ESC("\x01\x1f\x7f", "\\u0001\\u001f\\u007f");
	ESC("a\0b", "a\\u0000b");
	/* valid UTF-8 kept: e-acute, euro, U+FFFF, U+10FFFF, emoji */
	ESC("\xc3\xa9", "\xc3\xa9");
	ESC("\xe2\x82\xac", "\xe2\x82\xac");
	ESC("\xef\xbf\xbf", "\xef\xbf\xbf");
	ESC("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");
	ESC("\xf0\x9f\x98\x80!", "\xf0\x9f\x98\x80!");
	ESC("\xe2\x80\xa8", "\xe2\x80\xa8");
	/* invalid: each offending byte becomes U+FFFD */
	ESC("\x80", "\\ufffd");
	ESC("a\xbf" "b", "a\\ufffdb");
	ESC("\xc0\xaf", "\\ufffd\\ufffd");		/* overlong '/' */
	ESC("\xc1\xbf", "\\ufffd\\ufffd");
	ESC("\xe0\x80\xaf", "\\ufffd\\ufffd\\ufffd");	/* overlong */
	ESC("\xed\xa0\x80", "\\ufffd\\ufffd\\ufffd");	/* surrogate */
	ESC("\xf0\x8f\xbf\xbf", "\\ufffd\\ufffd\\ufffd\\ufffd");
	ESC("\xf4\x90\x80\x80", "\\ufffd\\ufffd\\ufffd\\ufffd");
	ESC("\xf5\xff\xfe", "\\ufffd\\ufffd\\ufffd");
	ESC("\xc3" "A", "\\ufffdA");			/* no continuation */
	ESC("x\xe2\x82", "x\\ufffd\\ufffd");		/* truncated */
	ESC("\xf0\x9f\x98", "\\ufffd\\ufffd\\ufffd");
	ESC("\xe2\x82\x22", "\\ufffd\\ufffd\\\"");
	/* too small: 0 and an empty string */
	assert_int_equal(sesslog_json_escape(small, sizeof(small), "\n\n",
	    2), 0);
	assert_string_equal(small, "");
	assert_int_equal(sesslog_json_escape(small, sizeof(small), "abc",
	    3), 3);
	assert_int_equal(sesslog_json_escape(small, 0, "abc", 3), 0);
}

static void
fill(struct sesslog *r)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&r->peer;
	static const uint8_t ic[8] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab,
	    0xcd, 0xef };
	static const uint8_t rc[8] = { 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54,
	    0x32, 0x10 };

	sesslog_init(r);
	sin->sin_family = AF_INET;
	sin->sin_port = htons(4500);
	assert_int_equal(inet_pton(AF_INET, "203.0.113.5", &sin->sin_addr),
	    1);
	r->nat = true;
	r->has_cookies = true;
	memcpy(r->icookie, ic, 8);
	memcpy(r->rcookie, rc, 8);
	r->spi_in = 0xc0ffee01;
	r->spi_out = 0x0badf00d;
	r->client = SESSLOG_CLIENT_WINDOWS;
	r->local_tunnel = 4312;
	r->remote_tunnel = 77;
	r->local_session = 981;
	r->remote_session = 5;
	r->pppd_pid = 1234;
	snprintf(r->ifname, sizeof(r->ifname), "ppp0");
	sesslog_set_user(r, "alice", 5);
	r->has_addr = true;
	assert_int_equal(inet_pton(AF_INET, "192.168.42.10", &r->addr), 1);
}

#define IDS \
	"peer=203.0.113.5:4500 nat=yes ike=0123456789abcdef:fedcba9876543210 " \
	"spi_in=0xc0ffee01 spi_out=0x0badf00d client=windows " \
	"tunnel=4312/77 session=981/5 pppd=1234 if=ppp0 user=alice " \
	"addr=192.168.42.10"
#define JIDS \
	"\"peer\":\"203.0.113.5\",\"peer_port\":4500,\"nat\":true," \
	"\"icookie\":\"0123456789abcdef\",\"rcookie\":\"fedcba9876543210\"," \
	"\"spi_in\":\"c0ffee01\",\"spi_out\":\"0badf00d\"," \
	"\"client\":\"windows\",\"local_tunnel\":4312," \
	"\"remote_tunnel\":77,\"local_session\":981,\"remote_session\":5," \
	"\"pppd_pid\":1234,\"ifname\":\"ppp0\",\"user\":\"alice\"," \
	"\"address\":\"192.168.42.10\""
#define TS	"{\"ts\":\"2026-12-05T11:50:53.123Z\","

static char *
slurp(const char *p)
{
	static char buf[16384];
	FILE *f = fopen(p, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Every event of a full session: exact log lines and JSON lines. */
static void
test_session_lines(void **state)
{
	struct sesslog_out *o;
	struct sesslog r;

	(void)state;
	fill(&r);
	o = sesslog_open(path);
	assert_non_null(o);
	sesslog_emit(o, &r, SESSLOG_START, "ignored");
	assert_int_equal(r.start_ms, 5000000);
	now_ms += 1500;
	sesslog_emit(o, &r, SESSLOG_AUTH_OK, NULL);
	sesslog_emit(o, &r, SESSLOG_IP_UP, NULL);
	now_ms += 60000;
	r.ctr.bytes_in = 1000;
	r.ctr.bytes_out = 20000;
	r.ctr.pkts_in = 10;
	r.ctr.pkts_out = 20;
	sesslog_emit(o, &r, SESSLOG_COUNTERS, NULL);
	now_ms += 12345 - 1500;
	r.ctr.bytes_in = 123456789012ULL;
	sesslog_emit(o, &r, SESSLOG_END, "peer \"dead\"");
	sesslog_close(o);

	assert_int_equal(nlines, 5);
	assert_string_equal(lines[0], "sess 4312:981/77:5: event=start " IDS);
	assert_string_equal(lines[1], "sess 4312:981/77:5: event=auth-ok "
	    IDS);
	assert_string_equal(lines[2], "sess 4312:981/77:5: event=ip-up " IDS);
	assert_string_equal(lines[3], "sess 4312:981/77:5: event=counters "
	    IDS " duration=61.500 bytes_in=1000 bytes_out=20000 pkts_in=10 "
	    "pkts_out=20");
	assert_string_equal(lines[4], "sess 4312:981/77:5: event=end " IDS
	    " duration=72.345 bytes_in=123456789012 bytes_out=20000 "
	    "pkts_in=10 pkts_out=20 cause=peer\\x20\\x22dead\\x22");
	assert_string_equal(slurp(path),
	    TS "\"event\":\"start\"," JIDS "}\n"
	    TS "\"event\":\"auth-ok\"," JIDS "}\n"
	    TS "\"event\":\"ip-up\"," JIDS "}\n"
	    TS "\"event\":\"counters\"," JIDS ",\"duration_ms\":61500,"
	    "\"bytes_in\":1000,\"bytes_out\":20000,\"packets_in\":10,"
	    "\"packets_out\":20}\n"
	    TS "\"event\":\"end\"," JIDS ",\"duration_ms\":72345,"
	    "\"bytes_in\":123456789012,\"bytes_out\":20000,"
	    "\"packets_in\":10,\"packets_out\":20,"
	    "\"cause\":\"peer \\\"dead\\\"\"}\n");
}

/* Nothing known yet: "-" in the log, null in JSON; auth-fail's cause. */
static void
test_empty_record(void **state)
{
	struct sesslog_out *o;
	struct sesslog r;

	(void)state;
	sesslog_init(&r);
	o = sesslog_open(path);
	assert_non_null(o);
	sesslog_set_user(&r, "mall\xc3\xa9ry\n", 9);
	sesslog_emit(o, &r, SESSLOG_AUTH_FAIL, "MS-CHAPv2 failure (691)");
	sesslog_close(o);
	assert_int_equal(nlines, 1);
	assert_string_equal(lines[0], "sess 0:0/0:0: event=auth-fail peer=- "
	    "nat=no ike=- spi_in=- spi_out=- client=unknown tunnel=0/0 "
	    "session=0/0 pppd=- if=- user=mall\\xc3\\xa9ry\\x0a addr=- "
	    "cause=MS-CHAPv2\\x20failure\\x20(691)");
	assert_string_equal(slurp(path), TS "\"event\":\"auth-fail\","
	    "\"peer\":null,\"peer_port\":null,\"nat\":false,"
	    "\"icookie\":null,\"rcookie\":null,\"spi_in\":null,"
	    "\"spi_out\":null,\"client\":\"unknown\",\"local_tunnel\":null,"
	    "\"remote_tunnel\":null,\"local_session\":null,"
	    "\"remote_session\":null,\"pppd_pid\":null,\"ifname\":null,"
	    "\"user\":\"mall\xc3\xa9ry\\n\",\"address\":null,"
	    "\"cause\":\"MS-CHAPv2 failure (691)\"}\n");
	/* no file: log line only */
	sesslog_emit(NULL, &r, SESSLOG_IP_UP, NULL);
	assert_int_equal(nlines, 2);
	o = sesslog_open(NULL);
	assert_non_null(o);
	sesslog_emit(o, &r, SESSLOG_IP_UP, NULL);
	assert_int_equal(sesslog_reopen(o), 0);
	sesslog_close(o);
	sesslog_close(NULL);
	assert_int_equal(nlines, 3);
}

static void
expect_user(const char *user, size_t len, const char *want_log)
{
	char buf[1024], *u, *end;
	struct sesslog r;

	sesslog_init(&r);
	sesslog_set_user(&r, user, len);
	assert_true(sesslog_format_line(buf, sizeof(buf), &r,
	    SESSLOG_IP_UP, NULL, 0) > 0);
	u = strstr(buf, " user=");
	assert_non_null(u);
	u += 6;
	end = strstr(u, " addr=");
	assert_non_null(end);
	*end = '\0';
	assert_string_equal(u, want_log);
}

/* Log values never hold a space, quote, '=', backslash or non-ASCII. */
static void
test_kv_escape(void **state)
{
	char big[100];

	(void)state;
	expect_user("bob smith", 9, "bob\\x20smith");
	expect_user("a=b\"c\\d", 7, "a\\x3db\\x22c\\x5cd");
	expect_user("-", 1, "\\x2d");
	expect_user("--", 2, "--");
	expect_user("", 0, "\"\"");
	expect_user("x\0y", 3, "x\\x00y");
	expect_user("\x7f\xff", 2, "\\x7f\\xff");
	/* cut at 64 bytes */
	memset(big, 'u', sizeof(big));
	expect_user(big, sizeof(big),
	    "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu");
}

/* IPv6 peers, other clients, a pid-less and a name-less record. */
static void
test_ipv6_and_names(void **state)
{
	struct sockaddr_in6 *sin6;
	struct sesslog r;
	char buf[1024];
	struct timespec ts = { 0, 5000000 };

	(void)state;
	sesslog_init(&r);
	sin6 = (struct sockaddr_in6 *)&r.peer;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(500);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::5",
	    &sin6->sin6_addr), 1);
	r.client = SESSLOG_CLIENT_ANDROID;
	assert_true(sesslog_format_line(buf, sizeof(buf), &r, SESSLOG_START,
	    NULL, 0) > 0);
	assert_string_equal(buf, "event=start peer=[2001:db8::5]:500 nat=no "
	    "ike=- spi_in=- spi_out=- client=android tunnel=0/0 session=0/0 "
	    "pppd=- if=- user=- addr=-");
	assert_true(sesslog_format_json(buf, sizeof(buf), &r, SESSLOG_START,
	    NULL, 0, &ts) > 0);
	assert_non_null(strstr(buf, "{\"ts\":\"1970-01-01T00:00:00.005Z\","
	    "\"event\":\"start\",\"peer\":\"2001:db8::5\",\"peer_port\":500,"));
	assert_string_equal(sesslog_client_name(SESSLOG_CLIENT_APPLE),
	    "apple");
	assert_string_equal(sesslog_client_name(SESSLOG_CLIENT_OTHER),
	    "other");
	assert_string_equal(sesslog_event_name(SESSLOG_END), "end");
	/* too small a buffer: 0, empty */
	assert_int_equal(sesslog_format_line(buf, 20, &r, SESSLOG_START,
	    NULL, 0), 0);
	assert_string_equal(buf, "");
	assert_int_equal(sesslog_format_json(buf, 20, &r, SESSLOG_START,
	    NULL, 0, &ts), 0);
}

/*
 * The worst case: IPv6 peer, hostile 64-byte user and 300-byte cause of
 * bytes that all need escaping: the log line is not cut by lib/log.
 */
static void
test_worst_case_fits(void **state)
{
	struct sockaddr_in6 *sin6;
	struct sesslog_out *o;
	struct sesslog r;
	char user[64], cause[301], *json;
	size_t len;

	(void)state;
	fill(&r);
	memset(&r.peer, 0, sizeof(r.peer));
	sin6 = (struct sockaddr_in6 *)&r.peer;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(65535);
	assert_int_equal(inet_pton(AF_INET6,
	    "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255",
	    &sin6->sin6_addr), 1);
	r.local_tunnel = r.remote_tunnel = 65535;
	r.local_session = r.remote_session = 65535;
	r.pppd_pid = 2147483647;
	memset(r.ifname, '\x01', sizeof(r.ifname) - 1);
	memset(user, '\xff', sizeof(user));
	sesslog_set_user(&r, user, sizeof(user));
	r.ctr.bytes_in = r.ctr.bytes_out = UINT64_MAX;
	r.ctr.pkts_in = r.ctr.pkts_out = UINT64_MAX;
	memset(cause, '\x1f', 300);
	cause[300] = '\0';
	o = sesslog_open(path);
	assert_non_null(o);
	sesslog_emit(o, &r, SESSLOG_START, NULL);
	now_ms = UINT64_MAX;
	sesslog_emit(o, &r, SESSLOG_END, cause);
	sesslog_close(o);
	assert_int_equal(nlines, 2);
	len = strlen(lines[1]);
	assert_true(len < 1023);
	/* 64 bytes of the cause, then the cut mark */
	assert_memory_equal(lines[1] + len - 3 - 4 * 64 - 7, " cause=", 7);
	assert_memory_equal(lines[1] + len - 3 - 4, "\\x1f...", 7);
	/* JSON keeps 256 bytes of cause, each \u001f */
	json = slurp(path);
	assert_non_null(strstr(json, "\"cause\":\""));
	len = strlen(strstr(json, "\"cause\":\""));
	/* "cause":" + 256 * 6 + "}\n */
	assert_int_equal(len, 9 + 256 * 6 + 3);
}

static void
test_file_mode(void **state)
{
	struct sesslog_out *o;
	struct stat st;
	char link[160];
	mode_t old;
	int fd;

	(void)state;
	old = umask(0);
	o = sesslog_open(path);
	umask(old);
	assert_non_null(o);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	sesslog_close(o);
	/* an existing world-writable file is narrowed */
	assert_int_equal(chmod(path, 0666), 0);
	o = sesslog_open(path);
	assert_non_null(o);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	sesslog_close(o);
	/* a tighter one is left alone */
	assert_int_equal(chmod(path, 0600), 0);
	o = sesslog_open(path);
	assert_non_null(o);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	sesslog_close(o);
	/* symlinks and directories are refused */
	snprintf(link, sizeof(link), "%s/link.json", dir);
	assert_int_equal(symlink(path, link), 0);
	assert_null(sesslog_open(link));
	assert_null(sesslog_open(dir));
	/* a FIFO is not a regular file */
	snprintf(link, sizeof(link), "%s/fifo", dir);
	assert_int_equal(mkfifo(link, 0600), 0);
	fd = open(link, O_RDONLY | O_NONBLOCK);
	assert_true(fd >= 0);
	assert_null(sesslog_open(link));
	close(fd);
}

/* logrotate: rename, reopen, new lines in the new file. */
static void
test_reopen(void **state)
{
	struct sesslog_out *o;
	struct sesslog r;
	char rotated[160];
	char *s;

	(void)state;
	fill(&r);
	snprintf(rotated, sizeof(rotated), "%s/sessions.json.1", dir);
	o = sesslog_open(path);
	assert_non_null(o);
	sesslog_emit(o, &r, SESSLOG_START, NULL);
	assert_int_equal(rename(path, rotated), 0);
	sesslog_emit(o, &r, SESSLOG_AUTH_OK, NULL);
	assert_int_equal(sesslog_reopen(o), 0);
	sesslog_emit(o, &r, SESSLOG_IP_UP, NULL);
	s = slurp(rotated);
	assert_non_null(strstr(s, "\"event\":\"start\""));
	assert_non_null(strstr(s, "\"event\":\"auth-ok\""));
	assert_null(strstr(s, "\"event\":\"ip-up\""));
	s = slurp(path);
	assert_string_equal(s, TS "\"event\":\"ip-up\"," JIDS "}\n");
	/* a failed reopen keeps writing to the old file */
	assert_int_equal(rename(path, rotated), 0);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(sesslog_reopen(o), -1);
	sesslog_emit(o, &r, SESSLOG_END, "admin");
	s = slurp(rotated);
	assert_non_null(strstr(s, "\"event\":\"ip-up\""));
	assert_non_null(strstr(s, "\"event\":\"end\""));
	sesslog_close(o);
	assert_int_equal(rmdir(path), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_json_escape, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_session_lines, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_empty_record, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_kv_escape, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_ipv6_and_names, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_worst_case_fits, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_file_mode, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
