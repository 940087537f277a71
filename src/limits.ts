// What derive accepts, stated once. Each limit is checked before the work it protects, with one
// clear message, so that no input can make a command run away or overflow the stack.

/** Longest expression (characters) in an argument, a derivation line or a rule field. */
export const MAX_EXPRESSION_CHARS = 100_000
/** Largest rule file (bytes): a library of 20,000 ordinary rules is about 6 MB. */
export const MAX_RULE_FILE_BYTES = 8 * 1024 * 1024
/** Most rules in one rule file. */
export const MAX_RULES_PER_FILE = 20_000
/** Largest other file derive reads (a derivation, practice history). */
export const MAX_FILE_BYTES = 8 * 1024 * 1024
/** Problems listed in one message about a file; the rest are counted. */
export const MAX_PROBLEMS_SHOWN = 20

/** "8 MB", "100 KB": a size in words. */
export function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} bytes`
}

/**
 * The clock of time limits (ms): processor time this process has spent. On an idle machine it is
 * the time one waits; on a busy one it keeps a verdict from depending on what else is running.
 * Reading it is a system call (several microseconds in a sandbox, and a search asks hundreds of
 * thousands of times), so it is read at most once per CLOCK_READ ms of wall time; in between, the
 * last reading plus the wall time since then, which the processor time cannot outrun by more than
 * the few threads a Node process runs.
 */
export function clock(): number {
  const wall = performance.now()
  if (wall - lastRead.wall >= CLOCK_READ) {
    const u = process.cpuUsage()
    lastRead = { wall, cpu: (u.user + u.system) / 1000 }
  }
  return lastRead.cpu + (wall - lastRead.wall)
}
const CLOCK_READ = 2
let lastRead = { wall: -Infinity, cpu: 0 }
