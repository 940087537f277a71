// Loading rules: the shipped packs in rules/ merged with the user's own library. Every pack is
// checked whole (schema, then each rule compiled) and refused with all its problems listed.
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { MatrixSetting } from '../core/expr.js'
import type { SymbolSetting } from '../core/shape.js'
import { compileRule, type Rule, RuleError, type RuleSpec } from '../core/rule.js'
import { reviveRational } from '../core/rational.js'
import { UsageError } from '../errors.js'
import { readUserFile, restoreCommand } from '../files.js'
import { MAX_PROBLEMS_SHOWN, MAX_RULE_FILE_BYTES } from '../limits.js'
import { formatProblem, type PackFile, parseJson, type Problem, ruleLabel, type SpecAt, validatePack } from './schema.js'
import { type CacheContext, cachedRules, type Env, storeCache } from './cache.js'
import { digestOf, makeSnapshot, restorePack, SNAPSHOT_FILE, type Snapshot } from './snapshot.js'

export type { PackFile, Problem } from './schema.js'

export interface LoadedPack {
  readonly name: string
  readonly path: string
  readonly shipped: boolean
  readonly file: PackFile
  /** The pack's rules, compiled, in file order. */
  readonly rules: readonly Rule[]
  /** Its matrix convention and declared vectors, when known without reading `file` (from the cache). */
  readonly settings?: { readonly matrices: MatrixSetting; readonly vectors: readonly string[] }
}

export interface Library {
  /** Every rule, shipped packs first (in file order), a personal rule replacing a shipped one with its id. */
  readonly rules: readonly Rule[]
  readonly packs: readonly LoadedPack[]
  /** Ids of shipped rules the user's library overrides. */
  readonly overridden: ReadonlySet<string>
  /** The matrix convention for subject expressions (the user's library's, else uppercase). */
  readonly matrices: MatrixSetting
  /** Lowercase symbols the user's library declares to be vectors in every expression. */
  readonly vectors: readonly string[]
  /** The user's own library, when the file exists. */
  readonly user?: LoadedPack
}

/** A rule file that cannot be used: every problem, one line each, and what to do about it. */
export class LibraryError extends UsageError {
  constructor(
    readonly problems: readonly Problem[],
    options: { header?: string; hint?: readonly string[] } = {},
  ) {
    const lines = problems.slice(0, MAX_PROBLEMS_SHOWN).map(formatProblem)
    if (problems.length > MAX_PROBLEMS_SHOWN) lines.push(`... and ${problems.length - MAX_PROBLEMS_SHOWN} more`)
    const body = options.header !== undefined ? [options.header, ...lines.map((l) => `  ${l}`)] : lines
    super([...body, ...(options.hint ?? [])].join('\n'))
    this.name = 'LibraryError'
  }
}

/** The folder of shipped packs (`rules/` beside derive's package.json), if there is one. */
export function shippedRulesDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let k = 0; k < 6; k++) {
    if (existsSync(join(dir, 'package.json'))) return existsSync(join(dir, 'rules')) ? join(dir, 'rules') : undefined
    dir = dirname(dir)
  }
  throw new Error('cannot find derive\'s package.json above the running module')
}

/** Compile rules of a file; problems name the file, rule and field. */
export function compileRules(entries: readonly SpecAt[], path: string, pack: string, matrices: SymbolSetting): { rules: Rule[]; problems: Problem[] } {
  const rules: Rule[] = []
  const problems: Problem[] = []
  for (const { spec, index } of entries) {
    const compiled = compileSpec(spec, pack, matrices)
    if (compiled instanceof RuleError) problems.push({ file: path, rule: ruleLabel(spec, index), field: compiled.field, message: compiled.reason })
    else rules.push(compiled)
  }
  return { rules, problems }
}

/** The matrix convention a (possibly invalid) file declares, if it is a usable one. */
function matricesOf(data: unknown): MatrixSetting {
  const m = (data as { matrices?: unknown } | null)?.matrices
  return m === 'uppercase' || (Array.isArray(m) && m.every((x) => typeof x === 'string')) ? (m as MatrixSetting) : 'uppercase'
}

/** The vectors a (possibly invalid) file declares for its rules ("vectors": ["x", "theta"]). */
export function vectorsIn(data: unknown): string[] {
  const v = (data as { vectors?: unknown } | null)?.vectors
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []
}

