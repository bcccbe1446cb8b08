/** Calendar dates as the ZGW APIs take them (`YYYY-MM-DD`), in the Netherlands' time zone. */

const AMSTERDAM = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Amsterdam',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** Today's date in Europe/Amsterdam (`2026-12-04`): a zaak's default start and registration date. */
export function today(now: Date = new Date()): string {
  return AMSTERDAM.format(now);
}

/** The date `days` days before `date` (both `YYYY-MM-DD`). */
export function daysBefore(date: string, days: number): string {
  const utc = new Date(`${date}T00:00:00Z`);
  utc.setUTCDate(utc.getUTCDate() - days);
  return utc.toISOString().slice(0, 10);
}

/** A date variable: `YYYY-MM-DD`. */
export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
