"""Run every benchmark module in this package and print its figures."""

import importlib
import pkgutil

import benchmarks


def main() -> None:
    found = pkgutil.iter_modules(benchmarks.__path__)
    modules = [m.name for m in found if m.name.startswith("bench_")]
    if not modules:
        print("No benchmarks yet: later issues add them (benchmarks/bench_*.py).")
    for name in sorted(modules):
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"== {name}")
        module.run()


if __name__ == "__main__":
    main()
