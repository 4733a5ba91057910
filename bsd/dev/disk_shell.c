/*
 * disk_shell.c — `disks`, `ls` and `cat` for the debug shell, until the VFS and user space
 * exist: a look at the disks through the registry (as lsblk would), and read-only access to
 * the first IOMedia that mounts as ext2 (bsd/fs/ext2), mounted afresh for each command.
 *
 * The one idea: the registry walk only collects media (it holds the registry lock); all disk
 * I/O happens after it, on retained nubs.
 */
#include <bsd/dev/disk_shell.h>
#include <bsd/fs/ext2/ext2.h>
#include <console.h>
#include <debugshell.h>
#include <iokit/io_media.h>
#include <mach/kern/kalloc.h>

#define SHELL_MAX_MEDIA 32

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
release_all(struct media_list *ml)
{
	for (unsigned i = 0; i < ml->ml_n; i++)
		io_service_release(ml->ml_s[i]);
}

void
disk_shell_disks(int argc, char **argv)
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
	release_all(&ml);
}

static int
media_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	return io_media_read(ctx, off, buf, len) == KERN_SUCCESS ? 0 : EIO;
}

/* Mount the first media holding ext2 (quietly skipping the others). */
static struct ext2_fs *
first_ext2(void)
{
	struct media_list ml = { .ml_n = 0 };
	struct ext2_fs *fs = kalloc_zero(sizeof(*fs));
	bool found = false;

	if (fs == NULL)
		return NULL;
	io_registry_walk(io_registry_root(), collect, &ml);
	for (unsigned i = 0; i < ml.ml_n && !found; i++) {
		struct io_media *m = io_media_from_service(ml.ml_s[i]);
		uint8_t sb[512];

		/* Peek at the magic first, so that other media give no log lines. */
		if (io_media_read(m, 1024, sb, sizeof(sb)) != KERN_SUCCESS || sb[56] != 0x53 ||
		    sb[57] != 0xef)
			continue;
		found = ext2_mount(fs, m->im_bsd_name, m->im_size, media_read, m) == 0;
	}
	release_all(&ml);
	if (!found) {
		printf("no ext2 file system on any disk\n");
		kfree(fs, sizeof(*fs));
		return NULL;
	}
	return fs;
}

static void
put_fs(struct ext2_fs *fs)
{
	ext2_unmount(fs);
	kfree(fs, sizeof(*fs));
}

static int
ls_fn(const char *name, unsigned len, uint32_t ino, unsigned ftype, void *arg)
{
	struct ext2_fs *fs = arg;
	struct ext2_inode ip;
	static const char types[] = "?-dcbpsl";

	if (ext2_iget(fs, ino, &ip) != 0) {
		printf("?          ? %.*s\n", (int)len, name);
		return 0;
	}
	printf("%c%04o %10llu %.*s\n", types[ftype < 8 ? ftype : 0], ip.i_mode & 07777,
	       (unsigned long long)ip.i_size, (int)len, name);
	return 0;
}

void
disk_shell_ls(int argc, char **argv)
{
	struct ext2_fs *fs = first_ext2();
	struct ext2_inode ip;
	int err;

	if (fs == NULL)
		return;
	err = ext2_namei(fs, argc > 1 ? argv[1] : "/", true, &ip);
	if (err == 0 && (ip.i_mode & EXT2_S_IFMT) == EXT2_S_IFDIR)
		err = ext2_readdir(fs, &ip, ls_fn, fs);
	else if (err == 0)
		printf("%10llu %s\n", (unsigned long long)ip.i_size, argv[1]);
	if (err != 0)
		printf("ls: %s: error %d\n", argc > 1 ? argv[1] : "/", err);
	put_fs(fs);
}

void
disk_shell_cat(int argc, char **argv)
{
	struct ext2_fs *fs;
	struct ext2_inode ip;
	char *buf;
	size_t got;
	int err;

	if (argc < 2) {
		printf("usage: cat PATH\n");
		return;
	}
	fs = first_ext2();
	if (fs == NULL)
		return;
	buf = kalloc(4096);
	err = buf == NULL ? ENOMEM : ext2_namei(fs, argv[1], true, &ip);
	if (err == 0 && (ip.i_mode & EXT2_S_IFMT) == EXT2_S_IFDIR)
		err = EISDIR;
	for (uint64_t off = 0; err == 0 && off < ip.i_size; off += got) {
		err = ext2_read(fs, &ip, off, buf, 4096, &got);
		if (err == 0 && got == 0)
			break;
		if (err == 0)
			printf("%.*s", (int)got, buf);
	}
	if (err != 0)
		printf("cat: %s: error %d\n", argv[1], err);
	if (buf != NULL)
		kfree(buf, 4096);
	put_fs(fs);
}

DEBUGSHELL_COMMAND(disks, "list disks and partitions (IOMedia)", disk_shell_disks);
DEBUGSHELL_COMMAND(ls, "list a directory of the first ext2 file system (ls PATH)", disk_shell_ls);
DEBUGSHELL_COMMAND(cat, "print a file of the first ext2 file system (cat PATH)", disk_shell_cat);
