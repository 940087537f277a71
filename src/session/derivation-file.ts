// The derivations of a file a student checks (SPEC §4 `derive check`): plain text with one line
// per expression, several derivations separated by a line of three or more dashes; a saved
// derivation (JSON); or a LaTeX file (one derivation per math environment). A line that cannot be
// read is kept, with the reason, so the rest of the file is still checked and the row reported.
import { readLatex } from '../core/latex.js'
import type { Expr } from '../core/expr.js'
import type { Equation } from '../core/equation.js'
import { type Announce, type Condition, ParseError, parseCondition, parseExpr } from '../core/parse.js'
import { declaredVectors } from '../core/shape.js'
import { UsageError } from '../errors.js'
import { ID_PATTERN } from '../library/schema.js'
import { readDerivation } from './derivation.js'
import { lineColumn, texDerivations } from './tex-file.js'

/** One line of a derivation: where it is in the file, what it says, the rule the student claims. */
export interface FileLine {
  /** 1-based line of the file. */
  readonly line: number
  /** The text as written (without the leading `=` and the comment). */
  readonly source: string
  /** The expression, for an expression line. */
  readonly expr?: Expr
  /** The equation, for a line `lhs = rhs`. */
  readonly equation?: Equation
  /** Why the line cannot be read (then it has neither expression nor equation). */
  readonly problem?: string
  readonly claimed?: string
  /** How an equation line follows from the one before: `=>` implies, `<=>` (or nothing) equivalent. */
  readonly relation?: 'implies' | 'equivalent'
}

/** One derivation of the file: its title, lines, and what its `#` lines declare. */
export interface FilePart {
  /** The `# comment` above the derivation's first line. */
  readonly title?: string
  /** The line where the derivation starts (its first expression, or its title). */
  readonly line: number
  readonly lines: readonly FileLine[]
  /** `# vectors: theta, y` */
  readonly vectors: readonly string[]
  /** `# assume: n >= 1`, as written and as parsed conditions. */
  readonly assume: readonly { text: string; condition: Condition }[]
}

const SEPARATOR = /^\s*-{3,}\s*$/
const ASSUME_LINE = /^#\s*assum(?:e|es|ing|ptions?)\s*:\s*(.*)$/i
const VECTORS_LINE = /^#\s*vectors?\s*:/i

/** The derivations in a file: `.tex` by its math environments, `{...}` as a saved derivation, else text. */
export function readDerivationFile(text: string, file: string, announce?: Announce): FilePart[] {
  if (/\.tex$/i.test(file)) return texParts(text, file, announce)
  if (text.trim().startsWith('{')) return [savedPart(text.trim(), file)]
  return textParts(text, file)
}

/** Plain text: parts split at `---` lines; in each, `#` lines are a title or declarations. */
function textParts(text: string, file: string): FilePart[] {
  const rows = text.split(/\r?\n/)
  const parts: FilePart[] = []
  let start = 0
  for (let i = 0; i <= rows.length; i++) {
    if (i < rows.length && !SEPARATOR.test(rows[i]!)) continue
    const part = textPart(rows.slice(start, i), start, file)
    if (part) parts.push(part)
    start = i + 1
  }
  return parts
}

