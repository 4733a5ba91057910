/*
 * vm_pageout.c — the pageout daemon and its scan (Mach 3.0 vm/vm_pageout.c; the two-queue
 * "second chance" clock of Babaoglu and Joy's VAX Unix): active pages that were not referenced
 * since the last pass become inactive; inactive pages still not referenced are cleaned through
 * their pager and freed, referenced ones go back to active.
 *
 * The one idea: reference bits live in the pmap (pmap_is_referenced/pmap_clear_reference), so
 * a page's age is read and reset without knowing who maps it; a page is only written back
 * when its modify bit (or its "never written back" dirty flag) says the pager lacks its data.
 * Writing back sleeps, so a dirty page is first unmapped and made busy on the laundry queue;
 * the scan drops the object lock for data_return and frees the page when the pager has it.
 *
 * The daemon is a kernel thread that sleeps (as a continuation: no stack while idle) until an
 * allocation leaves fewer than vm_page_free_min pages free, then scans until vm_page_free_target
 * are free and wakes the threads waiting in vm_page_wait. Anonymous pages are only laundered
 * when the default pager has a swap device; without one the daemon frees clean pages only.
 */
#include <arch/x86_64/timer.h>
#include <console.h>
#include <debugshell.h>
#include <mach/kern/sched.h>
#include <mach/vm/memory_object.h>
#include <mach/vm/pmap.h>
#include <mach/vm/vm_fault.h>
#include <mach/vm/vm_pageout.h>
#include <mach/vm/vm_param.h>
#include <panic.h>

struct vm_pageout_stats vm_pageout_stats;

/* What the daemon sleeps on, and what vm_page_wait sleeps on. */
static int vm_pageout_event, vm_page_free_event;
static bool vm_pageout_running;
static thread_t vm_pageout_thread;

#define VPO_WAIT_NS	     (50 * 1000 * 1000ULL) /* a vm_page_wait nap */
#define VPO_WAIT_TRIES	     100		   /* naps without progress before giving up */
#define VPO_IDLE_RECHECK_NS  (1000 * 1000 * 1000ULL) /* daemon, below target, nothing freed */
#define VPO_BATCH	     32 /* pages looked at under the object lock at a stretch */

/*
 * Put dirty, unmapped page m in the laundry: busy (nobody can write it now, so its data is
 * what the pager gets), on the laundry queue, its object referenced. Object lock held.
 * Returns false (m back on the active queue) when its object has no pager and none can be
 * made.
 */
static bool
vpo_launder_start(vm_page_t m)
{
	vm_object_t o = m->vmp_object;

	if (o->vo_pager == NULL && (o->vo_pager = default_pager_create(o)) == NULL) {
		vm_page_activate(m);
		return false;
	}
	m->vmp_vmflags |= VM_PAGE_VM_BUSY;
	m->vmp_vmflags &= (uint16_t)~VM_PAGE_VM_DIRTY;
	pmap_clear_modify(m);
	vm_page_launder(m);
	o->vo_refs++; /* the laundry's: the object outlives the unlocked write */
	return true;
}

/*
 * Page-out clusters: a run of laundered pages of one object at consecutive offsets goes to the
 * pager in one data_return (up to its mop_return_cluster_pages), copied into this buffer so
 * the pager sees one range; the default pager then writes consecutive swap slots in one I/O.
 * One buffer, taken by whoever launders (the daemon, or a thread in vm_pageout_scan).
 */
