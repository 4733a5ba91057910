/*
 * ext2.h — the ext2 file system, read-only and read-write (revision 0 and 1, 1–4 KiB blocks,
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
 * Read-write (ext2_mount_rw, after ext2_mount): files grow and shrink through the block map
 * (ext2_file.c), directories gain and lose records (ext2_dir.c), and the block and inode
 * bitmaps, the group descriptors and the superblock keep their counts in step (ext2_alloc.c).
 * Only revision 1 with the sparse_super and large_file ro_compat features is written; anything
 * else stays read-only.
 *
 * Locking: none inside. The caller serialises every call on one struct ext2_fs (the VFS holds
 * a per-mount mutex around each call), and the struct ext2_inode it passes is its one
 * in-memory copy of that inode: the calls update it and write it back.
 *
 * XXX: no block cache beyond one block per indirect level and one bitmap of each kind: every
 * call reads the metadata it needs (the UBC keeps file data, with the VFS).
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

/*
 * Read / write len bytes at byte offset off of the device; 0 or a positive errno. Offsets and
 * lengths are multiples of 512 (whole blocks, or the 1024-byte superblock at 1024).
 */
typedef int (*ext2_read_fn)(void *ctx, uint64_t off, void *buf, size_t len);
typedef int (*ext2_write_fn)(void *ctx, uint64_t off, const void *buf, size_t len);
/* Seconds since 1970 for timestamps. */
typedef uint32_t (*ext2_clock_fn)(void);

struct ext2_group {
	uint32_t eg_block_bitmap, eg_inode_bitmap, eg_inode_table;
	uint32_t eg_free_blocks, eg_free_inodes, eg_used_dirs; /* kept in step when rw */
};

/* A cached bitmap block (one per kind): written back when another group's is needed. */
struct ext2_bitmap {
	uint8_t *bm_buf;
	uint32_t bm_group;	   /* UINT32_MAX: none */
	bool bm_dirty;
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
	bool fs_ind_dirty[3];	   /* changed by a write, not yet on disk (never across a call) */
	uint8_t *fs_sb;		   /* the superblock as read (EXT2_SB_SIZE bytes) */
	uint8_t *fs_gdt;	   /* the group descriptor blocks as read */
	uint32_t fs_gdt_blocks;
	uint32_t fs_first_ino;	   /* first inode not reserved */
	uint32_t fs_compat;
	/* Read-write state (ext2_mount_rw). */
	ext2_write_fn fs_write;
	ext2_clock_fn fs_clock;	   /* NULL: timestamps are the superblock's last write time */
	bool fs_rw;
	bool fs_errors;		   /* corruption seen: unmount leaves the fs marked with errors */
	bool fs_dirty;		   /* counts or features changed since the last sync */
	bool fs_sb_backups;	   /* a feature changed: rewrite the backup superblocks */
	uint32_t fs_free_blocks, fs_free_inodes;
	struct ext2_bitmap fs_bbm, fs_ibm;
	uint8_t *fs_scratch;	   /* one block for the write paths */
};

struct ext2_inode {
	uint32_t i_ino;
	uint16_t i_mode;
	uint16_t i_links;
	uint32_t i_uid, i_gid;
	uint64_t i_size;
	uint32_t i_mtime;
	uint32_t i_atime, i_ctime, i_dtime;
	uint32_t i_blocks512;	   /* i_blocks: 512-byte units */
	uint32_t i_flags;
	uint32_t i_file_acl;
	uint32_t i_rdev;	   /* CHR/BLK: Linux's encoding (major << 8 | minor, minor > 255
				      in bits 20-31); written by ext2_iupdate */
	uint32_t i_block[EXT2_NBLOCKS];
};

