// Bundles the CLI so a cold start loads one small file: commands load their heavy parts (the
// verifier, prompts, the rule store) with import() into separate chunks, only when used. Then
// compiles the shipped packs once into dist/shipped-rules.json (see src/library/snapshot.ts).
import { execFileSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: process.env.DERIVE_NO_MINIFY !== "1",
  legalComments: 'none',
  // CommonJS dependencies expect require and __filename (write-file-atomic names temp files with it)
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url);",
  },
  logLevel: 'warning',
}

rmSync('dist', { recursive: true, force: true })
await build({
  ...common,
  entryPoints: { derive: 'src/cli/bin.ts' },
  splitting: true,
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: 'linked',
})
const tool = join('dist', 'tools', 'snapshot.js')
await build({ ...common, entryPoints: ['src/tools/snapshot.ts'], outfile: tool })
execFileSync(process.execPath, [tool, join('dist', 'shipped-rules.json')], { stdio: 'inherit' })
