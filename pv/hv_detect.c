/*
 * hv_detect.c — hypervisor detection through the CPUID hypervisor leaves.
 *
 * Follows the convention every hypervisor shares: CPUID.1:ECX[31] says one is present, and leaf
 * 0x40000000 returns the highest hypervisor leaf in EAX and a 12-byte signature in EBX:ECX:EDX.
 * A hypervisor that also emulates another's interface (Xen or KVM offering Hyper-V's) moves its
 * own block up by 0x100, so the whole range 0x40000000–0x400000ff is walked in steps of 0x100.
 * KVM: Documentation/virt/kvm/x86/cpuid.rst (leaf base+1: features in EAX, hints in EDX); Xen:
 * xen/arch-x86/cpuid.h (base+1 version, base+2 hypercall pages and MSR, base+4 HVM features);
 * the timing leaf base+0x10 (TSC and LAPIC bus frequency in kHz) is VMware's, also set by QEMU.
 *
 * The one idea: record every block found, prefer the native interface (KVM, Xen) over an
 * emulated one, and believe no field until the block's max-leaf says the leaf exists.
 */
#include <arch/x86_64/cpu.h>
#include <asm/kvm_para.h>
#include <console.h>
#include <pv/hv.h>
#include <xen/arch-x86/cpuid.h>

#define HV_LEAF_FIRST 0x40000000u
#define HV_LEAF_LAST  0x400000ffu
#define HV_LEAF_STEP  0x100u
#define HV_TIMING     0x10u /* offset of the timing leaf in a block */
#define XEN_VLAPIC_KHZ 100000u /* Xen's virtual APIC timer input */

struct hv_info hv_info;

static const struct {
	const char *sig;
	enum hv_kind kind;
	const char *name;
} hv_known[] = {
	{ KVM_SIGNATURE, HV_KVM, "KVM" },
	{ "XenVMMXenVMM", HV_XEN, "Xen" },
	{ "TCGTCGTCGTCG", HV_TCG, "TCG" },
	{ "Microsoft Hv", HV_HYPERV, "Hyper-V" },
	{ "VMwareVMware", HV_VMWARE, "VMware" },
};

const char *
hv_kind_name(enum hv_kind kind)
{
	for (size_t i = 0; i < ARRAY_SIZE(hv_known); i++)
		if (hv_known[i].kind == kind)
			return hv_known[i].name;
	return kind == HV_OTHER ? "unknown" : "none";
}

bool
hv_kvm_has(unsigned feature)
{
	return hv_info.hv_kind == HV_KVM && feature < 32 &&
	       (hv_info.hv_kvm_features >> feature) & 1;
}

/* A hypervisor's own interface, preferred over one it emulates for another's guests. */
static bool
hv_native(enum hv_kind kind)
{
	return kind == HV_KVM || kind == HV_XEN;
}

/* The signature as printable text: anything outside ASCII 0x20–0x7e is shown as '.'. */
static void
hv_sig_printable(const char *in, char out[13])
{
	for (int i = 0; i < 12; i++)
		out[i] = (in[i] >= 0x20 && in[i] < 0x7f) ? in[i] : '.';
	out[12] = '\0';
}

static void
hv_read_kvm(const struct hv_sig *s)
{
	uint32_t r[4];

	if (s->hs_max_leaf < s->hs_base + 1)
		return;
	cpuid(s->hs_base + 1, 0, r);
	hv_info.hv_kvm_features = r[0];
	hv_info.hv_kvm_hints = r[3];
}

static void
hv_read_xen(const struct hv_sig *s)
{
	uint32_t r[4];

	if (s->hs_max_leaf >= s->hs_base + 1) {
		cpuid(s->hs_base + 1, 0, r);
		hv_info.hv_xen_major = (uint16_t)(r[0] >> 16);
		hv_info.hv_xen_minor = (uint16_t)r[0];
	}
	if (s->hs_max_leaf >= s->hs_base + 2) {
		cpuid(s->hs_base + 2, 0, r);
		hv_info.hv_xen_hypercall_pages = r[0];
		hv_info.hv_xen_hypercall_msr = r[1];
	}
	if (s->hs_max_leaf >= s->hs_base + 3) {
		cpuid(s->hs_base + 3, 0, r);
		hv_info.hv_xen_tsc_emulated = r[0] & 1;
		/*
		 * The guest TSC frequency (ECX). Xen's virtual local APIC timer counts at
		 * 100 MHz (xen/arch/x86/hvm/vlapic.c: APIC_BUS_CYCLE_NS 10; not in the public
		 * headers, checked by the timer_tick_rate ktest under Xen). Calibrating
		 * against Xen's emulated PIT instead gave figures 20x off under TCG.
		 */
		if (r[2] >= 1000 && r[2] <= 100000000u) {
			hv_info.hv_tsc_khz = r[2];
			hv_info.hv_lapic_khz = XEN_VLAPIC_KHZ;
		}
	}
	if (s->hs_max_leaf >= s->hs_base + 4) {
		cpuid(s->hs_base + 4, 0, r);
		hv_info.hv_xen_hvm_features = r[0];
	}
}

