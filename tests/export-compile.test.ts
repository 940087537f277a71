// The TeX export fits the page: rows laid out by tex-align.ts from widths that tex-width.ts
// estimates by counting glyphs. The estimate is measured against pdflatex (on every starter rule
// side), and the exports of long real derivations are compiled: any error or overfull box fails.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseExpr } from '../src/core/parse.js'
import { loadLibrary } from '../src/library/library.js'
import { alignEnvironment, LINE_WIDTH } from '../src/render/tex-align.js'
import { texWidth } from '../src/render/tex-width.js'
import { type Term, texTerms, toTex } from '../src/render/tex.js'
import { derive } from './helpers/cli.js'
import { need } from './helpers/tools.js'

const FIXTURES = join(import.meta.dirname, 'fixtures')
const TEX = 'apt-get install texlive-latex-recommended'

/** pdflatex on a document in a fresh folder; its log. */
function pdflatex(document: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'derive-pdflatex-'))
  writeFileSync(join(dir, 'doc.tex'), document)
  try {
    execFileSync('pdflatex', ['-interaction=nonstopmode', '-halt-on-error', 'doc.tex'], { cwd: dir, stdio: 'ignore', timeout: 60_000 })
  } catch {
    // the log says what went wrong
  }
  return readFileSync(join(dir, 'doc.log'), 'latin1')
}

describe('the width estimate', () => {
  it('counts glyphs: a fraction is as wide as its wider part, a sum as its limits, scripts smaller', () => {
    expect(texWidth('x')).toBe(6)
    expect(texWidth('x + y')).toBeCloseTo(6 * 4.2)
    expect(texWidth('\\frac{a + b}{c}')).toBeCloseTo(texWidth('a + b') + 0.4 * 6)
    expect(texWidth('\\sum_{i=1}^{n} x')).toBeGreaterThan(texWidth('\\sum x'))
    expect(texWidth('x_{i}')).toBeLessThan(texWidth('x i'))
    // the parts of a fraction inside a fraction are smaller
    expect(texWidth('\\frac{\\frac{abc}{d}}{e}')).toBeLessThan(texWidth('\\frac{abc}{d}'))
  })

  it('is within [0.92, 1.6] of the width pdflatex sets for every starter rule side wider than 70pt', (ctx) => {
    if (!need('pdflatex', ctx, TEX)) return
    const lib = loadLibrary()
    const texts = [...new Set(lib.rules.flatMap((r) => [r.lhs, r.rhs, ...(r.spec.examples ?? []).map((x) => parseExpr(x))]).map(toTex))]
    const body = texts.map((t, i) => `\\setbox0\\hbox{$\\displaystyle ${t}$}\\typeout{W${i}:\\the\\wd0}`).join('\n')
    const log = pdflatex(`\\documentclass{article}\\usepackage{amsmath}\\usepackage{amssymb}\\begin{document}\n${body}\n\\end{document}\n`)
    const measured = [...log.matchAll(/W(\d+):([0-9.]+)pt/g)].map((m) => ({ tex: texts[Number(m[1])]!, real: Number(m[2]) }))
    expect(measured).toHaveLength(texts.length)
    const wide = measured.filter((m) => m.real > 70)
    expect(wide.length).toBeGreaterThan(50)
    const off = wide.filter((m) => texWidth(m.tex) < 0.92 * m.real || texWidth(m.tex) > 1.6 * m.real)
    expect(off.map((m) => `${m.tex}: ${m.real}pt, estimated ${texWidth(m.tex).toFixed(1)}pt`)).toEqual([])
  })
})

