// LaTeX math -> Expr (SPEC §1.2), for formulas pasted from lecture notes, PDFs and Overleaf.
//
// derive's own reader over the math subset students paste, rather than a dependency: measured on
// the shared corpus of real formulas, the candidate libraries either need Node >= 22, reorder
// matrix products, or misread \sigma(z), d/dx and \log x (see README "Pasting from your notes").
// Every construct is read as lecture notation means it or refused with its position in the LaTeX
// text; readings that are a choice (\sigma(z) as sigmoid, x^{(i)} as x[i]) are announced.
//
// The reader is recursive descent, guarded: every nested construct passes `enter`, which refuses
// input nested deeper than MAX_DEPTH before the stack is at risk; runs of signs are loops.
import { add, call, div, type Expr, freeSymbols, isCall, mul, neg, num, numLiteral, OPS, pow, sym } from './expr.js'
import { print } from './print.js'
import { type Announce, exprDepth, isLatex, jointProbability, MAX_DEPTH, MAX_LENGTH, type ParseOptions, ParseError, readWithValues, type ValueNames, valueTimes } from './parse.js'

interface Token {
  /** 'cmd' \name or \, ; 'letter' one letter; 'num' digits; 'char' any other character; 'end' */
  readonly kind: 'cmd' | 'letter' | 'num' | 'char' | 'end'
  readonly text: string
  /** 0-based offset in the LaTeX source */
  readonly pos: number
  /** for \text{...}, \mathrm{...}, \operatorname{...}: the raw words inside the braces */
  readonly word?: string
}

/** Commands whose braces hold words, not math. */
const WORD_COMMANDS = new Set(['\\text', '\\textrm', '\\mathrm', '\\operatorname', '\\mathit', '\\textit', '\\textbf', '\\mbox'])

/** Spacing and style commands: no meaning for the expression. */
const IGNORED = new Set(
  '\\, \\; \\: \\! \\  \\quad \\qquad \\enspace \\thinspace \\medspace \\thickspace \\displaystyle \\textstyle \\scriptstyle \\limits \\nolimits \\big \\Big \\bigg \\Bigg \\bigl \\bigr \\Bigl \\Bigr \\biggl \\biggr \\Biggl \\Biggr \\middle'.split(' '),
)

const GREEK = new Set(
  'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega'.split(' '),
)
const GREEK_VARIANTS: ReadonlyMap<string, string> = new Map(Object.entries({ varepsilon: 'epsilon', vartheta: 'theta', varphi: 'phi', varrho: 'rho', varsigma: 'sigma', varpi: 'pi', ell: 'ell' }))

/** Function commands and the derive function they are. */
const FUNCTIONS: ReadonlyMap<string, string> = new Map(Object.entries({
  '\\log': 'log', '\\ln': 'log', '\\exp': 'exp', '\\sin': 'sin', '\\cos': 'cos', '\\tan': 'tan', '\\sinh': 'sinh',
  '\\cosh': 'cosh', '\\tanh': 'tanh', '\\det': 'det', '\\max': 'max', '\\min': 'min',
}))

/** Words in \operatorname{..}, \mathrm{..}, \text{..} that name a derive function. */
const FUNCTION_WORDS: ReadonlyMap<string, string> = new Map(Object.entries({
  tr: 'trace', Tr: 'trace', trace: 'trace', Var: 'Var', var: 'Var', Cov: 'Cov', cov: 'Cov', E: 'E', sigmoid: 'sigmoid',
  softmax: 'softmax', relu: 'relu', ReLU: 'relu', log: 'log', ln: 'log', exp: 'exp', det: 'det', Pr: 'P', P: 'P',
}))

/** Constructs refused with what to write instead. */
const REFUSED: ReadonlyMap<string, string> = new Map(Object.entries({
  '\\nabla': 'a gradient has no notation here: write \\frac{\\partial f}{\\partial x} or diff(f, x)',
  '\\cdots': 'an elided product or sum (\\cdots): write \\prod_{i=1}^{n} or prod(f, i, 1, n)',
  '\\ldots': 'an elided list (\\ldots): write \\sum_{i=1}^{n} or \\prod_{i=1}^{n}',
  '\\dots': 'an elided list (\\dots): write \\sum_{i=1}^{n} or \\prod_{i=1}^{n}',
  '\\odot': 'an elementwise product (\\odot) has no notation',
  '\\otimes': 'a Kronecker product (\\otimes) has no notation',
  '\\circ': 'a composition or elementwise product (\\circ) has no notation',
  '\\Vert': 'a norm or divergence (\\Vert) has no notation: for a norm write \\sqrt{x^\\top x}',
  '\\|': 'a norm (\\|x\\|) has no notation: write \\sqrt{x^\\top x}',
  '\\sim': 'a distribution (\\sim) has no notation',
  '\\in': 'set membership (\\in) is not an expression',
  '\\pm': '\\pm stands for two expressions: write each one',
  '\\mp': '\\mp stands for two expressions: write each one',
  '\\_': '\\_ is a Markdown escape for "_": paste the LaTeX with a plain _',
  '\\\\': 'a line break (\\\\): one expression at a time',
  '\\approx': 'an approximation (\\approx) is not an expression',
  '\\propto': '\\propto is not an expression',
  '\\infty': 'infinity is only read as a limit of an integral',
  '\\lim': 'limits have no notation',
  '\\arg': 'argmax/argmin have no notation: give the expression being maximised or minimised',
  '\\cap': 'write an intersection of events with a comma, P(A, B)',
  '\\cup': 'write a union of events as A or B',
  '\\neg': 'write a complement as not A',
  '\\leq': 'a comparison is not an expression',
  '\\geq': 'a comparison is not an expression',
  '\\le': 'a comparison is not an expression',
  '\\ge': 'a comparison is not an expression',
  '\\neq': 'a comparison is not an expression',
}))

/** Comparisons inside a condition (an indicator's braces). */
const LATEX_RELATIONS: Readonly<Record<string, string>> = {
  '=': OPS.eq,
  '\\neq': OPS.ne,
  '\\ne': OPS.ne,
  '<': OPS.lt,
  '\\lt': OPS.lt,
  '\\le': OPS.le,
  '\\leq': OPS.le,
  '>': OPS.gt,
  '\\gt': OPS.gt,
  '\\ge': OPS.ge,
  '\\geq': OPS.ge,
}

/** The brackets an indicator's condition may stand in, by their opening. */
const INDICATOR_CLOSE: Readonly<Record<string, string>> = { '\\{': '\\}', '[': ']', '(': ')' }

/** Single letters that name a function when applied: f(x), J(\theta), L(w); other letters multiply. */
const FUNCTION_LETTERS = new Set(['f', 'g', 'h', 'F', 'G', 'J', 'L', 'ell', 'phi', 'psi'])
const PROBABILITY_LETTERS = new Set(['p', 'P'])

function tokenize(src: string): Token[] {
  const out: Token[] = []
  let i = 0
  const fail = (reason: string, at: number): never => {
    throw new ParseError(reason, src, at + 1)
  }
  while (i < src.length) {
    const c = src[i]!
    if (/\s/.test(c) || c === '~') {
      i++
      continue
    }
    if (c === '%') {
      while (i < src.length && src[i] !== '\n') i++
      continue
    }
    if (c === '\\') {
      const m = /^\\([A-Za-z]+|.)/s.exec(src.slice(i, i + 40))
      if (!m) fail('a lone backslash', i)
      const text = m![0].replace(/\s$/, ' ')
      const start = i
      i += m![0].length
      if (WORD_COMMANDS.has(text)) {
        let j = i
        if (text === '\\operatorname' && src[j] === '*') j++ // \operatorname*{arg\,max}: limits below
        while (j < src.length && /\s/.test(src[j]!)) j++
        if (src[j] !== '{') fail(`${text} needs its text in braces`, start)
        let depth = 0
        let k = j
        for (; k < src.length; k++) {
          if (src[k] === '{') depth++
          else if (src[k] === '}' && --depth === 0) break
        }
        if (k >= src.length) fail(`${text}{ is never closed`, j)
        const word = src.slice(j + 1, k)
        // \mathrm{d}x, \frac{\mathrm{d}}{\mathrm{d}x}: the upright d of a differential is the letter d
        if (word.trim() === 'd' && text !== '\\text') out.push({ kind: 'letter', text: 'd', pos: start })
        else out.push({ kind: 'cmd', text, pos: start, word })
        i = k + 1
        continue
      }
      out.push({ kind: 'cmd', text, pos: start })
      continue
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^[0-9]*\.?[0-9]+|^[0-9]+/.exec(src.slice(i))!
      out.push({ kind: 'num', text: m[0], pos: i })
      i += m[0].length
      continue
    }
    if (/[A-Za-z]/.test(c)) {
      out.push({ kind: 'letter', text: c, pos: i })
      i++
      continue
    }
    if (c.charCodeAt(0) > 127) fail(`unsupported character "${c}" in LaTeX`, i)
    out.push({ kind: 'char', text: c, pos: i })
    i++
  }
  out.push({ kind: 'end', text: '', pos: src.length })
  return out
}

