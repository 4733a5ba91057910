/*
 * ext2.c — the reading core of ext2 (see ext2.h): mount-time validation of the superblock and
 * group descriptors, inodes, the direct/indirect/double/triple block map, file reads,
 * directories, symlinks and path lookup; and the one device-write path that the read-write
 * files (ext2_alloc.c, ext2_file.c, ext2_dir.c) use, since it must keep this file's block
 * copies coherent.
 *
 * The one idea: all device reads are whole blocks at block-aligned offsets (the superblock
 * aside: 1024 bytes at 1024), so the callback never sees a request a block device cannot serve;
 * file reads that cover whole, physically contiguous blocks go straight into the caller's
 * buffer in one request, everything else through the one-block scratch buffer.
 */
#include <bsd/fs/ext2/ext2_priv.h>
#include <mach/kern/kalloc.h>

#define EXT2_MAGIC	     0xef53
#define EXT2_GOOD_OLD_REV    0
#define EXT2_DYNAMIC_REV     1
#define EXT2_GOOD_OLD_ISIZE  128
#define INCOMPAT_SUPPORTED   INCOMPAT_FILETYPE

/* Read block b into buf (fs_bsize bytes). */
int
ext2_blk_read(struct ext2_fs *fs, uint32_t b, void *buf)
{
	return fs->fs_read(fs->fs_ctx, (uint64_t)b << fs->fs_bshift, buf, fs->fs_bsize);
}

int
ext2_dev_write(struct ext2_fs *fs, uint32_t b, const void *buf, uint32_t n)
{
	int err;

	if (!fs->fs_rw)
		return EROFS;
	err = fs->fs_write(fs->fs_ctx, (uint64_t)b << fs->fs_bshift, buf,
			   (size_t)n << fs->fs_bshift);
	if (fs->fs_buf_blk - b < n) {
		if (err == 0 && buf != fs->fs_buf)
			memcpy(fs->fs_buf, (const uint8_t *)buf +
			       ((size_t)(fs->fs_buf_blk - b) << fs->fs_bshift), fs->fs_bsize);
		else if (err != 0)
			fs->fs_buf_blk = UINT32_MAX;
	}
	for (int l = 0; l < 3; l++)
		if (fs->fs_ind_blk[l] - b < n && (err != 0 || buf != fs->fs_ind[l])) {
			fs->fs_ind_blk[l] = UINT32_MAX;
			fs->fs_ind_dirty[l] = false;
		}
	return err;
}

int
ext2_ind_flush(struct ext2_fs *fs)
{
	int err = 0, e;

	for (int l = 0; l < 3; l++) {
		if (!fs->fs_ind_dirty[l])
			continue;
		fs->fs_ind_dirty[l] = false;
		e = ext2_dev_write(fs, fs->fs_ind_blk[l], fs->fs_ind[l], 1);
		if (err == 0)
			err = e;
	}
	return err;
}

int
ext2_ind_load(struct ext2_fs *fs, int level, uint32_t b)
{
	int err;

	if (fs->fs_ind_blk[level] == b)
		return 0;
	if (fs->fs_ind_dirty[level]) {
		fs->fs_ind_dirty[level] = false;
		err = ext2_dev_write(fs, fs->fs_ind_blk[level], fs->fs_ind[level], 1);
		if (err != 0)
			return err;
	}
	fs->fs_ind_blk[level] = UINT32_MAX;
	err = ext2_blk_read(fs, b, fs->fs_ind[level]);
	if (err == 0)
		fs->fs_ind_blk[level] = b;
	return err;
}

/* Block b in fs_buf: the one-block cache that keeps a run of bmap calls to one pointer read. */
int
ext2_buf_get(struct ext2_fs *fs, uint32_t b)
{
	int err;

	if (fs->fs_buf_blk == b)
		return 0;
	fs->fs_buf_blk = UINT32_MAX;
	err = ext2_blk_read(fs, b, fs->fs_buf);
	if (err == 0)
		fs->fs_buf_blk = b;
	return err;
}

