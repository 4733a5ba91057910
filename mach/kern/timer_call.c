/*
 * timer_call.c — timer call-outs on each CPU's deadline queue (see timer_call.h), run from that
 * CPU's clock tick. Follows XNU osfmk/kern/timer_call.c: enter / cancel / expire, the function
 * called with no lock held.
 *
 * The one idea: a call belongs to the processor named by tc_proc, and every change of its state
 * happens under that processor's timer lock; moving it to another CPU's queue takes both
 * locks (lower CPU number first), so whoever holds the owner's lock sees a consistent call.
 * A call being run is marked RUNNING, not PENDING, so a cancel racing with the expiry knows it
 * lost and timer_call_cancel_sync() can wait for the function to finish before the owner frees
 * the call. Each queue publishes its earliest deadline (p_timer_next), so an idle CPU's tick
 * can tell without a lock that nothing is due, and the timer can be armed for a call due
 * before the next tick (timer_callout_rearm).
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/timer.h>
#include <mach/kern/processor.h>
#include <mach/kern/timer_call.h>

/* The queue a call entered now goes on: this CPU's, once it schedules (CPU 0's before). */
static struct processor *
timer_call_here(void)
{
	struct processor *p = current_processor();

	return p->p_sched_on ? p : &processor_array[0];
}

static void
timer_call_publish(struct processor *p)
{
	__atomic_store_n(&p->p_timer_next, timer_queue_earliest(&p->p_timers), __ATOMIC_RELEASE);
}

/*
 * Lock the processor that owns call (and also `also`, when not NULL), in CPU order; returns
 * the owner, which may be `also`. Interrupts are off on return.
 */
static struct processor *
timer_call_lock(timer_call_t call, struct processor *also, bool *st)
{
	for (;;) {
		struct processor *own = __atomic_load_n(&call->tc_proc, __ATOMIC_ACQUIRE);
		struct processor *a = own, *b = also;

		if (a == NULL || a == b)
			a = b, b = NULL;
		if (a != NULL && b != NULL && b->p_cpu < a->p_cpu) {
			struct processor *t = a;

			a = b, b = t;
		}
		*st = intr_save();
		if (a != NULL)
			lck_spin_lock(&a->p_timer_lock);
		if (b != NULL)
			lck_spin_lock(&b->p_timer_lock);
		if (__atomic_load_n(&call->tc_proc, __ATOMIC_RELAXED) == own)
			return own;
		/* Moved while we waited: let go and try again. */
		if (b != NULL)
			lck_spin_unlock(&b->p_timer_lock);
		if (a != NULL)
			lck_spin_unlock(&a->p_timer_lock);
		intr_restore(*st);
	}
}

static void
timer_call_unlock(struct processor *own, struct processor *also, bool st)
{
	if (also != NULL && also != own)
		lck_spin_unlock(&also->p_timer_lock);
	if (own != NULL)
		lck_spin_unlock(&own->p_timer_lock);
	intr_restore(st);
}

void
timer_call_setup(timer_call_t call, timer_call_func_t func, void *param0)
{
	memset(call, 0, sizeof(*call));
	queue_init(&call->tc_link);
	call->tc_func = func;
	call->tc_param0 = param0;
	/* A call always has an owner whose lock orders its changes, even before its first
	 * enter: two CPUs entering a new call at once must not both take it as theirs. */
	call->tc_proc = &processor_array[0];
}

bool
timer_call_enter(timer_call_t call, uint64_t deadline, void *param1)
{
	struct processor *here = timer_call_here(), *own;
	bool st, was;

	own = timer_call_lock(call, here, &st);
	was = call->tc_state == TIMER_CALL_PENDING;
	if (was) {
		timer_queue_remove(call->tc_queue, call);
		timer_call_publish(own);
	}
	call->tc_deadline = deadline;
	call->tc_param1 = param1;
	call->tc_state = TIMER_CALL_PENDING;
	timer_queue_insert(&here->p_timers, call);
	__atomic_store_n(&call->tc_proc, here, __ATOMIC_RELEASE);
	timer_call_publish(here);
	if (here == current_processor() && here->p_timers.tq_count != 0 &&
	    timer_queue_earliest(&here->p_timers) == deadline)
		timer_callout_rearm(); /* it is now the first: maybe before the next tick */
	timer_call_unlock(own, here, st);
	return was;
}

bool
timer_call_cancel(timer_call_t call)
{
	struct processor *own;
	bool st, was;

	own = timer_call_lock(call, NULL, &st);
	was = call->tc_state == TIMER_CALL_PENDING;
	if (was) {
		timer_queue_remove(call->tc_queue, call);
		call->tc_state = TIMER_CALL_IDLE;
		timer_call_publish(own);
	}
	timer_call_unlock(own, NULL, st);
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
	struct processor *p = current_processor();
	struct timer_call *c;
	bool st;

	if (!p->p_sched_on || __atomic_load_n(&p->p_timer_next, __ATOMIC_ACQUIRE) > now)
		return;
	st = lck_spin_lock_irqsave(&p->p_timer_lock);
	while ((c = timer_queue_pop_expired(&p->p_timers, now)) != NULL) {
		c->tc_state = TIMER_CALL_RUNNING;
		timer_call_publish(p);
		lck_spin_unlock_irqrestore(&p->p_timer_lock, st);
		c->tc_func(c->tc_param0, c->tc_param1);
		st = lck_spin_lock_irqsave(&p->p_timer_lock);
		/* The function (or another CPU) may have re-armed it; a call moved to another
		 * queue was moved under this lock too, so its state here is current. */
		if (c->tc_proc == p && c->tc_state == TIMER_CALL_RUNNING)
			__atomic_store_n(&c->tc_state, TIMER_CALL_IDLE, __ATOMIC_RELEASE);
	}
	timer_call_publish(p);
	lck_spin_unlock_irqrestore(&p->p_timer_lock, st);
}

unsigned
timer_call_pending(void)
{
	return timer_call_here()->p_timers.tq_count;
}
