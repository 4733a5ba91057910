/*
 * rtc_test.c — kernel/arch/x86_64/rtc.c's decoding of CMOS clock registers.
 *
 * The one idea: every date is encoded here the way an MC146818 presents it — BCD or binary,
 * 12- or 24-hour, with or without a century register — from instants whose civil date comes
 * from cal_from_epoch (checked against glibc in calendar_test), and must decode back to the
 * same instant. Registers a broken or hostile device could show are refused with a reason.
 * rtc_read() itself talks to ports and runs only in the kernel (the calendar ktest).
 */
// unit-deps: kernel/libkern/calendar.c
#include <criterion/criterion.h>
#include <stdlib.h>

#include <arch/x86_64/rtc.h>

/* rtc_read's port loop is linked but never run on the host. */
void
delay_us(uint64_t us)
{
	(void)us;
}

static uint8_t
enc(unsigned v, bool binary)
{
	return binary ? (uint8_t)v : (uint8_t)((v / 10) << 4 | v % 10);
}

static struct rtc_raw
encode(const struct cal_date *d, bool binary, bool h24, bool century)
{
	struct rtc_raw r = { 0 };
	unsigned h = d->cd_hour;

	r.rr_sec = enc(d->cd_sec, binary);
	r.rr_min = enc(d->cd_min, binary);
	if (h24)
		r.rr_hour = enc(h, binary);
	else
		r.rr_hour = (uint8_t)(enc(h % 12 == 0 ? 12 : h % 12, binary) | (h >= 12 ? 0x80 : 0));
	r.rr_day = enc(d->cd_day, binary);
	r.rr_month = enc(d->cd_month, binary);
	r.rr_year = enc((unsigned)d->cd_year % 100, binary);
	r.rr_century = century ? enc((unsigned)d->cd_year / 100, binary) : 0;
	r.rr_status_b = (uint8_t)((binary ? 0x04 : 0) | (h24 ? 0x02 : 0));
	return r;
}

Test(rtc, every_mode_decodes_back)
{
	srandom(146818);
	for (int i = 0; i < 50000; i++) {
		/* 1970-2069 without a century register (its window), 1900-9999 with one */
		int64_t t = (int64_t)(random() % (100LL * 365 * 86400));
		struct cal_date d, got;

		cal_from_epoch(t, &d);
		for (int mode = 0; mode < 8; mode++) {
			struct rtc_raw r = encode(&d, mode & 1, mode & 2, mode & 4);
			const char *why = rtc_decode(&r, &got);

			cr_assert_null(why, "%lld mode %d: refused (%s)", (long long)t, mode, why);
			cr_assert_eq(cal_to_epoch(&got), t, "%lld mode %d: decoded %lld",
				     (long long)t, mode, (long long)cal_to_epoch(&got));
		}
	}
}

Test(rtc, century_register_extends_the_range)
{
	struct cal_date d = { .cd_year = 2187, .cd_month = 2, .cd_day = 28, .cd_hour = 23,
			      .cd_min = 59, .cd_sec = 59 }, got;
	struct rtc_raw r = encode(&d, false, true, true);

	cr_assert_null(rtc_decode(&r, &got));
	cr_assert_eq(got.cd_year, 2187);
	r.rr_century = 0; /* the same registers without it: the 1970-2069 window */
	cr_assert_null(rtc_decode(&r, &got));
	cr_assert_eq(got.cd_year, 1987);
}

Test(rtc, noon_and_midnight_in_12_hour_mode)
{
	struct cal_date got;
	struct rtc_raw r = { .rr_sec = 0, .rr_min = 0, .rr_hour = 0x12, .rr_day = 1,
			     .rr_month = 1, .rr_year = 0x26, .rr_status_b = 0 };

	cr_assert_null(rtc_decode(&r, &got));
	cr_assert_eq(got.cd_hour, 0, "12 AM is midnight");
	r.rr_hour = 0x92;
	cr_assert_null(rtc_decode(&r, &got));
	cr_assert_eq(got.cd_hour, 12, "12 PM is noon");
	r.rr_hour = 0x81;
	cr_assert_null(rtc_decode(&r, &got));
	cr_assert_eq(got.cd_hour, 13);
}

Test(rtc, bad_registers_are_refused)
{
	struct cal_date got = { .cd_year = 77 };
	const struct rtc_raw good = { .rr_sec = 0x30, .rr_min = 0x15, .rr_hour = 0x18,
				      .rr_day = 0x25, .rr_month = 0x11, .rr_year = 0x26,
				      .rr_status_b = 0x02 };
	struct rtc_raw r;

	cr_assert_null(rtc_decode(&good, &got));
	cr_assert_eq(got.cd_year, 2026);
#define REFUSED(field, value)                                                                   \
	do {                                                                                    \
		r = good;                                                                       \
		r.field = (value);                                                              \
		cr_assert_not_null(rtc_decode(&r, &got), #field " = %#x accepted", (value));    \
	} while (0)
	REFUSED(rr_sec, 0x3a);	 /* not BCD */
	REFUSED(rr_sec, 0x60);
	REFUSED(rr_min, 0xff);	 /* an absent chip reads all ones */
	REFUSED(rr_hour, 0x24);
	REFUSED(rr_day, 0x00);
	REFUSED(rr_day, 0x32);
	REFUSED(rr_month, 0x00);
	REFUSED(rr_month, 0x13);
	REFUSED(rr_year, 0xa0);
	REFUSED(rr_century, 0x18);
	REFUSED(rr_century, 0x1f);
	r = good;
	r.rr_month = 0x02;
	r.rr_day = 0x29; /* 2026 is not a leap year */
	cr_assert_not_null(rtc_decode(&r, &got));
	r.rr_year = 0x28;
	cr_assert_null(rtc_decode(&r, &got));
	r = good;
	r.rr_status_b = 0; /* 12-hour mode: hour 0 does not exist */
	r.rr_hour = 0x00;
	cr_assert_not_null(rtc_decode(&r, &got));
	r.rr_hour = 0x13;
	cr_assert_not_null(rtc_decode(&r, &got));
}
