/*
 * machrpc.c — Mach IPC between two processes through user/libmach: the parent hands its
 * child a send right through the task's bootstrap port (task_set_special_port before fork,
 * inherited by the child, task_get_special_port there), then the two do request/reply RPC with
 * send-once reply rights, pass rights each way (MAKE_SEND of a receive right, MOVE_SEND, the
 * reply's MOVE_SEND_ONCE) and out-of-line memory, and the parent hears the child's exit as a
 * dead-name notification (the child's port died) and no-senders notifications (the child's
 * send rights went). task_for_pid gives the (privileged) parent the child's task port, and
 * through it mach_vm_read/write/allocate/protect/deallocate on the child's memory.
 * Prints the cross-process RPC round trip. Exits 0 when every check held.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "user/libmach/mach.h"

#define CHECK(cond)                                                                             \
	do {                                                                                    \
		if (!(cond)) {                                                                  \
			printf("machrpc[%d]: line %d: %s\n", getpid(), __LINE__, #cond);        \
			exit(1);                                                                \
		}                                                                               \
	} while (0)
#define KR(call) CHECK((call) == KERN_SUCCESS)

#define RPC_ROUNDS 2000
#define OOL_SIZE   (256 * 1024)
#define ID_HELLO   100
#define ID_PING    300
#define ID_GIFT    400
#define ID_THANKS  500

/* The child's first request: a send right to its port and out-of-line bytes. */
struct hello_msg {
	mach_msg_header_t h;
	mach_msg_body_t body;
	mach_msg_port_descriptor_t port;
	mach_msg_ool_descriptor_t ool;
	uint32_t seq;
} __attribute__((packed));

struct simple_msg {
	mach_msg_header_t h;
	uint32_t value;
};

struct gift_msg {
	mach_msg_header_t h;
	mach_msg_body_t body;
	mach_msg_port_descriptor_t port;
} __attribute__((packed));

union rbuf {
	mach_msg_header_t h;
	struct hello_msg hello;
	struct simple_msg s;
	struct gift_msg gift;
	mach_dead_name_notification_t dn;
	mach_no_senders_notification_t ns;
	uint8_t bytes[512];
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t
rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static uint8_t
pattern(size_t i)
{
	return (uint8_t)(i * 7 + (i >> 9));
}

/* Words the parent reads and writes in the child's memory through its task port. */
static volatile uint32_t child_word, child_poke;

/* The child: find the parent's port, call it, take a right from it, give one back. */
static int
child(void)
{
	mach_port_t task = mach_task_self(), server, mine, reply = mach_reply_port(), gift;
	struct hello_msg hello;
	struct simple_msg m;
	union rbuf r;
	uint8_t *buf;
	uint64_t sum = 0, t0, c0, ns, cyc;

	KR(task_get_special_port(task, TASK_BOOTSTRAP_PORT, &server));
	CHECK(MACH_PORT_VALID(server) && reply != MACH_PORT_NULL);
	KR(mach_port_allocate(task, MACH_PORT_RIGHT_RECEIVE, &mine));
	buf = mmap(NULL, OOL_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(buf != MAP_FAILED);
	for (size_t i = 0; i < OOL_SIZE; i++) {
		buf[i] = pattern(i);
		sum += buf[i];
	}

	child_word = 0xc0ffee; /* before the hello: the parent reads it after */
	/* Hello: a send right made from our receive right, and the buffer by copy-on-write. */
	memset(&hello, 0, sizeof(hello));
	hello.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE) |
			    MACH_MSGH_BITS_COMPLEX;
	hello.h.msgh_size = sizeof(hello);
	hello.h.msgh_remote_port = server;
	hello.h.msgh_local_port = reply;
	hello.h.msgh_id = ID_HELLO;
	hello.body.msgh_descriptor_count = 2;
	hello.port = (mach_msg_port_descriptor_t){ .name = mine,
						   .disposition = MACH_MSG_TYPE_MAKE_SEND,
						   .type = MACH_MSG_PORT_DESCRIPTOR };
	hello.ool.address = (uint64_t)(uintptr_t)buf;
	hello.ool.size = OOL_SIZE;
	hello.ool.copy = MACH_MSG_VIRTUAL_COPY;
	hello.ool.type = MACH_MSG_OOL_DESCRIPTOR;
	hello.seq = 1;
	CHECK(mach_msg(&hello, MACH_SEND_MSG | MACH_RCV_MSG, sizeof(hello), sizeof(r), reply, 0) ==
	      MACH_MSG_SUCCESS);
	memcpy(&r, &hello, sizeof(hello));
	CHECK(r.s.h.msgh_id == ID_HELLO + 100 && r.s.value == (uint32_t)sum);
	/* The reply carried no reply right of its own. */
	CHECK(r.h.msgh_remote_port == MACH_PORT_NULL);

	/* The round trip: request with a send-once reply right, reply through it. */
	t0 = now_ns();
	c0 = rdtsc();
	for (uint32_t i = 0; i < RPC_ROUNDS; i++) {
		m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND,
					       MACH_MSG_TYPE_MAKE_SEND_ONCE);
		m.h.msgh_size = sizeof(m);
		m.h.msgh_remote_port = server;
		m.h.msgh_local_port = reply;
		m.h.msgh_voucher_port = MACH_PORT_NULL;
		m.h.msgh_id = ID_PING;
		m.value = i;
		CHECK(mach_msg(&m, MACH_SEND_MSG | MACH_RCV_MSG, sizeof(m), sizeof(r), reply, 0) ==
		      MACH_MSG_SUCCESS);
		memcpy(&r, &m, sizeof(m));
		CHECK(r.s.h.msgh_id == ID_PING + 100 && r.s.value == i + 1);
	}
	ns = (now_ns() - t0) / RPC_ROUNDS;
	cyc = (rdtsc() - c0) / RPC_ROUNDS;
	printf("machrpc: cross-process RPC round trip %llu ns, %llu cycles (%d rounds)\n",
	       (unsigned long long)ns, (unsigned long long)cyc, RPC_ROUNDS);
	fflush(stdout); /* the child leaves through _exit */

