/*
 * test_reliable.c - RFC 2661 5.8 reliable delivery (l2tpd/reliable.c) on
 * the mock clock: header bytes, piggybacked and ZLB acks and their timing,
 * loss and the exact backoff sequence, give-up, the peer's window and the
 * bounded queue, reordering, duplicates, our window, sequence wraparound
 * at 65535 both ways; then once on a real event_base with real timers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <event2/event.h>

#include "conf/conf.h"
#include "lib/clock.h"
#include "lib/ev.h"
#include "lib/log.h"
#include "l2tpd/l2tp_hdr.h"
#include "l2tpd/reliable.h"

#define NEVER		UINT64_MAX
#define MAXPKT		64

struct pkt {
	uint16_t	 flags;
	uint16_t	 length;
	uint16_t	 tid;
	uint16_t	 sid;
	uint16_t	 ns;
	uint16_t	 nr;
	size_t		 len;
	uint8_t		 bytes[64];
};

static uint64_t now_ms;
static struct pkt pkts[MAXPKT];
static size_t npkts;
static size_t npkts_total;

static uint64_t
mock_clock(void)
{
	return now_ms;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Record each packet (the last MAXPKT) and decode its header. */
static void
capture(void *arg, const uint8_t *p, size_t len)
{
	struct pkt *k = &pkts[npkts % MAXPKT];

	(void)arg;
	assert_true(len >= 12);
	memset(k, 0, sizeof(*k));
	k->flags = get16(p);
	k->length = get16(p + 2);
	k->tid = get16(p + 4);
	k->sid = get16(p + 6);
	k->ns = get16(p + 8);
	k->nr = get16(p + 10);
	k->len = len;
	memcpy(k->bytes, p, len < sizeof(k->bytes) ? len : sizeof(k->bytes));
	assert_int_equal(k->flags, 0xc802);
	assert_int_equal(k->length, len);
	npkts++;
	npkts_total++;
}

static struct pkt *
last(void)
{
	assert_true(npkts > 0);
	return &pkts[(npkts - 1) % MAXPKT];
}

static const struct l2tp_rel_params defparams = {
	.rto_initial_ms = 1000,
	.rto_max_ms = 8000,
	.max_retries = 5,
	.ack_delay_ms = 0,
	.our_rws = 4,
	.max_queue = 16,
};

static struct l2tp_rel *
mk(const struct l2tp_rel_params *p)
{
	struct l2tp_rel *r;

	r = l2tp_rel_new(p != NULL ? p : &defparams, NULL, capture, NULL,
	    NULL, "tun 1/77 192.0.2.5");
	assert_non_null(r);
	l2tp_rel_set_peer_tunnel(r, 77);
	return r;
}

static int
setup(void **state)
{
	(void)state;
	now_ms = 100000;
	npkts = 0;
	npkts_total = 0;
	clock_set_mock(mock_clock);
	log_setlevel(LOG_LEVEL_WARNING);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	clock_set_mock(NULL);
	return 0;
}

static void
send_body(struct l2tp_rel *r, uint16_t sid, const char *s)
{
	assert_int_equal(l2tp_rel_send(r, sid, s, strlen(s)), 0);
}

static void
expect_pop(struct l2tp_rel *r, uint16_t ns, const char *body)
{
	struct l2tp_rel_msg m;

	assert_true(l2tp_rel_pop(r, &m));
	assert_int_equal(m.ns, ns);
	assert_int_equal(m.len, strlen(body));
	assert_memory_equal(m.body, body, m.len);
	free(m.body);
}

static void
test_bad_params(void **state)
{
	struct l2tp_rel_params p = defparams;

	(void)state;
	p.rto_initial_ms = 0;
	assert_null(l2tp_rel_new(&p, NULL, capture, NULL, NULL, "t"));
	p = defparams;
	p.rto_max_ms = 999;
	assert_null(l2tp_rel_new(&p, NULL, capture, NULL, NULL, "t"));
	p = defparams;
	p.our_rws = 0;
	assert_null(l2tp_rel_new(&p, NULL, capture, NULL, NULL, "t"));
	p.our_rws = L2TP_REL_MAX_OUR_RWS + 1;
	assert_null(l2tp_rel_new(&p, NULL, capture, NULL, NULL, "t"));
	p = defparams;
	p.max_queue = 0;
	assert_null(l2tp_rel_new(&p, NULL, capture, NULL, NULL, "t"));
	p = defparams;
	assert_null(l2tp_rel_new(&p, NULL, NULL, NULL, NULL, "t"));
	p.our_rws = L2TP_REL_MAX_OUR_RWS;
	l2tp_rel_free(mk(&p));
	l2tp_rel_free(NULL);
}

