// Text -> Expr, in the notation of SPEC §1. Student input is normalised first (Unicode operators a
// student pastes from a PDF), and every error carries the 1-based character position in the text
// exactly as the student typed it.
import type { MathNode } from 'mathjs'
import { add, call, div, type Expr, isCall, isConditionHead, mul, neg, num, numLiteral, OPS, pow, PROBABILITY_FNS, RELATION_HEADS, sub, sym } from './expr.js'
import { isVariable, readLatex } from './latex.js'
import { NumberText, parseMathjs } from './mathjs.js'
import { print } from './print.js'
import { renameApart } from './scope.js'

/** A bad expression: what is wrong, and where (1-based character position in `input`). */
export class ParseError extends Error {
  constructor(
    readonly reason: string,
    readonly input: string,
    readonly position: number,
  ) {
    super(`${reason} at position ${position}`)
    this.name = 'ParseError'
  }
}

interface Normalised {
  text: string
  /** origin[i] = index in the original input of normalised character i */
  origin: number[]
  /** Readings that are a choice, found while normalising (told once to the user). */
  readings: string[]
}

/** Where derive tells a reading that is a choice ("reading σ(z) as sigmoid(z)"); core never prints. */
export type Announce = (reading: string) => void

export interface ParseOptions {
  /** Told each reading of the input that differs from its literal text by a choice. */
  readonly announce?: Announce
  /**
   * A rule's pattern or template: its binders' variables are wildcards named as written. (Other
   * input is renamed apart, SPEC §1.3: each binder gets a variable of its own.)
   */
  readonly pattern?: boolean
  /**
   * Names used as plain values in the lines read together with this one (the other side of a
   * step, see `valueNames`): applied to something, such a name multiplies (p(1 - p) is p * (1 - p)).
   */
  readonly values?: ReadonlySet<string>
}

/** What one reading pass knows of the value rule: the names read as values, and the names it applied. */
export interface ValueNames {
  readonly values: ReadonlySet<string>
  /** Filled by the pass: each name it applied as a function or a probability (p(x), theta(y)). */
  readonly applied: Set<string>
  /** The line's own plain names, known before reading it (the mathjs reader's symbols). */
  readonly plain?: ReadonlySet<string>
  /** The mathjs reader's products read so far (node -> value and argument), for a power that follows. */
  readonly products?: Map<unknown, { value: Expr; arg: Expr }>
}

/**
 * The value rule (README "A name used as a number"): read with `once`; when the line applies a name
 * it also uses as a plain value (p in p(1 - p)), read again with that name a value, so name(...)
 * multiplies. Only the last pass's readings are told, each once.
 */
export function readWithValues(options: ParseOptions, once: (names: ValueNames, announce: Announce) => Expr): Expr {
  const values = new Set(options.values)
  for (;;) {
    const said: string[] = []
    const applied = new Set<string>()
    const e = once({ values, applied }, (r) => said.push(r))
    const plain = plainNames(e)
    const clash = [...applied].filter((n) => plain.has(n))
    if (clash.length === 0) {
      for (const r of new Set(said)) options.announce?.(r)
      return e
    }
    for (const n of clash) values.add(n)
  }
}

/** The names an expression uses as plain values: its symbols (not an entry's vector) and its entries as p_k. */
export function plainNames(root: Expr): Set<string> {
  const out = new Set<string>()
  const stack: Expr[] = [root]
  while (stack.length) {
    const e = stack.pop()!
    if (e.kind === 'sym') out.add(e.name)
    if (e.kind !== 'call') continue
    if (e.head === OPS.index) {
      const [base, ...indices] = e.args
      if (base?.kind === 'sym' && indices.length === 1 && (indices[0]!.kind === 'sym' || indices[0]!.kind === 'num')) out.add(`${base.name}_${print(indices[0]!)}`)
      if (base?.kind !== 'sym') stack.push(base!)
      stack.push(...indices)
    } else stack.push(...e.args)
  }
  return out
}

/** The names used as plain values in other lines read with this one (lines that cannot be read add none). */
export function valueNames(others: readonly string[]): Set<string> {
  const out = new Set<string>()
  for (const text of others) {
    try {
      for (const n of plainNames(readExpr(text, {}))) out.add(n)
    } catch (e) {
      if (!(e instanceof ParseError)) throw e
    }
  }
  return out
}

/** Heads the value rule never touches: derive's own functions and operators. */
const FIXED_HEADS = new Set(['ind', 'piecewise', 'max', 'min', 'delta', 'nthRoot', 'mod', 'P', 'E', 'Var', 'Cov'])

/** Is `name` applied to arguments subject to the value rule (p, sigma, an unknown function)? */
export const valueRuleApplies = (name: string, fixed: ReadonlySet<string> = FIXED_HEADS): boolean => !fixed.has(name)

/**
 * name(args) where name is a value: the product value * arg, with the reading to tell; or, when
 * the argument reads as an event (a bar, a comparison, several arguments), the refusal to give.
 */
export function valueTimes(name: string, value: Expr, args: readonly Expr[]): { e: Expr; reading: string } | { refusal: string } {
  const arg = args[0]
  const eventLike = (x: Expr): boolean => x.kind === 'call' && (x.head === OPS.given || x.head === OPS.and || x.head === OPS.or || x.head === OPS.not || RELATION_HEADS.has(x.head))
  if (args.length !== 1 || eventLike(arg!)) {
    const what = name === 'p' ? ', or P(...) for a probability' : ', or give the function a name of its own'
    return { refusal: `${name} is used as a number in these lines and is applied here to ${args.map((a) => print(a)).join(', ')}: write ${name} * (...) for a product${what}` }
  }
  const e = mul([value, arg!])
  return { e, reading: `reading ${name}(${print(arg!)}) as ${print(e)}` }
}

/** Longest expression read (characters): longer input is refused before any parsing. */
export const MAX_LENGTH = 100_000

