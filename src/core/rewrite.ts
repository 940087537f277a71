// Searching (every fit of every rule at every position) and applying (one fit -> new expression).
// Like egg's Searcher/Applier: a Fit is a plain value that can be listed, chosen and applied.
import { key } from './equal.js'
import {
  at,
  boundVar,
  call,
  type Expr,
  freeSymbols,
  inScopeOf,
  isAC,
  isCall,
  isDefined,
  isNum,
  NodeMemo,
  num,
  type Num,
  numQ,
  OPS,
  pathToString,
  placeArg,
  replaceAt,
  replaceEach,
  reuse,
  sym,
  walk,
} from './expr.js'
import { acView, type Bindings, Budget, checkConditions, match, matchAC, type MatchContext } from './match.js'
import { print } from './print.js'
import * as Q from './rational.js'
import type { Direction, Rule } from './rule.js'
import { type Candidate, candidatesFor, ruleIndex } from './rule-index.js'
import { captures, SUBST, substituteFree } from './scope.js'
import { isMismatch, shapeOf, type Shapes, shapesFor, type SymbolSetting } from './shape.js'

/** One way a rule fits an expression: where, with which bindings, and what it gives. */
export interface Fit {
  readonly rule: Rule
  readonly direction: Direction
  /** Path of the node the rule acted on. */
  readonly path: readonly number[]
  /** For a fit on part of a sum or product: the indices of that node's arguments it used. */
  readonly parts?: readonly number[]
  /** For a fit applied at every place the same subterm occurs: all those paths. */
  readonly paths?: readonly (readonly number[])[]
  /** What the pattern matched (the node, or the part of a sum/product). */
  readonly subterm: Expr
  readonly bindings: Bindings
  /** The instantiated other side that replaces `subterm`. */
  readonly replacement: Expr
  /** The whole expression after the step. */
  readonly result: Expr
  /** Conditions that could not be decided, e.g. "x > 0". */
  readonly assumes: readonly string[]
}

export interface SearchOptions {
  /** Which symbols are matrices and vectors (vectors inferred from the whole derivation, say). */
  readonly matrices?: SymbolSetting
  readonly budget?: Budget
  /** At most this many fits of one rule at one node (the rest are dropped, and flagged). */
  readonly perNode?: number
  /** Only this direction (default: both, reverse only for reversible rules). */
  readonly direction?: Direction
  /** Only at this path. */
  readonly path?: readonly number[]
  /** Try every rule at every node, without the quick filters (tests compare the two). */
  readonly linearScan?: boolean
  /** Also a rule applied at every place it fits at once (see withEverywhere): the search's steps. */
  readonly spread?: boolean
  /** The shapes of the line's symbols, when the caller knows them already (else inferred from expr). */
  readonly shapes?: Shapes
}

const patternOf = (r: Rule, d: Direction): Expr => (d === 'forward' ? r.lhs : r.rhs)

/** The `at` of a fit: its path, or every path for a fit applied at several places ("0,1.1"). */
export const fitAt = (f: Fit): string => (f.paths ? f.paths.map(pathToString).join(',') : pathToString(f.path))
const templateOf = (r: Rule, d: Direction): Expr => (d === 'forward' ? r.rhs : r.lhs)

// every (rule, direction) pair in rule order, forward before reverse: the scan without the index
const linear = (rules: readonly Rule[]): Omit<Candidate, 'heads'>[] =>
  rules.flatMap((rule, i) => [{ rule, direction: 'forward' as const, order: 2 * i }, ...(rule.reversible ? [{ rule, direction: 'reverse' as const, order: 2 * i + 1 }] : [])])

