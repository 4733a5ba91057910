/*
 * acpi_test.c — unit tests for kernel/iokit/acpi.c: synthetic firmware tables, correct and
 * corrupted, laid out in a host buffer that stands for physical memory.
 */
// unit-deps: kernel/iokit/acpi_aml.c
#include <criterion/criterion.h>
#include <iokit/acpi.h>

#define PHYS_SIZE 0x100000
#define RSDP_PA	  0xe0000
#define XSDT_PA	  0x1000
#define RSDT_PA	  0x1800
#define MADT_PA	  0x2000
#define FADT_PA	  0x4000
#define DSDT_PA	  0x5000
#define HPET_PA	  0x6000
#define MCFG_PA	  0x7000
#define SSDT_PA	  0x8000

static uint8_t *phys;

static const void *
buf_map(uint64_t pa, size_t len, void *ctx)
{
	(void)ctx;
	if (pa == 0 || pa > PHYS_SIZE || len > PHYS_SIZE - pa)
		return NULL;
	return phys + pa;
}

static void
put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void
put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void
put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void
fix_checksum(uint64_t pa)
{
	uint8_t *t = phys + pa;
	uint32_t len;

	memcpy(&len, t + 4, 4);
	t[9] = 0;
	t[9] = (uint8_t)-acpi_checksum(t, len);
}

/* A table header at pa with body bytes appended; the checksum is fixed. */
static void
put_table(uint64_t pa, const char *sig, uint8_t rev, const void *body, uint32_t blen)
{
	uint8_t *t = phys + pa;

	memset(t, 0, 36);
	memcpy(t, sig, 4);
	put32(t + 4, 36 + blen);
	t[8] = rev;
	memcpy(t + 10, "NIMBUS", 6);
	memcpy(t + 16, "TESTTABL", 8);
	if (blen)
		memcpy(t + 36, body, blen);
	fix_checksum(pa);
}

static void
put_rsdp(uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	uint8_t *r = phys + RSDP_PA;

	memset(r, 0, 36);
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "NIMBUS", 6);
	r[15] = rev;
	put32(r + 16, rsdt);
	r[8] = (uint8_t)-acpi_checksum(r, 20);
	if (rev >= 2) {
		put32(r + 20, 36);
		put64(r + 24, xsdt);
		r[32] = (uint8_t)-acpi_checksum(r, 36);
	}
}

static void
put_roots(const uint64_t *tables, int n)
{
	uint8_t x[64], r[32];

	for (int i = 0; i < n; i++) {
		put64(x + 8 * i, tables[i]);
		put32(r + 4 * i, (uint32_t)tables[i]);
	}
	put_table(XSDT_PA, "XSDT", 1, x, 8 * n);
	put_table(RSDT_PA, "RSDT", 1, r, 4 * n);
}

/* MADT body: two CPUs (one disabled), one x2APIC CPU, an IOAPIC, two overrides, NMIs. */
static uint32_t
madt_body(uint8_t *b)
{
	uint8_t *p = b;

	put32(p, 0xfee00000);
	put32(p + 4, 1);
	p += 8;
	*p++ = 0, *p++ = 8, *p++ = 0, *p++ = 0, put32(p, 1), p += 4;	/* uid 0, apic 0 */
	*p++ = 0, *p++ = 8, *p++ = 1, *p++ = 2, put32(p, 2), p += 4; /* uid 1, apic 2, hotplug */
	*p++ = 9, *p++ = 16, put16(p, 0), put32(p + 2, 300), put32(p + 6, 1), put32(p + 10, 7);
	p += 14;
	*p++ = 1, *p++ = 12, *p++ = 5, *p++ = 0, put32(p, 0xfec00000), put32(p + 4, 0), p += 8;
	*p++ = 2, *p++ = 10, *p++ = 0, *p++ = 0, put32(p, 2), put16(p + 4, 0), p += 6;
	*p++ = 2, *p++ = 10, *p++ = 0, *p++ = 9, put32(p, 9), put16(p + 4, 0xd), p += 6;
	*p++ = 4, *p++ = 6, *p++ = 0xff, put16(p, 5), p += 2, *p++ = 1;
	*p++ = 10, *p++ = 12, put16(p, 0), put32(p + 2, 7), p[6] = 0, p += 10;
	return (uint32_t)(p - b);
}

/* The AML for Name (\_S5_, Package (0x04) { 0x05, 0x06, Zero, Zero }). */
static const uint8_t s5_aml[] = {
	0x10, 0x06, '\\', '_', 'S', 'B', '_',			/* a Scope before it */
	0x08, '\\', '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a, 0x05, 0x0a, 0x06, 0x00, 0x00,
};

