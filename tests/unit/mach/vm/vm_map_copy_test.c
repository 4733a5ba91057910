/*
 * vm_map_copy_test.c — unit tests of mach/vm/vm_map_copy.c: copyin of a range that spans
 * entries (clipped exactly to the pages asked for), holes and unreadable parts refused with
 * nothing taken, the copy sharing the source's objects copy-on-write, copyout at the lowest
 * free address with the same in-page offset, src_destroy leaving the copy the only holder
 * (so copyout drops needs_copy), a copy kept when the destination has no room, and discard
 * releasing every entry and object.
 *
 * The pmap is a fake that maps nothing; objects and pages are real (vm_object.c over vm_page
 * on a host buffer standing for physical memory).
 */
// unit-deps: vm_map.c memory_object.c vm_object.c vm_resident.c vm_page.c
// unit-deps: mach/kern/zalloc.c mach/kern/kalloc.c kernel/libkern/format.c
// unit-deps: tests/unit/shim/pmap_fake.c
#include <criterion/criterion.h>
#include <stdlib.h>

#include <mach/kern/kalloc.h>
#include <mach/kern/zalloc.h>
#include <mach/vm/vm_map_copy.h>
#include <mach/vm/vm_param.h>

#define MiB	   (1ULL << 20)
#define PHYS_BYTES (16 * MiB)
#define MAP_MIN	   0x10000UL
#define MAP_MAX	   (MAP_MIN + 64 * PAGE_SIZE)
#define FAKE_PMAP  ((pmap_t)0x1000)

static uint8_t *physmem;

