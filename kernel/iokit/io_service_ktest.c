/*
 * io_service_ktest.c — self-tests of the registry as booted: the Platform Expert is the root
 * and publishes what ACPI found.
 */
#include <console.h>
#include <iokit/acpi_platform.h>
#include <iokit/platform_expert.h>
#include <ktest.h>

KTEST(iokit_platform_expert_root)
{
	struct io_service *root = io_registry_root();
	struct os_array *mcfg;
	uint64_t v;

	KT_ASSERT(root != NULL);
	KT_ASSERT(io_service_is_class(root, kIOPlatformExpertClass));
	KT_ASSERT(io_service_state(root) & IOS_REGISTERED);
	KT_ASSERT(os_dict_get_number(io_service_props(root), "cpus", &v));
	KT_ASSERT_EQ(v, acpi_info.ai_ncpus);
	mcfg = os_as_array(os_dict_get(io_service_props(root), "acpi-mcfg"));
	KT_ASSERT_EQ(mcfg == NULL ? 0 : os_array_count(mcfg), acpi_info.ai_nmcfg);
}

KTEST(iokit_parse_virtio_mmio)
{
	uint64_t size, base;
	uint32_t irq;

	KT_ASSERT(pe_parse_virtio_mmio("512@0xfeb00e00:12", &size, &base, &irq));
	KT_ASSERT_EQ(size, 512);
	KT_ASSERT_EQ(base, 0xfeb00e00);
	KT_ASSERT_EQ(irq, 12);
	KT_ASSERT(pe_parse_virtio_mmio("4K@0xd0000000:5:3", &size, &base, &irq));
	KT_ASSERT_EQ(size, 4096);
	KT_ASSERT_EQ(irq, 5);
	KT_ASSERT(!pe_parse_virtio_mmio("512@0xfeb00e00", &size, &base, &irq));
	KT_ASSERT(!pe_parse_virtio_mmio("16@0x1000:5", &size, &base, &irq)); /* too small */
	KT_ASSERT(!pe_parse_virtio_mmio("4K@0xfffffffffffff800:5", &size, &base, &irq));
	KT_ASSERT(!pe_parse_virtio_mmio("512@0x1000:300", &size, &base, &irq));
	KT_ASSERT(!pe_parse_virtio_mmio("x@0x1000:5", &size, &base, &irq));
	KT_ASSERT(!pe_parse_virtio_mmio("@0x1000:5", &size, &base, &irq));
	KT_ASSERT(!pe_parse_virtio_mmio("512@:5", &size, &base, &irq));
}