/** Where the parser is: inside P(...) a bar is "given", inside |...| it closes, in an integral `dx` ends the body. */
type Context = 'top' | 'group' | 'P' | 'abs' | 'int' | 'norm'

class Reader {
  private i = 0
  private depth = 0
  private readonly contexts: Context[] = ['top']

  constructor(
    private readonly src: string,
    private tokens: Token[],
    private readonly announce: Announce,
    private readonly names: ValueNames,
  ) {}

  private get t(): Token {
    return this.tokens[this.i]!
  }
  private peek(k = 1): Token {
    return this.tokens[Math.min(this.i + k, this.tokens.length - 1)]!
  }
  private next(): Token {
    const t = this.t
    if (t.kind !== 'end') this.i++
    return t
  }
  private is(text: string, t: Token = this.t): boolean {
    return t.kind !== 'end' && t.text === text
  }
  private fail(reason: string, t: Token = this.t): never {
    throw new ParseError(reason, this.src, t.pos + 1)
  }
  private expect(text: string, what: string): Token {
    if (!this.is(text)) this.fail(`expected ${what}${this.t.kind === 'end' ? ' before the end' : ` before "${this.t.text}"`}`)
    return this.next()
  }
  /** Guard every nested construct: deeper than MAX_DEPTH is refused before the stack is at risk. */
  private nested<T>(context: Context | undefined, body: () => T): T {
    if (++this.depth > 2 * MAX_DEPTH) this.fail(`the expression is nested too deeply (at most ${MAX_DEPTH} levels)`)
    if (context) this.contexts.push(context)
    try {
      return body()
    } finally {
      this.depth--
      if (context) this.contexts.pop()
    }
  }
  private get context(): Context {
    return this.contexts.at(-1)!
  }

  /** The whole input: one expression, nothing after it. */
  read(): Expr {
    this.skipIgnored()
    const e = this.sum()
    this.skipIgnored()
    if (this.t.kind !== 'end') this.refuseHere()
    return e
  }

  private skipIgnored(): void {
    while (this.t.kind === 'cmd' && IGNORED.has(this.t.text)) this.next()
  }

  /** Why the current token cannot continue the expression. */
  private refuseHere(): never {
    const t = this.t
    if (t.text === '=') this.fail('"=" makes this an equation: give one side at a time (derive why FROM TO compares two)')
    if (t.text === '&') this.fail('"&" is an alignment mark: give one expression at a time (derive check FILE.tex reads an align)')
    if (t.text === '.' || t.text === ',') this.fail(`"${t.text}" here is punctuation, not math: leave it out`)
    if (t.kind === 'cmd' && REFUSED.has(t.text)) this.fail(REFUSED.get(t.text)!)
    if (t.text === ')' || t.text === ']' || t.text === '}' || this.is('\\right')) this.fail(`"${t.text}" closes nothing`)
    this.fail(`unexpected "${t.text}"`)
  }

  /** Terms joined by + and -. A leading run of signs is a loop, not a recursion. */
  private sum(): Expr {
    return this.nested(undefined, () => {
      const terms: Expr[] = [this.signedTerm()]
      for (;;) {
        this.skipIgnored()
        if (this.is('+') || this.is('-')) {
          terms.push(this.signedTerm())
        } else return add(terms)
      }
    })
  }

  private signedTerm(): Expr {
    let negative = false
    while (this.is('+') || this.is('-')) {
      if (this.next().text === '-') negative = !negative
      this.skipIgnored()
    }
    const t = this.term()
    return negative ? neg(t) : t
  }

  /** Can the current token begin a factor (so juxtaposition continues the product)? */
  private startsFactor(): boolean {
    const t = this.t
    if (t.kind === 'end') return false
    if (t.kind === 'num' || t.kind === 'letter') {
      if (this.context === 'int' && this.isDifferential()) return false
      return true
    }
    if (t.kind === 'cmd') {
      if (IGNORED.has(t.text)) return true
      if (t.text === '\\|') return this.context !== 'norm'
      // (comparisons and the logic of a condition end a product too: \mathbb{1}\{y = k \land x > 0\})
      return !['\\right', '\\rVert', '\\rangle', '\\choose', '\\cdot', '\\times', '\\mid', '\\top', '\\intercal', '\\}', '\\land', '\\wedge', '\\lor', '\\vee'].includes(t.text) && !(t.text in LATEX_RELATIONS)
    }
    if (t.text === '|') return this.context !== 'P' && this.context !== 'abs'
    return t.text === '(' || t.text === '[' || t.text === '{'
  }

  /** In an integral: `d x` (or `d\theta`) ends the integrand. */
  private isDifferential(): boolean {
    const n = this.peek()
    return this.is('d') && (n.kind === 'letter' || (n.kind === 'cmd' && this.greekName(n.text) !== undefined))
  }

  /** A product: factors side by side or joined by \cdot, \times, *, /. */
  private term(): Expr {
    let factors: Expr[] = []
    for (;;) {
      this.skipIgnored()
      if (this.is('\\cdot') || this.is('\\times') || this.is('*')) {
        this.next()
        continue
      }
      if (this.is('/')) {
        const slash = this.next()
        this.skipIgnored()
        if (factors.length === 0 || !this.startsFactor()) this.fail('"/" needs something on both sides', slash)
        const d = this.factor()
        this.skipIgnored()
        if (this.startsFactor()) this.fail('a / b c is ambiguous: write \\frac{a}{b c} or \\frac{a}{b} c', slash)
        factors = [div(mul(factors), d)]
        continue
      }
      if (!this.startsFactor()) break
      factors.push(this.factor())
      if (this.consumedRest) {
        this.consumedRest = false
        break
      }
    }
    if (factors.length === 0) {
      if (this.t.kind === 'end') this.fail('an expression is missing at the end')
      this.refuseHere()
    }
    return mul(factors)
  }

  /** Set by a big operator (\sum, \frac{d}{dx}) that took the rest of the product as its body. */
  private consumedRest = false

  private isBig(t: Token): boolean {
    return t.text === '\\sum' || t.text === '\\prod' || t.text === '\\int'
  }

  /** The rest of the current product, as a big operator's body. */
  private rest(what: string, at: Token): Expr {
    this.skipIgnored()
    if (this.is('-') || this.is('+')) return this.signedTerm() // \sum_i -1, as derive prints it
    if (!this.startsFactor()) this.fail(`${what} needs something after it`, at)
    return this.term() // the caller sets consumedRest once it is done reading
  }

  /** One factor with its sub- and superscripts. */
  private factor(): Expr {
    return this.nested(undefined, () => {
      const t = this.t
      if (t.kind === 'num' && t.text === '1' && this.peek().text === '\\{') {
        // CS229's 1\{y^{(i)} = 1\}: the indicator
        this.next()
        return this.scripts(this.indicator(t, '1'), t)
      }
      if (t.kind === 'num') {
        this.next()
        return this.scripts(numLiteral(t.text) ?? num(Number(t.text)), t)
      }
      if (t.kind === 'letter') return this.letter()
      if (t.kind === 'cmd') return this.command()
      if (t.text === '[' && this.peek().text === '\\!' && this.peek(2).text === '[') return this.scripts(this.iverson(), t)
      if (t.text === '(' || t.text === '[' || t.text === '{') return this.scripts(this.group(), t)
      if (t.text === '|') {
        this.next()
        if (this.is('_')) this.fail('an evaluation bar (f|_{x=0}) has no notation: substitute the value yourself, or write the derivative and the point as two steps', t)
        this.refuseSetSize(t)
        const inner = this.nested('abs', () => this.sum())
        this.expect('|', 'a closing "|"')
        return this.scripts(this.bars(inner), t)
      }
      return this.refuseHere()
    })
  }

  /** |\mathcal{B}|, the size of a set (d2l's minibatch), is not an absolute value nor a determinant. */
  private refuseSetSize(open: Token): void {
    this.skipIgnored()
    if (this.is('\\mathcal')) this.fail('the size of a set (|\\mathcal{B}|) has no notation: write a name for the count, such as n', open)
  }

  /** |x| is abs(x); |A| around a matrix is its determinant det(A) (Bishop's |\Sigma|), and derive says so. */
  private bars(inner: Expr): Expr {
    if (!isMatrixExpr(inner)) return call('abs', [inner])
    this.announce(`reading |${print(inner)}| as the determinant det(${print(inner)}) of a matrix`)
    return call('det', [inner])
  }

  /** [\![ y = k ]\!]: the Iverson bracket, 1 where the condition holds, else 0. */
  private iverson(): Expr {
    const open = this.next()
    this.next()
    this.next()
    const c = this.nested('group', () => this.condition())
    this.skipIgnored()
    if (!this.is(']') || this.peek().text !== '\\!' || this.peek(2).text !== ']') this.fail('"[\\![" is never closed by "]\\!]"', open)
    this.next()
    this.next()
    this.next()
    this.announce('reading [\\![ ... ]\\!] as the indicator ind(...)')
    return call('ind', [c])
  }

