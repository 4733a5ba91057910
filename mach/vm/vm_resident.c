/*
 * vm_resident.c — resident pages: which page holds which (object, offset), and the page queues
 * (active, inactive, wired) that the pageout daemon ages pages on. After Mach 3.0
 * vm/vm_resident.c and XNU osfmk/vm/vm_resident.c, with the hash table per object.
 *
 * The one idea: each object keeps its own small hash table of resident pages, chained through
 * vmp_hnext and doubled when it holds more than two pages per bucket, so a lookup is a few
 * compares whatever the size of memory, and tearing an object down visits only its own pages.
 * A page is on at most one queue, through vmp_next/vmp_prev (the links the free lists use
 * while the page is free), and vmp_queue says which.
 */
#include <console.h>
#include <mach/kern/kalloc.h>
#include <mach/vm/pmap.h>
#include <mach/vm/vm_object.h>
#include <mach/vm/vm_param.h>
#include <panic.h>

lck_spin_t vm_object_lock_all = LCK_SPIN_INITIALIZER;
lck_spin_t vm_page_queue_lock = LCK_SPIN_INITIALIZER;
uint64_t vm_page_queue_count[VM_PAGE_Q_COUNT];
uint64_t vm_page_free_min, vm_page_free_target, vm_page_free_reserved;
void (*vm_page_free_low_hook)(void);

static struct {
	vm_page_t vpq_head, vpq_tail;
} vm_page_queues[VM_PAGE_Q_COUNT];

#define VM_OBJECT_HASH_MIN 8u

static uint32_t
vm_page_hash(vm_object_offset_t offset, uint32_t mask)
{
	uint64_t h = (offset >> PAGE_SHIFT) * 0x9e3779b97f4a7c15ULL;

	return (uint32_t)(h >> 32) & mask;
}

vm_page_t
vm_page_lookup(vm_object_t object, vm_object_offset_t offset)
{
	if (object->vo_hash == NULL)
		return NULL;
	for (vm_page_t m = object->vo_hash[vm_page_hash(offset, object->vo_hash_mask)]; m != NULL;
	     m = m->vmp_hnext) {
		if (m->vmp_offset == offset)
			return m;
	}
	return NULL;
}

/* Give object a table of n buckets (a power of two), moving its pages. */
static bool
vm_object_rehash(vm_object_t object, uint32_t n)
{
	vm_page_t *nh = kalloc_zero(n * sizeof(*nh));

	if (nh == NULL)
		return false;
	for (uint32_t b = 0; object->vo_hash != NULL && b <= object->vo_hash_mask; b++) {
		vm_page_t m = object->vo_hash[b];

		while (m != NULL) {
			vm_page_t next = m->vmp_hnext;
			uint32_t i = vm_page_hash(m->vmp_offset, n - 1);

			m->vmp_hnext = nh[i];
			nh[i] = m;
			m = next;
		}
	}
	if (object->vo_hash != NULL)
		kfree(object->vo_hash, (object->vo_hash_mask + 1) * sizeof(*nh));
	object->vo_hash = nh;
	object->vo_hash_mask = n - 1;
	return true;
}

bool
vm_page_insert_prepare(vm_object_t object)
{
	return object->vo_hash != NULL || vm_object_rehash(object, VM_OBJECT_HASH_MIN);
}

bool
vm_page_insert(vm_page_t m, vm_object_t object, vm_object_offset_t offset)
{
	uint32_t i;

	assert((offset & PAGE_MASK) == 0);
	if (vm_page_lookup(object, offset) != NULL)
		panic("vm_page_insert: object %p offset %#llx is already resident", (void *)object,
		      (unsigned long long)offset);
	if (object->vo_hash == NULL && !vm_object_rehash(object, VM_OBJECT_HASH_MIN))
		return false;
	/* Grow at two pages per bucket; a failed growth only makes chains longer. */
	if (object->vo_resident >= 2 * (object->vo_hash_mask + 1) &&
	    object->vo_hash_mask < (1u << 24))
		(void)vm_object_rehash(object, 2 * (object->vo_hash_mask + 1));
	i = vm_page_hash(offset, object->vo_hash_mask);
	m->vmp_object = object;
	m->vmp_offset = offset;
	m->vmp_hnext = object->vo_hash[i];
	object->vo_hash[i] = m;
	object->vo_resident++;
	return true;
}

void
vm_page_remove(vm_page_t m)
{
	vm_object_t object = m->vmp_object;
	vm_page_t *pp;

	assert(object != NULL);
	for (pp = &object->vo_hash[vm_page_hash(m->vmp_offset, object->vo_hash_mask)];
	     *pp != NULL; pp = &(*pp)->vmp_hnext) {
		if (*pp == m) {
			*pp = m->vmp_hnext;
			m->vmp_hnext = NULL;
			m->vmp_object = NULL;
			m->vmp_offset = 0;
			object->vo_resident--;
			return;
		}
	}
	panic("vm_page_remove: page %#llx is not in object %p", (unsigned long long)m->vmp_phys,
	      (void *)object);
}

