/*
 * ike_load.c - IKEv1 load generator and CPU bench for ikd.
 *
 *	build/bench/ike_load [-fkv] [-a psk|rsa|ecdsa] [-i ikd]
 *	    [-c in-flight] [-t seconds] [-n max] [-r rounds]
 *	    [-b bound-seconds] [-l log-level] [-g group[,group...]]
 *
 * For each group (modp1024, modp2048, ecp256, ecp384 by default) it
 * starts a real ikd (`ike.kernel = "none"`, its own configuration in a
 * temporary directory, listening on 127.0.0.1 on a free pair of high
 * ports), then keeps -c initiators in flight (tests/lib/ike_initiator.c,
 * the one test_exchange uses), each running Main Mode (PSK, or with -a
 * rsa / -a ecdsa certificates and signatures) + Quick Mode (ESP for
 * UDP/1701) + a Delete of the ESP SA and of the ISAKMP SA, again
 * and again for -t seconds (or -n handshakes), in -r rounds. ikd's CPU
 * time (user + system, of both its processes: the privileged parent and
 * the IKE process) is read with clock_getcpuclockid() before and after
 * each round (/proc/<pid>/stat utime + stime, at 10 ms ticks, as a
 * cross-check with -v); an MM1 that must be answered ends each round and
 * shows that ikd has read everything sent before it. ikd's own counters
 * (the "IKE process stopped" line and one line per Delete, at log level
 * info) must match what completed. To keep the load generator cheaper than
 * ikd, the initiators of a group share one DH key pair (-f: a fresh one
 * per exchange); ikd cannot tell.
 *
 * The crypto bound is measured in the same run, after each round:
 * a replay of the crypto calls the responder makes per handshake, through
 * ikd/crypto.c and ikd/dh.c as ikd calls them, over the message lengths
 * seen on the wire (RAND for cookie and nonces; NAT-D hashes; DH keygen
 * and derive; SKEYID*, the key schedule and IVs; decrypt MM5 + HASH_I,
 * HASH_R + encrypt MM6; decrypt QM1 + HASH(1), HASH(2) + encrypt QM2;
 * decrypt QM3 + HASH(3), KEYMAT both ways; two Deletes decrypted and
 * their HASH checked; with certificates also the client's certificate,
 * ID and SIG_I checked and SIG_R made). What ikd spends above it is
 * parsing, state, timers, syscalls, logging, allocation and the
 * round trips to its privileged parent.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "ikd/cert.h"
#include "ikd/crypto.h"
#include "ikd/dh.h"
#include "ikd/sig.h"
#include "lib/log.h"
#include "tests/lib/certgen.h"
#include "tests/lib/ike_initiator.h"

#define PSK		"bench-psk-0123456789abcdef"
#define MAX_INFLIGHT	256
/* A reply not seen within this is asked for again (retransmission). */
#define RESEND_MS	1000
#define MAX_RESENDS	3
/* Message IDs of the two Deletes (per ISAKMP SA, any will do). */
#define MID_DEL_ESP	0x70000001
#define MID_DEL_ISAKMP	0x70000002

struct group_spec {
	const char *name;
	uint16_t group;
	uint16_t encr;
	uint16_t keylen;
	enum ike_enc enc;
};

/* Transforms from the default ike.proposals of conf/vpn.conf. */
static const struct group_spec group_specs[] = {
	{ "modp1024", IKE_GROUP_MODP_1024, IKE_ENCR_AES_CBC, 256,
	    IKE_ENC_AES256_CBC },
	{ "modp2048", IKE_GROUP_MODP_2048, IKE_ENCR_AES_CBC, 256,
	    IKE_ENC_AES256_CBC },
	{ "ecp256", IKE_GROUP_ECP_256, IKE_ENCR_AES_CBC, 128,
	    IKE_ENC_AES128_CBC },
	{ "ecp384", IKE_GROUP_ECP_384, IKE_ENCR_AES_CBC, 256,
	    IKE_ENC_AES256_CBC },
};
#define NGROUPS	(sizeof(group_specs) / sizeof(group_specs[0]))

/* -a: how the initiators authenticate (ikd has the PSK in every case). */
enum bench_auth { AUTH_PSK, AUTH_RSA, AUTH_ECDSA };
static const char *const auth_names[] = { "psk", "rsa", "ecdsa" };
static const char *const auth_labels[] = {
	"PSK", "RSA-2048 signatures", "ECDSA P-256 signatures"
};

/*
 * -a rsa / -a ecdsa: a CA, ikd's certificate and key (ike.ca_file,
 * cert_file, key_file) and one client's, made once per run in dir. The
 * replay checks the client the way ikd does (ikd_certs_check_peer on
 * certs, loaded from the same files) over a fixed HASH_I the client
 * key signed once, and signs HASH_R as ikd's privileged parent does.
 */
struct bench_pki {
	char dir[32], ca[64], cert[64], key[64];
	EVP_PKEY *cakey, *skey, *ckey;
	X509 *ca_x, *srv, *cli;
	uint8_t *cli_der, *cli_dn;
	size_t cli_len, cli_dn_len;
	struct ikd_certs *certs;
	uint16_t method;		/* IKE_AUTH_* of the client key */
	uint8_t hash_i[IKE_HASH_MAX];	/* the fixed HASH_I and its SIG_I */
	size_t hash_len;
	uint8_t sig_i[512];
	size_t sig_len;
};
/* NULL with -a psk; shared by every initiator and the replay. */
static struct bench_pki *pki;

struct opts {
	const char *ikd;
	enum bench_auth auth;
	unsigned int inflight;
	double seconds;
	unsigned long max;
	double bound_seconds;
	unsigned int rounds;
	const char *log_level;
	bool verbose;
	bool keep;		/* -k: keep the temp dir (config, ikd.log) */
	bool fresh_dh;		/* -f: a new initiator key pair per MM3 */
	bool want[NGROUPS];
};

/* What a slot waits for. */
enum slot_state {
	SLOT_IDLE,
	SLOT_MM2,
	SLOT_MM4,
	SLOT_MM6,
	SLOT_QM2
};

struct slot {
	int fd;
	struct sockaddr_storage self;
	struct ike_ini ini;
	enum slot_state state;
	uint8_t last[IKD_MSG_MAX];	/* for a retransmission */
	size_t last_len;
	double deadline;
	unsigned int resends;
};

