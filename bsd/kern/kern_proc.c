/*
 * kern_proc.c — the process life cycle (XNU bsd/kern/kern_proc.c, kern_fork.c, kern_exit.c):
 * pids, the process tree, starting a process's thread, fork by copy-on-write of the task's map
 * (vm_map_fork), exit into a zombie with reparenting to init, and wait4.
 *
 * The one idea: exit gives back everything but the proc itself at once (descriptors, the
 * address space and its pmap, the FPU area) and leaves a zombie holding only the wait status;
 * the parent's wait4 frees the proc and drops its task reference, and Mach's reaper frees the
 * thread, whose last reference frees the task. Statuses are encoded as Linux's wait(2).
 * A process has one or more threads (clone with CLONE_THREAD); exit of the process first
 * makes the caller its only thread (SIGKILL to the others, then a wait for p_nthreads == 1),
 * so the address space is torn down by the last thread standing and wait4 sees the zombie only
 * once every thread is gone. Thread ids come from the pid space, as in Linux.
 */
#include <arch/x86_64/pmap.h>
#include <arch/x86_64/timer.h>
#include <arch/x86_64/user_machdep.h>
#include <arch/x86_64/usercopy.h>
#include <bsd/kern/futex.h>
#include <bsd/kern/proc.h>
#include <bsd/kern/syscall.h>
#include <bsd/sys/errno.h>
#include <console.h>
#include <iokit/acpi_platform.h>
#include <ktest.h>
#include <linux/sched.h>
#include <mach/kern/ipc_kobject.h>
#include <mach/kern/kalloc.h>
#include <mach/kern/processor.h>
#include <panic.h>

#define PID_MAX 32768

lck_spin_t proc_lock = LCK_SPIN_INITIALIZER;
struct proc *initproc;
static queue_head_t allproc = QUEUE_HEAD_INITIALIZER(allproc);
static pid_t proc_next_pid = 1;

struct uthread *
current_uthread(void)
{
	thread_t t = current_thread();

	return t != NULL ? t->th_uthread : NULL;
}

struct proc *
current_proc(void)
{
	struct uthread *ut = current_uthread();

	return ut != NULL ? ut->uu_proc : NULL;
}

struct proc *
proc_find(pid_t pid)
{
	queue_foreach(&allproc, e) {
		struct proc *p = container_of(e, struct proc, p_list);

		if (p->p_pid == pid)
			return p;
	}
	return NULL;
}

struct uthread *
proc_find_thread(pid_t tid)
{
	queue_foreach(&allproc, e) {
		struct proc *p = container_of(e, struct proc, p_list);

		if (p->p_stat != SRUN)
			continue;
		queue_foreach(&p->p_threads, te) {
			struct uthread *ut = container_of(te, struct uthread, uu_list);

			if (ut->uu_tid == tid)
				return ut;
		}
	}
	return NULL;
}

/* A free id in the pid space (no process, zombie or thread has it), or 0. proc_lock held. */
static pid_t
proc_alloc_id(void)
{
	for (unsigned tries = 0; tries < PID_MAX; tries++) {
		pid_t pid = proc_next_pid;

		proc_next_pid = proc_next_pid >= PID_MAX - 1 ? 2 : proc_next_pid + 1;
		if (proc_find(pid) == NULL && proc_find_thread(pid) == NULL)
			return pid;
	}
	return 0;
}

struct proc *
proc_alloc(struct proc *parent, task_t task, pmap_t pmap)
{
	struct proc *p = kalloc_zero(sizeof(*p));
	bool s;

	if (p == NULL)
		return NULL;
	queue_init(&p->p_children);
	queue_init(&p->p_threads);
	p->p_task = task;
	p->p_pmap = pmap;
	p->p_stat = SIDL;
	p->p_start_ns = clock_uptime_ns();
	s = lck_spin_lock_irqsave(&proc_lock);
	p->p_pid = proc_alloc_id();
	if (p->p_pid == 0) {
		lck_spin_unlock_irqrestore(&proc_lock, s);
		kfree(p, sizeof(*p));
		return NULL;
	}
	p->p_pptr = parent;
	p->p_umask = parent != NULL ? parent->p_umask : 022; /* init's, as on Linux */
	/* The parent's process group and session; init starts its own. */
	p->p_pgid = parent != NULL ? parent->p_pgid : p->p_pid;
	p->p_sid = parent != NULL ? parent->p_sid : p->p_pid;
	if (parent != NULL)
		queue_enter(&parent->p_children, &p->p_sibling);
	queue_enter(&allproc, &p->p_list);
	lck_spin_unlock_irqrestore(&proc_lock, s);
	task->t_bsd_info = p;
	return p;
}