/** Deeper trees are refused, before parsing (a text estimate) and after (the tree itself). */
export const MAX_DEPTH = 200

const tooDeep = (input: string, position = 1): ParseError =>
  new ParseError(`the expression is nested too deeply (at most ${MAX_DEPTH} levels)`, input, position)

const SIMPLE: ReadonlyMap<string, string> = new Map(Object.entries({
  '×': '*',
  '·': '*',
  '⋅': '*',
  '∗': '*',
  '÷': '/',
  '−': '-',
  '–': '-',
  '≤': '<=',
  '≥': '>=',
  '≠': '!=',
  '’': "'",
  '′': "'",
  'ᵀ': "'",
  '⊤': "'",
  '\u00a0': ' ',
  '\u2009': ' ',
  '\u202f': ' ',
}))

/** Greek letters as the names derive uses (σ is sigma, π is the constant pi). */
const GREEK: ReadonlyMap<string, string> = new Map(Object.entries({
  α: 'alpha', β: 'beta', γ: 'gamma', δ: 'delta', ε: 'epsilon', ϵ: 'epsilon', ζ: 'zeta', η: 'eta', θ: 'theta', ϑ: 'theta',
  ι: 'iota', κ: 'kappa', λ: 'lambda', μ: 'mu', ν: 'nu', ξ: 'xi', π: 'pi', ρ: 'rho', σ: 'sigma', ς: 'sigma', τ: 'tau',
  υ: 'upsilon', φ: 'phi', ϕ: 'phi', χ: 'chi', ψ: 'psi', ω: 'omega', Γ: 'Gamma', Δ: 'Delta', Θ: 'Theta', Λ: 'Lambda',
  Ξ: 'Xi', Φ: 'Phi', Ψ: 'Psi', Ω: 'Omega',
}))

const SUBSCRIPT = '₀₁₂₃₄₅₆₇₈₉ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼᵣᵤᵥ'
const SUBSCRIPT_PLAIN = '0123456789aeoxhklmnpstijruv'
const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹ⁿ'
const SUPERSCRIPT_PLAIN = '0123456789n'

const REFUSED: ReadonlyMap<string, string> = new Map(Object.entries({
  '∑': 'write a sum as sum(body, i, lo, hi)',
  Σ: 'write a sum as sum(body, i, lo, hi) (a matrix named Sigma as Sigma)',
  '∏': 'write a product as prod(body, i, lo, hi)',
  Π: 'write a product as prod(body, i, lo, hi) (a matrix named Pi as Pi)',
  '∫': 'write an integral as int(f, x) or int(f, x, a, b)',
  '∂': 'write a derivative as diff(f, x)',
  '∇': 'write a gradient as diff(f, x) (one entry: diff(f, x[i]))',
  '∞': 'infinity is not supported; use a symbol such as n',
  '∈': 'set membership is not an expression',
  '→': 'write a rule as lhs and rhs separately',
  '∩': 'write an intersection of events as A and B',
  '∪': 'write a union of events as A or B',
  '¬': 'write a complement as not A',
  '⁻': 'write a negative power as x^(-1) (a matrix inverse as inv(A))',
  '⁺': 'write a power as x^n',
  '‖': "a norm has no notation: write sqrt(x' * x) or sqrt(sum(x[i]^2, i, 1, n))",
}))

/** Functions that must be applied with parentheses (`log x` is refused: write log(x)). */
const FUNCTION_NAMES = new Set(['log', 'ln', 'exp', 'sqrt', 'sin', 'cos', 'tan', 'sinh', 'cosh', 'tanh', 'sigmoid', 'softmax', 'relu', 'abs', 'det', 'trace', 'inv', 'diff', 'int', 'sum', 'prod', 'Var', 'Cov'])

const isWordChar = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z0-9]$/.test(c)
const isLetter = (c: string | undefined): boolean => c !== undefined && (/^[A-Za-z]$/.test(c) || GREEK.has(c))

/** The text-level refusals of lecture notation that mathjs would misread (`d/dx f`, `||x||`). */
function refuseText(input: string): void {
  const deriv = /(^|[^A-Za-z0-9_])(d(?:[A-Za-z]|[\u0370-\u03ff])?\s*\/\s*d(?:[A-Za-z]|[\u0370-\u03ff]))/.exec(input)
  if (deriv) throw new ParseError(`"${deriv[2]}" is a derivative: write diff(f, x)`, input, deriv.index + deriv[1]!.length + 1)
  const norm = input.indexOf('||')
  if (norm >= 0) throw new ParseError(`||x||: ${REFUSED.get('‖')}`, input, norm + 1)
}

/**
 * Rewrite the lecture notation a student pastes into mathjs syntax: Unicode operators, Greek
 * letters (glued ones split: 2πσ² is 2 pi sigma^2), sub- and superscripts (xᵢ, x_{i,j}, x²),
 * `^{...}` groups and the transpose marks; refuse what cannot be read safely.
 */
