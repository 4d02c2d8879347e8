export { ConfigError } from './errors';
export { loadConfig, resolveConfigPath, validateConfigObject } from './load';
export { CONFIG_SCHEMA } from './schema';
export { describeConfigKeys, type KeyDescription } from './schema-walk';
export type { Config } from './types';
export { parseDuration, parseSize } from './units';
