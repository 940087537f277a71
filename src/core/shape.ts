// Shapes (SPEC §1.3): every expression is a scalar, a column vector, a row (a transposed vector)
// or a matrix. Matrices are the library's matrix symbols; vectors are declared (--vector, a rule's
// "types", a file's "vectors") or inferred: a lowercase symbol that is transposed (x'), or one that
// only a vector makes fit. A product that comes out 1×1 is a scalar: it commutes, and its
// transpose is itself. Kinds alone decide what commutes and what may bind a wildcard; dimensions
// (which sizes must agree) are a separate pass for the sampler.
import { boundVar, type Call, countSymbols, type Expr, isMatrixName, matrixSymbols, type MatrixSetting, OPS, PROBABILITY_FNS, walk } from './expr.js'
import { print } from './print.js'
import { SCALAR } from './scalar.js'

/** The kind of an expression's value: rows × columns, each 1 or "several". */
export type Kind = 'scalar' | 'vector' | 'row' | 'matrix'

/** Why an expression has no shape: the smallest part that does not fit, and how. */
export interface Mismatch {
  readonly kind: 'mismatch'
  readonly at: Expr
  readonly reason: string
  /** Each line fits, but two lines have different shapes. */
  readonly betweenLines?: boolean
}

/**
 * The non-scalar symbols of an expression (a set of names, as the matcher has always been given),
 * with the column vectors among them named in `vectors`; every other member is a matrix.
 */
export class Shapes extends Set<string> {
  readonly vectors: ReadonlySet<string>
  /** Indexed symbols whose entries are vectors: x[i] is the i-th data point in w' * x[i]. */
  readonly entryVectors: ReadonlySet<string>
  /** Kinds already computed for subterms (expressions are immutable and shared). */
  readonly memo = new WeakMap<Expr, Kind | Mismatch>()
  /** Number functions (exp, log, ...) take only scalars; otherwise they act entry by entry. */
  readonly strict: boolean
  /** Symbols the lines use as counts or indices (N in sum(t[n], n, 1, N)): numbers, never random. */
  readonly counts: ReadonlySet<string>
  constructor(matrices: Iterable<string>, vectors: Iterable<string>, entryVectors: Iterable<string> = [], strict = false, counts: Iterable<string> = []) {
    const v = new Set(vectors)
    super([...[...matrices].filter((m) => !v.has(m)), ...v])
    this.vectors = v
    this.entryVectors = new Set(entryVectors)
    this.strict = strict
    this.counts = new Set(counts)
  }
  /** A string that differs whenever what the symbols are differs (for caches keyed by convention). */
  get convention(): string {
    const names = [...this].sort().map((n) => (this.vectors.has(n) ? `${n}:v` : n))
    return [...names, ...[...this.entryVectors].sort().map((n) => `${n}[]:v`), ...[...this.counts].sort().map((n) => `${n}#`)].join(',')
  }
}

/** A cache key for a set of non-scalar symbols (vectors marked, so x'*y keys apart from X'*Y). */
export const conventionOf = (symbols: ReadonlySet<string>): string =>
  symbols instanceof Shapes ? symbols.convention : [...symbols].sort().join(',')

/** Is this a mismatch rather than a kind? */
export const isMismatch = (k: Kind | Mismatch): k is Mismatch => typeof k !== 'string'
const mismatch = (at: Expr, reason: string): Mismatch => ({ kind: 'mismatch', at, reason })

const rowsOf = (k: Kind): 1 | 'n' => (k === 'scalar' || k === 'row' ? 1 : 'n')
const colsOf = (k: Kind): 1 | 'n' => (k === 'scalar' || k === 'vector' ? 1 : 'n')
const kindOf = (rows: 1 | 'n', cols: 1 | 'n'): Kind => (rows === 1 ? (cols === 1 ? 'scalar' : 'row') : cols === 1 ? 'vector' : 'matrix')

/** "a column vector", "a matrix", ... for messages. */
export const describeKind = (k: Kind): string =>
  k === 'scalar' ? 'a scalar' : k === 'vector' ? 'a column vector' : k === 'row' ? 'a row vector' : 'a matrix'

const NEVER_BOUND: ReadonlySet<string> = new Set()

