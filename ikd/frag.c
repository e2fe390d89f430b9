/*
 * frag.c - IKEv1 fragment parse, reassembly table and split (frag.h).
 *
 * The table is a plain array of FRAG_MAX_TOTAL slots: with at most 256
 * partial messages a linear scan per fragment is cheaper than keeping a
 * hash consistent, and fragments only arrive for large messages (a few
 * per negotiation). Each slot owns malloc'd copies of its fragments'
 * data; a slot's data never exceeds the table's max_size.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ikd/frag.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/sockaddr.h"

#define TAG_LEN		(SA_STR_LEN + 64)

struct frag_slot {
	bool used;
	struct sockaddr_storage peer;
	uint8_t icookie[ISAKMP_COOKIE_LEN];
	uint8_t rcookie[ISAKMP_COOKIE_LEN];
	uint16_t id;
	uint64_t created_ms;
	uint8_t last;		/* number of the last fragment, 0: unknown */
	size_t total;		/* data bytes held */
	uint8_t *data[FRAG_MAX_FRAGS + 1];	/* by number; [0] unused */
	size_t len[FRAG_MAX_FRAGS + 1];
};

struct frag_table {
	struct frag_slot slot[FRAG_MAX_TOTAL];
	size_t used;
	size_t max_size;
	struct frag_stats stats;
	size_t last_max_data;	/* of the last reassembled message */
	struct log_ratelimit malformed_rl;
};

static const char *const drop_names[FRAG_DROP_COUNT] = {
	[FRAG_DROP_MALFORMED] = "malformed fragment",
	[FRAG_DROP_PEER_LIMIT] = "too many partial messages from peer",
	[FRAG_DROP_TOTAL_LIMIT] = "too many partial messages",
	[FRAG_DROP_TOO_BIG] = "reassembled message too big",
	[FRAG_DROP_CONFLICT] = "conflicting fragment",
	[FRAG_DROP_TIMEOUT] = "reassembly timeout",
	[FRAG_DROP_BAD_MESSAGE] = "reassembled bytes are no ISAKMP message",
	[FRAG_DROP_NOMEM] = "out of memory",
};

const char *
frag_drop_name(enum frag_drop d)
{
	if ((unsigned int)d >= FRAG_DROP_COUNT)
		return "?";
	return drop_names[d];
}

static const char *const drop_keys[FRAG_DROP_COUNT] = {
	[FRAG_DROP_MALFORMED] = "malformed",
	[FRAG_DROP_PEER_LIMIT] = "peer-limit",
	[FRAG_DROP_TOTAL_LIMIT] = "total-limit",
	[FRAG_DROP_TOO_BIG] = "too-big",
	[FRAG_DROP_CONFLICT] = "conflict",
	[FRAG_DROP_TIMEOUT] = "timeout",
	[FRAG_DROP_BAD_MESSAGE] = "bad-message",
	[FRAG_DROP_NOMEM] = "nomem",
};

const char *
frag_drop_key(enum frag_drop d)
{
	if ((unsigned int)d >= FRAG_DROP_COUNT)
		return "?";
	return drop_keys[d];
}

/* [MS-IKEE] fragment datagram: header, then one fragment payload. */
enum isakmp_err
frag_msg_parse(const uint8_t *p, size_t len, struct frag_msg *m)
{
	struct rbuf r, body;
	uint8_t next, reserved;
	uint16_t plen;
	enum isakmp_err e;

	memset(m, 0, sizeof(*m));
	rbuf_init(&r, p, len);
	if ((e = isakmp_hdr_parse(&r, &m->hdr)) != ISAKMP_OK)
		return e;
	if (m->hdr.next != ISAKMP_PAYLOAD_FRAG)
		return ISAKMP_ERR_WRONG_TYPE;
	if (!rbuf_get_u8(&r, &next) || !rbuf_get_u8(&r, &reserved) ||
	    !rbuf_get_u16(&r, &plen))
		return ISAKMP_ERR_PAYLOAD_TRUNCATED;
	if (plen < ISAKMP_GENERIC_LEN)
		return ISAKMP_ERR_PAYLOAD_LENGTH;
	if ((size_t)plen - ISAKMP_GENERIC_LEN > rbuf_left(&r))
		return ISAKMP_ERR_PAYLOAD_OVERRUN;
	/* exactly one payload: nothing follows it, in the chain or after */
	if (next != ISAKMP_PAYLOAD_NONE ||
	    (size_t)plen - ISAKMP_GENERIC_LEN != rbuf_left(&r))
		return ISAKMP_ERR_TRAILING;
	if (!rbuf_sub(&r, rbuf_left(&r), &body))
		return ISAKMP_ERR_PAYLOAD_TRUNCATED;
	if ((e = isakmp_frag_parse(&body, &m->frag)) != ISAKMP_OK)
		return e;
	if (m->frag.number == 0 || m->frag.number > FRAG_MAX_FRAGS)
		return ISAKMP_ERR_DATA_LENGTH;
	return ISAKMP_OK;
}

