/*
 * conf_sections.c - the keys of the configuration, section by section: one
 * table per group, one handler per key that is more than a plain integer
 * or boolean. vpn.conf (the example) documents every key; keep the two in
 * step (test_conf checks that its values are the defaults).
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_priv.h"

#define K_UINT(st, f, lo, hi) \
	{ #f, CONF_KEY_UINT, offsetof(st, f), lo, hi, NULL, false }
#define K_U16(st, f, lo, hi) \
	{ #f, CONF_KEY_U16, offsetof(st, f), lo, hi, NULL, false }
#define K_BOOL(st, f) \
	{ #f, CONF_KEY_BOOL, offsetof(st, f), 0, 0, NULL, false }
#define K_FUNC(n, fn, sec) \
	{ n, CONF_KEY_FUNC, 0, 0, 0, fn, sec }
#define K_END \
	{ NULL, CONF_KEY_FUNC, 0, 0, 0, NULL, false }

static const struct conf_enum enc_names[] = {
	{ "aes128", CONF_ENC_AES128 },
	{ "aes192", CONF_ENC_AES192 },
	{ "aes256", CONF_ENC_AES256 },
	{ "3des", CONF_ENC_3DES },
	{ NULL, 0 }
};

static const struct conf_enum hash_names[] = {
	{ "sha1", CONF_HASH_SHA1 },
	{ "sha256", CONF_HASH_SHA256 },
	{ "sha384", CONF_HASH_SHA384 },
	{ "sha512", CONF_HASH_SHA512 },
	{ NULL, 0 }
};

static const struct conf_enum dh_names[] = {
	{ "modp1024", CONF_DH_MODP1024 },
	{ "modp1536", CONF_DH_MODP1536 },
	{ "modp2048", CONF_DH_MODP2048 },
	{ "modp3072", CONF_DH_MODP3072 },
	{ "modp4096", CONF_DH_MODP4096 },
	{ "ecp256", CONF_DH_ECP256 },
	{ "ecp384", CONF_DH_ECP384 },
	{ NULL, 0 }
};

static const struct conf_enum esp_enc_names[] = {
	{ "aes128", CONF_ESP_ENC_AES128 },
	{ "aes256", CONF_ESP_ENC_AES256 },
	{ "3des", CONF_ESP_ENC_3DES },
	{ "aes128gcm16", CONF_ESP_ENC_AES128GCM16 },
	{ "aes256gcm16", CONF_ESP_ENC_AES256GCM16 },
	{ NULL, 0 }
};

static const struct conf_enum esp_integ_names[] = {
	{ "sha1", CONF_ESP_INTEG_SHA1 },
	{ "sha256", CONF_ESP_INTEG_SHA256 },
	{ NULL, 0 }
};

/* Refused by name, with the reason, rather than "unknown". */
static const struct conf_enum refused_names[] = {
	{ "des", 0 },
	{ "null", 0 },
	{ "md5", 0 },
	{ "modp768", 0 },
	{ NULL, 0 }
};

static const char *const refused_why[] = {
	"cipher 'des' refused: insecure (56-bit key, brute-forced in hours); "
	    "use aes128 or aes256",
	"cipher 'null' refused: it does not encrypt",
	"hash 'md5' refused: insecure (broken collision resistance); "
	    "use sha256 or sha1",
	"DH group 'modp768' refused: insecure (768-bit MODP is within reach "
	    "of precomputation attacks); use ecp256 or modp2048",
};

static const struct conf_enum kernel_names[] = {
	{ "xfrm", CONF_KERNEL_XFRM },
	{ "none", CONF_KERNEL_NONE },
	{ NULL, 0 }
};

static const struct conf_enum auth_names[] = {
	{ "mschapv2", CONF_AUTH_MSCHAPV2 },
	{ "pap", CONF_AUTH_PAP },
	{ "eap-mschapv2", CONF_AUTH_EAP_MSCHAPV2 },
	{ NULL, 0 }
};

static const struct conf_enum level_names[] = {
	{ "warning", CONF_LOG_WARNING },
	{ "info", CONF_LOG_INFO },
	{ "debug", CONF_LOG_DEBUG },
	{ NULL, 0 }
};

static int
oom(struct pctx *p, const config_setting_t *s)
{
	return conf_error(p, s, "out of memory");
}

