/**
 * The console's page shell: head, navigation, who is signed in and the sign-out form. Values go through
 * hono/html's `html` template, which escapes them; only the shell's own markup is raw.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Session } from './session.ts';

export type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

/** The console's pages, in the navigation's order. */
export const NAV = [
  { path: '/console/overview', label: 'Overview' },
  { path: '/console/tasks', label: 'Tasks' },
  { path: '/console/topics', label: 'Topics' },
  { path: '/console/engines', label: 'Engines' },
  { path: '/console/services', label: 'Services' },
  { path: '/console/work-units', label: 'Work units' },
  { path: '/console/audit', label: 'Audit log' },
] as const;

export function page(options: { title: string; session?: Session; active?: string; body: Markup }): Markup {
  const { title, session, active, body } = options;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · BPTL</title>
<link rel="stylesheet" href="/console/assets/console.css">
</head>
<body>
<header class="top">
  <a class="brand" href="/console">BPTL</a>
  ${
    session
      ? html`<nav>${NAV.map(
          (item) =>
            html`<a href="${item.path}"${item.path === active ? html` aria-current="page"` : ''}>${item.label}</a>`,
        )}</nav>
  <form class="who" method="post" action="/console/logout">
    <span>${session.principal.name} (${session.principal.role})</span>
    <input type="hidden" name="_csrf" value="${session.csrf}">
    <button type="submit">Sign out</button>
  </form>`
      : ''
  }
</header>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;
}

/** A notice above a page's content (an error the operator must read, or a confirmation). */
export function notice(kind: 'error' | 'info', text: string): Markup {
  return html`<p class="notice ${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${text}</p>`;
}
