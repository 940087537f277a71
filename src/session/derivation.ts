// A derivation: a start, an optional goal, and the steps taken, each with its justification. Pure
// values: applying or undoing a step gives a new derivation, so the step loop, `show`, `export`
// and the tests share one model. The saved form is SPEC §5's `derive-derivation/1`.
import { sameKey } from '../core/algebra.js'
import { key } from '../core/equal.js'
import type { Expr } from '../core/expr.js'
import { shapesFor, type SymbolSetting as MatrixSetting } from '../core/shape.js'
import { ParseError, parseExpr } from '../core/parse.js'
import { print } from '../core/print.js'
import type { Direction } from '../core/rule.js'
import { UsageError } from '../errors.js'
import { formatProblem, parseJson } from '../library/schema.js'

export const DERIVATION_FORMAT = 'derive-derivation/1'

/** The rule of a step the user typed that no chain of library rules explains (but numbers agree). */
export const BY_HAND = 'by hand (numerically checked)'

/** One step: which rule, which way, where, from which line to which, under what assumptions. */
export interface Step {
  /** A rule id, an algebra label ("algebra: collect like terms") or BY_HAND. */
  readonly rule: string
  readonly direction: Direction
  /** The position as in `derive match` (`.`, `0.1`, or several joined by `,`). */
  readonly at: string
  readonly from: Expr
  readonly to: Expr
  readonly assumes: readonly string[]
}

export interface Derivation {
  readonly start: Expr
  readonly goal?: Expr
  readonly steps: readonly Step[]
}

/** The saved JSON (SPEC §5). */
export interface DerivationJson {
  format: typeof DERIVATION_FORMAT
  start: string
  goal?: string
  steps: { rule: string; direction: Direction; at: string; from: string; to: string; assumes: string[] }[]
}

/** A derivation with no steps yet. */
export const startDerivation = (start: Expr, goal?: Expr): Derivation => ({ start, ...(goal ? { goal } : {}), steps: [] })

/** The line the next step starts from. */
export const current = (d: Derivation): Expr => d.steps.at(-1)?.to ?? d.start

/** The derivation with these steps added (they must continue from the current line). */
export function apply(d: Derivation, ...steps: readonly Step[]): Derivation {
  let at = current(d)
  for (const s of steps) {
    // a step that does not follow on is a bug in the caller, never a user error
    if (key(s.from) !== key(at)) throw new Error(`step ${s.rule} starts from ${print(s.from)}, not from ${print(at)}`)
    at = s.to
  }
  return { ...d, steps: [...d.steps, ...steps] }
}

/** The derivation without its last `count` steps (never fewer than none). */
export const undo = (d: Derivation, count = 1): Derivation => ({ ...d, steps: d.steps.slice(0, Math.max(0, d.steps.length - count)) })

/** The derivation with another goal (or none). */
export function withGoal(d: Derivation, goal: Expr | undefined): Derivation {
  const { goal: _old, ...rest } = d
  return goal ? { ...rest, goal } : rest
}

/** Two lines equal up to reordering, regrouping, renaming of bound variables and arithmetic on numbers. */
export function sameLine(a: Expr, b: Expr, setting: MatrixSetting = 'uppercase'): boolean {
  const matrices = shapesFor([a, b], setting)
  return sameKey(a, matrices) === sameKey(b, matrices)
}

/** Has the current line reached the goal? (false without a goal) */
export const atGoal = (d: Derivation, setting: MatrixSetting = 'uppercase'): boolean =>
  d.goal !== undefined && sameLine(current(d), d.goal, setting)

/** Every assumption of every step, each once, in the order they were first made. */
export const allAssumptions = (d: Derivation): string[] => [...new Set(d.steps.flatMap((s) => s.assumes))]

/** The saved form, exactly SPEC §5's fields in its order. */
export function toJson(d: Derivation): DerivationJson {
  return {
    format: DERIVATION_FORMAT,
    start: print(d.start),
    ...(d.goal ? { goal: print(d.goal) } : {}),
    steps: d.steps.map((s) => ({ rule: s.rule, direction: s.direction, at: s.at, from: print(s.from), to: print(s.to), assumes: [...s.assumes] })),
  }
}

