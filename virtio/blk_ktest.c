/*
 * blk_ktest.c — virtio-blk through its IOMedia: the scenario's disk reads back what the host
 * wrote (the ext2 superblock of the image lib.sh makes), requests outside the media are refused,
 * a write reads back and is restored, several threads read at once and agree with one thread,
 * and a whole-disk sequential read prints its throughput. Skipped without a virtio-blk disk.
 */
#include <console.h>
#include <iokit/io_media.h>
#include <ktest.h>
#include <mach/kern/clock.h>
#include <mach/kern/kalloc.h>
#include <mach/kern/thread.h>

static void
blk_find_vda(struct io_service *s, unsigned depth, void *arg)
{
	struct io_media **out = arg;
	struct io_media *m = io_media_from_service(s);

	if (*out == NULL && m != NULL && m->im_whole)
		*out = m;
}

/* The first whole-disk IOMedia in the registry, or NULL. */
static struct io_media *
blk_first_disk(void)
{
	struct io_media *m = NULL;

	io_registry_walk(io_registry_root(), blk_find_vda, &m);
	return m;
}

KTEST(virtio_blk_reads_superblock)
{
	struct io_media *m = blk_first_disk();
	uint8_t *buf;

	if (m == NULL)
		KT_SKIP("no virtio-blk disk");
	buf = kalloc_zero(4096);
	KT_ASSERT(buf != NULL);
	KT_ASSERT_EQ(io_media_read(m, 0, buf, 4096), KERN_SUCCESS);
	/* lib.sh's disk: ext2, superblock at 1024, magic 0xef53 at +56, label at +120. */
	if (buf[1024 + 56] != 0x53 || buf[1024 + 57] != 0xef) {
		kfree(buf, 4096);
		KT_SKIP("the disk does not start with ext2 (not the scenario's standard disk)");
	}
	KT_ASSERT(memcmp(buf + 1024 + 120, "nimbus-test", 12) == 0);
	KT_ASSERT(m->im_size >= 8u << 20);
	kfree(buf, 4096);
}

KTEST(virtio_blk_refuses_bad_ranges)
{
	struct io_media *m = blk_first_disk();
	uint8_t buf[1024];

	if (m == NULL)
		KT_SKIP("no virtio-blk disk");
	KT_ASSERT_EQ(io_media_read(m, m->im_size, buf, 512), KERN_INVALID_ARGUMENT);
	KT_ASSERT_EQ(io_media_read(m, m->im_size - 512, buf, 1024), KERN_INVALID_ARGUMENT);
	KT_ASSERT_EQ(io_media_read(m, UINT64_MAX - 511, buf, 1024), KERN_INVALID_ARGUMENT);
	KT_ASSERT_EQ(io_media_read(m, 100, buf, 512), KERN_INVALID_ARGUMENT);
	KT_ASSERT_EQ(io_media_read(m, 0, buf, 0), KERN_INVALID_ARGUMENT);
	/* The last sector, into a buffer on this thread's stack (not the direct map). */
	KT_ASSERT_EQ(io_media_read(m, m->im_size - 512, buf, 512), KERN_SUCCESS);
}

KTEST(virtio_blk_write_reads_back)
{
	struct io_media *m = blk_first_disk();
	size_t len = 3 * 4096 + 512; /* odd size: more than one page, not page aligned */
	uint8_t *save, *pat, *back;
	uint64_t off;

	if (m == NULL)
		KT_SKIP("no virtio-blk disk");
	if (!m->im_writable)
		KT_SKIP("read-only disk");
	off = m->im_size - 16384; /* past what mke2fs uses on a fresh 8 MiB image */
	save = kalloc(len);
	pat = kalloc(len);
	back = kalloc(len);
	KT_ASSERT(save != NULL && pat != NULL && back != NULL);
	for (size_t i = 0; i < len; i++)
		pat[i] = (uint8_t)(i * 7 + (i >> 9));
	KT_ASSERT_EQ(io_media_read(m, off, save, len), KERN_SUCCESS);
	KT_ASSERT_EQ(io_media_write(m, off, pat, len), KERN_SUCCESS);
	KT_ASSERT_EQ(io_media_flush(m), KERN_SUCCESS);
	memset(back, 0, len);
	KT_ASSERT_EQ(io_media_read(m, off, back, len), KERN_SUCCESS);
	KT_ASSERT(memcmp(pat, back, len) == 0);
	KT_ASSERT_EQ(io_media_write(m, off, save, len), KERN_SUCCESS);
	KT_ASSERT_EQ(io_media_read(m, off, back, len), KERN_SUCCESS);
	KT_ASSERT(memcmp(save, back, len) == 0);
	kfree(save, len);
	kfree(pat, len);
	kfree(back, len);
}

