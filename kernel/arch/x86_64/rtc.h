/*
 * rtc.h — the PC's CMOS real-time clock (Motorola MC146818 and compatibles), read once at boot
 * for the calendar when the hypervisor offers no wall clock (TCG, plain QEMU, Xen without one).
 */
#ifndef _ARCH_X86_64_RTC_H_
#define _ARCH_X86_64_RTC_H_

#include <libkern/calendar.h>

/* The registers as read from the chip, before any decoding. */
struct rtc_raw {
	uint8_t rr_sec, rr_min, rr_hour, rr_day, rr_month, rr_year;
	uint8_t rr_century; /* 0 when the FADT names no century register */
	uint8_t rr_status_b;
};

/*
 * rtc_decode: turn raw registers into a date, honouring status B's binary/BCD (DM) and
 * 12/24-hour bits. Without a century register, years 70-99 are 19xx and 00-69 are 20xx.
 *   Returns: NULL and *out filled, or a short reason the registers are not a date (a digit
 *   that is not BCD, a field out of range), for the caller's log line. Pure; any context.
 */
const char *rtc_decode(const struct rtc_raw *raw, struct cal_date *out);

/*
 * rtc_read: read the chip (waiting out an update in progress, reading until two passes agree)
 * and decode it. century_reg is the FADT's CENTURY index (0: none).
 *   Returns: 0 and *out, or -1 with a log line (no chip, never stable, not a date).
 *   Boot CPU, before or after the scheduler; takes no lock (nothing else touches the chip).
 */
int rtc_read(uint8_t century_reg, struct cal_date *out);

#endif /* _ARCH_X86_64_RTC_H_ */
