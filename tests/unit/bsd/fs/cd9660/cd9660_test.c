/*
 * cd9660_test.c — unit tests for bsd/fs/cd9660/cd9660.c over images that the host's xorriso
 * makes (`xorriso -as genisoimage`, as `make seed` does): a NoCloud seed with Rock Ridge
 * (label cidata, lower-case names, content read back), plain ISO 9660 names mapped to lower
 * case, files across block boundaries read at odd offsets, subdirectories and "..", a name
 * long enough to need a Rock Ridge continuation area (CE), and damaged images: truncated,
 * not ISO, a bad record length, an extent past the volume, a bad system-use entry — each a
 * refusal or EIO with a log line.
 */
// unit-deps: tests/unit/shim/kalloc_malloc.c kernel/libkern/format.c
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <bsd/fs/cd9660/cd9660.h>

#include "hosted.h"

struct img {
	uint8_t *data;
	size_t len;
};

static struct img I;
static struct cd9660_fs FS;
static char tmpdir[64];

static int
img_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	struct img *im = ctx;

	cr_assert(off % 512 == 0 && len % 512 == 0, "unaligned read %llu+%zu",
		  (unsigned long long)off, len);
	if (off > im->len || len > im->len - off)
		return EIO;
	memcpy(buf, im->data + off, len);
	return 0;
}

static int
run(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : 255;
}

/* Make an ISO from the tree that setup (shell, run in tree/) writes; xorriso options opts. */
static void
iso_make(const char *opts, const char *setup)
{
	char cmd[4096];
	FILE *f;
	long n;

	strcpy(tmpdir, "/tmp/cd9660-test-XXXXXX");
	cr_assert(mkdtemp(tmpdir) != NULL);
	snprintf(cmd, sizeof(cmd), "mkdir %s/tree && cd %s/tree && { %s; }", tmpdir, tmpdir,
		 setup);
	cr_assert_eq(run(cmd), 0, "setup failed: %s", cmd);
	snprintf(cmd, sizeof(cmd), "xorriso -as genisoimage -quiet %s -o %s/iso %s/tree "
		 ">/dev/null 2>&1", opts, tmpdir, tmpdir);
	cr_assert_eq(run(cmd), 0, "xorriso failed: %s", cmd);
	snprintf(cmd, sizeof(cmd), "%s/iso", tmpdir);
	cr_assert((f = fopen(cmd, "rb")) != NULL);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	I.len = (size_t)n;
	cr_assert((I.data = malloc(I.len)) != NULL);
	cr_assert(fread(I.data, 1, I.len, f) == I.len);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	(void)run(cmd);
}

static void
fini(void)
{
	cd9660_unmount(&FS);
	free(I.data);
	memset(&I, 0, sizeof(I));
}

static int
mount_img(void)
{
	return cd9660_mount(&FS, "test", I.len, img_read, &I);
}

static void
get(const char *path, struct cd9660_node *out)
{
	struct cd9660_node dir = FS.fs_root;
	const char *p = path;

	while (*p == '/')
		p++;
	*out = dir;
	while (*p != '\0') {
		const char *e = strchr(p, '/');
		size_t len = e != NULL ? (size_t)(e - p) : strlen(p);

		cr_assert_eq(cd9660_lookup(&FS, &dir, p, len, out), 0, "lookup %s in %s", p, path);
		dir = *out;
		p += len;
		while (*p == '/')
			p++;
	}
}

static char *
slurp(const struct cd9660_node *np)
{
	char *buf = calloc(1, np->n_size + 1);
	size_t got;

	cr_assert(buf != NULL);
	cr_assert_eq(cd9660_read(&FS, np, 0, buf, np->n_size, &got), 0);
	cr_assert_eq(got, np->n_size);
	return buf;
}

TestSuite(cd9660, .fini = fini);

