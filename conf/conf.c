/*
 * conf.c - the configuration loader's core: pre-scan of the text, the
 * libconfig parse, the key-table walker, typed getters and messages.
 * The keys are in conf_sections.c, the checks across keys in conf_check.c,
 * the secrets file, final checks and file I/O in conf_secrets.c, and what
 * the daemons look up in a loaded configuration in conf_lookup.c.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "conf.h"
#include "conf_priv.h"

#define CONF_MAX_DEPTH	6	/* nesting of { ( [: we need 3 */

/* Messages. */

static void	vformat(char *, size_t, const char *, unsigned int,
		    const char *, const char *, va_list) CONF_PRINTF(6, 0);

static void
vformat(char *buf, size_t len, const char *file, unsigned int line,
    const char *path, const char *fmt, va_list ap)
{
	int n;

	if (line != 0 && path != NULL)
		n = snprintf(buf, len, "%s:%u: %s: ", file, line, path);
	else if (line != 0)
		n = snprintf(buf, len, "%s:%u: ", file, line);
	else if (path != NULL)
		n = snprintf(buf, len, "%s: %s: ", file, path);
	else
		n = snprintf(buf, len, "%s: ", file);
	if (n < 0)
		buf[0] = '\0';
	if (n < 0 || (size_t)n >= len)
		return;
	vsnprintf(buf + n, len - (size_t)n, fmt, ap);
}

int
conf_error_at(struct conf_err *err, const char *file, unsigned int line,
    const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vformat(err->msg, sizeof(err->msg), file, line, path, fmt, ap);
	va_end(ap);
	return -1;
}

int
conf_error(struct pctx *p, const config_setting_t *s, const char *fmt, ...)
{
	char path[256];
	va_list ap;

	conf_setting_path(s, path, sizeof(path));
	va_start(ap, fmt);
	vformat(p->err->msg, sizeof(p->err->msg), p->file,
	    config_setting_source_line(s), path, fmt, ap);
	va_end(ap);
	return -1;
}

void
conf_warn_at(struct vpn_conf *conf, const char *file, unsigned int line,
    const char *path, const char *fmt, ...)
{
	char buf[512], **w;
	va_list ap;

	if (conf->nwarnings >= CONF_MAX_WARNINGS) {
		conf->nwarnings_dropped++;
		return;
	}
	va_start(ap, fmt);
	vformat(buf, sizeof(buf), file, line, path, fmt, ap);
	va_end(ap);
	w = realloc(conf->warnings, (conf->nwarnings + 1) * sizeof(*w));
	if (w == NULL)
		return;
	conf->warnings = w;
	if ((w[conf->nwarnings] = strdup(buf)) != NULL)
		conf->nwarnings++;
}

void
conf_setting_path(const config_setting_t *s, char *buf, size_t len)
{
	const config_setting_t *chain[CONF_MAX_DEPTH + 4];
	const config_setting_t *parent;
	size_t n = 0, off = 0;
	const char *name;
	int r;

	buf[0] = '\0';
	while (s != NULL && !config_setting_is_root(s) &&
	    n < CONF_NELEM(chain)) {
		chain[n++] = s;
		s = config_setting_parent(s);
	}
	while (n > 0 && off < len) {
		s = chain[--n];
		parent = config_setting_parent(s);
		name = config_setting_name(s);
		if (parent != NULL && !config_setting_is_group(parent))
			r = snprintf(buf + off, len - off, "%s[%d]",
			    off > 0 ? "." : "", config_setting_index(s));
		else
			r = snprintf(buf + off, len - off, "%s%s",
			    off > 0 ? "." : "", name != NULL ? name : "?");
		if (r < 0)
			return;
		off += (size_t)r;
	}
}

