/*
 * pv_info.c — the paravirtual platform's statistics in one report, for the debug shell's `pv`
 * command: hypervisor, clocksource and resolution, steal time, PV EOI, kvmclock guard clamps.
 *
 * The one idea: every figure is read from its owner's accessor at the moment of printing;
 * nothing here keeps its own copy.
 */
#include <arch/x86_64/timer.h>
#include <asm/kvm_para.h>
#include <console.h>
#include <libkern/calendar.h>
#include <mach/kern/clock.h>
#include <mach/kern/processor.h>
#include <pv/calendar.h>
#include <pv/clocksource.h>
#include <pv/hv.h>
#include <pv/kvm.h>
#include <pv/pv_info.h>
#include <pv/xen.h>

void
pv_info_print(void)
{
	const struct clocksource *cs = clocksource_current();
	struct cal_date d;
	uint64_t now;

	if (hv_info.hv_primary != NULL)
		printf("hypervisor:  %s (\"%s\" at %#x)\n", hv_kind_name(hv_info.hv_kind),
		       hv_info.hv_primary->hs_text, hv_info.hv_primary->hs_base);
	else
		printf("hypervisor:  none found\n");
	if (cs != NULL)
		printf("clocksource: %s, rating %d, resolution %llu ns, TSC %u kHz\n", cs->cs_name,
		       cs->cs_rating, (unsigned long long)cs->cs_resolution_ns, tsc_freq_khz());
	else
		printf("clocksource: none selected (raw TSC)\n");
	if (hv_info.hv_kind == HV_KVM) {
		printf("kvmclock:    %s, %llu reads clamped by the monotonic guard\n",
		       kvmclock_tsc_stable() ? "TSC stable" : "TSC not stable",
		       (unsigned long long)kvmclock_clamped());
	}
	now = clock_get_calendar_ns();
	cal_from_epoch((int64_t)(now / 1000000000u), &d);
	printf("calendar:    %04d-%02u-%02u %02u:%02u:%02u.%06u UTC, set at boot from %s\n",
	       d.cd_year, d.cd_month, d.cd_day, d.cd_hour, d.cd_min, d.cd_sec,
	       (unsigned)(now % 1000000000u / 1000), calendar_source());
	if (xen_present())
		printf("xen pvclock: %llu reads clamped by the monotonic guard, %llu torn reads "
		       "given up\n", (unsigned long long)xen_clock_clamped(),
		       (unsigned long long)xen_clock_errors_count());
	if (kvm_steal_enabled()) {
		for (unsigned cpu = 0; cpu < MAX_CPUS; cpu++)
			if (kvm_steal_enabled_on(cpu))
				printf("steal:       cpu %u: %llu.%06llu ms\n", cpu,
				       (unsigned long long)(kvm_steal_ns(cpu) / 1000000),
				       (unsigned long long)(kvm_steal_ns(cpu) % 1000000));
	} else {
		printf("steal:       not offered\n");
	}
	if (kvm_pv_unhalt_enabled()) {
		for (unsigned cpu = 0; cpu < MAX_CPUS; cpu++)
			if (processor_array[cpu].p_online)
				printf("pv-unhalt:   cpu %u: woken %llu times by a kick, %llu by an "
				       "IPI\n", cpu, (unsigned long long)processor_array[cpu].p_kicks,
				       (unsigned long long)processor_array[cpu].p_resched_ipis);
	} else {
		printf("pv-unhalt:   %s\n", hv_kvm_has(KVM_FEATURE_PV_UNHALT)
						 ? "offered, not used (see the boot log)"
						 : "not offered");
	}
	if (kvm_pv_eoi_enabled())
		printf("pv-eoi:      on; %llu EOIs without an APIC write, %llu with\n",
		       (unsigned long long)kvm_pv_eoi_saved(),
		       (unsigned long long)kvm_pv_eoi_slow());
	else
		printf("pv-eoi:      not offered\n");
}
