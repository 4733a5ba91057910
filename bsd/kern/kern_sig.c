/*
 * kern_sig.c — signals (XNU bsd/kern/kern_sig.c, bsd/uxkern/ux_exception.c): posting a signal
 * to a process, the default actions, kill, rt_sigaction and rt_sigprocmask, and the step that
 * turns the Mach exceptions of user traps into signals.
 *
 * The one idea: a signal is a bit in the process's pending set; it acts only on the way back to
 * user mode (bsd_ast, from usr_return_prepare), where the process's own thread takes the action,
 * so posting is safe from any thread. A thread in an interruptible wait is woken to get there.
 * A caught signal is delivered as Linux x86-64 does (arch/x86/kernel/signal.c): an rt_sigframe
 * (return address = the sa_restorer, ucontext with the registers and the old mask, siginfo)
 * below the red zone, the FXSAVE image beside it, and rt_sigreturn puts everything back after
 * checking what the user may have changed (segments, privileged flags, a non-user rip).
 * XXX: no alternate signal stacks (SA_ONSTACK is accepted, the current stack is used).
 */
#include <arch/x86_64/user_machdep.h>
#include <arch/x86_64/usercopy.h>
#include <arch/x86_64/timer.h>
#include <bsd/kern/proc.h>
#include <bsd/kern/syscall.h>
#include <bsd/sys/errno.h>
#include <console.h>
#include <arch/x86_64/mp.h>
#include <mach/kern/processor.h>

#define SIG_CANTMASK (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))
#define EINTR_RESTART (-(long)EINTR)

/* struct sigcontext (asm/sigcontext.h, x86-64): the general registers in this order. */
struct sigcontext_k {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;
	uint64_t reserved1[8];
};

struct ucontext_k {
	uint64_t uc_flags;
	uint64_t uc_link;
	uint64_t ss_sp;
	int32_t ss_flags, ss_pad;
	uint64_t ss_size;
	struct sigcontext_k uc_mcontext;
	uint64_t uc_sigmask;
};

struct siginfo_k {
	int32_t si_signo, si_errno, si_code, si_pad;
	uint64_t si_addr; /* or si_pid (low 32 bits) and si_uid for kill */
	uint8_t rest[128 - 24];
};

struct rt_sigframe_k {
	uint64_t pretcode;
	struct ucontext_k uc;
	struct siginfo_k info;
};
_Static_assert(sizeof(struct sigcontext_k) == 256, "struct sigcontext");
_Static_assert(sizeof(struct siginfo_k) == 128, "siginfo_t");
_Static_assert(offsetof(struct ucontext_k, uc_mcontext) == 40, "ucontext_t");

/* The flags user code may set through sigreturn (Linux FIX_EFLAGS). */
#define RFLAGS_USER 0x40dd5ULL /* AC OF DF TF SF ZF AF PF CF */

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

/* Make t look at its signals soon: end an interruptible sleep, or (running in user mode on
 * another CPU) send that CPU an interrupt whose return to user mode runs bsd_ast. proc_lock
 * held (it keeps t alive). */
static void
sig_kick(thread_t t)
{
	struct processor *cpu = t->th_last_proc;

	if (t == current_thread())
		return;
	if (thread_interrupt(t) == KERN_NOT_WAITING && cpu != NULL &&
	    cpu != current_processor() && __atomic_load_n(&cpu->p_active_thread,
							 __ATOMIC_RELAXED) == t)
		mp_resched_ipi(cpu->p_cpu);
}

/* Whether the signal is discarded when sent: ignored, and not blocked by the thread(s) that
 * could take it (the action may change before it is unblocked), as POSIX and Linux do. */
static bool
sig_discard(struct proc *p, int sig, bool blocked)
{
	uint64_t h = p->p_sigacts[sig].sa_handler;

	return sig != SIGKILL && !blocked &&
	       (h == SIG_IGN || (h == SIG_DFL && sig_default_ignores(sig)));
}

