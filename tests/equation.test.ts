// Steps between equations (issue 11): does the next equation follow, judged by solving for a shared variable.
import { describe, expect, it } from 'vitest'
import { bothSidesLabel, implies } from '../src/core/equation.js'
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

describe('one operation on both sides is labelled', () => {
  it.each([
    ['2*n*mu = 2*sum(x[i], i, 1, n)', 'n*mu = sum(x[i], i, 1, n)', 'divide both sides by 2'],
    ['n*mu = sum(x[i], i, 1, n)', 'mu = sum(x[i], i, 1, n)/n', 'divide both sides by n (provided n != 0)'],
    ['a*b = 0', 'b = 0', 'divide both sides by a (provided a != 0)'],
    ['x/2 = y', 'x = 2*y', 'multiply both sides by 2'],
    ['mu - s/n = 0', 'mu = s/n', 'add s / n to both sides'],
    ['3*a + b = c', '3*a = c - b', 'subtract b from both sides'],
    ['x + 5 = y', 'x = y - 5', 'subtract 5 from both sides'],
    ['-n/sigma + s/sigma^3 = 0', 'n/sigma = s/sigma^3', 'add n / sigma to both sides, and swap the two sides'],
    ['mu = s/n', 's/n = mu', 'swap the two sides'],
    ['n/sigma = s/sigma^3', 'n*sigma^2 = s', 'multiply both sides by sigma ^ 3 (provided sigma != 0)'],
  ])('%s  =>  %s: %s', (a, b, label) => {
    expect(bothSidesLabel(eq(a), eq(b), true)).toBe(label)
  })

  it('a multiplication claimed only as an implication needs no condition', () => {
    expect(bothSidesLabel(eq('x = y'), eq('k*x = k*y'), false)).toBe('multiply both sides by k')
    expect(bothSidesLabel(eq('x = y'), eq('k*x = k*y'), true)).toBe('multiply both sides by k (provided k != 0)')
  })

  it.each([
    ['n*mu = s', 'mu = s/2'], // the two sides divided by different numbers
    ['x + 5 = y', 'x = y + 5'], // 5 subtracted on one side, added on the other
    ['sum(x[i], i, 1, n) - n*mu = 0', 'mu = sum(x[i], i, 1, n)/n'], // two operations: solved, not one step
    ['x = 2', 'x^2 = 4'],
  ])('%s  =>  %s: no label', (a, b) => {
    expect(bothSidesLabel(eq(a), eq(b), true)).toBeUndefined()
  })
})