struct run {
	const struct opts *o;
	const struct group_spec *g;
	struct sockaddr_storage srv;
	uint16_t natt_port;
	struct slot *slots;
	struct ike_dh *dh;	/* initiators' shared key pair, or NULL */
	unsigned long started;
	unsigned long done;
	unsigned long failed;
	unsigned long resends;
	double stop_at;
	double last_done;
	struct ike_ini_sizes sz;
	bool have_sz;
	char first_err[IKE_INI_ERR_MAX + 32];
};

struct result {
	const struct group_spec *g;
	unsigned long done;
	unsigned long failed;
	unsigned long resends;
	double wall;
	double cpu;		/* ikd CPU time during the runs, s */
	double cpu_parent;	/* its privileged parent's part */
	double cpu_user;	/* the same from /proc: utime */
	double cpu_sys;		/* and stime (10 ms ticks) */
	double bound;		/* crypto bound per handshake, s */
	double bound_dh;	/* its DH part */
	double bound_sum;	/* bound: CPU spent, its DH part, count */
	double bound_dh_sum;
	unsigned long bound_n;
	bool verified;		/* ikd's own counters agree */
	char check[200];
};

static double
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* utime and stime of pid in seconds (from /proc); -1 on error. */
static int
proc_cpu(pid_t pid, double *user, double *sys)
{
	char path[64], buf[1024], *p;
	unsigned long long ut, st;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* after "(comm)": state ppid pgrp session tty tpgid flags minflt
	 * cminflt majflt cmajflt utime stime */
	if ((p = strrchr(buf, ')')) == NULL || sscanf(p + 2,
	    "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
	    &ut, &st) != 2)
		return -1;
	*user = (double)ut / (double)sysconf(_SC_CLK_TCK);
	*sys = (double)st / (double)sysconf(_SC_CLK_TCK);
	return 0;
}

/*
 * ikd runs as two processes (ikd/main.c): the privileged parent this
 * bench starts, which installs SAs and signs, and the IKE process it
 * forks, which does everything else. Both count.
 */
struct ikd_procs {
	pid_t		pid[2];		/* parent, IKE process */
	clockid_t	clk[2];
};

/* CPU time of both (clock_getcpuclockid), ns precision; the parent's
 * part in *parent. */
static double
pid_cpu(const struct ikd_procs *ip, double *parent)
{
	struct timespec ts;
	double t, sum = 0;
	int i;

	for (i = 0; i < 2; i++) {
		if (clock_gettime(ip->clk[i], &ts) == -1) {
			perror("clock_gettime");
			exit(1);
		}
		t = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
		if (i == 0)
			*parent = t;
		sum += t;
	}
	return sum;
}

/* utime and stime of both (from /proc, 10 ms ticks); -1 on error. */
static int
procs_cpu(const struct ikd_procs *ip, double *user, double *sys)
{
	double u, st;
	int i;

	*user = *sys = 0;
	for (i = 0; i < 2; i++) {
		if (proc_cpu(ip->pid[i], &u, &st) == -1)
			return -1;
		*user += u;
		*sys += st;
	}
	return 0;
}

/*
 * The IKE process of the ikd parent: the parent logs "privileged process
 * P: IKE process C" right after the fork. Waits up to 2 s for the line;
 * 0 if it does not come.
 */
static pid_t
ike_process_pid(const char *logpath, pid_t parent)
{
	char line[512], *p;
	double end = mono_now() + 2.0;
	int pp, c;
	FILE *f;

	while (mono_now() < end) {
		if ((f = fopen(logpath, "r")) == NULL)
			return 0;
		while (fgets(line, sizeof(line), f) != NULL)
			if ((p = strstr(line, "privileged process ")) != NULL &&
			    sscanf(p, "privileged process %d: IKE process %d",
			    &pp, &c) == 2 && pp == (int)parent && c > 0) {
				fclose(f);
				return (pid_t)c;
			}
		fclose(f);
		(void)poll(NULL, 0, 20);
	}
	return 0;
}

/* The machine's load average, for the record (others share it). */
static void
print_loadavg(const char *when)
{
	char buf[128];
	ssize_t n;
	int fd;

	if ((fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC)) == -1)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	printf("load average %s: %s (%ld CPUs)\n", when, buf,
	    sysconf(_SC_NPROCESSORS_ONLN));
}

static void
mk4(struct sockaddr_storage *ss, uint32_t addr, uint16_t port)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)(void *)ss;

	memset(ss, 0, sizeof(*ss));
	s4->sin_family = AF_INET;
	s4->sin_addr.s_addr = htonl(addr);
	s4->sin_port = htons(port);
}

/* A UDP socket on 127.0.0.1, connected to the server; -1 on error. */
static int
udp_connect(const struct sockaddr_storage *srv, struct sockaddr_storage *self)
{
	socklen_t sl = sizeof(*self);
	int fd;

	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		perror("socket");
		return -1;
	}
	if (connect(fd, (const struct sockaddr *)srv,
	    sizeof(struct sockaddr_in)) == -1 ||
	    getsockname(fd, (struct sockaddr *)self, &sl) == -1) {
		perror("connect");
		close(fd);
		return -1;
	}
	return fd;
}

/* A fresh initiator for the group, paths as ikd will see them. */
static int
ini_setup(struct ike_ini *ini, const struct group_spec *g,
    const struct sockaddr_storage *srv, uint16_t natt_port,
    const struct sockaddr_storage *self)
{
	uint32_t mid;

	ike_ini_free(ini);
	if (ike_ini_init(ini, g->encr, g->keylen, g->enc, g->group, PSK,
	    false) == -1 || RAND_bytes((uint8_t *)&mid, sizeof(mid)) != 1)
		return -1;
	ini->mid = mid | 1;
	if (pki != NULL) {
		ini->sig_key = pki->ckey;
		ini->cert_der = pki->cli_der;
		ini->cert_len = pki->cli_len;
		ini->id_der = pki->cli_dn;
		ini->id_der_len = pki->cli_dn_len;
	}
	ini->p500.local = *srv;
	ini->p500.remote = *self;
	ini->p4500.local = *srv;
	((struct sockaddr_in *)(void *)&ini->p4500.local)->sin_port =
	    htons(natt_port);
	ini->p4500.remote = *self;
	ini->self = *self;
	return 0;
}

