// Logs pasted into GitHub comments and forums come back with markdown around them: `**` bold markers or
// backticks wrapping a line, or a bold span opened at the start of a field (`warning : **virSecurity...:205 :`)
// and closed at the end of a later line (`secdriver=dac**`). They are the paste's, not the log's: removed where
// they wrap the line or open a field, and the event says so (flag `markdown-debris`). `event.original` keeps
// the line as it came.

const LEAD = /^(?:\*\*|`+)/;
const TRAIL = /(?:\*\*|`+)$/;
const FIELD_OPEN = /(: |\]: )\*\*(?=\S)/g;

/** Whether a line may carry such markers (cheap test before stripping). */
export function mayHaveMarkdownDebris(text: string): boolean {
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  return first === 42 || first === 96 || last === 42 || last === 96 || text.includes(': **');
}

/** The line without the markers, or undefined when there were none. */
export function stripMarkdownDebris(text: string): string | undefined {
  const out = text.replace(LEAD, '').replace(TRAIL, '').replace(FIELD_OPEN, '$1');
  return out === text ? undefined : out;
}
