/*
 * conf.h - the configuration of the whole server: one libconfig file (plus
 * an optional secrets file in the same syntax) read into typed, checked
 * structs.
 *
 * conf_parse_string() and conf_merge_secrets() are pure (text in, struct or
 * error out, no I/O), so they are unit tested and fuzzed; conf_load() adds
 * the file reads and the permission checks. Every error is one line,
 * "file:line: key.path: what is wrong", and never holds a secret value.
 *
 * Typical use (a daemon at start or on reload):
 *
 *	struct conf_err err;
 *	struct vpn_conf *c = conf_load("/etc/l2tp-ipsec/vpn.conf", &err);
 *	if (c == NULL)
 *		fatalx("%s", err.msg);
 *	for (i = 0; i < c->nwarnings; i++)
 *		log_warnx("%s", c->warnings[i]);
 */
#ifndef CONF_CONF_H
#define CONF_CONF_H

#include <sys/socket.h>
#include <netinet/in.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CONF_MAX_LISTEN		16	/* ike.listen entries */
#define CONF_MAX_PROPOSALS	32	/* ike.proposals, ike.esp entries */
#define CONF_MAX_DNS		2	/* ppp.dns: what PPP IPCP can carry */
#define CONF_MAX_AUTH		3	/* ppp.auth: each method once */
#define CONF_MAX_EXCLUDE	1024	/* pool.exclude entries */
#define CONF_MAX_POOL		65536	/* addresses in pool.start..end */
#define CONF_MAX_PEERS		4096	/* ike.peers entries */
#define CONF_MAX_USERS		65536	/* users entries */
#define CONF_MAX_FILE		(1024 * 1024)	/* bytes in one file */
#define CONF_SECRET_MAX		255	/* characters in a PSK or password */
#define CONF_PSK_WEAK		16	/* shorter PSKs draw a warning */
#define CONF_PASSWORD_WEAK	8	/* shorter passwords draw a warning */
#define CONF_USER_NAME_MAX	64
#define CONF_MAX_WARNINGS	64	/* later ones are counted, not kept */
#define CONF_MAX_CERT_ALLOW	256	/* ike.cert_allow entries */
#define CONF_CERT_PATTERN_MAX	512	/* bytes in an issuer/subject glob */

/* An error: "file:line: key.path: what is wrong" (line omitted if none). */
struct conf_err {
	char	msg[512];
};

/*
 * A secret (PSK, password, tunnel secret): a NUL-terminated copy in its own
 * heap buffer, wiped by conf_free(). str is NULL when unset. file and line
 * say where it was set, for messages; the value itself is never printed.
 */
struct conf_secret {
	char		*str;
	size_t		 len;
	const char	*file;		/* points into the owning vpn_conf */
	unsigned int	 line;
};

/* IKEv1 (Phase 1) encryption. */
enum conf_enc {
	CONF_ENC_AES128,
	CONF_ENC_AES192,
	CONF_ENC_AES256,
	CONF_ENC_3DES
};

/* IKEv1 hash/PRF; values are the IANA IKEv1 hash algorithm numbers. */
enum conf_hash {
	CONF_HASH_SHA1 = 2,
	CONF_HASH_SHA256 = 4,
	CONF_HASH_SHA384 = 5,
	CONF_HASH_SHA512 = 6
};

/*
 * Diffie-Hellman group; values are the IANA group numbers (RFC 2409, 3526,
 * 5903).
 */
enum conf_dh {
	CONF_DH_MODP1024 = 2,
	CONF_DH_MODP1536 = 5,
	CONF_DH_MODP2048 = 14,
	CONF_DH_MODP3072 = 15,
	CONF_DH_MODP4096 = 16,
	CONF_DH_ECP256 = 19,
	CONF_DH_ECP384 = 20
};

/* ESP (Quick Mode) encryption; the GCM ones use a 16-byte ICV. */
enum conf_esp_enc {
	CONF_ESP_ENC_AES128,
	CONF_ESP_ENC_AES256,
	CONF_ESP_ENC_3DES,
	CONF_ESP_ENC_AES128GCM16,
	CONF_ESP_ENC_AES256GCM16
};