const char *
conf_echo(const char *in, char *buf, size_t len)
{
	size_t i, max = len - 1;
	bool cut = strlen(in) > max;

	if (cut)
		max = len > 4 ? len - 4 : 0;
	for (i = 0; i < max && in[i] != '\0'; i++)
		buf[i] = (in[i] >= 0x20 && in[i] < 0x7f) ? in[i] : '?';
	if (cut && len > 4) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

const char *
conf_type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_GROUP:
		return "a group { }";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a float";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_ARRAY:
		return "an array [ ]";
	case CONFIG_TYPE_LIST:
		return "a list ( )";
	}
	return "nothing";
}

unsigned int
conf_line_of(const struct pctx *p, const char *path)
{
	const config_setting_t *s;

	if (p->cfg == NULL || (s = config_lookup(p->cfg, path)) == NULL)
		return 0;
	return config_setting_source_line(s);
}

/* Key tables. */

/*
 * Edit distance of a and b counting a swap of two neighbours as one edit
 * (optimal string alignment); strings over 32 characters give 99.
 */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, v;
	size_t d[34][34];

	if (la > 32 || lb > 32)
		return 99;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			v = d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

static int
unknown_key(struct pctx *p, const config_setting_t *s,
    const struct conf_key *keys)
{
	const struct conf_key *k, *best = NULL;
	size_t d, bestd, off = 0;
	char list[400];
	int r;

	/*
	 * Suggest a key one or two edits away; one for short names, where
	 * two edits make anything look alike.
	 */
	bestd = strlen(config_setting_name(s)) <= 4 ? 2 : 3;

	for (k = keys; k->name != NULL; k++) {
		if (p->secrets && !k->in_secrets)
			continue;
		d = edit_distance(config_setting_name(s), k->name);
		if (d < bestd) {
			bestd = d;
			best = k;
		}
	}
	if (best != NULL)
		return conf_error(p, s, "unknown key; did you mean '%s'?",
		    best->name);
	list[0] = '\0';
	for (k = keys; k->name != NULL && off < sizeof(list); k++) {
		if (p->secrets && !k->in_secrets)
			continue;
		r = snprintf(list + off, sizeof(list) - off, "%s%s",
		    off > 0 ? ", " : "", k->name);
		if (r < 0)
			break;
		off += (size_t)r;
	}
	return conf_error(p, s, "unknown key (valid here: %s)", list);
}

int
conf_walk(struct pctx *p, const config_setting_t *s,
    const struct conf_key *keys, void *base)
{
	const config_setting_t *m;
	const struct conf_key *k;
	unsigned int u = 0;
	uint16_t u16;
	int i, n;
	bool b = false;

	if (!config_setting_is_group(s))
		return conf_error(p, s, "expected a group { ... }, got %s",
		    conf_type_name(config_setting_type(s)));
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		m = config_setting_get_elem(s, (unsigned int)i);
		for (k = keys; k->name != NULL; k++)
			if (strcmp(k->name, config_setting_name(m)) == 0)
				break;
		if (k->name == NULL)
			return unknown_key(p, m, keys);
		if (p->secrets && !k->in_secrets)
			return conf_error(p, m, "not allowed in the secrets "
			    "file (it may hold only ike.psk, ike.peers, "
			    "users' name and password, l2tp.secret)");
		switch (k->kind) {
		case CONF_KEY_UINT:
			if (conf_get_uint(p, m, k->min, k->max, &u) == -1)
				return -1;
			memcpy((char *)base + k->off, &u, sizeof(u));
			break;
		case CONF_KEY_U16:
			if (conf_get_uint(p, m, k->min, k->max, &u) == -1)
				return -1;
			u16 = (uint16_t)u;
			memcpy((char *)base + k->off, &u16, sizeof(u16));
			break;
		case CONF_KEY_BOOL:
			if (conf_get_bool(p, m, &b) == -1)
				return -1;
			memcpy((char *)base + k->off, &b, sizeof(b));
			break;
		case CONF_KEY_FUNC:
			if (k->fn(p, m) == -1)
				return -1;
			break;
		}
	}
	return 0;
}

/* Getters. */