Test(cd9660, nocloud_seed_with_rock_ridge)
{
	struct cd9660_node md, ud;
	char label[CD9660_LABEL_MAX + 1];
	char *s;

	iso_make("-V cidata -J -r",
		 "printf 'instance-id: iid-1\\nlocal-hostname: seedhost\\n' > meta-data && "
		 "printf '#!/bin/sh\\necho hi\\n' > user-data && chmod 755 user-data");
	cr_assert_eq(mount_img(), 0);
	cr_assert_str_eq(FS.fs_label, "cidata");
	cr_assert(FS.fs_rr);
	cr_assert_eq(cd9660_probe_label(I.len, img_read, &I, label), 0);
	cr_assert_str_eq(label, "cidata");
	get("/meta-data", &md);
	get("/user-data", &ud);
	cr_assert_eq(md.n_mode & CD9660_S_IFMT, CD9660_S_IFREG);
	cr_assert_eq(ud.n_mode & 0777, 0555, "PX mode %o (-r: r-x for all)", ud.n_mode);
	s = slurp(&md);
	cr_assert_str_eq(s, "instance-id: iid-1\nlocal-hostname: seedhost\n");
	free(s);
	s = slurp(&ud);
	cr_assert_str_eq(s, "#!/bin/sh\necho hi\n");
	free(s);
	cr_assert(md.n_mtime > 1600000000, "mtime %lld", (long long)md.n_mtime);
	cr_assert_eq(cd9660_lookup(&FS, &FS.fs_root, "META_DAT", 8, &md), ENOENT);
	cr_assert_eq(cd9660_read(&FS, &FS.fs_root, 0, label, 1, &(size_t){ 0 }), EISDIR);
}

Test(cd9660, plain_iso_names_are_lower_case)
{
	struct cd9660_node n;
	char *s;

	iso_make("-V PLAIN --norock", "echo data > README.TXT && echo x > NOEXT");
	cr_assert_eq(mount_img(), 0);
	cr_assert(!FS.fs_rr);
	cr_assert_str_eq(FS.fs_label, "PLAIN");
	get("/readme.txt", &n);
	s = slurp(&n);
	cr_assert_str_eq(s, "data\n");
	free(s);
	get("/noext", &n);
	cr_assert_eq(n.n_size, 2);
}

Test(cd9660, joliet_names_without_rock_ridge)
{
	struct cd9660_node n;
	char *s;

	iso_make("-V cidata --norock -J", "echo md > meta-data && echo mixed > MixedCase.txt && "
		 "echo e > \"$(printf 'caf\\303\\251')\"");
	cr_assert_eq(mount_img(), 0);
	cr_assert(!FS.fs_rr);
	cr_assert(FS.fs_joliet);
	get("/meta-data", &n);
	s = slurp(&n);
	cr_assert_str_eq(s, "md\n");
	free(s);
	get("/MixedCase.txt", &n);
	cr_assert_eq(n.n_size, 6);
	get("/caf\303\251", &n); /* U+00E9 as UTF-8 */
	cr_assert_eq(n.n_size, 2);
	cr_assert_eq(cd9660_lookup(&FS, &FS.fs_root, "meta_dat", 8, &n), ENOENT);
}

struct seen {
	unsigned n;
	char names[16][64];
	uint64_t inos[16];
};

static int
collect(void *arg, const char *name, unsigned namelen, const struct cd9660_node *np)
{
	struct seen *s = arg;

	cr_assert(s->n < 16 && namelen < 64);
	memcpy(s->names[s->n], name, namelen);
	s->names[s->n][namelen] = '\0';
	s->inos[s->n++] = np->n_ino;
	return 0;
}

