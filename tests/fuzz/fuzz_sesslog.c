/*
 * fuzz_sesslog.c - the session record's escaping on peer-chosen bytes
 * (user names come from PPP authentication, causes may quote the peer).
 *
 * JSON string escaping: the output has no raw control characters, every
 * backslash starts a valid RFC 8259 escape, and when nothing had to be
 * replaced by U+FFFD, decoding the output gives the input back exactly.
 * Log line: only printable ASCII, and exactly the fixed number of
 * space-separated key=value fields for the event, whatever the user and
 * cause hold, so a grep by key cannot be fooled.
 *
 * Input: byte 0 = event (% 6), byte 1 = split: user = bytes [2, 2+split),
 * cause = the rest (NUL-terminated copy, so cut at its first NUL).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sesslog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond)
{
	if (!cond)
		abort();
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode an escaped JSON string body; returns decoded length. */
static size_t
json_decode(const char *s, size_t len, uint8_t *out, bool *had_fffd)
{
	size_t i = 0, o = 0;
	unsigned int u;
	int k, h;

	*had_fffd = false;
	while (i < len) {
		check((unsigned char)s[i] >= 0x20 && s[i] != 0x7f);
		check(s[i] != '"');
		if (s[i] != '\\') {
			out[o++] = (uint8_t)s[i++];
			continue;
		}
		check(i + 1 < len);
		switch (s[i + 1]) {
		case '"': out[o++] = '"'; break;
		case '\\': out[o++] = '\\'; break;
		case 'b': out[o++] = '\b'; break;
		case 'f': out[o++] = '\f'; break;
		case 'n': out[o++] = '\n'; break;
		case 'r': out[o++] = '\r'; break;
		case 't': out[o++] = '\t'; break;
		case 'u':
			check(i + 5 < len);
			for (u = 0, k = 2; k < 6; k++) {
				check((h = hexval(s[i + k])) >= 0);
				u = u << 4 | (unsigned int)h;
			}
			if (u == 0xfffd)
				*had_fffd = true;
			else {
				check(u < 0x20 || u == 0x7f);
				out[o++] = (uint8_t)u;
			}
			i += 6;
			continue;
		default:
			check(0);
		}
		i += 2;
	}
	return o;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char esc[8192], line[4096], json[8192];
	static uint8_t dec[8192];
	static char cause[1024];
	struct timespec ts = { 1, 0 };
	struct sesslog r;
	enum sesslog_event ev;
	size_t split, len, n, i, spaces = 0;
	bool fffd;

	if (size < 2)
		return 0;
	ev = (enum sesslog_event)(data[0] % 6);
	split = data[1];
	data += 2;
	size -= 2;
	if (split > size)
		split = size;

	/* escaping of the whole rest (at most 1024 bytes) */
	len = size < 1024 ? size : 1024;
	n = sesslog_json_escape(esc, sizeof(esc), data, len);
	check(n == strlen(esc));
	check(n >= len);
	i = json_decode(esc, n, dec, &fffd);
	if (!fffd) {
		check(i == len);
		check(memcmp(dec, data, len) == 0);
	}

	sesslog_init(&r);
	sesslog_set_user(&r, data, split);
	n = size - split < sizeof(cause) - 1 ? size - split : sizeof(cause) - 1;
	memcpy(cause, data + split, n);
	cause[n] = '\0';
	r.pppd_pid = 1;
	n = sesslog_format_line(line, sizeof(line), &r, ev, cause, 0);
	check(n > 0 && n < 1000);
	for (i = 0; i < n; i++) {
		check(line[i] >= ' ' && line[i] < 0x7f);
		spaces += line[i] == ' ';
	}
	/* 13 fields; +5 counters for counters/end; +1 cause */
	check(spaces == 12 + ((ev == SESSLOG_COUNTERS || ev == SESSLOG_END) ?
	    5 : 0) + ((ev == SESSLOG_AUTH_FAIL || ev == SESSLOG_END) ? 1 :
	    0));
	n = sesslog_format_json(json, sizeof(json), &r, ev, cause, 0, &ts);
	check(n > 0 && json[0] == '{' && json[n - 1] == '}');
	for (i = 0; i < n; i++)
		check((unsigned char)json[i] >= 0x20);
	return 0;
}
