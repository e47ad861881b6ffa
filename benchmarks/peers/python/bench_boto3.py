#!/usr/bin/python3
"""Peer load generator: CreateChatToken through boto3 (Debian python3-boto3).

Same CLI and JSON line as build/bin/ivschat-bench (issue 8), so compare.sh can
put it in the same table. Credentials come from AWS_ACCESS_KEY_ID /
AWS_SECRET_ACCESS_KEY and are passed explicitly, so no provider chain (and no
instance-metadata lookup) runs. Calls run on a pool of --concurrency threads
sharing one client, the way boto3 documents multithreaded use.
"""
import argparse
import json
import math
import os
import resource
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
import botocore
import urllib3.connectionpool
from botocore.config import Config


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--endpoint-url", required=True)
    parser.add_argument("--ca-bundle", required=True)
    parser.add_argument("--request-file", required=True)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--warmup", type=int, default=256)
    args = parser.parse_args()
    if args.requests < 1 or args.concurrency < 1 or args.connections < 1 or args.warmup < 0:
        parser.error("--requests, --concurrency, --connections must be >= 1, --warmup >= 0")
    return args


class ConnectionCounter:
    """Counts TLS connections urllib3 opens, by wrapping HTTPSConnectionPool._new_conn."""

    def __init__(self):
        self.opened = 0
        self._lock = threading.Lock()
        original = urllib3.connectionpool.HTTPSConnectionPool._new_conn
        counter = self

        def counting_new_conn(pool):
            with counter._lock:
                counter.opened += 1
            return original(pool)

        urllib3.connectionpool.HTTPSConnectionPool._new_conn = counting_new_conn


def percentile(sorted_values, p):
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def main():
    args = parse_args()
    with open(args.request_file, encoding="utf-8") as request_file:
        request = json.load(request_file)
    connections = ConnectionCounter()
    client = boto3.client(
        "ivschat",
        region_name=os.environ.get("AWS_REGION", "us-west-2"),
        endpoint_url=args.endpoint_url,
        verify=args.ca_bundle,
        aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
        config=Config(max_pool_connections=args.connections),
    )

    errors = [0]
    errors_lock = threading.Lock()

    def call():
        start = time.perf_counter()
        try:
            if not client.create_chat_token(**request).get("token"):
                raise RuntimeError("response without token")
        except Exception as error:  # every failure is counted, the first few shown
            with errors_lock:
                errors[0] += 1
                if errors[0] <= 3:
                    print(f"boto3: call failed: {error!r}", file=sys.stderr)
        return (time.perf_counter() - start) * 1000.0

    def run_calls(count, pool):
        # A shared iterator bounds the work; each pool thread loops until it is empty.
        tickets = iter(range(count))
        tickets_lock = threading.Lock()
        latencies = []

        def worker():
            own = []
            while True:
                with tickets_lock:
                    if next(tickets, None) is None:
                        break
                own.append(call())
            return own

        for future in [pool.submit(worker) for _ in range(min(args.concurrency, count))]:
            latencies.extend(future.result())
        return latencies

    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        if args.warmup:
            run_calls(args.warmup, pool)
        errors[0] = 0
        connections_before = connections.opened
        usage_before = resource.getrusage(resource.RUSAGE_SELF)
        wall_start = time.perf_counter()
        latencies = run_calls(args.requests, pool)
        wall_seconds = time.perf_counter() - wall_start
        usage_after = resource.getrusage(resource.RUSAGE_SELF)
    latencies.sort()

    cpu_user = usage_after.ru_utime - usage_before.ru_utime
    cpu_sys = usage_after.ru_stime - usage_before.ru_stime
    result = {
        "client": "boto3",
        "operation": "create-chat-token",
        "requests": args.requests,
        "concurrency": args.concurrency,
        "wall_s": round(wall_seconds, 4),
        "req_per_s": round(args.requests / wall_seconds, 1),
        "cpu_user_s": round(cpu_user, 4),
        "cpu_sys_s": round(cpu_sys, 4),
        "cpu_us_per_req": round((cpu_user + cpu_sys) * 1e6 / args.requests, 2),
        "p50_ms": round(percentile(latencies, 50), 3),
        "p90_ms": round(percentile(latencies, 90), 3),
        "p99_ms": round(percentile(latencies, 99), 3),
        "max_ms": round(latencies[-1], 3),
        "peak_rss_mb": round(usage_after.ru_maxrss / 1024, 1),
        "errors": errors[0],
        "connections_opened": connections.opened,
        "connections_opened_measured_phase": connections.opened - connections_before,
        "allocs_per_req": None,
        "version": f"boto3 {boto3.__version__}, botocore {botocore.__version__}, "
                   f"python {sys.version.split()[0]}",
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
