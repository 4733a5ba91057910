/*
 * cd9660.h — the ISO 9660 file system, read-only (ECMA-119, 2nd edition: volume descriptors
 * 8.4, directory records 9.1, path through directories 6.8), with the Rock Ridge extensions
 * (IEEE P1282 RRIP 1.12 over SUSP P1281 1.12: SP, CE, ST, NM, PX, SL, RE) that `xorriso -r` and
 * `genisoimage -r` write so that names keep their case and length ("meta-data", not
 * "META_DAT.;1"). It is what cloud-init's NoCloud seed ("cidata") is made of. Portable like
 * ext2: the disk is reached through a read callback, so the same code runs in the kernel (over
 * an IOMedia, cd9660_vnops.c) and in the hosted tests and fuzzer (over an image file).
 *
 * The one idea: the disk is hostile. Every number read from it (descriptor fields, record
 * lengths, name lengths, extents and sizes, system-use entry lengths, continuation areas) is
 * checked against the record, the block or the volume before it is used; a bad one is EIO
 * with a log line, never a fault. Functions return 0 or a positive errno.
 *
 * Names: with Rock Ridge the NM entry is the name; without it, the Joliet tree's (Joliet
 * 1995: a supplementary descriptor, UCS-2 names, read as UTF-8) when the volume has one; else
 * the ISO name mapped as Linux does with map=normal: the version (";1") and a trailing dot go
 * and the name is lower-cased.
 * File ids: a directory's is the byte address of its extent (its "." record), so the same
 * directory reached by name or by ".." has one id; a file's is the byte address of its record.
 *
 * Locking: none inside; the caller serialises every call on one struct cd9660_fs (one block
 * buffer). XXX: not read: deep-directory relocation (CL/PL), multi-extent and interleaved
 * files (logged, skipped); Joliet names beyond UCS-2 (surrogate pairs pass as two characters).
 */
#ifndef _BSD_FS_CD9660_CD9660_H_
#define _BSD_FS_CD9660_CD9660_H_

#include <bsd/sys/errno.h>
#include <libkern/libkern.h>

#define CD9660_NAME_MAX	 255
#define CD9660_LABEL_MAX 32

/* Mode type bits, as POSIX (and Rock Ridge PX) number them. */
#define CD9660_S_IFMT  0170000
#define CD9660_S_IFDIR 0040000
#define CD9660_S_IFREG 0100000
#define CD9660_S_IFLNK 0120000

/* Read len bytes at byte offset off of the device; offsets and lengths are multiples of 512. */
typedef int (*cd9660_read_fn)(void *ctx, uint64_t off, void *buf, size_t len);

/* A file or directory as its directory record (and Rock Ridge entries) describe it. */
struct cd9660_node {
	uint64_t n_ino;		/* see "File ids" above */
	uint32_t n_extent;	/* first logical block of the data */
	uint32_t n_size;	/* data length in bytes */
	uint32_t n_mode;	/* CD9660_S_IF* | permission bits */
	uint32_t n_nlink, n_uid, n_gid;
	int64_t n_mtime;	/* seconds since 1970, from the recording date */
};

struct cd9660_fs {
	cd9660_read_fn fs_read;
	void *fs_ctx;
	const char *fs_name;	/* for log lines */
	uint32_t fs_bsize;	/* logical block size: 512, 1024 or 2048 */
	uint32_t fs_nblocks;	/* volume space size, in logical blocks */
	char fs_label[CD9660_LABEL_MAX + 1]; /* volume identifier, trailing blanks removed */
	bool fs_rr;		/* Rock Ridge: the root's "." record carries SUSP's SP */
	uint8_t fs_susp_skip;	/* SP's LEN_SKP: bytes before each record's SUSP entries */
	bool fs_joliet;		/* no Rock Ridge: names from the Joliet tree (UCS-2) */
	struct cd9660_node fs_root;
	uint8_t *fs_buf;	/* one directory block */
	uint8_t *fs_cebuf;	/* one continuation-area block */
};

/*
 * cd9660_mount: find the primary volume descriptor (from block 16 on, up to the terminator),
 * check it, and read the root directory's "." record for Rock Ridge (else look for Joliet).
 * dev_size is the device's size in bytes; the volume must fit in it.
 *   Returns: 0; EINVAL (not ISO 9660, or geometry that does not hold together; logged);
 *            ENOMEM; or the read error. On error fs holds nothing to free.
 */
int cd9660_mount(struct cd9660_fs *fs, const char *name, uint64_t dev_size, cd9660_read_fn rd,
		 void *ctx);

/* cd9660_unmount: free what cd9660_mount allocated. */
void cd9660_unmount(struct cd9660_fs *fs);

/*
 * cd9660_probe_label: read only the volume descriptors of a device and copy the primary
 * volume's identifier into label (CD9660_LABEL_MAX + 1 bytes). Used to publish a seed's label.
 *   Returns: 0; EINVAL (not ISO 9660; not logged: most disks are not); the read error.
 */
int cd9660_probe_label(uint64_t dev_size, cd9660_read_fn rd, void *ctx, char *label);

/* One directory entry: its name (not NUL-terminated) and node. Non-zero stops the walk. */
typedef int (*cd9660_dirent_fn)(void *arg, const char *name, unsigned namelen,
				const struct cd9660_node *np);

/*
 * cd9660_readdir: call fn for each entry of directory dir, "." and ".." first, in disk order.
 * fn must not call into fs (the directory block is in fs_buf).
 *   Returns: 0; what fn returned when it stopped the walk; ENOTDIR; EIO (logged).
 */
int cd9660_readdir(struct cd9660_fs *fs, const struct cd9660_node *dir, cd9660_dirent_fn fn,
		   void *arg);

/*
 * cd9660_lookup: the entry name (len bytes) of directory dir into *out.
 *   Returns: 0; ENOENT; ENAMETOOLONG; ENOTDIR; EIO (logged).
 */
int cd9660_lookup(struct cd9660_fs *fs, const struct cd9660_node *dir, const char *name,
		  size_t len, struct cd9660_node *out);

/*
 * cd9660_readlink: the target of Rock Ridge symlink np (its SL entries) into buf, NUL-terminated.
 *   Returns: 0; EINVAL (not a symlink); ENAMETOOLONG (len < 2); EIO (no SL, a target that does
 *            not fit len, or a bad record; logged).
 */
int cd9660_readlink(struct cd9660_fs *fs, const struct cd9660_node *np, char *buf, size_t len);

/*
 * cd9660_read: up to len bytes of file np from off into buf; *got is how many (0 at or past
 * the end). Whole blocks are read straight into buf, the partial ones through fs_buf.
 *   Returns: 0; EISDIR; the read error.
 */
int cd9660_read(struct cd9660_fs *fs, const struct cd9660_node *np, uint64_t off, void *buf,
		size_t len, size_t *got);

#endif /* _BSD_FS_CD9660_CD9660_H_ */
