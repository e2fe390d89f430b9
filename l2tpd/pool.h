/*
 * pool.h - the IPv4 address pool of PPP clients (config section `pool`,
 * plus users' static addresses).
 *
 * Dynamic addresses come from pool.start..pool.end minus what
 * conf_pool_reserved() names (pool.exclude, ppp.local_address, users'
 * static addresses). A user with a static address always gets that one
 * (inside or outside the range) and at most once at a time.
 *
 * Reuse policy (quarantine): free addresses form one FIFO. A fresh pool
 * hands them out in ascending order; a released address goes to the tail,
 * so it is handed to somebody else only after every address that was free
 * longer went first (least recently used first). The longest possible
 * quarantine without a timer: stale ARP/route/conntrack state and log
 * lines of the previous user age as much as the pool size allows.
 * Sticky: the pool remembers the last user of each free address; that
 * user gets it back if it is still free (same user: no confusion to
 * avoid). An address given to another user forgets the old one.
 *
 * Cost: alloc and release are O(1) (the sticky lookup is a hash of the
 * user name, chains over distinct addresses); statics are found by binary
 * search, O(log n). Memory is about 16 bytes per pool address plus the
 * remembered names.
 *
 * XXX no reload hand-over: a pool built from a new config starts empty;
 * live sessions keep their addresses, the owner must re-claim them.
 */
#ifndef L2TPD_POOL_H
#define L2TPD_POOL_H

#include <netinet/in.h>

#include <stdbool.h>
#include <stdint.h>

struct vpn_conf;
struct pool;

enum pool_result {
	POOL_OK,
	POOL_EXHAUSTED,		/* no free dynamic address */
	POOL_STATIC_IN_USE	/* the user's static address is taken */
};

/*
 * A pool for conf's pool section and users' static addresses (copied:
 * conf may be freed afterwards). Returns NULL (logged) on allocation
 * failure.
 */
struct pool	*pool_new(const struct vpn_conf *conf);
/* Free the pool. NULL is a no-op. */
void		 pool_free(struct pool *);

/*
 * An address for a session of user (NULL: anonymous, no static address
 * and no stickiness) into *out. Returns POOL_OK, or POOL_EXHAUSTED /
 * POOL_STATIC_IN_USE with *out untouched.
 */
enum pool_result pool_alloc(struct pool *, const char *user,
		    struct in_addr *out);
/*
 * Give back an address from pool_alloc(). Returns 0, or -1 (logged) if it
 * is not currently handed out: a double release, a reserved or unknown
 * address. The pool is unchanged then.
 */
int		 pool_release(struct pool *, struct in_addr addr);

/* Whether addr is currently handed out (dynamic or static). */
bool		 pool_in_use(const struct pool *, struct in_addr addr);
/* Dynamic addresses free now / handed out now (statics not counted). */
uint32_t	 pool_nfree(const struct pool *);
uint32_t	 pool_nused(const struct pool *);

const char	*pool_result_name(enum pool_result);

#endif
