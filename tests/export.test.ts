// LaTeX printing (a table of exact strings; every rule side of the starter library and random
// expressions must be TeX that KaTeX reads), and derive show / export on a saved derivation
// compared with golden files (UPDATE_GOLDEN=1 rewrites them), plus their failures (exit 2).
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import katex from 'katex'
import { describe, expect, it } from 'vitest'
import { add, call, type Expr, mul, neg, num, pow, sym } from '../src/core/expr.js'
import { parseExpr } from '../src/core/parse.js'
import { loadLibrary } from '../src/library/library.js'
import { type DerivationView, savedParts, toLatex, toMarkdown } from '../src/render/derivation.js'
import { assumptionTex, symbolTex, toTex } from '../src/render/tex.js'
import { apply, startDerivation } from '../src/session/derivation.js'
import { tempHome } from './helpers/cli.js'
import { runIn } from './helpers/run-with.js'

/** Does KaTeX (which is strict about TeX it cannot typeset) read this? */
const katexReads = (tex: string, displayMode = false): void => void katex.renderToString(tex, { throwOnError: true, displayMode, output: 'mathml' })

describe('toTex', () => {
  const table: [string, string][] = [
    ['log(x * y * z)', '\\log(x y z)'],
    ['log(x) - log(y)', '\\log(x) - \\log(y)'],
    ['sum(x[i] - mu, i, 1, n)', '\\sum_{i=1}^{n} \\left(x_{i} - \\mu\\right)'],
    ['c * sum(x[i], i, 1, n)', 'c \\sum_{i=1}^{n} x_{i}'],
    ['sum(x[i], i, 1, n) * c', '\\left(\\sum_{i=1}^{n} x_{i}\\right) c'],
    ['prod(p[i], i, 1, n)', '\\prod_{i=1}^{n} p_{i}'],
    ['diff(x^2 + 3*x, x)', '\\frac{d}{dx} \\left(x^{2} + 3 x\\right)'],
    ['diff(sin(theta), theta)', '\\frac{d}{d\\theta} \\sin(\\theta)'],
    ['1/(sqrt(2*pi)*sigma) * exp(-(x - mu)^2 / (2*sigma^2))', '\\frac{1}{\\sqrt{2 \\pi} \\sigma} \\exp\\left(-\\frac{(x - \\mu)^{2}}{2 \\sigma^{2}}\\right)'],
    ['n / 2 * log(2 * pi)', '\\frac{n}{2} \\log(2 \\pi)'],
    ['exp(t) / (1 + exp(t))', '\\frac{\\exp(t)}{1 + \\exp(t)}'],
    ['x^-2', '\\frac{1}{x^{2}}'],
    ['(a / b)^2', '\\left(\\frac{a}{b}\\right)^{2}'],
    ['-(a + b)', '-(a + b)'],
    ['2 * 3 * x', '2 \\cdot 3 x'],
    ["(A * B)'", '(A B)^{\\top}'],
    ["inv(A * B)'", '((A B)^{-1})^{\\top}'],
    ["x' * inv(A) * x", 'x^{\\top} A^{-1} x'],
    ['trace(A * B) + det(A)', '\\operatorname{tr}(A B) + \\det(A)'],
    ['sqrt(x)^2', '\\left(\\sqrt{x}\\right)^{2}'],
    ['abs(x - y)', '\\left\\lvert x - y \\right\\rvert'],
    ['int(x^2, x, 0, 1)', '\\int_{0}^{1} x^{2} \\, dx'],
    ['log(x, 2)', '\\log_{2}(x)'],
    ['P(A | B) * P(B)', 'P(A \\mid B) P(B)'],
    ['E(2 * X + Y) + Var(X)', '\\mathbb{E}[2 X + Y] + \\operatorname{Var}(X)'],
    ['sigmoid(z) * (1 - sigmoid(z))', '\\operatorname{sigmoid}(z) (1 - \\operatorname{sigmoid}(z))'],
    ['b * g + h * l * m * s * t', 'b g + h l m s t'],
    ['yhat - y + theta0 + x_i + σ', '\\hat{y} - y + \\theta_{0} + x_{i} + \\sigma'],
    ['Sigma + lambda * lr', '\\Sigma + \\lambda \\mathit{lr}'],
    ['x[i, j] + n!', 'x_{i,j} + n!'],
    ['0.001 * x + 1e25', '0.001 x + 1 \\times 10^{25}'],
    ['a * (-2)', 'a \\cdot (-2)'],
    ['(-2)^n + (-x)^2 - x^2', '(-2)^{n} + (-x)^{2} - x^{2}'],
  ]
  it.each(table)('%s', (text, tex) => {
    expect(toTex(parseExpr(text))).toBe(tex)
    katexReads(tex)
  })

  it('symbol names', () => {
    expect(['x', 'sigma', 'Sigma', 'x_i', 'w_ij', 'theta0', 'yhat', 'xbar', 'mutilde', 'alpha_1', 'loss', 'μ', 'Ω'].map(symbolTex)).toEqual([
      'x',
      '\\sigma',
      '\\Sigma',
      'x_{i}',
      'w_{\\mathit{ij}}',
      '\\theta_{0}',
      '\\hat{y}',
      '\\bar{x}',
      '\\tilde{\\mu}',
      '\\alpha_{1}',
      '\\mathit{loss}',
      '\\mu',
      '\\Omega',
    ])
  })

  it('assumptions', () => {
    expect(assumptionTex('x > 0')).toBe('x > 0')
    expect(assumptionTex('y * z >= 1')).toBe('y z \\geq 1')
    expect(assumptionTex('a != 0')).toBe('a \\neq 0')
    expect(assumptionTex('sigma <= 1')).toBe('\\sigma \\leq 1')
    expect(assumptionTex('n is an integer')).toBe('n \\in \\mathbb{Z}')
    expect(assumptionTex('50% sure & more')).toBe('\\text{50\\% sure \\& more}')
  })

  it('every side and example of every starter rule prints as TeX that KaTeX reads', () => {
    const lib = loadLibrary()
    let n = 0
    for (const r of lib.rules) {
      for (const e of [r.lhs, r.rhs, ...(r.spec.examples ?? []).map((x) => parseExpr(x))]) {
        katexReads(toTex(e))
        n++
      }
      for (const w of r.spec.where ?? []) if (!/^[a-z]+\(/.test(w)) katexReads(assumptionTex(w))
    }
    expect(n).toBeGreaterThan(500)
  })

  const expr: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => ({
    e: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.oneof(fc.integer({ min: -3, max: 12 }), fc.constantFrom(0.5, 1e-7, 1e30)).map(num),
      fc.constantFrom('x', 'y', 'A', 'sigma', 'x_i', 'yhat', 'lr', 'theta0').map(sym),
      fc.array(tie('e'), { minLength: 2, maxLength: 3 }).map(add),
      fc.array(tie('e'), { minLength: 2, maxLength: 3 }).map(mul),
      fc.tuple(tie('e'), tie('e')).map(([b, k]) => pow(b, k)),
      fc.tuple(tie('e'), fc.integer({ min: -3, max: -1 })).map(([b, k]) => pow(b, num(k))),
      tie('e').map(neg),
      fc.tuple(fc.constantFrom('log', 'exp', 'sigmoid', 'sqrt', 'abs', 'inv', 'E', 'f'), tie('e')).map(([f, a]) => call(f, [a])),
      fc.tuple(fc.constantFrom('sum', 'prod'), tie('e')).map(([f, body]) => call(f, [body, sym('i'), num(1), sym('n')])),
      fc.tuple(fc.constantFrom('diff', 'int'), tie('e')).map(([f, body]) => call(f, [body, sym('x')])),
      tie('e').map((a) => call("'", [a])),
      tie('e').map((a) => call('[]', [a, sym('i')])),
    ),
  })).e

  it('property: any expression prints as TeX that KaTeX reads', () => {
    fc.assert(
      fc.property(expr, (e) => {
        katexReads(toTex(e))
      }),
      { numRuns: 500 },
    )
  })
})

