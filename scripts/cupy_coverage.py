#!/usr/bin/env python3
"""cupy_coverage.py - which of CuPy's public names gpuarray has: CuPy's
top-level names (``cupy.X``) and the members of ``cupy.ndarray``, each
looked up in gpuarray (``hasattr(gpuarray, name)``,
``hasattr(gpuarray.ndarray, name)``), with the missing ones grouped by the
CuPy submodule they come from (``_creation``, ``_math``, ``_sorting``, ...).

    .venv/bin/python scripts/cupy_coverage.py              # counts per group
    .venv/bin/python scripts/cupy_coverage.py --markdown   # the note's tables
    .venv/bin/python scripts/cupy_coverage.py --json > before.json
    .venv/bin/python scripts/cupy_coverage.py --markdown --before before.json
    .venv/bin/python scripts/cupy_coverage.py --markdown --reasons reasons.txt

Where CuPy's names come from (``--source``, default ``auto``: the first that
is there):

- ``installed``: an installed ``cupy`` package, read as source without being
  imported (importing it needs CUDA): ``cupy/__init__.py`` and, where the
  installation has them, ``cupy/_core/core.pyx`` and ``core.pxd``. A wheel
  ships no .pyx; then ``cupy.ndarray`` is imported for its members, and
  failing that the cached list of the same CuPy version is used.
- ``cache``: scripts/cupy_names_<version>.txt, committed, so that the script
  runs offline and on machines without CuPy.
- ``sdist``: CuPy's source distribution from PyPI (``pip download --no-deps
  --no-binary=cupy cupy==<version>``, about 4 MB for 14.0.0; pip builds the
  package metadata in an isolated environment on the way, which fetches
  CuPy's build requirements as wheels), or a tarball already on disk
  (``--sdist PATH``). Reading an sdist rewrites the cache file.

How the names are read:

- Top level: ``cupy/__init__.py`` parsed with ``ast``. Every public name the
  module body binds: ``from M import x [as y]`` (origin M), ``import``,
  assignments (an alias such as ``permute_dims = transpose`` takes the origin
  of what it names), ``def`` and ``class``, including those inside
  module-level ``if``/``try``/``with`` blocks (both sides of CuPy's NumPy 1/2
  shims bind the same names). ``from __future__`` and private names (leading
  underscore) are skipped, and so are the NumPy 1 aliases that CuPy serves
  only through its module ``__getattr__`` (``int0``, ``uint0``, ``bool8``).
- ndarray: the Cython class ``_ndarray_base`` in ``cupy/_core/core.pyx`` and
  its subclass ``ndarray``, read with regular expressions: ``def``/``cpdef``
  methods, ``property`` blocks and class attributes such as
  ``__array_priority__`` (``cdef`` methods are invisible to Python), plus
  the ``readonly``/``public`` attributes declared in ``core.pxd``. Cython's
  special methods are translated to the Python names they provide:
  ``__richcmp__`` to the six comparisons, ``__nonzero__`` to ``__bool__``, a
  binary operator written ``__add__(x, y)`` (CuPy builds with
  ``c_api_binop_methods=True``) also to ``__radd__``; Python 2's
  ``__div__``, ``__idiv__``, ``__oct__``, ``__hex__`` and the C buffer slots
  are dropped.
"""
import argparse
import ast
import importlib.util
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_VERSION = '14.0.0'

# Files of CuPy's source tree that the names are read from.
INIT_PY = 'cupy/__init__.py'
CORE_PYX = 'cupy/_core/core.pyx'
CORE_PXD = 'cupy/_core/core.pxd'
VERSION_PY = 'cupy/_version.py'


def cache_path(version):
    return os.path.join(HERE, 'cupy_names_%s.txt' % version)


# --- cupy/__init__.py -------------------------------------------------------

def _module_level_statements(body):
    """The statements executed at import time of a module, with those inside
    module-level if/try/with blocks (never function or class bodies)."""
    for node in body:
        yield node
        if isinstance(node, ast.If):
            yield from _module_level_statements(node.body)
            yield from _module_level_statements(node.orelse)
        elif isinstance(node, ast.Try):
            for block in [node.body, node.orelse, node.finalbody] + [h.body for h in node.handlers]:
                yield from _module_level_statements(block)
        elif isinstance(node, ast.With):
            yield from _module_level_statements(node.body)


