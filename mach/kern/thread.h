/*
 * thread.h — Mach threads and the scheduling primitives (XNU osfmk/kern/thread.h,
 * sched_prim.h): creation, termination, blocking with continuations, waiting on events.
 *
 * The one idea (Mach 3, Draves et al. 1991): a thread that blocks with a continuation gives its
 * kernel stack away and later resumes by calling the continuation on whatever stack it gets;
 * a thread that blocks without one keeps its stack and returns from thread_block().
 *
 * Locking: one scheduler lock (irqsave) covers thread state, run queues and wait queues.
 * XXX: a global lock is fine for one CPU; SMP wants per-processor run-queue locks.
 */
#ifndef _MACH_KERN_THREAD_H_
#define _MACH_KERN_THREAD_H_

#include <mach/kern/kern_return.h>
#include <mach/kern/processor.h>
#include <mach/kern/queue.h>
#include <mach/kern/sched.h>
#include <mach/kern/timer_call.h>

struct task;
struct ipc_port;
struct exception_action;

typedef struct thread *thread_t;
typedef void *event_t;
typedef int wait_result_t;
typedef int wait_interrupt_t;
typedef void (*thread_continue_t)(void *parameter, wait_result_t wresult);

#define THREAD_NULL ((thread_t)0)
#define NO_EVENT    ((event_t)0)

/* wait_result_t */
#define THREAD_WAITING	   (-1)
#define THREAD_AWAKENED	   0
#define THREAD_TIMED_OUT   1
#define THREAD_INTERRUPTED 2
#define THREAD_RESTART	   3

/* wait_interrupt_t */
#define THREAD_UNINT	    0
#define THREAD_INTERRUPTIBLE 1

/* th_state */
#define TH_WAIT	     0x01 /* waiting on an event */
#define TH_RUN	     0x04 /* running or on a run queue */
#define TH_UNINT     0x08 /* the wait may not be interrupted */
#define TH_TERMINATE 0x10 /* terminating: the reaper frees it */
#define TH_IDLE	     0x80 /* the idle thread */

#define KERNEL_STACK_SIZE (16 * 1024)

struct machine_thread {
	uint64_t mt_rsp; /* saved by machine_switch(); valid while the thread is off CPU */
	/* User threads only (kernel/arch/x86_64/user_machdep.c): */
	uint64_t mt_fsbase;	 /* FS base (arch_prctl), loaded when the thread is switched in */
	void *mt_fpu;		 /* 512-byte FXSAVE area; NULL for kernel threads */
};

struct thread {
	queue_chain_t th_link;	     /* run queue or reaper queue */
	queue_chain_t th_wait_link;  /* wait queue (event hash bucket) while TH_WAIT */
	queue_chain_t th_task_link;  /* task's thread list */
	queue_chain_t th_all_link;   /* all threads, for the shell */
	struct machine_thread th_machine;
	vaddr_t th_kstack;	     /* base of the kernel stack, 0 while it has none */
	bool th_boot_stack;	     /* the stack is the boot stack: never freed */

	int th_state;
	int th_runq_pri;	     /* priority it is queued at, -1 when not on a run queue */
	struct processor *th_runq_proc; /* whose run queue it is on (when th_runq_pri >= 0) */
	struct processor *th_last_proc; /* the CPU it last ran on (NULL: never ran) */
	struct processor *th_bound;  /* runs only there (NULL: anywhere); inherited at creation */
	sched_mode_t th_sched_mode;
	sched_mode_t th_saved_mode;  /* real-time thread demoted after an overrun */
	int th_base_pri;
	int th_sched_pri;
	int th_promoted_pri;	     /* priority inheritance floor (0: none) */
	uint32_t th_sched_usage;     /* decayed usage in ticks (time-share) */
	uint64_t th_sched_stamp;     /* decay period last applied */
	uint64_t th_charge_carry_ns; /* run time not yet charged as a whole tick of usage */
	uint64_t th_rt_period, th_rt_computation, th_rt_constraint; /* ns */
	uint64_t th_rt_start;	     /* when it was last dispatched (real-time accounting) */
	uint64_t th_rt_overruns;

	thread_continue_t th_continuation;
	void *th_parameter;

