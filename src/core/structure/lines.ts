/** The shape of a line: blank, its leading blanks, its indentation (past a YAML `- ` bullet). */
export function indentOf(line: string): number {
  const m = /^[\t ]*(?:-[\t ]+)?/.exec(line)!;
  return m[0].length;
}

export const isBlank = (line: string) => line.trim() === '';
export const leadingBlanks = (line: string) => /^[ \t]*/.exec(line)![0].length;
