/** Tests only ever touch databases whose name says they are test databases. */
export function assertTestDatabaseUrl(url: string): void {
  const name = new URL(url).pathname.replace(/^\//, '');
  if (!/test/i.test(name)) {
    throw new Error(
      `refusing to run tests against database '${name}': its name does not mark it as a test database (it must contain "test")`,
    );
  }
}
