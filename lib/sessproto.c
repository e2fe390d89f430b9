/*
 * sessproto.c - parse and build the l2tpd <-> pppd plugin messages (the
 * format is documented in sessproto.h).
 */
#include <sys/socket.h>

#include <errno.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/sessproto.h"

/* Printable ASCII; names also exclude the space. */
static bool
str_ok(const uint8_t *p, size_t n, bool name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] < (name ? 0x21 : 0x20) || p[i] > 0x7e)
			return false;
	}
	return true;
}

/*
 * A u8-length string of min..max bytes into dst (max + 1 bytes), NUL
 * terminated.
 */
static bool
get_str(struct rbuf *r, char *dst, size_t min, size_t max, bool name)
{
	uint8_t n;
	const uint8_t *v;

	if (!rbuf_get_u8(r, &n))
		return false;
	if (n < min || n > max || !rbuf_view(r, n, &v))
		return false;
	if (!str_ok(v, n, name))
		return false;
	memcpy(dst, v, n);
	dst[n] = '\0';
	return true;
}

static bool
put_str(struct wbuf *w, const char *s, size_t min, size_t max, bool name)
{
	size_t n;

	n = strnlen(s, max + 1);
	if (n < min || n > max || !str_ok((const uint8_t *)s, n, name))
		return false;
	wbuf_put_u8(w, (uint8_t)n);
	wbuf_put_bytes(w, s, n);
	return true;
}

static bool
get_addr(struct rbuf *r, uint32_t *a)
{
	/* Kept in network order: copied as the 4 wire bytes. */
	return rbuf_get_bytes(r, a, sizeof(*a));
}

static void
put_addr(struct wbuf *w, uint32_t a)
{
	wbuf_put_bytes(w, &a, sizeof(a));
}

static bool
parse_body(struct rbuf *r, struct sessproto_msg *m)
{
	uint8_t i;

	switch (m->type) {
	case SESSPROTO_HELLO:
		return rbuf_get_u32(r, &m->u.hello.pid) &&
		    get_str(r, m->u.hello.key, 1, SESSPROTO_KEY_MAX, true);
	case SESSPROTO_PHASE:
		return rbuf_get_u8(r, &m->u.phase) &&
		    m->u.phase <= SESSPROTO_PHASE_MAX;
	case SESSPROTO_AUTH_OK:
		return rbuf_get_u8(r, &m->u.auth.method) &&
		    m->u.auth.method >= 1 &&
		    m->u.auth.method <= SESSPROTO_AUTH_METHOD_MAX &&
		    get_str(r, m->u.auth.user, 1, SESSPROTO_USER_MAX, true);
	case SESSPROTO_AUTH_FAIL:
		return rbuf_get_u8(r, &m->u.auth.method) &&
		    m->u.auth.method <= SESSPROTO_AUTH_METHOD_MAX &&
		    rbuf_get_u8(r, &m->u.auth.cause) &&
		    m->u.auth.cause >= 1 &&
		    m->u.auth.cause <= SESSPROTO_FAIL_CAUSE_MAX &&
		    get_str(r, m->u.auth.user, 0, SESSPROTO_USER_MAX, true) &&
		    get_str(r, m->u.auth.text, 0, SESSPROTO_TEXT_MAX, false);
	case SESSPROTO_ADDR_REQ:
		return get_str(r, m->u.auth.user, 1, SESSPROTO_USER_MAX, true);
	case SESSPROTO_IP_UP:
		if (!get_str(r, m->u.ip.ifname, 1, SESSPROTO_IFNAME_MAX, true) ||
		    !get_addr(r, &m->u.ip.local) ||
		    !get_addr(r, &m->u.ip.remote) ||
		    !rbuf_get_u8(r, &m->u.ip.ndns) ||
		    m->u.ip.ndns > SESSPROTO_MAX_DNS)
			return false;
		for (i = 0; i < m->u.ip.ndns; i++) {
			if (!get_addr(r, &m->u.ip.dns[i]))
				return false;
		}
		return true;
	case SESSPROTO_COUNTERS:
		return rbuf_get_u8(r, &m->u.counters.flags) &&
		    (m->u.counters.flags & ~SESSPROTO_COUNTERS_FINAL) == 0 &&
		    rbuf_get_u32(r, &m->u.counters.seconds) &&
		    rbuf_get_u64(r, &m->u.counters.bytes_in) &&
		    rbuf_get_u64(r, &m->u.counters.bytes_out) &&
		    rbuf_get_u64(r, &m->u.counters.pkts_in) &&
		    rbuf_get_u64(r, &m->u.counters.pkts_out);
	case SESSPROTO_IP_DOWN:
		return get_str(r, m->u.ip.ifname, 1, SESSPROTO_IFNAME_MAX,
		    true);
	case SESSPROTO_EXIT:
		return rbuf_get_u8(r, &m->u.end.code) &&
		    get_str(r, m->u.end.text, 0, SESSPROTO_TEXT_MAX, false);
	case SESSPROTO_HELLO_ACK:
		return true;
	case SESSPROTO_ADDR:
		return get_addr(r, &m->u.addr.local) &&
		    get_addr(r, &m->u.addr.remote);
	case SESSPROTO_DISCONNECT:
		return rbuf_get_u8(r, &m->u.end.code) &&
		    m->u.end.code >= 1 &&
		    m->u.end.code <= SESSPROTO_DISC_CAUSE_MAX &&
		    get_str(r, m->u.end.text, 0, SESSPROTO_TEXT_MAX, false);
	}
	return false;
}

