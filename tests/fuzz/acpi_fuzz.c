/*
 * acpi_fuzz.c — libFuzzer harness for the ACPI table parser (kernel/iokit/acpi.c).
 *
 * The input, after one control byte, is physical memory starting at address 0, with an RSDP at
 * FUZZ_RSDP_PA. The memory is copied into a buffer of exactly its size, so AddressSanitizer
 * catches any read past it. Random bytes rarely carry good checksums, so when bit 0 of the
 * control byte is set the harness repairs the checksums of the RSDP, the root table and the
 * tables it lists before parsing: the parser's field decoding is then reached as well as its
 * rejection paths.
 */
// fuzz-deps: kernel/iokit/acpi.c kernel/iokit/acpi_aml.c
#include <iokit/acpi.h>
#include <stdlib.h>

#define FUZZ_RSDP_PA 0x10

struct mem {
	uint8_t *m_p;
	size_t m_len;
};

static const void *
fuzz_map(uint64_t pa, size_t len, void *ctx)
{
	struct mem *m = ctx;

	if (pa == 0 || pa > m->m_len || len > m->m_len - pa)
		return NULL;
	return m->m_p + pa;
}

static uint32_t
get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t
get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* Make the table at pa sum to zero, if its header and claimed length lie in memory. */
static bool
fix_table(struct mem *m, uint64_t pa, uint32_t *len)
{
	if (pa == 0 || pa > m->m_len || m->m_len - pa < 36)
		return false;
	*len = get32(m->m_p + pa + 4);
	if (*len < 36 || *len > m->m_len - pa)
		return false;
	m->m_p[pa + 9] = 0;
	m->m_p[pa + 9] = (uint8_t)-acpi_checksum(m->m_p + pa, *len);
	return true;
}

static void
fix_checksums(struct mem *m)
{
	uint8_t *r = m->m_p + FUZZ_RSDP_PA;
	uint64_t root;
	uint32_t len, esz;

	r[8] = 0;
	r[8] = (uint8_t)-acpi_checksum(r, 20);
	if (r[15] >= 2 && get32(r + 20) == 36) {
		r[32] = 0;
		r[32] = (uint8_t)-acpi_checksum(r, 36);
	}
	root = r[15] >= 2 && get64(r + 24) != 0 ? get64(r + 24) : get32(r + 16);
	esz = r[15] >= 2 && get64(r + 24) != 0 ? 8 : 4;
	if (!fix_table(m, root, &len))
		return;
	for (uint32_t off = 36; off + esz <= len; off += esz) {
		uint64_t pa = esz == 8 ? get64(m->m_p + root + off) : get32(m->m_p + root + off);
		uint32_t tlen;

		if (!fix_table(m, pa, &tlen))
			continue;
		/* The FADT points at the DSDT: repair that one too, then the FADT again in case
		 * the two overlap. */
		if (memcmp(m->m_p + pa, "FACP", 4) == 0 && tlen >= 44) {
			uint32_t dlen;

			(void)fix_table(m, get32(m->m_p + pa + 40), &dlen);
			(void)fix_table(m, pa, &tlen);
		}
	}
	(void)fix_table(m, root, &len); /* an entry table may overlap the root */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct acpi_info ai;
	struct mem m;
	uint8_t a, b;

	if (size < 1 + FUZZ_RSDP_PA + 36)
		return 0;
	m.m_len = size - 1;
	m.m_p = malloc(m.m_len);
	if (m.m_p == NULL)
		return 0;
	memcpy(m.m_p, data + 1, m.m_len);
	if (data[0] & 1)
		fix_checksums(&m);

	(void)acpi_parse(&ai, FUZZ_RSDP_PA, fuzz_map, &m);
	(void)acpi_parse_rsdp(&ai, m.m_p + FUZZ_RSDP_PA, 36, fuzz_map, &m);
	(void)acpi_find_rsdp(0, m.m_len, fuzz_map, &m);
	(void)acpi_aml_find_s5(m.m_p, m.m_len, &a, &b);
	free(m.m_p);
	return 0;
}