  /** \mathbb{1}\{ y = k \}, or with the condition as a subscript \mathbb{1}_{y = k}: the indicator. */
  private indicator(at: Token, written = `${at.text}{1}`): Expr {
    this.skipIgnored()
    if (this.is('_')) return this.subscriptIndicator(at)
    // \mathbb{1}\{c\}, \mathbb{1}[c], \mathbb{1}(c), each also with \left ... \right
    const left = this.is('\\left')
    if (left) this.next()
    const close = INDICATOR_CLOSE[this.t.text]
    if (!close) this.fail(`${written} is the indicator: write its condition in \\{ \\}, as in ${written}\\{y = k\\}`, at)
    const open = this.next().text
    const c = this.nested('group', () => this.condition())
    this.skipIgnored()
    if (left) this.expect('\\right', `"\\right${close}" to close the indicator's condition`)
    this.expect(close!, `"${close}" to close the indicator's condition`)
    this.announce(`reading ${written}${open}...${close} as the indicator ind(...)`)
    return call('ind', [c])
  }

  /** \mathbb{1}_{y_i = k} or \mathbb{1}_{\{y_i = k\}}: the condition in the subscript's braces. */
  private subscriptIndicator(at: Token): Expr {
    this.next()
    this.skipIgnored()
    if (!this.is('{')) this.fail(`${at.text}{1}_ is the indicator: write its condition in braces, as in ${at.text}{1}_{y = k}`, at)
    this.next()
    this.skipIgnored()
    const set = this.is('\\{')
    if (set) this.next()
    const c = this.nested('group', () => this.condition())
    this.skipIgnored()
    if (set) this.expect('\\}', '"\\}" to close the indicator\'s condition')
    this.skipIgnored()
    this.expect('}', '"}" to close the indicator\'s subscript')
    this.announce(`reading ${at.text}{1}_{...} as the indicator ind(...)`)
    return call('ind', [c])
  }

  /** A condition: comparisons (a < b \le c chains), joined by \land / \wedge / \lor / \vee, \neg before one. */
  private condition(): Expr {
    const disjuncts: Expr[] = []
    let conjuncts: Expr[] = []
    for (;;) {
      this.skipIgnored()
      conjuncts.push(this.comparison())
      this.skipIgnored()
      if (this.is('\\land') || this.is('\\wedge') || this.is(',')) this.next()
      else if (this.is('\\lor') || this.is('\\vee')) {
        this.next()
        disjuncts.push(conjuncts.reduce((a, b) => call(OPS.and, [a, b])))
        conjuncts = []
      } else break
    }
    disjuncts.push(conjuncts.reduce((a, b) => call(OPS.and, [a, b])))
    return disjuncts.reduce((a, b) => call(OPS.or, [a, b]))
  }

  private comparison(): Expr {
    if (this.is('\\neg') || this.is('\\lnot')) {
      this.next()
      return call(OPS.not, [this.comparison()])
    }
    return this.relationAfter(this.sum(), true)
  }

  /** left, or the comparison chain it starts (Y = y, a < b \le c); `needed`: without one it is refused. */
  private relationAfter(first: Expr, needed = false): Expr {
    const parts: Expr[] = []
    let left = first
    for (;;) {
      this.skipIgnored()
      const op = LATEX_RELATIONS[this.t.text]
      if (!op) break
      this.next()
      const right = this.sum()
      parts.push(call(op, [left, right]))
      left = right
    }
    if (parts.length === 0) {
      if (needed) this.fail('a condition needs a comparison, as in y = k or x > 0')
      return first
    }
    return parts.reduce((a, b) => call(OPS.and, [a, b]))
  }

  /** ( ... ), [ ... ], { ... }, \left( ... \right). */
  private group(): Expr {
    const open = this.next()
    const close = open.text === '(' ? ')' : open.text === '[' ? ']' : '}'
    this.skipIgnored()
    if (this.is(close)) this.fail(`empty ${open.text}${close}`, open)
    const inner = this.nested('group', () => this.sum())
    this.skipIgnored()
    if (this.is('\\right')) {
      this.fail(`"\\right" without "\\left" (opened by "${open.text}")`)
    }
    if (open.text === '{' && this.is('\\choose')) {
      // {n \choose k}, the binomial coefficient
      this.next()
      const k = this.nested('group', () => this.sum())
      this.skipIgnored()
      this.expect('}', '"}" to close {n \\choose k}')
      return call('choose', [inner, k])
    }
    if (this.is(',')) this.fail(`"," inside "${open.text}${close}": a function of several arguments is written with a function letter, f(x, w) (a letter such as y or h here is a number), and a list has no notation`)
    this.expect(close, `"${close}" to close "${open.text}"`)
    return inner
  }

  /** \left( ... \right) and friends; returns the inner expression and the delimiter. */
  private leftRight(): { inner: Expr; open: string; at: Token } {
    const at = this.next() // \left
    const d = this.next()
    const open = d.text === '\\{' ? '{' : d.text === '\\lvert' || d.text === '\\vert' ? '|' : d.text === '\\|' || d.text === '\\lVert' ? '‖' : d.text
    if (!['(', '[', '{', '|', '‖', '.'].includes(open)) this.fail(`\\left${d.text} is not supported`, d)
    if (open === '|') this.refuseSetSize(d)
    const inner = this.nested(open === '|' ? 'group' : 'group', () => this.sum())
    this.skipIgnored()
    if (!this.is('\\right')) this.fail('"\\left" is never closed by "\\right"', at)
    this.next()
    const close = this.next() // the closing delimiter
    if (close.text === '|' && this.is('_')) this.fail('an evaluation bar (\\left. f \\right|_{x=0}) has no notation: substitute the value yourself, or write the derivative and the point as two steps', at)
    return { inner, open, at }
  }

  /** \|x\|, \|x\|_2 (the Euclidean norm sqrt(x' * x)) and \|x\|^2, \|x\|_2^2 (x' * x); other norms are refused. */
  private norm(inner: Expr, at: Token): Expr {
    this.skipIgnored()
    if (this.is('_')) {
      const u = this.next()
      const g = this.scriptTokens(u)
      if (g.length === 1 && g[0]!.text === 'F') this.fail('a Frobenius norm (\\|A\\|_F) has no notation: write \\sqrt{\\operatorname{tr}(A^\\top A)}', u)
      if (g.length !== 1 || g[0]!.text !== '2') this.fail(`only the Euclidean norm (\\|x\\| or \\|x\\|_2) has a reading: write the ${this.src.slice(u.pos, this.t.pos).trim()} norm out, e.g. \\sum_i |x_i| for \\|x\\|_1`, u)
    }
    if (isMatrixName(inner)) this.fail(`a matrix norm (${this.src.slice(at.pos, this.t.pos).trim()}) has no notation: write \\sqrt{\\operatorname{tr}(A^\\top A)} for the Frobenius norm`, at)
    const square = mul([call(OPS.transpose, [inner]), inner])
    const power = this.is('^') ? this.superscriptOf() : undefined
    const written = this.src.slice(at.pos, this.t.pos).trim()
    const e = power?.e.kind === 'num' && power.e.value === 2 ? square : power ? pow(call('sqrt', [square]), power.e) : call('sqrt', [square])
    this.announce(`reading ${written} as ${print(e)} (the Euclidean norm of a vector)`)
    return this.scripts(e, at)
  }

  /**
   * \mathcal{N}(x \mid \mu, \sigma^2), also with ";": the Gaussian density normal(x, mu, sd), whose
   * third argument is the standard deviation (|sigma| for a variance sigma^2). A distribution without
   * its point, or a multivariate one (a bold point, a matrix), is refused.
   */
  private gaussian(at: Token): Expr {
    const left = this.is('\\left')
    if (left) this.next()
    this.expect('(', '"(" after \\mathcal{N}')
    const part = (context: Context): { e: Expr; tokens: Token[] } => {
      const from = this.i
      const e = this.nested(context, () => this.sum())
      this.skipIgnored()
      return { e, tokens: this.tokens.slice(from, this.i) }
    }
    const x = part('P')
    if (this.is(',')) this.fail('\\mathcal{N}(\\mu, \\sigma^2) is a distribution, not a number: for its density at x write \\mathcal{N}(x \\mid \\mu, \\sigma^2)', at)
    if (!this.is('|') && !this.is('\\mid') && !this.is(';')) this.fail('expected "\\mid" after the point, as in \\mathcal{N}(x \\mid \\mu, \\sigma^2)')
    this.next()
    const mu = part('group')
    this.expect(',', '"," between the mean and the variance of \\mathcal{N}')
    const v = part('group')
    if (left) this.expect('\\right', '"\\right)"')
    this.expect(')', '")" to close \\mathcal{N}(')
    const bold = (p: { tokens: Token[] }): boolean => p.tokens.some((k) => ['\\mathbf', '\\boldsymbol', '\\bm'].includes(k.text))
    const upper = (p: { e: Expr }): boolean => [...freeSymbols(p.e)].some((n) => /^[A-Z]/.test(n))
    if (bold(x) || bold(v) || upper(x) || upper(v)) this.fail('a multivariate Gaussian density has no notation: write the density out', at)
    const sd = isCall(v.e, OPS.pow) && v.e.args[1]?.kind === 'num' && v.e.args[1].value === 2 ? call('abs', [v.e.args[0]!]) : call('sqrt', [v.e])
    const e = call('normal', [x.e, mu.e, sd])
    this.announce(`reading ${this.src.slice(at.pos, this.t.pos).trim()} as ${print(e)}, the Gaussian density (normal takes the standard deviation)`)
    return this.scripts(e, at)
  }

