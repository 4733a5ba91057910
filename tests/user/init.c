/*
 * init.c — the test init (pid 1) of the user tier: runs each test program by fork, execve and
 * wait4, prints `ok N - name` or `not ok N - name` (ARCHITECTURE.md test output), the final
 * `N passed, N failed` line, and powers off (reboot) — or exits 1 when a test failed, which
 * the kernel turns into a failing isa-debug-exit status. It also reaps orphans it inherits.
 */
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

struct utest {
	const char *name;
	const char *path;
	const char *arg;
	int want_status; /* the wait status the test must end with */
	const char *arg2, *arg3;
};

static const struct utest tests[] = {
	{ "hello_static", "/bin/hello", NULL, 0 },
	{ "hello_static_pie", "/bin/hello-pie", NULL, 0 },
	{ "exec_args_envp_auxv", "/bin/utest", "args", 0 },
	{ "exit_status", "/bin/utest", "exit42", 42 << 8 },
	{ "getpid_getppid", "/bin/utest", "ids", 0 },
	{ "brk", "/bin/utest", "brk", 0 },
	{ "mmap_munmap_mprotect", "/bin/utest", "mmap", 0 },
	{ "readonly_write_sigsegv", "/bin/utest", "rofault", 0 },
	{ "fork_cow", "/bin/utest", "cow", 0 },
	{ "wait4_wnohang", "/bin/utest", "wnohang", 0 },
	{ "orphan_reparented_to_init", "/bin/utest", "orphan", 0 },
	{ "copyin_efault", "/bin/utest", "efault", 0 },
	{ "kernel_pointer_refused", "/bin/utest", "kptr", 0 },
	{ "clock_monotonic_nanosleep", "/bin/utest", "clock", 0 },
	{ "calendar_set_and_read", "/bin/utest", "calendar", 0 },
	{ "signals_from_traps", "/bin/utest", "traps", 0 },
	{ "kill_sigterm", "/bin/utest", "kill", 0 },
	{ "signal_handlers_masks_sigreturn", "/bin/utest", "handlers", 0 },
	{ "pipe_across_fork", "/bin/utest", "pipe", 0 },
	{ "execve_second_program", "/bin/utest", "exec", 0 },
	{ "enosys", "/bin/utest", "enosys", 0 },
	{ "hostile_arguments_and_frames", "/bin/utest", "hostile", 0 },
	{ "fork_exec_wait_rate", "/bin/utest", "rate", 0 },
	{ "pie_utest", "/bin/utest-pie", "args", 0 },
	{ "close_on_exec", "/bin/utest", "cloexec", 0 },
	{ "threads_mutex_counter", "/bin/threadtest", "mutex", 0 },
	{ "threads_tls", "/bin/threadtest", "tls", 0 },
	{ "threads_cond", "/bin/threadtest", "cond", 0 },
	{ "threads_futex", "/bin/threadtest", "futex", 0 },
	{ "threads_two_cpus", "/bin/threadtest", "smp", 0 },
	{ "threads_segv_kills_process", "/bin/threadtest", "segv", 0 },
	{ "threads_mprotect_shootdown", "/bin/threadtest", "shootdown", 0 },
	{ "threads_signals_tgkill", "/bin/threadtest", "signals", 0 },
	{ "threads_exit_vs_exit_group", "/bin/threadtest", "exit", 0 },
	{ "threads_fork_exec", "/bin/threadtest", "forkexec", 0 },
	{ "threads_create_join_rate", "/bin/threadtest", "rate", 0 },
	{ "credentials", "/bin/threadtest", "creds", 0 },
	{ "console_tty_signals", "/bin/utest", "tty", 0 },
	{ "socket_calls", "/bin/nettest", NULL, 0 },
	{ "mach_ipc_traps", "/bin/machtest", NULL, 0 },
	{ "mach_rpc_between_processes", "/bin/machrpc", NULL, 0 },
	{ "mach_exception_handler", "/bin/machexc", NULL, 0 },
	/* On a read-write root file system (tests/boot/user-rootfs.sh): the file calls. */
	{ "vfs_file_calls", "/bin/fstest", "/fstest", 0 },
	{ "mmap_files", "/bin/mmaptest", "/mmaptest", 0 },
	/* Debian's busybox-static, when the archive has it (tests/boot/user.sh). */
	{ "busybox_echo", "/bin/busybox", "echo", 0, "busybox says hello" },
	{ "busybox_sh_c", "/bin/busybox", "sh", 3 << 8, "-c",
	  "echo sh: $((6 * 7)) $(echo sub); for i in 1 2; do echo loop $i; done; exit 3" },
	/* busybox's ifconfig and route through the interface ioctls (bsd/net/if_ioctl.c), on the
	 * slirp network of tests/boot/user.sh: wait for DHCP, show, change and restore. Without
	 * an eth0 (user-rootfs) only that is checked; user.sh judges the output lines. */
	{ "busybox_ifconfig_route", "/bin/busybox", "sh", 0, "-c",
	  "b=/bin/busybox; if $b ifconfig eth0 2>&1 | $b grep -q 'Device not found'; then "
	  "echo no eth0: skipped; exit 0; fi; "
	  "i=0; until $b ifconfig eth0 | $b grep -q 'inet addr:10'; "
	  "do i=$((i + 1)); [ $i -lt 100 ] || exit 9; $b sleep 0.1; done; "
	  "$b ifconfig eth0 && $b ifconfig lo0 && "
	  "$b route add default gw 10.0.2.2 && $b route del default && ! $b route del default && "
	  "$b route add default gw 10.0.2.2 eth0 && "
	  "! $b route add default gw 192.168.77.1 && "
	  "$b ifconfig eth0 mtu 1400 && $b ifconfig eth0 | $b grep -q MTU:1400 && "
	  "$b ifconfig eth0 mtu 1500 && $b ifconfig -a | $b grep -c 'inet addr' && "
	  "echo busybox ifconfig and route ok" },
	/* busybox ping: a raw ICMP socket (bsd/net/raw_ip.c); one echo each, since a second
	 * needs alarm(2). */
	{ "busybox_ping", "/bin/busybox", "sh", 0, "-c",
	  "b=/bin/busybox; $b ping -c 1 127.0.0.1 || exit 1; "
	  "$b ifconfig eth0 2>&1 | $b grep -q 'Device not found' || $b ping -c 1 10.0.2.2" },
};

