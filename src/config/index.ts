export { ConfigError } from './errors';
export { loadConfig, resolveConfigPath } from './load';
export { validateConfigObject } from './validate';
export { CONFIG_SCHEMA } from './schema';
export { describeConfigKeys, type KeyDescription } from './schema-walk';
export type { Bytes, Config, Milliseconds } from './types';
export { parseDuration, parseSize } from './units';
export { configWarnings } from './warnings';
