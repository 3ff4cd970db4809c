/** Hides the password of a Redis URL (every `;`-separated part of a sentinel URL, and a `password=` query). */
export function maskRedisUrl(url: string): string {
  return url
    .split(';')
    .map((part) => part.replace(/(\/\/[^:/@]*:)[^@/]*@/, '$1***@').replace(/([?&]password=)[^&]*/i, '$1***'))
    .join(';');
}