/** The symbol setting a file's rules are compiled with: its matrices, and its vectors if it names any. */
const settingOf = (data: unknown): SymbolSetting => {
  const vectors = vectorsIn(data)
  return vectors.length ? { matrices: matricesOf(data), vectors } : matricesOf(data)
}

/** compileRule, with its expected failure as a value. */
export function compileSpec(spec: RuleSpec, pack: string, matrices: SymbolSetting): Rule | RuleError {
  try {
    return compileRule(spec, { pack, matrices })
  } catch (e) {
    if (e instanceof RuleError) return e
    throw e
  }
}

/** Check a rule file's text completely: JSON, schema, ids, every rule. Never throws for bad input. */
export function checkPackText(text: string, path: string, options: { shipped: boolean }): { pack?: LoadedPack; problems: Problem[] } {
  const parsed = parseJson(text, path)
  if ('problem' in parsed) return { problems: [parsed.problem] }
  const { pack: file, rules: specs, problems } = validatePack(parsed.data, path)
  const name = file?.name ?? basename(path)
  const compiled = compileRules(specs, path, name, settingOf(parsed.data))
  const all = [...problems, ...compiled.problems]
  if (!file || all.length) return { problems: all }
  return { pack: { name, path, shipped: options.shipped, file, rules: compiled.rules }, problems: [] }
}

const readText = (path: string): string => readUserFile(path, '.', MAX_RULE_FILE_BYTES)

/** A shipped pack's text checked whole; a LibraryError lists every problem. */
function checkedShippedPack(text: string, path: string): LoadedPack {
  const { pack, problems } = checkPackText(text, path, { shipped: true })
  if (!pack) throw new LibraryError(problems, problems.length > 1 ? { header: `${problems.length} problems in ${path}:` } : {})
  return pack
}

/** What to tell a user whose own library does not load: derive will not touch it until fixed. */
export function restoreHint(path: string): string[] {
  const { fromBackup, command } = restoreCommand(path)
  const how = fromBackup ? 'restore the previous version' : 'move it aside to start afresh'
  return [`derive has not changed ${basename(path)} and will not write to it until it loads.`, `Fix it by hand at the place named above, or ${how}:  ${command}`]
}

/** Check the user's library text; a LibraryError lists the problems and how to fix or restore. */
export function checkUserText(text: string, path: string): LoadedPack {
  const { pack, problems } = checkPackText(text, path, { shipped: false })
  if (pack) return pack
  const header = problems.length > 1 ? `${problems.length} problems in your library ${path}:` : undefined
  throw new LibraryError(problems, { ...(header ? { header } : {}), hint: restoreHint(path) })
}

/**
 * The user's library, or undefined when the file does not exist yet. Given the `env` whose cache
 * folder to use, its compiled rules come from the cache there when the file and the build are
 * unchanged, and a start that checks the file writes that cache; without `env`, no cache.
 */
export function readUserPack(path: string, options: { env?: Env } = {}): LoadedPack | undefined {
  if (!existsSync(path)) return undefined
  const text = readText(path)
  const build = options.env && buildStamp()
  if (!options.env || build === undefined) return checkUserText(text, path)
  const ctx: CacheContext = { env: options.env, build }
  const checked = (): LoadedPack => {
    const pack = checkUserText(text, path)
    storeCache(path, text, { name: pack.name, ...settingsOf(pack), rules: pack.rules }, ctx)
    return pack
  }
  const hit = cachedRules(path, text, ctx, () => checked().rules)
  if (!hit) return checked()
  return {
    name: hit.name,
    path,
    shipped: false,
    get file() {
      return hit.file()
    },
    rules: hit.rules,
    settings: { matrices: hit.matrices, vectors: hit.vectors },
  }
}

/** A pack's matrix convention (uppercase unless it says) and declared vectors. */
const settingsOf = (pack: LoadedPack): { matrices: MatrixSetting; vectors: readonly string[] } =>
  pack.settings ?? { matrices: pack.file.matrices ?? 'uppercase', vectors: vectorsIn(pack.file) }

interface PackText {
  readonly file: string
  readonly path: string
  readonly text: string
}

function shippedTexts(): PackText[] {
  const dir = shippedRulesDir()
  if (!dir) return []
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, path: join(dir, file), text: readText(join(dir, file)) }))
}

