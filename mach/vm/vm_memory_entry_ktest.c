/*
 * vm_memory_entry_ktest.c — in-kernel self-tests of named entries: two maps share memory
 * through mach_make_memory_entry + vm_map_enter_mem_object (writes visible both ways, pages
 * touched before and after sharing, and zero-fill pages first touched by either side); the
 * permission checks; and the copies of shared memory staying private on both sides while the
 * sharers keep sharing: vm_map_copy_region, vm_map_fork with VM_INHERIT_COPY, a mapping made
 * with `copy`, and a copy of a copy. Nothing is leaked: objects, entries and named entries
 * counted before = after.
 */
#include <arch/x86_64/pmap.h>
#include <console.h>
#include <ktest.h>
#include <mach/vm/vm_fault.h>
#include <mach/vm/vm_memory_entry.h>
#include <mach/vm/vm_param.h>
#include <mach/vm/vm_user.h>

#define NE_MIN	 0x40000000UL
#define NE_PAGES 8

static uint64_t
ne_peek(vm_map_t map, vaddr_t a)
{
	uint64_t v = ~0ULL;

	if (vm_map_copy_bytes(map, a, &v, sizeof(v), false) != KERN_SUCCESS)
		return 0xbadbadbadULL;
	return v;
}

static bool
ne_poke(vm_map_t map, vaddr_t a, uint64_t v)
{
	return vm_map_copy_bytes(map, a, &v, sizeof(v), true) == KERN_SUCCESS;
}

struct ne_maps {
	pmap_t nm_pmap[4];
	vm_map_t nm_map[4];
};

static bool
ne_maps_create(struct ne_maps *m, unsigned n)
{
	memset(m, 0, sizeof(*m));
	for (unsigned i = 0; i < n; i++) {
		if ((m->nm_pmap[i] = pmap_create()) == NULL ||
		    (m->nm_map[i] = vm_map_create(m->nm_pmap[i], NE_MIN, PMAP_USER_TOP)) == NULL)
			return false;
	}
	return true;
}

static void
ne_maps_destroy(struct ne_maps *m)
{
	for (unsigned i = 0; i < 4; i++) {
		if (m->nm_map[i] != NULL)
			vm_map_deallocate(m->nm_map[i]);
	}
	for (unsigned i = 0; i < 4; i++) {
		if (m->nm_pmap[i] != NULL)
			pmap_destroy(m->nm_pmap[i]);
	}
}

