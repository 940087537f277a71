// High-precision re-evaluation (decimal.js) of a point where the fast floating-point check saw the
// two sides differ. Floats lie under cancellation ((1 - cos(x/10^6)) * 10^12) and overflow
// (exp(800) / exp(799)), so a difference counts only if it survives here, at two precisions.
// Covers numbers, matrices, indexed symbols, random variables, events, sums, products,
// derivatives, definitions and unknown functions. A definite integral (or gamma of a non-integer)
// cannot be re-evaluated: EvalError(..., false), and the caller decides without this help.
import Decimal from 'decimal.js'
import { type Call, type Expr, isCall, OPS, RELATION_HEADS } from './expr.js'
import { type EvalContext, EvalError, listEntry, noteBranches, type Value } from './evaluate.js'
import type { RelOp } from './parse.js'
import { instantiate } from './rewrite.js'
import type { Rule } from './rule.js'

type Dec = Decimal
interface PMatrix {
  readonly kind: 'matrix'
  readonly rows: readonly (readonly Dec[])[]
}
type PValue =
  | Dec
  | PMatrix
  | { readonly kind: 'array'; readonly items: readonly PValue[] }
  | { readonly kind: 'rv'; readonly at: readonly Dec[] }
  | { readonly kind: 'event'; readonly at: readonly boolean[] }
  | { readonly kind: 'truth'; readonly value: boolean }

interface PScope {
  get(name: string): PValue | undefined
}

const isDec = (v: PValue): v is Dec => Decimal.isDecimal(v)
const undef = (reason: string): EvalError => new EvalError(reason, true)
const unsupported = (reason: string): EvalError => new EvalError(reason, false)

/** A constructor of decimals with `digits` significant digits (cached: clones are not free). */
const makers = new Map<number, typeof Decimal>()
function decimals(digits: number): typeof Decimal {
  let D = makers.get(digits)
  if (!D) makers.set(digits, (D = Decimal.clone({ precision: digits, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -9e15, toExpPos: 9e15 })))
  return D
}

/** A float value read exactly (every double is a finite decimal; the sampler's values are short ones). */
function fromFloat(D: typeof Decimal, v: Value): PValue {
  if (typeof v === 'number') return new D(v)
  switch (v.kind) {
    case 'matrix':
      return { kind: 'matrix', rows: v.rows.map((r) => r.map((x) => new D(x))) }
    case 'array':
      return { kind: 'array', items: v.items.map((x) => fromFloat(D, x)) }
    case 'rv':
      return { kind: 'rv', at: v.at.map((x) => new D(x)) }
    case 'event':
    case 'truth':
      return v
  }
}

/** A high-precision value rounded to floats, for printing a counterexample. */
function toFloat(v: PValue): Value {
  if (isDec(v)) return v.toNumber()
  switch (v.kind) {
    case 'matrix':
      return { kind: 'matrix', rows: v.rows.map((r) => r.map((x) => x.toNumber())) }
    case 'array':
      return { kind: 'array', items: v.items.map(toFloat) }
    case 'rv':
      return { kind: 'rv', at: v.at.map((x) => x.toNumber()) }
    case 'event':
    case 'truth':
      return v
  }
}

const describe = (v: PValue): string => (isDec(v) ? 'a number' : v.kind === 'matrix' ? `a ${v.rows.length}×${v.rows[0]?.length ?? 0} matrix` : `a ${v.kind}`)

/**
 * The range of decimal exponents met while evaluating where digits can be lost: the numbers and
 * values given, the terms and totals of every sum (1 + 10^104 absorbs the 1; 1 - (1 - 10^-104)
 * cancels 104 digits), and the arguments of periodic functions. Products, quotients, powers, exp
 * and log keep their relative precision, so 10^-323 reached by multiplying does not ask for 350 digits.
 */
class Range {
  lo = Infinity
  hi = -Infinity
  note(x: Dec): Dec {
    if (x.isFinite() && !x.isZero()) {
      this.lo = Math.min(this.lo, x.e)
      this.hi = Math.max(this.hi, x.e)
    }
    return x
  }
  get digits(): number {
    return this.hi >= this.lo ? this.hi - this.lo : 0
  }
}

const pmatrix = (rows: readonly (readonly Dec[])[]): PValue => (rows.length === 1 && rows[0]!.length === 1 ? rows[0]![0]! : { kind: 'matrix', rows })

class Precise {
  private depth = 0
  constructor(
    private readonly D: typeof Decimal,
    private readonly ctx: EvalContext,
    private readonly range: Range,
  ) {}

  private finite(x: Dec, what: string): Dec {
    if (!x.isFinite()) throw undef(`${what} is undefined`)
    return x
  }

  eval(e: Expr, scope: PScope): PValue {
    // the exact value of the literal (1/3 is not the double nearest it)
    if (e.kind === 'num') return this.range.note(e.q.d === 1n ? new this.D(e.q.n.toString()) : new this.D(e.q.n.toString()).div(e.q.d.toString()))
    if (e.kind === 'sym') {
      const v = scope.get(e.name)
      if (v !== undefined) return isDec(v) ? this.range.note(v) : v
      if (e.name === 'e') return new this.D(1).exp()
      if (e.name === 'pi') return this.D.acos(-1)
      throw unsupported(`no value for "${e.name}"`)
    }
    return this.call(e, scope)
  }

