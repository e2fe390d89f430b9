/*
 * conf_secrets.c - the secrets file merged into the main configuration,
 * the final checks, and conf_load(): the only part of conf/ doing I/O
 * (reading both files, refusing modes that expose secrets).
 */
#include <sys/stat.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "conf_priv.h"

/* Here, not in conf_gen.c: the pppd plugin links this file only. */
unsigned int
conf_secrets_missing(const struct vpn_conf *c)
{
	unsigned int what = 0;

	/* A server with a certificate and no PSK is certificate-only. */
	if (c->ike.psk.str == NULL && c->ike.npeers == 0 &&
	    c->ike.cert_file == NULL)
		what |= CONF_GEN_PSK;
	if (c->nusers == 0)
		what |= CONF_GEN_USER;
	return what;
}

const char *
conf_gen_what(unsigned int what)
{
	switch (what & (CONF_GEN_PSK | CONF_GEN_USER)) {
	case CONF_GEN_PSK | CONF_GEN_USER:
		return "a PSK and a first user";
	case CONF_GEN_PSK:
		return "a PSK";
	case CONF_GEN_USER:
		return "a first user";
	default:
		return "nothing";
	}
}

/* Move a secret from the secrets file's scratch struct into conf. */
static void
secret_move(struct conf_secret *to, struct conf_secret *from,
    const char *file)
{
	conf_secret_clear(to);
	*to = *from;
	to->file = file;
	from->str = NULL;
	from->len = 0;
}

/*
 * A secret set in both files is an error naming both places; what
 * ("user 'bob': ") says whose it is, for list entries.
 */
static int
secret_merge(struct conf_secret *to, struct conf_secret *from,
    const char *file, const char *path, const char *what,
    struct conf_err *err)
{
	if (from->str == NULL)
		return 0;
	if (to->str != NULL)
		return conf_error_at(err, file, from->line, path, "%salso "
		    "set at %s:%u; keep only one", what, to->file, to->line);
	secret_move(to, from, file);
	return 0;
}

static int
merge_peers(struct vpn_conf *c, struct vpn_conf *s, const char *file,
    struct conf_err *err)
{
	struct conf_peer *pe, *to, *np;
	char path[64], what[96], net[64];
	size_t i, j, add = 0;

	for (i = 0; i < s->ike.npeers; i++) {
		pe = &s->ike.peers[i];
		for (j = 0, to = NULL; j < c->ike.npeers && to == NULL; j++)
			if (c->ike.peers[j].family == pe->family &&
			    c->ike.peers[j].prefixlen == pe->prefixlen &&
			    memcmp(&c->ike.peers[j].net, &pe->net,
			    sizeof(pe->net)) == 0)
				to = &c->ike.peers[j];
		if (to == NULL) {
			add++;
			continue;
		}
		snprintf(path, sizeof(path), "ike.peers.[%u].psk", pe->index);
		snprintf(what, sizeof(what), "peer %s: ",
		    conf_peer_net(pe, net, sizeof(net)));
		if (secret_merge(&to->psk, &pe->psk, file, path, what,
		    err) == -1)
			return -1;
		pe->family = 0;		/* merged */
	}
	if (add == 0)
		return 0;
	if (c->ike.npeers + add > CONF_MAX_PEERS)
		return conf_error_at(err, file, 0, "ike.peers", "too many "
		    "peers in both files (max %d)", CONF_MAX_PEERS);
	np = realloc(c->ike.peers, (c->ike.npeers + add) * sizeof(*np));
	if (np == NULL)
		return conf_error_at(err, file, 0, "ike.peers",
		    "out of memory");
	c->ike.peers = np;
	for (i = 0; i < s->ike.npeers; i++) {
		pe = &s->ike.peers[i];
		if (pe->family == 0)
			continue;
		/* The entry moves whole, its secret buffer with it. */
		to = &c->ike.peers[c->ike.npeers++];
		*to = *pe;
		to->file = file;
		to->psk.file = file;
		pe->psk.str = NULL;
		pe->psk.len = 0;
	}
	/* No duplicates can arise: equal networks were merged. */
	return conf_peers_sort_check(c, err);
}

static int
user_find(const void *key, const void *elem)
{
	const struct conf_user *u = elem;

	return strcmp(key, u->name);
}

static int
merge_users(struct vpn_conf *c, struct vpn_conf *s, const char *file,
    struct conf_err *err)
{
	struct conf_user *u, *to, *nu;
	char path[64], what[96];
	size_t i, add = 0;

