/*
 * uipc_syscalls.c — the socket system calls of the Linux x86-64 ABI over the kernel socket
 * layer (bsd/net/socket.h), after 4.4BSD/XNU kern/uipc_syscalls.c: socket, socketpair, bind,
 * listen, accept, accept4, connect, sendto, recvfrom, sendmsg, recvmsg, shutdown, setsockopt,
 * getsockopt, getsockname, getpeername; and read/write/close/ioctl(FIONBIO, FIONREAD, and
 * the interface and route ioctls of bsd/net/if_ioctl.h) on a socket descriptor.
 *
 * The one idea: a socket is one more kind of struct file (bsd/kern/file.h); the calls here
 * only translate — user sockaddrs (struct sockaddr_in / sockaddr_un, network byte order) to
 * the socket layer's host-order addresses and back, user iovecs to a user-space so_uio — and
 * every length and family a program passes is checked before it is used.
 */
#include <arch/x86_64/usercopy.h>
#include <bsd/kern/file.h>
#include <bsd/kern/proc.h>
#include <bsd/kern/syscall.h>
#include <bsd/kern/uipc_syscalls.h>
#include <bsd/net/if_ioctl.h>
#include <bsd/net/socket.h>
#include <bsd/sys/errno.h>
#include <mach/kern/kalloc.h>

#define SOCK_NONBLOCK_ 04000
#define SOCK_CLOEXEC_  02000000
#define FIONBIO_       0x5421
#define FIONREAD_      0x541b
#define MSG_NOSIGNAL_  0x4000
#define SO_IOV_MAX     64

/* struct sockaddr_in and sockaddr_un as Linux lays them out. */
struct sockaddr_in_ {
	uint16_t sin_family;
	uint16_t sin_port; /* network order */
	uint32_t sin_addr; /* network order */
	uint8_t sin_zero[8];
};
struct sockaddr_un_ {
	uint16_t sun_family;
	char sun_path[UNP_PATH_MAX];
};

/* ---- the socket kind of open file ---- */

static long
soo_rw(struct file *fp, void *ubuf, size_t len, bool write)
{
	struct socket *so = fp->f_data;
	struct so_iovec iov = { ubuf, len };
	struct so_uio uio = { &iov, 1, len, SO_UIO_USERSPACE };
	size_t moved = 0;
	int err;

	err = write ? (so->so_domain == AF_UNIX ? sosend_unix(so, &uio, NULL, 0, &moved)
						: sosend(so, &uio, NULL, 0, 0, &moved))
		    : soreceive(so, &uio, NULL, NULL, 0, &moved);
	if (err != 0 && moved == 0)
		return -err;
	return (long)moved;
}

static long
soo_read(struct file *fp, void *ubuf, size_t len)
{
	return soo_rw(fp, ubuf, len, false);
}

static long
soo_write(struct file *fp, const void *ubuf, size_t len)
{
	return soo_rw(fp, (void *)ubuf, len, true);
}

#define SO_IFCONF_MAX 16

/* SIOCGIFCONF: as many ifreqs as fit ifc_len (with a NULL buffer: the length needed). */
static long
soo_ifconf(uint64_t uarg)
{
	struct linux_ifconf ifc;
	struct linux_ifreq *r;
	unsigned n, max;
	long err = 0;

	if (copyin((const void *)uarg, &ifc, sizeof(ifc)) != 0)
		return -EFAULT;
	if (ifc.ifc_buf == 0) {
		if_ioctl_conf(NULL, 0, &n);
		ifc.ifc_len = (int32_t)(n * sizeof(*r));
		return copyout(&ifc, (void *)uarg, sizeof(ifc)) != 0 ? -EFAULT : 0;
	}
	if (ifc.ifc_len < 0)
		return -EINVAL;
	max = MIN((unsigned)ifc.ifc_len / (unsigned)sizeof(*r), SO_IFCONF_MAX);
	if ((r = kalloc(SO_IFCONF_MAX * sizeof(*r))) == NULL)
		return -ENOMEM;
	if_ioctl_conf(r, max, &n);
	ifc.ifc_len = (int32_t)(n * sizeof(*r));
	if (copyout(r, (void *)ifc.ifc_buf, n * sizeof(*r)) != 0 ||
	    copyout(&ifc, (void *)uarg, sizeof(ifc)) != 0)
		err = -EFAULT;
	kfree(r, SO_IFCONF_MAX * sizeof(*r));
	return err;
}

