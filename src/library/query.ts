// Questions about the merged library: which rules a listing shows, whose they are, and which of
// the example expressions stored in the packs a rule fits.
import type { Expr } from '../core/expr.js'
import { ParseError, parseExpr } from '../core/parse.js'
import { findFits, type Fit } from '../core/rewrite.js'
import type { Rule } from '../core/rule.js'
import type { Library, LoadedPack } from './library.js'

export interface RuleFilter {
  readonly tag?: string
  readonly pack?: string
  /** Case-insensitive text found in the id, name, sides, idea, source or tags. */
  readonly search?: string
}

const haystack = (r: Rule): string =>
  [r.id, r.name, r.spec.lhs, r.spec.rhs, r.spec.idea, r.spec.source, ...(r.spec.tags ?? [])].join('\n').toLowerCase()

/** Does the rule pass every filter given? */
export function keepRule(rule: Rule, f: RuleFilter): boolean {
  if (f.tag !== undefined && !(rule.spec.tags ?? []).includes(f.tag)) return false
  if (f.pack !== undefined && rule.pack !== f.pack) return false
  return f.search === undefined || haystack(rule).includes(f.search.toLowerCase())
}

/** Is this rule from the user's own library (not a shipped pack)? */
export const isYours = (lib: Library, rule: Rule): boolean => lib.user?.rules.includes(rule) ?? false

/** Does this personal rule replace a shipped rule with the same id? */
export const overridesShipped = (lib: Library, rule: Rule): boolean => isYours(lib, rule) && lib.overridden.has(rule.id)

/** The effective rules of each pack (a shipped rule the user overrides is left out), packs in order. */
export function rulesByPack(lib: Library, filter: RuleFilter = {}): { pack: LoadedPack; rules: Rule[] }[] {
  const effective = new Set(lib.rules)
  return lib.packs.map((pack) => ({ pack, rules: pack.rules.filter((r) => effective.has(r) && keepRule(r, filter)) }))
}

/** An example expression stored with some rule. */
export interface Example {
  readonly text: string
  /** Id of the rule it is stored with. */
  readonly of: string
  readonly expr: Expr
}

/** Every example that parses, the user's own first, each text once. */
export function libraryExamples(lib: Library): Example[] {
  const out: Example[] = []
  const seen = new Set<string>()
  const packs = [...lib.packs].sort((a, b) => Number(a.shipped) - Number(b.shipped))
  for (const pack of packs) {
    for (const rule of pack.rules) {
      for (const text of rule.spec.examples ?? []) {
        if (seen.has(text)) continue
        seen.add(text)
        const expr = parseOrUndefined(text)
        if (expr) out.push({ text, of: rule.id, expr })
      }
    }
  }
  return out
}

function parseOrUndefined(text: string): Expr | undefined {
  try {
    return parseExpr(text)
  } catch (e) {
    // an example that does not parse is simply not shown; the rule itself is still usable
    if (e instanceof ParseError) return undefined
    throw e
  }
}

/** The examples this rule fits, each with its first fit. */
export function exampleFits(rule: Rule, examples: readonly Example[], lib: Pick<Library, 'matrices'>): { example: Example; fit: Fit }[] {
  return examples.flatMap((example) => {
    const fit = findFits(example.expr, [rule], { matrices: lib.matrices, perNode: 1 })[0]
    return fit ? [{ example, fit }] : []
  })
}