export function normalise(input: string): Normalised {
  refuseText(input)
  let text = ''
  const origin: number[] = []
  const readings: string[] = []
  const push = (s: string, from: number): void => {
    text += s
    for (let k = 0; k < s.length; k++) origin.push(from)
  }
  const chars = Array.from(input)
  const starts: number[] = [] // UTF-16 index of each code point
  let offset = 0
  for (const c of chars) {
    starts.push(offset)
    offset += c.length
  }
  // what each `{` opened: a subscript `_{` (closes as `]`), a superscript `^{` (as `)`), or braces
  const groups: ('sub' | 'sup' | 'brace' | 'paren' | 'ind')[] = []
  for (let k = 0; k < chars.length; k++) {
    const c = chars[k]!
    const here = starts[k]!
    if (c === '√') {
      // √(x) -> sqrt(x); √x -> sqrt(x) for a name or number right after the sign
      const rest = chars.slice(k + 1).join('')
      const m = /^[A-Za-z_\u0370-\u03ff][A-Za-z0-9_\u0370-\u03ff]*|^\d+(\.\d+)?/.exec(rest)
      if (rest.startsWith('(')) push('sqrt', here)
      else if (m) {
        push('sqrt(', here)
        const n = Array.from(m[0]).length
        for (let j = 1; j <= n; j++) {
          const ch = chars[k + j]!
          push(GREEK.get(ch) ?? ch, starts[k + j]!)
        }
        push(')', here)
        k += n
      } else throw new ParseError('"√" must be followed by a name, a number or "("', input, here + 1)
      continue
    }
    const after = c === '_' && text.at(-1) === ']' ? /^_([a-z]|[0-9]+)/.exec(chars.slice(k, k + 12).join('')) : null
    if (after) {
      // x^{(i)}_j: a subscript on an entry is a further index, x[i][j]
      push(`[${after[1]}]`, here)
      k += after[0].length - 1
      continue
    }
    if (c === '_' && chars[k + 1] === '{') {
      groups.push('sub')
      push('[', here)
      k++
      continue
    }
    if (c === '^' && chars[k + 1] === '⊤') {
      push("'", here)
      k++
      continue
    }
    const example = c === '^' ? /^\^\{\(([A-Za-z][A-Za-z0-9]*)\)\}/.exec(chars.slice(k, k + 40).join('')) : null
    if (example) {
      // x^{(i)}: the i-th example's x, as lecture notes write it; x_j^{(i)} is entry j of example i, x[i][j]
      const entry = /([A-Za-z][A-Za-z0-9]*)_([a-z]|[0-9]+)$/.exec(text)
      if (entry && !isWordChar(text.at(-entry[0].length - 1))) {
        const from = origin[origin.length - entry[0].length]!
        text = text.slice(0, -entry[0].length)
        origin.length -= entry[0].length
        push(`${entry[1]}[${example[1]}][${entry[2]}]`, from)
        readings.push(`reading ${entry[0]}${example[0]} as ${entry[1]}[${example[1]}][${entry[2]}], entry ${entry[2]} of example ${example[1]}`)
        k += Array.from(example[0]).length - 1
        continue
      }
      push(`[${example[1]}]`, here)
      readings.push(`reading ${example[0]} as the entry for example ${example[1]}`)
      k += Array.from(example[0]).length - 1
      continue
    }
    if (c === '^' && chars[k + 1] === '{') {
      groups.push('sup')
      push('^(', here)
      k++
      continue
    }
    if (c === '1' && chars[k + 1] === '{' && !isWordChar(text.at(-1)) && text.at(-1) !== '.') {
      // 1{y = k}: the indicator of the condition, as lecture notes write it
      groups.push('ind')
      push('ind(', here)
      readings.push('reading 1{...} as the indicator ind(...)')
      k++
      continue
    }
    if (c === '{' || c === '(' || c === '[') groups.push(c === '{' ? 'brace' : 'paren')
    if (c === '}' || c === ')' || c === ']') {
      const g = c === '}' ? groups.pop() : (groups.pop(), undefined)
      if (g === 'sub') push(']', here)
      else if (g === 'sup' || g === 'ind') push(')', here)
      else push(c, here)
      continue
    }
    if (c === '=' && (groups.at(-1) === 'paren' || groups.at(-1) === 'ind') && !/[<>!=]/.test(text.at(-1) ?? '') && chars[k + 1] !== '=') {
      // inside brackets a lone = compares: P(X = x | Y = y), E(X | Y = y), ind(y = 1)
      push('==', here)
      continue
    }
    if (c === ',' && groups.at(-1) === 'sub') {
      push('][', here)
      continue
    }
    const greek = GREEK.get(c)
    if (greek !== undefined) {
      // a Greek letter glued to a letter or digit is its own factor: θx is theta x, 2πσ is 2 pi sigma
      if (isWordChar(text.at(-1))) push(' ', here)
      push(greek, here)
      if (isLetter(chars[k + 1])) push(' ', here)
      continue
    }
    if (SUBSCRIPT.includes(c)) {
      // xᵢⱼ is x[i][j]; a run of digits is one number (x₁₂ is x[12])
      let j = k
      let index = ''
      while (j < chars.length && SUBSCRIPT.includes(chars[j]!)) {
        const plain = SUBSCRIPT_PLAIN[SUBSCRIPT.indexOf(chars[j]!)]!
        const digitRun = j > k && /\d/.test(plain) && /\d\]$/.test(index)
        index = digitRun ? `${index.slice(0, -1)}${plain}]` : `${index}[${plain}]`
        j++
      }
      push(index, here)
      readings.push(`reading the subscript ${chars.slice(k, j).join('')} as the index ${index}`)
      k = j - 1
      continue
    }
    if (SUPERSCRIPT.includes(c)) {
      let j = k
      let digits = ''
      while (j < chars.length && SUPERSCRIPT.includes(chars[j]!)) digits += SUPERSCRIPT_PLAIN[SUPERSCRIPT.indexOf(chars[j++]!)]
      push(digits.length > 1 ? `^(${digits})` : `^${digits}`, here)
      k = j - 1
      continue
    }
    const simple = SIMPLE.get(c)
    if (simple !== undefined) {
      push(simple, here)
      continue
    }
    const refused = REFUSED.get(c)
    if (refused !== undefined) throw new ParseError(`unsupported character "${c}": ${refused}`, input, here + 1)
    if (c.charCodeAt(0) > 127 && !/^\p{L}$/u.test(c)) {
      throw new ParseError(`unsupported character "${c}"`, input, here + 1)
    }
    push(c, here)
  }
  for (const m of input.matchAll(/[\p{L}]+/gu)) {
    const parts = m[0].match(/[A-Za-z]+|[^A-Za-z]/g) ?? []
    if (parts.length > 1 && parts.some((p) => GREEK.has(p))) readings.push(`reading ${m[0]} as ${parts.map((p) => GREEK.get(p) ?? p).join(' * ')}`)
  }
  return { text, origin, readings }
}

