// Random instantiation for the numeric checks: decide what each symbol of a rule (or of two lecture
// lines) stands for, then draw values that respect the rule's conditions. A wildcard that may depend
// on a bound variable (u in diff(sin(u), x), c in sum(c * f, i, 1, n) without free(c, i)) becomes a
// random expression in that variable, so chain and sum rules are really exercised.
import { add, type Call, call, dependsOn, type Expr, isCall, mul, num, OPS, PROBABILITY_FNS, pow, RELATION_HEADS, sym, variableOf } from './expr.js'
import { type EvalContext, EvalError, evaluate, isBuiltin, matrix, type UnknownFunction, type Value } from './evaluate.js'
import { hashString } from './hash.js'
import * as Q from './rational.js'
import { chooseSizes, type DimClasses, type Dims } from './dims.js'
import { identity } from './linalg.js'
import { evalConstant, RELATIONS, substitute } from './match.js'
import type { Condition } from './parse.js'
import { instantiate } from './rewrite.js'
import type { Rule } from './rule.js'
import { renameApart, symbolNames } from './scope.js'

/** Sizes of random square matrices and vectors (one per draw), and outcomes of the probability space. */
export const SIZES = [2, 3, 4] as const
export const OUTCOMES = 6
/** Last entry of a random indexed symbol x, whose entries are x[0] .. x[ARRAY_LENGTH] (sum limits stay well below it). */
export const ARRAY_LENGTH = 12

// ---- seeded randomness -------------------------------------------------------------------------

/** A small seeded PRNG (mulberry32): the same seed gives the same checks. */
export class Rng {
  private s: number
  constructor(seed: number) {
    this.s = seed >>> 0
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) | 0
    let t = Math.imul(this.s ^ (this.s >>> 15), 1 | this.s)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next()
  }
  /** An integer in lo..hi inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1))
  }
  sign(): number {
    return this.next() < 0.5 ? -1 : 1
  }
}


/** Values are drawn with 3 decimals so that a printed counterexample is exact. */
const round3 = (x: number): number => Math.round(x * 1000) / 1000

// ---- what each symbol stands for -----------------------------------------------------------------

/** The kind of a bound variable: a summation index, a real, a vector or a matrix variable. */
export type VarKind = 'index' | 'real' | 'vector' | 'matrix'

export interface Bounds {
  lo?: number
  loStrict?: boolean
  hi?: number
  hiStrict?: boolean
}

export type Role =
  | { readonly kind: 'scalar' | 'integer' | 'vector' | 'identity' | 'event' }
  /**
   * an index x[j] into an array (1-based); `within` are the ranges lo..hi of the sums that index
   * the same arrays (j is drawn inside them always, or half the time with `sometimes`)
   */
  | { readonly kind: 'index'; readonly within?: readonly Range[]; readonly sometimes?: boolean }
  /** a sum limit: an integer from `min` to 6, or the index of an enclosing sum plus an integer */
  | { readonly kind: 'limit'; readonly min: number; readonly shiftOf?: string }
  /** a random variable taking at most `levels` distinct values */
  | { readonly kind: 'rv'; readonly levels: number }
  | { readonly kind: 'matrix'; readonly shape: 'general' | 'symmetric' | 'spd' }
  | { readonly kind: 'var'; readonly of: VarKind }
  | { readonly kind: 'array'; readonly element: 'scalar' | 'rv' | 'event' }
  /**
   * symbol(g) inside a binder: the matcher lets g bind that binder's variable (unless free(g, x)
   * says no), so g is sometimes that variable, sometimes a constant
   */
  | { readonly kind: 'symbol'; readonly captures: readonly string[] }
  /** integer(c) inside a sum without free(c, i): sometimes an integer, sometimes an integer expression in i */
  | { readonly kind: 'integerExpr'; readonly index: string }
  /** a random expression in the bound variables it may depend on */
  | { readonly kind: 'expr'; readonly deps: readonly { readonly name: string; readonly of: VarKind }[] }
  /** a vector or matrix that depends on the variable it is differentiated by (b = b0 + M x) */
  | { readonly kind: 'tensor'; readonly shape: 'vector' | 'matrix'; readonly dep: { readonly name: string; readonly of: VarKind } }
  /**
   * a condition wildcard inside a binder (c in sum(ind(c) * f, i, lo, hi) without free(c, i)):
   * a comparison that changes with the bound variables, true for some i and false for others
   */
  | { readonly kind: 'condition'; readonly deps: readonly string[] }

/** The limits lo..hi of a sum. */
export type Range = readonly [Expr, Expr]

export interface SymbolPlan {
  readonly name: string
  readonly role: Role
  readonly bounds: Bounds
  /**
   * Compared in a condition (y[i] == 1, a > b): half the draws take its values from these, so
   * that equalities and ties happen and both branches of the condition are met.
   */
  readonly ties?: readonly number[]
}

