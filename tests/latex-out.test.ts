// --latex: answers as LaTeX that derive reads back (and `derive check FILE.tex` checks again);
// rules add takes LaTeX sides and stores them in derive's notation.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { key } from '../src/core/equal.js'
import { parseExpr } from '../src/core/parse.js'
import { derive } from './helpers/cli.js'

describe('--latex on output commands', () => {
  it('apply prints the new expression as LaTeX, which reads back as the same expression', async () => {
    const plain = await derive(['apply', 'log(x * y)', 'log-product'])
    const tex = await derive(['apply', 'log(x * y)', 'log-product', '--latex'])
    expect(tex.status).toBe(0)
    expect(tex.stdout.trim()).toBe('\\log(x) + \\log(y)')
    expect(key(parseExpr(tex.stdout.trim()))).toBe(key(parseExpr(plain.stdout.split('\n')[0]!)))
  })
  it('match lists each fit as LaTeX with its rule and position', async () => {
    const r = await derive(['match', 'log(x * y)', '--latex', '--rule', 'log-product'])
    expect(r.stdout.trim()).toBe('\\log(x) + \\log(y) % by log-product at .')
  })
  it('why prints an align* that derive check FILE.tex reads back and explains', async () => {
    const r = await derive(['why', '\\log(x y^2)', 'log(x) + 2 log(y)', '--latex'])
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^\\begin\{align\*\}\n/)
    // a shortest chain, each step named (log-product then log-power, or via exp and log)
    expect(r.stdout.match(/\\text\{\(by [a-z-]+\)\}/g)).toHaveLength(2)
    const file = join(mkdtempSync(join(tmpdir(), 'derive-latex-')), 'why.tex')
    writeFileSync(file, r.stdout)
    const back = await derive(['check', file, '--json'])
    expect(back.status).toBe(0)
    const steps = JSON.parse(back.stdout) as { verdict: string; claimed?: { holds: boolean } }[]
    expect(steps.every((s) => s.verdict === 'explained')).toBe(true)
    expect(steps.some((s) => s.claimed?.holds)).toBe(true)
  })
  it('a wrong step is shown with \\neq; --json wins over --latex', async () => {
    const r = await derive(['why', 'log(x + y)', 'log(x) + log(y)', '--latex'])
    expect(r.status).toBe(1)
    expect(r.stdout).toContain('\\neq')
    const j = await derive(['why', 'log(x * y)', 'log(x) + log(y)', '--latex', '--json'])
    expect(JSON.parse(j.stdout).verdict).toBe('explained')
  })
})

describe('rules add with LaTeX sides', () => {
  it('stores the sides in derive notation and the rule fits plain input', async () => {
    const home = mkdtempSync(join(tmpdir(), 'derive-home-'))
    const env = { DERIVE_HOME: home }
    const add = await derive(['rules', 'add', '--name', 'half square', '--lhs', '\\frac{a^2}{2}', '--rhs', '\\frac{1}{2} a \\cdot a'], { env })
    expect(add.status, add.stderr).toBe(0)
    const lib = JSON.parse(readFileSync(join(home, 'library.json'), 'utf8')) as { rules: { lhs: string; rhs: string }[] }
    expect(lib.rules[0]!.lhs).not.toContain('\\')
    expect(lib.rules[0]!.rhs).not.toContain('\\')
    const m = await derive(['match', 'x^2 / 2', '--json'], { env })
    expect(JSON.parse(m.stdout).map((f: { rule: string }) => f.rule)).toContain('half-square')
  })
  it('an unreadable LaTeX side is refused with its position', async () => {
    const home = mkdtempSync(join(tmpdir(), 'derive-home-'))
    const r = await derive(['rules', 'add', '--name', 'bad', '--lhs', 'a \\odot b', '--rhs', 'b'], { env: { DERIVE_HOME: home } })
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('\\odot')
  })
})

describe('notes in TeX text', () => {
  it('a power in a rule name or verdict is a superscript, not an escaped caret', async () => {
    const { noteText } = await import('../src/render/tex.js')
    expect(noteText('provided sigma ^ 3 > 0')).toBe('provided sigma\\textsuperscript{3} > 0')
    expect(noteText('cosh^2 - sinh^2 = 1')).toBe('cosh\\textsuperscript{2} - sinh\\textsuperscript{2} = 1')
    expect(noteText('derivative of x^(n-1) and a_b')).toBe('derivative of x\\textsuperscript{n-1} and a\\_b')
    expect(noteText('a lone ^')).toBe('a lone \\^{}')
  })
  it('derive export --format tex writes the rule name cosh^2 - sinh^2 = 1 with superscripts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'derive-note-'))
    const file = join(dir, 'hyp.txt')
    writeFileSync(file, 'cosh(x)^2 - sinh(x)^2\n1\n')
    const r = await derive(['export', file, '--format', 'tex'])
    expect(r.stdout).toContain('cosh\\textsuperscript{2} - sinh\\textsuperscript{2} = 1')
    expect(r.stdout).not.toContain('\\^{}')
  })
})
