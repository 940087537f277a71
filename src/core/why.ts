// `why`: which rules turn one line into the next. A breadth-first search over rule applications
// (and labelled built-in algebra steps), shortest chain first, bounded by depth and a node budget.
// When no chain is found, the lines are compared numerically.
import { clock } from '../limits.js'
import { algebraSteps, collect, expand, foldNumbers, sameKey } from './algebra.js'
import { key } from './equal.js'
import { type Expr, freeSymbols, isAC, OPS, variableOf, walk } from './expr.js'
import { shapesFor, type SymbolSetting, withVectors } from './shape.js'
import { Budget } from './match.js'
import { print } from './print.js'
import { findFits, fitAt } from './rewrite.js'
import type { Direction, Rule, RuleSpec } from './rule.js'

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
  /** Longest chain: up to 3 searched breadth-first, beyond that best-first (guided by shape). */
  readonly depth?: number
  /** Expressions expanded at most (each one is matched against every rule). */
  readonly maxNodes?: number
  /** Wall-clock limit in seconds (default WHY_TIME_LIMIT). */
  readonly timeLimit?: number
  readonly matrices?: SymbolSetting
  readonly compare: (a: Expr, b: Expr) => NumericComparison
  /** Is a candidate rule numerically verified? Used before suggesting one. */
  readonly verifies?: (spec: RuleSpec) => boolean
  /** Called as the search goes (for a progress line). */
  readonly progress?: (explored: number) => void
}

interface Node {
  readonly expr: Expr
  readonly parent?: Node
  readonly step?: Omit<WhyStep, 'from' | 'to'>
}

/** Find a chain of rules from `from` to `to`, or judge numerically whether they are equal at all. */
export function why(from: Expr, to: Expr, rules: readonly Rule[], options: WhyOptions): WhyResult {
  const matrices = shapesFor([from, to], options.matrices ?? 'uppercase')
  // a vector of either line stays one in every expression the search reaches (x' may vanish)
  const setting = withVectors(options.matrices ?? 'uppercase', matrices.vectors, matrices.entryVectors)
  const depth = options.depth ?? 3
  const maxNodes = options.maxNodes ?? 300
  const goal = goalOf(to, matrices)
  const timeLimit = options.timeLimit ?? WHY_TIME_LIMIT
  const search: Search = { rules, setting, matrices, goal, visited: new Set(), deadline: clock() + timeLimit * 1000 }
  const start: Node = { expr: from }
  let explored = 0
  const finish = (node: Node, label: string): WhyResult => {
    const steps = chain(node)
    if (label) steps.push({ kind: 'algebra', label, from: node.expr, to, assumes: [] })
    return { verdict: 'explained', steps, assumes: [...new Set(steps.flatMap((s) => s.assumes))], explored }
  }
  // the same line (up to reordering and arithmetic), or routine algebra alone such as expanding
  // (x + y) ^ 2, which is one labelled step
  const startKey = sameKey(from, matrices)
  const atStart = reaches(from, startKey, search)
  if (atStart !== undefined) return finish(start, atStart)
  search.visited.add(startKey)
  // breadth-first (shortest chain first) up to 3 steps; longer chains are left to the guided search
  let frontier: Node[] = [start]
  for (let level = 1; level <= Math.min(depth, BREADTH_FIRST_DEPTH) && frontier.length; level++) {
    const next: Node[] = []
    for (const node of frontier) {
      if (explored >= maxNodes) search.stopped ??= 'nodes'
      if (stopped(search)) break
      explored++
      options.progress?.(explored)
      for (const { child, label } of newChildren(node, search)) {
        if (label !== undefined) return finish(child, label)
        next.push(child)
      }
    }
    frontier = next
  }
  // no short chain: if the lines are equal at all and a longer chain is allowed (or the budget ran
  // out before the depth), look further, guided towards the target's shape
  const numeric = options.compare(from, to)
  const cutShort = search.stopped === 'nodes'
  if (numeric.verdict === 'equal' && (depth > BREADTH_FIRST_DEPTH || cutShort) && search.stopped !== 'time') {
    const again: Search = { ...search, visited: new Set([startKey]), stopped: undefined }
    const found = guided(start, again, { maxNodes, maxSteps: depth, progress: options.progress })
    if (found) return finish(found.child, found.label)
    search.stopped = again.stopped
  }
  const limits: SearchLimits = { depth, maxNodes, timeLimit, ...(search.stopped ? { stopped: search.stopped } : {}) }
  return judge(from, to, options, explored, numeric, limits)
}

