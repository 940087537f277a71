// Lecture notation (SPEC §1.1): each form read as intended, or refused with the form to write; the
// readings that are a choice are announced once.
import { describe, expect, it } from 'vitest'
import { key } from '../src/core/equal.js'
import { ParseError, parseExpr } from '../src/core/parse.js'
import { print } from '../src/core/print.js'
import { derive } from './helpers/cli.js'

/** What the input reads as, and the readings announced. */
function read(input: string): { shown: string; readings: string[] } {
  const readings: string[] = []
  const e = parseExpr(input, { announce: (r) => readings.push(r) })
  return { shown: print(e), readings }
}

const same = (a: string, b: string): boolean => key(parseExpr(a)) === key(parseExpr(b))

describe('lecture notation is read as intended', () => {
  it.each([
    // [typed, read as (derive notation), a reading that must be announced (substring), if any]
    ['E[X + Y]', 'E(X + Y)', 'E[...]'],
    ['Var[X]', 'Var(X)', 'Var[...]'],
    ['Cov[X, Y]', 'Cov(X, Y)', 'Cov[...]'],
    ['P(A, B)', 'P(A & B)', 'joint'],
    ['P(A, B, C)', 'P(A & B & C)', 'joint'],
    ['P(A | B, C)', 'P(A | B & C)', 'joint'],
    ['P(A, B | C)', 'P(A & B | C)', 'joint'],
    ['p(x | z) * p(z)', 'P(x | z) * P(z)', 'probability'],
    ['ln(x * y)', 'log(x * y)', ''],
    ['σ(z)', 'sigmoid(z)', 'sigmoid'],
    ['σ', 'sigma', ''],
    ['σ^2', 'sigma ^ 2', ''],
    ['σ²', 'sigma ^ 2', ''],
    ['2πσ²', '2 * pi * sigma ^ 2', 'pi * sigma'],
    ['θx', 'theta * x', 'theta * x'],
    ['xθ', 'x * theta', 'x * theta'],
    ['θ_j', 'theta[j]', 'theta[j]'],
    ['x_i', 'x[i]', 'x[i]'],
    ['x_0', 'x[0]', 'x[0]'],
    ['x_{i,j}', 'x[i][j]', ''],
    ['x_{i+1}', 'x[i + 1]', ''],
    ['xᵢ', 'x[i]', '[i]'],
    ['xᵢⱼ', 'x[i][j]', '[i][j]'],
    ['x₁₂', 'x[12]', '[12]'],
    ['sum(x_i, i, 1, n)', 'sum(x[i], i, 1, n)', 'x[i]'],
    ['x^T y', "x' * y", 'transpose'],
    ['x^⊤ y', "x' * y", ''],
    ['xᵀ y', "x' * y", ''],
    ['e^{-x}', 'e ^ (-x)', ''],
    ['x^{2}', 'x ^ 2', ''],
    ['E(X^2) - E^2(X)', 'E(X ^ 2) - E(X) ^ 2', 'power'],
    ['sigma_X', 'sigma_X', ''],
    ['n_in', 'n_in', 'one name'],
    // inside brackets a lone = compares
    ['E(2*X + 1 | Y = y)', 'E(2 * X + 1 | Y == y)', ''],
    ['P(X = x | Y = y)', 'P(X == x | Y == y)', ''],
    ["f'(x)", 'diff(f(x), x)', "reading f'(x)"],
    ["σ'(z)", 'diff(sigmoid(z), z)', 'sigmoid'],
    ["w'(x - mu)", "w' * (x - mu)", ''],
    ['x_j^{(i)}', 'x[i][j]', 'entry j of example i'],
    ['x^{(i)}_j', 'x[i][j]', ''],
  ])('%s reads as %s', (input, want, reading) => {
    const r = read(input)
    expect(r.shown).toBe(want)
    if (reading) expect(r.readings.join('\n')).toContain(reading)
  })

  it('each reading is told once, however often the form occurs', () => {
    expect(read('σ(a) + σ(b) + σ(c)').readings.filter((r) => r.includes('sigmoid'))).toHaveLength(1)
  })

  it('plain forms that are not a choice are not announced', () => {
    expect(read('log(x) + E(X) + x[i] + sigmoid(z)').readings).toEqual([])
  })

  it('the readings match what a student means, in the equations they are used in', () => {
    expect(same('E[X + Y]', 'E(X + Y)')).toBe(true)
    expect(same('2πσ²', '2 * pi * sigma^2')).toBe(true)
    expect(same('σ(z) * (1 - σ(z))', 'sigmoid(z) * (1 - sigmoid(z))')).toBe(true)
  })
})

