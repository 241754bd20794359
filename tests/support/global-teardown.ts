export default async function globalTeardown(): Promise<void> {
  await globalThis.__temporalTestServer?.stop();
  await globalThis.__dropLegacyTestDatabase?.();
}