int
conf_get_uint(struct pctx *p, const config_setting_t *s, long long min,
    long long max, unsigned int *out)
{
	int t = config_setting_type(s);
	unsigned int line = config_setting_source_line(s);
	long long v;

	if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
		return conf_error(p, s, "expected an integer, got %s",
		    conf_type_name(t));
	if (p->ovf.set && config_setting_name(s) != NULL &&
	    strcmp(config_setting_name(s), p->ovf.name) == 0 &&
	    line >= p->ovf.name_line && line <= p->ovf.line) {
		p->ovf.set = false;
		return conf_error(p, s, "%s is out of range (%lld..%lld)",
		    p->ovf.lit, min, max);
	}
	v = config_setting_get_int64(s);
	if (v < min || v > max)
		return conf_error(p, s, "%lld is out of range (%lld..%lld)",
		    v, min, max);
	*out = (unsigned int)v;
	return 0;
}

int
conf_get_bool(struct pctx *p, const config_setting_t *s, bool *out)
{
	int t = config_setting_type(s);

	if (t != CONFIG_TYPE_BOOL)
		return conf_error(p, s, "expected true or false, got %s",
		    conf_type_name(t));
	*out = config_setting_get_bool(s) != 0;
	return 0;
}

int
conf_get_string(struct pctx *p, const config_setting_t *s, bool allow_empty,
    size_t max, const char **out)
{
	int t = config_setting_type(s);
	const char *v = NULL;
	size_t i, len;

	if (t != CONFIG_TYPE_STRING)
		return conf_error(p, s, "expected a string (in double quotes), "
		    "got %s", conf_type_name(t));
	v = config_setting_get_string(s);
	len = strlen(v);
	if (len == 0 && !allow_empty)
		return conf_error(p, s, "must not be empty");
	if (len > max)
		return conf_error(p, s, "too long (max %zu characters)", max);
	for (i = 0; i < len; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return conf_error(p, s, "contains a control character");
	*out = v;
	return 0;
}

int
conf_get_strdup(struct pctx *p, const config_setting_t *s, bool allow_empty,
    size_t max, char **out)
{
	const char *v = NULL;
	char *c;

	if (conf_get_string(p, s, allow_empty, max, &v) == -1)
		return -1;
	if ((c = strdup(v)) == NULL)
		return conf_error(p, s, "out of memory");
	free(*out);
	*out = c;
	return 0;
}

int
conf_get_secret(struct pctx *p, const config_setting_t *s,
    struct conf_secret *out)
{
	int t = config_setting_type(s);
	const char *v = NULL;
	size_t i, len;
	char *c;

	/* Never quote the value: messages name the key only. */
	if (t != CONFIG_TYPE_STRING)
		return conf_error(p, s, "expected a string (in double quotes), "
		    "got %s", conf_type_name(t));
	v = config_setting_get_string(s);
	len = strlen(v);
	if (len == 0)
		return conf_error(p, s, "must not be empty");
	if (len > CONF_SECRET_MAX)
		return conf_error(p, s, "too long (max %d characters)",
		    CONF_SECRET_MAX);
	for (i = 0; i < len; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return conf_error(p, s, "contains a control character");
	if ((c = malloc(len + 1)) == NULL)
		return conf_error(p, s, "out of memory");
	memcpy(c, v, len + 1);
	conf_secret_clear(out);
	out->str = c;
	out->len = len;
	out->file = p->file;
	out->line = config_setting_source_line(s);
	if (!p->secrets && !p->conf->inline_secrets) {
		p->conf->inline_secrets = true;
		p->conf->inline_secret_line = out->line;
	}
	return 0;
}

const struct conf_enum *
conf_enum_find(const struct conf_enum *tab, const char *name, size_t len)
{
	for (; tab->name != NULL; tab++)
		if (strlen(tab->name) == len &&
		    strncasecmp(tab->name, name, len) == 0)
			return tab;
	return NULL;
}

const char *
conf_enum_list(const struct conf_enum *tab, char *buf, size_t len)
{
	size_t off = 0;
	int r;

	buf[0] = '\0';
	for (; tab->name != NULL && off < len; tab++) {
		r = snprintf(buf + off, len - off, "%s%s", off > 0 ? ", " : "",
		    tab->name);
		if (r < 0)
			break;
		off += (size_t)r;
	}
	return buf;
}

int
conf_get_enum(struct pctx *p, const config_setting_t *s,
    const struct conf_enum *tab, int *out)
{
	const struct conf_enum *e;
	char echo[64], list[256];
	const char *v = NULL;

	if (conf_get_string(p, s, true, 64, &v) == -1)
		return -1;
	if ((e = conf_enum_find(tab, v, strlen(v))) == NULL)
		return conf_error(p, s, "unknown value '%s' (valid: %s)",
		    conf_echo(v, echo, sizeof(echo)),
		    conf_enum_list(tab, list, sizeof(list)));
	*out = e->value;
	return 0;
}

bool
conf_ip4_usable(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	return (h >> 24) != 0 && (h >> 24) != 127 && h < 0xe0000000U;
}

int
conf_get_ip4(struct pctx *p, const config_setting_t *s, struct in_addr *out)
{
	char echo[64];
	const char *v = NULL;

	if (conf_get_string(p, s, false, 64, &v) == -1)
		return -1;
	if (inet_pton(AF_INET, v, out) != 1)
		return conf_error(p, s, "'%s' is not an IPv4 address "
		    "(a.b.c.d)", conf_echo(v, echo, sizeof(echo)));
	if (!conf_ip4_usable(*out))
		return conf_error(p, s, "%s is not a usable host address "
		    "(0/8, 127/8, multicast and reserved are refused)", v);
	return 0;
}

int
conf_get_list(struct pctx *p, const config_setting_t *s, size_t max,
    bool allow_empty, size_t *n)
{
	int t = config_setting_type(s);
	size_t len;

	if (t != CONFIG_TYPE_LIST && t != CONFIG_TYPE_ARRAY)
		return conf_error(p, s, "expected a list [ ... ], got %s",
		    conf_type_name(t));
	len = (size_t)config_setting_length(s);
	if (len == 0 && !allow_empty)
		return conf_error(p, s, "empty list (leave the key out to get "
		    "the default)");
	if (len > max)
		return conf_error(p, s, "too many entries (%zu, max %zu)", len,
		    max);
	*n = len;
	return 0;
}

char *
conf_path_join(const char *dir, const char *rel)
{
	size_t n;
	char *r;

	if (dir == NULL || rel[0] == '/')
		return strdup(rel);
	n = strlen(dir) + strlen(rel) + 2;
	if ((r = malloc(n)) == NULL)
		return NULL;
	snprintf(r, n, "%s%s%s", dir, strcmp(dir, "/") == 0 ? "" : "/", rel);
	return r;
}

void
conf_secret_clear(struct conf_secret *s)
{
	if (s->str != NULL) {
		explicit_bzero(s->str, s->len);
		free(s->str);
	}
	s->str = NULL;
	s->len = 0;
	s->file = NULL;
	s->line = 0;
}

/* Defaults, the text's pre-scan, the parse. */

struct vpn_conf *
conf_new(const char *name, const char *base_dir)
{
	struct vpn_conf *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->path = strdup(name);
	c->base_dir = base_dir != NULL ? strdup(base_dir) : NULL;
	c->secrets_path = conf_path_join(base_dir, "secrets.conf");
	c->run_dir = strdup("/run/l2tp-ipsec");

	c->ike.user = strdup("nobody");
	c->ike.port = 500;
	c->ike.natt_port = 4500;
	c->ike.legacy_compat = true;
	c->ike.ike_lifetime = 28800;
	c->ike.ipsec_lifetime_min = 300;
	c->ike.ipsec_lifetime_max = 28800;
	c->ike.dpd_delay = 30;
	c->ike.dpd_timeout = 150;
	c->ike.max_half_open_per_peer = 16;
	c->ike.max_half_open = 1024;
	c->ike.kernel = CONF_KERNEL_XFRM;

	c->l2tp.listen.ss_family = AF_UNSPEC;
	c->l2tp.port = 1701;
	c->l2tp.hostname = strdup("l2tp-ipsec");
	c->l2tp.hello_interval = 60;
	c->l2tp.retransmit_initial = 1000;
	c->l2tp.retransmit_max = 8000;
	c->l2tp.retransmit_count = 5;
	c->l2tp.receive_window = 4;
	c->l2tp.max_tunnels = 1024;
	c->l2tp.max_sessions = 1024;
	c->l2tp.max_sessions_per_tunnel = 8;

	c->ppp.pppd = strdup("/usr/sbin/pppd");
	c->ppp.auth[0] = CONF_AUTH_MSCHAPV2;
	c->ppp.nauth = 1;
	c->ppp.local_address.s_addr = htonl(0xc0a82a01);	/* .42.1 */
	c->ppp.mtu = 1400;
	c->ppp.mru = 1400;
	c->ppp.lcp_echo_interval = 30;
	c->ppp.lcp_echo_failure = 4;
	c->ppp.idle_timeout = 0;
	c->ppp.plugin = strdup("/usr/lib/pppd/2.4.9/l2tp_ipsec.so");

	c->pool.start.s_addr = htonl(0xc0a82a0a);	/* 192.168.42.10 */
	c->pool.end.s_addr = htonl(0xc0a82afa);		/* 192.168.42.250 */

	c->log.level = CONF_LOG_INFO;
	c->log.syslog = true;
	c->log.facility = LOG_DAEMON;

	if (c->path == NULL || (base_dir != NULL && c->base_dir == NULL) ||
	    c->secrets_path == NULL || c->run_dir == NULL ||
	    c->ike.user == NULL ||
	    c->l2tp.hostname == NULL || c->ppp.pppd == NULL ||
	    c->ppp.plugin == NULL) {
		conf_free(c);
		return NULL;
	}
	return c;
}

static bool
is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '*';
}

static bool
is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' ||
	    c == '_';
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_xdigit(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/*
 * One number token at *sp (libconfig's scanner.l rules: [-+]?[0-9]+,
 * 0x[0-9a-f]+, an L or LL suffix for 64 bits, floats). Records the first
 * integer that does not fit what libconfig makes of it.
 */
static void
scan_number(struct pctx *p, const char **sp, unsigned int line,
    const char *name, size_t namelen, unsigned int name_line)
{
	const char *s = *sp, *start = s;
	bool hex = false, wide = false, bad;
	long long v;
	size_t n, whole;

	if (*s == '-' || *s == '+')
		s++;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && is_xdigit(s[2])) {
		hex = true;
		for (s += 2; is_xdigit(*s); s++)
			;
	} else {
		while (is_digit(*s))
			s++;
		if (*s == '.' || *s == 'e' || *s == 'E') {
			/* A float: not ours to check. */
			while (is_digit(*s) || *s == '.' || *s == 'e' ||
			    *s == 'E' || ((*s == '-' || *s == '+') &&
			    (s[-1] == 'e' || s[-1] == 'E')))
				s++;
			*sp = s;
			return;
		}
	}
	n = (size_t)(s - start);
	if (*s == 'L') {
		wide = true;
		s++;
		if (*s == 'L')
			s++;
	}
	*sp = s;
	whole = (size_t)(s - start);
	if (p->ovf.set)
		return;
	if (n >= 24) {
		bad = true;
	} else {
		char lit[24];

		memcpy(lit, start, n);
		lit[n] = '\0';
		errno = 0;
		v = strtoll(lit, NULL, hex ? 16 : 10);
		bad = errno == ERANGE ||
		    (!wide && (v > INT_MAX || v < INT_MIN));
	}
	if (!bad)
		return;
	p->ovf.set = true;
	p->ovf.line = line;
	p->ovf.name_line = name != NULL ? name_line : line;
	if (whole >= sizeof(p->ovf.lit))
		whole = sizeof(p->ovf.lit) - 1;
	memcpy(p->ovf.lit, start, whole);
	p->ovf.lit[whole] = '\0';
	if (name != NULL && namelen < sizeof(p->ovf.name)) {
		memcpy(p->ovf.name, name, namelen);
		p->ovf.name[namelen] = '\0';
	}
}

/*
 * Look at the text before libconfig does, for what it would accept but we
 * must not: @include (file I/O, and a second config file by the back door),
 * a \x00 escape (libconfig drops it silently, shortening a secret),
 * nesting deeper than any of our keys, and integers it would silently wrap.
 */
static int
prescan(struct pctx *p, const char *s)
{
	unsigned int line = 1, depth = 0, name_line = 0;
	const char *name = NULL;
	size_t namelen = 0;

	while (*s != '\0') {
		if (*s == '\n') {
			line++;
			s++;
		} else if (*s == '#' || (s[0] == '/' && s[1] == '/')) {
			while (*s != '\0' && *s != '\n')
				s++;
		} else if (s[0] == '/' && s[1] == '*') {
			for (s += 2; *s != '\0' &&
			    !(s[0] == '*' && s[1] == '/'); s++)
				if (*s == '\n')
					line++;
			if (*s != '\0')
				s += 2;
		} else if (*s == '"') {
			for (s++; *s != '\0' && *s != '"'; s++) {
				if (*s == '\n')
					line++;
				if (*s != '\\')
					continue;
				if ((s[1] == 'x' || s[1] == 'X') &&
				    s[2] == '0' && s[3] == '0')
					return conf_error_at(p->err, p->file,
					    line, NULL, "\\x00 in a string: a "
					    "NUL character is not allowed");
				if (s[1] == '\0')
					break;
				if (s[1] == '\n')
					line++;
				s++;
			}
			if (*s != '\0')
				s++;
		} else if (*s == '@') {
			if (strncmp(s, "@include", 8) == 0)
				return conf_error_at(p->err, p->file, line,
				    NULL, "@include is not supported (one "
				    "file, plus secrets_file for the "
				    "secrets)");
			s++;
		} else if (*s == '{' || *s == '(' || *s == '[') {
			if (++depth > CONF_MAX_DEPTH)
				return conf_error_at(p->err, p->file, line,
				    NULL, "nested too deep (max %d levels)",
				    CONF_MAX_DEPTH);
			s++;
		} else if (*s == '}' || *s == ')' || *s == ']') {
			if (depth > 0)
				depth--;
			s++;
		} else if (is_name_start(*s)) {
			name = s;
			name_line = line;
			while (is_name_char(*s))
				s++;
			namelen = (size_t)(s - name);
		} else if (is_digit(*s) || ((*s == '-' || *s == '+') &&
		    is_digit(s[1]))) {
			scan_number(p, &s, line, name, namelen, name_line);
		} else {
			s++;
		}
	}
	return 0;
}

/*
 * Zero every string value in the tree before libconfig frees it: they may
 * hold secrets (or secrets put under the wrong key).
 */
static void
wipe_strings(config_setting_t *s)
{
	unsigned int i, n;

	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		if (s->value.sval != NULL)
			explicit_bzero(s->value.sval, strlen(s->value.sval));
		return;
	}
	if (!config_setting_is_aggregate(s))
		return;
	n = (unsigned int)config_setting_length(s);
	for (i = 0; i < n; i++)
		wipe_strings(config_setting_get_elem(s, i));
}

