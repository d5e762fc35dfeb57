/**
 * The literal text a pattern cannot match without: `process\.env(\.|\[)\w{0,40}POSTMARK…`
 * needs "process.env" and "postmark". A context tests it (as a plain case-insensitive regex) before
 * running its own regex, because a file that mentions Postmark can hold tens of thousands of quoted literals,
 * each checked against every context, and a literal search is far cheaper than a regex that
 * must be tried at every position of a 300-character window.
 */

const ESCAPED_LITERAL = new Set([...'.-()[]{}$*+?/|\\^:=!<>,\'"@#%&~ ']);

/**
 * The longest run of characters every match must contain, lower-cased, or null when the pattern
 * has a top-level alternation or no run of at least `min` characters. Conservative: anything
 * it does not understand ends a run, so a returned literal is always required.
 */
export function requiredLiteral(source: string, min = 3): string | null {
  const all = requiredLiterals(source, min);
  if (all === null || all.length === 0) return null;
  return all.reduce((best, l) => (l.length > best.length ? l : best));
}

/**
 * Every run of at least `min` characters that every match must contain (the longest first
 * among equals in source order), or null for a top-level alternation. A file pattern such as
 * `kind:\s*Secret…name:…postmark` is ruled out by whichever of its literals a text lacks.
 */
export function requiredLiterals(source: string, min = 3): string[] | null {
  const runs: string[] = [];
  let run = '';
  let depth = 0;
  const end = () => {
    if (run.length >= min && !runs.includes(run)) runs.push(run);
    run = '';
  };
  for (let i = 0; i < source.length; ) {
    const c = source[i]!;
    let atom: string | null = null;
    let next = i + 1;
    if (c === '\\') {
      const e = source[i + 1] ?? '';
      if (ESCAPED_LITERAL.has(e)) atom = e;
      next = i + 2;
    } else if (c === '[') {
      let j = i + 1;
      if (source[j] === '^') j++;
      if (source[j] === ']') j++;
      while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
      next = j + 1;
    } else if (c === '{') {
      // A quantifier's bounds (after a class or a group): never literal text.
      const close = source.indexOf('}', i);
      next = close === -1 ? source.length : close + 1;
    } else if (c === '(') {
      depth++;
    } else if (c === ')') {
      depth--;
    } else if (c === '|' && depth === 0) {
      return null;
    } else if (depth === 0 && /[A-Za-z0-9_\-:/='"@#%&~ ,<>!]/.test(c)) {
      atom = c;
    }
    // A quantifier after the atom: optional ones drop it, repeating ones end the run after it.
    const q = source[next];
    const optional = q === '?' || q === '*' || (q === '{' && /^\{0[,}]/.test(source.slice(next, next + 3)));
    const repeats = q === '+' || q === '{';
    if (depth > 0 || (c === ')' && depth === 0) || atom === null || optional) {
      end();
    } else {
      run += atom.toLowerCase();
      if (repeats) end();
    }
    i = next;
  }
  end();
  return runs;
}