bool
sessproto_parse(const uint8_t *p, size_t len, struct sessproto_msg *m)
{
	struct rbuf r;
	uint8_t version, type;
	uint16_t declared;

	memset(m, 0, sizeof(*m));
	if (len > SESSPROTO_MAX_MSG)
		return false;
	rbuf_init(&r, p, len);
	if (!rbuf_get_u8(&r, &version) || !rbuf_get_u8(&r, &type) ||
	    !rbuf_get_u16(&r, &declared))
		return false;
	if (version != SESSPROTO_VERSION || declared != len)
		return false;
	if (sessproto_type_name(type)[0] == '?')
		return false;
	m->type = (enum sessproto_type)type;
	if (!parse_body(&r, m))
		return false;
	return rbuf_left(&r) == 0;
}

static bool
build_body(struct wbuf *w, const struct sessproto_msg *m)
{
	uint8_t i;

	switch (m->type) {
	case SESSPROTO_HELLO:
		wbuf_put_u32(w, m->u.hello.pid);
		return put_str(w, m->u.hello.key, 1, SESSPROTO_KEY_MAX, true);
	case SESSPROTO_PHASE:
		if (m->u.phase > SESSPROTO_PHASE_MAX)
			return false;
		wbuf_put_u8(w, m->u.phase);
		return true;
	case SESSPROTO_AUTH_OK:
		if (m->u.auth.method < 1 ||
		    m->u.auth.method > SESSPROTO_AUTH_METHOD_MAX)
			return false;
		wbuf_put_u8(w, m->u.auth.method);
		return put_str(w, m->u.auth.user, 1, SESSPROTO_USER_MAX, true);
	case SESSPROTO_AUTH_FAIL:
		if (m->u.auth.method > SESSPROTO_AUTH_METHOD_MAX ||
		    m->u.auth.cause < 1 ||
		    m->u.auth.cause > SESSPROTO_FAIL_CAUSE_MAX)
			return false;
		wbuf_put_u8(w, m->u.auth.method);
		wbuf_put_u8(w, m->u.auth.cause);
		return put_str(w, m->u.auth.user, 0, SESSPROTO_USER_MAX,
		    true) &&
		    put_str(w, m->u.auth.text, 0, SESSPROTO_TEXT_MAX, false);
	case SESSPROTO_ADDR_REQ:
		return put_str(w, m->u.auth.user, 1, SESSPROTO_USER_MAX, true);
	case SESSPROTO_IP_UP:
		if (m->u.ip.ndns > SESSPROTO_MAX_DNS ||
		    !put_str(w, m->u.ip.ifname, 1, SESSPROTO_IFNAME_MAX, true))
			return false;
		put_addr(w, m->u.ip.local);
		put_addr(w, m->u.ip.remote);
		wbuf_put_u8(w, m->u.ip.ndns);
		for (i = 0; i < m->u.ip.ndns; i++)
			put_addr(w, m->u.ip.dns[i]);
		return true;
	case SESSPROTO_COUNTERS:
		if ((m->u.counters.flags & ~SESSPROTO_COUNTERS_FINAL) != 0)
			return false;
		wbuf_put_u8(w, m->u.counters.flags);
		wbuf_put_u32(w, m->u.counters.seconds);
		wbuf_put_u64(w, m->u.counters.bytes_in);
		wbuf_put_u64(w, m->u.counters.bytes_out);
		wbuf_put_u64(w, m->u.counters.pkts_in);
		wbuf_put_u64(w, m->u.counters.pkts_out);
		return true;
	case SESSPROTO_IP_DOWN:
		return put_str(w, m->u.ip.ifname, 1, SESSPROTO_IFNAME_MAX,
		    true);
	case SESSPROTO_EXIT:
		wbuf_put_u8(w, m->u.end.code);
		return put_str(w, m->u.end.text, 0, SESSPROTO_TEXT_MAX, false);
	case SESSPROTO_HELLO_ACK:
		return true;
	case SESSPROTO_ADDR:
		put_addr(w, m->u.addr.local);
		put_addr(w, m->u.addr.remote);
		return true;
	case SESSPROTO_DISCONNECT:
		if (m->u.end.code < 1 ||
		    m->u.end.code > SESSPROTO_DISC_CAUSE_MAX)
			return false;
		wbuf_put_u8(w, m->u.end.code);
		return put_str(w, m->u.end.text, 0, SESSPROTO_TEXT_MAX, false);
	}
	return false;
}

