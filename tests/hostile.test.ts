// A classmate's pack is data from someone we do not know (issue 12): loading, importing, checking
// and using it never runs code, never writes outside the library, and never crashes derive.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { derive, tempHome } from './helpers/cli.js'

// Each of these would leave the sentinel file behind (or print PWNED) if any part of it were
// evaluated as JavaScript or as a mathjs script.
const sentinel = (dir: string): string => join(dir, 'pwned')
const payloads = (dir: string): string[] => {
  const file = JSON.stringify(sentinel(dir))
  const js = `require('fs').writeFileSync(${file}, 'x')`
  return [
    `import(${file})`,
    `constructor.constructor("${js.replace(/"/g, '\\"')}")()`,
    `evaluate("${js.replace(/"/g, '\\"')}")`,
    `f(x) = x`,
    `x = 5`,
    `createUnit("pwned")`,
    `import({pwned: 1})`,
    `__proto__.polluted`,
    `toString.constructor("return process")()`,
    `"${js.replace(/"/g, '\\"')}"`,
    `\`${js}\``,
    '${process.exit(7)}',
    `parse("x")`,
    `compile("1+1").evaluate()`,
  ]
}

const HOSTILE_IDS = ['../../etc/passwd', '/tmp/x', 'constructor', '__proto__', 'toString', 'a\u0000b', '..', 'con', 'x'.repeat(5000)]
const HOSTILE_NAMES = ['constructor', '__proto__', 'prototype', 'hasOwnProperty', '<script>alert(1)</script>', '\u202eevil', '$(rm -rf ~)']

// Function names that would run code if derive handed an expression to an evaluator.
const DANGEROUS = ['evaluate', 'import', 'createUnit', 'parse', 'compile', 'require', 'eval', 'Function', 'constructor', 'toString', 'valueOf', '__proto__', 'hasOwnProperty', 'process', 'globalThis']

/** A pack of well-formed rules whose every field is hostile: it must import, and stay data. */
function dangerousPack(): unknown {
  const rules: Record<string, unknown>[] = DANGEROUS.map((f, k) => ({
    id: `d${k}`,
    name: HOSTILE_NAMES[k % HOSTILE_NAMES.length],
    lhs: `${f}(a * b)`,
    rhs: `${f}(b) + ${f}(a)`,
    where: [`${f}(a) > 0`],
    tags: [f, ...HOSTILE_NAMES],
    idea: HOSTILE_NAMES.join(' '),
    source: '../../etc/passwd',
    examples: [`${f}(x * y)`],
  }))
  rules.push({ id: 'proto-types', name: 'types', lhs: 'constructor * toString', rhs: 'toString * constructor', types: { constructor: 'vector', toString: 'scalar' } })
  return { format: 'derive-rules/1', name: 'constructor', description: '__proto__', rules }
}

/** Every file under dir (relative paths), to see that nothing was written where it should not be. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()
}

function sound(r: { status: number; stdout: string; stderr: string }, dir: string): void {
  expect([0, 1, 2]).toContain(r.status)
  expect(r.stderr).not.toMatch(/internal error/)
  expect(r.stdout + r.stderr).not.toMatch(/PWNED/)
  expect(existsSync(sentinel(dir))).toBe(false)
}

describe('a hostile pack', () => {
  const home = tempHome()
  const work = join(home, 'work')
  mkdirSync(work)
  const env = { DERIVE_HOME: home }
  const library = join(home, 'library.json')
  const write = (name: string, data: unknown): { file: string; text: string } => {
    const file = join(work, name)
    const text = JSON.stringify(data, null, 1)
    writeFileSync(file, text)
    return { file, text }
  }

  it('ids that name paths, and expressions that would run code, are refused in one message; nothing is written', async () => {
    const bad = write('bad-ids.json', { format: 'derive-rules/1', name: 'x', rules: HOSTILE_IDS.map((id) => ({ id, name: 'bad id', lhs: 'log(a * b)', rhs: 'log(a) + log(b)' })) })
    const before = tree(work)
    for (const args of [['rules', 'import', bad.file], ['rules', 'import', bad.file, '--force', '--rename'], ['--library', bad.file, 'match', 'log(x * y)']]) {
      const r = await derive(args, { env })
      sound(r, work)
      expect(r.status).toBe(2)
    }
    for (const [k, p] of payloads(work).entries()) {
      const one = write(`payload-${k}.json`, { format: 'derive-rules/1', name: 'x', rules: [{ id: 'p', name: 'p', lhs: p, rhs: 'x', where: [p], examples: [p] }] })
      const r = await derive(['rules', 'import', one.file, '--force'], { env })
      sound(r, work)
      expect(r.status, `${p}: ${r.stderr}`).toBe(2)
      expect(r.stderr.split('\n').filter((l) => l.startsWith('derive: error'))).toHaveLength(1)
      expect(readFileSync(one.file, 'utf8')).toBe(one.text)
    }
    expect(tree(work).filter((f) => !f.startsWith('payload-'))).toEqual(before)
    expect(existsSync(library)).toBe(false)
  }, 300_000)

  it('well-formed rules with hostile names import as data and are used as data', async () => {
    const pack = write('dangerous.json', dangerousPack())
    const before = tree(work)
    const imported = await derive(['rules', 'import', pack.file, '--force'], { env })
    sound(imported, work)
    expect(imported.status, imported.stderr).toBe(0)
    const runs = [
      ['match', 'evaluate(x * y)'],
      ['match', 'constructor(x * y) + toString(p * q)'],
      ['rules', 'check'],
      ['rules', 'list'],
      ['rules', 'show', 'd0'],
      ['explain', 'import(x * y)', '--code', 'python'],
      ['explain', '__proto__(x) + valueOf(y)', '--code', 'js'],
      ['why', 'require(x * y)', 'require(y) + require(x)'],
      ['apply', 'eval(x * y)', 'd6'],
      ['practice', '--json'],
      ['rules', 'export', '--output', join(home, 'out.json')],
    ]
    for (const args of runs) sound(await derive(args, { env }), work)
    expect(readFileSync(pack.file, 'utf8')).toBe(pack.text)
    expect(tree(work)).toEqual(before)
    const saved = JSON.parse(readFileSync(library, 'utf8')) as { rules: { id: string; lhs: string }[] }
    expect(saved.rules.map((r) => r.lhs)).toContain('evaluate(a * b)')
    for (const rule of saved.rules) expect(rule.id).toMatch(/^[a-z0-9][a-z0-9-]*$/)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  }, 300_000)
})
