/*
 * sockaddr.c - printing and comparing IPv4/IPv6 socket addresses.
 */
#include <stdio.h>
#include <string.h>

#include <netinet/in.h>

#include "lib/sockaddr.h"

static const struct sockaddr_in *
sin4(const struct sockaddr_storage *ss)
{
	return (const struct sockaddr_in *)(const void *)ss;
}

static const struct sockaddr_in6 *
sin6(const struct sockaddr_storage *ss)
{
	return (const struct sockaddr_in6 *)(const void *)ss;
}

const char *
sa_str(const struct sockaddr_storage *ss, bool port, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (len == 0)
		return buf;
	if (ss->ss_family == AF_INET &&
	    inet_ntop(AF_INET, &sin4(ss)->sin_addr, a, sizeof(a)) != NULL) {
		if (port)
			snprintf(buf, len, "%s:%u", a,
			    ntohs(sin4(ss)->sin_port));
		else
			snprintf(buf, len, "%s", a);
	} else if (ss->ss_family == AF_INET6 &&
	    inet_ntop(AF_INET6, &sin6(ss)->sin6_addr, a, sizeof(a)) != NULL) {
		if (port)
			snprintf(buf, len, "[%s]:%u", a,
			    ntohs(sin6(ss)->sin6_port));
		else
			snprintf(buf, len, "%s", a);
	} else
		snprintf(buf, len, "?");
	return buf;
}

bool
sa_equal(const struct sockaddr_storage *a, const struct sockaddr_storage *b,
    bool ports)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return sin4(a)->sin_addr.s_addr == sin4(b)->sin_addr.s_addr &&
		    (!ports || sin4(a)->sin_port == sin4(b)->sin_port);
	if (a->ss_family == AF_INET6)
		return memcmp(&sin6(a)->sin6_addr, &sin6(b)->sin6_addr,
		    sizeof(struct in6_addr)) == 0 &&
		    (!ports || sin6(a)->sin6_port == sin6(b)->sin6_port);
	return false;
}

uint16_t
sa_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(sin4(ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(sin6(ss)->sin6_port);
	return 0;
}