/* The header writer alone: bytes, a too-long body, a too-small buffer. */
static void
test_hdr_writer(void **state)
{
	static const uint8_t want[] = {
		0xc8, 0x02, 0xff, 0xff, 0x12, 0x34, 0x56, 0x78,
		0xff, 0xff, 0x00, 0x01
	};
	uint8_t b[16];
	struct wbuf w;

	(void)state;
	wbuf_init(&w, b, sizeof(b));
	l2tp_ctrl_hdr_write(&w, L2TP_CTRL_BODY_MAX, 0x1234, 0x5678, 0xffff, 1);
	assert_true(wbuf_ok(&w));
	assert_int_equal(wbuf_len(&w), 12);
	assert_memory_equal(b, want, sizeof(want));
	wbuf_init(&w, b, sizeof(b));
	l2tp_ctrl_hdr_write(&w, L2TP_CTRL_BODY_MAX + 1, 0, 0, 0, 0);
	assert_false(wbuf_ok(&w));
	assert_int_equal(wbuf_len(&w), 0);
	wbuf_init(&w, b, 11);
	l2tp_ctrl_hdr_write(&w, 0, 0, 0, 0, 0);
	assert_false(wbuf_ok(&w));
}

/* From the config: the defaults, then every field set. */
static void
test_params_from_conf(void **state)
{
	struct l2tp_rel_params p;
	struct conf_err err;
	struct vpn_conf *c;
	struct l2tp_rel *r;

	(void)state;
	c = conf_parse_string("", "t.conf", NULL, &err);
	assert_non_null(c);
	l2tp_rel_params_from_conf(&p, &c->l2tp);
	assert_int_equal(p.rto_initial_ms, 1000);
	assert_int_equal(p.rto_max_ms, 8000);
	assert_int_equal(p.max_retries, 5);
	assert_int_equal(p.our_rws, 4);
	assert_int_equal(p.ack_delay_ms, 0);
	assert_int_equal(p.max_queue, 8 + 2 * 8);
	conf_free(c);
	c = conf_parse_string("l2tp = { retransmit_initial = 250; "
	    "retransmit_max = 120000; retransmit_count = 32; "
	    "receive_window = 64; max_sessions = 65535; "
	    "max_sessions_per_tunnel = 65535; };",
	    "t.conf", NULL, &err);
	assert_non_null(c);
	l2tp_rel_params_from_conf(&p, &c->l2tp);
	assert_int_equal(p.rto_initial_ms, 250);
	assert_int_equal(p.rto_max_ms, 120000);
	assert_int_equal(p.max_retries, 32);
	assert_int_equal(p.our_rws, 64);
	assert_int_equal(p.max_queue, 8 + 2 * 65535);
	/* every valid config gives usable parameters */
	r = l2tp_rel_new(&p, NULL, capture, NULL, NULL, "t");
	assert_non_null(r);
	l2tp_rel_free(r);
	conf_free(c);
}

/* The exact bytes of the first message and of a ZLB. */
static void
test_header_bytes(void **state)
{
	static const uint8_t want[] = {
		0xc8, 0x02, 0x00, 0x10, 0x00, 0x4d, 0x00, 0x05,
		0x00, 0x00, 0x00, 0x00, 'A', 'B', 'C', 'D'
	};
	static const uint8_t zlb[] = {
		0xc8, 0x02, 0x00, 0x0c, 0x00, 0x4d, 0x00, 0x00,
		0x00, 0x01, 0x00, 0x01
	};
	struct l2tp_rel *r = mk(NULL);

	(void)state;
	send_body(r, 5, "ABCD");
	assert_int_equal(npkts, 1);
	assert_int_equal(pkts[0].len, sizeof(want));
	assert_memory_equal(pkts[0].bytes, want, sizeof(want));
	/* the peer's message 0 acks ours: our ZLB is ns 1, nr 1 */
	assert_int_equal(l2tp_rel_input(r, 0, 1, false, "X", 1),
	    L2TP_REL_IN_DELIVER);
	expect_pop(r, 0, "X");
	assert_int_equal(l2tp_rel_tick(r), L2TP_REL_TICK_OK);
	assert_int_equal(npkts, 2);
	assert_int_equal(pkts[1].len, sizeof(zlb));
	assert_memory_equal(pkts[1].bytes, zlb, sizeof(zlb));
	assert_int_equal(l2tp_rel_stats(r)->zlb_sent, 1);
	l2tp_rel_free(r);
}

/* A reply sent while processing carries the ack: no ZLB follows. */
static void
test_piggyback(void **state)
{
	struct l2tp_rel *r = mk(NULL);

	(void)state;
	assert_int_equal(l2tp_rel_input(r, 0, 0, false, "SCCRQ", 5),
	    L2TP_REL_IN_DELIVER);
	assert_int_equal(l2tp_rel_deadline(r), now_ms);
	expect_pop(r, 0, "SCCRQ");
	send_body(r, 0, "SCCRP");
	assert_int_equal(npkts, 1);
	assert_int_equal(last()->ns, 0);
	assert_int_equal(last()->nr, 1);
	/* only the retransmission deadline is left */
	assert_int_equal(l2tp_rel_deadline(r), now_ms + 1000);
	assert_int_equal(l2tp_rel_tick(r), L2TP_REL_TICK_OK);
	assert_int_equal(npkts, 1);
	assert_int_equal(l2tp_rel_stats(r)->zlb_sent, 0);
	l2tp_rel_free(r);
}

