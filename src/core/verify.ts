// Numeric verification: is a rule true (both sides equal at many random points that respect its
// conditions), and are two lecture lines equal as functions of their symbols? Pure: no I/O.
import { dimClasses } from './dims.js'
import { type Expr, freeSymbols, isMatrixName, OPS, walk } from './expr.js'
import { EvalError, evaluate, isBuiltin, usesNumericCalculus, type Value } from './evaluate.js'
import { conditionsHold, judgePoint, type PointVerdict } from './precise.js'
import { type Condition, parseCondition } from './parse.js'
import { print } from './print.js'
import { instantiate } from './rewrite.js'
import { evalConstant, substitute } from './match.js'
import { type Rule, wildcardsOf } from './rule.js'
import { draw, meetsConditions, plan, type Problem, Rng, type Sample, shapeKind, type SymbolPlan } from './sample.js'
import { shapesFor, type SymbolSetting } from './shape.js'

export type RuleVerdict =
  | { verdict: 'verified'; points: number }
  | { verdict: 'refuted'; counterexample: { values: Record<string, string | number>; lhs: number | string; rhs: number | string } }
  | { verdict: 'unverifiable'; reason: string }

export type Comparison =
  | { verdict: 'equal'; points: number }
  | { verdict: 'not-equal'; counterexample: { values: Record<string, number | string>; from: number | string; to: number | string } }
  | { verdict: 'unknown'; reason: string }

export interface CheckOptions {
  /** Random points that must agree (default 50). */
  readonly points?: number
  /** PRNG seed (default fixed, so results are reproducible). */
  readonly seed?: number
  /** Definition rules, unfolded when evaluating (softmax, logit, ...). */
  readonly definitions?: readonly Rule[]
}

export const DEFAULT_SEED = 20_240_229
const DEFAULT_POINTS = 50
/**
 * Relative tolerances of the fast floating-point comparison (for exact arithmetic, and with numeric
 * derivatives and integrals), measured against the size of the values themselves: 10^6 + 1 is not
 * 10^6, and exp(-20) is not 0. A point outside them is re-evaluated at high precision (precise.ts).
 */
const TOL_EXACT = 1e-9
const TOL_NUMERIC = 1e-6
/** Below this, a difference of two sides with numeric derivatives is not trusted. */
const TINY = 1e-100
/** Where no high-precision value exists (definite integrals): a difference this large, or none. */
const TOL_UNCONFIRMED = 1e-3
/** How many points where the floats agree are re-evaluated at high precision all the same. */
const CONFIRMED_AGREEMENTS = 2
/** Digits a point's high-precision check may take before it waits for the cheaper points (see check). */
const CHEAP_DIGITS = 200
/** Points kept waiting at most: beyond that, every point needs many digits, and they are judged. */
const MAX_DEFERRED = 10
/** A constant this large can swallow a whole term in doubles (10^16 + 1 is 10^16): agreements are then confirmed. */
const SWALLOWING = 1e6

/** Does the problem hold a constant (10^16, exp(460), any part without symbols) large enough to swallow a term? */
function mayCancel(problem: Problem): boolean {
  for (const e of [problem.lhs, problem.rhs]) {
    for (const { node } of walk(e)) {
      const v = evalConstant(node)
      if (v !== undefined && !(Math.abs(v) < SWALLOWING)) return true
    }
  }
  return false
}

/**
 * Whether a high-precision verdict on a point where the floats agree shows a difference that
 * doubles can hold: 1 vs 0 (what 10^16 + 1 - 10^16 lost) is one; 1e-504 vs 0 is not, since it is
 * below what a double can show and below the round-off of a numeric derivative of values near 1.
 */
const differsVisibly = (j: PointVerdict, tol: number): boolean => j.kind === 'differ' && !close(j.left, j.right, tol, 0)

/**
 * The chain of definitions through which a definition's name reaches itself (["g", "g"] for
 * g(x) <-> g(x) + 1, ["f", "h", "f"] through another one), or undefined. Such a definition
 * explains nothing: unfolding it never ends, and it makes g(y) = g(y) + 1 look derivable.
 */
