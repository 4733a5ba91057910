/*
 * ext2.h — the read-only core of the ext2 file system (revision 0 and 1, 1–4 KiB blocks,
 * direct/indirect/double/triple block maps, linked directories, fast and slow symlinks), after
 * the "Second Extended File System" layout as documented by its authors (Card, Ts'o, Tweedie)
 * and e2fsprogs' lib/ext2fs/ext2_fs.h. Portable: the disk is reached through a read callback,
 * so the same code runs in the kernel (over an IOMedia) and in hosted tests (over an image).
 *
 * The one idea: the disk is hostile. Every number read from it (superblock geometry, group
 * descriptors, inode numbers, block pointers, directory record lengths, sizes) is checked
 * against the geometry before it is used, and a bad one is EIO (or EINVAL / ENOTSUP at mount)
 * with a log line, never a fault. Functions return 0 or a positive errno (bsd/sys/errno.h).
 *
 * XXX: no write support and no cache yet: every call reads the blocks it needs (the UBC and a
 * buffer cache come with the VFS).
 */
#ifndef _BSD_FS_EXT2_EXT2_H_
#define _BSD_FS_EXT2_EXT2_H_

#include <bsd/sys/errno.h>
#include <libkern/libkern.h>

#define EXT2_ROOT_INO	 2
#define EXT2_NAME_MAX	 255
#define EXT2_NDIR	 12
#define EXT2_NBLOCKS	 15
#define EXT2_SYMLOOP_MAX 8
#define EXT2_PATH_MAX	 4096

/* i_mode file types */
#define EXT2_S_IFMT   0xf000
#define EXT2_S_IFSOCK 0xc000
#define EXT2_S_IFLNK  0xa000
#define EXT2_S_IFREG  0x8000
#define EXT2_S_IFBLK  0x6000
#define EXT2_S_IFDIR  0x4000
#define EXT2_S_IFCHR  0x2000
#define EXT2_S_IFIFO  0x1000

/* Read len bytes at byte offset off of the device; 0 or a positive errno. */
typedef int (*ext2_read_fn)(void *ctx, uint64_t off, void *buf, size_t len);

struct ext2_group {
	uint32_t eg_block_bitmap, eg_inode_bitmap, eg_inode_table;
};

struct ext2_fs {
	ext2_read_fn fs_read;
	void *fs_ctx;
	const char *fs_name;	   /* for log lines */
	uint32_t fs_bsize;	   /* block size */
	uint32_t fs_bshift;
	uint32_t fs_nblocks, fs_ninodes;
	uint32_t fs_first_data_block;
	uint32_t fs_bpg, fs_ipg;   /* blocks, inodes per group */
	uint32_t fs_isize;	   /* on-disk inode size */
	uint32_t fs_ngroups;
	uint32_t fs_rev;
	uint32_t fs_incompat, fs_ro_compat;
	uint32_t fs_ptrs;	   /* block pointers per block */
	uint64_t fs_maxfile;	   /* largest size the block map can address */
	char fs_label[17];
	uint8_t fs_uuid[16];
	struct ext2_group *fs_groups;
	uint8_t *fs_buf;	   /* one block of metadata: callers are serialised (XXX) */
	uint32_t fs_buf_blk;	   /* the block in fs_buf, UINT32_MAX: none */
	uint8_t *fs_ind[3];	   /* the last pointer block read at each level of the map */
	uint32_t fs_ind_blk[3];	   /* which blocks those are, UINT32_MAX: none */
};

struct ext2_inode {
	uint32_t i_ino;
	uint16_t i_mode;
	uint16_t i_links;
	uint32_t i_uid, i_gid;
	uint64_t i_size;
	uint32_t i_mtime;
	uint32_t i_blocks512;	   /* i_blocks: 512-byte units */
	uint32_t i_flags;
	uint32_t i_file_acl;
	uint32_t i_block[EXT2_NBLOCKS];
};

/*
 * ext2_mount: read and validate the superblock and group descriptors of the ext2 file system
 * on a device of dev_size bytes, read through rd(ctx, ...). Read-only: ro_compat features
 * are accepted; incompat features other than FILETYPE refuse the mount.
 *   Returns: 0; EINVAL (not ext2, or geometry that does not hold together; logged);
 *            ENOTSUP (an incompat feature or revision it cannot read; logged); ENOMEM; or the
 *            read error. On error fs holds nothing to free.
 */
int ext2_mount(struct ext2_fs *fs, const char *name, uint64_t dev_size, ext2_read_fn rd,
	       void *ctx);
/* ext2_unmount: free what ext2_mount allocated. */
void ext2_unmount(struct ext2_fs *fs);

/* ext2_iget: read inode ino. Returns 0, EIO (ino out of range, or a nonsense inode; logged). */
int ext2_iget(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip);

/*
 * ext2_bmap: the device block holding logical block lblk of ip, 0 for a hole.
 *   Returns: 0; EFBIG (lblk past what the map addresses); EIO (a pointer outside the fs).
 */
int ext2_bmap(struct ext2_fs *fs, const struct ext2_inode *ip, uint64_t lblk, uint32_t *pblk);

/*
 * ext2_read: copy up to len bytes of ip's data at off into buf (holes read as zeros); *got
 * is what was copied (less than len at the end of the file). Returns 0 or an errno.
 */
int ext2_read(struct ext2_fs *fs, const struct ext2_inode *ip, uint64_t off, void *buf,
	      size_t len, size_t *got);

/*
 * ext2_readdir: call fn(name, namelen, ino, ftype, arg) for every live entry of directory ip,
 * in disk order; fn returns non-zero to stop (that value is returned).
 *   Returns: 0, ENOTDIR, EIO (a malformed entry: logged), or fn's value.
 */
typedef int (*ext2_dir_fn)(const char *name, unsigned namelen, uint32_t ino, unsigned ftype,
			   void *arg);
int ext2_readdir(struct ext2_fs *fs, const struct ext2_inode *ip, ext2_dir_fn fn, void *arg);

/* ext2_lookup: the inode number of name in directory dir. Returns 0, ENOENT, ENOTDIR, EIO. */
int ext2_lookup(struct ext2_fs *fs, const struct ext2_inode *dir, const char *name,
		unsigned namelen, uint32_t *ino);

/*
 * ext2_readlink: the target of symlink ip into buf (NUL-terminated; at most buflen - 1 bytes).
 *   Returns: 0, EINVAL (not a symlink), ENAMETOOLONG (buf too small), EIO.
 */
int ext2_readlink(struct ext2_fs *fs, const struct ext2_inode *ip, char *buf, size_t buflen);

/*
 * ext2_namei: resolve an absolute or root-relative path to an inode, following symlinks
 * (at most EXT2_SYMLOOP_MAX; the last component too when follow).
 *   Returns: 0 and *ip; ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG, EIO.
 */
int ext2_namei(struct ext2_fs *fs, const char *path, bool follow, struct ext2_inode *ip);

#endif /* _BSD_FS_EXT2_EXT2_H_ */
