// Expr -> LaTeX, for homework exports. derive's own small printer over Expr rather than mathjs's
// toTex: mathjs would need its node tree rebuilt first and still gets the things students care
// about wrong (`x_i` as `x\_i`, unit letters as `\mathrm{b}`, sums as `sum(...)`, see
// MATHJS-NOTES "Printing"). Products become juxtaposition and fractions, sums and products
// `\sum_{i=1}^{n}`, `diff(f, x)` `\frac{d}{dx}`, `x[i]` `x_{i}`, `A'` `A^{\top}`, `inv(A)` `A^{-1}`.
import { type Call, type Expr, isCall, neg, num, OPS, pow } from '../core/expr.js'
import { parseCondition, parseExpr } from '../core/parse.js'
import { displayNames } from '../core/scope.js'
import { formatNumber, isNegativeTerm } from '../core/print.js'

// Binding strength of what a piece of TeX shows at its top: a piece whose strength is at most
// what its context needs gets parentheses.
const PREC = { add: 10, mul: 20, unary: 25, sup: 30, sub: 40, atom: 50 } as const

/** TeX text and the binding strength at its top; `big` for an operator that reaches right (∑, d/dx). */
interface Piece {
  readonly text: string
  readonly prec: number
  readonly big?: boolean
}

const GREEK = new Set(
  (
    'alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi varpi rho varrho ' +
    'sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega'
  ).split(' '),
)
const GREEK_LETTERS = 'αβγδεζηθικλμνξοπρςστυφχψω'
const GREEK_NAMES = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi o pi rho varsigma sigma tau upsilon phi chi psi omega'.split(' ')
const GREEK_UPPER: ReadonlyMap<string, string> = new Map(Object.entries({ Γ: 'Gamma', Δ: 'Delta', Θ: 'Theta', Λ: 'Lambda', Ξ: 'Xi', Π: 'Pi', Σ: 'Sigma', Υ: 'Upsilon', Φ: 'Phi', Ψ: 'Psi', Ω: 'Omega' }))

/** A Greek letter typed as a Unicode character (σ) or spelled out (sigma), as its TeX command. */
function greek(name: string): string | undefined {
  const i = GREEK_LETTERS.indexOf(name)
  if (name.length === 1 && i >= 0) return GREEK_NAMES[i] === 'o' ? 'o' : `\\${GREEK_NAMES[i]}`
  const upper = GREEK_UPPER.get(name)
  if (upper) return `\\${upper}`
  return GREEK.has(name) ? `\\${name}` : undefined
}

const DECORATION = /^(.+?)(hat|bar|tilde)$/

/** A name without subscript: a letter, a Greek letter, a decorated one (yhat), else upright-italic. */
function baseName(name: string): string {
  const g = greek(name)
  if (g) return g
  if (name.length === 1) return name
  const deco = DECORATION.exec(name)
  if (deco && (deco[1]!.length === 1 || greek(deco[1]!))) return `\\${deco[2]}{${baseName(deco[1]!)}}`
  return `\\mathit{${escapeText(name)}}`
}

/**
 * A symbol name in TeX: `sigma` \sigma, `x_i` x_{i}, `theta0` \theta_{0}, `yhat` \hat{y}. Single
 * letters stay bare (never \mathrm, even those mathjs reads as units); other names are \mathit.
 */
export function symbolTex(name: string): string {
  if (name === 'pi') return '\\pi'
  const underscore = name.indexOf('_')
  if (underscore > 0 && underscore < name.length - 1) {
    return `${baseName(name.slice(0, underscore))}_{${symbolTex(name.slice(underscore + 1))}}`
  }
  const digits = /^(.*[^0-9])([0-9]+)$/.exec(name)
  if (digits) return `${baseName(digits[1]!)}_{${digits[2]}}`
  return baseName(name)
}

/** A number in TeX: 0.001 as written, 1e+21 as 1 \times 10^{21}. */
function numberTex(v: number): string {
  const text = formatNumber(v)
  const m = /^(-?[0-9.]+)e([+-]?)([0-9]+)$/.exec(text)
  if (!m) return text
  return `${m[1]} \\times 10^{${m[2] === '-' ? '-' : ''}${m[3]}}`
}

/** Text for \text{...}: TeX's special characters escaped. */
export function escapeText(s: string): string {
  return s.replace(/[\\{}$&#_%^~]/g, (c) => {
    if (c === '\\') return '\\textbackslash{}'
    if (c === '^') return '\\^{}'
    if (c === '~') return '\\~{}'
    return `\\${c}`
  })
}