/** What to instantiate: two sides, the conditions, and which symbols may become expressions. */
export interface Problem {
  readonly lhs: Expr
  readonly rhs: Expr
  readonly where: readonly Condition[]
  /** A rule's wildcards (they may stand for expressions); other symbols only get values. */
  readonly wildcards: ReadonlySet<string>
  /** Per-symbol hints: "scalar" | "vector" | "matrix" | "symmetric" | "spd" | "integer". */
  readonly types: Readonly<Record<string, string>>
  /** Is this symbol a matrix (outside probability functions)? */
  readonly isMatrix: (name: string) => boolean
  /** May a sum limit be 0, making sum(f, i, 1, n) empty? (default true: a rule must hold there too) */
  readonly emptySums?: boolean
  /** Definitions: a call to a defined name is looked through (softmax(x, j, n) makes n a sum limit). */
  readonly definitions?: readonly Rule[]
  /**
   * For a rule: the side(s) it rewrites must not be defined where the result is not ('forward':
   * lhs defined => rhs defined; 'both' for a reversible rule). Absent: such points are skipped.
   */
  readonly domain?: 'forward' | 'both'
  /**
   * Lecture lines: an index x[j] is one of the entries the sums over x add up (1 <= j <= n when x
   * is summed over 1..n). A rule must say so in its conditions: its indices are drawn inside
   * and outside those ranges.
   */
  readonly indicesInRange?: boolean
}

interface Seen {
  bound?: 'index' | 'real'
  arrayOf?: 'scalar' | 'rv' | 'event'
  limit?: boolean
  /** the symbol of a limit written n - 1, n + 1 or 2 * n */
  limitIn?: boolean
  indexArg?: boolean
  /** the arrays this symbol indexes (j in x[j]) */
  indexes?: Set<string>
  rv?: boolean
  /** a random variable conditioned on, as Y in E(X | Y): it gets few distinct values */
  conditioner?: boolean
  event?: boolean
  /** bound variables around any occurrence: what the symbol may depend on */
  deps: Set<string>
  /** bound variables around every occurrence on the left side, where the matcher binds it */
  always?: Set<string>
  /** an operand of a comparison (itself or its entries) */
  compared?: boolean
}

type Prob = 'none' | 'rv' | 'event'

/** Decide the role of every symbol in the problem (e and pi excepted). */
/** The declared type of a rule's symbol (own entries only: a name like `constructor` is not one). */
const typeOf = (problem: Problem, name: string): string | undefined => (Object.hasOwn(problem.types, name) ? problem.types[name] : undefined)

