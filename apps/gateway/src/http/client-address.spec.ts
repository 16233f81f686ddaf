import { addressBudgetKey } from './client-address';

describe('addressBudgetKey', () => {
  it('keys IPv4 addresses as they are', () => {
    expect(addressBudgetKey('127.0.0.2')).toBe('127.0.0.2');
    expect(addressBudgetKey('::ffff:203.0.113.9')).toBe('::ffff:203.0.113.9');
  });

  it('keys IPv6 addresses by their /64, however they are written', () => {
    expect(addressBudgetKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressBudgetKey('2001:0DB8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(addressBudgetKey('2001:db8::5')).toBe('2001:db8:0:0::/64');
    expect(addressBudgetKey('::1')).toBe('0:0:0:0::/64');
    expect(addressBudgetKey('2001:db8::1:2:3:4:5')).toBe('2001:db8:0:1::/64');
    expect(addressBudgetKey('64:ff9b::198.51.100.1')).toBe('64:ff9b:0:0::/64');
  });
});
