/*
 * calendar_ktest.c — self-tests of the calendar on the machine we booted on: it was set from
 * a wall clock, it agrees with the host's clock (when the boot test passes the host's time as
 * `ktest.hosttime=SECONDS`), it agrees with the CMOS clock when a hypervisor clock set it, and
 * it advances with the uptime clock.
 */
#include <arch/x86_64/rtc.h>
#include <arch/x86_64/timer.h>
#include <cmdline.h>
#include <console.h>
#include <iokit/acpi_platform.h>
#include <ktest.h>
#include <mach/kern/clock.h>
#include <pv/calendar.h>

#define NS 1000000000ull

/* The host's `date +%s` when QEMU started: the calendar lies between it and it + uptime,
 * less a minute (whole seconds) and plus five (QEMU and firmware start-up before uptime 0). */
KTEST(calendar_matches_host_time)
{
	const char *v = cmdline_get(&boot_cmdline, "ktest.hosttime");
	uint64_t host, now = clock_get_calendar_ns() / NS, up = clock_uptime_ns() / NS;

	printf("# calendar %llu s from %s, uptime %llu s\n", (unsigned long long)now,
	       calendar_source(), (unsigned long long)up);
	KT_ASSERT(strcmp(calendar_source(), "none") != 0);
	if (v == NULL)
		KT_SKIP("no ktest.hosttime= on the command line");
	KT_ASSERT(kstrtou64(v, strlen(v), 10, &host));
	printf("# host time %llu s at QEMU start\n", (unsigned long long)host);
	KT_ASSERT(now + 60 >= host);
	KT_ASSERT(now <= host + up + 300);
}

/* A hypervisor's wall clock and the emulated CMOS clock show the same second (give or take). */
KTEST(calendar_hypervisor_agrees_with_rtc)
{
	struct cal_date d;
	int64_t rtc, cal;

	if (strcmp(calendar_source(), "cmos-rtc") == 0)
		KT_SKIP("the calendar came from the CMOS clock itself");
	if (rtc_read(acpi_info.ai_has_fadt ? acpi_info.ai_fadt.af_century : 0, &d) != 0)
		KT_SKIP("no readable CMOS clock");
	rtc = cal_to_epoch(&d);
	cal = (int64_t)(clock_get_calendar_ns() / NS);
	printf("# %s %lld s, CMOS %lld s\n", calendar_source(), (long long)cal, (long long)rtc);
	KT_ASSERT(cal - rtc <= 2 && rtc - cal <= 2);
}

/* The calendar moves with the uptime clock, and setting it moves it by exactly that much. */
KTEST(calendar_follows_uptime_and_can_be_set)
{
	uint64_t c0, u0, c1, u1, saved;
	int64_t drift;

	c0 = clock_get_calendar_ns();
	u0 = clock_uptime_ns();
	delay(20000);
	c1 = clock_get_calendar_ns();
	u1 = clock_uptime_ns();
	drift = (int64_t)((c1 - c0) - (u1 - u0));
	KT_ASSERT(c1 - c0 >= 20000000);
	KT_ASSERT(drift < 1000000 && drift > -1000000);

	saved = clock_get_calendar_ns();
	clock_set_calendar_ns(saved + 3600 * NS);
	c1 = clock_get_calendar_ns();
	clock_set_calendar_ns(c1 - 3600 * NS);
	KT_ASSERT(c1 >= saved + 3600 * NS);
	KT_ASSERT(c1 < saved + 3600 * NS + NS);
	KT_ASSERT(clock_get_calendar_ns() < saved + NS);
}