void
psignal_locked(struct proc *p, int sig)
{
	struct uthread *target = NULL;

	if (p->p_stat != SRUN)
		return;
	/* A process-directed signal goes to a thread that does not block it: the caller when it
	 * is one of p's, else the first such thread (Linux complete_signal). */
	queue_foreach(&p->p_threads, e) {
		struct uthread *ut = container_of(e, struct uthread, uu_list);

		if (ut->uu_sigmask & SIGBIT(sig) & ~SIG_CANTMASK)
			continue;
		if (target == NULL || ut->uu_thread == current_thread())
			target = ut;
	}
	if (sig_discard(p, sig, target == NULL && !queue_empty(&p->p_threads)))
		return;
	p->p_siglist |= SIGBIT(sig);
	/* Under proc_lock: a thread leaves p_threads under it before it ends, so it is alive. */
	if (target != NULL)
		sig_kick(target->uu_thread);
}

void
psignal(struct proc *p, int sig)
{
	bool s;

	if (p == NULL || sig <= 0 || sig >= NSIG)
		return;
	s = lck_spin_lock_irqsave(&proc_lock);
	psignal_locked(p, sig);
	lck_spin_unlock_irqrestore(&proc_lock, s);
}

void
psignal_thread_locked(struct uthread *ut, int sig)
{
	struct proc *p = ut->uu_proc;
	bool blocked = (ut->uu_sigmask & SIGBIT(sig) & ~SIG_CANTMASK) != 0;

	if (p->p_stat != SRUN || sig_discard(p, sig, blocked))
		return;
	ut->uu_siglist |= SIGBIT(sig);
	if (!blocked)
		sig_kick(ut->uu_thread);
}

void
psignal_thread(struct uthread *ut, int sig)
{
	bool s;

	if (sig <= 0 || sig >= NSIG)
		return;
	s = lck_spin_lock_irqsave(&proc_lock);
	psignal_thread_locked(ut, sig);
	lck_spin_unlock_irqrestore(&proc_lock, s);
}

/*
 * self just blocked more signals: a process-directed signal pending for it may now be taken by
 * another thread only, which may be asleep (Linux recalc_sigpending and signal_wake_up on
 * sigprocmask): kick every other thread that does not block one of them.
 */
