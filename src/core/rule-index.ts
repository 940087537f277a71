// The rule index: (rule, direction) pairs by the head and arity of their pattern, and within those
// by one function the pattern names, so a subterm is tried only against the rules whose pattern
// can meet it, and only when every function the pattern names occurs in the subterm. A lookup
// gives the candidates in the order of a linear scan: rule order, forward before reverse. The
// index reads a rule's patterns only through patternKeys, and not at all for a rule that brings
// a table of its keys (a rule revived lazily from the compiled cache stays unrevived until it is
// a candidate somewhere).
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

/**
 * What the index needs of one pattern: its key (null: not a call, it may fit anything) and the
 * heads it names, the one to file it under first (any order is right; a rarer first head makes
 * lookups cheaper).
 */
export interface PatternKeys {
  readonly key: string | null
  readonly heads: readonly string[]
}

/**
 * The pattern keys of many rules, by pattern p = 2 * row (forward) or 2 * row + 1 (reverse): what
 * the compiled cache gives for the rules it revives lazily.
 */
export interface KeyTable {
  /** The key of pattern p: null when it is not a call. */
  key(p: number): string | null
  /** The heads pattern p names, the one to file it under first. */
  heads(p: number): readonly string[]
  /** heads(p)[0], or '' when it names none. */
  first(p: number): string
}

/** A rule whose pattern keys a table holds at `keyRow`: the index never reads its patterns. */
export interface TabledRule extends Rule {
  readonly keyTable: KeyTable
  readonly keyRow: number
}

export interface RuleIndex {
  /**
   * Candidate orders (ascending) by pattern key ("" for patterns that are not calls, "head" for
   * AC operators, "head/arity" for every other call), then by the first head the pattern names
   * ("" when it names none): a candidate can fit only where that head occurs.
   */
  readonly slots: ReadonlyMap<string, ReadonlyMap<string, readonly number[]>>
  readonly rules: readonly Rule[]
  /** Candidates by order, made when first looked up. */
  readonly made: (Candidate | undefined)[]
}

const keyOf = (head: string, arity: number): string => (isAC(head) ? head : `${head}/${arity}`)

/**
 * The index key of a pattern and the non-AC heads it names (+ and * are left out: -3 and 1/y are
 * seen as products), its own head last: the index files a pattern under its first head.
 */
export function patternKeys(pattern: Expr): PatternKeys {
  const heads = new Set<string>()
  for (const { node } of walk(pattern)) if (node.kind === 'call' && !isAC(node.head)) heads.add(node.head)
  if (pattern.kind !== 'call') return { key: null, heads: [...heads] }
  heads.delete(pattern.head)
  return { key: keyOf(pattern.head, pattern.args.length), heads: isAC(pattern.head) ? [...heads] : [...heads, pattern.head] }
}

// the keys of a rule without a table, computed once: forward, then reverse when reversible
const computed = new WeakMap<Rule, readonly PatternKeys[]>()

function keysOf(rule: Rule): readonly PatternKeys[] {
  let keys = computed.get(rule)
  if (!keys) computed.set(rule, (keys = rule.reversible ? [patternKeys(rule.lhs), patternKeys(rule.rhs)] : [patternKeys(rule.lhs)]))
  return keys
}

const tableOf = (rule: Rule): TabledRule | undefined => ((rule as Partial<TabledRule>).keyTable ? (rule as TabledRule) : undefined)

/** The index key of a rule's left side ("diff/2", "log/1", "+"; null for a bare wildcard), read without reviving a tabled rule. */
export function lhsKey(rule: Rule): string | null {
  const t = tableOf(rule)
  return t ? t.keyTable.key(2 * t.keyRow) : keysOf(rule)[0]!.key
}

const built = new WeakMap<readonly Rule[], RuleIndex>()

/** The index of a rule list, built once per list (by identity). */
export function ruleIndex(rules: readonly Rule[]): RuleIndex {
  let index = built.get(rules)
  if (index) return index
  const slots = new Map<string, Map<string, number[]>>()
  const file = (key: string | null, first: string, order: number): void => {
    let byHead = slots.get(key ?? '')
    if (!byHead) slots.set(key ?? '', (byHead = new Map()))
    const list = byHead.get(first)
    if (list) list.push(order)
    else byHead.set(first, [order])
  }
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!
    const t = tableOf(rule)
    const dirs = rule.reversible ? 2 : 1
    for (let d = 0; d < dirs; d++) {
      if (t) file(t.keyTable.key(2 * t.keyRow + d), t.keyTable.first(2 * t.keyRow + d), 2 * i + d)
      else {
        const k = keysOf(rule)[d]!
        file(k.key, k.heads[0] ?? '', 2 * i + d)
      }
    }
  }
  built.set(rules, (index = { slots, rules, made: [] }))
  return index
}

// the candidate of this order (its heads from the rule's table, or computed)
function candidate(index: RuleIndex, order: number): Candidate {
  const rule = index.rules[order >> 1]!
  const d = order & 1
  const t = tableOf(rule)
  const heads = t ? t.keyTable.heads(2 * t.keyRow + d) : keysOf(rule)[d]!.heads
  return (index.made[order] ??= { rule, direction: d ? 'reverse' : 'forward', order, heads })
}

// the heads occurring in a subtree, computed once per subtree
const present = new WeakMap<Expr, ReadonlySet<string>>()
const EMPTY: ReadonlySet<string> = new Set()

/** Every function and operator in e (its own head too), computed once per subtree. */
export function headsIn(e: Expr): ReadonlySet<string> {
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
  const here = headsIn(node)
  const lists: (readonly number[])[] = []
  const take = (key: string): void => {
    const byHead = index.slots.get(key)
    if (!byHead) return
    const none = byHead.get('')
    if (none) lists.push(none)
    if (byHead.size <= here.size) {
      for (const [h, list] of byHead) if (h !== '' && here.has(h)) lists.push(list)
    } else {
      for (const h of here) {
        const list = byHead.get(h)
        if (list) lists.push(list)
      }
    }
  }
  take('')
  if (node.kind === 'call') take(keyOf(node.head, node.args.length))
  // a product pattern also sees 1 / y (as 1 * y ^ -1) and -3 (as -1 * 3)
  if (isReciprocal(node) || (node.kind === 'num' && node.value < 0)) take(OPS.mul)
  const orders = lists.length === 1 ? lists[0]! : lists.flat().sort((a, b) => a - b)
  const out: Candidate[] = []
  for (const order of orders) {
    const c = index.made[order] ?? candidate(index, order)
    if (c.heads.every((h) => here.has(h))) out.push(c)
  }
  return out
}