export function plan(problem: Problem): SymbolPlan[] {
  const definitions = new Map<string, Rule[]>()
  for (const d of problem.definitions ?? []) {
    if (d.kind !== 'definition' || d.lhs.kind !== 'call' || isBuiltin(d.lhs.head) || !d.lhs.args.every((a) => a.kind === 'sym')) continue
    definitions.set(d.lhs.head, [...(definitions.get(d.lhs.head) ?? []), d])
  }
  const names = symbolNames(problem.rhs, symbolNames(problem.lhs))
  let depth = 0
  let onLhs = true
  const tieValues = new Set<number>([0, 1])
  const seen = new Map<string, Seen>()
  // the sums being visited (innermost last), and the ranges over which each array is summed
  const loops: { name: string; range: Range }[] = []
  const summed = new Map<string, Range[]>()
  const get = (n: string): Seen => {
    let s = seen.get(n)
    if (!s) seen.set(n, (s = { deps: new Set() }))
    return s
  }
  const mark = (name: string, prob: Prob, bound: readonly string[]): Seen => {
    const s = get(name)
    // in E(a * X + b) capitals are random variables, lowercase letters are constants
    if (prob !== 'none' && /^[A-Z]/.test(name)) s[prob] = true
    const here = new Set(bound.filter((b) => b !== name))
    for (const b of here) s.deps.add(b)
    if (onLhs) s.always = s.always ? new Set([...s.always].filter((b) => here.has(b))) : here
    return s
  }
  const visit = (e: Expr, prob: Prob, bound: readonly string[]): void => {
    if (e.kind === 'num') return
    if (e.kind === 'sym') {
      mark(e.name, prob, bound)
      return
    }
    // the variable of a sum, diff or int: what a wildcard in its body may depend on
    const v = variableOf(e)
    if (v) {
      const loop = e.head === 'sum' || e.head === 'prod'
      const s = get(v.name)
      s.bound ??= loop ? 'index' : 'real'
      e.args.forEach((a, i) => {
        if (i === 1) return
        if (i === 0) {
          if (loop && e.args.length === 4) loops.push({ name: v.name, range: [e.args[2]!, e.args[3]!] })
          visit(a, prob, [...bound, v.name])
          if (loop && e.args.length === 4) loops.pop()
          return
        }
        if (loop && a.kind === 'sym') get(a.name).limit = true
        // n in sum(f, k, 0, n - 1): a count too, in lecture lines (see roleOf)
        const counted = loop && a.kind === 'call' ? countIn(a) : undefined
        if (counted && !bound.includes(counted)) get(counted).limitIn = true
        visit(a, prob, bound)
      })
      return
    }
    if (e.head === OPS.index) {
      const [base, ...idx] = e.args
      if (base?.kind === 'sym') {
        const s = mark(base.name, 'none', bound)
        // as for plain symbols: only a capital's entries are random (z[j] in E(...) is a constant)
        s.arrayOf = prob !== 'none' && /^[A-Z]/.test(base.name) ? prob : 'scalar'
      } else if (base) visit(base, prob, bound)
      for (const i of idx) {
        if (i.kind === 'sym' && base?.kind === 'sym') {
          const loop = bound.includes(i.name) ? [...loops].reverse().find((l) => l.name === i.name) : undefined
          // a range is known where its limits do not depend on an enclosing sum's index
          if (loop && [...loop.range].every((x) => !bound.some((b) => dependsOn(x, b)))) summed.set(base.name, [...(summed.get(base.name) ?? []), loop.range])
          if (!bound.includes(i.name)) (get(i.name).indexes ??= new Set()).add(base.name)
        }
        if (i.kind === 'sym') get(i.name).indexArg = true
        visit(i, 'none', bound)
      }
      return
    }
    if (e.head === OPS.given) {
      visit(e.args[0]!, prob, bound)
      // P(A | B): B is an event; E(X | Y), Var(X | Y): Y is a random variable
      const cond = e.args[1]!
      visit(cond, prob === 'rv' ? 'rv' : 'event', bound)
      if (prob === 'rv' && cond.kind === 'sym') get(cond.name).conditioner = true
      return
    }
    if (RELATION_HEADS.has(e.head)) {
      // the operands of a comparison are numbers (random variables inside P, E, ...)
      for (const a of e.args) {
        const target = a.kind === 'sym' ? a.name : isCall(a, OPS.index) && a.args[0]?.kind === 'sym' ? a.args[0].name : undefined
        if (target !== undefined) get(target).compared = true
        else if (a.kind === 'num') tieValues.add(a.value)
        visit(a, prob === 'none' ? 'none' : 'rv', bound)
      }
      return
    }
    if (e.head === 'ind' || e.head === OPS.if || e.head === OPS.and || e.head === OPS.or || e.head === OPS.not) {
      // a symbol standing as a condition (a wildcard c in ind(c)) is an event: true on some outcomes, false on others
      e.args.forEach((a, i) => {
        const isCondition = e.head !== OPS.if || i === 0
        if (isCondition && a.kind === 'sym') {
          mark(a.name, 'none', bound).event = true
          return
        }
        visit(a, isCondition && prob !== 'none' ? 'event' : prob, bound)
      })
      return
    }
    const def = definitions.get(e.head)?.find((d) => (d.lhs as Call).args.length === e.args.length)
    if (def && depth < 8) {
      // the unfolded body shows what the arguments are (arrays, limits); the arguments are visited as well
      depth++
      const params = (def.lhs as Call).args.map((a) => (a as { name: string }).name)
      // its own sums' variables renamed apart from the problem's symbols (k in softmax(x, k, n))
      visit(renameApart(instantiate(def.rhs, new Map(params.map((p, i) => [p, e.args[i]!]))), names), prob, bound)
      depth--
    }
    const inner: Prob = PROBABILITY_FNS.has(e.head) ? (e.head === 'P' ? 'event' : 'rv') : [OPS.and, OPS.or, OPS.not].includes(e.head as never) ? 'event' : prob
    for (const a of e.args) visit(a, inner, bound)
  }
  visit(problem.lhs, 'none', [])
  onLhs = false
  visit(problem.rhs, 'none', [])
  seen.delete('e')
  seen.delete('pi')

  const preds = new Map<string, Set<string>>()
  const bounds = new Map<string, Bounds>()
  const types: Record<string, string> = { ...problem.types }
  for (const c of problem.where) {
    if (c.kind === 'pred') {
      const [a, b] = c.args
      if (a?.kind !== 'sym') continue
      if (c.name === 'free' && b?.kind === 'sym') {
        seen.get(a.name)?.deps.delete(b.name)
        seen.get(a.name)?.always?.delete(b.name)
      } else (preds.get(a.name) ?? preds.set(a.name, new Set()).get(a.name)!).add(c.name)
    } else {
      boundsFrom(c, bounds)
      // S' == S: a general random matrix would almost never meet it, so S is drawn symmetric
      const symmetric = symmetricIn(c)
      if (symmetric !== undefined) types[symmetric] = 'symmetric'
    }
  }

  const shaped = { ...problem, types }
  // the numbers compared with, and one each side of them
  const ties = [...new Set([...tieValues].flatMap((k) => [k - 1, k, k + 1]))].sort((a, b) => a - b)
  return [...seen]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, s]) => ({ name, role: withRanges(roleOf(name, s, preds.get(name) ?? new Set(), shaped, seen), s, summed, problem), bounds: bounds.get(name) ?? {}, ...(s.compared ? { ties } : {}) }))
}

/** An index role with the ranges of the sums over the arrays it indexes. */
function withRanges(role: Role, s: Seen, summed: ReadonlyMap<string, readonly Range[]>, problem: Problem): Role {
  if (role.kind !== 'index') return role
  const within = [...(s.indexes ?? [])].flatMap((a) => summed.get(a) ?? [])
  return within.length === 0 ? role : { kind: 'index', within, ...(problem.indicesInRange ? {} : { sometimes: true }) }
}

/** The matrix S that a condition `S' == S` (or `S == S'`) says is symmetric. */
function symmetricIn(c: Condition & { kind: 'rel' }): string | undefined {
  if (c.op !== '==') return undefined
  for (const [t, m] of [[c.lhs, c.rhs], [c.rhs, c.lhs]] as const) {
    if (isCall(t, OPS.transpose) && t.args[0]?.kind === 'sym' && m.kind === 'sym' && t.args[0].name === m.name) return m.name
  }
  return undefined
}

