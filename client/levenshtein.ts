/**
 * Edit distance between two strings, for "did you mean" suggestions (action names in the
 * provider, command names in the CLI). Lives in `provider/` because the provider is loaded
 * alone in a dynamic-provider host, and the CLI already depends on it.
 */

/** The Levenshtein distance: the fewest insertions, deletions and substitutions from a to b. */
export function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}
