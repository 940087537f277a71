// How wide a piece of TeX (as tex.ts prints it) comes out in display math, estimated by counting
// glyphs: a letter is 1, a binary operator with its spaces 2, a fraction the wider of its two
// parts, a sum's limits below it, sub- and superscripts smaller. The export uses it to break long
// lines so that pdflatex never reports an overfull box; tests/export-compile.test.ts measures it
// against pdflatex.

/** Points per glyph at 10pt (an italic letter is about 5pt; kept on the wide side). */
export const PT_PER_GLYPH = 6

type Size = 'display' | 'text' | 'script' | 'scriptscript'
const SCALE: Readonly<Record<Size, number>> = { display: 1, text: 1, script: 0.7, scriptscript: 0.5 }
const SMALLER: Readonly<Record<Size, Size>> = { display: 'script', text: 'script', script: 'scriptscript', scriptscript: 'scriptscript' }
/** The style of a fraction's parts. */
const FRACTION: Readonly<Record<Size, Size>> = { display: 'text', text: 'script', script: 'scriptscript', scriptscript: 'scriptscript' }

/** Commands that print a relation or binary operator, with the glyphs they take with their spaces. */
const OPERATORS: Readonly<Record<string, number>> = {
  iff: 4,
  Rightarrow: 3,
  neq: 2.2,
  geq: 2.2,
  leq: 2.2,
  in: 2,
  cdot: 1.6,
  times: 2,
  mid: 1.6,
  cap: 2,
  cup: 2,
  bmod: 4,
  quad: 2,
  qquad: 4,
  neg: 1.2,
  top: 1.5,
}
const SPACES: Readonly<Record<string, number>> = { ',': 0.35, ';': 0.5, ':': 0.45, ' ': 0.6, '!': -0.3 }
/** Commands whose argument is words, set upright (each character counts). */
const WORDS = new Set(['operatorname', 'mathit', 'text', 'mathrm', 'mathbb', 'textbf', 'small'])
/** Commands that place an accent over their argument. */
const ACCENTS = new Set(['hat', 'bar', 'tilde', 'vec', 'dot', 'phantom'])
const BIG = new Set(['sum', 'prod', 'int'])

/** The text of the group at `i` (`{...}` or one token) and the index after it. */
function group(tex: string, i: number): [string, number] {
  while (tex[i] === ' ') i++
  if (tex[i] === '{') {
    let depth = 0
    for (let j = i; j < tex.length; j++) {
      if (tex[j] === '\\') j++
      else if (tex[j] === '{') depth++
      else if (tex[j] === '}' && --depth === 0) return [tex.slice(i + 1, j), j + 1]
    }
    return [tex.slice(i + 1), tex.length]
  }
  if (tex[i] === '\\') {
    const m = /^\\([a-zA-Z]+|.)/.exec(tex.slice(i))!
    return [m[0], i + m[0].length]
  }
  return [tex[i] ?? '', i + 1]
}

/** Width in glyphs of TeX in the given style. */
function widthIn(tex: string, size: Size): number {
  const k = SCALE[size]
  let w = 0
  let i = 0
  while (i < tex.length) {
    const c = tex[i]!
    if (c === ' ' || c === '{' || c === '}' || c === '&') {
      i++
      continue
    }
    if (c === '_' || c === '^') {
      // a script next to the last glyph (a sum's limits are handled with the sum)
      const [arg, next] = group(tex, i + 1)
      const script = widthIn(arg, SMALLER[size])
      const other = tex[next] === (c === '_' ? '^' : '_') ? group(tex, next + 1) : undefined
      w += Math.max(script, other ? widthIn(other[0], SMALLER[size]) : 0)
      i = other ? other[1] : next
      continue
    }
    if (c !== '\\') {
      const unary = c === '-' && /^\s*$|[(\[{]\s*$/.test(tex.slice(0, i))
      w += ('+-=<>'.includes(c) && !unary ? 2.2 : c === ',' ? 0.6 : /[A-Z]/.test(c) ? 1.3 : 1) * k
      i++
      continue
    }
    const m = /^\\([a-zA-Z]+|.)/.exec(tex.slice(i))!
    const name = m[1]!
    i += m[0].length
    if (name in SPACES) {
      w += SPACES[name]! * k
    } else if (name in OPERATORS) {
      w += OPERATORS[name]! * k
    } else if (name === 'frac') {
      const [top, a] = group(tex, i)
      const [bottom, b] = group(tex, a)
      w += Math.max(widthIn(top, FRACTION[size]), widthIn(bottom, FRACTION[size])) + 0.4 * k
      i = b
    } else if (name === 'sqrt') {
      let index = 0
      if (tex[i] === '[') {
        const end = tex.indexOf(']', i)
        index = widthIn(tex.slice(i + 1, end), 'scriptscript')
        i = end + 1
      }
      const [body, next] = group(tex, i)
      w += widthIn(body, size) + (1 + index) * k
      i = next
    } else if (name === 'left' || name === 'right') {
      const [, next] = group(tex, i)
      w += 1.1 * k
      i = next
    } else if (WORDS.has(name)) {
      const [arg, next] = group(tex, i)
      w += arg.replace(/\\./g, 'x').length * (name === 'mathit' || name === 'mathbb' ? 1 : 0.85) * k + (name === 'operatorname' ? 0.3 * k : 0)
      i = next
    } else if (ACCENTS.has(name)) {
      const [arg, next] = group(tex, i)
      w += widthIn(arg, size)
      i = next
    } else if (BIG.has(name)) {
      // display style: limits under and over a large sign; otherwise beside a smaller one
      let sub = 0
      let sup = 0
      while (tex[i] === '_' || tex[i] === '^') {
        const [arg, next] = group(tex, i + 1)
        const s = widthIn(arg, SMALLER[size])
        if (tex[i] === '_') sub = s
        else sup = s
        i = next
      }
      w += size === 'display' && name !== 'int' ? Math.max(1.6, sub, sup) + 0.4 : (name === 'int' ? 2 : 1.2) * k + Math.max(sub, sup)
    } else {
      // a Greek letter, \log and the like: the letters it prints
      w += (/^(log|ln|exp|sin|cos|tan|cot|sec|csc|sinh|cosh|tanh|coth|arcsin|arccos|arctan|det|max|min|gcd|dim|ker)$/.test(name) ? name.length * 0.85 + 0.3 : /^[A-Z]/.test(name) ? 1.3 : 1) * k
    }
  }
  return w
}

/** Estimated width in points of TeX set in display math at 10pt. */
export const texWidth = (tex: string): number => widthIn(tex, 'display') * PT_PER_GLYPH

/** Estimated width in points of text (a note, a title) at 10pt. */
export const textWidth = (text: string): number => text.length * 0.9 * PT_PER_GLYPH