/** The symbol of a limit of the form n + c, n - c or c * n (c a whole number), if it is one. */
function countIn(e: Expr): string | undefined {
  if (e.kind !== 'call' || e.args.length !== 2 || (e.head !== OPS.add && e.head !== OPS.mul)) return undefined
  const [a, b] = e.args as [Expr, Expr]
  const [v, c] = a.kind === 'sym' ? [a, b] : [b, a]
  return v.kind === 'sym' && c.kind === 'num' && Q.isInteger(c.q) ? v.name : undefined
}

/** What one symbol stands for, from how it is used, its type hint and its structural conditions. */
function roleOf(name: string, s: Seen, preds: ReadonlySet<string>, problem: Problem, seen: ReadonlyMap<string, Seen>): Role {
  const t = typeOf(problem, name)
  const wild = problem.wildcards.has(name)
  // symbol(x), number(n), constant(c): a plain value, never an expression in a bound variable
  const plain = preds.has('symbol') || preds.has('number') || preds.has('constant')
  const matrixLike = !s.rv && !s.event && (problem.isMatrix(name) || preds.has('matrix'))
  if (s.bound) return { kind: 'var', of: t === 'vector' ? 'vector' : t === 'matrix' || matrixLike ? 'matrix' : s.bound }
  if (s.arrayOf) return { kind: 'array', element: s.arrayOf }
  // in lecture lines a limit n - 1 counts as much as n does; a rule's n stays any integer there
  // (the matcher binds it to whatever is written, -5 included)
  if (s.limit || (s.limitIn && problem.emptySums === false && !wild)) {
    const min = problem.emptySums === false ? 1 : 0
    // a limit inside an outer sum may be that sum's index (a triangular double sum) unless free(lo, i)
    // says no; not when it is also a limit outside that sum (n in sum(softmax(x, j, n), j, 1, n))
    const index = wild && !plain ? [...(s.always ?? [])].sort().find((d) => seen.get(d)?.bound === 'index') : undefined
    return index === undefined ? { kind: 'limit', min } : { kind: 'limit', min, shiftOf: index }
  }
  if (s.indexArg) return { kind: 'index' }
  // a vector/matrix wildcard inside diff(., x) may depend on x unless free(w, x) says otherwise:
  // this is what refutes diff(x' * b, x) -> b without free(b, x)
  const big = t === 'vector' ? 'vector' : t === 'matrix' || preds.has('matrix') || (matrixLike && !s.rv && !s.event) ? 'matrix' : undefined
  if (big && wild && !plain && s.deps.size > 0 && t !== 'symmetric' && t !== 'spd') {
    const d = [...s.deps].sort()[0]!
    const of = roleOfVar(d, seen.get(d), problem)
    if (of !== 'index') return { kind: 'tensor', shape: big, dep: { name: d, of } }
  }
  if (t === 'vector') return { kind: 'vector' }
  if (t === 'symmetric' || t === 'spd') return { kind: 'matrix', shape: t }
  if (t === 'matrix' || preds.has('matrix')) return { kind: 'matrix', shape: 'general' }
  if (s.event && wild && !plain && !s.rv) {
    const deps = [...s.deps].filter((d) => roleOfVar(d, seen.get(d), problem) === 'real' || roleOfVar(d, seen.get(d), problem) === 'index').sort()
    if (deps.length > 0) return { kind: 'condition', deps }
  }
  if (s.event) return { kind: 'event' }
  if (s.rv) return { kind: 'rv', levels: s.conditioner ? 3 : OUTCOMES }
  if (matrixLike) return !wild && name === 'I' ? { kind: 'identity' } : { kind: 'matrix', shape: 'general' }
  // what the matcher allows: a symbol may be the variable a binder around it binds; an integer may
  // be an expression in the index of a sum around it
  const captures = wild ? [...(s.always ?? [])].filter((d) => seen.get(d)?.bound !== undefined).sort() : []
  if (preds.has('symbol') && captures.length) return { kind: 'symbol', captures }
  const index = captures.find((d) => seen.get(d)?.bound === 'index')
  if ((t === 'integer' || preds.has('integer')) && index !== undefined && !plain) return { kind: 'integerExpr', index }
  if (t === 'integer' || preds.has('integer')) return { kind: 'integer' }
  if (wild && s.deps.size > 0 && !plain) {
    return { kind: 'expr', deps: [...s.deps].sort().map((d) => ({ name: d, of: roleOfVar(d, seen.get(d), problem) })) }
  }
  return { kind: 'scalar' }
}

function roleOfVar(name: string, s: Seen | undefined, problem: Problem): VarKind {
  const t = typeOf(problem, name)
  if (t === 'vector') return 'vector'
  if (t === 'matrix' || problem.isMatrix(name)) return 'matrix'
  return s?.bound ?? 'real'
}

/** The shape a symbol's role gives it, for sizing (dims.ts): a square matrix, a matrix, a vector or a scalar. */
export function shapeKind(role: Role): 'scalar' | 'vector' | 'matrix' | 'square' {
  switch (role.kind) {
    case 'matrix':
      return role.shape === 'general' ? 'matrix' : 'square'
    case 'identity':
      return 'square'
    case 'vector':
      return 'vector'
    case 'var':
      return role.of === 'vector' ? 'vector' : role.of === 'matrix' ? 'matrix' : 'scalar'
    case 'tensor':
      return role.shape
    default:
      return 'scalar'
  }
}