/** A note in text mode (a rule's name, a verdict): a power such as sigma ^ 3 or x^(n-1) as a superscript, the rest escaped. */
export function noteText(s: string): string {
  let out = ''
  let last = 0
  for (const m of s.matchAll(/\s*\^\s*(\([^()]*\)|[A-Za-z0-9.]+)/g)) {
    const power = m[1]!.startsWith('(') ? m[1]!.slice(1, -1) : m[1]!
    out += `${escapeText(s.slice(last, m.index))}\\textsuperscript{${escapeText(power)}}`
    last = m.index + m[0].length
  }
  return out + escapeText(s.slice(last))
}

/** Parentheses that grow with what they hold (a fraction or a sum inside), or always (`tall`). */
function paren(text: string, open = '(', close = ')', tall = false): string {
  return tall || /\\(frac|sum|prod|int|sqrt|left)/.test(text) ? `\\left${open}${text}\\right${close}` : `${open}${text}${close}`
}

/** Functions TeX has an operator for; other names of several letters are \operatorname. */
const OPERATOR_NAMES = new Set(['log', 'ln', 'exp', 'sin', 'cos', 'tan', 'cot', 'sec', 'csc', 'sinh', 'cosh', 'tanh', 'coth', 'arcsin', 'arccos', 'arctan', 'det', 'max', 'min', 'gcd', 'dim', 'ker'])

/** The TeX of a function name: \log, \operatorname{sigmoid}, f, \phi. */
function functionName(name: string): string {
  if (OPERATOR_NAMES.has(name)) return `\\${name}`
  if (name === 'trace') return '\\operatorname{tr}'
  if (name === 'E') return '\\mathbb{E}'
  const g = greek(name)
  if (g) return g
  return name.length === 1 ? name : `\\operatorname{${escapeText(name)}}`
}

const REL_TEX: Readonly<Record<string, string>> = { '>': '>', '<': '<', '>=': '\\geq', '<=': '\\leq', '!=': '\\neq', '==': '=' }

/** An expression in TeX (math mode, no delimiters), its variables named as written. */
export function toTex(e: Expr): string {
  return piece(displayNames(e)).text
}

/**
 * An assumption such as "x > 0" or "n is an integer" in TeX (math mode); text derive cannot read
 * back as a comparison is kept as \text.
 */
export function assumptionTex(text: string): string {
  try {
    const integer = /^(.*) is an integer$/.exec(text)
    if (integer) return `${toTex(parseExpr(integer[1]!))} \\in \\mathbb{Z}`
    const c = parseCondition(text)
    if (c.kind === 'rel') return `${toTex(c.lhs)} ${REL_TEX[c.op]} ${toTex(c.rhs)}`
  } catch {
    // not an expression: shown as words below
  }
  return `\\text{${escapeText(text)}}`
}

/** e as a part that needs binding strength above `min`, in parentheses otherwise (tall ones after ∑ or d/dx). */
function sub(e: Expr, min: number, tall = false): string {
  const p = piece(e)
  return p.prec <= min ? paren(p.text, '(', ')', tall) : p.text
}

function piece(e: Expr): Piece {
  if (e.kind === 'num') {
    const text = numberTex(e.value)
    // 1 \times 10^{30} is a product with a superscript
    return { text, prec: text.includes('times') ? PREC.mul : e.value < 0 ? PREC.unary : PREC.atom }
  }
  if (e.kind === 'sym') {
    const text = symbolTex(e.name)
    return { text, prec: text.includes('_') ? PREC.sub : PREC.atom }
  }
  const a = e.args
  switch (e.head) {
    case OPS.add:
      return { text: sumTerms(a), prec: PREC.add }
    case OPS.mul:
      return product(a)
    case OPS.pow:
      return power(e)
    case OPS.transpose:
      return { text: `${sub(a[0]!, PREC.sup)}^{\\top}`, prec: PREC.sup }
    case OPS.factorial:
      return { text: `${sub(a[0]!, PREC.sub)}!`, prec: PREC.sub }
    case OPS.index:
      return indexed(a)
    case OPS.given:
      return { text: `${sub(a[0]!, 0)} \\mid ${sub(a[1]!, 0)}`, prec: PREC.add - 1 }
    case OPS.and:
    case OPS.or:
      return { text: a.map((x) => sub(x, PREC.add)).join(e.head === OPS.and ? ' \\cap ' : ' \\cup '), prec: PREC.add }
    case OPS.not:
      return { text: `\\neg ${sub(a[0]!, PREC.unary)}`, prec: PREC.unary }
    default:
      return special(e) ?? { text: `${functionName(e.head)}${paren(a.map(toTex).join(', '))}`, prec: PREC.atom }
  }
}