/* A path value: absolute, unless rel_ok. */
static int
get_path(struct pctx *p, const config_setting_t *s, bool allow_empty,
    bool rel_ok, const char **out)
{
	if (conf_get_string(p, s, allow_empty, CONF_PATH_MAX, out) == -1)
		return -1;
	if (!rel_ok && (*out)[0] != '/')
		return conf_error(p, s, "must be an absolute path");
	return 0;
}

/* A numeric IPv4 or IPv6 address into ss (port 0). */
static int
get_addr(struct pctx *p, const config_setting_t *s, bool wild_ok,
    struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)(void *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)ss;
	char echo[64];
	const char *v = NULL;

	if (conf_get_string(p, s, false, 64, &v) == -1)
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, v, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		if (!wild_ok && sin->sin_addr.s_addr == INADDR_ANY)
			goto wild;
	} else if (inet_pton(AF_INET6, v, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		if (!wild_ok && IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr))
			goto wild;
	} else
		return conf_error(p, s, "'%s' is not a numeric IPv4 or IPv6 "
		    "address (names are not resolved)",
		    conf_echo(v, echo, sizeof(echo)));
	return 0;
wild:
	return conf_error(p, s, "'%s' is the wildcard address; leave the "
	    "list empty to listen on all addresses", v);
}

static bool
same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)(const void *)a)->
		    sin_addr.s_addr == ((const struct sockaddr_in *)
		    (const void *)b)->sin_addr.s_addr;
	return memcmp(&((const struct sockaddr_in6 *)(const void *)a)->
	    sin6_addr, &((const struct sockaddr_in6 *)(const void *)b)->
	    sin6_addr, sizeof(struct in6_addr)) == 0;
}

/* top level */

static int
top_secrets_file(struct pctx *p, const config_setting_t *s)
{
	const char *v = NULL;
	char *r = NULL;

	if (get_path(p, s, true, true, &v) == -1)
		return -1;
	if (v[0] != '\0' &&
	    (r = conf_path_join(p->conf->base_dir, v)) == NULL)
		return oom(p, s);
	free(p->conf->secrets_path);
	p->conf->secrets_path = r;
	return 0;
}

static int
top_run_dir(struct pctx *p, const config_setting_t *s)
{
	const char *v = NULL;
	char *r;

	if (get_path(p, s, false, false, &v) == -1)
		return -1;
	if ((r = strdup(v)) == NULL)
		return oom(p, s);
	free(p->conf->run_dir);
	p->conf->run_dir = r;
	return 0;
}

/* ike */

