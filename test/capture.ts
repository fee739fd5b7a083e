/** Runs a CLI entry point that takes `print`/`printErr`, collecting its lines and exit code. */
export interface Captured {
  code: number;
  out: string[];
  err: string[];
}

export async function capture(run: (print: (line: string) => void, printErr: (line: string) => void) => number | Promise<number>): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out, err };
}
