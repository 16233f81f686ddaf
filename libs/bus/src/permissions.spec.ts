import { BUS_ROLES, natsPermissions, streamsToUpdate } from './permissions';
import { STREAM_LAYOUT } from './topology';

const STREAMS = STREAM_LAYOUT.map((s) => s.name);

describe('the bus permissions', () => {
  it.each(BUS_ROLES)('%s: every JetStream right names one of the system’s streams; none is a direct get, a purge or a stream delete', (role) => {
    const { allow } = natsPermissions(role).publish;
    const jetStream = allow.filter((subject) => subject.startsWith('$JS.'));
    const broad = jetStream.filter(
      (subject) => subject !== '$JS.API.INFO' && !STREAMS.includes(subject.replace(/^\$JS\.(API\.[A-Z]+\.(?:MSG\.)?[A-Z]+|ACK)\.([^.]+).*$/, '$2')),
    );
    expect(broad).toEqual([]);
    expect(jetStream.filter((subject) => /DIRECT\.GET|STREAM\.PURGE|STREAM\.DELETE|STREAM\.SNAPSHOT|STREAM\.RESTORE/.test(subject))).toEqual([]);
    expect(allow.filter((subject) => subject === '>' || subject.startsWith('$JS.API.>') || subject.startsWith('$SYS'))).toEqual([]);
  });

  it('brings existing streams up to date only for the services that read them; every one on a server without users, none for a stranger', () => {
    expect(streamsToUpdate('gateway')).toEqual([]);
    expect(streamsToUpdate('operator')).toEqual([]);
    expect(streamsToUpdate('verifier')).toEqual(['INVIARO_INBOUND', 'INVIARO_DEAD_LETTERS']);
    expect(streamsToUpdate(undefined)).toEqual(STREAMS);
    expect(streamsToUpdate('harness')).toEqual([]);
  });
});