	for (i = 0; i < s->nusers; i++) {
		u = &s->users[i];
		if (c->nusers == 0 || (to = bsearch(u->name, c->users,
		    c->nusers, sizeof(*c->users), user_find)) == NULL) {
			add++;
			continue;
		}
		snprintf(path, sizeof(path), "users.[%u].password", u->index);
		snprintf(what, sizeof(what), "user '%s': ", u->name);
		if (secret_merge(&to->password, &u->password, file, path, what,
		    err) == -1)
			return -1;
		free(u->name);
		u->name = NULL;		/* merged */
	}
	if (add == 0)
		return 0;
	if (c->nusers + add > CONF_MAX_USERS)
		return conf_error_at(err, file, 0, "users", "too many users in "
		    "both files (max %d)", CONF_MAX_USERS);
	nu = realloc(c->users, (c->nusers + add) * sizeof(*nu));
	if (nu == NULL)
		return conf_error_at(err, file, 0, "users", "out of memory");
	c->users = nu;
	for (i = 0; i < s->nusers; i++) {
		u = &s->users[i];
		if (u->name == NULL)
			continue;
		/* The entry moves whole, name and password buffers too. */
		to = &c->users[c->nusers++];
		*to = *u;
		to->file = file;
		to->password.file = file;
		u->name = NULL;
		u->password.str = NULL;
		u->password.len = 0;
	}
	return conf_users_sort_check(c, err);
}

int
conf_merge_secrets(struct vpn_conf *c, const char *text, const char *name,
    struct conf_err *err)
{
	struct vpn_conf *s;
	const char *file;
	int rc = -1;

	if (c->secrets_name != NULL)
		return conf_error_at(err, name, 0, NULL, "a secrets file was "
		    "already merged (%s)", c->secrets_name);
	if ((c->secrets_name = strdup(name)) == NULL)
		return conf_error_at(err, name, 0, NULL, "out of memory");
	file = c->secrets_name;
	if ((s = conf_parse_text(text, name, NULL, true, err)) == NULL)
		return -1;
	if (secret_merge(&c->ike.psk, &s->ike.psk, file, "ike.psk", "",
	    err) == -1 ||
	    secret_merge(&c->l2tp.secret, &s->l2tp.secret, file,
	    "l2tp.secret", "", err) == -1 ||
	    merge_peers(c, s, file, err) == -1 ||
	    merge_users(c, s, file, err) == -1)
		goto done;
	c->secrets_loaded = true;
	rc = 0;
done:
	conf_free(s);
	return rc;
}

int
conf_finish(struct vpn_conf *c, struct conf_err *err)
{
	const struct conf_user *u;
	const struct conf_peer *pe;
	char path[64], net[64], where[512];
	const char *secrets, *why;
	size_t i;

	secrets = c->secrets_name != NULL ? c->secrets_name : c->secrets_path;
	if (secrets != NULL)
		snprintf(where, sizeof(where), "here or in %s", secrets);
	else
		snprintf(where, sizeof(where), "here");
	for (i = 0; i < c->nusers; i++) {
		u = &c->users[i];
		if (u->password.str != NULL)
			continue;
		snprintf(path, sizeof(path), "users.[%u].password", u->index);
		return conf_error_at(err, u->file, u->line, path, "user '%s' "
		    "has no password; set one %s", u->name, where);
	}
	for (i = 0; i < c->ike.npeers; i++) {
		pe = &c->ike.peers[i];
		if (pe->psk.str != NULL)
			continue;
		snprintf(path, sizeof(path), "ike.peers.[%u].psk", pe->index);
		return conf_error_at(err, pe->file, pe->line, path, "peer %s "
		    "has no psk; set one %s",
		    conf_peer_net(pe, net, sizeof(net)), where);
	}
	/*
	 * Without a PSK or a certificate nothing can connect; fine only if
	 * the secrets file is absent and so is still to be generated.
	 */
	if (c->ike.psk.str == NULL && c->ike.npeers == 0 &&
	    c->ike.cert_file == NULL &&
	    (c->secrets_loaded || c->secrets_path == NULL))
		return conf_error_at(err, c->path, 0, "ike.psk", "no "
		    "pre-shared key: set ike.psk or ike.peers%s%s, or use "
		    "certificates (ike.ca_file, cert_file, key_file)",
		    secrets != NULL ? " in " : "",
		    secrets != NULL ? secrets : "");

	if (c->ike.psk.str != NULL && c->ike.psk.len < CONF_PSK_WEAK)
		conf_warn_at(c, c->ike.psk.file, c->ike.psk.line, "ike.psk",
		    "weak pre-shared key (under %d characters); use a long "
		    "random one", CONF_PSK_WEAK);
	for (i = 0; i < c->ike.npeers; i++) {
		pe = &c->ike.peers[i];
		if (pe->psk.len >= CONF_PSK_WEAK)
			continue;
		snprintf(path, sizeof(path), "ike.peers.[%u].psk", pe->index);
		conf_warn_at(c, pe->psk.file, pe->psk.line, path, "weak "
		    "pre-shared key for %s (under %d characters); use a long "
		    "random one", conf_peer_net(pe, net, sizeof(net)),
		    CONF_PSK_WEAK);
	}
	/* Guessable whatever the length; the reason, never the key. */
	if (c->ike.psk.str != NULL && (why = conf_psk_guessable(c->ike.psk.str,
	    c->ike.psk.len)) != NULL)
		conf_warn_at(c, c->ike.psk.file, c->ike.psk.line, "ike.psk",
		    "guessable pre-shared key: it %s; use a long random one",
		    why);
	for (i = 0; i < c->ike.npeers; i++) {
		pe = &c->ike.peers[i];
		if ((why = conf_psk_guessable(pe->psk.str, pe->psk.len)) ==
		    NULL)
			continue;
		snprintf(path, sizeof(path), "ike.peers.[%u].psk", pe->index);
		conf_warn_at(c, pe->psk.file, pe->psk.line, path, "guessable "
		    "pre-shared key for %s: it %s; use a long random one",
		    conf_peer_net(pe, net, sizeof(net)), why);
	}
	for (i = 0; i < c->nusers; i++) {
		u = &c->users[i];
		if (u->password.len >= CONF_PASSWORD_WEAK)
			continue;
		snprintf(path, sizeof(path), "users.[%u].password", u->index);
		conf_warn_at(c, u->password.file, u->password.line, path,
		    "short password for user '%s' (under %d characters)",
		    u->name, CONF_PASSWORD_WEAK);
	}
	if (c->nusers == 0 && (c->secrets_loaded || c->secrets_path == NULL))
		conf_warn_at(c, c->path, 0, "users", "no users: nobody can "
		    "log in");
	return 0;
}

