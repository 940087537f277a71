// The matcher: which bindings make a pattern equal to a subject. Lazy (generators), bounded by a
// Budget, and "no match" is simply an empty sequence. Semantics: SPEC §3.
import { clock } from '../limits.js'
import { equal, key } from './equal.js'
import {
  boundVar,
  type Call,
  call,
  type Expr,
  freeSymbols,
  isAC,
  isCall,
  isReciprocal,
  num,
  OPS,
} from './expr.js'
import type { Condition, RelOp } from './parse.js'
import { print } from './print.js'
import { CONSTANTS, type Rule } from './rule.js'
import { relationHolds, signOfDifference } from './precise.js'
import * as Q from './rational.js'
import { mayDependOn, renameBound } from './scope.js'
import { SCALAR } from './scalar.js'
import { isMatrixish, isOrderedProduct, Shapes, shapeOf } from './shape.js'
import { signOf } from './sign.js'

export type Bindings = ReadonlyMap<string, Expr>

/** Why a search stopped early: its work budget or its wall-clock deadline ran out. */
export type Exhausted = 'work' | 'time'

/**
 * Caps the work one command may spend matching, so no input can make it run away: a work budget
 * (steps over all rules), a wall-clock deadline, and a cap per rule at one node. A rule that hits
 * its own cap is cut alone (recorded in `cut`); the other rules go on matching.
 */
export class Budget {
  steps = 0
  /** Rules whose matching was cut by their own cap (some of their fits may be missing). */
  readonly cut = new Set<string>()
  /** Set once the whole budget is spent: every later tick fails. */
  exhausted: Exhausted | undefined
  private ruleSteps = 0
  private current = ''
  private ruleCut = false
  readonly perRule: number
  readonly deadline: number
  constructor(
    readonly limit = 200_000,
    options: { perRule?: number; deadline?: number } = {},
  ) {
    this.perRule = options.perRule ?? 20_000
    this.deadline = options.deadline ?? Infinity
  }
  /** Some fits may be missing: a rule was cut, or the whole budget ran out. */
  get truncated(): boolean {
    return this.exhausted !== undefined || this.cut.size > 0
  }
  /** Start matching one rule (its own cap counts from here). */
  begin(ruleId: string): void {
    this.current = ruleId
    this.ruleSteps = 0
    this.ruleCut = false
  }
  /** Cut the rule being matched: it stops, the others go on. */
  cutRule(): void {
    this.ruleCut = true
    this.cut.add(this.current)
  }
  /** Count one step; false once this rule's cap or the whole budget is spent. */
  tick(): boolean {
    if (this.exhausted) return false
    if (++this.steps > this.limit) this.exhausted = 'work'
    // reading the clock is a system call: at step 64, then every 256 (a small match never reads it)
    else if ((this.steps & 255) === 64 && clock() > this.deadline) this.exhausted = 'time'
    if (++this.ruleSteps > this.perRule && !this.ruleCut) this.cutRule()
    return !this.exhausted && !this.ruleCut
  }
  /** What was cut, in one sentence (undefined when nothing was). */
  note(): string | undefined {
    if (this.exhausted === 'time') return 'the search stopped at its time limit; some fits may be missing'
    if (this.exhausted === 'work') return `the search stopped after ${this.limit} matching steps (its work budget); some fits may be missing`
    if (this.cut.size) return `matching was cut short for ${[...this.cut].sort().join(', ')} (too many ways to split); some of their fits may be missing`
    return undefined
  }
  /** Has the deadline passed (checked now, not only every few steps)? */
  expired(): boolean {
    if (!this.exhausted && clock() > this.deadline) this.exhausted = 'time'
    return this.exhausted !== undefined
  }
}

/** What matching needs besides the pattern and subject. */
export interface MatchContext {
  readonly rule: Rule
  /** Matrix symbols of the whole subject expression. */
  readonly matrices: ReadonlySet<string>
  readonly budget: Budget
}

const isWildcard = (p: Expr, ctx: MatchContext): p is Expr & { kind: 'sym' } => p.kind === 'sym' && !ctx.rule.literals.has(p.name)

