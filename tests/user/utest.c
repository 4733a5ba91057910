/*
 * utest.c — the user-tier test programs, one per argv[1] (tests/user/init.c runs each in its
 * own process). Each checks what the kernel did and exits 0 when it is right, or prints what
 * was wrong and exits 1. They use raw system calls where libc would hide the kernel's answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define CHECK(c)                                                                                \
	do {                                                                                    \
		if (!(c)) {                                                                     \
			printf("# %s:%d: check failed: %s\n", __FILE__, __LINE__, #c);          \
			exit(1);                                                                \
		}                                                                               \
	} while (0)

extern char **environ;

/* Run fn in a child; return its wait status. */
static int
in_child(void (*fn)(void))
{
	int status = -1;
	pid_t pid = fork();

	CHECK(pid >= 0);
	if (pid == 0) {
		fn();
		_exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	return status;
}

static int
t_args(int argc, char **argv)
{
	const char *execfn = (const char *)getauxval(AT_EXECFN);

	CHECK(argc >= 2 && strcmp(argv[1], "args") == 0);
	CHECK(argv[argc] == NULL);
	if (argc == 4) { /* from t_exec */
		CHECK(strcmp(argv[2], "one") == 0 && strcmp(argv[3], "two words") == 0);
		CHECK(getenv("FROM_EXEC") != NULL && strcmp(getenv("FROM_EXEC"), "yes") == 0);
	} else {
		CHECK(getenv("NIMBUS_TEST") != NULL && strcmp(getenv("NIMBUS_TEST"), "1") == 0);
		CHECK(getenv("PATH") != NULL && strcmp(getenv("PATH"), "/bin") == 0);
	}
	CHECK(getauxval(AT_PAGESZ) == 4096);
	CHECK(getauxval(AT_PHENT) == 56);
	CHECK(getauxval(AT_PHNUM) > 0 && getauxval(AT_PHDR) != 0);
	CHECK(getauxval(AT_ENTRY) != 0);
	CHECK(getauxval(AT_RANDOM) != 0);
	CHECK(getauxval(AT_UID) == 0 && getauxval(AT_EUID) == 0 && getauxval(AT_SECURE) == 0);
	CHECK(execfn != NULL && strcmp(execfn, argv[0]) == 0);
	/* The stack is 16-byte aligned at entry, so main's locals are too. */
	CHECK(((uintptr_t)__builtin_frame_address(0) & 15) == 0);
	return 0;
}

static int
t_ids(void)
{
	pid_t me = getpid(), pid;
	int status;

	CHECK(me > 1 && getppid() == 1);
	CHECK(syscall(SYS_gettid) == me);
	pid = fork();
	if (pid == 0)
		_exit(getppid() == me ? 0 : 1);
	CHECK(pid > me || pid > 1);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(getuid() == 0 && geteuid() == 0 && getgid() == 0 && getegid() == 0);
	return 0;
}

static int
t_brk(void)
{
	char *b0 = (char *)syscall(SYS_brk, 0), *b1;

	CHECK(b0 != NULL);
	b1 = (char *)syscall(SYS_brk, b0 + 3 * 4096 + 100);
	CHECK(b1 == b0 + 3 * 4096 + 100);
	memset(b0, 0x5a, 3 * 4096 + 100);
	CHECK(b0[3 * 4096 + 99] == 0x5a);
	CHECK((char *)syscall(SYS_brk, b0) == b0);
	CHECK((char *)syscall(SYS_brk, b0 - (1L << 40)) == b0); /* refused: unchanged */
	void *m = malloc(100000);
	CHECK(m != NULL);
	memset(m, 1, 100000);
	free(m);
	return 0;
}

static int
t_mmap(void)
{
	char *p = mmap(NULL, 5 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *q;

	CHECK(p != MAP_FAILED && ((uintptr_t)p & 4095) == 0);
	for (int i = 0; i < 5 * 4096; i++)
		CHECK(p[i] == 0);
	memset(p, 7, 5 * 4096);
	CHECK(munmap(p + 4096, 4096) == 0);
	CHECK(mprotect(p, 4096, PROT_READ) == 0);
	CHECK(p[0] == 7);
	q = mmap(p + 4096, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		 -1, 0);
	CHECK(q == p + 4096 && q[0] == 0);
	q = mmap(p + 4096, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1,
		 0);
	CHECK(q == MAP_FAILED && errno == EEXIST);
	CHECK(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED &&
	      errno == EINVAL);
	CHECK(munmap(p + 1, 4096) == -1 && errno == EINVAL);
	CHECK(madvise(p, 4096, MADV_DONTNEED) == 0);
	CHECK(madvise(p, 4096, 12345) == -1 && errno == EINVAL);
	CHECK(munmap(p, 5 * 4096) == 0);
	return 0;
}

static char *ro_page;

static void
write_ro(void)
{
	ro_page[0] = 1;
}

static void
read_null(void)
{
	volatile uintptr_t addr = 8;

	(void)*(volatile int *)addr;
}

static int
t_rofault(void)
{
	int st;

	ro_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ro_page != MAP_FAILED);
	st = in_child(write_ro);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	st = in_child(read_null);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	return 0;
}

static int cow_value = 1;

static int
t_cow(void)
{
	char *heap = malloc(8192);
	int status;
	pid_t pid;

	CHECK(heap != NULL);
	memset(heap, 'p', 8192);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		cow_value = 2;
		memset(heap, 'c', 8192);
		_exit(cow_value == 2 && heap[4000] == 'c' ? 0 : 1);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(cow_value == 1);
	for (int i = 0; i < 8192; i++)
		CHECK(heap[i] == 'p');
	return 0;
}

static int
t_wnohang(void)
{
	int status = 0;
	pid_t pid = fork();
	struct timespec ts = { 0, 50 * 1000 * 1000 };

	if (pid == 0) {
		nanosleep(&ts, NULL);
		_exit(3);
	}
	CHECK(waitpid(pid, &status, WNOHANG) == 0);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 3);
	CHECK(waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD);
	CHECK(waitpid(-1, &status, 0) == -1 && errno == ECHILD);
	return 0;
}

