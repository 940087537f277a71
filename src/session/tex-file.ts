// The derivations in a LaTeX file (SPEC §1.2): the math environments a student writes homework in
// (align, align*, equation, \[ \], $$ $$), each `=` or `&=` continuing the derivation, `% by RULE`
// or `\text{(by RULE)}` naming the rule claimed for a step. Pure text in, positions out: the
// caller reads the file and parses each expression (so errors point into the .tex source).

/** One expression of a derivation, as LaTeX, where it stands in the file. */
export interface TexLine {
  /** The LaTeX of the expression; alignment marks, comments and labels blanked out (same length). */
  readonly latex: string
  /** 0-based offset of `latex` in the file. */
  readonly offset: number
  /** 1-based line of the file where the expression starts. */
  readonly line: number
  /** The rule the student names for the step that arrives at this line. */
  readonly claimed?: string
}

/** One math environment's derivation: its lines in order. */
export interface TexDerivation {
  readonly environment: string
  readonly lines: readonly TexLine[]
}

const ENVIRONMENTS = ['align*', 'align', 'equation*', 'equation', 'gather*', 'gather', 'multline*', 'multline']

/** Where each math environment's body starts and ends in the file. */
function environments(src: string): { name: string; start: number; end: number }[] {
  const out: { name: string; start: number; end: number }[] = []
  const re = /\\begin\{([a-z]+\*?)\}|\\\[|\$\$/g
  const text = src.replace(/(^|[^\\])%[^\n]*/g, (m, pre: string) => pre + ' '.repeat(m.length - pre.length))
  let m: RegExpExecArray | null
  while ((m = re.exec(text))) {
    const open = m[0]
    const name = m[1] ?? (open === '$$' ? '$$' : '\\[')
    if (m[1] && !ENVIRONMENTS.includes(name)) continue
    const close = m[1] ? `\\end{${name}}` : open === '$$' ? '$$' : '\\]'
    const start = m.index + open.length
    const end = text.indexOf(close, start)
    if (end < 0) break
    out.push({ name, start, end })
    re.lastIndex = end + close.length
  }
  return out
}

/** Split text at occurrences of `sep` outside braces, with each piece's offset in `text`. */
function splitTop(text: string, sep: string): { text: string; offset: number }[] {
  const out: { text: string; offset: number }[] = []
  let depth = 0
  let from = 0
  for (let i = 0; i < text.length; i++) {
    if (depth === 0 && text.startsWith(sep, i)) {
      out.push({ text: text.slice(from, i), offset: from })
      from = i + sep.length
      i += sep.length - 1
    } else if (text[i] === '\\') i++ // \{, \}, \= are not structure
    else if (text[i] === '{') depth++
    else if (text[i] === '}') depth--
  }
  out.push({ text: text.slice(from), offset: from })
  return out
}

const blank = (s: string): string => ' '.repeat(s.length)

/** An environment's body with comments, labels and alignment blanked out (offsets kept), and its claims. */
function cleanBody(body: string): { text: string; claims: { at: number; rule: string }[] } {
  const claims: { at: number; rule: string }[] = []
  let text = body.replace(/(^|[^\\])%([^\n]*)/g, (m, pre: string, comment: string, at: number) => {
    const rule = /^\s*by\s+([a-z0-9-]+)/.exec(comment)?.[1]
    if (rule) claims.push({ at: at + pre.length, rule })
    return pre + blank(m.slice(pre.length))
  })
  text = text.replace(/\\(?:text|textrm|mathrm)\s*\{\s*\(?\s*by\s+([a-z0-9-]+)\s*\)?\s*\}/g, (m, rule: string, at: number) => {
    claims.push({ at, rule })
    return blank(m)
  })
  // labels and tags are not math
  text = text.replace(/\\(?:label|tag\*?)\s*\{[^}]*\}|\\(?:nonumber|notag)\b/g, blank)
  // a parenthesis broken across rows (`\left( a \right. \\ & \left. + b \right)`) is one parenthesis
  text = text.replace(/\\right\.(\s*\\\\\s*&?\s*(?:\\q?quad\b\s*)?)\\left\./g, (m, between: string) => blank('\\right.') + between + blank('\\left.'))
  // nor is the punctuation that ends a sentence; & only aligns
  text = text.replace(/[.,](?=\s*(\\\\|$))/g, blank).replace(/&/g, ' ')
  return { text, claims }
}

/** Every derivation in a LaTeX file, one per math environment, in order. */
export function texDerivations(src: string): TexDerivation[] {
  const out: TexDerivation[] = []
  for (const env of environments(src)) {
    const { text, claims } = cleanBody(src.slice(env.start, env.end))
    const lines: { latex: string; offset: number; line: number; claimed?: string }[] = []
    for (const row of splitTop(text, '\\\\')) {
      const pieces = splitTop(row.text, '=')
      pieces.forEach((p) => {
        if (p.text.trim() === '') return
        const offset = env.start + row.offset + p.offset
        const last = lines.at(-1)
        if (pieces.length === 1 && last) {
          // a row without "=" continues the expression above it (a long line broken in two)
          last.latex += blank(src.slice(last.offset + last.latex.length, offset)) + p.text
          return
        }
        const lead = p.text.length - p.text.trimStart().length
        lines.push({ latex: p.text, offset, line: lineColumn(src, offset + lead).line })
      })
    }
    // a claim names the rule of the step to the expression just before it (`&= c % by rule`)
    for (const c of claims) {
      const target = lines.filter((l) => l.offset < env.start + c.at).at(-1)
      if (target && target !== lines[0]) target.claimed = c.rule
    }
    if (lines.length) out.push({ environment: env.name, lines })
  }
  return out
}

/** 1-based line and column of a 0-based offset in `src`. */
export function lineColumn(src: string, offset: number): { line: number; column: number } {
  const before = src.slice(0, offset)
  const line = before.split('\n').length
  return { line, column: offset - before.lastIndexOf('\n') }
}
