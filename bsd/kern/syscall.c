/*
 * syscall.c — the system-call dispatcher (XNU bsd/dev/i386/systemcalls.c: unix_syscall) and
 * the Linux x86-64 table, with the small calls that need no subsystem of their own: identity,
 * time, uname, sethostname, getrandom, reboot.
 *
 * The one idea (ARCHITECTURE.md "User ABI"): the high byte of rax picks a class — 0 the Linux
 * x86-64 numbers (arch/x86/entry/syscalls/syscall_64.tbl), 1 the Mach traps, 2 reserved for
 * native BSD calls — and each class is only a table that translates to the BSD and Mach layers.
 * Unknown numbers return -ENOSYS with a rate-limited log line naming the number.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/timer.h>
#include <arch/x86_64/user_machdep.h>
#include <arch/x86_64/usercopy.h>
#include <bsd/kern/futex.h>
#include <bsd/kern/proc.h>
#include <bsd/kern/syscall.h>
#include <mach/kern/clock.h>
#include <mach/kern/syscall_sw.h>
#include <bsd/kern/uipc_syscalls.h>
#include <bsd/sys/mount.h>
#include <bsd/vfs/vfs_syscalls.h>
#include <bsd/sys/errno.h>
#include <console.h>
#include <iokit/acpi_platform.h>
#include <ktest.h>
#include <linux/sched.h>
#include <random.h>
#include <linux/sysinfo.h>
#include <mach/kern/kalloc.h>
#include <mach/vm/memory_object.h>
#include <mach/vm/vm_page.h>
#include <mach/vm/vm_param.h>

#define SYS_CLASS_LINUX 0
#define SYS_CLASS_MACH	1

static const sy_call_t linux_sysent[] = {
	[0] = sys_read,
	[1] = sys_write,
	[2] = sys_open,
	[3] = sys_close,
	[4] = sys_stat,
	[5] = sys_fstat,
	[6] = sys_lstat,
	[7] = sys_poll,
	[8] = sys_lseek,
	[9] = sys_mmap,
	[10] = sys_mprotect,
	[11] = sys_munmap,
	[12] = sys_brk,
	[13] = sys_rt_sigaction,
	[14] = sys_rt_sigprocmask,
	[15] = sys_rt_sigreturn,
	[16] = sys_ioctl,
	[17] = sys_pread64,
	[18] = sys_pwrite64,
	[19] = sys_readv,
	[20] = sys_writev,
	[21] = sys_access,
	[22] = sys_pipe,
	[24] = sys_sched_yield,
	[26] = sys_msync,
	[28] = sys_madvise,
	[32] = sys_dup,
	[33] = sys_dup2,
	[34] = sys_pause,
	[35] = sys_nanosleep,
	[39] = sys_getpid,
	[41] = sys_socket,
	[42] = sys_connect,
	[43] = sys_accept,
	[44] = sys_sendto,
	[45] = sys_recvfrom,
	[46] = sys_sendmsg,
	[47] = sys_recvmsg,
	[48] = sys_shutdown,
	[49] = sys_bind,
	[50] = sys_listen,
	[51] = sys_getsockname,
	[52] = sys_getpeername,
	[53] = sys_socketpair,
	[54] = sys_setsockopt,
	[55] = sys_getsockopt,
	[56] = sys_clone,
	[57] = sys_fork,
	[58] = sys_vfork,
	[59] = sys_execve,
	[60] = sys_exit,
	[61] = sys_wait4,
	[62] = sys_kill,
	[63] = sys_uname,
	[72] = sys_fcntl,
	[74] = sys_fsync,
	[75] = sys_fsync, /* fdatasync */
	[76] = sys_truncate,
	[77] = sys_ftruncate,
	[79] = sys_getcwd,
	[80] = sys_chdir,
	[81] = sys_fchdir,
	[82] = sys_rename,
	[83] = sys_mkdir,
	[84] = sys_rmdir,
	[85] = sys_creat,
	[86] = sys_link,
	[87] = sys_unlink,
	[88] = sys_symlink,
	[89] = sys_readlink,
	[90] = sys_chmod,
	[91] = sys_fchmod,
	[95] = sys_umask,
	[96] = sys_gettimeofday,
	[97] = sys_getrlimit,
	[99] = sys_sysinfo,
	[102] = sys_getuid,
	[103] = sys_syslog,
	[104] = sys_getgid,
	[105] = sys_setuid,
	[106] = sys_setgid,
	[107] = sys_geteuid,
	[108] = sys_getegid,
	[109] = sys_setpgid,
	[110] = sys_getppid,
	[111] = sys_getpgrp,
	[112] = sys_setsid,
	[113] = sys_setreuid,
	[114] = sys_setregid,
	[115] = sys_getgroups,
	[116] = sys_setgroups,
	[117] = sys_setresuid,
	[118] = sys_getresuid,
	[119] = sys_setresgid,
	[120] = sys_getresgid,
	[121] = sys_getpgid,
	[124] = sys_getsid,
	[128] = sys_rt_sigtimedwait,
	[130] = sys_rt_sigsuspend,
	[137] = sys_statfs,
	[138] = sys_fstatfs,
	[157] = sys_prctl,
	[158] = sys_arch_prctl,
	[160] = sys_setrlimit,
	[162] = sys_sync,
	[164] = sys_settimeofday,
	[165] = sys_mount,
	[166] = sys_umount2,
	[167] = sys_swapon,
	[168] = sys_swapoff,
	[169] = sys_reboot,
	[170] = sys_sethostname,
	[186] = sys_gettid,
	[200] = sys_tkill,
	[201] = sys_time,
	[202] = sys_futex,
	[217] = sys_getdents64,
	[218] = sys_set_tid_address,
	[227] = sys_clock_settime,
	[228] = sys_clock_gettime,
	[230] = sys_clock_nanosleep,
	[231] = sys_exit_group,
	[234] = sys_tgkill,
	[257] = sys_openat,
	[258] = sys_mkdirat,
	[262] = sys_newfstatat,
	[263] = sys_unlinkat,
	[264] = sys_renameat,
	[267] = sys_readlinkat,
	[268] = sys_fchmodat,
	[269] = sys_faccessat,
	[271] = sys_ppoll,
	[280] = sys_utimensat,
	[288] = sys_accept4,
	[292] = sys_dup3,
	[293] = sys_pipe2,
	[302] = sys_prlimit64,
	[309] = sys_getcpu,
	[316] = sys_renameat2,
	[318] = sys_getrandom,
};