int
main(int argc, char **argv)
{
	int pass = 0, fail = 0, skip = 0, n = 0;

	printf("init: pid %d, %d tests\n", getpid(), (int)(sizeof(tests) / sizeof(tests[0])));
	for (unsigned i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		const struct utest *t = &tests[i];
		int status = -1;
		pid_t pid, w;

		fflush(stdout);
		if ((strcmp(t->path, "/bin/busybox") == 0 || strcmp(t->path, "/bin/fstest") == 0 ||
		     strcmp(t->path, "/bin/mmaptest") == 0) &&
		    access(t->path, X_OK) != 0) {
			printf("ok %d - %s # SKIP no %s here\n", ++n, t->name, t->path);
			skip++;
			continue;
		}
		pid = fork();
		if (pid == 0) {
			char *av[] = { (char *)t->path, (char *)t->arg, (char *)t->arg2,
				       (char *)t->arg3, NULL };
			char *ev[] = { "NIMBUS_TEST=1", "PATH=/bin", NULL };

			execve(t->path, av, ev);
			_exit(127);
		}
		/* Reap inherited orphans too, until our child is back. */
		while ((w = wait4(-1, &status, 0, NULL)) != pid && w > 0)
			;
		n++;
		if (pid > 0 && w == pid && status == t->want_status) {
			pass++;
			printf("ok %d - %s\n", n, t->name);
		} else {
			fail++;
			printf("not ok %d - %s (pid %d, wait status %#x, expected %#x)\n", n,
			       t->name, pid, status, t->want_status);
		}
	}
	printf("%d passed, %d failed, %d skipped\n", pass, fail, skip);
	fflush(stdout);
	if (fail != 0)
		return 1;
	reboot(RB_POWER_OFF);
	return 1;
}