  private num(e: Expr, scope: PScope, what: string): Dec {
    const v = this.eval(e, scope)
    if (!isDec(v)) throw unsupported(`${what} must be a number, not ${describe(v)}`)
    return v
  }

  private int(e: Expr, scope: PScope, what: string): number {
    const x = this.num(e, scope, what)
    const r = x.round()
    if (x.minus(r).abs().gt(1e-20)) throw undef(`${what} is not an integer`)
    return r.toNumber()
  }

  private call(e: Call, scope: PScope): PValue {
    const a = e.args
    const ev = (x: Expr): PValue => this.eval(x, scope)
    switch (e.head) {
      case OPS.add:
        return a.map(ev).reduce((x, y) => this.add(x, y))
      case OPS.mul:
        return a.map(ev).reduce((x, y) => this.mul(x, y))
      case OPS.pow:
        return this.pow(ev(a[0]!), ev(a[1]!))
      case OPS.transpose: {
        const v = ev(a[0]!)
        if (isDec(v) || v.kind === 'rv') return v
        if (v.kind === 'matrix') return { kind: 'matrix', rows: v.rows[0]!.map((_, j) => v.rows.map((r) => r[j]!)) }
        throw unsupported(`cannot transpose ${describe(v)}`)
      }
      case OPS.index:
        return this.index(e, scope)
      case OPS.factorial:
        return this.scalar('factorial', [ev(a[0]!)])
      case OPS.and:
      case OPS.or:
      case OPS.not: {
        const evs = a.map(ev).map((v) => {
          if (!isDec(v) && v.kind === 'truth') return v.value
          if (isDec(v) || v.kind !== 'event') throw unsupported(`"${e.head}" needs conditions or events`)
          return v.at
        })
        const [x, y] = evs as [readonly boolean[] | boolean, readonly boolean[] | boolean | undefined]
        const pick = (z: readonly boolean[] | boolean, k: number): boolean => (typeof z === 'boolean' ? z : z[k]!)
        const n = typeof x !== 'boolean' ? x.length : typeof y === 'object' ? y.length : undefined
        const each = (f: (k: number) => boolean): PValue => (n === undefined ? { kind: 'truth', value: f(0) } : { kind: 'event', at: Array.from({ length: n }, (_, k) => f(k)) })
        if (e.head === OPS.not) return each((k) => !pick(x, k))
        if (y === undefined) throw unsupported(`"${e.head}" takes two conditions`)
        return each((k) => (e.head === OPS.and ? pick(x, k) && pick(y, k) : pick(x, k) || pick(y, k)))
      }
      case 'ind': {
        const c = this.condition(a[0]!, scope)
        return c.kind === 'truth' ? new this.D(c.value ? 1 : 0) : { kind: 'rv', at: c.at.map((b) => new this.D(b ? 1 : 0)) }
      }
      case OPS.if: {
        const c = this.condition(a[0]!, scope)
        if (c.kind === 'truth') return ev(c.value ? a[1]! : a[2]!)
        const [t, f] = [ev(a[1]!), ev(a[2]!)]
        const pick = (v: PValue, k: number): Dec => {
          if (isDec(v)) return v
          if (v.kind === 'rv') return v.at[k]!
          throw unsupported('a branch of a condition on random variables must be a number or a random variable')
        }
        return { kind: 'rv', at: c.at.map((b, k) => pick(b ? t : f, k)) }
      }
      case 'sum':
      case 'prod':
        return this.loop(e, scope)
      case 'diff':
        return this.diff(e, scope)
      case 'int':
        throw unsupported('an integral is not re-evaluated at high precision')
      case 'E':
      case 'Var':
      case 'Cov':
      case 'P':
        return this.probability(e, scope)
      case 'det':
      case 'inv':
      case 'trace':
        if (a.length !== 1) throw unsupported(`${e.head} takes one argument`)
        return this.matrixFn(e.head, ev(a[0]!))
    }
    if (RELATION_HEADS.has(e.head)) return this.compare(e.head, ev(a[0]!), ev(a[1]!))
    if (Object.hasOwn(SCALAR_FNS, e.head)) return this.scalar(e.head, a.map(ev))
    const def = this.definition(e.head, a.length)
    if (def) {
      if (++this.depth > 64) throw unsupported(`definition of "${e.head}" unfolds without end`)
      try {
        const params = (def.lhs as Call).args as readonly (Expr & { kind: 'sym' })[]
        return this.eval(instantiate(def.rhs, new Map(params.map((p, i) => [p.name, a[i]!]))), scope)
      } finally {
        this.depth--
      }
    }
    const f = this.ctx.unknown?.(e.head, a.length)
    if (!f) throw unsupported(`unknown function "${e.head}"`)
    const values = a.map(ev)
    const inner = new Map(f.params.map((p, i) => [p, values[i]!]))
    return this.eval(f.body, inner)
  }

  private condition(c: Expr, scope: PScope): { kind: 'truth'; value: boolean } | { kind: 'event'; at: readonly boolean[] } {
    const v = this.eval(c, scope)
    if (isDec(v) || (v.kind !== 'truth' && v.kind !== 'event')) throw unsupported('a condition must be a comparison such as y == 1')
    noteBranches(this.ctx.branches, c, v.kind === 'truth' ? [v.value] : v.at)
    return v
  }

