// Our own numeric evaluator over Expr (never mathjs `evaluate`: its units, constants and parser
// features are traps for student input). Values are numbers, matrices, arrays (x[i]), random
// variables and events on a finite probability space.
import { type Call, type Expr, isCall, OPS, RELATION_HEADS } from './expr.js'
import { det, identity, inverse, matmul, type Rows, shapeOf, trace, transpose } from './linalg.js'
import { derivative, integrate } from './numeric.js'
import { print } from './print.js'
import { SCALAR } from './scalar.js'
import { instantiate } from './rewrite.js'
import type { Rule } from './rule.js'

export interface Matrix {
  readonly kind: 'matrix'
  /** Vectors are n×1 columns; a 1×1 result is collapsed to a number. */
  readonly rows: Rows
}
/** The values of an indexed symbol (a list): x[0] is items[0], x[1] is items[1], ... */
export interface ArrayValue {
  readonly kind: 'array'
  readonly items: readonly Value[]
}
/** A random variable: its value at each outcome of the probability space. */
export interface RandomVar {
  readonly kind: 'rv'
  readonly at: readonly number[]
}
/** An event: whether each outcome of the probability space belongs to it. */
export interface EventValue {
  readonly kind: 'event'
  readonly at: readonly boolean[]
}
/** A truth value: a condition on numbers (a condition on random variables is an event). */
export interface Truth {
  readonly kind: 'truth'
  readonly value: boolean
}
export type Value = number | Matrix | ArrayValue | RandomVar | EventValue | Truth

/** Values of symbols (a ReadonlyMap will do). */
export interface Scope {
  get(name: string): Value | undefined
}

/** A fixed function standing for an unknown f: `body` over the symbols `params`. */
export interface UnknownFunction {
  readonly params: readonly string[]
  readonly body: Expr
}

export interface EvalContext {
  /** Outcome probabilities of the finite space that random variables and events live on. */
  readonly space?: readonly number[]
  /** The function to use for a name that no builtin or definition covers (undefined: cannot). */
  readonly unknown?: (name: string, arity: number) => UnknownFunction | undefined
  /** Definition rules (lhs = name(params)), unfolded when their name is called. */
  readonly definitions?: readonly Rule[]
  /**
   * Filled with the branches each condition took (key: the condition as printed; bit 1: true
   * seen, bit 2: false seen), so a check can tell whether both sides of it were compared.
   */
  readonly branches?: Map<string, number>
}

/**
 * Why an expression has no value. `undefinedHere`: not defined at these values (log of a negative
 * number, x[9] of a shorter array), so other random values may do; otherwise the construct itself
 * cannot be evaluated and resampling will not help.
 */
export class EvalError extends Error {
  constructor(
    readonly reason: string,
    readonly undefinedHere: boolean,
    /** a comparison of two floats too close to call: only a high-precision evaluation can decide it */
    readonly tie = false,
  ) {
    super(reason)
    this.name = 'EvalError'
  }
}

const undef = (reason: string): EvalError => new EvalError(reason, true)
const unsupported = (reason: string): EvalError => new EvalError(reason, false)

/** Where entry i of a list of n is kept: an indexed symbol (a list, not a vector) has an entry 0, x[0] is items[0]. */
export function listEntry(n: number, i: number): number {
  if (i < 0 || i >= n) throw undef(`index ${i} is out of range 0..${n - 1}`)
  return i
}

export const matrix = (rows: Rows): Matrix => ({ kind: 'matrix', rows })
const rv = (at: readonly number[]): RandomVar => ({ kind: 'rv', at })
const event = (at: readonly boolean[]): EventValue => ({ kind: 'event', at })
const truth = (value: boolean): Truth => ({ kind: 'truth', value })

/** A short description of a value for error messages. */
export function describe(v: Value): string {
  if (typeof v === 'number') return String(Number(v.toPrecision(4)))
  if (v.kind === 'truth') return String(v.value)
  if (v.kind === 'matrix') return `a ${shapeOf(v.rows).join('×')} matrix`
  if (v.kind === 'array') return 'an indexed symbol'
  return v.kind === 'rv' ? 'a random variable' : 'an event'
}