/* I/O */

/*
 * Read a whole regular file into a new NUL-terminated buffer. On failure
 * returns NULL with err filled and errno set (ENOENT kept for the caller).
 */
static char *
read_file(const char *path, struct stat *st, struct conf_err *err)
{
	char *buf = NULL;
	size_t len = 0, cap;
	ssize_t r;
	int fd, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1) {
		saved = errno;
		conf_error_at(err, path, 0, NULL, "cannot open: %s",
		    strerror(saved));
		errno = saved;
		return NULL;
	}
	if (fstat(fd, st) == -1) {
		conf_error_at(err, path, 0, NULL, "cannot stat: %s",
		    strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st->st_mode)) {
		conf_error_at(err, path, 0, NULL, "not a regular file");
		goto fail;
	}
	if (st->st_size > CONF_MAX_FILE) {
		conf_error_at(err, path, 0, NULL, "too large (%lld bytes, max "
		    "%d)", (long long)st->st_size, CONF_MAX_FILE);
		goto fail;
	}
	/*
	 * One buffer, never grown: a realloc would leave copies of the
	 * secrets behind in freed memory.
	 */
	cap = (size_t)st->st_size + 1;
	if ((buf = malloc(cap + 1)) == NULL) {
		conf_error_at(err, path, 0, NULL, "out of memory");
		goto fail;
	}
	while (len < cap) {
		r = read(fd, buf + len, cap - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			conf_error_at(err, path, 0, NULL, "read error: %s",
			    strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len == cap) {
		conf_error_at(err, path, 0, NULL, "changed while being read");
		goto fail;
	}
	buf[len] = '\0';
	if (memchr(buf, '\0', len) != NULL) {
		conf_error_at(err, path, 0, NULL, "contains a NUL byte (not "
		    "a text file?)");
		goto fail;
	}
	close(fd);
	return buf;
fail:
	if (buf != NULL) {
		explicit_bzero(buf, cap + 1);
		free(buf);
	}
	close(fd);
	errno = 0;
	return NULL;
}

static void
free_text(char *text)
{
	if (text != NULL) {
		explicit_bzero(text, strlen(text));
		free(text);
	}
}

/*
 * A file holding secrets (path, stat st): only its owner (root or us) may
 * touch it. The message is "file[:line][: key]: why...": about the file
 * itself (file = path, key NULL) or about the setting naming it.
 */
static int
check_secret_mode(const char *file, unsigned int line, const char *key,
    const char *path, const struct stat *st, const char *why,
    struct conf_err *err)
{
	if ((st->st_mode & 077) != 0)
		return conf_error_at(err, file, line, key, "%smode %04o lets "
		    "group or others read it; chmod 600 %s", why,
		    (unsigned int)(st->st_mode & 07777), path);
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return conf_error_at(err, file, line, key, "%sowned by uid %u, "
		    "neither root nor the server's user (uid %u)", why,
		    (unsigned int)st->st_uid, (unsigned int)geteuid());
	return 0;
}

/*
 * The certificate files named in the main file: each a regular file we
 * can open for reading now (conf_load runs as root, before ikd drops its
 * privileges); the private key also private as a secrets file. The
 * contents are ikd's to check (conf/ has no PEM parser).
 */
static int
check_ike_files(const struct vpn_conf *c, struct conf_err *err)
{
	const char *const keys[] = { "ike.ca_file", "ike.cert_file",
	    "ike.key_file", "ike.crl_file" };
	const char *const paths[] = { c->ike.ca_file, c->ike.cert_file,
	    c->ike.key_file, c->ike.crl_file };
	char why[CONF_PATH_MAX + 8];
	struct stat st;
	size_t i;
	int fd, r;

	for (i = 0; i < CONF_NELEM(keys); i++) {
		if (paths[i] == NULL)
			continue;
		fd = open(paths[i], O_RDONLY | O_CLOEXEC | O_NOCTTY |
		    O_NONBLOCK);
		if (fd == -1)
			return conf_error_at(err, c->path, c->ike_file_line[i],
			    keys[i], "%s: cannot open: %s", paths[i],
			    strerror(errno));
		if (fstat(fd, &st) == -1) {
			r = conf_error_at(err, c->path, c->ike_file_line[i],
			    keys[i], "%s: cannot stat: %s", paths[i],
			    strerror(errno));
			close(fd);
			return r;
		}
		close(fd);
		if (!S_ISREG(st.st_mode))
			return conf_error_at(err, c->path, c->ike_file_line[i],
			    keys[i], "%s: not a regular file", paths[i]);
		snprintf(why, sizeof(why), "%s: ", paths[i]);
		if (paths[i] == c->ike.key_file && check_secret_mode(c->path,
		    c->ike_file_line[i], keys[i], paths[i], &st, why,
		    err) == -1)
			return -1;
	}
	return 0;
}

/* The directory of path, absolute. NULL if out of memory or no cwd. */
static char *
abs_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *cwd, *dir, *r;
	size_t n;

	if (slash == path)
		return strdup("/");
	n = slash != NULL ? (size_t)(slash - path) : 0;
	if (path[0] == '/')
		return strndup(path, n);
	if ((cwd = getcwd(NULL, 0)) == NULL)
		return NULL;
	if (n == 0)
		return cwd;
	if ((dir = strndup(path, n)) == NULL) {
		free(cwd);
		return NULL;
	}
	r = conf_path_join(cwd, dir);
	free(cwd);
	free(dir);
	return r;
}