/** Bounds such as `a > 0`, `0 < p`, `n >= 1`, `x[i] > 0` (they shape the sampling, not just filter it). */
function boundsFrom(c: Condition & { kind: 'rel' }, out: Map<string, Bounds>): void {
  const target = (e: Expr): string | undefined =>
    e.kind === 'sym' ? e.name : isCall(e, OPS.index) && e.args[0]?.kind === 'sym' ? e.args[0].name : undefined
  let name = target(c.lhs)
  let k = evalConstant(c.rhs)
  let op: string = c.op
  if (name === undefined || k === undefined) {
    name = target(c.rhs)
    k = evalConstant(c.lhs)
    const flip: Record<string, string> = { '>': '<', '<': '>', '>=': '<=', '<=': '>=' }
    op = flip[c.op] ?? c.op
  }
  if (name === undefined || k === undefined) return
  const b = out.get(name) ?? {}
  if (op === '>' || op === '>=') Object.assign(b, { lo: Math.max(b.lo ?? -Infinity, k), loStrict: op === '>' })
  if (op === '<' || op === '<=') Object.assign(b, { hi: Math.min(b.hi ?? Infinity, k), hiStrict: op === '<' })
  out.set(name, b)
}

// ---- drawing values -----------------------------------------------------------------------------

/** One random instance: values for symbols, expressions for wildcards, a probability space, functions. */
export interface Sample {
  readonly scope: Map<string, Value>
  /** Wildcard -> what it stands for (itself when it only has a value in scope). */
  readonly bindings: Map<string, Expr>
  readonly ctx: EvalContext
  /** The unknown functions used so far, by name and arity, with their formulas. */
  readonly functions: ReadonlyMap<string, UnknownFunction>
  readonly space: readonly number[]
  /** An index that must lie in a range found it empty (x summed over 2..m with m = 1): skip the point. */
  readonly emptyRange?: true
}

/** x rounded to 3 significant digits, so that a printed counterexample is exact at every scale. */
const round3sig = (x: number): number => Number(x.toPrecision(3))

/**
 * A positive magnitude across scales: mostly moderate values, but also whole numbers (small and
 * beyond 10), small values, large ones, and values beyond every number written in the problem
 * (abs(x - 5) = 5 - x holds only below 5). `beyond` is the largest such number; undefined keeps
 * to moderate values (definite integrals: a numeric integral over [-3000, 0] is neither quick
 * nor accurate, and it has no high-precision check).
 */
function magnitude(rng: Rng, beyond: number | undefined): number {
  const u = rng.next()
  if (beyond === undefined) return u < 0.25 ? rng.int(1, 3) : round3(rng.uniform(0.1, 3))
  if (u < 0.45) return round3(rng.uniform(0.1, 3))
  // a ^ b with a < 0 is only defined at whole numbers, which is where a rule like
  // log(a ^ b) -> b * log(a) without a > 0 leaves its domain
  if (u < 0.6) return rng.int(1, 3)
  if (u < 0.7) return rng.int(4, 20)
  if (u < 0.8) return round3sig(10 ** rng.uniform(-4, -1))
  if (u < 0.9) return round3sig(10 ** rng.uniform(1, 4))
  return beyond > 3 ? round3sig(beyond * rng.uniform(1.5, 4)) : round3sig(10 ** rng.uniform(0.5, 2))
}

function sampleReal(rng: Rng, b: Bounds, positive: boolean, beyond?: number): number {
  const { lo, hi } = b
  let x: number
  if (lo !== undefined && hi !== undefined) x = lo + (hi - lo) * rng.uniform(0.02, 0.98)
  else if (lo !== undefined) x = lo + magnitude(rng, beyond === undefined ? undefined : Math.max(0, beyond - lo))
  else if (hi !== undefined) x = hi - magnitude(rng, beyond === undefined ? undefined : Math.max(0, beyond + hi))
  else x = (positive ? 1 : rng.sign()) * magnitude(rng, beyond)
  const r = Math.abs(x) < 0.1 ? x : round3(x)
  // rounding must not break a strict bound
  if ((lo !== undefined && r <= lo) || (hi !== undefined && r >= hi)) return x
  return r
}

/**
 * An integer: usually from lo..hi; with `beyond` (the largest number in the problem) also well
 * beyond it (mod(n, 10) = n only for 0 <= n < 10), within the bounds a condition puts on it.
 */
function sampleInt(rng: Rng, b: Bounds, lo: number, hi: number, beyond?: number): number {
  const L = b.lo === undefined ? undefined : b.loStrict ? Math.floor(b.lo) + 1 : Math.ceil(b.lo)
  const H = b.hi === undefined ? undefined : b.hiStrict ? Math.ceil(b.hi) - 1 : Math.floor(b.hi)
  // sum limits and indices stay small (they index arrays and vectors); integers go wide
  const wide = beyond !== undefined && rng.next() < 0.3 ? rng.int(hi - lo + 1, Math.max(20, Math.ceil(2 * beyond) + 5)) : undefined
  if (L === undefined && H === undefined) return wide === undefined ? rng.int(lo, hi) : rng.sign() * wide
  if (L !== undefined && H !== undefined) return H < L ? L : rng.int(L, H)
  if (L !== undefined) return L + (wide ?? rng.int(0, hi - lo))
  return H! - (wide ?? rng.int(0, hi - lo))
}