/** Value of e under scope and ctx. Throws EvalError when it has none. */
export function evaluate(e: Expr, scope: Scope, ctx: EvalContext = {}): Value {
  return new Evaluator(ctx).eval(e, scope)
}

const extend = (s: Scope, name: string, v: Value): Scope => ({ get: (n) => (n === name ? v : s.get(n)) })

/** A finite number, or EvalError naming what was computed. */
function finite(x: number, what: () => string): number {
  if (!Number.isFinite(x)) throw undef(`${what()} is undefined`)
  return x
}

// ---- scalar functions, lifted pointwise over random variables ---------------------------------

/** Names that look like functions but are not number-valued here: never replaced by a random function. */
const NOT_EVALUATED: ReadonlySet<string> = new Set(['argmax', 'argmin', 'lim', 'limit', 'grad', 'nabla', 'O', 'o'])

class Evaluator {
  private depth = 0
  private readonly defs: ReadonlyMap<string, readonly Rule[]>

  constructor(private readonly ctx: EvalContext) {
    this.defs = definitionsByName(ctx.definitions ?? [])
  }

  eval(e: Expr, scope: Scope): Value {
    if (e.kind === 'num') return e.value
    if (e.kind === 'sym') {
      const v = scope.get(e.name)
      if (v !== undefined) return v
      if (e.name === 'e') return Math.E
      if (e.name === 'pi') return Math.PI
      throw unsupported(`no value for "${e.name}"`)
    }
    return this.call(e, scope)
  }

  private num(e: Expr, scope: Scope, what: string): number {
    const v = this.eval(e, scope)
    if (typeof v !== 'number') throw unsupported(`${what} must be a number, not ${describe(v)}`)
    return v
  }

  private call(e: Call, scope: Scope): Value {
    const a = e.args
    const ev = (x: Expr): Value => this.eval(x, scope)
    switch (e.head) {
      case OPS.add:
        return a.map(ev).reduce(addValues)
      case OPS.mul:
        return multiplyAll(a.map(ev))
      case OPS.pow:
        return powValue(ev(a[0]!), ev(a[1]!))
      case OPS.transpose:
        return transposeValue(ev(a[0]!))
      case OPS.index:
        return this.index(e, scope)
      case OPS.factorial:
        return lift('factorial', [ev(a[0]!)], SCALAR.get('factorial')![2])
      case OPS.and:
      case OPS.or:
      case OPS.not:
        return eventOp(e.head, a.map(ev))
      case 'ind':
        if (a.length !== 1) throw unsupported('ind takes one condition, as in ind(y == 1)')
        return indicator(this.condition(a[0]!, scope))
      case OPS.if: {
        const c = this.condition(a[0]!, scope)
        // only the branch taken is evaluated: x > 0 ? log(x) : 0 is defined everywhere
        if (c.kind === 'truth') return ev(c.value ? a[1]! : a[2]!)
        return choose(c, ev(a[1]!), ev(a[2]!))
      }
      case OPS.given:
        throw unsupported('a conditional "A | B" is only meaningful inside P(...), E(...), Var(...) or Cov(...)')
      case 'sum':
      case 'prod':
        return this.loop(e, scope)
      case 'diff':
        return this.diff(e, scope)
      case 'int':
        return this.integral(e, scope)
      case 'E':
      case 'Var':
      case 'Cov':
      case 'P':
        return this.probability(e, scope)
      case 'det':
      case 'inv':
      case 'trace':
        if (a.length !== 1) throw unsupported(`${e.head} takes one argument`)
        return matrixFn(e.head, ev(a[0]!))
    }
    if (RELATION_HEADS.has(e.head)) return compare(e.head, ev(a[0]!), ev(a[1]!), e)
    const scalar = SCALAR.get(e.head)
    if (scalar && a.length >= scalar[0] && a.length <= scalar[1]) return lift(e.head, a.map(ev), scalar[2])
    const def = this.defs.get(e.head)?.find((d) => (d.lhs as Call).args.length === a.length)
    if (def) return this.unfold(def, e, scope)
    if (NOT_EVALUATED.has(e.head)) throw unsupported(`${e.head}(...) has no numeric value to compare`)
    const f = this.ctx.unknown?.(e.head, a.length)
    if (!f) throw unsupported(`unknown function "${e.head}" with ${a.length} argument${a.length === 1 ? '' : 's'}`)
    const values = a.map(ev)
    const inner = new Map(f.params.map((p, i) => [p, values[i]!]))
    return this.eval(f.body, inner)
  }

