// Bundles the CLI so a cold start loads one small file: commands load their heavy parts (the
// verifier, prompts, the rule store) with import() into separate chunks, only when used. Then
// compiles the shipped packs once into dist/shipped-rules.json (see src/library/snapshot.ts).
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, rmSync } from 'node:fs'
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
// the build stamp: a digest of the CLI's bundle (every .js file it runs), kept in the snapshot; a
// user-library cache made by another build is never used, one made by identical output always is
const files = ['derive.js', ...readdirSync(join('dist', 'chunks')).filter((f) => f.endsWith('.js')).sort().map((f) => join('chunks', f))]
const stamp = createHash('sha256')
for (const f of files) stamp.update(`\0${f}\0`).update(readFileSync(join('dist', f)))
const tool = join('dist', 'tools', 'snapshot.js')
await build({ ...common, entryPoints: ['src/tools/snapshot.ts'], outfile: tool })
execFileSync(process.execPath, [tool, join('dist', 'shipped-rules.json'), stamp.digest('hex')], { stdio: 'inherit' })
