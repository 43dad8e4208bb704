#!/usr/bin/env python3
"""Runs vkmoe-chat --script under Xvfb and checks what it left behind.

  run_chat_script.py --chat EXE --vkmoe EXE --model PATH --script FILE --work DIR
                     [--width W --height H] [--expect-failure]

The script's @MODEL@ and @WORK@ are replaced. After a passing run: the saved conversation's
replies must equal what `vkmoe run` generates greedily from the same rendered prompt (a reply
the script stopped must be a prefix of it), every screenshot must be a PNG of the window's
size that is not blank, and the Markdown export must hold the conversation.
"""
import argparse
import glob
import json
import os
import shutil
import struct
import subprocess
import sys
import zlib


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def read_png(path):
    """(width, height, rows of RGB bytes) of an 8-bit RGB PNG, unfiltered here (stdlib only)."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail(path + " is not a PNG")
    at, idat, width, height = 8, b"", 0, 0
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            if depth != 8 or color != 2:
                fail("%s: expected 8-bit RGB, got depth %d colour type %d" % (path, depth, color))
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    raw = zlib.decompress(idat)
    stride, rows, prev = width * 3, [], bytearray(width * 3)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - 3] if x >= 3 else 0
            b, c = prev[x], prev[x - 3] if x >= 3 else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, rows


def check_screenshot(path, width, height):
    if not os.path.exists(path):
        fail("no screenshot " + path)
    w, h, rows = read_png(path)
    if (w, h) != (width, height):
        fail("%s is %dx%d, the window is %dx%d" % (path, w, h, width, height))
    colours, counts = set(), {}
    for row in rows[::4]:
        for x in range(0, len(row), 12):
            px = row[x:x + 3]
            colours.add(px)
            counts[px] = counts.get(px, 0) + 1
    most = max(counts.values()) / sum(counts.values())
    # Panels, text and buttons: many colours, no single one covering almost everything.
    if len(colours) < 16 or most > 0.97:
        fail("%s looks blank: %d colours, the commonest covers %.1f%%" % (path, len(colours), most * 100))
    print("screenshot %s: %dx%d, %d colours" % (path, w, h, len(colours)))


def greedy_reply(vkmoe, model, message):
    out = subprocess.run([vkmoe, "run", "--model", model, "--prompt", message["prompt"], "-n",
                          str(message["max_new_tokens"]), "--temp", "0"], capture_output=True, timeout=300)
    if out.returncode != 0:
        fail("vkmoe run failed: " + out.stderr.decode(errors="replace"))
    text = out.stdout.decode("utf-8", errors="replace")
    return text[:-1] if text.endswith("\n") else text


def check_conversation(args, work):
    chats = glob.glob(os.path.join(work, "data", "vkmoe", "chats", "*.json"))
    if len(chats) != 1:
        fail("expected one saved chat, found %d" % len(chats))
    chat = json.load(open(chats[0], encoding="utf-8"))
    if chat["title"] != "Scripted chat" or chat["model"] != args.model:
        fail("saved chat has title %r and model %r" % (chat["title"], chat["model"]))
    replies = [m for m in chat["messages"] if m["role"] == "assistant"]
    if not replies:
        fail("the saved chat has no reply")
    for m in replies:
        if chat["system_prompt"] and chat["system_prompt"] not in m["prompt"]:
            fail("the rendered prompt lacks the system prompt: %r" % m["prompt"])
        expected = greedy_reply(args.vkmoe, args.model, m)
        if m["finish"] == "stopped":
            if not expected.startswith(m["content"]):
                fail("stopped reply %r is not a prefix of vkmoe run's %r" % (m["content"], expected))
        elif m["content"] != expected:
            fail("reply %r differs from vkmoe run's %r for prompt %r" % (m["content"], expected, m["prompt"]))
        print("reply (%s) matches vkmoe run: %r" % (m["finish"], m["content"]))
    markdown = open(os.path.join(work, "chat.md"), encoding="utf-8").read()
    if "# Scripted chat" not in markdown or chat["messages"][0]["content"] not in markdown:
        fail("the Markdown export does not hold the conversation")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--chat", required=True)
    p.add_argument("--vkmoe", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--script", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--width", type=int, default=1100)
    p.add_argument("--height", type=int, default=720)
    p.add_argument("--expect-failure", action="store_true")
    args = p.parse_args()
    work = os.path.abspath(args.work)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    script = open(args.script, encoding="utf-8").read().replace("@MODEL@", args.model).replace("@WORK@", work)
    script_path = os.path.join(work, "run.script")
    open(script_path, "w", encoding="utf-8").write(script)
    env = dict(os.environ, XDG_DATA_HOME=os.path.join(work, "data"), VK_INSTANCE_LAYERS="VK_LAYER_KHRONOS_validation")
    cmd = ["xvfb-run", "-a", "-s", "-screen 0 %dx%dx24" % (args.width + 64, args.height + 64), args.chat,
           "--script", script_path, "--width", str(args.width), "--height", str(args.height)]
    run = subprocess.run(cmd, env=env, capture_output=True, timeout=600)
    output = (run.stdout + run.stderr).decode("utf-8", errors="replace")
    print(output)
    if "Validation Error" in output:
        fail("the validation layer reported an error")
    if args.expect_failure:
        if run.returncode == 0 or "script line" not in output:
            fail("the script should have failed with the line it failed on")
        print("PASS (the script failed as it must)")
        return
    if run.returncode != 0 or "script passed" not in output:
        fail("vkmoe-chat exited with %d" % run.returncode)
    for shot in glob.glob(os.path.join(work, "*.png")):
        check_screenshot(shot, args.width, args.height)
    if not glob.glob(os.path.join(work, "*.png")):
        fail("the script's screenshots are missing")
    check_conversation(args, work)
    print("PASS")


if __name__ == "__main__":
    main()