static void
setup(void)
{
	struct boot_mem_region r = { 0, PHYS_BYTES, BOOT_MEM_RAM };
	struct vm_phys_range low = { 0, MiB };

	physmem = aligned_alloc(PAGE_SIZE, PHYS_BYTES);
	cr_assert_not_null(physmem);
	hosted_physmap_base = (uintptr_t)physmem;
	vm_page_bootstrap(&r, 1, &low, 1);
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

TestSuite(vm_map_copy, .init = setup, .fini = teardown);

/* Map pages [first, first + n) of a new object at MAP_MIN + ptoa(at) with prot. */
static vm_object_t
map_object(vm_map_t m, unsigned at, unsigned n, vm_prot_t prot)
{
	vm_object_t o = vm_object_allocate(ptoa(n));
	vaddr_t a = MAP_MIN + ptoa(at);

	cr_assert_not_null(o);
	cr_assert_eq(vm_map_enter(m, &a, ptoa(n), VM_FLAGS_FIXED, o, 0, false, prot, VM_PROT_ALL,
				  VM_INHERIT_DEFAULT),
		     KERN_SUCCESS);
	return o;
}

Test(vm_map_copy, copyin_copyout_share_copy_on_write)
{
	vm_map_t src = vm_map_create(FAKE_PMAP, MAP_MIN, MAP_MAX);
	vm_map_t dst = vm_map_create(FAKE_PMAP, MAP_MIN, MAP_MAX);
	vm_object_t o1 = map_object(src, 0, 4, VM_PROT_DEFAULT);
	vm_object_t o2 = map_object(src, 4, 4, VM_PROT_READ);
	vm_map_copy_t copy;
	vm_map_entry_t e;
	vaddr_t a, taken = MAP_MIN;

	/* Pages 2..5 (from 2 pages + 10 bytes, 3 pages and a bit long). */
	cr_assert_eq(vm_map_copyin(src, MAP_MIN + ptoa(2) + 10, ptoa(3) + 100, false, &copy),
		     KERN_SUCCESS);
	cr_assert_eq(vm_map_copy_count, 1);
	cr_assert_eq(copy->cpy_nentries, 2, "one entry per source entry");
	cr_assert_eq(o1->vo_refs, 3, "source entry split in two, plus the copy");
	cr_assert_eq(o2->vo_refs, 3);
	cr_assert(vm_map_lookup_entry(src, MAP_MIN + ptoa(3), &e));
	cr_assert(e->vme_needs_copy, "the source is now copy-on-write too");
	cr_assert_eq(e->vme_start, MAP_MIN + ptoa(2));
	cr_assert(vm_map_check(src));
	/* The destination's lowest free range starts after what is there already. */
	cr_assert_eq(vm_map_enter(dst, &taken, ptoa(1), VM_FLAGS_FIXED, NULL, 0, false,
				  VM_PROT_DEFAULT, VM_PROT_ALL, VM_INHERIT_DEFAULT),
		     KERN_SUCCESS);
	cr_assert_eq(vm_map_copyout(dst, &a, copy), KERN_SUCCESS);
	cr_assert_eq(vm_map_copy_count, 0);
	cr_assert_eq(a, MAP_MIN + ptoa(1) + 10);
	cr_assert(vm_map_lookup_entry(dst, a, &e));
	cr_assert_eq(e->vme_object, o1);
	cr_assert_eq(e->vme_offset, ptoa(2));
	cr_assert(e->vme_needs_copy, "still shared with the source");
	cr_assert_eq(e->vme_prot, VM_PROT_DEFAULT, "received memory is read-write");
	cr_assert(vm_map_lookup_entry(dst, a + ptoa(3), &e));
	cr_assert_eq(e->vme_object, o2);
	cr_assert_eq(e->vme_end, MAP_MIN + ptoa(5));
	cr_assert(vm_map_check(dst));
	vm_map_deallocate(src);
	vm_map_deallocate(dst);
	cr_assert_eq(vm_object_count, 0);
	cr_assert_eq(vm_map_entry_count, 0);
}

Test(vm_map_copy, holes_and_unreadable_ranges_refused)
{
	vm_map_t src = vm_map_create(FAKE_PMAP, MAP_MIN, MAP_MAX);
	vm_map_copy_t copy = (vm_map_copy_t)1;
	unsigned entries;

	map_object(src, 0, 2, VM_PROT_DEFAULT);
	map_object(src, 3, 2, VM_PROT_NONE);
	map_object(src, 6, 2, VM_PROT_DEFAULT);
	entries = src->vm_nentries;
	cr_assert_eq(vm_map_copyin(src, MAP_MIN + ptoa(1), ptoa(2), false, &copy),
		     KERN_INVALID_ADDRESS, "page 2 is a hole");
	cr_assert_null(copy);
	cr_assert_eq(vm_map_copyin(src, MAP_MIN + ptoa(3), ptoa(1), false, &copy),
		     KERN_PROTECTION_FAILURE);
	cr_assert_eq(vm_map_copyin(src, MAP_MIN + ptoa(8), 1, false, &copy),
		     KERN_INVALID_ADDRESS);
	cr_assert_eq(vm_map_copyin(src, MAP_MIN - 1, 2, false, &copy), KERN_INVALID_ADDRESS);
	cr_assert_eq(vm_map_copyin(src, ~(vaddr_t)0 - 10, 100, false, &copy),
		     KERN_INVALID_ADDRESS, "wraps");
	cr_assert_eq(src->vm_nentries, entries, "nothing clipped or taken");
	cr_assert_eq(vm_map_copy_count, 0);
	cr_assert_eq(vm_map_copyin(src, MAP_MIN, 0, false, &copy), KERN_SUCCESS);
	cr_assert_null(copy);
	vm_map_deallocate(src);
	cr_assert_eq(vm_object_count, 0);
}

Test(vm_map_copy, src_destroy_makes_the_copy_private)
{
	vm_map_t src = vm_map_create(FAKE_PMAP, MAP_MIN, MAP_MAX);
	vm_map_t dst = vm_map_create(FAKE_PMAP, MAP_MIN, MAP_MIN + ptoa(2));
	vm_object_t o = map_object(src, 0, 3, VM_PROT_DEFAULT);
	vm_map_copy_t copy;
	vm_map_entry_t e;
	vaddr_t a;

	cr_assert_eq(vm_map_copyin(src, MAP_MIN, ptoa(3), true, &copy), KERN_SUCCESS);
	cr_assert_eq(src->vm_nentries, 0);
	cr_assert_eq(o->vo_refs, 1);
	/* Three pages do not fit in a two-page map: the copy stays the caller's. */
	cr_assert_eq(vm_map_copyout(dst, &a, copy), KERN_NO_SPACE);
	cr_assert_eq(vm_map_copy_count, 1);
	vm_map_deallocate(dst);
	dst = vm_map_create(FAKE_PMAP, MAP_MIN, MAP_MAX);
	cr_assert_eq(vm_map_copyout(dst, &a, copy), KERN_SUCCESS);
	cr_assert(vm_map_lookup_entry(dst, a, &e));
	cr_assert(!e->vme_needs_copy, "nobody else holds the object");
	vm_map_deallocate(src);
	vm_map_deallocate(dst);
	cr_assert_eq(vm_object_count, 0);
}

Test(vm_map_copy, discard_releases_everything)
{
	vm_map_t src = vm_map_create(FAKE_PMAP, MAP_MIN, MAP_MAX);
	vm_object_t o = map_object(src, 0, 4, VM_PROT_DEFAULT);
	vm_map_copy_t copy;

	cr_assert_eq(vm_map_copyin(src, MAP_MIN + ptoa(1), ptoa(2), false, &copy), KERN_SUCCESS);
	vm_map_copy_discard(copy);
	vm_map_copy_discard(VM_MAP_COPY_NULL);
	cr_assert_eq(vm_map_copy_count, 0);
	cr_assert_eq(o->vo_refs, 3, "the three pieces of the source entry");
	vm_map_deallocate(src);
	cr_assert_eq(vm_object_count, 0);
	cr_assert_eq(vm_map_entry_count, 0);
}
