// derive step: the interactive loop driven in-process with scripted answers (each answer is checked
// against the prompt's own validation, as a real prompt would), saving and resuming, the saved
// format (SPEC §5) and its round trip, and the failures that must exit 2 with one line.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseChoice } from '../src/cli/step-loop.js'
import { add, call, type Expr, mul, neg, num, pow, sym } from '../src/core/expr.js'
import { parseExpr } from '../src/core/parse.js'
import { print } from '../src/core/print.js'
import { findFits } from '../src/core/rewrite.js'
import type { WhyResult } from '../src/core/why.js'
import { loadLibrary } from '../src/library/library.js'
import {
  apply,
  atGoal,
  BY_HAND,
  current,
  type Derivation,
  derivationText,
  fromJson,
  readDerivation,
  startDerivation,
  type Step,
  toJson,
  undo,
} from '../src/session/derivation.js'
import { typedSteps } from '../src/session/verify.js'
import { deriveProcess, tempHome } from './helpers/cli.js'
import { hasPty, runOnPty } from './helpers/pty.js'
import { runIn } from './helpers/run-with.js'
import { type Answer, runScripted, type Session } from './helpers/scripted.js'

/** derive step ARGS on a pretend terminal with scripted answers (see helpers/scripted.ts). */
const scripted = (home: string, args: string[], answers: Answer[]): Promise<Session> => runScripted(home, ['step', ...args], answers)

/** The number of the fit whose result is `result`, for the line the stepper shows last. */
const fitGiving =
  (result: string) =>
  (screen: string): string => {
    const line = /\[line \d+\] (.*?)  — \d+ fits?/g
    let last: string | undefined
    for (const m of screen.matchAll(line)) last = m[1]
    if (last === undefined) throw new Error(`no [line] on the screen:\n${screen}`)
    const fits = findFits(parseExpr(last), loadLibrary().rules)
    const k = fits.findIndex((f) => print(f.result) === result)
    if (k < 0) throw new Error(`no fit of ${last} gives ${result}`)
    return String(k + 1)
  }

interface SavedFile {
  format: string
  start: string
  goal?: string
  steps: { rule: string; direction: string; at: string; from: string; to: string; assumes: string[] }[]
}
const saved = (file: string): SavedFile => JSON.parse(readFileSync(file, 'utf8')) as SavedFile

