/*
 * exec_elf.h — parsing an ELF64 x86-64 executable for execve (System V gABI ch. 4-5, the x86-64
 * psABI §5): the header, the program headers, and the PT_LOAD segments to map.
 *
 * The one idea: the image comes through a reader (read at an offset, a size), so exec does not
 * care whether the bytes are in the boot archive (bootfs.c) or, later, a vnode; and every field
 * is validated here, so the loader (kern_exec.c) only sees segments that are sorted, inside the
 * file, inside the user address space and page-congruent.
 * Portable: the unit tests and the fuzzer run it on the host.
 */
#ifndef _BSD_KERN_EXEC_ELF_H_
#define _BSD_KERN_EXEC_ELF_H_

#include <libkern/libkern.h>

/* Where exec reads an image from. read returns 0 or an errno (EIO), filling all of len. */
struct exec_reader {
	int (*er_read)(void *ctx, uint64_t off, void *buf, size_t len);
	void *er_ctx;
	uint64_t er_size;
};

#define ELF_MAX_PHDRS 64
#define ELF_MAX_LOADS 16
/* The highest address a segment may reach (before a PIE bias: the bias keeps it below 2^47). */
#define ELF_VADDR_LIMIT (1ULL << 46)
#define ELF_PAGE	4096ULL

#define ELF_PROT_R 1
#define ELF_PROT_W 2
#define ELF_PROT_X 4

struct elf_segment {
	uint64_t es_vaddr;   /* before the bias */
	uint64_t es_memsz;
	uint64_t es_filesz;
	uint64_t es_offset;
	unsigned es_prot;    /* ELF_PROT_* */
};

struct elf_image {
	bool ei_pie;		/* ET_DYN: loaded at a bias */
	uint64_t ei_entry;	/* before the bias */
	uint64_t ei_phdr;	/* vaddr of the program headers (before the bias), 0: not mapped */
	uint16_t ei_phnum;
	uint64_t ei_lo, ei_hi;	/* page-aligned span of the segments (before the bias) */
	unsigned ei_nseg;
	struct elf_segment ei_seg[ELF_MAX_LOADS];
	bool ei_exec_stack;	/* PT_GNU_STACK asks for PF_X (refused: noted only) */
};

/*
 * elf_parse: read and validate the ELF header and program headers of the image behind r.
 *   Returns: 0 and *img; ENOEXEC (not an x86-64 ELF64 executable we can run: bad magic, class,
 *            type, version, sizes; a segment outside the file or the address space, unsorted,
 *            overlapping, not page-congruent; PT_INTERP — dynamic programs are not supported
 *            yet); EIO (the reader failed).
 */
int elf_parse(const struct exec_reader *r, struct elf_image *img);

#endif /* _BSD_KERN_EXEC_ELF_H_ */