static int
slot_send(struct run *r, struct slot *s, const uint8_t *m, size_t len,
    bool keep)
{
	if (send(s->fd, m, len, 0) != (ssize_t)len) {
		snprintf(r->first_err, sizeof(r->first_err), "send: %s",
		    strerror(errno));
		return -1;
	}
	if (keep) {
		memcpy(s->last, m, len);
		s->last_len = len;
		s->deadline = mono_now() + RESEND_MS / 1000.0;
		s->resends = 0;
	}
	return 0;
}

static void
slot_start(struct run *r, struct slot *s)
{
	size_t len;

	if (mono_now() >= r->stop_at || r->started >= r->o->max) {
		s->state = SLOT_IDLE;
		return;
	}
	if (ini_setup(&s->ini, r->g, &r->srv, r->natt_port, &s->self) == -1)
		goto fail;
	s->ini.dh_fixed = r->dh;
	if (ike_ini_build_mm1(&s->ini, s->last, &len) == -1 ||
	    slot_send(r, s, s->last, len, true) == -1) {
		goto fail;
	}
	r->started++;
	s->state = SLOT_MM2;
	return;
fail:
	fprintf(stderr, "ike_load: cannot start an exchange: %s\n",
	    s->ini.err);
	exit(1);
}

static void
slot_fail(struct run *r, struct slot *s, const char *what)
{
	r->failed++;
	if (r->first_err[0] == '\0')
		snprintf(r->first_err, sizeof(r->first_err), "%s: %s", what,
		    s->ini.err);
	slot_start(r, s);
}

/* One datagram for slot s: absorb it, send what comes next. */
static void
slot_input(struct run *r, struct slot *s, const uint8_t *p, size_t len)
{
	uint8_t m[IKD_MSG_MAX];
	size_t ml;

	/* a late answer to an exchange this slot has given up on */
	if (s->state == SLOT_IDLE || len < ISAKMP_HDR_LEN ||
	    memcmp(p, s->ini.icky, ISAKMP_COOKIE_LEN) != 0)
		return;
	switch (s->state) {
	case SLOT_MM2:
		if (ike_ini_recv_mm2(&s->ini, p, len) == -1 ||
		    ike_ini_build_mm3(&s->ini, m, &ml) == -1 ||
		    slot_send(r, s, m, ml, true) == -1) {
			slot_fail(r, s, "MM2/MM3");
			return;
		}
		s->state = SLOT_MM4;
		break;
	case SLOT_MM4:
		if (ike_ini_recv_mm4(&s->ini, p, len) == -1 ||
		    ike_ini_build_mm5(&s->ini, false, m, &ml) == -1 ||
		    slot_send(r, s, m, ml, true) == -1) {
			slot_fail(r, s, "MM4/MM5");
			return;
		}
		s->state = SLOT_MM6;
		break;
	case SLOT_MM6:
		if (ike_ini_recv_mm6(&s->ini, p, len) == -1 ||
		    ike_ini_build_qm1(&s->ini, m, &ml) == -1 ||
		    slot_send(r, s, m, ml, true) == -1) {
			slot_fail(r, s, "MM6/QM1");
			return;
		}
		s->state = SLOT_QM2;
		break;
	case SLOT_QM2:
		/* QM3, then Delete the ESP SA and the ISAKMP SA */
		if (ike_ini_recv_qm2(&s->ini, p, len) == -1 ||
		    ike_ini_build_qm3(&s->ini, m, &ml) == -1 ||
		    slot_send(r, s, m, ml, false) == -1 ||
		    ike_ini_build_delete_esp(&s->ini, MID_DEL_ESP, m,
		    &ml) == -1 || slot_send(r, s, m, ml, false) == -1 ||
		    ike_ini_build_delete_isakmp(&s->ini, MID_DEL_ISAKMP, m,
		    &ml) == -1 || slot_send(r, s, m, ml, false) == -1) {
			slot_fail(r, s, "QM2/QM3/Delete");
			return;
		}
		r->done++;
		r->last_done = mono_now();
		if (!r->have_sz) {
			r->sz = s->ini.sz;
			r->have_sz = true;
		}
		slot_start(r, s);
		break;
	case SLOT_IDLE:
		break;
	}
}

static void
slot_timer(struct run *r, struct slot *s, double now)
{
	if (s->state == SLOT_IDLE || now < s->deadline)
		return;
	if (s->resends >= MAX_RESENDS) {
		snprintf(s->ini.err, sizeof(s->ini.err), "no answer");
		slot_fail(r, s, "timeout");
		return;
	}
	s->resends++;
	r->resends++;
	s->deadline = now + RESEND_MS / 1000.0;
	(void)send(s->fd, s->last, s->last_len, 0);
}

static bool
any_active(const struct run *r)
{
	unsigned int i;

	for (i = 0; i < r->o->inflight; i++)
		if (r->slots[i].state != SLOT_IDLE)
			return true;
	return false;
}

static void
run_load(struct run *r)
{
	struct pollfd pfd[MAX_INFLIGHT];
	uint8_t buf[IKD_MSG_MAX];
	unsigned int i, n = r->o->inflight;
	ssize_t len;
	double now;

	for (i = 0; i < n; i++) {
		pfd[i].fd = r->slots[i].fd;
		pfd[i].events = POLLIN;
		slot_start(r, &r->slots[i]);
	}
	while (any_active(r)) {
		if (poll(pfd, n, 50) == -1 && errno != EINTR) {
			perror("poll");
			exit(1);
		}
		for (i = 0; i < n; i++) {
			if (!(pfd[i].revents & (POLLIN | POLLERR)))
				continue;
			while ((len = recv(pfd[i].fd, buf, sizeof(buf), 0)) >
			    0)
				slot_input(r, &r->slots[i], buf, (size_t)len);
		}
		now = mono_now();
		for (i = 0; i < n; i++)
			slot_timer(r, &r->slots[i], now);
	}
}

/*
 * Send an MM1 and wait for its MM2: ikd is up, and has read every
 * datagram sent to its socket before this one. 0, -1 (timeout) or -2
 * (ikd exited and was reaped).
 */
