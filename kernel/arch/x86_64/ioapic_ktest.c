/*
 * ioapic_ktest.c — an ISA interrupt end to end: COM1's receive interrupt through the IOAPIC.
 *
 * The UART is put in loopback mode (MCR bit 4, PC16550D §8.6): a byte written to THR comes back
 * on the receiver and raises the receive interrupt, which com_intr() turns into console input.
 * Input already queued, or arriving during the test, is put back afterwards.
 */
#include <arch/x86_64/com.h>
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/ioapic.h>
#include <arch/x86_64/timer.h>
#include <console.h>
#include <ktest.h>

#define COM_DATA  0
#define COM_MCR	  4
#define COM_LSR	  5
#define MCR_LOOP  0x10
#define LSR_TEMT  0x40
#define MARKER	  0x1d /* a byte nobody types: Ctrl-] */

KTEST(ioapic_com1_rx_intr)
{
	char saved[64];
	unsigned nsaved = 0, vec = ioapic_isa_vector(COM1_IRQ);
	uint64_t n0, end;
	uint8_t mcr;
	bool got = false, s;
	int c;

	if (!com_present())
		KT_SKIP("no UART at COM1");
	KT_ASSERT(vec != 0);
	while ((c = console_getc()) >= 0 && nsaved < sizeof(saved))
		saved[nsaved++] = (char)c;
	/* Our own output still in the transmitter would loop back as input: let it drain. */
	for (int i = 0; i < 1000000 && !(inb(COM1_PORT + COM_LSR) & LSR_TEMT); i++)
		cpu_pause();

	s = intr_save();
	mcr = inb(COM1_PORT + COM_MCR);
	outb(COM1_PORT + COM_MCR, mcr | MCR_LOOP);
	n0 = intr_count(vec);
	outb(COM1_PORT + COM_DATA, MARKER);
	intr_restore(s);

	end = clock_uptime_ns() + 100000000;
	while (!got && clock_uptime_ns() < end) {
		c = console_getc();
		if (c == MARKER)
			got = true;
		else if (c >= 0 && nsaved < sizeof(saved))
			saved[nsaved++] = (char)c;
		else
			cpu_pause();
	}
	s = intr_save();
	outb(COM1_PORT + COM_MCR, mcr);
	for (unsigned i = 0; i < nsaved; i++)
		console_input(saved[i]);
	intr_restore(s);

	KT_ASSERT(got);
	KT_ASSERT(intr_count(vec) > n0);
}