  /** A condition's truth value (or event), noted in ctx.branches. */
  private condition(c: Expr, scope: Scope): Truth | EventValue {
    const v = this.eval(c, scope)
    if (typeof v === 'number' || (v.kind !== 'event' && v.kind !== 'truth')) throw unsupported(`a condition must be a comparison such as y == 1, not ${describe(v)}`)
    noteBranches(this.ctx.branches, c, v.kind === 'truth' ? [v.value] : v.at)
    return v
  }

  /** A definition's right side with its parameters replaced by the call's arguments. */
  private unfold(def: Rule, e: Call, scope: Scope): Value {
    if (++this.depth > 64) throw unsupported(`definition of "${e.head}" unfolds without end`)
    try {
      const params = (def.lhs as Call).args as readonly (Expr & { kind: 'sym' })[]
      const body = instantiate(def.rhs, new Map(params.map((p, i) => [p.name, e.args[i]!])))
      return this.eval(body, scope)
    } finally {
      this.depth--
    }
  }

  private index(e: Call, scope: Scope): Value {
    const base = this.eval(e.args[0]!, scope)
    const idx = e.args.slice(1).map((x) => integer(this.num(x, scope, 'an index'), 'an index'))
    const at = (n: number, i: number): number => {
      if (i < 1 || i > n) throw undef(`index ${i} is out of range 1..${n}`)
      return i - 1
    }
    if (typeof base !== 'number' && base.kind === 'array' && idx.length === 1) return base.items[listEntry(base.items.length, idx[0]!)]!
    if (typeof base !== 'number' && base.kind === 'matrix') {
      const [r, c] = shapeOf(base.rows)
      if (idx.length === 2) return base.rows[at(r, idx[0]!)]![at(c, idx[1]!)]!
      if (idx.length === 1 && c === 1) return base.rows[at(r, idx[0]!)]![0]!
      if (idx.length === 1 && r === 1) return base.rows[0]![at(c, idx[0]!)]!
    }
    throw unsupported(`cannot index ${describe(base)} with ${idx.length} index${idx.length === 1 ? '' : 'es'}`)
  }

  /** sum/prod(body, i, lo, hi) as a loop over the integers lo..hi. */
  private loop(e: Call, scope: Scope): Value {
    const [body, v, lo, hi] = e.args
    if (e.args.length !== 4 || v?.kind !== 'sym') throw unsupported(`${e.head} needs the form ${e.head}(body, i, lo, hi)`)
    const from = integer(this.num(lo!, scope, 'a limit'), 'a limit')
    const to = integer(this.num(hi!, scope, 'a limit'), 'a limit')
    if (to - from > 10_000) throw unsupported(`${e.head} over ${to - from + 1} terms is too long to evaluate`)
    let acc: Value = e.head === 'sum' ? 0 : 1
    for (let i = from; i <= to; i++) {
      const term = this.eval(body!, extend(scope, v.name, i))
      acc = e.head === 'sum' ? addValues(acc, term) : mulValues(acc, term)
    }
    return acc
  }

