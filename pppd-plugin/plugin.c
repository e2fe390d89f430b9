/*
 * plugin.c - l2tp_ipsec.so, the pppd plugin that ties one pppd (one L2TP
 * session) to l2tpd.
 *
 * l2tpd starts pppd with pppol2tp.so and this plugin (see
 * l2tpd/pppd_args.c) and three options: the config file, l2tpd's plugin
 * socket and the session key. The plugin
 *  - authenticates the peer from the config's users (MS-CHAPv2, and PAP
 *    or EAP-MSCHAPv2 only if ppp.auth lists them), so no chap-secrets or
 *    pap-secrets file exists;
 *  - asks l2tpd for the peer's address once the user is known (l2tpd owns
 *    the pool and the users' static addresses);
 *  - reports to l2tpd: hello, phase changes, auth-ok/auth-fail with the
 *    user and cause, ip-up/ip-down with the interface and addresses,
 *    counters every stats interval and at the end, and pppd's exit cause;
 *  - ends the session when l2tpd asks (DISCONNECT) or goes away.
 *
 * Every log line starts with "sess <key>". Passwords, CHAP challenges and
 * responses are never logged.
 */
#include "pppd-plugin/pppd_compat.h"

#include <sys/random.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf/conf.h"
#include "lib/sessproto.h"
#include "pppd-plugin/report.h"

#define EXPORT		__attribute__((visibility("default")))

#define STATS_INTERVAL_DEFAULT	60	/* s */
#define POLL_INTERVAL		1	/* s, checks for a DISCONNECT */
#define REQUEST_TIMEOUT_MS	5000	/* hello and address requests */

EXPORT char pppd_version[] = COMPAT_PPPD_VERSION;

/* Option values (pppd owns the strings). */
static char *opt_config;
static char *opt_socket;
static char *opt_session;
static int opt_stats_interval = STATS_INTERVAL_DEFAULT;

static compat_option_t plugin_options[] = {
	{ "l2tp-ipsec-config", o_string, &opt_config,
	  "l2tp-ipsec: the VPN configuration file", OPT_PRIV,
	  NULL, 0, 0, NULL, 0, 0 },
	{ "l2tp-ipsec-socket", o_string, &opt_socket,
	  "l2tp-ipsec: l2tpd's plugin socket", OPT_PRIV,
	  NULL, 0, 0, NULL, 0, 0 },
	{ "l2tp-ipsec-session", o_string, &opt_session,
	  "l2tp-ipsec: session key given by l2tpd", OPT_PRIV,
	  NULL, 0, 0, NULL, 0, 0 },
	{ "l2tp-ipsec-stats-interval", o_int, &opt_stats_interval,
	  "l2tp-ipsec: seconds between counter reports", OPT_PRIV |
	  OPT_LIMITS, NULL, 86400, 1, NULL, 0, 0 },
	{ NULL, 0, NULL, NULL, 0, NULL, 0, 0, NULL, 0, 0 }
};

/* The session, one per pppd. */
static struct {
	bool		 ready;		/* config loaded, l2tpd said hello */
	char		 tag[8 + SESSPROTO_KEY_MAX];	/* "sess <key>" */
	struct vpn_conf	*conf;
	char		 user[SESSPROTO_USER_MAX + 1];	/* last named */
	uint8_t		 method;	/* of the last attempt */
	bool		 auth_ok;
	bool		 auth_fail_sent;
	uint32_t	 remote;	/* assigned, network order; 0: none */
	bool		 ip_up;		/* IPCP up once at least */
	bool		 stats_running;
	struct timespec	 up_since;
	uint64_t	 tot[4];	/* bytes in/out, pkts in/out */
	uint64_t	 last[4];	/* last raw reading */
	bool		 have_last;
	uint32_t	 seconds;	/* connected, at the last reading */
} S;

static const char *
tag(void)
{
	return S.tag[0] != '\0' ? S.tag : "sess ?";
}

/*
 * A peer-supplied name as a sessproto name: printable, no blanks, at
 * most SESSPROTO_USER_MAX bytes; anything else becomes '?'.
 */
static void
copy_name(char *dst, const char *src)
{
	size_t i;

	for (i = 0; i < SESSPROTO_USER_MAX && src[i] != '\0'; i++)
		dst[i] = (src[i] > 0x20 && src[i] < 0x7f) ? src[i] : '?';
	dst[i] = '\0';
}

