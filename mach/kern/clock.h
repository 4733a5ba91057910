/*
 * clock.h — Mach's clock interfaces for the rest of the kernel (XNU osfmk/kern/clock.h):
 * uptime in nanoseconds and delay().
 *
 * The one idea: delay() sleeps when the caller is a thread that may block, so waiting for a
 * device costs no CPU, and spins only where sleeping is impossible (interrupt context, spin
 * lock held, interrupts off, or before the scheduler starts).
 * XXX: uptime comes from the TSC (kernel/arch/x86_64/timer.h) until the paravirtual clock layer
 * (kvmclock/pvclock) lands.
 */
#ifndef _MACH_KERN_CLOCK_H_
#define _MACH_KERN_CLOCK_H_

#include <libkern/libkern.h>

/* Nanoseconds since boot; monotonic. Any context. */
uint64_t clock_get_uptime(void);

/*
 * The calendar: nanoseconds since 1970-01-01 00:00:00 UTC, kept as uptime plus an offset, so it
 * advances with the uptime clock and never needs a device read. The offset is set at boot from
 * the platform's wall clock (pv/calendar.c) and by clock_set_calendar_ns (settimeofday).
 * Before either, the calendar reads the uptime (it starts at 1970). Any context.
 */
uint64_t clock_get_calendar_ns(void);
void clock_set_calendar_ns(uint64_t ns);

/*
 * delay: wait at least usec microseconds. Sleeps (thread_block with a deadline) when the caller
 * can block and the wait is at least a tick; busy-waits otherwise.
 */
void delay(uint64_t usec);

/* Whether the current context may block: a thread, preemption enabled, interrupts on. */
bool clock_can_block(void);

#endif /* _MACH_KERN_CLOCK_H_ */