/** The text of a saved derivation file. */
export const derivationText = (d: Derivation): string => `${JSON.stringify(toJson(d), null, 2)}\n`

// ---- reading a saved derivation ---------------------------------------------------------------

type Fields = Record<string, unknown>

/** Reads the fields of one file, each failure a UsageError naming the file and the field. */
class Reader {
  constructor(private readonly file: string) {}

  fail(where: string, message: string): never {
    throw new UsageError(formatProblem({ file: this.file, ...(where ? { field: where } : {}), message }))
  }

  expr(o: Fields, name: string, where: string): Expr {
    const text = o[name]
    if (typeof text !== 'string' || text.trim() === '') this.fail(where, `expected an expression (a string), found ${shown(text)}`)
    try {
      return parseExpr(text)
    } catch (e) {
      if (!(e instanceof ParseError)) throw e
      return this.fail(where, `cannot read "${text}": ${e.reason} at position ${e.position}`)
    }
  }

  step(raw: unknown, i: number): Step {
    const where = (f: string): string => `steps[${i}].${f}`
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) this.fail(`steps[${i}]`, `expected a step object, found ${shown(raw)}`)
    const o = raw as Fields
    if (typeof o.rule !== 'string' || o.rule.trim() === '') this.fail(where('rule'), `expected the rule (a string), found ${shown(o.rule)}`)
    if (o.direction !== 'forward' && o.direction !== 'reverse') this.fail(where('direction'), `expected "forward" or "reverse", found ${shown(o.direction)}`)
    if (typeof o.at !== 'string') this.fail(where('at'), `expected a position such as "." or "0.1", found ${shown(o.at)}`)
    const assumes = o.assumes ?? []
    if (!Array.isArray(assumes) || !assumes.every((a) => typeof a === 'string')) this.fail(where('assumes'), `expected a list of strings, found ${shown(o.assumes)}`)
    return { rule: o.rule, direction: o.direction, at: o.at, from: this.expr(o, 'from', where('from')), to: this.expr(o, 'to', where('to')), assumes }
  }
}

const shown = (v: unknown): string =>
  v === undefined ? 'nothing' : Array.isArray(v) ? 'a list' : v === null ? 'null' : typeof v === 'object' ? 'an object' : JSON.stringify(v)

/**
 * A derivation from parsed JSON, checked field by field and link by link: every step must start
 * from the line before it. Throws a one-line UsageError naming the file, the field and the
 * problem (the first broken link, for a chain that does not hold together).
 */
export function fromJson(data: unknown, file: string, setting: MatrixSetting = 'uppercase'): Derivation {
  const r = new Reader(file)
  if (typeof data !== 'object' || data === null || Array.isArray(data)) r.fail('', `expected a saved derivation object {"format": "${DERIVATION_FORMAT}", ...}`)
  const o = data as Fields
  if (o.format !== DERIVATION_FORMAT) r.fail('format', `expected "${DERIVATION_FORMAT}", found ${shown(o.format)}`)
  const start = r.expr(o, 'start', 'start')
  const goal = o.goal === undefined ? undefined : r.expr(o, 'goal', 'goal')
  const raw = o.steps
  if (!Array.isArray(raw)) return r.fail('steps', `expected a list of steps, found ${shown(raw)}`)
  const steps = raw.map((s: unknown, i) => r.step(s, i))
  steps.forEach((s, i) => {
    const before = i === 0 ? start : steps[i - 1]!.to
    if (!sameLine(s.from, before, setting)) {
      r.fail(`steps[${i}].from`, `step ${i + 1} does not follow on: it starts from ${print(s.from)}, but the line before it is ${print(before)}`)
    }
  })
  return { start, ...(goal ? { goal } : {}), steps }
}

/** A derivation from the text of a saved file (JSON errors with line and column). */
export function readDerivation(text: string, file: string, setting: MatrixSetting = 'uppercase'): Derivation {
  const parsed = parseJson(text, file)
  if ('problem' in parsed) throw new UsageError(formatProblem(parsed.problem))
  return fromJson(parsed.data, file, setting)
}
