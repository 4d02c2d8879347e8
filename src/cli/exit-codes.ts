/** Process exit codes of the certledger CLI. */
export const EXIT_OK = 0;
/** Invalid configuration, or a command that failed. */
export const EXIT_FAILURE = 1;
/** Unknown command or flag: usage was printed. */
export const EXIT_USAGE = 2;

/** A failure the CLI reports as one clear line, without a stack trace. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = EXIT_FAILURE) {
    super(message);
  }
}
