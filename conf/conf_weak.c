/*
 * conf_weak.c - is a pre-shared key easy to guess? A built-in,
 * deterministic check (no system dictionary): one repeated character,
 * only digits, a keyboard or alphabet run, a short repeated pattern, or
 * one of a few hundred words and passwords people use as PSKs once case,
 * look-alike characters and digits or symbols around it are undone. The
 * answer is a reason for a warning; it never quotes the key.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_priv.h"

#define WEAK_MIN_WORD	3	/* shorter candidates are not looked up */
#define WEAK_MAX_PERIOD	4	/* "a short pattern repeated": period */

/*
 * Common passwords, words used as PSKs, VPN and vendor names, names,
 * months. Sorted (strcmp), in the form candidates take: lowercase letters
 * and the digits no look-alike stands for (2 6 7 8 9), not ending in a
 * digit (trailing digits are cut before the lookup). test_conf_weak checks
 * all of that and that each word is found.
 */
const char *const conf_weak_words[] = {
	"abc", "abcd", "abcde", "abcdef", "access", "accounting", "admin",
	"administrator", "amanda", "america", "andrew", "android", "anthony",
	"apple", "april", "arsenal", "ashley", "august", "autumn", "azerty",
	"backup", "bailey", "banana", "bank", "barcelona", "baseball",
	"basketball", "batman", "berlin", "blank", "business", "buster",
	"changeit", "changeme", "charlie", "checkpoint", "cheese", "chelsea",
	"chocolate", "cisco", "client", "cloud", "college", "company",
	"companyvpn", "computer", "connect", "connection", "contrasena",
	"cookie", "corp", "corporate", "crypto", "customer", "daniel",
	"data", "database", "debian", "december", "default", "demo",
	"deutschland", "dragon", "draytek", "dummy", "email", "empty",
	"encryption", "enterprise", "example", "family", "february",
	"finance", "firewall", "flower", "foo", "foobar", "football",
	"forever", "fortigate", "fortinet", "france", "freedom", "friday",
	"gateway", "george", "germany", "ginger", "google", "guest",
	"hannah", "harley", "haslo", "hello", "helloworld", "helpdesk",
	"hockey", "home", "homeoffice", "homevpn", "hospital", "hotel",
	"house", "hunter", "iloveyou", "info", "initial", "internet",
	"ipsec", "ipseckey", "ipsecpsk", "ipsecsecret", "ipsecvpn",
	"january", "jennifer", "jessica", "jordan", "joshua", "july", "june",
	"juniper", "justin", "key", "killer", "l2tp", "l2tpipsec", "l2tpkey",
	"l2tpsec", "l2tpsecret", "l2tpvpn", "letmein", "libreswan",
	"linksys", "linux", "liverpool", "login", "logon", "london", "love",
	"lovely", "maggie", "magic", "mail", "manager", "march", "master",
	"masterkey", "matrix", "meraki", "michael", "michelle", "microsoft",
	"mikrotik", "monday", "money", "monkey", "motdepasse", "mustang",
	"mycompany", "mykey", "mypsk", "mysecret", "mysql", "myvpn",
	"netgear", "network", "newyork", "nicole", "ninja", "none", "nopass",
	"nopassword", "nothing", "november", "null", "october", "office",
	"officevpn", "openswan", "openvpn", "opnsense", "oracle",
	"oursecret", "paloalto", "paris", "partner", "pass", "passkey",
	"passord", "passphrase", "passw", "passwd", "password", "passwort",
	"pepper", "pfsense", "pokemon", "postgres", "preshared",
	"presharedkey", "presharedsecret", "princess", "private",
	"privatekey", "psk", "pskkey", "public", "publickey", "pwd",
	"qwerty", "qwertz", "racoon", "ranger", "remote", "remoteaccess",
	"robert", "root", "router", "salasana", "sales", "sample",
	"saturday", "school", "secret", "secretkey", "secretpassword",
	"secrets", "secure", "securevpn", "security", "senha", "september",
	"server", "service", "shadow", "sharedkey", "sharedsecret", "shop",
	"soccer", "sonicwall", "spring", "start", "starwars", "store",
	"strongswan", "student", "summer", "sunday", "sunshine", "superman",
	"supersecret", "support", "synology", "sysadmin", "system",
	"teacher", "tech", "temp", "temporary", "test", "tester", "testing",
	"thekey", "thesecret", "thomas", "thursday", "tigger", "toor",
	"topsecret", "tplink", "trustno", "trustnoone", "tuesday", "tunnel",
	"ubiquiti", "ubuntu", "unifi", "university", "user", "username",
	"verysecret", "visitor", "vpn", "vpnaccess", "vpnkey", "vpnpass",
	"vpnpassword", "vpnpsk", "vpnsecret", "vpnserver", "vpnuser",
	"wachtwoord", "watchguard", "web", "website", "wednesday", "welcome",
	"whatever", "wifi", "windows", "winter", "wireless", "work", "zyxel",
};
const size_t conf_weak_nwords = CONF_NELEM(conf_weak_words);

