// derive's own expression tree. mathjs nodes stop at the parser: everything else works on Expr.
//
// Normal form kept by every constructor here (and only here):
// - `+` and `*` are n-ary and flat: add(add(a, b), c) is add(a, b, c);
// - `a - b` is add(a, neg(b)) and `-b` is mul(-1, b) (a leading negative number absorbs the sign);
// - `a / b` is mul(a, pow(b, -1)), and `1 / b` is pow(b, -1).
// Nothing else is folded, so the tree keeps what the student wrote (`2 * 3` stays `2 * 3`).

import * as Q from './rational.js'
import type { Rational } from './rational.js'

export type Expr = Num | Sym | Call

/**
 * A number. `q` is its exact value: compare, fold and test numbers with q (see rational.ts).
 * `value` is the nearest double, for numeric evaluation and rough tests such as a sign.
 */
export interface Num {
  readonly kind: 'num'
  readonly q: Rational
  readonly value: number
  /** Written with a decimal point (or an exponent): printed back in decimal notation. */
  readonly decimal?: true
}
export interface Sym {
  readonly kind: 'sym'
  readonly name: string
}
/** An operator or function application. Operators use the heads in OPS; functions their name. */
export interface Call {
  readonly kind: 'call'
  readonly head: string
  readonly args: readonly Expr[]
}

/** Heads of operators (functions are Calls whose head is the function name). */
export const OPS = {
  add: '+',
  mul: '*',
  pow: '^',
  transpose: "'",
  index: '[]',
  given: '|',
  factorial: '!',
  and: 'and',
  or: 'or',
  not: 'not',
  /** cond ? a : b (piecewise(c1, v1, ..., otherwise) is read as nested ones) */
  if: 'if',
  eq: '==',
  ne: '!=',
  lt: '<',
  le: '<=',
  gt: '>',
  ge: '>=',
} as const

/** The comparison heads: a condition on two numbers (or random variables: then an event). */
export const RELATION_HEADS: ReadonlySet<string> = new Set([OPS.eq, OPS.ne, OPS.lt, OPS.le, OPS.gt, OPS.ge])

/** Heads whose value is a truth value (or an event): comparisons and and/or/not. */
export const isConditionHead = (head: string): boolean => RELATION_HEADS.has(head) || head === OPS.and || head === OPS.or || head === OPS.not

/** Heads whose argument 1 names the variable they are taken with respect to (sum index, diff/int variable). */
const VARIABLE_HEADS: ReadonlySet<string> = new Set(['sum', 'prod', 'diff', 'int'])

/**
 * The variable e is taken with respect to: the index of sum/prod, the variable of diff/int
 * (whether or not it is bound there, see boundVar). Undefined when argument 1 is not a symbol.
 */
export function variableOf(e: Expr): Sym | undefined {
  if (e.kind !== 'call' || !VARIABLE_HEADS.has(e.head)) return undefined
  const v = e.args[1]
  return v?.kind === 'sym' ? v : undefined
}

/**
 * The variable e binds in its body (argument 0): sum(f, i, lo, hi), prod(...) and the definite
 * int(f, x, a, b). diff(f, x) and the indefinite int(f, x) bind nothing: they are functions of x.
 */
export function boundVar(e: Expr): Sym | undefined {
  if (e.kind !== 'call') return undefined
  if (e.head === 'int' ? e.args.length !== 4 : e.head !== 'sum' && e.head !== 'prod') return undefined
  return variableOf(e)
}

/**
 * The argument positions a binder's variable is bound in: its body, its own variable slot and the
 * condition of a conditional sum sum(body, i, lo, hi, c); never the limits.
 */
export const inScopeOf = (i: number): boolean => i === 0 || i === 1 || i >= 4

/** Functions whose arguments are random variables or events (never matrices). */
export const PROBABILITY_FNS: ReadonlySet<string> = new Set(['P', 'E', 'Var', 'Cov'])