export function definitionCycle(rule: Rule, definitions: readonly Rule[]): string[] | undefined {
  if (rule.kind !== 'definition' || rule.lhs.kind !== 'call') return undefined
  const keyOf = (e: Expr): string | undefined => (e.kind === 'call' ? `${e.head}/${e.args.length}` : undefined)
  const bodies = new Map<string, Expr[]>()
  // the rule replaces an older version of itself
  for (const d of [...definitions.filter((d) => d.id !== rule.id), rule]) {
    const k = d.kind === 'definition' ? keyOf(d.lhs) : undefined
    if (k) bodies.set(k, [...(bodies.get(k) ?? []), d.rhs])
  }
  const start = keyOf(rule.lhs)!
  const name = (k: string): string => k.slice(0, k.lastIndexOf('/'))
  const seen = new Set<string>()
  const search = (k: string, path: readonly string[]): string[] | undefined => {
    for (const body of bodies.get(k) ?? []) {
      for (const { node } of walk(body)) {
        const next = keyOf(node)
        if (next === undefined || !bodies.has(next)) continue
        if (next === start) return [...path, name(next)]
        if (seen.has(next)) continue
        seen.add(next)
        const found = search(next, [...path, name(next)])
        if (found) return found
      }
    }
    return undefined
  }
  return search(start, [name(start)])
}

/** Is the rule true? Verified at `points` random instances, refuted with a counterexample, or why not checkable. */
export function verifyRule(rule: Rule, options: CheckOptions = {}): RuleVerdict {
  const cycle = definitionCycle(rule, options.definitions ?? [])
  if (cycle) return { verdict: 'unverifiable', reason: `a circular definition (${cycle.join(' → ')}): it defines a name in terms of itself` }
  let definitions = options.definitions ?? []
  // a definition of a new name is true by definition: unfold it with itself (its right side must still evaluate)
  if (rule.kind === 'definition' && rule.lhs.kind === 'call' && !isBuiltin(rule.lhs.head) && !definitions.includes(rule)) {
    definitions = [...definitions, rule]
  }
  const wildcards = new Set([...wildcardsOf(rule.lhs, rule.literals), ...wildcardsOf(rule.rhs, rule.literals)])
  const problem: Problem = {
    lhs: rule.lhs,
    rhs: rule.rhs,
    where: rule.where,
    wildcards,
    types: rule.types,
    isMatrix: (name) => (wildcards.has(name) ? !rule.scalarWildcards.has(name) : isMatrixName(name, 'uppercase')),
    definitions,
    domain: rule.reversible ? 'both' : 'forward',
  }
  const r = check(problem, { ...options, definitions })
  if (r.verdict === 'same') return { verdict: 'verified', points: r.points }
  if (r.verdict === 'unknown') return { verdict: 'unverifiable', reason: r.reason }
  return { verdict: 'refuted', counterexample: { values: r.values, lhs: r.left, rhs: r.right } }
}

/** Are two expressions equal as functions of their free symbols (random points, same scope for both)? */
export function compareExpressions(
  from: Expr,
  to: Expr,
  options: CheckOptions & { matrices?: SymbolSetting; assume?: readonly Condition[] } = {},
): Comparison {
  const r = check(pairProblem(from, to, options), options)
  if (r.verdict === 'same') return { verdict: 'equal', points: r.points }
  if (r.verdict === 'unknown') return { verdict: 'unknown', reason: r.reason }
  return { verdict: 'not-equal', counterexample: { values: r.values, from: r.left, to: r.right } }
}

/**
 * Can these conditions (a chain's assumptions, as printed) hold where two lines are compared? True
 * if one of a few points drawn as for the lines meets them all, or if that cannot be told; false
 * when none does (n < 1 for lines whose sums run over 1..n: such a chain explains an empty case).
 */
export function conditionsCanHold(from: Expr, to: Expr, assumes: readonly string[], options: CheckOptions & { matrices?: SymbolSetting; assume?: readonly Condition[] } = {}): boolean {
  let conditions: Condition[]
  try {
    conditions = assumes.map(parseCondition)
  } catch {
    return true
  }
  // the points the lines are compared at (drawn for the lines alone, not steered by the conditions)
  const problem = pairProblem(from, to, options)
  const symbols = plan(problem)
  const rng = new Rng(options.seed ?? DEFAULT_SEED)
  for (let k = 0; k < 200; k++) {
    const s = draw(symbols, rng, { positive: k >= 100, ...(options.definitions ? { definitions: options.definitions } : {}) })
    try {
      if (!s.emptyRange && meetsConditions(problem.where, s) && meetsConditions(conditions, s)) return true
    } catch (e) {
      if (e instanceof EvalError) return true
      throw e
    }
  }
  return false
}

