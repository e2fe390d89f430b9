/*
 * conf_priv.h - what the conf/ files share and nobody else may call: the
 * parse context, the key-table walker, typed getters and message helpers.
 */
#ifndef CONF_CONF_PRIV_H
#define CONF_CONF_PRIV_H

#include <libconfig.h>

#include "conf.h"

#define CONF_PRINTF(f, a)	__attribute__((format(printf, f, a)))
#define CONF_NELEM(a)		(sizeof(a) / sizeof((a)[0]))
#define CONF_PATH_MAX		4095	/* characters in a path value */
#define CONF_SUN_PATH_MAX	107	/* sizeof(sun_path) - 1 */

/*
 * The first integer literal that libconfig 1.5 would silently wrap (it
 * converts "3000000000" to a negative int without a word); found by the
 * pre-scan, reported by the getter that meets the setting.
 */
struct conf_ovf {
	bool		 set;
	unsigned int	 name_line;	/* line of the key before the literal */
	unsigned int	 line;		/* line of the literal */
	char		 name[64];
	char		 lit[32];
};

/* One parse of one text (the main file or the secrets file). */
struct pctx {
	struct vpn_conf		*conf;
	struct conf_err		*err;
	const char		*file;		/* name for messages */
	bool			 secrets;	/* this is the secrets file */
	const config_t		*cfg;
	struct conf_ovf		 ovf;
	/* Current list entry for the per-entry key tables. */
	struct conf_peer	*peer;
	struct conf_cert_rule	*cert_rule;
	struct conf_user	*user;
	/* Source lines, kept for the checks after the walk. */
	unsigned int		 prop_line[CONF_MAX_PROPOSALS];
	unsigned int		 esp_line[CONF_MAX_PROPOSALS];
	unsigned int		 exclude_line[CONF_MAX_EXCLUDE];
	bool			 proposals_set;
	bool			 esp_set;
	/* Raw control socket values, resolved against run_dir at the end. */
	char			*ike_socket;
	char			*l2tp_socket;
};

enum conf_key_kind {
	CONF_KEY_UINT,		/* unsigned int at off, min..max */
	CONF_KEY_U16,		/* uint16_t at off, min..max */
	CONF_KEY_BOOL,		/* bool at off */
	CONF_KEY_FUNC		/* fn does it */
};

/* One key of a group; tables end with a NULL name. */
struct conf_key {
	const char		*name;
	enum conf_key_kind	 kind;
	size_t			 off;
	long long		 min;
	long long		 max;
	int			(*fn)(struct pctx *, const config_setting_t *);
	bool			 in_secrets;	/* may be in the secrets file */
};

/* A string value of an enumerated key; tables end with a NULL name. */
struct conf_enum {
	const char	*name;
	int		 value;
};

/* Error/warning text: "file:line: path: message" (no line if 0). */
int	conf_error_at(struct conf_err *err, const char *file,
	    unsigned int line, const char *path, const char *fmt, ...)
	    CONF_PRINTF(5, 6);
/* The same for a setting of the text being parsed. Returns -1. */
int	conf_error(struct pctx *p, const config_setting_t *s,
	    const char *fmt, ...) CONF_PRINTF(3, 4);
/*
 * Append a warning to conf (dropped past CONF_MAX_WARNINGS, or if out of
 * memory: warnings are advice).
 */
void	conf_warn_at(struct vpn_conf *conf, const char *file,
	    unsigned int line, const char *path, const char *fmt, ...)
	    CONF_PRINTF(5, 6);

/* "ike.peers.[2].psk" for s into buf (truncated to len). */
void	conf_setting_path(const config_setting_t *s, char *buf, size_t len);
/*
 * Copy of a user-supplied string fit to quote in a message: control and
 * non-ASCII bytes become '?', long ones are cut with "...".
 */
const char *conf_echo(const char *in, char *buf, size_t len);
/* "an integer", "a string", ... for a libconfig type. */
const char *conf_type_name(int type);
/* Line of the setting at a libconfig path in the text parsed, 0 if absent. */
unsigned int conf_line_of(const struct pctx *p, const char *path);

/*
 * Walk the group s: every member must be a key of keys (else an error
 * naming the valid ones), and in the secrets file one allowed there. Plain
 * kinds are stored at base + off. Returns 0 or -1 with p->err filled.
 */
