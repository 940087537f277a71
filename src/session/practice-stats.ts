// derive practice --stats, the pure part: from the practice state and the clock, what is due today
// and this week, how often the right rule was recognised over the last 30 days (and week by week),
// the rules missed most, and the reviews of each of the last 14 days. Days are the local calendar
// days of the machine (TZ), so "today" is the student's today. No I/O.
import { State } from 'ts-fsrs'
import type { PracticeState, Review } from './practice.js'

/** The window of the retention figure. */
export const RETENTION_DAYS = 30
/** The weeks retention is shown for one by one, to see it develop. */
export const WEEKS = 4
/** The days in the bar chart of reviews. */
export const CHART_DAYS = 14
/** How many of the rules missed most are listed. */
export const MISSED_SHOWN = 5

export interface Share {
  readonly reviews: number
  /** Answers that picked the right rule. */
  readonly right: number
}

export interface PracticeStats {
  /** The local date of now, YYYY-MM-DD. */
  readonly today: string
  /** Rules of the library that can be practised, how many of them were practised, how many never. */
  readonly rules: number
  readonly practised: number
  readonly fresh: number
  /** Practised cards due by the end of today (overdue included), and by the end of the 7th day. */
  readonly dueToday: number
  readonly dueWeek: number
  /** Right answers among the reviews of the last RETENTION_DAYS days, and per 7-day week of the last WEEKS (oldest first, the last ends today). */
  readonly retention: Share
  readonly weeks: readonly (Share & { readonly from: string; readonly to: string })[]
  /** The rules answered wrong (or shown) most often in the kept history, most first. */
  readonly missed: readonly { readonly rule: string; readonly misses: number; readonly reviews: number }[]
  /** Reviews on each of the last CHART_DAYS days, oldest first, today last. */
  readonly days: readonly (Share & { readonly date: string })[]
}

/** YYYY-MM-DD of a time, in local time. */
export const localDate = (d: Date): string =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`

/** The start of the local day `offset` days after the day of `now` (0: today's midnight). */
function dayStart(now: Date, offset: number): Date {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() + offset)
}

const share = (rs: readonly Review[]): Share => ({ reviews: rs.length, right: rs.filter((r) => r.answer === 'right').length })

/** Reviews in [from, to). */
const between = (log: readonly Review[], from: Date, to: Date): Review[] => log.filter((r) => r.at >= from && r.at < to)

/** The statistics at `now` of the cards of these rules (ids); the history counts every rule it holds. */
export function practiceStats(s: PracticeState, rules: readonly string[], now: Date): PracticeStats {
  const practised = rules.filter((r) => {
    const c = s.cards.get(r)
    return c !== undefined && c.state !== State.New
  })
  const dueBy = (end: Date): number => practised.filter((r) => s.cards.get(r)!.due < end).length
  const tomorrow = dayStart(now, 1)
  const log = s.log.filter((r) => r.at < tomorrow)
  const weeks = Array.from({ length: WEEKS }, (_, i) => {
    const from = dayStart(now, 7 * (i - WEEKS) + 1)
    const to = dayStart(now, 7 * (i - WEEKS + 1) + 1)
    return { from: localDate(from), to: localDate(new Date(to.getTime() - 1)), ...share(between(log, from, to)) }
  })
  const misses = new Map<string, { misses: number; reviews: number; last: number }>()
  for (const r of log) {
    const m = misses.get(r.rule) ?? { misses: 0, reviews: 0, last: 0 }
    m.reviews++
    if (r.answer !== 'right') {
      m.misses++
      m.last = r.at.getTime()
    }
    misses.set(r.rule, m)
  }
  const missed = [...misses]
    .filter(([, m]) => m.misses > 0)
    // most misses first; then the larger share of misses, then the more recent miss, then by id
    .sort(([a, x], [b, y]) => y.misses - x.misses || y.misses / y.reviews - x.misses / x.reviews || y.last - x.last || (a < b ? -1 : 1))
    .slice(0, MISSED_SHOWN)
    .map(([rule, m]) => ({ rule, misses: m.misses, reviews: m.reviews }))
  return {
    today: localDate(now),
    rules: rules.length,
    practised: practised.length,
    fresh: rules.length - practised.length,
    dueToday: dueBy(tomorrow),
    dueWeek: dueBy(dayStart(now, 7)),
    retention: share(between(log, dayStart(now, 1 - RETENTION_DAYS), tomorrow)),
    weeks,
    missed,
    days: Array.from({ length: CHART_DAYS }, (_, i) => {
      const from = dayStart(now, i - CHART_DAYS + 1)
      return { date: localDate(from), ...share(between(log, from, dayStart(now, i - CHART_DAYS + 2))) }
    }),
  }
}
