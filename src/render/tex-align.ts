// The rows of an align* environment that fits the page: expressions as `first &= second \\ &=
// third`, equations aligned at their `=` with `\iff` before the left side, and a line too long
// for the page broken at its top-level + and - with a `\quad` continuation. When the left column
// would be too wide, every line moves to the right column (`& first \\ &= second`, `& \iff lhs =
// rhs`). Widths are estimated by tex-width.ts.
import { type Term, termText } from './tex.js'
import { texWidth } from './tex-width.js'

/** \linewidth of the article class at 10pt, in points. */
export const LINE_WIDTH = 345
/** Room kept on the right for a tag `(12)` and its separation. */
const TAG_ROOM = 32
/** The estimate runs at least 0.92 of the real width (tests/export-compile.test.ts): what it may reach. */
const BUDGET = (LINE_WIDTH - TAG_ROOM) * 0.92
/** A left column wider than this leaves too little for the right one; its lines move right. */
const LEFT_MAX = BUDGET * 0.45

/** One line of a derivation as TeX: its terms, and for an equation its left side's terms. */
export interface AlignLine {
  /** `=` before an expression after the first; `\iff`, `\Rightarrow` or '' before an equation. */
  readonly lead: string
  /** The left side of an equation, cut at its top-level + and -. */
  readonly lhs?: readonly Term[]
  /** The expression, or an equation's right side, cut at its top-level + and -. */
  readonly terms: readonly Term[]
  /** A tag for the row where the line starts (`(2)`, pointing at a note). */
  readonly tag?: string
}

/** A row: the left column, the right column (after `&`), and a tag. */
export interface Row {
  readonly left: string
  readonly right: string
  readonly tag?: string
}

const join = (a: string, b: string): string => (a && b ? `${a} ${b}` : a || b)

/** Room kept on a row for the `\\left.` and `\\right.` that close a parenthesis opened across rows. */
const DELIMITERS = 14

/** A term as pieces to place: whole when it fits a row, else opened at the + and - inside its parenthesis. */
const pieces = (t: Term, room: number): string[] =>
  typeof t === 'string' || texWidth(`\\quad ${t.text}`) <= room ? [termText(t)] : [`${t.head} \\left(${t.inner[0]}`, ...t.inner.slice(1, -1), `${t.inner.at(-1)}\\right)`]

const count = (text: string, re: RegExp): number => text.match(re)?.length ?? 0

/** Rows whose \\left and \\right do not pair get `\\left.` and `\\right.` (a parenthesis opened on one row, closed on a later one). */
function balance(rows: readonly string[]): string[] {
  let open = 0
  return rows.map((r) => {
    const before = open
    open += count(r, /\\left\b/g) - count(r, /\\right\b/g)
    const start = r.startsWith('\\quad ') ? '\\quad ' : ''
    return `${start}${'\\left. '.repeat(before)}${r.slice(start.length)}${' \\right.'.repeat(open)}`
  })
}

/** Terms on rows of at most `room` where a break can make them so: the first row starts with `first`, later ones with \\quad. */
function breakTerms(first: string, terms: readonly Term[], room: number): string[] {
  const [head, ...rest] = terms.flatMap((t) => pieces(t, room))
  const opened = terms.some((t) => pieces(t, room).length > 1)
  const rows = [join(first, head ?? '')]
  for (const t of rest) {
    const longer = `${rows.at(-1)} ${t}`
    if (texWidth(longer) + (opened ? DELIMITERS : 0) <= room) rows[rows.length - 1] = longer
    else rows.push(`\\quad ${t}`)
  }
  return opened ? balance(rows) : rows
}

const fits = (rows: readonly string[], room: number): boolean => rows.every((r) => texWidth(r) <= room)

const tagOf = (l: { readonly tag?: string }): { tag?: string } => (l.tag ? { tag: l.tag } : {})

/** A row's worth of a line before breaking: its left column, what starts the right one, the terms. */
interface Unit {
  readonly left: string
  readonly first: string
  readonly terms: readonly Term[]
  readonly tag?: string
}

/**
 * The lines as units aligned at `=`: an equation's left side left of it, the start beside the
 * second line's `=`, every other expression right of it.
 */
function units(lines: readonly AlignLine[]): Unit[] {
  const [start, second] = lines
  const beside = start && second && !start.lhs && !second.lhs && !start.tag
  const text = (ts: readonly Term[]): string => ts.map(termText).join(' ')
  const rest = lines.slice(beside ? 2 : 0).map((l): Unit => ({ left: l.lhs ? join(l.lead, text(l.lhs)) : '', first: l.lhs ? '=' : l.lead, terms: l.terms, ...tagOf(l) }))
  return beside ? [{ left: text(start.terms), first: second.lead, terms: second.terms, ...tagOf(second) }, ...rest] : rest
}

/** Rows aligned at `=`, or undefined when a left column or a term is too wide for it. */
function rowsAligned(lines: readonly AlignLine[]): Row[] | undefined {
  const us = units(lines)
  const left = Math.max(0, ...us.map((u) => texWidth(u.left)))
  if (left > LEFT_MAX) return undefined
  const rows: Row[] = []
  for (const u of us) {
    const broken = breakTerms(u.first, u.terms, BUDGET - left)
    if (!fits(broken, BUDGET - left)) return undefined
    broken.forEach((right, k) => rows.push({ left: k === 0 ? u.left : '', right, ...(k === 0 ? tagOf(u) : {}) }))
  }
  return rows
}

/** Every line in the right column, broken at + and - where it is too long (a term alone wider than the page stays whole). */
function rowsRight(lines: readonly AlignLine[]): Row[] {
  return lines.flatMap((l) => {
    const terms = l.lhs ? [...l.lhs.slice(0, -1), `${termText(l.lhs.at(-1)!)} = ${termText(l.terms[0] ?? '')}`, ...l.terms.slice(1)] : l.terms
    return breakTerms(l.lead, terms, BUDGET).map((right, k) => ({ left: '', right, ...(k === 0 ? tagOf(l) : {}) }))
  })
}

/** A row as text: `left &= right`, `& \\iff right`, and its tag. */
const rowText = (r: Row): string => `  ${r.left ? `${r.left} ` : ''}&${r.right.startsWith('=') ? '' : ' '}${r.right}${r.tag ? ` \\tag*{${r.tag}}` : ''}`

/** A derivation's lines as rows: aligned at `=` where that fits, else each line in the right column. */
export const alignRows = (lines: readonly AlignLine[]): Row[] => rowsAligned(lines) ?? rowsRight(lines)

/** The align* environment of a derivation's lines. */
export function alignEnvironment(lines: readonly AlignLine[]): string {
  const rows = alignRows(lines)
  return `\\begin{align*}\n${rows.map(rowText).join(' \\\\\n')}\n\\end{align*}\n`
}