/**
 * The number v: an integer exactly, a non-integer as the decimal it prints as (0.1 is 1/10).
 * Finite values only.
 */
export function num(v: number): Num {
  if (Number.isInteger(v)) return { kind: 'num', q: Q.rational(BigInt(v)), value: v === 0 ? 0 : v }
  return { kind: 'num', q: Q.fromNumber(v), value: v, decimal: true }
}

/** The exact number q; `decimal` asks for decimal notation when printed (and q terminates). */
export function numQ(q: Rational, decimal = false): Num {
  const value = Q.toNumber(q)
  return decimal && Q.toDecimal(q) !== undefined ? { kind: 'num', q, value, decimal: true } : { kind: 'num', q, value }
}

/** A number literal as written ("10000000000000001", "0.1", "2e-3"); undefined if it is not one. */
export function numLiteral(text: string): Num | undefined {
  const q = Q.fromDecimal(text)
  if (!q) return undefined
  return numQ(q, /[.eE]/.test(text))
}

/** Is e the number q (exactly)? */
export const isNum = (e: Expr | undefined, q: bigint | Rational): boolean =>
  e?.kind === 'num' && (typeof q === 'bigint' ? e.q.d === 1n && e.q.n === q : Q.equals(e.q, q))
export const sym = (name: string): Sym => ({ kind: 'sym', name })

export function call(head: string, args: readonly Expr[]): Expr {
  if (head === OPS.add) return add(args)
  if (head === OPS.mul) return mul(args)
  return { kind: 'call', head, args }
}

/**
 * `e` itself when `built` is the same node rebuilt (same head, the very same arguments), else
 * `built`: a rewrite that changed nothing keeps its subtrees shared, so the caches keyed by node
 * (keys, fits, algebra forms) keep working on the lines a search reaches.
 */
export function reuse(e: Expr, built: Expr): Expr {
  if (e === built || e.kind !== 'call' || built.kind !== 'call' || e.head !== built.head || e.args.length !== built.args.length) return e === built ? e : built
  return e.args.every((a, i) => a === built.args[i]) ? e : built
}

/**
 * A pure function of (setting, expression) computed once per node: expressions are immutable and
 * the lines of a search share most subtrees. The setting (a matrix convention) is one object
 * throughout a search; both levels are weak, so nothing is kept alive by the cache.
 */
export class NodeMemo<S extends object, T> {
  private readonly bySetting = new WeakMap<S, WeakMap<Expr, T>>()
  /** The cached value for (setting, e), computed by `compute` the first time. */
  get(setting: S, e: Expr, compute: () => T): T {
    let m = this.bySetting.get(setting)
    if (!m) this.bySetting.set(setting, (m = new WeakMap()))
    if (m.has(e)) return m.get(e) as T
    const v = compute()
    m.set(e, v)
    return v
  }
}

/** head(args) flattened; one argument is itself, none is the operator's identity. */
function flat(head: string, args: readonly Expr[], identity: number): Expr {
  const out: Expr[] = []
  for (const a of args) {
    if (isCall(a, head)) out.push(...a.args)
    else out.push(a)
  }
  if (out.length === 0) return num(identity)
  if (out.length === 1) return out[0]!
  return { kind: 'call', head, args: out }
}

/** A flat sum; a one-term sum is the term itself, an empty sum is 0. */
export const add = (terms: readonly Expr[]): Expr => flat(OPS.add, terms, 0)

/** A flat product; a one-factor product is the factor itself, an empty product is 1. */
export const mul = (factors: readonly Expr[]): Expr => flat(OPS.mul, factors, 1)

export const pow = (base: Expr, exponent: Expr): Expr => ({ kind: 'call', head: OPS.pow, args: [base, exponent] })

