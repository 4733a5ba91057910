/*
 * ipc_right_test.c — unit tests of Mach IPC's rights and messages (mach/ipc/): the arithmetic
 * of user references and port counts, names reused with a new generation, the error codes of
 * the mach_port_* calls, dead names and notifications, message copyin/copyout (every
 * disposition, malformed headers and descriptors rejected with nothing moved), the queue
 * limit, port sets, and a random-operation property test that nothing leaks.
 *
 * Hosted: no scheduler, so a receive on an empty queue and a send to a full one time out at
 * once. Zones run over a host buffer standing for physical memory; kalloc is the malloc shim.
 */
// unit-deps: mach/ipc/ipc_space.c mach/ipc/ipc_port.c mach/ipc/ipc_kmsg.c mach/ipc/ipc_mqueue.c
// unit-deps: mach/kern/zalloc.c mach/vm/vm_page.c kernel/libkern/format.c
// unit-deps: mach/vm/vm_map_copy.c mach/vm/vm_map.c mach/vm/vm_object.c mach/vm/vm_resident.c
// unit-deps: mach/vm/memory_object.c tests/unit/shim/pmap_fake.c
// unit-deps: tests/unit/shim/kalloc_malloc.c
#include <criterion/criterion.h>
#include <stdlib.h>

#include <mach/ipc/ipc.h>
#include <mach/kern/zalloc.h>
#include <mach/vm/vm_page.h>
#include <mach/vm/vm_map_copy.h>
#include <mach/vm/vm_param.h>

#include "../../shim/kalloc_malloc.h"
#include "hosted_vm.h"

#define PHYS_BYTES (32ULL << 20)

static uint8_t *physmem;
static ipc_space_t A, B;
static size_t live0;

static void
setup(void)
{
	physmem = hosted_vm_page_boot(PHYS_BYTES);
	zone_bootstrap();
	ipc_bootstrap();
	live0 = kalloc_shim_live;
	cr_assert_eq(ipc_space_create(&A), KERN_SUCCESS);
	cr_assert_eq(ipc_space_create(&B), KERN_SUCCESS);
}

static void
teardown(void)
{
	free(physmem);
}

TestSuite(ipc, .init = setup, .fini = teardown);

/* Destroy both spaces and check that no port, set or byte is left. */
static void
check_no_leak(void)
{
	ipc_space_destroy(A);
	ipc_space_destroy(B);
	cr_assert_eq(ipc_port_count(), 0, "%llu ports left", (unsigned long long)ipc_port_count());
	cr_assert_eq(ipc_pset_count(), 0);
	cr_assert_eq(kalloc_shim_live, live0, "%zu bytes left", kalloc_shim_live - live0);
}

static mach_port_name_t
new_recv(ipc_space_t s)
{
	mach_port_name_t n;

	cr_assert_eq(mach_port_allocate(s, MACH_PORT_RIGHT_RECEIVE, &n), KERN_SUCCESS);
	return n;
}

/* Give `to` a right made or moved from from's name by disposition; its name there. */
static mach_port_name_t
give(ipc_space_t from, mach_port_name_t name, mach_msg_type_name_t disp, ipc_space_t to)
{
	ipc_port_t port;
	mach_msg_type_name_t type;
	mach_port_name_t n;

	cr_assert_eq(mach_port_extract_right(from, name, disp, &port, &type), KERN_SUCCESS);
	ipc_lock();
	cr_assert_eq(ipc_right_copyout(to, port, type, &n), KERN_SUCCESS);
	ipc_unlock();
	return n;
}

static mach_port_urefs_t
refs(ipc_space_t s, mach_port_name_t n, mach_port_right_t r)
{
	mach_port_urefs_t u = 12345;

	cr_assert_eq(mach_port_get_refs(s, n, r, &u), KERN_SUCCESS);
	return u;
}

static mach_port_type_t
type_of(ipc_space_t s, mach_port_name_t n)
{
	mach_port_type_t t = 0;

	cr_assert_eq(mach_port_type(s, n, &t), KERN_SUCCESS);
	return t;
}

static struct ipc_port_status
status(ipc_space_t s, mach_port_name_t n)
{
	struct ipc_port_status st;

	cr_assert_eq(mach_port_get_status(s, n, &st), KERN_SUCCESS);
	return st;
}

Test(ipc, send_right_counts_and_urefs)
{
	mach_port_name_t r = new_recv(A), s;

	cr_assert_eq(type_of(A, r), MACH_PORT_TYPE_RECEIVE);
	/* MAKE_SEND into the same space coalesces under the receive right's name. */
	s = give(A, r, MACH_MSG_TYPE_MAKE_SEND, A);
	cr_assert_eq(s, r);
	cr_assert_eq(type_of(A, r), MACH_PORT_TYPE_SEND_RECEIVE);
	s = give(A, r, MACH_MSG_TYPE_MAKE_SEND, A);
	cr_assert_eq(refs(A, r, MACH_PORT_RIGHT_SEND), 2);
	cr_assert_eq(status(A, r).mps_mscount, 2);
	cr_assert_eq(status(A, r).mps_srights, 1, "an entry's send right counts once");
	/* Into another space: a new name, counted separately. */
	s = give(A, r, MACH_MSG_TYPE_MAKE_SEND, B);
	cr_assert_eq(status(A, r).mps_srights, 2);
	cr_assert_eq(give(A, r, MACH_MSG_TYPE_MAKE_SEND, B), s);
	cr_assert_eq(refs(B, s, MACH_PORT_RIGHT_SEND), 2);
	cr_assert_eq(mach_port_deallocate(B, s), KERN_SUCCESS);
	cr_assert_eq(mach_port_deallocate(B, s), KERN_SUCCESS);
	cr_assert_eq(mach_port_type(B, s, &(mach_port_type_t){ 0 }), KERN_INVALID_NAME);
	cr_assert_eq(status(A, r).mps_srights, 1);
	cr_assert_eq(mach_port_mod_refs(A, r, MACH_PORT_RIGHT_SEND, -2), KERN_SUCCESS);
	cr_assert_eq(type_of(A, r), MACH_PORT_TYPE_RECEIVE);
	cr_assert_eq(status(A, r).mps_srights, 0);
	check_no_leak();
}

