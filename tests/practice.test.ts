// derive practice: the cards (an expression the rule fits, not its lhs verbatim), the distractors
// (rules that do not fit), the FSRS schedule and its file (round trip, broken file refused and left
// alone), and sessions driven in-process with scripted answers on a fixed clock (DERIVE_NOW).
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseAnswer } from '../src/cli/practice-loop.js'
import { parseExpr } from '../src/core/parse.js'
import { print } from '../src/core/print.js'
import { findFits } from '../src/core/rewrite.js'
import { compileRule, wildcardsOf } from '../src/core/rule.js'
import { loadLibrary } from '../src/library/library.js'
import {
  cardFor,
  choicesFor,
  concreteLhs,
  daySeed,
  distractors,
  emptyPractice,
  type Feeling,
  LEARN_AHEAD_MS,
  plan,
  type PracticeState,
  practiceText,
  readPractice,
  review,
} from '../src/session/practice.js'
import { tempHome } from './helpers/cli.js'
import { hasPty, runOnPty } from './helpers/pty.js'
import { runIn } from './helpers/run-with.js'
import { type Answer, runScripted, type Session } from './helpers/scripted.js'

const lib = loadLibrary()
const search = { matrices: lib.matrices }
const DAY = 86_400_000
const MONDAY = '2025-03-03T09:00:00.000Z'
const dayAfter = (iso: string, days: number): string => new Date(Date.parse(iso) + days * DAY).toISOString()

describe('cards', () => {
  it('every shipped rule has a card whose expression it fits, one of its examples, never its lhs verbatim', () => {
    for (const rule of lib.rules) {
      const card = cardFor(rule, search, daySeed(rule.id, new Date(MONDAY)))
      expect(card, rule.id).toBeDefined()
      expect(findFits(card!.prompt, [rule], search).length, rule.id).toBeGreaterThan(0)
      // (a pattern without wildcards, such as log(1), can only be shown as itself)
      if (wildcardsOf(rule.lhs, rule.literals).size > 0) {
        expect(print(card!.prompt), rule.id).not.toBe(print(rule.lhs))
        expect(print(card!.prompt), rule.id).not.toBe(rule.spec.lhs)
      }
      // an example unless every example is the lhs itself (then the lhs with other names)
      const examples = (rule.spec.examples ?? []).map((t) => print(parseExpr(t))).filter((t) => t !== print(rule.lhs))
      if (examples.length) expect(examples, rule.id).toContain(print(card!.prompt))
    }
  })

  it('a rule without examples shows its lhs with concrete names (and numbers where the rule wants one)', () => {
    const rule = compileRule({ id: 'mine', name: 'mine', lhs: 'log(a * b) + c ^ n', rhs: 'log(a) + log(b) + c ^ n', where: ['integer(n)'] }, { pack: 'yours', matrices: 'uppercase' })
    const card = cardFor(rule, search, 'seed')!
    expect(print(card.prompt)).toBe('log(x * y) + z ^ 2')
    expect(print(concreteLhs(compileRule({ id: 'v', name: 'v', lhs: "(A * x)'", rhs: "x' * A'" }, { pack: 'p', matrices: 'uppercase' })))).toBe("(B * y)'")
    // an example that is the lhs itself is passed over
    const same = compileRule({ id: 'same', name: 'same', lhs: 'exp(x + y)', rhs: 'exp(x) * exp(y)', examples: ['exp(x + y)'] }, { pack: 'p', matrices: 'uppercase' })
    expect(print(cardFor(same, search, 'seed')!.prompt)).toBe('exp(y + x)')
  })

  it('distractors never fit the expression, are three, differ from the answer; the choices hold the answer once', () => {
    for (const rule of lib.rules) {
      const seed = daySeed(rule.id, new Date(MONDAY))
      const card = cardFor(rule, search, seed)!
      const wrong = distractors(card, lib.rules, search, seed)
      expect(wrong, rule.id).toHaveLength(3)
      for (const d of wrong) expect(findFits(card.prompt, [d], search), `${rule.id} / ${d.id}`).toEqual([])
      expect(new Set(wrong.map((d) => d.name)).size).toBe(3)
      expect(wrong.map((d) => d.id)).not.toContain(rule.id)
      const choices = choicesFor(card, wrong, seed)
      expect(choices.filter((c) => c === rule)).toHaveLength(1)
    }
    // every shipped rule against every other: grows with the square of the packs' size
  }, 60_000)

  it('distractors come from the same pack first; layouts change from day to day but not within a day', () => {
    const rule = lib.rules.find((r) => r.id === 'log-product')!
    const seed = daySeed(rule.id, new Date(MONDAY))
    const card = cardFor(rule, search, seed)!
    expect(distractors(card, lib.rules, search, seed).every((d) => d.pack === rule.pack)).toBe(true)
    expect(daySeed(rule.id, new Date(dayAfter(MONDAY, 0.5)))).toBe(seed)
    const week = Array.from({ length: 7 }, (_, k) => daySeed(rule.id, new Date(dayAfter(MONDAY, k))))
    const layouts = new Set(week.map((s) => choicesFor(card, distractors(card, lib.rules, search, s), s).map((r) => r.id).join()))
    expect(layouts.size).toBeGreaterThan(1)
  })
})

