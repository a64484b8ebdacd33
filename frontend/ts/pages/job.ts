// The demo job page: polls /api/core/jobs/<id>/ until the worker has finished.
import { api, unwrap, type Schemas } from "../api/client";

type Job = Pick<Schemas["Job"], "status" | "finished" | "result" | "error">;

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

async function poll(root: HTMLElement, jobId: string, delay = 400): Promise<void> {
  try {
    const job = unwrap(
      await api.GET("/api/core/jobs/{job_id}/", { params: { path: { job_id: jobId } } }),
    );
    showJob(root, job);
    if (job.finished) return;
  } catch {
    delay = Math.min(delay * 2, 5000);
  }
  setTimeout(() => void poll(root, jobId, Math.min(delay * 1.5, 3000)), delay);
}

const root = document.getElementById("job");
const status = document.getElementById("job-status");
const jobId = root?.dataset.apiUrl?.match(/jobs\/([0-9a-f-]+)\//)?.[1];
if (root && jobId && status) {
  const finished = status.dataset.status === "SUCCESSFUL" || status.dataset.status === "FAILED";
  if (!finished) void poll(root, jobId);
}
