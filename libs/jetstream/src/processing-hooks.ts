import { BaseRpcContext, Transport } from '@nestjs/microservices';

/**
 * Runs a handler inside Nest's processing hooks (what APM tools set with setOnProcessingStartHook
 * and setOnProcessingEndHook): the start hook is given `done`, which runs the handler; the end hook
 * follows the handler, whether it succeeded or not. The returned promise is the handler's, so a
 * message is still settled only once its handler has finished.
 */
export type Processing = <T>(context: BaseRpcContext, handle: () => Promise<T>) => Promise<T>;

type TransportId = Transport | symbol;
type StartHook = (transportId: TransportId, context: BaseRpcContext, done: () => Promise<void>) => void;
type EndHook = ((transportId: TransportId, context: BaseRpcContext) => void) | undefined;

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Each part is read at each message: Nest, or an APM tool, may set a hook (or the transport id) once the transport exists. */
export function withProcessingHooks(transportId: () => TransportId, start: () => StartHook, end: () => EndHook): Processing {
  return async <T>(context: BaseRpcContext, handle: () => Promise<T>) => {
    const id = transportId();
    const outcome = await new Promise<Outcome<T>>((settle) => {
      start()(id, context, async () => {
        try {
          settle({ ok: true, value: await handle() });
        } catch (error) {
          settle({ ok: false, error });
        } finally {
          end()?.(id, context);
        }
      });
    });
    if (outcome.ok) return outcome.value;
    throw outcome.error;
  };
}