  /**
   * A comparison at this precision: a difference within the round-off of the digits carried is 0
   * (sqrt(2)^2 == 2 holds); exact numbers compare exactly.
   */
  private compare(op: string, l: PValue, r: PValue): PValue {
    const eps = new this.D(10).pow(-(this.D.precision - 10))
    const sign = (x: Dec, y: Dec): number => {
      const d = x.minus(y)
      return d.abs().lte(eps.times(Decimal.max(1, x.abs(), y.abs()))) ? 0 : d.isPos() ? 1 : -1
    }
    const holds = (x: Dec, y: Dec): boolean => {
      const s = sign(x, y)
      return { '==': s === 0, '!=': s !== 0, '<': s < 0, '<=': s <= 0, '>': s > 0, '>=': s >= 0 }[op as RelOp]
    }
    if (!isDec(l) && !isDec(r) && l.kind === 'matrix' && r.kind === 'matrix' && (op === '==' || op === '!=')) {
      const same = l.rows.length === r.rows.length && l.rows[0]!.length === r.rows[0]!.length && l.rows.every((row, i) => row.every((x, j) => sign(x, r.rows[i]![j]!) === 0))
      return { kind: 'truth', value: op === '==' ? same : !same }
    }
    const at = (v: PValue): readonly Dec[] | Dec | undefined => (isDec(v) ? v : v.kind === 'rv' ? v.at : undefined)
    const [x, y] = [at(l), at(r)]
    if (x === undefined || y === undefined) throw unsupported(`cannot compare ${describe(l)} with ${describe(r)}`)
    if (isDec(x as PValue) && isDec(y as PValue)) return { kind: 'truth', value: holds(x as Dec, y as Dec) }
    const n = Array.isArray(x) ? x.length : (y as readonly Dec[]).length
    const pick = (z: readonly Dec[] | Dec, k: number): Dec => (Array.isArray(z) ? z[k]! : (z as Dec))
    return { kind: 'event', at: Array.from({ length: n }, (_, k) => holds(pick(x, k), pick(y, k))) }
  }

  private definition(name: string, arity: number): Rule | undefined {
    return (this.ctx.definitions ?? []).find(
      (d) => d.kind === 'definition' && isCall(d.lhs, name) && d.lhs.args.length === arity && d.lhs.args.every((x) => x.kind === 'sym'),
    )
  }

  /** A number function, lifted over the outcomes of random variables. */
  private scalar(name: string, args: readonly PValue[]): PValue {
    const f = SCALAR_FNS[name]!
    const note = (x: Dec): Dec => this.range.note(x)
    // a periodic function of a large argument needs the argument's digits (sin(10^20 * x)); the
    // others are well conditioned in relative terms, or note the sums they form themselves
    if (PERIODIC.has(name)) for (const x of args) if (isDec(x)) note(x)
    if (args.every(isDec)) return this.finite(f(this.D, args, note), `${name}(...)`)
    if (args.every((x) => isDec(x) || x.kind === 'rv')) {
      const n = (args.find((x) => !isDec(x)) as { at: readonly Dec[] }).at.length
      return { kind: 'rv', at: Array.from({ length: n }, (_, k) => this.finite(f(this.D, args.map((x) => (isDec(x) ? x : (x as { at: readonly Dec[] }).at[k]!)), note), name)) }
    }
    throw unsupported(`${name} of a ${describe(args.find((x) => !isDec(x))!)} is not evaluated`)
  }

  private pointwise(a: PValue, b: PValue, f: (x: Dec, y: Dec) => Dec): PValue | undefined {
    if (isDec(a) && isDec(b)) return this.finite(f(a, b), 'an operation')
    const at = (v: PValue): readonly Dec[] | Dec | undefined => (isDec(v) ? v : v.kind === 'rv' ? v.at : undefined)
    const x = at(a)
    const y = at(b)
    if (x === undefined || y === undefined) return undefined
    const n = Array.isArray(x) ? x.length : (y as readonly Dec[]).length
    const pick = (z: readonly Dec[] | Dec, k: number): Dec => (Array.isArray(z) ? z[k]! : (z as Dec))
    return { kind: 'rv', at: Array.from({ length: n }, (_, k) => this.finite(f(pick(x, k), pick(y, k)), 'an operation')) }
  }

  /** x + y, noting the magnitudes a sum may absorb or cancel (the range of digits it needs). */
  private plus(x: Dec, y: Dec): Dec {
    const note = (v: Dec): Dec => this.range.note(v)
    return note(note(x).plus(note(y)))
  }

  add(a: PValue, b: PValue): PValue {
    const p = this.pointwise(a, b, (x, y) => this.plus(x, y))
    if (p !== undefined) return p
    if (!isDec(a) && !isDec(b) && a.kind === 'matrix' && b.kind === 'matrix') {
      if (a.rows.length !== b.rows.length || a.rows[0]!.length !== b.rows[0]!.length) throw unsupported('cannot add matrices of different shapes')
      return { kind: 'matrix', rows: a.rows.map((r, i) => r.map((x, j) => this.plus(x, b.rows[i]![j]!))) }
    }
    if (isDec(a) && a.isZero()) return b
    if (isDec(b) && b.isZero()) return a
    throw unsupported(`cannot add ${describe(a)} and ${describe(b)}`)
  }

