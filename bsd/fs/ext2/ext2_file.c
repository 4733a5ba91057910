/*
 * ext2_file.c — writing ext2 inodes and their data: the block map grown on demand (direct,
 * indirect, double and triple indirect blocks), file writes, truncation in both directions,
 * writing an in-memory inode back, and freeing an inode whose last link and last reference are
 * gone. After the ext2 layout of e2fsprogs' lib/ext2fs/ext2_fs.h (i_block[0..11] direct,
 * [12] indirect, [13] double, [14] triple).
 *
 * The one idea: a hole is a zero pointer and must keep reading as zeros, so every block this
 * code links into a map is written in full first (pointer blocks zero-filled, a data block
 * partly written gets zeros around the data), and truncation zeroes the tail of the new last
 * block; and every change to the map is reflected in i_blocks and written with the inode,
 * also when the call fails part way, so the bitmaps and the inode never disagree on disk.
 */
#include <bsd/fs/ext2/ext2_priv.h>
#include <mach/kern/kalloc.h>

#define LARGE_FILE_SIZE 0x7fffffffull
#define EA_MAGIC	0xea020000u

static void
blocks_add(struct ext2_fs *fs, struct ext2_inode *ip, int sign)
{
	uint32_t per = fs->fs_bsize >> 9;

	if (sign > 0)
		ip->i_blocks512 += per;
	else
		ip->i_blocks512 = ip->i_blocks512 >= per ? ip->i_blocks512 - per : 0;
}

int
ext2_zero_block(struct ext2_fs *fs, uint32_t b)
{
	memset(fs->fs_scratch, 0, fs->fs_bsize);
	return ext2_dev_write(fs, b, fs->fs_scratch, 1);
}

/* Where ip's block lblk should go: after the previous logical block, else in its group. */
static uint32_t
map_goal(struct ext2_fs *fs, const struct ext2_inode *ip, uint64_t lblk)
{
	uint32_t prev = 0;

	if (lblk > 0 && ext2_bmap(fs, ip, lblk - 1, &prev) == 0 && prev != 0)
		return prev + 1;
	return fs->fs_first_data_block + (ip->i_ino - 1) / fs->fs_ipg * fs->fs_bpg;
}

/* A block for ip's map at *goal (then moved past it); pointer blocks are zero-filled. */
static int
map_balloc(struct ext2_fs *fs, struct ext2_inode *ip, uint32_t *goal, bool pointers,
	   uint32_t *b)
{
	int err = ext2_balloc(fs, *goal, b);

	if (err == 0 && pointers) {
		err = ext2_zero_block(fs, *b);
		if (err != 0) {
			(void)ext2_bfree(fs, *b);
			return err;
		}
	}
	if (err == 0) {
		blocks_add(fs, ip, 1);
		*goal = *b + 1;
	}
	return err;
}

int
ext2_bmap_alloc(struct ext2_fs *fs, struct ext2_inode *ip, uint64_t lblk, uint32_t *pblk,
		bool *fresh)
{
	uint64_t p = fs->fs_ptrs, n = lblk;
	uint32_t *slot, b, goal = 0;
	int levels, err;

	*fresh = false;
	if (n < EXT2_NDIR) {
		slot = &ip->i_block[n];
		levels = 0;
	} else if ((n -= EXT2_NDIR) < p) {
		slot = &ip->i_block[12];
		levels = 1;
	} else if ((n -= p) < p * p) {
		slot = &ip->i_block[13];
		levels = 2;
	} else if ((n -= p * p) < p * p * p) {
		slot = &ip->i_block[14];
		levels = 3;
	} else {
		return EFBIG;
	}
	b = *slot;
	/*
	 * The goal is found before the walk: ext2_bmap() goes through the fs_ind[] blocks that
	 * the walk below edits in place. Zero-filling a new block only drops a cached copy of
	 * that block, never the one being edited.
	 */
	if (b == 0 || levels > 0)
		goal = map_goal(fs, ip, lblk);
	if (b == 0) {
		err = map_balloc(fs, ip, &goal, levels > 0, &b);
		if (err != 0)
			return err;
		*slot = b;
		*fresh = levels == 0;
	}
	for (int l = levels - 1; l >= 0; l--) {
		uint64_t div = l == 2 ? p * p : l == 1 ? p : 1;
		uint8_t *e;
		uint32_t nb;

		if (!blk_ok(fs, b)) {
			fs_corrupt(fs, "inode %u: indirect block %u outside the fs", ip->i_ino, b);
			return EIO;
		}
		err = ext2_ind_load(fs, l, b);
		if (err != 0)
			return err;
		e = fs->fs_ind[l] + 4 * ((n / div) % p);
		nb = le32(e);
		if (nb == 0) {
			err = map_balloc(fs, ip, &goal, l > 0, &nb);
			if (err != 0)
				return err;
			/* Written when the level moves on, or by ext2_ind_flush at the end. */
			put32(e, nb);
			fs->fs_ind_dirty[l] = true;
			*fresh = l == 0;
		}
		b = nb;
	}
	if (!blk_ok(fs, b)) {
		fs_corrupt(fs, "inode %u: block %llu maps to %u, outside the fs", ip->i_ino,
			   (unsigned long long)lblk, b);
		return EIO;
	}
	*pblk = b;
	return 0;
}

