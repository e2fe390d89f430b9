/*
 * fuzz_nl.c - feed bytes to the netlink reply walker as one datagram and
 * parse each delivered message with nl_attr_parse under an XFRM-like,
 * address or nlctrl policy (with two levels of nests), or a policy of
 * every kind with a family header length taken from the input. Checks:
 * no read outside the datagram (the copy is exactly its size), every
 * attribute in tb lies inside its message and obeys its policy, the
 * extended-ack text is NUL-terminated and bounded.
 *
 * Input: byte 0 = mode: bit 0 event mode, bits 1-2 the bus whose
 * policies apply (0 xfrm, 1 route, 2 genl, 3 none: every kind); the rest
 * is the datagram, with our request as seq 1 from port 4242 (the seeds in
 * corpus/nl/ use those).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/xfrm.h>

#include "lib/log.h"
#include "lib/nl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_SEQ	1
#define FUZZ_PORT	4242

enum fuzz_bus {
	FUZZ_XFRM,
	FUZZ_ROUTE,
	FUZZ_GENL,
	FUZZ_ANY
};

static void
check(int cond)
{
	if (!cond)
		abort();
}

static volatile uint64_t sink;

/* Every attribute in tb: inside the message, the length its kind says. */
static void
check_tb(const uint8_t *lo, const uint8_t *hi,
    const struct nl_attr_policy *pol, size_t maxtype,
    const struct nlattr **tb)
{
	for (size_t i = 0; i <= maxtype; i++) {
		const uint8_t *a = (const uint8_t *)tb[i];
		size_t len;

		if (a == NULL)
			continue;
		check(pol[i].kind != NL_ATTR_UNSPEC);
		check(nl_attr_type(tb[i]) == i);
		len = nl_attr_len(tb[i]);
		check(a >= lo && a + NLA_HDRLEN + len <= hi);
		check(len >= pol[i].min_len || pol[i].kind <= NL_ATTR_U64);
		switch (pol[i].kind) {
		case NL_ATTR_FLAG:
			check(len == 0);
			break;
		case NL_ATTR_U8:
			sink += nl_attr_get_u8(tb[i]);
			break;
		case NL_ATTR_U16:
			sink += nl_attr_get_u16(tb[i]);
			break;
		case NL_ATTR_U32:
			sink += nl_attr_get_u32(tb[i]);
			break;
		case NL_ATTR_U64:
			sink += nl_attr_get_u64(tb[i]);
			break;
		case NL_ATTR_STRING:
			check(strlen(nl_attr_get_str(tb[i])) < len);
			break;
		case NL_ATTR_BINARY:
		case NL_ATTR_NESTED:
			if (len > 0)
				sink += ((const uint8_t *)nl_attr_data(tb[i]))
				    [len - 1];
			break;
		case NL_ATTR_UNSPEC:
			break;
		}
	}
}

static const struct nl_attr_policy xfrm_pol[XFRMA_IF_ID + 1] = {
	[XFRMA_ALG_AUTH] = { NL_ATTR_BINARY, sizeof(struct xfrm_algo), 0 },
	[XFRMA_ALG_CRYPT] = { NL_ATTR_BINARY, sizeof(struct xfrm_algo), 0 },
	[XFRMA_ENCAP] = { NL_ATTR_BINARY, sizeof(struct xfrm_encap_tmpl),
	    sizeof(struct xfrm_encap_tmpl) },
	[XFRMA_LTIME_VAL] = { NL_ATTR_BINARY,
	    sizeof(struct xfrm_lifetime_cur), 0 },
	[XFRMA_REPLAY_VAL] = { NL_ATTR_BINARY,
	    sizeof(struct xfrm_replay_state), 0 },
	[XFRMA_SRCADDR] = { NL_ATTR_BINARY, sizeof(xfrm_address_t), 0 },
	[XFRMA_MARK] = { NL_ATTR_BINARY, sizeof(struct xfrm_mark), 0 },
	[XFRMA_SA_EXTRA_FLAGS] = { NL_ATTR_U32, 0, 0 },
	[XFRMA_SET_MARK] = { NL_ATTR_U32, 0, 0 },
	[XFRMA_IF_ID] = { NL_ATTR_U32, 0, 0 },
};

static const struct nl_attr_policy addr_pol[IFA_FLAGS + 1] = {
	[IFA_ADDRESS] = { NL_ATTR_BINARY, 4, 16 },
	[IFA_LOCAL] = { NL_ATTR_BINARY, 4, 16 },
	[IFA_LABEL] = { NL_ATTR_STRING, 1, 16 },
	[IFA_CACHEINFO] = { NL_ATTR_BINARY, sizeof(struct ifa_cacheinfo), 0 },
	[IFA_FLAGS] = { NL_ATTR_U32, 0, 0 },
};

