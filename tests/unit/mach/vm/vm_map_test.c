/*
 * vm_map_test.c — unit tests of mach/vm/vm_map.c: enter (fixed and anywhere), coalescing,
 * clipping by remove/protect/inherit, maximum protection, lookups, copy-on-write copies of a
 * range and fork by inheritance; and random operation sequences checked after every step
 * against a page-by-page model and the map's invariants (sorted, non-overlapping, a valid
 * red-black tree over exactly the listed entries).
 *
 * The pmap is a fake that records calls; objects and pages are real (vm_object.c over vm_page
 * on a host buffer standing for physical memory).
 */
// unit-deps: memory_object.c vm_object.c vm_resident.c vm_page.c
// unit-deps: mach/kern/zalloc.c mach/kern/kalloc.c kernel/libkern/format.c
#include <criterion/criterion.h>
#include <stdlib.h>

#include <mach/kern/kalloc.h>
#include <mach/kern/zalloc.h>
#include <mach/vm/vm_map.h>
#include <mach/vm/vm_param.h>

#include "hosted_vm.h"

#define MiB	   (1ULL << 20)
#define PHYS_BYTES (16 * MiB)
#define MAP_MIN	   0x10000UL
#define NPAGES	   256
#define MAP_MAX	   (MAP_MIN + NPAGES * PAGE_SIZE)

static uint8_t *physmem;
static unsigned fake_remove, fake_protect;

/* No shootdowns on the host: the plain lock. */
bool
pmap_spin_lock_irqsave(lck_spin_t *l)
{
	return lck_spin_lock_irqsave(l);
}

void
pmap_page_protect(struct vm_page *m, vm_prot_t prot)
{
	(void)m;
	(void)prot;
}

void
pmap_remove(pmap_t pmap, vaddr_t start, vaddr_t end)
{
	(void)pmap;
	cr_assert_lt(start, end);
	fake_remove++;
}

void
pmap_protect(pmap_t pmap, vaddr_t start, vaddr_t end, vm_prot_t prot)
{
	(void)pmap;
	(void)prot;
	cr_assert_lt(start, end);
	fake_protect++;
}

static void
setup(void)
{
	physmem = hosted_vm_page_boot(PHYS_BYTES);
	zone_bootstrap();
	kalloc_init();
	vm_object_bootstrap();
	vm_map_bootstrap();
}

static void
teardown(void)
{
	free(physmem);
}

TestSuite(vm_map, .init = setup, .fini = teardown);

/* A fake pmap pointer: the fakes never dereference it. */
#define FAKE_PMAP ((pmap_t)0x1000)

static vm_map_t
new_map(void)
{
	vm_map_t m = vm_map_create(FAKE_PMAP, MAP_MIN, MAP_MAX);

	cr_assert_not_null(m);
	return m;
}

static kern_return_t
enter(vm_map_t m, vaddr_t *a, unsigned pages, int flags, vm_prot_t prot)
{
	return vm_map_enter(m, a, ptoa(pages), flags, NULL, 0, false, prot, VM_PROT_ALL,
			    VM_INHERIT_DEFAULT);
}

Test(vm_map, enter_lookup_coalesce)
{
	vm_map_t m = new_map();
	vm_map_entry_t e;
	vaddr_t a = MAP_MIN;

	cr_assert_eq(enter(m, &a, 4, VM_FLAGS_FIXED, VM_PROT_DEFAULT), KERN_SUCCESS);
	a = MAP_MIN + ptoa(4);
	cr_assert_eq(enter(m, &a, 4, VM_FLAGS_FIXED, VM_PROT_DEFAULT), KERN_SUCCESS);
	cr_assert_eq(m->vm_nentries, 1, "zero fill continuing zero fill coalesces");
	a = MAP_MIN + ptoa(8);
	cr_assert_eq(enter(m, &a, 1, VM_FLAGS_FIXED, VM_PROT_READ), KERN_SUCCESS);
	cr_assert_eq(m->vm_nentries, 2, "another protection does not");
	a = MAP_MIN + ptoa(2);
	cr_assert_eq(enter(m, &a, 1, VM_FLAGS_FIXED, VM_PROT_READ), KERN_NO_SPACE);
	a = MAP_MAX - PAGE_SIZE;
	cr_assert_eq(enter(m, &a, 2, VM_FLAGS_FIXED, VM_PROT_READ), KERN_NO_SPACE);
	a = MAP_MIN;
	cr_assert_eq(enter(m, &a, 3, VM_FLAGS_ANYWHERE, VM_PROT_READ), KERN_SUCCESS);
	cr_assert_eq(a, MAP_MIN + ptoa(9));
	a = 0;
	cr_assert_eq(vm_map_enter(m, &a, PAGE_SIZE, VM_FLAGS_ANYWHERE, NULL, 0, false,
				  VM_PROT_ALL, VM_PROT_READ, 0), KERN_INVALID_ARGUMENT);
	cr_assert_eq(enter(m, &a, 0, VM_FLAGS_ANYWHERE, VM_PROT_READ), KERN_INVALID_ARGUMENT);
	a = 0;
	cr_assert_eq(enter(m, &a, NPAGES, VM_FLAGS_ANYWHERE, VM_PROT_READ), KERN_NO_SPACE);

	cr_assert(vm_map_lookup_entry(m, MAP_MIN + ptoa(5) + 7, &e));
	cr_assert_eq(e->vme_start, MAP_MIN);
	cr_assert_eq(e->vme_end, MAP_MIN + ptoa(8));
	cr_assert(!vm_map_lookup_entry(m, MAP_MIN + ptoa(12), &e));
	cr_assert_eq(e->vme_start, MAP_MIN + ptoa(8), "[9, 12) coalesced with [8, 9)");
	cr_assert_eq(m->vm_nentries, 2);
	cr_assert(!vm_map_lookup_entry(m, MAP_MIN - 1, &e));
	cr_assert_eq(e, &m->vm_header);
	cr_assert(vm_map_check(m));
	vm_map_deallocate(m);
	cr_assert_eq(vm_map_entry_count, 0);
}

