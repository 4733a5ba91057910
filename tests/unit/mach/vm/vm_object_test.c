/*
 * vm_object_test.c — unit tests of mach/vm/vm_object.c and vm_resident.c: resident pages by
 * offset (with hash growth), reference counting, shadow-chain lookup, collapse and bypass
 * (random chains: what every offset reads as is the same before and after, and no page or
 * object is leaked), copy_quickly write-protecting pages, delayed copies of shared objects,
 * page-queue accounting, and the last_unmap a mapped object's pager hears.
 *
 * Pages come from vm_page over a host buffer standing for physical memory; the pmap is a fake
 * that records which pages were asked to lose write access or all their mappings.
 */
// unit-deps: memory_object.c vm_resident.c vm_page.c
// unit-deps: mach/kern/zalloc.c mach/kern/kalloc.c kernel/libkern/format.c
#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>

#include <mach/kern/kalloc.h>
#include <mach/kern/zalloc.h>
#include <mach/vm/memory_object.h>
#include <mach/vm/pmap.h>
#include <mach/vm/vm_object.h>
#include <mach/vm/vm_param.h>

#include "hosted_vm.h"

#define MiB	   (1ULL << 20)
#define PHYS_BYTES (32 * MiB)

static uint8_t *physmem;
static unsigned fake_protect_ro, fake_protect_none;

/* The fake pmap: nothing is ever mapped; calls are counted. */
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
	if (prot & VM_PROT_READ)
		fake_protect_ro++;
	else
		fake_protect_none++;
}

static void
setup(void)
{
	physmem = hosted_vm_page_boot(PHYS_BYTES);
	zone_bootstrap();
	kalloc_init();
	vm_object_bootstrap();
}

static void
teardown(void)
{
	free(physmem);
}

TestSuite(vm_object, .init = setup, .fini = teardown);

static uint64_t *
page_word(vm_page_t m)
{
	return phystokv(VM_PAGE_TO_PHYS(m));
}

/* A page in o at offset with tag written in it. */
static vm_page_t
put(vm_object_t o, vm_object_offset_t off, uint64_t tag)
{
	vm_page_t m = vm_page_alloc(o, off);

	cr_assert_not_null(m);
	*page_word(m) = tag;
	vm_page_activate(m);
	return m;
}

/*
 * Zones keep the chunks they grew (XXX zone_gc), so grow the object zone and the kalloc
 * classes the hash tables use once before a test counts free pages.
 */
static void
warm(void)
{
	vm_object_t big = vm_object_allocate(1100 * PAGE_SIZE), small[32];

	for (unsigned i = 0; i < 1100; i++)
		put(big, ptoa(i), i);
	for (unsigned i = 0; i < 32; i++) {
		small[i] = vm_object_allocate(PAGE_SIZE);
		put(small[i], 0, i);
	}
	vm_object_deallocate(big);
	for (unsigned i = 0; i < 32; i++)
		vm_object_deallocate(small[i]);
	fake_protect_none = fake_protect_ro = 0;
}

/* What offset of o reads as: the tag of the visible page, 0 for zero fill. */
static uint64_t
view(vm_object_t o, vm_object_offset_t off)
{
	vm_object_t where;
	vm_page_t m = vm_object_page_lookup_chain(o, off, &where);

	return m != NULL ? *page_word(m) : 0;
}

