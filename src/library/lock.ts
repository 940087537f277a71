// A lock on a file the user owns, so that concurrent `derive rules add` runs queue up instead of
// overwriting each other. The lock is a folder FILE.lock (mkdir is atomic) holding the owner's
// process id. A lock whose owner is gone (a killed derive) is broken at once; while a live owner
// holds it, the waiter says so once and keeps trying.
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { UsageError } from '../errors.js'
import { processAlive, reason } from '../files.js'

/** How long a waiter keeps trying before giving up with a message. */
const PATIENCE_MS = 60_000
/** A wait shorter than this goes unmentioned (concurrent adds take turns in milliseconds). */
const QUIET_MS = 500
/** A lock folder without an owner file yet is being set up; after this long its maker died. */
const SETUP_MS = 5_000

interface Owner {
  readonly pid: number
  readonly token: string
}

function readOwner(lock: string): Owner | undefined {
  try {
    const [pid, token] = readFileSync(join(lock, 'owner'), 'utf8').split(' ')
    const n = Number(pid)
    return Number.isInteger(n) && n > 0 && token ? { pid: n, token } : undefined
  } catch {
    return undefined
  }
}

/** Is the lock at `lock` abandoned: its owner gone, or never written by a maker long dead? */
function abandoned(lock: string): { stale: boolean; owner?: Owner } {
  const owner = readOwner(lock)
  if (owner) return { stale: !processAlive(owner.pid), owner }
  try {
    return { stale: Date.now() - statSync(lock).mtimeMs > SETUP_MS }
  } catch {
    return { stale: false } // gone meanwhile: just try again
  }
}

/**
 * Break an abandoned lock: move it aside (atomic), and delete it only if what was moved is the
 * abandoned lock we looked at, not a fresh one another waiter made in between.
 */
function breakLock(lock: string, seen: Owner | undefined): void {
  const aside = `${lock}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`
  try {
    renameSync(lock, aside)
  } catch {
    return
  }
  const moved = readOwner(aside)
  if (moved?.token !== seen?.token) {
    try {
      renameSync(aside, lock) // a live owner's lock: put it back
      return
    } catch {
      // the place was taken again; the moved lock's owner will find its lock gone on release
    }
  }
  rmSync(aside, { recursive: true, force: true })
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/**
 * Run `body` holding the lock on `target`. `onWait` is told once when another live derive has
 * held it for a noticeable time.
 * A UsageError when the lock cannot be made or is held for too long.
 */
export async function withLock<T>(target: string, body: () => Promise<T>, onWait?: (message: string) => void): Promise<T> {
  const lock = `${target}.lock`
  const token = `${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`
  const started = Date.now()
  let told = false
  let delay = 5
  for (;;) {
    try {
      mkdirSync(lock)
      writeFileSync(join(lock, 'owner'), `${process.pid} ${token}`)
      break
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new UsageError(`cannot write ${target}: ${reason(e)}`)
    }
    const { stale, owner } = abandoned(lock)
    if (stale) {
      breakLock(lock, owner)
      continue
    }
    if (Date.now() - started > PATIENCE_MS) {
      const who = owner ? ` (process ${owner.pid})` : ''
      throw new UsageError(`another derive${who} has been writing ${basename(target)} for over a minute; if none is running, remove ${lock}`)
    }
    if (!told && owner?.pid !== process.pid && Date.now() - started > QUIET_MS) {
      onWait?.(`waiting for another derive to finish writing ${basename(target)}`)
      told = true
    }
    await sleep(delay + Math.random() * delay)
    delay = Math.min(delay * 1.5, 200)
  }
  try {
    return await body()
  } finally {
    if (readOwner(lock)?.token === token) rmSync(lock, { recursive: true, force: true })
  }
}
