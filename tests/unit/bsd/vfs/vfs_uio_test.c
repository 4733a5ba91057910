/*
 * vfs_uio_test.c — unit tests for bsd/vfs/vfs_uio.c: uiomove across several iovecs (empty ones
 * included), in both directions, short moves, the offset and residual kept in step, a uio
 * whose residual is larger than its iovecs, and user addresses refused until usercopy exists.
 */
#include <criterion/criterion.h>
#include <string.h>
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

/*
 * The user copies, as the kernel's usercopy.S behaves: a user buffer is reached through
 * copyin/copyout, which fail with EFAULT on an address that faults (here: `unmapped`).
 */
static char unmapped[8];
static unsigned user_copies;

int
copyin(const void *uaddr, void *kaddr, size_t len)
{
	user_copies++;
	if ((const char *)uaddr >= unmapped && (const char *)uaddr < unmapped + sizeof(unmapped))
		return EFAULT;
	memcpy(kaddr, uaddr, len);
	return 0;
}

int
copyout(const void *kaddr, void *uaddr, size_t len)
{
	user_copies++;
	if ((char *)uaddr >= unmapped && (char *)uaddr < unmapped + sizeof(unmapped))
		return EFAULT;
	memcpy(uaddr, kaddr, len);
	return 0;
}

Test(vfs_uio, user_space_goes_through_the_user_copies)
{
	char a[4], b[4], src[8] = "abcdefg", back[8] = { 0 };
	struct iovec iov[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	struct uio uio = { iov, 2, 0, 8, UIO_USERSPACE, UIO_READ };

	user_copies = 0;
	cr_assert_eq(uiomove(src, 8, &uio), 0);
	cr_assert_eq(user_copies, 2);
	cr_assert_eq(memcmp(a, "abcd", 4), 0);
	cr_assert_eq(memcmp(b, "efg", 4), 0);
	iov[0] = (struct iovec){ a, sizeof(a) };
	iov[1] = (struct iovec){ b, sizeof(b) };
	uio = (struct uio){ iov, 2, 0, 8, UIO_USERSPACE, UIO_WRITE };
	cr_assert_eq(uiomove(back, 8, &uio), 0);
	cr_assert_str_eq(back, "abcdefg");
}

Test(vfs_uio, user_fault_stops_the_move_with_efault)
{
	char a[4], src[8] = "abcdefg";
	struct iovec iov[2] = { { a, sizeof(a) }, { unmapped, 4 } };
	struct uio uio = { iov, 2, 0, 8, UIO_USERSPACE, UIO_READ };

	cr_assert_eq(uiomove(src, 8, &uio), EFAULT);
	cr_assert_eq(uio.uio_resid, 4); /* the first iovec moved and stays moved */
	cr_assert_eq(memcmp(a, "abcd", 4), 0);
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
