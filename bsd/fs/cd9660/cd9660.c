/*
 * cd9660.c — the ISO 9660 core: volume descriptors, directory records, Rock Ridge system-use
 * entries, file data (cd9660.h says what it follows). Every field is read from a buffer with
 * the buffer's bounds in hand; the checks sit next to the reads.
 */
#include <bsd/fs/cd9660/cd9660.h>
#include <console.h>
#include <mach/kern/kalloc.h>

#define CD_VD_FIRST	16	/* the system area is blocks 0-15 */
#define CD_VD_MAX	64	/* descriptors looked at before giving up on a terminator */
#define CD_VD_SIZE	2048	/* a volume descriptor is one 2048-byte sector */
#define CD_VD_PRIMARY	1
#define CD_VD_SUPPL	2
#define CD_SVD_ESCAPES	88	/* escape sequences: Joliet's UCS-2 levels are %/@, %/C, %/E */
#define CD_VD_TERM	255
#define CD_PVD_LABEL	40	/* volume identifier, 32 d-characters */
#define CD_PVD_SPACE	80	/* volume space size, both-endian 32 */
#define CD_PVD_BSIZE	128	/* logical block size, both-endian 16 */
#define CD_PVD_ROOT	156	/* root directory record, 34 bytes */

#define CD_DR_MIN	34	/* 33 fixed bytes and a name of at least one */
#define CD_DR_EXTENT	2
#define CD_DR_SIZE	10
#define CD_DR_DATE	18
#define CD_DR_FLAGS	25
#define CD_DR_UNIT	26
#define CD_DR_GAP	27
#define CD_DR_NAMELEN	32
#define CD_DR_NAME	33

#define CD_F_DIR	0x02
#define CD_F_ASSOC	0x04
#define CD_F_MULTI	0x80

#define CD_CE_HOPS	8	/* continuation areas followed for one record */

static uint16_t
le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
}

/* Seconds since 1970 of a civil date (the days-from-civil method; proleptic Gregorian). */
static int64_t
cd_epoch(int64_t y, unsigned m, unsigned d, unsigned hh, unsigned mm, unsigned ss)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return ((era * 146097 + doe - 719468) * 86400) + hh * 3600 + mm * 60 + ss;
}

/* A recording date (9.1.5): 7 bytes, years since 1900 and an offset in 15-minute units. */
static int64_t
cd_date(const uint8_t *p)
{
	if (p[1] < 1 || p[1] > 12 || p[2] < 1 || p[2] > 31 || p[3] > 23 || p[4] > 59 || p[5] > 60)
		return 0;
	return cd_epoch(1900 + p[0], p[1], p[2], p[3], p[4], p[5]) - (int8_t)p[6] * 900;
}

static int
cd_readblk(struct cd9660_fs *fs, uint32_t blk, uint8_t *buf)
{
	if (blk >= fs->fs_nblocks) {
		klog(LOG_ERR, "cd9660 %s: block %u past the volume (%u blocks)\n", fs->fs_name, blk,
		     fs->fs_nblocks);
		return EIO;
	}
	return fs->fs_read(fs->fs_ctx, (uint64_t)blk * fs->fs_bsize, buf, fs->fs_bsize);
}

/*
 * Find the primary volume descriptor into vd (CD_VD_SIZE bytes). quiet: a disk that is not
 * ISO 9660 at all is not logged (the label probe asks every disk).
 */
static int
cd_find_pvd(uint64_t dev_size, cd9660_read_fn rd, void *ctx, uint8_t *vd, const char *name,
	    bool quiet)
{
	for (unsigned i = 0; i < CD_VD_MAX; i++) {
		uint64_t off = (uint64_t)(CD_VD_FIRST + i) * CD_VD_SIZE;
		int err;

		if (off + CD_VD_SIZE > dev_size) {
			if (!quiet || i > 0)
				klog(LOG_ERR, "cd9660 %s: no primary volume descriptor\n", name);
			return EINVAL;
		}
		if ((err = rd(ctx, off, vd, CD_VD_SIZE)) != 0)
			return err;
		if (memcmp(vd + 1, "CD001", 5) != 0 || vd[6] != 1) {
			if (!quiet || i > 0)
				klog(LOG_ERR, "cd9660 %s: bad volume descriptor at sector %u\n",
				     name, CD_VD_FIRST + i);
			return EINVAL;
		}
		if (vd[0] == CD_VD_PRIMARY)
			return 0;
		if (vd[0] == CD_VD_TERM)
			break;
	}
	klog(LOG_ERR, "cd9660 %s: no primary volume descriptor\n", name);
	return EINVAL;
}

