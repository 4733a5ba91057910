/*
 * ipc_ool_ktest.c — self-tests of out-of-line IPC between two address spaces, through the
 * trap-level entry (ipc_mach_msg_trap) with the messages themselves in the tasks' maps: OOL
 * data arrives intact, shares the sender's physical pages, and is copy-on-write both ways; a
 * deallocating send takes the range from the sender; port arrays carry rights; a message
 * destroyed undelivered gives back its copy, objects and pages; the trailer carries the
 * sender's security and audit tokens; and (by name only) the OOL throughput figure.
 *
 * Each "task" is an ipc_space plus a vm_map over its own pmap, reached through copy hooks that
 * are vm_map_copy_bytes (the user copy will take their place for user tasks).
 */
#include <arch/x86_64/pmap.h>
#include <arch/x86_64/timer.h>
#include <console.h>
#include <ktest.h>
#include <mach/ipc/ipc.h>
#include <mach/vm/vm_map_copy.h>
#include <mach/vm/vm_param.h>
#include <mach/vm/vm_user.h>

#define OK_MIN 0x40000000UL

struct ok_task {
	ipc_space_t space;
	pmap_t pmap;
	struct ipc_umem um;
	vaddr_t msg;	/* a page for the message buffer */
};

static kern_return_t
ok_copyin(struct ipc_umem *um, vaddr_t uaddr, void *kbuf, vm_size_t len)
{
	return vm_map_copy_bytes(um->um_map, uaddr, kbuf, len, false);
}

static kern_return_t
ok_copyout(struct ipc_umem *um, const void *kbuf, vaddr_t uaddr, vm_size_t len)
{
	return vm_map_copy_bytes(um->um_map, uaddr, (void *)(uintptr_t)kbuf, len, true);
}

static bool
ok_task_create(struct ok_task *t)
{
	t->pmap = pmap_create();
	if (t->pmap == NULL || ipc_space_create(&t->space) != KERN_SUCCESS)
		return false;
	t->um.um_map = vm_map_create(t->pmap, OK_MIN, PMAP_USER_TOP);
	t->um.um_copyin = ok_copyin;
	t->um.um_copyout = ok_copyout;
	t->msg = 0;
	return t->um.um_map != NULL &&
	       vm_allocate(t->um.um_map, &t->msg, PAGE_SIZE, true) == KERN_SUCCESS;
}

static void
ok_task_destroy(struct ok_task *t)
{
	ipc_space_destroy(t->space);
	vm_map_deallocate(t->um.um_map);
	pmap_destroy(t->pmap);
}

struct ok_msg {
	mach_msg_header_t h;
	mach_msg_body_t body;
	mach_msg_ool_descriptor_t mem;
	mach_msg_ool_ports_descriptor_t ports;
	uint32_t pad;
	mach_msg_audit_trailer_t t;
};

#define OK_SEND_SIZE ((mach_msg_size_t)offsetof(struct ok_msg, t))

/* Send m from t's message page; then receive on rcv in r's page and read it back into m. */
static mach_msg_return_t
ok_send(struct ok_task *t, struct ok_msg *m)
{
	if (vm_write(t->um.um_map, t->msg, m, OK_SEND_SIZE) != KERN_SUCCESS)
		return MACH_SEND_INVALID_DATA;
	return ipc_mach_msg_trap(t->space, &t->um, t->msg, MACH_SEND_MSG, OK_SEND_SIZE, 0, 0, 0);
}

static mach_msg_return_t
ok_receive(struct ok_task *r, mach_port_name_t rcv, struct ok_msg *m)
{
	mach_msg_return_t mr;

	mr = ipc_mach_msg_trap(r->space, &r->um, r->msg,
			       MACH_RCV_MSG | MACH_RCV_TIMEOUT |
				   MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_AUDIT),
			       0, sizeof(*m), rcv, 0);
	if (vm_map_copy_bytes(r->um.um_map, r->msg, m, sizeof(*m), false) != KERN_SUCCESS)
		return MACH_RCV_INVALID_DATA;
	return mr;
}

