// Budgets (issue 9): a cap on one rule cuts only that rule; a work budget and a wall-clock
// deadline bound match and why, and hitting one says so.
import { describe, expect, it } from 'vitest'
import { Budget } from '../src/core/match.js'
import { parseExpr } from '../src/core/parse.js'
import { findFits } from '../src/core/rewrite.js'
import { compileRule } from '../src/core/rule.js'
import { compareExpressions } from '../src/core/verify.js'
import { why } from '../src/core/why.js'
import { loadLibrary } from '../src/library/library.js'
import { derive } from './helpers/cli.js'

const rule = (id: string, lhs: string, rhs: string) => compileRule({ id, name: id, lhs, rhs }, { pack: 'test', matrices: 'uppercase' })

describe('a cap on one rule cuts only that rule', () => {
  it('a rule that splits a long product too many ways does not stop the rules after it', () => {
    const greedy = rule('greedy', 'a * b * c', 'c * b * a')
    const logProduct = rule('log-prod', 'log(a * b)', 'log(a) + log(b)')
    const e = parseExpr(`log(a * b) * ${Array.from({ length: 12 }, (_, i) => `x${i + 1}`).join(' * ')}`)
    const budget = new Budget()
    const fits = findFits(e, [greedy, logProduct], { budget })
    expect(fits.map((f) => f.rule.id)).toContain('log-prod')
    expect([...budget.cut]).toEqual(['greedy'])
    expect(budget.exhausted).toBeUndefined()
    expect(budget.note()).toContain('greedy')
  })
  it('a per-rule step cap cuts that rule and the next rule still matches', () => {
    const greedy = rule('greedy', 'a + b + c', 'c + b + a')
    const other = rule('exp-sum', 'exp(a + b)', 'exp(a) * exp(b)')
    const e = parseExpr(`exp(p + q) + ${Array.from({ length: 11 }, (_, i) => `x${i}`).join(' + ')}`)
    const budget = new Budget(1_000_000, { perRule: 500 })
    const fits = findFits(e, [greedy, other], { budget })
    expect(budget.cut.has('greedy')).toBe(true)
    expect(fits.some((f) => f.rule.id === 'exp-sum')).toBe(true)
  })
  it('derive match "log(a * b) * x1 * ... * x12" lists log-product', async () => {
    const r = await derive(['match', `log(a * b) * ${Array.from({ length: 12 }, (_, i) => `x${i + 1}`).join(' * ')}`, '--json'])
    expect(r.status).toBe(0)
    const fits = JSON.parse(r.stdout) as { rule: string; at: string }[]
    expect(fits).toContainEqual(expect.objectContaining({ rule: 'log-product', at: '0' }))
  })
})

describe('a sum of many equal terms is matched once per distinct item', () => {
  it('x - x - ... - x (200 terms) is matched in full, within the work budget', () => {
    const lib = loadLibrary()
    const e = parseExpr(Array.from({ length: 200 }, () => 'x').join(' - '))
    const budget = new Budget()
    const fits = findFits(e, lib.rules, { budget })
    expect(budget.exhausted).not.toBe('work')
    expect(budget.steps).toBeLessThan(50_000)
    expect(fits.length).toBeGreaterThan(0)
  })
})

// equal, but the shipped packs hold no rule for sin^2 + cos^2 = 1
const UNEXPLAINED = ['sin(q)^2 * exp(a + c) + cos(q)^2 * exp(a + c)', 'exp(a) * exp(c)']

describe('deadlines', () => {
  it('a deadline already past stops matching and says so', () => {
    const budget = new Budget(200_000, { deadline: 0 })
    const e = parseExpr(Array.from({ length: 30 }, (_, i) => `y${i}`).join(' + '))
    findFits(e, loadLibrary().rules, { budget })
    expect(budget.exhausted).toBe('time')
    expect(budget.note()).toMatch(/time limit/)
  })
  it('why reports the time limit that stopped it', () => {
    const lib = loadLibrary()
    const from = parseExpr('log(exp(log(1 + exp(u))) - 1) * sin(w)^2 + cos(w)^2')
    const to = parseExpr('u * sin(w)^2 + cos(w)^2')
    const r = why(from, to, lib.rules, { timeLimit: 0.001, compare: (a, b) => compareExpressions(a, b) })
    expect(r.verdict).toBe('equal-unexplained')
    if (r.verdict === 'equal-unexplained') expect(r.limits?.stopped).toBe('time')
  })
  it('derive why --time-limit is checked and reported in --json', async () => {
    const bad = await derive(['why', 'x', 'x', '--time-limit', 'soon'])
    expect(bad.status).toBe(2)
    expect(bad.stderr).toMatch(/--time-limit/)
    const r = await derive(['why', ...UNEXPLAINED, '--json', '--time-limit', '0.001'])
    const body = JSON.parse(r.stdout) as { verdict: string; search?: { stopped?: string; note: string } }
    expect(body.verdict).toBe('equal-unexplained')
    expect(body.search?.stopped).toBe('time')
    expect(body.search?.note).toMatch(/no chain of library rules found within 12 steps, 300 expressions and 0.001 s \(the time limit stopped it/)
    const text = await derive(['why', ...UNEXPLAINED, '--time-limit', '0.001'])
    expect(text.stdout).toMatch(/no chain of library rules found within .*time limit/)
  })
})