struct vpn_conf *
conf_load(const char *path, struct conf_err *err)
{
	struct vpn_conf *c = NULL;
	struct stat st;
	char *text, *dir, why[64];

	if ((text = read_file(path, &st, err)) == NULL)
		return NULL;
	if ((dir = abs_dir(path)) == NULL) {
		conf_error_at(err, path, 0, NULL, "cannot find its directory: "
		    "%s", strerror(errno));
		free_text(text);
		return NULL;
	}
	c = conf_parse_string(text, path, dir, err);
	free(dir);
	free_text(text);
	if (c == NULL)
		return NULL;
	if ((st.st_mode & S_IWOTH) != 0) {
		conf_error_at(err, path, 0, NULL, "mode %04o lets anyone "
		    "change it (and so run any program as root through "
		    "ppp.pppd); chmod o-w %s",
		    (unsigned int)(st.st_mode & 07777), path);
		goto fail;
	}
	if ((st.st_mode & S_IWGRP) != 0)
		conf_warn_at(c, path, 0, NULL, "mode %04o lets group %u change "
		    "it; chmod g-w %s", (unsigned int)(st.st_mode & 07777),
		    (unsigned int)st.st_gid, path);
	if (c->inline_secrets) {
		snprintf(why, sizeof(why), "holds secrets (line %u) but ",
		    c->inline_secret_line);
		if (check_secret_mode(path, 0, NULL, path, &st, why,
		    err) == -1)
			goto fail;
	}
	if (check_ike_files(c, err) == -1)
		goto fail;

	if (c->secrets_path != NULL) {
		text = read_file(c->secrets_path, &st, err);
		if (text == NULL && errno == ENOENT) {
			if (conf_secrets_missing(c) != 0)
				conf_warn_at(c, c->secrets_path, 0, NULL,
				    "not found; %s will be generated there on "
				    "first start",
				    conf_gen_what(conf_secrets_missing(c)));
		} else if (text == NULL) {
			goto fail;
		} else {
			if (check_secret_mode(c->secrets_path, 0, NULL,
			    c->secrets_path, &st, "", err) == -1 ||
			    conf_merge_secrets(c, text, c->secrets_path,
			    err) == -1) {
				free_text(text);
				goto fail;
			}
			free_text(text);
		}
	}
	if (conf_finish(c, err) == -1)
		goto fail;
	return c;
fail:
	conf_free(c);
	return NULL;
}
