// The numeric check run before a rule is saved (add, edit, import): a rule the verifier refutes is
// refused, or with --force stored marked `unverified`, so every listing and match warns about it.
import type { Rule, RuleSpec } from '../core/rule.js'
import { verifyRule } from '../core/verify.js'
import type { Library } from './library.js'

export type Verdict = ReturnType<typeof verifyRule>

/** The library's definitions, which the verifier unfolds (sigmoid, softmax, ...). */
export const definitionsOf = (lib: Pick<Library, 'rules'>): Rule[] => lib.rules.filter((r) => r.kind === 'definition')

/** Verify one rule numerically against the library's definitions. */
export const verify = (rule: Rule, lib: Pick<Library, 'rules'>): Verdict => verifyRule(rule, { definitions: definitionsOf(lib) })

/** The spec to store after a check: flagged when refuted (only reached with --force), else unflagged. */
export function markVerdict(spec: RuleSpec, verdict: Verdict): RuleSpec {
  const { unverified: _old, ...rest } = spec
  return verdict.verdict === 'refuted' ? { ...rest, unverified: true } : rest
}
