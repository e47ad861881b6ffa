// The JavaScript peer of `ivschat-bench --operation chat-fanout --role receive`:
// the same receivers with the official IVS Chat messaging SDK
// (amazon-ivs-chat-messaging, `ws` as Node's WebSocket), one ChatRoom per
// receiver, tokens from CreateChatToken through the AWS SDK for JavaScript.
// It counts the messages of `ivschat-bench --role send` the same way (content
// "fanout SENDER NUMBER SEND_NS ...", then "fanout-end SENDER ACCEPTED"), reads
// its CPU time from /proc/self/stat and its memory from /proc/self/status,
// prints "chat-fanout: ready, ..." on stderr once connected and one JSON line
// with ivschat-bench's fields on stdout. Run by benchmarks/chat_fanout.sh:
//
//   node --expose-gc benchmarks/chat_fanout_js.mjs --endpoint-url URL --messaging-endpoint URL \
//       --room-arn ARN,ARN... --receivers-per-room N --senders-per-room S --rate M --duration D
//
// The packages are tests/js's (package.json, package-lock.json; npm ci there).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const fromTestsJs = createRequire(new URL("../tests/js/package.json", import.meta.url));
const load = async (name) => import(pathToFileURL(fromTestsJs.resolve(name)).href);
const { default: WebSocket } = await load("ws");
const { ChatRoom } = await load("amazon-ivs-chat-messaging");
const { CreateChatTokenCommand, IvschatClient } = await load("@aws-sdk/client-ivschat");
const sdkVersion = JSON.parse(readFileSync(
  new URL("../tests/js/node_modules/amazon-ivs-chat-messaging/package.json", import.meta.url), "utf8")).version;

// The SDK opens `new WebSocket(url, token)` on the global WebSocket, which Node 20 lacks.
globalThis.WebSocket = WebSocket;

const flags = {};
for (let i = 2; i < process.argv.length; i += 2) flags[process.argv[i].replace(/^--/, "")] = process.argv[i + 1];
const arns = (flags["room-arn"] ?? "").split(",").filter(Boolean);
const perRoom = Number(flags["receivers-per-room"] ?? 100);
const senders = Number(flags["senders-per-room"] ?? 1);
const rate = Number(flags.rate ?? 50);
const duration = Number(flags.duration ?? 10);
const messagesPerRoom = Number(flags.messages ?? Math.round(rate * duration));
if (!flags["endpoint-url"] || !flags["messaging-endpoint"] || arns.length === 0) {
  console.error("usage: chat_fanout_js.mjs --endpoint-url URL --messaging-endpoint URL --room-arn ARN[,ARN...] " +
    "[--receivers-per-room N] [--senders-per-room S] [--rate M] [--duration D] [--messages K]");
  process.exit(2);
}

const control = new IvschatClient({
  endpoint: flags["endpoint-url"], region: process.env.AWS_REGION ?? "us-west-2", maxAttempts: 3,
  credentials: {
    accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? "AKIDEXAMPLE",
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  },
});

const ticks = 100;  // USER_HZ
const cpu = () => {
  const fields = readFileSync("/proc/self/stat", "utf8");
  const rest = fields.slice(fields.lastIndexOf(")") + 2).split(" ");  // rest[0] is field 3 (state)
  return { user: Number(rest[11]) / ticks, system: Number(rest[12]) / ticks };
};
const rssKb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))[1]);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const nowNs = () => (performance.timeOrigin + performance.now()) * 1e6;
const settle = async () => {
  // The most favourable reading for the SDK: garbage collected first.
  if (globalThis.gc) globalThis.gc();
  await sleep(500);
};

const tally = {
  delivered: 0, duplicated: 0, finished: 0, errors: 0, firstError: "", latencies: [],
  firstDelivery: 0, lastDelivery: 0, stopping: false,
};
const fail = (what) => {
  tally.errors++;
  if (!tally.firstError) tally.firstError = what;
};

function onMessage(state, content) {
  const parts = content.split(" ", 4);
  const sender = Number(parts[1]);
  if (!(sender >= 0 && sender < senders)) return;
  if (parts[0] === "fanout-end") {
    if (state.accepted[sender] !== undefined) return;
    state.accepted[sender] = Number(parts[2]);
    if (++state.ends === senders) tally.finished++;
    return;
  }
  if (parts[0] !== "fanout") return;
  const number = Number(parts[2]);
  const seen = state.seen[sender];
  if (seen[number]) {
    tally.duplicated++;
    seen[number]++;
    return;
  }
  seen[number] = 1;
  tally.delivered++;
  const now = performance.now();
  if (!tally.firstDelivery) tally.firstDelivery = now;
  tally.lastDelivery = now;
  tally.latencies.push((nowNs() - Number(parts[3])) / 1e6);
}