static void
sig_redirect(struct proc *p, struct uthread *self)
{
	bool s = lck_spin_lock_irqsave(&proc_lock);

	if (p->p_siglist & self->uu_sigmask) {
		queue_foreach(&p->p_threads, e) {
			struct uthread *ut = container_of(e, struct uthread, uu_list);

			if (ut != self && (p->p_siglist & ~(ut->uu_sigmask & ~SIG_CANTMASK)))
				sig_kick(ut->uu_thread);
		}
	}
	lck_spin_unlock_irqrestore(&proc_lock, s);
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

/* Take the lowest signal of set pending for the thread or its process (the thread's own
 * first), or 0. proc_lock held. */
static int
sig_take_locked(struct proc *p, struct uthread *ut, uint64_t set)
{
	uint64_t ready = (ut->uu_siglist | p->p_siglist) & set;
	int sig;

	if (ready == 0)
		return 0;
	sig = __builtin_ctzll(ready) + 1;
	if (ut->uu_siglist & SIGBIT(sig))
		ut->uu_siglist &= ~SIGBIT(sig);
	else
		p->p_siglist &= ~SIGBIT(sig);
	return sig;
}

/* The lowest pending, unblocked signal of the current thread (cleared), or 0. */
static int
sig_take(struct proc *p, struct uthread *ut)
{
	bool s = lck_spin_lock_irqsave(&proc_lock);
	int sig = sig_take_locked(p, ut, ~(ut->uu_sigmask & ~SIG_CANTMASK));

	lck_spin_unlock_irqrestore(&proc_lock, s);
	return sig;
}

bool
bsd_ast_pending(void)
{
	struct proc *p = current_proc();
	struct uthread *ut = current_uthread();

	return p != NULL &&
	       ((ut->uu_siglist | p->p_siglist) & ~(ut->uu_sigmask & ~SIG_CANTMASK)) != 0;
}

/* Build the frame for a caught signal and point the thread at the handler. */
static void
sig_deliver(struct proc *p, struct uthread *ut, struct trapframe *tf, int sig)
{
	struct sigaction_k *sa = &p->p_sigacts[sig];
	uint8_t fpu[512] __attribute__((aligned(16)));
	struct rt_sigframe_k f;
	uint64_t sp, fpaddr, frame;

	/* An interrupted system call: restart it, or report EINTR (SA_RESTART). */
	if (tf->tf_trapno == T_SYSCALL && (long)tf->tf_rax == EINTR_RESTART &&
	    (sa->sa_flags & SA_RESTART) &&
	    (ut->uu_syscall == 0 || ut->uu_syscall == 19 || ut->uu_syscall == 61)) {
		tf->tf_rax = ut->uu_syscall; /* read, readv, wait4 */
		tf->tf_rip -= 2;	     /* the syscall instruction again */
	}
	if (!(sa->sa_flags & SA_RESTORER)) {
		klog(LOG_INFO, "signal: pid %d: handler for %d without SA_RESTORER\n", p->p_pid,
		     sig);
		proc_exit(SIGSEGV);
	}
	memset(&f, 0, sizeof(f));
	usr_fpu_save(fpu);
	sp = tf->tf_rsp - 128; /* the red zone */
	fpaddr = (sp - sizeof(fpu)) & ~63ULL;
	frame = ((fpaddr - sizeof(f)) & ~15ULL) - 8; /* the handler sees rsp + 8 aligned to 16 */
	f.pretcode = sa->sa_restorer;
	f.uc.uc_mcontext = (struct sigcontext_k){
		.r8 = tf->tf_r8, .r9 = tf->tf_r9, .r10 = tf->tf_r10, .r11 = tf->tf_r11,
		.r12 = tf->tf_r12, .r13 = tf->tf_r13, .r14 = tf->tf_r14, .r15 = tf->tf_r15,
		.rdi = tf->tf_rdi, .rsi = tf->tf_rsi, .rbp = tf->tf_rbp, .rbx = tf->tf_rbx,
		.rdx = tf->tf_rdx, .rax = tf->tf_rax, .rcx = tf->tf_rcx, .rsp = tf->tf_rsp,
		.rip = tf->tf_rip, .eflags = tf->tf_rflags, .cs = GSEL_UCODE, .ss = GSEL_UDATA,
		.trapno = tf->tf_trapno, .err = tf->tf_err, .oldmask = ut->uu_sigmask,
		.fpstate = fpaddr,
	};
	f.uc.uc_sigmask = ut->uu_sigmask;
	if (ut->uu_restore_mask) {
		/* After rt_sigsuspend: the handler runs under its mask, sigreturn puts back the
		 * one from before. */
		f.uc.uc_sigmask = f.uc.uc_mcontext.oldmask = ut->uu_oldmask;
		ut->uu_restore_mask = false;
	}
	f.uc.ss_flags = 2; /* SS_DISABLE: no alternate stack */
	f.info.si_signo = sig;
	f.info.si_code = 0; /* SI_USER */
	if (copyout(fpu, (void *)fpaddr, sizeof(fpu)) != 0 ||
	    copyout(&f, (void *)frame, sizeof(f)) != 0) {
		klog(LOG_INFO, "signal: pid %d: no room for a signal frame at %#llx\n", p->p_pid,
		     (unsigned long long)frame);
		proc_exit(SIGSEGV);
	}
	ut->uu_sigmask |= sa->sa_mask | ((sa->sa_flags & SA_NODEFER) ? 0 : SIGBIT(sig));
	ut->uu_sigmask &= ~SIG_CANTMASK;
	if (sa->sa_flags & SA_RESETHAND)
		sa->sa_handler = SIG_DFL;
	tf->tf_rsp = frame;
	tf->tf_rip = sa->sa_handler;
	tf->tf_rdi = (uint64_t)sig;
	tf->tf_rsi = frame + offsetof(struct rt_sigframe_k, info);
	tf->tf_rdx = frame + offsetof(struct rt_sigframe_k, uc);
	tf->tf_rax = 0;
	tf->tf_rflags &= ~(0x100ULL | 0x400ULL); /* TF, DF clear in the handler */
	tf->tf_rcx = ~tf->tf_rip;		   /* leave through iretq */
}

long
sys_rt_sigreturn(struct trapframe *tf)
{
	struct uthread *ut = current_uthread();
	uint8_t fpu[512] __attribute__((aligned(16)));
	struct ucontext_k uc;
	const struct sigcontext_k *sc = &uc.uc_mcontext;

	/* The handler's ret popped pretcode: the ucontext is at the stack pointer. */
	if (copyin((const void *)tf->tf_rsp, &uc, sizeof(uc)) != 0 ||
	    sc->rip >= USER_ADDR_MAX ||
	    (sc->fpstate != 0 && (sc->fpstate & 15) == 0 &&
	     copyin((const void *)sc->fpstate, fpu, sizeof(fpu)) != 0)) {
		klog(LOG_INFO, "signal: pid %d: bad sigreturn frame at %#llx\n",
		     current_proc()->p_pid, (unsigned long long)tf->tf_rsp);
		proc_exit(SIGSEGV);
	}
	tf->tf_r8 = sc->r8, tf->tf_r9 = sc->r9, tf->tf_r10 = sc->r10, tf->tf_r11 = sc->r11;
	tf->tf_r12 = sc->r12, tf->tf_r13 = sc->r13, tf->tf_r14 = sc->r14, tf->tf_r15 = sc->r15;
	tf->tf_rdi = sc->rdi, tf->tf_rsi = sc->rsi, tf->tf_rbp = sc->rbp, tf->tf_rbx = sc->rbx;
	tf->tf_rdx = sc->rdx, tf->tf_rcx = sc->rcx, tf->tf_rsp = sc->rsp, tf->tf_rip = sc->rip;
	tf->tf_rflags = (tf->tf_rflags & ~RFLAGS_USER) | (sc->eflags & RFLAGS_USER) | 0x200;
	tf->tf_cs = GSEL_UCODE;
	tf->tf_ss = GSEL_UDATA;
	tf->tf_trapno = 0; /* not a system call any more: no restart on top of this */
	if (sc->fpstate != 0 && (sc->fpstate & 15) == 0)
		usr_fpu_load(fpu);
	ut->uu_sigmask = uc.uc_sigmask & ~SIG_CANTMASK;
	/* rax is the interrupted context's: the dispatcher stores this return value there. */
	return (long)sc->rax;
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
			sig_deliver(p, ut, tf, sig);
			return; /* one frame at a time: the others after sigreturn */
		}
		if (sig_default_ignores(sig))
			continue;
		proc_exit(sig); /* wait status: killed by sig, no core */
	}
	if (ut->uu_restore_mask) {
		ut->uu_sigmask = ut->uu_oldmask; /* rt_sigsuspend woke with no handler to run */
		ut->uu_restore_mask = false;
	}
}