  /**
   * diff(f, x) at the current value of x, numerically. For a vector or matrix x: the gradient
   * (same shape as x) of a scalar f, or the Jacobian (numerator layout, rows = components of f)
   * of a vector f. diff(f, x, k) is the k-th derivative.
   */
  private diff(e: Call, scope: Scope): Value {
    const [body, v, order] = e.args
    if (e.args.length === 3) {
      const k = integer(this.num(order!, scope, 'the order of a derivative'), 'the order of a derivative')
      if (k < 0 || k > 4) throw unsupported(`a derivative of order ${k} is not evaluated`)
      let inner: Expr = body!
      for (let j = 0; j < k; j++) inner = { kind: 'call', head: 'diff', args: [inner, v!] }
      return this.eval(inner, scope)
    }
    if (e.args.length !== 2) throw unsupported('diff needs the form diff(f, x)')
    const coords = this.coordinates(v!, scope)
    const at = this.eval(body!, scope)
    const shape = flatten(at)
    const partials = coords.map((c) => {
      const d = derivative((t) => {
        try {
          return flatten(this.eval(body!, c.with(t))).data
        } catch (err) {
          if (err instanceof EvalError && err.undefinedHere) return undefined
          throw err
        }
      }, c.value)
      if (!d) throw undef(`the derivative with respect to ${c.name} could not be estimated`)
      return d
    })
    if (coords.length === 1) return shape.rebuild(partials[0]!)
    const point = this.eval(v!, scope) as Matrix
    const [pr, pc] = shapeOf(point.rows)
    if (typeof at === 'number') return matrix(Array.from({ length: pr }, (_, i) => Array.from({ length: pc }, (_, j) => partials[i * pc + j]![0]!)))
    if (typeof at !== 'number' && at.kind === 'matrix' && shapeOf(at.rows)[1] === 1 && pc === 1) {
      return collapse(at.rows.map((_, i) => partials.map((p) => p[i]!)))
    }
    throw unsupported(`a derivative of ${describe(at)} with respect to ${describe(point)} is not evaluated`)
  }

  /** The numbers a derivative varies: a scalar variable, each entry of a matrix variable, or x[i]. */
  private coordinates(v: Expr, scope: Scope): { name: string; value: number; with: (t: number) => Scope }[] {
    if (v.kind === 'sym') {
      const p = scope.get(v.name)
      if (p === undefined) throw unsupported(`no point at which to differentiate with respect to "${v.name}"`)
      if (typeof p === 'number') return [{ name: v.name, value: p, with: (t) => extend(scope, v.name, t) }]
      if (p.kind === 'matrix') {
        const [r, c] = shapeOf(p.rows)
        return Array.from({ length: r * c }, (_, k) => {
          const i = Math.floor(k / c)
          const j = k % c
          return {
            name: `${v.name}[${i + 1}, ${j + 1}]`,
            value: p.rows[i]![j]!,
            with: (t: number) => extend(scope, v.name, matrix(p.rows.map((row, ii) => row.map((x, jj) => (ii === i && jj === j ? t : x))))),
          }
        })
      }
      throw unsupported(`cannot differentiate with respect to ${describe(p)}`)
    }
    if (isCall(v, OPS.index) && v.args[0]?.kind === 'sym' && v.args.length === 2) {
      const name = v.args[0].name
      const arr = scope.get(name)
      const i = integer(this.num(v.args[1]!, scope, 'an index'), 'an index')
      if (arr !== undefined && typeof arr !== 'number' && arr.kind === 'array') {
        const item = arr.items[i]
        if (typeof item !== 'number') throw undef(`${name}[${i}] is not a number`)
        return [{ name: `${name}[${i}]`, value: item, with: (t) => extend(scope, name, { kind: 'array', items: arr.items.map((x, k) => (k === i ? t : x)) }) }]
      }
    }
    throw unsupported('diff(f, x) needs a variable x (a symbol or x[i])')
  }

  private integral(e: Call, scope: Scope): Value {
    const [body, v, lo, hi] = e.args
    if (e.args.length === 2) throw unsupported('an indefinite integral int(f, x) is defined only up to a constant, so it has no value to compare')
    if (e.args.length !== 4 || v?.kind !== 'sym') throw unsupported('int needs the form int(f, x, a, b)')
    const a = this.num(lo!, scope, 'a limit of integration')
    const b = this.num(hi!, scope, 'a limit of integration')
    return integrate((t) => this.num(body!, extend(scope, v.name, t), 'an integrand'), a, b)
  }

