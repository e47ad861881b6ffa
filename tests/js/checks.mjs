// The wire tests' assertions: each check is counted, a failed one printed.
let failures = 0;
let checks = 0;

export function check(condition, what) {
  checks++;
  if (!condition) {
    failures++;
    console.error(`FAIL: ${what}`);
  }
}

export function equal(actual, expected, what) {
  const a = JSON.stringify(actual), e = JSON.stringify(expected);
  check(a === e, `${what}: expected ${e}, got ${a}`);
}

// The counts so far: { checks, failures }.
export function tally() {
  return { checks, failures };
}
