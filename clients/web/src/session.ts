/** The signed-in user, kept in sessionStorage (gone when the tab closes). */

/** The views; the gateway still checks the key's real role on every request. */
export type Role = 'factory_operator' | 'buyer' | 'auditor';

export const ROLES: readonly { readonly role: Role; readonly label: string; readonly hint: string }[] = [
  { role: 'factory_operator', label: 'Factory operator', hint: 'assigned jobs and machine health' },
  { role: 'auditor', label: 'Auditor', hint: 'part traces' },
  { role: 'buyer', label: 'Buyer', hint: 'recommendations and orders' },
];

export interface Session {
  readonly apiKey: string;
  readonly role: Role;
  /** The MSP ID of the member whose gateway serves the app. */
  readonly mspId: string;
}

const KEY = 'forgetrace.session';

export function loadSession(): Session | undefined {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Partial<Session> | null;
    if (s && typeof s.apiKey === 'string' && typeof s.mspId === 'string' && ROLES.some((r) => r.role === s.role)) return s as Session;
  } catch {
    // A damaged entry is the same as none.
  }
  return undefined;
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}
