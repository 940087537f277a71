// Conditions are if-else: the indicator ind(c), c ? a : b, piecewise, conditional sums; read from
// derive's notation, lecture notation and LaTeX, evaluated, said in words and written as code that runs.
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { evaluate } from '../src/core/evaluate.js'
import { ParseError, parseExpr } from '../src/core/parse.js'
import { print } from '../src/core/print.js'
import { compileRule } from '../src/core/rule.js'
import { compareExpressions, verifyRule } from '../src/core/verify.js'
import { codeParams, toCode } from '../src/render/code.js'
import { words } from '../src/render/explain.js'

const read = (text: string): string => print(parseExpr(text))

describe('notation', () => {
  it.each([
    ['ind(y[i] == 1)', 'ind(y[i] == 1)'],
    ['1{y_i = k} * x_i', 'ind(y[i] == k) * x[i]'],
    ['1{y_i = 1 and x_i > 0}', 'ind(y[i] == 1 & x[i] > 0)'],
    ['ind(a != b or not (c <= 2))', 'ind(a != b or not (c <= 2))'],
    ['a > b ? a : b^2', 'a > b ? a : b ^ 2'],
    ['piecewise(z > 0, z, z > -1, z^2, 0)', 'z > 0 ? z : z > -1 ? z ^ 2 : 0'],
    ['sum(x[i], i, 1, n, y[i] == 1)', 'sum(ind(y[i] == 1) * x[i], i, 1, n)'],
    ['ind(a < b <= c)', 'ind(a < b & b <= c)'],
    ['P(X > 0)', 'P(X > 0)'],
    ['\\sum_{i=1}^{n} \\mathbb{1}\\{y^{(i)} = 1\\} x^{(i)}', 'sum(ind(y[i] == 1) * x[i], i, 1, n)'],
    ['\\mathbf{1}\\{y_i = 0 \\land x_i \\geq 2\\}', 'ind(y[i] == 0 & x[i] >= 2)'],
    ['[\\![ y_i \\neq k ]\\!] + 1', 'ind(y[i] != k) + 1'],
    ['\\mathbb{1}\\{a < b \\lor \\neg a = 1\\}', 'ind(a < b or not (a == 1))'],
  ])('%s reads as %s', (text, want) => {
    expect(read(text)).toBe(want)
  })
  it('what it prints reads back to the same tree', () => {
    for (const t of ['a > b ? a : b ^ 2', 'ind(y[i] == 1 & x[i] > 0) * x[i]', 'z > 0 ? z : z > -1 ? z ^ 2 : 0', '(a > 0 ? 1 : 2) ? 3 : 4'.replace('(a > 0 ? 1 : 2) ? 3 : 4', 'ind(not (a > b))')]) {
      expect(print(parseExpr(print(parseExpr(t))))).toBe(print(parseExpr(t)))
    }
  })
  it.each([
    ['a > b + 1', 'ind(a > b + 1)'],
    ['(a > b) + 1', 'ind(a > b)'],
    ['ind(3)', 'needs a condition'],
    ['x = 1', 'derive why FROM TO'],
    ['piecewise(a > 0, 1)', 'piecewise takes'],
    ['a \\le b', 'comparison'],
  ])('%s is refused: %s', (text, msg) => {
    expect(() => parseExpr(text)).toThrow(ParseError)
    expect(() => parseExpr(text)).toThrow(msg)
  })
})

describe('evaluation', () => {
  const at = (text: string, scope: Record<string, number | number[]>) =>
    evaluate(
      parseExpr(text),
      new Map(Object.entries(scope).map(([k, v]) => [k, Array.isArray(v) ? { kind: 'array' as const, items: [0, ...v] } : v])),
    )
  it.each([
    ['ind(a == 1)', { a: 1 }, 1],
    ['ind(a == 1)', { a: 1.5 }, 0],
    ['a > b ? a : b^2', { a: 3, b: 2 }, 3],
    ['a > b ? a : b^2', { a: 1, b: 2 }, 4],
    ['x > 0 ? log(x) : 0', { x: -1 }, 0],
    ['sum(x[i], i, 1, n, y[i] == 1)', { n: 4, x: [1, 2, 3, 4], y: [1, 0, 1, 0] }, 4],
    ['sum(ind(y[i] == 0), i, 1, n)', { n: 4, y: [1, 0, 0, 0] }, 3],
    ['piecewise(z > 0, z, z > -1, z^2, 0)', { z: -0.5 }, 0.25],
    ['ind(a >= 1 and not (b < 0))', { a: 1, b: 0 }, 1],
  ])('%s at %j is %d', (text, scope, want) => {
    expect(at(text, scope)).toBe(want)
  })
})

