/*
 * vfs_uio_test.c — unit tests for bsd/vfs/vfs_uio.c: uiomove across several iovecs (empty ones
 * included), in both directions, short moves, the offset and residual kept in step, a uio
 * whose residual is larger than its iovecs, and user addresses refused until usercopy exists.
 */
#include <criterion/criterion.h>
#include <bsd/sys/errno.h>
#include <bsd/sys/uio.h>

Test(vfs_uio, read_scatters_over_iovecs)
{
	char a[3], b[5], src[] = "abcdefgh";
	struct iovec iov[3] = { { a, sizeof(a) }, { NULL, 0 }, { b, sizeof(b) } };
	struct uio uio = { iov, 3, 100, 8, UIO_SYSSPACE, UIO_READ };

	cr_assert_eq(uiomove(src, 5, &uio), 0);
	cr_assert_eq(uio.uio_resid, 3);
	cr_assert_eq(uio.uio_offset, 105);
	cr_assert_eq(uiomove(src + 5, 10, &uio), 0); /* more than is left: stops at resid */
	cr_assert_eq(uio.uio_resid, 0);
	cr_assert_eq(uio.uio_offset, 108);
	cr_assert_eq(memcmp(a, "abc", 3), 0);
	cr_assert_eq(memcmp(b, "defgh", 5), 0);
}

Test(vfs_uio, write_gathers)
{
	char dst[8] = { 0 };
	struct iovec iov[2] = { { "12", 2 }, { "3456", 4 } };
	struct uio uio = { iov, 2, 0, 6, UIO_SYSSPACE, UIO_WRITE };

	cr_assert_eq(uiomove(dst, 4, &uio), 0);
	cr_assert_eq(uiomove(dst + 4, 4, &uio), 0);
	cr_assert_str_eq(dst, "123456");
	cr_assert_eq(uio.uio_resid, 0);
}

Test(vfs_uio, resid_past_the_iovecs_is_einval)
{
	char a[2], src[4] = "wxyz";
	struct iovec iov = { a, sizeof(a) };
	struct uio uio = { &iov, 1, 0, 4, UIO_SYSSPACE, UIO_READ };

	cr_assert_eq(uiomove(src, 4, &uio), EINVAL);
	cr_assert_eq(uio.uio_resid, 2); /* what moved stays moved */
}

Test(vfs_uio, user_space_is_refused_for_now)
{
	char a[4], src[4] = "abc";
	struct iovec iov = { a, sizeof(a) };
	struct uio uio = { &iov, 1, 0, 4, UIO_USERSPACE, UIO_READ };

	cr_assert_eq(uiomove(src, 4, &uio), EFAULT);
	cr_assert_eq(uio.uio_resid, 4);
}

Test(vfs_uio, init_sys)
{
	char buf[16];
	struct iovec iov;
	struct uio uio;

	uio_init_sys(&uio, &iov, buf, sizeof(buf), 42, UIO_WRITE);
	cr_assert_eq(uio.uio_iovcnt, 1);
	cr_assert_eq(uio.uio_resid, 16);
	cr_assert_eq(uio.uio_offset, 42);
	cr_assert_eq(uio.uio_rw, UIO_WRITE);
	cr_assert_eq(uio.uio_segflg, UIO_SYSSPACE);
}
