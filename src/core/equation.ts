// Steps between equations ("set the derivative to zero and solve for mu"): does line k+1 follow
// from line k? Judged numerically by solving for a variable the lines share: the other symbols
// get random values, line k is solved for the variable (secant iteration from a random start),
// and line k+1 must hold at that solution. A counterexample is a point that satisfies line k but
// not line k+1.
import { collect, sameKey } from './algebra.js'
import { key } from './equal.js'
import { add, div, type Expr, freeSymbols, isCall, isNum, mul, neg, OPS } from './expr.js'
import { print } from './print.js'
import * as Q from './rational.js'
import type { Condition } from './parse.js'
import { draw, meetsConditions, plan, Rng, shapeKind } from './sample.js'
import { shapesFor, type SymbolSetting } from './shape.js'
import type { Rule } from './rule.js'
import { close, compareExpressions, describeSample, evaluateSide, pairProblem } from './verify.js'
import { EvalError } from './evaluate.js'

/** `lhs = rhs`. */
export interface Equation {
  readonly lhs: Expr
  readonly rhs: Expr
}

export type Implication =
  | { verdict: 'implied'; variable: string; points: number }
  | { verdict: 'not-implied'; variable: string; counterexample: { values: Record<string, number | string>; lhs: number; rhs: number } }
  | { verdict: 'unknown'; reason: string }

export interface ImplicationOptions {
  readonly matrices?: SymbolSetting
  readonly assume?: readonly Condition[]
  readonly definitions?: readonly Rule[]
  readonly points?: number
  readonly seed?: number
}

const POINTS = 20
const ROOT_TOL = 1e-11
const HOLD_TOL = 1e-6

const difference = (e: Equation): Expr => add([e.lhs, neg(e.rhs)])

/** The scalar symbols both equations mention, the most promising first (a symbol standing alone on a side). */
function sharedVariables(a: Equation, b: Equation): string[] {
  const inA = new Set([...freeSymbols(a.lhs), ...freeSymbols(a.rhs)])
  const shared = [...new Set([...freeSymbols(b.lhs), ...freeSymbols(b.rhs)])].filter((s) => inA.has(s) && s !== 'e' && s !== 'pi')
  const alone = (e: Expr): boolean => e.kind === 'sym' && shared.includes(e.name)
  const first = [a.lhs, a.rhs, b.lhs, b.rhs].filter(alone).map((e) => (e as { name: string }).name)
  return [...new Set([...first, ...shared])]
}

/** A root of f near t0 (secant steps), or undefined. */
function solve(f: (t: number) => number | undefined, t0: number): number | undefined {
  let x0 = t0
  let x1 = t0 === 0 ? 0.5 : t0 * 1.1
  let f0 = f(x0)
  let f1 = f(x1)
  for (let k = 0; k < 80 && f0 !== undefined && f1 !== undefined; k++) {
    if (f1 === 0) return x1
    if (f1 === f0) return undefined
    const x2 = x1 - (f1 * (x1 - x0)) / (f1 - f0)
    if (!Number.isFinite(x2)) return undefined
    if (Math.abs(x2 - x1) <= ROOT_TOL * Math.max(1, Math.abs(x2))) return x2
    ;[x0, f0, x1, f1] = [x1, f1, x2, f(x2)]
  }
  return undefined
}