  /** f'(x), \sigma''(z): the derivative of the function at a variable, diff(f(x), x); at an expression it is refused. */
  private primed(name: string, head: string, at: Token): Expr {
    let order = 0
    while (this.is("'")) {
      this.next()
      order++
    }
    if (!this.is('(') && !this.is('\\left')) this.fail("a prime: write a derivative as \\frac{d}{dx} f, a transpose as x^\\top")
    const args = this.arguments(head, at)
    const v = args[0]!
    const written = `${name}${"'".repeat(order)}`
    if (args.length !== 1 || !isVariable(v)) this.fail(`${written}(...) at an expression has no notation: write \\frac{d}{du} for a variable u, or the derivative's formula`, at)
    let e: Expr = call(head, args)
    for (let k = 0; k < order; k++) e = call('diff', [e, v])
    this.announce(`reading ${written}(${print(v)}) as ${print(e)}`)
    return this.scripts(e, at)
  }

  private greekName(cmd: string): string | undefined {
    const name = cmd.slice(1)
    if (GREEK.has(name)) return name
    return GREEK_VARIANTS.get(name)
  }

  /** A single letter: a symbol, a function applied (f(x), p(x | y)), or E[X]. */
  private letter(): Expr {
    const t = this.next()
    return this.named(t.text, t)
  }

  /**
   * A name (letter, Greek letter, \mathbf{x}, \mathcal{L}) with its scripts; applied to an argument
   * when it names a function (f(x), J(\theta)), a probability (p(x | y)) or an expectation (E[X]).
   */
  private named(name: string, at: Token, kind: 'plain' | 'function' = 'plain'): Expr {
    if (name === 'E' && this.is('_')) this.fail(`an expectation over a distribution (${this.src.slice(at.pos, this.peek(2).pos + 1)}...) has no notation: write E(X)`)
    const base = this.subscripts(name, at)
    const fname = base.kind === 'sym' ? base.name : undefined
    const canApply = fname !== undefined && (name === 'E' || PROBABILITY_LETTERS.has(name) || FUNCTION_LETTERS.has(name) || kind === 'function')
    if (canApply && this.is("'") && fname !== 'E' && !PROBABILITY_LETTERS.has(fname!)) return this.primed(fname!, fname!, at)
    const power = canApply && this.is('^') ? this.superscriptOf() : undefined
    let opens = this.is('(') || this.is('\\left') || (name === 'E' && this.is('['))
    if (canApply && opens && power && name !== 'E' && !PROBABILITY_LETTERS.has(name) && !(power.e.kind === 'num' && Number.isInteger(power.e.value) && power.e.value > 0)) {
      // \phi^{y_n}(1 - \phi): a name raised to anything but a whole number, then a bracket, is a product
      this.announce(`reading ${name}^${power.text}(...) as ${name}^${power.text} times (...)`)
      opens = false
    }
    if (canApply && opens && fname !== 'E' && fname !== 'P' && this.names.values.has(fname!)) {
      // the value rule: a name this line also uses as a number multiplies (p(1 - p), f(x) with f a number)
      const args = PROBABILITY_LETTERS.has(name) && fname === name ? (this.probability(at) as { args: readonly Expr[] }).args : this.arguments(fname!, at)
      const value = power ? this.power(base, power.e, power.raw, at) : base
      const written = power ? `${fname}^${power.text}` : fname!
      return this.valueApplied(written, value, args, at)
    }
    if (canApply && opens) {
      let f: Expr
      if (fname !== 'E' && fname !== 'P') this.names.applied.add(fname!)
      if (name === 'E' && fname === 'E') f = call('E', this.arguments('E', at))
      else if (PROBABILITY_LETTERS.has(name) && fname === name) {
        f = this.probability(at)
        if (name === 'p') this.announce('reading p(...) as the probability P(...)')
      }
      else {
        if (fname !== name) this.announce(`reading ${fname} as the name of one function`)
        f = call(fname!, this.arguments(fname!, at))
      }
      if (power) {
        this.announce(`reading ${name}^${power.text}(...) as the power (${name}(...))^${power.text}`)
        f = pow(f, power.e)
      }
      return this.scripts(f, at)
    }
    if (power) return this.scripts(this.power(base, power.e, power.raw, at), at)
    if (!canApply && base.kind === 'sym' && this.is('(') && this.peek(2).text === ')' && (this.peek().kind === 'letter' || this.greekName(this.peek().text) !== undefined)) {
      // b(y), a(\eta): a letter applied to a name is a function in the notes (CS229's exponential family), a product in LaTeX
      this.fail(`${this.src.slice(at.pos, this.peek(3).pos).trim()} is ambiguous: write ${base.name} \\cdot ${this.peek().text.replace(/^\\/, '\\')} for a product, or a function letter such as f(...) for a function`, at)
    }
    return this.scripts(base, at)
  }

  /** name(args) for a name that is a value: the product (told), or refused when the arguments read as an event. */
  private valueApplied(name: string, value: Expr, args: readonly Expr[], at: Token): Expr {
    const r = valueTimes(name, value, args)
    if ('refusal' in r) this.fail(r.refusal, at)
    this.announce(r.reading)
    // the scripts after the parentheses are the argument's: p(1 - p)^{n - k} is p * (1 - p)^{n - k}
    return mul([value, this.scripts(args[0]!, at)])
  }

  /** x_i, x_{ij}, x_{i,j}, x_{t-1} as entries; \sigma_X, n_\textrm{in} as one name (a label). */
  private subscripts(name: string, at: Token): Expr {
    let e: Expr = sym(name)
    while (this.is('_')) {
      const underscore = this.next()
      const g = this.scriptTokens(underscore)
      if (g.length === 0) continue // m_{} is m
      const label = this.label(g)
      if (label !== undefined) {
        if (e.kind !== 'sym' || e.name.includes('_')) this.fail('a second label subscript', underscore)
        const named = `${(e as { name: string }).name}_${label}`
        if (/^[A-Z]+$/.test(label)) this.announce(`reading ${this.src.slice(at.pos, this.t.pos).trim()} as the name ${named} (a label, not an entry)`)
        e = sym(named)
        continue
      }
      if (this.is('(') && (FUNCTION_LETTERS.has(name) || PROBABILITY_LETTERS.has(name))) {
        this.fail(`a subscripted function (${this.src.slice(at.pos, this.t.pos)}) has no notation: write what it stands for (CS229's h_\\theta(x) is \\theta^\\top x, or \\sigma(\\theta^\\top x) in logistic regression)`, at)
      }
      if (g.some((k) => k.text === '^')) this.fail(`a subscript with a script of its own (${this.src.slice(at.pos, this.t.pos).trim()}) has no notation: write a label as one name (\\mu_X) or an entry as x_i`, underscore)
      for (const index of this.indices(g, underscore)) e = call(OPS.index, [e, index])
    }
    return e
  }

  /** The tokens of a script: a braced group or a single token (x_1, x_i, x_\theta). */
  private scriptTokens(at: Token): Token[] {
    this.skipIgnored()
    if (this.is('{')) {
      const start = this.i
      let depth = 0
      let k = this.i
      for (; k < this.tokens.length; k++) {
        const tk = this.tokens[k]!
        if (tk.kind === 'end') this.fail('"{" is never closed', this.tokens[start])
        if (tk.text === '{') depth++
        else if (tk.text === '}' && --depth === 0) break
      }
      this.i = k + 1
      return this.tokens.slice(start + 1, k)
    }
    const t = this.t
    if (t.kind === 'end') this.fail(`"${at.text}" needs something after it`, at)
    if (t.kind === 'num' && t.text.length > 1) {
      // x^22 is x^2 2 in TeX: one digit is the script
      this.tokens = [...this.tokens.slice(0, this.i), { ...t, text: t.text[0]! }, { ...t, text: t.text.slice(1), pos: t.pos + 1 }, ...this.tokens.slice(this.i + 1)]
    }
    if (t.kind === 'cmd' && WORD_COMMANDS.has(t.text)) return [this.next()]
    if (t.kind === 'cmd' && ['\\mathbf', '\\boldsymbol', '\\bm', '\\mathcal', '\\mathsf', '\\mathbb'].includes(t.text)) {
      const start = this.i
      this.next()
      this.scriptTokens(at)
      return this.tokens.slice(start, this.i)
    }
    return [this.next()]
  }

