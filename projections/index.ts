import type { Projection } from '../src/projection/projection';
import { accountsProjection } from './accounts';
import { auditTrailProjection } from './audit-trail';
import { authorizationsProjection } from './authorizations';
import { blockedKeysProjection } from './blocked-keys';
import { certificatesProjection } from './certificates';
import { crlEntriesProjection } from './crl-entries';
import { eabKeysProjection } from './eab-keys';
import { eventCountsProjection } from './event-counts';
import { ordersProjection } from './orders';
import { rateLimitOverridesProjection } from './rate-limit-overrides';

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
