/*
 * locks.h — spin locks (lck_spin_*), sleeping mutexes (lck_mtx_*) and read-write locks
 * (lck_rw_*), after XNU's osfmk/kern/locks.h.
 *
 * A spin lock disables preemption while held (a thread holding one is never switched out, so
 * nobody spins on a lock whose owner is off CPU); the _irqsave forms also disable interrupts,
 * so an interrupt handler that takes the same lock cannot deadlock against the code it
 * interrupted. Mutexes and read-write locks sleep (locks.c): never take them with a spin lock
 * held or in interrupt context. Hosted builds (unit tests) are single-threaded and use the same
 * atomic code without preemption or the interrupt flag.
 */
#ifndef _MACH_KERN_LOCKS_H_
#define _MACH_KERN_LOCKS_H_

#include <libkern/libkern.h>
#ifndef NIMBUS_HOSTED
#include <arch/x86_64/cpu.h>
/* sched_prim.c: the per-CPU preemption level; at 0 a pending preemption is taken. */
void _disable_preemption(void);
void _enable_preemption(void);
#define LCK_PREEMPT_DISABLE() _disable_preemption()
#define LCK_PREEMPT_ENABLE()  _enable_preemption()
#else
#define LCK_PREEMPT_DISABLE() ((void)0)
#define LCK_PREEMPT_ENABLE()  ((void)0)
#endif

typedef struct {
	volatile uint32_t ls_locked;
} lck_spin_t;

#define LCK_SPIN_INITIALIZER { 0 }

static inline void
lck_spin_init(lck_spin_t *l)
{
	l->ls_locked = 0;
}

static inline void
lck_spin_lock(lck_spin_t *l)
{
	LCK_PREEMPT_DISABLE();
	while (__atomic_exchange_n(&l->ls_locked, 1, __ATOMIC_ACQUIRE) != 0) {
		while (__atomic_load_n(&l->ls_locked, __ATOMIC_RELAXED) != 0) {
#ifndef NIMBUS_HOSTED
			cpu_pause();
#endif
		}
	}
}

static inline bool
lck_spin_try_lock(lck_spin_t *l)
{
	LCK_PREEMPT_DISABLE();
	if (__atomic_exchange_n(&l->ls_locked, 1, __ATOMIC_ACQUIRE) == 0)
		return true;
	LCK_PREEMPT_ENABLE();
	return false;
}

static inline void
lck_spin_unlock(lck_spin_t *l)
{
	__atomic_store_n(&l->ls_locked, 0, __ATOMIC_RELEASE);
	LCK_PREEMPT_ENABLE();
}

static inline bool
lck_spin_held(const lck_spin_t *l)
{
	return l->ls_locked != 0;
}

static inline bool
lck_spin_lock_irqsave(lck_spin_t *l)
{
#ifndef NIMBUS_HOSTED
	bool s = intr_save();
#else
	bool s = false;
#endif
	lck_spin_lock(l);
	return s;
}

/* Interrupts come back before preemption is re-enabled, so a pending preemption is taken. */
static inline void
lck_spin_unlock_irqrestore(lck_spin_t *l, bool s)
{
	__atomic_store_n(&l->ls_locked, 0, __ATOMIC_RELEASE);
#ifndef NIMBUS_HOSTED
	intr_restore(s);
#else
	(void)s;
#endif
	LCK_PREEMPT_ENABLE();
}

/*
 * Sleeping locks (locks.c). Kernel only.
 */
struct thread;

typedef struct {
	struct thread *volatile lm_owner;
	uint32_t lm_waiters; /* under the scheduler lock */
	const char *lm_name;
} lck_mtx_t;

#define LCK_MTX_INITIALIZER(name) { NULL, 0, name }

typedef struct {
	struct thread *lrw_writer;
	uint32_t lrw_readers;
	uint32_t lrw_writers_waiting;
	const char *lrw_name;
} lck_rw_t;

#define LCK_RW_INITIALIZER(name) { NULL, 0, 0, name }

/* Times a thread slept on a mutex since boot (contention statistics). */
extern uint64_t lck_mtx_sleeps;

void lck_mtx_init(lck_mtx_t *m, const char *name);
/*
 * lck_mtx_lock: take m, sleeping while another thread holds it. While this thread waits, the
 * owner runs at no less than this thread's priority (priority inheritance).
 *   Locks:   no spin lock held, not in interrupt context; m not held by the caller (panic).
 */
void lck_mtx_lock(lck_mtx_t *m);
bool lck_mtx_try_lock(lck_mtx_t *m);
/* lck_mtx_unlock: release m (held by the caller, else panic) and wake one waiter. */
void lck_mtx_unlock(lck_mtx_t *m);

#define LCK_MTX_ASSERT_OWNED	1
#define LCK_MTX_ASSERT_NOTOWNED 2
/* Panic unless m is (LCK_MTX_ASSERT_OWNED) or is not (_NOTOWNED) held by the caller. */
void lck_mtx_assert(lck_mtx_t *m, unsigned type);

void lck_rw_init(lck_rw_t *l, const char *name);
/* Shared: many readers; writers waiting go first (no writer starvation). Same rules as mutexes. */
void lck_rw_lock_shared(lck_rw_t *l);
void lck_rw_lock_exclusive(lck_rw_t *l);
/* Release whichever way the caller holds l. */
void lck_rw_done(lck_rw_t *l);

#endif /* _MACH_KERN_LOCKS_H_ */
