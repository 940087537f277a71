// derive explain: words, the tree with positions, and code that really computes the formula.
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { at, parsePath } from '../src/core/expr.js'
import { parseExpr } from '../src/core/parse.js'
import { print } from '../src/core/print.js'
import { codeParams, toCode } from '../src/render/code.js'
import { tree, treeLines, words } from '../src/render/explain.js'
import { derive } from './helpers/cli.js'

describe('words', () => {
  it.each([
    ['sum(c * x[i], i, 1, n)', 'the sum, for i from 1 to n, of c times x sub i'],
    ['diff(f(x), x)', 'the derivative of f of x with respect to x'],
    ['diff(x^2 + 3*x, x)', 'the derivative with respect to x of x squared plus 3 times x'],
    ['log(x) - log(y)', 'log of x minus log of y'],
    ['E(X | Y)', 'the expected value of X given Y'],
    ["A'", 'A transposed'],
    ["(A * B)'", 'the quantity A times B, transposed'],
    ['inv(A)', 'the inverse of A'],
    ['x ^ 2', 'x squared'],
    ['x ^ 3', 'x cubed'],
    ['x ^ n', 'x to the power n'],
    ['x ^ (a + b) + 1', 'x to the power the quantity a plus b, plus 1'],
    ['a / b', 'a over b'],
    ['(a + b) / c', 'the quantity a plus b, over c'],
    ['a / (b * c)', 'a over the quantity b times c'],
    ['1 / y', '1 over y'],
    ['P(A & B)', 'the probability of A and B'],
    ['sigmoid(z)', 'sigmoid of z'],
    ['sigma * mu', 'sigma times mu'],
    ['-2 * y + 0.5', 'negative 2 times y plus 0.5'],
    ['log(x * y)', 'log of the quantity x times y'],
    ['log(x) ^ 2', 'the quantity log of x, squared'],
    ['sum(x[i], i, 1, n) + 1', 'the sum, for i from 1 to n, of x sub i, plus 1'],
    ['Cov(X, Y)', 'the covariance of X and Y'],
    ['log(x, 2)', 'log base 2 of x'],
    ['a[i, j]', 'a sub i j'],
  ])('%s', (expr, expected) => {
    expect(words(parseExpr(expr))).toBe(expected)
  })
})

describe('tree', () => {
  it('draws one node per line with its position, children two spaces in', () => {
    expect(tree(parseExpr('sum(c * x[i], i, 1, n)'))).toBe(
      ['.    sum (i from 1 to n)', '0      *', '0.0      c', '0.1      x[i]'].join('\n'),
    )
  })
  it('shows a - b as derive sees it: a + (-1) * b', () => {
    expect(treeLines(parseExpr('log(x) - log(y)')).map((l) => `${l.at} ${l.label}`)).toEqual([
      '. +',
      '0 log',
      '0.0 x',
      '1 *',
      '1.0 -1',
      '1.1 log',
      '1.1.0 y',
    ])
  })
  it('every position names the node it shows, and covers where derive match finds fits', async () => {
    const text = 'log(x * y) + sum(c * x[i], i, 1, n)'
    const expr = parseExpr(text)
    const lines = treeLines(expr)
    for (const line of lines) {
      const node = at(expr, parsePath(line.at)!)
      expect(node, line.at).toBeDefined()
      if (node!.kind !== 'call') expect(line.label).toBe(print(node!))
    }
    const fits = JSON.parse((await derive(['match', text, '--json'])).stdout) as { at: string }[]
    expect(fits.length).toBeGreaterThan(0)
    for (const f of fits) expect(lines.map((l) => l.at)).toContain(f.at)
  })
})

// ---- code that runs ------------------------------------------------------------------------------

const sigmoid = (t: number): number => 1 / (1 + Math.exp(-t))

interface Case {
  expr: string
  args: Record<string, number | number[] | number[][]>
  expected: number
}

