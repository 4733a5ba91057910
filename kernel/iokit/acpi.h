/*
 * acpi.h — what the kernel learns from the firmware's ACPI tables, and the parser that learns it.
 *
 * The parser (acpi.c, acpi_aml.c) is portable: it reads physical memory only through a mapper
 * callback, so the kernel points it at the direct map and the unit tests and the fuzzer point it
 * at a host buffer. Everything is copied into one struct acpi_info; nothing later reads a table.
 */
#ifndef _IOKIT_ACPI_H_
#define _IOKIT_ACPI_H_

#include <libkern/libkern.h>

#define ACPI_MAX_CPUS	   256
#define ACPI_MAX_IOAPICS   16
#define ACPI_MAX_OVERRIDES 32
#define ACPI_MAX_NMIS	   16
#define ACPI_MAX_MCFG	   16
#define ACPI_MAX_TABLE_LEN (16u << 20) /* larger "tables" are corrupt, not large */

/*
 * The mapper returns a pointer to len readable bytes at physical address pa, or NULL when that
 * range cannot be read.
 */
typedef const void *(*acpi_map_fn)(uint64_t pa, size_t len, void *ctx);

/* Generic Address Structure (ACPI 6.5 §5.2.3.2), as the parser normalises it. */
#define ACPI_GAS_MEMORY 0
#define ACPI_GAS_IO	1
struct acpi_gas {
	uint8_t ag_space;     /* ACPI_GAS_MEMORY, ACPI_GAS_IO, ... */
	uint8_t ag_bit_width;
	uint8_t ag_bit_offset;
	uint8_t ag_access_size;
	uint64_t ag_address;  /* 0: not present */
};

#define ACPI_CPU_ENABLED	0x1 /* MADT Local APIC flags (§5.2.12.2) */
#define ACPI_CPU_ONLINE_CAPABLE 0x2
struct acpi_cpu {
	uint32_t ac_apic_id;
	uint32_t ac_uid;      /* ACPI processor UID */
	uint32_t ac_flags;    /* ACPI_CPU_* */
	bool ac_x2apic;       /* from a Processor Local x2APIC entry */
};

struct acpi_ioapic {
	uint8_t ai_id;
	uint32_t ai_address;
	uint32_t ai_gsi_base;
};

/* MPS INTI flags (§5.2.12.5, Table 5.50). */
#define ACPI_INTI_POLARITY_MASK	   0x3
#define ACPI_INTI_POLARITY_CONFORM 0x0
#define ACPI_INTI_POLARITY_HIGH	   0x1
#define ACPI_INTI_POLARITY_LOW	   0x3
#define ACPI_INTI_TRIGGER_MASK	   0xc
#define ACPI_INTI_TRIGGER_CONFORM  0x0
#define ACPI_INTI_TRIGGER_EDGE	   0x4
#define ACPI_INTI_TRIGGER_LEVEL	   0xc

struct acpi_override {
	uint8_t ao_bus;	      /* 0: ISA */
	uint8_t ao_source;    /* the bus-relative IRQ */
	uint32_t ao_gsi;
	uint16_t ao_flags;    /* ACPI_INTI_* */
};

#define ACPI_NMI_ALL_CPUS 0xffffffffu
struct acpi_lapic_nmi {
	uint32_t an_uid;      /* ACPI_NMI_ALL_CPUS: every processor */
	uint16_t an_flags;    /* ACPI_INTI_* */
	uint8_t an_lint;      /* 0 or 1 */
};

struct acpi_mcfg {
	uint64_t am_base;
	uint16_t am_segment;
	uint8_t am_bus_start;
	uint8_t am_bus_end;
};

/* FADT fixed feature flags (§5.2.9, Table 5.10). */
#define ACPI_FADT_RESET_REG_SUP (1u << 10)
#define ACPI_FADT_HW_REDUCED	(1u << 20)

/* FADT IA-PC boot architecture flags (§5.2.9.3). */
#define ACPI_IAPC_LEGACY_DEVICES (1u << 0)
#define ACPI_IAPC_8042		 (1u << 1)
#define ACPI_IAPC_NO_CMOS_RTC	 (1u << 5) /* ACPI 5.0+: "CMOS RTC Not Present" */