describe('derive step, scripted', () => {
  it('log(x * y * z): two steps, undo one, another, the goal; saved after every step', async () => {
    const home = tempHome()
    const file = join(home, 'hw.json')
    const r = await scripted(home, ['log(x * y * z)', '--goal', 'log(x) + log(y) + log(z)', '--save', 'hw.json'], [
      fitGiving('log(x) + log(y * z)'),
      true,
      fitGiving('log(x * exp(log(y * z)))'),
      true,
      'u',
      fitGiving('log(x) + log(y) + log(z)'),
      true,
    ])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    // every question: choose, confirm; and nothing after the goal (the file was saved all along)
    expect(r.asked).toEqual([
      'Choose a fit (1-3), t type the next line, u undo, s save, q quit',
      'Apply this step?',
      'Choose a fit (1-4), t type the next line, u undo, s save, q quit',
      'Apply this step?',
      expect.stringMatching(/^Choose a fit/),
      expect.stringMatching(/^Choose a fit \(1-4\)/),
      'Apply this step?',
    ])
    expect(r.stdout).toContain('start: log(x * y * z)\ngoal:  log(x) + log(y) + log(z)\nsaving to hw.json after every step')
    // the preview: the rule, the subterm at its place, the result and the assumptions
    expect(r.stdout).toContain('log of a product [log-product] at .\n  log(x * y * z)  (at .)\n  → log(x) + log(y * z)\n  assumes x > 0, y * z > 0')
    expect(r.stdout).toContain('Undone; back at line 2: log(x) + log(y * z)')
    expect(r.stdout).toContain('Goal reached in 2 steps: log(x) + log(y) + log(z)')
    expect(saved(file)).toEqual({
      format: 'derive-derivation/1',
      start: 'log(x * y * z)',
      goal: 'log(x) + log(y) + log(z)',
      steps: [
        { rule: 'log-product', direction: 'forward', at: '.', from: 'log(x * y * z)', to: 'log(x) + log(y * z)', assumes: ['x > 0', 'y * z > 0'] },
        { rule: 'log-product', direction: 'forward', at: '1', from: 'log(x) + log(y * z)', to: 'log(x) + log(y) + log(z)', assumes: ['y > 0', 'z > 0'] },
      ],
    })
    // the version before the last save is kept
    expect(saved(`${file}.bak`).steps.map((s) => s.to)).toEqual(['log(x) + log(y * z)'])
  })

  it('quit asks to save when no file was given; --resume continues the file, reaches the goal and keeps a .bak', async () => {
    const home = tempHome()
    const first = await scripted(home, ['log(x * y * z)'], [fitGiving('log(x) + log(y * z)'), true, 'q', true, 'mine.json'])
    expect(first.status).toBe(0)
    expect(first.asked.slice(-2)).toEqual(['Save this derivation?', 'Save to file'])
    expect(first.stdout).toContain('Saved 1 step to mine.json')
    const file = join(home, 'mine.json')
    expect(saved(file).steps).toHaveLength(1)
    expect(saved(file).goal).toBeUndefined()

    const second = await scripted(home, ['--resume', 'mine.json', '--goal', 'log(x) + log(y) + log(z)'], [fitGiving('log(x) + log(y) + log(z)'), true])
    expect(second.stderr).toBe('')
    expect(second.status).toBe(0)
    expect(second.stdout).toContain('start: log(x * y * z)\n1 step so far, now at: log(x) + log(y * z)\ngoal:  log(x) + log(y) + log(z)')
    expect(second.stdout).toContain('Goal reached in 2 steps')
    expect(saved(file)).toMatchObject({ goal: 'log(x) + log(y) + log(z)', steps: [{ at: '.' }, { at: '1', to: 'log(x) + log(y) + log(z)' }] })
    expect(saved(`${file}.bak`).steps).toHaveLength(1)

    // resuming a derivation that is at its goal says so and asks nothing
    const third = await scripted(home, ['--resume', 'mine.json'], [])
    expect(third.status).toBe(0)
    expect(third.asked).toEqual([])
    expect(third.stdout).toContain('Goal reached in 2 steps')
  })

  it('a typed line: a chain of rules is recorded step by step (and undone as one), a wrong line is refused', async () => {
    const home = tempHome()
    const r = await scripted(home, ['diff(sin(x^2), x)', '--save', 'd.json'], [
      't',
      'cos(x^2) * 2 * x + 1',
      't',
      '2 * x * cos(x^2)',
      'u',
      't',
      '2 * x * cos(x^2)',
      'q',
    ])
    expect(r.status).toBe(0)
    expect(r.asked.filter((q) => q.startsWith('Next line'))).toHaveLength(3)
    expect(r.stdout).toMatch(/not equal\n\s+at x = /)
    expect(r.stdout).toContain('Not accepted: the line stays diff(sin(x ^ 2), x)')
    expect(r.stdout).toContain('Undone; back at line 1: diff(sin(x ^ 2), x)')
    const steps = saved(join(home, 'd.json')).steps
    expect(steps.map((s) => s.rule)).toEqual(['chain-sin', 'diff-power'])
    // the last line is the one typed, as typed
    expect(steps.map((s) => s.to)).toEqual(['cos(x ^ 2) * diff(x ^ 2, x)', '2 * x * cos(x ^ 2)'])
  })

  it('a typed line that only the numbers confirm is recorded by hand', async () => {
    const home = tempHome()
    const r = await scripted(home, ['sin(x)^4 - cos(x)^4', '--goal', 'sin(x)^2 - cos(x)^2', '--save', 'trig.json'], ['t', 'sin(x)^2 - cos(x)^2'])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('equal (agrees at 50 random points)')
    expect(saved(join(home, 'trig.json')).steps).toEqual([{ rule: BY_HAND, direction: 'forward', at: '.', from: 'sin(x) ^ 4 - cos(x) ^ 4', to: 'sin(x) ^ 2 - cos(x) ^ 2', assumes: [] }])
  })

  it('s saves to a file named then; an existing file is replaced only when confirmed; Ctrl+C with unsaved steps says so', async () => {
    const home = tempHome()
    writeFileSync(join(home, 'taken.json'), 'precious')
    const r = await scripted(home, ['log(x * y)'], ['s', 'taken.json', false, fitGiving('log(x) + log(y)'), true])
    expect(r.asked.slice(0, 3)).toEqual([expect.stringMatching(/^Choose/), 'Save to file', 'taken.json exists. Replace it (the old one is kept as .bak)?'])
    expect(readFileSync(join(home, 'taken.json'), 'utf8')).toBe('precious')
    // Ctrl+C with an unsaved step: it is kept in a recovery file (never over taken.json), exit 130
    expect(r.status).toBe(130)
    expect(r.stderr).toBe('\nderive: stopped; 1 step kept in derivation.recovered.json; continue with: derive step --resume derivation.recovered.json\n')
    expect(saved(join(home, 'derivation.recovered.json')).steps.map((x) => x.to)).toEqual(['log(x) + log(y)'])
    expect(readFileSync(join(home, 'taken.json'), 'utf8')).toBe('precious')
    const again = await scripted(home, ['--resume', 'derivation.recovered.json'], ['q'])
    expect(again.stdout).toContain('1 step so far, now at: log(x) + log(y)')
    expect(again.status).toBe(0)
    // a second recovery does not overwrite the first
    const r2 = await scripted(home, ['log(x * y)'], [fitGiving('log(x) + log(y)'), true])
    expect(r2.stderr).toContain('kept in derivation.recovered-2.json')
  })

  it('a save that fails is reported and the session goes on, still offering to save', async () => {
    const home = tempHome()
    writeFileSync(join(home, 'file'), 'a file, not a folder')
    const r = await scripted(home, ['log(x * y)', '--save', 'file/hw.json'], [fitGiving('log(x) + log(y)'), true, 'q', false])
    expect(r.stderr).toMatch(/^derive: not saved: cannot write file\/hw\.json: a part of the path is a file, not a folder\n$/)
    expect(r.stdout).toContain('= log(x) + log(y)')
    expect(r.asked.at(-1)).toBe('Save this derivation?')
    expect(r.status).toBe(0)
  })

  it('no rule fits: only the letters are offered; u at the start undoes nothing', async () => {
    const home = tempHome()
    const r = await scripted(home, ['q1'], ['u', 'q'])
    expect(r.asked[0]).toBe('No rule fits: t type the next line, u undo, s save, q quit')
    expect(r.stdout).toContain('Nothing to undo: this is the start.')
    expect(r.status).toBe(0)
  })

  it('the choice: a fit number in range or a letter', () => {
    expect(parseChoice(' 2 ', 3)).toEqual({ kind: 'fit', index: 1 })
    expect(parseChoice('4', 3)).toBeUndefined()
    expect(parseChoice('0', 3)).toBeUndefined()
    expect(parseChoice('U', 3)).toEqual({ kind: 'undo' })
    expect(parseChoice('quit', 0)).toEqual({ kind: 'quit' })
    expect(parseChoice('x', 3)).toBeUndefined()
  })
})

