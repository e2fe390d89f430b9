/*
 * pool.c - IPv4 address pool: a FIFO of free addresses threaded through
 * index arrays, a hash of last users for stickiness, and sorted tables of
 * static addresses. See pool.h for the policy.
 */
#include <arpa/inet.h>

#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "lib/log.h"

#include "pool.h"

#define NONE	UINT32_MAX

enum slot_state {
	SLOT_FREE,
	SLOT_USED,
	SLOT_RESERVED
};

struct pool_static {
	char		*user;
	struct in_addr	 addr;
	bool		 in_use;
};

struct pool {
	uint32_t		 base;		/* host order: pool.start */
	uint32_t		 n;		/* addresses in the range */
	uint8_t			*state;		/* enum slot_state, per index */
	uint32_t		*prev;		/* free FIFO links */
	uint32_t		*next;
	uint32_t		 head;		/* next to hand out */
	uint32_t		 tail;		/* last released */
	uint32_t		 nfree;
	uint32_t		 nused;
	char			**last_user;	/* sticky hint per index */
	uint32_t		*hnext;		/* hash chain per index */
	uint32_t		*bucket;	/* chain heads */
	uint32_t		 nbuckets;	/* power of two */
	struct pool_static	*statics;	/* sorted by user */
	struct pool_static	**by_addr;	/* sorted by address */
	size_t			 nstatics;
};

const char *
pool_result_name(enum pool_result r)
{
	switch (r) {
	case POOL_OK:
		return "ok";
	case POOL_EXHAUSTED:
		return "pool exhausted";
	case POOL_STATIC_IN_USE:
		return "static address in use";
	}
	return "?";
}

/* FNV-1a of the user name. */
static uint32_t
pool_hash(const struct pool *p, const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++) {
		h ^= (uint8_t)*s;
		h *= 16777619u;
	}
	return h & (p->nbuckets - 1);
}

static void
fifo_push_tail(struct pool *p, uint32_t i)
{
	p->prev[i] = p->tail;
	p->next[i] = NONE;
	if (p->tail != NONE)
		p->next[p->tail] = i;
	else
		p->head = i;
	p->tail = i;
	p->state[i] = SLOT_FREE;
	p->nfree++;
}

static void
fifo_remove(struct pool *p, uint32_t i)
{
	if (p->prev[i] != NONE)
		p->next[p->prev[i]] = p->next[i];
	else
		p->head = p->next[i];
	if (p->next[i] != NONE)
		p->prev[p->next[i]] = p->prev[i];
	else
		p->tail = p->prev[i];
	p->prev[i] = p->next[i] = NONE;
	p->nfree--;
}

static void
hint_unlink(struct pool *p, uint32_t i)
{
	uint32_t *pp;

	if (p->last_user[i] == NULL)
		return;
	for (pp = &p->bucket[pool_hash(p, p->last_user[i])]; *pp != NONE;
	    pp = &p->hnext[*pp])
		if (*pp == i) {
			*pp = p->hnext[i];
			break;
		}
	free(p->last_user[i]);
	p->last_user[i] = NULL;
	p->hnext[i] = NONE;
}

/* Remember user as i's last user (best effort: no memory, no hint). */
static void
hint_set(struct pool *p, uint32_t i, const char *user)
{
	uint32_t h;

	if (p->last_user[i] != NULL && strcmp(p->last_user[i], user) == 0)
		return;
	hint_unlink(p, i);
	if ((p->last_user[i] = strdup(user)) == NULL)
		return;
	h = pool_hash(p, user);
	p->hnext[i] = p->bucket[h];
	p->bucket[h] = i;
}

/* A free address user had last, or NONE. */
static uint32_t
hint_lookup(const struct pool *p, const char *user)
{
	uint32_t i;

	for (i = p->bucket[pool_hash(p, user)]; i != NONE; i = p->hnext[i])
		if (p->state[i] == SLOT_FREE &&
		    strcmp(p->last_user[i], user) == 0)
			return i;
	return NONE;
}

static int
static_cmp_user(const void *a, const void *b)
{
	const struct pool_static *x = a, *y = b;

	return strcmp(x->user, y->user);
}

static int
static_cmp_addr(const void *a, const void *b)
{
	uint32_t x = ntohl((*(struct pool_static *const *)a)->addr.s_addr);
	uint32_t y = ntohl((*(struct pool_static *const *)b)->addr.s_addr);

	return x < y ? -1 : x > y;
}

static struct pool_static *
static_by_user(const struct pool *p, const char *user)
{
	struct pool_static key = { .user = (char *)(uintptr_t)user };

	if (p->nstatics == 0)
		return NULL;
	return bsearch(&key, p->statics, p->nstatics, sizeof(key),
	    static_cmp_user);
}

static struct pool_static *
static_by_addr(const struct pool *p, struct in_addr a)
{
	struct pool_static key = { .addr = a }, *kp = &key, **found;

	if (p->nstatics == 0)
		return NULL;
	found = bsearch(&kp, p->by_addr, p->nstatics, sizeof(kp),
	    static_cmp_addr);
	return found != NULL ? *found : NULL;
}

