// A rule as the user wrote it (RuleSpec, plain JSON data) and as the matcher uses it (Rule:
// parsed, checked). A Rule whose right side uses a wildcard its left side never binds cannot be
// built: compileRule refuses it with a message naming the field.
import { type Expr, freeSymbols, isMatrixName, matrixSymbols, walk } from './expr.js'
import { type Condition, ParseError, parseCondition, parseExpr } from './parse.js'
import { SUBST } from './scope.js'
import { inferShapes, matricesOf, type SymbolSetting, transposedSymbols, vectorsOf } from './shape.js'

/** A rule exactly as stored in a rule file (unknown fields are kept by the library layer). */
export interface RuleSpec {
  id: string
  name: string
  kind?: 'rule' | 'definition'
  lhs: string
  rhs: string
  where?: string[]
  reversible?: boolean
  tags?: string[]
  idea?: string
  source?: string
  examples?: string[]
  literals?: string[]
  /** Verifier hints: "scalar" | "vector" | "matrix" | "integer" per wildcard. */
  types?: Record<string, string>
  /** Set when a refuted rule was stored with --force. */
  unverified?: boolean
  [extra: string]: unknown
}

export type Direction = 'forward' | 'reverse'

/** A checked rule, ready to match. */
export interface Rule {
  readonly id: string
  readonly name: string
  readonly kind: 'rule' | 'definition'
  readonly lhs: Expr
  readonly rhs: Expr
  readonly where: readonly Condition[]
  readonly reversible: boolean
  /** Symbols that are not wildcards: e, pi and the rule's literals. */
  readonly literals: ReadonlySet<string>
  /** Wildcards that may only bind scalar expressions (lowercase, not typed vector/matrix). */
  readonly scalarWildcards: ReadonlySet<string>
  /**
   * Wildcards that may only bind a column vector or only a matrix: typed so in "types", declared
   * in the file's "vectors", or (vectors) written transposed, as x in x' * A * x.
   */
  readonly typed: Readonly<Record<string, 'vector' | 'matrix'>>
  /** The verifier's hints: "types" as written, plus the vectors declared or inferred. */
  readonly types: Readonly<Record<string, string>>
  readonly pack: string
  readonly spec: RuleSpec
}

/** A problem with one field of one rule; `field` is the JSON field name. */
export class RuleError extends Error {
  constructor(
    readonly ruleId: string,
    readonly field: string,
    readonly reason: string,
    readonly position?: number,
  ) {
    super(`rule "${ruleId}", field "${field}": ${reason}`)
    this.name = 'RuleError'
  }
}

export const CONSTANTS: ReadonlySet<string> = new Set(['e', 'pi'])

/** Wildcards of a pattern: every free or bound symbol that is not a literal. */
export function wildcardsOf(pattern: Expr, literals: ReadonlySet<string>): Set<string> {
  const out = new Set<string>()
  for (const { node } of walk(pattern)) if (node.kind === 'sym' && !literals.has(node.name)) out.add(node.name)
  return out
}

/** Symbols of a template that need a binding: its free symbols (variables its own sums bind are fresh). */
function neededBy(template: Expr, literals: ReadonlySet<string>): Set<string> {
  return new Set([...freeSymbols(template)].filter((s) => !literals.has(s)))
}

function parseField(id: string, field: string, text: unknown): Expr {
  if (typeof text !== 'string' || text.trim() === '') throw new RuleError(id, field, 'expected a non-empty expression')
  try {
    return parseExpr(text, { pattern: true })
  } catch (e) {
    if (e instanceof ParseError) throw new RuleError(id, field, `${e.reason} at position ${e.position}`, e.position)
    throw e
  }
}

