/*
 * xfrm_probe.c - ikd/xfrm.c and ikd/policy.c against a kernel with ESP:
 * run inside the UML lab by tests/e2e/guest/xfrm-kernel.sh, as root.
 *
 *   xfrm_probe NETNS_A NETNS_B
 *
 * NETNS_A and NETNS_B are network namespace files (/run/netns/NAME) of two
 * hosts joined by a veth pair, A = 192.0.2.1, B = 192.0.2.2. The probe
 * switches between them with setns(); every socket it opens stays in the
 * namespace it was opened in. On each side it runs the L2TP server policy
 * (policy_mgr) and installs transport-mode ESP SA pairs with fixed test
 * keys, then checks:
 *   - cleartext UDP to port 1701 never reaches a socket bound to 1701;
 *   - UDP 1701 <-> 1701 inside ESP does, both ways, as ESP on the wire,
 *     and the SA counters rise (xfrm_sa_get_counters and `ip -s xfrm
 *     state`);
 *   - the same with NAT-T SAs (UDP_ENCAP_ESPINUDP, 4500 <-> 4500): the
 *     packets arrive and no bare ESP is on the wire;
 *   - soft and hard expiry and ACQUIRE events reach the callback;
 *   - xfrm_flush_ours leaves no SA or policy of ours, foreign ones stay.
 * Each check prints "ok NAME" or "FAIL NAME: why"; exit 0 only if all
 * passed. Algorithms: AES-256-CBC + HMAC-SHA-256-128 and AES-128-GCM-16
 * (direct), 3DES-CBC + HMAC-SHA1-96 and AES-128-CBC + HMAC-SHA1-96
 * (NAT-T).
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <linux/udp.h>
#include <linux/xfrm.h>

#include "ikd/policy.h"
#include "ikd/xfrm.h"
#include "lib/log.h"
#include "tests/e2e/probe_check.h"

#define L2TP_PORT	1701
#define NATT_PORT	4500
#define WAIT_MS		2000	/* a packet that should arrive */
#define QUIET_MS	500	/* a packet that should not */

struct side {
	const char		*name;
	int			 nsfd;
	const char		*addr;
	union xfrm_ipaddr	 ip;
	struct xfrm_backend	*be;
	struct policy_mgr	*pm;
	struct xfrm_events	*xe;
	int			 s1701;		/* the L2TP daemon's */
	int			 esp_raw;	/* copies of incoming ESP */
	int			 s4500;		/* NAT-T socket */
	uint32_t		 spi_in;	/* of the running phase */
	/* events seen */
	unsigned int		 soft;
	unsigned int		 hard;
	unsigned int		 acquire;
	unsigned int		 lost;
	bool			 acquire_ok;
};

/* One direction's transform. */
struct dir_alg {
	enum xfrm_enc		 enc;
	uint8_t			 enc_key_len;
	enum xfrm_auth		 auth;
	uint8_t			 auth_key_len;
	uint8_t			 seed;		/* of the key bytes */
};

static struct side A = { .name = "A", .addr = "192.0.2.1" };
static struct side B = { .name = "B", .addr = "192.0.2.2" };
static struct event_base *base;


static void
die(const char *what)
{
	printf("FAIL setup: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
enter(struct side *s)
{
	if (setns(s->nsfd, CLONE_NEWNET) == -1)
		die("setns");
}

static int
udp_socket(uint16_t port)
{
	struct sockaddr_in sin;
	int fd;

	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		die("socket");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		die("bind");
	return fd;
}

static void
send_to(int fd, const char *addr, uint16_t port, const char *payload)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		die("inet_pton");
	/* May fail (EPERM, EAGAIN...) when a policy holds the packet. */
	(void)sendto(fd, payload, strlen(payload), 0,
	    (struct sockaddr *)&sin, sizeof(sin));
}

/* Read datagrams for up to ms; true if one carrying `payload` came. */
static bool
recv_payload(int fd, const char *payload, int ms)
{
	struct pollfd pfd;
	char buf[256];
	ssize_t n;

	for (;;) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, ms) != 1)
			return false;
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0)
			continue;
		buf[n] = '\0';
		if (strcmp(buf, payload) == 0)
			return true;
	}
}

