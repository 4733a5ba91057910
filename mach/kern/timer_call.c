/*
 * timer_call.c — timer call-outs on each CPU's deadline queue (see timer_call.h), run from the
 * clock tick. Follows XNU osfmk/kern/timer_call.c: enter / cancel / expire, the function
 * called with no lock held.
 *
 * The one idea: a call being run is marked RUNNING, not PENDING, so a cancel racing with the
 * expiry knows it lost and timer_call_cancel_sync() can wait for the function to finish before
 * the owner frees the call.
 * XXX: with SMP every call lives on CPU 0's queue and expires on CPU 0's tick (one lock, no
 * question of which CPU's queue a call is on); per-CPU queues come with per-CPU deadlines.
 */
#include <arch/x86_64/cpu.h>
#include <mach/kern/processor.h>
#include <mach/kern/timer_call.h>

/* The processor whose queue holds every call (see the XXX above). */
static inline struct processor *
timer_call_processor(void)
{
	return &processor_array[0];
}

void
timer_call_setup(timer_call_t call, timer_call_func_t func, void *param0)
{
	memset(call, 0, sizeof(*call));
	queue_init(&call->tc_link);
	call->tc_func = func;
	call->tc_param0 = param0;
}

bool
timer_call_enter(timer_call_t call, uint64_t deadline, void *param1)
{
	struct processor *p = timer_call_processor();
	bool st = lck_spin_lock_irqsave(&p->p_timer_lock);
	bool was = call->tc_state == TIMER_CALL_PENDING;

	if (was)
		timer_queue_remove(call->tc_queue, call);
	call->tc_deadline = deadline;
	call->tc_param1 = param1;
	call->tc_state = TIMER_CALL_PENDING;
	timer_queue_insert(&p->p_timers, call);
	lck_spin_unlock_irqrestore(&p->p_timer_lock, st);
	return was;
}

bool
timer_call_cancel(timer_call_t call)
{
	struct processor *p = timer_call_processor();
	bool st = lck_spin_lock_irqsave(&p->p_timer_lock);
	bool was = call->tc_state == TIMER_CALL_PENDING;

	if (was) {
		timer_queue_remove(call->tc_queue, call);
		call->tc_state = TIMER_CALL_IDLE;
	}
	lck_spin_unlock_irqrestore(&p->p_timer_lock, st);
	return was;
}

bool
timer_call_cancel_sync(timer_call_t call)
{
	bool was = timer_call_cancel(call);

	while (__atomic_load_n(&call->tc_state, __ATOMIC_ACQUIRE) == TIMER_CALL_RUNNING)
		cpu_pause();
	return was;
}

void
timer_call_expire(uint64_t now)
{
	struct processor *p = timer_call_processor();
	struct timer_call *c;
	bool st = lck_spin_lock_irqsave(&p->p_timer_lock);

	while ((c = timer_queue_pop_expired(&p->p_timers, now)) != NULL) {
		c->tc_state = TIMER_CALL_RUNNING;
		lck_spin_unlock_irqrestore(&p->p_timer_lock, st);
		c->tc_func(c->tc_param0, c->tc_param1);
		st = lck_spin_lock_irqsave(&p->p_timer_lock);
		/* The function may have re-armed it. */
		if (c->tc_state == TIMER_CALL_RUNNING)
			__atomic_store_n(&c->tc_state, TIMER_CALL_IDLE, __ATOMIC_RELEASE);
	}
	lck_spin_unlock_irqrestore(&p->p_timer_lock, st);
}

unsigned
timer_call_pending(void)
{
	return timer_call_processor()->p_timers.tq_count;
}
