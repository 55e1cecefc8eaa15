#!/usr/bin/env python3
"""Checks that includes follow the layers of tools/layers.conf.

Fails (exit 1, one line per finding) when a file includes a file of a layer its own layer may
not include, when it includes a project file that belongs to no layer, or when folders include
each other in a cycle. `--graph` prints the folder graph instead; `--self-test` checks the
checker on small trees made for it.
"""
import os
import re
import subprocess
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)
SOURCE_SUFFIXES = ('.h', '.cc')


def read_layers(path):
    """Returns ({folder: layer}, {layer: set of layers it may include, itself too})."""
    folders, allowed = {}, {}
    with open(path) as config:
        for number, raw in enumerate(config, 1):
            line = raw.split('#', 1)[0].strip()
            if not line:
                continue
            match = re.fullmatch(r'(\w+):\s*(.*?)\s*->\s*(.*)', line)
            if not match:
                sys.exit(f'{path}:{number}: expected "LAYER: FOLDER... -> LAYER..."')
            layer, owned, below = match.group(1), match.group(2).split(), match.group(3).split()
            for folder in owned:
                folders[folder.rstrip('/')] = layer
            allowed[layer] = set(below) | {layer}
    for layer, below in allowed.items():
        for other in below - set(allowed):
            sys.exit(f'{path}: layer {layer} may include {other}, which is no layer')
    return folders, allowed


def folder_of(path, folders):
    """The longest configured folder holding `path`, or None."""
    best = None
    for folder in folders:
        if path == folder or path.startswith(folder + '/'):
            if best is None or len(folder) > len(best):
                best = folder
    return best


def layer_of(path, folders):
    if path.endswith('_test.cc'):
        return 'tests'
    folder = folder_of(path, folders)
    return folders[folder] if folder else None


def resolve(written, path, known):
    """The project file `#include "written"` in `path` names, found where the compiler looks:
    beside the including file first, then from the root (the build's include folder). None for
    any other file: a system header or a generated one."""
    beside = os.path.normpath(os.path.join(os.path.dirname(path), written))
    if beside in known:
        return beside
    return written if written in known else None


def find_cycles(edges):
    """Every elementary cycle is too many to list; one cycle per strongly connected part."""
    index, low, stack, on_stack, parts = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            part = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                part.append(member)
                if member == node:
                    break
            if len(part) > 1:
                parts.append(sorted(part))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return parts


def check(root, config, files):
    folders, allowed = read_layers(config)
    problems, edges = [], {}
    known = set(files)
    for path in files:
        if not path.endswith(SOURCE_SUFFIXES):
            continue
        layer = layer_of(path, folders)
        if layer is None:
            problems.append(f'{path}: belongs to no layer of {config}')
            continue
        with open(os.path.join(root, path), encoding='utf-8', errors='replace') as source:
            text = source.read()
        for written in INCLUDE.findall(text):
            included = resolve(written, path, known)
            if included is None:
                continue  # a generated file or a system header
            target_layer = layer_of(included, folders)
            if target_layer is None:
                problems.append(f'{path}: includes {included}, which belongs to no layer')
            elif target_layer not in allowed[layer]:
                problems.append(f'{path}: layer {layer} may not include {included} '
                                f'(layer {target_layer})')
            if path.endswith('_test.cc'):
                continue  # tests stand beside what they test but are not part of it
            source_folder = os.path.dirname(path)
            target_folder = os.path.dirname(included)
            if source_folder != target_folder:
                edges.setdefault(source_folder, set()).add(target_folder)
    for part in find_cycles(edges):
        problems.append('folders include each other in a cycle: ' + ', '.join(part))
    return problems, edges


def tracked_files(root):
    listed = subprocess.run(['git', '-C', root, 'ls-files', '--cached', '--others',
                             '--exclude-standard'], capture_output=True, text=True, check=True)
    return [f for f in listed.stdout.split() if os.path.isfile(os.path.join(root, f))]


def self_test():
    """The checker must fail on a wrong include and on a cycle, and pass on a clean tree."""
    config = 'low: low ->\nhigh: high -> low\n'
    trees = {
        'clean': ({'low/a.h': '', 'high/b.h': '#include "low/a.h"\n'}, 0),
        'upward': ({'low/a.h': '#include "high/b.h"\n', 'high/b.h': ''}, 1),
        'cycle': ({'low/x/a.h': '#include "low/y/b.h"\n', 'low/y/b.h': '#include "low/x/a.h"\n'},
                  1),
        'stray': ({'low/a.h': '#include "elsewhere/c.h"\n', 'elsewhere/c.h': ''}, 1),
        'relative': ({'low/a.h': '#include "../high/b.h"\n', 'high/b.h': ''}, 1),
    }
    for name, (tree, wanted) in trees.items():
        with tempfile.TemporaryDirectory() as root:
            for path, text in tree.items():
                os.makedirs(os.path.join(root, os.path.dirname(path)), exist_ok=True)
                with open(os.path.join(root, path), 'w') as out:
                    out.write(text)
            with open(os.path.join(root, 'layers.conf'), 'w') as out:
                out.write(config)
            problems, _ = check(root, os.path.join(root, 'layers.conf'), sorted(tree))
            if (1 if problems else 0) != wanted:
                sys.exit(f'self-test {name}: expected {"problems" if wanted else "none"}, '
                         f'got {problems}')
    print(f'check-layers self-test: {len(trees)} trees judged as expected')


def main():
    root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
    config = os.path.join(root, 'tools', 'layers.conf')
    if '--self-test' in sys.argv[1:]:
        self_test()
        return 0
    problems, edges = check(root, config, tracked_files(root))
    if '--graph' in sys.argv[1:]:
        for source in sorted(edges):
            print(f'{source} -> {" ".join(sorted(edges[source]))}')
        return 0
    for problem in problems:
        print(problem)
    if problems:
        print(f'{len(problems)} layer problems (allowed directions: tools/layers.conf)')
        return 1
    print('layers: every include follows tools/layers.conf')
    return 0


if __name__ == '__main__':
    sys.exit(main())
