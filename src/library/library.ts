// Loading rules: the shipped packs in rules/ merged with the user's own library.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { MatrixSetting } from '../core/expr.js'
import { compileRule, type Rule, RuleError, type RuleSpec } from '../core/rule.js'
import { UsageError } from '../errors.js'

export interface PackFile {
  format: string
  name: string
  description?: string
  matrices?: MatrixSetting
  rules: RuleSpec[]
  [extra: string]: unknown
}

export interface LoadedPack {
  readonly name: string
  readonly path: string
  readonly shipped: boolean
  readonly file: PackFile
}

export interface Library {
  /** Every rule, shipped packs first (in file order), a personal rule replacing a shipped one with its id. */
  readonly rules: readonly Rule[]
  readonly packs: readonly LoadedPack[]
  /** Ids of shipped rules the user's library overrides. */
  readonly overridden: ReadonlySet<string>
  /** The matrix convention for subject expressions (the user's library's, else uppercase). */
  readonly matrices: MatrixSetting
}

/** The folder of shipped packs: `rules/` beside the package.json of derive. */
export function shippedRulesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let k = 0; k < 6; k++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'rules'))) return join(dir, 'rules')
    dir = dirname(dir)
  }
  throw new Error('cannot find the shipped rules/ folder next to package.json')
}

/** Read and parse one JSON rule file; a UsageError names the file and the JSON position. */
export function readPackFile(path: string): PackFile {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    throw new UsageError(`cannot read rule file ${path}: ${(e as Error).message}`)
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (e) {
    throw new UsageError(`rule file ${path} is not valid JSON: ${(e as Error).message}`)
  }
  const file = data as PackFile
  if (typeof data !== 'object' || data === null || !Array.isArray(file.rules)) {
    throw new UsageError(`rule file ${path}: expected an object with a "rules" array`)
  }
  return file
}

/** Compile every rule of a pack; all problems are reported together. */
export function compilePack(pack: LoadedPack): Rule[] {
  const problems: string[] = []
  const rules: Rule[] = []
  pack.file.rules.forEach((spec, i) => {
    try {
      rules.push(compileRule(spec, { pack: pack.name, matrices: pack.file.matrices ?? 'uppercase' }))
    } catch (e) {
      if (!(e instanceof RuleError)) throw e
      problems.push(`${pack.path}: rule "${spec.id ?? `#${i}`}", field "${e.field}": ${e.reason}`)
    }
  })
  if (problems.length) throw new UsageError(problems[0]!, problems.slice(1))
  return rules
}

/** Load the shipped packs and the user's library (if it exists) and merge them. */
export function loadLibrary(options: { userLibrary?: string } = {}): Library {
  const dir = shippedRulesDir()
  const packs: LoadedPack[] = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const path = join(dir, f)
      const file = readPackFile(path)
      return { name: file.name ?? f.replace(/\.json$/, ''), path, shipped: true, file }
    })
  let matrices: MatrixSetting = 'uppercase'
  const user = options.userLibrary ? resolve(options.userLibrary) : undefined
  if (user && existsSync(user)) {
    const file = readPackFile(user)
    packs.push({ name: file.name ?? 'yours', path: user, shipped: false, file })
    matrices = file.matrices ?? matrices
  }
  const byId = new Map<string, Rule>()
  const overridden = new Set<string>()
  for (const pack of packs) {
    for (const rule of compilePack(pack)) {
      if (byId.has(rule.id) && !pack.shipped) overridden.add(rule.id)
      byId.set(rule.id, rule)
    }
  }
  return { rules: [...byId.values()], packs, overridden, matrices }
}