static uint8_t
chap_method(int code)
{
	switch (code) {
	case CHAP_MD5:
		return SESSPROTO_AUTH_CHAP_MD5;
	case CHAP_MICROSOFT:
		return SESSPROTO_AUTH_MSCHAP;
	case CHAP_MICROSOFT_V2:
		return SESSPROTO_AUTH_MSCHAPV2;
	}
	return SESSPROTO_AUTH_NONE;
}

static bool
conf_allows(enum conf_auth a)
{
	size_t i;

	for (i = 0; i < S.conf->ppp.nauth; i++) {
		if (S.conf->ppp.auth[i] == a)
			return true;
	}
	return false;
}

static void
send_auth_fail(uint8_t method, uint8_t cause, const char *text)
{
	struct sessproto_msg m;

	memset(&m, 0, sizeof(m));
	m.type = SESSPROTO_AUTH_FAIL;
	m.u.auth.method = method;
	m.u.auth.cause = cause;
	strcpy(m.u.auth.user, S.user);
	snprintf(m.u.auth.text, sizeof(m.u.auth.text), "%s", text);
	notice("%s: user \"%s\" failed %s authentication: %s (%s)", tag(),
	    S.user, sessproto_auth_method_name(method),
	    sessproto_auth_cause_name(cause), text);
	S.auth_fail_sent = true;
	report_send(&m);
}

static void
send_auth_ok(uint8_t method)
{
	struct sessproto_msg m;

	memset(&m, 0, sizeof(m));
	m.type = SESSPROTO_AUTH_OK;
	m.u.auth.method = method;
	strcpy(m.u.auth.user, S.user);
	notice("%s: user \"%s\" authenticated with %s", tag(), S.user,
	    sessproto_auth_method_name(method));
	S.auth_ok = true;
	report_send(&m);
}

static void disconnect_poll(void *arg);

/*
 * Once the options are parsed (the first hook pppd calls after parsing):
 * load the config, connect to l2tpd and say hello. Any failure here is
 * before the session started, so it ends pppd (fatal).
 */
static void
setup(void)
{
	struct conf_err err;
	struct sessproto_msg m, reply;
	size_t i;

	if (S.ready)
		return;
	if (opt_session == NULL || opt_config == NULL || opt_socket == NULL)
		fatal("l2tp-ipsec: options l2tp-ipsec-config, "
		    "l2tp-ipsec-socket and l2tp-ipsec-session are required");
	snprintf(S.tag, sizeof(S.tag), "sess %s", opt_session);
	if (strlen(opt_session) > SESSPROTO_KEY_MAX)
		fatal("%s: session key longer than %d", tag(),
		    SESSPROTO_KEY_MAX);
	S.conf = conf_load(opt_config, &err);
	if (S.conf == NULL)
		fatal("%s: %s", tag(), err.msg);
	for (i = 0; i < S.conf->nwarnings; i++)
		warn("%s: %s", tag(), S.conf->warnings[i]);
	if (report_open(opt_socket, S.tag) == -1)
		fatal("%s: cannot reach l2tpd", tag());
	memset(&m, 0, sizeof(m));
	m.type = SESSPROTO_HELLO;
	m.u.hello.pid = (uint32_t)getpid();
	strcpy(m.u.hello.key, opt_session);
	if (report_request(&m, SESSPROTO_HELLO_ACK, &reply,
	    REQUEST_TIMEOUT_MS) == -1)
		fatal("%s: l2tpd did not accept this pppd", tag());
	if (reply.type == SESSPROTO_DISCONNECT)
		fatal("%s: l2tpd refused this pppd: %s %s", tag(),
		    sessproto_disc_cause_name(reply.u.end.code),
		    reply.u.end.text);
	S.ready = true;
	if (conf_allows(CONF_AUTH_EAP_MSCHAPV2))
		warn("%s: ppp.auth eap-mschapv2: pppd %s as EAP server "
		    "offers EAP-TLS after the identity, not MS-CHAPv2",
		    tag(), COMPAT_PPPD_VERSION);
	info("%s: l2tp-ipsec plugin ready, pid %d, %u users", tag(),
	    (int)getpid(), (unsigned int)S.conf->nusers);
	compat_timeout(disconnect_poll, NULL, POLL_INTERVAL);
}

/* ---- authentication ---- */

/* pppd asks whether CHAP secrets exist: ours come from the config. */
static int
hook_chap_check(void)
{
	setup();
	return conf_allows(CONF_AUTH_MSCHAPV2) ||
	    conf_allows(CONF_AUTH_EAP_MSCHAPV2);
}