describe('a name the line uses as a number multiplies when applied (p(1 - p) is p * (1 - p))', () => {
  it.each([
    // [typed, read as, the reading told]
    ['p(1 - p)', 'p * (1 - p)', 'reading p(1 - p) as p * (1 - p)'],
    ['p (1 - p)', 'p * (1 - p)', 'reading p(1 - p) as p * (1 - p)'],
    ['n p (1 - p)', 'n * p * (1 - p)', 'as p * (1 - p)'],
    ['theta(1 - theta)', 'theta * (1 - theta)', 'reading theta(1 - theta) as theta * (1 - theta)'],
    ['mu(x - mu)', 'mu * (x - mu)', 'as mu * (x - mu)'],
    ['f(x) + f', 'f * x + f', 'reading f(x) as f * x'],
    ['sigma(x - mu) / sigma', 'sigma * (x - mu) / sigma', 'as sigma * (x - mu)'],
    ['p_k(1 - p_k)', 'p[k] * (1 - p[k])', 'as p[k] * (1 - p[k])'],
    ['\\theta(1 - \\theta)', 'theta * (1 - theta)', ''],
    ['p(1 - p) \\, x', 'p * (1 - p) * x', 'reading p(1 - p) as p * (1 - p)'],
    ['p^2 (1 - p) \\,', 'p ^ 2 * (1 - p)', 'reading p^2(1 - p) as p ^ 2 * (1 - p)'],
    ['\\sigma(x - \\mu) / \\sigma', 'sigma * (x - mu) / sigma', 'as sigma * (x - mu)'],
  ])('%s reads as %s', (input, want, reading) => {
    const r = read(input)
    expect(r.shown).toBe(want)
    if (reading) expect(r.readings.join('\n')).toContain(reading)
    expect(r.readings.join('\n')).not.toContain('probability')
  })

  it.each([
    // a name not used on its own keeps its meaning
    ['p(x) * p(z)', 'P(x) * P(z)'],
    ['p(x | y)', 'P(x | y)'],
    ['f(x) * x', 'f(x) * x'],
    ['σ(z) * (1 - σ(z))', 'sigmoid(z) * (1 - sigmoid(z))'],
    ['\\sigma(z)(1 - \\sigma(z))', 'sigmoid(z) * (1 - sigmoid(z))'],
    ['p(x \\mid \\theta) p(\\theta)', 'P(x | theta) * P(theta)'],
    ['log(p) + E(p * X)', 'log(p) + E(p * X)'],
  ])('%s stays %s', (input, want) => {
    expect(read(input).shown).toBe(want)
  })

  it.each(['p(x | y) * p', 'p(a, b) + p', 'p(x \\mid y) \\, p', 'f(x, y) + f'])('%s is refused: the name is a number and is applied to an event', (input) => {
    expect(() => parseExpr(input)).toThrow(/is used as a number in these lines and is applied here.*write \w+ \* \(\.\.\.\) for a product/)
  })

  it('np(1 - p) with p a number is refused, saying to write the product (a short function name keeps its meaning)', () => {
    expect(() => parseExpr('np(1 - p)')).toThrow('for the product write n * p * (...)')
    expect(() => parseExpr('np(1 - q)', { values: new Set(['q']) })).not.toThrow()
    expect(() => parseExpr('np(1 - q)', { values: new Set(['p']) })).toThrow('write n * p * (...)')
    expect(print(parseExpr('kl(p, q, n) + p'))).toBe('kl(p, q, n) + p')
    expect(print(parseExpr('$np(1-p)$'))).toBe('n * p * (1 - p)')
  })

  it('the other line of a step counts: p in "p * q + p" makes p(q + 1) a product', () => {
    const values = new Set(['p'])
    expect(print(parseExpr('p(q + 1)', { values }))).toBe('p * (q + 1)')
    expect(print(parseExpr('p(q + 1)'))).toBe('P(q + 1)')
  })

  it('derive why "p - p^2" "p(1 - p)" is explained, the reading told once', async () => {
    const r = await derive(['why', 'p - p^2', 'p(1 - p)'])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('explained')
    expect(r.stderr.match(/reading p\(1 - p\) as p \* \(1 - p\)/g)).toHaveLength(1)
    expect(r.stderr).not.toContain('probability')
  })

  it('derive why reads the two lines together: "p * q + p" "p(q + 1)"', async () => {
    const r = await derive(['why', 'p * q + p', 'p(q + 1)'])
    expect(r.status).toBe(0)
    expect(r.stderr).toContain('reading p(q + 1) as p * (q + 1)')
  })

  it('a probability in one line and p as a number in the other is refused, naming TO', async () => {
    const r = await derive(['why', 'p', 'p(x | y)'])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('cannot read TO')
    expect(r.stderr).toContain('P(...) for a probability')
  })
})