static int
sb_check(struct ext2_fs *fs, const uint8_t *sb, uint64_t dev_size)
{
	uint32_t log_bs = le32(sb + 24), itb;

	if (le16(sb + 56) != EXT2_MAGIC) {
		fs_log(fs, "no ext2 superblock (magic 0x%04x)", le16(sb + 56));
		return EINVAL;
	}
	fs->fs_rev = le32(sb + 76);
	if (fs->fs_rev > EXT2_DYNAMIC_REV) {
		fs_log(fs, "revision %u not supported", fs->fs_rev);
		return ENOTSUP;
	}
	if (log_bs > 2) {
		fs_log(fs, "block size 1024 << %u not supported (1-4 KiB)", log_bs);
		return ENOTSUP;
	}
	fs->fs_bshift = 10 + log_bs;
	fs->fs_bsize = 1u << fs->fs_bshift;
	fs->fs_ptrs = fs->fs_bsize / 4;
	fs->fs_ninodes = le32(sb + 0);
	fs->fs_nblocks = le32(sb + 4);
	fs->fs_first_data_block = le32(sb + 20);
	fs->fs_bpg = le32(sb + 32);
	fs->fs_ipg = le32(sb + 40);
	if (fs->fs_rev == EXT2_GOOD_OLD_REV) {
		fs->fs_isize = EXT2_GOOD_OLD_ISIZE;
		fs->fs_incompat = fs->fs_ro_compat = fs->fs_compat = 0;
		fs->fs_first_ino = 11;
	} else {
		fs->fs_compat = le32(sb + SB_COMPAT);
		fs->fs_first_ino = le32(sb + SB_FIRST_INO);
		fs->fs_isize = le16(sb + 88);
		fs->fs_incompat = le32(sb + 96);
		fs->fs_ro_compat = le32(sb + 100);
		if (fs->fs_first_ino < 11 || fs->fs_first_ino > fs->fs_ninodes) {
			fs_log(fs, "first inode %u (< 11, or past the last)", fs->fs_first_ino);
			return EINVAL;
		}
	}
	if (fs->fs_incompat & ~INCOMPAT_SUPPORTED) {
		fs_log(fs, "incompatible features 0x%x not supported", fs->fs_incompat &
		       ~INCOMPAT_SUPPORTED);
		return ENOTSUP;
	}
	if (fs->fs_isize < EXT2_GOOD_OLD_ISIZE || fs->fs_isize > fs->fs_bsize ||
	    (fs->fs_isize & (fs->fs_isize - 1)) != 0) {
		fs_log(fs, "inode size %u", fs->fs_isize);
		return EINVAL;
	}
	if (fs->fs_first_data_block != (fs->fs_bsize == 1024 ? 1u : 0u) ||
	    fs->fs_nblocks <= fs->fs_first_data_block + 2 ||
	    (uint64_t)fs->fs_nblocks * fs->fs_bsize > dev_size) {
		fs_log(fs, "%u blocks from %u do not fit the %llu-byte device", fs->fs_nblocks,
		       fs->fs_first_data_block, (unsigned long long)dev_size);
		return EINVAL;
	}
	if (fs->fs_bpg < 8 || fs->fs_bpg > 8 * fs->fs_bsize || fs->fs_ipg == 0 ||
	    fs->fs_ipg > 8 * fs->fs_bsize) {
		fs_log(fs, "%u blocks, %u inodes per group", fs->fs_bpg, fs->fs_ipg);
		return EINVAL;
	}
	fs->fs_ngroups = (fs->fs_nblocks - fs->fs_first_data_block + fs->fs_bpg - 1) / fs->fs_bpg;
	if ((uint64_t)fs->fs_ngroups * fs->fs_ipg != fs->fs_ninodes) {
		fs_log(fs, "%u inodes is not %u groups of %u", fs->fs_ninodes, fs->fs_ngroups,
		       fs->fs_ipg);
		return EINVAL;
	}
	itb = (uint32_t)(((uint64_t)fs->fs_ipg * fs->fs_isize + fs->fs_bsize - 1) / fs->fs_bsize);
	if (itb >= fs->fs_nblocks) {
		fs_log(fs, "inode tables larger than the file system");
		return EINVAL;
	}
	fs->fs_maxfile = (uint64_t)EXT2_NDIR + fs->fs_ptrs + (uint64_t)fs->fs_ptrs * fs->fs_ptrs +
			 (uint64_t)fs->fs_ptrs * fs->fs_ptrs * fs->fs_ptrs;
	fs->fs_maxfile <<= fs->fs_bshift;
	memcpy(fs->fs_uuid, sb + 104, 16);
	memcpy(fs->fs_label, sb + 120, 16);
	fs->fs_label[16] = '\0';
	return 0;
}

