// derive practice --stats: due today and this week, retention over 30 days and week by week, the
// rules missed most, reviews per day; on a recorded history (tests/fixtures/practice) with a fixed
// clock (DERIVE_NOW), and the history each answer of a session adds to practice.json.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { practiceStats } from '../src/session/practice-stats.js'
import { type Answer, emptyPractice, type Feeling, type PracticeState, practiceText, readPractice, review } from '../src/session/practice.js'
import { tempHome } from './helpers/cli.js'
import { runIn } from './helpers/run-with.js'

const DAY = 86_400_000
const fixtures = join(import.meta.dirname, 'fixtures', 'practice')
const NOW = '2026-12-02T18:00:00.000Z'

// days are the student's local days: the tests fix the zone (Node reads TZ when it is set)
const zone = process.env.TZ
beforeAll(() => void (process.env.TZ = 'UTC'))
afterAll(() => void (zone === undefined ? delete process.env.TZ : (process.env.TZ = zone)))

/** A state from reviews given as [rule, days before NOW, answer]. */
function history(reviews: readonly (readonly [string, number, Answer])[]): PracticeState {
  let s: PracticeState = emptyPractice()
  for (const [rule, daysAgo, answer] of [...reviews].sort((a, b) => b[1] - a[1])) {
    const feeling: Feeling = answer === 'right' ? 'good' : 'again'
    s = review(s, rule, feeling, new Date(Date.parse(NOW) - daysAgo * DAY), answer)
  }
  return s
}

describe('practiceStats', () => {
  it('retention counts right answers of the last 30 local days, week by week; missed counts wrong and shown', () => {
    const s = history([
      ['a', 0, 'right'],
      ['a', 1, 'wrong'],
      ['b', 2, 'shown'],
      ['b', 8, 'right'],
      ['c', 29, 'wrong'],
      ['c', 30, 'right'], // the 31st day back: outside the 30 days
      ['a', 45, 'wrong'],
    ])
    const st = practiceStats(s, ['a', 'b', 'c', 'd'], new Date(NOW))
    expect(st.today).toBe('2026-12-02')
    expect([st.rules, st.practised, st.fresh]).toEqual([4, 3, 1])
    expect(st.retention).toEqual({ reviews: 5, right: 2 })
    expect(st.weeks.map((w) => [w.from, w.to, w.reviews, w.right])).toEqual([
      ['2026-11-05', '2026-11-11', 0, 0], // c's miss 29 days back is before the four weeks
      ['2026-11-12', '2026-11-18', 0, 0],
      ['2026-11-19', '2026-11-25', 1, 1],
      ['2026-11-26', '2026-12-02', 3, 1],
    ])
    // a: 2 misses of 3; c: 1 of 2; b: 1 of 2, the more recent miss first among equals
    expect(st.missed).toEqual([
      { rule: 'a', misses: 2, reviews: 3 },
      { rule: 'b', misses: 1, reviews: 2 },
      { rule: 'c', misses: 1, reviews: 2 },
    ])
    expect(st.days).toHaveLength(14)
    expect(st.days.at(-1)).toEqual({ date: '2026-12-02', reviews: 1, right: 1 })
    expect(st.days.at(-3)).toEqual({ date: '2026-11-30', reviews: 1, right: 0 })
    expect(st.days[0]!.date).toBe('2026-11-19')
  })

  it('due today is due before local midnight (overdue included); this week before the 7th midnight', () => {
    const s = history([
      ['a', 10, 'right'],
      ['b', 0.9, 'wrong'],
      ['c', 0, 'right'],
    ])
    const now = new Date(NOW)
    const st = practiceStats(s, ['a', 'b', 'c'], now)
    const due = (r: string): number => s.cards.get(r)!.due.getTime()
    const midnight = Date.parse('2026-12-03T00:00:00Z')
    const expected = ['a', 'b', 'c'].filter((r) => due(r) < midnight).length
    expect(st.dueToday).toBe(expected)
    expect(st.dueWeek).toBe(['a', 'b', 'c'].filter((r) => due(r) < midnight + 6 * DAY).length)
    expect(st.dueWeek).toBeGreaterThan(st.dueToday)
  })

  it('days follow the local zone: 03:00 UTC is the day before in Los Angeles', () => {
    const s = history([['a', 0.625, 'right']]) // 2026-12-02T03:00Z
    process.env.TZ = 'America/Los_Angeles'
    try {
      const st = practiceStats(s, ['a'], new Date(NOW))
      expect(st.days.at(-1)).toMatchObject({ date: '2026-12-02', reviews: 0 })
      expect(st.days.at(-2)).toMatchObject({ date: '2026-12-01', reviews: 1 })
    } finally {
      process.env.TZ = 'UTC'
    }
  })

  it('an empty history: nothing due, no retention, nothing missed', () => {
    const st = practiceStats(emptyPractice(), ['a'], new Date(NOW))
    expect([st.dueToday, st.dueWeek, st.retention.reviews, st.missed.length]).toEqual([0, 0, 0, 0])
    expect(st.days.every((d) => d.reviews === 0)).toBe(true)
  })
})

