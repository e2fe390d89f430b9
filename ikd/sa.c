/*
 * sa.c - the ISAKMP SA table (hash on the initiator cookie), the SA state
 * setter, lifetimes and half-open limits, and the records of the ESP SA
 * pairs we installed.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <openssl/rand.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ikd/ikd.h"
#include "lib/clock.h"
#include "lib/ev.h"
#include "lib/log.h"

void
ikd_init(struct ikd *ctx, struct vpn_conf *conf, struct event_base *base,
    const struct ikd_kernel_ops *kops, void *karg, ikd_send_cb *send,
    void *send_arg)
{
	size_t i;

	ctx->conf = conf;
	ctx->base = base;
	ctx->kops = kops;
	ctx->karg = karg;
	ctx->send = send;
	ctx->send_arg = send_arg;
	TAILQ_INIT(&ctx->sas);
	for (i = 0; i < IKD_SA_BUCKETS; i++)
		TAILQ_INIT(&ctx->buckets[i]);
	TAILQ_INIT(&ctx->children);
	ctx->next_serial = 1;
}

void
ike_child_notify_delete(const struct ike_child *ch)
{
	uint8_t spi[4];

	/* RFC 2408 4.8 / 5.15: tell the peer what goes away */
	if (ch->sa == NULL || ch->sa->state != IKE_SA_ESTABLISHED)
		return;
	spi[0] = (uint8_t)(ch->spi_in >> 24);
	spi[1] = (uint8_t)(ch->spi_in >> 16);
	spi[2] = (uint8_t)(ch->spi_in >> 8);
	spi[3] = (uint8_t)ch->spi_in;
	(void)info_send_delete(ch->sa, IPSEC_PROTO_ESP, spi, 4, 1);
}

void
ikd_shutdown(struct ikd *ctx, bool notify)
{
	struct ike_child *ch;
	struct ike_sa *sa;

	if (notify)
		TAILQ_FOREACH(ch, &ctx->children, link)
			ike_child_notify_delete(ch);
	while ((ch = TAILQ_FIRST(&ctx->children)) != NULL)
		ike_child_delete(ch, "shutdown");
	while ((sa = TAILQ_FIRST(&ctx->sas)) != NULL)
		ike_sa_delete(sa, notify, "shutdown");
	ev_timer_free(ctx->frag_timer);
	ctx->frag_timer = NULL;
	frag_table_free(ctx->frag);
	ctx->frag = NULL;
}

const char *
ike_sa_state_name(enum ike_sa_state s)
{
	switch (s) {
	case IKE_SA_MM_R1:
		return "MM_R1";
	case IKE_SA_MM_R2:
		return "MM_R2";
	case IKE_SA_ESTABLISHED:
		return "ESTABLISHED";
	case IKE_SA_DEAD:
		return "DEAD";
	}
	return "unknown";
}

const char *
ike_qm_state_name(enum ike_qm_state s)
{
	switch (s) {
	case IKE_QM_R1:
		return "QM_R1";
	case IKE_QM_DONE:
		return "QM_DONE";
	}
	return "unknown";
}

const char *
ikd_client_name(enum ikd_client c)
{
	switch (c) {
	case IKD_CLIENT_UNKNOWN:
		return "unknown";
	case IKD_CLIENT_WINDOWS:
		return "windows";
	case IKD_CLIENT_APPLE:
		return "apple";
	case IKD_CLIENT_ANDROID:
		return "android";
	case IKD_CLIENT_STRONGSWAN:
		return "strongswan";
	case IKD_CLIENT_LIBRESWAN:
		return "libreswan";
	}
	return "unknown";
}




static size_t
bucket_of(const uint8_t *icky)
{
	return icky[0] ^ icky[3] ^ icky[7];
}

static void
sa_make_tag(struct ike_sa *sa)
{
	char a[IKD_TAG_MAX];

	snprintf(sa->tag, sizeof(sa->tag), "ike#%u %s", sa->serial,
	    sa_str(&sa->path.remote, true, a, sizeof(a)));
}

static void
sa_timer_cb(void *arg)
{
	struct ike_sa *sa = arg;

	if (sa->state == IKE_SA_ESTABLISHED)
		ike_sa_delete(sa, true, "phase 1 lifetime expired");
	else {
		logt_info(sa->tag, "Main Mode not completed within %u s in "
		    "state %s, dropped", IKD_HALF_OPEN_MS / 1000,
		    ike_sa_state_name(sa->state));
		ike_sa_delete(sa, false, NULL);
	}
}

