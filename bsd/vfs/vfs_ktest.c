/*
 * vfs_ktest.c — the VFS and the UBC on a real disk, for boot scenarios that mount the
 * `storage` image as the root (root=LABEL=nimbus-ext2; tests/boot/storage.sh): big.bin read
 * through the UBC equals the host's bytes, a second read does no disk I/O, clean pages dropped
 * by an explicit purge or by the pageout scan are read again correctly, two readers of one
 * cold page share one pager read, the vnode cache recycles past its limit, and namei's errors.
 * Each test skips when / is not that file system, and leaves no file pages resident (the VM's
 * own pageout tests count the pages a scan frees).
 */
#include <arch/x86_64/pmap.h>
#include <arch/x86_64/usercopy.h>
#include <bsd/sys/vfs_file.h>
#include <bsd/vfs/vfs_ubc.h>
#include <console.h>
#include <ktest.h>
#include <mach/kern/clock.h>
#include <mach/kern/kalloc.h>
#include <mach/kern/sched_ktest_util.h>
#include <mach/vm/vm_pageout.h>
#include <mach/vm/vm_fault.h>
#include <mach/vm/vm_param.h>

#define BIG_PATH "/big.bin"
#define BIG_LEN	 (2u * 1024 * 1024 + 123) /* tests/boot/storage.sh's big.bin */
#define CHUNK	 65536
#define MS	 1000000ull

static bool
big_present(void)
{
	struct stat st;

	return vn_stat_path(BIG_PATH, true, &st) == 0 && st.st_size == BIG_LEN;
}

static uint8_t
big_byte(uint64_t i)
{
	return (uint8_t)((i * 31 + (i >> 10)) & 0xff);
}

/*
 * Read all of vp and check every byte; *ns gets the time spent in the reads alone.
 * Returns 0, or the offset + 1 of the first bad byte.
 */
static uint64_t
read_check(vnode_t vp, char *buf, uint64_t *ns)
{
	*ns = 0;
	for (uint64_t off = 0; off < BIG_LEN; off += CHUNK) {
		uint64_t t0 = clock_get_uptime();
		size_t resid, n;
		int err;

		err = vn_rdwr(UIO_READ, vp, buf, CHUNK, (int64_t)off, UIO_SYSSPACE, 0, &resid);
		*ns += clock_get_uptime() - t0;
		if (err != 0)
			return off + 1;
		n = CHUNK - resid;
		if (n != (BIG_LEN - off < CHUNK ? BIG_LEN - off : CHUNK))
			return off + 1;
		for (size_t i = 0; i < n; i++)
			if ((uint8_t)buf[i] != big_byte(off + i))
				return off + i + 1;
	}
	return 0;
}

static uint64_t
mib_per_s(uint64_t ns)
{
	return ns ? (uint64_t)BIG_LEN * 1000000000ull / ns >> 20 : 0;
}

KTEST(vfs_ubc_read_cold_warm_purge)
{
	uint64_t ios, ns_cold, ns_warm, ns_again, dropped;
	char *buf;
	vnode_t vp;

	if (!big_present())
		KT_SKIP("no " BIG_PATH " on the root");
	KT_ASSERT((buf = kalloc(CHUNK)) != NULL);
	KT_ASSERT_EQ(vn_open(BIG_PATH, O_RDONLY, 0, &vp), 0);
	(void)ubc_purge_clean(vp); /* cold, whatever ran before */
	ios = ubc_stats.us_pagein_ios;
	KT_ASSERT_EQ(read_check(vp, buf, &ns_cold), 0);
	KT_ASSERT(ubc_stats.us_pagein_ios > ios);
	/* Sequential: clusters of UBC_CLUSTER pages, not a request per page. */
	KT_ASSERT(ubc_stats.us_pagein_ios - ios <= atop(round_page(BIG_LEN)) / UBC_CLUSTER + 2);

	ios = ubc_stats.us_pagein_ios;
	KT_ASSERT_EQ(read_check(vp, buf, &ns_warm), 0);
	KT_ASSERT_EQ(ubc_stats.us_pagein_ios, ios); /* all from the cache */

	dropped = ubc_purge_clean(vp);
	KT_ASSERT_EQ(dropped, atop(round_page(BIG_LEN)));
	KT_ASSERT_EQ(ubc_resident(vp, NULL), 0);
	KT_ASSERT_EQ(read_check(vp, buf, &ns_again), 0);
	KT_ASSERT(ubc_stats.us_pagein_ios > ios);
	printf("# figure: UBC sequential read of %u bytes: cold %llu MiB/s, warm %llu MiB/s\n",
	       BIG_LEN, (unsigned long long)mib_per_s(ns_cold),
	       (unsigned long long)mib_per_s(ns_warm));
	(void)ubc_purge_clean(vp); /* leave no file pages for the VM's own tests */
	vn_close(vp, 0);
	kfree(buf, CHUNK);
}

