// The user's library, compiled once and cached by the digest of its bytes (and of the derive that
// compiled it): a start with an unchanged library reads the cache instead of validating with zod
// and parsing every rule with mathjs. The cache is derived data: anything wrong with it (missing,
// damaged, foreign, made by another derive) means a full check, and a fresh cache written
// atomically. It is read with JSON.parse only, and the library file itself is never written.
import { existsSync, readFileSync, statSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createHash } from 'node:crypto'
import envPaths from 'env-paths'
import { reviveRational } from '../core/rational.js'
import type { Rule } from '../core/rule.js'
import { writeAtomic } from '../files.js'
import type { PackFile } from './schema.js'
import { digestOf, makeSnapshot, restorePack, type Snapshot } from './snapshot.js'

/** The cache folder: $DERIVE_HOME/cache when DERIVE_HOME is set, else the platform's cache folder. */
export function cacheDir(env: Readonly<Record<string, string | undefined>>): string {
  return env.DERIVE_HOME ? join(env.DERIVE_HOME, 'cache') : envPaths('derive', { suffix: '' }).cache
}

// the running derive: a cache made by another build is never used (its compiler may differ)
const BUILD = ((): string => {
  try {
    const s = statSync(fileURLToPath(import.meta.url))
    return `${s.size}:${s.mtimeMs}`
  } catch {
    return 'unknown'
  }
})()

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')

const cacheFile = (library: string): string => join(cacheDir(process.env), `library-${sha256(library).slice(0, 16)}.json`)

const digestFor = (text: string): string => digestOf([{ name: `user-library\0${BUILD}`, text }])

// reviveRational applied over a parsed tree in place: much cheaper than JSON.parse's reviver,
// which is called for every key and value of a large file
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

/** The compiled rules of a library text from its cache, or undefined on any miss. Never throws. */
export function cachedRules(library: string, text: string, file: PackFile): Rule[] | undefined {
  const path = cacheFile(library)
  try {
    if (!existsSync(path)) return undefined
    // first line: the sha256 of the rest, so a damaged cache is never revived
    const body = readFileSync(path, 'utf8')
    const cut = body.indexOf('\n')
    if (cut !== 64 || sha256(body.slice(cut + 1)) !== body.slice(0, cut)) return undefined
    const snapshot = reviveAll(JSON.parse(body.slice(cut + 1))) as Snapshot
    if (!snapshot || !Array.isArray(snapshot.packs) || !snapshot.packs.every((p) => p && Array.isArray(p.rules))) return undefined
    if (!Array.isArray(file.rules) || typeof file.name !== 'string') return undefined
    return restorePack(snapshot, digestFor(text), basename(library), file)
  } catch {
    return undefined
  }
}

/** Write the cache of a checked library (best effort: a cache that cannot be written is skipped). */
export function storeCache(library: string, text: string, name: string, rules: readonly Rule[]): void {
  const path = cacheFile(library)
  const snapshot = makeSnapshot(digestFor(text), [{ file: basename(library), name, rules }])
  // writeAtomic does its work synchronously; its failure is a rejected promise, ignored here
  const json = JSON.stringify(snapshot)
  writeAtomic(path, `${sha256(json)}\n${json}`, dirname(path)).catch(() => undefined)
}
