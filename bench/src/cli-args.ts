/**
 * The start of every bench command: `--help` prints the usage, a bad option prints its error
 * and the usage and exits 2, anything else parsed is returned.
 */
export function parseCommandLine<T>(argv: string[], usage: string, parse: (argv: string[]) => T, OptionError: new (...a: never[]) => Error): T {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage);
    process.exit(0);
  }
  try {
    return parse(argv);
  } catch (err) {
    if (!(err instanceof OptionError)) throw err;
    console.error(`${err.message}\n${usage}`);
    process.exit(2);
  }
}
