// derive explain --code: an expression as a Python or JavaScript function `f`. Sums and products
// become loops with their own accumulators; what has no honest translation (a derivative, an
// expectation, a matrix) becomes a comment saying why, never code that only looks right.
import {
  at,
  type Call,
  type Expr,
  freeSymbols,
  isCall,
  isReciprocal,
  type MatrixSetting,
  matrixSymbols,
  mul,
  neg,
  num,
  call,
  OPS,
  PROBABILITY_FNS,
  RELATION_HEADS,
  walk,
} from '../core/expr.js'
import { formatNumber, isNegativeTerm, print } from '../core/print.js'
import { displayNames } from '../core/scope.js'

/** The languages derive writes. */
export const LANGUAGES = ['python', 'js'] as const
export type Language = (typeof LANGUAGES)[number]

/** Constants of the notation: never parameters. */
const CONSTANTS = new Set(['e', 'pi'])

/** The function's parameters: the free symbols of e, sorted (constants e and pi excluded). */
export function codeParams(e: Expr): string[] {
  return [...freeSymbols(e)].filter((s) => !CONSTANTS.has(s)).sort()
}

/** e as the source of a function `f(params)` in each language, or a comment saying why not. */
export function toCode(input: Expr, matrices: MatrixSetting = 'uppercase'): Record<Language, string> {
  const e = displayNames(input)
  const blocker = whyNoCode(e, matrixSymbols(e, matrices))
  const write = (L: Syntax): string => (blocker ? `${L.comment} ${blocker}` : new Writer(L, codeParams(e)).function(e))
  return { python: write(SYNTAX.python), js: write(SYNTAX.js) }
}

// ---- what cannot be code ----------------------------------------------------------------------

const MATRIX = 'matrix expressions (transpose, inverse, determinant, trace) are not turned into code; write them with entries such as A[i, j] and sums'
const PROBABILITY = 'expectations, variances and probabilities are not turned into code: they need a probability distribution, not numbers'

const REFUSED: ReadonlyMap<string, string> = new Map(Object.entries({
  diff: 'derivatives are not turned into code; take the derivative first (derive match)',
  int: 'integrals are not turned into code; integrate first, or approximate the integral numerically',
  [OPS.transpose]: MATRIX,
  inv: MATRIX,
  det: MATRIX,
  trace: MATRIX,
  [OPS.given]: 'a condition (X | Y) is not a number, so it is not turned into code',
}))

/** Operators and functions of conditions: code when their operands are comparisons. */
const CONDITION_OPS: ReadonlySet<string> = new Set([OPS.and, OPS.or, OPS.not, OPS.if, 'ind', ...RELATION_HEADS])

/** A condition in code must be made of comparisons: a bare symbol (an event) has no truth value there. */
const isCodeCondition = (c: Expr): boolean =>
  isCall(c) && (RELATION_HEADS.has(c.head) || ((c.head === OPS.and || c.head === OPS.or || c.head === OPS.not) && c.args.every(isCodeCondition)))

/** Operators that are plain arithmetic in both languages. */
const ARITHMETIC: ReadonlySet<string> = new Set([OPS.add, OPS.mul, OPS.pow, OPS.factorial])

/** The reason e cannot be written as code, or undefined when it can. */
export function whyNoCode(e: Expr, matrices: ReadonlySet<string> = new Set()): string | undefined {
  for (const { node, path } of walk(e)) {
    if (node.kind === 'sym' && matrices.has(node.name) && !indexedAt(e, path)) {
      return `${node.name} is a matrix and matrix expressions are not turned into code; write them with entries such as ${node.name}[i, j] and sums`
    }
    if (node.kind !== 'call') continue
    const reason = callBlocker(node)
    if (reason) return reason
  }
  return undefined
}

function callBlocker(node: Call): string | undefined {
  const refused = REFUSED.get(node.head)
  if (refused) return refused
  if (CONDITION_OPS.has(node.head)) {
    const c = node.head === 'ind' || node.head === OPS.if ? node.args[0] : RELATION_HEADS.has(node.head) ? undefined : node
    if (c && !isCodeCondition(c)) return `events (${print(c)}) are not numbers or comparisons, so they are not turned into code`
    return undefined
  }
  if (PROBABILITY_FNS.has(node.head)) return PROBABILITY
  if (node.head === 'sum' || node.head === 'prod') {
    if (node.args.length !== 4 || node.args[1]?.kind !== 'sym') return `a ${node.head} without limits cannot be a loop; write ${node.head}(body, i, lo, hi)`
  } else if (node.head === 'delta') {
    if (node.args.length !== 2) return 'the Kronecker delta takes two indices, as in delta(m, j)'
  } else if (node.head === OPS.index) {
    if (node.args[0]?.kind !== 'sym') return 'only a symbol can be indexed in code, as in x[i]'
  } else if (!ARITHMETIC.has(node.head)) {
    const fn = FUNCTIONS.get(node.head)
    if (!fn) return `${node.head} is not a function derive can write as code; if your rules define it, unfold it first (derive match)`
    if (node.args.length < fn.arity[0] || node.args.length > fn.arity[1]) return `${node.head} with ${node.args.length} arguments has no code`
  }
  return undefined
}

