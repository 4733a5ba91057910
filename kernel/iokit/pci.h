/*
 * pci.h — PCI configuration space, enumeration and the PCI device nub (PCI Local Bus 3.0,
 * PCI Express Base 4.0 §7: type 0/1 headers, BARs, the capability list, MSI-X).
 *
 * The one idea: the enumerator (pci.c) is portable and sees configuration space only through a
 * struct pci_cfg of accessors, so the kernel points it at ECAM or ports 0xCF8/0xCFC and the
 * unit tests at a synthetic space. Everything read from configuration space is checked before
 * it is used: a device that answers nonsense is skipped (or its BAR, capability) with a log
 * line. The host-bridge driver (pci_host.c) publishes one IOPCIDevice nub per function whose
 * bus data is its struct pci_dev.
 */
#ifndef _IOKIT_PCI_H_
#define _IOKIT_PCI_H_

#include <libkern/libkern.h>
#include <libkern/os_object.h>
#include <mach/kern/kern_return.h>

#define kIOPCIDeviceClass "IOPCIDevice"

#define PCI_MAX_BUS  256
#define PCI_MAX_DEV  32
#define PCI_MAX_FN   8
#define PCI_NUM_BARS 6

/* Configuration header offsets (type 0 and 1). */
#define PCI_VENDOR_ID	    0x00
#define PCI_DEVICE_ID	    0x02
#define PCI_COMMAND	    0x04
#define PCI_STATUS	    0x06
#define PCI_REVISION	    0x08
#define PCI_CLASS_PROG	    0x09
#define PCI_HEADER_TYPE	    0x0e
#define PCI_BAR0	    0x10
#define PCI_PRIMARY_BUS	    0x18 /* type 1 */
#define PCI_SECONDARY_BUS   0x19
#define PCI_SUBORDINATE_BUS 0x1a
#define PCI_SUBSYS_VENDOR   0x2c /* type 0 */
#define PCI_SUBSYS_ID	    0x2e
#define PCI_CAP_PTR	    0x34
#define PCI_INTR_LINE	    0x3c
#define PCI_INTR_PIN	    0x3d

#define PCI_CMD_IO	   0x0001
#define PCI_CMD_MEM	   0x0002
#define PCI_CMD_MASTER	   0x0004
#define PCI_CMD_INTX_OFF   0x0400
#define PCI_STATUS_CAPLIST 0x0010
#define PCI_HDR_MULTIFN	   0x80
#define PCI_HDR_TYPE_MASK  0x7f

#define PCI_CAP_ID_VENDOR 0x09
#define PCI_CAP_ID_MSIX	  0x11
#define PCI_MSIX_CTRL	  2	       /* offsets within the MSI-X capability */
#define PCI_MSIX_TABLE	  4
#define PCI_MSIX_PBA	  8
#define PCI_MSIX_ENABLE	  0x8000
#define PCI_MSIX_MASKALL  0x4000
#define PCI_MSIX_ENTRY	  16	       /* bytes per table entry */

/* Configuration-space accessors; width is 1, 2 or 4 and off is aligned to it. */
struct pci_cfg {
	uint32_t (*pc_read)(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off,
			    unsigned width);
	void (*pc_write)(void *ctx, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off,
			 unsigned width, uint32_t val);
	void *pc_ctx;
	uint16_t pc_cfg_size; /* 256 (ports) or 4096 (ECAM) */
};

#define PCI_BAR_IO	 0x1
#define PCI_BAR_MEM64	 0x2
#define PCI_BAR_PREFETCH 0x4
#define PCI_BAR_UPPER	 0x8 /* the high half of the 64-bit BAR before it */
struct pci_bar {
	uint64_t pb_base;
	uint64_t pb_size; /* 0: not implemented, or unusable (logged) */
	uint32_t pb_flags;
};

