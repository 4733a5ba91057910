/*
 * backtrace.c — walk the frame-pointer chain (the kernel is built with -fno-omit-frame-pointer)
 * and print each return address with its symbol.
 *
 * The chain is read from a stack that may be the reason for the panic, so each frame pointer is
 * checked before it is followed: 8-byte aligned, in the kernel half, and above the previous one
 * (stacks grow down, so callers' frames are at higher addresses). The walk stops at the first
 * frame that fails, at a zero return address, or after BACKTRACE_MAX frames.
 */
#include <arch/x86_64/trap.h>
#include <console.h>
#include <ksyms.h>

#define BACKTRACE_MAX 32
#define KERNEL_HALF   0xffff800000000000ULL

static void
print_frame(unsigned n, uint64_t pc, uint64_t adjust)
{
	uint64_t off;
	const char *name = ksyms_lookup(pc - adjust, &off);

	if (name != NULL)
		printf("  #%-2u %016llx %s+%#llx\n", n, (unsigned long long)pc, name,
		       (unsigned long long)(off + adjust));
	else
		printf("  #%-2u %016llx ?\n", n, (unsigned long long)pc);
}

void
backtrace_print(uint64_t fp, uint64_t pc)
{
	unsigned n = 0;

	printf("backtrace:\n");
	print_frame(n++, pc, 0);
	while (n < BACKTRACE_MAX) {
		const uint64_t *frame = (const uint64_t *)fp;
		uint64_t next, ret;

		if (fp < KERNEL_HALF || (fp & 7) != 0 || fp > UINT64_MAX - 16)
			break;
		next = frame[0];
		ret = frame[1];
		if (ret == 0)
			break;
		/* A return address may be the first byte after its function: name the call's. */
		print_frame(n++, ret, 1);
		if (next <= fp)
			break;
		fp = next;
	}
}
