/*
 * priv.c - privilege separation: the request menu's parser and builder,
 * the parent's executor, the IKE process's kernel operations through
 * the parent, and the privilege drop (see priv.h).
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <linux/capability.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "ikd/cert.h"
#include "ikd/ikd.h"
#include "ikd/policy.h"
#include "ikd/priv.h"
#include "lib/buf.h"
#include "lib/log.h"

#define PRIV_TAG	"priv"

_Static_assert(PRIV_REPLY_HDR + sizeof(struct priv_policy_list) <=
    PRIV_MSG_MAX, "policy list reply does not fit PRIV_MSG_MAX");
_Static_assert(PRIV_REQ_HDR + sizeof(struct xfrm_sa_req) <= PRIV_MSG_MAX,
    "SA request does not fit PRIV_MSG_MAX");
_Static_assert(PRIV_REPLY_HDR + sizeof(struct priv_sig) <= PRIV_MSG_MAX,
    "signature reply does not fit PRIV_MSG_MAX");
_Static_assert(PRIV_SIG_MAX >= IKD_SIG_MAX, "PRIV_SIG_MAX < IKD_SIG_MAX");

/* Body sizes of each type's request and (successful) reply. */
static bool
priv_sizes(uint32_t type, size_t *req, size_t *reply)
{
	switch (type) {
	case PRIV_SPI_ALLOC:
		*req = sizeof(struct xfrm_spi_req);
		*reply = sizeof(uint32_t);
		return true;
	case PRIV_SA_ADD:
		*req = sizeof(struct xfrm_sa_req);
		*reply = 0;
		return true;
	case PRIV_SA_DEL:
		*req = sizeof(struct xfrm_sa_id);
		*reply = 0;
		return true;
	case PRIV_SA_COUNTERS:
		*req = sizeof(struct xfrm_sa_id);
		*reply = sizeof(struct xfrm_sa_counters);
		return true;
	case PRIV_POLICY_LIST:
		*req = 0;
		*reply = sizeof(struct priv_policy_list);
		return true;
	case PRIV_L2TP_REGISTER:
		*req = sizeof(struct priv_l2tp);
		*reply = sizeof(uint32_t);
		return true;
	case PRIV_SIGN:
		*req = sizeof(struct priv_sign);
		*reply = sizeof(struct priv_sig);
		return true;
	}
	return false;
}

const char *
priv_type_name(enum priv_type t)
{
	switch (t) {
	case PRIV_SPI_ALLOC:
		return "spi-alloc";
	case PRIV_SA_ADD:
		return "sa-add";
	case PRIV_SA_DEL:
		return "sa-del";
	case PRIV_SA_COUNTERS:
		return "sa-counters";
	case PRIV_POLICY_LIST:
		return "policy-list";
	case PRIV_L2TP_REGISTER:
		return "l2tp-register";
	case PRIV_SIGN:
		return "sign";
	}
	return "?";
}

size_t
priv_req_build(uint8_t *buf, size_t cap, uint32_t type, uint32_t seq,
    const void *body, size_t len)
{
	struct wbuf w;

	wbuf_init(&w, buf, cap);
	wbuf_put_u32(&w, type);
	wbuf_put_u32(&w, seq);
	wbuf_put_bytes(&w, body, len);
	return wbuf_ok(&w) ? wbuf_len(&w) : 0;
}

bool
priv_req_parse(const uint8_t *p, size_t len, struct priv_req *out,
    uint32_t *seq_out, const char **why)
{
	struct rbuf r;
	uint32_t type;
	size_t blen, rlen;

	*seq_out = 0;
	memset(out, 0, sizeof(*out));
	rbuf_init(&r, p, len);
	if (!rbuf_get_u32(&r, &type) || !rbuf_get_u32(&r, &out->seq)) {
		*why = "short header";
		return false;
	}
	*seq_out = out->seq;
	if (!priv_sizes(type, &blen, &rlen)) {
		*why = "type not on the menu";
		return false;
	}
	out->type = (enum priv_type)type;
	if (rbuf_left(&r) != blen) {
		*why = "wrong body size";
		return false;
	}
	if (blen > 0 && !rbuf_get_bytes(&r, &out->u, blen)) {
		*why = "short body";
		return false;
	}
	switch (out->type) {
	case PRIV_SPI_ALLOC:
		return xfrm_spi_req_check(&out->u.spi, why);
	case PRIV_SA_ADD:
		return xfrm_sa_req_check(&out->u.sa, why);
	case PRIV_SA_DEL:
	case PRIV_SA_COUNTERS:
		return xfrm_sa_id_check(&out->u.id, why);
	case PRIV_POLICY_LIST:
		return true;
	case PRIV_SIGN:
		if (out->u.sign.len < PRIV_SIGN_HASH_MIN ||
		    out->u.sign.len > PRIV_SIGN_HASH_MAX) {
			*why = "hash length out of range";
			return false;
		}
		if (out->u.sign.ident >= IKD_IDENT_MAX) {
			*why = "no such certificate";
			return false;
		}
		return true;
	case PRIV_L2TP_REGISTER:
		if (out->u.l2tp.port == 0) {
			*why = "port 0";
			return false;
		}
		return true;
	}
	*why = "type not on the menu";
	return false;
}

