// Finding a rule by id, with a suggestion when the id is mistyped.
import type { Rule } from '../core/rule.js'
import { UsageError } from '../errors.js'

/** Levenshtein distance, for "did you mean". */
export function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!
    d[0] = i
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j]!
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = cur
    }
  }
  return d[b.length]!
}

/** The rule with this id; a UsageError naming the unknown id (and the closest ids) otherwise. */
export function findRule(rules: readonly Rule[], id: string): Rule {
  const rule = rules.find((r) => r.id === id)
  if (rule) return rule
  const close = rules
    .map((r) => ({ id: r.id, d: distance(id, r.id) }))
    .filter((x) => x.d <= Math.max(2, Math.floor(id.length / 3)) || x.id.includes(id))
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map((x) => x.id)
  const hint = close.length ? `; did you mean ${close.join(', ')}?` : '; see derive rules list'
  throw new UsageError(`unknown rule "${id}"${hint}`)
}