Test(vm_object, insert_lookup_remove_grow)
{
	uint64_t free0 = (warm(), vm_page_free_count);
	vm_object_t o = vm_object_allocate(1000 * PAGE_SIZE);

	cr_assert_not_null(o);
	for (unsigned i = 0; i < 1000; i++)
		put(o, ptoa((i * 7) % 1000), i);
	cr_assert_eq(o->vo_resident, 1000);
	cr_assert_gt(o->vo_hash_mask + 1, 8, "the table grew");
	for (unsigned i = 0; i < 1000; i++) {
		vm_page_t m = vm_page_lookup(o, ptoa((i * 7) % 1000));

		cr_assert_not_null(m);
		cr_assert_eq(*page_word(m), i);
		cr_assert_eq(m->vmp_object, o);
	}
	cr_assert_null(vm_page_lookup(o, ptoa(1000)));
	vm_page_free(vm_page_lookup(o, ptoa(5)));
	cr_assert_null(vm_page_lookup(o, ptoa(5)));
	cr_assert_eq(o->vo_resident, 999);
	cr_assert_eq(vm_page_active_count, 999);
	cr_assert(vm_page_queues_check());
	vm_object_deallocate(o);
	cr_assert_eq(vm_page_free_count, free0);
	cr_assert_eq(vm_object_count, 0);
	cr_assert_eq(vm_page_active_count, 0);
}

Test(vm_object, insert_twice_panics, .signal = SIGABRT)
{
	vm_object_t o = vm_object_allocate(PAGE_SIZE);
	vm_page_t m = vm_page_grab();

	put(o, 0, 1);
	vm_page_insert(m, o, 0);
}

Test(vm_object, references)
{
	uint64_t free0 = (warm(), vm_page_free_count);
	vm_object_t o = vm_object_allocate(4 * PAGE_SIZE);

	put(o, 0, 1);
	vm_object_reference(o);
	vm_object_deallocate(o);
	cr_assert_eq(vm_object_count, 1);
	cr_assert_eq(view(o, 0), 1);
	vm_object_deallocate(o);
	cr_assert_eq(vm_object_count, 0);
	cr_assert_eq(vm_page_free_count, free0);
	cr_assert_eq(fake_protect_none, 1, "freeing a page takes its mappings away");
}

Test(vm_object, shadow_lookup)
{
	vm_object_t base = vm_object_allocate(8 * PAGE_SIZE), o = base;
	vm_object_offset_t off = 2 * PAGE_SIZE;

	put(base, ptoa(2), 20);
	put(base, ptoa(3), 30);
	put(base, ptoa(5), 50);
	cr_assert(vm_object_shadow(&o, &off, 4 * PAGE_SIZE));
	cr_assert_neq(o, base);
	cr_assert_eq(off, 0);
	cr_assert_eq(o->vo_shadow, base);
	cr_assert_eq(o->vo_shadow_offset, 2 * PAGE_SIZE);
	cr_assert_eq(base->vo_refs, 1, "the caller's reference moved to the shadow");
	cr_assert_eq(view(o, 0), 20);
	cr_assert_eq(view(o, ptoa(1) + 100), 30);
	cr_assert_eq(view(o, ptoa(2)), 0);
	cr_assert_eq(view(o, ptoa(3)), 50);
	put(o, ptoa(1), 31);
	cr_assert_eq(view(o, ptoa(1)), 31);
	cr_assert_eq(view(base, ptoa(3)), 30, "the write stays in the shadow");
	cr_assert_eq(vm_object_chain_length(o), 1);
	vm_object_deallocate(o);
	cr_assert_eq(vm_object_count, 0);
}

Test(vm_object, copy_quickly_write_protects)
{
	vm_object_t o = vm_object_allocate(8 * PAGE_SIZE);

	for (unsigned i = 0; i < 8; i++)
		put(o, ptoa(i), i);
	vm_object_copy_quickly(o, ptoa(2), ptoa(3));
	cr_assert_eq(fake_protect_ro, 3);
	cr_assert_eq(o->vo_refs, 2);
	vm_object_deallocate(o);
	vm_object_deallocate(o);
	cr_assert_eq(vm_object_count, 0);
}