static uint64_t sys_enosys_seen[512 / 64]; /* Linux numbers already logged */
static uint32_t sys_enosys_other;	    /* other numbers logged */

static long
sys_enosys(uint64_t nr)
{
	bool first;

	/* Once per Linux number; the first 16 of any other kind. */
	if (nr < 512)
		first = !(__atomic_fetch_or(&sys_enosys_seen[nr / 64], 1ULL << (nr % 64),
					    __ATOMIC_RELAXED) & (1ULL << (nr % 64)));
	else
		first = __atomic_fetch_add(&sys_enosys_other, 1, __ATOMIC_RELAXED) < 16;
	if (first)
		klog(LOG_NOTICE, "syscall: pid %d (%s): system call %#llx is not implemented\n",
		     current_proc()->p_pid, current_proc()->p_comm, (unsigned long long)nr);
	return -ENOSYS;
}

void
unix_syscall(struct trapframe *tf)
{
	uint64_t nr = tf->tf_rax;
	unsigned cls = (nr >> 24) & 0xff;
	long r;

	current_uthread()->uu_syscall = nr;
	uint64_t mret;

	if (cls == SYS_CLASS_LINUX && nr < ARRAY_SIZE(linux_sysent) && linux_sysent[nr] != NULL)
		r = linux_sysent[nr](tf);
	else if (cls == SYS_CLASS_MACH && mach_trap(tf, (uint32_t)(nr & 0xffffff), &mret))
		r = (long)mret; /* a port name or a mach_msg_return_t, not an errno */
	else
		r = sys_enosys(nr);
	tf->tf_rax = (uint64_t)r;
}

