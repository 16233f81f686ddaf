import { generateMasterKey, KeyRing, UnopenableClaimError } from '@inviaro/crypto';
import { ClaimKeys } from './claim-keys';

const BINDING = {
  eventId: '0b9e4a52-8c51-4f4e-9d57-3f0f0c8f6a11',
  widgetId: '7d1c6a0e-4b7e-4d8a-9b1f-2f6a8c3e5d41',
  visitorId: '5f0c1e9a-2d3b-4c6e-8a7f-1b2c3d4e5f60',
};

describe('the claim keys', () => {
  const keys = new ClaimKeys(KeyRing.parse(`c1:${generateMasterKey()}`, 'claim key'));

  it('seal and open a claim; an event without a claim carries no seal', () => {
    const claim = { user_id: 'usr_7', user_hash: 'ab'.repeat(32) };
    expect(keys.open(keys.seal(claim, BINDING), BINDING)).toEqual(claim);
    expect(keys.seal(null, BINDING)).toBeNull();
    expect(keys.open(null, BINDING)).toBeNull();
    expect(keys.open(undefined, BINDING)).toBeNull();
  });

  it('refuse a seal made under another key ring', () => {
    const other = new ClaimKeys(KeyRing.parse(`c2:${generateMasterKey()}`, 'claim key'));
    expect(() => keys.open(other.seal({ user_id: 'usr_7' }, BINDING), BINDING)).toThrow(UnopenableClaimError);
  });
});