static void
put_fadt(uint32_t len, uint64_t dsdt, uint64_t x_dsdt)
{
	uint8_t f[276 - 36] = { 0 };
	uint8_t *b = f - 36; /* so offsets read as in the spec's table */

	put32(b + 40, (uint32_t)dsdt);
	put16(b + 46, 9);
	put32(b + 48, 0xb2);
	b[52] = 0xf1;
	b[53] = 0xf0;
	put32(b + 56, 0x600);
	put32(b + 64, 0x604);
	put32(b + 76, 0x608);
	b[88] = 4;
	b[89] = 2;
	b[91] = 4;
	put16(b + 109, 3);
	put32(b + 112, (1u << 10) | (1u << 8));
	b[116] = 1, b[117] = 8, put64(b + 120, 0xcf9);
	b[128] = 6;
	put64(b + 140, x_dsdt);
	put_table(FADT_PA, "FACP", len >= 244 ? 5 : 1, f, len - 36);
}

static void
build_all(void)
{
	uint8_t b[512];
	uint32_t n;
	uint64_t tabs[] = { FADT_PA, MADT_PA, HPET_PA, MCFG_PA };

	n = madt_body(b);
	put_table(MADT_PA, "APIC", 5, b, n);
	put_fadt(276, 0, DSDT_PA);
	put_table(DSDT_PA, "DSDT", 2, s5_aml, sizeof(s5_aml));
	memset(b, 0, 20);
	put32(b, 0x8086a201);
	b[4] = 0, b[5] = 64, put64(b + 8, 0xfed00000);
	b[16] = 0, put16(b + 17, 128);
	put_table(HPET_PA, "HPET", 1, b, 20);
	memset(b, 0, 24);
	put64(b + 8, 0xb0000000), put16(b + 16, 0), b[18] = 0, b[19] = 255;
	put_table(MCFG_PA, "MCFG", 1, b, 24);
	put_roots(tabs, 4);
	put_rsdp(2, RSDT_PA, XSDT_PA);
}

static void
setup(void)
{
	phys = calloc(1, PHYS_SIZE);
	cr_assert_not_null(phys);
	build_all();
}

static void
teardown(void)
{
	free(phys);
}

static struct acpi_info ai;

TestSuite(acpi, .init = setup, .fini = teardown);

