/*
 * kern_sig.c — signals (XNU bsd/kern/kern_sig.c, bsd/uxkern/ux_exception.c): posting a signal
 * to a process, the default actions, kill, rt_sigaction and rt_sigprocmask, and the step that
 * turns the Mach exceptions of user traps into signals.
 *
 * The one idea: a signal is a bit in the process's pending set; it acts only on the way back to
 * user mode (bsd_ast, from usr_return_prepare), where the process's own thread takes the action,
 * so posting is safe from any thread. A thread in an interruptible wait is woken to get there.
 * XXX: caught signals are not delivered yet (no signal frames / rt_sigreturn): a signal whose
 * action is a handler is logged and discarded.
 */
#include <arch/x86_64/user_machdep.h>
#include <arch/x86_64/usercopy.h>
#include <bsd/kern/proc.h>
#include <bsd/kern/syscall.h>
#include <bsd/sys/errno.h>
#include <console.h>

#define SIG_CANTMASK (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

/* Default action ignore (POSIX: CHLD, URG, WINCH; CONT continues). XXX: no job control, so the
 * stop signals are ignored too. */
static bool
sig_default_ignores(int sig)
{
	switch (sig) {
	case SIGCHLD:
	case SIGURG:
	case SIGWINCH:
	case SIGCONT:
	case SIGSTOP:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		return true;
	default:
		return false;
	}
}

void
psignal(struct proc *p, int sig)
{
	thread_t t = NULL;
	bool s;

	if (p == NULL || sig <= 0 || sig >= NSIG)
		return;
	s = lck_spin_lock_irqsave(&proc_lock);
	if (p->p_stat == SRUN) {
		p->p_siglist |= SIGBIT(sig);
		if (p->p_uthread != NULL && !(p->p_uthread->uu_sigmask & SIGBIT(sig) & ~SIG_CANTMASK))
			t = p->p_uthread->uu_thread;
	}
	lck_spin_unlock_irqrestore(&proc_lock, s);
	if (t != NULL && t != current_thread())
		(void)thread_interrupt(t);
}

void
sig_exec_reset(struct proc *p)
{
	for (int i = 1; i < NSIG; i++) {
		if (p->p_sigacts[i].sa_handler != SIG_IGN)
			p->p_sigacts[i].sa_handler = SIG_DFL;
		p->p_sigacts[i].sa_flags = 0;
	}
}

/* The lowest pending, unblocked signal of the current process (cleared), or 0. */
static int
sig_take(struct proc *p, struct uthread *ut)
{
	bool s = lck_spin_lock_irqsave(&proc_lock);
	uint64_t ready = p->p_siglist & ~(ut->uu_sigmask & ~SIG_CANTMASK);
	int sig = 0;

	if (ready != 0) {
		sig = __builtin_ctzll(ready) + 1;
		p->p_siglist &= ~SIGBIT(sig);
	}
	lck_spin_unlock_irqrestore(&proc_lock, s);
	return sig;
}

bool
bsd_ast_pending(void)
{
	struct proc *p = current_proc();
	struct uthread *ut = current_uthread();

	return p != NULL && (p->p_siglist & ~(ut->uu_sigmask & ~SIG_CANTMASK)) != 0;
}

void
bsd_ast(struct trapframe *tf)
{
	struct proc *p = current_proc();
	struct uthread *ut = current_uthread();
	int sig;

	if (p == NULL)
		return;
	while ((sig = sig_take(p, ut)) != 0) {
		uint64_t h = p->p_sigacts[sig].sa_handler;

		if (sig != SIGKILL && h == SIG_IGN)
			continue;
		if (sig != SIGKILL && h != SIG_DFL) {
			klog(LOG_WARNING, "signal: pid %d: signal %d has a handler, which is not "
					  "delivered yet; discarded\n", p->p_pid, sig);
			continue;
		}
		if (sig_default_ignores(sig))
			continue;
		proc_exit(sig); /* wait status: killed by sig, no core */
	}
}