  /** A subscript that is a label: uppercase letters (\sigma_X), a \text word (n_\textrm{in}). */
  private label(g: readonly Token[]): string | undefined {
    if (g.length === 1 && g[0]!.kind === 'cmd' && WORD_COMMANDS.has(g[0]!.text)) {
      const w = g[0]!.word!.trim()
      if (/^[A-Za-z][A-Za-z0-9]*$/.test(w)) return w
      this.fail(`a subscript ${g[0]!.text}{${w}} that is not a name`, g[0])
    }
    if (g.length === 1 && (g[0]!.text === '\\max' || g[0]!.text === '\\min')) return g[0]!.text.slice(1) // \lambda_{\max}
    // \sigma_X, \mu_{\mathcal{B}}: uppercase letters, in a font or not
    const letters = g.filter((t) => !(t.kind === 'cmd' && ['\\mathcal', '\\mathbf', '\\mathrm', '\\mathsf', '\\boldsymbol'].includes(t.text)) && t.text !== '{' && t.text !== '}')
    if (letters.length && letters.every((t) => t.kind === 'letter' && /[A-Z]/.test(t.text))) return letters.map((t) => t.text).join('')
    return undefined
  }

  /** The indices of an entry: {ij} is i, j; {i,j} is i, j; {t-1} is one index. */
  private indices(g: Token[], at: Token): Expr[] {
    if (g.length > 1 && g.every((t) => t.kind === 'letter' || t.kind === 'num')) {
      return g.map((t) => (t.kind === 'num' ? num(Number(t.text)) : sym(t.text)))
    }
    if (g.some((t) => t.text === ',')) {
      const parts: Token[][] = [[]]
      for (const t of g) t.text === ',' ? parts.push([]) : parts.at(-1)!.push(t)
      return parts.map((p) => this.sub(p, at))
    }
    return [this.sub(g, at)]
  }

  /** Read a slice of tokens as its own expression. */
  private sub(tokens: readonly Token[], at: Token): Expr {
    if (tokens.length === 0) this.fail('an empty script', at)
    const end: Token = { kind: 'end', text: '', pos: tokens.at(-1)!.pos + tokens.at(-1)!.text.length }
    const r = new Reader(this.src, [...tokens, end], this.announce, this.names)
    r.depth = this.depth
    return this.nested(undefined, () => r.read())
  }

  /** The superscript after a name, as an expression and its raw text. */
  private superscriptOf(): { e: Expr; raw: Token[]; pos: number; end: number; text: string } {
    const caret = this.next()
    const raw = this.scriptTokens(caret)
    const pos = raw[0]?.pos ?? caret.pos
    const end = this.t.pos
    if (raw.length === 0) this.fail('an empty superscript', caret)
    const special = this.isTransposeMark(raw) ? sym('T') : raw.length === 1 && raw[0]!.text === '*' ? sym('star') : undefined
    return { e: special ?? this.sub(raw, caret), raw, pos, end, text: this.src.slice(caret.pos + 1, end).trim() }
  }

  private isTransposeMark(raw: readonly Token[]): boolean {
    return raw.length === 1 && (raw[0]!.text === '\\top' || raw[0]!.text === '\\intercal' || raw[0]!.text === 'T' || raw[0]!.text === '\\mathsf')
  }

  /** base ^ script: a transpose (^T, ^\top), an example index (^{(i)}), an inverse (A^{-1}), or a power. */
  private power(base: Expr, e: Expr, raw: readonly Token[], at: Token): Expr {
    if (raw.length === 1 && raw[0]!.text === '*') {
      // \theta^*, \mathbf{x}^{*}: the optimum, a name of its own
      if (base.kind !== 'sym') this.fail('a star (^*) on something that is not a name', raw[0])
      this.announce(`reading ${printName(base)}^* as the name ${printName(base)}star`)
      return sym(`${printName(base)}star`)
    }
    if (this.isTransposeMark(raw)) {
      if (raw[0]!.text === 'T') this.announce(`reading ^T as the transpose`)
      return call(OPS.transpose, [base])
    }
    if (raw.length >= 3 && raw[0]!.text === '(' && raw.at(-1)!.text === ')') {
      const inside = raw.slice(1, -1)
      if (inside.length > 1 && inside.every((k) => k.kind === 'letter')) this.fail(`a superscript label (${this.src.slice(raw[0]!.pos, raw.at(-1)!.pos + 1)}) has no notation: write it as part of the name (y_test) or an example index as ^{(i)}`, raw[0])
      const example = this.src.slice(raw[1]!.pos, raw.at(-1)!.pos).trim()
      if (isCall(base, OPS.index) && base.args.length === 2) {
        // x_j^{(i)}: entry j of example i, x[i][j] (as x^{(i)}_j reads)
        const e2 = call(OPS.index, [call(OPS.index, [base.args[0]!, e]), base.args[1]!])
        this.announce(`reading ${this.src.slice(at.pos, raw.at(-1)!.pos + 1).trim()}} as ${print(e2)}, entry ${print(base.args[1]!)} of example ${example}`)
        return e2
      }
      this.announce(`reading ${this.src.slice(at.pos, raw.at(-1)!.pos + 1).trim()}} as the entry for example ${example}`)
      return call(OPS.index, [base, e])
    }
    if (e.kind === 'num' && e.value === -1 && isMatrixName(base)) {
      this.announce(`reading ${printName(base)}^{-1} as the inverse inv(${printName(base)})`)
      return call('inv', [base])
    }
    if (e.kind === 'num' && e.value === -1 && isMatrixExpr(base)) {
      this.announce(`reading (${print(base)})^{-1} as the inverse inv(${print(base)}) of a matrix`)
      return call('inv', [base])
    }
    return pow(base, e)
  }

  /** Postfix scripts on anything: ^ and _ and !. */
  private scripts(e: Expr, at: Token): Expr {
    for (;;) {
      if (this.is('^')) {
        const s = this.superscriptOf()
        e = this.power(e, s.e, s.raw, at)
      } else if (this.is('_')) {
        if (e.kind === 'sym') e = this.subscripts(e.name, at)
        else if (isCall(e, OPS.index)) {
          // x^{(i)}_j: a subscript on an entry is a further index, x[i][j]
          const u = this.next()
          for (const index of this.indices(this.scriptTokens(u), u)) e = call(OPS.index, [e, index])
        } else this.fail('a subscript on something that is not a name', this.t)
      } else if (this.is('!')) {
        this.next()
        e = call(OPS.factorial, [e])
      } else if (this.is("'")) {
        this.fail("a prime: write a derivative as \\frac{d}{dx} f, a transpose as x^\\top")
      } else return e
    }
  }

  /** Parenthesised, comma-separated arguments: (a, b), \left( a \right), or E's [X]. */
  private arguments(name: string, at: Token): Expr[] {
    if (this.is('\\left')) {
      const { inner, open } = this.leftRight()
      if (open === '|' || open === '.') this.fail(`${name} applied with \\left${open}`, at)
      return [inner]
    }
    const open = this.next()
    const close = open.text === '[' ? ']' : ')'
    const args: Expr[] = []
    this.nested(name === 'E' ? 'P' : 'group', () => {
      for (;;) {
        args.push(this.sum())
        if (this.is(';') && name !== 'E') {
          // L(\theta; x): the parameters, then the data, as arguments
          this.next()
          this.announce(`reading ";" in ${name}(...; ...) as a comma between arguments`)
          continue
        }
        if (name === 'E' && (this.is('\\mid') || this.is('|'))) {
          // E[X \mid Y = y]: the conditional expectation given an event
          this.next()
          args.push(call(OPS.given, [args.pop()!, this.relationAfter(this.sum())]))
        }
        if (this.is(',')) {
          this.next()
          continue
        }
        this.expect(close, `"${close}" to close ${name}${open.text}`)
        return
      }
    })
    return args
  }