long
sys_getpid(struct trapframe *tf)
{
	return current_proc()->p_pid;
}

long
sys_gettid(struct trapframe *tf)
{
	return current_uthread()->uu_tid;
}

long
sys_getppid(struct trapframe *tf)
{
	struct proc *p = current_proc();
	bool s = lck_spin_lock_irqsave(&proc_lock);
	long ppid = p->p_pptr != NULL ? p->p_pptr->p_pid : 0;

	lck_spin_unlock_irqrestore(&proc_lock, s);
	return ppid;
}

long
sys_set_tid_address(struct trapframe *tf)
{
	current_uthread()->uu_clear_tid = tf->tf_rdi;
	return current_uthread()->uu_tid;
}

long
sys_arch_prctl(struct trapframe *tf)
{
	uint64_t v;

	switch (tf->tf_rdi) {
	case 0x1002: /* ARCH_SET_FS */
		return -usr_set_fsbase(tf->tf_rsi);
	case 0x1003: /* ARCH_GET_FS */
		v = current_thread()->th_machine.mt_fsbase;
		return copyout(&v, (void *)tf->tf_rsi, sizeof(v)) != 0 ? -EFAULT : 0;
	default: /* XXX: ARCH_SET_GS needs the user GS base kept per thread */
		return -EINVAL;
	}
}

/* getcpu(cpu, node, cache): the CPU the caller runs on (it may move at once); node 0. */
long
sys_getcpu(struct trapframe *tf)
{
	uint32_t cpu = current_cpu(), node = 0;

	if (tf->tf_rdi != 0 && copyout(&cpu, (void *)tf->tf_rdi, sizeof(cpu)) != 0)
		return -EFAULT;
	if (tf->tf_rsi != 0 && copyout(&node, (void *)tf->tf_rsi, sizeof(node)) != 0)
		return -EFAULT;
	return 0;
}

long
sys_sched_yield(struct trapframe *tf)
{
	thread_yield();
	return 0;
}

/* The node name uname reports and sethostname sets (NUL-terminated; Linux's 64-byte limit). */
static char sys_hostname[65] = "nimbus";
static lck_mtx_t sys_hostname_lock = LCK_MTX_INITIALIZER("hostname");

/* sethostname(name, len): len bytes, not NUL-terminated; at most 64. XXX: no credentials. */
long
sys_sethostname(struct trapframe *tf)
{
	char name[sizeof(sys_hostname)];
	size_t len = tf->tf_rsi;

	if (proc_suser(current_proc()) != 0)
		return -EPERM;
	if (len >= sizeof(name))
		return -EINVAL;
	if (copyin((const void *)tf->tf_rdi, name, len) != 0)
		return -EFAULT;
	name[len] = '\0';
	lck_mtx_lock(&sys_hostname_lock);
	memcpy(sys_hostname, name, len + 1);
	lck_mtx_unlock(&sys_hostname_lock);
	return 0;
}

long
sys_uname(struct trapframe *tf)
{
	char u[6][65];

	memset(u, 0, sizeof(u));
	ksnprintf(u[0], sizeof(u[0]), "%s", "Nimbus");
	lck_mtx_lock(&sys_hostname_lock);
	ksnprintf(u[1], sizeof(u[1]), "%s", sys_hostname);
	lck_mtx_unlock(&sys_hostname_lock);
	ksnprintf(u[2], sizeof(u[2]), "%s", NIMBUS_VERSION);
	ksnprintf(u[3], sizeof(u[3]), "%s", NIMBUS_GITREV);
	ksnprintf(u[4], sizeof(u[4]), "%s", "x86_64");
	ksnprintf(u[5], sizeof(u[5]), "%s", "(none)");
	return copyout(u, (void *)tf->tf_rdi, sizeof(u)) != 0 ? -EFAULT : 0;
}

