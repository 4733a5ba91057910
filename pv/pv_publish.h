/*
 * pv_publish.h — hypervisor facts as Platform Expert properties.
 */
#ifndef _PV_PV_PUBLISH_H_
#define _PV_PV_PUBLISH_H_

#include <mach/kern/kern_return.h>

struct io_service;

/*
 * pv_publish: set "hypervisor", "hypervisor-signature", "kvm-features"/"xen-version",
 * "hypervisor-tsc-khz" and "clocksource" on root (the Platform Expert nub).
 *   Returns: KERN_SUCCESS, KERN_INVALID_ARGUMENT (no root), or the dictionary's error.
 */
kern_return_t pv_publish(struct io_service *root);

#endif