/* SIOCADDRT, SIOCDELRT: the rtentry and the device name it may point to. */
static long
soo_route(unsigned long cmd, uint64_t uarg)
{
	struct linux_rtentry rt;
	char dev[IFNAMSIZ] = "";

	if (copyin((const void *)uarg, &rt, sizeof(rt)) != 0)
		return -EFAULT;
	if (rt.rt_dev != 0) {
		int err = copyinstr((const void *)rt.rt_dev, dev, sizeof(dev), NULL);

		if (err != 0)
			return err == ENAMETOOLONG ? -ENODEV : -err;
	}
	return -if_ioctl_route(cmd, &rt, dev);
}

static long
soo_ioctl(struct file *fp, unsigned long cmd, uint64_t uarg)
{
	struct socket *so = fp->f_data;
	int on;

	switch (cmd) {
	case FIONBIO_:
		if (copyin((const void *)uarg, &on, sizeof(on)) != 0)
			return -EFAULT;
		so_set_nbio(so, on != 0);
		return 0;
	case FIONREAD_:
		/* Readable or not: the exact count stays inside the socket layer. */
		on = (so_poll(so) & SO_POLLIN) ? 1 : 0;
		return copyout(&on, (void *)uarg, sizeof(on)) != 0 ? -EFAULT : 0;
	case SIOCGIFCONF_:
		return soo_ifconf(uarg);
	case SIOCADDRT_:
	case SIOCDELRT_:
		return soo_route(cmd, uarg);
	default:
		break;
	}
	if (cmd >= 0x8910 && cmd <= 0x89ff) { /* SIOC[GS]IF*: one struct ifreq in and out */
		struct linux_ifreq ifr;
		int err;

		if (copyin((const void *)uarg, &ifr, sizeof(ifr)) != 0)
			return -EFAULT;
		if ((err = if_ioctl_ifreq(cmd, &ifr)) != 0)
			return -err;
		return copyout(&ifr, (void *)uarg, sizeof(ifr)) != 0 ? -EFAULT : 0;
	}
	return -ENOTTY;
}

static void
soo_close(struct file *fp)
{
	(void)soclose(fp->f_data);
}

const struct fileops socket_fileops = {
	.fo_read = soo_read,
	.fo_write = soo_write,
	.fo_ioctl = soo_ioctl,
	.fo_close = soo_close,
};

/* The socket behind descriptor fd, or NULL with *err set (EBADF, ENOTSOCK). */
static struct socket *
sock_get(uint64_t fd, long *err)
{
	struct file *fp = fd_get(fd);

	if (fp == NULL || fp->f_ops != &socket_fileops) {
		*err = fp == NULL ? -EBADF : -ENOTSOCK;
		return NULL;
	}
	return fp->f_data;
}

/* A descriptor for so, or a negative errno (so is closed then). */
static long
sock_fd(struct socket *so, int flags)
{
	if (flags & SOCK_NONBLOCK_)
		so_set_nbio(so, true);
	return file_install(&socket_fileops, so, (flags & SOCK_CLOEXEC_) != 0);
}

/* ---- addresses ---- */

struct sock_addr {
	int sa_family;
	uint32_t sa_addr; /* AF_INET, host order */
	uint16_t sa_port;
	char sa_path[UNP_PATH_MAX + 1]; /* AF_UNIX, NUL-terminated */
};

static long
sockaddr_in_user(struct socket *so, uint64_t uaddr, uint64_t len, struct sock_addr *sa)
{
	uint16_t family;

	if (len < sizeof(family) || len > 128)
		return -EINVAL;
	if (copyin((const void *)uaddr, &family, sizeof(family)) != 0)
		return -EFAULT;
	if (family != so->so_domain)
		return -EAFNOSUPPORT;
	sa->sa_family = family;
	if (family == AF_INET) {
		struct sockaddr_in_ sin;

		if (len < sizeof(sin))
			return -EINVAL;
		if (copyin((const void *)uaddr, &sin, sizeof(sin)) != 0)
			return -EFAULT;
		sa->sa_addr = __builtin_bswap32(sin.sin_addr);
		sa->sa_port = __builtin_bswap16(sin.sin_port);
		return 0;
	}
	/* AF_UNIX: the path, which need not be NUL-terminated within len. */
	len -= sizeof(family);
	if (len == 0 || len > UNP_PATH_MAX)
		return -EINVAL;
	memset(sa->sa_path, 0, sizeof(sa->sa_path));
	if (copyin((const char *)uaddr + sizeof(family), sa->sa_path, len) != 0)
		return -EFAULT;
	return sa->sa_path[0] == '\0' ? -EINVAL : 0; /* XXX: no abstract names */
}

