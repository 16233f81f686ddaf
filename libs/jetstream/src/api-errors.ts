/** The JetStream API error codes this code acts on (nats-server's errors.json names them). */
export const JetStreamErrorCode = {
  ConsumerNotFound: 10014,
  NoMessageFound: 10037,
  StreamNameInUse: 10058,
  StreamNotFound: 10059,
  StreamSubjectsOverlap: 10065,
  /** A publish's expected last message id is not the stream's. */
  WrongLastMsgId: 10070,
} as const;

/** The JetStream API error code of a failed call, if the server gave one. */
function jetStreamErrorCode(error: unknown): number | undefined {
  return (error as { api_error?: { err_code?: number } } | undefined)?.api_error?.err_code;
}

/** Whether a failed call failed with one of these JetStream API error codes. */
export function isJetStreamError(error: unknown, ...codes: number[]): boolean {
  const code = jetStreamErrorCode(error);
  return code !== undefined && codes.includes(code);
}
