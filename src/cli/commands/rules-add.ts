// derive rules add | edit | remove (options in rules.ts): change the user's own library. With
// flags nothing is asked (scripts, tests); on a terminal without flags a dialogue asks for each
// field. Every rule is compiled and checked numerically before saving; a refuted one needs --force.
import { RuleError, type RuleSpec } from '../../core/rule.js'
import { asDeriveNotation } from '../../core/latex.js'
import { UsageError } from '../../errors.js'
import { addRule, freeId, idsOf, removeRule, replaceRule, type RuleFields, suggestId, withFields } from '../../library/edit.js'
import { markVerdict, refuseCircular, verify, type Verdict } from '../../library/guard.js'
import { compileSpec, type Library } from '../../library/library.js'
import { findRule } from '../../library/lookup.js'
import { isYours, libraryExamples } from '../../library/query.js'
import { emptyLibrary, ID_PATTERN } from '../../library/schema.js'
import { backupPath } from '../../files.js'
import { updateLibrary } from '../../library/store.js'
import { counterexampleText, sides } from '../../render/rules.js'
import type { Context } from '../context.js'
import { isPromptExit } from '../prompts.js'
import { ruleDialogue } from '../rule-dialogue.js'

/** The flags of rules add / edit (see rules.ts). */
export interface RuleFlags {
  id?: string
  name?: string
  lhs?: string
  rhs?: string
  where?: string[]
  reversible?: boolean
  idea?: string
  source?: string
  tag?: string[]
  kind?: string
  example?: string[]
  literal?: string[]
  force?: boolean
}

const CONTENT: readonly (keyof RuleFlags)[] = ['id', 'name', 'lhs', 'rhs', 'where', 'reversible', 'kind', 'idea', 'source', 'tag', 'example', 'literal']

const hasRuleFlags = (f: RuleFlags): boolean => CONTENT.some((k) => f[k] !== undefined)

const nonEmpty = (list: string[] | undefined): string[] | undefined => list?.map((t) => t.trim()).filter(Boolean)

function fieldsFromFlags(f: RuleFlags): RuleFields {
  if (f.kind !== undefined && f.kind !== 'rule' && f.kind !== 'definition') {
    throw new UsageError(`--kind must be "rule" or "definition", got "${f.kind}"`)
  }
  return {
    name: f.name?.trim(),
    kind: f.kind,
    // a side pasted as LaTeX is stored in derive's notation
    lhs: f.lhs === undefined ? undefined : asDeriveNotation(f.lhs.trim()),
    rhs: f.rhs === undefined ? undefined : asDeriveNotation(f.rhs.trim()),
    where: nonEmpty(f.where),
    reversible: f.reversible,
    tags: nonEmpty(f.tag),
    idea: f.idea?.trim(),
    source: f.source?.trim(),
    examples: nonEmpty(f.example),
    literals: nonEmpty(f.literal),
  }
}

/** Every id in the merged library: a suggested id avoids them all, so it never overrides by accident. */
const allIds = (lib: Library): Set<string> => new Set(lib.packs.flatMap((p) => p.rules.map((r) => r.id)))

const userIds = (lib: Library): Set<string> => new Set(lib.user ? idsOf(lib.user.file) : [])

function newSpecFromFlags(f: RuleFlags, lib: Library): RuleSpec {
  const missing = (['name', 'lhs', 'rhs'] as const).filter((k) => !f[k]?.trim()).map((k) => `--${k}`)
  if (missing.length) throw new UsageError(`rules add needs --name, --lhs and --rhs (missing ${missing.join(', ')}); or run it on a terminal without flags to be asked`)
  const name = f.name!.trim()
  if (f.id !== undefined && !ID_PATTERN.test(f.id)) throw new UsageError(`--id "${f.id}": use only lowercase letters, digits and "-", e.g. log-product`)
  const id = f.id ?? suggestId(name, allIds(lib))
  return withFields({ id, name, lhs: '', rhs: '' }, fieldsFromFlags(f))
}

