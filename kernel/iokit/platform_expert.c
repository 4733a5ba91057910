/*
 * platform_expert.c — the Platform Expert nub (XNU IOPlatformExpertDevice): the root of the
 * service plane. It publishes what the firmware's ACPI tables say about the machine as
 * properties, so that bus drivers (the PCI host bridge) find ECAM windows and interrupt
 * routing by matching the root rather than by reading firmware themselves.
 */
#include <cmdline.h>
#include <console.h>
#include <iokit/acpi_platform.h>
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
	uint64_t dump = 0;

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
	/* XXX: asynchronous matching thread once the scheduler lands. */
	(void)io_service_register(pe);
	io_service_release(pe);
	if (cmdline_get_uint(&boot_cmdline, "iokit.dump", 0, 1, &dump) && dump != 0)
		iokit_dump(true);
}