	/* The parent's gift: a send right (moved) to a port of its own; thank it through it,
	 * moving the right back (we keep none). */
	CHECK(mach_msg(&r, MACH_RCV_MSG, 0, sizeof(r), mine, 0) == MACH_MSG_SUCCESS);
	CHECK(r.h.msgh_id == ID_GIFT && (r.h.msgh_bits & MACH_MSGH_BITS_COMPLEX));
	CHECK(child_poke == 0xfeed); /* written by the parent through our task port */
	gift = r.gift.port.name;
	{
		mach_port_type_t type;
		mach_port_urefs_t refs;

		KR(mach_port_type(task, gift, &type));
		CHECK(type == MACH_PORT_TYPE_SEND);
		KR(mach_port_get_refs(task, gift, MACH_PORT_RIGHT_SEND, &refs));
		CHECK(refs == 1);
	}
	m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND, 0);
	m.h.msgh_size = sizeof(m);
	m.h.msgh_remote_port = gift;
	m.h.msgh_local_port = MACH_PORT_NULL;
	m.h.msgh_id = ID_THANKS;
	m.value = 42;
	CHECK(mach_msg(&m, MACH_SEND_MSG, sizeof(m), 0, MACH_PORT_NULL, 0) == MACH_MSG_SUCCESS);
	{
		mach_port_type_t type;

		CHECK(mach_port_type(task, gift, &type) == KERN_INVALID_NAME);
	}
	/* Exit: our port dies (the parent's dead-name request fires), our send rights to the
	 * parent's port go (its no-senders request fires). */
	return 0;
}

/* Receive one message on port within ms milliseconds. */
static void
receive(union rbuf *r, mach_port_t port, unsigned ms)
{
	mach_msg_return_t mr = mach_msg(r, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(*r), port, ms);

	if (mr != MACH_MSG_SUCCESS)
		printf("machrpc: receive on %#x: %#x\n", port, mr);
	CHECK(mr == MACH_MSG_SUCCESS);
}

