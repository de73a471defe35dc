"""`python -m evals`: accuracy of the embedded brain's analysis on the labelled chat messages."""

from __future__ import annotations

from .chat import evaluate


def main() -> None:
    report = evaluate()
    for line in report.lines():
        print(line)
    if report.misses:
        print("\nmisses (label: expected → got | text):")
        for miss in report.misses:
            print(f"  {miss}")


if __name__ == "__main__":
    main()