size_t
sessproto_build(const struct sessproto_msg *m, uint8_t *buf, size_t cap)
{
	struct wbuf w;
	size_t len;

	if (cap > SESSPROTO_MAX_MSG)
		cap = SESSPROTO_MAX_MSG;
	wbuf_init(&w, buf, cap);
	wbuf_put_u8(&w, SESSPROTO_VERSION);
	wbuf_put_u8(&w, (uint8_t)m->type);
	wbuf_put_u16(&w, 0);
	if (!build_body(&w, m) || !wbuf_ok(&w))
		return 0;
	len = wbuf_len(&w);
	wbuf_patch_u16(&w, 2, (uint16_t)len);
	if (!wbuf_ok(&w))
		return 0;
	return len;
}

bool
sessproto_from_plugin(enum sessproto_type type)
{
	return ((unsigned int)type & 0x80) == 0;
}

int
sessproto_send(int fd, const struct sessproto_msg *m)
{
	uint8_t buf[SESSPROTO_MAX_MSG];
	size_t len;
	ssize_t n;

	len = sessproto_build(m, buf, sizeof(buf));
	if (len == 0) {
		errno = EINVAL;
		return -1;
	}
	do {
		n = send(fd, buf, len, MSG_NOSIGNAL | MSG_EOR);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	if ((size_t)n != len) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

int
sessproto_recv(int fd, struct sessproto_msg *m)
{
	uint8_t buf[SESSPROTO_MAX_MSG];
	ssize_t n;

	do {
		/* MSG_TRUNC: the real record size, so oversize is seen. */
		n = recv(fd, buf, sizeof(buf), MSG_TRUNC);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	if (n == 0)
		return 0;
	if ((size_t)n > sizeof(buf) || !sessproto_parse(buf, (size_t)n, m))
		return -2;
	return 1;
}

const char *
sessproto_type_name(enum sessproto_type type)
{
	switch (type) {
	case SESSPROTO_HELLO:		return "hello";
	case SESSPROTO_PHASE:		return "phase";
	case SESSPROTO_AUTH_OK:		return "auth-ok";
	case SESSPROTO_AUTH_FAIL:	return "auth-fail";
	case SESSPROTO_ADDR_REQ:	return "addr-req";
	case SESSPROTO_IP_UP:		return "ip-up";
	case SESSPROTO_COUNTERS:	return "counters";
	case SESSPROTO_IP_DOWN:		return "ip-down";
	case SESSPROTO_EXIT:		return "exit";
	case SESSPROTO_HELLO_ACK:	return "hello-ack";
	case SESSPROTO_ADDR:		return "addr";
	case SESSPROTO_DISCONNECT:	return "disconnect";
	}
	return "?";
}

const char *
sessproto_auth_method_name(unsigned int method)
{
	static const char *const names[] = {
		"none", "pap", "chap-md5", "mschap", "mschapv2", "eap"
	};

	if (method >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[method];
}

const char *
sessproto_auth_cause_name(unsigned int cause)
{
	static const char *const names[] = {
		"?", "unknown-user", "bad-secret", "method-refused",
		"no-response", "internal-error"
	};

	if (cause >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[cause];
}

const char *
sessproto_disc_cause_name(unsigned int cause)
{
	static const char *const names[] = {
		"?", "admin", "unknown-key", "tunnel-down", "no-address",
		"shutdown"
	};

	if (cause >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[cause];
}

const char *
sessproto_phase_name(unsigned int phase)
{
	/* pppd.h PHASE_DEAD .. PHASE_MASTER */
	static const char *const names[] = {
		"dead", "initialize", "serialconn", "dormant", "establish",
		"authenticate", "callback", "network", "running", "terminate",
		"disconnect", "holdoff", "master"
	};

	if (phase >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[phase];
}

const char *
sessproto_exit_name(unsigned int code)
{
	/* pppd.h EXIT_OK .. EXIT_CNID_AUTH_FAILED */
	static const char *const names[] = {
		"ok", "fatal-error", "option-error", "not-root",
		"no-kernel-support", "user-request", "lock-failed",
		"open-failed", "connect-failed", "ptycmd-failed",
		"negotiation-failed", "peer-auth-failed", "idle-timeout",
		"connect-time", "callback", "peer-dead", "hangup", "loopback",
		"init-failed", "auth-topeer-failed", "traffic-limit",
		"cnid-auth-failed"
	};

	if (code >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[code];
}
