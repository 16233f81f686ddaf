import { RequestFailed } from '@inviaro/bus';
import { ApiError, unavailable } from './api-error';

/**
 * A question to another service (NATS request/reply). A request the service refuses as asked is
 * the caller's mistake, a 400 with the service's reason (which names the field, never its value);
 * no answer in time, or any other failure, is a 503 the widget or admin may retry.
 */
export async function askService<T>(question: () => Promise<T>): Promise<T> {
  try {
    return await question();
  } catch (error) {
    if (error instanceof RequestFailed && error.fault === 'caller') throw new ApiError(400, 'invalid_request', error.message);
    throw unavailable('service_unavailable', 'a service did not answer; try again');
  }
}