/* Drain a socket; returns the number of datagrams read. */
static unsigned int
drain(int fd)
{
	char buf[2048];
	unsigned int n = 0;

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		n++;
	return n;
}

/* Sum of current bytes/packets of the ESP states, from `ip -s xfrm state`. */
static void
ip_counters(struct side *s, unsigned long long *bytes,
    unsigned long long *packets)
{
	FILE *p;
	char line[512];
	bool next = false;
	unsigned long long b, k;

	enter(s);
	*bytes = *packets = 0;
	if ((p = popen("ip -s xfrm state", "r")) == NULL)
		die("popen");
	while (fgets(line, sizeof(line), p) != NULL) {
		if (strstr(line, "lifetime current:") != NULL) {
			next = true;
			continue;
		}
		if (next && sscanf(line, " %llu(bytes), %llu(packets)", &b,
		    &k) == 2) {
			*bytes += b;
			*packets += k;
		}
		next = false;
	}
	pclose(p);
}

static void
keys(uint8_t *k, size_t len, uint8_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		k[i] = (uint8_t)(seed + i * 7);
}

/* The SA of `dir` on side s: from `src` to `dst` with the given SPI. */
static int
add_sa(struct side *s, enum xfrm_dir dir, struct side *src,
    struct side *dst, uint32_t spi, const struct dir_alg *alg, bool encap)
{
	struct xfrm_sa_req r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.family = AF_INET;
	r.dir = (uint8_t)dir;
	r.src = src->ip;
	r.dst = dst->ip;
	r.spi = spi;
	r.reqid = XFRM_REQID_L2TP;
	/* the L2TP flow: host to host, UDP, 1701 on the sender's side */
	xfrm_sel_any(&r.sel, AF_INET);
	r.sel.proto = IPPROTO_UDP;
	r.sel.src = src->ip;
	r.sel.src_plen = 32;
	r.sel.dst = dst->ip;
	r.sel.dst_plen = 32;
	r.sel.sport = L2TP_PORT;
	r.sel.sport_mask = 0xffff;
	r.enc = alg->enc;
	r.enc_key_len = alg->enc_key_len;
	keys(r.enc_key, alg->enc_key_len, alg->seed);
	r.auth = alg->auth;
	r.auth_key_len = alg->auth_key_len;
	keys(r.auth_key, alg->auth_key_len, (uint8_t)(alg->seed + 0x55));
	if (encap) {
		r.encap = 1;
		r.encap_sport = NATT_PORT;
		r.encap_dport = NATT_PORT;
	}
	r.replay_window = XFRM_REPLAY_MAX;
	r.soft_secs = 2700;
	r.hard_secs = 3600;
	r.soft_bytes = 1ULL << 30;
	r.hard_bytes = 1ULL << 31;
	enter(s);
	rc = xfrm_sa_add(s->be, &r);
	explicit_bzero(&r, sizeof(r));
	return rc;
}

/*
 * Install the pair on side s (peer p): its inbound SA on an allocated
 * SPI (exactly s->spi_in), its outbound one on the peer's SPI.
 */
static bool
install_side(struct side *s, struct side *p, const struct dir_alg *in,
    const struct dir_alg *out, bool encap)
{
	struct xfrm_spi_req sr;
	uint32_t spi = 0;

	memset(&sr, 0, sizeof(sr));
	sr.family = AF_INET;
	sr.peer = p->ip;
	sr.local = s->ip;
	sr.reqid = XFRM_REQID_L2TP;
	sr.spi_min = sr.spi_max = s->spi_in;
	enter(s);
	if (xfrm_spi_alloc(s->be, &sr, &spi) == -1 || spi != s->spi_in)
		return false;
	if (add_sa(s, XFRM_DIR_IN, p, s, s->spi_in, in, encap) == -1)
		return false;
	return add_sa(s, XFRM_DIR_OUT, s, p, p->spi_in, out, encap) == 0;
}

