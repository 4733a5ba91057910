/*
 * calendar_test.c — kernel/libkern/calendar.c against the host C library: glibc's gmtime_r()
 * and timegm() are the oracle for every conversion (no expected date typed by hand), over
 * random instants spread across +/- 30,000 years and over every day from 1899 to 2101
 * (the leap-year rules' three exceptions: 1900, 2000, 2100). cal_date_valid() is checked
 * against a round trip through timegm (a date is valid exactly when timegm does not normalise
 * it into another one).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdlib.h>
#include <time.h>

#include <libkern/calendar.h>

static void
check_instant(int64_t secs)
{
	struct cal_date d;
	struct tm tm;
	time_t t = (time_t)secs;

	cr_assert_not_null(gmtime_r(&t, &tm), "gmtime_r(%lld)", (long long)secs);
	cal_from_epoch(secs, &d);
	cr_assert(d.cd_year == tm.tm_year + 1900 && d.cd_month == tm.tm_mon + 1 &&
		  d.cd_day == tm.tm_mday && d.cd_hour == tm.tm_hour && d.cd_min == tm.tm_min &&
		  d.cd_sec == tm.tm_sec,
		  "%lld s: kernel %d-%02u-%02u %02u:%02u:%02u, libc %d-%02d-%02d %02d:%02d:%02d",
		  (long long)secs, d.cd_year, d.cd_month, d.cd_day, d.cd_hour, d.cd_min, d.cd_sec,
		  tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	cr_assert(cal_date_valid(&d), "%lld s: its own date is not valid", (long long)secs);
	cr_assert_eq(cal_to_epoch(&d), secs, "%lld s: the round trip gave %lld", (long long)secs,
		     (long long)cal_to_epoch(&d));
}

Test(calendar, random_instants_match_gmtime)
{
	const int64_t span = 30000LL * 366 * 86400;

	srandom(20261125);
	for (int i = 0; i < 200000; i++) {
		int64_t r = ((int64_t)random() << 31 | random()) % (2 * span) - span;

		check_instant(r);
	}
	check_instant(0);
	check_instant(-1);
	check_instant(86399);
	check_instant(86400);
	check_instant(INT32_MAX);
	check_instant((int64_t)INT32_MAX + 1);
	check_instant((int64_t)UINT32_MAX);
}

Test(calendar, every_day_1899_to_2101)
{
	struct tm tm = { .tm_year = 1899 - 1900, .tm_mon = 0, .tm_mday = 1, .tm_hour = 12 };
	time_t t = timegm(&tm);

	for (; t < timegm(&(struct tm){ .tm_year = 2102 - 1900, .tm_mday = 1 }); t += 86400)
		check_instant(t);
}

Test(calendar, validity_matches_timegm_normalisation)
{
	srandom(7);
	for (int i = 0; i < 100000; i++) {
		struct cal_date d = {
			.cd_year = 1600 + random() % 900,
			.cd_month = random() % 14,
			.cd_day = random() % 33,
			.cd_hour = random() % 25,
			.cd_min = random() % 61,
			.cd_sec = random() % 61,
		};
		struct tm tm = { .tm_year = d.cd_year - 1900, .tm_mon = d.cd_month - 1,
				 .tm_mday = d.cd_day, .tm_hour = d.cd_hour, .tm_min = d.cd_min,
				 .tm_sec = d.cd_sec };
		bool libc_same;

		(void)timegm(&tm);
		libc_same = tm.tm_year == d.cd_year - 1900 && tm.tm_mon == d.cd_month - 1 &&
			    tm.tm_mday == d.cd_day && tm.tm_hour == d.cd_hour &&
			    tm.tm_min == d.cd_min && tm.tm_sec == d.cd_sec;
		/* month 0 and 13 wrap in timegm and are never the same; sec 60 too */
		cr_assert_eq(cal_date_valid(&d), libc_same, "%d-%u-%u %u:%u:%u", d.cd_year,
			     d.cd_month, d.cd_day, d.cd_hour, d.cd_min, d.cd_sec);
	}
}