def _origin_of_value(value, origins):
    """Where an assigned value comes from: the origin of the name (or dotted
    name) it refers to, the submodule of a ``_lazy_import('cupy.x')`` call,
    else cupy's own __init__."""
    parts = []
    while isinstance(value, ast.Attribute):
        parts.append(value.attr)
        value = value.value
    if isinstance(value, ast.Name) and value.id in origins:
        base = origins[value.id]
        # An attribute of a module names something in that module (or in a
        # module below it): `_core.fusion.fuse` is from cupy._core.fusion.
        return '.'.join([base] + list(reversed(parts[1:]))) if parts else base
    if (isinstance(value, ast.Call) and len(value.args) == 1 and
            isinstance(value.args[0], ast.Constant) and isinstance(value.args[0].value, str) and
            value.args[0].value.startswith('cupy.')):
        return value.args[0].value
    return 'cupy'


def _assigned_names(target):
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for t in target.elts for n in _assigned_names(t)]
    return []


def top_level_names(init_source):
    """{public name: module it comes from} for the names cupy/__init__.py
    binds; 'cupy' for those it defines itself, 'cupy.fft' (say) for a
    submodule bound under its own name."""
    origins = {}   # every bound name, private ones too, so that aliases resolve

    def bind(name, origin):
        origins.setdefault(name, origin)   # the first binding says where it is from

    for node in _module_level_statements(ast.parse(init_source).body):
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            if node.module == '__future__':
                continue             # compiler directives, not CuPy's names
            for alias in node.names:
                if alias.name == '*':
                    raise SystemExit('cupy/__init__.py has a star import (from %s import *): '
                                     'its names cannot be read statically' % node.module)
                module = node.module
                if module == 'cupy':
                    module = 'cupy.' + alias.name    # `from cupy import fft`: the submodule
                bind(alias.asname or alias.name, module)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bind(alias.asname, alias.name)
                else:
                    bind(alias.name.split('.')[0], alias.name.split('.')[0])
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if node.value is None:
                continue
            origin = _origin_of_value(node.value, origins)
            for target in targets:
                for name in _assigned_names(target):
                    bind(name, origin)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bind(node.name, 'cupy')
    return {name: origin for name, origin in origins.items() if not name.startswith('_')}


def group_of(name, origin):
    """The table group of a top-level name: the CuPy subpackage it comes
    from (`_math`, `lib`, ...), 'numpy' for what CuPy re-exports from NumPy,
    '__init__' for what cupy/__init__.py defines, 'submodules' for cupy.fft
    and its like."""
    if origin == 'cupy.' + name:
        return 'submodules'
    if origin == 'cupy':
        return '__init__'
    if origin.split('.')[0] == 'numpy':
        return 'numpy (re-exported)'
    parts = origin.split('.')
    return parts[1] if parts[0] == 'cupy' and len(parts) > 1 else origin


# --- cupy/_core/core.pyx and core.pxd ----------------------------------------

_CLASS_LINE = re.compile(r'^(?:cdef\s+)?class\s+(\w+)\b')
_METHOD_LINE = re.compile(r'^    (def|cpdef)\s+(?:[\w.]+\s+)??(\w+)\s*\(\s*(\w*)')
_PROPERTY_LINE = re.compile(r'^    property\s+(\w+)\s*:')
_CLASS_ATTRIBUTE_LINE = re.compile(r'^    (\w+)\s*=')
# Class bookkeeping that every class has; not API.
_HOUSEKEEPING = {'__module__', '__slots__', '__doc__', '__qualname__'}
_ATTRIBUTE_LINE = re.compile(r'^\s+(?:readonly|public)\s+[\w.]+\s+(\w+)\s*$')

# Cython spellings that are not the Python attribute they provide.
_CYTHON_SPECIAL = {
    '__richcmp__': ['__eq__', '__ne__', '__lt__', '__le__', '__gt__', '__ge__'],
    '__nonzero__': ['__bool__'],
    # Python 2 only, and C buffer slots with no Python attribute.
    '__div__': [], '__idiv__': [], '__oct__': [], '__hex__': [],
    '__getbuffer__': [], '__releasebuffer__': [],
}
_BINARY_OPERATORS = {'add', 'sub', 'mul', 'matmul', 'truediv', 'floordiv', 'mod', 'divmod',
                     'pow', 'lshift', 'rshift', 'and', 'or', 'xor'}


def _python_names(name, first_parameter):
    if name in _CYTHON_SPECIAL:
        return _CYTHON_SPECIAL[name]
    names = [name]
    core = name[2:-2] if name.startswith('__') and name.endswith('__') else None
    # `def __add__(x, y)` (not `self`): with c_api_binop_methods the one slot
    # serves both operand orders, so Python sees __radd__ too.
    if core in _BINARY_OPERATORS and first_parameter != 'self':
        names.append('__r%s__' % core)
    return names


