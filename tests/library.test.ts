// The library layer: schema errors (file, rule, field, expectation), JSON positions, pure edit plans,
// and the store (atomic save, .bak, lock, unknown fields kept, save-then-load identity).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { RuleSpec } from '../src/core/rule.js'
import { addRule, clashes, planImport, removeRule, selectForExport, slugify, suggestId, withFields } from '../src/library/edit.js'
import { checkPackText, LibraryError, type LoadedPack, mergePacks, readUserPack } from '../src/library/library.js'
import { emptyLibrary, FORMAT, formatProblem, lineColumn, type PackFile, packText, parseJson } from '../src/library/schema.js'
import { backupPath } from '../src/files.js'
import { updateLibrary } from '../src/library/store.js'

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'derive-lib-'))
const rule = (id: string, extra: Partial<RuleSpec> = {}): RuleSpec => ({ id, name: `rule ${id}`, lhs: 'log(a * b)', rhs: 'log(a) + log(b)', ...extra })
const pack = (rules: unknown[], extra: Record<string, unknown> = {}): PackFile => ({ format: FORMAT, name: 'test', rules, ...extra }) as PackFile

const problemsOf = (data: unknown, file = 'pack.json'): string[] => checkPackText(JSON.stringify(data), file, { shipped: false }).problems.map(formatProblem)

describe('schema: one line per problem, naming file, rule, field and what was expected', () => {
  it.each([
    ['a missing format', { name: 'x', rules: [] }, 'pack.json: field "format": expected "derive-rules/1", got nothing'],
    ['rules not a list', { format: FORMAT, name: 'x', rules: 3 }, 'pack.json: field "rules": expected a list, got number 3'],
    ['a bad id (named by index)', pack([rule('Log Product')]), 'pack.json: rule at index 0, field "id": expected lowercase letters, digits and "-"'],
    ['an empty name', pack([rule('x', { name: '  ' })]), 'pack.json: rule "x", field "name": expected a non-empty string, got "  "'],
    ['a missing rhs', pack([{ id: 'x', name: 'x', lhs: 'f(a)' }]), 'pack.json: rule "x", field "rhs": expected string, got nothing'],
    ['a bad kind', pack([rule('x', { kind: 'law' as 'rule' })]), 'pack.json: rule "x", field "kind": expected "rule" or "definition", got "law"'],
    ['a rule that is not an object', pack([7]), 'pack.json: rule at index 0: expected object, got number 7'],
    ['a parse error with its position', pack([rule('x', { rhs: 'log(a) +' })]), 'pack.json: rule "x", field "rhs":'],
    ['an unbound rhs wildcard', pack([rule('x', { lhs: 'f(a)', rhs: 'g(b)' })]), 'pack.json: rule "x", field "rhs": wildcard "b" is not bound'],
    ['a bad condition', pack([rule('x', { where: ['a > 0', 'c > 0'] })]), 'pack.json: rule "x", field "where[1]": "c" is not a wildcard'],
    ['an id used twice', pack([rule('x'), rule('x')]), 'pack.json: rule "x", field "id": used twice (at index 0 and 1)'],
  ])('%s', (_what, data, expected) => {
    const problems = problemsOf(data)
    expect(problems.some((p) => p.startsWith(expected)), problems.join('\n')).toBe(true)
  })

  it('reports every problem of a file, not just the first', () => {
    const problems = problemsOf(pack([rule('Bad'), { id: 'y', name: 'y', lhs: 3, rhs: 'x' }, rule('z', { where: [5] as unknown as string[] })]))
    expect(problems).toHaveLength(3)
    expect(problems.join('\n')).toMatch(/index 0.*"id"[\s\S]*rule "y", field "lhs"[\s\S]*rule "z", field "where.0"/)
  })

  it('reports compile problems of every rule together', () => {
    expect(problemsOf(pack([rule('a', { rhs: 'g(q)' }), rule('b'), rule('c', { lhs: 'x' })]))).toHaveLength(2)
  })

  it('accepts unknown fields at every level and keeps them, in their place', () => {
    const data = { author: 'Ana', format: FORMAT, name: 'x', rules: [{ difficulty: 3, ...rule('a'), notes: { slide: 4 } }] }
    const { pack: loaded, problems } = checkPackText(JSON.stringify(data), 'p.json', { shipped: false })
    expect(problems).toEqual([])
    expect(packText(loaded!.file)).toBe(packText(data as unknown as PackFile))
  })
})

