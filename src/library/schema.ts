// The rule file format (SPEC §2): a zod schema, and validation that reports every problem at once,
// each naming the file, the rule (id, else index), the field and what was expected. A student
// fixing a file by hand wants the whole list, not one error per run.
// zod/mini: the same validator core at a twentieth of the size, so loading a library stays cheap
// for every command (SPEC's cold-start budget).
import * as z from 'zod/mini'
import type { MatrixSetting } from '../core/expr.js'
import type { RuleSpec } from '../core/rule.js'
import { stripBom } from '../files.js'
import { MAX_EXPRESSION_CHARS, MAX_RULES_PER_FILE } from '../limits.js'

export const FORMAT = 'derive-rules/1'

/** Rule ids: stable kebab-case names, as in egg. */
export const ID_PATTERN = /^[a-z0-9-]+$/

const ID_EXPECTED = 'expected lowercase letters, digits and "-" (e.g. "log-product")'

const long = z.maxLength(MAX_EXPRESSION_CHARS, { error: `expected at most ${MAX_EXPRESSION_CHARS} characters` })
const text = z.string().check(long, z.refine((s) => s.trim() !== '', { error: 'expected a non-empty string' }))
const texts = z.array(z.string().check(long))

// looseObject: fields derive does not know (a classmate's "difficulty", a future version's
// additions) are accepted; the loader keeps the parsed JSON itself, so they survive a save.
const ruleSchema = z.looseObject({
  id: z.string().check(z.regex(ID_PATTERN, { error: ID_EXPECTED })),
  name: text,
  kind: z.optional(z.enum(['rule', 'definition'])),
  lhs: text,
  rhs: text,
  where: z.optional(texts),
  reversible: z.optional(z.boolean()),
  tags: z.optional(texts),
  idea: z.optional(z.string().check(long)),
  source: z.optional(z.string().check(long)),
  examples: z.optional(texts),
  literals: z.optional(texts),
  types: z.optional(z.record(z.string(), z.enum(['scalar', 'vector', 'matrix', 'integer']))),
  unverified: z.optional(z.boolean()),
})

const packSchema = z.looseObject({
  format: z.literal(FORMAT),
  name: text,
  description: z.optional(z.string()),
  matrices: z.optional(z.union([z.literal('uppercase'), z.array(z.string())])),
  vectors: z.optional(z.array(z.string())),
  rules: z.array(ruleSchema),
})

/** A rule file as stored (the parsed JSON itself, unknown fields included). */
export interface PackFile {
  format: string
  name: string
  description?: string
  matrices?: MatrixSetting
  rules: RuleSpec[]
  [extra: string]: unknown
}

/** One thing wrong with a rule file. */
export interface Problem {
  readonly file: string
  /** `rule "id"` or `rule at index 3`; absent for a problem with the file as a whole. */
  readonly rule?: string
  readonly field?: string
  readonly message: string
}

/** One line: file, rule, field, what is wrong. */
export function formatProblem(p: Problem): string {
  const where = [p.rule, p.field === undefined ? undefined : `field "${p.field}"`].filter((s) => s !== undefined)
  return `${p.file}: ${where.length ? `${where.join(', ')}: ` : ''}${p.message}`
}

/** How a rule is named in a problem: its id when it has a usable one, else its index. */
export function ruleLabel(raw: unknown, index: number): string {
  const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined
  return typeof id === 'string' && ID_PATTERN.test(id) ? `rule "${id}"` : `rule at index ${index}`
}

/** 1-based line and column of a character offset. */
export function lineColumn(textIn: string, offset: number): { line: number; column: number } {
  const before = textIn.slice(0, offset)
  const line = before.split('\n').length
  return { line, column: offset - before.lastIndexOf('\n') }
}

