// The shape model (SPEC §1.3, issue 8 item 4): scalars, vectors, matrices; declared and inferred
// vectors; 1×1 products are scalars; mismatched shapes are errors; a rule's "types" bind by shape.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseExpr } from '../src/core/parse.js'
import { findFits } from '../src/core/rewrite.js'
import { compileRule } from '../src/core/rule.js'
import { declaredVectors, inferShapes, type Kind, Shapes, shapeOf } from '../src/core/shape.js'
import { loadLibrary } from '../src/library/library.js'
import { derive, tempHome } from './helpers/cli.js'
import { runScripted } from './helpers/scripted.js'

const kind = (text: string, vectors: string[] = [], matrices: string[] = ['A', 'B', 'X', 'W']): Kind | string => {
  const k = shapeOf(parseExpr(text), new Shapes(matrices, vectors))
  return typeof k === 'string' ? k : 'mismatch'
}

describe('the kind of an expression', () => {
  const table: [string, string[], Kind | 'mismatch'][] = [
    ["x' * A * x", ['x'], 'scalar'],
    ['A * x', ['x'], 'vector'],
    ["x * x'", ['x'], 'matrix'],
    ["x' * x * A", ['x'], 'matrix'],
    ["(x' * y)'", ['x', 'y'], 'scalar'],
    ["y' * X * t", ['y', 't'], 'scalar'],
    ["x'", ['x'], 'row'],
    ["x' * A", ['x'], 'row'],
    ['2 * A * x + x', ['x'], 'vector'],
    ['c * x', ['x'], 'vector'],
    ["trace(x * x')", ['x'], 'scalar'],
    ['diff(x\' * A * x, x)', ['x'], 'vector'],
    ['diff(A * x, x)', ['x'], 'matrix'],
    ['diff(trace(X * A), X)', [], 'matrix'],
    ["exp(-(x' * x) / 2)", ['x'], 'scalar'],
    ['sum(w[i] * x[i], i, 1, n)', ['w', 'x'], 'scalar'],
    ['inv(A) * x', ['x'], 'vector'],
    ['A + 0', [], 'matrix'],
    ['E(X) + 1', [], 'scalar'],
    // mismatches
    ["A * (x' * y)", ['x', 'y'], 'matrix'],
    ["A * x' * y * B", ['x', 'y'], 'matrix'],
    ["x * y' * z", ['x', 'y', 'z'], 'vector'],
    ['x * y', ['x', 'y'], 'mismatch'],
    ["A * x' * B", ['x'], 'mismatch'],
    ['x * A', ['x'], 'mismatch'],
    ["A * x'", ['x'], 'mismatch'],
    ["A * x + x'", ['x'], 'mismatch'],
    ['A + 1', [], 'mismatch'],
    ['x + 1', ['x'], 'mismatch'],
    ['det(x)', ['x'], 'mismatch'],
    ['x ^ 2', ['x'], 'mismatch'],
    ["diff(x * x', x)", ['x'], 'mismatch'],
  ]
  for (const [text, vectors, want] of table) {
    it(`${text} with vectors ${vectors.join(', ') || 'none'} is ${want}`, () => expect(kind(text, vectors)).toBe(want))
  }
})

