/**
 * Strict command lines for the benches: `--help` prints the usage, and an unknown option or a
 * missing value stops the bench before it runs (exit 2) instead of being ignored. The benches
 * read their values themselves afterwards.
 */
import { parseArgs } from 'node:util';

/** Check `argv` against the bench's options (`value`: takes one argument; `switch`: none). */
export function checkBenchArgs(usage: string, options: Readonly<Record<string, 'value' | 'switch'>>, argv: readonly string[] = process.argv.slice(2)): void {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage);
    process.exit(0);
  }
  try {
    parseArgs({
      args: [...argv],
      options: Object.fromEntries(Object.entries(options).map(([name, kind]) => [name, { type: kind === 'value' ? 'string' as const : 'boolean' as const }])),
      strict: true,
      allowPositionals: false,
    });
  } catch (e) {
    console.error(`${(e as Error).message}\n${usage}`);
    process.exit(2);
  }
}
