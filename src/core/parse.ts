// Text -> Expr, in the notation of SPEC §1. Student input is normalised first (Unicode operators a
// student pastes from a PDF), and every error carries the 1-based character position in the text
// exactly as the student typed it.
import type { MathNode } from 'mathjs'
import { add, call, div, type Expr, mul, neg, num, numLiteral, OPS, pow, sub, sym } from './expr.js'
import { NumberText, parseMathjs } from './mathjs.js'

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
}

const SIMPLE: Record<string, string> = {
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
  '²': '^2',
  '³': '^3',
  'π': 'pi',
  '\u00a0': ' ',
  '\u2009': ' ',
  '\u202f': ' ',
}

const REFUSED: Record<string, string> = {
  '∑': 'write a sum as sum(body, i, lo, hi)',
  '∏': 'write a product as prod(body, i, lo, hi)',
  '∫': 'write an integral as int(f, x) or int(f, x, a, b)',
  '∂': 'write a derivative as diff(f, x)',
  '∞': 'infinity is not supported; use a symbol such as n',
  '∈': 'set membership is not an expression',
  '→': 'write a rule as lhs and rhs separately',
  '⊤': "write a transpose as A'",
}

/** Replace Unicode operators by their ASCII spelling, refusing what cannot be read safely. */
export function normalise(input: string): Normalised {
  let text = ''
  const origin: number[] = []
  const push = (s: string, from: number): void => {
    text += s
    for (let k = 0; k < s.length; k++) origin.push(from)
  }
  const chars = Array.from(input)
  let offset = 0 // index into the UTF-16 input
  for (let k = 0; k < chars.length; k++) {
    const c = chars[k]!
    const here = offset
    offset += c.length
    if (c === '√') {
      // √(x) -> sqrt(x); √x -> sqrt(x) for a name or number right after the sign
      const rest = chars.slice(k + 1).join('')
      const m = /^[A-Za-z_\u0370-\u03ff][A-Za-z0-9_\u0370-\u03ff]*|^\d+(\.\d+)?/.exec(rest)
      if (rest.startsWith('(')) push('sqrt', here)
      else if (m) {
        push('sqrt(', here)
        for (const ch of m[0]) {
          push(ch, offset)
          offset += ch.length
        }
        push(')', here)
        k += Array.from(m[0]).length
      } else throw new ParseError('"√" must be followed by a name, a number or "("', input, here + 1)
      continue
    }
    const simple = SIMPLE[c]
    if (simple !== undefined) {
      push(simple, here)
      continue
    }
    const refused = REFUSED[c]
    if (refused !== undefined) throw new ParseError(`unsupported character "${c}": ${refused}`, input, here + 1)
    if (c.charCodeAt(0) > 127 && !/^\p{L}$/u.test(c)) {
      throw new ParseError(`unsupported character "${c}"`, input, here + 1)
    }
    push(c, here)
  }
  return { text, origin }
}

function toOriginal(n: Normalised, char1: number): number {
  const i = Math.max(0, Math.min(char1 - 1, n.origin.length))
  return (i < n.origin.length ? n.origin[i]! : (n.origin.at(-1) ?? -1) + 1) + 1
}

