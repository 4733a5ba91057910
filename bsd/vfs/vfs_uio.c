/*
 * vfs_uio.c — moving data between the kernel and a struct uio (4.4BSD kern/kern_subr.c
 * uiomove). Portable: unit-tested on the host (the test supplies the user copies).
 *
 * User buffers (UIO_USERSPACE) are reached only through copyin/copyout, so a bad address ends
 * the move with EFAULT; what moved before it stays moved and is accounted for.
 */
#include <arch/x86_64/usercopy.h>
#include <bsd/sys/errno.h>
#include <bsd/sys/uio.h>

void
uio_init_sys(struct uio *uio, struct iovec *iov, void *buf, size_t len, int64_t off,
	     enum uio_rw rw)
{
	iov->iov_base = buf;
	iov->iov_len = len;
	uio->uio_iov = iov;
	uio->uio_iovcnt = 1;
	uio->uio_offset = off;
	uio->uio_resid = len;
	uio->uio_segflg = UIO_SYSSPACE;
	uio->uio_rw = rw;
}

int
uiomove(void *cp, size_t n, struct uio *uio)
{
	char *kp = cp;

	while (n > 0 && uio->uio_resid > 0) {
		struct iovec *iov = uio->uio_iov;
		size_t cnt;

		if (uio->uio_iovcnt <= 0)
			return EINVAL; /* resid says more than the iovecs hold */
		cnt = iov->iov_len;
		if (cnt == 0) {
			uio->uio_iov++;
			uio->uio_iovcnt--;
			continue;
		}
		if (cnt > n)
			cnt = n;
		if (cnt > uio->uio_resid)
			cnt = uio->uio_resid;
		if (uio->uio_segflg == UIO_USERSPACE) {
			if ((uio->uio_rw == UIO_READ ? copyout(kp, iov->iov_base, cnt)
						     : copyin(iov->iov_base, kp, cnt)) != 0)
				return EFAULT;
		} else if (uio->uio_rw == UIO_READ) {
			memcpy(iov->iov_base, kp, cnt);
		} else {
			memcpy(kp, iov->iov_base, cnt);
		}
		iov->iov_base = (char *)iov->iov_base + cnt;
		iov->iov_len -= cnt;
		uio->uio_resid -= cnt;
		uio->uio_offset += (int64_t)cnt;
		kp += cnt;
		n -= cnt;
	}
	return 0;
}
