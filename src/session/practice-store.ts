// The practice file, $DERIVE_HOME/practice.json beside the library: read strictly (a broken file
// stops derive and is never overwritten, since it holds weeks of reviews), written atomically
// with the previous version kept as practice.json.bak, like every file derive writes.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { UsageError } from '../errors.js'
import { readUserFile, restoreCommand, writeWithBackup } from '../files.js'
import { emptyPractice, type PracticeState, practiceText, readPractice } from './practice.js'

/** Where the practice state of a library lives: practice.json in the library's folder. */
export const practicePath = (libraryPath: string): string => join(dirname(libraryPath), 'practice.json')

/** The state in the file (empty if there is none); a one-line UsageError naming the file and how to restore it if it is broken. */
export function loadPractice(file: string): PracticeState {
  if (!existsSync(file)) return emptyPractice()
  const r = readPractice(readUserFile(file))
  if (!('problem' in r)) return r
  const { fromBackup, command } = restoreCommand(file)
  const fix = fromBackup ? `restore the previous version with: ${command}` : `fix it by hand, or move it aside to start afresh: ${command}`
  throw new UsageError(`practice file ${file} is broken (${r.problem}); derive left it unchanged: ${fix}`)
}

/** Write the state atomically, keeping the previous text as practice.json.bak. */
export const savePractice = (file: string, s: PracticeState): Promise<void> => writeWithBackup(file, practiceText(s))
