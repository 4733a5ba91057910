/*
 * sched.h — scheduling constants and the portable scheduling arithmetic: XNU's 128 priority
 * bands (osfmk/kern/sched.h), the quantum, and the time-share priority computation.
 *
 * The one idea: a time-share thread's priority is its base priority less its recent CPU usage,
 * and that usage decays geometrically by 5/8 every decay period (XNU's sched_decay_shifts), so a
 * thread that spins sinks below threads that sleep and climbs back when it stops.
 */
#ifndef _MACH_KERN_SCHED_H_
#define _MACH_KERN_SCHED_H_

#include <libkern/libkern.h>

#define NRQS		128
#define MAXPRI		(NRQS - 1)
#define MINPRI		0
#define IDLEPRI		MINPRI
#define BASEPRI_RTQUEUES (BASEPRI_REALTIME + 1)		/* 97 */
#define BASEPRI_REALTIME (MAXPRI - (NRQS / 4) + 1)	/* 96 */
#define MAXPRI_KERNEL	(BASEPRI_REALTIME - 1)		/* 95 */
#define BASEPRI_PREEMPT (MAXPRI_KERNEL - 2)		/* 93 */
#define MINPRI_KERNEL	(MAXPRI_KERNEL - (NRQS / 8) + 1) /* 80 */
#define BASEPRI_KERNEL	(MINPRI_KERNEL + 1)		/* 81 */
#define MAXPRI_RESERVED (MINPRI_KERNEL - 1)		/* 79 */
#define MINPRI_RESERVED (MAXPRI_RESERVED - (NRQS / 8) + 1) /* 64 */
#define MAXPRI_USER	(MINPRI_RESERVED - 1)		/* 63 */
#define BASEPRI_DEFAULT (MAXPRI_USER - (NRQS / 4))	/* 31 */
#define MAXPRI_THROTTLE (MINPRI + 4)			/* 4 */

/* Scheduling modes (XNU's sched_mode_t). */
typedef enum {
	TH_MODE_NONE = 0,
	TH_MODE_REALTIME,  /* time-constraint: period, computation, constraint */
	TH_MODE_FIXED,	   /* fixed priority, round-robin among equals */
	TH_MODE_TIMESHARE, /* priority decays with CPU usage */
} sched_mode_t;

/* The quantum is one tick: 10 ms at HZ = 100. */
#define SCHED_QUANTUM_NS 10000000ULL
/* Usage decays by 5/8 every SCHED_DECAY_TICKS ticks (XNU: every sched_tick, 125 ms). */
#define SCHED_DECAY_TICKS 12
/* Ticks of decayed usage per priority level lost. */
#define SCHED_USAGE_SHIFT 1
/* Past this many decay periods usage is zero whatever it was (5/8^32 * 2^32 < 1). */
#define SCHED_DECAY_MAX 32

/*
 * sched_decay_usage: usage after `periods` decay periods of multiplying by 5/8.
 * Portable, pure.
 */
uint32_t sched_decay_usage(uint32_t usage, uint64_t periods);

/*
 * sched_timeshare_pri: the priority of a time-share thread with base priority base and decayed
 * usage usage (in ticks): base - (usage >> SCHED_USAGE_SHIFT), never below MINPRI + 1 (the idle
 * priority stays the idle thread's) nor above base.
 */
int sched_timeshare_pri(int base, uint32_t usage);
/*
 * sched_charge_ticks: a tick of tick_ns ended in which stolen_ns were stolen by the hypervisor
 * (steal time): add the part the thread really ran to *carry_ns and return the whole ticks of
 * usage that earns (usually 0 or 1), keeping the remainder in *carry_ns. Without steal, every
 * tick is charged exactly one.
 */
uint32_t sched_charge_ticks(uint64_t *carry_ns, uint64_t tick_ns, uint64_t stolen_ns);

/*
 * sched_rt_admissible: whether a time-constraint request is acceptable (XNU's
 * thread_policy_set checks): 0 < computation <= constraint, and constraint <= period when a
 * period is given (period 0: aperiodic). Times in nanoseconds.
 */
bool sched_rt_admissible(uint64_t period, uint64_t computation, uint64_t constraint);

#endif /* _MACH_KERN_SCHED_H_ */