describe('align* rows', () => {
  const e = (text: string): Term[] => texTerms(parseExpr(text))

  it('a chain of expressions: the first line beside the first =', () => {
    expect(alignEnvironment([{ lead: '', terms: e('log(x*y)') }, { lead: '=', terms: e('log(x) + log(y)'), tag: '(1)' }])).toBe(
      '\\begin{align*}\n  \\log(x y) &= \\log(x) + \\log(y) \\tag*{(1)}\n\\end{align*}\n',
    )
  })

  it('a long line is broken at its top-level + and -, continued after \\quad; every row fits', () => {
    const long = Array.from({ length: 12 }, (_, k) => `sum(w[i]^${k + 2} * x[i], i, 1, n)`).join(' - ')
    const out = alignEnvironment([{ lead: '', terms: e('f(x)') }, { lead: '=', terms: e(long) }])
    const rows = out.split(' \\\\\n')
    expect(rows.length).toBeGreaterThan(2)
    expect(rows.slice(1).every((r) => r.trimStart().startsWith('& \\quad - \\sum'))).toBe(true)
    for (const r of rows) expect(texWidth(r.replace(/\\(begin|end)\{align\*\}/g, ''))).toBeLessThan(LINE_WIDTH - 30)
  })

  it('a single term wider than the page is opened at the + and - inside its parenthesis (\\left( ... \\right. then \\left. ... \\right))', () => {
    const body = Array.from({ length: 14 }, (_, k) => `w[i]^${k + 2} * x[i]`).join(' + ')
    const out = alignEnvironment([{ lead: '', terms: e('f(x)') }, { lead: '=', terms: e(`sum(${body}, i, 1, n)`) }])
    const rows = out.replace(/\\(begin|end)\{align\*\}\n?/g, '').split(' \\\\\n')
    expect(rows.length).toBeGreaterThan(2)
    expect(rows[0]).toMatch(/^ {2}f\(x\) &= \\sum_\{i=1\}\^\{n\} \\left\(w_\{i\}\^\{2\} x_\{i\} .* \\right\.$/)
    expect(rows.at(-1)).toMatch(/^ {2}& \\quad \\left\. \+ .*\\right\)\n$/)
    for (const r of rows.slice(1, -1)) expect(r).toMatch(/^ {2}& \\quad \\left\. \+ .* \\right\.$/)
    for (const r of rows) expect(texWidth(r)).toBeLessThan(LINE_WIDTH - 30)
  })

  it('equations are aligned at their =, with \\iff before the left side', () => {
    const eq = (lead: string, l: string, r: string) => ({ lead, lhs: e(l), terms: e(r) })
    expect(alignEnvironment([eq('', 'n * sigma^2', 'S'), eq('\\iff', 'sigma^2', 'S / n')])).toBe(
      '\\begin{align*}\n  n \\sigma^{2} &= S \\\\\n  \\iff \\sigma^{2} &= \\frac{S}{n}\n\\end{align*}\n',
    )
  })

  it('a left side too wide for its column moves every line to the right column, in one align*', () => {
    const wide = 'log(prod(1/(sqrt(2*pi)*sigma) * exp(-(x[i] - mu)^2/(2*sigma^2)), i, 1, n))'
    const out = alignEnvironment([
      { lead: '', terms: e('sum(log(p[i]), i, 1, n)') },
      { lead: '=', terms: e('sum(log(q[i]), i, 1, n)') },
      { lead: '', lhs: e(`diff(${wide}, mu)`), terms: e('0') },
      { lead: '\\iff', lhs: e('mu'), terms: e('m') },
    ])
    expect(out.match(/\\begin\{align\*\}/g)).toHaveLength(1)
    expect(out.split(' \\\\\n').map((r) => r.replace('\\begin{align*}\n', '').slice(0, 14))).toEqual(['  & \\sum_{i=1}', '  &= \\sum_{i=1', '  & \\frac{d}{d', '  & \\iff \\mu ='])
  })
})

describe('the exported TeX reads back', () => {
  it('derive check reads the TeX export of chains of expressions (tags, \\quad continuations): every step still holds', { timeout: 240_000 }, async () => {
    const tex = await derive(['export', join(FIXTURES, 'export', 'lecture.txt'), '--format', 'tex'])
    const file = join(mkdtempSync(join(tmpdir(), 'derive-tex-')), 'lecture.tex')
    writeFileSync(file, tex.stdout)
    const r = await derive(['check', file])
    expect(r.stdout).not.toContain('unreadable')
    expect(r.stdout).toMatch(/every step holds\n$/)
    expect(r.status).toBe(0)
  })
})

describe('pdflatex compiles the export of a long real derivation with no error and no overfull box', () => {
  it.for([
    ['homework/gauss-mle.txt', 'CS229/Bishop Gaussian MLE in two parts'],
    ['export/lecture.txt', 'logistic regression, the expanded Gaussian log-likelihood, a squared error with a term wider than the page'],
    ['export/gauss.json', 'a saved derivation'],
  ])('%s (%s)', { timeout: 240_000 }, async ([file], ctx) => {
    if (!need('pdflatex', ctx, TEX)) return
    const r = await derive(['export', join(FIXTURES, file!), '--format', 'tex', '--standalone', '--verdicts'])
    expect(r.stderr).toBe('')
    const log = pdflatex(r.stdout)
    expect(log).toContain('Output written on doc.pdf')
    expect(log.split('\n').filter((l) => /^!|Overfull/.test(l))).toEqual([])
  })
})
