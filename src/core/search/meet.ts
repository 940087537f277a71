// The search behind `why`: rewrite both lines until they meet. Every rule is an equality under its
// conditions, so a rewrite of TO read backwards is a step toward TO: FROM -> ... -> M <- ... <- TO
// is shown as one forward chain, each TO-side step replayed as the rule in the other direction.
// Breadth-first from both sides (the smaller frontier first), lines compared by canonical keys
// (+ and * flattened and sorted, arithmetic on numbers folded), so the first meeting is a shortest
// chain. Beyond that, a best-first search from FROM toward anything the TO side has reached.
import { clock } from '../../limits.js'
import { algebraSteps, collect, dropZeroTerms, expand, factorOut, foldNumbers, sameKey } from '../algebra.js'
import { key } from '../equal.js'
import { type Expr, OPS, walk } from '../expr.js'
import { Budget } from '../match.js'
import { type Fit, findFits, fitAt } from '../rewrite.js'
import { headsIn } from '../rule-index.js'
import { differentiate, isDerivativeRule, isLogExpansionRule } from './calculus.js'
import { type FitMemo, fitMemo, fitsIn } from './fits.js'
import type { Direction, Rule } from '../rule.js'
import { Shapes, type SymbolSetting } from '../shape.js'
import type { WhyStep } from '../why.js'

/** A step as stored in the search (its lines are filled in when the chain is read out). */
type Step = Omit<WhyStep, 'from' | 'to'>

/**
 * A line the search reached. On the FROM side `parent` is the line before and `step` leads from
 * it here; on the TO side `parent` is the line after (toward TO) and `step` leads from here to it.
 */
interface Node {
  readonly expr: Expr
  readonly key: string
  readonly depth: number
  readonly parent?: Node
  readonly step?: Step
}

/** One side of the search: every line it has reached (by key) and the level it is expanding. */
interface Side {
  readonly toward: boolean
  readonly seen: Map<string, Node>
  frontier: Node[]
  depth: number
  /** Lines by signature (see `signature`), so algebra forms are computed only where they can meet. */
  readonly bySignature: Map<string, Node[]>
  /** For each signature the other side has asked about: the algebra forms of this side's lines. */
  readonly forms: Map<string, Map<string, { node: Node; form: Form }>>
}

/** What one search needs: the rules, the symbol shapes, the bounds. */
export interface Search {
  /** Fits of every rule, of the derivative rules and of the log-expanding rules (a run of either is one move). */
  readonly memo: { readonly all: FitMemo; readonly derivative: FitMemo; readonly logs: FitMemo }
  readonly setting: SymbolSetting
  readonly matrices: ReadonlySet<string>
  /** Deadline on the processor-time clock (ms). */
  readonly deadline: number
  /** Which bound stopped the search, once one has. */
  stopped?: 'time' | 'nodes'
  /** Lines expanded so far (both sides, both phases). */
  explored: number
  /** Is a chain found acceptable (its conditions can hold for the lines)? Absent: every chain is. */
  readonly accept?: ((chain: Chain) => boolean) | undefined
}

export interface Bounds {
  /** Longest chain (rule and algebra steps; the algebra step where the sides meet is free). */
  readonly depth: number
  /** Lines expanded at most, both sides together. */
  readonly maxNodes: number
  readonly progress?: ((explored: number) => void) | undefined
}

/** A chain found: its steps, FROM first, each `from` the previous `to`. */
export type Chain = WhyStep[]

/** A search over `rules` within the deadline. */
export function newSearch(rules: readonly Rule[], setting: SymbolSetting, matrices: ReadonlySet<string>, deadline: number, accept?: (chain: Chain) => boolean): Search {
  const memo = (rs: readonly Rule[]): FitMemo => fitMemo(rs, setting, matrices, 8)
  const memos = { all: memo(rules), derivative: memo(rules.filter(isDerivativeRule)), logs: memo(rules.filter(isLogExpansionRule)) }
  return { memo: memos, setting, matrices, deadline, explored: 0, accept }
}

