// derive export FILE --format md|tex|html [-o OUT] [--standalone]: a saved derivation for homework.
// HTML is rendered here, with KaTeX's MathML output: the page needs no script, font or network.
import { resolve } from 'node:path'
import { UsageError } from '../../errors.js'
import type { DerivationView, MathRenderer } from '../../render/derivation.js'
import type { Register } from '../main.js'
import { viewOf } from './show.js'

export const FORMATS = ['md', 'tex', 'html'] as const
export type Format = (typeof FORMATS)[number]

/** KaTeX as a MathRenderer (loaded only for HTML); TeX it cannot read is shown as code, never lost. */
async function katexMathML(): Promise<MathRenderer> {
  const katex = (await import('katex')).default
  return (tex) => {
    try {
      return katex.renderToString(tex, { output: 'mathml', throwOnError: true })
    } catch {
      return `<code>${tex.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`)}</code>`
    }
  }
}

/** The exported text of a derivation in one format. */
export async function exportText(view: DerivationView, format: Format, standalone: boolean): Promise<string> {
  const render = await import('../../render/derivation.js')
  if (format === 'md') return render.toMarkdown(view)
  if (format === 'tex') return render.toLatex(view, standalone)
  return render.toHtml(view, await katexMathML())
}

function parseFormat(text: string): Format {
  const f = text.trim().toLowerCase()
  const alias: ReadonlyMap<string, Format> = new Map(Object.entries({ markdown: 'md', latex: 'tex', htm: 'html' } as const))
  const format = (FORMATS as readonly string[]).includes(f) ? (f as Format) : alias.get(f)
  if (!format) throw new UsageError(`--format must be md, tex or html, got "${text}"`)
  return format
}

export const registerExport: Register = (program, act) => {
  program
    .command('export')
    .description('a saved derivation as Markdown, LaTeX (align*) or a standalone HTML page, for homework')
    .argument('<file>', 'a saved derivation')
    .requiredOption('--format <format>', 'md, tex or html')
    .option('-o, --output <out>', 'write to this file (atomically) instead of stdout')
    .option('--standalone', 'tex: a complete document to compile, not just the align* environment')
    .action((file: string, opts: { format: string; output?: string; standalone?: boolean }) =>
      act(async (ctx) => {
        const format = parseFormat(opts.format)
        const view = await viewOf(ctx, file)
        const text = await exportText(view, format, opts.standalone === true)
        if (opts.output === undefined) {
          ctx.io.stdout(text)
          return 0
        }
        if (resolve(ctx.io.cwd, opts.output) === resolve(ctx.io.cwd, file)) throw new UsageError(`-o ${opts.output} is the derivation itself; choose another output file`)
        await (await import('../../files.js')).writeAtomic(opts.output, text, ctx.io.cwd)
        if (!ctx.json) ctx.out(`wrote ${opts.output}`)
        return 0
      }),
    )
}