vm_page_t
vm_page_alloc(vm_object_t object, vm_object_offset_t offset)
{
	vm_page_t m = NULL;

	/* Unlocked read: the reserve is a threshold, a page more or less does not matter. */
	if (vm_page_free_count > vm_page_free_reserved)
		m = vm_page_grab();
	if (vm_page_free_count < vm_page_free_min && vm_page_free_low_hook != NULL)
		vm_page_free_low_hook();
	if (m == NULL)
		return NULL;
	/* vm_page_grab() hands out wired kernel pages; this one is pageable, on no queue yet. */
	m->vmp_wire_count = 0;
	m->vmp_vmflags = 0;
	if (!vm_page_insert(m, object, offset)) {
		m->vmp_wire_count = 1;
		vm_page_release(m);
		return NULL;
	}
	return m;
}

/*
 * Queues.
 */

static void
vm_page_queue_remove_locked(vm_page_t m)
{
	unsigned q = m->vmp_queue;

	if (q == VM_PAGE_Q_NONE)
		return;
	if (m->vmp_prev != NULL)
		m->vmp_prev->vmp_next = m->vmp_next;
	else
		vm_page_queues[q].vpq_head = m->vmp_next;
	if (m->vmp_next != NULL)
		m->vmp_next->vmp_prev = m->vmp_prev;
	else
		vm_page_queues[q].vpq_tail = m->vmp_prev;
	m->vmp_next = m->vmp_prev = NULL;
	m->vmp_queue = VM_PAGE_Q_NONE;
	vm_page_queue_count[q]--;
}

/* Put m at the tail (newest end) of queue q. */
static void
vm_page_queue_enter(vm_page_t m, unsigned q)
{
	bool st = lck_spin_lock_irqsave(&vm_page_queue_lock);

	vm_page_queue_remove_locked(m);
	if (q != VM_PAGE_Q_NONE) {
		m->vmp_prev = vm_page_queues[q].vpq_tail;
		m->vmp_next = NULL;
		if (m->vmp_prev != NULL)
			m->vmp_prev->vmp_next = m;
		else
			vm_page_queues[q].vpq_head = m;
		vm_page_queues[q].vpq_tail = m;
		m->vmp_queue = (uint8_t)q;
		vm_page_queue_count[q]++;
	}
	lck_spin_unlock_irqrestore(&vm_page_queue_lock, st);
}

void
vm_page_activate(vm_page_t m)
{
	if (m->vmp_wire_count == 0)
		vm_page_queue_enter(m, VM_PAGE_Q_ACTIVE);
}

void
vm_page_deactivate(vm_page_t m)
{
	if (m->vmp_wire_count == 0)
		vm_page_queue_enter(m, VM_PAGE_Q_INACTIVE);
}

void
vm_page_wire(vm_page_t m)
{
	if (m->vmp_wire_count++ == 0)
		vm_page_queue_enter(m, VM_PAGE_Q_WIRED);
}

void
vm_page_unwire(vm_page_t m)
{
	if (m->vmp_wire_count == 0)
		panic("vm_page_unwire: page %#llx is not wired", (unsigned long long)m->vmp_phys);
	if (--m->vmp_wire_count == 0)
		vm_page_queue_enter(m, VM_PAGE_Q_ACTIVE);
}

void
vm_page_launder(vm_page_t m)
{
	vm_page_queue_enter(m, VM_PAGE_Q_LAUNDRY);
}

void
vm_page_dequeue(vm_page_t m)
{
	vm_page_queue_enter(m, VM_PAGE_Q_NONE);
}

vm_page_t
vm_page_queue_first(enum vm_page_queue q)
{
	return q < VM_PAGE_Q_COUNT ? vm_page_queues[q].vpq_head : NULL;
}

void
vm_page_free(vm_page_t m)
{
	assert((m->vmp_vmflags & VM_PAGE_VM_WANTED) == 0);
	pmap_page_protect(m, VM_PROT_NONE);
	vm_page_dequeue(m);
	if (m->vmp_object != NULL)
		vm_page_remove(m);
	/* vm_page_release() takes back pages in the state vm_page_grab() gave them. */
	m->vmp_wire_count = 1;
	m->vmp_vmflags = 0;
	vm_page_release(m);
}

bool
vm_page_queues_check(void)
{
	bool ok = true, st = lck_spin_lock_irqsave(&vm_page_queue_lock);

	for (unsigned q = 1; q < VM_PAGE_Q_COUNT; q++) {
		uint64_t n = 0;
		vm_page_t prev = NULL;

		for (vm_page_t m = vm_page_queues[q].vpq_head; m != NULL; m = m->vmp_next) {
			if (m->vmp_queue != q || m->vmp_prev != prev)
				ok = false;
			prev = m;
			n++;
		}
		if (prev != vm_page_queues[q].vpq_tail || n != vm_page_queue_count[q]) {
			klog(LOG_ERR, "vm_page: queue %u holds %llu pages, counted %llu\n", q,
			     (unsigned long long)n, (unsigned long long)vm_page_queue_count[q]);
			ok = false;
		}
	}
	lck_spin_unlock_irqrestore(&vm_page_queue_lock, st);
	return ok;
}
