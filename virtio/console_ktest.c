/*
 * console_ktest.c — hvc0 transmits: a marker line written to the hvc0 sink leaves the guest
 * (the boot scenario finds it in the host's chardev file). Skipped without virtio-console.
 */
#include <console.h>
#include <ktest.h>

bool virtio_console_stats(uint64_t *tx, uint64_t *rx, uint64_t *dropped);

KTEST(virtio_console_hvc0_transmits)
{
	static const char marker[] = "nimbus: hello from hvc0\n";
	uint64_t tx0, tx1, rx, dropped0, dropped1;

	if (!virtio_console_stats(&tx0, &rx, &dropped0))
		KT_SKIP("no virtio console");
	/* Straight to the sink: whether or not console= selected hvc0. */
	extern void virtio_console_write_for_test(const char *s, size_t n);
	virtio_console_write_for_test(marker, sizeof(marker) - 1);
	KT_ASSERT(virtio_console_stats(&tx1, &rx, &dropped1));
	KT_ASSERT_EQ(tx1 - tx0, sizeof(marker) - 1);
	KT_ASSERT_EQ(dropped1, dropped0);
}