static int
t_orphan(void)
{
	volatile int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int status;
	pid_t child;

	CHECK(shared != MAP_FAILED);
	child = fork();
	if (child == 0) {
		pid_t gc = fork();

		if (gc == 0) {
			for (int i = 0; i < 300 && getppid() != 1; i++)
				nanosleep(&ts, NULL);
			shared[0] = getppid() == 1 ? 1 : 2;
			_exit(0);
		}
		_exit(gc > 0 ? 0 : 1);
	}
	CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 0);
	for (int i = 0; i < 300 && shared[0] == 0; i++)
		nanosleep(&ts, NULL);
	CHECK(shared[0] == 1);
	return 0;
}

static int
t_efault(void)
{
	CHECK(syscall(SYS_write, 1, (void *)1, 10) == -1 && errno == EFAULT);
	CHECK(syscall(SYS_rt_sigprocmask, SIG_BLOCK, (void *)16, NULL, 8) == -1 && errno == EFAULT);
	CHECK(syscall(SYS_uname, (void *)-4096L) == -1 && errno == EFAULT);
	CHECK(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void *)4096) == -1 && errno == EFAULT);
	CHECK(syscall(SYS_write, 99, "x", 1) == -1 && errno == EBADF);
	return 0;
}

static int
t_kptr(void)
{
	/* The kernel's text and direct map: refused before they are touched. */
	CHECK(syscall(SYS_write, 1, (void *)0xffffffff80100000UL, 10) == -1 && errno == EFAULT);
	CHECK(syscall(SYS_write, 1, (void *)0xffff800000001000UL, 10) == -1 && errno == EFAULT);
	CHECK(syscall(SYS_write, 1, (void *)0x00007ffffffffff0UL, 32) == -1 && errno == EFAULT);
	CHECK(syscall(SYS_uname, (void *)0xffffffff80100000UL) == -1 && errno == EFAULT);
	return 0;
}

