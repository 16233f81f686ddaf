/**
 * Polls until the check returns a value other than undefined. A check that throws is tried again
 * (a dependency may be on its way up); on timeout the last failure is rethrown as it was, an
 * assertion with its diff, prefixed with what was awaited. A check that must never fail (an
 * absence, a "never 202") does not belong in here: it would be retried, not reported.
 */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let failure: { error: unknown } | undefined;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      failure = { error };
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  if (!failure) throw new Error(`timed out waiting for ${what}`);
  if (failure.error instanceof Error) {
    failure.error.message = `timed out waiting for ${what}: ${failure.error.message}`;
    throw failure.error;
  }
  throw new Error(`timed out waiting for ${what}: ${JSON.stringify(failure.error)}`);
}