static bool
counters(struct side *s, struct side *dst, struct xfrm_sa_counters *c)
{
	struct xfrm_sa_id id;

	memset(&id, 0, sizeof(id));
	id.family = AF_INET;
	id.dst = dst->ip;
	id.spi = dst->spi_in;
	enter(s);
	return xfrm_sa_get_counters(s->be, &id, c) == 0;
}

static void
del_pair(struct side *s, struct side *p)
{
	struct xfrm_sa_id id;

	memset(&id, 0, sizeof(id));
	id.family = AF_INET;
	enter(s);
	id.dst = s->ip;
	id.spi = s->spi_in;
	check(xfrm_sa_del(s->be, &id) == 0, "sa-del-in", "%s 0x%08x",
	    s->name, id.spi);
	id.dst = p->ip;
	id.spi = p->spi_in;
	check(xfrm_sa_del(s->be, &id) == 0, "sa-del-out", "%s 0x%08x",
	    s->name, id.spi);
}

/* The headline: 1701 <-> 1701 both ways, through whatever SAs exist. */
static void
traffic(const char *phase, bool expect_esp_on_wire)
{
	struct xfrm_sa_counters ca, cb;
	unsigned long long b0a, p0a, b0b, p0b, b1a, p1a, b1b, p1b;
	unsigned int esp_b, esp_a;
	char name[64], msg[64];

	ip_counters(&A, &b0a, &p0a);
	ip_counters(&B, &b0b, &p0b);
	drain(A.esp_raw);
	drain(B.esp_raw);

	snprintf(msg, sizeof(msg), "l2tp %s A->B", phase);
	enter(&A);
	send_to(A.s1701, B.addr, L2TP_PORT, msg);
	snprintf(name, sizeof(name), "%s-a-to-b", phase);
	check(recv_payload(B.s1701, msg, WAIT_MS), name,
	    "UDP 1701 -> 1701 arrives");
	snprintf(msg, sizeof(msg), "l2tp %s B->A", phase);
	enter(&B);
	send_to(B.s1701, A.addr, L2TP_PORT, msg);
	snprintf(name, sizeof(name), "%s-b-to-a", phase);
	check(recv_payload(A.s1701, msg, WAIT_MS), name,
	    "UDP 1701 -> 1701 arrives");

	esp_b = drain(B.esp_raw);
	esp_a = drain(A.esp_raw);
	snprintf(name, sizeof(name), "%s-wire", phase);
	if (expect_esp_on_wire)
		check(esp_a >= 1 && esp_b >= 1, name, "ESP packets seen: "
		    "at A %u, at B %u", esp_a, esp_b);
	else
		check(esp_a == 0 && esp_b == 0, name, "no bare ESP (in UDP "
		    "instead): at A %u, at B %u", esp_a, esp_b);

	snprintf(name, sizeof(name), "%s-sa-counters", phase);
	if (counters(&A, &B, &ca) && counters(&B, &B, &cb))
		check(ca.packets >= 1 && ca.bytes > 0 && cb.packets >= 1 &&
		    cb.bytes > 0, name, "A out %llu pkts %llu B, B in %llu "
		    "pkts %llu B", (unsigned long long)ca.packets,
		    (unsigned long long)ca.bytes,
		    (unsigned long long)cb.packets,
		    (unsigned long long)cb.bytes);
	else
		check(false, name, "xfrm_sa_get_counters failed");

	ip_counters(&A, &b1a, &p1a);
	ip_counters(&B, &b1b, &p1b);
	snprintf(name, sizeof(name), "%s-ip-s-xfrm-state", phase);
	check(p1a >= p0a + 2 && p1b >= p0b + 2 && b1a > b0a && b1b > b0b,
	    name, "A %llu -> %llu pkts, %llu -> %llu B; B %llu -> %llu pkts, "
	    "%llu -> %llu B", p0a, p1a, b0a, b1a, p0b, p1b, b0b, b1b);
}

