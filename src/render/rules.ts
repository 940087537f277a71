// How rules look: one-line listings, the full card of `rules show`, the preview of the add
// dialogue, and JSON.
import { freeSymbols } from '../core/expr.js'
import { print } from '../core/print.js'
import type { Fit } from '../core/rewrite.js'
import { type Rule, wildcardsOf } from '../core/rule.js'
import { fitAt } from '../core/rewrite.js'
import type { Style } from './style.js'

/** "→" for a rule, "↔" for one that also applies right to left. */
export const arrow = (r: Rule): string => (r.reversible ? '↔' : '→')

/** The rule's two sides as derive reads them (normalised spelling). */
export const sides = (r: Rule): string => `${print(r.lhs)} ${arrow(r)} ${print(r.rhs)}`

export interface RuleMarks {
  /** A personal rule replacing a shipped one. */
  readonly yours?: boolean
}

/** Column widths of a listing: ids (with any "(yours)" mark) and names, the latter capped. */
export interface Columns {
  readonly id: number
  readonly name: number
}

const NAME_COLUMN_MAX = 36

/** Columns wide enough for these rules. */
export function columnsFor(rules: readonly { id: string; name: string; yours: boolean }[]): Columns {
  return {
    id: Math.max(0, ...rules.map((r) => r.id.length + (r.yours ? ' (yours)'.length : 0))),
    name: Math.min(NAME_COLUMN_MAX, Math.max(0, ...rules.map((r) => r.name.length))),
  }
}

/** One listing line: id, name, lhs → rhs, in columns. */
export function ruleLine(r: Rule, s: Style, cols: Columns, marks: RuleMarks = {}): string {
  const label = marks.yours ? `${r.id} (yours)` : r.id
  const id = marks.yours ? `${s.id(r.id)} ${s.warn('(yours)')}` : s.id(r.id)
  const warn = r.spec.unverified ? `  ${s.warn('⚠ unverified')}` : ''
  const gap = (used: number, width: number): string => ' '.repeat(Math.max(0, width - used) + 2)
  return `  ${id}${gap(label.length, cols.id)}${s.rule(r.name)}${gap(r.name.length, cols.name)}${s.dim(sides(r))}${warn}`
}

/** Wildcards of a rule, sorted. */
export const wildcards = (r: Rule): string[] => [...wildcardsOf(r.lhs, r.literals)].sort()

/** A shown fit of an example: "log(2 * x)  →  log(2) + log(x)". */
export function exampleFitLine(text: string, of: string, fit: Fit, s: Style): string {
  const where = fitAt(fit) === '.' ? '' : s.dim(` at ${fitAt(fit)}`)
  return `${text}${where}  ${s.dim('→')}  ${s.result(print(fit.result))}  ${s.dim(`(example of ${of})`)}`
}

const field = (label: string, value: string, s: Style): string => `  ${s.dim(label.padEnd(10))}  ${value}`

/** The rule as it will be matched: sides, wildcards, conditions, direction. */
export function ruleCard(r: Rule, s: Style, extra: { origin?: string } = {}): string[] {
  const lines = [`${s.id(r.id)}  ${s.rule(r.name)}${extra.origin ? `  ${s.dim(`(${extra.origin})`)}` : ''}`]
  lines.push(`  ${print(r.lhs)}  ${s.dim(arrow(r))}  ${print(r.rhs)}`)
  lines.push(field('kind', `${r.kind}${r.reversible ? ', reversible (also applies right to left)' : ''}`, s))
  lines.push(field('wildcards', wildcards(r).join(', ') || 'none', s))
  const literals = [...r.literals].filter((l) => freeSymbols(r.lhs).has(l) || freeSymbols(r.rhs).has(l))
  if (literals.length) lines.push(field('literals', literals.sort().join(', '), s))
  if (r.where.length) lines.push(field('where', r.where.map((c) => c.text).join(', '), s))
  if (r.spec.idea) lines.push(field('idea', r.spec.idea, s))
  if (r.spec.source) lines.push(field('source', r.spec.source, s))
  if (r.spec.tags?.length) lines.push(field('tags', r.spec.tags.join(', '), s))
  if (r.spec.examples?.length) lines.push(field('examples', r.spec.examples.join('; '), s))
  if (r.spec.unverified) lines.push(`  ${s.warn('⚠ unverified: saved with --force although the numeric check did not verify it')}`)
  return lines
}

/** Plain data for a rule in JSON output: the stored spec plus where it comes from. */
export function ruleToJson(r: Rule, marks: { pack: string; yours: boolean; overrides: boolean }): Record<string, unknown> {
  return { ...r.spec, pack: marks.pack, yours: marks.yours, overrides: marks.overrides }
}

/** A counterexample in words: "at a = 1, b = 2: left side 1.1, right side 0.69". */
export function counterexampleText(c: { values: Readonly<Record<string, unknown>>; lhs: unknown; rhs: unknown }): string {
  const values = Object.entries(c.values)
    .map(([k, v]) => `${k} = ${valueText(v)}`)
    .join(', ')
  return `${values ? `at ${values}: ` : ''}left side ${valueText(c.lhs)}, right side ${valueText(c.rhs)}`
}

function valueText(v: unknown): string {
  if (typeof v === 'number') return String(Number(v.toPrecision(6)))
  if (typeof v === 'string') return v
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' ? Number(x.toPrecision(4)) : x))
}