function randomMatrix(rng: Rng, shape: 'general' | 'symmetric' | 'spd', [rows, cols]: Dims): Value {
  const n = shape === 'general' ? cols : rows
  const r = Array.from({ length: rows }, (_, i) => Array.from({ length: n }, (_, j) => round3(rng.uniform(-1, 1) + (i === j ? 1.5 * rng.sign() : 0))))
  if (shape === 'general') return matrix(r)
  if (shape === 'symmetric') return matrix(r.map((row, i) => row.map((x, j) => round3((x + r[j]![i]!) / 2))))
  // R R' + I is symmetric positive definite
  return matrix(r.map((ri, i) => r.map((rj, j) => round3(ri.reduce((s, x, k) => s + x * rj[k]!, 0) + (i === j ? 1 : 0)))))
}

const randomVector = (rng: Rng, n: number): Value => matrix(Array.from({ length: n }, () => [round3(rng.uniform(-1.5, 1.5) || 0.5)]))

function randomEvent(rng: Rng): Value {
  // neither empty nor everything: a degenerate event makes many wrong rules look right
  for (;;) {
    const at = Array.from({ length: OUTCOMES }, () => rng.next() < 0.5)
    if (at.some((x) => x) && at.some((x) => !x)) return { kind: 'event', at }
  }
}

function randomVariable(rng: Rng, b: Bounds, positive: boolean, levels = OUTCOMES): Value {
  const values = Array.from({ length: levels }, () => sampleReal(rng, b, positive))
  // with fewer levels than outcomes, each level is taken at least once, on random outcomes
  const at = Array.from({ length: OUTCOMES }, (_, k) => values[k < levels ? k : rng.int(0, levels - 1)]!)
  for (let k = at.length - 1; k > 0; k--) {
    const j = rng.int(0, k)
    ;[at[k], at[j]] = [at[j]!, at[k]!]
  }
  return { kind: 'rv', at }
}

const coef = (rng: Rng, lo = 0.2, hi = 1.5): number => round3(rng.sign() * rng.uniform(lo, hi)) || 0.5

/** A smooth random expression in the given variables, shaped to respect bounds. */
export function randomExpr(rng: Rng, deps: readonly { name: string; of: VarKind }[], b: Bounds, positive: boolean, dims: (name: string) => Dims = () => [3, 3]): Expr {
  // a scalar handle on each variable (an entry of a vector or matrix variable, within its size)
  const handle = (d: { name: string; of: VarKind }, k: number): Expr => {
    const [rows, cols] = dims(d.name)
    if (d.of === 'vector') return call(OPS.index, [sym(d.name), num(((k - 1) % rows) + 1)])
    if (d.of === 'matrix') return call(OPS.index, [sym(d.name), num(((k - 1) % rows) + 1), num((k % cols) + 1)])
    return sym(d.name)
  }
  const term = (d: { name: string; of: VarKind }): Expr => {
    if (d.of === 'vector' || d.of === 'matrix') {
      const [x1, x2, x3] = [handle(d, 1), handle(d, 2), handle(d, 3)]
      return add([mul([num(coef(rng)), call('sin', [x1]), x2]), mul([num(coef(rng)), pow(x3, num(2))]), mul([num(coef(rng)), x1])])
    }
    const v = sym(d.name)
    switch (rng.int(0, 2)) {
      case 0:
        return add([mul([num(coef(rng)), pow(v, num(2))]), mul([num(coef(rng)), call('sin', [mul([num(coef(rng)), v])])])])
      case 1:
        return add([mul([num(coef(rng)), call('exp', [mul([num(coef(rng, 0.1, 0.5)), v])])]), mul([num(coef(rng)), v])])
      default:
        return add([mul([num(coef(rng)), call('cos', [mul([num(coef(rng)), v])])]), mul([num(coef(rng, 0.05, 0.3)), pow(v, num(3))])])
    }
  }
  const terms = deps.map(term)
  if (deps.length >= 2) {
    // a cross term, so that f(i, j) does not split into g(i) + h(j)
    const [h1, h2] = [handle(deps[0]!, 1), handle(deps[1]!, 1)]
    terms.push(mul([num(coef(rng)), call('sin', [add([h1, mul([num(coef(rng)), h2])])])]), mul([num(coef(rng, 0.1, 0.5)), h1, h2]))
  }
  const g = add([...terms, num(coef(rng))])
  const { lo, hi } = b
  const sq = pow(g, num(2))
  if (lo !== undefined && hi !== undefined) return add([num(lo), mul([num(hi - lo), call('sigmoid', [g])])])
  if (lo !== undefined) return add([sq, num(round3(lo + rng.uniform(0.1, 1)))])
  if (hi !== undefined) return add([mul([num(-1), sq]), num(round3(hi - rng.uniform(0.1, 1)))])
  if (positive) return add([sq, num(round3(rng.uniform(0.1, 1)))])
  return g
}

/** A fixed smooth function of `arity` arguments (a sum of sines and linear parts, plus a cross term). */
function randomFunction(rng: Rng, arity: number, positive: boolean): UnknownFunction {
  const params = arity === 1 ? ['t'] : Array.from({ length: arity }, (_, k) => `t${k + 1}`)
  const terms: Expr[] = params.map((p) =>
    add([mul([num(coef(rng)), call('sin', [add([mul([num(coef(rng)), sym(p)]), num(coef(rng))])])]), mul([num(coef(rng, 0.1, 0.8)), sym(p)])]),
  )
  if (arity >= 2) terms.push(mul([num(coef(rng, 0.1, 0.5)), sym(params[0]!), sym(params[1]!)]))
  const g = add([...terms, num(coef(rng))])
  return { params, body: positive ? add([pow(g, num(2)), num(round3(rng.uniform(0.2, 1)))]) : g }
}