int	conf_walk(struct pctx *p, const config_setting_t *s,
	    const struct conf_key *keys, void *base);

/*
 * Typed getters: each checks type and range, fills *out, returns 0, or -1
 * with p->err filled.
 */
int	conf_get_uint(struct pctx *p, const config_setting_t *s,
	    long long min, long long max, unsigned int *out);
int	conf_get_bool(struct pctx *p, const config_setting_t *s, bool *out);
/*
 * A string without control characters, at most max characters; empty ones
 * only if allow_empty. *out is borrowed from the config_t.
 */
int	conf_get_string(struct pctx *p, const config_setting_t *s,
	    bool allow_empty, size_t max, const char **out);
/* A string into a new heap copy (*out freed first). */
int	conf_get_strdup(struct pctx *p, const config_setting_t *s,
	    bool allow_empty, size_t max, char **out);
/* A secret into out (a fresh heap buffer); notes inline secrets. */
int	conf_get_secret(struct pctx *p, const config_setting_t *s,
	    struct conf_secret *out);
int	conf_get_enum(struct pctx *p, const config_setting_t *s,
	    const struct conf_enum *tab, int *out);
/* A usable unicast IPv4 address. */
int	conf_get_ip4(struct pctx *p, const config_setting_t *s,
	    struct in_addr *out);
/* A list or array: its length, at most max, 0 only if allow_empty. */
int	conf_get_list(struct pctx *p, const config_setting_t *s, size_t max,
	    bool allow_empty, size_t *n);

/* Find name (len bytes, case-insensitive) in tab; NULL if absent. */
const struct conf_enum *conf_enum_find(const struct conf_enum *tab,
	    const char *name, size_t len);
/* "a, b, c" of the names in tab into buf. */
const char *conf_enum_list(const struct conf_enum *tab, char *buf,
	    size_t len);
/* qsort/bsearch order of struct in_addr, numerically. */
int	conf_ip4_cmp(const void *a, const void *b);
/* Whether a is fit to be a host's address: not 0/8, 127/8, 224/3. */
bool	conf_ip4_usable(struct in_addr a);
/*
 * dir + "/" + rel, or a copy of rel if it is absolute or dir is NULL;
 * NULL on allocation failure.
 */
char	*conf_path_join(const char *dir, const char *rel);

/* Wipe and free a secret; leaves it unset. */
void	conf_secret_clear(struct conf_secret *s);
/* Add a new warning-free, default-filled vpn_conf; NULL if out of memory. */
struct vpn_conf *conf_new(const char *name, const char *base_dir);

/*
 * Parse one text into a new vpn_conf: the main file (all checks) or, with
 * secrets, a secrets file (only its keys; checks within the file). No I/O.
 */
struct vpn_conf *conf_parse_text(const char *text, const char *name,
	    const char *base_dir, bool secrets, struct conf_err *err);

/*
 * Why the pre-shared key s (len bytes) is easy to guess, as the end of a
 * warning ("is only digits", "is a common word or password", ...), or
 * NULL. Never quotes s. (conf_weak.c)
 */
const char *conf_psk_guessable(const char *s, size_t len);
/* Its word list, sorted, and the number of words. */
extern const char *const conf_weak_words[];
extern const size_t conf_weak_nwords;

/* log.facility names and their syslog values (conf.c). */
extern const struct conf_enum conf_facility_names[];
/* The top-level key table (conf_sections.c). */
extern const struct conf_key conf_top_keys[];
/* Checks across keys after the main file's walk (conf_check.c). */
int	conf_check_main(struct pctx *p);
/* Sort users by name and refuse a name given twice in one file. */
int	conf_users_sort_check(struct vpn_conf *conf, struct conf_err *err);
/* Sort peers longest prefix first and refuse a network given twice. */
int	conf_peers_sort_check(struct vpn_conf *conf, struct conf_err *err);
/* Dotted quad of a into buf ("?" if it does not fit). */
const char *conf_ip4_str(struct in_addr a, char *buf, size_t len);
/* "192.0.2.0/24" of a peer into buf. */
const char *conf_peer_net(const struct conf_peer *pe, char *buf, size_t len);

#endif /* CONF_CONF_PRIV_H */
