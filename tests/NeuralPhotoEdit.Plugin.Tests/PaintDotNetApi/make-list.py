#!/usr/bin/env python3
"""Writes paintdotnet-api.txt: every type and member of Paint.NET's public API, as the API reference names
them (docfx UIDs: full type names, parameter types in parentheses), and every enum's fields with values.

Usage: make-list.py APIDOCS_CHECKOUT > paintdotnet-api.txt
APIDOCS_CHECKOUT is a clone of https://github.com/paintdotnet/apidocs (bare or not); the pages are read
from its last commit (docs/api/*.html).
"""
import html
import pathlib
import re
import subprocess
import sys

repo = pathlib.Path(sys.argv[1])
commit = subprocess.run(["git", "-C", str(repo), "log", "-1", "--format=%H %cs %s"],
                        capture_output=True, text=True, check=True).stdout.strip()

def pages():
    """(name, text) of each PaintDotNet page at HEAD, read through git so a bare clone works too."""
    names = subprocess.run(["git", "-C", str(repo), "ls-tree", "--name-only", "HEAD", "docs/api/"],
                           capture_output=True, text=True, check=True).stdout.split()
    for name in sorted(n for n in names if n.startswith("docs/api/PaintDotNet") and n.endswith(".html")):
        text = subprocess.run(["git", "-C", str(repo), "show", f"HEAD:{name}"],
                              capture_output=True, check=True).stdout.decode("utf-8")
        yield name, text


uids, enum_fields = set(), set()
for _, text in pages():
    uids.update(u for u in re.findall(r'data-uid="([^"*]+)"', text))
    if re.search(r'<h1[^>]*>\s*Enum ', text):
        enum = re.search(r'<h1[^>]*data-uid="([^"]+)"', text).group(1)
        body = html.unescape(re.sub(r"<[^>]+>", " ", text))
        for name, value in re.findall(r"\b([A-Za-z_][A-Za-z0-9_]*) = (-?\d+)\b", body):
            enum_fields.add(f"{enum}.{name} = {value}")

print(f"# Paint.NET's public API as its reference names it: paintdotnet/apidocs {commit}")
print("# Made by make-list.py beside this file; one docfx UID per line, then enum fields with their values.")
for uid in sorted(uids):
    print(html.unescape(uid))
for field in sorted(enum_fields):
    print(field)