static size_t
reply_build(uint8_t *out, uint32_t type, uint32_t seq, int result, int err,
    const void *body, size_t len)
{
	struct wbuf w;

	wbuf_init(&w, out, PRIV_MSG_MAX);
	wbuf_put_u32(&w, type);
	wbuf_put_u32(&w, seq);
	wbuf_put_u32(&w, (uint32_t)result);
	wbuf_put_u32(&w, (uint32_t)err);
	if (result == 0)
		wbuf_put_bytes(&w, body, len);
	/* cannot overflow: see the static asserts */
	return wbuf_len(&w);
}

struct list_ctx {
	struct priv_policy_list	*l;
};

static void
list_cb(const struct xfrm_policy_req *req, bool installed, void *arg)
{
	struct list_ctx *lc = arg;

	if (lc->l->n >= PRIV_POLICY_MAX)
		return;
	lc->l->p[lc->l->n].req = *req;
	lc->l->p[lc->l->n].installed = installed ? 1 : 0;
	lc->l->n++;
}

static int
l2tp_register(struct priv_parent *pp, uint16_t port, uint32_t *n)
{
	struct policy_mgr_opts o;
	uint16_t old = pp->l2tp_port;

	if (pp->pm != NULL && port == pp->l2tp_port) {
		/* make sure: re-read the addresses, add what is missing */
		if (policy_mgr_resync(pp->pm) == -1)
			return -1;
		*n = (uint32_t)policy_mgr_count(pp->pm);
		return 0;
	}
	/*
	 * XXX another port: the old policies go before the new ones are in
	 * (policy_mgr_new removes every policy of ours first), a window of
	 * a few netlink round trips without the L2TP policy.
	 */
	log_info("L2TP port %u registered (policies were for %u)", port,
	    old);
	policy_mgr_free(pp->pm);
	pp->pm = NULL;
	memset(&o, 0, sizeof(o));
	o.l2tp_port = port;
	if ((pp->pm = policy_mgr_new(pp->base, pp->xb, &o)) == NULL) {
		log_warnx("L2TP policies for port %u failed, back to %u",
		    port, old);
		o.l2tp_port = old;
		pp->pm = policy_mgr_new(pp->base, pp->xb, &o);
		errno = EIO;
		return -1;
	}
	pp->l2tp_port = port;
	*n = (uint32_t)policy_mgr_count(pp->pm);
	return 0;
}