/** Does `b` hold wherever `a` does? Tries each shared variable until one can be solved for. */
export function implies(a: Equation, b: Equation, o: ImplicationOptions = {}): Implication {
  const vars = sharedVariables(a, b)
  if (vars.length === 0) return { verdict: 'unknown', reason: 'the two equations share no variable to solve for' }
  const problem = pairProblem(difference(a), difference(b), { ...o, ...(o.assume ? { assume: o.assume } : {}) })
  const symbols = plan(problem)
  const want = o.points ?? POINTS
  for (const v of vars) {
    const p = symbols.find((s) => s.name === v)
    if (!p || shapeKind(p.role) !== 'scalar') continue
    const rng = new Rng(o.seed ?? 1)
    let solved = 0
    for (let attempt = 0; attempt < want * 30 && solved < want; attempt++) {
      const s = draw(symbols, rng, { positive: attempt >= want * 15, ...(o.definitions ? { definitions: o.definitions } : {}) })
      const start = s.scope.get(v)
      if (typeof start !== 'number') break
      const at = (t: number): typeof s => ({ ...s, scope: new Map(s.scope).set(v, t) })
      const valueOf = (e: Expr, t: number): number | undefined => {
        const x = evaluateSide(e, at(t))
        return typeof x === 'number' && Number.isFinite(x) ? x : undefined
      }
      const root = solve((t) => valueOf(difference(a), t), start)
      if (root === undefined) continue
      const point = at(root)
      try {
        if (!meetsConditions(problem.where, point)) continue
      } catch (e) {
        if (!(e instanceof EvalError)) throw e
        continue
      }
      // measured against the size of the terms: a sum of large terms that cancels to 0 is 0
      const scale = (e: Equation): number | undefined => {
        const sizes = [e.lhs, e.rhs].flatMap((x) => (x.kind === 'call' && x.head === OPS.add ? x.args : [x])).map((x) => valueOf(x, root))
        // and of the values themselves: sum(x[i] - mu, i, 1, n) = 0 cancels values of the size of x and mu
        const given = [...point.scope.values()].flatMap((x) => (typeof x === 'number' ? [x] : x.kind === 'array' ? x.items.filter((y): y is number => typeof y === 'number') : []))
        return sizes.some((x) => x === undefined) ? undefined : Math.max(...sizes.map((x) => Math.abs(x!)), ...given.map(Math.abs))
      }
      const al = valueOf(a.lhs, root)
      const ar = valueOf(a.rhs, root)
      const sa = scale(a)
      if (al === undefined || ar === undefined || sa === undefined || !close(al, ar, 1e-9, sa)) continue
      const l = valueOf(b.lhs, root)
      const r = valueOf(b.rhs, root)
      const sb = scale(b)
      if (l === undefined || r === undefined || sb === undefined) continue
      if (!close(l, r, HOLD_TOL, sb)) {
        const values = { ...describeSample(symbols, point, difference(a), difference(b)), [v]: Number(root.toPrecision(6)) }
        return { verdict: 'not-implied', variable: v, counterexample: { values, lhs: Number(l.toPrecision(4)), rhs: Number(r.toPrecision(4)) } }
      }
      solved++
    }
    if (solved >= want) return { verdict: 'implied', variable: v, points: solved }
  }
  return { verdict: 'unknown', reason: `could not solve the first equation for ${vars.join(' or ')} at enough random points` }
}

// ---- the same operation on both sides ----------------------------------------------------------

/** "add mu to both sides", "divide both sides by n (provided n != 0)": how line k+1 comes from line k. */
export interface BothSides {
  readonly label: string
}

const termsOf = (e: Expr): readonly Expr[] => (isCall(e, OPS.add) ? e.args : [e])
const factorsOf = (e: Expr): readonly Expr[] => (isCall(e, OPS.mul) ? e.args.filter((f) => !isNum(f, 1n)) : [e])

/**
 * The items of `after` not in `before` and those of `before` not in `after`, compared by key (a
 * multiset difference), and how many were kept.
 */
function changed(before: readonly Expr[], after: readonly Expr[], matrices: ReadonlySet<string>): { added: Expr[]; removed: Expr[]; kept: number } {
  const left = new Map<string, Expr[]>()
  for (const x of before) {
    const k = key(x, matrices)
    left.set(k, [...(left.get(k) ?? []), x])
  }
  const added: Expr[] = []
  for (const x of after) {
    const same = left.get(key(x, matrices))
    if (same?.length) same.pop()
    else added.push(x)
  }
  const removed = [...left.values()].flat()
  return { added, removed, kept: after.length - added.length }
}

/** A term printed with a leading minus: -3, -2 * x, -(x / n). */
const isNegative = (t: Expr): boolean =>
  (t.kind === 'num' && Q.sign(t.q) < 0) || (isCall(t, OPS.mul) && t.args[0]?.kind === 'num' && Q.sign(t.args[0].q) < 0)