/* ack_delay 0: the ZLB is due at once; later messages need a new ack. */
static void
test_zlb_immediate(void **state)
{
	struct l2tp_rel *r = mk(NULL);

	(void)state;
	assert_int_equal(l2tp_rel_deadline(r), NEVER);
	assert_int_equal(l2tp_rel_input(r, 0, 0, false, "SCCCN", 5),
	    L2TP_REL_IN_DELIVER);
	expect_pop(r, 0, "SCCCN");
	assert_int_equal(l2tp_rel_deadline(r), now_ms);
	l2tp_rel_tick(r);
	assert_int_equal(npkts, 1);
	assert_int_equal(last()->length, 12);
	assert_int_equal(last()->sid, 0);
	assert_int_equal(last()->ns, 0);
	assert_int_equal(last()->nr, 1);
	assert_int_equal(l2tp_rel_deadline(r), NEVER);
	/* nothing more to do */
	now_ms += 10000;
	l2tp_rel_tick(r);
	assert_int_equal(npkts, 1);
	/* a peer ZLB is not acknowledged */
	assert_int_equal(l2tp_rel_input(r, 1, 0, true, NULL, 0),
	    L2TP_REL_IN_ZLB);
	assert_int_equal(l2tp_rel_deadline(r), NEVER);
	assert_false(l2tp_rel_pop(r, &(struct l2tp_rel_msg){ 0 }));
	l2tp_rel_free(r);
}

/* ack_delay 50 ms: nothing before, a ZLB at 50, cancelled by a send. */
static void
test_zlb_delayed(void **state)
{
	struct l2tp_rel_params p = defparams;
	struct l2tp_rel *r;

	(void)state;
	p.ack_delay_ms = 50;
	r = mk(&p);
	assert_int_equal(l2tp_rel_input(r, 0, 0, false, "a", 1),
	    L2TP_REL_IN_DELIVER);
	expect_pop(r, 0, "a");
	assert_int_equal(l2tp_rel_deadline(r), now_ms + 50);
	now_ms += 49;
	l2tp_rel_tick(r);
	assert_int_equal(npkts, 0);
	now_ms += 1;
	l2tp_rel_tick(r);
	assert_int_equal(npkts, 1);
	assert_int_equal(last()->length, 12);
	assert_int_equal(last()->nr, 1);

	/* the second one is answered after 20 ms: no ZLB */
	assert_int_equal(l2tp_rel_input(r, 1, 0, false, "b", 1),
	    L2TP_REL_IN_DELIVER);
	expect_pop(r, 1, "b");
	now_ms += 20;
	l2tp_rel_tick(r);
	assert_int_equal(npkts, 1);
	send_body(r, 0, "reply");
	assert_int_equal(npkts, 2);
	assert_int_equal(last()->nr, 2);
	assert_int_equal(l2tp_rel_deadline(r), now_ms + 1000);
	now_ms += 100;
	l2tp_rel_tick(r);
	assert_int_equal(npkts, 2);
	/* an earlier deadline is not pushed back by a later message */
	assert_int_equal(l2tp_rel_input(r, 2, 1, false, "c", 1),
	    L2TP_REL_IN_DELIVER);
	now_ms += 30;
	assert_int_equal(l2tp_rel_input(r, 3, 1, false, "d", 1),
	    L2TP_REL_IN_DELIVER);
	assert_int_equal(l2tp_rel_deadline(r), now_ms + 20);
	expect_pop(r, 2, "c");
	expect_pop(r, 3, "d");
	l2tp_rel_free(r);
}

static void
test_ack_stops_retransmission(void **state)
{
	struct l2tp_rel *r = mk(NULL);

	(void)state;
	send_body(r, 0, "SCCRP");
	assert_false(l2tp_rel_idle(r));
	assert_int_equal(l2tp_rel_inflight(r), 1);
	assert_int_equal(l2tp_rel_deadline(r), now_ms + 1000);
	now_ms += 300;
	assert_int_equal(l2tp_rel_input(r, 0, 1, true, NULL, 0),
	    L2TP_REL_IN_ZLB);
	assert_true(l2tp_rel_idle(r));
	assert_int_equal(l2tp_rel_deadline(r), NEVER);
	now_ms += 60000;
	l2tp_rel_tick(r);
	assert_int_equal(npkts, 1);
	assert_int_equal(l2tp_rel_stats(r)->retransmitted, 0);
	l2tp_rel_free(r);
}

/*
 * No ack ever: retransmissions at 1, 3, 7, 15, 23 s (1, 2, 4, 8, 8 s
 * apart: doubled, capped at 8), same Ns and body; dead at 31 s.
 */
