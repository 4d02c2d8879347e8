import { serve as serveFromRoot } from '../../runtime/composition-root';
import { type GlobalOptions, loggerFor, readConfig } from '../context';

/** `serve`: reads the configuration and hands it to the composition root, which serves until stopped. */
export async function serve(opts: GlobalOptions): Promise<void> {
  const { config, path } = readConfig(opts);
  return serveFromRoot(config, path, loggerFor(config, opts));
}