/**
 * The kind of e when its non-scalar symbols are `symbols` (a Shapes names the vectors; in a plain
 * set every name is a matrix), or the mismatch that leaves it without one.
 */
export function shapeOf(e: Expr, symbols: ReadonlySet<string>, bound: ReadonlySet<string> = NEVER_BOUND): Kind | Mismatch {
  const memo = symbols instanceof Shapes && bound.size === 0 ? symbols.memo : undefined
  const known = memo?.get(e)
  if (known !== undefined) return known
  const k = computeShape(e, symbols, bound)
  memo?.set(e, k)
  return k
}

function computeShape(e: Expr, symbols: ReadonlySet<string>, bound: ReadonlySet<string>): Kind | Mismatch {
  if (e.kind === 'num') return 'scalar'
  if (e.kind === 'sym') {
    if (bound.has(e.name) || !symbols.has(e.name)) return 'scalar'
    return symbols instanceof Shapes && symbols.vectors.has(e.name) ? 'vector' : 'matrix'
  }
  const sub = (x: Expr, b: ReadonlySet<string> = bound): Kind | Mismatch => shapeOf(x, symbols, b)
  const args: Kind[] = []
  // a sum's or product's index, and a definite integral's variable, are scalars inside the body
  const v = boundVar(e)
  const inner = v ? new Set([...bound, v.name]) : bound
  if (e.head === OPS.index) {
    const base = e.args[0]
    return symbols instanceof Shapes && base?.kind === 'sym' && symbols.entryVectors.has(base.name) && e.args.length === 2 ? 'vector' : 'scalar'
  }
  if (PROBABILITY_FNS.has(e.head) || e.head === OPS.given || e.head === OPS.factorial) return 'scalar'
  for (let i = 0; i < e.args.length; i++) {
    const k = sub(e.args[i]!, i === 0 ? inner : bound)
    if (isMismatch(k)) return k
    args.push(k)
  }
  const [a, b] = args as [Kind, Kind | undefined]
  switch (e.head) {
    case OPS.add: {
      // a literal 0 is the zero of every shape (an empty sum of matrices starts from it)
      const kinds = args.filter((_, i) => !(e.args[i]!.kind === 'num' && (e.args[i] as { value: number }).value === 0))
      const first = kinds[0] ?? 'scalar'
      const j = kinds.findIndex((k) => k !== first)
      if (j < 0) return first
      const term = e.args.find((t, i) => args[i] === kinds[j] && !(t.kind === 'num' && t.value === 0))!
      const other = e.args.find((t, i) => args[i] === first && !(t.kind === 'num' && t.value === 0))!
      return mismatch(e, `cannot add ${describeKind(first)} (${print(other)}) and ${describeKind(kinds[j]!)} (${print(term)})`)
    }
    case OPS.mul:
      return productShape(e, args)
    case OPS.pow:
      if (b !== 'scalar') return mismatch(e, `the power in ${print(e)} must be a scalar, not ${describeKind(b!)}`)
      if (a === 'vector' || a === 'row') return mismatch(e, `${print(e)} raises ${describeKind(a)} to a power (only scalars and square matrices have powers)`)
      return a
    case OPS.transpose:
      return kindOf(colsOf(a), rowsOf(a))
    case 'det':
    case 'trace':
    case 'inv':
      if (a === 'vector' || a === 'row') return mismatch(e, `${e.head} of ${describeKind(a)} (${print(e.args[0]!)}): it needs a square matrix`)
      return e.head === 'inv' ? a : 'scalar'
    case 'diff':
      return derivativeShape(e, args)
    case 'int':
    case 'sum':
      return a
    case 'prod':
      if (a === 'vector' || a === 'row') return mismatch(e, `a product of ${describeKind(a)}s (${print(e.args[0]!)}) is not defined`)
      return a
    case OPS.and:
    case OPS.or:
    case OPS.not:
      return 'scalar'
  }
  // number functions act entry by entry; any other function (f(x), J(theta)) is a scalar
  if (SCALAR.has(e.head)) {
    const big = args.filter((k) => k !== 'scalar')
    if (big.length && symbols instanceof Shapes && symbols.strict) return mismatch(e, `${e.head} of ${describeKind(big[0]!)} in ${print(e)}: it takes a scalar`)
    if (big.some((k) => k !== big[0])) return mismatch(e, `the arguments of ${print(e)} have different shapes`)
    return big[0] ?? 'scalar'
  }
  return 'scalar'
}