static void
test_backoff_and_give_up(void **state)
{
	static const uint64_t at[] = { 1000, 3000, 7000, 15000, 23000 };
	struct l2tp_rel *r = mk(NULL);
	uint64_t t0 = now_ms;
	size_t i;

	(void)state;
	send_body(r, 9, "StopCCN");
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		assert_int_equal(l2tp_rel_deadline(r), t0 + at[i]);
		now_ms = t0 + at[i] - 1;
		assert_int_equal(l2tp_rel_tick(r), L2TP_REL_TICK_OK);
		assert_int_equal(npkts, i + 1);
		now_ms = t0 + at[i];
		assert_int_equal(l2tp_rel_tick(r), L2TP_REL_TICK_OK);
		assert_int_equal(npkts, i + 2);
		assert_int_equal(last()->ns, 0);
		assert_int_equal(last()->sid, 9);
		assert_int_equal(last()->len, 12 + 7);
		assert_memory_equal(last()->bytes + 12, "StopCCN", 7);
	}
	assert_int_equal(l2tp_rel_deadline(r), t0 + 31000);
	now_ms = t0 + 30999;
	assert_int_equal(l2tp_rel_tick(r), L2TP_REL_TICK_OK);
	assert_false(l2tp_rel_dead(r));
	now_ms = t0 + 31000;
	assert_int_equal(l2tp_rel_tick(r), L2TP_REL_TICK_DEAD);
	assert_true(l2tp_rel_dead(r));
	assert_int_equal(npkts, 6);
	assert_int_equal(l2tp_rel_stats(r)->retransmitted, 5);
	/* dead stays dead and quiet */
	assert_int_equal(l2tp_rel_deadline(r), NEVER);
	assert_int_equal(l2tp_rel_tick(r), L2TP_REL_TICK_DEAD);
	assert_int_equal(l2tp_rel_send(r, 0, "x", 1), -1);
	assert_int_equal(l2tp_rel_input(r, 0, 1, false, "x", 1),
	    L2TP_REL_IN_DEAD);
	assert_int_equal(npkts, 6);
	l2tp_rel_free(r);
}

/* Other parameters: 500 ms initial, 1200 cap, 3 retries. */
static void
test_backoff_other_params(void **state)
{
	static const uint64_t at[] = { 500, 1500, 2700, 3900 };
	struct l2tp_rel_params p = defparams;
	struct l2tp_rel *r;
	uint64_t t0 = now_ms;
	size_t i;

	(void)state;
	p.rto_initial_ms = 500;
	p.rto_max_ms = 1200;
	p.max_retries = 3;
	r = mk(&p);
	send_body(r, 0, "Hello");
	for (i = 0; i < 3; i++) {
		assert_int_equal(l2tp_rel_deadline(r), t0 + at[i]);
		now_ms = t0 + at[i];
		assert_int_equal(l2tp_rel_tick(r), L2TP_REL_TICK_OK);
	}
	assert_int_equal(l2tp_rel_deadline(r), t0 + at[3]);
	now_ms = t0 + at[3];
	assert_int_equal(l2tp_rel_tick(r), L2TP_REL_TICK_DEAD);
	assert_int_equal(npkts, 4);
	l2tp_rel_free(r);
}

/* A retransmission carries the Nr current at its sending. */
static void
test_retransmission_updates_nr(void **state)
{
	struct l2tp_rel *r = mk(NULL);

	(void)state;
	send_body(r, 0, "ICRP");
	assert_int_equal(last()->nr, 0);
	assert_int_equal(l2tp_rel_input(r, 0, 0, false, "ICCN", 4),
	    L2TP_REL_IN_DELIVER);
	expect_pop(r, 0, "ICCN");
	now_ms += 1000;
	l2tp_rel_tick(r);
	/* the retransmission acked ICCN: no separate ZLB */
	assert_int_equal(npkts, 2);
	assert_int_equal(last()->ns, 0);
	assert_int_equal(last()->nr, 1);
	assert_int_equal(l2tp_rel_stats(r)->zlb_sent, 0);
	l2tp_rel_free(r);
}

/* Loss of several: all unacked go again, an ack restarts the backoff. */
static void
test_loss_and_partial_ack(void **state)
{
	struct l2tp_rel *r = mk(NULL);
	uint64_t t0 = now_ms;

	(void)state;
	send_body(r, 1, "m0");
	now_ms += 100;
	send_body(r, 2, "m1");
	send_body(r, 3, "m2");
	assert_int_equal(npkts, 3);
	/* the timer runs from the oldest message */
	assert_int_equal(l2tp_rel_deadline(r), t0 + 1000);
	now_ms = t0 + 1000;
	l2tp_rel_tick(r);
	assert_int_equal(npkts, 6);
	assert_int_equal(pkts[3].ns, 0);
	assert_int_equal(pkts[4].ns, 1);
	assert_int_equal(pkts[5].ns, 2);
	assert_int_equal(pkts[5].sid, 3);
	now_ms = t0 + 3000;
	l2tp_rel_tick(r);
	assert_int_equal(npkts, 9);
	assert_int_equal(l2tp_rel_deadline(r), t0 + 7000);
	/* the peer got m0 only: backoff starts over for m1 */
	now_ms = t0 + 3500;
	assert_int_equal(l2tp_rel_input(r, 0, 1, true, NULL, 0),
	    L2TP_REL_IN_ZLB);
	assert_int_equal(l2tp_rel_inflight(r), 2);
	assert_int_equal(l2tp_rel_deadline(r), t0 + 4500);
	now_ms = t0 + 4500;
	l2tp_rel_tick(r);
	assert_int_equal(npkts, 11);
	assert_int_equal(pkts[9].ns, 1);
	assert_int_equal(pkts[10].ns, 2);
	assert_int_equal(l2tp_rel_deadline(r), t0 + 6500);
	/* an ack that does not advance changes nothing */
	assert_int_equal(l2tp_rel_input(r, 0, 1, true, NULL, 0),
	    L2TP_REL_IN_ZLB);
	assert_int_equal(l2tp_rel_deadline(r), t0 + 6500);
	assert_int_equal(l2tp_rel_input(r, 0, 3, true, NULL, 0),
	    L2TP_REL_IN_ZLB);
	assert_true(l2tp_rel_idle(r));
	assert_int_equal(l2tp_rel_stats(r)->retransmitted, 8);
	l2tp_rel_free(r);
}

