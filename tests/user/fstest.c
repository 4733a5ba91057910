/*
 * fstest.c — the file-system system calls seen from user space (bsd/vfs/vfs_syscalls.c), run by
 * the test init on a read-write root file system: fstest DIR works inside DIR (made fresh) with
 * open/creat/openat, read/write/pread/pwrite, lseek, O_APPEND, fstat/stat/lstat/fstatat,
 * ftruncate/truncate, rename, link, symlink/readlink, getdents64, unlink, rmdir, fsync,
 * chmod/fchmod/fchmodat, mount/umount2 refusals, sethostname/uname, and the
 * error answers (ENOENT, EEXIST, EISDIR, ENOTDIR, ENOTEMPTY, EFAULT, EBADF). It leaves
 * DIR/keep.txt and DIR/big.bin for the host to check with debugfs (tests/boot/user-rootfs.sh).
 * Exits 0 when every check held; otherwise prints the first that failed and exits 1.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#define CHECK(cond)                                                                             \
	do {                                                                                    \
		if (!(cond)) {                                                                  \
			printf("fstest: line %d: %s (errno %d)\n", __LINE__, #cond, errno);     \
			exit(1);                                                                \
		}                                                                               \
	} while (0)

#define BIG (100 * 1024 + 123) /* past the direct blocks of a 1 KiB-block ext2, partial end */

static char path_buf[4][512];

static const char *
at(int i, const char *dir, const char *name)
{
	snprintf(path_buf[i], sizeof(path_buf[i]), "%s/%s", dir, name);
	return path_buf[i];
}

static unsigned char
pattern(size_t i)
{
	return (unsigned char)(i * 7 + (i >> 9));
}