KTEST(vfs_ubc_pageout_scan_drops_clean_pages)
{
	uint64_t ns, before, after, ios;
	char *buf;
	vnode_t vp;

	if (!big_present())
		KT_SKIP("no " BIG_PATH " on the root");
	KT_ASSERT((buf = kalloc(CHUNK)) != NULL);
	KT_ASSERT_EQ(vn_open(BIG_PATH, O_RDONLY, 0, &vp), 0);
	KT_ASSERT_EQ(read_check(vp, buf, &ns), 0);
	before = ubc_resident(vp, NULL);
	KT_ASSERT(before > 0);
	/* Memory pressure: passes of the pageout scan until the file's clean pages go. */
	for (int pass = 0; pass < 8 && ubc_resident(vp, NULL) > 0; pass++)
		(void)vm_pageout_scan(UINT64_MAX);
	after = ubc_resident(vp, NULL);
	printf("# pageout scan: %llu -> %llu resident pages of " BIG_PATH "\n",
	       (unsigned long long)before, (unsigned long long)after);
	KT_ASSERT(after < before);
	ios = ubc_stats.us_pagein_ios;
	KT_ASSERT_EQ(read_check(vp, buf, &ns), 0);
	KT_ASSERT(ubc_stats.us_pagein_ios > ios);
	(void)ubc_purge_clean(vp);
	vn_close(vp, 0);
	kfree(buf, CHUNK);
}

struct reader {
	vnode_t r_vp;
	uint64_t r_off;
	bool r_ok;
};
static volatile unsigned readers_done;

static void
reader_thread(void *arg, wait_result_t wr)
{
	struct reader *r = arg;
	char b[64];
	size_t resid;

	r->r_ok = vn_rdwr(UIO_READ, r->r_vp, b, sizeof(b), (int64_t)r->r_off, UIO_SYSSPACE, 0,
			  &resid) == 0 && resid == 0;
	for (size_t i = 0; r->r_ok && i < sizeof(b); i++)
		r->r_ok = (uint8_t)b[i] == big_byte(r->r_off + i);
	kt_count_up(&readers_done);
}

KTEST(vfs_ubc_two_readers_one_pagein)
{
	struct reader r[2];
	unsigned base = thread_count();
	uint64_t ios;
	vnode_t vp;

	if (!big_present())
		KT_SKIP("no " BIG_PATH " on the root");
	KT_ASSERT_EQ(vn_open(BIG_PATH, O_RDONLY, 0, &vp), 0);
	(void)ubc_purge_clean(vp);
	vp->v_nextr = 1; /* not sequential: a one-page request */
	ios = ubc_stats.us_pagein_ios;
	readers_done = 0;
	for (int i = 0; i < 2; i++) {
		r[i] = (struct reader){ vp, 40960 + 100 * (uint64_t)i, false };
		KT_ASSERT_EQ(kt_start(reader_thread, &r[i], 40, TH_MODE_TIMESHARE), KERN_SUCCESS);
	}
	KT_ASSERT(kt_wait_count(&readers_done, 2, 10000 * MS));
	KT_ASSERT(r[0].r_ok && r[1].r_ok);
	KT_ASSERT_EQ(ubc_stats.us_pagein_ios - ios, 1);
	(void)ubc_purge_clean(vp);
	vn_close(vp, 0);
	KT_ASSERT(kt_wait_reaped(base));
}

