/*
 * ext2_dir.c — changing ext2 directories: new inodes of every type (files, directories with
 * "." and "..", device nodes, FIFOs, sockets, fast and slow symlinks), hard links, unlink,
 * rmdir and POSIX rename. Directory records follow the linked format of e2fsprogs'
 * lib/ext2fs/ext2_fs.h (struct ext2_dir_entry_2, with the file type byte when the filetype
 * feature is on).
 *
 * The one idea: a directory block is a chain of records whose rec_len always adds up to the
 * block. A new entry takes the slack at the end of a live record (which shrinks to its own
 * size) or a free record, else a new block; a removed entry is folded into the record before
 * it (or, first in its block, marked free). Every record is checked (ext2_dirent_get) before
 * any is changed, so a broken chain is EIO and never made worse.
 */
#include <bsd/fs/ext2/ext2_priv.h>
#include <mach/kern/kalloc.h>

#define REC_LEN(nlen) ((8u + (nlen) + 3u) & ~3u)
#define NO_PREV	      UINT32_MAX
#define WALK_MAX      65536u /* ".." steps before a loop in the tree is called corruption */

/* Where a name was found: its record, and the record before it in the same block. */
struct dirslot {
	uint32_t ds_pblk, ds_off, ds_prev, ds_ino;
};

static unsigned
ftype_of(uint16_t mode)
{
	switch (mode & EXT2_S_IFMT) {
	case EXT2_S_IFREG:
		return EXT2_FT_REG;
	case EXT2_S_IFDIR:
		return EXT2_FT_DIR;
	case EXT2_S_IFCHR:
		return EXT2_FT_CHR;
	case EXT2_S_IFBLK:
		return EXT2_FT_BLK;
	case EXT2_S_IFIFO:
		return EXT2_FT_FIFO;
	case EXT2_S_IFSOCK:
		return EXT2_FT_SOCK;
	case EXT2_S_IFLNK:
		return EXT2_FT_SYMLINK;
	default:
		return EXT2_FT_UNKNOWN;
	}
}

