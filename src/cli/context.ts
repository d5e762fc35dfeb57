/** What a command may know of the process, handed in so `run()` stays testable without one. */
export interface CliContext {
  cwd: string;
  env: Record<string, string | undefined>;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** Live stderr for progress on a TTY; commands return everything else. */
  progress?: (text: string) => void;
}

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export type Args = Record<string, unknown> & { _: Array<string | number> };

export interface CommandModule {
  run(args: Args, ctx: CliContext): Promise<CommandResult>;
}
