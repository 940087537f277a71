// Reading corpus LaTeX in tests: the expression with the readings derive announced, and e^u as exp(u).
import { call, type Expr, OPS } from '../../src/core/expr.js'
import { parseExpr } from '../../src/core/parse.js'

/** e^u is exp(u) (a rule of the shipped library says so); the corpora write exp. */
export function expOf(e: Expr): Expr {
  if (e.kind !== 'call') return e
  const args = e.args.map(expOf)
  if (e.head === OPS.pow && args[0]?.kind === 'sym' && args[0].name === 'e') return call('exp', [args[1]!])
  return call(e.head, args)
}

/** The expression a LaTeX line reads as, and what derive said it read differently. */
export function read(latex: string): { e: Expr; readings: string[] } {
  const readings: string[] = []
  return { e: parseExpr(latex, { announce: (r) => readings.push(r) }), readings }
}