describe('words', () => {
  it.each([
    ['ind(y[i] == k)', 'one if y sub i equals k, otherwise zero'],
    ['a > b ? a : b^2', 'a if a is greater than b, otherwise b squared'],
    ['ind(not (x <= 0))', 'one if x is more than 0, otherwise zero'],
    ['ind(y[i] == 0 and x[i] >= 2)', 'one if y sub i equals 0 and x sub i is at least 2, otherwise zero'],
  ])('%s', (text, want) => {
    expect(words(parseExpr(text))).toBe(want)
  })
})

// ---- code that runs, on random inputs, both branches of every condition -------------------------

type Arg = number | number[]
interface Case {
  expr: string
  /** random arguments; y entries are 0/1 labels so that y[i] == 1 holds for some i and not others */
  gen: (r: () => number) => Record<string, Arg>
  math: (a: Record<string, Arg>) => number
  /** the condition's truth at these arguments (to see both branches exercised) */
  branch: (a: Record<string, Arg>) => boolean
}

const labels = (r: () => number, n: number): number[] => Array.from({ length: n }, () => (r() < 0.5 ? 1 : 0))
const reals = (r: () => number, n: number): number[] => Array.from({ length: n }, () => Math.round((r() * 4 - 2) * 1000) / 1000)

const CASES: Case[] = [
  {
    expr: 'sum(ind(y[i] == 1) * x[i], i, 1, n)',
    gen: (r) => ({ n: 5, x: reals(r, 5), y: labels(r, 5) }),
    math: (a) => (a.x as number[]).reduce((s, v, i) => s + ((a.y as number[])[i] === 1 ? v : 0), 0),
    branch: (a) => (a.y as number[])[0] === 1,
  },
  {
    expr: 'a > b ? a : b^2',
    gen: (r) => ({ a: reals(r, 1)[0]!, b: reals(r, 1)[0]! }),
    math: (a) => ((a.a as number) > (a.b as number) ? (a.a as number) : (a.b as number) ** 2),
    branch: (a) => (a.a as number) > (a.b as number),
  },
  {
    expr: 'max(0, z)',
    gen: (r) => ({ z: reals(r, 1)[0]! }),
    math: (a) => Math.max(0, a.z as number),
    branch: (a) => (a.z as number) > 0,
  },
  {
    expr: 'sum(x[i], i, 1, n, y[i] == 0 and x[i] > 0) / sum(ind(y[i] == 0), i, 1, n) + ind(not (c <= 0))',
    gen: (r) => ({ c: reals(r, 1)[0]!, n: 6, x: reals(r, 6), y: [0, ...labels(r, 5)] }),
    math: (a) => {
      const x = a.x as number[]
      const y = a.y as number[]
      const top = x.reduce((s, v, i) => s + (y[i] === 0 && v > 0 ? v : 0), 0)
      return top / y.filter((v) => v === 0).length + ((a.c as number) > 0 ? 1 : 0)
    },
    branch: (a) => (a.c as number) > 0,
  },
  {
    expr: 'piecewise(z > 1, z - 0.5, z < -1, -z - 0.5, z^2 / 2)',
    gen: (r) => ({ z: reals(r, 1)[0]! * 1.5 }),
    math: (a) => {
      const z = a.z as number
      return z > 1 ? z - 0.5 : z < -1 ? -z - 0.5 : z ** 2 / 2
    },
    branch: (a) => Math.abs(a.z as number) > 1,
  },
]

/** A small seeded generator, so the random inputs are the same on every run. */
function rng(seed: number): () => number {
  let s = seed
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31
    return s / 2 ** 31
  }
}

const inputs = (c: Case): Record<string, Arg>[] => {
  const r = rng(7)
  return Array.from({ length: 40 }, () => c.gen(r))
}
const argList = (c: Case, a: Record<string, Arg>): Arg[] => codeParams(parseExpr(c.expr)).map((p) => a[p]!)
const hasPython = spawnSync('python3', ['--version']).status === 0

