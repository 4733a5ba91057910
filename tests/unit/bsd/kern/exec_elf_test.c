/*
 * exec_elf_test.c — bsd/kern/exec_elf.c: a well-formed static and static-PIE image parse into
 * the segments exec maps (protections, PIE flag, entry, AT_PHDR), and each header field the
 * parser validates, when broken on its own, turns the image into ENOEXEC (never a read outside
 * the image: the reader asserts its bounds).
 */
// unit-deps: kernel/libkern/format.c
#include <criterion/criterion.h>
#include <linux/elf.h>
#include <string.h>

#include <bsd/kern/exec_elf.h>
#include <bsd/sys/errno.h>

static uint8_t img[0x3000];
static size_t img_size;
static Elf64_Ehdr *eh;
static Elf64_Phdr *ph;

static int
rd(void *ctx, uint64_t off, void *buf, size_t len)
{
	cr_assert_leq(off + len, img_size, "read [%lu, +%zu) outside the image",
		      (unsigned long)off, len);
	memcpy(buf, img + off, len);
	return 0;
}

static const struct exec_reader reader = { rd, NULL, 0 };

static int
parse(struct elf_image *out)
{
	struct exec_reader r = reader;

	r.er_size = img_size;
	return elf_parse(&r, out);
}

/* A static executable: text at 0x400000 (R+X, file 0..0x1800), data at 0x402800 (RW, bss). */
static void
build(uint16_t type)
{
	uint64_t base = type == ET_DYN ? 0 : 0x400000;

	memset(img, 0, sizeof(img));
	img_size = sizeof(img);
	eh = (Elf64_Ehdr *)img;
	ph = (Elf64_Phdr *)(img + sizeof(*eh));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = type;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = base + 0x1000;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 3;
	ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0,
			      .p_vaddr = base, .p_filesz = 0x1800, .p_memsz = 0x1800,
			      .p_align = 0x1000 };
	ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = 0x2800,
			      .p_vaddr = base + 0x2800, .p_filesz = 0x800, .p_memsz = 0x5000,
			      .p_align = 0x1000 };
	ph[2] = (Elf64_Phdr){ .p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W };
}

Test(exec_elf, static_executable)
{
	struct elf_image im;

	build(ET_EXEC);
	cr_assert_eq(parse(&im), 0);
	cr_assert(!im.ei_pie);
	cr_assert_eq(im.ei_nseg, 2);
	cr_assert_eq(im.ei_entry, 0x401000);
	cr_assert_eq(im.ei_phdr, 0x400040); /* phdrs inside the first segment's file bytes */
	cr_assert_eq(im.ei_phnum, 3);
	cr_assert_eq(im.ei_lo, 0x400000);
	cr_assert_eq(im.ei_hi, 0x408000);
	cr_assert_eq(im.ei_seg[0].es_prot, ELF_PROT_R | ELF_PROT_X);
	cr_assert_eq(im.ei_seg[1].es_prot, ELF_PROT_R | ELF_PROT_W);
	cr_assert_eq(im.ei_seg[1].es_memsz, 0x5000);
	cr_assert(!im.ei_exec_stack);
}

Test(exec_elf, static_pie)
{
	struct elf_image im;

	build(ET_DYN);
	cr_assert_eq(parse(&im), 0);
	cr_assert(im.ei_pie);
	cr_assert_eq(im.ei_lo, 0);
	cr_assert_eq(im.ei_entry, 0x1000);
	cr_assert_eq(im.ei_phdr, 0x40);
}

/* Each broken field, on its own, rejects the image. */
Test(exec_elf, every_bad_field_is_enoexec)
{
	struct elf_image im;
	int cases = 0;

#define BAD(stmt)                                                                               \
	do {                                                                                    \
		build(ET_EXEC);                                                                 \
		stmt;                                                                           \
		cr_assert_eq(parse(&im), ENOEXEC, "accepted: %s", #stmt);                      \
		cases++;                                                                        \
	} while (0)
	BAD(eh->e_ident[0] = 0);
	BAD(eh->e_ident[EI_CLASS] = ELFCLASS32);
	BAD(eh->e_ident[EI_DATA] = ELFDATA2MSB);
	BAD(eh->e_ident[EI_VERSION] = 0);
	BAD(eh->e_ident[EI_OSABI] = 9);
	BAD(eh->e_type = ET_REL);
	BAD(eh->e_machine = EM_386);
	BAD(eh->e_version = 2);
	BAD(eh->e_ehsize = 52);
	BAD(eh->e_phentsize = 32);
	BAD(eh->e_phnum = 0);
	BAD(eh->e_phnum = 65);
	BAD(eh->e_phoff = 0);
	BAD(eh->e_phoff = sizeof(img) - 8);
	BAD(eh->e_phoff = ~0ULL - 16);
	BAD(eh->e_phoff = 65);
	BAD(eh->e_entry = 0x402800);			/* in the data segment: not executable */
	BAD(eh->e_entry = 0x900000);
	BAD(ph[0].p_filesz = 0x2000);			/* filesz > memsz */
	BAD(ph[1].p_offset = sizeof(img) - 0x100);	/* data past the end of the file */
	BAD(ph[1].p_offset = ~0ULL - 0x100);
	BAD(ph[1].p_vaddr = 0x402900);			/* vaddr and offset not congruent */
	BAD(ph[1].p_vaddr = 0x3ff800);		/* unsorted */
	BAD(ph[1].p_vaddr = (1ULL << 46) - 0x1000);	/* beyond the user address space */
	BAD(ph[1].p_memsz = ~0ULL - 0x1000);		/* wraps */
	BAD(ph[1].p_align = 0x3000);			/* not a power of two */
	BAD(ph[2].p_type = PT_INTERP);			/* dynamic: not supported */
	BAD(ph[0].p_type = PT_NOTE);			/* the entry is in no segment */
	BAD((ph[0].p_type = PT_NOTE, ph[1].p_type = PT_NOTE));
#undef BAD
	cr_assert_geq(cases, 29);
}

Test(exec_elf, short_image_and_pie_far_from_zero)
{
	struct elf_image im;

	build(ET_EXEC);
	img_size = 40;
	cr_assert_eq(parse(&im), ENOEXEC);
	build(ET_DYN);
	ph[0].p_vaddr += 0x10000000;
	ph[1].p_vaddr += 0x10000000;
	eh->e_entry += 0x10000000;
	cr_assert_eq(parse(&im), ENOEXEC);
}

Test(exec_elf, shared_boundary_page_allowed)
{
	struct elf_image im;

	build(ET_EXEC);
	ph[1].p_offset = 0x1900; /* data starts in the text's last page */
	ph[1].p_vaddr = 0x401900;
	cr_assert_eq(parse(&im), 0);
	cr_assert_eq(im.ei_hi, 0x407000);
}
