#!/usr/bin/python3
"""Trains vkmoe's demo model and exports it as a Hugging Face folder.

    /usr/bin/python3 tools/train_demo_model/train.py --out models/vkmoe-demo --vkmoe build/bin/vkmoe

Everything is generated here: the conversations (qa_tasks.py), a byte-level BPE tokenizer
(byte_bpe.py), a Qwen3-MoE model (qwen3_moe.py) trained on CPU, then the folder, the GGUF
files (through `vkmoe convert`), reference logits for vkmoe's tests, the held-out questions and
the model card. Needs Debian's python3-torch and python3-jinja2.
"""
import argparse
import json
import math
import os
import random
import subprocess
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import byte_bpe  # noqa: E402
import export  # noqa: E402
import qa_tasks  # noqa: E402
from qwen3_moe import Qwen3MoeForCausalLM  # noqa: E402

CHAT_TEMPLATE = (
    "{%- for message in messages %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}")

CONFIG = {
    "architectures": ["Qwen3MoeForCausalLM"],
    "model_type": "qwen3_moe",
    "vocab_size": 768,
    "hidden_size": 128,
    "intermediate_size": 512,
    "moe_intermediate_size": 128,
    "num_hidden_layers": 4,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "head_dim": 32,
    "num_experts": 8,
    "num_experts_per_tok": 2,
    "norm_topk_prob": True,
    "decoder_sparse_step": 1,
    "mlp_only_layers": [],
    "hidden_act": "silu",
    "rms_norm_eps": 1e-6,
    "max_position_embeddings": 512,
    "rope_parameters": {"rope_type": "default", "rope_theta": 10000.0},
    "rope_theta": 10000.0,
    "attention_bias": False,
    "attention_dropout": 0.0,
    "use_sliding_window": False,
    "sliding_window": None,
    "tie_word_embeddings": False,
    "router_aux_loss_coef": 0.01,
    "output_router_logits": False,
    "bos_token_id": None,
    "eos_token_id": 2,
    "pad_token_id": 0,
    "initializer_range": 0.02,
    "use_cache": True,
    "dtype": "float16",
    "torch_dtype": "float16",
}

IM_END = 2


def render(messages, add_generation_prompt=False):
    """What CHAT_TEMPLATE renders (checked against jinja2 in main)."""
    text = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
    return text + ("<|im_start|>assistant\n" if add_generation_prompt else "")


def encode_conversation(bpe, messages):
    """Token ids and a mask of the positions whose next token is learned (assistant replies)."""
    ids, learn = [], []
    for m in messages:
        head = bpe.encode(f"<|im_start|>{m['role']}\n")
        body = bpe.encode(m["content"]) + [IM_END]
        tail = bpe.encode("\n")
        ids += head + body + tail
        learn += [False] * len(head) + [m["role"] == "assistant"] * len(body) + [False] * len(tail)
    # learn[i] says whether ids[i] is a target; predicting it happens at position i - 1.
    return ids, learn


def batches(bpe, rng, size, group=16):
    """`group` batches of `size` conversations at a time, made of conversations of similar
    length, so little of a batch is padding."""
    rows = sorted((encode_conversation(bpe, qa_tasks.conversation(rng)) for _ in range(size * group)),
                  key=lambda r: len(r[0]))
    order = list(range(group))
    rng.shuffle(order)
    for g in order:
        chunk = rows[g * size:(g + 1) * size]
        t = max(len(ids) for ids, _ in chunk)
        inputs = torch.zeros(size, t - 1, dtype=torch.long)
        targets = torch.full((size, t - 1), -100, dtype=torch.long)
        for i, (ids, learn) in enumerate(chunk):
            row = torch.tensor(ids)
            inputs[i, :len(ids) - 1] = row[:-1]
            targets[i, :len(ids) - 1] = torch.where(torch.tensor(learn[1:]), row[1:], torch.tensor(-100))
        yield inputs, targets


def training_batches(bpe, rng, size):
    while True:
        yield from batches(bpe, rng, size)


@torch.no_grad()
def greedy_answers(model, bpe, questions, max_new=48):
    """Greedy replies through the chat template, batched with right padding: a sequence's
    padding only ever follows its own tokens, so the causal mask keeps it out."""
    prompts = [bpe.encode(render([{"role": "user", "content": q}], add_generation_prompt=True)) for q in questions]
    lengths = [len(p) for p in prompts]
    seq = torch.zeros(len(prompts), max(lengths) + max_new, dtype=torch.long)
    for i, p in enumerate(prompts):
        seq[i, :len(p)] = torch.tensor(p)
    pos = torch.tensor(lengths)
    done = torch.zeros(len(prompts), dtype=torch.bool)
    rows = torch.arange(len(prompts))
    for _ in range(max_new):
        logits, _, _ = model(seq[:, :int(pos.max())])
        nxt = logits[rows, pos - 1].argmax(-1)
        active = ~done
        seq[rows[active], pos[active]] = nxt[active]
        done |= active & (nxt == IM_END)
        pos = torch.where(done, pos, pos + 1)
        if done.all():
            break
    answers = []
    for i, p in enumerate(prompts):
        out = seq[i, len(p):].tolist()
        answers.append(bpe.decode(out[:out.index(IM_END)] if IM_END in out else out))
    return answers


