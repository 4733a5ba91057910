/*
 * disk_shell.c — the debug shell's storage and file commands, over the VFS (until user space
 * has its own tools): `disks` lists the IOMedia (as lsblk would); `ls`, `cat`, `stat`,
 * `readlink`, `sum`, `mount`, `umount`, `df`, `sync`, and the commands that change files,
 * `write`, `fill`, `mkdir`, `rm`, `rmdir`, `mv`, `ln`, `truncate`.
 *
 * The one idea: every command goes through the same kernel file API the system calls use
 * (bsd/sys/vfs_file.h), so driving the shell tests the VFS, the name cache and the UBC.
 */
#include <bsd/sys/vfs_file.h>
#include <bsd/vfs/vfs_ubc.h>
#include <console.h>
#include <debugshell.h>
#include <iokit/io_media.h>
#include <mach/kern/clock.h>
#include <mach/kern/kalloc.h>

#define SHELL_MAX_MEDIA 32
#define SHELL_BUF	65536

struct media_list {
	struct io_service *ml_s[SHELL_MAX_MEDIA];
	unsigned ml_n;
};

static void
collect(struct io_service *s, unsigned depth, void *arg)
{
	struct media_list *ml = arg;

	if (io_media_from_service(s) != NULL && ml->ml_n < SHELL_MAX_MEDIA) {
		io_service_retain(s);
		ml->ml_s[ml->ml_n++] = s;
	}
}

static void
shell_disks(int argc, char **argv)
{
	struct media_list ml = { .ml_n = 0 };

	io_registry_walk(io_registry_root(), collect, &ml);
	printf("NAME      SIZE(KiB)  BLOCK  RW  OFFSET      LABEL / TYPE\n");
	for (unsigned i = 0; i < ml.ml_n; i++) {
		struct io_media *m = io_media_from_service(ml.ml_s[i]);
		struct os_dict *d = io_service_props(ml.ml_s[i]);
		const char *label = os_dict_get_string(d, kIOMediaLabelKey);
		const char *content = os_dict_get_string(d, kIOMediaContentKey);

		printf("%-8s  %9llu  %5u  %s  %-10llu  %s%s%s\n", m->im_bsd_name,
		       (unsigned long long)(m->im_size >> 10), m->im_blksize,
		       m->im_writable ? "rw" : "ro", (unsigned long long)m->im_base,
		       label ? label : (m->im_whole ? "(disk)" : ""), content ? " " : "",
		       content ? content : "");
	}
	for (unsigned i = 0; i < ml.ml_n; i++)
		io_service_release(ml.ml_s[i]);
}

static int
shell_err(const char *cmd, const char *path, int err)
{
	if (err != 0)
		printf("%s: %s: error %d\n", cmd, path, err);
	return err;
}

static char
type_char(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR: return 'd';
	case S_IFLNK: return 'l';
	case S_IFCHR: return 'c';
	case S_IFBLK: return 'b';
	case S_IFIFO: return 'p';
	case S_IFSOCK: return 's';
	default: return '-';
	}
}

/* `ls PATH`: one line per entry: type, permissions, size, name (-> target). */
static void
shell_ls(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/";
	char *buf = kalloc(SHELL_BUF), *full = kalloc(PATH_MAX + 1);
	uint64_t cookie = 0;
	struct stat st;
	vnode_t vp;
	size_t done;
	int err;

	if (buf == NULL || full == NULL) {
		shell_err("ls", path, ENOMEM);
		goto out;
	}
	if (shell_err("ls", path, vn_stat_path(path, true, &st)) != 0)
		goto out;
	if (!S_ISDIR(st.st_mode)) {
		printf("%c%04o %10llu %s\n", type_char(st.st_mode), st.st_mode & 07777,
		       (unsigned long long)st.st_size, path);
		goto out;
	}
	if (shell_err("ls", path, vn_open(path, O_RDONLY | O_DIRECTORY, 0, &vp)) != 0)
		goto out;
	while ((err = vn_readdir(vp, &cookie, buf, SHELL_BUF, &done)) == 0 && done > 0) {
		for (size_t off = 0; off < done;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
			char target[64];
			size_t got = 0;

			off += d->d_reclen;
			ksnprintf(full, PATH_MAX + 1, "%s/%s", path, d->d_name);
			if (vn_stat_path(full, false, &st) != 0) {
				printf("?          ? %s\n", d->d_name);
				continue;
			}
			if (S_ISLNK(st.st_mode) &&
			    vn_readlink(full, target, sizeof(target) - 1, &got) != 0)
				got = 0;
			target[got] = '\0';
			printf("%c%04o %10llu %s%s%s\n", type_char(st.st_mode), st.st_mode & 07777,
			       (unsigned long long)st.st_size, d->d_name, got ? " -> " : "",
			       target);
		}
	}
	shell_err("ls", path, err);
	vn_close(vp, 0);
out:
	if (buf != NULL)
		kfree(buf, SHELL_BUF);
	if (full != NULL)
		kfree(full, PATH_MAX + 1);
}

