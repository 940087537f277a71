// Preloaded into a `derive rules add` process by the crash test (node --import): the N-th call
// (N = DERIVE_TEST_KILL_AT) of the atomic writer's file operations (write, fsync, rename) first
// creates the file DERIVE_TEST_MARK and then blocks, so the test can SIGKILL the process at a
// known point inside the write phase. Test code only; derive itself has no such hook.
import fs from 'node:fs'
import { syncBuiltinESMExports } from 'node:module'

const at = Number(process.env.DERIVE_TEST_KILL_AT)
const mark = process.env.DERIVE_TEST_MARK
let calls = 0
for (const name of ['writeSync', 'fsyncSync', 'renameSync']) {
  const original = fs[name]
  fs[name] = (...args) => {
    if (++calls === at) {
      fs.writeFileSync(mark, name)
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30_000)
    }
    return original(...args)
  }
}
syncBuiltinESMExports()
