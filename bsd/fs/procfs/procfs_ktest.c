/*
 * procfs_ktest.c — /proc through the VFS, in the storage scenario (root=LABEL=nimbus-ext2,
 * whose tree has an empty /proc and the 2 MiB /big.bin; tests/boot/storage.sh): procfs mounts
 * on /proc and lists its files, meminfo's figures are the VM's counters, /proc/mounts shows
 * itself, and writing 3 to sys/vm/drop_caches drops big.bin's cached pages (Cached goes down by
 * at least its size) after which big.bin reads back byte for byte; other writes are EINVAL.
 * Skips when / is not that file system.
 */
#include <bsd/fs/procfs/procfs_internal.h>
#include <bsd/sys/dirent.h>
#include <bsd/sys/vfs_file.h>
#include <bsd/vfs/vfs_ubc.h>
#include <console.h>
#include <ktest.h>
#include <mach/kern/kalloc.h>
#include <mach/vm/vm_page.h>
#include <mach/vm/vm_param.h>

#define KT_BIG	   "/big.bin"
#define KT_BIG_LEN (2u * 1024 * 1024 + 123) /* tests/boot/storage.sh */
#define KT_BUFLEN  65536

static bool
kt_storage_root(void)
{
	struct stat st;

	return vn_stat_path(KT_BIG, true, &st) == 0 && st.st_size == KT_BIG_LEN &&
	       vn_stat_path("/proc", true, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Read path into buf (NUL-terminated); returns the length, or -errno. */
static long
kt_read(const char *path, char *buf, size_t cap)
{
	size_t resid;
	vnode_t vp;
	int err;

	if ((err = vn_open(path, O_RDONLY, 0, &vp)) != 0)
		return -err;
	err = vn_rdwr(UIO_READ, vp, buf, cap - 1, 0, UIO_SYSSPACE, 0, &resid);
	vn_close(vp, 0);
	if (err != 0)
		return -err;
	buf[cap - 1 - resid] = '\0';
	return (long)(cap - 1 - resid);
}

static int
kt_write(const char *path, const char *text)
{
	vnode_t vp;
	int err;

	if ((err = vn_open(path, O_WRONLY, 0, &vp)) != 0)
		return err;
	err = vn_rdwr(UIO_WRITE, vp, (void *)text, strlen(text), 0, UIO_SYSSPACE, 0, NULL);
	vn_close(vp, 0);
	return err;
}

/* The number after "name:" in meminfo-style text, or ~0 when it is missing. */
static uint64_t
kt_field(const char *text, const char *name)
{
	size_t n = strlen(name);
	uint64_t v = 0;

	for (const char *l = text; l != NULL && *l != '\0';) {
		if (strncmp(l, name, n) == 0 && l[n] == ':') {
			const char *c = l + n + 1;

			while (*c == ' ')
				c++;
			while (*c >= '0' && *c <= '9')
				v = v * 10 + (uint64_t)(*c++ - '0');
			return v;
		}
		l = strchr(l, '\n');
		l = l != NULL ? l + 1 : NULL;
	}
	return ~0ull;
}

/* Whether text has a line that is exactly line. */
static bool
kt_has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *l = text; l != NULL && *l != '\0';) {
		if (strncmp(l, line, n) == 0 && (l[n] == '\n' || l[n] == '\0'))
			return true;
		l = strchr(l, '\n');
		l = l != NULL ? l + 1 : NULL;
	}
	return false;
}

/* Whether directory path lists name (getdents64's records). */
static bool
kt_lists(const char *path, const char *name, char *buf)
{
	uint64_t cookie = 0;
	size_t done;
	vnode_t vp;
	bool found = false;

	if (vn_open(path, O_RDONLY | O_DIRECTORY, 0, &vp) != 0)
		return false;
	while (!found && vn_readdir(vp, &cookie, buf, KT_BUFLEN, &done) == 0 && done > 0) {
		for (size_t off = 0; off < done;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);

			found |= strcmp(d->d_name, name) == 0;
			off += d->d_reclen;
		}
	}
	vn_close(vp, 0);
	return found;
}

static uint64_t
kt_big_check(char *buf)
{
	vnode_t vp;

	if (vn_open(KT_BIG, O_RDONLY, 0, &vp) != 0)
		return 1;
	for (uint64_t off = 0; off < KT_BIG_LEN; off += KT_BUFLEN) {
		size_t resid, want = MIN((uint64_t)KT_BUFLEN, KT_BIG_LEN - off);

		if (vn_rdwr(UIO_READ, vp, buf, want, (int64_t)off, UIO_SYSSPACE, 0, &resid) != 0 ||
		    resid != 0) {
			vn_close(vp, 0);
			return off + 1;
		}
		for (size_t i = 0; i < want; i++) {
			uint64_t at = off + i;

			if ((uint8_t)buf[i] != (uint8_t)((at * 31 + (at >> 10)) & 0xff)) {
				vn_close(vp, 0);
				return at + 1;
			}
		}
	}
	vn_close(vp, 0);
	return 0;
}

