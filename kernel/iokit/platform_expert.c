/*
 * platform_expert.c — the Platform Expert nub (XNU IOPlatformExpertDevice): the root of the
 * service plane. It publishes what the firmware's ACPI tables say about the machine as
 * properties, so that bus drivers (the PCI host bridge) find ECAM windows and interrupt
 * routing by matching the root rather than by reading firmware themselves.
 *
 * It also publishes the devices the platform describes outside any bus: virtio-mmio devices
 * named on the command line (`virtio_mmio.device=SIZE@BASE:IRQ`, as QEMU microvm and
 * Firecracker pass them) become IOPlatformDevice nubs named "virtio,mmio".
 */
#include <cmdline.h>
#include <console.h>
#include <iokit/acpi_platform.h>
#include <iokit/io_matching.h>
#include <iokit/platform_expert.h>
#include <panic.h>

extern const struct io_driver *const __iokit_drivers_start[], *const __iokit_drivers_end[];

/* One dictionary per MCFG entry, in an array under "acpi-mcfg". */
static kern_return_t
pe_publish_mcfg(struct os_dict *props)
{
	struct os_array *a = os_array_create(acpi_info.ai_nmcfg);
	kern_return_t kr = KERN_SUCCESS;

	if (a == NULL)
		return KERN_RESOURCE_SHORTAGE;
	for (uint32_t i = 0; i < acpi_info.ai_nmcfg && kr == KERN_SUCCESS; i++) {
		const struct acpi_mcfg *m = &acpi_info.ai_mcfg[i];
		struct os_dict *d = os_dict_create(4);

		if (d == NULL) {
			kr = KERN_RESOURCE_SHORTAGE;
			break;
		}
		kr = os_dict_set_number(d, "base", m->am_base, 64);
		if (kr == KERN_SUCCESS)
			kr = os_dict_set_number(d, "segment", m->am_segment, 16);
		if (kr == KERN_SUCCESS)
			kr = os_dict_set_number(d, "bus-start", m->am_bus_start, 8);
		if (kr == KERN_SUCCESS)
			kr = os_dict_set_number(d, "bus-end", m->am_bus_end, 8);
		if (kr == KERN_SUCCESS)
			kr = os_array_append(a, OS_OBJ(d));
		os_release(OS_OBJ(d));
	}
	if (kr == KERN_SUCCESS)
		kr = os_dict_set(props, "acpi-mcfg", OS_OBJ(a));
	os_release(OS_OBJ(a));
	return kr;
}

static kern_return_t
pe_publish_acpi(struct os_dict *props)
{
	kern_return_t kr;

	kr = os_dict_set_string(props, kIONameKey, "platform");
	if (kr == KERN_SUCCESS)
		kr = os_dict_set_bool(props, "acpi", acpi_info.ai_present);
	if (kr != KERN_SUCCESS || !acpi_info.ai_present)
		return kr;
	kr = os_dict_set_string(props, "acpi-oem-id", acpi_info.ai_oem_id);
	if (kr == KERN_SUCCESS)
		kr = os_dict_set_number(props, "acpi-revision", acpi_info.ai_revision, 8);
	if (kr == KERN_SUCCESS)
		kr = os_dict_set_number(props, "cpus", acpi_info.ai_ncpus, 32);
	if (kr == KERN_SUCCESS)
		kr = os_dict_set_number(props, "ioapics", acpi_info.ai_nioapics, 32);
	if (kr == KERN_SUCCESS && acpi_info.ai_has_hpet)
		kr = os_dict_set_number(props, "hpet-base", acpi_info.ai_hpet_base, 64);
	if (kr == KERN_SUCCESS && acpi_info.ai_nmcfg != 0)
		kr = pe_publish_mcfg(props);
	return kr;
}

/* A number in C notation (0x hex, else decimal) spanning exactly [s, end). */
static bool
pe_number(const char *s, const char *end, uint64_t *v)
{
	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return kstrtou64(s + 2, (size_t)(end - s - 2), 16, v);
	return kstrtou64(s, (size_t)(end - s), 10, v);
}

