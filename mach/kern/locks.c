/*
 * locks.c — sleeping mutexes and read-write locks (XNU osfmk/kern/locks.c, lck_mtx / lck_rw).
 *
 * The one idea: the slow paths run under the scheduler lock, so "the lock is busy, so I wait"
 * and "I release the lock, so I wake a waiter" are atomic with respect to each other and no
 * wakeup is lost; the uncontended mutex acquire is a single compare-and-swap.
 * Priority inheritance: a waiter raises the owner's priority floor to its own; the owner drops
 * the floor when it releases the mutex.
 * XXX: the floor is per thread, not per mutex: a thread holding two contended mutexes loses the
 * boost of the first when it releases the second.
 */
#include <mach/kern/thread.h>
#include <panic.h>

wait_result_t assert_wait_locked(event_t event, wait_interrupt_t interruptible,
				 uint64_t deadline);

uint64_t lck_mtx_sleeps;

void
lck_mtx_init(lck_mtx_t *m, const char *name)
{
	m->lm_owner = NULL;
	m->lm_waiters = 0;
	m->lm_name = name;
}

static bool
mtx_try(lck_mtx_t *m, thread_t self)
{
	thread_t expect = NULL;

	return __atomic_compare_exchange_n(&m->lm_owner, &expect, self, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

bool
lck_mtx_try_lock(lck_mtx_t *m)
{
	return mtx_try(m, current_thread());
}

void
lck_mtx_lock(lck_mtx_t *m)
{
	thread_t self = current_thread();

	if (self == NULL)
		panic("lck_mtx_lock: %s taken before the scheduler runs", m->lm_name);
	if (mtx_try(m, self))
		return;
	if (m->lm_owner == self)
		panic("lck_mtx_lock: %s already held by thread %llu", m->lm_name,
		      (unsigned long long)self->th_id);
	for (;;) {
		bool s = sched_lock();
		thread_t owner;

		if (mtx_try(m, self)) {
			sched_unlock(s);
			return;
		}
		owner = m->lm_owner;
		if (owner->th_sched_pri < self->th_sched_pri) {
			owner->th_promoted_pri = self->th_sched_pri;
			thread_recompute_pri_locked(owner);
		}
		m->lm_waiters++;
		lck_mtx_sleeps++;
		assert_wait_locked((event_t)m, THREAD_UNINT, 0);
		sched_unlock(s);
		thread_block(NULL);
	}
}

void
lck_mtx_unlock(lck_mtx_t *m)
{
	thread_t self = current_thread();
	struct processor *p;
	bool s;

	if (m->lm_owner != self)
		panic("lck_mtx_unlock: %s not held by thread %llu", m->lm_name,
		      (unsigned long long)self->th_id);
	s = sched_lock();
	p = current_processor(); /* the lock keeps this thread here */
	__atomic_store_n(&m->lm_owner, NULL, __ATOMIC_RELEASE);
	if (m->lm_waiters != 0) {
		m->lm_waiters--;
		(void)thread_wakeup_prim_locked((event_t)m, true, THREAD_AWAKENED);
	}
	if (self->th_promoted_pri != 0) {
		self->th_promoted_pri = 0;
		thread_recompute_pri_locked(self);
		if (runq_highest(&p->p_runq) > self->th_sched_pri)
			p->p_ast |= AST_PREEMPT;
	}
	sched_unlock(s);
}

void
lck_mtx_assert(lck_mtx_t *m, unsigned type)
{
	bool owned = m->lm_owner == current_thread();

	if (type == LCK_MTX_ASSERT_OWNED && !owned)
		panic("lck_mtx_assert: %s not owned by the current thread", m->lm_name);
	if (type == LCK_MTX_ASSERT_NOTOWNED && owned)
		panic("lck_mtx_assert: %s owned by the current thread", m->lm_name);
}

void
lck_rw_init(lck_rw_t *l, const char *name)
{
	l->lrw_writer = NULL;
	l->lrw_readers = 0;
	l->lrw_writers_waiting = 0;
	l->lrw_name = name;
}

void
lck_rw_lock_shared(lck_rw_t *l)
{
	bool s = sched_lock();

	while (l->lrw_writer != NULL || l->lrw_writers_waiting != 0) {
		assert_wait_locked((event_t)l, THREAD_UNINT, 0);
		sched_unlock(s);
		thread_block(NULL);
		s = sched_lock();
	}
	l->lrw_readers++;
	sched_unlock(s);
}

void
lck_rw_lock_exclusive(lck_rw_t *l)
{
	thread_t self = current_thread();
	bool s = sched_lock();

	if (l->lrw_writer == self)
		panic("lck_rw_lock_exclusive: %s already held", l->lrw_name);
	l->lrw_writers_waiting++;
	while (l->lrw_writer != NULL || l->lrw_readers != 0) {
		assert_wait_locked((event_t)l, THREAD_UNINT, 0);
		sched_unlock(s);
		thread_block(NULL);
		s = sched_lock();
	}
	l->lrw_writers_waiting--;
	l->lrw_writer = self;
	sched_unlock(s);
}

void
lck_rw_done(lck_rw_t *l)
{
	bool s = sched_lock();

	if (l->lrw_writer != NULL) {
		if (l->lrw_writer != current_thread())
			panic("lck_rw_done: %s held exclusively by another thread", l->lrw_name);
		l->lrw_writer = NULL;
	} else if (l->lrw_readers != 0) {
		l->lrw_readers--;
	} else {
		panic("lck_rw_done: %s not held", l->lrw_name);
	}
	if (l->lrw_writer == NULL && l->lrw_readers == 0)
		(void)thread_wakeup_prim_locked((event_t)l, false, THREAD_AWAKENED);
	sched_unlock(s);
}
