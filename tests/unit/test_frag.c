/*
 * test_frag.c - IKEv1 fragmentation (ikd/frag.c): fragment datagram parse
 * (every truncation, wrong next payload, trailing bytes, numbers 0 and
 * 17), split -> reassemble round trip at every size boundary, in order,
 * reversed and shuffled, duplicates, conflicting fragments, the
 * per-peer and global limits, the size limit, the timeout (mock clock),
 * reassembled bytes that are no ISAKMP message, the drop logs, the next
 * expiry (for ikd's timer), the peer's fragment size and the drop keys.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ikd/frag.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "tests/unit/logcap.h"

#define BIG	(FRAG_MAX_FRAGS * 1024 + 4096)

static const uint8_t icookie[8] = {
	0x5a, 0x11, 0x0c, 0x4e, 0x9d, 0x21, 0x7f, 0x03
};
static const uint8_t rcookie[8] = {
	0xe8, 0xdb, 0xd3, 0xa0, 0x5e, 0xa8, 0x9e, 0xe2
};

static uint64_t now_ms = 1000000;

static uint64_t
mock_clock(void)
{
	return now_ms;
}

static int
setup(void **state)
{
	(void)state;
	now_ms = 1000000;
	clock_set_mock(mock_clock);
	logcap_start(LOG_LEVEL_DEBUG);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	clock_set_mock(NULL);
	logcap_stop();
	return 0;
}

static struct sockaddr_storage
peer4(uint32_t addr, uint16_t port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

	memset(&ss, 0, sizeof(ss));
	s4->sin_family = AF_INET;
	s4->sin_addr.s_addr = htonl(addr);
	s4->sin_port = htons(port);
	return ss;
}

/* An Identity Protection header of cookies ic, rc; the rest zero. */
static void
idprot_hdr(struct isakmp_hdr *h, const uint8_t *ic, const uint8_t *rc)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->icookie, ic, 8);
	memcpy(h->rcookie, rc, 8);
	h->version = ISAKMP_VERSION;
	h->exchange = ISAKMP_EXCH_IDPROT;
}

/* A valid ISAKMP message of len >= 28 bytes: header + patterned body. */
static void
mk_msg(uint8_t *p, size_t len, uint8_t seed)
{
	struct isakmp_hdr h;
	struct wbuf w;
	size_t i;

	idprot_hdr(&h, icookie, rcookie);
	h.next = ISAKMP_PAYLOAD_ID;
	h.flags = ISAKMP_FLAG_ENC;
	h.msgid = 0;
	h.length = (uint32_t)len;
	wbuf_init(&w, p, len);
	isakmp_hdr_build(&w, &h);
	assert_true(wbuf_ok(&w));
	for (i = ISAKMP_HDR_LEN; i < len; i++)
		p[i] = (uint8_t)(i * 7 + seed);
}

/* One fragment datagram built by hand; returns its length. */
static size_t
mk_frag(uint8_t *buf, size_t cap, const uint8_t *ic, const uint8_t *rc,
    uint16_t id, uint8_t num, uint8_t flags, const uint8_t *data,
    size_t len)
{
	struct isakmp_hdr h;
	struct isakmp_builder b;
	struct isakmp_frag f = { id, num, flags, data, len };
	struct wbuf w;
	size_t out;

	idprot_hdr(&h, ic, rc);
	wbuf_init(&w, buf, cap);
	isakmp_builder_init(&b, &w, &h);
	isakmp_build_frag(&b, &f);
	assert_true(isakmp_builder_finish(&b, &out));
	return out;
}

static enum frag_result
feed(struct frag_table *t, const struct sockaddr_storage *peer,
    const uint8_t *p, size_t len, uint8_t **out, size_t *outlen)
{
	return frag_recv(t, peer, p, len, out, outlen);
}

/* ---- parse ---- */

static void
test_parse_valid_and_truncated(void **state)
{
	uint8_t data[40], buf[128];
	struct frag_msg m;
	size_t len, i;

	(void)state;
	memset(data, 0xab, sizeof(data));
	len = mk_frag(buf, sizeof(buf), icookie, rcookie, 0x0102, 3,
	    ISAKMP_FRAG_LAST, data, sizeof(data));
	assert_int_equal(len, ISAKMP_HDR_LEN + FRAG_PAYLOAD_HDR_LEN + 40);
	assert_int_equal(frag_msg_parse(buf, len, &m), ISAKMP_OK);
	assert_int_equal(m.frag.id, 0x0102);
	assert_int_equal(m.frag.number, 3);
	assert_int_equal(m.frag.flags, ISAKMP_FRAG_LAST);
	assert_int_equal(m.frag.len, 40);
	assert_ptr_equal(m.frag.data, buf + 36);
	assert_memory_equal(m.hdr.icookie, icookie, 8);
	/* every truncation fails (the header length no longer matches) */
	for (i = 0; i < len; i++)
		assert_int_not_equal(frag_msg_parse(buf, i, &m), ISAKMP_OK);
}

