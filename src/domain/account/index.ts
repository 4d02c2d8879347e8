import type { DecideContext, Decider } from '../decider';
import { type AccountCommand, type AccountContext, decideAccount } from './decide';
import { type AccountKeyCommand, type AccountKeyState, decideAccountKey, evolveAccountKey, initialAccountKeyState } from './key-reservation';
import { type AccountState, evolveAccount, initialAccountState } from './state';

export * from './decide';
export * from './key-reservation';
export * from './state';

export const accountDecider: Decider<AccountState | null, AccountCommand, AccountContext> = {
  initialState: initialAccountState,
  evolve: evolveAccount,
  decide: decideAccount,
};

export const accountKeyDecider: Decider<AccountKeyState | null, AccountKeyCommand, DecideContext> = {
  initialState: initialAccountKeyState,
  evolve: evolveAccountKey,
  decide: decideAccountKey,
};
