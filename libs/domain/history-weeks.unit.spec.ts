import { isoWeekOf, weekKey, weekRange, weeksInYear } from './history-weeks';

describe('ISO weeks of the history', () => {
  it('names the week of an instant as ISO 8601 does, across year ends', () => {
    expect(isoWeekOf('2016-05-20T12:00:00Z')).toEqual({ year: 2016, week: 20 });
    expect(isoWeekOf('2021-01-03T23:59:59Z')).toEqual({ year: 2020, week: 53 });
    expect(isoWeekOf('2024-12-30T00:00:00Z')).toEqual({ year: 2025, week: 1 });
    expect(weekKey({ year: 2016, week: 5 })).toBe('2016-W05');
  });

  it('gives the instants a week covers, and refuses weeks the calendar lacks naming the field', () => {
    expect(weekRange(2016, 20)).toEqual({ from: '2016-05-16T00:00:00.000Z', until: '2016-05-23T00:00:00.000Z' });
    expect(weeksInYear(2020)).toBe(53);
    expect(weeksInYear(2021)).toBe(52);
    expect(() => weekRange(2021, 53)).toThrow(expect.objectContaining({ code: 'HISTORY.WEEK_INVALID', details: [expect.objectContaining({ field: 'week' })] }));
    expect(() => weekRange(1500, 1)).toThrow(expect.objectContaining({ details: [expect.objectContaining({ field: 'year' })] }));
    for (const at of ['2020-12-31T10:00:00Z', '2016-01-01T00:00:00Z', '2026-06-15T08:00:00Z']) {
      const { year, week } = isoWeekOf(at);
      const { from, until } = weekRange(year, week);
      expect(from <= new Date(at).toISOString() && new Date(at).toISOString() < until).toBe(true);
    }
  });
});
