import type { Projection } from '../src/projection/projection';
import { accountsProjection } from './accounts/projection';
import { auditTrailProjection } from './audit-trail/projection';
import { authorizationsProjection } from './authorizations/projection';
import { blockedKeysProjection } from './blocked-keys/projection';
import { certificatesProjection } from './certificates/projection';
import { crlEntriesProjection } from './crl-entries/projection';
import { eabKeysProjection } from './eab-keys/projection';
import { eventCountsProjection } from './event-counts/projection';
import { ordersProjection } from './orders/projection';
import { rateLimitOverridesProjection } from './rate-limit-overrides/projection';

/** Every read model of the product. Only the composition root imports this registry. */
export const ALL_PROJECTIONS: readonly Projection[] = [
  auditTrailProjection,
  accountsProjection,
  ordersProjection,
  authorizationsProjection,
  certificatesProjection,
  eventCountsProjection,
  crlEntriesProjection,
  eabKeysProjection,
  rateLimitOverridesProjection,
  blockedKeysProjection,
];
