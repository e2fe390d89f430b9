/*
 * ctl.c - the control socket protocol: request parser and formatter,
 * reply line classification, record lines (see ctl.h).
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/ctl.h"

/* Most words in a request ("peer <addr> <port>"). */
#define CTL_MAX_WORDS	3

static const struct {
	enum ctl_cmd	 cmd;
	const char	*name;
	size_t		 nargs;
} ctl_cmds[] = {
	{ CTL_CMD_POLICIES, "policies", 0 },
	{ CTL_CMD_IKE_SAS, "ike-sas", 0 },
	{ CTL_CMD_IPSEC_SAS, "ipsec-sas", 0 },
	{ CTL_CMD_REGISTER_L2TP, "register", 2 },
	{ CTL_CMD_PEER, "peer", 2 },
	{ CTL_CMD_WATCH, "watch", 0 },
	{ CTL_CMD_DROP, "drop", 2 },
	{ CTL_CMD_COUNTERS, "counters", 0 },
};

struct word {
	const char	*p;
	size_t		 len;
};

const char *
ctl_cmd_name(enum ctl_cmd c)
{
	size_t i;

	for (i = 0; i < sizeof(ctl_cmds) / sizeof(ctl_cmds[0]); i++)
		if (ctl_cmds[i].cmd == c)
			return c == CTL_CMD_REGISTER_L2TP ? "register l2tp" :
			    ctl_cmds[i].name;
	return "?";
}

static bool
word_is(const struct word *w, const char *s)
{
	return w->len == strlen(s) && memcmp(w->p, s, w->len) == 0;
}

/* Decimal 0..65535, digits only, at most 5 of them. */
static bool
parse_port(const struct word *w, uint16_t *port)
{
	unsigned long v = 0;
	size_t i;

	if (w->len == 0 || w->len > 5)
		return false;
	for (i = 0; i < w->len; i++) {
		if (w->p[i] < '0' || w->p[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(w->p[i] - '0');
	}
	if (v > 65535)
		return false;
	*port = (uint16_t)v;
	return true;
}

static bool
parse_addr(const struct word *w, struct sockaddr_storage *ss)
{
	char a[INET6_ADDRSTRLEN];
	struct sockaddr_in *s4 = (struct sockaddr_in *)(void *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)(void *)ss;

	if (w->len == 0 || w->len >= sizeof(a))
		return false;
	memcpy(a, w->p, w->len);
	a[w->len] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, a, &s4->sin_addr) == 1) {
		ss->ss_family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, a, &s6->sin6_addr) == 1) {
		ss->ss_family = AF_INET6;
		return true;
	}
	return false;
}

/* Split into words: single spaces between printable non-space bytes. */
static bool
split(const char *line, size_t len, struct word *w, size_t *nw,
    const char **why)
{
	size_t i, n = 0;

	if (len == 0) {
		*why = "empty request";
		return false;
	}
	if (len >= CTL_REQ_MAX) {
		*why = "request too long";
		return false;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c == ' ') {
			if (i == 0 || i + 1 == len || line[i + 1] == ' ') {
				*why = "stray space";
				return false;
			}
			continue;
		}
		if (c < 0x21 || c > 0x7e) {
			*why = "control or non-ASCII byte";
			return false;
		}
		if (i == 0 || line[i - 1] == ' ') {
			if (n == CTL_MAX_WORDS) {
				*why = "too many words";
				return false;
			}
			w[n].p = line + i;
			w[n].len = 0;
			n++;
		}
		w[n - 1].len++;
	}
	*nw = n;
	return true;
}

bool
ctl_req_parse(const char *line, size_t len, struct ctl_req *out,
    const char **why)
{
	struct word w[CTL_MAX_WORDS];
	size_t nw, i;

	if (!split(line, len, w, &nw, why))
		return false;
	memset(out, 0, sizeof(*out));
	for (i = 0; i < sizeof(ctl_cmds) / sizeof(ctl_cmds[0]); i++)
		if (word_is(&w[0], ctl_cmds[i].name))
			break;
	if (i == sizeof(ctl_cmds) / sizeof(ctl_cmds[0])) {
		*why = "unknown command";
		return false;
	}
	if (nw - 1 != ctl_cmds[i].nargs) {
		*why = "wrong number of arguments";
		return false;
	}
	out->cmd = ctl_cmds[i].cmd;
	switch (out->cmd) {
	case CTL_CMD_REGISTER_L2TP:
		if (!word_is(&w[1], "l2tp")) {
			*why = "register: only \"l2tp\" is known";
			return false;
		}
		if (!parse_port(&w[2], &out->port) || out->port == 0) {
			*why = "bad port";
			return false;
		}
		return true;
	case CTL_CMD_PEER:
	case CTL_CMD_DROP:
		if (!parse_addr(&w[1], &out->addr)) {
			*why = "bad address";
			return false;
		}
		if (!parse_port(&w[2], &out->port)) {
			*why = "bad port";
			return false;
		}
		return true;
	case CTL_CMD_POLICIES:
	case CTL_CMD_IKE_SAS:
	case CTL_CMD_IPSEC_SAS:
	case CTL_CMD_WATCH:
	case CTL_CMD_COUNTERS:
		return true;
	}
	*why = "unknown command";
	return false;
}