void
ux_exception(int exception, uint64_t code, uint64_t subcode)
{
	struct proc *p = current_proc();
	int sig;

	switch (exception) {
	case EXC_BAD_ACCESS:
		sig = SIGSEGV;
		break;
	case EXC_BAD_INSTRUCTION:
		sig = SIGILL;
		break;
	case EXC_ARITHMETIC:
		sig = SIGFPE;
		break;
	case EXC_BREAKPOINT:
		sig = SIGTRAP;
		break;
	default:
		sig = SIGKILL;
		break;
	}
	klog(LOG_INFO, "signal: pid %d (%s): exception %d code %#llx at %#llx -> signal %d\n",
	     p->p_pid, p->p_comm, exception, (unsigned long long)code,
	     (unsigned long long)subcode, sig);
	/* A synchronous fault cannot be blocked or ignored: retrying would fault again. */
	if (current_uthread()->uu_sigmask & SIGBIT(sig) || p->p_sigacts[sig].sa_handler != SIG_DFL)
		p->p_sigacts[sig].sa_handler = SIG_DFL;
	current_uthread()->uu_sigmask &= ~SIGBIT(sig);
	psignal(p, sig);
}

long
sys_kill(struct trapframe *tf)
{
	pid_t pid = (pid_t)tf->tf_rdi;
	int sig = (int)tf->tf_rsi;
	struct proc *p;
	bool s;

	if (sig < 0 || sig >= NSIG)
		return -EINVAL;
	if (pid <= 0) /* XXX: process groups and broadcast */
		return -ESRCH;
	s = lck_spin_lock_irqsave(&proc_lock);
	p = proc_find(pid);
	if (p == NULL || p->p_stat != SRUN) {
		lck_spin_unlock_irqrestore(&proc_lock, s);
		return -ESRCH;
	}
	lck_spin_unlock_irqrestore(&proc_lock, s);
	psignal(p, sig);
	return 0;
}

long
sys_rt_sigaction(struct trapframe *tf)
{
	int sig = (int)tf->tf_rdi;
	struct proc *p = current_proc();
	struct sigaction_k act;

	if (sig <= 0 || sig >= NSIG || tf->tf_r10 != 8)
		return -EINVAL;
	if (tf->tf_rdx != 0 && copyout(&p->p_sigacts[sig], (void *)tf->tf_rdx, sizeof(act)) != 0)
		return -EFAULT;
	if (tf->tf_rsi != 0) {
		if (copyin((const void *)tf->tf_rsi, &act, sizeof(act)) != 0)
			return -EFAULT;
		if (sig == SIGKILL || sig == SIGSTOP)
			return -EINVAL;
		act.sa_mask &= ~SIG_CANTMASK;
		p->p_sigacts[sig] = act;
	}
	return 0;
}

long
sys_rt_sigprocmask(struct trapframe *tf)
{
	struct uthread *ut = current_uthread();
	uint64_t old = ut->uu_sigmask, set;

	if (tf->tf_r10 != 8)
		return -EINVAL;
	if (tf->tf_rsi != 0) {
		if (copyin((const void *)tf->tf_rsi, &set, sizeof(set)) != 0)
			return -EFAULT;
		switch (tf->tf_rdi) {
		case 0: /* SIG_BLOCK */
			ut->uu_sigmask |= set;
			break;
		case 1: /* SIG_UNBLOCK */
			ut->uu_sigmask &= ~set;
			break;
		case 2: /* SIG_SETMASK */
			ut->uu_sigmask = set;
			break;
		default:
			return -EINVAL;
		}
		ut->uu_sigmask &= ~SIG_CANTMASK;
	}
	if (tf->tf_rdx != 0 && copyout(&old, (void *)tf->tf_rdx, sizeof(old)) != 0)
		return -EFAULT;
	return 0;
}
