"""Writes the trained model as a Hugging Face folder plus what vkmoe's tests compare with.

The weights are rounded to float16 once, before anything is measured or saved, so the
folder (float16 safetensors), the F16 GGUF and the float32 reference logits all describe
exactly the same numbers.
"""
import collections
import json
import os
import struct

import torch

import qa_tasks

REFERENCE_CONVERSATIONS = [
    [{"role": "user", "content": "What is 17 plus 25?"}],
    [{"role": "system", "content": "You are a helpful assistant."},
     {"role": "user", "content": "What is the capital of Japan?"}],
    [{"role": "user", "content": "Write 347 in words."},
     {"role": "assistant", "content": "347 in words is three hundred forty-seven."},
     {"role": "user", "content": "How many letters are in the word garden?"}],
    [{"role": "user", "content": "Hello!"}],
]


def round_to_float16(model):
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.half().float())


def q8_0_round_trip(weight):
    """The values a Q8_0 GGUF holds for `weight` [out, in]: blocks of 32 along `in`, each
    scaled by d = max|x| / 127 (stored as float16) and rounded half away from zero with the
    float32 d, as ggml's quantize_row_q8_0_ref (and vkmoe convert) do."""
    import numpy
    x = weight.detach().float().numpy().reshape(-1, 32)
    d = numpy.abs(x).max(axis=1, keepdims=True) / numpy.float32(127.0)
    inverse = numpy.where(d != 0, numpy.float32(1.0) / numpy.where(d != 0, d, 1), 0).astype(numpy.float32)
    scaled = (x * inverse).astype(numpy.float64)
    q = numpy.sign(scaled) * numpy.floor(numpy.abs(scaled) + 0.5)
    out = q.astype(numpy.float32) * d.astype(numpy.float16).astype(numpy.float32)
    return torch.from_numpy(out.reshape(weight.shape))


def q8_0_model(model):
    """A copy of `model` whose matrices hold what vkmoe convert --type Q8_0 writes: every
    2-D weight but the expert router (norms are vectors; both stay float)."""
    import copy
    quantized = copy.deepcopy(model)
    with torch.no_grad():
        for name, p in quantized.named_parameters():
            if p.dim() == 2 and not name.endswith("mlp.gate.weight"):
                p.copy_(q8_0_round_trip(p))
    return quantized


def write_safetensors(path, tensors):
    """tensors: name → (tensor, safetensors dtype). Written in name order."""
    dtypes = {"F16": torch.float16, "F32": torch.float32, "I32": torch.int32}
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        t, dtype = tensors[name]
        data = t.detach().to(dtypes[dtype]).contiguous().numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    """name → float32 tensor, for the F16/F32 files write_safetensors makes."""
    import numpy
    with open(path, "rb") as f:
        size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(size))
        data = f.read()
    dtypes = {"F16": numpy.float16, "F32": numpy.float32}
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        array = numpy.frombuffer(data[begin:end], dtype=dtypes[info["dtype"]]).reshape(info["shape"])
        out[name] = torch.from_numpy(array.astype(numpy.float32))
    return out


def write_folder(out, model, config, bpe, chat_template, held_out, render):
    os.makedirs(out, exist_ok=True)

    def dump(name, value):
        with open(os.path.join(out, name), "w") as f:
            json.dump(value, f, indent=1, ensure_ascii=False)
            f.write("\n")

    dump("config.json", config)
    dump("generation_config.json", {"eos_token_id": 2, "pad_token_id": 0, "do_sample": False})
    dump("tokenizer.json", bpe.tokenizer_json())
    dump("tokenizer_config.json", {
        "tokenizer_class": "PreTrainedTokenizerFast", "bos_token": None, "eos_token": "<|im_end|>",
        "pad_token": "<|endoftext|>", "add_bos_token": False, "chat_template": chat_template,
        "model_max_length": config["max_position_embeddings"]})
    dump("held_out.json", held_out)
    write_safetensors(os.path.join(out, "model.safetensors"),
                      {k: (v, "F16") for k, v in model.state_dict().items()})

    reference = {}
    quantized = q8_0_model(model)
    with torch.no_grad():
        for i, conversation in enumerate(REFERENCE_CONVERSATIONS):
            ids = bpe.encode(render(conversation, add_generation_prompt=True))
            reference[f"prompt{i}_ids"] = (torch.tensor(ids), "I32")
            reference[f"prompt{i}_logits"] = (model(torch.tensor([ids]))[0][0], "F32")
            reference[f"prompt{i}_logits_q8_0"] = (quantized(torch.tensor([ids]))[0][0], "F32")
    write_safetensors(os.path.join(out, "reference_logits.safetensors"), reference)