static const struct nl_attr_policy ctrl_pol[CTRL_ATTR_MCAST_GROUPS + 1] = {
	[CTRL_ATTR_FAMILY_ID] = { NL_ATTR_U16, 0, 0 },
	[CTRL_ATTR_FAMILY_NAME] = { NL_ATTR_STRING, 2, GENL_NAMSIZ },
	[CTRL_ATTR_VERSION] = { NL_ATTR_U32, 0, 0 },
	[CTRL_ATTR_HDRSIZE] = { NL_ATTR_U32, 0, 0 },
	[CTRL_ATTR_MAXATTR] = { NL_ATTR_U32, 0, 0 },
	[CTRL_ATTR_OPS] = { NL_ATTR_NESTED, 0, 0 },
	[CTRL_ATTR_MCAST_GROUPS] = { NL_ATTR_NESTED, 0, 0 },
};

/* Members of the group list are numbered 1..n; take the first 8. */
#define GRP_LIST_MAX	8
static const struct nl_attr_policy grp_list_pol[GRP_LIST_MAX + 1] = {
	[1] = { NL_ATTR_NESTED, 0, 0 }, [2] = { NL_ATTR_NESTED, 0, 0 },
	[3] = { NL_ATTR_NESTED, 0, 0 }, [4] = { NL_ATTR_NESTED, 0, 0 },
	[5] = { NL_ATTR_NESTED, 0, 0 }, [6] = { NL_ATTR_NESTED, 0, 0 },
	[7] = { NL_ATTR_NESTED, 0, 0 }, [8] = { NL_ATTR_NESTED, 0, 0 },
};

static const struct nl_attr_policy grp_pol[CTRL_ATTR_MCAST_GRP_ID + 1] = {
	[CTRL_ATTR_MCAST_GRP_NAME] = { NL_ATTR_STRING, 2, GENL_NAMSIZ },
	[CTRL_ATTR_MCAST_GRP_ID] = { NL_ATTR_U32, 0, 0 },
};

#define ANY_MAX	9
static const struct nl_attr_policy any_pol[ANY_MAX + 1] = {
	[1] = { NL_ATTR_U8, 0, 0 },
	[2] = { NL_ATTR_U16, 0, 0 },
	[3] = { NL_ATTR_U32, 0, 0 },
	[4] = { NL_ATTR_U64, 0, 0 },
	[5] = { NL_ATTR_STRING, 2, 16 },
	[6] = { NL_ATTR_BINARY, 4, 16 },
	[7] = { NL_ATTR_FLAG, 0, 0 },
	[8] = { NL_ATTR_NESTED, 0, 0 },
	[9] = { NL_ATTR_NESTED, 4, 64 },
};

static void
parse_nest(const struct nlattr *nest, const struct nl_attr_policy *pol,
    size_t maxtype, const struct nlattr **tb)
{
	const uint8_t *lo = nl_attr_data(nest);

	if (nl_attr_parse_nested(nest, pol, maxtype, tb))
		check_tb(lo, lo + nl_attr_len(nest), pol, maxtype, tb);
}

static void
parse_xfrm(const struct nlmsghdr *nlh, const uint8_t *end, size_t extra)
{
	const struct nlattr *tb[XFRMA_IF_ID + 1];
	struct xfrm_algo algo;

	if (!nl_attr_parse(nlh, extra, xfrm_pol, XFRMA_IF_ID, tb))
		return;
	check_tb((const uint8_t *)nlh, end, xfrm_pol, XFRMA_IF_ID, tb);
	/* what ikd does with an algorithm: key length within the attr */
	if (tb[XFRMA_ALG_CRYPT] != NULL) {
		memcpy(&algo, nl_attr_data(tb[XFRMA_ALG_CRYPT]), sizeof(algo));
		if ((algo.alg_key_len + 7) / 8 <=
		    nl_attr_len(tb[XFRMA_ALG_CRYPT]) - sizeof(algo))
			sink += algo.alg_key_len;
	}
}

static void
parse_any(const struct nlmsghdr *nlh, const uint8_t *end)
{
	const struct nlattr *ta[ANY_MAX + 1], *tn[ANY_MAX + 1];

	/* the family header length comes from the input */
	if (!nl_attr_parse(nlh, nlh->nlmsg_flags & 0x3f, any_pol, ANY_MAX, ta))
		return;
	check_tb((const uint8_t *)nlh, end, any_pol, ANY_MAX, ta);
	if (ta[8] != NULL)
		parse_nest(ta[8], any_pol, ANY_MAX, tn);
	if (ta[9] != NULL)
		parse_nest(ta[9], any_pol, ANY_MAX, tn);
}

