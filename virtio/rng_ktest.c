/*
 * rng_ktest.c — virtio-rng delivers bytes by interrupt into the entropy pool, and the pool's
 * output is not constant. Skipped without a virtio-rng device.
 */
#include <arch/x86_64/timer.h>
#include <console.h>
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
