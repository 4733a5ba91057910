/*
 * vm_user_ktest.c — in-kernel self-tests of the Mach VM calls on a map that is not the current
 * one: vm_allocate/vm_write/vm_read/vm_copy round trips (the copy private both ways),
 * vm_protect refusing writes, maximum protection, vm_inherit feeding vm_map_fork,
 * vm_deallocate, and no page leaked.
 */
#include <arch/x86_64/pmap.h>
#include <console.h>
#include <ktest.h>
#include <mach/vm/vm_ktest_util.h>
#include <mach/vm/vm_kern.h>
#include <mach/vm/vm_param.h>
#include <mach/vm/vm_user.h>

#define VU_MIN 0x40000000UL

static bool
vm_user_ktest_cycle(void)
{
	static uint8_t buf[3 * PAGE_SIZE];
	vaddr_t a = VU_MIN, b = 0, data = 0;
	pmap_t p = pmap_create(), p2 = pmap_create();
	vm_map_t map, child;
	bool ok = true;

	if (p == NULL || p2 == NULL || (map = vm_map_create(p, VU_MIN, PMAP_USER_TOP)) == NULL)
		return false;
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 1);
	ok = ok && vm_allocate(map, &a, 3 * PAGE_SIZE, true) == KERN_SUCCESS && a == VU_MIN;
	ok = ok && vm_allocate(map, &b, 3 * PAGE_SIZE, true) == KERN_SUCCESS && b > a;
	ok = ok && vm_allocate(map, &a, PAGE_SIZE, false) == KERN_NO_SPACE;
	ok = ok && vm_allocate(map, &b, 0, true) == KERN_INVALID_ARGUMENT;
	/* Unaligned write across pages, read back through a kernel copy. */
	ok = ok && vm_write(map, a + 100, buf, sizeof(buf) - 200) == KERN_SUCCESS;
	ok = ok && vm_read(map, a, 3 * PAGE_SIZE, &data) == KERN_SUCCESS;
	if (ok) {
		const uint8_t *d = (const uint8_t *)data;

		for (unsigned i = 0; i < 100; i++)
			ok = ok && d[i] == 0;
		ok = ok && memcmp(d + 100, buf, sizeof(buf) - 200) == 0;
		kmem_free(data, 3 * PAGE_SIZE);
	}
	ok = ok && vm_copy(map, a, 3 * PAGE_SIZE, b) == KERN_SUCCESS;
	ok = ok && vm_copy(map, a, 3 * PAGE_SIZE, a + PAGE_SIZE) == KERN_INVALID_ARGUMENT;
	ok = ok && vm_read(map, b, 3 * PAGE_SIZE, &data) == KERN_SUCCESS;
	if (ok) {
		ok = memcmp((const uint8_t *)data + 100, buf, sizeof(buf) - 200) == 0;
		kmem_free(data, 3 * PAGE_SIZE);
	}
	/* The copy and its source are private: a write on either side stays there. */
	if (ok) {
		uint8_t x = 0x77, y = 0;

		ok = vm_write(map, a + 300, &x, 1) == KERN_SUCCESS;
		ok = ok && vm_map_copy_bytes(map, b + 300, &y, 1, false) == KERN_SUCCESS &&
		     y == buf[200];
		x = 0x66;
		ok = ok && vm_write(map, b + 400, &x, 1) == KERN_SUCCESS;
		ok = ok && vm_map_copy_bytes(map, a + 400, &y, 1, false) == KERN_SUCCESS &&
		     y == buf[300];
	}
	/* Read-only refuses writes; the maximum cannot be exceeded once lowered. */
	ok = ok && vm_protect(map, b, PAGE_SIZE, false, VM_PROT_READ) == KERN_SUCCESS;
	ok = ok && vm_write(map, b + 8, buf, 8) == KERN_PROTECTION_FAILURE;
	ok = ok && vm_protect(map, b, PAGE_SIZE, true, VM_PROT_READ) == KERN_SUCCESS;
	ok = ok && vm_protect(map, b, PAGE_SIZE, false, VM_PROT_DEFAULT) ==
			   KERN_PROTECTION_FAILURE;
	ok = ok && vm_read(map, VU_MIN - PAGE_SIZE, 8, &data) == KERN_INVALID_ADDRESS;
	/* Inheritance: the child gets a (COW) copy of a, nothing of b. */
	ok = ok && vm_inherit(map, b, 3 * PAGE_SIZE, VM_INHERIT_NONE) == KERN_SUCCESS;
	child = ok ? vm_map_fork(map, p2) : NULL;
	if (child != NULL) {
		uint8_t c = 0;

		ok = ok && vm_map_copy_bytes(child, a + 100, &c, 1, false) == KERN_SUCCESS &&
		     c == buf[0];
		c = 0xee;
		ok = ok && vm_write(child, a + 100, &c, 1) == KERN_SUCCESS;
		ok = ok && vm_map_copy_bytes(map, a + 100, &c, 1, false) == KERN_SUCCESS &&
		     c == buf[0];
		ok = ok && vm_read(child, b, 8, &data) == KERN_INVALID_ADDRESS;
		vm_map_deallocate(child);
	} else {
		ok = false;
	}
	ok = ok && vm_deallocate(map, a, 3 * PAGE_SIZE) == KERN_SUCCESS;
	ok = ok && vm_deallocate(map, a, 0) == KERN_SUCCESS;
	ok = ok && map->vm_nentries == 2; /* b split by its protections */
	vm_map_deallocate(map);
	pmap_destroy(p);
	pmap_destroy(p2);
	return ok;
}

KTEST(vm_user_calls)
{
	uint64_t objs0 = vm_object_count;
	bool ok;

	KT_ASSERT(vm_user_ktest_cycle());
	vm_kt_account_begin();
	ok = vm_user_ktest_cycle();
	VM_KT_ASSERT_BALANCE(0);
	KT_ASSERT(ok);
	KT_ASSERT_EQ(vm_object_count, objs0);
}
