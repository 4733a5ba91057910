/*
 * uio.h — a scatter/gather transfer between the kernel and a buffer list (4.4BSD sys/uio.h):
 * an array of iovecs (the Linux/POSIX struct iovec layout, which readv/writev hand in), the file
 * offset, the bytes left, which address space the buffers are in, and the direction.
 *
 * The one idea: every file read and write in the kernel moves data with uiomove(), which
 * advances the iovecs, the offset and the residual together, so a short transfer leaves the
 * uio describing exactly what is left.
 */
#ifndef _BSD_SYS_UIO_H_
#define _BSD_SYS_UIO_H_

#include <libkern/libkern.h>

struct iovec {
	void *iov_base;
	size_t iov_len;
};

enum uio_seg {
	UIO_SYSSPACE,	/* kernel addresses */
	UIO_USERSPACE,	/* the current task's user addresses */
};

enum uio_rw { UIO_READ, UIO_WRITE };

#define UIO_MAXIOV 1024 /* IOV_MAX */

struct uio {
	struct iovec *uio_iov;	/* the buffers; advanced as they are consumed */
	int uio_iovcnt;
	int64_t uio_offset;	/* the file offset */
	size_t uio_resid;	/* bytes left to move */
	enum uio_seg uio_segflg;
	enum uio_rw uio_rw;
};

/*
 * uio_init_sys: one kernel buffer as a uio (a one-element iovec that the caller provides).
 */
void uio_init_sys(struct uio *uio, struct iovec *iov, void *buf, size_t len, int64_t off,
		  enum uio_rw rw);

/*
 * uiomove: move up to n bytes between the kernel buffer cp and the uio (to the uio's buffers
 * for UIO_READ, from them for UIO_WRITE), advancing it.
 *   Returns: 0; EFAULT (a user address that cannot be reached; what moved before stays moved);
 *            EINVAL (a uio whose iovecs do not add up to uio_resid).
 */
int uiomove(void *cp, size_t n, struct uio *uio);

#endif /* _BSD_SYS_UIO_H_ */
