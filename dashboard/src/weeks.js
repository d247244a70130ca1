// ISO 8601 weeks in UTC, as the metrics API names them ("2026-W05"). The date-range filter takes
// a week or a date (the week that holds it); the default range is the 12 weeks ending this week,
// the same default the API applies.

const DAY_MS = 86400000;
const WEEK = /^(\d{4})-?W(\d{2})$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
export const MAX_WEEKS = 104;
export const DEFAULT_WEEKS = 12;

// The Monday (UTC midnight) that starts ISO week `week` of ISO year `year`.
function mondayOf(year, week) {
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const jan4Weekday = jan4.getUTCDay() || 7;
  return new Date(jan4.getTime() - (jan4Weekday - 1) * DAY_MS + (week - 1) * 7 * DAY_MS);
}

function weeksInYear(year) {
  const dec28 = new Date(Date.UTC(year, 11, 28));
  return isoWeekOf(dec28).week;
}

export function isoWeekOf(date) {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  const thursday = new Date(day.getTime() + (4 - weekday) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return { year, week };
}

export function formatWeek({ year, week }) {
  return `${year}-W${String(week).padStart(2, "0")}`;
}

// "2026-W05" or "2026-02-03" → {year, week}; anything else → null.
export function parseWeek(text) {
  const value = (text || "").trim();
  const asWeek = WEEK.exec(value);
  if (asWeek) {
    const year = Number(asWeek[1]);
    const week = Number(asWeek[2]);
    return week >= 1 && week <= weeksInYear(year) ? { year, week } : null;
  }
  const asDate = DATE.exec(value);
  if (asDate) {
    const [year, month, day] = [Number(asDate[1]), Number(asDate[2]), Number(asDate[3])];
    const date = new Date(Date.UTC(year, month - 1, day));
    if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
      return null;
    }
    return isoWeekOf(date);
  }
  return null;
}

// How many weeks from `from` to `to`, both included (negative when `from` is later).
export function weeksBetween(from, to) {
  const start = mondayOf(from.year, from.week).getTime();
  const end = mondayOf(to.year, to.week).getTime();
  return Math.round((end - start) / (7 * DAY_MS)) + 1;
}

export function defaultRange(now = new Date()) {
  const to = isoWeekOf(now);
  const from = isoWeekOf(new Date(mondayOf(to.year, to.week).getTime() - (DEFAULT_WEEKS - 1) * 7 * DAY_MS));
  return { from: formatWeek(from), to: formatWeek(to) };
}

// Check a typed range: {from, to} as ISO weeks, or {error} saying what to fix.
export function checkRange(fromText, toText) {
  const from = parseWeek(fromText);
  const to = parseWeek(toText);
  if (!from) return { error: "“From” is not an ISO week (2026-W05) or a date (2026-02-03).", field: "from" };
  if (!to) return { error: "“To” is not an ISO week (2026-W05) or a date (2026-02-03).", field: "to" };
  const span = weeksBetween(from, to);
  if (span < 1) return { error: "“From” must not be later than “To”.", field: "from" };
  if (span > MAX_WEEKS) return { error: `The range spans ${span} weeks; at most ${MAX_WEEKS} are allowed.`, field: "from" };
  return { from: formatWeek(from), to: formatWeek(to) };
}
