/** The admin API described for tooling (OpenAPI 3.1), served at /api/openapi.json. */
const bearer = [{ bearer: [] }];
const problem = { description: 'problem document', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
const page = (item: string) => ({ type: 'object', properties: { items: { type: 'array', items: { $ref: `#/components/schemas/${item}` } }, next_cursor: { type: ['string', 'null'] } } });
const q = (name: string, description: string, format?: string) => ({ name, in: 'query', required: false, description, schema: { type: 'string', ...(format ? { format } : {}) } });
const paging = [q('cursor', 'next_cursor of the previous page'), { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000 } }];
const ok = (schema: unknown) => ({ '200': { description: 'OK', content: { 'application/json': { schema } } }, '400': problem, '401': problem, '403': problem });

export const ADMIN_OPENAPI = {
  openapi: '3.1.0',
  info: { title: 'certledger admin API', version: '1' },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    schemas: {
      Problem: { type: 'object', properties: { type: { type: 'string' }, detail: { type: 'string' }, status: { type: 'integer' } } },
      Certificate: { type: 'object', additionalProperties: true },
      Account: { type: 'object', additionalProperties: true },
      Order: { type: 'object', additionalProperties: true },
      AuditRow: { type: 'object', additionalProperties: true },
    },
  },
  paths: {
    '/api/login': { post: { summary: 'Get a bearer token', requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['username', 'password'], properties: { username: { type: 'string' }, password: { type: 'string' } } } } } }, responses: ok({ type: 'object', properties: { token: { type: 'string' }, expires_at: { type: 'string' } } }) } },
    '/api/logout': { post: { summary: 'Revoke the presented token', security: bearer, responses: ok({ type: 'object' }) } },
    '/api/password': { post: { summary: 'Change password (revokes every earlier token)', security: bearer, responses: ok({ type: 'object' }) } },
    '/api/me': { get: { summary: 'The authenticated user', security: bearer, responses: ok({ type: 'object' }) } },
    '/api/certificates': {
      get: {
        summary: 'Search certificates',
        security: bearer,
        parameters: [q('name', 'DNS name'), q('name_contains', 'part of a DNS name'), q('serial', 'hex serial'), q('account', 'account id'), q('status', 'valid | revoked | expired'), q('expiring_before', '', 'date-time'), q('issued_after', '', 'date-time'), q('issued_before', '', 'date-time'), ...paging],
        responses: ok(page('Certificate')),
      },
    },
    '/api/certificates/{id}/revoke': { post: { summary: 'Revoke one certificate (admin)', security: bearer, parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: ok({ type: 'object' }) } },
    '/api/certificates/renew-now': { post: { summary: 'Move the ARI renewal window (RFC 9773) of the certificates matching account/name/serial into the past, with a reason, when their count is the expected one (admin)', security: bearer, responses: ok({ type: 'object' }) } },
    '/api/certificates/revoke': { post: { summary: 'Revoke the certificates matching a query, when their count is the expected one (admin)', security: bearer, responses: ok({ type: 'object' }) } },
    '/api/accounts': { get: { summary: 'List accounts', security: bearer, parameters: paging, responses: ok(page('Account')) } },
    '/api/accounts/{id}/deactivate': { post: { summary: 'Deactivate an account (admin)', security: bearer, parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: ok({ type: 'object' }) } },
    '/api/orders': { get: { summary: 'List orders', security: bearer, parameters: [q('account', 'account id'), q('status', 'pending | ready | processing | valid | invalid'), ...paging], responses: ok(page('Order')) } },
    '/api/overview': { get: { summary: 'Issued per day (90 days), expiring within 7/14/30 days, failed validations by problem type, orders by status, projection lag, CRL age, maintenance', security: bearer, responses: ok({ type: 'object' }) } },
    '/api/authorizations': { get: { summary: 'List authorizations', security: bearer, parameters: [q('account', 'account id'), q('identifier', 'DNS name'), q('status', 'pending | valid | invalid | deactivated | expired'), ...paging], responses: ok(page('Order')) } },
    '/api/audit': { get: { summary: 'Audit trail, one row per event', security: bearer, parameters: [q('actor', ''), q('type', 'event type'), q('stream', ''), q('problem', 'problem type recorded by the event'), q('from', '', 'date-time'), q('to', '', 'date-time'), ...paging], responses: ok(page('AuditRow')) } },
    '/api/history/{stream}': { get: { summary: 'Every event of a stream, and its state at a time', security: bearer, parameters: [{ name: 'stream', in: 'path', required: true, schema: { type: 'string' } }, q('at', 'state at this instant', 'date-time')], responses: ok({ type: 'object' }) } },
    '/api/eab-keys': {
      get: { summary: 'List External Account Binding keys (never their secret)', security: bearer, responses: ok({ type: 'array' }) },
      post: { summary: 'Create an EAB key; the HMAC is returned once (admin)', security: bearer, responses: ok({ type: 'object' }) },
    },
    '/api/eab-keys/{id}/revoke': { post: { summary: 'Revoke an EAB key and deactivate the account bound to it (admin)', security: bearer, parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: ok({ type: 'object' }) } },
    '/api/events/export': { get: { summary: 'Event history as JSON Lines with a running SHA-256 chain and a final digest', security: bearer, parameters: [q('from', '', 'date-time'), q('to', '', 'date-time')], responses: { '200': { description: 'JSON Lines', content: { 'application/jsonl': {} } } } } },
    '/api/reports/compliance': { get: { summary: 'Issued and revoked certificates, accounts created, EAB keys used in a period (JSON or CSV)', security: bearer, parameters: [q('from', '', 'date-time'), q('to', '', 'date-time'), q('format', 'json | csv'), q('section', 'issued | revoked | accounts | eab (CSV)')], responses: ok({ type: 'object' }) } },
    '/api/maintenance': {
      get: { summary: 'Maintenance mode', security: bearer, responses: ok({ type: 'object' }) },
      post: { summary: 'Switch maintenance mode (admin)', security: bearer, responses: ok({ type: 'object' }) },
    },
    '/api/rate-limits/overrides': {
      get: { summary: 'Rate-limit overrides in force', security: bearer, responses: ok({ type: 'object' }) },
      post: { summary: 'Set a rate-limit override for an account, registered domain or address: {limit, subject, count, period?, reason?}; count 0 exempts (admin)', security: bearer, responses: ok({ type: 'object' }) },
    },
    '/api/rate-limits/overrides/remove': { post: { summary: 'Remove a rate-limit override: {limit, subject} (admin)', security: bearer, responses: ok({ type: 'object' }) } },
  },
};
