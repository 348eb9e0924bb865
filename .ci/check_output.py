"""Check `stance score` output on the seed article: offsets, one record per gold sentence,
and (with --same-as) identical labels and probabilities to another run."""

import argparse
import json
import sys

parser = argparse.ArgumentParser()
parser.add_argument("text")
parser.add_argument("gold")
parser.add_argument("output")
parser.add_argument("--same-as")
args = parser.parse_args()

text = open(args.text, encoding="utf-8").read()
gold = [json.loads(line) for line in open(args.gold, encoding="utf-8") if line.strip()]
rows = [json.loads(line) for line in open(args.output, encoding="utf-8") if line.strip()]
problems = []
if [(r["start"], r["end"]) for r in rows] != [(g["start"], g["end"]) for g in gold]:
    problems.append(f"sentence regions differ from gold: {len(rows)} records for {len(gold)} gold sentences")
for row in rows:
    if text[row["start"]:row["end"]] != row["text"]:
        problems.append(f"record {row['index']}: text[start:end] != text")
    if abs(sum(row["probabilities"].values()) - 1) > 1e-9:
        problems.append(f"record {row['index']}: probabilities do not sum to 1")
if args.same_as:
    other = [json.loads(line) for line in open(args.same_as, encoding="utf-8") if line.strip()]
    worst = max(abs(a["probabilities"][k] - b["probabilities"][k])
                for a, b in zip(rows, other) for k in a["probabilities"])
    if [r["label"] for r in rows] != [r["label"] for r in other] or worst > 1e-9:
        problems.append(f"predictions differ from {args.same_as} (largest probability gap {worst:.2e})")
    else:
        print(f"identical labels; largest probability gap {worst:.2e}")
if problems:
    sys.exit("\n".join(problems))
print(f"{len(rows)} records, offsets match the {len(gold)} gold sentences")