/** Every fit of the rules anywhere in expr, outermost-leftmost first, each distinct result once. */
export function findFits(expr: Expr, rules: readonly Rule[], options: SearchOptions = {}): Fit[] {
  const budget = options.budget ?? new Budget()
  const matrices = options.shapes ?? shapesFor([expr], options.matrices ?? 'uppercase')
  const out: Fit[] = []
  const seen = new Set<string>()
  // a rewrite never turns a line that has a shape into one that has none ((X' * X + lambda) * w
  // from X' * X * w + lambda * w: a matrix plus a number)
  const shaped = !isMismatch(shapeOf(expr, matrices))
  const nodes = options.path ? [{ node: at(expr, options.path), path: [...options.path] }] : [...walk(expr)]
  for (const { node, path } of nodes) {
    if (!node) continue
    for (const { rule, direction } of options.linearScan ? linear(rules) : candidatesFor(ruleIndex(rules), node)) {
      {
        if (options.direction && direction !== options.direction) continue
        let count = 0
        budget.begin(rule.id)
        for (const fit of fitsAt(expr, node, path, rule, direction, { rule, matrices, budget })) {
          const k = `${rule.id}|${direction}|${key(fit.result, matrices)}`
          if (seen.has(k)) continue
          seen.add(k)
          // (the shapes of the line, and of the symbols the rule brings in, such as the identity I)
          if (shaped && isMismatch(shapeOf(fit.result, matrices)) && isMismatch(shapeOf(fit.result, shapesFor([expr, fit.result], options.matrices ?? 'uppercase')))) continue
          out.push(fit)
          if (++count >= (options.perNode ?? 64)) {
            budget.cutRule()
            break
          }
        }
        if (budget.exhausted) return withEverywhere(expr, out, matrices, options.spread)
      }
    }
  }
  return withEverywhere(expr, out, matrices, options.spread)
}

const nested = (p: readonly number[], q: readonly number[]): boolean =>
  p.length <= q.length ? p.every((x, i) => q[i] === x) : nested(q, p)

/** Fits grouped by `group` (undefined: left out), each group keeping only fits at separate places, first ones first. */
function apart(fits: readonly Fit[], group: (f: Fit) => string | undefined): Map<string, Fit[]> {
  const groups = new Map<string, Fit[]>()
  for (const f of fits) {
    const k = group(f)
    if (k === undefined) continue
    const g = groups.get(k)
    if (!g) groups.set(k, [f])
    else if (g.every((o) => !nested(o.path, f.path))) g.push(f)
  }
  return groups
}

/**
 * When one rule fits the same subterm at several separate places (sigmoid(z) folded twice), add
 * the fit that rewrites all of them at once, after the fits at single places. With `spread`, also
 * the fit that applies a rule at every separate place it fits, whatever the subterms ("exp(a + c)
 * = exp(a) * exp(c) throughout", as a lecture folds it into one line): the search takes such a
 * step; the matcher lists only the first kind.
 */
export function withEverywhere(expr: Expr, fits: Fit[], matrices: ReadonlySet<string>, spread = false): Fit[] {
  const groups = apart(fits, (f) => (f.parts ? undefined : `${f.rule.id}|${f.direction}|${key(f.subterm, matrices)}|${key(f.replacement, matrices)}`))
  const everywhere: Fit[] = []
  for (const g of groups.values()) {
    if (g.length < 2) continue
    const f = g[0]!
    const paths = g.map((x) => x.path).sort(comparePaths)
    const result = replaceEach(expr, paths, f.replacement)
    everywhere.push({ ...f, paths, result, assumes: [...new Set(g.flatMap((x) => x.assumes))] })
  }
  // listed after the single-place fits, grouped by their places
  const all = [...fits, ...everywhere.sort((a, b) => comparePaths(a.path, b.path))]
  return spread ? [...all, ...throughout(expr, fits, all, matrices)] : all
}

/**
 * For each rule (and direction) fitting at two or more separate places with different subterms:
 * the fit at all of them at once, the first fit at each place (outermost first), unless a fit
 * already listed gives the same line.
 */
