/**
 * Sign-in with an API key. The key is checked against this gateway (GET /v1/members/{own MSP});
 * the view to open follows from the member's kind in the registry (factory, buyer, auditor).
 * There is no "who am I" route: the key's real role is enforced by the gateway on every call.
 */
import { ApiProblem, createApi, loadWebConfig } from '../api';
import { h } from '../dom';
import type { Role, Session } from '../session';
import { problem } from './common';

const VIEW_OF_KIND: Readonly<Record<string, Role>> = { factory: 'factory_operator', buyer: 'buyer', auditor: 'auditor' };

export function signInView(onSignedIn: (session: Session) => void, notice?: string): HTMLElement {
  const key = h('input', { id: 'api-key', name: 'apiKey', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true, 'aria-describedby': 'api-key-hint' });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const message = h('div', { class: 'form-message' });
  const form = h('form', { class: 'card sign-in', 'aria-labelledby': 'sign-in-title', novalidate: true },
    h('h1', { id: 'sign-in-title' }, 'Sign in'),
    h('p', { class: 'muted' }, 'Use the API key your organisation’s gateway administrator gave you.'),
    h('label', { for: 'api-key' }, 'API key'),
    key,
    h('p', { id: 'api-key-hint', class: 'hint' }, 'Kept only in this browser tab until you sign out or close it.'),
    button,
    message);
  if (notice) message.replaceChildren(h('p', { class: 'notice', role: 'status' }, notice));

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const apiKey = key.value.trim();
    if (!apiKey) {
      message.replaceChildren(problem(new ApiProblem(0, 'MISSING_KEY', 'enter an API key')));
      key.focus();
      return;
    }
    button.disabled = true;
    button.textContent = 'Signing in…';
    message.replaceChildren(h('p', { role: 'status' }, 'Checking the key with the gateway…'));
    void (async () => {
      try {
        const { mspId } = await loadWebConfig();
        const member = await createApi(apiKey).get<{ role?: string }>(`/v1/members/${encodeURIComponent(mspId)}`);
        onSignedIn({ apiKey, mspId, role: VIEW_OF_KIND[member.role ?? ''] ?? 'auditor' });
      } catch (e) {
        message.replaceChildren(problem(e, 'sign in'));
        key.focus();
        key.select();
      } finally {
        button.disabled = false;
        button.textContent = 'Sign in';
      }
    })();
  });
  return form;
}
