/*
 * ext2_alloc.c — the read-write state of an ext2 mount: switching to read-write and back
 * (the superblock's s_state and mount count), the block and inode allocators over the group
 * bitmaps, and writing the superblock and group descriptors back (ext2_sync). After the ext2
 * layout of e2fsprogs' lib/ext2fs/ext2_fs.h; the placement policy is a simple form of
 * Linux ext2's (files near their directory and their previous block, directories spread).
 *
 * The one idea: the free counts live in three places (bitmap bits, group descriptors, the
 * superblock) and change together, in memory, in one function each way (ext2_balloc /
 * ext2_bfree, ext2_ialloc / ext2_ifree); a bitmap that disagrees with its descriptor, or that
 * offers a block of the group's own metadata, is corruption: EIO, and nothing is changed.
 * Bitmaps are cached one group per kind and written back when another group's is needed and
 * at sync; descriptors and the superblock are written at sync, the superblock also at
 * mount_rw (not clean) and unmount (clean).
 */
#include <bsd/fs/ext2/ext2_priv.h>
#include <mach/kern/kalloc.h>

uint32_t
ext2_now(struct ext2_fs *fs)
{
	return fs->fs_clock != NULL ? fs->fs_clock() : le32(fs->fs_sb + SB_WTIME);
}

/* sparse_super: superblock and descriptor backups only in groups 0, 1 and powers of 3, 5, 7. */
static bool
group_has_super(const struct ext2_fs *fs, uint32_t g)
{
	if (!(fs->fs_ro_compat & RO_COMPAT_SPARSE) || g <= 1)
		return true;
	for (uint32_t p = 3; p <= 7; p += 2) {
		uint64_t n = p;

		while (n < g)
			n *= p;
		if (n == g)
			return true;
	}
	return false;
}

static uint32_t
group_first(const struct ext2_fs *fs, uint32_t g)
{
	return fs->fs_first_data_block + g * fs->fs_bpg;
}

static uint32_t
group_nblocks(const struct ext2_fs *fs, uint32_t g)
{
	return MIN(fs->fs_bpg, fs->fs_nblocks - group_first(fs, g));
}

static uint32_t
itable_blocks(const struct ext2_fs *fs)
{
	return (uint32_t)(((uint64_t)fs->fs_ipg * fs->fs_isize + fs->fs_bsize - 1) >>
			  fs->fs_bshift);
}

/* Is b one of group g's own metadata blocks (superblock, descriptors, bitmaps, inode table)? */
static bool
blk_is_meta(const struct ext2_fs *fs, uint32_t g, uint32_t b)
{
	const struct ext2_group *eg = &fs->fs_groups[g];
	uint32_t first = group_first(fs, g);
	uint32_t resv = (fs->fs_compat & COMPAT_RESIZE_INODE) ? le16(fs->fs_sb + SB_RESV_GDT) : 0;

	if (group_has_super(fs, g) && b - first < 1 + fs->fs_gdt_blocks + resv)
		return true;
	return b == eg->eg_block_bitmap || b == eg->eg_inode_bitmap ||
	       b - eg->eg_inode_table < itable_blocks(fs);
}

static int
bitmap_flush(struct ext2_fs *fs, struct ext2_bitmap *bm, bool inodes)
{
	const struct ext2_group *eg;
	int err;

	if (!bm->bm_dirty)
		return 0;
	eg = &fs->fs_groups[bm->bm_group];
	err = ext2_dev_write(fs, inodes ? eg->eg_inode_bitmap : eg->eg_block_bitmap, bm->bm_buf,
			     1);
	if (err == 0)
		bm->bm_dirty = false;
	return err;
}

static bool
bit_get(const uint8_t *map, uint32_t i)
{
	return (map[i >> 3] >> (i & 7)) & 1;
}

static void
bit_flip(uint8_t *map, uint32_t i)
{
	map[i >> 3] ^= (uint8_t)(1u << (i & 7));
}

