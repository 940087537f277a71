// Drive the built bin/derive.js on a real pseudo-terminal (python3's pty module), answering each
// prompt when its text appears: what a student at a terminal would see and type.
import { spawn, spawnSync } from 'node:child_process'
import { join } from 'node:path'

/** Can this machine run the pty driver? (tests skip otherwise) */
export const hasPty = spawnSync('python3', ['-c', 'import pty'], { stdio: 'ignore' }).status === 0

/** Run derive with these args on a pty; `script` is [text to wait for, keys to type] pairs. */
export function runOnPty(script: readonly (readonly [string, string])[], args: readonly string[], env: Record<string, string>, cwd?: string): Promise<{ status: number | null; out: string }> {
  const bin = join(import.meta.dirname, '..', '..', 'bin', 'derive.js')
  const driver = join(import.meta.dirname, 'pty-drive.py')
  return new Promise((done) => {
    const child = spawn('python3', [driver, JSON.stringify(script), process.execPath, bin, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, ...(cwd ? { cwd } : {}) })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.on('close', (status) => done({ status, out }))
  })
}