static void
test_parse_rejects(void **state)
{
	uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, buf[128], msg[64];
	struct frag_msg m;
	size_t len;

	(void)state;
	/* number 0 and 17 */
	len = mk_frag(buf, sizeof(buf), icookie, rcookie, 1, 0, 0, data, 8);
	assert_int_equal(frag_msg_parse(buf, len, &m), ISAKMP_ERR_DATA_LENGTH);
	len = mk_frag(buf, sizeof(buf), icookie, rcookie, 1,
	    FRAG_MAX_FRAGS + 1, 0, data, 8);
	assert_int_equal(frag_msg_parse(buf, len, &m), ISAKMP_ERR_DATA_LENGTH);
	len = mk_frag(buf, sizeof(buf), icookie, rcookie, 1,
	    FRAG_MAX_FRAGS, 0, data, 8);
	assert_int_equal(frag_msg_parse(buf, len, &m), ISAKMP_OK);
	/* a chain that continues after the fragment payload */
	buf[ISAKMP_HDR_LEN] = ISAKMP_PAYLOAD_VID;
	assert_int_equal(frag_msg_parse(buf, len, &m), ISAKMP_ERR_TRAILING);
	buf[ISAKMP_HDR_LEN] = 0;
	/* payload length one short of the datagram: trailing bytes */
	buf[ISAKMP_HDR_LEN + 3]--;
	assert_int_equal(frag_msg_parse(buf, len, &m), ISAKMP_ERR_TRAILING);
	buf[ISAKMP_HDR_LEN + 3] += 2;
	assert_int_equal(frag_msg_parse(buf, len, &m),
	    ISAKMP_ERR_PAYLOAD_OVERRUN);
	buf[ISAKMP_HDR_LEN + 2] = 0;
	buf[ISAKMP_HDR_LEN + 3] = 3;
	assert_int_equal(frag_msg_parse(buf, len, &m),
	    ISAKMP_ERR_PAYLOAD_LENGTH);
	/* an ordinary message is not a fragment */
	mk_msg(msg, sizeof(msg), 0);
	assert_int_equal(frag_msg_parse(msg, sizeof(msg), &m),
	    ISAKMP_ERR_WRONG_TYPE);
	/* no data: the fragment body parser refuses it */
	len = mk_frag(buf, sizeof(buf), icookie, rcookie, 1, 1, 0, data, 8);
	buf[ISAKMP_HDR_LEN + 3] = FRAG_PAYLOAD_HDR_LEN;
	buf[27] = ISAKMP_HDR_LEN + FRAG_PAYLOAD_HDR_LEN;
	assert_int_equal(frag_msg_parse(buf, ISAKMP_HDR_LEN +
	    FRAG_PAYLOAD_HDR_LEN, &m), ISAKMP_ERR_DATA_LENGTH);
}

static void
test_dgram_max(void **state)
{
	(void)state;
	/* strongSwan: 576 - 20 - 8 = 548, 512 bytes of data */
	assert_int_equal(frag_dgram_max(576, false, false), 548);
	assert_int_equal(frag_dgram_max(576, false, true), 544);
	assert_int_equal(frag_dgram_max(1280, true, false), 1232);
	assert_int_equal(frag_dgram_max(1280, true, true), 1228);
	assert_int_equal(frag_dgram_max(20 + 8 + 28 + 8 + 1, false, false),
	    28 + 8 + 1);
	assert_int_equal(frag_dgram_max(20 + 8 + 28 + 8, false, false), 0);
	assert_int_equal(frag_dgram_max(0, true, true), 0);
	assert_false(frag_needed(false, 5000, 548));
	assert_false(frag_needed(true, 548, 548));
	assert_true(frag_needed(true, 549, 548));
}

/* ---- split and reassemble ---- */

/*
 * Split a message of len bytes with dgram_max, check every fragment,
 * feed them in `order` (0 in order, 1 reversed, 2 shuffled) and check
 * the result is the message.
 */
