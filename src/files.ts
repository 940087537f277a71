// The user's files: read with a message that says why not, written atomically (temporary file,
// fsync, rename: a crash never leaves half a file) keeping the previous text as FILE.bak. Every
// command that touches a file the user owns goes through here.
import { closeSync, existsSync, fchmodSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { UsageError } from './errors.js'
import { MAX_FILE_BYTES, sizeText } from './limits.js'

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

/** Text as the user meant it: an editor's UTF-8 byte-order mark is not part of it. */
export const stripBom = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)

/**
 * The text of a file the user named (at most `maxBytes`, checked before reading); a UsageError
 * naming it and saying why it cannot be read.
 */
export function readUserFile(file: string, cwd = '.', maxBytes = MAX_FILE_BYTES): string {
  const path = resolve(cwd, file)
  let size: number
  try {
    size = statSync(path).size
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${reason(e)}`)
  }
  if (size > maxBytes) throw new UsageError(`cannot read ${file}: it is ${sizeText(size)}, more than the ${sizeText(maxBytes)} derive reads`)
  try {
    return stripBom(readFileSync(path, 'utf8'))
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${reason(e)}`)
  }
}

// Temporary files are named after the file and the writing process, so that leftovers of a
// crashed derive are recognised (and only those: a live writer's file is never touched).
const TEMP = /^\.(.+)\.(\d+)\.[0-9a-z]+\.derive-tmp$/
const tempName = (path: string): string => join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.derive-tmp`)

/** Remove temporary files a crashed derive left beside `path` (their writer is gone). */
export function cleanLeftovers(path: string): void {
  let names: string[]
  try {
    names = readdirSync(dirname(path))
  } catch {
    return
  }
  for (const name of names) {
    const m = TEMP.exec(name)
    if (!m || m[1] !== basename(path)) continue
    const pid = Number(m[2])
    if (pid !== process.pid && !processAlive(pid)) {
      try {
        unlinkSync(join(dirname(path), name))
      } catch {
        // another derive cleaned it first
      }
    }
  }
}

/** Is the process with this id still running on this machine? */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    // EPERM: it exists but belongs to another user
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Write text to a file atomically (parent folders created): a temporary file beside it, fsync,
 * rename over the file, fsync the folder. A reader sees the old text or the new, never a mix; the
 * temporary file never outlives a run that was not killed. A UsageError when it cannot be written.
 */
export async function writeAtomic(file: string, text: string, cwd = '.'): Promise<void> {
  const path = resolve(cwd, file)
  let temp: string | undefined
  try {
    mkdirSync(dirname(path), { recursive: true })
    cleanLeftovers(path)
    const mode = existsSync(path) ? statSync(path).mode & 0o777 : undefined
    temp = tempName(path)
    const fd = openSync(temp, 'wx', 0o666)
    try {
      if (mode !== undefined) fchmodSync(fd, mode)
      writeSync(fd, text)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(temp, path)
    temp = undefined
    syncFolder(dirname(path))
  } catch (e) {
    throw new UsageError(`cannot write ${file}: ${reason(e)}`)
  } finally {
    if (temp !== undefined) {
      try {
        unlinkSync(temp)
      } catch {
        // never created
      }
    }
  }
}

/** Make a rename durable: fsync the folder (not possible on every platform; then skip it). */
function syncFolder(dir: string): void {
  try {
    const fd = openSync(dir, 'r')
    try {
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
  } catch {
    // e.g. Windows cannot open a folder
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