/*
 * Verify a CHAP response (MS-CHAPv2; EAP-MSCHAPv2 comes here too) with
 * the user's password from the config. The digest's own verify_response
 * does the crypto and writes the success/failure message; for an unknown
 * user it runs against a random secret, so the failure message and the
 * work done look the same.
 */
static int
hook_chap_verify(char *name, char *ourname, int id,
    struct chap_digest_type *digest, unsigned char *challenge,
    unsigned char *response, char *message, int message_space)
{
	const struct conf_user *u;
	unsigned char dummy[16];
	char dummyhex[sizeof(dummy) * 2 + 1];
	uint8_t method;
	size_t i;
	int ok;

	(void)ourname;
	setup();
	copy_name(S.user, name);
	method = chap_method(digest->code);
	S.method = method;
	if (method != SESSPROTO_AUTH_MSCHAPV2) {
		/* pppd was told to refuse it; never accept it anyway. */
		slprintf(message, message_space, "Access denied");
		send_auth_fail(method, SESSPROTO_FAIL_METHOD,
		    "method not allowed by ppp.auth");
		return 0;
	}
	u = conf_user_lookup(S.conf, name);
	if (u == NULL || u->password.str == NULL) {
		if (getrandom(dummy, sizeof(dummy), 0) !=
		    (ssize_t)sizeof(dummy))
			memset(dummy, 0xa5, sizeof(dummy));
		for (i = 0; i < sizeof(dummy); i++)
			snprintf(dummyhex + 2 * i, 3, "%02x", dummy[i]);
		(void)digest->verify_response(id, name,
		    (unsigned char *)dummyhex, (int)strlen(dummyhex),
		    challenge, response, message, message_space);
		explicit_bzero(dummyhex, sizeof(dummyhex));
		send_auth_fail(method, SESSPROTO_FAIL_UNKNOWN_USER,
		    "no such user");
		return 0;
	}
	ok = digest->verify_response(id, name,
	    (unsigned char *)u->password.str, (int)u->password.len,
	    challenge, response, message, message_space);
	if (!ok) {
		send_auth_fail(method, SESSPROTO_FAIL_BAD_SECRET,
		    "wrong password");
		return 0;
	}
	send_auth_ok(method);
	return 1;
}

/* PAP is possible only if ppp.auth lists it. */
static int
hook_pap_check(void)
{
	setup();
	return conf_allows(CONF_AUTH_PAP) ? 1 : 0;
}