describe('inferring vectors', () => {
  const infer = (lines: string[], vectors: string[] = []) => inferShapes(lines.map((l) => parseExpr(l)), { matrices: 'uppercase', vectors })
  it('a transposed lowercase symbol is a vector, and that is announced', () => {
    const r = infer(["diff(x' * A * x, x)", '2 * A * x'])
    expect(r.ok && [...r.shapes.vectors]).toEqual(['x'])
    expect(r.ok && r.readings.map((x) => x.text)).toEqual(["reading x as a vector (it is transposed: x')"])
  })
  it('a declared vector is not announced', () => {
    const r = infer(["x' * x"], ['x'])
    expect(r.ok && r.readings).toEqual([])
  })
  it('a symbol only a vector makes fit is read as one (CS229 normal equations: y)', () => {
    const r = infer(["diff(1/2*(t'*X'*X*t - 2*(X'*y)'*t), t)", "1/2*(2*X'*X*t - 2*X'*y)"])
    expect(r.ok && [...r.shapes.vectors].sort()).toEqual(['t', 'y'])
    expect(r.ok && r.readings.map((x) => x.symbol)).toEqual(['t', 'y'])
  })
  it('two lines must have one shape: theta in (y\' X theta)\' = y\' X theta is a vector', () => {
    const r = infer(["(y'*X*theta)'", "y'*X*theta"])
    expect(r.ok && [...r.shapes.vectors].sort()).toEqual(['theta', 'y'])
  })
  it('two symbols at once when only both fit (A x + b)', () => {
    const r = infer(['A * x + b'])
    expect(r.ok && [...r.shapes.vectors].sort()).toEqual(['b', 'x'])
  })
  it('entries of an indexed symbol may be vectors (w\' x[i] + b)', () => {
    const r = infer(["y[i] - w' * x[i] - b"])
    expect(r.ok && [...r.shapes.entryVectors]).toEqual(['x'])
  })
  it('a matrix and a scalar line do not fit', () => {
    const r = infer(["X' * A * X", "trace(A * X * X')"])
    expect(r.ok).toBe(false)
    expect(!r.ok && r.message).toContain("X' * A * X is a matrix but trace(A * X * X') is a scalar")
  })
  it('when several choices would fit, derive asks instead of guessing', () => {
    const r = inferShapes(['a * b', 'x'].map((l) => parseExpr(l)), { matrices: 'uppercase', vectors: ['x'] })
    expect(r.ok).toBe(false)
    expect(!r.ok && r.message).toContain('--vector')
  })
  it('an index or a sum limit is never a vector', () => {
    const r = infer(["sum(x[i], i, 1, n) + w'"])
    expect(r.ok).toBe(false)
  })
})

describe('derivation files declare vectors with # vectors:', () => {
  it('reads names split by commas or spaces, from every such line', () => {
    expect(declaredVectors('# vectors: theta, y\nx + 1\n#vector: w b').names).toEqual(['theta', 'y', 'w', 'b'])
  })
  it('names a malformed entry', () => {
    expect(declaredVectors('x\n# vectors: 2x').bad).toEqual({ line: 2, name: '2x' })
  })
})

describe('a rule\'s types are enforced when matching', () => {
  const lib = loadLibrary({})
  const rule = (id: string) => lib.rules.find((r) => r.id === id)!
  const fits = (text: string, id: string, vectors: string[] = []) => {
    const e = parseExpr(text)
    return findFits(e, [rule(id)], { matrices: { matrices: 'uppercase', vectors } }).map((f) => f.result)
  }
  it("trace-trick's vector x does not bind the matrix X", () => {
    expect(fits("X' * A * X", 'trace-trick')).toEqual([])
    expect(fits("x' * A * x", 'trace-trick')).toHaveLength(1)
  })
  it('a vector wildcard binds a product that is a vector', () => {
    expect(fits("(B * z)' * A * (B * z)", 'trace-trick', ['z'])).toHaveLength(1)
  })
  it('a matrix wildcard does not bind a vector', () => {
    expect(fits("diff(trace(x * a'), x)", 'grad-trace-linear', ['x', 'a'])).toEqual([])
  })
  it('a 1×1 product is a scalar: it binds a scalar wildcard', () => {
    expect(fits("trace((x' * y) * A)", 'trace-of-scalar-multiple', ['x', 'y']).length).toBeGreaterThan(0)
  })
  it('every shipped rule with a vector or matrix wildcard says so in its "types"', () => {
    for (const r of lib.rules) for (const [w, t] of Object.entries(r.typed)) expect(r.spec.types?.[w], `${r.id}: ${w}`).toBe(t)
  })
  it('a lowercase wildcard written transposed in a rule is a vector wildcard', () => {
    const r = compileRule({ id: 'r', name: 'r', lhs: "u' * v", rhs: "v' * u" }, { pack: 't', matrices: 'uppercase' })
    expect(r.typed).toEqual({ u: 'vector', v: 'vector' })
    const file = compileRule({ id: 'r', name: 'r', lhs: 'A * v', rhs: 'A * v' }, { pack: 't', matrices: { matrices: 'uppercase', vectors: ['v'] } })
    expect(file.typed).toEqual({ v: 'vector' })
  })
})

