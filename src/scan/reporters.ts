/**
 * The one list of report formats: each name with its reporter, imported only when a report in
 * that format is written (the pre-commit hook loads the text reporter alone). The CLI's
 * `--format` choices come from here (src/cli/table.ts), and so does every command that reports.
 */
import { UsageError } from '../errors.js';
import type { ReportOptions, Reporter } from '../report/types.js';
import type { ScanResult } from './result.js';

const REPORTERS = {
  text: async () => (await import('../report/text.js')).textReport,
  json: async () => (await import('../report/json.js')).jsonReport,
  sarif: async () => (await import('../report/sarif.js')).sarifReport,
  github: async () => (await import('../report/github.js')).githubReport,
  gitlab: async () => (await import('../report/gitlab.js')).gitlabReport,
} satisfies Record<string, () => Promise<Reporter>>;

export type Format = keyof typeof REPORTERS;
export const FORMATS = Object.keys(REPORTERS) as Format[];

/**
 * The formats a tool reads from a file: each also has a `--<format>-output FILE` flag, so one scan
 * writes the log's report and these beside it (CI wants annotations, a JSON report and SARIF, and
 * a history scan is too long to run once per report). Semgrep's `--sarif-output` is the model.
 */
export const FILE_FORMATS = ['json', 'sarif', 'gitlab'] as const satisfies readonly Format[];
export const outputFlag = (format: (typeof FILE_FORMATS)[number]) => `${format}-output` as const;

export async function render(result: ScanResult, format: Format, opts: ReportOptions): Promise<string> {
  if (!Object.hasOwn(REPORTERS, format)) throw new UsageError(`unknown format ${String(format)}`);
  return (await REPORTERS[format]())(result, opts);
}
