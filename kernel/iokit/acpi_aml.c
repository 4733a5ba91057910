/*
 * acpi_aml.c — just enough AML to find the S5 (soft-off) sleep type values: a byte scan of the
 * DSDT/SSDT body for `Name (_S5_, Package () { SLP_TYPa, SLP_TYPb, ... })`.
 *
 * Follows ACPI 6.5 §7.4.2 (\_Sx objects) and §20.2 (AML grammar: NameOp 0x08, PackageOp 0x12,
 * PkgLength §20.2.4, ComputationalData §20.2.3). The kernel has no AML interpreter; a scan works
 * because firmware declares \_S5_ as a plain named package, and every byte the decoder reads is
 * checked against both the table end and the package's own PkgLength, so a stray "_S5_" inside
 * other data decodes as malformed and the scan moves on.
 */
#include <console.h>
#include <iokit/acpi.h>

#define AML_ZERO_OP	    0x00
#define AML_ONE_OP	    0x01
#define AML_NAME_OP	    0x08
#define AML_BYTE_PREFIX	    0x0a
#define AML_WORD_PREFIX	    0x0b
#define AML_DWORD_PREFIX    0x0c
#define AML_QWORD_PREFIX    0x0e
#define AML_PACKAGE_OP	    0x12
#define AML_ROOT_CHAR	    0x5c
#define SLP_TYP_MAX	    7 /* SLP_TYPx is a 3-bit field of PM1x_CNT (§4.8.3.2.1) */

/*
 * PkgLength (§20.2.4): bits 7:6 of the lead byte count the bytes that follow (0..3). With none,
 * bits 5:0 are the length; otherwise bits 3:0 are its low nibble and each following byte adds
 * eight bits above. The length counts from the lead byte to the end of the package.
 */
static bool
aml_pkglength(const uint8_t *p, size_t avail, size_t *len, size_t *used)
{
	size_t n, v;

	if (avail < 1)
		return false;
	n = p[0] >> 6;
	if (avail < 1 + n)
		return false;
	if (n == 0) {
		v = p[0] & 0x3f;
	} else {
		if (p[0] & 0x30)
			return false; /* bits 5:4 must be zero in the multi-byte form */
		v = p[0] & 0x0f;
		for (size_t i = 0; i < n; i++)
			v |= (size_t)p[1 + i] << (4 + 8 * i);
	}
	*len = v;
	*used = 1 + n;
	return true;
}

/* One integer element (ZeroOp, OneOp or a BytePrefix..QWordPrefix constant). */
static bool
aml_integer(const uint8_t *p, size_t avail, uint64_t *v, size_t *used)
{
	size_t n;

	if (avail < 1)
		return false;
	switch (p[0]) {
	case AML_ZERO_OP:
		*v = 0;
		*used = 1;
		return true;
	case AML_ONE_OP:
		*v = 1;
		*used = 1;
		return true;
	case AML_BYTE_PREFIX:
		n = 1;
		break;
	case AML_WORD_PREFIX:
		n = 2;
		break;
	case AML_DWORD_PREFIX:
		n = 4;
		break;
	case AML_QWORD_PREFIX:
		n = 8;
		break;
	default:
		return false; /* OnesOp, a name or a method call: not a usable SLP_TYP */
	}
	if (avail < 1 + n)
		return false;
	*v = 0;
	for (size_t i = 0; i < n; i++)
		*v |= (uint64_t)p[1 + i] << (8 * i);
	*used = 1 + n;
	return true;
}

/* Decode the package that starts at aml[pos] (its PackageOp). */
static bool
aml_s5_package(const uint8_t *aml, size_t len, size_t pos, uint8_t *typa, uint8_t *typb)
{
	size_t plen, used, end, nel;
	uint64_t v[2];

	if (pos >= len || aml[pos] != AML_PACKAGE_OP)
		return false;
	pos++;
	if (!aml_pkglength(aml + pos, len - pos, &plen, &used))
		return false;
	if (plen < used + 1 || plen > len - pos)
		return false;
	end = pos + plen;
	pos += used;
	nel = aml[pos++];
	if (nel < 2)
		return false;
	for (int i = 0; i < 2; i++) {
		if (!aml_integer(aml + pos, end - pos, &v[i], &used))
			return false;
		pos += used;
		if (v[i] > SLP_TYP_MAX)
			return false;
	}
	*typa = (uint8_t)v[0];
	*typb = (uint8_t)v[1];
	return true;
}

int
acpi_aml_find_s5(const uint8_t *aml, size_t len, uint8_t *typa, uint8_t *typb)
{
	for (size_t i = 1; i + 4 <= len; i++) {
		if (memcmp(aml + i, "_S5_", 4) != 0)
			continue;
		/* NameOp, optionally followed by the root prefix, then the NameSeg. */
		if (!(aml[i - 1] == AML_NAME_OP ||
		      (i >= 2 && aml[i - 1] == AML_ROOT_CHAR && aml[i - 2] == AML_NAME_OP)))
			continue;
		if (aml_s5_package(aml, len, i + 4, typa, typb))
			return 0;
		klog(LOG_WARNING, "acpi: malformed \\_S5_ package at AML offset %zu; ignored\n", i);
	}
	return -1;
}