/** Is the node at `path` the indexed symbol of an x[...]? (Entries of a matrix are numbers.) */
const indexedAt = (root: Expr, path: readonly number[]): boolean =>
  path[path.length - 1] === 0 && isCall(at(root, path.slice(0, -1)), OPS.index)

// precedence of generated code; both languages agree on these
const PREC = { cond: 1, or: 2, and: 3, not: 4, rel: 6, add: 10, mul: 20, unary: 25, pow: 30, atom: 50 } as const

/** Code text and its precedence, so a parent parenthesises only what needs it. */
interface Code {
  readonly text: string
  readonly prec: number
}
const code = (text: string, prec: number): Code => ({ text, prec })
const wrap = (c: Code, min: number): string => (c.prec > min ? c.text : `(${c.text})`)
const negate = (c: Code): Code => code(`-${wrap(c, PREC.pow)}`, PREC.unary)

// ---- the two languages --------------------------------------------------------------------------

/** What differs between Python and JavaScript; the Writer does the rest once for both. */
interface Syntax {
  readonly comment: string
  readonly indent: string
  readonly reserved: ReadonlySet<string>
  /** A function of the math library: math.exp / Math.exp. */
  math(name: string): string
  /** max, min, abs: builtins in Python, Math.* in JavaScript. */
  builtin(name: 'max' | 'min' | 'abs'): string
  readonly constants: ReadonlyMap<string, string>
  /** log of x to base b: Python's math.log takes a base, JavaScript's Math.log does not. */
  logBase(x: string, b: string): Code
  header(params: readonly string[]): string
  footer: string | undefined
  declare(name: string, value: string): string
  update(name: string, op: '+' | '*', value: string): string
  /** A loop over lo..hi inclusive; `after` is hi + 1, for languages whose ranges stop before it. */
  loop(v: string, lo: string, hi: string, after: string): string
  endLoop: string | undefined
  ret(value: string): string
  /** Lines before the function, given its body (Python imports math only when it is used). */
  preamble(body: string): string[]
  /** Comparison and logic operators, and 1-or-0 of a condition as an expression. */
  readonly relations: Readonly<Record<string, string>>
  readonly and: string
  readonly or: string
  not(c: Code): Code
  oneOrZero(c: Code): Code
  /** if (c) { ... } else { ... }; `assign` sets the variable that holds the value of a conditional. */
  ifStart(c: string): string
  readonly elseLine: string
  readonly endIf: string | undefined
  /** A variable given its value in both branches below (JavaScript declares it first). */
  declareLater(name: string): string | undefined
  assign(name: string, value: string): string
}

const RELATIONS_PY = { '==': '==', '!=': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=' }

const PY_RESERVED = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield math range max min abs f'.split(
    ' ',
  ),
)
const JS_RESERVED = new Set(
  'await break case catch class const continue debugger default delete do else enum export extends false finally for function if implements import in instanceof interface let new null package private protected public return static super switch this throw true try typeof var void while with yield arguments eval Math f'.split(
    ' ',
  ),
)