Test(cd9660, big_files_subdirectories_and_dotdot)
{
	struct cd9660_node big, d, dd, dotdot;
	struct seen seen = { 0 };
	uint8_t *buf = malloc(20000);
	size_t got;

	iso_make("-V vol -r", "mkdir -p a/b && "
		 "python3 -c \"import sys; sys.stdout.buffer.write(bytes((i * 7 + i // 251) & 255 "
		 "for i in range(10000)))\" > a/b/big && echo small > a/s");
	cr_assert_eq(mount_img(), 0);
	get("/a/b/big", &big);
	cr_assert_eq(big.n_size, 10000);
	/* Odd offsets and lengths across the 2048-byte blocks, and a read past the end. */
	for (uint64_t off = 0; off < 10000; off += 1237) {
		cr_assert_eq(cd9660_read(&FS, &big, off, buf, 4099, &got), 0);
		cr_assert_eq(got, off + 4099 > 10000 ? 10000 - off : 4099);
		for (size_t i = 0; i < got; i++)
			cr_assert_eq(buf[i], ((off + i) * 7 + (off + i) / 251) & 255, "at %llu",
				     (unsigned long long)(off + i));
	}
	cr_assert_eq(cd9660_read(&FS, &big, 10000, buf, 10, &got), 0);
	cr_assert_eq(got, 0);
	cr_assert_eq(cd9660_read(&FS, &big, 0, buf, 20000, &got), 0);
	cr_assert_eq(got, 10000);

	get("/a", &d);
	cr_assert_eq(d.n_mode & CD9660_S_IFMT, CD9660_S_IFDIR);
	cr_assert_eq(cd9660_readdir(&FS, &d, collect, &seen), 0);
	cr_assert_eq(seen.n, 4);
	cr_assert_str_eq(seen.names[0], ".");
	cr_assert_str_eq(seen.names[1], "..");
	cr_assert_str_eq(seen.names[2], "b");
	cr_assert_str_eq(seen.names[3], "s");
	cr_assert_eq(seen.inos[0], d.n_ino, "\".\" has the directory's id");
	cr_assert_eq(seen.inos[1], FS.fs_root.n_ino, "\"..\" of /a is the root");
	get("/a/b", &dd);
	cr_assert_eq(cd9660_lookup(&FS, &dd, "..", 2, &dotdot), 0);
	cr_assert_eq(dotdot.n_ino, d.n_ino);
	cr_assert_eq(cd9660_lookup(&FS, &FS.fs_root, "..", 2, &dotdot), 0);
	cr_assert_eq(dotdot.n_ino, FS.fs_root.n_ino);
	cr_assert_eq(cd9660_lookup(&FS, &big, "x", 1, &dotdot), ENOTDIR);
	cr_assert_eq(cd9660_lookup(&FS, &d, "nope", 4, &dotdot), ENOENT);
	free(buf);
}

Test(cd9660, long_rock_ridge_name_through_continuation_area)
{
	char name[240], cmd[400];
	struct cd9660_node n;
	char *s;

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	name[0] = 'L';
	snprintf(cmd, sizeof(cmd), "echo long > %s", name);
	iso_make("-V vol -r", cmd);
	cr_assert_eq(mount_img(), 0);
	get(name, &n);
	s = slurp(&n);
	cr_assert_str_eq(s, "long\n");
	free(s);
}