/*
 * Read all of path through fn(buf, n, arg). Returns the bytes read, or -1 (error printed).
 */
static int64_t
read_all(const char *cmd, const char *path, void (*fn)(const char *, size_t, void *), void *arg)
{
	char *buf = kalloc(SHELL_BUF);
	int64_t off = 0;
	vnode_t vp;
	int err;

	if (buf == NULL) {
		shell_err(cmd, path, ENOMEM);
		return -1;
	}
	if ((err = vn_open(path, O_RDONLY, 0, &vp)) == 0) {
		for (;;) {
			size_t resid;

			err = vn_rdwr(UIO_READ, vp, buf, SHELL_BUF, off, UIO_SYSSPACE, 0, &resid);
			if (err != 0 || resid == SHELL_BUF)
				break;
			fn(buf, SHELL_BUF - resid, arg);
			off += (int64_t)(SHELL_BUF - resid);
		}
		vn_close(vp, 0);
	}
	kfree(buf, SHELL_BUF);
	return shell_err(cmd, path, err) != 0 ? -1 : off;
}

static void
cat_fn(const char *buf, size_t n, void *arg)
{
	printf("%.*s", (int)n, buf);
}

static void
shell_cat(int argc, char **argv)
{
	if (argc < 2) {
		printf("usage: cat PATH\n");
		return;
	}
	(void)read_all("cat", argv[1], cat_fn, NULL);
}

/* FNV-1a, 64 bits: the boot tests compute the same on the host. */
static void
sum_fn(const char *buf, size_t n, void *arg)
{
	uint64_t *h = arg;

	for (size_t i = 0; i < n; i++)
		*h = (*h ^ (uint8_t)buf[i]) * 0x100000001b3ull;
}

/* `sum PATH`: length and FNV-1a of a file, and the pager reads and hits it took. */
static void
shell_sum(int argc, char **argv)
{
	uint64_t h = 0xcbf29ce484222325ull, ios = ubc_stats.us_pagein_ios;
	uint64_t pages = ubc_stats.us_pagein_pages, hits = ubc_stats.us_hits;
	int64_t n;

	if (argc < 2) {
		printf("usage: sum PATH\n");
		return;
	}
	if ((n = read_all("sum", argv[1], sum_fn, &h)) < 0)
		return;
	printf("sum: %lld bytes fnv1a64 %016llx, %llu pager reads (%llu pages), %llu cache hits\n",
	       (long long)n, (unsigned long long)h,
	       (unsigned long long)(ubc_stats.us_pagein_ios - ios),
	       (unsigned long long)(ubc_stats.us_pagein_pages - pages),
	       (unsigned long long)(ubc_stats.us_hits - hits));
}

static void
shell_stat(int argc, char **argv)
{
	static const char *const kinds[] = { ['-'] = "regular file", ['d'] = "directory",
					     ['l'] = "symbolic link", ['c'] = "character device",
					     ['b'] = "block device", ['p'] = "fifo",
					     ['s'] = "socket" };
	struct stat st;

	if (argc < 2) {
		printf("usage: stat PATH\n");
		return;
	}
	if (shell_err("stat", argv[1], vn_stat_path(argv[1], false, &st)) != 0)
		return;
	printf("  File: %s\n", argv[1]);
	printf("  Size: %llu  Blocks: %llu  IO Block: %llu  %s\n",
	       (unsigned long long)st.st_size, (unsigned long long)st.st_blocks,
	       (unsigned long long)st.st_blksize, kinds[(unsigned char)type_char(st.st_mode)]);
	printf("Device: %llu  Inode: %llu  Links: %llu\n", (unsigned long long)st.st_dev,
	       (unsigned long long)st.st_ino, (unsigned long long)st.st_nlink);
	printf("Access: (%04o)  Uid: %u  Gid: %u  Modify: %llu\n", st.st_mode & 07777,
	       st.st_uid, st.st_gid, (unsigned long long)st.st_mtime);
}