/**
 * A product: scalars commute out; the rest multiply in order, and a 1×1 result is a scalar. The
 * product is flat (A * (x' * y) reads as A * x' * y), so a row that cannot multiply what comes
 * before it may open a 1×1 subproduct (x' * y) that then commutes out as a scalar.
 */
function productShape(e: Call, kinds: readonly Kind[]): Kind | Mismatch {
  const stack: { kind: Kind; from: number }[] = []
  for (let i = 0; i < kinds.length; i++) {
    const k = kinds[i]!
    if (k === 'scalar') continue
    const top = stack.at(-1)
    if (top === undefined) {
      stack.push({ kind: k, from: i })
      continue
    }
    if (colsOf(top.kind) === rowsOf(k)) {
      top.kind = kindOf(rowsOf(top.kind), colsOf(k))
      if (top.kind === 'scalar') stack.pop()
      continue
    }
    if (rowsOf(k) === 1) {
      stack.push({ kind: k, from: i })
      continue
    }
    return mismatch(e, `cannot multiply ${describeKind(top.kind)} (${print(part(e, top.from, i))}) by ${describeKind(k)} (${print(e.args[i]!)})`)
  }
  if (stack.length > 1) {
    const [a, b] = stack.slice(-2) as [{ kind: Kind; from: number }, { kind: Kind; from: number }]
    return mismatch(e, `cannot multiply ${describeKind(a.kind)} (${print(part(e, a.from, b.from))}) by ${describeKind(b.kind)} (${print(part(e, b.from, e.args.length))})`)
  }
  return stack[0]?.kind ?? 'scalar'
}

/** The factors from..to-1 of a product, as one expression. */
const part = (e: Call, from: number, to: number): Expr => (to - from === 1 ? e.args[from]! : { kind: 'call', head: OPS.mul, args: e.args.slice(from, to) })

/** diff(f, x): the gradient of a scalar has x's shape; a vector by a vector is a Jacobian matrix. */
function derivativeShape(e: Call, kinds: readonly Kind[]): Kind | Mismatch {
  const [f, x, order] = kinds as [Kind, Kind | undefined, Kind | undefined]
  if (x === undefined || x === 'scalar') return f
  if (order !== undefined) return mismatch(e, `a higher derivative by ${describeKind(x)} (${print(e.args[1]!)}) is not defined here`)
  if (f === 'scalar') return x
  if (f === 'vector' && x === 'vector') return 'matrix'
  return mismatch(e, `a derivative of ${describeKind(f)} (${print(e.args[0]!)}) by ${describeKind(x)} (${print(e.args[1]!)}) is not defined here`)
}

/** May e denote a matrix or vector rather than a scalar? (An ill-shaped e may: it is kept in order.) */
export function isMatrixish(e: Expr, symbols: ReadonlySet<string>): boolean {
  if (symbols.size === 0 && !(symbols instanceof Shapes && symbols.entryVectors.size) && !hasTranspose(e)) return false
  return shapeOf(e, symbols) !== 'scalar'
}

const hasTranspose = (e: Expr): boolean => e.kind === 'call' && (e.head === OPS.transpose || e.args.some(hasTranspose))

/** A product keeps its order when it has a non-scalar factor: then only scalars commute. */
export function isOrderedProduct(e: Call, symbols: ReadonlySet<string>): boolean {
  return e.head === OPS.mul && e.args.some((a) => isMatrixish(a, symbols))
}

// ---- which symbols are what ----------------------------------------------------------------------

/** The library's matrix convention together with the vectors declared or inferred for some lines. */
export interface ShapeSetting {
  readonly matrices: MatrixSetting
  readonly vectors: readonly string[]
  /** Indexed symbols whose entries are vectors (inferred: w' * x[i] + b). */
  readonly entryVectors?: readonly string[]
  /**
   * Symbols that are scalars whatever their name, as the whole lines show (N in sum(t[n], n, 1, N)
   * is a count, X in E(X) a random variable): also in a part of a line seen alone (N * lambda).
   */
  readonly scalars?: readonly string[]
  /** Symbols the whole lines use as counts or indices (never random, also in a part seen alone). */
  readonly counts?: readonly string[]
}

