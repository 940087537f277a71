// Tests that need a program outside Node (pdflatex, chromium): skipped with a printed reason
// where it is missing, except under DERIVE_REQUIRE_TOOLS=1 (set by .ci/run, which installs
// them), where a missing program fails the test.
import { spawnSync } from 'node:child_process'

/** Is the program installed (does `program --version` run)? */
export const installed = (program: string): boolean => spawnSync(program, ['--version'], { stdio: 'ignore' }).status === 0

/**
 * True when the program is there; otherwise skips the test with the reason printed, or throws
 * under DERIVE_REQUIRE_TOOLS=1.
 */
export function need(program: string, ctx: { skip: (note?: string) => void }, install: string): boolean {
  if (installed(program)) return true
  const reason = `${program} is not installed (${install})`
  if (process.env.DERIVE_REQUIRE_TOOLS === '1') throw new Error(`${reason}, and DERIVE_REQUIRE_TOOLS=1 requires it`)
  console.warn(`skipped: ${reason}`)
  ctx.skip(reason)
  return false
}
