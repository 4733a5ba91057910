/*
 * pv_publish.c — what the hypervisor offers, as properties of the I/O Kit Platform Expert.
 *
 * XNU's Platform Expert describes the machine to the rest of the kernel and to user space
 * (ioreg); for a kernel that only runs on hypervisors the hypervisor is the machine. The
 * properties go on the registry root once I/O Kit is up: "hypervisor" (KVM, Xen, TCG, ...),
 * the raw signature, KVM's feature bits or Xen's version, and the clocksource in use.
 */
#include <console.h>
#include <iokit/io_service.h>
#include <pv/clocksource.h>
#include <pv/hv.h>
#include <pv/pv_publish.h>

kern_return_t
pv_publish(struct io_service *root)
{
	struct os_dict *props;
	const struct clocksource *cs = clocksource_current();
	kern_return_t kr;

	if (root == NULL)
		return KERN_INVALID_ARGUMENT;
	props = io_service_props(root);
	kr = os_dict_set_string(props, "hypervisor", hv_kind_name(hv_info.hv_kind));
	if (kr == KERN_SUCCESS && hv_info.hv_primary != NULL)
		kr = os_dict_set_string(props, "hypervisor-signature", hv_info.hv_primary->hs_text);
	if (kr == KERN_SUCCESS && hv_info.hv_kind == HV_KVM)
		kr = os_dict_set_number(props, "kvm-features", hv_info.hv_kvm_features, 32);
	if (kr == KERN_SUCCESS && hv_info.hv_kind == HV_XEN)
		kr = os_dict_set_number(props, "xen-version",
					(uint32_t)hv_info.hv_xen_major << 16 | hv_info.hv_xen_minor,
					32);
	if (kr == KERN_SUCCESS && hv_info.hv_tsc_khz != 0)
		kr = os_dict_set_number(props, "hypervisor-tsc-khz", hv_info.hv_tsc_khz, 32);
	if (kr == KERN_SUCCESS && cs != NULL)
		kr = os_dict_set_string(props, "clocksource", cs->cs_name);
	if (kr != KERN_SUCCESS)
		klog(LOG_WARNING, "pv: hypervisor properties not published (%d)\n", kr);
	return kr;
}
