/*
 * acpi.c — the ACPI static table parser: RSDP, XSDT/RSDT, MADT, FADT, HPET, MCFG, and the
 * DSDT/SSDTs handed to the AML scanner for \_S5_.
 *
 * Follows ACPI 6.5 §5.2.5 (RSDP), §5.2.6 (table header), §5.2.7/§5.2.8 (RSDT/XSDT), §5.2.9
 * (FADT), §5.2.12 (MADT); the IA-PC HPET specification 1.0a §3.2.4 (HPET table); the PCI
 * Firmware specification 3.2 §4.1.2 (MCFG).
 *
 * The one idea: firmware tables are untrusted input. Each table is mapped by header first, its
 * length bounded, then mapped whole and its checksum verified before any field is read; every
 * field and sub-record is read through bounds-checked accessors against that length, so a bad
 * table is skipped with a warning and can never make the parser read outside it.
 */
#include <console.h>
#include <iokit/acpi.h>

#define ACPI_HDR_LEN	 36
#define RSDP_V1_LEN	 20
#define RSDP_V2_LEN	 36

#define SIG(a, b, c, d) \
	((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) | ((uint32_t)(d) << 24))
#define SIG_APIC SIG('A', 'P', 'I', 'C')
#define SIG_FACP SIG('F', 'A', 'C', 'P')
#define SIG_HPET SIG('H', 'P', 'E', 'T')
#define SIG_MCFG SIG('M', 'C', 'F', 'G')
#define SIG_SSDT SIG('S', 'S', 'D', 'T')
#define SIG_DSDT SIG('D', 'S', 'D', 'T')
#define SIG_XSDT SIG('X', 'S', 'D', 'T')
#define SIG_RSDT SIG('R', 'S', 'D', 'T')

/* A table mapped and verified: all reads go through rd*() against t_len. */
struct table {
	const uint8_t *t_p;
	uint32_t t_len;
	uint32_t t_sig;
	uint8_t t_rev;
	uint64_t t_pa;
};

uint8_t
acpi_checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + b[i]);
	return sum;
}

