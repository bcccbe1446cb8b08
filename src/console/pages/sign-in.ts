/** The sign-in page: an API token (viewer reads, admin writes) exchanged for a session cookie. */
import { html } from 'hono/html';
import { type Markup, notice, page } from '../layout.ts';

export function signInPage(options: { error?: string; next?: string } = {}): Markup {
  return page({
    title: 'Sign in',
    body: html`<div class="card">
  ${options.error ? notice('error', options.error) : ''}
  <form method="post" action="/console/login">
    <label for="token">API token</label>
    <input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
    <input type="hidden" name="next" value="${options.next ?? '/console'}">
    <p class="muted">A token from BPTL_API_TOKENS: a viewer token reads, an admin token also changes the
    configuration. <code>bptl dev</code> prints one at start.</p>
    <button type="submit">Sign in</button>
  </form>
</div>`,
  });
}