/* time(tloc): seconds of the calendar, also stored at tloc when it is not NULL. */
long
sys_time(struct trapframe *tf)
{
	int64_t t = (int64_t)(clock_get_calendar_ns() / 1000000000ULL);

	if (tf->tf_rdi != 0 && copyout(&t, (void *)tf->tf_rdi, sizeof(t)) != 0)
		return -EFAULT;
	return t;
}

/* sync: write every file system's dirty data and metadata back. */
long
sys_sync(struct trapframe *tf)
{
	(void)vfs_sync_all();
	return 0;
}

/*
 * syslog(type, buf, len) — klogctl for dmesg: read the console's message buffer (everything
 * the console printed, kernel lines and the rest), its size, the console log level.
 * XXX: the buffer cannot be cleared (4, 5) and unread tracking (2, 9) is not kept.
 */
long
sys_syslog(struct trapframe *tf)
{
	size_t len = (size_t)MIN(tf->tf_rdx, (uint64_t)CONSOLE_MSGBUF);
	char *buf;
	long n;

	switch ((int)tf->tf_rdi) {
	case 0: /* close */
	case 1: /* open */
		return 0;
	case 3: /* read all */
		if ((int64_t)tf->tf_rdx < 0)
			return -EINVAL;
		if (len == 0)
			return 0;
		if ((buf = kalloc(len)) == NULL)
			return -ENOMEM;
		n = (long)console_msgbuf_read(buf, len);
		if (copyout(buf, (void *)tf->tf_rsi, (size_t)n) != 0)
			n = -EFAULT;
		kfree(buf, len);
		return n;
	case 8: /* console level */
		if ((int64_t)tf->tf_rdx < 1 || tf->tf_rdx > 8)
			return -EINVAL;
		console_set_loglevel((int)tf->tf_rdx);
		return 0;
	case 10: /* size of the buffer */
		return CONSOLE_MSGBUF;
	default:
		return -EINVAL;
	}
}

/* sysinfo(2): uptime, memory and swap in pages (mem_unit = PAGE_SIZE), the process count. */
long
sys_sysinfo(struct trapframe *tf)
{
	struct default_pager_swap_stats sw;
	struct sysinfo si;
	struct proc_info pi;
	pid_t last = 0;

	memset(&si, 0, sizeof(si));
	default_pager_swap_stats(&sw);
	si.uptime = (long)(clock_uptime_ns() / 1000000000ULL);
	si.totalram = vm_page_total_count;
	si.freeram = vm_page_free_count;
	si.bufferram = 0; /* the file cache is the UBC: /proc/meminfo's Cached */
	si.totalswap = sw.dss_slots;
	si.freeswap = sw.dss_slots - MIN(sw.dss_used, sw.dss_slots);
	while (proc_info_next(last, &pi)) {
		last = pi.pi_pid;
		si.procs++;
	}
	si.mem_unit = PAGE_SIZE;
	return copyout(&si, (void *)tf->tf_rdi, sizeof(si)) != 0 ? -EFAULT : 0;
}

long
sys_clock_gettime(struct trapframe *tf)
{
	uint64_t ns = clock_uptime_ns();
	int64_t ts[2];

	switch (tf->tf_rdi) {
	case 0: /* CLOCK_REALTIME */
	case 8: /* CLOCK_REALTIME_ALARM */
	case 5: /* CLOCK_REALTIME_COARSE */
		ns = clock_get_calendar_ns();
		break;
	case 1: /* CLOCK_MONOTONIC */
	case 4: /* CLOCK_MONOTONIC_RAW */
	case 6: /* CLOCK_MONOTONIC_COARSE */
	case 7: /* CLOCK_BOOTTIME */
		break;
	default:
		return -EINVAL;
	}
	ts[0] = (int64_t)(ns / 1000000000ULL);
	ts[1] = (int64_t)(ns % 1000000000ULL);
	return copyout(ts, (void *)tf->tf_rsi, sizeof(ts)) != 0 ? -EFAULT : 0;
}

