import { validationError } from './errors';

/** An ISO 8601 week: the year that holds its Thursday, and its number (1 to 52 or 53). */
export interface IsoWeek {
  readonly year: number;
  readonly week: number;
}

const DAY = 86_400_000;

/** The ISO week of an instant (UTC). */
export function isoWeekOf(at: string | Date): IsoWeek {
  const date = new Date(at);
  const day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday 0
  const thursday = new Date(day + (3 - weekday) * DAY);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY));
  return { year, week };
}

/** Monday 00:00 UTC of week 1 of `year`. */
function weekOneMonday(year: number): number {
  const jan4 = Date.UTC(year, 0, 4);
  const weekday = (new Date(jan4).getUTCDay() + 6) % 7;
  return jan4 - weekday * DAY;
}

/** How many ISO weeks `year` has (52 or 53). */
export const weeksInYear = (year: number): number => (weekOneMonday(year + 1) - weekOneMonday(year)) / (7 * DAY);

/** The instants a week covers, `[from, until)` as ISO strings; a week the calendar does not have is refused naming the field. */
export function weekRange(year: number, week: number): { readonly from: string; readonly until: string } {
  if (!Number.isInteger(year) || year < 1970 || year > 9999) {
    throw validationError('HISTORY.WEEK_INVALID', `No year ${year} in the history`, [{ field: 'year', reason: 'must be a year from 1970 to 9999' }]);
  }
  const weeks = weeksInYear(year);
  if (!Number.isInteger(week) || week < 1 || week > weeks) {
    throw validationError('HISTORY.WEEK_INVALID', `${year} has no week ${week}`, [{ field: 'week', reason: `${year} has weeks 1 to ${weeks}` }]);
  }
  const from = weekOneMonday(year) + (week - 1) * 7 * DAY;
  return { from: new Date(from).toISOString(), until: new Date(from + 7 * DAY).toISOString() };
}

/** A week's key in read models: sortable (`2016-W20`). */
export const weekKey = ({ year, week }: IsoWeek): string => `${year}-W${String(week).padStart(2, '0')}`;