static int
ikd_barrier(const struct group_spec *g, const struct sockaddr_storage *srv,
    uint16_t natt_port, double timeout, pid_t pid)
{
	struct sockaddr_storage self;
	struct ike_ini ini;
	struct pollfd pfd;
	uint8_t m[IKD_MSG_MAX], buf[IKD_MSG_MAX];
	size_t len;
	ssize_t n;
	double end = mono_now() + timeout;
	int fd, rc = -1, st;

	memset(&ini, 0, sizeof(ini));
	if ((fd = udp_connect(srv, &self)) == -1)
		return -1;
	if (ini_setup(&ini, g, srv, natt_port, &self) == -1 ||
	    ike_ini_build_mm1(&ini, m, &len) == -1)
		goto out;
	while (mono_now() < end) {
		if (waitpid(pid, &st, WNOHANG) == pid) {
			fprintf(stderr, "ike_load: ikd exited (status %d)\n",
			    st);
			rc = -2;
			goto out;
		}
		(void)send(fd, m, len, 0);
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 100) == 1 && (n = recv(fd, buf, sizeof(buf),
		    0)) > 0 && ike_ini_recv_mm2(&ini, buf, (size_t)n) == 0) {
			rc = 0;
			break;
		}
	}
out:
	ike_ini_free(&ini);
	close(fd);
	return rc;
}

static int
write_conf(const char *path, const struct opts *o, uint16_t port)
{
	FILE *f;
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		perror(path);
		return -1;
	}
	/* the shipped defaults, but loopback, high ports, no kernel */
	fprintf(f, "secrets_file = \"\";\n"
	    "ike = {\n"
	    "\tlisten = [ \"127.0.0.1\" ];\n"
	    "\tport = %u;\n"
	    "\tnatt_port = %u;\n"
	    "\tkernel = \"none\";\n"
	    "\tpsk = \"%s\";\n"
	    "\tmax_half_open_per_peer = %u;\n",
	    port, port + 1, PSK, o->inflight + 16);
	if (pki != NULL)
		fprintf(f, "\tca_file = \"%s\";\n\tcert_file = \"%s\";\n"
		    "\tkey_file = \"%s\";\n", pki->ca, pki->cert, pki->key);
	fprintf(f, "};\nlog = { level = \"%s\"; syslog = false; };\n",
	    o->log_level);
	return fclose(f) == 0 ? 0 : -1;
}

static pid_t
start_ikd(const struct opts *o, const char *conf, const char *logpath)
{
	pid_t pid;
	int lfd, nfd;

	if ((lfd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1 || (nfd = open("/dev/null", O_RDWR | O_CLOEXEC)) ==
	    -1) {
		perror(logpath);
		exit(1);
	}
	if ((pid = fork()) == -1) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		/* ikd must not outlive an interrupted bench */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1 ||
		    getppid() == 1 || dup2(nfd, 0) == -1 || dup2(nfd, 1) == -1 ||
		    dup2(lfd, 2) == -1)
			_exit(127);
		execl(o->ikd, "ikd", "-d", "-f", conf, (char *)NULL);
		_exit(127);
	}
	close(lfd);
	close(nfd);
	return pid;
}

/*
 * ikd's log at level info: the IKE process's closing line "IKE process
 * stopped: N packets in, N out, N ISAKMP SAs, N Quick Modes, N malformed"
 * and one line per
 * Delete handled must match what we completed. At level warning there
 * is nothing to check (CHECK_NONE).
 */
enum check { CHECK_OK, CHECK_MISMATCH, CHECK_NONE };

static enum check
check_log(const char *logpath, const struct run *r, struct result *res)
{
	unsigned long long in, out, sas, qms, bad;
	unsigned long del_sa = 0, del_esp = 0;
	char line[1024], *p;
	bool found = false;
	FILE *f;

	if ((f = fopen(logpath, "r")) == NULL)
		return CHECK_MISMATCH;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strstr(line, "ISAKMP SA deleted: deleted by the peer"))
			del_sa++;
		else if (strstr(line, "ESP SAs removed: deleted by the peer"))
			del_esp++;
		else if ((p = strstr(line, "IKE process stopped: ")) != NULL &&
		    sscanf(p, "IKE process stopped: %llu packets in, %llu "
		    "out, %llu ISAKMP SAs, %llu Quick Modes, %llu malformed",
		    &in, &out, &sas, &qms, &bad) == 5)
			found = true;
	}
	fclose(f);
	if (!found) {
		snprintf(res->check, sizeof(res->check), "not checked: no "
		    "\"IKE process stopped\" line at log level %s",
		    r->o->log_level);
		return CHECK_NONE;
	}
	snprintf(res->check, sizeof(res->check), "ikd: %llu ISAKMP SAs, %llu "
	    "Quick Modes, %lu+%lu Deletes, %llu malformed, %llu in / %llu "
	    "out", sas, qms, del_esp, del_sa, bad, in, out);
	return sas == r->done && qms == r->done && del_sa == r->done &&
	    del_esp == r->done && bad == 0 ? CHECK_OK : CHECK_MISMATCH;
}

/* ---- the crypto bound ---- */

static void bound_fail(const char *what) __attribute__((noreturn));

static void
bound_fail(const char *what)
{
	fprintf(stderr, "ike_load: crypto bound: %s failed\n", what);
	exit(1);
}

static void
natd_hash(enum ike_hash hash, const uint8_t *icky, const uint8_t *rcky,
    const uint8_t *addr, const uint8_t *port)
{
	uint8_t h[IKE_HASH_MAX];
	struct ike_chunk v[4] = { { icky, 8 }, { rcky, 8 }, { addr, 4 },
	    { port, 2 } };

	if (ike_hash_v(hash, v, 4, h, sizeof(h)) == -1)
		bound_fail("NAT-D");
}

static void
open_body(struct ike_keys *k, struct ike_ivs *ivs, uint32_t mid,
    const uint8_t *ct, size_t len, uint8_t *plain)
{
	struct ike_iv iv, next;

	if (ike_ivs_get(ivs, mid, &iv) == -1 || ike_cbc_decrypt(k->cbc, &iv,
	    ct, len, plain, IKD_MSG_MAX, &next) == -1 ||
	    ike_ivs_set(ivs, mid, &next) == -1)
		bound_fail("decrypt");
}

static void
seal_body(struct ike_keys *k, struct ike_ivs *ivs, uint32_t mid,
    const uint8_t *plain, size_t ct_len, uint8_t *out)
{
	struct ike_iv iv, next;
	size_t olen;

	/* one byte less than the body: the same number of blocks */
	if (ike_ivs_get(ivs, mid, &iv) == -1 || ike_cbc_encrypt(k->cbc, &iv,
	    plain, ct_len - 1, out, IKD_MSG_MAX, &olen, &next) == -1 ||
	    ike_ivs_set(ivs, mid, &next) == -1)
		bound_fail("encrypt");
}

