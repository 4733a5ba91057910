/*
 * pic.c — the two legacy 8259A interrupt controllers, put out of the way.
 *
 * Follows the Intel 8259A data sheet (ICW1-ICW4, OCW1). The kernel routes every interrupt
 * through the IOAPIC and the local APICs; the 8259s are still initialised so that their vector
 * base lies in the exception-free range (a glitch then lands on a known vector, 0x20-0x2f,
 * rather than on a CPU exception) and then every line is masked.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/lapic.h>

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1

#define ICW1_INIT_ICW4 0x11 /* edge triggered, cascade, ICW4 follows */
#define ICW4_8086      0x01
#define PIC1_VECTOR    0x20
#define PIC2_VECTOR    0x28

/* A write to an unused port gives the 8259 time to settle between ICWs on real hardware. */
static void
pic_out(uint16_t port, uint8_t v)
{
	outb(port, v);
	outb(0x80, 0);
}

void
pic_disable(void)
{
	pic_out(PIC1_CMD, ICW1_INIT_ICW4);
	pic_out(PIC2_CMD, ICW1_INIT_ICW4);
	pic_out(PIC1_DATA, PIC1_VECTOR);
	pic_out(PIC2_DATA, PIC2_VECTOR);
	pic_out(PIC1_DATA, 1u << 2); /* the slave hangs off IR2 */
	pic_out(PIC2_DATA, 2);	     /* slave identity */
	pic_out(PIC1_DATA, ICW4_8086);
	pic_out(PIC2_DATA, ICW4_8086);
	pic_out(PIC1_DATA, 0xff);
	pic_out(PIC2_DATA, 0xff);
}