Test(vm_object, collapse_folds_private_backing)
{
	uint64_t free0 = (warm(), vm_page_free_count);
	vm_object_t a = vm_object_allocate(4 * PAGE_SIZE), o = a;
	vm_object_offset_t off = 0;

	put(a, ptoa(0), 1);
	put(a, ptoa(1), 2);
	put(a, ptoa(3), 4);
	cr_assert(vm_object_shadow(&o, &off, 4 * PAGE_SIZE));
	put(o, ptoa(1), 22);
	vm_object_collapse(o);
	cr_assert_null(o->vo_shadow);
	cr_assert_eq(vm_object_count, 1);
	cr_assert_eq(o->vo_resident, 3);
	cr_assert_eq(view(o, 0), 1);
	cr_assert_eq(view(o, ptoa(1)), 22);
	cr_assert_eq(view(o, ptoa(2)), 0);
	cr_assert_eq(view(o, ptoa(3)), 4);
	vm_object_deallocate(o);
	cr_assert_eq(vm_page_free_count, free0);
}

Test(vm_object, bypass_covered_shared_backing)
{
	vm_object_t a = vm_object_allocate(4 * PAGE_SIZE), b, o;
	vm_object_offset_t off = 0;

	put(a, ptoa(0), 1);
	b = a;
	cr_assert(vm_object_shadow(&b, &off, 4 * PAGE_SIZE)); /* b shadows a */
	put(b, ptoa(2), 3);
	vm_object_reference(b);	/* someone else holds b */
	o = b;
	off = 0;
	cr_assert(vm_object_shadow(&o, &off, 4 * PAGE_SIZE)); /* o shadows b */
	vm_object_collapse(o);
	cr_assert_eq(o->vo_shadow, b, "b's page 2 is visible through o: no bypass");
	put(o, ptoa(2), 33);
	vm_object_collapse(o);
	cr_assert_eq(o->vo_shadow, a, "o covers b: bypassed");
	cr_assert_eq(b->vo_refs, 1);
	cr_assert_eq(view(o, 0), 1);
	cr_assert_eq(view(o, ptoa(2)), 33);
	cr_assert_eq(view(b, ptoa(2)), 3);
	vm_object_deallocate(o);
	vm_object_deallocate(b);
	cr_assert_eq(vm_object_count, 0);
}

/*
 * Random chains: objects with random pages, shadowed at random offsets, with extra references
 * held at random; collapse the top and check that every offset reads the same, then drop all.
 */
Test(vm_object, random_chains_collapse_preserves_view)
{
	uint64_t free0 = (warm(), vm_page_free_count);

	srand(1234);
	for (unsigned round = 0; round < 200; round++) {
		vm_object_t held[8], o = vm_object_allocate(16 * PAGE_SIZE);
		unsigned nheld = 0, depth = 1 + rand() % 6;
		uint64_t before[16], tag = round * 1000;

		for (unsigned d = 0; d < depth; d++) {
			for (unsigned i = 0; i < 16; i++)
				if (rand() % 3 == 0 && vm_page_lookup(o, ptoa(i)) == NULL)
					put(o, ptoa(i), ++tag);
			if (d + 1 == depth)
				break;
			if (rand() % 3 == 0) {
				vm_object_reference(o);
				held[nheld++] = o;
			}
			vm_object_offset_t off = ptoa(rand() % 4);

			cr_assert(vm_object_shadow(&o, &off, 12 * PAGE_SIZE));
		}
		for (unsigned i = 0; i < 12; i++)
			before[i] = view(o, ptoa(i));
		vm_object_collapse(o);
		for (unsigned i = 0; i < 12; i++)
			cr_assert_eq(view(o, ptoa(i)), before[i], "round %u offset %u", round, i);
		if (nheld == 0)
			cr_assert_null(o->vo_shadow, "nothing shared: the chain folds into one");
		vm_object_deallocate(o);
		while (nheld > 0)
			vm_object_deallocate(held[--nheld]);
		cr_assert_eq(vm_object_count, 0);
		cr_assert(vm_page_queues_check());
	}
	cr_assert_eq(vm_page_free_count, free0);
	cr_assert_eq(vm_page_active_count, 0);
}

