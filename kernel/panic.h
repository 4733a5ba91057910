/*
 * panic.h — stopping the kernel when its own invariants break, and assertions of them.
 */
#ifndef _KERNEL_PANIC_H_
#define _KERNEL_PANIC_H_

#include <libkern/libkern.h>

struct trapframe;

/* Print `panic: <reason>`, the registers and a symbolised backtrace; end the machine. */
__noreturn void panic(const char *fmt, ...) __printflike(1, 2);
/* The same, for a trap: registers and backtrace come from the trap frame. */
__noreturn void panic_trap(struct trapframe *tf, const char *fmt, ...) __printflike(2, 3);
/* Whether some CPU has entered panic(): the NMI handler then stops this CPU. */
bool panic_in_progress(void);

#ifdef NIMBUS_HOSTED
#include <assert.h>
#else
#define assert(cond)                                                                            \
	do {                                                                                    \
		if (unlikely(!(cond)))                                                          \
			panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__);        \
	} while (0)
#endif

#endif /* _KERNEL_PANIC_H_ */