function dialogueFor(ctx: Context, lib: Library, initial?: RuleSpec): Promise<RuleSpec | undefined> {
  const reserved = new Set([...allIds(lib)].filter((id) => !userIds(lib).has(id)))
  return ruleDialogue(ctx.prompts, {
    ...(initial ? { initial } : {}),
    taken: userIds(lib),
    reserved,
    matrices: lib.matrices,
    examples: libraryExamples(lib),
    style: ctx.style,
    out: (t) => ctx.out(t),
  })
}

/** Run a dialogue; Ctrl+C or declining ends the command with nothing saved (exit 1). */
async function asked(ctx: Context, dialogue: () => Promise<RuleSpec | undefined>): Promise<RuleSpec | undefined> {
  try {
    const spec = await dialogue()
    if (!spec) ctx.out('Not saved.')
    return spec
  } catch (e) {
    if (!isPromptExit(e)) throw e
    ctx.io.stderr('\nderive: cancelled; nothing was saved\n')
    return undefined
  }
}

/** derive rules add: from flags, or a dialogue on a terminal. */
export async function addCommand(ctx: Context, f: RuleFlags): Promise<number> {
  const lib = ctx.library({ writing: true })
  if (hasRuleFlags(f)) return saveRule(ctx, lib, newSpecFromFlags(f, lib), { derivedId: f.id === undefined, force: f.force === true })
  if (!ctx.interactive) throw new UsageError('rules add needs --name, --lhs and --rhs when it cannot ask (not a terminal)')
  const spec = await asked(ctx, () => dialogueFor(ctx, lib))
  return spec ? saveRule(ctx, lib, spec, { derivedId: false, force: f.force === true, ask: true }) : 1
}

/** derive rules edit ID: flags change fields; a prefilled dialogue on a terminal. */
export async function editCommand(ctx: Context, id: string, f: RuleFlags): Promise<number> {
  const lib = ctx.library({ writing: true })
  const rule = findRule(lib.rules, id)
  const base = structuredClone(rule.spec)
  let spec: RuleSpec | undefined
  if (hasRuleFlags(f)) spec = withFields(base, fieldsFromFlags(f))
  else if (ctx.interactive) spec = await asked(ctx, () => dialogueFor(ctx, lib, base))
  else throw new UsageError(`rules edit ${id}: say what to change (e.g. --rhs "...", --where "a > 0"), or run it on a terminal to be asked`)
  if (!spec) return 1
  if (!isYours(lib, rule)) ctx.io.stderr(`derive: note: "${id}" is a shipped rule; your changed copy goes into your library and overrides it\n`)
  return saveRule(ctx, lib, spec, { edit: id, derivedId: false, force: f.force === true, ask: !hasRuleFlags(f) })
}

interface SaveHow {
  /** The id of the rule being replaced (edit); absent for a new rule. */
  readonly edit?: string
  /** The id was made from the name, so another free one may be taken if it is gone meanwhile. */
  readonly derivedId: boolean
  readonly force: boolean
  /** On a terminal: ask before saving a refuted rule instead of refusing. */
  readonly ask?: boolean
}

/** A rule's problem as a usage error naming the flag that carries it. */
function flagError(e: RuleError, spec: RuleSpec): UsageError {
  const where = /^where\[(\d+)\]$/.exec(e.field)
  const flag = where ? '--where' : `--${e.field}`
  const value = where ? spec.where?.[Number(where[1])] : spec[e.field]
  const shown = typeof value === 'string' ? ` "${value}"` : ''
  const caret = typeof value === 'string' && e.position !== undefined ? [`  ${value}`, `${' '.repeat(e.position + 1)}^`] : []
  return new UsageError(`cannot save rule "${spec.id}": ${flag}${shown}: ${e.reason}`, caret)
}

/** Refuse a rule that is refuted or cannot be verified, or (forced / confirmed on a terminal) let it be saved flagged. */
async function allowUnverified(ctx: Context, spec: RuleSpec, verdict: Verdict, how: SaveHow): Promise<boolean> {
  if (verdict.verdict === 'verified' || how.force) return true
  const why =
    verdict.verdict === 'refuted'
      ? `the numeric check refutes rule "${spec.id}": ${counterexampleText(verdict.counterexample)}`
      : `the numeric check cannot verify rule "${spec.id}": ${verdict.reason}`
  if (!how.ask) throw new UsageError(`${why}; nothing was saved. Fix the rule (is a condition missing?), or add --force to save it marked unverified`)
  ctx.out(ctx.style.bad(`✗ ${why}`))
  return ctx.prompts.confirm({ message: 'Save it anyway, marked unverified?', default: false })
}

