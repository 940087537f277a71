// derive export FILE --format md|tex|html [-o OUT] [--standalone] [--verdicts]: a derivation for homework.
// HTML is rendered with KaTeX, its stylesheet and fonts inlined: the page needs no script or network.
import { resolve } from 'node:path'
import { UsageError } from '../../errors.js'
import type { ShownPart } from '../../render/derivation.js'
import type { Register } from '../main.js'
import { WHY_DEPTH } from '../../core/why.js'
import { parseDepth } from './why.js'
import { partsOf } from './show.js'

export const FORMATS = ['md', 'tex', 'html'] as const
export type Format = (typeof FORMATS)[number]

/** The exported text of a derivation in one format. */
export async function exportText(parts: readonly ShownPart[], format: Format, standalone: boolean): Promise<string> {
  const render = await import('../../render/derivation.js')
  if (format === 'md') return render.toMarkdown(parts)
  if (format === 'tex') return render.toLatex(parts, standalone)
  const page = await import('../../render/katex-page.js')
  return render.toHtml(parts, await page.katexRenderer(), page.katexCss())
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
    .description('a derivation as Markdown, LaTeX (align*) or a standalone HTML page, for homework (a text or .tex file is checked first)')
    .argument('<file>', 'a saved derivation, or a file derive check reads')
    .requiredOption('--format <format>', 'md, tex or html')
    .option('-o, --output <out>', 'write to this file (atomically) instead of stdout')
    .option('--standalone', 'tex: a complete document to compile, not just the align* environment')
    .option('--verdicts', "check every step and put its verdict beside it (with the rules found)")
    .option('--depth <n>', `longest chain of rules to try per step when checking (default ${WHY_DEPTH})`)
    .action((file: string, opts: { format: string; output?: string; standalone?: boolean; verdicts?: boolean; depth?: string }) =>
      act(async (ctx) => {
        const format = parseFormat(opts.format)
        const parts = await partsOf(ctx, file, { verdicts: opts.verdicts === true, depth: parseDepth(opts.depth) })
        const text = await exportText(parts, format, opts.standalone === true)
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
