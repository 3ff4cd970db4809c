/**
 * AMQP topic matching, as RabbitMQ does it: words are separated by `.`, `*` matches exactly one word and
 * `#` matches zero or more words.
 */

/** True when `routingKey` matches the topic binding `pattern` (`worker.#`, `*.orange.*`). */
export function topicMatches(pattern: string, routingKey: string): boolean {
  return matchWords(pattern.split('.'), 0, routingKey.split('.'), 0);
}

function matchWords(pattern: readonly string[], p: number, words: readonly string[], w: number): boolean {
  while (p < pattern.length) {
    const part = pattern[p];
    if (part === '#') {
      // `#` at the end swallows the rest; otherwise try every split point.
      if (p === pattern.length - 1) return true;
      for (let skip = w; skip <= words.length; skip++) {
        if (matchWords(pattern, p + 1, words, skip)) return true;
      }
      return false;
    }
    if (w >= words.length) return false;
    if (part !== '*' && part !== words[w]) return false;
    p++;
    w++;
  }
  return w === words.length;
}

/**
 * The regular expression kombu stores as the `pattern` of a topic binding (`_kombu.binding.<exchange>`), so that
 * Python consumers reading bindings written by q see what they expect. q itself matches with {@link topicMatches}.
 */
export function kombuTopicPattern(routingKey: string): string {
  const words = routingKey.split('.').map((word) => {
    if (word === '#') return '.*?';
    if (word === '*') return '.*?[^\\.]';
    return word.replace(/[\\^$.|?+()[\]{}]/g, (c) => `\\${c}`).replace(/\*/g, '.*?[^\\.]').replace(/#/g, '.*?');
  });
  return `^${words.join('\\.')}$`;
}
