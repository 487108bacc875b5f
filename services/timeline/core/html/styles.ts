// Inline CSS of the HTML export (the CSP allows inline styles only). The chart is emitted after the streamed
// table (its markers are only known at the end) and shown above it with flex `order`, so one pass suffices.

export const TIMELINE_CSS = `
:root{--fg:#1d2430;--muted:#5b6575;--line:#d8dde6;--bg:#fff;--band:#f6f8fb;--critical:#b71c1c;--error:#e53935;--warning:#f08c00;--change:#2e7d32;--info:#1e66c8;--hang:#b71c1c;--alert:#8e24aa}
*{box-sizing:border-box}
body{margin:0;padding:24px 32px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC",sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:22px;margin:0 0 12px}
h3{font-size:14px;margin:14px 0 6px;color:var(--muted)}
h2{font-size:16px;margin:22px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:3px 16px;margin:0}
dl.facts dt{color:var(--muted);font-weight:600}
dl.facts dd{margin:0;overflow-wrap:anywhere}
.diagnoses ol{padding-left:20px;margin:0}
.diagnoses li{margin-bottom:10px}
.diag-code{font-weight:700}
.confidence{display:inline-block;margin-left:6px;padding:0 6px;border-radius:8px;background:#fdecea;color:var(--critical);font-size:12px;font-weight:600}
.diagnoses p{margin:4px 0}
pre{margin:4px 0;padding:8px 10px;background:var(--band);border:1px solid var(--line);border-radius:4px;white-space:pre-wrap;overflow-wrap:anywhere;font:12px/1.4 ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace}
.stack{display:flex;flex-direction:column}
.chart{order:-1}
.chart-wrap{overflow-x:auto;border:1px solid var(--line);border-radius:6px;padding:4px}
svg.swimlanes{display:block;width:100%;height:auto;min-width:720px;font-family:inherit}
svg .lane-bg{fill:var(--band)}
svg .lane-axis{stroke:var(--line);stroke-width:1}
svg .grid{stroke:#e6e9ef;stroke-width:1}
svg .lane-label{font-size:14px;font-weight:600;fill:var(--fg)}
svg .lane-detail{font-size:11px;fill:var(--muted)}
svg .tick{font-size:11px;fill:var(--muted);text-anchor:middle}
svg .tick.zone{text-anchor:end;font-weight:600}
svg .m circle{stroke:#fff;stroke-width:1.5;fill-opacity:.9}
svg .m:hover circle,svg .m:focus circle{stroke:#000;stroke-width:2.5}
svg .sev-critical circle{fill:var(--critical)}
svg .sev-error circle{fill:var(--error)}
svg .sev-warning circle{fill:var(--warning)}
svg .sev-change circle{fill:var(--change)}
svg .sev-info circle{fill:var(--info)}
svg .density{fill:var(--info);fill-opacity:.55}
svg .annotation line{stroke-width:2;stroke-dasharray:6 4}
svg .annotation text{font-size:12px;font-weight:700}
svg .hang line{stroke:var(--hang)}
svg .hang polygon,svg .hang text{fill:var(--hang)}
svg .alert line{stroke:var(--alert)}
svg .alert polygon,svg .alert text{fill:var(--alert)}
.legend{margin:6px 0 0;color:var(--muted);font-size:12px}
.legend span{display:inline-block;margin-right:14px}
.legend i{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:4px;vertical-align:-1px}
.legend .critical{background:var(--critical)}.legend .error{background:var(--error)}.legend .warning{background:var(--warning)}.legend .change{background:var(--change)}.legend .info{background:var(--info)}
.legend .hang{background:var(--hang);border-radius:0;width:3px;height:12px}
table.events{width:100%;border-collapse:collapse;font-size:13px}
table.events th{position:sticky;top:0;background:#eef1f6;text-align:left;padding:6px 8px;border-bottom:2px solid var(--line);white-space:nowrap}
table.events td{padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
table.events td.nw{white-space:nowrap}
table.events td.t{white-space:nowrap;font-variant-numeric:tabular-nums;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
table.events td.msg{white-space:pre-wrap;overflow-wrap:anywhere;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
table.events tr:target{outline:2px solid var(--info);background:#e8f0fe}
tr .sev{display:inline-block;width:8px;height:8px;border-radius:50%;margin-right:6px;background:var(--info)}
tr.sev-critical .sev{background:var(--critical)}tr.sev-error .sev{background:var(--error)}tr.sev-warning .sev{background:var(--warning)}tr.sev-change .sev{background:var(--change)}
tr.sev-critical td.msg,tr.sev-error td.msg{color:#7f1010}
tr.kind-hang td{background:#fdecea;font-weight:700}
tr.kind-alert td{background:#f6eafa}
.count,footer{color:var(--muted);font-size:12px}
footer{margin-top:18px}
@page{size:A4 landscape;margin:10mm}
@media print{
  body{padding:0;font-size:9pt}
  *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
  .chart-wrap{border:none;padding:0;overflow:visible}
  svg.swimlanes{min-width:0;break-inside:avoid}
  table.events{font-size:8pt}
  table.events th{position:static}
  thead{display:table-header-group}
  tr{break-inside:avoid}
  a{color:inherit;text-decoration:none}
  h2{break-after:avoid}
}
`;