static void
shell_readlink(int argc, char **argv)
{
	char buf[256];
	size_t got;

	if (argc < 2) {
		printf("usage: readlink PATH\n");
		return;
	}
	if (shell_err("readlink", argv[1], vn_readlink(argv[1], buf, sizeof(buf) - 1, &got)) == 0)
		printf("%.*s\n", (int)got, buf);
}

static void
shell_mount(int argc, char **argv)
{
	struct io_media *m;
	char from[MNAMELEN];

	if (argc == 3) {
		if ((m = vfs_find_media(argv[1])) == NULL) {
			printf("mount: %s: no such disk\n", argv[1]);
			return;
		}
		ksnprintf(from, sizeof(from), "/dev/%s", m->im_bsd_name);
		shell_err("mount", argv[2], vfs_mount_at(&ext2_vfsops, m, from, argv[2], 0));
		return;
	}
	lck_mtx_lock(&vfs_mount_lock);
	for (struct mount *mp = mountlist; mp != NULL; mp = mp->mnt_next)
		printf("%s on %s type %s (%s)\n", mp->mnt_from, mp->mnt_on, mp->mnt_op->vfs_name,
		       (mp->mnt_flag & MNT_RDONLY) ? "ro" : "rw");
	lck_mtx_unlock(&vfs_mount_lock);
}

static void
shell_umount(int argc, char **argv)
{
	if (argc < 2) {
		printf("usage: umount PATH\n");
		return;
	}
	shell_err("umount", argv[1], vfs_unmount_path(argv[1]));
}

static void
shell_df(int argc, char **argv)
{
	printf("Filesystem       1K-blocks       Used  Available  Use%%  Mounted on\n");
	lck_mtx_lock(&vfs_mount_lock);
	for (struct mount *mp = mountlist; mp != NULL; mp = mp->mnt_next) {
		struct statfs_info sf;
		uint64_t k, used, avail;

		memset(&sf, 0, sizeof(sf));
		if (mp->mnt_op->vfs_statfs == NULL || mp->mnt_op->vfs_statfs(mp, &sf) != 0)
			continue;
		k = sf.f_blocks * sf.f_bsize / 1024;
		used = (sf.f_blocks - sf.f_bfree) * sf.f_bsize / 1024;
		avail = sf.f_bavail * sf.f_bsize / 1024;
		printf("%-15s  %9llu  %9llu  %9llu  %3llu%%  %s\n", mp->mnt_from,
		       (unsigned long long)k, (unsigned long long)used, (unsigned long long)avail,
		       (unsigned long long)(k ? (used * 100 + k - 1) / k : 0), mp->mnt_on);
	}
	lck_mtx_unlock(&vfs_mount_lock);
}

static void
shell_sync(int argc, char **argv)
{
	shell_err("sync", "all", vfs_sync_all());
}

/* `write PATH TEXT...`: the words, joined by spaces, and a newline, as the whole file. */
static void
shell_write(int argc, char **argv)
{
	char buf[512];
	size_t n = 0;
	vnode_t vp;
	int err;

	if (argc < 2) {
		printf("usage: write PATH TEXT...\n");
		return;
	}
	for (int i = 2; i < argc && n < sizeof(buf) - 2; i++)
		n += (size_t)ksnprintf(buf + n, sizeof(buf) - 1 - n, "%s%s", i > 2 ? " " : "",
				       argv[i]);
	if (n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (shell_err("write", argv[1], vn_open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644, &vp)))
		return;
	err = vn_rdwr(UIO_WRITE, vp, buf, n, 0, UIO_SYSSPACE, 0, NULL);
	shell_err("write", argv[1], err);
	vn_close(vp, 0);
}

/*
 * `fill PATH SIZE`: a file of SIZE bytes, byte i being (i * 31 + (i >> 10)) & 0xff (the boot
 * tests' pattern), written in 40000-byte pieces so that writes straddle pages.
 */