/** The sampling problem for two lines of a derivation (not a rule: every symbol just gets a value). */
export function pairProblem(from: Expr, to: Expr, options: CheckOptions & { matrices?: SymbolSetting; assume?: readonly Condition[] } = {}): Problem {
  // vectors (declared, transposed, or inferred by the caller) are drawn as vectors, matrices as matrices
  const shapes = shapesFor([from, to], options.matrices ?? 'uppercase')
  return {
    lhs: from,
    rhs: to,
    // what the derivation assumes (`# assume: n >= 1`): only such points are drawn
    where: options.assume ?? [],
    wildcards: new Set(),
    types: Object.fromEntries([...shapes.vectors].map((v) => [v, 'vector'])),
    // in lecture lines n counts something: 1..6
    emptySums: false,
    indicesInRange: true,
    isMatrix: (n) => shapes.has(n) && !shapes.vectors.has(n),
    ...(options.definitions ? { definitions: options.definitions } : {}),
  }
}

type Check =
  | { verdict: 'same'; points: number }
  | { verdict: 'differ'; values: Record<string, string | number>; left: number | string; right: number | string }
  | { verdict: 'unknown'; reason: string }

/** A side's value, or the EvalError saying why it has none here. */
export function evaluateSide(e: Expr, s: Sample): Value | EvalError {
  try {
    return evaluate(e, s.scope, s.ctx)
  } catch (err) {
    if (err instanceof EvalError) return err
    throw err
  }
}

