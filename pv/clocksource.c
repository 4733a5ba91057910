/*
 * clocksource.c — registration and selection of the kernel's clock source.
 *
 * Follows ARCHITECTURE.md "Clocks": kvmclock or Xen pvclock when the hypervisor offers them,
 * the invariant TSC otherwise. Ratings follow Linux's scale (kvmclock 400, TSC 300).
 *
 * The one idea: uptime is base_uptime + (source_now - source_at_switch), with both bases taken
 * at the moment of the switch, so changing source never makes uptime jump or step back; each
 * source keeps its own origin.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/timer.h>
#include <cmdline.h>
#include <console.h>
#include <pv/clocksource.h>
#include <pv/hv.h>
#include <pv/kvm.h>
#include <pv/xen.h>

static struct clocksource *cs_list;
static const struct clocksource *cs_cur;
static uint64_t cs_base_uptime; /* uptime when cs_cur took over */
static uint64_t cs_base_read;	/* cs_cur's reading at that moment */

int
clocksource_register(struct clocksource *cs)
{
	if (cs->cs_read_ns == NULL || cs->cs_resolution_ns == 0) {
		klog(LOG_ERR, "clocksource: %s is incomplete; not registered\n", cs->cs_name);
		return -1;
	}
	cs->cs_next = cs_list;
	cs_list = cs;
	printf("clocksource: %s registered, rating %d, resolution %llu ns\n", cs->cs_name,
	       cs->cs_rating, (unsigned long long)cs->cs_resolution_ns);
	return 0;
}

const struct clocksource *
clocksource_current(void)
{
	return __atomic_load_n(&cs_cur, __ATOMIC_ACQUIRE);
}

static uint64_t
clocksource_uptime(void)
{
	const struct clocksource *cs = __atomic_load_n(&cs_cur, __ATOMIC_ACQUIRE);

	return cs_base_uptime + (cs->cs_read_ns() - cs_base_read);
}

const struct clocksource *
clocksource_select(void)
{
	const char *want = cmdline_get(&boot_cmdline, "clocksource");
	struct clocksource *best = NULL;
	bool flags;

	for (struct clocksource *cs = cs_list; cs != NULL; cs = cs->cs_next) {
		if (want != NULL && strcmp(want, cs->cs_name) == 0) {
			best = cs;
			break;
		}
		if (best == NULL || cs->cs_rating > best->cs_rating)
			best = cs;
	}
	if (best == NULL) {
		klog(LOG_WARNING, "clocksource: none registered; uptime stays on the raw TSC\n");
		return NULL;
	}
	if (want != NULL && strcmp(want, best->cs_name) != 0)
		klog(LOG_WARNING, "clocksource: %s (from the command line) is not available\n",
		     want);

	flags = intr_save();
	cs_base_uptime = clock_uptime_ns();
	cs_base_read = best->cs_read_ns();
	__atomic_store_n(&cs_cur, best, __ATOMIC_RELEASE);
	clock_set_source(clocksource_uptime);
	intr_restore(flags);
	printf("clocksource: %s selected\n", best->cs_name);
	return best;
}

void
clocksource_init(void)
{
	const struct clocksource *cs;
	uint64_t hz;

	if (hv_info.hv_kind == HV_KVM)
		(void)kvmclock_register();
	if (hv_info.hv_kind == HV_XEN)
		(void)xen_clock_init();
	(void)clocksource_tsc_register();
	cs = clocksource_select();
	/*
	 * A source that knows the TSC rate (kvmclock: the host's own scale) replaces the
	 * calibrated figure, so TSC-deadline tick periods and delay_us() use the host's value.
	 */
	if (cs != NULL && cs->cs_tsc_hz != NULL && (hz = cs->cs_tsc_hz()) != 0 &&
	    hz != tsc_freq_hz()) {
		printf("clocksource: TSC %llu kHz from %s (calibrated %llu kHz)\n",
		       (unsigned long long)(hz / 1000), cs->cs_name,
		       (unsigned long long)(tsc_freq_hz() / 1000));
		tsc_set_freq(hz);
	}
}
