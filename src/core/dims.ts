// Sizes for the verifier's random matrices: which dimensions of a rule's matrices and vectors must
// agree (A * B needs cols(A) = rows(B); A + B equal shapes; inv, det, trace and powers square),
// so that rectangular matrices can be drawn wherever the expression allows them. Pure.
import { type Expr, OPS, PROBABILITY_FNS } from './expr.js'

/** Rows and columns of one symbol, as dimension classes. */
export type Dims = readonly [number, number]

/** The classes of a problem's dimensions: a symbol's (rows, cols) classes; class 0 is the fixed size 1. */
export interface DimClasses {
  readonly of: ReadonlyMap<string, Dims>
  /** number of classes (0 .. count - 1) */
  readonly count: number
  /** classes that must be square-equal are one class; find gives its representative */
  readonly find: (k: number) => number
}

const ONE = 0
type Shape = 'scalar' | Dims

/**
 * Unify the shapes of `sides` (two equal expressions), given each symbol's kind. Undefined when the expressions use
 * something whose shape is not followed here, or shapes that cannot agree: then only square
 * matrices of one size are drawn.
 */
export function dimClasses(sides: readonly Expr[], kindOf: (name: string) => 'scalar' | 'vector' | 'matrix' | 'square'): DimClasses | undefined {
  const parent: number[] = [ONE]
  const fresh = (): number => parent.push(parent.length) - 1
  const find = (k: number): number => (parent[k] === k ? k : (parent[k] = find(parent[k]!)))
  let ok = true
  const unify = (a: number, b: number): void => {
    const [x, y] = [find(a), find(b)]
    if (x !== y) parent[Math.max(x, y)] = Math.min(x, y)
  }
  const of = new Map<string, Dims>()
  const symbol = (name: string): Shape => {
    const kind = kindOf(name)
    if (kind === 'scalar') return 'scalar'
    let d = of.get(name)
    if (!d) {
      const r = fresh()
      d = [r, kind === 'vector' ? ONE : kind === 'square' ? r : fresh()]
      of.set(name, d)
    }
    return d
  }
  const isOne = (s: Shape): boolean => s !== 'scalar' && find(s[0]) === ONE && find(s[1]) === ONE
  const square = (s: Shape): Shape => {
    if (s !== 'scalar') unify(s[0], s[1])
    return s
  }
  const visit = (e: Expr): Shape => {
    if (!ok) return 'scalar'
    if (e.kind === 'num') return 'scalar'
    if (e.kind === 'sym') return symbol(e.name)
    const args = e.args
    // a sum, product or integral has the shape of its body
    if (e.head === 'sum' || e.head === 'prod' || e.head === 'int') {
      args.slice(1).forEach(visit)
      return visit(args[0]!)
    }
    switch (e.head) {
      case OPS.add: {
        const shapes = args.map(visit).filter((s): s is Dims => s !== 'scalar')
        for (const s of shapes.slice(1)) {
          unify(s[0], shapes[0]![0])
          unify(s[1], shapes[0]![1])
        }
        return shapes[0] ?? 'scalar'
      }
      case OPS.mul: {
        let acc: Shape = 'scalar'
        for (const s of args.map(visit)) {
          if (s === 'scalar') continue
          if (acc === 'scalar') acc = s
          else {
            unify(acc[1], s[0])
            acc = [acc[0], s[1]]
          }
          if (isOne(acc)) acc = 'scalar'
        }
        return acc
      }
      case OPS.pow: {
        visit(args[1]!)
        return square(visit(args[0]!))
      }
      case OPS.transpose: {
        const s = visit(args[0]!)
        return s === 'scalar' ? s : [s[1], s[0]]
      }
      case OPS.index:
        visit(args[0]!)
        args.slice(1).forEach(visit)
        return 'scalar'
      case 'inv':
        return square(visit(args[0]!))
      case 'det':
      case 'trace':
        square(visit(args[0]!))
        return 'scalar'
      case 'diff': {
        const f = visit(args[0]!)
        const x = visit(args[1]!)
        args.slice(2).forEach(visit)
        if (f === 'scalar') return x
        // the Jacobian of a column with respect to a column: rows of f by rows of x
        if (x !== 'scalar' && find(f[1]) === ONE && find(x[1]) === ONE) return [f[0], x[0]]
        if (x === 'scalar') return f
        ok = false
        return 'scalar'
      }
    }
    const shapes = args.map(visit)
    // number functions, probability and unknown functions take and give scalars
    if (PROBABILITY_FNS.has(e.head) || shapes.every((s) => s === 'scalar')) return 'scalar'
    ok = false
    return 'scalar'
  }
  // the sides are equal, so they have one shape (A * inv(A) and I)
  const shapes = sides.map(visit).filter((x): x is Dims => x !== 'scalar')
  for (const x of shapes.slice(1)) {
    unify(x[0], shapes[0]![0])
    unify(x[1], shapes[0]![1])
  }
  // a symbol forced to 1×1 would be a scalar in disguise: keep to square sizes then
  if ([...of.values()].some(([r, c]) => find(r) === ONE && find(c) === ONE)) return undefined
  return ok ? { of, count: parent.length, find } : undefined
}

/** A size for every class: `square` gives every free class that size; otherwise each its own in 2..4. */
export function chooseSizes(c: DimClasses, pick: () => number, square?: number): (k: number) => number {
  const size = new Map<number, number>([[ONE, 1]])
  return (k) => {
    const root = c.find(k)
    let n = size.get(root)
    if (n === undefined) size.set(root, (n = square ?? pick()))
    return n
  }
}
