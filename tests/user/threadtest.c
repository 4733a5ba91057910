/*
 * threadtest.c — the user tier's tests of threads and credentials, one per argv[1]
 * (tests/user/init.c runs each in its own process): musl's pthreads over clone(CLONE_THREAD)
 * and futex, TLS, signals to processes and threads, exit/exec/fork of a threaded process,
 * two CPUs running two threads at once, and the uid/gid rules with the file-permission checks
 * they drive. Each exits 0 when the kernel did the right thing, or prints what was wrong and
 * exits 1. Raw system calls where libc would hide the kernel's answer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* linux/futex.h, which musl-gcc's include path does not reach. */
#define FUTEX_WAIT		  0
#define FUTEX_WAKE		  1
#define FUTEX_WAIT_BITSET	  9
#define FUTEX_PRIVATE_FLAG	  128
#define FUTEX_WAIT_PRIVATE	  (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE	  (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAIT_BITSET_PRIVATE (FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG)
#define FUTEX_BITSET_MATCH_ANY	  0xffffffff

#define CHECK(c)                                                                                \
	do {                                                                                    \
		if (!(c)) {                                                                     \
			printf("# %s:%d: check failed: %s (errno %d)\n", __FILE__, __LINE__, #c, \
			       errno);                                                          \
			fflush(stdout);                                                         \
			_exit(1);                                                               \
		}                                                                               \
	} while (0)

#define NTHREADS 4
#define NINCR	 20000

extern char **environ;

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long
futex(atomic_int *addr, int op, int val, const struct timespec *ts, int val3)
{
	return syscall(SYS_futex, addr, op, val, ts, NULL, val3);
}

static pid_t
gettid_(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* ---- counter: N threads, one mutex, an exact total; join returns each thread's value ---- */

static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *
counter_thread(void *arg)
{
	for (int i = 0; i < NINCR; i++) {
		pthread_mutex_lock(&counter_lock);
		counter++;
		pthread_mutex_unlock(&counter_lock);
	}
	return (void *)((intptr_t)arg * 10 + 1);
}

static int
t_mutex(void)
{
	pthread_t t[NTHREADS];
	pid_t tids[NTHREADS];

	for (intptr_t i = 0; i < NTHREADS; i++)
		CHECK(pthread_create(&t[i], NULL, counter_thread, (void *)i) == 0);
	for (intptr_t i = 0; i < NTHREADS; i++) {
		void *ret;

		CHECK(pthread_join(t[i], &ret) == 0);
		CHECK((intptr_t)ret == i * 10 + 1);
	}
	(void)tids;
	CHECK(counter == (long)NTHREADS * NINCR);
	return 0;
}

/* ---- TLS: __thread values and addresses per thread; gettid distinct, getpid shared ---- */

static __thread int tls_value = 7;
static atomic_int tls_tids[NTHREADS];

static void *
tls_thread(void *arg)
{
	int id = (int)(intptr_t)arg;

	CHECK(tls_value == 7); /* the initial image, not another thread's value */
	tls_value = 100 + id;
	tls_tids[id] = gettid_();
	for (int i = 0; i < 50; i++) {
		sched_yield();
		CHECK(tls_value == 100 + id);
	}
	CHECK(getpid() != gettid_());
	return &tls_value;
}

static int
t_tls(void)
{
	pthread_t t[NTHREADS];
	void *addr[NTHREADS];
	uint64_t fs;

	tls_value = 1;
	CHECK(gettid_() == getpid());
	for (intptr_t i = 0; i < NTHREADS; i++)
		CHECK(pthread_create(&t[i], NULL, tls_thread, (void *)i) == 0);
	for (int i = 0; i < NTHREADS; i++)
		CHECK(pthread_join(t[i], &addr[i]) == 0);
	CHECK(tls_value == 1);
	for (int i = 0; i < NTHREADS; i++) {
		CHECK(addr[i] != &tls_value);
		CHECK(tls_tids[i] > 0 && tls_tids[i] != getpid());
		for (int j = 0; j < i; j++)
			CHECK(addr[i] != addr[j] && tls_tids[i] != tls_tids[j]);
	}
	CHECK(syscall(SYS_arch_prctl, 0x1003 /* ARCH_GET_FS */, &fs) == 0 && fs != 0);
	return 0;
}

/* ---- condition variable: a producer signals a waiting consumer, then broadcast ---- */

static pthread_mutex_t cv_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int cv_items, cv_taken, cv_go;

static void *
cv_consumer(void *arg)
{
	pthread_mutex_lock(&cv_lock);
	while (!cv_go)
		pthread_cond_wait(&cv, &cv_lock);
	for (;;) {
		while (cv_items == 0 && cv_go != 2)
			pthread_cond_wait(&cv, &cv_lock);
		if (cv_items == 0)
			break;
		cv_items--;
		cv_taken++;
	}
	pthread_mutex_unlock(&cv_lock);
	return NULL;
}

static int
t_cond(void)
{
	pthread_t t[3];
	struct timespec ts;

	for (int i = 0; i < 3; i++)
		CHECK(pthread_create(&t[i], NULL, cv_consumer, NULL) == 0);
	usleep(20000);
	pthread_mutex_lock(&cv_lock);
	cv_go = 1;
	pthread_cond_broadcast(&cv); /* musl requeues the waiters onto the mutex */
	pthread_mutex_unlock(&cv_lock);
	for (int i = 0; i < 300; i++) {
		pthread_mutex_lock(&cv_lock);
		cv_items++;
		pthread_cond_signal(&cv);
		pthread_mutex_unlock(&cv_lock);
		if (i % 50 == 0)
			usleep(1000);
	}
	pthread_mutex_lock(&cv_lock);
	cv_go = 2;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&cv_lock);
	for (int i = 0; i < 3; i++)
		CHECK(pthread_join(t[i], NULL) == 0);
	CHECK(cv_taken == 300 && cv_items == 0);
	/* A timed wait that nobody signals times out. */
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 30 * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&cv_lock);
	CHECK(pthread_cond_timedwait(&cv, &cv_lock, &ts) == ETIMEDOUT);
	pthread_mutex_unlock(&cv_lock);
	return 0;
}