void
ux_exception(int exception, uint64_t code, uint64_t subcode)
{
	struct proc *p = current_proc();
	int sig;

	switch (exception) {
	case EXC_BAD_ACCESS:
		/* As XNU: an address with nothing behind it (a mapped file's end, a pager's
		 * error) is SIGBUS; no mapping, or not the access it allows, SIGSEGV. */
		sig = code == KERN_MEMORY_ERROR ? SIGBUS : SIGSEGV;
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
	/* A synchronous fault cannot be blocked or ignored (retrying would fault again): as
	 * Linux's force_sig, such a signal gets its default action back. */
	if ((current_uthread()->uu_sigmask & SIGBIT(sig)) || p->p_sigacts[sig].sa_handler == SIG_IGN) {
		p->p_sigacts[sig].sa_handler = SIG_DFL;
		current_uthread()->uu_sigmask &= ~SIGBIT(sig);
	}
	psignal_thread(current_uthread(), sig); /* the faulting thread takes it */
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
	if (pid == 0 || pid < -1) /* a process group: the caller's own, or -pid */
		return pgsignal(pid == 0 ? current_proc()->p_pgid : -pid, sig) > 0 ? 0 : -ESRCH;
	if (pid == -1) /* XXX: broadcast */
		return -ESRCH;
	s = lck_spin_lock_irqsave(&proc_lock);
	p = proc_find(pid);
	if (p == NULL || p->p_stat != SRUN) {
		lck_spin_unlock_irqrestore(&proc_lock, s);
		return -ESRCH;
	}
	if (!cred_can_signal(current_proc(), p)) {
		lck_spin_unlock_irqrestore(&proc_lock, s);
		return -EPERM;
	}
	if (sig != 0)
		psignal_locked(p, sig);
	lck_spin_unlock_irqrestore(&proc_lock, s);
	return 0;
}

/* Post sig to the thread tid, of process tgid when tgid > 0 (tgkill) or of any (tkill). */
static long
sig_thread_kill(pid_t tgid, pid_t tid, int sig)
{
	struct uthread *ut;
	long r = 0;
	bool s;

	if (sig < 0 || sig >= NSIG || tid <= 0)
		return -EINVAL;
	s = lck_spin_lock_irqsave(&proc_lock);
	ut = proc_find_thread(tid);
	if (ut == NULL || (tgid > 0 && ut->uu_proc->p_pid != tgid))
		r = -ESRCH;
	else if (!cred_can_signal(current_proc(), ut->uu_proc))
		r = -EPERM;
	else if (sig != 0)
		psignal_thread_locked(ut, sig);
	lck_spin_unlock_irqrestore(&proc_lock, s);
	return r;
}

long
sys_tkill(struct trapframe *tf)
{
	return sig_thread_kill(0, (pid_t)tf->tf_rdi, (int)tf->tf_rsi);
}

long
sys_tgkill(struct trapframe *tf)
{
	if ((pid_t)tf->tf_rdi <= 0)
		return -EINVAL;
	return sig_thread_kill((pid_t)tf->tf_rdi, (pid_t)tf->tf_rsi, (int)tf->tf_rdx);
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
		if (ut->uu_sigmask & ~old)
			sig_redirect(current_proc(), ut);
	}
	if (tf->tf_rdx != 0 && copyout(&old, (void *)tf->tf_rdx, sizeof(old)) != 0)
		return -EFAULT;
	return 0;
}

