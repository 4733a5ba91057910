/*
 * kern_descrip.c — per-process descriptor tables and the calls on them (XNU
 * bsd/kern/kern_descrip.c, sys_generic.c): read, write, readv, writev, close, dup, dup2, dup3,
 * ioctl (the console's file is bsd/dev/cons_tty.c).
 *
 * The one idea (BSD): a descriptor names a struct file, and a file is a reference-counted
 * object with an operations vector (struct fileops), so vnodes, pipes and sockets plug in later
 * by providing their own vector; the calls here never know what kind of file they hold.
 */
#include <arch/x86_64/timer.h>
#include <arch/x86_64/usercopy.h>
#include <bsd/dev/cons_tty.h>
#include <bsd/kern/file.h>
#include <bsd/kern/proc.h>
#include <bsd/kern/uipc_syscalls.h>
#include <bsd/net/socket.h>
#include <bsd/kern/syscall.h>
#include <bsd/sys/errno.h>
#include <console.h>
#include <mach/kern/kalloc.h>

#define IOV_MAX 1024

/* A read or write on a file that is not open for it. */
long
file_no_rw(struct file *fp, void *ubuf, size_t len)
{
	return -EBADF;
}

/* ---- tables ---- */

void
file_ref(struct file *fp)
{
	__atomic_fetch_add(&fp->f_count, 1, __ATOMIC_RELAXED);
}

void
file_rele(struct file *fp)
{
	if (__atomic_sub_fetch(&fp->f_count, 1, __ATOMIC_ACQ_REL) == 0) {
		fp->f_ops->fo_close(fp);
		kfree(fp, sizeof(*fp));
	}
}

void
fdt_init_console(struct proc *p)
{
	struct file *cons = cons_tty_file();

	for (int fd = 0; fd < 3; fd++) {
		file_ref(cons);
		p->p_fd[fd] = cons;
	}
}

void
fdt_fork(struct proc *child, struct proc *parent)
{
	memcpy(child->p_cwd, parent->p_cwd, sizeof(child->p_cwd)); /* BSD's fd_cdir */
	memcpy(child->p_fdflags, parent->p_fdflags, sizeof(child->p_fdflags));
	for (int fd = 0; fd < NOFILE; fd++) {
		if (parent->p_fd[fd] != NULL)
			file_ref(parent->p_fd[fd]);
		child->p_fd[fd] = parent->p_fd[fd];
	}
}

void
fdt_close_all(struct proc *p)
{
	for (int fd = 0; fd < NOFILE; fd++) {
		if (p->p_fd[fd] != NULL)
			file_rele(p->p_fd[fd]);
		p->p_fd[fd] = NULL;
	}
}

int
fd_alloc(struct proc *p, struct file *fp)
{
	for (int fd = 0; fd < NOFILE; fd++) {
		if (p->p_fd[fd] == NULL) {
			p->p_fd[fd] = fp;
			p->p_fdflags[fd] = 0;
			return fd;
		}
	}
	return -EMFILE;
}

struct file *
fd_get(uint64_t fd)
{
	struct proc *p = current_proc();

	return fd < NOFILE ? p->p_fd[fd] : NULL;
}

long
sys_read(struct trapframe *tf)
{
	struct file *fp = fd_get(tf->tf_rdi);

	if (fp == NULL)
		return -EBADF;
	if (!user_range_ok((void *)tf->tf_rsi, tf->tf_rdx))
		return -EFAULT;
	return fp->f_ops->fo_read(fp, (void *)tf->tf_rsi, tf->tf_rdx);
}

long
sys_write(struct trapframe *tf)
{
	struct file *fp = fd_get(tf->tf_rdi);

	if (fp == NULL)
		return -EBADF;
	if (!user_range_ok((void *)tf->tf_rsi, tf->tf_rdx))
		return -EFAULT;
	return fp->f_ops->fo_write(fp, (const void *)tf->tf_rsi, tf->tf_rdx);
}

/* readv/writev: one iovec at a time; a short transfer ends the call. */
static long
sys_rwv(struct trapframe *tf, bool write)
{
	struct file *fp = fd_get(tf->tf_rdi);
	uint64_t iov[2];
	long total = 0;

	if (fp == NULL)
		return -EBADF;
	if (tf->tf_rdx > IOV_MAX)
		return -EINVAL;
	for (uint64_t i = 0; i < tf->tf_rdx; i++) {
		long r;

		if (copyin((const char *)tf->tf_rsi + i * sizeof(iov), iov, sizeof(iov)) != 0)
			return total > 0 ? total : -EFAULT;
		if ((int64_t)iov[1] < 0)
			return -EINVAL;
		if (!user_range_ok((void *)iov[0], iov[1]))
			return total > 0 ? total : -EFAULT;
		if (iov[1] == 0)
			continue;
		r = write ? fp->f_ops->fo_write(fp, (const void *)iov[0], iov[1])
			  : fp->f_ops->fo_read(fp, (void *)iov[0], iov[1]);
		if (r < 0)
			return total > 0 ? total : r;
		total += r;
		if ((uint64_t)r < iov[1])
			break;
	}
	return total;
}

long
sys_readv(struct trapframe *tf)
{
	return sys_rwv(tf, false);
}

long
sys_writev(struct trapframe *tf)
{
	return sys_rwv(tf, true);
}

