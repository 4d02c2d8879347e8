import { createPgStore } from '../support/postgres-store';
import { eventStoreContract } from './event-store.contract';

eventStoreContract('PostgreSQL', () => createPgStore('contract'));