#define VPO_CLUSTER 16
static uint8_t vpo_cluster_buf[VPO_CLUSTER * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static lck_mtx_t vpo_cluster_lock = LCK_MTX_INITIALIZER("vm_pageout.cluster");

/*
 * Write the n laundered pages of run (one object, consecutive offsets, n <= VPO_CLUSTER) to
 * their pager in one data_return and free them (or, when the pager refuses, put them back on
 * the active queue, dirty). Object lock held on entry (state *st); dropped for the pager call
 * and retaken. Returns the pages written and freed.
 */
static unsigned
vpo_launder_run(vm_page_t *run, unsigned n, bool *st)
{
	vm_object_t o = run[0]->vmp_object;
	kern_return_t kr[VPO_CLUSTER];
	unsigned freed = 0;
	bool singly;

	lck_spin_unlock_irqrestore(&vm_object_lock_all, *st);
	kr[0] = KERN_FAILURE;
	if (n > 1) {
		lck_mtx_lock(&vpo_cluster_lock);
		for (unsigned i = 0; i < n; i++)
			memcpy(vpo_cluster_buf + ptoa(i), phystokv(VM_PAGE_TO_PHYS(run[i])),
			       PAGE_SIZE);
		kr[0] = memory_object_data_return(o->vo_pager, run[0]->vmp_offset,
						  vpo_cluster_buf, ptoa(n));
		lck_mtx_unlock(&vpo_cluster_lock);
		for (unsigned i = 1; i < n; i++)
			kr[i] = kr[0];
		__atomic_fetch_add(&vm_pageout_stats.vps_clusters, 1, __ATOMIC_RELAXED);
	}
	/* One page, or a cluster the pager refused whole (a nearly full swap device): singly. */
	singly = n == 1 || kr[0] != KERN_SUCCESS;
	for (unsigned i = 0; i < n && singly; i++) {
		kr[i] = memory_object_data_return(o->vo_pager, run[i]->vmp_offset,
						  phystokv(VM_PAGE_TO_PHYS(run[i])), PAGE_SIZE);
		__atomic_fetch_add(&vm_pageout_stats.vps_clusters, 1, __ATOMIC_RELAXED);
	}
	*st = pmap_spin_lock_irqsave(&vm_object_lock_all);
	for (unsigned i = 0; i < n; i++) {
		vm_page_t m = run[i];

		vm_page_unbusy(m);
		if (kr[i] == KERN_SUCCESS) {
			vm_pageout_stats.vps_returned++;
			vm_page_free(m);
			freed++;
		} else {
			m->vmp_vmflags |= VM_PAGE_VM_DIRTY;
			vm_page_activate(m);
			vm_pageout_stats.vps_return_failed++;
		}
	}
	/* Each page's laundering held a reference on o. */
	assert(o->vo_refs >= n);
	o->vo_refs -= n - 1;
	if (o->vo_refs > 1) {
		vm_object_release_locked(o);
	} else {
		lck_spin_unlock_irqrestore(&vm_object_lock_all, *st);
		vm_object_deallocate(o);
		*st = pmap_spin_lock_irqsave(&vm_object_lock_all);
	}
	return freed;
}

/* Sort laundered pages by object, then offset, so runs lie side by side (a batch is small). */
static void
vpo_sort(vm_page_t *p, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		vm_page_t m = p[i];
		unsigned j = i;

		while (j > 0 && ((uintptr_t)p[j - 1]->vmp_object > (uintptr_t)m->vmp_object ||
				 (p[j - 1]->vmp_object == m->vmp_object &&
				  p[j - 1]->vmp_offset > m->vmp_offset))) {
			p[j] = p[j - 1];
			j--;
		}
		p[j] = m;
	}
}

/*
 * Launder the nd dirty pages of a batch: sorted, then each run of consecutive offsets of one
 * object (as long as its pager takes clusters that long) in one call. Object lock held (state
 * *st; dropped while pagers write). Returns the pages freed.
 */
static uint64_t
vpo_launder_batch(vm_page_t *dirty, unsigned nd, bool *st)
{
	uint64_t freed = 0;

	vpo_sort(dirty, nd);
	for (unsigned i = 0; i < nd;) {
		vm_object_t o = dirty[i]->vmp_object;
		unsigned max = o->vo_pager->mo_ops->mop_return_cluster_pages, n = 1;

		max = MAX(MIN(max, VPO_CLUSTER), 1u);
		while (i + n < nd && n < max && dirty[i + n]->vmp_object == o &&
		       dirty[i + n]->vmp_offset == dirty[i]->vmp_offset + ptoa(n))
			n++;
		freed += vpo_launder_run(&dirty[i], n, st);
		i += n;
	}
	return freed;
}

/*
 * Reclaim a batch of inactive pages taken off their queue: unmap them all with one shootdown,
 * free the clean ones, launder the dirty ones. Object lock held (state *st; dropped while
 * the pager writes). Returns the pages freed.
 */
static uint64_t
vpo_reclaim_batch(vm_page_t *batch, unsigned n, bool *st)
{
	vm_page_t dirty[VPO_BATCH];
	unsigned nd = 0;
	uint64_t freed = 0;

	pmap_disconnect_batch(batch, n);
	for (unsigned i = 0; i < n; i++) {
		vm_page_t m = batch[i];

		if (!(m->vmp_vmflags & VM_PAGE_VM_DIRTY) && !pmap_is_modified(m)) {
			vm_page_free(m);
			freed++;
		} else if (vpo_launder_start(m)) {
			dirty[nd++] = m;
		}
	}
	freed += vpo_launder_batch(dirty, nd, st);
	vm_pageout_stats.vps_freed += freed;
	return freed;
}

