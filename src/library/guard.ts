// The numeric check run before a rule is saved (add, edit, import): a rule the verifier refutes or
// cannot verify is refused, or with --force stored marked `unverified`, so every listing and use
// warns about it. A circular definition is refused outright.
import type { Rule, RuleSpec } from '../core/rule.js'
import { definitionCycle, verifyRule } from '../core/verify.js'
import { UsageError } from '../errors.js'
import type { Library } from './library.js'

export type Verdict = ReturnType<typeof verifyRule>

/** The library's definitions, which the verifier unfolds (sigmoid, softmax, ...). */
export const definitionsOf = (lib: Pick<Library, 'rules'>): Rule[] => lib.rules.filter((r) => r.kind === 'definition')

/** Verify one rule numerically against the library's definitions. */
export const verify = (rule: Rule, lib: Pick<Library, 'rules'>): Verdict => verifyRule(rule, { definitions: definitionsOf(lib) })

/** The spec to store after a check: flagged unless verified (reached only with --force), else unflagged. */
export function markVerdict(spec: RuleSpec, verdict: Verdict): RuleSpec {
  const { unverified: _old, ...rest } = spec
  return verdict.verdict === 'verified' ? rest : { ...rest, unverified: true }
}

/** Refuse a definition that reaches its own name through the library's definitions (and `more`, rules arriving with it). */
export function refuseCircular(rule: Rule, lib: Pick<Library, 'rules'>, more: readonly Rule[] = []): void {
  const cycle = definitionCycle(rule, [...definitionsOf(lib), ...more.filter((r) => r.kind === 'definition')])
  if (cycle) throw new UsageError(`cannot save rule "${rule.id}": a circular definition (${cycle.join(' → ')}) defines ${cycle[0]} in terms of itself; nothing was saved`)
}
