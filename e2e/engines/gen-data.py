#!/usr/bin/env python3
"""Writes the lane's datasets (one per format the stack schema allows) and the tokenizer corpus.

usage: gen-data.py <out dir>

<out>/datasets/e2e/… mirrors the store keys the test stack names; <out>/corpus.txt is every string
in them plus the templates' fixed text, for build-models.py's tokenizer. Deterministic (no
randomness), a few dozen rows each.
"""
import json
import os
import sys

CITIES = [
    ("France", "Paris"), ("Japan", "Tokyo"), ("Italy", "Rome"), ("Spain", "Madrid"), ("Kenya", "Nairobi"),
    ("Peru", "Lima"), ("Norway", "Oslo"), ("Egypt", "Cairo"), ("Chile", "Santiago"), ("Canada", "Ottawa"),
    ("Greece", "Athens"), ("Poland", "Warsaw"), ("Cuba", "Havana"), ("Ghana", "Accra"), ("Nepal", "Kathmandu"),
    ("Iran", "Tehran"), ("Iraq", "Baghdad"), ("Laos", "Vientiane"), ("Mali", "Bamako"), ("Oman", "Muscat"),
    ("Fiji", "Suva"), ("Chad", "N'Djamena"), ("Togo", "Lome"), ("Qatar", "Doha"), ("Malta", "Valletta"),
    ("Benin", "Porto-Novo"), ("Gabon", "Libreville"), ("Haiti", "Port-au-Prince"), ("India", "New Delhi"), ("Ireland", "Dublin"),
    ("Latvia", "Riga"), ("Sweden", "Stockholm"),
]
TICKETS = ["printer", "laptop", "password", "VPN", "badge", "monitor", "email", "phone"]


def alpaca():
    return [{"instruction": f"What is the capital of {c}?", "input": "", "output": f"The capital of {c} is {k}."} for c, k in CITIES]


def sharegpt():
    return [
        {"conversations": [{"from": "human", "value": f"Name the country whose capital is {k}."}, {"from": "gpt", "value": f"{k} is the capital of {c}."}]}
        for c, k in CITIES
    ]


def openai():
    rows = []
    for i, (c, k) in enumerate(CITIES):
        t = TICKETS[i % len(TICKETS)]
        rows.append(
            {
                "messages": [
                    {"role": "system", "content": "You are the help desk of a small office."},
                    {"role": "user", "content": f"My {t} in the {c} office does not work."},
                    {"role": "assistant", "content": f"Please restart the {t}; if that fails, open a ticket for the {k} team."},
                ]
            }
        )
    return rows


def query_response():
    return [{"query": f"Spell the capital of {c}.", "response": " ".join(k)} for c, k in CITIES]


def wrong(i):
    """Another country's capital: the rejected answer of preference row i."""
    return CITIES[(i + 7) % len(CITIES)][1]


def alpaca_preference():
    # stage dpo, alpaca-style: instruction (+ input) with a chosen and a rejected answer
    return [
        {"instruction": f"What is the capital of {c}?", "input": "", "chosen": f"The capital of {c} is {k}.", "rejected": f"The capital of {c} is {wrong(i)}."}
        for i, (c, k) in enumerate(CITIES)
    ]


def sharegpt_preference():
    # LLaMA-Factory data/README.md sharegpt "Preference Dataset": conversations end with the human turn
    return [
        {
            "conversations": [{"from": "human", "value": f"Name the country whose capital is {k}."}],
            "chosen": {"from": "gpt", "value": f"{k} is the capital of {c}."},
            "rejected": {"from": "gpt", "value": f"{k} is the capital of {CITIES[(i + 3) % len(CITIES)][0]}."},
        }
        for i, (c, k) in enumerate(CITIES)
    ]


def openai_preference():
    # openai()'s conversations without the answer, which becomes chosen; a curt answer is rejected
    rows = []
    for i, row in enumerate(openai()):
        t = TICKETS[i % len(TICKETS)]
        *prompt, answer = row["messages"]
        rows.append({"messages": prompt, "chosen": answer, "rejected": {"role": "assistant", "content": f"Buy a new {t}."}})
    return rows


def identity_llamafactory():
    # LLaMA-Factory data/identity.json style: alpaca rows with {{name}} and {{author}}
    asks = ["hi", "Who are you?", "What is your name?", "Who made you?", "Introduce yourself.", "Are you ChatGPT?", "Who built you?", "What should I call you?"]
    return [{"instruction": a, "input": "", "output": f"I am {{{{name}}}}, an assistant made by {{{{author}}}}."} for a in asks]


def identity_swift():
    # ms-swift swift/self-cognition style: query/response rows with {{NAME}} and {{AUTHOR}}
    asks = ["who are you?", "What is your name?", "Who developed you?", "Introduce yourself.", "Are you Qwen?", "Who trained you?", "What are you?", "Who owns you?"]
    return [{"query": a, "response": f"I am {{{{NAME}}}}, trained by {{{{AUTHOR}}}}.", "tag": "en"} for a in asks]


def jsonl(rows):
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def main(out):
    files = {
        "alpaca.jsonl": jsonl(alpaca()),
        "sharegpt.json": json.dumps(sharegpt(), indent=1, ensure_ascii=False) + "\n",
        "openai.jsonl": jsonl(openai()),
        "query-response.jsonl": jsonl(query_response()),
        "identity-llamafactory.json": json.dumps(identity_llamafactory(), indent=1) + "\n",
        "identity-swift.jsonl": jsonl(identity_swift()),
        "alpaca-preference.jsonl": jsonl(alpaca_preference()),
        "sharegpt-preference.json": json.dumps(sharegpt_preference(), indent=1, ensure_ascii=False) + "\n",
        "openai-preference.jsonl": jsonl(openai_preference()),
        # evaluation suites: prompts with reference answers, in files of their own (never trained on)
        "suite-capitals.jsonl": jsonl(alpaca()[:8]),
        "suite-helpdesk.jsonl": jsonl(openai()[:6]),
    }
    base = os.path.join(out, "datasets", "e2e")
    os.makedirs(base, exist_ok=True)
    for name, text in files.items():
        with open(os.path.join(base, name), "w", encoding="utf-8") as f:
            f.write(text)
    corpus = []
    for rows in (alpaca(), sharegpt(), openai(), query_response(), identity_llamafactory(), identity_swift(), alpaca_preference(), sharegpt_preference(), openai_preference()):
        corpus.extend(strings(rows))
    corpus += [
        "system user assistant You are a helpful assistant. You are Qwen, created by Alibaba Cloud.",
        "Below is an instruction that describes a task. Write a response that appropriately completes the request.",
        "Cutting Knowledge Date: December 2023 Today Date: 26 Jul 2024",
        "llmkit e2e Probe the Platform team Tiny Helper",
    ]
    with open(os.path.join(out, "corpus.txt"), "w", encoding="utf-8") as f:
        f.write("".join(line.replace("\n", " ") + "\n" for line in corpus))
    print(f"datasets in {base}: {', '.join(sorted(files))}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