/* ---- raw futex answers ---- */

static atomic_int fx_word, fx_started;
static volatile pid_t fx_waiter_tid;

static void
fx_handler(int sig)
{
	(void)sig;
}

static void *
fx_waiter(void *arg)
{
	long r;

	fx_waiter_tid = gettid_();
	fx_started = 1;
	r = futex(&fx_word, FUTEX_WAIT_PRIVATE, 0, NULL, 0);
	return (void *)(r == -1 ? (intptr_t)errno : 0);
}

static int
t_futex(void)
{
	struct timespec ts = { 0, 50 * 1000000 }, abs;
	struct sigaction sa = { .sa_handler = fx_handler }; /* no SA_RESTART */
	pthread_t t;
	void *ret;
	long t0;

	CHECK(futex(&fx_word, FUTEX_WAIT, 1, NULL, 0) == -1 && errno == EAGAIN);
	CHECK(futex(&fx_word, FUTEX_WAKE, 1, NULL, 0) == 0);
	t0 = now_ms();
	CHECK(futex(&fx_word, FUTEX_WAIT_PRIVATE, 0, &ts, 0) == -1 && errno == ETIMEDOUT);
	CHECK(now_ms() - t0 >= 45);
	clock_gettime(CLOCK_MONOTONIC, &abs);
	abs.tv_nsec += 20 * 1000000;
	if (abs.tv_nsec >= 1000000000) {
		abs.tv_sec++;
		abs.tv_nsec -= 1000000000;
	}
	CHECK(futex(&fx_word, FUTEX_WAIT_BITSET_PRIVATE, 0, &abs, FUTEX_BITSET_MATCH_ANY) == -1 &&
	      errno == ETIMEDOUT);
	CHECK(futex((atomic_int *)8, FUTEX_WAIT, 0, NULL, 0) == -1 && errno == EFAULT);
	CHECK(futex((atomic_int *)((char *)&fx_word + 1), FUTEX_WAIT, 0, NULL, 0) == -1 &&
	      errno == EINVAL);
	CHECK(futex(&fx_word, FUTEX_WAIT_BITSET, 0, &ts, 0) == -1 && errno == EINVAL);
	/* A woken waiter returns 0. */
	CHECK(pthread_create(&t, NULL, fx_waiter, NULL) == 0);
	while (!fx_started)
		sched_yield();
	usleep(20000);
	fx_word = 1;
	while (futex(&fx_word, FUTEX_WAKE_PRIVATE, 1, NULL, 0) != 1)
		usleep(1000); /* until it sleeps: a wake never gets lost, but it must be asleep */
	CHECK(pthread_join(t, &ret) == 0 && ret == NULL);
	/* A shared futex in MAP_SHARED memory wakes across processes. */
	{
		atomic_int *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		struct timespec five = { 5, 0 };
		int st;
		pid_t pid;

		CHECK(sh != MAP_FAILED);
		*sh = 0;
		pid = fork();
		if (pid == 0) {
			usleep(50000);
			*sh = 1;
			for (int i = 0; i < 3000; i++) {
				if (futex(sh, FUTEX_WAKE, 1, NULL, 0) == 1)
					_exit(0);
				usleep(1000);
			}
			_exit(1);
		}
		while (*sh == 0)
			futex(sh, FUTEX_WAIT, 0, &five, 0);
		CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	/* A signal to the waiting thread: EINTR. */
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	fx_word = 0;
	fx_started = 0;
	CHECK(pthread_create(&t, NULL, fx_waiter, NULL) == 0);
	while (!fx_started)
		sched_yield();
	usleep(20000);
	CHECK(syscall(SYS_tgkill, getpid(), fx_waiter_tid, SIGUSR1) == 0);
	CHECK(pthread_join(t, &ret) == 0 && (intptr_t)ret == EINTR);
	return 0;
}

/* ---- two CPUs: two threads that never enter the kernel hand a token back and forth ---- */

#define PINGPONG 2000
static atomic_int pp_turn;
static atomic_int pp_cpu[2];

static void *
pp_thread(void *arg)
{
	int me = (int)(intptr_t)arg;
	unsigned cpu;

	for (int i = 0; i < PINGPONG; i++) {
		while (atomic_load(&pp_turn) != me)
			;
		if (i == PINGPONG / 2 && syscall(SYS_getcpu, &cpu, NULL, NULL) == 0)
			pp_cpu[me] = (int)cpu + 1;
		atomic_store(&pp_turn, 1 - me);
	}
	return NULL;
}

/*
 * On one CPU each hand-over waits for the spinning thread's quantum (10 ms): 4000 of them take
 * 40 s. On two CPUs the threads run at once: well under a second on an idle host, a few
 * seconds on a loaded one (QEMU's vCPU threads then wait for host CPUs), so 30 s are allowed;
 * getcpu in the middle must also name two CPUs.
 */
static int
t_smp(void)
{
	pthread_t t[2];
	long t0 = now_ms(), ms;

	for (intptr_t i = 0; i < 2; i++)
		CHECK(pthread_create(&t[i], NULL, pp_thread, (void *)i) == 0);
	for (int i = 0; i < 2; i++)
		CHECK(pthread_join(t[i], NULL) == 0);
	ms = now_ms() - t0;
	printf("# ping-pong: %d hand-overs in %ld ms, on CPUs %d and %d\n", 2 * PINGPONG, ms,
	       pp_cpu[0] - 1, pp_cpu[1] - 1);
	CHECK(ms < 30000);
	CHECK(pp_cpu[0] != 0 && pp_cpu[1] != 0 && pp_cpu[0] != pp_cpu[1]);
	return 0;
}

/* ---- mprotect by one thread reaches another thread's TLB on the other CPU ---- */

static volatile int *shoot_page;
static atomic_int shoot_reading;

static void *
shoot_reader(void *arg)
{
	for (;;) {
		(void)*shoot_page;
		shoot_reading = 1;
	}
	return NULL;
}

static int
t_shootdown(void)
{
	int st;
	pid_t pid = fork();

	CHECK(pid >= 0);
	if (pid == 0) {
		pthread_t t;

		shoot_page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				  -1, 0);
		if (shoot_page == MAP_FAILED)
			_exit(2);
		*shoot_page = 1;
		pthread_create(&t, NULL, shoot_reader, NULL);
		while (!shoot_reading)
			;
		/* The reader spins on its TLB entry; only a shootdown makes it fault. */
		mprotect((void *)shoot_page, 4096, PROT_NONE);
		sleep(5);
		_exit(3);
	}
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	return 0;
}