describe('merging packs', () => {
  const loaded = (path: string, shipped: boolean, rules: RuleSpec[]): LoadedPack => {
    const { pack: p, problems } = checkPackText(JSON.stringify(pack(rules)), path, { shipped })
    expect(problems).toEqual([])
    return p!
  }
  it('a personal rule overrides a shipped one with its id, in the shipped rule\'s place', () => {
    const { rules, overridden } = mergePacks([loaded('a.json', true, [rule('x'), rule('y')]), loaded('mine.json', false, [rule('x', { name: 'mine' })])])
    expect(rules.map((r) => [r.id, r.name])).toEqual([['x', 'mine'], ['y', 'rule y']])
    expect([...overridden]).toEqual(['x'])
  })
  it('two shipped packs using one id is refused, naming both files', () => {
    expect(() => mergePacks([loaded('a.json', true, [rule('x')]), loaded('b.json', true, [rule('x')])])).toThrow('b.json: rule "x", field "id": also used in a.json')
  })
})

describe('JSON syntax errors name the line, column and position', () => {
  it.each([
    ['{"a": ', 1, 7, 6],
    ['{\n  "rules": [\n    {"id": "x",}\n  ]\n}', 3, 16, 30],
    ['', 1, 1, 0],
  ])('%j', (text, line, column, position) => {
    const r = parseJson(text, 'lib.json')
    expect('problem' in r).toBe(true)
    if ('problem' in r) expect(formatProblem(r.problem)).toContain(`lib.json: not valid JSON: `)
    if ('problem' in r) expect(r.problem.message).toContain(`at line ${line}, column ${column} (position ${position})`)
  })

  it('lineColumn counts from 1', () => {
    expect(lineColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 })
  })
})

describe('edit plans (pure)', () => {
  it.each([
    ['log of a product', 'log-of-a-product'],
    ['  Bayes’ rule!! ', 'bayes-rule'],
    ['Ableitung von e^x (Kettenregel)', 'ableitung-von-e-x-kettenregel'],
    ['Übung: Varianz', 'ubung-varianz'],
    ['∑∑∑', 'rule'],
    ['a very long name that goes on and on well past any sensible id length', 'a-very-long-name-that-goes-on-and-on'],
  ])('slugify(%j) = %j', (name, id) => {
    expect(slugify(name)).toBe(id)
    expect(slugify(name).length).toBeLessThanOrEqual(40)
  })

  it('suggests the next free id', () => {
    expect(suggestId('log rule', new Set(['log-rule', 'log-rule-2']))).toBe('log-rule-3')
  })

  it('add refuses an id the file has; remove refuses one it lacks', () => {
    const file = addRule(emptyLibrary(), rule('a'))
    expect(() => addRule(file, rule('a'))).toThrow(/already in your library/)
    expect(() => removeRule(file, 'b')).toThrow(/not in your library/)
    expect(removeRule(file, 'a').rules).toEqual([])
  })

  it('withFields sets, keeps and removes fields, leaving others in place', () => {
    const base = { ...rule('a', { tags: ['x'] }), extra: 1 }
    const out = withFields(base, { rhs: 'log(b) + log(a)', tags: [], idea: undefined })
    expect(Object.keys(out)).toEqual(['id', 'name', 'lhs', 'rhs', 'extra'])
    expect(out.rhs).toBe('log(b) + log(a)')
  })

  it('import: identical rules are no clash; different ones are, until resolved', () => {
    const mine = pack([rule('a'), rule('b')])
    const incoming = [rule('a'), rule('b', { rhs: 'log(b) + log(a)' }), rule('c')]
    expect(clashes(mine, incoming, 'in.json').map((p) => p.rule)).toEqual(['rule "b"'])
    expect(() => planImport(mine, incoming, undefined)).toThrow(/clashes/)
    expect(planImport(mine, incoming, 'skip')).toMatchObject({ added: ['c'], skipped: ['a', 'b'] })
    const replaced = planImport(mine, incoming, 'replace')
    expect(replaced.file.rules.find((r) => r.id === 'b')?.rhs).toBe('log(b) + log(a)')
    const renamed = planImport(mine, incoming, 'rename', new Set(['b-2']))
    expect(renamed.renamed).toEqual([{ from: 'b', to: 'b-3' }])
    expect(renamed.file.rules.map((r) => r.id)).toEqual(['a', 'b', 'b-3', 'c'])
  })

  it('export keeps a tag only', () => {
    const file = pack([rule('a', { tags: ['logs'] }), rule('b')])
    expect(selectForExport(file, 'logs').rules.map((r) => r.id)).toEqual(['a'])
    expect(selectForExport(file, undefined).rules).toHaveLength(2)
  })
})