  /**
   * E, Var, Cov and P over the finite space. A last argument `X | B` conditions: on an event B
   * (a number), or on a random variable Y (a random variable: at each outcome, the value given
   * the level set of Y there, so E(E(X | Y)) = E(X)).
   */
  private probability(e: Call, scope: Scope): Value {
    const space = this.ctx.space
    let args = e.args
    let given: Value | undefined
    const last = args.at(-1)
    if (isCall(last, OPS.given)) {
      given = this.eval(last.args[1]!, scope)
      args = [...args.slice(0, -1), last.args[0]!]
    }
    const arity = e.head === 'Cov' ? 2 : 1
    if (args.length !== arity) throw unsupported(`${e.head} takes ${arity} argument${arity > 1 ? 's' : ''}`)
    const raw = args.map((x) => this.eval(x, scope))
    if (e.head === 'P' && (typeof raw[0] === 'number' || raw[0]!.kind !== 'event')) throw unsupported(`P(...) needs an event, not ${describe(raw[0]!)}`)
    // an event inside E is its indicator
    const vals = raw.map((v) => {
      if (typeof v === 'number' || v.kind === 'rv') return v
      if (v.kind === 'event') return rv(v.at.map((b) => (b ? 1 : 0)))
      throw unsupported(`${e.head} of ${describe(v)} is not evaluated`)
    })
    const at = (v: number | RandomVar, k: number): number => (typeof v === 'number' ? v : v.at[k]!)
    const compute = (w: readonly number[]): number => {
      const mean = (f: (k: number) => number): number => w.reduce((s, wk, k) => s + wk * f(k), 0)
      const [x, y] = vals as [number | RandomVar, (number | RandomVar) | undefined]
      if (e.head === 'E' || e.head === 'P') return mean((k) => at(x, k))
      const mx = mean((k) => at(x, k))
      const other = e.head === 'Var' ? x : y!
      const my = mean((k) => at(other, k))
      return mean((k) => (at(x, k) - mx) * (at(other, k) - my))
    }
    if (!space) {
      if (vals.every((v) => typeof v === 'number') && given === undefined) return compute([1])
      throw unsupported('no probability space')
    }
    const restrict = (inB: (k: number) => boolean): number => {
      const pb = space.reduce((s, w, k) => s + (inB(k) ? w : 0), 0)
      if (pb < 1e-12) throw undef('the conditioning event has probability 0')
      return compute(space.map((w, k) => (inB(k) ? w / pb : 0)))
    }
    if (given === undefined) return compute(space)
    if (typeof given !== 'number' && given.kind === 'event') return restrict((k) => given.at[k]!)
    if (typeof given !== 'number' && given.kind === 'rv') return rv(given.at.map((level) => restrict((k) => given.at[k] === level)))
    throw unsupported(`cannot condition on ${describe(given)}`)
  }
}

const defCache = new WeakMap<readonly Rule[], Map<string, Rule[]>>()

/** Definitions usable for unfolding (lhs = name(distinct symbols)), grouped by name. */
function definitionsByName(defs: readonly Rule[]): ReadonlyMap<string, readonly Rule[]> {
  const cached = defCache.get(defs)
  if (cached) return cached
  const out = new Map<string, Rule[]>()
  for (const d of defs) {
    if (d.kind !== 'definition' || d.lhs.kind !== 'call') continue
    if (!d.lhs.args.every((a) => a.kind === 'sym')) continue
    const list = out.get(d.lhs.head) ?? []
    list.push(d)
    out.set(d.lhs.head, list)
  }
  defCache.set(defs, out)
  return out
}

/** Is `name` evaluated without definitions (a builtin function or operator)? */
export const isBuiltin = (name: string): boolean =>
  SCALAR.has(name) || ['sum', 'prod', 'diff', 'int', 'E', 'Var', 'Cov', 'P', 'det', 'inv', 'trace'].includes(name) || Object.values(OPS).includes(name as never)

function integer(x: number, what: string): number {
  const r = Math.round(x)
  if (Math.abs(x - r) > 1e-9) throw undef(`${what} ${Number(x.toPrecision(4))} is not an integer`)
  return r
}

// ---- arithmetic on values --------------------------------------------------------------------

/** A 1×1 matrix is a number (x' * y). */
function collapse(rows: Rows): Value {
  return rows.length === 1 && rows[0]!.length === 1 ? rows[0]![0]! : matrix(rows)
}

