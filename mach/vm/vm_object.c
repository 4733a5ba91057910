/*
 * vm_object.c — VM objects: reference counts, shadow chains for copy-on-write, and the collapse
 * and bypass that keep chains short. After Mach 3.0 vm/vm_object.c (Rashid et al., "Machine-
 * Independent Virtual Memory Management for Paged Uniprocessor and Multiprocessor
 * Architectures", 1987, §4 "Sharing memory: shadow objects") and XNU osfmk/vm/vm_object.c.
 *
 * The one idea: see vm_object.h — a write to a copied range goes to a new object in front of
 * the shared one, so the chain records the history of copies; collapse folds a backing object
 * that only one object still sees into it, bypass unlinks one whose every visible page is
 * already covered. Neither changes what any offset of any object reads as.
 */
#include <console.h>
#include <mach/kern/kalloc.h>
#include <mach/kern/zalloc.h>
#include <mach/vm/memory_object.h>
#include <mach/vm/pmap.h>
#include <mach/vm/vm_object.h>
#include <mach/vm/vm_param.h>
#include <panic.h>

static zone_t vm_object_zone;
uint64_t vm_object_count;

void
vm_object_bootstrap(void)
{
	vm_object_zone = zinit(sizeof(struct vm_object), 0, 0, "vm.objects");
	if (vm_object_zone == NULL)
		panic("vm_object_bootstrap: no zone for objects");
}

vm_object_t
vm_object_allocate(vm_object_offset_t size)
{
	vm_object_t o = zalloc(vm_object_zone);
	bool st;

	if (o == NULL)
		return NULL;
	memset(o, 0, sizeof(*o));
	o->vo_refs = 1;
	o->vo_size = round_page(size);
	o->vo_flags = VM_OBJECT_INTERNAL;
	st = pmap_spin_lock_irqsave(&vm_object_lock_all);
	vm_object_count++;
	lck_spin_unlock_irqrestore(&vm_object_lock_all, st);
	return o;
}

void
vm_object_reference(vm_object_t object)
{
	bool st;

	if (object == NULL)
		return;
	st = pmap_spin_lock_irqsave(&vm_object_lock_all);
	assert(object->vo_refs > 0);
	object->vo_refs++;
	lck_spin_unlock_irqrestore(&vm_object_lock_all, st);
}

/* Call fn on every resident page of object (fn may remove the page it is given). */
static void
vm_object_foreach_page(vm_object_t object, void (*fn)(vm_page_t m, void *arg), void *arg)
{
	for (uint32_t b = 0; object->vo_hash != NULL && b <= object->vo_hash_mask; b++) {
		vm_page_t m = object->vo_hash[b];

		while (m != NULL) {
			vm_page_t next = m->vmp_hnext;

			fn(m, arg);
			m = next;
		}
	}
}

static void
vm_object_free_page(vm_page_t m, void *arg)
{
	(void)arg;
	/* A busy page's holder holds a reference on the object (vm_object.h). */
	assert((m->vmp_vmflags & VM_PAGE_VM_BUSY) == 0);
	vm_page_free(m);
}

/* Free what is left of an object nobody references. Object lock held. */
static void
vm_object_free(vm_object_t o)
{
	vm_object_foreach_page(o, vm_object_free_page, NULL);
	assert(o->vo_resident == 0);
	if (o->vo_hash != NULL)
		kfree(o->vo_hash, (o->vo_hash_mask + 1) * sizeof(vm_page_t));
	vm_object_count--;
	zfree(vm_object_zone, o);
}