/** Chains up to this long are searched exhaustively, shortest first. */
const BREADTH_FIRST_DEPTH = 3

/** The line sought: its key, its key through each algebra step (with that step's label), its shape. */
interface Goal {
  readonly key: string
  readonly forms: ReadonlyMap<string, string>
  readonly signature: string
  readonly heads: ReadonlyMap<string, number>
}

function goalOf(to: Expr, matrices: ReadonlySet<string>): Goal {
  const forms = new Map<string, string>()
  for (const f of algebraForms(to, matrices)) forms.set(f.key, f.label)
  return { key: sameKey(to, matrices), forms, signature: signature(to), heads: headCounts(to) }
}

/** What one search needs: the rules, the goal, and the lines already seen. */
interface Search {
  readonly rules: readonly Rule[]
  readonly setting: SymbolSetting
  readonly matrices: ReadonlySet<string>
  readonly goal: Goal
  readonly visited: Set<string>
  /** Wall-clock deadline (ms since the epoch). */
  readonly deadline: number
  /** Which bound stopped the search, once one has. */
  stopped?: 'time' | 'nodes'
}

/** Has a bound stopped the search (the deadline is checked now)? */
function stopped(s: Search): boolean {
  if (!s.stopped && clock() > s.deadline) s.stopped = 'time'
  return s.stopped !== undefined
}

/**
 * Does e (whose key is k) reach the goal? '' when it is the goal, the label of the algebra step
 * that finishes the chain, or undefined.
 */
function reaches(e: Expr, k: string, s: Search): string | undefined {
  if (k === s.goal.key) return ''
  // algebra only rearranges + * ^ and numbers: other functions must already match the target's
  if (signature(e) !== s.goal.signature) return undefined
  for (const f of algebraForms(e, s.matrices)) {
    const label = s.goal.forms.get(f.key)
    if (label) return f.label === 'as written' ? label : f.label
  }
  return undefined
}

/** The children of a node not seen before, each with the label that finishes the chain, if it does. */
function* newChildren(node: Node, s: Search): Generator<{ child: Node; label?: string }> {
  for (const child of expandNode(node, s)) {
    const k = sameKey(child.expr, s.matrices)
    if (s.visited.has(k)) continue
    s.visited.add(k)
    const label = reaches(child.expr, k, s)
    yield label === undefined ? { child } : { child, label }
  }
}

/** How far e's shape is from the target's: functions and operators (not + and *) each side lacks. */
function distance(e: Expr, want: ReadonlyMap<string, number>): number {
  const have = headCounts(e)
  let d = 0
  for (const [h, n] of want) d += Math.abs(n - (have.get(h) ?? 0))
  for (const [h, n] of have) if (!want.has(h)) d += n
  return d
}

function headCounts(e: Expr): Map<string, number> {
  const out = new Map<string, number>()
  for (const { node } of walk(e)) if (node.kind === 'call' && node.head !== OPS.add && node.head !== OPS.mul) out.set(node.head, (out.get(node.head) ?? 0) + 1)
  return out
}

/**
 * Best-first search for a longer chain (lecture lines that fold many rules, such as the gradient
 * of the logistic loss): expand first what has taken few steps and looks most like the target.
 */
function guided(
  start: Node,
  s: Search,
  limits: { maxNodes: number; maxSteps: number; progress?: ((explored: number) => void) | undefined },
): { child: Node; label: string } | undefined {
  const open: { node: Node; steps: number; score: number }[] = [{ node: start, steps: 0, score: distance(start.expr, s.goal.heads) }]
  for (let explored = 0; open.length && !stopped(s); explored++) {
    if (explored >= limits.maxNodes) {
      s.stopped = 'nodes'
      break
    }
    open.sort((a, b) => a.score - b.score)
    const { node, steps } = open.shift()!
    limits.progress?.(explored)
    if (steps >= limits.maxSteps) continue
    for (const { child, label } of newChildren(node, s)) {
      if (label !== undefined) return { child, label }
      open.push({ node: child, steps: steps + 1, score: steps + 1 + 2 * distance(child.expr, s.goal.heads) })
    }
  }
  return undefined
}