function pointwise(a: Value, b: Value, f: (x: number, y: number) => number, what: string): Value | undefined {
  if (typeof a === 'number' && typeof b === 'number') return finite(f(a, b), () => `${what}(${a}, ${b})`)
  const outcomes = (v: Value): readonly number[] | number | undefined => (typeof v === 'number' ? v : v.kind === 'rv' ? v.at : undefined)
  const x = outcomes(a)
  const y = outcomes(b)
  if (x === undefined || y === undefined) return undefined
  const n = typeof x === 'number' ? (y as readonly number[]).length : x.length
  const at = (z: readonly number[] | number, k: number): number => (typeof z === 'number' ? z : z[k]!)
  return rv(Array.from({ length: n }, (_, k) => finite(f(at(x, k), at(y, k)), () => what)))
}

export function addValues(a: Value, b: Value): Value {
  const p = pointwise(a, b, (x, y) => x + y, 'a sum')
  if (p !== undefined) return p
  if (typeof a !== 'number' && typeof b !== 'number' && a.kind === 'matrix' && b.kind === 'matrix') {
    const [r, c] = shapeOf(a.rows)
    const [r2, c2] = shapeOf(b.rows)
    if (r !== r2 || c !== c2) throw unsupported(`cannot add a ${r}×${c} and a ${r2}×${c2} matrix`)
    return matrix(a.rows.map((row, i) => row.map((x, j) => x + b.rows[i]![j]!)))
  }
  // 0 is the additive identity of every shape (an empty sum of matrices starts from it)
  if (a === 0) return b
  if (b === 0) return a
  throw unsupported(`cannot add ${describe(a)} and ${describe(b)}`)
}

export function mulValues(a: Value, b: Value): Value {
  const p = pointwise(a, b, (x, y) => x * y, 'a product')
  if (p !== undefined) return p
  if (typeof a === 'number' && typeof b !== 'number' && b.kind === 'matrix') return matrix(b.rows.map((row) => row.map((x) => a * x)))
  if (typeof b === 'number' && typeof a !== 'number' && a.kind === 'matrix') return matrix(a.rows.map((row) => row.map((x) => b * x)))
  if (typeof a !== 'number' && typeof b !== 'number' && a.kind === 'matrix' && b.kind === 'matrix') {
    const m = matmul(a.rows, b.rows)
    if (!m) throw unsupported(`cannot multiply a ${shapeOf(a.rows).join('×')} by a ${shapeOf(b.rows).join('×')} matrix`)
    return collapse(m)
  }
  throw unsupported(`cannot multiply ${describe(a)} and ${describe(b)}`)
}

/**
 * A flat product, as the shape model reads it: A * (x' * y) is written A * x' * y, so a row that
 * cannot follow the matrices before it starts a subproduct; a 1×1 subproduct is a scalar and
 * multiplies what is left.
 */
function multiplyAll(values: readonly Value[]): Value {
  const stack: Value[] = []
  for (const v of values) {
    const top = stack.at(-1)
    const rows = (x: Value): number | undefined => (typeof x !== 'number' && x.kind === 'matrix' ? x.rows.length : undefined)
    const cols = (x: Value): number | undefined => (typeof x !== 'number' && x.kind === 'matrix' ? (x.rows[0]?.length ?? 0) : undefined)
    if (top !== undefined && cols(top) !== undefined && rows(v) === 1 && cols(top) !== 1) {
      stack.push(v)
      continue
    }
    let r = top === undefined ? v : mulValues(top, v)
    if (top !== undefined) stack.pop()
    // a finished 1×1 subproduct (a number now) multiplies the matrices before it
    while (typeof r === 'number' && stack.length > 0) r = mulValues(stack.pop()!, r)
    stack.push(r)
  }
  if (stack.length > 1) return stack.reduce(mulValues)
  return stack[0] ?? 1
}