/** What commands pass down: the library's matrix convention alone, or with vectors. */
export type SymbolSetting = MatrixSetting | ShapeSetting

const isShapeSetting = (s: SymbolSetting): s is ShapeSetting => typeof s === 'object' && !Array.isArray(s)

/** The matrix convention of a setting. */
export const matricesOf = (s: SymbolSetting): MatrixSetting => (isShapeSetting(s) ? s.matrices : s)

/** The declared vectors of a setting. */
export const vectorsOf = (s: SymbolSetting): readonly string[] => (isShapeSetting(s) ? s.vectors : [])

const entryVectorsOf = (s: SymbolSetting): readonly string[] => (isShapeSetting(s) ? (s.entryVectors ?? []) : [])

const scalarsOf = (s: SymbolSetting): readonly string[] => (isShapeSetting(s) ? (s.scalars ?? []) : [])
const countsOf = (s: SymbolSetting): readonly string[] => (isShapeSetting(s) ? (s.counts ?? []) : [])

/** A setting with more vectors (and indexed symbols whose entries are vectors). */
export function withVectors(s: SymbolSetting, vectors: Iterable<string>, entryVectors: Iterable<string> = []): ShapeSetting {
  const entries = [...new Set([...entryVectorsOf(s), ...entryVectors])].sort()
  const [scalars, counts] = [scalarsOf(s), countsOf(s)]
  return {
    matrices: matricesOf(s),
    vectors: [...new Set([...vectorsOf(s), ...vectors])].sort(),
    ...(entries.length ? { entryVectors: entries } : {}),
    ...(scalars.length ? { scalars } : {}),
    ...(counts.length ? { counts } : {}),
  }
}

/**
 * The setting for parts of these lines: each symbol that the lines show is a scalar although its
 * name says matrix (a count, an index, a random variable) stays one in every part.
 */
export function forPartsOf(lines: readonly Expr[], s: SymbolSetting): ShapeSetting {
  const m = matricesOf(s)
  const matrices = matrixSymbols({ kind: 'call', head: 'lines', args: lines }, m)
  const scalars = new Set(scalarsOf(s))
  for (const line of lines) for (const { node } of walk(line)) if (node.kind === 'sym' && isMatrixName(node.name, m) && !matrices.has(node.name)) scalars.add(node.name)
  const counts = new Set([...countsOf(s), ...lines.flatMap((l) => [...countSymbols(l)])])
  const base = withVectors(s, [])
  return { ...base, ...(scalars.size ? { scalars: [...scalars].sort() } : {}), ...(counts.size ? { counts: [...counts].sort() } : {}) }
}

/**
 * Lowercase symbols written transposed: each is a vector. The transpose reaches through sums and
 * numeric multiples, so (x - mu)' makes x and mu vectors. Random variables excepted.
 */
export function transposedSymbols(e: Expr, setting: MatrixSetting): Set<string> {
  const out = new Set<string>()
  const mark = (x: Expr): void => {
    if (x.kind === 'sym') {
      if (!isMatrixName(x.name, setting) && x.name !== 'e' && x.name !== 'pi') out.add(x.name)
    } else if (x.kind === 'call' && (x.head === OPS.add || (x.head === OPS.mul && x.args.filter((a) => a.kind !== 'num').length === 1))) x.args.forEach(mark)
  }
  const visit = (x: Expr, inProb: boolean): void => {
    if (x.kind !== 'call') return
    if (x.head === OPS.transpose && !inProb) mark(x.args[0]!)
    const p = inProb || PROBABILITY_FNS.has(x.head)
    for (const a of x.args) visit(a, p)
  }
  visit(e, false)
  return out
}