/* "frag 192.0.2.5:500 icookie/rcookie id 7": the log tag of a message. */
static void
make_tag(char *buf, size_t len, const struct sockaddr_storage *peer,
    const uint8_t *ic, const uint8_t *rc, uint16_t id)
{
	char ps[SA_STR_LEN];

	sa_str(peer, true, ps, sizeof(ps));
	snprintf(buf, len, "frag %s %02x%02x%02x%02x%02x%02x%02x%02x/"
	    "%02x%02x%02x%02x%02x%02x%02x%02x id %u", ps,
	    ic[0], ic[1], ic[2], ic[3], ic[4], ic[5], ic[6], ic[7],
	    rc[0], rc[1], rc[2], rc[3], rc[4], rc[5], rc[6], rc[7], id);
}

struct frag_table *
frag_table_new(size_t max_size)
{
	struct frag_table *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if (max_size == 0 || max_size > FRAG_MAX_SIZE)
		max_size = FRAG_MAX_SIZE;
	t->max_size = max_size;
	return t;
}

static void
slot_clear(struct frag_table *t, struct frag_slot *s)
{
	size_t i;

	if (!s->used)
		return;
	for (i = 0; i <= FRAG_MAX_FRAGS; i++)
		free(s->data[i]);
	memset(s, 0, sizeof(*s));
	t->used--;
}

void
frag_table_free(struct frag_table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < FRAG_MAX_TOTAL; i++)
		slot_clear(t, &t->slot[i]);
	free(t);
}

/* Count, log once and free a partial message. */
static void
slot_drop(struct frag_table *t, struct frag_slot *s, enum frag_drop why)
{
	char tag[TAG_LEN];
	size_t i, n = 0;

	for (i = 1; i <= FRAG_MAX_FRAGS; i++)
		n += s->data[i] != NULL;
	make_tag(tag, sizeof(tag), &s->peer, s->icookie, s->rcookie, s->id);
	logt_info(tag, "dropping partial message (%zu fragments, %zu bytes): "
	    "%s", n, s->total, frag_drop_name(why));
	t->stats.dropped[why]++;
	slot_clear(t, s);
}

/* Count and log a fragment dropped without a partial message. */
static void
frag_drop_one(struct frag_table *t, const struct sockaddr_storage *peer,
    const struct frag_msg *m, enum frag_drop why)
{
	char tag[TAG_LEN];

	make_tag(tag, sizeof(tag), peer, m->hdr.icookie, m->hdr.rcookie,
	    m->frag.id);
	logt_info(tag, "dropping fragment %u: %s", m->frag.number,
	    frag_drop_name(why));
	t->stats.dropped[why]++;
}

void
frag_expire(struct frag_table *t)
{
	uint64_t now = clock_mono_ms();
	size_t i;

	for (i = 0; i < FRAG_MAX_TOTAL && t->used > 0; i++) {
		struct frag_slot *s = &t->slot[i];

		if (s->used && now - s->created_ms >= FRAG_TIMEOUT_MS)
			slot_drop(t, s, FRAG_DROP_TIMEOUT);
	}
}

bool
frag_next_expiry(const struct frag_table *t, uint64_t *ms)
{
	uint64_t now = clock_mono_ms(), oldest = 0, age;
	size_t i;
	bool any = false;

	for (i = 0; i < FRAG_MAX_TOTAL && t->used > 0; i++) {
		const struct frag_slot *s = &t->slot[i];

		if (!s->used)
			continue;
		if (!any || s->created_ms < oldest)
			oldest = s->created_ms;
		any = true;
	}
	if (!any)
		return false;
	age = now > oldest ? now - oldest : 0;
	*ms = age >= FRAG_TIMEOUT_MS ? 0 : FRAG_TIMEOUT_MS - age;
	return true;
}

size_t
frag_last_max_data(const struct frag_table *t)
{
	return t->last_max_data;
}

size_t
frag_pending(const struct frag_table *t)
{
	return t->used;
}

const struct frag_stats *
frag_table_stats(const struct frag_table *t)
{
	return &t->stats;
}