Test(ipc, urefs_overflow_and_underflow)
{
	mach_port_name_t r = new_recv(A), s = give(A, r, MACH_MSG_TYPE_MAKE_SEND, B);

	cr_assert_eq(mach_port_mod_refs(B, s, MACH_PORT_RIGHT_SEND, MACH_PORT_UREFS_MAX - 1),
		     KERN_SUCCESS);
	cr_assert_eq(refs(B, s, MACH_PORT_RIGHT_SEND), MACH_PORT_UREFS_MAX);
	cr_assert_eq(mach_port_mod_refs(B, s, MACH_PORT_RIGHT_SEND, 1), KERN_UREFS_OVERFLOW);
	cr_assert_eq(refs(B, s, MACH_PORT_RIGHT_SEND), MACH_PORT_UREFS_MAX);
	/* A copied-out send right at the cap is dropped, the count stays pegged. */
	cr_assert_eq(give(A, r, MACH_MSG_TYPE_MAKE_SEND, B), s);
	cr_assert_eq(refs(B, s, MACH_PORT_RIGHT_SEND), MACH_PORT_UREFS_MAX);
	cr_assert_eq(status(A, r).mps_srights, 1);
	cr_assert_eq(mach_port_mod_refs(B, s, MACH_PORT_RIGHT_SEND, -(int)MACH_PORT_UREFS_MAX - 1),
		     KERN_INVALID_VALUE);
	cr_assert_eq(mach_port_mod_refs(A, r, MACH_PORT_RIGHT_RECEIVE, 1), KERN_UREFS_OVERFLOW);
	cr_assert_eq(mach_port_mod_refs(A, r, MACH_PORT_RIGHT_RECEIVE, -2), KERN_INVALID_VALUE);
	cr_assert_eq(mach_port_mod_refs(B, s, MACH_PORT_RIGHT_SEND, -(int)MACH_PORT_UREFS_MAX),
		     KERN_SUCCESS);
	cr_assert_eq(status(A, r).mps_srights, 0);
	check_no_leak();
}

Test(ipc, error_codes)
{
	mach_port_name_t r = new_recv(A), ps, dn;
	mach_port_urefs_t u;

	cr_assert_eq(mach_port_allocate(A, 7, &ps), KERN_INVALID_VALUE);
	cr_assert_eq(mach_port_allocate(A, MACH_PORT_RIGHT_PORT_SET, &ps), KERN_SUCCESS);
	cr_assert_eq(mach_port_allocate(A, MACH_PORT_RIGHT_DEAD_NAME, &dn), KERN_SUCCESS);
	cr_assert_eq(mach_port_deallocate(A, r), KERN_INVALID_RIGHT);
	cr_assert_eq(mach_port_deallocate(A, ps), KERN_INVALID_RIGHT);
	cr_assert_eq(mach_port_deallocate(A, MACH_PORT_NULL), KERN_INVALID_NAME);
	cr_assert_eq(mach_port_deallocate(A, MACH_PORT_DEAD), KERN_INVALID_NAME);
	cr_assert_eq(mach_port_deallocate(A, r + 1), KERN_INVALID_NAME, "wrong generation");
	cr_assert_eq(mach_port_deallocate(A, MACH_PORT_MAKE(5000, 0)), KERN_INVALID_NAME);
	cr_assert_eq(mach_port_mod_refs(A, r, MACH_PORT_RIGHT_SEND, 1), KERN_INVALID_RIGHT);
	cr_assert_eq(mach_port_mod_refs(A, r, 9, 1), KERN_INVALID_VALUE);
	cr_assert_eq(mach_port_get_refs(A, r, MACH_PORT_RIGHT_SEND, &u), KERN_SUCCESS);
	cr_assert_eq(u, 0);
	cr_assert_eq(mach_port_extract_right(A, r, MACH_MSG_TYPE_COPY_SEND, &(ipc_port_t){ 0 },
					     &(mach_msg_type_name_t){ 0 }),
		     KERN_INVALID_RIGHT);
	cr_assert_eq(mach_port_extract_right(A, r, 99, &(ipc_port_t){ 0 },
					     &(mach_msg_type_name_t){ 0 }),
		     KERN_INVALID_VALUE);
	cr_assert_eq(mach_port_allocate_name(A, MACH_PORT_RIGHT_RECEIVE, r), KERN_NAME_EXISTS);
	cr_assert_eq(mach_port_allocate_name(A, MACH_PORT_RIGHT_RECEIVE, MACH_PORT_DEAD),
		     KERN_INVALID_VALUE);
	cr_assert_eq(mach_port_move_member(A, r, MACH_PORT_NULL), KERN_NOT_IN_SET);
	cr_assert_eq(mach_port_move_member(A, r, dn), KERN_INVALID_RIGHT);
	cr_assert_eq(mach_port_set_qlimit(A, r, 0), KERN_INVALID_VALUE);
	cr_assert_eq(mach_port_mod_refs(A, dn, MACH_PORT_RIGHT_DEAD_NAME, 3), KERN_SUCCESS);
	cr_assert_eq(refs(A, dn, MACH_PORT_RIGHT_DEAD_NAME), 4);
	check_no_leak();
}

