// derive rules import FILE [--skip | --replace | --rename]: a classmate's pack into your library.
// The whole file is checked first (JSON, schema, every rule compiled and verified, id clashes);
// if anything is wrong, every problem is listed and nothing is written.
import { resolve } from 'node:path'
import type { RuleSpec } from '../../core/rule.js'
import { UsageError } from '../../errors.js'
import { readUserFile } from '../../files.js'
import { clashes, planImport, type Resolution } from '../../library/edit.js'
import { markVerdict, refuseCircular, verify } from '../../library/guard.js'
import { compileRules, type Library, LibraryError, type Problem } from '../../library/library.js'
import { type PackFile, parseJson, ruleLabel, validatePack } from '../../library/schema.js'
import { updateLibrary } from '../../library/store.js'
import { counterexampleText } from '../../render/rules.js'
import type { Context } from '../context.js'

/** The flags of rules import (see rules.ts). */
export interface ImportFlags {
  skip?: boolean
  replace?: boolean
  rename?: boolean
  force?: boolean
}

function resolution(f: ImportFlags): Resolution | undefined {
  const chosen = (['skip', 'replace', 'rename'] as const).filter((k) => f[k])
  if (chosen.length > 1) throw new UsageError(`choose one of --skip, --replace, --rename (got ${chosen.map((k) => `--${k}`).join(' and ')})`)
  return chosen[0]
}

/** The rules of a checked pack, ready to store (refuted ones flagged if forced), and every problem. */
function checkIncoming(data: unknown, path: string, lib: Library, force: boolean): { specs: RuleSpec[]; problems: Problem[] } {
  const { pack, rules: sound, problems } = validatePack(data, path)
  // compiled with your library's matrix convention: that is how the rules will be matched
  const { rules, problems: compileProblems } = compileRules(sound, path, pack?.name ?? 'import', lib.matrices)
  const all = [...problems, ...compileProblems]
  const specs = rules.map((rule) => {
    const label = ruleLabel(rule.spec, sound.find((s) => s.spec === rule.spec)?.index ?? 0)
    try {
      refuseCircular(rule, lib, rules)
    } catch (e) {
      if (!(e instanceof UsageError)) throw e
      all.push({ file: path, rule: label, message: 'a circular definition: it defines a name in terms of itself' })
      return rule.spec
    }
    const verdict = verify(rule, lib)
    if (verdict.verdict !== 'verified' && !force) {
      const why = verdict.verdict === 'refuted' ? `refuted by the numeric check: ${counterexampleText(verdict.counterexample)}` : `not verifiable by the numeric check: ${verdict.reason}`
      all.push({ file: path, rule: label, message: `${why} (--force imports it marked unverified)` })
    }
    return markVerdict(rule.spec, verdict)
  })
  return { specs, problems: all }
}

/** Rules of an unchecked file that have an id, for listing clashes even when others are broken. */
function rulesWithIds(data: unknown): RuleSpec[] {
  const rules = (data as { rules?: unknown } | null)?.rules
  if (!Array.isArray(rules)) return []
  return rules.filter((r): r is RuleSpec => typeof r === 'object' && r !== null && typeof (r as { id?: unknown }).id === 'string')
}

/** derive rules import FILE: check the whole pack, then merge it into your library. */
export async function importCommand(ctx: Context, file: string, f: ImportFlags): Promise<number> {
  const how = resolution(f)
  const lib = ctx.library({ writing: true })
  const path = resolve(ctx.io.cwd, file)
  const parsed = parseJson(readUserFile(path), path)
  if ('problem' in parsed) throw new LibraryError([parsed.problem], { header: `cannot import ${path}; nothing was written:` })
  const { specs, problems } = checkIncoming(parsed.data, path, lib, f.force === true)
  const mine: PackFile | undefined = lib.user?.file
  const clashing = how === undefined && mine ? clashes(mine, rulesWithIds(parsed.data), path) : []
  const all = [...clashing, ...problems]
  if (all.length) {
    const header = `cannot import ${path}; nothing was written. ${all.length} problem${all.length === 1 ? '' : 's'}:`
    throw new LibraryError(all, { header })
  }
  const shipped = new Set(lib.packs.filter((p) => p.shipped).flatMap((p) => p.rules.map((r) => r.id)))
  const plan = await updateLibrary(ctx.libraryPath, (current) => {
    const p = planImport(current, specs, how, shipped)
    return { file: p.file, value: p }
  }, ctx.note)
  if (ctx.json) {
    ctx.outJson({ file: ctx.libraryPath, added: plan.added, skipped: plan.skipped, replaced: plan.replaced, renamed: plan.renamed })
    return 0
  }
  const parts = [`${plan.added.length} added`]
  if (plan.skipped.length) parts.push(`${plan.skipped.length} skipped (${plan.skipped.join(', ')})`)
  if (plan.replaced.length) parts.push(`${plan.replaced.length} replaced (${plan.replaced.join(', ')})`)
  if (plan.renamed.length) parts.push(`${plan.renamed.length} renamed (${plan.renamed.map((r) => `${r.from} → ${r.to}`).join(', ')})`)
  const flagged = specs.filter((s) => s.unverified).map((s) => s.id)
  ctx.out(`Imported ${path}: ${parts.join(', ')}.`)
  if (flagged.length) ctx.out(ctx.style.warn(`⚠ marked unverified (the numeric check refuted or could not verify them): ${flagged.join(', ')}`))
  return 0
}