static int
ike_listen(struct pctx *p, const config_setting_t *s)
{
	struct ike_conf *ike = &p->conf->ike;
	struct sockaddr_storage ss;
	const config_setting_t *e;
	size_t i, j, n;

	if (conf_get_list(p, s, CONF_MAX_LISTEN, true, &n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		if (get_addr(p, e, false, &ss) == -1)
			return -1;
		for (j = 0; j < i; j++)
			if (same_addr(&ike->listen[j], &ss))
				return conf_error(p, e, "'%s' repeats "
				    "ike.listen.[%zu]",
				    config_setting_get_string(e), j);
		ike->listen[i] = ss;
	}
	ike->nlisten = n;
	return 0;
}

/*
 * Split v at '-' into at most max tokens (pointers into buf). Returns the
 * number of tokens, or max + 1 if there are more.
 */
static size_t
split_dash(const char *v, char *buf, size_t len, char **tok, size_t max)
{
	size_t n = 0;
	char *s;

	snprintf(buf, len, "%s", v);
	for (s = buf; n <= max; n++) {
		if (n == max)
			return max + 1;
		tok[n] = s;
		if ((s = strchr(s, '-')) == NULL)
			return n + 1;
		*s++ = '\0';
	}
	return n;
}

/* Map one algorithm token; refused and unknown ones are errors. */
static int
algo(struct pctx *p, const config_setting_t *s, const char *tok,
    const struct conf_enum *tab, const char *what, int *out)
{
	const struct conf_enum *e;
	char echo[40], list[200];

	if ((e = conf_enum_find(tab, tok, strlen(tok))) != NULL) {
		*out = e->value;
		return 0;
	}
	if ((e = conf_enum_find(refused_names, tok, strlen(tok))) != NULL)
		return conf_error(p, s, "%s",
		    refused_why[e - refused_names]);
	return conf_error(p, s, "unknown %s '%s' (valid: %s)", what,
	    conf_echo(tok, echo, sizeof(echo)),
	    conf_enum_list(tab, list, sizeof(list)));
}

static int
ike_proposals(struct pctx *p, const config_setting_t *s)
{
	struct ike_conf *ike = &p->conf->ike;
	struct conf_ike_proposal pr;
	const config_setting_t *e;
	char buf[64], echo[64], *tok[3];
	const char *v = NULL;
	size_t i, j, n;
	int enc = 0, hash = 0, dh = 0;

	if (conf_get_list(p, s, CONF_MAX_PROPOSALS, false, &n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		if (conf_get_string(p, e, false, 63, &v) == -1)
			return -1;
		if (split_dash(v, buf, sizeof(buf), tok, 3) != 3)
			return conf_error(p, e, "'%s' is not cipher-hash-group "
			    "(e.g. 'aes256-sha256-ecp256')",
			    conf_echo(v, echo, sizeof(echo)));
		if (algo(p, e, tok[0], enc_names, "cipher", &enc) == -1 ||
		    algo(p, e, tok[1], hash_names, "hash", &hash) == -1 ||
		    algo(p, e, tok[2], dh_names, "DH group", &dh) == -1)
			return -1;
		pr.enc = (enum conf_enc)enc;
		pr.hash = (enum conf_hash)hash;
		pr.dh = (enum conf_dh)dh;
		for (j = 0; j < i; j++)
			if (memcmp(&ike->proposals[j], &pr, sizeof(pr)) == 0)
				return conf_error(p, e, "'%s' repeats "
				    "ike.proposals.[%zu]", v, j);
		ike->proposals[i] = pr;
		p->prop_line[i] = config_setting_source_line(e);
	}
	ike->nproposals = n;
	p->proposals_set = true;
	return 0;
}

static bool
esp_is_gcm(enum conf_esp_enc e)
{
	return e == CONF_ESP_ENC_AES128GCM16 || e == CONF_ESP_ENC_AES256GCM16;
}

static int
ike_esp(struct pctx *p, const config_setting_t *s)
{
	struct ike_conf *ike = &p->conf->ike;
	struct conf_esp_proposal pr;
	const config_setting_t *e;
	char buf[64], echo[64], *tok[2];
	const char *v = NULL;
	size_t i, j, n, nt;
	int enc = 0, integ = 0;

	if (conf_get_list(p, s, CONF_MAX_PROPOSALS, false, &n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		if (conf_get_string(p, e, false, 63, &v) == -1)
			return -1;
		nt = split_dash(v, buf, sizeof(buf), tok, 2);
		if (nt > 2)
			return conf_error(p, e, "'%s' is not cipher-integrity "
			    "(e.g. 'aes256-sha1') or a GCM cipher (e.g. "
			    "'aes256gcm16')", conf_echo(v, echo, sizeof(echo)));
		if (algo(p, e, tok[0], esp_enc_names, "cipher", &enc) == -1)
			return -1;
		pr.enc = (enum conf_esp_enc)enc;
		pr.integ = CONF_ESP_INTEG_NONE;
		if (esp_is_gcm(pr.enc) && nt == 2)
			return conf_error(p, e, "'%s': GCM provides integrity; "
			    "write just '%s'", v, conf_esp_enc_name(pr.enc));
		if (!esp_is_gcm(pr.enc) && nt == 1)
			return conf_error(p, e, "'%s' needs an integrity "
			    "algorithm (e.g. '%s-sha1')", v,
			    conf_esp_enc_name(pr.enc));
		if (nt == 2) {
			if (algo(p, e, tok[1], esp_integ_names, "integrity "
			    "algorithm", &integ) == -1)
				return -1;
			pr.integ = (enum conf_esp_integ)integ;
		}
		for (j = 0; j < i; j++)
			if (memcmp(&ike->esp[j], &pr, sizeof(pr)) == 0)
				return conf_error(p, e, "'%s' repeats "
				    "ike.esp.[%zu]", v, j);
		ike->esp[i] = pr;
		p->esp_line[i] = config_setting_source_line(e);
	}
	ike->nesp = n;
	p->esp_set = true;
	return 0;
}

static int
ike_kernel(struct pctx *p, const config_setting_t *s)
{
	int v = 0;

	if (conf_get_enum(p, s, kernel_names, &v) == -1)
		return -1;
	p->conf->ike.kernel = (enum conf_kernel)v;
	return 0;
}

static int
ike_control_socket(struct pctx *p, const config_setting_t *s)
{
	return conf_get_strdup(p, s, false, CONF_PATH_MAX, &p->ike_socket);
}

/* A POSIX-ish user name, not root: the IKE process drops to it. */
static int
ike_user(struct pctx *p, const config_setting_t *s)
{
	char *u = NULL;
	size_t i;

	if (conf_get_strdup(p, s, false, 32, &u) == -1)
		return -1;
	for (i = 0; u[i] != '\0'; i++)
		if (!((u[i] >= 'a' && u[i] <= 'z') || u[i] == '_' ||
		    (i > 0 && ((u[i] >= '0' && u[i] <= '9') || u[i] == '-'))))
			break;
	if (u[i] != '\0' || strcmp(u, "root") == 0) {
		free(u);
		return conf_error(p, s, "must be an unprivileged user name "
		    "([a-z_][a-z0-9_-]*, not root)");
	}
	free(p->conf->ike.user);
	p->conf->ike.user = u;
	return 0;
}

static int
ike_psk(struct pctx *p, const config_setting_t *s)
{
	return conf_get_secret(p, s, &p->conf->ike.psk);
}

static int
peer_address(struct pctx *p, const config_setting_t *s)
{
	struct conf_peer *pe = p->peer;
	char buf[64], net[INET6_ADDRSTRLEN];
	uint8_t addr[16], masked[16];
	unsigned int plen, max, i;
	const char *v = NULL;
	char *slash, *q;
	int family;

	if (conf_get_string(p, s, false, 63, &v) == -1)
		return -1;
	snprintf(buf, sizeof(buf), "%s", v);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, addr) == 1) {
		family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, addr) == 1) {
		family = AF_INET6;
		max = 128;
	} else
		goto bad;
	plen = max;
	if (slash != NULL) {
		if (*slash == '\0' || strlen(slash) > 3)
			goto bad;
		for (plen = 0, q = slash; *q != '\0'; q++) {
			if (*q < '0' || *q > '9')
				goto bad;
			plen = plen * 10 + (unsigned int)(*q - '0');
		}
		if (plen > max)
			return conf_error(p, s, "prefix length above %u", max);
	}
	memcpy(masked, addr, sizeof(masked));
	for (i = 0; i < max / 8; i++)
		if (i * 8 >= plen)
			masked[i] = 0;
		else if (i * 8 + 8 > plen)
			masked[i] &= (uint8_t)(0xff << (8 - (plen - i * 8)));
	if (memcmp(masked, addr, max / 8) != 0)
		return conf_error(p, s, "'%s' has host bits set (the network "
		    "is %s/%u)", v, inet_ntop(family, masked, net,
		    sizeof(net)) != NULL ? net : "?", plen);
	pe->family = family;
	memcpy(&pe->net, masked, max / 8);
	pe->prefixlen = plen;
	return 0;
bad:
	/*
	 * Not quoted: in an entry holding a secret, a value in the wrong
	 * key could be that secret.
	 */
	return conf_error(p, s, "not an address or network (e.g. "
	    "\"192.0.2.0/24\")");
}

