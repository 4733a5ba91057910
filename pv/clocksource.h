/*
 * clocksource.h — the kernel's clock sources (kvmclock, Xen pvclock, TSC) behind one interface,
 * and the choice of the best one, which then drives clock_uptime_ns().
 */
#ifndef _PV_CLOCKSOURCE_H_
#define _PV_CLOCKSOURCE_H_

#include <libkern/libkern.h>

/* Ratings, best highest (the scale Linux uses, so numbers read alike). */
#define CS_RATING_KVMCLOCK 400
#define CS_RATING_XEN	   400
#define CS_RATING_TSC_INV  300 /* invariant TSC */
#define CS_RATING_TSC	   100 /* a TSC that may change rate: a last resort */

struct clocksource {
	const char *cs_name;
	int cs_rating;
	uint64_t cs_resolution_ns; /* the smallest step a read can show (>= 1) */
	/* Nanoseconds from an arbitrary origin, never going backwards; any context, any CPU. */
	uint64_t (*cs_read_ns)(void);
	/* The TSC frequency this source vouches for, in Hz, or NULL/0 when it has none. */
	uint64_t (*cs_tsc_hz)(void);
	struct clocksource *cs_next; /* registration list (clocksource.c) */
};

/*
 * clocksource_register: offer cs for selection. Boot CPU, before clocksource_select(); cs is
 * never freed. A source with a zero resolution or no read function is refused (logged).
 *   Returns: 0 or -1.
 */
int clocksource_register(struct clocksource *cs);

/*
 * clocksource_select: choose the registered source with the highest rating (or the one named by
 * `clocksource=` on the command line), make clock_uptime_ns() read it, continuing from the time
 * it showed before, and print `clocksource: <name> selected`. Boot CPU, interrupts off.
 *   Returns: the source chosen, or NULL when none is registered (the TSC then stays in use).
 */
const struct clocksource *clocksource_select(void);

/* The source in use, or NULL before clocksource_select(). */
const struct clocksource *clocksource_current(void);

/*
 * clocksource_init: register the sources this machine offers (kvmclock when KVM says so, Xen's
 * pvclock under Xen, the TSC once calibrated) and select one. Boot CPU, after hv_detect() and
 * timer_calibrate().
 */
void clocksource_init(void);

/* The TSC clocksource (pv/clocksource_tsc.c), registered by clocksource_init(). */
int clocksource_tsc_register(void);

#endif /* _PV_CLOCKSOURCE_H_ */