// ---- show and export -------------------------------------------------------------------------

const FIXTURES = join(import.meta.dirname, 'fixtures', 'export')
const golden = (name: string, actual: string): void => {
  const file = join(FIXTURES, name)
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, actual)
  expect(actual).toBe(readFileSync(file, 'utf8'))
}

/** derive ARGS in the fixtures folder. */
const inFixtures = (args: string[]) => runIn(tempHome(), args, { cwd: FIXTURES })

describe('derive show and export on a saved derivation (CS229 §1.3, the Gaussian log-likelihood)', () => {
  it('show: numbered lines, each step with its rule, position and assumptions; the goal status', async () => {
    const r = await inFixtures(['show', 'gauss.json'])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    golden('gauss.show.txt', r.stdout)
  })

  it('show --json: the file normalised (SPEC §5)', async () => {
    const r = await inFixtures(['show', 'gauss.json', '--json'])
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(readFileSync(join(FIXTURES, 'gauss.json'), 'utf8')))
  })

  it.each([
    ['md', [], 'gauss.md'],
    ['tex', [], 'gauss.tex'],
    ['tex', ['--standalone'], 'gauss.standalone.tex'],
    ['html', [], 'gauss.html'],
  ])('export --format %s %s', async (format, extra, file) => {
    const r = await inFixtures(['export', 'gauss.json', '--format', format, ...extra])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    // the golden page without KaTeX's stylesheet (its fonts inlined, 400 KB), checked below
    golden(file, r.stdout.replace(/<style id="katex">[^<]*<\/style>/, '<style id="katex"></style>'))
  })

  it('the align* environments and every Markdown formula are TeX that KaTeX reads', async () => {
    const aligns = readFileSync(join(FIXTURES, 'gauss.tex'), 'utf8').match(/\\begin\{align\*\}[^]*?\\end\{align\*\}/g) ?? []
    expect(aligns.length).toBeGreaterThan(0)
    for (const a of aligns) katexReads(a, true)
    const md = readFileSync(join(FIXTURES, 'gauss.md'), 'utf8')
    const formulas = [...md.matchAll(/\$([^$]+)\$/g)].map((m) => m[1]!)
    expect(formulas.length).toBeGreaterThan(10)
    for (const f of formulas) katexReads(f)
  })

  it('html: a standalone page, every formula typeset by KaTeX in display style; its stylesheet and fonts inside the page', async () => {
    const page = readFileSync(join(FIXTURES, 'gauss.html'), 'utf8')
    expect(page).toMatch(/^<!DOCTYPE html>/)
    // no URL but the MathML and SVG namespaces
    expect(page).not.toMatch(/<script|<link|https?:\/\/(?!www\.w3\.org\/(1998\/Math\/MathML|2000\/svg)")/)
    expect(page).not.toContain('<code>\\')
    // a row per line: the start is too wide to stand beside the first =
    expect(page.match(/<tr>/g)).toHaveLength(7)
    expect(page.match(/\\displaystyle/g)!.length).toBeGreaterThanOrEqual(6)
    expect(page).toContain('<p class="assume">Assuming ')
    expect(page).toContain('<span class="idea">')
    const full = (await inFixtures(['export', 'gauss.json', '--format', 'html'])).stdout
    const css = /<style id="katex">([^<]*)<\/style>/.exec(full)![1]!
    const fonts = [...css.matchAll(/src:(url\([^)]*\)[^;}]*)/g)].map((m) => m[1]!)
    expect(fonts.length).toBeGreaterThanOrEqual(20)
    for (const f of fonts) expect(f).toMatch(/^url\(data:font\/woff2;base64,[A-Za-z0-9+/=]{1000,}\) format\("woff2"\)$/)
    expect(css).not.toMatch(/url\((?!data:)/)
  })

  it('-o writes the file atomically and says so; the derivation itself is never overwritten', async () => {
    const home = tempHome()
    copyFileSync(join(FIXTURES, 'gauss.json'), join(home, 'g.json'))
    const r = await runIn(home, ['export', 'g.json', '--format', 'tex', '-o', 'out/g.tex'], { cwd: home })
    expect(r.status).toBe(0)
    expect(r.stdout).toBe('wrote out/g.tex\n')
    expect(readFileSync(join(home, 'out', 'g.tex'), 'utf8')).toBe(readFileSync(join(FIXTURES, 'gauss.tex'), 'utf8'))
    const same = await runIn(home, ['export', 'g.json', '--format', 'md', '-o', './g.json'], { cwd: home })
    expect(same.status).toBe(2)
    expect(same.stderr).toBe('derive: error: -o ./g.json is the derivation itself; choose another output file\n')
  })
})