int
ext2_iupdate(struct ext2_fs *fs, const struct ext2_inode *ip)
{
	uint32_t b, off, type = ip->i_mode & EXT2_S_IFMT;
	uint8_t *d;
	int err;

	if (!fs->fs_rw)
		return EROFS;
	if (ip->i_ino == 0 || ip->i_ino > fs->fs_ninodes) {
		fs_log(fs, "inode %u out of range", ip->i_ino);
		return EIO;
	}
	b = ext2_inode_block(fs, ip->i_ino, &off);
	err = ext2_buf_get(fs, b);
	if (err != 0)
		return err;
	d = fs->fs_buf + off;
	put16(d + DI_MODE, ip->i_mode);
	put16(d + DI_UID, (uint16_t)ip->i_uid);
	put16(d + DI_UID_HIGH, (uint16_t)(ip->i_uid >> 16));
	put16(d + DI_GID, (uint16_t)ip->i_gid);
	put16(d + DI_GID_HIGH, (uint16_t)(ip->i_gid >> 16));
	put32(d + DI_SIZE, (uint32_t)ip->i_size);
	if (type == EXT2_S_IFREG)
		put32(d + DI_SIZE_HIGH, (uint32_t)(ip->i_size >> 32));
	put32(d + DI_ATIME, ip->i_atime);
	put32(d + DI_CTIME, ip->i_ctime);
	put32(d + DI_MTIME, ip->i_mtime);
	put32(d + DI_DTIME, ip->i_dtime);
	put16(d + DI_LINKS, ip->i_links);
	put32(d + DI_BLOCKS, ip->i_blocks512);
	put32(d + DI_FLAGS, ip->i_flags);
	put32(d + DI_FILE_ACL, ip->i_file_acl);
	for (int i = 0; i < EXT2_NBLOCKS; i++) {
		uint32_t v = ip->i_block[i];

		if (type == EXT2_S_IFCHR || type == EXT2_S_IFBLK) {
			/* Old encoding in i_block[0] when it fits 16 bits, else new in [1]. */
			v = 0;
			if (i == 0 && ip->i_rdev < 0x10000)
				v = ip->i_rdev;
			else if (i == 1 && ip->i_rdev >= 0x10000)
				v = ip->i_rdev;
		}
		put32(d + DI_BLOCK + 4 * i, v);
	}
	return ext2_dev_write(fs, b, fs->fs_buf, 1);
}

static void
note_large_file(struct ext2_fs *fs, const struct ext2_inode *ip)
{
	if (ip->i_size > LARGE_FILE_SIZE && !(fs->fs_ro_compat & RO_COMPAT_LARGE_FILE)) {
		fs->fs_ro_compat |= RO_COMPAT_LARGE_FILE;
		fs->fs_dirty = true;
		fs->fs_sb_backups = true;
	}
}

int
ext2_write(struct ext2_fs *fs, struct ext2_inode *ip, uint64_t off, const void *buf,
	   size_t len)
{
	if (!fs->fs_rw)
		return EROFS;
	if ((ip->i_mode & EXT2_S_IFMT) == EXT2_S_IFDIR)
		return EISDIR;
	if ((ip->i_mode & EXT2_S_IFMT) != EXT2_S_IFREG &&
	    ((ip->i_mode & EXT2_S_IFMT) != EXT2_S_IFLNK || ext2_fast_symlink(fs, ip)))
		return EINVAL;
	return ext2_write_data(fs, ip, off, buf, len);
}