static int
t_clock(void)
{
	struct timespec a, b, d = { 0, 20 * 1000 * 1000 };
	long ns;

	CHECK(clock_gettime(CLOCK_MONOTONIC, &a) == 0);
	CHECK(nanosleep(&d, NULL) == 0);
	CHECK(clock_gettime(CLOCK_MONOTONIC, &b) == 0);
	ns = (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec);
	CHECK(ns >= 20 * 1000 * 1000 && ns < 5L * 1000 * 1000 * 1000);
	CHECK(clock_gettime(12345, &a) == -1 && errno == EINVAL);
	CHECK(clock_gettime(CLOCK_REALTIME, &a) == 0);
	return 0;
}

/*
 * The calendar: it is not 1970 (the boot set it from a wall clock), root can set it (and the
 * change shows in time, gettimeofday and CLOCK_REALTIME alike, while the monotonic clock does
 * not jump), and an unprivileged process cannot (EPERM), nor anyone to a bad time (EINVAL).
 */
static int
t_calendar(void)
{
	struct timespec r0, m0, r1, m1, bad = { 5, 1000000000L };
	struct timeval tv;
	pid_t pid;
	int st;

	CHECK(clock_gettime(CLOCK_REALTIME, &r0) == 0 && clock_gettime(CLOCK_MONOTONIC, &m0) == 0);
	CHECK(r0.tv_sec > 1700000000); /* 2023: a boot that read no wall clock says 1970 */
	r1 = r0;
	r1.tv_sec += 86400;
	CHECK(clock_settime(CLOCK_REALTIME, &r1) == 0);
	CHECK(gettimeofday(&tv, NULL) == 0 && tv.tv_sec >= r0.tv_sec + 86400 &&
	      tv.tv_sec < r0.tv_sec + 86400 + 60);
	CHECK(time(NULL) >= r0.tv_sec + 86400);
	CHECK(clock_gettime(CLOCK_MONOTONIC, &m1) == 0 && m1.tv_sec < m0.tv_sec + 60);
	tv.tv_sec = r0.tv_sec;
	tv.tv_usec = 0;
	CHECK(settimeofday(&tv, NULL) == 0);
	CHECK(clock_gettime(CLOCK_REALTIME, &r1) == 0 && r1.tv_sec >= r0.tv_sec &&
	      r1.tv_sec < r0.tv_sec + 60);
	CHECK(clock_settime(CLOCK_REALTIME, &bad) == -1 && errno == EINVAL);
	CHECK(clock_settime(CLOCK_MONOTONIC, &r1) == -1 && errno == EINVAL);
	CHECK(clock_settime(CLOCK_REALTIME, (struct timespec *)8) == -1 && errno == EFAULT);
	pid = fork();
	if (pid == 0) {
		if (setuid(1000) != 0)
			_exit(2);
		_exit(clock_settime(CLOCK_REALTIME, &r1) == -1 && errno == EPERM &&
		      settimeofday(&tv, NULL) == -1 && errno == EPERM ? 0 : 3);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return 0;
}

static void
do_ud2(void)
{
	__asm__ volatile("ud2");
}

static void
do_div0(void)
{
	volatile int z = 0;

	_exit(10 / z);
}

static void
do_kernel_jump(void)
{
	((void (*)(void))0xffffffff80100000UL)();
}

static int
t_traps(void)
{
	int st = in_child(do_ud2);

	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGILL);
	st = in_child(do_div0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGFPE);
	st = in_child(do_kernel_jump);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	return 0;
}

static void
do_kill_self(void)
{
	kill(getpid(), SIGTERM);
	for (;;)
		;
}

static int
t_kill(void)
{
	int st = in_child(do_kill_self);
	pid_t pid;

	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	CHECK(kill(pid, SIGKILL) == 0);
	CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	CHECK(kill(99999, SIGTERM) == -1 && errno == ESRCH);
	return 0;
}

static volatile int usr1_count, usr1_blocked_inside, usr1_code;
static sigjmp_buf segv_jmp;

static void
on_usr1(int sig, siginfo_t *si, void *uc)
{
	sigset_t cur;

	usr1_count++;
	usr1_code = si->si_signo;
	sigprocmask(SIG_SETMASK, NULL, &cur);
	usr1_blocked_inside = sigismember(&cur, SIGUSR1);
}

