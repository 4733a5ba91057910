/*
 * kern_futex.c — futex(2) for the Linux x86-64 ABI (Linux kernel/futex, man futex(2)):
 * FUTEX_WAIT, FUTEX_WAKE, FUTEX_REQUEUE, FUTEX_CMP_REQUEUE, FUTEX_WAIT_BITSET and
 * FUTEX_WAKE_BITSET, private or not, with relative or absolute timeouts.
 *
 * The one idea: a waiter puts itself on its hash bucket's queue (and asserts its wait) before
 * it reads the futex word, and a waker takes the same bucket lock to find waiters, so a wake
 * issued after the word changed always finds every waiter that read the old value: no
 * wake-up is lost, and the read itself may fault and sleep (no spin lock is held across it).
 * A waiter that is woken while it finds the value changed returns 0, not EAGAIN, so a wake is
 * never counted for a thread that then does not return from the wait as woken.
 *
 * Keys (Linux get_futex_key): a private futex, or one in memory the process does not share, is
 * (address space, user address); a shared one (FUTEX_PRIVATE_FLAG clear) in a MAP_SHARED
 * mapping (VM_INHERIT_SHARE) is (vm_object, offset), so processes that map the same object at
 * different addresses meet. The key's object is referenced for the length of the call.
 * XXX: FUTEX_WAKE_OP, the PI and robust-list operations are ENOSYS.
 */
#include <arch/x86_64/timer.h>
#include <arch/x86_64/user_machdep.h>
#include <arch/x86_64/usercopy.h>
#include <bsd/kern/futex.h>
#include <bsd/kern/syscall.h>
#include <bsd/sys/errno.h>
#include <console.h>
#include <linux/futex.h>
#include <mach/kern/clock.h>
#include <mach/kern/locks.h>
#include <mach/vm/vm_map.h>

/* The operation numbers and flags come from the Linux UAPI header (linux/futex.h). */

#define FUTEX_BUCKETS 64 /* a power of two */

struct futex_bucket {
	lck_spin_t fb_lock;
	queue_head_t fb_waiters; /* struct futex_waiter.fw_link */
};

/* On the waiter's kernel stack for the length of its wait. */
struct futex_waiter {
	queue_chain_t fw_link;
	struct futex_bucket *fw_bucket; /* the bucket it is queued on (requeue moves it) */
	const void *fw_space;		/* the key (struct futex_key's space and address) */
	uint64_t fw_uaddr;
	uint32_t fw_bitset;
	bool fw_queued;			/* false once a waker took it off */
};

struct futex_key {
	const void *fk_space; /* the map, or the shared object */
	uint64_t fk_addr;     /* the user address, or the offset in the object */
	vm_object_t fk_object; /* referenced while the key is in use, or NULL */
};

static struct futex_bucket futex_table[FUTEX_BUCKETS];
static bool futex_table_ready;
static lck_spin_t futex_init_lock = LCK_SPIN_INITIALIZER;

static struct futex_bucket *
futex_bucket(const void *space, uint64_t uaddr)
{
	uint64_t h = ((uintptr_t)space >> 6) ^ (uaddr >> 2);

	if (!__atomic_load_n(&futex_table_ready, __ATOMIC_ACQUIRE)) {
		bool s = lck_spin_lock_irqsave(&futex_init_lock);

		if (!futex_table_ready) {
			for (unsigned i = 0; i < FUTEX_BUCKETS; i++) {
				lck_spin_init(&futex_table[i].fb_lock);
				queue_init(&futex_table[i].fb_waiters);
			}
			__atomic_store_n(&futex_table_ready, true, __ATOMIC_RELEASE);
		}
		lck_spin_unlock_irqrestore(&futex_init_lock, s);
	}
	h *= 0x9e3779b97f4a7c15ULL;
	return &futex_table[h >> (64 - 6)];
}