/* Group g's bitmap of one kind in bm, checked: the group's own metadata must be in use. */
static int
bitmap_load(struct ext2_fs *fs, uint32_t g, bool inodes, struct ext2_bitmap **out)
{
	struct ext2_bitmap *bm = inodes ? &fs->fs_ibm : &fs->fs_bbm;
	const struct ext2_group *eg = &fs->fs_groups[g];
	uint32_t first = group_first(fs, g);
	int err;

	*out = bm;
	if (bm->bm_group == g)
		return 0;
	err = bitmap_flush(fs, bm, inodes);
	if (err != 0)
		return err;
	bm->bm_group = UINT32_MAX;
	err = ext2_blk_read(fs, inodes ? eg->eg_inode_bitmap : eg->eg_block_bitmap, bm->bm_buf);
	if (err != 0)
		return err;
	if (inodes) {
		for (uint32_t i = g * fs->fs_ipg + 1; i < fs->fs_first_ino && i <= (g + 1) *
		     fs->fs_ipg; i++)
			if (!bit_get(bm->bm_buf, i - 1 - g * fs->fs_ipg))
				goto bad;
	} else {
		uint32_t n = group_nblocks(fs, g);

		if ((eg->eg_block_bitmap - first < n && !bit_get(bm->bm_buf, eg->eg_block_bitmap -
								  first)) ||
		    (eg->eg_inode_bitmap - first < n && !bit_get(bm->bm_buf, eg->eg_inode_bitmap -
								  first)))
			goto bad;
		for (uint32_t k = 0; k < itable_blocks(fs); k++)
			if (eg->eg_inode_table + k - first < n &&
			    !bit_get(bm->bm_buf, eg->eg_inode_table + k - first))
				goto bad;
	}
	bm->bm_group = g;
	return 0;
bad:
	fs_corrupt(fs, "group %u: %s bitmap marks the group's own metadata free", g,
		   inodes ? "inode" : "block");
	return EIO;
}

/* The first clear bit in [from, n) of map, or n. */
static uint32_t
bit_find_clear(const uint8_t *map, uint32_t from, uint32_t n)
{
	uint32_t i = from;

	while (i < n) {
		if ((i & 7) == 0 && n - i >= 8 && map[i >> 3] == 0xff) {
			i += 8;
			continue;
		}
		if (!bit_get(map, i))
			return i;
		i++;
	}
	return n;
}

/*
 * XXX: the root reserve (s_r_blocks_count) is not kept from other users: the calls carry no
 * credentials. ext2_statfs reports it in sf_bavail so the VFS can enforce it.
 */
int
ext2_balloc(struct ext2_fs *fs, uint32_t goal, uint32_t *b)
{
	uint32_t g0;

	if (fs->fs_free_blocks == 0)
		return ENOSPC;
	if (!blk_ok(fs, goal))
		goal = fs->fs_first_data_block;
	g0 = (goal - fs->fs_first_data_block) / fs->fs_bpg;
	for (uint32_t k = 0; k < fs->fs_ngroups; k++) {
		uint32_t g = (g0 + k) % fs->fs_ngroups, n = group_nblocks(fs, g), start, i;
		struct ext2_group *eg = &fs->fs_groups[g];
		struct ext2_bitmap *bm;
		int err;

		if (eg->eg_free_blocks == 0)
			continue;
		err = bitmap_load(fs, g, false, &bm);
		if (err != 0)
			return err;
		start = k == 0 ? goal - group_first(fs, g) : 0;
		i = bit_find_clear(bm->bm_buf, start, n);
		if (i == n)
			i = bit_find_clear(bm->bm_buf, 0, start);
		if (i >= n || bit_get(bm->bm_buf, i)) {
			fs_corrupt(fs, "group %u: %u blocks free by its descriptor, none in its "
				   "bitmap", g, eg->eg_free_blocks);
			return EIO;
		}
		if (blk_is_meta(fs, g, group_first(fs, g) + i)) {
			fs_corrupt(fs, "group %u: block bitmap marks metadata block %u free", g,
				   group_first(fs, g) + i);
			return EIO;
		}
		bit_flip(bm->bm_buf, i);
		bm->bm_dirty = true;
		eg->eg_free_blocks--;
		fs->fs_free_blocks--;
		fs->fs_dirty = true;
		*b = group_first(fs, g) + i;
		return 0;
	}
	fs_corrupt(fs, "%u blocks free by the superblock, none in the groups", fs->fs_free_blocks);
	return EIO;
}