static uint64_t
rd(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

#define RD8(p, o)  ((uint8_t)rd((p) + (o), 1))
#define RD16(p, o) ((uint16_t)rd((p) + (o), 2))
#define RD32(p, o) ((uint32_t)rd((p) + (o), 4))
#define RD64(p, o) rd((p) + (o), 8)

/* True when the n-byte field at offset off lies inside the table. */
static bool
has(const struct table *t, size_t off, size_t n)
{
	return off <= t->t_len && n <= t->t_len - off;
}

static void
sig_str(uint32_t sig, char out[5])
{
	for (int i = 0; i < 4; i++) {
		char c = (char)(sig >> (8 * i));
		out[i] = (c >= 0x20 && c < 0x7f) ? c : '?';
	}
	out[4] = '\0';
}

static void
warn(struct acpi_info *ai, const char *what, uint32_t sig, uint64_t pa)
{
	char s[5];

	sig_str(sig, s);
	ai->ai_warnings++;
	klog(LOG_WARNING, "acpi: %s table at %#llx: %s; skipped\n", s, (unsigned long long)pa,
	     what);
}

/*
 * Map the table at pa and verify it: header readable, length in [36, ACPI_MAX_TABLE_LEN],
 * whole table readable, checksum zero. want is the expected signature, or 0 for any.
 */
static bool
table_map(struct acpi_info *ai, uint64_t pa, uint32_t want, acpi_map_fn map, void *ctx,
	  struct table *t)
{
	const uint8_t *h;
	uint32_t sig, len;

	if (pa == 0) {
		warn(ai, "null address", want, pa);
		return false;
	}
	h = map(pa, ACPI_HDR_LEN, ctx);
	if (h == NULL) {
		warn(ai, "header unreadable", want, pa);
		return false;
	}
	sig = RD32(h, 0);
	len = RD32(h, 4);
	if (want != 0 && sig != want) {
		warn(ai, "unexpected signature", want, pa);
		return false;
	}
	if (len < ACPI_HDR_LEN || len > ACPI_MAX_TABLE_LEN) {
		warn(ai, "bad length", sig, pa);
		return false;
	}
	h = map(pa, len, ctx);
	if (h == NULL) {
		warn(ai, "body unreadable", sig, pa);
		return false;
	}
	/* Re-read from the full mapping: the length checked is the length summed. */
	if (RD32(h, 0) != sig || RD32(h, 4) != len) {
		warn(ai, "changed while read", sig, pa);
		return false;
	}
	if (acpi_checksum(h, len) != 0) {
		warn(ai, "bad checksum", sig, pa);
		return false;
	}
	*t = (struct table){ .t_p = h, .t_len = len, .t_sig = sig, .t_rev = RD8(h, 8), .t_pa = pa };
	return true;
}

/* ---- MADT (§5.2.12) ---- */

#define MADT_LAPIC	    0
#define MADT_IOAPIC	    1
#define MADT_OVERRIDE	    2
#define MADT_LAPIC_NMI	    4
#define MADT_LAPIC_ADDR	    5
#define MADT_X2APIC	    9
#define MADT_X2APIC_NMI	    10

static void
madt_add_cpu(struct acpi_info *ai, uint32_t apic_id, uint32_t uid, uint32_t flags, bool x2)
{
	if (ai->ai_ncpus == ACPI_MAX_CPUS) {
		ai->ai_cpus_dropped++;
		return;
	}
	ai->ai_cpus[ai->ai_ncpus++] = (struct acpi_cpu){
		.ac_apic_id = apic_id,
		.ac_uid = uid,
		.ac_flags = flags & (ACPI_CPU_ENABLED | ACPI_CPU_ONLINE_CAPABLE),
		.ac_x2apic = x2,
	};
}

static void
madt_add_nmi(struct acpi_info *ai, uint32_t uid, uint16_t flags, uint8_t lint)
{
	if (lint > 1) {
		warn(ai, "local APIC NMI on LINT > 1", SIG_APIC, 0);
		return;
	}
	if (ai->ai_nnmis == ACPI_MAX_NMIS) {
		ai->ai_nmis_dropped++;
		return;
	}
	ai->ai_nmis[ai->ai_nnmis++] =
	    (struct acpi_lapic_nmi){ .an_uid = uid, .an_flags = flags, .an_lint = lint };
}

/* Minimum record lengths per type; a shorter record is malformed. */
static size_t
madt_min_len(uint8_t type)
{
	switch (type) {
	case MADT_LAPIC:
		return 8;
	case MADT_IOAPIC:
		return 12;
	case MADT_OVERRIDE:
		return 10;
	case MADT_LAPIC_NMI:
		return 6;
	case MADT_LAPIC_ADDR:
		return 12;
	case MADT_X2APIC:
		return 16;
	case MADT_X2APIC_NMI:
		return 12;
	default:
		return 2;
	}
}

static void
madt_parse(struct acpi_info *ai, const struct table *t)
{
	size_t off = 44;
	bool have_override = false;

	if (!has(t, 36, 8)) {
		warn(ai, "too short", t->t_sig, t->t_pa);
		return;
	}
	ai->ai_has_madt = true;
	ai->ai_lapic_addr = RD32(t->t_p, 36);
	ai->ai_madt_flags = RD32(t->t_p, 40);

	while (off < t->t_len) {
		const uint8_t *e = t->t_p + off;
		uint8_t type, len;

		if (!has(t, off, 2)) {
			warn(ai, "truncated record header", t->t_sig, t->t_pa);
			break;
		}
		type = e[0];
		len = e[1];
		/* A record shorter than its header, or running past the table, ends the walk:
		 * nothing after it can be located reliably. */
		if (len < 2 || !has(t, off, len)) {
			warn(ai, "record length out of bounds", t->t_sig, t->t_pa);
			break;
		}
		if (len < madt_min_len(type)) {
			warn(ai, "record too short for its type", t->t_sig, t->t_pa);
			off += len;
			continue;
		}
		switch (type) {
		case MADT_LAPIC:
			madt_add_cpu(ai, RD8(e, 3), RD8(e, 2), RD32(e, 4), false);
			break;
		case MADT_X2APIC:
			madt_add_cpu(ai, RD32(e, 4), RD32(e, 12), RD32(e, 8), true);
			break;
		case MADT_IOAPIC:
			if (ai->ai_nioapics == ACPI_MAX_IOAPICS) {
				ai->ai_ioapics_dropped++;
				break;
			}
			ai->ai_ioapics[ai->ai_nioapics++] = (struct acpi_ioapic){
				.ai_id = RD8(e, 2),
				.ai_address = RD32(e, 4),
				.ai_gsi_base = RD32(e, 8),
			};
			break;
		case MADT_OVERRIDE:
			if (ai->ai_noverrides == ACPI_MAX_OVERRIDES) {
				ai->ai_overrides_dropped++;
				break;
			}
			ai->ai_overrides[ai->ai_noverrides++] = (struct acpi_override){
				.ao_bus = RD8(e, 2),
				.ao_source = RD8(e, 3),
				.ao_gsi = RD32(e, 4),
				.ao_flags = RD16(e, 8),
			};
			break;
		case MADT_LAPIC_NMI: {
			uint8_t uid = RD8(e, 2);
			madt_add_nmi(ai, uid == 0xff ? ACPI_NMI_ALL_CPUS : uid, RD16(e, 3),
				     RD8(e, 5));
			break;
		}
		case MADT_X2APIC_NMI:
			madt_add_nmi(ai, RD32(e, 4), RD16(e, 2), RD8(e, 8));
			break;
		case MADT_LAPIC_ADDR:
			if (have_override) {
				warn(ai, "second local APIC address override", t->t_sig, t->t_pa);
				break;
			}
			have_override = true;
			ai->ai_lapic_addr = RD64(e, 4);
			break;
		default:
			break; /* types the kernel does not use (GIC, NMI source, ...) */
		}
		off += len;
	}
}

/* ---- FADT (§5.2.9, Table 5.9) ---- */

#define FADT_DSDT	  40
#define FADT_SCI_INT	  46
#define FADT_SMI_CMD	  48
#define FADT_ACPI_ENABLE  52
#define FADT_ACPI_DISABLE 53
#define FADT_PM1A_EVT	  56
#define FADT_PM1B_EVT	  60
#define FADT_PM1A_CNT	  64
#define FADT_PM1B_CNT	  68
#define FADT_PM_TMR	  76
#define FADT_PM1_EVT_LEN  88
#define FADT_PM1_CNT_LEN  89
#define FADT_PM_TMR_LEN	  91
#define FADT_CENTURY	  108
#define FADT_IAPC_BOOT	  109
#define FADT_FLAGS	  112
#define FADT_RESET_REG	  116
#define FADT_RESET_VALUE  128
#define FADT_X_DSDT	  140
#define FADT_X_PM1A_EVT	  148
#define FADT_X_PM1B_EVT	  160
#define FADT_X_PM1A_CNT	  172
#define FADT_X_PM1B_CNT	  184
#define FADT_X_PM_TMR	  208

#define FADT_TMR_VAL_EXT  (1u << 8)

static void
gas_read(const uint8_t *p, struct acpi_gas *g)
{
	*g = (struct acpi_gas){
		.ag_space = p[0],
		.ag_bit_width = p[1],
		.ag_bit_offset = p[2],
		.ag_access_size = p[3],
		.ag_address = RD64(p, 4),
	};
}

/*
 * One FADT register block: the 64-bit X_ GAS when the table has it and it is set (§5.2.9:
 * "if the X_ field is non-zero, OSPM uses it"), else the legacy 32-bit I/O port.
 */
static void
fadt_block(const struct table *t, size_t legacy, size_t len_off, size_t xoff, struct acpi_gas *g)
{
	*g = (struct acpi_gas){ 0 };
	if (has(t, xoff, 12) && RD64(t->t_p, xoff + 4) != 0) {
		gas_read(t->t_p + xoff, g);
		return;
	}
	if (has(t, legacy, 4) && RD32(t->t_p, legacy) != 0) {
		g->ag_space = ACPI_GAS_IO;
		g->ag_address = RD32(t->t_p, legacy);
		g->ag_bit_width = has(t, len_off, 1) ? (uint8_t)(RD8(t->t_p, len_off) * 8) : 0;
	}
}

static void
fadt_parse(struct acpi_info *ai, const struct table *t)
{
	struct acpi_fadt *f = &ai->ai_fadt;
	const uint8_t *p = t->t_p;

	/* ACPI 1.0's FADT is 116 bytes; everything the kernel needs lies within it. */
	if (!has(t, 0, 116)) {
		warn(ai, "too short", t->t_sig, t->t_pa);
		return;
	}
	ai->ai_has_fadt = true;
	*f = (struct acpi_fadt){ 0 };
	f->af_revision = t->t_rev;
	f->af_flags = RD32(p, FADT_FLAGS);
	f->af_sci_irq = RD16(p, FADT_SCI_INT);
	f->af_smi_cmd = RD32(p, FADT_SMI_CMD);
	f->af_acpi_enable = RD8(p, FADT_ACPI_ENABLE);
	f->af_acpi_disable = RD8(p, FADT_ACPI_DISABLE);
	f->af_iapc_boot_arch = has(t, FADT_IAPC_BOOT, 2) ? RD16(p, FADT_IAPC_BOOT) : 0;
	f->af_century = RD8(p, FADT_CENTURY);
	f->af_dsdt = RD32(p, FADT_DSDT);
	if (has(t, FADT_X_DSDT, 8) && RD64(p, FADT_X_DSDT) != 0)
		f->af_dsdt = RD64(p, FADT_X_DSDT);
	/* PM1 event blocks hold the status and enable halves: each half is PM1_EVT_LEN / 2. */
	fadt_block(t, FADT_PM1A_EVT, FADT_PM1_EVT_LEN, FADT_X_PM1A_EVT, &f->af_pm1a_evt);
	fadt_block(t, FADT_PM1B_EVT, FADT_PM1_EVT_LEN, FADT_X_PM1B_EVT, &f->af_pm1b_evt);
	fadt_block(t, FADT_PM1A_CNT, FADT_PM1_CNT_LEN, FADT_X_PM1A_CNT, &f->af_pm1a_cnt);
	fadt_block(t, FADT_PM1B_CNT, FADT_PM1_CNT_LEN, FADT_X_PM1B_CNT, &f->af_pm1b_cnt);
	fadt_block(t, FADT_PM_TMR, FADT_PM_TMR_LEN, FADT_X_PM_TMR, &f->af_pm_tmr);
	f->af_pm_tmr_32bit = (f->af_flags & FADT_TMR_VAL_EXT) != 0;
	if ((f->af_flags & ACPI_FADT_RESET_REG_SUP) && has(t, FADT_RESET_VALUE, 1)) {
		gas_read(p + FADT_RESET_REG, &f->af_reset_reg);
		f->af_reset_value = RD8(p, FADT_RESET_VALUE);
	}
}

/* ---- HPET (IA-PC HPET 1.0a §3.2.4) and MCFG (PCI Firmware 3.2 §4.1.2) ---- */

static void
hpet_parse(struct acpi_info *ai, const struct table *t)
{
	struct acpi_gas g;

	if (!has(t, 36, 20)) {
		warn(ai, "too short", t->t_sig, t->t_pa);
		return;
	}
	if (ai->ai_has_hpet)
		return; /* the first HPET is the one the kernel uses */
	gas_read(t->t_p + 40, &g);
	if (g.ag_space != ACPI_GAS_MEMORY || g.ag_address == 0) {
		warn(ai, "base is not a memory address", t->t_sig, t->t_pa);
		return;
	}
	ai->ai_has_hpet = true;
	ai->ai_hpet_base = g.ag_address;
	ai->ai_hpet_number = RD8(t->t_p, 52);
	ai->ai_hpet_min_tick = RD16(t->t_p, 53);
}

static void
mcfg_parse(struct acpi_info *ai, const struct table *t)
{
	for (size_t off = 44; has(t, off, 16); off += 16) {
		const uint8_t *e = t->t_p + off;
		uint8_t start = RD8(e, 10), end = RD8(e, 11);

		if (end < start) {
			warn(ai, "entry with end bus below start bus", t->t_sig, t->t_pa);
			continue;
		}
		if (ai->ai_nmcfg == ACPI_MAX_MCFG) {
			ai->ai_mcfg_dropped++;
			continue;
		}
		ai->ai_mcfg[ai->ai_nmcfg++] = (struct acpi_mcfg){
			.am_base = RD64(e, 0),
			.am_segment = RD16(e, 8),
			.am_bus_start = start,
			.am_bus_end = end,
		};
	}
}

/* DSDT or SSDT: the AML body follows the header. The first \_S5_ found wins. */
static void
aml_table(struct acpi_info *ai, const struct table *t)
{
	uint8_t a, b;

	if (ai->ai_has_s5)
		return;
	if (acpi_aml_find_s5(t->t_p + ACPI_HDR_LEN, t->t_len - ACPI_HDR_LEN, &a, &b) == 0) {
		ai->ai_has_s5 = true;
		ai->ai_s5_typa = a;
		ai->ai_s5_typb = b;
	}
}

static void
table_dispatch(struct acpi_info *ai, const struct table *t)
{
	switch (t->t_sig) {
	case SIG_APIC:
		if (ai->ai_has_madt)
			warn(ai, "second MADT", t->t_sig, t->t_pa);
		else
			madt_parse(ai, t);
		break;
	case SIG_FACP:
		if (ai->ai_has_fadt)
			warn(ai, "second FADT", t->t_sig, t->t_pa);
		else
			fadt_parse(ai, t);
		break;
	case SIG_HPET:
		hpet_parse(ai, t);
		break;
	case SIG_MCFG:
		mcfg_parse(ai, t);
		break;
	case SIG_SSDT:
		aml_table(ai, t);
		break;
	default:
		break;
	}
}

/* ---- RSDP and the root table (§5.2.5, §5.2.7, §5.2.8) ---- */

/* Validate an RSDP image: signature, v1 checksum, and for revision >= 2 the extended one. */
static int
rsdp_check(const uint8_t *r, size_t len, uint8_t *rev, uint64_t *root, bool *xsdt)
{
	if (len < RSDP_V1_LEN || memcmp(r, "RSD PTR ", 8) != 0)
		return -1;
	if (acpi_checksum(r, RSDP_V1_LEN) != 0)
		return -1;
	*rev = RD8(r, 15);
	*root = RD32(r, 16);
	*xsdt = false;
	if (*rev >= 2) {
		uint32_t xlen;

		if (len < RSDP_V2_LEN)
			return -1;
		xlen = RD32(r, 20);
		if (xlen < RSDP_V2_LEN || xlen > len || acpi_checksum(r, xlen) != 0)
			return -1;
		if (RD64(r, 24) != 0) {
			*root = RD64(r, 24);
			*xsdt = true;
		}
	}
	return 0;
}

static int
parse_root(struct acpi_info *ai, const uint8_t *rsdp, size_t len, acpi_map_fn map, void *ctx)
{
	struct table root, t;
	uint64_t root_pa;
	uint8_t rev;
	bool xsdt;
	size_t esz;

	if (rsdp_check(rsdp, len, &rev, &root_pa, &xsdt) != 0) {
		klog(LOG_WARNING, "acpi: RSDP signature or checksum is bad\n");
		return -1;
	}
	ai->ai_revision = rev;
	memcpy(ai->ai_oem_id, rsdp + 9, 6);
	ai->ai_oem_id[6] = '\0';
	for (int i = 0; i < 6; i++) {
		unsigned char c = (unsigned char)ai->ai_oem_id[i];

		if (c < 0x20 || c >= 0x7f)
			ai->ai_oem_id[i] = '?';
	}

	/* Prefer the XSDT; fall back to the RSDT if the XSDT is unusable (§5.2.5.3). */
	if (!(xsdt && table_map(ai, root_pa, SIG_XSDT, map, ctx, &root))) {
		uint64_t rsdt = RD32(rsdp, 16);

		xsdt = false;
		if (!table_map(ai, rsdt, SIG_RSDT, map, ctx, &root))
			return -1;
		root_pa = rsdt;
	}
	ai->ai_root_pa = root_pa;
	ai->ai_xsdt = xsdt;
	ai->ai_present = true;

	esz = xsdt ? 8 : 4;
	for (size_t off = ACPI_HDR_LEN; has(&root, off, esz); off += esz) {
		uint64_t pa = rd(root.t_p + off, esz);

		if (!table_map(ai, pa, 0, map, ctx, &t))
			continue;
		ai->ai_ntables++;
		table_dispatch(ai, &t);
	}

	/* The DSDT is reached only through the FADT (§5.2.9); its \_S5_ takes precedence over
	 * one an SSDT held. */
	if (ai->ai_has_fadt && ai->ai_fadt.af_dsdt != 0 &&
	    table_map(ai, ai->ai_fadt.af_dsdt, SIG_DSDT, map, ctx, &t)) {
		uint8_t a, b;

		if (acpi_aml_find_s5(t.t_p + ACPI_HDR_LEN, t.t_len - ACPI_HDR_LEN, &a, &b) == 0) {
			ai->ai_has_s5 = true;
			ai->ai_s5_typa = a;
			ai->ai_s5_typb = b;
		}
	}
	return 0;
}

int
acpi_parse_rsdp(struct acpi_info *ai, const void *rsdp, size_t len, acpi_map_fn map, void *ctx)
{
	memset(ai, 0, sizeof(*ai));
	return parse_root(ai, rsdp, len, map, ctx);
}

int
acpi_parse(struct acpi_info *ai, uint64_t rsdp_pa, acpi_map_fn map, void *ctx)
{
	const uint8_t *r;
	size_t len = RSDP_V1_LEN;

	memset(ai, 0, sizeof(*ai));
	r = rsdp_pa != 0 ? map(rsdp_pa, RSDP_V1_LEN, ctx) : NULL;
	if (r == NULL) {
		klog(LOG_WARNING, "acpi: RSDP at %#llx is unreadable\n",
		     (unsigned long long)rsdp_pa);
		return -1;
	}
	if (RD8(r, 15) >= 2) {
		const uint8_t *r2 = map(rsdp_pa, RSDP_V2_LEN, ctx);

		if (r2 != NULL) {
			r = r2;
			len = RSDP_V2_LEN;
		}
	}
	if (parse_root(ai, r, len, map, ctx) != 0)
		return -1;
	ai->ai_rsdp_pa = rsdp_pa;
	return 0;
}

uint64_t
acpi_find_rsdp(uint64_t start, uint64_t len, acpi_map_fn map, void *ctx)
{
	uint64_t pa = ROUNDUP(start, 16), end = start + len;

	if (end < start)
		return 0;
	for (; pa < end && end - pa >= RSDP_V1_LEN; pa += 16) {
		const uint8_t *r = map(pa, RSDP_V1_LEN, ctx);

		if (r != NULL && memcmp(r, "RSD PTR ", 8) == 0 &&
		    acpi_checksum(r, RSDP_V1_LEN) == 0)
			return pa;
	}
	return 0;
}
