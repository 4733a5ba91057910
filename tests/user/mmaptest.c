/*
 * mmaptest.c — file mappings seen from user space (bsd/kern/kern_mman.c over the UBC,
 * bsd/vfs/vfs_ubc.c), run by the test init on a read-write root file system: mmaptest DIR works
 * inside DIR (made fresh). MAP_SHARED stores are seen by read() and write()s by loads, both
 * ways; MAP_PRIVATE stores stay private; a shared file mapping is shared across fork; a load
 * past the end of the file (or past a truncation) is SIGBUS; a file unlinked while mapped stays
 * readable; the argument errors (EINVAL, EBADF, EACCES, ENODEV, ENOMEM, EFAULT). It leaves
 * DIR/keep-mmap.bin, written only through a mapping and msync'ed, for the host to check with
 * debugfs (tests/boot/user-rootfs.sh). Exits 0 when every check held; otherwise prints the
 * first that failed and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHECK(cond)                                                                             \
	do {                                                                                    \
		if (!(cond)) {                                                                  \
			printf("mmaptest: line %d: %s (errno %d)\n", __LINE__, #cond, errno);   \
			exit(1);                                                                \
		}                                                                               \
	} while (0)

#define PG	 4096
#define FLEN	 (3 * PG + 100) /* three pages and a partial fourth */
#define KEEPLEN	 (20 * 1024 + 7) /* tests/boot/user-rootfs.sh checks this one */

static char path_buf[512];

static const char *
at(const char *dir, const char *name)
{
	snprintf(path_buf, sizeof(path_buf), "%s/%s", dir, name);
	return path_buf;
}

static unsigned char
pattern(size_t i)
{
	return (unsigned char)(i * 13 + (i >> 8));
}

/* The host's pattern for keep-mmap.bin. */
static unsigned char
keep_pattern(size_t i)
{
	return (unsigned char)(i * 5 + (i >> 10) + 1);
}

/* Run fn in a child and return its wait status. */
static int
in_child(void (*fn)(volatile char *), volatile char *arg)
{
	int status = -1;
	pid_t pid = fork();

	CHECK(pid >= 0);
	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	return status;
}

static void
touch_page(volatile char *p)
{
	(void)p[0];
}

/* Stores in a shared and a private mapping (the child's writes after fork). */
static void
child_stores(volatile char *p)
{
	memcpy((char *)p + 100, "from the child", 14);
}