const SYNTAX: Readonly<Record<Language, Syntax>> = {
  python: {
    comment: '#',
    indent: '    ',
    reserved: PY_RESERVED,
    math: (name) => `math.${name}`,
    builtin: (name) => name,
    constants: new Map([['e', 'math.e'], ['pi', 'math.pi']]),
    logBase: (x, b) => code(`math.log(${x}, ${b})`, PREC.atom),
    header: (params) => `def f(${params.join(', ')}):`,
    footer: undefined,
    declare: (name, value) => `${name} = ${value}`,
    update: (name, op, value) => `${name} ${op}= ${value}`,
    loop: (v, lo, _hi, after) => `for ${v} in range(${lo}, ${after}):`,
    endLoop: undefined,
    ret: (value) => `return ${value}`,
    preamble: (body) => (/\bmath\./.test(body) ? ['import math', ''] : []),
    relations: RELATIONS_PY,
    and: 'and',
    or: 'or',
    not: (c) => code(`not ${wrap(c, PREC.not - 1)}`, PREC.not),
    oneOrZero: (c) => code(`(1 if ${wrap(c, PREC.cond)} else 0)`, PREC.atom),
    ifStart: (c) => `if ${c}:`,
    elseLine: 'else:',
    endIf: undefined,
    declareLater: () => undefined,
    assign: (name, value) => `${name} = ${value}`,
  },
  js: {
    comment: '//',
    indent: '  ',
    reserved: JS_RESERVED,
    math: (name) => `Math.${name}`,
    builtin: (name) => `Math.${name}`,
    constants: new Map([['e', 'Math.E'], ['pi', 'Math.PI']]),
    logBase: (x, b) => code(`Math.log(${x}) / Math.log(${b})`, PREC.mul),
    header: (params) => `function f(${params.join(', ')}) {`,
    footer: '}',
    declare: (name, value) => `let ${name} = ${value};`,
    update: (name, op, value) => `${name} ${op}= ${value};`,
    loop: (v, lo, hi) => `for (let ${v} = ${lo}; ${v} <= ${hi}; ${v}++) {`,
    endLoop: '}',
    ret: (value) => `return ${value};`,
    preamble: () => [],
    relations: { ...RELATIONS_PY, '==': '===', '!=': '!==' },
    and: '&&',
    or: '||',
    not: (c) => code(`!${wrap(c, PREC.unary)}`, PREC.unary),
    oneOrZero: (c) => code(`(${wrap(c, PREC.cond)} ? 1 : 0)`, PREC.atom),
    ifStart: (c) => `if (${c}) {`,
    elseLine: '} else {',
    endIf: '}',
    declareLater: (name) => `let ${name};`,
    assign: (name, value) => `${name} = ${value};`,
  },
}

interface FunctionCode {
  readonly arity: readonly [number, number]
  readonly gen: (args: readonly Code[], L: Syntax) => Code
}

const mathFn = (name: string): FunctionCode => ({ arity: [1, 1], gen: ([x], L) => code(`${L.math(name)}(${x!.text})`, PREC.atom) })
const varArgs = (name: 'max' | 'min'): FunctionCode => ({
  arity: [1, Infinity],
  gen: (xs, L) => code(`${L.builtin(name)}(${xs.map((x) => x.text).join(', ')})`, PREC.atom),
})
const exp = (x: Code, L: Syntax): string => `${L.math('exp')}(${x.text})`

const FUNCTIONS: ReadonlyMap<string, FunctionCode> = new Map(Object.entries({
  ...Object.fromEntries(['exp', 'sqrt', 'sin', 'cos', 'tan', 'sinh', 'cosh', 'tanh', 'asin', 'acos', 'atan', 'log2', 'log10', 'log1p'].map((n) => [n, mathFn(n)])),
  ln: { arity: [1, 1], gen: ([x], L) => code(`${L.math('log')}(${x!.text})`, PREC.atom) },
  log: {
    arity: [1, 2],
    gen: ([x, b], L) => (b ? L.logBase(x!.text, b.text) : code(`${L.math('log')}(${x!.text})`, PREC.atom)),
  },
  abs: { arity: [1, 1], gen: ([x], L) => code(`${L.builtin('abs')}(${x!.text})`, PREC.atom) },
  sigmoid: { arity: [1, 1], gen: ([z], L) => code(`1 / (1 + ${exp(negate(z!), L)})`, PREC.mul) },
  relu: { arity: [1, 1], gen: ([z], L) => code(`${L.builtin('max')}(0, ${z!.text})`, PREC.atom) },
  softplus: { arity: [1, 1], gen: ([z], L) => code(`${L.math('log1p')}(${exp(z!, L)})`, PREC.atom) },
  max: varArgs('max'),
  min: varArgs('min'),
}))

/**
 * Writes one function. Statements (accumulators and loops) are emitted as the expression is
 * compiled, so a sum inside a sum's body lands inside the outer loop.
 */
class Writer {
  private readonly lines: string[] = []
  private depth = 1
  /** Every identifier in use: parameters, loop variables and accumulators never collide. */
  private readonly taken = new Set<string>()
  private readonly params: string[]

  constructor(
    private readonly L: Syntax,
    private readonly mathParams: readonly string[],
  ) {
    this.params = mathParams.map((p) => this.fresh(p))
  }

  function(e: Expr): string {
    const scope = new Map(this.mathParams.map((p, i) => [p, this.params[i]!] as const))
    const value = this.expr(e, scope)
    this.emit(this.L.ret(value.text))
    const body = [this.L.header(this.params), ...this.lines, ...(this.L.footer ? [this.L.footer] : [])].join('\n')
    return [...this.L.preamble(body), body].join('\n')
  }

