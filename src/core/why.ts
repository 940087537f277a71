// `why`: which rules turn one line into the next. A search from both lines that meets in the middle
// (search/meet.ts), shortest chain first, bounded by depth, an expression budget and a time limit.
// When no chain is found, the lines are compared numerically.
import { clock } from '../limits.js'
import { foldNumbers } from './algebra.js'
import { key } from './equal.js'
import { boundVar, type Expr, freeSymbols, isAC, OPS, variableOf, walk } from './expr.js'
import { print } from './print.js'
import type { Direction, Rule, RuleSpec } from './rule.js'
import { guided, meet, newSearch, type Search } from './search/meet.js'
import { forPartsOf, shapesFor, type SymbolSetting, withVectors } from './shape.js'

/** One step of an explanation: a library rule, or a labelled algebra step. */
export interface WhyStep {
  readonly kind: 'rule' | 'algebra'
  /** The rule (kind 'rule'). */
  readonly rule?: Rule
  /** Rule name, or the algebra label such as "algebra: collect like terms". */
  readonly label: string
  readonly direction?: Direction
  readonly at?: string
  readonly subterm?: Expr
  readonly from: Expr
  readonly to: Expr
  readonly assumes: readonly string[]
}

/** Numeric comparison of two expressions (provided by the verifier). */
export type NumericComparison =
  | { verdict: 'equal'; points: number }
  | { verdict: 'not-equal'; counterexample: { values: Record<string, number | string>; from: number | string; to: number | string } }
  | { verdict: 'unknown'; reason: string }

export type WhyResult =
  | { verdict: 'explained'; steps: WhyStep[]; assumes: string[]; explored: number }
  | { verdict: 'equal-unexplained'; points: number; suggestion?: RuleSpec; explored: number; limits?: SearchLimits }
  | {
      verdict: 'not-equal'
      counterexample: { values: Record<string, number | string>; from: number | string; to: number | string }
      /** The innermost pair of corresponding subterms that already differ. */
      disagreement?: { from: Expr; to: Expr }
      explored: number
    }
  | { verdict: 'unknown'; reason: string; explored: number }

/** The bounds a search ran within, and which one stopped it (none: it ran out of chains to try). */
export interface SearchLimits {
  readonly depth: number
  readonly maxNodes: number
  /** Seconds. */
  readonly timeLimit: number
  readonly stopped?: 'time' | 'nodes'
}

/** Default wall-clock limit of one `why` search, in seconds. */
export const WHY_TIME_LIMIT = 2.5

export interface WhyOptions {
  /** Longest chain (default WHY_DEPTH): searched breadth-first from both lines, then best-first if the expression budget cut that short. */
  readonly depth?: number
  /** Expressions expanded at most (each one is matched against every rule). */
  readonly maxNodes?: number
  /** Wall-clock limit in seconds (default WHY_TIME_LIMIT). */
  readonly timeLimit?: number
  readonly matrices?: SymbolSetting
  /** The numeric judge: equal at `points` random points (its default when not given), or a counterexample. */
  readonly compare: (a: Expr, b: Expr, points?: number) => NumericComparison
  /**
   * Can a chain's conditions hold where the lines are compared? A chain that needs n < 1 for lines
   * whose sums run over 1..n explains only the empty case, and is passed over. Absent: always.
   */
  readonly canHold?: (from: Expr, to: Expr, assumes: readonly string[]) => boolean
  /** Is a candidate rule numerically verified? Used before suggesting one. */
  readonly verifies?: (spec: RuleSpec) => boolean
  /** Called as the search goes (for a progress line). */
  readonly progress?: (explored: number) => void
}

/** Points of the numeric screen run before the search (the full comparison draws its default, 50). */
const SCREEN_POINTS = 10

/** Longest chain searched without --depth (a run of derivative rules counts each of its steps). */
export const WHY_DEPTH = 12

