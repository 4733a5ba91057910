/*
 * timer.h — time on x86-64: the TSC as the clock, the HPET or PIT as the calibration reference,
 * the local APIC timer as the periodic tick.
 */
#ifndef _ARCH_X86_64_TIMER_H_
#define _ARCH_X86_64_TIMER_H_

#include <libkern/libkern.h>

struct trapframe;

#define HZ 100 /* ticks per second: the scheduler's quantum is one tick */

/* ---- TSC (tsc.c) ---- */
/* Set the TSC frequency once it is known; enables clock_uptime_ns() and delay_us(). */
void tsc_set_freq(uint64_t hz);
/* TSC frequency from CPUID leaf 0x15 (with 0x16 for the crystal), or 0 when not given. */
uint64_t tsc_cpuid_freq(void);
/* CPUID 0x80000007 EDX[8]: the TSC runs at a constant rate in all P/C-states. */
bool tsc_invariant(void);
unsigned tsc_freq_khz(void);
uint64_t tsc_freq_hz(void);
/* Nanoseconds for a TSC difference (0 before the TSC is calibrated). */
uint64_t tsc_to_ns(uint64_t delta);
/*
 * clock_uptime_ns: nanoseconds since the kernel was entered (boot.S's TSC stamp): from the
 * selected clocksource (pv/clocksource.h) once one is, from the raw TSC before. Any context,
 * any CPU. Returns 0 until the TSC is calibrated.
 */
uint64_t clock_uptime_ns(void);
/*
 * clock_set_source: make clock_uptime_ns() return read_uptime_ns(), which must continue from
 * the value clock_uptime_ns() had at the switch and never go backwards. pv/clocksource.c only.
 */
void clock_set_source(uint64_t (*read_uptime_ns)(void));
/* Busy-wait at least us microseconds (TSC once calibrated, port 0x80 reads before). */
void delay_us(uint64_t us);

/* ---- HPET (hpet.c) ---- */
/* Map the HPET at base, check its period, start its main counter. Returns 0 or -1 (logged). */
int hpet_init(uint64_t base);
bool hpet_present(void);
uint64_t hpet_counter(void);
/* Main counter period in femtoseconds (IA-PC HPET §2.3.4: at most 100 ns). */
uint64_t hpet_period_fs(void);
/* Counter ticks from c0 to c1, modulo the counter's width (32 or 64 bits). */
uint64_t hpet_delta(uint64_t c0, uint64_t c1);

/* ---- PIT channel 2 (pit.c) ---- */
#define PIT_HZ 1193182
/* Start channel 2 counting down count ticks in mode 0, speaker off, gate on. */
void pit_oneshot_start(uint16_t count);
/* True once that count has run out (OUT2, port 0x61 bit 5). */
bool pit_oneshot_done(void);
/* Channel 0 as a free-running down-counter (for machines without port 0x61). */
void pit_ch0_start(void);
uint16_t pit_ch0_read(void);

/* ---- calibration and the tick (timer_calibrate.c, lapic_timer.c) ---- */
/*
 * timer_calibrate: measure the TSC and local-APIC timer frequencies once against the HPET (when
 * the ACPI HPET table exists and works) or PIT channel 2, over ~10 ms; prefer a CPUID-given TSC
 * frequency. Boot CPU, after lapic_init(), interrupts off.
 *   Returns: 0, or -1 when no reference worked (logged; the tick then cannot start).
 */
int timer_calibrate(void);
/*
 * timer_set_known_freq: frequencies the hypervisor states (timing leaf 0x40000010), in Hz; 0 for
 * unknown. With both given, timer_calibrate() measures nothing. Before timer_calibrate().
 */
void timer_set_known_freq(uint64_t tsc_hz, uint64_t lapic_bus_hz);
/* Local-APIC timer input frequency (after the divide-by-16), 0 before calibration. */
uint64_t lapic_timer_freq_hz(void);
/*
 * timer_start: run the local APIC timer: ticks at HZ plus an interrupt for each timer call-out
 * due between ticks — in TSC-deadline mode when CPUID.1:ECX[24] says so, else in one-shot mode
 * (both need the TSC frequency); periodic (ticks only) without it or with `timer=periodic` on
 * the command line; `timer=oneshot` forces one-shot. Boot CPU, after timer_calibrate().
 *   Returns: 0, or -1 (no vector, no calibration; logged).
 */
int timer_start(void);
/*
 * timer_start_ap: start the calling application processor's LAPIC timer at HZ in the boot
 * CPU's mode, from the boot CPU's calibration (nothing is measured again). After timer_start()
 * and processor_cpu_init(), interrupts off. Does nothing when the boot CPU has no tick.
 */
void timer_start_ap(void);
/* Ticks taken on the boot CPU since timer_start(), and periods it skipped (a starved vCPU
 * takes one late tick, not a burst). */
uint64_t timer_ticks(void);
uint64_t timer_ticks_missed(void);
/* "tsc-deadline", "periodic" or "off". */
const char *timer_mode(void);
/*
 * timer_tick: a tick, n periods after the last one (n > 1 when some were missed): count it and
 * run the tick hook. The LAPIC timer's handler calls it, and so does an external tick source
 * (pv/xen_evtchn.c). Interrupt context.
 */
void timer_tick(struct trapframe *tf, uint64_t n);
/*
 * timer_advance_deadline: move *deadline one period on from its last value — on past now when
 * periods were missed, so the schedule never drifts — and return the ticks that passed (>= 1).
 */
uint64_t timer_advance_deadline(uint64_t *deadline, uint64_t period, uint64_t now);
/*
 * timer_start_external: another source (named name, e.g. "xen-virq") drives the tick through
 * timer_tick(); the local APIC timer stays masked. Boot CPU, instead of timer_start().
 */
void timer_start_external(const char *name);
/*
 * timer_callout_rearm: this CPU's earliest timer call-out changed (mach/kern/timer_call.c); in
 * TSC-deadline mode, arm the timer for it when it comes before the next tick. Interrupts off.
 */
void timer_callout_rearm(void);
/* Called on every tick with the interrupted frame, in interrupt context (the scheduler). */
void timer_set_tick_hook(void (*fn)(struct trapframe *tf));

#endif /* _ARCH_X86_64_TIMER_H_ */
