/*
 * test_pppd_args.c - pppd's argv for one session, from configs parsed by
 * conf_parse_string: the default policy (MS-CHAPv2 only), PAP and
 * EAP-MSCHAPv2 when configured, DNS, MTU/MRU, ifname/unit, the plugin and
 * its options, and the refusals (bad fd, key with blanks, too long).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "conf/conf.h"
#include "l2tpd/pppd_args.h"

static struct vpn_conf *
conf_text(const char *text)
{
	struct conf_err err;
	struct vpn_conf *c;

	c = conf_parse_string(text, "t.conf", "/etc/l2tp-ipsec", &err);
	if (c == NULL)
		fail_msg("unexpected error: %s", err.msg);
	return c;
}

static void
session(struct pppd_session *s)
{
	memset(s, 0, sizeof(*s));
	s->fd = 7;
	s->tunnel_id = 4312;
	s->session_id = 981;
	s->key = "4312:981/77:5";
	s->conf_path = "/etc/l2tp-ipsec/vpn.conf";
	s->sock_path = "/run/l2tp-ipsec/l2tpd-plugin.sock";
	s->unit = -1;
}

/* Index of the first argument equal to w, or -1. */
static int
find(const struct pppd_argv *a, const char *w)
{
	size_t i;

	for (i = 0; i < a->argc; i++) {
		if (strcmp(a->argv[i], w) == 0)
			return (int)i;
	}
	return -1;
}

/* w is present and followed by v. */
static void
assert_opt(const struct pppd_argv *a, const char *w, const char *v)
{
	int i = find(a, w);

	if (i < 0)
		fail_msg("no %s", w);
	if ((size_t)i + 1 >= a->argc)
		fail_msg("%s has no value", w);
	assert_string_equal(a->argv[i + 1], v);
}

static void
test_defaults(void **state)
{
	struct vpn_conf *c;
	struct pppd_session s;
	struct pppd_argv a;
	int i;

	(void)state;
	c = conf_text("");
	session(&s);
	assert_int_equal(pppd_args_build(c, &s, &a), 0);
	assert_string_equal(a.argv[0], "/usr/sbin/pppd");
	assert_null(a.argv[a.argc]);
	assert_true(find(&a, "nodetach") > 0);
	/* pppol2tp.so first, with the fd and LNS mode. */
	i = find(&a, "pppol2tp.so");
	assert_true(i > 0);
	assert_string_equal(a.argv[i - 1], "plugin");
	assert_opt(&a, "pppol2tp", "7");
	assert_true(find(&a, "pppol2tp_lns_mode") > i);
	assert_opt(&a, "pppol2tp_tunnel_id", "4312");
	assert_opt(&a, "pppol2tp_session_id", "981");
	/* Ours, after it, with its three options. */
	i = find(&a, "/usr/lib/pppd/2.4.9/l2tp-ipsec.so");
	assert_true(i > find(&a, "pppol2tp.so"));
	assert_string_equal(a.argv[i - 1], "plugin");
	assert_opt(&a, PPPD_OPT_CONFIG, "/etc/l2tp-ipsec/vpn.conf");
	assert_opt(&a, PPPD_OPT_SOCKET, "/run/l2tp-ipsec/l2tpd-plugin.sock");
	assert_opt(&a, PPPD_OPT_SESSION, "4312:981/77:5");
	assert_int_equal(find(&a, PPPD_OPT_STATS), -1);
	/* MS-CHAPv2 only. */
	assert_true(find(&a, "auth") > 0);
	assert_true(find(&a, "require-mschap-v2") > 0);
	assert_true(find(&a, "refuse-pap") > 0);
	assert_true(find(&a, "refuse-eap") > 0);
	assert_true(find(&a, "refuse-chap") > 0);
	assert_true(find(&a, "refuse-mschap") > 0);
	assert_int_equal(find(&a, "require-pap"), -1);
	assert_int_equal(find(&a, "require-eap"), -1);
	assert_int_equal(find(&a, "noauth"), -1);
	assert_opt(&a, "name", "l2tp-ipsec");
	assert_int_equal(find(&a, "ms-dns"), -1);
	assert_true(find(&a, "noccp") > 0);
	assert_opt(&a, "mtu", "1400");
	assert_opt(&a, "mru", "1400");
	assert_opt(&a, "lcp-echo-interval", "30");
	assert_opt(&a, "lcp-echo-failure", "4");
	assert_true(find(&a, "nodefaultroute") > 0);
	assert_true(find(&a, "noipv6") > 0);
	assert_opt(&a, "ipparam", "4312:981/77:5");
	/* Remote left to the plugin (asked from l2tpd after auth). */
	assert_true(find(&a, "192.168.42.1:") > 0);
	assert_int_equal(find(&a, "idle"), -1);
	assert_int_equal(find(&a, "ifname"), -1);
	assert_int_equal(find(&a, "unit"), -1);
	assert_int_equal(find(&a, "debug"), -1);
	/* Never a shell, an options file or a secrets option. */
	assert_int_equal(find(&a, "file"), -1);
	assert_int_equal(find(&a, "pty"), -1);
	assert_int_equal(find(&a, "password"), -1);
	conf_free(c);
}