/** The sampling loop shared by rules and expression pairs. */
function check(problem: Problem, options: CheckOptions): Check {
  const points = options.points ?? DEFAULT_POINTS
  const symbols = plan(problem)
  const rng = new Rng(options.seed ?? DEFAULT_SEED)
  const calculus = usesNumericCalculus(problem.lhs) || usesNumericCalculus(problem.rhs)
  const tol = calculus ? TOL_NUMERIC : TOL_EXACT
  // a definite integral is evaluated numerically with no high-precision check: moderate values only
  const integral = [problem.lhs, problem.rhs].some((e) => [...walk(e)].some(({ node }) => node.kind === 'call' && node.head === 'int' && node.args.length === 4))
  const beyond = integral ? undefined : largestConstant(problem)
  const cancels = mayCancel(problem)
  const kinds = new Map(symbols.map((p) => [p.name, shapeKind(p.role)]))
  const classes = dimClasses([problem.lhs, problem.rhs], (name) => kinds.get(name) ?? 'scalar')
  const attempts = points * 20
  // why points were thrown away: a normalised reason -> how often, and one example of it
  const failures = new Map<string, { count: number; example: string }>()
  const skip = (reason: string): void => {
    const k = reason.replace(/-?\d+(\.\d+)?(e[-+]?\d+)?/g, '#')
    const f = failures.get(k) ?? { count: 0, example: reason }
    f.count++
    failures.set(k, f)
  }
  let unmet = 0
  let valid = 0
  // the branches each condition took at the points compared: two sides are equal only if both were compared
  const covered = new Map<string, number>()
  const { required, constant, withWildcards } = conditionKeys(problem)
  const uncovered = (): { key: string; bits: number } | undefined => {
    for (const key of [...required, ...withWildcards.keys()]) if (covered.get(key) !== 3) return { key, bits: covered.get(key) ?? 0 }
    for (const [key, bits] of covered) if (bits !== 3 && !constant.has(key)) return { key, bits }
    return undefined
  }
  let unstable = 0
  let outOfDomain: Check | undefined
  // a point whose high-precision check needs many digits (exp(-2070) beside 10^5) waits until
  // the others are done: one counterexample settles a comparison, and one of moderate values
  // settles it far sooner. Every such point is still judged before the sides are called the same.
  const deferred: { s: Sample; branches: Map<string, number> }[] = []
  let enough = false
  for (let attempt = 0; attempt < attempts + deferred.length; attempt++) {
    const replay = attempt >= attempts ? deferred[attempt - attempts]! : undefined
    if (!replay && (enough || deferred.length >= MAX_DEFERRED)) {
      attempt = attempts - 1
      continue
    }
    const maxDigits = replay ? undefined : CHEAP_DIGITS
    // after half the budget without a single defined point, fall back to positive values throughout
    const positive = valid === 0 && attempt >= attempts / 2
    const drawn = replay?.s ?? draw(symbols, rng, { positive, beyond, ...(classes ? { classes } : {}), ...(options.definitions ? { definitions: options.definitions } : {}) })
    // which branch each condition took at this point (kept only if the point is compared)
    const branches = replay?.branches ?? new Map<string, number>()
    const s: Sample = replay?.s ?? { ...drawn, ctx: { ...drawn.ctx, branches } }
    const later = (): void => void deferred.push({ s, branches })
    const same = (): Check | undefined => {
      if (!agreed()) return undefined
      if (deferred.length === 0) return outOfDomain ?? { verdict: 'same', points: valid }
      enough = true
      return undefined
    }
    const agreed = (): boolean => {
      // a condition with a wildcard is printed differently at each point (c > 0 with c a random
      // expression in x): its branches count for the rule's own condition
      const own = new Map<string, number>()
      for (const [key, c] of withWildcards) {
        const here = print(instantiate(c, s.bindings))
        own.set(here, (own.get(here) ?? 0) | (branches.get(here) ?? 0))
        covered.set(key, (covered.get(key) ?? 0) | (branches.get(here) ?? 0))
      }
      for (const [k, bits] of branches) if (!own.has(k)) covered.set(k, (covered.get(k) ?? 0) | bits)
      return ++valid >= points && uncovered() === undefined
    }
    const wild = problem.wildcards.size > 0
    const lhs = wild ? instantiate(problem.lhs, s.bindings) : problem.lhs
    const rhs = wild ? instantiate(problem.rhs, s.bindings) : problem.rhs
    try {
      if (s.emptyRange || !meetsConditions(problem.where, s)) {
        unmet++
        continue
      }
    } catch (e) {
      if (!(e instanceof EvalError)) throw e
      return { verdict: 'unknown', reason: e.reason }
    }
    const l = evaluateSide(lhs, s)
    const r = evaluateSide(rhs, s)
    for (const side of [l, r]) if (side instanceof EvalError && !side.undefinedHere) return { verdict: 'unknown', reason: side.reason }
    // a comparison too close to call in floats goes straight to the high-precision judge
    const tie = [l, r].some((x) => x instanceof EvalError && x.tie)
    if (l instanceof EvalError && r instanceof EvalError && !tie) {
      skip(`left side: ${l.reason}`)
      continue
    }
    // floats can also agree by cancelling a difference away (10^16 + 1 - 10^16 is 0 in doubles):
    // the first points that agree are confirmed at high precision
    const agree = !(l instanceof EvalError) && !(r instanceof EvalError) && close(l, r, tol, 0)
    if (agree) {
      const confirm = cancels && valid < CONFIRMED_AGREEMENTS ? judgePoint(lhs, rhs, s.scope, s.ctx, maxDigits) : undefined
      if (confirm?.kind === 'costly') {
        later()
        continue
      }
      if (!confirm || !differsVisibly(confirm, tol)) {
        const done = same()
        if (done) return done
        continue
      }
    }
    // lecture lines (and a rule's result side) may be undefined where the other side is not:
    // such a point is just skipped, with no need to look closer
    const undefinedSide = tie ? undefined : l instanceof EvalError ? 'left' : r instanceof EvalError ? 'right' : undefined
    const domainMatters = problem.domain === 'both' || (problem.domain === 'forward' && undefinedSide === 'right')
    // (and once a point outside the domain is kept, further ones add nothing)
    if (undefinedSide && (!domainMatters || outOfDomain)) {
      skip(`${undefinedSide} side: ${((undefinedSide === 'left' ? l : r) as EvalError).reason}`)
      continue
    }
    // the floats disagree, or one side is undefined: only a high-precision re-evaluation can say
    // whether that is real or round-off, overflow or cancellation
    const p = judgePoint(lhs, rhs, s.scope, s.ctx, maxDigits)
    if (p.kind === 'costly') {
      later()
      continue
    }
    let verdict = p.kind === 'unsupported' ? floatVerdict(l, r) : p
    // a counterexample must also meet the conditions exactly: det(A * X * B) != 0 can pass in floats
    // where the determinant is 0 (a rank-deficient product), and then it proves nothing
    if ((verdict.kind === 'differ' || verdict.kind === 'broken') && problem.where.some((c) => c.kind === 'rel')) {
      const rel = problem.where.flatMap((c) => (c.kind === 'rel' ? [{ op: c.op, lhs: substitute(c.lhs, s.bindings), rhs: substitute(c.rhs, s.bindings) }] : []))
      const holds = conditionsHold(rel, s.scope, s.ctx)
      if (holds === false) {
        unmet++
        continue
      }
      if (holds === undefined && p.kind !== 'unsupported') verdict = { kind: 'unstable' }
    }
    switch (verdict.kind) {
      case 'agree': {
        const done = same()
        if (done) return done
        break
      }
      case 'differ': {
        // a numeric derivative of values far below 10^-100 (log(1 + exp(-581)) differentiated)
        // loses them even at high precision, which only keeps the inputs' magnitudes in view:
        // such a difference is not trusted
        if (calculus && [verdict.left, verdict.right].every((v) => typeof v === 'number' && Math.abs(v) < TINY)) {
          unstable++
          break
        }
        const [left, right] = formatPair(verdict.left, verdict.right)
        return { verdict: 'differ', values: describeSample(symbols, s, lhs, rhs), left, right }
      }
      case 'broken': {
        // a rule must not leave its domain: where the conditions hold and the side it rewrites is
        // defined, the other side must be defined too (log(a * b) -> log(a) + log(b) needs a, b > 0)
        const broken = verdict.undefinedSide
        if (!outOfDomain && (problem.domain === 'both' || (problem.domain === 'forward' && broken === 'right'))) {
          const shown = formatValue(verdict.value)
          const [left, right] = broken === 'right' ? [shown, `undefined (${verdict.reason})`] : [`undefined (${verdict.reason})`, shown]
          // kept, but reported only if no point shows two different numbers (a clearer counterexample)
          outOfDomain = { verdict: 'differ', values: describeSample(symbols, s, lhs, rhs), left, right }
        }
        skip(`${broken} side: ${verdict.reason}`)
        break
      }
      case 'undefined':
        skip(`left side: ${l instanceof EvalError ? l.reason : (r as EvalError).reason}`)
        break
      case 'unstable':
        unstable++
        break
    }
  }
  if (outOfDomain) return outOfDomain
  if (enough) return { verdict: 'same', points: valid }
  const oneBranch = uncovered()
  if (oneBranch !== undefined && valid > 0) {
    return { verdict: 'unknown', reason: `the condition ${oneBranch.key} was ${oneBranch.bits === 1 ? 'true' : oneBranch.bits === 2 ? 'false' : 'never evaluated'} at every point compared, so its other branch was never checked` }
  }
  if (valid >= Math.min(points, 10) && unstable === 0) return { verdict: 'same', points: valid }
  const rel = problem.where.flatMap((c) => (c.kind === 'rel' ? [c.text] : []))
  if (unstable > 0) return { verdict: 'unknown', reason: `at ${unstable} random points the two sides could not be evaluated reliably (ill-conditioned there), and only ${valid} agreed` }
  if (unmet === attempts) return { verdict: 'unknown', reason: `no random values met the conditions ${rel.join(', ')}` }
  const worst = [...failures.values()].sort((a, b) => b.count - a.count)[0]
  if (!worst) return { verdict: 'unknown', reason: `only ${valid} of ${attempts} random points met the conditions ${rel.join(', ')}` }
  return { verdict: 'unknown', reason: `only ${valid} of ${attempts} random points had both sides defined; most often the ${worst.example}` }
}