  mul(a: PValue, b: PValue): PValue {
    const p = this.pointwise(a, b, (x, y) => x.times(y))
    if (p !== undefined) return p
    if (isDec(a) && !isDec(b) && b.kind === 'matrix') return { kind: 'matrix', rows: b.rows.map((r) => r.map((x) => a.times(x))) }
    if (isDec(b) && !isDec(a) && a.kind === 'matrix') return { kind: 'matrix', rows: a.rows.map((r) => r.map((x) => b.times(x))) }
    if (!isDec(a) && !isDec(b) && a.kind === 'matrix' && b.kind === 'matrix') return pmatrix(matmul(this.D, a.rows, b.rows))
    throw unsupported(`cannot multiply ${describe(a)} and ${describe(b)}`)
  }

  private pow(a: PValue, b: PValue): PValue {
    const p = this.pointwise(a, b, (x, y) => (x.isZero() && y.isNeg() ? new this.D(NaN) : x.pow(y)))
    if (p !== undefined) return p
    if (!isDec(a) && a.kind === 'matrix' && isDec(b) && b.isInteger() && a.rows.length === a.rows[0]!.length) {
      const n = b.toNumber()
      let base = a.rows
      if (n < 0) base = inverse(this.D, a.rows)
      let out: readonly (readonly Dec[])[] = base.map((r, i) => r.map((_, j) => new this.D(i === j ? 1 : 0)))
      for (let k = 0; k < Math.abs(n); k++) out = matmul(this.D, out, base)
      return pmatrix(out)
    }
    throw unsupported(`cannot raise ${describe(a)} to the power ${describe(b)}`)
  }

  private index(e: Call, scope: PScope): PValue {
    const base = this.eval(e.args[0]!, scope)
    const idx = e.args.slice(1).map((x) => this.int(x, scope, 'an index'))
    const at = (n: number, i: number): number => {
      if (i < 1 || i > n) throw undef(`index ${i} is out of range 1..${n}`)
      return i - 1
    }
    if (!isDec(base) && base.kind === 'array' && idx.length === 1) return base.items[listEntry(base.items.length, idx[0]!)]!
    if (!isDec(base) && base.kind === 'matrix') {
      const [r, c] = [base.rows.length, base.rows[0]!.length]
      if (idx.length === 2) return base.rows[at(r, idx[0]!)]![at(c, idx[1]!)]!
      if (idx.length === 1 && c === 1) return base.rows[at(r, idx[0]!)]![0]!
      if (idx.length === 1 && r === 1) return base.rows[0]![at(c, idx[0]!)]!
    }
    throw unsupported(`cannot index ${describe(base)}`)
  }

  private loop(e: Call, scope: PScope): PValue {
    const [body, v, lo, hi] = e.args
    if (e.args.length !== 4 || v?.kind !== 'sym') throw unsupported(`${e.head} needs the form ${e.head}(body, i, lo, hi)`)
    const from = this.int(lo!, scope, 'a limit')
    const to = this.int(hi!, scope, 'a limit')
    if (to - from > 10_000) throw unsupported(`${e.head} is too long to evaluate`)
    let acc: PValue = new this.D(e.head === 'sum' ? 0 : 1)
    for (let i = from; i <= to; i++) {
      const term = this.eval(body!, extend(scope, v.name, new this.D(i)))
      acc = e.head === 'sum' ? this.add(acc, term) : this.mul(acc, term)
    }
    return acc
  }

  /**
   * diff(f, x) by a central difference with a step far below the precision's square root: its
   * error (h²) and its round-off (10^-digits / h) are both far below the comparison's tolerance.
   */
  private diff(e: Call, scope: PScope): PValue {
    const [body, v, order] = e.args
    if (e.args.length === 3) {
      const k = this.int(order!, scope, 'the order of a derivative')
      if (k < 0 || k > 4) throw unsupported(`a derivative of order ${k} is not evaluated`)
      let inner: Expr = body!
      for (let j = 0; j < k; j++) inner = { kind: 'call', head: 'diff', args: [inner, v!] }
      return this.eval(inner, scope)
    }
    if (e.args.length !== 2) throw unsupported('diff needs the form diff(f, x)')
    const coords = this.coordinates(v!, scope)
    const digits = this.D.precision
    const partials = coords.map((c) => {
      const h = new this.D(10).pow(-Math.floor(digits / 4)).times(Decimal.max(1, c.value.abs()))
      const up = this.eval(body!, c.with(c.value.plus(h)))
      const down = this.eval(body!, c.with(c.value.minus(h)))
      return this.mul(this.add(up, this.mul(new this.D(-1), down)), new this.D(1).div(h.times(2)))
    })
    if (coords.length === 1) return partials[0]!
    const point = this.eval(v!, scope) as PMatrix
    const [pr, pc] = [point.rows.length, point.rows[0]!.length]
    if (partials.every(isDec)) return { kind: 'matrix', rows: Array.from({ length: pr }, (_, i) => Array.from({ length: pc }, (_, j) => partials[i * pc + j] as Dec)) }
    // the Jacobian of a column f with respect to a column x: row i holds the partials of f_i
    const cols = partials.map((p) => (isDec(p) ? undefined : p.kind === 'matrix' && p.rows[0]!.length === 1 ? p.rows.map((r) => r[0]!) : undefined))
    if (pc !== 1 || cols.some((c) => c === undefined)) throw unsupported('this derivative is not re-evaluated at high precision')
    return pmatrix(cols[0]!.map((_, i) => cols.map((c) => c![i]!)))
  }