/* Cleartext to 1701 from B (ephemeral port: no policy, no ESP). */
static void
cleartext(const char *phase)
{
	char name[64], msg[64];
	int s, other;

	enter(&B);
	s = udp_socket(0);
	enter(&A);
	other = udp_socket(1702);
	snprintf(msg, sizeof(msg), "cleartext %s", phase);
	enter(&B);
	send_to(s, A.addr, L2TP_PORT, msg);
	send_to(s, A.addr, 1702, msg);
	snprintf(name, sizeof(name), "%s-cleartext-1702-arrives", phase);
	check(recv_payload(other, msg, WAIT_MS), name, "control: another "
	    "port is not affected");
	snprintf(name, sizeof(name), "%s-cleartext-1701-dropped", phase);
	check(!recv_payload(A.s1701, msg, QUIET_MS), name, "never reaches "
	    "the socket bound to 1701");
	close(s);
	close(other);
}

static void
event_cb(const struct xfrm_event *e, void *arg)
{
	struct side *s = arg;
	char a[XFRM_ADDRSTRLEN];

	printf("     event on %s: %s spi 0x%08x dst %s reqid 0x%08x\n",
	    s->name, xfrm_event_type_name(e->type), e->spi,
	    xfrm_addr_ntop(e->family, &e->dst, a, sizeof(a)), e->reqid);
	switch (e->type) {
	case XFRM_EVENT_EXPIRE_SOFT:
		if (e->spi == 0x7e570001 && e->ours)
			s->soft++;
		break;
	case XFRM_EVENT_EXPIRE_HARD:
		if (e->spi == 0x7e570001 && e->ours)
			s->hard++;
		break;
	case XFRM_EVENT_ACQUIRE:
		s->acquire++;
		if (strcmp(a, "192.0.2.3") == 0 && e->ours &&
		    e->sel.sport == L2TP_PORT && e->reqid == XFRM_REQID_L2TP)
			s->acquire_ok = true;
		break;
	case XFRM_EVENT_LOST:
		s->lost++;
		break;
	}
}

static void
run_loop_until(bool (*done)(void), int ms)
{
	int i;

	for (i = 0; i < ms / 20 && !done(); i++) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		usleep(20000);
	}
	event_base_loop(base, EVLOOP_NONBLOCK);
}

static bool
expired(void)
{
	return A.hard > 0;
}

static bool
acquired(void)
{
	return A.acquire_ok;
}

static void
events(void)
{
	struct dir_alg alg = { XFRM_ENC_AES_CBC, 16, XFRM_AUTH_HMAC_SHA1_96,
	    20, 0x90 };
	struct xfrm_sa_req r;

	/* ACQUIRE: a 1701 packet to a peer without SA */
	enter(&A);
	send_to(A.s1701, "192.0.2.3", L2TP_PORT, "no SA yet");
	run_loop_until(acquired, 3000);
	check(A.acquire_ok, "event-acquire", "%u acquire events", A.acquire);

	/* expiry: soft after 1 s, hard after 2 s */
	memset(&r, 0, sizeof(r));
	r.family = AF_INET;
	r.dir = XFRM_DIR_OUT;
	r.src = A.ip;
	if (inet_pton(AF_INET, "192.0.2.4", &r.dst) != 1)
		die("inet_pton");
	r.spi = 0x7e570001;
	r.reqid = XFRM_REQID_L2TP;
	r.enc = alg.enc;
	r.enc_key_len = alg.enc_key_len;
	keys(r.enc_key, alg.enc_key_len, alg.seed);
	r.auth = alg.auth;
	r.auth_key_len = alg.auth_key_len;
	keys(r.auth_key, alg.auth_key_len, alg.seed);
	r.soft_secs = 1;
	r.hard_secs = 2;
	check(xfrm_sa_add(A.be, &r) == 0, "event-sa-add", "SA with 1 s/2 s "
	    "lifetimes");
	explicit_bzero(&r, sizeof(r));
	run_loop_until(expired, 8000);
	check(A.soft == 1 && A.hard == 1, "event-expire", "soft %u, hard %u",
	    A.soft, A.hard);
	check(A.lost == 0 && B.lost == 0, "event-none-lost", NULL);
}

