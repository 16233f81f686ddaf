import { ApiError } from './api-error';

/** Seconds a caller should wait before retrying when a service behind the gateway does not answer. */
const RETRY_AFTER = 2;

/** A question to another service (NATS request/reply); no answer in time is a 503 the widget or admin may retry. */
export async function askService<T>(question: () => Promise<T>): Promise<T> {
  try {
    return await question();
  } catch {
    throw new ApiError(503, 'service_unavailable', 'a service did not answer; try again', RETRY_AFTER);
  }
}