  private coordinates(v: Expr, scope: PScope): { value: Dec; with: (t: Dec) => PScope }[] {
    if (v.kind === 'sym') {
      const p = scope.get(v.name)
      if (p === undefined) throw unsupported(`no point at which to differentiate with respect to "${v.name}"`)
      if (isDec(p)) return [{ value: p, with: (t) => extend(scope, v.name, t) }]
      if (p.kind === 'matrix') {
        const at = (i: number, j: number) => (t: Dec): PScope =>
          extend(scope, v.name, { kind: 'matrix', rows: p.rows.map((r, ii) => r.map((y, jj) => (ii === i && jj === j ? t : y))) })
        return p.rows.flatMap((row, i) => row.map((x, j) => ({ value: x, with: at(i, j) })))
      }
      throw unsupported(`cannot differentiate with respect to ${describe(p)}`)
    }
    if (isCall(v, OPS.index) && v.args[0]?.kind === 'sym' && v.args.length === 2) {
      const name = v.args[0].name
      const arr = scope.get(name)
      const i = this.int(v.args[1]!, scope, 'an index')
      if (arr !== undefined && !isDec(arr) && arr.kind === 'array') {
        const item = arr.items[i]
        if (item === undefined || !isDec(item)) throw undef(`${name}[${i}] is not a number`)
        return [{ value: item, with: (t) => extend(scope, name, { kind: 'array', items: arr.items.map((x, k) => (k === i ? t : x)) }) }]
      }
    }
    throw unsupported('diff(f, x) needs a variable x (a symbol or x[i])')
  }

  private probability(e: Call, scope: PScope): PValue {
    // the float probabilities sum to 1 only up to round-off: normalised here, so Var(c) is 0 exactly
    const raw = this.ctx.space?.map((w) => new this.D(w))
    const total = raw?.reduce((s, w) => s.plus(w), new this.D(0))
    const space = raw?.map((w) => w.div(total!))
    let args = e.args
    let given: PValue | undefined
    const last = args.at(-1)
    if (isCall(last, OPS.given)) {
      given = this.eval(last.args[1]!, scope)
      args = [...args.slice(0, -1), last.args[0]!]
    }
    const arity = e.head === 'Cov' ? 2 : 1
    if (args.length !== arity) throw unsupported(`${e.head} takes ${arity} argument(s)`)
    const vals = args.map((x) => {
      const v = this.eval(x, scope)
      if (e.head === 'P' && (isDec(v) || v.kind !== 'event')) throw unsupported('P(...) needs an event')
      if (isDec(v) || v.kind === 'rv') return v
      if (v.kind === 'event') return { kind: 'rv' as const, at: v.at.map((b) => new this.D(b ? 1 : 0)) }
      throw unsupported(`${e.head} of ${describe(v)} is not evaluated`)
    })
    const at = (v: Dec | { at: readonly Dec[] }, k: number): Dec => (isDec(v as PValue) ? (v as Dec) : (v as { at: readonly Dec[] }).at[k]!)
    const compute = (w: readonly Dec[]): Dec => {
      const mean = (f: (k: number) => Dec): Dec => w.reduce((s, wk, k) => s.plus(wk.times(f(k))), new this.D(0))
      const [x, y] = vals as [Dec | { at: readonly Dec[] }, (Dec | { at: readonly Dec[] }) | undefined]
      if (e.head === 'E' || e.head === 'P') return mean((k) => at(x, k))
      const other = e.head === 'Var' ? x : y!
      const mx = mean((k) => at(x, k))
      const my = mean((k) => at(other, k))
      return mean((k) => at(x, k).minus(mx).times(at(other, k).minus(my)))
    }
    if (!space) {
      if (vals.every((v) => isDec(v as PValue)) && given === undefined) return compute([new this.D(1)])
      throw unsupported('no probability space')
    }
    const restrict = (inB: (k: number) => boolean): Dec => {
      const pb = space.reduce((s, w, k) => (inB(k) ? s.plus(w) : s), new this.D(0))
      if (pb.lt(1e-12)) throw undef('the conditioning event has probability 0')
      return compute(space.map((w, k) => (inB(k) ? w.div(pb) : new this.D(0))))
    }
    if (given === undefined) return compute(space)
    if (!isDec(given) && given.kind === 'event') return restrict((k) => given.at[k]!)
    if (!isDec(given) && given.kind === 'rv') return { kind: 'rv', at: given.at.map((level) => restrict((k) => given.at[k]!.eq(level))) }
    throw unsupported('cannot condition on this')
  }

  private matrixFn(head: string, v: PValue): PValue {
    if (isDec(v)) {
      if (head !== 'inv') return v
      if (v.isZero()) throw undef('division by zero')
      return new this.D(1).div(v)
    }
    if (v.kind !== 'matrix') throw unsupported(`${head} of ${describe(v)}`)
    const n = v.rows.length
    if (n !== v.rows[0]!.length) throw unsupported(`${head} of a matrix that is not square`)
    if (head === 'trace') return v.rows.reduce((s, r, i) => s.plus(r[i]!), new this.D(0))
    if (head === 'det') return lu(this.D, v.rows).det
    return pmatrix(inverse(this.D, v.rows))
  }
}

const extend = (s: PScope, name: string, v: PValue): PScope => ({ get: (n) => (n === name ? v : s.get(n)) })