/* The peer's window: at most RWS unacked, the rest in order later. */
static void
test_peer_window(void **state)
{
	struct l2tp_rel *r = mk(NULL);
	char b[8];
	int i;

	(void)state;
	l2tp_rel_set_peer_rws(r, 2);
	for (i = 0; i < 5; i++) {
		snprintf(b, sizeof(b), "m%d", i);
		send_body(r, 0, b);
	}
	assert_int_equal(npkts, 2);
	assert_int_equal(l2tp_rel_inflight(r), 2);
	assert_int_equal(l2tp_rel_waiting(r), 3);
	assert_int_equal(l2tp_rel_next_ns(r), 2);
	/* a ZLB from us meanwhile names the next Ns actually sent */
	assert_int_equal(l2tp_rel_input(r, 0, 0, false, "x", 1),
	    L2TP_REL_IN_DELIVER);
	expect_pop(r, 0, "x");
	l2tp_rel_tick(r);
	assert_int_equal(npkts, 3);
	assert_int_equal(last()->length, 12);
	assert_int_equal(last()->ns, 2);
	assert_int_equal(last()->nr, 1);
	/* one acked: one more goes */
	assert_int_equal(l2tp_rel_input(r, 1, 1, true, NULL, 0),
	    L2TP_REL_IN_ZLB);
	assert_int_equal(npkts, 4);
	assert_int_equal(last()->ns, 2);
	assert_memory_equal(last()->bytes + 12, "m2", 2);
	assert_int_equal(l2tp_rel_waiting(r), 2);
	/* the window grows: the rest go at once */
	l2tp_rel_set_peer_rws(r, 8);
	assert_int_equal(npkts, 6);
	assert_int_equal(pkts[4].ns, 3);
	assert_int_equal(pkts[5].ns, 4);
	assert_int_equal(l2tp_rel_waiting(r), 0);
	assert_int_equal(l2tp_rel_inflight(r), 4);
	assert_int_equal(l2tp_rel_input(r, 1, 5, true, NULL, 0),
	    L2TP_REL_IN_ZLB);
	assert_true(l2tp_rel_idle(r));
	l2tp_rel_free(r);
}

/* Window 1 (Android's RWS): strictly one at a time. RWS 0 counts as 1. */
static void
test_peer_window_one_and_zero(void **state)
{
	struct l2tp_rel *r = mk(NULL);

	(void)state;
	l2tp_rel_set_peer_rws(r, 0);
	send_body(r, 0, "a");
	send_body(r, 0, "b");
	assert_int_equal(npkts, 1);
	assert_int_equal(l2tp_rel_input(r, 0, 1, true, NULL, 0),
	    L2TP_REL_IN_ZLB);
	assert_int_equal(npkts, 2);
	assert_int_equal(last()->ns, 1);
	/* a huge window is clamped but works */
	l2tp_rel_set_peer_rws(r, 65535);
	send_body(r, 0, "c");
	assert_int_equal(npkts, 3);
	l2tp_rel_free(r);
}

/* A window that shrinks below what is in flight only stops new sends. */
static void
test_peer_window_shrinks(void **state)
{
	struct l2tp_rel *r = mk(NULL);

	(void)state;
	send_body(r, 0, "a");
	send_body(r, 0, "b");
	send_body(r, 0, "c");
	l2tp_rel_set_peer_rws(r, 1);
	send_body(r, 0, "d");
	assert_int_equal(npkts, 3);
	assert_int_equal(l2tp_rel_inflight(r), 3);
	/* two acked: still 1 in flight, which fills the window */
	assert_int_equal(l2tp_rel_input(r, 0, 2, true, NULL, 0),
	    L2TP_REL_IN_ZLB);
	assert_int_equal(npkts, 3);
	assert_int_equal(l2tp_rel_input(r, 0, 3, true, NULL, 0),
	    L2TP_REL_IN_ZLB);
	assert_int_equal(npkts, 4);
	assert_int_equal(last()->ns, 3);
	l2tp_rel_free(r);
}

/* The queue bound counts unacked and waiting messages. */
static void
test_queue_full(void **state)
{
	struct l2tp_rel_params p = defparams;
	struct l2tp_rel *r;

	(void)state;
	p.max_queue = 3;
	r = mk(&p);
	l2tp_rel_set_peer_rws(r, 1);
	send_body(r, 0, "a");
	send_body(r, 0, "b");
	send_body(r, 0, "c");
	assert_int_equal(l2tp_rel_send(r, 0, "d", 1), -1);
	assert_int_equal(l2tp_rel_inflight(r) + l2tp_rel_waiting(r), 3);
	assert_int_equal(l2tp_rel_input(r, 0, 1, true, NULL, 0),
	    L2TP_REL_IN_ZLB);
	send_body(r, 0, "d");
	assert_int_equal(l2tp_rel_send(r, 0, "e", 1), -1);
	l2tp_rel_free(r);
}