int
ext2_write_data(struct ext2_fs *fs, struct ext2_inode *ip, uint64_t off, const void *buf,
		size_t len)
{
	const uint8_t *src = buf;
	size_t done = 0;
	int err = 0, err2;

	if (len == 0)
		return 0;
	if (off > fs->fs_maxfile || len > fs->fs_maxfile - off)
		return EFBIG;
	while (done < len) {
		uint64_t pos = off + done, lblk = pos >> fs->fs_bshift;
		uint32_t boff = (uint32_t)(pos & (fs->fs_bsize - 1)), pblk, next;
		size_t n = MIN(len - done, (size_t)(fs->fs_bsize - boff));
		unsigned run = 1;
		bool fresh;

		err = ext2_bmap_alloc(fs, ip, lblk, &pblk, &fresh);
		if (err != 0)
			break;
		if (boff == 0 && n == fs->fs_bsize) {
			/* Whole blocks: one request while the next ones follow on disk. */
			while (run < EXT2_MAX_RUN &&
			       len - done >= (size_t)(run + 1) * fs->fs_bsize &&
			       ext2_bmap_alloc(fs, ip, lblk + run, &next, &fresh) == 0 &&
			       next == pblk + run)
				run++;
			n = (size_t)run * fs->fs_bsize;
			err = ext2_dev_write(fs, pblk, src + done, run);
		} else if (fresh || (lblk << fs->fs_bshift) >= ip->i_size) {
			/* Nothing of the file is in this block yet: zeros around the data. */
			memset(fs->fs_scratch, 0, fs->fs_bsize);
			memcpy(fs->fs_scratch + boff, src + done, n);
			err = ext2_dev_write(fs, pblk, fs->fs_scratch, 1);
		} else {
			err = ext2_buf_get(fs, pblk);
			if (err == 0) {
				memcpy(fs->fs_buf + boff, src + done, n);
				err = ext2_dev_write(fs, pblk, fs->fs_buf, 1);
			}
		}
		if (err != 0)
			break;
		done += n;
	}
	err2 = ext2_ind_flush(fs);
	if (err == 0)
		err = err2;
	if (done > 0 && off + done > ip->i_size)
		ip->i_size = off + done;
	if (done > 0) {
		ip->i_mtime = ip->i_ctime = ext2_now(fs);
		note_large_file(fs, ip);
	}
	err2 = ext2_iupdate(fs, ip);
	return err != 0 ? err : err2;
}

/*
 * Free what the map subtree at *slot holds from its relative block from on; depth 0 is a data
 * block, 1-3 a pointer block. A pointer block left with entries is rewritten, one left empty
 * is freed and *slot cleared. Recursion is at most three deep, one block buffer each.
 */
static int
trunc_tree(struct ext2_fs *fs, struct ext2_inode *ip, uint32_t *slot, int depth, uint64_t from)
{
	uint64_t span = 1;
	uint8_t *buf;
	bool dirty = false;
	int err = 0, err2 = 0;

	if (*slot == 0)
		return 0;
	if (depth == 0) {
		if (from != 0)
			return 0;
		err = ext2_bfree(fs, *slot);
		if (err == 0) {
			*slot = 0;
			blocks_add(fs, ip, -1);
		}
		return err;
	}
	if (!blk_ok(fs, *slot)) {
		fs_corrupt(fs, "inode %u: indirect block %u outside the fs", ip->i_ino, *slot);
		return EIO;
	}
	for (int d = 1; d < depth; d++)
		span *= fs->fs_ptrs;
	buf = kalloc(fs->fs_bsize);
	if (buf == NULL)
		return ENOMEM;
	err = ext2_blk_read(fs, *slot, buf);
	for (uint64_t i = from / span; err == 0 && i < fs->fs_ptrs; i++) {
		uint32_t c = le32(buf + 4 * i), was = c;

		if (c == 0)
			continue;
		err = trunc_tree(fs, ip, &c, depth - 1, i == from / span ? from % span : 0);
		if (c != was) {
			put32(buf + 4 * i, c);
			dirty = true;
		}
	}
	if (err == 0 && from == 0) {
		err = ext2_bfree(fs, *slot);
		if (err == 0) {
			*slot = 0;
			blocks_add(fs, ip, -1);
		}
	} else if (dirty) {
		err2 = ext2_dev_write(fs, *slot, buf, 1);
	}
	kfree(buf, fs->fs_bsize);
	return err != 0 ? err : err2;
}

