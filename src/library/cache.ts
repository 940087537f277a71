// The user's library, compiled once and cached by the digest of its bytes and of the build that
// compiled it: a start with an unchanged library reads the cache instead of validating with zod
// and parsing every rule with mathjs. The cache is derived data: anything wrong with it (missing,
// damaged, foreign, made by another build) means a full check, and a fresh cache written
// atomically. It is read with JSON.parse only, and the library file itself is never written.
//
// The file is ASCII text, one JSON value a line:
//   1. the sha256 of the rest (a damaged cache is never used);
//   2. a header: the format, the digest, and per rule the length of its record, its kind and what
//      the rule index needs (the key and named heads of each pattern, forward then reverse);
//   3. one record per rule: its compiled patterns, conditions and wildcard sets.
// A start reads the bytes, checks the sum and the header, and parses a rule's record only when
// something asks for its patterns: with 10,000 rules, `match` revives just the few the index
// offers for some subterm.
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createHash } from 'node:crypto'
import envPaths from 'env-paths'
import type { Expr } from '../core/expr.js'
import type { Condition } from '../core/parse.js'
import { reviveRational } from '../core/rational.js'
import type { Rule, RuleSpec } from '../core/rule.js'
import { type PatternKeys, patternKeys, presetKeys } from '../core/rule-index.js'
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

// per rule: [record length, kind, forward key, forward heads] and, when reversible, [reverse key, reverse heads]
type Entry = [number, Rule['kind'], string | null, string[]] | [number, Rule['kind'], string | null, string[], string | null, string[]]

interface RuleRecord {
  readonly lhs: Expr
  readonly rhs: Expr
  readonly where: readonly Condition[]
  readonly literals: readonly string[]
  readonly scalarWildcards: readonly string[]
  readonly typed: Readonly<Record<string, 'vector' | 'matrix'>>
}

/** The parts of a rule its record holds, compiled. */
type Parts = Pick<Rule, 'lhs' | 'rhs' | 'where' | 'literals' | 'scalarWildcards' | 'typed' | 'types'>

// one cache file's bytes, shared by its rules; `full` is the full check, done at most once
interface Source {
  readonly bytes: Buffer
  readonly recheck: () => readonly Rule[]
  full?: readonly Rule[]
}

/** A rule from the cache: what lists and the index need up front, its record parsed on first use. */
class CachedRule implements Rule {
  readonly id: string
  readonly name: string
  #parts: Parts | undefined
  readonly #source: Source
  readonly #at: readonly [index: number, start: number, end: number]

  constructor(
    readonly spec: RuleSpec,
    readonly kind: Rule['kind'],
    readonly reversible: boolean,
    readonly pack: string,
    source: Source,
    at: readonly [number, number, number],
  ) {
    this.id = spec.id
    this.name = spec.name
    this.#source = source
    this.#at = at
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

  // a record that does not read back (it passed the sum, so only a forged file) means the full check
  #revived(): Parts {
    if (this.#parts) return this.#parts
    const [index, start, end] = this.#at
    this.#parts = revive(this.#source.bytes.toString('latin1', start, end), this.spec)
    if (!this.#parts) {
      const source = this.#source
      source.full ??= source.recheck()
      const rule = source.full[index]
      // the full check compiles the same text, so the same rules in the same order
      if (!rule || rule.id !== this.id) throw new Error(`the full check of the library has no rule "${this.id}" at ${index}`)
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

const isKeys = (key: unknown, heads: unknown): boolean => (key === null || typeof key === 'string') && isStrings(heads)

function isEntry(e: unknown): e is Entry {
  if (!Array.isArray(e) || (e.length !== 4 && e.length !== 6)) return false
  const [length, kind, ...keys] = e as unknown[]
  return Number.isInteger(length) && (length as number) > 0 && (kind === 'rule' || kind === 'definition') && isKeys(keys[0], keys[1]) && (keys.length === 2 || isKeys(keys[2], keys[3]))
}

/**
 * The rules of a library text from its cache, or undefined on any miss; never throws. A rule's
 * record is parsed when first used; one that does not read back calls `recheck` (the full check,
 * which may throw as a start without a cache would) and takes its rule from there.
 */
export function cachedRules(library: string, text: string, file: PackFile, ctx: CacheContext, recheck: () => readonly Rule[]): Rule[] | undefined {
  try {
    const bytes = readFileSync(cacheFile(library, ctx.env))
    if (bytes.indexOf(10) !== 64 || sha256(bytes.subarray(65)) !== bytes.toString('latin1', 0, 64)) return undefined
    const headEnd = bytes.indexOf(10, 65)
    if (headEnd < 0) return undefined
    const header = JSON.parse(bytes.toString('latin1', 65, headEnd)) as { format?: unknown; digest?: unknown; rules?: unknown }
    if (!isObject(header) || header.format !== FORMAT || header.digest !== digestFor(text, ctx.build)) return undefined
    const specs: unknown = file.rules
    const entries = header.rules
    if (!Array.isArray(specs) || !Array.isArray(entries) || typeof file.name !== 'string' || specs.length !== entries.length) return undefined
    const source: Source = { bytes, recheck }
    const rules: Rule[] = []
    let start = headEnd + 1
    for (let i = 0; i < entries.length; i++) {
      const entry: unknown = entries[i]
      const spec: unknown = specs[i]
      if (!isEntry(entry) || !isObject(spec) || typeof spec.id !== 'string' || typeof spec.name !== 'string') return undefined
      const end = start + entry[0]
      if (end > bytes.length || (end < bytes.length && bytes[end] !== 10)) return undefined
      const reversible = entry.length === 6
      const rule = new CachedRule(spec as RuleSpec, entry[1], reversible, file.name, source, [i, start, end])
      const keys: PatternKeys[] = [{ key: entry[2], heads: entry[3] }]
      if (entry.length === 6) keys.push({ key: entry[4], heads: entry[5] })
      presetKeys(rule, keys)
      rules.push(rule)
      start = end + 1
    }
    // the records fill the file exactly
    return start === bytes.length + 1 || (entries.length === 0 && start === bytes.length) ? rules : undefined
  } catch {
    return undefined
  }
}

/**
 * Write the cache of a checked library (best effort: a cache that cannot be written is skipped),
 * then remove all but the KEEP_CACHES newest library caches of the folder.
 */
export function storeCache(library: string, text: string, rules: readonly Rule[], ctx: CacheContext): void {
  const path = cacheFile(library, ctx.env)
  const records = rules.map((r) =>
    ascii(JSON.stringify({ lhs: r.lhs, rhs: r.rhs, where: r.where, literals: [...r.literals], scalarWildcards: [...r.scalarWildcards], typed: r.typed } satisfies RuleRecord)),
  )
  const entries = rules.map((r, i): Entry => {
    const f = patternKeys(r.lhs)
    const head: Entry = [records[i]!.length, r.kind, f.key, [...f.heads]]
    if (!r.reversible) return head
    const b = patternKeys(r.rhs)
    return [...head, b.key, [...b.heads]]
  })
  const body = `${ascii(JSON.stringify({ format: FORMAT, digest: digestFor(text, ctx.build), rules: entries }))}\n${records.join('\n')}`
  // writeAtomic does its work synchronously; its failure is a rejected promise, ignored here
  writeAtomic(path, `${sha256(body)}\n${body}`, dirname(path)).catch(() => undefined)
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