/* Length is 16 bits: 65523 body bytes fit, 65524 do not; 0 is refused. */
static void
test_body_max(void **state)
{
	struct l2tp_rel *r = mk(NULL);
	uint8_t *big;

	(void)state;
	big = calloc(1, 65524);
	assert_non_null(big);
	assert_int_equal(l2tp_rel_send(r, 0, big, 65524), -1);
	/* an empty body would be a ZLB that nobody acknowledges */
	assert_int_equal(l2tp_rel_send(r, 0, big, 0), -1);
	assert_int_equal(npkts, 0);
	assert_int_equal(l2tp_rel_send(r, 0, big, 65523), 0);
	assert_int_equal(last()->len, 65535);
	assert_int_equal(last()->length, 65535);
	free(big);
	l2tp_rel_free(r);
}

/* An Nr beyond what we sent (or before what was acked) is ignored. */
static void
test_bad_nr(void **state)
{
	struct l2tp_rel *r = mk(NULL);

	(void)state;
	send_body(r, 0, "a");
	send_body(r, 0, "b");
	assert_int_equal(l2tp_rel_input(r, 0, 3, true, NULL, 0),
	    L2TP_REL_IN_ZLB);
	assert_int_equal(l2tp_rel_inflight(r), 2);
	assert_int_equal(l2tp_rel_input(r, 0, 0xffff, true, NULL, 0),
	    L2TP_REL_IN_ZLB);
	assert_int_equal(l2tp_rel_inflight(r), 2);
	assert_int_equal(l2tp_rel_stats(r)->bad_nr, 2);
	assert_int_equal(l2tp_rel_input(r, 0, 1, true, NULL, 0),
	    L2TP_REL_IN_ZLB);
	assert_int_equal(l2tp_rel_inflight(r), 1);
	/* Nr 0 is now behind snd_una */
	assert_int_equal(l2tp_rel_input(r, 0, 0, true, NULL, 0),
	    L2TP_REL_IN_ZLB);
	assert_int_equal(l2tp_rel_inflight(r), 1);
	assert_int_equal(l2tp_rel_stats(r)->bad_nr, 3);
	l2tp_rel_free(r);
}

/* 1 and 2 before 0: kept, acked with the old Nr, then handed up in order. */
static void
test_reorder(void **state)
{
	struct l2tp_rel *r = mk(NULL);
	struct l2tp_rel_msg m;

	(void)state;
	assert_int_equal(l2tp_rel_input(r, 2, 0, false, "two", 3),
	    L2TP_REL_IN_QUEUED);
	assert_int_equal(l2tp_rel_input(r, 1, 0, false, "one", 3),
	    L2TP_REL_IN_QUEUED);
	assert_false(l2tp_rel_pop(r, &m));
	assert_int_equal(l2tp_rel_next_nr(r), 0);
	l2tp_rel_tick(r);
	assert_int_equal(npkts, 1);
	assert_int_equal(last()->nr, 0);
	assert_int_equal(l2tp_rel_input(r, 0, 0, false, "zero", 4),
	    L2TP_REL_IN_DELIVER);
	assert_int_equal(l2tp_rel_next_nr(r), 3);
	expect_pop(r, 0, "zero");
	expect_pop(r, 1, "one");
	expect_pop(r, 2, "two");
	assert_false(l2tp_rel_pop(r, &m));
	l2tp_rel_tick(r);
	assert_int_equal(npkts, 2);
	assert_int_equal(last()->nr, 3);
	assert_int_equal(l2tp_rel_stats(r)->queued, 2);
	assert_int_equal(l2tp_rel_stats(r)->delivered, 3);
	/* a gap stays a gap: 4 waits for 3 */
	assert_int_equal(l2tp_rel_input(r, 4, 0, false, "four", 4),
	    L2TP_REL_IN_QUEUED);
	assert_false(l2tp_rel_pop(r, &m));
	l2tp_rel_free(r);	/* frees the queued one */
}

/* Duplicates (delivered, popped or not, or queued) are re-acked now. */
static void
test_duplicates(void **state)
{
	struct l2tp_rel *r = mk(NULL);
	struct l2tp_rel_msg m;

	(void)state;
	assert_int_equal(l2tp_rel_input(r, 0, 0, false, "a", 1),
	    L2TP_REL_IN_DELIVER);
	assert_int_equal(l2tp_rel_input(r, 0, 0, false, "a", 1),
	    L2TP_REL_IN_DUPLICATE);
	/* re-acked at once, without waiting for tick */
	assert_int_equal(npkts, 1);
	assert_int_equal(last()->length, 12);
	assert_int_equal(last()->nr, 1);
	expect_pop(r, 0, "a");
	assert_false(l2tp_rel_pop(r, &m));
	assert_int_equal(l2tp_rel_input(r, 0, 0, false, "a", 1),
	    L2TP_REL_IN_DUPLICATE);
	assert_int_equal(npkts, 2);
	/* a queued one again */
	assert_int_equal(l2tp_rel_input(r, 2, 0, false, "c", 1),
	    L2TP_REL_IN_QUEUED);
	assert_int_equal(l2tp_rel_input(r, 2, 0, false, "C", 1),
	    L2TP_REL_IN_DUPLICATE);
	assert_int_equal(npkts, 3);
	assert_int_equal(last()->nr, 1);
	/* 32768 behind counts as old */
	assert_int_equal(l2tp_rel_input(r, (uint16_t)(1 + 0x8000), 0, false,
	    "z", 1), L2TP_REL_IN_DUPLICATE);
	assert_int_equal(l2tp_rel_stats(r)->duplicates, 4);
	assert_int_equal(l2tp_rel_input(r, 1, 0, false, "b", 1),
	    L2TP_REL_IN_DELIVER);
	expect_pop(r, 1, "b");
	expect_pop(r, 2, "c");	/* the first copy is kept */
	l2tp_rel_free(r);
}

