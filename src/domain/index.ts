/** The pure domain: events, aggregates, policies. Imports nothing from the web, SQL or NestJS. */
export * from './account';
export * from './authorization';
export * from './certificate';
export * from './challenge';
export * from './contact';
export * from './decider';
export * from './eab';
export * from './errors';
export * from './events';
export * from './identifiers';
export * from './order';
export * from './revocation';
export * from './streams';