/*
 * Process groups and sessions (POSIX): setsid makes the caller the leader of a new session and
 * group (EPERM for a group leader); setpgid(pid, pgid) moves the caller or a child into a
 * group of the same session. XXX: no controlling terminal or job-control signals yet.
 */
long
sys_setsid(struct trapframe *tf)
{
	struct proc *p = current_proc();

	if (p->p_pgid == p->p_pid)
		return -EPERM;
	p->p_sid = p->p_pgid = p->p_pid;
	return p->p_pid;
}

long
sys_getsid(struct trapframe *tf)
{
	struct proc *p = tf->tf_rdi == 0 ? current_proc() : proc_find((pid_t)tf->tf_rdi);

	return p == NULL ? -ESRCH : p->p_sid;
}

long
sys_getpgid(struct trapframe *tf)
{
	struct proc *p = tf->tf_rdi == 0 ? current_proc() : proc_find((pid_t)tf->tf_rdi);

	return p == NULL ? -ESRCH : p->p_pgid;
}

long
sys_getpgrp(struct trapframe *tf)
{
	return current_proc()->p_pgid;
}

long
sys_setpgid(struct trapframe *tf)
{
	struct proc *self = current_proc(), *p;
	pid_t pid = (pid_t)tf->tf_rdi, pgid = (pid_t)tf->tf_rsi;

	if (pgid < 0)
		return -EINVAL;
	p = pid == 0 ? self : proc_find(pid);
	if (p == NULL || (p != self && p->p_pptr != self))
		return -ESRCH;
	if (p->p_sid != self->p_sid || p->p_pid == p->p_sid)
		return -EPERM;
	p->p_pgid = pgid == 0 ? p->p_pid : pgid;
	return 0;
}

/* The thread's first steps: into user mode with the registers saved in its uthread. */
static void
proc_thread_continue(void *param, wait_result_t wr)
{
	struct uthread *ut = param;
	thread_t self = current_thread();

	if (ut->uu_tid == 0) { /* proc_thread_create gave it no id */
		usr_thread_free(self);
		self->th_uthread = NULL;
		kfree(ut, sizeof(*ut));
		thread_terminate_self();
	}
	usr_thread_enter(&ut->uu_start, self->th_kstack + KERNEL_STACK_SIZE);
}

/*
 * Make p a new thread entering user mode with *tf, not started yet (proc_thread_run starts it):
 * *utp and *tidp are its uthread and tid. Returns 0, ENOMEM, EAGAIN (no id, or p is ending).
 */
static int
proc_thread_create(struct proc *p, const struct trapframe *tf, bool copy_current,
		   struct uthread **utp, pid_t *tidp)
{
	struct uthread *ut = kalloc_zero(sizeof(*ut));
	void *fpu = usr_fpu_alloc();
	thread_t t;
	pid_t tid;
	bool s;

	if (ut == NULL || fpu == NULL ||
	    thread_create_in_task(p->p_task, proc_thread_continue, ut, BASEPRI_DEFAULT, &t) !=
		    KERN_SUCCESS) {
		if (ut != NULL)
			kfree(ut, sizeof(*ut));
		if (fpu != NULL)
			kfree(fpu, 512);
		return ENOMEM;
	}
	ut->uu_proc = p;
	ut->uu_start = *tf;
	usr_thread_init(t, fpu);
	if (copy_current) {
		/* fork and clone: the new thread continues with the caller's FPU registers and
		 * TLS (clone's CLONE_SETTLS changes the latter afterwards). */
		usr_thread_copy_fpu(t);
		t->th_machine.mt_fsbase = current_thread()->th_machine.mt_fsbase;
	}
	if (current_uthread() != NULL)
		ut->uu_sigmask = current_uthread()->uu_sigmask;
	ut->uu_thread = t;
	t->th_uthread = ut;
	t->th_bound = NULL; /* user threads run on every CPU (per-CPU pmaps, stacks, TSS) */
	s = lck_spin_lock_irqsave(&proc_lock);
	tid = queue_empty(&p->p_threads) ? p->p_pid : proc_alloc_id();
	if (tid != 0 && p->p_stat != SZOMB && !p->p_exiting) {
		ut->uu_tid = tid;
		queue_enter(&p->p_threads, &ut->uu_list);
		p->p_nthreads++;
		p->p_stat = SRUN;
	}
	lck_spin_unlock_irqrestore(&proc_lock, s);
	if (ut->uu_tid == 0) {
		/* No id, or the process is ending: the thread runs only to end itself. */
		thread_start(t);
		thread_deallocate(t);
		return EAGAIN;
	}
	ksnprintf(t->th_name, sizeof(t->th_name), "pid%d.%d", p->p_pid, tid);
	*utp = ut;
	*tidp = tid;
	return 0;
}

