// The shipped packs, checked and compiled once at build time. Parsing ~400 expressions with mathjs
// on every start would cost more than the rest of `derive match` together; the snapshot is used
// only when the rule files are byte-for-byte the ones it was made from (a digest says so).
import { createHash } from 'node:crypto'
import type { Expr } from '../core/expr.js'
import type { Condition } from '../core/parse.js'
import type { Rule } from '../core/rule.js'
import type { PackFile } from './schema.js'

export const SNAPSHOT_FILE = 'shipped-rules.json'
// 2: numbers carry their exact value `q` (see core/rational.ts)
const FORMAT = 'derive-snapshot/2'

interface SerialRule {
  readonly lhs: Expr
  readonly rhs: Expr
  readonly where: readonly Condition[]
  readonly reversible: boolean
  readonly kind: 'rule' | 'definition'
  readonly literals: readonly string[]
  readonly scalarWildcards: readonly string[]
  readonly typed: Readonly<Record<string, 'vector' | 'matrix'>>
}

export interface Snapshot {
  readonly format: string
  readonly digest: string
  /** The digest of the bundle that wrote it (every .js file the CLI runs; see tools/build.mjs). */
  readonly build?: string
  /** Per pack file (same order as the files), its compiled rules in file order. */
  readonly packs: readonly { readonly file: string; readonly name: string; readonly rules: readonly SerialRule[] }[]
}

/** A digest of the pack files (names and texts), so a snapshot is never used for other rules. */
export function digestOf(files: readonly { name: string; text: string }[]): string {
  const h = createHash('sha256').update(FORMAT)
  for (const f of files) h.update(`\0${f.name}\0${f.text}`)
  return h.digest('hex')
}

/** The snapshot of compiled packs. */
export function makeSnapshot(digest: string, packs: readonly { file: string; name: string; rules: readonly Rule[] }[]): Snapshot {
  return {
    format: FORMAT,
    digest,
    packs: packs.map((p) => ({
      file: p.file,
      name: p.name,
      rules: p.rules.map((r) => ({
        lhs: r.lhs,
        rhs: r.rhs,
        where: r.where,
        reversible: r.reversible,
        kind: r.kind,
        literals: [...r.literals],
        scalarWildcards: [...r.scalarWildcards],
        typed: r.typed,
      })),
    })),
  }
}

/**
 * The compiled rules of one pack file from a snapshot, or undefined if the snapshot does not
 * match (then the caller checks and compiles the file itself).
 */
export function restorePack(snapshot: Snapshot | undefined, digest: string, file: string, data: PackFile): Rule[] | undefined {
  if (!snapshot || snapshot.format !== FORMAT || snapshot.digest !== digest) return undefined
  const entry = snapshot.packs.find((p) => p.file === file)
  if (!entry || entry.rules.length !== data.rules.length) return undefined
  return entry.rules.map((r, i) => {
    const spec = data.rules[i]!
    return {
      id: spec.id,
      name: spec.name,
      kind: r.kind,
      lhs: r.lhs,
      rhs: r.rhs,
      where: r.where,
      reversible: r.reversible,
      literals: new Set(r.literals),
      scalarWildcards: new Set(r.scalarWildcards),
      typed: r.typed,
      types: { ...r.typed, ...spec.types },
      pack: entry.name,
      spec,
    }
  })
}
