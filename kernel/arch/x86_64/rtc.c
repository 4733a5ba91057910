/*
 * rtc.c — the CMOS real-time clock as a calendar source (see rtc.h).
 *
 * Follows the MC146818A data sheet's register map (seconds 0x00, minutes 0x02, hours 0x04,
 * day of month 0x07, month 0x08, year 0x09; status A bit 7 UIP "update in progress"; status B
 * bit 2 DM "binary, not BCD", bit 1 "24-hour") through index port 0x70 and data port 0x71, and
 * ACPI 6.5 §5.2.9 for the FADT's CENTURY field (the CMOS index of the century byte, 0 if none).
 *
 * The one idea: the chip updates its registers once a second and a read in the middle can mix
 * two seconds (23:59:59 becoming 00:00:00 gives 00:59:59). So: wait until UIP is clear, read
 * every register, and read them all again — only two identical passes are believed. Every field
 * is then checked (BCD digits, ranges, a real day of a real month): the values come from an
 * emulated device and a wrong calendar is worse than none.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/rtc.h>
#include <arch/x86_64/timer.h>
#include <console.h>

#define RTC_INDEX	0x70
#define RTC_DATA	0x71
#define RTC_SEC		0x00
#define RTC_MIN		0x02
#define RTC_HOUR	0x04
#define RTC_DAY		0x07
#define RTC_MONTH	0x08
#define RTC_YEAR	0x09
#define RTC_STATUS_A	0x0a
#define RTC_STATUS_B	0x0b
#define RTC_A_UIP	0x80
#define RTC_B_24H	0x02
#define RTC_B_BINARY	0x04
#define RTC_HOUR_PM	0x80
#define RTC_TRIES	5
#define RTC_UIP_WAIT_US 10000 /* an update takes at most 1984 us after UIP rises */

/* A BCD byte's value, or -1 when a digit is not 0-9. */
static int
rtc_bcd(uint8_t v)
{
	if ((v & 0x0f) > 9 || (v >> 4) > 9)
		return -1;
	return (v >> 4) * 10 + (v & 0x0f);
}

static int
rtc_field(uint8_t v, bool binary)
{
	return binary ? v : rtc_bcd(v);
}

const char *
rtc_decode(const struct rtc_raw *raw, struct cal_date *out)
{
	bool binary = (raw->rr_status_b & RTC_B_BINARY) != 0;
	bool pm = false;
	int sec, min, hour, day, month, year, century = -1;

	sec = rtc_field(raw->rr_sec, binary);
	min = rtc_field(raw->rr_min, binary);
	if (!(raw->rr_status_b & RTC_B_24H)) {
		/* 12-hour mode: bit 7 of the hour is PM, hours run 12, 1, ..., 11 */
		pm = (raw->rr_hour & RTC_HOUR_PM) != 0;
		hour = rtc_field(raw->rr_hour & ~RTC_HOUR_PM, binary);
		if (hour < 1 || hour > 12)
			return "12-hour clock hour out of range";
		hour = hour % 12 + (pm ? 12 : 0);
	} else {
		hour = rtc_field(raw->rr_hour, binary);
	}
	day = rtc_field(raw->rr_day, binary);
	month = rtc_field(raw->rr_month, binary);
	year = rtc_field(raw->rr_year, binary);
	if (sec < 0 || min < 0 || hour < 0 || day < 0 || month < 0 || year < 0)
		return "a field is not BCD";
	if (year > 99)
		return "year of century out of range";
	if (raw->rr_century != 0) {
		century = rtc_field(raw->rr_century, binary);
		if (century < 19 || century > 99)
			return "century register out of range";
	}
	if (century < 0)
		century = year >= 70 ? 19 : 20;
	if (sec > 59 || min > 59 || hour > 23 || day > 31 || month > 12)
		return "a field is out of range";
	*out = (struct cal_date){
		.cd_year = century * 100 + year,
		.cd_month = (uint8_t)month,
		.cd_day = (uint8_t)day,
		.cd_hour = (uint8_t)hour,
		.cd_min = (uint8_t)min,
		.cd_sec = (uint8_t)sec,
	};
	if (!cal_date_valid(out))
		return "no such day";
	return NULL;
}

/* One CMOS register; bit 7 of the index stays clear (it would mask NMIs). */
static uint8_t
rtc_reg(uint8_t idx)
{
	outb(RTC_INDEX, idx & 0x7f);
	return inb(RTC_DATA);
}

/* Wait until no update is in progress; false if UIP never cleared. */
static bool
rtc_wait_uip(void)
{
	for (unsigned waited = 0; waited < RTC_UIP_WAIT_US; waited += 10) {
		if (!(rtc_reg(RTC_STATUS_A) & RTC_A_UIP))
			return true;
		delay_us(10);
	}
	return false;
}

static void
rtc_pass(uint8_t century_reg, struct rtc_raw *r)
{
	r->rr_sec = rtc_reg(RTC_SEC);
	r->rr_min = rtc_reg(RTC_MIN);
	r->rr_hour = rtc_reg(RTC_HOUR);
	r->rr_day = rtc_reg(RTC_DAY);
	r->rr_month = rtc_reg(RTC_MONTH);
	r->rr_year = rtc_reg(RTC_YEAR);
	r->rr_century = century_reg != 0 ? rtc_reg(century_reg) : 0;
	r->rr_status_b = rtc_reg(RTC_STATUS_B);
}

int
rtc_read(uint8_t century_reg, struct cal_date *out)
{
	struct rtc_raw a, b;
	const char *why;

	/* An index register that reads back all ones: no chip behind the ports. */
	if (rtc_reg(RTC_STATUS_A) == 0xff && rtc_reg(RTC_STATUS_B) == 0xff) {
		klog(LOG_INFO, "rtc: no CMOS clock answers at port %#x\n", RTC_INDEX);
		return -1;
	}
	if (century_reg != 0 && (century_reg < 0x0e || century_reg > 0x7f)) {
		klog(LOG_WARNING, "rtc: FADT century register %#x is not in CMOS RAM; ignored\n",
		     century_reg);
		century_reg = 0;
	}
	for (int tries = 0; tries < RTC_TRIES; tries++) {
		if (!rtc_wait_uip())
			break;
		rtc_pass(century_reg, &a);
		if (!rtc_wait_uip())
			break;
		rtc_pass(century_reg, &b);
		if (memcmp(&a, &b, sizeof(a)) != 0)
			continue;
		if ((why = rtc_decode(&a, out)) == NULL)
			return 0;
		klog(LOG_WARNING, "rtc: registers are not a date (%s): %02x:%02x:%02x %02x/%02x/"
		     "%02x%02x, status B %#x\n", why, a.rr_hour, a.rr_min, a.rr_sec, a.rr_day,
		     a.rr_month, a.rr_century, a.rr_year, a.rr_status_b);
		return -1;
	}
	klog(LOG_WARNING, "rtc: the clock never read the same twice (update always in progress)\n");
	return -1;
}