/** -e, with the sign absorbed by a number or a leading numeric coefficient. */
export function neg(e: Expr): Expr {
  if (e.kind === 'num') return numQ(Q.neg(e.q), e.decimal)
  if (isCall(e, OPS.mul)) {
    const first = e.args[0]
    if (first?.kind === 'num') {
      const c = numQ(Q.neg(first.q), first.decimal)
      // drop a coefficient that became 1, unless a number follows it (-1 * 2 must stay two factors)
      return isNum(c, 1n) && e.args[1]?.kind !== 'num' ? mul(e.args.slice(1)) : mul([c, ...e.args.slice(1)])
    }
  }
  return mul([num(-1), e])
}

export const sub = (a: Expr, b: Expr): Expr => add([a, neg(b)])
/** a / b; 1 / b is just b^-1 (so `1/y * x` does not carry a factor 1 around). */
export const div = (a: Expr, b: Expr): Expr =>
  isNum(a, 1n) ? pow(b, num(-1)) : mul([a, pow(b, num(-1))])

export function isCall(e: Expr | undefined, head?: string): e is Call {
  return e !== undefined && e.kind === 'call' && (head === undefined || e.head === head)
}

export const isAC = (head: string): boolean => head === OPS.add || head === OPS.mul

/** True when e is pow(b, -k) for a positive number k: a factor printed in a denominator. */
export function isReciprocal(e: Expr): e is Call {
  return isCall(e, OPS.pow) && e.args[1]?.kind === 'num' && e.args[1].q.n < 0n
}

/** Replace the child at `index` of a call, rebuilding through the normalising constructors. */
export function withArg(e: Call, index: number, child: Expr): Expr {
  return placeArg(e.head, e.args, index, child)
}

/** head(args) with args[index] replaced by `child`, tidied as `rebuild` says. */
export function placeArg(head: string, args: readonly Expr[], index: number, child: Expr): Expr {
  const out = args.slice()
  out[index] = child
  return rebuild(head, out, new Set([index]))
}

/**
 * head(args) where the arguments at `changed` are new. In a product, a number (or a product's
 * coefficient) put in place of a factor joins the coefficient in front: -y * s, not y * -1 * s;
 * x * 1 is x and x * 0 is 0 (only where x is defined: 0 * log(x) stays). In a sum, a 0 put in
 * place of a term disappears. All changed places are tidied at once, so no position shifts.
 */
export function rebuild(head: string, args: readonly Expr[], changed: ReadonlySet<number>): Expr {
  if (head === OPS.mul) {
    let c: Num | undefined
    const others: Expr[] = []
    args.forEach((a, i) => {
      const coefficient = !changed.has(i) ? undefined : a.kind === 'num' ? a : isCall(a, OPS.mul) && a.args[0]?.kind === 'num' ? a.args[0] : undefined
      if (coefficient === undefined) return others.push(a)
      c = c === undefined ? coefficient : timesNum(c, coefficient)
      if (a.kind === 'call') others.push(...a.args.slice(1))
    })
    if (c !== undefined) {
      const lead = others[0]?.kind === 'num' ? timesNum(others.shift() as Num, c) : c
      if (Q.isZero(lead.q)) {
        const kept = others.filter((f) => !isDefined(f))
        return kept.length === 0 ? lead : mul([lead, ...kept])
      }
      return isNum(lead, 1n) ? mul(others) : mul([lead, ...others])
    }
  }
  if (head === OPS.add) {
    const kept = args.filter((a, i) => !(changed.has(i) && isNum(a, 0n)))
    if (kept.length < args.length) return kept.length === 0 ? num(0) : add(kept)
  }
  return call(head, args)
}

/** a * b exactly, in decimal notation if either was written so. */
const timesNum = (a: Num, b: Num): Num => numQ(Q.mul(a.q, b.q), a.decimal || b.decimal)

// Functions defined for every real argument (and every function derive does not know: the judge
// samples an unknown f as a smooth function defined everywhere). The rest may be undefined.
const PARTIAL: ReadonlySet<string> = new Set([
  'log', 'ln', 'log2', 'log10', 'log1p', 'sqrt', 'tan', 'cot', 'sec', 'csc', 'asin', 'acos', 'acosh', 'atanh',
  'gamma', 'factorial', 'choose', 'binom', 'combinations', 'mod', 'inv', 'P', 'E', 'Var', 'Cov',
  OPS.factorial, OPS.given,
])