/*
 * The key of the futex at uaddr in p (see the top of the file). The page must have been touched
 * (a shared mapping's object exists once it has). futex_key_drop releases it.
 */
static void
futex_key_get(struct proc *p, uint64_t uaddr, bool private, struct futex_key *k)
{
	vm_map_t map = p->p_task->t_map;
	vm_map_entry_t e;
	bool s;

	k->fk_space = map;
	k->fk_addr = uaddr;
	k->fk_object = NULL;
	if (private)
		return;
	s = pmap_spin_lock_irqsave(&map->vm_lock);
	if (vm_map_lookup_entry(map, uaddr, &e) && e->vme_inherit == VM_INHERIT_SHARE &&
	    e->vme_object != NULL) {
		k->fk_object = e->vme_object;
		vm_object_reference(k->fk_object);
		k->fk_space = k->fk_object;
		k->fk_addr = e->vme_offset + (uaddr - e->vme_start);
	}
	lck_spin_unlock_irqrestore(&map->vm_lock, s);
}

static void
futex_key_drop(struct futex_key *k)
{
	vm_object_deallocate(k->fk_object);
	k->fk_object = NULL;
}

/* Lock the bucket w is queued on now (a requeue may move it while we wait for the lock). */
static struct futex_bucket *
futex_lock_waiter(struct futex_waiter *w, bool *s)
{
	for (;;) {
		struct futex_bucket *b = __atomic_load_n(&w->fw_bucket, __ATOMIC_ACQUIRE);

		*s = lck_spin_lock_irqsave(&b->fb_lock);
		if (b == w->fw_bucket)
			return b;
		lck_spin_unlock_irqrestore(&b->fb_lock, *s);
	}
}

/*
 * Wait on uaddr while it holds val, until deadline (clock_uptime_ns, 0: none). Returns 0 (woken),
 * -EAGAIN (the value differs), -ETIMEDOUT, -EINTR (a signal), -EFAULT, -EINVAL.
 */
static long
futex_wait(struct proc *p, uint64_t uaddr, bool private, uint32_t val, uint32_t bitset,
	   uint64_t deadline)
{
	struct futex_waiter w = { .fw_bitset = bitset, .fw_queued = true };
	struct futex_bucket *b;
	struct futex_key k;
	wait_result_t wr = THREAD_AWAKENED;
	uint32_t cur;
	long r = 0;
	bool s, woken;

	if (bitset == 0)
		return -EINVAL;
	/* Touch the word first: a shared mapping's key needs its object. */
	if (copyin((const void *)uaddr, &cur, sizeof(cur)) != 0)
		return -EFAULT;
	futex_key_get(p, uaddr, private, &k);
	w.fw_space = k.fk_space;
	w.fw_uaddr = k.fk_addr;
	b = w.fw_bucket = futex_bucket(w.fw_space, w.fw_uaddr);
	s = lck_spin_lock_irqsave(&b->fb_lock);
	queue_enter(&b->fb_waiters, &w.fw_link);
	assert_wait_deadline(&w, THREAD_INTERRUPTIBLE, deadline);
	lck_spin_unlock_irqrestore(&b->fb_lock, s);
	/* The queue entry must be visible before the word is read (x86 may let a load pass an
	 * earlier store). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (copyin((const void *)uaddr, &cur, sizeof(cur)) != 0)
		r = -EFAULT;
	else if (cur != val)
		r = -EAGAIN;
	else if (bsd_ast_pending())
		r = -EINTR; /* a signal came before the wait was asserted */
	else if (deadline != 0 && clock_uptime_ns() >= deadline)
		r = -ETIMEDOUT;
	if (r != 0)
		(void)clear_wait(current_thread(), THREAD_AWAKENED);
	else
		wr = thread_block(NULL);
	b = futex_lock_waiter(&w, &s);
	woken = !w.fw_queued;
	if (!woken)
		queue_remove(&w.fw_link);
	lck_spin_unlock_irqrestore(&b->fb_lock, s);
	futex_key_drop(&k);
	if (woken)
		return 0;
	if (r != 0)
		return r;
	switch (wr) {
	case THREAD_TIMED_OUT:
		return -ETIMEDOUT;
	case THREAD_INTERRUPTED:
		return -EINTR;
	default:
		return -EAGAIN; /* a spurious wake: the caller looks at the word again */
	}
}