static void
round_trip(struct frag_table *t, size_t len, size_t dgram_max, int order,
    uint16_t id)
{
	static uint8_t msg[FRAG_MAX_SIZE], buf[BIG];
	size_t off[FRAG_MAX_FRAGS + 1], n, i, per, outlen, idx[FRAG_MAX_FRAGS];
	struct sockaddr_storage peer = peer4(0xc0000205, 500);
	struct frag_msg m;
	uint8_t *out;
	enum frag_result r;

	per = dgram_max - ISAKMP_HDR_LEN - FRAG_PAYLOAD_HDR_LEN;
	mk_msg(msg, len, (uint8_t)len);
	assert_true(frag_split(msg, len, id, ISAKMP_EXCH_IDPROT, dgram_max,
	    buf, sizeof(buf), off, &n));
	assert_int_equal(n, (len + per - 1) / per);
	for (i = 0; i < n; i++) {
		const uint8_t *f = buf + off[i];
		size_t flen = off[i + 1] - off[i];

		assert_true(flen <= dgram_max);
		assert_int_equal(frag_msg_parse(f, flen, &m), ISAKMP_OK);
		assert_memory_equal(m.hdr.icookie, icookie, 8);
		assert_memory_equal(m.hdr.rcookie, rcookie, 8);
		assert_int_equal(m.hdr.exchange, ISAKMP_EXCH_IDPROT);
		assert_int_equal(m.hdr.flags, 0);
		assert_int_equal(m.hdr.msgid, 0);
		assert_int_equal(m.frag.id, id);
		assert_int_equal(m.frag.number, i + 1);
		assert_int_equal(m.frag.flags,
		    i + 1 == n ? ISAKMP_FRAG_LAST : 0);
		assert_memory_equal(m.frag.data, msg + i * per, m.frag.len);
		assert_int_equal(m.frag.len, i + 1 < n ? per : len - i * per);
		idx[i] = i;
	}
	if (order == 1)
		for (i = 0; i < n; i++)
			idx[i] = n - 1 - i;
	if (order == 2)
		for (i = n; i > 1; i--) {
			size_t j = (size_t)rand() % i, tmp = idx[i - 1];

			idx[i - 1] = idx[j];
			idx[j] = tmp;
		}
	for (i = 0; i < n; i++) {
		r = feed(t, &peer, buf + off[idx[i]],
		    off[idx[i] + 1] - off[idx[i]], &out, &outlen);
		if (i + 1 < n) {
			assert_int_equal(r, FRAG_PENDING);
			assert_null(out);
			continue;
		}
		assert_int_equal(r, FRAG_DONE);
		assert_int_equal(outlen, len);
		assert_memory_equal(out, msg, len);
		free(out);
	}
	assert_int_equal(frag_pending(t), 0);
}

static void
test_round_trip_boundaries(void **state)
{
	static const size_t dgrams[] = { 37, 45, 548, 544, 1232 };
	struct frag_table *t = frag_table_new(FRAG_MAX_SIZE);
	size_t d, k, len, per, total = 0;
	int delta, order;

	(void)state;
	assert_non_null(t);
	srand(7);
	for (d = 0; d < sizeof(dgrams) / sizeof(dgrams[0]); d++) {
		per = dgrams[d] - ISAKMP_HDR_LEN - FRAG_PAYLOAD_HDR_LEN;
		for (k = 1; k <= FRAG_MAX_FRAGS; k++)
			for (delta = -1; delta <= 1; delta++) {
				len = k * per + (size_t)(ssize_t)delta;
				if (len < ISAKMP_HDR_LEN ||
				    len > k * per || len > FRAG_MAX_SIZE)
					continue;
				for (order = 0; order < 3; order++) {
					round_trip(t, len, dgrams[d], order,
					    (uint16_t)total);
					total++;
				}
			}
	}
	/* every length for 9-byte fragments: 28..16 * 9 */
	for (len = ISAKMP_HDR_LEN; len <= FRAG_MAX_FRAGS * 9; len++) {
		round_trip(t, len, 45, 0, (uint16_t)len);
		total++;
	}
	assert_true(total > 200);
	assert_int_equal(frag_table_stats(t)->dropped[FRAG_DROP_MALFORMED], 0);
	assert_int_equal(logcap_count(LOG_LEVEL_INFO), 0);
	frag_table_free(t);
}

