/*
 * ev.c - libevent helpers: owner-style timers, backoff, signal and read
 * events.
 */
#include <sys/time.h>

#include <stdlib.h>

#include <event2/event.h>

#include "ev.h"
#include "log.h"

/* Longest delay given to libevent: a year keeps 32-bit time_t safe. */
#define EV_TIMER_MAX_MS	((uint64_t)365 * 24 * 3600 * 1000)

struct ev_timer {
	struct event	*ev;
	ev_timer_cb	*cb;
	void		*arg;
};

/*
 * The callback may free the timer: nothing touches t after it.
 */
static void
ev_timer_fire(evutil_socket_t fd, short what, void *arg)
{
	struct ev_timer *t = arg;

	(void)fd;
	(void)what;
	t->cb(t->arg);
}

struct ev_timer *
ev_timer_new(struct event_base *base, ev_timer_cb *cb, void *arg)
{
	struct ev_timer *t;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		log_warn("timer: calloc");
		return NULL;
	}
	t->cb = cb;
	t->arg = arg;
	if ((t->ev = evtimer_new(base, ev_timer_fire, t)) == NULL) {
		log_warnx("timer: evtimer_new failed");
		free(t);
		return NULL;
	}
	return t;
}

int
ev_timer_arm(struct ev_timer *t, uint64_t ms)
{
	struct timeval tv;

	if (ms > EV_TIMER_MAX_MS)
		ms = EV_TIMER_MAX_MS;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	/* event_add on a pending timer reschedules it */
	if (evtimer_add(t->ev, &tv) == -1) {
		evtimer_del(t->ev);
		return -1;
	}
	return 0;
}

void
ev_timer_disarm(struct ev_timer *t)
{
	evtimer_del(t->ev);
}

bool
ev_timer_pending(const struct ev_timer *t)
{
	return evtimer_pending(t->ev, NULL) != 0;
}

void
ev_timer_free(struct ev_timer *t)
{
	if (t == NULL)
		return;
	event_free(t->ev);
	free(t);
}

void
ev_backoff_init(struct ev_backoff *b, uint64_t initial_ms, uint64_t max_ms,
    unsigned int max_tries)
{
	b->initial_ms = initial_ms;
	b->max_ms = max_ms;
	b->max_tries = max_tries;
	ev_backoff_reset(b);
}

void
ev_backoff_reset(struct ev_backoff *b)
{
	b->cur_ms = 0;
	b->tries = 0;
}

bool
ev_backoff_next(struct ev_backoff *b, uint64_t *ms)
{
	if (b->tries >= b->max_tries)
		return false;
	if (b->tries == 0)
		b->cur_ms = b->initial_ms;
	else if (b->cur_ms > b->max_ms / 2)
		b->cur_ms = b->max_ms;
	else
		b->cur_ms *= 2;
	if (b->cur_ms > b->max_ms)
		b->cur_ms = b->max_ms;
	b->tries++;
	*ms = b->cur_ms;
	return true;
}

static struct event *
ev_add_new(struct event_base *base, int fd, short what, ev_event_cb *cb,
    void *arg, const char *name)
{
	struct event *ev;

	if ((ev = event_new(base, fd, what, cb, arg)) == NULL) {
		log_warnx("%s %d: event_new failed", name, fd);
		return NULL;
	}
	if (event_add(ev, NULL) == -1) {
		log_warnx("%s %d: event_add failed", name, fd);
		event_free(ev);
		return NULL;
	}
	return ev;
}

struct event *
ev_signal_add(struct event_base *base, int signo, ev_event_cb *cb,
    void *arg)
{
	return ev_add_new(base, signo, EV_SIGNAL | EV_PERSIST, cb, arg,
	    "signal");
}

struct event *
ev_read_new(struct event_base *base, int fd, ev_event_cb *cb, void *arg)
{
	return ev_add_new(base, fd, EV_READ | EV_PERSIST, cb, arg, "fd");
}

void
ev_free(struct event *ev)
{
	if (ev != NULL)
		event_free(ev);
}
