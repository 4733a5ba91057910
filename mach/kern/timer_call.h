/*
 * timer_call.h — timer call-outs: run a function at a deadline (XNU osfmk/kern/timer_call.h).
 *
 * The one idea: each CPU keeps its pending calls in one queue sorted by deadline, so the tick
 * only looks at the head; equal deadlines run in the order they were entered. Calls run in
 * interrupt context from the CPU's timer interrupt, with no lock held: at their deadline with a
 * TSC-deadline timer, else at the next tick (10 ms granularity).
 *
 * The queue half (timer_queue_*) is portable and unit-tested; the rest is the kernel's.
 */
#ifndef _MACH_KERN_TIMER_CALL_H_
#define _MACH_KERN_TIMER_CALL_H_

#include <mach/kern/queue.h>

typedef void (*timer_call_func_t)(void *param0, void *param1);

enum timer_call_state {
	TIMER_CALL_IDLE = 0,
	TIMER_CALL_PENDING,  /* on a queue */
	TIMER_CALL_RUNNING,  /* taken off by the expiry, function running */
};

typedef struct timer_call {
	queue_chain_t tc_link;
	uint64_t tc_deadline; /* clock_uptime_ns() */
	timer_call_func_t tc_func;
	void *tc_param0;
	void *tc_param1;
	volatile int tc_state;
	struct timer_queue *tc_queue;
	struct processor *tc_proc; /* whose queue and lock it belongs to (CPU 0's after setup) */
} *timer_call_t;

struct timer_queue {
	queue_head_t tq_head;
	unsigned tq_count;
};

/* ---- portable queue (timer_queue.c); the caller holds the queue's lock ---- */
void timer_queue_init(struct timer_queue *q);
/* Insert call in deadline order, after any with the same deadline. */
void timer_queue_insert(struct timer_queue *q, struct timer_call *call);
void timer_queue_remove(struct timer_queue *q, struct timer_call *call);
/* Remove and return the earliest call if its deadline <= now, else NULL. */
struct timer_call *timer_queue_pop_expired(struct timer_queue *q, uint64_t now);
/* The earliest deadline, or UINT64_MAX when empty. */
uint64_t timer_queue_earliest(const struct timer_queue *q);

/* ---- kernel interface (timer_call.c) ---- */
/* Prepare call to run func(param0, param1); param1 is given at each timer_call_enter. */
void timer_call_setup(timer_call_t call, timer_call_func_t func, void *param0);
/*
 * timer_call_enter: arm call for deadline (clock_uptime_ns) on the current CPU's queue; an armed
 * call is moved. Any context.
 *   Locks:   takes the timer queue lock (irqsave).
 *   Returns: true when the call was already pending (and is now re-armed).
 */
bool timer_call_enter(timer_call_t call, uint64_t deadline, void *param1);
/*
 * timer_call_cancel: take call off its queue. Returns true when it was pending. A call whose
 * function is running at the moment is not waited for; timer_call_cancel_sync() waits.
 */
bool timer_call_cancel(timer_call_t call);
/* timer_call_cancel, then wait until the function is not running (never from the call itself). */
bool timer_call_cancel_sync(timer_call_t call);
/* Run the calls due on this CPU; cheap when none is (no lock). Every CPU's tick calls it. */
void timer_call_expire(uint64_t now);
/* Pending calls on this CPU's queue (for tests and the shell). */
unsigned timer_call_pending(void);

#endif /* _MACH_KERN_TIMER_CALL_H_ */
