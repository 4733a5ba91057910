/*
 * processor.h — processors and processor sets (XNU osfmk/kern/processor.h): what each CPU runs,
 * its run queue, its timer call-outs, its preemption level and pending ASTs.
 *
 * The one idea: everything a CPU's scheduler touches on a hot path hangs off its processor;
 * pset0 groups the processors that share the default policy.
 * Each CPU finds its own processor through %gs: the GS base points at it and its first word
 * points at itself, so current_processor() is one load.
 * XXX: only the boot CPU schedules; the application processors have a processor (for %gs)
 * but stay parked (kernel/arch/x86_64/mp.c).
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
	uint64_t p_context_switches;
	uint64_t p_idle_ticks, p_busy_ticks;
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

#endif /* _MACH_KERN_PROCESSOR_H_ */
