/*
 * policy.c - the L2TP server policy set: one inbound policy per family,
 * one outbound policy per local address, following address events. The
 * shape and the reasons for it are in policy.h.
 */
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/xfrm.h>

#include "lib/ev.h"
#include "lib/log.h"
#include "lib/nl.h"
#include "policy.h"

#define POLICY_TAG	"policy"
#define POLICY_DESC_MAX	160
/* An address dump interrupted by a concurrent change is retried. */
#define POLICY_DUMP_TRIES 3

/* One address on one interface. */
struct pm_ifaddr {
	TAILQ_ENTRY(pm_ifaddr)	 entry;
	uint16_t		 family;
	union xfrm_ipaddr	 addr;
	uint32_t		 ifindex;
	bool			 seen;		/* in this resync */
};

struct pm_policy {
	TAILQ_ENTRY(pm_policy)	 entry;
	struct xfrm_policy_req	 req;
	bool			 installed;
};

struct policy_mgr {
	struct xfrm_backend	*be;
	uint16_t		 port;
	uint32_t		 priority;
	struct nl_sock		*rt;		/* dumps */
	struct nl_sock		*rtev;		/* address events */
	struct event		*ev;
	TAILQ_HEAD(, pm_ifaddr)	 addrs;
	/* inbound ones first, then outbound in order of appearance */
	TAILQ_HEAD(pm_policy_head, pm_policy) policies;
	/*
	 * Policies of ours an earlier run left (killed, crashed): kept in
	 * the kernel until ours are in, so a restart never opens a window
	 * without the L2TP policy; adopted when identical, else removed.
	 */
	struct xfrm_policy_info	*stale;
	size_t			 nstale;
};

bool
policy_addr_usable(uint16_t family, const union xfrm_ipaddr *a)
{
	const uint8_t *p = (const uint8_t *)a;

	switch (family) {
	case AF_INET:
		/* RFC 1122 3.2.1.3: 127.0.0.0/8 is loopback */
		return p[0] != 127;
	case AF_INET6:
		/* RFC 4291 2.5.3: ::1 */
		return !IN6_IS_ADDR_LOOPBACK(&a->v6);
	}
	return false;
}

static const char *
pm_desc(const struct xfrm_policy_req *r, char *buf, size_t len)
{
	char a[XFRM_ADDRSTRLEN];

	if (r->dir == XFRM_DIR_IN)
		snprintf(buf, len, "in %s udp any -> any port %u",
		    r->sel.family == AF_INET6 ? "ipv6" : "ipv4", r->sel.dport);
	else
		snprintf(buf, len, "out udp %s port %u -> any",
		    xfrm_addr_ntop(r->sel.family, &r->sel.src, a, sizeof(a)),
		    r->sel.sport);
	return buf;
}

static struct pm_policy *
pm_policy_new(struct policy_mgr *pm, uint16_t family, uint8_t dir,
    const union xfrm_ipaddr *src)
{
	struct pm_policy *p;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		logt_warn(POLICY_TAG, "calloc");
		return NULL;
	}
	xfrm_sel_any(&p->req.sel, family);
	p->req.sel.proto = IPPROTO_UDP;
	p->req.dir = dir;
	p->req.priority = pm->priority;
	p->req.reqid = XFRM_REQID_L2TP;
	if (dir == XFRM_DIR_IN) {
		p->req.sel.dport = pm->port;
		p->req.sel.dport_mask = 0xffff;
	} else {
		p->req.sel.src = *src;
		p->req.sel.src_plen = family == AF_INET ? 32 : 128;
		p->req.sel.sport = pm->port;
		p->req.sel.sport_mask = 0xffff;
	}
	return p;
}

static bool
pm_sel_eq(const struct xfrm_sel *a, const struct xfrm_sel *b)
{
	return a->family == b->family && a->proto == b->proto &&
	    a->src_plen == b->src_plen && a->dst_plen == b->dst_plen &&
	    a->sport == b->sport && a->sport_mask == b->sport_mask &&
	    a->dport == b->dport && a->dport_mask == b->dport_mask &&
	    memcmp(&a->src, &b->src, sizeof(a->src)) == 0 &&
	    memcmp(&a->dst, &b->dst, sizeof(a->dst)) == 0;
}