/**
 * The conditions of ind(...) and c ? a : b in the two sides, as printed (and noted by the
 * evaluator); those with a wildcard are instantiated differently at each point, so they are kept
 * as expressions, to be instantiated at each point and their notes looked up there.
 */
function conditionKeys(problem: Problem): { required: Set<string>; constant: Set<string>; withWildcards: Map<string, Expr> } {
  const required = new Set<string>()
  const withWildcards = new Map<string, Expr>()
  // a condition on no symbol at all (1 < 2) has one branch only, and it is the one compared
  const constant = new Set<string>()
  for (const side of [problem.lhs, problem.rhs]) {
    for (const { node } of walk(side)) {
      if (node.kind !== 'call' || (node.head !== 'ind' && node.head !== OPS.if)) continue
      const c = node.args[0]!
      const names = [...freeSymbols(c)]
      if (names.length === 0) constant.add(print(c))
      else if (!names.some((n) => problem.wildcards.has(n))) required.add(print(c))
      else withWildcards.set(print(c), c)
    }
  }
  return { required, constant, withWildcards }
}

/**
 * Where the high-precision evaluator cannot go (a definite integral): a difference counts only
 * when it is far beyond the error of the numeric integrator; a side undefined where the other is
 * not counts as before. Anything else is not decided at this point.
 */