struct ext2_statfs {
	uint32_t sf_bsize;
	uint32_t sf_blocks, sf_bfree, sf_bavail; /* bavail: free less the root reserve */
	uint32_t sf_files, sf_ffree;
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
/*
 * ext2_unmount: free what ext2_mount allocated. When read-write, first ext2_sync() and mark the
 * file system clean (EXT2_VALID_FS) on disk, unless corruption was seen (then EXT2_ERROR_FS, so
 * the next fsck checks it). Every inode whose links reached 0 must have had ext2_release().
 */
void ext2_unmount(struct ext2_fs *fs);

/*
 * ext2_mount_rw: switch a mounted fs to read-write, writing through wr(ctx, ...) (the ctx given
 * to ext2_mount). Marks the fs not clean on disk and counts the mount.
 *   Returns: 0; EROFS (logged: revision 0, a ro_compat feature it cannot keep up to date, the
 *            fs not cleanly unmounted or marked with errors); ENOMEM; a write error.
 */
int ext2_mount_rw(struct ext2_fs *fs, ext2_write_fn wr);

/*
 * ext2_sync: write back the cached bitmaps, the group descriptors and the superblock (and the
 * backup superblocks when a feature changed). It does not flush the device's write cache: the
 * caller follows with its own flush (io_media_flush). Returns 0 or the first write error.
 */
int ext2_sync(struct ext2_fs *fs);

/* ext2_statfs: block and inode totals and free counts. Returns 0. */
int ext2_statfs(struct ext2_fs *fs, struct ext2_statfs *sf);

/*
 * The calls below need a read-write mount (EROFS otherwise). Each updates the in-memory inodes
 * it is given and writes them back. Inodes it reaches only by name (the victim of unlink, rmdir
 * and rename) are updated on disk only: a caller that holds a copy of one re-reads it with
 * ext2_iget(). Every call returns 0 or a positive errno; EIO (logged) for corrupt metadata,
 * in which case it stops before writing anything that depends on the bad data.
 */

/*
 * ext2_write: write len bytes of buf at off into file ip: allocates blocks (near the inode's
 * group and the previous block), zero-fills the unwritten parts of new blocks (so holes read
 * as zeros), extends i_size, sets mtime and ctime, writes the inode; sets large_file when the
 * file passes 2 GiB. ENOSPC after a part was written leaves i_size covering that part.
 *   Returns: 0; EISDIR; EINVAL (not a regular file or a slow symlink); EFBIG (past the block
 *            map); ENOSPC; EIO.
 */
int ext2_write(struct ext2_fs *fs, struct ext2_inode *ip, uint64_t off, const void *buf,
	       size_t len);

/*
 * ext2_truncate: set the size of regular file ip: growing leaves a hole; shrinking frees the
 * blocks past the end, indirect ones included, and zeroes the rest of the last block.
 *   Returns: 0; EISDIR; EINVAL (not a regular file); EFBIG; EIO.
 */
int ext2_truncate(struct ext2_fs *fs, struct ext2_inode *ip, uint64_t size);

/*
 * ext2_create: make name in dir, with mode (type bits included: REG, DIR, CHR, BLK, FIFO,
 * SOCK), uid and gid; *out is the new inode. A directory gets "." and "..", dir a link and the
 * group a used directory. Device nodes get rdev 0 (see ext2_mknod).
 *   Returns: 0; EEXIST; ENAMETOOLONG (> 255 bytes); EINVAL (empty name, '/' or NUL in it, or
 *            no file type); ENOTDIR; ENOENT (dir was removed); EMLINK; ENOSPC; EIO.
 */
int ext2_create(struct ext2_fs *fs, struct ext2_inode *dir, const char *name, size_t namelen,
		uint16_t mode, uint32_t uid, uint32_t gid, struct ext2_inode *out);
/* ext2_mknod: ext2_create with the device number of a CHR or BLK node (i_rdev's encoding). */
int ext2_mknod(struct ext2_fs *fs, struct ext2_inode *dir, const char *name, size_t namelen,
	       uint16_t mode, uint32_t rdev, uint32_t uid, uint32_t gid, struct ext2_inode *out);

/*
 * ext2_symlink: make name in dir a symlink to target (1 to block size - 1 bytes): kept in the
 * inode when under 60 bytes, in a block otherwise. Returns as ext2_create; ENAMETOOLONG for a
 * target that does not fit a block.
 */
int ext2_symlink(struct ext2_fs *fs, struct ext2_inode *dir, const char *name, size_t namelen,
		 const char *target, uint32_t uid, uint32_t gid, struct ext2_inode *out);

/* ext2_link: a new name in dir for ip (not a directory: EPERM). Returns as ext2_create. */
int ext2_link(struct ext2_fs *fs, struct ext2_inode *dir, const char *name, size_t namelen,
	      struct ext2_inode *ip);

/*
 * ext2_unlink: remove name from dir and drop the inode's link count; the inode itself stays
 * until its owner calls ext2_release() (open files).
 *   Returns: 0; ENOENT; EISDIR (a directory, or "." / ".."); ENOTDIR; EIO.
 */
int ext2_unlink(struct ext2_fs *fs, struct ext2_inode *dir, const char *name, size_t namelen);

/*
 * ext2_rmdir: remove the empty directory name from dir (its links go to 0: ext2_release()
 * frees it).  Returns: 0; ENOENT; ENOTDIR; ENOTEMPTY; EINVAL ("." or ".."); EIO.
 */
int ext2_rmdir(struct ext2_fs *fs, struct ext2_inode *dir, const char *name, size_t namelen);

/*
 * ext2_rename: POSIX rename of sname in sdir to dname in ddir (sdir and ddir may be the same
 * inode). An existing target (a file, or an empty directory when the source is one) is
 * replaced and loses a link (ext2_release() frees it when that was the last); a directory
 * moved to another parent gets its ".." fixed and both parents' link counts.
 *   Returns: 0 (also when both names are links to one inode: nothing changes); ENOENT;
 *            EINVAL ("." or "..", or a directory into its own subtree); ENOTDIR; EISDIR;
 *            ENOTEMPTY; ENAMETOOLONG; EMLINK; ENOSPC; EIO.
 */
int ext2_rename(struct ext2_fs *fs, struct ext2_inode *sdir, const char *sname,
		size_t snamelen, struct ext2_inode *ddir, const char *dname, size_t dnamelen);

/* ext2_iupdate: write every field of the in-memory inode ip back to disk. Returns 0, EIO. */
int ext2_iupdate(struct ext2_fs *fs, const struct ext2_inode *ip);

/*
 * ext2_release: the owner dropped its last reference to ip. When i_links is 0, free its
 * blocks (indirect ones and an extended-attribute block included) and the inode, with dtime
 * set; call it once per inode (a second call finds the inode free: EIO).
 * Returns 0 (nothing to do when links remain); EROFS; EIO.
 */
int ext2_release(struct ext2_fs *fs, struct ext2_inode *ip);

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
