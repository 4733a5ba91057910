/*
 * sys_pipe.c — pipes (pipe, pipe2): a bounded byte buffer between a read file and a write
 * file, after the classic UNIX pipe (and FreeBSD sys/kern/sys_pipe.c, without its direct-map
 * writes). Semantics as POSIX and Linux: a read blocks while the pipe is empty and has writers,
 * returns 0 (end of file) once none is left; a write blocks while the pipe is full, and raises
 * SIGPIPE and fails with EPIPE when no reader is left.
 *
 * The one idea: data crosses the user boundary only through a small kernel bounce buffer
 * outside the pipe's spin lock, since copyin/copyout may fault and a fault must not be taken
 * with the lock held; readers and writers sleep on the pipe's two events.
 */
#include <arch/x86_64/usercopy.h>
#include <bsd/kern/file.h>
#include <bsd/kern/proc.h>
#include <bsd/kern/syscall.h>
#include <bsd/sys/errno.h>
#include <mach/kern/kalloc.h>

#define PIPE_SIZE  4096
#define PIPE_CHUNK 512
#define O_NONBLOCK 04000
#define O_CLOEXEC  02000000

struct pipe {
	lck_spin_t pp_lock;
	size_t pp_head;		/* next byte to read */
	size_t pp_count;	/* bytes buffered */
	unsigned pp_readers, pp_writers;
	uint8_t pp_buf[PIPE_SIZE];
};

/* Events: readers wait on the pipe, writers on its buffer. */
#define PIPE_RD_EVENT(pp) ((event_t)(pp))
#define PIPE_WR_EVENT(pp) ((event_t)(pp)->pp_buf)

static long
pipe_read(struct file *fp, void *ubuf, size_t len)
{
	struct pipe *pp = fp->f_data;
	uint8_t chunk[PIPE_CHUNK];
	size_t n;
	bool s;

	if (len == 0)
		return 0;
	for (;;) {
		s = lck_spin_lock_irqsave(&pp->pp_lock);
		if (pp->pp_count > 0)
			break;
		if (pp->pp_writers == 0) {
			lck_spin_unlock_irqrestore(&pp->pp_lock, s);
			return 0;
		}
		assert_wait(PIPE_RD_EVENT(pp), THREAD_INTERRUPTIBLE);
		lck_spin_unlock_irqrestore(&pp->pp_lock, s);
		if (thread_block(NULL) == THREAD_INTERRUPTED)
			return -EINTR;
	}
	n = MIN(MIN(len, sizeof(chunk)), pp->pp_count);
	for (size_t i = 0; i < n; i++)
		chunk[i] = pp->pp_buf[(pp->pp_head + i) % PIPE_SIZE];
	pp->pp_head = (pp->pp_head + n) % PIPE_SIZE;
	pp->pp_count -= n;
	lck_spin_unlock_irqrestore(&pp->pp_lock, s);
	thread_wakeup(PIPE_WR_EVENT(pp));
	return copyout(chunk, ubuf, n) != 0 ? -EFAULT : (long)n;
}

static long
pipe_write(struct file *fp, const void *ubuf, size_t len)
{
	struct pipe *pp = fp->f_data;
	uint8_t chunk[PIPE_CHUNK];
	size_t done = 0;
	bool s;

	while (done < len) {
		size_t n = MIN(len - done, sizeof(chunk)), put = 0;

		if (copyin((const uint8_t *)ubuf + done, chunk, n) != 0)
			return done > 0 ? (long)done : -EFAULT;
		while (put < n) {
			s = lck_spin_lock_irqsave(&pp->pp_lock);
			if (pp->pp_readers == 0) {
				lck_spin_unlock_irqrestore(&pp->pp_lock, s);
				psignal(current_proc(), SIGPIPE);
				return done + put > 0 ? (long)(done + put) : -EPIPE;
			}
			if (pp->pp_count == PIPE_SIZE) {
				assert_wait(PIPE_WR_EVENT(pp), THREAD_INTERRUPTIBLE);
				lck_spin_unlock_irqrestore(&pp->pp_lock, s);
				if (thread_block(NULL) == THREAD_INTERRUPTED)
					return done + put > 0 ? (long)(done + put) : -EINTR;
				continue;
			}
			while (put < n && pp->pp_count < PIPE_SIZE) {
				pp->pp_buf[(pp->pp_head + pp->pp_count) % PIPE_SIZE] = chunk[put++];
				pp->pp_count++;
			}
			lck_spin_unlock_irqrestore(&pp->pp_lock, s);
			thread_wakeup(PIPE_RD_EVENT(pp));
		}
		done += n;
	}
	return (long)done;
}

