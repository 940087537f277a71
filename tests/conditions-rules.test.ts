// Conditions are if-else, part 2 (issue 13 items 2-3): the conditions pack is verified honestly —
// condition wildcards are true at some points and false at others (and change with a sum's index),
// values compared with == are sometimes equal, and two sides compared on one branch of a condition
// only are never called equal — and the GDA estimates (CS229 §4.1) are derived line by line with
// why and check at default settings.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseExpr } from '../src/core/parse.js'
import { compileRule } from '../src/core/rule.js'
import { compareExpressions, verifyRule } from '../src/core/verify.js'
import { loadLibrary } from '../src/library/library.js'
import { derive, tempHome } from './helpers/cli.js'

const lib = loadLibrary()
const rule = (lhs: string, rhs: string, where: string[] = []) => compileRule({ id: 'r', name: 'r', lhs, rhs, where }, { pack: 'test', matrices: 'uppercase' })
const definitions = lib.rules.filter((r) => r.kind === 'definition')
const verdict = (lhs: string, rhs: string, where: string[] = []) => verifyRule(rule(lhs, rhs, where), { definitions }).verdict

describe('the verifier on conditions', () => {
  it.each([
    // issue 13: refutes the naive or, verifies inclusion-exclusion
    ['ind(a or b)', 'ind(a) + ind(b)', [], 'refuted'],
    ['ind(a or b)', 'ind(a) + ind(b) - ind(a) * ind(b)', [], 'verified'],
    ['ind(a or b)', 'ind(a) + ind(b) - ind(a and b)', [], 'verified'],
    ['ind(c) * ind(not c)', '1', [], 'refuted'],
    ['ind(c) ^ 2', 'ind(c)', [], 'verified'],
    // labels: y[i] == k holds at some points, so a count is not mistaken for 0
    ['sum(ind(y[i] == k), i, 1, n)', '0', [], 'refuted'],
    ['sum(ind(y[i] == 1) * x[i], i, 1, n)', 'sum(x[i], i, 1, n)', [], 'refuted'],
    ['ind(a == b)', 'ind(a <= b)', [], 'refuted'],
    // a condition that depends on the sum's index takes both values inside one sum
    ['sum(ind(c) * a, i, lo, hi)', 'a * sum(ind(c), i, lo, hi)', ['free(a, i)'], 'verified'],
    ['sum(ind(c) * a, i, lo, hi)', 'a * sum(ind(c), i, lo, hi)', [], 'refuted'],
    ['sum(ind(c) * f, i, lo, hi)', 'sum(f, i, lo, hi)', [], 'refuted'],
    // c may depend on i: an indicator does not come out of the sum
    ['sum(ind(c) * f, i, lo, hi)', 'ind(c) * sum(f, i, lo, hi)', [], 'refuted'],
    // a == b with a, b expressions in i: a count of equal plus a count of not equal
    ['sum(ind(a == b), i, 1, n) + sum(ind(a != b), i, 1, n)', 'n', ['n >= 0'], 'verified'],
    ['sum(ind(a == b), i, 1, n)', '0', [], 'refuted'],
    // events and probabilities
    ['E(ind(A))', 'P(A)', [], 'verified'],
    ['E(ind(A))', 'P(not A)', [], 'refuted'],
    // derivatives away from the breakpoint
    ['diff(max(0, u), x)', 'ind(u > 0) * diff(u, x)', ['u != 0'], 'verified'],
    ['diff(max(0, 1 - m), x)', '-ind(m > 1) * diff(m, x)', ['m != 1'], 'refuted'],
    ['max(c * a, c * b)', 'c * max(a, b)', [], 'refuted'],
  ])('%s -> %s (where %j) is %s', (lhs, rhs, where, want) => {
    expect(verdict(lhs, rhs, where)).toBe(want)
  })

  it('a rule whose condition is only ever on one branch is unverifiable, not verified', () => {
    const r = verifyRule(rule('x > 0 ? x : 0', 'x', ['x > 0']), { definitions })
    expect(r).toMatchObject({ verdict: 'unverifiable' })
    expect((r as { reason: string }).reason).toMatch(/x > 0 was true at every point compared/)
  })

  it('two lines compared on one branch only are unknown; with both branches, they are judged', () => {
    const only = compareExpressions(parseExpr('x > 0 ? x : 0'), parseExpr('x'), { assume: [{ kind: 'rel', op: '>', lhs: parseExpr('x'), rhs: parseExpr('0'), text: 'x > 0' }] })
    expect(only.verdict).toBe('unknown')
    expect(compareExpressions(parseExpr('x > 0 ? x : 0'), parseExpr('x')).verdict).toBe('not-equal')
    expect(compareExpressions(parseExpr('sum(ind(y[i] == 1), i, 1, n) / n'), parseExpr('0')).verdict).toBe('not-equal')
    expect(compareExpressions(parseExpr('P(X > 1) + P(not (X > 1))'), parseExpr('1')).verdict).toBe('equal')
  })

  it('every rule of the conditions pack is verified', () => {
    const pack = lib.rules.filter((r) => r.pack === 'conditions')
    expect(pack.length).toBeGreaterThanOrEqual(50)
    const bad = pack.map((r) => [r.id, verifyRule(r, { definitions }).verdict]).filter(([, v]) => v !== 'verified')
    expect(bad).toEqual([])
  })
})

interface WhyJson {
  verdict: string
  steps?: { rule: string; kind: string }[]
  counterexample?: { values: Record<string, unknown> }
}
const whyJson = async (from: string, to: string): Promise<{ status: number; body: WhyJson }> => {
  const r = await derive(['why', from, to, '--json'])
  return { status: r.status, body: JSON.parse(r.stdout) as WhyJson }
}