/*
 * The responder's crypto for one MM + QM + 2 Deletes, in ikd's order;
 * *dh gets the CPU time of the DH part. Returns the total CPU time.
 */
/* MM5 of a certificate client: ikd's whole check of CERT, ID and SIG_I. */
static void
bound_cert_in(void)
{
	struct ikd_cert_in cin = { ISAKMP_CERT_X509_SIG, pki->cli_der,
	    pki->cli_len };
	struct isakmp_id id;
	struct ikd_cert_result res;

	memset(&id, 0, sizeof(id));
	id.type = IPSEC_ID_DER_ASN1_DN;
	id.data = pki->cli_dn;
	id.len = pki->cli_dn_len;
	if (ikd_certs_check_peer(pki->certs, &cin, 1, &id, pki->method,
	    pki->hash_i, pki->hash_len, pki->sig_i, pki->sig_len, &res) != 0) {
		fprintf(stderr, "ike_load: replay: %s\n", res.why);
		bound_fail("certificate check");
	}
}

/* MM6: SIG_R over HASH_R (PRIV_SIGN in ikd's parent) and our chain. */
static void
bound_cert_out(const uint8_t *h, size_t hlen)
{
	uint8_t sig[512];
	size_t siglen = sizeof(sig), chain_len;

	if (ikd_certs_sign(pki->certs, 0, h, hlen, sig, &siglen) == -1 ||
	    ikd_certs_chain(pki->certs, 0, 0, &chain_len) == NULL)
		bound_fail("SIG_R");
}

static double
bound_once(const struct group_spec *g, const struct ike_ini_sizes *sz,
    const uint8_t *gxi, size_t gxi_len, double *dh_time)
{
	static const uint8_t addr[4] = { 127, 0, 0, 1 }, port[2] = { 1, 2 };
	uint8_t cky_i[8] = { 1 }, cky_r[8], nr[ISAKMP_NONCE_MAX], ni[16];
	uint8_t gxr[IKE_KE_MAX], h[IKE_HASH_MAX], buf[IKD_MSG_MAX];
	uint8_t plain[IKD_MSG_MAX], km_spi[4] = { 0xc0, 0xde, 0, 1 };
	const enum ike_hash hash = IKE_HASH_SHA1;
	const uint32_t mid = 0x5a5a0001;
	struct ike_secret *gxy, *skeyid, *km;
	struct ike_p1_input in;
	struct ike_keys *k;
	struct ike_ivs *ivs;
	struct ike_dh *dh;
	size_t gxr_len;
	double t0 = cpu_now(), t;
	int i;

	memset(ni, 0x11, sizeof(ni));
	memset(buf, 0x5c, sizeof(buf));
	/* MM1: the responder cookie */
	if (RAND_bytes(cky_r, sizeof(cky_r)) != 1)
		bound_fail("RAND");
	/* MM3: NAT-D check, Nr, DH, SKEYID*, IVs, our NAT-D */
	natd_hash(hash, cky_i, cky_r, addr, port);
	natd_hash(hash, cky_i, cky_r, addr, port);
	if (RAND_bytes(nr, (int)sz->nr_len) != 1)
		bound_fail("RAND");
	t = cpu_now();
	if ((dh = dh_new(g->group)) == NULL)
		bound_fail("dh_new");
	gxr_len = dh_public_len(dh);
	if (dh_public(dh, gxr, gxr_len) == -1 ||
	    dh_derive(dh, gxi, gxi_len, &gxy) == -1)
		bound_fail("DH");
	dh_free(dh);
	*dh_time = cpu_now() - t;
	if (pki == NULL)
		skeyid = ike_skeyid_psk(hash, (const uint8_t *)PSK,
		    strlen(PSK), ni, sizeof(ni), nr, sz->nr_len);
	else
		skeyid = ike_skeyid_sig(hash, ni, sizeof(ni), nr, sz->nr_len,
		    gxy);
	if (skeyid == NULL)
		bound_fail("SKEYID");
	memset(&in, 0, sizeof(in));
	in.hash = hash;
	in.enc = g->enc;
	in.cky_i = cky_i;
	in.cky_r = cky_r;
	in.gxi = gxi;
	in.gxi_len = gxi_len;
	in.gxr = gxr;
	in.gxr_len = gxr_len;
	in.gxy = gxy;
	if ((k = ike_keys_new(&in, skeyid)) == NULL ||
	    (ivs = ike_ivs_new(k)) == NULL ||
	    (pki != NULL && ike_sig_auth_hash(pki->method) != 0 &&
	    ike_keys_auth_hash(k, (enum ike_hash)ike_sig_auth_hash(
	    pki->method)) == -1))
		bound_fail("keys");
	ike_secret_free(skeyid);
	ike_secret_free(gxy);
	natd_hash(hash, cky_i, cky_r, addr, port);
	natd_hash(hash, cky_i, cky_r, addr, port);
	/* MM5 in: decrypt, HASH_I; MM6 out: HASH_R, encrypt */
	open_body(k, ivs, 0, buf, sz->mm5_ct, plain);
	if (ike_hash_i(k, buf, sz->sai_len, buf, sz->idi_len, h,
	    sizeof(h)) == -1)
		bound_fail("HASH_I");
	if (pki != NULL)
		bound_cert_in();
	if (ike_hash_r(k, buf, sz->sai_len, buf, sz->idr_len, h,
	    sizeof(h)) == -1)
		bound_fail("HASH_R");
	if (pki != NULL)
		bound_cert_out(h, pki->hash_len);
	seal_body(k, ivs, 0, buf, sz->mm6_ct, plain);
	/* QM1 in: decrypt, HASH(1); Nr; QM2 out: HASH(2), encrypt */
	open_body(k, ivs, mid, buf, sz->qm1_ct, plain);
	if (ike_qm_hash1(k, mid, buf, sz->qm1_hashed, h, sizeof(h)) == -1 ||
	    RAND_bytes(nr, (int)sz->qnr_len) != 1 ||
	    ike_qm_hash2(k, mid, ni, sizeof(ni), buf, sz->qm2_hashed, h,
	    sizeof(h)) == -1)
		bound_fail("HASH(1)/(2)");
	seal_body(k, ivs, mid, buf, sz->qm2_ct, plain);
	/* QM3 in: decrypt, HASH(3); KEYMAT in and out */
	open_body(k, ivs, mid, buf, sz->qm3_ct, plain);
	if (ike_qm_hash3(k, mid, ni, sizeof(ni), nr, sz->qnr_len, h,
	    sizeof(h)) == -1)
		bound_fail("HASH(3)");
	for (i = 0; i < 2; i++) {
		km_spi[3] = (uint8_t)i;
		if ((km = ike_keymat(k, NULL, IPSEC_PROTO_ESP, km_spi, 4, ni,
		    sizeof(ni), nr, sz->qnr_len, 32 + 20)) == NULL)
			bound_fail("KEYMAT");
		ike_secret_free(km);
	}
	ike_ivs_drop(ivs, mid);
	/* the two Deletes: decrypt, HASH(1) */
	open_body(k, ivs, MID_DEL_ESP, buf, sz->del_esp_ct, plain);
	if (ike_info_hash(k, MID_DEL_ESP, buf, sz->del_esp_hashed, h,
	    sizeof(h)) == -1)
		bound_fail("Delete HASH");
	ike_ivs_drop(ivs, MID_DEL_ESP);
	open_body(k, ivs, MID_DEL_ISAKMP, buf, sz->del_isakmp_ct, plain);
	if (ike_info_hash(k, MID_DEL_ISAKMP, buf, sz->del_isakmp_hashed, h,
	    sizeof(h)) == -1)
		bound_fail("Delete HASH");
	ike_ivs_drop(ivs, MID_DEL_ISAKMP);
	ike_ivs_free(ivs);
	ike_keys_free(k);
	return cpu_now() - t0;
}