/** Has a bound stopped the search (the deadline is checked now)? */
export function stopped(s: Search): boolean {
  if (!s.stopped && clock() > s.deadline) s.stopped = 'time'
  return s.stopped !== undefined
}

const newSide = (root: Expr, toward: boolean, s: Search): Side => {
  const side: Side = { toward, seen: new Map(), frontier: [], depth: 0, bySignature: new Map(), forms: new Map() }
  const node: Node = { expr: root, key: sameKey(root, s.matrices), depth: 0 }
  add(side, node, s)
  side.frontier.push(node)
  return side
}

function add(side: Side, node: Node, s: Search): void {
  side.seen.set(node.key, node)
  const sig = signature(node.expr)
  const list = side.bySignature.get(sig)
  if (list) list.push(node)
  else side.bySignature.set(sig, [node])
  const forms = side.forms.get(sig)
  if (forms) for (const f of algebraForms(node.expr, s.matrices)) if (!forms.has(f.key)) forms.set(f.key, { node, form: f })
}

/** The other side's forms of lines with this signature (computed the first time they are asked for). */
function formsOf(side: Side, sig: string, s: Search): Map<string, { node: Node; form: Form }> | undefined {
  let forms = side.forms.get(sig)
  if (forms) return forms
  const nodes = side.bySignature.get(sig)
  if (!nodes) return undefined
  side.forms.set(sig, (forms = new Map()))
  for (const node of nodes) for (const f of algebraForms(node.expr, s.matrices)) if (!forms.has(f.key)) forms.set(f.key, { node, form: f })
  return forms
}

/** Where the sides meet: the same key, or the same after routine algebra (with its label and assumptions). */
interface Meeting {
  readonly from: Node
  readonly to: Node
  readonly label?: string
  readonly assumes?: readonly string[]
}

function meetingOf(node: Node, side: Side, other: Side, s: Search): Meeting | undefined {
  const at = (theirs: Node, label?: string, assumes: readonly string[] = []): Meeting => {
    const [from, to] = side.toward ? [theirs, node] : [node, theirs]
    return label === undefined ? { from, to } : { from, to, label, assumes }
  }
  const same = other.seen.get(node.key)
  if (same) return at(same)
  // algebra only rearranges + * ^ and numbers: other functions must already be the same
  const forms = formsOf(other, signature(node.expr), s)
  if (!forms) return undefined
  // a meeting that assumes nothing is preferred
  let conditional: Meeting | undefined
  for (const f of algebraForms(node.expr, s.matrices)) {
    const hit = forms.get(f.key)
    if (!hit) continue
    const labels = [f.label, hit.form.label].filter((l) => l !== AS_WRITTEN)
    const label = labels.includes(EXPAND_COLLECT) ? EXPAND_COLLECT : labels[0]!
    const assumes = [...new Set([...(f.assumes ?? []), ...(hit.form.assumes ?? [])])]
    if (!assumes.length) return at(hit.node, label)
    conditional ??= at(hit.node, label, assumes)
  }
  return conditional
}

/**
 * Expand one line: its children not seen on this side before go to `next`; returns the chain
 * through the first child that meets the other side within `longest` steps, if any.
 */
function grow(node: Node, side: Side, other: Side, s: Search, bounds: Bounds, next: Node[], longest: number): { chain: Chain; length: number } | undefined {
  s.explored++
  bounds.progress?.(s.explored)
  for (const child of children(node, side, s, longest)) {
    if (side.seen.has(child.key)) continue
    add(side, child, s)
    next.push(child)
    const m = meetingOf(child, side, other, s)
    const length = m ? m.from.depth + m.to.depth : Infinity
    const chain = m && length <= longest ? chainOf(m, s) : undefined
    if (chain) return { chain, length }
  }
  return undefined
}

/**
 * The lines one rewrite away. Rules see the line with arithmetic on numbers done (2 + u - 2 is
 * u), taken as an algebra step of its own; a TO-side child keeps only the steps that replay as a
 * rule application toward TO.
 */
