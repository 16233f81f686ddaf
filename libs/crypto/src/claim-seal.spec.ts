import { openClaim, sealClaim, UnopenableClaimError } from './claim-seal';
import { generateMasterKey, KeyRing } from './secret-box';

const BINDING = {
  eventId: '0b9e4a52-8c51-4f4e-9d57-3f0f0c8f6a11',
  widgetId: '7d1c6a0e-4b7e-4d8a-9b1f-2f6a8c3e5d41',
  visitorId: '5f0c1e9a-2d3b-4c6e-8a7f-1b2c3d4e5f60',
};
const CLAIM = { user_id: 'usr_7', user_hash: 'ab'.repeat(32) };

describe('the claim seal', () => {
  const old = `c1:${generateMasterKey()}`;
  const ring = KeyRing.parse(old, 'claim key');

  it('opens what it sealed, and the sealed form holds neither field', () => {
    const sealed = sealClaim(ring, CLAIM, BINDING);
    expect(sealed.kid).toBe('c1');
    expect(JSON.stringify(sealed)).not.toMatch(/usr_7|abab/);
    expect(openClaim(ring, sealed, BINDING)).toEqual(CLAIM);
  });

  it('does not open for another event, widget or visitor', () => {
    const sealed = sealClaim(ring, CLAIM, BINDING);
    for (const moved of [{ eventId: 'other' }, { widgetId: 'other' }, { visitorId: 'other' }]) {
      expect(() => openClaim(ring, sealed, { ...BINDING, ...moved })).toThrow(UnopenableClaimError);
    }
  });

  it('refuses tampered, truncated or malformed seals without saying what was inside', () => {
    const sealed = sealClaim(ring, CLAIM, BINDING);
    const flipped = Buffer.from(sealed.ciphertext, 'base64');
    flipped.writeUInt8(flipped.readUInt8(0) ^ 1, 0);
    const broken = [
      { ...sealed, ciphertext: flipped.toString('base64') },
      { ...sealed, tag: Buffer.from(sealed.tag, 'base64').subarray(0, 8).toString('base64') },
      { ...sealed, kid: 'nope' },
      { ...sealed, iv: 42 },
      'a string',
      null,
    ];
    for (const value of broken) {
      expect(() => openClaim(ring, value, BINDING)).toThrow(UnopenableClaimError);
      try {
        openClaim(ring, value, BINDING);
      } catch (error) {
        expect((error as Error).message).not.toMatch(/usr_7|abab/);
      }
    }
  });

  it('rotates: a ring with the new key last seals with it and still opens the old seals', () => {
    const sealedOld = sealClaim(ring, CLAIM, BINDING);
    const rotated = KeyRing.parse(`${old},c2:${generateMasterKey()}`, 'claim key');
    const sealedNew = sealClaim(rotated, CLAIM, BINDING);
    expect(sealedNew.kid).toBe('c2');
    expect(openClaim(rotated, sealedOld, BINDING)).toEqual(CLAIM);
    expect(() => openClaim(ring, sealedNew, BINDING)).toThrow(/claim key c2/);
  });

  it('names claim keys, not master keys, in ring errors', () => {
    expect(() => KeyRing.parse('c1:AAAA', 'claim key')).toThrow(/^claim key c1 is 3 bytes/);
  });
});