/** Terms of a sum, each after its sign ("+ b", "- c"; a negative term without its own sign). */
function termList(terms: readonly Expr[]): string[] {
  return terms.map((t, i) => {
    if (i > 0 && isNegativeTerm(t)) return `- ${sub(neg(t), PREC.add)}`
    return (i > 0 ? '+ ' : '') + sub(t, PREC.add)
  })
}

/** Terms joined by + and -. */
const sumTerms = (terms: readonly Expr[]): string => termList(terms).join(' ')

/**
 * A term of a line, for breaking it. A term that ends in a parenthesised sum (`\sum_{i} (a + b)`,
 * `c (a + b)`, `\frac{d}{dx} (a + b)`) can itself be opened: its TeX before the parenthesis, and
 * the terms inside.
 */
export type Term = string | { readonly text: string; readonly head: string; readonly inner: readonly string[] }

export const termText = (t: Term): string => (typeof t === 'string' ? t : t.text)

/** The head and inner terms of a term that ends in a parenthesised sum. */
function opening(e: Expr): { head: string; inner: string[] } | undefined {
  if (!isCall(e)) return undefined
  const [body, v, lo, hi] = e.args
  const inner = (x: Expr | undefined): string[] | undefined => (isCall(x, OPS.add) ? termList(x.args) : undefined)
  if ((e.head === 'sum' || e.head === 'prod') && e.args.length === 4) {
    const terms = inner(body)
    return terms && { head: `\\${e.head}_{${piece(v!).text}=${piece(lo!).text}}^{${piece(hi!).text}}`, inner: terms }
  }
  if (e.head === 'diff' && e.args.length === 2) {
    const terms = inner(body)
    return terms && { head: `\\frac{d}{d${piece(v!).text}}`, inner: terms }
  }
  if (e.head === OPS.mul && e.args.length > 1) {
    const terms = inner(e.args.at(-1))
    return terms && { head: product(e.args.slice(0, -1)).text, inner: terms }
  }
  return undefined
}

/** An expression's TeX cut at its top-level + and -, for breaking a long line: `a`, `+ b`, `- c`. */
export function texTerms(e: Expr): Term[] {
  const shown = displayNames(e)
  const terms = isCall(shown, OPS.add) ? shown.args : [shown]
  const texts = isCall(shown, OPS.add) ? termList(shown.args) : [piece(shown).text]
  return terms.map((t, i) => {
    const negative = i > 0 && isNegativeTerm(t)
    const open = opening(negative ? neg(t) : t)
    const sign = i === 0 ? '' : negative ? '- ' : '+ '
    return open ? { text: texts[i]!, head: `${sign}${open.head}`, inner: open.inner } : texts[i]!
  })
}

/** A factor b ^ -k (k a positive number), which goes under a fraction bar as b ^ k. */
function denominator(f: Expr): Expr | undefined {
  if (!isCall(f, OPS.pow)) return undefined
  const k = f.args[1]
  return k?.kind === 'num' && k.value < 0 ? (k.value === -1 ? f.args[0]! : pow(f.args[0]!, num(-k.value))) : undefined
}

/** A factor of a product as shown: its piece, and whether it is a number (then `\cdot` before it). */
interface Factor extends Piece {
  readonly number?: boolean
}

const factorOf = (e: Expr): Factor => ({ ...piece(e), number: e.kind === 'num' })

/**
 * Factors side by side: `2 x`, `x y`, `2 \cdot 3`; a big operator not last is parenthesised. A
 * single factor needs binding strength above `single` (0 under a fraction bar, a sum after "-").
 */
function juxtapose(factors: readonly Factor[], single: number): string {
  if (factors.length === 1) return factors[0]!.prec <= single ? paren(factors[0]!.text) : factors[0]!.text
  let text = ''
  factors.forEach((p, i) => {
    const last = i === factors.length - 1
    const min = i === 0 ? PREC.mul : PREC.unary
    const shown = (p.big && !last) || (!(p.big && last) && p.prec <= min) ? paren(p.text) : p.text
    text += i === 0 ? shown : (p.number ? ' \\cdot ' : ' ') + shown
  })
  return text
}

/**
 * Factors in their order, as the plain printer reads them: each run of factors followed by
 * reciprocals becomes one \frac, so `1 / (2 * sigma ^ 2) * sum(...)` is \frac{1}{2 \sigma^{2}}
 * \sum... and `n / 2 * log(2 * pi)` is \frac{n}{2} \log(2 \pi).
 */
