/*
 * xen_public.h — the one place the Xen public headers (Debian libxen-dev) are included from, so
 * that every file sees the same interface version (4.14: vcpu_time_info carries `flags`).
 */
#ifndef _PV_XEN_PUBLIC_H_
#define _PV_XEN_PUBLIC_H_

#include <libkern/libkern.h>

#ifndef __XEN_INTERFACE_VERSION__
#define __XEN_INTERFACE_VERSION__ 0x00040e00
#endif
#include <xen/xen.h>

#endif /* _PV_XEN_PUBLIC_H_ */
