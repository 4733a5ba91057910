/*
 * sys_generic.c — poll and ppoll (4.4BSD/XNU kern/sys_generic.c) over every kind of open file:
 * the console is readable when input is queued, a socket answers through so_poll, and vnodes
 * and pipes are always ready (a read or write on them blocks no longer than the I/O).
 *
 * The one idea: ask each descriptor what is ready now; when nothing is and time is left, sleep
 * a tick and ask again. XXX: a poller is not woken by the console or a socket — it looks again
 * every 10 ms — and pipes report ready without looking at their buffers.
 */
#include <arch/x86_64/timer.h>
#include <arch/x86_64/usercopy.h>
#include <bsd/dev/cons_tty.h>
#include <bsd/kern/file.h>
#include <bsd/kern/proc.h>
#include <bsd/kern/syscall.h>
#include <bsd/kern/uipc_syscalls.h>
#include <bsd/net/socket.h>
#include <bsd/sys/errno.h>
#include <console.h>
#include <mach/kern/kalloc.h>
#include <mach/kern/thread.h>

#define POLLIN_	  0x001
#define POLLOUT_  0x004
#define POLLERR_  0x008
#define POLLHUP_  0x010
#define POLLNVAL_ 0x020
#define POLL_MAX  NOFILE

struct pollfd_ {
	int32_t fd;
	int16_t events, revents;
};

static int16_t
poll_one(const struct pollfd_ *pf)
{
	struct file *fp;
	int16_t ready;

	if (pf->fd < 0)
		return 0;
	if ((fp = fd_get((uint64_t)(uint32_t)pf->fd)) == NULL)
		return POLLNVAL_;
	if (fp->f_ops == &socket_fileops) {
		unsigned m = so_poll(fp->f_data);

		ready = (int16_t)(((m & SO_POLLIN) ? POLLIN_ : 0) | ((m & SO_POLLOUT) ? POLLOUT_ : 0) |
				  ((m & SO_POLLERR) ? POLLERR_ : 0) | ((m & SO_POLLHUP) ? POLLHUP_ : 0));
	} else if (file_is_console(fp)) {
		ready = (int16_t)(POLLOUT_ | (cons_tty_readable() ? POLLIN_ : 0));
	} else {
		ready = POLLIN_ | POLLOUT_;
	}
	return (int16_t)(ready & (pf->events | POLLERR_ | POLLHUP_ | POLLNVAL_));
}

/* Poll nfds entries at ufds until one is ready or timeout_ns passes (UINT64_MAX: no limit). */
static long
poll_common(uint64_t ufds, uint64_t nfds, uint64_t timeout_ns)
{
	struct pollfd_ *pfd;
	uint64_t deadline = timeout_ns == UINT64_MAX ? UINT64_MAX : clock_uptime_ns() + timeout_ns;
	size_t bytes = nfds * sizeof(*pfd);
	long n = 0;

	if (nfds > POLL_MAX)
		return -EINVAL;
	if ((pfd = kalloc(bytes == 0 ? 1 : bytes)) == NULL)
		return -ENOMEM;
	if (bytes != 0 && copyin((const void *)ufds, pfd, bytes) != 0) {
		kfree(pfd, bytes);
		return -EFAULT;
	}
	for (;;) {
		n = 0;
		for (uint64_t i = 0; i < nfds; i++) {
			pfd[i].revents = poll_one(&pfd[i]);
			n += pfd[i].revents != 0;
		}
		if (n != 0 || clock_uptime_ns() >= deadline)
			break;
		assert_wait_deadline(pfd, THREAD_INTERRUPTIBLE,
				     MIN(deadline, clock_uptime_ns() + 10000000ULL));
		if (thread_block(NULL) == THREAD_INTERRUPTED) {
			n = -EINTR;
			break;
		}
	}
	if (n >= 0 && bytes != 0 && copyout(pfd, (void *)ufds, bytes) != 0)
		n = -EFAULT;
	kfree(pfd, bytes == 0 ? 1 : bytes);
	return n;
}

long
sys_poll(struct trapframe *tf)
{
	int timeout_ms = (int)tf->tf_rdx;

	return poll_common(tf->tf_rdi, tf->tf_rsi,
			   timeout_ms < 0 ? UINT64_MAX : (uint64_t)timeout_ms * 1000000ULL);
}

/* ppoll(fds, nfds, timeout timespec or NULL, sigmask, sigsetsize): XXX: the mask is not
 * applied for the duration. */
long
sys_ppoll(struct trapframe *tf)
{
	int64_t ts[2];

	if (tf->tf_rdx == 0)
		return poll_common(tf->tf_rdi, tf->tf_rsi, UINT64_MAX);
	if (copyin((const void *)tf->tf_rdx, ts, sizeof(ts)) != 0)
		return -EFAULT;
	if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000)
		return -EINVAL;
	return poll_common(tf->tf_rdi, tf->tf_rsi,
			   (uint64_t)MIN(ts[0], (int64_t)100000000) * 1000000000ULL +
				   (uint64_t)ts[1]);
}