/* Find the partial message of m, or claim a free slot within the limits. */
static struct frag_slot *
slot_get(struct frag_table *t, const struct sockaddr_storage *peer,
    const struct frag_msg *m, enum frag_drop *why)
{
	struct frag_slot *s, *free_slot = NULL;
	size_t i, from_peer = 0;

	for (i = 0; i < FRAG_MAX_TOTAL; i++) {
		s = &t->slot[i];
		if (!s->used) {
			if (free_slot == NULL)
				free_slot = s;
			continue;
		}
		if (!sa_equal(&s->peer, peer, true))
			continue;
		if (s->id == m->frag.id &&
		    memcmp(s->icookie, m->hdr.icookie, ISAKMP_COOKIE_LEN) == 0)
			return s;
		from_peer++;
	}
	if (from_peer >= FRAG_MAX_PER_PEER) {
		*why = FRAG_DROP_PEER_LIMIT;
		return NULL;
	}
	if (free_slot == NULL) {
		*why = FRAG_DROP_TOTAL_LIMIT;
		return NULL;
	}
	s = free_slot;
	s->used = true;
	s->peer = *peer;
	memcpy(s->icookie, m->hdr.icookie, ISAKMP_COOKIE_LEN);
	memcpy(s->rcookie, m->hdr.rcookie, ISAKMP_COOKIE_LEN);
	s->id = m->frag.id;
	s->created_ms = clock_mono_ms();
	t->used++;
	return s;
}

/*
 * Whether fragment m contradicts what s holds: another responder cookie,
 * two different last numbers, or a fragment beyond the last.
 */
static bool
slot_conflicts(const struct frag_slot *s, const struct frag_msg *m)
{
	uint8_t num = m->frag.number;
	size_t i;

	if (memcmp(s->rcookie, m->hdr.rcookie, ISAKMP_COOKIE_LEN) != 0)
		return true;
	if (m->frag.flags & ISAKMP_FRAG_LAST) {
		if (s->last != 0 && s->last != num)
			return true;
		for (i = (size_t)num + 1; i <= FRAG_MAX_FRAGS; i++)
			if (s->data[i] != NULL)
				return true;
	} else if (s->last != 0 && num >= s->last) {
		return true;
	}
	return false;
}

/* All of 1..last present: concatenate, check, hand out. */
static enum frag_result
slot_complete(struct frag_table *t, struct frag_slot *s, uint8_t **out,
    size_t *outlen)
{
	struct isakmp_hdr h;
	struct rbuf r;
	uint8_t *buf;
	size_t i, off = 0, max_data = 0;

	for (i = 1; i <= s->last; i++)
		if (s->data[i] == NULL)
			return FRAG_PENDING;
	if ((buf = malloc(s->total)) == NULL) {
		slot_drop(t, s, FRAG_DROP_NOMEM);
		return FRAG_DROPPED;
	}
	for (i = 1; i <= s->last; i++) {
		memcpy(buf + off, s->data[i], s->len[i]);
		off += s->len[i];
		if (s->len[i] > max_data)
			max_data = s->len[i];
	}
	rbuf_init(&r, buf, off);
	if (isakmp_hdr_parse(&r, &h) != ISAKMP_OK ||
	    h.next == ISAKMP_PAYLOAD_FRAG ||
	    memcmp(h.icookie, s->icookie, ISAKMP_COOKIE_LEN) != 0 ||
	    memcmp(h.rcookie, s->rcookie, ISAKMP_COOKIE_LEN) != 0) {
		free(buf);
		slot_drop(t, s, FRAG_DROP_BAD_MESSAGE);
		return FRAG_DROPPED;
	}
	{
		char tag[TAG_LEN];

		make_tag(tag, sizeof(tag), &s->peer, s->icookie, s->rcookie,
		    s->id);
		logt_debug(tag, "reassembled %zu bytes from %u fragments",
		    off, s->last);
	}
	t->stats.reassembled++;
	t->last_max_data = max_data;
	slot_clear(t, s);
	*out = buf;
	*outlen = off;
	return FRAG_DONE;
}

