// The rule index (core/rule-index.ts) and the user library's compiled cache (library/cache.ts).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { key } from '../src/core/equal.js'
import { call, type Expr, num, sym, walk } from '../src/core/expr.js'
import { parseExpr } from '../src/core/parse.js'
import { findFits } from '../src/core/rewrite.js'
import { compileRule, type Rule } from '../src/core/rule.js'
import { loadLibrary } from '../src/library/library.js'

const view = (fits: ReturnType<typeof findFits>): string[] => fits.map((f) => `${f.rule.id}|${f.direction}|${f.path.join('.')}|${key(f.result)}`)
const same = (e: Expr, rules: readonly Rule[]): void => expect(view(findFits(e, rules))).toEqual(view(findFits(e, rules, { linearScan: true })))

describe('rule index: the same fits in the same order as a linear scan', () => {
  const lib = loadLibrary()
  const examples = lib.rules.flatMap((r) => r.spec.examples ?? []).map((t) => parseExpr(t))
  const subterms = examples.flatMap((e) => [...walk(e)].map((n) => n.node))
  const leaf = fc.oneof(fc.constantFrom(...['x', 'y', 'a', 'b', 'n'].map(sym)), fc.integer({ min: -3, max: 4 }).map((v) => num(v)))
  const small: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => ({
    e: fc.oneof(
      { depthSize: 'small' },
      leaf,
      fc.constantFrom(...subterms),
      fc.tuple(fc.constantFrom('+', '*'), fc.array(tie('e'), { minLength: 2, maxLength: 3 })).map(([h, a]) => call(h, a)),
      fc.tuple(fc.constantFrom('log', 'exp', 'sin', 'sqrt'), tie('e')).map(([h, a]) => call(h, [a])),
      fc.tuple(tie('e'), tie('e')).map(([a, b]) => call('^', [a, b])),
    ),
  })).e
  it('on random subjects built from the shipped examples and small trees', () => {
    fc.assert(fc.property(small, (e) => {
      same(e, lib.rules)
    }), { seed: 9, numRuns: 300 })
  }, 180_000)
})

describe('rule index: unusual heads are never skipped', () => {
  const rule = (id: string, lhs: string, rhs: string, reversible = false, literals: string[] = []): Rule =>
    compileRule({ id, name: id, lhs, rhs, reversible, literals }, { pack: 'test', matrices: 'uppercase' })
  const rules = [
    rule('user-fn', 'f1(x, y)', 'f1(y, x)'),
    // a symbol pattern (no head at all) goes in the "always" list
    rule('bare', 'k', 'k + 0', false, ['k']),
    rule('sum-rev', 'x + y', 'g(x, y)', true),
    rule('prod', 'x * y', 'y * x'),
    rule('recip', 'x * y^(-1)', 'x / y'),
  ]
  it('a user function, a symbol pattern, a reversed user function, a product seeing 1/y', () => {
    const ids = (s: string): string[] => findFits(parseExpr(s), rules).map((f) => `${f.rule.id}|${f.direction}`)
    expect(ids('f1(a, b)')).toContain('user-fn|forward')
    expect(ids('f1(k, b)')).toContain('bare|forward')
    expect(ids('g(a, b)')).toContain('sum-rev|reverse')
    for (const s of ['f1(a, b)', 'f1(k, b)', 'g(a, b)', '1 / y', 'a + b * c', '-3']) same(parseExpr(s), rules)
  })
})

describe('user library cache', () => {
  let home: string
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'derive-cache-'))
    process.env.DERIVE_HOME = home
  })
  afterEach(() => {
    delete process.env.DERIVE_HOME
    rmSync(home, { recursive: true, force: true })
  })
  const write = (rules: object[]): string => {
    const path = join(home, 'library.json')
    writeFileSync(path, JSON.stringify({ format: 'derive-rules/1', name: 'mine', rules }))
    return path
  }
  const ids = (path: string): string[] => loadLibrary({ userLibrary: path }).user!.rules.map((r) => `${r.id}:${key(r.lhs)}=>${key(r.rhs)}`)
  it('a hit gives the same rules as a full check; a change of the file is a miss', () => {
    const path = write([{ id: 'mine-1', name: 'one', lhs: 'f1(x) + f1(x)', rhs: '2 * f1(x)' }])
    const fresh = ids(path)
    const cache = join(home, 'cache')
    expect(readdirSync(cache).length).toBe(1)
    expect(ids(path)).toEqual(fresh)
    write([{ id: 'mine-1', name: 'one', lhs: 'f1(x) * 3', rhs: '3 * f1(x)' }])
    expect(ids(path)).not.toEqual(fresh)
  })
  it('a damaged cache is never used, and is rewritten; the library file is untouched', () => {
    const path = write([{ id: 'mine-1', name: 'one', lhs: 'f1(x) + f1(x)', rhs: '2 * f1(x)' }])
    const before = readFileSync(path, 'utf8')
    const fresh = ids(path)
    const file = join(home, 'cache', readdirSync(join(home, 'cache'))[0]!)
    const text = readFileSync(file, 'utf8')
    for (const broken of [text.replace('f1', 'f2'), text.slice(0, text.length / 2), '', 'null', `${'0'.repeat(64)}\n{}`]) {
      writeFileSync(file, broken)
      expect(ids(path)).toEqual(fresh)
      expect(readFileSync(file, 'utf8')).toBe(text)
    }
    expect(readFileSync(path, 'utf8')).toBe(before)
    expect(existsSync(`${path}.bak`)).toBe(false)
  })
})