/** The non-scalar symbols of some lines: the setting's matrices and vectors that occur, and every transposed symbol. */
export function shapesOf(exprs: readonly Expr[], setting: SymbolSetting): Shapes {
  const m = matricesOf(setting)
  const declared = new Set(vectorsOf(setting))
  const matrices = new Set<string>()
  const vectors = new Set<string>()
  // a random variable in one line (E(Y | Y)) is one in every line (Y)
  const scalars = new Set(scalarsOf(setting))
  for (const n of matrixSymbols({ kind: 'call', head: 'lines', args: exprs }, m)) if (!scalars.has(n)) matrices.add(n)
  for (const e of exprs) {
    for (const n of transposedSymbols(e, m)) vectors.add(n)
    if (declared.size) for (const { node } of walk(e)) if (node.kind === 'sym' && declared.has(node.name)) vectors.add(node.name)
  }
  const counts = new Set(countsOf(setting))
  for (const e of exprs) for (const n of countSymbols(e)) counts.add(n)
  return new Shapes(matrices, vectors, entryVectorsOf(setting), false, counts)
}

// ---- inference for lines of a derivation --------------------------------------------------------

/** Something derive read in a way the text does not say outright (announced once, on stderr). */
export interface ShapeReading {
  readonly symbol: string
  readonly text: string
}

export type Inference =
  | { readonly ok: true; readonly setting: ShapeSetting; readonly shapes: Shapes; readonly readings: readonly ShapeReading[] }
  | { readonly ok: false; readonly message: string }

const MAX_PROMOTED = 3
const MAX_CANDIDATES = 12

/**
 * The shapes of the lines of one derivation (or one rule's two sides), which must each fit and
 * all have one shape. Declared vectors and transposed symbols are vectors; if the lines still do
 * not fit, the fewest lowercase symbols that make them fit as vectors are read as vectors (only
 * when that choice is unique). Otherwise the first mismatch, as a message.
 */
export function inferShapes(lines: readonly Expr[], setting: SymbolSetting): Inference {
  // first as a mathematician reads exp(c' * x): a number function takes a scalar, so x is a vector;
  // only if nothing fits that way are number functions read entry by entry (sigmoid(X * theta))
  const strict = inferIn(lines, setting, true)
  if (!strict.ok) return inferIn(lines, setting, false)
  const { vectors, entryVectors } = strict.shapes
  return { ...strict, shapes: new Shapes(strict.shapes, vectors, entryVectors, false, strict.shapes.counts) }
}

function inferIn(lines: readonly Expr[], setting: SymbolSetting, strict: boolean): Inference {
  const lenient = shapesOf(lines, setting)
  const base = new Shapes(lenient, lenient.vectors, lenient.entryVectors, strict, lenient.counts)
  const declared = new Set(vectorsOf(setting))
  const readings: ShapeReading[] = []
  for (const n of [...base.vectors].sort()) {
    if (!declared.has(n)) readings.push({ symbol: n, text: `reading ${n} as a vector (it is transposed: ${n}')` })
  }
  const first = linesMismatch(lines, base)
  if (first === undefined) return { ok: true, setting: withVectors(setting, base.vectors), shapes: base, readings }
  const candidates = scalarCandidates(lines, base)
  // a candidate "x[]" says: the entries x[i] are vectors (x[i] is the i-th data point)
  const promoted = (set: readonly string[]): Shapes =>
    new Shapes(base, [...base.vectors, ...set.filter((n) => !n.endsWith('[]'))], [...base.entryVectors, ...set.filter((n) => n.endsWith('[]')).map((n) => n.slice(0, -2))], strict, base.counts)
  for (let size = 1; size <= Math.min(MAX_PROMOTED, candidates.length); size++) {
    const fits = subsets(candidates, size).filter((set) => linesMismatch(lines, promoted(set)) === undefined)
    if (fits.length === 1) {
      const chosen = fits[0]!
      const shapes = promoted(chosen)
      const why = first.betweenLines ? 'as a scalar, the lines would have different shapes' : `as a scalar, ${print(first.at)} would not fit`
      for (const n of chosen) {
        const text = n.endsWith('[]') ? `reading the entries of ${n.slice(0, -2)} as vectors (${why})` : `reading ${n} as a vector (${why})`
        readings.push({ symbol: n, text })
      }
      return { ok: true, setting: withVectors(setting, shapes.vectors, shapes.entryVectors), shapes, readings }
    }
    if (fits.length > 1) {
      const names = [...new Set(fits.flat())].sort().map((n) => (n.endsWith('[]') ? `${n.slice(0, -2)}[i]` : n)).join(', ')
      return { ok: false, message: `the shapes do not fit: ${first.reason}; it would with some of ${names} as vectors: say which with --vector` }
    }
  }
  const hint = candidates.length ? ' (declare vectors with --vector NAME)' : ''
  return { ok: false, message: `the shapes do not fit: ${first.reason}${hint}` }
}

