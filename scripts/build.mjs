// Bundles the CLI so a cold start loads one small file: commands load their heavy parts (the
// verifier, prompts, the schema validator) with import() into separate chunks, only when used.
import { rmSync } from 'node:fs'
import { build } from 'esbuild'

rmSync('dist', { recursive: true, force: true })
await build({
  entryPoints: { derive: 'src/cli/bin.ts' },
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  // CommonJS dependencies expect require and __filename (write-file-atomic names temp files with it)
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url);",
  },
  logLevel: 'warning',
})
