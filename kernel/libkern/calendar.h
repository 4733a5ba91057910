/*
 * calendar.h — civil dates (proleptic Gregorian, UTC) to seconds since 1970 and back.
 *
 * The one idea: count days from 1 March of year 0, so February — the month whose length
 * varies — is the last month of the counted year and every other month has a fixed place; a
 * 400-year era then has exactly 146,097 days. No tables of month offsets that leap years shift.
 */
#ifndef _LIBKERN_CALENDAR_H_
#define _LIBKERN_CALENDAR_H_

#include <libkern/libkern.h>

struct cal_date {
	int32_t cd_year;  /* e.g. 2026 */
	uint8_t cd_month; /* 1-12 */
	uint8_t cd_day;	  /* 1-31 */
	uint8_t cd_hour;  /* 0-23 */
	uint8_t cd_min;	  /* 0-59 */
	uint8_t cd_sec;	  /* 0-59 (a leap second 60 is refused) */
};

/* Whether d names a real instant: month 1-12, day within that month of that year, time valid. */
bool cal_date_valid(const struct cal_date *d);

/* Seconds since 1970-01-01 00:00:00 UTC of a valid date (negative before 1970). */
int64_t cal_to_epoch(const struct cal_date *d);

/* The date of secs seconds since 1970 (any int64 within +/- 2^40 s). */
void cal_from_epoch(int64_t secs, struct cal_date *d);

#endif /* _LIBKERN_CALENDAR_H_ */