/** Check and compile one rule. Throws RuleError naming the field at fault. */
export function compileRule(spec: RuleSpec, options: { pack: string; matrices: SymbolSetting }): Rule {
  const id = spec.id
  const literals = new Set([...CONSTANTS, ...(spec.literals ?? [])])
  const lhs = parseField(id, 'lhs', spec.lhs)
  const rhs = parseField(id, 'rhs', spec.rhs)
  const kind = spec.kind ?? 'rule'
  const reversible = spec.reversible ?? kind === 'definition'
  if (lhs.kind === 'sym' && !literals.has(lhs.name)) {
    throw new RuleError(id, 'lhs', `a lone wildcard "${lhs.name}" would fit every subterm; give the pattern some structure`)
  }
  if (lhs.kind === 'num') throw new RuleError(id, 'lhs', 'a number alone is not a useful pattern')
  const lhsWild = wildcardsOf(lhs, literals)
  for (const w of neededBy(rhs, literals)) {
    if (!lhsWild.has(w)) {
      throw new RuleError(id, 'rhs', `wildcard "${w}" is not bound by the left side (lhs uses: ${[...lhsWild].sort().join(', ') || 'none'})`)
    }
  }
  if (reversible) {
    if (rhs.kind !== 'call') {
      throw new RuleError(id, 'reversible', `the right side "${spec.rhs}" alone would fit every subterm when read right to left`)
    }
    const rhsWild = wildcardsOf(rhs, literals)
    for (const w of neededBy(lhs, literals)) {
      if (!rhsWild.has(w)) throw new RuleError(id, 'reversible', `wildcard "${w}" of the left side does not occur on the right, so the rule cannot be reversed`)
    }
  }
  // subst(f, i, j) builds a result; there is nothing to match it against
  const sides: [string, Expr][] = reversible ? [['lhs', lhs], ['reversible', rhs]] : [['lhs', lhs]]
  for (const [side, e] of sides) {
    if ([...walk(e)].some(({ node }) => node.kind === 'call' && node.head === SUBST)) {
      throw new RuleError(id, side, `subst(f, i, j) may only be written on the right side of a rule that is not reversible`)
    }
  }
  if (kind === 'definition' && lhs.kind !== 'call') {
    throw new RuleError(id, 'lhs', 'a definition\'s left side must be the defined name applied to its arguments, as in sigmoid(z)')
  }
  const where = (spec.where ?? []).map((text, i) => {
    let c: Condition
    try {
      c = parseCondition(text)
    } catch (e) {
      if (e instanceof ParseError) throw new RuleError(id, `where[${i}]`, `${e.reason} at position ${e.position}`, e.position)
      throw e
    }
    const mentioned = new Set<string>()
    for (const a of c.kind === 'pred' ? c.args : [c.lhs, c.rhs]) for (const s of freeSymbols(a)) mentioned.add(s)
    for (const s of mentioned) {
      if (!literals.has(s) && !lhsWild.has(s)) throw new RuleError(id, `where[${i}]`, `"${s}" is not a wildcard of the left side`)
    }
    return c
  })
  const setting = matricesOf(options.matrices)
  const matrixSide = new Set([...matrixSymbols(lhs, setting), ...matrixSymbols(rhs, setting)])
  const declared = new Set(vectorsOf(options.matrices))
  const transposed = new Set([...transposedSymbols(lhs, setting), ...transposedSymbols(rhs, setting)])
  // as in a derivation, a wildcard only a vector makes fit is a vector: y in diff(... (X' * y)' * t ..., t)
  const typedVectors = Object.entries(spec.types ?? {}).flatMap(([w, t]) => (t === 'vector' ? [w] : []))
  const inferred = inferShapes([lhs, rhs], { matrices: setting, vectors: [...declared, ...typedVectors] })
  if (!inferred.ok) throw new RuleError(id, 'rhs', inferred.message.replace(/ \(declare vectors with --vector NAME\)$/, ' (declare vectors in "types")'))
  for (const v of inferred.shapes.vectors) if (spec.types?.[v] === undefined) transposed.add(v)
  const scalarWildcards = new Set<string>()
  const typed: Record<string, 'vector' | 'matrix'> = {}
  for (const w of new Set([...lhsWild, ...wildcardsOf(rhs, literals)])) {
    const t = spec.types?.[w]
    if (t === 'vector' || (t === undefined && (declared.has(w) || transposed.has(w)))) typed[w] = 'vector'
    else if (t === 'matrix' || t === 'symmetric' || t === 'spd') typed[w] = 'matrix'
    else if (t !== undefined || !(isMatrixName(w, setting) && matrixSide.has(w))) scalarWildcards.add(w)
  }
  const types: Record<string, string> = { ...typed, ...spec.types }
  return { id, name: spec.name, kind, lhs, rhs, where, reversible, literals, scalarWildcards, typed, types, pack: options.pack, spec }
}