function textPart(rows: readonly string[], offset: number, file: string): FilePart | undefined {
  const lines: FileLine[] = []
  const assume: { text: string; condition: Condition }[] = []
  let title: { text: string; line: number } | undefined
  rows.forEach((raw, k) => {
    const n = offset + k + 1
    const trimmed = raw.trim()
    if (trimmed.startsWith('#')) {
      const a = ASSUME_LINE.exec(trimmed)
      if (a) for (const c of splitConditions(a[1]!)) assume.push({ text: c, condition: condition(c, file, n) })
      else if (!VECTORS_LINE.test(trimmed) && !title && lines.length === 0) {
        const t = trimmed.replace(/^#+\s*/, '')
        if (t) title = { text: t, line: n }
      }
      return
    }
    const hash = raw.indexOf('#')
    const body = (hash >= 0 ? raw.slice(0, hash) : raw).trim()
    const lead = /^(<=>|⇔|=>|⇒|=)\s*/.exec(body)
    const source = body.slice(lead?.[0].length ?? 0)
    if (source === '') return
    const comment = hash >= 0 ? raw.slice(hash + 1).trim() : ''
    const claimed = /^(?:by\s+)?([a-z0-9-]+)$/.exec(comment)?.[1]
    const relation = lead?.[1] === '=>' || lead?.[1] === '⇒' ? ('implies' as const) : ('equivalent' as const)
    const base = { line: n, source, ...(claimed ? { claimed } : {}) }
    const at = equalsSign(source)
    try {
      if (at < 0) lines.push({ ...base, expr: parseExpr(source) })
      else lines.push({ ...base, relation, equation: { lhs: side(source.slice(0, at), 0), rhs: side(source.slice(at + 1), at + 1) } })
    } catch (e) {
      if (!(e instanceof ParseError)) throw e
      lines.push({ ...base, problem: `cannot read "${source}": ${e.reason} at position ${e.position}` })
    }
  })
  if (lines.length === 0) return undefined
  const vectors = declaredVectors(rows.join('\n'))
  if (vectors.bad) throw new UsageError(`${file}, line ${offset + vectors.bad.line}: "${vectors.bad.name}" in "# vectors:" is not a symbol name`)
  return { ...(title ? { title: title.text } : {}), line: title?.line ?? lines[0]!.line, lines, vectors: vectors.names, assume }
}

/** The position of the `=` of an equation (outside brackets, not part of ==, <=, >=, !=), or -1. */
function equalsSign(text: string): number {
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '(' || c === '[') depth++
    else if (c === ')' || c === ']') depth--
    else if (c === '=' && depth === 0 && !'=<>!'.includes(text[i - 1] ?? '') && !'=>'.includes(text[i + 1] ?? '')) return i
  }
  return -1
}

/** One side of an equation; a parse error's position counts from the start of the line. */
function side(text: string, offset: number): Expr {
  try {
    return parseExpr(text)
  } catch (e) {
    if (e instanceof ParseError) throw new ParseError(e.reason, e.input, e.position + offset)
    throw e
  }
}

/** `n >= 1, sigma > 0` → the two conditions (commas inside brackets stay). */
function splitConditions(text: string): string[] {
  const out: string[] = []
  let depth = 0
  let from = 0
  for (let i = 0; i <= text.length; i++) {
    const c = text[i]
    if (c === '(' || c === '[') depth++
    else if (c === ')' || c === ']') depth--
    else if ((c === ',' && depth === 0) || i === text.length) {
      const piece = text.slice(from, i).trim()
      if (piece) out.push(piece)
      from = i + 1
    }
  }
  return out
}

function condition(text: string, file: string, line: number): Condition {
  try {
    return parseCondition(text)
  } catch (e) {
    if (!(e instanceof ParseError)) throw e
    throw new UsageError(`${file}, line ${line}: cannot read the assumption "${text}": ${e.reason} (write e.g. "# assume: n >= 1, sigma > 0")`)
  }
}

/** A saved derivation (SPEC §5): its lines, with each step's rule id as the claim. */
function savedPart(text: string, file: string): FilePart {
  const d = readDerivation(text, file)
  const line = (n: number, expr: Expr, claimed?: string): FileLine => ({ line: n, source: '', expr, ...(claimed ? { claimed } : {}) })
  return {
    line: 1,
    // a saved step may be "algebra: ..." or "by hand (numerically checked)": only rule ids are claims
    lines: [line(1, d.start), ...d.steps.map((s, i) => line(i + 2, s.to, ID_PATTERN.test(s.rule) ? s.rule : undefined))],
    vectors: [],
    assume: [],
  }
}

/** A LaTeX file: one derivation per math environment; `% vectors:` is not LaTeX, so vectors come from `# vectors` anywhere. */
function texParts(text: string, file: string, announce?: Announce): FilePart[] {
  const parts = texDerivations(text)
  if (parts.length === 0) throw new UsageError(`${file}: no math environment (align, align*, equation, \\[ \\], $$ $$) found`)
  const vectors = declaredVectors(text)
  if (vectors.bad) throw new UsageError(`${file}, line ${vectors.bad.line}: "${vectors.bad.name}" in "# vectors:" is not a symbol name`)
  return parts.map((d) => ({
    line: d.lines[0]!.line,
    vectors: vectors.names,
    assume: [],
    lines: d.lines.map((l): FileLine => {
      const base = { line: l.line, source: l.latex.trim(), ...(l.claimed ? { claimed: l.claimed } : {}) }
      try {
        return { ...base, expr: readLatex(l.latex, announce ? { announce } : {}) }
      } catch (e) {
        if (!(e instanceof ParseError)) throw e
        const at = lineColumn(text, l.offset + e.position - 1)
        return { ...base, problem: `cannot read "${l.latex.trim()}" (column ${at.column}): ${e.reason}` }
      }
    }),
  }))
}
