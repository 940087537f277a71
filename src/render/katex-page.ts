// KaTeX for the HTML export: formulas as KaTeX's HTML (with MathML for screen readers), and its
// stylesheet with every font inlined as a woff2 data: URL, so the page shows the same offline,
// printed, or mailed as one file.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { MathRenderer } from './derivation.js'

/** KaTeX's stylesheet, its fonts inlined (woff2, which every current browser reads). */
export function katexCss(): string {
  const file = createRequire(import.meta.url).resolve('katex/dist/katex.min.css')
  const font = (name: string): string => readFileSync(join(dirname(file), name)).toString('base64')
  return readFileSync(file, 'utf8').replace(
    /src:url\((fonts\/[\w-]+\.woff2)\) format\("woff2"\)(?:,url\([^)]*\) format\("[a-z]+"\))*/g,
    (_, name: string) => `src:url(data:font/woff2;base64,${font(name)}) format("woff2")`,
  )
}

/** KaTeX as a MathRenderer; TeX it cannot read is shown as code, never lost. */
export async function katexRenderer(): Promise<MathRenderer> {
  const katex = (await import('katex')).default
  return (tex) => {
    try {
      return katex.renderToString(tex, { output: 'htmlAndMathml', throwOnError: true })
    } catch {
      return `<code>${tex.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`)}</code>`
    }
  }
}