describe('derive step refuses, exit 2 with one line', () => {
  const brokenFiles: [string, string, RegExp][] = [
    ['not JSON', '{"format": ', /bad\.json: not valid JSON: .* at line 1, column 12/],
    ['another format', '{"format": "derive-rules/1", "start": "x", "steps": []}', /bad\.json: field "format": expected "derive-derivation\/1", found "derive-rules\/1"/],
    ['a bad expression', '{"format": "derive-derivation/1", "start": "log(x", "steps": []}', /bad\.json: field "start": cannot read "log\(x": .* at position 6/],
    ['a step without a direction', JSON.stringify({ format: 'derive-derivation/1', start: 'x', steps: [{ rule: 'r', at: '.', from: 'x', to: 'x', assumes: [] }] }), /field "steps\[0\]\.direction": expected "forward" or "reverse", found nothing/],
    ['steps not a list', JSON.stringify({ format: 'derive-derivation/1', start: 'x', steps: {} }), /field "steps": expected a list of steps, found an object/],
    [
      'a broken link',
      JSON.stringify({
        format: 'derive-derivation/1',
        start: 'log(x * y)',
        steps: [
          { rule: 'log-product', direction: 'forward', at: '.', from: 'log(x * y)', to: 'log(x) + log(y)', assumes: [] },
          { rule: 'log-product', direction: 'forward', at: '.', from: 'log(a * b)', to: 'log(a) + log(b)', assumes: [] },
        ],
      }),
      /field "steps\[1\]\.from": step 2 does not follow on: it starts from log\(a \* b\), but the line before it is log\(x\) \+ log\(y\)/,
    ],
  ]
  for (const [what, text, message] of brokenFiles) {
    it(`--resume a file with ${what}`, async () => {
      const home = tempHome()
      writeFileSync(join(home, 'bad.json'), text)
      const r = await scripted(home, ['--resume', 'bad.json'], [])
      expect(r.status).toBe(2)
      expect(r.stderr).toMatch(message)
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1)
      expect(r.asked).toEqual([])
    })
  }

  it('usage errors: no start, both a start and --resume, a missing file, --save over an existing file, a bad --goal', async () => {
    const home = tempHome()
    writeFileSync(join(home, 'there.json'), '{}')
    const cases: [string[], RegExp][] = [
      [[], /needs an expression to start from, or --resume FILE/],
      [['x', '--resume', 'there.json'], /either an expression or --resume FILE, not both/],
      [['--resume', 'missing.json'], /cannot read missing\.json: no such file/],
      [['log(x)', '--save', 'there.json'], /there\.json already exists; continue it with --resume there\.json/],
      [['log(x)', '--goal', 'log('], /cannot read --goal "log\(": .* at position 5/],
      [['log(x)', '--json'], /interactive and has no --json output/],
    ]
    for (const [args, message] of cases) {
      const r = await scripted(home, args, [])
      expect(r.status, args.join(' ')).toBe(2)
      const [first, ...detail] = r.stderr.trimEnd().split('\n')
      expect(first).toMatch(message)
      // on a terminal a parse error also shows the input with a caret under the position
      expect(detail).toEqual(args.includes('--goal') ? ['  log(', '      ^'] : [])
    }
  })

  it('without a terminal it does not wait for answers: exit 2 pointing to apply and check', async () => {
    const r = await runIn(tempHome(), ['step', 'log(x * y)'])
    expect(r.status).toBe(2)
    expect(r.stderr).toBe('derive: error: derive step asks questions, so it needs a terminal; in a script use derive apply EXPR RULE for one step, or derive check FILE for a whole derivation\n')
  })

  it('the built executable with piped stdin exits 2 at once', async () => {
    const r = await deriveProcess(['step', 'log(x * y)'], { env: { DERIVE_HOME: tempHome() }, input: '1\n' })
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/needs a terminal/)
  })
})