describe('the history in practice.json', () => {
  it('each review is kept with its answer; the file round-trips; reviews older than 400 days fall out', () => {
    let s = review(emptyPractice(), 'log-product', 'again', new Date('2025-01-01T09:00:00Z'), 'shown')
    s = review(s, 'log-product', 'good', new Date('2026-12-01T09:00:00Z'))
    expect(s.log.map((r) => [r.rule, r.answer, r.feeling])).toEqual([['log-product', 'right', 'good']])
    s = review(s, 'distribute', 'again', new Date('2026-12-02T09:00:00Z'))
    expect(s.log.map((r) => r.answer)).toEqual(['right', 'wrong'])
    const text = practiceText(s)
    expect(JSON.parse(text)).toMatchObject({ format: 'derive-practice/2', log: [{ rule: 'log-product', at: '2026-12-01T09:00:00.000Z', answer: 'right', feeling: 'good' }, { rule: 'distribute' }] })
    expect(readPractice(text)).toEqual(s)
    expect(readPractice(text.replace('"answer":"right"', '"answer":"maybe"'))).toMatchObject({ problem: expect.stringMatching(/^at log\.0\.answer/) })
  })

  it('a file of the first format (cards, no history) is read and kept', () => {
    const old = JSON.parse(practiceText(review(emptyPractice(), 'log-product', 'good', new Date(NOW)))) as Record<string, unknown>
    const v1 = JSON.stringify({ format: 'derive-practice/1', cards: old.cards })
    const s = readPractice(v1) as PracticeState
    expect([...s.cards.keys()]).toEqual(['log-product'])
    expect(s.log).toEqual([])
  })

  it('a session writes each answer into the history (right, wrong, shown)', async () => {
    const home = tempHome()
    const { runScripted } = await import('./helpers/scripted.js')
    const r = await runScripted(home, ['practice', '--tag', 'special-products', '--new', '2'], ['s', 's'], { DERIVE_NOW: NOW })
    expect(r.status).toBe(0)
    const saved = JSON.parse(readFileSync(join(home, 'practice.json'), 'utf8')) as { log: { answer: string; at: string }[] }
    expect(saved.log.map((l) => [l.answer, l.at])).toEqual([
      ['shown', NOW],
      ['shown', NOW],
    ])
  })
})

