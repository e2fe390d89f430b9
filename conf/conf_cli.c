/*
 * conf_cli.c - --check-config for ikd and l2tpd.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>

#include "conf/conf.h"
#include "conf/conf_cli.h"
#include "lib/log.h"

static const char *
addr_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const void *a;

	if (ss->ss_family == AF_INET)
		a = &((const struct sockaddr_in *)ss)->sin_addr;
	else if (ss->ss_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
	else
		return "any";
	if (inet_ntop(ss->ss_family, a, buf, len) == NULL)
		return "?";
	return buf;
}

static const char *
in4_str(struct in_addr a, char *buf, size_t len)
{
	if (inet_ntop(AF_INET, &a, buf, len) == NULL)
		return "?";
	return buf;
}

static void
describe_ike(const struct vpn_conf *c, FILE *out)
{
	const struct ike_conf *ike = &c->ike;
	char b[INET6_ADDRSTRLEN];

	fprintf(out, "ike: listen");
	if (ike->nlisten == 0)
		fprintf(out, " every local address");
	for (size_t i = 0; i < ike->nlisten; i++)
		fprintf(out, " %s", addr_str(&ike->listen[i], b, sizeof(b)));
	fprintf(out, ", udp %u and %u (NAT-T)\n", ike->port, ike->natt_port);
	fprintf(out, "ike: proposals");
	for (size_t i = 0; i < ike->nproposals; i++)
		fprintf(out, " %s-%s-%s",
		    conf_enc_name(ike->proposals[i].enc),
		    conf_hash_name(ike->proposals[i].hash),
		    conf_dh_name(ike->proposals[i].dh));
	fprintf(out, "\nike: esp");
	for (size_t i = 0; i < ike->nesp; i++) {
		fprintf(out, " %s", conf_esp_enc_name(ike->esp[i].enc));
		if (ike->esp[i].integ != CONF_ESP_INTEG_NONE)
			fprintf(out, "-%s",
			    conf_esp_integ_name(ike->esp[i].integ));
	}
	fprintf(out, "\nike: legacy_compat %s, lifetimes ike %us, "
	    "ipsec %u..%us, dpd %us/%us, kernel %s\n",
	    ike->legacy_compat ? "on" : "off", ike->ike_lifetime,
	    ike->ipsec_lifetime_min, ike->ipsec_lifetime_max, ike->dpd_delay,
	    ike->dpd_timeout, conf_kernel_name(ike->kernel));
	fprintf(out, "ike: half-open limits %u per peer, %u in total; "
	    "control socket %s; IKE process user %s\n",
	    ike->max_half_open_per_peer, ike->max_half_open,
	    ike->control_socket, ike->user);
	fprintf(out, "ike: default PSK %s, %zu per-peer PSK(s)\n",
	    ike->psk.str != NULL ? "set" : "not set", ike->npeers);
	if (ike->cert_file == NULL) {
		fprintf(out, "ike: certificates off\n");
		return;
	}
	fprintf(out, "ike: certificate %s, key %s, CAs %s, CRL %s; %zu "
	    "cert_allow rule(s)%s\n", ike->cert_file, ike->key_file,
	    ike->ca_file, ike->crl_file != NULL ? ike->crl_file : "none",
	    ike->ncert_allow, ike->ncert_allow == 0 ? " (any certificate "
	    "from the CAs)" : "");
	for (size_t i = 0; i < ike->nserver_certs; i++)
		fprintf(out, "ike: also certificate %s, key %s\n",
		    ike->server_certs[i].cert_file,
		    ike->server_certs[i].key_file);
}

static void
describe_l2tp(const struct vpn_conf *c, FILE *out)
{
	const struct l2tp_conf *l = &c->l2tp;
	const struct ppp_conf *p = &c->ppp;
	char b[INET6_ADDRSTRLEN], b2[INET_ADDRSTRLEN];

	fprintf(out, "l2tp: listen %s udp %u, host name '%s', hello %us, "
	    "retransmit %u..%ums x%u, window %u\n",
	    addr_str(&l->listen, b, sizeof(b)), l->port, l->hostname,
	    l->hello_interval, l->retransmit_initial, l->retransmit_max,
	    l->retransmit_count, l->receive_window);
	fprintf(out, "l2tp: limits %u tunnels, %u sessions, %u per tunnel; "
	    "tunnel secret %s\n", l->max_tunnels, l->max_sessions,
	    l->max_sessions_per_tunnel, l->secret.str != NULL ? "set" :
	    "not set");
	fprintf(out, "ppp: %s, auth", p->pppd);
	for (size_t i = 0; i < p->nauth; i++)
		fprintf(out, " %s", conf_auth_name(p->auth[i]));
	fprintf(out, ", mtu %u mru %u, local %s, dns", p->mtu, p->mru,
	    in4_str(p->local_address, b, sizeof(b)));
	if (p->ndns == 0)
		fprintf(out, " none");
	for (size_t i = 0; i < p->ndns; i++)
		fprintf(out, " %s", in4_str(p->dns[i], b, sizeof(b)));
	fprintf(out, "\n");
	fprintf(out, "pool: %s..%s (%u addresses, %zu excluded), %zu user(s)\n",
	    in4_str(c->pool.start, b, sizeof(b)),
	    in4_str(c->pool.end, b2, sizeof(b2)), conf_pool_size(c),
	    c->pool.nexclude, c->nusers);
	fprintf(out, "log: level %s, syslog %s (%s), session log %s\n",
	    conf_log_level_name(c->log.level), c->log.syslog ? "on" : "off",
	    conf_facility_name(c->log.facility),
	    c->log.session_log != NULL ? c->log.session_log : "off");
}

void
conf_describe(const struct vpn_conf *conf, unsigned int sections, FILE *out)
{
	fprintf(out, "config %s, secrets %s (%s), run dir %s\n", conf->path,
	    conf->secrets_path != NULL ? conf->secrets_path : "none",
	    conf->secrets_loaded ? "loaded" : "not present",
	    conf->run_dir);
	if (sections & CONF_DESCRIBE_IKE)
		describe_ike(conf, out);
	if (sections & CONF_DESCRIBE_L2TP)
		describe_l2tp(conf, out);
}

int
conf_check_cli(const char *prog, const char *path, unsigned int sections)
{
	struct conf_err err;
	struct vpn_conf *conf;

	conf = conf_load(path, &err);
	if (conf == NULL) {
		fprintf(stderr, "%s: %s\n", prog, err.msg);
		return 1;
	}
	for (size_t i = 0; i < conf->nwarnings; i++)
		fprintf(stderr, "%s: warning: %s\n", prog, conf->warnings[i]);
	if (conf->nwarnings_dropped > 0)
		fprintf(stderr, "%s: warning: %zu more warnings not shown\n",
		    prog, conf->nwarnings_dropped);
	conf_describe(conf, sections, stdout);
	printf("%s: configuration OK\n", path);
	conf_free(conf);
	return 0;
}

static void
usage(const char *prog, FILE *out)
{
	fprintf(out, "usage: %s [-dhv] [-f file] [--check-config]\n"
	    "  -f file           configuration (default %s)\n"
	    "  -d                foreground, log to stderr\n"
	    "  -v                more logging (repeat for debug)\n"
	    "  --check-config    check the configuration, print what would "
	    "be used, exit\n", prog, CONF_DEFAULT_PATH);
}

int
daemon_opts_parse(int argc, char *argv[], const char *prog,
    struct daemon_opts *opts, int *status)
{
	static const struct option longopts[] = {
		{ "check-config", no_argument, NULL, 'C' },
		{ "config", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	opts->config = CONF_DEFAULT_PATH;
	opts->foreground = false;
	opts->verbose = 0;
	opts->check_config = false;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "df:hv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'C':
			opts->check_config = true;
			break;
		case 'd':
			opts->foreground = true;
			break;
		case 'f':
			opts->config = optarg;
			break;
		case 'h':
			usage(prog, stdout);
			*status = 0;
			return -1;
		case 'v':
			opts->verbose++;
			break;
		default:
			usage(prog, stderr);
			*status = 2;
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", prog,
		    argv[optind]);
		usage(prog, stderr);
		*status = 2;
		return -1;
	}
	return 0;
}

struct vpn_conf *
daemon_start(const char *prog, const struct daemon_opts *opts)
{
	struct vpn_conf *conf;
	struct conf_err err;
	enum log_level level;
	unsigned int generated;
	size_t i;

	log_init(prog, true, 0);
	if ((conf = conf_load_start(opts->config, stdout, &generated,
	    &err)) == NULL)
		fatalx("%s", err.msg);
	log_init(prog, opts->foreground || !conf->log.syslog,
	    conf->log.facility);
	level = (enum log_level)conf->log.level;
	if (opts->verbose > 0)
		level = opts->verbose > 1 ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO;
	if (level < (enum log_level)conf->log.level)
		level = (enum log_level)conf->log.level;
	log_setlevel(level);
	for (i = 0; i < conf->nwarnings; i++)
		log_warnx("%s", conf->warnings[i]);
	if (generated != 0)
		log_info("first start: generated %s (mode 0600) with %s; the "
		    "values went to standard output only", conf->secrets_path,
		    conf_gen_what(generated));
	return conf;
}