/* ESP integrity: HMAC-SHA1-96 (RFC 2404), HMAC-SHA-256-128 (RFC 4868). */
enum conf_esp_integ {
	CONF_ESP_INTEG_NONE,		/* only with GCM */
	CONF_ESP_INTEG_SHA1,
	CONF_ESP_INTEG_SHA256
};

enum conf_kernel {
	CONF_KERNEL_XFRM,		/* install SAs and policies */
	CONF_KERNEL_NONE		/* negotiate only (testing) */
};

enum conf_auth {
	CONF_AUTH_MSCHAPV2,
	CONF_AUTH_PAP,
	CONF_AUTH_EAP_MSCHAPV2
};

/* Same order and meaning as lib/log.h enum log_level. */
enum conf_log_level {
	CONF_LOG_WARNING,
	CONF_LOG_INFO,
	CONF_LOG_DEBUG
};

struct conf_ike_proposal {
	enum conf_enc	 enc;
	enum conf_hash	 hash;
	enum conf_dh	 dh;
};

struct conf_esp_proposal {
	enum conf_esp_enc	 enc;
	enum conf_esp_integ	 integ;
};

/* ike.peers entry: a PSK for the peers inside one network. */
struct conf_peer {
	int			 family;	/* AF_INET or AF_INET6 */
	union {
		struct in_addr	 v4;
		struct in6_addr	 v6;
	}			 net;		/* host bits are zero */
	unsigned int		 prefixlen;
	struct conf_secret	 psk;
	const char		*file;		/* where the entry is */
	unsigned int		 line;
	unsigned int		 index;		/* in its file's list */
};

/* ike.cert_allow entry: who may connect with a certificate. fnmatch(3)
 * globs (flags 0) over one-line DNs as ikd prints them,
 * "C=DE, O=Example, CN=alice" (RDNs in certificate order, ", " between);
 * NULL = any. */
struct conf_cert_rule {
	char		*issuer;	/* the client certificate's issuer DN */
	char		*subject;	/* its subject DN */
	const char	*file;		/* where the entry is */
	unsigned int	 line;
};

struct ike_conf {
	/* Addresses to bind (port 0 in them); empty = all local addresses. */
	struct sockaddr_storage	 listen[CONF_MAX_LISTEN];
	size_t			 nlisten;
	uint16_t		 port;
	uint16_t		 natt_port;
	/* Phase 1 and ESP proposals, in order of preference. */
	struct conf_ike_proposal proposals[CONF_MAX_PROPOSALS];
	size_t			 nproposals;
	struct conf_esp_proposal esp[CONF_MAX_PROPOSALS];
	size_t			 nesp;
	bool			 legacy_compat;	/* modp1024, 3des allowed */
	unsigned int		 ike_lifetime;		/* s, ISAKMP SA cap */
	unsigned int		 ipsec_lifetime_min;	/* s, ESP SA range */
	unsigned int		 ipsec_lifetime_max;	/* s */
	unsigned int		 dpd_delay;		/* s, 0 = no DPD */
	unsigned int		 dpd_timeout;		/* s */
	unsigned int		 max_half_open_per_peer;
	unsigned int		 max_half_open;
	enum conf_kernel	 kernel;
	char			*control_socket;	/* resolved path */
	char			*user;		/* the IKE process runs as */
	struct conf_secret	 psk;		/* default; str NULL: none */
	/* Per-peer PSKs, longest prefix first (see conf_ike_psk()). */
	struct conf_peer	*peers;
	size_t			 npeers;
	/* certificate authentication; NULL = off.
	 * Absolute paths (relative ones resolved against the config file's
	 * directory). */
	char			*ca_file;	/* PEM: CAs that clients chain to */
	char			*cert_file;	/* PEM: ours first, then intermediates */
	char			*key_file;	/* PEM private key (a secret file) */
	char			*crl_file;	/* PEM CRL(s); optional */
	struct conf_cert_rule	*cert_allow;	/* empty: any cert from ca_file */
	size_t			 ncert_allow;
};