/* Our window is 4: Ns expected+4 and beyond (up to 32767 ahead) dropped. */
static void
test_our_window(void **state)
{
	struct l2tp_rel *r = mk(NULL);

	(void)state;
	assert_int_equal(l2tp_rel_input(r, 4, 0, false, "e", 1),
	    L2TP_REL_IN_DROPPED);
	assert_int_equal(l2tp_rel_input(r, 0x7fff, 0, false, "f", 1),
	    L2TP_REL_IN_DROPPED);
	assert_int_equal(npkts, 0);
	assert_int_equal(l2tp_rel_deadline(r), NEVER);
	assert_int_equal(l2tp_rel_input(r, 3, 0, false, "d", 1),
	    L2TP_REL_IN_QUEUED);
	assert_int_equal(l2tp_rel_stats(r)->dropped, 2);
	/* a dropped message still brings its Nr */
	send_body(r, 0, "x");
	assert_int_equal(l2tp_rel_input(r, 9, 1, false, "g", 1),
	    L2TP_REL_IN_DROPPED);
	assert_true(l2tp_rel_idle(r));
	l2tp_rel_free(r);
}

/* Messages the owner does not pop fill our window: later ones dropped. */
static void
test_unpopped_backpressure(void **state)
{
	struct l2tp_rel_params p = defparams;
	struct l2tp_rel *r;

	(void)state;
	p.our_rws = 1;
	r = mk(&p);
	assert_int_equal(l2tp_rel_input(r, 0, 0, false, "a", 1),
	    L2TP_REL_IN_DELIVER);
	assert_int_equal(l2tp_rel_input(r, 1, 0, false, "b", 1),
	    L2TP_REL_IN_DELIVER);
	assert_int_equal(l2tp_rel_input(r, 2, 0, false, "c", 1),
	    L2TP_REL_IN_DROPPED);
	assert_int_equal(l2tp_rel_next_nr(r), 2);
	expect_pop(r, 0, "a");
	assert_int_equal(l2tp_rel_input(r, 2, 0, false, "c", 1),
	    L2TP_REL_IN_DELIVER);
	expect_pop(r, 1, "b");
	expect_pop(r, 2, "c");
	l2tp_rel_free(r);
}

/*
 * Sending across the wrap: 65536 + 6 messages, window 4, acked in pairs;
 * Ns goes 65534, 65535, 0, 1 and a cumulative Nr across the wrap frees
 * them all.
 */
static void
test_wrap_send(void **state)
{
	struct l2tp_rel *r = mk(NULL);
	uint32_t i;
	uint16_t want = 0;

	(void)state;
	for (i = 0; i < 65534; i++) {
		send_body(r, 0, "h");
		assert_int_equal(last()->ns, want);
		want++;
		assert_int_equal(l2tp_rel_input(r, 0, want, true, NULL, 0),
		    L2TP_REL_IN_ZLB);
	}
	assert_int_equal(l2tp_rel_next_ns(r), 65534);
	send_body(r, 0, "w");
	send_body(r, 0, "x");
	send_body(r, 0, "y");
	send_body(r, 0, "z");
	assert_int_equal(pkts[(npkts - 4) % MAXPKT].ns, 65534);
	assert_int_equal(pkts[(npkts - 3) % MAXPKT].ns, 65535);
	assert_int_equal(pkts[(npkts - 2) % MAXPKT].ns, 0);
	assert_int_equal(pkts[(npkts - 1) % MAXPKT].ns, 1);
	assert_int_equal(l2tp_rel_inflight(r), 4);
	send_body(r, 0, "q");
	assert_int_equal(l2tp_rel_waiting(r), 1);
	/* Nr 1 acks 65534, 65535 and 0 */
	assert_int_equal(l2tp_rel_input(r, 0, 1, true, NULL, 0),
	    L2TP_REL_IN_ZLB);
	assert_int_equal(l2tp_rel_inflight(r), 2);
	assert_int_equal(last()->ns, 2);
	/* Nr 65535 is now behind: ignored */
	assert_int_equal(l2tp_rel_input(r, 0, 65535, true, NULL, 0),
	    L2TP_REL_IN_ZLB);
	assert_int_equal(l2tp_rel_inflight(r), 2);
	assert_int_equal(l2tp_rel_input(r, 0, 3, true, NULL, 0),
	    L2TP_REL_IN_ZLB);
	assert_true(l2tp_rel_idle(r));
	assert_int_equal(l2tp_rel_stats(r)->sent, 65539);
	l2tp_rel_free(r);
}