int
ext2_bfree(struct ext2_fs *fs, uint32_t b)
{
	struct ext2_bitmap *bm;
	uint32_t g, i;
	int err;

	if (!blk_ok(fs, b)) {
		fs_corrupt(fs, "freeing block %u outside the fs", b);
		return EIO;
	}
	g = (b - fs->fs_first_data_block) / fs->fs_bpg;
	i = b - group_first(fs, g);
	if (blk_is_meta(fs, g, b)) {
		fs_corrupt(fs, "freeing metadata block %u of group %u", b, g);
		return EIO;
	}
	err = bitmap_load(fs, g, false, &bm);
	if (err != 0)
		return err;
	if (!bit_get(bm->bm_buf, i)) {
		fs_corrupt(fs, "freeing block %u, already free", b);
		return EIO;
	}
	bit_flip(bm->bm_buf, i);
	bm->bm_dirty = true;
	fs->fs_groups[g].eg_free_blocks++;
	fs->fs_free_blocks++;
	fs->fs_dirty = true;
	return 0;
}

/* Directories go to the group with the fewest directories among those with free inodes. */
static uint32_t
dir_group(const struct ext2_fs *fs, uint32_t parent_g)
{
	uint32_t best = parent_g;

	for (uint32_t k = 0; k < fs->fs_ngroups; k++) {
		uint32_t g = (parent_g + k) % fs->fs_ngroups;
		const struct ext2_group *eg = &fs->fs_groups[g], *bg = &fs->fs_groups[best];

		if (eg->eg_free_inodes == 0 || eg->eg_free_blocks == 0)
			continue;
		if (bg->eg_free_inodes == 0 || bg->eg_free_blocks == 0 ||
		    eg->eg_used_dirs < bg->eg_used_dirs)
			best = g;
	}
	return best;
}

int
ext2_ialloc(struct ext2_fs *fs, uint32_t dir_ino, bool is_dir, uint32_t *ino)
{
	uint32_t pg = (dir_ino - 1) / fs->fs_ipg, g0;

	if (fs->fs_free_inodes == 0)
		return ENOSPC;
	g0 = is_dir ? dir_group(fs, pg) : pg;
	for (uint32_t k = 0; k < fs->fs_ngroups; k++) {
		uint32_t g = (g0 + k) % fs->fs_ngroups, i;
		struct ext2_group *eg = &fs->fs_groups[g];
		struct ext2_bitmap *bm;
		int err;

		if (eg->eg_free_inodes == 0)
			continue;
		err = bitmap_load(fs, g, true, &bm);
		if (err != 0)
			return err;
		i = bit_find_clear(bm->bm_buf, 0, fs->fs_ipg);
		if (i == fs->fs_ipg) {
			fs_corrupt(fs, "group %u: %u inodes free by its descriptor, none in its "
				   "bitmap", g, eg->eg_free_inodes);
			return EIO;
		}
		bit_flip(bm->bm_buf, i);
		bm->bm_dirty = true;
		eg->eg_free_inodes--;
		fs->fs_free_inodes--;
		if (is_dir)
			eg->eg_used_dirs++;
		fs->fs_dirty = true;
		*ino = g * fs->fs_ipg + i + 1;
		return 0;
	}
	fs_corrupt(fs, "%u inodes free by the superblock, none in the groups", fs->fs_free_inodes);
	return EIO;
}

int
ext2_ifree(struct ext2_fs *fs, uint32_t ino, bool is_dir)
{
	struct ext2_bitmap *bm;
	uint32_t g, i;
	int err;

	if (ino < fs->fs_first_ino || ino > fs->fs_ninodes) {
		fs_corrupt(fs, "freeing inode %u, reserved or out of range", ino);
		return EIO;
	}
	g = (ino - 1) / fs->fs_ipg;
	i = (ino - 1) % fs->fs_ipg;
	err = bitmap_load(fs, g, true, &bm);
	if (err != 0)
		return err;
	if (!bit_get(bm->bm_buf, i)) {
		fs_corrupt(fs, "freeing inode %u, already free", ino);
		return EIO;
	}
	bit_flip(bm->bm_buf, i);
	bm->bm_dirty = true;
	fs->fs_groups[g].eg_free_inodes++;
	fs->fs_free_inodes++;
	if (is_dir && fs->fs_groups[g].eg_used_dirs > 0)
		fs->fs_groups[g].eg_used_dirs--;
	fs->fs_dirty = true;
	return 0;
}