static void
test_split_refuses(void **state)
{
	static uint8_t msg[2048], buf[8192];
	size_t off[FRAG_MAX_FRAGS + 1], n;

	(void)state;
	mk_msg(msg, sizeof(msg), 1);
	/* 16 * 9 = 144 < 2048: too many fragments */
	assert_false(frag_split(msg, sizeof(msg), 1, ISAKMP_EXCH_IDPROT, 45,
	    buf, sizeof(buf), off, &n));
	/* 16 fragments of 128 fit exactly; 127 does not */
	assert_true(frag_split(msg, sizeof(msg), 1, ISAKMP_EXCH_IDPROT,
	    128 + 36, buf, sizeof(buf), off, &n));
	assert_int_equal(n, 16);
	assert_false(frag_split(msg, sizeof(msg), 1, ISAKMP_EXCH_IDPROT,
	    127 + 36, buf, sizeof(buf), off, &n));
	/* buffer one byte short */
	assert_false(frag_split(msg, sizeof(msg), 1, ISAKMP_EXCH_IDPROT,
	    548, buf, sizeof(msg) + 4 * 36 - 1, off, &n));
	assert_true(frag_split(msg, sizeof(msg), 1, ISAKMP_EXCH_AGGRESSIVE,
	    548, buf, sizeof(msg) + 4 * 36, off, &n));
	assert_int_equal(n, 4);
	assert_int_equal(buf[18], ISAKMP_EXCH_AGGRESSIVE);
	/* no valid header */
	assert_false(frag_split(msg, sizeof(msg) - 1, 1, ISAKMP_EXCH_IDPROT,
	    548, buf, sizeof(buf), off, &n));
	/* dgram_max without room for data */
	assert_false(frag_split(msg, sizeof(msg), 1, ISAKMP_EXCH_IDPROT,
	    36, buf, sizeof(buf), off, &n));
}

/* ---- duplicates, conflicts ---- */

/*
 * Make a message of len bytes (pattern seed) and split it into datagrams
 * of at most dgram_max with fragment id `id`; returns how many.
 */
static size_t
split_msg(uint8_t *msg, size_t len, uint8_t seed, uint16_t id,
    size_t dgram_max, uint8_t *buf, size_t cap, size_t *off)
{
	size_t n;

	mk_msg(msg, len, seed);
	assert_true(frag_split(msg, len, id, ISAKMP_EXCH_IDPROT, dgram_max,
	    buf, cap, off, &n));
	return n;
}

/* Build one fragment of (icookie, rcookie) and feed it to t from peer. */
static enum frag_result
feed_new(struct frag_table *t, const struct sockaddr_storage *peer,
    uint16_t id, uint8_t num, uint8_t flags, const uint8_t *data, size_t len,
    uint8_t **out)
{
	static uint8_t buf[4400];
	size_t flen, outlen;

	flen = mk_frag(buf, sizeof(buf), icookie, rcookie, id, num, flags,
	    data, len);
	return feed(t, peer, buf, flen, out, &outlen);
}

/*
 * A table, one peer and a 100-byte message split into 4 fragments of 25
 * (dgram_max 61) the tests feed by index.
 */
struct four {
	struct frag_table	*t;
	struct sockaddr_storage	 peer;
	uint8_t			 msg[100], buf[512], *out;
	size_t			 off[FRAG_MAX_FRAGS + 1], outlen;
};

static void
four_init(struct four *h, uint32_t addr, uint16_t port, uint16_t id)
{
	h->t = frag_table_new(FRAG_MAX_SIZE);
	assert_non_null(h->t);
	h->peer = peer4(addr, port);
	h->out = NULL;
	assert_int_equal(split_msg(h->msg, sizeof(h->msg), 3, id, 61, h->buf,
	    sizeof(h->buf), h->off), 4);
}

/* Feed fragment i (0..3) of h's message. */
static enum frag_result
feed_piece(struct four *h, size_t i)
{
	return feed(h->t, &h->peer, h->buf + h->off[i],
	    h->off[i + 1] - h->off[i], &h->out, &h->outlen);
}

static void
test_duplicates(void **state)
{
	struct four h;

	(void)state;
	four_init(&h, 0x0a000001, 4500, 9);
	assert_int_equal(feed_piece(&h, 0), FRAG_PENDING);
	assert_int_equal(feed_piece(&h, 0), FRAG_PENDING);
	assert_int_equal(feed_piece(&h, 3), FRAG_PENDING);
	assert_int_equal(feed_piece(&h, 3), FRAG_PENDING);
	assert_int_equal(feed_piece(&h, 1), FRAG_PENDING);
	assert_int_equal(feed_piece(&h, 0), FRAG_PENDING);
	assert_int_equal(feed_piece(&h, 2), FRAG_DONE);
	assert_memory_equal(h.out, h.msg, 100);
	free(h.out);
	assert_int_equal(frag_table_stats(h.t)->duplicates, 3);
	assert_int_equal(frag_table_stats(h.t)->fragments, 4);
	assert_int_equal(frag_table_stats(h.t)->reassembled, 1);
	/* a repeat after completion starts a new partial message */
	assert_int_equal(feed_piece(&h, 1), FRAG_PENDING);
	assert_int_equal(frag_pending(h.t), 1);
	frag_table_free(h.t);
}

