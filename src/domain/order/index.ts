import type { Decider } from '../decider';
import { decideOrder, type OrderCommand, type OrderContext } from './decide';
import { evolveOrder, initialOrderState, type OrderState } from './state';

export * from './decide';
export * from './state';
export * from './status';

export const orderDecider: Decider<OrderState | null, OrderCommand, OrderContext> = {
  initialState: initialOrderState,
  evolve: evolveOrder,
  decide: decideOrder,
};
