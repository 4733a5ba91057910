/*
 * rtc_fuzz.c — libFuzzer harness for rtc_decode() (kernel/arch/x86_64/rtc.c): the CMOS clock's
 * registers are whatever the emulated device shows, so any eight bytes must decode without a
 * fault, and an accepted date must be a real one: valid by cal_date_valid(), within the years
 * the registers can express (1900-9999), and stable through cal_to_epoch/cal_from_epoch.
 */
// fuzz-deps: kernel/arch/x86_64/rtc.c kernel/libkern/calendar.c
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <arch/x86_64/rtc.h>

void
delay_us(uint64_t us)
{
	(void)us;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtc_raw r;
	struct cal_date d, back;

	if (size < sizeof(r))
		return 0;
	memcpy(&r, data, sizeof(r));
	if (rtc_decode(&r, &d) != NULL)
		return 0;
	if (!cal_date_valid(&d) || d.cd_year < 1900 || d.cd_year > 9999)
		abort();
	cal_from_epoch(cal_to_epoch(&d), &back);
	if (back.cd_year != d.cd_year || back.cd_month != d.cd_month || back.cd_day != d.cd_day ||
	    back.cd_hour != d.cd_hour || back.cd_min != d.cd_min || back.cd_sec != d.cd_sec)
		abort();
	return 0;
}