function matmul(D: typeof Decimal, a: readonly (readonly Dec[])[], b: readonly (readonly Dec[])[]): Dec[][] {
  if (a[0]!.length !== b.length) throw unsupported('cannot multiply matrices of these shapes')
  return a.map((row) => b[0]!.map((_, j) => row.reduce((s, x, t) => s.plus(x.times(b[t]![j]!)), new D(0))))
}

/** Gaussian elimination with partial pivoting: the determinant and the reduced rows. */
function lu(D: typeof Decimal, m: readonly (readonly Dec[])[]): { det: Dec; singular: boolean } {
  const a = m.map((r) => r.slice())
  const n = a.length
  let det = new D(1)
  const tiny = new D(10).pow(-(D.precision - 5))
  for (let k = 0; k < n; k++) {
    let p = k
    for (let i = k + 1; i < n; i++) if (a[i]![k]!.abs().gt(a[p]![k]!.abs())) p = i
    if (p !== k) {
      ;[a[k], a[p]] = [a[p]!, a[k]!]
      det = det.neg()
    }
    const pivot = a[k]![k]!
    det = det.times(pivot)
    if (pivot.abs().lte(tiny)) return { det: new D(0), singular: true }
    for (let i = k + 1; i < n; i++) {
      const f = a[i]![k]!.div(pivot)
      for (let j = k; j < n; j++) a[i]![j] = a[i]![j]!.minus(f.times(a[k]![j]!))
    }
  }
  return { det, singular: false }
}

/** Inverse by Gauss-Jordan elimination; undefined here (singular) when a pivot vanishes. */
function inverse(D: typeof Decimal, m: readonly (readonly Dec[])[]): Dec[][] {
  const n = m.length
  const a = m.map((r, i) => [...r, ...r.map((_, j) => new D(i === j ? 1 : 0))])
  const tiny = new D(10).pow(-(D.precision - 5))
  for (let k = 0; k < n; k++) {
    let p = k
    for (let i = k + 1; i < n; i++) if (a[i]![k]!.abs().gt(a[p]![k]!.abs())) p = i
    ;[a[k], a[p]] = [a[p]!, a[k]!]
    const pivot = a[k]![k]!
    if (pivot.abs().lte(tiny)) throw undef('the matrix is singular')
    a[k] = a[k]!.map((x) => x.div(pivot))
    for (let i = 0; i < n; i++) {
      if (i === k) continue
      const f = a[i]![k]!
      a[i] = a[i]!.map((x, j) => x.minus(f.times(a[k]![j]!)))
    }
  }
  return a.map((r) => r.slice(n))
}

const factorial = (D: typeof Decimal, x: Dec): Dec => {
  if (!x.isInteger()) throw unsupported('a factorial of a non-integer is not re-evaluated at high precision')
  if (x.isNeg()) return new D(NaN)
  if (x.gt(3000)) throw unsupported('a factorial this large is not re-evaluated')
  let r = new D(1)
  for (let k = 2; k <= x.toNumber(); k++) r = r.times(k)
  return r
}

/**
 * The number functions of scalar.ts at high precision (same names, same domains). `note` records
 * an inner value whose size matters for the digits needed (exp(-z) inside 1 - sigmoid(z)).
 */
const PERIODIC: ReadonlySet<string> = new Set(['sin', 'cos', 'tan', 'mod'])

const SCALAR_FNS: Readonly<Record<string, (D: typeof Decimal, x: readonly Dec[], note: (x: Dec) => Dec) => Dec>> = {
  exp: (_, [x]) => x!.exp(),
  log: (_, [x, b]) => (b === undefined ? x!.ln() : x!.ln().div(b.ln())),
  ln: (_, [x]) => x!.ln(),
  log2: (D, [x]) => x!.ln().div(new D(2).ln()),
  log10: (D, [x]) => x!.ln().div(new D(10).ln()),
  log1p: (_, [x], note) => note(x!.plus(1)).ln(),
  sqrt: (_, [x]) => x!.sqrt(),
  abs: (_, [x]) => x!.abs(),
  sign: (D, [x]) => new D(Decimal.sign(x!)),
  delta: (D, [m, j]) => new D(m!.eq(j!) ? 1 : 0),
  sin: (_, [x]) => x!.sin(),
  cos: (_, [x]) => x!.cos(),
  tan: (_, [x]) => x!.tan(),
  sinh: (_, [x]) => x!.sinh(),
  cosh: (_, [x]) => x!.cosh(),
  tanh: (_, [x]) => x!.tanh(),
  asin: (_, [x]) => x!.asin(),
  acos: (_, [x]) => x!.acos(),
  atan: (_, [x]) => x!.atan(),
  sigmoid: (D, [x], note) => new D(1).div(note(x!.neg().exp()).plus(1)),
  relu: (D, [x]) => Decimal.max(new D(0), x!),
  softplus: (_, [x], note) => note(x!.exp()).plus(1).ln(),
  max: (D, xs) => D.max(...xs),
  min: (D, xs) => D.min(...xs),
  gamma: (D, [x]) => factorial(D, x!.minus(1)),
  factorial: (D, [x]) => factorial(D, x!),
  choose: (D, [n, k]) => choose(D, n!, k!),
  binom: (D, [n, k]) => choose(D, n!, k!),
  combinations: (D, [n, k]) => choose(D, n!, k!),
  mod: (D, [a, b]) => (b!.isZero() ? new D(NaN) : a!.minus(b!.times(a!.div(b!).floor()))),
}

