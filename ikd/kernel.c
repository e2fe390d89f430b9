/*
 * kernel.c - ikd's kernel operations (struct ikd_kernel_ops) on an
 * xfrm.h backend: the one place the exchange code reaches the kernel.
 * Tests put a recording mock in its place.
 */
#include "ikd/ikd.h"
#include "ikd/xfrm.h"

static int
k_spi_alloc(void *arg, const struct xfrm_spi_req *r, uint32_t *spi)
{
	return xfrm_spi_alloc(arg, r, spi);
}

static int
k_sa_add(void *arg, const struct xfrm_sa_req *r)
{
	return xfrm_sa_add(arg, r);
}

static int
k_sa_del(void *arg, const struct xfrm_sa_id *id)
{
	return xfrm_sa_del(arg, id);
}

static int
k_sa_counters(void *arg, const struct xfrm_sa_id *id,
    struct xfrm_sa_counters *out)
{
	return xfrm_sa_get_counters(arg, id, out);
}

const struct ikd_kernel_ops ikd_kernel_xfrm_ops = {
	.spi_alloc = k_spi_alloc,
	.sa_add = k_sa_add,
	.sa_del = k_sa_del,
	.sa_counters = k_sa_counters,
};
