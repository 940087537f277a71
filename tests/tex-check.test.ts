// derive check FILE.tex: the derivations in a LaTeX file's math environments, checked like a
// derivation typed in derive's notation.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { texDerivations } from '../src/session/tex-file.js'
import { derive } from './helpers/cli.js'

const fixtures = join(import.meta.dirname, 'fixtures', 'tex')

function texFile(body: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'derive-tex-')), 'homework.tex')
  writeFileSync(file, body)
  return file
}

describe('extracting derivations from LaTeX', () => {
  it('reads align*, with each &= continuing the derivation and claims from % by and \\text{(by ...)}', () => {
    const src = ['x', '\\begin{align*}', 'a &= b \\\\', '  &= c \\\\ % by rule-one', '  &= d \\text{(by rule-two)}', '\\end{align*}'].join('\n')
    const [d] = texDerivations(src)
    expect(d!.environment).toBe('align*')
    expect(d!.lines.map((l) => [l.latex.trim(), l.line, l.claimed])).toEqual([
      ['a', 3, undefined],
      ['b', 3, undefined],
      ['c', 4, 'rule-one'],
      ['d', 5, 'rule-two'],
    ])
    // offsets point at the text in the source
    for (const l of d!.lines) expect(src.slice(l.offset, l.offset + l.latex.length).replace('&', ' ').trim().startsWith(l.latex.trim())).toBe(true)
  })

  it('reads every kind of math environment, each its own derivation', () => {
    const src = '\\begin{equation} a = b \\end{equation} text \\[ c = d \\] more $$e = f$$ \\begin{align} g &= h \\label{x} \\nonumber \\end{align}'
    const ds = texDerivations(src)
    expect(ds.map((d) => d.environment)).toEqual(['equation', '\\[', '$$', 'align'])
    expect(ds.map((d) => d.lines.map((l) => l.latex.trim()))).toEqual([['a', 'b'], ['c', 'd'], ['e', 'f'], ['g', 'h']])
  })

  it('a row without "=" continues the expression above it; an = inside braces does not split', () => {
    const [d] = texDerivations('\\begin{align*} a &= b \\\\ &\\quad + c \\\\ &= \\frac{x}{y=1} \\end{align*}')
    expect(d!.lines.map((l) => l.latex.replace(/\s+/g, ' ').trim())).toEqual(['a', 'b \\quad + c', '\\frac{x}{y=1}'])
  })

  it('a parenthesis broken across rows (\\right. at the end of one, \\left. after the \\quad of the next) is one parenthesis', () => {
    const [d] = texDerivations('\\begin{align*} a &= \\sum_{i} \\left(x_{i} \\right. \\tag*{(1)} \\\\ & \\quad \\left. + y_{i}\\right) \\end{align*}')
    expect(d!.lines.map((l) => l.latex.replace(/\s+/g, ' ').trim())).toEqual(['a', '\\sum_{i} \\left(x_{i} \\quad + y_{i}\\right)'])
  })

  it('comments outside math are ignored, and a sentence-ending full stop is not math', () => {
    const ds = texDerivations('% \\begin{align*} x = y \\end{align*}\n\\begin{equation} a = b. \\end{equation}')
    expect(ds.map((d) => d.lines.map((l) => l.latex.trim()))).toEqual([['a', 'b']])
  })
})

describe('derive check FILE.tex', () => {
  it('gives the same table as the same derivation typed in derive notation (Gaussian log-likelihood)', { timeout: 240_000 }, async () => {
    const tex = await derive(['check', join(fixtures, 'gaussian-loglik.tex')])
    const plain = await derive(['check', join(fixtures, 'gaussian-loglik.txt')])
    expect(plain.status).toBe(0)
    expect(tex.status).toBe(plain.status)
    // the text file's first comment is its title, shown as a heading; the table is the same
    expect(plain.stdout).toMatch(/^the Gaussian log-likelihood \(line 1\)\n/)
    expect(tex.stdout).toBe(plain.stdout.replace(/^.*\n/, ''))
    expect(tex.stdout).toContain('every step holds')
  })

  it('a wrong step is found, and the claimed rule is checked', async () => {
    const file = texFile('\\begin{align*}\n\\log(x y) &= \\log x + \\log y % by log-product\n &= \\log x \\log y\n\\end{align*}\n')
    const r = await derive(['check', file, '--json'])
    expect(r.status).toBe(1)
    const steps = JSON.parse(r.stdout)
    expect(steps.map((s: { verdict: string }) => s.verdict)).toEqual(['explained', 'not-equal'])
    expect(steps[0].claimed).toEqual({ rule: 'log-product', holds: true })
  })

  it('steps never cross from one environment to the next', async () => {
    const file = texFile('\\begin{equation} a + b = b + a \\end{equation}\n\\begin{equation} x = x \\end{equation}\n')
    const r = await derive(['check', file, '--json'])
    expect(JSON.parse(r.stdout)).toHaveLength(2)
  })

  it('an unreadable expression is reported in its row with its column in the .tex file; the rest is checked', async () => {
    const file = texFile('\\begin{align*}\n a + b &= b + a \\\\\n   &= c \\odot d\n\\end{align*}\n')
    const r = await derive(['check', file])
    expect(r.status).toBe(1)
    expect(r.stdout).toMatch(/2\s+explained/)
    expect(r.stdout).toMatch(/3\s+unreadable\s+cannot read "c \\odot d" \(column 9\)/)
  })

  it('a .tex file without math says so', async () => {
    const r = await derive(['check', texFile('just prose\n')])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('no math environment')
  })
})