static void
cd_label(const uint8_t *vd, char *label)
{
	unsigned n = CD9660_LABEL_MAX;

	memcpy(label, vd + CD_PVD_LABEL, CD9660_LABEL_MAX);
	while (n > 0 && (label[n - 1] == ' ' || label[n - 1] == '\0'))
		n--;
	label[n] = '\0';
}

int
cd9660_probe_label(uint64_t dev_size, cd9660_read_fn rd, void *ctx, char *label)
{
	uint8_t *vd = kalloc(CD_VD_SIZE);
	int err;

	if (vd == NULL)
		return ENOMEM;
	if ((err = cd_find_pvd(dev_size, rd, ctx, vd, "probe", true)) == 0)
		cd_label(vd, label);
	kfree(vd, CD_VD_SIZE);
	return err;
}

/* What the system-use entries of one record said. */
struct cd_su {
	char su_name[CD9660_NAME_MAX + 1];
	unsigned su_namelen;
	bool su_nm;		/* an NM entry was seen */
	bool su_nm_cont;	/* the last NM said CONTINUE */
	bool su_px;
	bool su_relocated;	/* RE: a directory moved here by deep-directory relocation */
	uint32_t su_mode, su_nlink, su_uid, su_gid;
	/* SL, collected only when su_link is set (cd9660_readlink). */
	char *su_link;
	unsigned su_linkcap, su_linklen;
	bool su_sl;		/* an SL entry was seen */
	bool su_sl_glue;	/* the last component said CONTINUE: no '/' before the next */
};

/* Append n bytes to the link target being built; EIO (logged) when it does not fit. */
static int
cd_sl_put(struct cd9660_fs *fs, struct cd_su *su, const void *p, unsigned n)
{
	if (n >= su->su_linkcap - su->su_linklen) {
		klog(LOG_ERR, "cd9660 %s: Rock Ridge symlink longer than %u bytes\n", fs->fs_name,
		     su->su_linkcap - 1);
		return EIO;
	}
	memcpy(su->su_link + su->su_linklen, p, n);
	su->su_linklen += n;
	su->su_link[su->su_linklen] = '\0';
	return 0;
}

/*
 * One SL entry (RRIP 4.1.3): component records of flags, length and bytes. ROOT starts the
 * path at "/", CURRENT and PARENT are "." and ".."; a component with CONTINUE goes on in the
 * next one without a separator.
 */
static int
cd_su_sl(struct cd9660_fs *fs, struct cd_su *su, const uint8_t *e, unsigned elen)
{
	unsigned p = 5;

	if (elen < 5)
		return EIO;
	if (su->su_link == NULL)
		return 0;
	su->su_sl = true;
	while (p < elen) {
		uint8_t cflags;
		unsigned clen;
		int err = 0;

		if (elen - p < 2 || e[p + 1] > elen - p - 2) {
			klog(LOG_ERR, "cd9660 %s: bad Rock Ridge symlink component\n", fs->fs_name);
			return EIO;
		}
		cflags = e[p];
		clen = e[p + 1];
		if (su->su_linklen > 0 && !su->su_sl_glue &&
		    su->su_link[su->su_linklen - 1] != '/')
			err = cd_sl_put(fs, su, "/", 1);
		if (err == 0 && (cflags & 0x08))
			err = su->su_linklen == 0 ? cd_sl_put(fs, su, "/", 1) : 0;
		else if (err == 0 && (cflags & 0x02))
			err = cd_sl_put(fs, su, ".", 1);
		else if (err == 0 && (cflags & 0x04))
			err = cd_sl_put(fs, su, "..", 2);
		else if (err == 0)
			err = cd_sl_put(fs, su, e + p + 2, clen);
		if (err != 0)
			return err;
		su->su_sl_glue = (cflags & 0x01) != 0;
		p += 2 + clen;
	}
	return 0;
}

