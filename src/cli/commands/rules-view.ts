// derive rules list | show | export: looking at the library (loaded by rules.ts on demand).
import { resolve } from 'node:path'
import { print } from '../../core/print.js'
import type { Rule } from '../../core/rule.js'
import { UsageError } from '../../errors.js'
import { selectForExport } from '../../library/edit.js'
import type { Library } from '../../library/library.js'
import { findRule } from '../../library/lookup.js'
import { exampleFits, isYours, libraryExamples, overridesShipped, type RuleFilter, rulesByPack } from '../../library/query.js'
import { emptyLibrary, packText } from '../../library/schema.js'
import { writePackFile } from '../../library/store.js'
import { fitAt } from '../../core/rewrite.js'
import { columnsFor, exampleFitLine, ruleCard, ruleLine, ruleToJson } from '../../render/rules.js'
import type { Context } from '../context.js'

function marks(lib: Library, rule: Rule): { pack: string; yours: boolean; overrides: boolean } {
  return { pack: rule.pack, yours: isYours(lib, rule), overrides: overridesShipped(lib, rule) }
}

/** derive rules list: one line per rule, grouped by pack. */
export function listRules(ctx: Context, filter: RuleFilter): number {
  const lib = ctx.library()
  if (filter.pack !== undefined && !lib.packs.some((p) => p.name === filter.pack)) {
    throw new UsageError(`no pack named "${filter.pack}"; packs: ${lib.packs.map((p) => p.name).join(', ') || 'none'}`)
  }
  const groups = rulesByPack(lib, filter).filter((g) => g.rules.length > 0)
  const total = groups.reduce((n, g) => n + g.rules.length, 0)
  if (ctx.json) {
    ctx.outJson(groups.flatMap((g) => g.rules.map((r) => ruleToJson(r, marks(lib, r)))))
    return total ? 0 : 1
  }
  if (!total) {
    ctx.out(lib.rules.length ? 'no rule matches' : 'no rules yet; add one with: derive rules add')
    return 1
  }
  const s = ctx.style
  const cols = columnsFor(groups.flatMap((g) => g.rules.map((r) => ({ id: r.id, name: r.name, yours: overridesShipped(lib, r) }))))
  const lines: string[] = []
  for (const { pack, rules } of groups) {
    const where = pack.shipped ? 'shipped' : pack.path
    lines.push(`${s.rule(pack.name)}  ${s.dim(`${count(rules.length)} · ${where}`)}`)
    for (const r of rules) lines.push(ruleLine(r, s, cols, { yours: overridesShipped(lib, r) }))
    lines.push('')
  }
  lines.push(s.dim(`${count(total)} in ${groups.length} pack${groups.length === 1 ? '' : 's'}`))
  ctx.out(lines.join('\n'))
  return 0
}

const count = (n: number): string => `${n} rule${n === 1 ? '' : 's'}`

/** derive rules show ID: everything about a rule, and the stored examples it fits. */
export function showRule(ctx: Context, id: string): number {
  const lib = ctx.library()
  const rule = findRule(lib.rules, id)
  const fits = exampleFits(rule, libraryExamples(lib), lib)
  const m = marks(lib, rule)
  if (ctx.json) {
    const fitJson = fits.map(({ example, fit }) => ({ example: example.text, of: example.of, direction: fit.direction, at: fitAt(fit), result: print(fit.result) }))
    ctx.outJson({ ...ruleToJson(rule, m), fits: fitJson })
    return 0
  }
  const origin = m.yours ? `yours${m.overrides ? ', overrides a shipped rule' : ''}` : `shipped pack ${rule.pack}`
  const lines = ruleCard(rule, ctx.style, { origin })
  lines.push('', fits.length ? `fits ${fits.length} stored example${fits.length === 1 ? '' : 's'}:` : 'fits none of the stored examples')
  for (const { example, fit } of fits) lines.push(`  ${exampleFitLine(example.text, example.of, fit, ctx.style)}`)
  ctx.out(lines.join('\n'))
  return 0
}

/** derive rules export: your rules as a pack, on stdout or into a file. */
export async function exportRules(ctx: Context, opts: { tag?: string; output?: string }): Promise<number> {
  const lib = ctx.library()
  const pack = selectForExport(lib.user?.file ?? emptyLibrary(), opts.tag)
  if (!pack.rules.length) ctx.io.stderr(`derive: note: no rules to export${opts.tag !== undefined ? ` with tag "${opts.tag}"` : ''}\n`)
  if (opts.output === undefined) {
    ctx.io.stdout(packText(pack))
    return 0
  }
  await writePackFile(resolve(ctx.io.cwd, opts.output), pack)
  if (ctx.json) ctx.outJson({ file: opts.output, rules: pack.rules.map((r) => r.id) })
  else ctx.out(`wrote ${count(pack.rules.length)} to ${opts.output}`)
  return 0
}
