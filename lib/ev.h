/*
 * ev.h - small helpers on libevent 2.1: one-shot millisecond timers whose
 * callbacks get their owner, retransmission backoff, signal and read
 * events. The event_base is the process's one base, passed in.
 */
#ifndef LIB_EV_H
#define LIB_EV_H

#include <stdbool.h>
#include <stdint.h>

struct event;
struct event_base;

/*
 * One-shot timer. Created disarmed by the object that owns it, freed in
 * its destructor; the callback gets that owner and may re-arm, disarm or
 * free the timer (and its owner).
 */
struct ev_timer;
typedef void ev_timer_cb(void *arg);

/*
 * New disarmed timer on `base` calling cb(arg) when it fires. Returns
 * NULL (logged) on failure. The caller owns it; free with ev_timer_free().
 */
struct ev_timer *ev_timer_new(struct event_base *base, ev_timer_cb *cb,
    void *arg);
/*
 * Fire once, `ms` milliseconds from now; arming a pending timer replaces
 * its deadline. Delays above a year are cut to a year. Returns 0, or -1 if
 * libevent failed (the timer is then disarmed).
 */
int ev_timer_arm(struct ev_timer *, uint64_t ms);
/* Cancel; a disarmed timer is left alone. */
void ev_timer_disarm(struct ev_timer *);
/* True while armed and not yet fired. */
bool ev_timer_pending(const struct ev_timer *);
/* Disarm and free. NULL is a no-op. */
void ev_timer_free(struct ev_timer *);

/*
 * Retransmission backoff: initial_ms, doubled after each try, capped at
 * max_ms, for at most max_tries delays (RFC 2661 5.8 style: 1, 2, 4, 8,
 * 8 s). Set the first four fields (or use ev_backoff_init), then
 * ev_backoff_reset before each new message.
 */
struct ev_backoff {
	uint64_t	 initial_ms;
	uint64_t	 max_ms;
	uint64_t	 cur_ms;
	unsigned int	 tries;
	unsigned int	 max_tries;
};

/* Set the parameters and reset. */
void ev_backoff_init(struct ev_backoff *, uint64_t initial_ms,
    uint64_t max_ms, unsigned int max_tries);
/* Start over: the next delay is initial_ms (capped at max_ms). */
void ev_backoff_reset(struct ev_backoff *);
/*
 * Next delay into *ms and count a try. Returns false (and leaves *ms
 * alone) when max_tries delays were already given: give up.
 */
bool ev_backoff_next(struct ev_backoff *, uint64_t *ms);

/*
 * Callback of signal and fd events: libevent's own signature
 * (event_callback_fn); fd is the signal number for signal events, what
 * holds EV_READ/EV_SIGNAL, arg is the owner.
 */
typedef void ev_event_cb(int fd, short what, void *arg);

/*
 * Persistent handler for signal `signo` (SIGCHLD, SIGTERM, SIGINT,
 * SIGHUP), added to `base`. Returns the event, owned by the caller (free
 * with ev_free), or NULL (logged) on failure.
 */
struct event *ev_signal_add(struct event_base *base, int signo,
    ev_event_cb *cb, void *arg);
/*
 * Persistent EV_READ event on `fd` (not owned), added to `base`. Returns
 * the event, owned by the caller (free with ev_free), or NULL (logged).
 */
struct event *ev_read_new(struct event_base *base, int fd, ev_event_cb *cb,
    void *arg);
/* Delete and free an event. NULL is a no-op. */
void ev_free(struct event *);

#endif
