/*
 * com.h — the PC 16550 UART (COM1) as a console.
 */
#ifndef _ARCH_X86_64_COM_H_
#define _ARCH_X86_64_COM_H_

#include <libkern/libkern.h>

#define COM1_PORT 0x3f8
#define COM1_IRQ  4

/* Program COM1 (115200 8N1, FIFOs) and register it as a console sink. */
void com_init(void);
/* Turn on the receive interrupt once the interrupt controller routes COM1_IRQ to com_intr(). */
void com_enable_rx_intr(void);
/* Interrupt handler body: move every received byte to the console input queue. */
void com_intr(void);
/* True when a UART answered at COM1_PORT. */
bool com_present(void);

#endif