static void
hv_read_timing(const struct hv_sig *s)
{
	uint32_t r[4];

	if (s->hs_max_leaf < s->hs_base + HV_TIMING)
		return;
	cpuid(s->hs_base + HV_TIMING, 0, r);
	/* Sanity: 1 MHz .. 100 GHz for the TSC; a zero LAPIC frequency means "not given". */
	if (r[0] >= 1000 && r[0] <= 100000000u) {
		hv_info.hv_tsc_khz = r[0];
		hv_info.hv_lapic_khz = r[1] <= 100000000u ? r[1] : 0;
	} else if (r[0] != 0) {
		klog(LOG_WARNING, "hv: timing leaf %#x gives a TSC of %u kHz; ignored\n",
		     s->hs_base + HV_TIMING, r[0]);
	}
}

static void
hv_print(void)
{
	const struct hv_sig *p = hv_info.hv_primary;

	if (p == NULL) {
		printf("hv: no hypervisor signature (CPUID.1:ECX[31] %s)\n",
		       hv_info.hv_bit ? "set" : "clear");
		return;
	}
	for (unsigned i = 0; i < hv_info.hv_nsigs; i++) {
		const struct hv_sig *s = &hv_info.hv_sigs[i];

		printf("hv: %s \"%s\" at leaf %#x (max %#x)%s\n", hv_kind_name(s->hs_kind),
		       s->hs_text, s->hs_base, s->hs_max_leaf, s == p ? ", using it" : "");
	}
	if (hv_info.hv_kind == HV_KVM)
		printf("hv: KVM features %#x hints %#x:%s%s%s%s%s\n", hv_info.hv_kvm_features,
		       hv_info.hv_kvm_hints,
		       hv_kvm_has(KVM_FEATURE_CLOCKSOURCE2) ? " clocksource2" : "",
		       hv_kvm_has(KVM_FEATURE_CLOCKSOURCE_STABLE_BIT) ? " stable-bit" : "",
		       hv_kvm_has(KVM_FEATURE_STEAL_TIME) ? " steal-time" : "",
		       hv_kvm_has(KVM_FEATURE_PV_EOI) ? " pv-eoi" : "",
		       hv_kvm_has(KVM_FEATURE_PV_UNHALT) ? " pv-unhalt" : "");
	if (hv_info.hv_kind == HV_XEN)
		printf("hv: Xen %u.%u, %u hypercall page(s) through MSR %#x, HVM features %#x, "
		       "TSC %s\n", hv_info.hv_xen_major, hv_info.hv_xen_minor,
		       hv_info.hv_xen_hypercall_pages, hv_info.hv_xen_hypercall_msr,
		       hv_info.hv_xen_hvm_features,
		       hv_info.hv_xen_tsc_emulated ? "emulated" : "native");
	if (hv_info.hv_tsc_khz != 0)
		printf("hv: stated frequencies: TSC %u kHz, LAPIC bus %u kHz\n", hv_info.hv_tsc_khz,
		       hv_info.hv_lapic_khz);
}

void
hv_probe(void)
{
	uint32_t r[4];

	memset(&hv_info, 0, sizeof(hv_info));
	hv_info.hv_bit = cpu_has(1, CPUID_ECX, 31);

	for (uint32_t base = HV_LEAF_FIRST; base < HV_LEAF_LAST; base += HV_LEAF_STEP) {
		struct hv_sig *s;
		char raw[12];

		cpuid(base, 0, r);
		memcpy(&raw[0], &r[1], 4);
		memcpy(&raw[4], &r[2], 4);
		memcpy(&raw[8], &r[3], 4);
		/* An empty block, or a CPU that answers unknown leaves with its last basic leaf. */
		if (r[0] < base || r[0] > base + 0xff || (r[1] | r[2] | r[3]) == 0)
			continue;
		if (hv_info.hv_nsigs == HV_MAX_SIGS) {
			klog(LOG_WARNING, "hv: more than %u hypervisor blocks; %#x ignored\n",
			     HV_MAX_SIGS, base);
			break;
		}
		s = &hv_info.hv_sigs[hv_info.hv_nsigs++];
		s->hs_base = base;
		s->hs_max_leaf = r[0];
		s->hs_kind = HV_OTHER;
		for (size_t i = 0; i < ARRAY_SIZE(hv_known); i++)
			if (memcmp(raw, hv_known[i].sig, 12) == 0)
				s->hs_kind = hv_known[i].kind;
		hv_sig_printable(raw, s->hs_text);
		if (hv_info.hv_primary == NULL ||
		    (hv_native(s->hs_kind) && !hv_native(hv_info.hv_primary->hs_kind)))
			hv_info.hv_primary = s;
	}

	if (hv_info.hv_primary != NULL) {
		const struct hv_sig *p = hv_info.hv_primary;

		hv_info.hv_kind = p->hs_kind;
		if (p->hs_kind == HV_KVM)
			hv_read_kvm(p);
		else if (p->hs_kind == HV_XEN)
			hv_read_xen(p);
		if (hv_info.hv_tsc_khz == 0)
			hv_read_timing(p);
	}
}

void
hv_detect(void)
{
	hv_probe();
	hv_print();
}
