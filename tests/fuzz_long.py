"""The on-demand fuzzing run (issue 7): the properties of ``tests/test_fuzz.py`` with a
large budget, for as long as asked.

    python tests/fuzz_long.py --minutes 12                # every property, in turns
    python tests/fuzz_long.py --minutes 2 --only mutated-rdf,random-bytes

Not collected by pytest (its name is not ``test_*.py``). Each property runs in turns of
``--slice`` seconds, as short hypothesis runs with fresh random seeds and no example
database, until the time is up. It prints, per property, the examples tried, the
distinct failures (each with its falsifying example, shrunk only with ``--shrink``:
every example of a slow property is a store, and shrinking one can take many minutes)
and the time spent, and exits 1 if anything failed. Sockets to hosts other than
loopback are refused and count as failures (nothing here may reach the network).
"""

from __future__ import annotations

import argparse
import socket
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # the working tree, not an installed copy


@dataclass
class Tally:
    """What one property did: examples, time, and failures by signature."""

    examples: int = 0
    seconds: float = 0.0
    runs: int = 0
    failures: dict[str, str] = field(default_factory=dict)  # signature -> report


NETWORK_ATTEMPTS: list[str] = []


def block_network() -> None:
    """Refuse (and record) every connection to a host other than loopback."""
    connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else str(address)
        if self.family in (socket.AF_INET, socket.AF_INET6) and host not in (
            "127.0.0.1", "::1", "localhost"
        ):
            NETWORK_ATTEMPTS.append(f"{host}: {''.join(traceback.format_stack(limit=6))}")
            raise OSError(f"fuzz_long: network access to {host} refused")
        return connect(self, address)

    socket.socket.connect = guarded  # type: ignore[method-assign]


def signature(exc: BaseException) -> str:
    """A failure's identity: its type and the innermost frame of the package or the test."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if "/provenance/" in f.filename or "test_fuzz" in f.filename]
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
    return f"{type(exc).__name__} at {where}"


def record(exc: BaseException, tally: Tally) -> None:
    """Record a failure (each of a group's) once per signature, with its example."""
    if isinstance(exc, BaseExceptionGroup):
        for sub in exc.exceptions:
            record(sub, tally)
        return
    key = signature(exc)
    if key not in tally.failures:
        notes = "\n".join(getattr(exc, "__notes__", []))
        lines = traceback.format_exception_only(type(exc), exc)
        tally.failures[key] = f"{''.join(lines).strip()[:2000]}\n{notes[:3000]}"
        print(f"    FAILURE {key}\n{tally.failures[key]}", flush=True)


def run_chunk(
    strategy: Any, check: Callable[..., None], examples: int, tally: Tally, shrink: bool
) -> None:
    """One short hypothesis run of *check*; a failure is recorded (shrunk if asked: a
    slow property can shrink for many minutes)."""
    from hypothesis import HealthCheck, Phase, given, settings

    def counted(args: Any) -> None:
        tally.examples += 1
        check(*args)

    test = settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
        phases=[Phase.generate, Phase.shrink] if shrink else [Phase.generate],
    )(given(strategy)(counted))
    tally.runs += 1
    try:
        test()
    except Exception as exc:  # noqa: BLE001 - a property's failure, whatever it is
        record(exc, tally)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="how long in all")
    parser.add_argument("--slice", type=float, default=60.0, help="seconds per turn")
    parser.add_argument("--only", default="", help="comma-separated property names")
    parser.add_argument("--chunk", type=int, default=20, help="examples per hypothesis run")
    parser.add_argument("--shrink", action="store_true", help="shrink failing examples")
    args = parser.parse_args(argv)

    block_network()
    import test_fuzz

    chosen = [p for p in test_fuzz.PROPERTIES if not args.only or p[0] in args.only.split(",")]
    if not chosen:
        parser.error(f"no property named {args.only}; "
                     f"choose from {', '.join(p[0] for p in test_fuzz.PROPERTIES)}")
    tallies = {name: Tally() for name, _, _ in chosen}
    start = time.monotonic()
    end = start + args.minutes * 60
    turn = 0
    print(f"fuzzing {len(chosen)} properties for {args.minutes:g} min", flush=True)
    while time.monotonic() < end:
        turn += 1
        for name, strategy, check in chosen:
            if time.monotonic() >= end:
                break
            tally = tallies[name]
            began, before = time.monotonic(), tally.examples
            stop = min(end, began + args.slice)
            while time.monotonic() < stop:
                # As many examples as fit in what is left of the turn (slow properties
                # take a second an example; a fixed chunk would overrun the turn).
                rate = tally.examples / tally.seconds if tally.seconds else 1.0
                so_far = time.monotonic() - began
                fit = int((stop - time.monotonic()) * (rate if not so_far else
                                                       (tally.examples - before) / so_far))
                run_chunk(strategy, check, max(2, min(args.chunk, fit)), tally, args.shrink)
            tally.seconds += time.monotonic() - began
            print(f"turn {turn:>2}  {name:<18} +{tally.examples - before:>5} examples "
                  f"({tally.examples} in all, {len(tally.failures)} failure(s)) "
                  f"at {time.monotonic() - start:7.1f} s", flush=True)
    elapsed = time.monotonic() - start

    print(f"\n{'PROPERTY':<18} {'EXAMPLES':>9} {'RUNS':>5} {'SECONDS':>8} {'EX/S':>6}  FAILURES")
    for name, tally in tallies.items():
        rate = tally.examples / tally.seconds if tally.seconds else 0.0
        print(f"{name:<18} {tally.examples:>9} {tally.runs:>5} {tally.seconds:>8.1f} "
              f"{rate:>6.1f}  {len(tally.failures)}")
    total = sum(t.examples for t in tallies.values())
    failures = sum(len(t.failures) for t in tallies.values())
    print(f"{'all':<18} {total:>9} {'':>5} {elapsed:>8.1f} {total / elapsed:>6.1f}  {failures}")
    print(f"network attempts: {len(NETWORK_ATTEMPTS)}")
    for name, tally in tallies.items():
        for key, report in tally.failures.items():
            print(f"\n--- {name}: {key}\n{report}")
    print(f"\nelapsed {elapsed / 60:.1f} min; {total} examples; {failures} distinct failure(s)")
    return 1 if failures or NETWORK_ATTEMPTS else 0


if __name__ == "__main__":
    sys.exit(main())
