// Saving the user's library so that no rule is ever lost: every change is a read-modify-write
// under a lock file (concurrent `derive rules add` runs queue up instead of overwriting each
// other), the new text is written atomically with fsync, and the previous text is kept as
// library.json.bak. A library that does not load is never written.
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { UsageError } from '../errors.js'
import { reason, stripBom, writeAtomic, writeWithBackup } from '../files.js'
import { checkPackText, checkUserText, LibraryError } from './library.js'
import { withLock } from './lock.js'
import { emptyLibrary, type PackFile, packText } from './schema.js'

/** A change to the library: the new file and a value for the caller (what was added, ...). */
export type Change<T> = (current: PackFile) => { file: PackFile; value: T }

/**
 * Apply `change` to the library at `path` under its lock, creating the file on first use. The
 * change may throw (e.g. UsageError); then nothing is written. Returns the change's value.
 * `onWait` hears once that another derive is writing the file.
 */
export async function updateLibrary<T>(path: string, change: Change<T>, onWait?: (message: string) => void): Promise<T> {
  const target = resolve(path)
  try {
    mkdirSync(dirname(target), { recursive: true })
  } catch (e) {
    throw new UsageError(`cannot write ${path}: ${reason(e)}`)
  }
  return withLock(
    target,
    async () => {
      const before = existsSync(target) ? readFileSync(target, 'utf8') : undefined
      const current = before === undefined ? emptyLibrary() : checkUserText(stripBom(before), target).file
      const { file, value } = change(structuredClone(current))
      await save(target, file, before)
      return value
    },
    onWait,
  )
}

/** Write the new text (checked to load back) and keep the old text as the backup. */
async function save(target: string, file: PackFile, before: string | undefined): Promise<void> {
  const text = packText(file)
  // A change is built from compiled rules, so this never fails; checking anyway means a bug can
  // never leave the user with a library derive refuses to read.
  const { problems } = checkPackText(text, target, { shipped: false })
  if (problems.length) throw new LibraryError(problems, { header: `internal error: refusing to write ${target}, it would not load:` })
  await writeWithBackup(target, text, '.', before)
}

/** Write a rule file somewhere else (export): atomically, no lock, no backup. */
export const writePackFile = (path: string, file: PackFile): Promise<void> => writeAtomic(path, packText(file))