static void
on_segv(int sig)
{
	siglongjmp(segv_jmp, 1);
}

static int
t_handlers(void)
{
	struct sigaction sa = { 0 }, old;
	sigset_t set;
	volatile double x = 1.5, y;
	volatile uintptr_t bad = 16;

	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO;
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	CHECK(sigaction(SIGUSR1, NULL, &old) == 0 && old.sa_sigaction == on_usr1);
	y = x * 3.0;
	CHECK(kill(getpid(), SIGUSR1) == 0);
	CHECK(usr1_count == 1 && usr1_code == SIGUSR1 && usr1_blocked_inside);
	CHECK(y == 4.5 && x * 2.0 == 3.0); /* SSE state survives the handler */
	/* Blocked: pending until unblocked. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	CHECK(kill(getpid(), SIGUSR1) == 0);
	CHECK(usr1_count == 1);
	CHECK(sigprocmask(SIG_UNBLOCK, &set, NULL) == 0);
	CHECK(usr1_count == 2);
	CHECK(sigprocmask(SIG_SETMASK, NULL, &set) == 0 && !sigismember(&set, SIGUSR1));
	/* Ignored. */
	CHECK(signal(SIGTERM, SIG_IGN) != SIG_ERR);
	CHECK(kill(getpid(), SIGTERM) == 0);
	/* A fault caught and left by siglongjmp. */
	CHECK(signal(SIGSEGV, on_segv) != SIG_ERR);
	if (sigsetjmp(segv_jmp, 1) == 0) {
		(void)*(volatile char *)bad;
		CHECK(!"the bad read returned");
	}
	/* SIGKILL cannot be caught. */
	CHECK(sigaction(SIGKILL, &sa, NULL) == -1 && errno == EINVAL);
	return 0;
}

static int
t_pipe(void)
{
	static char buf[10000];
	int fds[2], st;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	CHECK(pipe(fds) == 0 && fds[0] >= 3 && fds[1] > fds[0]);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		for (int i = 0; i < 10000; i++)
			buf[i] = (char)(i * 7);
		/* More than the pipe holds: the writer must block until the parent reads. */
		_exit(write(fds[1], buf, sizeof(buf)) == sizeof(buf) ? 0 : 1);
	}
	close(fds[1]);
	memset(buf, 0, sizeof(buf));
	while ((n = read(fds[0], buf + got, sizeof(buf) - got)) > 0)
		got += (size_t)n;
	CHECK(n == 0 && got == sizeof(buf)); /* end of file once the writer is gone */
	for (int i = 0; i < 10000; i++)
		CHECK(buf[i] == (char)(i * 7));
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(fds[0]);
	/* No reader: EPIPE with SIGPIPE ignored, death by SIGPIPE otherwise. */
	CHECK(pipe2(fds, O_CLOEXEC) == 0);
	close(fds[0]);
	signal(SIGPIPE, SIG_IGN);
	CHECK(write(fds[1], "x", 1) == -1 && errno == EPIPE);
	signal(SIGPIPE, SIG_DFL);
	pid = fork();
	if (pid == 0) {
		write(fds[1], "x", 1);
		_exit(0);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE);
	CHECK(read(fds[1], buf, 1) == -1 && errno == EBADF);
	CHECK(dup2(fds[1], 20) == 20 && close(20) == 0 && close(fds[1]) == 0);
	CHECK(close(fds[1]) == -1 && errno == EBADF);
	return 0;
}

static void
do_sigreturn_garbage(void)
{
	static uint64_t frame[128];

	/* A sigreturn frame of zeros: rip 0, so the process dies of SIGSEGV, not the kernel. */
	__asm__ volatile("mov %0, %%rsp; mov $15, %%eax; syscall" : : "r"(&frame[0]) : "memory");
}

static void
do_sigreturn_noncanonical(void)
{
	static uint64_t frame[128];

	frame[5 + 16] = 0x0000800000000000ULL; /* uc_mcontext.rip: non-canonical */
	__asm__ volatile("mov %0, %%rsp; mov $15, %%eax; syscall" : : "r"(&frame[0]) : "memory");
}

