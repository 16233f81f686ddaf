import { parseSince } from './since';
import { checkSubjectFilter, subjectMatches } from './subject-filter';

const NOW = new Date('2026-11-24T12:00:00.000Z');

describe('--since', () => {
  it('reads a duration back from now', () => {
    expect(parseSince('10m', NOW).toISOString()).toBe('2026-11-24T11:50:00.000Z');
    expect(parseSince('1h', NOW).toISOString()).toBe('2026-11-24T11:00:00.000Z');
    expect(parseSince('90s', NOW).toISOString()).toBe('2026-11-24T11:58:30.000Z');
    expect(parseSince('1.5h', NOW).toISOString()).toBe('2026-11-24T10:30:00.000Z');
    expect(parseSince('2d', NOW).toISOString()).toBe('2026-11-22T12:00:00.000Z');
    expect(parseSince('1w', NOW).toISOString()).toBe('2026-11-17T12:00:00.000Z');
    expect(parseSince(' 5M ', NOW).toISOString()).toBe('2026-11-24T11:55:00.000Z');
  });

  it('reads an ISO time', () => {
    expect(parseSince('2026-11-24T08:00:00Z', NOW).toISOString()).toBe('2026-11-24T08:00:00.000Z');
    expect(parseSince('2026-11-24T09:30:00.250+01:00', NOW).toISOString()).toBe('2026-11-24T08:30:00.250Z');
    expect(parseSince('2026-11-24', NOW).toISOString()).toBe('2026-11-24T00:00:00.000Z');
    expect(parseSince('2026-11-24 08:00Z', NOW).toISOString()).toBe('2026-11-24T08:00:00.000Z');
    // No zone: local time, as Date reads it.
    expect(parseSince('2026-11-24T08:00:00', NOW).getTime()).toBe(new Date(2026, 10, 24, 8, 0, 0).getTime());
  });

  it('refuses what it cannot read, and the future', () => {
    for (const bad of ['', '10', '10 minutes', 'yesterday', '-5m', '1h30m', '2026-13-45T00:00:00Z', '24/11/2026']) {
      expect(() => parseSince(bad, NOW)).toThrow(/--since/);
    }
    expect(() => parseSince('2026-11-25T00:00:00Z', NOW)).toThrow('--since: 2026-11-25T00:00:00.000Z is in the future');
  });
});

describe('the subject filter', () => {
  const subjects = ['message.inbound', 'contact.verified', 'contact.anonymous', 'contact.folded', 'message.stored', 'widget.secret.rotated'];

  it('matches as NATS does', () => {
    expect(subjectMatches('contact.*', 'contact.verified')).toBe(true);
    expect(subjectMatches('contact.*', 'widget.secret.rotated')).toBe(false);
    expect(subjectMatches('widget.>', 'widget.secret.rotated')).toBe(true);
    expect(subjectMatches('widget.>', 'widget')).toBe(false);
    expect(subjectMatches('>', 'message.inbound')).toBe(true);
    expect(subjectMatches('*.inbound', 'message.inbound')).toBe(true);
    expect(subjectMatches('message', 'message.inbound')).toBe(false);
    expect(subjectMatches('message.inbound.x', 'message.inbound')).toBe(false);
  });

  it('refuses a filter that names nothing, listing the subjects', () => {
    expect(checkSubjectFilter('contact.*', subjects, 'INVIARO_EVENTS')).toBe('contact.*');
    expect(() => checkSubjectFilter('contacts.verified', subjects, 'INVIARO_EVENTS')).toThrow(
      'no subject of INVIARO_EVENTS matches "contacts.verified"; its subjects: message.inbound, contact.verified',
    );
    for (const bad of ['a..b', 'a.>.b', '.a', 'a b', 'a*']) expect(() => checkSubjectFilter(bad, subjects, 'S')).toThrow(/is not a NATS subject filter/);
  });
});