/* Set the calendar (settimeofday, clock_settime): root only; 1970 to 2262 (64-bit ns). */
static long
sys_set_calendar(int64_t sec, int64_t nsec)
{
	struct proc *p = current_proc();

	if (sec < 0 || nsec < 0 || nsec >= 1000000000 || sec >= INT64_MAX / 1000000000 - 1)
		return -EINVAL;
	if (proc_suser(p) != 0)
		return -EPERM;
	clock_set_calendar_ns((uint64_t)sec * 1000000000ULL + (uint64_t)nsec);
	klog(LOG_NOTICE, "calendar: set to %lld.%09lld s by pid %d\n", (long long)sec,
	     (long long)nsec, p->p_pid);
	return 0;
}

/* settimeofday(tv, tz): tv NULL changes nothing (the time zone is not kept). */
long
sys_settimeofday(struct trapframe *tf)
{
	int64_t tv[2];

	if (tf->tf_rdi == 0)
		return proc_suser(current_proc()) != 0 ? -EPERM : 0;
	if (copyin((const void *)tf->tf_rdi, tv, sizeof(tv)) != 0)
		return -EFAULT;
	if (tv[1] < 0 || tv[1] >= 1000000)
		return -EINVAL;
	return sys_set_calendar(tv[0], tv[1] * 1000);
}

/* clock_settime(clock, ts): only CLOCK_REALTIME can be set. */
long
sys_clock_settime(struct trapframe *tf)
{
	int64_t ts[2];

	if (tf->tf_rdi != 0 /* CLOCK_REALTIME */)
		return -EINVAL;
	if (copyin((const void *)tf->tf_rsi, ts, sizeof(ts)) != 0)
		return -EFAULT;
	return sys_set_calendar(ts[0], ts[1]);
}

long
sys_gettimeofday(struct trapframe *tf)
{
	uint64_t ns = clock_get_calendar_ns();
	int64_t tv[2] = { (int64_t)(ns / 1000000000ULL), (int64_t)(ns % 1000000000ULL / 1000) };

	if (tf->tf_rdi != 0 && copyout(tv, (void *)tf->tf_rdi, sizeof(tv)) != 0)
		return -EFAULT;
	return 0;
}

/* Sleep until deadline (uptime ns); interrupted by a signal: -EINTR, with the time left
 * written to urem when it is not 0. */
static long
sleep_until(uint64_t deadline, uint64_t urem)
{
	wait_result_t wr;

	assert_wait_deadline(current_uthread(), THREAD_INTERRUPTIBLE, deadline);
	wr = thread_block(NULL);
	if (wr == THREAD_INTERRUPTED) {
		uint64_t now = clock_uptime_ns(), left = deadline > now ? deadline - now : 0;
		int64_t rem[2] = { (int64_t)(left / 1000000000ULL),
				   (int64_t)(left % 1000000000ULL) };

		if (urem != 0)
			(void)copyout(rem, (void *)urem, sizeof(rem));
		return -EINTR;
	}
	return 0;
}

/* A struct timespec from user space as nanoseconds (capped at ~3 years: beyond is forever). */
static long
timespec_in(uint64_t uts, uint64_t *ns)
{
	int64_t ts[2];

	if (copyin((const void *)uts, ts, sizeof(ts)) != 0)
		return -EFAULT;
	if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000)
		return -EINVAL;
	if ((uint64_t)ts[0] > 100000000ULL)
		ts[0] = 100000000;
	*ns = (uint64_t)ts[0] * 1000000000ULL + (uint64_t)ts[1];
	return 0;
}

long
sys_nanosleep(struct trapframe *tf)
{
	uint64_t ns;
	long r;

	if ((r = timespec_in(tf->tf_rdi, &ns)) != 0)
		return r;
	return sleep_until(clock_uptime_ns() + ns, tf->tf_rsi);
}

/* clock_nanosleep(clock, flags, req, rem): relative, or absolute (TIMER_ABSTIME) on the
 * monotonic clock or the calendar. */