static int
gd_load(struct ext2_fs *fs)
{
	uint32_t gdt = fs->fs_first_data_block + 1;
	uint32_t itb = (uint32_t)(((uint64_t)fs->fs_ipg * fs->fs_isize + fs->fs_bsize - 1) /
				  fs->fs_bsize);
	int err;

	fs->fs_gdt_blocks = (uint32_t)(((uint64_t)fs->fs_ngroups * EXT2_GD_SIZE + fs->fs_bsize -
					1) >> fs->fs_bshift);
	if (fs->fs_gdt_blocks > fs->fs_nblocks - gdt) {
		fs_log(fs, "group descriptors run past the file system");
		return EINVAL;
	}
	fs->fs_groups = kalloc((size_t)fs->fs_ngroups * sizeof(struct ext2_group));
	fs->fs_gdt = kalloc((size_t)fs->fs_gdt_blocks << fs->fs_bshift);
	if (fs->fs_groups == NULL || fs->fs_gdt == NULL)
		return ENOMEM;
	err = fs->fs_read(fs->fs_ctx, (uint64_t)gdt << fs->fs_bshift, fs->fs_gdt,
			  (size_t)fs->fs_gdt_blocks << fs->fs_bshift);
	if (err != 0)
		return err;
	for (uint32_t g = 0; g < fs->fs_ngroups; g++) {
		struct ext2_group *eg = &fs->fs_groups[g];
		const uint8_t *d = fs->fs_gdt + (size_t)g * EXT2_GD_SIZE;

		eg->eg_block_bitmap = le32(d);
		eg->eg_inode_bitmap = le32(d + 4);
		eg->eg_inode_table = le32(d + 8);
		eg->eg_free_blocks = le16(d + 12);
		eg->eg_free_inodes = le16(d + 14);
		eg->eg_used_dirs = le16(d + 16);
		if (!blk_ok(fs, eg->eg_block_bitmap) || !blk_ok(fs, eg->eg_inode_bitmap) ||
		    !blk_ok(fs, eg->eg_inode_table) ||
		    itb > fs->fs_nblocks - eg->eg_inode_table) {
			fs_log(fs, "group %u: bitmaps %u/%u or inode table %u outside the fs", g,
			       eg->eg_block_bitmap, eg->eg_inode_bitmap, eg->eg_inode_table);
			return EINVAL;
		}
	}
	return 0;
}

int
ext2_mount(struct ext2_fs *fs, const char *name, uint64_t dev_size, ext2_read_fn rd, void *ctx)
{
	uint8_t *sb;
	int err;

	memset(fs, 0, sizeof(*fs));
	fs->fs_read = rd;
	fs->fs_ctx = ctx;
	fs->fs_name = name;
	if (dev_size < EXT2_SB_OFF + EXT2_SB_SIZE) {
		fs_log(fs, "device too small");
		return EINVAL;
	}
	sb = kalloc(EXT2_SB_SIZE);
	if (sb == NULL)
		return ENOMEM;
	err = rd(ctx, EXT2_SB_OFF, sb, EXT2_SB_SIZE);
	if (err == 0)
		err = sb_check(fs, sb, dev_size);
	if (err != 0) {
		kfree(sb, EXT2_SB_SIZE);
		return err;
	}
	fs->fs_sb = sb;
	fs->fs_buf_blk = UINT32_MAX;
	fs->fs_buf = kalloc(fs->fs_bsize);
	if (fs->fs_buf == NULL) {
		ext2_unmount(fs);
		return ENOMEM;
	}
	for (int l = 0; l < 3; l++) {
		fs->fs_ind[l] = kalloc(fs->fs_bsize);
		fs->fs_ind_blk[l] = UINT32_MAX;
		if (fs->fs_ind[l] == NULL) {
			ext2_unmount(fs);
			return ENOMEM;
		}
	}
	err = gd_load(fs);
	if (err != 0) {
		ext2_unmount(fs);
		return err;
	}
	return 0;
}