KTEST(vfs_vnode_cache_recycles_past_its_limit)
{
	static const char *const paths[] = { "/hello.txt", "/etc/motd", "/etc", "/big.bin",
					     "/lost+found", "/link" };
	uint32_t limit = vnode_limit;
	struct stat st;

	if (!big_present())
		KT_SKIP("no " BIG_PATH " on the root");
	vnode_recycle_unused(UINT32_MAX);
	vnode_limit = vnode_count + 2;
	for (int round = 0; round < 3; round++) {
		for (unsigned i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
			if (vn_stat_path(paths[i], false, &st) != 0) {
				vnode_limit = limit;
				KT_ASSERT(!"stat failed");
			}
			if (vnode_count > vnode_limit) {
				vnode_limit = limit;
				KT_ASSERT(!"the vnode cache grew past its limit");
			}
		}
	}
	vnode_limit = limit;
	/* After recycling, the files read right (fresh vnodes from the disk). */
	KT_ASSERT_EQ(vn_stat_path("/hello.txt", true, &st), 0);
	KT_ASSERT(st.st_size > 0);
}

KTEST(vfs_namei_errors)
{
	char *name = kalloc(NAME_MAX + 3);
	struct nameidata nd = { .ni_op = LOOKUP };
	uint64_t neg;
	struct stat st;

	if (!big_present())
		KT_SKIP("no " BIG_PATH " on the root");
	KT_ASSERT(name != NULL);
	name[0] = '/';
	memset(name + 1, 'n', NAME_MAX + 1);
	name[NAME_MAX + 2] = '\0';
	KT_ASSERT_EQ(vn_stat_path(name, true, &st), ENAMETOOLONG);
	kfree(name, NAME_MAX + 3);
	KT_ASSERT_EQ(vn_stat_path("/no-such-file", true, &st), ENOENT);
	neg = nc_stats.ncs_neghits;
	KT_ASSERT_EQ(vn_stat_path("/no-such-file", true, &st), ENOENT);
	KT_ASSERT(nc_stats.ncs_neghits > neg); /* the negative entry answered */
	KT_ASSERT_EQ(vn_stat_path("/hello.txt/x", true, &st), ENOTDIR);
	KT_ASSERT_EQ(vn_stat_path("/hello.txt/", true, &st), ENOTDIR);
	KT_ASSERT_EQ(vn_stat_path("", true, &st), ENOENT);
	/* ".." at / stays at /, and a symlink resolves to its target's inode. */
	nd.ni_path = "/../../etc/..";
	KT_ASSERT_EQ(namei(&nd), 0);
	KT_ASSERT(nd.ni_vp == rootvnode);
	namei_done(&nd);
	KT_ASSERT_EQ(vn_stat_path("/link", true, &st), 0);
	KT_ASSERT_EQ(st.st_size, 6);
	KT_ASSERT_EQ(vn_stat_path("/link", false, &st), 0);
	KT_ASSERT(S_ISLNK(st.st_mode));
}