describe('derive practice --stats on a recorded history', () => {
  const home = tempHome()
  copyFileSync(join(fixtures, 'practice.json'), join(home, 'practice.json'))
  const env = { DERIVE_NOW: NOW }
  const recorded = JSON.parse(readFileSync(join(fixtures, 'practice.json'), 'utf8')) as { log: { rule: string; at: string; answer: string }[] }

  it('prints due, retention by week, missed most and the chart (golden), and changes nothing', async () => {
    const before = readFileSync(join(home, 'practice.json'), 'utf8')
    const r = await runIn(home, ['practice', '--stats'], { env })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    // the shipped library grows: its size is checked here, not in the golden text
    const { loadLibrary } = await import('../src/library/library.js')
    const rules = loadLibrary().rules.length
    const head = `Practice on 2026-12-02: ${rules} rules to practise, 7 practised, ${rules - 7} never.\n`
    expect(r.stdout.startsWith(head)).toBe(true)
    const golden = join(fixtures, 'stats.txt')
    const body = r.stdout.slice(head.length)
    if (process.env.UPDATE_GOLDEN) writeFileSync(golden, body)
    expect(body).toBe(readFileSync(golden, 'utf8'))
    expect(readFileSync(join(home, 'practice.json'), 'utf8')).toBe(before)
    // a rule the history holds but the library no longer has is named so
    expect(r.stdout).toContain('(no longer in your library) [chain-rule]')
  })

  it('--json: the figures agree with the recorded log, counted here independently', async () => {
    const r = await runIn(home, ['practice', '--stats', '--json'], { env })
    const st = JSON.parse(r.stdout) as ReturnType<typeof practiceStats>
    const since = Date.parse('2026-11-03T00:00:00Z')
    const last30 = recorded.log.filter((l) => Date.parse(l.at) >= since)
    expect(st.retention).toEqual({ reviews: last30.length, right: last30.filter((l) => l.answer === 'right').length })
    expect(st.weeks.reduce((n, w) => n + w.reviews, 0)).toBe(recorded.log.filter((l) => Date.parse(l.at) >= Date.parse('2026-11-05T00:00:00Z')).length)
    const misses = new Map<string, number>()
    for (const l of recorded.log) if (l.answer !== 'right') misses.set(l.rule, (misses.get(l.rule) ?? 0) + 1)
    const most = Math.max(...misses.values())
    expect(st.missed[0]).toMatchObject({ misses: most })
    expect(st.missed.length).toBe(Math.min(5, misses.size))
    expect(st.days.at(-1)!.reviews).toBe(recorded.log.filter((l) => l.at.startsWith('2026-12-02')).length)
  })

  it('--tag narrows the rules counted; a broken practice file is exit 2 and left alone', async () => {
    const all = JSON.parse((await runIn(home, ['practice', '--stats', '--json'], { env })).stdout) as { rules: number }
    const some = JSON.parse((await runIn(home, ['practice', '--stats', '--json', '--tag', 'special-products'], { env })).stdout) as { rules: number }
    expect(some.rules).toBeLessThan(all.rules)
    const broken = tempHome()
    writeFileSync(join(broken, 'practice.json'), '{"format": "derive-practice/2", "cards": {}, "log": [{"rule": "x"}]}')
    const r = await runIn(broken, ['practice', '--stats'], { env })
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/^derive: error: practice file .* is broken \(at log\.0\.at/)
    const bad = await runIn(home, ['practice', '--stats'], { env: { DERIVE_NOW: 'soon' } })
    expect(bad.status).toBe(2)
  })
})

describe('derive practice --from: cards from the steps of your own derivations', () => {
  const homework = join(import.meta.dirname, 'fixtures', 'homework', 'gauss-mle.txt')

  it('a step one rule justifies is a card: both lines shown, "which rule justifies this step?", graded like any card', async () => {
    const { runScripted } = await import('./helpers/scripted.js')
    const home = tempHome()
    const due = JSON.parse((await runIn(home, ['practice', '--json', '--from', homework], { env: { DERIVE_NOW: NOW } })).stdout) as { rule: string }[]
    expect(due.length).toBeGreaterThan(0)
    const first = due[0]!.rule
    const r = await runScripted(home, ['practice', '--from', homework, '--new', '1'], ['s'], { DERIVE_NOW: NOW })
    expect(r.status).toBe(0)
    expect(r.asked).toEqual(['Which rule justifies this step? 1-4, s show me, q quit'])
    // line 4 of the homework follows line 3 by one rule: both lines are on the card
    const card = /\[card 1 of 1\] a step of yours, (.+) line (\d+)\n {2}(.+)\n {2}= (.+)\n/.exec(r.stdout)
    expect(card).not.toBeNull()
    const lineNo = Number(card![2])
    const text = readFileSync(homework, 'utf8').split('\n')
    const { parseExpr } = await import('../src/core/parse.js')
    const { print } = await import('../src/core/print.js')
    expect(card![4]).toBe(print(parseExpr(text[lineNo - 1]!.replace(/^\s*=/, ''))))
    expect(r.stdout).toContain(`[${first}]`)
    const saved = JSON.parse(readFileSync(join(home, 'practice.json'), 'utf8')) as { cards: Record<string, unknown>; log: { rule: string; answer: string }[] }
    expect(Object.keys(saved.cards)).toEqual([first])
    expect(saved.log).toEqual([expect.objectContaining({ rule: first, answer: 'shown' })])
  })

  it('a file with no step one rule justifies, or no file: exit 2 with one line', async () => {
    const home = tempHome()
    const plain = join(home, 'plain.txt')
    writeFileSync(plain, 'x + 1\n= 1 + x + 0\n')
    const none = await runIn(home, ['practice', '--json', '--from', plain], { env: { DERIVE_NOW: NOW } })
    expect(none.status).toBe(2)
    expect(none.stderr).toMatch(/^derive: error: no step of .*plain\.txt is justified by one rule of your library; derive check shows/)
    const missing = await runIn(home, ['practice', '--json', '--from', join(home, 'nope.txt')], { env: { DERIVE_NOW: NOW } })
    expect(missing.status).toBe(2)
    expect(missing.stderr.trim().split('\n')).toHaveLength(1)
  })
})
