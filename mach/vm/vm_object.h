/*
 * vm_object.h — memory objects as the kernel sees them: a range of bytes whose resident pages
 * are found by offset, backed (for anonymous memory) by a chain of shadow objects, and the
 * page queues the pageout daemon ages those pages on (Mach 3.0 vm/vm_object.h, vm_page.h;
 * XNU osfmk/vm/vm_object.h, vm_resident.c).
 *
 * The one idea: copy-on-write is a shadow chain. A copy shares the original object; the first
 * write to a page makes a new, empty object that shadows the old one and receives the written
 * copy, so each side sees its own writes over the shared, read-only pages below. A lookup walks
 * the chain top down, adding each link's offset. Chains grow with every copy; collapse (merge
 * a backing object that nobody else uses into its shadow) and bypass (skip a backing object
 * whose visible pages are all covered above) keep them short.
 *
 * Locks: one spin lock for all objects and one for the page queues (vm_object_lock_all /
 * vm_page_queue_lock). Pager I/O never runs under them: the page being filled or cleaned is
 * marked VM_PAGE_VM_BUSY, the locks are dropped for the pager call, and a thread that finds a
 * busy page sets VM_PAGE_VM_WANTED and sleeps on the page's address until the holder clears
 * BUSY (Mach's busy/wanted protocol). Whoever holds a page busy also holds a reference on its
 * object, so an object with busy pages is never freed, collapsed into another, or torn down.
 * XXX: Mach has a sleeping lock per object; one spin lock for all is simpler and enough for
 * the CPUs a virtual server has today.
 */
#ifndef _MACH_VM_VM_OBJECT_H_
#define _MACH_VM_VM_OBJECT_H_

#include <libkern/libkern.h>
#include <mach/kern/kern_return.h>
#include <mach/kern/locks.h>
#include <mach/vm/vm_page.h>
#include <mach/vm/vm_types.h>

struct memory_object;

struct vm_object {
	uint32_t vo_refs;	      /* map entries, shadows above, and other holders */
	uint32_t vo_resident;	      /* pages in vo_hash */
	vm_object_offset_t vo_size;   /* bytes; pages at offsets >= size are never looked for */
	struct vm_object *vo_shadow;  /* the object below (holds one reference on it), or NULL */
	struct vm_object *vo_copy;    /* TRUE_SHARE: the newest delayed copy (no reference) */
	vm_object_offset_t vo_shadow_offset; /* offset in vo_shadow of this object's offset 0 */
	struct memory_object *vo_pager; /* who supplies pages not resident, or NULL (zero fill) */
	struct vm_page **vo_hash;     /* resident pages by offset, chained through vmp_hnext */
	uint32_t vo_hash_mask;	      /* buckets - 1 (a power of two); 0 without vo_hash */
	uint32_t vo_flags;
};
typedef struct vm_object *vm_object_t;

/* vo_flags */
#define VM_OBJECT_INTERNAL   0x1 /* anonymous memory: the default pager backs it */
#define VM_OBJECT_TRUE_SHARE 0x2 /* shared as itself (named entry): written in place, so
				    copies are delayed copies, never symmetric (see below) */
/*
 * Mapped: set by the pager's owner when it maps the object (ubc_map); when the references
 * drop back to one, the flag is cleared and the pager's mop_last_unmap is called.
 */
#define VM_OBJECT_MAPPED     0x4

/* vmp_queue */
enum vm_page_queue {
	VM_PAGE_Q_NONE = 0,
	VM_PAGE_Q_ACTIVE,
	VM_PAGE_Q_INACTIVE,
	VM_PAGE_Q_WIRED,
	VM_PAGE_Q_LAUNDRY, /* dirty pages on their way to the pager (busy, unmapped) */
	VM_PAGE_Q_COUNT
};

/* vmp_vmflags */
#define VM_PAGE_VM_DIRTY	 0x1 /* differs from what the pager has (or it has nothing) */
#define VM_PAGE_VM_BUSY	 0x2 /* being filled or cleaned: only its holder touches it */
#define VM_PAGE_VM_WANTED 0x4 /* a thread sleeps on the page's address until BUSY clears */