function choose(D: typeof Decimal, n: Dec, k: Dec): Dec {
  return factorial(D, n).div(factorial(D, k).times(factorial(D, n.minus(k))))
}

// ---- judging one point ---------------------------------------------------------------------------

/**
 * Digits of the re-evaluations: at least MIN_DIGITS more than the range of magnitudes met (so
 * that 1 - exp(a) / (1 + exp(a)) keeps MIN_DIGITS correct digits at a = 240), and then STEP more
 * to see whether the difference moves. Beyond MAX_DIGITS the point is not decided.
 */
const MIN_DIGITS = 30
const STEP = 40
const MAX_DIGITS = 1200
/** Relative tolerance at high precision: far above its round-off, far below any real difference we report. */
const TOL_PRECISE = 1e-12

export type PointVerdict =
  | { readonly kind: 'agree' }
  | { readonly kind: 'differ'; readonly left: Value; readonly right: Value }
  /** one side is undefined here and the other is not (left or right is the undefined one) */
  | { readonly kind: 'broken'; readonly undefinedSide: 'left' | 'right'; readonly value: Value; readonly reason: string }
  | { readonly kind: 'undefined' }
  /** the difference does not settle as the precision grows: ill-conditioned here */
  | { readonly kind: 'unstable' }
  /** settling it needs more digits than the caller allowed (it may come back to it) */
  | { readonly kind: 'costly' }
  | { readonly kind: 'unsupported'; readonly reason: string }

type Side = { ok: true; v: PValue } | { ok: false; reason: string }

function side(D: typeof Decimal, e: Expr, scope: { get(name: string): Value | undefined }, ctx: EvalContext, range: Range): Side {
  const cache = new Map<string, PValue>()
  const pscope: PScope = {
    get: (n) => {
      if (cache.has(n)) return cache.get(n)
      const v = scope.get(n)
      const p = v === undefined ? undefined : fromFloat(D, v)
      if (p !== undefined) cache.set(n, p)
      return p
    },
  }
  try {
    return { ok: true, v: new Precise(D, ctx, range).eval(e, pscope) }
  } catch (err) {
    if (err instanceof EvalError && err.undefinedHere) return { ok: false, reason: err.reason }
    throw err
  }
}

/** The largest difference between two values and the magnitude it is measured against; undefined when their shapes differ. */
function gap(l: PValue, r: PValue): { diff: Dec; scale: Dec } | undefined {
  const flat = (v: PValue): Dec[] | undefined => (isDec(v) ? [v] : v.kind === 'matrix' ? v.rows.flat() : v.kind === 'rv' ? v.at.slice() : undefined)
  if (!isDec(l) && !isDec(r) && l.kind === 'array' && r.kind === 'array') {
    if (l.items.length !== r.items.length) return undefined
    const gs = l.items.map((x, k) => gap(x, r.items[k]!))
    if (gs.some((g) => g === undefined)) return undefined
    return gs.reduce((acc, g) => (g!.diff.div(Decimal.max(g!.scale, 1e-300)).gt(acc!.diff.div(Decimal.max(acc!.scale, 1e-300))) ? g : acc), gs[0])!
  }
  if (!isDec(l) && !isDec(r) && l.kind === 'truth' && r.kind === 'truth') return { diff: new Decimal(l.value === r.value ? 0 : 1), scale: new Decimal(1) }
  if (!isDec(l) && !isDec(r) && l.kind === 'event' && r.kind === 'event') {
    const same = l.at.every((x, k) => x === r.at[k])
    return { diff: new Decimal(same ? 0 : 1), scale: new Decimal(1) }
  }
  // a number c against a square matrix stands for c times the identity
  const asMatrix = (c: Dec, m: PMatrix): Dec[] => m.rows.flatMap((row, i) => row.map((_, j) => (i === j ? c : c.times(0))))
  let a = flat(l)
  let b = flat(r)
  // (and 0 is the zero matrix of any shape)
  const fits = (c: Dec, m: PMatrix): boolean => c.isZero() || m.rows.length === m.rows[0]!.length
  if (isDec(l) && !isDec(r) && r.kind === 'matrix' && fits(l, r)) a = asMatrix(l, r)
  if (isDec(r) && !isDec(l) && l.kind === 'matrix' && fits(r, l)) b = asMatrix(r, l)
  if (isDec(l) && !isDec(r) && r.kind === 'rv') a = r.at.map(() => l)
  if (isDec(r) && !isDec(l) && l.kind === 'rv') b = l.at.map(() => r)
  if (!a || !b || a.length !== b.length) return undefined
  if (!isDec(l) && !isDec(r) && l.kind === 'matrix' && r.kind === 'matrix' && (l.rows.length !== r.rows.length || l.rows[0]!.length !== r.rows[0]!.length)) return undefined
  let diff = new Decimal(0)
  let scale = new Decimal(0)
  a.forEach((x, k) => {
    diff = Decimal.max(diff, x.minus(b![k]!).abs())
    scale = Decimal.max(scale, x.abs(), b![k]!.abs())
  })
  return { diff, scale }
}

/**
 * The sign of lhs - rhs at this point at high precision: 0 when the difference vanishes or shrinks
 * with the precision (round-off, as in sin(pi) - 0); undefined when it cannot be evaluated or does
 * not settle.
 */
