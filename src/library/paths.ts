// Where the user's library lives: $DERIVE_HOME/library.json, else the platform's data folder.
import { join } from 'node:path'
import envPaths from 'env-paths'

/** The default library file for this environment. */
export function defaultLibraryPath(env: Readonly<Record<string, string | undefined>>): string {
  const home = env.DERIVE_HOME
  if (home) return join(home, 'library.json')
  return join(envPaths('derive', { suffix: '' }).data, 'library.json')
}
