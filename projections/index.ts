import type { Projection } from '../src/projection/projection';
import { auditTrailProjection } from './audit-trail';

/** Every read model of the product. Only the composition root imports this registry. */
export const ALL_PROJECTIONS: readonly Projection[] = [auditTrailProjection];
