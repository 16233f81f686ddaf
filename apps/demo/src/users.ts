/** The people who can log in to the demo product; ids are stable primary keys, as the docs advise. */
export interface DemoUser {
  id: string;
  name: string;
  email: string;
}

export const USERS: readonly DemoUser[] = [
  { id: 'usr_1001', name: 'Amar Haddad', email: 'amar@example.com' },
  { id: 'usr_1002', name: 'Bea Novak', email: 'bea@example.com' },
  { id: 'usr_1003', name: 'Chen Li', email: 'chen@example.com' },
];

export function findUser(id: unknown): DemoUser | undefined {
  return USERS.find((user) => user.id === id);
}