bool
pe_parse_virtio_mmio(const char *s, uint64_t *size, uint64_t *base, uint32_t *irq)
{
	const char *at = strchr(s, '@'), *colon, *end;
	uint64_t v, shift = 0;

	if (at == NULL || at == s)
		return false;
	end = at;
	switch (end[-1]) {
	case 'K':
	case 'k':
		shift = 10;
		break;
	case 'M':
	case 'm':
		shift = 20;
		break;
	case 'G':
	case 'g':
		shift = 30;
		break;
	}
	if (shift != 0)
		end--;
	if (!pe_number(s, end, &v) || v > (UINT64_MAX >> shift))
		return false;
	*size = v << shift;
	colon = strchr(at + 1, ':');
	if (colon == NULL || !pe_number(at + 1, colon, base))
		return false;
	end = strchr(colon + 1, ':');
	if (end == NULL)
		end = colon + 1 + strlen(colon + 1);
	if (!pe_number(colon + 1, end, &v) || v > 255)
		return false;
	*irq = (uint32_t)v;
	return *size >= 0x100 && *base != 0 && *base + *size > *base;
}

/* One IOPlatformDevice nub per `virtio_mmio.device=` on the command line. */
static void
pe_publish_virtio_mmio(struct io_service *pe)
{
	unsigned pos = 0, n = 0;
	const char *v;

	while ((v = cmdline_next(&boot_cmdline, "virtio_mmio.device", &pos)) != NULL) {
		uint64_t size, base;
		uint32_t irq;
		char loc[20];
		struct io_service *nub;
		struct os_dict *p;
		kern_return_t kr;

		if (!pe_parse_virtio_mmio(v, &size, &base, &irq)) {
			klog(LOG_WARNING, "iokit: virtio_mmio.device=%s is malformed; ignored\n", v);
			continue;
		}
		ksnprintf(loc, sizeof(loc), "%llx", (unsigned long long)base);
		nub = io_service_create(kIOPlatformDeviceClass, "virtio-mmio", loc, NULL);
		if (nub == NULL)
			break;
		p = io_service_props(nub);
		kr = os_dict_set_string(p, kIONameKey, "virtio,mmio");
		if (kr == KERN_SUCCESS)
			kr = os_dict_set_number(p, "reg", base, 64);
		if (kr == KERN_SUCCESS)
			kr = os_dict_set_number(p, "reg-size", size, 64);
		if (kr == KERN_SUCCESS)
			kr = os_dict_set_number(p, "interrupt", irq, 32);
		if (kr == KERN_SUCCESS)
			kr = io_service_attach(nub, pe);
		if (kr == KERN_SUCCESS) {
			(void)io_service_register(nub);
			n++;
		}
		io_service_release(nub);
	}
	if (n != 0)
		printf("iokit: %u virtio-mmio devices from the command line\n", n);
}

static void
pe_print(const char *line, void *arg)
{
	printf("%s\n", line);
}

void
iokit_dump(bool props)
{
	if (io_registry_root() == NULL)
		printf("iokit: the registry is empty\n");
	io_registry_dump(io_registry_root(), props, pe_print, NULL);
}

void
iokit_start(void)
{
	struct io_service *pe;
	unsigned ndrv = 0;

	for (const struct io_driver *const *d = __iokit_drivers_start; d < __iokit_drivers_end;
	     d++) {
		if (io_catalog_add(*d) == KERN_SUCCESS)
			ndrv++;
		else
			klog(LOG_ERR, "iokit: driver %s not added to the catalogue\n",
			     (*d)->drv_class);
	}
	pe = io_service_create(kIOPlatformExpertClass, "Root", "", NULL);
	if (pe == NULL || pe_publish_acpi(io_service_props(pe)) != KERN_SUCCESS) {
		klog(LOG_ERR, "iokit: no memory for the Platform Expert; no devices\n");
		io_service_release(pe);
		return;
	}
	printf("iokit: %u drivers in the catalogue; matching\n", ndrv);
	if (io_matching_start() != KERN_SUCCESS)
		klog(LOG_ERR, "iokit: no matching thread; matching in the caller\n");
	(void)io_service_register(pe);
	pe_publish_virtio_mmio(pe);
	io_service_release(pe);
	/* Boot goes on with every device that is there matched, as XNU's waitQuiet at boot. */
	(void)io_service_wait_quiet();
}

void
iokit_boot_dump(void)
{
	uint64_t dump = 0;

	if (cmdline_get_uint(&boot_cmdline, "iokit.dump", 0, 1, &dump) && dump != 0)
		iokit_dump(true);
}
