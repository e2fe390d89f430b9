/*
 * fuzz_reliable.c - drive RFC 2661 5.8 reliable delivery (l2tpd/
 * reliable.c) with peer-chosen Ns/Nr/ZLB values, window sizes and clock
 * jumps, and check its contract after every step: every packet has a
 * well-formed control header with the right Length, ZLBs are 12 bytes
 * with Session ID 0, messages are handed up with consecutive Ns, the
 * unacked count never exceeds the peer window nor the queue bound, after
 * a tick nothing is overdue, and a dead connection stays silent. (A
 * window shrunk below what is in flight only stops new transmissions.)
 *
 * Input: a program of opcodes (byte % 6) with their operands:
 *  0 len            send a body of len % 48 bytes
 *  1 ns2 nr2 f len  input absolute Ns/Nr, f&1 = ZLB, body len % 32
 *  2 ms2            advance the mock clock by ms, tick
 *  3                pop everything
 *  4 rws2           set the peer's Receive Window Size
 *  5 dn dr f        input Ns = our Nr + (int8)dn, Nr = next Ns - (dr%8)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "l2tpd/reliable.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXQ	12

static uint64_t now_ms;
static bool dead;
static size_t sent_after_dead;

static void
check(int cond)
{
	if (!cond)
		abort();
}

static void
quiet(enum log_level level, const char *line)
{
	(void)level;
	(void)line;
}

static uint64_t
mock_clock(void)
{
	return now_ms;
}

static void
on_send(void *arg, const uint8_t *p, size_t len)
{
	(void)arg;
	check(len >= 12 && len <= 65535);
	check(p[0] == 0xc8 && p[1] == 0x02);
	check(((size_t)p[2] << 8 | p[3]) == len);
	if (len == 12)
		check(p[6] == 0 && p[7] == 0);
	if (dead)
		sent_after_dead++;
}

static bool
get(const uint8_t **d, size_t *n, uint8_t *v)
{
	if (*n == 0)
		return false;
	*v = **d;
	(*d)++;
	(*n)--;
	return true;
}

static bool
get16(const uint8_t **d, size_t *n, uint16_t *v)
{
	uint8_t a, b;

	if (!get(d, n, &a) || !get(d, n, &b))
		return false;
	*v = (uint16_t)(a << 8 | b);
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct l2tp_rel_params params = {
		.rto_initial_ms = 100,
		.rto_max_ms = 800,
		.max_retries = 3,
		.ack_delay_ms = 10,
		.our_rws = 4,
		.max_queue = MAXQ,
	};
	static const uint8_t body[64] = { 0 };
	struct l2tp_rel *r;
	struct l2tp_rel_msg m;
	uint16_t expect_pop = 0, ns, nr, v16, rws = L2TP_REL_DEFAULT_RWS;
	uint8_t op, a, b, f;
	enum l2tp_rel_in in;
	size_t prev_inflight = 0;

	log_set_sink(quiet);
	clock_set_mock(mock_clock);
	now_ms = 1000;
	dead = false;
	sent_after_dead = 0;
	r = l2tp_rel_new(&params, NULL, on_send, NULL, NULL, "fuzz");
	check(r != NULL);
	while (get(&data, &size, &op)) {
		switch (op % 6) {
		case 0:
			if (!get(&data, &size, &a))
				goto out;
			if (l2tp_rel_send(r, 1, body, a % 48) == -1)
				check(dead || a % 48 == 0 ||
				    l2tp_rel_inflight(r) +
				    l2tp_rel_waiting(r) == MAXQ);
			break;
		case 1:
			if (!get16(&data, &size, &ns) ||
			    !get16(&data, &size, &nr) ||
			    !get(&data, &size, &f) || !get(&data, &size, &a))
				goto out;
			in = l2tp_rel_input(r, ns, nr, f & 1, body, a % 32);
			check(dead == (in == L2TP_REL_IN_DEAD));
			break;
		case 2:
			if (!get16(&data, &size, &v16))
				goto out;
			now_ms += v16;
			if (l2tp_rel_tick(r) == L2TP_REL_TICK_DEAD)
				dead = true;
			check(l2tp_rel_deadline(r) > now_ms);
			break;
		case 3:
			while (l2tp_rel_pop(r, &m)) {
				check(m.ns == expect_pop);
				check(m.len < 32);
				expect_pop++;
				free(m.body);
			}
			break;
		case 4:
			if (!get16(&data, &size, &v16))
				goto out;
			l2tp_rel_set_peer_rws(r, v16);
			rws = v16 == 0 ? 1 : v16;
			break;
		case 5:
			if (!get(&data, &size, &a) || !get(&data, &size, &b) ||
			    !get(&data, &size, &f))
				goto out;
			ns = (uint16_t)(l2tp_rel_next_nr(r) + (int8_t)a);
			nr = (uint16_t)(l2tp_rel_next_ns(r) - b % 8);
			in = l2tp_rel_input(r, ns, nr, f & 1, body, f % 32);
			check(dead == (in == L2TP_REL_IN_DEAD));
			break;
		}
		check(l2tp_rel_dead(r) == dead);
		/* a shrunk window stops new sends, it cannot unsend */
		check(l2tp_rel_inflight(r) <= rws ||
		    l2tp_rel_inflight(r) <= prev_inflight);
		prev_inflight = l2tp_rel_inflight(r);
		check(l2tp_rel_inflight(r) + l2tp_rel_waiting(r) <= MAXQ);
		check(sent_after_dead == 0);
		/* unpopped messages stay within twice our window */
		check((uint16_t)(l2tp_rel_next_nr(r) - expect_pop) <= 8);
	}
out:
	l2tp_rel_free(r);
	clock_set_mock(NULL);
	return 0;
}
