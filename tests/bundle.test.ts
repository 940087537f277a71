// Start-up is kept fast by structure, not by timing: what `derive match` loads before running is
// the main chunk and its static imports, and none of the heavy packages may be among them (they
// are loaded with import() by the commands that need them). `npm run bench` measures the time.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'

const HEAVY = ['@inquirer/', 'katex/', 'ts-fsrs/', 'zod/v4/classic/', 'zod/v4/locales/', 'iconv-lite/']

describe('the bundle', () => {
  it('loads no heavy package before a command needs it', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'derive-bundle-'))
    const r = await build({
      entryPoints: { derive: 'src/cli/bin.ts' },
      bundle: true,
      splitting: true,
      platform: 'node',
      format: 'esm',
      outdir,
      metafile: true,
      logLevel: 'silent',
    })
    const outputs = r.metafile.outputs
    const main = Object.keys(outputs).find((f) => f.endsWith('derive.js'))!
    const loaded = new Set<string>()
    const stack = [main]
    while (stack.length) {
      const f = stack.pop()!
      if (loaded.has(f)) continue
      loaded.add(f)
      for (const i of outputs[f]!.imports) if (i.kind === 'import-statement' && outputs[i.path]) stack.push(i.path)
    }
    const inputs = [...loaded].flatMap((f) => Object.keys(outputs[f]!.inputs))
    for (const heavy of HEAVY) expect(inputs.filter((i) => i.includes(`node_modules/${heavy}`))).toEqual([])
    // and the verifier is not needed to match
    expect(inputs.filter((i) => i.endsWith('src/core/verify.ts'))).toEqual([])
  })
})