/* Run bound_once for `seconds` of CPU, adding to res's sums. */
static void
measure_bound(const struct group_spec *g, const struct ike_ini_sizes *sz,
    double seconds, struct result *res)
{
	uint8_t gxi[IKE_KE_MAX];
	struct ike_dh *peer;
	double d, t0, w0;
	unsigned long n = 0;

	if ((peer = dh_new(g->group)) == NULL ||
	    dh_public(peer, gxi, dh_public_len(peer)) == -1)
		bound_fail("peer key");
	(void)bound_once(g, sz, gxi, dh_public_len(peer), &d);	/* warm */
	t0 = cpu_now();
	w0 = mono_now();
	/* `seconds` of CPU, or twice that of wall time on a busy machine */
	do {
		res->bound_sum += bound_once(g, sz, gxi, dh_public_len(peer),
		    &d);
		res->bound_dh_sum += d;
		n++;
	} while ((cpu_now() - t0 < seconds && mono_now() - w0 < 2 * seconds) ||
	    n < 5);
	res->bound_n += n;
	dh_free(peer);
}

/* ---- -a rsa / -a ecdsa: the certificates ---- */

static void pki_fail(const char *what) __attribute__((noreturn));

static void
pki_fail(const char *what)
{
	fprintf(stderr, "ike_load: certificates: %s\n", what);
	exit(1);
}

static EVP_PKEY *
pki_key(enum bench_auth a)
{
	EVP_PKEY *k = a == AUTH_ECDSA ? certgen_ec("P-256") :
	    certgen_rsa(2048);

	if (k == NULL)
		pki_fail("key generation");
	return k;
}

static struct bench_pki *
pki_make(enum bench_auth a)
{
	struct bench_pki *p;
	struct ike_conf c;
	char err[512];

	if ((p = calloc(1, sizeof(*p))) == NULL)
		pki_fail("calloc");
	snprintf(p->dir, sizeof(p->dir), "/tmp/ike_load_pki.XXXXXX");
	if (mkdtemp(p->dir) == NULL)
		pki_fail("mkdtemp");
	snprintf(p->ca, sizeof(p->ca), "%s/ca.crt", p->dir);
	snprintf(p->cert, sizeof(p->cert), "%s/server.crt", p->dir);
	snprintf(p->key, sizeof(p->key), "%s/server.key", p->dir);
	p->cakey = pki_key(a);
	p->skey = pki_key(a);
	p->ckey = pki_key(a);
	if ((p->ca_x = certgen_cert(NULL, NULL, p->cakey, "/CN=Bench CA", 1,
	    -1, 30, true, NULL, NULL)) == NULL ||
	    (p->srv = certgen_cert(p->ca_x, p->cakey, p->skey,
	    "/CN=bench.vpn", 2, -1, 30, false, "bench.vpn", "127.0.0.1")) ==
	    NULL ||
	    (p->cli = certgen_cert(p->ca_x, p->cakey, p->ckey,
	    "/CN=bench-client", 3, -1, 30, false, NULL, NULL)) == NULL ||
	    (p->cli_der = certgen_der(p->cli, &p->cli_len)) == NULL ||
	    (p->cli_dn = certgen_subject_der(p->cli, &p->cli_dn_len)) ==
	    NULL)
		pki_fail("certificates");
	if (certgen_write_cert(p->ca, p->ca_x, false) == -1 ||
	    certgen_write_cert(p->cert, p->srv, false) == -1 ||
	    certgen_write_key(p->key, p->skey) == -1)
		pki_fail("writing the files");
	memset(&c, 0, sizeof(c));
	c.ca_file = p->ca;
	c.cert_file = p->cert;
	c.key_file = p->key;
	if (ikd_certs_load(&c, &p->certs, err, sizeof(err)) == -1) {
		fprintf(stderr, "ike_load: %s\n", err);
		pki_fail("ikd_certs_load");
	}
	/* HASH_I is a SHA-1 PRF output, or for ECDSA P-256 an HMAC-SHA256 */
	p->method = ike_sig_method(p->ckey);
	p->hash_len = a == AUTH_ECDSA ? 32 : 20;
	if (RAND_bytes(p->hash_i, (int)p->hash_len) != 1)
		pki_fail("RAND");
	p->sig_len = sizeof(p->sig_i);
	if (ike_sig_sign(p->ckey, p->hash_i, p->hash_len, p->sig_i,
	    &p->sig_len) == -1)
		pki_fail("SIG_I");
	return p;
}

static void
pki_free(struct bench_pki *p, bool keep)
{
	if (p == NULL)
		return;
	ikd_certs_free(p->certs);
	EVP_PKEY_free(p->cakey);
	EVP_PKEY_free(p->skey);
	EVP_PKEY_free(p->ckey);
	X509_free(p->ca_x);
	X509_free(p->srv);
	X509_free(p->cli);
	free(p->cli_der);
	free(p->cli_dn);
	if (keep)
		fprintf(stderr, "ike_load: kept %s (certificates)\n", p->dir);
	else {
		unlink(p->ca);
		unlink(p->cert);
		unlink(p->key);
		rmdir(p->dir);
	}
	free(p);
}