/* Collect the policies of ours an earlier run left in the kernel. */
static int
pm_stale_cb(const struct xfrm_policy_info *pi, void *arg)
{
	struct policy_mgr *pm = arg;
	struct xfrm_policy_info *v;

	if (!pi->ours || pi->socket || pi->type != XFRM_POLICY_TYPE_MAIN)
		return 0;
	if ((v = reallocarray(pm->stale, pm->nstale + 1, sizeof(*v))) ==
	    NULL)
		return -1;
	pm->stale = v;
	pm->stale[pm->nstale++] = *pi;
	return 0;
}

/*
 * An identical policy of the earlier run is already in the kernel:
 * take it over instead of deleting and re-adding it (no gap). One that
 * differs (same selector, other priority or reqid) is deleted here, just
 * before ours goes in.
 */
static bool
pm_stale_adopt(struct policy_mgr *pm, const struct pm_policy *p)
{
	struct xfrm_policy_id id;
	size_t i;

	for (i = 0; i < pm->nstale; i++) {
		struct xfrm_policy_info old = pm->stale[i];

		if (old.dir != p->req.dir || !pm_sel_eq(&old.sel, &p->req.sel))
			continue;
		pm->stale[i] = pm->stale[--pm->nstale];
		if (old.priority == p->req.priority &&
		    old.tmpl_reqid == p->req.reqid && old.ntmpl == 1 &&
		    old.action == XFRM_POLICY_ALLOW)
			return true;
		memset(&id, 0, sizeof(id));
		id.sel = p->req.sel;
		id.dir = p->req.dir;
		(void)xfrm_policy_del(pm->be, &id);
		return false;
	}
	return false;
}

/* What the earlier run left and this one does not want: removed. */
static void
pm_stale_flush(struct policy_mgr *pm)
{
	struct xfrm_policy_id id;
	size_t i;

	for (i = 0; i < pm->nstale; i++) {
		memset(&id, 0, sizeof(id));
		id.sel = pm->stale[i].sel;
		id.dir = pm->stale[i].dir;
		(void)xfrm_policy_del(pm->be, &id);
	}
	if (pm->nstale > 0)
		logt_info(POLICY_TAG, "removed %zu stale policies of an "
		    "earlier run", pm->nstale);
	free(pm->stale);
	pm->stale = NULL;
	pm->nstale = 0;
}

static int
pm_policy_install(struct policy_mgr *pm, struct pm_policy *p)
{
	char d[POLICY_DESC_MAX];

	if (pm_stale_adopt(pm, p)) {
		p->installed = true;
		logt_info(POLICY_TAG, "%s: ESP transport required (reqid "
		    "0x%08x, kept from the earlier run)",
		    pm_desc(&p->req, d, sizeof(d)), p->req.reqid);
		return 0;
	}
	/* The backend logs a failure. */
	if (xfrm_policy_add(pm->be, &p->req) == -1)
		return -1;
	p->installed = true;
	logt_info(POLICY_TAG, "%s: ESP transport required (reqid 0x%08x)",
	    pm_desc(&p->req, d, sizeof(d)), p->req.reqid);
	return 0;
}

static void
pm_policy_remove(struct policy_mgr *pm, struct pm_policy *p)
{
	struct xfrm_policy_id id;
	char d[POLICY_DESC_MAX];

	TAILQ_REMOVE(&pm->policies, p, entry);
	if (p->installed) {
		memset(&id, 0, sizeof(id));
		id.sel = p->req.sel;
		id.dir = p->req.dir;
		if (xfrm_policy_del(pm->be, &id) == 0)
			logt_info(POLICY_TAG, "%s: removed",
			    pm_desc(&p->req, d, sizeof(d)));
	}
	free(p);
}

static struct pm_policy *
pm_policy_out_lookup(struct policy_mgr *pm, uint16_t family,
    const union xfrm_ipaddr *addr)
{
	struct pm_policy *p;
	size_t len = family == AF_INET ? 4 : 16;

	TAILQ_FOREACH(p, &pm->policies, entry)
		if (p->req.dir == XFRM_DIR_OUT && p->req.sel.family == family &&
		    memcmp(&p->req.sel.src, addr, len) == 0)
			return p;
	return NULL;
}

