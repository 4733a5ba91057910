/*
 * proc.h — BSD processes over Mach tasks (XNU bsd/sys/proc_internal.h, user.h): the process
 * (pid, parent and children, exit status, signals, descriptors, program break) over one task,
 * and the uthread over each of its threads.
 *
 * The one idea (XNU): Mach owns the resources that run (task: address space; thread: register
 * state, scheduling); BSD adds the POSIX identity and life cycle on top and is found from them
 * through task->t_bsd_info and thread->th_uthread.
 *
 * Locking: one spin lock, proc_lock, covers the process tree, the pid table, p_stat, the thread
 * list and the signal words. A process's other fields (descriptors, brk, mmap base, credentials)
 * are changed by its own threads only. XXX: with several threads those fields have no lock of
 * their own yet (Linux has files_struct and mm locks); two threads of one process changing
 * descriptors at once can race.
 */
#ifndef _BSD_KERN_PROC_H_
#define _BSD_KERN_PROC_H_

#include <arch/x86_64/trap.h>
#include <mach/kern/queue.h>
#include <mach/kern/task.h>
#include <mach/kern/thread.h>
#include <mach/vm/vm_map.h>

typedef int pid_t;

#define NSIG	     65 /* signals 1..64 */
#define SIGHUP	     1
#define SIGINT	     2
#define SIGQUIT	     3
#define SIGILL	     4
#define SIGTRAP	     5
#define SIGABRT	     6
#define SIGBUS	     7
#define SIGFPE	     8
#define SIGKILL	     9
#define SIGUSR1	     10
#define SIGSEGV	     11
#define SIGUSR2	     12
#define SIGPIPE	     13
#define SIGALRM	     14
#define SIGTERM	     15
#define SIGCHLD	     17
#define SIGCONT	     18
#define SIGSTOP	     19
#define SIGTSTP	     20
#define SIGTTIN	     21
#define SIGTTOU	     22
#define SIGURG	     23
#define SIGWINCH     28
#define SIGBIT(s)    (1ULL << ((s) - 1))
#define SIG_DFL	     0ULL
#define SIG_IGN	     1ULL

#define NOFILE 64
#define NGROUPS_K 32 /* supplementary groups per process */

struct file;

struct sigaction_k {
	uint64_t sa_handler;
	uint64_t sa_flags;
	uint64_t sa_restorer;
	uint64_t sa_mask;
};

enum proc_stat { SIDL = 1, SRUN, SZOMB };

struct uthread {
	thread_t uu_thread;
	struct proc *uu_proc;
	queue_chain_t uu_list;		/* on p_threads, under proc_lock */
	pid_t uu_tid;			/* Linux thread id: the pid for the first thread */
	uint64_t uu_siglist;		/* signals pending for this thread only (tgkill, faults) */
	struct trapframe uu_start;	/* the registers the thread first enters user mode with */
	uint64_t uu_sigmask;		/* blocked signals */
	uint64_t uu_clear_tid;		/* set_tid_address */
	uint64_t uu_syscall;		/* rax of the system call in progress, for SA_RESTART */
	uint64_t uu_oldmask;		/* rt_sigsuspend: the mask to put back ... */
	bool uu_restore_mask;		/* ... once its signal is handled */
};

struct proc {
	pid_t p_pid;
	struct proc *p_pptr;
	queue_head_t p_children;
	queue_chain_t p_sibling;	/* on p_pptr->p_children */
	queue_chain_t p_list;		/* allproc */
	task_t p_task;
	pmap_t p_pmap;			/* the pmap under p_task->t_map (the map does not own it) */
	queue_head_t p_threads;		/* its uthreads (uu_list), under proc_lock */
	unsigned p_nthreads;		/* how many are on p_threads */
	bool p_exiting;			/* one thread is ending the others (exit, exec) */
	enum proc_stat p_stat;
	int p_xstat;			/* wait status once a zombie */
	uint64_t p_siglist;		/* pending signals */
	struct sigaction_k p_sigacts[NSIG];
	struct file *p_fd[NOFILE];
	uint8_t p_fdflags[NOFILE];	/* per descriptor: FD_CLOEXEC */
	vaddr_t p_brk_base, p_brk;	/* program break: [base, brk) mapped in pages */
	vaddr_t p_mmap_base;		/* where mmap(NULL) starts looking */
	char p_comm[16];
	char p_args[128];		/* argv as exec saw it, NUL-separated, cut at 128 (/proc) */
	uint32_t p_argslen;
	uint64_t p_start_ns;		/* uptime at fork (/proc/<pid>/stat starttime) */
	char p_cwd[256];		/* the current directory, absolute and normalised ("": /) */
	uint16_t p_umask;		/* file mode creation mask (umask(2)) */
	pid_t p_pgid, p_sid;		/* process group and session (no job control yet) */
	/* Credentials (kern_prot.c): real, effective and saved ids, supplementary groups. */
	uint32_t p_uid, p_euid, p_suid;
	uint32_t p_gid, p_egid, p_sgid;
	uint32_t p_groups[NGROUPS_K];
	unsigned p_ngroups;
};

#define WNOHANG	  1
#define WUNTRACED 2

extern lck_spin_t proc_lock;
extern struct proc *initproc;

/* The process and uthread the current thread belongs to (NULL in kernel threads). */
struct proc *current_proc(void);
struct uthread *current_uthread(void);

/*
 * proc_alloc: a new process (SIDL) with a fresh pid, child of parent (NULL only for init),
 * over task (whose reference it takes over; task->t_bsd_info is set), no thread yet.
 *   Returns: the process, or NULL (no memory, no pid).
 */
