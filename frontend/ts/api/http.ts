// fetch() for nnweb's REST API: same-origin cookies, CSRF header on unsafe methods,
// JSON in and out, and errors that carry the server's message.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export function getCookie(name: string, cookieString: string = document.cookie): string | null {
  for (const part of cookieString.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

export function csrfToken(): string | null {
  const input = document.querySelector<HTMLInputElement>("input[name=csrfmiddlewaretoken]");
  return getCookie("csrftoken") ?? input?.value ?? null;
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);

/** One error of the API's error body (nnweb.core.errors). */
export interface ApiErrorItem {
  code: string;
  detail: string;
  attr: string | null;
}

/** Pull a readable message out of an API error body: "field: message; ..." */
export function errorMessage(status: number, body: unknown): string {
  if (body && typeof body === "object") {
    const errors = (body as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length) {
      return (errors as ApiErrorItem[])
        .map((e) => (e.attr && e.attr !== "non_field_errors" ? `${e.attr}: ${e.detail}` : e.detail))
        .join("; ");
    }
    const detail = (body as Record<string, unknown>).detail;
    if (typeof detail === "string") return detail;
    const parts = Object.entries(body as Record<string, unknown>).map(
      ([field, value]) => `${field}: ${Array.isArray(value) ? value.join(" ") : String(value)}`,
    );
    if (parts.length) return parts.join("; ");
  }
  if (typeof body === "string" && body) return body.slice(0, 200);
  return `Request failed with status ${status}`;
}

export async function apiFetch<T = unknown>(
  url: string,
  options: {
    method?: string;
    json?: unknown;
    body?: BodyInit;
    headers?: Record<string, string>;
  } = {},
): Promise<T> {
  const method = (options.method ?? (options.json !== undefined ? "POST" : "GET")).toUpperCase();
  const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
  let body = options.body;
  if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.json);
  }
  if (!SAFE.has(method)) {
    const token = csrfToken();
    if (token) headers["X-CSRFToken"] = token;
  }
  const response = await fetch(url, { method, headers, body, credentials: "same-origin" });
  const text = await response.text();
  let data: unknown = text;
  if (text && (response.headers.get("Content-Type") ?? "").includes("json")) {
    data = JSON.parse(text);
  }
  if (!response.ok) throw new ApiError(response.status, data, errorMessage(response.status, data));
  return data as T;
}

export const getJSON = <T = unknown>(url: string) => apiFetch<T>(url);
export const postJSON = <T = unknown>(url: string, json: unknown) =>
  apiFetch<T>(url, { method: "POST", json });