size_t
priv_parent_handle(struct priv_parent *pp, const uint8_t *p, size_t len,
    uint8_t *out)
{
	struct priv_req req;
	struct priv_policy_list list;
	struct priv_sig sig;
	struct xfrm_sa_counters ctr;
	struct list_ctx lc;
	const char *why = "";
	uint32_t seq, type, v32 = 0;
	int rc = -1, err = 0;
	size_t n = 0, siglen;
	const void *body = NULL;

	if (!priv_req_parse(p, len, &req, &seq, &why)) {
		pp->refused++;
		log_warnx("%s: refused a request of %zu bytes (type %u): %s",
		    PRIV_TAG, len, len >= 4 ? (unsigned int)p[0] << 24 |
		    (unsigned int)p[1] << 16 | (unsigned int)p[2] << 8 | p[3] :
		    0u, why);
		explicit_bzero(&req, sizeof(req));
		return reply_build(out, len >= 4 ? (uint32_t)p[0] << 24 |
		    (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] : 0, seq,
		    -1, EPERM, NULL, 0);
	}
	pp->handled++;
	log_debug("%s: %s #%u", PRIV_TAG, priv_type_name(req.type), req.seq);
	switch (req.type) {
	case PRIV_SPI_ALLOC:
		rc = xfrm_spi_alloc(pp->xb, &req.u.spi, &v32);
		body = &v32;
		n = sizeof(v32);
		break;
	case PRIV_SA_ADD:
		rc = xfrm_sa_add(pp->xb, &req.u.sa);
		break;
	case PRIV_SA_DEL:
		rc = xfrm_sa_del(pp->xb, &req.u.id);
		break;
	case PRIV_SA_COUNTERS:
		memset(&ctr, 0, sizeof(ctr));
		rc = xfrm_sa_get_counters(pp->xb, &req.u.id, &ctr);
		body = &ctr;
		n = sizeof(ctr);
		break;
	case PRIV_POLICY_LIST:
		memset(&list, 0, sizeof(list));
		lc.l = &list;
		list.l2tp_port = pp->l2tp_port;
		if (pp->pm != NULL)
			policy_mgr_foreach(pp->pm, list_cb, &lc);
		rc = 0;
		body = &list;
		n = sizeof(list);
		break;
	case PRIV_L2TP_REGISTER:
		rc = l2tp_register(pp, req.u.l2tp.port, &v32);
		body = &v32;
		n = sizeof(v32);
		break;
	case PRIV_SIGN:
		memset(&sig, 0, sizeof(sig));
		siglen = sizeof(sig.sig);
		if (pp->certs == NULL) {
			errno = EPERM;
			break;
		}
		if ((rc = ikd_certs_sign(pp->certs, req.u.sign.ident,
		    req.u.sign.hash, req.u.sign.len, sig.sig, &siglen)) ==
		    -1) {
			log_warnx("%s: signing with our certificate key failed",
			    PRIV_TAG);
			errno = EIO;
		}
		sig.len = (uint32_t)siglen;
		body = &sig;
		n = sizeof(sig);
		break;
	}
	if (rc == -1)
		err = errno != 0 ? errno : EIO;
	type = (uint32_t)req.type;
	explicit_bzero(&req, sizeof(req));
	return reply_build(out, type, seq, rc, err, body, n);
}

int
priv_parent_serve(struct priv_parent *pp, int fd)
{
	uint8_t in[PRIV_MSG_MAX + 1], out[PRIV_MSG_MAX];
	ssize_t n;
	size_t rlen;

	n = recv(fd, in, sizeof(in), MSG_TRUNC | MSG_DONTWAIT);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		log_warn("%s: recv", PRIV_TAG);
		return -1;
	}
	if (n == 0)
		return -1;
	/* too long (MSG_TRUNC gives the real size): refused by size */
	rlen = priv_parent_handle(pp, in, (size_t)n > sizeof(in) ?
	    sizeof(in) : (size_t)n, out);
	explicit_bzero(in, sizeof(in));
	if (send(fd, out, rlen, MSG_NOSIGNAL) == -1) {
		log_warn("%s: send", PRIV_TAG);
		return -1;
	}
	return 0;
}

int
priv_call(struct priv_client *pc, enum priv_type type, const void *body,
    size_t len, void *rbody, size_t rlen)
{
	uint8_t buf[PRIV_MSG_MAX];
	struct rbuf r;
	uint32_t rtype, rseq, result, err;
	size_t reqlen, replylen;
	ssize_t n;

	if (!priv_sizes(type, &reqlen, &replylen) || reqlen != len ||
	    replylen != rlen) {
		log_warnx("%s: bad call of %s", PRIV_TAG, priv_type_name(type));
		errno = EINVAL;
		return -1;
	}
	if (++pc->seq == 0)
		pc->seq = 1;
	n = (ssize_t)priv_req_build(buf, sizeof(buf), type, pc->seq, body,
	    len);
	do {
		n = send(pc->fd, buf, (size_t)n, MSG_NOSIGNAL);
	} while (n == -1 && errno == EINTR);
	explicit_bzero(buf, sizeof(buf));
	if (n == -1)
		fatal("%s: the privileged process is gone (send)", PRIV_TAG);
	do {
		n = recv(pc->fd, buf, sizeof(buf), 0);
	} while (n == -1 && errno == EINTR);
	if (n <= 0)
		fatalx("%s: the privileged process is gone", PRIV_TAG);
	rbuf_init(&r, buf, (size_t)n);
	if (!rbuf_get_u32(&r, &rtype) || !rbuf_get_u32(&r, &rseq) ||
	    !rbuf_get_u32(&r, &result) || !rbuf_get_u32(&r, &err) ||
	    rtype != type || rseq != pc->seq ||
	    (result == 0 && rbuf_left(&r) != rlen) ||
	    (result != 0 && (result != (uint32_t)-1 || rbuf_left(&r) != 0 ||
	    err == 0))) {
		log_warnx("%s: malformed reply to %s #%u (%zd bytes)",
		    PRIV_TAG, priv_type_name(type), pc->seq, n);
		errno = EPROTO;
		return -1;
	}
	if (result != 0) {
		errno = (int)err;
		return -1;
	}
	if (rlen > 0)
		(void)rbuf_get_bytes(&r, rbody, rlen);
	return 0;
}

