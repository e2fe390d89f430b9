/*
 * natt.c - NAT traversal for IKEv1 (RFC 3947, drafts 02/03) and the
 * vendor-ID unit of Main Mode: which NAT-T flavour and DPD the peer
 * announced, which client it looks like, NAT-D payloads in MM3/MM4.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <string.h>

#include "ikd/ikd.h"
#include "lib/log.h"

/* MD5("strongSwan"), sent by strongSwan when send_vendor_id = yes */
static const uint8_t vid_strongswan[16] = {
	0x88, 0x2f, 0xe5, 0x6d, 0x6f, 0xd2, 0x0d, 0xbc,
	0x22, 0x51, 0x61, 0x3b, 0x2e, 0xbe, 0x5b, 0xeb
};

void
natt_record_vid(struct ike_sa *sa, const struct isakmp_data *vid)
{
	enum isakmp_vid v;
	uint32_t suffix = 0;

	v = isakmp_vid_lookup(vid->data, vid->len, &suffix);
	if (v != ISAKMP_VID_UNKNOWN) {
		sa->vids |= UINT32_C(1) << v;
		if (v == ISAKMP_VID_MS_NT5)
			sa->ms_version = suffix;
		logt_debug(sa->tag, "peer vendor ID %s", isakmp_vid_name(v));
		return;
	}
	/* Libreswan's own VID: "OE" and a printable hash (vendorid.c) */
	if (vid->len >= 12 && vid->data[0] == 'O' && vid->data[1] == 'E')
		sa->client = IKD_CLIENT_LIBRESWAN;
	else if (vid->len == sizeof(vid_strongswan) &&
	    memcmp(vid->data, vid_strongswan, sizeof(vid_strongswan)) == 0)
		sa->client = IKD_CLIENT_STRONGSWAN;
	logt_debug(sa->tag, "peer vendor ID (unknown, %zu bytes)", vid->len);
}

#define HAS(sa, v)	(((sa)->vids & (UINT32_C(1) << (v))) != 0)

void
natt_finish_vids(struct ike_sa *sa)
{
	/* RFC 3947 preferred; else the newest draft the peer sent */
	if (HAS(sa, ISAKMP_VID_NATT_RFC3947)) {
		sa->natt = IKD_NATT_RFC;
		sa->natt_vid = ISAKMP_VID_NATT_RFC3947;
	} else if (HAS(sa, ISAKMP_VID_NATT_DRAFT_03)) {
		sa->natt = IKD_NATT_DRAFT;
		sa->natt_vid = ISAKMP_VID_NATT_DRAFT_03;
	} else if (HAS(sa, ISAKMP_VID_NATT_DRAFT_02_N)) {
		sa->natt = IKD_NATT_DRAFT;
		sa->natt_vid = ISAKMP_VID_NATT_DRAFT_02_N;
	} else if (HAS(sa, ISAKMP_VID_NATT_DRAFT_02)) {
		sa->natt = IKD_NATT_DRAFT;
		sa->natt_vid = ISAKMP_VID_NATT_DRAFT_02;
	} else {
		sa->natt = IKD_NATT_NONE;
		sa->natt_vid = ISAKMP_VID_UNKNOWN;
	}
	sa->peer_dpd = HAS(sa, ISAKMP_VID_DPD);
	/*
	 * windows-client.md 1.3 (SoftEther IkeCheckCaps): MS NT5, the MS
	 * initial-contact VID or MS negotiation discovery mean Windows.
	 * XXX Apple/Android (racoon) are not told apart yet: no captures.
	 */
	if (HAS(sa, ISAKMP_VID_MS_NT5) ||
	    HAS(sa, ISAKMP_VID_MS_INITIAL_CONTACT) ||
	    HAS(sa, ISAKMP_VID_MS_NEGDISC))
		sa->client = IKD_CLIENT_WINDOWS;
}

uint8_t
natt_d_type(const struct ike_sa *sa)
{
	return sa->natt == IKD_NATT_DRAFT ? ISAKMP_PAYLOAD_NAT_D_DRAFT :
	    ISAKMP_PAYLOAD_NAT_D;
}