void
vm_object_deallocate(vm_object_t object)
{
	/* Iterative, not recursive: a long chain must not run the kernel stack out. */
	while (object != NULL) {
		bool st = pmap_spin_lock_irqsave(&vm_object_lock_all);
		vm_object_t shadow;
		memory_object_t pager;

		assert(object->vo_refs > 0);
		if (object->vo_refs > 1) {
			vm_object_release_locked(object);
			lck_spin_unlock_irqrestore(&vm_object_lock_all, st);
			return;
		}
		object->vo_refs = 0;
		shadow = object->vo_shadow;
		pager = object->vo_pager;
		if (shadow != NULL && shadow->vo_copy == object)
			shadow->vo_copy = NULL; /* the live copy is gone: no more pushes */
		object->vo_shadow = NULL;
		object->vo_pager = NULL;
		vm_object_free(object);
		lck_spin_unlock_irqrestore(&vm_object_lock_all, st);
		if (pager != NULL)
			memory_object_terminate(pager);
		object = shadow;
	}
}

void
vm_object_release_locked(vm_object_t object)
{
	assert(object->vo_refs > 1);
	if (--object->vo_refs == 1 && (object->vo_flags & VM_OBJECT_MAPPED) &&
	    object->vo_pager != NULL) {
		object->vo_flags &= ~VM_OBJECT_MAPPED;
		memory_object_last_unmap(object->vo_pager);
	}
}

bool
vm_object_shadow(vm_object_t *object, vm_object_offset_t *offset, vm_object_offset_t length)
{
	vm_object_t n = vm_object_allocate(length);

	if (n == NULL)
		return false;
	n->vo_shadow = *object;
	n->vo_shadow_offset = *offset;
	*object = n;
	*offset = 0;
	return true;
}

struct vm_object_range {
	vm_object_offset_t vr_start, vr_end;
};

static void
vm_object_protect_page(vm_page_t m, void *arg)
{
	struct vm_object_range *r = arg;

	if (m->vmp_offset >= r->vr_start && m->vmp_offset < r->vr_end)
		pmap_page_protect(m, VM_PROT_READ);
}

void
vm_object_copy_quickly(vm_object_t object, vm_object_offset_t offset, vm_object_offset_t size)
{
	struct vm_object_range r = { offset, offset + size };
	bool st = pmap_spin_lock_irqsave(&vm_object_lock_all);

	object->vo_refs++;
	/* Pages below in the chain are never mapped writable: only this object's need it. */
	vm_object_foreach_page(object, vm_object_protect_page, &r);
	lck_spin_unlock_irqrestore(&vm_object_lock_all, st);
}

void
vm_object_share(vm_object_t object)
{
	bool st = pmap_spin_lock_irqsave(&vm_object_lock_all);

	object->vo_flags |= VM_OBJECT_TRUE_SHARE;
	lck_spin_unlock_irqrestore(&vm_object_lock_all, st);
}

vm_object_t
vm_object_copy_delayed(vm_object_t object)
{
	vm_object_t copy = vm_object_allocate(object->vo_size), old;
	struct vm_object_range r = { 0, object->vo_size };
	bool st;

	if (copy == NULL)
		return NULL;
	st = pmap_spin_lock_irqsave(&vm_object_lock_all);
	assert(object->vo_flags & VM_OBJECT_TRUE_SHARE);
	copy->vo_shadow = object;
	copy->vo_shadow_offset = 0;
	object->vo_refs++;
	if ((old = object->vo_copy) != NULL) {
		/*
		 * The older copy saw the original as it was then; every page written since was
		 * pushed into it, so what it does not have is what the new copy sees.
		 */
		old->vo_shadow = copy;
		copy->vo_refs++;
		object->vo_refs--; /* old's; object keeps the new copy's and its own holders' */
	}
	object->vo_copy = copy;
	vm_object_foreach_page(object, vm_object_protect_page, &r);
	lck_spin_unlock_irqrestore(&vm_object_lock_all, st);
	return copy;
}

vm_page_t
vm_object_page_lookup_chain(vm_object_t object, vm_object_offset_t offset, vm_object_t *where)
{
	vm_page_t m = NULL;
	bool st = pmap_spin_lock_irqsave(&vm_object_lock_all);

	for (;;) {
		m = vm_page_lookup(object, trunc_page(offset));
		if (m != NULL || object->vo_shadow == NULL)
			break;
		offset += object->vo_shadow_offset;
		object = object->vo_shadow;
	}
	*where = object;
	lck_spin_unlock_irqrestore(&vm_object_lock_all, st);
	return m;
}

