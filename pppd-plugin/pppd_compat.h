/*
 * pppd_compat.h - the one place where the plugin meets pppd's API.
 *
 * Built and tested against Debian 12's pppd 2.4.9 (ppp-dev). pppd 2.5
 * renamed most of what a plugin touches (globals became accessors,
 * notifier lists an enum, headers moved); the PPPD_25 branch below maps
 * our calls to those names. XXX the 2.5 branch is written from the 2.5
 * headers' documented API and has not been compiled here: Debian 12 only
 * ships 2.4.9.
 *
 * Every pppd symbol plugin.c uses goes through a compat_* name from this
 * header, except the hooks that kept their names and types in 2.5
 * (chap_check_hook, chap_verify_hook, pap_check_hook, pap_auth_hook,
 * allowed_address_hook, ip_choose_hook), the log functions (info, notice,
 * warn, error, dbglog, fatal), lcp_close, ipcp_*options[] and EXIT_*,
 * PHASE_* values.
 */
#ifndef PPPD_PLUGIN_PPPD_COMPAT_H
#define PPPD_PLUGIN_PPPD_COMPAT_H

#include <stdint.h>

#if defined(__has_include)
#if __has_include(<pppd/pppdconf.h>)
#define PPPD_25 1
#endif
#endif

#ifdef PPPD_25
/* ---- pppd 2.5.x ---- */
#include <pppd/pppd.h>
#include <pppd/options.h>
#include <pppd/chap.h>
#include <pppd/upap.h>
#include <pppd/ipcp.h>
#include <pppd/lcp.h>

typedef struct option compat_option_t;
#define COMPAT_PPPD_VERSION	PPPD_VERSION

#define compat_add_options(o)		ppp_add_options(o)
#define compat_ifname()			ppp_ifname()
#define compat_ifunit()			ppp_ifunit()
#define compat_timeout(f, a, s)		ppp_timeout((f), (a), (s), 0)
#define compat_untimeout(f, a)		ppp_untimeout((f), (a))
#define compat_on_phase(f)		ppp_add_notify(NF_PHASE_CHANGE, (f), 0)
#define compat_on_exit(f)		ppp_add_notify(NF_EXIT, (f), 0)
#define compat_on_ip_up(f)		ppp_add_notify(NF_IP_UP, (f), 0)
#define compat_on_ip_down(f)		ppp_add_notify(NF_IP_DOWN, (f), 0)

/* Counters of the unit since IPCP came up (64-bit byte counts). */
static inline int
compat_read_stats(uint64_t *bi, uint64_t *bo, uint64_t *pi, uint64_t *po)
{
	ppp_link_stats_st st;

	if (!ppp_get_link_stats(&st))
		return -1;
	*bi = st.bytes_in;
	*bo = st.bytes_out;
	*pi = st.pkts_in;
	*po = st.pkts_out;
	return 0;
}

/* Close the link on our request: pppd exits with EXIT_USER_REQUEST. */
static inline void
compat_close_link(char *reason)
{
	ppp_set_status(EXIT_USER_REQUEST);
	lcp_close(0, reason);
}

#else
/* ---- pppd 2.4.9 (Debian 12) ---- */
/*
 * pppd.h typedefs its own `bool' (unsigned char), which clashes with
 * <stdbool.h>: give pppd's its own name, then let stdbool define ours.
 */
#ifdef bool
#error "include pppd_compat.h before <stdbool.h>"
#endif
#define bool pppd_bool
#include <pppd/pppd.h>
#include <pppd/patchlevel.h>
#include <pppd/fsm.h>
#include <pppd/chap-new.h>
#include <pppd/upap.h>
#include <pppd/ipcp.h>
#include <pppd/lcp.h>
#undef bool

typedef option_t compat_option_t;
#define COMPAT_PPPD_VERSION	VERSION

#define compat_add_options(o)		add_options(o)
#define compat_ifname()			((const char *)ifname)
#define compat_ifunit()			(ifunit)
#define compat_timeout(f, a, s)		timeout((f), (a), (s), 0)
#define compat_untimeout(f, a)		untimeout((f), (a))
#define compat_on_phase(f)		add_notifier(&phasechange, (f), 0)
#define compat_on_exit(f)		add_notifier(&exitnotify, (f), 0)
#define compat_on_ip_up(f)		add_notifier(&ip_up_notifier, (f), 0)
#define compat_on_ip_down(f)		add_notifier(&ip_down_notifier, (f), 0)

/*
 * Live counters of the unit (SIOCGPPPSTATS). 2.4.9's are 32-bit and
 * wrap; the caller accumulates deltas into 64-bit totals.
 */
static inline int
compat_read_stats(uint64_t *bi, uint64_t *bo, uint64_t *pi, uint64_t *po)
{
	struct pppd_stats st;

	if (!get_ppp_stats(ifunit, &st))
		return -1;
	*bi = st.bytes_in;
	*bo = st.bytes_out;
	*pi = st.pkts_in;
	*po = st.pkts_out;
	return 0;
}

/* The counters above are 32 bits wide: deltas are taken modulo 2^32. */
#define COMPAT_STATS_WRAP	32

/* Close the link on our request: pppd exits with EXIT_USER_REQUEST. */
static inline void
compat_close_link(char *reason)
{
	status = EXIT_USER_REQUEST;
	persist = 0;
	lcp_close(0, reason);
}
#endif

#include <stdbool.h>

#endif