static void
proc_thread_run(struct uthread *ut)
{
	thread_t t = ut->uu_thread;

	thread_start(t);
	thread_deallocate(t);
}

int
proc_start_thread(struct proc *p, const struct trapframe *tf, const void *fpu_from_current,
		  pid_t *tidp)
{
	struct uthread *ut;
	pid_t tid;
	int err = proc_thread_create(p, tf, fpu_from_current != NULL, &ut, &tid);

	if (err != 0)
		return err;
	if (tidp != NULL)
		*tidp = tid;
	proc_thread_run(ut);
	return 0;
}

/*
 * clone(flags, stack, ptid, ctid, tls) with CLONE_THREAD, as pthread_create issues it: a new
 * thread in the caller's task, on stack, with FS base tls (CLONE_SETTLS), its tid stored at
 * ptid (CLONE_PARENT_SETTID) and ctid (CLONE_CHILD_SETTID), and ctid cleared with a futex wake
 * when it exits (CLONE_CHILD_CLEARTID). Descriptors, cwd, signal actions and SysV undo are per
 * process here, so CLONE_FILES, CLONE_FS, CLONE_SIGHAND and CLONE_SYSVSEM are what it has
 * anyway. Returns the tid to the caller; the thread starts with rax 0.
 */
#define CLONE_THREAD_OK                                                                         \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |      \
	 CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID |       \
	 CLONE_DETACHED)

long
sys_clone_thread(struct trapframe *tf)
{
	uint64_t flags = tf->tf_rdi, stack = tf->tf_rsi, ptid = tf->tf_rdx, ctid = tf->tf_r10;
	uint64_t tls = tf->tf_r8;
	struct proc *p = current_proc();
	struct trapframe ctf = *tf;
	struct uthread *ut;
	pid_t tid;
	int err;

	/* POSIX threads share signal actions and the address space (Linux's checks). */
	if (!(flags & CLONE_SIGHAND) || !(flags & CLONE_VM) || (flags & 0xff) != 0)
		return -EINVAL;
	if (flags & ~(uint64_t)CLONE_THREAD_OK) {
		klog(LOG_NOTICE, "clone: pid %d: thread flags %#llx not supported\n", p->p_pid,
		     (unsigned long long)(flags & ~(uint64_t)CLONE_THREAD_OK));
		return -EINVAL;
	}
	if ((flags & CLONE_SETTLS) && tls >= USER_ADDR_MAX)
		return -EPERM;
	ctf.tf_rax = 0;
	if (stack != 0)
		ctf.tf_rsp = stack;
	if ((err = proc_thread_create(p, &ctf, true, &ut, &tid)) != 0)
		return -err;
	if (flags & CLONE_SETTLS)
		ut->uu_thread->th_machine.mt_fsbase = tls;
	if (flags & CLONE_CHILD_CLEARTID)
		ut->uu_clear_tid = ctid;
	/* Before the thread runs, so both see the tid at once. XXX: a bad ptid or ctid is
	 * ignored (Linux ignores a bad ctid too, but fails the clone for a bad ptid). */
	if (flags & CLONE_PARENT_SETTID)
		(void)copyout(&tid, (void *)ptid, sizeof(tid));
	if (flags & CLONE_CHILD_SETTID)
		(void)copyout(&tid, (void *)ctid, sizeof(tid));
	proc_thread_run(ut);
	return tid;
}

