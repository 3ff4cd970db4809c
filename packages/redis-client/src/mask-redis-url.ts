/**
 * Hides the password of a Redis URL (every `;`-separated part of a sentinel URL) and the values of the `password=`
 * and `ssl_password=` (client key passphrase) query parameters.
 */
export function maskRedisUrl(url: string): string {
  return url
    .split(';')
    .map((part) => part.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@').replace(/([?&](?:ssl_)?password=)[^&]*/gi, '$1***'))
    .join(';');
}