void
ext2_unmount(struct ext2_fs *fs)
{
	if (fs->fs_rw)
		ext2_unmount_rw(fs);
	if (fs->fs_sb != NULL)
		kfree(fs->fs_sb, EXT2_SB_SIZE);
	if (fs->fs_gdt != NULL)
		kfree(fs->fs_gdt, (size_t)fs->fs_gdt_blocks << fs->fs_bshift);
	fs->fs_sb = fs->fs_gdt = NULL;
	if (fs->fs_groups != NULL)
		kfree(fs->fs_groups, (size_t)fs->fs_ngroups * sizeof(struct ext2_group));
	if (fs->fs_buf != NULL)
		kfree(fs->fs_buf, fs->fs_bsize);
	for (int l = 0; l < 3; l++) {
		if (fs->fs_ind[l] != NULL)
			kfree(fs->fs_ind[l], fs->fs_bsize);
		fs->fs_ind[l] = NULL;
	}
	fs->fs_groups = NULL;
	fs->fs_buf = NULL;
}

uint32_t
ext2_inode_block(const struct ext2_fs *fs, uint32_t ino, uint32_t *off)
{
	uint32_t g = (ino - 1) / fs->fs_ipg, idx = (ino - 1) % fs->fs_ipg;
	uint64_t byte = (uint64_t)idx * fs->fs_isize;

	*off = (uint32_t)(byte & (fs->fs_bsize - 1));
	return fs->fs_groups[g].eg_inode_table + (uint32_t)(byte >> fs->fs_bshift);
}

int
ext2_iget(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip)
{
	uint32_t b, off;
	const uint8_t *d;
	int err;

	if (ino == 0 || ino > fs->fs_ninodes) {
		fs_log(fs, "inode %u out of range", ino);
		return EIO;
	}
	b = ext2_inode_block(fs, ino, &off);
	err = ext2_buf_get(fs, b);
	if (err != 0)
		return err;
	d = fs->fs_buf + off;
	memset(ip, 0, sizeof(*ip));
	ip->i_ino = ino;
	ip->i_mode = le16(d + DI_MODE);
	ip->i_uid = le16(d + DI_UID) | (uint32_t)le16(d + DI_UID_HIGH) << 16;
	ip->i_size = le32(d + DI_SIZE);
	ip->i_atime = le32(d + DI_ATIME);
	ip->i_ctime = le32(d + DI_CTIME);
	ip->i_mtime = le32(d + DI_MTIME);
	ip->i_dtime = le32(d + DI_DTIME);
	ip->i_gid = le16(d + DI_GID) | (uint32_t)le16(d + DI_GID_HIGH) << 16;
	ip->i_links = le16(d + DI_LINKS);
	ip->i_blocks512 = le32(d + DI_BLOCKS);
	ip->i_flags = le32(d + DI_FLAGS);
	for (int i = 0; i < EXT2_NBLOCKS; i++)
		ip->i_block[i] = le32(d + DI_BLOCK + 4 * i);
	ip->i_file_acl = le32(d + DI_FILE_ACL);
	if ((ip->i_mode & EXT2_S_IFMT) == EXT2_S_IFCHR ||
	    (ip->i_mode & EXT2_S_IFMT) == EXT2_S_IFBLK)
		ip->i_rdev = ip->i_block[0] != 0 ? ip->i_block[0] : ip->i_block[1];
	switch (ip->i_mode & EXT2_S_IFMT) {
	case EXT2_S_IFREG:
		if (fs->fs_rev > EXT2_GOOD_OLD_REV)
			ip->i_size |= (uint64_t)le32(d + DI_SIZE_HIGH) << 32;
		break;
	case EXT2_S_IFDIR:
	case EXT2_S_IFLNK:
	case EXT2_S_IFCHR:
	case EXT2_S_IFBLK:
	case EXT2_S_IFIFO:
	case EXT2_S_IFSOCK:
		break;
	default:
		fs_log(fs, "inode %u: mode 0%o is no file type (a free inode?)", ino, ip->i_mode);
		return EIO;
	}
	if (ip->i_size > fs->fs_maxfile) {
		fs_log(fs, "inode %u: size %llu beyond the block map", ino,
		       (unsigned long long)ip->i_size);
		return EIO;
	}
	return 0;
}