async function saveRule(ctx: Context, lib: Library, draft: RuleSpec, how: SaveHow): Promise<number> {
  // a dry run on the library as loaded: an id clash is reported before the slower numeric check
  if (how.edit === undefined && !how.derivedId) addRule(lib.user?.file ?? emptyLibrary(), draft)
  const rule = compileSpec(draft, 'yours', lib.matrices)
  if (rule instanceof RuleError) throw flagError(rule, draft)
  refuseCircular(rule, lib)
  const verdict = verify(rule, lib)
  if (!(await allowUnverified(ctx, draft, verdict, how))) {
    ctx.out('Not saved.')
    return 1
  }
  const spec = markVerdict(draft, verdict)
  const reserved = allIds(lib)
  const saved = await updateLibrary(ctx.libraryPath, (file) => {
    if (how.edit !== undefined) return { file: replaceRule(file, how.edit, spec), value: spec }
    // another process may have taken a made-up id meanwhile: take the next free one
    const final = how.derivedId ? { ...spec, id: freeId(spec.id, new Set([...idsOf(file), ...reserved])) } : spec
    return { file: addRule(file, final), value: final }
  }, ctx.note)
  reportSaved(ctx, lib, saved, verdict, how)
  return 0
}

function verdictText(v: Verdict): string {
  if (v.verdict === 'verified') return `checked numerically at ${v.points} points`
  if (v.verdict === 'unverifiable') return `⚠ the numeric check cannot verify it (${v.reason}); saved marked unverified`
  return `⚠ refuted by the numeric check (${counterexampleText(v.counterexample)}); saved marked unverified`
}

function reportSaved(ctx: Context, lib: Library, spec: RuleSpec, verdict: Verdict, how: SaveHow): void {
  const overrides = !userIds(lib).has(spec.id) && allIds(lib).has(spec.id)
  if (ctx.json) {
    ctx.outJson({ [how.edit !== undefined ? 'changed' : 'added']: spec.id, file: ctx.libraryPath, overrides, ...verdict })
    return
  }
  const s = ctx.style
  const rule = compileSpec(spec, 'yours', lib.matrices)
  const shown = rule instanceof RuleError ? `${spec.lhs} -> ${spec.rhs}` : sides(rule)
  const lines = [`${how.edit !== undefined ? 'Changed' : 'Added'} ${s.id(spec.id)} (${spec.name}): ${shown}`]
  if (overrides) lines.push(s.dim(`  overrides the shipped rule "${spec.id}"`))
  const mark = verdict.verdict === 'verified' ? s.good : s.warn
  lines.push(`  ${mark(verdictText(verdict))}`, s.dim(`  saved in ${ctx.libraryPath}`))
  ctx.out(lines.join('\n'))
}

/** derive rules remove ID: asks on a terminal unless --yes. */
export async function removeCommand(ctx: Context, id: string, yes: boolean): Promise<number> {
  const lib = ctx.library({ writing: true })
  const mine = lib.user?.rules.find((r) => r.id === id)
  if (!mine) {
    const shipped = lib.rules.find((r) => r.id === id)
    if (shipped) throw new UsageError(`rule "${id}" is shipped (pack ${shipped.pack}), not in your library; only your own rules can be removed`)
    findRule(lib.user?.rules ?? [], id)
  }
  const question = { message: `Remove "${id}" (${mine?.name}) from your library?`, default: false }
  if (ctx.interactive && !yes && !(await ctx.prompts.confirm(question))) {
    ctx.out('Nothing removed.')
    return 1
  }
  await updateLibrary(ctx.libraryPath, (file) => ({ file: removeRule(file, id), value: undefined }), ctx.note)
  if (ctx.json) ctx.outJson({ removed: id, file: ctx.libraryPath })
  else {
    const back = lib.overridden.has(id) ? `; the shipped rule "${id}" applies again` : ''
    ctx.out(`Removed ${ctx.style.id(id)}${back}. The previous library is kept in ${backupPath(ctx.libraryPath)}`)
  }
  return 0
}
