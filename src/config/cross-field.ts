/**
 * Rules that tie keys together; reported with the schema errors. Values are already converted
 * (durations in ms); `written` holds durations as the operator wrote them, for messages.
 */
export function crossFieldErrors(c: Record<string, any>, written: Record<string, string>): string[] {
  const errors: string[] = [];
  const url = c.server.external_url as string;
  if (!/^https?:\/\/[^/\s]+(\/[^\s]*)?$/.test(url)) {
    errors.push(`server.external_url: must be an absolute http:// or https:// URL, got '${url}'`);
  } else if (url.endsWith('/')) {
    errors.push(`server.external_url: must not end with '/' (got '${url}')`);
  }
  if (c.server.shutdown_timeout > c.workers.drain_timeout) {
    errors.push(
      `server.shutdown_timeout (${written['server.shutdown_timeout']}) must be ≤ workers.drain_timeout (${written['workers.drain_timeout']}):\n` +
        'in-flight HTTP handlers can enqueue jobs after the engine has stopped\ndraining',
    );
  }
  if (Boolean(c.server.tls.cert_file) !== Boolean(c.server.tls.key_file)) {
    errors.push('server.tls: cert_file and key_file must be given together');
  }
  const ca = c.ca.internal;
  if (Boolean(ca.intermediate_cert_file) !== Boolean(ca.intermediate_key_file)) {
    errors.push('ca.internal: intermediate_cert_file and intermediate_key_file must be given together');
  }
  if (ca.intermediate_cert_file && !ca.root_cert_file) {
    errors.push('ca.internal.root_cert_file: is required when intermediate_cert_file is given (clients need the chain)');
  }
  if (c.eventstore.backend === 'kurrentdb' && !c.eventstore.kurrentdb.connection_string) {
    errors.push("eventstore.kurrentdb.connection_string: is required when eventstore.backend is 'kurrentdb'");
  }
  if (c.admin.enabled && (!c.admin.token_secret || c.admin.token_secret.length < 32)) {
    errors.push(
      `admin.token_secret: must be at least 32 characters when admin.enabled is true (got ${c.admin.token_secret ? c.admin.token_secret.length : 0})`,
    );
  }
  if (c.crl.enabled && c.crl.refresh >= c.crl.validity) {
    errors.push(`crl.refresh (${written['crl.refresh']}) must be shorter than crl.validity (${written['crl.validity']}): a CRL must be replaced before it expires`);
  }
  // Email retries double from retry_delay; the longest wait is capped at one hour.
  if (c.notifications.retry_limit > 0 && c.notifications.retry_delay * 2 ** (c.notifications.retry_limit - 1) > 3_600_000) {
    errors.push(
      `notifications.retry_delay (${written['notifications.retry_delay']}) doubled over notifications.retry_limit (${c.notifications.retry_limit}) retries exceeds the 1h cap; lower one of them`,
    );
  }
  if (c.smtp.enabled) {
    if (!c.smtp.host) errors.push('smtp.host: is required when smtp.enabled is true');
    if (!c.smtp.from) errors.push('smtp.from: is required when smtp.enabled is true');
  }
  if (c.database.url && !/^postgres(ql)?:\/\//.test(c.database.url)) {
    errors.push(`database.url: must be a postgres:// or postgresql:// URL`);
  }
  for (const [i, r] of (c.validation.resolvers as string[]).entries()) {
    const m = /^(\[[0-9a-fA-F:]+\]|[^:\s]+)(?::(\d{1,5}))?$/.exec(r);
    if (!m || (m[2] && Number(m[2]) > 65535)) errors.push(`validation.resolvers[${i}]: '${r}' is not host or host:port`);
  }
  return errors;
}