Test(vm_object, page_queues)
{
	vm_object_t o = vm_object_allocate(4 * PAGE_SIZE);
	vm_page_t m0 = put(o, 0, 1), m1 = put(o, ptoa(1), 2);

	cr_assert_eq(vm_page_active_count, 2);
	vm_page_deactivate(m0);
	cr_assert_eq(vm_page_active_count, 1);
	cr_assert_eq(vm_page_inactive_count, 1);
	cr_assert_eq(vm_page_queue_first(VM_PAGE_Q_INACTIVE), m0);
	vm_page_wire(m1);
	vm_page_wire(m1);
	cr_assert_eq(vm_page_wired_count, 1);
	cr_assert_eq(vm_page_active_count, 0);
	vm_page_deactivate(m1); /* wired pages stay wired */
	cr_assert_eq(vm_page_wired_count, 1);
	vm_page_unwire(m1);
	cr_assert_eq(vm_page_wired_count, 1);
	vm_page_unwire(m1);
	cr_assert_eq(vm_page_wired_count, 0);
	cr_assert_eq(vm_page_active_count, 1);
	cr_assert(vm_page_queues_check());
	vm_object_deallocate(o);
	cr_assert_eq(vm_page_active_count + vm_page_inactive_count + vm_page_wired_count, 0);
}

/* The laundry is a queue like the others: counted, left for free, and reserve-limited grabs. */
Test(vm_object, laundry_queue_and_reserve)
{
	vm_object_t o = vm_object_allocate(8 * PAGE_SIZE);
	vm_page_t m0 = put(o, 0, 1), m1 = put(o, ptoa(1), 2), m;
	uint64_t reserved0 = vm_page_free_reserved;

	vm_page_launder(m0);
	cr_assert_eq(vm_page_laundry_count, 1);
	cr_assert_eq(vm_page_active_count, 1);
	cr_assert_eq(vm_page_queue_first(VM_PAGE_Q_LAUNDRY), m0);
	vm_page_launder(m1);
	cr_assert_eq(vm_page_laundry_count, 2);
	cr_assert_eq(vm_page_active_count, 0);
	vm_page_activate(m0); /* a failed page-out goes back to active */
	cr_assert_eq(vm_page_laundry_count, 1);
	cr_assert(vm_page_queues_check());
	vm_page_free(m1); /* written: freed from the laundry */
	cr_assert_eq(vm_page_laundry_count, 0);
	cr_assert(vm_page_queues_check());

	/* vm_page_alloc leaves the reserve alone; vm_page_grab (kernel memory) does not. */
	vm_page_free_reserved = vm_page_free_count;
	cr_assert_null(vm_page_alloc(o, ptoa(2)));
	cr_assert_null(vm_page_lookup(o, ptoa(2)));
	vm_page_free_reserved = vm_page_free_count - 1;
	m = vm_page_alloc(o, ptoa(2));
	cr_assert_not_null(m);
	vm_page_free_reserved = reserved0;
	vm_object_deallocate(o);
	cr_assert_eq(vm_page_active_count + vm_page_inactive_count + vm_page_laundry_count, 0);
}

/*
 * Delayed copies of a TRUE_SHARE object: the copy shadows the original and is its vo_copy; a
 * second copy goes between (the first then shadows it); the live copy is neither collapsed
 * into nor bypassed by a shadow in front of it; the last reference on a copy unhooks it.
 */
