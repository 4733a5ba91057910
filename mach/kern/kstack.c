/*
 * kstack.c — kernel stacks: 16 KiB each, mapped page by page in the kernel stack window with an
 * unmapped 16 KiB guard below, so an overflow faults instead of corrupting a neighbour.
 *
 * Follows Mach's stack_alloc/stack_free (XNU osfmk/kern/stack.c): stacks live on a free list
 * (the cache) between owners. The one idea: there are always at least as many stacks as live
 * threads (kstack_reserve at creation), so a thread resuming a continuation inside the
 * scheduler always finds a stack in the cache without allocating.
 * XXX: cached stacks are never given back to vm_page; the cache is as large as the peak.
 */
#include <arch/x86_64/pmap.h>
#include <console.h>
#include <mach/kern/locks.h>
#include <mach/kern/thread.h>
#include <mach/vm/vm_page.h>
#include <mach/vm/vm_param.h>
#include <panic.h>

#define KSTACK_SLOT  (2 * KERNEL_STACK_SIZE) /* guard below, stack above */
#define KSTACK_PAGES (KERNEL_STACK_SIZE / PAGE_SIZE)

static lck_spin_t kstack_lock = LCK_SPIN_INITIALIZER;
static vaddr_t kstack_next_slot = PMAP_KSTACK_BASE;
static vaddr_t kstack_free_list; /* first word of each cached stack links the next */
static uint64_t kstack_total, kstack_cached, kstack_reserved;

/* Map a new stack. Returns its base, or 0 (no memory or window exhausted; logged). */
static vaddr_t
kstack_create(void)
{
	vaddr_t slot, base;
	bool st = lck_spin_lock_irqsave(&kstack_lock);

	if (kstack_next_slot >= PMAP_KSTACK_END) {
		lck_spin_unlock_irqrestore(&kstack_lock, st);
		klog(LOG_ERR, "kstack: stack window exhausted\n");
		return 0;
	}
	slot = kstack_next_slot;
	kstack_next_slot += KSTACK_SLOT;
	lck_spin_unlock_irqrestore(&kstack_lock, st);

	base = slot + KSTACK_SLOT - KERNEL_STACK_SIZE;
	for (unsigned i = 0; i < KSTACK_PAGES; i++) {
		vm_page_t m = vm_page_grab();

		/* XXX: a failure here leaks the slot and the pages already mapped. */
		if (m == NULL || !pmap_kenter(base + i * PAGE_SIZE, VM_PAGE_TO_PHYS(m))) {
			if (m != NULL)
				vm_page_release(m);
			klog(LOG_ERR, "kstack: out of memory for a kernel stack\n");
			return 0;
		}
	}
	return base;
}

bool
kstack_reserve(void)
{
	bool st = lck_spin_lock_irqsave(&kstack_lock);
	vaddr_t base;

	if (kstack_total > kstack_reserved) {
		kstack_reserved++;
		lck_spin_unlock_irqrestore(&kstack_lock, st);
		return true;
	}
	lck_spin_unlock_irqrestore(&kstack_lock, st);
	base = kstack_create();
	if (base == 0)
		return false;
	st = lck_spin_lock_irqsave(&kstack_lock);
	*(vaddr_t *)base = kstack_free_list;
	kstack_free_list = base;
	kstack_cached++;
	kstack_total++;
	kstack_reserved++;
	lck_spin_unlock_irqrestore(&kstack_lock, st);
	return true;
}

void
kstack_unreserve(void)
{
	bool st = lck_spin_lock_irqsave(&kstack_lock);

	if (kstack_reserved == 0)
		panic("kstack: unreserve without a reservation");
	kstack_reserved--;
	lck_spin_unlock_irqrestore(&kstack_lock, st);
}

vaddr_t
kstack_alloc(void)
{
	bool st = lck_spin_lock_irqsave(&kstack_lock);
	vaddr_t base = kstack_free_list;

	if (base == 0)
		panic("kstack: cache empty with %llu stacks for %llu threads",
		      (unsigned long long)kstack_total, (unsigned long long)kstack_reserved);
	kstack_free_list = *(vaddr_t *)base;
	kstack_cached--;
	lck_spin_unlock_irqrestore(&kstack_lock, st);
	return base;
}

void
kstack_free(vaddr_t base)
{
	bool st = lck_spin_lock_irqsave(&kstack_lock);

	*(vaddr_t *)base = kstack_free_list;
	kstack_free_list = base;
	kstack_cached++;
	lck_spin_unlock_irqrestore(&kstack_lock, st);
}

void
kstack_counts(uint64_t *in_use, uint64_t *cached, uint64_t *total)
{
	bool st = lck_spin_lock_irqsave(&kstack_lock);

	*in_use = kstack_total - kstack_cached;
	*cached = kstack_cached;
	*total = kstack_total;
	lck_spin_unlock_irqrestore(&kstack_lock, st);
}
