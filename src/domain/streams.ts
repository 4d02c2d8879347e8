/** Stream names of each aggregate. */
export const streams = {
  account: (id: string) => `account-${id}`,
  accountKey: (thumbprint: string) => `account-key-${thumbprint}`,
  order: (id: string) => `order-${id}`,
  authz: (id: string) => `authz-${id}`,
  certificate: (id: string) => `cert-${id}`,
  maintenance: () => 'system-maintenance',
  eabKey: (keyId: string) => `eab-${keyId}`,
};