static int
peer_psk(struct pctx *p, const config_setting_t *s)
{
	return conf_get_secret(p, s, &p->peer->psk);
}

/*
 * ike.ca_file, cert_file, key_file, crl_file: a path, relative ones
 * resolved against the file's directory; which is the index into
 * vpn_conf.ike_file_line. The files themselves are checked by conf_load
 * (this is pure); their contents by ikd.
 */
static int
ike_file(struct pctx *p, const config_setting_t *s, size_t which,
    char **out)
{
	const char *v = NULL;
	char *r;

	if (get_path(p, s, false, true, &v) == -1)
		return -1;
	if ((r = conf_path_join(p->conf->base_dir, v)) == NULL)
		return oom(p, s);
	free(*out);
	*out = r;
	p->conf->ike_file_line[which] = config_setting_source_line(s);
	return 0;
}

static int
ike_ca_file(struct pctx *p, const config_setting_t *s)
{
	return ike_file(p, s, 0, &p->conf->ike.ca_file);
}

static int
ike_cert_file(struct pctx *p, const config_setting_t *s)
{
	return ike_file(p, s, 1, &p->conf->ike.cert_file);
}

static int
ike_key_file(struct pctx *p, const config_setting_t *s)
{
	return ike_file(p, s, 2, &p->conf->ike.key_file);
}