const N1 = 'sum(ind(y[i] == 1), i, 1, n)'
const N0 = 'sum(ind(y[i] == 0), i, 1, n)'

describe('the GDA estimates (CS229 §4.1), explained by why at default settings', () => {
  it.each([
    // phi: the log-likelihood in phi, counts out of the sums, its derivative
    [`sum(ind(y[i] == 1) * log(phi) + ind(y[i] == 0) * log(1 - phi), i, 1, n)`, `log(phi) * ${N1} + log(1 - phi) * ${N0}`, ['sum-linear-combination']],
    [`diff(log(phi) * ${N1} + log(1 - phi) * ${N0}, phi)`, `${N1} / phi - ${N0} / (1 - phi)`, ['diff-bernoulli-counts']],
    // the class-0 count written as "not 1": the counts add to n
    [`${N1} / (${N1} + sum(ind(y[i] != 1), i, 1, n))`, `1 / n * ${N1}`, ['sum-indicator-not-equal-count']],
    // mu_0: the derivative of the class-0 part of the log-likelihood, and the conditional sum split
    [`diff(sum(ind(y[i] == 0) * (-(x[i] - mu0) ^ 2 / (2 * sigma ^ 2)), i, 1, n), mu0)`, `sum(ind(y[i] == 0) * diff(-(x[i] - mu0) ^ 2 / (2 * sigma ^ 2), mu0), i, 1, n)`, ['diff-of-sum', 'diff-constant-multiple']],
    [`sum(ind(y[i] == 0) * diff(-(x[i] - mu0) ^ 2 / (2 * sigma ^ 2), mu0), i, 1, n)`, `sum(ind(y[i] == 0) * (x[i] - mu0) / sigma ^ 2, i, 1, n)`, ['diff-gaussian-exponent-mean']],
    [`sum(ind(y[i] == 0) * (x[i] - mu0), i, 1, n)`, `sum(ind(y[i] == 0) * x[i], i, 1, n) - mu0 * ${N0}`, ['distribute', 'sum-of-sum', 'sum-indicator-constant']],
    [`sum(ind(y[i] == 1) * log(phi), i, 1, n)`, `log(phi) * ${N1}`, ['sum-indicator-constant']],
  ])('%s -> %s', async (from, to, rules) => {
    const { status, body } = await whyJson(from, to)
    expect(body.verdict).toBe('explained')
    expect(status).toBe(0)
    expect(body.steps!.filter((s) => s.kind === 'rule').map((s) => s.rule)).toEqual(rules)
  })

  it.each([
    // dropping the indicator: the mean of class 0 is not the mean of all x
    [`sum(ind(y[i] == 0) * x[i], i, 1, n) / ${N0}`, 'sum(x[i], i, 1, n) / n'],
    [`${N1} / n`, 'sum(y[i], i, 1, n) / n'],
    [`sum(ind(y[i] == 0) * (x[i] - mu0), i, 1, n)`, 'sum(x[i] - mu0, i, 1, n)'],
    // N1 + N0 = n only for labels that are 0 or 1: derive cannot assume that, and says so
    [`${N1} / (${N1} + ${N0})`, `1 / n * ${N1}`],
  ])('dropping or misusing an indicator is not-equal with a counterexample: %s vs %s', async (from, to) => {
    const { status, body } = await whyJson(from, to)
    expect(body.verdict).toBe('not-equal')
    expect(status).toBe(1)
    expect(Object.keys(body.counterexample!.values)).toContain('y')
  })

  it('derive check holds on the whole phi and mu_0 derivations, set to zero and solved', async () => {
    const dir = tempHome()
    const phi = join(dir, 'gda-phi.txt')
    writeFileSync(
      phi,
      [
        '# assume: n >= 1, 0 < phi, phi < 1',
        'sum(ind(y[i] == 1) * log(phi) + ind(y[i] == 0) * log(1 - phi), i, 1, n)',
        `= log(phi) * ${N1} + log(1 - phi) * ${N0}`,
        `diff(log(phi) * ${N1} + log(1 - phi) * ${N0}, phi) = 0`,
        `<=> ${N1} / phi - ${N0} / (1 - phi) = 0`,
        `<=> phi = ${N1} / (${N1} + ${N0})`,
      ].join('\n'),
    )
    const mu0 = join(dir, 'gda-mu0.txt')
    writeFileSync(
      mu0,
      [
        '# assume: n >= 1, sigma > 0',
        'diff(sum(ind(y[i] == 0) * (-(x[i] - mu0)^2 / (2 * sigma^2)), i, 1, n), mu0)',
        '= sum(ind(y[i] == 0) * diff(-(x[i] - mu0)^2 / (2 * sigma^2), mu0), i, 1, n)',
        '= sum(ind(y[i] == 0) * (x[i] - mu0) / sigma^2, i, 1, n)',
        'sum(ind(y[i] == 0) * (x[i] - mu0) / sigma^2, i, 1, n) = 0',
        '<=> sum(ind(y[i] == 0) * (x[i] - mu0), i, 1, n) = 0',
        `<=> sum(ind(y[i] == 0) * x[i], i, 1, n) - mu0 * ${N0} = 0`,
        `<=> mu0 = sum(ind(y[i] == 0) * x[i], i, 1, n) / ${N0}`,
      ].join('\n'),
    )
    for (const file of [phi, mu0]) {
      const r = await derive(['check', file, '--json'])
      expect(r.status, r.stdout).toBe(0)
      const steps = JSON.parse(r.stdout) as { verdict: string }[]
      expect(steps.every((s) => ['explained', 'equivalent', 'implied'].includes(s.verdict)), r.stdout).toBe(true)
    }
  })
})
