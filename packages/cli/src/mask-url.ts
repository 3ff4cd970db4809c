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

const URL_IN_TEXT = /[a-z][a-z0-9+.-]*:\/\/\S*/i;

/**
 * The URL an adapter's `describe()` names, masked, so the banner shows every adapter the same way:
 * `redis transport redis://:pw@host:6379/0` → `redis://:**@host:6379/0`, `file:///app/.q/results` unchanged.
 * Text that names no URL is masked as it is.
 */
export function adapterUrl(described: string): string {
  const url = URL_IN_TEXT.exec(described);
  return maskUrl(url === null ? described : url[0]);
}
