// Exact numbers (issue 8 items 6 and 7, SPEC §1.3): BigInt-rational literals and folding,
// undefined factors never folded away, conditions on numbers decided only exactly.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { foldNumbers } from '../src/core/algebra.js'
import { type Expr, isDefined, numQ } from '../src/core/expr.js'
import { parseExpr } from '../src/core/parse.js'
import { print } from '../src/core/print.js'
import * as Q from '../src/core/rational.js'

const fold = (text: string): string => print(foldNumbers(parseExpr(text)))

describe('number literals keep every digit', () => {
  it.each([
    ['10000000000000001', 10000000000000001n, 1n],
    ['123456789012345678901234567890', 123456789012345678901234567890n, 1n],
    ['0.1', 1n, 10n],
    ['2.50', 5n, 2n],
    ['1e-3', 1n, 1000n],
    ['1.5e20', 150000000000000000000n, 1n],
  ])('%s', (text, n, d) => {
    const e = parseExpr(text)
    expect(e.kind).toBe('num')
    expect(e.kind === 'num' && e.q).toEqual(Q.rational(n, d))
  })
  it('prints back as written', () => {
    for (const t of ['10000000000000001', '0.1', '-0.25 * x', '123456789012345678901234567890 + x']) expect(print(parseExpr(t))).toBe(t)
  })
})

describe('folding is exact', () => {
  it.each([
    ['10000000000000000 + 1 - 10000000000000000', '1'],
    ['2^64 + 1 - 2^64', '1'],
    ['9007199254740993 - 9007199254740992', '1'],
    ['1/3 + 1/6', '1 / 2'],
    ['0.1 + 0.2', '0.3'],
    ['0.1 + 0.2 - 0.3', '0'],
    ['0.1 / 3', '1 / 30'],
    ['2/3 * x', '2 / 3 * x'],
    ['x ^ (1/2 + 1/2)', 'x'],
    ['(2/3) ^ 3', '8 / 27'],
    ['2 ^ -2', '1 / 4'],
    ['10^30 / 10^29', '10'],
  ])('%s folds to %s', (text, out) => expect(fold(text)).toBe(out))

  it('keeps a power too large to build', () => expect(fold('10 ^ 100000')).toBe('10 ^ 100000'))
})

describe('an undefined factor is never folded away', () => {
  it.each([
    ['0 / 0', '0 / 0'],
    ['0 * (1 / 0)', '0 / 0'],
    ['1 / 0', '1 / 0'],
    ['0 * log(x)', '0 * log(x)'],
    ['0 * log(0)', '0 * log(0)'],
    ['0 * log(-1)', '0 * log(-1)'],
    ['3 * 0 * x * sqrt(x)', '0 * sqrt(x)'],
    ['(1 / 0) ^ 0', '(1 / 0) ^ 0'],
    ['1 ^ log(x)', '1 ^ log(x)'],
  ])('%s stays %s', (text, out) => expect(fold(text)).toBe(out))

  it.each([
    ['0 * x * exp(x)', '0'],
    ['0 * sin(x) ^ 2', '0'],
    ['x ^ 0', '1'],
    ['0 ^ 0', '1'],
    ['1 ^ x', '1'],
  ])('%s (defined everywhere) folds to %s', (text, out) => expect(fold(text)).toBe(out))

  it.each([
    ['x', true],
    ['exp(x) * sin(y) + x ^ 3', true],
    ['2 ^ x', true],
    ['f(x)', true],
    ['1 / x', false],
    ['log(x)', false],
    ['sqrt(x)', false],
    ['x ^ y', false],
    ['x ^ (1/2)', false],
    ['exp(log(x))', false],
  ])('isDefined(%s) is %s', (text, defined) => expect(isDefined(parseExpr(text))).toBe(defined))
})

// ---- property: exact folding agrees with BigInt arithmetic -----------------------------------

/** A random expression of integer and fraction literals with its exact value (undefined: /0). */
interface Case {
  readonly text: string
  readonly value: Q.Rational | undefined
}

const lit: fc.Arbitrary<Case> = fc.oneof(
  fc.bigInt({ min: 0n, max: 10n ** 25n }).map((n) => ({ text: n.toString(), value: Q.rational(n) })),
  fc.tuple(fc.bigInt({ min: 0n, max: 1000n }), fc.bigInt({ min: 1n, max: 1000n })).map(([n, d]) => ({ text: `(${n}/${d})`, value: Q.rational(n, d) })),
)

const lift = (a: Case, b: Case, op: string, f: (x: Q.Rational, y: Q.Rational) => Q.Rational | undefined): Case => ({
  text: `(${a.text} ${op} ${b.text})`,
  value: a.value && b.value ? f(a.value, b.value) : undefined,
})

const { tree: arith } = fc.letrec<{ tree: Case }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    lit,
    fc.tuple(tie('tree'), tie('tree')).map(([a, b]) => lift(a, b, '+', Q.add)),
    fc.tuple(tie('tree'), tie('tree')).map(([a, b]) => lift(a, b, '-', Q.sub)),
    fc.tuple(tie('tree'), tie('tree')).map(([a, b]) => lift(a, b, '*', Q.mul)),
    fc.tuple(tie('tree'), tie('tree')).map(([a, b]) => lift(a, b, '/', Q.div)),
    fc.tuple(tie('tree'), fc.integer({ min: -3, max: 3 })).map(([a, k]) => ({
      text: `(${a.text} ^ ${k < 0 ? `(${k})` : k})`,
      value: a.value ? Q.pow(a.value, BigInt(k)) : undefined,
    })),
  ),
}))

describe('property: exact folding agrees with BigInt arithmetic', () => {
  it('on random integer/fraction expressions with + - * / and small integer powers', () => {
    fc.assert(
      fc.property(arith, (c) => {
        const folded: Expr = foldNumbers(parseExpr(c.text))
        if (c.value === undefined) {
          // a division by zero somewhere: never a number
          expect(folded.kind).not.toBe('num')
        } else {
          expect(folded.kind).toBe('num')
          expect(folded.kind === 'num' && Q.equals(folded.q, c.value)).toBe(true)
          // and it prints as text that reads back to the same value
          const again = foldNumbers(parseExpr(print(folded)))
          expect(again.kind === 'num' && Q.equals(again.q, c.value)).toBe(true)
        }
      }),
      { seed: 8_6_7, numRuns: 400 },
    )
  })
  it('numQ keeps the exact value', () => {
    expect(numQ(Q.rational(10n ** 30n + 1n)).q.n).toBe(10n ** 30n + 1n)
  })
})