/* Wake up to n waiters on (space, uaddr) whose bitset meets bitset. Bucket lock held. */
static int
futex_wake_locked(struct futex_bucket *b, const void *space, uint64_t uaddr, int n,
		  uint32_t bitset)
{
	int woken = 0;

	queue_foreach_safe(&b->fb_waiters, e, nx) {
		struct futex_waiter *w = container_of(e, struct futex_waiter, fw_link);

		if (woken >= n)
			break;
		if (w->fw_space != space || w->fw_uaddr != uaddr || !(w->fw_bitset & bitset))
			continue;
		queue_remove(&w->fw_link);
		w->fw_queued = false;
		/* w lives until its thread takes this lock again: waking under it is safe. */
		(void)thread_wakeup(w);
		woken++;
	}
	return woken;
}

static int
futex_wake(struct proc *p, uint64_t uaddr, bool private, int n, uint32_t bitset)
{
	struct futex_key k;
	struct futex_bucket *b;
	int woken;
	bool s;

	futex_key_get(p, uaddr, private, &k);
	b = futex_bucket(k.fk_space, k.fk_addr);
	s = lck_spin_lock_irqsave(&b->fb_lock);
	woken = futex_wake_locked(b, k.fk_space, k.fk_addr, n, bitset);
	lck_spin_unlock_irqrestore(&b->fb_lock, s);
	futex_key_drop(&k);
	return woken;
}

int
futex_wake_addr(struct proc *p, uint64_t uaddr, int n)
{
	/* Linux wakes the CLEARTID word as a shared futex (musl waits on it as private; in
	 * private memory both keys are the same). */
	return futex_wake(p, uaddr, false, n, FUTEX_BITSET_MATCH_ANY);
}

/*
 * Wake nwake waiters on uaddr and move up to nmove of the rest to uaddr2 (FUTEX_REQUEUE); with
 * cmp, only while the word at uaddr still holds val (FUTEX_CMP_REQUEUE, else -EAGAIN).
 * Returns how many were woken plus moved, or -errno.
 */
static long
futex_requeue(struct proc *p, uint64_t uaddr, uint64_t uaddr2, bool private, int nwake,
	      int nmove, bool cmp, uint32_t val)
{
	struct futex_key k1, k2;
	struct futex_bucket *b1, *b2, *lo, *hi;
	uint32_t cur;
	long done;
	bool s;

	if (cmp) {
		/* Read before the locks (the read may fault); a waker that changes the word
		 * afterwards wakes by itself, as in Linux, which also compares unlocked first. */
		if (copyin((const void *)uaddr, &cur, sizeof(cur)) != 0)
			return -EFAULT;
		if (cur != val)
			return -EAGAIN;
	}
	futex_key_get(p, uaddr, private, &k1);
	futex_key_get(p, uaddr2, private, &k2);
	b1 = futex_bucket(k1.fk_space, k1.fk_addr);
	b2 = futex_bucket(k2.fk_space, k2.fk_addr);
	lo = b1 < b2 ? b1 : b2;
	hi = b1 < b2 ? b2 : b1;
	s = lck_spin_lock_irqsave(&lo->fb_lock);
	if (hi != lo)
		lck_spin_lock(&hi->fb_lock);
	done = futex_wake_locked(b1, k1.fk_space, k1.fk_addr, nwake, FUTEX_BITSET_MATCH_ANY);
	queue_foreach_safe(&b1->fb_waiters, e, nx) {
		struct futex_waiter *w = container_of(e, struct futex_waiter, fw_link);

		if (nmove <= 0)
			break;
		if (w->fw_space != k1.fk_space || w->fw_uaddr != k1.fk_addr)
			continue;
		queue_remove(&w->fw_link);
		/* The waiter's object reference stays on its old key's object: once the new
		 * object is gone, its reused address could at worst match a stranger's key and
		 * wake this waiter spuriously, which futex users tolerate. */
		w->fw_space = k2.fk_space;
		w->fw_uaddr = k2.fk_addr;
		queue_enter(&b2->fb_waiters, &w->fw_link);
		__atomic_store_n(&w->fw_bucket, b2, __ATOMIC_RELEASE);
		nmove--;
		done++;
	}
	if (hi != lo)
		lck_spin_unlock(&hi->fb_lock);
	lck_spin_unlock_irqrestore(&lo->fb_lock, s);
	futex_key_drop(&k1);
	futex_key_drop(&k2);
	return done;
}