static int
ike_crl_file(struct pctx *p, const config_setting_t *s)
{
	return ike_file(p, s, 3, &p->conf->ike.crl_file);
}

static int
rule_issuer(struct pctx *p, const config_setting_t *s)
{
	return conf_get_strdup(p, s, false, CONF_CERT_PATTERN_MAX,
	    &p->cert_rule->issuer);
}

static int
rule_subject(struct pctx *p, const config_setting_t *s)
{
	return conf_get_strdup(p, s, false, CONF_CERT_PATTERN_MAX,
	    &p->cert_rule->subject);
}

static const struct conf_key cert_rule_keys[] = {
	K_FUNC("issuer", rule_issuer, false),
	K_FUNC("subject", rule_subject, false),
	K_END
};

/* ike.cert_allow: ( { issuer = "glob"; subject = "glob"; }, ... ) */
static int
ike_cert_allow(struct pctx *p, const config_setting_t *s)
{
	struct ike_conf *ike = &p->conf->ike;
	const config_setting_t *e;
	char path[64];
	size_t i, n;

	if (conf_get_list(p, s, CONF_MAX_CERT_ALLOW, true, &n) == -1)
		return -1;
	if (n == 0)
		return 0;
	if ((ike->cert_allow = calloc(n, sizeof(*ike->cert_allow))) == NULL)
		return oom(p, s);
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		p->cert_rule = &ike->cert_allow[i];
		p->cert_rule->file = p->file;
		p->cert_rule->line = config_setting_source_line(e);
		ike->ncert_allow = i + 1;
		if (conf_walk(p, e, cert_rule_keys, NULL) == -1)
			return -1;
		if (p->cert_rule->issuer == NULL &&
		    p->cert_rule->subject == NULL) {
			snprintf(path, sizeof(path), "ike.cert_allow.[%zu]", i);
			return conf_error_at(p->err, p->file,
			    p->cert_rule->line, path, "needs issuer or subject (or both), e.g. "
			    "subject = \"CN=*\";");
		}
	}
	return 0;
}

static const struct conf_key peer_keys[] = {
	K_FUNC("address", peer_address, true),
	K_FUNC("psk", peer_psk, true),
	K_END
};

static int
ike_peers(struct pctx *p, const config_setting_t *s)
{
	struct ike_conf *ike = &p->conf->ike;
	const config_setting_t *e;
	char path[64];
	size_t i, n;

	if (conf_get_list(p, s, CONF_MAX_PEERS, true, &n) == -1)
		return -1;
	if (n == 0)
		return 0;
	if ((ike->peers = calloc(n, sizeof(*ike->peers))) == NULL)
		return oom(p, s);
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		p->peer = &ike->peers[i];
		p->peer->file = p->file;
		p->peer->line = config_setting_source_line(e);
		p->peer->index = (unsigned int)i;
		ike->npeers = i + 1;
		if (conf_walk(p, e, peer_keys, NULL) == -1)
			return -1;
		snprintf(path, sizeof(path), "ike.peers.[%zu].address", i);
		if (p->peer->family == 0)
			return conf_error_at(p->err, p->file, p->peer->line,
			    path, "missing (e.g. address = \"192.0.2.0/24\";)");
		snprintf(path, sizeof(path), "ike.peers.[%zu].psk", i);
		if (p->secrets && p->peer->psk.str == NULL)
			return conf_error_at(p->err, p->file, p->peer->line,
			    path, "missing (a peer in the secrets file is "
			    "there for its psk)");
	}
	return conf_peers_sort_check(p->conf, p->err);
}

