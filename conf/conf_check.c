/*
 * conf_check.c - the checks across keys once the main file has been walked
 * (defaults that depend on other keys, ranges between keys, the pool and
 * the users' addresses), and the sorted lists with entries given twice.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_priv.h"

/*
 * Phase 1 proposals: the default list, in order of preference. It covers
 * Windows 10/11, macOS/iOS and Android; ECP-256 comes before ECP-384 as it
 * costs about 25 times less.
 */
static const struct conf_ike_proposal default_proposals[] = {
	{ CONF_ENC_AES256, CONF_HASH_SHA256, CONF_DH_ECP256 },
	{ CONF_ENC_AES128, CONF_HASH_SHA1, CONF_DH_ECP256 },
	{ CONF_ENC_AES256, CONF_HASH_SHA1, CONF_DH_ECP384 },
	{ CONF_ENC_AES256, CONF_HASH_SHA256, CONF_DH_MODP2048 },
	{ CONF_ENC_AES256, CONF_HASH_SHA1, CONF_DH_MODP2048 },
	{ CONF_ENC_AES128, CONF_HASH_SHA1, CONF_DH_MODP2048 },
	{ CONF_ENC_AES256, CONF_HASH_SHA1, CONF_DH_MODP1536 },
	{ CONF_ENC_AES256, CONF_HASH_SHA1, CONF_DH_MODP1024 },
	{ CONF_ENC_AES128, CONF_HASH_SHA1, CONF_DH_MODP1024 },
	{ CONF_ENC_3DES, CONF_HASH_SHA1, CONF_DH_MODP1024 },
};

static const struct conf_esp_proposal default_esp[] = {
	{ CONF_ESP_ENC_AES256, CONF_ESP_INTEG_SHA1 },
	{ CONF_ESP_ENC_AES128, CONF_ESP_INTEG_SHA1 },
	{ CONF_ESP_ENC_AES256, CONF_ESP_INTEG_SHA256 },
	{ CONF_ESP_ENC_AES128GCM16, CONF_ESP_INTEG_NONE },
	{ CONF_ESP_ENC_AES256GCM16, CONF_ESP_INTEG_NONE },
	{ CONF_ESP_ENC_3DES, CONF_ESP_INTEG_SHA1 },
};