// each expected value is computed here, independently of derive
const a = [
  [1, 2, 3],
  [4, 5, 6],
]
const xs = [0.5, -1, 2]
const CASES: Case[] = [
  { expr: 'sum(c * x[i], i, 1, n)', args: { c: 2, n: 4, x: [1, 2, 3, 4] }, expected: 20 },
  {
    expr: 'sum(sum(a[i, j] * x[j], j, 1, m), i, 1, n)',
    args: { a, m: 3, n: 2, x: xs },
    expected: a.flatMap((row) => row.map((v, j) => v * xs[j]!)).reduce((s, v) => s + v, 0),
  },
  {
    expr: 'prod(sigmoid(w * x[i]), i, 1, n)',
    args: { n: 3, w: 0.7, x: xs },
    expected: xs.map((v) => sigmoid(0.7 * v)).reduce((p, v) => p * v, 1),
  },
  { expr: '(log(x) - log(y)) / log(x * y, 2)', args: { x: 3, y: 5 }, expected: (Math.log(3) - Math.log(5)) / Math.log2(15) },
  { expr: 'sigmoid(w * x + b)', args: { b: -0.3, w: 1.5, x: 0.8 }, expected: sigmoid(1.5 * 0.8 - 0.3) },
  { expr: '-x^2 / n! + relu(z - 1) + exp(pi) - e^2', args: { n: 4, x: 3, z: 0.5 }, expected: -9 / 24 + Math.exp(Math.PI) - Math.E ** 2 },
  { expr: 'sum(i * x[i], i, 1, n) + i', args: { i: 10, n: 3, x: xs }, expected: 0.5 - 2 + 6 + 10 },
  // the Kronecker delta picks out the j-th entry
  { expr: 'sum(delta(m, j) * x[m], m, 1, n) + delta(j, 3)', args: { j: 2, n: 3, x: xs }, expected: -1 },
]

const argList = (c: Case): (number | number[] | number[][])[] => codeParams(parseExpr(c.expr)).map((p) => c.args[p]!)

/** The generated JavaScript, evaluated in-process on the case's arguments. */
function runJs(c: Case): number {
  const source = toCode(parseExpr(c.expr)).js
  const f = new Function(`${source}\nreturn f`)() as (...args: unknown[]) => number
  return f(...argList(c))
}

const hasPython = spawnSync('python3', ['--version']).status === 0

/**
 * The generated Python of every case, run by one python3 process (each in its own namespace) on
 * the case's arguments; JSON literals are Python literals too.
 */
function runPython(cases: readonly Case[]): number[] {
  const script = cases
    .map((c) => {
      const source = JSON.stringify(toCode(parseExpr(c.expr)).python)
      const args = argList(c)
        .map((v) => JSON.stringify(v))
        .join(', ')
      return `ns = {}\nexec(${source}, ns)\nprint(repr(ns['f'](${args})))`
    })
    .join('\n')
  const r = spawnSync('python3', ['-c', script], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`python3 failed:\n${script}\n${r.stderr}`)
  return r.stdout.trim().split('\n').map(Number)
}