/** Find a chain of rules from `from` to `to`, or judge numerically whether they are equal at all. */
export function why(from: Expr, to: Expr, rules: readonly Rule[], options: WhyOptions): WhyResult {
  const matrices = shapesFor([from, to], options.matrices ?? 'uppercase')
  // a vector of either line stays one in every expression the search reaches (x' may vanish)
  // (and a count or random variable named in uppercase stays a scalar in every part the search matches alone)
  const setting = withVectors(forPartsOf([from, to], options.matrices ?? 'uppercase'), matrices.vectors, matrices.entryVectors)
  const depth = options.depth ?? WHY_DEPTH
  const maxNodes = options.maxNodes ?? 300
  const timeLimit = options.timeLimit ?? WHY_TIME_LIMIT
  // a chain whose conditions cannot hold where the lines are compared explains nothing
  const { canHold } = options
  const accept = canHold
    ? (steps: readonly WhyStep[]): boolean => {
        const assumes = [...new Set(steps.flatMap((s) => s.assumes))]
        return assumes.length === 0 || canHold(from, to, assumes)
      }
    : undefined
  const search = newSearch(rules, setting, matrices, clock() + timeLimit * 1000, accept)
  const finish = (steps: WhyStep[]): WhyResult => ({ verdict: 'explained', steps, assumes: [...new Set(steps.flatMap((s) => s.assumes))], explored: search.explored })
  const bounds = { depth, maxNodes, progress: options.progress }
  // lines the numbers tell apart have no chain worth the search: a few points first, which tell
  // most wrong steps apart (a counterexample is always confirmed at high precision)
  const screen = options.compare(from, to, SCREEN_POINTS)
  if (screen.verdict === 'not-equal') return judge(from, to, options, 0, screen, { depth, maxNodes, timeLimit })
  // the full comparison, once, when a verdict needs it
  let full: NumericComparison | undefined
  const numeric = (): NumericComparison => (full ??= options.compare(from, to))
  const explained = (steps: WhyStep[]): WhyResult => {
    // a chain of verified rules with no assumption proves the step; one that needs a condition
    // (A' == A) does not make a step right that the numbers refute without it (diff(x' * A * x, x)
    // = 2 * A * x is false for a general A), nor does one through a rule saved unverified
    const proof = steps.every((s) => s.assumes.length === 0 && !s.rule?.spec.unverified)
    if (!proof && numeric().verdict === 'not-equal') return judge(from, to, options, search.explored, numeric(), { depth, maxNodes, timeLimit })
    return finish(steps)
  }
  const { chain, sides } = meet(from, to, search, bounds)
  if (chain) return explained(chain)
  // no chain within the bounds: if the lines are equal at all and the expression budget (not the
  // time) cut the search short, look further, guided towards the target's shape
  if (screen.verdict === 'equal' && search.stopped === 'nodes') {
    const again: Search = { ...search, stopped: undefined }
    const found = guided(from, to, sides.to, again, { ...bounds, maxSteps: depth })
    search.explored = again.explored
    if (found) return explained(found)
    search.stopped = again.stopped
  }
  const limits: SearchLimits = { depth, maxNodes, timeLimit, ...(search.stopped ? { stopped: search.stopped } : {}) }
  return judge(from, to, options, search.explored, numeric(), limits)
}

// ---- no chain: are they equal at all? --------------------------------------------------------

function judge(from: Expr, to: Expr, options: WhyOptions, explored: number, c: NumericComparison, limits: SearchLimits): WhyResult {
  if (c.verdict === 'unknown') return { verdict: 'unknown', reason: c.reason, explored }
  if (c.verdict === 'not-equal') {
    const f = foldNumbers(from)
    const d = disagreement(f, foldNumbers(to), options)
    // only worth saying when it is smaller than the whole lines
    const shared = key(d.from) !== key(f) ? { disagreement: d } : {}
    return { verdict: 'not-equal', counterexample: c.counterexample, ...shared, explored }
  }
  return { verdict: 'equal-unexplained', points: c.points, ...suggest(from, to, options), explored, limits }
}

/** Descend through shared structure to the innermost corresponding subterms that differ. */
function disagreement(a: Expr, b: Expr, options: WhyOptions): { from: Expr; to: Expr } {
  if (a.kind !== 'call' || b.kind !== 'call' || a.head !== b.head || a.args.length !== b.args.length) return { from: a, to: b }
  let xs = [...a.args]
  let ys = [...b.args]
  if (isAC(a.head)) {
    // set aside the terms both sides share, then pair the rest in order
    const ky = ys.map((y) => key(y))
    xs = xs.filter((x) => {
      const i = ky.indexOf(key(x))
      if (i < 0) return true
      ky.splice(i, 1)
      ys.splice(i, 1)
      return false
    })
    if (xs.length !== ys.length || xs.length === 0) return { from: a, to: b }
  }
  const differing = xs.map((x, i) => [x, ys[i]!] as const).filter(([x, y]) => key(x) !== key(y))
  if (differing.length !== 1) return { from: a, to: b }
  const [x, y] = differing[0]!
  return options.compare(x, y).verdict === 'not-equal' ? disagreement(x, y, options) : { from: a, to: b }
}