/* Keyboard rows and columns (QWERTY, QWERTZ, AZERTY), the alphabet. */
static const char *const weak_runs[] = {
	"1234567890",
	"qwertyuiop", "asdfghjkl", "zxcvbnm",
	"qwertzuiop", "yxcvbnm",
	"azertyuiop", "qsdfghjklm", "wxcvbn",
	"1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
	"qazwsxedcrfvtgbyhnujmikolp",
	"zaqxswcdevfrbgtnhymjukilop",
	"abcdefghijklmnopqrstuvwxyz",
	"!@#$%^&*()",
};

static bool
weak_sep(unsigned char c)
{
	return isdigit(c) || ispunct(c) || isspace(c);
}

static int
word_cmp(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static bool
weak_word(const char *w)
{
	return strlen(w) >= WEAK_MIN_WORD && bsearch(w, conf_weak_words,
	    conf_weak_nwords, sizeof(conf_weak_words[0]), word_cmp) != NULL;
}

/*
 * Whether s (len bytes, lowercase) is a run of a row of weak_runs, forward
 * or backward; the digit row also across 0-1.
 */
static bool
weak_run(const char *s, size_t len)
{
	char fwd[2 * 40 + 1], rev[2 * 40 + 1];
	size_t i, j, n;

	if (len < WEAK_MIN_WORD)
		return false;
	for (i = 0; i < CONF_NELEM(weak_runs); i++) {
		n = strlen(weak_runs[i]);
		if (len > 2 * n)
			continue;
		/* The row twice, so that "7890123" is found too. */
		memcpy(fwd, weak_runs[i], n);
		memcpy(fwd + n, weak_runs[i], n);
		fwd[2 * n] = '\0';
		for (j = 0; j < 2 * n; j++)
			rev[j] = fwd[2 * n - 1 - j];
		rev[2 * n] = '\0';
		if (i > 0) {
			/* Only the digits wrap around. */
			fwd[n] = '\0';
			rev[n] = '\0';
		}
		if (memmem(fwd, strlen(fwd), s, len) != NULL ||
		    memmem(rev, strlen(rev), s, len) != NULL)
			return true;
	}
	return false;
}

/*
 * s[from, to) as a dictionary candidate into out: lowercase, look-alikes
 * undone (0 o, 1 one_as, 3 e, 4 a, 5 s, @ a, $ s), everything else that is
 * not a letter or digit dropped. Returns its length.
 */
static size_t
weak_norm(const char *s, size_t from, size_t to, char one_as, char *out)
{
	size_t i, n = 0;
	unsigned char c;

	for (i = from; i < to; i++) {
		c = (unsigned char)tolower((unsigned char)s[i]);
		switch (c) {
		case '0': c = 'o'; break;
		case '1': c = (unsigned char)one_as; break;
		case '3': c = 'e'; break;
		case '4': c = 'a'; break;
		case '5': c = 's'; break;
		case '@': c = 'a'; break;
		case '$': c = 's'; break;
		default: break;
		}
		if (c < 0x80 && isalnum(c))
			out[n++] = (char)c;
	}
	out[n] = '\0';
	return n;
}

/* A dictionary word, or one written twice ("vpnvpn"). */
static bool
weak_lookup(char *w, size_t n)
{
	if (weak_word(w))
		return true;
	if (n % 2 != 0 || memcmp(w, w + n / 2, n / 2) != 0)
		return false;
	w[n / 2] = '\0';
	return weak_word(w);
}

const char *
conf_psk_guessable(const char *s, size_t len)
{
	static const char one_as[] = { 'i', 'l' };
	char low[CONF_SECRET_MAX + 1], w[CONF_SECRET_MAX + 1];
	size_t i, j, lead, trail, cut, n, p;
	bool digits = true, same = true;

	if (len == 0 || len > CONF_SECRET_MAX)
		return NULL;
	for (i = 0; i < len; i++) {
		low[i] = (char)tolower((unsigned char)s[i]);
		digits &= isdigit((unsigned char)s[i]) != 0;
		same &= low[i] == low[0];
	}
	low[len] = '\0';
	if (len > 1 && same)
		return "is one character repeated";
	if (digits)
		return "is only digits";

	/* The digits and symbols around the middle. */
	for (lead = 0; lead < len && weak_sep((unsigned char)s[lead]); lead++)
		;
	for (trail = 0; trail < len - lead &&
	    weak_sep((unsigned char)s[len - 1 - trail]); trail++)
		;
	if (weak_run(low, len) || weak_run(low + lead, len - lead - trail))
		return "is a keyboard or alphabet sequence";
	for (p = 2; p <= WEAK_MAX_PERIOD && 2 * p <= len; p++)
		if (len % p == 0 && memcmp(low, low + p, len - p) == 0)
			return "is a short pattern repeated";

	/*
	 * Candidates: the leading digits and symbols kept or cut, every cut
	 * of the trailing ones, 1 read as i and as l.
	 */
	for (i = 0; i < (lead > 0 ? 2 : 1); i++)
		for (cut = 0; cut <= trail; cut++)
			for (j = 0; j < sizeof(one_as); j++) {
				n = weak_norm(s, i == 0 ? 0 : lead, len - cut,
				    one_as[j], w);
				if (!weak_lookup(w, n))
					continue;
				if (strcmp(w, low) == 0)
					return "is a common word or password";
				return "is a common word or password with "
				    "small changes (look-alike characters, "
				    "digits or symbols added)";
			}
	return NULL;
}