Test(acpi, full_tables)
{
	cr_assert_eq(acpi_parse(&ai, RSDP_PA, buf_map, NULL), 0);
	cr_assert(ai.ai_present && ai.ai_xsdt);
	cr_assert_eq(ai.ai_revision, 2);
	cr_assert_str_eq(ai.ai_oem_id, "NIMBUS");
	cr_assert_eq(ai.ai_root_pa, XSDT_PA);
	cr_assert_eq(ai.ai_ntables, 4);
	cr_assert_eq(ai.ai_warnings, 0);

	cr_assert(ai.ai_has_madt);
	cr_assert_eq(ai.ai_lapic_addr, 0xfee00000);
	cr_assert_eq(ai.ai_madt_flags, ACPI_MADT_PCAT_COMPAT);
	cr_assert_eq(ai.ai_ncpus, 3);
	cr_assert_eq(ai.ai_cpus[0].ac_apic_id, 0);
	cr_assert_eq(ai.ai_cpus[0].ac_flags, ACPI_CPU_ENABLED);
	cr_assert_eq(ai.ai_cpus[1].ac_apic_id, 2);
	cr_assert_eq(ai.ai_cpus[1].ac_uid, 1);
	cr_assert_eq(ai.ai_cpus[1].ac_flags, ACPI_CPU_ONLINE_CAPABLE);
	cr_assert(ai.ai_cpus[2].ac_x2apic);
	cr_assert_eq(ai.ai_cpus[2].ac_apic_id, 300);
	cr_assert_eq(ai.ai_cpus[2].ac_uid, 7);
	cr_assert_eq(ai.ai_nioapics, 1);
	cr_assert_eq(ai.ai_ioapics[0].ai_id, 5);
	cr_assert_eq(ai.ai_ioapics[0].ai_address, 0xfec00000);
	cr_assert_eq(ai.ai_noverrides, 2);
	cr_assert_eq(ai.ai_overrides[0].ao_source, 0);
	cr_assert_eq(ai.ai_overrides[0].ao_gsi, 2);
	cr_assert_eq(ai.ai_overrides[1].ao_source, 9);
	cr_assert_eq(ai.ai_overrides[1].ao_flags & ACPI_INTI_TRIGGER_MASK,
		     ACPI_INTI_TRIGGER_LEVEL);
	cr_assert_eq(ai.ai_overrides[1].ao_flags & ACPI_INTI_POLARITY_MASK,
		     ACPI_INTI_POLARITY_HIGH);
	cr_assert_eq(ai.ai_nnmis, 2);
	cr_assert_eq(ai.ai_nmis[0].an_uid, ACPI_NMI_ALL_CPUS);
	cr_assert_eq(ai.ai_nmis[0].an_lint, 1);
	cr_assert_eq(ai.ai_nmis[0].an_flags, 5);
	cr_assert_eq(ai.ai_nmis[1].an_uid, 7);

	cr_assert(ai.ai_has_fadt);
	cr_assert_eq(ai.ai_fadt.af_dsdt, DSDT_PA);
	cr_assert_eq(ai.ai_fadt.af_sci_irq, 9);
	cr_assert_eq(ai.ai_fadt.af_smi_cmd, 0xb2);
	cr_assert_eq(ai.ai_fadt.af_acpi_enable, 0xf1);
	cr_assert_eq(ai.ai_fadt.af_pm1a_cnt.ag_space, ACPI_GAS_IO);
	cr_assert_eq(ai.ai_fadt.af_pm1a_cnt.ag_address, 0x604);
	cr_assert_eq(ai.ai_fadt.af_pm1a_cnt.ag_bit_width, 16);
	cr_assert_eq(ai.ai_fadt.af_pm1b_cnt.ag_address, 0);
	cr_assert_eq(ai.ai_fadt.af_pm_tmr.ag_address, 0x608);
	cr_assert(ai.ai_fadt.af_pm_tmr_32bit);
	cr_assert_eq(ai.ai_fadt.af_reset_reg.ag_address, 0xcf9);
	cr_assert_eq(ai.ai_fadt.af_reset_value, 6);
	cr_assert_eq(ai.ai_fadt.af_iapc_boot_arch, 3);

	cr_assert(ai.ai_has_hpet);
	cr_assert_eq(ai.ai_hpet_base, 0xfed00000);
	cr_assert_eq(ai.ai_hpet_min_tick, 128);
	cr_assert_eq(ai.ai_nmcfg, 1);
	cr_assert_eq(ai.ai_mcfg[0].am_base, 0xb0000000);
	cr_assert_eq(ai.ai_mcfg[0].am_bus_end, 255);

	cr_assert(ai.ai_has_s5);
	cr_assert_eq(ai.ai_s5_typa, 5);
	cr_assert_eq(ai.ai_s5_typb, 6);
}

Test(acpi, rsdp_copy_and_scan)
{
	cr_assert_eq(acpi_find_rsdp(0xe0000, 0x20000, buf_map, NULL), RSDP_PA);
	cr_assert_eq(acpi_find_rsdp(0xe0010, 0x10000, buf_map, NULL), 0);
	cr_assert_eq(acpi_parse_rsdp(&ai, phys + RSDP_PA, 36, buf_map, NULL), 0);
	cr_assert(ai.ai_has_madt && ai.ai_has_fadt);
	cr_assert_eq(ai.ai_rsdp_pa, 0);
	/* A v2 RSDP cut to 20 bytes cannot be verified. */
	cr_assert_eq(acpi_parse_rsdp(&ai, phys + RSDP_PA, 20, buf_map, NULL), -1);
}

Test(acpi, rsdt_only_v1)
{
	/* ACPI 1.0: RSDP revision 0 (20 bytes), RSDT only, 116-byte FADT with the 32-bit DSDT. */
	memset(phys + XSDT_PA, 0, 64);
	put_fadt(116, DSDT_PA, 0);
	put_rsdp(0, RSDT_PA, 0);
	cr_assert_eq(acpi_parse(&ai, RSDP_PA, buf_map, NULL), 0);
	cr_assert(!ai.ai_xsdt);
	cr_assert_eq(ai.ai_revision, 0);
	cr_assert_eq(ai.ai_ntables, 4);
	cr_assert_eq(ai.ai_fadt.af_dsdt, DSDT_PA);
	cr_assert_eq(ai.ai_fadt.af_reset_reg.ag_address, 0); /* beyond a 116-byte FADT */
	cr_assert_eq(ai.ai_fadt.af_pm1a_cnt.ag_address, 0x604);
	cr_assert(ai.ai_has_s5);
}