/**
 * Draw one random instance of a plan. `positive`: a fallback where every free value is positive.
 * `beyond`: the largest number in the problem, to sample across scales and beyond it; absent:
 * moderate values only.
 */
export function draw(
  symbols: readonly SymbolPlan[],
  rng: Rng,
  options: { positive: boolean; beyond?: number; classes?: DimClasses; definitions?: readonly Rule[] },
): Sample {
  const { positive, beyond, classes } = options
  // square matrices of one size (2, 3 or 4: det(c * A) = c^3 * det(A) holds only for 3), or, half
  // the time where the shapes allow it, rectangular ones of independent sizes
  const n = SIZES[rng.int(0, SIZES.length - 1)]!
  const rectangular = classes !== undefined && rng.next() < 0.5
  const sizeOf = classes && chooseSizes(classes, () => rng.int(SIZES[0], SIZES[SIZES.length - 1]!), rectangular ? undefined : n)
  const dims = (name: string): Dims => {
    const d = classes?.of.get(name)
    if (d && sizeOf) return [sizeOf(d[0]), sizeOf(d[1])]
    const kind = symbols.find((p) => p.name === name)?.role
    return kind && shapeKind(kind) === 'vector' ? [n, 1] : [n, n]
  }
  // an index into a vector stays within every vector
  const indexMax = Math.min(n, ...symbols.filter((p) => shapeKind(p.role) !== 'scalar').map((p) => dims(p.name)[0]))
  const scope = new Map<string, Value>()
  const bindings = new Map<string, Expr>()
  const seed = Math.floor(rng.next() * 2 ** 32)
  // half the draws put compared values on the numbers they are compared with (y[i] == 1 holds for some i)
  const tieDraw = rng.next() < 0.5
  const within = (b: Bounds, x: number): boolean =>
    (b.lo === undefined || x > b.lo || (x === b.lo && !b.loStrict)) && (b.hi === undefined || x < b.hi || (x === b.hi && !b.hiStrict))
  for (const { name, role, bounds, ties } of symbols) {
    bindings.set(name, sym(name))
    const allowed = tieDraw && ties ? ties.filter((x) => within(bounds, x) && (!positive || x > 0)) : []
    const tie = (): number | undefined => (allowed.length ? allowed[rng.int(0, allowed.length - 1)] : undefined)
    switch (role.kind) {
      case 'scalar':
        scope.set(name, tie() ?? sampleReal(rng, bounds, positive, beyond))
        break
      case 'integer':
        scope.set(name, tie() ?? sampleInt(rng, bounds, positive ? 1 : -3, 8, beyond))
        break
      case 'symbol':
        // half the time the binder's variable itself (diff(u * g, x) with g = x)
        if (rng.next() < 0.5) bindings.set(name, sym(role.captures[rng.int(0, role.captures.length - 1)]!))
        else scope.set(name, sampleReal(rng, bounds, positive, beyond))
        break
      case 'integerExpr': {
        const i = sym(role.index)
        const forms = [i, mul([num(-1), i]), mul([num(2), i]), add([i, num(rng.int(1, 3))])]
        if (rng.next() < 0.5) bindings.set(name, forms[rng.int(0, forms.length - 1)]!)
        else scope.set(name, sampleInt(rng, bounds, positive ? 1 : -3, 8, beyond))
        break
      }
      case 'limit':
        if (role.shiftOf !== undefined) bindings.set(name, add([sym(role.shiftOf), num(rng.int(-1, 2))]))
        else scope.set(name, sampleInt(rng, bounds, role.min, 6))
        break
      case 'index':
        // drawn once the limits of the ranges it must lie in have values (below)
        if (!role.within) scope.set(name, sampleInt(rng, bounds, 1, indexMax))
        break
      case 'var':
        scope.set(
          name,
          role.of === 'index'
            ? rng.int(1, 5)
            : role.of === 'real'
              ? sampleReal(rng, bounds, positive, beyond)
              : role.of === 'vector'
                ? randomVector(rng, dims(name)[0])
                : randomMatrix(rng, 'general', dims(name)),
        )
        break
      case 'matrix':
        scope.set(name, randomMatrix(rng, role.shape, dims(name)))
        break
      case 'vector':
        scope.set(name, randomVector(rng, dims(name)[0]))
        break
      case 'identity':
        scope.set(name, matrix(identity(dims(name)[0])))
        break
      case 'rv':
        scope.set(name, randomVariable(rng, bounds, positive, role.levels))
        break
      case 'event':
        scope.set(name, randomEvent(rng))
        break
      case 'condition': {
        // sin(c__w * (i + ...) + c__p) > 0: true for some values of the bound variables, false for others
        const [w, p] = [`${name}__w`, `${name}__p`]
        scope.set(w, round3(rng.uniform(0.5, 2.5)))
        scope.set(p, round3(rng.uniform(0, 6.28)))
        bindings.set(name, call(OPS.gt, [call('sin', [add([mul([sym(w), add(role.deps.map(sym))]), sym(p)])]), num(0)]))
        break
      }
      case 'array': {
        const item = (): Value =>
          role.element === 'rv' ? randomVariable(rng, bounds, positive) : role.element === 'event' ? randomEvent(rng) : (tie() ?? sampleReal(rng, bounds, positive, beyond))
        scope.set(name, { kind: 'array', items: Array.from({ length: ARRAY_LENGTH + 1 }, item) })
        break
      }
      case 'expr': {
        // compared in a condition (a == b in a sum over i): on a tie draw a number, which the
        // matcher lets it bind too, so that the equality holds at some points
        const t = tie()
        if (t === undefined) bindings.set(name, randomExpr(rng, role.deps, bounds, positive, dims))
        else scope.set(name, t)
        break
      }
      case 'tensor': {
        const [base, slope] = [`${name}__0`, `${name}__1`]
        const { dep } = role
        const own = dims(name)
        const random = (shape: 'vector' | 'matrix'): Value => (shape === 'vector' ? randomVector(rng, own[0]) : randomMatrix(rng, 'general', own))
        scope.set(base, random(role.shape))
        if (role.shape === 'vector' && dep.of === 'vector') {
          scope.set(slope, randomMatrix(rng, 'general', [own[0], dims(dep.name)[0]]))
          bindings.set(name, add([sym(base), mul([sym(slope), sym(dep.name)])]))
        } else {
          // base + (one entry of the variable) * slope: depends on the variable, keeps the shape
          const h = dep.of === 'vector' ? call(OPS.index, [sym(dep.name), num(1)]) : dep.of === 'matrix' ? call(OPS.index, [sym(dep.name), num(1), num(1)]) : sym(dep.name)
          scope.set(slope, random(role.shape))
          bindings.set(name, add([sym(base), mul([h, sym(slope)])]))
        }
        break
      }
    }
  }
  let emptyRange = false
  for (const { name, role, bounds } of symbols) {
    if (role.kind !== 'index' || !role.within) continue
    const inside = !role.sometimes || rng.next() < 0.5
    const limits = inside ? rangeOf(role.within, scope) : undefined
    const some = limits !== undefined && limits[0] <= limits[1]
    emptyRange ||= limits !== undefined && !some && !role.sometimes
    scope.set(name, some ? rng.int(limits[0], limits[1]) : sampleInt(rng, bounds, 1, indexMax))
  }
  const raw = Array.from({ length: OUTCOMES }, () => rng.uniform(0.2, 1))
  const total = raw.reduce((s, x) => s + x, 0)
  const space = raw.map((x) => x / total)
  const functions = new Map<string, UnknownFunction>()
  const unknown = (name: string, arity: number): UnknownFunction => {
    // seeded by name and sample: the same f on both sides of one sample, a new f in the next
    const key = `${name}/${arity}`
    let f = functions.get(key)
    if (!f) functions.set(key, (f = randomFunction(new Rng(hashString(key) ^ seed), arity, positive)))
    return f
  }
  const ctx: EvalContext = { space, unknown, ...(options.definitions ? { definitions: options.definitions } : {}) }
  return { scope, bindings, ctx, functions, space, ...(emptyRange ? { emptyRange: true as const } : {}) }
}