static void
test_conflicts(void **state)
{
	struct four h;
	uint8_t other[64], rc2[8] = { 0 };
	size_t len;
	const struct frag_stats *st;

	(void)state;
	four_init(&h, 0xc0a8010a, 500, 77);
	st = frag_table_stats(h.t);
	/* same number, other data: the whole message goes */
	assert_int_equal(feed_piece(&h, 0), FRAG_PENDING);
	assert_int_equal(feed_piece(&h, 1), FRAG_PENDING);
	len = h.off[2] - h.off[1];
	memcpy(other, h.buf + h.off[1], len);
	other[len - 1] ^= 1;
	assert_int_equal(feed(h.t, &h.peer, other, len, &h.out, &h.outlen),
	    FRAG_DROPPED);
	assert_int_equal(frag_pending(h.t), 0);
	assert_int_equal(st->dropped[FRAG_DROP_CONFLICT], 1);
	assert_int_equal(logcap_count(LOG_LEVEL_INFO), 1);
	assert_true(logcap_find("192.168.1.10:500",
	    "5a110c4e9d217f03/e8dbd3a05ea89ee2", "id 77", "2 fragments",
	    "conflicting", NULL) >= 0);
	/* then the remaining fragments start over and cannot complete */
	assert_int_equal(feed_piece(&h, 2), FRAG_PENDING);
	assert_int_equal(feed_piece(&h, 3), FRAG_PENDING);
	assert_int_equal(frag_pending(h.t), 1);
	/* same number, last flag differs */
	len = h.off[3] - h.off[2];
	memcpy(other, h.buf + h.off[2], len);
	other[ISAKMP_HDR_LEN + 7] = ISAKMP_FRAG_LAST;
	assert_int_equal(feed(h.t, &h.peer, other, len, &h.out, &h.outlen),
	    FRAG_DROPPED);
	assert_int_equal(st->dropped[FRAG_DROP_CONFLICT], 2);
	/* a fragment beyond the last */
	assert_int_equal(feed_piece(&h, 1), FRAG_PENDING);
	assert_int_equal(feed_piece(&h, 3), FRAG_PENDING);	/* last = 4 */
	assert_int_equal(feed_new(h.t, &h.peer, 77, 5, 0, h.msg, 25, &h.out),
	    FRAG_DROPPED);
	assert_int_equal(st->dropped[FRAG_DROP_CONFLICT], 3);
	/* a second last with another number */
	assert_int_equal(feed_piece(&h, 3), FRAG_PENDING);
	assert_int_equal(feed_new(h.t, &h.peer, 77, 3, ISAKMP_FRAG_LAST,
	    h.msg + 50, 25, &h.out), FRAG_DROPPED);
	assert_int_equal(st->dropped[FRAG_DROP_CONFLICT], 4);
	/* a last below a fragment already held */
	assert_int_equal(feed_piece(&h, 2), FRAG_PENDING);	/* number 3 */
	assert_int_equal(feed_new(h.t, &h.peer, 77, 2, ISAKMP_FRAG_LAST,
	    h.msg + 25, 25, &h.out), FRAG_DROPPED);
	assert_int_equal(st->dropped[FRAG_DROP_CONFLICT], 5);
	/* another responder cookie for the same key */
	assert_int_equal(feed_piece(&h, 0), FRAG_PENDING);
	len = mk_frag(other, sizeof(other), icookie, rc2, 77, 2, 0,
	    h.msg + 25, 25);
	assert_int_equal(feed(h.t, &h.peer, other, len, &h.out, &h.outlen),
	    FRAG_DROPPED);
	assert_int_equal(st->dropped[FRAG_DROP_CONFLICT], 6);
	assert_int_equal(frag_pending(h.t), 0);
	/* one log line per drop */
	assert_int_equal(logcap_count(LOG_LEVEL_INFO), 6);
	assert_int_equal(st->reassembled, 0);
	frag_table_free(h.t);
}

/* Fragments of other ids, cookies and peers never mix. */
static void
test_keys_separate(void **state)
{
	struct four h;
	struct sockaddr_storage p2 = peer4(0x0a000001, 4500);
	uint8_t m2[100], b2[512];
	size_t o2[FRAG_MAX_FRAGS + 1], outlen, i;

	(void)state;
	four_init(&h, 0x0a000001, 500, 5);
	assert_int_equal(split_msg(m2, sizeof(m2), 99, 5, 61, b2, sizeof(b2),
	    o2), 4);
	/* same id and cookies, other port: two messages */
	for (i = 0; i < 3; i++) {
		assert_int_equal(feed_piece(&h, i), FRAG_PENDING);
		assert_int_equal(feed(h.t, &p2, b2 + o2[i], o2[i + 1] - o2[i],
		    &h.out, &outlen), FRAG_PENDING);
	}
	assert_int_equal(frag_pending(h.t), 2);
	assert_int_equal(feed(h.t, &p2, b2 + o2[3], o2[4] - o2[3], &h.out,
	    &outlen), FRAG_DONE);
	assert_memory_equal(h.out, m2, 100);
	free(h.out);
	assert_int_equal(feed_piece(&h, 3), FRAG_DONE);
	assert_memory_equal(h.out, h.msg, 100);
	free(h.out);
	frag_table_free(h.t);
}