  /** p(x), P(A, B), p(y \mid x; \theta): commas are "and", the bar is "given", ";" conditions on parameters. */
  private probability(at: Token): Expr {
    let closeText = ')'
    let open: Token
    if (this.is('\\left')) {
      this.next()
      open = this.next()
      closeText = '\\right'
    } else open = this.next()
    const event: Expr[] = []
    const given: Expr[] = []
    let side = event
    this.nested('P', () => {
      for (;;) {
        side.push(this.relationAfter(this.sum()))
        this.skipIgnored()
        if (this.is(',')) {
          this.next()
          continue
        }
        if (this.is('|') || this.is('\\mid') || this.is('\\vert')) {
          if (side === given) this.fail('a second "|" in P(...)')
          this.next()
          side = given
          continue
        }
        if (this.is(';')) {
          this.next()
          this.announce('reading ";" in p(y | x; θ) as conditioning on the parameters (and)')
          side = given
          continue
        }
        break
      }
    })
    if (closeText === '\\right') {
      this.expect('\\right', '"\\right)"')
      this.next()
    } else this.expect(')', `")" to close ${at.text}${open.text}`)
    const joint = jointProbability(given.length ? [...event.slice(0, -1), call(OPS.given, [event.at(-1)!, given[0]!]), ...given.slice(1)] : event)
    if (!joint) this.fail('P(...) takes one bar', at)
    if (event.length > 1 || given.length > 1) this.announce('reading the commas in P(A, B) as "and" (a joint probability)')
    return joint!
  }

  /** A command: Greek letters, functions, fractions, big operators, fonts, accents. */
  private command(): Expr {
    const t = this.t
    const name = t.text
    if (IGNORED.has(name)) {
      this.next()
      return this.factor()
    }
    const greek = this.greekName(name)
    if (greek !== undefined) {
      this.next()
      if (greek === 'sigma' && this.is("'") && !this.names.values.has('sigma')) return this.primed('\\sigma', 'sigmoid', t)
      if (greek === 'sigma' && (this.is('(') || this.is('\\left'))) {
        if (this.names.values.has('sigma')) return this.valueApplied('sigma', sym('sigma'), this.arguments('sigma', t), t)
        this.names.applied.add('sigma')
        this.announce('reading σ(z) as sigmoid(z)')
        return this.scripts(call('sigmoid', this.arguments('sigmoid', t)), t)
      }
      return this.named(greek, t)
    }
    if (FUNCTIONS.has(name)) return this.fn(FUNCTIONS.get(name)!, t)
    if (name === '\\tr') {
      this.announce('reading \\tr as the trace')
      return this.fn('trace', t)
    }
    if (name === '\\Pr') {
      this.next()
      return this.scripts(this.probability(t), t)
    }
    if (WORD_COMMANDS.has(name) && /^(KL|D_\{?KL\}?)$/.test(t.word!.trim())) this.fail('a KL divergence has no LaTeX reading: write kl(p, q, n), the sum over n outcomes (the ml pack defines it)')
    if (name === '\\mathop' || (WORD_COMMANDS.has(name) && /^arg\s*(\\[,;!]\s*)?(max|min)$/.test(t.word!.trim()))) this.fail(REFUSED.get('\\arg')!)
    if (WORD_COMMANDS.has(name)) {
      const w = t.word!.trim()
      const f = FUNCTION_WORDS.get(w)
      if (f === 'E') {
        this.next()
        return this.expectation(t)
      }
      if (f === 'P') {
        this.next()
        return this.scripts(this.probability(t), t)
      }
      if (f) return this.fn(f, t)
      if (name === '\\operatorname' && /^[A-Za-z]+$/.test(w)) return this.fn(w, t)
      if (/^[A-Za-z]$/.test(w) && name !== '\\text') {
        this.next()
        return this.named(w, t)
      }
      this.fail(`${name}{${w}} is prose, not math`)
    }
    switch (name) {
      case '\\frac':
      case '\\dfrac':
      case '\\tfrac':
        return this.fraction()
      case '\\sqrt':
        return this.root()
      case '\\{': {
        // Bishop's braces \{ t_n - y_n \}^2 group like parentheses
        this.next()
        const inner = this.nested('group', () => this.sum())
        this.skipIgnored()
        this.expect('\\}', '"\\}" to close "\\{"')
        return this.scripts(inner, t)
      }
      case '\\langle': {
        // the inner product <a, b> of two vectors, a' * b
        this.next()
        const a = this.nested('group', () => this.sum())
        this.expect(',', '"," between the two vectors of \\langle a, b \\rangle')
        const b = this.nested('group', () => this.sum())
        this.skipIgnored()
        this.expect('\\rangle', '"\\rangle" to close \\langle')
        const e = mul([call(OPS.transpose, [a]), b])
        this.announce(`reading \\langle ${print(a)}, ${print(b)} \\rangle as the inner product ${print(e)}`)
        return this.scripts(e, t)
      }
      case '\\binom':
      case '\\dbinom':
      case '\\tbinom': {
        this.next()
        const n = this.braced(t)
        this.skipIgnored()
        return this.scripts(call('choose', [n, this.braced(t)]), t)
      }
      case '\\sum':
      case '\\prod':
        return this.bigOperator()
      case '\\int':
        return this.integral()
      case '\\left': {
        const { inner, open, at } = this.leftRight()
        if (open === '‖') return this.norm(inner, at)
        return this.scripts(open === '|' ? this.bars(inner) : inner, at)
      }
      case '\\|':
      case '\\lVert': {
        this.next()
        const inner = this.nested('norm', () => this.sum())
        this.skipIgnored()
        if (!this.is('\\|') && !this.is('\\rVert')) this.fail(`"${name}" is never closed: a norm is written \\|x\\|; a divergence D(q \\| p) has no notation (write kl(p, q, n), a sum over n outcomes)`, t)
        this.next()
        return this.norm(inner, t)
      }
      case '\\lvert':
      case '\\vert': {
        this.next()
        const inner = this.nested('abs', () => this.sum())
        if (!this.is('\\rvert') && !this.is('\\vert')) this.fail('"\\lvert" is never closed', t)
        this.next()
        return this.scripts(this.bars(inner), t)
      }
      case '\\mathbf':
      case '\\boldsymbol':
      case '\\bm':
      case '\\vec':
      case '\\mathcal':
      case '\\mathsf':
      case '\\mathbb':
        return this.font(t)
      case '\\hat':
      case '\\bar':
      case '\\tilde':
      case '\\overline':
      case '\\widehat':
      case '\\widetilde':
        return this.accent(t)
      case '\\underbrace':
      case '\\overbrace': {
        this.next()
        const inner = this.braced(t)
        // the annotation under the brace is a comment
        if (this.is('_') || this.is('^')) {
          const mark = this.next()
          this.scriptTokens(mark)
        }
        return this.scripts(inner, t)
      }
      case '\\partial':
        return this.fail('\\partial outside a fraction: write \\frac{\\partial f}{\\partial x}')
      case '\\infty':
        return this.fail(REFUSED.get('\\infty')!)
    }
    if (REFUSED.has(name)) this.fail(REFUSED.get(name)!)
    return this.fail(`unsupported LaTeX command ${name}`)
  }

  /** A braced argument (or a single token, as TeX allows: \frac12). */
  private braced(at: Token): Expr {
    const raw = this.scriptTokens(at)
    return this.sub(raw, at)
  }

  /** \mathbf{x}, \boldsymbol{\theta}, \mathcal{L}, \mathbb{E}: the name inside. */
  private font(t: Token): Expr {
    this.next()
    const raw = this.scriptTokens(t)
    const inner = raw.length === 1 ? raw[0]! : undefined
    if (inner?.kind === 'num' && inner.text === '1' && (t.text === '\\mathbb' || t.text === '\\mathbf')) return this.indicator(t)
    const name = inner?.kind === 'letter' ? inner.text : inner?.kind === 'cmd' ? this.greekName(inner.text) : undefined
    if (raw.map((k) => k.text).join('') === 'KL') this.fail('a KL divergence has no LaTeX reading: write kl(p, q, n), the sum over n outcomes (the ml pack defines it)', t)
    if (name === undefined) this.fail(`${t.text}{...} around something that is not one letter`, t)
    if (t.text === '\\mathbb') {
      if (name === 'E') return this.expectation(t)
      if (name === 'P') return this.scripts(this.probability(t), t)
      if (name === 'I') return this.scripts(this.indicator(t, '\\mathbb{I}'), t) // Murphy's indicator
      if (name === 'V' && (this.is('[') || this.is('(') || this.is('\\left'))) {
        // Murphy's \mathbb{V}[X], the variance
        this.announce('reading \\mathbb{V}[...] as the variance Var(...)')
        return this.scripts(call('Var', this.arguments('Var', t)), t)
      }
      this.fail(`\\mathbb{${name}} (a set) is not an expression`, t)
    }
    if (t.text === '\\mathcal' && name === 'N' && (this.is('(') || this.is('\\left'))) return this.gaussian(t)
    return this.named(name!, t, t.text === '\\mathcal' ? 'function' : 'plain')
  }

  /** E[X], E(X), \mathbb{E}\left[ X \right]; a subscript (E_{x \sim p}) has no notation. */
  private expectation(at: Token): Expr {
    this.skipIgnored()
    if (this.t.kind === 'cmd' && REFUSED.has(this.t.text)) this.fail(REFUSED.get(this.t.text)!)
    if (this.is('_')) this.fail(`an expectation over a distribution (${this.src.slice(at.pos, this.peek().pos + 1)}...) has no notation: write E(X)`)
    const power = this.is('^') ? this.superscriptOf() : undefined
    if (!(this.is('(') || this.is('[') || this.is('\\left'))) this.fail('an expectation needs its argument in brackets: E[X]', at)
    let e = call('E', this.arguments('E', at))
    if (power) e = pow(e, power.e)
    return this.scripts(e, at)
  }

