// Bundles the CLI into one file so a cold start loads no module graph (see README, "Startup").
import { build } from 'esbuild'

await build({
  entryPoints: ['src/cli/bin.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: 'dist/derive.js',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
})