Test(vm_map, remove_and_protect_clip)
{
	vm_map_t m = new_map();
	vm_map_entry_t e;
	vaddr_t a = MAP_MIN;

	cr_assert_eq(enter(m, &a, 10, VM_FLAGS_FIXED, VM_PROT_DEFAULT), KERN_SUCCESS);
	cr_assert_eq(vm_map_remove(m, MAP_MIN + ptoa(3), MAP_MIN + ptoa(5)), KERN_SUCCESS);
	cr_assert_eq(m->vm_nentries, 2);
	cr_assert_eq(m->vm_size, ptoa(8));
	cr_assert(!vm_map_lookup_entry(m, MAP_MIN + ptoa(4), &e));
	cr_assert_eq(vm_map_protect(m, MAP_MIN + ptoa(1), MAP_MIN + ptoa(2), VM_PROT_READ, false),
		     KERN_SUCCESS);
	cr_assert_eq(m->vm_nentries, 4);
	cr_assert(vm_map_lookup_entry(m, MAP_MIN + ptoa(1), &e));
	cr_assert_eq(e->vme_prot, VM_PROT_READ);
	cr_assert_eq(vm_map_protect(m, MAP_MIN, MAP_MIN + ptoa(6), VM_PROT_READ, false),
		     KERN_INVALID_ADDRESS, "a hole in the range");
	/* Maximum protection: lowering it lowers the current one; raising past it fails. */
	cr_assert_eq(vm_map_protect(m, MAP_MIN + ptoa(5), MAP_MIN + ptoa(10), VM_PROT_READ, true),
		     KERN_SUCCESS);
	cr_assert_eq(vm_map_protect(m, MAP_MIN + ptoa(6), MAP_MIN + ptoa(7), VM_PROT_DEFAULT,
				    false), KERN_PROTECTION_FAILURE);
	cr_assert(vm_map_lookup_entry(m, MAP_MIN + ptoa(6), &e));
	cr_assert_eq(e->vme_prot, VM_PROT_READ);
	cr_assert_eq(vm_map_inherit(m, MAP_MIN, MAP_MIN + ptoa(1), VM_INHERIT_NONE), KERN_SUCCESS);
	cr_assert_eq(vm_map_inherit(m, MAP_MIN, MAP_MIN + ptoa(1), 7), KERN_INVALID_ARGUMENT);
	cr_assert(vm_map_check(m));
	cr_assert_gt(fake_remove, 0);
	cr_assert_gt(fake_protect, 0);
	vm_map_deallocate(m);
	cr_assert_eq(vm_map_entry_count, 0);
}

