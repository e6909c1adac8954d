// The official `openai` npm package, unchanged, against Castline's /v1.
// Env: CASTLINE_V1 (base URL ending in /v1), CASTLINE_KEY. Prints one JSON line of findings.
import OpenAI from "openai";

const client = new OpenAI({ baseURL: process.env.CASTLINE_V1, apiKey: process.env.CASTLINE_KEY,
  maxRetries: 0 });
const out = {};

const created = await client.videos.create({ prompt: "a kite over a beach", size: "1280x720",
  seconds: "4", model: "sora-2" });
out.created = { id: created.id, status: created.status, size: created.size,
  seconds: created.seconds, object: created.object };
// The JS SDK has no createAndPoll: poll at the pace the server asks for.
let video = created;
const waits = [];
const deadline = Date.now() + 240_000;
while (video.status === "queued" || video.status === "in_progress") {
  if (Date.now() > deadline) throw new Error(`still ${video.status}`);
  const { data, response } = await client.videos.retrieve(created.id).withResponse();
  video = data;
  const pace = Number(response.headers.get("openai-poll-after-ms") ?? 1000);
  waits.push(pace);
  if (video.status === "queued" || video.status === "in_progress") {
    await new Promise((resolve) => setTimeout(resolve, pace));
  }
}
out.final = { status: video.status, progress: video.progress, completed_at: video.completed_at,
  created_at: video.created_at };
out.poll_waits = waits.slice(0, 5);

const listed = [];
for await (const item of client.videos.list({ limit: 1, order: "asc" })) listed.push(item.id);
out.listed = listed;

const content = await client.videos.downloadContent(created.id);
const bytes = new Uint8Array(await content.arrayBuffer());
out.video_bytes = bytes.length;
out.video_ftyp = Buffer.from(bytes.slice(4, 8)).toString("latin1");
const thumb = new Uint8Array(await (await client.videos.downloadContent(created.id,
  { variant: "thumbnail" })).arrayBuffer());
out.thumbnail_jpeg = thumb[0] === 0xff && thumb[1] === 0xd8;
const sheet = new Uint8Array(await (await client.videos.downloadContent(created.id,
  { variant: "spritesheet" })).arrayBuffer());
out.spritesheet_jpeg = sheet[0] === 0xff && sheet[1] === 0xd8;

try {
  await client.videos.retrieve("video_" + "0".repeat(32));
  out.not_found = "no error";
} catch (error) {
  out.not_found = error instanceof OpenAI.NotFoundError ? "NotFoundError" : String(error);
}
try {
  await client.videos.create({ prompt: "a calm lake", size: "1000x1000" });
  out.bad_size = "no error";
} catch (error) {
  out.bad_size = error instanceof OpenAI.BadRequestError ? `BadRequestError:${error.param}`
    : String(error);
}
try {
  await new OpenAI({ baseURL: process.env.CASTLINE_V1, apiKey: "sk-cl-wrong", maxRetries: 0 })
    .videos.list();
  out.bad_key = "no error";
} catch (error) {
  out.bad_key = error instanceof OpenAI.AuthenticationError ? "AuthenticationError"
    : String(error);
}
console.log(JSON.stringify(out));
