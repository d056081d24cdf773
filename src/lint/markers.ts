// Opt-in markers: `# migrakit: allow <rule-id> <object> — <reason>` comments in a script, so that accepting
// a risk is a line a reviewer sees in the diff. The reason is required (after an em dash, `--` or `-`).
// Pure: reads the script's text.

export interface Marker {
  line: number;
  rule: string;
  object: string;
  reason: string;
}

export interface InvalidMarker {
  line: number;
  text: string;
}

const MARKER = /#\s*migrakit:\s*allow\b(.*)$/;
const BODY = /^\s*(\S+)\s+(\S+)\s*(?:—|–|--|-)\s*(\S.*?)\s*$/;

export function readMarkers(text: string): { markers: Marker[]; invalid: InvalidMarker[] } {
  const markers: Marker[] = [];
  const invalid: InvalidMarker[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const m = MARKER.exec(raw);
    if (!m) return;
    const body = BODY.exec(m[1]!);
    if (!body) invalid.push({ line: i + 1, text: raw.trim().slice(raw.trim().indexOf("#")) });
    else markers.push({ line: i + 1, rule: body[1]!, object: body[2]!, reason: body[3]! });
  });
  return { markers, invalid };
}

/** Objects as findings name them; a marker may leave out the default `public.` schema. */
const canonical = (object: string) => object.replace(/^public\./, "").toLowerCase();

export const markerMatches = (m: Marker, rule: string, object: string) =>
  m.rule === rule && canonical(m.object) === canonical(object);

/** The line to add to accept a finding (printed by generate and in fix lines; never written by migrakit). */
export const markerLine = (rule: string, object: string) => `# migrakit: allow ${rule} ${object} — <why this is safe>`;