struct proc *proc_alloc(struct proc *parent, task_t task, pmap_t pmap);
/* proc_find: the live or zombie process with pid, or NULL. proc_lock held. */
struct proc *proc_find(pid_t pid);
/*
 * proc_start_thread: give p a new thread entering user mode with *tf (on any CPU) and start it;
 * p becomes SRUN. With fpu_from_current the thread starts with the caller's FPU registers and
 * FS base (fork, clone), otherwise with fresh ones. *tidp (when not NULL) gets its tid: the pid
 * for p's first thread, a fresh id from the pid space otherwise.
 *   Locks:   none held.
 *   Returns: 0, ENOMEM, EAGAIN (no id left).
 */
int proc_start_thread(struct proc *p, const struct trapframe *tf, const void *fpu_from_current,
		      pid_t *tidp);
/*
 * proc_single_thread: make the current thread the only one of its process (exec): every other
 * thread gets SIGKILL and the caller sleeps until they are gone.
 *   Returns: true; false when another thread is already ending the process (the caller then
 *   ends itself with proc_thread_exit).
 */
bool proc_single_thread(void);
/*
 * proc_thread_exit: end the current thread only (exit(2) of one thread). With cleartid, the
 * set_tid_address word is zeroed and one futex waiter on it woken (pthread_join). The last
 * thread of a process ends the process instead (proc_exit with xstat).
 */
__noreturn void proc_thread_exit(int xstat, bool cleartid);
/* sys_clone_thread: clone(2) with CLONE_THREAD (kern_proc.c); sys_clone passes it on. */
long sys_clone_thread(struct trapframe *tf);
/* proc_find_thread: the uthread with tid, in a live process, or NULL. proc_lock held. */
struct uthread *proc_find_thread(pid_t tid);
/*
 * proc_exit: end the current process with wait status xstat: close descriptors, tear down the
 * address space, reparent children to init, become a zombie, notify the parent (SIGCHLD and the
 * wait4 wakeup), terminate the thread. Init's death powers the machine off.
 */
__noreturn void proc_exit(int xstat);
/* wait4 (kern_exit.c): returns the pid, 0 with WNOHANG and nothing ready, or -errno. */
long proc_wait4(pid_t pid, int *status, int options);

/* Signals (kern_sig.c). psignal: post signal to p, for the first of its threads that does not
 * block it (0 is a no-op); psignal_thread: post it to that thread only. Any context but
 * interrupts; proc_lock not held. */
void psignal(struct proc *p, int signum);
/* psignal_locked: psignal with proc_lock held, so p cannot be reaped meanwhile. */
void psignal_locked(struct proc *p, int signum);
void psignal_thread(struct uthread *ut, int signum);
/* psignal_thread_locked: psignal_thread with proc_lock held. */
void psignal_thread_locked(struct uthread *ut, int signum);

/* Credentials (kern_prot.c). proc_suser: 0 when p's effective uid is 0 (root), else EPERM.
 * New processes start as root (zeroed ids); cred_fork: the child's
 * credentials are the parent's. cred_groupmember: whether gid is p's effective or a
 * supplementary group. cred_can_signal: whether p may send a signal to q (POSIX kill rules). */
int proc_suser(struct proc *p);
void cred_fork(struct proc *child, const struct proc *parent);
bool cred_groupmember(const struct proc *p, uint32_t gid);
bool cred_can_signal(const struct proc *p, const struct proc *q);
/* cred_vaccess: may the current process use a file (owner uid, group gid, mode fmode) for want
 * (4 read, 2 write, 1 execute/search), by its effective ids or, with real, its real ones
 * (access(2))? Root passes all but execute of a file with no x bit. Returns 0 or EACCES. */
int cred_vaccess(uint32_t uid, uint32_t gid, uint32_t fmode, int want, bool real);

/* What /proc shows of a process: a copy taken under proc_lock (the process may go at once). */
struct proc_info {
	pid_t pi_pid, pi_ppid, pi_pgid, pi_sid;
	char pi_state;			/* 'R', 'S', 'Z' as Linux's stat shows it */
	char pi_comm[16];
	char pi_args[128];
	uint32_t pi_argslen;
	uint64_t pi_start_ns;
	uint64_t pi_vsize, pi_rss_pages;
	uint64_t pi_ticks;		/* scheduler ticks its thread ran (HZ = 100) */
};
/*
 * proc_info_next: the process with the lowest pid above `after` (0: the first), copied into *pi.
 *   Locks:   takes proc_lock. Returns: true, or false when there is none.
 */
bool proc_info_next(pid_t after, struct proc_info *pi);
/* proc_info_get: *pi of the process pid (zombies too). Returns false when there is none. */
bool proc_info_get(pid_t pid, struct proc_info *pi);

/*
 * pgsignal: post signal to every live process of group pgid (the terminal's ^C, kill(-pgid)).
 *   Returns: how many processes it was posted to.
 */
int pgsignal(pid_t pgid, int signum);
/* proc_pgrp_in_session: whether a live process of group pgid (0: any group) is in session sid. */
bool proc_pgrp_in_session(pid_t pgid, pid_t sid);
/* rt_sigreturn's frame check (kern_sig.c). */
#define SA_SIGINFO   0x00000004
#define SA_ONSTACK   0x08000000
#define SA_RESTORER  0x04000000
#define SA_RESTART   0x10000000
#define SA_NODEFER   0x40000000
#define SA_RESETHAND 0x80000000
/* Reset handlers across exec (caught ones become default; ignored stay ignored). */
void sig_exec_reset(struct proc *p);

/* bsd_init (kern_exec.c): start init from the boot archive; false when there is none. */
bool bsd_init(void);

/* Descriptors (kern_descrip.c). */
void fdt_init_console(struct proc *p);
void fdt_fork(struct proc *child, struct proc *parent);
void fdt_close_all(struct proc *p);

#endif /* _BSD_KERN_PROC_H_ */