Test(vm_map, copy_region_and_fork_share_objects)
{
	vm_map_t m = new_map(), c;
	vm_object_t o = vm_object_allocate(ptoa(4));
	vm_map_entry_t e, f;
	vaddr_t a = MAP_MIN, d;

	cr_assert_eq(vm_map_enter(m, &a, ptoa(4), VM_FLAGS_FIXED, o, 0, false, VM_PROT_DEFAULT,
				  VM_PROT_ALL, VM_INHERIT_COPY), KERN_SUCCESS);
	cr_assert_eq(vm_map_copy_region(m, MAP_MIN + ptoa(1), ptoa(2), m, &d), KERN_SUCCESS);
	cr_assert_eq(d, MAP_MIN + ptoa(4));
	cr_assert(vm_map_lookup_entry(m, d, &e));
	cr_assert(vm_map_lookup_entry(m, MAP_MIN + ptoa(1), &f));
	cr_assert_eq(e->vme_object, o);
	cr_assert_eq(e->vme_offset, ptoa(1));
	cr_assert(e->vme_needs_copy && f->vme_needs_copy);
	cr_assert_eq(o->vo_refs, 4, "three source pieces and the copy");
	cr_assert(vm_map_check(m));

	cr_assert_eq(vm_map_inherit(m, MAP_MIN, MAP_MIN + ptoa(1), VM_INHERIT_SHARE), KERN_SUCCESS);
	cr_assert_eq(vm_map_inherit(m, d, d + ptoa(2), VM_INHERIT_NONE), KERN_SUCCESS);
	c = vm_map_fork(m, FAKE_PMAP);
	cr_assert_not_null(c);
	cr_assert(vm_map_check(c));
	cr_assert_eq(c->vm_nentries, 3);
	cr_assert(!vm_map_lookup_entry(c, d, &e), "inherit none is left out");
	cr_assert(vm_map_lookup_entry(c, MAP_MIN, &e));
	cr_assert(!e->vme_needs_copy, "inherit share shares");
	cr_assert(vm_map_lookup_entry(c, MAP_MIN + ptoa(2), &e));
	cr_assert(e->vme_needs_copy, "inherit copy copies");
	vm_map_deallocate(c);
	vm_map_deallocate(m);
	cr_assert_eq(vm_map_entry_count, 0);
	cr_assert_eq(vm_object_count, 0);
}

/* The model: per page, 0 = unmapped, else the protection + 1. */
static uint8_t model[NPAGES];

static void
check_model(vm_map_t m)
{
	cr_assert(vm_map_check(m));
	for (unsigned i = 0; i < NPAGES; i++) {
		vm_map_entry_t e;
		bool mapped = vm_map_lookup_entry(m, MAP_MIN + ptoa(i), &e);

		cr_assert_eq(mapped, model[i] != 0, "page %u", i);
		if (mapped)
			cr_assert_eq(e->vme_prot + 1, model[i], "page %u", i);
	}
}

Test(vm_map, random_operations_keep_invariants)
{
	vm_map_t m = new_map();

	srand(42);
	for (unsigned step = 0; step < 4000; step++) {
		unsigned op = rand() % 4, p = rand() % NPAGES, n = 1 + rand() % 16;
		vm_prot_t prot = rand() % 4;
		vaddr_t a = MAP_MIN + ptoa(p);

		if (p + n > NPAGES)
			n = NPAGES - p;
		switch (op) {
		case 0: {
			bool free = true;

			for (unsigned i = p; i < p + n; i++)
				free = free && model[i] == 0;
			cr_assert_eq(enter(m, &a, n, VM_FLAGS_FIXED, prot),
				     free ? KERN_SUCCESS : KERN_NO_SPACE, "step %u", step);
			if (free)
				memset(&model[p], prot + 1, n);
			break;
		}
		case 1: {
			/* ANYWHERE finds the lowest gap of n pages. */
			unsigned run = 0, at = NPAGES;

			for (unsigned i = 0; i < NPAGES && at == NPAGES; i++) {
				run = model[i] == 0 ? run + 1 : 0;
				if (run == n)
					at = i + 1 - n;
			}
			a = MAP_MIN;
			cr_assert_eq(enter(m, &a, n, VM_FLAGS_ANYWHERE, prot),
				     at < NPAGES ? KERN_SUCCESS : KERN_NO_SPACE, "step %u", step);
			if (at < NPAGES) {
				cr_assert_eq(a, MAP_MIN + ptoa(at), "step %u", step);
				memset(&model[at], prot + 1, n);
			}
			break;
		}
		case 2:
			cr_assert_eq(vm_map_remove(m, a, a + ptoa(n)), KERN_SUCCESS);
			memset(&model[p], 0, n);
			break;
		case 3: {
			bool whole = true;

			for (unsigned i = p; i < p + n; i++)
				whole = whole && model[i] != 0;
			cr_assert_eq(vm_map_protect(m, a, a + ptoa(n), prot, false),
				     whole ? KERN_SUCCESS : KERN_INVALID_ADDRESS, "step %u", step);
			if (whole)
				memset(&model[p], prot + 1, n);
			break;
		}
		}
		check_model(m);
	}
	vm_map_deallocate(m);
	cr_assert_eq(vm_map_entry_count, 0);
}