enum frag_result
frag_recv(struct frag_table *t, const struct sockaddr_storage *peer,
    const uint8_t *p, size_t len, uint8_t **out, size_t *outlen)
{
	struct frag_msg m;
	struct frag_slot *s;
	enum frag_drop why = FRAG_DROP_MALFORMED;
	enum isakmp_err e;
	unsigned int suppressed = 0;
	uint8_t num;

	*out = NULL;
	*outlen = 0;
	frag_expire(t);
	if ((e = frag_msg_parse(p, len, &m)) != ISAKMP_OK) {
		char ps[SA_STR_LEN];

		t->stats.dropped[FRAG_DROP_MALFORMED]++;
		if (log_ratelimit_ok(&t->malformed_rl, 10, 10, &suppressed)) {
			sa_str(peer, true, ps, sizeof(ps));
			log_info("frag %s: dropping malformed fragment "
			    "(%zu bytes): %s (%u suppressed)", ps, len,
			    isakmp_err_name(e), suppressed);
		}
		return FRAG_DROPPED;
	}
	if ((s = slot_get(t, peer, &m, &why)) == NULL) {
		frag_drop_one(t, peer, &m, why);
		return FRAG_DROPPED;
	}
	num = m.frag.number;
	if (s->data[num] != NULL) {
		if (s->len[num] == m.frag.len &&
		    memcmp(s->data[num], m.frag.data, m.frag.len) == 0 &&
		    (s->last == num) == ((m.frag.flags & ISAKMP_FRAG_LAST) != 0)) {
			t->stats.duplicates++;
			return FRAG_PENDING;
		}
		slot_drop(t, s, FRAG_DROP_CONFLICT);
		return FRAG_DROPPED;
	}
	if (slot_conflicts(s, &m)) {
		slot_drop(t, s, FRAG_DROP_CONFLICT);
		return FRAG_DROPPED;
	}
	if (m.frag.len > t->max_size - s->total) {
		slot_drop(t, s, FRAG_DROP_TOO_BIG);
		return FRAG_DROPPED;
	}
	if ((s->data[num] = malloc(m.frag.len)) == NULL) {
		slot_drop(t, s, FRAG_DROP_NOMEM);
		return FRAG_DROPPED;
	}
	memcpy(s->data[num], m.frag.data, m.frag.len);
	s->len[num] = m.frag.len;
	s->total += m.frag.len;
	if (m.frag.flags & ISAKMP_FRAG_LAST)
		s->last = num;
	t->stats.fragments++;
	if (s->last == 0)
		return FRAG_PENDING;
	return slot_complete(t, s, out, outlen);
}

size_t
frag_dgram_max(size_t mtu, bool ipv6, bool natt)
{
	size_t over = (ipv6 ? 40 : 20) + 8 + (natt ? 4 : 0);

	if (mtu < over + ISAKMP_HDR_LEN + FRAG_PAYLOAD_HDR_LEN + 1)
		return 0;
	return mtu - over;
}

bool
frag_needed(bool peer_vid, size_t len, size_t dgram_max)
{
	return peer_vid && len > dgram_max;
}

bool
frag_split(const uint8_t *msg, size_t len, uint16_t id, uint8_t exchange,
    size_t dgram_max, uint8_t *buf, size_t cap,
    size_t off[FRAG_MAX_FRAGS + 1], size_t *n)
{
	struct isakmp_hdr h, fh;
	struct isakmp_builder b;
	struct isakmp_frag f;
	struct wbuf w;
	struct rbuf r;
	size_t per, count, i, done = 0, flen;

	*n = 0;
	rbuf_init(&r, msg, len);
	if (isakmp_hdr_parse(&r, &h) != ISAKMP_OK)
		return false;
	if (dgram_max < ISAKMP_HDR_LEN + FRAG_PAYLOAD_HDR_LEN + 1)
		return false;
	per = dgram_max - ISAKMP_HDR_LEN - FRAG_PAYLOAD_HDR_LEN;
	count = (len + per - 1) / per;
	if (count > FRAG_MAX_FRAGS)
		return false;
	memset(&fh, 0, sizeof(fh));
	memcpy(fh.icookie, h.icookie, ISAKMP_COOKIE_LEN);
	memcpy(fh.rcookie, h.rcookie, ISAKMP_COOKIE_LEN);
	fh.version = ISAKMP_VERSION;
	fh.exchange = exchange;
	wbuf_init(&w, buf, cap);
	for (i = 0; i < count; i++) {
		off[i] = wbuf_mark(&w);
		f.id = id;
		f.number = (uint8_t)(i + 1);
		f.flags = i + 1 == count ? ISAKMP_FRAG_LAST : 0;
		f.data = msg + done;
		f.len = len - done < per ? len - done : per;
		isakmp_builder_init(&b, &w, &fh);
		isakmp_build_frag(&b, &f);
		if (!isakmp_builder_finish(&b, &flen))
			return false;
		done += f.len;
	}
	off[count] = wbuf_mark(&w);
	*n = count;
	return true;
}
