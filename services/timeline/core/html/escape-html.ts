// Everything from log content goes through here before it reaches HTML or SVG: text and attribute values
// alike (quotes escaped too), so a message like `<img src=x onerror=alert(1)>` is shown, never parsed.
// C0 controls are not allowed in HTML text (HTML spec, "control" code points) and become U+FFFD.

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '\ufffd');
}
