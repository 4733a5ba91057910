/*
 * exec_elf.c — validating an ELF64 executable (see exec_elf.h). Follows the System V gABI
 * ("ELF header", "Program header") and what Linux's load_elf_binary accepts for static and
 * static-PIE programs; each rejection says why in a log line, since the image is untrusted.
 */
#include <bsd/kern/exec_elf.h>
#include <bsd/sys/errno.h>
#include <console.h>
#include <linux/elf.h>

#define ELF_LOG(why) klog(LOG_INFO, "exec: not an executable we run: %s\n", (why))

static int
elf_reject(const char *why)
{
	ELF_LOG(why);
	return ENOEXEC;
}

static unsigned
elf_prot(uint32_t flags)
{
	return ((flags & PF_R) ? ELF_PROT_R : 0) | ((flags & PF_W) ? ELF_PROT_W : 0) |
	       ((flags & PF_X) ? ELF_PROT_X : 0);
}

static int
elf_check_header(const Elf64_Ehdr *eh, uint64_t size)
{
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return elf_reject("bad magic");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_ident[EI_VERSION] != EV_CURRENT)
		return elf_reject("not ELF64 little-endian version 1");
	if (eh->e_ident[EI_OSABI] != ELFOSABI_NONE && eh->e_ident[EI_OSABI] != ELFOSABI_LINUX)
		return elf_reject("OS ABI");
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return elf_reject("not ET_EXEC or ET_DYN");
	if (eh->e_machine != EM_X86_64 || eh->e_version != EV_CURRENT)
		return elf_reject("not x86-64");
	if (eh->e_ehsize != sizeof(Elf64_Ehdr) || eh->e_phentsize != sizeof(Elf64_Phdr))
		return elf_reject("header sizes");
	if (eh->e_phnum == 0 || eh->e_phnum > ELF_MAX_PHDRS)
		return elf_reject("program header count");
	if (eh->e_phoff < sizeof(Elf64_Ehdr) || eh->e_phoff > size ||
	    (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > size - eh->e_phoff ||
	    (eh->e_phoff & 7) != 0)
		return elf_reject("program headers outside the file");
	return 0;
}

/* One PT_LOAD: inside the file and the address space, page-congruent, after the previous one. */
static int
elf_add_load(struct elf_image *img, const Elf64_Phdr *ph, uint64_t size)
{
	struct elf_segment *s;
	uint64_t start, end;

	if (ph->p_memsz == 0)
		return 0;
	if (img->ei_nseg == ELF_MAX_LOADS)
		return elf_reject("too many PT_LOAD segments");
	if (ph->p_filesz > ph->p_memsz)
		return elf_reject("p_filesz > p_memsz");
	if (ph->p_offset > size || ph->p_filesz > size - ph->p_offset)
		return elf_reject("segment outside the file");
	if (ph->p_vaddr >= ELF_VADDR_LIMIT || ph->p_memsz > ELF_VADDR_LIMIT - ph->p_vaddr)
		return elf_reject("segment outside the address space");
	if ((ph->p_vaddr & (ELF_PAGE - 1)) != (ph->p_offset & (ELF_PAGE - 1)))
		return elf_reject("segment not page-congruent");
	if (ph->p_align > 1 && (!IS_POW2(ph->p_align) ||
				(ph->p_vaddr - ph->p_offset) % ph->p_align != 0))
		return elf_reject("p_align");
	start = ph->p_vaddr & ~(ELF_PAGE - 1);
	end = (ph->p_vaddr + ph->p_memsz + ELF_PAGE - 1) & ~(ELF_PAGE - 1);
	if (img->ei_nseg > 0) {
		const struct elf_segment *prev = &img->ei_seg[img->ei_nseg - 1];

		/* Sorted by vaddr (gABI); at most the boundary page may be shared. */
		if (ph->p_vaddr < prev->es_vaddr + prev->es_memsz)
			return elf_reject("segments unsorted or overlapping");
		if (start + ELF_PAGE < img->ei_hi)
			return elf_reject("segments overlap by more than a page");
	} else {
		img->ei_lo = start;
	}
	img->ei_hi = MAX(img->ei_hi, end);
	s = &img->ei_seg[img->ei_nseg++];
	s->es_vaddr = ph->p_vaddr;
	s->es_memsz = ph->p_memsz;
	s->es_filesz = ph->p_filesz;
	s->es_offset = ph->p_offset;
	s->es_prot = elf_prot(ph->p_flags);
	return 0;
}

int
elf_parse(const struct exec_reader *r, struct elf_image *img)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph[ELF_MAX_PHDRS];
	uint64_t phdr_vaddr = 0;
	bool entry_ok = false;
	int err;

	memset(img, 0, sizeof(*img));
	if (r->er_size < sizeof(eh))
		return elf_reject("shorter than an ELF header");
	if ((err = r->er_read(r->er_ctx, 0, &eh, sizeof(eh))) != 0)
		return err;
	if ((err = elf_check_header(&eh, r->er_size)) != 0)
		return err;
	if ((err = r->er_read(r->er_ctx, eh.e_phoff, ph, eh.e_phnum * sizeof(Elf64_Phdr))) != 0)
		return err;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		switch (ph[i].p_type) {
		case PT_LOAD:
			if ((err = elf_add_load(img, &ph[i], r->er_size)) != 0)
				return err;
			break;
		case PT_INTERP:
			return elf_reject("PT_INTERP: dynamically linked programs are not supported");
		case PT_PHDR:
			phdr_vaddr = ph[i].p_vaddr;
			break;
		case PT_GNU_STACK:
			img->ei_exec_stack = (ph[i].p_flags & PF_X) != 0;
			break;
		default:
			break;
		}
	}
	if (img->ei_nseg == 0)
		return elf_reject("no PT_LOAD segment");
	/* The entry must be in an executable segment. */
	for (unsigned i = 0; i < img->ei_nseg; i++) {
		const struct elf_segment *s = &img->ei_seg[i];

		if (eh.e_entry >= s->es_vaddr && eh.e_entry - s->es_vaddr < s->es_memsz &&
		    (s->es_prot & ELF_PROT_X))
			entry_ok = true;
		/* Without PT_PHDR the headers are visible when a segment maps file offset phoff. */
		if (phdr_vaddr == 0 && eh.e_phoff >= s->es_offset &&
		    eh.e_phoff + eh.e_phnum * sizeof(Elf64_Phdr) <= s->es_offset + s->es_filesz)
			phdr_vaddr = s->es_vaddr + (eh.e_phoff - s->es_offset);
	}
	if (!entry_ok)
		return elf_reject("entry point not in an executable segment");
	img->ei_pie = eh.e_type == ET_DYN;
	if (img->ei_pie && img->ei_lo > ELF_PAGE * 1024)
		return elf_reject("ET_DYN not based near 0");
	img->ei_entry = eh.e_entry;
	img->ei_phdr = phdr_vaddr;
	img->ei_phnum = eh.e_phnum;
	return 0;
}