static void
do_jump_noncanonical(void)
{
	((void (*)(void))0x0000800000000000ULL)();
}

static void
do_syscall_at_top(void)
{
	/* The highest user page: a syscall returning to its end must not sysret to the hole. */
	char *top = mmap((void *)(0x00007ffffffff000ULL - 4096), 4096,
			 PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
			 -1, 0);

	if (top == MAP_FAILED)
		_exit(7);
	memcpy(top + 4096 - 2, "\x0f\x05", 2); /* syscall, then the end of user space */
	__asm__ volatile("mov $39, %%eax; jmp *%0" : : "r"(top + 4096 - 2) : "rax", "rcx", "r11");
}

static int
t_hostile(void)
{
	int st;
	char *kp = (char *)0xffffffff80100000UL;

	st = in_child(do_sigreturn_garbage);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	st = in_child(do_sigreturn_noncanonical);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	st = in_child(do_jump_noncanonical);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	st = in_child(do_syscall_at_top);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	CHECK(execve("/bin/utest", (char *[]){ "x", kp, NULL }, environ) == -1 && errno == EFAULT);
	CHECK(execve(kp, (char *[]){ "x", NULL }, environ) == -1 && errno == EFAULT);
	CHECK(syscall(SYS_arch_prctl, 0x1002, 0xffff800000000000UL) == -1 && errno == EPERM);
	CHECK(mmap(kp, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
	      MAP_FAILED);
	CHECK(munmap(kp, 4096) == -1 && errno == EINVAL);
	CHECK(mprotect(kp, 4096, PROT_READ) == -1);
	CHECK(syscall(SYS_write, 1, "x", (size_t)-1 / 2) == -1 && errno == EFAULT);
	/* A thread without shared signal actions and memory (Linux: EINVAL). */
	CHECK(syscall(SYS_clone, 0x10000 /* CLONE_THREAD */, 0, 0, 0, 0) == -1 && errno == EINVAL);
	CHECK(syscall(SYS_clone, 0x10800 /* CLONE_THREAD|SIGHAND */, 0, 0, 0, 0) == -1 &&
	      errno == EINVAL);
	CHECK(syscall(SYS_wait4, -1, (void *)8, 0, 0) == -1 && errno == ECHILD);
	CHECK(syscall(SYS_nanosleep, (void *)8, 0) == -1 && errno == EFAULT);
	CHECK(nanosleep(&(struct timespec){ 0, 1000000000L }, NULL) == -1 && errno == EINVAL);
	CHECK(syscall(SYS_rt_sigaction, 0, 0, 0, 8) == -1 && errno == EINVAL);
	CHECK(syscall(SYS_rt_sigaction, SIGUSR1, 0, 0, 4) == -1 && errno == EINVAL);
	CHECK(syscall(SYS_kill, getpid(), 65) == -1 && errno == EINVAL);
	CHECK(syscall(SYS_brk, kp) == syscall(SYS_brk, 0));
	return 0;
}

/* A figure, not a judgement: fork + execve + wait4 of a small static program. */
static int
t_rate(void)
{
	struct timespec a, b;
	int n = 40, st;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			execve("/bin/utest", (char *[]){ "/bin/utest", "exit42", NULL }, environ);
			_exit(1);
		}
		CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 42);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	printf("# fork+exec+wait: %ld per second (%d in %ld ms)\n", ms > 0 ? n * 1000 / ms : 0, n,
	       ms);
	return 0;
}

static int
t_exec(void)
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		char *av[] = { "/bin/utest", "args", "one", "two words", NULL };
		char *ev[] = { "FROM_EXEC=yes", NULL };

		execve(av[0], av, ev);
		_exit(99);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	pid = fork();
	if (pid == 0) {
		execve("/bin/utest", (char *[]){ NULL }, (char *[]){ NULL });
		_exit(99);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 5);
	CHECK(execve("/bin/no-such-program", (char *[]){ "x", NULL }, environ) == -1 &&
	      errno == ENOENT);
	CHECK(execve("/etc/not-elf", (char *[]){ "x", NULL }, environ) == -1 && errno == ENOEXEC);
	return 0;
}