long
sys_ioctl(struct trapframe *tf)
{
	struct file *fp = fd_get(tf->tf_rdi);

	if (fp == NULL)
		return -EBADF;
	return fp->f_ops->fo_ioctl(fp, tf->tf_rsi, tf->tf_rdx);
}

/*
 * fcntl: F_DUPFD / F_DUPFD_CLOEXEC (the lowest free descriptor >= arg), F_GETFD / F_SETFD
 * (FD_CLOEXEC), F_GETFL / F_SETFL (O_NONBLOCK reaches sockets).
 */
long
sys_fcntl(struct trapframe *tf)
{
	struct proc *p = current_proc();
	struct file *fp = fd_get(tf->tf_rdi);
	bool on;

	if (fp == NULL)
		return -EBADF;
	switch (tf->tf_rsi) {
	case 0:	   /* F_DUPFD */
	case 1030: /* F_DUPFD_CLOEXEC */
		if (tf->tf_rdx >= NOFILE)
			return -EINVAL;
		for (uint64_t fd = tf->tf_rdx; fd < NOFILE; fd++) {
			if (p->p_fd[fd] == NULL) {
				file_ref(fp);
				p->p_fd[fd] = fp;
				p->p_fdflags[fd] = tf->tf_rsi == 1030 ? FD_CLOEXEC : 0;
				return (long)fd;
			}
		}
		return -EMFILE;
	case 1: /* F_GETFD */
		return p->p_fdflags[tf->tf_rdi] & FD_CLOEXEC;
	case 2: /* F_SETFD */
		fd_set_cloexec(p, (int)tf->tf_rdi, (tf->tf_rdx & FD_CLOEXEC) != 0);
		return 0;
	case 3: /* F_GETFL */
		return 02; /* O_RDWR: XXX: the open mode is kept only by vnode files */
	case 4: /* F_SETFL */
		on = (tf->tf_rdx & 04000) != 0; /* O_NONBLOCK */
		if (fp->f_ops == &socket_fileops)
			so_set_nbio(fp->f_data, on); /* XXX: pipes and the console stay blocking */
		return 0;
	default:
		return -EINVAL;
	}
}

int
fd_close(struct proc *p, int fd)
{
	struct file *fp = fd >= 0 && fd < NOFILE ? p->p_fd[fd] : NULL;

	if (fp == NULL)
		return -EBADF;
	p->p_fd[fd] = NULL;
	p->p_fdflags[fd] = 0;
	file_rele(fp);
	return 0;
}

long
file_install(const struct fileops *ops, void *data, bool cloexec)
{
	struct proc *p = current_proc();
	struct file *fp = kalloc_zero(sizeof(*fp));
	long fd;

	if (fp == NULL) {
		struct file tmp = { .f_ops = ops, .f_data = data };

		ops->fo_close(&tmp);
		return -ENOMEM;
	}
	fp->f_ops = ops;
	fp->f_count = 1;
	fp->f_data = data;
	if ((fd = fd_alloc(p, fp)) < 0) {
		file_rele(fp); /* fo_close releases data */
		return fd;
	}
	fd_set_cloexec(p, (int)fd, cloexec);
	return fd;
}

void
fd_set_cloexec(struct proc *p, int fd, bool on)
{
	if (fd >= 0 && fd < NOFILE)
		p->p_fdflags[fd] = on ? FD_CLOEXEC : 0;
}

void
fdt_exec(struct proc *p)
{
	for (int fd = 0; fd < NOFILE; fd++)
		if (p->p_fd[fd] != NULL && (p->p_fdflags[fd] & FD_CLOEXEC))
			(void)fd_close(p, fd);
}

long
sys_close(struct trapframe *tf)
{
	if (tf->tf_rdi >= NOFILE)
		return -EBADF;
	return fd_close(current_proc(), (int)tf->tf_rdi);
}

static long
fd_dup_to(struct file *fp, uint64_t to)
{
	struct proc *p = current_proc();
	struct file *old;

	if (to >= NOFILE)
		return -EBADF;
	old = p->p_fd[to];
	file_ref(fp);
	p->p_fd[to] = fp;
	p->p_fdflags[to] = 0; /* dup2: the new descriptor stays open across execve */
	if (old != NULL)
		file_rele(old);
	return (long)to;
}

long
sys_dup(struct trapframe *tf)
{
	struct proc *p = current_proc();
	struct file *fp = fd_get(tf->tf_rdi);

	int fd;

	if (fp == NULL)
		return -EBADF;
	file_ref(fp);
	if ((fd = fd_alloc(p, fp)) < 0)
		file_rele(fp);
	return fd;
}

long
sys_dup2(struct trapframe *tf)
{
	struct file *fp = fd_get(tf->tf_rdi);

	if (fp == NULL)
		return -EBADF;
	if (tf->tf_rdi == tf->tf_rsi)
		return (long)tf->tf_rsi;
	return fd_dup_to(fp, tf->tf_rsi);
}

long
sys_dup3(struct trapframe *tf)
{
	struct file *fp = fd_get(tf->tf_rdi);

	if (fp == NULL)
		return -EBADF;
	long fd;

	if (tf->tf_rdi == tf->tf_rsi || (tf->tf_rdx & ~0x80000ULL /* O_CLOEXEC */))
		return -EINVAL;
	fd = fd_dup_to(fp, tf->tf_rsi);
	if (fd >= 0)
		fd_set_cloexec(current_proc(), (int)fd, (tf->tf_rdx & 0x80000ULL) != 0);
	return fd;
}
