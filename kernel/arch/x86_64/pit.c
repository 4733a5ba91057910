/*
 * pit.c — the 8254 programmable interval timer's channel 2, as a one-shot calibration window.
 *
 * Follows the Intel 8254 data sheet (control word: channel, access mode, mode 0 "interrupt on
 * terminal count") and the PC/AT port 0x61 wiring: bit 0 gates channel 2, bit 1 drives the
 * speaker, bit 5 reads channel 2's OUT. Channel 2 is used because its output can be read back
 * without an interrupt, and because it does not disturb channel 0's IRQ 0.
 *
 * Machines without port 0x61 (QEMU's microvm) read it as 0xff, so channel 2's OUT looks done
 * at once. For them channel 0 serves instead: free-running in mode 2, its count is read back
 * with the latch command (8254 data sheet, "Counter Latch Command"); IRQ 0 is masked by then.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/timer.h>

#define PIT_CH0	     0x40
#define PIT_CH2	     0x42
#define PIT_CTRL     0x43
#define PORT_B	     0x61
#define PORTB_GATE2  0x01
#define PORTB_SPKR   0x02
#define PORTB_OUT2   0x20
#define PIT_CH2_MODE0_LOHI 0xb0 /* channel 2, lobyte/hibyte, mode 0, binary */
#define PIT_CH0_MODE2_LOHI 0x34 /* channel 0, lobyte/hibyte, mode 2 (rate generator), binary */
#define PIT_CH0_LATCH	   0x00

void
pit_oneshot_start(uint16_t count)
{
	uint8_t b = inb(PORT_B);

	/* Gate off and speaker off while loading; mode 0 holds OUT low until the count ends. */
	outb(PORT_B, (uint8_t)(b & ~(PORTB_GATE2 | PORTB_SPKR)));
	outb(PIT_CTRL, PIT_CH2_MODE0_LOHI);
	outb(PIT_CH2, (uint8_t)count);
	outb(PIT_CH2, (uint8_t)(count >> 8));
	outb(PORT_B, (uint8_t)((b & ~PORTB_SPKR) | PORTB_GATE2));
}

bool
pit_oneshot_done(void)
{
	return (inb(PORT_B) & PORTB_OUT2) != 0;
}

void
pit_ch0_start(void)
{
	outb(PIT_CTRL, PIT_CH0_MODE2_LOHI);
	outb(PIT_CH0, 0); /* 0 means 65536: the longest period, fewest wraps */
	outb(PIT_CH0, 0);
}

uint16_t
pit_ch0_read(void)
{
	uint8_t lo, hi;

	outb(PIT_CTRL, PIT_CH0_LATCH);
	lo = inb(PIT_CH0);
	hi = inb(PIT_CH0);
	return (uint16_t)(lo | hi << 8);
}