static const struct conf_key ike_keys[] = {
	K_FUNC("listen", ike_listen, false),
	K_U16(struct ike_conf, port, 1, 65535),
	K_U16(struct ike_conf, natt_port, 1, 65535),
	K_FUNC("proposals", ike_proposals, false),
	K_FUNC("esp", ike_esp, false),
	K_BOOL(struct ike_conf, legacy_compat),
	K_UINT(struct ike_conf, ike_lifetime, 300, 86400),
	K_UINT(struct ike_conf, ipsec_lifetime_min, 300, 86400),
	K_UINT(struct ike_conf, ipsec_lifetime_max, 300, 86400),
	K_UINT(struct ike_conf, dpd_delay, 0, 3600),
	K_UINT(struct ike_conf, dpd_timeout, 5, 7200),
	K_UINT(struct ike_conf, max_half_open_per_peer, 1, 65535),
	K_UINT(struct ike_conf, max_half_open, 1, 1000000),
	K_FUNC("kernel", ike_kernel, false),
	K_FUNC("control_socket", ike_control_socket, false),
	K_FUNC("user", ike_user, false),
	K_FUNC("psk", ike_psk, true),
	K_FUNC("peers", ike_peers, true),
	K_FUNC("ca_file", ike_ca_file, false),
	K_FUNC("cert_file", ike_cert_file, false),
	K_FUNC("key_file", ike_key_file, false),
	K_FUNC("crl_file", ike_crl_file, false),
	K_FUNC("cert_allow", ike_cert_allow, false),
	K_END
};

static int
top_ike(struct pctx *p, const config_setting_t *s)
{
	return conf_walk(p, s, ike_keys, &p->conf->ike);
}

/* l2tp */

static int
l2tp_listen(struct pctx *p, const config_setting_t *s)
{
	const char *v = NULL;

	if (conf_get_string(p, s, true, 64, &v) == -1)
		return -1;
	if (v[0] == '\0') {
		memset(&p->conf->l2tp.listen, 0, sizeof(p->conf->l2tp.listen));
		p->conf->l2tp.listen.ss_family = AF_UNSPEC;
		return 0;
	}
	return get_addr(p, s, true, &p->conf->l2tp.listen);
}

static int
l2tp_hostname(struct pctx *p, const config_setting_t *s)
{
	const char *v = NULL;
	size_t i;

	if (conf_get_string(p, s, false, 64, &v) == -1)
		return -1;
	for (i = 0; v[i] != '\0'; i++)
		if ((unsigned char)v[i] > 0x7e)
			return conf_error(p, s, "must be printable ASCII");
	return conf_get_strdup(p, s, false, 64, &p->conf->l2tp.hostname);
}

static int
l2tp_secret(struct pctx *p, const config_setting_t *s)
{
	return conf_get_secret(p, s, &p->conf->l2tp.secret);
}

static int
l2tp_control_socket(struct pctx *p, const config_setting_t *s)
{
	return conf_get_strdup(p, s, false, CONF_PATH_MAX, &p->l2tp_socket);
}

static const struct conf_key l2tp_keys[] = {
	K_FUNC("listen", l2tp_listen, false),
	K_U16(struct l2tp_conf, port, 1, 65535),
	K_FUNC("hostname", l2tp_hostname, false),
	K_UINT(struct l2tp_conf, hello_interval, 0, 3600),
	K_UINT(struct l2tp_conf, retransmit_initial, 100, 30000),
	K_UINT(struct l2tp_conf, retransmit_max, 100, 120000),
	K_UINT(struct l2tp_conf, retransmit_count, 1, 32),
	K_UINT(struct l2tp_conf, receive_window, 1, 64),
	K_UINT(struct l2tp_conf, max_tunnels, 1, 65535),
	K_UINT(struct l2tp_conf, max_sessions, 1, 65535),
	K_UINT(struct l2tp_conf, max_sessions_per_tunnel, 1, 65535),
	K_FUNC("secret", l2tp_secret, true),
	K_FUNC("control_socket", l2tp_control_socket, false),
	K_END
};

static int
top_l2tp(struct pctx *p, const config_setting_t *s)
{
	return conf_walk(p, s, l2tp_keys, &p->conf->l2tp);
}

/* ppp */

static int
ppp_pppd(struct pctx *p, const config_setting_t *s)
{
	const char *v = NULL;

	if (get_path(p, s, false, false, &v) == -1)
		return -1;
	return conf_get_strdup(p, s, false, CONF_PATH_MAX, &p->conf->ppp.pppd);
}

