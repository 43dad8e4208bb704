#!/usr/bin/python3
"""Reference renderer for vkmoe's chat-template tests.

Renders a Jinja chat template the way Hugging Face transformers' apply_chat_template does
(src/transformers/utils/chat_template_utils.py): jinja2's ImmutableSandboxedEnvironment
with trim_blocks and lstrip_blocks and the loopcontrols extension, transformers' own
`tojson` filter (json.dumps with ensure_ascii=False), and the globals raise_exception and
strftime_now. Variables: messages, tools, documents, add_generation_prompt, the special
tokens that are set, then any extra keyword arguments, which override.

usage: render.py TEMPLATE CASE.json
       render.py --batch JOBS.json
CASE.json: {"messages": [...], "add_generation_prompt": bool, "bos_token": str|null,
            "eos_token": str|null, "extra": {...}}
The first form prints the rendered text (UTF-8, nothing added); on a template error it
prints "<ExceptionType>: <message>" to stderr and exits 3. The batch form (one process for
a whole test suite) reads {"templates": [SOURCE, ...], "jobs": [{"template": INDEX,
"case": CASE}, ...]} and prints a JSON list of {"ok": true, "text": ...} or
{"ok": false, "error": ...}, one per job.
"""
import json
import sys
from datetime import datetime

import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(format):
    return datetime.now().strftime(format)


class GenerationBlock(jinja2.ext.Extension):
    """transformers' {% generation %} tag: renders its body in place."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return jinja2.nodes.CallBlock(self.call_method("_render"), [], [], body).set_lineno(lineno)

    def _render(self, caller):
        return caller()


def make_environment():
    env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[GenerationBlock, jinja2.ext.loopcontrols]
    )
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def render(env, source, case):
    kwargs = {}
    for name in ("bos_token", "eos_token"):
        if case.get(name) is not None:
            kwargs[name] = case[name]
    extra = dict(case.get("extra", {}))
    # apply_chat_template takes tools and documents as its own arguments, the rest as kwargs.
    tools = extra.pop("tools", None)
    documents = extra.pop("documents", None)
    kwargs.update(extra)
    return env.from_string(source).render(
        messages=case["messages"],
        tools=tools,
        documents=documents,
        add_generation_prompt=case.get("add_generation_prompt", True),
        **kwargs,
    )


def main():
    env = make_environment()
    if sys.argv[1] == "--batch":
        with open(sys.argv[2], encoding="utf-8") as f:
            batch = json.load(f)
        results = []
        for job in batch["jobs"]:
            try:
                source = batch["templates"][job["template"]]
                results.append({"ok": True, "text": render(env, source, job["case"])})
            except Exception as e:  # every failure is an outcome the test compares
                results.append({"ok": False, "error": f"{type(e).__name__}: {e}"})
        sys.stdout.write(json.dumps(results, ensure_ascii=True))
        return
    with open(sys.argv[1], encoding="utf-8", newline="") as f:
        source = f.read()
    with open(sys.argv[2], encoding="utf-8") as f:
        case = json.load(f)
    try:
        text = render(env, source, case)
    except Exception as e:  # every failure is an outcome the test compares
        sys.stderr.write(f"{type(e).__name__}: {e}\n")
        sys.exit(3)
    sys.stdout.buffer.write(text.encode("utf-8"))


if __name__ == "__main__":
    main()
