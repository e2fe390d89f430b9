/*
 * nl.c - netlink requests and replies on libmnl, bounded and checked.
 *
 * libmnl opens the socket and builds requests; replies are walked here,
 * not with mnl_cb_run, because we want messages of other sequences to be
 * dropped rather than fail the request, the sender to be the kernel, and
 * the extended-ack text to be parsed with the same checks as any other
 * attribute.
 */
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/xfrm.h>

#include "clock.h"
#include "log.h"
#include "nl.h"

/* The kernel's macros are int or unsigned; compare lengths as size_t. */
#define NL_HDRLEN	((size_t)NLMSG_HDRLEN)
#define NL_ATTR_HDRLEN	((size_t)NLA_HDRLEN)

_Static_assert(NL_REQ_MAX <= UINT16_MAX,
    "nested attribute lengths must fit nla_len");
_Static_assert(NL_REQ_MAX % NLMSG_ALIGNTO == 0, "aligned request size");

struct nl_sock {
	struct mnl_socket	*mnl;
	int			 bus;
	uint32_t		 portid;
	uint32_t		 seq;
	_Alignas(8) uint8_t	 rbuf[NL_RECV_MAX];
};

static size_t
nl_align(size_t len)
{
	return (len + NLMSG_ALIGNTO - 1) & ~(size_t)(NLMSG_ALIGNTO - 1);
}

const char *
nl_bus_name(int bus)
{
	switch (bus) {
	case NETLINK_ROUTE:
		return "route";
	case NETLINK_XFRM:
		return "xfrm";
	case NETLINK_GENERIC:
		return "genl";
	}
	return "?";
}

const char *
nl_msg_type_name(int bus, uint16_t type)
{
	switch (type) {
	case NLMSG_NOOP:
		return "NOOP";
	case NLMSG_ERROR:
		return "ERROR";
	case NLMSG_DONE:
		return "DONE";
	case NLMSG_OVERRUN:
		return "OVERRUN";
	}
	switch (bus) {
	case NETLINK_ROUTE:
		switch (type) {
		case RTM_NEWLINK:
			return "NEWLINK";
		case RTM_DELLINK:
			return "DELLINK";
		case RTM_GETLINK:
			return "GETLINK";
		case RTM_NEWADDR:
			return "NEWADDR";
		case RTM_DELADDR:
			return "DELADDR";
		case RTM_GETADDR:
			return "GETADDR";
		case RTM_NEWROUTE:
			return "NEWROUTE";
		case RTM_DELROUTE:
			return "DELROUTE";
		case RTM_GETROUTE:
			return "GETROUTE";
		}
		break;
	case NETLINK_XFRM:
		switch (type) {
		case XFRM_MSG_NEWSA:
			return "NEWSA";
		case XFRM_MSG_DELSA:
			return "DELSA";
		case XFRM_MSG_GETSA:
			return "GETSA";
		case XFRM_MSG_NEWPOLICY:
			return "NEWPOLICY";
		case XFRM_MSG_DELPOLICY:
			return "DELPOLICY";
		case XFRM_MSG_GETPOLICY:
			return "GETPOLICY";
		case XFRM_MSG_ALLOCSPI:
			return "ALLOCSPI";
		case XFRM_MSG_ACQUIRE:
			return "ACQUIRE";
		case XFRM_MSG_EXPIRE:
			return "EXPIRE";
		case XFRM_MSG_UPDPOLICY:
			return "UPDPOLICY";
		case XFRM_MSG_UPDSA:
			return "UPDSA";
		case XFRM_MSG_POLEXPIRE:
			return "POLEXPIRE";
		case XFRM_MSG_FLUSHSA:
			return "FLUSHSA";
		case XFRM_MSG_FLUSHPOLICY:
			return "FLUSHPOLICY";
		case XFRM_MSG_NEWAE:
			return "NEWAE";
		case XFRM_MSG_GETAE:
			return "GETAE";
		case XFRM_MSG_MAPPING:
			return "MAPPING";
		}
		break;
	case NETLINK_GENERIC:
		if (type == GENL_ID_CTRL)
			return "nlctrl";
		return "family";
	}
	return "?";
}