static void
test_configured(void **state)
{
	struct vpn_conf *c;
	struct pppd_session s;
	struct pppd_argv a;
	int i;

	(void)state;
	c = conf_text(
	    "l2tp = { hostname = \"vpn.example\"; };\n"
	    "ppp = { auth = [ \"pap\", \"eap-mschapv2\" ];\n"
	    "  dns = [ \"192.0.2.53\", \"192.0.2.54\" ];\n"
	    "  local_address = \"203.0.113.1\"; mtu = 1280; mru = 1300;\n"
	    "  lcp_echo_interval = 0; idle_timeout = 600;\n"
	    "  plugin = \"l2tp_ipsec.so\"; };\n"
	    "pool = { start = \"203.0.113.10\"; end = \"203.0.113.20\"; };\n"
	    "log = { level = \"debug\"; };\n");
	session(&s);
	s.ifname = "l2tp5";
	s.unit = 5;
	s.remote.s_addr = inet_addr("203.0.113.10");
	s.stats_interval = 10;
	assert_int_equal(pppd_args_build(c, &s, &a), 0);
	assert_true(find(&a, "refuse-mschap-v2") > 0);
	assert_true(find(&a, "require-pap") > 0);
	assert_true(find(&a, "require-eap") > 0);
	assert_int_equal(find(&a, "require-mschap-v2"), -1);
	assert_opt(&a, "name", "vpn.example");
	i = find(&a, "ms-dns");
	assert_true(i > 0);
	assert_string_equal(a.argv[i + 1], "192.0.2.53");
	assert_string_equal(a.argv[i + 2], "ms-dns");
	assert_string_equal(a.argv[i + 3], "192.0.2.54");
	assert_opt(&a, "mtu", "1280");
	assert_opt(&a, "mru", "1300");
	assert_opt(&a, "lcp-echo-interval", "0");
	assert_opt(&a, "idle", "600");
	assert_opt(&a, "ifname", "l2tp5");
	assert_opt(&a, "unit", "5");
	assert_opt(&a, PPPD_OPT_STATS, "10");
	assert_true(find(&a, "203.0.113.1:203.0.113.10") > 0);
	assert_true(find(&a, "debug") > 0);
	i = find(&a, "l2tp_ipsec.so");
	assert_true(i > 0);
	assert_string_equal(a.argv[i - 1], "plugin");
	conf_free(c);
}

static void
test_refused(void **state)
{
	struct vpn_conf *c;
	struct pppd_session s;
	struct pppd_argv a;
	char longkey[80];

	(void)state;
	c = conf_text("");
	session(&s);
	s.fd = -1;
	assert_int_equal(pppd_args_build(c, &s, &a), -1);
	assert_int_equal(a.argc, 0);
	session(&s);
	s.key = "a b";
	assert_int_equal(pppd_args_build(c, &s, &a), -1);
	session(&s);
	s.key = "";
	assert_int_equal(pppd_args_build(c, &s, &a), -1);
	session(&s);
	memset(longkey, 'k', 65);
	longkey[65] = '\0';
	s.key = longkey;
	assert_int_equal(pppd_args_build(c, &s, &a), -1);
	longkey[64] = '\0';
	assert_int_equal(pppd_args_build(c, &s, &a), 0);
	session(&s);
	s.ifname = "ppp0123456789012";
	assert_int_equal(pppd_args_build(c, &s, &a), -1);
	session(&s);
	s.sock_path = "/run/x\n";
	assert_int_equal(pppd_args_build(c, &s, &a), -1);
	session(&s);
	s.conf_path = NULL;
	assert_int_equal(pppd_args_build(c, &s, &a), -1);
	conf_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_configured),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