uint8_t
natt_oa_type(const struct ike_sa *sa)
{
	return sa->natt == IKD_NATT_DRAFT ? ISAKMP_PAYLOAD_NAT_OA_DRAFT :
	    ISAKMP_PAYLOAD_NAT_OA;
}

/* RFC 3947 3.2: HASH = hash(CKY-I | CKY-R | IP | Port) */
static int
natd_hash(const struct ike_sa *sa, const struct sockaddr_storage *ss,
    uint8_t *out, size_t outlen)
{
	struct ike_chunk v[4];
	const struct sockaddr_in *s4;
	const struct sockaddr_in6 *s6;

	v[0].p = sa->icookie;
	v[0].len = ISAKMP_COOKIE_LEN;
	v[1].p = sa->rcookie;
	v[1].len = ISAKMP_COOKIE_LEN;
	if (ss->ss_family == AF_INET) {
		s4 = (const struct sockaddr_in *)(const void *)ss;
		v[2].p = &s4->sin_addr;
		v[2].len = 4;
		v[3].p = &s4->sin_port;
	} else if (ss->ss_family == AF_INET6) {
		s6 = (const struct sockaddr_in6 *)(const void *)ss;
		v[2].p = &s6->sin6_addr;
		v[2].len = 16;
		v[3].p = &s6->sin6_port;
	} else
		return -1;
	v[3].len = 2;
	return ike_hash_v(sa->hash, v, 4, out, outlen);
}

int
natt_check(struct ike_sa *sa, const struct isakmp_msg *msg,
    const struct ikd_pkt *pkt)
{
	uint8_t local[IKE_HASH_MAX], remote[IKE_HASH_MAX];
	const struct isakmp_payload *pl;
	struct isakmp_data d;
	size_t hlen = ike_hash_len(sa->hash), n = 0;
	bool first = true, remote_match = false, local_match = false;

	if (sa->natt == IKD_NATT_NONE)
		return 0;
	if (natd_hash(sa, &pkt->path.local, local, sizeof(local)) == -1 ||
	    natd_hash(sa, &pkt->path.remote, remote, sizeof(remote)) == -1)
		return -1;
	for (pl = isakmp_msg_first(msg, natt_d_type(sa)); pl != NULL;
	    pl = isakmp_msg_next(msg, pl)) {
		if (isakmp_data_parse(&pl->body, pl->type, &d) != ISAKMP_OK ||
		    d.len != hlen)
			return -1;
		n++;
		/* RFC 3947 3.2: the first is the remote end (us), then its */
		if (first) {
			local_match = ike_ct_equal(d.data, local, hlen);
			first = false;
		} else if (ike_ct_equal(d.data, remote, hlen))
			remote_match = true;
	}
	if (n < 2) {
		/* RFC 3947 3.2: at least two, else no NAT-T */
		logt_debug(sa->tag, "NAT-T announced but %zu NAT-D payloads: "
		    "NAT-T off", n);
		sa->natt = IKD_NATT_NONE;
		return 0;
	}
	sa->peer_natted = !remote_match;
	sa->local_natted = !local_match;
	if (sa->peer_natted || sa->local_natted)
		logt_info(sa->tag, "NAT detected:%s%s", sa->peer_natted ?
		    " peer behind NAT" : "", sa->local_natted ?
		    " we are behind NAT" : "");
	return 0;
}

int
natt_build(struct ike_sa *sa, struct isakmp_builder *b)
{
	uint8_t h[IKE_HASH_MAX];
	size_t hlen = ike_hash_len(sa->hash);

	if (sa->natt == IKD_NATT_NONE)
		return 0;
	/* RFC 3947 3.2: the remote end first (the peer as we see it) */
	if (natd_hash(sa, &sa->path.remote, h, sizeof(h)) == -1)
		return -1;
	isakmp_build_data(b, natt_d_type(sa), h, hlen);
	/* XXX SoftEther's trick for servers behind 1:1 NAT (1.7): later */
	if (natd_hash(sa, &sa->path.local, h, sizeof(h)) == -1)
		return -1;
	isakmp_build_data(b, natt_d_type(sa), h, hlen);
	return 0;
}
