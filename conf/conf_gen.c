/*
 * conf_gen.c - first start: when the secrets file is absent, generate it
 * (a random PSK and a first user, whichever the main file lacks) and load
 * it. The file appears atomically and is never replaced, so ikd and l2tpd
 * starting at the same moment end up reading one and the same file.
 */
#include <sys/random.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "conf_priv.h"

/* No 0/O, 1/l/I: the values are read off a screen and typed into phones. */
static const char gen_alphabet[] =
    "23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";

/*
 * n random characters of gen_alphabet plus a NUL into out (n + 1 bytes),
 * without modulo bias. Returns 0, or -1 with errno set.
 */
static int
gen_random(char *out, size_t n)
{
	const size_t na = sizeof(gen_alphabet) - 1;
	const unsigned int limit = 256 - 256 % na;
	uint8_t b[64];
	size_t i = 0, j;
	ssize_t r;

	while (i < n) {
		r = getrandom(b, sizeof(b), 0);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			explicit_bzero(b, sizeof(b));
			return -1;
		}
		for (j = 0; j < (size_t)r && i < n; j++)
			if (b[j] < limit)
				out[i++] = gen_alphabet[b[j] % na];
	}
	out[n] = '\0';
	explicit_bzero(b, sizeof(b));
	return 0;
}

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t r;

	while (len > 0) {
		r = write(fd, p, len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/*
 * The directory that will hold the secrets: a directory others cannot
 * write to, or a sticky one (like /tmp: nobody can unlink or rename our
 * file there, and a file planted by someone else under the name is then
 * refused by conf_load for its owner).
 */
static int
check_dir(const char *dir, struct conf_err *err)
{
	struct stat st;

	if (stat(dir, &st) == -1)
		return conf_error_at(err, dir, 0, NULL, "cannot create the "
		    "secrets file here: %s", strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return conf_error_at(err, dir, 0, NULL, "not a directory");
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
	    (st.st_mode & S_ISVTX) == 0)
		return conf_error_at(err, dir, 0, NULL, "mode %04o lets group "
		    "or others replace files here; not creating the secrets "
		    "file in it (chmod go-w %s, or write the file yourself)",
		    (unsigned int)(st.st_mode & 07777), dir);
	return 0;
}

/* Append to text (cap bytes); false once it would not fit. */
static bool CONF_PRINTF(4, 5)
text_add(char *text, size_t cap, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap - *len)
		return false;
	*len += (size_t)n;
	return true;
}

/*
 * The text of the new file, in one buffer never grown (no stray copies of
 * the secrets); NULL if out of memory. Wipe it after use.
 */
static char *
gen_text(const char *spath, unsigned int what, const char *psk,
    const char *password, size_t *len)
{
	const size_t cap = 2048 + 2 * CONF_PATH_MAX;
	char when[32], *text;
	struct tm tm;
	time_t now = time(NULL);
	bool ok;

	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(when, sizeof(when), "time unknown");
	if ((text = malloc(cap)) == NULL)
		return NULL;
	*len = 0;
	ok = text_add(text, cap, len,
	    "# %s - the secrets of the VPN server,\n"
	    "# generated on its first start (%s) because this file did\n"
	    "# not exist: %s.\n"
	    "#\n"
	    "# Keep it mode 0600. Change the values or add users freely (see\n"
	    "# secrets.conf.example for the syntax), then restart the server.\n"
	    "# Delete it to have new values generated on the next start.\n",
	    spath, when, conf_gen_what(what));
	if (ok && (what & CONF_GEN_PSK))
		ok = text_add(text, cap, len, "\n# The IPsec pre-shared key "
		    "clients type in.\nike = {\n\tpsk = \"%s\";\n};\n", psk);
	if (ok && (what & CONF_GEN_USER))
		ok = text_add(text, cap, len, "\n# The first user (MS-CHAPv2 "
		    "name and password).\nusers = (\n\t{ name = \"%s\"; "
		    "password = \"%s\"; }\n);\n", CONF_GEN_USER_NAME, password);
	if (!ok) {
		explicit_bzero(text, cap);
		free(text);
		return NULL;
	}
	return text;
}

/*
 * Create spath holding what: a private temporary file in the same
 * directory, written and synced, then link()ed to its name, which fails
 * if the name exists (another daemon won: fine, we read its file). A
 * reader thus sees either no file or a complete one. Returns 1 if we
 * created it, 0 if it already existed, -1 with err filled.
 */
static int
gen_file(const char *spath, unsigned int what, struct conf_err *err)
{
	char psk[CONF_GEN_PSK_LEN + 1], password[CONF_GEN_PASSWORD_LEN + 1];
	char *dir = NULL, *tmp = NULL, *text = NULL;
	const char *slash;
	size_t len = 0;
	int fd = -1, rc = -1, dfd;

	if ((slash = strrchr(spath, '/')) == NULL)
		dir = strdup(".");
	else
		dir = strndup(spath, slash == spath ? 1 :
		    (size_t)(slash - spath));
	if (dir == NULL || asprintf(&tmp, "%s/.%s.XXXXXX", dir,
	    slash != NULL ? slash + 1 : spath) == -1) {
		tmp = NULL;
		conf_error_at(err, spath, 0, NULL, "out of memory");
		goto done;
	}
	if (check_dir(dir, err) == -1)
		goto done;
	if (gen_random(psk, sizeof(psk) - 1) == -1 ||
	    gen_random(password, sizeof(password) - 1) == -1) {
		conf_error_at(err, spath, 0, NULL, "getrandom: %s",
		    strerror(errno));
		goto done;
	}
	if ((text = gen_text(spath, what, psk, password, &len)) == NULL) {
		conf_error_at(err, spath, 0, NULL, "out of memory");
		goto done;
	}
	/* mkostemp: O_EXCL, mode 0600 whatever the umask */
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		conf_error_at(err, spath, 0, NULL, "cannot create %s: %s", tmp,
		    strerror(errno));
		goto done;
	}
	if (fchmod(fd, 0600) == -1 || write_all(fd, text, len) == -1 ||
	    fsync(fd) == -1) {
		conf_error_at(err, spath, 0, NULL, "cannot write %s: %s", tmp,
		    strerror(errno));
		goto unlink;
	}
	if (close(fd) == -1) {
		fd = -1;
		conf_error_at(err, spath, 0, NULL, "cannot write %s: %s", tmp,
		    strerror(errno));
		goto unlink;
	}
	fd = -1;
	if (link(tmp, spath) == 0)
		rc = 1;
	else if (errno == EEXIST)
		rc = 0;
	else
		conf_error_at(err, spath, 0, NULL, "cannot create: %s",
		    strerror(errno));
	if (rc == 1 && (dfd = open(dir, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
unlink:
	(void)unlink(tmp);
done:
	if (fd != -1)
		close(fd);
	if (text != NULL) {
		explicit_bzero(text, len);
		free(text);
	}
	explicit_bzero(psk, sizeof(psk));
	explicit_bzero(password, sizeof(password));
	free(tmp);
	free(dir);
	return rc;
}

/* The announcement of a generated file, the values as loaded. */
static void
gen_print(const struct vpn_conf *c, unsigned int what, FILE *out)
{
	const struct conf_user *u;

	fprintf(out, "\n==================================================="
	    "=========\n");
	fprintf(out, "First start: generated %s (mode 0600)\nwith %s. "
	    "Shown this once; they stay in that file.\n", c->secrets_path,
	    conf_gen_what(what));
	if ((what & CONF_GEN_PSK) && c->ike.psk.str != NULL)
		fprintf(out, "  IPsec pre-shared key: %s\n", c->ike.psk.str);
	if ((what & CONF_GEN_USER) &&
	    (u = conf_user_lookup(c, CONF_GEN_USER_NAME)) != NULL &&
	    u->password.str != NULL) {
		fprintf(out, "  user name:            %s\n", u->name);
		fprintf(out, "  password:             %s\n", u->password.str);
	}
	fprintf(out, "======================================================"
	    "======\n\n");
	fflush(out);
}

struct vpn_conf *
conf_load_start(const char *path, FILE *out, unsigned int *generated,
    struct conf_err *err)
{
	struct vpn_conf *c;
	unsigned int what;
	int r;

	*generated = 0;
	if ((c = conf_load(path, err)) == NULL)
		return NULL;
	if (c->secrets_path == NULL || c->secrets_loaded ||
	    (what = conf_secrets_missing(c)) == 0)
		return c;
	r = gen_file(c->secrets_path, what, err);
	conf_free(c);
	if (r == -1)
		return NULL;
	if ((c = conf_load(path, err)) == NULL)
		return NULL;
	if (!c->secrets_loaded) {
		conf_error_at(err, c->secrets_path, 0, NULL, "vanished right "
		    "after being created");
		conf_free(c);
		return NULL;
	}
	if (r == 1) {
		*generated = what;
		if (out != NULL)
			gen_print(c, what, out);
	}
	return c;
}