/* Share [a, a + NE_PAGES) of A with B through a named entry; check both directions. */
KTEST(vm_memory_entry_share)
{
	uint64_t objs0 = vm_object_count, ents0 = vm_map_entry_count;
	uint64_t ne0 = vm_named_entry_count;
	vm_size_t size = ptoa(NE_PAGES);
	vm_named_entry_t ne = NULL, ro = NULL;
	vm_map_t A, B;
	vaddr_t a = NE_MIN, b = NE_MIN, r;
	struct ne_maps m;

	KT_ASSERT(ne_maps_create(&m, 2));
	A = m.nm_map[0];
	B = m.nm_map[1];
	KT_ASSERT_EQ(vm_allocate(A, &a, size, true), KERN_SUCCESS);
	/* Half the pages touched before sharing, half left zero fill. */
	for (unsigned i = 0; i < NE_PAGES / 2; i++)
		KT_ASSERT(ne_poke(A, a + ptoa(i), 0xa000 + i));
	KT_ASSERT_EQ(mach_make_memory_entry(A, &size, a, VM_PROT_DEFAULT, &ne), KERN_SUCCESS);
	KT_ASSERT_EQ(size, ptoa(NE_PAGES));
	KT_ASSERT_EQ(vm_map_enter_mem_object(B, &b, size, VM_FLAGS_ANYWHERE, ne, 0, false,
					     VM_PROT_DEFAULT, VM_PROT_DEFAULT,
					     VM_INHERIT_DEFAULT), KERN_SUCCESS);
	for (unsigned i = 0; i < NE_PAGES / 2; i++)
		KT_ASSERT_EQ(ne_peek(B, b + ptoa(i)), 0xa000 + i);
	/* B writes (pages A touched, and pages nobody touched yet): A sees them. */
	for (unsigned i = 0; i < NE_PAGES; i++)
		KT_ASSERT(ne_poke(B, b + ptoa(i) + 8, 0xb000 + i));
	for (unsigned i = 0; i < NE_PAGES; i++)
		KT_ASSERT_EQ(ne_peek(A, a + ptoa(i) + 8), 0xb000 + i);
	/* And A's writes reach B, through mappings B already has. */
	for (unsigned i = 0; i < NE_PAGES; i++)
		KT_ASSERT(ne_poke(A, a + ptoa(i) + 16, 0xa100 + i));
	for (unsigned i = 0; i < NE_PAGES; i++) {
		KT_ASSERT_EQ(ne_peek(B, b + ptoa(i) + 16), 0xa100 + i);
		KT_ASSERT_EQ(pmap_extract(m.nm_pmap[0], a + ptoa(i)),
			     pmap_extract(m.nm_pmap[1], b + ptoa(i)));
	}
	/* A window of the entry, at an offset. */
	r = NE_MIN;
	KT_ASSERT_EQ(vm_map_enter_mem_object(B, &r, ptoa(2), VM_FLAGS_ANYWHERE, ne, ptoa(3),
					     false, VM_PROT_READ, VM_PROT_READ,
					     VM_INHERIT_DEFAULT), KERN_SUCCESS);
	KT_ASSERT_EQ(ne_peek(B, r + 8), 0xb003);
	KT_ASSERT(!ne_poke(B, r, 1)); /* mapped read-only */

	/* Permissions: beyond the entry, the range, or the map's protection. */
	KT_ASSERT_EQ(vm_map_enter_mem_object(B, &r, ptoa(2), VM_FLAGS_ANYWHERE, ne,
					     ptoa(NE_PAGES - 1), false, VM_PROT_READ,
					     VM_PROT_READ, VM_INHERIT_DEFAULT),
		     KERN_INVALID_ARGUMENT);
	KT_ASSERT_EQ(vm_protect(A, a + ptoa(NE_PAGES - 1), PAGE_SIZE, false, VM_PROT_READ),
		     KERN_SUCCESS);
	size = PAGE_SIZE;
	KT_ASSERT_EQ(mach_make_memory_entry(A, &size, a + ptoa(NE_PAGES - 1), VM_PROT_DEFAULT,
					    &ro), KERN_PROTECTION_FAILURE);
	KT_ASSERT_EQ(mach_make_memory_entry(A, &size, a + ptoa(NE_PAGES - 1), VM_PROT_READ, &ro),
		     KERN_SUCCESS);
	KT_ASSERT_EQ(vm_map_enter_mem_object(B, &r, size, VM_FLAGS_ANYWHERE, ro, 0, false,
					     VM_PROT_DEFAULT, VM_PROT_DEFAULT,
					     VM_INHERIT_DEFAULT), KERN_INVALID_RIGHT);
	KT_ASSERT_EQ(vm_map_enter_mem_object(B, &r, size, VM_FLAGS_ANYWHERE, ro, 0, false,
					     VM_PROT_READ, VM_PROT_ALL, VM_INHERIT_DEFAULT),
		     KERN_INVALID_RIGHT);
	size = PAGE_SIZE;
	KT_ASSERT_EQ(mach_make_memory_entry(A, &size, NE_MIN - PAGE_SIZE, VM_PROT_READ, &ro),
		     KERN_INVALID_ADDRESS);
	mach_memory_entry_deallocate(ro);

	/* The entry outlives the map it came from: B keeps the pages. */
	vm_map_deallocate(A);
	m.nm_map[0] = NULL;
	mach_memory_entry_deallocate(ne);
	KT_ASSERT_EQ(ne_peek(B, b + 8), 0xb000);
	ne_maps_destroy(&m);
	KT_ASSERT_EQ(vm_named_entry_count, ne0);
	KT_ASSERT_EQ(vm_object_count, objs0);
	KT_ASSERT_EQ(vm_map_entry_count, ents0);
}

/*
 * Copies of shared memory: A and B share; C1 = vm_map_copy_region of A's range, C2 = fork of B
 * (inherit copy), C3 = a mapping of the entry with copy, C4 = a copy of C1. After writes on
 * every side, A and B still see each other's, and each copy sees only its own over what the
 * shared memory held when it was made.
 */
