/*
 * test_conf_gen.c - first start (conf/conf_gen.c): the secrets file is
 * generated when absent, private, loadable, strong, announced once, never
 * regenerated, generated once when two daemons race, only with what the
 * main file lacks, never by --check-config or plain conf_load, and never in
 * a directory others may write to.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "conf/conf_cli.h"

#define RACE_ROUNDS	25

struct tmp {
	char	dir[64];
	char	conf[128];
	char	secrets[128];
};

static int
tmp_setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/test_conf_gen.XXXXXX");
	if (mkdtemp(t->dir) == NULL) {
		free(t);
		return -1;
	}
	snprintf(t->conf, sizeof(t->conf), "%s/vpn.conf", t->dir);
	snprintf(t->secrets, sizeof(t->secrets), "%s/secrets.conf", t->dir);
	*state = t;
	return 0;
}

static int
tmp_teardown(void **state)
{
	struct tmp *t = *state;
	struct dirent *de;
	char path[PATH_MAX];
	DIR *d;

	if ((d = opendir(t->dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", t->dir,
			    de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(t->dir);
	free(t);
	return 0;
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f;

	unlink(path);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* The whole file, NUL-terminated; the caller frees it. */
static char *
slurp(const char *path)
{
	char *buf;
	FILE *f;
	size_t n;

	f = fopen(path, "r");
	assert_non_null(f);
	buf = calloc(1, 8192);
	assert_non_null(buf);
	n = fread(buf, 1, 8191, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Number of entries in dir other than . and .. */
static size_t
dir_entries(const char *dir)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

static bool
all_in_alphabet(const char *s)
{
	return strspn(s, "23456789abcdefghijkmnpqrstuvwxyz"
	    "ABCDEFGHJKLMNPQRSTUVWXYZ") == strlen(s);
}

/* conf_load_start with out captured in a memory buffer. */
static struct vpn_conf *
load_start(const char *path, char **printed, unsigned int *generated,
    struct conf_err *err)
{
	struct vpn_conf *c;
	size_t len;
	FILE *out;

	out = open_memstream(printed, &len);
	assert_non_null(out);
	c = conf_load_start(path, out, generated, err);
	assert_int_equal(fclose(out), 0);
	return c;
}

/* load_start that must succeed: fails the test with the error if not. */
static struct vpn_conf *
load_ok(const char *path, char **printed, unsigned int *generated)
{
	struct conf_err err;
	struct vpn_conf *c;

	c = load_start(path, printed, generated, &err);
	if (c == NULL)
		fail_msg("%s", err.msg);
	return c;
}

/* No warning of c contains what. */
static void
assert_no_warning(const struct vpn_conf *c, const char *what)
{
	size_t i;

	for (i = 0; i < c->nwarnings; i++)
		assert_null(strstr(c->warnings[i], what));
}

/* The generated secrets file does not contain what. */
static void
assert_secrets_lack(const struct tmp *t, const char *what)
{
	char *text = slurp(t->secrets);

	assert_null(strstr(text, what));
	free(text);
}

/* A start that generated nothing: no flag, nothing printed, no file. */
static void
assert_nothing_generated(const struct tmp *t, const char *printed,
    unsigned int gen)
{
	assert_int_equal(gen, 0);
	assert_string_equal(printed, "");
	assert_int_equal(access(t->secrets, F_OK), -1);
}

/* Absent file, nothing inline: PSK + vpnuser, 0600, printed once. */
static void
test_generate(void **state)
{
	struct tmp *t = *state;
	const struct conf_user *u;
	struct conf_err err;
	struct vpn_conf *c;
	struct stat st, st2;
	char *printed, *text, *text2, *psk, *pw;
	unsigned int gen;

	write_file(t->conf, "# nothing: every default\n", 0644);
	c = load_ok(t->conf, &printed, &gen);
	assert_int_equal(gen, CONF_GEN_PSK | CONF_GEN_USER);
	assert_true(c->secrets_loaded);
	assert_string_equal(c->secrets_path, t->secrets);
	assert_no_warning(c, "not found");

	/* a private regular file, and nothing else left in the directory */
	assert_int_equal(lstat(t->secrets, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_uid, geteuid());
	assert_int_equal(st.st_nlink, 1);
	assert_int_equal(dir_entries(t->dir), 2);

	/* strong values, as loaded */
	assert_non_null(c->ike.psk.str);
	assert_int_equal(c->ike.psk.len, CONF_GEN_PSK_LEN);
	assert_true(c->ike.psk.len >= 24);
	assert_true(all_in_alphabet(c->ike.psk.str));
	assert_string_equal(c->ike.psk.file, t->secrets);
	assert_int_equal(c->nusers, 1);
	u = conf_user_lookup(c, CONF_GEN_USER_NAME);
	assert_non_null(u);
	assert_int_equal(u->password.len, CONF_GEN_PASSWORD_LEN);
	assert_true(u->password.len >= 16);
	assert_true(all_in_alphabet(u->password.str));
	assert_string_not_equal(u->password.str, c->ike.psk.str);

	/* the file: a header comment, each value once */
	text = slurp(t->secrets);
	assert_int_equal(strncmp(text, "# ", 2), 0);
	assert_non_null(strstr(text, "generated on its first start"));
	assert_int_equal(count(text, c->ike.psk.str), 1);
	assert_int_equal(count(text, u->password.str), 1);

	/* printed: the path, the PSK, the user and password, once each */
	assert_int_equal(count(printed, t->secrets), 1);
	assert_int_equal(count(printed, c->ike.psk.str), 1);
	assert_int_equal(count(printed, CONF_GEN_USER_NAME), 1);
	assert_int_equal(count(printed, u->password.str), 1);
	psk = strdup(c->ike.psk.str);
	pw = strdup(u->password.str);
	free(printed);
	conf_free(c);

	/* second start: same file, same values, nothing printed */
	c = load_ok(t->conf, &printed, &gen);
	assert_int_equal(gen, 0);
	assert_string_equal(printed, "");
	assert_string_equal(c->ike.psk.str, psk);
	assert_string_equal(conf_user_lookup(c, CONF_GEN_USER_NAME)->
	    password.str, pw);
	assert_int_equal(lstat(t->secrets, &st2), 0);
	assert_int_equal(st2.st_ino, st.st_ino);
	text2 = slurp(t->secrets);
	assert_string_equal(text, text2);
	free(printed);
	free(text);
	free(text2);
	free(psk);
	free(pw);
	conf_free(c);

	/* a second start with no out at all works the same */
	c = conf_load_start(t->conf, NULL, &gen, &err);
	assert_non_null(c);
	assert_int_equal(gen, 0);
	conf_free(c);
}

/* Two values generated in a row differ (getrandom, not a constant). */
static void
test_values_differ(void **state)
{
	struct tmp *t = *state;
	struct vpn_conf *c;
	char *printed, *psk;
	unsigned int gen;

	write_file(t->conf, "", 0644);
	c = load_ok(t->conf, &printed, &gen);
	psk = strdup(c->ike.psk.str);
	free(printed);
	conf_free(c);
	assert_int_equal(unlink(t->secrets), 0);
	c = load_ok(t->conf, &printed, &gen);
	assert_int_equal(gen, CONF_GEN_PSK | CONF_GEN_USER);
	assert_string_not_equal(c->ike.psk.str, psk);
	free(printed);
	free(psk);
	conf_free(c);
}

/*
 * Two processes start at once, RACE_ROUNDS times: exactly one generates,
 * both read the same values, no temporary file is left.
 */
static void
test_race(void **state)
{
	struct tmp *t = *state;
	char res[2][128], *a, *b;
	int go[2], round, k, status, ngen;
	pid_t pid[2];

	write_file(t->conf, "", 0644);
	for (round = 0; round < RACE_ROUNDS; round++) {
		unlink(t->secrets);
		assert_int_equal(pipe(go), 0);
		for (k = 0; k < 2; k++) {
			snprintf(res[k], sizeof(res[k]), "%s/res%d", t->dir,
			    k);
			unlink(res[k]);
			pid[k] = fork();
			assert_true(pid[k] != -1);
			if (pid[k] == 0) {
				struct conf_err err;
				struct vpn_conf *c;
				unsigned int gen;
				char byte;
				FILE *f;

				close(go[1]);
				/* both wait here until the parent closes */
				(void)read(go[0], &byte, 1);
				c = conf_load_start(t->conf, NULL, &gen, &err);
				if (c == NULL)
					_exit(1);
				if ((f = fopen(res[k], "w")) == NULL)
					_exit(1);
				fprintf(f, "%s %s\n", c->ike.psk.str,
				    conf_user_lookup(c, CONF_GEN_USER_NAME)->
				    password.str);
				fclose(f);
				conf_free(c);
				_exit(gen != 0 ? 10 : 11);
			}
		}
		close(go[0]);
		close(go[1]);
		ngen = 0;
		for (k = 0; k < 2; k++) {
			assert_int_equal(waitpid(pid[k], &status, 0), pid[k]);
			assert_true(WIFEXITED(status));
			assert_true(WEXITSTATUS(status) == 10 ||
			    WEXITSTATUS(status) == 11);
			ngen += WEXITSTATUS(status) == 10;
		}
		assert_int_equal(ngen, 1);
		a = slurp(res[0]);
		b = slurp(res[1]);
		assert_true(strlen(a) > CONF_GEN_PSK_LEN);
		assert_string_equal(a, b);
		free(a);
		free(b);
		unlink(res[0]);
		unlink(res[1]);
		/* vpn.conf and secrets.conf: no stray temporary file */
		assert_int_equal(dir_entries(t->dir), 2);
	}
}

/* Only what the main file lacks; nothing at all if it lacks nothing. */
static void
test_only_missing(void **state)
{
	struct tmp *t = *state;
	struct conf_err err;
	struct vpn_conf *c;
	char *printed;
	unsigned int gen;

	/* an inline PSK: only the user is generated */
	write_file(t->conf, "ike = { psk = \"inline-psk-0123456789abcdef\"; "
	    "};\n", 0600);
	c = load_ok(t->conf, &printed, &gen);
	assert_int_equal(gen, CONF_GEN_USER);
	assert_string_equal(c->ike.psk.str, "inline-psk-0123456789abcdef");
	assert_int_equal(c->nusers, 1);
	assert_null(strstr(printed, "inline-psk"));
	assert_null(strstr(printed, "pre-shared key"));
	assert_secrets_lack(t, "psk");
	free(printed);
	conf_free(c);
	unlink(t->secrets);

	/* a user inline: only the PSK */
	write_file(t->conf, "users = ( { name = \"alice\"; password = "
	    "\"alice-password\"; } );\n", 0600);
	c = load_ok(t->conf, &printed, &gen);
	assert_int_equal(gen, CONF_GEN_PSK);
	assert_int_equal(c->nusers, 1);
	assert_null(conf_user_lookup(c, CONF_GEN_USER_NAME));
	assert_int_equal(c->ike.psk.len, CONF_GEN_PSK_LEN);
	assert_null(strstr(printed, "alice-password"));
	free(printed);
	conf_free(c);
	unlink(t->secrets);

	/* both inline: no file, no warning about one */
	write_file(t->conf, "ike = { psk = \"inline-psk-0123456789abcdef\"; "
	    "};\nusers = ( { name = \"alice\"; password = \"alice-password\";"
	    " } );\n", 0600);
	c = load_ok(t->conf, &printed, &gen);
	assert_nothing_generated(t, printed, gen);
	assert_no_warning(c, "not found");
	free(printed);
	conf_free(c);

	/* secrets_file = "": never generated, a missing PSK is an error */
	write_file(t->conf, "secrets_file = \"\";\n", 0644);
	c = load_start(t->conf, &printed, &gen, &err);
	assert_null(c);
	assert_non_null(strstr(err.msg, "no pre-shared key"));
	assert_int_equal(access(t->secrets, F_OK), -1);
	free(printed);
}

/*
 * Certificate-only (cert_file set, no PSK anywhere): no PSK is generated,
 * only the first user if there are none; with users, no file at all.
 */
static void
test_certs_no_psk(void **state)
{
	struct tmp *t = *state;
	struct vpn_conf *c;
	char *printed, path[192];
	static const char *const files[] = { "ca.crt", "server.crt" };
	static const char certs[] = "ike = { ca_file = \"ca.crt\"; "
	    "cert_file = \"server.crt\"; key_file = \"server.key\"; };\n";
	unsigned int gen;
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", t->dir, files[i]);
		write_file(path, "", 0644);
	}
	snprintf(path, sizeof(path), "%s/server.key", t->dir);
	write_file(path, "", 0600);

	write_file(t->conf, certs, 0644);
	c = load_ok(t->conf, &printed, &gen);
	assert_int_equal(gen, CONF_GEN_USER);
	assert_true(c->secrets_loaded);
	assert_null(c->ike.psk.str);
	assert_int_equal(c->ike.npeers, 0);
	assert_non_null(conf_user_lookup(c, CONF_GEN_USER_NAME));
	assert_null(strstr(printed, "pre-shared key"));
	assert_secrets_lack(t, "psk");
	free(printed);
	conf_free(c);
	unlink(t->secrets);

	/* ... and with a user inline, nothing to generate. */
	snprintf(path, sizeof(path), "%susers = ( { name = \"alice\"; "
	    "password = \"alice-password\"; } );\n", certs);
	write_file(t->conf, path, 0600);
	c = load_ok(t->conf, &printed, &gen);
	assert_nothing_generated(t, printed, gen);
	assert_null(c->ike.psk.str);
	free(printed);
	conf_free(c);

	/* Without the certificates, the PSK is generated as before. */
	write_file(t->conf, "users = ( { name = \"alice\"; password = "
	    "\"alice-password\"; } );\n", 0600);
	c = load_ok(t->conf, &printed, &gen);
	assert_int_equal(gen, CONF_GEN_PSK);
	assert_int_equal(c->ike.psk.len, CONF_GEN_PSK_LEN);
	free(printed);
	conf_free(c);
}

/* conf_load and --check-config only say what would be generated. */
static void
test_check_config_does_not_generate(void **state)
{
	struct tmp *t = *state;
	struct conf_err err;
	struct vpn_conf *c;
	char want[256];
	int saved[2], null;
	size_t i;
	bool found = false;

	write_file(t->conf, "", 0644);
	c = conf_load(t->conf, &err);
	if (c == NULL)
		fail_msg("%s", err.msg);
	assert_false(c->secrets_loaded);
	snprintf(want, sizeof(want), "%s: not found; a PSK and a first user "
	    "will be generated there on first start", t->secrets);
	for (i = 0; i < c->nwarnings; i++)
		found |= strcmp(c->warnings[i], want) == 0;
	assert_true(found);
	conf_free(c);
	assert_int_equal(access(t->secrets, F_OK), -1);

	/* both daemons' --check-config, output silenced */
	fflush(stdout);
	fflush(stderr);
	saved[0] = dup(1);
	saved[1] = dup(2);
	null = open("/dev/null", O_WRONLY);
	assert_true(saved[0] != -1 && saved[1] != -1 && null != -1);
	dup2(null, 1);
	dup2(null, 2);
	assert_int_equal(conf_check_cli("ikd", t->conf, CONF_DESCRIBE_IKE),
	    0);
	assert_int_equal(conf_check_cli("l2tpd", t->conf,
	    CONF_DESCRIBE_L2TP), 0);
	fflush(stdout);
	fflush(stderr);
	dup2(saved[0], 1);
	dup2(saved[1], 2);
	close(saved[0]);
	close(saved[1]);
	close(null);
	assert_int_equal(access(t->secrets, F_OK), -1);
	assert_int_equal(dir_entries(t->dir), 1);
}

/* A directory others may write to: refused unless sticky. */
static void
test_unsafe_dir(void **state)
{
	struct tmp *t = *state;
	struct conf_err err;
	struct vpn_conf *c;
	char *printed, want[512];
	unsigned int gen;

	write_file(t->conf, "", 0644);
	assert_int_equal(chmod(t->dir, 0777), 0);
	c = load_start(t->conf, &printed, &gen, &err);
	assert_null(c);
	snprintf(want, sizeof(want), "%s: mode 0777 lets group or others "
	    "replace files here; not creating the secrets file in it (chmod "
	    "go-w %s, or write the file yourself)", t->dir, t->dir);
	assert_string_equal(err.msg, want);
	assert_int_equal(access(t->secrets, F_OK), -1);
	assert_string_equal(printed, "");
	free(printed);

	assert_int_equal(chmod(t->dir, 0770), 0);
	c = load_start(t->conf, &printed, &gen, &err);
	assert_null(c);
	free(printed);

	/* sticky, like /tmp: fine */
	assert_int_equal(chmod(t->dir, 01777), 0);
	c = load_ok(t->conf, &printed, &gen);
	assert_int_equal(gen, CONF_GEN_PSK | CONF_GEN_USER);
	free(printed);
	conf_free(c);
	assert_int_equal(chmod(t->dir, 0700), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_generate, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_values_differ, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_race, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_only_missing, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    test_check_config_does_not_generate, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_certs_no_psk, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(test_unsafe_dir, tmp_setup,
		    tmp_teardown),
	};

	return cmocka_run_group_tests_name("conf_gen", tests, NULL, NULL);
}
