/*
 * com.c — the 16550 UART at COM1, the kernel's first console.
 *
 * Follows the National Semiconductor PC16550D data sheet (registers RBR/THR, IER, IIR/FCR, LCR,
 * MCR, LSR; divisor latch). Output is polled on THRE, one byte per check: the console must work
 * before interrupts do and inside panic(). Input is interrupt driven (IER.ERBFI on IRQ 4 through
 * the IOAPIC); each received byte goes to the console input queue. '\n' is sent as "\r\n".
 */
#include <arch/x86_64/com.h>
#include <arch/x86_64/cpu.h>
#include <console.h>

#define COM_DATA 0 /* RBR / THR; DLL when DLAB */
#define COM_IER	 1 /* DLM when DLAB */
#define COM_FCR	 2
#define COM_LCR	 3
#define COM_MCR	 4
#define COM_LSR	 5
#define COM_SCR	 7

#define LSR_DR	 0x01
#define LSR_THRE 0x20
#define IER_ERBFI 0x01
#define MCR_DTR_RTS_OUT2 0x0b /* OUT2 gates the IRQ line on PCs */

static bool present;

static void
com_putc_raw(char c)
{
	for (int spin = 0; spin < 100000 && (inb(COM1_PORT + COM_LSR) & LSR_THRE) == 0; spin++)
		cpu_pause();
	outb(COM1_PORT + COM_DATA, (uint8_t)c);
}

static void
com_write(const char *s, size_t n)
{
	if (!present)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			com_putc_raw('\r');
		com_putc_raw(s[i]);
	}
}

static struct console_sink com_sink = {
	.cs_name = "ttyS0",
	.cs_write = com_write,
};

void
com_init(void)
{
	/* The scratch register answers with what was written only if a UART is there. */
	outb(COM1_PORT + COM_SCR, 0x5a);
	if (inb(COM1_PORT + COM_SCR) != 0x5a)
		return;
	present = true;
	outb(COM1_PORT + COM_IER, 0x00);
	outb(COM1_PORT + COM_LCR, 0x80); /* DLAB */
	outb(COM1_PORT + COM_DATA, 1);	 /* 115200 baud: divisor 1 */
	outb(COM1_PORT + COM_IER, 0);
	outb(COM1_PORT + COM_LCR, 0x03); /* 8N1 */
	outb(COM1_PORT + COM_FCR, 0xc7); /* enable and clear FIFOs, 14-byte trigger */
	outb(COM1_PORT + COM_MCR, MCR_DTR_RTS_OUT2);
	console_register(&com_sink);
}

bool
com_present(void)
{
	return present;
}

void
com_enable_rx_intr(void)
{
	if (!present)
		return;
	/* Keep what was typed during boot: it is the user's first command. */
	com_intr();
	outb(COM1_PORT + COM_IER, IER_ERBFI);
}

void
com_intr(void)
{
	/* Bounded: a UART that always claims data must not hold the CPU forever. */
	for (int i = 0; i < 64 && (inb(COM1_PORT + COM_LSR) & LSR_DR) != 0; i++)
		console_input((char)inb(COM1_PORT + COM_DATA));
}
