/*
 * ext2_priv.h — what the files of bsd/fs/ext2 share and nothing outside them uses: on-disk
 * offsets, little-endian accessors, block I/O that keeps ext2.c's read caches coherent, and
 * the allocator's entry points (ext2_alloc.c) used by the file and directory code
 * (ext2_file.c, ext2_dir.c). Layout after e2fsprogs' lib/ext2fs/ext2_fs.h.
 *
 * The one idea: every device write goes through ext2_dev_write(), which drops or refreshes the
 * copies of the blocks it overwrites that the read path keeps (fs_buf, fs_ind[]), so a reader
 * never sees a block older than the last write.
 */
#ifndef _BSD_FS_EXT2_EXT2_PRIV_H_
#define _BSD_FS_EXT2_EXT2_PRIV_H_

#include <bsd/fs/ext2/ext2.h>
#include <console.h>

#define EXT2_SB_OFF  1024
#define EXT2_SB_SIZE 1024
#define EXT2_GD_SIZE 32
#define EXT2_MAX_RUN 64 /* blocks per coalesced data read or write */

/* Superblock fields (byte offsets). */
#define SB_FREE_BLOCKS 12
#define SB_FREE_INODES 16
#define SB_R_BLOCKS    8
#define SB_MTIME       44
#define SB_WTIME       48
#define SB_MNT_COUNT   52
#define SB_MAX_MNT     54
#define SB_STATE       58
#define SB_REV	       76
#define SB_FIRST_INO   84
#define SB_GROUP_NR    90
#define SB_COMPAT      92
#define SB_INCOMPAT    96
#define SB_RO_COMPAT   100
#define SB_RESV_GDT    206
#define SB_WANT_EXTRA  350

#define EXT2_VALID_FS 0x0001
#define EXT2_ERROR_FS 0x0002

#define COMPAT_RESIZE_INODE   0x0010
#define INCOMPAT_FILETYPE     0x0002
#define RO_COMPAT_SPARSE      0x0001
#define RO_COMPAT_LARGE_FILE  0x0002
#define RO_COMPAT_WRITABLE    (RO_COMPAT_SPARSE | RO_COMPAT_LARGE_FILE)

/* Inode fields (byte offsets into the on-disk inode). */
#define DI_MODE	       0
#define DI_UID	       2
#define DI_SIZE	       4
#define DI_ATIME       8
#define DI_CTIME       12
#define DI_MTIME       16
#define DI_DTIME       20
#define DI_GID	       24
#define DI_LINKS       26
#define DI_BLOCKS      28
#define DI_FLAGS       32
#define DI_BLOCK       40
#define DI_FILE_ACL    104
#define DI_SIZE_HIGH   108
#define DI_UID_HIGH    120
#define DI_GID_HIGH    122
#define DI_EXTRA_ISIZE 128

#define EXT2_INDEX_FL 0x00001000 /* an htree directory: we clear it when we change one */

/* Directory entry file types (INCOMPAT_FILETYPE). */
#define EXT2_FT_UNKNOWN 0
#define EXT2_FT_REG	1
#define EXT2_FT_DIR	2
#define EXT2_FT_CHR	3
#define EXT2_FT_BLK	4
#define EXT2_FT_FIFO	5
#define EXT2_FT_SOCK	6
#define EXT2_FT_SYMLINK 7

#define EXT2_LINK_MAX 32000

#define fs_log(fs, fmt, ...) klog(LOG_ERR, "ext2 %s: " fmt "\n", (fs)->fs_name, ##__VA_ARGS__)
/* Corrupt metadata found while read-write: logged, and the fs is marked with errors on disk. */
#define fs_corrupt(fs, fmt, ...)                                                                  \
	do {                                                                                      \
		(fs)->fs_errors = true;                                                           \
		fs_log(fs, fmt, ##__VA_ARGS__);                                                   \
	} while (0)

static inline uint16_t
le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline bool
blk_ok(const struct ext2_fs *fs, uint32_t b)
{
	return b >= fs->fs_first_data_block && b < fs->fs_nblocks;
}

static inline bool
ext2_fast_symlink(const struct ext2_fs *fs, const struct ext2_inode *ip)
{
	uint32_t ea = ip->i_file_acl ? fs->fs_bsize >> 9 : 0;

	return (ip->i_mode & EXT2_S_IFMT) == EXT2_S_IFLNK && ip->i_blocks512 == ea;
}

/* True when i_block holds block pointers (not a fast symlink's text or a device number). */
static inline bool
ext2_has_blocks(const struct ext2_fs *fs, const struct ext2_inode *ip)
{
	switch (ip->i_mode & EXT2_S_IFMT) {
	case EXT2_S_IFREG:
	case EXT2_S_IFDIR:
		return true;
	case EXT2_S_IFLNK:
		return !ext2_fast_symlink(fs, ip);
	default:
		return false;
	}
}

/* ext2.c */
int ext2_blk_read(struct ext2_fs *fs, uint32_t b, void *buf);
int ext2_buf_get(struct ext2_fs *fs, uint32_t b);
/* Write n whole blocks from b; refreshes or drops the read caches that held them. */
int ext2_dev_write(struct ext2_fs *fs, uint32_t b, const void *buf, uint32_t n);
/*
 * The pointer block at level of the map into fs_ind[level], writing back the changed one it
 * replaces; ext2_ind_flush writes every changed one (each call that maps blocks ends with it).
 */
int ext2_ind_load(struct ext2_fs *fs, int level, uint32_t b);
int ext2_ind_flush(struct ext2_fs *fs);
/* One directory record at off of a directory block: EIO (logged) when it is malformed. */
int ext2_dirent_get(struct ext2_fs *fs, const struct ext2_inode *dir, const uint8_t *blk,
		    uint32_t off, uint32_t *ino, uint32_t *rec, uint32_t *nlen, unsigned *ftype);
uint32_t ext2_inode_block(const struct ext2_fs *fs, uint32_t ino, uint32_t *off);

/* ext2_alloc.c: callers hold the mount's lock (ext2.h) and have checked fs_rw. */
uint32_t ext2_now(struct ext2_fs *fs);
int ext2_balloc(struct ext2_fs *fs, uint32_t goal, uint32_t *b);
int ext2_bfree(struct ext2_fs *fs, uint32_t b);
int ext2_ialloc(struct ext2_fs *fs, uint32_t dir_ino, bool is_dir, uint32_t *ino);
int ext2_ifree(struct ext2_fs *fs, uint32_t ino, bool is_dir);
/* Sync, mark clean (or with errors) and drop the read-write state. */
void ext2_unmount_rw(struct ext2_fs *fs);

/* ext2_file.c */
int ext2_bmap_alloc(struct ext2_fs *fs, struct ext2_inode *ip, uint64_t lblk, uint32_t *pblk,
		    bool *fresh);
int ext2_free_all(struct ext2_fs *fs, struct ext2_inode *ip);
/* ext2_write() without the file-type check (a new slow symlink has no blocks yet). */
int ext2_write_data(struct ext2_fs *fs, struct ext2_inode *ip, uint64_t off, const void *buf,
		    size_t len);
int ext2_zero_block(struct ext2_fs *fs, uint32_t b);

#endif /* _BSD_FS_EXT2_EXT2_PRIV_H_ */
