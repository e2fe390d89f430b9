/*
 * pppd_args.c - build pppd's argv for one session (see pppd_args.h).
 */
#include <arpa/inet.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "l2tpd/pppd_args.h"

/* Append one argument, printf-formatted, into out->buf. */
static bool __attribute__((format(printf, 2, 3)))
add(struct pppd_argv *out, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n;

	if (out->argc + 1 >= PPPD_ARGV_MAX)
		return false;
	room = sizeof(out->buf) - out->used;
	va_start(ap, fmt);
	n = vsnprintf(out->buf + out->used, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room)
		return false;
	out->argv[out->argc++] = out->buf + out->used;
	out->argv[out->argc] = NULL;
	out->used += (size_t)n + 1;
	return true;
}

static bool
add_addr(struct pppd_argv *out, const char *opt, struct in_addr a)
{
	char s[INET_ADDRSTRLEN];

	if (inet_ntop(AF_INET, &a, s, sizeof(s)) == NULL)
		return false;
	return add(out, "%s", opt) && add(out, "%s", s);
}

/* A word pppd reads as one argument: 1..max printable, no blanks. */
static bool
word_ok(const char *s, size_t max)
{
	size_t n;

	if (s == NULL)
		return false;
	n = strnlen(s, max + 1);
	if (n == 0 || n > max)
		return false;
	for (; *s != '\0'; s++) {
		if (*s <= 0x20 || *s >= 0x7f)
			return false;
	}
	return true;
}

static bool
has_auth(const struct vpn_conf *conf, enum conf_auth a)
{
	size_t i;

	for (i = 0; i < conf->ppp.nauth; i++) {
		if (conf->ppp.auth[i] == a)
			return true;
	}
	return false;
}

int
pppd_args_build(const struct vpn_conf *conf, const struct pppd_session *s,
    struct pppd_argv *out)
{
	const struct ppp_conf *p = &conf->ppp;
	char local[INET_ADDRSTRLEN], remote[INET_ADDRSTRLEN];
	size_t i;
	bool ok;

	memset(out, 0, sizeof(*out));
	if (s->fd < 0 || !word_ok(s->key, 64) ||
	    !word_ok(s->conf_path, 1024) || !word_ok(s->sock_path, 107) ||
	    !word_ok(p->pppd, 1024) || !word_ok(p->plugin, 1024) ||
	    (s->ifname != NULL && !word_ok(s->ifname, 15)) ||
	    p->nauth == 0)
		return -1;
	if (inet_ntop(AF_INET, &p->local_address, local, sizeof(local)) ==
	    NULL)
		return -1;
	remote[0] = '\0';
	if (s->remote.s_addr != 0 &&
	    inet_ntop(AF_INET, &s->remote, remote, sizeof(remote)) == NULL)
		return -1;

	ok = add(out, "%s", p->pppd) &&
	    /* l2tpd reaps this very process: pppd must not fork away. */
	    add(out, "nodetach") &&
	    /* The kernel data path: pppol2tp.so takes the session socket. */
	    add(out, "plugin") && add(out, "pppol2tp.so") &&
	    add(out, "pppol2tp") && add(out, "%d", s->fd) &&
	    add(out, "pppol2tp_lns_mode") &&
	    add(out, "pppol2tp_tunnel_id") && add(out, "%u", s->tunnel_id) &&
	    add(out, "pppol2tp_session_id") && add(out, "%u", s->session_id) &&
	    /* Ours: secrets from the config, reports to l2tpd. */
	    add(out, "plugin") && add(out, "%s", p->plugin) &&
	    add(out, PPPD_OPT_CONFIG) && add(out, "%s", s->conf_path) &&
	    add(out, PPPD_OPT_SOCKET) && add(out, "%s", s->sock_path) &&
	    add(out, PPPD_OPT_SESSION) && add(out, "%s", s->key);
	if (ok && s->stats_interval != 0)
		ok = add(out, PPPD_OPT_STATS) &&
		    add(out, "%u", s->stats_interval);
	/*
	 * Authentication: only the configured methods, every other one
	 * refused (CHAP-MD5 and MS-CHAPv1 always: no Windows/Apple/Android
	 * client needs them and both are weaker).
	 * XXX eap-mschapv2 maps to require-eap, but Debian 12's pppd 2.4.9
	 * as EAP server goes Identity -> EAP-TLS and fails without
	 * /etc/ppp/eaptls-server (seen in the UML lab); 2.4.9 has no hook
	 * to steer it to MS-CHAPv2.
	 */
	ok = ok && add(out, "auth") &&
	    add(out, has_auth(conf, CONF_AUTH_MSCHAPV2) ?
		"require-mschap-v2" : "refuse-mschap-v2") &&
	    add(out, has_auth(conf, CONF_AUTH_PAP) ?
		"require-pap" : "refuse-pap") &&
	    add(out, has_auth(conf, CONF_AUTH_EAP_MSCHAPV2) ?
		"require-eap" : "refuse-eap") &&
	    add(out, "refuse-chap") && add(out, "refuse-mschap") &&
	    add(out, "name") && add(out, "%s", conf->l2tp.hostname);
	for (i = 0; ok && i < p->ndns; i++)
		ok = add_addr(out, "ms-dns", p->dns[i]);
	/* XXX no ppp.ccp key yet: MPPE is pointless inside ESP. */
	ok = ok && add(out, "noccp") &&
	    add(out, "mtu") && add(out, "%u", p->mtu) &&
	    add(out, "mru") && add(out, "%u", p->mru) &&
	    add(out, "lcp-echo-interval") &&
	    add(out, "%u", p->lcp_echo_interval) &&
	    add(out, "lcp-echo-failure") &&
	    add(out, "%u", p->lcp_echo_failure) &&
	    add(out, "nodefaultroute") && add(out, "noproxyarp") &&
	    add(out, "noipv6") &&
	    /* Scripts (/etc/ppp/ip-up) see the session key as $6. */
	    add(out, "ipparam") && add(out, "%s", s->key) &&
	    add(out, "%s:%s", local, remote);
	if (ok && p->idle_timeout != 0)
		ok = add(out, "idle") && add(out, "%u", p->idle_timeout);
	if (ok && s->ifname != NULL)
		ok = add(out, "ifname") && add(out, "%s", s->ifname);
	if (ok && s->unit >= 0)
		ok = add(out, "unit") && add(out, "%d", s->unit);
	if (ok && conf->log.level == CONF_LOG_DEBUG)
		ok = add(out, "debug");
	if (!ok) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	return 0;
}
