/** The server's prediction API as functions that resolve or throw. */

// Relative, so the page also works when mounted under a path prefix.
const PREDICT_URL = 'predict';
const NUMBER_URL = 'predict/number';

export class ApiError extends Error {
  constructor(message, code, status) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

/**
 * POST a drawing {strokes, width, height} to /predict; with `explain` the
 * answer also holds the saliency map.
 *
 * Resolves with the prediction; throws ApiError with the server's detail on
 * a 4xx/5xx answer and code "unreachable" when no answer comes back.
 */
export function predict(drawing, { explain = false } = {}) {
  return post(explain ? `${PREDICT_URL}?explain=true` : PREDICT_URL, drawing);
}

/** POST a drawing of digits side by side to /predict/number. */
export function readNumber(drawing) {
  return post(NUMBER_URL, drawing);
}

async function post(url, drawing) {
  // Serialised now: the caller's strokes keep growing while we wait.
  const body = JSON.stringify(drawing);
  let response;
  try {
    response = await fetch(url, {
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