function powValue(a: Value, b: Value): Value {
  if (typeof a === 'number' && typeof b === 'number' && b < 0 && Math.abs(a) < 1e-12) throw undef(`division by ${a === 0 ? 'zero' : 'a number close to zero'}`)
  const p = pointwise(a, b, (x, y) => x ** y, 'a power')
  if (p !== undefined) return p
  if (typeof a !== 'number' && a.kind === 'matrix' && typeof b === 'number') {
    const [r, c] = shapeOf(a.rows)
    if (r !== c) throw unsupported(`a power of a ${r}×${c} matrix`)
    if (!Number.isInteger(b)) throw unsupported('a non-integer power of a matrix is not evaluated')
    let base: Rows = a.rows
    if (b < 0) {
      const inv = inverse(a.rows)
      if (!inv) throw undef('the matrix is singular')
      base = inv
    }
    let out: Rows = identity(r)
    for (let k = 0; k < Math.abs(b); k++) out = matmul(out, base)!
    return collapse(out)
  }
  throw unsupported(`cannot raise ${describe(a)} to the power ${describe(b)}`)
}

function transposeValue(a: Value): Value {
  if (typeof a === 'number' || a.kind === 'rv') return a
  if (a.kind === 'matrix') return matrix(transpose(a.rows))
  throw unsupported(`cannot transpose ${describe(a)}`)
}

function lift(name: string, args: readonly Value[], f: (...x: number[]) => number): Value {
  const show = (xs: readonly number[]): string => `${name}(${xs.map((x) => Number(x.toPrecision(4))).join(', ')})`
  if (args.every((x) => typeof x === 'number')) {
    const xs = args as number[]
    return finite(f(...xs), () => show(xs))
  }
  if (args.every((x) => typeof x === 'number' || x.kind === 'rv')) {
    const n = (args.find((x) => typeof x !== 'number') as RandomVar).at.length
    return rv(
      Array.from({ length: n }, (_, k) => {
        const xs = args.map((x) => (typeof x === 'number' ? x : (x as RandomVar).at[k]!))
        return finite(f(...xs), () => show(xs))
      }),
    )
  }
  const bad = args.find((x) => typeof x !== 'number' && x.kind !== 'rv')!
  throw unsupported(`${name} of ${describe(bad)} is not evaluated`)
}

function eventOp(head: string, args: readonly Value[]): Value {
  const evs = args.map((x) => {
    if (typeof x !== 'number' && x.kind === 'truth') return x.value
    if (typeof x === 'number' || x.kind !== 'event') throw unsupported(`"${head}" needs conditions or events, not ${describe(x)}`)
    return x.at
  })
  const [a, b] = evs as [readonly boolean[] | boolean, readonly boolean[] | boolean | undefined]
  if (head === OPS.not) return typeof a === 'boolean' ? truth(!a) : event(a.map((x) => !x))
  if (b === undefined || evs.length !== 2) throw unsupported(`"${head}" takes two conditions`)
  const op = (x: boolean, y: boolean): boolean => (head === OPS.and ? x && y : x || y)
  if (typeof a === 'boolean' && typeof b === 'boolean') return truth(op(a, b))
  const n = typeof a === 'boolean' ? (b as readonly boolean[]).length : a.length
  const at = (z: readonly boolean[] | boolean, k: number): boolean => (typeof z === 'boolean' ? z : z[k]!)
  return event(Array.from({ length: n }, (_, k) => op(at(a, k), at(b, k))))
}

/** Record which truth values a condition took (bit 1: true, bit 2: false). */
export function noteBranches(branches: Map<string, number> | undefined, c: Expr, seen: readonly boolean[]): void {
  if (!branches) return
  const key = print(c)
  let bits = branches.get(key) ?? 0
  for (const b of seen) bits |= b ? 1 : 2
  branches.set(key, bits)
}

/** Relative gap below which two different floats are too close to compare (round-off could flip them). */
const TIE = 1e-9

/**
 * A comparison: of numbers a truth value, of random variables an event (outcome by outcome), of
 * two matrices (== and != only) entry by entry. Floats too close to call are a tie (EvalError).
 */
