/*
 * ipc_kmsg_fuzz.c — libFuzzer harness for Mach message copyin (mach/ipc/ipc_kmsg.c through
 * ipc_mach_msg): a message's bytes come from a user task, so any bytes must either be rejected
 * with a MACH_SEND_* code and the sender's space untouched, or be queued and then received
 * and destroyed with every right accounted for.
 *
 * Each input is one message sent from space A, which holds under fixed names (index << 8,
 * generation 0): 0x100 a receive right with a send right, 0x200 a receive right, 0x300 a send
 * right to B's port, 0x400 a send-once right to B's port, 0x500 a port set holding 0x200,
 * 0x600 a dead name. A's map holds 4 pages at FZ_MIN (out-of-line data may name them), and a
 * port array may be read at FZ_ARR (those names, NULL, DEAD and a bad one). Checked on every
 * input: a rejected message leaves A's names, types, user references and mapped bytes as they
 * were; an accepted one can be received; after both spaces are destroyed no port, set, copy
 * object, VM object or kalloc byte is left (a lost or duplicated right shows as a leak or an
 * ASan report).
 */
// fuzz-deps: mach/ipc/ipc_right.c mach/ipc/ipc_space.c mach/ipc/ipc_port.c
// fuzz-deps: mach/ipc/ipc_kmsg.c mach/ipc/ipc_mqueue.c
// fuzz-deps: mach/kern/zalloc.c mach/vm/vm_page.c kernel/libkern/format.c
// fuzz-deps: mach/vm/vm_map_copy.c mach/vm/vm_map.c mach/vm/vm_object.c mach/vm/vm_resident.c
// fuzz-deps: mach/vm/memory_object.c tests/unit/shim/pmap_fake.c
// fuzz-deps: tests/unit/shim/kalloc_malloc.c
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hosted.h>
#include <mach/ipc/ipc.h>
#include <mach/kern/zalloc.h>
#include <mach/vm/vm_map_copy.h>
#include <mach/vm/vm_page.h>
#include <mach/vm/vm_param.h>

#include "../unit/shim/kalloc_malloc.h"

#define NAMES 8

static void
fz_init(void)
{
	static bool done;
	struct boot_mem_region m = { 0, 64ULL << 20, BOOT_MEM_RAM };
	struct vm_phys_range low = { 0, 1 << 20 };
	void *phys;

	if (done)
		return;
	done = true;
	phys = aligned_alloc(PAGE_SIZE, 64ULL << 20);
	if (phys == NULL)
		abort();
	hosted_physmap_base = (uintptr_t)phys;
	vm_page_bootstrap(&m, 1, &low, 1);
	zone_bootstrap();
	ipc_bootstrap();
	vm_object_bootstrap();
	vm_map_bootstrap();
}

#define FZ_MIN 0x10000000UL
#define FZ_MAX 0x50000000UL
#define FZ_ARR 0x7000UL

static const mach_port_name_t fz_names[] = { 0x100, 0x200, 0x300, 0x400, 0x500, 0x600,
					     MACH_PORT_NULL, MACH_PORT_DEAD, 0x12345 };

/* Copy hooks: A's "memory" for port arrays is fz_names at FZ_ARR; received arrays go nowhere. */
static kern_return_t
fz_copyin(struct ipc_umem *um, vaddr_t uaddr, void *kbuf, vm_size_t len)
{
	(void)um;
	if (uaddr < FZ_ARR || uaddr - FZ_ARR > sizeof(fz_names) ||
	    len > sizeof(fz_names) - (uaddr - FZ_ARR))
		return KERN_INVALID_ADDRESS;
	memcpy(kbuf, (const uint8_t *)fz_names + (uaddr - FZ_ARR), len);
	return KERN_SUCCESS;
}

static kern_return_t
fz_copyout(struct ipc_umem *um, const void *kbuf, vaddr_t uaddr, vm_size_t len)
{
	(void)um;
	(void)kbuf;
	(void)uaddr;
	(void)len;
	return KERN_SUCCESS;
}

static vm_map_t
fz_map(bool with_data)
{
	vm_map_t map = vm_map_create((pmap_t)0x1000, FZ_MIN, FZ_MAX);
	vaddr_t a = FZ_MIN;

	if (map == NULL || (with_data && vm_map_enter(map, &a, 4 * PAGE_SIZE, VM_FLAGS_FIXED,
						      vm_object_allocate(4 * PAGE_SIZE), 0, false,
						      VM_PROT_DEFAULT, VM_PROT_ALL,
						      VM_INHERIT_DEFAULT) != KERN_SUCCESS))
		abort();
	return map;
}

static void
fz_give(ipc_space_t from, mach_port_name_t name, mach_msg_type_name_t disp, ipc_space_t to,
	mach_port_name_t want)
{
	ipc_port_t port;
	mach_msg_type_name_t type;

	if (mach_port_extract_right(from, name, disp, &port, &type) != KERN_SUCCESS ||
	    mach_port_insert_right(to, want, port, type) != KERN_SUCCESS)
		abort();
}