function floatVerdict(l: Value | EvalError, r: Value | EvalError): PointVerdict {
  if (l instanceof EvalError && !(r instanceof EvalError)) return { kind: 'broken', undefinedSide: 'left', value: r, reason: l.reason }
  if (r instanceof EvalError && !(l instanceof EvalError)) return { kind: 'broken', undefinedSide: 'right', value: l, reason: r.reason }
  if (l instanceof EvalError || r instanceof EvalError) return { kind: 'undefined' }
  return close(l, r, TOL_UNCONFIRMED) ? { kind: 'unstable' } : { kind: 'differ', left: l, right: r }
}

/** The largest number written in the problem: sampling also goes beyond it (abs(x - 5) vs 5 - x). */
function largestConstant(problem: Problem): number {
  let m = 0
  const exprs = [problem.lhs, problem.rhs, ...problem.where.flatMap((c) => (c.kind === 'rel' ? [c.lhs, c.rhs] : c.args))]
  for (const e of exprs) for (const { node } of walk(e)) if (node.kind === 'num' && Number.isFinite(node.value)) m = Math.max(m, Math.abs(node.value))
  return m
}

// ---- comparing values ----------------------------------------------------------------------------

const near = (x: number, y: number, tol: number, scale: number): boolean => Math.abs(x - y) <= tol * Math.max(scale, Math.abs(x), Math.abs(y))

/**
 * Equal within a relative tolerance; matrices elementwise against their largest entry (a number c
 * stands for c times I). `floor`: the smallest magnitude measured against (1 makes tol absolute
 * near 0; 0 makes it purely relative).
 */
export function close(l: Value, r: Value, tol: number, floor = 1): boolean {
  if (typeof l === 'number' && typeof r === 'number') return near(l, r, tol, floor)
  if (typeof l === 'number' || typeof r === 'number') {
    const [c, other] = (typeof l === 'number' ? [l, r] : [r, l]) as [number, Exclude<Value, number>]
    if (other.kind === 'matrix') {
      // c stands for c times I; 0 is the zero matrix of any shape (0 * B' folds to 0)
      const n = other.rows.length
      if (c !== 0 && other.rows.some((row) => row.length !== n)) return false
      return close(other, { kind: 'matrix', rows: other.rows.map((row, i) => row.map((_, j) => (i === j ? c : 0))) }, tol, floor)
    }
    if (other.kind === 'rv') return close(other, { kind: 'rv', at: other.at.map(() => c) }, tol, floor)
    return false
  }
  if (l.kind === 'matrix' && r.kind === 'matrix') {
    if (l.rows.length !== r.rows.length || l.rows[0]?.length !== r.rows[0]?.length) return false
    const scale = Math.max(floor, ...l.rows.flat().map(Math.abs), ...r.rows.flat().map(Math.abs))
    return l.rows.every((row, i) => row.every((x, j) => near(x, r.rows[i]![j]!, tol, scale)))
  }
  if (l.kind === 'rv' && r.kind === 'rv') {
    const scale = Math.max(floor, ...l.at.map(Math.abs), ...r.at.map(Math.abs))
    return l.at.every((x, k) => near(x, r.at[k]!, tol, scale))
  }
  if (l.kind === 'event' && r.kind === 'event') return l.at.every((x, k) => x === r.at[k])
  if (l.kind === 'truth' && r.kind === 'truth') return l.value === r.value
  if (l.kind === 'array' && r.kind === 'array') return l.items.length === r.items.length && l.items.every((x, k) => close(x, r.items[k]!, tol, floor))
  return false
}

// ---- printing a counterexample -------------------------------------------------------------------

const sig = (x: number, digits = 4): number => Number(x.toPrecision(digits))