/* Let the others in between batches: the scan always takes from a queue's head. */
static void
vpo_breathe(bool *st)
{
	lck_spin_unlock_irqrestore(&vm_object_lock_all, *st);
	*st = pmap_spin_lock_irqsave(&vm_object_lock_all);
}

static uint64_t
vpo_scan(uint64_t target, bool launder_internal)
{
	bool st = pmap_spin_lock_irqsave(&vm_object_lock_all);
	uint64_t budget, freed = 0, n = 0;
	vm_page_t m, batch[VPO_BATCH];
	unsigned nb = 0;

	/*
	 * Age: keep a third of the pageable pages, plus what this pass is to free, inactive. Each
	 * active page is looked at once at most: not referenced since the last look, it becomes
	 * inactive; referenced, it goes to the tail, its bit cleared.
	 */
	for (budget = vm_page_active_count;
	     budget > 0 && vm_page_inactive_count <
			       (vm_page_active_count + vm_page_inactive_count) / 3 + target;
	     budget--) {
		if ((m = vm_page_queue_first(VM_PAGE_Q_ACTIVE)) == NULL)
			break;
		vm_pageout_stats.vps_scanned++;
		if (!(m->vmp_vmflags & VM_PAGE_VM_BUSY) && !pmap_is_referenced(m)) {
			vm_page_deactivate(m);
		} else {
			pmap_clear_reference(m);
			vm_page_activate(m); /* to the tail: young again */
		}
		if (++n % VPO_BATCH == 0)
			vpo_breathe(&st);
	}
	/*
	 * Clean and free: the oldest inactive pages first, in batches that share one TLB
	 * shootdown. A page in a batch is on no queue; the lock is held until the batch is
	 * unmapped and its pages are freed or busy in the laundry.
	 */
	for (budget = vm_page_inactive_count; budget > 0 && freed < target; budget--) {
		bool last;

		if ((m = vm_page_queue_first(VM_PAGE_Q_INACTIVE)) == NULL)
			break;
		vm_pageout_stats.vps_scanned++;
		if (m->vmp_vmflags & VM_PAGE_VM_BUSY) {
			vm_page_activate(m);
		} else if (pmap_is_referenced(m)) {
			pmap_clear_reference(m);
			vm_page_activate(m);
			vm_pageout_stats.vps_reactivated++;
		} else if (vm_object_is_live_copy(m->vmp_object)) {
			/* XXX: pushes test residence; a pager-held page would be pushed again. */
			vm_page_activate(m);
		} else if ((m->vmp_object->vo_flags & VM_OBJECT_INTERNAL) && !launder_internal &&
			   ((m->vmp_vmflags & VM_PAGE_VM_DIRTY) || pmap_is_modified(m))) {
			vm_page_activate(m); /* nowhere to put it: keep it, out of the way */
		} else {
			vm_page_dequeue(m);
			batch[nb++] = m;
		}
		last = budget == 1 || freed + nb >= target ||
		       vm_page_queue_first(VM_PAGE_Q_INACTIVE) == NULL;
		if (nb == VPO_BATCH || (nb > 0 && last)) {
			freed += vpo_reclaim_batch(batch, nb, &st);
			nb = 0;
		} else if (++n % VPO_BATCH == 0 && nb == 0) {
			vpo_breathe(&st); /* never with a batch gathered: its pages are not busy */
		}
	}
	lck_spin_unlock_irqrestore(&vm_object_lock_all, st);
	return freed;
}

uint64_t
vm_pageout_scan(uint64_t target)
{
	return vpo_scan(target, true);
}

/* Called by vm_page_alloc() below vm_page_free_min (any context but an interrupt's). */
static void
vm_pageout_wake(void)
{
	if (!__atomic_load_n(&vm_pageout_running, __ATOMIC_RELAXED))
		thread_wakeup(&vm_pageout_event);
}

static void
vm_pageout_continue(void *arg, wait_result_t wr)
{
	(void)arg;
	(void)wr;
	__atomic_store_n(&vm_pageout_running, true, __ATOMIC_RELAXED);
	vm_pageout_stats.vps_wakeups++;
	while (vm_page_free_count < vm_page_free_target) {
		/* Anonymous pages go to swap, or (none) to the default pager's compressed
		 * store; a page that does not compress is kept there as it is, which frees
		 * nothing: stop when a pass gains no free page, not only when it frees none. */
		uint64_t before = vm_page_free_count;
		uint64_t f = vpo_scan(vm_page_free_target - vm_page_free_count, true);

		thread_wakeup(&vm_page_free_event);
		if (f == 0 || vm_page_free_count <= before)
			break;
	}
	thread_wakeup(&vm_page_free_event);
	__atomic_store_n(&vm_pageout_running, false, __ATOMIC_RELAXED);
	if (vm_page_free_count < vm_page_free_target)
		/* Nothing more to free now: look again later (pages age meanwhile). */
		assert_wait_deadline(&vm_pageout_event, THREAD_UNINT,
				     clock_uptime_ns() + VPO_IDLE_RECHECK_NS);
	else
		assert_wait(&vm_pageout_event, THREAD_UNINT);
	thread_block(vm_pageout_continue);
	__builtin_unreachable();
}

