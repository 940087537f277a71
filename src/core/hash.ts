// FNV-1a: a number from a text, the same text always giving the same number. Seeds the verifier's
// random functions and practice's daily layout of a card.

/** The 32-bit FNV-1a hash of a text. */
export function hashString(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h >>> 0
}