def ndarray_members(pyx_source, pxd_source):
    """The public members of cupy.ndarray (its base _ndarray_base's and its
    own), dunders included, private (_x) ones left out."""
    members = set()
    in_class = False
    for line in pyx_source.splitlines():
        if line and not line[0].isspace() and not line.startswith('#'):
            # A statement at column 0 ends the class body; a decorator
            # (`@cython.final`) may precede the next class.
            m = _CLASS_LINE.match(line)
            if m or not line.startswith('@'):
                in_class = bool(m) and m.group(1) in ('_ndarray_base', 'ndarray')
            continue
        if not in_class:
            continue
        m = _METHOD_LINE.match(line)
        if m:
            members.update(_python_names(m.group(2), m.group(3)))
            continue
        m = _PROPERTY_LINE.match(line) or _CLASS_ATTRIBUTE_LINE.match(line)
        if m and m.group(1) not in _HOUSEKEEPING:
            members.add(m.group(1))
    in_class = False
    for line in (pxd_source or '').splitlines():
        m = _CLASS_LINE.match(line)
        if m or (line and not line[0].isspace()):
            in_class = bool(m) and m.group(1) == '_ndarray_base'
            continue
        m = _ATTRIBUTE_LINE.match(line) if in_class else None
        if m:
            members.add(m.group(1))
    return sorted(n for n in members if not n.startswith('_') or
                  (n.startswith('__') and n.endswith('__')))


def ndarray_members_by_import():
    """cupy.ndarray's public members, from the installed (compiled) CuPy:
    what its classes define themselves, not what `object` gives every class."""
    import cupy  # noqa: F401  needs CUDA's libraries; the caller handles failure
    names = set()
    for cls in cupy.ndarray.__mro__:
        if cls is not object:
            names.update(vars(cls))
    return sorted(n for n in names if not n.startswith('_') or
                  (n.startswith('__') and n.endswith('__')))


# --- where CuPy's names come from ---------------------------------------------

def _version_of(version_source):
    m = re.search(r"""__version__\s*=\s*['"]([^'"]+)['"]""", version_source or '')
    return m.group(1) if m else None


def read_installed():
    """(version, top names, ndarray members or None, description), or None
    where no cupy is installed."""
    spec = importlib.util.find_spec('cupy')
    if spec is None or not spec.submodule_search_locations:
        return None
    package_dir = list(spec.submodule_search_locations)[0]
    root = os.path.dirname(package_dir)

    def read(rel):
        path = os.path.join(root, rel)
        if os.path.exists(path):
            with open(path, encoding='utf-8') as f:
                return f.read()
        return None

    version = _version_of(read(VERSION_PY)) or 'unknown'
    top = top_level_names(read(INIT_PY))
    pyx = read(CORE_PYX)
    if pyx is not None:
        members, how = ndarray_members(pyx, read(CORE_PXD)), 'core.pyx'
    else:
        try:
            members, how = ndarray_members_by_import(), 'import cupy'
        except Exception as e:  # noqa: BLE001  any import failure: say it, fall back
            print('cupy_coverage: cupy.ndarray cannot be imported (%s: %s)'
                  % (type(e).__name__, e), file=sys.stderr)
            members, how = None, None
    where = 'installed cupy %s at %s (%s%s)' % (version, package_dir, INIT_PY,
                                                ', ndarray from ' + how if how else '')
    return version, top, members, where


def download_sdist(version, directory):
    """CuPy's source distribution from PyPI, through pip; its path."""
    command = [sys.executable, '-m', 'pip', 'download', '--no-deps', '--no-binary=cupy',
               '--quiet', 'cupy==%s' % version, '-d', directory]
    print('cupy_coverage: ' + ' '.join(command), file=sys.stderr)
    subprocess.run(command, check=True, stdout=sys.stderr)
    for name in os.listdir(directory):
        if name.startswith('cupy-') and name.endswith(('.tar.gz', '.zip')):
            return os.path.join(directory, name)
    raise SystemExit('cupy_coverage: pip downloaded no cupy source distribution into '
                     + directory)


def read_sdist(path):
    """(version, top names, ndarray members, description) from an sdist."""
    wanted = {INIT_PY, CORE_PYX, CORE_PXD, VERSION_PY}
    files = {}
    with tarfile.open(path) as tar:
        for member in tar.getmembers():
            # cupy-14.0.0/cupy/__init__.py -> cupy/__init__.py
            rel = member.name.split('/', 1)[1] if '/' in member.name else member.name
            if rel in wanted and member.isfile():
                files[rel] = tar.extractfile(member).read().decode('utf-8')
    missing = wanted - set(files) - {CORE_PXD}
    if missing:
        raise SystemExit('cupy_coverage: %s lacks %s' % (path, ', '.join(sorted(missing))))
    version = _version_of(files[VERSION_PY]) or 'unknown'
    return (version, top_level_names(files[INIT_PY]),
            ndarray_members(files[CORE_PYX], files.get(CORE_PXD)),
            '%s (PyPI sdist): %s, %s and %s' % (os.path.basename(path), INIT_PY, CORE_PYX,
                                                CORE_PXD))