static void
parse_ctrl(const struct nlmsghdr *nlh, const uint8_t *end)
{
	const struct nlattr *tb[CTRL_ATTR_MCAST_GROUPS + 1];
	const struct nlattr *tl[GRP_LIST_MAX + 1];
	const struct nlattr *tg[CTRL_ATTR_MCAST_GRP_ID + 1];
	size_t i;

	if (!nl_attr_parse(nlh, GENL_HDRLEN, ctrl_pol, CTRL_ATTR_MCAST_GROUPS,
	    tb))
		return;
	check_tb((const uint8_t *)nlh, end, ctrl_pol, CTRL_ATTR_MCAST_GROUPS,
	    tb);
	if (tb[CTRL_ATTR_MCAST_GROUPS] == NULL ||
	    !nl_attr_parse_nested(tb[CTRL_ATTR_MCAST_GROUPS], grp_list_pol,
	    GRP_LIST_MAX, tl))
		return;
	for (i = 1; i <= GRP_LIST_MAX; i++)
		if (tl[i] != NULL)
			parse_nest(tl[i], grp_pol, CTRL_ATTR_MCAST_GRP_ID, tg);
}

static int
msg_cb(const struct nlmsghdr *nlh, void *arg)
{
	const uint8_t *end = (const uint8_t *)nlh + nlh->nlmsg_len;
	const struct nlattr *tx[IFA_FLAGS + 1];
	const enum fuzz_bus *bus = arg;
	struct xfrm_usersa_info sa;
	struct ifaddrmsg ifa;

	check(nlh->nlmsg_len >= NLMSG_HDRLEN);
	switch (*bus) {
	case FUZZ_XFRM:
		(void)nl_msg_type_name(NETLINK_XFRM, nlh->nlmsg_type);
		if (nlh->nlmsg_type == XFRM_MSG_NEWSA ||
		    nlh->nlmsg_type == XFRM_MSG_UPDSA) {
			if (nl_msg_get_extra(nlh, &sa, sizeof(sa)))
				sink += sa.id.spi;
			parse_xfrm(nlh, end, sizeof(sa));
		} else if (nlh->nlmsg_type == XFRM_MSG_EXPIRE)
			parse_xfrm(nlh, end, sizeof(struct xfrm_user_expire));
		else
			parse_any(nlh, end);
		break;
	case FUZZ_ROUTE:
		(void)nl_msg_type_name(NETLINK_ROUTE, nlh->nlmsg_type);
		if ((nlh->nlmsg_type == RTM_NEWADDR ||
		    nlh->nlmsg_type == RTM_DELADDR) &&
		    nl_msg_get_extra(nlh, &ifa, sizeof(ifa)) &&
		    nl_attr_parse(nlh, sizeof(ifa), addr_pol, IFA_FLAGS, tx))
			check_tb((const uint8_t *)nlh, end, addr_pol,
			    IFA_FLAGS, tx);
		else
			parse_any(nlh, end);
		break;
	case FUZZ_GENL:
		if (nlh->nlmsg_type == GENL_ID_CTRL)
			parse_ctrl(nlh, end);
		else
			parse_any(nlh, end);
		break;
	case FUZZ_ANY:
		parse_any(nlh, end);
		break;
	}
	/* the walker goes on after a callback failure, delivering nothing */
	return nlh->nlmsg_type == 0x7ff ? -1 : 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;
	struct nl_reply r;
	enum fuzz_bus bus;
	uint8_t *dg;
	size_t len;

	if (!init) {
		log_setlevel(LOG_LEVEL_WARNING);
		init = true;
	}
	if (size < 1)
		return 0;
	len = size - 1;
	if ((dg = malloc(len > 0 ? len : 1)) == NULL)
		return 0;
	memcpy(dg, data + 1, len);
	bus = (enum fuzz_bus)((data[0] >> 1) & 3);
	nl_reply_init(&r, FUZZ_SEQ, FUZZ_PORT, (data[0] & 1) != 0, msg_cb,
	    &bus);
	(void)nl_reply_parse(&r, dg, len);
	check(strlen(r.ext_msg) < sizeof(r.ext_msg));
	check(!r.has_offs || r.done);
	check(r.error >= 0);
	if (r.events)
		check(!r.done);
	free(dg);
	return 0;
}