/** Bind (or check) one wildcard; undefined when it cannot take this value. */
function bind(name: string, value: Expr, b: Bindings, ctx: MatchContext): Bindings | undefined {
  const old = b.get(name)
  if (old !== undefined) return equal(old, value, ctx.matrices) ? b : undefined
  if (ctx.rule.scalarWildcards.has(name) && isMatrixish(value, ctx.matrices)) return undefined
  // "X | Z" inside E(...) or P(...) is not a value: the Y of E(Y) is never a conditional (E(X | Z)
  // is a random variable, not the constant E(Y) stands for)
  if (isCall(value, OPS.given)) return undefined
  // a wildcard typed vector (or matrix) binds only a value of that kind: x in x' * A * x is never X
  const t = Object.hasOwn(ctx.rule.typed, name) ? ctx.rule.typed[name] : undefined
  if (t !== undefined && shapeOf(value, ctx.matrices) !== t) return undefined
  return new Map(b).set(name, value)
}

/** Every way pattern p fits subject s extending bindings b. */
export function* match(p: Expr, s: Expr, b: Bindings, ctx: MatchContext): Generator<Bindings> {
  if (!ctx.budget.tick()) return
  if (p.kind === 'sym') {
    if (isWildcard(p, ctx)) {
      const nb = bind(p.name, s, b, ctx)
      if (nb) yield nb
    } else if (s.kind === 'sym' && s.name === p.name) yield b
    return
  }
  if (p.kind === 'num') {
    if (s.kind === 'num' && Q.equals(s.q, p.q)) yield b
    return
  }
  if (isAC(p.head)) {
    const view = acView(p, s, ctx.matrices)
    for (const m of matchAC(p, view, b, ctx, false)) yield m.b
    return
  }
  if (s.kind !== 'call' || s.head !== p.head || s.args.length !== p.args.length) return
  // a binder wildcard met again (i in sum(f, i, lo, m) + sum(f, i, m + 1, hi)) fits this binder
  // renamed to the variable it already stands for, as input is renamed apart
  const pv = boundVar(p)
  const was = pv && isWildcard(pv, ctx) ? b.get(pv.name) : undefined
  const subject = was?.kind === 'sym' ? renameBound(s, was.name) : s
  if (subject?.kind === 'call') yield* matchArgs(p.args, subject.args, 0, b, ctx)
}

function* matchArgs(ps: readonly Expr[], ss: readonly Expr[], k: number, b: Bindings, ctx: MatchContext): Generator<Bindings> {
  if (k === ps.length) {
    yield b
    return
  }
  for (const nb of match(ps[k]!, ss[k]!, b, ctx)) yield* matchArgs(ps, ss, k + 1, nb, ctx)
}

/** The subject seen as the arguments of an AC pattern's operator. */
interface View {
  readonly head: string
  readonly items: readonly Expr[]
  /** Index in the subject's own args of each item (the subject itself: -1). */
  readonly origin: readonly number[]
  readonly ordered: boolean
  /** A lone reciprocal 1/y seen as a product: a wildcard numerator may bind 1. */
  readonly identityOk: boolean
}

/** How subject s looks to the AC pattern p: its terms/factors, with a sign split off if p needs it. */
export function acView(p: Call, s: Expr, matrices: ReadonlySet<string>): View {
  const same = isCall(s, p.head)
  let items: Expr[] = same ? s.args.slice() : [s]
  let origin: number[] = same ? s.args.map((_, i) => i) : [-1]
  if (p.head === OPS.mul && p.args.some((a) => a.kind === 'num' && a.value === -1)) {
    // a pattern -b (that is, -1 * b) fits a term with any negative coefficient
    const i = items.findIndex((x) => x.kind === 'num' && x.value < 0 && x.value !== -1)
    if (i >= 0) {
      const abs = -(items[i] as { value: number }).value
      items = [...items.slice(0, i), num(-1), ...(abs === 1 ? [] : [num(abs)]), ...items.slice(i + 1)]
      origin = [...origin.slice(0, i), origin[i]!, ...(abs === 1 ? [] : [origin[i]!]), ...origin.slice(i + 1)]
    }
  }
  if (!same && items.length === 1 && p.args.length > 1) {
    const identityOk = p.head === OPS.mul && isReciprocal(s)
    return { head: p.head, items, origin, ordered: false, identityOk }
  }
  const ordered = same && isOrderedProduct(s as Call, matrices)
  return { head: p.head, items, origin, ordered, identityOk: false }
}