/* Write the primary superblock; and the backups (s_block_group_nr set) when asked. */
static int
sb_write(struct ext2_fs *fs)
{
	uint8_t *sb = fs->fs_sb;
	int err;

	put32(sb + SB_FREE_BLOCKS, fs->fs_free_blocks);
	put32(sb + SB_FREE_INODES, fs->fs_free_inodes);
	put32(sb + SB_WTIME, ext2_now(fs));
	put32(sb + SB_RO_COMPAT, fs->fs_ro_compat);
	put16(sb + SB_GROUP_NR, 0);
	err = fs->fs_write(fs->fs_ctx, EXT2_SB_OFF, sb, EXT2_SB_SIZE);
	for (uint32_t g = 1; err == 0 && fs->fs_sb_backups && g < fs->fs_ngroups; g++) {
		if (!group_has_super(fs, g))
			continue;
		put16(sb + SB_GROUP_NR, (uint16_t)g);
		err = fs->fs_write(fs->fs_ctx, (uint64_t)group_first(fs, g) << fs->fs_bshift, sb,
				   EXT2_SB_SIZE);
		put16(sb + SB_GROUP_NR, 0);
	}
	if (err == 0)
		fs->fs_sb_backups = false;
	return err;
}

int
ext2_sync(struct ext2_fs *fs)
{
	int err;

	if (!fs->fs_rw)
		return 0;
	err = ext2_ind_flush(fs);
	if (err == 0)
		err = bitmap_flush(fs, &fs->fs_bbm, false);
	if (err == 0)
		err = bitmap_flush(fs, &fs->fs_ibm, true);
	if (err != 0 || !fs->fs_dirty)
		return err;
	for (uint32_t g = 0; g < fs->fs_ngroups; g++) {
		uint8_t *d = fs->fs_gdt + (size_t)g * EXT2_GD_SIZE;
		const struct ext2_group *eg = &fs->fs_groups[g];

		put16(d + 12, (uint16_t)eg->eg_free_blocks);
		put16(d + 14, (uint16_t)eg->eg_free_inodes);
		put16(d + 16, (uint16_t)eg->eg_used_dirs);
	}
	err = ext2_dev_write(fs, fs->fs_first_data_block + 1, fs->fs_gdt, fs->fs_gdt_blocks);
	if (err == 0)
		err = sb_write(fs);
	if (err == 0)
		fs->fs_dirty = false;
	return err;
}

static void
rw_free(struct ext2_fs *fs)
{
	if (fs->fs_bbm.bm_buf != NULL)
		kfree(fs->fs_bbm.bm_buf, fs->fs_bsize);
	if (fs->fs_ibm.bm_buf != NULL)
		kfree(fs->fs_ibm.bm_buf, fs->fs_bsize);
	if (fs->fs_scratch != NULL)
		kfree(fs->fs_scratch, fs->fs_bsize);
	fs->fs_bbm.bm_buf = fs->fs_ibm.bm_buf = fs->fs_scratch = NULL;
	fs->fs_rw = false;
}