const char *
nl_attr_kind_name(enum nl_attr_kind kind)
{
	switch (kind) {
	case NL_ATTR_UNSPEC:
		return "unspec";
	case NL_ATTR_FLAG:
		return "flag";
	case NL_ATTR_U8:
		return "u8";
	case NL_ATTR_U16:
		return "u16";
	case NL_ATTR_U32:
		return "u32";
	case NL_ATTR_U64:
		return "u64";
	case NL_ATTR_STRING:
		return "string";
	case NL_ATTR_BINARY:
		return "binary";
	case NL_ATTR_NESTED:
		return "nested";
	}
	return "?";
}

/*
 * Socket.
 */

static void
nl_setopt_soft(struct nl_sock *s, int opt, const char *name)
{
	int one = 1;

	/* Old kernels lack these; requests still work, only less verbose. */
	if (mnl_socket_setsockopt(s->mnl, opt, &one, sizeof(one)) == -1)
		log_debug("netlink %s: %s not available: %s",
		    nl_bus_name(s->bus), name, strerror(errno));
}

struct nl_sock *
nl_open(int bus, unsigned int groups)
{
	struct nl_sock *s;
	int saved;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		log_warn("netlink %s: calloc", nl_bus_name(bus));
		return NULL;
	}
	s->bus = bus;
	if ((s->mnl = mnl_socket_open2(bus, SOCK_CLOEXEC)) == NULL) {
		log_warn("netlink %s: socket", nl_bus_name(bus));
		goto fail;
	}
	nl_setopt_soft(s, NETLINK_EXT_ACK, "NETLINK_EXT_ACK");
	nl_setopt_soft(s, NETLINK_CAP_ACK, "NETLINK_CAP_ACK");
	if (mnl_socket_bind(s->mnl, groups, MNL_SOCKET_AUTOPID) == -1) {
		log_warn("netlink %s: bind groups 0x%x", nl_bus_name(bus),
		    groups);
		goto fail;
	}
	s->portid = mnl_socket_get_portid(s->mnl);
	s->seq = (uint32_t)clock_mono_ms();
	return s;
fail:
	saved = errno;
	nl_close(s);
	errno = saved;
	return NULL;
}

void
nl_close(struct nl_sock *s)
{
	if (s == NULL)
		return;
	if (s->mnl != NULL)
		mnl_socket_close(s->mnl);
	free(s);
}

int
nl_fd(const struct nl_sock *s)
{
	return mnl_socket_get_fd(s->mnl);
}

uint32_t
nl_portid(const struct nl_sock *s)
{
	return s->portid;
}

int
nl_add_membership(struct nl_sock *s, unsigned int group)
{
	int g = (int)group;

	if (mnl_socket_setsockopt(s->mnl, NETLINK_ADD_MEMBERSHIP, &g,
	    sizeof(g)) == -1) {
		log_warn("netlink %s: join group %u", nl_bus_name(s->bus),
		    group);
		return -1;
	}
	return 0;
}

/*
 * Requests.
 */