describe('rendering details', () => {
  const e = parseExpr
  const view = (steps: [string, 'forward' | 'reverse', string][], nameOf: (id: string) => string | undefined = () => undefined): DerivationView => {
    let d = startDerivation(e('log(x) + log(y)'))
    let from = d.start
    for (const [rule, direction, to] of steps) {
      d = apply(d, { rule, direction, at: '.', from, to: e(to), assumes: [] })
      from = e(to)
    }
    return { derivation: d, nameOf, reached: false }
  }

  it('a reverse step, a rule missing from the library, an algebra label; no goal line without a goal', () => {
    const v = view(
      [
        ['log-product', 'reverse', 'log(x * y)'],
        ['gone-rule', 'forward', 'log(y * x)'],
        ['algebra: reorder', 'forward', 'log(x * y)'],
      ],
      (id) => (id === 'log-product' ? 'log of a product' : undefined),
    )
    expect(toMarkdown(savedParts(v))).toBe(
      [
        '1. $\\log(x) + \\log(y)$',
        '2. $= \\log(x y)$ — log of a product, right to left (`log-product`)',
        '3. $= \\log(y x)$ — rule gone-rule (not in your library) (`gone-rule`)',
        '4. $= \\log(x y)$ — algebra: reorder',
        '',
      ].join('\n'),
    )
    expect(toLatex(savedParts(v))).toBe(
      [
        '\\begin{align*}',
        '  \\log(x) + \\log(y) &= \\log(x y) \\tag*{(1)} \\\\',
        '  &= \\log(y x) \\tag*{(2)} \\\\',
        '  &= \\log(x y) \\tag*{(3)}',
        '\\end{align*}',
        '\\begin{itemize}\\small',
        '  \\item[(1)] log of a product, right to left',
        '  \\item[(2)] rule gone-rule (not in your library)',
        '  \\item[(3)] algebra: reorder',
        '\\end{itemize}',
        '',
      ].join('\n'),
    )
  })

  it('a derivation with no steps is its start alone', () => {
    expect(toLatex(savedParts(view([])))).toBe('\\begin{align*}\n  & \\log(x) + \\log(y)\n\\end{align*}\n')
  })
})

describe('derive show / export refuse, exit 2 with one line', () => {
  it.each([
    [['export', 'gauss.json', '--format', 'pdf'], 'derive: error: --format must be md, tex or html, got "pdf"'],
    [['export', 'gauss.json'], "derive: error: required option '--format <format>' not specified"],
    [['export', 'missing.json', '--format', 'md'], 'derive: error: cannot read missing.json: no such file'],
    [['show', 'missing.json'], 'derive: error: cannot read missing.json: no such file'],
    [['show', 'gauss.md'], /^derive: error: gauss\.md: no line reads as math \(line 1: cannot read .*\)$/],
    [['show', 'broken.json'], /^derive: error: broken\.json: not valid JSON: .* at line 1, column \d+ \(position \d+\)$/],
  ])('%j', async (args, message) => {
    const r = await inFixtures(args as string[])
    expect(r.status).toBe(2)
    const line = r.stderr.trimEnd()
    expect(line.split('\n')).toHaveLength(1)
    if (typeof message === 'string') expect(line).toBe(message)
    else expect(line).toMatch(message)
  })
})