Test(cd9660, rock_ridge_symlinks)
{
	struct cd9660_node n;
	char buf[300], longt[251], cmd[700];

	memset(longt, 'x', sizeof(longt) - 1);
	longt[sizeof(longt) - 1] = '\0';
	snprintf(cmd, sizeof(cmd), "mkdir d && echo t > d/t && ln -s d/t rel && ln -s /etc/motd abs "
		 "&& ln -s ../up/./x dots && ln -s %s/y long", longt);
	iso_make("-V vol -R", cmd);
	cr_assert_eq(mount_img(), 0);
	get("/rel", &n);
	cr_assert_eq(n.n_mode & CD9660_S_IFMT, CD9660_S_IFLNK);
	cr_assert_eq(cd9660_readlink(&FS, &n, buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "d/t");
	get("/abs", &n);
	cr_assert_eq(cd9660_readlink(&FS, &n, buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "/etc/motd");
	get("/dots", &n);
	cr_assert_eq(cd9660_readlink(&FS, &n, buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "../up/./x");
	get("/long", &n);
	cr_assert_eq(cd9660_readlink(&FS, &n, buf, sizeof(buf)), 0);
	cr_assert_eq(strlen(buf), strlen(longt) + 2);
	hosted_klog_reset();
	cr_assert_eq(cd9660_readlink(&FS, &n, buf, 50), EIO);
	cr_assert(strstr(hosted_klog_last, "longer than") != NULL, "%s", hosted_klog_last);
	get("/d/t", &n);
	cr_assert_eq(cd9660_readlink(&FS, &n, buf, sizeof(buf)), EINVAL);
}

/* Byte offset of the record named (ISO name) iso in the root directory. */
static size_t
root_record(const char *iso)
{
	size_t base = (size_t)FS.fs_root.n_extent * FS.fs_bsize, off = 0;

	while (off < FS.fs_bsize && I.data[base + off] != 0) {
		uint8_t *r = I.data + base + off;

		if (r[32] >= strlen(iso) && memcmp(r + 33, iso, strlen(iso)) == 0)
			return base + off;
		off += r[0];
	}
	cr_assert_fail("no record %s", iso);
	return 0;
}

Test(cd9660, refuses_what_is_not_a_volume)
{
	iso_make("-V cidata -r", "echo a > f");
	/* Truncated: the volume no longer fits the device. */
	hosted_klog_reset();
	cr_assert_eq(cd9660_mount(&FS, "test", I.len - 4096, img_read, &I), EINVAL);
	cr_assert(hosted_klog_count > 0);
	/* Zeros where the descriptors are: not ISO 9660, and the probe says so quietly. */
	memset(I.data + 16 * 2048, 0, 2048);
	hosted_klog_reset();
	cr_assert_eq(cd9660_probe_label(I.len, img_read, &I, (char[33]){ 0 }), EINVAL);
	cr_assert_eq(hosted_klog_count, 0);
	cr_assert_eq(mount_img(), EINVAL);
	cr_assert_eq(cd9660_probe_label(4096, img_read, &I, (char[33]){ 0 }), EINVAL);
}

Test(cd9660, bad_record_length_is_eio)
{
	struct cd9660_node n;

	iso_make("-V cidata -r", "echo a > f && echo b > g");
	cr_assert_eq(mount_img(), 0);
	I.data[root_record("G")] = 200; /* past the end of the directory's records */
	I.data[root_record("F")] = 20;	/* shorter than a record */
	hosted_klog_reset();
	cr_assert_eq(cd9660_lookup(&FS, &FS.fs_root, "g", 1, &n), EIO);
	cr_assert(strstr(hosted_klog_last, "bad directory record") != NULL, "%s",
		  hosted_klog_last);
}

Test(cd9660, extent_past_the_volume_is_eio)
{
	struct cd9660_node n;
	uint8_t *r;

	iso_make("-V cidata -r", "echo a > f");
	cr_assert_eq(mount_img(), 0);
	r = I.data + root_record("F");
	r[2] = 0xf0; /* the little-endian extent */
	r[5] = 0x7f;
	hosted_klog_reset();
	cr_assert_eq(cd9660_lookup(&FS, &FS.fs_root, "f", 1, &n), EIO);
	cr_assert(strstr(hosted_klog_last, "outside the volume") != NULL, "%s", hosted_klog_last);
}

Test(cd9660, bad_system_use_entry_is_eio)
{
	struct cd9660_node n;
	uint8_t *r, *su;

	iso_make("-V cidata -r", "echo a > f");
	cr_assert_eq(mount_img(), 0);
	r = I.data + root_record("F");
	su = r + 33 + r[32] + ((r[32] & 1) == 0);
	su[2] = 0xfe; /* an entry longer than the record */
	hosted_klog_reset();
	cr_assert_eq(cd9660_lookup(&FS, &FS.fs_root, "f", 1, &n), EIO);
	cr_assert(strstr(hosted_klog_last, "system-use entry") != NULL, "%s", hosted_klog_last);
	su[2] = 0; /* and one of length zero */
	cr_assert_eq(cd9660_lookup(&FS, &FS.fs_root, "f", 1, &n), EIO);
}