describe('the schedule', () => {
  const now = new Date(MONDAY)

  it('a miss comes back sooner than a hard, a good and an easy answer, in that order', () => {
    const feelings: Feeling[] = ['again', 'hard', 'good', 'easy']
    const dues = feelings.map((f) => review(emptyPractice(), 'r', f, now).cards.get('r')!.due.getTime())
    expect([...dues].sort((a, b) => a - b)).toEqual(dues)
    expect(new Set(dues).size).toBe(4)
    expect(dues[0]).toBe(now.getTime() + DAY)
  })

  it('plan: due cards earliest first, then new ones in rule order up to the limit; cards due later wait', () => {
    let s = review(emptyPractice(), 'b', 'good', now)
    s = review(s, 'c', 'again', now)
    const tomorrow = new Date(now.getTime() + DAY)
    expect(plan(s, ['a', 'b', 'c', 'd', 'e'], now, 2).map((d) => d.rule)).toEqual(['a', 'd'])
    expect(plan(s, ['a', 'b', 'c', 'd', 'e'], tomorrow, 1).map((d) => [d.rule, d.state])).toEqual([
      ['c', 'review'],
      ['a', 'new'],
    ])
    // a card due tomorrow at 9 counts as due from 3 in the morning, not before
    expect(plan(s, ['c'], new Date(tomorrow.getTime() - LEARN_AHEAD_MS), 0).map((d) => d.rule)).toEqual(['c'])
    expect(plan(s, ['c'], new Date(tomorrow.getTime() - LEARN_AHEAD_MS - 1), 0)).toEqual([])
  })

  it('save then load is the identity, for any history of reviews', () => {
    const history = fc.array(fc.record({ rule: fc.constantFrom('a', 'b', 'log-product'), feeling: fc.constantFrom<Feeling>('again', 'hard', 'good', 'easy'), hours: fc.integer({ min: 0, max: 24 * 40 }) }), { maxLength: 12 })
    fc.assert(
      fc.property(history, (steps) => {
        let s: PracticeState = emptyPractice()
        let t = now.getTime()
        for (const st of steps) {
          t += st.hours * 3_600_000
          s = review(s, st.rule, st.feeling, new Date(t))
        }
        const back = readPractice(practiceText(s))
        expect(back).toEqual(s)
        expect(practiceText(back as PracticeState)).toBe(practiceText(s))
      }),
    )
  })

  it('the file: format and ISO dates; a file that is not one says where', () => {
    const text = practiceText(review(emptyPractice(), 'log-product', 'good', now))
    const json = JSON.parse(text) as { format: string; cards: Record<string, { due: string; last_review: string; state: number }> }
    expect(json.format).toBe('derive-practice/2')
    expect(json.cards['log-product']).toMatchObject({ due: '2025-03-06T09:00:00.000Z', last_review: MONDAY, state: 2 })
    expect(readPractice('{')).toMatchObject({ problem: expect.stringMatching(/^not JSON/) })
    expect(readPractice('{"format":"derive-practice/3","cards":{}}')).toMatchObject({ problem: expect.stringMatching(/^at format/) })
    expect(readPractice(text.replace('2025-03-06T09:00:00.000Z', 'soon'))).toMatchObject({ problem: expect.stringMatching(/^at cards\.log-product\.due/) })
    expect(readPractice('{"format":"derive-practice/1","cards":{"Bad Id":{}}}')).toHaveProperty('problem')
  })

  it('the answer: a choice in range, s, or q', () => {
    expect(parseAnswer(' 2 ', 4)).toBe(1)
    expect(parseAnswer('S', 4)).toBe('show')
    expect(parseAnswer('quit', 4)).toBe('quit')
    expect(parseAnswer('5', 4)).toBeUndefined()
    expect(parseAnswer('0', 4)).toBeUndefined()
  })
})

