// Attack the CLI entry point with generated and mutated input (issue 12): whatever a student
// pastes, derive answers with exit status 0, 1 or 2 and never an internal error. Fixed seeds;
// a failure prints the seed, the path and the shrunk input so it can be replayed.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { derive } from './helpers/cli.js'

// Names a lookup table keyed by user text must not mistake for its own entries.
const HOSTILE = ['constructor', 'toString', 'valueOf', '__proto__', 'hasOwnProperty', 'prototype', 'isPrototypeOf', '__defineGetter__', 'then']
const SYMBOLS = ['x', 'y', 'z', 'n', 'i', 'j', 'k', 'theta', 'mu', 'sigma', 'A', 'X', 'w', 'b', 'e', 'pi', 'eps', ...HOSTILE]
const FUNCTIONS = ['log', 'exp', 'sin', 'cos', 'sqrt', 'abs', 'sigmoid', 'softplus', 'det', 'inv', 'trace', 'E', 'Var', 'P', 'f', 'g', ...HOSTILE]
const BINDERS = ['sum', 'prod', 'int']
const LATEX = ['\\frac{a}{b}', '\\sum_{i=1}^{n} x_i', '\\log', '\\exp', '\\sqrt{x}', '\\left(', '\\right)', '\\cdot', '\\mathbb{E}', '\\theta^\\top', '\\hat{y}', '\\nabla_\\theta', '\\partial', '\\{', '\\}', '_', '^', '&', '\\\\', '\\constructor', '\\toString{x}', '\\__proto__', '\\valueOf', '\\begin{pmatrix}', '\\end{pmatrix}']

// A grammar of expressions in derive's notation (and some lecture notation), hostile names included.
const { expr } = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...SYMBOLS),
    fc.oneof(fc.integer({ min: -20, max: 10 ** 6 }).map(String), fc.constantFrom('0', '0.5', '1e-9', '10000000000000000', '1/0')),
    fc.tuple(tie('expr'), fc.constantFrom('+', '-', '*', '/', '^', ' == ', ' < '), tie('expr')).map(([a, op, b]) => `(${a})${op}(${b})`),
    fc.tuple(fc.constantFrom(...FUNCTIONS), fc.array(tie('expr'), { minLength: 1, maxLength: 3 })).map(([f, xs]) => `${f}(${xs.join(', ')})`),
    fc.tuple(fc.constantFrom(...BINDERS), tie('expr'), fc.constantFrom('i', 'k', 'x', 'constructor')).map(([b, body, v]) => `${b}(${body}, ${v}, 1, n)`),
    fc.tuple(fc.constantFrom('diff'), tie('expr'), fc.constantFrom('x', 'theta', 'w', 'x[j]')).map(([d, f, v]) => `${d}(${f}, ${v})`),
    tie('expr').map((a) => `-${a}`),
    tie('expr').map((a) => `(${a})'`),
    fc.tuple(fc.constantFrom('x', 'w', 'X'), fc.constantFrom('i', 'j', '1', 'i+1', 'constructor')).map(([a, i]) => `${a}[${i}]`),
  ),
}))

// Real material from ML notes, then broken the way copying and typing break it.
const fixtures = join(import.meta.dirname, 'fixtures')
const steps = JSON.parse(readFileSync(join(fixtures, 'steps.json'), 'utf8')) as { from: string; to: string }[]
const latex = JSON.parse(readFileSync(join(fixtures, 'latex.json'), 'utf8')) as { latex: string }[]
const REAL = [...steps.flatMap((s) => [s.from, s.to]), ...latex.map((l) => l.latex)]
const NOISE = ['(', ')', '[', ']', '{', '}', ',', "'", '^', '_', '\\', '|', '!', '?', ':', ';', '=', '−', '·', '∑', 'θ', '\u0000', '\u202e', '\ufeff', ' ', '$', '%', '#', '"', '`', ...HOSTILE]

const mutation = fc.oneof(
  fc.tuple(fc.nat(), fc.constantFrom(...NOISE)).map(([at, t]) => (s: string) => s.slice(0, at % (s.length + 1)) + t + s.slice(at % (s.length + 1))),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 6 })).map(([at, n]) => (s: string) => s.slice(0, at % (s.length + 1)) + s.slice((at % (s.length + 1)) + n)),
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => (s: string) => s.slice(0, Math.min(a, b) % (s.length + 1)) + s.slice(Math.max(a, b) % (s.length + 1)) + s.slice(0, Math.min(a, b) % (s.length + 1))),
  fc.nat().map((at) => (s: string) => s.slice(0, at % (s.length + 1))),
)
const mutated = fc.tuple(fc.constantFrom(...REAL), fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([s, ms]) => ms.reduce((acc, m) => m(acc), s))
const latexish = fc.array(fc.oneof(fc.constantFrom(...LATEX), fc.constantFrom(...SYMBOLS)), { minLength: 1, maxLength: 8 }).map((xs) => xs.join(' '))