/* ---- limits ---- */

static void
test_peer_and_total_limits(void **state)
{
	struct frag_table *t = frag_table_new(FRAG_MAX_SIZE);
	struct sockaddr_storage peer;
	uint8_t data[16] = { 0 }, *out;
	uint32_t a;
	uint16_t id;
	const struct frag_stats *st = frag_table_stats(t);

	(void)state;
	for (a = 0; a < FRAG_MAX_TOTAL / FRAG_MAX_PER_PEER; a++) {
		peer = peer4(0x0a000000 + a, 500);
		for (id = 0; id <= FRAG_MAX_PER_PEER; id++)
			assert_int_equal(feed_new(t, &peer, id, 1, 0, data,
			    sizeof(data), &out), id < FRAG_MAX_PER_PEER ?
			    FRAG_PENDING : FRAG_DROPPED);
		/* a fragment of a message already held still goes in */
		assert_int_equal(feed_new(t, &peer, 0, 2, 0, data,
		    sizeof(data), &out), FRAG_PENDING);
	}
	assert_int_equal(frag_pending(t), FRAG_MAX_TOTAL);
	assert_int_equal(st->dropped[FRAG_DROP_PEER_LIMIT],
	    FRAG_MAX_TOTAL / FRAG_MAX_PER_PEER);
	peer = peer4(0x0b000000, 500);
	assert_int_equal(feed_new(t, &peer, 1, 1, 0, data, sizeof(data),
	    &out), FRAG_DROPPED);
	assert_int_equal(st->dropped[FRAG_DROP_TOTAL_LIMIT], 1);
	assert_true(logcap_find("10.0.0.0:500", "id 8",
	    "too many partial messages from peer", NULL) >= 0);
	assert_true(logcap_find("11.0.0.0:500", "too many partial messages",
	    NULL) >= 0);
	/* after the timeout everything is gone and there is room again */
	now_ms += FRAG_TIMEOUT_MS;
	assert_int_equal(feed_new(t, &peer, 1, 1, 0, data, sizeof(data),
	    &out), FRAG_PENDING);
	assert_int_equal(frag_pending(t), 1);
	assert_int_equal(st->dropped[FRAG_DROP_TIMEOUT], FRAG_MAX_TOTAL);
	frag_table_free(t);
}

static void
test_too_big(void **state)
{
	static uint8_t data[4200];
	struct frag_table *t = frag_table_new(FRAG_MAX_SIZE);
	struct sockaddr_storage peer = peer4(0x0a000001, 500);
	uint8_t *out;
	size_t i;

	(void)state;
	/* 16 * 4096 = 65536 fits exactly (but is no valid message) */
	memset(data, 0, sizeof(data));
	for (i = 1; i <= FRAG_MAX_FRAGS; i++)
		assert_int_equal(feed_new(t, &peer, 1, (uint8_t)i,
		    i == FRAG_MAX_FRAGS ? ISAKMP_FRAG_LAST : 0, data, 4096,
		    &out), i < FRAG_MAX_FRAGS ? FRAG_PENDING : FRAG_DROPPED);
	assert_int_equal(frag_table_stats(t)->dropped[FRAG_DROP_BAD_MESSAGE],
	    1);
	/* one byte more is too big, whatever order */
	for (i = FRAG_MAX_FRAGS; i >= 1; i--)
		assert_int_equal(feed_new(t, &peer, 2, (uint8_t)i,
		    i == FRAG_MAX_FRAGS ? ISAKMP_FRAG_LAST : 0, data,
		    i == 1 ? 4097 : 4096, &out),
		    i > 1 ? FRAG_PENDING : FRAG_DROPPED);
	assert_int_equal(frag_table_stats(t)->dropped[FRAG_DROP_TOO_BIG], 1);
	assert_int_equal(frag_pending(t), 0);
	frag_table_free(t);
}

/*
 * Split a message of len bytes (id `id`, dgram_max 61), feed all its
 * fragments in order; returns the last result, *n how many there were.
 */
static enum frag_result
split_feed_all(struct frag_table *t, const struct sockaddr_storage *peer,
    size_t len, uint16_t id, size_t *n, uint8_t **out)
{
	uint8_t msg[FRAG_MAX_FRAGS * 25], buf[512];
	size_t off[FRAG_MAX_FRAGS + 1], outlen, i;
	enum frag_result r = FRAG_PENDING;

	*n = split_msg(msg, len, 5, id, 61, buf, sizeof(buf), off);
	for (i = 0; i < *n; i++)
		r = feed(t, peer, buf + off[i], off[i + 1] - off[i], out,
		    &outlen);
	return r;
}