/** A match of an AC pattern against some of the view's items (`used`, indices into items). */
export interface ACMatch {
  readonly b: Bindings
  readonly used: readonly number[]
}

const MAX_SUBSET_ITEMS = 12

const group = (head: string, items: readonly Expr[]): Expr => (items.length === 1 ? items[0]! : call(head, items))

/**
 * Match the arguments of AC pattern p against view items. With `rest`, items may be left over
 * (the pattern fits part of a longer sum or product) when every pattern argument is structured.
 */
export function* matchAC(p: Call, view: View, b: Bindings, ctx: MatchContext, rest: boolean): Generator<ACMatch> {
  if (view.ordered) {
    yield* matchSequence(p, view, b, ctx, rest)
    return
  }
  const structured = p.args.filter((a) => !isWildcard(a, ctx))
  const wilds = p.args.filter((a) => isWildcard(a, ctx)).map((a) => (a as { name: string }).name)
  const n = view.items.length
  const items = view.items

  function* wildStep(todo: readonly string[], b: Bindings, used: readonly boolean[]): Generator<ACMatch> {
    const free: number[] = []
    used.forEach((u, i) => u || free.push(i))
    if (todo.length === 0) {
      if (free.length === 0 || rest) yield { b, used: used.flatMap((u, i) => (u ? [i] : [])) }
      return
    }
    if (!ctx.budget.tick()) return
    // bound wildcards first: they can only take a part equal to their value
    const bi = todo.findIndex((w) => b.has(w))
    if (bi >= 0) {
      const name = todo[bi]!
      const others = [...todo.slice(0, bi), ...todo.slice(bi + 1)]
      for (const part of equalParts(b.get(name)!, free, items, view.head, ctx)) {
        const nu = used.slice()
        for (const i of part) nu[i] = true
        yield* wildStep(others, b, nu)
      }
      return
    }
    const [name, ...others] = todo as [string, ...string[]]
    if (others.length === 0) {
      if (free.length === 0) {
        if (view.identityOk) {
          const nb = bind(name, num(1), b, ctx)
          if (nb) yield* wildStep(others, nb, used)
        }
        return
      }
      const nb = bind(name, group(view.head, free.map((i) => items[i]!)), b, ctx)
      if (nb) yield* wildStep(others, nb, used.map(() => true))
      return
    }
    if (free.length > MAX_SUBSET_ITEMS) {
      ctx.budget.cutRule()
      return
    }
    // a nonempty part for this wildcard, leaving at least one item for each other wildcard
    const m = free.length
    for (let mask = 1; mask < 1 << m; mask++) {
      const part = free.filter((_, j) => mask & (1 << j))
      if (m - part.length < others.length) continue
      if (!ctx.budget.tick()) return
      const nb = bind(name, group(view.head, part.map((i) => items[i]!)), b, ctx)
      if (!nb) continue
      const nu = used.slice()
      for (const i of part) nu[i] = true
      yield* wildStep(others, nb, nu)
    }
  }

  function* structStep(k: number, b: Bindings, used: readonly boolean[]): Generator<ACMatch> {
    if (k === structured.length) {
      yield* wildStep(wilds, b, used)
      return
    }
    // equal items are interchangeable: trying one of them stands for all (x - x - ... - x)
    const tried = new Set<string>()
    for (let j = 0; j < n; j++) {
      if (used[j]) continue
      const kj = key(items[j]!, ctx.matrices)
      if (tried.has(kj)) continue
      tried.add(kj)
      for (const nb of match(structured[k]!, items[j]!, b, ctx)) {
        const nu = used.slice()
        nu[j] = true
        yield* structStep(k + 1, nb, nu)
      }
    }
  }

  yield* structStep(0, b, new Array<boolean>(n).fill(false))
}

