// Property (issue 8): every fit that match lists keeps the value of its input wherever the fit's
// assumptions hold, on random expressions built from the shipped rules' own examples (scalars,
// vectors and matrices, drawn by the judge in several sizes). A counterexample is a wrong step
// derive would teach.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { call, type Expr, freeSymbols } from '../src/core/expr.js'
import { type Condition, parseCondition, parseExpr } from '../src/core/parse.js'
import { print } from '../src/core/print.js'
import { findFits } from '../src/core/rewrite.js'
import { compareExpressions } from '../src/core/verify.js'
import { loadLibrary } from '../src/library/library.js'

const lib = loadLibrary()
const definitions = lib.rules.filter((r) => r.kind === 'definition')
const examples: Expr[] = []
for (const r of lib.rules) for (const t of r.spec.examples ?? []) examples.push(parseExpr(t))

/** An assumption as printed ("x > 0", "n is an integer") read back as a condition. */
function condition(text: string): Condition | undefined {
  const integer = /^(.*) is an integer$/.exec(text)
  try {
    return parseCondition(integer ? `integer(${integer[1]})` : text)
  } catch {
    return undefined
  }
}

const pick = fc.nat(examples.length - 1).map((k) => examples[k]!)
const subject = fc.oneof(
  pick,
  fc.tuple(pick, pick, fc.constantFrom('+', '*')).map(([a, b, op]) => call(op, [a, b])),
  fc.tuple(pick, fc.constantFrom('log', 'exp')).map(([a, f]) => call(f, [a])),
)

describe('property: every listed fit is numerically equal to its input where its assumptions hold', () => {
  it('on random expressions built from the shipped examples (seed 31)', () => {
    let checked = 0
    fc.assert(
      fc.property(subject, (e) => {
        let fits
        try {
          fits = findFits(e, lib.rules, { matrices: lib.matrices })
        } catch {
          return // a shape error: nothing is listed
        }
        for (const f of fits.slice(0, 25)) {
          const assume = f.assumes.map(condition)
          if (assume.some((c) => c === undefined)) continue
          // an assumption about an index bound around the fit ("x[i] > 0" inside a sum over i) holds
          // for each value of it: the judge, drawing one value for the whole expression, cannot test it
          const free = freeSymbols(e)
          const mentions = (c: Condition): Expr[] => (c.kind === 'rel' ? [c.lhs, c.rhs] : [...c.args])
          if (assume.some((c) => mentions(c!).some((x) => [...freeSymbols(x)].some((n) => !free.has(n))))) continue
          // the same when the bound index's name is also free elsewhere (sum(delta(m, 2), m, 1, 3) * sum(choose(m, j), j, 0, m):
          // "m != 2" is about the sum's m; filed in ../briefs/search-misses2.md, I)
          const bound = new Set<string>()
          const binders = (x: Expr): void => {
            if (x.kind !== 'call') return
            if (['sum', 'prod'].includes(x.head) && x.args[1]?.kind === 'sym') bound.add(x.args[1].name)
            x.args.forEach(binders)
          }
          binders(e)
          if (assume.some((c) => mentions(c!).some((x) => [...freeSymbols(x)].some((n) => bound.has(n))))) continue
          // an assumption about an entry ("y[i] is an integer", "1 <= y[i]") is not applied by the judge
          // when it draws the array (filed in ../briefs/search-misses2.md, H): it cannot test such a fit
          const onEntry = (x: Expr): boolean => x.kind === 'call' && (x.head === '[]' || x.args.some(onEntry))
          if (assume.some((c) => mentions(c!).some(onEntry))) continue
          const c = compareExpressions(e, f.result, { definitions, matrices: lib.matrices, assume: assume as Condition[], points: 20 })
          checked++
          expect(c.verdict, `${f.rule.id} at ${f.path.join('.') || '.'}: ${print(e)} -> ${print(f.result)} (assuming ${f.assumes.join(', ') || 'nothing'}): ${JSON.stringify(c)}`).not.toBe('not-equal')
        }
      }),
      { seed: 31, numRuns: 120, endOnFailure: true },
    )
    expect(checked).toBeGreaterThan(300)
  }, 600_000)
})

describe('what the property found, kept as cases', () => {
  const verdict = (a: string, b: string): string => compareExpressions(parseExpr(a), parseExpr(b), { definitions, matrices: lib.matrices }).verdict
  it('the Y of E(Y) is never a conditional: E(X | Z) is a random variable, not a constant', () => {
    const e = parseExpr('E(Z * E(X | Z))')
    expect(findFits(e, lib.rules, { matrices: lib.matrices }).map((f) => f.rule.id)).not.toContain('expectation-times-mean')
    expect(verdict('E(Z * E(X | Z))', 'E(Z) * E(X | Z)')).toBe('not-equal')
  })
  it('entries of a lowercase indexed symbol inside E(...) are constants, like the symbol itself', () => {
    expect(verdict('softmax(z, j, n) + E(X)', 'E(X + softmax(z, j, n))')).toBe('equal')
  })
  it('0 is the zero matrix of any shape', () => {
    expect(verdict("0 * diff(trace(X' * B), X)", '0')).toBe('equal')
    expect(verdict("diff(trace(X' * B), X)", '0')).toBe('not-equal')
  })
})