/* Free every block of ip's map from logical block keep on. */
static int
trunc_from(struct ext2_fs *fs, struct ext2_inode *ip, uint64_t keep)
{
	uint64_t start = EXT2_NDIR, span = fs->fs_ptrs;
	int err = 0;

	for (uint64_t i = keep; i < EXT2_NDIR && err == 0; i++)
		err = trunc_tree(fs, ip, &ip->i_block[i], 0, 0);
	for (int lev = 1; lev <= 3 && err == 0; lev++) {
		uint64_t from = keep > start ? keep - start : 0;

		if (from < span)
			err = trunc_tree(fs, ip, &ip->i_block[EXT2_NDIR - 1 + lev], lev, from);
		start += span;
		span *= fs->fs_ptrs;
	}
	return err;
}

int
ext2_truncate(struct ext2_fs *fs, struct ext2_inode *ip, uint64_t size)
{
	uint32_t boff = (uint32_t)(size & (fs->fs_bsize - 1)), pblk;
	int err = 0, err2;

	if (!fs->fs_rw)
		return EROFS;
	if ((ip->i_mode & EXT2_S_IFMT) == EXT2_S_IFDIR)
		return EISDIR;
	if ((ip->i_mode & EXT2_S_IFMT) != EXT2_S_IFREG)
		return EINVAL;
	if (size > fs->fs_maxfile)
		return EFBIG;
	if (size < ip->i_size) {
		/* Zero the rest of the new last block: growing again must show zeros there. */
		if (boff != 0) {
			err = ext2_bmap(fs, ip, size >> fs->fs_bshift, &pblk);
			if (err == 0 && pblk != 0)
				err = ext2_buf_get(fs, pblk);
			if (err == 0 && pblk != 0) {
				memset(fs->fs_buf + boff, 0, fs->fs_bsize - boff);
				err = ext2_dev_write(fs, pblk, fs->fs_buf, 1);
			}
		}
		if (err == 0)
			err = trunc_from(fs, ip, (size + fs->fs_bsize - 1) >> fs->fs_bshift);
	}
	if (err == 0)
		ip->i_size = size;
	ip->i_mtime = ip->i_ctime = ext2_now(fs);
	note_large_file(fs, ip);
	err2 = ext2_iupdate(fs, ip);
	return err != 0 ? err : err2;
}

/* Drop ip's hold on its extended-attribute block (shared blocks count their users). */
static int
ea_release(struct ext2_fs *fs, struct ext2_inode *ip)
{
	uint32_t b = ip->i_file_acl, refs;
	int err;

	if (b == 0)
		return 0;
	if (!blk_ok(fs, b)) {
		fs_corrupt(fs, "inode %u: attribute block %u outside the fs", ip->i_ino, b);
		return EIO;
	}
	err = ext2_blk_read(fs, b, fs->fs_scratch);
	if (err != 0)
		return err;
	refs = le32(fs->fs_scratch + 4);
	if (le32(fs->fs_scratch) != EA_MAGIC || refs == 0) {
		fs_corrupt(fs, "inode %u: attribute block %u has no attribute header", ip->i_ino,
			   b);
		return EIO;
	}
	if (refs > 1) {
		put32(fs->fs_scratch + 4, refs - 1);
		err = ext2_dev_write(fs, b, fs->fs_scratch, 1);
	} else {
		err = ext2_bfree(fs, b);
	}
	if (err == 0) {
		ip->i_file_acl = 0;
		blocks_add(fs, ip, -1);
	}
	return err;
}

int
ext2_free_all(struct ext2_fs *fs, struct ext2_inode *ip)
{
	int err = 0;

	if (ext2_has_blocks(fs, ip))
		err = trunc_from(fs, ip, 0);
	if (err == 0)
		err = ea_release(fs, ip);
	return err;
}

int
ext2_release(struct ext2_fs *fs, struct ext2_inode *ip)
{
	bool is_dir = (ip->i_mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
	int err;

	if (ip->i_links != 0)
		return 0;
	if (!fs->fs_rw)
		return EROFS;
	if (ip->i_ino < fs->fs_first_ino || ip->i_ino > fs->fs_ninodes) {
		fs_corrupt(fs, "inode %u: reserved inode with no links", ip->i_ino);
		return EIO;
	}
	err = ext2_free_all(fs, ip);
	if (err == 0 && ext2_has_blocks(fs, ip))
		ip->i_size = 0;
	if (err != 0) {
		/* Keep the inode allocated: what is left of its map is still accounted to it. */
		(void)ext2_iupdate(fs, ip);
		return err;
	}
	ip->i_dtime = ext2_now(fs);
	err = ext2_iupdate(fs, ip);
	if (err == 0)
		err = ext2_ifree(fs, ip->i_ino, is_dir);
	return err;
}
