/**
 * The shopping calendar of a Saudi retailer: weekly rhythm (Thursday evenings), salary days
 * (the 27th), Ramadan and its last ten nights, both Eids, National Day (23 September), Founding
 * Day (22 February), White Friday and 11.11. All dates are days in Asia/Riyadh (UTC+03:00, no DST).
 */

export const RIYADH_OFFSET_MS = 3 * 3600_000;
export const DAY_MS = 86_400_000;

export const Season = {
  Normal: 0,
  Ramadan: 1,
  RamadanLastTen: 2,
  Eid: 3,
  WhiteFriday: 4,
  NationalDay: 5,
  FoundingDay: 6,
} as const;
export type Season = (typeof Season)[keyof typeof Season];
export const SEASON_COUNT = 7;

/** Riyadh-local day number since 1970-01-01 for an instant. */
export function riyadhDay(ms: number): number {
  return Math.floor((ms + RIYADH_OFFSET_MS) / DAY_MS);
}

/** Instant at which a Riyadh-local day starts. */
export function riyadhDayStart(day: number): number {
  return day * DAY_MS - RIYADH_OFFSET_MS;
}

let cachedDay = Number.NaN;
let cachedDayPrefix = "";

/** "2025-03-14T19:22:05+03:00", as Shopify writes times for a shop in Asia/Riyadh. */
export function toRiyadhIso(ms: number): string {
  const local = Math.floor(ms / 1000) * 1000 + RIYADH_OFFSET_MS;
  const day = Math.floor(local / DAY_MS);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDayPrefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
  }
  const seconds = Math.floor((local - day * DAY_MS) / 1000);
  const hh = Math.floor(seconds / 3600);
  const mm = Math.floor((seconds % 3600) / 60);
  const ss = seconds % 60;
  return `${cachedDayPrefix}${hh < 10 ? "0" : ""}${hh}:${mm < 10 ? "0" : ""}${mm}:${ss < 10 ? "0" : ""}${ss}+03:00`;
}

// Ramadan 1446 began on 1 March 2025 (day 20148); a lunar year is 354.367 days. The formula is
// within a day or two of the announced dates for the years a demo covers, which is enough here.
const RAMADAN_ANCHOR_DAY = Date.UTC(2025, 2, 1) / DAY_MS;
const LUNAR_YEAR_DAYS = 354.367;

function ramadanStartsNear(day: number): number[] {
  const k = Math.round((day - RAMADAN_ANCHOR_DAY) / LUNAR_YEAR_DAYS);
  return [k - 1, k, k + 1].map((i) => Math.round(RAMADAN_ANCHOR_DAY + i * LUNAR_YEAR_DAYS));
}

export interface DayInfo {
  season: Season;
  weight: number;
}

/** Season and relative order volume of one Riyadh-local day. */
export function describeDay(day: number): DayInfo {
  const date = new Date(day * DAY_MS);
  const month = date.getUTCMonth() + 1;
  const dom = date.getUTCDate();
  const weekday = date.getUTCDay(); // 0 Sunday .. 6 Saturday
  let season: Season = Season.Normal;
  let weight = [0.95, 0.9, 0.9, 1.0, 1.25, 1.05, 1.0][weekday];
  if (dom >= 25 && dom <= 28) weight *= 1.3; // government salaries land on the 27th
  else if (dom <= 3) weight *= 1.1;
  if (month === 7 || month === 8) weight *= 0.85; // summer travel

  for (const start of ramadanStartsNear(day)) {
    const offset = day - start;
    if (offset >= 0 && offset < 20) {
      season = Season.Ramadan;
      weight *= 1.25;
    } else if (offset >= 20 && offset < 30) {
      season = Season.RamadanLastTen;
      weight *= 1.9;
    } else if (offset >= 30 && offset < 34) {
      season = Season.Eid; // Eid al-Fitr
      weight *= 1.5;
    } else if (offset >= 90 && offset < 100) {
      season = Season.Eid; // run-up to Eid al-Adha (about 97 days after Ramadan begins)
      weight *= 1.3;
    }
  }

  if (month === 9 && dom >= 18 && dom <= 24) {
    season = Season.NationalDay;
    weight *= dom === 23 ? 2.4 : 1.6;
  } else if (month === 2 && dom >= 20 && dom <= 22) {
    season = Season.FoundingDay;
    weight *= 1.4;
  } else if (month === 11) {
    const firstWeekday = new Date(Date.UTC(date.getUTCFullYear(), 10, 1)).getUTCDay();
    const firstThursday = 1 + ((4 - firstWeekday + 7) % 7);
    const whiteFriday = firstThursday + 22;
    if (dom === 11) {
      season = Season.WhiteFriday;
      weight *= 2.6;
    } else if (dom >= whiteFriday - 7 && dom <= whiteFriday + 3) {
      season = Season.WhiteFriday;
      weight *= dom === whiteFriday ? 3.5 : 1.8;
    }
  } else if (month === 12 && dom === 12) {
    season = Season.WhiteFriday;
    weight *= 1.5;
  }
  return { season, weight };
}

/** Hour-of-day weights (Riyadh time). Branches open 10:00 to midnight; Ramadan shifts to night. */
export const HOUR_WEIGHTS = {
  online: [5, 3, 1.5, 0.7, 0.4, 0.3, 0.5, 1, 2, 3, 4, 4.5, 5, 5, 4.5, 4.5, 5, 5.5, 6, 6.5, 7.5, 8.5, 9, 7.5],
  pos: [1.5, 0.3, 0, 0, 0, 0, 0, 0, 0, 0, 3, 5, 5, 3, 4, 4, 5, 6, 6, 5, 7, 9, 9, 6],
  onlineRamadan: [9, 8, 6, 4, 2, 1, 0.5, 0.5, 0.5, 1, 2, 3, 3, 3, 3, 3, 3, 2, 1, 2, 5, 7, 9, 9],
  posRamadan: [8, 7, 4, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 3, 3, 1, 0.5, 0.5, 6, 9, 10, 10],
} as const;
