/** A verified user is one per workspace (the same user id in two workspaces is two users): the key maps of users are keyed by. */
export function userKey(workspaceId: string, userId: string): string {
  return `${workspaceId}\u0000${userId}`;
}