static int
ppp_auth(struct pctx *p, const config_setting_t *s)
{
	struct ppp_conf *ppp = &p->conf->ppp;
	const config_setting_t *e;
	size_t i, j, n;
	int v = 0;

	if (conf_get_list(p, s, CONF_MAX_AUTH, false, &n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		if (conf_get_enum(p, e, auth_names, &v) == -1)
			return -1;
		for (j = 0; j < i; j++)
			if (ppp->auth[j] == (enum conf_auth)v)
				return conf_error(p, e, "'%s' repeats "
				    "ppp.auth.[%zu]",
				    conf_auth_name((enum conf_auth)v), j);
		ppp->auth[i] = (enum conf_auth)v;
	}
	ppp->nauth = n;
	return 0;
}

static int
ppp_dns(struct pctx *p, const config_setting_t *s)
{
	struct ppp_conf *ppp = &p->conf->ppp;
	const config_setting_t *e;
	struct in_addr a;
	size_t i, j, n;

	if (conf_get_list(p, s, CONF_MAX_DNS, true, &n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		if (conf_get_ip4(p, e, &a) == -1)
			return -1;
		for (j = 0; j < i; j++)
			if (ppp->dns[j].s_addr == a.s_addr)
				return conf_error(p, e, "'%s' repeats "
				    "ppp.dns.[%zu]",
				    config_setting_get_string(e), j);
		ppp->dns[i] = a;
	}
	ppp->ndns = n;
	return 0;
}

static int
ppp_local_address(struct pctx *p, const config_setting_t *s)
{
	return conf_get_ip4(p, s, &p->conf->ppp.local_address);
}

static int
ppp_plugin(struct pctx *p, const config_setting_t *s)
{
	const char *v = NULL;

	if (get_path(p, s, false, true, &v) == -1)
		return -1;
	if (v[0] != '/' && strchr(v, '/') != NULL)
		return conf_error(p, s, "must be an absolute path, or a bare "
		    "file name in pppd's plugin directory");
	return conf_get_strdup(p, s, false, CONF_PATH_MAX,
	    &p->conf->ppp.plugin);
}

static const struct conf_key ppp_keys[] = {
	K_FUNC("pppd", ppp_pppd, false),
	K_FUNC("auth", ppp_auth, false),
	K_FUNC("dns", ppp_dns, false),
	K_FUNC("local_address", ppp_local_address, false),
	K_UINT(struct ppp_conf, mtu, 576, 1400),
	K_UINT(struct ppp_conf, mru, 576, 1400),
	K_UINT(struct ppp_conf, lcp_echo_interval, 0, 3600),
	K_UINT(struct ppp_conf, lcp_echo_failure, 1, 100),
	K_UINT(struct ppp_conf, idle_timeout, 0, 604800),
	K_FUNC("plugin", ppp_plugin, false),
	K_END
};

static int
top_ppp(struct pctx *p, const config_setting_t *s)
{
	return conf_walk(p, s, ppp_keys, &p->conf->ppp);
}

/* pool */

static int
pool_start(struct pctx *p, const config_setting_t *s)
{
	return conf_get_ip4(p, s, &p->conf->pool.start);
}

static int
pool_end(struct pctx *p, const config_setting_t *s)
{
	return conf_get_ip4(p, s, &p->conf->pool.end);
}

static int
pool_exclude(struct pctx *p, const config_setting_t *s)
{
	struct pool_conf *pool = &p->conf->pool;
	const config_setting_t *e;
	size_t i, n;

	if (conf_get_list(p, s, CONF_MAX_EXCLUDE, true, &n) == -1)
		return -1;
	if (n == 0)
		return 0;
	if ((pool->exclude = calloc(n, sizeof(*pool->exclude))) == NULL)
		return oom(p, s);
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		if (conf_get_ip4(p, e, &pool->exclude[i]) == -1)
			return -1;
		p->exclude_line[i] = config_setting_source_line(e);
		pool->nexclude = i + 1;
	}
	return 0;
}

static const struct conf_key pool_keys[] = {
	K_FUNC("start", pool_start, false),
	K_FUNC("end", pool_end, false),
	K_FUNC("exclude", pool_exclude, false),
	K_END
};

static int
top_pool(struct pctx *p, const config_setting_t *s)
{
	return conf_walk(p, s, pool_keys, &p->conf->pool);
}

/* users */

static int
user_name(struct pctx *p, const config_setting_t *s)
{
	const char *v = NULL;
	size_t i;

	if (conf_get_string(p, s, false, CONF_USER_NAME_MAX, &v) == -1)
		return -1;
	/* Not quoted: it could be the password, swapped by mistake. */
	for (i = 0; v[i] != '\0'; i++)
		if ((unsigned char)v[i] <= 0x20 || (unsigned char)v[i] > 0x7e ||
		    strchr("\"'\\*", v[i]) != NULL)
			return conf_error(p, s, "character %zu is not allowed "
			    "in a user name (printable ASCII without spaces, "
			    "quotes, backslash or '*')", i + 1);
	return conf_get_strdup(p, s, false, CONF_USER_NAME_MAX,
	    &p->user->name);
}

static int
user_password(struct pctx *p, const config_setting_t *s)
{
	return conf_get_secret(p, s, &p->user->password);
}

static int
user_address(struct pctx *p, const config_setting_t *s)
{
	struct in_addr a;
	const char *v = NULL;

	/* Not quoted when wrong: it could be the password, swapped. */
	if (conf_get_string(p, s, false, 64, &v) == -1)
		return -1;
	if (inet_pton(AF_INET, v, &a) != 1)
		return conf_error(p, s, "not an IPv4 address (a.b.c.d)");
	if (!conf_ip4_usable(a))
		return conf_error(p, s, "%s is not a usable host address "
		    "(0/8, 127/8, multicast and reserved are refused)", v);
	p->user->address = a;
	p->user->has_address = true;
	return 0;
}

static const struct conf_key user_keys[] = {
	K_FUNC("name", user_name, true),
	K_FUNC("password", user_password, true),
	K_FUNC("address", user_address, false),
	K_END
};

static int
top_users(struct pctx *p, const config_setting_t *s)
{
	struct vpn_conf *c = p->conf;
	const config_setting_t *e;
	char path[64];
	size_t i, n;

	if (conf_get_list(p, s, CONF_MAX_USERS, true, &n) == -1)
		return -1;
	if (n == 0)
		return 0;
	if ((c->users = calloc(n, sizeof(*c->users))) == NULL)
		return oom(p, s);
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		p->user = &c->users[i];
		p->user->file = p->file;
		p->user->line = config_setting_source_line(e);
		p->user->index = (unsigned int)i;
		c->nusers = i + 1;
		if (conf_walk(p, e, user_keys, NULL) == -1)
			return -1;
		snprintf(path, sizeof(path), "users.[%zu].name", i);
		if (p->user->name == NULL)
			return conf_error_at(p->err, p->file, p->user->line,
			    path, "missing (e.g. name = \"alice\";)");
		snprintf(path, sizeof(path), "users.[%zu].password", i);
		if (p->secrets && p->user->password.str == NULL)
			return conf_error_at(p->err, p->file, p->user->line,
			    path, "missing (a user in the secrets file is "
			    "there for the password)");
	}
	return conf_users_sort_check(c, p->err);
}

