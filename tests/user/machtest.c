/*
 * machtest.c — Mach IPC from user space through the class-1 traps (mach/kern/syscall_sw.c,
 * ARCHITECTURE.md "User ABI": rax = 0x01000000 | n): task_self_trap, mach_reply_port, and
 * mach_msg_trap sending to a port the program holds the receive right for — inline data, then
 * out-of-line memory moved by copy-on-write (the received copy keeps the bytes sent even after
 * the sender changes its buffer) — a receive that times out, MACH_RCV_TOO_LARGE, a bad
 * destination name and a message buffer the kernel cannot read. The traps and the message
 * layout (XNU's mach_msg_header_t, body, 64-bit OOL descriptor) come from user/libmach, which
 * compiles the kernel's own <mach/ipc/message.h>. Exits 0 when every check held.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "user/libmach/mach.h"

#define CHECK(cond)                                                                             \
	do {                                                                                    \
		if (!(cond)) {                                                                  \
			printf("machtest: line %d: %s\n", __LINE__, #cond);                     \
			exit(1);                                                                \
		}                                                                               \
	} while (0)

struct inline_msg {
	mach_msg_header_t h;
	char data[16];
};

struct ool_msg {
	mach_msg_header_t h;
	uint32_t count;
	mach_msg_ool_descriptor_t ool;
} __attribute__((packed));

int
main(void)
{
	mach_port_t task = mach_task_self();
	mach_port_t port = mach_reply_port();
	static union {
		struct inline_msg m;
		struct ool_msg o;
		char raw[512];
	} rcv;
	struct inline_msg m;
	struct ool_msg o;
	size_t len = 64 * 1024;
	unsigned char *buf, *got;

	CHECK(task != 0 && port != 0 && task != port);

	/* Inline: send to our own port with a send right made from the receive right. */
	memset(&m, 0, sizeof(m));
	m.h.msgh_bits = MACH_MSG_TYPE_MAKE_SEND;
	m.h.msgh_size = sizeof(m);
	m.h.msgh_remote_port = port;
	m.h.msgh_id = 1234;
	memcpy(m.data, "hello, mach ipc!", 16);
	CHECK(mach_msg(&m, MACH_SEND_MSG, sizeof(m), 0, 0, 0) == 0);
	CHECK(mach_msg(&rcv, MACH_RCV_MSG, 0, sizeof(rcv), port, 0) == 0);
	CHECK(rcv.m.h.msgh_id == 1234 && rcv.m.h.msgh_size == sizeof(m));
	CHECK(memcmp(rcv.m.data, "hello, mach ipc!", 16) == 0);

	/* Nothing queued: a receive with a 20 ms time-out times out. */
	CHECK(mach_msg(&rcv, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(rcv), port, 20) ==
	      MACH_RCV_TIMED_OUT);

	/* Too small a buffer: MACH_RCV_TOO_LARGE (with MACH_RCV_LARGE the message stays). */
	CHECK(mach_msg(&m, MACH_SEND_MSG, sizeof(m), 0, 0, 0) == 0);
	CHECK(mach_msg(&rcv, MACH_RCV_MSG | MACH_RCV_LARGE, 0, sizeof(mach_msg_header_t), port,
		       0) == MACH_RCV_TOO_LARGE);
	CHECK(mach_msg(&rcv, MACH_RCV_MSG, 0, sizeof(rcv), port, 0) == 0 &&
	      rcv.m.h.msgh_id == 1234);

	/* Out-of-line memory: 64 KiB by copy-on-write into a new range of our own map. */
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(buf != MAP_FAILED);
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)(i * 3 + (i >> 8));
	memset(&o, 0, sizeof(o));
	o.h.msgh_bits = MACH_MSG_TYPE_MAKE_SEND | MACH_MSGH_BITS_COMPLEX;
	o.h.msgh_size = sizeof(o);
	o.h.msgh_remote_port = port;
	o.h.msgh_id = 77;
	o.count = 1;
	o.ool.address = (uint64_t)(uintptr_t)buf;
	o.ool.copy = MACH_MSG_VIRTUAL_COPY;
	o.ool.type = MACH_MSG_OOL_DESCRIPTOR;
	o.ool.size = (uint32_t)len;
	CHECK(mach_msg(&o, MACH_SEND_MSG, sizeof(o), 0, 0, 0) == 0);
	memset(buf, 0xee, len); /* after the send: the message must keep the old bytes */
	CHECK(mach_msg(&rcv, MACH_RCV_MSG, 0, sizeof(rcv), port, 0) == 0);
	CHECK(rcv.o.h.msgh_id == 77 && (rcv.o.h.msgh_bits & MACH_MSGH_BITS_COMPLEX));
	CHECK(rcv.o.count == 1 && rcv.o.ool.size == len && rcv.o.ool.address != 0);
	got = (unsigned char *)(uintptr_t)rcv.o.ool.address;
	CHECK(got != buf);
	for (size_t i = 0; i < len; i++)
		CHECK(got[i] == (unsigned char)(i * 3 + (i >> 8)));
	got[0] ^= 1; /* the received range is ours to write */
	CHECK(buf[0] == 0xee);

	/* Hostile: a name we do not hold, a buffer the kernel cannot read. */
	m.h.msgh_remote_port = 0x12345;
	CHECK(mach_msg(&m, MACH_SEND_MSG, sizeof(m), 0, 0, 0) == MACH_SEND_INVALID_DEST);
	CHECK(mach_msg((void *)8, MACH_SEND_MSG, sizeof(m), 0, 0, 0) == MACH_SEND_INVALID_DATA);
	printf("machtest: task port %#x, reply port %#x; inline, time-out, too-large, %zu bytes "
	       "out of line by copy-on-write\n", task, port, len);
	return 0;
}
