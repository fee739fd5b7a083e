/**
 * `llmkit chat`, the HTTP part: one OpenAI-compatible `POST /v1/chat/completions` with
 * `stream: true`, read as server-sent events (https://html.spec.whatwg.org/multipage/server-sent-events.html:
 * `data:` lines, an event ends at a blank line) carrying `chat.completion.chunk` objects whose
 * `choices[0].delta.content` is the next piece of text, until `data: [DONE]`
 * (https://platform.openai.com/docs/api-reference/chat-streaming; vLLM's server sends the same,
 * vllm/entrypoints/openai/serving_chat.py). Node's fetch, no client library.
 */

export interface ChatRequest {
  /** Base URL ending in `/v1`. */
  readonly baseUrl: string;
  /** Bearer token; undefined sends no Authorization header (auth none). */
  readonly apiKey?: string;
  /** The served model: the base model's served name or an adapter's name (vLLM `--lora-modules`). */
  readonly model: string;
  readonly prompt: string;
  readonly maxTokens?: number;
  readonly signal?: AbortSignal;
}

/** The server refused or broke the request; the message is one line. */
export class ChatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ChatError";
  }
}

/** `…/v1` for a URL given with or without it (and without a trailing slash). */
export function openAiBase(url: string): string {
  const trimmed = url.replace(/\/+$/, "");
  return /\/v1$/.test(trimmed) ? trimmed : `${trimmed}/v1`;
}

/** The `data` of each event of an SSE stream, in order (multi-line data joined with "\n"). */
export async function* sseData(body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = "";
  let data: string[] = [];
  const lines = function* (final: boolean) {
    for (;;) {
      const nl = buffer.search(/\r\n|\r|\n/);
      if (nl < 0) {
        if (final && buffer !== "") {
          const rest = buffer;
          buffer = "";
          yield rest;
        }
        return;
      }
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + (buffer.startsWith("\r\n", nl) ? 2 : 1));
      yield line;
    }
  };
  const take = function* (line: string): Generator<string> {
    if (line === "") {
      if (data.length > 0) yield data.join("\n");
      data = [];
      return;
    }
    if (line.startsWith(":")) return; // comment (keep-alive)
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") data.push(value);
  };
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    for (const line of lines(false)) yield* take(line);
  }
  buffer += decoder.decode();
  for (const line of lines(true)) yield* take(line);
  if (data.length > 0) yield data.join("\n");
}

function errorText(body: string): string {
  try {
    const json = JSON.parse(body) as { error?: { message?: string } | string; message?: string; detail?: string };
    const msg = typeof json.error === "string" ? json.error : (json.error?.message ?? json.message ?? json.detail);
    if (msg !== undefined) return msg;
  } catch {
    // not JSON: the gateway's or a proxy's plain text
  }
  return body.trim().slice(0, 300);
}

/**
 * Sends the request and calls `onText` with each piece of the answer as it arrives. Resolves with
 * the finish reason (`stop`, `length`, …) once the stream ends.
 */
export async function streamChat(req: ChatRequest, onText: (text: string) => void): Promise<{ finishReason?: string }> {
  const url = `${openAiBase(req.baseUrl)}/chat/completions`;
  const body = {
    model: req.model,
    messages: [{ role: "user", content: req.prompt }],
    stream: true,
    ...(req.maxTokens !== undefined ? { max_tokens: req.maxTokens } : {}),
  };
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", ...(req.apiKey !== undefined ? { authorization: `Bearer ${req.apiKey}` } : {}) },
      body: JSON.stringify(body),
      ...(req.signal !== undefined ? { signal: req.signal } : {}),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new ChatError(`POST ${url} failed: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
  }
  if (!res.ok) {
    const text = errorText(await res.text());
    const hint = res.status === 401 || res.status === 403 ? " (the API key was refused)" : res.status === 404 ? ` (does the service serve model "${req.model}"? GET ${openAiBase(req.baseUrl)}/models lists them)` : "";
    throw new ChatError(`${res.status} ${res.statusText} from ${url}: ${text}${hint}`);
  }
  if (res.body === null) throw new ChatError(`${url} answered ${res.status} without a body`);
  let finishReason: string | undefined;
  for await (const data of sseData(res.body)) {
    if (data === "[DONE]") break;
    let chunk: { choices?: { delta?: { content?: string | null }; finish_reason?: string | null }[]; error?: { message?: string } };
    try {
      chunk = JSON.parse(data);
    } catch {
      throw new ChatError(`the stream sent an event that is not JSON: ${data.slice(0, 200)}`);
    }
    if (chunk.error !== undefined) throw new ChatError(`the server ended the stream with an error: ${chunk.error.message ?? JSON.stringify(chunk.error)}`);
    const choice = chunk.choices?.[0];
    const text = choice?.delta?.content;
    if (typeof text === "string" && text !== "") onText(text);
    if (typeof choice?.finish_reason === "string") finishReason = choice.finish_reason;
  }
  return finishReason !== undefined ? { finishReason } : {};
}