bool
vm_page_wait(wait_interrupt_t interruptible)
{
	for (unsigned tries = 0; tries < VPO_WAIT_TRIES; tries++) {
		wait_result_t wr;

		if (vm_page_free_count > vm_page_free_reserved)
			return true;
		if (vm_pageout_thread == NULL)
			return false; /* no daemon (early boot): nobody will free pages */
		vm_pageout_stats.vps_waits++;
		assert_wait_deadline(&vm_page_free_event, interruptible,
				     clock_uptime_ns() + VPO_WAIT_NS);
		vm_pageout_wake();
		wr = thread_block(NULL);
		if (wr == THREAD_INTERRUPTED)
			return false;
	}
	klog(LOG_WARNING, "vm_page_wait: no page freed (%llu free, %llu reserved)\n",
	     (unsigned long long)vm_page_free_count, (unsigned long long)vm_page_free_reserved);
	return false;
}

void
vm_pageout_start(void)
{
	uint64_t total = vm_page_total_count;

	/* After XNU's vm_page_free_target/min/reserved: small fractions, with floors. */
	vm_page_free_reserved = MAX(total / 200, 64);
	vm_page_free_min = vm_page_free_reserved + MAX(total / 100, 64);
	vm_page_free_target = vm_page_free_min + MAX(total / 50, 128);
	if (kernel_thread_start_priority(vm_pageout_continue, NULL, MAXPRI_KERNEL, TH_MODE_FIXED,
					 &vm_pageout_thread) != KERN_SUCCESS) {
		klog(LOG_ERR, "vm_pageout: cannot start the pageout daemon\n");
		vm_pageout_thread = NULL;
		return;
	}
	thread_set_name(vm_pageout_thread, "vm_pageout");
	vm_page_free_low_hook = vm_pageout_wake;
}

void
vm_pageout_print_stats(void)
{
	printf("pages: %llu free, %llu active, %llu inactive, %llu laundry, %llu wired "
	       "(queue), %llu wired (kernel), %llu total\n",
	       (unsigned long long)vm_page_free_count, (unsigned long long)vm_page_active_count,
	       (unsigned long long)vm_page_inactive_count,
	       (unsigned long long)vm_page_laundry_count, (unsigned long long)vm_page_wired_count,
	       (unsigned long long)vm_page_wire_count, (unsigned long long)vm_page_total_count);
	printf("thresholds: reserved %llu, min %llu, target %llu\n",
	       (unsigned long long)vm_page_free_reserved, (unsigned long long)vm_page_free_min,
	       (unsigned long long)vm_page_free_target);
	printf("pageout: %llu wakeups, %llu scanned, %llu reactivated, %llu freed, %llu returned "
	       "in %llu clusters, %llu return errors, %llu waits\n",
	       (unsigned long long)vm_pageout_stats.vps_wakeups,
	       (unsigned long long)vm_pageout_stats.vps_scanned,
	       (unsigned long long)vm_pageout_stats.vps_reactivated,
	       (unsigned long long)vm_pageout_stats.vps_freed,
	       (unsigned long long)vm_pageout_stats.vps_returned,
	       (unsigned long long)vm_pageout_stats.vps_clusters,
	       (unsigned long long)vm_pageout_stats.vps_return_failed,
	       (unsigned long long)vm_pageout_stats.vps_waits);
	printf("faults: %llu, %llu zero fill, %llu cow, %llu pages in by %llu requests, "
	       "%llu busy waits\n",
	       (unsigned long long)vm_fault_stats.vfs_faults,
	       (unsigned long long)vm_fault_stats.vfs_zero_fill,
	       (unsigned long long)vm_fault_stats.vfs_cow,
	       (unsigned long long)vm_fault_stats.vfs_pageins,
	       (unsigned long long)vm_fault_stats.vfs_pagein_requests,
	       (unsigned long long)vm_fault_stats.vfs_busy_waits);
	default_pager_print_stats();
}

static void
vm_pageout_shell_vmstat(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	vm_pageout_print_stats();
}

DEBUGSHELL_COMMAND(vmstat, "page counts and pageout/swap statistics", vm_pageout_shell_vmstat);
