// Expr -> text in derive's notation, parenthesised minimally: `3 * x ^ 2`, `log(x) - log(y)`,
// `exp(t) / (1 + exp(t))`. What it prints parses back to the same tree.
import { type Call, type Expr, isCall, neg, type Num, OPS, RELATION_HEADS } from './expr.js'
import * as Q from './rational.js'
import { displayNames } from './scope.js'

/** b ^ -1, printed as "1 / b" (other negative powers print as written, so text round-trips). */
const isInverse = (e: Expr): e is Call => isCall(e, OPS.pow) && e.args[1]?.kind === 'num' && e.args[1].value === -1

export interface PrintOptions {
  /** Paths ('.'-joined, as in pathToString) whose text is passed through `mark`. */
  readonly highlight?: ReadonlySet<string>
  readonly mark?: (text: string) => string
}

// as mathjs parses them: `or` < `|` < `&` < arithmetic, and `not` is a prefix like unary minus
const PREC = {
  cond: 0,
  or: 1,
  given: 2,
  and: 3,
  rel: 5,
  not: 25,
  add: 10,
  mul: 20,
  unary: 25,
  pow: 30,
  postfix: 40,
  atom: 50,
} as const

/** Format a number so it parses back to (nearly) the same value and reads cleanly. */
export function formatNumber(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e21) return String(v)
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity'
  return String(Number(v.toPrecision(12)))
}

/**
 * A number exactly as derive writes it: an integer in full, a decimal (a number written with a
 * decimal point, when its expansion terminates) in decimal notation, anything else as n / d.
 */
export function formatNum(e: Num): string {
  if (Q.isInteger(e.q)) return e.q.n.toString()
  const decimal = e.decimal ? Q.toDecimal(e.q) : undefined
  return decimal ?? `${e.q.n} / ${e.q.d}`
}

/** Is the number printed as a fraction n / d (so it needs parentheses as a base or exponent)? */
export const isFractionNum = (e: Num): boolean => formatNum(e).includes('/')

/** Is this term printed with a leading minus sign? */
export function isNegativeTerm(e: Expr): boolean {
  if (e.kind === 'num') return e.q.n < 0n
  return isCall(e, OPS.mul) && e.args[0]?.kind === 'num' && e.args[0].q.n < 0n
}

/** Print an expression, its variables named as written (scope.ts displayNames). */
export function print(e: Expr, options: PrintOptions = {}): string {
  return new Printer(options).expr(displayNames(e), '', PREC.cond - 1)
}

class Printer {
  constructor(private readonly o: PrintOptions) {}

  /** Print e (at path p) inside a context that needs precedence > `min` to avoid parentheses. */
  expr(e: Expr, p: string, min: number): string {
    const [text, prec] = this.raw(e, p)
    const wrapped = prec <= min ? `(${text})` : text
    return this.o.highlight?.has(p || '.') && this.o.mark ? this.o.mark(wrapped) : wrapped
  }

  private child(p: string, i: number): string {
    return p === '' ? String(i) : `${p}.${i}`
  }