// the build's snapshot, read once per process (null: none, or unreadable)
let snapshotRead: Snapshot | null | undefined

function readSnapshot(): Snapshot | undefined {
  if (snapshotRead === undefined) {
    const dir = shippedRulesDir()
    const path = dir && join(dirname(dir), 'dist', SNAPSHOT_FILE)
    try {
      snapshotRead = path && existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8'), reviveRational) as Snapshot) : null
    } catch {
      snapshotRead = null
    }
  }
  return snapshotRead ?? undefined
}

/**
 * The running derive's build stamp, which a user-library cache must have been made by: in the
 * bundle, the build's digest of its own files (kept in the snapshot); run from the TypeScript
 * sources (tests), a digest of every file under src/. Undefined when unknown (then no cache).
 */
function buildStamp(): string | undefined {
  if (!import.meta.url.endsWith('.ts')) {
    const build = readSnapshot()?.build
    return typeof build === 'string' ? build : undefined
  }
  const src = join(dirname(fileURLToPath(import.meta.url)), '..')
  const h = createHash('sha256').update('sources')
  for (const f of readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).sort()) h.update(`\0${f}\0`).update(readFileSync(join(src, f)))
  return h.digest('hex')
}

/** Every shipped pack, in file-name order (from the build's snapshot when the files are unchanged). */
export function readShippedPacks(options: { snapshot?: boolean } = {}): LoadedPack[] {
  const texts = shippedTexts()
  const snapshot = options.snapshot === false ? undefined : readSnapshot()
  const digest = snapshot ? digestOf(texts.map((t) => ({ name: t.file, text: t.text }))) : ''
  return texts.map((t) => {
    if (snapshot) {
      let data: PackFile | undefined
      try {
        data = JSON.parse(t.text) as PackFile
      } catch {
        data = undefined
      }
      const rules = data && Array.isArray(data.rules) ? restorePack(snapshot, digest, t.file, data) : undefined
      if (data && rules) return { name: data.name ?? basename(t.path), path: t.path, shipped: true, file: data, rules }
    }
    return checkedShippedPack(t.text, t.path)
  })
}

/** The snapshot of the shipped packs, checked and compiled the slow way (run by the build). */
export function buildSnapshot(): Snapshot {
  const texts = shippedTexts()
  const packs = readShippedPacks({ snapshot: false })
  return makeSnapshot(
    digestOf(texts.map((t) => ({ name: t.file, text: t.text }))),
    packs.map((p, i) => ({ file: texts[i]!.file, name: p.name, rules: p.rules })),
  )
}

/** Merge packs in order: later personal rules override shipped ones; a shipped id used twice is a bug. */
export function mergePacks(packs: readonly LoadedPack[]): { rules: Rule[]; overridden: Set<string> } {
  const byId = new Map<string, Rule>()
  const home = new Map<string, string>()
  const overridden = new Set<string>()
  const problems: Problem[] = []
  for (const pack of packs) {
    for (const rule of pack.rules) {
      const other = home.get(rule.id)
      if (other !== undefined && pack.shipped) {
        problems.push({ file: pack.path, rule: `rule "${rule.id}"`, field: 'id', message: `also used in ${other}; shipped ids must be unique` })
      }
      if (other !== undefined && !pack.shipped) overridden.add(rule.id)
      byId.set(rule.id, rule)
      home.set(rule.id, pack.path)
    }
  }
  if (problems.length) throw new LibraryError(problems)
  return { rules: [...byId.values()], overridden }
}

/**
 * Load the shipped packs and the user's library (if it exists) and merge them. The compiled cache
 * of the library is used only with the `env` that says where it lives (the CLI passes its own),
 * and never with `cache: false` (editing commands check the library in full).
 */
export function loadLibrary(options: { userLibrary?: string; cache?: boolean; env?: Env } = {}): Library {
  const packs = readShippedPacks()
  const env = options.cache === false ? undefined : options.env
  const user = options.userLibrary ? readUserPack(resolve(options.userLibrary), env ? { env } : {}) : undefined
  if (user) packs.push(user)
  const { rules, overridden } = mergePacks(packs)
  const { matrices, vectors } = user ? settingsOf(user) : { matrices: 'uppercase' as const, vectors: [] }
  return { rules, packs, overridden, matrices, vectors: [...vectors], ...(user ? { user } : {}) }
}