/* Copy an address out as recvfrom/accept/getsockname do: truncated to *ulen, which gets the
 * full length. */
static long
sockaddr_out(struct socket *so, uint32_t addr, uint16_t port, uint64_t uaddr, uint64_t ulen)
{
	struct sockaddr_in_ sin = { 0 };
	struct sockaddr_un_ sun = { 0 };
	const void *src;
	uint32_t have, full;

	if (uaddr == 0 || ulen == 0)
		return 0;
	if (copyin((const void *)ulen, &have, sizeof(have)) != 0)
		return -EFAULT;
	if ((int32_t)have < 0)
		return -EINVAL;
	if (so->so_domain == AF_INET) {
		sin.sin_family = AF_INET;
		sin.sin_port = __builtin_bswap16(port);
		sin.sin_addr = __builtin_bswap32(addr);
		src = &sin;
		full = sizeof(sin);
	} else {
		sun.sun_family = AF_UNIX; /* unnamed: the peer's name is not kept (XXX) */
		src = &sun;
		full = sizeof(sun.sun_family);
	}
	if (copyout(src, (void *)uaddr, MIN(have, full)) != 0 ||
	    copyout(&full, (void *)ulen, sizeof(full)) != 0)
		return -EFAULT;
	return 0;
}

/* ---- the calls ---- */

long
sys_socket(struct trapframe *tf)
{
	int domain = (int)tf->tf_rdi, type = (int)tf->tf_rsi, proto = (int)tf->tf_rdx;
	struct socket *so;
	int err;

	if (type & ~(0xf | SOCK_NONBLOCK_ | SOCK_CLOEXEC_))
		return -EINVAL;
	if ((err = socreate(domain, type & 0xf, proto, &so)) != 0)
		return -err;
	return sock_fd(so, type);
}

long
sys_socketpair(struct trapframe *tf)
{
	int type = (int)tf->tf_rsi, fds[2];
	struct socket *a, *b;
	long r;
	int err;

	if ((int)tf->tf_rdi != AF_UNIX)
		return -EAFNOSUPPORT;
	if (type & ~(0xf | SOCK_NONBLOCK_ | SOCK_CLOEXEC_))
		return -EINVAL;
	if (!user_range_ok((void *)tf->tf_r10, sizeof(fds)))
		return -EFAULT;
	if ((err = sopair(type & 0xf, &a, &b)) != 0)
		return -err;
	if ((r = sock_fd(a, type)) < 0) {
		(void)soclose(b);
		return r;
	}
	fds[0] = (int)r;
	if ((r = sock_fd(b, type)) < 0) {
		(void)fd_close(current_proc(), fds[0]);
		return r;
	}
	fds[1] = (int)r;
	if (copyout(fds, (void *)tf->tf_r10, sizeof(fds)) != 0) {
		(void)fd_close(current_proc(), fds[0]);
		(void)fd_close(current_proc(), fds[1]);
		return -EFAULT;
	}
	return 0;
}

/* bind / connect: a sockaddr from the user, then the call for the socket's family. */
static long
sock_addr_call(struct trapframe *tf, bool connect)
{
	long err = 0;
	struct socket *so = sock_get(tf->tf_rdi, &err);
	struct sock_addr sa;

	if (so == NULL)
		return err;
	if ((err = sockaddr_in_user(so, tf->tf_rsi, tf->tf_rdx, &sa)) != 0)
		return err;
	if (so->so_domain == AF_UNIX)
		return -(connect ? soconnect_unix(so, sa.sa_path) : sobind_unix(so, sa.sa_path));
	return -(connect ? soconnect(so, sa.sa_addr, sa.sa_port)
			 : sobind(so, sa.sa_addr, sa.sa_port));
}

long
sys_bind(struct trapframe *tf)
{
	return sock_addr_call(tf, false);
}

long
sys_listen(struct trapframe *tf)
{
	long err = 0;
	struct socket *so = sock_get(tf->tf_rdi, &err);

	if (so == NULL)
		return err;
	return -solisten(so, (int)MIN((int64_t)(int)tf->tf_rsi, (int64_t)4096));
}