	event_t th_wait_event;
	wait_result_t th_wait_result;
	uint64_t th_wait_seq;	     /* bumped at each assert_wait: stale timeouts are ignored */
	struct timer_call th_wait_timer;

	struct task *th_task;
	struct vm_map *th_map;	     /* the map a kernel thread switched to (vm_map_switch), or NULL */
	void *th_uthread;	     /* the BSD uthread of a user thread (bsd/kern/proc.h), or NULL */
	struct ipc_port *th_self;    /* its thread port, made on first use (ipc_tt.c) */
	struct exception_action *th_exc_actions; /* its exception ports (exception.c) */
	uint32_t th_suspend_count;   /* thread_suspend - thread_resume (thread_act.c) */
	uint32_t th_ref;
	uint64_t th_id;
	uint64_t th_ticks;	     /* ticks charged */
	uint64_t th_switches;	     /* times switched to */
	uint32_t th_switch_reason;   /* AST bits it was switched out for */
	char th_name[24];
};

/* ---- threads (thread.c) ---- */
/*
 * kernel_thread_start: create a kernel_task thread that calls continuation(parameter,
 * THREAD_AWAKENED) at priority BASEPRI_KERNEL (fixed) and make it runnable. Returning from the
 * continuation terminates it.
 *   Refs:    *new_thread carries a reference for the caller (drop it with thread_deallocate).
 *   Returns: KERN_SUCCESS, KERN_RESOURCE_SHORTAGE (no thread or stack memory).
 */
kern_return_t kernel_thread_start(thread_continue_t continuation, void *parameter,
				  thread_t *new_thread);
/* kernel_thread_start at priority pri (0..MAXPRI_KERNEL) and mode, before it first runs. */
kern_return_t kernel_thread_start_priority(thread_continue_t continuation, void *parameter,
					   int pri, sched_mode_t mode, thread_t *new_thread);
/*
 * thread_create_in_task: a new thread of task (which it references) that will call
 * continuation(parameter, THREAD_AWAKENED) at pri (time-share) once thread_start() makes it
 * runnable. For the BSD layer's user threads.
 *   Refs:    *new_thread carries a reference for the caller.
 *   Returns: KERN_SUCCESS, KERN_RESOURCE_SHORTAGE.
 */
kern_return_t thread_create_in_task(struct task *task, thread_continue_t continuation,
				    void *parameter, int pri, thread_t *new_thread);
/* thread_start: make a thread from thread_create_in_task runnable (once). */
void thread_start(thread_t thread);
void thread_reference(thread_t thread);
void thread_deallocate(thread_t thread);
/*
 * thread_terminate: terminate thread. Only the current thread can be terminated today
 * (XXX: others need an AST to stop them at a safe point).
 *   Returns: never for the current thread; KERN_FAILURE for another.
 */
kern_return_t thread_terminate(thread_t thread);
__noreturn void thread_terminate_self(void);
void thread_set_name(thread_t thread, const char *name);
/* Threads that exist (for the zone-leak tests) and the per-thread walk for the shell. */
unsigned thread_count(void);
void thread_print_all(void);

/* ---- kernel stacks (kstack.c) ---- */
/* Stacks on threads, stacks in the cache, stacks ever made. */
void kstack_counts(uint64_t *in_use, uint64_t *cached, uint64_t *total);

/* ---- scheduling (sched_prim.c) ---- */
/* Boot: make the running boot context thread 0 of kernel_task, start idle and reaper threads. */
void sched_init(void);
thread_t current_thread(void);
/*
 * thread_block: give up the CPU. A thread with an asserted wait sleeps until woken; one without
 * yields to an equal or higher runnable thread. With a continuation the call never returns:
 * the thread resumes in continuation(parameter, wait result) on a fresh stack.
 *   Locks:   none held (no spin lock: preemption must be enabled).
 *   Returns: the wait result (THREAD_AWAKENED, _TIMED_OUT, _INTERRUPTED, _RESTART).
 */
wait_result_t thread_block(thread_continue_t continuation);
wait_result_t thread_block_parameter(thread_continue_t continuation, void *parameter);
/*
 * assert_wait: declare that the current thread will wait for event; the caller then calls
 * thread_block(). A wakeup between the two is not lost: thread_block then does not sleep.
 *   Returns: THREAD_WAITING.
 */