Test(ipc, names_reused_with_new_generation)
{
	mach_port_name_t n1 = new_recv(A), n2;

	cr_assert_eq(mach_port_mod_refs(A, n1, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	n2 = new_recv(A);
	cr_assert_eq(MACH_PORT_INDEX(n2), MACH_PORT_INDEX(n1));
	cr_assert_neq(MACH_PORT_GEN(n2), MACH_PORT_GEN(n1));
	cr_assert_eq(mach_port_type(A, n1, &(mach_port_type_t){ 0 }), KERN_INVALID_NAME);
	/* 300 reuses: the generation wraps but never makes MACH_PORT_NULL or MACH_PORT_DEAD. */
	for (int i = 0; i < 300; i++) {
		cr_assert_eq(mach_port_destroy(A, n2), KERN_SUCCESS);
		n2 = new_recv(A);
		cr_assert(MACH_PORT_VALID(n2));
	}
	/* A name chosen by the caller, far beyond the table. */
	cr_assert_eq(mach_port_allocate_name(A, MACH_PORT_RIGHT_RECEIVE, MACH_PORT_MAKE(4000, 7)),
		     KERN_SUCCESS);
	cr_assert_eq(type_of(A, MACH_PORT_MAKE(4000, 7)), MACH_PORT_TYPE_RECEIVE);
	check_no_leak();
}

Test(ipc, many_ports_grow_the_table)
{
	enum { N = 10000 };
	mach_port_name_t *n = calloc(N, sizeof(*n));

	for (int i = 0; i < N; i++)
		n[i] = new_recv(A);
	cr_assert_eq(ipc_port_count(), N);
	for (int i = 0; i < N; i++)
		cr_assert_eq(give(A, n[i], MACH_MSG_TYPE_MAKE_SEND, A), n[i]);
	for (int i = 0; i < N; i++)
		cr_assert_eq(mach_port_mod_refs(A, n[i], MACH_PORT_RIGHT_RECEIVE, -1), 0);
	for (int i = 0; i < N; i++) {
		cr_assert_eq(type_of(A, n[i]), MACH_PORT_TYPE_DEAD_NAME);
		cr_assert_eq(mach_port_deallocate(A, n[i]), KERN_SUCCESS);
	}
	cr_assert_eq(ipc_port_count(), 0);
	free(n);
	check_no_leak();
}

Test(ipc, insert_right)
{
	mach_port_name_t r = new_recv(A), other = new_recv(A);
	ipc_port_t port;
	mach_msg_type_name_t t;

	cr_assert_eq(mach_port_extract_right(A, r, MACH_MSG_TYPE_MAKE_SEND, &port, &t), 0);
	cr_assert_eq(mach_port_insert_right(A, other, port, t), KERN_NAME_EXISTS);
	cr_assert_eq(mach_port_insert_right(A, MACH_PORT_MAKE(77, 3), port, t), KERN_RIGHT_EXISTS);
	cr_assert_eq(mach_port_insert_right(A, r, port, 99), KERN_INVALID_VALUE);
	cr_assert_eq(mach_port_insert_right(B, MACH_PORT_MAKE(77, 3), port, t), KERN_SUCCESS);
	cr_assert_eq(type_of(B, MACH_PORT_MAKE(77, 3)), MACH_PORT_TYPE_SEND);
	cr_assert_eq(mach_port_extract_right(A, r, MACH_MSG_TYPE_MAKE_SEND, &port, &t), 0);
	cr_assert_eq(mach_port_insert_right(A, r, port, t), KERN_SUCCESS);
	cr_assert_eq(type_of(A, r), MACH_PORT_TYPE_SEND_RECEIVE);
	/* Moving the receive right out leaves the send right under the name. */
	cr_assert_eq(mach_port_extract_right(A, r, MACH_MSG_TYPE_MOVE_RECEIVE, &port, &t), 0);
	cr_assert_eq(type_of(A, r), MACH_PORT_TYPE_SEND);
	/* B names the port already: the receive right joins that name, no other. */
	cr_assert_eq(mach_port_insert_right(B, MACH_PORT_MAKE(78, 1), port, t), KERN_RIGHT_EXISTS);
	cr_assert_eq(mach_port_insert_right(B, MACH_PORT_MAKE(77, 3), port, t), KERN_SUCCESS);
	cr_assert_eq(type_of(B, MACH_PORT_MAKE(77, 3)), MACH_PORT_TYPE_SEND_RECEIVE);
	check_no_leak();
}

/* Receive one message on name into buf; the return code. */
static mach_msg_return_t
rcv(ipc_space_t s, mach_port_name_t name, void *buf, mach_msg_size_t size)
{
	return ipc_mach_msg(s, NULL, buf, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, size, name, 0);
}

Test(ipc, dead_name_notification)
{
	mach_port_name_t r = new_recv(A), s = give(A, r, MACH_MSG_TYPE_MAKE_SEND, B);
	mach_port_name_t nport = new_recv(B), prev;
	mach_dead_name_notification_t n;

	cr_assert_eq(mach_port_request_notification(B, s, MACH_NOTIFY_DEAD_NAME, 0, nport,
						    MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
		     KERN_SUCCESS);
	cr_assert_eq(prev, MACH_PORT_NULL);
	cr_assert(type_of(B, s) & MACH_PORT_TYPE_DNREQUEST);
	cr_assert_eq(mach_port_mod_refs(A, r, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	cr_assert_eq(rcv(B, nport, &n, sizeof(n)), MACH_MSG_SUCCESS);
	cr_assert_eq(n.not_header.msgh_id, MACH_NOTIFY_DEAD_NAME);
	cr_assert_eq(n.not_port, s);
	cr_assert_eq(n.not_header.msgh_local_port, nport);
	cr_assert_eq(MACH_MSGH_BITS_LOCAL(n.not_header.msgh_bits), MACH_MSG_TYPE_PORT_SEND_ONCE);
	cr_assert_eq(type_of(B, s), MACH_PORT_TYPE_DEAD_NAME);
	cr_assert_eq(refs(B, s, MACH_PORT_RIGHT_DEAD_NAME), 2, "the notification adds a ref");
	check_no_leak();
}

Test(ipc, no_senders_notification)
{
	mach_port_name_t r = new_recv(A), nport = new_recv(A), prev, s;
	mach_no_senders_notification_t n;

	s = give(A, r, MACH_MSG_TYPE_MAKE_SEND, B);
	cr_assert_eq(mach_port_request_notification(A, r, MACH_NOTIFY_NO_SENDERS, 1, nport,
						    MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev),
		     KERN_SUCCESS);
	cr_assert_eq(rcv(A, nport, &n, sizeof(n)), MACH_RCV_TIMED_OUT, "a sender exists");
	cr_assert_eq(mach_port_deallocate(B, s), KERN_SUCCESS);
	cr_assert_eq(rcv(A, nport, &n, sizeof(n)), MACH_MSG_SUCCESS);
	cr_assert_eq(n.not_header.msgh_id, MACH_NOTIFY_NO_SENDERS);
	cr_assert_eq(n.not_count, 1);
	check_no_leak();
}

Test(ipc, send_once_notification_when_unused)
{
	mach_port_name_t r = new_recv(A), so = give(A, r, MACH_MSG_TYPE_MAKE_SEND_ONCE, B);
	mach_send_once_notification_t n;

	cr_assert_eq(status(A, r).mps_sorights, 1);
	cr_assert_eq(mach_port_deallocate(B, so), KERN_SUCCESS);
	cr_assert_eq(rcv(A, r, &n, sizeof(n)), MACH_MSG_SUCCESS);
	cr_assert_eq(n.not_header.msgh_id, MACH_NOTIFY_SEND_ONCE);
	cr_assert_eq(status(A, r).mps_sorights, 0);
	check_no_leak();
}

Test(ipc, port_destroyed_notification_returns_receive_right)
{
	mach_port_name_t r = new_recv(A), nport = new_recv(B), prev, s;
	mach_port_destroyed_notification_t n;

	s = give(B, nport, MACH_MSG_TYPE_MAKE_SEND_ONCE, A);
	cr_assert_eq(mach_port_request_notification(A, r, MACH_NOTIFY_PORT_DESTROYED, 0, s,
						    MACH_MSG_TYPE_MOVE_SEND_ONCE, &prev),
		     KERN_SUCCESS);
	cr_assert_eq(mach_port_mod_refs(A, r, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	cr_assert_eq(rcv(B, nport, &n, sizeof(n)), MACH_MSG_SUCCESS);
	cr_assert_eq(n.not_header.msgh_id, MACH_NOTIFY_PORT_DESTROYED);
	cr_assert(n.not_header.msgh_bits & MACH_MSGH_BITS_COMPLEX);
	cr_assert_eq(n.not_port.disposition, MACH_MSG_TYPE_PORT_RECEIVE);
	cr_assert_eq(type_of(B, n.not_port.name), MACH_PORT_TYPE_RECEIVE);
	check_no_leak();
}

struct msg1 {
	mach_msg_header_t h;
	mach_msg_body_t body;
	mach_msg_port_descriptor_t d;
	uint32_t data;
};

struct rmsg1 {
	struct msg1 m;
	mach_msg_audit_trailer_t t;
};

static struct msg1
mk1(mach_port_name_t dest, mach_msg_type_name_t dd, mach_port_name_t reply,
    mach_msg_type_name_t rd, mach_port_name_t pn, mach_msg_type_name_t pd)
{
	struct msg1 m = { 0 };

	m.h.msgh_bits = MACH_MSGH_BITS(dd, rd) | MACH_MSGH_BITS_COMPLEX;
	m.h.msgh_remote_port = dest;
	m.h.msgh_local_port = reply;
	m.h.msgh_id = 1234;
	m.body.msgh_descriptor_count = 1;
	m.d.name = pn;
	m.d.disposition = (uint8_t)pd;
	m.d.type = MACH_MSG_PORT_DESCRIPTOR;
	m.data = 0xfeedface;
	return m;
}

static mach_msg_return_t
snd(ipc_space_t s, void *m, mach_msg_size_t size)
{
	return ipc_mach_msg(s, NULL, m, MACH_SEND_MSG | MACH_SEND_TIMEOUT, size, 0, 0, 0);
}

Test(ipc, rpc_with_reply_and_port_descriptor)
{
	mach_port_name_t srv = new_recv(B), cs = give(B, srv, MACH_MSG_TYPE_MAKE_SEND, A);
	mach_port_name_t reply = new_recv(A), carried = new_recv(A);
	struct msg1 m = mk1(cs, MACH_MSG_TYPE_COPY_SEND, reply, MACH_MSG_TYPE_MAKE_SEND_ONCE,
			    carried, MACH_MSG_TYPE_MOVE_RECEIVE);
	struct rmsg1 r;
	mach_msg_header_t rep = { 0 };

	cr_assert_eq(snd(A, &m, sizeof(m)), MACH_MSG_SUCCESS);
	cr_assert_eq(mach_port_type(A, carried, &(mach_port_type_t){ 0 }), KERN_INVALID_NAME);
	cr_assert_eq(status(B, srv).mps_msgcount, 1);
	/* Too small without MACH_RCV_LARGE: the message is destroyed. With it: it stays. */
	cr_assert_eq(ipc_mach_msg(B, NULL, &r, MACH_RCV_MSG | MACH_RCV_LARGE | MACH_RCV_TIMEOUT, 0,
				  sizeof(mach_msg_header_t), srv, 0),
		     MACH_RCV_TOO_LARGE);
	cr_assert_eq(r.m.h.msgh_size, sizeof(m) + sizeof(mach_msg_trailer_t));
	cr_assert_eq(ipc_mach_msg(B, NULL, &r, MACH_RCV_MSG | MACH_RCV_TIMEOUT |
					     MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_AUDIT),
				  0, sizeof(r), srv, 0),
		     MACH_MSG_SUCCESS);
	cr_assert_eq(r.m.h.msgh_size, sizeof(m));
	cr_assert_eq(r.m.h.msgh_id, 1234);
	cr_assert_eq(r.m.h.msgh_local_port, srv);
	cr_assert_eq(MACH_MSGH_BITS_REMOTE(r.m.h.msgh_bits), MACH_MSG_TYPE_PORT_SEND_ONCE);
	cr_assert_eq(MACH_MSGH_BITS_LOCAL(r.m.h.msgh_bits), MACH_MSG_TYPE_PORT_SEND);
	cr_assert_eq(type_of(B, r.m.h.msgh_remote_port), MACH_PORT_TYPE_SEND_ONCE);
	cr_assert_eq(r.m.d.disposition, MACH_MSG_TYPE_PORT_RECEIVE);
	cr_assert_eq(type_of(B, r.m.d.name), MACH_PORT_TYPE_RECEIVE);
	cr_assert_eq(r.m.data, 0xfeedface);
	cr_assert_eq(r.t.msgh_trailer_size, sizeof(mach_msg_audit_trailer_t));
	cr_assert_eq(r.t.msgh_seqno, 0);
	/* The reply consumes the send-once right. */
	rep.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0);
	rep.msgh_remote_port = r.m.h.msgh_remote_port;
	rep.msgh_id = 1334;
	cr_assert_eq(snd(B, &rep, sizeof(rep)), MACH_MSG_SUCCESS);
	cr_assert_eq(mach_port_type(B, rep.msgh_remote_port, &(mach_port_type_t){ 0 }),
		     KERN_INVALID_NAME);
	cr_assert_eq(rcv(A, reply, &r, sizeof(r)), MACH_MSG_SUCCESS);
	cr_assert_eq(r.m.h.msgh_id, 1334);
	cr_assert_eq(status(A, reply).mps_sorights, 0);
	check_no_leak();
}

/* A malformed message is rejected with code and the sender's rights are as they were. */
static void
reject(void *m, mach_msg_size_t size, mach_msg_return_t code, mach_port_name_t watch)
{
	mach_port_type_t t0 = 0, t1 = 0;
	mach_port_urefs_t u0 = 0, u1 = 0;

	if (watch != MACH_PORT_NULL) {
		t0 = type_of(A, watch);
		mach_port_get_refs(A, watch, MACH_PORT_RIGHT_SEND, &u0);
	}
	cr_assert_eq(snd(A, m, size), code, "got %#x, want %#x", snd(A, m, size), code);
	if (watch != MACH_PORT_NULL) {
		t1 = type_of(A, watch);
		mach_port_get_refs(A, watch, MACH_PORT_RIGHT_SEND, &u1);
		cr_assert_eq(t0, t1);
		cr_assert_eq(u0, u1);
	}
}

Test(ipc, malformed_messages_rejected)
{
	mach_port_name_t srv = new_recv(B), cs = give(B, srv, MACH_MSG_TYPE_MAKE_SEND, A);
	mach_port_name_t mine = new_recv(A);
	struct msg1 m;
	uint8_t big[IPC_KMSG_MAX_SIZE + 8] = { 0 };

	m = mk1(cs, MACH_MSG_TYPE_COPY_SEND, 0, 0, mine, MACH_MSG_TYPE_MOVE_RECEIVE);
	reject(&m, 20, MACH_SEND_MSG_TOO_SMALL, mine);
	reject(&m, sizeof(m) - 2, MACH_SEND_MSG_TOO_SMALL, mine);
	memcpy(big, &m, sizeof(m));
	reject(big, IPC_KMSG_MAX_SIZE + 4, MACH_SEND_TOO_LARGE, mine);
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_RECEIVE, 0) | MACH_MSGH_BITS_COMPLEX;
	reject(&m, sizeof(m), MACH_SEND_INVALID_HEADER, mine);
	m = mk1(cs, MACH_MSG_TYPE_COPY_SEND, mine, 0, mine, MACH_MSG_TYPE_MOVE_RECEIVE);
	reject(&m, sizeof(m), MACH_SEND_INVALID_HEADER, mine);
	m = mk1(cs, MACH_MSG_TYPE_COPY_SEND, 0, 0, mine, MACH_MSG_TYPE_MOVE_RECEIVE);
	m.h.msgh_voucher_port = 5;
	reject(&m, sizeof(m), MACH_SEND_INVALID_VOUCHER, mine);
	m = mk1(MACH_PORT_NULL, MACH_MSG_TYPE_COPY_SEND, 0, 0, mine, MACH_MSG_TYPE_MOVE_RECEIVE);
	reject(&m, sizeof(m), MACH_SEND_INVALID_DEST, mine);
	m = mk1(cs + 0x100, MACH_MSG_TYPE_COPY_SEND, 0, 0, mine, MACH_MSG_TYPE_MOVE_RECEIVE);
	reject(&m, sizeof(m), MACH_SEND_INVALID_DEST, mine);
	m = mk1(cs, MACH_MSG_TYPE_MAKE_SEND, 0, 0, mine, MACH_MSG_TYPE_MOVE_RECEIVE);
	reject(&m, sizeof(m), MACH_SEND_INVALID_DEST, mine);
	m = mk1(cs, MACH_MSG_TYPE_COPY_SEND, cs, MACH_MSG_TYPE_MAKE_SEND_ONCE, mine,
		MACH_MSG_TYPE_MOVE_RECEIVE);
	reject(&m, sizeof(m), MACH_SEND_INVALID_REPLY, mine);
	m = mk1(cs, MACH_MSG_TYPE_COPY_SEND, 0, 0, cs, MACH_MSG_TYPE_MOVE_RECEIVE);
	reject(&m, sizeof(m), MACH_SEND_INVALID_RIGHT, mine);
	/* Two MOVE_SENDs of a name with one user reference: the second fails, nothing moves. */
	m = mk1(cs, MACH_MSG_TYPE_MOVE_SEND, 0, 0, cs, MACH_MSG_TYPE_MOVE_SEND);
	reject(&m, sizeof(m), MACH_SEND_INVALID_RIGHT, cs);
	/* The receive right of the destination cannot ride in its own message. */
	give(A, mine, MACH_MSG_TYPE_MAKE_SEND, A);
	m = mk1(mine, MACH_MSG_TYPE_COPY_SEND, 0, 0, mine, MACH_MSG_TYPE_MOVE_RECEIVE);
	reject(&m, sizeof(m), MACH_SEND_INVALID_RIGHT, mine);
	/* Making a send right from a receive right moved earlier in the same message. */
	m = mk1(cs, MACH_MSG_TYPE_COPY_SEND, mine, MACH_MSG_TYPE_MAKE_SEND, mine,
		MACH_MSG_TYPE_MOVE_RECEIVE);
	cr_assert_eq(snd(A, &m, sizeof(m)), MACH_MSG_SUCCESS, "reply first, then the move");
	m = mk1(cs, MACH_MSG_TYPE_COPY_SEND, 0, 0, mine, 7);
	reject(&m, sizeof(m), MACH_SEND_INVALID_TYPE, MACH_PORT_NULL);
	m = mk1(cs, MACH_MSG_TYPE_COPY_SEND, 0, 0, mine, MACH_MSG_TYPE_COPY_RECEIVE);
	reject(&m, sizeof(m), MACH_SEND_INVALID_TYPE, MACH_PORT_NULL);
	/* As an OOL descriptor the 16 bytes ask for 0xfeedface bytes the sender has no map for. */
	m = mk1(cs, MACH_MSG_TYPE_COPY_SEND, 0, 0, 0, MACH_MSG_TYPE_COPY_SEND);
	m.d.type = MACH_MSG_OOL_DESCRIPTOR;
	reject(&m, sizeof(m), MACH_SEND_INVALID_MEMORY, cs);
	reject(&m, sizeof(m) - 4, MACH_SEND_MSG_TOO_SMALL, cs);
	m.d.pad2 = MACH_MSG_ALLOCATE << 8; /* the copy option byte */
	reject(&m, sizeof(m), MACH_SEND_INVALID_TYPE, cs);
	m = mk1(cs, MACH_MSG_TYPE_COPY_SEND, 0, 0, 0, MACH_MSG_TYPE_COPY_SEND);
	m.d.type = MACH_MSG_OOL_PORTS_DESCRIPTOR;
	m.d.disposition = MACH_MSG_TYPE_COPY_RECEIVE;
	reject(&m, sizeof(m), MACH_SEND_INVALID_TYPE, cs);
	m.d.disposition = MACH_MSG_TYPE_COPY_SEND;
	m.data = IPC_KMSG_MAX_OOL_PORTS + 1;
	reject(&m, sizeof(m), MACH_SEND_TOO_LARGE, cs);
	m = mk1(cs, MACH_MSG_TYPE_COPY_SEND, 0, 0, 0, MACH_MSG_TYPE_COPY_SEND);
	m.body.msgh_descriptor_count = 2;
	reject(&m, sizeof(m), MACH_SEND_MSG_TOO_SMALL, cs);
	m.body.msgh_descriptor_count = 0xffffffff;
	reject(&m, sizeof(m), MACH_SEND_TOO_LARGE, cs);
	m.body.msgh_descriptor_count = 1;
	reject(&m, 24, MACH_SEND_MSG_TOO_SMALL, cs);
	check_no_leak();
}

Test(ipc, queue_limit_blocks_send_rights_not_send_once)
{
	mach_port_name_t srv = new_recv(B), cs = give(B, srv, MACH_MSG_TYPE_MAKE_SEND, A);
	mach_port_name_t so = give(B, srv, MACH_MSG_TYPE_MAKE_SEND_ONCE, A);
	mach_port_name_t mine = new_recv(A);
	mach_msg_header_t h = { 0 };
	struct msg1 m;

	cr_assert_eq(mach_port_set_qlimit(B, srv, 1), KERN_SUCCESS);
	h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	h.msgh_remote_port = cs;
	cr_assert_eq(snd(A, &h, sizeof(h)), MACH_MSG_SUCCESS);
	/* Full: the send times out and the descriptor's receive right stays with the sender. */
	m = mk1(cs, MACH_MSG_TYPE_COPY_SEND, 0, 0, mine, MACH_MSG_TYPE_MOVE_RECEIVE);
	cr_assert_eq(snd(A, &m, sizeof(m)), MACH_SEND_TIMED_OUT);
	cr_assert_eq(type_of(A, mine), MACH_PORT_TYPE_RECEIVE);
	h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0);
	h.msgh_remote_port = so;
	cr_assert_eq(snd(A, &h, sizeof(h)), MACH_MSG_SUCCESS);
	cr_assert_eq(status(B, srv).mps_msgcount, 2);
	check_no_leak();
}

Test(ipc, port_set_receive)
{
	mach_port_name_t ps, p1 = new_recv(B), p2 = new_recv(B), s2;
	mach_msg_header_t h = { 0 };
	struct {
		mach_msg_header_t h;
		mach_msg_audit_trailer_t t;
	} r;

	cr_assert_eq(mach_port_allocate(B, MACH_PORT_RIGHT_PORT_SET, &ps), KERN_SUCCESS);
	cr_assert_eq(mach_port_move_member(B, p1, ps), KERN_SUCCESS);
	cr_assert_eq(mach_port_move_member(B, p2, ps), KERN_SUCCESS);
	cr_assert_eq(rcv(B, ps, &r, sizeof(r)), MACH_RCV_TIMED_OUT);
	s2 = give(B, p2, MACH_MSG_TYPE_MAKE_SEND, A);
	h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND, 0);
	h.msgh_remote_port = s2;
	h.msgh_id = 42;
	cr_assert_eq(snd(A, &h, sizeof(h)), MACH_MSG_SUCCESS);
	cr_assert_eq(rcv(B, ps, &r, sizeof(r)), MACH_MSG_SUCCESS);
	cr_assert_eq(r.h.msgh_id, 42);
	cr_assert_eq(r.h.msgh_local_port, p2);
	cr_assert_eq(rcv(B, p1, &r, sizeof(r)), MACH_RCV_TIMED_OUT);
	cr_assert_eq(rcv(A, s2, &r, sizeof(r)), MACH_RCV_INVALID_NAME, "a send right");
	cr_assert_eq(mach_port_destroy(B, ps), KERN_SUCCESS);
	cr_assert_eq(mach_port_move_member(B, p1, MACH_PORT_NULL), KERN_NOT_IN_SET);
	check_no_leak();
}

/*
 * Property: random operations on two spaces never lose or duplicate a right: after each step
 * every receive right's srights equals the number of spaces naming it with send rights plus
 * the send rights queued in messages, and at the end nothing is left.
 */
Test(ipc, random_operations_keep_counts_exact)
{
	enum { NP = 8, STEPS = 4000 };
	mach_port_name_t recv[NP];
	ipc_space_t sp[2] = { A, B };
	unsigned seed = 12345;

	for (int i = 0; i < NP; i++)
		recv[i] = new_recv(A);
	for (int step = 0; step < STEPS; step++) {
		int p = (seed = seed * 1103515245 + 12345) >> 16 & 7;
		int op = (seed = seed * 1103515245 + 12345) >> 16 & 7;
		ipc_space_t s = sp[(seed >> 20) & 1];
		mach_port_name_t n;
		mach_msg_header_t h = { 0 };
		struct {
			mach_msg_header_t h;
			mach_msg_audit_trailer_t t;
		} r;

		memset(&r, 0, sizeof(r));
		ipc_lock();
		n = ipc_space_send_name(s, ipc_entry_lookup(A, recv[p])->ie_object);
		ipc_unlock();
		switch (op) {
		case 0:
		case 1:
			give(A, recv[p], MACH_MSG_TYPE_MAKE_SEND, s);
			break;
		case 2:
			if (n != MACH_PORT_NULL)
				cr_assert_eq(mach_port_deallocate(s, n), KERN_SUCCESS);
			break;
		case 3:
			if (n != MACH_PORT_NULL)
				cr_assert_eq(mach_port_mod_refs(s, n, MACH_PORT_RIGHT_SEND, 2), 0);
			break;
		case 4:
		case 5:
			if (n == MACH_PORT_NULL)
				break;
			h.msgh_bits = MACH_MSGH_BITS(op == 4 ? MACH_MSG_TYPE_MOVE_SEND
							      : MACH_MSG_TYPE_COPY_SEND,
						     MACH_MSG_TYPE_COPY_SEND);
			h.msgh_remote_port = n;
			h.msgh_local_port = n;
			(void)snd(s, &h, sizeof(h));
			break;
		default:
			(void)rcv(A, recv[p], &r, sizeof(r));
			n = r.h.msgh_remote_port;
			if (MACH_PORT_VALID(n) && n != recv[p])
				cr_assert_eq(mach_port_deallocate(A, n), 0);
			else if (n == recv[p])
				(void)mach_port_mod_refs(A, recv[p], MACH_PORT_RIGHT_SEND, -1);
			r.h.msgh_remote_port = MACH_PORT_NULL;
			break;
		}
		for (int i = 0; i < NP; i++) {
			struct ipc_port_status st = status(A, recv[i]);
			ipc_port_t port;
			uint32_t held = 0;

			ipc_lock();
			port = ipc_entry_lookup(A, recv[i])->ie_object;
			for (int k = 0; k < 2; k++)
				held += ipc_space_send_name(sp[k], port) != MACH_PORT_NULL;
			ipc_unlock();
			/* Each queued message carries its destination and reply send rights. */
			cr_assert_eq(st.mps_srights, held + 2 * st.mps_msgcount,
				     "step %d port %d: srights %u, held %u, queued %u", step, i,
				     st.mps_srights, held, st.mps_msgcount);
		}
	}
	check_no_leak();
}

/* ---- out-of-line memory and port arrays, over hosted maps (a fake pmap) ---- */

#define MAP_MIN 0x100000UL
#define MAP_MAX 0x200000UL

static uint8_t um_out[4096]; /* where a receiver's port array is written */

/* Hosted copy hooks: a sender's array is host memory; a receiver's goes to um_out. */
static kern_return_t
um_in(struct ipc_umem *um, vaddr_t uaddr, void *kbuf, vm_size_t len)
{
	(void)um;
	memcpy(kbuf, (const void *)uaddr, len);
	return KERN_SUCCESS;
}

static kern_return_t
um_outf(struct ipc_umem *um, const void *kbuf, vaddr_t uaddr, vm_size_t len)
{
	(void)um;
	(void)uaddr;
	cr_assert_leq(len, sizeof(um_out));
	memcpy(um_out, kbuf, len);
	return KERN_SUCCESS;
}

struct oolmsg {
	mach_msg_header_t h;
	mach_msg_body_t body;
	mach_msg_ool_descriptor_t d;
};

struct roolmsg {
	struct oolmsg m;
	mach_msg_audit_trailer_t t;
};

static void
vm_setup(void)
{
	static bool done;

	if (!done) {
		done = true;
		vm_object_bootstrap();
		vm_map_bootstrap();
	}
}

/* A sender map holding one object of npages pages at MAP_MIN, each page filled with its index. */
static vm_map_t
ool_sender_map(unsigned npages, vm_object_t *objp)
{
	vm_map_t map = vm_map_create((pmap_t)0x1000, MAP_MIN, MAP_MAX);
	vm_object_t obj = vm_object_allocate(npages * PAGE_SIZE);
	vaddr_t a = MAP_MIN;

	cr_assert(map != NULL && obj != NULL);
	for (unsigned i = 0; i < npages; i++) {
		vm_page_t pg = vm_page_alloc(obj, i * PAGE_SIZE);

		cr_assert_not_null(pg);
		memset(phystokv(VM_PAGE_TO_PHYS(pg)), (int)i + 1, PAGE_SIZE);
	}
	vm_object_reference(obj);
	cr_assert_eq(vm_map_enter(map, &a, npages * PAGE_SIZE, VM_FLAGS_FIXED, obj, 0, false,
				  VM_PROT_DEFAULT, VM_PROT_ALL, VM_INHERIT_DEFAULT),
		     KERN_SUCCESS);
	*objp = obj;
	return map;
}

static void
ool_send_receive(bool dealloc)
{
	mach_port_name_t srv = new_recv(B), cs = give(B, srv, MACH_MSG_TYPE_MAKE_SEND, A);
	vm_map_t rmap = vm_map_create((pmap_t)0x1000, MAP_MIN, MAP_MAX);
	struct ipc_umem ua = { 0, um_in, um_outf }, ub = { rmap, um_in, um_outf };
	struct oolmsg m = { 0 };
	struct roolmsg r = { 0 };
	vm_map_entry_t e;
	vm_object_t obj, where;
	uint64_t copies = vm_map_copy_count;

	ua.um_map = ool_sender_map(4, &obj);
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0) | MACH_MSGH_BITS_COMPLEX;
	m.h.msgh_remote_port = cs;
	m.body.msgh_descriptor_count = 1;
	m.d.type = MACH_MSG_OOL_DESCRIPTOR;
	m.d.copy = MACH_MSG_VIRTUAL_COPY;
	m.d.deallocate = dealloc;
	m.d.address = MAP_MIN + 100;
	/* A range beyond the mapping is refused and nothing moves. */
	m.d.size = 4 * PAGE_SIZE;
	cr_assert_eq(ipc_mach_msg(A, &ua, &m, MACH_SEND_MSG, sizeof(m), 0, 0, 0),
		     MACH_SEND_INVALID_MEMORY);
	cr_assert_eq(vm_map_copy_count, copies);
	/* Deallocating all of the mapping leaves the copy the object's only holder. */
	m.d.size = dealloc ? 4 * PAGE_SIZE - 100 : 2 * PAGE_SIZE;
	cr_assert_eq(ipc_mach_msg(A, &ua, &m, MACH_SEND_MSG, sizeof(m), 0, 0, 0), MACH_MSG_SUCCESS);
	cr_assert_eq(vm_map_copy_count, copies + 1);
	cr_assert_eq(vm_map_lookup_entry(ua.um_map, MAP_MIN + PAGE_SIZE, &e), !dealloc);
	cr_assert_eq(vm_map_lookup_entry(ua.um_map, MAP_MIN + 3 * PAGE_SIZE, &e), !dealloc);
	/* Drop the test's own reference: the copy in flight keeps the object. */
	vm_object_deallocate(obj);
	cr_assert_eq(ipc_mach_msg(B, &ub, &r, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(r), srv, 0),
		     MACH_MSG_SUCCESS);
	cr_assert_eq(vm_map_copy_count, copies);
	cr_assert_eq(r.m.d.size, m.d.size);
	cr_assert_eq(r.m.d.address & PAGE_MASK, 100, "same offset in its page");
	/* The receiver sees the sender's pages themselves: nothing was copied. */
	cr_assert(vm_map_lookup_entry(rmap, r.m.d.address + PAGE_SIZE, &e));
	cr_assert_eq(vm_object_page_lookup_chain(e->vme_object, e->vme_offset +
					 trunc_page(r.m.d.address + PAGE_SIZE) - e->vme_start, &where),
		     vm_page_lookup(obj, PAGE_SIZE));
	cr_assert_eq(e->vme_needs_copy, !dealloc, "private once the sender let go");
	vm_map_deallocate(ua.um_map);
	vm_map_deallocate(rmap);
	check_no_leak();
}

Test(ipc, ool_memory_shared_copy_on_write)
{
	vm_setup();
	ool_send_receive(false);
}

Test(ipc, ool_memory_deallocate_moves_the_range)
{
	vm_setup();
	ool_send_receive(true);
}

Test(ipc, ool_memory_of_a_destroyed_message_is_released)
{
	mach_port_name_t srv = new_recv(B), cs = give(B, srv, MACH_MSG_TYPE_MAKE_SEND, A);
	struct ipc_umem ua = { 0, um_in, um_outf };
	struct oolmsg m = { 0 };
	uint64_t copies;
	vm_object_t obj;

	vm_setup();
	copies = vm_map_copy_count;
	ua.um_map = ool_sender_map(1, &obj);
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0) | MACH_MSGH_BITS_COMPLEX;
	m.h.msgh_remote_port = cs;
	m.body.msgh_descriptor_count = 1;
	m.d.type = MACH_MSG_OOL_DESCRIPTOR;
	m.d.address = MAP_MIN;
	m.d.size = PAGE_SIZE;
	cr_assert_eq(ipc_mach_msg(A, &ua, &m, MACH_SEND_MSG, sizeof(m), 0, 0, 0), MACH_MSG_SUCCESS);
	cr_assert_eq(obj->vo_refs, 3, "ours, the sender's entry, the copy's");
	cr_assert_eq(mach_port_mod_refs(B, srv, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	cr_assert_eq(vm_map_copy_count, copies);
	cr_assert_eq(obj->vo_refs, 2);
	vm_object_deallocate(obj);
	vm_map_deallocate(ua.um_map);
	check_no_leak();
}

Test(ipc, ool_ports_carry_every_right)
{
	mach_port_name_t srv = new_recv(B), cs = give(B, srv, MACH_MSG_TYPE_MAKE_SEND, A);
	mach_port_name_t p1 = new_recv(A), p2 = new_recv(A), names[4];
	struct ipc_umem ua = { 0, um_in, um_outf }, ub = { 0, um_in, um_outf };
	struct oolmsg m = { 0 };
	struct roolmsg r = { 0 };
	mach_msg_ool_ports_descriptor_t d = { 0 };
	mach_port_name_t *got = (mach_port_name_t *)um_out;

	vm_setup();
	ub.um_map = vm_map_create((pmap_t)0x1000, MAP_MIN, MAP_MAX);
	names[0] = p1;
	names[1] = MACH_PORT_NULL;
	names[2] = p2;
	names[3] = MACH_PORT_DEAD;
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0) | MACH_MSGH_BITS_COMPLEX;
	m.h.msgh_remote_port = cs;
	m.body.msgh_descriptor_count = 1;
	d.type = MACH_MSG_OOL_PORTS_DESCRIPTOR;
	d.disposition = MACH_MSG_TYPE_MAKE_SEND;
	d.address = (uintptr_t)names;
	d.count = 4;
	memcpy(&m.d, &d, sizeof(d));
	/* A bad name anywhere in the array: refused, nothing moved. */
	names[1] = 0x12345;
	reject(&m, sizeof(m), MACH_SEND_INVALID_MEMORY, cs); /* no hooks in snd() */
	cr_assert_eq(ipc_mach_msg(A, &ua, &m, MACH_SEND_MSG, sizeof(m), 0, 0, 0),
		     MACH_SEND_INVALID_RIGHT);
	cr_assert_eq(status(A, p1).mps_srights, 0);
	names[1] = MACH_PORT_NULL;
	cr_assert_eq(ipc_mach_msg(A, &ua, &m, MACH_SEND_MSG, sizeof(m), 0, 0, 0), MACH_MSG_SUCCESS);
	cr_assert_eq(status(A, p1).mps_srights, 1);
	cr_assert_eq(ipc_mach_msg(B, &ub, &r, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(r), srv, 0),
		     MACH_MSG_SUCCESS);
	memcpy(&d, &r.m.d, sizeof(d));
	cr_assert_eq(d.count, 4);
	cr_assert_neq(d.address, 0);
	cr_assert_eq(d.disposition, MACH_MSG_TYPE_PORT_SEND);
	cr_assert_eq(type_of(B, got[0]), MACH_PORT_TYPE_SEND);
	cr_assert_eq(got[1], MACH_PORT_NULL);
	cr_assert_eq(type_of(B, got[2]), MACH_PORT_TYPE_SEND);
	cr_assert_eq(got[3], MACH_PORT_DEAD);
	vm_map_deallocate(ub.um_map);
	check_no_leak();
}

Test(ipc, port_attributes)
{
	mach_port_name_t r = new_recv(A), ps, cs = give(A, r, MACH_MSG_TYPE_MAKE_SEND, B);
	uint32_t info[16], n = 16, lim = 3;
	mach_port_status_t st;

	cr_assert_eq(mach_port_allocate(A, MACH_PORT_RIGHT_PORT_SET, &ps), KERN_SUCCESS);
	cr_assert_eq(mach_port_move_member(A, r, ps), KERN_SUCCESS);
	cr_assert_eq(mach_port_set_attributes(A, r, MACH_PORT_LIMITS_INFO, &lim, 1), KERN_SUCCESS);
	cr_assert_eq(mach_port_get_attributes(A, r, MACH_PORT_RECEIVE_STATUS, info, &n),
		     KERN_SUCCESS);
	cr_assert_eq(n, MACH_PORT_RECEIVE_STATUS_COUNT);
	memcpy(&st, info, sizeof(st));
	cr_assert_eq(st.mps_qlimit, 3);
	cr_assert_eq(st.mps_pset, ps);
	cr_assert_eq(st.mps_mscount, 1);
	cr_assert_eq(st.mps_srights, 1);
	n = 1;
	cr_assert_eq(mach_port_get_attributes(A, r, MACH_PORT_LIMITS_INFO, info, &n), KERN_SUCCESS);
	cr_assert_eq(info[0], 3);
	n = 1;
	cr_assert_eq(mach_port_get_attributes(A, r, MACH_PORT_RECEIVE_STATUS, info, &n),
		     KERN_INVALID_VALUE);
	lim = 0;
	cr_assert_eq(mach_port_set_attributes(A, r, MACH_PORT_LIMITS_INFO, &lim, 1),
		     KERN_INVALID_VALUE);
	cr_assert_eq(mach_port_set_attributes(A, r, 99, &lim, 1), KERN_INVALID_VALUE);
	cr_assert_eq(mach_port_get_attributes(B, cs, MACH_PORT_LIMITS_INFO, info, &n),
		     KERN_INVALID_RIGHT);
	check_no_leak();
}
