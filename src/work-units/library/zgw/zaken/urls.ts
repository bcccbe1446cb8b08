/** Comparing and taking apart the URLs by which ZGW resources name each other. */

/** Whether two resource URLs name the same resource (a trailing slash and the letter case of the host aside). */
export function sameUrl(a: string | undefined | null, b: string | undefined | null): boolean {
  if (!a || !b) return false;
  return normalized(a) === normalized(b);
}

function normalized(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host.toLowerCase()}${parsed.pathname.replace(/\/+$/, '')}${parsed.search}`;
  } catch {
    return url.replace(/\/+$/, '');
  }
}

/** The last path segment of a resource URL: its uuid (`…/zaken/<uuid>` → `<uuid>`). */
export function lastSegment(url: string): string {
  const path = url.split(/[?#]/)[0] ?? '';
  return path.replace(/\/+$/, '').split('/').pop() ?? '';
}
