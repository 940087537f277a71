// LaTeX input (SPEC §1.2): the shared corpus of real formulas from ML notes and textbooks, each
// handled as it says; refusals name the construct at its position; derive's own TeX reads back.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { call, type Expr, neg, num, OPS, sub, sym } from '../src/core/expr.js'
import { ParseError, parseExpr } from '../src/core/parse.js'
import { print } from '../src/core/print.js'
import { toTex } from '../src/render/tex.js'
import { sameLine } from '../src/session/derivation.js'
import { expOf, read } from './helpers/latex.js'

interface Item {
  id: string
  latex: string
  expect: string | null
  ambiguous: boolean
  note: string
}

const corpus: Item[] = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'latex.json'), 'utf8'))

/** For each refused item: a word of the construct the message must name. */
const REFUSAL: Record<string, RegExp> = {
  'ash-vae-elbo': /\\_/,
  'cs229-maximize-text': /\\text\{maximize\}/,
  'cs229-newton-vector': /\\nabla|gradient/,
  'cs229-sigmoid-dfrac': /"="/,
  'd2l-it-kl': /E_\{x/,
  'd2l-it-pmi': /p_\{X, Y\}/,
  'd2l-mle-product-cdots': /\\cdots/,
  'd2l-rmsprop-update': /\\odot/,
  'd2l-sv-taylor-eval': /evaluated at a point/,
  'd2l-w2v-vocab-sum': /\\sum_\{j \\in \\mathcal\{V\}\}/,
  'fra-cost-empty-sub': /"="/,
  'sds-var-mathrm': /"="/,
}

describe('the shared LaTeX corpus', () => {
  it('has every item accounted for', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40)
    for (const x of corpus) if (x.expect === null) expect(REFUSAL[x.id], x.id).toBeDefined()
  })

  it.each(corpus.filter((x) => x.expect !== null).map((x) => [x.id, x] as const))('%s reads as its expect', (_id, x) => {
    const { e, readings } = read(x.latex)
    const want = parseExpr(x.expect!)
    expect(sameLine(expOf(e), expOf(want)), `${print(e)} vs ${x.expect}`).toBe(true)
    // an ambiguous item is read as expect, and the reading is told
    if (x.ambiguous) expect(readings.length, `${x.id} announces its reading`).toBeGreaterThan(0)
  })

  it.each(corpus.filter((x) => x.expect === null).map((x) => [x.id, x] as const))('%s is refused naming the construct, at its position', (_id, x) => {
    try {
      read(x.latex)
      expect.unreachable(`${x.id} should be refused`)
    } catch (e) {
      expect(e).toBeInstanceOf(ParseError)
      const err = e as ParseError
      expect(err.reason).toMatch(REFUSAL[x.id]!)
      expect(err.position).toBeGreaterThanOrEqual(1)
      expect(err.position).toBeLessThanOrEqual(x.latex.length)
    }
  })
})

describe('positions point into the LaTeX text', () => {
  it.each([
    ['a + \\odot b', 5],
    ['\\frac{1}{x} = y', 13],
    ['x + \\foo', 5],
    ['\\left( x', 1],
  ])('%s fails at %i', (latex, pos) => {
    try {
      parseExpr(latex)
      expect.unreachable()
    } catch (e) {
      expect((e as ParseError).position).toBe(pos)
    }
  })
})

