#!/usr/bin/env python3
"""Stage 1 of the referrer tables: reads Matomo's searchengine-and-social-list (CC0 1.0) and writes
the facts we use from it (host names, paths, search-term parameter names) as a compact snapshot,
crates/core/data/matomo.tsv. The upstream YAML files are not copied into the repository.

    python3 scripts/referrer-lists.py PATH

PATH is a checkout of https://github.com/matomo-org/searchengine-and-social-list (a work tree, or a
bare git directory: the files are then read from its HEAD). Run it when the list changes, then
`scripts/referrer-tables` (stage 2) to regenerate the Rust table; commit both outputs. Standard
library only: the lists use a small YAML subset (block mappings and sequences of plain or quoted
scalars, `[]`), which `read_yaml` reads and anything else stops it with an error.
"""

import os
import subprocess
import sys

FILES = (("SearchEngines.yml", "search"), ("Socials.yml", "social"), ("AIAssistants.yml", "ai"))
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates", "core", "data", "matomo.tsv")


def fail(message):
    sys.exit(f"referrer-lists: {message}")


def scalar(text, where):
    """A plain, single-quoted or double-quoted scalar (no multi-line forms)."""
    text = text.strip()
    if text.startswith("'"):
        if not text.endswith("'") or len(text) < 2:
            fail(f"{where}: unterminated quote")
        return text[1:-1].replace("''", "'")
    if text.startswith('"'):
        if not text.endswith('"') or len(text) < 2:
            fail(f"{where}: unterminated quote")
        body = text[1:-1]
        if "\\" in body:
            fail(f"{where}: escapes in double quotes are not supported")
        return body
    if text[:1] in ("&", "*", "!", "|", ">", "{", "["):
        fail(f"{where}: unsupported YAML: {text!r}")
    return text


def split_key(text, where):
    """`key: value` or `key:` (the key may be quoted); returns (key, rest)."""
    if text[:1] in ("'", '"'):
        end = text.find(text[0], 1)
        while text[0] == "'" and end != -1 and text[end + 1 : end + 2] == "'":
            end = text.find("'", end + 2)
        if end == -1 or text[end + 1 : end + 2] != ":":
            fail(f"{where}: bad key")
        return scalar(text[: end + 1], where), text[end + 2 :].strip()
    key, sep, rest = text.partition(": ") if ": " in text else text.rpartition(":")
    if not sep or (not rest and not text.endswith(":")):
        fail(f"{where}: expected `key:`")
    return key.strip(), rest.strip()


def read_yaml(text, name):
    """Indentation-based reader for the lists' YAML subset."""
    lines = []
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#") or stripped == "---":
            continue
        if "\t" in raw[: len(raw) - len(raw.lstrip())]:
            fail(f"{name}:{number}: tab indentation")
        indent, where = len(raw) - len(raw.lstrip(" ")), f"{name}:{number}"
        rest = stripped[1:].lstrip(" ")
        if stripped.startswith("- ") and not rest.startswith(("'", '"')) and (
            rest.endswith(":") or ": " in rest
        ):
            # `- key: value`: a list item that is a mapping, whose keys line up after the dash.
            lines.append((indent, "-", where))
            lines.append((len(raw) - len(rest), rest, where))
        else:
            lines.append((indent, stripped, where))

    def block(i, indent):
        """Reads the block starting at line i with this indentation; returns (value, next i)."""
        if lines[i][1].startswith("-"):
            items = []
            while i < len(lines) and lines[i][0] == indent and lines[i][1].startswith("-"):
                _, text, where = lines[i]
                rest = text[1:].strip()
                if rest:
                    items.append(scalar(rest, where))
                    i += 1
                elif i + 1 < len(lines) and lines[i + 1][0] > indent:
                    value, i = block(i + 1, lines[i + 1][0])
                    items.append(value)
                else:
                    items.append(None)
                    i += 1
            return items, i
        mapping = {}
        while i < len(lines) and lines[i][0] == indent and not lines[i][1].startswith("-"):
            _, text, where = lines[i]
            key, rest = split_key(text, where)
            if key in mapping:
                fail(f"{where}: duplicate key {key!r}")
            if rest == "[]":
                mapping[key] = []
                i += 1
            elif rest:
                mapping[key] = scalar(rest, where)
                i += 1
            elif i + 1 < len(lines) and (lines[i + 1][0] > indent or lines[i + 1][1].startswith("-")):
                value, i = block(i + 1, lines[i + 1][0])
                mapping[key] = value
            else:
                mapping[key] = None
                i += 1
        return mapping, i

    if not lines:
        return {}
    value, i = block(0, lines[0][0])
    if i != len(lines):
        fail(f"{lines[i][2]}: unexpected indentation")
    return value


