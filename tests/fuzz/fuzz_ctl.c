/*
 * fuzz_ctl.c - the control protocol's request parser, reply classifier
 * and record lookup (lib/ctl.h) on arbitrary lines. Checks: a parsed
 * request formats back to a line that parses to the same request; the
 * lookup's value is NUL-terminated, fits its buffer and occurs in the
 * line; a record rebuilt from the input never exceeds CTL_LINE_MAX.
 *
 * Input: the line (no "\n"); the seeds in corpus/ctl/ are requests and
 * reply lines.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond)
{
	if (!cond)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *line = (const char *)data, *why = NULL, *reason = NULL;
	struct ctl_req r, r2;
	struct ctl_rec rec;
	char buf[CTL_REQ_MAX], val[16];
	const char *out;
	enum ctl_reply k;
	int n;

	if (ctl_req_parse(line, size, &r, &why)) {
		n = ctl_req_format(&r, buf, sizeof(buf));
		check(n > 0 && buf[n - 1] == '\n');
		check(ctl_req_parse(buf, (size_t)n - 1, &r2, &why));
		check(r.cmd == r2.cmd && r.port == r2.port &&
		    memcmp(&r.addr, &r2.addr, sizeof(r.addr)) == 0);
	} else
		check(why != NULL);
	k = ctl_reply_classify(line, size, &reason);
	if (k == CTL_REPLY_ERROR)
		check(reason >= line && reason <= line + size);
	if (ctl_rec_get(line, size, "peer", val, sizeof(val))) {
		check(strlen(val) < sizeof(val));
		check(memmem(line, size, val, strlen(val)) != NULL);
	}
	ctl_rec_init(&rec, "fuzz");
	ctl_rec_add(&rec, "v", "%.*s", (int)(size > 2000 ? 2000 : size),
	    line);
	if ((out = ctl_rec_line(&rec)) != NULL) {
		check(strlen(out) < CTL_LINE_MAX);
		check(ctl_reply_classify(out, strlen(out) - 1, NULL) ==
		    CTL_REPLY_RECORD);
	}
	return 0;
}