struct count {
	unsigned int	 ours;
	unsigned int	 ours_acq;
	unsigned int	 foreign;
};

static int
count_sa(const struct xfrm_sa_info *sa, void *arg)
{
	struct count *c = arg;

	if (sa->ours && sa->spi == 0)
		c->ours_acq++;
	else if (sa->ours)
		c->ours++;
	else
		c->foreign++;
	return 0;
}

static int
count_policy(const struct xfrm_policy_info *p, void *arg)
{
	struct count *c = arg;

	if (p->ours)
		c->ours++;
	else
		c->foreign++;
	return 0;
}

static void
counts(struct side *s, struct count *sas, struct count *pols)
{
	memset(sas, 0, sizeof(*sas));
	memset(pols, 0, sizeof(*pols));
	enter(s);
	if (xfrm_sa_dump(s->be, count_sa, sas) == -1 ||
	    xfrm_policy_dump(s->be, count_policy, pols) == -1)
		die("dump");
}

static struct side *wait_side;

static bool
no_acq(void)
{
	struct count sas, pols;

	counts(wait_side, &sas, &pols);
	return sas.ours_acq == 0;
}

static void
flush(struct side *s)
{
	struct count sas0, pols0, sas, pols;
	unsigned int nsa, npol;
	char name[64];

	counts(s, &sas0, &pols0);
	enter(s);
	snprintf(name, sizeof(name), "flush-%s", s->name);
	check(xfrm_flush_ours(s->be, XFRM_FLUSH_ALL, &nsa, &npol) == 0 &&
	    nsa == sas0.ours && npol == pols0.ours, name,
	    "removed %u of %u SAs, %u of %u policies", nsa, sas0.ours, npol,
	    pols0.ours);
	counts(s, &sas, &pols);
	snprintf(name, sizeof(name), "flush-%s-none-left", s->name);
	check(sas.ours == 0 && pols.ours == 0, name, "%u SAs, %u policies "
	    "of ours left", sas.ours, pols.ours);
	snprintf(name, sizeof(name), "flush-%s-foreign-kept", s->name);
	check(sas.foreign == sas0.foreign && pols.foreign == pols0.foreign,
	    name, "%u foreign SAs, %u foreign policies", sas.foreign,
	    pols.foreign);
	/* acquire states (no SPI) are not deletable: they expire */
	wait_side = s;
	run_loop_until(no_acq, 10000);
	counts(s, &sas, &pols);
	snprintf(name, sizeof(name), "flush-%s-acquire-states-expired",
	    s->name);
	check(sas.ours_acq == 0, name, "%u left", sas.ours_acq);
}

static void
setup_side(struct side *s, const char *nspath)
{
	int one = UDP_ENCAP_ESPINUDP;
	char name[64];

	if ((s->nsfd = open(nspath, O_RDONLY | O_CLOEXEC)) == -1)
		die(nspath);
	if (inet_pton(AF_INET, s->addr, &s->ip) != 1)
		die("inet_pton");
	enter(s);
	if ((s->be = xfrm_backend_new(CONF_KERNEL_XFRM)) == NULL)
		die("xfrm_backend_new");
	s->pm = policy_mgr_new(base, s->be, NULL);
	snprintf(name, sizeof(name), "policy-mgr-%s", s->name);
	check(s->pm != NULL && policy_mgr_count(s->pm) >= 3, name,
	    "%zu policies", s->pm != NULL ? policy_mgr_count(s->pm) : 0);
	if (s->pm == NULL)
		exit(1);
	s->xe = xfrm_events_new(s->be, base, XFRM_EVENTS_ACQUIRE, event_cb, s);
	if (s->xe == NULL)
		die("xfrm_events_new");
	s->s1701 = udp_socket(L2TP_PORT);
	if ((s->esp_raw = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, IPPROTO_ESP)) == -1)
		die("raw ESP socket");
	/* the IKE socket of NAT-T: bypass, ESP-in-UDP decapsulation */
	s->s4500 = udp_socket(NATT_PORT);
	snprintf(name, sizeof(name), "socket-bypass-%s", s->name);
	check(xfrm_socket_bypass(s->be, s->s4500, AF_INET) == 0, name, NULL);
	if (setsockopt(s->s4500, IPPROTO_UDP, UDP_ENCAP, &one,
	    sizeof(one)) == -1)
		die("UDP_ENCAP");
}