/*
 * Follow one level of indirection: entry idx of the pointer block b. Each level keeps its
 * last block, so a sequential read costs one pointer-block read per level per 1-4 MiB.
 */
static int
ind_step(struct ext2_fs *fs, const struct ext2_inode *ip, uint32_t b, uint64_t idx,
	 uint32_t *out, int level)
{
	int err;

	if (b == 0) {
		*out = 0;
		return 0;
	}
	if (!blk_ok(fs, b)) {
		fs_log(fs, "inode %u: indirect block %u outside the fs", ip->i_ino, b);
		return EIO;
	}
	err = ext2_ind_load(fs, level, b);
	if (err != 0)
		return err;
	*out = le32(fs->fs_ind[level] + 4 * idx);
	return 0;
}

int
ext2_bmap(struct ext2_fs *fs, const struct ext2_inode *ip, uint64_t lblk, uint32_t *pblk)
{
	uint64_t p = fs->fs_ptrs, n = lblk;
	uint32_t b;
	int err = 0, levels;

	if (n < EXT2_NDIR) {
		b = ip->i_block[n];
		levels = 0;
	} else if ((n -= EXT2_NDIR) < p) {
		b = ip->i_block[12];
		levels = 1;
	} else if ((n -= p) < p * p) {
		b = ip->i_block[13];
		levels = 2;
	} else if ((n -= p * p) < p * p * p) {
		b = ip->i_block[14];
		levels = 3;
	} else {
		return EFBIG;
	}
	for (int l = levels - 1; l >= 0 && err == 0; l--) {
		uint64_t div = l == 2 ? p * p : l == 1 ? p : 1;

		err = ind_step(fs, ip, b, (n / div) % p, &b, l);
	}
	if (err != 0)
		return err;
	if (b != 0 && !blk_ok(fs, b)) {
		fs_log(fs, "inode %u: block %llu maps to %u, outside the fs", ip->i_ino,
		       (unsigned long long)lblk, b);
		return EIO;
	}
	*pblk = b;
	return 0;
}

int
ext2_read(struct ext2_fs *fs, const struct ext2_inode *ip, uint64_t off, void *buf,
	  size_t len, size_t *got)
{
	uint8_t *out = buf;
	size_t done = 0;
	int err = 0;

	*got = 0;
	if (off >= ip->i_size)
		return 0;
	if (len > ip->i_size - off)
		len = (size_t)(ip->i_size - off);
	while (done < len) {
		uint64_t pos = off + done, lblk = pos >> fs->fs_bshift;
		uint32_t boff = (uint32_t)(pos & (fs->fs_bsize - 1)), pblk, next;
		size_t n = MIN(len - done, (size_t)(fs->fs_bsize - boff));
		unsigned run = 1;

		err = ext2_bmap(fs, ip, lblk, &pblk);
		if (err != 0)
			break;
		if (pblk == 0) {
			memset(out + done, 0, n);
		} else if (boff == 0 && n == fs->fs_bsize) {
			/* Whole blocks: extend the run while the next ones follow on disk. */
			while (run < EXT2_MAX_RUN && (len - done) >= (size_t)(run + 1) * fs->fs_bsize &&
			       ext2_bmap(fs, ip, lblk + run, &next) == 0 && next == pblk + run)
				run++;
			n = (size_t)run * fs->fs_bsize;
			err = fs->fs_read(fs->fs_ctx, (uint64_t)pblk << fs->fs_bshift, out + done, n);
		} else {
			err = ext2_buf_get(fs, pblk);
			if (err == 0)
				memcpy(out + done, fs->fs_buf + boff, n);
		}
		if (err != 0)
			break;
		done += n;
	}
	*got = done;
	return err;
}