describe('generated code computes the formula', () => {
  it('params are the free symbols, sorted', () => {
    expect(codeParams(parseExpr('sum(c * x[i], i, 1, n) + pi * e'))).toEqual(['c', 'n', 'x'])
  })
  it.each(CASES)('JavaScript: $expr', (c) => {
    expect(runJs(c)).toBeCloseTo(c.expected, 10)
  })
  it.skipIf(!hasPython)('Python: the same cases, run by python3', () => {
    const values = runPython(CASES)
    CASES.forEach((c, i) => expect(values[i], c.expr).toBeCloseTo(c.expected, 10))
  })
  it('a sum becomes a loop with an accumulator, nested sums each their own', () => {
    const { python, js } = toCode(parseExpr('sum(sum(a[i, j], j, 1, m), i, 1, n)'))
    expect(python).toBe(
      [
        'def f(a, m, n):',
        '    total = 0',
        '    for i in range(1, n + 1):',
        '        total2 = 0',
        '        for j in range(1, m + 1):',
        '            total2 += a[i - 1][j - 1]',
        '        total += total2',
        '    return total',
      ].join('\n'),
    )
    expect(js).toContain('for (let j = 1; j <= m; j++) {')
  })
  it('imports math only when it uses it', () => {
    expect(toCode(parseExpr('exp(x)')).python.startsWith('import math\n')).toBe(true)
    expect(toCode(parseExpr('x ^ 2')).python).not.toContain('import')
  })
  it.each([
    ['diff(x ^ 2, x)', 'derivatives are not turned into code; take the derivative first (derive match)'],
    ['int(x, x, 0, 1)', 'integrals'],
    ['E(X) + 1', 'probability distribution'],
    ["x' * x", 'matrix'],
    ['A * x', 'A is a matrix'],
    ['f(x)', 'f is not a function derive can write as code'],
    ['sum(x[i], i)', 'without limits'],
  ])('%s gives a comment saying why, not code', (expr, reason) => {
    const { python, js } = toCode(parseExpr(expr))
    expect(python).toMatch(/^# /)
    expect(js).toMatch(/^\/\/ /)
    expect(python).toContain(reason)
    expect(python.split('\n')).toHaveLength(1)
  })
  it('the entries of a matrix are numbers: X[i, j] becomes code', () => {
    expect(toCode(parseExpr('sum(X[i, i], i, 1, n)')).js).toContain('total += X[i - 1][i - 1];')
  })
})

describe('derive explain', () => {
  it('prints words, tree and both languages on a terminal', async () => {
    const r = await derive(['explain', 'sum(c * x[i], i, 1, n)'])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('Words\nthe sum, for i from 1 to n, of c times x sub i\n')
    expect(r.stdout).toContain('0.1      x[i]')
    expect(r.stdout).toContain('Code (Python)\ndef f(c, n, x):')
    expect(r.stdout).toContain('Code (JavaScript)\nfunction f(c, n, x) {')
  })
  it('--code picks one language', async () => {
    const r = await derive(['explain', 'exp(x)', '--code', 'js'])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('Math.exp(x)')
    expect(r.stdout).not.toContain('Python')
  })
  it('--json prints exactly words, tree, params and code', async () => {
    const r = await derive(['explain', 'sum(c * x[i], i, 1, n)', '--json'])
    expect(r.status).toBe(0)
    const out = JSON.parse(r.stdout) as Record<string, unknown>
    expect(Object.keys(out)).toEqual(['words', 'tree', 'params', 'code'])
    expect(out.words).toBe('the sum, for i from 1 to n, of c times x sub i')
    expect(out.tree).toBe(tree(parseExpr('sum(c * x[i], i, 1, n)')))
    expect(out.params).toEqual(['c', 'n', 'x'])
    expect(Object.keys(out.code as object)).toEqual(['python', 'js'])
  })
  it('an expression with diff gives the explanatory comment in the code field', async () => {
    const out = JSON.parse((await derive(['explain', 'diff(f(x), x)', '--json'])).stdout) as { code: { python: string; js: string } }
    expect(out.code.python).toBe('# derivatives are not turned into code; take the derivative first (derive match)')
    expect(out.code.js).toBe('// derivatives are not turned into code; take the derivative first (derive match)')
  })
  it('--code ruby is a usage error (exit 2)', async () => {
    const r = await derive(['explain', 'x', '--code', 'ruby'])
    expect(r.status).toBe(2)
    expect(r.stderr).toBe('derive: error: --code must be one of python, js, got "ruby"\n')
    expect(r.stdout).toBe('')
  })
  it('a parse error names the position (exit 2)', async () => {
    const r = await derive(['explain', 'log(x *'])
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/position 8/)
  })
})
