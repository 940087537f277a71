// derive rules check [ID...] [--pack P]: every rule verified numerically (issue 4): a verdict per
// rule, a summary line, exit 1 if any rule is refuted.
import type { Rule } from '../../core/rule.js'
import { verify, type Verdict } from '../../library/guard.js'
import { findRule } from '../../library/lookup.js'
import { counterexampleText } from '../../render/rules.js'
import type { Context } from '../context.js'

// Below this many rules the check is quick enough that a progress line would only flicker.
const PROGRESS_FROM = 5

function selectRules(ctx: Context, ids: readonly string[], pack: string | undefined): readonly Rule[] {
  const lib = ctx.library()
  const chosen = ids.length ? ids.map((id) => findRule(lib.rules, id)) : lib.rules
  return pack === undefined ? chosen : chosen.filter((r) => r.pack === pack)
}

/** One rule's verdict as SPEC-style JSON. */
export function verdictToJson(id: string, v: Verdict): Record<string, unknown> {
  return { id, ...v }
}

function verdictLine(ctx: Context, id: string, v: Verdict): string {
  const s = ctx.style
  if (v.verdict === 'verified') return `${s.good('✓')} ${s.id(id)}  verified at ${v.points} points`
  if (v.verdict === 'refuted') return `${s.bad('✗')} ${s.id(id)}  ${s.bad('refuted')}: ${counterexampleText(v.counterexample)}`
  return `${s.warn('?')} ${s.id(id)}  unverifiable: ${v.reason}`
}

/** derive rules check [ID...] [--pack P]: a verdict per rule and a summary; 1 if any is refuted. */
export function checkCommand(ctx: Context, ids: readonly string[], pack: string | undefined): number {
  const lib = ctx.library()
  const rules = selectRules(ctx, ids, pack)
  const progress = ctx.io.isTTY && !ctx.json && rules.length >= PROGRESS_FROM
  const results = rules.map((rule, i) => {
    if (progress) ctx.io.stderr(`\r\x1b[Kchecking ${i + 1}/${rules.length} ${rule.id}`)
    return { id: rule.id, verdict: verify(rule, lib) }
  })
  if (progress) ctx.io.stderr('\r\x1b[K')
  const tally = { verified: 0, refuted: 0, unverifiable: 0 }
  for (const r of results) tally[r.verdict.verdict]++
  if (ctx.json) ctx.outJson(results.map((r) => verdictToJson(r.id, r.verdict)))
  else {
    for (const r of results) ctx.out(verdictLine(ctx, r.id, r.verdict))
    ctx.out(`verified ${tally.verified}, refuted ${tally.refuted}, unverifiable ${tally.unverifiable}`)
  }
  return tally.refuted ? 1 : 0
}