const char *
conf_ip4_str(struct in_addr a, char *buf, size_t len)
{
	if (inet_ntop(AF_INET, &a, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

/* Sorting, and entries given twice. */

static int
user_cmp(const void *a, const void *b)
{
	const struct conf_user *x = a, *y = b;
	int r;

	if ((r = strcmp(x->name, y->name)) != 0)
		return r;
	return x->index < y->index ? -1 : x->index > y->index;
}

int
conf_users_sort_check(struct vpn_conf *c, struct conf_err *err)
{
	struct conf_user *u;
	char path[64];
	size_t i;

	if (c->nusers > 1)
		qsort(c->users, c->nusers, sizeof(*c->users), user_cmp);
	for (i = 1; i < c->nusers; i++) {
		u = &c->users[i];
		if (strcmp(u[-1].name, u->name) != 0)
			continue;
		snprintf(path, sizeof(path), "users.[%u].name", u->index);
		return conf_error_at(err, u->file, u->line, path,
		    "duplicate user '%s' (first at %s:%u)", u->name,
		    u[-1].file, u[-1].line);
	}
	return 0;
}

static int
peer_cmp(const void *a, const void *b)
{
	const struct conf_peer *x = a, *y = b;
	int r;

	if (x->prefixlen != y->prefixlen)
		return x->prefixlen > y->prefixlen ? -1 : 1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if ((r = memcmp(&x->net, &y->net, sizeof(x->net))) != 0)
		return r;
	return x->index < y->index ? -1 : x->index > y->index;
}

const char *
conf_peer_net(const struct conf_peer *pe, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (inet_ntop(pe->family, &pe->net, a, sizeof(a)) == NULL)
		snprintf(a, sizeof(a), "?");
	snprintf(buf, len, "%s/%u", a, pe->prefixlen);
	return buf;
}

int
conf_peers_sort_check(struct vpn_conf *c, struct conf_err *err)
{
	struct conf_peer *pe;
	char path[64], net[INET6_ADDRSTRLEN + 8];
	size_t i;

	if (c->ike.npeers > 1)
		qsort(c->ike.peers, c->ike.npeers, sizeof(*c->ike.peers),
		    peer_cmp);
	for (i = 1; i < c->ike.npeers; i++) {
		pe = &c->ike.peers[i];
		if (pe[-1].prefixlen != pe->prefixlen ||
		    pe[-1].family != pe->family ||
		    memcmp(&pe[-1].net, &pe->net, sizeof(pe->net)) != 0)
			continue;
		snprintf(path, sizeof(path), "ike.peers.[%u].address",
		    pe->index);
		return conf_error_at(err, pe->file, pe->line, path,
		    "%s is also at %s:%u", conf_peer_net(pe, net, sizeof(net)),
		    pe[-1].file, pe[-1].line);
	}
	return 0;
}

/* Checks across keys of the main file. */

static bool
ike_is_legacy(const struct conf_ike_proposal *pr)
{
	return pr->dh == CONF_DH_MODP1024 || pr->enc == CONF_ENC_3DES;
}

static int
check_ike(struct pctx *p)
{
	struct vpn_conf *c = p->conf;
	struct ike_conf *ike = &c->ike;
	char path[64], used[64];
	bool modp1024 = false, des3 = false;
	unsigned int line;
	size_t i;

	if (ike->natt_port == ike->port) {
		line = conf_line_of(p, "ike.natt_port");
		return conf_error_at(p->err, p->file,
		    line != 0 ? line : conf_line_of(p, "ike.port"),
		    "ike.natt_port", "must differ from ike.port (both %u)",
		    ike->port);
	}
	if (ike->ipsec_lifetime_min > ike->ipsec_lifetime_max) {
		line = conf_line_of(p, "ike.ipsec_lifetime_min");
		return conf_error_at(p->err, p->file, line != 0 ? line :
		    conf_line_of(p, "ike.ipsec_lifetime_max"),
		    "ike.ipsec_lifetime_min", "%u is above "
		    "ike.ipsec_lifetime_max (%u)", ike->ipsec_lifetime_min,
		    ike->ipsec_lifetime_max);
	}
	if (ike->dpd_delay != 0 && ike->dpd_timeout <= ike->dpd_delay) {
		line = conf_line_of(p, "ike.dpd_timeout");
		return conf_error_at(p->err, p->file, line != 0 ? line :
		    conf_line_of(p, "ike.dpd_delay"), "ike.dpd_timeout",
		    "%u must be above ike.dpd_delay (%u)", ike->dpd_timeout,
		    ike->dpd_delay);
	}
	if (ike->max_half_open_per_peer > ike->max_half_open) {
		line = conf_line_of(p, "ike.max_half_open_per_peer");
		return conf_error_at(p->err, p->file, line != 0 ? line :
		    conf_line_of(p, "ike.max_half_open"),
		    "ike.max_half_open_per_peer", "%u is above "
		    "ike.max_half_open (%u)", ike->max_half_open_per_peer,
		    ike->max_half_open);
	}

	/*
	 * Legacy algorithms: the defaults drop them when not allowed;
	 * proposals written out must not use them then.
	 */
	if (!p->proposals_set) {
		for (i = 0; i < CONF_NELEM(default_proposals); i++)
			if (ike->legacy_compat ||
			    !ike_is_legacy(&default_proposals[i]))
				ike->proposals[ike->nproposals++] =
				    default_proposals[i];
	}
	for (i = 0; i < ike->nproposals; i++) {
		if (!ike_is_legacy(&ike->proposals[i]))
			continue;
		modp1024 |= ike->proposals[i].dh == CONF_DH_MODP1024;
		des3 |= ike->proposals[i].enc == CONF_ENC_3DES;
		if (ike->legacy_compat)
			continue;
		snprintf(path, sizeof(path), "ike.proposals.[%zu]", i);
		return conf_error_at(p->err, p->file, p->prop_line[i], path,
		    "'%s-%s-%s' uses %s, a legacy algorithm; it needs "
		    "ike.legacy_compat = true",
		    conf_enc_name(ike->proposals[i].enc),
		    conf_hash_name(ike->proposals[i].hash),
		    conf_dh_name(ike->proposals[i].dh),
		    ike->proposals[i].dh == CONF_DH_MODP1024 ? "modp1024" :
		    "3des");
	}
	if (!p->esp_set) {
		for (i = 0; i < CONF_NELEM(default_esp); i++)
			if (ike->legacy_compat ||
			    default_esp[i].enc != CONF_ESP_ENC_3DES)
				ike->esp[ike->nesp++] = default_esp[i];
	}
	for (i = 0; i < ike->nesp; i++) {
		if (ike->esp[i].enc != CONF_ESP_ENC_3DES)
			continue;
		des3 = true;
		if (ike->legacy_compat)
			continue;
		snprintf(path, sizeof(path), "ike.esp.[%zu]", i);
		return conf_error_at(p->err, p->file, p->esp_line[i], path,
		    "'3des-%s' uses 3des, a legacy algorithm; it needs "
		    "ike.legacy_compat = true",
		    conf_esp_integ_name(ike->esp[i].integ));
	}
	if (modp1024 || des3) {
		snprintf(used, sizeof(used), "%s%s%s", modp1024 ?
		    "modp1024" : "", modp1024 && des3 ? ", " : "",
		    des3 ? "3des" : "");
		conf_warn_at(c, p->file, conf_line_of(p, "ike.legacy_compat"),
		    "ike.legacy_compat", "legacy algorithms offered (%s) for "
		    "old clients; set ike.legacy_compat = false if none need "
		    "them", used);
	}
	if (ike->kernel == CONF_KERNEL_NONE)
		conf_warn_at(c, p->file, conf_line_of(p, "ike.kernel"),
		    "ike.kernel", "\"none\": SAs are negotiated but not "
		    "installed, no traffic will flow (for tests only)");
	return 0;
}

/*
 * Certificate authentication: server certificate and key come together,
 * and with the CAs that clients are verified against (no unverified
 * clients); the CRL and cert_allow only mean something with them.
 */
static int
check_certs(struct pctx *p)
{
	const struct ike_conf *ike = &p->conf->ike;
	const unsigned int *line = p->conf->ike_file_line;
	const char *off = "set without certificate authentication "
	    "(ike.ca_file, ike.cert_file, ike.key_file)";

	if (ike->cert_file != NULL && ike->key_file == NULL)
		return conf_error_at(p->err, p->file, line[1], "ike.key_file",
		    "missing: ike.cert_file needs its private key (set both "
		    "or neither)");
	if (ike->key_file != NULL && ike->cert_file == NULL)
		return conf_error_at(p->err, p->file, line[2],
		    "ike.cert_file", "missing: ike.key_file needs its "
		    "certificate (set both or neither)");
	if (ike->cert_file != NULL && ike->ca_file == NULL)
		return conf_error_at(p->err, p->file, line[1], "ike.ca_file",
		    "missing: certificate authentication needs the CA "
		    "certificate(s) that clients' certificates must chain to");
	if (ike->ca_file != NULL && ike->cert_file == NULL)
		return conf_error_at(p->err, p->file, line[0],
		    "ike.cert_file", "missing: ike.ca_file is for certificate "
		    "authentication, which needs the server's certificate "
		    "and key (ike.cert_file, ike.key_file)");
	if (ike->crl_file != NULL && ike->cert_file == NULL)
		return conf_error_at(p->err, p->file, line[3], "ike.crl_file",
		    "%s", off);
	if (ike->ncert_allow > 0 && ike->cert_file == NULL)
		return conf_error_at(p->err, p->file,
		    conf_line_of(p, "ike.cert_allow"), "ike.cert_allow", "%s",
		    off);
	return 0;
}

/* A control socket path: default name in run_dir, or relative to it. */
static int
resolve_socket(struct pctx *p, const char *key, const char *raw,
    const char *def, char **out)
{
	char *r;
	unsigned int line = conf_line_of(p, key);

	r = conf_path_join(p->conf->run_dir, raw != NULL ? raw : def);
	if (r == NULL)
		return conf_error_at(p->err, p->file, line, key,
		    "out of memory");
	if (strlen(r) > CONF_SUN_PATH_MAX) {
		free(r);
		return conf_error_at(p->err, p->file, line != 0 ? line :
		    conf_line_of(p, "run_dir"), key, "socket path is longer "
		    "than %d characters", CONF_SUN_PATH_MAX);
	}
	free(*out);
	*out = r;
	return 0;
}

static int
check_l2tp(struct pctx *p)
{
	struct vpn_conf *c = p->conf;
	struct l2tp_conf *l2tp = &c->l2tp;
	unsigned int line;

	if (l2tp->port == c->ike.port || l2tp->port == c->ike.natt_port) {
		line = conf_line_of(p, "l2tp.port");
		return conf_error_at(p->err, p->file, line, "l2tp.port",
		    "%u is also an IKE port (ike.port, ike.natt_port)",
		    l2tp->port);
	}
	if (l2tp->retransmit_max < l2tp->retransmit_initial) {
		line = conf_line_of(p, "l2tp.retransmit_max");
		return conf_error_at(p->err, p->file, line != 0 ? line :
		    conf_line_of(p, "l2tp.retransmit_initial"),
		    "l2tp.retransmit_max", "%u is below "
		    "l2tp.retransmit_initial (%u)", l2tp->retransmit_max,
		    l2tp->retransmit_initial);
	}
	if (l2tp->max_sessions_per_tunnel > l2tp->max_sessions) {
		line = conf_line_of(p, "l2tp.max_sessions_per_tunnel");
		return conf_error_at(p->err, p->file, line != 0 ? line :
		    conf_line_of(p, "l2tp.max_sessions"),
		    "l2tp.max_sessions_per_tunnel", "%u is above "
		    "l2tp.max_sessions (%u)", l2tp->max_sessions_per_tunnel,
		    l2tp->max_sessions);
	}
	if (resolve_socket(p, "ike.control_socket", p->ike_socket,
	    "ikd.sock", &c->ike.control_socket) == -1 ||
	    resolve_socket(p, "l2tp.control_socket", p->l2tp_socket,
	    "l2tpd.sock", &l2tp->control_socket) == -1)
		return -1;
	if (strcmp(c->ike.control_socket, l2tp->control_socket) == 0)
		return conf_error_at(p->err, p->file,
		    conf_line_of(p, "l2tp.control_socket"),
		    "l2tp.control_socket", "same path as ike.control_socket");
	return 0;
}

static bool
in_pool(const struct pool_conf *pool, struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	return h >= ntohl(pool->start.s_addr) && h <= ntohl(pool->end.s_addr);
}

static int
check_pool(struct pctx *p)
{
	struct vpn_conf *c = p->conf;
	struct pool_conf *pool = &c->pool;
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN];
	char path[64];
	uint32_t size, used = 0;
	unsigned int line;
	size_t i, j;

	if (ntohl(pool->start.s_addr) > ntohl(pool->end.s_addr)) {
		line = conf_line_of(p, "pool.start");
		return conf_error_at(p->err, p->file, line != 0 ? line :
		    conf_line_of(p, "pool.end"), "pool.start",
		    "%s is above pool.end (%s)", conf_ip4_str(pool->start, a,
		    sizeof(a)), conf_ip4_str(pool->end, b, sizeof(b)));
	}
	size = conf_pool_size(c);
	if (size == 0 || size > CONF_MAX_POOL) {
		line = conf_line_of(p, "pool.end");
		return conf_error_at(p->err, p->file, line != 0 ? line :
		    conf_line_of(p, "pool.start"), "pool.end", "the pool "
		    "%s-%s holds more than %d addresses",
		    conf_ip4_str(pool->start, a, sizeof(a)),
		    conf_ip4_str(pool->end, b, sizeof(b)), CONF_MAX_POOL);
	}
	for (i = 0; i < pool->nexclude; i++) {
		snprintf(path, sizeof(path), "pool.exclude.[%zu]", i);
		for (j = 0; j < i; j++)
			if (pool->exclude[j].s_addr == pool->exclude[i].s_addr)
				return conf_error_at(p->err, p->file,
				    p->exclude_line[i], path, "%s repeats "
				    "pool.exclude.[%zu]", conf_ip4_str(
				    pool->exclude[i], a, sizeof(a)), j);
		if (in_pool(pool, pool->exclude[i]))
			used++;
		else
			conf_warn_at(c, p->file, p->exclude_line[i], path,
			    "%s is outside the pool (%s-%s)",
			    conf_ip4_str(pool->exclude[i], a, sizeof(a)),
			    conf_ip4_str(pool->start, b, sizeof(b)),
			    conf_ip4_str(pool->end, d, sizeof(d)));
	}
	if (pool->nexclude > 1)
		qsort(pool->exclude, pool->nexclude, sizeof(*pool->exclude),
		    conf_ip4_cmp);
	if (in_pool(pool, c->ppp.local_address) && (pool->nexclude == 0 ||
	    bsearch(&c->ppp.local_address, pool->exclude, pool->nexclude,
	    sizeof(struct in_addr), conf_ip4_cmp) == NULL)) {
		line = conf_line_of(p, "ppp.local_address");
		if (line == 0)
			line = conf_line_of(p, "pool.start");
		if (line == 0)
			line = conf_line_of(p, "pool.end");
		return conf_error_at(p->err, p->file, line,
		    "ppp.local_address", "%s is inside the pool (%s-%s); move "
		    "it out or add it to pool.exclude",
		    conf_ip4_str(c->ppp.local_address, a, sizeof(a)),
		    conf_ip4_str(pool->start, b, sizeof(b)),
		    conf_ip4_str(pool->end, d, sizeof(d)));
	}
	if (used >= size)
		conf_warn_at(c, p->file, conf_line_of(p, "pool.exclude"),
		    "pool.exclude", "every pool address is excluded; only "
		    "users with a static address can connect");
	return 0;
}

struct static_ref {
	struct in_addr		 addr;
	const struct conf_user	*user;
};

static int
static_cmp(const void *a, const void *b)
{
	const struct static_ref *x = a, *y = b;
	int r;

	if ((r = conf_ip4_cmp(&x->addr, &y->addr)) != 0)
		return r;
	return x->user->index < y->user->index ? -1 :
	    x->user->index > y->user->index;
}

static int
check_users(struct pctx *p)
{
	struct vpn_conf *c = p->conf;
	struct static_ref *refs;
	const struct conf_user *u;
	char path[64], a[INET_ADDRSTRLEN];
	size_t i, n = 0;

	for (i = 0; i < c->nusers; i++) {
		u = &c->users[i];
		if (!u->has_address)
			continue;
		if (u->address.s_addr == c->ppp.local_address.s_addr) {
			snprintf(path, sizeof(path), "users.[%u].address",
			    u->index);
			return conf_error_at(p->err, u->file, u->line, path,
			    "%s is ppp.local_address, the server's own",
			    conf_ip4_str(u->address, a, sizeof(a)));
		}
		n++;
	}
	if (n == 0)
		return 0;
	if ((refs = calloc(n, sizeof(*refs))) == NULL ||
	    (c->pool.statics = calloc(n, sizeof(*c->pool.statics))) == NULL) {
		free(refs);
		return conf_error_at(p->err, p->file, 0, "users",
		    "out of memory");
	}
	for (i = 0, n = 0; i < c->nusers; i++)
		if (c->users[i].has_address) {
			refs[n].addr = c->users[i].address;
			refs[n++].user = &c->users[i];
		}
	qsort(refs, n, sizeof(*refs), static_cmp);
	for (i = 0; i < n; i++) {
		if (i > 0 && refs[i].addr.s_addr == refs[i - 1].addr.s_addr) {
			u = refs[i].user;
			snprintf(path, sizeof(path), "users.[%u].address",
			    u->index);
			conf_error_at(p->err, u->file, u->line, path, "%s is "
			    "also the address of user '%s' (%s:%u)",
			    conf_ip4_str(u->address, a, sizeof(a)),
			    refs[i - 1].user->name, refs[i - 1].user->file,
			    refs[i - 1].user->line);
			free(refs);
			return -1;
		}
		c->pool.statics[i] = refs[i].addr;
	}
	c->pool.nstatics = n;
	free(refs);
	return 0;
}

int
conf_check_main(struct pctx *p)
{
	struct vpn_conf *c = p->conf;
	size_t i;

	if (check_ike(p) == -1 || check_certs(p) == -1 ||
	    check_l2tp(p) == -1 || check_pool(p) == -1 ||
	    check_users(p) == -1)
		return -1;
	for (i = 0; i < c->ppp.nauth; i++) {
		/*
		 * pppd 2.4.9 as an EAP server only does EAP-TLS after the
		 * identity (seen in the lab): an eap-mschapv2 client would
		 * never authenticate, so refuse it here, not at dial-in.
		 */
		if (c->ppp.auth[i] == CONF_AUTH_EAP_MSCHAPV2)
			return conf_error_at(p->err, p->file,
			    conf_line_of(p, "ppp.auth"), "ppp.auth",
			    "eap-mschapv2: pppd 2.4.9 (Debian 12) cannot "
			    "serve it (its EAP server only does EAP-TLS); "
			    "use mschapv2");
		if (c->ppp.auth[i] == CONF_AUTH_PAP)
			conf_warn_at(c, p->file, conf_line_of(p, "ppp.auth"),
			    "ppp.auth", "pap: the password crosses the tunnel "
			    "in clear text, protected by ESP only; prefer "
			    "mschapv2");
	}
	return 0;
}