/* One NM entry's component: append, or "." / ".." (RRIP 4.1.4). */
static int
cd_su_nm(struct cd9660_fs *fs, struct cd_su *su, const uint8_t *e, unsigned elen)
{
	uint8_t flags;
	unsigned n;

	if (elen < 5)
		return EIO;
	flags = e[4];
	if (!su->su_nm || !su->su_nm_cont)
		su->su_namelen = 0;
	su->su_nm = true;
	su->su_nm_cont = (flags & 1) != 0;
	if (flags & 6) {
		su->su_namelen = (flags & 2) ? 1 : 2;
		memcpy(su->su_name, "..", su->su_namelen);
		return 0;
	}
	n = elen - 5;
	if (su->su_namelen + n > CD9660_NAME_MAX) {
		klog(LOG_ERR, "cd9660 %s: Rock Ridge name longer than %u bytes\n", fs->fs_name,
		     CD9660_NAME_MAX);
		return EIO;
	}
	memcpy(su->su_name + su->su_namelen, e + 5, n);
	su->su_namelen += n;
	return 0;
}

/*
 * Walk the SUSP entries in area[0..len). A CE entry names the next area: *ce_blk/off/len are
 * set (ce_len 0: none). Returns 0 or EIO (logged).
 */
static int
cd_su_walk(struct cd9660_fs *fs, struct cd_su *su, const uint8_t *area, unsigned len,
	   uint32_t *ce_blk, uint32_t *ce_off, uint32_t *ce_len)
{
	unsigned p = 0;

	*ce_len = 0;
	while (p + 4 <= len) {
		const uint8_t *e = area + p;
		unsigned elen = e[2];

		if (elen < 4 || elen > len - p) {
			klog(LOG_ERR, "cd9660 %s: system-use entry %.2s of length %u in %u bytes\n",
			     fs->fs_name, (const char *)e, elen, len - p);
			return EIO;
		}
		if (e[0] == 'S' && e[1] == 'T')
			break;
		if (e[0] == 'N' && e[1] == 'M') {
			if (cd_su_nm(fs, su, e, elen) != 0)
				return EIO;
		} else if (e[0] == 'P' && e[1] == 'X' && elen >= 36) {
			su->su_px = true;
			su->su_mode = le32(e + 4);
			su->su_nlink = le32(e + 12);
			su->su_uid = le32(e + 20);
			su->su_gid = le32(e + 28);
		} else if (e[0] == 'C' && e[1] == 'E' && elen >= 28) {
			*ce_blk = le32(e + 4);
			*ce_off = le32(e + 12);
			*ce_len = le32(e + 20);
		} else if (e[0] == 'R' && e[1] == 'E') {
			su->su_relocated = true;
		} else if (e[0] == 'S' && e[1] == 'L') {
			if (cd_su_sl(fs, su, e, elen) != 0)
				return EIO;
		}
		p += elen;
	}
	return 0;
}

/* The system-use area of record rec (reclen bytes), then its continuation areas. */
static int
cd_su_parse(struct cd9660_fs *fs, const uint8_t *rec, unsigned reclen, unsigned skip,
	    struct cd_su *su)
{
	unsigned namelen = rec[CD_DR_NAMELEN];
	unsigned start = CD_DR_NAME + namelen + ((namelen & 1) == 0) + skip;
	uint32_t blk, off, len;
	int err;

	if (start >= reclen)
		return 0;
	if ((err = cd_su_walk(fs, su, rec + start, reclen - start, &blk, &off, &len)) != 0)
		return err;
	for (unsigned hop = 0; len != 0; hop++) {
		if (hop == CD_CE_HOPS || off >= fs->fs_bsize || len > fs->fs_bsize - off) {
			klog(LOG_ERR, "cd9660 %s: bad continuation area (block %u, %u+%u bytes)\n",
			     fs->fs_name, blk, off, len);
			return EIO;
		}
		if ((err = cd_readblk(fs, blk, fs->fs_cebuf)) != 0)
			return err;
		if ((err = cd_su_walk(fs, su, fs->fs_cebuf + off, len, &blk, &off, &len)) != 0)
			return err;
	}
	return 0;
}