/*
 * Receiving across the wrap, with 0 and 1 arriving before 65535, then a
 * duplicate of 65535 after the wrap.
 */
static void
test_wrap_recv(void **state)
{
	struct l2tp_rel *r = mk(NULL);
	struct l2tp_rel_msg m;
	uint32_t i;

	(void)state;
	for (i = 0; i < 65535; i++) {
		assert_int_equal(l2tp_rel_input(r, (uint16_t)i, 0, false,
		    "h", 1), L2TP_REL_IN_DELIVER);
		assert_true(l2tp_rel_pop(r, &m));
		assert_int_equal(m.ns, (uint16_t)i);
		free(m.body);
	}
	assert_int_equal(l2tp_rel_next_nr(r), 65535);
	assert_int_equal(l2tp_rel_input(r, 0, 0, false, "zero", 4),
	    L2TP_REL_IN_QUEUED);
	assert_int_equal(l2tp_rel_input(r, 1, 0, false, "one", 3),
	    L2TP_REL_IN_QUEUED);
	assert_int_equal(l2tp_rel_input(r, 65535, 0, false, "last", 4),
	    L2TP_REL_IN_DELIVER);
	assert_int_equal(l2tp_rel_next_nr(r), 2);
	expect_pop(r, 65535, "last");
	expect_pop(r, 0, "zero");
	expect_pop(r, 1, "one");
	assert_int_equal(l2tp_rel_input(r, 65535, 0, false, "last", 4),
	    L2TP_REL_IN_DUPLICATE);
	assert_int_equal(last()->nr, 2);
	/* 3 (ahead of 2 across nothing) is queued, 2 then delivers both */
	assert_int_equal(l2tp_rel_input(r, 3, 0, false, "3", 1),
	    L2TP_REL_IN_QUEUED);
	assert_int_equal(l2tp_rel_input(r, 2, 0, false, "2", 1),
	    L2TP_REL_IN_DELIVER);
	expect_pop(r, 2, "2");
	expect_pop(r, 3, "3");
	l2tp_rel_free(r);
}

/* On a real event_base: the ZLB timer and the dead callback. */
struct live {
	struct event_base	*base;
	struct l2tp_rel		*r;
	int			 dead;
	uint64_t		 t0;
	uint64_t		 dead_after;
};

static void
live_dead(void *arg)
{
	struct live *l = arg;

	l->dead++;
	l->dead_after = clock_mono_ms() - l->t0;
	l2tp_rel_free(l->r);	/* allowed from the callback */
	l->r = NULL;
	event_base_loopbreak(l->base);
}

static void
live_guard(void *arg)
{
	event_base_loopbreak(arg);
}

static void
live_send(void *arg, const uint8_t *p, size_t len)
{
	capture(arg, p, len);
}

static void
test_event_base(void **state)
{
	struct l2tp_rel_params p = defparams;
	struct live l = { 0 };
	struct ev_timer *guard;

	(void)state;
	clock_set_mock(NULL);
	p.rto_initial_ms = 20;
	p.rto_max_ms = 40;
	p.max_retries = 2;
	l.base = event_base_new();
	assert_non_null(l.base);
	guard = ev_timer_new(l.base, live_guard, l.base);
	assert_non_null(guard);
	assert_int_equal(ev_timer_arm(guard, 3000), 0);
	l.r = l2tp_rel_new(&p, l.base, live_send, live_dead, &l, "live");
	assert_non_null(l.r);
	/* the ZLB goes from the timer, on the next loop turn */
	assert_int_equal(l2tp_rel_input(l.r, 0, 0, false, "a", 1),
	    L2TP_REL_IN_DELIVER);
	expect_pop(l.r, 0, "a");
	assert_int_equal(npkts, 0);
	assert_int_equal(event_base_loop(l.base, EVLOOP_ONCE), 0);
	assert_int_equal(npkts, 1);
	assert_int_equal(last()->length, 12);
	assert_int_equal(last()->nr, 1);
	/* no ack: 20, then 40, 40 ms later retransmitted; dead at 100 ms */
	l.t0 = clock_mono_ms();
	send_body(l.r, 0, "b");
	assert_int_equal(event_base_dispatch(l.base), 0);
	assert_int_equal(l.dead, 1);
	assert_null(l.r);
	assert_int_equal(npkts, 4);
	assert_true(l.dead_after >= 100);
	assert_true(l.dead_after < 2000);
	ev_timer_free(guard);
	event_base_free(l.base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bad_params, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_hdr_writer, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_params_from_conf, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_header_bytes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_piggyback, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_zlb_immediate, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_zlb_delayed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_ack_stops_retransmission,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_backoff_and_give_up,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_backoff_other_params,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_retransmission_updates_nr,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_loss_and_partial_ack,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_peer_window, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_peer_window_one_and_zero,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_peer_window_shrinks,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_full, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_body_max, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_nr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reorder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicates, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_our_window, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unpopped_backpressure,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrap_send, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wrap_recv, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_event_base, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