describe('what cannot be read safely is refused with the form to write', () => {
  it.each([
    ['log x', 1, 'write log(x)'],
    ['2 * ln x', 5, 'write ln(x)'],
    ['exp', 1, 'write exp(x)'],
    ['d/dx x^2', 1, 'diff(f, x)'],
    ['df/dx', 1, 'diff(f, x)'],
    ['y + dθ/dt', 5, 'diff(f, x)'],
    ['∇f', 1, 'diff(f, x)'],
    ['Σ_i x_i', 1, 'sum(body, i, lo, hi)'],
    ['Π_i x_i', 1, 'prod(body, i, lo, hi)'],
    ['||x||', 1, 'sqrt('],
    ['‖x‖', 1, 'sqrt('],
    ['A ∩ B', 3, 'A and B'],
    ['A ∪ B', 3, 'A or B'],
    ['¬A', 1, 'not A'],
    ['x⁻¹', 2, 'x^(-1)'],
    ['P(A | B | C)', 5, 'one bar'],
  ])('%s is refused at %i, suggesting %s', (input, pos, hint) => {
    try {
      parseExpr(input)
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(ParseError)
      expect((e as ParseError).message).toContain(hint)
      expect((e as ParseError).position).toBe(pos)
    }
  })
})

describe('on the command line', () => {
  it('an argument that starts with "-" is an expression, wherever it stands', async () => {
    const r = await derive(['why', '-log(x*y)', '-log(x) - log(y)'])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('explained')
    for (const args of [['match', '-x^2', '--json'], ['--json', 'match', '-x^2'], ['match', '--json', '-x^2']]) {
      const m = await derive(args)
      expect(m.status).toBe(0)
      expect(JSON.parse(m.stdout)[0].subterm).toBe('x ^ 2')
    }
  })
  it('an option value may start with "-" too, and real options still work', async () => {
    const r = await derive(['why', '-x', '-x', '--depth', '1', '--json'])
    expect(r.status).toBe(0)
    expect(JSON.parse(r.stdout).verdict).toBe('explained')
    const bad = await derive(['why', 'x', 'x', '--depth', '-1'])
    expect(bad.status).toBe(2)
    expect(bad.stderr).toContain('--depth must be')
  })
  it('a misspelt option is still an unknown option, not an expression', async () => {
    const r = await derive(['match', 'x', '--jsn'])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain("unknown option '--jsn'")
  })
  it('an unquoted expression gets a hint to quote it', async () => {
    const r = await derive(['match', 'x', '+', 'y'])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('quote each expression')
    expect(r.stderr).toContain('derive match "x + y"')
  })
  it('derive why "E[X + Y]" "E[X] + E[Y]" is explained, and the reading is told once on stderr', async () => {
    const r = await derive(['why', 'E[X + Y]', 'E[X] + E[Y]'])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('explained')
    expect(r.stderr.match(/reading E\[/g)).toHaveLength(1)
  })
  it('sum(x_i, i, 1, n) is not n * x_i: x_i is the entry x[i]', async () => {
    const r = await derive(['why', 'sum(x_i, i, 1, n)', 'n * x_i'])
    expect(r.status).toBe(1)
    expect(r.stdout).toContain('not equal')
  })
  it('the sigmoid derivative written with σ is explained', async () => {
    const r = await derive(['why', 'diff(σ(z), z)', 'σ(z) * (1 - σ(z))'])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('explained')
  })
  it('with --json the readings go in a "readings" field, not on stderr', async () => {
    const r = await derive(['why', 'diff(σ(z), z)', 'σ(z) * (1 - σ(z))', '--json'])
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout).readings).toEqual(['reading σ(z) as sigmoid(z)'])
  })
  it('with --json and an array result, the readings go to stderr as one JSON line', async () => {
    const r = await derive(['match', 'log(x_i * y)', '--json'])
    expect(Array.isArray(JSON.parse(r.stdout))).toBe(true)
    expect(JSON.parse(r.stderr)).toEqual({ readings: ['reading x_i as the entry x[i]'] })
  })
  it('explain reads the same notation', async () => {
    const r = await derive(['explain', 'P(A, B)', '--json'])
    expect(JSON.parse(r.stdout).words).toContain('A and B')
  })
})