describe('LaTeX forms of SPEC §1.2', () => {
  it.each([
    ['\\frac{a}{b}', 'a / b'],
    ['\\frac12', '1 / 2'],
    ['\\frac{\\partial}{\\partial x} x^2', 'diff(x ^ 2, x)'],
    ['\\frac{\\partial f}{\\partial x}', 'diff(f, x)'],
    ['\\frac{d}{dx} \\sin x', 'diff(sin(x), x)'],
    ['\\sum_{i=1}^{n} x_i', 'sum(x[i], i, 1, n)'],
    ['\\prod_{k=1}^{K} p_k', 'prod(p[k], k, 1, K)'],
    ['\\displaystyle x^{(i)}', 'x[i]'],
    ['\\theta^\\top x', "theta' * x"],
    ['\\mathbf{x}^T \\mathbf{y}', "x' * y"],
    ['\\mathbb{E}[X + Y]', 'E(X + Y)'],
    ['\\mathrm{Var}(X)', 'Var(X)'],
    ['p(x \\mid y)', 'P(x | y)'],
    ['p(a, b)', 'P(a & b)'],
    ['\\log(x y)', 'log(x * y)'],
    ['\\ln x', 'log(x)'],
    ['\\exp(x)', 'exp(x)'],
    ['\\displaystyle e^{x}', 'e ^ x'],
    ['\\sigma(z)', 'sigmoid(z)'],
    ['\\sigma^2', 'sigma ^ 2'],
    ['\\sqrt{x}', 'sqrt(x)'],
    ['\\left( a + b \\right)^2', '(a + b) ^ 2'],
    ['a \\cdot b', 'a * b'],
    ['\\operatorname{tr}(A B)', 'trace(A * B)'],
    ['\\det(A)', 'det(A)'],
    ['\\displaystyle A^{-1}', 'inv(A)'],
    ['\\displaystyle x^{-1}', '1 / x'],
    ['\\hat{y}', 'yhat'],
    ['a \\, b \\; c \\quad d', 'a * b * c * d'],
    ['\\displaystyle |x|', 'abs(x)'],
    ['\\int_0^1 x^2 \\, dx', 'int(x ^ 2, x, 0, 1)'],
    ['2\\pi\\sigma^2', '2 * pi * sigma ^ 2'],
    ['-\\log p', '-log(p)'],
    ['$x + y$', 'x + y'],
    // the indicator with its condition as a subscript (CS229, softmax regression)
    ['\\sum_{i=1}^{n} \\mathbb{1}_{y_i = k} x_i', 'sum(ind(y[i] == k) * x[i], i, 1, n)'],
    ['\\mathbf{1}_{\\{y^{(i)} = 0\\}}', 'ind(y[i] == 0)'],
    ['\\mathbb{1}_{y_i = 1 \\land x_i > 0} + 1', 'ind(y[i] == 1 & x[i] > 0) + 1'],
    ["\\phi'(x)", 'diff(phi(x), x)'],
    // a name raised to anything but a whole number, then a bracket, multiplies (the Bernoulli likelihood)
    ['\\phi^{y_n} (1-\\theta)^{1-y_n}', 'phi ^ y[n] * (1 - theta) ^ (1 - y[n])'],
    ['\\, f^{2}(x)', 'f(x) ^ 2'],
    // an event after the bar: E[X | Y = y], P(X = x | Y = y)
    ['\\mathbb{E}[2X + 1 \\mid Y = y]', 'E(2 * X + 1 | Y == y)'],
    ['P(X = x \\mid Y = y) \\,', 'P(X == x | Y == y)'],
    // entry j of example i, however the scripts are ordered
    ['\\, x_j^{(i)}', 'x[i][j]'],
    ['\\, x^{(i)}_j', 'x[i][j]'],
    ['\\langle x_i, x_j \\rangle', "x[i]' * x[j]"],
    ['\\mathcal{L}(\\theta; x)', 'L(theta, x)'],
    ['\\sum_{i,j} a_i b_j', 'sum(sum(a[i] * b[j], j), i)'],
    ['\\lambda_{\\max}', 'lambda_max'],
    ['\\theta^{*} + \\mathbf{x}^*', 'thetastar + xstar'],
    ['\\mathbb{V}[X]', 'Var(X)'],
    ['{n \\choose k}', 'choose(n, k)'],
    ["h'(a_j) \\, \\delta_k", 'diff(h(a[j]), a[j]) * delta[k]'],
  ])('%s reads as %s', (latex, want) => {
    expect(print(parseExpr(latex))).toBe(want)
  })
  it.each([
    ['\\alpha / b c', 'ambiguous'],
    ["\\theta' x", 'prime'],
    ["\\sigma'(w^\\top x)", 'at an expression'],
    ['\\partial f', '\\frac'],
    ['x \\pm y', '\\pm'],
    ['\\sum x_i', 'without an index'],
    ['\\text{for all } x', 'prose'],
    ['\\mathbb{1}_y', 'write its condition in braces'],
    ['\\mathbb{1}_{y_i} + 1', 'a condition needs a comparison'],
    ['\\operatorname{softmax}(\\mathbf{o})', '(x, j, n)'],
    ['\\mathrm{KL}(q \\| p)', 'kl(p, q, n)'],
    ['D_{KL}(q \\| p)', 'divergence'],
    ['e^{x}\\big|_{x=0}', 'evaluation bar'],
    ['\\left. \\frac{df}{dx} \\right|_{x=0}', 'evaluation bar'],
    ['\\operatorname*{arg\\,min}_{\\beta} \\|y - X\\beta\\|^2', 'argmax/argmin'],
  ])('%s is refused (%s)', (latex, hint) => {
    expect(() => parseExpr(latex)).toThrow(hint)
  })
})