/* Pages on each queue (reads need no lock; they are statistics). */
extern uint64_t vm_page_queue_count[VM_PAGE_Q_COUNT];
#define vm_page_active_count   vm_page_queue_count[VM_PAGE_Q_ACTIVE]
#define vm_page_inactive_count vm_page_queue_count[VM_PAGE_Q_INACTIVE]
#define vm_page_wired_count    vm_page_queue_count[VM_PAGE_Q_WIRED]
#define vm_page_laundry_count  vm_page_queue_count[VM_PAGE_Q_LAUNDRY]

/*
 * Free-page thresholds (pages; set by vm_pageout_start from the size of memory, 0 before):
 * below vm_page_free_min an allocation wakes the pageout daemon, which frees pages until
 * vm_page_free_target are free; vm_page_alloc() never takes the last vm_page_free_reserved
 * pages, which stay for the kernel allocators the pageout path itself needs (page tables, pager
 * buffers, driver requests), so cleaning pages can always make progress.
 */
extern uint64_t vm_page_free_min, vm_page_free_target, vm_page_free_reserved;
/* Called (no lock held by vm_resident.c) when an allocation leaves fewer than free_min free. */
extern void (*vm_page_free_low_hook)(void);

/* Objects in existence (for tests: counts before = after). */
extern uint64_t vm_object_count;

/* vm_object_bootstrap: create the object zone. Once, after zone_bootstrap() and kalloc_init(). */
void vm_object_bootstrap(void);

/*
 * vm_object_allocate: a new internal (anonymous, zero-fill) object of size bytes.
 *   Returns: the object with one reference, or NULL when memory is short.
 */
vm_object_t vm_object_allocate(vm_object_offset_t size);

/* vm_object_reference: one more reference on object (NULL is ignored). */
void vm_object_reference(vm_object_t object);

/*
 * vm_object_deallocate: drop one reference (NULL is ignored). The last one frees the object's
 * pages (taking away their mappings), terminates its pager, and drops its reference on the
 * shadow, and so on down the chain.
 */
void vm_object_deallocate(vm_object_t object);

/*
 * vm_object_release_locked: drop one reference that is not the last (vo_refs > 1), telling a
 * VM_OBJECT_MAPPED object's pager when only one is left (mop_last_unmap).
 *   Locks:   vm_object_lock_all held; never sleeps.
 */
void vm_object_release_locked(vm_object_t object);

/*
 * vm_object_shadow: put a new, empty object of length bytes in front of *object (for
 * copy-on-write): the new object shadows *object at *offset. The caller's reference on the old
 * object passes to the new one; on return *object is the new object (one reference, the
 * caller's) and *offset is 0.
 *   Returns: false (and changes nothing) when memory is short.
 */
bool vm_object_shadow(vm_object_t *object, vm_object_offset_t *offset, vm_object_offset_t length);

/*
 * vm_object_copy_quickly: set up a symmetric copy-on-write of [offset, offset + size) of object:
 * take one more reference and write-protect its resident pages in every pmap, so that the next
 * write from either side faults and copies. The caller marks both sides needs_copy.
 */
void vm_object_copy_quickly(vm_object_t object, vm_object_offset_t offset,
			    vm_object_offset_t size);

/*
 * Delayed copies (Mach's MEMORY_OBJECT_COPY_DELAY, XNU vm_object_copy_delayed). An object that
 * several maps share as itself (VM_OBJECT_TRUE_SHARE: a named entry's) is written in place, so
 * the symmetric scheme above (both sides shadow the shared object) would take the writers
 * away from each other. Its copies are taken the other way round: the copy is a new object
 * that shadows the original (its vo_copy), and before a page of the original is modified, a
 * write fault pushes the page's old contents into the copy. So the copy's view never changes
 * after it was made. A newer copy goes between the original and the older one (which then
 * shadows the newer). The live copy (the original's vo_copy) is never collapsed or bypassed,
 * and its pushed pages are not paged out: "not resident" must mean "not pushed yet".
 */