describe('store', () => {
  it('creates the folder and file on first write, then keeps the previous version as .bak', async () => {
    const path = join(tempDir(), 'deep', 'er', 'library.json')
    await updateLibrary(path, (f) => ({ file: addRule(f, rule('a')), value: undefined }))
    const first = readFileSync(path, 'utf8')
    expect(JSON.parse(first)).toMatchObject({ format: FORMAT, name: 'yours', matrices: 'uppercase', rules: [{ id: 'a' }] })
    expect(existsSync(backupPath(path))).toBe(false)
    await updateLibrary(path, (f) => ({ file: addRule(f, rule('b')), value: undefined }))
    expect(readFileSync(backupPath(path), 'utf8')).toBe(first)
  })

  it('a change that throws writes nothing', async () => {
    const path = join(tempDir(), 'library.json')
    await updateLibrary(path, (f) => ({ file: addRule(f, rule('a')), value: undefined }))
    const before = readFileSync(path)
    await expect(updateLibrary(path, (f) => ({ file: addRule(f, rule('a')), value: undefined }))).rejects.toThrow(/already/)
    expect(readFileSync(path)).toEqual(before)
    expect(existsSync(backupPath(path))).toBe(false)
  })

  it('never writes over a library that does not load, and says how to restore it', async () => {
    const path = join(tempDir(), 'library.json')
    writeFileSync(path, '{"format": "derive-rules/1", "name": "yours", "rules": [')
    writeFileSync(backupPath(path), packText(emptyLibrary()))
    const before = readFileSync(path)
    const err = await updateLibrary(path, (f) => ({ file: addRule(f, rule('a')), value: undefined })).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LibraryError)
    expect((err as Error).message).toContain(`${path}: not valid JSON`)
    expect((err as Error).message).toContain(`cp "${backupPath(path)}" "${path}"`)
    expect(readFileSync(path)).toEqual(before)
  })

  it('keeps unknown fields through a change', async () => {
    const path = join(tempDir(), 'library.json')
    writeFileSync(path, packText(pack([{ ...rule('a'), difficulty: 3 }], { author: 'Ana' })))
    await updateLibrary(path, (f) => ({ file: addRule(f, rule('b')), value: undefined }))
    const saved = JSON.parse(readFileSync(path, 'utf8')) as PackFile
    expect(saved.author).toBe('Ana')
    expect(saved.rules[0]).toMatchObject({ id: 'a', difficulty: 3 })
  })

  it('serialises concurrent writers in one process: all land', async () => {
    const path = join(tempDir(), 'library.json')
    await Promise.all(Array.from({ length: 10 }, (_, i) => updateLibrary(path, (f) => ({ file: addRule(f, rule(`r${i}`)), value: undefined }))))
    expect(readUserPack(path)!.file.rules.map((r) => r.id).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `r${i}`).sort())
  })
})

// ---- save then load is identity --------------------------------------------------------------

const wild = fc.constantFrom('a', 'b', 'c', 'x')
const fn = fc.constantFrom('log', 'exp', 'sin', 'f', 'sqrt')
/** An expression over some wildcards, as text; its wildcards are returned with it. */
const exprText: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    wild,
    fc.tuple(fn, tie('e')).map(([f, a]) => `${f}(${a})`),
    fc.tuple(tie('e'), fc.constantFrom('+', '*', '-', '/', '^'), tie('e')).map(([a, op, b]) => `(${a}) ${op} (${b})`),
  ),
})).e
const ruleArb = fc
  .record({
    lhs: exprText.map((e) => `f(${e})`),
    name: fc.string({ minLength: 1 }).filter((s) => s.trim() !== ''),
    idea: fc.option(fc.string(), { nil: undefined }),
    tags: fc.option(fc.array(fc.string()), { nil: undefined }),
    extra: fc.dictionary(
      fc.string().filter((k) => !['id', 'name', 'lhs', 'rhs', 'idea', 'tags', 'kind', 'where', 'reversible', 'source', 'examples', 'literals', 'types', 'unverified', '__proto__'].includes(k)),
      fc.jsonValue(),
      { maxKeys: 2 },
    ),
  })
  .map(({ lhs, name, idea, tags, extra }) => {
    // the rhs reuses the lhs so it binds nothing new
    const spec: RuleSpec = { ...extra, id: 'x', name, lhs, rhs: `g(${lhs.slice(2, -1)})` }
    if (idea !== undefined) spec.idea = idea
    if (tags !== undefined) spec.tags = tags
    return spec
  })

describe('save then load is identity', () => {
  it('for any valid library, unknown fields included', async () => {
    const dir = tempDir()
    let n = 0
    await fc.assert(
      fc.asyncProperty(fc.array(ruleArb, { maxLength: 5 }), async (specs) => {
        const file = pack(specs.map((s, i) => ({ ...s, id: `r-${i}` })))
        const path = join(dir, `lib-${n++}.json`)
        await updateLibrary(path, () => ({ file, value: undefined }))
        const loaded = readUserPack(path)!.file
        expect(loaded).toStrictEqual(JSON.parse(JSON.stringify(file)))
        expect(readFileSync(path, 'utf8')).toBe(packText(file))
      }),
      { numRuns: 40 },
    )
  })
})
