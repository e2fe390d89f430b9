/*
 * test_conf_weak.c - the guessable pre-shared key check (conf/conf_weak.c):
 * which keys are flagged and why, the word list's own form, and the
 * warnings conf_finish adds for ike.psk and ike.peers as the daemons log
 * them (lib/log, captured): they name the place and the reason, never the
 * key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "conf/conf_priv.h"
#include "lib/log.h"
#include "logcap.h"

#define R_REPEAT	"is one character repeated"
#define R_DIGITS	"is only digits"
#define R_RUN		"is a keyboard or alphabet sequence"
#define R_PATTERN	"is a short pattern repeated"
#define R_WORD		"is a common word or password"
#define R_CHANGED	"is a common word or password with small changes " \
	"(look-alike characters, digits or symbols added)"

struct weak_case {
	const char	*psk;
	const char	*why;		/* NULL: not flagged */
};

static const struct weak_case weak_cases[] = {
	{ "password", R_WORD },
	{ "Password", R_WORD },
	{ "PASSWORD", R_WORD },
	{ "P@ssw0rd!", R_CHANGED },
	{ "passw0rd123", R_CHANGED },
	{ "p4$$w0rd", R_CHANGED },
	{ "Secret2024!", R_CHANGED },
	{ "$ecret", R_CHANGED },
	{ "2024secret", R_CHANGED },
	{ "!!secret!!", R_CHANGED },
	{ "vpn", R_WORD },
	{ "VPN-2024", R_CHANGED },
	{ "l2tp", R_WORD },
	{ "L2TP/IPsec", R_CHANGED },
	{ "l2tp-ipsec-2024", R_CHANGED },
	{ "pre-shared key", R_CHANGED },
	{ "shared_secret", R_CHANGED },
	{ "letmein", R_WORD },
	{ "welcome1", R_CHANGED },
	{ "Admin!!", R_CHANGED },
	{ "trustno1", R_CHANGED },
	{ "Summer2025", R_CHANGED },
	{ "m1cr0s0ft", R_CHANGED },	/* 1 as i */
	{ "1inux", R_CHANGED },		/* 1 as l */
	{ "vpnvpn", R_PATTERN },
	{ "secretsecret", R_CHANGED },	/* a word twice */
	{ "changeme", R_WORD },
	{ "mikrotik", R_WORD },
	{ "123456", R_DIGITS },
	{ "12345678901234567890", R_DIGITS },
	{ "0", R_DIGITS },
	{ "aaaaaaaa", R_REPEAT },
	{ "AaAaAaAa", R_REPEAT },
	{ "!!!!!!", R_REPEAT },
	{ "qwerty", R_RUN },
	{ "QWERTYUIOP", R_RUN },
	{ "asdfghjkl", R_RUN },
	{ "asdf1234", R_RUN },
	{ "poiuytrewq", R_RUN },
	{ "abcdefgh", R_RUN },
	{ "zyxwvutsrq", R_RUN },
	{ "1qaz2wsx", R_RUN },
	{ "!@#$%^", R_RUN },
	{ "iop7890", R_RUN },		/* the run in the middle */
	{ "abcabcabc", R_PATTERN },
	{ "xyzxyz", R_PATTERN },	/* the alphabet does not wrap */
	{ "7890123", R_DIGITS },
	{ "k9k9k9k9", R_PATTERN },
	/* Not flagged: random, long, or a word inside random text. */
	{ "Xq7vR2mK9pL3nW8t", NULL },
	{ "mQ3Hk8Fz2Ns7Wp4Rx9Tc6Vb2Ld5Gy8Ja", NULL },
	{ "correct horse battery staple", NULL },
	{ "vpn-Xq7vR2mK9pL3", NULL },
	{ "passwordXq7vR2mK9", NULL },
	{ "xK", NULL },
	{ "ab", NULL },
	{ "", NULL },
};

static void
test_reasons(void **state)
{
	const struct weak_case *wc;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(weak_cases) / sizeof(weak_cases[0]); i++) {
		wc = &weak_cases[i];
		why = conf_psk_guessable(wc->psk, strlen(wc->psk));
		if (wc->why == NULL && why == NULL)
			continue;
		if (wc->why == NULL || why == NULL || strcmp(why, wc->why) != 0)
			fail_msg("\"%s\": got \"%s\", want \"%s\"", wc->psk,
			    why != NULL ? why : "(none)",
			    wc->why != NULL ? wc->why : "(none)");
	}
}

/*
 * The list: sorted without repeats (bsearch), in candidate form, and every
 * word found alone and in a disguise.
 */
static void
test_word_list(void **state)
{
	char buf[CONF_SECRET_MAX + 1];
	const char *w, *why;
	size_t i, j, n;

	(void)state;
	assert_true(conf_weak_nwords >= 200);
	assert_true(conf_weak_nwords <= 500);
	for (i = 0; i < conf_weak_nwords; i++) {
		w = conf_weak_words[i];
		n = strlen(w);
		if (i > 0 && strcmp(conf_weak_words[i - 1], w) >= 0)
			fail_msg("not sorted at \"%s\"", w);
		if (n < 3)
			fail_msg("\"%s\": shorter than 3", w);
		for (j = 0; j < n; j++)
			if (!((w[j] >= 'a' && w[j] <= 'z') ||
			    strchr("26789", w[j]) != NULL) || w[j] == '\0')
				fail_msg("\"%s\": character %zu", w, j);
		if (w[n - 1] >= '0' && w[n - 1] <= '9')
			fail_msg("\"%s\" ends in a digit", w);
		why = conf_psk_guessable(w, n);
		/* Some words are also runs ("abcd", "qwerty"). */
		if (why == NULL || (strcmp(why, R_WORD) != 0 &&
		    strcmp(why, R_RUN) != 0))
			fail_msg("\"%s\": %s", w, why != NULL ? why : "(none)");
		snprintf(buf, sizeof(buf), "%c%s2024!", w[0] - 'a' + 'A',
		    w + 1);
		if (w[0] >= 'a' && w[0] <= 'z' &&
		    ((why = conf_psk_guessable(buf, strlen(buf))) == NULL ||
		    (strcmp(why, R_CHANGED) != 0 && strcmp(why, R_RUN) != 0)))
			fail_msg("\"%s\": %s", buf, why != NULL ? why :
			    "(none)");
	}
}