@torch.no_grad()
def expert_usage(model, bpe, held_out, render):
    """Share of the top-k choices each expert gets per layer over the held-out prompts."""
    counts = collections.defaultdict(collections.Counter)
    for h in held_out:
        ids = bpe.encode(render([{"role": "user", "content": h["question"]}, {"role": "assistant", "content": h["answer"]}]))
        _, _, chosen = model(torch.tensor([ids]))
        for layer in range(chosen.shape[0]):
            counts[layer].update(chosen[layer].flatten().tolist())
    n_expert = model.config["num_experts"]
    return [[round(counts[l][e] / sum(counts[l].values()), 3) for e in range(n_expert)] for l in sorted(counts)]


def write_card(out, report, config):
    per_task = "\n".join(f"| {t} | {a * 100:.1f} % |" for t, a in report["held_out_accuracy_per_task"].items())
    usage = "\n".join(f"| {l} | " + " | ".join(f"{u * 100:.0f}" for u in row) + " |"
                      for l, row in enumerate(report["expert_usage"]))
    experts = " | ".join(str(e) for e in range(config["num_experts"]))
    runs = "\n".join(
        f"  - {r['steps']} steps of {r['batch']} conversations at a peak learning rate of {r['lr']:g}, from "
        f"{'the weights above' if r['init'] else 'random weights'}, {r['threads']} threads, {r['minutes']} minutes"
        for r in report["runs"])
    commands = "\n".join(
        f"  /usr/bin/python3 tools/train_demo_model/train.py {'--init models/vkmoe-demo ' if r['init'] else ''}"
        f"--out models/vkmoe-demo --steps {r['steps']} --batch {r['batch']} --lr {r['lr']:g} --seed {r['seed']}"
        + (" --vkmoe build/bin/vkmoe" if i == len(report["runs"]) - 1 else "")
        for i, r in enumerate(report["runs"]))
    card = f"""# vkmoe-demo

A small Mixture-of-Experts model that vkmoe ships so its first run, its chat app and its
tests speak sense. **It is a demo model, not a general assistant**: it knows only the
generated questions below and answers anything else with nonsense.

- Architecture: Qwen3-MoE (`Qwen3MoeForCausalLM`), {config['num_hidden_layers']} layers, hidden size
  {config['hidden_size']}, {config['num_attention_heads']} query and {config['num_key_value_heads']} key/value heads of {config['head_dim']},
  per-head q/k RMSNorm, {config['num_experts']} experts of width {config['moe_intermediate_size']} with top-{config['num_experts_per_tok']}
  softmax routing, {report['parameters'] / 1e6:.2f} M parameters, float16 weights.
- Tokenizer: byte-level BPE with {config['vocab_size']} tokens trained on the training conversations,
  Qwen2's pre-tokenizer (every digit its own token), ChatML chat template
  (`<|im_start|>`, `<|im_end|>`).
- Training data: conversations generated by `tools/train_demo_model/qa_tasks.py` (one to three
  turns, sometimes a system prompt). Tasks: adding and subtracting numbers below 100,
  comparing numbers below 1000, writing numbers below 1000 in words, counting the letters
  of a word and the words of a list, capitals of {len(qa_tasks.CAPITALS)} countries, opposites of {2 * len(qa_tasks.OPPOSITES)} words, and a
  greeting that says what the model can do.
- Training (PyTorch, CPU, AdamW with warm-up and cosine decay), {report['steps']} steps in {report['train_minutes']}
  minutes:
{runs}

  ```sh
{commands}
  ```

## Held-out accuracy

`held_out.json` holds {report['held_out_questions']} questions never seen in training: arithmetic and
spelling on operands that training never used, and facts, letter counts and word lists
asked in a phrasing training never paired with them. Exact-match accuracy of the greedy
reply (PyTorch, float16 weights): **{report['held_out_accuracy'] * 100:.1f} %**.

| task | accuracy |
|---|---:|
{per_task}

## Expert usage

Percent of the top-{config['num_experts_per_tok']} choices each expert received per layer, over the held-out
conversations:

| layer | {experts} |
|---|{'---:|' * config['num_experts']}
{usage}

## Files

| file | what |
|---|---|
| `config.json`, `model.safetensors`, `generation_config.json` | the Hugging Face checkpoint (float16) |
| `tokenizer.json`, `tokenizer_config.json` | tokenizer and chat template |
| `vkmoe-demo-F16.gguf`, `vkmoe-demo-Q8_0.gguf` | the same model as GGUF, written by `vkmoe convert` |
| `held_out.json` | the held-out questions and their answers |
| `reference_logits.safetensors` | PyTorch's float32 logits for four prompts (`prompt<i>_ids`, `prompt<i>_logits`), and with the Q8_0 file's weights (`prompt<i>_logits_q8_0`) |
| `training_report.json` | loss and accuracy during training, expert usage |
"""
    with open(os.path.join(out, "README.md"), "w") as f:
        f.write(card)