/* ---- one group ---- */

static int
run_group(const struct opts *o, const struct group_spec *g,
    struct result *res)
{
	char dir[] = "/tmp/ike_load.XXXXXX", conf[64], logpath[64];
	struct run r;
	struct slot *slots;
	double c0, p0, p1, u0, s0, u1, s1, t0;
	struct ikd_procs ip;
	unsigned int i, attempt, round;
	uint16_t port = 0;
	pid_t pid = -1;
	enum check chk;
	int st, brc, rc = -1;

	memset(res, 0, sizeof(*res));
	res->g = g;
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return -1;
	}
	snprintf(conf, sizeof(conf), "%s/vpn.conf", dir);
	snprintf(logpath, sizeof(logpath), "%s/ikd.log", dir);
	memset(&r, 0, sizeof(r));
	r.o = o;
	r.g = g;
	/* a free port pair: ikd exits if it cannot bind, then retry */
	for (attempt = 0; attempt < 5; attempt++) {
		uint16_t rnd;

		if (RAND_bytes((uint8_t *)&rnd, sizeof(rnd)) != 1)
			goto out;
		port = (uint16_t)(20000 + (rnd % 20000) * 2);
		mk4(&r.srv, INADDR_LOOPBACK, port);
		r.natt_port = (uint16_t)(port + 1);
		if (write_conf(conf, o, port) == -1)
			goto out;
		pid = start_ikd(o, conf, logpath);
		if ((brc = ikd_barrier(g, &r.srv, r.natt_port, 5.0, pid)) == 0)
			break;
		if (brc == -1) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
		}
		pid = -1;
	}
	if (pid == -1) {
		fprintf(stderr, "ike_load: ikd did not come up\n");
		goto out;
	}
	ip.pid[0] = pid;
	if ((ip.pid[1] = ike_process_pid(logpath, pid)) == 0) {
		fprintf(stderr, "ike_load: no \"IKE process\" line in %s\n",
		    logpath);
		goto out;
	}
	for (i = 0; i < 2; i++)
		if ((errno = clock_getcpuclockid(ip.pid[i], &ip.clk[i])) !=
		    0) {
			perror("clock_getcpuclockid");
			goto out;
		}
	if ((slots = calloc(o->inflight, sizeof(*slots))) == NULL)
		goto out;
	r.slots = slots;
	/* the initiators' key pair: one per group unless -f */
	if (!o->fresh_dh && (r.dh = dh_new(g->group)) == NULL)
		goto out_slots;
	for (i = 0; i < o->inflight; i++)
		if ((slots[i].fd = udp_connect(&r.srv, &slots[i].self)) == -1)
			exit(1);

	/*
	 * Rounds of load and of the crypto replay, interleaved so that both
	 * see the same background load on this machine.
	 */
	/* user/system split over the whole span (ticks: fewer readings) */
	if (procs_cpu(&ip, &u0, &s0) == -1)
		goto out_slots;
	for (round = 0; round < o->rounds; round++) {
		c0 = pid_cpu(&ip, &p0);
		t0 = mono_now();
		r.stop_at = t0 + o->seconds / o->rounds;
		r.last_done = t0;
		run_load(&r);
		if ((brc = ikd_barrier(g, &r.srv, r.natt_port, 5.0,
		    pid)) != 0) {
			fprintf(stderr, "ike_load: ikd stopped answering\n");
			if (brc == -2)
				pid = -1;
			goto out_slots;
		}
		res->cpu += pid_cpu(&ip, &p1) - c0;
		res->cpu_parent += p1 - p0;
		res->wall += r.last_done - t0;
		if (r.have_sz)
			measure_bound(g, &r.sz, o->bound_seconds / o->rounds,
			    res);
	}
	if (procs_cpu(&ip, &u1, &s1) == -1)
		goto out_slots;
	res->cpu_user = u1 - u0;
	res->cpu_sys = s1 - s0;
	res->done = r.done;
	res->failed = r.failed;
	res->resends = r.resends;
	if (res->bound_n > 0) {
		res->bound = res->bound_sum / (double)res->bound_n;
		res->bound_dh = res->bound_dh_sum / (double)res->bound_n;
	}
	if (r.first_err[0] != '\0')
		fprintf(stderr, "ike_load: %s: first failure: %s\n", g->name,
		    r.first_err);

	kill(pid, SIGTERM);
	if (waitpid(pid, &st, 0) == pid)
		pid = -1;
	chk = check_log(logpath, &r, res);
	res->verified = chk == CHECK_OK;
	if (o->verbose || chk != CHECK_OK)
		fprintf(stderr, "ike_load: %s: %s%s\n", g->name, res->check,
		    chk == CHECK_MISMATCH ? " -- MISMATCH" : "");
	if (o->verbose)
		fprintf(stderr, "ike_load: %s: ikd CPU %.3f s (clock), of it "
		    "the privileged parent %.3f s = %.3f ms/hs; /proc "
		    "stat: user %.2f s = %.3f ms/hs, system %.2f s = %.3f "
		    "ms/hs; %lu resends; bound over %lu replays\n", g->name,
		    res->cpu, res->cpu_parent, res->cpu_parent * 1e3 /
		    (double)(r.done ? r.done : 1), res->cpu_user,
		    res->cpu_user * 1e3 /
		    (double)(r.done ? r.done : 1), res->cpu_sys,
		    res->cpu_sys * 1e3 / (double)(r.done ? r.done : 1),
		    res->resends, res->bound_n);
	rc = r.done > 0 && chk != CHECK_MISMATCH ? 0 : -1;
out_slots:
	for (i = 0; i < o->inflight; i++) {
		ike_ini_free(&slots[i].ini);
		if (slots[i].fd > 0)
			close(slots[i].fd);
	}
	free(slots);
	dh_free(r.dh);
out:
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, &st, 0);
	}
	if (o->keep || rc != 0)
		fprintf(stderr, "ike_load: %s: kept %s (vpn.conf, ikd.log)\n",
		    g->name, dir);
	else {
		unlink(conf);
		unlink(logpath);
		rmdir(dir);
	}
	return rc;
}

static void usage(void) __attribute__((noreturn));

