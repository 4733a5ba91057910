/*
 * cd9660_fuzz.c — libFuzzer harness for bsd/fs/cd9660/cd9660.c: an ISO image is untrusted
 * (a NoCloud seed is whatever disk the VM was given), so any bytes must mount or be refused
 * with an errno, and everything reachable from the root (directory records, Rock Ridge
 * entries and continuation areas, symlink targets, file data, lookups by name and "..") must
 * read without a fault. The input is the image itself; the seeds are small `xorriso -as
 * genisoimage -no-pad` images: seed-rr (-V cidata -r: meta-data, user-data, d/f, symlinks
 * d/l and a 252-byte long), plain (--norock README.TXT) and joliet (--norock -J: meta-data,
 * Dir/MixedCase.txt).
 */
// fuzz-deps: bsd/fs/cd9660/cd9660.c tests/unit/shim/kalloc_malloc.c kernel/libkern/format.c
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "img_fuzz.h"
#include <bsd/fs/cd9660/cd9660.h>

static struct cd9660_fs fs;

#define MAXDIRS 16

struct walk {
	struct cd9660_node dirs[MAXDIRS];
	unsigned ndirs;
	unsigned budget;
};

static int
walk_fn(void *arg, const char *name, unsigned namelen, const struct cd9660_node *np)
{
	struct walk *w = arg;

	if (namelen == 0 || namelen > CD9660_NAME_MAX)
		abort();
	if (w->budget == 0)
		return 1;
	w->budget--;
	if ((np->n_mode & CD9660_S_IFMT) == CD9660_S_IFDIR) {
		if (w->ndirs < MAXDIRS && !(namelen <= 2 && name[0] == '.'))
			w->dirs[w->ndirs++] = *np;
	} else if (w->ndirs < MAXDIRS) {
		w->dirs[w->ndirs++] = *np; /* read after the walk: readdir owns fs_buf */
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct img im = { (uint8_t *)data, size }; /* only read */
	struct walk w = { .budget = 256 };
	struct cd9660_node n;
	char label[CD9660_LABEL_MAX + 1];
	static uint8_t buf[8192];
	size_t got;

	(void)cd9660_probe_label(size, img_read, &im, label);
	if (cd9660_mount(&fs, "fuzz", size, img_read, &im) != 0)
		return 0;
	if (strlen(fs.fs_label) > CD9660_LABEL_MAX)
		abort();
	w.dirs[w.ndirs++] = fs.fs_root;
	for (unsigned i = 0; i < w.ndirs; i++) {
		struct cd9660_node d = w.dirs[i];

		if ((d.n_mode & CD9660_S_IFMT) == CD9660_S_IFDIR) {
			(void)cd9660_readdir(&fs, &d, walk_fn, &w);
			(void)cd9660_lookup(&fs, &d, "..", 2, &n);
			(void)cd9660_lookup(&fs, &d, "meta-data", 9, &n);
			continue;
		}
		if ((d.n_mode & CD9660_S_IFMT) == CD9660_S_IFLNK) {
			if (cd9660_readlink(&fs, &d, (char *)buf, 300) == 0 &&
			    strlen((char *)buf) >= 300)
				abort();
			continue;
		}
		if (cd9660_read(&fs, &d, 0, buf, sizeof(buf), &got) == 0 && got > sizeof(buf))
			abort();
		if (d.n_size > 3000)
			(void)cd9660_read(&fs, &d, d.n_size - 3000, buf, 4000, &got);
	}
	cd9660_unmount(&fs);
	return 0;
}