/* The ISO name of rec, mapped: version and trailing dot dropped, lower case. */
static unsigned
cd_iso_name(const uint8_t *rec, char *name)
{
	unsigned n = rec[CD_DR_NAMELEN], i;

	for (i = 0; i < n && rec[CD_DR_NAME + i] != ';'; i++) {
		char c = (char)rec[CD_DR_NAME + i];

		name[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	if (i > 1 && name[i - 1] == '.')
		i--;
	return i;
}

/*
 * The Joliet name of rec (UCS-2 big-endian), version dropped, as UTF-8. Returns its length;
 * 0 (logged) for a name that is odd-sized or does not fit CD9660_NAME_MAX bytes.
 */
static unsigned
cd_joliet_name(struct cd9660_fs *fs, const uint8_t *rec, char *name)
{
	unsigned n = rec[CD_DR_NAMELEN], out = 0;

	if (n & 1)
		goto bad;
	for (unsigned i = 0; i < n; i += 2) {
		unsigned c = (unsigned)rec[CD_DR_NAME + i] << 8 | rec[CD_DR_NAME + i + 1];

		if (c == ';')
			break;
		if (c == 0 || c == '/' || out + 3 > CD9660_NAME_MAX)
			goto bad;
		if (c < 0x80) {
			name[out++] = (char)c;
		} else if (c < 0x800) {
			name[out++] = (char)(0xc0 | c >> 6);
			name[out++] = (char)(0x80 | (c & 0x3f));
		} else {
			name[out++] = (char)(0xe0 | c >> 12);
			name[out++] = (char)(0x80 | ((c >> 6) & 0x3f));
			name[out++] = (char)(0x80 | (c & 0x3f));
		}
	}
	return out;
bad:
	klog(LOG_ERR, "cd9660 %s: bad Joliet name (%u bytes)\n", fs->fs_name, n);
	return 0;
}

/*
 * Parse directory record rec (reclen bytes, already checked to hold its name) found at byte
 * address addr into *np, its name into name (CD9660_NAME_MAX + 1 bytes), *namelen.
 * Returns 0; ENOENT for a record that is not shown (associated file, relocated directory,
 * multi-extent or interleaved file: logged); EIO (logged).
 */
static int
cd_parse(struct cd9660_fs *fs, const uint8_t *rec, unsigned reclen, uint64_t addr,
	 struct cd9660_node *np, char *name, unsigned *namelen)
{
	unsigned isolen = rec[CD_DR_NAMELEN];
	uint8_t flags = rec[CD_DR_FLAGS];
	bool dir = (flags & CD_F_DIR) != 0;
	struct cd_su su;
	uint64_t nblk;
	int err;

	memset(np, 0, sizeof(*np));
	np->n_extent = le32(rec + CD_DR_EXTENT);
	np->n_size = le32(rec + CD_DR_SIZE);
	np->n_mtime = cd_date(rec + CD_DR_DATE);
	nblk = ((uint64_t)np->n_size + fs->fs_bsize - 1) / fs->fs_bsize;
	if (nblk > fs->fs_nblocks || np->n_extent > fs->fs_nblocks - nblk ||
	    (dir && np->n_size == 0)) {
		klog(LOG_ERR, "cd9660 %s: record at %llu: extent %u + %u bytes outside the volume\n",
		     fs->fs_name, (unsigned long long)addr, np->n_extent, np->n_size);
		return EIO;
	}
	if (flags & CD_F_ASSOC)
		return ENOENT;
	if ((flags & CD_F_MULTI) || rec[CD_DR_UNIT] != 0 || rec[CD_DR_GAP] != 0) {
		klog(LOG_WARNING, "cd9660 %s: record at %llu: multi-extent or interleaved file "
		     "not supported: skipped\n", fs->fs_name, (unsigned long long)addr);
		return ENOENT;
	}
	np->n_ino = dir ? (uint64_t)np->n_extent * fs->fs_bsize : addr;
	np->n_mode = dir ? (CD9660_S_IFDIR | 0555) : (CD9660_S_IFREG | 0444);
	np->n_nlink = dir ? 2 : 1;

	memset(&su, 0, sizeof(su));
	if (fs->fs_rr && (err = cd_su_parse(fs, rec, reclen, fs->fs_susp_skip, &su)) != 0)
		return err;
	if (su.su_relocated)
		return ENOENT;
	if (su.su_px) {
		uint32_t type = su.su_mode & CD9660_S_IFMT;

		/* The record's directory flag decides; PX may only add a symlink type. */
		if (!dir && type == CD9660_S_IFLNK)
			np->n_mode = CD9660_S_IFLNK;
		else
			np->n_mode &= CD9660_S_IFMT;
		np->n_mode |= su.su_mode & 07777;
		np->n_nlink = su.su_nlink != 0 ? su.su_nlink : 1;
		np->n_uid = su.su_uid;
		np->n_gid = su.su_gid;
	}
	if (isolen == 1 && (rec[CD_DR_NAME] == 0 || rec[CD_DR_NAME] == 1)) {
		*namelen = rec[CD_DR_NAME] == 0 ? 1 : 2;
		memcpy(name, "..", *namelen);
	} else if (su.su_nm && su.su_namelen > 0) {
		memcpy(name, su.su_name, su.su_namelen);
		*namelen = su.su_namelen;
	} else if (fs->fs_joliet) {
		*namelen = cd_joliet_name(fs, rec, name);
	} else {
		*namelen = cd_iso_name(rec, name);
	}
	if (*namelen == 0) {
		klog(LOG_ERR, "cd9660 %s: record at %llu has an empty name\n", fs->fs_name,
		     (unsigned long long)addr);
		return EIO;
	}
	return 0;
}

int
cd9660_readlink(struct cd9660_fs *fs, const struct cd9660_node *np, char *buf, size_t len)
{
	uint32_t bs = fs->fs_bsize, off = (uint32_t)(np->n_ino % bs);
	uint64_t blk = np->n_ino / bs;
	const uint8_t *rec;
	struct cd_su su;
	int err;

	if ((np->n_mode & CD9660_S_IFMT) != CD9660_S_IFLNK)
		return EINVAL;
	if (len < 2)
		return ENAMETOOLONG;
	/* A symlink's id is its record's address (cd_parse): read the record again. */
	if (blk >= fs->fs_nblocks)
		return EIO;
	if ((err = cd_readblk(fs, (uint32_t)blk, fs->fs_buf)) != 0)
		return err;
	rec = fs->fs_buf + off;
	if (bs - off < CD_DR_MIN || rec[0] < CD_DR_MIN || rec[0] > bs - off ||
	    CD_DR_NAME + (unsigned)rec[CD_DR_NAMELEN] > rec[0]) {
		klog(LOG_ERR, "cd9660 %s: symlink record at %llu changed\n", fs->fs_name,
		     (unsigned long long)np->n_ino);
		return EIO;
	}
	memset(&su, 0, sizeof(su));
	su.su_link = buf;
	su.su_linkcap = len > UINT32_MAX ? UINT32_MAX : (unsigned)len;
	buf[0] = '\0';
	if ((err = cd_su_parse(fs, rec, rec[0], fs->fs_susp_skip, &su)) != 0)
		return err;
	if (!su.su_sl || su.su_linklen == 0) {
		klog(LOG_ERR, "cd9660 %s: symlink at %llu has no target (SL)\n", fs->fs_name,
		     (unsigned long long)np->n_ino);
		return EIO;
	}
	return 0;
}

int
cd9660_readdir(struct cd9660_fs *fs, const struct cd9660_node *dir, cd9660_dirent_fn fn,
	       void *arg)
{
	uint32_t bs = fs->fs_bsize, nblk = (dir->n_size + bs - 1) / bs;
	char name[CD9660_NAME_MAX + 1];
	struct cd9660_node n;

	if ((dir->n_mode & CD9660_S_IFMT) != CD9660_S_IFDIR)
		return ENOTDIR;
	for (uint32_t b = 0; b < nblk; b++) {
		uint32_t limit = dir->n_size - b * bs < bs ? dir->n_size - b * bs : bs, off = 0;
		int err;

		if ((err = cd_readblk(fs, dir->n_extent + b, fs->fs_buf)) != 0)
			return err;
		/* Records never cross a block: a zero length byte pads to the next one. */
		while (off < limit && fs->fs_buf[off] != 0) {
			const uint8_t *rec = fs->fs_buf + off;
			unsigned reclen = rec[0], namelen;
			uint64_t addr = (uint64_t)(dir->n_extent + b) * bs + off;

			if (reclen < CD_DR_MIN || reclen > limit - off ||
			    CD_DR_NAME + (unsigned)rec[CD_DR_NAMELEN] > reclen ||
			    rec[CD_DR_NAMELEN] == 0) {
				klog(LOG_ERR, "cd9660 %s: bad directory record at %llu "
				     "(length %u, name %u)\n", fs->fs_name,
				     (unsigned long long)addr, reclen, rec[CD_DR_NAMELEN]);
				return EIO;
			}
			err = cd_parse(fs, rec, reclen, addr, &n, name, &namelen);
			if (err == EIO)
				return err;
			if (err == 0 && (err = fn(arg, name, namelen, &n)) != 0)
				return err;
			off += reclen;
		}
	}
	return 0;
}

struct cd_find {
	const char *cf_name;
	size_t cf_len;
	struct cd9660_node *cf_out;
};

static int
cd_find_fn(void *arg, const char *name, unsigned namelen, const struct cd9660_node *np)
{
	struct cd_find *cf = arg;

	if (namelen != cf->cf_len || memcmp(name, cf->cf_name, namelen) != 0)
		return 0;
	*cf->cf_out = *np;
	return -1;
}

int
cd9660_lookup(struct cd9660_fs *fs, const struct cd9660_node *dir, const char *name,
	      size_t len, struct cd9660_node *out)
{
	struct cd_find cf = { name, len, out };
	int err;

	if (len > CD9660_NAME_MAX)
		return ENAMETOOLONG;
	if (len == 0)
		return ENOENT;
	err = cd9660_readdir(fs, dir, cd_find_fn, &cf);
	if (err == -1)
		return 0;
	return err != 0 ? err : ENOENT;
}

int
cd9660_read(struct cd9660_fs *fs, const struct cd9660_node *np, uint64_t off, void *buf,
	    size_t len, size_t *got)
{
	uint32_t bs = fs->fs_bsize;
	uint8_t *dst = buf;
	size_t done = 0;
	int err = 0;

	*got = 0;
	if ((np->n_mode & CD9660_S_IFMT) == CD9660_S_IFDIR)
		return EISDIR;
	if (off >= np->n_size)
		return 0;
	if (len > np->n_size - off)
		len = (size_t)(np->n_size - off);
	/* cd_parse checked that n_extent + the file's blocks lie inside the volume. */
	while (done < len && err == 0) {
		uint64_t pos = off + done;
		uint32_t blk = np->n_extent + (uint32_t)(pos / bs), in = (uint32_t)(pos % bs);
		size_t n = len - done;

		if (in == 0 && n >= bs) {
			n -= n % bs;
			err = fs->fs_read(fs->fs_ctx, (uint64_t)blk * bs, dst + done, n);
		} else {
			if (n > bs - in)
				n = bs - in;
			if ((err = cd_readblk(fs, blk, fs->fs_buf)) == 0)
				memcpy(dst + done, fs->fs_buf + in, n);
		}
		if (err == 0)
			done += n;
	}
	*got = done;
	return err;
}

/* The root's "." record: its SP entry says whether Rock Ridge (SUSP) is in use. */
static int
cd_root(struct cd9660_fs *fs, const uint8_t *vd)
{
	const uint8_t *rr = vd + CD_PVD_ROOT, *rec, *e;
	char name[CD9660_NAME_MAX + 1];
	unsigned namelen, reclen;
	int err;

	if (rr[0] != CD_DR_MIN || rr[CD_DR_NAMELEN] != 1 || !(rr[CD_DR_FLAGS] & CD_F_DIR)) {
		klog(LOG_ERR, "cd9660 %s: bad root directory record\n", fs->fs_name);
		return EINVAL;
	}
	if ((err = cd_parse(fs, rr, CD_DR_MIN, CD_PVD_ROOT, &fs->fs_root, name, &namelen)) != 0)
		return err == EIO ? EINVAL : err;
	if ((err = cd_readblk(fs, fs->fs_root.n_extent, fs->fs_buf)) != 0)
		return err;
	rec = fs->fs_buf;
	reclen = rec[0];
	if (reclen < CD_DR_MIN || rec[CD_DR_NAMELEN] != 1 || rec[CD_DR_NAME] != 0) {
		klog(LOG_ERR, "cd9660 %s: the root directory does not start with \".\"\n",
		     fs->fs_name);
		return EINVAL;
	}
	/* SP (SUSP 5.3): the first entry of the "." record, 7 bytes, check bytes BE EF. */
	e = rec + CD_DR_NAME + 1;
	if (reclen >= CD_DR_NAME + 1 + 7 && e[0] == 'S' && e[1] == 'P' && e[2] == 7 &&
	    e[4] == 0xbe && e[5] == 0xef) {
		fs->fs_rr = true;
		fs->fs_susp_skip = e[6];
		/* The root's own PX (mode, owner) comes from this record. */
		if ((err = cd_parse(fs, rec, reclen, (uint64_t)fs->fs_root.n_extent *
				    fs->fs_bsize, &fs->fs_root, name, &namelen)) != 0)
			return err == EIO ? EINVAL : err;
	}
	return 0;
}

/*
 * Without Rock Ridge, names come from a Joliet tree when the volume has one (a supplementary
 * descriptor with a UCS-2 escape sequence): its root replaces the primary one. vd is a
 * CD_VD_SIZE scratch buffer. A missing or unreadable Joliet descriptor is not an error.
 */
static int
cd_joliet(struct cd9660_fs *fs, uint64_t dev_size, uint8_t *vd)
{
	char name[CD9660_NAME_MAX + 1];
	struct cd9660_node root;
	unsigned namelen;
	const uint8_t *r;
	int err;

	for (unsigned i = 0; i < CD_VD_MAX; i++) {
		uint64_t off = (uint64_t)(CD_VD_FIRST + i) * CD_VD_SIZE;

		if (off + CD_VD_SIZE > dev_size || fs->fs_read(fs->fs_ctx, off, vd, CD_VD_SIZE) ||
		    memcmp(vd + 1, "CD001", 5) != 0 || vd[0] == CD_VD_TERM)
			return 0;
		if (vd[0] != CD_VD_SUPPL || vd[CD_SVD_ESCAPES] != '%' ||
		    vd[CD_SVD_ESCAPES + 1] != '/' ||
		    (vd[CD_SVD_ESCAPES + 2] != '@' && vd[CD_SVD_ESCAPES + 2] != 'C' &&
		     vd[CD_SVD_ESCAPES + 2] != 'E'))
			continue;
		r = vd + CD_PVD_ROOT;
		if (r[0] != CD_DR_MIN || r[CD_DR_NAMELEN] != 1 || !(r[CD_DR_FLAGS] & CD_F_DIR)) {
			klog(LOG_ERR, "cd9660 %s: bad Joliet root directory record\n", fs->fs_name);
			return EINVAL;
		}
		if ((err = cd_parse(fs, r, CD_DR_MIN, CD_PVD_ROOT, &root, name, &namelen)) != 0)
			return EINVAL;
		fs->fs_root = root;
		fs->fs_joliet = true;
		return 0;
	}
	return 0;
}

int
cd9660_mount(struct cd9660_fs *fs, const char *name, uint64_t dev_size, cd9660_read_fn rd,
	     void *ctx)
{
	uint8_t *vd;
	uint32_t bs, nblocks;
	int err;

	memset(fs, 0, sizeof(*fs));
	fs->fs_read = rd;
	fs->fs_ctx = ctx;
	fs->fs_name = name;
	if ((vd = kalloc(CD_VD_SIZE)) == NULL)
		return ENOMEM;
	if ((err = cd_find_pvd(dev_size, rd, ctx, vd, name, false)) != 0)
		goto out;
	bs = le16(vd + CD_PVD_BSIZE);
	nblocks = le32(vd + CD_PVD_SPACE);
	err = EINVAL;
	if ((bs != 512 && bs != 1024 && bs != 2048) || be32(vd + CD_PVD_SPACE + 4) != nblocks) {
		klog(LOG_ERR, "cd9660 %s: logical block size %u / volume size %u not usable\n",
		     name, bs, nblocks);
		goto out;
	}
	if ((uint64_t)nblocks * bs > dev_size || nblocks <= CD_VD_FIRST * (CD_VD_SIZE / bs)) {
		klog(LOG_ERR, "cd9660 %s: volume of %u blocks of %u does not fit the device "
		     "(%llu bytes)\n", name, nblocks, bs, (unsigned long long)dev_size);
		goto out;
	}
	fs->fs_bsize = bs;
	fs->fs_nblocks = nblocks;
	cd_label(vd, fs->fs_label);
	fs->fs_buf = kalloc(bs);
	fs->fs_cebuf = kalloc(bs);
	if (fs->fs_buf == NULL || fs->fs_cebuf == NULL) {
		err = ENOMEM;
		goto out;
	}
	if ((err = cd_root(fs, vd)) == 0 && !fs->fs_rr)
		err = cd_joliet(fs, dev_size, vd);
out:
	kfree(vd, CD_VD_SIZE);
	if (err != 0)
		cd9660_unmount(fs);
	return err;
}

void
cd9660_unmount(struct cd9660_fs *fs)
{
	if (fs->fs_buf != NULL)
		kfree(fs->fs_buf, fs->fs_bsize);
	if (fs->fs_cebuf != NULL)
		kfree(fs->fs_cebuf, fs->fs_bsize);
	fs->fs_buf = fs->fs_cebuf = NULL;
}
