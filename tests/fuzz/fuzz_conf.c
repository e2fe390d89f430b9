/*
 * fuzz_conf.c - libFuzzer target for the configuration loader.
 *
 * The input is the main file's text; if it holds a NUL byte, what follows
 * the first one is a secrets file's text, merged and finished as conf_load
 * does (without the I/O). Every result is freed; lookups run on what
 * loaded. Build with clang -fsanitize=fuzzer,address,undefined -I. and the
 * conf/ sources, link with -lconfig; seeds in tests/fuzz/corpus/conf/.
 *
 * Every input on which libconfig leaks (see below) makes libFuzzer run a
 * whole-heap leak check, some 25 times slower than a plain run: for long
 * runs use -detect_leaks=0, then replay the corpus with leak detection on
 * (-runs=0 corpus/).
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/*
 * libconfig 1.5's parser drops a string token on some syntax errors without
 * freeing it (bison has no %destructor there), e.g. for the input "\"\"".
 * Not ours to fix; the suppression is scoped to allocations made inside
 * libconfig, so a leak of the loader's own still fails the run.
 */
const char *
__lsan_default_suppressions(void)
{
	return "leak:libconfig.so\n";
}

static void
check_msg(const struct conf_err *err)
{
	/* A message is always one terminated line. */
	if (memchr(err->msg, '\0', sizeof(err->msg)) == NULL ||
	    strchr(err->msg, '\n') != NULL)
		abort();
}

static void
exercise(const struct vpn_conf *c)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	const struct conf_ike_proposal *pr;
	struct in_addr a;
	uint32_t i, n;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, "192.0.2.77", &sin.sin_addr);
	(void)conf_ike_psk(c, (struct sockaddr *)&sin);
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "::ffff:192.0.2.77", &sin6.sin6_addr);
	(void)conf_ike_psk(c, (struct sockaddr *)&sin6);
	inet_pton(AF_INET6, "2001:db8::1", &sin6.sin6_addr);
	(void)conf_ike_psk(c, (struct sockaddr *)&sin6);
	(void)conf_user_lookup(c, "alice");
	n = conf_pool_size(c);
	for (i = 0; i < n && i < 64; i++) {
		a.s_addr = htonl(ntohl(c->pool.start.s_addr) + i);
		(void)conf_pool_reserved(c, a);
	}
	for (i = 0; i < c->nwarnings; i++)
		if (strchr(c->warnings[i], '\n') != NULL)
			abort();
	/* What a daemon logs at start: every value has a name. */
	for (i = 0; i < c->ike.nproposals; i++) {
		pr = &c->ike.proposals[i];
		if (strcmp(conf_enc_name(pr->enc), "?") == 0 ||
		    strcmp(conf_hash_name(pr->hash), "?") == 0 ||
		    strcmp(conf_dh_name(pr->dh), "?") == 0)
			abort();
	}
	for (i = 0; i < c->ike.nesp; i++)
		if (strcmp(conf_esp_enc_name(c->ike.esp[i].enc), "?") == 0 ||
		    strcmp(conf_esp_integ_name(c->ike.esp[i].integ), "?") == 0)
			abort();
	for (i = 0; i < c->ppp.nauth; i++)
		if (strcmp(conf_auth_name(c->ppp.auth[i]), "?") == 0)
			abort();
	if (strcmp(conf_kernel_name(c->ike.kernel), "?") == 0 ||
	    strcmp(conf_log_level_name(c->log.level), "?") == 0 ||
	    strcmp(conf_facility_name(c->log.facility), "?") == 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_err err;
	struct vpn_conf *c;
	char *text, *secrets = NULL;

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (strlen(text) < size)
		secrets = text + strlen(text) + 1;

	c = conf_parse_string(text, "fuzz.conf", "/nonexistent", &err);
	if (c == NULL) {
		check_msg(&err);
		goto done;
	}
	if (secrets != NULL &&
	    conf_merge_secrets(c, secrets, "fuzz.secrets", &err) == -1) {
		check_msg(&err);
		goto done;
	}
	if (conf_finish(c, &err) == -1) {
		check_msg(&err);
		goto done;
	}
	exercise(c);
done:
	conf_free(c);
	free(text);
	return 0;
}