struct l2tp_conf {
	struct sockaddr_storage	 listen;	/* ss_family AF_UNSPEC = any */
	uint16_t		 port;
	char			*hostname;	/* Host Name AVP */
	unsigned int		 hello_interval;	/* s, 0 = off */
	unsigned int		 retransmit_initial;	/* ms */
	unsigned int		 retransmit_max;	/* ms */
	unsigned int		 retransmit_count;
	unsigned int		 receive_window;
	unsigned int		 max_tunnels;
	unsigned int		 max_sessions;
	unsigned int		 max_sessions_per_tunnel;
	struct conf_secret	 secret;	/* tunnel auth; NULL: none */
	char			*control_socket;	/* resolved path */
};

struct ppp_conf {
	char			*pppd;		/* absolute path */
	enum conf_auth		 auth[CONF_MAX_AUTH];	/* preference order */
	size_t			 nauth;
	struct in_addr		 dns[CONF_MAX_DNS];
	size_t			 ndns;
	struct in_addr		 local_address;
	unsigned int		 mtu;
	unsigned int		 mru;
	unsigned int		 lcp_echo_interval;	/* s, 0 = off */
	unsigned int		 lcp_echo_failure;
	unsigned int		 idle_timeout;		/* s, 0 = off */
	char			*plugin;	/* absolute path or bare name */
};

struct pool_conf {
	struct in_addr		 start;
	struct in_addr		 end;		/* start <= end */
	struct in_addr		*exclude;	/* sorted ascending */
	size_t			 nexclude;
	/* Derived: users' static addresses, sorted; see conf_pool_reserved. */
	struct in_addr		*statics;
	size_t			 nstatics;
};

struct conf_user {
	char			*name;
	struct conf_secret	 password;
	bool			 has_address;
	struct in_addr		 address;	/* if has_address */
	const char		*file;		/* where the entry is */
	unsigned int		 line;
	unsigned int		 index;		/* in its file's list */
};

struct log_conf {
	enum conf_log_level	 level;
	bool			 syslog;
	int			 facility;	/* LOG_DAEMON, LOG_LOCAL0.. */
	char			*session_log;	/* resolved path; NULL = off */
};

struct vpn_conf {
	char			*path;		/* main file, as named */
	char			*base_dir;	/* NULL: relative paths kept */
	char			*secrets_path;	/* NULL: secrets_file = "" */
	char			*secrets_name;	/* as merged, for messages */
	bool			 secrets_loaded;
	bool			 inline_secrets; /* main file holds some */
	unsigned int		 inline_secret_line;	/* the first one */
	/*
	 * Lines of ike.ca_file, cert_file, key_file, crl_file in path (0:
	 * not set), for the messages of conf_load()'s file checks.
	 */
	unsigned int		 ike_file_line[4];
	char			*run_dir;
	struct ike_conf		 ike;
	struct l2tp_conf	 l2tp;
	struct ppp_conf		 ppp;
	struct pool_conf	 pool;
	struct conf_user	*users;		/* sorted by name */
	size_t			 nusers;
	struct log_conf		 log;
	/* Warnings, each "file[:line]: key: text"; owned by the struct. */
	char			**warnings;
	size_t			 nwarnings;
	size_t			 nwarnings_dropped; /* past CONF_MAX_WARNINGS */
};

/*
 * Parse and check the main configuration text. name is used as the file in
 * messages; base_dir (may be NULL: keep relative paths as written) resolves
 * relative secrets_file and log.session_log. No I/O. Secrets found in the
 * text are kept (inline_secrets is set); users and peers may still lack
 * theirs, which conf_merge_secrets() can supply and conf_finish() checks.
 * Returns a new struct owned by the caller (conf_free), or NULL with err
 * filled.
 */
struct vpn_conf	*conf_parse_string(const char *text, const char *name,
		    const char *base_dir, struct conf_err *err);

/*
 * Merge the text of a secrets file (same syntax, only ike.psk, ike.peers,
 * users' name and password, l2tp.secret) into conf. name is the file for
 * messages. A secret set in both files is an error; users and peers are
 * matched by name and by network. No I/O. Returns 0, or -1 with err filled
 * (conf is then only fit for conf_free).
 */
int		 conf_merge_secrets(struct vpn_conf *conf, const char *text,
		    const char *name, struct conf_err *err);

