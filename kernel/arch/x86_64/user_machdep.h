/*
 * user_machdep.h — the machine side of user mode: per-CPU syscall set-up, the state a user
 * thread carries across context switches (FS base, FPU/SSE registers), user traps and how they
 * reach the BSD layer, and the first entry of a user thread into ring 3.
 */
#ifndef _ARCH_X86_64_USER_MACHDEP_H_
#define _ARCH_X86_64_USER_MACHDEP_H_

#include <arch/x86_64/trap.h>
#include <mach/kern/thread.h>

/* The trap number a syscall frame carries (above every IDT vector). */
#define T_SYSCALL 0x100

/* Mach exception types (XNU osfmk/mach/exception_types.h) that user traps raise. */
#define EXC_BAD_ACCESS	    1 /* code: KERN_INVALID_ADDRESS or _PROTECTION_FAILURE */
#define EXC_BAD_INSTRUCTION 2
#define EXC_ARITHMETIC	    3
#define EXC_BREAKPOINT	    6

/*
 * usr_cpu_init: this CPU's syscall MSRs (EFER.SCE, STAR, LSTAR, FMASK), SSE enabled for user
 * code (CR4.OSFXSR/OSXMMEXCPT), SMEP when the CPU has it. Every CPU, before it runs a user
 * thread; the boot CPU's call comes before mp_start so the others copy its CR0/CR4.
 */
void usr_cpu_init(void);

/* usr_fpu_alloc: an FPU area in its FNINIT state, or NULL when memory is short.
 * usr_thread_init: make thread (not yet running) a user thread with that area and FS base 0.
 * usr_thread_free: release it (the thread is not running, or is the current thread about to
 * terminate or to get a fresh area). */
void *usr_fpu_alloc(void);
void usr_thread_init(thread_t thread, void *fpu);
void usr_thread_free(thread_t thread);
/* usr_thread_copy_fpu: give child the current thread's live FPU state (fork). */
void usr_thread_copy_fpu(thread_t child);
/* usr_fpu_save / usr_fpu_load: the current thread's live FPU/SSE registers to / from a 512-byte,
 * 16-aligned FXSAVE image (signal frames). usr_fpu_load sanitises MXCSR's reserved bits. */
void usr_fpu_save(void *area);
void usr_fpu_load(void *area);
/* usr_set_fsbase: the current thread's FS base (arch_prctl ARCH_SET_FS). Returns 0 or EPERM. */
int usr_set_fsbase(uint64_t base);

/*
 * usr_thread_enter: the first instructions of a user thread: copy *tf (not on the kernel stack)
 * to the top of the current thread's kernel stack and return to user mode through it.
 */
__noreturn void usr_thread_enter(const struct trapframe *tf, uint64_t stack_top);

/* A trap from user mode (vector < 32), from trap_dispatch. */
void usr_trap(struct trapframe *tf);
/* A page fault in kernel mode: resolved against the current task's map, or recovered in the
 * copy routines (tf_rip moved to usercopy_fault). Returns false when it is a kernel bug. */
bool usr_kernel_fault(struct trapframe *tf);
/* Called by user_entry.S on every return to user mode; returns with interrupts off. */
void usr_return_prepare(struct trapframe *tf);

/* Provided by the BSD layer (bsd/kern): the system-call dispatcher, the exception-to-signal
 * step (XNU's ux_exception), and the work due before a return to user mode (signals). */
void unix_syscall(struct trapframe *tf);
void ux_exception(int exception, uint64_t code, uint64_t subcode);
void bsd_ast(struct trapframe *tf);
bool bsd_ast_pending(void);

#endif /* _ARCH_X86_64_USER_MACHDEP_H_ */