function throughout(expr: Expr, fits: readonly Fit[], listed: readonly Fit[], matrices: ReadonlySet<string>): Fit[] {
  const groups = apart(fits, (f) => (f.parts || f.paths ? undefined : `${f.rule.id}|${f.direction}`))
  const seen = new Set(listed.map((f) => key(f.result, matrices)))
  const out: Fit[] = []
  for (const g of groups.values()) {
    if (g.length < 2) continue
    const subterms = new Set(g.map((f) => key(f.subterm, matrices)))
    if (subterms.size < 2) continue
    const result = replaceEach(expr, g.map((f) => f.path), g.map((f) => f.replacement))
    const k = key(result, matrices)
    if (seen.has(k)) continue
    seen.add(k)
    out.push({ ...g[0]!, paths: g.map((f) => f.path), result, assumes: [...new Set(g.flatMap((f) => f.assumes))] })
  }
  return out
}

function comparePaths(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return a.length - b.length
}

function* fitsAt(root: Expr, node: Expr, path: number[], rule: Rule, direction: Direction, ctx: MatchContext): Generator<Fit> {
  const pattern = patternOf(rule, direction)
  if (isCall(pattern) && isAC(pattern.head) && isCall(node, pattern.head)) {
    // at a sum or product the pattern may fit some of its terms, the others staying around it
    const view = acView(pattern, node, ctx.matrices)
    // the result depends only on the bindings and on which items were used (up to order): in a
    // sum of equal terms, x - x - ... - x, every pair gives the same result, built only once
    const tried = new Set<string>()
    for (const m of matchAC(pattern, view, new Map(), ctx, true)) {
      const sig = `${bindingsKey(m.b, ctx.matrices)}|${m.used.map((i) => key(view.items[i]!, ctx.matrices)).sort().join(',')}`
      if (tried.has(sig)) continue
      tried.add(sig)
      const whole = m.used.length === view.items.length
      const usedItems = m.used.map((i) => view.items[i]!)
      const subterm = whole ? node : call(node.head, usedItems)
      const fit = build(root, node, path, rule, direction, m.b, subterm, ctx, (replacement) => {
        if (whole) return replacement
        // the replacement takes the place of the first item it used
        const first = Math.min(...m.used)
        const before = view.items.filter((_, i) => i < first && !m.used.includes(i))
        const after = view.items.filter((_, i) => i > first && !m.used.includes(i))
        return placeArg(node.head, [...before, replacement, ...after], before.length, replacement)
      })
      if (fit) yield whole ? fit : { ...fit, parts: [...new Set(m.used.map((i) => view.origin[i]!))] }
    }
    return
  }
  for (const b of match(pattern, node, new Map(), ctx)) {
    const fit = build(root, node, path, rule, direction, b, node, ctx, (r) => r)
    if (fit) yield fit
  }
}

const bindingsKey = (b: Bindings, matrices: ReadonlySet<string>): string =>
  [...b].map(([w, v]) => `${w}=${key(v, matrices)}`).sort().join(';')

function build(
  root: Expr,
  _node: Expr,
  path: number[],
  rule: Rule,
  direction: Direction,
  b: Bindings,
  subterm: Expr,
  ctx: MatchContext,
  place: (replacement: Expr) => Expr,
): Fit | undefined {
  // an assumption reads as arithmetic done: n >= 0, not n >= 1 - 1
  const assumes = checkConditions(rule.where, b, ctx.matrices, (e) => print(foldNumbers(e)))
  if (!assumes) return undefined
  const template = templateOf(rule, direction)
  if (captures(patternOf(rule, direction), template, b, rule.literals)) return undefined
  const replacement = instantiate(template, b)
  const result = replaceAt(root, path, place(replacement))
  return { rule, direction, path, subterm, bindings: b, replacement, result, assumes }
}

// ---- instantiation --------------------------------------------------------------------------

/**
 * The template with wildcards replaced by their values, new arithmetic tidied (never the values);
 * subst(f, i, j) is f's value with i replaced by j.
 */