long
sys_clock_nanosleep(struct trapframe *tf)
{
	uint64_t ns, now;
	long r;

	if (tf->tf_rsi & ~1ULL)
		return -EINVAL;
	if ((r = timespec_in(tf->tf_rdx, &ns)) != 0)
		return r;
	if (!(tf->tf_rsi & 1)) /* relative */
		return sleep_until(clock_uptime_ns() + ns, tf->tf_r10);
	switch (tf->tf_rdi) {
	case 1: /* CLOCK_MONOTONIC */
	case 7: /* CLOCK_BOOTTIME */
		now = clock_uptime_ns();
		break;
	case 0: { /* CLOCK_REALTIME: the calendar is the uptime clock plus an offset */
		uint64_t offset = clock_get_calendar_ns() - (now = clock_uptime_ns());

		ns = ns > offset ? ns - offset : 0;
		break;
	}
	default:
		return -EINVAL;
	}
	return sleep_until(ns > now ? ns : now, 0);
}

/*
 * getrlimit, setrlimit, prlimit64 (of the caller): the limits the kernel really has — open
 * files (NOFILE) — and "unlimited" for the rest; lowering a limit is accepted and ignored
 * (XXX: not enforced), raising one past the hard limit is EPERM.
 */
#define RLIMIT_NOFILE_ 7
#define RLIM_INFINITY_ (~0ULL)

static void
rlimit_get(unsigned res, uint64_t lim[2])
{
	lim[0] = lim[1] = res == RLIMIT_NOFILE_ ? NOFILE : RLIM_INFINITY_;
}

static long
rlimit_common(unsigned res, uint64_t unew, uint64_t uold)
{
	uint64_t cur[2], want[2];

	if (res >= 16)
		return -EINVAL;
	rlimit_get(res, cur);
	if (unew != 0) {
		if (copyin((const void *)unew, want, sizeof(want)) != 0)
			return -EFAULT;
		if (want[0] > want[1])
			return -EINVAL;
		if (want[1] > cur[1])
			return -EPERM;
	}
	if (uold != 0 && copyout(cur, (void *)uold, sizeof(cur)) != 0)
		return -EFAULT;
	return 0;
}

long
sys_getrlimit(struct trapframe *tf)
{
	return rlimit_common((unsigned)tf->tf_rdi, 0, tf->tf_rsi);
}

long
sys_setrlimit(struct trapframe *tf)
{
	return rlimit_common((unsigned)tf->tf_rdi, tf->tf_rsi, 0);
}

long
sys_prlimit64(struct trapframe *tf)
{
	if (tf->tf_rdi != 0 && (pid_t)tf->tf_rdi != current_proc()->p_pid)
		return -EPERM; /* XXX: only the caller's own limits */
	return rlimit_common((unsigned)tf->tf_rsi, tf->tf_rdx, tf->tf_r10);
}

/* prctl: PR_SET_NAME / PR_GET_NAME (the process name, 16 bytes); the rest is EINVAL. */
long
sys_prctl(struct trapframe *tf)
{
	struct proc *p = current_proc();
	char name[16];

	switch (tf->tf_rdi) {
	case 15: /* PR_SET_NAME */
		if (copyinstr((const void *)tf->tf_rsi, name, sizeof(name), NULL) != 0 &&
		    copyin((const void *)tf->tf_rsi, name, sizeof(name) - 1) != 0)
			return -EFAULT;
		name[sizeof(name) - 1] = '\0';
		memcpy(p->p_comm, name, sizeof(name));
		return 0;
	case 16: /* PR_GET_NAME */
		return copyout(p->p_comm, (void *)tf->tf_rsi, sizeof(p->p_comm)) != 0 ? -EFAULT
										       : 0;
	default:
		return -EINVAL;
	}
}

/* pause: sleep until a signal arrives (its action then runs on the way out). */
long
sys_pause(struct trapframe *tf)
{
	while (!bsd_ast_pending()) {
		assert_wait(current_uthread(), THREAD_INTERRUPTIBLE);
		if (bsd_ast_pending()) {
			clear_wait(current_thread(), THREAD_INTERRUPTED);
			break;
		}
		thread_block(NULL);
	}
	return -EINTR;
}