KTEST(vfs_devfs_nodes)
{
	char buf[64];
	size_t resid;
	vnode_t vp;

	if (!big_present())
		KT_SKIP("no " BIG_PATH " on the root");
	if (vn_open("/dev/zero", O_RDONLY, 0, &vp) != 0)
		KT_SKIP("no /dev on the root");
	memset(buf, 0x55, sizeof(buf));
	KT_ASSERT_EQ(vn_rdwr(UIO_READ, vp, buf, sizeof(buf), 0, UIO_SYSSPACE, 0, &resid), 0);
	KT_ASSERT_EQ(resid, 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		KT_ASSERT_EQ(buf[i], 0);
	vn_close(vp, 0);
	KT_ASSERT_EQ(vn_open("/dev/null", O_RDWR, 0, &vp), 0);
	KT_ASSERT_EQ(vn_rdwr(UIO_READ, vp, buf, sizeof(buf), 0, UIO_SYSSPACE, 0, &resid), 0);
	KT_ASSERT_EQ(resid, sizeof(buf)); /* end of file at once */
	KT_ASSERT_EQ(vn_rdwr(UIO_WRITE, vp, buf, sizeof(buf), 0, UIO_SYSSPACE, 0, NULL), 0);
	vn_close(vp, 0);
	/* The root's own device: its ext2 magic at byte 1080, at an unaligned offset. */
	KT_ASSERT_EQ(vn_open(rootvnode->v_mount->mnt_from, O_RDONLY, 0, &vp), 0);
	KT_ASSERT_EQ(vn_rdwr(UIO_READ, vp, buf, 2, 1080, UIO_SYSSPACE, 0, NULL), 0);
	KT_ASSERT_EQ((uint8_t)buf[0], 0x53);
	KT_ASSERT_EQ((uint8_t)buf[1], 0xef);
	vn_close(vp, 0);
}

static bool
root_writable(void)
{
	return rootvnode != NULL && !(rootvnode->v_mount->mnt_flag & MNT_RDONLY);
}

static int
root_statfs(struct statfs_info *sf)
{
	struct mount *mp = rootvnode->v_mount;

	return mp->mnt_op->vfs_statfs(mp, sf);
}

#define W_PATH "/kt-write.bin"
#define W_LEN  300000u
#define W_STEP 7000u

/* Read [off, off + len) of vp and compare with the pattern (or zeros). Returns true if equal. */
static bool
read_equals(vnode_t vp, char *buf, uint64_t off, size_t len, bool zeros)
{
	size_t resid;

	if (vn_rdwr(UIO_READ, vp, buf, len, (int64_t)off, UIO_SYSSPACE, 0, &resid) != 0 ||
	    resid != 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((uint8_t)buf[i] != (zeros ? 0 : big_byte(off + i)))
			return false;
	return true;
}

KTEST(vfs_ubc_write_read_truncate_unlink)
{
	struct statfs_info before, after;
	uint64_t ios, dirty;
	char *buf;
	size_t resid;
	struct stat st;
	vnode_t vp;

	if (!big_present())
		KT_SKIP("no " BIG_PATH " on the root");
	if (!root_writable())
		KT_SKIP("the root is read-only");
	KT_ASSERT((buf = kalloc(W_LEN)) != NULL);
	KT_ASSERT_EQ(root_statfs(&before), 0);
	KT_ASSERT_EQ(vn_open(W_PATH, O_RDWR | O_CREAT | O_EXCL, 0644, &vp), 0);

	/* Writes straddling pages, then the same bytes read back from the cache alone. */
	ios = ubc_stats.us_pagein_ios;
	for (uint32_t off = 0; off < W_LEN; off += W_STEP) {
		uint32_t n = W_LEN - off < W_STEP ? W_LEN - off : W_STEP;

		for (uint32_t i = 0; i < n; i++)
			buf[i] = (char)big_byte(off + i);
		KT_ASSERT_EQ(vn_rdwr(UIO_WRITE, vp, buf, n, off, UIO_SYSSPACE, 0, NULL), 0);
	}
	KT_ASSERT_EQ(vn_stat(vp, &st), 0);
	KT_ASSERT_EQ(st.st_size, W_LEN);
	KT_ASSERT(read_equals(vp, buf, 0, W_LEN, false));
	KT_ASSERT_EQ(ubc_stats.us_pagein_ios, ios); /* nothing had to be read */

	/* fsync cleans every page; dropped, they come back from the disk the same. */
	KT_ASSERT_EQ(vn_fsync(vp), 0);
	(void)ubc_resident(vp, &dirty);
	KT_ASSERT_EQ(dirty, 0);
	(void)ubc_purge_clean(vp);
	KT_ASSERT_EQ(ubc_resident(vp, NULL), 0);
	KT_ASSERT(read_equals(vp, buf, 0, W_LEN, false));
	KT_ASSERT(ubc_stats.us_pagein_ios > ios);

	/* Truncate drops the pages past the end; growing again reads zeros up to new data. */
	KT_ASSERT_EQ(vn_truncate(vp, 5000), 0);
	KT_ASSERT(ubc_resident(vp, NULL) <= 2);
	KT_ASSERT_EQ(vn_rdwr(UIO_READ, vp, buf, 8192, 0, UIO_SYSSPACE, 0, &resid), 0);
	KT_ASSERT_EQ(resid, 8192 - 5000);
	buf[0] = 'Z';
	KT_ASSERT_EQ(vn_rdwr(UIO_WRITE, vp, buf, 1, 20000, UIO_SYSSPACE, 0, NULL), 0);
	KT_ASSERT(read_equals(vp, buf, 0, 5000, false));
	KT_ASSERT(read_equals(vp, buf, 5000, 15000, true));
	KT_ASSERT_EQ(vn_rdwr(UIO_READ, vp, buf, 16, 20000, UIO_SYSSPACE, 0, &resid), 0);
	KT_ASSERT(resid == 15 && buf[0] == 'Z');
	KT_ASSERT_EQ(vn_fsync(vp), 0);

	/* Unlinked while open: still readable; the inode and blocks go at the last close. */
	KT_ASSERT_EQ(vn_remove(W_PATH), 0);
	KT_ASSERT_EQ(vn_stat_path(W_PATH, true, &st), ENOENT);
	KT_ASSERT_EQ(vn_stat(vp, &st), 0);
	KT_ASSERT_EQ(st.st_nlink, 0);
	(void)ubc_purge_clean(vp);
	KT_ASSERT(read_equals(vp, buf, 0, 5000, false));
	vn_close(vp, 0);
	KT_ASSERT_EQ(vfs_sync_all(), 0);
	KT_ASSERT_EQ(root_statfs(&after), 0);
	KT_ASSERT_EQ(after.f_ffree, before.f_ffree);
	KT_ASSERT_EQ(after.f_bfree, before.f_bfree);
	kfree(buf, W_LEN);
}

KTEST(vfs_names_mkdir_rename_rmdir)
{
	struct stat st;
	vnode_t vp;

	if (!big_present())
		KT_SKIP("no " BIG_PATH " on the root");
	if (!root_writable())
		KT_SKIP("the root is read-only");
	KT_ASSERT_EQ(vn_mkdir("/kt-dir", 0755), 0);
	KT_ASSERT_EQ(vn_mkdir("/kt-dir", 0755), EEXIST);
	KT_ASSERT_EQ(vn_open("/kt-dir/a", O_WRONLY | O_CREAT, 0600, &vp), 0);
	vn_close(vp, 0);
	/* A negative entry must not survive the create, nor a positive one the rename. */
	KT_ASSERT_EQ(vn_stat_path("/kt-dir/b", true, &st), ENOENT);
	KT_ASSERT_EQ(vn_rename("/kt-dir/a", "/kt-dir/b"), 0);
	KT_ASSERT_EQ(vn_stat_path("/kt-dir/b", true, &st), 0);
	KT_ASSERT_EQ(st.st_mode & 07777, 0600);
	KT_ASSERT_EQ(vn_stat_path("/kt-dir/a", true, &st), ENOENT);
	KT_ASSERT_EQ(vn_rmdir("/kt-dir"), ENOTEMPTY);
	KT_ASSERT_EQ(vn_symlink("b", "/kt-dir/s"), 0);
	KT_ASSERT_EQ(vn_stat_path("/kt-dir/s", true, &st), 0);
	KT_ASSERT(S_ISREG(st.st_mode));
	KT_ASSERT_EQ(vn_remove("/kt-dir/s"), 0);
	KT_ASSERT_EQ(vn_remove("/kt-dir/b"), 0);
	KT_ASSERT_EQ(vn_remove("/kt-dir"), EISDIR);
	KT_ASSERT_EQ(vn_rmdir("/kt-dir/."), EINVAL);
	KT_ASSERT_EQ(vn_rmdir("/kt-dir"), 0);
	KT_ASSERT_EQ(vn_stat_path("/kt-dir", true, &st), ENOENT);
	KT_ASSERT_EQ(vn_rename("/big.bin", "/dev/x"), EXDEV);
}

#define M_PATH	"/kt-mmap.bin"
#define M_LEN	(3 * 4096 + 100)
#define M_VA	0x30000000UL

/* Make page off of o the pageout scan's next victim: not referenced, inactive. */
static void
mmap_age(vm_object_t o, uint64_t off)
{
	bool st = pmap_spin_lock_irqsave(&vm_object_lock_all);
	vm_page_t m = vm_page_lookup(o, off);

	if (m != NULL && m->vmp_wire_count == 0 && !(m->vmp_vmflags & VM_PAGE_VM_BUSY)) {
		pmap_clear_reference(m);
		vm_page_deactivate(m);
	}
	lck_spin_unlock_irqrestore(&vm_object_lock_all, st);
}

/* The checks of vfs_ubc_mmap_coherence, run on map (mapping vp shared at va, private at pva). */
static void
mmap_checks(struct ktest_ctx *kt_ctx, vnode_t vp, pmap_t pmap, vm_map_t map, vaddr_t va,
	    vaddr_t pva, char *buf)
{
	uint64_t dirty, outs, ins, around;
	char word[16];

	/* What write() put there, a load sees (the page the cache holds, not a copy). */
	around = vm_fault_stats.vfs_fault_around;
	KT_ASSERT_EQ(copyin((void *)va, word, 1), 0);
	/* The other resident pages were mapped beside the first (fault-around), read-only. */
	KT_ASSERT_EQ(vm_fault_stats.vfs_fault_around, around + 3);
	KT_ASSERT(pmap_extract(pmap, va + ptoa(3)) != 0);
	memset(buf, 0, M_LEN);
	KT_ASSERT_EQ(copyin((void *)va, buf, M_LEN), 0);
	for (uint32_t i = 0; i < M_LEN; i++)
		KT_ASSERT_EQ((uint8_t)buf[i], big_byte(i));
	/* A store through the mapping, then read(); a write(), then a load. */
	KT_ASSERT_EQ(copyout("mmapped!", (void *)(va + 5000), 8), 0);
	KT_ASSERT_EQ(vn_rdwr(UIO_READ, vp, word, 8, 5000, UIO_SYSSPACE, 0, NULL), 0);
	KT_ASSERT_EQ(memcmp(word, "mmapped!", 8), 0);
	KT_ASSERT_EQ(vn_rdwr(UIO_WRITE, vp, "written!", 8, 9000, UIO_SYSSPACE, 0, NULL), 0);
	KT_ASSERT_EQ(copyin((void *)(va + 9000), word, 8), 0);
	KT_ASSERT_EQ(memcmp(word, "written!", 8), 0);

	/* The private mapping sees the file until it stores; its store is its own. */
	KT_ASSERT_EQ(copyin((void *)(pva + 5000), word, 8), 0);
	KT_ASSERT_EQ(memcmp(word, "mmapped!", 8), 0);
	KT_ASSERT_EQ(copyout("private!", (void *)(pva + 5000), 8), 0);
	KT_ASSERT_EQ(vn_rdwr(UIO_READ, vp, word, 8, 5000, UIO_SYSSPACE, 0, NULL), 0);
	KT_ASSERT_EQ(memcmp(word, "mmapped!", 8), 0);
	KT_ASSERT_EQ(copyin((void *)(va + 5000), word, 8), 0);
	KT_ASSERT_EQ(memcmp(word, "mmapped!", 8), 0);

	/* fsync covers the store made through the mapping: dropped, it comes back from disk. */
	KT_ASSERT_EQ(vn_fsync(vp), 0);
	(void)ubc_resident(vp, &dirty);
	KT_ASSERT_EQ(dirty, 0);
	(void)ubc_purge_clean(vp);
	KT_ASSERT_EQ(ubc_resident(vp, NULL), 0);
	KT_ASSERT_EQ(vn_rdwr(UIO_READ, vp, word, 8, 5000, UIO_SYSSPACE, 0, NULL), 0);
	KT_ASSERT_EQ(memcmp(word, "mmapped!", 8), 0);
	KT_ASSERT_EQ(copyin((void *)(va + 9000), word, 8), 0); /* faulted in again */
	KT_ASSERT_EQ(memcmp(word, "written!", 8), 0);

	/*
	 * Memory pressure: the pageout scan cleans pages stored to through the mapping with the
	 * vnode pager's data_return and frees them; read() then brings the stores back from disk.
	 */
	KT_ASSERT_EQ(copyout("paged out", (void *)(va + 20), 9), 0);
	KT_ASSERT_EQ(copyout("laundered", (void *)(va + 4200), 9), 0);
	outs = ubc_stats.us_pageout_pages;
	mmap_age(vp->v_object, 0);
	mmap_age(vp->v_object, PAGE_SIZE);
	for (int pass = 0; pass < 8 && ubc_stats.us_pageout_pages < outs + 2; pass++)
		(void)vm_pageout_scan(UINT64_MAX);
	KT_ASSERT(ubc_stats.us_pageout_pages >= outs + 2);
	KT_ASSERT_EQ(pmap_extract(pmap, va), 0);
	(void)ubc_resident(vp, &dirty);
	KT_ASSERT_EQ(dirty, 0);
	(void)ubc_purge_clean(vp);
	ins = ubc_stats.us_pagein_ios;
	KT_ASSERT_EQ(vn_rdwr(UIO_READ, vp, word, 9, 20, UIO_SYSSPACE, 0, NULL), 0);
	KT_ASSERT_EQ(memcmp(word, "paged out", 9), 0);
	KT_ASSERT_EQ(vn_rdwr(UIO_READ, vp, word, 9, 4200, UIO_SYSSPACE, 0, NULL), 0);
	KT_ASSERT_EQ(memcmp(word, "laundered", 9), 0);
	KT_ASSERT(ubc_stats.us_pagein_ios > ins);

	/* Past the end of the file: no page, a memory error (SIGBUS), not zeros. */
	KT_ASSERT_EQ(vm_fault(map, va + ptoa(3), VM_PROT_READ), KERN_SUCCESS); /* the tail */
	KT_ASSERT_EQ(vm_fault(map, va + ptoa(4), VM_PROT_READ), KERN_MEMORY_ERROR);
	KT_ASSERT_EQ(vm_fault(map, va + ptoa(5), VM_PROT_WRITE), KERN_MEMORY_ERROR);
	/* Truncation takes the pages past the new end out of the mappings. */
	KT_ASSERT_EQ(copyin((void *)(va + ptoa(2)), word, 8), 0);
	KT_ASSERT(pmap_extract(pmap, va + ptoa(2)) != 0);
	KT_ASSERT_EQ(vn_truncate(vp, 4096), 0);
	KT_ASSERT_EQ(pmap_extract(pmap, va + ptoa(2)), 0);
	KT_ASSERT_EQ(vm_fault(map, va + ptoa(2), VM_PROT_READ), KERN_MEMORY_ERROR);

}

/*
 * Read-after-write and read-after-mmap-store coherence: a file mapped shared (the UBC object
 * itself, as mmap maps it; a read fault maps the resident pages around it too) and read and
 * written with vn_rdwr sees one set of pages both ways; fsync, and the pageout scan under
 * pressure, write the stores made through the mapping; a private mapping's stores stay its
 * own; a fault past the end of the file, or past a truncation, is KERN_MEMORY_ERROR (SIGBUS);
 * the vnode is held while mapped and let go at the last unmap.
 */
KTEST(vfs_ubc_mmap_coherence)
{
	vaddr_t va = M_VA, pva = M_VA;
	uint64_t objs0;
	char *buf;
	vm_object_t o;
	vm_map_t map;
	pmap_t pmap;
	vnode_t vp;

	if (!big_present())
		KT_SKIP("no " BIG_PATH " on the root");
	if (!root_writable())
		KT_SKIP("the root is read-only");
	KT_ASSERT((buf = kalloc(M_LEN)) != NULL);
	objs0 = vm_object_count;
	for (uint32_t i = 0; i < M_LEN; i++)
		buf[i] = (char)big_byte(i);
	KT_ASSERT_EQ(vn_open(M_PATH, O_RDWR | O_CREAT | O_EXCL, 0644, &vp), 0);
	KT_ASSERT_EQ(vn_rdwr(UIO_WRITE, vp, buf, M_LEN, 0, UIO_SYSSPACE, 0, NULL), 0);
	KT_ASSERT((pmap = pmap_create()) != NULL);
	KT_ASSERT((map = vm_map_create(pmap, M_VA, PMAP_USER_TOP)) != NULL);
	KT_ASSERT((o = ubc_map(vp)) != NULL);
	KT_ASSERT_EQ(vp->v_holdcount, 1);
	KT_ASSERT_EQ(vm_map_enter(map, &va, ptoa(6), VM_FLAGS_ANYWHERE, o, 0, false,
				  VM_PROT_DEFAULT, VM_PROT_ALL, VM_INHERIT_SHARE), KERN_SUCCESS);
	KT_ASSERT((o = ubc_map(vp)) != NULL);
	KT_ASSERT_EQ(vm_map_enter(map, &pva, ptoa(4), VM_FLAGS_ANYWHERE, o, 0, true,
				  VM_PROT_DEFAULT, VM_PROT_ALL, VM_INHERIT_COPY), KERN_SUCCESS);
	KT_ASSERT_EQ(vp->v_holdcount, 1); /* one hold for all the mappings */
	vm_map_switch(map);
	mmap_checks(kt_ctx, vp, pmap, map, va, pva, buf);
	vm_map_switch(NULL);
	vm_map_deallocate(map);
	pmap_destroy(pmap);
	KT_ASSERT_EQ(vp->v_holdcount, 0); /* the last unmap let the vnode go */
	KT_ASSERT_EQ(vn_remove(M_PATH), 0);
	vn_close(vp, 0);
	KT_ASSERT_EQ(vm_object_count, objs0); /* the file's object, and the private shadow */
	kfree(buf, M_LEN);
	KT_ASSERT_EQ(vfs_sync_all(), 0);
}