static int
make_file(const char *path, size_t len)
{
	static unsigned char buf[FLEN];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

	CHECK(fd >= 0);
	for (size_t i = 0; i < len && i < sizeof(buf); i++)
		buf[i] = pattern(i);
	CHECK(write(fd, buf, len) == (ssize_t)len);
	return fd;
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/mmaptest";
	char word[32];
	char *s, *p, *k;
	int fd, rfd, pfd[2], status;
	struct stat st;

	CHECK(mkdir(dir, 0755) == 0);
	fd = make_file(at(dir, "data.bin"), FLEN);

	/* Shared: the file's bytes, loads after write(), read() after stores. */
	s = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(s != MAP_FAILED);
	for (size_t i = 0; i < FLEN; i++)
		CHECK((unsigned char)s[i] == pattern(i));
	for (size_t i = FLEN; i < 4 * PG; i++)
		CHECK(s[i] == 0); /* the last page's tail reads zeros */
	memcpy(s + 5000, "stored via mmap", 15);
	CHECK(pread(fd, word, 15, 5000) == 15 && memcmp(word, "stored via mmap", 15) == 0);
	CHECK(pwrite(fd, "written by pwrite", 17, 9000) == 17);
	CHECK(memcmp(s + 9000, "written by pwrite", 17) == 0);
	/* A second shared mapping at an offset sees the same pages. */
	p = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 2 * PG);
	CHECK(p != MAP_FAILED);
	CHECK(memcmp(p + 9000 - 2 * PG, "written by pwrite", 17) == 0);
	CHECK(munmap(p, PG) == 0);

	/* Private: sees the file until it stores; its stores are its own. */
	p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(p != MAP_FAILED);
	CHECK(memcmp(p + 5000, "stored via mmap", 15) == 0);
	memcpy(p + 5000, "private", 7);
	CHECK(memcmp(s + 5000, "stored via mmap", 15) == 0);
	CHECK(pread(fd, word, 15, 5000) == 15 && memcmp(word, "stored via mmap", 15) == 0);
	CHECK(memcmp(p + 5000, "private", 7) == 0);

	/* Across fork: the child's store to the shared mapping is the parent's and the file's;
	 * to the private one, only the child's. */
	status = in_child(child_stores, s);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(memcmp(s + 100, "from the child", 14) == 0);
	CHECK(pread(fd, word, 14, 100) == 14 && memcmp(word, "from the child", 14) == 0);
	status = in_child(child_stores, p + PG);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK((unsigned char)p[PG + 100] == pattern(PG + 100));
	CHECK(munmap(p, 4 * PG) == 0);

	/* msync and fsync: the stores reach the disk (the host reads keep-mmap.bin). */
	CHECK(msync(s, 4 * PG, MS_SYNC) == 0);
	CHECK(msync(s, PG, MS_ASYNC) == 0);
	CHECK(msync(s, PG, MS_INVALIDATE) == 0);
	CHECK(fsync(fd) == 0);

	/* Past the end: SIGBUS (the tail of the last page is fine); a truncation too. */
	status = in_child(touch_page, s + 3 * PG + 200);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(munmap(s, 4 * PG) == 0);
	s = mmap(NULL, 6 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(s != MAP_FAILED);
	status = in_child(touch_page, s + 4 * PG);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS);
	/* write() from there cannot read the bytes: EFAULT, not a signal. */
	CHECK(write(fd, s + 5 * PG, 16) == -1 && errno == EFAULT);
	CHECK(ftruncate(fd, PG) == 0);
	status = in_child(touch_page, s + 2 * PG);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS);
	CHECK((unsigned char)s[10] == pattern(10));
	CHECK(munmap(s, 6 * PG) == 0);

	/* Argument errors. */
	CHECK(mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 100) == MAP_FAILED && errno == EINVAL);
	CHECK(mmap(NULL, 0, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED && errno == EINVAL);
	CHECK(mmap(NULL, PG, PROT_READ, 0, fd, 0) == MAP_FAILED && errno == EINVAL);
	CHECK(mmap(NULL, PG, PROT_READ, MAP_SHARED, 999, 0) == MAP_FAILED && errno == EBADF);
	CHECK(mmap(NULL, PG, PROT_READ, MAP_SHARED, -1, 0) == MAP_FAILED && errno == EBADF);
	CHECK(pipe(pfd) == 0);
	CHECK(mmap(NULL, PG, PROT_READ, MAP_SHARED, pfd[0], 0) == MAP_FAILED && errno == ENODEV);
	close(pfd[0]);
	close(pfd[1]);
	rfd = open(at(dir, "data.bin"), O_RDONLY);
	CHECK(rfd >= 0);
	CHECK(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, rfd, 0) == MAP_FAILED &&
	      errno == EACCES);
	p = mmap(NULL, PG, PROT_READ, MAP_SHARED, rfd, 0);
	CHECK(p != MAP_FAILED);
	CHECK(mprotect(p, PG, PROT_READ | PROT_WRITE) == -1 && errno == EACCES);
	CHECK(munmap(p, PG) == 0);
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, rfd, 0); /* private: fine */
	CHECK(p != MAP_FAILED);
	p[0] = 1;
	CHECK(munmap(p, PG) == 0);
	close(rfd);
	CHECK(msync((void *)(PG + 1), PG, MS_SYNC) == -1 && errno == EINVAL);
	CHECK(msync(NULL, PG, MS_SYNC | MS_ASYNC) == -1 && errno == EINVAL);
	p = mmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED && munmap(p, 2 * PG) == 0);
	CHECK(msync(p, PG, MS_SYNC) == -1 && errno == ENOMEM);

	/* Unlinked while mapped (and closed): still there until the mapping goes. */
	close(fd);
	fd = make_file(at(dir, "gone.bin"), FLEN);
	s = mmap(NULL, FLEN, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(s != MAP_FAILED);
	close(fd);
	CHECK(unlink(at(dir, "gone.bin")) == 0);
	for (size_t i = 0; i < FLEN; i += 97)
		CHECK((unsigned char)s[i] == pattern(i));
	CHECK(munmap(s, FLEN) == 0);

	/* keep-mmap.bin: sized by ftruncate, written only through a mapping, msync'ed. */
	fd = open(at(dir, "keep-mmap.bin"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK(ftruncate(fd, KEEPLEN) == 0);
	k = mmap(NULL, KEEPLEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(k != MAP_FAILED);
	close(fd); /* the mapping keeps the file */
	for (size_t i = 0; i < KEEPLEN; i++)
		k[i] = (char)keep_pattern(i);
	CHECK(msync(k, KEEPLEN, MS_SYNC) == 0);
	CHECK(stat(at(dir, "keep-mmap.bin"), &st) == 0 && st.st_size == KEEPLEN);
	/* Left mapped: exit unmaps it. */
	printf("mmaptest: all checks passed\n");
	return 0;
}
