/**
 * The durable consumer a service's instances share for one subject (a broadcast handler's own
 * consumers take it as a prefix). The permissions name each role's durables, and deny them to
 * every other role, by this name.
 */
export function durableName(service: string, subject: string): string {
  return `${service}_${subject.replace(/[.*>]/g, '_')}`;
}
