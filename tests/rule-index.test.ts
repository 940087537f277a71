// The rule index (core/rule-index.ts) and the user library's compiled cache (library/cache.ts).
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { key } from '../src/core/equal.js'
import { call, type Expr, num, sym, walk } from '../src/core/expr.js'
import { parseExpr } from '../src/core/parse.js'
import { findFits } from '../src/core/rewrite.js'
import { compileRule, type Rule } from '../src/core/rule.js'
import { cachedRules, KEEP_CACHES, storeCache } from '../src/library/cache.js'
import { loadLibrary } from '../src/library/library.js'
import { derive } from './helpers/cli.js'

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
  let env: { DERIVE_HOME: string }
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'derive-cache-'))
    env = { DERIVE_HOME: home }
  })
  afterEach(() => {
    rmSync(home, { recursive: true, force: true })
  })
  const write = (rules: object[], extra: object = {}): string => {
    const path = join(home, 'library.json')
    writeFileSync(path, JSON.stringify({ format: 'derive-rules/1', name: 'mine', ...extra, rules }))
    return path
  }
  const ids = (path: string): string[] => loadLibrary({ userLibrary: path, env }).user!.rules.map((r) => `${r.id}:${key(r.lhs)}=>${key(r.rhs)}`)
  // every field of every rule, as a plain value
  const whole = (rules: readonly Rule[]): object[] =>
    rules.map((r) => ({ id: r.id, name: r.name, kind: r.kind, lhs: r.lhs, rhs: r.rhs, where: r.where, reversible: r.reversible, literals: [...r.literals], scalarWildcards: [...r.scalarWildcards], typed: r.typed, types: r.types, pack: r.pack, spec: r.spec }))
  const cacheText = (): { file: string; text: string } => {
    const file = join(home, 'cache', readdirSync(join(home, 'cache'))[0]!)
    return { file, text: readFileSync(file, 'utf8') }
  }
  const varied = [
    { id: 'mine-1', name: 'one', lhs: 'f1(x) + f1(x)', rhs: '2 * f1(x)', reversible: true },
    { id: 'mine-2', name: 'σ ≥ zero, naïvely', lhs: 'sqrt(x^2)', rhs: 'x', where: ['x >= 0'], literals: ['c'], examples: ['sqrt(c^2)'] },
    { id: 'mine-3', name: 'a quadratic form', lhs: "x' * A * x", rhs: "x' * (A * x)", types: { x: 'vector' } },
    { id: 'mine-4', name: 'a definition', kind: 'definition', lhs: 'g2(x)', rhs: 'x / 2 + 0.5' },
    { id: 'mine-5', name: 'a bare literal', lhs: 'k', rhs: 'k * 1', literals: ['k'] },
    { id: 'mine-6', name: 'scalar only', lhs: 'h3(x)', rhs: 'x', where: ['scalar(x)'] },
  ]

  it('a hit gives the same rules as a full check, field by field; a change of the file is a miss', () => {
    const path = write(varied, { vectors: ['theta'] })
    const fresh = whole(loadLibrary({ userLibrary: path }).user!.rules)
    expect(existsSync(join(home, 'cache'))).toBe(false)
    expect(whole(loadLibrary({ userLibrary: path, env }).user!.rules)).toEqual(fresh)
    const { text } = cacheText()
    expect(/^[\x00-\x7f]*$/.test(text)).toBe(true)
    const hit = loadLibrary({ userLibrary: path, env })
    expect(whole(hit.user!.rules)).toEqual(fresh)
    expect(hit.vectors).toEqual(['theta'])
    expect(cacheText().text).toBe(text)
    write([{ id: 'mine-1', name: 'one', lhs: 'f1(x) * 3', rhs: '3 * f1(x)' }])
    expect(ids(path)).toEqual(['mine-1:' + key(parseExpr('f1(x) * 3')) + '=>' + key(parseExpr('3 * f1(x)'))])
  })

  it('a cached rule fits exactly as the checked one does', () => {
    const path = write(varied)
    const fresh = loadLibrary({ userLibrary: path })
    loadLibrary({ userLibrary: path, env })
    const cached = loadLibrary({ userLibrary: path, env })
    for (const s of ['f1(a) + f1(a)', '2 * f1(b)', 'sqrt(c^2) + g2(y)', "theta' * M * theta", '-3', '1 / y']) {
      const e = parseExpr(s)
      expect(view(findFits(e, cached.rules))).toEqual(view(findFits(e, fresh.rules)))
      same(e, cached.rules)
    }
  })

  it('a damaged cache is never used, and is rewritten; the library file is untouched', () => {
    const path = write([{ id: 'mine-1', name: 'one', lhs: 'f1(x) + f1(x)', rhs: '2 * f1(x)' }])
    const before = readFileSync(path, 'utf8')
    const fresh = ids(path)
    const { file, text } = cacheText()
    for (const broken of [text.replace('f1', 'f2'), text.slice(0, text.length / 2), '', 'null', `${'0'.repeat(64)}\n{}`]) {
      writeFileSync(file, broken)
      expect(ids(path)).toEqual(fresh)
      expect(readFileSync(file, 'utf8')).toBe(text)
    }
    expect(readFileSync(path, 'utf8')).toBe(before)
    expect(existsSync(`${path}.bak`)).toBe(false)
  })

  // a cache file changed and its sums made to agree (only a forged file can be so)
  const sum = (t: string): string => createHash('sha256').update(t).digest('hex')
  type Header = { lengths: number[]; sums: string }
  const forged = (text: string, change: (lines: string[], header: Header) => void): string => {
    const lines = text.split('\n').slice(1)
    const header = JSON.parse(lines[0]!) as Header
    change(lines, header)
    lines[0] = JSON.stringify(header)
    return `${sum(lines[0])} ${lines[0].length}\n${lines.join('\n')}`
  }
  it('a record that is damaged or does not read back means the full check, for that rule and the rewritten cache', () => {
    const path = write(varied)
    const fresh = whole(loadLibrary({ userLibrary: path }).user!.rules)
    loadLibrary({ userLibrary: path, env })
    const { file, text } = cacheText()
    const damaged = `${text.slice(0, -10)}${text.slice(-10).replace(/[a-z]/, '#')}`
    expect(damaged).not.toBe(text)
    const bad = ['{}', '{"lhs":{"kind":"call","head":"f1"},"rhs":1}', '[', '{"lhs":{"kind":"num","q":{"n":"x","d":"1"},"value":1}}'].map((record) =>
      forged(text, (lines, header) => {
        header.lengths[1] = record.length
        header.sums = `${header.sums.slice(0, 16)}${sum(record).slice(0, 16)}${header.sums.slice(32)}`
        lines[2] = record
      }),
    )
    for (const broken of [damaged, ...bad]) {
      writeFileSync(file, broken)
      const lib = loadLibrary({ userLibrary: path, env })
      // nothing is read beyond the header until a rule's patterns are asked for, and matching
      // asks only for the candidates' (mine-2 and mine-6 name sqrt and h3: never candidates here)
      expect(findFits(parseExpr('log(x * y) + k'), lib.rules).length).toBeGreaterThan(0)
      expect(readFileSync(file, 'utf8')).toBe(broken)
      expect(whole(lib.user!.rules)).toEqual(fresh)
      expect(readFileSync(file, 'utf8')).toBe(text)
    }
    // a header that does not describe the records is a miss at once
    const longer = (_: string[], header: Header): void => void (header.lengths[0]! += 1)
    for (const change of [longer, (l: string[]) => void l.pop(), (l: string[]) => void l.push('{}')]) {
      writeFileSync(file, forged(text, change))
      loadLibrary({ userLibrary: path, env })
      expect(readFileSync(file, 'utf8')).toBe(text)
    }
  })

  it('a cache is made for one build: another build is a miss', () => {
    const path = write(varied)
    const libraryText = readFileSync(path, 'utf8')
    const rules = loadLibrary({ userLibrary: path }).user!.rules
    const recheck = (): never => {
      throw new Error('no full check expected')
    }
    const pack = { name: 'mine', matrices: 'uppercase' as const, vectors: ['theta'], rules }
    storeCache(path, libraryText, pack, { env, build: 'one build' })
    const hit = cachedRules(path, libraryText, { env, build: 'one build' }, recheck)!
    expect({ ...hit, rules: whole(hit.rules), file: hit.file() }).toEqual({ ...pack, rules: whole(rules), file: JSON.parse(libraryText) })
    expect(cachedRules(path, libraryText, { env, build: 'another build' }, recheck)).toBeUndefined()
    expect(cachedRules(path, `${libraryText} `, { env, build: 'one build' }, recheck)).toBeUndefined()
  })

  it('the cache lives in the DERIVE_HOME the CLI was given, not the process environment', async () => {
    const path = write(varied)
    const saved = process.env.DERIVE_HOME
    process.env.DERIVE_HOME = mkdtempSync(join(tmpdir(), 'derive-other-'))
    try {
      const r = await derive(['match', 'f1(a) + f1(a)'], { env })
      expect(r.status).toBe(0)
      expect(readdirSync(join(home, 'cache')).filter((f) => f.startsWith('library-'))).toHaveLength(1)
      expect(existsSync(join(process.env.DERIVE_HOME, 'cache'))).toBe(false)
      expect(path.startsWith(home)).toBe(true)
    } finally {
      rmSync(process.env.DERIVE_HOME, { recursive: true, force: true })
      if (saved === undefined) delete process.env.DERIVE_HOME
      else process.env.DERIVE_HOME = saved
    }
  })

  it(`writing a cache keeps the ${KEEP_CACHES} newest library caches and removes the others`, () => {
    const path = write(varied)
    const dir = join(home, 'cache')
    mkdirSync(dir, { recursive: true })
    const old = Array.from({ length: KEEP_CACHES + 5 }, (_, i) => join(dir, `library-${i.toString(16).padStart(16, '0')}.json`))
    old.forEach((f, i) => {
      writeFileSync(f, 'old')
      const t = new Date(Date.now() - (i + 1) * 86_400_000)
      utimesSync(f, t, t)
    })
    writeFileSync(join(dir, 'notes.json'), 'not a cache')
    loadLibrary({ userLibrary: path, env })
    const left = readdirSync(dir).filter((f) => f.startsWith('library-'))
    expect(left).toHaveLength(KEEP_CACHES)
    // the one just written and the newest of the others stay
    const written = left.filter((f) => !old.includes(join(dir, f)))
    expect(written).toHaveLength(1)
    expect(left.filter((f) => old.includes(join(dir, f))).sort()).toEqual(old.slice(0, KEEP_CACHES - 1).map((f) => f.slice(dir.length + 1)).sort())
    expect(existsSync(join(dir, 'notes.json'))).toBe(true)
  })
})