#define BLK_NTHREADS 4
#define BLK_SPAN     (256u << 10)

struct blk_reader {
	struct io_media *br_media;
	uint64_t br_off;
	uint8_t *br_buf;
	kern_return_t br_kr;
	volatile bool br_done;
};

static void
blk_reader_main(void *arg, wait_result_t wr)
{
	struct blk_reader *r = arg;

	/* Small pieces, so that the threads' requests interleave in the queue. */
	r->br_kr = KERN_SUCCESS;
	for (uint64_t o = 0; o < BLK_SPAN && r->br_kr == KERN_SUCCESS; o += 8192)
		r->br_kr = io_media_read(r->br_media, r->br_off + o, r->br_buf + o, 8192);
	r->br_done = true;
	thread_wakeup(r);
	thread_terminate_self();
}

KTEST(virtio_blk_concurrent_readers)
{
	struct io_media *m = blk_first_disk();
	struct blk_reader r[BLK_NTHREADS];
	uint8_t *one;
	uint64_t t0 = clock_get_uptime();

	if (m == NULL)
		KT_SKIP("no virtio-blk disk");
	KT_ASSERT(m->im_size >= BLK_NTHREADS * BLK_SPAN);
	one = kalloc(BLK_NTHREADS * BLK_SPAN);
	KT_ASSERT(one != NULL);
	KT_ASSERT_EQ(io_media_read(m, 0, one, BLK_NTHREADS * BLK_SPAN), KERN_SUCCESS);
	for (unsigned i = 0; i < BLK_NTHREADS; i++) {
		thread_t t;

		r[i] = (struct blk_reader){ m, (uint64_t)i * BLK_SPAN, kalloc(BLK_SPAN),
					    KERN_FAILURE, false };
		KT_ASSERT(r[i].br_buf != NULL);
		KT_ASSERT_EQ(kernel_thread_start(blk_reader_main, &r[i], &t), KERN_SUCCESS);
		thread_deallocate(t);
	}
	for (unsigned i = 0; i < BLK_NTHREADS; i++) {
		while (!r[i].br_done) {
			assert_wait_deadline(&r[i], THREAD_UNINT, clock_get_uptime() + 1000000000ull);
			if (!r[i].br_done)
				thread_block(NULL);
			else
				clear_wait(current_thread(), THREAD_AWAKENED);
		}
		KT_ASSERT_EQ(r[i].br_kr, KERN_SUCCESS);
		KT_ASSERT(memcmp(r[i].br_buf, one + i * BLK_SPAN, BLK_SPAN) == 0);
		kfree(r[i].br_buf, BLK_SPAN);
	}
	kfree(one, BLK_NTHREADS * BLK_SPAN);
	printf("# virtio-blk: %u readers of %u KiB in 8 KiB requests: %llu ms\n", BLK_NTHREADS,
	       BLK_SPAN >> 10, (unsigned long long)((clock_get_uptime() - t0) / 1000000));
}

/* Not an assertion: prints the sequential read rate of the whole disk in 128 KiB requests. */
KTEST(virtio_blk_read_throughput)
{
	struct io_media *m = blk_first_disk();
	const size_t chunk = 128u << 10;
	uint64_t t0, ns, bytes = 0;
	uint8_t *buf;

	if (m == NULL)
		KT_SKIP("no virtio-blk disk");
	buf = kalloc(chunk);
	KT_ASSERT(buf != NULL);
	t0 = clock_get_uptime();
	for (uint64_t o = 0; o + chunk <= m->im_size && bytes < (64u << 20); o += chunk) {
		KT_ASSERT_EQ(io_media_read(m, o, buf, chunk), KERN_SUCCESS);
		bytes += chunk;
	}
	ns = clock_get_uptime() - t0;
	printf("# virtio-blk: read %llu KiB sequentially in %llu ms: %llu KB/s\n",
	       (unsigned long long)(bytes >> 10), (unsigned long long)(ns / 1000000),
	       (unsigned long long)(ns ? bytes * 1000000 / ns : 0));
	kfree(buf, chunk);
}
