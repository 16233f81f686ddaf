/** Whether a NATS subject filter (`*` one token, `>` the rest) matches a literal subject. */
export function subjectMatches(filter: string, subject: string): boolean {
  const wanted = filter.split('.');
  const actual = subject.split('.');
  for (let i = 0; i < wanted.length; i++) {
    if (wanted[i] === '>') return i === wanted.length - 1 && actual.length > i;
    if (i >= actual.length) return false;
    if (wanted[i] !== '*' && wanted[i] !== actual[i]) return false;
  }
  return wanted.length === actual.length;
}

/** The filter when it names at least one of the subjects; else an error that lists them. */
export function checkSubjectFilter(filter: string, subjects: readonly string[], stream: string): string {
  const valid = /^[^\s.*>]+$|^(?:[^\s.*>]+|\*)(?:\.(?:[^\s.*>]+|\*))*(?:\.>)?$|^>$/.test(filter);
  if (!valid) throw new Error(`"${filter.slice(0, 80)}" is not a NATS subject filter (tokens separated by dots; * for one token, > at the end for the rest)`);
  if (!subjects.some((subject) => subjectMatches(filter, subject))) {
    throw new Error(`no subject of ${stream} matches "${filter}"; its subjects: ${subjects.join(', ')}`);
  }
  return filter;
}
