/*
 * test_ev.c - libevent helpers on a real event_base: timers fire in
 * deadline order, re-arming replaces, disarm and free of pending timers,
 * freeing from the callback; backoff sequence and exhaustion; signal and
 * read events. Every loop is bounded by a guard timer.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <event2/event.h>

#include "lib/clock.h"
#include "lib/ev.h"

/* No test loop may run longer than this. */
#define GUARD_MS	2000

struct fixture {
	struct event_base	*base;
	struct ev_timer		*guard;
	bool			 guard_fired;
	int			 order[8];
	unsigned int		 n;
	uint64_t		 fired_at[8];
};

static struct fixture fx;

static void
guard_cb(void *arg)
{
	struct fixture *f = arg;

	f->guard_fired = true;
	event_base_loopbreak(f->base);
}

static int
setup(void **state)
{
	(void)state;
	memset(&fx, 0, sizeof(fx));
	fx.base = event_base_new();
	assert_non_null(fx.base);
	fx.guard = ev_timer_new(fx.base, guard_cb, &fx);
	assert_non_null(fx.guard);
	assert_int_equal(ev_timer_arm(fx.guard, GUARD_MS), 0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	ev_timer_free(fx.guard);
	event_base_free(fx.base);
	return 0;
}

/* Run until no event is left; the last expected callback disarms guard. */
static void
run(void)
{
	assert_int_equal(event_base_dispatch(fx.base), 1);
	assert_false(fx.guard_fired);
}

struct tag {
	int		 id;
	bool		 last;
	struct ev_timer	*self;
	bool		 free_self;
};

static void
record_cb(void *arg)
{
	struct tag *t = arg;

	if (fx.n < 8) {
		fx.order[fx.n] = t->id;
		fx.fired_at[fx.n] = clock_mono_ms();
	}
	fx.n++;
	if (t->free_self) {
		ev_timer_free(t->self);
		t->self = NULL;
	}
	if (t->last)
		ev_timer_disarm(fx.guard);
}

static void
test_timer_order(void **state)
{
	struct tag a = { 30, true, NULL, false }, b = { 5, false, NULL, false },
	    c = { 15, false, NULL, false };
	struct ev_timer *ta, *tb, *tc;
	uint64_t t0;

	(void)state;
	ta = ev_timer_new(fx.base, record_cb, &a);
	tb = ev_timer_new(fx.base, record_cb, &b);
	tc = ev_timer_new(fx.base, record_cb, &c);
	assert_false(ev_timer_pending(ta));
	t0 = clock_mono_ms();
	assert_int_equal(ev_timer_arm(ta, 30), 0);
	assert_int_equal(ev_timer_arm(tb, 5), 0);
	assert_int_equal(ev_timer_arm(tc, 15), 0);
	assert_true(ev_timer_pending(ta));
	run();
	assert_int_equal(fx.n, 3);
	assert_int_equal(fx.order[0], 5);
	assert_int_equal(fx.order[1], 15);
	assert_int_equal(fx.order[2], 30);
	/* libevent's coarse clock may round a few ms early */
	assert_true(fx.fired_at[2] - t0 >= 20);
	assert_false(ev_timer_pending(ta));
	ev_timer_free(ta);
	ev_timer_free(tb);
	ev_timer_free(tc);
}

/* Re-arming a pending timer replaces its deadline: it fires once. */
static void
test_timer_rearm_replaces(void **state)
{
	struct tag a = { 1, true, NULL, false };
	struct ev_timer *t;
	uint64_t t0;

	(void)state;
	t = ev_timer_new(fx.base, record_cb, &a);
	t0 = clock_mono_ms();
	assert_int_equal(ev_timer_arm(t, 5), 0);
	assert_int_equal(ev_timer_arm(t, 30), 0);
	run();
	assert_int_equal(fx.n, 1);
	assert_true(fx.fired_at[0] - t0 >= 20);

	/* and shorter: a long deadline replaced by a short one */
	fx.n = 0;
	assert_int_equal(ev_timer_arm(fx.guard, GUARD_MS), 0);
	t0 = clock_mono_ms();
	assert_int_equal(ev_timer_arm(t, 1500), 0);
	assert_int_equal(ev_timer_arm(t, 5), 0);
	run();
	assert_int_equal(fx.n, 1);
	assert_true(fx.fired_at[0] - t0 < 1000);
	ev_timer_free(t);
}

static void
test_timer_disarm(void **state)
{
	struct tag a = { 1, false, NULL, false }, b = { 2, true, NULL, false };
	struct ev_timer *ta, *tb;

	(void)state;
	ta = ev_timer_new(fx.base, record_cb, &a);
	tb = ev_timer_new(fx.base, record_cb, &b);
	assert_int_equal(ev_timer_arm(ta, 5), 0);
	assert_int_equal(ev_timer_arm(tb, 15), 0);
	ev_timer_disarm(ta);
	assert_false(ev_timer_pending(ta));
	ev_timer_disarm(ta);	/* twice is fine */
	run();
	assert_int_equal(fx.n, 1);
	assert_int_equal(fx.order[0], 2);
	ev_timer_free(ta);
	ev_timer_free(tb);
}

/* Freeing a pending timer cancels it; freeing from its callback is safe. */
static void
test_timer_free(void **state)
{
	struct tag a = { 1, false, NULL, false }, b = { 2, false, NULL, true },
	    c = { 3, true, NULL, false };
	struct ev_timer *ta, *tc;

	(void)state;
	ev_timer_free(NULL);
	ta = ev_timer_new(fx.base, record_cb, &a);
	b.self = ev_timer_new(fx.base, record_cb, &b);
	tc = ev_timer_new(fx.base, record_cb, &c);
	assert_int_equal(ev_timer_arm(ta, 5), 0);
	assert_int_equal(ev_timer_arm(b.self, 10), 0);
	assert_int_equal(ev_timer_arm(tc, 20), 0);
	ev_timer_free(ta);
	run();
	assert_int_equal(fx.n, 2);
	assert_int_equal(fx.order[0], 2);
	assert_int_equal(fx.order[1], 3);
	assert_null(b.self);
	ev_timer_free(tc);
}

/* A callback re-arming its own timer: a periodic timer. */
struct periodic {
	struct ev_timer	*t;
	unsigned int	 n;
};

static void
periodic_cb(void *arg)
{
	struct periodic *p = arg;

	if (++p->n < 3)
		assert_int_equal(ev_timer_arm(p->t, 2), 0);
	else
		ev_timer_disarm(fx.guard);
}

static void
test_timer_rearm_in_callback(void **state)
{
	struct periodic p = { NULL, 0 };

	(void)state;
	p.t = ev_timer_new(fx.base, periodic_cb, &p);
	assert_int_equal(ev_timer_arm(p.t, 0), 0);
	run();
	assert_int_equal(p.n, 3);
	/* an absurd delay is cut, not wrapped */
	assert_int_equal(ev_timer_arm(p.t, UINT64_MAX), 0);
	assert_true(ev_timer_pending(p.t));
	ev_timer_free(p.t);
}

static void
test_backoff(void **state)
{
	static const uint64_t want[] = { 1000, 2000, 4000, 8000, 8000 };
	struct ev_backoff b;
	uint64_t ms = 0;
	size_t i;

	(void)state;
	ev_backoff_init(&b, 1000, 8000, 5);
	for (i = 0; i < 5; i++) {
		assert_true(ev_backoff_next(&b, &ms));
		assert_int_equal(ms, want[i]);
	}
	ms = 42;
	assert_false(ev_backoff_next(&b, &ms));
	assert_int_equal(ms, 42);
	assert_false(ev_backoff_next(&b, &ms));
	assert_int_equal(b.tries, 5);

	/* reset starts over */
	ev_backoff_reset(&b);
	assert_true(ev_backoff_next(&b, &ms));
	assert_int_equal(ms, 1000);
	assert_true(ev_backoff_next(&b, &ms));
	assert_int_equal(ms, 2000);

	/* set by hand, as the header allows */
	memset(&b, 0, sizeof(b));
	b.initial_ms = 500;
	b.max_ms = 700;
	b.max_tries = 3;
	ev_backoff_reset(&b);
	assert_true(ev_backoff_next(&b, &ms));
	assert_int_equal(ms, 500);
	assert_true(ev_backoff_next(&b, &ms));
	assert_int_equal(ms, 700);
	assert_true(ev_backoff_next(&b, &ms));
	assert_int_equal(ms, 700);
	assert_false(ev_backoff_next(&b, &ms));

	/* no tries at all; initial above max is capped */
	ev_backoff_init(&b, 1000, 8000, 0);
	assert_false(ev_backoff_next(&b, &ms));
	ev_backoff_init(&b, 9000, 8000, 1);
	assert_true(ev_backoff_next(&b, &ms));
	assert_int_equal(ms, 8000);

	/* doubling near the top of uint64_t does not wrap */
	ev_backoff_init(&b, UINT64_MAX / 2 + 2, UINT64_MAX, 3);
	assert_true(ev_backoff_next(&b, &ms));
	assert_true(ev_backoff_next(&b, &ms));
	assert_true(ms == UINT64_MAX);
}

static int sig_seen;
static short sig_what;

static void
signal_cb(int fd, short what, void *arg)
{
	(void)arg;
	sig_seen = fd;
	sig_what = what;
	ev_timer_disarm(fx.guard);
}

static void
test_signal(void **state)
{
	struct event *ev;

	(void)state;
	sig_seen = 0;
	ev = ev_signal_add(fx.base, SIGUSR1, signal_cb, &fx);
	assert_non_null(ev);
	assert_int_equal(raise(SIGUSR1), 0);
	assert_int_equal(event_base_loop(fx.base, EVLOOP_ONCE), 0);
	assert_false(fx.guard_fired);
	assert_int_equal(sig_seen, SIGUSR1);
	assert_true(sig_what & EV_SIGNAL);
	ev_free(ev);
	ev_free(NULL);
}

struct reader {
	int	 calls;
	char	 got;
};

static void
read_cb(int fd, short what, void *arg)
{
	struct reader *r = arg;

	assert_true(what & EV_READ);
	assert_int_equal(read(fd, &r->got, 1), 1);
	if (++r->calls == 2) {
		ev_timer_disarm(fx.guard);
		event_base_loopbreak(fx.base);
	}
}

/* Persistent: two bytes written apart are two callbacks. */
static void
test_read(void **state)
{
	struct reader r = { 0, 0 };
	struct event *ev;
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	ev = ev_read_new(fx.base, p[0], read_cb, &r);
	assert_non_null(ev);
	assert_int_equal(write(p[1], "a", 1), 1);
	assert_int_equal(event_base_loop(fx.base, EVLOOP_ONCE), 0);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.got, 'a');
	assert_int_equal(write(p[1], "b", 1), 1);
	assert_int_equal(event_base_dispatch(fx.base), 0);
	assert_false(fx.guard_fired);
	assert_int_equal(r.calls, 2);
	assert_int_equal(r.got, 'b');
	ev_free(ev);
	close(p[0]);
	close(p[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_timer_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_timer_rearm_replaces,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_disarm, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_timer_free, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_timer_rearm_in_callback,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_backoff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read, setup, teardown),
	};

	return cmocka_run_group_tests_name("ev", tests, NULL, NULL);
}