/** An item of `e` is a factor printed as a denominator: 1/k. */
const inverse = (f: Expr): Expr | undefined => (isCall(f, OPS.pow) && f.args[1]?.kind === 'num' && isNum(f.args[1], -1n) ? f.args[0] : undefined)

/**
 * The operation done to both sides between two equations, if one is: a term added (or subtracted)
 * on both sides, or both sides multiplied (or divided) by a factor, read off the side where it shows
 * and confirmed on the other side by the numeric judge (`same`). A division, or a multiplication
 * claimed as an equivalence, holds only where the factor is not zero: the label says so.
 */
export function bothSides(a: Equation, b: Equation, same: (x: Expr, y: Expr) => boolean, o: { matrices: ReadonlySet<string>; equivalence: boolean; swapped?: boolean }): BothSides | undefined {
  const m = o.matrices
  for (const [from, to, other, otherTo] of [
    [a.lhs, b.lhs, a.rhs, b.rhs],
    [a.rhs, b.rhs, a.lhs, b.lhs],
  ] as const) {
    // a term added: to = from + t, and otherTo = other + t
    // (a side that keeps some of its terms or factors: otherwise any two lines would be "related")
    const t = changed(termsOf(from), termsOf(to), m)
    if (t.kept > 0 && t.added.length + t.removed.length > 0 && t.added.length + t.removed.length <= 3) {
      const term = collect(add([...t.added, ...t.removed.map(neg)]), m)
      if (same(otherTo, add([other, term])) && same(to, add([from, term]))) {
        return { label: isNegative(term) ? `subtract ${print(neg(term))} from both sides` : `add ${print(term)} to both sides` }
      }
    }
    // a factor: to = c * from, and otherTo = c * other
    const f = changed(factorsOf(from), factorsOf(to), m)
    if (f.kept > 0 && f.added.length + f.removed.length > 0 && f.added.length + f.removed.length <= 3) {
      const up = [...f.added.filter((x) => !inverse(x)), ...f.removed.flatMap((x) => (inverse(x) ? [inverse(x)!] : []))].map((x) => collect(x, m))
      const down = [...f.removed.filter((x) => !inverse(x)), ...f.added.flatMap((x) => (inverse(x) ? [inverse(x)!] : []))].map((x) => collect(x, m))
      const c = collect(down.length ? div(mul(up), mul(down)) : mul(up), m)
      if (same(otherTo, mul([c, other])) && same(to, mul([c, from]))) {
        const k = down.length && !up.length ? collect(mul(down), m) : c
        // k^3 != 0 says no more than k != 0
        const base = isCall(k, OPS.pow) && k.args[1]?.kind === 'num' && Q.sign(k.args[1].q) > 0 ? k.args[0]! : k
        const nonzero = k.kind === 'num' ? '' : ` (provided ${print(base)} != 0)`
        if (down.length && !up.length) return { label: `divide both sides by ${print(k)}${nonzero}` }
        return { label: `multiply both sides by ${print(c)}${o.equivalence ? nonzero : ''}` }
      }
    }
  }
  if (same(a.lhs, b.rhs) && same(a.rhs, b.lhs)) return { label: 'swap the two sides' }
  // a term moved to the other side reads, with the sides swapped, as one added to both
  if (!o.swapped) {
    const moved = bothSides(a, { lhs: b.rhs, rhs: b.lhs }, same, { ...o, swapped: true })
    if (moved) return { label: `${moved.label}, and swap the two sides` }
  }
  return undefined
}

/** The label of a step between equations that does one thing to both sides, judged with the step's options. */
export function bothSidesLabel(a: Equation, b: Equation, equivalence: boolean, o: ImplicationOptions = {}): string | undefined {
  const matrices = shapesFor([a.lhs, a.rhs, b.lhs, b.rhs], o.matrices ?? 'uppercase')
  const same = (x: Expr, y: Expr): boolean => sameKey(x, matrices) === sameKey(y, matrices) || compareExpressions(x, y, o).verdict === 'equal'
  return bothSides(a, b, same, { matrices, equivalence })?.label
}