/* Undo proc_alloc for a process that never ran (fork ran out of memory). */
static void
proc_abort(struct proc *p)
{
	bool s = lck_spin_lock_irqsave(&proc_lock);

	queue_remove(&p->p_sibling);
	queue_remove(&p->p_list);
	lck_spin_unlock_irqrestore(&proc_lock, s);
	fdt_close_all(p);
	task_deallocate(p->p_task); /* no threads: frees the task and its map */
	pmap_destroy(p->p_pmap);
	kfree(p, sizeof(*p));
}

long
sys_fork_common(struct trapframe *tf);
long
sys_fork_common(struct trapframe *tf)
{
	struct proc *parent = current_proc(), *child;
	struct trapframe ctf = *tf;
	pmap_t pmap = pmap_create();
	vm_map_t map;
	task_t task;

	if (pmap == NULL)
		return -ENOMEM;
	map = vm_map_fork(parent->p_task->t_map, pmap);
	if (map == NULL) {
		pmap_destroy(pmap);
		return -ENOMEM;
	}
	task = task_create(map, "user");
	if (task == NULL) {
		vm_map_deallocate(map);
		pmap_destroy(pmap);
		return -ENOMEM;
	}
	ipc_task_inherit(task, parent->p_task); /* the bootstrap port, as XNU's fork */
	child = proc_alloc(parent, task, pmap);
	if (child == NULL) {
		task_deallocate(task);
		pmap_destroy(pmap);
		return -EAGAIN;
	}
	child->p_brk_base = parent->p_brk_base;
	child->p_brk = parent->p_brk;
	child->p_mmap_base = parent->p_mmap_base;
	memcpy(child->p_sigacts, parent->p_sigacts, sizeof(child->p_sigacts));
	memcpy(child->p_comm, parent->p_comm, sizeof(child->p_comm));
	cred_fork(child, parent);
	memcpy(child->p_args, parent->p_args, sizeof(child->p_args));
	child->p_argslen = parent->p_argslen;
	fdt_fork(child, parent);
	ctf.tf_rax = 0;
	if (proc_start_thread(child, &ctf, parent, NULL) != 0) {
		proc_abort(child);
		return -ENOMEM;
	}
	return child->p_pid;
}

/*
 * Stop every thread of the current process but the caller: SIGKILL each (their way back to
 * user mode, or an interrupted sleep, brings them to proc_exit, which sees p_exiting and ends
 * only them), then sleep until they are gone. Returns false when another thread got there
 * first. proc_lock not held.
 */
static bool
proc_stop_others(struct proc *p, struct uthread *self)
{
	bool s = lck_spin_lock_irqsave(&proc_lock);

	if (p->p_exiting) {
		lck_spin_unlock_irqrestore(&proc_lock, s);
		return false;
	}
	p->p_exiting = true;
	queue_foreach(&p->p_threads, e) {
		struct uthread *ut = container_of(e, struct uthread, uu_list);

		if (ut != self)
			psignal_thread_locked(ut, SIGKILL);
	}
	while (p->p_nthreads > 1) {
		assert_wait(&p->p_nthreads, THREAD_UNINT);
		lck_spin_unlock_irqrestore(&proc_lock, s);
		thread_block(NULL);
		s = lck_spin_lock_irqsave(&proc_lock);
	}
	lck_spin_unlock_irqrestore(&proc_lock, s);
	return true;
}

bool
proc_single_thread(void)
{
	struct proc *p = current_proc();
	bool s;

	if (p->p_nthreads == 1 && !p->p_exiting)
		return true;
	if (!proc_stop_others(p, current_uthread()))
		return false;
	s = lck_spin_lock_irqsave(&proc_lock);
	p->p_exiting = false;
	lck_spin_unlock_irqrestore(&proc_lock, s);
	return true;
}

/*
 * Take the current thread off its process and end it; the process goes on. When it is the
 * last thread and nobody is ending the process, it ends the process instead: the check and
 * the removal are one step under proc_lock, so of two threads exiting at once exactly one
 * ends the process.
 */
static __noreturn void
proc_thread_end(struct proc *p, struct uthread *ut, int xstat)
{
	thread_t self = current_thread();
	bool s = lck_spin_lock_irqsave(&proc_lock);

	if (p->p_nthreads == 1 && !p->p_exiting) {
		lck_spin_unlock_irqrestore(&proc_lock, s);
		proc_exit(xstat);
	}
	queue_remove(&ut->uu_list);
	p->p_nthreads--;
	self->th_uthread = NULL;
	lck_spin_unlock_irqrestore(&proc_lock, s);
	usr_thread_free(self);
	thread_wakeup(&p->p_nthreads);
	kfree(ut, sizeof(*ut));
	thread_terminate_self();
}

