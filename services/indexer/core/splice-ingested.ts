// The indexer adds event.ingested to every event. Re-serializing the parsed event (JSON.stringify) cost about
// a third of the indexer's CPU per document (bench/indexer.bench.ts, 1 KB events); inserting the one field into
// the JSON text the producer wrote is a single scan. The text must already be known to be a valid JSON object
// (it was parsed) whose top-level `event` is an object without `ingested` (the caller checks on the parsed value).

/** The JSON text with `"ingested":"<value>",` as the first member of the top-level `event` object, or undefined. */
export function spliceIngested(json: string, ingested: string): string | undefined {
  const at = findTopLevelObjectValue(json, 'event');
  if (at === undefined) return undefined;
  const member = `"ingested":${JSON.stringify(ingested)}`;
  // `at` is just after the `{`: the object is empty when the next non-blank character closes it.
  let k = at;
  while (k < json.length && (json[k] === ' ' || json[k] === '\n' || json[k] === '\r' || json[k] === '\t')) k++;
  return json[k] === '}' ? `${json.slice(0, at)}${member}${json.slice(at)}` : `${json.slice(0, at)}${member},${json.slice(at)}`;
}

/** Index just after the `{` that opens the value of top-level key `key`, when that value is an object. */
function findTopLevelObjectValue(json: string, key: string): number | undefined {
  let depth = 0;
  let i = 0;
  const n = json.length;
  while (i < n) {
    const c = json.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i + 1;
      i = start;
      while (i < n) {
        const d = json.charCodeAt(i);
        if (d === 0x5c /* \ */) i += 2;
        else if (d === 0x22) break;
        else i++;
      }
      const end = i; // closing quote
      i++;
      if (depth === 1 && end - start === key.length && json.startsWith(key, start)) {
        let k = i;
        while (k < n && json.charCodeAt(k) <= 0x20) k++;
        if (json.charCodeAt(k) !== 0x3a /* : */) continue; // a string value, not a key
        k++;
        while (k < n && json.charCodeAt(k) <= 0x20) k++;
        return json.charCodeAt(k) === 0x7b /* { */ ? k + 1 : undefined;
      }
      continue;
    }
    if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
    i++;
  }
  return undefined;
}