  private raw(e: Expr, p: string): [string, number] {
    if (e.kind === 'num') return [formatNum(e), isFractionNum(e) ? PREC.mul : e.q.n < 0n ? PREC.unary : PREC.atom]
    if (e.kind === 'sym') return [e.name, PREC.atom]
    const a = e.args
    switch (e.head) {
      case OPS.add: {
        let out = ''
        a.forEach((t, i) => {
          const cp = this.child(p, i)
          if (i > 0 && isNegativeTerm(t)) out += ` - ${this.signless(t, cp)}`
          else out += (i > 0 ? ' + ' : '') + this.expr(t, cp, PREC.add)
        })
        return [out, PREC.add]
      }
      case OPS.mul:
        return this.product(e.args, p)
      case OPS.pow: {
        if (isInverse(e)) return this.product([e], p, true)
        return [`${this.expr(a[0]!, this.child(p, 0), PREC.pow)} ^ ${this.expr(a[1]!, this.child(p, 1), PREC.pow - 1)}`, PREC.pow]
      }
      case OPS.transpose:
        return [`${this.expr(a[0]!, this.child(p, 0), PREC.postfix - 1)}'`, PREC.postfix]
      case OPS.factorial:
        return [`${this.expr(a[0]!, this.child(p, 0), PREC.postfix - 1)}!`, PREC.postfix]
      case OPS.index:
        return [
          `${this.expr(a[0]!, this.child(p, 0), PREC.postfix - 1)}[${a
            .slice(1)
            .map((x, i) => this.expr(x, this.child(p, i + 1), 0))
            .join(', ')}]`,
          PREC.atom,
        ]
      case OPS.given:
        return [`${this.expr(a[0]!, this.child(p, 0), PREC.given)} | ${this.expr(a[1]!, this.child(p, 1), PREC.given)}`, PREC.given]
      case OPS.and:
      case OPS.or: {
        const prec = e.head === OPS.and ? PREC.and : PREC.or
        const op = e.head === OPS.and ? ' & ' : ' or '
        // associative: a chain of the same operator needs no parentheses
        return [a.map((x, i) => this.expr(x, this.child(p, i), isCall(x, e.head) ? prec - 1 : prec)).join(op), prec]
      }
      case OPS.not:
        return [`not ${this.expr(a[0]!, this.child(p, 0), PREC.not)}`, PREC.not]
      case OPS.if:
        // c ? a : (d ? b : c') chains to the right, as mathjs reads it
        return [`${this.expr(a[0]!, this.child(p, 0), PREC.cond)} ? ${this.expr(a[1]!, this.child(p, 1), PREC.cond)} : ${this.expr(a[2]!, this.child(p, 2), PREC.cond - 1)}`, PREC.cond]
      default:
        if (RELATION_HEADS.has(e.head) && a.length === 2) return [`${this.expr(a[0]!, this.child(p, 0), PREC.rel)} ${e.head} ${this.expr(a[1]!, this.child(p, 1), PREC.rel)}`, PREC.rel]
        return [`${e.head}(${a.map((x, i) => this.expr(x, this.child(p, i), 0)).join(', ')})`, PREC.atom]
    }
  }

  /** A term printed after " - ": the same term without its sign. */
  private signless(t: Expr, p: string): string {
    const positive = neg(t)
    // mark the whole term (its path) even though the minus sign is printed by the sum
    const [text, prec] = this.raw(positive, p)
    const wrapped = prec <= PREC.add ? `(${text})` : text
    return this.o.highlight?.has(p) && this.o.mark ? this.o.mark(wrapped) : wrapped
  }

  /**
   * Factors in their order; an inverse b ^ -1 is printed as "/ b" after the
   * factors before it (a leading one as "1 / d"), so `a * b / c * d` parses back to the same tree.
   */
  private product(factors: readonly Expr[], p: string, single = false): [string, number] {
    let text = ''
    let sign = ''
    let simple = true
    factors.forEach((f, i) => {
      const cp = single ? p : this.child(p, i)
      // -1 * x prints as -x, but -1 * 2 stays (so the text parses back to the same factors)
      if (i === 0 && f.kind === 'num' && f.value === -1 && factors.length > 1 && factors[1]!.kind !== 'num') {
        sign = '-'
        return
      }
      if (isInverse(f)) {
        const d = this.expr(f.args[0]!, this.child(cp, 0), PREC.mul)
        // "1 / d" alone means d ^ -1; a real factor 1 before it has to stay visible
        text = text === '' ? `1 / ${d}` : text === '1' && factors[i - 1]?.kind === 'num' ? `1 * (1 / ${d})` : `${text} / ${d}`
        simple = false
        return
      }
      const first = text === '' && sign === ''
      if (text !== '') simple = false
      // a leading fraction needs no parentheses: 2 / 3 * x reads (2 / 3) * x
      const min = first && f.kind === 'num' ? (isFractionNum(f) ? PREC.mul - 1 : PREC.unary - 1) : PREC.mul
      text += (text === '' ? '' : ' * ') + this.expr(f, cp, min)
    })
    if (sign) return [`-${text}`, PREC.mul]
    return [text, simple ? PREC.atom : PREC.mul]
  }
}