/* A send right to r's new port, named in t's space; r's receive name in *rcvp. */
static mach_port_name_t
ok_connect(struct ok_task *t, struct ok_task *r, mach_port_name_t *rcvp)
{
	mach_msg_type_name_t type;
	mach_port_name_t n = MACH_PORT_NULL;
	ipc_port_t port;

	if (mach_port_allocate(r->space, MACH_PORT_RIGHT_RECEIVE, rcvp) != KERN_SUCCESS ||
	    mach_port_extract_right(r->space, *rcvp, MACH_MSG_TYPE_MAKE_SEND, &port, &type) !=
		KERN_SUCCESS)
		return MACH_PORT_NULL;
	ipc_lock();
	if (ipc_right_copyout(t->space, port, type, &n) != KERN_SUCCESS)
		ipc_object_destroy(port, type);
	ipc_unlock();
	return n;
}

static void
ok_header(struct ok_msg *m, mach_port_name_t dest, uint32_t ndesc)
{
	memset(m, 0, sizeof(*m));
	m->h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0) | MACH_MSGH_BITS_COMPLEX;
	m->h.msgh_remote_port = dest;
	m->h.msgh_id = 4242;
	m->body.msgh_descriptor_count = ndesc;
	m->ports.type = MACH_MSG_OOL_PORTS_DESCRIPTOR;
	m->ports.disposition = MACH_MSG_TYPE_MAKE_SEND;
}

static uint8_t ok_buf[8 * PAGE_SIZE], ok_buf2[8 * PAGE_SIZE];

#define OK_LEN (5 * PAGE_SIZE + 123)