static long
sock_accept(uint64_t fd, uint64_t uaddr, uint64_t ulen, int flags)
{
	long err = 0;
	struct socket *so = sock_get(fd, &err), *nso;
	uint32_t faddr = 0;
	uint16_t fport = 0;
	long nfd;

	if (so == NULL)
		return err;
	if (flags & ~(SOCK_NONBLOCK_ | SOCK_CLOEXEC_))
		return -EINVAL;
	if ((err = soaccept(so, &nso, &faddr, &fport)) != 0)
		return -err;
	if ((nfd = sock_fd(nso, flags)) < 0)
		return nfd;
	if ((err = sockaddr_out(nso, faddr, fport, uaddr, ulen)) != 0) {
		(void)fd_close(current_proc(), (int)nfd);
		return err;
	}
	return nfd;
}

long
sys_accept(struct trapframe *tf)
{
	return sock_accept(tf->tf_rdi, tf->tf_rsi, tf->tf_rdx, 0);
}

long
sys_accept4(struct trapframe *tf)
{
	return sock_accept(tf->tf_rdi, tf->tf_rsi, tf->tf_rdx, (int)tf->tf_r10);
}

long
sys_connect(struct trapframe *tf)
{
	return sock_addr_call(tf, true);
}

/* Send or receive over iovecs already checked to lie in user space. */
static long
sock_xfer(struct socket *so, struct so_iovec *iov, unsigned iovcnt, int flags, bool send,
	  uint64_t uaddr, uint64_t ulen_or_len)
{
	struct so_uio uio = { iov, iovcnt, 0, SO_UIO_USERSPACE };
	struct sock_addr sa;
	uint32_t from = 0;
	uint16_t fport = 0;
	size_t moved = 0;
	long err;

	for (unsigned i = 0; i < iovcnt; i++)
		uio.uio_resid += iov[i].iov_len;
	flags &= ~MSG_NOSIGNAL_; /* no SIGPIPE is raised for sockets anyway (XXX) */
	if (send) {
		if (uaddr != 0) {
			if ((err = sockaddr_in_user(so, uaddr, ulen_or_len, &sa)) != 0)
				return err;
			err = so->so_domain == AF_UNIX
				      ? sosend_unix(so, &uio, sa.sa_path, flags, &moved)
				      : sosend(so, &uio, &sa.sa_addr, sa.sa_port, flags, &moved);
		} else {
			err = so->so_domain == AF_UNIX ? sosend_unix(so, &uio, NULL, flags, &moved)
						       : sosend(so, &uio, NULL, 0, flags, &moved);
		}
	} else {
		err = soreceive(so, &uio, &from, &fport, flags, &moved);
		if ((err == 0 || moved > 0) && uaddr != 0) {
			long e2 = sockaddr_out(so, from, fport, uaddr, ulen_or_len);

			if (e2 != 0)
				return e2;
		}
	}
	if (err != 0 && moved == 0)
		return -err;
	return (long)moved;
}

/* sendto / recvfrom: one user buffer, an optional address. */
static long
sock_xfer1(struct trapframe *tf, bool send)
{
	long err = 0;
	struct socket *so = sock_get(tf->tf_rdi, &err);
	struct so_iovec iov = { (void *)tf->tf_rsi, tf->tf_rdx };

	if (so == NULL)
		return err;
	if (!user_range_ok(iov.iov_base, iov.iov_len))
		return -EFAULT;
	return sock_xfer(so, &iov, 1, (int)tf->tf_r10, send, tf->tf_r8, tf->tf_r9);
}

long
sys_sendto(struct trapframe *tf)
{
	return sock_xfer1(tf, true);
}

long
sys_recvfrom(struct trapframe *tf)
{
	return sock_xfer1(tf, false);
}

/* struct msghdr (Linux x86-64). */
struct msghdr_ {
	uint64_t msg_name;
	uint32_t msg_namelen;
	uint32_t pad0;
	uint64_t msg_iov;
	uint64_t msg_iovlen;
	uint64_t msg_control;
	uint64_t msg_controllen;
	int32_t msg_flags;
	uint32_t pad1;
};