static size_t
half_open_from(struct ikd *ctx, const struct sockaddr_storage *remote)
{
	struct ike_sa *sa;
	size_t n = 0;

	TAILQ_FOREACH(sa, &ctx->sas, link)
		if (sa->counted_half_open &&
		    sa_equal(&sa->path.remote, remote, false))
			n++;
	return n;
}

struct ike_sa *
ike_sa_new(struct ikd *ctx, const struct ikd_pkt *pkt, const uint8_t *icky)
{
	struct ike_sa *sa;
	char a[IKD_TAG_MAX];
	static const uint8_t zero[ISAKMP_COOKIE_LEN];

	if (ctx->half_open >= ctx->conf->ike.max_half_open ||
	    half_open_from(ctx, &pkt->path.remote) >=
	    ctx->conf->ike.max_half_open_per_peer) {
		ctx->ctr.half_open_refused++;
		ikd_peer_error(ctx, sa_str(&pkt->path.remote, true, a,
		    sizeof(a)), "MM1 refused: half-open limit (%zu total)",
		    ctx->half_open);
		return NULL;
	}
	if ((sa = calloc(1, sizeof(*sa))) == NULL) {
		ctx->ctr.alloc_failed++;
		log_warn("ike_sa_new");
		return NULL;
	}
	sa->ikd = ctx;
	sa->serial = ctx->next_serial++;
	if (ctx->next_serial == 0)
		ctx->next_serial = 1;
	memcpy(sa->icookie, icky, ISAKMP_COOKIE_LEN);
	do {
		if (RAND_bytes(sa->rcookie, sizeof(sa->rcookie)) != 1) {
			log_warnx("ike_sa_new: RAND_bytes failed");
			free(sa);
			return NULL;
		}
	} while (memcmp(sa->rcookie, zero, sizeof(zero)) == 0 ||
	    ike_sa_lookup(ctx, icky, sa->rcookie) != NULL);
	sa->path = pkt->path;
	sa->state = IKE_SA_MM_R1;
	sa->created_ms = clock_mono_ms();
	TAILQ_INIT(&sa->qms);
	sa_make_tag(sa);
	if (ctx->base != NULL &&
	    (sa->timer = ev_timer_new(ctx->base, sa_timer_cb, sa)) == NULL) {
		free(sa);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&ctx->sas, sa, link);
	TAILQ_INSERT_TAIL(&ctx->buckets[bucket_of(icky)], sa, hlink);
	ctx->nsa++;
	ctx->half_open++;
	sa->counted_half_open = true;
	ike_sa_arm_timer(sa, IKD_HALF_OPEN_MS);
	logt_debug(sa->tag, "new ISAKMP SA (MM1), %zu half-open",
	    ctx->half_open);
	return sa;
}

void
ike_sa_free(struct ike_sa *sa)
{
	struct ikd *ctx;
	struct ike_child *ch;
	struct ike_qm *qm;

	if (sa == NULL)
		return;
	ctx = sa->ikd;
	while ((qm = TAILQ_FIRST(&sa->qms)) != NULL)
		quick_free(qm);
	TAILQ_FOREACH(ch, &ctx->children, link)
		if (ch->sa == sa)
			ch->sa = NULL;
	TAILQ_REMOVE(&ctx->sas, sa, link);
	TAILQ_REMOVE(&ctx->buckets[bucket_of(sa->icookie)], sa, hlink);
	ctx->nsa--;
	if (sa->counted_half_open)
		ctx->half_open--;
	ev_timer_free(sa->timer);
	dh_free(sa->dh);
	ike_keys_free(sa->keys);
	ike_ivs_free(sa->ivs);
	free(sa->sai_b);
	ikd_msgbuf_clear(&sa->last_req);
	ikd_msgbuf_clear(&sa->last_resp);
	explicit_bzero(sa, sizeof(*sa));
	free(sa);
}

struct ike_sa *
ike_sa_lookup(struct ikd *ctx, const uint8_t *icky, const uint8_t *rcky)
{
	struct ike_sa *sa;

	TAILQ_FOREACH(sa, &ctx->buckets[bucket_of(icky)], hlink)
		if (memcmp(sa->icookie, icky, ISAKMP_COOKIE_LEN) == 0 &&
		    memcmp(sa->rcookie, rcky, ISAKMP_COOKIE_LEN) == 0)
			return sa;
	return NULL;
}

struct ike_sa *
ike_sa_lookup_mm1(struct ikd *ctx, const uint8_t *icky,
    const struct sockaddr_storage *remote)
{
	struct ike_sa *sa;

	TAILQ_FOREACH(sa, &ctx->buckets[bucket_of(icky)], hlink)
		if (memcmp(sa->icookie, icky, ISAKMP_COOKIE_LEN) == 0 &&
		    sa_equal(&sa->path.remote, remote, false))
			return sa;
	return NULL;
}