/* Every length up to the maximum, every byte: bounded, no crash. */
static void
test_any_input(void **state)
{
	char buf[CONF_SECRET_MAX + 2];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 37 + 11);
	for (i = 0; i <= CONF_SECRET_MAX; i++)
		(void)conf_psk_guessable(buf, i);
	/* A word among 249 digits: every cut tried, still found. */
	memset(buf, '7', sizeof(buf));
	memcpy(buf + 100, "secret", 6);
	assert_string_equal(conf_psk_guessable(buf, CONF_SECRET_MAX),
	    R_CHANGED);
	buf[103] = 'X';
	assert_null(conf_psk_guessable(buf, CONF_SECRET_MAX));
	/* Beyond the maximum: not judged. */
	memset(buf, 'a', sizeof(buf));
	assert_null(conf_psk_guessable(buf, CONF_SECRET_MAX + 1));
	assert_string_equal(conf_psk_guessable(buf, CONF_SECRET_MAX),
	    R_REPEAT);
}

/* The PSKs below, never to be seen in a warning or a log line. */
#define PSK_MAIN	"Passw0rd2024!"
#define PSK_PEER	"L2TP-ipsec"
#define PSK_PEER6	"55555555555555555555"
#define PSK_GOOD	"Xq7vR2mK9pL3nW8tQ"

static void
absent(const char *what, const char *text)
{
	if (strstr(text, PSK_MAIN) != NULL || strstr(text, PSK_PEER) != NULL ||
	    strstr(text, PSK_PEER6) != NULL || strstr(text, PSK_GOOD) != NULL ||
	    strstr(text, "Passw0rd") != NULL || strstr(text, "ipsec") != NULL)
		fail_msg("%s holds a PSK: %s", what, text);
}

static void
test_warnings_logged(void **state)
{
	struct conf_err err;
	struct vpn_conf *c;
	size_t i;

	(void)state;
	c = conf_parse_string("secrets_file = \"\";\n"
	    "ike = {\n"
	    "\tpsk = \"" PSK_MAIN "\";\n"
	    "\tpeers = (\n"
	    "\t\t{ address = \"192.0.2.0/24\"; psk = \"" PSK_GOOD "\"; },\n"
	    "\t\t{ address = \"198.51.100.0/24\"; }\n"
	    "\t);\n"
	    "};\n"
	    "users = ( { name = \"alice\"; password = \"alice-password\"; } "
	    ");\n", "m.conf", "/etc/l2tp-ipsec", &err);
	if (c == NULL)
		fail_msg("%s", err.msg);
	if (conf_merge_secrets(c, "ike = { peers = (\n"
	    "\t{ address = \"198.51.100.0/24\"; psk = \"" PSK_PEER "\"; },\n"
	    "\t{ address = \"2001:db8::/32\";\n\t  psk = \"" PSK_PEER6 "\"; }"
	    "\n); };\n", "s.conf", &err) == -1 ||
	    conf_finish(c, &err) == -1)
		fail_msg("%s", err.msg);

	/* As ikd and l2tpd log them at start. */
	logcap_start(LOG_LEVEL_DEBUG);
	for (i = 0; i < c->nwarnings; i++)
		log_warnx("%s", c->warnings[i]);
	for (i = 0; i < logcap_kept(); i++) {
		absent("log line", logcap_line(i));
		print_message("%s\n", logcap_line(i));
	}
	assert_true(logcap_find("m.conf:3: ike.psk: guessable pre-shared key: "
	    "it " R_CHANGED "; use a long random one", NULL) >= 0);
	/* [1]: the entry's index in the main file, where it was listed. */
	assert_true(logcap_find("s.conf:2: ike.peers.[1].psk: guessable "
	    "pre-shared key for 198.51.100.0/24: it " R_CHANGED "; use a "
	    "long random one", NULL) >= 0);
	assert_true(logcap_find("s.conf:4: ike.peers.[1].psk: guessable "
	    "pre-shared key for 2001:db8::/32: it " R_REPEAT "; use a long "
	    "random one", NULL) >= 0);
	/* The strong one: no warning at all about 192.0.2.0/24. */
	assert_int_equal(logcap_find("192.0.2.0/24", NULL), -1);
	/* The short ones also get the length warning, as before. */
	assert_true(logcap_find("m.conf:3: ike.psk: weak pre-shared key "
	    "(under 16 characters)", NULL) >= 0);
	assert_int_equal(logcap_count(LOG_LEVEL_WARNING), c->nwarnings);
	/* legacy_compat, 2 short, 3 guessable */
	assert_int_equal(c->nwarnings, 6);
	logcap_stop();
	conf_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_word_list),
		cmocka_unit_test(test_any_input),
		cmocka_unit_test(test_warnings_logged),
	};

	return cmocka_run_group_tests_name("conf_weak", tests, NULL, NULL);
}
