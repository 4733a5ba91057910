/*
 * pagerbench — the pager-throughput workloads of issue 11, one static program run unchanged on
 * Nimbus and on Linux so the two kernels are compared on the same bytes.
 *
 * Each sub-command runs one workload and prints one line per figure, `name value unit`, on
 * stdout; anything else goes to stderr. Timing is CLOCK_MONOTONIC around the measured loop only.
 * The one idea: every byte pattern the program reads back is checked (pb_word gives the 64-bit
 * word that belongs at each offset of each file or mapping), so a pager that returns the wrong
 * page, a short page or zeroes fails with exit status 3 instead of looking fast. Three words per
 * 4 KiB page are checked (first, last and one that moves with the page number): enough to catch
 * a misplaced or partial page without turning the benchmark into a memory-bandwidth test.
 *
 * Only system calls a small kernel offers are used: open/read/pread/write/close, fstat,
 * ftruncate, mmap/munmap/msync, fsync, fork/waitpid/pipe, clock_gettime, exit. Dropping the page
 * cache for the cold workloads is the caller's job (tests/bench/init.sh), not this program's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PB_PAGE	    4096u
#define PB_WORDS    (PB_PAGE / sizeof(uint64_t))
#define PB_MIB	    (1024u * 1024u)

static const char *pb_prog = "pagerbench";

static void __attribute__((noreturn, format(printf, 2, 3))) pb_die(int status, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", pb_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

/* pb_word: the pattern word at byte offset off (a multiple of 8) of a region made with seed. */
static uint64_t pb_word(uint64_t seed, uint64_t off)
{
	uint64_t x = (off >> 3) + seed * 0x9e3779b97f4a7c15ull;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 29;
	return x | 1; /* never zero, so a zero-filled page never matches */
}

/* The three words of page number pg that are checked: first, last, and one that moves. */
static unsigned pb_probe_index(uint64_t pg, int which)
{
	if (which == 0)
		return 0;
	if (which == 1)
		return PB_WORDS - 1;
	return 1 + (unsigned)(pg % (PB_WORDS - 2));
}

/* pb_fill_page: write the whole pattern for page pg (at region offset pg * PB_PAGE). */
static void pb_fill_page(uint64_t *p, uint64_t seed, uint64_t pg)
{
	for (unsigned i = 0; i < PB_WORDS; i++)
		p[i] = pb_word(seed, pg * PB_PAGE + i * 8);
}

/* pb_check_page: check the probe words of page pg; exit 3 naming the workload on a mismatch. */
static void pb_check_page(const volatile uint64_t *p, uint64_t seed, uint64_t pg, const char *what)
{
	for (int w = 0; w < 3; w++) {
		unsigned i = pb_probe_index(pg, w);
		uint64_t want = pb_word(seed, pg * PB_PAGE + i * 8);
		uint64_t got = p[i];

		if (got != want)
			pb_die(3, "%s: data mismatch at offset %llu: read %#llx, expected %#llx", what,
			       (unsigned long long)(pg * PB_PAGE + i * 8), (unsigned long long)got,
			       (unsigned long long)want);
	}
}

static double pb_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		pb_die(2, "clock_gettime: %s", strerror(errno));
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void pb_report(const char *name, double value, const char *unit)
{
	printf("%s %.1f %s\n", name, value, unit);
	fflush(stdout);
}

/* pb_rate: count per second over the interval [t0, t1]; a zero interval is a broken clock. */
static double pb_rate(double count, double t0, double t1)
{
	if (t1 <= t0)
		pb_die(2, "the monotonic clock did not advance over a measured loop");
	return count / (t1 - t0);
}

static uint64_t pb_parse_u64(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0')
		pb_die(2, "bad %s '%s'", what, s);
	return v;
}

static uint64_t pb_parse_mib(const char *s)
{
	uint64_t mib = pb_parse_u64(s, "size in MiB");

	if (mib == 0 || mib > (1u << 20))
		pb_die(2, "size %s MiB out of range (1 .. 1048576)", s);
	return mib;
}

static void *pb_map_anon(uint64_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		pb_die(2, "mmap of %llu anonymous bytes: %s", (unsigned long long)bytes,
		       strerror(errno));
	return p;
}