static long
pipe_ioctl(struct file *fp, unsigned long cmd, uint64_t uarg)
{
	return -ENOTTY;
}

static void
pipe_close(struct file *fp, bool reader)
{
	struct pipe *pp = fp->f_data;
	bool s = lck_spin_lock_irqsave(&pp->pp_lock), last;

	if (reader)
		pp->pp_readers--;
	else
		pp->pp_writers--;
	last = pp->pp_readers == 0 && pp->pp_writers == 0;
	lck_spin_unlock_irqrestore(&pp->pp_lock, s);
	thread_wakeup(PIPE_RD_EVENT(pp));
	thread_wakeup(PIPE_WR_EVENT(pp));
	if (last)
		kfree(pp, sizeof(*pp));
}

static void
pipe_close_read(struct file *fp)
{
	pipe_close(fp, true);
}

static void
pipe_close_write(struct file *fp)
{
	pipe_close(fp, false);
}

static long
pipe_no_write(struct file *fp, const void *ubuf, size_t len)
{
	return -EBADF;
}

static const struct fileops pipe_read_ops = {
	.fo_read = pipe_read,
	.fo_write = pipe_no_write,
	.fo_ioctl = pipe_ioctl,
	.fo_close = pipe_close_read,
};

static const struct fileops pipe_write_ops = {
	.fo_read = file_no_rw,
	.fo_write = pipe_write,
	.fo_ioctl = pipe_ioctl,
	.fo_close = pipe_close_write,
};

static long
pipe_create(uint64_t ufds, uint64_t flags)
{
	struct proc *p = current_proc();
	struct pipe *pp;
	struct file *rf, *wf;
	int fds[2];

	/* XXX: O_NONBLOCK is accepted and not kept (pipes always block). */
	if (flags & ~(uint64_t)(O_NONBLOCK | O_CLOEXEC))
		return -EINVAL;
	pp = kalloc_zero(sizeof(*pp));
	rf = kalloc_zero(sizeof(*rf));
	wf = kalloc_zero(sizeof(*wf));
	if (pp == NULL || rf == NULL || wf == NULL) {
		if (pp != NULL)
			kfree(pp, sizeof(*pp));
		if (rf != NULL)
			kfree(rf, sizeof(*rf));
		if (wf != NULL)
			kfree(wf, sizeof(*wf));
		return -ENFILE;
	}
	lck_spin_init(&pp->pp_lock);
	pp->pp_readers = pp->pp_writers = 1;
	*rf = (struct file){ .f_ops = &pipe_read_ops, .f_count = 1, .f_data = pp };
	*wf = (struct file){ .f_ops = &pipe_write_ops, .f_count = 1, .f_data = pp };
	fds[0] = fd_alloc(p, rf);
	fds[1] = fds[0] >= 0 ? fd_alloc(p, wf) : -EMFILE;
	if (fds[1] < 0 || copyout(fds, (void *)ufds, sizeof(fds)) != 0) {
		long err = fds[1] < 0 ? -EMFILE : -EFAULT;

		if (fds[0] >= 0)
			p->p_fd[fds[0]] = NULL;
		if (fds[1] >= 0)
			p->p_fd[fds[1]] = NULL;
		file_rele(rf);
		file_rele(wf);
		return err;
	}
	fd_set_cloexec(p, fds[0], (flags & O_CLOEXEC) != 0);
	fd_set_cloexec(p, fds[1], (flags & O_CLOEXEC) != 0);
	return 0;
}

long
sys_pipe(struct trapframe *tf)
{
	return pipe_create(tf->tf_rdi, 0);
}

long
sys_pipe2(struct trapframe *tf)
{
	return pipe_create(tf->tf_rdi, tf->tf_rsi);
}