// ---- sessions ------------------------------------------------------------------------------------

const TAG = 'special-products'
const practice = (home: string, now: string, args: string[], answers: Answer[]): Promise<Session> =>
  runScripted(home, ['practice', ...args], answers, { DERIVE_NOW: now })

/** The last card's choices on the screen: number -> rule name. */
function choicesOnScreen(screen: string): Map<string, string> {
  const block = screen.slice(screen.lastIndexOf('[card '))
  return new Map([...block.matchAll(/^ +(\d+)\. (.+)$/gm)].map((m) => [m[2]!, m[1]!]))
}
const nameOf = (id: string): string => lib.rules.find((r) => r.id === id)!.name
/** Pick the card's rule. */
const rightAnswer = (id: string) => (screen: string): string => choicesOnScreen(screen).get(nameOf(id))!
/** Pick any other rule. */
const wrongAnswer = (id: string) => (screen: string): string => [...choicesOnScreen(screen)].find(([name]) => name !== nameOf(id))![1]

interface Saved {
  format: string
  cards: Record<string, { due: string; state: number; reps: number; lapses: number }>
}
const saved = (home: string): Saved => JSON.parse(readFileSync(join(home, 'practice.json'), 'utf8')) as Saved

describe('derive practice, scripted', () => {
  it('a session: right, wrong, right; saved after each card; the miss is due first; the next day only it comes back', async () => {
    const home = tempHome()
    const due = JSON.parse((await runIn(home, ['practice', '--json', '--tag', TAG], { env: { DERIVE_NOW: MONDAY } })).stdout) as { rule: string }[]
    const [a, b, c] = due.map((d) => d.rule) as [string, string, string]
    expect(due).toHaveLength(3)
    const r = await practice(home, MONDAY, ['--tag', TAG], [rightAnswer(a), 'g', wrongAnswer(b), rightAnswer(c), 'e'])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.asked).toEqual([
      'Which rule applies? 1-4, s show me, q quit',
      'How did it feel? h hard, g good, e easy, q quit',
      'Which rule applies? 1-4, s show me, q quit',
      'Which rule applies? 1-4, s show me, q quit',
      'How did it feel? h hard, g good, e easy, q quit',
    ])
    expect(r.stdout).toContain('3 cards to practise (3 new)')
    expect(r.stdout).toContain(`Right.\n  ${nameOf(a)} [${a}]`)
    expect(r.stdout).toMatch(/Not this one: .+ does not fit it\. The answer:/)
    expect(r.stdout).toContain('Counted as "again".\nNext time: tomorrow.')
    expect(r.stdout).toContain('Practised 3 cards, 2 right. The next card is due tomorrow (2025-03-04).')
    // the card's expression is shown and the step the rule makes on it
    const card = cardFor(lib.rules.find((x) => x.id === a)!, search, daySeed(a, new Date(MONDAY)))!
    expect(r.stdout).toContain(`  ${print(card.prompt)}\n`)
    expect(r.stdout).toContain(`${print(card.fit.subterm)} → ${print(card.fit.replacement)}`)
    const s = saved(home)
    expect(s.format).toBe('derive-practice/2')
    expect(Object.keys(s.cards).sort()).toEqual([a, b, c].sort())
    expect(Date.parse(s.cards[b]!.due)).toBeLessThan(Date.parse(s.cards[a]!.due))
    expect(Date.parse(s.cards[a]!.due)).toBeLessThan(Date.parse(s.cards[c]!.due))
    // the version before the last card was saved is kept
    expect(Object.keys((JSON.parse(readFileSync(join(home, 'practice.json.bak'), 'utf8')) as Saved).cards)).toHaveLength(2)

    const tuesday = dayAfter(MONDAY, 1)
    const json = await runIn(home, ['practice', '--json', '--tag', TAG], { env: { DERIVE_NOW: tuesday } })
    expect(JSON.parse(json.stdout)).toEqual([{ rule: b, due: tuesday, state: 'review' }])
    const next = await practice(home, tuesday, ['--tag', TAG], [rightAnswer(b), 'g'])
    expect(next.stdout).toContain('1 card to practise (0 new)')
    expect(next.stdout.match(/\[card /g)).toHaveLength(1)
    expect(next.stdout).toContain(`Right.\n  ${nameOf(b)} [${b}]`)
    expect(saved(home).cards[b]).toMatchObject({ reps: 2, lapses: 0 })
    const again = await practice(home, tuesday, ['--tag', TAG], [])
    expect(again.stdout).toContain('Nothing to practise now. The next card is due in 2 days (2025-03-06).')
    expect(again.asked).toEqual([])
  })

  it('s shows the answer and counts as again; q quits keeping what was answered; Ctrl+C too', async () => {
    const home = tempHome()
    const r = await practice(home, MONDAY, ['--tag', TAG], ['s', 'q'])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('The answer:\n')
    expect(r.stdout).toContain('Practised 1 card, 0 right.')
    expect(Object.values(saved(home).cards).map((c) => c.lapses)).toEqual([0])
    expect(Object.keys(saved(home).cards)).toHaveLength(1)
    const home2 = tempHome()
    const stopped = await practice(home2, MONDAY, ['--tag', TAG, '--new', '2'], ['s'])
    expect(stopped.status).toBe(0)
    expect(stopped.stderr).toBe('\nderive: stopped; the 1 card answered so far are saved\n')
    expect(Object.keys(saved(home2).cards)).toHaveLength(1)
  })

  it('--new limits the new cards of a session; --tag and --pack choose the rules', async () => {
    const home = tempHome()
    const env = { DERIVE_NOW: MONDAY }
    const list = async (args: string[]): Promise<string[]> => (JSON.parse((await runIn(home, ['practice', '--json', ...args], { env })).stdout) as { rule: string }[]).map((d) => d.rule)
    const tagged = lib.rules.filter((r) => r.spec.tags?.includes(TAG)).map((r) => r.id)
    expect(await list(['--tag', TAG])).toEqual(tagged)
    expect(await list(['--tag', TAG, '--new', '1'])).toEqual(tagged.slice(0, 1))
    expect(await list(['--pack', 'logs', '--new', '100'])).toEqual(lib.rules.filter((r) => r.pack === 'logs').map((r) => r.id))
    expect(await list([])).toHaveLength(10)
    const r = await practice(home, MONDAY, ['--tag', TAG, '--new', '1'], [rightAnswer(tagged[0]!), 'h'])
    expect(r.stdout).toContain('1 card to practise (1 new)')
  })

  it('your own rules come first, and a rule without examples is drilled on its lhs made concrete', async () => {
    const home = tempHome()
    const mine = { format: 'derive-rules/1', name: 'mine', rules: [{ id: 'my-rule', name: 'my rule', lhs: 'f(a) + f(b)', rhs: 'f(a + b)', tags: ['mine'] }] }
    writeFileSync(join(home, 'library.json'), JSON.stringify(mine))
    const env = { DERIVE_NOW: MONDAY }
    expect(JSON.parse((await runIn(home, ['practice', '--json', '--new', '1'], { env })).stdout)).toEqual([{ rule: 'my-rule', due: MONDAY, state: 'new' }])
    const r = await practice(home, MONDAY, ['--tag', 'mine'], ['s', 'q'])
    expect(r.stdout).toContain('  f(x) + f(y)\n')
  })
})

