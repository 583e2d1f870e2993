/**
 * The ForgeTrace web app: sign-in, then one view per kind of user (factory, auditor, buyer),
 * each at its own path (/factory, /trace, /buyer) so that reloads and links keep the view; and the
 * public provenance page of a part at /p/{partId}, which needs no sign-in.
 */
import './styles.css';
import { createApi } from './api';
import { h, mount } from './dom';
import { clearSession, loadSession, ROLES, saveSession, type Role } from './session';
import { auditorView } from './views/auditor';
import { buyerView } from './views/buyer';
import type { ViewContext } from './views/common';
import { factoryView } from './views/factory';
import { publicProvenanceView } from './views/public-provenance';
import { signInView } from './views/sign-in';

const PATHS: Readonly<Record<Role, string>> = { factory_operator: '/factory', auditor: '/trace', buyer: '/buyer' };
const VIEWS: Readonly<Record<Role, (ctx: ViewContext) => HTMLElement>> = { factory_operator: factoryView, auditor: auditorView, buyer: buyerView };

const main = document.getElementById('main')!;
const who = document.getElementById('who')!;

function roleAtPath(path: string): Role | undefined {
  return (Object.entries(PATHS) as [Role, string][]).find(([, p]) => p === path)?.[0];
}

function showSignIn(notice?: string): void {
  who.replaceChildren();
  if (location.pathname !== '/') history.replaceState(null, '', '/');
  document.title = 'Sign in · ForgeTrace';
  mount(main, signInView((session) => {
    saveSession(session);
    history.pushState(null, '', PATHS[session.role]);
    render();
    // The form is gone: put the focus at the start of the view, not on the page's top.
    main.focus();
  }, notice));
  main.querySelector<HTMLInputElement>('#api-key')?.focus();
}

function signOut(notice?: string): void {
  clearSession();
  showSignIn(notice);
}

/** The public page of a part, `/p/{partId}`: no sign-in. */
function renderPublic(partId: string): void {
  who.replaceChildren(h('a', { class: 'link', href: '/' }, 'Member sign-in'));
  document.title = `Provenance of ${partId} · ForgeTrace`;
  mount(main, publicProvenanceView(partId));
}

function render(): void {
  const publicPart = /^\/p\/([^/]+)\/?$/.exec(location.pathname)?.[1];
  if (publicPart) {
    let partId = publicPart;
    try {
      partId = decodeURIComponent(publicPart);
    } catch {
      // A malformed escape: show the id as written.
    }
    return renderPublic(partId);
  }
  const session = loadSession();
  if (!session) return showSignIn();
  const role = roleAtPath(location.pathname) ?? session.role;
  if (location.pathname !== PATHS[role]) history.replaceState(null, '', PATHS[role] + location.search);
  const ctx: ViewContext = { api: createApi(session.apiKey), session, signOut: () => signOut('Your API key was not accepted any more; sign in again.') };
  who.replaceChildren(
    h('span', { class: 'msp' }, session.mspId),
    h('button', { type: 'button', class: 'link', onclick: () => signOut('Signed out.') }, 'Sign out'));
  const label = ROLES.find((r) => r.role === role)!.label;
  document.title = `${label} · ForgeTrace`;
  mount(main,
    navigation(role),
    VIEWS[role](ctx));
}

function navigation(current: Role): HTMLElement {
  return h('nav', { class: 'views', 'aria-label': 'Views' }, h('ul', {}, ROLES.map((r) => h('li', {},
    h('a', {
      href: PATHS[r.role],
      'aria-current': r.role === current ? 'page' : undefined,
      title: r.hint,
      onclick: (e: Event) => {
        e.preventDefault();
        history.pushState(null, '', PATHS[r.role]);
        render();
        main.focus();
      },
    }, r.label)))));
}

window.addEventListener('popstate', render);
render();
