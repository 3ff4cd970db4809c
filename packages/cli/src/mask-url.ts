/**
 * Masks the password of a broker or backend URL for banners and logs, as kombu's `maskpass` does:
 * `redis://user:secret@host:6379/0` → `redis://user:**@host:6379/0`. Text that is not a URL with
 * credentials is returned unchanged. Several URLs separated by `;` (failover lists) are masked one by one.
 */
export function maskUrl(url: string): string {
  return url
    .split(';')
    .map((part) => maskOne(part))
    .join(';');
}

const CREDENTIALS = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#@]*)@/i;

function maskOne(url: string): string {
  const match = CREDENTIALS.exec(url);
  if (!match) return url;
  const [whole, scheme = '', userinfo = ''] = match;
  const colon = userinfo.indexOf(':');
  if (colon === -1) return url;
  const user = userinfo.slice(0, colon);
  return `${scheme}${user}:**@${url.slice(whole.length)}`;
}