static void
shell_fill(int argc, char **argv)
{
	enum { PIECE = 40000 };
	uint64_t size, t0;
	char *buf;
	vnode_t vp;
	int err = 0;

	if (argc < 3 || !kstrtou64(argv[2], strlen(argv[2]), 10, &size)) {
		printf("usage: fill PATH SIZE\n");
		return;
	}
	if ((buf = kalloc(PIECE)) == NULL) {
		shell_err("fill", argv[1], ENOMEM);
		return;
	}
	if (shell_err("fill", argv[1], vn_open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644, &vp))) {
		kfree(buf, PIECE);
		return;
	}
	t0 = clock_get_uptime();
	for (uint64_t off = 0; err == 0 && off < size; off += PIECE) {
		size_t n = size - off < PIECE ? (size_t)(size - off) : PIECE;

		for (size_t i = 0; i < n; i++)
			buf[i] = (char)(((off + i) * 31 + ((off + i) >> 10)) & 0xff);
		err = vn_rdwr(UIO_WRITE, vp, buf, n, (int64_t)off, UIO_SYSSPACE, 0, NULL);
	}
	if (err == 0)
		err = vn_fsync(vp);
	if (shell_err("fill", argv[1], err) == 0)
		printf("fill: %llu bytes in %llu ms, %llu pager writes (%llu pages)\n",
		       (unsigned long long)size,
		       (unsigned long long)((clock_get_uptime() - t0) / 1000000),
		       (unsigned long long)ubc_stats.us_pageout_ios,
		       (unsigned long long)ubc_stats.us_pageout_pages);
	vn_close(vp, 0);
	kfree(buf, PIECE);
}

static void
shell_truncate(int argc, char **argv)
{
	uint64_t size;
	vnode_t vp;

	if (argc < 3 || !kstrtou64(argv[2], strlen(argv[2]), 10, &size)) {
		printf("usage: truncate PATH SIZE\n");
		return;
	}
	if (shell_err("truncate", argv[1], vn_open(argv[1], O_WRONLY, 0, &vp)) != 0)
		return;
	shell_err("truncate", argv[1], vn_truncate(vp, size));
	vn_close(vp, 0);
}

static void
shell_mkdir(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		shell_err("mkdir", argv[i], vn_mkdir(argv[i], 0755));
}

static void
shell_rm(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		shell_err("rm", argv[i], vn_remove(argv[i]));
}

static void
shell_rmdir(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		shell_err("rmdir", argv[i], vn_rmdir(argv[i]));
}

static void
shell_mv(int argc, char **argv)
{
	if (argc != 3) {
		printf("usage: mv FROM TO\n");
		return;
	}
	shell_err("mv", argv[1], vn_rename(argv[1], argv[2]));
}

/* `ln FROM TO` (hard link) or `ln -s TARGET PATH`. */
static void
shell_ln(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "-s") == 0)
		shell_err("ln", argv[3], vn_symlink(argv[2], argv[3]));
	else if (argc == 3)
		shell_err("ln", argv[2], vn_link(argv[1], argv[2]));
	else
		printf("usage: ln FROM TO | ln -s TARGET PATH\n");
}

DEBUGSHELL_COMMAND(disks, "list disks and partitions (IOMedia)", shell_disks);
DEBUGSHELL_COMMAND(ls, "list a directory (ls PATH)", shell_ls);
DEBUGSHELL_COMMAND(cat, "print a file (cat PATH)", shell_cat);
DEBUGSHELL_COMMAND(sum, "length and FNV-1a of a file, with UBC counts (sum PATH)", shell_sum);
DEBUGSHELL_COMMAND(stat, "show a file's attributes (stat PATH)", shell_stat);
DEBUGSHELL_COMMAND(readlink, "print a symlink's target (readlink PATH)", shell_readlink);
DEBUGSHELL_COMMAND(mount, "list mounts, or mount ext2 (mount DEV|LABEL=x PATH)", shell_mount);
DEBUGSHELL_COMMAND(umount, "unmount a file system (umount PATH)", shell_umount);
DEBUGSHELL_COMMAND(df, "show file system space", shell_df);
DEBUGSHELL_COMMAND(sync, "write every file system back", shell_sync);
DEBUGSHELL_COMMAND(write, "write text to a file (write PATH TEXT...)", shell_write);
DEBUGSHELL_COMMAND(fill, "write a pattern file (fill PATH SIZE)", shell_fill);
DEBUGSHELL_COMMAND(truncate, "set a file's size (truncate PATH SIZE)", shell_truncate);
DEBUGSHELL_COMMAND(mkdir, "make directories (mkdir PATH...)", shell_mkdir);
DEBUGSHELL_COMMAND(rm, "remove files (rm PATH...)", shell_rm);
DEBUGSHELL_COMMAND(rmdir, "remove empty directories (rmdir PATH...)", shell_rmdir);
DEBUGSHELL_COMMAND(mv, "rename (mv FROM TO)", shell_mv);
DEBUGSHELL_COMMAND(ln, "link (ln FROM TO, ln -s TARGET PATH)", shell_ln);