struct pci_msix {
	uint8_t pm_cap;	      /* offset of the capability; 0: none */
	uint16_t pm_size;     /* table entries */
	uint8_t pm_table_bar;
	uint32_t pm_table_off;
	uint8_t pm_pba_bar;
	uint32_t pm_pba_off;
};

struct pci_dev {
	const struct pci_cfg *pd_cfg;
	uint16_t pd_segment;
	uint8_t pd_bus, pd_dev, pd_fn;
	uint8_t pd_hdr_type;	  /* 0: device, 1: PCI-to-PCI bridge */
	uint16_t pd_vendor, pd_device;
	uint16_t pd_subvendor, pd_subdevice;
	uint32_t pd_class;	  /* class << 16 | subclass << 8 | prog-if */
	uint8_t pd_revision;
	uint8_t pd_intr_line, pd_intr_pin;
	uint8_t pd_secondary_bus; /* bridges */
	struct pci_bar pd_bars[PCI_NUM_BARS];
	struct pci_msix pd_msix;
	void *pd_msix_table;	  /* mapped by pci_msix_enable() */
};

uint32_t pci_cfg_read(const struct pci_dev *pd, uint16_t off, unsigned width);
void pci_cfg_write(const struct pci_dev *pd, uint16_t off, unsigned width, uint32_t val);

/*
 * pci_find_cap: the offset of the first capability with id cap_id at or after the one that
 * follows `after` (0: from the start of the list). The walk is bounded and checked: a pointer
 * into the header, misaligned, or a loop ends it with a log line.
 *   Returns: the offset, or 0 when there is none.
 */
uint8_t pci_find_cap(const struct pci_dev *pd, uint8_t cap_id, uint8_t after);

/*
 * pci_enumerate: scan the buses reachable from bus `first` (following PCI-to-PCI bridges to
 * their secondary buses within [first, last]) and call found(pd, arg) once for each function,
 * in bus/device/function order, with a filled struct pci_dev (BARs sized, MSI-X found) that is
 * valid only during the call. Decoding is switched off while a BAR is sized.
 *   Returns: the number of functions found.
 */
unsigned pci_enumerate(const struct pci_cfg *cfg, uint16_t segment, uint8_t first, uint8_t last,
		       void (*found)(const struct pci_dev *pd, void *arg), void *arg);

/* pci_dev_props: set the nub properties that describe pd (ids, class, BARs, MSI-X). */
kern_return_t pci_dev_props(const struct pci_dev *pd, struct os_dict *props);

/* pci_dev_name: the nub name, XNU style ("pci1af4,1005"). */
void pci_dev_name(const struct pci_dev *pd, char *buf, size_t len);

#ifndef NIMBUS_HOSTED
struct io_service;
/* The PCI device behind an IOPCIDevice nub, or NULL when nub is not one. */
struct pci_dev *pci_dev_from_nub(struct io_service *nub);

/*
 * pci_map_bar: map len bytes at offset off of memory BAR bar, uncached.
 *   Returns: the address, or NULL when the BAR is absent, I/O, too small for off + len, or
 *            the mapping failed (logged).
 */
volatile void *pci_map_bar(struct pci_dev *pd, unsigned bar, uint64_t off, uint64_t len);

/* pci_enable: turn on memory decoding and bus mastering, and INTx off. */
void pci_enable(struct pci_dev *pd);

/*
 * pci_msix_enable: point MSI-X table entries 0..n-1 at the boot CPU's local APIC with
 * vectors[i], unmask them, and enable MSI-X (legacy INTx is then off).
 *   Returns: KERN_SUCCESS, KERN_INVALID_ARGUMENT (no MSI-X, or n above the table size),
 *            KERN_FAILURE (the table could not be mapped).
 */
kern_return_t pci_msix_enable(struct pci_dev *pd, unsigned n, const uint8_t *vectors);
/* pci_msix_disable: mask every entry and switch MSI-X off. */
void pci_msix_disable(struct pci_dev *pd);
#endif

#endif /* _IOKIT_PCI_H_ */
