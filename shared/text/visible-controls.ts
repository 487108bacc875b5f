// Text from guests (a WinDbg PROCESS_NAME, an event's message, a computer name) is untrusted, and some characters
// are instructions to whatever shows them rather than text: C0 controls (ESC starts a terminal escape sequence),
// DEL, C1 controls (U+009B is a one-byte CSI on terminals that honour 8-bit controls) and the bidirectional
// embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) that reorder what a reader sees ("Trojan
// Source", CVE-2021-42574). Every output meant for a person shows them as visible `\uXXXX` text instead.

// Tab, LF and CR are layout, not instructions; callers that need them gone (a table cell) handle them first.
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const CONTROLS_AND_BREAKS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const visible = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** The text with every control and bidi override shown as `\uXXXX`; tab, LF and CR kept. */
export function showControls(text: string): string {
  return text.replace(CONTROLS, visible);
}

/** The same for one line of a terminal table: tab, LF and CR are shown too, so a value cannot forge a line. */
export function showControlsInLine(text: string): string {
  return text.replace(CONTROLS_AND_BREAKS, visible);
}

/** For JSON text already serialized: C1 controls, bidi overrides and U+2028/U+2029 as JSON escapes (same value). */
export function escapeJsonControls(json: string): string {
  return json.replace(/[\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g, visible);
}