static bool
is_dot(const char *name, size_t len)
{
	return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

static int
name_check(const char *name, size_t len)
{
	if (len == 0)
		return EINVAL;
	for (size_t i = 0; i < len; i++)
		if (name[i] == '/' || name[i] == '\0')
			return EINVAL;
	return len > EXT2_NAME_MAX ? ENAMETOOLONG : 0;
}

static int
dir_check(struct ext2_fs *fs, const struct ext2_inode *dir)
{
	if (!fs->fs_rw)
		return EROFS;
	if ((dir->i_mode & EXT2_S_IFMT) != EXT2_S_IFDIR)
		return ENOTDIR;
	if (dir->i_links == 0)
		return ENOENT; /* removed while the caller held it */
	if ((dir->i_size & (fs->fs_bsize - 1)) != 0) {
		fs_corrupt(fs, "directory %u: size %llu not whole blocks", dir->i_ino,
			   (unsigned long long)dir->i_size);
		return EIO;
	}
	return 0;
}

/* Block l of directory dir into blk; a hole is corruption. */
static int
dir_block(struct ext2_fs *fs, const struct ext2_inode *dir, uint64_t l, uint8_t *blk,
	  uint32_t *pblk)
{
	int err = ext2_bmap(fs, dir, l, pblk);

	if (err == 0 && *pblk == 0) {
		fs_corrupt(fs, "directory %u: hole at block %llu", dir->i_ino,
			   (unsigned long long)l);
		err = EIO;
	}
	return err != 0 ? err : ext2_blk_read(fs, *pblk, blk);
}

/* Find name in dir; on success blk holds the block that has it. ENOENT, EIO. */
static int
dir_find(struct ext2_fs *fs, const struct ext2_inode *dir, const char *name, size_t len,
	 uint8_t *blk, struct dirslot *ds)
{
	uint64_t nblk = dir->i_size >> fs->fs_bshift;

	for (uint64_t l = 0; l < nblk; l++) {
		uint32_t off = 0, prev = NO_PREV, pblk;
		int err = dir_block(fs, dir, l, blk, &pblk);

		while (err == 0 && off < fs->fs_bsize) {
			uint32_t ino, rec, nlen;
			unsigned ft;

			err = ext2_dirent_get(fs, dir, blk, off, &ino, &rec, &nlen, &ft);
			if (err != 0)
				break;
			if (ino != 0 && nlen == len && memcmp(blk + off + 8, name, len) == 0) {
				ds->ds_pblk = pblk;
				ds->ds_off = off;
				ds->ds_prev = prev;
				ds->ds_ino = ino;
				return 0;
			}
			prev = off;
			off += rec;
		}
		if (err != 0)
			return err;
	}
	return ENOENT;
}

static void
dirent_put(struct ext2_fs *fs, uint8_t *e, uint32_t ino, uint32_t rec, const char *name,
	   size_t len, unsigned ftype)
{
	put32(e, ino);
	put16(e + 4, (uint16_t)rec);
	e[6] = (uint8_t)len;
	e[7] = (fs->fs_incompat & INCOMPAT_FILETYPE) ? (uint8_t)ftype : 0;
	memcpy(e + 8, name, len);
	memset(e + 8 + len, 0, REC_LEN(len) - 8 - len);
}

/* The directory changed: times, and an htree index (which we do not keep) is dropped. */
static int
dir_touch(struct ext2_fs *fs, struct ext2_inode *dir)
{
	dir->i_mtime = dir->i_ctime = ext2_now(fs);
	dir->i_flags &= ~EXT2_INDEX_FL;
	return ext2_iupdate(fs, dir);
}

/* Add the entry name -> ino to dir (the caller has checked that name is not there). */
static int
dir_add(struct ext2_fs *fs, struct ext2_inode *dir, const char *name, size_t len, uint32_t ino,
	unsigned ftype, uint8_t *blk)
{
	uint64_t nblk = dir->i_size >> fs->fs_bshift;
	uint32_t need = REC_LEN(len), pblk;
	bool fresh;
	int err, err2;

	for (uint64_t l = 0; l < nblk; l++) {
		uint32_t off = 0;

		err = dir_block(fs, dir, l, blk, &pblk);
		while (err == 0 && off < fs->fs_bsize) {
			uint32_t eino, rec, nlen, used;
			unsigned ft;

			err = ext2_dirent_get(fs, dir, blk, off, &eino, &rec, &nlen, &ft);
			if (err != 0)
				break;
			used = eino != 0 ? REC_LEN(nlen) : 0;
			if (rec - used >= need) {
				if (used != 0)
					put16(blk + off + 4, (uint16_t)used);
				dirent_put(fs, blk + off + used, ino, rec - used, name, len, ftype);
				err = ext2_dev_write(fs, pblk, blk, 1);
				return err != 0 ? err : dir_touch(fs, dir);
			}
			off += rec;
		}
		if (err != 0)
			return err;
	}
	/* No room: a new block holding one record as long as the block. */
	if (nblk >= fs->fs_maxfile >> fs->fs_bshift)
		return EFBIG;
	err = ext2_bmap_alloc(fs, dir, nblk, &pblk, &fresh);
	err2 = ext2_ind_flush(fs);
	if (err == 0)
		err = err2;
	if (err == 0) {
		memset(blk, 0, fs->fs_bsize);
		dirent_put(fs, blk, ino, fs->fs_bsize, name, len, ftype);
		err = ext2_dev_write(fs, pblk, blk, 1);
		if (err == 0)
			dir->i_size += fs->fs_bsize;
	}
	/* Written also on failure: the map may have gained an indirect block. */
	err2 = dir_touch(fs, dir);
	return err != 0 ? err : err2;
}

/* Remove the record at ds (blk holds its block, from dir_find). */
static int
dir_remove(struct ext2_fs *fs, struct ext2_inode *dir, uint8_t *blk, const struct dirslot *ds)
{
	int err;

	if (ds->ds_prev == NO_PREV) {
		put32(blk + ds->ds_off, 0);
	} else {
		uint8_t *prev = blk + ds->ds_prev;

		put16(prev + 4, (uint16_t)(le16(prev + 4) + le16(blk + ds->ds_off + 4)));
	}
	err = ext2_dev_write(fs, ds->ds_pblk, blk, 1);
	return err != 0 ? err : dir_touch(fs, dir);
}

/* Point the record at ds to ino (file type ftype). */
static int
dir_repoint(struct ext2_fs *fs, struct ext2_inode *dir, uint8_t *blk, const struct dirslot *ds,
	    uint32_t ino, unsigned ftype)
{
	int err;

	put32(blk + ds->ds_off, ino);
	if (fs->fs_incompat & INCOMPAT_FILETYPE)
		blk[ds->ds_off + 7] = (uint8_t)ftype;
	err = ext2_dev_write(fs, ds->ds_pblk, blk, 1);
	return err != 0 ? err : dir_touch(fs, dir);
}

#define NOT_EMPTY (-1) /* stops the walk; not an errno */

static int
empty_fn(const char *name, unsigned len, uint32_t ino, unsigned ftype, void *arg)
{
	return is_dot(name, len) ? 0 : NOT_EMPTY;
}

static int
dir_empty(struct ext2_fs *fs, const struct ext2_inode *dir)
{
	int err = ext2_readdir(fs, dir, empty_fn, NULL);

	return err == NOT_EMPTY ? ENOTEMPTY : err;
}

/* A fresh on-disk inode: zeros, and the extra-size field of large inodes. */
static int
inode_init(struct ext2_fs *fs, uint32_t ino)
{
	uint32_t off, b = ext2_inode_block(fs, ino, &off), extra;
	int err = ext2_buf_get(fs, b);

	if (err != 0)
		return err;
	memset(fs->fs_buf + off, 0, fs->fs_isize);
	if (fs->fs_isize > 128) {
		extra = le16(fs->fs_sb + SB_WANT_EXTRA);
		if (extra == 0 || extra > fs->fs_isize - 128 || (extra & 3) != 0)
			extra = MIN(32u, fs->fs_isize - 128);
		put16(fs->fs_buf + off + DI_EXTRA_ISIZE, (uint16_t)extra);
	}
	return ext2_dev_write(fs, b, fs->fs_buf, 1);
}

/* The first block of a new directory: "." and "..". */
static int
dir_init(struct ext2_fs *fs, struct ext2_inode *ip, uint32_t parent, uint8_t *blk)
{
	uint32_t pblk;
	bool fresh;
	int err = ext2_bmap_alloc(fs, ip, 0, &pblk, &fresh); /* a direct block: nothing to flush */

	if (err != 0)
		return err;
	memset(blk, 0, fs->fs_bsize);
	dirent_put(fs, blk, ip->i_ino, 12, ".", 1, EXT2_FT_DIR);
	dirent_put(fs, blk + 12, parent, fs->fs_bsize - 12, "..", 2, EXT2_FT_DIR);
	err = ext2_dev_write(fs, pblk, blk, 1);
	if (err == 0)
		ip->i_size = fs->fs_bsize;
	return err;
}

/* Checks shared by everything that adds a name to dir. */
static int
add_check(struct ext2_fs *fs, struct ext2_inode *dir, const char *name, size_t len)
{
	uint32_t ino;
	int err = dir_check(fs, dir);

	if (err == 0)
		err = name_check(name, len);
	if (err == 0 && is_dot(name, len))
		err = EEXIST;
	if (err == 0) {
		err = ext2_lookup(fs, dir, name, (unsigned)len, &ino);
		err = err == 0 ? EEXIST : err == ENOENT ? 0 : err;
	}
	return err;
}

/* Make a new inode of any type and link it into dir as name. */
static int
make_node(struct ext2_fs *fs, struct ext2_inode *dir, const char *name, size_t len,
	  uint16_t mode, uint32_t rdev, const char *target, uint32_t uid, uint32_t gid,
	  struct ext2_inode *out)
{
	bool is_dir = (mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
	size_t tlen = target != NULL ? strnlen(target, fs->fs_bsize) : 0;
	uint8_t *blk;
	uint32_t ino;
	int err;

	err = add_check(fs, dir, name, len);
	if (err != 0)
		return err;
	if (ftype_of(mode) == EXT2_FT_UNKNOWN || (target == NULL) != (ftype_of(mode) !=
								       EXT2_FT_SYMLINK))
		return EINVAL;
	if (target != NULL && (tlen == 0 || tlen >= fs->fs_bsize))
		return tlen == 0 ? EINVAL : ENAMETOOLONG;
	if (is_dir && dir->i_links >= EXT2_LINK_MAX)
		return EMLINK;
	blk = kalloc(fs->fs_bsize);
	if (blk == NULL)
		return ENOMEM;
	err = ext2_ialloc(fs, dir->i_ino, is_dir, &ino);
	if (err != 0)
		goto out;
	memset(out, 0, sizeof(*out));
	out->i_ino = ino;
	out->i_mode = mode;
	out->i_uid = uid;
	out->i_gid = gid;
	out->i_atime = out->i_ctime = out->i_mtime = ext2_now(fs);
	out->i_links = is_dir ? 2 : 1;
	if (ftype_of(mode) == EXT2_FT_CHR || ftype_of(mode) == EXT2_FT_BLK)
		out->i_rdev = rdev;
	err = inode_init(fs, ino);
	if (err == 0 && is_dir)
		err = dir_init(fs, out, dir->i_ino, blk);
	if (err == 0 && target != NULL && tlen < 4 * EXT2_NBLOCKS) {
		/* A fast symlink: the target in i_block, as ext2_readlink reads it. */
		for (size_t k = 0; k < tlen; k++)
			out->i_block[k / 4] |= (uint32_t)(uint8_t)target[k] << (8 * (k % 4));
		out->i_size = tlen;
	} else if (err == 0 && target != NULL) {
		err = ext2_write_data(fs, out, 0, target, tlen);
	}
	if (err == 0)
		err = ext2_iupdate(fs, out);
	if (err == 0)
		err = dir_add(fs, dir, name, len, ino, ftype_of(mode), blk);
	if (err != 0) {
		/* Undo: the inode and whatever it got go back to the free pool. */
		out->i_links = 0;
		(void)ext2_release(fs, out);
		goto out;
	}
	if (is_dir) {
		dir->i_links++;
		err = ext2_iupdate(fs, dir);
	}
out:
	kfree(blk, fs->fs_bsize);
	return err;
}

int
ext2_mknod(struct ext2_fs *fs, struct ext2_inode *dir, const char *name, size_t namelen,
	   uint16_t mode, uint32_t rdev, uint32_t uid, uint32_t gid, struct ext2_inode *out)
{
	if ((mode & EXT2_S_IFMT) == EXT2_S_IFLNK)
		return EINVAL;
	return make_node(fs, dir, name, namelen, mode, rdev, NULL, uid, gid, out);
}

int
ext2_create(struct ext2_fs *fs, struct ext2_inode *dir, const char *name, size_t namelen,
	    uint16_t mode, uint32_t uid, uint32_t gid, struct ext2_inode *out)
{
	return ext2_mknod(fs, dir, name, namelen, mode, 0, uid, gid, out);
}

int
ext2_symlink(struct ext2_fs *fs, struct ext2_inode *dir, const char *name, size_t namelen,
	     const char *target, uint32_t uid, uint32_t gid, struct ext2_inode *out)
{
	return make_node(fs, dir, name, namelen, EXT2_S_IFLNK | 0777, 0, target, uid, gid, out);
}

int
ext2_link(struct ext2_fs *fs, struct ext2_inode *dir, const char *name, size_t namelen,
	  struct ext2_inode *ip)
{
	uint8_t *blk;
	int err = add_check(fs, dir, name, namelen);

	if (err != 0)
		return err;
	if ((ip->i_mode & EXT2_S_IFMT) == EXT2_S_IFDIR)
		return EPERM;
	if (ip->i_links == 0)
		return ENOENT;
	if (ip->i_links >= EXT2_LINK_MAX)
		return EMLINK;
	blk = kalloc(fs->fs_bsize);
	if (blk == NULL)
		return ENOMEM;
	err = dir_add(fs, dir, name, namelen, ip->i_ino, ftype_of(ip->i_mode), blk);
	kfree(blk, fs->fs_bsize);
	if (err != 0)
		return err;
	ip->i_links++;
	ip->i_ctime = ext2_now(fs);
	return ext2_iupdate(fs, ip);
}

/* Look name up in dir for removal: its slot (blk holds the block) and its inode. */
static int
remove_lookup(struct ext2_fs *fs, struct ext2_inode *dir, const char *name, size_t len,
	      uint8_t *blk, struct dirslot *ds, struct ext2_inode *victim)
{
	int err = dir_find(fs, dir, name, len, blk, ds);

	return err != 0 ? err : ext2_iget(fs, ds->ds_ino, victim);
}

/* One link of ip went away (its on-disk copy; the caller re-reads any other). */
static int
drop_link(struct ext2_fs *fs, struct ext2_inode *ip)
{
	if (ip->i_links == 0)
		fs_corrupt(fs, "inode %u: a name left with no link counted", ip->i_ino);
	else
		ip->i_links--;
	ip->i_ctime = ext2_now(fs);
	return ext2_iupdate(fs, ip);
}

/*
 * unlink and rmdir: check dir and name, find the entry, check what it names (a directory, and
 * an empty one, exactly when rmdir), and take it out of dir. *victim gets its inode; links and
 * times are the caller's to change.
 */
static int
remove_name(struct ext2_fs *fs, struct ext2_inode *dir, const char *name, size_t namelen,
	    bool rmdir, struct ext2_inode *victim)
{
	struct dirslot ds;
	uint8_t *blk;
	int err = dir_check(fs, dir);

	if (err == 0)
		err = name_check(name, namelen);
	if (err == 0 && is_dot(name, namelen))
		err = rmdir ? EINVAL : EISDIR;
	if (err != 0)
		return err;
	blk = kalloc(fs->fs_bsize);
	if (blk == NULL)
		return ENOMEM;
	err = remove_lookup(fs, dir, name, namelen, blk, &ds, victim);
	if (err == 0 && ((victim->i_mode & EXT2_S_IFMT) == EXT2_S_IFDIR) != rmdir)
		err = rmdir ? ENOTDIR : EISDIR;
	if (err == 0 && rmdir)
		err = dir_empty(fs, victim);
	/* dir_empty read through other buffers: blk still holds the entry's block. */
	if (err == 0)
		err = dir_remove(fs, dir, blk, &ds);
	kfree(blk, fs->fs_bsize);
	return err;
}

int
ext2_unlink(struct ext2_fs *fs, struct ext2_inode *dir, const char *name, size_t namelen)
{
	struct ext2_inode victim;
	int err = remove_name(fs, dir, name, namelen, false, &victim);

	return err != 0 ? err : drop_link(fs, &victim);
}

int
ext2_rmdir(struct ext2_fs *fs, struct ext2_inode *dir, const char *name, size_t namelen)
{
	struct ext2_inode victim;
	int err = remove_name(fs, dir, name, namelen, true, &victim);

	if (err == 0) {
		victim.i_links = 0;
		victim.i_ctime = ext2_now(fs);
		err = ext2_iupdate(fs, &victim);
	}
	if (err == 0) {
		if (dir->i_links > 2)
			dir->i_links--;
		err = ext2_iupdate(fs, dir);
	}
	return err;
}

/* EINVAL when directory ino is dir or one of its ancestors (a move into its own subtree). */
static int
check_not_ancestor(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *dir)
{
	struct ext2_inode cur = *dir;

	for (unsigned steps = 0; steps < WALK_MAX; steps++) {
		uint32_t parent;
		int err;

		if (cur.i_ino == ino)
			return EINVAL;
		if (cur.i_ino == EXT2_ROOT_INO)
			return 0;
		err = ext2_lookup(fs, &cur, "..", 2, &parent);
		if (err == 0 && parent == cur.i_ino)
			break; /* a directory other than the root that is its own parent */
		if (err == 0)
			err = ext2_iget(fs, parent, &cur);
		if (err != 0)
			return err == ENOENT ? EIO : err;
	}
	fs_corrupt(fs, "directory %u: \"..\" chain does not reach the root", dir->i_ino);
	return EIO;
}

int
ext2_rename(struct ext2_fs *fs, struct ext2_inode *sdir, const char *sname, size_t snamelen,
	    struct ext2_inode *ddir, const char *dname, size_t dnamelen)
{
	struct ext2_inode *caller_ddir = ddir, src, victim;
	struct dirslot ds;
	bool same = sdir->i_ino == ddir->i_ino, src_dir, replace;
	uint8_t *blk;
	int err;

	err = dir_check(fs, sdir);
	if (err == 0)
		err = dir_check(fs, ddir);
	if (err == 0)
		err = name_check(sname, snamelen);
	if (err == 0)
		err = name_check(dname, dnamelen);
	if (err == 0 && (is_dot(sname, snamelen) || is_dot(dname, dnamelen)))
		err = EINVAL;
	if (err != 0)
		return err;
	if (same)
		ddir = sdir;
	blk = kalloc(fs->fs_bsize);
	if (blk == NULL)
		return ENOMEM;
	err = remove_lookup(fs, sdir, sname, snamelen, blk, &ds, &src);
	if (err != 0)
		goto out;
	src_dir = (src.i_mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
	if (src_dir && !same) {
		err = check_not_ancestor(fs, src.i_ino, ddir);
		if (err != 0)
			goto out;
	}
	err = remove_lookup(fs, ddir, dname, dnamelen, blk, &ds, &victim);
	replace = err == 0;
	if (err == ENOENT)
		err = 0;
	if (err != 0)
		goto out;
	if (replace) {
		if (victim.i_ino == src.i_ino)
			goto out; /* two names of one inode: POSIX says do nothing */
		if (src_dir && (victim.i_mode & EXT2_S_IFMT) != EXT2_S_IFDIR)
			err = ENOTDIR;
		else if (!src_dir && (victim.i_mode & EXT2_S_IFMT) == EXT2_S_IFDIR)
			err = EISDIR;
		else if (src_dir)
			err = dir_empty(fs, &victim);
		if (err == 0)
			err = dir_repoint(fs, ddir, blk, &ds, src.i_ino, ftype_of(src.i_mode));
		if (err != 0)
			goto out;
		if ((victim.i_mode & EXT2_S_IFMT) == EXT2_S_IFDIR) {
			/* The victim's own "." goes with its name, its ".." from ddir. */
			victim.i_links = 1;
			if (ddir->i_links > 2)
				ddir->i_links--;
		}
		err = drop_link(fs, &victim);
	} else {
		if (src_dir && !same && ddir->i_links >= EXT2_LINK_MAX)
			err = EMLINK;
		if (err == 0)
			err = dir_add(fs, ddir, dname, dnamelen, src.i_ino, ftype_of(src.i_mode),
				      blk);
	}
	if (err != 0)
		goto out;
	if (src_dir && !same)
		ddir->i_links++;
	/* The source's record may have moved (dir_add may have split it): find it again. */
	err = dir_find(fs, sdir, sname, snamelen, blk, &ds);
	if (err == 0)
		err = dir_remove(fs, sdir, blk, &ds);
	if (err == 0 && src_dir && !same) {
		err = dir_find(fs, &src, "..", 2, blk, &ds);
		if (err == 0)
			err = dir_repoint(fs, &src, blk, &ds, ddir->i_ino, EXT2_FT_DIR);
		if (err == 0 && sdir->i_links > 2)
			sdir->i_links--;
	}
	if (err == 0) {
		src.i_ctime = ext2_now(fs);
		err = ext2_iupdate(fs, &src);
	}
	if (err == 0)
		err = ext2_iupdate(fs, sdir);
	if (err == 0 && !same)
		err = ext2_iupdate(fs, ddir);
out:
	if (same && caller_ddir != sdir)
		*caller_ddir = *sdir;
	kfree(blk, fs->fs_bsize);
	return err;
}
