// Saved derivations on disk, through src/files.ts (atomic, FILE.bak kept). Files are named as the
// user gave them (relative to `cwd`), and so are they in every message.
import type { MatrixSetting } from '../core/expr.js'
import { readUserFile, writeWithBackup } from '../files.js'
import { type Derivation, derivationText, readDerivation } from './derivation.js'

/** A saved derivation, checked (see fromJson): a broken file is a UsageError naming it. */
export const loadDerivation = (file: string, o: { cwd?: string; matrices?: MatrixSetting } = {}): Derivation =>
  readDerivation(readUserFile(file, o.cwd), file, o.matrices)

/** Save a derivation atomically, keeping the file's previous text as FILE.bak (nothing if unchanged). */
export const saveDerivation = (file: string, d: Derivation, cwd = '.'): Promise<void> => writeWithBackup(file, derivationText(d), cwd)
