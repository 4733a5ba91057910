/*
 * processor.h — processors and processor sets (XNU osfmk/kern/processor.h): what each CPU runs,
 * its run queue, its timer call-outs, its preemption level and pending ASTs.
 *
 * The one idea: everything a CPU's scheduler touches on a hot path hangs off its processor;
 * pset0 groups the processors that share the default policy.
 * Each CPU finds its own processor through %gs: the GS base points at it and its first word
 * points at itself, so current_processor() is one load.
 * Every online CPU schedules from its own run queue; all run queues are guarded by the one
 * scheduler lock (sched_prim.c), which keeps stealing and placement simple.
 */
#ifndef _MACH_KERN_PROCESSOR_H_
#define _MACH_KERN_PROCESSOR_H_

#include <mach/kern/locks.h>
#include <mach/kern/runq.h>
#include <mach/kern/timer_call.h>

struct thread;

/* AST bits (XNU osfmk/kern/ast.h). */
#define AST_PREEMPT 0x1 /* a higher-priority thread is runnable, or the quantum ran out */
#define AST_QUANTUM 0x2

#define MAX_CPUS 16

struct processor_set {
	const char *ps_name;
	unsigned ps_cpu_count;
	struct processor *ps_cpus[MAX_CPUS];
};

struct processor {
	struct processor *p_self;	/* %gs:0 */
	uint64_t p_kstack_top;		/* %gs:8: where `syscall` enters (user_entry.S) */
	uint64_t p_user_rsp;		/* %gs:16: the user rsp while syscall entry switches */
	unsigned p_cpu;
	volatile bool p_online;		/* this CPU runs kernel code with %gs set */
	struct thread *p_active_thread;
	struct thread *p_idle_thread;
	struct processor_set *p_pset;
	struct run_queue p_runq;	/* guarded by the scheduler lock */
	volatile int p_preempt_level;	/* > 0: no preemption on this CPU */
	volatile uint32_t p_ast;
	lck_spin_t p_timer_lock;
	struct timer_queue p_timers;
	volatile uint64_t p_timer_next;	/* earliest deadline on p_timers (UINT64_MAX: none) */
	uint64_t p_context_switches;
	uint64_t p_idle_ticks, p_busy_ticks;
	uint64_t p_steal_seen_ns;	/* the steal clock at this CPU's last tick */
	uint64_t p_stolen_ns;		/* steal time seen by the ticks (a statistic) */
	bool p_sched_on;		/* takes threads: run queue and idle thread set up */
	uint64_t p_resched_ipis;	/* reschedule IPIs received */
	uint64_t p_kicks;		/* wakeups by a PV kick instead of an IPI (mp_set_kick) */
	volatile bool p_halted;		/* in the idle loop's hlt: a kick wakes it */
	uint64_t p_steals;		/* threads taken from another CPU's run queue */
	uint64_t p_threads_run;		/* switches to a thread other than the idle thread */
};

extern struct processor processor_array[MAX_CPUS];
extern struct processor_set pset0;

/*
 * processor_cpu_init: point this CPU's GS base at processor_array[cpu] and mark it online.
 * Called first thing on each CPU (the boot CPU before anything takes a lock).
 */
void processor_cpu_init(unsigned cpu);

static inline struct processor *
current_processor(void)
{
	struct processor *p;

	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

/* CPUs that schedule threads: processor_array[0 .. n-1]. */
static inline unsigned
processor_count_scheduling(void)
{
	unsigned n = 0;

	while (n < MAX_CPUS && __atomic_load_n(&processor_array[n].p_sched_on, __ATOMIC_ACQUIRE))
		n++;
	return n;
}

/* This CPU's index in processor_array; stable only while preemption is disabled. */
static inline unsigned
current_cpu(void)
{
	unsigned cpu;

	__asm__ volatile("movl %%gs:%c1, %0" : "=r"(cpu) : "i"(offsetof(struct processor, p_cpu)));
	return cpu;
}

/*
 * processor_sched_init: make the calling application processor able to schedule: its context
 * becomes its idle thread, on the stack it booted on (stack_base, KERNEL_STACK_SIZE bytes), its
 * run queue is set up and it joins pset0; from then on threads may be placed on it.
 * After processor_cpu_init() and sched_init(), interrupts off. Panics without memory for the
 * idle thread (boot time).
 */
void processor_sched_init(uintptr_t stack_base);
/*
 * processor_set_steal_source: fn(cpu) gives the nanoseconds the hypervisor has stolen from CPU
 * cpu so far (KVM steal time, pv/kvm.c), or 0 where it is not registered. The tick then charges
 * a time-share thread only for the time it really ran. Boot CPU, before the tick starts.
 */
void processor_set_steal_source(uint64_t (*fn)(unsigned cpu));
/* processor_idle_run: enter this CPU's idle loop for good (interrupts get enabled there). */
__noreturn void processor_idle_run(void);

#endif /* _MACH_KERN_PROCESSOR_H_ */