static int
t_enosys(void)
{
	CHECK(syscall(4000) == -1 && errno == ENOSYS);
	/* Class 1 is the Mach traps (machtest.c); a number no trap has is ENOSYS there too. */
	CHECK(syscall(0x01000000 | 999) == -1 && errno == ENOSYS);
	CHECK(syscall(0x02000000 | 1) == -1 && errno == ENOSYS); /* class 2: reserved */
	return 0;
}

static volatile int tty_usr1;

static void
tty_on_usr1(int sig)
{
	tty_usr1++;
}

static void
tty_on_usr2(int sig)
{
}

/* Fork a child that sends sig1 to us after 100 ms, then sig2 (if not 0) every 100 ms until
 * it is killed (so a slow parent still gets one while it waits). */
static pid_t
tty_signal_later(int sig1, int sig2)
{
	pid_t parent = getpid(), pid = fork();
	struct timespec ts = { 0, 100000000 };

	if (pid == 0) {
		nanosleep(&ts, NULL);
		kill(parent, sig1);
		while (sig2 != 0) {
			nanosleep(&ts, NULL);
			kill(parent, sig2);
		}
		_exit(0);
	}
	return pid;
}

/*
 * The console as a terminal, with nothing typed at it: termios and window size; a blocked read
 * restarted by an SA_RESTART handler and ended with EINTR by one without; kill() of a process
 * group (0 and -pgid); rt_sigsuspend waking for a blocked signal and putting the mask back.
 */
static int
t_tty(void)
{
	struct sigaction a = { 0 };
	struct winsize ws;
	struct termios t;
	sigset_t block, none, now;
	pid_t pid;
	char c;
	int st;

	CHECK(isatty(0));
	CHECK(tcgetattr(0, &t) == 0 && (t.c_lflag & ICANON) && (t.c_lflag & ISIG));
	CHECK(t.c_cc[VINTR] == 3 && t.c_cc[VERASE] == 0x7f && t.c_cc[VEOF] == 4);
	CHECK(ioctl(0, TIOCGWINSZ, &ws) == 0 && ws.ws_row == 24 && ws.ws_col == 80);
	a.sa_handler = tty_on_usr1;
	a.sa_flags = SA_RESTART;
	CHECK(sigaction(SIGUSR1, &a, NULL) == 0);
	a.sa_handler = tty_on_usr2;
	a.sa_flags = 0;
	CHECK(sigaction(SIGUSR2, &a, NULL) == 0);

	pid = tty_signal_later(SIGUSR1, SIGUSR2);
	errno = 0;
	CHECK(read(0, &c, 1) == -1 && errno == EINTR);
	CHECK(tty_usr1 == 1); /* the read went on after the first handler */
	CHECK(signal(SIGUSR2, SIG_IGN) != SIG_ERR && kill(pid, SIGKILL) == 0);
	CHECK(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st));

	CHECK(setpgid(0, 0) == 0); /* our own group, so kill(0) reaches no one else */
	CHECK(kill(0, SIGUSR1) == 0 && tty_usr1 == 2);
	CHECK(kill(-getpid(), SIGUSR1) == 0 && tty_usr1 == 3);
	CHECK(kill(-32000, SIGUSR1) == -1 && errno == ESRCH);

	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&none);
	CHECK(sigprocmask(SIG_BLOCK, &block, NULL) == 0);
	pid = tty_signal_later(SIGUSR1, 0);
	CHECK(sigsuspend(&none) == -1 && errno == EINTR);
	CHECK(tty_usr1 == 4);
	CHECK(sigprocmask(SIG_BLOCK, NULL, &now) == 0 && sigismember(&now, SIGUSR1));
	CHECK(waitpid(pid, &st, 0) == pid && st == 0);
	return 0;
}

/*
 * Close-on-exec: pipe2(O_CLOEXEC) descriptors and one marked with F_SETFD are closed in a child
 * after execve; a plain pipe, a dup of a close-on-exec one (dup clears the flag) and one that
 * F_SETFD cleared stay open. The child is this program again, `fdcheck`, told which is which.
 */
