// Numeric verification: rules verified or refuted at random points, and lecture lines compared.
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type EvalContext, EvalError, evaluate, matrix, type Value } from '../src/core/evaluate.js'
import { parseExpr } from '../src/core/parse.js'
import { compileRule, type Rule } from '../src/core/rule.js'
import { close, compareExpressions, verifyRule } from '../src/core/verify.js'

const rule = (lhs: string, rhs: string, where: string[] = [], extra: { kind?: 'rule' | 'definition'; types?: Record<string, string>; literals?: string[] } = {}): Rule =>
  compileRule({ id: 'r', name: 'r', lhs, rhs, where, ...extra }, { pack: 'test', matrices: 'uppercase' })

const ev = (text: string, scope: Record<string, Value> = {}, ctx: EvalContext = {}): Value => evaluate(parseExpr(text), new Map(Object.entries(scope)), ctx)

describe('evaluate', () => {
  const A = matrix([
    [1, 2],
    [3, 4],
  ])
  const B = matrix([
    [0, 1],
    [1, 0],
  ])
  const cases: { text: string; scope?: Record<string, Value>; want: Value }[] = [
    { text: '2 + 3 * 4 ^ 2', want: 50 },
    { text: 'a - b / 2', scope: { a: 1, b: 4 }, want: -1 },
    { text: 'log(8, 2) + log(e) + exp(0)', want: 5 },
    { text: 'sigmoid(0) + relu(-2) + softplus(0)', want: 0.5 + Math.log(2) },
    { text: 'max(1, 5, 3) - min(2, -1)', want: 6 },
    { text: '4! + factorial(3)', want: 30 },
    { text: 'A * B', scope: { A, B }, want: matrix([[2, 1], [4, 3]]) },
    { text: "A'", scope: { A }, want: matrix([[1, 3], [2, 4]]) },
    { text: 'inv(A) * A', scope: { A }, want: matrix([[1, 0], [0, 1]]) },
    { text: 'A ^ -1 - inv(A)', scope: { A }, want: matrix([[0, 0], [0, 0]]) },
    { text: 'det(A) + trace(A)', scope: { A }, want: 3 },
    { text: 'sum(x[i], i, 1, n)', scope: { x: { kind: 'array', items: [0, 1, 2, 3, 4] }, n: 3 }, want: 6 },
    // a list has an entry 0: x[0] is items[0]
    { text: 'x[0] + x[1]', scope: { x: { kind: 'array', items: [5, 1, 2] } }, want: 6 },
    { text: 'prod(i, i, 1, 5)', want: 120 },
    { text: 'sum(i, i, 3, 2)', want: 0 },
    { text: 'diff(x ^ 3, x)', scope: { x: 2 }, want: 12 },
    { text: 'diff(sin(x), x, 2)', scope: { x: 1 }, want: -Math.sin(1) },
    { text: 'int(x ^ 2, x, 0, 3)', want: 9 },
    { text: 'int(abs(x), x, -1, 1)', want: 1 },
  ]
  for (const c of cases) {
    it(c.text, () => {
      const got = ev(c.text, c.scope)
      expect(close(got, c.want, 1e-7), `${JSON.stringify(got)} vs ${JSON.stringify(c.want)}`).toBe(true)
    })
  }

  it('gradient of a scalar with respect to a vector is a column', () => {
    const x = matrix([[1], [2], [3]])
    expect(close(ev("diff(x' * x, x)", { x }), matrix([[2], [4], [6]]), 1e-7)).toBe(true)
  })

  it('probability on a finite space, with conditioning', () => {
    const space = [0.1, 0.2, 0.3, 0.4]
    const scope: Record<string, Value> = {
      X: { kind: 'rv', at: [1, 2, 3, 4] },
      A: { kind: 'event', at: [true, true, false, false] },
      B: { kind: 'event', at: [false, true, true, false] },
    }
    expect(ev('E(X)', scope, { space })).toBeCloseTo(3)
    expect(ev('Var(X)', scope, { space })).toBeCloseTo(1)
    expect(ev('P(A and B)', scope, { space })).toBeCloseTo(0.2)
    expect(ev('P(A | B)', scope, { space })).toBeCloseTo(0.4)
    expect(ev('P(not A or B)', scope, { space })).toBeCloseTo(0.9)
    expect(ev('E(X | A)', scope, { space })).toBeCloseTo(5 / 3)
  })

  it('definitions unfold', () => {
    const logit = rule('logit(p)', 'log(p / (1 - p))', [], { kind: 'definition' })
    expect(ev('logit(0.5) + logit(0.75)', {}, { definitions: [logit] })).toBeCloseTo(Math.log(3))
  })

  const failures: { text: string; scope?: Record<string, Value>; undefinedHere: boolean; reason: RegExp }[] = [
    { text: 'log(-1)', undefinedHere: true, reason: /log\(-1\) is undefined/ },
    { text: '1 / (x - x)', scope: { x: 1 }, undefinedHere: true, reason: /division by zero/ },
    { text: 'x[5]', scope: { x: { kind: 'array', items: [1, 2] } }, undefinedHere: true, reason: /out of range/ },
    { text: 'int(x, x)', undefinedHere: false, reason: /indefinite integral/ },
    { text: 'f(x)', scope: { x: 1 }, undefinedHere: false, reason: /unknown function "f"/ },
    { text: 'y + 1', undefinedHere: false, reason: /no value for "y"/ },
  ]
  for (const c of failures) {
    it(`fails: ${c.text}`, () => {
      try {
        ev(c.text, c.scope)
        expect.unreachable()
      } catch (e) {
        expect(e).toBeInstanceOf(EvalError)
        expect((e as EvalError).undefinedHere).toBe(c.undefinedHere)
        expect((e as EvalError).reason).toMatch(c.reason)
      }
    })
  }
})