/** The first mismatch of the lines: inside a line, or two lines of different shapes. */
function linesMismatch(lines: readonly Expr[], shapes: Shapes): Mismatch | undefined {
  let seen: { kind: Kind; line: Expr } | undefined
  for (const line of lines) {
    const k = shapeOf(line, shapes)
    if (isMismatch(k)) return k
    // a literal number may stand for a multiple of the identity, or the zero of any shape
    if (line.kind === 'num') continue
    if (seen && seen.kind !== k) {
      return { ...mismatch(line, `${print(seen.line)} is ${describeKind(seen.kind)} but ${print(line)} is ${describeKind(k)}`), betweenLines: true }
    }
    seen ??= { kind: k, line }
  }
  return undefined
}

/** Free lowercase symbols that are scalars now and could be vectors (not indices, not bound, not random). */
function scalarCandidates(lines: readonly Expr[], shapes: Shapes): string[] {
  const out = new Set<string>()
  const never = new Set<string>(['e', 'pi'])
  const visit = (x: Expr, inProb: boolean): void => {
    if (x.kind === 'sym') {
      if (!inProb && !shapes.has(x.name)) out.add(x.name)
      return
    }
    if (x.kind === 'num') return
    const v = boundVar(x)
    const loop = x.head === 'sum' || x.head === 'prod'
    if (v && loop) never.add(v.name)
    if (x.head === OPS.index) {
      // x[i]: x is an indexed symbol (its entries may be vectors) and i an index, never a vector
      const [base, ...idx] = x.args
      if (base?.kind === 'sym') {
        never.add(base.name)
        if (idx.length === 1 && !inProb && !shapes.has(base.name)) out.add(`${base.name}[]`)
      }
      for (const a of idx) collectNever(a, never)
      return
    }
    const p = inProb || PROBABILITY_FNS.has(x.head)
    x.args.forEach((a, i) => (v && loop && i > 1 ? collectNever(a, never) : visit(a, p)))
  }
  for (const l of lines) visit(l, false)
  return [...out].filter((n) => !never.has(n)).sort().slice(0, MAX_CANDIDATES)
}

/** Symbols in a sum's limits are counts, never vectors. */
function collectNever(e: Expr, never: Set<string>): void {
  for (const { node } of walk(e)) if (node.kind === 'sym') never.add(node.name)
}

function subsets<T>(items: readonly T[], size: number): T[][] {
  if (size === 0) return [[]]
  const out: T[][] = []
  items.forEach((x, i) => {
    for (const rest of subsets(items.slice(i + 1), size - 1)) out.push([x, ...rest])
  })
  return out
}

const VECTORS_LINE = /^#\s*vectors?\s*:\s*(.*)$/i

/**
 * The vectors a derivation file declares: every line `# vectors: theta, y` (names split on commas
 * or spaces). Undefined names are not checked here; a malformed name is reported as `bad`.
 */
export function declaredVectors(text: string): { names: string[]; bad?: { line: number; name: string } } {
  const names: string[] = []
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const m = VECTORS_LINE.exec(lines[i]!.trim())
    if (!m) continue
    for (const n of m[1]!.split(/[\s,]+/).filter((x) => x !== '')) {
      if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(n)) return { names, bad: { line: i + 1, name: n } }
      names.push(n)
    }
  }
  return { names: [...new Set(names)] }
}

/** The shapes of some lines as inferShapes reads them; when they do not fit, just the declared and transposed vectors. */
export function shapesFor(lines: readonly Expr[], setting: SymbolSetting): Shapes {
  const r = inferShapes(lines, setting)
  return r.ok ? r.shapes : shapesOf(lines, setting)
}