// One ChatRoom of the SDK per receiver, connected.
async function join(arn, roomIndex, index) {
  const state = { roomIndex, seen: Array.from({ length: senders }, () => []), accepted: [], ends: 0, connects: 0 };
  const room = new ChatRoom({
    regionOrUrl: flags["messaging-endpoint"],
    tokenProvider: async () => {
      const t = await control.send(new CreateChatTokenCommand({ roomIdentifier: arn, userId: `js-receiver-${roomIndex}-${index}` }));
      // tokenExpirationTime left out: with it the SDK replaces the
      // connection 30 s before the token expires (not the benchmark's subject).
      return { token: t.token, sessionExpirationTime: t.sessionExpirationTime };
    },
  });
  room.logger = { debug() {}, info() {}, error() {} };
  room.addListener("message", (message) => onMessage(state, message.content));
  room.addListener("connect", () => state.connects++);
  room.addListener("disconnect", (reason) => {
    if (!tally.stopping) fail(`disconnect: ${reason}`);
  });
  await new Promise((resolve) => {
    room.addListener("connect", resolve);
    room.addListener("disconnect", resolve);
    room.connect();
  });
  if (room.state !== "connected") fail(`js-receiver-${roomIndex}-${index} could not connect`);
  return { room, state };
}

// Warm-up: the AWS SDK's client and connection are not the receivers' memory.
await control.send(new CreateChatTokenCommand({ roomIdentifier: arns[0], userId: "warm-up" }));
await settle();
const rssBefore = rssKb();
const receivers = [];
const plan = arns.flatMap((arn, roomIndex) => Array.from({ length: perRoom }, (_, index) => [arn, roomIndex, index]));
for (let i = 0; i < plan.length; i += 50) receivers.push(...await Promise.all(plan.slice(i, i + 50).map((p) => join(...p))));
await settle();
const rssConnected = rssKb();

const cpuBefore = cpu();
const ready = performance.now();
console.error(`chat-fanout: ready, ${receivers.length} receivers connected`);
const deadline = ready + (duration + 120) * 1000;
while (tally.finished < receivers.length && performance.now() < deadline) {
  if (tally.firstDelivery && performance.now() - tally.lastDelivery > 10000) break;
  await sleep(20);
}
const cpuAfter = cpu();
const rssEnd = rssKb();

// Lost: per room and sender, the accepted count from an end marker minus the
// distinct messages each receiver got.
tally.stopping = true;
const promised = arns.map(() => new Array(senders).fill(undefined));
for (const { state } of receivers)
  state.accepted.forEach((n, s) => { if (n !== undefined) promised[state.roomIndex][s] = n; });
let messagesSent = 0, expected = 0, lost = 0, reconnects = 0;
promised.forEach((room, r) => room.forEach((n, s) => {
  if (n === undefined) fail(`no receiver of room ${r} got the end marker of sender ${s}`);
  messagesSent += n ?? 0;
}));
for (const { state } of receivers) {
  for (let s = 0; s < senders; s++) {
    const want = promised[state.roomIndex][s] ?? 0;
    const got = state.seen[s].reduce((n, times) => n + (times > 0 ? 1 : 0), 0);
    expected += want;
    lost += Math.max(0, want - got);
  }
  reconnects += Math.max(0, state.connects - 1);
}
for (const { room } of receivers) room.disconnect();

const latencies = Float64Array.from(tally.latencies).sort();
const percentile = (p) => latencies.length ? latencies[Math.min(latencies.length, Math.max(1, Math.ceil(p * latencies.length))) - 1] : 0;
const wall = (tally.lastDelivery - tally.firstDelivery) / 1000;
const user = cpuAfter.user - cpuBefore.user, system = cpuAfter.system - cpuBefore.system;
const round = (x, digits) => Number(x.toFixed(digits));
console.log(JSON.stringify({
  client: "amazon-ivs-chat-messaging", version: sdkVersion,
  node: process.versions.node, operation: "chat-fanout", role: "receive",
  rooms: arns.length, receivers_per_room: perRoom, senders_per_room: senders, rate_per_room: rate,
  connections: receivers.length, messages_sent: messagesSent, expected, delivered: tally.delivered, lost,
  duplicated: tally.duplicated, wall_s: round(wall, 3), delivered_per_s: round(wall > 0 ? tally.delivered / wall : 0, 1),
  cpu_scope: "process", cpu_user_s: round(user, 3), cpu_sys_s: round(system, 3),
  cpu_us_per_delivered: round(tally.delivered ? (user + system) * 1e6 / tally.delivered : 0, 3),
  p50_ms: round(percentile(0.5), 3), p99_ms: round(percentile(0.99), 3), max_ms: round(latencies.at(-1) ?? 0, 3),
  rss_before_kb: rssBefore, rss_connected_kb: rssConnected,
  bytes_per_connection: Math.round((rssConnected - rssBefore) * 1024 / receivers.length), rss_end_kb: rssEnd,
  reconnects, errors: tally.errors,
}));
if (tally.firstError) console.error(`chat_fanout_js: ${tally.firstError}`);
process.exit(tally.errors || lost || tally.duplicated || !tally.delivered ? 1 : 0);