/** The integers every range holds, at the drawn values of their limits (within 1..ARRAY_LENGTH). */
function rangeOf(ranges: readonly Range[], scope: ReadonlyMap<string, Value>): [number, number] | undefined {
  let [lo, hi] = [1, ARRAY_LENGTH]
  for (const [l, h] of ranges) {
    try {
      const [a, b] = [evaluate(l, scope), evaluate(h, scope)]
      if (typeof a !== 'number' || typeof b !== 'number') return undefined
      lo = Math.max(lo, Math.ceil(a))
      hi = Math.min(hi, Math.floor(b))
    } catch (e) {
      if (e instanceof EvalError) return undefined
      throw e
    }
  }
  return [lo, hi]
}

/**
 * Do the sampled values meet the relational conditions? (Structural ones hold by construction.)
 * Throws EvalError (not undefinedHere) when a condition cannot be evaluated at all.
 */
export function meetsConditions(where: readonly Condition[], s: Sample): boolean {
  for (const c of where) {
    if (c.kind !== 'rel') continue
    try {
      const l = evaluate(substitute(c.lhs, s.bindings), s.scope, s.ctx)
      const r = evaluate(substitute(c.rhs, s.bindings), s.scope, s.ctx)
      const same = c.op === '==' ? sameMatrix(l, r) : undefined
      if (same !== undefined) {
        if (!same) return false
        continue
      }
      if (typeof l !== 'number' || typeof r !== 'number') throw new EvalError(`the condition "${c.text}" does not compare two numbers`, false)
      if (!RELATIONS[c.op](l, r)) return false
    } catch (e) {
      if (e instanceof EvalError && e.undefinedHere) return false
      if (e instanceof EvalError) throw new EvalError(`cannot check the condition "${c.text}": ${e.reason}`, false)
      throw e
    }
  }
  return true
}

/** Two matrices equal entry by entry (S' == S), or undefined when they are not both matrices. */
function sameMatrix(l: Value, r: Value): boolean | undefined {
  if (typeof l === 'number' || typeof r === 'number' || l.kind !== 'matrix' || r.kind !== 'matrix') return undefined
  if (l.rows.length !== r.rows.length || l.rows[0]?.length !== r.rows[0]?.length) return false
  return l.rows.every((row, i) => row.every((x, j) => RELATIONS['=='](x, r.rows[i]![j]!)))
}
