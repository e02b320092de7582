export default async function globalTeardown(): Promise<void> {
  await globalThis.__HOTSWAP_EMBEDDED_DB__?.stop();
}