Test(vm_object, delayed_copies_chain_and_unhook)
{
	vm_object_t o = vm_object_allocate(4 * PAGE_SIZE), c1, c2, s;
	vm_object_offset_t off = 0;

	put(o, ptoa(0), 1);
	vm_object_share(o);
	fake_protect_ro = 0;
	c1 = vm_object_copy_delayed(o);
	cr_assert_not_null(c1);
	cr_assert_eq(fake_protect_ro, 1, "the original's pages lose write access");
	cr_assert_eq(o->vo_copy, c1);
	cr_assert_eq(c1->vo_shadow, o);
	cr_assert(vm_object_is_live_copy(c1));
	cr_assert_eq(o->vo_refs, 2);
	cr_assert_eq(view(c1, 0), 1);

	c2 = vm_object_copy_delayed(o);
	cr_assert_eq(o->vo_copy, c2);
	cr_assert_eq(c1->vo_shadow, c2, "the older copy sees the original through the newer");
	cr_assert_eq(c2->vo_shadow, o);
	cr_assert_eq(o->vo_refs, 2, "the original: its own and the newest copy's");
	cr_assert_eq(c2->vo_refs, 2);
	cr_assert(!vm_object_is_live_copy(c1));

	/* A shadow in front of the live copy, covering all it has: it stays in the chain. */
	s = c2;
	cr_assert(vm_object_shadow(&s, &off, 4 * PAGE_SIZE)); /* takes over our reference */
	vm_object_collapse(s);
	cr_assert_eq(s->vo_shadow, c2, "the live copy is not collapsed or bypassed");

	/* Dropping the copies: the newest one's last reference unhooks it from the original. */
	vm_object_deallocate(c1);
	cr_assert_eq(o->vo_copy, c2);
	vm_object_deallocate(s);
	cr_assert_null(o->vo_copy);
	cr_assert_eq(o->vo_refs, 1);
	vm_object_deallocate(o);
	cr_assert_eq(vm_object_count, 0);
}

/* A pager that counts last_unmap and terminate calls (the vnode pager's contract). */
struct count_pager {
	struct memory_object cp_mo;
	unsigned cp_last_unmap, cp_terminate;
};

static void
count_last_unmap(memory_object_t mo)
{
	((struct count_pager *)mo)->cp_last_unmap++;
}

static void
count_terminate(memory_object_t mo)
{
	((struct count_pager *)mo)->cp_terminate++;
}

static const struct memory_object_pager_ops count_ops = {
	.mop_name = "count",
	.mop_last_unmap = count_last_unmap,
	.mop_terminate = count_terminate,
};

/*
 * A mapped object's pager hears once that the last reference besides its owner's went, through
 * vm_object_deallocate and vm_object_release_locked alike; an object not marked mapped (or
 * marked again later) is told again only after it was marked again.
 */
Test(vm_object, last_unmap_once_when_back_to_one_reference)
{
	struct count_pager cp = { { &count_ops }, 0, 0 };
	vm_object_t o = vm_object_allocate(4 * PAGE_SIZE);
	bool st;

	cr_assert_not_null(o);
	o->vo_flags = VM_OBJECT_MAPPED; /* external, mapped (as ubc_map leaves it) */
	o->vo_pager = &cp.cp_mo;
	vm_object_reference(o);
	vm_object_reference(o);
	vm_object_deallocate(o);
	cr_assert_eq(cp.cp_last_unmap, 0);
	st = lck_spin_lock_irqsave(&vm_object_lock_all);
	vm_object_release_locked(o);
	lck_spin_unlock_irqrestore(&vm_object_lock_all, st);
	cr_assert_eq(cp.cp_last_unmap, 1);
	cr_assert_eq(o->vo_flags & VM_OBJECT_MAPPED, 0);
	/* Unmarked: a reference taken and dropped says nothing. */
	vm_object_reference(o);
	vm_object_deallocate(o);
	cr_assert_eq(cp.cp_last_unmap, 1);
	/* Marked again, mapped again, unmapped again: told again. */
	o->vo_flags |= VM_OBJECT_MAPPED;
	vm_object_reference(o);
	vm_object_deallocate(o);
	cr_assert_eq(cp.cp_last_unmap, 2);
	vm_object_deallocate(o); /* the owner's: terminate, not last_unmap */
	cr_assert_eq(cp.cp_last_unmap, 2);
	cr_assert_eq(cp.cp_terminate, 1);
}
