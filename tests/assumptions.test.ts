// Assumptions as a reader wants them: each reduced to what it says about the symbols, none that
// holds by form, is implied by another, or is only about a bound index.
import { describe, expect, it } from 'vitest'
import { simplifyAssumptions } from '../src/render/assumptions.js'

const simplify = (steps: string[], given: string[] = [], bound: string[] = ['i']): string[] => [...given, ...simplifyAssumptions(steps, { given, bound: new Set(bound) })]

describe('simplifyAssumptions', () => {
  it.each([
    // a Gaussian density is positive when sigma != 0, whatever the exponent
    ['1/sqrt(2*pi*sigma^2) * exp(-(x[i] - mu)^2/(2*sigma^2)) > 0', ['sigma != 0']],
    ['1/(sqrt(2*pi)*sigma) * exp(-(x[i] - mu)^2/(2*sigma^2)) > 0', ['sigma > 0']],
    ['sigma^2 > 0', ['sigma != 0']],
    ['2 * pi * sigma^2 > 0', ['sigma != 0']],
    ['x^3 > 0', ['x > 0']],
    ['a * b != 0', ['a != 0', 'b != 0']],
    ['sqrt(v) != 0', ['v != 0']],
    // products of unknown signs say no more than they say
    ['a * b > 0', ['a * b > 0']],
    ['x[i] > 0', ['x[i] > 0']],
    // holds by form
    ['exp(t) > 0', []],
    ['sigmoid(theta * x[i])^y[i] * (1 - sigmoid(theta * x[i]))^(1 - y[i]) > 0', []],
    ['(1 - sigmoid(theta * x[i]))^(1 - y[i]) > 0', []],
    ['sigmoid(theta * x[i]) < 1', []],
    ['1 > sigmoid(z)', []],
    ['x^2 + 1 > 0', []],
    ['x^2 >= 0', []],
    // numbers folded
    ['n >= 1 - 1', ['n >= 0']],
    ['0 < n', ['n > 0']],
    // only about the index of a sum
    ['i >= 1', []],
    // words are kept as written
    ['n is an integer', ['n is an integer']],
  ])('%s', (text, expected) => {
    expect(simplify([text])).toEqual(expected)
  })

  it('drops what another assumption implies, keeps the derivation own assumptions as written', () => {
    expect(simplify(['sigma^2 > 0', 'n >= 1 - 1', 'x > 0', 'x != 0', 'x >= -1'], ['n >= 1', 'sigma > 0'])).toEqual(['n >= 1', 'sigma > 0', 'x > 0'])
    // the same condition met twice is listed once
    expect(simplify(['a != 0', 'a^2 > 0', 'a != 0'])).toEqual(['a != 0'])
    // a != 0 does not give a > 0
    expect(simplify(['a > 0', 'a != 0'])).toEqual(['a > 0'])
    expect(simplify(['a != 0', 'a >= 1'])).toEqual(['a >= 1'])
    expect(simplify(['a != 2', 'a >= 1'])).toEqual(['a != 2', 'a >= 1'])
    expect(simplify(['a < 0', 'a > 0'])).toEqual(['a < 0', 'a > 0'])
    // a product is positive when each factor is
    expect(simplify(['x > 0', 'y * z > 0', 'y > 0', 'z > 0'])).toEqual(['x > 0', 'y > 0', 'z > 0'])
    expect(simplify(['y * z > 0', 'y > 0'])).toEqual(['y * z > 0', 'y > 0'])
    expect(simplify(['y * z != 0', 'y > 0'])).toEqual(['z != 0', 'y > 0'])
  })
})

describe('why does not list an index being whole as an assumption', () => {
  it('sum(delta(m, j) * x[m], m, 1, n) to x[j] holds provided 1 <= j <= n, not "j is an integer"', async () => {
    const { derive } = await import('./helpers/cli.js')
    const r = await derive(['why', 'sum(delta(m, j) * x[m], m, 1, n)', 'x[j]'])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('holds provided 1 <= j, j <= n')
    expect(r.stdout).not.toContain('is an integer')
  })
})