static int
k_spi_alloc(void *arg, const struct xfrm_spi_req *r, uint32_t *spi)
{
	return priv_call(arg, PRIV_SPI_ALLOC, r, sizeof(*r), spi,
	    sizeof(*spi));
}

static int
k_sa_add(void *arg, const struct xfrm_sa_req *r)
{
	return priv_call(arg, PRIV_SA_ADD, r, sizeof(*r), NULL, 0);
}

static int
k_sa_del(void *arg, const struct xfrm_sa_id *id)
{
	return priv_call(arg, PRIV_SA_DEL, id, sizeof(*id), NULL, 0);
}

static int
k_sa_counters(void *arg, const struct xfrm_sa_id *id,
    struct xfrm_sa_counters *out)
{
	return priv_call(arg, PRIV_SA_COUNTERS, id, sizeof(*id), out,
	    sizeof(*out));
}

int
priv_sign(void *arg, unsigned int ident, const uint8_t *hash, size_t hlen,
    uint8_t *sig, size_t *siglen)
{
	struct priv_sign req;
	struct priv_sig rep;

	if (hlen < PRIV_SIGN_HASH_MIN || hlen > PRIV_SIGN_HASH_MAX)
		return -1;
	memset(&req, 0, sizeof(req));
	req.ident = ident;
	req.len = (uint32_t)hlen;
	memcpy(req.hash, hash, hlen);
	if (priv_call(arg, PRIV_SIGN, &req, sizeof(req), &rep,
	    sizeof(rep)) == -1)
		return -1;
	if (rep.len == 0 || rep.len > sizeof(rep.sig) || rep.len > *siglen) {
		log_warnx("%s: signature reply of %u bytes", PRIV_TAG, rep.len);
		return -1;
	}
	memcpy(sig, rep.sig, rep.len);
	*siglen = rep.len;
	return 0;
}

const struct ikd_kernel_ops priv_kernel_ops = {
	.spi_alloc = k_spi_alloc,
	.sa_add = k_sa_add,
	.sa_del = k_sa_del,
	.sa_counters = k_sa_counters,
	.sign = priv_sign,
};

/* True if any capability set of this process is non-empty. */
static int
has_caps(bool *any)
{
	struct __user_cap_header_struct h;
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	size_t i;

	memset(&h, 0, sizeof(h));
	memset(d, 0, sizeof(d));
	h.version = _LINUX_CAPABILITY_VERSION_3;
	if (syscall(SYS_capget, &h, d) == -1)
		return -1;
	*any = false;
	for (i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
		if (d[i].effective != 0 || d[i].permitted != 0 ||
		    d[i].inheritable != 0)
			*any = true;
	return 0;
}

int
priv_drop(const char *user)
{
	struct passwd *pw;
	uid_t uid;
	gid_t gid;
	bool caps;

	if (geteuid() == 0) {
		errno = 0;
		if ((pw = getpwnam(user)) == NULL) {
			log_warnx("%s: no user \"%s\" to run as", PRIV_TAG,
			    user);
			return -1;
		}
		uid = pw->pw_uid;
		gid = pw->pw_gid;
		if (uid == 0) {
			log_warnx("%s: user \"%s\" is root", PRIV_TAG, user);
			return -1;
		}
		if (setgroups(0, NULL) == -1 || setresgid(gid, gid, gid) == -1 ||
		    setresuid(uid, uid, uid) == -1) {
			log_warn("%s: cannot become %s", PRIV_TAG, user);
			return -1;
		}
	} else {
		uid = geteuid();
		gid = getegid();
		log_info("%s: not started as root, the IKE process keeps uid "
		    "%u", PRIV_TAG, (unsigned int)uid);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		log_warn("%s: PR_SET_NO_NEW_PRIVS", PRIV_TAG);
		return -1;
	}
	/* no way back */
	if (setuid(0) != -1 || setgid(0) != -1) {
		log_warnx("%s: could regain root after dropping", PRIV_TAG);
		return -1;
	}
	if (has_caps(&caps) == -1) {
		log_warn("%s: capget", PRIV_TAG);
		return -1;
	}
	if (caps) {
		log_warnx("%s: capabilities left after dropping", PRIV_TAG);
		return -1;
	}
	log_info("%s: IKE process %d runs as uid %u gid %u, no capabilities",
	    PRIV_TAG, (int)getpid(), (unsigned int)uid, (unsigned int)gid);
	return 0;
}