function* children(node: Node, side: Side, s: Search, longest: number): Generator<Node> {
  const folded = foldNumbers(node.expr)
  const base: Node = key(folded, s.matrices) === key(node.expr, s.matrices) ? node : { ...node, expr: folded, parent: node, step: ARITHMETIC }
  // with a rule applied at every place it fits at once, on both sides
  const { fits, time } = fitsIn(base.expr, s.memo.all, s.deadline, true)
  if (time) s.stopped = 'time'
  const depth = node.depth + 1
  for (const f of fits) {
    const key = sameKey(f.result, s.matrices)
    if (!side.toward) {
      yield { expr: f.result, key, depth, parent: base, step: ruleStep(f) }
      continue
    }
    // read backwards: a reversible rule in the other direction turns the child into this line
    // (at the same place, unless the fit acted at several); a one-way rule's step is the
    // equality it proves, read right to left
    if (!f.rule.reversible) {
      yield { expr: f.result, key, depth, parent: base, step: { ...ruleStep(f), direction: 'reverse', subterm: f.replacement } }
      continue
    }
    const back = replay(f.result, f.rule, flip(f.direction), base.key, s, f.paths ? undefined : f.path)
    if (back) yield { expr: f.result, key, depth, parent: base, step: ruleStep(back) }
  }
  // routine algebra is taken forward only: read backwards it would be factoring, which it cannot replay
  if (side.toward) return
  // a derivative taken all the way, as a lecture line does: the run of rules is one move of the
  // search (its steps count toward the chain's length, which the depth bounds)
  const run = differentiate(base.expr, s.memo.derivative, s.deadline, (e) => sameKey(e, s.matrices), longest - node.depth)
  if (run.time) s.stopped = 'time'
  if (run.fits.length >= 2) yield* runFrom(base, node.depth, run.fits, s, false)
  // a log-likelihood expanded as a lecture does (log of a quotient, of an exp, of a root...): each
  // line of that run, from its second step on, is a move (a lecture may stop expanding anywhere)
  const logs = differentiate(base.expr, s.memo.logs, s.deadline, (e) => sameKey(e, s.matrices), longest - node.depth)
  if (logs.time) s.stopped = 'time'
  if (logs.fits.length >= 2) yield* runFrom(base, node.depth, logs.fits, s, true)
  for (const a of algebraSteps(base.expr, s.matrices)) {
    yield { expr: a.result, key: sameKey(a.result, s.matrices), depth, parent: base, step: { kind: 'algebra', label: a.label, assumes: [] } }
  }
}

/** The lines of a run of fits from base (each fit acts on the one before): the last, or with `every` each from the second on. */
function* runFrom(base: Node, depth: number, fits: readonly Fit[], s: Search, every: boolean): Generator<Node> {
  let last = base
  for (const [i, f] of fits.entries()) {
    last = { expr: f.result, key: sameKey(f.result, s.matrices), depth: depth + i + 1, parent: last, step: ruleStep(f) }
    if (every ? i >= 1 : i === fits.length - 1) yield last
  }
}

const ARITHMETIC: Step = { kind: 'algebra', label: 'algebra: arithmetic on numbers', assumes: [] }

const flip = (d: Direction): Direction => (d === 'forward' ? 'reverse' : 'forward')

const ruleStep = (f: Fit): Step => ({
  kind: 'rule',
  rule: f.rule,
  label: f.rule.name,
  direction: f.direction,
  at: fitAt(f),
  subterm: f.subterm,
  assumes: f.assumes,
})

/**
 * The fit that `derive apply FROM RULE [--reverse]` could choose to reach the line with key
 * `want`: the rule in that direction (the reverse only of a reversible rule), its conditions
 * checked on its own bindings. Undefined when no fit gives that line.
 */
export function replay(
  from: Expr,
  rule: Rule,
  direction: Direction,
  want: string,
  s: Pick<Search, 'setting' | 'matrices' | 'deadline'>,
  path?: readonly number[],
): Fit | undefined {
  if (direction === 'reverse' && !rule.reversible) return undefined
  // the lines' shapes, known already: inferring them again for each replay of a long line is dear
  const shapes = s.matrices instanceof Shapes ? { shapes: s.matrices } : {}
  const fits = findFits(from, [rule], { matrices: s.setting, direction, budget: new Budget(20_000, { deadline: s.deadline }), ...(path ? { path } : { spread: true }), ...shapes })
  return fits.find((f) => sameKey(f.result, s.matrices) === want)
}

