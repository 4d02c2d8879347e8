/** Every configuration problem at once, each as "<dotted.key>: <reason>". */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly errors: string[]) {
    super(`Configuration is invalid:\n${errors.map((e) => `  - ${e}`).join('\n')}`);
  }
}