struct vpn_conf *
conf_parse_text(const char *text, const char *name, const char *base_dir,
    bool secrets, struct conf_err *err)
{
	struct pctx p;
	struct vpn_conf *c;
	config_t cfg;
	bool have_cfg = false;
	size_t len;

	memset(&p, 0, sizeof(p));
	if ((c = conf_new(name, base_dir)) == NULL) {
		conf_error_at(err, name, 0, NULL, "out of memory");
		return NULL;
	}
	p.conf = c;
	p.err = err;
	p.file = c->path;
	p.secrets = secrets;

	/* A UTF-8 byte order mark is harmless; libconfig chokes on it. */
	if (strncmp(text, "\xef\xbb\xbf", 3) == 0)
		text += 3;
	len = strlen(text);
	if (len > CONF_MAX_FILE) {
		conf_error_at(err, name, 0, NULL, "too large (%zu bytes, max "
		    "%d)", len, CONF_MAX_FILE);
		goto fail;
	}
	if (prescan(&p, text) == -1)
		goto fail;

	/*
	 * XXX libconfig keeps its own copies of the text while parsing (the
	 * flex buffer, the string builder) and frees them unwiped; we wipe
	 * every string value of the tree it returns, and the callers wipe
	 * the text they read.
	 */
	config_init(&cfg);
	have_cfg = true;
	if (config_read_string(&cfg, text) != CONFIG_TRUE) {
		/* Only the line and libconfig's words ("syntax error"). */
		conf_error_at(err, name, (unsigned int)config_error_line(&cfg),
		    NULL, "%s", config_error_text(&cfg) != NULL ?
		    config_error_text(&cfg) : "parse error");
		goto fail;
	}
	p.cfg = &cfg;
	if (conf_walk(&p, config_root_setting(&cfg), conf_top_keys, c) == -1)
		goto fail;
	if (p.ovf.set) {
		conf_error_at(err, name, p.ovf.line, p.ovf.name[0] != '\0' ?
		    p.ovf.name : NULL, "integer %s is out of range", p.ovf.lit);
		goto fail;
	}
	if (!secrets && conf_check_main(&p) == -1)
		goto fail;

	free(p.ike_socket);
	free(p.l2tp_socket);
	wipe_strings(config_root_setting(&cfg));
	config_destroy(&cfg);
	return c;

fail:
	free(p.ike_socket);
	free(p.l2tp_socket);
	if (have_cfg) {
		if (config_root_setting(&cfg) != NULL)
			wipe_strings(config_root_setting(&cfg));
		config_destroy(&cfg);
	}
	conf_free(c);
	return NULL;
}