int
main(int argc, char *argv[])
{
	/* direct: A->B AES-256-CBC/SHA-256, B->A AES-128-GCM */
	static const struct dir_alg ab = { XFRM_ENC_AES_CBC, 32,
	    XFRM_AUTH_HMAC_SHA256_128, 32, 0x10 };
	static const struct dir_alg ba = { XFRM_ENC_AES_GCM16, 20,
	    XFRM_AUTH_NONE, 0, 0x20 };
	/* NAT-T: A->B 3DES/SHA1, B->A AES-128-CBC/SHA1 */
	static const struct dir_alg ab2 = { XFRM_ENC_3DES_CBC, 24,
	    XFRM_AUTH_HMAC_SHA1_96, 20, 0x30 };
	static const struct dir_alg ba2 = { XFRM_ENC_AES_CBC, 16,
	    XFRM_AUTH_HMAC_SHA1_96, 20, 0x40 };
	struct count sas, pols;

	if (argc != 3) {
		fprintf(stderr, "usage: xfrm_probe NETNS_A NETNS_B\n");
		return 2;
	}
	log_init("xfrm_probe", true, 0);
	log_setlevel(LOG_LEVEL_INFO);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((base = event_base_new()) == NULL)
		die("event_base_new");
	setup_side(&A, argv[1]);
	setup_side(&B, argv[2]);

	cleartext("no-sa");

	/* direct ESP */
	A.spi_in = 0xa0000001;
	B.spi_in = 0xb0000001;
	check(install_side(&A, &B, &ba, &ab, false), "sa-pair-A",
	    "in 0x%08x aes-gcm16, out 0x%08x aes-cbc-256/hmac-sha256-128",
	    A.spi_in, B.spi_in);
	check(install_side(&B, &A, &ab, &ba, false), "sa-pair-B",
	    "in 0x%08x, out 0x%08x", B.spi_in, A.spi_in);
	traffic("esp", true);
	cleartext("esp");
	del_pair(&A, &B);
	del_pair(&B, &A);

	/* NAT-T: ESP in UDP 4500 <-> 4500 */
	A.spi_in = 0xa0000002;
	B.spi_in = 0xb0000002;
	check(install_side(&A, &B, &ba2, &ab2, true), "natt-sa-pair-A",
	    "in 0x%08x aes-cbc-128/hmac-sha1-96, out 0x%08x "
	    "3des-cbc/hmac-sha1-96, udp-encap 4500", A.spi_in, B.spi_in);
	check(install_side(&B, &A, &ab2, &ba2, true), "natt-sa-pair-B",
	    "in 0x%08x, out 0x%08x", B.spi_in, A.spi_in);
	traffic("natt", false);
	cleartext("natt");

	events();

	/* cleanup of ours only, while the managers still run */
	flush(&A);
	flush(&B);
	policy_mgr_free(A.pm);
	policy_mgr_free(B.pm);
	counts(&A, &sas, &pols);
	check(sas.ours == 0 && pols.ours == 0 && sas.foreign >= 1 &&
	    pols.foreign >= 1, "end-A", "ours %u/%u, foreign %u SAs %u "
	    "policies", sas.ours, pols.ours, sas.foreign, pols.foreign);
	counts(&B, &sas, &pols);
	check(sas.ours == 0 && pols.ours == 0, "end-B", "ours %u/%u",
	    sas.ours, pols.ours);
	xfrm_events_free(A.xe);
	xfrm_events_free(B.xe);
	xfrm_backend_free(A.be);
	xfrm_backend_free(B.be);
	event_base_free(base);
	printf("xfrm_probe: %u passed, %u failed\n", probe_passed, probe_failed);
	return probe_failed == 0 ? 0 : 1;
}
