/** What a command may know of the process, handed in so `run()` stays testable without one. */
export interface CliContext {
  cwd: string;
  env: Record<string, string | undefined>;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** Live stderr for progress on a TTY; commands return everything else. */
  progress?: (text: string) => void;
  /** Standard input, for `scan -`: bin/ hands it in, so a command never touches the process. */
  stdin?: StdinReader;
}

export interface StdinReader {
  /** Whether it is a terminal (nothing piped in: reading would wait for typing). */
  isTTY(): boolean;
  /** All of it, to the end. */
  read(): Promise<Buffer>;
}

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Work was left running (a time budget ran out): bin/ exits at once instead of waiting for it. */
  abandoned?: boolean;
}

export type Args = Record<string, unknown> & { _: Array<string | number> };

export interface CommandModule {
  run(args: Args, ctx: CliContext): Promise<CommandResult>;
}
