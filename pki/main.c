/*
 * vpn-pki - the admin setup tool: a small CA for IKEv1 certificate
 * authentication of the built-in Windows/macOS L2TP/IPsec clients.
 *
 *   vpn-pki [-d DIR] init [--cn NAME] [--ecdsa | --rsa BITS]
 *   vpn-pki [-d DIR] server --dns NAME [--dns NAME ...] [--ip ADDR ...]
 *                           [--ecdsa | --rsa BITS]
 *   vpn-pki [-d DIR] client NAME [--password-file F] [--legacy]
 *                           [--ecdsa | --rsa BITS]
 *   vpn-pki [-d DIR] revoke NAME [--reason R]
 *   vpn-pki [-d DIR] list
 *
 * Keys default to RSA-2048: the stock clients authenticate IKEv1 main
 * mode with RSA signatures (auth method 3); ECDSA (RFC 4754 methods 9-11)
 * is not offered by them for L2TP/IPsec, so --ecdsa is for other peers.
 * Exit status: 0 done, 1 failed (message on stderr), 2 usage.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pki/pki.h"

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: vpn-pki [-d DIR] init [--cn NAME] [--ecdsa | --rsa BITS]\n"
	    "       vpn-pki [-d DIR] server --dns NAME [--dns NAME ...] "
	    "[--ip ADDR ...] [--ecdsa | --rsa BITS]\n"
	    "       vpn-pki [-d DIR] client NAME [--password-file F] "
	    "[--legacy] [--ecdsa | --rsa BITS]\n"
	    "       vpn-pki [-d DIR] revoke NAME [--reason R]\n"
	    "       vpn-pki [-d DIR] list\n"
	    "DIR defaults to %s\n", PKI_DIR);
	exit(2);
}

static unsigned
parse_bits(const char *s)
{
	char *end;
	unsigned long v;

	v = strtoul(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 2048 || v > 8192) {
		fprintf(stderr, "vpn-pki: --rsa: \"%s\" not in 2048..8192\n",
		    s);
		exit(2);
	}
	return (unsigned)v;
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "cn", required_argument, NULL, 'c' },
		{ "ecdsa", no_argument, NULL, 'e' },
		{ "rsa", required_argument, NULL, 'r' },
		{ "dns", required_argument, NULL, 'n' },
		{ "ip", required_argument, NULL, 'i' },
		{ "password-file", required_argument, NULL, 'p' },
		{ "legacy", no_argument, NULL, 'l' },
		{ "reason", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = PKI_DIR, *cmd, *cn = NULL, *pwfile = NULL,
	    *reason = NULL, *name = NULL;
	const char *dns[PKI_MAX_NAMES], *ip[PKI_MAX_NAMES];
	struct pki_key key = PKI_KEY_DEFAULT;
	size_t ndns = 0, nip = 0;
	bool legacy = false, keyopt = false;
	int c, r;

	/* Global options stop at the command word. */
	while ((c = getopt(argc, argv, "+d:h")) != -1) {
		if (c == 'd')
			dir = optarg;
		else
			usage();
	}
	if (optind >= argc)
		usage();
	cmd = argv[optind];
	argv += optind;
	argc -= optind;
	optind = 0;	/* glibc: reinitialise for the second scan */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cn = optarg;
			break;
		case 'e':
			if (keyopt)
				usage();
			keyopt = true;
			key.type = PKI_KEY_ECDSA_P256;
			break;
		case 'r':
			if (keyopt)
				usage();
			keyopt = true;
			key.type = PKI_KEY_RSA;
			key.rsa_bits = parse_bits(optarg);
			break;
		case 'n':
			if (ndns == PKI_MAX_NAMES)
				usage();
			dns[ndns++] = optarg;
			break;
		case 'i':
			if (nip == PKI_MAX_NAMES)
				usage();
			ip[nip++] = optarg;
			break;
		case 'p':
			pwfile = optarg;
			break;
		case 'l':
			legacy = true;
			break;
		case 'R':
			reason = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind < argc)
		name = argv[optind++];
	if (optind < argc)
		usage();
	if (strcmp(cmd, "init") == 0) {
		if (name || ndns || nip || pwfile || legacy || reason)
			usage();
		r = pki_init(dir, cn, key, stdout);
	} else if (strcmp(cmd, "server") == 0) {
		if (name || cn || pwfile || legacy || reason || ndns == 0)
			usage();
		r = pki_server(dir, dns, ndns, ip, nip, key, stdout);
	} else if (strcmp(cmd, "client") == 0) {
		if (!name || cn || ndns || nip || reason)
			usage();
		r = pki_client(dir, name, pwfile, legacy, key, stdout);
	} else if (strcmp(cmd, "revoke") == 0) {
		if (!name || cn || ndns || nip || pwfile || legacy || keyopt)
			usage();
		r = pki_revoke(dir, name, reason, stdout);
	} else if (strcmp(cmd, "list") == 0) {
		if (name || cn || ndns || nip || pwfile || legacy || keyopt ||
		    reason)
			usage();
		r = pki_list(dir, stdout);
	} else
		usage();
	return r == 0 ? 0 : 1;
}
