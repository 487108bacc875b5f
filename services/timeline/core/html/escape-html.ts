// Everything from log content goes through here before it reaches HTML or SVG: text and attribute values
// alike (quotes escaped too), so a message like `<img src=x onerror=alert(1)>` is shown, never parsed.
// Controls (C0, DEL, C1) and bidi overrides from a guest are shown as visible `\uXXXX` text
// (shared/text/visible-controls.ts): HTML forbids the controls in text, and an override would reorder the page.
import { showControls } from '../../../../shared/text/visible-controls.js';

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return showControls(text.replace(/[&<>"']/g, (c) => ENTITIES[c]!));
}
