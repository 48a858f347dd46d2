"""python -m gpuarray.hip.check [--arch gfx90a,gfx1030] [--jobs N] [--json FILE]

Compile, through the hip backend's own compile slot (hiprtc, no AMD GPU
needed), every kernel gpuarray generates (the elementwise and reduction
templates for each dtype family, ElementwiseKernel, ReductionKernel) and
the examples' RawKernels where the examples are present, for each target
named; check each code object (an AMD GPU ELF holding the kernel and its
.kd descriptor, with the parameter layout gpuarray computes from the
source), and print a table: kernel, arch, bytes, registers, LDS, spills,
compile ms. Exits 1 if any kernel fails, 2 if hiprtc cannot be loaded.

Kernels that are CUDA-only by construction (inline PTX) are listed as
skipped, with the reason."""

import argparse
import ast
import concurrent.futures
import json
import multiprocessing
import os
import sys
import time

from gpuarray import hip

#: Source markers of kernels that cannot be HIP code, and why.
CUDA_ONLY = (('asm(', 'inline PTX'), ('asm volatile', 'inline PTX'),
             ('#include <cuda', "CUDA's own headers"))


def raw_kernels_in_file(path, prefix):
    """[{'name', 'source', 'options', 'label'}] of the RawKernel(<str>,
    '<name>') calls in the Python file `path` whose source is a string
    literal or a module-level name bound to one (labels: prefix + name)."""
    with open(path, encoding='utf-8') as f:
        tree = ast.parse(f.read(), path)
    strings = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and \
                isinstance(node.value.value, str):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    strings[t.id] = node.value.value
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or len(node.args) < 2:
            continue
        fn = node.func
        fname = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, 'id', '')
        if fname != 'RawKernel':
            continue
        src, name = node.args[0], node.args[1]
        if isinstance(src, ast.Name):
            src = strings.get(src.id)
        elif isinstance(src, ast.Constant) and isinstance(src.value, str):
            src = src.value
        else:
            src = None
        if src is None or not isinstance(name, ast.Constant) or not isinstance(name.value, str):
            continue
        if not name.value.isidentifier():
            continue      # a name expression: the source alone does not say its instance
        found.append({'name': name.value, 'source': src, 'options': [],
                      'label': prefix + name.value})
    return found


def example_kernels(root):
    """The RawKernels of ``root/NN_*/gpuarray_version.py``."""
    found = []
    if not root or not os.path.isdir(root):
        return found
    for entry in sorted(os.listdir(root)):
        path = os.path.join(root, entry, 'gpuarray_version.py')
        if os.path.isfile(path):
            found += raw_kernels_in_file(path, entry + ' ')
    return found


def cuda_only_reason(source):
    for marker, why in CUDA_ONLY:
        if marker in source:
            return why
    return None


def check_one(kernel, arch, use_cache):
    """Compile one kernel for one arch and check its code object; a dict
    for the table (run in a worker process)."""
    from gpuarray import _core
    row = {'label': kernel['label'], 'arch': arch, 'ok': False}
    t = time.perf_counter()
    try:
        prog = hip.compile_program(kernel['source'], arch, tuple(kernel['options']),
                                   no_cache=not use_cache)
    except Exception as e:   # the table reports it; the exit status too
        row['error'] = '%s: %s' % (type(e).__name__, str(e).strip().splitlines()[0][:300])
        return row
    row['ms'] = (time.perf_counter() - t) * 1000.0
    image = prog.image
    row['bytes'] = len(image)
    problems = []
    if image[:4] != b'\x7fELF' or image[18] != 224:
        problems.append('not an AMD GPU ELF (EM_AMDGPU)')
    info = hip.code_object_info(image)
    if not info['target'].endswith('--' + arch):
        problems.append('target is %r' % info['target'])
    k = next((k for k in info['kernels'] if k['name'] == kernel['name']), None)
    if k is None:
        problems.append('no kernel %s in it' % kernel['name'])
    else:
        if not k['has_descriptor']:
            problems.append('no %s symbol' % k['symbol'])
        args = [(a['offset'], a['size']) for a in k['args']
                if not a['value_kind'].startswith('hidden_')]
        try:
            want = [tuple(p) for p in _core.kernel_param_layout(kernel['source'], kernel['name'])]
        except Exception as e:
            want = None
            problems.append('parameters not parsed: %s' % e)
        if want is not None and [w for w in want] != args:
            problems.append('.args %s != gpuarray layout %s' % (args, want))
        row.update(vgpr=k['vgpr_count'], sgpr=k['sgpr_count'], lds=k['group_segment_fixed_size'],
                   spills=max(k['vgpr_spill_count'], 0) + max(k['sgpr_spill_count'], 0),
                   wavefront=k['wavefront_size'], args=len(args))
    if problems:
        row['error'] = '; '.join(problems)
    else:
        row['ok'] = True
    return row


