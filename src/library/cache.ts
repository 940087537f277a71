// The user's library, compiled once and cached by the digest of its bytes and of the build that
// compiled it: a start with an unchanged library reads the cache instead of validating with zod
// and parsing every rule with mathjs. The cache is derived data: anything wrong with it (missing,
// damaged, foreign, made by another build) means a full check, and a fresh cache written
// atomically. It is read with JSON.parse only, and the library file itself is never written.
//
// The file is ASCII text, one JSON value a line:
//   1. the sha256 of the header and the header's length in bytes;
//   2. the header: the format, the digest, the pack's name and symbol settings, and in columns
//      (one entry per rule, or per pattern: forward and reverse) each rule's id, kind, the length
//      and sha256 (its first 16 digits) of its record, and what the rule index needs: each
//      pattern's key and named heads (numbers into tables of keys and heads);
//   3. one record per rule: its compiled patterns, conditions and wildcard sets.
// A start reads only the first two lines. The records are read when a rule's patterns are first
// asked for, and each is checked against its sum then; the library file's JSON is parsed only
// when something asks for a rule's spec (its name, idea, examples...). With 10,000 rules, `match`
// revives just the few rules the index offers for some subterm. A damaged header is a miss; a
// damaged record means the full check, for that rule and a rewritten cache.
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createHash } from 'node:crypto'
import envPaths from 'env-paths'
import type { Expr, MatrixSetting } from '../core/expr.js'
import type { Condition } from '../core/parse.js'
import { reviveRational } from '../core/rational.js'
import type { Rule, RuleSpec } from '../core/rule.js'
import { type KeyTable, patternKeys, type TabledRule } from '../core/rule-index.js'
import { writeAtomic } from '../files.js'
import type { PackFile } from './schema.js'

export type Env = Readonly<Record<string, string | undefined>>

/** Where and for which derive a cache is read and written: the environment (its DERIVE_HOME) and the running build's stamp. */
export interface CacheContext {
  readonly env: Env
  readonly build: string
}

const FORMAT = 'derive-library-cache/1'

/** Writing a cache keeps this many library caches in the folder (the newest) and removes the others. */
export const KEEP_CACHES = 10

/** The cache folder: $DERIVE_HOME/cache when DERIVE_HOME is set, else the platform's cache folder. */
export function cacheDir(env: Env): string {
  return env.DERIVE_HOME ? join(env.DERIVE_HOME, 'cache') : envPaths('derive', { suffix: '' }).cache
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex')

const CACHE_NAME = /^library-[0-9a-f]{16}\.json$/
const cacheFile = (library: string, env: Env): string => join(cacheDir(env), `library-${sha256(library).slice(0, 16)}.json`)

const digestFor = (text: string, build: string): string => createHash('sha256').update(`${FORMAT}\0${build}\0`).update(text).digest('hex')

// JSON with every non-ASCII character escaped, so byte offsets are string offsets
const ascii = (json: string): string => json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)

const recordSum = (record: string): string => sha256(record).slice(0, 16)

/** What a cache holds of the pack besides its rules: the library's name and symbol settings. */
export interface CachedPack {
  readonly name: string
  readonly matrices: MatrixSetting
  readonly vectors: readonly string[]
  readonly rules: readonly Rule[]
  /** The library file's JSON, parsed on first use. */
  readonly file: () => PackFile
}

interface RuleRecord {
  readonly lhs: Expr
  readonly rhs: Expr
  readonly where: readonly Condition[]
  readonly literals: readonly string[]
  readonly scalarWildcards: readonly string[]
  readonly typed: Readonly<Record<string, 'vector' | 'matrix'>>
}

// the header's columns; pattern c of rule i is c = 2 * i (forward) or 2 * i + 1 (reverse)
interface Columns {
  readonly ids: readonly string[]
  /** 'r' (rule) or 'd' (definition) per rule. */
  readonly kinds: string
  readonly lengths: readonly number[]
  /** 16 hex digits per rule. */
  readonly sums: string
  readonly keyNames: readonly string[]
  readonly headNames: readonly string[]
  /** Per pattern: its key in keyNames, -1 when it is not a call, -2 for the reverse of a rule that is not reversible. */
  readonly keys: readonly number[]
  /** Per pattern c: its heads are headList[headAt[c]] up to headList[headAt[c + 1]], the one to file it under first. */
  readonly headAt: readonly number[]
  readonly headList: readonly number[]
}