void
nl_req_init(struct nl_req *req, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh;

	memset(req->buf, 0, sizeof(req->buf));
	req->overflow = false;
	nlh = mnl_nlmsg_put_header(req->buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
}

struct nlmsghdr *
nl_req_hdr(struct nl_req *req)
{
	return (struct nlmsghdr *)(void *)req->buf;
}

size_t
nl_req_len(const struct nl_req *req)
{
	const struct nlmsghdr *nlh = (const void *)req->buf;

	return nlh->nlmsg_len;
}

bool
nl_req_ok(const struct nl_req *req)
{
	return !req->overflow;
}

void *
nl_req_put_extra_header(struct nl_req *req, size_t size)
{
	struct nlmsghdr *nlh = nl_req_hdr(req);

	if (req->overflow)
		return NULL;
	if (nlh->nlmsg_len != NL_HDRLEN ||
	    size > NL_REQ_MAX - NL_HDRLEN ||
	    nl_align(size) > NL_REQ_MAX - NL_HDRLEN) {
		req->overflow = true;
		return NULL;
	}
	return mnl_nlmsg_put_extra_header(nlh, size);
}

void
nl_req_put_genl(struct nl_req *req, uint8_t cmd, uint8_t version)
{
	struct genlmsghdr *g;

	if ((g = nl_req_put_extra_header(req, sizeof(*g))) == NULL)
		return;
	g->cmd = cmd;
	g->version = version;
}

void
nl_req_put(struct nl_req *req, uint16_t type, size_t len, const void *data)
{
	static const uint8_t none;

	if (req->overflow)
		return;
	if (len > UINT16_MAX - NL_ATTR_HDRLEN || (data == NULL && len > 0)) {
		req->overflow = true;
		return;
	}
	if (!mnl_attr_put_check(nl_req_hdr(req), NL_REQ_MAX, type, len,
	    data != NULL ? data : &none))
		req->overflow = true;
}

void
nl_req_put_flag(struct nl_req *req, uint16_t type)
{
	nl_req_put(req, type, 0, NULL);
}

void
nl_req_put_u8(struct nl_req *req, uint16_t type, uint8_t v)
{
	nl_req_put(req, type, sizeof(v), &v);
}

void
nl_req_put_u16(struct nl_req *req, uint16_t type, uint16_t v)
{
	nl_req_put(req, type, sizeof(v), &v);
}

void
nl_req_put_u32(struct nl_req *req, uint16_t type, uint32_t v)
{
	nl_req_put(req, type, sizeof(v), &v);
}

void
nl_req_put_u64(struct nl_req *req, uint16_t type, uint64_t v)
{
	nl_req_put(req, type, sizeof(v), &v);
}

void
nl_req_put_strz(struct nl_req *req, uint16_t type, const char *s)
{
	nl_req_put(req, type, strlen(s) + 1, s);
}

struct nlattr *
nl_req_nest_start(struct nl_req *req, uint16_t type)
{
	struct nlattr *nest;

	if (req->overflow)
		return NULL;
	nest = mnl_attr_nest_start_check(nl_req_hdr(req), NL_REQ_MAX, type);
	if (nest == NULL)
		req->overflow = true;
	return nest;
}

void
nl_req_nest_end(struct nl_req *req, struct nlattr *nest)
{
	if (req->overflow || nest == NULL)
		return;
	/* Bounded by NL_REQ_MAX <= UINT16_MAX (static assert above). */
	mnl_attr_nest_end(nl_req_hdr(req), nest);
}

/*
 * Attributes. Headers are copied out rather than dereferenced so that the
 * checks hold whatever the alignment of the bytes given.
 */

static void
nl_attr_hdr(const struct nlattr *a, uint16_t *len, uint16_t *type)
{
	struct nlattr h;

	memcpy(&h, a, sizeof(h));
	*len = h.nla_len;
	*type = h.nla_type;
}

uint16_t
nl_attr_type(const struct nlattr *a)
{
	uint16_t len, type;

	nl_attr_hdr(a, &len, &type);
	return type & NLA_TYPE_MASK;
}

size_t
nl_attr_len(const struct nlattr *a)
{
	uint16_t len, type;

	nl_attr_hdr(a, &len, &type);
	return len >= NL_ATTR_HDRLEN ? len - NL_ATTR_HDRLEN : 0;
}

const void *
nl_attr_data(const struct nlattr *a)
{
	return (const uint8_t *)a + NL_ATTR_HDRLEN;
}

uint8_t
nl_attr_get_u8(const struct nlattr *a)
{
	uint8_t v;

	memcpy(&v, nl_attr_data(a), sizeof(v));
	return v;
}

uint16_t
nl_attr_get_u16(const struct nlattr *a)
{
	uint16_t v;

	memcpy(&v, nl_attr_data(a), sizeof(v));
	return v;
}

uint32_t
nl_attr_get_u32(const struct nlattr *a)
{
	uint32_t v;

	memcpy(&v, nl_attr_data(a), sizeof(v));
	return v;
}

uint64_t
nl_attr_get_u64(const struct nlattr *a)
{
	uint64_t v;

	memcpy(&v, nl_attr_data(a), sizeof(v));
	return v;
}

const char *
nl_attr_get_str(const struct nlattr *a)
{
	return nl_attr_data(a);
}

static bool
nl_attr_valid(const uint8_t *payload, size_t plen,
    const struct nl_attr_policy *pol)
{
	switch (pol->kind) {
	case NL_ATTR_FLAG:
		return plen == 0;
	case NL_ATTR_U8:
		return plen == sizeof(uint8_t);
	case NL_ATTR_U16:
		return plen == sizeof(uint16_t);
	case NL_ATTR_U32:
		return plen == sizeof(uint32_t);
	case NL_ATTR_U64:
		return plen == sizeof(uint64_t);
	case NL_ATTR_STRING:
		if (plen == 0 || payload[plen - 1] != '\0')
			return false;
		break;
	case NL_ATTR_BINARY:
	case NL_ATTR_NESTED:
		break;
	case NL_ATTR_UNSPEC:
		return false;
	}
	if (plen < pol->min_len)
		return false;
	if (pol->max_len != 0 && plen > pol->max_len)
		return false;
	return true;
}

/* Walk the attributes in p[0..len) into tb. */
static bool
nl_attr_parse_range(const uint8_t *p, size_t len,
    const struct nl_attr_policy *policy, size_t maxtype,
    const struct nlattr **tb)
{
	size_t off = 0;

	memset(tb, 0, (maxtype + 1) * sizeof(*tb));
	while (off < len) {
		const struct nlattr *a;
		uint16_t alen, atype;

		if (len - off < NL_ATTR_HDRLEN)
			goto fail;
		a = (const struct nlattr *)(const void *)(p + off);
		nl_attr_hdr(a, &alen, &atype);
		atype &= NLA_TYPE_MASK;
		if (alen < NL_ATTR_HDRLEN || alen > len - off)
			goto fail;
		if (atype <= maxtype && policy[atype].kind != NL_ATTR_UNSPEC) {
			if (tb[atype] != NULL)
				goto fail;
			if (!nl_attr_valid(p + off + NL_ATTR_HDRLEN,
			    alen - NL_ATTR_HDRLEN, &policy[atype]))
				goto fail;
			tb[atype] = a;
		}
		/* The padding of the last attribute may be left out. */
		off += nl_align(alen);
		if (off > len)
			off = len;
	}
	return true;
fail:
	memset(tb, 0, (maxtype + 1) * sizeof(*tb));
	return false;
}

bool
nl_attr_parse(const struct nlmsghdr *nlh, size_t extra_hdr_len,
    const struct nl_attr_policy *policy, size_t maxtype,
    const struct nlattr **tb)
{
	size_t mlen = nlh->nlmsg_len, start;

	if (mlen < NL_HDRLEN || extra_hdr_len > mlen - NL_HDRLEN) {
		memset(tb, 0, (maxtype + 1) * sizeof(*tb));
		return false;
	}
	if (nl_align(extra_hdr_len) >= mlen - NL_HDRLEN)
		return nl_attr_parse_range(NULL, 0, policy, maxtype, tb);
	start = NL_HDRLEN + nl_align(extra_hdr_len);
	return nl_attr_parse_range((const uint8_t *)nlh + start, mlen - start,
	    policy, maxtype, tb);
}

bool
nl_msg_get_extra(const struct nlmsghdr *nlh, void *hdr, size_t size)
{
	if (nlh->nlmsg_len < NL_HDRLEN || size > nlh->nlmsg_len - NL_HDRLEN)
		return false;
	memcpy(hdr, (const uint8_t *)nlh + NL_HDRLEN, size);
	return true;
}

bool
nl_attr_parse_nested(const struct nlattr *nest,
    const struct nl_attr_policy *policy, size_t maxtype,
    const struct nlattr **tb)
{
	return nl_attr_parse_range(nl_attr_data(nest), nl_attr_len(nest),
	    policy, maxtype, tb);
}

/*
 * Replies.
 */

void
nl_reply_init(struct nl_reply *r, uint32_t seq, uint32_t portid,
    bool events, nl_msg_cb *cb, void *arg)
{
	memset(r, 0, sizeof(*r));
	r->seq = seq;
	r->portid = portid;
	r->events = events;
	r->cb = cb;
	r->arg = arg;
}

static void
nl_reply_deliver(struct nl_reply *r, const struct nlmsghdr *nlh)
{
	if (r->cb_failed)
		return;
	if (r->cb != NULL) {
		errno = 0;
		if (r->cb(nlh, r->arg) != 0) {
			r->cb_failed = true;
			r->cb_errno = errno != 0 ? errno : EPROTO;
			return;
		}
	}
	r->delivered++;
}

/* Kernel errors are -errno; anything else is nonsense. */
static int
nl_errno(int err)
{
	if (err == 0)
		return 0;
	if (err < 0 && err >= -4095)
		return -err;
	return EPROTO;
}

/*
 * Extended-ack TLVs in msg[off..mlen) (linux/netlink.h, enum
 * nlmsgerr_attrs). Malformed TLVs are dropped: the error code stands.
 */
static void
nl_reply_ext_ack(struct nl_reply *r, const struct nlmsghdr *nlh, size_t off)
{
	static const struct nl_attr_policy pol[NLMSGERR_ATTR_OFFS + 1] = {
		[NLMSGERR_ATTR_MSG] = { NL_ATTR_STRING, 1, 0 },
		[NLMSGERR_ATTR_OFFS] = { NL_ATTR_U32, 0, 0 },
	};
	const struct nlattr *tb[NLMSGERR_ATTR_OFFS + 1];
	size_t mlen = nlh->nlmsg_len;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	off = nl_align(off);
	if (off >= mlen)
		return;
	if (!nl_attr_parse_range((const uint8_t *)nlh + off, mlen - off, pol,
	    NLMSGERR_ATTR_OFFS, tb))
		return;
	if (tb[NLMSGERR_ATTR_MSG] != NULL)
		snprintf(r->ext_msg, sizeof(r->ext_msg), "%s",
		    nl_attr_get_str(tb[NLMSGERR_ATTR_MSG]));
	if (tb[NLMSGERR_ATTR_OFFS] != NULL) {
		r->has_offs = true;
		r->ext_offs = nl_attr_get_u32(tb[NLMSGERR_ATTR_OFFS]);
	}
}

/*
 * NLMSG_ERROR: struct nlmsgerr, then the request's payload unless the
 * ack is capped, then TLVs when NLM_F_ACK_TLVS (linux/netlink.h).
 */
static bool
nl_reply_error(struct nl_reply *r, const struct nlmsghdr *nlh)
{
	const uint8_t *p = (const uint8_t *)nlh + NL_HDRLEN;
	size_t mlen = nlh->nlmsg_len, off;
	struct nlmsgerr e;

	if (mlen - NL_HDRLEN < sizeof(e))
		return false;
	memcpy(&e, p, sizeof(e));
	r->done = true;
	r->error = nl_errno(e.error);
	off = NL_HDRLEN + sizeof(e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		/* The request's header is in e.msg; its payload follows. */
		if (e.msg.nlmsg_len < NL_HDRLEN ||
		    e.msg.nlmsg_len - NL_HDRLEN > mlen - off)
			return true;
		off += e.msg.nlmsg_len - NL_HDRLEN;
	}
	nl_reply_ext_ack(r, nlh, off);
	return true;
}

/* NLMSG_DONE ends a dump; it carries an int error, then TLVs. */
static void
nl_reply_done(struct nl_reply *r, const struct nlmsghdr *nlh)
{
	size_t mlen = nlh->nlmsg_len;
	int err;

	r->done = true;
	if (mlen - NL_HDRLEN < sizeof(err))
		return;
	memcpy(&err, (const uint8_t *)nlh + NL_HDRLEN, sizeof(err));
	r->error = nl_errno(err);
	nl_reply_ext_ack(r, nlh, NL_HDRLEN + sizeof(err));
}

static bool
nl_reply_msg(struct nl_reply *r, const struct nlmsghdr *nlh)
{
	if (r->events) {
		if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
			r->ignored++;
		else
			nl_reply_deliver(r, nlh);
		return true;
	}
	if (r->done || nlh->nlmsg_seq != r->seq ||
	    (r->portid != 0 && nlh->nlmsg_pid != 0 &&
	    nlh->nlmsg_pid != r->portid)) {
		r->ignored++;
		return true;
	}
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		r->dump_intr = true;
	switch (nlh->nlmsg_type) {
	case NLMSG_ERROR:
		return nl_reply_error(r, nlh);
	case NLMSG_DONE:
		nl_reply_done(r, nlh);
		return true;
	}
	if (nlh->nlmsg_type < NLMSG_MIN_TYPE) {
		/* NOOP, OVERRUN and reserved control types */
		r->ignored++;
		return true;
	}
	nl_reply_deliver(r, nlh);
	return true;
}

bool
nl_reply_parse(struct nl_reply *r, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t off = 0;

	if (((uintptr_t)buf & (NLMSG_ALIGNTO - 1)) != 0)
		return false;
	while (off < len) {
		const struct nlmsghdr *nlh;
		size_t mlen;

		if (len - off < NL_HDRLEN)
			return false;
		nlh = (const struct nlmsghdr *)(const void *)(p + off);
		mlen = nlh->nlmsg_len;
		if (mlen < NL_HDRLEN || mlen > len - off)
			return false;
		if (!nl_reply_msg(r, nlh))
			return false;
		off += nl_align(mlen);
		if (off > len)
			off = len;
	}
	return true;
}

/*
 * I/O.
 */

/*
 * Receive one datagram into s->rbuf. Returns its length, 0 when it was
 * dropped (not from the kernel, or truncated: *trunc set), -1 on error.
 */
static ssize_t
nl_recv(struct nl_sock *s, int flags, bool *trunc)
{
	struct sockaddr_nl sa;
	struct iovec iov;
	struct msghdr msg;
	ssize_t n;

	*trunc = false;
	memset(&sa, 0, sizeof(sa));
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = s->rbuf;
	iov.iov_len = sizeof(s->rbuf);
	msg.msg_name = &sa;
	msg.msg_namelen = sizeof(sa);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if ((n = recvmsg(nl_fd(s), &msg, flags)) == -1)
		return -1;
	if (msg.msg_namelen != sizeof(sa) || sa.nl_family != AF_NETLINK ||
	    sa.nl_pid != 0) {
		/* Any local process may send to our port: not the kernel. */
		log_debug("netlink %s: dropped %zd bytes from port %u",
		    nl_bus_name(s->bus), n, sa.nl_pid);
		return 0;
	}
	if (msg.msg_flags & MSG_TRUNC) {
		*trunc = true;
		return 0;
	}
	return n;
}

static void
nl_log_ext_ack(const struct nl_sock *s, uint16_t type,
    const struct nl_reply *r)
{
	char offs[48] = "";

	if (r->ext_msg[0] == '\0')
		return;
	if (r->has_offs)
		snprintf(offs, sizeof(offs), " (attribute at offset %u)",
		    r->ext_offs);
	log_warnx("netlink %s %s: kernel %s: %s%s", nl_bus_name(s->bus),
	    nl_msg_type_name(s->bus, type), r->error != 0 ? "error" :
	    "warning", r->ext_msg, offs);
}

/* Wait until readable or the deadline passes (errno ETIMEDOUT). */
static int
nl_wait(struct nl_sock *s, uint64_t deadline)
{
	struct pollfd pfd;
	uint64_t now;
	int rc;

	for (;;) {
		now = clock_mono_ms();
		if (now >= deadline) {
			errno = ETIMEDOUT;
			return -1;
		}
		pfd.fd = nl_fd(s);
		pfd.events = POLLIN;
		pfd.revents = 0;
		rc = poll(&pfd, 1, (int)(deadline - now));
		if (rc == -1 && errno == EINTR)
			continue;
		if (rc == -1)
			return -1;
		if (rc > 0)
			return 0;
	}
}

int
nl_transact(struct nl_sock *s, struct nl_req *req, nl_msg_cb *cb, void *arg)
{
	struct nlmsghdr *nlh = nl_req_hdr(req);
	struct nl_reply r;
	uint64_t deadline;
	ssize_t n;
	bool trunc;

	if (!nl_req_ok(req)) {
		log_warnx("netlink %s %s: request does not fit %d bytes",
		    nl_bus_name(s->bus), nl_msg_type_name(s->bus,
		    nlh->nlmsg_type), NL_REQ_MAX);
		errno = EMSGSIZE;
		return -1;
	}
	if (++s->seq == 0)
		s->seq = 1;
	nlh->nlmsg_seq = s->seq;
	nlh->nlmsg_pid = 0;
	nl_reply_init(&r, s->seq, s->portid, false, cb, arg);

	do {
		n = mnl_socket_sendto(s->mnl, nlh, nlh->nlmsg_len);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	if ((size_t)n != nlh->nlmsg_len) {
		errno = EMSGSIZE;
		return -1;
	}

	deadline = clock_mono_ms() + NL_TIMEOUT_MS;
	while (!r.done) {
		if (nl_wait(s, deadline) == -1)
			return -1;
		n = nl_recv(s, MSG_DONTWAIT, &trunc);
		if (n == -1 && (errno == EINTR || errno == EAGAIN ||
		    errno == EWOULDBLOCK))
			continue;
		if (n == -1)
			return -1;
		if (trunc) {
			errno = EMSGSIZE;
			return -1;
		}
		if (n > 0 && !nl_reply_parse(&r, s->rbuf, (size_t)n)) {
			errno = EBADMSG;
			return -1;
		}
	}
	nl_log_ext_ack(s, nlh->nlmsg_type, &r);
	if (r.error != 0) {
		errno = r.error;
		return -1;
	}
	if (r.cb_failed) {
		errno = r.cb_errno;
		return -1;
	}
	if (r.dump_intr) {
		errno = EINTR;
		return -1;
	}
	return 0;
}

int
nl_recv_events(struct nl_sock *s, nl_msg_cb *cb, void *arg)
{
	struct nl_reply r;
	ssize_t n;
	bool trunc;

	do {
		n = nl_recv(s, MSG_DONTWAIT, &trunc);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	if (trunc) {
		log_warnx("netlink %s: event datagram truncated",
		    nl_bus_name(s->bus));
		return 0;
	}
	if (n == 0)
		return 0;
	nl_reply_init(&r, 0, 0, true, cb, arg);
	if (!nl_reply_parse(&r, s->rbuf, (size_t)n))
		log_warnx("netlink %s: malformed event datagram (%zd bytes)",
		    nl_bus_name(s->bus), n);
	if (r.cb_failed) {
		errno = r.cb_errno;
		return -1;
	}
	return 0;
}

/*
 * Generic netlink controller (linux/genetlink.h).
 */

struct nl_genl_lookup {
	const char	*name;
	uint16_t	 id;
	bool		 found;
};

static int
nl_genl_family_cb(const struct nlmsghdr *nlh, void *arg)
{
	static const struct nl_attr_policy pol[CTRL_ATTR_FAMILY_NAME + 1] = {
		[CTRL_ATTR_FAMILY_ID] = { NL_ATTR_U16, 0, 0 },
		[CTRL_ATTR_FAMILY_NAME] = { NL_ATTR_STRING, 2, GENL_NAMSIZ },
	};
	const struct nlattr *tb[CTRL_ATTR_FAMILY_NAME + 1];
	struct nl_genl_lookup *l = arg;
	uint16_t id;

	if (nlh->nlmsg_type != GENL_ID_CTRL ||
	    !nl_attr_parse(nlh, GENL_HDRLEN, pol, CTRL_ATTR_FAMILY_NAME, tb) ||
	    tb[CTRL_ATTR_FAMILY_ID] == NULL ||
	    tb[CTRL_ATTR_FAMILY_NAME] == NULL) {
		errno = EBADMSG;
		return -1;
	}
	id = nl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	if (strcmp(nl_attr_get_str(tb[CTRL_ATTR_FAMILY_NAME]), l->name) != 0 ||
	    id < NLMSG_MIN_TYPE) {
		errno = EBADMSG;
		return -1;
	}
	l->id = id;
	l->found = true;
	return 0;
}

int
nl_genl_family_id(struct nl_sock *s, const char *name, uint16_t *id)
{
	struct nl_genl_lookup l;
	struct nl_req *req;
	int rc = -1, saved;

	if (strlen(name) >= GENL_NAMSIZ) {
		errno = EINVAL;
		return -1;
	}
	if ((req = malloc(sizeof(*req))) == NULL)
		return -1;
	nl_req_init(req, GENL_ID_CTRL, 0);
	nl_req_put_genl(req, CTRL_CMD_GETFAMILY, 1);
	nl_req_put_strz(req, CTRL_ATTR_FAMILY_NAME, name);
	memset(&l, 0, sizeof(l));
	l.name = name;
	if (nl_transact(s, req, nl_genl_family_cb, &l) == -1)
		goto out;
	if (!l.found) {
		errno = ENOENT;
		goto out;
	}
	*id = l.id;
	rc = 0;
out:
	saved = errno;
	free(req);
	errno = saved;
	return rc;
}