int
ctl_req_format(const struct ctl_req *r, char *buf, size_t cap)
{
	char a[INET6_ADDRSTRLEN];
	const void *ap;
	int n;

	switch (r->cmd) {
	case CTL_CMD_POLICIES:
	case CTL_CMD_IKE_SAS:
	case CTL_CMD_IPSEC_SAS:
	case CTL_CMD_WATCH:
	case CTL_CMD_COUNTERS:
		n = snprintf(buf, cap, "%s\n", ctl_cmd_name(r->cmd));
		break;
	case CTL_CMD_REGISTER_L2TP:
		if (r->port == 0)
			return -1;
		n = snprintf(buf, cap, "register l2tp %u\n", r->port);
		break;
	case CTL_CMD_PEER:
	case CTL_CMD_DROP:
		if (r->addr.ss_family == AF_INET)
			ap = &((const struct sockaddr_in *)(const void *)
			    &r->addr)->sin_addr;
		else if (r->addr.ss_family == AF_INET6)
			ap = &((const struct sockaddr_in6 *)(const void *)
			    &r->addr)->sin6_addr;
		else
			return -1;
		if (inet_ntop(r->addr.ss_family, ap, a, sizeof(a)) == NULL)
			return -1;
		n = snprintf(buf, cap, "%s %s %u\n", ctl_cmd_name(r->cmd), a,
		    r->port);
		break;
	default:
		return -1;
	}
	if (n < 0 || (size_t)n >= cap || (size_t)n >= CTL_REQ_MAX)
		return -1;
	return n;
}

static bool
is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

enum ctl_reply
ctl_reply_classify(const char *line, size_t len, const char **reason)
{
	size_t i;

	if (len == 0 || len >= CTL_LINE_MAX)
		return CTL_REPLY_BAD;
	for (i = 0; i < len; i++)
		if ((unsigned char)line[i] < 0x20 ||
		    (unsigned char)line[i] > 0x7e)
			return CTL_REPLY_BAD;
	if (len == 2 && memcmp(line, "ok", 2) == 0)
		return CTL_REPLY_OK;
	if (len >= 6 && memcmp(line, "error ", 6) == 0) {
		if (reason != NULL)
			*reason = line + 6;
		return CTL_REPLY_ERROR;
	}
	if (len == 5 && memcmp(line, "error", 5) == 0) {
		if (reason != NULL)
			*reason = line + 5;
		return CTL_REPLY_ERROR;
	}
	/* a record: kind, then " key=value" items */
	for (i = 0; i < len && line[i] != ' '; i++)
		if (!is_key_char(line[i]))
			return CTL_REPLY_BAD;
	return i > 0 ? CTL_REPLY_RECORD : CTL_REPLY_BAD;
}

static void
rec_put(struct ctl_rec *r, const char *s, size_t n, bool sanitize)
{
	size_t i;

	if (r->overflow)
		return;
	/* keep room for "\n" and the NUL */
	if (n > sizeof(r->buf) - 2 - r->len) {
		r->overflow = true;
		return;
	}
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (sanitize && ((unsigned char)c < 0x21 ||
		    (unsigned char)c > 0x7e))
			c = '?';
		r->buf[r->len++] = c;
	}
}

void
ctl_rec_init(struct ctl_rec *r, const char *kind)
{
	r->len = 0;
	r->overflow = false;
	rec_put(r, kind, strlen(kind), true);
}

void
ctl_rec_add(struct ctl_rec *r, const char *key, const char *fmt, ...)
{
	char v[CTL_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(v)) {
		r->overflow = true;
		return;
	}
	rec_put(r, " ", 1, false);
	rec_put(r, key, strlen(key), true);
	rec_put(r, "=", 1, false);
	if (n == 0)
		rec_put(r, "-", 1, false);
	else
		rec_put(r, v, (size_t)n, true);
}

const char *
ctl_rec_line(struct ctl_rec *r)
{
	if (r->overflow || r->len == 0)
		return NULL;
	r->buf[r->len] = '\n';
	r->buf[r->len + 1] = '\0';
	return r->buf;
}

bool
ctl_rec_get(const char *line, size_t len, const char *key, char *val,
    size_t cap)
{
	size_t klen = strlen(key), i, j;

	if (ctl_reply_classify(line, len, NULL) != CTL_REPLY_RECORD ||
	    klen == 0)
		return false;
	for (i = 0; i < len && line[i] != ' '; i++)
		;
	while (i < len) {
		/* line[i] is the space in front of an item */
		i++;
		for (j = i; j < len && line[j] != ' '; j++)
			;
		if (j - i > klen && memcmp(line + i, key, klen) == 0 &&
		    line[i + klen] == '=') {
			if (j - i - klen - 1 >= cap)
				return false;
			memcpy(val, line + i + klen + 1, j - i - klen - 1);
			val[j - i - klen - 1] = '\0';
			return true;
		}
		i = j;
	}
	return false;
}
