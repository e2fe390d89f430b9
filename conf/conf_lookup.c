/*
 * conf_lookup.c - what the daemons ask of a loaded configuration: the PSK
 * for a peer, a user by name, the pool's reserved addresses, and the names
 * of the enumerated values for their logs.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "conf.h"
#include "conf_priv.h"

const struct conf_enum conf_facility_names[] = {
	{ "daemon", LOG_DAEMON },
	{ "authpriv", LOG_AUTHPRIV },
	{ "local0", LOG_LOCAL0 },
	{ "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 },
	{ "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 },
	{ "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 },
	{ "local7", LOG_LOCAL7 },
	{ NULL, 0 }
};

const char *
conf_enc_name(enum conf_enc e)
{
	switch (e) {
	case CONF_ENC_AES128:
		return "aes128";
	case CONF_ENC_AES192:
		return "aes192";
	case CONF_ENC_AES256:
		return "aes256";
	case CONF_ENC_3DES:
		return "3des";
	}
	return "?";
}

const char *
conf_hash_name(enum conf_hash h)
{
	switch (h) {
	case CONF_HASH_SHA1:
		return "sha1";
	case CONF_HASH_SHA256:
		return "sha256";
	case CONF_HASH_SHA384:
		return "sha384";
	case CONF_HASH_SHA512:
		return "sha512";
	}
	return "?";
}

const char *
conf_dh_name(enum conf_dh g)
{
	switch (g) {
	case CONF_DH_MODP1024:
		return "modp1024";
	case CONF_DH_MODP1536:
		return "modp1536";
	case CONF_DH_MODP2048:
		return "modp2048";
	case CONF_DH_MODP3072:
		return "modp3072";
	case CONF_DH_MODP4096:
		return "modp4096";
	case CONF_DH_ECP256:
		return "ecp256";
	case CONF_DH_ECP384:
		return "ecp384";
	}
	return "?";
}

const char *
conf_esp_enc_name(enum conf_esp_enc e)
{
	switch (e) {
	case CONF_ESP_ENC_AES128:
		return "aes128";
	case CONF_ESP_ENC_AES256:
		return "aes256";
	case CONF_ESP_ENC_3DES:
		return "3des";
	case CONF_ESP_ENC_AES128GCM16:
		return "aes128gcm16";
	case CONF_ESP_ENC_AES256GCM16:
		return "aes256gcm16";
	}
	return "?";
}

const char *
conf_esp_integ_name(enum conf_esp_integ i)
{
	switch (i) {
	case CONF_ESP_INTEG_NONE:
		return "none";
	case CONF_ESP_INTEG_SHA1:
		return "sha1";
	case CONF_ESP_INTEG_SHA256:
		return "sha256";
	}
	return "?";
}

const char *
conf_kernel_name(enum conf_kernel k)
{
	switch (k) {
	case CONF_KERNEL_XFRM:
		return "xfrm";
	case CONF_KERNEL_NONE:
		return "none";
	}
	return "?";
}

const char *
conf_auth_name(enum conf_auth a)
{
	switch (a) {
	case CONF_AUTH_MSCHAPV2:
		return "mschapv2";
	case CONF_AUTH_PAP:
		return "pap";
	case CONF_AUTH_EAP_MSCHAPV2:
		return "eap-mschapv2";
	}
	return "?";
}

const char *
conf_log_level_name(enum conf_log_level l)
{
	switch (l) {
	case CONF_LOG_WARNING:
		return "warning";
	case CONF_LOG_INFO:
		return "info";
	case CONF_LOG_DEBUG:
		return "debug";
	}
	return "?";
}

const char *
conf_facility_name(int facility)
{
	const struct conf_enum *e;

	for (e = conf_facility_names; e->name != NULL; e++)
		if (e->value == facility)
			return e->name;
	return "?";
}

/* Lookups. */

static bool
prefix_match(const void *a, const void *b, unsigned int bits)
{
	const uint8_t *x = a, *y = b;
	unsigned int n = bits / 8, r = bits % 8;

	if (memcmp(x, y, n) != 0)
		return false;
	if (r == 0)
		return true;
	return ((x[n] ^ y[n]) & (0xff << (8 - r))) == 0;
}

const struct conf_secret *
conf_ike_psk(const struct vpn_conf *c, const struct sockaddr *sa)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };
	const struct conf_peer *pe;
	struct in6_addr a6;
	struct in_addr a4;
	int family;
	size_t i;

	family = sa->sa_family;
	if (family == AF_INET) {
		memcpy(&a4, &((const struct sockaddr_in *)(const void *)sa)->
		    sin_addr, sizeof(a4));
	} else if (family == AF_INET6) {
		memcpy(&a6, &((const struct sockaddr_in6 *)(const void *)sa)->
		    sin6_addr, sizeof(a6));
		if (memcmp(a6.s6_addr, mapped, sizeof(mapped)) == 0) {
			family = AF_INET;
			memcpy(&a4, a6.s6_addr + 12, sizeof(a4));
		}
	} else
		return NULL;
	/* Peers are sorted longest prefix first: the first match wins. */
	for (i = 0; i < c->ike.npeers; i++) {
		pe = &c->ike.peers[i];
		if (pe->family != family || pe->psk.str == NULL)
			continue;
		if (family == AF_INET ?
		    prefix_match(&pe->net.v4, &a4, pe->prefixlen) :
		    prefix_match(&pe->net.v6, &a6, pe->prefixlen))
			return &pe->psk;
	}
	return c->ike.psk.str != NULL ? &c->ike.psk : NULL;
}

static int
user_name_cmp(const void *key, const void *elem)
{
	const struct conf_user *u = elem;

	return strcmp(key, u->name);
}

const struct conf_user *
conf_user_lookup(const struct vpn_conf *c, const char *name)
{
	if (c->nusers == 0)
		return NULL;
	return bsearch(name, c->users, c->nusers, sizeof(*c->users),
	    user_name_cmp);
}

int
conf_ip4_cmp(const void *a, const void *b)
{
	uint32_t x = ntohl(((const struct in_addr *)a)->s_addr);
	uint32_t y = ntohl(((const struct in_addr *)b)->s_addr);

	return x < y ? -1 : x > y;
}

bool
conf_pool_reserved(const struct vpn_conf *c, struct in_addr a)
{
	if (a.s_addr == c->ppp.local_address.s_addr)
		return true;
	if (c->pool.nexclude > 0 && bsearch(&a, c->pool.exclude,
	    c->pool.nexclude, sizeof(a), conf_ip4_cmp) != NULL)
		return true;
	return c->pool.nstatics > 0 && bsearch(&a, c->pool.statics,
	    c->pool.nstatics, sizeof(a), conf_ip4_cmp) != NULL;
}

uint32_t
conf_pool_size(const struct vpn_conf *c)
{
	return ntohl(c->pool.end.s_addr) - ntohl(c->pool.start.s_addr) + 1;
}