struct vpn_conf *
conf_parse_string(const char *text, const char *name, const char *base_dir,
    struct conf_err *err)
{
	return conf_parse_text(text, name, base_dir, false, err);
}

void
conf_free(struct vpn_conf *c)
{
	size_t i;

	if (c == NULL)
		return;
	conf_secret_clear(&c->ike.psk);
	for (i = 0; i < c->ike.npeers; i++)
		conf_secret_clear(&c->ike.peers[i].psk);
	free(c->ike.peers);
	free(c->ike.ca_file);
	free(c->ike.cert_file);
	free(c->ike.key_file);
	free(c->ike.crl_file);
	for (i = 0; i < c->ike.ncert_allow; i++) {
		free(c->ike.cert_allow[i].issuer);
		free(c->ike.cert_allow[i].subject);
	}
	free(c->ike.cert_allow);
	free(c->ike.control_socket);
	free(c->ike.user);
	conf_secret_clear(&c->l2tp.secret);
	free(c->l2tp.hostname);
	free(c->l2tp.control_socket);
	free(c->ppp.pppd);
	free(c->ppp.plugin);
	free(c->pool.exclude);
	free(c->pool.statics);
	for (i = 0; i < c->nusers; i++) {
		free(c->users[i].name);
		conf_secret_clear(&c->users[i].password);
	}
	free(c->users);
	free(c->log.session_log);
	for (i = 0; i < c->nwarnings; i++)
		free(c->warnings[i]);
	free(c->warnings);
	free(c->path);
	free(c->base_dir);
	free(c->secrets_path);
	free(c->secrets_name);
	free(c->run_dir);
	free(c);
}