int
ext2_mount_rw(struct ext2_fs *fs, ext2_write_fn wr)
{
	uint16_t state = le16(fs->fs_sb + SB_STATE);
	uint32_t nfree = 0, ifree = 0;
	int err;

	if (fs->fs_rw)
		return 0;
	if (fs->fs_rev == 0) {
		fs_log(fs, "revision 0: mounted read-only");
		return EROFS;
	}
	if (fs->fs_ro_compat & ~RO_COMPAT_WRITABLE) {
		fs_log(fs, "read-only compatible features 0x%x: mounted read-only",
		       fs->fs_ro_compat & ~RO_COMPAT_WRITABLE);
		return EROFS;
	}
	if (!(state & EXT2_VALID_FS) || (state & EXT2_ERROR_FS)) {
		fs_log(fs, "%s: mounted read-only (run fsck)",
		       (state & EXT2_ERROR_FS) ? "has errors" : "not cleanly unmounted");
		return EROFS;
	}
	for (uint32_t g = 0; g < fs->fs_ngroups; g++) {
		const struct ext2_group *eg = &fs->fs_groups[g];

		if (eg->eg_free_blocks > group_nblocks(fs, g) || eg->eg_free_inodes > fs->fs_ipg ||
		    eg->eg_used_dirs > fs->fs_ipg) {
			fs_log(fs, "group %u: free counts %u/%u larger than the group", g,
			       eg->eg_free_blocks, eg->eg_free_inodes);
			return EIO;
		}
		nfree += eg->eg_free_blocks;
		ifree += eg->eg_free_inodes;
	}
	fs->fs_bbm.bm_buf = kalloc(fs->fs_bsize);
	fs->fs_ibm.bm_buf = kalloc(fs->fs_bsize);
	fs->fs_scratch = kalloc(fs->fs_bsize);
	if (fs->fs_bbm.bm_buf == NULL || fs->fs_ibm.bm_buf == NULL || fs->fs_scratch == NULL) {
		rw_free(fs);
		return ENOMEM;
	}
	fs->fs_bbm.bm_group = fs->fs_ibm.bm_group = UINT32_MAX;
	fs->fs_bbm.bm_dirty = fs->fs_ibm.bm_dirty = false;
	/* As Linux does: the superblock's counts follow the descriptors'. */
	fs->fs_free_blocks = nfree;
	fs->fs_free_inodes = ifree;
	fs->fs_write = wr;
	fs->fs_rw = true;
	fs->fs_errors = false;
	if ((int16_t)le16(fs->fs_sb + SB_MAX_MNT) > 0 &&
	    le16(fs->fs_sb + SB_MNT_COUNT) >= le16(fs->fs_sb + SB_MAX_MNT))
		klog(LOG_WARNING, "ext2 %s: maximal mount count reached, fsck recommended\n",
		     fs->fs_name);
	put16(fs->fs_sb + SB_STATE, state & ~EXT2_VALID_FS);
	put16(fs->fs_sb + SB_MNT_COUNT, (uint16_t)(le16(fs->fs_sb + SB_MNT_COUNT) + 1));
	put32(fs->fs_sb + SB_MTIME, ext2_now(fs));
	err = sb_write(fs);
	if (err != 0) {
		put16(fs->fs_sb + SB_STATE, state);
		rw_free(fs);
	}
	return err;
}

void
ext2_unmount_rw(struct ext2_fs *fs)
{
	uint16_t state = le16(fs->fs_sb + SB_STATE);
	int err = ext2_sync(fs);

	if (err == 0) {
		state = fs->fs_errors ? state | EXT2_ERROR_FS : state | EXT2_VALID_FS;
		put16(fs->fs_sb + SB_STATE, state);
		err = sb_write(fs);
	}
	if (err != 0)
		fs_log(fs, "unmount: write-back failed (error %d): not marked clean", err);
	rw_free(fs);
}

int
ext2_statfs(struct ext2_fs *fs, struct ext2_statfs *sf)
{
	uint32_t bfree = fs->fs_rw ? fs->fs_free_blocks : le32(fs->fs_sb + SB_FREE_BLOCKS);
	uint32_t ifree = fs->fs_rw ? fs->fs_free_inodes : le32(fs->fs_sb + SB_FREE_INODES);
	uint32_t resv = le32(fs->fs_sb + SB_R_BLOCKS);

	sf->sf_bsize = fs->fs_bsize;
	sf->sf_blocks = fs->fs_nblocks;
	sf->sf_bfree = bfree;
	sf->sf_bavail = bfree > resv ? bfree - resv : 0;
	sf->sf_files = fs->fs_ninodes;
	sf->sf_ffree = ifree;
	return 0;
}