/*
 * Final checks once every secrets source is in: each user has a password,
 * each peer a PSK, and some PSK exists unless the secrets file is still to
 * be generated (secrets_path set, not loaded). Adds the warnings about weak
 * secrets. Call once. Returns 0, or -1 with err filled.
 */
int		 conf_finish(struct vpn_conf *conf, struct conf_err *err);

/*
 * Read path, parse it, load the secrets file it names if it exists
 * (absent: a warning naming what conf_load_start() will generate there,
 * if anything; this function never writes), and
 * finish. Refuses a file holding secrets that group or others may read, a
 * secrets file owned by someone else than root or the effective user, and
 * a world-writable main file. Relative paths in the file resolve against
 * the file's directory, made absolute. Returns a new struct owned by the
 * caller, or NULL with err filled.
 */
struct vpn_conf	*conf_load(const char *path, struct conf_err *err);

/* First start: what an absent secrets file is generated with. */
#define CONF_GEN_PSK		0x01	/* ike.psk: no PSK at all in the main file */
#define CONF_GEN_USER		0x02	/* user CONF_GEN_USER_NAME: no users */
#define CONF_GEN_USER_NAME	"vpnuser"
#define CONF_GEN_PSK_LEN	32	/* characters (~186 bits) */
#define CONF_GEN_PASSWORD_LEN	20	/* characters (~116 bits) */

/*
 * What the secrets file would have to supply (CONF_GEN_* flags): a PSK
 * when the main file has neither ike.psk nor ike.peers, a first user when
 * it lists none. 0: nothing, the file is then not generated.
 */
unsigned int	 conf_secrets_missing(const struct vpn_conf *conf);

/* "a PSK and a first user", "a PSK", ... for messages. */
const char	*conf_gen_what(unsigned int what);

/*
 * conf_load() for a daemon starting for real (never --check-config, never
 * the pppd plugin). If the secrets file is absent and the main file lacks
 * a PSK or users (conf_secrets_missing), create it: random values from
 * getrandom(2), mode 0600, written to a temporary file beside it and
 * link()ed into place, so the file appears complete or not at all and a
 * second daemon starting at the same moment reads the first one's file
 * instead of writing its own. Refuses a directory that group or others
 * may write unless it is sticky. Then loads as usual. If this call created
 * the file, *generated gets what it holds (else 0) and, when out is not
 * NULL, the values and the path are printed there once; they are never
 * put in err or the warnings. Returns like conf_load().
 */
struct vpn_conf	*conf_load_start(const char *path, FILE *out,
		    unsigned int *generated, struct conf_err *err);

/* Free conf, wiping every secret first. NULL is a no-op. */
void		 conf_free(struct vpn_conf *conf);

/*
 * The PSK for an IKE peer at addr (AF_INET or AF_INET6; v4-mapped IPv6 is
 * matched as IPv4): the longest-prefix ike.peers match, else ike.psk, else
 * NULL. The result is borrowed from conf.
 */
const struct conf_secret *conf_ike_psk(const struct vpn_conf *conf,
		    const struct sockaddr *addr);

/* The user called name, or NULL. Borrowed from conf. */
const struct conf_user *conf_user_lookup(const struct vpn_conf *conf,
		    const char *name);

/*
 * Whether addr, inside the pool range, must not be handed out dynamically:
 * it is in pool.exclude, is ppp.local_address or some user's static
 * address.
 */
bool		 conf_pool_reserved(const struct vpn_conf *conf,
		    struct in_addr addr);

/* Number of addresses from pool.start to pool.end. */
uint32_t	 conf_pool_size(const struct vpn_conf *conf);

/* Names, as written in the file, for logs. Unknown values give "?". */
const char	*conf_enc_name(enum conf_enc);
const char	*conf_hash_name(enum conf_hash);
const char	*conf_dh_name(enum conf_dh);
const char	*conf_esp_enc_name(enum conf_esp_enc);
const char	*conf_esp_integ_name(enum conf_esp_integ);
const char	*conf_kernel_name(enum conf_kernel);
const char	*conf_auth_name(enum conf_auth);
const char	*conf_log_level_name(enum conf_log_level);
const char	*conf_facility_name(int facility);

#endif /* CONF_CONF_H */