  /** A name not yet used (and not reserved): name, name2, name3, ... ("x_" for a keyword). */
  private fresh(name: string): string {
    let base = this.L.reserved.has(name) ? `${name}_` : name
    if (!/^[A-Za-z_]\w*$/u.test(base) && !/^\p{L}[\p{L}\p{N}_]*$/u.test(base)) base = `v_${base.replace(/\W/g, '_')}`
    let candidate = base
    for (let k = 2; this.taken.has(candidate); k++) candidate = `${base}${k}`
    this.taken.add(candidate)
    return candidate
  }

  private emit(line: string): void {
    this.lines.push(`${this.L.indent.repeat(this.depth)}${line}`)
  }

  private expr(e: Expr, scope: ReadonlyMap<string, string>): Code {
    if (e.kind === 'num') return code(formatNumber(e.value), e.value < 0 ? PREC.unary : PREC.atom)
    if (e.kind === 'sym') return code(scope.get(e.name) ?? this.L.constants.get(e.name) ?? e.name, PREC.atom)
    const args = e.args
    switch (e.head) {
      case OPS.add:
        return this.sum(args, scope)
      case OPS.mul:
        return this.product(args, scope)
      case OPS.pow:
        return isReciprocal(e) ? this.product([e], scope) : this.power(args[0]!, args[1]!, scope)
      case OPS.index:
        return this.index(e, scope)
      case OPS.factorial:
        // n! is the product of 1..n: the same loop as prod(k, k, 1, n)
        return this.loop('prod', 'k', (k) => code(k, PREC.atom), num(1), args[0]!, scope)
      case 'sum':
      case 'prod':
        return this.binder(e, scope)
      case OPS.and:
      case OPS.or: {
        const [op, prec] = e.head === OPS.and ? [this.L.and, PREC.and] : [this.L.or, PREC.or]
        return code(args.map((x) => wrap(this.expr(x, scope), prec)).join(` ${op} `), prec)
      }
      case OPS.not:
        return this.L.not(this.expr(args[0]!, scope))
      case 'ind':
        return this.L.oneOrZero(this.expr(args[0]!, scope))
      case 'delta':
        // the Kronecker delta: 1 where the two indices are equal, else 0
        return this.L.oneOrZero(this.expr(call(OPS.eq, [args[0]!, args[1]!]), scope))
      case OPS.if:
        return this.ifElse(args[0]!, [args[1]!, args[2]!], scope)
      default: {
        if (RELATION_HEADS.has(e.head)) {
          return code(`${wrap(this.expr(args[0]!, scope), PREC.rel)} ${this.L.relations[e.head]} ${wrap(this.expr(args[1]!, scope), PREC.rel)}`, PREC.rel)
        }
        // max and min of two values are an if-else, as a condition written out
        if ((e.head === 'max' || e.head === 'min') && args.length === 2) {
          return this.ifElse(call(e.head === 'max' ? OPS.ge : OPS.le, [args[0]!, args[1]!]), [args[0]!, args[1]!], scope, e.head === 'max' ? 'largest' : 'smallest')
        }
        const fn = FUNCTIONS.get(e.head)
        if (!fn) throw new Error(`no code for ${e.head}; whyNoCode should have refused it`)
        return fn.gen(
          args.map((a) => this.expr(a, scope)),
          this.L,
        )
      }
    }
  }

  /**
   * c ? a : b as statements: the condition first, then each branch computed only where it is
   * taken (x > 0 ? log(x) : 0 never takes log of a negative), into one variable.
   */
  private ifElse(c: Expr, [yes, no]: readonly [Expr, Expr], scope: ReadonlyMap<string, string>, name = 'value'): Code {
    const cond = this.expr(c, scope)
    const v = this.fresh(name)
    const declared = this.L.declareLater(v)
    if (declared) this.emit(declared)
    this.emit(this.L.ifStart(cond.text))
    for (const [k, branch] of [yes, no].entries()) {
      if (k === 1) this.emit(this.L.elseLine)
      this.depth++
      this.emit(this.L.assign(v, this.expr(branch, scope).text))
      this.depth--
    }
    if (this.L.endIf) this.emit(this.L.endIf)
    return code(v, PREC.atom)
  }

  private sum(terms: readonly Expr[], scope: ReadonlyMap<string, string>): Code {
    const text = terms
      .map((t, i) => {
        if (i > 0 && isNegativeTerm(t)) return ` - ${wrap(this.expr(neg(t), scope), PREC.add)}`
        return `${i > 0 ? ' + ' : ''}${wrap(this.expr(t, scope), PREC.add - 1)}`
      })
      .join('')
    return code(text, PREC.add)
  }