wait_result_t assert_wait(event_t event, wait_interrupt_t interruptible);
/* assert_wait, timing out (THREAD_TIMED_OUT) at deadline (clock_uptime_ns). */
wait_result_t assert_wait_deadline(event_t event, wait_interrupt_t interruptible,
				   uint64_t deadline);
/* Wake every / one thread waiting on event with result. Returns how many woke. Any context. */
unsigned thread_wakeup_prim(event_t event, bool one, wait_result_t result);
#define thread_wakeup(e)     thread_wakeup_prim((e), false, THREAD_AWAKENED)
#define thread_wakeup_one(e) thread_wakeup_prim((e), true, THREAD_AWAKENED)
/*
 * clear_wait: end thread's wait (whatever it waits for) with result.
 *   Returns: KERN_SUCCESS, KERN_NOT_WAITING (it was not waiting).
 */
kern_return_t clear_wait(thread_t thread, wait_result_t result);
/*
 * thread_interrupt: end an interruptible wait with THREAD_INTERRUPTED.
 *   Returns: KERN_SUCCESS, KERN_NOT_WAITING, KERN_FAILURE (the wait is uninterruptible).
 */
kern_return_t thread_interrupt(thread_t thread);
/* Sleep for ns nanoseconds (uninterruptibly). */
void thread_sleep_ns(uint64_t ns);
/* Give the CPU to another thread of equal or higher priority, if any. */
void thread_yield(void);
/*
 * thread_set_sched: change thread's policy: TH_MODE_FIXED or _TIMESHARE at base pri, or
 * _REALTIME with period/computation/constraint in ns (pri ignored; BASEPRI_RTQUEUES).
 *   Returns: KERN_SUCCESS, KERN_INVALID_ARGUMENT (pri out of range, inadmissible RT request).
 */
kern_return_t thread_set_sched(thread_t thread, sched_mode_t mode, int pri, uint64_t period,
			       uint64_t computation, uint64_t constraint);
/* Context switches on this CPU since boot. */
uint64_t sched_context_switches(void);
/* Context switches on all CPUs since boot. */
uint64_t sched_context_switches_all(void);
/*
 * thread_bind: make the current thread run only on processor p (NULL: on any CPU), moving it
 * there before returning. Threads it creates from then on inherit the binding.
 *   Locks:   none held (it may block). Returns: the previous binding.
 */
struct processor *thread_bind(struct processor *p);

/* Preemption (sched_prim.c); spin locks call these. */
void _disable_preemption(void);
void _enable_preemption(void);
/* From the end of interrupt dispatch: preempt if an AST is pending and the frame allows. */
struct trapframe;
void ast_taken_intr(struct trapframe *tf);

/* Scheduler-lock internals shared by sched_prim.c, thread.c and locks.c. */
bool sched_lock(void);
void sched_unlock(bool s);
void thread_setrun_locked(thread_t thread, bool head);
unsigned thread_wakeup_prim_locked(event_t event, bool one, wait_result_t result);
void thread_recompute_pri_locked(thread_t thread);
/*
 * machine_thread_switch: the machine state that follows a thread but not its kernel stack (the
 * address space, the user FS base, the FPU registers, the kernel stack a ring-3 trap enters on),
 * called by thread_invoke with the scheduler lock held just before new runs on this CPU.
 * Provided by kernel/arch/x86_64/user_machdep.c.
 */
void machine_thread_switch(thread_t old, thread_t new);
/* Machine: switch.S. */
thread_t machine_switch(thread_t old, uint64_t *save_rsp, uint64_t new_rsp);
__noreturn void machine_call_continuation(thread_continue_t fn, void *param,
					  wait_result_t wresult, vaddr_t stack_top);
void machine_thread_trampoline(void);

/* Stack helpers (kstack.c). */
vaddr_t kstack_alloc(void);
void kstack_free(vaddr_t stack);
/* Reserve one stack for a new thread (so a resuming continuation always finds one). */
bool kstack_reserve(void);
void kstack_unreserve(void);

#endif /* _MACH_KERN_THREAD_H_ */
