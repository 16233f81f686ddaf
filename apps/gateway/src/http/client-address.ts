import { isIPv6 } from 'node:net';

/**
 * What one client's address budget is keyed on: an IPv4 address as it is, an IPv6 address by its /64
 * prefix, the smallest block a provider hands one customer (one host can use every address in it).
 */
export function addressBudgetKey(address: string): string {
  if (!isIPv6(address) || address.toLowerCase().startsWith('::ffff:')) return address;
  const [head, tail] = address.toLowerCase().split('::');
  const groupsOf = (part: string | undefined) => (part ? part.split(':').flatMap((group) => (group.includes('.') ? ['0', '0'] : [group])) : []);
  const headGroups = groupsOf(head);
  const tailGroups = groupsOf(tail);
  // `::` stands for as many zero groups as make eight; an embedded IPv4 address is two (and beyond the /64).
  const groups = [...headGroups, ...Array<string>(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0'), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}