  /** Factors in order; b ^ -k is "/ b" or "/ b ** k", and a leading -1 is a minus sign. */
  private product(factors: readonly Expr[], scope: ReadonlyMap<string, string>): Code {
    const [first, ...rest] = factors
    if (first?.kind === 'num' && first.value === -1 && rest.length > 0) return negate(this.product(rest, scope))
    if (first && rest.length === 0 && !isReciprocal(first)) return this.expr(first, scope)
    let text = ''
    for (const f of factors) {
      if (isReciprocal(f)) {
        const k = -(f.args[1] as { value: number }).value
        const base = this.expr(f.args[0]!, scope)
        const d = k === 1 ? wrap(base, PREC.mul) : `${wrap(base, PREC.pow)} ** ${formatNumber(k)}`
        text = `${text === '' ? '1' : text} / ${d}`
      } else {
        text += `${text === '' ? '' : ' * '}${wrap(this.expr(f, scope), PREC.mul)}`
      }
    }
    return code(text, PREC.mul)
  }

  private power(base: Expr, exponent: Expr, scope: ReadonlyMap<string, string>): Code {
    // ** is right-associative in both languages, and JavaScript forbids a bare unary base
    return code(`${wrap(this.expr(base, scope), PREC.pow)} ** ${wrap(this.expr(exponent, scope), PREC.unary - 1)}`, PREC.pow)
  }

  /** x[i, j] in the math (1-based) is x[i - 1][j - 1] in code (0-based lists and arrays). */
  private index(e: Call, scope: ReadonlyMap<string, string>): Code {
    const [base, ...subs] = e.args
    const offsets = subs.map((s) => {
      if (s.kind === 'num') return `[${formatNumber(s.value - 1)}]`
      return `[${wrap(this.expr(s, scope), PREC.add - 1)} - 1]`
    })
    return code(`${this.expr(base!, scope).text}${offsets.join('')}`, PREC.atom)
  }

  private binder(e: Call, scope: ReadonlyMap<string, string>): Code {
    const [body, v, lo, hi] = e.args
    const name = (v as { name: string }).name
    const inner = (ident: string): ReadonlyMap<string, string> => new Map([...scope, [name, ident]])
    // sum(ind(c) * f, i, lo, hi): a loop that adds f only where c holds
    const factors = isCall(body, OPS.mul) ? body.args : [body!]
    const guards = e.head === 'sum' ? factors.filter((f) => isCall(f, 'ind') && f.args.length === 1) : []
    if (guards.length > 0) {
      const rest = mul(factors.filter((f) => !guards.includes(f)))
      const cond = guards.length === 1 ? (guards[0] as Call).args[0]! : call(OPS.and, guards.map((g) => (g as Call).args[0]!))
      return this.loop('sum', name, (ident) => this.expr(rest, inner(ident)), lo!, hi!, scope, (ident) => this.expr(cond, inner(ident)))
    }
    return this.loop(e.head as 'sum' | 'prod', name, (ident) => this.expr(body!, inner(ident)), lo!, hi!, scope)
  }

  /** for v from lo to hi: acc += body (or *=); the accumulator is the loop's value. */
  private loop(kind: 'sum' | 'prod', v: string, body: (ident: string) => Code, lo: Expr, hi: Expr, scope: ReadonlyMap<string, string>, guard?: (ident: string) => Code): Code {
    // limits are computed outside the loop (a limit may itself be a sum)
    const start = this.expr(lo, scope).text
    const end = this.expr(hi, scope)
    const after = hi.kind === 'num' ? formatNumber(hi.value + 1) : `${wrap(end, PREC.add - 1)} + 1`
    const acc = this.fresh(kind === 'sum' ? 'total' : 'product')
    const ident = this.fresh(v)
    this.emit(this.L.declare(acc, kind === 'sum' ? '0' : '1'))
    this.emit(this.L.loop(ident, start, end.text, after))
    this.depth++
    if (guard) {
      this.emit(this.L.ifStart(guard(ident).text))
      this.depth++
    }
    const value = body(ident)
    this.emit(this.L.update(acc, kind === 'sum' ? '+' : '*', value.text))
    if (guard) {
      this.depth--
      if (this.L.endIf) this.emit(this.L.endIf)
    }
    this.depth--
    if (this.L.endLoop) this.emit(this.L.endLoop)
    // the loop variable may be reused by a later, separate loop
    this.taken.delete(ident)
    return code(acc, PREC.atom)
  }
}