struct acpi_fadt {
	uint8_t af_revision;
	uint32_t af_flags;
	uint16_t af_iapc_boot_arch;
	uint8_t af_century;   /* CMOS index of the RTC's century byte; 0: none */
	uint16_t af_sci_irq;
	uint32_t af_smi_cmd;
	uint8_t af_acpi_enable;
	uint8_t af_acpi_disable;
	uint64_t af_dsdt;     /* X_DSDT when set, else DSDT */
	struct acpi_gas af_pm1a_evt, af_pm1b_evt;
	struct acpi_gas af_pm1a_cnt, af_pm1b_cnt;
	struct acpi_gas af_pm_tmr;
	bool af_pm_tmr_32bit; /* TMR_VAL_EXT */
	struct acpi_gas af_reset_reg; /* address 0 unless RESET_REG_SUP */
	uint8_t af_reset_value;
};

struct acpi_info {
	bool ai_present;      /* an RSDP and a root table were found */
	uint8_t ai_revision;  /* RSDP revision: 0 is ACPI 1.0 */
	char ai_oem_id[7];
	uint64_t ai_rsdp_pa;  /* 0 when parsed from a copy */
	uint64_t ai_root_pa;
	bool ai_xsdt;	      /* root table is an XSDT (else RSDT) */
	uint32_t ai_ntables;  /* tables in the root table with a good header and checksum */
	uint32_t ai_warnings; /* tables or entries skipped as malformed */

	bool ai_has_madt;
	uint64_t ai_lapic_addr;
	uint32_t ai_madt_flags; /* bit 0: PCAT_COMPAT (8259s present) */
	uint32_t ai_ncpus, ai_cpus_dropped;
	struct acpi_cpu ai_cpus[ACPI_MAX_CPUS];
	uint32_t ai_nioapics, ai_ioapics_dropped;
	struct acpi_ioapic ai_ioapics[ACPI_MAX_IOAPICS];
	uint32_t ai_noverrides, ai_overrides_dropped;
	struct acpi_override ai_overrides[ACPI_MAX_OVERRIDES];
	uint32_t ai_nnmis, ai_nmis_dropped;
	struct acpi_lapic_nmi ai_nmis[ACPI_MAX_NMIS];

	bool ai_has_fadt;
	struct acpi_fadt ai_fadt;

	bool ai_has_hpet;
	uint64_t ai_hpet_base;
	uint8_t ai_hpet_number;
	uint16_t ai_hpet_min_tick;

	uint32_t ai_nmcfg, ai_mcfg_dropped;
	struct acpi_mcfg ai_mcfg[ACPI_MAX_MCFG];

	bool ai_has_s5;	      /* \_S5_ found in the DSDT or an SSDT */
	uint8_t ai_s5_typa, ai_s5_typb;
};

#define ACPI_MADT_PCAT_COMPAT 0x1

/*
 * acpi_parse: fill ai from the RSDP at physical address rsdp_pa.
 * acpi_parse_rsdp: the same, from a copy of the RSDP (Multiboot2 passes only a copy).
 *   Returns: 0 when an RSDP and its root table were usable (ai->ai_present); -1 otherwise.
 *            Malformed tables and entries are skipped with a klog() line and counted in
 *            ai->ai_warnings; what was good is kept.
 */
int acpi_parse(struct acpi_info *ai, uint64_t rsdp_pa, acpi_map_fn map, void *ctx);
int acpi_parse_rsdp(struct acpi_info *ai, const void *rsdp, size_t len, acpi_map_fn map,
		    void *ctx);

/*
 * acpi_find_rsdp: scan [start, start + len) on 16-byte boundaries for an RSDP with a good
 * checksum (§5.2.5.1).
 *   Returns: its physical address, or 0 when none is there.
 */
uint64_t acpi_find_rsdp(uint64_t start, uint64_t len, acpi_map_fn map, void *ctx);

/*
 * acpi_aml_find_s5: search AML bytes for `Name (_S5_, Package () { a, b, ... })` (§7.4.2,
 * §20.2) and decode the first two elements.
 *   Returns: 0 and *typa, *typb when found; -1 when absent or malformed.
 */
int acpi_aml_find_s5(const uint8_t *aml, size_t len, uint8_t *typa, uint8_t *typb);

/* Sum of len bytes, mod 256: 0 for a good ACPI checksum. */
uint8_t acpi_checksum(const void *p, size_t len);

#endif /* _IOKIT_ACPI_H_ */
