-- The smallest expiration warning threshold (days) already sent for a certificate.
ALTER TABLE rm_certificates ADD COLUMN warned_threshold integer;