export function instantiate(template: Expr, b: Bindings): Expr {
  const taken = new Set<string>()
  for (const v of b.values()) for (const s of freeSymbols(v)) taken.add(s)
  const go = (t: Expr, renames: ReadonlyMap<string, string>): Expr => {
    if (t.kind === 'num') return t
    if (t.kind === 'sym') {
      const r = renames.get(t.name)
      return r !== undefined ? sym(r) : (b.get(t.name) ?? t)
    }
    if (t.head === SUBST && t.args.length === 3 && t.args[1]!.kind === 'sym') {
      const [f, v, by] = t.args.map((a) => go(a, renames)) as [Expr, Expr, Expr]
      if (v.kind === 'sym') return substituteFree(f, v.name, by)
    }
    const v = boundVar(t)
    if (v && !b.has(v.name)) {
      // a variable the template introduces (a fresh summation index): avoid capturing a value's symbol
      let fresh = v.name
      for (let k = 1; taken.has(fresh); k++) fresh = `${v.name}${k}`
      const inner = new Map(renames).set(v.name, fresh)
      return tidy(t.head, t.args.map((a, i) => go(a, inScopeOf(i) ? inner : renames)))
    }
    return tidy(t.head, t.args.map((a) => go(a, renames)))
  }
  return go(template, new Map())
}

/** Fold arithmetic on numbers everywhere (2 * 3 -> 6, x ^ 1 -> x, 0 + x -> x). */
export function foldNumbers(e: Expr): Expr {
  if (e.kind !== 'call') return e
  return folds.get(FOLD, e, () => reuse(e, tidy(e.head, e.args.map(foldNumbers))))
}

const folds = new NodeMemo<object, Expr>()
const FOLD = {}

/**
 * Build head(args), folding arithmetic on numbers exactly and dropping 0 terms, 1 factors and ^1.
 * Nothing undefined is folded away: 0 * u and u ^ 0 become numbers only when u is defined
 * everywhere, and 1 / 0 stays as it is.
 */
export function tidy(head: string, args: readonly Expr[]): Expr {
  if (head === OPS.add || head === OPS.mul) {
    const whole = call(head, args)
    const items = isCall(whole, head) ? whole.args : [whole]
    const isAdd = head === OPS.add
    const nums = items.filter((t): t is Num => t.kind === 'num')
    if (nums.length === 0) return whole
    const exact = nums.reduce((s, v) => (isAdd ? Q.add(s, v.q) : Q.mul(s, v.q)), isAdd ? Q.ZERO : Q.ONE)
    const folded = numQ(exact, nums.some((v) => v.decimal))
    if (!isAdd && Q.isZero(exact)) {
      const kept = items.filter((t) => t.kind !== 'num' && !isDefined(t))
      return kept.length === 0 ? folded : call(head, [folded, ...kept])
    }
    // a coefficient goes in front (-n * mu, not n * -1 * mu); in a sum the folded number takes the
    // place of the first number, so 1 + exp(-z) keeps the order the rule was written in
    const first = items.findIndex((t) => t.kind === 'num')
    if (!isAdd && first > 0) return tidy(head, [items[first]!, ...items.filter((_, i) => i !== first)])
    const out = items.filter((t, i) => t.kind !== 'num' || i === first).map((t, i) => (i === first ? folded : t))
    return call(head, Q.equals(exact, isAdd ? Q.ZERO : Q.ONE) ? out.filter((_, i) => i !== first) : out)
  }
  if (head === OPS.pow) {
    const [base, exp] = args as [Expr, Expr]
    if (isNum(exp, 1n)) return base
    // 0 ^ 0 is 1 (README "Exact numbers"); (1 / 0) ^ 0 and 1 ^ log(-1) are not
    if (isNum(exp, 0n) && isDefined(base)) return num(1)
    if (isNum(base, 1n) && isDefined(exp)) return num(1)
    if (base.kind === 'num' && exp.kind === 'num' && Q.isInteger(exp.q)) {
      const v = Q.pow(base.q, exp.q.n)
      if (v) return numQ(v, base.decimal)
    }
  }
  return call(head, args)
}
