// The rule index: (rule, direction) pairs by the head and arity of their pattern, so a subterm is
// tried only against the rules whose pattern can meet it (the same test as rewrite's mayFit).
// A lookup gives the candidates in the order of a linear scan: rule order, forward before reverse.
import { type Expr, isAC, isReciprocal, OPS } from './expr.js'
import type { Direction, Rule } from './rule.js'

/** One (rule, direction) pair; `order` is its place in a linear scan. */
export interface Candidate {
  readonly rule: Rule
  readonly direction: Direction
  readonly order: number
}

export interface RuleIndex {
  /** Patterns that are not calls: they may fit anything. */
  readonly always: readonly Candidate[]
  /** By "head" (AC operators, any arity) or "head/arity" (every other call). */
  readonly byHead: ReadonlyMap<string, readonly Candidate[]>
}

const keyOf = (head: string, arity: number): string => (isAC(head) ? head : `${head}/${arity}`)

const built = new WeakMap<readonly Rule[], RuleIndex>()

/** The index of a rule list, built once per list (by identity). */
export function ruleIndex(rules: readonly Rule[]): RuleIndex {
  let index = built.get(rules)
  if (index) return index
  const always: Candidate[] = []
  const byHead = new Map<string, Candidate[]>()
  rules.forEach((rule, i) => {
    const dirs: Direction[] = rule.reversible ? ['forward', 'reverse'] : ['forward']
    for (const direction of dirs) {
      const pattern = direction === 'forward' ? rule.lhs : rule.rhs
      const c: Candidate = { rule, direction, order: 2 * i + (direction === 'reverse' ? 1 : 0) }
      if (pattern.kind !== 'call') always.push(c)
      else {
        const k = keyOf(pattern.head, pattern.args.length)
        const list = byHead.get(k)
        if (list) list.push(c)
        else byHead.set(k, [c])
      }
    }
  })
  built.set(rules, (index = { always, byHead }))
  return index
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
  if (lists.length <= 1) return lists[0] ?? []
  return lists.flat().sort((a, b) => a.order - b.order)
}