/** The parts of a rule its record holds, compiled. */
type Parts = Pick<Rule, 'lhs' | 'rhs' | 'where' | 'literals' | 'scalarWildcards' | 'typed' | 'types'>

// one cache file, shared by its rules: the header's columns, the records (read on first use) and
// where each starts; `full` is the full check, done at most once
interface Source {
  readonly columns: Columns
  readonly records: () => { readonly bytes: Buffer; readonly starts: readonly number[] }
  readonly file: () => PackFile
  readonly recheck: () => readonly Rule[]
  full?: readonly Rule[]
}

// the index's view of the columns
class ColumnKeys implements KeyTable {
  constructor(private readonly c: Columns) {}
  key(p: number): string | null {
    const k = this.c.keys[p]!
    return k < 0 ? null : this.c.keyNames[k]!
  }
  first(p: number): string {
    const at = this.c.headAt[p]!
    return at < this.c.headAt[p + 1]! ? this.c.headNames[this.c.headList[at]!]! : ''
  }
  heads(p: number): readonly string[] {
    return this.c.headList.slice(this.c.headAt[p]!, this.c.headAt[p + 1]!).map((h) => this.c.headNames[h]!)
  }
}

/** A rule from the cache: what lists and the index need up front, its record parsed on first use. */
class CachedRule implements TabledRule {
  readonly id: string
  readonly kind: Rule['kind']
  readonly reversible: boolean
  #parts: Parts | undefined
  readonly #source: Source

  constructor(
    readonly pack: string,
    source: Source,
    readonly keyTable: KeyTable,
    readonly keyRow: number,
  ) {
    const c = source.columns
    this.id = c.ids[keyRow]!
    this.kind = c.kinds[keyRow] === 'd' ? 'definition' : 'rule'
    this.reversible = c.keys[2 * keyRow + 1] !== -2
    this.#source = source
  }

  get spec(): RuleSpec {
    return this.#source.file().rules[this.keyRow]!
  }
  get name(): string {
    return this.spec.name
  }
  get lhs(): Expr {
    return this.#revived().lhs
  }
  get rhs(): Expr {
    return this.#revived().rhs
  }
  get where(): readonly Condition[] {
    return this.#revived().where
  }
  get literals(): ReadonlySet<string> {
    return this.#revived().literals
  }
  get scalarWildcards(): ReadonlySet<string> {
    return this.#revived().scalarWildcards
  }
  get typed(): Readonly<Record<string, 'vector' | 'matrix'>> {
    return this.#revived().typed
  }
  get types(): Readonly<Record<string, string>> {
    return this.#revived().types
  }

  // a record that does not read back (damaged, or forged) means the full check
  #revived(): Parts {
    if (this.#parts) return this.#parts
    const source = this.#source
    const i = this.keyRow
    const { bytes, starts } = source.records()
    const text = bytes.toString('latin1', starts[i], starts[i]! + source.columns.lengths[i]!)
    this.#parts = recordSum(text) === source.columns.sums.slice(16 * i, 16 * i + 16) ? revive(text, this.spec) : undefined
    if (!this.#parts) {
      source.full ??= source.recheck()
      const rule = source.full[i]
      // the full check compiles the same text, so the same rules in the same order
      if (!rule || rule.id !== this.id) throw new Error(`the full check of the library has no rule "${this.id}" at ${i}`)
      this.#parts = rule
    }
    return this.#parts
  }
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string')
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

// the shape of an Expr (numbers revived: q is a Rational, not the {n, d} of the file)
function isExpr(v: unknown): v is Expr {
  if (!isObject(v)) return false
  if (v.kind === 'sym') return typeof v.name === 'string'
  if (v.kind === 'num') return typeof v.value === 'number' && typeof (v.q as { n?: unknown } | undefined)?.n === 'bigint'
  return v.kind === 'call' && typeof v.head === 'string' && Array.isArray(v.args) && v.args.every(isExpr)
}

const isCondition = (v: unknown): v is Condition =>
  isObject(v) && typeof v.text === 'string' && (v.kind === 'rel' ? typeof v.op === 'string' && isExpr(v.lhs) && isExpr(v.rhs) : v.kind === 'pred' && typeof v.name === 'string' && Array.isArray(v.args) && v.args.every(isExpr))

// reviveRational applied over a parsed tree in place: much cheaper than JSON.parse's reviver
function reviveAll(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = reviveAll(value[i])
    return value
  }
  const o = value as Record<string, unknown>
  for (const k in o) o[k] = k === 'q' ? reviveRational(k, o[k]) : reviveAll(o[k])
  return o
}

