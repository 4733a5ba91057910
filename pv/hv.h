/*
 * hv.h — which hypervisor we run on, and what it offers: the result of the CPUID walk over the
 * hypervisor leaves 0x40000000–0x400000ff, kept for the clocksources, steal time, PV EOI and
 * (later) the Platform Expert's properties.
 */
#ifndef _PV_HV_H_
#define _PV_HV_H_

#include <libkern/libkern.h>

enum hv_kind {
	HV_NONE,   /* no signature found (bare metal, or a hypervisor that hides) */
	HV_KVM,	   /* "KVMKVMKVM\0\0\0" */
	HV_XEN,	   /* "XenVMMXenVMM" */
	HV_TCG,	   /* "TCGTCGTCGTCG": QEMU's software emulation */
	HV_HYPERV, /* "Microsoft Hv" */
	HV_VMWARE, /* "VMwareVMware" */
	HV_OTHER,  /* a signature we do not know; printed raw */
};

#define HV_MAX_SIGS 4

struct hv_sig {
	uint32_t hs_base;     /* the leaf the signature was found at (0x40000000 + n * 0x100) */
	uint32_t hs_max_leaf; /* EAX of that leaf: the highest leaf in this block */
	enum hv_kind hs_kind;
	char hs_text[13];     /* the 12 signature bytes, NUL-terminated */
};

struct hv_info {
	bool hv_bit;		 /* CPUID.1:ECX[31]: "a hypervisor is present" */
	unsigned hv_nsigs;
	struct hv_sig hv_sigs[HV_MAX_SIGS];
	const struct hv_sig *hv_primary; /* KVM or Xen when offered, else the first; or NULL */
	enum hv_kind hv_kind;		 /* hv_primary's kind, HV_NONE without one */

	/* KVM (leaf base+1): feature bits (KVM_FEATURE_*) and hints. */
	uint32_t hv_kvm_features;
	uint32_t hv_kvm_hints;

	/*
	 * Frequencies the hypervisor states, in kHz, 0 if absent: the timing leaf base+0x10
	 * (VMware's convention, also set by QEMU), or Xen's leaf base+3 with its 1 GHz vLAPIC.
	 */
	uint32_t hv_tsc_khz;
	uint32_t hv_lapic_khz;

	/* Xen (leaves base+1, base+2, base+4). */
	uint16_t hv_xen_major, hv_xen_minor;
	uint32_t hv_xen_hypercall_pages; /* pages in the hypercall area */
	uint32_t hv_xen_hypercall_msr;	 /* MSR that installs them */
	uint32_t hv_xen_hvm_features;	 /* leaf base+4 EAX (XEN_HVM_CPUID_*) */
	bool hv_xen_tsc_emulated;	 /* leaf base+3 EAX bit 0: RDTSC traps to Xen */
};

/* Published as Platform Expert properties by pv_publish() (pv/pv_publish.c). */
extern struct hv_info hv_info;

/*
 * hv_detect: fill hv_info from CPUID and print one line per signature found. Boot CPU, once,
 * before any clocksource is chosen. Cannot fail: an unknown or malformed leaf is reported and
 * otherwise ignored.
 */
void hv_detect(void);
/* hv_detect() without printing: for xen_early_init(), before the console is chosen. */
void hv_probe(void);

/* The hypervisor's name for messages: "KVM", "Xen", "TCG", ..., "none". */
const char *hv_kind_name(enum hv_kind kind);

/* True when running on KVM and leaf 0x40000001 EAX has bit `feature` (KVM_FEATURE_*). */
bool hv_kvm_has(unsigned feature);

#endif /* _PV_HV_H_ */