static long
sock_msg(struct trapframe *tf, bool send)
{
	long err = 0;
	struct socket *so = sock_get(tf->tf_rdi, &err);
	struct so_iovec iov[SO_IOV_MAX];
	struct msghdr_ mh;
	uint64_t namelen_uaddr;

	if (so == NULL)
		return err;
	if (copyin((const void *)tf->tf_rsi, &mh, sizeof(mh)) != 0)
		return -EFAULT;
	if (mh.msg_iovlen > SO_IOV_MAX)
		return -EMSGSIZE;
	if (mh.msg_iovlen != 0 &&
	    copyin((const void *)mh.msg_iov, iov, mh.msg_iovlen * sizeof(iov[0])) != 0)
		return -EFAULT;
	for (uint64_t i = 0; i < mh.msg_iovlen; i++)
		if ((int64_t)iov[i].iov_len < 0 || !user_range_ok(iov[i].iov_base, iov[i].iov_len))
			return -EFAULT;
	if (mh.msg_controllen != 0 && send)
		return -EINVAL; /* XXX: no ancillary data (SCM_RIGHTS) yet */
	namelen_uaddr = tf->tf_rsi + __builtin_offsetof(struct msghdr_, msg_namelen);
	err = sock_xfer(so, iov, (unsigned)mh.msg_iovlen, (int)tf->tf_rdx, send, mh.msg_name,
			send ? mh.msg_namelen : (mh.msg_name != 0 ? namelen_uaddr : 0));
	if (!send && err >= 0) {
		uint64_t zero = 0;
		int32_t flags = 0;

		/* No control data, no flags to report. */
		if (copyout(&zero, (char *)tf->tf_rsi + __builtin_offsetof(struct msghdr_,
									      msg_controllen),
			    sizeof(zero)) != 0 ||
		    copyout(&flags, (char *)tf->tf_rsi + __builtin_offsetof(struct msghdr_,
									       msg_flags),
			    sizeof(flags)) != 0)
			return -EFAULT;
	}
	return err;
}

long
sys_sendmsg(struct trapframe *tf)
{
	return sock_msg(tf, true);
}

long
sys_recvmsg(struct trapframe *tf)
{
	return sock_msg(tf, false);
}

long
sys_shutdown(struct trapframe *tf)
{
	long err = 0;
	struct socket *so = sock_get(tf->tf_rdi, &err);

	if (so == NULL)
		return err;
	if (tf->tf_rsi > SHUT_RDWR)
		return -EINVAL;
	return -soshutdown(so, (int)tf->tf_rsi);
}

long
sys_setsockopt(struct trapframe *tf)
{
	long err = 0;
	struct socket *so = sock_get(tf->tf_rdi, &err);
	uint8_t val[64];

	if (so == NULL)
		return err;
	if (tf->tf_r8 > sizeof(val))
		return -EINVAL;
	if (copyin((const void *)tf->tf_r10, val, tf->tf_r8) != 0)
		return -EFAULT;
	return -sosetopt(so, (int)tf->tf_rsi, (int)tf->tf_rdx, val, tf->tf_r8);
}

long
sys_getsockopt(struct trapframe *tf)
{
	long err = 0;
	struct socket *so = sock_get(tf->tf_rdi, &err);
	uint8_t val[64];
	uint32_t ulen;
	size_t len;

	if (so == NULL)
		return err;
	if (copyin((const void *)tf->tf_r8, &ulen, sizeof(ulen)) != 0)
		return -EFAULT;
	if ((int32_t)ulen < 0)
		return -EINVAL;
	len = MIN((size_t)ulen, sizeof(val));
	if ((err = sogetopt(so, (int)tf->tf_rsi, (int)tf->tf_rdx, val, &len)) != 0)
		return -err;
	ulen = (uint32_t)MIN(len, (size_t)ulen);
	if (copyout(val, (void *)tf->tf_r10, ulen) != 0 ||
	    copyout(&ulen, (void *)tf->tf_r8, sizeof(ulen)) != 0)
		return -EFAULT;
	return 0;
}

static long
sock_name(struct trapframe *tf, bool peer)
{
	long err = 0;
	struct socket *so = sock_get(tf->tf_rdi, &err);
	uint32_t addr = 0;
	uint16_t port = 0;

	if (so == NULL)
		return err;
	if ((err = sogetaddr(so, peer, &addr, &port)) != 0)
		return -err;
	return sockaddr_out(so, addr, port, tf->tf_rsi, tf->tf_rdx);
}

long
sys_getsockname(struct trapframe *tf)
{
	return sock_name(tf, false);
}

long
sys_getpeername(struct trapframe *tf)
{
	return sock_name(tf, true);
}