Test(acpi, bad_rsdp_checksums)
{
	phys[RSDP_PA + 8] ^= 1;
	cr_assert_eq(acpi_parse(&ai, RSDP_PA, buf_map, NULL), -1);
	cr_assert(!ai.ai_present);
	put_rsdp(2, RSDT_PA, XSDT_PA);
	phys[RSDP_PA + 32] ^= 1; /* the extended checksum only */
	cr_assert_eq(acpi_parse(&ai, RSDP_PA, buf_map, NULL), -1);
	cr_assert_eq(acpi_parse(&ai, 0, buf_map, NULL), -1);
	cr_assert_eq(acpi_parse(&ai, PHYS_SIZE - 4, buf_map, NULL), -1);
}

Test(acpi, bad_xsdt_falls_back_to_rsdt)
{
	phys[XSDT_PA + 40] ^= 0xff;
	cr_assert_eq(acpi_parse(&ai, RSDP_PA, buf_map, NULL), 0);
	cr_assert(!ai.ai_xsdt);
	cr_assert_eq(ai.ai_root_pa, RSDT_PA);
	cr_assert_eq(ai.ai_warnings, 1);
	cr_assert(ai.ai_has_madt && ai.ai_has_fadt && ai.ai_has_hpet);
}

Test(acpi, bad_checksum_table_skipped)
{
	phys[MADT_PA + 50] ^= 0x10;
	cr_assert_eq(acpi_parse(&ai, RSDP_PA, buf_map, NULL), 0);
	cr_assert(!ai.ai_has_madt);
	cr_assert_eq(ai.ai_ncpus, 0);
	cr_assert_eq(ai.ai_warnings, 1);
	cr_assert_eq(ai.ai_ntables, 3);
	cr_assert(ai.ai_has_fadt && ai.ai_has_hpet && ai.ai_has_s5);
}

Test(acpi, truncated_lengths)
{
	/* Length below a header, length past the end of memory, a FADT too short to use. */
	put32(phys + HPET_PA + 4, 20);
	put32(phys + MCFG_PA + 4, 0xfffff000);
	put_fadt(100, DSDT_PA, 0);
	cr_assert_eq(acpi_parse(&ai, RSDP_PA, buf_map, NULL), 0);
	cr_assert(!ai.ai_has_hpet);
	cr_assert_eq(ai.ai_nmcfg, 0);
	cr_assert(!ai.ai_has_fadt);
	cr_assert(!ai.ai_has_s5); /* the DSDT is reached only through a usable FADT */
	cr_assert(ai.ai_has_madt);
	cr_assert_eq(ai.ai_warnings, 3);
}

Test(acpi, madt_zero_length_entry)
{
	uint8_t b[512];
	uint32_t n = madt_body(b);

	b[8 + 8 + 1] = 0; /* the second CPU record claims length 0 */
	put_table(MADT_PA, "APIC", 5, b, n);
	cr_assert_eq(acpi_parse(&ai, RSDP_PA, buf_map, NULL), 0);
	cr_assert(ai.ai_has_madt);
	cr_assert_eq(ai.ai_ncpus, 1); /* the record before it is kept, the walk stops */
	cr_assert_eq(ai.ai_nioapics, 0);
	cr_assert_eq(ai.ai_warnings, 1);
}

Test(acpi, madt_entry_overflows_table)
{
	uint8_t b[512];
	uint32_t n = madt_body(b);

	b[n - 12 + 1] = 40; /* the last record (x2APIC NMI) runs past the table's end */
	put_table(MADT_PA, "APIC", 5, b, n);
	cr_assert_eq(acpi_parse(&ai, RSDP_PA, buf_map, NULL), 0);
	cr_assert_eq(ai.ai_nnmis, 1);
	cr_assert_eq(ai.ai_noverrides, 2);
	cr_assert_eq(ai.ai_warnings, 1);

	/* A record too short for its type is skipped, the walk goes on. */
	n = madt_body(b);
	b[8 + 1] = 6;	       /* first CPU record: 6 bytes, below the 8 a Local APIC needs */
	memmove(b + 8 + 6, b + 8 + 8, n - 16);
	put_table(MADT_PA, "APIC", 5, b, n - 2);
	cr_assert_eq(acpi_parse(&ai, RSDP_PA, buf_map, NULL), 0);
	cr_assert_eq(ai.ai_ncpus, 2);
	cr_assert_eq(ai.ai_nioapics, 1);
	cr_assert_eq(ai.ai_warnings, 1);
}