describe('derive with shapes (issue 8 item 4)', () => {
  const why = async (from: string, to: string, extra: string[] = []) => {
    const r = await derive(['why', from, to, '--json', ...extra])
    return { ...r, body: r.stdout ? (JSON.parse(r.stdout) as { verdict: string; counterexample?: { values: Record<string, unknown> } }) : undefined }
  }
  it("diff(x'*A*x, x) is not 2*A*x for a non-symmetric A: a counterexample with vector x", async () => {
    const r = await why("diff(x'*A*x, x)", '2*A*x')
    expect(r.body?.verdict).toBe('not-equal')
    expect(r.status).toBe(1)
    expect(String(r.body?.counterexample?.values.x)).toMatch(/^\[\[.*\], \[.*\], \[.*\]\]$/)
    expect(r.stderr).toBe("derive: reading x as a vector (it is transposed: x')\n")
  })
  it("diff(x'*A*x, x) is (A + A')*x", async () => {
    const r = await why("diff(x'*A*x, x)", "(A + A')*x")
    expect(r.body?.verdict).toBe('explained')
  })
  it("the transpose of the 1×1 product y'*X*theta is itself", async () => {
    const r = await why("(y'*X*theta)'", "y'*X*theta")
    expect(r.body?.verdict).toBe('explained')
    expect(r.status).toBe(0)
  })
  it("a 1×1 product's transpose, held-out forms", async () => {
    expect((await why("(x'*y)'", "y'*x")).body?.verdict).toMatch(/^(explained|equal-unexplained)$/)
    expect((await why("(u'*W*v)'", "v'*W'*u")).body?.verdict).toBe('explained')
    expect((await why("x'*A*y", "y'*A*x")).body?.verdict).toBe('not-equal')
    expect((await why("(x'*y) * A", "A * (x'*y)")).status).toBe(0)
  })
  it("CS229's normal-equation gradient holds", async () => {
    const r = await why("diff(1/2*(t'*X'*X*t - 2*(X'*y)'*t), t)", "1/2*(2*X'*X*t - 2*X'*y)")
    expect(r.body?.verdict).toMatch(/^(explained|equal-unexplained)$/)
    expect(r.status).toBe(0)
    expect(r.stderr).toContain('reading y as a vector')
  })
  it('vector gradients, held-out forms', async () => {
    expect((await why("diff(x'*x, x)", '2*x')).body?.verdict).toBe('explained')
    expect((await why("diff(x'*x, x)", 'x')).body?.verdict).toBe('not-equal')
    expect((await why("diff(b'*x, x)", 'b', ['--vector', 'x'])).body?.verdict).toBe('explained')
    expect((await why("diff((A*w - v)'*(A*w - v), w)", "2*A'*(A*w - v)")).body?.verdict).toMatch(/^(explained|equal-unexplained)$/)
    expect((await why("diff((A*w - v)'*(A*w - v), w)", "2*A*(A*w - v)")).body?.verdict).toBe('not-equal')
  })
  it("X' * A * X and trace(A * X * X') have different shapes: an error, not an explanation", async () => {
    const r = await derive(['why', "X' * A * X", "trace(A * X * X')"])
    expect(r.status).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe("derive: error: the shapes do not fit: X' * A * X is a matrix but trace(A * X * X') is a scalar\n")
  })
  it('mismatched shapes inside a line are an error on every command', async () => {
    for (const args of [['why', 'x*y', 'y*x', '--vector', 'x,y'], ['match', "A * x'"], ['apply', "A * x + x'", 'trace-trick'], ['why', 'A*x', 'x*A', '--vector', 'x']]) {
      const r = await derive(args)
      expect(r.status, args.join(' ')).toBe(2)
      expect(r.stderr, args.join(' ')).toMatch(/^derive: error: the shapes do not fit: cannot (multiply|add) .*\n$/)
    }
  })
  it('without --vector a lowercase symbol is a scalar (and scalars commute)', async () => {
    const r = await why('A*x', 'x*A')
    expect(r.body?.verdict).toMatch(/^(explained|equal-unexplained)$/)
    expect(r.status).toBe(0)
  })
  it('--vector takes names separated by commas, and may be repeated', async () => {
    const r = await why("diff(b'*x, x)", 'b', ['--vector', 'x', '--vector', 'theta, y'])
    expect(r.body?.verdict).toBe('explained')
    const bad = await derive(['why', 'x', 'x', '--vector', 'x,2y'])
    expect(bad.status).toBe(2)
    expect(bad.stderr).toBe('derive: error: --vector expects symbol names separated by commas (--vector theta,y), got "2y"\n')
  })
  it('match: the trace trick fits a vector quadratic form only', async () => {
    expect((await derive(['match', "X' * A * X", '--rule', 'trace-trick'])).status).toBe(1)
    const r = await derive(['match', "x' * A * x", '--rule', 'trace-trick'])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain("trace(A * x * x')")
  })
  it('a rule whose sides do not fit is refused when added (exit 2), not saved with a counterexample', async () => {
    const home = tempHome()
    const r = await derive(['rules', 'add', '--id', 'bad', '--name', 'bad', '--lhs', "x' * A", '--rhs', 'A * x'], { env: { DERIVE_HOME: home } })
    expect(r.status).toBe(2)
    expect(r.stderr).toContain("the shapes do not fit: x' * A is a row vector but A * x is a column vector")
    expect(() => compileRule({ id: 'r', name: 'r', lhs: 'A * x + 1', rhs: 'x' }, { pack: 't', matrices: 'uppercase' })).toThrow(/shapes do not fit/)
  })
  it('a random variable in one line is one in the other (E(Y | Y) = Y)', async () => {
    const r = await why('E(Y | Y)', 'Y')
    expect(r.body?.verdict).toBe('explained')
  })
  it('step honours --vector, and a typed line of another shape is not accepted', async () => {
    const declared = await runScripted(tempHome(), ['--vector', 'w', 'step', "diff(b' * w, w)"], ['t', "b'"])
    expect(declared.stdout).toContain("gradient of b'x  → b")
    expect(declared.stdout).toContain("Not accepted: the shapes do not fit: diff(b' * w, w) is a column vector but b' is a row vector")
    // without it, w is a scalar and b' * w a row: the gradient by a vector does not fit
    const plain = await runScripted(tempHome(), ['step', "diff(b' * w, w)"], [])
    expect(plain.stdout).not.toContain("gradient of b'x")
  })
  it('check reads # vectors: and infers vectors across the whole derivation', async () => {
    const dir = tempHome()
    const file = join(dir, 'steps.txt')
    writeFileSync(file, "# vectors: b\ndiff(b' * x + x' * x, x)\n= b + 2 * x\n")
    const r = await derive(['check', file])
    expect(r.status).toBe(0)
    expect(r.stderr).toBe("derive: reading x as a vector (it is transposed: x')\n")
    writeFileSync(file, "# vectors: b\ndiff(b' * x + x' * x, x)\n= 2 * b + 2 * x\n")
    expect((await derive(['check', file])).status).toBe(1)
  })
})

describe('a rewrite never leaves a line without a shape', () => {
  it("X' * X * w + lambda * w is not offered (X' * X + lambda) * w, a matrix plus a number", async () => {
    const r = await derive(['match', "X'*X*w + lambda*w", '--json'])
    const fits = JSON.parse(r.stdout) as { result: string }[]
    expect(fits.map((f) => f.result)).not.toContain("(X' * X + lambda) * w")
    // a fit that keeps the shape is still offered
    const ok = await derive(['match', 'A*(B + C)', '--json'])
    expect((JSON.parse(ok.stdout) as { rule: string }[]).map((f) => f.rule)).toContain('matrix-distribute-left')
  })
})