/* Constant-time for equal lengths. */
static bool
secret_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	unsigned char d = 0;
	size_t i;

	if (alen != blen)
		return false;
	for (i = 0; i < alen; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

static int
hook_pap_auth(char *user, char *passwd, char **msgp,
    struct wordlist **paddrs, struct wordlist **popts)
{
	const struct conf_user *u;

	setup();
	*paddrs = NULL;
	*popts = NULL;
	copy_name(S.user, user);
	S.method = SESSPROTO_AUTH_PAP;
	*msgp = "Access denied";
	if (!conf_allows(CONF_AUTH_PAP)) {
		send_auth_fail(SESSPROTO_AUTH_PAP, SESSPROTO_FAIL_METHOD,
		    "method not allowed by ppp.auth");
		return 0;
	}
	u = conf_user_lookup(S.conf, user);
	if (u == NULL || u->password.str == NULL) {
		send_auth_fail(SESSPROTO_AUTH_PAP,
		    SESSPROTO_FAIL_UNKNOWN_USER, "no such user");
		return 0;
	}
	if (!secret_equal(passwd, strlen(passwd), u->password.str,
	    u->password.len)) {
		send_auth_fail(SESSPROTO_AUTH_PAP, SESSPROTO_FAIL_BAD_SECRET,
		    "wrong password");
		return 0;
	}
	*msgp = "Access granted";
	send_auth_ok(SESSPROTO_AUTH_PAP);
	return 1;
}

/* ---- addresses ---- */

/*
 * IPCP starts (after authentication): the peer's address is l2tpd's
 * choice (its pool, or the user's static address), asked once.
 */
static void
hook_ip_choose(uint32_t *addr)
{
	struct sessproto_msg m, reply;
	char s[INET_ADDRSTRLEN];

	if (S.remote != 0) {
		*addr = S.remote;
		return;
	}
	if (*addr != 0) {
		/* l2tpd put it on pppd's command line. */
		S.remote = *addr;
		return;
	}
	if (!S.auth_ok || !report_is_open()) {
		error("%s: no address: %s", tag(), !S.auth_ok ?
		    "peer not authenticated" : "l2tpd not connected");
		compat_close_link("No address for the peer");
		return;
	}
	memset(&m, 0, sizeof(m));
	m.type = SESSPROTO_ADDR_REQ;
	strcpy(m.u.auth.user, S.user);
	if (report_request(&m, SESSPROTO_ADDR, &reply,
	    REQUEST_TIMEOUT_MS) == -1 ||
	    reply.type != SESSPROTO_ADDR || reply.u.addr.remote == 0) {
		error("%s: l2tpd has no address for user \"%s\"", tag(),
		    S.user);
		compat_close_link("No address for the peer");
		return;
	}
	S.remote = reply.u.addr.remote;
	*addr = S.remote;
	inet_ntop(AF_INET, &S.remote, s, sizeof(s));
	info("%s: address %s for user \"%s\"", tag(), s, S.user);
}

/* Only the address l2tpd assigned. */
static int
hook_allowed_address(uint32_t addr)
{
	return S.remote != 0 && addr == S.remote;
}

/* ---- counters ---- */

/*
 * Read the unit's counters and fold them into the 64-bit totals. 2.4.9's
 * are 32-bit: each delta is taken modulo 2^32, right as long as fewer
 * than 4 GiB pass between two readings (a reading at least every stats
 * interval, <= 1 day; ~50 MB/s sustained would be needed to wrap).
 */
static void
stats_read(void)
{
	uint64_t now[4], mask;
	struct timespec ts;
	int i;

#ifdef COMPAT_STATS_WRAP
	mask = 0xffffffffULL;
#else
	mask = ~0ULL;
#endif
	if (!S.ip_up)
		return;
	if (compat_read_stats(&now[0], &now[1], &now[2], &now[3]) == -1)
		return;
	for (i = 0; i < 4; i++) {
		if (S.have_last)
			S.tot[i] += (now[i] - S.last[i]) & mask;
		else
			S.tot[i] = now[i];
		S.last[i] = now[i];
	}
	S.have_last = true;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	S.seconds = (uint32_t)(ts.tv_sec - S.up_since.tv_sec);
}

static void
stats_send(bool final)
{
	struct sessproto_msg m;

	memset(&m, 0, sizeof(m));
	m.type = SESSPROTO_COUNTERS;
	m.u.counters.flags = final ? SESSPROTO_COUNTERS_FINAL : 0;
	m.u.counters.seconds = S.seconds;
	m.u.counters.bytes_in = S.tot[0];
	m.u.counters.bytes_out = S.tot[1];
	m.u.counters.pkts_in = S.tot[2];
	m.u.counters.pkts_out = S.tot[3];
	report_send(&m);
}

static void
stats_tick(void *arg)
{
	(void)arg;
	S.stats_running = false;
	if (!S.ip_up)
		return;
	stats_read();
	stats_send(false);
	compat_timeout(stats_tick, NULL, opt_stats_interval);
	S.stats_running = true;
}

/* ---- l2tpd's requests ---- */

static void
disconnect_poll(void *arg)
{
	struct sessproto_msg m;
	int rc;

	(void)arg;
	while ((rc = report_poll(&m)) == 1) {
		if (m.type == SESSPROTO_DISCONNECT) {
			notice("%s: l2tpd asks to disconnect: %s %s", tag(),
			    sessproto_disc_cause_name(m.u.end.code),
			    m.u.end.text);
			compat_close_link("Disconnected by the server");
			return;
		}
		warn("%s: unexpected %s from l2tpd", tag(),
		    sessproto_type_name(m.type));
	}
	if (rc == -1) {
		/* Without l2tpd there is no session to account for. */
		error("%s: lost l2tpd, ending the session", tag());
		compat_close_link("Server control lost");
		return;
	}
	compat_timeout(disconnect_poll, NULL, POLL_INTERVAL);
}

/* ---- notifiers ---- */

static void
on_phase(void *arg, int val)
{
	struct sessproto_msg m;

	(void)arg;
	if (val == PHASE_DEAD || val == PHASE_INITIALIZE)
		return;
	setup();
	/* The unit still exists: last reading before it goes. */
	if (val == PHASE_TERMINATE)
		stats_read();
	memset(&m, 0, sizeof(m));
	m.type = SESSPROTO_PHASE;
	m.u.phase = (uint8_t)val;
	report_send(&m);
}

static void
on_ip_up(void *arg, int val)
{
	struct sessproto_msg m;
	char l[INET_ADDRSTRLEN], r[INET_ADDRSTRLEN];
	int i;

	(void)arg;
	(void)val;
	memset(&m, 0, sizeof(m));
	m.type = SESSPROTO_IP_UP;
	snprintf(m.u.ip.ifname, sizeof(m.u.ip.ifname), "%s",
	    compat_ifname());
	m.u.ip.local = ipcp_gotoptions[0].ouraddr;
	m.u.ip.remote = ipcp_hisoptions[0].hisaddr;
	for (i = 0; i < 2; i++) {
		if (ipcp_allowoptions[0].dnsaddr[i] != 0)
			m.u.ip.dns[m.u.ip.ndns++] =
			    ipcp_allowoptions[0].dnsaddr[i];
	}
	inet_ntop(AF_INET, &m.u.ip.local, l, sizeof(l));
	inet_ntop(AF_INET, &m.u.ip.remote, r, sizeof(r));
	notice("%s: ip up %s local %s remote %s user \"%s\"", tag(),
	    m.u.ip.ifname, l, r, S.user);
	if (!S.ip_up) {
		S.ip_up = true;
		clock_gettime(CLOCK_MONOTONIC, &S.up_since);
		stats_read();
	}
	report_send(&m);
	if (!S.stats_running) {
		compat_timeout(stats_tick, NULL, opt_stats_interval);
		S.stats_running = true;
	}
}

static void
on_ip_down(void *arg, int val)
{
	struct sessproto_msg m;

	(void)arg;
	(void)val;
	stats_read();
	if (S.stats_running) {
		compat_untimeout(stats_tick, NULL);
		S.stats_running = false;
	}
	memset(&m, 0, sizeof(m));
	m.type = SESSPROTO_IP_DOWN;
	snprintf(m.u.ip.ifname, sizeof(m.u.ip.ifname), "%s",
	    compat_ifname());
	notice("%s: ip down %s", tag(), m.u.ip.ifname);
	report_send(&m);
}

static void
on_pppd_exit(void *arg, int val)
{
	struct sessproto_msg m;
	char counts[96];

	(void)arg;
	/* The peer never answered the challenge, or gave up. */
	if (val == EXIT_PEER_AUTH_FAILED && !S.auth_fail_sent && !S.auth_ok)
		send_auth_fail(S.method, SESSPROTO_FAIL_NO_RESPONSE,
		    "peer did not authenticate");
	if (S.ip_up) {
		stats_send(true);
		snprintf(counts, sizeof(counts), "%llu/%llu bytes, "
		    "%llu/%llu packets in/out",
		    (unsigned long long)S.tot[0], (unsigned long long)S.tot[1],
		    (unsigned long long)S.tot[2], (unsigned long long)S.tot[3]);
		notice("%s: %u s connected, %s", tag(),
		    (unsigned int)S.seconds, counts);
	}
	memset(&m, 0, sizeof(m));
	m.type = SESSPROTO_EXIT;
	m.u.end.code = (uint8_t)val;
	snprintf(m.u.end.text, sizeof(m.u.end.text), "%s",
	    sessproto_exit_name((unsigned int)val));
	notice("%s: pppd exits: %s (%d)", tag(), m.u.end.text, val);
	report_send(&m);
	report_close();
	conf_free(S.conf);
	S.conf = NULL;
}

/* pppd calls this while parsing options, right after loading us. */
EXPORT void plugin_init(void);

void
plugin_init(void)
{
	/*
	 * We are the authority for these: a hook another plugin set before
	 * us is replaced, not chained, and said so.
	 */
	if (chap_verify_hook != NULL || pap_auth_hook != NULL ||
	    ip_choose_hook != NULL || allowed_address_hook != NULL)
		warn("l2tp-ipsec: replacing authentication/address hooks "
		    "set by an earlier plugin");
	compat_add_options(plugin_options);
	chap_check_hook = hook_chap_check;
	chap_verify_hook = hook_chap_verify;
	pap_check_hook = hook_pap_check;
	pap_auth_hook = hook_pap_auth;
	ip_choose_hook = hook_ip_choose;
	allowed_address_hook = hook_allowed_address;
	compat_on_phase(on_phase);
	compat_on_ip_up(on_ip_up);
	compat_on_ip_down(on_ip_down);
	compat_on_exit(on_pppd_exit);
}
