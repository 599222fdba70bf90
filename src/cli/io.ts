/** Everything a command may touch of the outside world: the CLI core is `run(argv, io) → exit code`. */
export interface CliIo {
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown; readonly isTTY?: boolean; readonly columns?: number };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Standard input, for commands that read it (`version compare --stdin`). */
  readonly stdin?: AsyncIterable<string | Buffer>;
}
