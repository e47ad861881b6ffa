#!/usr/bin/env python3
"""Compiles the C++ code blocks of Markdown files, so that documentation
examples never rot (STYLE.md).

usage: compile_snippets.py --compiler CXX [-I DIR]... FILE.md...

Each ```cpp block becomes one translation unit, compiled with -fsyntax-only
against the headers after a prelude (the public headers' main includes and
`namespace asio = boost::asio;`). By default the block is placed at namespace
scope. An HTML comment on the line before the block chooses a wrapper:

  <!-- snippet: in-function -->    statements inside `void snippet()`
  <!-- snippet: in-coroutine -->   statements inside
                                   `asio::awaitable<void> snippet(ivschat::client& chat, std::string room_arn)`

A block's #include lines are moved before the wrapper. Every failure is reported with the file and line of its block; the exit
status is the number of blocks that did not compile (capped at 1).
"""

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

PRELUDE = """#include <ivschat/client.hpp>
#include <ivschat/paginator.hpp>
#include <ivschat/retry.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <string>

namespace asio = boost::asio;
"""

WRAPPERS = {
    None: ("", ""),
    "in-function": ("void snippet() {\n", "\n}\n"),
    "in-coroutine": ("asio::awaitable<void> snippet(ivschat::client& chat, std::string room_arn) {\n",
                     "\n    co_return;\n}\n"),
}

BLOCK = re.compile(r"^```cpp\n(.*?)^```", re.M | re.S)
MARK = re.compile(r"<!-- snippet: ([a-z-]+) -->\s*$")


def blocks(path):
    text = path.read_text()
    for match in BLOCK.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        before = text[:match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        mark = MARK.search(before)
        wrapper = mark.group(1) if mark else None
        if wrapper not in WRAPPERS:
            raise SystemExit(f"{path}:{line}: unknown snippet wrapper {wrapper!r}")
        yield line, wrapper, match.group(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--compiler", required=True)
    parser.add_argument("-I", dest="includes", action="append", default=[])
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args()
    failures = count = 0
    with tempfile.TemporaryDirectory() as work:
        for path in args.files:
            for line, wrapper, code in blocks(path):
                count += 1
                head, tail = WRAPPERS[wrapper]
                # A block's #include lines go before the wrapper; blank lines
                # keep the block's line numbers.
                lines = code.split("\n")
                includes = "\n".join(l for l in lines if l.startswith("#include"))
                body = "\n".join("" if l.startswith("#include") else l for l in lines)
                tu = Path(work) / f"snippet_{count}.cpp"
                # The #line directive makes errors point into the Markdown file.
                tu.write_text(f"{PRELUDE}{includes}\n{head}#line {line + 1} \"{path}\"\n{body}{tail}")
                command = [args.compiler, "-std=c++20", "-fsyntax-only", "-Wall", "-Wextra",
                           "-Wno-unused-variable", "-Wno-unused-parameter", "-Wno-unused-but-set-variable"]
                command += [f"-I{d}" for d in args.includes] + [str(tu)]
                result = subprocess.run(command, capture_output=True, text=True)
                status = "ok" if result.returncode == 0 else "FAILED"
                print(f"{path}:{line}: {wrapper or 'namespace scope'}: {status}", flush=True)
                if result.returncode != 0:
                    failures += 1
                    sys.stdout.write(result.stderr)
    if count == 0:
        raise SystemExit("no ```cpp blocks found")
    print(f"{count - failures} of {count} snippets compile")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