/*
 * vm_object_copy_delayed: a delayed copy of object (TRUE_SHARE), covering all of it at offset
 * 0: the original's resident pages lose write access in every pmap, so the next write to any
 * of them faults and pushes.
 *   Locks:   none held (takes the object lock).
 *   Returns: the copy (one reference, the caller's), or NULL when memory is short.
 */
vm_object_t vm_object_copy_delayed(vm_object_t object);

/* Whether object is the live delayed copy of its shadow (pushes go to it). Object lock held. */
static inline bool
vm_object_is_live_copy(vm_object_t object)
{
	return object->vo_shadow != NULL && object->vo_shadow->vo_copy == object;
}

/*
 * vm_object_share: mark object TRUE_SHARE (from now on its copies are delayed copies).
 *   Locks:   none held (takes the object lock).
 */
void vm_object_share(vm_object_t object);

/*
 * vm_object_collapse: shorten object's shadow chain: merge backing objects that only object
 * references and that have no pager (collapse), or drop from the chain backing objects that
 * object fully covers (bypass), as long as either applies.
 */
void vm_object_collapse(vm_object_t object);

/* The length of object's shadow chain (0: no shadow). For tests and statistics. */
unsigned vm_object_chain_length(vm_object_t object);

/*
 * vm_object_page_lookup_chain: the page visible at offset in object: resident in object, or
 * in the first object down the shadow chain that has it.
 *   Returns: the page (and in *where the object holding it), or NULL (*where is then the last
 *            object of the chain, whose pager or zero fill supplies the page).
 */
vm_page_t vm_object_page_lookup_chain(vm_object_t object, vm_object_offset_t offset,
				      vm_object_t *where);

/*
 * Resident pages (vm_resident.c). Offsets are page aligned. The object lock is held by the
 * caller for insert/remove/lookup (vm_object_lock_all).
 */

/* vm_page_lookup: the page resident in object at offset (this object only), or NULL. */
vm_page_t vm_page_lookup(vm_object_t object, vm_object_offset_t offset);

/*
 * vm_page_insert: make m resident in object at offset. Inserting at an occupied offset is a
 * kernel bug (panic). Returns false when the hash table could not grow (m not inserted).
 */
bool vm_page_insert(vm_page_t m, vm_object_t object, vm_object_offset_t offset);

/* vm_page_insert_prepare: make sure object has a hash table, so vm_page_insert cannot fail. */
bool vm_page_insert_prepare(vm_object_t object);

/* vm_page_remove: take m out of its object (it keeps its queue). */
void vm_page_remove(vm_page_t m);

/*
 * vm_page_alloc: a new page resident in object at offset, on no queue, contents undefined.
 *   Locks:   object lock held; never sleeps.
 *   Returns: the page, or NULL when no page is free above the reserve (the caller may wait
 *            with vm_page_wait() after dropping its locks, then retry).
 */
vm_page_t vm_page_alloc(vm_object_t object, vm_object_offset_t offset);

/*
 * vm_page_free: take away m's mappings, take it out of its object and off its queue, and give
 * it back to the free pool.
 */
void vm_page_free(vm_page_t m);

/* Page queues: move m to the active, inactive, laundry or wired queue, or off all of them. */
void vm_page_activate(vm_page_t m);
void vm_page_deactivate(vm_page_t m);
void vm_page_launder(vm_page_t m);
void vm_page_wire(vm_page_t m);
void vm_page_unwire(vm_page_t m);
void vm_page_dequeue(vm_page_t m);

/* The first page of a queue (the oldest), or NULL; next toward the newest. Queue lock held. */
vm_page_t vm_page_queue_first(enum vm_page_queue q);

/* Check the queues: every page's vmp_queue matches the list it is on and the counts agree.
 * Returns false (and logs) when they do not. For tests. */
bool vm_page_queues_check(void);

/* The lock that covers every object's resident pages and shadow links. */
extern lck_spin_t vm_object_lock_all;
extern lck_spin_t vm_page_queue_lock;

#endif /* _MACH_VM_VM_OBJECT_H_ */