/** Parts of the free items whose combination equals `value` (up to AC). */
function* equalParts(value: Expr, free: readonly number[], items: readonly Expr[], head: string, ctx: MatchContext): Generator<number[]> {
  if (isCall(value, head)) {
    // need a sub-multiset equal to value's arguments
    const want = value.args
    const pick = function* (k: number, avail: readonly number[], chosen: number[]): Generator<number[]> {
      if (k === want.length) {
        yield chosen
        return
      }
      // the first equal candidate suffices: equal items are interchangeable
      const i = avail.find((x) => equal(want[k]!, items[x]!, ctx.matrices))
      if (i !== undefined) yield* pick(k + 1, avail.filter((x) => x !== i), [...chosen, i])
    }
    yield* pick(0, free, [])
    return
  }
  for (const i of free) {
    if (equal(value, items[i]!, ctx.matrices)) {
      yield [i]
      return
    }
  }
}

/**
 * Ordered products (matrices): each pattern argument takes a contiguous run, in order. With
 * `rest` the pattern may fit any window of the product, as in B * inv(A) * A.
 */
function* matchSequence(p: Call, view: View, b: Bindings, ctx: MatchContext, rest: boolean): Generator<ACMatch> {
  const items = view.items
  const n = items.length
  const ps = p.args
  function* step(k: number, pos: number, start: number, b: Bindings): Generator<ACMatch> {
    if (k === ps.length) {
      if (pos === n || rest) yield { b, used: range(start, pos) }
      return
    }
    if (!ctx.budget.tick()) return
    const pk = ps[k]!
    if (pos >= n) return
    if (isWildcard(pk, ctx)) {
      // a run of at least one item, leaving one for each later pattern argument
      const firstEnd = k === ps.length - 1 && !rest ? n : pos + 1
      for (let end = firstEnd; end <= n - (ps.length - k - 1); end++) {
        const nb = bind(pk.name, group(view.head, items.slice(pos, end)), b, ctx)
        if (nb) yield* step(k + 1, end, start, nb)
      }
    } else {
      for (const nb of match(pk, items[pos]!, b, ctx)) yield* step(k + 1, pos + 1, start, nb)
    }
  }
  const starts = rest ? range(0, n) : [0]
  for (const s of starts) yield* step(0, s, s, b)
}

const range = (a: number, b: number): number[] => Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i)

// ---- conditions ------------------------------------------------------------------------------

/** Value of a closed numeric expression, or undefined when it has symbols or unknown functions. */
export function evalConstant(e: Expr): number | undefined {
  if (e.kind === 'num') return e.value
  if (e.kind === 'sym') return e.name === 'e' ? Math.E : e.name === 'pi' ? Math.PI : undefined
  const xs: number[] = []
  for (const a of e.args) {
    const v = evalConstant(a)
    if (v === undefined) return undefined
    xs.push(v)
  }
  switch (e.head) {
    case OPS.add:
      return xs.reduce((s, v) => s + v, 0)
    case OPS.mul:
      return xs.reduce((s, v) => s * v, 1)
    case OPS.pow:
      return xs[0]! ** xs[1]!
  }
  const f = SCALAR.get(e.head)
  return f && xs.length >= f[0] && xs.length <= f[1] ? f[2](...xs) : undefined
}

/** Substitute bindings into a condition's expression (no tidying: conditions are only printed). */
export function substitute(e: Expr, b: Bindings): Expr {
  if (e.kind === 'sym') return b.get(e.name) ?? e
  if (e.kind === 'num') return e
  return call(e.head, e.args.map((a) => substitute(a, b)))
}

/** Relational operators of `where` conditions on numbers (== tolerates rounding). */
export const RELATIONS: Readonly<Record<RelOp, (x: number, y: number) => boolean>> = {
  '>': (x, y) => x > y,
  '<': (x, y) => x < y,
  '>=': (x, y) => x >= y,
  '<=': (x, y) => x <= y,
  '!=': (x, y) => x !== y,
  '==': (x, y) => Math.abs(x - y) <= 1e-12 * Math.max(1, Math.abs(x), Math.abs(y)),
}

/** Does `l op y` hold for all values, by the sign of l alone (exp(x) > 0, x ^ 2 >= 0)? */
function holdsBySign(op: RelOp, l: Expr, y: number | undefined): boolean {
  if (y !== 0) return false
  const sign = signOf(l)
  if (sign === 'positive') return op === '>' || op === '>=' || op === '!='
  return sign === 'nonnegative' && op === '>='
}

