// Parsing student input (Unicode, errors with positions) and printing it back cleanly.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { key } from '../src/core/equal.js'
import { call, div, type Expr, neg, num, sub, sym } from '../src/core/expr.js'
import { ParseError, parseCondition, parseExpr } from '../src/core/parse.js'
import { print } from '../src/core/print.js'

const show = (s: string): string => print(parseExpr(s))

describe('printing', () => {
  it.each([
    ['log(x*y)', 'log(x * y)'],
    ['3*x^(2)', '3 * x ^ 2'],
    ['x - 2*y + -3', 'x - 2 * y - 3'],
    ['a/(b*c)', 'a / (b * c)'],
    ['exp(t)/(1+exp(t))', 'exp(t) / (1 + exp(t))'],
    ['1/(1+exp(-z))', '1 / (1 + exp(-z))'],
    ["(A*B)'", "(A * B)'"],
    ["B'*A'", "B' * A'"],
    ['x[i]', 'x[i]'],
    ['P(A|B)', 'P(A | B)'],
    ['-(x^2)', '-x ^ 2'],
    ['(-x)^2', '(-x) ^ 2'],
    ['2x', '2 * x'],
    ['sum(x[i] - mu, i, 1, n)', 'sum(x[i] - mu, i, 1, n)'],
    ['(a+b)*(c-d)', '(a + b) * (c - d)'],
    ['x^-1', '1 / x'],
    ['a - (b - c)', 'a - (b - c)'],
    ['x^(y^z)', 'x ^ y ^ z'],
    ['(x^y)^z', '(x ^ y) ^ z'],
  ])('%s prints as %s', (input, want) => {
    expect(show(input)).toBe(want)
  })
})

describe('Unicode a student pastes', () => {
  it.each([
    ['x × y', 'x * y'],
    ['x · y', 'x * y'],
    ['a ÷ b', 'a / b'],
    ['a − b', 'a - b'],
    ['√x', 'sqrt(x)'],
    ['√(x + 1)', 'sqrt(x + 1)'],
    ['x²', 'x ^ 2'],
    ['2π', '2 * pi'],
    ['σ²', 'sigma ^ 2'],
    ["Aᵀ", "A'"],
  ])('%s reads as %s', (input, want) => {
    expect(show(input)).toBe(want)
  })
  it.each([
    ['∑ x', 1, 'sum(body, i, lo, hi)'],
    ['x + ∞', 5, 'infinity'],
    ['a ≤ b', 3, 'comparison'],
    ['x ⊕ y', 3, 'unsupported character'],
  ])('%s is refused at position %i', (input, pos, msg) => {
    try {
      parseExpr(input)
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(ParseError)
      expect((e as ParseError).position).toBe(pos)
      expect((e as ParseError).message).toContain(msg)
    }
  })
})

describe('parse errors say where', () => {
  it.each([
    ['log(x *', 8],
    ['x + * y', 5],
    ['f(x))', 5],
    ['a = b', 3],
    ['[1, 2]', 1],
    ['', 1],
  ])('%s fails at position %i', (input, pos) => {
    expect(() => parseExpr(input)).toThrow(ParseError)
    try {
      parseExpr(input)
    } catch (e) {
      expect((e as ParseError).position).toBe(pos)
    }
  })
  it('refuses a tree too deep to walk, whether mathjs or derive would overflow', () => {
    expect(() => parseExpr(`${'('.repeat(5000)}x${')'.repeat(5000)}`)).toThrow(/nested too deeply/)
    expect(() => parseExpr(`${'exp('.repeat(300)}x${')'.repeat(300)}`)).toThrow(/nested too deeply/)
    expect(() => parseExpr(`${'exp('.repeat(101)}x${')'.repeat(101)}`)).toThrow(/nested too deeply/)
    expect(print(parseExpr(`${'exp('.repeat(100)}x${')'.repeat(100)}`))).toHaveLength(100 * 5 + 1)
  })
  it('a bar outside P() hints at abs', () => {
    expect(() => parseExpr('|x|')).toThrow(/abs\(x\)/)
  })
})

describe('conditions', () => {
  it('reads predicates and relations', () => {
    expect(parseCondition('free(c, i)')).toMatchObject({ kind: 'pred', name: 'free' })
    expect(parseCondition('a ≥ 0')).toMatchObject({ kind: 'rel', op: '>=' })
    expect(parseCondition('n != 1')).toMatchObject({ kind: 'rel', op: '!=' })
  })
  it.each(['positive(a)', 'a', 'free(a)', 'a < b < c'])('refuses %s', (c) => {
    expect(() => parseCondition(c)).toThrow(ParseError)
  })
})

const leaf = fc.oneof(fc.constantFrom('x', 'y', 'A', 'B').map(sym), fc.integer({ min: 1, max: 9 }).map(num))
const exprArb: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.tuple(fc.constantFrom('+', '*'), fc.array(tie('e'), { minLength: 2, maxLength: 3 })).map(([h, a]) => call(h, a)),
    fc.tuple(fc.constantFrom('log', 'exp', "'"), tie('e')).map(([h, a]) => call(h, [a])),
    fc.tuple(tie('e'), fc.oneof(tie('e'), fc.constant(num(-1)))).map(([a, b]) => call('^', [a, b])),
    tie('e').map(neg),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => sub(a, b)),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => div(a, b)),
  ),
})).e

describe('property: print then parse gives the same expression', () => {
  it('round-trips', () => {
    fc.assert(
      fc.property(exprArb, (e) => {
        expect(key(parseExpr(print(e)))).toBe(key(e))
      }),
      { numRuns: 1000 },
    )
  })
})
