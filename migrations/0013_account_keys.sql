-- The account's public key beside its status, so a request's signature check and its nonce
-- redemption need one statement (the accounts read model is written with the account's events).
ALTER TABLE rm_accounts ADD COLUMN jwk jsonb;