  /** \hat{y} is the name yhat (as derive prints it back), \bar{x} xbar, \tilde{x} xtilde. */
  private accent(t: Token): Expr {
    this.next()
    const raw = this.scriptTokens(t)
    let k = 0
    while ((raw[k]?.kind === 'cmd' && ['\\mathbf', '\\boldsymbol', '\\bm'].includes(raw[k]!.text)) || raw[k]?.text === '{') k++
    const inner = raw[k]
    const tail = raw.slice(k + 1).filter((x) => x.text !== '{' && x.text !== '}')
    const name = inner?.kind === 'letter' ? inner.text : inner?.kind === 'cmd' ? this.greekName(inner.text) : undefined
    if (name === undefined || tail.length) this.fail(`${t.text}{...} around something that is not one letter`, t)
    const deco = t.text === '\\hat' || t.text === '\\widehat' ? 'hat' : t.text === '\\bar' || t.text === '\\overline' ? 'bar' : 'tilde'
    return this.named(`${name}${deco}`, t)
  }

  /** \log x, \log(x), \log^2 x, \log_b x, \operatorname{tr} ABC: a function and its argument. */
  private fn(f: string, t: Token): Expr {
    this.next()
    let base: Expr | undefined
    let power: { e: Expr } | undefined
    for (;;) {
      this.skipIgnored()
      if (this.is('_') && f === 'log') {
        const u = this.next()
        base = this.sub(this.scriptTokens(u), u)
      } else if (this.is('_')) {
        this.fail(`${this.src.slice(t.pos, this.t.pos).trim()}_{...} over an index has no notation: write ${f}(a, b) for two values, or the expression itself`)
      } else if (this.is('^')) power = this.superscriptOf()
      else break
    }
    let args: Expr[]
    if (this.is('(') || this.is('\\left')) args = this.arguments(f, t)
    else {
      // no parentheses: the argument is the run of factors that follows (\log \hat{y}_j, \operatorname{tr} ABC)
      this.skipIgnored()
      if (!this.startsFactor()) this.fail(`${t.text}${t.word ? `{${t.word}}` : ''} needs an argument`, t)
      const run: Expr[] = []
      while (this.startsFactor() && (run.length === 0 || !this.startsFunction())) {
        run.push(this.factor())
        if (this.consumedRest) break // a big operator took the rest; the caller's product ends too
        this.skipIgnored()
      }
      if (run.length > 1) this.announce(`reading ${this.src.slice(t.pos, this.t.pos).trim()} as ${f} of the product that follows`)
      args = [mul(run)]
    }
    if (f === 'softmax' && args.length !== 3) this.fail('softmax of a vector has no reading: write \\operatorname{softmax}(x, j, n) or \\frac{\\exp(x_j)}{\\sum_{k=1}^{n} \\exp(x_k)} for its j-th entry', t)
    let e = call(f, base ? [...args, base] : args)
    if (power) e = pow(e, power.e)
    return this.scripts(e, t)
  }

  /** Does a function or big operator start here (it ends a paren-less argument)? */
  private startsFunction(): boolean {
    const t = this.t
    if (t.kind !== 'cmd') return false
    return FUNCTIONS.has(t.text) || this.isBig(t) || t.text === '\\frac' || t.text === '\\dfrac' || t.text === '\\tfrac' || t.text === '\\tr' || (WORD_COMMANDS.has(t.text) && FUNCTION_WORDS.has(t.word?.trim() ?? ''))
  }

  /** \frac{a}{b}; \frac{d}{dx} f and \frac{\partial}{\partial x} f; \frac{df}{dx}, \frac{d^2 f}{dx_i dx_j}. */
  private fraction(): Expr {
    const t = this.next()
    const top = this.scriptTokens(t)
    this.skipIgnored()
    const bottom = this.scriptTokens(t)
    const vars = this.differentials(bottom)
    const d = top[0]
    const isD = d !== undefined && (d.text === 'd' || d.text === '\\partial')
    if (vars && isD) {
      let k = 1
      let order = 1
      if (top[1]?.text === '^') {
        order = Number(top[2]?.text)
        if (!Number.isInteger(order) || order < 1) this.fail('the order of a derivative must be a whole number', top[2] ?? t)
        k = 3
      }
      if (order !== vars.length) this.fail(`a derivative of order ${order} needs ${order} variables below the bar`, t)
      let body: Expr
      if (top.length > k) {
        body = this.sub(top.slice(k), t)
        if (this.is('(')) this.fail(`a derivative evaluated at a point (${this.src.slice(t.pos, this.t.pos)}(...)) has no notation`, t)
      } else {
        body = this.rest(this.src.slice(t.pos, this.t.pos), t)
        this.consumedRest = true
      }
      return vars.reduceRight((acc, v) => call('diff', [acc, v]), body)
    }
    return this.scripts(quotient(this.sub(top, t), this.sub(bottom, t)), t)
  }

  /** The tokens below a derivative's bar as its variables (d x, \partial \theta_j, d x^2), or undefined. */
  private differentials(g: readonly Token[]): Expr[] | undefined {
    const vars: Expr[] = []
    let k = 0
    while (k < g.length) {
      const d = g[k]
      if (!d || (d.text !== 'd' && d.text !== '\\partial')) return undefined
      k++
      // the variable: a letter, a Greek letter, or \mathbf{x}, then its subscript
      let end = k
      if (g[end]?.kind === 'cmd' && ['\\mathbf', '\\boldsymbol', '\\bm'].includes(g[end]!.text)) {
        end++
        if (g[end]?.text === '{') end += 3
        else end++
      } else if (g[end] && (g[end]!.kind === 'letter' || (g[end]!.kind === 'cmd' && this.greekName(g[end]!.text)))) end++
      else return undefined
      if (g[end]?.text === '_') {
        end++
        if (g[end]?.text === '{') {
          while (end < g.length && g[end]!.text !== '}') end++
          end++
        } else end++
      }
      const v = this.sub(g.slice(k, end), g[k]!)
      k = end
      let times = 1
      if (g[k]?.text === '^') {
        times = Number(g[k + 1]?.text)
        if (!Number.isInteger(times) || times < 1) return undefined
        k += 2
      }
      for (let n = 0; n < times; n++) vars.push(v)
    }
    return vars.length ? vars : undefined
  }

  /** \sqrt{x}, \sqrt[n]{x}. */
  private root(): Expr {
    const t = this.next()
    if (this.is('[')) {
      this.next()
      const start = this.i
      while (!this.is(']') && this.t.kind !== 'end') this.next()
      const n = this.sub(this.tokens.slice(start, this.i), t)
      this.expect(']', '"]" after the root\'s degree')
      return this.scripts(call('nthRoot', [this.braced(t), n]), t)
    }
    return this.scripts(call('sqrt', [this.braced(t)]), t)
  }

  /** \sum_{i=1}^{n} body, \sum_i body, \prod likewise. The body runs to the end of the product; see `extend`. */
  private bigOperator(): Expr {
    const t = this.next()
    const head = t.text === '\\sum' ? 'sum' : 'prod'
    let lower: Token[] | undefined
    let upper: Token[] | undefined
    for (;;) {
      this.skipIgnored()
      if (this.is('_') && !lower) lower = this.scriptTokens(this.next())
      else if (this.is('^') && !upper) upper = this.scriptTokens(this.next())
      else break
    }
    if (!lower) this.fail(`${t.text} without an index: write ${t.text}_{i=1}^{n}`, t)
    const eq = lower!.findIndex((x) => x.text === '=')
    if (lower!.some((x) => x.text === '\\in' || x.text === '\\neq' || x.text === '<' || x.text === '\\leq')) {
      this.fail(`a ${head} over a set (${this.src.slice(t.pos, this.t.pos).trim()}) has no notation: write ${t.text}_{i=1}^{n}`, t)
    }
    const varTokens = eq < 0 ? lower! : lower!.slice(0, eq)
    if (eq < 0 && !upper && varTokens.some((x) => x.text === ',')) {
      // \sum_{i,j} body: a double sum, \sum_i \sum_j
      const names = varTokens.filter((x) => x.text !== ',').map((x) => this.sub([x], t))
      if (names.some((n) => n.kind !== 'sym') || names.length !== varTokens.length - names.length + 1) this.fail(`the indices of ${t.text} must be names separated by commas`, t)
      this.announce(`reading ${this.src.slice(t.pos, this.t.pos).trim()} as one ${head} per index (${names.map((n) => print(n)).join(', ')})`)
      const body = this.extend(this.rest(t.text, t), names[0] as { name: string }, t.text)
      this.consumedRest = true
      return names.reduceRight((acc, n) => call(head, [acc, n]), body)
    }
    const v = this.sub(varTokens, t)
    if (v.kind !== 'sym') this.fail(`the index of ${t.text} must be a name`, t)
    const lo = eq < 0 ? undefined : this.sub(lower!.slice(eq + 1), t)
    const hi = upper ? this.sub(upper, t) : undefined
    if ((lo === undefined) !== (hi === undefined)) this.fail(`${t.text} needs both bounds (${t.text}_{i=1}^{n}) or none (${t.text}_i)`, t)
    const body = this.extend(this.rest(t.text, t), v as { name: string }, t.text)
    this.consumedRest = true // extend may have parsed (and closed) further products
    return call(head, lo && hi ? [body, v, lo, hi] : [body, v])
  }