function compare(op: string, l: Value, r: Value, e: Expr): Value {
  const one = (x: number, y: number): boolean => {
    if (x !== y && Math.abs(x - y) <= TIE * Math.max(1, Math.abs(x), Math.abs(y))) throw new EvalError(`the condition ${print(e)} is too close to call in floating point`, true, true)
    return RELATION[op]!(x, y)
  }
  const asMatrix = (v: Value): Matrix | undefined => (typeof v !== 'number' && v.kind === 'matrix' ? v : undefined)
  const [ml, mr] = [asMatrix(l), asMatrix(r)]
  if (ml && mr && (op === OPS.eq || op === OPS.ne)) {
    const same = shapeOf(ml.rows).join() === shapeOf(mr.rows).join() && ml.rows.every((row, i) => row.every((x, j) => one(x, mr.rows[i]![j]!)))
    return truth(op === OPS.eq ? same : !same)
  }
  const outcomes = (v: Value): readonly number[] | number | undefined => (typeof v === 'number' ? v : v.kind === 'rv' ? v.at : undefined)
  const [x, y] = [outcomes(l), outcomes(r)]
  if (x === undefined || y === undefined) throw unsupported(`cannot compare ${describe(l)} with ${describe(r)}`)
  if (typeof x === 'number' && typeof y === 'number') return truth(one(x, y))
  const n = typeof x === 'number' ? (y as readonly number[]).length : x.length
  const at = (z: readonly number[] | number, k: number): number => (typeof z === 'number' ? z : z[k]!)
  return event(Array.from({ length: n }, (_, k) => one(at(x, k), at(y, k))))
}

export const RELATION: Readonly<Record<string, (x: number, y: number) => boolean>> = {
  [OPS.eq]: (x, y) => x === y,
  [OPS.ne]: (x, y) => x !== y,
  [OPS.lt]: (x, y) => x < y,
  [OPS.le]: (x, y) => x <= y,
  [OPS.gt]: (x, y) => x > y,
  [OPS.ge]: (x, y) => x >= y,
}

/** ind(c): 1 where c holds, else 0 (a random variable for an event). */
function indicator(c: Truth | EventValue): Value {
  return c.kind === 'truth' ? (c.value ? 1 : 0) : rv(c.at.map((b) => (b ? 1 : 0)))
}

/** c ? a : b for an event c: outcome by outcome (a and b numbers or random variables). */
function choose(c: EventValue, a: Value, b: Value): Value {
  const pick = (v: Value, k: number): number => {
    if (typeof v === 'number') return v
    if (v.kind === 'rv') return v.at[k]!
    throw unsupported(`a branch of a condition on random variables must be a number or a random variable, not ${describe(v)}`)
  }
  return rv(c.at.map((t, k) => pick(t ? a : b, k)))
}

function matrixFn(head: string, v: Value): Value {
  if (typeof v === 'number') {
    // a scalar is a 1×1 matrix
    if (head === 'inv') return powValue(v, -1)
    return v
  }
  if (v.kind !== 'matrix') throw unsupported(`${head} of ${describe(v)}`)
  const [r, c] = shapeOf(v.rows)
  if (r !== c) throw unsupported(`${head} of a ${r}×${c} matrix (not square)`)
  if (head === 'det') return det(v.rows)
  if (head === 'trace') return trace(v.rows)
  const inv = inverse(v.rows)
  if (!inv) throw undef('the matrix is singular')
  return collapse(inv)
}

/** A value's numbers in a fixed order, and how to rebuild a value of the same shape from others. */
function flatten(v: Value): { data: number[]; rebuild: (data: readonly number[]) => Value } {
  if (typeof v === 'number') return { data: [v], rebuild: (d) => d[0]! }
  if (v.kind === 'matrix') {
    const c = shapeOf(v.rows)[1]
    return { data: v.rows.flat(), rebuild: (d) => collapse(v.rows.map((row, i) => row.map((_, j) => d[i * c + j]!))) }
  }
  if (v.kind === 'rv') return { data: v.at.slice(), rebuild: (d) => rv(d.slice()) }
  if (v.kind === 'array' && v.items.every((x) => typeof x === 'number')) {
    return { data: (v.items as number[]).slice(), rebuild: (d) => ({ kind: 'array', items: d.slice() }) }
  }
  throw unsupported(`cannot differentiate ${describe(v)}`)
}

/** Does e use numeric calculus (diff or int), whose results carry approximation error? */
export function usesNumericCalculus(e: Expr): boolean {
  return e.kind === 'call' && (e.head === 'diff' || e.head === 'int' || e.args.some(usesNumericCalculus))
}