def write_cache(version, top, members, where):
    path = cache_path(version)
    with open(path, 'w', encoding='utf-8') as f:
        f.write('# CuPy %s public names, for scripts/cupy_coverage.py (which wrote this file).\n'
                % version)
        f.write('# Read from %s.\n' % where)
        f.write('# Lines: "top NAME ORIGIN" (cupy.NAME, bound from module ORIGIN; "cupy" =\n'
                '# defined in cupy/__init__.py) and "ndarray NAME" (a cupy.ndarray member).\n')
        for name in sorted(top):
            f.write('top %s %s\n' % (name, top[name]))
        for name in members:
            f.write('ndarray %s\n' % name)
    print('cupy_coverage: wrote ' + os.path.relpath(path, ROOT), file=sys.stderr)


def read_cache(version):
    path = cache_path(version)
    if not os.path.exists(path):
        return None
    top, members, where = {}, [], None
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if line.startswith('# Read from '):
                where = line[len('# Read from '):].rstrip('.')
            if not line or line.startswith('#'):
                continue
            fields = line.split()
            if fields[0] == 'top' and len(fields) == 3:
                top[fields[1]] = fields[2]
            elif fields[0] == 'ndarray' and len(fields) == 2:
                members.append(fields[1])
            else:
                raise SystemExit('cupy_coverage: %s: bad line %r' % (path, line))
    return version, top, members, '%s, as cached in %s' % (where, os.path.relpath(path, ROOT))


def cupy_names(args):
    """(version, top names, ndarray members, description) from --source."""
    if args.sdist:
        found = read_sdist(args.sdist)
        write_cache(*found)
        return found
    if args.source in ('auto', 'installed'):
        found = read_installed()
        if found is not None:
            version, top, members, where = found
            if members is None:
                cached = read_cache(version)
                if cached is None:
                    raise SystemExit('cupy_coverage: no ndarray members for cupy %s: neither '
                                     'core.pyx, nor `import cupy`, nor a cache' % version)
                members, where = cached[2], where + '; ndarray from ' + cached[3]
            return version, top, members, where
        if args.source == 'installed':
            raise SystemExit('cupy_coverage: no cupy is installed')
    if args.source in ('auto', 'cache'):
        found = read_cache(args.cupy_version)
        if found is not None:
            return found
        if args.source == 'cache':
            raise SystemExit('cupy_coverage: no cache ' + cache_path(args.cupy_version))
    with tempfile.TemporaryDirectory(prefix='cupy_sdist_') as tmp:
        found = read_sdist(download_sdist(args.cupy_version, tmp))
    write_cache(*found)
    return found


# --- comparing with gpuarray ----------------------------------------------------

def compare(version, top, members, where):
    sys.path.insert(0, ROOT)   # the in-place build of this tree
    import gpuarray
    rows = [{'name': n, 'origin': o, 'group': group_of(n, o), 'present': hasattr(gpuarray, n)}
            for n, o in sorted(top.items())]
    member_rows = [{'name': n, 'group': member_group(n),
                    'present': hasattr(gpuarray.ndarray, n)} for n in members]
    return {'cupy_version': version, 'cupy_source': where,
            'gpuarray_version': getattr(gpuarray, '__version__', 'unknown'),
            'gpuarray_backend': gpuarray.get_backend(),
            'top': rows, 'ndarray': member_rows}


def member_group(name):
    return 'special methods' if name.startswith('__') else 'methods and attributes'


def counts(rows):
    present = sum(r['present'] for r in rows)
    return len(rows), present, len(rows) - present


def groups(rows):
    out = {}
    for r in rows:
        out.setdefault(r['group'], []).append(r)
    return dict(sorted(out.items()))


def read_reasons(path):
    """{name: reason} from lines "name: reason" (ndarray members as
    "ndarray.name: reason"); '#' starts a comment line."""
    reasons = {}
    if path:
        with open(path, encoding='utf-8') as f:
            for line in f:
                if line.strip() and not line.lstrip().startswith('#') and ':' in line:
                    name, reason = line.split(':', 1)
                    reasons[name.strip()] = reason.strip()
    return reasons