def print_table(rows, skipped, out):
    w = max([len(r['label']) for r in rows] + [len(s['label']) for s in skipped] + [6])
    head = '%-*s  %-8s %8s %5s %5s %6s %6s %8s' % (w, 'kernel', 'arch', 'bytes', 'vgpr', 'sgpr',
                                                   'LDS', 'spills', 'ms')
    print(head, file=out)
    print('-' * len(head), file=out)
    for r in rows:
        if r['ok']:
            print('%-*s  %-8s %8d %5d %5d %6d %6d %8.0f' % (w, r['label'], r['arch'], r['bytes'],
                  r['vgpr'], r['sgpr'], r['lds'], r['spills'], r['ms']), file=out)
        else:
            print('%-*s  %-8s FAILED: %s' % (w, r['label'], r['arch'], r['error']), file=out)
    for s in skipped:
        print('%-*s  %-8s skipped: CUDA-only (%s)' % (w, s['label'], '-', s['why']), file=out)


def main(argv=None):
    ap = argparse.ArgumentParser(prog='python -m gpuarray.hip.check', description=__doc__.split('\n\n')[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--arch', default='gfx90a,gfx1030',
                    help='comma-separated gfx targets (default gfx90a,gfx1030)')
    ap.add_argument('--jobs', type=int, default=os.cpu_count() or 1,
                    help='compiles at once, each in its own process (default: the cores)')
    ap.add_argument('--examples', default=None,
                    help="the examples' directory (default: the checkout's examples/, if any)")
    ap.add_argument('--cache', action='store_true',
                    help='use the kernel cache (timings then show cache hits)')
    ap.add_argument('--families', default=None,
                    help='comma-separated dtypes of the sample (default: one per family: %s)'
                    % ','.join(__import__('gpuarray.hip._kernel_sample', fromlist=['x']).FAMILIES))
    ap.add_argument('--json', default=None, help='also write the rows to this file')
    args = ap.parse_args(argv)

    archs = [a.strip() for a in args.arch.split(',') if a.strip()]
    for a in archs:
        try:
            hip.arch_number(a)
        except ValueError as e:
            ap.error(str(e))
    info = hip.library_info()
    if info['hiprtc_error']:
        print('gpuarray.hip.check: hiprtc is not available:\n' + info['hiprtc_error'],
              file=sys.stderr)
        return 2
    v = info['hiprtc_rocm_version']
    print('hiprtc: %s (ROCm %d.%d)' % (info['hiprtc_path'], v // 10000000, v // 100000 % 100))

    from gpuarray.hip._kernel_sample import library_kernels
    kernels = library_kernels(families=args.families.split(',') if args.families else None)
    examples = args.examples
    if examples is None:
        here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(hip.__file__))))
        examples = os.path.join(here, 'examples')
    kernels += example_kernels(examples)

    todo, skipped = [], []
    for k in kernels:
        why = cuda_only_reason(k['source'])
        if why:
            skipped.append({'label': k['label'], 'why': why})
        else:
            todo.append(k)
    jobs = [(k, a) for k in todo for a in archs]
    t0 = time.perf_counter()
    ctx = multiprocessing.get_context('spawn')   # hiprtc is not fork-safe once loaded
    with concurrent.futures.ProcessPoolExecutor(max(1, args.jobs), mp_context=ctx) as pool:
        rows = list(pool.map(check_one, [k for k, _ in jobs], [a for _, a in jobs],
                             [args.cache] * len(jobs)))
    wall = time.perf_counter() - t0
    print_table(rows, skipped, sys.stdout)
    failed = [r for r in rows if not r['ok']]
    print('%d kernels x %d targets (%s): %d compiled and checked, %d failed, %d skipped as '
          'CUDA-only; %.1f s with %d jobs' % (len(todo), len(archs), ','.join(archs),
                                              len(rows) - len(failed), len(failed), len(skipped),
                                              wall, args.jobs))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({'rows': rows, 'skipped': skipped, 'archs': archs}, f)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
