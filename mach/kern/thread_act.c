/*
 * thread_act.c — what one thread or task may do to another: suspend and resume, and read or
 * write a stopped thread's user registers (XNU osfmk/kern/thread_act.c, task.c task_suspend;
 * osfmk/i386/pcb.c machine_thread_get_state for x86_THREAD_STATE64).
 *
 * The one idea: a user thread's registers are the trap frame at the top of its kernel stack,
 * saved on every entry from user mode; a thread that is not running is therefore stopped
 * with its user state in that frame, and a suspended thread stays so, waiting at its next
 * return to user mode (thread_suspend_wait) until its own and its task's counts are zero.
 *
 * XXX: user threads all run on CPU 0 (user_machdep.c), so a thread other than the caller is
 * never in user mode while the caller runs; when they run on several CPUs, get/set_state
 * must first stop the target (XNU's thread_stop). A suspended thread with a signal pending
 * goes on to take it (so SIGKILL ends it), as it returns to user mode only through the signal.
 */
#include <arch/x86_64/trap.h>
#include <arch/x86_64/user_machdep.h>
#include <arch/x86_64/usercopy.h>
#include <mach/kern/ipc_kobject.h>
#include <mach/kern/task.h>
#include <mach/kern/thread.h>

#define RFLAGS_USER_SETTABLE 0x40dd5ULL /* AC OF DF TF SF ZF AF PF CF */

/* A thread with user state: the BSD layer made it (it has a uthread) and it has a stack. */
static bool
act_is_user(thread_t thread)
{
	return thread->th_uthread != NULL && thread->th_kstack != 0 &&
	       thread->th_task != kernel_task;
}

static struct trapframe *
act_frame(thread_t thread)
{
	return (struct trapframe *)(thread->th_kstack + KERNEL_STACK_SIZE) - 1;
}

kern_return_t
thread_suspend(thread_t thread)
{
	if (!act_is_user(thread))
		return KERN_INVALID_ARGUMENT;
	__atomic_fetch_add(&thread->th_suspend_count, 1, __ATOMIC_ACQ_REL);
	return KERN_SUCCESS;
}

