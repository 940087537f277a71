// The add/edit dialogue: one question per field, each answer checked as it is entered (a parse
// error appears under the prompt with its position; an rhs wildcard the lhs never binds is
// refused), then the rule as derive will match it and the examples it fits, then a confirmation.
import type { MatrixSetting } from '../core/expr.js'
import { asDeriveNotation } from '../core/latex.js'
import { type Rule, RuleError, type RuleSpec } from '../core/rule.js'
import { type RuleFields, suggestId, withFields } from '../library/edit.js'
import { compileSpec } from '../library/library.js'
import { type Example, exampleFits } from '../library/query.js'
import { ID_PATTERN } from '../library/schema.js'
import { exampleFitLine, ruleCard } from '../render/rules.js'
import type { Style } from '../render/style.js'
import type { InputQuestion, Prompts } from './prompts.js'

export interface DialogueOptions {
  /** The rule being edited (its answers prefilled); absent when adding. */
  readonly initial?: RuleSpec
  /** Ids a new rule may not take (the user's own). */
  readonly taken: ReadonlySet<string>
  /** Ids to avoid when suggesting one (the shipped rules'). */
  readonly reserved: ReadonlySet<string>
  readonly matrices: MatrixSetting
  readonly examples: readonly Example[]
  readonly style: Style
  readonly out: (text: string) => void
}

const MAX_FITS_SHOWN = 8

/** Ask for a rule; resolves to its spec, or undefined if the user declines to save it. */
export async function ruleDialogue(p: Prompts, o: DialogueOptions): Promise<RuleSpec | undefined> {
  const init = o.initial
  const ask = (q: InputQuestion, current: string | undefined): Promise<string> =>
    p.input({ ...q, ...(current ? { default: current, prefill: init !== undefined } : {}) })
  const name = (await ask({ message: 'Name of the rule', validate: required('a name') }, init?.name)).trim()
  const id = init?.id ?? (await askId(p, o, name))
  let spec: RuleSpec = init ?? { id, name, lhs: '', rhs: '' }
  // positions in messages count in the line as typed, so the raw answer is checked, the trimmed one kept
  const check = (fields: RuleFields, field: string): true | string => problemIn(withFields(spec, fields), o, field)
  spec = withFields(spec, { name })
  const lhs = await ask({ message: 'Left side (the pattern, e.g. log(a * b))', validate: (v) => check({ lhs: v, rhs: v }, 'lhs') }, init?.lhs)
  spec = { ...spec, lhs: asDeriveNotation(lhs.trim()) }
  const rhs = await ask({ message: 'Right side (what it becomes)', validate: (v) => check({ rhs: v }, 'rhs') }, init?.rhs)
  spec = { ...spec, rhs: asDeriveNotation(rhs.trim()) }
  const where = await ask(
    { message: 'Conditions, ";" between them (e.g. a > 0; b != 0)', validate: (v) => conditionProblem(spec, v, o) },
    init?.where?.join('; '),
  )
  spec = withFields(spec, { where: splitConditions(where).map((c) => c.text) })
  spec = await askReversible(p, o, spec)
  const idea = await ask({ message: 'The idea behind it, in words (optional)' }, init?.idea)
  const source = await ask({ message: 'Where you saw it, e.g. "Lecture 3, slide 12" (optional)' }, init?.source)
  const tags = await ask({ message: 'Tags, separated by commas (optional)' }, init?.tags?.join(', '))
  spec = withFields(spec, { idea: idea.trim(), source: source.trim(), tags: splitList(tags) })
  preview(spec, o)
  return (await p.confirm({ message: init ? 'Save the changed rule?' : 'Save this rule?', default: true })) ? spec : undefined
}

const required = (what: string) => (v: string): true | string => (v.trim() ? true : `please enter ${what}`)

async function askId(p: Prompts, o: DialogueOptions, name: string): Promise<string> {
  const suggested = suggestId(name, new Set([...o.taken, ...o.reserved]))
  const id = await p.input({
    message: 'Id (lowercase letters, digits and -)',
    default: suggested,
    validate: (v) => {
      const t = v.trim() || suggested
      if (!ID_PATTERN.test(t)) return 'use only lowercase letters, digits and "-", e.g. log-product'
      return o.taken.has(t) ? `your library already has a rule "${t}"; choose another id` : true
    },
  })
  return id.trim() || suggested
}

/** The problem a draft has in `field`, or true (problems in later fields are asked about later). */
function problemIn(draft: RuleSpec, o: DialogueOptions, field: string): true | string {
  const compiled = compileSpec(draft, 'yours', o.matrices)
  return compiled instanceof RuleError && compiled.field === field ? compiled.reason : true
}

interface Part {
  readonly text: string
  /** 0-based offset of the text in the typed line. */
  readonly offset: number
}

/** Conditions typed on one line, separated by ";" (never part of an expression in derive). */
export function splitConditions(line: string): Part[] {
  const parts: Part[] = []
  let offset = 0
  for (const raw of line.split(';')) {
    const lead = raw.length - raw.trimStart().length
    if (raw.trim()) parts.push({ text: raw.trim(), offset: offset + lead })
    offset += raw.length + 1
  }
  return parts
}

const splitList = (line: string): string[] =>
  line
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)

/** A condition's problem with its position counted in the whole typed line. */
function conditionProblem(spec: RuleSpec, line: string, o: DialogueOptions): true | string {
  const parts = splitConditions(line)
  const compiled = compileSpec({ ...spec, where: parts.map((c) => c.text) }, 'yours', o.matrices)
  if (!(compiled instanceof RuleError)) return true
  const index = /^where\[(\d+)\]$/.exec(compiled.field)?.[1]
  const part = index === undefined ? undefined : parts[Number(index)]
  if (!part) return compiled.reason
  const reason = compiled.reason.replace(/ at position (\d+)$/, (_m, n: string) => ` at position ${Number(n) + part.offset}`)
  return `in "${part.text}": ${reason}`
}

async function askReversible(p: Prompts, o: DialogueOptions, spec: RuleSpec): Promise<RuleSpec> {
  for (;;) {
    const reversible = await p.confirm({ message: 'Reversible (may also be applied right to left)?', default: spec.reversible ?? false })
    const next = { ...spec, reversible }
    const problem = problemIn(next, o, 'reversible')
    // false is the default: written only when the rule already said so
    if (problem === true) return reversible || spec.reversible !== undefined ? next : spec
    o.out(o.style.warn(`  cannot be reversible: ${problem}`))
  }
}

/** Show the rule as derive will match it, and which stored examples it fits. */
function preview(spec: RuleSpec, o: DialogueOptions): void {
  const rule = compileSpec(spec, 'yours', o.matrices)
  if (rule instanceof RuleError) return
  o.out(['', 'This is how derive will read and match the rule:', ...ruleCard(rule, o.style)].join('\n'))
  o.out(fitsSummary(rule, o))
}

function fitsSummary(rule: Rule, o: DialogueOptions): string {
  const fits = exampleFits(rule, o.examples, { matrices: o.matrices })
  const of = `${o.examples.length} example${o.examples.length === 1 ? '' : 's'} in your library and the shipped packs`
  if (!fits.length) return `  It fits none of the ${of}.\n`
  const lines = fits.slice(0, MAX_FITS_SHOWN).map((f) => `    ${exampleFitLine(f.example.text, f.example.of, f.fit, o.style)}`)
  const more = fits.length > MAX_FITS_SHOWN ? [`    … and ${fits.length - MAX_FITS_SHOWN} more`] : []
  return [`  It fits ${fits.length} of the ${of}:`, ...lines, ...more, ''].join('\n')
}