/**
 * Is e defined for every value of its symbols? (No division, log, sqrt, ... that could be
 * undefined.) False means "maybe not": 0 * e is folded to 0 only when this is true.
 */
export function isDefined(e: Expr): boolean {
  if (e.kind !== 'call') return true
  if (PARTIAL.has(e.head) || !e.args.every(isDefined)) return false
  if (e.head !== OPS.pow) return true
  const [b, k] = e.args as [Expr, Expr]
  // b ^ k for a natural number k, or a positive number to any power
  if (k.kind === 'num') return Q.isInteger(k.q) && k.q.n >= 0n
  return b.kind === 'num' ? b.q.n > 0n : b.kind === 'sym' && (b.name === 'e' || b.name === 'pi')
}

// ---- structural queries ---------------------------------------------------------------------

/** Free symbols of e (a sum's, prod's or definite integral's variable excluded inside its body). */
export function freeSymbols(e: Expr, out: Set<string> = new Set(), bound: ReadonlySet<string> = new Set()): Set<string> {
  if (e.kind === 'sym') {
    if (!bound.has(e.name)) out.add(e.name)
  } else if (e.kind === 'call') {
    const v = boundVar(e)
    if (v) {
      const inner = new Set(bound).add(v.name)
      // limits are outside the variable's scope
      e.args.forEach((a, i) => freeSymbols(a, out, inScopeOf(i) ? inner : bound))
    } else {
      for (const a of e.args) freeSymbols(a, out, bound)
    }
  }
  return out
}

/** Does e contain a free occurrence of symbol `name`? */
export const dependsOn = (e: Expr, name: string): boolean => freeSymbols(e).has(name)

/** Number of nodes, for budgets. */
export function size(e: Expr): number {
  return e.kind === 'call' ? 1 + e.args.reduce((n, a) => n + size(a), 0) : 1
}

/** Child at a path of argument indices, or undefined. */
export function at(e: Expr, path: readonly number[]): Expr | undefined {
  let cur: Expr | undefined = e
  for (const i of path) {
    if (!cur || cur.kind !== 'call') return undefined
    cur = cur.args[i]
  }
  return cur
}

/** e with the node at `path` replaced by `replacement`; parents are rebuilt (and re-flattened). */
export const replaceAt = (e: Expr, path: readonly number[], replacement: Expr): Expr => replaceEach(e, [path], replacement)

/**
 * e with the nodes at all `paths` (none inside another) replaced by `replacement` (one for all, or
 * one per path) at once: every path names a node of the original e, so tidying one place cannot
 * move another.
 */
export function replaceEach(e: Expr, paths: readonly (readonly number[])[], replacement: Expr | readonly Expr[]): Expr {
  const each = Array.isArray(replacement) ? (replacement as readonly Expr[]) : paths.map(() => replacement as Expr)
  return replaceAll(e, paths.map((path, k) => ({ path, by: each[k]! })))
}

function replaceAll(e: Expr, places: readonly { path: readonly number[]; by: Expr }[]): Expr {
  const top = places.find((p) => p.path.length === 0)
  if (top) return top.by
  if (e.kind !== 'call') throw new Error(`replaceEach: no child at ${places.map((p) => p.path.join('.')).join(', ')}`)
  const below = new Map<number, { path: readonly number[]; by: Expr }[]>()
  for (const { path, by } of places) below.set(path[0]!, [...(below.get(path[0]!) ?? []), { path: path.slice(1), by }])
  const args = e.args.slice()
  for (const [i, sub] of below) {
    const child = e.args[i]
    if (child === undefined) throw new Error(`replaceEach: no child ${i}`)
    args[i] = replaceAll(child, sub)
  }
  return rebuild(e.head, args, new Set(below.keys()))
}

