/*
 * locks.h — spin locks (lck_spin_*, after XNU's lck_spin_t). The scheduler issue adds mutexes
 * and read-write locks beside them.
 *
 * The _irqsave forms disable interrupts on the local CPU for the time the lock is held, so an
 * interrupt handler that takes the same lock cannot deadlock against the code it interrupted.
 * Hosted builds (unit tests) are single-threaded and use the same atomic code without the
 * interrupt flag.
 */
#ifndef _MACH_KERN_LOCKS_H_
#define _MACH_KERN_LOCKS_H_

#include <libkern/libkern.h>
#ifndef NIMBUS_HOSTED
#include <arch/x86_64/cpu.h>
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
	return __atomic_exchange_n(&l->ls_locked, 1, __ATOMIC_ACQUIRE) == 0;
}

static inline void
lck_spin_unlock(lck_spin_t *l)
{
	__atomic_store_n(&l->ls_locked, 0, __ATOMIC_RELEASE);
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

static inline void
lck_spin_unlock_irqrestore(lck_spin_t *l, bool s)
{
	lck_spin_unlock(l);
#ifndef NIMBUS_HOSTED
	intr_restore(s);
#else
	(void)s;
#endif
}

#endif /* _MACH_KERN_LOCKS_H_ */
