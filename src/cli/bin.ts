// Entry point of the bundled executable.
import { processIO } from './io.js'
import { run } from './main.js'

// `derive ... | head` closes the pipe early: that is the reader's choice, not an error to report
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw e
  })
}

process.exitCode = await run(process.argv.slice(2), processIO())