/** A value as shown in a counterexample: numbers to 4 significant digits, matrices as [[..], [..]]. */
export function formatValue(v: Value, shown = Infinity): string | number {
  if (typeof v === 'number') return sig(v)
  switch (v.kind) {
    case 'matrix':
      return `[${v.rows.map((row) => `[${row.map((x) => sig(x)).join(', ')}]`).join(', ')}]`
    case 'array': {
      // an indexed symbol has more entries than a small sum reads; show those it can reach
      const items = v.items.slice(0, shown).map((x) => formatValue(x))
      return `[${items.join(', ')}${v.items.length > shown ? ', ...' : ''}]`
    }
    case 'rv':
      return `[${v.at.map((x) => sig(x)).join(', ')}] on outcomes 1..${v.at.length}`
    case 'event':
      return `{${v.at.flatMap((x, k) => (x ? [k + 1] : [])).join(', ')}}`
    case 'truth':
      return String(v.value)
  }
}

/** Both sides, with numbers given just enough digits to show that they differ. */
function formatPair(l: Value, r: Value): [number | string, number | string] {
  if (typeof l === 'number' && typeof r === 'number') {
    let d = 4
    while (d < 15 && sig(l, d) === sig(r, d)) d++
    return [sig(l, d), sig(r, d)]
  }
  return [formatValue(l), formatValue(r)]
}

/** May the lines read entry 0 of list x: x[0] written, or a sum or product from 0 (or from an expression)? */
function readsEntryZero(x: string, lines: readonly Expr[]): boolean {
  const reads = (node: Expr): boolean => {
    if (node.kind !== 'call') return false
    const [a, b, lo] = node.args
    if (node.head === OPS.index) return a?.kind === 'sym' && a.name === x && b?.kind === 'num' && b.value <= 0
    return (node.head === 'sum' || node.head === 'prod') && lo !== undefined && !(lo.kind === 'num' && lo.value >= 1)
  }
  return lines.some((l) => [...walk(l)].some(({ node }) => reads(node)))
}

/** The values behind a counterexample: each symbol that matters, each expression a wildcard stood for, each unknown function. */
export function describeSample(symbols: readonly SymbolPlan[], s: Sample, lhs: Expr, rhs: Expr): Record<string, string | number> {
  const shown = new Set([...freeSymbols(lhs), ...freeSymbols(rhs)])
  // diff(f, x) is taken at the current value of x, which freeSymbols counts as bound
  for (const e of [lhs, rhs]) {
    for (const { node } of walk(e)) if (node.kind === 'call' && node.head === 'diff' && node.args[1]?.kind === 'sym') shown.add(node.args[1].name)
  }
  const out: Record<string, string | number> = {}
  let probability = false
  // sums run up to their limits (at most 6): entries past the largest limit + 1 play no part
  const limits = symbols.filter((p) => p.role.kind === 'limit').map((p) => s.scope.get(p.name))
  const reach = limits.length && limits.every((x) => typeof x === 'number') ? Math.max(...(limits as number[])) + 1 : Infinity
  for (const { name, role } of symbols) {
    const bound = s.bindings.get(name)
    if (bound && !(bound.kind === 'sym' && bound.name === name)) {
      out[name] = print(bound)
      // the helper values it is built from (b = b__0 + b__1 * x)
      for (const h of freeSymbols(bound)) {
        const hv = h.startsWith(`${name}__`) ? s.scope.get(h) : undefined
        if (hv !== undefined) out[h] = formatValue(hv)
      }
      continue
    }
    const v = s.scope.get(name)
    if (!shown.has(name) || v === undefined) continue
    // a list starts at x[0]; shown from x[1] unless the lines may read x[0]
    if (typeof v !== 'number' && v.kind === 'array') {
      const zero = readsEntryZero(name, [lhs, rhs])
      out[zero ? `${name}[0..]` : name] = formatValue(zero ? v : { ...v, items: v.items.slice(1) }, zero ? reach + 1 : reach)
    } else out[name] = formatValue(v, reach)
    probability ||= role.kind === 'rv' || role.kind === 'event' || (role.kind === 'array' && role.element !== 'scalar')
  }
  for (const [key, f] of s.functions) out[`${key.slice(0, key.lastIndexOf('/'))}(${f.params.join(', ')})`] = print(f.body)
  if (probability) out['P(outcome)'] = `[${s.space.map((p) => sig(p, 3)).join(', ')}]`
  return out
}