Test(acpi, madt_capacity_and_lapic_override)
{
	static uint8_t b[8 + 300 * 8 + 12];
	uint8_t *p = b + 8;

	put32(b, 0xfee00000);
	put32(b + 4, 0);
	for (int i = 0; i < 300; i++, p += 8) {
		p[0] = 0, p[1] = 8, p[2] = (uint8_t)i, p[3] = (uint8_t)i;
		put32(p + 4, 1);
	}
	p[0] = 5, p[1] = 12, put16(p + 2, 0), put64(p + 4, 0x1fee00000ULL);
	put_table(MADT_PA, "APIC", 5, b, sizeof(b));
	cr_assert_eq(acpi_parse(&ai, RSDP_PA, buf_map, NULL), 0);
	cr_assert_eq(ai.ai_ncpus, ACPI_MAX_CPUS);
	cr_assert_eq(ai.ai_cpus_dropped, 300 - ACPI_MAX_CPUS);
	cr_assert_eq(ai.ai_lapic_addr, 0x1fee00000ULL);
}

Test(acpi, bad_dsdt_aml)
{
	/* PkgLength runs past the table: no S5 from the DSDT... */
	static const uint8_t bad[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x3f, 0x04, 0x00, 0x00 };
	put_table(DSDT_PA, "DSDT", 2, bad, sizeof(bad));
	cr_assert_eq(acpi_parse(&ai, RSDP_PA, buf_map, NULL), 0);
	cr_assert(!ai.ai_has_s5);

	/* ...but an SSDT may hold it. */
	uint64_t tabs[] = { FADT_PA, MADT_PA, HPET_PA, MCFG_PA, SSDT_PA };
	put_table(SSDT_PA, "SSDT", 2, s5_aml, sizeof(s5_aml));
	put_roots(tabs, 5);
	put_rsdp(2, RSDT_PA, XSDT_PA);
	cr_assert_eq(acpi_parse(&ai, RSDP_PA, buf_map, NULL), 0);
	cr_assert(ai.ai_has_s5);
	cr_assert_eq(ai.ai_s5_typa, 5);
}

Test(acpi, aml_s5_encodings)
{
	uint8_t a = 0xee, b = 0xee;

	/* Zero/One ops, no root prefix. */
	static const uint8_t z[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x00, 0x01, 0, 0 };
	cr_assert_eq(acpi_aml_find_s5(z, sizeof(z), &a, &b), 0);
	cr_assert(a == 0 && b == 1);
	/* Two-byte PkgLength, WordPrefix and DWordPrefix. */
	static const uint8_t w[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x4c, 0x00, 0x02,
				     0x0b, 0x07, 0x00, 0x0c, 7, 0, 0, 0, 0x00 };
	cr_assert_eq(acpi_aml_find_s5(w, sizeof(w), &a, &b), 0);
	cr_assert(a == 7 && b == 7);
	/* A value beyond SLP_TYP's 3 bits, then a later good declaration. */
	static const uint8_t v[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0a, 0x09, 0x00,
				     0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0a, 0x03, 0x01 };
	cr_assert_eq(acpi_aml_find_s5(v, sizeof(v), &a, &b), 0);
	cr_assert(a == 3 && b == 1);
	/* Not a NameOp before it; PackageOp missing; one element only; truncated element. */
	static const uint8_t n1[] = { 0x10, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x00, 0x00 };
	static const uint8_t n2[] = { 0x08, '_', 'S', '5', '_', 0x13, 0x04, 0x02, 0x00, 0x00 };
	static const uint8_t n3[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x01, 0x00 };
	static const uint8_t n4[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x00, 0x0b };
	static const uint8_t n5[] = { 0x08, '_', 'S', '5', '_', 0x12 };
	cr_assert_eq(acpi_aml_find_s5(n1, sizeof(n1), &a, &b), -1);
	cr_assert_eq(acpi_aml_find_s5(n2, sizeof(n2), &a, &b), -1);
	cr_assert_eq(acpi_aml_find_s5(n3, sizeof(n3), &a, &b), -1);
	cr_assert_eq(acpi_aml_find_s5(n4, sizeof(n4), &a, &b), -1);
	cr_assert_eq(acpi_aml_find_s5(n5, sizeof(n5), &a, &b), -1);
	cr_assert_eq(acpi_aml_find_s5(n5, 0, &a, &b), -1);
}

Test(acpi, checksum)
{
	static const uint8_t b[] = { 1, 2, 3, 250 };
	cr_assert_eq(acpi_checksum(b, 4), 0);
	cr_assert_eq(acpi_checksum(b, 3), 6);
}
