// Steps between equations (issue 11): does the next equation follow, judged by solving for a shared variable.
import { describe, expect, it } from 'vitest'
import { implies } from '../src/core/equation.js'
import { parseExpr } from '../src/core/parse.js'

const eq = (text: string) => {
  const [l, r] = text.split(' = ')
  return { lhs: parseExpr(l!), rhs: parseExpr(r!) }
}

describe('implies', () => {
  it.each([
    ['sum(x[i] - mu, i, 1, n) = 0', 'sum(x[i], i, 1, n) - n*mu = 0', 'implied'],
    ['sum(x[i], i, 1, n) - n*mu = 0', 'mu = sum(x[i], i, 1, n)/n', 'implied'],
    ['mu = sum(x[i], i, 1, n)/n', 'sum(x[i], i, 1, n) - n*mu = 0', 'implied'],
    ['sum(x[i], i, 1, n) - n*mu = 0', 'mu = sum(x[i], i, 1, n)/(n+1)', 'not-implied'],
    ['-n/sigma + sum((x[i]-mu)^2, i, 1, n)/sigma^3 = 0', 'sigma^2 = sum((x[i]-mu)^2, i, 1, n)/n', 'implied'],
    ['x = 2', 'x^2 = 4', 'implied'],
    ['x^2 = 4', 'x = 2', 'not-implied'],
    ['2*x + 3 = 7', 'x = 2', 'implied'],
    ['2*x + 3 = 7', 'x = 5', 'not-implied'],
  ])('%s  =>  %s: %s', (a, b, verdict) => {
    expect(implies(eq(a), eq(b)).verdict).toBe(verdict)
  })
  it('a counterexample satisfies the first equation and not the second', () => {
    const r = implies(eq('x^2 = 4'), eq('x = 2'))
    expect(r).toMatchObject({ verdict: 'not-implied', variable: 'x', counterexample: { values: { x: -2 }, lhs: -2, rhs: 2 } })
  })
})