unsigned
vm_object_chain_length(vm_object_t object)
{
	unsigned n = 0;
	bool st = pmap_spin_lock_irqsave(&vm_object_lock_all);

	for (vm_object_t o = object->vo_shadow; o != NULL; o = o->vo_shadow)
		n++;
	lck_spin_unlock_irqrestore(&vm_object_lock_all, st);
	return n;
}

/* Collapse: move backing's pages that object can see and lacks into object; free the rest. */
struct vm_object_collapse_arg {
	vm_object_t ca_object;
};

static void
vm_object_collapse_page(vm_page_t m, void *arg)
{
	vm_object_t o = ((struct vm_object_collapse_arg *)arg)->ca_object;
	vm_object_offset_t so = o->vo_shadow_offset;

	if (m->vmp_offset >= so && m->vmp_offset - so < o->vo_size &&
	    vm_page_lookup(o, m->vmp_offset - so) == NULL) {
		vm_object_offset_t off = m->vmp_offset - so;

		vm_page_remove(m);
		/* Cannot fail: o's table exists (checked by the caller); growth may only fail. */
		if (!vm_page_insert(m, o, off))
			panic("vm_object_collapse: insert failed");
	} else {
		vm_page_free(m); /* obscured by o's own page, or outside what o can see */
	}
}

/* Whether object has its own page over every page of backing it can see. */
struct vm_object_cover_arg {
	vm_object_t ca_object;
	bool ca_covered;
};

static void
vm_object_cover_page(vm_page_t m, void *arg)
{
	struct vm_object_cover_arg *a = arg;
	vm_object_offset_t so = a->ca_object->vo_shadow_offset;

	if (m->vmp_offset >= so && m->vmp_offset - so < a->ca_object->vo_size &&
	    vm_page_lookup(a->ca_object, m->vmp_offset - so) == NULL)
		a->ca_covered = false;
}

void
vm_object_collapse(vm_object_t object)
{
	bool st = pmap_spin_lock_irqsave(&vm_object_lock_all);

	for (;;) {
		vm_object_t backing = object->vo_shadow;

		/*
		 * XXX: an object with a pager may hold pages that were paged out, which a
		 * resident-page lookup does not see; Mach collapses those by moving the pager's
		 * data too. Until the default pager can do that, such chains stay as they are.
		 */
		if (backing == NULL || backing->vo_pager != NULL || object->vo_pager != NULL)
			break;
		/* A live copy receives pushes: whoever sees it must keep seeing it. */
		if (vm_object_is_live_copy(backing))
			break;
		if (backing->vo_refs == 1) {
			struct vm_object_collapse_arg a = { object };

			if (object->vo_hash == NULL && backing->vo_resident != 0 &&
			    !vm_page_insert_prepare(object))
				break;
			vm_object_foreach_page(backing, vm_object_collapse_page, &a);
			object->vo_shadow = backing->vo_shadow;
			object->vo_shadow_offset += backing->vo_shadow_offset;
			backing->vo_shadow = NULL;
			backing->vo_refs = 0;
			vm_object_free(backing);
			continue;
		}
		struct vm_object_cover_arg c = { object, true };

		vm_object_foreach_page(backing, vm_object_cover_page, &c);
		if (!c.ca_covered)
			break;
		/* Bypass: object sees backing's own shadow directly; backing keeps its users. */
		object->vo_shadow = backing->vo_shadow;
		object->vo_shadow_offset += backing->vo_shadow_offset;
		if (object->vo_shadow != NULL)
			object->vo_shadow->vo_refs++;
		backing->vo_refs--; /* was > 1 */
	}
	lck_spin_unlock_irqrestore(&vm_object_lock_all, st);
}