static struct pm_ifaddr *
pm_ifaddr_lookup(struct policy_mgr *pm, uint16_t family,
    const union xfrm_ipaddr *addr, uint32_t ifindex)
{
	struct pm_ifaddr *a;
	size_t len = family == AF_INET ? 4 : 16;

	TAILQ_FOREACH(a, &pm->addrs, entry)
		if (a->family == family && a->ifindex == ifindex &&
		    memcmp(&a->addr, addr, len) == 0)
			return a;
	return NULL;
}

static bool
pm_addr_in_use(struct policy_mgr *pm, uint16_t family,
    const union xfrm_ipaddr *addr)
{
	struct pm_ifaddr *a;
	size_t len = family == AF_INET ? 4 : 16;

	TAILQ_FOREACH(a, &pm->addrs, entry)
		if (a->family == family && memcmp(&a->addr, addr, len) == 0)
			return true;
	return false;
}

static void
pm_addr_add(struct policy_mgr *pm, uint16_t family,
    const union xfrm_ipaddr *addr, uint32_t ifindex)
{
	struct pm_ifaddr *a;
	struct pm_policy *p;
	char s[XFRM_ADDRSTRLEN];

	if (!policy_addr_usable(family, addr))
		return;
	if ((a = pm_ifaddr_lookup(pm, family, addr, ifindex)) != NULL) {
		a->seen = true;
		return;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		logt_warn(POLICY_TAG, "calloc");
		return;
	}
	a->family = family;
	memset(&a->addr, 0, sizeof(a->addr));
	memcpy(&a->addr, addr, family == AF_INET ? 4 : 16);
	a->ifindex = ifindex;
	a->seen = true;
	TAILQ_INSERT_TAIL(&pm->addrs, a, entry);
	logt_debug(POLICY_TAG, "address %s on interface %u",
	    xfrm_addr_ntop(family, &a->addr, s, sizeof(s)), ifindex);
	if (pm_policy_out_lookup(pm, family, &a->addr) != NULL)
		return;
	if ((p = pm_policy_new(pm, family, XFRM_DIR_OUT, &a->addr)) == NULL)
		return;
	TAILQ_INSERT_TAIL(&pm->policies, p, entry);
	/* Listed as not installed on failure; the next resync retries. */
	(void)pm_policy_install(pm, p);
}

static void
pm_ifaddr_remove(struct policy_mgr *pm, struct pm_ifaddr *a)
{
	struct pm_policy *p;
	union xfrm_ipaddr addr = a->addr;
	uint16_t family = a->family;
	char s[XFRM_ADDRSTRLEN];

	TAILQ_REMOVE(&pm->addrs, a, entry);
	logt_debug(POLICY_TAG, "address %s gone from interface %u",
	    xfrm_addr_ntop(family, &addr, s, sizeof(s)), a->ifindex);
	free(a);
	if (pm_addr_in_use(pm, family, &addr))
		return;
	if ((p = pm_policy_out_lookup(pm, family, &addr)) != NULL)
		pm_policy_remove(pm, p);
}

static void
pm_addr_del(struct policy_mgr *pm, uint16_t family,
    const union xfrm_ipaddr *addr, uint32_t ifindex)
{
	struct pm_ifaddr *a;

	if ((a = pm_ifaddr_lookup(pm, family, addr, ifindex)) != NULL)
		pm_ifaddr_remove(pm, a);
}

/* rtnetlink address message -> family, address, interface. */
static bool
pm_parse_ifaddr(const struct nlmsghdr *nlh, uint16_t *family,
    union xfrm_ipaddr *addr, uint32_t *ifindex)
{
	static const struct nl_attr_policy pol[IFA_LOCAL + 1] = {
		[IFA_ADDRESS] = { NL_ATTR_BINARY, 4, 16 },
		[IFA_LOCAL] = { NL_ATTR_BINARY, 4, 16 },
	};
	const struct nlattr *tb[IFA_LOCAL + 1];
	const struct nlattr *a;
	struct ifaddrmsg ifa;
	size_t len;