void
ike_sa_set_state(struct ike_sa *sa, enum ike_sa_state state)
{
	logt_debug(sa->tag, "%s -> %s", ike_sa_state_name(sa->state),
	    ike_sa_state_name(state));
	sa->state = state;
	if (state == IKE_SA_ESTABLISHED && sa->counted_half_open) {
		sa->counted_half_open = false;
		sa->ikd->half_open--;
	}
}

void
ike_sa_rebind(struct ike_sa *sa, const struct ikd_path *path)
{
	char was[IKD_TAG_MAX];

	if (sa_equal(&sa->path.remote, &path->remote, true) &&
	    sa_equal(&sa->path.local, &path->local, true) &&
	    sa->path.natt == path->natt)
		return;
	sa_str(&sa->path.remote, true, was, sizeof(was));
	sa->path = *path;
	sa_make_tag(sa);
	/* RFC 3947 4: the peer floated (to 4500) or its NAT mapping moved */
	logt_info(sa->tag, "peer endpoint changed (was %s)%s", was,
	    path->natt ? ", NAT-T port" : "");
}

void
ike_sa_arm_timer(struct ike_sa *sa, uint64_t ms)
{
	if (sa->timer != NULL && ev_timer_arm(sa->timer, ms) == -1)
		logt_warnx(sa->tag, "cannot arm the SA timer");
}

void
ike_sa_delete(struct ike_sa *sa, bool notify, const char *why)
{
	uint8_t spi[2 * ISAKMP_COOKIE_LEN];

	if (sa->state == IKE_SA_ESTABLISHED) {
		if (notify) {
			/* RFC 2408 3.15: the ISAKMP SPI is the cookie pair */
			memcpy(spi, sa->icookie, ISAKMP_COOKIE_LEN);
			memcpy(spi + ISAKMP_COOKIE_LEN, sa->rcookie,
			    ISAKMP_COOKIE_LEN);
			(void)info_send_delete(sa, IPSEC_PROTO_ISAKMP, spi,
			    sizeof(spi), 1);
		}
		logt_info(sa->tag, "ISAKMP SA deleted%s%s",
		    why != NULL ? ": " : "", why != NULL ? why : "");
	} else if (why != NULL)
		logt_debug(sa->tag, "ISAKMP SA dropped in %s: %s",
		    ike_sa_state_name(sa->state), why);
	ike_sa_set_state(sa, IKE_SA_DEAD);
	ike_sa_free(sa);
}

int
ikd_msgbuf_set(struct ikd_msgbuf *m, const uint8_t *p, size_t len)
{
	uint8_t *n;

	if ((n = malloc(len > 0 ? len : 1)) == NULL)
		return -1;
	memcpy(n, p, len);
	free(m->p);
	m->p = n;
	m->len = len;
	m->frag_id = 0;
	return 0;
}

void
ikd_msgbuf_clear(struct ikd_msgbuf *m)
{
	free(m->p);
	m->p = NULL;
	m->len = 0;
	m->frag_id = 0;
}

bool
ikd_msgbuf_eq(const struct ikd_msgbuf *m, const uint8_t *p, size_t len)
{
	return m->p != NULL && m->len == len && memcmp(m->p, p, len) == 0;
}

static void
child_expire_cb(void *arg)
{
	struct ike_child *ch = arg;

	/* the kernel removed the SAs at their hard lifetime */
	ch->in_installed = false;
	ch->out_installed = false;
	ike_child_delete(ch, "lifetime expired");
}

struct ike_child *
ike_child_new(struct ike_sa *sa, const struct ike_qm *qm)
{
	struct ikd *ctx = sa->ikd;
	struct ike_child *ch;

	if ((ch = calloc(1, sizeof(*ch))) == NULL) {
		ctx->ctr.alloc_failed++;
		log_warn("ike_child_new");
		return NULL;
	}
	ch->ikd = ctx;
	ch->sa = sa;
	ch->spi_in = qm->spi_in;
	ch->spi_out = qm->spi_out;
	ch->path = sa->path;
	ch->serial = ++ctx->next_child_serial;
	ch->ike_serial = sa->serial;
	memcpy(ch->icookie, sa->icookie, ISAKMP_COOKIE_LEN);
	memcpy(ch->rcookie, sa->rcookie, ISAKMP_COOKIE_LEN);
	ch->client = sa->client;
	snprintf(ch->esp_str, sizeof(ch->esp_str), "%s", qm->esp_str);
	ch->l2tp_port = qm->remote_port;
	ch->udp_encap = qm->udp_encap;
	ch->created_ms = clock_mono_ms();
	memcpy(ch->idi, sa->idi, sa->idi_len);
	ch->idi_len = sa->idi_len;
	snprintf(ch->tag, sizeof(ch->tag), "esp in 0x%08x out 0x%08x",
	    ch->spi_in, ch->spi_out);
	if (ctx->base != NULL) {
		if ((ch->expire = ev_timer_new(ctx->base, child_expire_cb,
		    ch)) == NULL) {
			free(ch);
			return NULL;
		}
		/* a little after the kernel's hard expiry */
		(void)ev_timer_arm(ch->expire,
		    ((uint64_t)qm->life_seconds + 5) * 1000);
	}
	TAILQ_INSERT_TAIL(&ctx->children, ch, link);
	return ch;
}

