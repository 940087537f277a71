// Everything a command touches outside its arguments, injected so tests run commands in-process.
export interface IO {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  readonly env: Readonly<Record<string, string | undefined>>
  /** Is stdout a terminal (colours, tables, carets)? */
  readonly isTTY: boolean
  /** Is stdin a terminal (interactive prompts allowed)? */
  readonly stdinTTY: boolean
  readonly cwd: string
  /** The terminal's size, when stdout is one (LINES and COLUMNS in env override it). */
  readonly rows?: number
  readonly columns?: number
}

/** The real process. */
export function processIO(): IO {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    isTTY: Boolean(process.stdout.isTTY),
    stdinTTY: Boolean(process.stdin.isTTY),
    cwd: process.cwd(),
    ...(process.stdout.rows ? { rows: process.stdout.rows } : {}),
    ...(process.stdout.columns ? { columns: process.stdout.columns } : {}),
  }
}
