// Dataset upload page: shows the fields that fit the chosen format and offers the CSV's
// header columns as target choices (read in the browser; the server checks everything again).

export type UploadFormat = "csv" | "image_zip" | "npz" | "coco" | "";

export function formatFromName(name: string): UploadFormat {
  const lower = name.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".npz")) return "npz";
  if (lower.endsWith(".zip")) return "image_zip";
  return "";
}

/** Column names of a CSV header line (quotes removed; commas inside quotes kept). */
export function csvHeader(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  out.push(cur.replace(/\r$/, "").trim());
  return out.filter((c) => c !== "");
}

function startUploadForm(form: HTMLFormElement): void {
  const file = form.querySelector<HTMLInputElement>("#id_file");
  const format = form.querySelector<HTMLSelectElement>("#id_format");
  const target = form.querySelector<HTMLInputElement>("#id_target");
  const list = form.querySelector<HTMLDataListElement>("#target-columns");
  const help = form.querySelector<HTMLElement>("#target-help");

  const current = (): UploadFormat =>
    ((format?.value as UploadFormat) ||
      formatFromName(file?.files?.[0]?.name ?? "")) as UploadFormat;
  const sync = () => {
    const f = current();
    for (const el of form.querySelectorAll<HTMLElement>("[data-show-for]")) {
      el.hidden = f !== "" && !(el.dataset.showFor ?? "").split(" ").includes(f);
    }
    const ann = form.querySelector<HTMLInputElement>("#id_annotations");
    if (ann) ann.required = f === "coco";
  };

  file?.addEventListener("change", async () => {
    sync();
    const f = file.files?.[0];
    if (!f || current() !== "csv" || !list) return;
    const head = await f.slice(0, 64 * 1024).text();
    const columns = csvHeader(head.replace(/^\uFEFF/, "").split("\n")[0] ?? "");
    list.replaceChildren(
      ...columns.map((c) => Object.assign(document.createElement("option"), { value: c })),
    );
    if (target && !target.value && columns.length) target.value = columns[columns.length - 1];
    if (help)
      help.textContent = `Columns: ${columns.join(", ")}. The target is usually the last one.`;
  });
  format?.addEventListener("change", sync);
  sync();
}

/** Forms marked data-confirm="question" ask before they submit (no inline onsubmit: CSP). */
export function confirmForms(root: ParentNode): void {
  for (const form of root.querySelectorAll<HTMLFormElement>("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm ?? "Are you sure?")) event.preventDefault();
    });
  }
}

if (typeof document !== "undefined") {
  const form = document.getElementById("upload-form");
  if (form instanceof HTMLFormElement) startUploadForm(form);
  confirmForms(document);
}