/** Parse JSON text; a syntax error becomes a Problem with line, column and position. */
export function parseJson(text: string, file: string): { data: unknown } | { problem: Problem } {
  const source = stripBom(text)
  try {
    return { data: JSON.parse(source) as unknown }
  } catch (e) {
    const message = (e as Error).message
    // V8 says "at position N" for most errors but nothing for a truncated file: that is the end.
    const m = /at position (\d+)/.exec(message)
    const offset = m ? Number(m[1]) : source.length
    const { line, column } = lineColumn(source, offset)
    const reason = message.replace(/\s*in JSON at position \d+.*$/, '').replace(/ JSON input$/, ' of the file')
    return { problem: { file, message: `not valid JSON: ${lowerFirst(reason)} at line ${line}, column ${column} (position ${offset})` } }
  }
}

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1)

function describe(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`
}

function expectation(issue: z.core.$ZodIssue): string {
  const got = `, got ${describe(issue.input)}`
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected === 'array' ? 'a list' : issue.expected}${got}`
    case 'invalid_value':
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}${got}`
    case 'invalid_union':
      return `expected "uppercase" or a list of names${got}`
    default:
      return `${issue.message}${got}`
  }
}

function toProblem(issue: z.core.$ZodIssue, data: unknown, file: string): Problem {
  const path = issue.path.map(String)
  if (path[0] === 'rules' && path.length >= 2) {
    const index = Number(path[1])
    const rules = (data as { rules: unknown[] }).rules
    const field = path.slice(2).join('.')
    return { file, rule: ruleLabel(rules[index], index), ...(field ? { field } : {}), message: expectation(issue) }
  }
  return { file, ...(path.length ? { field: path.join('.') } : {}), message: expectation(issue) }
}

/** A rule that passed the schema, with its place in the file. */
export interface SpecAt {
  readonly spec: RuleSpec
  readonly index: number
}

/**
 * Check the shape of a parsed rule file: every schema problem, plus ids used twice. `rules` are the
 * rules that passed on their own, so their compile problems can be reported in the same run.
 */
export function validatePack(data: unknown, file: string): { pack?: PackFile; rules: SpecAt[]; problems: Problem[] } {
  // checked before the schema: validating a huge list is the expensive part
  const count = (data as { rules?: unknown } | null)?.rules
  if (Array.isArray(count) && count.length > MAX_RULES_PER_FILE) {
    return { rules: [], problems: [{ file, field: 'rules', message: `${count.length} rules; a rule file holds at most ${MAX_RULES_PER_FILE}` }] }
  }
  const result = packSchema.safeParse(data, { reportInput: true })
  if (!result.success) {
    const problems = result.error.issues.map((i) => toProblem(i, data, file))
    return { rules: soundRules(data, result.error.issues), problems }
  }
  // Keep the caller's object, not zod's copy: zod moves unknown keys to the end, and a save should
  // change only what the user changed.
  const pack = data as PackFile
  return { pack, rules: pack.rules.map((spec, index) => ({ spec, index })), problems: duplicateIds(pack, file) }
}

/** The rules of a file that failed the schema which have no problem of their own. */
function soundRules(data: unknown, issues: readonly z.core.$ZodIssue[]): SpecAt[] {
  const rules = (data as { rules?: unknown } | null)?.rules
  if (!Array.isArray(rules)) return []
  const bad = new Set(issues.filter((i) => i.path[0] === 'rules' && i.path.length >= 2).map((i) => Number(i.path[1])))
  return rules.flatMap((spec: unknown, index) => (bad.has(index) ? [] : [{ spec: spec as RuleSpec, index }]))
}

function duplicateIds(pack: PackFile, file: string): Problem[] {
  const first = new Map<string, number>()
  const problems: Problem[] = []
  pack.rules.forEach((r, i) => {
    const seen = first.get(r.id)
    if (seen === undefined) first.set(r.id, i)
    else problems.push({ file, rule: `rule "${r.id}"`, field: 'id', message: `used twice (at index ${seen} and ${i}); ids must be unique` })
  })
  return problems
}

/** A fresh personal library, as created by the first add. */
export function emptyLibrary(): PackFile {
  return { format: FORMAT, name: 'yours', matrices: 'uppercase', rules: [] }
}

/** The text derive writes for a rule file: 2-space JSON and a final newline. */
export const packText = (pack: PackFile): string => `${JSON.stringify(pack, null, 2)}\n`