describe('verifyRule: the cases of issue 4', () => {
  const cases: { name: string; lhs: string; rhs: string; where?: string[]; types?: Record<string, string>; want: 'verified' | 'refuted' }[] = [
    { name: 'log of a sum is not the sum of logs', lhs: 'log(a + b)', rhs: 'log(a) + log(b)', want: 'refuted' },
    { name: 'log of a product', lhs: 'log(a * b)', rhs: 'log(a) + log(b)', where: ['a > 0', 'b > 0'], want: 'verified' },
    { name: 'transpose of a product, order kept', lhs: "(A * B)'", rhs: "A' * B'", want: 'refuted' },
    { name: 'transpose of a product, order reversed', lhs: "(A * B)'", rhs: "B' * A'", want: 'verified' },
    { name: 'chain rule', lhs: 'diff(sin(u), x)', rhs: 'cos(u) * diff(u, x)', want: 'verified' },
    { name: 'chain rule, outer derivative wrong', lhs: 'diff(sin(u), x)', rhs: 'sin(u) * diff(u, x)', want: 'refuted' },
    { name: 'constant out of a sum', lhs: 'sum(c * f, i, 1, n)', rhs: 'c * sum(f, i, 1, n)', where: ['free(c, i)'], want: 'verified' },
    { name: 'factor out of a sum without free(c, i)', lhs: 'sum(c * f, i, 1, n)', rhs: 'c * sum(f, i, 1, n)', want: 'refuted' },
    { name: 'linearity of expectation', lhs: 'E(a * X + b)', rhs: 'a * E(X) + b', want: 'verified' },
    { name: 'variance is not linear', lhs: 'Var(a * X)', rhs: 'a * Var(X)', want: 'refuted' },
    { name: 'variance scales by a^2', lhs: 'Var(a * X)', rhs: 'a ^ 2 * Var(X)', want: 'verified' },
    { name: "Bayes' rule", lhs: 'P(A | B)', rhs: 'P(B | A) * P(A) / P(B)', want: 'verified' },
    { name: 'conditional probability is not symmetric', lhs: 'P(A | B)', rhs: 'P(B | A)', want: 'refuted' },
    { name: 'product rule', lhs: 'diff(u * v, x)', rhs: 'u * diff(v, x) + v * diff(u, x)', want: 'verified' },
    { name: 'power rule', lhs: 'diff(x ^ n, x)', rhs: 'n * x ^ (n - 1)', where: ['symbol(x)', 'free(n, x)'], want: 'verified' },
    { name: 'power rule without free(n, x)', lhs: 'diff(x ^ n, x)', rhs: 'n * x ^ (n - 1)', where: ['symbol(x)'], want: 'refuted' },
    { name: 'inverse of a product reverses', lhs: 'inv(A * B)', rhs: 'inv(B) * inv(A)', want: 'verified' },
    { name: 'inverse of a product, order kept', lhs: 'inv(A * B)', rhs: 'inv(A) * inv(B)', want: 'refuted' },
    { name: 'gradient of a linear form', lhs: "diff(a' * x, x)", rhs: 'a', where: ['free(a, x)'], types: { a: 'vector', x: 'vector' }, want: 'verified' },
    { name: 'gradient of a quadratic form', lhs: "diff(x' * A * x, x)", rhs: "(A + A') * x", where: ['free(A, x)'], types: { x: 'vector' }, want: 'verified' },
    { name: 'gradient of a quadratic form needs symmetry', lhs: "diff(x' * A * x, x)", rhs: '2 * A * x', where: ['free(A, x)'], types: { x: 'vector' }, want: 'refuted' },
    { name: 'same, with A symmetric', lhs: "diff(x' * A * x, x)", rhs: '2 * A * x', where: ['free(A, x)'], types: { x: 'vector', A: 'symmetric' }, want: 'verified' },
    { name: 'fundamental theorem', lhs: 'diff(int(f, t, a, x), x)', rhs: 'f', where: ['free(f, x)'], want: 'refuted' },
    { name: 'integral is additive', lhs: 'int(f, x, a, b) + int(f, x, b, c)', rhs: 'int(f, x, a, c)', want: 'verified' },
    { name: 'swap a double sum', lhs: 'sum(sum(f, j, 1, m), i, 1, n)', rhs: 'sum(sum(f, i, 1, n), j, 1, m)', where: ['free(m, i)'], want: 'verified' },
    { name: 'sum of x[i] split', lhs: 'sum(x[i] + y[i], i, 1, n)', rhs: 'sum(x[i], i, 1, n) + sum(y[i], i, 1, n)', want: 'verified' },
    { name: 'sum of products is not product of sums', lhs: 'sum(x[i] * y[i], i, 1, n)', rhs: 'sum(x[i], i, 1, n) * sum(y[i], i, 1, n)', want: 'refuted' },
    { name: 'log of a power', lhs: 'log(a ^ b)', rhs: 'b * log(a)', where: ['a > 0'], want: 'verified' },
    { name: 'integer powers multiply', lhs: 'x ^ m * x ^ n', rhs: 'x ^ (m + n)', where: ['integer(m)', 'integer(n)', 'x != 0'], want: 'verified' },
    { name: 'ordered limits', lhs: 'sum(f, i, a, b) + sum(f, i, b + 1, c)', rhs: 'sum(f, i, a, c)', where: ['a <= b', 'b < c'], want: 'verified' },
    { name: 'tower property', lhs: 'E(E(X | Y))', rhs: 'E(X)', want: 'verified' },
    { name: 'conditioning changes the mean', lhs: 'E(X | Y)', rhs: 'E(X)', want: 'refuted' },
    { name: 'law of total variance', lhs: 'E(Var(X | Y)) + Var(E(X | Y))', rhs: 'Var(X)', want: 'verified' },
    { name: 'total probability', lhs: 'P(A | B) * P(B) + P(A | not B) * P(not B)', rhs: 'P(A)', want: 'verified' },
    {
      name: 'swap a double sum with free limits',
      lhs: 'sum(sum(f, j, c, d), i, a, b)',
      rhs: 'sum(sum(f, i, a, b), j, c, d)',
      where: ['free(c, i)', 'free(d, i)', 'free(a, j)', 'free(b, j)'],
      want: 'verified',
    },
    { name: 'a triangular double sum cannot be swapped naively', lhs: 'sum(sum(f, j, c, d), i, a, b)', rhs: 'sum(sum(f, i, a, b), j, c, d)', want: 'refuted' },
    { name: 'split limits need an order', lhs: 'sum(f, i, a, b) + sum(f, i, b + 1, c)', rhs: 'sum(f, i, a, c)', want: 'refuted' },
  ]
  for (const c of cases) {
    it(`${c.name}: ${c.want}`, () => {
      const r = verifyRule(rule(c.lhs, c.rhs, c.where ?? [], c.types ? { types: c.types } : {}))
      expect(r.verdict, JSON.stringify(r)).toBe(c.want)
      if (r.verdict === 'verified') expect(r.points).toBe(50)
    })
  }

  it.each([
    ["diff(x' * b, x)", 'b', ['free(b, x)'], { x: 'vector', b: 'vector' }],
    ["diff(x' * A * x, x)", "(A + A') * x", ['free(A, x)'], { x: 'vector', A: 'matrix' }],
    ['diff(trace(X * A), X)', "A'", ['free(A, X)'], { X: 'matrix', A: 'matrix' }],
  ])('a gradient rule %s -> %s needs its free(...) condition', (lhs, rhs, where, types) => {
    expect(verifyRule(rule(lhs, rhs, where, { types })).verdict).toBe('verified')
    const without = verifyRule(rule(lhs, rhs, [], { types }))
    expect(without.verdict).toBe('refuted')
    // the vector or matrix that depends on the variable is shown with the values it is built from
    expect(Object.keys((without as { counterexample: { values: object } }).counterexample.values).some((k) => k.includes('__'))).toBe(true)
  })
  it.each([
    ['log(a * b)', 'log(a) + log(b)', ['a > 0', 'b > 0']],
    ['sqrt(a * b)', 'sqrt(a) * sqrt(b)', ['a >= 0', 'b >= 0']],
    ['log(a ^ b)', 'b * log(a)', ['a > 0']],
    ['(a ^ b) ^ c', 'a ^ (b * c)', ['a > 0']],
  ])('%s -> %s is refuted without its domain conditions, verified with them', (lhs, rhs, where) => {
    expect(verifyRule(rule(lhs, rhs, where)).verdict).toBe('verified')
    const without = verifyRule(rule(lhs, rhs))
    expect(without.verdict).toBe('refuted')
    expect(String((without as { counterexample: { rhs: unknown } }).counterexample.rhs)).toMatch(/^undefined/)
  })
  it('a refutation names every wildcard and both sides', () => {
    const r = verifyRule(rule('log(a + b)', 'log(a) + log(b)'))
    expect(r.verdict).toBe('refuted')
    if (r.verdict !== 'refuted') return
    expect(Object.keys(r.counterexample.values).sort()).toEqual(['a', 'b'])
    const { a, b } = r.counterexample.values as { a: number; b: number }
    expect(Math.log(a + b)).toBeCloseTo(r.counterexample.lhs as number, 3)
    expect(Math.log(a) + Math.log(b)).toBeCloseTo(r.counterexample.rhs as number, 3)
  })

  it('shows the expression a wildcard stood for, and matrices as [[..]]', () => {
    const sum = verifyRule(rule('sum(c * f, i, 1, n)', 'c * sum(f, i, 1, n)'))
    expect(sum.verdict).toBe('refuted')
    if (sum.verdict === 'refuted') expect(String(sum.counterexample.values.c)).toMatch(/i/)
    const tr = verifyRule(rule("(A * B)'", "A' * B'"))
    expect(tr.verdict).toBe('refuted')
    if (tr.verdict === 'refuted') expect(tr.counterexample.values.A).toMatch(/^\[\[-?\d.*\]\]$/)
  })

  it('is deterministic for a seed', () => {
    const r = rule('log(a + b)', 'log(a) + log(b)')
    expect(verifyRule(r, { seed: 7 })).toEqual(verifyRule(r, { seed: 7 }))
  })

  it('definitions are verified by unfolding, and a wrong one against the builtin is refuted', () => {
    expect(verifyRule(rule('logit(p)', 'log(p / (1 - p))', ['p > 0', 'p < 1'], { kind: 'definition' })).verdict).toBe('verified')
    expect(verifyRule(rule('sigmoid(z)', '1 / (1 + exp(-z))', [], { kind: 'definition' })).verdict).toBe('verified')
    expect(verifyRule(rule('sigmoid(z)', '1 / (1 + exp(z))', [], { kind: 'definition' })).verdict).toBe('refuted')
    const logit = rule('logit(p)', 'log(p / (1 - p))', [], { kind: 'definition' })
    expect(verifyRule(rule('sigmoid(logit(p))', 'p', ['p > 0', 'p < 1']), { definitions: [logit] }).verdict).toBe('verified')
  })

  it('looks through definitions: softmax(x, j, n) makes x an indexed symbol and n a sum limit', () => {
    const softmax = rule('softmax(x, j, n)', 'exp(x[j]) / sum(exp(x[k]), k, 1, n)', [], { kind: 'definition', literals: ['k'] })
    const definitions = [softmax]
    expect(verifyRule(rule('sum(softmax(x, j, n), j, 1, n)', '1', ['n >= 1']), { definitions }).verdict).toBe('verified')
    // an empty sum is 0, not 1
    expect(verifyRule(rule('sum(softmax(x, j, n), j, 1, n)', '1'), { definitions }).verdict).toBe('refuted')
  })

  const unverifiable: { lhs: string; rhs: string; where?: string[]; reason: RegExp }[] = [
    { lhs: 'int(c * f, x)', rhs: 'c * int(f, x)', where: ['free(c, x)'], reason: /indefinite integral/ },
    { lhs: 'argmax(log(f), t)', rhs: 'argmax(f, t)', reason: /argmax/ },
    { lhs: 'log(a) + b', rhs: 'b + log(a)', where: ['a < 0'], reason: /both sides defined.*log\(-/ },
    { lhs: 'a + b', rhs: 'b + a', where: ['a < b', 'b < a'], reason: /no random values met the conditions a < b, b < a/ },
  ]
  for (const c of unverifiable) {
    it(`unverifiable with a reason: ${c.lhs}`, () => {
      const r = verifyRule(rule(c.lhs, c.rhs, c.where ?? []))
      expect(r.verdict).toBe('unverifiable')
      if (r.verdict === 'unverifiable') expect(r.reason).toMatch(c.reason)
    })
  }
})

describe('compareExpressions on the lecture steps (tests/fixtures/steps.json, from shared/examples)', () => {
  const steps = JSON.parse(readFileSync(new URL('./fixtures/steps.json', import.meta.url), 'utf8')) as { id: string; from: string; to: string; equal: boolean }[]
  for (const s of steps) {
    it(`${s.id}: ${s.equal ? 'equal' : 'not-equal'}`, () => {
      const r = compareExpressions(parseExpr(s.from), parseExpr(s.to))
      expect(r.verdict, JSON.stringify(r)).toBe(s.equal ? 'equal' : 'not-equal')
    })
  }

  it('an unknown verdict carries a reason', () => {
    const r = compareExpressions(parseExpr('int(x, x)'), parseExpr('x ^ 2 / 2'))
    expect(r).toMatchObject({ verdict: 'unknown', reason: expect.stringMatching(/indefinite/) })
  })
})

describe('property: a verified rule keeps the value at any point', () => {
  const small = fc.double({ min: -3, max: 3, noNaN: true })
  const positive = fc.double({ min: 0.05, max: 5, noNaN: true })
  const cases: { lhs: string; rhs: string; where?: string[]; arb: fc.Arbitrary<Record<string, Value>> }[] = [
    { lhs: 'exp(a + b)', rhs: 'exp(a) * exp(b)', arb: fc.record({ a: small, b: small }) },
    { lhs: 'log(a * b)', rhs: 'log(a) + log(b)', where: ['a > 0', 'b > 0'], arb: fc.record({ a: positive, b: positive }) },
    { lhs: '(a + b) ^ 2', rhs: 'a ^ 2 + 2 * a * b + b ^ 2', arb: fc.record({ a: small, b: small }) },
    {
      lhs: "(A * B)'",
      rhs: "B' * A'",
      arb: fc
        .record({ A: fc.array(small, { minLength: 4, maxLength: 4 }), B: fc.array(small, { minLength: 4, maxLength: 4 }) })
        .map(({ A, B }) => ({ A: matrix([A.slice(0, 2), A.slice(2)]), B: matrix([B.slice(0, 2), B.slice(2)]) })),
    },
  ]
  for (const c of cases) {
    it(`${c.lhs} = ${c.rhs}`, () => {
      const r = rule(c.lhs, c.rhs, c.where ?? [])
      expect(verifyRule(r).verdict).toBe('verified')
      fc.assert(
        fc.property(c.arb, (scope) => {
          const s = new Map(Object.entries(scope))
          return close(evaluate(r.lhs, s), evaluate(r.rhs, s), 1e-9)
        }),
      )
    })
  }
})
