// Peer load generator: CreateChatToken through the AWS SDK for JavaScript v3.
// Same CLI and JSON line as build/bin/ivschat-bench (issue 8), so compare.sh
// can put it in the same table. Credentials come from AWS_ACCESS_KEY_ID /
// AWS_SECRET_ACCESS_KEY and are passed explicitly, so no provider chain
// (and no instance-metadata lookup) runs.
import fs from 'node:fs';
import https from 'node:https';
import { createRequire } from 'node:module';
import { CreateChatTokenCommand, IvschatClient } from '@aws-sdk/client-ivschat';
import { NodeHttpHandler } from '@smithy/node-http-handler';

function parseArgs(argv) {
  const options = {
    endpointUrl: '', caBundle: '', requestFile: '', requests: 20000,
    concurrency: 64, connections: 64, warmup: 256,
  };
  const names = {
    '--endpoint-url': ['endpointUrl', String], '--ca-bundle': ['caBundle', String],
    '--request-file': ['requestFile', String], '--requests': ['requests', Number],
    '--concurrency': ['concurrency', Number], '--connections': ['connections', Number],
    '--warmup': ['warmup', Number],
  };
  for (let i = 0; i < argv.length; i += 2) {
    const entry = names[argv[i]];
    if (!entry || i + 1 >= argv.length) throw new Error(`bad argument: ${argv[i]}`);
    const value = entry[1](argv[i + 1]);
    if (entry[1] === Number && !(Number.isInteger(value) && value >= 0)) {
      throw new Error(`${argv[i]} needs a non-negative integer`);
    }
    options[entry[0]] = value;
  }
  if (!options.endpointUrl || !options.caBundle || !options.requestFile) {
    throw new Error('--endpoint-url, --ca-bundle and --request-file are required');
  }
  if (options.requests < 1 || options.concurrency < 1 || options.connections < 1) {
    throw new Error('--requests, --concurrency and --connections must be at least 1');
  }
  return options;
}

// Nearest-rank percentile of an ascending array.
function percentile(sorted, p) {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

const round = (value, digits) => Number(value.toFixed(digits));

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const input = JSON.parse(fs.readFileSync(options.requestFile, 'utf8'));

  let connectionsOpened = 0;
  const agent = new https.Agent({
    keepAlive: true, maxSockets: options.connections, maxFreeSockets: options.connections,
    ca: fs.readFileSync(options.caBundle),
  });
  const createConnection = agent.createConnection.bind(agent);
  agent.createConnection = (...args) => {
    connectionsOpened += 1;
    return createConnection(...args);
  };

  const client = new IvschatClient({
    region: process.env.AWS_REGION || 'us-west-2',
    endpoint: options.endpointUrl,
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID,
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
    },
    requestHandler: new NodeHttpHandler({ httpsAgent: agent }),
  });

  let errors = 0;
  async function runCalls(count, latenciesMs) {
    let next = 0;
    async function worker() {
      for (let index = next++; index < count; index = next++) {
        const start = process.hrtime.bigint();
        try {
          const output = await client.send(new CreateChatTokenCommand(input));
          if (!output.token) throw new Error('response without token');
        } catch (error) {
          errors += 1;
          if (errors <= 3) console.error(`aws-sdk-js-v3: call failed: ${error}`);
        }
        if (latenciesMs) latenciesMs[index] = Number(process.hrtime.bigint() - start) / 1e6;
      }
    }
    const workers = Array.from({ length: Math.min(options.concurrency, count) }, worker);
    await Promise.all(workers);
  }

  if (options.warmup > 0) await runCalls(options.warmup, null);
  errors = 0;
  const connectionsBefore = connectionsOpened;

  const latenciesMs = new Float64Array(options.requests);
  const cpuBefore = process.cpuUsage();
  const wallStart = process.hrtime.bigint();
  await runCalls(options.requests, latenciesMs);
  const wallSeconds = Number(process.hrtime.bigint() - wallStart) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  latenciesMs.sort();

  const cpuUserSeconds = cpu.user / 1e6;
  const cpuSysSeconds = cpu.system / 1e6;
  const require = createRequire(import.meta.url);
  const sdkVersion = require('@aws-sdk/client-ivschat/package.json').version;
  const result = {
    client: 'aws-sdk-js-v3',
    operation: 'create-chat-token',
    requests: options.requests,
    concurrency: options.concurrency,
    wall_s: round(wallSeconds, 4),
    req_per_s: round(options.requests / wallSeconds, 1),
    cpu_user_s: round(cpuUserSeconds, 4),
    cpu_sys_s: round(cpuSysSeconds, 4),
    cpu_us_per_req: round(((cpuUserSeconds + cpuSysSeconds) * 1e6) / options.requests, 2),
    p50_ms: round(percentile(latenciesMs, 50), 3),
    p90_ms: round(percentile(latenciesMs, 90), 3),
    p99_ms: round(percentile(latenciesMs, 99), 3),
    max_ms: round(latenciesMs[latenciesMs.length - 1], 3),
    peak_rss_mb: round(process.resourceUsage().maxRSS / 1024, 1),
    errors,
    connections_opened: connectionsOpened,
    connections_opened_measured_phase: connectionsOpened - connectionsBefore,
    allocs_per_req: null,
    version: `@aws-sdk/client-ivschat ${sdkVersion}, node ${process.version}`,
  };
  agent.destroy();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error) => {
  console.error(`aws-sdk-js-v3: ${error.stack || error}`);
  process.exit(1);
});