/* A table made for smaller messages (ikd: IKD_MSG_MAX) drops beyond. */
static void
test_table_max_size(void **state)
{
	struct frag_table *t = frag_table_new(100);
	struct sockaddr_storage peer = peer4(0xc0000205, 500);
	uint8_t *out;
	size_t n;

	(void)state;
	assert_int_equal(split_feed_all(t, &peer, 100, 1, &n, &out),
	    FRAG_DONE);
	free(out);
	assert_int_equal(split_feed_all(t, &peer, 101, 2, &n, &out),
	    FRAG_DROPPED);
	assert_int_equal(n, 5);
	assert_int_equal(frag_table_stats(t)->dropped[FRAG_DROP_TOO_BIG], 1);
	frag_table_free(t);
	/* 0 and anything above FRAG_MAX_SIZE mean FRAG_MAX_SIZE */
	t = frag_table_new(0);
	assert_non_null(t);
	frag_table_free(t);
}

static void
test_timeout(void **state)
{
	struct four h;

	(void)state;
	four_init(&h, 0xc0000205, 500, 3);
	assert_int_equal(feed_piece(&h, 0), FRAG_PENDING);
	now_ms += FRAG_TIMEOUT_MS - 1;
	frag_expire(h.t);
	assert_int_equal(frag_pending(h.t), 1);
	assert_int_equal(feed_piece(&h, 1), FRAG_PENDING);
	assert_int_equal(feed_piece(&h, 2), FRAG_PENDING);
	now_ms += 1;
	frag_expire(h.t);
	assert_int_equal(frag_pending(h.t), 0);
	assert_int_equal(frag_table_stats(h.t)->dropped[FRAG_DROP_TIMEOUT], 1);
	assert_true(logcap_find("192.0.2.5:500", "3 fragments",
	    "reassembly timeout", NULL) >= 0);
	/* the last fragment alone does not complete anything */
	assert_int_equal(feed_piece(&h, 3), FRAG_PENDING);
	/* the timeout counts from the first fragment, not the latest */
	now_ms += FRAG_TIMEOUT_MS - 1;
	assert_int_equal(feed_piece(&h, 0), FRAG_PENDING);
	now_ms += 1;
	assert_int_equal(feed_piece(&h, 1), FRAG_PENDING);
	assert_int_equal(frag_table_stats(h.t)->dropped[FRAG_DROP_TIMEOUT], 2);
	assert_int_equal(frag_pending(h.t), 1);
	frag_table_free(h.t);
}

/* When a timer should fire, and how large the last message's fragments were. */
static void
test_next_expiry_and_max_data(void **state)
{
	struct four h;
	uint8_t msg2[100], buf2[512];
	size_t off2[FRAG_MAX_FRAGS + 1], outlen;
	uint64_t ms = 12345;

	(void)state;
	four_init(&h, 0xc0000205, 500, 1);
	assert_false(frag_next_expiry(h.t, &ms));
	assert_int_equal(ms, 12345);
	assert_int_equal(frag_last_max_data(h.t), 0);
	assert_int_equal(feed_piece(&h, 0), FRAG_PENDING);
	assert_true(frag_next_expiry(h.t, &ms));
	assert_int_equal(ms, FRAG_TIMEOUT_MS);
	/* a younger partial message: the oldest one decides */
	now_ms += 4000;
	assert_int_equal(split_msg(msg2, sizeof(msg2), 4, 2, 80, buf2,
	    sizeof(buf2), off2), 3);
	assert_int_equal(feed(h.t, &h.peer, buf2, off2[1], &h.out, &outlen),
	    FRAG_PENDING);
	assert_true(frag_next_expiry(h.t, &ms));
	assert_int_equal(ms, FRAG_TIMEOUT_MS - 4000);
	/* overdue: fire now */
	now_ms += FRAG_TIMEOUT_MS;
	assert_true(frag_next_expiry(h.t, &ms));
	assert_int_equal(ms, 0);
	frag_expire(h.t);
	assert_false(frag_next_expiry(h.t, &ms));
	assert_int_equal(frag_last_max_data(h.t), 0);
	/* 100 bytes in 25-byte pieces, then in 44 + 44 + 12 */
	assert_int_equal(feed_piece(&h, 3), FRAG_PENDING);
	assert_int_equal(feed_piece(&h, 1), FRAG_PENDING);
	assert_int_equal(feed_piece(&h, 2), FRAG_PENDING);
	assert_int_equal(feed_piece(&h, 0), FRAG_DONE);
	free(h.out);
	assert_int_equal(frag_last_max_data(h.t), 25);
	assert_int_equal(feed(h.t, &h.peer, buf2 + off2[2], off2[3] - off2[2],
	    &h.out, &outlen), FRAG_PENDING);
	assert_int_equal(frag_last_max_data(h.t), 25);
	assert_int_equal(feed(h.t, &h.peer, buf2, off2[1], &h.out, &outlen),
	    FRAG_PENDING);
	assert_int_equal(feed(h.t, &h.peer, buf2 + off2[1], off2[2] - off2[1],
	    &h.out, &outlen), FRAG_DONE);
	free(h.out);
	assert_int_equal(frag_last_max_data(h.t), 44);
	assert_false(frag_next_expiry(h.t, &ms));
	frag_table_free(h.t);
}

