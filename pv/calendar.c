/*
 * calendar.c — the calendar's starting point: the hypervisor's wall clock, else the PC's CMOS
 * real-time clock.
 *
 * Sources, best first: kvmclock's wall clock (MSR_KVM_WALL_CLOCK_NEW, Linux's
 * Documentation/virt/kvm/x86/msr.rst: the wall clock at kvmclock time 0, to nanoseconds), Xen's
 * (shared_info wc_sec/wc_nsec/wc_sec_hi, public/xen.h: the same at Xen system time 0), and the
 * MC146818 CMOS clock (kernel/arch/x86_64/rtc.c; whole seconds, the FADT names its century
 * register, ACPI 6.5 §5.2.9).
 *
 * The one idea: the calendar is read from a device once, here; from then on it is the uptime
 * clock plus an offset (mach/kern/clock.c, as XNU's clock_initialize_calendar sets its offset
 * from the Platform Expert's PEGetUTCTimeOfDay), so reading the time of day never exits to the
 * hypervisor and never runs backwards with the uptime clock.
 */
#include <arch/x86_64/rtc.h>
#include <console.h>
#include <iokit/acpi_platform.h>
#include <mach/kern/clock.h>
#include <pv/calendar.h>
#include <pv/kvm.h>
#include <pv/xen.h>

static const char *calendar_src = "none";

const char *
calendar_source(void)
{
	return calendar_src;
}

/* The CMOS clock, unless the FADT says the machine has none. */
static bool
calendar_from_rtc(uint64_t *ns)
{
	const struct acpi_fadt *f = &acpi_info.ai_fadt;
	struct cal_date d;
	int64_t secs;

	if (acpi_info.ai_has_fadt && f->af_revision >= 5 &&
	    (f->af_iapc_boot_arch & ACPI_IAPC_NO_CMOS_RTC)) {
		klog(LOG_INFO, "calendar: the FADT says there is no CMOS clock\n");
		return false;
	}
	if (rtc_read(acpi_info.ai_has_fadt ? f->af_century : 0, &d) != 0)
		return false;
	secs = cal_to_epoch(&d);
	if (secs < 0)
		return false;
	*ns = (uint64_t)secs * 1000000000u;
	return true;
}

int
calendar_init(void)
{
	struct cal_date d;
	uint64_t ns;

	if (kvmclock_wallclock_ns(&ns))
		calendar_src = "kvmclock";
	else if (xen_wallclock_ns(&ns))
		calendar_src = "xen";
	else if (calendar_from_rtc(&ns))
		calendar_src = "cmos-rtc";
	else {
		klog(LOG_WARNING, "calendar: no wall clock found; the time of day starts at 1970\n");
		return -1;
	}
	clock_set_calendar_ns(ns);
	cal_from_epoch((int64_t)(ns / 1000000000u), &d);
	printf("calendar: %04d-%02u-%02u %02u:%02u:%02u UTC from %s\n", d.cd_year, d.cd_month,
	       d.cd_day, d.cd_hour, d.cd_min, d.cd_sec, calendar_src);
	return 0;
}