/** Pre-order walk: outermost first, then left to right. */
export function* walk(e: Expr, path: number[] = []): Generator<{ node: Expr; path: number[] }> {
  yield { node: e, path }
  if (e.kind === 'call') {
    for (let i = 0; i < e.args.length; i++) yield* walk(e.args[i]!, [...path, i])
  }
}

export const pathToString = (path: readonly number[]): string => (path.length === 0 ? '.' : path.join('.'))

/** Parse a position string ('.' or '0.1.2'); undefined when malformed. */
export function parsePath(text: string): number[] | undefined {
  const t = text.trim()
  if (t === '.' || t === '') return []
  if (!/^\d+(\.\d+)*$/.test(t)) return undefined
  return t.split('.').map(Number)
}

// ---- matrices -------------------------------------------------------------------------------

/** Which symbols are matrices: a list of names, or every single uppercase letter. */
export type MatrixSetting = 'uppercase' | readonly string[]

const UPPER = /^[A-Z]$/

/** Is `name` a matrix under `setting`? */
export function isMatrixName(name: string, setting: MatrixSetting): boolean {
  return setting === 'uppercase' ? UPPER.test(name) : setting.includes(name)
}

/**
 * Is argument i of x a count or an index, hence a scalar whatever its name: a sum's or product's
 * variable and limits (sum(f, k, 1, K): K classes), a definite integral's limits, what is in
 * brackets (z[K]), and the count of an ML function (softmax(z, i, K)).
 */
const countsOrIndexes = (x: Call, i: number): boolean =>
  ((x.head === 'sum' || x.head === 'prod') && x.args.length === 4 && i >= 1) ||
  (x.head === 'int' && x.args.length === 4 && i >= 2) ||
  (x.head === OPS.index && i >= 1) ||
  (COUNT_ARGS.get(x.head)?.includes(i) === true && x.args.length === COUNT_ARGS.get(x.head)!.at(-1)! + 1)

/**
 * The arguments of the starter library's ML functions that count or index (softmax(x, j, n) is
 * entry j of n; logsumexp(x, n), entropy(p, n) sum over 1..n; mse, crossentropy and kl take n last).
 */
const COUNT_ARGS: ReadonlyMap<string, readonly number[]> = new Map([
  ['softmax', [1, 2]],
  ['logsumexp', [1]],
  ['entropy', [1]],
  ['mse', [2]],
  ['crossentropy', [2]],
  ['kl', [2]],
])

/** The symbols an expression uses as counts or indices (K in sum(f, k, 1, K), j in z[j]): numbers, never random. */
export function countSymbols(e: Expr): Set<string> {
  const out = new Set<string>()
  const visit = (x: Expr, counting: boolean): void => {
    if (x.kind === 'sym') {
      if (counting) out.add(x.name)
    } else if (x.kind === 'call') x.args.forEach((a, i) => visit(a, counting || countsOrIndexes(x, i)))
  }
  visit(e, false)
  return out
}

/**
 * The matrix symbols of an expression. A symbol used as an argument of P/E/Var/Cov is a random
 * variable or event, so it is a scalar everywhere in that expression; so is a count or an index.
 */
export function matrixSymbols(e: Expr, setting: MatrixSetting): Set<string> {
  const randoms = new Set<string>()
  const all = new Set<string>()
  const visit = (x: Expr, inProb: boolean): void => {
    if (x.kind === 'sym') {
      all.add(x.name)
      if (inProb) randoms.add(x.name)
    } else if (x.kind === 'call') {
      const p = inProb || PROBABILITY_FNS.has(x.head)
      x.args.forEach((a, i) => visit(a, p || countsOrIndexes(x, i)))
    }
  }
  visit(e, false)
  const out = new Set<string>()
  for (const n of all) if (!randoms.has(n) && isMatrixName(n, setting)) out.add(n)
  return out
}