  /**
   * The usual convention ends a sum's body at the next + or -; when the terms after it still use
   * the index (the author clearly sums them too), they join the body, and derive says so.
   */
  private extend(body: Expr, v: { name: string }, what: string): Expr {
    const terms = [body]
    for (;;) {
      this.skipIgnored()
      if (!(this.is('+') || this.is('-')) || this.context === 'P') break
      const save = this.i
      const next = this.signedTerm()
      if (!freeSymbols(next).has(v.name)) {
        this.i = save
        break
      }
      this.announce(`reading the terms after ${what}_${v.name} that use ${v.name} as part of its body`)
      terms.push(next)
    }
    return add(terms)
  }

  /** \int f dx, \int_a^b f(x) \, dx. */
  private integral(): Expr {
    const t = this.next()
    let lower: Token[] | undefined
    let upper: Token[] | undefined
    for (;;) {
      this.skipIgnored()
      if (this.is('_') && !lower) lower = this.scriptTokens(this.next())
      else if (this.is('^') && !upper) upper = this.scriptTokens(this.next())
      else break
    }
    const body = this.nested('int', () => this.sum())
    this.skipIgnored()
    if (!this.isDifferential()) this.fail('an integral needs its differential (dx) at the end', t)
    this.next()
    const v = this.sub([this.next()], t)
    if ((lower === undefined) !== (upper === undefined)) this.fail('an integral needs both limits or none', t)
    if (!lower) return call('int', [body, v])
    const limit = (g: Token[]): Expr => {
      const sign = g[0]?.text === '-' ? -1 : g[0]?.text === '+' ? 1 : 0
      const rest = sign ? g.slice(1) : g
      if (rest.length === 1 && rest[0]!.text === '\\infty') {
        this.announce('reading \\infty as the limit inf')
        return sign < 0 ? neg(sym('inf')) : sym('inf')
      }
      return this.sub(g, t)
    }
    return call('int', [body, v, limit(lower), limit(upper!)])
  }
}

/** a / b, with 1 / x^k as x^-k: the inverse of how derive prints x^-k (\frac{1}{x^{k}}). */
function quotient(a: Expr, b: Expr): Expr {
  const k = isCall(b, OPS.pow) ? b.args[1] : undefined
  if (isCall(b, OPS.pow) && k?.kind === 'num' && k.value > 0) {
    const r = pow(b.args[0]!, num(-k.value))
    return a.kind === 'num' && a.value === 1 ? r : mul([a, r])
  }
  return div(a, b)
}

/** Index names repeated across the factors of a product and free: read literally, no sum implied. */
function repeatedIndices(root: Expr): string[] {
  const free = freeSymbols(root)
  const found = new Set<string>()
  const stack: Expr[] = [root]
  while (stack.length) {
    const e = stack.pop()!
    if (e.kind !== 'call') continue
    stack.push(...e.args)
    if (e.head !== OPS.mul) continue
    const seen = new Map<string, number>()
    for (const f of e.args) {
      const here = new Set<string>()
      const inner: Expr[] = [f]
      while (inner.length) {
        const g = inner.pop()!
        if (g.kind !== 'call') continue
        if (g.head === OPS.index) for (const i of g.args.slice(1)) if (i.kind === 'sym') here.add(i.name)
        inner.push(...g.args)
      }
      for (const i of here) seen.set(i, (seen.get(i) ?? 0) + 1)
    }
    for (const [i, n] of seen) if (n > 1 && free.has(i)) found.add(i)
  }
  return [...found].sort()
}

const isMatrixName = (e: Expr): boolean => e.kind === 'sym' && /^[A-Z]/.test(e.name)

/** A variable a derivative can be taken in: a name, or an entry of one (a_j, w[i][j]). */
export function isVariable(e: Expr): boolean {
  if (e.kind === 'sym') return true
  return isCall(e, OPS.index) && isVariable(e.args[0]!) && e.args.slice(1).every((i) => i.kind === 'sym' || i.kind === 'num')
}

/** A matrix by its form: a matrix name, a transpose or inverse, a product with one, a sum of them (N + 1 is not). */
function isMatrixExpr(e: Expr): boolean {
  if (isMatrixName(e)) return true
  if (e.kind !== 'call') return false
  if (e.head === OPS.transpose || e.head === 'inv') return true
  if (e.head === OPS.mul) return e.args.some(isMatrixExpr)
  if (e.head === OPS.add) return e.args.every(isMatrixExpr)
  return e.head === OPS.pow && isMatrixExpr(e.args[0]!)
}
const printName = (e: Expr): string => (e.kind === 'sym' ? e.name : '...')

/** Environments that lay out one expression over rows (their & and \\\\ mean nothing for it). */
const LAYOUT_ENVIRONMENTS = new Set(['aligned', 'align', 'align*', 'split', 'gathered', 'gather', 'gather*', 'equation', 'equation*', 'multline', 'multline*', 'alignedat'])

/**
 * \begin{aligned} ... \end{aligned} around one expression: the markers, & and \\\\ blanked out (so
 * positions stay); with "=" it is a derivation, and refused with what to do instead. Other
 * environments (cases, matrices) are refused naming what to write.
 */
function environments(src: string, input: string): string {
  const begin = /\\begin\s*\{([A-Za-z*]+)\}/.exec(src)
  if (!begin) return src
  const env = begin[1]!
  const at = begin.index + 1
  if (env === 'cases') throw new ParseError('cases (\\begin{cases}) have no LaTeX reading: write piecewise(c1, v1, c2, v2, otherwise) or c ? a : b', input, at)
  if (/matrix$/.test(env)) throw new ParseError(`a matrix written out (\\begin{${env}}) has no notation: name it with a letter (A)`, input, at)
  if (!LAYOUT_ENVIRONMENTS.has(env)) throw new ParseError(`the environment ${env} (\\begin{${env}}) is not supported`, input, at)
  const end = src.indexOf(`\\end{${env}}`, begin.index)
  if (end < 0) throw new ParseError(`\\begin{${env}} is never closed by \\end{${env}}`, input, at)
  const blank = (t: string): string => ' '.repeat(t.length)
  let depth = 0
  const body = Array.from(src.slice(begin.index + begin[0].length, end), (c) => {
    if (c === '{') depth++
    if (c === '}') depth--
    if (c === '=' && depth === 0) throw new ParseError(`an aligned derivation (\\begin{${env}} with "=") holds several lines: compare two with derive why FROM TO, or check them all with derive check FILE.tex`, input, at)
    return c === '&' ? ' ' : c
  }).join('').replace(/\\\\/g, '  ')
  return environments(src.slice(0, begin.index) + blank(begin[0]) + body + blank(`\\end{${env}}`) + src.slice(end + `\\end{${env}}`.length), input)
}

/** LaTeX in derive's notation, as a rule file stores it; any other text (or unreadable LaTeX) unchanged. */
export function asDeriveNotation(text: string): string {
  if (!isLatex(text)) return text
  try {
    return print(readLatex(text))
  } catch {
    return text // the rule's own check reports the problem, with its position in the LaTeX
  }
}

/** Read LaTeX math as an expression. Throws ParseError with the position in the LaTeX text. */
export function readLatex(input: string, options: ParseOptions = {}): Expr {
  if (input.length > MAX_LENGTH) throw new ParseError(`the expression is too long (${input.length} characters; at most ${MAX_LENGTH})`, input, MAX_LENGTH + 1)
  const src = input.replace(/^\s*(\$\$?|\\\[|\\\()/, (m) => ' '.repeat(m.length)).replace(/(\$\$?|\\\]|\\\))\s*$/, (m) => ' '.repeat(m.length))
  if (src.trim() === '') throw new ParseError('empty expression', input, 1)
  const tokens = tokenize(environments(src, input))
  return readWithValues(options, (names, announce) => {
    const e = new Reader(input, tokens, announce, names).read()
    const repeated = repeatedIndices(e)
    if (repeated.length) announce(`reading the repeated index ${repeated.join(', ')} literally: no sum is implied (write \\sum_{${repeated[0]}} for one)`)
    if (exprDepth(e) > MAX_DEPTH) throw new ParseError(`the expression is nested too deeply (at most ${MAX_DEPTH} levels)`, input, 1)
    return e
  })
}