/**
 * A rule recording this step. Every symbol becomes a wildcard, with the conditions that keep the
 * generalisation sound: a differentiation or summation variable stays a symbol and the other
 * symbols do not depend on it (free(y, z)); then, if needed, the domain the lines need (a symbol
 * under log or sqrt positive, a sum's upper limit at least 1). Of those, only the conditions the
 * step needs are kept (each dropped one at a time while the rule still verifies). If no general form verifies, the
 * symbols stay literal; if even that fails, the suggestion is marked unverified.
 */
function suggest(from: Expr, to: Expr, options: WhyOptions): { suggestion?: RuleSpec } {
  const base = { id: 'my-step', name: 'step from my notes', lhs: print(from), rhs: print(to) }
  if (from.kind === 'sym' || from.kind === 'num') return {}
  const symbols = [...new Set([...freeSymbols(from), ...freeSymbols(to)])].filter((s) => s !== 'e' && s !== 'pi').sort()
  const vars = new Set<string>()
  const bound = new Set<string>()
  const positive = new Set<string>()
  const limits = new Set<string>()
  const lists = new Set<string>()
  for (const e of [from, to]) {
    for (const { node } of walk(e)) {
      if (node.kind !== 'call') continue
      const v = variableOf(node)
      if (v) vars.add(v.name)
      const bv = boundVar(node)
      if (bv) bound.add(bv.name)
      const hi = node.head === 'sum' || node.head === 'prod' ? node.args[3] : undefined
      if (hi?.kind === 'sym') limits.add(hi.name)
      if (node.head === 'log' || node.head === 'sqrt') for (const x of freeSymbols(node.args[0]!)) positive.add(x)
      // an indexed symbol is a list: no "x > 0" for it
      if (node.head === OPS.index && node.args[0]?.kind === 'sym') lists.add(node.args[0].name)
    }
  }
  const binding = [...vars].sort().flatMap((v) => [`symbol(${v})`, ...symbols.filter((s) => s !== v).map((s) => `free(${s}, ${v})`)])
  // the short form, tried first: a sum's (or product's, or definite integral's) variable is a symbol
  // and keeps its values in scope by itself (the matcher never moves a bound variable out of its
  // binder), so only a derivative's variable needs symbol(x) and free(y, x), and a list indexed
  // by it (w in w[i]) never needs free(w, i)
  const differentiated = [...vars].filter((v) => !bound.has(v)).sort()
  const short = differentiated.flatMap((v) => [`symbol(${v})`, ...symbols.filter((s) => s !== v && !lists.has(s) && !bound.has(s)).map((s) => `free(${s}, ${v})`)])
  const domain = [
    ...[...limits].sort().map((n) => `${n} >= 1`),
    ...[...positive].filter((x) => symbols.includes(x) && !vars.has(x) && !limits.has(x) && !lists.has(x)).sort().map((x) => `${x} > 0`),
  ]
  const withWhere = (where: readonly string[]): RuleSpec => (where.length ? { ...base, where: [...where] } : base)
  const verifies = (spec: RuleSpec): boolean => options.verifies?.(spec) === true
  // keep only the conditions the step really needs; symbol(x) stays, it is what makes x the variable
  const needed = (where: readonly string[]): string[] => {
    let kept = [...where]
    for (const c of where) {
      if (c.startsWith('symbol(')) continue
      const fewer = kept.filter((x) => x !== c)
      if (verifies(withWhere(fewer))) kept = fewer
    }
    return kept
  }
  for (const given of short.length < binding.length ? [short, binding] : [binding]) {
    for (const where of [given, [...given, ...domain]]) if (verifies(withWhere(where))) return { suggestion: withWhere(needed(where)) }
  }
  const literal = { ...base, literals: symbols }
  if (verifies(literal)) return { suggestion: literal }
  return { suggestion: { ...withWhere([...binding, ...domain]), unverified: true } }
}
