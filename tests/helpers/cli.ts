// Run derive in-process (fast) or as a real process (for exit codes, concurrency, a bare pipe).
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { IO } from '../../src/cli/io.js'
import { run } from '../../src/cli/main.js'

export interface CliResult {
  status: number
  stdout: string
  stderr: string
}

/** A fresh DERIVE_HOME for one test. */
export const tempHome = (): string => mkdtempSync(join(tmpdir(), 'derive-test-'))

/** Run derive in-process with a captured io (not a terminal unless tty is set). */
export async function derive(args: string[], options: { env?: Record<string, string>; tty?: boolean } = {}): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  const io: IO = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: { DERIVE_HOME: tempHome(), ...options.env },
    isTTY: options.tty ?? false,
    stdinTTY: options.tty ?? false,
    cwd: process.cwd(),
  }
  const status = await run(args, io)
  return { status, stdout, stderr }
}

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'derive.js')

/** Run the built executable as a child process. */
export function deriveProcess(args: string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', ...options.env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (status) => resolve({ status: status ?? -1, stdout, stderr }))
    child.stdin.end(options.input ?? '')
  })
}
