/*
 * processor.h — processors and processor sets (XNU osfmk/kern/processor.h): what each CPU runs,
 * its run queue, its timer call-outs, its preemption level and pending ASTs.
 *
 * The one idea: everything a CPU's scheduler touches on a hot path hangs off its processor;
 * pset0 groups the processors that share the default policy.
 * XXX: one processor (the boot CPU) until SMP lands; current_processor() then reads %gs.
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

#define MAX_CPUS 1

struct processor_set {
	const char *ps_name;
	unsigned ps_cpu_count;
	struct processor *ps_cpus[MAX_CPUS];
};

struct processor {
	unsigned p_cpu;
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

static inline struct processor *
current_processor(void)
{
	return &processor_array[0];
}

#endif /* _MACH_KERN_PROCESSOR_H_ */