/* log */

static int
log_key_level(struct pctx *p, const config_setting_t *s)
{
	int v = 0;

	if (conf_get_enum(p, s, level_names, &v) == -1)
		return -1;
	p->conf->log.level = (enum conf_log_level)v;
	return 0;
}

static int
log_key_facility(struct pctx *p, const config_setting_t *s)
{
	return conf_get_enum(p, s, conf_facility_names, &p->conf->log.facility);
}

static int
log_key_session_log(struct pctx *p, const config_setting_t *s)
{
	const char *v = NULL;
	char *r = NULL;

	if (get_path(p, s, true, true, &v) == -1)
		return -1;
	if (v[0] != '\0' &&
	    (r = conf_path_join(p->conf->base_dir, v)) == NULL)
		return oom(p, s);
	free(p->conf->log.session_log);
	p->conf->log.session_log = r;
	return 0;
}

static const struct conf_key log_keys[] = {
	K_FUNC("level", log_key_level, false),
	K_BOOL(struct log_conf, syslog),
	K_FUNC("facility", log_key_facility, false),
	K_FUNC("session_log", log_key_session_log, false),
	K_END
};

static int
top_log(struct pctx *p, const config_setting_t *s)
{
	return conf_walk(p, s, log_keys, &p->conf->log);
}

const struct conf_key conf_top_keys[] = {
	K_FUNC("secrets_file", top_secrets_file, false),
	K_FUNC("run_dir", top_run_dir, false),
	K_FUNC("ike", top_ike, true),
	K_FUNC("l2tp", top_l2tp, true),
	K_FUNC("ppp", top_ppp, false),
	K_FUNC("pool", top_pool, false),
	K_FUNC("users", top_users, true),
	K_FUNC("log", top_log, false),
	K_END
};