__noreturn void
proc_thread_exit(int xstat, bool cleartid)
{
	struct proc *p = current_proc();
	struct uthread *ut = current_uthread();

	if (cleartid && ut->uu_clear_tid != 0) {
		uint32_t zero = 0;

		/* pthread_join sleeps on this word (Linux mm_release). */
		if (copyout(&zero, (void *)ut->uu_clear_tid, sizeof(zero)) == 0)
			(void)futex_wake_addr(p, ut->uu_clear_tid, 1);
	}
	proc_thread_end(p, ut, xstat);
}

__noreturn void
proc_exit(int xstat)
{
	struct proc *p = current_proc(), *pp;
	struct uthread *ut = current_uthread();
	thread_t self = current_thread();
	vm_map_t map;
	bool s;

	if (p == initproc) {
		printf("init: exited with wait status %#x; powering off\n", xstat);
		ktest_debug_exit(xstat == 0 ? 0 : 1);
		acpi_poweroff();
		panic("init exited and the machine did not power off");
	}
	/* exit_group, a fatal signal: the other threads go first; if another thread is already
	 * ending the process, only this one ends. */
	if (!proc_stop_others(p, ut))
		proc_thread_end(p, ut, xstat);
	fdt_close_all(p);
	ipc_task_exit(p->p_task); /* its rights go now: peers see dead names, no-senders */
	/* From here the thread is a kernel thread: no FPU area, the kernel pmap. */
	usr_thread_free(self);
	s = intr_save();
	pmap_activate(kernel_pmap);
	map = p->p_task->t_map;
	p->p_task->t_map = NULL;
	intr_restore(s);
	vm_map_deallocate(map);
	pmap_destroy(p->p_pmap);
	p->p_pmap = NULL;

	s = lck_spin_lock_irqsave(&proc_lock);
	while (!queue_empty(&p->p_children)) {
		struct proc *c = container_of(p->p_children.next, struct proc, p_sibling);

		queue_remove(&c->p_sibling);
		c->p_pptr = initproc;
		queue_enter(&initproc->p_children, &c->p_sibling);
	}
	p->p_xstat = xstat;
	p->p_stat = SZOMB;
	queue_remove(&ut->uu_list);
	p->p_nthreads--;
	pp = p->p_pptr;
	self->th_uthread = NULL;
	psignal_locked(pp, SIGCHLD); /* under the lock: pp cannot be reaped meanwhile */
	lck_spin_unlock_irqrestore(&proc_lock, s);
	kfree(ut, sizeof(*ut));
	thread_wakeup(pp);
	thread_wakeup(initproc); /* it may have inherited zombies */
	thread_terminate_self();
}

static void
proc_free(struct proc *p)
{
	task_deallocate(p->p_task);
	kfree(p, sizeof(*p));
}

long
proc_wait4(pid_t pid, int *status, int options)
{
	struct proc *p = current_proc();

	for (;;) {
		bool s = lck_spin_lock_irqsave(&proc_lock), have = false;
		struct proc *found = NULL;

		queue_foreach(&p->p_children, e) {
			struct proc *c = container_of(e, struct proc, p_sibling);

			/* XXX: no process groups yet: pid 0 and < -1 mean any child. */
			if (pid > 0 && c->p_pid != pid)
				continue;
			have = true;
			if (c->p_stat == SZOMB) {
				found = c;
				break;
			}
		}
		if (found != NULL) {
			pid_t cpid = found->p_pid;

			queue_remove(&found->p_sibling);
			queue_remove(&found->p_list);
			lck_spin_unlock_irqrestore(&proc_lock, s);
			*status = found->p_xstat;
			proc_free(found);
			return cpid;
		}
		if (!have || (options & WNOHANG)) {
			lck_spin_unlock_irqrestore(&proc_lock, s);
			return have ? 0 : -ECHILD;
		}
		if ((p->p_siglist | current_uthread()->uu_siglist) & ~current_uthread()->uu_sigmask &
		    ~SIGBIT(SIGCHLD)) {
			lck_spin_unlock_irqrestore(&proc_lock, s);
			return -EINTR;
		}
		assert_wait(p, THREAD_INTERRUPTIBLE);
		lck_spin_unlock_irqrestore(&proc_lock, s);
		thread_block(NULL);
	}
}