/** One record's compiled parts, or undefined when it is not a record. */
function revive(text: string, spec: RuleSpec): Parts | undefined {
  try {
    const r = reviveAll(JSON.parse(text)) as Partial<Record<keyof RuleRecord, unknown>>
    if (!isObject(r) || !isExpr(r.lhs) || !isExpr(r.rhs) || !Array.isArray(r.where) || !r.where.every(isCondition)) return undefined
    if (!isStrings(r.literals) || !isStrings(r.scalarWildcards) || !isObject(r.typed) || !Object.values(r.typed).every((t) => t === 'vector' || t === 'matrix')) return undefined
    const typed = r.typed as RuleRecord['typed']
    return { lhs: r.lhs, rhs: r.rhs, where: r.where, literals: new Set(r.literals), scalarWildcards: new Set(r.scalarWildcards), typed, types: { ...typed, ...spec.types } }
  } catch {
    return undefined
  }
}

const isMatrices = (m: unknown): m is MatrixSetting => m === 'uppercase' || isStrings(m)
const isIndices = (v: unknown, length: number, below: number, from = 0): v is number[] =>
  Array.isArray(v) && v.length === length && v.every((x) => Number.isInteger(x) && x >= from && x < below)

/** The header's columns for n rules, if they are well formed. */
function columnsOf(h: Record<string, unknown>, n: number): Columns | undefined {
  const { ids, kinds, lengths, sums, keyNames, headNames, keys, headAt, headList } = h
  if (!isStrings(ids) || ids.length !== n || typeof kinds !== 'string' || !/^[rd]*$/.test(kinds) || kinds.length !== n) return undefined
  if (!isIndices(lengths, n, Infinity, 1) || typeof sums !== 'string' || !/^[0-9a-f]*$/.test(sums) || sums.length !== 16 * n) return undefined
  if (!isStrings(keyNames) || !isStrings(headNames) || !isIndices(keys, 2 * n, keyNames.length, -2)) return undefined
  if (!Array.isArray(headList) || !isIndices(headList, headList.length, headNames.length)) return undefined
  if (!isIndices(headAt, 2 * n + 1, headList.length + 1) || headAt[0] !== 0 || headAt[2 * n] !== headList.length) return undefined
  for (let p = 0; p < 2 * n; p++) if (headAt[p]! > headAt[p + 1]! || (p % 2 === 0 && keys[p] === -2)) return undefined
  return { ids, kinds, lengths, sums, keyNames, headNames, keys, headAt, headList }
}

/**
 * The rules of a library text from its cache, or undefined on any miss; never throws. A rule's
 * record is parsed when first used; one that does not read back calls `recheck` (the full check,
 * which may throw as a start without a cache would) and takes its rule from there.
 */