long
sys_getrandom(struct trapframe *tf)
{
	uint8_t buf[256];
	size_t len = tf->tf_rsi, done = 0;

	if (tf->tf_rdx & ~7ULL) /* GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE */
		return -EINVAL;
	len = MIN(len, (size_t)(1 << 25));
	while (done < len) {
		size_t n = MIN(len - done, sizeof(buf));

		random_read(buf, n);
		if (copyout(buf, (char *)tf->tf_rdi + done, n) != 0)
			return done > 0 ? (long)done : -EFAULT;
		done += n;
	}
	return (long)done;
}

long
sys_reboot(struct trapframe *tf)
{
	if ((uint32_t)tf->tf_rdi != 0xfee1dead ||
	    ((uint32_t)tf->tf_rsi != 672274793 && (uint32_t)tf->tf_rsi != 85072278 &&
	     (uint32_t)tf->tf_rsi != 369367448 && (uint32_t)tf->tf_rsi != 537993216))
		return -EINVAL;
	switch ((uint32_t)tf->tf_rdx) {
	case 0x4321fedc: /* LINUX_REBOOT_CMD_POWER_OFF */
	case 0xcdef0123: /* LINUX_REBOOT_CMD_HALT */
		printf("reboot: power off requested by pid %d\n", current_proc()->p_pid);
		vfs_shutdown(); /* sync and unmount, so the file systems are clean on disk */
		/* Under the test harness's isa-debug-exit device this ends QEMU with status 1. */
		ktest_debug_exit(0);
		acpi_poweroff();
		return -EIO;
	default: /* XXX: restart */
		return -EINVAL;
	}
}

/* exit: of the calling thread only (the process ends with its last thread). */
long
sys_exit(struct trapframe *tf)
{
	proc_thread_exit(((int)tf->tf_rdi & 0xff) << 8, true);
}

long
sys_exit_group(struct trapframe *tf)
{
	proc_exit(((int)tf->tf_rdi & 0xff) << 8);
}

long
sys_wait4(struct trapframe *tf)
{
	int status = 0;
	long r;

	if (tf->tf_rdx & ~(uint64_t)(WNOHANG | WUNTRACED | 0x40000000 /* __WALL */))
		return -EINVAL;
	r = proc_wait4((pid_t)tf->tf_rdi, &status, (int)tf->tf_rdx);
	if (r > 0 && tf->tf_rsi != 0 && copyout(&status, (void *)tf->tf_rsi, sizeof(status)) != 0)
		return -EFAULT;
	/* XXX: rusage (r10) is not filled. */
	return r;
}

long
sys_fork(struct trapframe *tf)
{
	return sys_fork_common(tf);
}

/* vfork: a fork (the child gets its own copy-on-write map, which vfork allows). */
long
sys_vfork(struct trapframe *tf)
{
	return sys_fork_common(tf);
}

long
sys_clone(struct trapframe *tf)
{
	uint64_t flags = tf->tf_rdi;

	if (flags & CLONE_THREAD)
		return sys_clone_thread(tf);
	/* The process form: a new stack is allowed, shared VM or threads are not yet. */
	if ((flags & ~0xffULL & ~(0x4000ULL /* CLONE_VFORK */ | 0x100ULL /* CLONE_VM w/ VFORK */ |
				 0x01000000ULL /* CHILD_SETTID */ | 0x00200000ULL /* CHILD_CLEARTID */)) ||
	    ((flags & 0x100) && !(flags & 0x4000))) {
		klog(LOG_NOTICE, "clone: flags %#llx not supported (threads)\n",
		     (unsigned long long)flags);
		return -ENOSYS;
	}
	if ((flags & 0xff) != SIGCHLD && (flags & 0xff) != 0)
		return -EINVAL;
	if (tf->tf_rsi != 0) {
		struct trapframe ctf = *tf;
		long r;

		/* The child starts on the given stack: fork from a frame that says so. */
		ctf.tf_rsp = tf->tf_rsi;
		r = sys_fork_common(&ctf);
		return r;
	}
	return sys_fork_common(tf);
}