static void
fz_snapshot(ipc_space_t s, uint32_t snap[NAMES][2])
{
	memset(snap, 0, NAMES * sizeof(snap[0]));
	for (uint32_t i = 1; i < NAMES; i++) {
		mach_port_type_t t = 0;
		mach_port_urefs_t u = 0;

		if (mach_port_type(s, MACH_PORT_MAKE(i, 0), &t) != KERN_SUCCESS)
			t = 0;
		(void)mach_port_get_refs(s, MACH_PORT_MAKE(i, 0), MACH_PORT_RIGHT_SEND, &u);
		snap[i][0] = t;
		snap[i][1] = u;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ipc_space_t a, b;
	mach_port_name_t bport = MACH_PORT_MAKE(1, 0), n;
	uint32_t before[NAMES][2], after[NAMES][2];
	struct ipc_umem ua = { 0, fz_copyin, fz_copyout }, ub = { 0, fz_copyin, fz_copyout };
	uint64_t objs0;
	vm_size_t mapped0;
	mach_msg_return_t mr;
	size_t live0;
	uint8_t *msg;
	size_t cap;

	fz_init();
	if (size > IPC_KMSG_MAX_SIZE + 64)
		return 0;
	live0 = kalloc_shim_live;
	objs0 = vm_object_count;
	ua.um_map = fz_map(true);
	ub.um_map = fz_map(false);
	mapped0 = ua.um_map->vm_size;
	if (ipc_space_create(&a) != KERN_SUCCESS || ipc_space_create(&b) != KERN_SUCCESS)
		abort();
	if (mach_port_allocate_name(b, MACH_PORT_RIGHT_RECEIVE, bport) != KERN_SUCCESS ||
	    mach_port_allocate_name(a, MACH_PORT_RIGHT_RECEIVE, MACH_PORT_MAKE(1, 0)) != 0 ||
	    mach_port_allocate_name(a, MACH_PORT_RIGHT_RECEIVE, MACH_PORT_MAKE(2, 0)) != 0 ||
	    mach_port_allocate_name(a, MACH_PORT_RIGHT_PORT_SET, MACH_PORT_MAKE(5, 0)) != 0 ||
	    mach_port_allocate_name(a, MACH_PORT_RIGHT_DEAD_NAME, MACH_PORT_MAKE(6, 0)) != 0 ||
	    mach_port_move_member(a, MACH_PORT_MAKE(2, 0), MACH_PORT_MAKE(5, 0)) != 0)
		abort();
	fz_give(a, MACH_PORT_MAKE(1, 0), MACH_MSG_TYPE_MAKE_SEND, a, MACH_PORT_MAKE(1, 0));
	fz_give(b, bport, MACH_MSG_TYPE_MAKE_SEND, a, MACH_PORT_MAKE(3, 0));
	fz_give(b, bport, MACH_MSG_TYPE_MAKE_SEND_ONCE, a, MACH_PORT_MAKE(4, 0));

	/* The message in a buffer of exactly its size, so ASan sees any read past it. */
	cap = size + sizeof(mach_msg_audit_trailer_t) + 64;
	msg = malloc(cap);
	if (msg == NULL)
		abort();
	memcpy(msg, data, size);
	fz_snapshot(a, before);
	mr = ipc_mach_msg(a, &ua, msg, MACH_SEND_MSG | MACH_SEND_TIMEOUT, (mach_msg_size_t)size, 0, 0,
			  0);
	fz_snapshot(a, after);
	if (mr != MACH_MSG_SUCCESS && mr != MACH_SEND_TIMED_OUT &&
	    (memcmp(before, after, sizeof(before)) != 0 || ua.um_map->vm_size != mapped0))
		abort(); /* a rejected message moved a right or took memory */
	if (mr == MACH_MSG_SUCCESS) {
		/* It went to B's port or to one of A's: one of them holds exactly one message. */
		unsigned got = 0;

		for (int i = 0; i < 3; i++) {
			ipc_space_t s = i == 0 ? b : a;

			n = i == 0 ? bport : MACH_PORT_MAKE(i, 0);
			mr = ipc_mach_msg(s, i == 0 ? &ub : &ua, msg, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0,
					  (uint32_t)cap, n, 0);
			if (mr == MACH_MSG_SUCCESS ||
			    mr == (MACH_RCV_BODY_ERROR | MACH_MSG_IPC_SPACE) ||
			    mr == (MACH_RCV_BODY_ERROR | MACH_MSG_VM_SPACE))
				got++;
			else if (mr != MACH_RCV_TIMED_OUT && mr != MACH_RCV_INVALID_NAME)
				abort();
		}
		if (got != 1)
			abort();
	}
	free(msg);
	ipc_space_destroy(a);
	ipc_space_destroy(b);
	vm_map_deallocate(ua.um_map);
	vm_map_deallocate(ub.um_map);
	if (ipc_port_count() != 0 || ipc_pset_count() != 0 || kalloc_shim_live != live0 ||
	    vm_map_copy_count != 0 || vm_object_count != objs0)
		abort(); /* a right was lost or duplicated, or memory leaked */
	return 0;
}