void
ike_child_sa_id(const struct ike_child *ch, bool in, struct xfrm_sa_id *id)
{
	const struct sockaddr_storage *dst;

	memset(id, 0, sizeof(*id));
	dst = in ? &ch->path.local : &ch->path.remote;
	id->family = dst->ss_family;
	if (dst->ss_family == AF_INET)
		id->dst.v4 = ((const struct sockaddr_in *)(const void *)dst)->
		    sin_addr;
	else
		id->dst.v6 = ((const struct sockaddr_in6 *)(const void *)dst)->
		    sin6_addr;
	id->spi = in ? ch->spi_in : ch->spi_out;
}

void
ike_child_delete(struct ike_child *ch, const char *why)
{
	struct ikd *ctx;
	struct xfrm_sa_id id;

	if (ch == NULL)
		return;
	ctx = ch->ikd;
	if (ch->in_installed) {
		ike_child_sa_id(ch, true, &id);
		if (ctx->kops->sa_del(ctx->karg, &id) == -1)
			ctx->ctr.kernel_errors++;
	}
	if (ch->out_installed) {
		ike_child_sa_id(ch, false, &id);
		if (ctx->kops->sa_del(ctx->karg, &id) == -1)
			ctx->ctr.kernel_errors++;
	}
	logt_info(ch->tag, "ESP SAs removed: %s", why);
	if (ch->up)
		ikd_ctl_child_event(ctx, ch, false);
	TAILQ_REMOVE(&ctx->children, ch, link);
	ev_timer_free(ch->expire);
	free(ch);
}

struct ike_child *
ike_child_lookup_out(struct ikd *ctx, const struct ike_sa *sa, uint32_t spi)
{
	struct ike_child *ch;

	/*
	 * Its own, or one of an earlier ISAKMP SA of the same peer (same
	 * address and phase 1 ID: Windows re-keys phase 1, then deletes the
	 * old ESP SA under the new one).
	 */
	TAILQ_FOREACH(ch, &ctx->children, link)
		if (ch->spi_out == spi && (ch->sa == sa ||
		    (sa_equal(&ch->path.remote, &sa->path.remote, false) &&
		    ch->idi_len == sa->idi_len &&
		    memcmp(ch->idi, sa->idi, sa->idi_len) == 0)))
			return ch;
	return NULL;
}

void
ike_sa_initial_contact(struct ike_sa *sa)
{
	struct ikd *ctx = sa->ikd;
	struct ike_child *ch, *cn;
	struct ike_sa *o, *on;
	size_t nsa = 0, nch = 0;

	for (ch = TAILQ_FIRST(&ctx->children); ch != NULL; ch = cn) {
		cn = TAILQ_NEXT(ch, link);
		if (ch->sa == sa ||
		    !sa_equal(&ch->path.remote, &sa->path.remote, false) ||
		    ch->idi_len != sa->idi_len ||
		    memcmp(ch->idi, sa->idi, sa->idi_len) != 0)
			continue;
		ike_child_delete(ch, "INITIAL-CONTACT from the peer");
		nch++;
	}
	for (o = TAILQ_FIRST(&ctx->sas); o != NULL; o = on) {
		on = TAILQ_NEXT(o, link);
		if (o == sa || o->state != IKE_SA_ESTABLISHED ||
		    !sa_equal(&o->path.remote, &sa->path.remote, false) ||
		    o->idi_len != sa->idi_len ||
		    memcmp(o->idi, sa->idi, sa->idi_len) != 0)
			continue;
		ike_sa_delete(o, false, "INITIAL-CONTACT from the peer");
		nsa++;
	}
	if (nsa > 0 || nch > 0)
		logt_info(sa->tag, "INITIAL-CONTACT: dropped %zu older ISAKMP "
		    "SA(s) and %zu ESP SA pair(s) of this peer", nsa, nch);
}
