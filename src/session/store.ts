// Saved derivations on disk. Writing is atomic (a temporary file, fsync, rename: a crash never
// leaves half a file) and the previous text is kept as FILE.bak, as for the rule library. Files
// are named as the user gave them (relative to `cwd`), and so are they in every message.
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import writeFileAtomic from 'write-file-atomic'
import type { MatrixSetting } from '../core/expr.js'
import { UsageError } from '../errors.js'
import { backupPath } from '../library/store.js'
import { type Derivation, derivationText, readDerivation } from './derivation.js'

/** Why a file operation failed, in words (the error code when there is one). */
function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return 'no such file'
  if (code === 'EISDIR') return 'it is a folder'
  if (code === 'ENOTDIR' || code === 'EEXIST') return 'a part of the path is a file, not a folder'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'ENOSPC') return 'the disk is full'
  return (e as Error).message
}

/** The text of a file the user named; a UsageError naming it and saying why it cannot be read. */
export function readUserFile(file: string, cwd = '.'): string {
  try {
    return readFileSync(resolve(cwd, file), 'utf8')
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${reason(e)}`)
  }
}

/** A saved derivation, checked (see fromJson): a broken file is a UsageError naming it. */
export const loadDerivation = (file: string, o: { cwd?: string; matrices?: MatrixSetting } = {}): Derivation =>
  readDerivation(readUserFile(file, o.cwd), file, o.matrices)

/** Write text to a file atomically (parent folders created); a UsageError when it cannot be written. */
export async function writeAtomic(file: string, text: string, cwd = '.'): Promise<void> {
  const path = resolve(cwd, file)
  try {
    mkdirSync(dirname(path), { recursive: true })
    await writeFileAtomic(path, text, { fsync: true })
  } catch (e) {
    throw new UsageError(`cannot write ${file}: ${reason(e)}`)
  }
}

/** Write text atomically, keeping the file's previous text as FILE.bak (nothing if unchanged). */
export async function writeWithBackup(file: string, text: string, cwd = '.'): Promise<void> {
  const before = existsSync(resolve(cwd, file)) ? readUserFile(file, cwd) : undefined
  if (before === text) return
  if (before !== undefined) await writeAtomic(backupPath(file), before, cwd)
  await writeAtomic(file, text, cwd)
}

/** Save a derivation atomically, keeping the file's previous text as FILE.bak (nothing if unchanged). */
export const saveDerivation = (file: string, d: Derivation, cwd = '.'): Promise<void> => writeWithBackup(file, derivationText(d), cwd)