/** Exact value of numbers combined by +, * and integer powers; undefined for anything else. */
function exactValue(e: Expr): Q.Rational | undefined {
  if (e.kind === 'num') return e.q
  if (e.kind !== 'call') return undefined
  const xs: Q.Rational[] = []
  for (const a of e.args) {
    const v = exactValue(a)
    if (v === undefined) return undefined
    xs.push(v)
  }
  if (e.head === OPS.add) return xs.reduce(Q.add, Q.ZERO)
  if (e.head === OPS.mul) return xs.reduce(Q.mul, Q.ONE)
  if (e.head === OPS.pow && Q.isInteger(xs[1]!)) return Q.pow(xs[0]!, xs[1]!.n)
  return undefined
}

const NO_VALUES = { get: () => undefined }

/**
 * Decide `l op r` when both sides are closed (numbers, e, pi): exactly on rationals, otherwise by
 * the sign of l - r at high precision, never on floats (sin(pi) != 0 is false, not 1.2e-16).
 * A difference that only looks like 0 is never taken to hold; undefined: not decided here.
 */
function decide(op: RelOp, l: Expr, r: Expr): boolean | undefined {
  const x = exactValue(l)
  const y = exactValue(r)
  if (x !== undefined && y !== undefined) return relationHolds(op, Q.compare(x, y) as -1 | 0 | 1)
  const closed = (e: Expr): boolean => [...freeSymbols(e)].every((n) => CONSTANTS.has(n))
  if (!closed(l) || !closed(r)) return undefined
  const sign = closedSign(l, r)
  if (sign === undefined) return undefined
  if (sign !== 0) return relationHolds(op, sign)
  return relationHolds(op, 0) ? undefined : false
}

// Deciding the sign of a difference of constants takes high-precision arithmetic, and a search
// asks about the same few constants (e ^ 2 > 0) thousands of times: each pair is decided once.
const signs = new Map<string, -1 | 0 | 1 | undefined>()
function closedSign(l: Expr, r: Expr): -1 | 0 | 1 | undefined {
  const k = `${key(l)}|${key(r)}`
  if (signs.has(k)) return signs.get(k)
  const sign = signOfDifference(l, r, NO_VALUES, {})
  if (signs.size > 10_000) signs.clear()
  signs.set(k, sign)
  return sign
}

/**
 * Check a rule's conditions under bindings: undefined when one fails, else the assumptions
 * (conditions that could not be decided, printed with the bound values).
 */
export function checkConditions(where: readonly Condition[], b: Bindings, matrices: ReadonlySet<string>, show: (e: Expr) => string = print): string[] | undefined {
  const assumes: string[] = []
  for (const c of where) {
    if (c.kind === 'rel') {
      const l = substitute(c.lhs, b)
      const r = substitute(c.rhs, b)
      const decided = decide(c.op, l, r)
      if (decided === false) return undefined
      if (decided === undefined && !holdsBySign(c.op, l, evalConstant(r))) assumes.push(`${show(l)} ${c.op} ${show(r)}`)
      continue
    }
    const [a, v] = c.args.map((x) => substitute(x, b)) as [Expr, Expr | undefined]
    switch (c.name) {
      case 'free': {
        if (mayDependOn(a, v!)) return undefined
        break
      }
      case 'symbol':
        if (a.kind !== 'sym' || CONSTANTS.has(a.name)) return undefined
        break
      case 'number':
        if (a.kind !== 'num') return undefined
        break
      case 'integer':
        if (a.kind === 'num') {
          if (!Number.isInteger(a.value)) return undefined
        } else assumes.push(`${show(a)} is an integer`)
        break
      case 'constant':
        if ([...freeSymbols(a)].some((s) => !CONSTANTS.has(s))) return undefined
        break
      case 'matrix':
        if (!isMatrixish(a, matrices)) return undefined
        break
      case 'scalar':
        if (isMatrixish(a, matrices)) return undefined
        break
      case 'nonrandom':
        // random variables and events are the names that start with an uppercase letter, except a
        // count or an index of the lines (N data points in sum(x[n], n, 1, N))
        if ([...freeSymbols(a)].some((s) => /^[A-Z]/.test(s) && !(matrices instanceof Shapes && matrices.counts.has(s)))) return undefined
        break
    }
  }
  return [...new Set(assumes)]
}