/* A timeout argument: relative (FUTEX_WAIT) or absolute (WAIT_BITSET, on the monotonic clock
 * or, with FUTEX_CLOCK_REALTIME, the calendar) as a deadline in uptime ns; 0 for none. */
static long
futex_deadline(uint64_t uts, bool absolute, bool realtime, uint64_t *deadline)
{
	int64_t ts[2];
	uint64_t ns, now = clock_uptime_ns();

	*deadline = 0;
	if (uts == 0)
		return 0;
	if (copyin((const void *)uts, ts, sizeof(ts)) != 0)
		return -EFAULT;
	if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000)
		return -EINVAL;
	ns = (uint64_t)MIN(ts[0], (int64_t)100000000) * 1000000000ULL + (uint64_t)ts[1];
	if (absolute && realtime) { /* the calendar is uptime plus an offset */
		uint64_t offset = clock_get_calendar_ns() - now;

		ns = ns > offset ? ns - offset : 0;
	}
	if (!absolute)
		ns += now;
	*deadline = ns != 0 ? ns : 1; /* 0 would mean no timeout: an expired one is 1 */
	return 0;
}

/* futex(uaddr, op, val, timeout or val2, uaddr2, val3) */
long
sys_futex(struct trapframe *tf)
{
	struct proc *p = current_proc();
	uint64_t uaddr = tf->tf_rdi, uaddr2 = tf->tf_r8, deadline;
	int op = (int)tf->tf_rsi, cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
	uint32_t val = (uint32_t)tf->tf_rdx, val3 = (uint32_t)tf->tf_r9;
	bool realtime = (op & FUTEX_CLOCK_REALTIME) != 0, private = (op & FUTEX_PRIVATE_FLAG) != 0;
	long r;

	if (uaddr & 3)
		return -EINVAL;
	if (realtime && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
		val3 = FUTEX_BITSET_MATCH_ANY;
		/* fall through */
	case FUTEX_WAIT_BITSET:
		r = futex_deadline(tf->tf_r10, cmd == FUTEX_WAIT_BITSET, realtime, &deadline);
		if (r != 0)
			return r;
		return futex_wait(p, uaddr, private, val, val3, deadline);
	case FUTEX_WAKE:
		val3 = FUTEX_BITSET_MATCH_ANY;
		/* fall through */
	case FUTEX_WAKE_BITSET:
		if (val3 == 0)
			return -EINVAL;
		return futex_wake(p, uaddr, private, (int)MIN(val, (uint32_t)INT32_MAX), val3);
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
		if ((int)val < 0 || (int)tf->tf_r10 < 0 || (uaddr2 & 3))
			return -EINVAL;
		return futex_requeue(p, uaddr, uaddr2, private, (int)val, (int)tf->tf_r10,
				     cmd == FUTEX_CMP_REQUEUE, val3);
	default:
		return -ENOSYS;
	}
}