/* ---- a fault in one thread kills the whole process with SIGSEGV ---- */

static volatile int *volatile segv_ptr = (int *)16; /* an unmapped address */

static void *
segv_thread(void *arg)
{
	usleep(10000);
	*segv_ptr = 1;
	return NULL;
}

static void *
sleeper(void *arg)
{
	for (;;)
		pause();
	return NULL;
}

static int
t_segv(void)
{
	int st;
	pid_t pid = fork();

	CHECK(pid >= 0);
	if (pid == 0) {
		pthread_t t, s;

		pthread_create(&s, NULL, sleeper, NULL);
		pthread_create(&t, NULL, segv_thread, NULL);
		for (;;)
			pause();
	}
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	return 0;
}

/* ---- signals: to the process (taken by the thread that does not block it), to a thread ---- */

static atomic_int sig_tid[65];

static void
record_tid(int sig)
{
	sig_tid[sig] = gettid_();
}

static atomic_int sig_ready;
static volatile pid_t sig_worker_tid;

static void *
sig_worker(void *arg)
{
	sigset_t none;

	sigemptyset(&none);
	pthread_sigmask(SIG_SETMASK, &none, NULL);
	sig_worker_tid = gettid_();
	sig_ready = 1;
	while (sig_tid[SIGUSR1] == 0 || sig_tid[SIGUSR2] == 0)
		usleep(1000);
	return NULL;
}