int
ext2_dirent_get(struct ext2_fs *fs, const struct ext2_inode *dir, const uint8_t *blk,
		uint32_t off, uint32_t *ino, uint32_t *rec, uint32_t *nlen, unsigned *ftype)
{
	const uint8_t *e = blk + off;

	if (fs->fs_bsize - off < 8) {
		fs_log(fs, "directory %u: record at offset %u runs past the block", dir->i_ino,
		       off);
		return EIO;
	}
	*ino = le32(e);
	*rec = le16(e + 4);
	*nlen = e[6];
	*ftype = (fs->fs_incompat & INCOMPAT_FILETYPE) ? e[7] : 0;
	if (!(fs->fs_incompat & INCOMPAT_FILETYPE) && e[7] != 0)
		*nlen = EXT2_NAME_MAX + 1; /* a 16-bit name length over 255 */
	/* A 64 KiB block would store rec_len 65536 as 0; blocks here are at most 4 KiB. */
	if (*rec < 8 || (*rec & 3) != 0 || *rec > fs->fs_bsize - off || *nlen > *rec - 8 ||
	    *nlen > EXT2_NAME_MAX || *ino > fs->fs_ninodes || (*ino != 0 && *nlen == 0)) {
		fs_log(fs, "directory %u: bad entry at offset %u", dir->i_ino, off);
		if (fs->fs_rw)
			fs->fs_errors = true;
		return EIO;
	}
	return 0;
}

int
ext2_readdir(struct ext2_fs *fs, const struct ext2_inode *ip, ext2_dir_fn fn, void *arg)
{
	uint64_t nblk;
	uint8_t *blk;
	int err = 0;

	if ((ip->i_mode & EXT2_S_IFMT) != EXT2_S_IFDIR)
		return ENOTDIR;
	if (ip->i_size & (fs->fs_bsize - 1)) {
		fs_log(fs, "directory %u: size %llu not whole blocks", ip->i_ino,
		       (unsigned long long)ip->i_size);
		return EIO;
	}
	nblk = ip->i_size >> fs->fs_bshift;
	blk = kalloc(fs->fs_bsize);
	if (blk == NULL)
		return ENOMEM;
	for (uint64_t l = 0; l < nblk && err == 0; l++) {
		uint32_t pblk, off = 0;

		err = ext2_bmap(fs, ip, l, &pblk);
		if (err == 0 && pblk == 0) {
			fs_log(fs, "directory %u: hole at block %llu", ip->i_ino,
			       (unsigned long long)l);
			err = EIO;
		}
		if (err == 0)
			err = ext2_blk_read(fs, pblk, blk);
		while (err == 0 && off < fs->fs_bsize) {
			uint32_t ino, rec, nlen;
			unsigned ftype;

			err = ext2_dirent_get(fs, ip, blk, off, &ino, &rec, &nlen, &ftype);
			if (err != 0)
				break;
			if (ino != 0) {
				err = fn((const char *)blk + off + 8, nlen, ino, ftype, arg);
				if (err != 0)
					break;
			}
			off += rec;
		}
	}
	kfree(blk, fs->fs_bsize);
	return err;
}

struct lookup_arg {
	const char *la_name;
	unsigned la_len;
	uint32_t la_ino;
};

#define LOOKUP_FOUND (-1) /* stops the walk; not an errno */

static int
lookup_fn(const char *name, unsigned namelen, uint32_t ino, unsigned ftype, void *arg)
{
	struct lookup_arg *la = arg;

	if (namelen != la->la_len || memcmp(name, la->la_name, namelen) != 0)
		return 0;
	la->la_ino = ino;
	return LOOKUP_FOUND;
}

int
ext2_lookup(struct ext2_fs *fs, const struct ext2_inode *dir, const char *name,
	    unsigned namelen, uint32_t *ino)
{
	struct lookup_arg la = { name, namelen, 0 };
	int err = ext2_readdir(fs, dir, lookup_fn, &la);

	if (err == LOOKUP_FOUND) {
		*ino = la.la_ino;
		return 0;
	}
	return err != 0 ? err : ENOENT;
}