/* Take one from *count unless it is zero; true if it reached zero. */
static kern_return_t
act_count_down(uint32_t *count, bool *zero)
{
	uint32_t c = __atomic_load_n(count, __ATOMIC_ACQUIRE);

	do {
		if (c == 0)
			return KERN_FAILURE;
	} while (!__atomic_compare_exchange_n(count, &c, c - 1, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	*zero = c == 1;
	return KERN_SUCCESS;
}

kern_return_t
thread_resume(thread_t thread)
{
	bool zero;

	if (!act_is_user(thread))
		return KERN_INVALID_ARGUMENT;
	if (act_count_down(&thread->th_suspend_count, &zero) != KERN_SUCCESS)
		return KERN_FAILURE;
	if (zero)
		thread_wakeup(&thread->th_suspend_count);
	return KERN_SUCCESS;
}

kern_return_t
task_suspend(task_t task)
{
	if (task == kernel_task)
		return KERN_INVALID_ARGUMENT;
	__atomic_fetch_add(&task->t_suspend_count, 1, __ATOMIC_ACQ_REL);
	return KERN_SUCCESS;
}

kern_return_t
task_resume(task_t task)
{
	bool zero, st;

	if (task == kernel_task)
		return KERN_INVALID_ARGUMENT;
	if (act_count_down(&task->t_suspend_count, &zero) != KERN_SUCCESS)
		return KERN_FAILURE;
	if (!zero)
		return KERN_SUCCESS;
	/* Each thread waits on its own count: wake them all. */
	st = lck_spin_lock_irqsave(&task->t_lock);
	queue_foreach(&task->t_threads, q) {
		thread_wakeup(&container_of(q, struct thread, th_task_link)->th_suspend_count);
	}
	lck_spin_unlock_irqrestore(&task->t_lock, st);
	return KERN_SUCCESS;
}

static bool
act_suspended(thread_t self)
{
	return __atomic_load_n(&self->th_suspend_count, __ATOMIC_ACQUIRE) != 0 ||
	       __atomic_load_n(&self->th_task->t_suspend_count, __ATOMIC_ACQUIRE) != 0;
}

void
thread_suspend_wait(void)
{
	thread_t self = current_thread();

	while (act_suspended(self) && !bsd_ast_pending()) {
		assert_wait(&self->th_suspend_count, THREAD_INTERRUPTIBLE);
		if (!act_suspended(self)) {
			/* Resumed between the test and the wait: do not sleep. */
			thread_wakeup(&self->th_suspend_count);
		}
		thread_block(NULL);
	}
}

kern_return_t
thread_get_state(thread_t thread, int flavor, natural_t *state, uint32_t *countp)
{
	const struct trapframe *tf;
	x86_thread_state64_t ts;

	if (flavor != x86_THREAD_STATE64 || *countp < x86_THREAD_STATE64_COUNT ||
	    !act_is_user(thread))
		return KERN_INVALID_ARGUMENT;
	tf = act_frame(thread);
	ts = (x86_thread_state64_t){
		.rax = tf->tf_rax, .rbx = tf->tf_rbx, .rcx = tf->tf_rcx, .rdx = tf->tf_rdx,
		.rdi = tf->tf_rdi, .rsi = tf->tf_rsi, .rbp = tf->tf_rbp, .rsp = tf->tf_rsp,
		.r8 = tf->tf_r8, .r9 = tf->tf_r9, .r10 = tf->tf_r10, .r11 = tf->tf_r11,
		.r12 = tf->tf_r12, .r13 = tf->tf_r13, .r14 = tf->tf_r14, .r15 = tf->tf_r15,
		.rip = tf->tf_rip, .rflags = tf->tf_rflags, .cs = tf->tf_cs,
		.fs = thread->th_machine.mt_fsbase, .gs = 0,
	};
	memcpy(state, &ts, sizeof(ts));
	*countp = x86_THREAD_STATE64_COUNT;
	return KERN_SUCCESS;
}

kern_return_t
thread_set_state(thread_t thread, int flavor, const natural_t *state, uint32_t count)
{
	/* The caller's own frame is its system call's, rewritten by the call's return. */
	if (thread == current_thread())
		return KERN_INVALID_ARGUMENT;
	return thread_state_apply(thread, flavor, state, count);
}

kern_return_t
thread_state_apply(thread_t thread, int flavor, const natural_t *state, uint32_t count)
{
	struct trapframe *tf;
	x86_thread_state64_t ts;

	if (flavor != x86_THREAD_STATE64 || count != x86_THREAD_STATE64_COUNT ||
	    !act_is_user(thread))
		return KERN_INVALID_ARGUMENT;
	memcpy(&ts, state, sizeof(ts));
	/* The frame goes back to ring 3 as it is: only user addresses and user flags. */
	if (ts.rip >= USER_ADDR_MAX || ts.cs != GSEL_UCODE)
		return KERN_INVALID_ARGUMENT;
	tf = act_frame(thread);
	tf->tf_rax = ts.rax, tf->tf_rbx = ts.rbx, tf->tf_rcx = ts.rcx, tf->tf_rdx = ts.rdx;
	tf->tf_rdi = ts.rdi, tf->tf_rsi = ts.rsi, tf->tf_rbp = ts.rbp, tf->tf_rsp = ts.rsp;
	tf->tf_r8 = ts.r8, tf->tf_r9 = ts.r9, tf->tf_r10 = ts.r10, tf->tf_r11 = ts.r11;
	tf->tf_r12 = ts.r12, tf->tf_r13 = ts.r13, tf->tf_r14 = ts.r14, tf->tf_r15 = ts.r15;
	tf->tf_rip = ts.rip;
	tf->tf_rflags = (tf->tf_rflags & ~RFLAGS_USER_SETTABLE) |
			(ts.rflags & RFLAGS_USER_SETTABLE) | RFLAGS_IF;
	/* Not a system call any more (no restart); the return path picks iretq or sysret. */
	tf->tf_trapno = 0;
	return KERN_SUCCESS;
}