// random expressions in derive's notation, of the kinds derive prints as TeX
const names = fc.constantFrom('x', 'y', 'z', 'theta', 'sigma', 'A', 'B', 'mu', 'n')
const leaf: fc.Arbitrary<Expr> = fc.oneof(names.map(sym), fc.integer({ min: 1, max: 9 }).map(num))
const exprArb: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.tuple(fc.constantFrom('+', '*'), fc.array(tie('e'), { minLength: 2, maxLength: 3 })).map(([h, a]) => call(h, a)),
    fc.tuple(fc.constantFrom('log', 'exp', 'sqrt', 'sigmoid', 'sin', 'tanh', 'trace', 'det', 'E', 'Var', 'P'), tie('e')).map(([h, a]) => call(h, [a])),
    fc.tuple(tie('e'), fc.oneof(tie('e'), fc.integer({ min: -3, max: 4 }).map(num))).map(([a, b]) => call('^', [a, b])),
    tie('e').map((a) => call(OPS.transpose, [a])),
    fc.tuple(fc.constantFrom('x', 'w'), fc.constantFrom('i', 'j')).map(([v, i]) => call(OPS.index, [sym(v), sym(i)])),
    fc.tuple(tie('e'), fc.constantFrom('i', 'k'), leaf, leaf).map(([b, i, lo, hi]) => call('sum', [b, sym(i), lo, hi])),
    fc.tuple(tie('e'), fc.constantFrom('x', 'theta')).map(([b, v]) => call('diff', [b, sym(v)])),
    tie('e').map(neg),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => sub(a, b)),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => call(OPS.mul, [a, call(OPS.pow, [b, num(-1)])])),
  ),
})).e

/**
 * TeX writes x / (2 y) and x / 2 / y alike (\frac{x}{2 y}), and 1 / x^2 as x^-2: compare with
 * reciprocals of products split into factors and powers of powers multiplied out.
 */
function canon(e: Expr): Expr {
  if (e.kind !== 'call') return e
  const args = e.args.map(canon)
  if (e.head === OPS.pow && args[1]?.kind === 'num' && args[1].value < 0) {
    const [b, n] = [args[0]!, args[1].value]
    if (b.kind === 'call' && b.head === OPS.mul) return canon(call(OPS.mul, b.args.map((f) => call(OPS.pow, [f, num(n)]))))
    if (b.kind === 'call' && b.head === OPS.pow && b.args[1]?.kind === 'num') return call(OPS.pow, [b.args[0]!, num(b.args[1].value * n)])
  }
  return call(e.head, args)
}

describe('property: derive’s own TeX output reads back as the same expression', () => {
  it('round-trips (fixed seed)', () => {
    fc.assert(
      fc.property(exprArb, (e) => {
        const e2 = parseExpr(print(e)) // derive's normal form of e
        const tex = toTex(e2)
        let back: Expr
        try {
          back = parseExpr(tex.includes('\\') ? tex : `${tex} \\,`)
        } catch (err) {
          throw new Error(`${print(e2)} -> ${tex}: ${(err as Error).message}`)
        }
        expect(sameLine(canon(back), canon(e2)), `${print(e2)} -> ${tex} -> ${print(back)}`).toBe(true)
      }),
      { numRuns: 500, seed: 20261202 },
    )
  })
})
