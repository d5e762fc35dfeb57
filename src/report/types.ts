import type { ScanResult } from '../scan/result.js';

export interface ReportOptions {
  showSecrets: boolean;
  color: boolean;
  verbose: boolean;
  quiet: boolean;
  toolVersion: string;
}

export type Reporter = (result: ScanResult, opts: ReportOptions) => string | Promise<string>;

export const FORMATS = ['text', 'json', 'sarif', 'github', 'gitlab'] as const;
export type Format = (typeof FORMATS)[number];