/*
 * rt_sigsuspend(mask, sigsetsize): wait under mask until a signal comes whose action runs; the
 * old mask comes back when its handler returns (bsd_ast, sig_deliver). Returns -EINTR. XXX:
 * like rt_sigtimedwait it looks again every 10 ms.
 */
long
sys_rt_sigsuspend(struct trapframe *tf)
{
	struct proc *p = current_proc();
	struct uthread *ut = current_uthread();
	uint64_t mask;

	if (tf->tf_rsi != sizeof(mask))
		return -EINVAL;
	if (copyin((const void *)tf->tf_rdi, &mask, sizeof(mask)) != 0)
		return -EFAULT;
	ut->uu_oldmask = ut->uu_sigmask;
	ut->uu_restore_mask = true;
	ut->uu_sigmask = mask & ~SIG_CANTMASK;
	while (!bsd_ast_pending()) {
		assert_wait_deadline(&p->p_siglist, THREAD_INTERRUPTIBLE,
				     clock_uptime_ns() + 10000000ULL);
		(void)thread_block(NULL);
	}
	return -EINTR;
}

/*
 * rt_sigtimedwait(set, info, timeout, sigsetsize): take the lowest pending signal of set (which
 * the caller keeps blocked) without running its action; wait up to timeout (NULL: for ever).
 * Returns the signal, -EAGAIN when the time ran out, -EINTR when an unblocked signal came.
 * XXX: siginfo carries only si_signo and si_code SI_USER; the wait looks again every 10 ms,
 * since a blocked signal does not wake its target.
 */
long
sys_rt_sigtimedwait(struct trapframe *tf)
{
	struct proc *p = current_proc();
	uint64_t set, deadline = UINT64_MAX;
	int64_t ts[2];

	if (tf->tf_r10 != sizeof(uint64_t))
		return -EINVAL;
	if (copyin((const void *)tf->tf_rdi, &set, sizeof(set)) != 0)
		return -EFAULT;
	if (tf->tf_rdx != 0) {
		if (copyin((const void *)tf->tf_rdx, ts, sizeof(ts)) != 0)
			return -EFAULT;
		if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000)
			return -EINVAL;
		deadline = clock_uptime_ns() + (uint64_t)MIN(ts[0], (int64_t)100000000) *
							1000000000ULL + (uint64_t)ts[1];
	}
	set &= ~SIG_CANTMASK;
	for (;;) {
		bool s = lck_spin_lock_irqsave(&proc_lock);
		int sig = sig_take_locked(p, current_uthread(), set);

		lck_spin_unlock_irqrestore(&proc_lock, s);
		if (sig != 0) {
			int32_t info[32] = { sig, 0, 0 /* SI_USER */ };

			if (tf->tf_rsi != 0 && copyout(info, (void *)tf->tf_rsi, sizeof(info)) != 0)
				return -EFAULT;
			return sig;
		}
		if (clock_uptime_ns() >= deadline)
			return -EAGAIN;
		assert_wait_deadline(&p->p_siglist, THREAD_INTERRUPTIBLE,
				     MIN(deadline, clock_uptime_ns() + 10000000ULL));
		if (thread_block(NULL) == THREAD_INTERRUPTED)
			return -EINTR;
	}
}
