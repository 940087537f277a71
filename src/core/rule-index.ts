// The rule index: (rule, direction) pairs by the head and arity of their pattern, so a subterm is
// tried only against the rules whose pattern can meet it, and only when every function the
// pattern names occurs in the subterm. A lookup gives the candidates in the order of a linear
// scan: rule order, forward before reverse. The index reads a rule's patterns only through
// patternKeys, or not at all for a rule whose keys were given by presetKeys (a rule revived lazily
// from the compiled cache stays unrevived until it is a candidate somewhere).
import { type Expr, isAC, isReciprocal, OPS, walk } from './expr.js'
import type { Direction, Rule } from './rule.js'

/** One (rule, direction) pair; `order` is its place in a linear scan. */
export interface Candidate {
  readonly rule: Rule
  readonly direction: Direction
  readonly order: number
  /** The functions and operators (but + and *) its pattern names: a subterm must contain them all. */
  readonly heads: readonly string[]
}

export interface RuleIndex {
  /** Patterns that are not calls: they may fit anything. */
  readonly always: readonly Candidate[]
  /** By "head" (AC operators, any arity) or "head/arity" (every other call). */
  readonly byHead: ReadonlyMap<string, readonly Candidate[]>
}

/** What the index needs of one pattern: its key (null: not a call, it may fit anything) and the heads it names. */
export interface PatternKeys {
  readonly key: string | null
  readonly heads: readonly string[]
}

const keyOf = (head: string, arity: number): string => (isAC(head) ? head : `${head}/${arity}`)

/** The index key of a pattern and the non-AC heads it names (+ and * are left out: -3 and 1/y are seen as products). */
export function patternKeys(pattern: Expr): PatternKeys {
  const heads = new Set<string>()
  for (const { node } of walk(pattern)) if (node.kind === 'call' && !isAC(node.head)) heads.add(node.head)
  return { key: pattern.kind === 'call' ? keyOf(pattern.head, pattern.args.length) : null, heads: [...heads] }
}

// keys given ahead of the patterns (forward, then reverse when reversible)
const preset = new WeakMap<Rule, readonly PatternKeys[]>()

/** Give the index a rule's pattern keys (forward, then reverse if reversible) so it never reads the patterns themselves. */
export function presetKeys(rule: Rule, keys: readonly PatternKeys[]): void {
  preset.set(rule, keys)
}

const built = new WeakMap<readonly Rule[], RuleIndex>()

/** The index of a rule list, built once per list (by identity). */
export function ruleIndex(rules: readonly Rule[]): RuleIndex {
  let index = built.get(rules)
  if (index) return index
  const always: Candidate[] = []
  const byHead = new Map<string, Candidate[]>()
  rules.forEach((rule, i) => {
    const known = preset.get(rule)
    const dirs: Direction[] = rule.reversible ? ['forward', 'reverse'] : ['forward']
    dirs.forEach((direction, d) => {
      const { key, heads } = known?.[d] ?? patternKeys(direction === 'forward' ? rule.lhs : rule.rhs)
      const c: Candidate = { rule, direction, order: 2 * i + d, heads }
      if (key === null) always.push(c)
      else {
        const list = byHead.get(key)
        if (list) list.push(c)
        else byHead.set(key, [c])
      }
    })
  })
  built.set(rules, (index = { always, byHead }))
  return index
}

// the heads occurring in a subtree, computed once per subtree
const present = new WeakMap<Expr, ReadonlySet<string>>()
const EMPTY: ReadonlySet<string> = new Set()

function headsIn(e: Expr): ReadonlySet<string> {
  if (e.kind !== 'call') return EMPTY
  let heads = present.get(e)
  if (!heads) {
    const out = new Set<string>([e.head])
    for (const a of e.args) for (const h of headsIn(a)) out.add(h)
    present.set(e, (heads = out))
  }
  return heads
}

/** The candidates whose pattern may fit this node, in linear-scan order. */
export function candidatesFor(index: RuleIndex, node: Expr): readonly Candidate[] {
  const lists: (readonly Candidate[])[] = []
  if (index.always.length) lists.push(index.always)
  if (node.kind === 'call') {
    const own = index.byHead.get(keyOf(node.head, node.args.length))
    if (own) lists.push(own)
  }
  // a product pattern also sees 1 / y (as 1 * y ^ -1) and -3 (as -1 * 3)
  if (isReciprocal(node) || (node.kind === 'num' && node.value < 0)) {
    const mul = index.byHead.get(OPS.mul)
    if (mul) lists.push(mul)
  }
  const here = headsIn(node)
  const fits = (c: Candidate): boolean => c.heads.every((h) => here.has(h))
  if (lists.length <= 1) return (lists[0] ?? []).filter(fits)
  return lists.flat().filter(fits).sort((a, b) => a.order - b.order)
}