/* Names getdents64 returns for dir, as one string "a b c " in the order given. */
static int
has_entry(const char *dir, const char *want)
{
	char buf[1024];
	int fd = open(dir, O_RDONLY | O_DIRECTORY), found = 0;
	long n;

	CHECK(fd >= 0);
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct dirent *d = (struct dirent *)(buf + off);

			if (strcmp(d->d_name, want) == 0)
				found = 1;
			off += d->d_reclen;
		}
	}
	CHECK(n == 0);
	close(fd);
	return found;
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/fstest";
	static unsigned char big[BIG], back[BIG];
	char buf[256];
	struct stat st;
	int fd, dfd;

	/* A fresh directory. */
	CHECK(mkdir(dir, 0755) == 0);
	CHECK(mkdir(dir, 0755) == -1 && errno == EEXIST);
	CHECK(stat(dir, &st) == 0 && S_ISDIR(st.st_mode));

	/* Write a file bigger than the direct blocks, read it back whole and in pieces. */
	for (size_t i = 0; i < BIG; i++)
		big[i] = pattern(i);
	fd = open(at(0, dir, "big.bin"), O_CREAT | O_EXCL | O_WRONLY, 0644);
	CHECK(fd >= 0);
	CHECK(write(fd, big, 4096) == 4096);
	CHECK(write(fd, big + 4096, BIG - 4096) == BIG - 4096);
	CHECK(fsync(fd) == 0);
	CHECK(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == BIG);
	CHECK(read(fd, buf, 1) == -1 && errno == EBADF); /* opened write-only */
	CHECK(close(fd) == 0);
	CHECK(open(at(0, dir, "big.bin"), O_CREAT | O_EXCL | O_WRONLY, 0644) == -1 &&
	      errno == EEXIST);
	fd = open(at(0, dir, "big.bin"), O_RDONLY);
	CHECK(fd >= 0);
	CHECK(read(fd, back, BIG + 100) == BIG && memcmp(back, big, BIG) == 0);
	CHECK(read(fd, back, 10) == 0); /* end of file */
	CHECK(lseek(fd, 5000, SEEK_SET) == 5000);
	CHECK(read(fd, back, 10) == 10 && memcmp(back, big + 5000, 10) == 0);
	CHECK(lseek(fd, -10, SEEK_CUR) == 5000);
	CHECK(lseek(fd, 0, SEEK_END) == BIG);
	CHECK(lseek(fd, -1, SEEK_SET) == -1 && errno == EINVAL);
	CHECK(pread(fd, back, 100, 70000) == 100 && memcmp(back, big + 70000, 100) == 0);
	CHECK(lseek(fd, 0, SEEK_CUR) == BIG); /* pread leaves the offset alone */
	CHECK(write(fd, "x", 1) == -1 && errno == EBADF); /* opened read-only */
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	CHECK(read(fd, (void *)8, 10) == -1 && errno == EFAULT);
	CHECK(close(fd) == 0);
	CHECK(close(fd) == -1 && errno == EBADF);

	/* O_APPEND, pwrite, truncation. */
	fd = open(at(0, dir, "keep.txt"), O_CREAT | O_WRONLY | O_TRUNC, 0600);
	CHECK(fd >= 0);
	CHECK(write(fd, "first line\n", 11) == 11);
	CHECK(close(fd) == 0);
	fd = open(at(0, dir, "keep.txt"), O_WRONLY | O_APPEND);
	CHECK(fd >= 0);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	CHECK(write(fd, "second line\n", 12) == 12); /* at the end all the same */
	CHECK(close(fd) == 0);
	fd = open(at(0, dir, "scratch"), O_CREAT | O_RDWR, 0600);
	CHECK(fd >= 0);
	CHECK(pwrite(fd, "abc", 3, 10000) == 3);
	CHECK(fstat(fd, &st) == 0 && st.st_size == 10003);
	CHECK(pread(fd, buf, 4, 0) == 4 && memcmp(buf, "\0\0\0\0", 4) == 0); /* a hole */
	CHECK(ftruncate(fd, 5) == 0 && fstat(fd, &st) == 0 && st.st_size == 5);
	CHECK(pread(fd, buf, 10, 0) == 5);
	CHECK(close(fd) == 0);
	CHECK(truncate(at(0, dir, "scratch"), 0) == 0);
	CHECK(stat(at(0, dir, "scratch"), &st) == 0 && st.st_size == 0);

	/* Names: rename, link, symlink, readlink, lstat, *at() from a directory descriptor. */
	CHECK(rename(at(0, dir, "scratch"), at(1, dir, "renamed")) == 0);
	CHECK(stat(at(0, dir, "scratch"), &st) == -1 && errno == ENOENT);
	CHECK(link(at(0, dir, "keep.txt"), at(1, dir, "hard")) == 0);
	CHECK(stat(at(0, dir, "keep.txt"), &st) == 0 && st.st_nlink == 2);
	CHECK(symlink("keep.txt", at(0, dir, "soft")) == 0);
	CHECK(readlink(at(0, dir, "soft"), buf, sizeof(buf)) == 8 && memcmp(buf, "keep.txt", 8) == 0);
	CHECK(lstat(at(0, dir, "soft"), &st) == 0 && S_ISLNK(st.st_mode));
	CHECK(stat(at(0, dir, "soft"), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 23);
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0);
	CHECK(fstatat(dfd, "hard", &st, 0) == 0 && st.st_size == 23);
	fd = openat(dfd, "soft", O_RDONLY);
	CHECK(fd >= 0 && read(fd, buf, 11) == 11 && memcmp(buf, "first line\n", 11) == 0);
	CHECK(close(fd) == 0);
	CHECK(mkdirat(dfd, "sub", 0700) == 0);
	CHECK(open(at(0, dir, "sub"), O_WRONLY) == -1 && errno == EISDIR);
	CHECK(open(at(0, dir, "keep.txt/x"), O_RDONLY) == -1 && errno == ENOTDIR);
	CHECK(open(at(0, dir, "nothing"), O_RDONLY) == -1 && errno == ENOENT);
	CHECK(open((const char *)8, O_RDONLY) == -1 && errno == EFAULT);
	CHECK(has_entry(dir, "big.bin") && has_entry(dir, "renamed") && has_entry(dir, "sub") &&
	      has_entry(dir, "soft") && !has_entry(dir, "scratch"));

	/* Out of descriptors: EMFILE, and the vnodes taken for the failed opens come back (the
	 * directory can still be removed below once it is empty). */
	{
		int fds[80], n = 0;

		while (n < 80 && (fds[n] = open(dir, O_RDONLY | O_DIRECTORY)) >= 0)
			n++;
		CHECK(n < 80 && errno == EMFILE);
		while (n > 0)
			CHECK(close(fds[--n]) == 0);
	}

	/* chmod, fchmod, fchmodat: permission bits change, the type does not. */
	CHECK(chmod(at(0, dir, "keep.txt"), 0600) == 0);
	CHECK(stat(at(0, dir, "keep.txt"), &st) == 0 && st.st_mode == (S_IFREG | 0600));
	fd = open(at(0, dir, "keep.txt"), O_RDONLY);
	CHECK(fd >= 0 && fchmod(fd, 04755 | S_IFDIR) == 0);
	CHECK(fstat(fd, &st) == 0 && st.st_mode == (S_IFREG | 04755));
	CHECK(close(fd) == 0);
	CHECK(fchmodat(dfd, "keep.txt", 0644, 0) == 0);
	CHECK(stat(at(0, dir, "keep.txt"), &st) == 0 && st.st_mode == (S_IFREG | 0644));
	CHECK(chmod(at(0, dir, "nothing"), 0644) == -1 && errno == ENOENT);
	CHECK(chmod((const char *)8, 0644) == -1 && errno == EFAULT);
	CHECK(fchmod(99, 0644) == -1 && errno == EBADF);

	/* mount and umount2: the refusals (tests/boot/image-nocloud.sh mounts an ISO 9660 seed). */
	CHECK(syscall(SYS_mount, "none", at(0, dir, "sub"), "nofs", 0, NULL) == -1 &&
	      errno == ENODEV);
	CHECK(syscall(SYS_mount, "/dev/nodisk", at(0, dir, "sub"), "iso9660", 1, NULL) == -1 &&
	      errno == ENOTBLK);
	CHECK(syscall(SYS_mount, "x", at(0, dir, "sub"), "devfs", 32 /* MS_REMOUNT */, NULL) == -1 &&
	      errno == EINVAL);
	CHECK(syscall(SYS_umount2, at(0, dir, "sub"), 0) == -1 && errno == EINVAL);
	/* A second devfs (Linux's devtmpfs may be mounted twice too) mounts and unmounts. */
	CHECK(syscall(SYS_mount, "devfs", at(0, dir, "sub"), "devtmpfs", 0, NULL) == 0);
	CHECK(stat(at(0, dir, "sub/console"), &st) == 0 || errno == ENOENT);
	CHECK(syscall(SYS_umount2, at(0, dir, "sub"), 0) == 0);
	CHECK(syscall(SYS_umount2, "/dev", 0x10 /* no such flag */) == -1 && errno == EINVAL);
	CHECK(syscall(SYS_umount2, "/", 0) == -1 && errno == EBUSY);
	/* The root's disk, when the root is ext2: a second ext2 on it would corrupt it. */
	{
		struct statfs sf;

		CHECK(statfs("/", &sf) == 0);
		CHECK(syscall(SYS_mount, "LABEL=nimbus-root", at(0, dir, "sub"), "ext2", 0,
			      NULL) == -1 &&
		      errno == (sf.f_type == 0xef53 ? EBUSY : ENOTBLK));
	}
	CHECK(syscall(SYS_mount, "none", at(0, dir, "sub"), (const char *)8, 0, NULL) == -1 &&
	      errno == EFAULT);

	/* sethostname and uname's nodename. */
	{
		struct utsname u;
		char longname[80];

		memset(longname, 'h', sizeof(longname));
		CHECK(sethostname("fstest-host", 11) == 0);
		CHECK(uname(&u) == 0 && strcmp(u.nodename, "fstest-host") == 0);
		CHECK(sethostname(longname, 65) == -1 && errno == EINVAL);
		CHECK(sethostname((const char *)8, 4) == -1 && errno == EFAULT);
		CHECK(uname(&u) == 0 && strcmp(u.nodename, "fstest-host") == 0);
		CHECK(sethostname("nimbus", 6) == 0);
	}

	/* Removal. */
	CHECK(rmdir(dir) == -1 && errno == ENOTEMPTY);
	CHECK(unlinkat(dfd, "sub", AT_REMOVEDIR) == 0);
	CHECK(unlink(at(0, dir, "renamed")) == 0);
	CHECK(unlink(at(0, dir, "hard")) == 0);
	CHECK(unlink(at(0, dir, "soft")) == 0);
	CHECK(stat(at(0, dir, "keep.txt"), &st) == 0 && st.st_nlink == 1);
	CHECK(!has_entry(dir, "renamed") && !has_entry(dir, "sub"));
	CHECK(close(dfd) == 0);
	printf("fstest: %d bytes written and read back; names, links and removal checked\n", BIG);
	return 0;
}