/**
 * Read out the chain FROM -> ... -> M (-> M') <- ... <- TO as forward steps on the lines as
 * printed: each TO-side step is replayed on the line the chain has reached. Undefined if one does
 * not replay, or the search does not accept the chain (then the meeting is not used).
 */
function chainOf(m: Meeting, s: Search): Chain | undefined {
  const steps: Chain = []
  for (let n: Node | undefined = m.from; n?.parent && n.step; n = n.parent) steps.unshift({ ...n.step, from: n.parent.expr, to: n.expr })
  let cur = m.from.expr
  if (m.label !== undefined) {
    steps.push({ kind: 'algebra', label: m.label, from: cur, to: m.to.expr, assumes: [...(m.assumes ?? [])] })
    cur = m.to.expr
  }
  for (let n: Node | undefined = m.to; n?.parent && n.step; n = n.parent) {
    const st = n.step
    if (st === ARITHMETIC) {
      steps.push({ ...st, from: cur, to: n.parent.expr })
      cur = n.parent.expr
      continue
    }
    if (!st.rule || !st.direction) return undefined
    if (!st.rule.reversible) {
      // the one-way rule, applied to the line after, gives this line: the step is that equality
      const f = replay(n.parent.expr, st.rule, 'forward', sameKey(cur, s.matrices), s)
      if (!f) return undefined
      steps.push({ ...ruleStep(f), direction: 'reverse', subterm: f.replacement, from: cur, to: n.parent.expr })
      cur = n.parent.expr
      continue
    }
    const f = replay(cur, st.rule, st.direction, n.parent.key, s)
    if (!f) return undefined
    steps.push({ ...ruleStep(f), from: cur, to: f.result })
    cur = f.result
  }
  return !s.accept || s.accept(steps) ? steps : undefined
}


/**
 * A shortest chain from FROM to TO within the bounds, or undefined (s.stopped says whether a
 * bound cut the search short). Also returns both sides, for a longer, guided search.
 *
 * Each side goes level by level, a level sorted so that lines most like the other side's line come
 * first; of the two sides, the one whose next line looks more like the other line goes first (on a
 * tie they take turns). A meeting is a shortest chain once
 * its length is at most one more than the depths both sides have completed; otherwise the side
 * with less left of its level finishes it first (a shorter chain can only come from there).
 */
export function meet(from: Expr, to: Expr, s: Search, bounds: Bounds): { chain?: Chain; sides: { from: Side; to: Side } } {
  const A = newSide(from, false, s)
  const B = newSide(to, true, s)
  const sides = { from: A, to: B }
  const start = meetingOf(A.frontier[0]!, A, B, s)
  const c = start && chainOf(start, s)
  if (c) return { chain: c, sides }
  const want = new Map([
    [A, headCounts(to)],
    [B, headCounts(from)],
  ])
  // per side: where it is in its level, the scores (likeness to the other line) of that level, the next level
  const work = new Map([A, B].map((x) => [x, { at: 0, scores: [distance(x.frontier[0]!.expr, want.get(x)!)], next: [] as Node[] }]))
  const of = (x: Side) => work.get(x)!
  /** Move x to its next level when its current one is done; false when x has nothing left to expand. */
  const ready = (x: Side): boolean => {
    const w = of(x)
    if (w.at < x.frontier.length) return x.depth + 1 <= bounds.depth
    if (!w.next.length) return false
    const heads = want.get(x)!
    const level = w.next.map((n, i) => ({ n, i, d: distance(n.expr, heads) })).sort((p, q) => p.d - q.d || p.i - q.i)
    x.frontier = level.map((p) => p.n)
    w.scores = level.map((p) => p.d)
    x.depth++
    w.at = 0
    w.next = []
    return x.depth + 1 <= bounds.depth
  }
  // the side whose next line looks more like the other line goes first; on a tie they take turns
  const pick = (): Side | undefined => {
    const [a, b] = [ready(A), ready(B)]
    if (!a || !b) return a ? A : b ? B : undefined
    const [da, db] = [of(A).scores[of(A).at]!, of(B).scores[of(B).at]!]
    return da < db ? A : db < da ? B : turn
  }
  let best: Chain | undefined
  let bestLength = Infinity
  let turn: Side = A
  let finishing: Side | undefined
  while (A.depth + B.depth < bounds.depth) {
    const side = finishing ?? pick()
    if (!side) break
    turn = side === A ? B : A
    if (finishing && of(finishing).at >= finishing.frontier.length) break
    if (s.explored >= bounds.maxNodes) s.stopped ??= 'nodes'
    if (stopped(s)) break
    const w = of(side)
    const node = side.frontier[w.at++]!
    // a run of derivative rules may have taken a line to the longest chain already
    if (node.depth >= bounds.depth) continue
    const found = grow(node, side, side === A ? B : A, s, bounds, w.next, Math.min(bounds.depth, bestLength - 1))
    if (!found) continue
    best = found.chain
    bestLength = found.length
    // every chain up to the completed depths has been seen, and the next is one longer
    if (bestLength <= A.depth + B.depth + 1) break
    const left = (x: Side): number => x.frontier.length - of(x).at
    finishing ??= left(A) <= left(B) ? A : B
  }
  return best ? { chain: best, sides } : { sides }
}

