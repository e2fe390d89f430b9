/*
 * sockaddr.h - the IPv4/IPv6 socket addresses both daemons compare and
 * log: one printer ("192.0.2.5:4500", "[2001:db8::5]:4500") and one
 * comparison, so a peer is written and matched the same way everywhere.
 */
#ifndef LIB_SOCKADDR_H
#define LIB_SOCKADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <sys/socket.h>

/* Room for the longest string sa_str writes: "[v6]:65535". */
#define SA_STR_LEN	(INET6_ADDRSTRLEN + 8)

/*
 * The address of ss into buf (always terminated), with ":port" (IPv6 in
 * brackets) if port; "?" for a family other than AF_INET/AF_INET6.
 * Returns buf.
 */
const char *sa_str(const struct sockaddr_storage *ss, bool port, char *buf,
    size_t len);

/*
 * Same family and address, and the same port if ports (IPv6 scope and
 * flow label ignored). Other families are never equal.
 */
bool sa_equal(const struct sockaddr_storage *a,
    const struct sockaddr_storage *b, bool ports);

/* Port in host order, 0 for another family. */
uint16_t sa_port(const struct sockaddr_storage *ss);

#endif