KTEST(ipc_ool_copy_on_write)
{
	struct ok_task a, b;
	mach_port_name_t rcv, dest;
	struct ok_msg m;
	vaddr_t data = 0, got;
	uint8_t c;

	KT_ASSERT(ok_task_create(&a) && ok_task_create(&b));
	a.space->is_sec_token = (security_token_t){ { 501, 20 } };
	a.space->is_audit_token.val[5] = 77;
	KT_ASSERT((dest = ok_connect(&a, &b, &rcv)) != MACH_PORT_NULL);
	for (unsigned i = 0; i < sizeof(ok_buf); i++)
		ok_buf[i] = (uint8_t)(i * 13 + i / PAGE_SIZE);
	KT_ASSERT_EQ(vm_allocate(a.um.um_map, &data, 6 * PAGE_SIZE, true), KERN_SUCCESS);
	KT_ASSERT_EQ(vm_write(a.um.um_map, data + 77, ok_buf, OK_LEN), KERN_SUCCESS);
	ok_header(&m, dest, 1);
	m.mem.type = MACH_MSG_OOL_DESCRIPTOR;
	m.mem.copy = MACH_MSG_VIRTUAL_COPY;
	m.mem.address = data + 77;
	m.mem.size = OK_LEN;
	KT_ASSERT_EQ(ok_send(&a, &m), MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(ok_receive(&b, rcv, &m), MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(m.h.msgh_id, 4242);
	KT_ASSERT_EQ(m.mem.size, OK_LEN);
	got = m.mem.address;
	KT_ASSERT(got != 0 && (got & PAGE_MASK) == 77);
	KT_ASSERT_EQ(m.t.msgh_sender.val[0], 501);
	KT_ASSERT_EQ(m.t.msgh_sender.val[1], 20);
	KT_ASSERT_EQ(m.t.msgh_audit.val[5], 77);
	KT_ASSERT_EQ(vm_map_copy_bytes(b.um.um_map, got, ok_buf2, OK_LEN, false), KERN_SUCCESS);
	KT_ASSERT(memcmp(ok_buf, ok_buf2, OK_LEN) == 0);
	/* Not copied: both maps read the same physical page. */
	KT_ASSERT_EQ(vm_map_copy_bytes(a.um.um_map, data + 2 * PAGE_SIZE, &c, 1, false),
		     KERN_SUCCESS);
	KT_ASSERT(pmap_extract(a.pmap, data + 2 * PAGE_SIZE) != 0);
	KT_ASSERT_EQ(pmap_extract(a.pmap, data + 2 * PAGE_SIZE),
		     pmap_extract(b.pmap, got - 77 + 2 * PAGE_SIZE));
	/* The sender writes after the send: the receiver keeps what was sent. */
	c = 0xa5;
	KT_ASSERT_EQ(vm_write(a.um.um_map, data + 77, &c, 1), KERN_SUCCESS);
	KT_ASSERT_EQ(vm_map_copy_bytes(b.um.um_map, got, &c, 1, false), KERN_SUCCESS);
	KT_ASSERT_EQ(c, ok_buf[0]);
	/* And the other way round. */
	c = 0x5a;
	KT_ASSERT_EQ(vm_write(b.um.um_map, got + 3 * PAGE_SIZE, &c, 1), KERN_SUCCESS);
	KT_ASSERT_EQ(vm_map_copy_bytes(a.um.um_map, data + 77 + 3 * PAGE_SIZE, &c, 1, false),
		     KERN_SUCCESS);
	KT_ASSERT_EQ(c, ok_buf[3 * PAGE_SIZE]);
	KT_ASSERT(pmap_extract(a.pmap, data + 3 * PAGE_SIZE) !=
		  pmap_extract(b.pmap, got - 77 + 3 * PAGE_SIZE));
	ok_task_destroy(&a);
	ok_task_destroy(&b);
}

KTEST(ipc_ool_deallocate_and_port_arrays)
{
	struct ok_task a, b;
	mach_port_name_t rcv, dest, p[3], names[3];
	mach_port_type_t type;
	struct ok_msg m;
	vaddr_t data = 0, arr = 0;
	uint8_t c;

	KT_ASSERT(ok_task_create(&a) && ok_task_create(&b));
	KT_ASSERT((dest = ok_connect(&a, &b, &rcv)) != MACH_PORT_NULL);
	KT_ASSERT_EQ(vm_allocate(a.um.um_map, &data, 2 * PAGE_SIZE, true), KERN_SUCCESS);
	KT_ASSERT_EQ(vm_allocate(a.um.um_map, &arr, PAGE_SIZE, true), KERN_SUCCESS);
	c = 0x3c;
	KT_ASSERT_EQ(vm_write(a.um.um_map, data + PAGE_SIZE + 5, &c, 1), KERN_SUCCESS);
	for (unsigned i = 0; i < 3; i++)
		KT_ASSERT_EQ(mach_port_allocate(a.space, MACH_PORT_RIGHT_RECEIVE, &p[i]),
			     KERN_SUCCESS);
	p[1] = MACH_PORT_NULL;
	KT_ASSERT_EQ(vm_write(a.um.um_map, arr, p, sizeof(p)), KERN_SUCCESS);
	ok_header(&m, dest, 2);
	m.mem.type = MACH_MSG_OOL_DESCRIPTOR;
	m.mem.deallocate = 1;
	m.mem.address = data;
	m.mem.size = 2 * PAGE_SIZE;
	m.ports.address = arr;
	m.ports.count = 3;
	m.ports.deallocate = 1;
	KT_ASSERT_EQ(ok_send(&a, &m), MACH_MSG_SUCCESS);
	/* Both ranges left the sender with the send. */
	KT_ASSERT_EQ(vm_map_copy_bytes(a.um.um_map, data, &c, 1, false), KERN_INVALID_ADDRESS);
	KT_ASSERT_EQ(vm_map_copy_bytes(a.um.um_map, arr, &c, 1, false), KERN_INVALID_ADDRESS);
	KT_ASSERT_EQ(ok_receive(&b, rcv, &m), MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(vm_map_copy_bytes(b.um.um_map, m.mem.address + PAGE_SIZE + 5, &c, 1, false),
		     KERN_SUCCESS);
	KT_ASSERT_EQ(c, 0x3c);
	KT_ASSERT_EQ(m.ports.count, 3);
	KT_ASSERT_EQ(m.ports.disposition, MACH_MSG_TYPE_PORT_SEND);
	KT_ASSERT_EQ(vm_map_copy_bytes(b.um.um_map, m.ports.address, names, sizeof(names), false),
		     KERN_SUCCESS);
	KT_ASSERT_EQ(names[1], MACH_PORT_NULL);
	KT_ASSERT_EQ(mach_port_type(b.space, names[0], &type), KERN_SUCCESS);
	KT_ASSERT_EQ(type, MACH_PORT_TYPE_SEND);
	KT_ASSERT_EQ(mach_port_type(b.space, names[2], &type), KERN_SUCCESS);
	KT_ASSERT_EQ(type, MACH_PORT_TYPE_SEND);
	ok_task_destroy(&a);
	ok_task_destroy(&b);
}

KTEST(ipc_ool_destroyed_message_releases_memory)
{
	uint64_t copies0 = vm_map_copy_count, objs0 = vm_object_count, ports0 = ipc_port_count();
	struct ok_task a, b;
	mach_port_name_t rcv, dest, p;
	struct ok_msg m;
	vaddr_t data = 0, arr = 0;

	KT_ASSERT(ok_task_create(&a) && ok_task_create(&b));
	KT_ASSERT((dest = ok_connect(&a, &b, &rcv)) != MACH_PORT_NULL);
	KT_ASSERT_EQ(vm_allocate(a.um.um_map, &data, 4 * PAGE_SIZE, true), KERN_SUCCESS);
	KT_ASSERT_EQ(vm_write(a.um.um_map, data, ok_buf, 4 * PAGE_SIZE), KERN_SUCCESS);
	KT_ASSERT_EQ(vm_allocate(a.um.um_map, &arr, PAGE_SIZE, true), KERN_SUCCESS);
	KT_ASSERT_EQ(mach_port_allocate(a.space, MACH_PORT_RIGHT_RECEIVE, &p), KERN_SUCCESS);
	KT_ASSERT_EQ(vm_write(a.um.um_map, arr, &p, sizeof(p)), KERN_SUCCESS);
	ok_header(&m, dest, 2);
	m.mem.type = MACH_MSG_OOL_DESCRIPTOR;
	m.mem.deallocate = 1;
	m.mem.address = data;
	m.mem.size = 4 * PAGE_SIZE;
	m.ports.address = arr;
	m.ports.count = 1;
	m.ports.disposition = MACH_MSG_TYPE_MOVE_RECEIVE;
	KT_ASSERT_EQ(ok_send(&a, &m), MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(vm_map_copy_count, copies0 + 1);
	KT_ASSERT_EQ(mach_port_mod_refs(b.space, rcv, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	KT_ASSERT_EQ(vm_map_copy_count, copies0);
	ok_task_destroy(&a);
	ok_task_destroy(&b);
	KT_ASSERT_EQ(ipc_port_count(), ports0);
	/* No object is left to hold the pages (the free page count itself moves with whatever
	 * else the kernel does meanwhile: reaped stacks, page tables). */
	KT_ASSERT_EQ(vm_object_count, objs0);
}

#define OK_BIG (16u << 20)

/*
 * The OOL throughput figure: 16 MiB of resident data sent, received and unmapped, repeatedly.
 * A benchmark, run by name (ktest=ipc_ool_throughput): faulting 16 MiB in first takes long
 * under nested KVM, and the figure is not a pass/fail check.
 */
KTEST_F(ipc_ool_throughput, KTEST_EXPLICIT)
{
	struct ok_task a, b;
	mach_port_name_t rcv, dest;
	struct ok_msg m;
	vaddr_t data = 0;
	uint64_t t0, t1, n = 0;
	uint8_t c = 1;

	KT_ASSERT(ok_task_create(&a) && ok_task_create(&b));
	KT_ASSERT((dest = ok_connect(&a, &b, &rcv)) != MACH_PORT_NULL);
	KT_ASSERT_EQ(vm_allocate(a.um.um_map, &data, OK_BIG, true), KERN_SUCCESS);
	for (vaddr_t p = data; p < data + OK_BIG; p += PAGE_SIZE)
		KT_ASSERT_EQ(vm_write(a.um.um_map, p, &c, 1), KERN_SUCCESS);
	t0 = clock_uptime_ns();
	do {
		ok_header(&m, dest, 1);
		m.mem.type = MACH_MSG_OOL_DESCRIPTOR;
		m.mem.address = data;
		m.mem.size = OK_BIG;
		KT_ASSERT_EQ(ok_send(&a, &m), MACH_MSG_SUCCESS);
		KT_ASSERT_EQ(ok_receive(&b, rcv, &m), MACH_MSG_SUCCESS);
		KT_ASSERT_EQ(vm_deallocate(b.um.um_map, m.mem.address, OK_BIG), KERN_SUCCESS);
		n++;
		t1 = clock_uptime_ns();
	} while (t1 - t0 < 200000000ull);
	printf("# figure: ipc OOL transfer by COW (16 MiB resident, send + receive + unmap): "
	       "%llu in %llu ms = %llu MiB/s\n",
	       (unsigned long long)n, (unsigned long long)((t1 - t0) / 1000000),
	       (unsigned long long)(n * 16 * 1000000000ull / (t1 - t0)));
	ok_task_destroy(&a);
	ok_task_destroy(&b);
}

#define OK_HUGE	      (64u << 20)
#define OK_HUGE_PAGES (OK_HUGE / PAGE_SIZE)

/* The word page i of the 64 MiB region starts with. */
static uint64_t
ok_word(uint64_t i)
{
	return i * 0x9e3779b97f4a7c15ull;
}

/* How many pages of the two ranges the two pmaps map to the same physical page. */
static uint64_t
ok_shared_pages(struct ok_task *a, vaddr_t da, struct ok_task *b, vaddr_t db)
{
	uint64_t n = 0;

	for (uint64_t i = 0; i < OK_HUGE_PAGES; i++) {
		paddr_t pa = pmap_extract(a->pmap, da + i * PAGE_SIZE);

		n += pa != 0 && pa == pmap_extract(b->pmap, db + i * PAGE_SIZE);
	}
	return n;
}

/* Read page i's first word through t's map (faulting it in); false on a fault error. */
static bool
ok_read_word(struct ok_task *t, vaddr_t base, uint64_t i, uint64_t *w)
{
	return vm_map_copy_bytes(t->um.um_map, base + i * PAGE_SIZE, w, sizeof(*w), false) ==
	       KERN_SUCCESS;
}

/*
 * 64 MiB out of line by copy-on-write: after the send and the receive, every page of the
 * receiver's range is the sender's physical page (nothing was copied); a write on either side
 * gives that side a private page, and the other keeps the bytes it had. Run by name (and by
 * the ipc-ool boot scenario): 16,384 resident pages are long to fault in under nested KVM.
 */
KTEST_F(ipc_ool_64m_shares_pages_until_written, KTEST_EXPLICIT)
{
	struct ok_task a, b;
	mach_port_name_t rcv, dest;
	struct ok_msg m;
	vaddr_t data = 0, got;
	uint64_t w, t0, t1, shared;
	const uint64_t wa = 3, wb = OK_HUGE_PAGES - 5; /* written by a, by b after the send */

	KT_ASSERT(ok_task_create(&a) && ok_task_create(&b));
	KT_ASSERT((dest = ok_connect(&a, &b, &rcv)) != MACH_PORT_NULL);
	KT_ASSERT_EQ(vm_allocate(a.um.um_map, &data, OK_HUGE, true), KERN_SUCCESS);
	for (uint64_t i = 0; i < OK_HUGE_PAGES; i++) {
		w = ok_word(i);
		KT_ASSERT_EQ(vm_write(a.um.um_map, data + i * PAGE_SIZE, &w, sizeof(w)),
			     KERN_SUCCESS);
	}
	ok_header(&m, dest, 1);
	m.mem.type = MACH_MSG_OOL_DESCRIPTOR;
	m.mem.copy = MACH_MSG_VIRTUAL_COPY;
	m.mem.address = data;
	m.mem.size = OK_HUGE;
	t0 = clock_uptime_ns();
	KT_ASSERT_EQ(ok_send(&a, &m), MACH_MSG_SUCCESS);
	KT_ASSERT_EQ(ok_receive(&b, rcv, &m), MACH_MSG_SUCCESS);
	t1 = clock_uptime_ns();
	KT_ASSERT_EQ(m.mem.size, OK_HUGE);
	got = m.mem.address;
	KT_ASSERT(got != 0 && (got & PAGE_MASK) == 0);
	/* Both sides read every page: the same bytes, from the same physical pages. */
	for (uint64_t i = 0; i < OK_HUGE_PAGES; i++) {
		KT_ASSERT(ok_read_word(&b, got, i, &w));
		KT_ASSERT_EQ(w, ok_word(i));
		KT_ASSERT(ok_read_word(&a, data, i, &w));
	}
	shared = ok_shared_pages(&a, data, &b, got);
	KT_ASSERT_EQ(shared, OK_HUGE_PAGES);
	/* The sender writes one page, the receiver another: each gets a private copy. */
	w = 0xaaaa;
	KT_ASSERT_EQ(vm_write(a.um.um_map, data + wa * PAGE_SIZE, &w, sizeof(w)), KERN_SUCCESS);
	w = 0xbbbb;
	KT_ASSERT_EQ(vm_write(b.um.um_map, got + wb * PAGE_SIZE, &w, sizeof(w)), KERN_SUCCESS);
	KT_ASSERT(ok_read_word(&b, got, wa, &w));
	KT_ASSERT_EQ(w, ok_word(wa));
	KT_ASSERT(ok_read_word(&a, data, wb, &w));
	KT_ASSERT_EQ(w, ok_word(wb));
	KT_ASSERT(ok_read_word(&a, data, wa, &w));
	KT_ASSERT_EQ(w, 0xaaaa);
	KT_ASSERT(ok_read_word(&b, got, wb, &w));
	KT_ASSERT_EQ(w, 0xbbbb);
	KT_ASSERT(pmap_extract(a.pmap, data + wa * PAGE_SIZE) !=
		  pmap_extract(b.pmap, got + wa * PAGE_SIZE));
	KT_ASSERT(pmap_extract(a.pmap, data + wb * PAGE_SIZE) !=
		  pmap_extract(b.pmap, got + wb * PAGE_SIZE));
	/* Only those two pages stopped being shared. */
	KT_ASSERT_EQ(ok_shared_pages(&a, data, &b, got), OK_HUGE_PAGES - 2);
	printf("# figure: ipc OOL 64 MiB by COW: send + receive %llu us (%llu MiB/s), %llu of "
	       "%u pages shared until written\n",
	       (unsigned long long)((t1 - t0) / 1000),
	       (unsigned long long)(t1 > t0 ? 64ull * 1000000000ull / (t1 - t0) : 0),
	       (unsigned long long)shared, (unsigned)OK_HUGE_PAGES);
	ok_task_destroy(&a);
	ok_task_destroy(&b);
}