function toOriginal(n: Normalised, char1: number): number {
  const i = Math.max(0, Math.min(char1 - 1, n.origin.length))
  return (i < n.origin.length ? n.origin[i]! : (n.origin.at(-1) ?? -1) + 1) + 1
}

/**
 * An estimate, from the text alone, of how deeply mathjs's recursive-descent parser will recurse:
 * runs of prefix signs, chains of `^`, postfix `'` and `[..]` each add a level, a bracket
 * BRACKET_COST levels. Measured: mathjs survives about 7,000 prefix signs, 3,700 powers but only
 * 260-350 nested brackets (each passes its whole precedence ladder) in a vitest worker, so at most
 * MAX_DEPTH / BRACKET_COST = 100 brackets keeps it well inside the stack.
 */
const BRACKET_COST = 2

function textDepth(text: string): { depth: number; at: number } {
  const levels = [{ base: 0, chain: 0 }]
  let prev = '' // the last character that is not a space
  let max = { depth: 0, at: 0 }
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') continue
    const top = levels.at(-1)!
    if (c === '(' || c === '[' || c === '{') {
      if (c === '[' && /[\w)\]']/.test(prev)) top.chain++ // x[i][j]: each index nests
      levels.push({ base: top.base + top.chain + BRACKET_COST, chain: 0 })
    } else if (c === ')' || c === ']' || c === '}') {
      if (levels.length > 1) levels.pop()
    } else if (c === '^' || c === "'" || c === '!') top.chain++
    else if (c === '-' || c === '+') {
      if (prev === '' || /[-+*/^(,[{|=<>&!~]/.test(prev)) top.chain++
      else top.chain = 0
    } else if (/[*/,|=<>&;]/.test(c)) top.chain = 0
    const cur = levels.at(-1)!
    if (cur.base + cur.chain > max.depth) max = { depth: cur.base + cur.chain, at: i }
    prev = c
  }
  return max
}

function mathjsParse(input: string): { node: MathNode; norm: Normalised } {
  if (input.length > MAX_LENGTH) throw new ParseError(`the expression is too long (${input.length} characters; at most ${MAX_LENGTH})`, input, MAX_LENGTH + 1)
  if (input.trim() === '') throw new ParseError('empty expression', input, 1)
  const norm = normalise(input)
  const deep = textDepth(norm.text)
  if (deep.depth > MAX_DEPTH) throw tooDeep(input, toOriginal(norm, deep.at + 1))
  try {
    return { node: parseMathjs(norm.text), norm }
  } catch (err) {
    // kept as a last guard: textDepth should refuse anything that could get here
    if (err instanceof RangeError) throw tooDeep(input)
    const e = err as { message?: string; char?: number }
    let reason = (e.message ?? String(err)).replace(/\s*\(char \d+\)\s*$/, '')
    reason = reason.charAt(0).toLowerCase() + reason.slice(1)
    if (/\|/.test(norm.text) && !/\bP\s*\(/.test(norm.text)) reason += ' (for an absolute value write abs(x))'
    const pos = typeof e.char === 'number' ? toOriginal(norm, e.char) : 1
    throw new ParseError(reason, input, pos)
  }
}

/** Is this text LaTeX (SPEC §1.2): a backslash anywhere, or math between dollar signs? */
export const isLatex = (input: string): boolean => input.includes('\\') || /^\s*\$/.test(input)

/**
 * Parse an expression in derive's notation, or LaTeX when it contains a backslash, renamed apart
 * (unless `pattern`). Throws ParseError.
 */
export function parseExpr(input: string, options: ParseOptions = {}): Expr {
  const e = readExpr(input, options)
  return options.pattern ? e : renameApart(e)
}

function readExpr(input: string, options: ParseOptions): Expr {
  if (isLatex(input)) return readLatex(input, options)
  const { node, norm } = mathjsParse(input)
  if (node.type === 'AssignmentNode') throw new ParseError('"=" is not part of an expression (to compare two lines, use: derive why FROM TO)', input, where(norm, '='))
  const plain = lineSymbols(node)
  return readWithValues(options, (names, announce) => {
    norm.readings.forEach(announce)
    const e = convert(node, input, norm, announce, { ...names, plain })
    const misplaced = misplacedCondition(e)
    if (misplaced) throw new ParseError(misplaced.reason, input, where(norm, misplaced.token))
    return e
  })
}

/**
 * Where a condition may stand: in ind(c), as c in c ? a : b, inside P, E, Var, Cov (as an event),
 * and as an operand of and/or/not standing in such a place.
 */
function conditionSlot(parent: Expr | undefined, index: number, inProbability: boolean, parentSlot: boolean): boolean {
  if (!parent || parent.kind !== 'call') return false
  if (parent.head === 'ind' || parent.head === OPS.if) return parent.head === 'ind' || index === 0
  if (parent.head === OPS.and || parent.head === OPS.or || parent.head === OPS.not) return parentSlot || inProbability
  return parent.head === OPS.given || inProbability
}

/**
 * The first comparison standing where a number is needed (a > b + 1), or an ind(...) or ?: whose
 * condition is a number: a message saying what to write, and the token to point at.
 */
export function misplacedCondition(root: Expr): { reason: string; token: string } | undefined {
  const stack: { e: Expr; parent?: Expr; index: number; prob: boolean; slot: boolean }[] = [{ e: root, index: 0, prob: false, slot: false }]
  while (stack.length) {
    const { e, parent, index, prob, slot: parentSlot } = stack.pop()!
    if (e.kind !== 'call') continue
    const slot = conditionSlot(parent, index, prob, parentSlot)
    if (RELATION_HEADS.has(e.head) && !slot) {
      const op = e.head === OPS.eq ? '=' : e.head
      return { reason: `a comparison ("${op}") is not an expression here: its value 1 or 0 is ind(${print(e)})`, token: op }
    }
    const c = e.head === 'ind' || e.head === OPS.if ? e.args[0] : undefined
    if (c && (c.kind === 'num' || (c.kind === 'call' && !isConditionHead(c.head) && !PROBABILITY_FNS.has(c.head)))) {
      return { reason: `${e.head === 'ind' ? 'ind(...)' : 'a ? b : c'} needs a condition such as y == 1, not ${print(c)}`, token: e.head === 'ind' ? 'ind' : '?' }
    }
    if (e.head === 'ind' && e.args.length !== 1) return { reason: 'ind takes one condition, as in ind(y == 1)', token: 'ind' }
    const inner = prob || PROBABILITY_FNS.has(e.head)
    e.args.forEach((a, i) => stack.push({ e: a, parent: e, index: i, prob: inner, slot }))
  }
  return undefined
}

/** Height of a tree, without recursion (a cache keeps shared subtrees linear). */
export function exprDepth(e: Expr, cache: WeakMap<object, number> = new WeakMap()): number {
  const stack: Expr[] = [e]
  while (stack.length) {
    const top = stack.at(-1)!
    if (top.kind !== 'call' || cache.has(top)) {
      stack.pop()
      continue
    }
    const pending = top.args.filter((a) => a.kind === 'call' && !cache.has(a))
    if (pending.length) stack.push(...pending)
    else {
      stack.pop()
      let h = 0
      for (const a of top.args) if (a.kind === 'call') h = Math.max(h, cache.get(a)!)
      cache.set(top, 1 + h)
    }
  }
  return e.kind === 'call' ? cache.get(e)! : 0
}

const BINARY: Record<string, (a: Expr, b: Expr) => Expr> = {
  add: (a, b) => add([a, b]),
  subtract: sub,
  multiply: (a, b) => mul([a, b]),
  divide: div,
  pow: pow,
  bitOr: (a, b) => call(OPS.given, [a, b]),
  and: (a, b) => call(OPS.and, [a, b]),
  bitAnd: (a, b) => call(OPS.and, [a, b]),
  or: (a, b) => call(OPS.or, [a, b]),
  mod: (a, b) => call('mod', [a, b]),
}

const UNARY: Record<string, (a: Expr) => Expr> = {
  unaryMinus: neg,
  unaryPlus: (a) => a,
  ctranspose: (a) => call(OPS.transpose, [a]),
  transpose: (a) => call(OPS.transpose, [a]),
  factorial: (a) => call(OPS.factorial, [a]),
  not: (a) => call(OPS.not, [a]),
}

/** Two or three lowercase letters applied: glued factors (np(1 - p)) when the last letter is a number in the line. */
const GLUED = /^[a-z]{2,3}$/
/** Short names that are functions (the library's kl, mse, bce and TeX's operators). */
const SHORT_FUNCTIONS = new Set(['kl', 'mse', 'bce', 'erf', 'sec', 'csc', 'cot', 'gcd', 'lcm', 'arg', 'sgn', 'var', 'cov', 'std'])

/** The names a mathjs tree uses as symbols (not as the name of a function applied). */
function lineSymbols(root: MathNode): Set<string> {
  const out = new Set<string>()
  // an explicit stack, as convert's: a chain of thousands of terms is deeper than the call stack
  const stack: MathNode[] = [root]
  while (stack.length) {
    const n = stack.pop() as Node
    if (n.type === 'SymbolNode') out.add(n.name as string)
    for (const k of kids(n)) stack.push(k)
  }
  return out
}

/** Names that are usually numbers, not functions: applied to something, derive says how it read them. */
const VALUE_LIKE = /^(?:[a-eik-prstw-zABCDHIK-OQ-Z]|alpha|beta|eta|theta|iota|kappa|lambda|mu|nu|xi|rho|tau|upsilon|chi|omega|epsilon)$/

const MATHJS_FIXED: ReadonlySet<string> = new Set([...FIXED_HEADS, ...FUNCTION_NAMES])

const RELATIONAL = new Set(['larger', 'smaller', 'largerEq', 'smallerEq', 'equal', 'unequal'])

/** Locate a construct for an error message: the first occurrence of `token`, else the start. */
function where(norm: Normalised, token: string): number {
  const i = norm.text.indexOf(token)
  return i < 0 ? 1 : (norm.origin[i] ?? 0) + 1
}

/** P(A, B, C) and P(A | B, C): the commas are "and", the bar splits event from condition. */
export function jointProbability(args: readonly Expr[]): Expr | undefined {
  const bars = args.filter((a) => isCall(a, OPS.given))
  if (bars.length > 1) return undefined
  const joint = (xs: readonly Expr[]): Expr => xs.slice(1).reduce((acc, x) => call(OPS.and, [acc, x]), xs[0]!)
  const bar = args.findIndex((a) => isCall(a, OPS.given))
  if (bar < 0) return call('P', [joint(args)])
  const [event, given] = (args[bar] as { args: readonly Expr[] }).args
  return call('P', [call(OPS.given, [joint([...args.slice(0, bar), event!]), joint([given!, ...args.slice(bar + 1)])])])
}

/**
 * A symbol with a subscript: `x_i`, `x_0`, `theta_j` are entries x[i] (an index is one lowercase
 * letter or a number); `sigma_X`, `n_in` stay one name (a label). Undefined when not subscripted.
 */
export function subscripted(name: string): { base: string; index: string } | undefined {
  const m = /^([A-Za-z][A-Za-z0-9]*)_([a-z]|[0-9]+)$/.exec(name)
  return m ? { base: m[1]!, index: m[2]! } : undefined
}

/** x_i as the entry x[i], x_0 as x[0]; any other name as its symbol. */
function entryOrSymbol(name: string): Expr {
  const s = subscripted(name)
  return s ? call(OPS.index, [sym(s.base), /^\d/.test(s.index) ? num(Number(s.index)) : sym(s.index)]) : sym(name)
}

type Node = MathNode & Record<string, unknown>

const CHAIN: Record<string, string> = { add: 'sum', subtract: 'sum', multiply: 'product', divide: 'product' }

/**
 * The operands of a left-nested chain a + b - c + ... (or a * b / c ...) with the operator before
 * each: read in one step, so a sum of thousands of terms is one flat sum built in linear time.
 */
function chain(n: Node): { ops: string[]; operands: MathNode[] } | undefined {
  const kind = n.type === 'OperatorNode' && !n.implicit ? CHAIN[n.fn as string] : undefined
  if (!kind || (n.args as MathNode[]).length !== 2) return undefined
  const ops: string[] = []
  const operands: MathNode[] = []
  let cur: Node = n
  while (cur.type === 'OperatorNode' && !cur.implicit && CHAIN[cur.fn as string] === kind && (cur.args as MathNode[]).length === 2) {
    const [l, r] = cur.args as [Node, MathNode]
    ops.push(cur.fn as string)
    operands.push(r)
    cur = l
  }
  operands.push(cur)
  return { ops: ops.reverse(), operands: operands.reverse() }
}

/** The children of a mathjs node that are converted to Expr (a call's name and dot access are not). */
function kids(n: Node): MathNode[] {
  const c = chain(n)
  if (c) return c.operands
  switch (n.type) {
    case 'ParenthesisNode':
      return [n.content as MathNode]
    case 'OperatorNode':
      return n.args as MathNode[]
    case 'FunctionNode':
      return n.args as MathNode[]
    case 'ConditionalNode':
      return [n.condition, n.trueExpr, n.falseExpr] as MathNode[]
    case 'RelationalNode':
      return n.params as MathNode[]
    case 'AssignmentNode': {
      // y = 1 inside ind(...) or 1{...} is the comparison y == 1
      const index = n.index as { dimensions: MathNode[] } | null
      return [n.object as MathNode, ...(index ? index.dimensions : []), n.value as MathNode]
    }
    case 'AccessorNode': {
      const index = n.index as { dimensions: MathNode[]; dotNotation?: boolean }
      if (index.dotNotation) return []
      // E[X]: the operator's name is not converted as a symbol (it would be refused as a function name)
      return operatorIndexed(n) ? index.dimensions : [n.object as MathNode, ...index.dimensions]
    }
    default:
      return []
  }
}

/** E[X], Var[X], Cov[X, Y]: the name of an operator indexed with brackets, or undefined. */
function operatorIndexed(n: Node): string | undefined {
  const o = n.object as Node
  const name = o.type === 'SymbolNode' ? (o.name as string) : ''
  return name === 'E' || name === 'Var' || name === 'Cov' ? name : undefined
}

/** mathjs tree -> Expr, bottom-up with an explicit stack (input can be thousands of terms long). */
function convert(root: MathNode, input: string, norm: Normalised, announce: Announce, names: ValueNames = { values: new Set(), applied: new Set() }): Expr {
  const withProducts: ValueNames = { ...names, products: new Map() }
  const fail = (reason: string, token: string): never => {
    throw new ParseError(reason, input, where(norm, token))
  }
  const done = new Map<MathNode, Expr>()
  const depths = new WeakMap<object, number>()
  const stack: { node: MathNode; expanded: boolean }[] = [{ node: root, expanded: false }]
  while (stack.length) {
    const top = stack.at(-1)!
    if (!top.expanded) {
      top.expanded = true
      for (const k of kids(top.node as Node)) stack.push({ node: k, expanded: false })
      continue
    }
    stack.pop()
    const e = one(top.node as Node, kids(top.node as Node).map((k) => done.get(k)!), fail, announce, withProducts)
    if (exprDepth(e, depths) > MAX_DEPTH) throw tooDeep(input)
    done.set(top.node, e)
  }
  return done.get(root)!
}

/** E^2(X) (mathjs: E^2 times (X)) is the power of an operator applied: E(X)^2. */
function operatorPower(n: Node, args: readonly Expr[]): { name: string; e: Expr } | undefined {
  const [left, right] = n.args as Node[]
  if (left?.type !== 'OperatorNode' || left.fn !== 'pow' || right?.type !== 'ParenthesisNode') return undefined
  const base = (left.args as Node[])[0]
  const name = base?.type === 'SymbolNode' ? (base.name as string) : ''
  if (!OPERATOR_NAMES.has(name)) return undefined
  const k = (args[0] as { args: readonly Expr[] }).args[1]!
  return { name, e: pow(call(name, [args[1]!]), k) }
}

/** Function names whose prime before a bracket is a derivative (f'(x)), not a transpose (w'(x - mu) stays one). */
const PRIMED_FUNCTIONS: ReadonlyMap<string, string> = new Map([['f', 'f'], ['g', 'g'], ['h', 'h'], ['F', 'F'], ['G', 'G'], ['phi', 'phi'], ['psi', 'psi'], ['sigma', 'sigmoid']])

/** f'(x) (mathjs: the transpose f' times (x)): the function, its head and the number of primes. */
function primedFunction(n: Node): { name: string; head: string; order: number } | undefined {
  let [left, right] = n.args as Node[]
  if (right?.type !== 'ParenthesisNode') return undefined
  let order = 0
  while (left?.type === 'OperatorNode' && left.fn === 'ctranspose') {
    order++
    left = (left.args as Node[])[0]
  }
  const name = left?.type === 'SymbolNode' ? (left.name as string) : ''
  const head = PRIMED_FUNCTIONS.get(name)
  return order > 0 && head ? { name, head, order } : undefined
}

/** Names whose power before an argument is the power of the value: E^2(X) is E(X)^2. */
const OPERATOR_NAMES = new Set(['E', 'Var', 'P'])

/** One mathjs node as Expr, its children already converted. */
function one(n: Node, args: Expr[], fail: (reason: string, token: string) => never, announce: Announce, names: ValueNames): Expr {
  switch (n.type) {
    case 'ConstantNode': {
      const v = n.value
      if (v instanceof NumberText) {
        const literal = numLiteral(v.text)
        if (literal) return literal
        const x = Number(v.text)
        // 0x1f, 0b101, 0o17: integers in another base
        if (Number.isSafeInteger(x)) return num(x)
        return fail(`"${v.text}" is not a number derive can compute with exactly`, v.text)
      }
      return fail(`${typeof v === 'string' ? 'a string' : String(v)} is not a mathematical expression`, String(v))
    }
    case 'SymbolNode': {
      const name = n.name as string
      if (FUNCTION_NAMES.has(name)) return fail(`${name} is a function: write ${name}(x)`, name)
      if (name.startsWith('_')) return fail(`a subscript "${name}" on nothing: write x_i or x[i] for an entry`, name)
      const s = subscripted(name)
      if (s) {
        announce(`reading ${name} as the entry ${s.base}[${s.index}]`)
        return entryOrSymbol(name)
      }
      if (/^[A-Za-z][A-Za-z0-9]*_[a-z][a-z0-9]+$/.test(name)) announce(`reading ${name} as one name (for entries write ${name.replace(/_(.*)$/, (_m, i: string) => [...i].map((c) => `[${c}]`).join(''))})`)
      return sym(name)
    }
    case 'ParenthesisNode':
      return args[0]!
    case 'OperatorNode': {
      const fn = n.fn as string
      const c = chain(n)
      if (c) {
        // a - b is a + (-b); a / b is a * b^-1 (and 1 / b just b^-1), as expr.ts's sub and div build them
        if (CHAIN[fn] === 'sum') return add(args.map((a, i) => (i > 0 && c.ops[i - 1] === 'subtract' ? neg(a) : a)))
        const factors = args.map((a, i) => (i > 0 && c.ops[i - 1] === 'divide' ? pow(a, num(-1)) : a))
        const first = factors[0]!
        return mul(first.kind === 'num' && first.value === 1 && c.ops[0] === 'divide' ? factors.slice(1) : factors)
      }
      // with p a value, p(1 - p)^2 is p * (1 - p)^2 (the power is the parenthesis's), and x^p(1 - p) is x^p * (1 - p)
      const [base, exponent] = (fn === 'pow' ? n.args : []) as MathNode[]
      const product = base && names.products?.get(base)
      if (product) {
        const arg = pow(product.arg, args[1]!)
        names.products!.set(n, { value: product.value, arg })
        return mul([product.value, arg])
      }
      const raised = exponent && names.products?.get(exponent)
      if (raised) return mul([pow(args[0]!, raised.value), raised.arg])
      if (fn === 'pow' && args[1]?.kind === 'sym' && args[1].name === 'T') {
        announce(`reading ^T as the transpose '`)
        return call(OPS.transpose, [args[0]!])
      }
      const primed = fn === 'multiply' && n.implicit ? primedFunction(n) : undefined
      if (primed) {
        // f'(x), σ'(z): the derivative of the function at a variable
        const v = args[1]!
        const written = `${primed.name}${"'".repeat(primed.order)}(${print(v)})`
        if (!isVariable(v)) return fail(`${written}: a derivative at an expression has no notation: write diff(${primed.head}(u), u) for a variable u, or the derivative's formula (for a transpose times a bracket write ${primed.name}' * (...))`, "'")
        let e: Expr = call(primed.head, [v])
        for (let k = 0; k < primed.order; k++) e = call('diff', [e, v])
        announce(`reading ${written} as ${print(e)}`)
        return e
      }
      const power = fn === 'multiply' && n.implicit ? operatorPower(n, args) : undefined
      if (power) {
        announce(`reading ${power.name}^k(...) as the power ${power.name}(...)^k`)
        return mul([power.e, ...args.slice(2)])
      }
      if (fn === 'bitOr' && args.some((a) => isCall(a, OPS.given))) return fail('P(...) takes one bar "|" between the event and what it is conditioned on', '|')
      if (args.length === 1 && UNARY[fn]) return UNARY[fn](args[0]!)
      if (args.length === 2 && BINARY[fn]) return BINARY[fn](args[0]!, args[1]!)
      if (args.length > 2 && (fn === 'add' || fn === 'multiply')) return fn === 'add' ? add(args) : mul(args)
      if (RELATIONAL.has(fn) && args.length === 2) return call(REL_OPS[fn]!, args)
      return fail(`the operator "${n.op as string}" is not supported`, n.op as string)
    }
    case 'FunctionNode': {
      const f = n.fn as MathNode & { name?: string }
      if (f.type !== 'SymbolNode' || !f.name) return fail('only named functions can be applied, as in f(x)', '(')
      if (f.name === 'ln') return call('log', args)
      if (valueRuleApplies(f.name, MATHJS_FIXED)) {
        if (names.values.has(f.name)) {
          const r = valueTimes(f.name, entryOrSymbol(f.name), args)
          if ('refusal' in r) return fail(r.refusal, f.name)
          announce(r.reading)
          names.products?.set(n, { value: entryOrSymbol(f.name), arg: args[0]! })
          return r.e
        }
        names.applied.add(f.name)
        const last = GLUED.test(f.name) && !SHORT_FUNCTIONS.has(f.name) ? f.name.at(-1)! : ''
        if (last && (names.plain?.has(last) || names.values.has(last))) {
          // np(1 - p) with p a number: the letters glued, not a function named np
          return fail(`${f.name}(...) reads as one function named ${f.name}, while ${last} is a number here: for the product write ${[...f.name].join(' * ')} * (...)`, f.name)
        }
        if (VALUE_LIKE.test(f.name)) announce(`reading ${f.name}(${args.map((a) => print(a)).join(', ')}) as the function ${f.name} applied (for a product write ${f.name} * (...))`)
      }
      if (f.name === 'piecewise') {
        if (args.length < 3 || args.length % 2 === 0) return fail('piecewise takes conditions and values, then the value otherwise: piecewise(c1, v1, c2, v2, otherwise)', 'piecewise')
        announce('reading piecewise(c1, v1, ..., otherwise) as c1 ? v1 : (... : otherwise)')
        let out = args.at(-1)!
        for (let k = args.length - 3; k >= 0; k -= 2) out = call(OPS.if, [args[k]!, args[k + 1]!, out])
        return out
      }
      if ((f.name === 'sum' || f.name === 'prod') && args.length === 5) {
        if (f.name === 'prod') return fail('a conditional product has no notation: write prod(c ? body : 1, i, lo, hi)', 'prod')
        announce('reading sum(body, i, lo, hi, condition) as sum(ind(condition) * body, i, lo, hi)')
        return call('sum', [mul([call('ind', [args[4]!]), args[0]!]), ...args.slice(1, 4)])
      }
      if (f.name === 'sigma' && args.length === 1) {
        announce('reading σ(z) as sigmoid(z)')
        return call('sigmoid', args)
      }
      if (f.name === 'p') announce('reading p(...) as the probability P(...)')
      const name = f.name === 'p' ? 'P' : f.name
      if (name === 'P' && args.length > 1) {
        const joint = jointProbability(args)
        if (!joint) return fail('P(...) takes one bar "|" between the event and what it is conditioned on', '|')
        announce('reading the commas in P(A, B) as "and" (a joint probability)')
        return joint
      }
      return call(name, args)
    }
    case 'AccessorNode': {
      const index = n.index as { dotNotation?: boolean }
      if (index.dotNotation) return fail('property access with "." is not supported', '.')
      const op = operatorIndexed(n)
      if (op) {
        announce(`reading ${op}[...] as ${op}(...)`)
        return call(op, args)
      }
      return call(OPS.index, args)
    }
    case 'RelationalNode': {
      // a < b <= c is a < b and b <= c
      const ops = (n.conditionals as string[]).map((c) => REL_OPS[c]!)
      const parts = ops.map((op, k) => call(op, [args[k]!, args[k + 1]!]))
      return parts.slice(1).reduce((acc, p) => call(OPS.and, [acc, p]), parts[0]!)
    }
    case 'AssignmentNode': {
      const object = args[0]!
      const target = args.length > 2 ? call(OPS.index, args.slice(0, -1)) : object
      // y = 1 and x > 0 parses as y = (1 and x > 0): the comparison is with the leftmost operand
      const compareLeftmost = (v: Expr): Expr =>
        isCall(v, OPS.and) || isCall(v, OPS.or) ? call(v.head, [compareLeftmost(v.args[0]!), ...v.args.slice(1)]) : call(OPS.eq, [target, v])
      return compareLeftmost(args.at(-1)!)
    }
    case 'ArrayNode':
      return fail('matrix literals [..] are not supported; use a symbol such as A', '[')
    case 'RangeNode':
      return fail('ranges (a:b) are not supported', ':')
    case 'ConditionalNode':
      return call(OPS.if, args)
    case 'BlockNode':
      return fail('one expression at a time, please (found ";" or a line break)', ';')
    case 'FunctionAssignmentNode':
      return fail('function definitions are not supported', '=')
    case 'ObjectNode':
      return fail('objects {..} are not supported', '{')
    default:
      return fail(`unsupported construct ${n.type}`, '')
  }
}

// ---- conditions ------------------------------------------------------------------------------

export type RelOp = '>' | '<' | '>=' | '<=' | '!=' | '=='

/** A rule's `where` condition. */
export type Condition =
  | { readonly kind: 'pred'; readonly name: PredName; readonly args: readonly Expr[]; readonly text: string }
  | { readonly kind: 'rel'; readonly op: RelOp; readonly lhs: Expr; readonly rhs: Expr; readonly text: string }

export const PREDICATES = ['free', 'symbol', 'number', 'integer', 'constant', 'matrix', 'scalar', 'nonrandom'] as const
export type PredName = (typeof PREDICATES)[number]
const PRED_ARITY: Record<PredName, number> = { free: 2, symbol: 1, number: 1, integer: 1, constant: 1, matrix: 1, scalar: 1, nonrandom: 1 }

const REL_OPS: Record<string, RelOp> = {
  larger: '>',
  smaller: '<',
  largerEq: '>=',
  smallerEq: '<=',
  unequal: '!=',
  equal: '==',
}

/** Parse one `where` entry: a structural predicate or a relation. Throws ParseError. */
export function parseCondition(input: string): Condition {
  const { node, norm } = mathjsParse(input)
  const m = node as MathNode & Record<string, unknown>
  const text = input.trim()
  if (node.type === 'FunctionNode') {
    const name = (m.fn as { name?: string }).name ?? ''
    if ((PREDICATES as readonly string[]).includes(name)) {
      const p = name as PredName
      const args = (m.args as MathNode[]).map((a) => convert(a, input, norm, () => undefined))
      if (args.length !== PRED_ARITY[p]) {
        throw new ParseError(`${p}(...) takes ${PRED_ARITY[p]} argument${PRED_ARITY[p] > 1 ? 's' : ''}`, input, 1)
      }
      return { kind: 'pred', name: p, args, text }
    }
    throw new ParseError(
      `unknown condition "${name}(...)"; expected one of ${PREDICATES.join(', ')} or a comparison such as a > 0`,
      input,
      1,
    )
  }
  if (node.type === 'OperatorNode' && REL_OPS[m.fn as string]) {
    const [l, r] = m.args as MathNode[]
    return { kind: 'rel', op: REL_OPS[m.fn as string]!, lhs: convert(l!, input, norm, () => undefined), rhs: convert(r!, input, norm, () => undefined), text }
  }
  if (node.type === 'RelationalNode') {
    throw new ParseError('write one comparison per condition (split a < b < c into two)', input, 1)
  }
  throw new ParseError('a condition must be a comparison (a > 0) or a predicate such as free(c, i)', input, 1)
}