KTEST(vm_memory_entry_copies_private)
{
	uint64_t objs0 = vm_object_count, ents0 = vm_map_entry_count;
	vm_size_t size = ptoa(NE_PAGES);
	vm_named_entry_t ne = NULL;
	vm_map_t A, B, F;
	vaddr_t a = NE_MIN, b = NE_MIN, c1, c3 = NE_MIN, c4;
	struct ne_maps m;

	KT_ASSERT(ne_maps_create(&m, 2));
	KT_ASSERT((m.nm_pmap[2] = pmap_create()) != NULL);
	A = m.nm_map[0];
	B = m.nm_map[1];
	KT_ASSERT_EQ(mach_memory_entry_allocate(size, VM_PROT_DEFAULT, &ne), KERN_SUCCESS);
	KT_ASSERT_EQ(vm_map_enter_mem_object(A, &a, size, VM_FLAGS_ANYWHERE, ne, 0, false,
					     VM_PROT_DEFAULT, VM_PROT_DEFAULT, VM_INHERIT_COPY),
		     KERN_SUCCESS);
	KT_ASSERT_EQ(vm_map_enter_mem_object(B, &b, size, VM_FLAGS_ANYWHERE, ne, 0, false,
					     VM_PROT_DEFAULT, VM_PROT_DEFAULT, VM_INHERIT_COPY),
		     KERN_SUCCESS);
	/* Even pages written before the copies; odd ones stay zero fill. */
	for (unsigned i = 0; i < NE_PAGES; i += 2)
		KT_ASSERT(ne_poke(A, a + ptoa(i), 0x1000 + i));
	/* Odd pages read (mapped) by B before the copies. */
	for (unsigned i = 1; i < NE_PAGES; i += 2)
		KT_ASSERT_EQ(ne_peek(B, b + ptoa(i)), 0);

	KT_ASSERT_EQ(vm_map_copy_region(A, a, size, A, &c1), KERN_SUCCESS);
	F = vm_map_fork(B, m.nm_pmap[2]);
	KT_ASSERT(F != NULL);
	m.nm_map[3] = F; /* destroyed with the others (its pmap is nm_pmap[2]) */
	KT_ASSERT_EQ(vm_map_enter_mem_object(B, &c3, size, VM_FLAGS_ANYWHERE, ne, 0, true,
					     VM_PROT_DEFAULT, VM_PROT_DEFAULT, VM_INHERIT_COPY),
		     KERN_SUCCESS);
	/* The copies read what was there. */
	for (unsigned i = 0; i < NE_PAGES; i++) {
		uint64_t want = i % 2 == 0 ? 0x1000 + i : 0;

		KT_ASSERT_EQ(ne_peek(A, c1 + ptoa(i)), want);
		KT_ASSERT_EQ(ne_peek(F, b + ptoa(i)), want);
		KT_ASSERT_EQ(ne_peek(B, c3 + ptoa(i)), want);
	}
	/* The sharers write every page (in place, and zero fill of untouched ones). */
	for (unsigned i = 0; i < NE_PAGES; i++) {
		KT_ASSERT(ne_poke(i % 2 ? A : B, (i % 2 ? a : b) + ptoa(i), 0x2000 + i));
		KT_ASSERT(ne_poke(A, a + ptoa(i) + 8, 0x2100 + i));
	}
	/* A copy of a copy, made after the sharers wrote. */
	KT_ASSERT_EQ(vm_map_copy_region(A, c1, size, A, &c4), KERN_SUCCESS);
	/* The copies write their own words. */
	for (unsigned i = 0; i < NE_PAGES; i++) {
		KT_ASSERT(ne_poke(A, c1 + ptoa(i) + 16, 0xc100 + i));
		KT_ASSERT(ne_poke(F, b + ptoa(i) + 16, 0xf000 + i));
		KT_ASSERT(ne_poke(B, c3 + ptoa(i) + 16, 0xc300 + i));
	}
	for (unsigned i = 0; i < NE_PAGES; i++) {
		uint64_t old = i % 2 == 0 ? 0x1000 + i : 0;

		/* The sharers: each other's writes, none of the copies'. */
		KT_ASSERT_EQ(ne_peek(A, a + ptoa(i)), 0x2000 + i);
		KT_ASSERT_EQ(ne_peek(B, b + ptoa(i)), 0x2000 + i);
		KT_ASSERT_EQ(ne_peek(B, b + ptoa(i) + 8), 0x2100 + i);
		KT_ASSERT_EQ(ne_peek(B, b + ptoa(i) + 16), 0);
		/* The copies: the old contents and their own writes only. */
		KT_ASSERT_EQ(ne_peek(A, c1 + ptoa(i)), old);
		KT_ASSERT_EQ(ne_peek(A, c1 + ptoa(i) + 8), 0);
		KT_ASSERT_EQ(ne_peek(A, c1 + ptoa(i) + 16), 0xc100 + i);
		KT_ASSERT_EQ(ne_peek(F, b + ptoa(i)), old);
		KT_ASSERT_EQ(ne_peek(F, b + ptoa(i) + 16), 0xf000 + i);
		KT_ASSERT_EQ(ne_peek(B, c3 + ptoa(i)), old);
		KT_ASSERT_EQ(ne_peek(B, c3 + ptoa(i) + 16), 0xc300 + i);
		KT_ASSERT_EQ(ne_peek(A, c4 + ptoa(i)), old);
		KT_ASSERT_EQ(ne_peek(A, c4 + ptoa(i) + 16), 0);
	}
	KT_ASSERT(vm_fault_stats.vfs_pushes > 0);
	KT_ASSERT(vm_map_check(A) && vm_map_check(B) && vm_map_check(F));
	mach_memory_entry_deallocate(ne);
	ne_maps_destroy(&m);
	KT_ASSERT_EQ(vm_object_count, objs0);
	KT_ASSERT_EQ(vm_map_entry_count, ents0);
}
