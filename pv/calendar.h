/*
 * calendar.h — where the calendar's time of day comes from at boot (see calendar.c).
 */
#ifndef _PV_CALENDAR_H_
#define _PV_CALENDAR_H_

#include <libkern/libkern.h>

/*
 * calendar_init: read the best wall clock the platform has — kvmclock's, Xen's, else the CMOS
 * RTC — set the calendar from it (clock_set_calendar_ns) and print it. Boot CPU, once, after
 * the clocksource is chosen and ACPI parsed. Returns 0, or -1 when no source answered (logged;
 * the calendar then counts from 1970).
 */
int calendar_init(void);

/* The source calendar_init used: "kvmclock", "xen", "cmos-rtc" or "none". */
const char *calendar_source(void);

#endif /* _PV_CALENDAR_H_ */
