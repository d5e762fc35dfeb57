import type { FailOn, RuleSpec } from '../core/types.js';
import type { ScanResult } from '../scan/result.js';

export interface ReportOptions {
  showSecrets: boolean;
  color: boolean;
  verbose: boolean;
  quiet: boolean;
  /** The lowest severity that fails the scan: the hook's report says whether the commit is blocked. */
  failOn?: FailOn;
  toolVersion: string;
  /** Every rule the scan ran, for formats that describe them (SARIF's tool.driver). */
  rules?: RuleSpec[];
  /** The commit the working tree stands on, for formats that need one per finding (GitLab). */
  headSha?: string;
}

export type Reporter = (result: ScanResult, opts: ReportOptions) => string | Promise<string>;
