// Event Viewer's XML view puts an outline marker (`-` or `+`, with blanks around it) before each element that can be
// folded; a copy keeps them. Both the event-XML framer (shipper) and the Event Viewer copy reader (parser) strip the
// one before the root.

/**
 * The text without the outline marker at its end (`-` or `+` with blanks and tabs around it). Read from the end:
 * as an expression unanchored at its start (`[ \t]*[-+][ \t]*$`) it rescanned a run of blanks from each of its
 * characters, and 256 KiB of them in front of an event took over a minute.
 */
export function withoutOutlineMarker(text: string): string {
  let end = text.length;
  while (end > 0 && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
  if (end === 0 || (text[end - 1] !== '-' && text[end - 1] !== '+')) return text;
  end--;
  while (end > 0 && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
  return text.slice(0, end);
}