/**
 * Best-first search for a longer chain (lecture lines that fold many rules, such as the gradient
 * of the logistic loss): from FROM, expand first what has taken few steps and looks most like
 * TO, until it reaches any line the TO side reached.
 */
export function guided(from: Expr, to: Expr, toSide: Side, s: Search, bounds: Bounds & { maxSteps: number }): Chain | undefined {
  const A = newSide(from, false, s)
  const want = headCounts(to)
  const open: { node: Node; score: number }[] = [{ node: A.frontier[0]!, score: distance(from, want) }]
  for (let explored = 0; open.length && !stopped(s); explored++) {
    if (explored >= bounds.maxNodes) {
      s.stopped = 'nodes'
      break
    }
    open.sort((a, b) => a.score - b.score)
    const { node } = open.shift()!
    if (node.depth >= bounds.maxSteps) continue
    const next: Node[] = []
    const found = grow(node, A, toSide, s, bounds, next, bounds.maxSteps)
    if (found) return found.chain
    for (const child of next) open.push({ node: child, score: child.depth + 2 * distance(child.expr, want) })
  }
  return undefined
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
 * Which functions and operators other than + * ^ occur in e. Algebra steps keep this set (they may
 * cancel one sigmoid(z) against another, but rarely every one), so two lines meet by algebra only
 * when their sets are the same.
 */
function signature(e: Expr): string {
  return [...headsIn(e)].filter((h) => h !== OPS.add && h !== OPS.mul && h !== OPS.pow).sort().join(',')
}

const AS_WRITTEN = 'as written'
const EXPAND_COLLECT = 'algebra: expand and collect'

/** A line after routine algebra: its key, the step's label, and what it assumes (where cancelled terms are defined). */
interface Form {
  readonly key: string
  readonly label: string
  readonly assumes?: readonly string[]
}

/** Keys of e as written and after each algebra normalisation, with the step's label. */
function algebraForms(e: Expr, matrices: ReadonlySet<string>): Form[] {
  const forms: Form[] = [{ key: sameKey(e, matrices), label: AS_WRITTEN }]
  const collected = (label: string, x: Expr): void => {
    const c = collect(x, matrices)
    forms.push({ key: sameKey(c, matrices), label })
    // p * log(p) - p * log(p) leaves 0 * log(p), which is 0 only where log(p) is defined
    const dropped = dropZeroTerms(c)
    if (dropped) forms.push({ key: sameKey(collect(dropped.result, matrices), matrices), label, assumes: dropped.assumes })
  }
  collected('algebra: collect like terms', e)
  const expanded = expand(e, matrices)
  if (expanded) collected(EXPAND_COLLECT, expanded)
  collected('algebra: factor out and cancel', factorOut(e, matrices))
  return forms
}