describe('derive step on a real pseudo-terminal (the built bin/derive.js, real inquirer prompts)', () => {
  it.skipIf(!hasPty)('picks a fit, previews it, applies it, undoes, types a line, reaches the goal; saved', async () => {
    const home = tempHome()
    const script = [
      ['Choose a fit (1-3)', '1\r'],
      ['Apply this step?', '\r'],
      ['Choose a fit (1-4)', 'u\r'],
      ['Choose a fit (1-3)', 't\r'],
      ['Next line', 'log(x) + log(y) + log(z\r'],
      ['expected at position', ')\r'],
    ]
    const args = ['step', 'log(x * y * z)', '--goal', 'log(z) + log(y) + log(x)', '--save', join(home, 'hw.json')]
    const r = await runOnPty(script as [string, string][], args, { DERIVE_HOME: home })
    expect(r.out).toContain('  → log(x) + log(y * z)')
    expect(r.out).toContain('Undone; back at line 1: log(x * y * z)')
    expect(r.out).toContain('Goal reached in 2 steps: log(x) + log(y) + log(z)')
    expect(r.status).toBe(0)
    expect(saved(join(home, 'hw.json')).steps.map((st) => st.rule)).toEqual(['log-product', 'log-product'])
  })
})

describe('derive step fits the terminal', () => {
  const logistic = 'log(prod(sigmoid(theta*x[i])^y[i]*(1 - sigmoid(theta*x[i]))^(1 - y[i]), i, 1, n))'

  it.skipIf(!hasPty)('on a 45-line terminal the whole fit list, the line and the question show at once; Ctrl+C keeps the steps', async () => {
    const home = tempHome()
    const script = [
      ['q quit', '1\r'],
      ['Apply this step?', '\r'],
      ['q quit', '\u0003'],
    ]
    const r = await runOnPty(script as [string, string][], ['step', logistic], { DERIVE_HOME: home, PTY_ROWS: '45', PTY_COLS: '100' }, home)
    const first = r.out.slice(0, r.out.indexOf('Choose a fit'))
    const screen = first.split(/\r?\n/)
    // everything from the start line to the question is one screen
    expect(screen.length).toBeLessThanOrEqual(45)
    const numbers = [...first.matchAll(/^ *(\d+)\. /gm)].map((m) => Number(m[1]))
    const total = Number(/— (\d+) fits/.exec(first)![1])
    expect(total).toBeGreaterThan(15)
    expect(numbers).toEqual(Array.from({ length: total }, (_, i) => i + 1))
    for (const line of screen) expect(line.length).toBeLessThanOrEqual(100)
    // the derivation so far stays in view above the next list
    const second = r.out.slice(r.out.indexOf('Apply this step?'))
    expect(second).toMatch(/start: log\(prod/)
    expect(second).toMatch(/= \[log-of-product\] sum\(log\(/)
    expect(r.status).toBe(130)
    expect(r.out).toContain('1 step kept in derivation.recovered.json; continue with: derive step --resume derivation.recovered.json')
    expect(saved(join(home, 'derivation.recovered.json')).steps.map((st) => st.rule)).toEqual(['log-of-product'])
  })

  it('a small terminal pages the list; /words filters it, n and p turn the pages', async () => {
    const home = tempHome()
    const r = await runScripted(home, ['step', logistic], ['n', '/sigmoid tanh', '/', 'q'], { LINES: '16', COLUMNS: '80' })
    const screens = r.stdout.split('[line 1]').slice(1)
    expect(screens[0]).toMatch(/— 20 fits, page 1\/\d+/)
    expect(screens[1]).toMatch(/page 2\/\d+/)
    expect(screens[2]).toContain('— 20 fits, 3 with "sigmoid tanh"')
    expect([...screens[2]!.matchAll(/^ *(\d+)\. sigmoid through tanh/gm)].length).toBe(3)
    expect(screens[3]).toMatch(/page 1\//)
    expect(r.asked[0]).toBe('Choose a fit (1-20), n/p next/previous page, /words filter, t type the next line, u undo, s save, q quit')
    for (const s of screens) for (const line of s.split('\n')) expect(line.length).toBeLessThanOrEqual(80)
    // each screen (header, list, question) fits the 16 lines
    for (const s of screens.slice(0, -1)) expect(s.trimEnd().split('\n').length + 1).toBeLessThanOrEqual(16)
  })

  it('advice in the stepper names only what the stepper has', async () => {
    const home = tempHome()
    const r = await scripted(home, ['sin(x)^4 - cos(x)^4'], ['t', 'sin(x)^2 - cos(x)^2', 'q', false])
    expect(r.stdout).toContain('equal (agrees at')
    expect(r.stdout).not.toContain('--depth')
  })
})

// ---- the model ------------------------------------------------------------------------------

const e = parseExpr
const stepOf = (rule: string, from: string, to: string, assumes: string[] = []): Step => ({ rule, direction: 'forward', at: '.', from: e(from), to: e(to), assumes })

describe('the derivation model', () => {
  it('apply, undo, current, atGoal (up to reordering and arithmetic)', () => {
    let d = startDerivation(e('log(x * y)'), e('log(y) + log(x)'))
    expect(atGoal(d)).toBe(false)
    d = apply(d, stepOf('log-product', 'log(x * y)', 'log(x) + log(y)'))
    expect(print(current(d))).toBe('log(x) + log(y)')
    expect(atGoal(d)).toBe(true)
    expect(atGoal(startDerivation(e('2 * 3 * x'), e('6 * x')))).toBe(true)
    expect(print(current(undo(d)))).toBe('log(x * y)')
    expect(undo(undo(d)).steps).toEqual([])
    expect(() => apply(d, stepOf('r', 'log(z)', 'z'))).toThrow(/starts from log\(z\), not from log\(x\) \+ log\(y\)/)
  })

  it('a typed line: rule steps from why, algebra, by hand, or refused', () => {
    const from = e('x + x')
    const to = e('2 * x')
    const algebra: WhyResult = { verdict: 'explained', steps: [{ kind: 'algebra', label: 'algebra: collect like terms', from, to, assumes: [] }], assumes: [], explored: 0 }
    expect(typedSteps(from, to, algebra)).toEqual([{ rule: 'algebra: collect like terms', direction: 'forward', at: '.', from, to, assumes: [] }])
    expect(typedSteps(from, e('x + x'), { verdict: 'explained', steps: [], assumes: [], explored: 0 })?.[0]?.rule).toBe('algebra: reorder')
    expect(typedSteps(e('2 * 3'), e('6'), { verdict: 'explained', steps: [], assumes: [], explored: 0 })?.[0]?.rule).toBe('algebra: arithmetic on numbers')
    expect(typedSteps(from, to, { verdict: 'equal-unexplained', points: 50, explored: 3 })?.[0]?.rule).toBe(BY_HAND)
    expect(typedSteps(from, to, { verdict: 'not-equal', counterexample: { values: { x: 1 }, from: 2, to: 3 }, explored: 3 })).toBeUndefined()
    expect(typedSteps(from, to, { verdict: 'unknown', reason: 'no', explored: 3 })).toBeUndefined()
  })

  it('the saved text is SPEC §5, with the fields in its order', () => {
    const d = apply(startDerivation(e('log(x * y)')), stepOf('log-product', 'log(x * y)', 'log(x) + log(y)', ['x > 0', 'y > 0']))
    expect(derivationText(d)).toBe(`{
  "format": "derive-derivation/1",
  "start": "log(x * y)",
  "steps": [
    {
      "rule": "log-product",
      "direction": "forward",
      "at": ".",
      "from": "log(x * y)",
      "to": "log(x) + log(y)",
      "assumes": [
        "x > 0",
        "y > 0"
      ]
    }
  ]
}
`)
    expect(readDerivation(derivationText(d), 'f.json')).toEqual(d)
  })

  // random expressions from derive's own constructors (so they are in its normal form)
  const expr: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => ({
    e: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.integer({ min: 0, max: 9 }).map(num),
      fc.constantFrom('x', 'y', 'z', 'A', 'B', 'sigma', 'theta').map(sym),
      fc.array(tie('e'), { minLength: 2, maxLength: 3 }).map(add),
      fc.array(tie('e'), { minLength: 2, maxLength: 3 }).map(mul),
      fc.tuple(tie('e'), fc.integer({ min: -3, max: 3 })).map(([b, k]) => pow(b, num(k))),
      tie('e').map(neg),
      fc.tuple(fc.constantFrom('log', 'exp', 'sigmoid', 'sqrt'), tie('e')).map(([f, a]) => call(f, [a])),
      tie('e').map((body) => call('sum', [body, sym('i'), num(1), sym('n')])),
      tie('e').map((a) => call("'", [a])),
    ),
  })).e

  /** Random derivations: each step's `from` is the previous line, as `derive step` makes them. */
  const derivation: fc.Arbitrary<Derivation> = fc
    .record({
      start: expr,
      goal: fc.option(expr, { nil: undefined }),
      steps: fc.array(
        fc.record({
          rule: fc.constantFrom('log-product', 'diff-power', BY_HAND, 'algebra: collect like terms'),
          direction: fc.constantFrom('forward' as const, 'reverse' as const),
          at: fc.constantFrom('.', '0', '1.0', '0,1'),
          to: expr,
          assumes: fc.array(fc.constantFrom('x > 0', 'y != 0', 'n is an integer'), { maxLength: 2 }),
        }),
        { maxLength: 4 },
      ),
    })
    .map(({ start, goal, steps }) => {
      // a line is kept as it reads back: the printed text is what the file stores
      const norm = (x: Expr): Expr => parseExpr(print(x))
      let d = startDerivation(norm(start), goal && norm(goal))
      for (const s of steps) d = apply(d, { ...s, from: current(d), to: norm(s.to) })
      return d
    })

  it('property: fromJson after toJson is the identity (through the file text too)', () => {
    fc.assert(
      fc.property(derivation, (d) => {
        expect(fromJson(toJson(d), 'p.json')).toEqual(d)
        expect(readDerivation(derivationText(d), 'p.json')).toEqual(d)
      }),
      { numRuns: 300 },
    )
  })

  it('a file written by hand: spaces and another order are fine, and the normalised JSON is SPEC order', () => {
    const text = `{"steps":[{"assumes":[],"to":"log(x)+log(y)","from":"log(x*y)","at":".","direction":"forward","rule":"log-product"}],"start":"log(x*y)","format":"derive-derivation/1","note":"mine"}`
    expect(toJson(readDerivation(text, 'f.json'))).toEqual({
      format: 'derive-derivation/1',
      start: 'log(x * y)',
      steps: [{ rule: 'log-product', direction: 'forward', at: '.', from: 'log(x * y)', to: 'log(x) + log(y)', assumes: [] }],
    })
  })
})