function fractions(factors: readonly Expr[]): Factor[] {
  const out: Factor[] = []
  let over: Expr[] = []
  let under: Expr[] = []
  const close = (): void => {
    const top = over.length ? juxtapose(over.map(factorOf), 0) : '1'
    out.push({ text: `\\frac{${top}}{${juxtapose(under.map(factorOf), 0)}}`, prec: PREC.sup })
    over = []
    under = []
  }
  for (const f of factors) {
    const d = denominator(f)
    if (d) under.push(d)
    else {
      if (under.length) close()
      over.push(f)
    }
  }
  if (under.length) close()
  return [...out, ...over.map(factorOf)]
}

/** A product: factors side by side, reciprocals under a \frac; a leading -1 as "-". */
function product(factors: readonly Expr[]): Piece {
  let rest = factors
  let sign = ''
  const first = rest[0]
  if (first?.kind === 'num' && first.value < 0 && rest.length > 1 && rest[1]!.kind !== 'num') {
    sign = '-'
    rest = first.value === -1 ? rest.slice(1) : [num(-first.value), ...rest.slice(1)]
  }
  const shown = fractions(rest)
  const big = shown.at(-1)?.big === true
  return { text: `${sign}${juxtapose(shown, PREC.add)}`, prec: sign ? PREC.unary - 1 : PREC.mul, ...(big ? { big } : {}) }
}

/** b ^ e; b ^ -k as 1 / b ^ k; a base that already carries a superscript is parenthesised. */
function power(e: Call): Piece {
  if (denominator(e)) return product([e])
  const [base, exponent] = e.args as [Expr, Expr]
  return { text: `${sub(base, PREC.sup)}^{${toTex(exponent)}}`, prec: PREC.sup }
}

/** x[i] as x_{i}, x[i, j] as x_{i,j}; a base that already has a subscript is grouped. */
function indexed(a: readonly Expr[]): Piece {
  const base = piece(a[0]!)
  const shown = base.prec === PREC.atom ? base.text : base.prec === PREC.sub ? `{${base.text}}` : paren(base.text)
  return { text: `${shown}_{${a.slice(1).map(toTex).join(',')}}`, prec: PREC.sub }
}

/** Function calls with their own notation (sums, derivatives, roots, ...); undefined for f(x). */
function special(e: Call): Piece | undefined {
  const a = e.args
  const [x, y, lo, hi] = a
  switch (`${e.head}/${a.length}`) {
    case 'sum/4':
    case 'prod/4':
      return { text: `\\${e.head}_{${toTex(y!)}=${toTex(lo!)}}^{${toTex(hi!)}} ${sub(x!, PREC.add, true)}`, prec: PREC.mul, big: true }
    case 'sum/2':
    case 'prod/2':
      return { text: `\\${e.head}_{${toTex(y!)}} ${sub(x!, PREC.add, true)}`, prec: PREC.mul, big: true }
    case 'diff/2':
      return { text: `\\frac{d}{d${toTex(y!)}} ${sub(x!, PREC.mul, true)}`, prec: PREC.mul, big: true }
    case 'int/2':
      return { text: `\\int ${toTex(x!)} \\, d${toTex(y!)}`, prec: PREC.mul, big: true }
    case 'int/4':
      return { text: `\\int_{${toTex(lo!)}}^{${toTex(hi!)}} ${toTex(x!)} \\, d${toTex(y!)}`, prec: PREC.mul, big: true }
    case 'sqrt/1':
      return { text: `\\sqrt{${toTex(x!)}}`, prec: PREC.sup }
    case 'nthRoot/2':
      return { text: `\\sqrt[${toTex(y!)}]{${toTex(x!)}}`, prec: PREC.sup }
    case 'inv/1':
      return { text: `${sub(x!, PREC.sup)}^{-1}`, prec: PREC.sup }
    case 'delta/2':
      return { text: `\\delta_{${toTex(x!)} ${toTex(y!)}}`, prec: PREC.atom }
    case 'abs/1':
      return { text: `\\left\\lvert ${toTex(x!)} \\right\\rvert`, prec: PREC.atom }
    case 'log/2':
      return { text: `\\log_{${toTex(y!)}}${paren(toTex(x!))}`, prec: PREC.atom }
    case 'mod/2':
      return { text: `${sub(x!, PREC.mul)} \\bmod ${sub(y!, PREC.mul)}`, prec: PREC.mul }
    case 'E/1':
      return { text: `\\mathbb{E}${paren(toTex(x!), '[', ']')}`, prec: PREC.atom }
  }
  return undefined
}