export function cachedRules(library: string, text: string, ctx: CacheContext, recheck: () => readonly Rule[]): CachedPack | undefined {
  const path = cacheFile(library, ctx.env)
  let fd: number | undefined
  try {
    fd = openSync(path, 'r')
    const size = fstatSync(fd).size
    const top = Buffer.alloc(Math.min(size, 100))
    readSync(fd, top, 0, top.length, 0)
    const first = /^([0-9a-f]{64}) (\d+)\n/.exec(top.toString('latin1'))
    if (!first) return undefined
    const headStart = first[0].length
    const headLength = Number(first[2])
    if (headStart + headLength + 1 > size) return undefined
    const headBytes = Buffer.alloc(headLength)
    if (readSync(fd, headBytes, 0, headLength, headStart) !== headLength || sha256(headBytes) !== first[1]) return undefined
    const header = JSON.parse(headBytes.toString('latin1')) as unknown
    if (!isObject(header) || header.format !== FORMAT || header.digest !== digestFor(text, ctx.build)) return undefined
    const { name, matrices, vectors, count } = header
    if (typeof name !== 'string' || !isMatrices(matrices) || !isStrings(vectors) || !Number.isInteger(count)) return undefined
    const columns = columnsOf(header, count as number)
    if (!columns) return undefined
    // the records (one a line) fill the file exactly
    const recordsAt = headStart + headLength + 1
    let total = 0
    for (const l of columns.lengths) total += l + 1
    if (recordsAt + Math.max(total - 1, 0) !== size) return undefined
    let parsed: PackFile | undefined
    // the text is the one the cache was made from, which was checked then
    const file = (): PackFile => (parsed ??= JSON.parse(text) as PackFile)
    // the records as this start finds them (a cache rewritten since fails the records' sums)
    let records: { bytes: Buffer; starts: number[] } | undefined
    const readRecords = (): { bytes: Buffer; starts: number[] } => {
      let bytes: Buffer
      try {
        bytes = readFileSync(path).subarray(recordsAt)
      } catch {
        bytes = Buffer.alloc(0)
      }
      const starts: number[] = []
      let at = 0
      for (const l of columns.lengths) {
        starts.push(at)
        at += l + 1
      }
      return { bytes, starts }
    }
    const source: Source = { columns, records: () => (records ??= readRecords()), file, recheck }
    const table = new ColumnKeys(columns)
    const rules: Rule[] = []
    for (let i = 0; i < columns.ids.length; i++) rules.push(new CachedRule(name, source, table, i))
    return { name, matrices, vectors, rules, file }
  } catch {
    return undefined
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/**
 * Write the cache of a checked library (best effort: a cache that cannot be written is skipped),
 * then remove all but the KEEP_CACHES newest library caches of the folder.
 */
export function storeCache(library: string, text: string, pack: Omit<CachedPack, 'file'>, ctx: CacheContext): void {
  const path = cacheFile(library, ctx.env)
  const { rules } = pack
  const records = rules.map((r) =>
    ascii(JSON.stringify({ lhs: r.lhs, rhs: r.rhs, where: r.where, literals: [...r.literals], scalarWildcards: [...r.scalarWildcards], typed: r.typed } satisfies RuleRecord)),
  )
  const patterns = rules.flatMap((r) => [patternKeys(r.lhs), r.reversible ? patternKeys(r.rhs) : undefined])
  // each pattern's heads rarest first (in this library), so the index files it under its rarest
  const count = new Map<string, number>()
  for (const p of patterns) for (const h of p?.heads ?? []) count.set(h, (count.get(h) ?? 0) + 1)
  const number = (names: Map<string, number>, name: string): number => names.get(name) ?? names.set(name, names.size).get(name)!
  const keyNames = new Map<string, number>()
  const headNames = new Map<string, number>()
  const headAt = [0]
  const headList: number[] = []
  for (const p of patterns) {
    for (const h of [...(p?.heads ?? [])].sort((a, b) => count.get(a)! - count.get(b)!)) headList.push(number(headNames, h))
    headAt.push(headList.length)
  }
  const keys = patterns.map((p, c) => (!p ? (c % 2 ? -2 : -1) : p.key === null ? -1 : number(keyNames, p.key)))
  const header = ascii(
    JSON.stringify({
      format: FORMAT,
      digest: digestFor(text, ctx.build),
      name: pack.name,
      matrices: pack.matrices,
      vectors: pack.vectors,
      count: rules.length,
      ids: rules.map((r) => r.id),
      kinds: rules.map((r) => (r.kind === 'definition' ? 'd' : 'r')).join(''),
      lengths: records.map((r) => r.length),
      sums: records.map(recordSum).join(''),
      keyNames: [...keyNames.keys()],
      headNames: [...headNames.keys()],
      keys,
      headAt,
      headList,
    }),
  )
  // writeAtomic does its work synchronously; its failure is a rejected promise, ignored here
  writeAtomic(path, `${sha256(header)} ${header.length}\n${header}\n${records.join('\n')}`, dirname(path)).catch(() => undefined)
  prune(dirname(path), path)
}

// keep the KEEP_CACHES newest library caches (`keep` among them), remove the others
function prune(dir: string, keep: string): void {
  try {
    const others = readdirSync(dir)
      .filter((f) => CACHE_NAME.test(f))
      .map((f) => join(dir, f))
      .filter((p) => p !== keep)
      .map((p) => ({ p, t: statSync(p).mtimeMs }))
      .sort((a, b) => b.t - a.t)
    for (const { p } of others.slice(KEEP_CACHES - 1)) rmSync(p, { force: true })
  } catch {
    // best effort, like the cache itself
  }
}
