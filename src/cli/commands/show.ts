// derive show FILE: a derivation as numbered lines with each step's justification. A saved
// derivation shows what was recorded; any other file (text, .tex) is checked first, and each
// step shows the rules found and the verdict.
import type { Context } from '../context.js'
import type { Register } from '../main.js'
import type { DerivationView, Justification, ShownLine, ShownPart } from '../../render/derivation.js'
import type { WhyResult } from '../../core/why.js'
import { readUserFile } from '../../files.js'
import { BY_HAND } from '../../session/derivation.js'
import { checkFile, type PartReport, type StepReport, type StepResult, stepConditions, summary } from './check.js'

/** A saved derivation, read and checked, with the library's rule names and the goal status. */
export async function viewOf(ctx: Context, file: string): Promise<DerivationView> {
  const [{ loadDerivation }, { atGoal }] = await Promise.all([import('../../session/store.js'), import('../../session/derivation.js')])
  const lib = ctx.library()
  const derivation = loadDerivation(file, { cwd: ctx.io.cwd, matrices: lib.matrices })
  const rules = new Map(lib.rules.map((r) => [r.id, r]))
  return { derivation, nameOf: (id) => rules.get(id)?.name, ideaOf: (id) => rules.get(id)?.spec.idea, reached: atGoal(derivation, lib.matrices) }
}

/** Is this file a saved derivation (JSON) rather than lines to check? */
export const isSaved = (ctx: Context, file: string): boolean => !/\.tex$/i.test(file) && readUserFile(file, ctx.io.cwd).trimStart().startsWith('{')

/** The rules a checked step was found to use. */
function foundRules(r: StepResult, label?: string): Justification[] {
  const own = label ? [{ text: label }] : []
  if (r.verdict === 'implied' || r.verdict === 'equivalent') return [...own, { text: `solved for ${r.variable} (numerically checked)` }]
  if (r.verdict === 'equal-unexplained') return [...own, { text: BY_HAND }]
  if (r.verdict !== 'explained') return own
  return [...own, ...whyRules(r)]
}

function whyRules(r: Extract<WhyResult, { verdict: 'explained' }>): Justification[] {
  if (r.steps.length === 0) return [{ text: 'the same expression' }]
  return r.steps.map((s) => {
    if (s.kind !== 'rule') return { text: s.label }
    const idea = s.rule!.spec.idea
    return { text: `${s.label}${s.direction === 'reverse' ? ', right to left' : ''}`, id: s.rule!.id, ...(idea ? { idea } : {}) }
  })
}

/** A checked step's verdict in words. */
function verdictOf(r: StepReport, p: PartReport): { text: string; holds: boolean } {
  const x = r.result
  if (r.unreadable) return { text: x.verdict === 'unknown' ? x.reason : '', holds: false }
  const from = r.from !== undefined ? ` (from line ${r.from})` : ''
  if (x.verdict === 'explained') return { text: `explained${from}`, holds: true }
  if (x.verdict === 'equal-unexplained') return { text: `equal, no rule found${from}`, holds: true }
  if (x.verdict === 'not-equal') return { text: `not equal: ${summary(r, p.part)}`, holds: false }
  if (x.verdict === 'implied' || x.verdict === 'equivalent') return { text: `${x.verdict}${from}`, holds: true }
  if (x.verdict === 'not-implied') return { text: `does not follow: ${summary(r, p.part)}`, holds: false }
  return { text: `could not be checked: ${summary(r, p.part)}`, holds: false }
}

/** Checked derivations as shown: each line with the rules found, its conditions and (optionally) its verdict. */
export function checkedParts(parts: readonly PartReport[], verdicts: boolean): ShownPart[] {
  return parts.map((p) => {
    const byLine = new Map(p.reports.map((r) => [r.line, r]))
    let previous: ShownLine | undefined
    const lines = p.part.lines.map((l): ShownLine => {
      const r = byLine.get(l.line)
      const starts = l.equation && previous?.expr !== undefined
      const relation = l.relation === 'implies' ? { relation: 'implies' as const } : starts ? { relation: 'starts' as const } : {}
      const base = { n: l.line, source: l.source, ...(l.expr ? { expr: l.expr } : {}), ...(l.equation ? { equation: l.equation } : {}), ...relation }
      if (l.problem === undefined) previous = base as ShownLine
      if (!r) return { ...base, by: [], assumes: [] }
      return { ...base, by: foundRules(r.result, r.label), assumes: stepConditions(r.result, p.part), ...(verdicts || r.unreadable ? { verdict: verdictOf(r, p) } : {}) }
    })
    return { ...(p.part.title !== undefined ? { title: p.part.title } : {}), lines, ...(p.part.assume.length ? { assumes: p.part.assume.map((a) => a.text) } : {}) }
  })
}

/** What `show` and `export` render for a file: a saved derivation as recorded, any other file checked. */
export async function partsOf(ctx: Context, file: string, o: { verdicts: boolean; depth: number }): Promise<ShownPart[]> {
  if (isSaved(ctx, file) && !o.verdicts) return (await import('../../render/derivation.js')).savedParts(await viewOf(ctx, file))
  return checkedParts(await checkFile(ctx, file, o.depth), o.verdicts)
}

export const registerShow: Register = (program, act) => {
  program
    .command('show')
    .description('print a derivation with the justification of every step (a saved one as recorded; a text or .tex file checked)')
    .argument('<file>', 'a saved derivation, or a file derive check reads')
    .action((file: string) =>
      act(async (ctx) => {
        if (isSaved(ctx, file)) {
          const view = await viewOf(ctx, file)
          if (ctx.json) ctx.outJson((await import('../../session/derivation.js')).toJson(view.derivation))
          else ctx.out((await import('../../render/derivation.js')).renderShow((await import('../../render/derivation.js')).savedParts(view), ctx.style))
          return 0
        }
        const parts = checkedParts(await checkFile(ctx, file, 3), true)
        if (ctx.json) {
          const { print } = await import('../../core/print.js')
          ctx.outJson(
            parts.map((p) => ({
              ...(p.title !== undefined ? { title: p.title } : {}),
              lines: p.lines.map((l) => ({
                line: l.n,
                ...(l.expr ? { expr: print(l.expr) } : l.equation ? { equation: `${print(l.equation.lhs)} = ${print(l.equation.rhs)}` } : { source: l.source }),
                ...(l.by.length ? { rules: l.by.map((j) => j.id ?? j.text) } : {}),
                ...(l.assumes.length ? { assumes: l.assumes } : {}),
                ...(l.verdict ? { verdict: l.verdict.text, holds: l.verdict.holds } : {}),
              })),
            })),
          )
        } else ctx.out((await import('../../render/derivation.js')).renderShow(parts, ctx.style))
        // printing succeeded; whether every step holds is `derive check`'s answer (exit 1 there)
        return 0
      }),
    )
}