describe('derive practice, failures', () => {
  it('a broken practice.json: exit 2, one line naming the file and how to restore it; the bytes unchanged', async () => {
    const home = tempHome()
    const file = join(home, 'practice.json')
    const broken = '{"format": "derive-practice/1", "cards": {"log-product": {"due": "tomorrow"'
    writeFileSync(file, broken)
    for (const r of [await runIn(home, ['practice', '--json'], { env: { DERIVE_NOW: MONDAY } }), await practice(home, MONDAY, [], ['1'])]) {
      expect(r.status).toBe(2)
      expect(r.stdout).toBe('')
      const lines = r.stderr.trimEnd().split('\n')
      expect(lines).toHaveLength(1)
      expect(lines[0]).toContain(`practice file ${file} is broken (not JSON`)
      expect(lines[0]).toContain(`mv "${file}" "${file}.broken"`)
    }
    expect(readFileSync(file, 'utf8')).toBe(broken)
    writeFileSync(`${file}.bak`, practiceText(emptyPractice()))
    const withBak = await runIn(home, ['practice', '--json'], { env: { DERIVE_NOW: MONDAY } })
    expect(withBak.stderr).toContain(`cp "${file}.bak" "${file}"`)
    expect(readFileSync(file, 'utf8')).toBe(broken)
  })

  it('without a terminal: exit 2 pointing to --json, nothing written', async () => {
    const home = tempHome()
    const r = await runIn(home, ['practice'], { env: { DERIVE_NOW: MONDAY } })
    expect(r.status).toBe(2)
    expect(r.stderr).toBe('derive: error: derive practice asks questions, so it needs a terminal; in a script use derive practice --json for the list of due cards\n')
    expect(existsSync(join(home, 'practice.json'))).toBe(false)
  })

  it('usage errors: an unknown tag, a bad --new, a bad DERIVE_NOW', async () => {
    const home = tempHome()
    const cases: [string[], Record<string, string>, string][] = [
      [['--tag', 'nope'], {}, 'no rule has the tag "nope"'],
      [['--new', 'many'], {}, '--new takes a whole number'],
      [[], { DERIVE_NOW: 'monday' }, 'DERIVE_NOW="monday" is not a date'],
    ]
    for (const [args, env, message] of cases) {
      const r = await runIn(home, ['practice', '--json', ...args], { env: { DERIVE_NOW: MONDAY, ...env } })
      expect(r.status).toBe(2)
      expect(r.stderr).toContain(message)
    }
  })
})

describe('derive practice on a real terminal', () => {
  it.skipIf(!hasPty)('shows a card, takes an answer and a feeling, quits; the review is saved', async () => {
    const home = tempHome()
    const script = [
      ['Which rule applies?', 's\r'],
      ['Which rule applies?', 'q\r'],
    ]
    const r = await runOnPty(script as [string, string][], ['practice', '--tag', TAG], { DERIVE_HOME: home, DERIVE_NOW: MONDAY })
    expect(r.out).toContain('[card 1 of 3]')
    expect(r.out).toContain('Counted as "again".')
    expect(r.out).toContain('Practised 1 card, 0 right.')
    expect(r.status).toBe(0)
    expect(Object.keys(saved(home).cards)).toHaveLength(1)
  })
})
