import type { CaBackend } from './ca-backend';
import { InternalCa } from './internal/internal-ca';
import type { CaKeyType } from './internal/key-files';

/**
 * The one way to get the configured CA: `serve` (and its cluster supervisor), `ca test`,
 * `crl rebuild` and the tests all open it here. Takes the configuration's own shape (any object
 * with these members, the loaded Config included), so the ca/ module needs nothing from config/.
 */
export interface CaConfigLike {
  data_dir: string;
  acme: { max_validity: number };
  ca: {
    backend: string;
    validity: number;
    client_auth: boolean;
    crl_url: string | null;
    issuer_url: string | null;
    internal: {
      key_type: CaKeyType;
      root_cert_file: string | null;
      intermediate_cert_file: string | null;
      intermediate_key_file: string | null;
      /** Name of the environment variable that holds the key passphrase. */
      key_passphrase_env: string | null;
    };
  };
}

export interface CaRuntime {
  env?: NodeJS.ProcessEnv;
  clock?: () => Date;
}

/** An initialised CA backend; `generated` is true when opening it created a new root and intermediate. */
export type OpenedCa = CaBackend & { readonly generated: boolean };

export const CA_BACKENDS = ['internal'] as const;

function passphrase(config: CaConfigLike, env: NodeJS.ProcessEnv): string | undefined {
  const name = config.ca.internal.key_passphrase_env;
  if (!name) return undefined;
  const value = env[name];
  if (value === undefined) throw new Error(`ca.internal.key_passphrase_env names the environment variable ${name}, which is not set`);
  return value;
}

/**
 * Opens the CA backend named by the configuration, ready to sign: on first start the internal CA
 * generates its root and intermediate into `<data_dir>/ca`.
 */
export async function openCa(config: CaConfigLike, runtime: CaRuntime = {}): Promise<OpenedCa> {
  const { backend } = config.ca;
  if (backend !== 'internal') throw new Error(`unknown ca.backend ${JSON.stringify(backend)} (known: ${CA_BACKENDS.join(', ')})`);
  const internal = config.ca.internal;
  return InternalCa.open({
    dataDir: config.data_dir,
    keyType: internal.key_type,
    rootCertFile: internal.root_cert_file,
    intermediateCertFile: internal.intermediate_cert_file,
    intermediateKeyFile: internal.intermediate_key_file,
    keyPassphrase: passphrase(config, runtime.env ?? process.env),
    validityMs: config.ca.validity,
    maxValidityMs: config.acme.max_validity,
    clientAuth: config.ca.client_auth,
    crlUrl: config.ca.crl_url,
    issuerUrl: config.ca.issuer_url,
    clock: runtime.clock,
  });
}
