// The typed REST client: openapi-fetch over the types openapi-typescript generates from the
// server's OpenAPI schema (schema.d.ts; `bash scripts/api_types.sh --write` regenerates it and
// the test command fails when it drifts). Same-origin cookies and the CSRF header, as http.ts.
import createClient, { type Middleware } from "openapi-fetch";
import { ApiError, csrfToken, errorMessage } from "./http";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
/** Every API error body (nnweb.core.errors). */
export type ErrorResponse = Schemas["ErrorResponse"];

const SAFE = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);

const csrf: Middleware = {
  onRequest({ request }) {
    if (!SAFE.has(request.method)) {
      const token = csrfToken();
      if (token) request.headers.set("X-CSRFToken", token);
    }
    return request;
  },
};

export const api = createClient<paths>({ credentials: "same-origin" });
api.use(csrf);

/** The data of an openapi-fetch result, or an ApiError carrying the server's message. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || result.data === undefined) {
    const status = result.response.status;
    throw new ApiError(status, result.error, errorMessage(status, result.error));
  }
  return result.data;
}
