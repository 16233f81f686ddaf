import { IdentityPolicy } from '@inviaro/contracts';

/** A row of `widgets`, as the admin API reads it. */
export interface Widget {
  id: string;
  workspace_id: string;
  /** Public (`wt_...`): it sits in the customer's page. */
  key: string;
  name: string;
  /** Origins (scheme://host[:port]) the widget may be called from. */
  allowed_origins: string[];
  identity_policy: IdentityPolicy;
  /** Enforce mode: a message or identify without a claim that verifies is refused (401 identity_required). */
  identity_required: boolean;
  /** What the widget shows in place of the composer while identity is required; null: its default text. */
  sign_in_prompt: string | null;
  created_at: Date;
}

export const WIDGET_COLUMNS = 'id, workspace_id, key, name, allowed_origins, identity_policy, identity_required, sign_in_prompt, created_at';

/** What names a widget to the rest of the system: its id and its workspace. */
export type WidgetRef = Pick<Widget, 'id' | 'workspace_id'>;