int
ext2_readlink(struct ext2_fs *fs, const struct ext2_inode *ip, char *buf, size_t buflen)
{
	uint32_t ea = ip->i_file_acl ? fs->fs_bsize >> 9 : 0;
	size_t got;
	int err;

	if ((ip->i_mode & EXT2_S_IFMT) != EXT2_S_IFLNK)
		return EINVAL;
	if (ip->i_size == 0 || ip->i_size >= fs->fs_bsize) {
		fs_log(fs, "symlink %u: length %llu", ip->i_ino, (unsigned long long)ip->i_size);
		return EIO;
	}
	if (ip->i_size >= buflen)
		return ENAMETOOLONG;
	if (ip->i_blocks512 == ea) {
		/* A fast symlink: the target is in i_block itself (at most 60 bytes). */
		if (ip->i_size > 4 * EXT2_NBLOCKS) {
			fs_log(fs, "symlink %u: fast, but %llu bytes", ip->i_ino,
			       (unsigned long long)ip->i_size);
			return EIO;
		}
		for (size_t k = 0; k < ip->i_size; k++)
			buf[k] = (char)(ip->i_block[k / 4] >> (8 * (k % 4)));
	} else {
		err = ext2_read(fs, ip, 0, buf, (size_t)ip->i_size, &got);
		if (err != 0)
			return err;
		if (got != ip->i_size)
			return EIO;
	}
	buf[ip->i_size] = '\0';
	if (strlen(buf) != ip->i_size) {
		fs_log(fs, "symlink %u: NUL inside the target", ip->i_ino);
		return EIO;
	}
	return 0;
}

int
ext2_namei(struct ext2_fs *fs, const char *path, bool follow, struct ext2_inode *ip)
{
	char *buf, *link;
	const char *p;
	struct ext2_inode cur, next;
	unsigned loops = 0;
	size_t plen = strnlen(path, EXT2_PATH_MAX);
	int err;

	if (plen >= EXT2_PATH_MAX)
		return ENAMETOOLONG;
	err = ext2_iget(fs, EXT2_ROOT_INO, &cur);
	if (err != 0)
		return err;
	buf = kalloc(EXT2_PATH_MAX);
	link = kalloc(EXT2_PATH_MAX);
	if (buf == NULL || link == NULL) {
		err = ENOMEM;
		goto out;
	}
	memcpy(buf, path, plen + 1);
	p = buf;
	for (;;) {
		const char *q, *rest;
		uint32_t ino;
		size_t tl, rl;

		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		for (q = p; *q != '\0' && *q != '/'; q++)
			;
		if (q - p > EXT2_NAME_MAX) {
			err = ENAMETOOLONG;
			break;
		}
		err = ext2_lookup(fs, &cur, p, (unsigned)(q - p), &ino);
		if (err == 0)
			err = ext2_iget(fs, ino, &next);
		if (err != 0)
			break;
		for (rest = q; *rest == '/'; rest++)
			;
		if ((next.i_mode & EXT2_S_IFMT) != EXT2_S_IFLNK || (*rest == '\0' && !follow)) {
			cur = next;
			p = q;
			continue;
		}
		if (++loops > EXT2_SYMLOOP_MAX) {
			err = ELOOP;
			break;
		}
		err = ext2_readlink(fs, &next, link, EXT2_PATH_MAX);
		if (err != 0)
			break;
		tl = strlen(link);
		rl = strlen(rest);
		if (tl + 1 + rl >= EXT2_PATH_MAX) {
			err = ENAMETOOLONG;
			break;
		}
		/* The rest of the path after the target; rest lies in buf, so move it first. */
		memmove(buf + tl + 1, rest, rl + 1);
		memcpy(buf, link, tl);
		buf[tl] = '/';
		if (link[0] == '/') {
			err = ext2_iget(fs, EXT2_ROOT_INO, &cur);
			if (err != 0)
				break;
		}
		p = buf;
	}
	if (err == 0)
		*ip = cur;
out:
	if (buf != NULL)
		kfree(buf, EXT2_PATH_MAX);
	if (link != NULL)
		kfree(link, EXT2_PATH_MAX);
	return err;
}