	if (!nl_msg_get_extra(nlh, &ifa, sizeof(ifa)) ||
	    !nl_attr_parse(nlh, sizeof(ifa), pol, IFA_LOCAL, tb))
		return false;
	if (ifa.ifa_family != AF_INET && ifa.ifa_family != AF_INET6)
		return false;
	/*
	 * IFA_LOCAL is the local address where it differs from IFA_ADDRESS
	 * (the peer's, on point-to-point links); otherwise only IFA_ADDRESS
	 * is there (net/ipv4/devinet.c, net/ipv6/addrconf.c).
	 */
	a = tb[IFA_LOCAL] != NULL ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	len = ifa.ifa_family == AF_INET ? 4 : 16;
	if (a == NULL || nl_attr_len(a) != len)
		return false;
	*family = ifa.ifa_family;
	memset(addr, 0, sizeof(*addr));
	memcpy(addr, nl_attr_data(a), len);
	*ifindex = ifa.ifa_index;
	return true;
}

int
policy_mgr_handle_msg(struct policy_mgr *pm, const struct nlmsghdr *nlh)
{
	union xfrm_ipaddr addr;
	uint32_t ifindex;
	uint16_t family;

	if (nlh->nlmsg_type != RTM_NEWADDR && nlh->nlmsg_type != RTM_DELADDR)
		return 0;
	if (!pm_parse_ifaddr(nlh, &family, &addr, &ifindex)) {
		/* Families other than IPv4/IPv6 land here too. */
		logt_debug(POLICY_TAG, "%s: not an IPv4/IPv6 address message",
		    nl_msg_type_name(NETLINK_ROUTE, nlh->nlmsg_type));
		return -1;
	}
	if (nlh->nlmsg_type == RTM_NEWADDR)
		pm_addr_add(pm, family, &addr, ifindex);
	else
		pm_addr_del(pm, family, &addr, ifindex);
	return 0;
}

static int
pm_dump_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct policy_mgr *pm = arg;

	/* Other families (AF_PACKET? none today) are skipped. */
	(void)policy_mgr_handle_msg(pm, nlh);
	return 0;
}

int
policy_mgr_resync(struct policy_mgr *pm)
{
	struct nl_req *req;
	struct ifaddrmsg *ifa;
	struct pm_ifaddr *a, *next;
	struct pm_policy *p;
	int tries, rc = -1;

	if ((req = malloc(sizeof(*req))) == NULL) {
		logt_warn(POLICY_TAG, "malloc");
		return -1;
	}
	for (tries = 0; tries < POLICY_DUMP_TRIES && rc == -1; tries++) {
		TAILQ_FOREACH(a, &pm->addrs, entry)
			a->seen = false;
		nl_req_init(req, RTM_GETADDR, NLM_F_DUMP);
		if ((ifa = nl_req_put_extra_header(req, sizeof(*ifa))) !=
		    NULL)
			ifa->ifa_family = AF_UNSPEC;
		if (nl_transact(pm->rt, req, pm_dump_cb, pm) == 0)
			rc = 0;
		else if (errno != EINTR)
			break;
	}
	free(req);
	if (rc == -1) {
		logt_warn(POLICY_TAG, "local address dump");
		return -1;
	}
	for (a = TAILQ_FIRST(&pm->addrs); a != NULL; a = next) {
		next = TAILQ_NEXT(a, entry);
		if (!a->seen)
			pm_ifaddr_remove(pm, a);
	}
	/* Retry outbound policies that failed before. */
	TAILQ_FOREACH(p, &pm->policies, entry)
		if (!p->installed && p->req.dir == XFRM_DIR_OUT)
			(void)pm_policy_install(pm, p);
	return 0;
}

static void
pm_events_cb(int fd, short what, void *arg)
{
	struct policy_mgr *pm = arg;

	(void)fd;
	(void)what;
	for (;;) {
		if (nl_recv_events(pm->rtev, pm_dump_cb, pm) == 0)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		if (errno == ENOBUFS) {
			logt_warnx(POLICY_TAG, "address events lost: "
			    "re-reading the addresses");
			(void)policy_mgr_resync(pm);
			continue;
		}
		logt_warn(POLICY_TAG, "reading address events");
		return;
	}
}