def accuracy(model, bpe, held_out):
    answers = greedy_answers(model, bpe, [h["question"] for h in held_out])
    per_task = {}
    for h, a in zip(held_out, answers):
        right, total = per_task.get(h["task"], (0, 0))
        per_task[h["task"]] = (right + (a == h["answer"]), total + 1)
    right = sum(r for r, _ in per_task.values())
    return right / len(held_out), {t: r / n for t, (r, n) in per_task.items()}, answers


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="model folder to write")
    ap.add_argument("--vkmoe", help="the vkmoe binary: also write the F16 and Q8_0 GGUF files with `vkmoe convert`")
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--batch", type=int, default=48)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--init", help="a folder this script wrote: start from its weights and carry its training "
                                   "history (with --steps 0: evaluate and export it again)")
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)
    started = time.time()

    import jinja2  # the chat template must render what training saw
    probe = qa_tasks.conversation(random.Random(0))
    env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True)
    assert env.from_string(CHAT_TEMPLATE).render(messages=probe, add_generation_prompt=True) == render(probe, True)

    held_out = qa_tasks.held_out_questions(per_task=40, seed=args.seed + 1000)
    corpus = [render(qa_tasks.conversation(rng)) for _ in range(20000)]
    bpe = byte_bpe.ByteBpe.train(corpus, CONFIG["vocab_size"])
    print(f"tokenizer: {len(bpe.vocab)} tokens, {len(bpe.merges)} merges ({time.time() - started:.0f} s)", flush=True)

    model = Qwen3MoeForCausalLM(CONFIG)
    for name, p in model.named_parameters():
        if p.dim() > 1:
            torch.nn.init.normal_(p, std=CONFIG["initializer_range"])
    n_params = sum(p.numel() for p in model.parameters())
    print(f"model: {n_params / 1e6:.2f} M parameters", flush=True)
    history, runs, earlier_minutes, earlier_steps = [], [], 0.0, 0
    if args.init:
        with open(os.path.join(args.init, "tokenizer.json")) as f:
            assert json.load(f)["model"]["merges"] == bpe.tokenizer_json()["model"]["merges"], "tokenizer differs"
        model.load_state_dict(export.read_safetensors(os.path.join(args.init, "model.safetensors")))
        with open(os.path.join(args.init, "training_report.json")) as f:
            earlier = json.load(f)
        # Accuracy is measured on the exported weights below; only the loss curve carries over.
        history = [{k: v for k, v in h.items() if k != "held_out_accuracy"} for h in earlier["history"]]
        earlier_minutes, earlier_steps = earlier["train_minutes"], earlier["steps"]
        runs = earlier["runs"]

    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.95), weight_decay=0.01)
    warmup = max(1, args.steps // 20)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warmup) * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * s / max(1, args.steps)))))
    stream = training_batches(bpe, rng, args.batch)
    for step in range(1, args.steps + 1):
        inputs, targets = next(stream)
        learned = targets.reshape(-1) != -100
        hidden, balance, _ = model(inputs, logits=False)
        logits = model.lm_head(hidden.reshape(-1, hidden.shape[-1])[learned])
        loss = torch.nn.functional.cross_entropy(logits, targets.reshape(-1)[learned])
        total = loss + CONFIG["router_aux_loss_coef"] * balance
        opt.zero_grad(set_to_none=True)
        total.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        schedule.step()
        if step % 100 == 0 or step == args.steps:
            entry = {"step": earlier_steps + step, "loss": round(loss.item(), 4), "balance": round(balance.item(), 3),
                     "minutes": round(earlier_minutes + (time.time() - started) / 60, 1)}
            if step % 500 == 0 or step == args.steps:
                entry["held_out_accuracy"] = round(accuracy(model, bpe, held_out)[0], 4)
            history.append(entry)
            print(json.dumps(entry), flush=True)
    train_minutes = earlier_minutes + (time.time() - started) / 60
    if args.steps > 0:
        runs.append({"steps": args.steps, "batch": args.batch, "lr": args.lr, "seed": args.seed, "threads": args.threads,
                     "minutes": round((time.time() - started) / 60, 1), "init": bool(args.init)})

    export.round_to_float16(model)
    acc, per_task, answers = accuracy(model, bpe, held_out)
    print(f"held-out accuracy after rounding to float16: {acc:.4f} {per_task}", flush=True)
    for h, a in zip(held_out, answers):
        if a != h["answer"]:
            print(f"  wrong: {h['question']!r} -> {a!r} (expected {h['answer']!r})")
    export.write_folder(args.out, model, CONFIG, bpe, CHAT_TEMPLATE, held_out, render)
    usage = export.expert_usage(model, bpe, held_out, render)
    report = {"parameters": n_params, "train_minutes": round(train_minutes, 1), "steps": earlier_steps + args.steps,
              "runs": runs, "held_out_questions": len(held_out), "held_out_accuracy": acc,
              "held_out_accuracy_per_task": per_task, "history": history, "expert_usage": usage}
    with open(os.path.join(args.out, "training_report.json"), "w") as f:
        json.dump(report, f, indent=1)
    if args.vkmoe:
        for t in ["F16", "Q8_0"]:
            subprocess.run([args.vkmoe, "convert", "--model", args.out, "--type", t,
                            "--out", os.path.join(args.out, f"vkmoe-demo-{t}.gguf")], check=True)
    export.write_card(args.out, report, CONFIG)
    print(f"done in {(time.time() - started) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