int
main(void)
{
	mach_port_t task = mach_task_self(), server, boot, dn_notify, ns_notify, gift_notify,
		    gift, theirs, prev;
	mach_port_urefs_t refs;
	mach_port_type_t type;
	union rbuf r;
	int status;
	pid_t pid;

	/* The server port, with a send right under the same name, as the bootstrap port. */
	KR(mach_port_allocate(task, MACH_PORT_RIGHT_RECEIVE, &server));
	KR(mach_port_insert_right(task, server, server, MACH_MSG_TYPE_MAKE_SEND));
	KR(task_set_special_port(task, TASK_BOOTSTRAP_PORT, server));
	KR(task_get_special_port(task, TASK_BOOTSTRAP_PORT, &boot));
	CHECK(boot == server);
	KR(mach_port_get_refs(task, server, MACH_PORT_RIGHT_SEND, &refs));
	CHECK(refs == 2);
	KR(mach_port_mod_refs(task, server, MACH_PORT_RIGHT_SEND, -2));
	KR(mach_port_type(task, server, &type));
	CHECK(type == MACH_PORT_TYPE_RECEIVE);
	/* Only the task's bootstrap slot holds a send right now: tell us when none is left. */
	KR(mach_port_allocate(task, MACH_PORT_RIGHT_RECEIVE, &ns_notify));
	KR(mach_port_request_notification(task, server, MACH_NOTIFY_NO_SENDERS, 1, ns_notify,
					  MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev));
	CHECK(prev == MACH_PORT_NULL);
	/* A bad request is refused before anything changes. */
	CHECK(mach_port_request_notification(task, server, 12345, 0, ns_notify,
					     MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev) ==
	      KERN_INVALID_VALUE);
	/* ... and the send-once right it carried, unused, comes back as a send-once notice. */
	receive(&r, ns_notify, 1000);
	CHECK(r.h.msgh_id == MACH_NOTIFY_SEND_ONCE);
	CHECK(task_set_special_port(task, TASK_KERNEL_PORT, task) == KERN_INVALID_ARGUMENT);

	fflush(stdout);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(child());
	/* The child has its copy; ours goes, so the child's are the only senders. */
	KR(task_set_special_port(task, TASK_BOOTSTRAP_PORT, MACH_PORT_NULL));
	/* task_for_pid (we are privileged): the child's task port; its bootstrap port is ours. */
	{
		mach_port_t ct = MACH_PORT_NULL, b = MACH_PORT_NULL;

		KR(task_for_pid(task, pid, &ct));
		KR(mach_port_type(task, ct, &type));
		CHECK(type == MACH_PORT_TYPE_SEND && ct != task);
		KR(task_get_special_port(ct, TASK_BOOTSTRAP_PORT, &b));
		CHECK(b == server);
		KR(mach_port_deallocate(task, b));
		KR(mach_port_deallocate(task, ct));
		CHECK(task_for_pid(task, 999999, &ct) == KERN_FAILURE);
		CHECK(task_for_pid(ns_notify, pid, &ct) == KERN_FAILURE); /* not a task port */
		CHECK(task_for_pid(task, pid, (mach_port_t *)8) == KERN_INVALID_ADDRESS);
	}

	/* Hello: the child's port arrives as a send right, its buffer out of line. */
	receive(&r, server, 10000);
	CHECK(r.h.msgh_id == ID_HELLO && (r.h.msgh_bits & MACH_MSGH_BITS_COMPLEX));
	CHECK(MACH_MSGH_BITS_REMOTE(r.h.msgh_bits) == MACH_MSG_TYPE_MOVE_SEND_ONCE);
	CHECK(r.hello.body.msgh_descriptor_count == 2 && r.hello.ool.size == OOL_SIZE);
	theirs = r.hello.port.name;
	KR(mach_port_type(task, theirs, &type));
	CHECK(type == MACH_PORT_TYPE_SEND);
	{
		const uint8_t *got = (const uint8_t *)(uintptr_t)r.hello.ool.address;
		uint64_t sum = 0;
		mach_port_t so = r.h.msgh_remote_port;
		struct simple_msg m;

		for (size_t i = 0; i < OOL_SIZE; i++) {
			CHECK(got[i] == pattern(i));
			sum += got[i];
		}
		CHECK(munmap((void *)got, OOL_SIZE) == 0);
		m.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0);
		m.h.msgh_size = sizeof(m);
		m.h.msgh_remote_port = so;
		m.h.msgh_local_port = MACH_PORT_NULL;
		m.h.msgh_voucher_port = MACH_PORT_NULL;
		m.h.msgh_id = ID_HELLO + 100;
		m.value = (uint32_t)sum;
		CHECK(mach_msg(&m, MACH_SEND_MSG, sizeof(m), 0, MACH_PORT_NULL, 0) == 0);
		/* The send-once right was used: its name is gone. */
		CHECK(mach_port_type(task, so, &type) == KERN_INVALID_NAME);
	}
	/* The child's memory through its task port: read a word, write one, and allocate,
	 * protect and free a range in it. */
	{
		mach_port_t ct = MACH_PORT_NULL;
		uint64_t data = 0, a = 0;
		uint32_t cnt = 0, v = 0xfeed;
		uint8_t page[64];

		KR(task_for_pid(task, pid, &ct));
		KR(mach_vm_read(ct, (uint64_t)(uintptr_t)&child_word, 4, &data, &cnt));
		CHECK(cnt == 4 && *(volatile uint32_t *)(uintptr_t)data == 0xc0ffee);
		CHECK(child_word == 0); /* ours is another copy */
		KR(mach_vm_write(ct, (uint64_t)(uintptr_t)&child_poke, &v, 4));
		CHECK(child_poke == 0);
		KR(mach_vm_allocate(ct, &a, 8192, VM_FLAGS_ANYWHERE));
		for (unsigned i = 0; i < sizeof(page); i++)
			page[i] = (uint8_t)(i ^ 0x5a);
		KR(mach_vm_write(ct, a + 4090, page, sizeof(page))); /* across a page boundary */
		KR(mach_vm_read(ct, a + 4090, sizeof(page), &data, &cnt));
		CHECK(memcmp((const void *)(uintptr_t)data, page, sizeof(page)) == 0);
		KR(mach_vm_protect(ct, a, 8192, 0, PROT_READ)); /* VM_PROT_READ */
		CHECK(mach_vm_write(ct, a, page, 8) == KERN_PROTECTION_FAILURE);
		KR(mach_vm_deallocate(ct, a, 8192));
		CHECK(mach_vm_read(ct, a, 8, &data, &cnt) != KERN_SUCCESS);
		CHECK(mach_vm_read(ct, 0xffffffff80000000ULL, 8, &data, &cnt) ==
		      KERN_INVALID_ARGUMENT);
		KR(mach_port_deallocate(task, ct));
	}
	KR(mach_port_allocate(task, MACH_PORT_RIGHT_RECEIVE, &dn_notify));
	KR(mach_port_request_notification(task, theirs, MACH_NOTIFY_DEAD_NAME, 0, dn_notify,
					  MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev));
	CHECK(prev == MACH_PORT_NULL);

	/* The round trips: reply and wait for the next request in one call. */
	receive(&r, server, 10000);
	for (uint32_t i = 0; i < RPC_ROUNDS; i++) {
		CHECK(r.h.msgh_id == ID_PING && r.s.value == i);
		r.s.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0);
		r.s.h.msgh_size = sizeof(r.s);
		r.s.h.msgh_local_port = MACH_PORT_NULL;
		r.s.h.msgh_id = ID_PING + 100;
		r.s.value = i + 1;
		if (i + 1 < RPC_ROUNDS)
			CHECK(mach_msg(&r, MACH_SEND_MSG | MACH_RCV_MSG, sizeof(r.s), sizeof(r),
				       server, 0) == 0);
		else
			CHECK(mach_msg(&r, MACH_SEND_MSG, sizeof(r.s), 0, MACH_PORT_NULL, 0) == 0);
	}

	/* A gift: a send right to a new port of ours, moved to the child; it moves it back. */
	KR(mach_port_allocate(task, MACH_PORT_RIGHT_RECEIVE, &gift));
	KR(mach_port_insert_right(task, gift, gift, MACH_MSG_TYPE_MAKE_SEND));
	KR(mach_port_allocate(task, MACH_PORT_RIGHT_RECEIVE, &gift_notify));
	KR(mach_port_request_notification(task, gift, MACH_NOTIFY_NO_SENDERS, 1, gift_notify,
					  MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev));
	{
		struct gift_msg g;

		memset(&g, 0, sizeof(g));
		g.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0) | MACH_MSGH_BITS_COMPLEX;
		g.h.msgh_size = sizeof(g);
		g.h.msgh_remote_port = theirs;
		g.h.msgh_id = ID_GIFT;
		g.body.msgh_descriptor_count = 1;
		g.port = (mach_msg_port_descriptor_t){ .name = gift,
						       .disposition = MACH_MSG_TYPE_MOVE_SEND,
						       .type = MACH_MSG_PORT_DESCRIPTOR };
		CHECK(mach_msg(&g, MACH_SEND_MSG, sizeof(g), 0, MACH_PORT_NULL, 0) == 0);
	}
	KR(mach_port_type(task, gift, &type));
	CHECK(type == MACH_PORT_TYPE_RECEIVE); /* the send right left with the message */
	receive(&r, gift, 10000);
	CHECK(r.h.msgh_id == ID_THANKS && r.s.value == 42);
	/* The thanks carried the last send right: no senders remain. */
	receive(&r, gift_notify, 10000);
	CHECK(r.h.msgh_id == MACH_NOTIFY_NO_SENDERS);

	/* The child exits: its port dies, its senders go. */
	receive(&r, dn_notify, 10000);
	CHECK(r.h.msgh_id == MACH_NOTIFY_DEAD_NAME && r.dn.not_port == theirs);
	KR(mach_port_type(task, theirs, &type));
	CHECK(type & MACH_PORT_TYPE_DEAD_NAME);
	receive(&r, ns_notify, 10000);
	CHECK(r.h.msgh_id == MACH_NOTIFY_NO_SENDERS);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	printf("machrpc: bootstrap port, rights both ways, %d KiB out of line, dead-name and "
	       "no-senders notifications\n", OOL_SIZE / 1024);
	return 0;
}