static int
t_signals(void)
{
	struct sigaction sa = { .sa_handler = record_tid, .sa_flags = SA_RESTART };
	sigset_t usr1;
	pthread_t t;

	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0 && sigaction(SIGUSR2, &sa, NULL) == 0);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	CHECK(pthread_sigmask(SIG_BLOCK, &usr1, NULL) == 0);
	CHECK(pthread_create(&t, NULL, sig_worker, NULL) == 0);
	while (!sig_ready)
		sched_yield();
	/* The main thread blocks SIGUSR1: the worker must take it. */
	CHECK(kill(getpid(), SIGUSR1) == 0);
	/* SIGUSR2 is blocked by nobody, but it is for the worker only. */
	CHECK(syscall(SYS_tgkill, getpid(), sig_worker_tid, SIGUSR2) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(sig_tid[SIGUSR1] == sig_worker_tid);
	CHECK(sig_tid[SIGUSR2] == sig_worker_tid);
	CHECK(syscall(SYS_tgkill, getpid(), 999999, SIGUSR2) == -1 && errno == ESRCH);
	CHECK(syscall(SYS_tgkill, 1, getpid(), SIGUSR2) == -1 && errno == ESRCH);
	CHECK(syscall(SYS_tkill, gettid_(), 0) == 0);
	return 0;
}

/* ---- exit of a thread vs the process; wait4 sees the process when the last thread ends ---- */

static void *
exit_later(void *arg)
{
	usleep(50000);
	exit((int)(intptr_t)arg); /* exit_group from a thread: the main thread dies too */
	return NULL;
}

static void *
linger(void *arg)
{
	usleep(50000);
	return NULL; /* the last thread: the process ends with status 0 */
}

