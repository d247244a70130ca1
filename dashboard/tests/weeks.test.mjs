// The date-range filter's ISO-week arithmetic (run by `node --test dashboard/tests/`, which
// tests/app/test_dashboard.py does as part of the suite).
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkRange, defaultRange, formatWeek, isoWeekOf, parseWeek, weeksBetween } from "../src/weeks.js";

test("dates fall in the ISO week that holds them, across year ends", () => {
  const week = (text) => formatWeek(parseWeek(text));
  assert.equal(week("2026-02-03"), "2026-W06");
  assert.equal(week("2020-12-31"), "2020-W53");
  assert.equal(week("2021-01-03"), "2020-W53");
  assert.equal(week("2021-01-04"), "2021-W01");
  assert.equal(week("2024-12-30"), "2025-W01");
  assert.equal(week("2025-12-29"), "2026-W01");
  assert.equal(week("2026-12-31"), "2026-W53");
});

test("weeks parse as written, and impossible ones are refused", () => {
  assert.deepEqual(parseWeek("2026-W05"), { year: 2026, week: 5 });
  assert.deepEqual(parseWeek(" 2020-w53 "), { year: 2020, week: 53 });
  assert.deepEqual(parseWeek("2026-W53"), { year: 2026, week: 53 }); // 2026 starts on a Thursday
  assert.equal(parseWeek("2025-W53"), null); // 2025 has 52 ISO weeks
  assert.equal(parseWeek("2026-W00"), null);
  assert.equal(parseWeek("2026-02-30"), null);
  assert.equal(parseWeek("last week"), null);
  assert.equal(parseWeek(""), null);
});

test("a range counts both ends, refuses a reversed one and more than 104 weeks", () => {
  assert.equal(weeksBetween(parseWeek("2026-W01"), parseWeek("2026-W12")), 12);
  assert.equal(weeksBetween(parseWeek("2025-W52"), parseWeek("2026-W01")), 2);
  assert.deepEqual(checkRange("2026-01-01", "2026-W12"), { from: "2026-W01", to: "2026-W12" });
  assert.match(checkRange("2026-W12", "2026-W01").error, /later/);
  assert.match(checkRange("2024-W01", "2026-W01").error, /at most 104/);
  assert.equal(checkRange("2024-W02", "2026-W01").error, undefined);
  assert.equal(checkRange("soon", "2026-W01").field, "from");
  assert.equal(checkRange("2026-W01", "").field, "to");
});

test("the default range is the 12 weeks ending with the current one", () => {
  const now = new Date(Date.UTC(2026, 2, 18, 23, 59)); // a Wednesday in 2026-W12
  assert.equal(formatWeek(isoWeekOf(now)), "2026-W12");
  assert.deepEqual(defaultRange(now), { from: "2026-W01", to: "2026-W12" });
  assert.deepEqual(defaultRange(new Date(Date.UTC(2026, 0, 2))), { from: "2025-W42", to: "2026-W01" });
});