function* expandNode(node: Node, s: Search): Generator<Node> {
  const budget = new Budget(20_000, { deadline: s.deadline })
  const fits = findFits(node.expr, s.rules, { matrices: s.setting, budget, perNode: 8 })
  if (budget.exhausted === 'time') s.stopped = 'time'
  for (const f of fits) {
    yield {
      expr: f.result,
      parent: node,
      step: {
        kind: 'rule',
        rule: f.rule,
        label: f.rule.name,
        direction: f.direction,
        at: fitAt(f),
        subterm: f.subterm,
        assumes: f.assumes,
      },
    }
  }
  for (const a of algebraSteps(node.expr, s.matrices)) {
    yield { expr: a.result, parent: node, step: { kind: 'algebra', label: a.label, assumes: [] } }
  }
}

function chain(node: Node): WhyStep[] {
  const steps: WhyStep[] = []
  for (let n: Node | undefined = node; n?.parent && n.step; n = n.parent) steps.unshift({ ...n.step, from: n.parent.expr, to: n.expr })
  return steps
}

/**
 * Which functions and operators other than + * ^ occur in e. Algebra steps keep this set (they may
 * cancel one sigmoid(z) against another, but rarely every one), so it must match the target's.
 */
function signature(e: Expr): string {
  const heads = new Set<string>()
  for (const { node } of walk(e)) if (node.kind === 'call' && node.head !== OPS.add && node.head !== OPS.mul && node.head !== OPS.pow) heads.add(node.head)
  return [...heads].sort().join(',')
}

/** Keys of e as written and after each algebra normalisation, with the step's label. */
function algebraForms(e: Expr, matrices: ReadonlySet<string>): { key: string; label: string }[] {
  const forms: { key: string; label: string }[] = [{ key: sameKey(e, matrices), label: 'as written' }]
  const collected = collect(e, matrices)
  forms.push({ key: sameKey(collected, matrices), label: 'algebra: collect like terms' })
  const expanded = expand(e, matrices)
  if (expanded) forms.push({ key: sameKey(collect(expanded, matrices), matrices), label: 'algebra: expand and collect' })
  return forms
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
 * under log or sqrt positive, a sum's upper limit at least 1). If no general form verifies, the
 * symbols stay literal; if even that fails, the suggestion is marked unverified.
 */
function suggest(from: Expr, to: Expr, options: WhyOptions): { suggestion?: RuleSpec } {
  const base = { id: 'my-step', name: 'step from my notes', lhs: print(from), rhs: print(to) }
  if (from.kind === 'sym' || from.kind === 'num') return {}
  const symbols = [...new Set([...freeSymbols(from), ...freeSymbols(to)])].filter((s) => s !== 'e' && s !== 'pi').sort()
  const vars = new Set<string>()
  const positive = new Set<string>()
  const limits = new Set<string>()
  const lists = new Set<string>()
  for (const e of [from, to]) {
    for (const { node } of walk(e)) {
      if (node.kind !== 'call') continue
      const v = variableOf(node)
      if (v) vars.add(v.name)
      const hi = node.head === 'sum' || node.head === 'prod' ? node.args[3] : undefined
      if (hi?.kind === 'sym') limits.add(hi.name)
      if (node.head === 'log' || node.head === 'sqrt') for (const x of freeSymbols(node.args[0]!)) positive.add(x)
      // an indexed symbol is a list: no "x > 0" for it
      if (node.head === OPS.index && node.args[0]?.kind === 'sym') lists.add(node.args[0].name)
    }
  }
  const binding = [...vars].sort().flatMap((v) => [`symbol(${v})`, ...symbols.filter((s) => s !== v).map((s) => `free(${s}, ${v})`)])
  const domain = [
    ...[...limits].sort().map((n) => `${n} >= 1`),
    ...[...positive].filter((x) => symbols.includes(x) && !vars.has(x) && !limits.has(x) && !lists.has(x)).sort().map((x) => `${x} > 0`),
  ]
  const withWhere = (where: readonly string[]): RuleSpec => (where.length ? { ...base, where: [...where] } : base)
  const verifies = (spec: RuleSpec): boolean => options.verifies?.(spec) === true
  if (verifies(withWhere(binding))) return { suggestion: withWhere(binding) }
  if (verifies(withWhere([...binding, ...domain]))) {
    // keep only the domain conditions the step really needs
    let kept = domain
    for (const c of domain) {
      const fewer = kept.filter((x) => x !== c)
      if (verifies(withWhere([...binding, ...fewer]))) kept = fewer
    }
    return { suggestion: withWhere([...binding, ...kept]) }
  }
  const literal = { ...base, literals: symbols }
  if (verifies(literal)) return { suggestion: literal }
  return { suggestion: { ...withWhere([...binding, ...domain]), unverified: true } }
}
