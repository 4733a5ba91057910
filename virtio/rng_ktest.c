/*
 * rng_ktest.c — virtio-rng delivers bytes by interrupt into the entropy pool, and the pool's
 * output is not constant. Skipped without a virtio-rng device.
 */
#include <arch/x86_64/timer.h>
#include <console.h>
#include <iokit/io_matching.h>
#include <iokit/io_service.h>
#include <ktest.h>
#include <random.h>

uint64_t virtio_rng_refill(uint64_t more);

KTEST(virtio_rng_bytes_arrive)
{
	uint64_t before = virtio_rng_refill(256), now = before;
	uint8_t a[32], b[32];

	if (before == 0 && virtio_rng_refill(256) == 0 && random_entropy_bytes() == 0)
		KT_SKIP("no virtio-rng device");
	for (unsigned ms = 0; ms < 2000 && now < before + 256; ms++) {
		delay_us(1000);
		now = virtio_rng_refill(0);
	}
	printf("# virtio-rng: %llu bytes delivered, %llu credited to the pool\n",
	       (unsigned long long)now, (unsigned long long)random_entropy_bytes());
	KT_ASSERT(now >= before + 256);
	random_read(a, sizeof(a));
	random_read(b, sizeof(b));
	KT_ASSERT(memcmp(a, b, sizeof(a)) != 0);
}

bool virtio_rng_break_for_test(void);

static void
find_rng_nub(struct io_service *s, unsigned depth, void *arg)
{
	struct io_service **out = arg;

	if (*out == NULL && io_service_is_class(s, "IOVirtioDevice") &&
	    strcmp(io_service_name(s), "virtio-rng") == 0) {
		io_service_retain(s);
		*out = s;
	}
}

/*
 * A device that breaks its used ring is quarantined: the queue refuses, the device is reset,
 * the nub is terminated (its driver stopped), and the kernel goes on. Ends the rng device, so
 * it runs only when named: ktest=virtio_rng_quarantine.
 */
KTEST_F(virtio_rng_quarantine, KTEST_EXPLICIT)
{
	struct io_service *nub = NULL;

	io_registry_walk(io_registry_root(), find_rng_nub, &nub);
	if (nub == NULL)
		KT_SKIP("no virtio-rng device");
	KT_ASSERT(io_service_client(nub) != NULL);
	KT_ASSERT(virtio_rng_break_for_test());
	KT_ASSERT(io_service_wait_quiet()); /* the termination runs on the matching thread */
	KT_ASSERT(io_service_state(nub) & IOS_TERMINATED);
	KT_ASSERT(io_service_client(nub) == NULL);
	KT_ASSERT(io_service_provider(nub) == NULL);
	KT_ASSERT_EQ(virtio_rng_refill(16), 0); /* no rng driver any more */
	io_service_release(nub);
}