/* /proc's view of a process (proc.h). proc_lock held. */
static void
proc_info_fill(struct proc *p, struct proc_info *pi)
{
	task_t t = p->p_task;

	memset(pi, 0, sizeof(*pi));
	pi->pi_pid = p->p_pid;
	pi->pi_ppid = p->p_pptr != NULL ? p->p_pptr->p_pid : 0;
	pi->pi_pgid = p->p_pgid;
	pi->pi_sid = p->p_sid;
	/* Running when any of its threads is; ticks are the sum over its threads. */
	pi->pi_state = p->p_stat == SZOMB ? 'Z' : 'S';
	if (p->p_stat != SZOMB) {
		queue_foreach(&p->p_threads, e) {
			struct uthread *ut = container_of(e, struct uthread, uu_list);

			if (ut->uu_thread == NULL)
				continue;
			if (ut->uu_thread->th_state & TH_RUN)
				pi->pi_state = 'R';
			pi->pi_ticks += ut->uu_thread->th_ticks;
		}
	}
	memcpy(pi->pi_comm, p->p_comm, sizeof(pi->pi_comm));
	pi->pi_comm[sizeof(pi->pi_comm) - 1] = '\0';
	pi->pi_argslen = MIN(p->p_argslen, (uint32_t)sizeof(pi->pi_args));
	memcpy(pi->pi_args, p->p_args, pi->pi_argslen);
	pi->pi_start_ns = p->p_start_ns;
	/* XXX: read without the map's lock; exec may be replacing the map on another CPU, which
	 * can make one reading stale (never a fault: maps live in kernel memory). */
	if (p->p_stat != SZOMB && t != NULL && t->t_map != NULL && p->p_pmap != NULL) {
		pi->pi_vsize = t->t_map->vm_size;
		pi->pi_rss_pages = p->p_pmap->pm_resident;
	}
}

bool
proc_info_next(pid_t after, struct proc_info *pi)
{
	struct proc *best = NULL;
	bool s = lck_spin_lock_irqsave(&proc_lock);

	queue_foreach(&allproc, e) {
		struct proc *p = container_of(e, struct proc, p_list);

		if (p->p_pid > after && p->p_stat != SIDL &&
		    (best == NULL || p->p_pid < best->p_pid))
			best = p;
	}
	if (best != NULL)
		proc_info_fill(best, pi);
	lck_spin_unlock_irqrestore(&proc_lock, s);
	return best != NULL;
}

bool
proc_info_get(pid_t pid, struct proc_info *pi)
{
	bool s = lck_spin_lock_irqsave(&proc_lock), found;
	struct proc *p = proc_find(pid);

	found = p != NULL && p->p_stat != SIDL;
	if (found)
		proc_info_fill(p, pi);
	lck_spin_unlock_irqrestore(&proc_lock, s);
	return found;
}

bool
proc_pgrp_in_session(pid_t pgid, pid_t sid)
{
	bool s = lck_spin_lock_irqsave(&proc_lock), found = false;

	queue_foreach(&allproc, e) {
		struct proc *p = container_of(e, struct proc, p_list);

		if (p->p_stat == SRUN && p->p_sid == sid && (pgid == 0 || p->p_pgid == pgid)) {
			found = true;
			break;
		}
	}
	lck_spin_unlock_irqrestore(&proc_lock, s);
	return found;
}

int
pgsignal(pid_t pgid, int signum)
{
	struct proc_info pi;
	pid_t last = 0;
	int n = 0;

	/* By pid, one lookup each: psignal takes proc_lock itself. */
	while (proc_info_next(last, &pi)) {
		struct proc *p;
		bool s;

		last = pi.pi_pid;
		if (pi.pi_pgid != pgid || pi.pi_state == 'Z')
			continue;
		s = lck_spin_lock_irqsave(&proc_lock);
		p = proc_find(pi.pi_pid);
		if (p != NULL && (p->p_stat != SRUN || p->p_pgid != pgid))
			p = NULL;
		lck_spin_unlock_irqrestore(&proc_lock, s);
		if (p != NULL) {
			psignal(p, signum);
			n++;
		}
	}
	return n;
}
