// The demo job page: polls /api/core/jobs/<id>/ until the worker has finished.
import { getJSON } from "../api/http";

interface Job {
  id: string;
  status: string;
  finished: boolean;
  n: number | null;
  result: { count: number; largest: number | null; seconds: number } | null;
  error: string | null;
}

export function showJob(root: HTMLElement, job: Job): void {
  const status = root.querySelector<HTMLElement>("#job-status");
  if (status) {
    status.textContent = job.status;
    status.dataset.status = job.status;
  }
  const result = root.querySelector<HTMLElement>("#job-result");
  if (result && job.result) {
    root.querySelector("#job-count")!.textContent = String(job.result.count);
    root.querySelector("#job-largest")!.textContent = String(job.result.largest ?? "—");
    root.querySelector("#job-seconds")!.textContent = String(job.result.seconds);
    result.hidden = false;
  }
  const error = root.querySelector<HTMLElement>("#job-error");
  if (error && job.error) {
    error.textContent = job.error;
    error.hidden = false;
  }
}

async function poll(root: HTMLElement, url: string, delay = 400): Promise<void> {
  try {
    const job = await getJSON<Job>(url);
    showJob(root, job);
    if (job.finished) return;
  } catch {
    delay = Math.min(delay * 2, 5000);
  }
  setTimeout(() => void poll(root, url, Math.min(delay * 1.5, 3000)), delay);
}

const root = document.getElementById("job");
const status = document.getElementById("job-status");
if (root && root.dataset.apiUrl && status) {
  const finished = status.dataset.status === "SUCCESSFUL" || status.dataset.status === "FAILED";
  if (!finished) void poll(root, root.dataset.apiUrl);
}
