import type { TestPostgres } from './postgres';

export default async function globalTeardown() {
  const state = (globalThis as Record<string, unknown>).__JOBRELAY_TEST__ as
    | { devServer: { stop(): Promise<void> }; postgres?: TestPostgres }
    | undefined;
  await state?.devServer.stop();
  await state?.postgres?.stop();
}