/* Open path and return its size in whole pages (a file must be a non-empty multiple of 4 KiB). */
static int pb_open_file(const char *path, int flags, uint64_t *bytes)
{
	struct stat st;
	int fd = open(path, flags);

	if (fd < 0)
		pb_die(2, "open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0)
		pb_die(2, "fstat %s: %s", path, strerror(errno));
	if (st.st_size <= 0 || st.st_size % PB_PAGE != 0)
		pb_die(2, "%s: size %lld is not a non-zero multiple of %u", path,
		       (long long)st.st_size, PB_PAGE);
	*bytes = (uint64_t)st.st_size;
	return fd;
}

/*
 * mkfile PATH MIB SEED: write a pattern file (used on the host to populate the data disk, and
 * by the smoke test). Not timed.
 */
static int pb_cmd_mkfile(int argc, char **argv)
{
	uint64_t mib, seed;
	uint64_t *buf;
	int fd;

	if (argc != 3)
		pb_die(2, "usage: mkfile PATH MIB SEED");
	mib = pb_parse_mib(argv[1]);
	seed = pb_parse_u64(argv[2], "seed");
	buf = malloc(PB_MIB);
	if (buf == NULL)
		pb_die(2, "out of memory");
	fd = open(argv[0], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		pb_die(2, "create %s: %s", argv[0], strerror(errno));
	for (uint64_t m = 0; m < mib; m++) {
		for (uint64_t pg = 0; pg < PB_MIB / PB_PAGE; pg++)
			pb_fill_page(buf + pg * PB_WORDS, seed, m * (PB_MIB / PB_PAGE) + pg);
		if (write(fd, buf, PB_MIB) != (ssize_t)PB_MIB)
			pb_die(2, "write %s: %s", argv[0], strerror(errno));
	}
	if (fsync(fd) != 0 || close(fd) != 0)
		pb_die(2, "sync %s: %s", argv[0], strerror(errno));
	free(buf);
	return 0;
}

/*
 * anon MIB: zero-fill faults. The first access to each page of a fresh private mapping is a
 * write (one fault per page, not a read fault then a copy); the page must otherwise read zero.
 */
static int pb_cmd_anon(int argc, char **argv)
{
	uint64_t bytes, pages;
	volatile uint64_t *p;
	double t0, t1;

	if (argc != 1)
		pb_die(2, "usage: anon MIB");
	bytes = pb_parse_mib(argv[0]) * PB_MIB;
	pages = bytes / PB_PAGE;
	p = pb_map_anon(bytes);
	t0 = pb_now();
	for (uint64_t pg = 0; pg < pages; pg++) {
		volatile uint64_t *page = p + pg * PB_WORDS;

		page[0] = pb_word(7, pg * PB_PAGE);
		if (page[pb_probe_index(pg, 2)] != 0 || page[PB_WORDS - 1] != 0)
			pb_die(3, "anon: page %llu of a fresh mapping is not zero-filled",
			       (unsigned long long)pg);
	}
	t1 = pb_now();
	for (uint64_t pg = 0; pg < pages; pg++)
		if (p[pg * PB_WORDS] != pb_word(7, pg * PB_PAGE))
			pb_die(3, "anon: page %llu lost its write", (unsigned long long)pg);
	pb_report("anon_zero_fill", pb_rate((double)pages, t0, t1), "pages/s");
	pb_report("anon_zero_fill", pb_rate((double)bytes / PB_MIB, t0, t1), "MiB/s");
	munmap((void *)p, bytes);
	return 0;
}

/*
 * cow MIB: the parent fills a private mapping and forks; the child writes one word of every page
 * (each a copy-on-write fault), checks that the copy kept the rest of the page, and sends its
 * rate through a pipe. The parent then checks that none of the child's writes reached its pages.
 */
static int pb_cmd_cow(int argc, char **argv)
{
	uint64_t bytes, pages;
	uint64_t *p;
	int fds[2], status;
	double rate;
	pid_t pid;
	char line[64];
	ssize_t n;

	if (argc != 1)
		pb_die(2, "usage: cow MIB");
	bytes = pb_parse_mib(argv[0]) * PB_MIB;
	pages = bytes / PB_PAGE;
	p = pb_map_anon(bytes);
	for (uint64_t pg = 0; pg < pages; pg++)
		pb_fill_page(p + pg * PB_WORDS, 3, pg);
	if (pipe(fds) != 0)
		pb_die(2, "pipe: %s", strerror(errno));
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		pb_die(2, "fork: %s", strerror(errno));
	if (pid == 0) {
		volatile uint64_t *c = p;
		double t0, t1;

		close(fds[0]);
		pb_prog = "pagerbench (cow child)";
		t0 = pb_now();
		for (uint64_t pg = 0; pg < pages; pg++)
			c[pg * PB_WORDS] = ~pb_word(3, pg * PB_PAGE);
		t1 = pb_now();
		for (uint64_t pg = 0; pg < pages; pg++) {
			if (c[pg * PB_WORDS] != ~pb_word(3, pg * PB_PAGE))
				pb_die(3, "cow: child page %llu lost its write", (unsigned long long)pg);
			if (c[pg * PB_WORDS + PB_WORDS - 1] !=
			    pb_word(3, pg * PB_PAGE + (PB_WORDS - 1) * 8))
				pb_die(3, "cow: child page %llu was not copied whole",
				       (unsigned long long)pg);
		}
		n = snprintf(line, sizeof(line), "%.6f\n", pb_rate((double)pages, t0, t1));
		if (write(fds[1], line, (size_t)n) != n)
			_exit(2);
		_exit(0);
	}
	close(fds[1]);
	n = read(fds[0], line, sizeof(line) - 1);
	close(fds[0]);
	if (waitpid(pid, &status, 0) != pid)
		pb_die(2, "waitpid: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		pb_die(WIFEXITED(status) ? WEXITSTATUS(status) : 2, "cow: the child failed");
	if (n <= 0)
		pb_die(2, "cow: no result from the child");
	line[n] = '\0';
	rate = strtod(line, NULL);
	for (uint64_t pg = 0; pg < pages; pg++)
		pb_check_page(p + pg * PB_WORDS, 3, pg, "cow (parent after the child wrote)");
	pb_report("cow_fault", rate, "pages/s");
	munmap(p, bytes);
	return 0;
}

static int pb_parse_mode(const char *s)
{
	if (strcmp(s, "cold") == 0)
		return 0;
	if (strcmp(s, "warm") == 0)
		return 1;
	pb_die(2, "mode '%s' is neither cold nor warm", s);
}

/* Read every page of a shared read-only mapping of fd, checking it; returns seconds taken. */
static double pb_mmap_pass(int fd, uint64_t bytes, uint64_t seed, const char *what)
{
	const volatile uint64_t *p;
	double t0, t1;

	p = mmap(NULL, bytes, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		pb_die(2, "%s: mmap: %s", what, strerror(errno));
	t0 = pb_now();
	for (uint64_t pg = 0; pg < bytes / PB_PAGE; pg++)
		pb_check_page(p + pg * PB_WORDS, seed, pg, what);
	t1 = pb_now();
	munmap((void *)p, bytes);
	return t1 > t0 ? t1 - t0 : 0;
}

/*
 * vnode cold|warm PATH SEED: the vnode pager, through a shared mapping of a pattern file. Cold:
 * one pass, which the caller has made cold (cache dropped, file larger than memory). Warm: an
 * untimed pass first, then a timed pass over a fresh mapping of the now cached file.
 */
static int pb_cmd_vnode(int argc, char **argv)
{
	uint64_t bytes, seed;
	int warm, fd;
	const char *name;
	double s;

	if (argc != 3)
		pb_die(2, "usage: vnode cold|warm PATH SEED");
	warm = pb_parse_mode(argv[0]);
	seed = pb_parse_u64(argv[2], "seed");
	name = warm ? "vnode_warm" : "vnode_cold";
	fd = pb_open_file(argv[1], O_RDONLY, &bytes);
	if (warm)
		pb_mmap_pass(fd, bytes, seed, name);
	s = pb_mmap_pass(fd, bytes, seed, name);
	close(fd);
	pb_report(name, pb_rate((double)bytes / PB_MIB, 0, s), "MiB/s");
	return 0;
}

/* One read() pass over fd in requests of bs bytes, checking every page; returns seconds. */
static double pb_read_pass(int fd, uint64_t bytes, uint64_t bs, uint64_t seed, const char *what)
{
	uint64_t *buf, off = 0;
	double t0, t1;

	buf = aligned_alloc(PB_PAGE, bs);
	if (buf == NULL)
		pb_die(2, "out of memory");
	if (lseek(fd, 0, SEEK_SET) != 0)
		pb_die(2, "%s: lseek: %s", what, strerror(errno));
	t0 = pb_now();
	while (off < bytes) {
		uint64_t got = 0;

		/* A short read is legal; keep reading until the request (or the file) is whole. */
		while (got < bs && off + got < bytes) {
			ssize_t n = read(fd, (char *)buf + got, bs - got);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				pb_die(2, "%s: read at %llu: %s", what,
				       (unsigned long long)(off + got), strerror(errno));
			if (n == 0)
				pb_die(3, "%s: end of file at %llu, size says %llu", what,
				       (unsigned long long)(off + got), (unsigned long long)bytes);
			got += (uint64_t)n;
		}
		for (uint64_t i = 0; i < got / PB_PAGE; i++)
			pb_check_page(buf + i * PB_WORDS, seed, off / PB_PAGE + i, what);
		off += got;
	}
	t1 = pb_now();
	free(buf);
	return t1 > t0 ? t1 - t0 : 0;
}

/* read cold|warm PATH BS SEED: read() through the buffer cache in requests of BS bytes. */
static int pb_cmd_read(int argc, char **argv)
{
	uint64_t bytes, bs, seed;
	int warm, fd;
	char name[48];
	double s;

	if (argc != 4)
		pb_die(2, "usage: read cold|warm PATH BS SEED");
	warm = pb_parse_mode(argv[0]);
	bs = pb_parse_u64(argv[2], "request size");
	seed = pb_parse_u64(argv[3], "seed");
	if (bs == 0 || bs % PB_PAGE != 0 || bs > 64 * PB_MIB)
		pb_die(2, "request size %s is not a multiple of %u up to 64 MiB", argv[2], PB_PAGE);
	if (bs % PB_MIB == 0)
		snprintf(name, sizeof(name), "read_%s_%llum", argv[0],
			 (unsigned long long)(bs / PB_MIB));
	else
		snprintf(name, sizeof(name), "read_%s_%lluk", argv[0],
			 (unsigned long long)(bs / 1024));
	fd = pb_open_file(argv[1], O_RDONLY, &bytes);
	if (warm)
		pb_read_pass(fd, bytes, bs, seed, name);
	s = pb_read_pass(fd, bytes, bs, seed, name);
	close(fd);
	pb_report(name, pb_rate((double)bytes / PB_MIB, 0, s), "MiB/s");
	return 0;
}

/*
 * writeback PATH: dirty every page of a shared writable mapping of an existing file with a new
 * pattern, then msync(MS_SYNC) and fsync — the time until the data is on the disk. The seed comes
 * from the clock, so a file left by an earlier run never passes for this run's data; the result
 * is read back with pread() afterwards (outside the timing).
 */
static int pb_cmd_writeback(int argc, char **argv)
{
	uint64_t bytes, seed, *buf;
	struct timespec ts;
	uint64_t *p;
	double t0, t1;
	int fd;

	if (argc != 1)
		pb_die(2, "usage: writeback PATH");
	clock_gettime(CLOCK_REALTIME, &ts);
	seed = 16 + ((uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec) % 1000000007ull;
	fd = pb_open_file(argv[0], O_RDWR, &bytes);
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		pb_die(2, "writeback: mmap: %s", strerror(errno));
	t0 = pb_now();
	for (uint64_t pg = 0; pg < bytes / PB_PAGE; pg++) {
		uint64_t *page = p + pg * PB_WORDS;

		for (int w = 0; w < 3; w++) {
			unsigned i = pb_probe_index(pg, w);

			page[i] = pb_word(seed, pg * PB_PAGE + i * 8);
		}
	}
	if (msync(p, bytes, MS_SYNC) != 0)
		pb_die(2, "writeback: msync: %s", strerror(errno));
	if (fsync(fd) != 0)
		pb_die(2, "writeback: fsync: %s", strerror(errno));
	t1 = pb_now();
	munmap(p, bytes);
	buf = aligned_alloc(PB_PAGE, PB_PAGE);
	if (buf == NULL)
		pb_die(2, "out of memory");
	for (uint64_t pg = 0; pg < bytes / PB_PAGE; pg++) {
		if (pread(fd, buf, PB_PAGE, (off_t)(pg * PB_PAGE)) != (ssize_t)PB_PAGE)
			pb_die(2, "writeback: pread page %llu: %s", (unsigned long long)pg,
			       strerror(errno));
		pb_check_page(buf, seed, pg, "writeback (read back)");
	}
	free(buf);
	close(fd);
	pb_report("writeback", pb_rate((double)bytes / PB_MIB, t0, t1), "MiB/s");
	return 0;
}

/*
 * swap MIB: an anonymous working set (the caller sizes it at 4x RAM, with a swap device on).
 * Fill writes every page (pushing most of them out); seq reads every page back in order; rand
 * touches an eighth as many pages at random (xorshift, fixed seed, so both kernels touch the
 * same pages). Every touched page is checked.
 */
static int pb_cmd_swap(int argc, char **argv)
{
	uint64_t bytes, pages, touches, x = 0x2545f4914f6cdd1dull;
	uint64_t *p;
	double t0, t1;

	if (argc != 1)
		pb_die(2, "usage: swap MIB");
	bytes = pb_parse_mib(argv[0]) * PB_MIB;
	pages = bytes / PB_PAGE;
	touches = pages / 8 ? pages / 8 : 1;
	p = pb_map_anon(bytes);
	t0 = pb_now();
	for (uint64_t pg = 0; pg < pages; pg++)
		pb_fill_page(p + pg * PB_WORDS, 5, pg);
	t1 = pb_now();
	pb_report("swap_fill", pb_rate((double)pages, t0, t1), "pages/s");
	t0 = pb_now();
	for (uint64_t pg = 0; pg < pages; pg++)
		pb_check_page(p + pg * PB_WORDS, 5, pg, "swap sequential");
	t1 = pb_now();
	pb_report("swap_seq", pb_rate((double)pages, t0, t1), "pages/s");
	t0 = pb_now();
	for (uint64_t n = 0; n < touches; n++) {
		uint64_t pg;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		pg = x % pages;
		pb_check_page(p + pg * PB_WORDS, 5, pg, "swap random");
	}
	t1 = pb_now();
	pb_report("swap_rand", pb_rate((double)touches, t0, t1), "pages/s");
	munmap(p, bytes);
	return 0;
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
} pb_cmds[] = {
	{ "mkfile", pb_cmd_mkfile, "mkfile PATH MIB SEED   write a pattern file (untimed)" },
	{ "anon", pb_cmd_anon, "anon MIB               zero-fill faults" },
	{ "cow", pb_cmd_cow, "cow MIB                copy-on-write faults after fork" },
	{ "vnode", pb_cmd_vnode, "vnode cold|warm PATH SEED   mmap reads of a pattern file" },
	{ "read", pb_cmd_read, "read cold|warm PATH BS SEED  read() of a pattern file" },
	{ "writeback", pb_cmd_writeback, "writeback PATH         dirty a mapping, msync+fsync" },
	{ "swap", pb_cmd_swap, "swap MIB               fill, sequential, random over MIB" },
};

int main(int argc, char **argv)
{
	if (argc >= 2) {
		for (size_t i = 0; i < sizeof(pb_cmds) / sizeof(pb_cmds[0]); i++)
			if (strcmp(argv[1], pb_cmds[i].name) == 0)
				return pb_cmds[i].run(argc - 2, argv + 2);
	}
	fprintf(stderr, "usage: pagerbench COMMAND ARGS...\n");
	for (size_t i = 0; i < sizeof(pb_cmds) / sizeof(pb_cmds[0]); i++)
		fprintf(stderr, "  %s\n", pb_cmds[i].usage);
	fprintf(stderr, "Each figure is printed as one line: name value unit.\n");
	return 2;
}