def before_presence(path):
    """{('top'|'ndarray', name): present} from an earlier --json output."""
    if not path:
        return None
    with open(path, encoding='utf-8') as f:
        earlier = json.load(f)
    return {(kind, r['name']): r['present'] for kind in ('top', 'ndarray') for r in earlier[kind]}


def summary_lines(result, before):
    lines = ['CuPy %s (%s) against gpuarray %s (backend %s)'
             % (result['cupy_version'], result['cupy_source'], result['gpuarray_version'],
                result['gpuarray_backend'])]
    for kind, label in (('top', 'top-level names'), ('ndarray', 'ndarray members')):
        total, present, missing = counts(result[kind])
        line = '%s: %d in CuPy, %d present in gpuarray, %d missing' % (label, total, present,
                                                                        missing)
        if before is not None:
            was = sum(1 for r in result[kind] if before.get((kind, r['name'])))
            line += ' (present before: %d)' % was
        lines.append(line)
    return lines


def markdown(result, before, reasons):
    out = ['## CuPy coverage', '']
    out += ['- ' + line for line in summary_lines(result, before)] + ['']
    head = '| group | CuPy | present' + (' before | present now' if before is not None else '') \
        + ' | missing |'
    out += ['### Counts by group', '', head,
            '|---|---:|---:|' + ('---:|' if before is not None else '') + '---:|']
    for kind in ('top', 'ndarray'):
        for group, rows in groups(result[kind]).items():
            total, present, missing = counts(rows)
            cells = ['`%s`' % group if kind == 'top' else 'ndarray: ' + group, str(total)]
            if before is not None:
                cells.append(str(sum(1 for r in rows if before.get((kind, r['name'])))))
            cells += [str(present), str(missing)]
            out.append('| ' + ' | '.join(cells) + ' |')
    out.append('')
    for kind, title, prefix in (('top', 'Missing top-level names', ''),
                                ('ndarray', 'Missing ndarray members', 'ndarray.')):
        missing = [r for r in result[kind] if not r['present']]
        out += ['### %s (%d)' % (title, len(missing)), '']
        for group, rows in groups(missing).items():
            out += ['#### %s (%d)' % ('`%s`' % group if kind == 'top' else group, len(rows)), '',
                    '| name | from | reason |' if kind == 'top' else '| name | reason |',
                    '|---|---|---|' if kind == 'top' else '|---|---|']
            for r in rows:
                reason = reasons.get(prefix + r['name'], '')
                origin = [] if kind != 'top' else [
                    'cupy/__init__.py' if r['origin'] == 'cupy' else r['origin']]
                cells = ['`%s`' % r['name']] + origin + [reason]
                out.append('| ' + ' | '.join(cells) + ' |')
            out.append('')
    if before is not None:
        for kind, prefix in (('top', 'cupy.'), ('ndarray', 'ndarray.')):
            new = [r['name'] for r in result[kind]
                   if r['present'] and not before.get((kind, r['name']))]
            out += ['### Newly present %s (%d)' % (prefix.rstrip('.'), len(new)), '',
                    ', '.join('`%s`' % n for n in new) or '(none)', '']
    return '\n'.join(out)


def text(result, before):
    out = summary_lines(result, before)
    for kind, prefix in (('top', 'cupy.'), ('ndarray', 'ndarray: ')):
        out.append('')
        for group, rows in groups(result[kind]).items():
            total, present, missing = counts(rows)
            out.append('  %-30s %4d present of %4d, missing %4d' % (prefix + group, present,
                                                                   total, missing))
    return '\n'.join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--source', choices=['auto', 'installed', 'cache', 'sdist'],
                        default='auto', help="where CuPy's names come from (default: auto)")
    parser.add_argument('--cupy-version', default=DEFAULT_VERSION,
                        help='CuPy version of the cache and the sdist (default %(default)s)')
    parser.add_argument('--sdist', metavar='PATH', help='read this CuPy sdist tarball')
    output = parser.add_mutually_exclusive_group()
    output.add_argument('--markdown', action='store_true', help='the tables, in markdown')
    output.add_argument('--json', action='store_true', help='every name, in JSON')
    parser.add_argument('--before', metavar='JSON',
                        help='an earlier --json output: show what was present then')
    parser.add_argument('--reasons', metavar='FILE',
                        help='"name: reason" lines ("ndarray.name: ..." for members) that fill '
                             "the markdown's reason column")
    args = parser.parse_args(argv)

    result = compare(*cupy_names(args))
    before = before_presence(args.before)
    if args.json:
        print(json.dumps(result, indent=1))
    elif args.markdown:
        print(markdown(result, before, read_reasons(args.reasons)))
    else:
        print(text(result, before))


if __name__ == '__main__':
    main()