/* Drop reasons have short key names for the counters. */
static void
test_drop_keys(void **state)
{
	size_t i, j, k;

	(void)state;
	for (i = 0; i < FRAG_DROP_COUNT; i++) {
		const char *key = frag_drop_key((enum frag_drop)i);

		assert_non_null(key);
		assert_true(strlen(key) > 0);
		assert_string_not_equal(key, "?");
		for (k = 0; key[k] != '\0'; k++)
			assert_true((key[k] >= 'a' && key[k] <= 'z') ||
			    key[k] == '-');
		for (j = 0; j < i; j++)
			assert_string_not_equal(key,
			    frag_drop_key((enum frag_drop)j));
	}
	assert_string_equal(frag_drop_key(FRAG_DROP_COUNT), "?");
	assert_string_equal(frag_drop_key(FRAG_DROP_TIMEOUT), "timeout");
}

/* Reassembled bytes that are not an ISAKMP message of those cookies. */
static void
test_bad_message(void **state)
{
	struct frag_table *t = frag_table_new(FRAG_MAX_SIZE);
	struct sockaddr_storage peer = peer4(0xc0000205, 500);
	uint8_t msg[100], *out;
	uint8_t other_ic[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	const struct frag_stats *st = frag_table_stats(t);

	(void)state;
	/* wrong length field */
	mk_msg(msg, 100, 1);
	assert_int_equal(feed_new(t, &peer, 1, 1, ISAKMP_FRAG_LAST, msg, 99,
	    &out), FRAG_DROPPED);
	/* other initiator cookie inside */
	memcpy(msg, other_ic, 8);
	assert_int_equal(feed_new(t, &peer, 2, 1, ISAKMP_FRAG_LAST, msg, 100,
	    &out), FRAG_DROPPED);
	/* a fragment inside a fragment */
	mk_msg(msg, 100, 1);
	msg[16] = ISAKMP_PAYLOAD_FRAG;
	assert_int_equal(feed_new(t, &peer, 3, 1, ISAKMP_FRAG_LAST, msg, 100,
	    &out), FRAG_DROPPED);
	/* and the good one, a single fragment */
	msg[16] = ISAKMP_PAYLOAD_ID;
	assert_int_equal(feed_new(t, &peer, 4, 1, ISAKMP_FRAG_LAST, msg, 100,
	    &out), FRAG_DONE);
	free(out);
	assert_int_equal(st->dropped[FRAG_DROP_BAD_MESSAGE], 3);
	assert_int_equal(frag_pending(t), 0);
	frag_table_free(t);
}

static void
test_malformed_counted_and_limited(void **state)
{
	struct frag_table *t = frag_table_new(FRAG_MAX_SIZE);
	struct sockaddr_storage peer = peer4(0xc0000205, 500);
	uint8_t junk[40] = { 0 }, *out;
	size_t outlen, i;

	(void)state;
	for (i = 0; i < 100; i++)
		assert_int_equal(feed(t, &peer, junk, sizeof(junk), &out,
		    &outlen), FRAG_DROPPED);
	assert_int_equal(frag_table_stats(t)->dropped[FRAG_DROP_MALFORMED],
	    100);
	/* rate limited: not one line per datagram */
	assert_true(logcap_count(LOG_LEVEL_INFO) >= 1);
	assert_true(logcap_count(LOG_LEVEL_INFO) <= 10);
	assert_true(logcap_find("192.0.2.5:500", "malformed", NULL) >= 0);
	assert_int_equal(frag_pending(t), 0);
	assert_string_equal(frag_drop_name(FRAG_DROP_COUNT), "?");
	frag_table_free(t);
	frag_table_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parse_valid_and_truncated,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_rejects, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_dgram_max, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_round_trip_boundaries,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_refuses, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_duplicates, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_conflicts, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_keys_separate, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_peer_and_total_limits,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_big, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_table_max_size, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_next_expiry_and_max_data,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_drop_keys, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_message, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_malformed_counted_and_limited, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
