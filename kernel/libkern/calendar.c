/*
 * calendar.c — civil dates to and from seconds since 1970 (see calendar.h).
 *
 * Days are counted in 400-year eras from 0000-03-01 (proleptic Gregorian calendar, as POSIX
 * "seconds since the Epoch", XBD 4.16, defines it: no leap seconds). Within an era a year of
 * index yoe has 365*yoe + yoe/4 - yoe/100 days before it, and a March-based month m starts on
 * day (153*m + 2)/5 — the integer form of the 31,30,31,30,31 pattern that repeats from March.
 */
#include <libkern/calendar.h>

static bool
cal_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned
cal_month_days(int64_t y, unsigned m)
{
	static const uint8_t days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && cal_leap(y) ? 29 : days[m - 1];
}

bool
cal_date_valid(const struct cal_date *d)
{
	if (d->cd_month < 1 || d->cd_month > 12 || d->cd_day < 1)
		return false;
	if (d->cd_day > cal_month_days(d->cd_year, d->cd_month))
		return false;
	return d->cd_hour < 24 && d->cd_min < 60 && d->cd_sec < 60;
}

/* Floor division for the era number of years before 0. */
static int64_t
cal_floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* Days since 1970-01-01 of a date (y, m, d). */
static int64_t
cal_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;
	unsigned mp = m > 2 ? m - 3 : m + 9; /* March = 0 ... February = 11 */

	y -= m <= 2; /* January and February count with the year before */
	era = cal_floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * mp + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468; /* 719468: days from 0000-03-01 to 1970-01-01 */
}

int64_t
cal_to_epoch(const struct cal_date *d)
{
	return cal_days_from_civil(d->cd_year, d->cd_month, d->cd_day) * 86400 +
	       d->cd_hour * 3600 + d->cd_min * 60 + d->cd_sec;
}

void
cal_from_epoch(int64_t secs, struct cal_date *d)
{
	int64_t days = cal_floor_div(secs, 86400), rem = secs - days * 86400;
	int64_t z = days + 719468, era = cal_floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	unsigned m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);

	d->cd_year = (int32_t)(yoe + era * 400 + (m <= 2));
	d->cd_month = (uint8_t)m;
	d->cd_day = (uint8_t)(doy - (153 * mp + 2) / 5 + 1);
	d->cd_hour = (uint8_t)(rem / 3600);
	d->cd_min = (uint8_t)(rem / 60 % 60);
	d->cd_sec = (uint8_t)(rem % 60);
}
