/** The server's prediction API as a function that resolves or throws. */

// Relative, so the page also works when mounted under a path prefix.
const PREDICT_URL = 'predict';

export class ApiError extends Error {
  constructor(message, code, status) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

/**
 * POST a drawing {strokes, width, height} to /predict.
 *
 * Resolves with the prediction; throws ApiError with the server's detail on
 * a 4xx/5xx answer and code "unreachable" when no answer comes back.
 */
export async function predict(drawing) {
  // Serialised now: the caller's strokes keep growing while we wait.
  const body = JSON.stringify(drawing);
  let response;
  try {
    response = await fetch(PREDICT_URL, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
  } catch {
    throw new ApiError(
      'Cannot reach the server. Check that it is running, then draw again.',
      'unreachable', 0);
  }
  const answer = await response.json().catch(() => null);
  if (!response.ok) {
    const message = describe(answer, response);
    throw new ApiError(message, answer?.code, response.status);
  }
  if (answer === null) {
    throw new ApiError('The server sent an answer that is not JSON.',
      'bad_answer', response.status);
  }
  return answer;
}

function describe(answer, response) {
  const detail = answer?.detail;
  if (typeof detail === 'string') return detail;
  // FastAPI's own validation errors carry a list of {loc, msg}.
  if (Array.isArray(detail)) return detail.map((item) => item.msg).join('; ');
  return `The server answered ${response.status} ${response.statusText}`.trim();
}