static int
t_exit(void)
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		pthread_t t;

		pthread_create(&t, NULL, exit_later, (void *)23);
		for (;;)
			pause();
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 23);
	/* In a fresh program: musl's fork child does not register its thread-list lock for
	 * the kernel to release (set_tid_address), which a main thread's pthread_exit needs. */
	pid = fork();
	if (pid == 0) {
		execve("/bin/threadtest", (char *[]){ "/bin/threadtest", "mainexit", NULL }, environ);
		_exit(99);
	}
	/* Not reapable while the other thread still runs. */
	CHECK(waitpid(pid, &st, WNOHANG) == 0);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return 0;
}

/* ---- fork copies only the caller; execve from a thread ends the others ---- */

static atomic_int spin_forever;

static void *
spinner(void *arg)
{
	while (!spin_forever)
		;
	return NULL;
}

static void *
forker(void *arg)
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		pthread_t t;
		void *r;

		/* One thread here: a new one can be made and joined. */
		if (pthread_create(&t, NULL, linger, NULL) != 0 || pthread_join(t, &r) != 0)
			_exit(3);
		_exit(gettid_() == getpid() ? 9 : 4);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return (void *)1;
	return (void *)(intptr_t)(WIFEXITED(st) && WEXITSTATUS(st) == 9 ? 0 : 2);
}

static void *
execer(void *arg)
{
	usleep(20000);
	execve("/bin/threadtest", (char *[]){ "/bin/threadtest", "execd", NULL }, environ);
	return NULL;
}

static int
t_forkexec(void)
{
	pthread_t s, f;
	void *r;
	int st;
	pid_t pid;

	CHECK(pthread_create(&s, NULL, spinner, NULL) == 0);
	CHECK(pthread_create(&f, NULL, forker, NULL) == 0);
	CHECK(pthread_join(f, &r) == 0 && r == NULL);
	spin_forever = 1;
	CHECK(pthread_join(s, NULL) == 0);
	spin_forever = 0;
	pid = fork();
	if (pid == 0) {
		pthread_t a, b;

		pthread_create(&a, NULL, spinner, NULL);
		pthread_create(&b, NULL, execer, NULL);
		for (;;)
			pause();
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 17);
	return 0;
}

/* ---- thread create + join rate ---- */

static void *
nothing(void *arg)
{
	return arg;
}

static int
t_rate(void)
{
	int n = 400;
	long t0 = now_ms(), ms;

	for (int i = 0; i < n; i++) {
		pthread_t t;
		void *r;

		CHECK(pthread_create(&t, NULL, nothing, (void *)(intptr_t)i) == 0);
		CHECK(pthread_join(t, &r) == 0 && (intptr_t)r == i);
	}
	ms = now_ms() - t0;
	printf("# thread create+join: %ld per second (%d in %ld ms)\n", ms > 0 ? n * 1000 / ms : 0,
	       n, ms);
	return 0;
}

/* ---- credentials ---- */

#define UID_A 4242
#define UID_B 4343
#define GID_A 5151