type Outcome = { status: number; stderr: string; ms: number }
const run = async (args: string[]): Promise<Outcome> => {
  const t0 = performance.now()
  const r = await derive(args)
  return { status: r.status, stderr: r.stderr, ms: performance.now() - t0 }
}

// A hang guard, far above any honest run (the commands stop themselves within seconds); it is
// there so a run that never ends fails with its input instead of timing the whole suite out.
const HANG_MS = 30_000

function sound(o: Outcome, args: string[]): void {
  const where = JSON.stringify(args).slice(0, 300)
  expect([0, 1, 2], `exit status ${o.status} for ${where}`).toContain(o.status)
  expect(o.stderr, `internal error for ${where}`).not.toMatch(/internal error|Maximum call stack|TypeError|RangeError/)
  // one error line (notes on how the input was read may stand before it)
  if (o.status === 2) expect(o.stderr.split('\n').filter((l) => l.startsWith('derive: error')), `one error line for ${where}: ${o.stderr}`).toHaveLength(1)
  expect(o.ms, `took ${Math.round(o.ms)} ms: ${where}`).toBeLessThan(HANG_MS)
}

// Commands that read one expression, and how they are called.
const ONE: ((e: string) => string[])[] = [
  (e) => ['match', '--', e],
  (e) => ['explain', '--', e],
  (e) => ['explain', '--code', 'python', '--', e],
  (e) => ['explain', '--code', 'js', '--', e],
  (e) => ['match', '--latex', '--', e],
  (e) => ['apply', '--', e, 'log-product'],
]

const budget = { numRuns: 0, seed: 0 }
const property = (inputs: fc.Arbitrary<string>, seed: number, numRuns: number) => {
  budget.numRuns += numRuns
  return fc.assert(
    fc.asyncProperty(inputs, fc.nat(ONE.length - 1), async (e, k) => {
      const args = ONE[k]!(e)
      sound(await run(args), args)
    }),
    { seed, numRuns, endOnFailure: true },
  )
}

describe('fuzz: the CLI entry point under generated and mutated input', () => {
  it('generated expressions (seed 7)', () => property(expr, 7, 700), 600_000)
  it('real lines from notes, mutated (seed 8)', () => property(mutated, 8, 700), 600_000)
  it('LaTeX fragments (seed 9)', () => property(latexish, 9, 400), 600_000)
  it('why on pairs of generated lines (seed 10)', async () => {
    budget.numRuns += 200
    await fc.assert(
      fc.asyncProperty(fc.oneof(expr, mutated), fc.oneof(expr, mutated), async (a, b) => {
        const args = ['why', '--depth', '2', '--', a, b]
        sound(await run(args), args)
      }),
      { seed: 10, numRuns: 200, endOnFailure: true },
    )
  }, 600_000)
  it('at least 2,000 inputs in all', () => expect(budget.numRuns).toBeGreaterThanOrEqual(2000))
})

describe('fuzz: huge input within and beyond the limits', () => {
  const huge: [string, string][] = [
    ['5,000-term sum', Array.from({ length: 5000 }, () => 'a').join(' + ')],
    ['200-term difference', Array.from({ length: 200 }, () => 'x').join(' - ')],
    ['primes', `x${"'".repeat(5000)}`],
    ['indices', `x${'[i]'.repeat(3000)}`],
    ['minus signs', `${'-'.repeat(5000)}x`],
    ['divisions', Array.from({ length: 5000 }, () => 'x').join('/')],
    ['tower of powers', Array.from({ length: 5000 }, () => 'x').join('^')],
    ['parentheses', `${'('.repeat(5000)}x${')'.repeat(5000)}`],
    ['calls', `${'log('.repeat(5000)}x${')'.repeat(5000)}`],
    ['LaTeX fractions', `${'\\frac{1}{'.repeat(3000)}x${'}'.repeat(3000)}`],
    ['200 KB', 'x + '.repeat(50_000) + 'x'],
  ]
  it.each(huge)('%s: an answer or one clear error, in bounded time', async (_name, e) => {
    for (const args of [['match', '--', e], ['explain', '--', e], ['why', '--', e, 'x']]) sound(await run(args), args)
  }, 600_000)
})