function mathjsParse(input: string): { node: MathNode; norm: Normalised } {
  if (input.trim() === '') throw new ParseError('empty expression', input, 1)
  const norm = normalise(input)
  try {
    return { node: parseMathjs(norm.text), norm }
  } catch (err) {
    if (err instanceof RangeError) throw new ParseError(`the expression is nested too deeply (at most ${MAX_DEPTH} levels)`, input, 1)
    const e = err as { message?: string; char?: number }
    let reason = (e.message ?? String(err)).replace(/\s*\(char \d+\)\s*$/, '')
    reason = reason.charAt(0).toLowerCase() + reason.slice(1)
    if (/\|/.test(norm.text) && !/\bP\s*\(/.test(norm.text)) reason += ' (for an absolute value write abs(x))'
    const pos = typeof e.char === 'number' ? toOriginal(norm, e.char) : 1
    throw new ParseError(reason, input, pos)
  }
}

/** Deeper trees are refused: every walk over an expression is recursive. */
export const MAX_DEPTH = 200

function depth(e: Expr): number {
  return e.kind === 'call' ? 1 + Math.max(0, ...e.args.map(depth)) : 0
}

/** Parse an expression in derive's notation. Throws ParseError. */
export function parseExpr(input: string): Expr {
  const { node, norm } = mathjsParse(input)
  const e = convert(node, input, norm)
  if (depth(e) > MAX_DEPTH) throw new ParseError(`the expression is nested too deeply (at most ${MAX_DEPTH} levels)`, input, 1)
  return e
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

const RELATIONAL = new Set(['larger', 'smaller', 'largerEq', 'smallerEq', 'equal', 'unequal'])

/** Locate a construct for an error message: the first occurrence of `token`, else the start. */
function where(norm: Normalised, token: string): number {
  const i = norm.text.indexOf(token)
  return i < 0 ? 1 : (norm.origin[i] ?? 0) + 1
}

function convert(node: MathNode, input: string, norm: Normalised): Expr {
  const fail = (reason: string, token: string): never => {
    throw new ParseError(reason, input, where(norm, token))
  }
  const go = (n: MathNode): Expr => {
    // mathjs node classes are distinguished by their `type` tag
    const m = n as MathNode & Record<string, unknown>
    switch (n.type) {
      case 'ConstantNode': {
        const v = m.value
        if (v instanceof NumberText) {
          const n = numLiteral(v.text)
          if (n) return n
          const x = Number(v.text)
          // 0x1f, 0b101, 0o17: integers in another base
          if (Number.isSafeInteger(x)) return num(x)
          return fail(`"${v.text}" is not a number derive can compute with exactly`, v.text)
        }
        return fail(`${typeof v === 'string' ? 'a string' : String(v)} is not a mathematical expression`, String(v))
      }
      case 'SymbolNode':
        return sym(m.name as string)
      case 'ParenthesisNode':
        return go(m.content as MathNode)
      case 'OperatorNode': {
        const fn = m.fn as string
        const args = (m.args as MathNode[]).map(go)
        if (args.length === 1 && UNARY[fn]) return UNARY[fn](args[0]!)
        if (args.length === 2 && BINARY[fn]) return BINARY[fn](args[0]!, args[1]!)
        if (args.length > 2 && (fn === 'add' || fn === 'multiply')) return fn === 'add' ? add(args) : mul(args)
        if (RELATIONAL.has(fn)) return fail(`a comparison ("${m.op as string}") is not an expression here`, m.op as string)
        return fail(`the operator "${m.op as string}" is not supported`, m.op as string)
      }
      case 'FunctionNode': {
        const f = m.fn as MathNode & { name?: string }
        if (f.type !== 'SymbolNode' || !f.name) return fail('only named functions can be applied, as in f(x)', '(')
        return call(f.name, (m.args as MathNode[]).map(go))
      }
      case 'AccessorNode': {
        const index = m.index as MathNode & { dimensions: MathNode[]; dotNotation?: boolean }
        if (index.dotNotation) return fail('property access with "." is not supported', '.')
        return call(OPS.index, [go(m.object as MathNode), ...index.dimensions.map(go)])
      }
      case 'RelationalNode':
        return fail('a comparison is not an expression here', '<')
      case 'AssignmentNode':
        return fail('"=" is not part of an expression (to compare two lines, use: derive why FROM TO)', '=')
      case 'ArrayNode':
        return fail('matrix literals [..] are not supported; use a symbol such as A', '[')
      case 'RangeNode':
        return fail('ranges (a:b) are not supported', ':')
      case 'ConditionalNode':
        return fail('conditionals (a ? b : c) are not supported', '?')
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
  return go(node)
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
      const args = (m.args as MathNode[]).map((a) => convert(a, input, norm))
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
    return { kind: 'rel', op: REL_OPS[m.fn as string]!, lhs: convert(l!, input, norm), rhs: convert(r!, input, norm), text }
  }
  if (node.type === 'RelationalNode') {
    throw new ParseError('write one comparison per condition (split a < b < c into two)', input, 1)
  }
  throw new ParseError('a condition must be a comparison (a > 0) or a predicate such as free(c, i)', input, 1)
}