export function signOfDifference(lhs: Expr, rhs: Expr, scope: { get(name: string): Value | undefined }, ctx: EvalContext): -1 | 0 | 1 | undefined {
  try {
    const at = (digits: number): Dec | undefined => {
      const [l, r] = both(digits, lhs, rhs, scope, ctx).sides
      return l.ok && r.ok && isDec(l.v) && isDec(r.v) ? l.v.minus(r.v) : undefined
    }
    const d1 = at(MIN_DIGITS + STEP)
    const d2 = at(MIN_DIGITS + 2 * STEP)
    if (d1 === undefined || d2 === undefined) return undefined
    if (d2.isZero() || d2.abs().lte(d1.abs().times(1e-20))) return 0
    if (d1.minus(d2).abs().gt(d2.abs().times(1e-6))) return undefined
    return d2.isPos() ? 1 : -1
  } catch (err) {
    if (err instanceof EvalError) return undefined
    throw err
  }
}

/** Does `op` hold between two numbers of this sign of difference? */
export const relationHolds = (op: RelOp, sign: -1 | 0 | 1): boolean =>
  ({ '>': sign > 0, '<': sign < 0, '>=': sign >= 0, '<=': sign <= 0, '!=': sign !== 0, '==': sign === 0 })[op]

/** Do the relational conditions hold at this point at high precision? Undefined when one cannot be decided here. */
export function conditionsHold(conditions: readonly { op: RelOp; lhs: Expr; rhs: Expr }[], scope: { get(name: string): Value | undefined }, ctx: EvalContext): boolean | undefined {
  for (const c of conditions) {
    const sign = signOfDifference(c.lhs, c.rhs, scope, ctx)
    if (sign === undefined) return undefined
    if (!relationHolds(c.op, sign)) return false
  }
  return true
}

/** Both sides at `digits` significant digits, and the range of magnitudes they met. */
function both(digits: number, lhs: Expr, rhs: Expr, scope: { get(name: string): Value | undefined }, ctx: EvalContext): { sides: [Side, Side]; range: number } {
  const range = new Range()
  const D = decimals(digits)
  return { sides: [side(D, lhs, scope, ctx, range), side(D, rhs, scope, ctx, range)], range: range.digits }
}

/**
 * Re-evaluate both sides at two high precisions (chosen from the magnitudes involved). They agree
 * when the difference at the higher one is within TOL_PRECISE of their size, or when it shrinks
 * with the precision (round-off, as in sin(pi) vs 0); they differ only when the difference stays
 * the same at both precisions. `maxDigits` bounds the work: a point that needs more is 'costly'.
 */
export function judgePoint(lhs: Expr, rhs: Expr, scope: { get(name: string): Value | undefined }, ctx: EvalContext, maxDigits = MAX_DIGITS): PointVerdict {
  try {
    let digits = MIN_DIGITS
    let first = both(digits, lhs, rhs, scope, ctx)
    // a wide range of magnitudes asks for more digits; the range seen may grow with them
    for (let round = 0; round < 3 && MIN_DIGITS + first.range > digits; round++) {
      digits = MIN_DIGITS + first.range
      if (digits + STEP > MAX_DIGITS) return { kind: 'unstable' }
      if (digits + STEP > maxDigits) return { kind: 'costly' }
      first = both(digits, lhs, rhs, scope, ctx)
    }
    const lo = first.sides
    const [l, r] = both(digits + STEP, lhs, rhs, scope, ctx).sides
    if (!l.ok && !r.ok) return { kind: 'undefined' }
    if (!l.ok || !r.ok) {
      // undefined at both precisions on the same side, and still at far more digits: a real
      // domain boundary, not an overflow or a cancellation to 0
      if (lo[0].ok !== l.ok || lo[1].ok !== r.ok) return { kind: 'unstable' }
      const more = both(Math.min(MAX_DIGITS, 3 * digits + 100), lhs, rhs, scope, ctx).sides
      if (more[0].ok !== l.ok || more[1].ok !== r.ok) return { kind: 'unstable' }
      return l.ok ? { kind: 'broken', undefinedSide: 'right', value: toFloat(l.v), reason: (r as { reason: string }).reason } : { kind: 'broken', undefinedSide: 'left', value: toFloat((r as { v: PValue }).v), reason: l.reason }
    }
    if (!lo[0].ok || !lo[1].ok) return { kind: 'unstable' }
    const g2 = gap(l.v, r.v)
    const g1 = gap(lo[0].v, lo[1].v)
    if (!g1 || !g2) return g1 || g2 ? { kind: 'unstable' } : { kind: 'differ', left: toFloat(l.v), right: toFloat(r.v) }
    if (g2.diff.lte(g2.scale.times(TOL_PRECISE))) return { kind: 'agree' }
    if (g2.diff.lte(g1.diff.times(1e-20))) return { kind: 'agree' }
    if (g1.diff.minus(g2.diff).abs().lte(g2.diff.times(1e-6))) return { kind: 'differ', left: toFloat(l.v), right: toFloat(r.v) }
    return { kind: 'unstable' }
  } catch (err) {
    if (err instanceof EvalError) return { kind: 'unsupported', reason: err.reason }
    // decimal.js refuses some precisions (its trigonometry knows pi to about 1,000 digits): this
    // point cannot be settled at high precision, which is what 'unstable' says
    if (err instanceof Error && err.message.startsWith('[DecimalError]')) return { kind: 'unstable' }
    throw err
  }
}