static void
usage(void)
{
	fprintf(stderr, "usage: ike_load [-fkv] [-a auth] [-i ikd] "
	    "[-c in-flight] [-t seconds] [-n max]\n\t[-r rounds] "
	    "[-b bound-seconds] [-l log-level] [-g group,...]\n"
	    "  -a psk, rsa or ecdsa: Main Mode with the PSK (psk) or with "
	    "certificates\n"
	    "  -i ikd binary (build/ikd)      -c initiators in flight (16)\n"
	    "  -t load seconds per group (8)  -n at most this many "
	    "handshakes per group\n"
	    "  -r rounds per group (8)        -b CPU seconds of crypto "
	    "replay per group (2)\n"
	    "  -l ikd log level (info)        -g modp1024,modp2048,ecp256,"
	    "ecp384 (all)\n"
	    "  -f fresh initiator DH key per exchange  -k keep the temp dirs"
	    "  -v details\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct opts o;
	struct result res[NGROUPS];
	char *tok, *save;
	size_t i;
	int ch, failed = 0;
	double over, target = 0.4e-3;

	memset(&o, 0, sizeof(o));
	o.ikd = "build/ikd";
	o.inflight = 16;
	o.seconds = 8;
	o.max = (unsigned long)-1;
	o.bound_seconds = 2;
	o.rounds = 8;
	o.log_level = "info";
	for (i = 0; i < NGROUPS; i++)
		o.want[i] = true;
	while ((ch = getopt(argc, argv, "a:b:c:fg:hi:kl:n:r:t:v")) != -1) {
		switch (ch) {
		case 'a':
			for (i = 0; i < 3; i++)
				if (strcmp(optarg, auth_names[i]) == 0)
					break;
			if (i == 3)
				usage();
			o.auth = (enum bench_auth)i;
			break;
		case 'b':
			o.bound_seconds = atof(optarg);
			break;
		case 'c':
			o.inflight = (unsigned int)atoi(optarg);
			if (o.inflight < 1 || o.inflight > MAX_INFLIGHT)
				usage();
			break;
		case 'f':
			o.fresh_dh = true;
			break;
		case 'g':
			memset(o.want, 0, sizeof(o.want));
			for (tok = strtok_r(optarg, ",", &save); tok != NULL;
			    tok = strtok_r(NULL, ",", &save)) {
				for (i = 0; i < NGROUPS; i++)
					if (strcmp(tok, group_specs[i].name) ==
					    0)
						break;
				if (i == NGROUPS)
					usage();
				o.want[i] = true;
			}
			break;
		case 'i':
			o.ikd = optarg;
			break;
		case 'k':
			o.keep = true;
			break;
		case 'l':
			o.log_level = optarg;
			break;
		case 'n':
			o.max = strtoul(optarg, NULL, 10);
			break;
		case 'r':
			o.rounds = (unsigned int)atoi(optarg);
			if (o.rounds < 1 || o.rounds > 100)
				usage();
			break;
		case 't':
			o.seconds = atof(optarg);
			break;
		case 'v':
			o.verbose = true;
			break;
		default:
			usage();
		}
	}
	if (o.seconds <= 0 || o.bound_seconds <= 0 || o.max == 0)
		usage();
	log_init("ike_load", true, 0);
	log_setlevel(LOG_LEVEL_WARNING);
	signal(SIGPIPE, SIG_IGN);
	if (o.auth != AUTH_PSK)
		pki = pki_make(o.auth);

	printf("ike_load: ikd %s, Main Mode (%s, SHA1) + Quick Mode (ESP "
	    "aes256-sha1) + 2 Deletes,\n  %u in flight, %.1f s per group in "
	    "%u rounds, ikd log level %s,\n  crypto replay %.1f s CPU per "
	    "group, initiator DH key pair %s\n", o.ikd, auth_labels[o.auth],
	    o.inflight,
	    o.seconds, o.rounds, o.log_level, o.bound_seconds, o.fresh_dh ?
	    "fresh per exchange" : "shared per group");
	print_loadavg("before");
	printf("\n");
	printf("%-8s %6s %4s %6s %6s %7s %7s %8s %7s %7s %6s %s\n",
	    "group", "done", "fail", "hs/s", "cap/s", "ikd ms", "(sys)",
	    "bound ms", "(DH)", "over ms", "ikd/bd", "over<=0.4");
	for (i = 0; i < NGROUPS; i++) {
		if (!o.want[i])
			continue;
		if (run_group(&o, &group_specs[i], &res[i]) == -1 ||
		    res[i].done == 0) {
			printf("%-9s FAILED (%lu done, %lu failed)\n",
			    group_specs[i].name, res[i].done, res[i].failed);
			failed++;
			continue;
		}
		over = res[i].cpu / (double)res[i].done - res[i].bound;
		printf("%-8s %6lu %4lu %6.0f %6.0f %7.3f %7.3f %8.3f %7.3f "
		    "%7.3f %6.2f %s%s\n",
		    group_specs[i].name, res[i].done, res[i].failed,
		    (double)res[i].done / res[i].wall,
		    (double)res[i].done / res[i].cpu,
		    res[i].cpu / (double)res[i].done * 1e3,
		    res[i].cpu_sys / (double)res[i].done * 1e3,
		    res[i].bound * 1e3, res[i].bound_dh * 1e3, over * 1e3,
		    res[i].cpu / (double)res[i].done / res[i].bound,
		    over <= target ? "ok" : "OVER",
		    res[i].verified ? "" : " (unverified)");
		fflush(stdout);
	}
	printf("\n");
	print_loadavg("after");
	printf("hs/s: handshakes completed per second of load (bounded by "
	    "this initiator's\n  own crypto and by whatever else runs on the "
	    "machine); cap/s = 1000 / ikd ms,\n  what one core of ikd would "
	    "sustain.\n"
	    "ikd ms: ikd's CPU time (user + system, clock_getcpuclockid; "
	    "privileged parent +\n  IKE process) per completed handshake; "
	    "(sys) its system part (/proc stat "
	    "stime, 10 ms ticks).\nbound ms: the responder's crypto calls "
	    "replayed in this process, interleaved with\n  the load in %u "
	    "rounds; DH ms is its keygen + derive part. over = ikd - bound.\n",
	    o.rounds);
	pki_free(pki, o.keep);
	ike_crypto_cleanup();
	dh_cleanup();
	return failed == 0 ? 0 : 1;
}
