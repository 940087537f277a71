// The user's files: read with a message that says why not, written atomically (temporary file,
// fsync, rename: a crash never leaves half a file) keeping the previous text as FILE.bak. Every
// command that touches a file the user owns goes through here.
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { UsageError } from './errors.js'

/** Why a file operation failed, in words (the error code when there is one). */
export function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return 'no such file'
  if (code === 'EISDIR') return 'it is a folder'
  if (code === 'ENOTDIR' || code === 'EEXIST') return 'a part of the path is a file, not a folder'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'ENOSPC') return 'the disk is full'
  return (e as Error).message
}

/** The backup file kept beside a file derive rewrites. */
export const backupPath = (path: string): string => `${path}.bak`

/** The text of a file the user named; a UsageError naming it and saying why it cannot be read. */
export function readUserFile(file: string, cwd = '.'): string {
  try {
    return readFileSync(resolve(cwd, file), 'utf8')
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${reason(e)}`)
  }
}

/** Write text to a file atomically (parent folders created); a UsageError when it cannot be written. */
export async function writeAtomic(file: string, text: string, cwd = '.'): Promise<void> {
  const path = resolve(cwd, file)
  // loaded on the first write only: commands that just read (match, check) start without it
  const { default: writeFileAtomic } = await import('write-file-atomic')
  try {
    mkdirSync(dirname(path), { recursive: true })
    await writeFileAtomic(path, text, { fsync: true })
  } catch (e) {
    throw new UsageError(`cannot write ${file}: ${reason(e)}`)
  }
}

/**
 * Replace a file's text atomically, keeping `before` (its current text, read by the caller, or
 * read here) as FILE.bak; nothing is written when the text is unchanged.
 */
export async function writeWithBackup(file: string, text: string, cwd = '.', before?: string): Promise<void> {
  const old = before ?? (existsSync(resolve(cwd, file)) ? readUserFile(file, cwd) : undefined)
  if (old === text) return
  if (old !== undefined) await writeAtomic(backupPath(file), old, cwd)
  await writeAtomic(file, text, cwd)
}

/** The shell command that gets a broken file out of the way: restore its backup, or move it aside. */
export function restoreCommand(file: string): { fromBackup: boolean; command: string } {
  const bak = backupPath(file)
  return existsSync(bak) ? { fromBackup: true, command: `cp "${bak}" "${file}"` } : { fromBackup: false, command: `mv "${file}" "${file}.broken"` }
}