KTEST(procfs_mount_meminfo_drop_caches)
{
	uint64_t cached_warm, cached_cold, big_kb = KT_BIG_LEN / 1024;
	char *buf, *text;
	vnode_t vp;

	if (!kt_storage_root())
		KT_SKIP("no " KT_BIG " and /proc on the root");
	KT_ASSERT((buf = kalloc(KT_BUFLEN)) != NULL);
	KT_ASSERT((text = kalloc(KT_BUFLEN)) != NULL);
	KT_ASSERT_EQ(vfs_mount_at(&procfs_vfsops, NULL, "proc", "/proc", 0), 0);

	KT_ASSERT(kt_lists("/proc", "meminfo", buf));
	KT_ASSERT(kt_lists("/proc", "self", buf));
	KT_ASSERT(kt_lists("/proc/sys/vm", "drop_caches", buf));
	KT_ASSERT(!kt_lists("/proc", "nonesuch", buf));
	KT_ASSERT(kt_read("/proc/mounts", text, KT_BUFLEN) > 0);
	KT_ASSERT(kt_has_line(text, "proc /proc proc rw 0 0"));
	KT_ASSERT_EQ(vn_open("/proc/self", O_RDONLY, 0, &vp), ENOENT); /* a kernel thread */
	KT_ASSERT_EQ(vn_open("/proc/0", O_RDONLY, 0, &vp), ENOENT);
	KT_ASSERT_EQ(vn_open("/proc/01", O_RDONLY, 0, &vp), ENOENT);

	/* Warm: every page of big.bin is in the UBC. */
	KT_ASSERT_EQ(kt_big_check(buf), 0);
	KT_ASSERT(kt_read("/proc/meminfo", text, KT_BUFLEN) > 0);
	KT_ASSERT_EQ(kt_field(text, "MemTotal"), vm_page_total_count * (PAGE_SIZE / 1024));
	KT_ASSERT(kt_field(text, "MemFree") <= kt_field(text, "MemTotal"));
	cached_warm = kt_field(text, "Cached");
	KT_ASSERT(cached_warm != ~0ull && cached_warm >= big_kb);

	KT_ASSERT_EQ(kt_write("/proc/sys/vm/drop_caches", "4\n"), EINVAL);
	KT_ASSERT_EQ(kt_write("/proc/sys/vm/drop_caches", "3x"), EINVAL);
	KT_ASSERT_EQ(kt_write("/proc/sys/vm/drop_caches", ""), EINVAL);
	KT_ASSERT_EQ(kt_write("/proc/meminfo", "3\n"), EACCES);
	KT_ASSERT_EQ(kt_write("/proc/sys/vm/drop_caches", "3\n"), 0);
	KT_ASSERT(kt_read("/proc/meminfo", text, KT_BUFLEN) > 0);
	cached_cold = kt_field(text, "Cached");
	printf("# figure: drop_caches: Cached %llu kB -> %llu kB\n",
	       (unsigned long long)cached_warm, (unsigned long long)cached_cold);
	KT_ASSERT(cached_cold + big_kb <= cached_warm);

	/* The data comes back from the disk, correct. */
	KT_ASSERT_EQ(kt_big_check(buf), 0);
	KT_ASSERT_EQ(kt_write("/proc/sys/vm/drop_caches", "1"), 0);

	KT_ASSERT_EQ(vfs_unmount_path("/proc"), 0);
	kfree(text, KT_BUFLEN);
	kfree(buf, KT_BUFLEN);
}

KTEST(procfs_text_formats)
{
	struct pfs_buf b = { .pb_cap = 4096 };
	char small[8];
	struct pfs_buf s = { .pb_buf = small, .pb_cap = sizeof(small) };

	KT_ASSERT((b.pb_buf = kalloc(b.pb_cap)) != NULL);
	KT_ASSERT_EQ(pfs_gen_meminfo(&b, 0), 0);
	b.pb_buf[MIN(b.pb_len, b.pb_cap - 1)] = '\0';
	KT_ASSERT_EQ(kt_field(b.pb_buf, "MemTotal"), vm_page_total_count * (PAGE_SIZE / 1024));
	KT_ASSERT(kt_field(b.pb_buf, "SwapTotal") != ~0ull);
	KT_ASSERT(kt_field(b.pb_buf, "MemAvailable") >= kt_field(b.pb_buf, "MemFree"));
	b.pb_len = 0;
	KT_ASSERT_EQ(pfs_gen_pid_stat(&b, 99999), ESRCH);
	/* Text past the buffer is cut, never written beyond it. */
	pfs_printf(&s, "%s", "0123456789abcdef");
	KT_ASSERT_EQ(s.pb_len, sizeof(small) - 1);
	KT_ASSERT_EQ(memcmp(small, "0123456", 7), 0);
	pfs_printf(&s, "%s", "x");
	KT_ASSERT_EQ(s.pb_len, sizeof(small) - 1);
	kfree(b.pb_buf, b.pb_cap);
}