def read_source(path, file):
    """A file of the list, from a work tree or from a git directory's HEAD."""
    direct = os.path.join(path, file)
    if os.path.isfile(direct):
        with open(direct, encoding="utf-8") as f:
            return f.read()
    shown = subprocess.run(["git", "--git-dir", git_dir(path), "show", f"HEAD:{file}"],
                           capture_output=True, text=True)
    if shown.returncode != 0:
        fail(f"{file} is neither in {path} nor in its git HEAD")
    return shown.stdout


def git_dir(path):
    dot_git = os.path.join(path, ".git")
    return dot_git if os.path.exists(dot_git) else path


def revision(path):
    shown = subprocess.run(["git", "--git-dir", git_dir(path), "log", "-1", "--format=%H %cs"],
                           capture_output=True, text=True)
    return shown.stdout.strip() if shown.returncode == 0 else "unknown revision"


def host_like(url):
    """A host name, optionally with `{}` placeholders and a path: `google.{}/imgres`."""
    host = url.split("/", 1)[0]
    allowed = set("abcdefghijklmnopqrstuvwxyz0123456789.-{}_")
    return host and "//" not in url and set(host) <= allowed and "." in host


def rows(kind, data, name_of_file):
    out, skipped = [], []
    if not isinstance(data, dict):
        fail(f"{name_of_file}: expected a mapping of names")
    for name, value in data.items():
        if "\t" in name or "\n" in name:
            fail(f"{name_of_file}: bad name {name!r}")
        if kind == "search":
            configs = value or []
            for config in configs:
                if not isinstance(config, dict):
                    fail(f"{name_of_file}: {name}: expected a list of mappings")
                params = [p for p in (config.get("params") or []) if isinstance(p, str)]
                # Regular expressions over the path (`/.../`) are not used: plain parameter names only.
                plain = [p for p in params if not (len(p) > 1 and p.startswith("/") and p.endswith("/"))]
                # `hiddenkeyword`: the engine also refers without a search term (which paths it
                # names is not kept). Without it, a referrer from the engine must carry a term.
                keywordless = "yes" if config.get("hiddenkeyword") else ""
                for url in config.get("urls") or []:
                    url = url.strip().lower()
                    if host_like(url):
                        out.append((kind, name, url, " ".join(plain), keywordless))
                    else:
                        skipped.append(url)
        else:
            for url in value or []:
                url = url.strip().lower()
                if host_like(url):
                    out.append((kind, name, url, "", ""))
                else:
                    skipped.append(url)
    return out, skipped


def main():
    if len(sys.argv) != 2:
        fail("usage: referrer-lists.py PATH-TO-searchengine-and-social-list")
    path = sys.argv[1]
    all_rows, all_skipped = [], []
    for file, kind in FILES:
        data = read_yaml(read_source(path, file), file)
        found, skipped = rows(kind, data, file)
        all_rows += found
        all_skipped += skipped
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write("# Facts from Matomo's searchengine-and-social-list, https://github.com/matomo-org/"
                "searchengine-and-social-list,\n")
        f.write("# licence CC0 1.0 (public domain dedication). Written by scripts/referrer-lists.py "
                "from\n")
        f.write(f"# {revision(path)}; do not edit by hand: our own rows are in ours.tsv.\n")
        f.write("# kind\tname\thost[/path] ({} stands for a country label)\tsearch-term parameters\t"
                "refers without a term\n")
        for row in all_rows:
            f.write("\t".join(row) + "\n")
    print(f"referrer-lists: {len(all_rows)} rows written to {os.path.relpath(OUT)}; "
          f"{len(all_skipped)} entries that are not host names skipped: {', '.join(all_skipped)}")


if __name__ == "__main__":
    main()
