// Pure plans for changing a rule file: add, replace, remove, import. Each takes the current file
// and returns the new one (or throws a UsageError saying why not); store.ts does the writing.
import { isDeepStrictEqual } from 'node:util'
import type { RuleSpec } from '../core/rule.js'
import { UsageError } from '../errors.js'
import type { PackFile, Problem } from './schema.js'

const MAX_ID = 40

/** A kebab-case id from a rule's name: "Log of a product!" -> "log-of-a-product". */
export function slugify(name: string): string {
  const plain = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
  const words = plain.split(/[^a-z0-9]+/).filter(Boolean)
  let id = ''
  for (const w of words) {
    const next = id ? `${id}-${w}` : w
    // cut at a word boundary so a long name gives a readable id
    if (next.length > MAX_ID && id) break
    id = next.slice(0, MAX_ID)
  }
  return id || 'rule'
}

/** `base`, or `base-2`, `base-3`, ... : the first that is not taken. */
export function freeId(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base
  for (let k = 2; ; k++) if (!taken.has(`${base}-${k}`)) return `${base}-${k}`
}

/** The id suggested for a rule with this name. */
export const suggestId = (name: string, taken: ReadonlySet<string>): string => freeId(slugify(name), taken)

/** Ids in a rule file. */
export const idsOf = (file: PackFile): Set<string> => new Set(file.rules.map((r) => r.id))

/** The file with a rule appended; refuses an id the file already has. */
export function addRule(file: PackFile, spec: RuleSpec): PackFile {
  if (idsOf(file).has(spec.id)) {
    throw new UsageError(`rule "${spec.id}" is already in your library; change it with: derive rules edit ${spec.id}`)
  }
  return { ...file, rules: [...file.rules, spec] }
}

/** The file with rule `id` replaced in place (appended if the file does not have it). */
export function replaceRule(file: PackFile, id: string, spec: RuleSpec): PackFile {
  const at = file.rules.findIndex((r) => r.id === id)
  if (at < 0) return { ...file, rules: [...file.rules, spec] }
  return { ...file, rules: file.rules.map((r, i) => (i === at ? spec : r)) }
}

/** The file without rule `id`; refuses an id the file does not have. */
export function removeRule(file: PackFile, id: string): PackFile {
  if (!idsOf(file).has(id)) throw new UsageError(`rule "${id}" is not in your library`)
  return { ...file, rules: file.rules.filter((r) => r.id !== id) }
}

export type Resolution = 'skip' | 'replace' | 'rename'

export interface ImportPlan {
  readonly file: PackFile
  readonly added: readonly string[]
  /** Clashing rules left out (--skip), and rules identical to one already there. */
  readonly skipped: readonly string[]
  readonly replaced: readonly string[]
  readonly renamed: readonly { from: string; to: string }[]
}

/** Incoming rules whose id the user's library already has for a different rule. */
export function clashes(current: PackFile, incoming: readonly RuleSpec[], from: string): Problem[] {
  const mine = new Map(current.rules.map((r) => [r.id, r]))
  return incoming.flatMap((spec) => {
    const old = mine.get(spec.id)
    if (!old || isDeepStrictEqual(old, spec)) return []
    const message = `clashes with your rule "${spec.id}" (${old.name}: ${old.lhs} -> ${old.rhs}); use --skip, --replace or --rename`
    return [{ file: from, rule: `rule "${spec.id}"`, field: 'id', message }]
  })
}

/**
 * Merge incoming rules into the user's file. A rule identical to one already there is skipped
 * silently; a different rule with a taken id is handled by `resolution` (required if any clash).
 * `reserved` ids (shipped rules) are avoided when renaming.
 */
export function planImport(
  current: PackFile,
  incoming: readonly RuleSpec[],
  resolution: Resolution | undefined,
  reserved: ReadonlySet<string> = new Set(),
): ImportPlan {
  let file = current
  const added: string[] = []
  const skipped: string[] = []
  const replaced: string[] = []
  const renamed: { from: string; to: string }[] = []
  const taken = new Set([...idsOf(current), ...incoming.map((r) => r.id), ...reserved])
  for (const spec of incoming) {
    const old = file.rules.find((r) => r.id === spec.id)
    if (!old) {
      file = addRule(file, spec)
      added.push(spec.id)
    } else if (isDeepStrictEqual(old, spec) || resolution === 'skip') {
      skipped.push(spec.id)
    } else if (resolution === 'replace') {
      file = replaceRule(file, spec.id, spec)
      replaced.push(spec.id)
    } else if (resolution === 'rename') {
      const to = freeId(spec.id, taken)
      taken.add(to)
      file = addRule(file, { ...spec, id: to })
      renamed.push({ from: spec.id, to })
    } else {
      throw new UsageError(`rule "${spec.id}" clashes with your library; use --skip, --replace or --rename`)
    }
  }
  return { file, added, skipped, replaced, renamed }
}

/** Optional rule fields a command may set; an empty string or list removes the field. */
export type RuleFields = Partial<Omit<RuleSpec, 'id'>>

/** The spec with these fields set (undefined: left as is; empty: removed), other keys in place. */
export function withFields(base: RuleSpec, fields: RuleFields): RuleSpec {
  const out: RuleSpec = { ...base }
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue
    const empty = value === '' || (Array.isArray(value) && value.length === 0)
    if (empty) delete out[key]
    else out[key] = value
  }
  return out
}

/** The rules of a file carrying a tag (all rules without one), as a pack to share. */
export function selectForExport(file: PackFile, tag: string | undefined): PackFile {
  const rules = tag === undefined ? file.rules : file.rules.filter((r) => (r.tags ?? []).includes(tag))
  return { ...file, rules }
}