describe('generated code is an if-else and computes the formula', () => {
  it.each(CASES)('both branches are exercised: $expr', (c) => {
    const seen = new Set(inputs(c).map(c.branch))
    expect(seen.size).toBe(2)
  })
  it.each(CASES)('JavaScript: $expr', (c) => {
    const source = toCode(parseExpr(c.expr)).js
    expect(source).toMatch(/\bif \(/)
    const f = new Function(`${source}\nreturn f`)() as (...args: unknown[]) => number
    for (const a of inputs(c)) expect(f(...argList(c, a))).toBeCloseTo(c.math(a), 10)
  })
  it.skipIf(!hasPython)('Python: the same cases, run by python3', () => {
    const lines: string[] = []
    const want: number[] = []
    for (const c of CASES) {
      const source = toCode(parseExpr(c.expr)).python
      expect(source).toMatch(/\n\s+if /)
      lines.push(`ns = {}\nexec(${JSON.stringify(source)}, ns)`)
      for (const a of inputs(c)) {
        lines.push(`print(repr(ns['f'](${argList(c, a).map((v) => JSON.stringify(v)).join(', ')})))`)
        want.push(c.math(a))
      }
    }
    const r = spawnSync('python3', ['-c', lines.join('\n')], { encoding: 'utf8' })
    expect(r.status, r.stderr).toBe(0)
    const got = r.stdout.trim().split('\n').map(Number)
    expect(got).toHaveLength(want.length)
    got.forEach((v, k) => expect(v).toBeCloseTo(want[k]!, 10))
  })
  it('a conditional sum is a loop with an if inside', () => {
    expect(toCode(parseExpr('sum(ind(y[i] == 1) * x[i], i, 1, n)')).python).toBe(
      ['def f(n, x, y):', '    total = 0', '    for i in range(1, n + 1):', '        if y[i - 1] == 1:', '            total += x[i - 1]', '    return total'].join('\n'),
    )
  })
  it('only the branch taken is computed: x > 0 ? log(x) : 0 runs at x = -1', () => {
    const f = new Function(`${toCode(parseExpr('x > 0 ? log(x) : 0')).js}\nreturn f`)() as (x: number) => number
    expect(f(-1)).toBe(0)
  })
  it('an event (a bare symbol as condition) is not code', () => {
    expect(toCode(parseExpr('ind(A) + 1')).python).toMatch(/^# events/)
  })
})

// ---- the verifier and the judge: both branches of every condition --------------------------------

describe('checks compare both branches of every condition', () => {
  const check = (lhs: string, rhs: string, where: string[] = []) => verifyRule(compileRule({ id: 't', name: 't', lhs, rhs, where }, { pack: 'test', matrices: 'uppercase' }))
  it.each([
    ['ind(a or b)', 'ind(a) + ind(b) - ind(a and b)'],
    ['ind(c) ^ 2', 'ind(c)'],
    ['ind(c) + ind(not c)', '1'],
    ['ind(a and b)', 'ind(a) * ind(b)'],
    ['max(a, b)', 'a > b ? a : b'],
    ['max(a, b)', 'a >= b ? a : b'],
    ['relu(z)', 'z > 0 ? z : 0'],
    ['E(ind(X > 0))', 'P(X > 0)'],
  ])('verified: %s = %s', (lhs, rhs) => {
    expect(check(lhs, rhs).verdict).toBe('verified')
  })
  it.each([
    ['ind(a or b)', 'ind(a) + ind(b)'],
    ['ind(x >= 0)', 'ind(x > 0)'],
    ['max(a, b)', 'a > b ? b : a'],
    ['ind(y == 1)', 'ind(y == 2)'],
    ['x > 1 ? x : 1', 'x > 1 ? x : 0'],
  ])('refuted: %s = %s', (lhs, rhs) => {
    expect(check(lhs, rhs).verdict).toBe('refuted')
  })
  it('a tie (x >= 0 against x > 0) is found: compared values are sometimes drawn on the breakpoint', () => {
    const r = check('ind(x >= 0)', 'ind(x > 0)')
    expect(r.verdict === 'refuted' && r.counterexample.values.x).toBe(0)
  })
  it('sides compared on one branch only are not called equal', () => {
    // x ^ 2 + 1 > 0 always: its false branch is never met, so the 7 there is never compared
    const r = compareExpressions(parseExpr('x ^ 2 + 1 > 0 ? x : 7'), parseExpr('x'))
    expect(r.verdict).toBe('unknown')
    expect(r.verdict === 'unknown' && r.reason).toContain('other branch was never checked')
    expect(compareExpressions(parseExpr('ind(1 < 2)'), parseExpr('1')).verdict).toBe('equal')
  })
  it('a step that drops the indicator is not equal, with a counterexample (GDA phi and mu_0)', () => {
    expect(compareExpressions(parseExpr('sum(ind(y[i] == 1), i, 1, n) / n'), parseExpr('sum(1, i, 1, n) / n')).verdict).toBe('not-equal')
    const mu0 = 'sum(ind(y[i] == 0) * x[i], i, 1, n) / sum(ind(y[i] == 0), i, 1, n)'
    expect(compareExpressions(parseExpr(mu0), parseExpr('sum(x[i], i, 1, n) / n')).verdict).toBe('not-equal')
    expect(compareExpressions(parseExpr('sum(ind(y[i] == 1), i, 1, n) / n'), parseExpr('sum(ind(y[i] == 1) / n, i, 1, n)')).verdict).toBe('equal')
  })
  it('a comparison too close to call in floats is decided at high precision', () => {
    expect(compareExpressions(parseExpr('ind(3 * a * 0.1 == 3 * b / 10)'), parseExpr('ind(a == b)')).verdict).toBe('equal')
  })
})