/* Inbound policy of `family`; IPv6 missing from the kernel is no error. */
static int
pm_install_inbound(struct policy_mgr *pm, uint16_t family)
{
	struct pm_policy *p;

	if ((p = pm_policy_new(pm, family, XFRM_DIR_IN, NULL)) == NULL)
		return -1;
	TAILQ_INSERT_TAIL(&pm->policies, p, entry);
	if (pm_policy_install(pm, p) == 0)
		return 0;
	if (family == AF_INET6 && errno == EAFNOSUPPORT) {
		logt_info(POLICY_TAG, "no IPv6 in the kernel: IPv6 skipped");
		TAILQ_REMOVE(&pm->policies, p, entry);
		free(p);
		return 0;
	}
	return -1;
}

struct policy_mgr *
policy_mgr_new(struct event_base *base, struct xfrm_backend *be,
    const struct policy_mgr_opts *opts)
{
	struct policy_mgr *pm;

	if ((pm = calloc(1, sizeof(*pm))) == NULL) {
		logt_warn(POLICY_TAG, "calloc");
		return NULL;
	}
	pm->be = be;
	pm->port = opts != NULL && opts->l2tp_port != 0 ? opts->l2tp_port :
	    POLICY_L2TP_PORT;
	pm->priority = opts != NULL && opts->priority != 0 ? opts->priority :
	    POLICY_PRIORITY_DEFAULT;
	TAILQ_INIT(&pm->addrs);
	TAILQ_INIT(&pm->policies);

	/*
	 * A killed earlier run may have left policies behind: note them
	 * now, take over the identical ones, remove the rest only once
	 * ours are in (make before break).
	 */
	if (xfrm_policy_dump(be, pm_stale_cb, pm) == -1)
		goto fail;
	/* Subscribe before the dump: no change falls between the two. */
	if ((pm->rtev = nl_open(NETLINK_ROUTE, RTMGRP_IPV4_IFADDR |
	    RTMGRP_IPV6_IFADDR)) == NULL)
		goto fail;
	if ((pm->rt = nl_open(NETLINK_ROUTE, 0)) == NULL)
		goto fail;
	if (pm_install_inbound(pm, AF_INET) == -1 ||
	    pm_install_inbound(pm, AF_INET6) == -1)
		goto fail;
	if (policy_mgr_resync(pm) == -1)
		goto fail;
	pm_stale_flush(pm);
	if ((pm->ev = ev_read_new(base, nl_fd(pm->rtev), pm_events_cb, pm)) ==
	    NULL)
		goto fail;
	logt_info(POLICY_TAG, "L2TP server policy: UDP port %u requires ESP "
	    "(%zu policies)", pm->port, policy_mgr_count(pm));
	return pm;
fail:
	policy_mgr_free(pm);
	return NULL;
}

void
policy_mgr_free(struct policy_mgr *pm)
{
	struct pm_policy *p;
	struct pm_ifaddr *a;

	if (pm == NULL)
		return;
	pm_stale_flush(pm);
	ev_free(pm->ev);
	nl_close(pm->rtev);
	nl_close(pm->rt);
	/* In reverse order of installation. */
	while ((p = TAILQ_LAST(&pm->policies, pm_policy_head)) != NULL)
		pm_policy_remove(pm, p);
	while ((a = TAILQ_FIRST(&pm->addrs)) != NULL) {
		TAILQ_REMOVE(&pm->addrs, a, entry);
		free(a);
	}
	free(pm);
}

void
policy_mgr_foreach(const struct policy_mgr *pm, policy_mgr_cb *cb, void *arg)
{
	const struct pm_policy *p;

	TAILQ_FOREACH(p, &pm->policies, entry)
		cb(&p->req, p->installed, arg);
}

size_t
policy_mgr_count(const struct policy_mgr *pm)
{
	const struct pm_policy *p;
	size_t n = 0;

	TAILQ_FOREACH(p, &pm->policies, entry)
		if (p->installed)
			n++;
	return n;
}