static int
t_creds(void)
{
	const char *path = "/credtest.tmp";
	uid_t r, e, s;
	gid_t groups[4];
	bool have_file;
	int st, fd;
	pid_t pid;

	CHECK(getuid() == 0 && geteuid() == 0 && getgid() == 0 && getegid() == 0);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	have_file = fd >= 0;
	if (have_file)
		close(fd);
	else
		printf("# no writable root here (errno %d): file checks left out\n", errno);
	pid = fork();
	if (pid == 0) {
		/* Root: any ids; a saved uid of 0 lets the effective one come back. */
		CHECK(setgroups(2, (gid_t[]){ GID_A, 7 }) == 0);
		CHECK(getgroups(0, NULL) == 2);
		CHECK(getgroups(4, groups) == 2 && groups[0] == GID_A && groups[1] == 7);
		CHECK(getgroups(1, groups) == -1 && errno == EINVAL);
		CHECK(setresgid(GID_A, GID_A, GID_A) == 0 && getgid() == GID_A);
		CHECK(setresuid(UID_A, UID_A, 0) == 0);
		CHECK(getresuid(&r, &e, &s) == 0 && r == UID_A && e == UID_A && s == 0);
		CHECK(seteuid(0) == 0 && geteuid() == 0);
		CHECK(setreuid(UID_A, UID_A) == 0); /* the saved id follows: root is gone */
		CHECK(getresuid(&r, &e, &s) == 0 && r == UID_A && e == UID_A && s == UID_A);
		/* Not root: only ids already held. */
		CHECK(setuid(0) == -1 && errno == EPERM);
		CHECK(seteuid(0) == -1 && errno == EPERM);
		CHECK(setuid(UID_B) == -1 && errno == EPERM);
		CHECK(setresuid(-1, UID_A, -1) == 0);
		CHECK(setgid(0) == -1 && errno == EPERM);
		CHECK(setgroups(0, NULL) == -1 && errno == EPERM);
		CHECK(kill(1, 0) == -1 && errno == EPERM);
		CHECK(kill(getpid(), 0) == 0);
		if (have_file) {
			/* Owned by root, mode 0600; the root directory is not ours either. */
			CHECK(open(path, O_RDONLY) == -1 && errno == EACCES);
			CHECK(open(path, O_WRONLY) == -1 && errno == EACCES);
			CHECK(access(path, R_OK) == -1 && errno == EACCES);
			CHECK(access(path, F_OK) == 0);
			CHECK(unlink(path) == -1 && errno == EACCES);
			CHECK(mkdir("/credtest.dir", 0755) == -1 && errno == EACCES);
			CHECK(open("/credtest.new", O_CREAT | O_WRONLY, 0644) == -1 &&
			      errno == EACCES);
		}
		/* Others' programs with the x bit for all still run. */
		CHECK(access("/bin/threadtest", X_OK) == 0);
		/* Inherited across fork and kept across exec. */
		pid = fork();
		if (pid == 0) {
			execve("/bin/threadtest", (char *[]){ "/bin/threadtest", "credexec", NULL },
			       environ);
			_exit(2);
		}
		CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
		_exit(0);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(getuid() == 0 && geteuid() == 0); /* the child's changes were its own */
	if (have_file) {
		CHECK(access(path, R_OK | W_OK) == 0);
		CHECK(unlink(path) == 0);
	}
	return 0;
}

static int
t_credexec(void)
{
	uid_t r, e, s;

	CHECK(getresuid(&r, &e, &s) == 0 && r == UID_A && e == UID_A && s == UID_A);
	CHECK(getgid() == GID_A && getegid() == GID_A && getgroups(0, NULL) == 2);
	CHECK(getauxval(AT_UID) == UID_A && getauxval(AT_EUID) == UID_A);
	CHECK(getauxval(AT_GID) == GID_A && getauxval(AT_EGID) == GID_A);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(void);
	} tests[] = {
		{ "mutex", t_mutex },	  { "tls", t_tls },	      { "cond", t_cond },
		{ "futex", t_futex },	  { "smp", t_smp },	      { "segv", t_segv },
		{ "signals", t_signals }, { "exit", t_exit },	      { "forkexec", t_forkexec },
		{ "rate", t_rate },	  { "creds", t_creds },	      { "credexec", t_credexec },
		{ "shootdown", t_shootdown },
	};

	if (argc < 2) {
		printf("usage: threadtest test\n");
		return 1;
	}
	if (strcmp(argv[1], "execd") == 0)
		return 17; /* t_forkexec's exec from a thread lands here */
	if (strcmp(argv[1], "mainexit") == 0) {
		pthread_t t;

		pthread_create(&t, NULL, linger, NULL);
		pthread_exit(NULL); /* the main thread goes first; the process lives on */
	}
	for (unsigned i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (strcmp(argv[1], tests[i].name) == 0)
			return tests[i].fn();
	printf("threadtest: no test %s\n", argv[1]);
	return 1;
}