static int
t_cloexec(void)
{
	int a[2], b[2], d, c, status;
	char arg[64];
	pid_t pid;

	CHECK(pipe2(a, O_CLOEXEC) == 0 && pipe(b) == 0);
	CHECK(fcntl(a[0], F_GETFD) == FD_CLOEXEC && fcntl(b[0], F_GETFD) == 0);
	CHECK((d = dup(a[0])) >= 0 && fcntl(d, F_GETFD) == 0);
	CHECK(fcntl(b[1], F_SETFD, FD_CLOEXEC) == 0 && fcntl(b[1], F_GETFD) == FD_CLOEXEC);
	CHECK((c = fcntl(b[0], F_DUPFD_CLOEXEC, 20)) >= 20 && fcntl(c, F_GETFD) == FD_CLOEXEC);
	CHECK(fcntl(c, F_SETFD, 0) == 0); /* cleared again: stays open */
	snprintf(arg, sizeof(arg), "%d,%d,%d:%d,%d,%d", a[0], a[1], b[1], b[0], d, c);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		execve("/bin/utest", (char *[]){ "utest", "fdcheck", arg, NULL }, environ);
		_exit(127);
	}
	CHECK(waitpid(pid, &status, 0) == pid && status == 0);
	return 0;
}

/* fdcheck "closed,...:open,...": each descriptor before the colon must be closed, each after
 * it open. */
static int
t_fdcheck(const char *spec)
{
	bool want_open = false;

	for (const char *p = spec; *p != '\0';) {
		char *end;
		long fd = strtol(p, &end, 10);

		CHECK(end != p);
		if (want_open)
			CHECK(fcntl((int)fd, F_GETFD) >= 0);
		else
			CHECK(fcntl((int)fd, F_GETFD) == -1 && errno == EBADF);
		p = end;
		if (*p == ':')
			want_open = true;
		if (*p != '\0')
			p++;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const char *t = argc > 1 ? argv[1] : "";

	if (argc == 0) /* t_exec: an empty argv must still reach main, with a NULL argv[0] */
		return argv[0] == NULL && environ != NULL && environ[0] == NULL ? 5 : 6;
	if (strcmp(t, "args") == 0)
		return t_args(argc, argv);
	if (strcmp(t, "exit42") == 0)
		return 42;
	if (strcmp(t, "ids") == 0)
		return t_ids();
	if (strcmp(t, "brk") == 0)
		return t_brk();
	if (strcmp(t, "mmap") == 0)
		return t_mmap();
	if (strcmp(t, "rofault") == 0)
		return t_rofault();
	if (strcmp(t, "cow") == 0)
		return t_cow();
	if (strcmp(t, "wnohang") == 0)
		return t_wnohang();
	if (strcmp(t, "orphan") == 0)
		return t_orphan();
	if (strcmp(t, "efault") == 0)
		return t_efault();
	if (strcmp(t, "kptr") == 0)
		return t_kptr();
	if (strcmp(t, "clock") == 0)
		return t_clock();
	if (strcmp(t, "calendar") == 0)
		return t_calendar();
	if (strcmp(t, "traps") == 0)
		return t_traps();
	if (strcmp(t, "kill") == 0)
		return t_kill();
	if (strcmp(t, "exec") == 0)
		return t_exec();
	if (strcmp(t, "handlers") == 0)
		return t_handlers();
	if (strcmp(t, "pipe") == 0)
		return t_pipe();
	if (strcmp(t, "rate") == 0)
		return t_rate();
	if (strcmp(t, "hostile") == 0)
		return t_hostile();
	if (strcmp(t, "enosys") == 0)
		return t_enosys();
	if (strcmp(t, "cloexec") == 0)
		return t_cloexec();
	if (strcmp(t, "tty") == 0)
		return t_tty();
	if (strcmp(t, "fdcheck") == 0 && argc > 2)
		return t_fdcheck(argv[2]);
	printf("# utest: unknown test '%s'\n", t);
	return 1;
}