/* Index of a inside the range, or NONE. */
static uint32_t
pool_index(const struct pool *p, struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	if (h < p->base || h - p->base >= p->n)
		return NONE;
	return h - p->base;
}

struct pool *
pool_new(const struct vpn_conf *conf)
{
	struct pool *p;
	struct in_addr a;
	uint32_t i;
	size_t k, ns = 0;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		goto fail;
	p->base = ntohl(conf->pool.start.s_addr);
	p->n = conf_pool_size(conf);
	p->head = p->tail = NONE;
	for (p->nbuckets = 16; p->nbuckets < p->n; p->nbuckets *= 2)
		;
	if ((p->state = calloc(p->n, 1)) == NULL ||
	    (p->prev = calloc(p->n, sizeof(*p->prev))) == NULL ||
	    (p->next = calloc(p->n, sizeof(*p->next))) == NULL ||
	    (p->last_user = calloc(p->n, sizeof(*p->last_user))) == NULL ||
	    (p->hnext = calloc(p->n, sizeof(*p->hnext))) == NULL ||
	    (p->bucket = calloc(p->nbuckets, sizeof(*p->bucket))) == NULL)
		goto fail;
	memset(p->bucket, 0xff, p->nbuckets * sizeof(*p->bucket));
	for (i = 0; i < p->n; i++) {
		p->hnext[i] = NONE;
		a.s_addr = htonl(p->base + i);
		if (conf_pool_reserved(conf, a))
			p->state[i] = SLOT_RESERVED;
		else
			fifo_push_tail(p, i);
	}

	for (k = 0; k < conf->nusers; k++)
		if (conf->users[k].has_address)
			ns++;
	if (ns > 0) {
		if ((p->statics = calloc(ns, sizeof(*p->statics))) == NULL ||
		    (p->by_addr = calloc(ns, sizeof(*p->by_addr))) == NULL)
			goto fail;
		for (k = 0; k < conf->nusers; k++) {
			if (!conf->users[k].has_address)
				continue;
			p->statics[p->nstatics].addr = conf->users[k].address;
			if ((p->statics[p->nstatics].user =
			    strdup(conf->users[k].name)) == NULL)
				goto fail;
			p->nstatics++;
		}
		qsort(p->statics, p->nstatics, sizeof(*p->statics),
		    static_cmp_user);
		for (k = 0; k < p->nstatics; k++)
			p->by_addr[k] = &p->statics[k];
		qsort(p->by_addr, p->nstatics, sizeof(*p->by_addr),
		    static_cmp_addr);
	}
	return p;
fail:
	log_warn("address pool: calloc");
	pool_free(p);
	return NULL;
}

void
pool_free(struct pool *p)
{
	uint32_t i;
	size_t k;

	if (p == NULL)
		return;
	if (p->last_user != NULL)
		for (i = 0; i < p->n; i++)
			free(p->last_user[i]);
	for (k = 0; k < p->nstatics; k++)
		free(p->statics[k].user);
	free(p->statics);
	free(p->by_addr);
	free(p->state);
	free(p->prev);
	free(p->next);
	free(p->last_user);
	free(p->hnext);
	free(p->bucket);
	free(p);
}

enum pool_result
pool_alloc(struct pool *p, const char *user, struct in_addr *out)
{
	struct pool_static *s;
	uint32_t i = NONE;

	if (user != NULL && (s = static_by_user(p, user)) != NULL) {
		if (s->in_use)
			return POOL_STATIC_IN_USE;
		s->in_use = true;
		*out = s->addr;
		return POOL_OK;
	}
	if (user != NULL)
		i = hint_lookup(p, user);
	if (i == NONE)
		i = p->head;
	if (i == NONE)
		return POOL_EXHAUSTED;
	fifo_remove(p, i);
	p->state[i] = SLOT_USED;
	p->nused++;
	if (user != NULL)
		hint_set(p, i, user);
	else
		hint_unlink(p, i);
	out->s_addr = htonl(p->base + i);
	return POOL_OK;
}

int
pool_release(struct pool *p, struct in_addr addr)
{
	struct pool_static *s;
	uint32_t i = pool_index(p, addr);
	char a[INET_ADDRSTRLEN];

	if (i != NONE && p->state[i] == SLOT_USED) {
		p->nused--;
		fifo_push_tail(p, i);
		return 0;
	}
	if ((s = static_by_addr(p, addr)) != NULL && s->in_use) {
		s->in_use = false;
		return 0;
	}
	inet_ntop(AF_INET, &addr, a, sizeof(a));
	log_warnx("address pool: release of %s, which is not handed out", a);
	return -1;
}

bool
pool_in_use(const struct pool *p, struct in_addr addr)
{
	const struct pool_static *s;
	uint32_t i = pool_index(p, addr);

	if (i != NONE && p->state[i] == SLOT_USED)
		return true;
	return (s = static_by_addr(p, addr)) != NULL && s->in_use;
}

uint32_t
pool_nfree(const struct pool *p)
{
	return p->nfree;
}

uint32_t
pool_nused(const struct pool *p)
{
	return p->nused;
}
