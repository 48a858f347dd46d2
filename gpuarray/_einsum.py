"""gpuarray._einsum - Einstein summation (numpy.einsum) on the device,
through views, reductions and gpuarray.matmul.

The subscripts (explicit ``'ij,jk->ik'``, implicit ``'ij,jk'``, ellipses
``'...ij,...jk'``, or NumPy's sublist form) are parsed once and cached.
Then, per operand: a label repeated inside one operand becomes a diagonal
view (one axis whose stride is the sum of the repeated axes' strides, no
copy); labels that no other operand and not the output use are summed
out. Operands are then contracted two at a time, left to right: the
labels of both are sorted into batch (kept), contracted, and the free
labels of each side; the operands are transposed to (batch, free,
contracted) and (batch, contracted, free), reshaped to three dimensions
(views when the layout allows) and multiplied with matmul: 'bij,bjk->bik'
is one strided batched GEMM (cuBLAS on CUDA), 'ij->ji' a transposed view,
'ii->i' a diagonal view. The result dtype is NumPy's (the operands'
result_type; sums do not upcast integers, as in NumPy).
"""

import numpy

from gpuarray import _core
from gpuarray._arguments import as_device_array
from gpuarray import _elementwise as _ew

__all__ = ['einsum']

_ndarray = _core.ndarray
_LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'


def _as_array(x):
    return as_device_array(x, 'einsum')


def _from_sublists(args):
    """NumPy's einsum(op0, sublist0, op1, sublist1, ..., [sublistout])."""
    ops = list(args[0::2])
    subs = list(args[1::2])
    out = None
    if len(ops) > len(subs):
        out = ops.pop()

    def letters(sub):
        s = ''
        for x in sub:
            if x is Ellipsis:
                s += '...'
            else:
                k = int(x)
                if not 0 <= k < 52:
                    raise ValueError('subscript is not within the valid range [0, 52)')
                s += _LETTERS[k]
        return s
    spec = ','.join(letters(s) for s in subs)
    if out is not None:
        spec += '->' + letters(out)
    return spec, ops


_parsed = {}


def _parse(spec, ndims):
    """(input label lists, output label list) with every ellipsis replaced
    by private labels (one per broadcast dimension, aligned from the
    right); NumPy's ValueErrors."""
    key = (spec, ndims)
    r = _parsed.get(key)
    if r is not None:
        return r
    s = spec.replace(' ', '')
    if '->' in s:
        ins, out = s.split('->', 1)
        if '->' in out:
            raise ValueError("einstein sum subscript string does not contain proper '->' output "
                             "specified")
    else:
        ins, out = s, None
    ins = ins.split(',')
    if len(ins) != len(ndims):
        raise ValueError('more operands provided to einstein sum function than specified in '
                         'the subscripts string' if len(ins) < len(ndims) else
                         'fewer operands provided to einstein sum function than specified in '
                         'the subscripts string')
    for part in ins + ([out] if out is not None else []):
        rest = part.replace('...', '')
        if '.' in rest:
            raise ValueError("einstein sum subscripts string contains a '.' that is not part of "
                             "an ellipsis ('...')")
        for c in rest:
            if c not in _LETTERS:
                raise ValueError("invalid subscript '{}' in einstein sum subscripts string, "
                                 "subscripts must be letters".format(c))
    # broadcast dimensions: private labels, the last one rightmost
    n_ell = 0
    labels = []
    for k, (part, nd) in enumerate(zip(ins, ndims)):
        if '...' in part:
            pre, post = part.split('...', 1)
            if '...' in post:
                raise ValueError("einstein sum subscripts string contains more than one ellipsis")
            e = nd - len(pre) - len(post)
            if e < 0:
                raise ValueError('einstein sum subscripts string contains too many subscripts for '
                                 'operand {}'.format(k))
            n_ell = max(n_ell, e)
            labels.append((list(pre), e, list(post)))
        else:
            if len(part) != nd:
                raise ValueError('einstein sum subscripts string contains too many subscripts for '
                                 'operand {}'.format(k) if len(part) > nd else
                                 'operand has more dimensions than subscripts given in einstein '
                                 'sum, but no \'...\' ellipsis provided to broadcast the extra '
                                 'dimensions.')
            labels.append((list(part), None, []))
    ell = [chr(0x100 + i) for i in range(n_ell)]
    in_labels = []
    for pre, e, post in labels:
        in_labels.append(pre + (ell[n_ell - e:] if e is not None else []) + post)
    if out is None:
        counts = {}
        for ls in in_labels:
            for c in ls:
                counts[c] = counts.get(c, 0) + 1
        out_labels = ell + sorted(c for c, n in counts.items() if n == 1 and c in _LETTERS)
    else:
        if '...' in out:
            pre, post = out.split('...', 1)
            out_labels = list(pre) + ell + list(post)
        else:
            out_labels = list(out)
            if ell and any(e for _, e, _ in labels):
                # NumPy: broadcast dimensions must appear in the output
                raise ValueError("output has more dimensions than subscripts given in einstein "
                                 "sum, but no '...' ellipsis provided to broadcast the extra "
                                 "dimensions.")
        seen = set()
        present = set(c for ls in in_labels for c in ls)
        for c in out_labels:
            if c in seen:
                raise ValueError("einstein sum subscripts string includes output subscript '{}' "
                                 "multiple times".format(c))
            seen.add(c)
            if c not in present:
                raise ValueError("einstein sum subscripts string included output subscript '{}' "
                                 "which never appeared in an input".format(c))
    r = (in_labels, out_labels)
    _parsed[key] = r
    return r


class _Term:
    """An operand with one label per axis (no repeats)."""

    __slots__ = ('array', 'labels')

    def __init__(self, array, labels):
        self.array = array
        self.labels = labels


def _diagonal(a, labels):
    """Repeated labels of one operand as a diagonal view."""
    if len(set(labels)) == len(labels):
        return _Term(a, list(labels))
    shape, strides, out = [], [], []
    for d, c in enumerate(labels):
        if c in out:
            i = out.index(c)
            if shape[i] != a.shape[d]:
                raise ValueError("dimensions in operand for collapsing index '{}' don't match "
                                 "({} != {})".format(c, shape[i], a.shape[d]))
            strides[i] += a.strides[d]
        else:
            out.append(c)
            shape.append(a.shape[d])
            strides.append(a.strides[d])
    return _Term(_core._view(a, tuple(shape), tuple(strides)), out)


def _sum_out(term, labels, dtype):
    from gpuarray import _reduction
    axes = tuple(i for i, c in enumerate(term.labels) if c in labels)
    if not axes:
        return term
    r = _reduction.sum(term.array, axis=axes, dtype=dtype)
    return _Term(r, [c for c in term.labels if c not in labels])


def _broadcast_to_sizes(term, sizes):
    """Size-1 axes stretched (stride 0) to the label's size."""
    a = term.array
    shape = tuple(sizes[c] for c in term.labels)
    if shape == a.shape:
        return a
    strides = tuple(0 if a.shape[i] != shape[i] else a.strides[i] for i in range(a.ndim))
    return _core._view(a, shape, strides)


def _contract(x, y, keep, sizes, dtype):
    """x * y summed over their common labels not in `keep`."""
    from gpuarray._linalg import matmul
    batch = [c for c in x.labels if c in y.labels and c in keep]
    summed = [c for c in x.labels if c in y.labels and c not in keep]
    left = [c for c in x.labels if c not in y.labels]
    right = [c for c in y.labels if c not in x.labels]
    xa = _broadcast_to_sizes(x, sizes)
    ya = _broadcast_to_sizes(y, sizes)
    xa = xa.transpose([x.labels.index(c) for c in batch + left + summed])
    ya = ya.transpose([y.labels.index(c) for c in batch + summed + right])

    def n(ls):
        return _ew.size_of(tuple(sizes[c] for c in ls))
    nb, nl, ns, nr = n(batch), n(left), n(summed), n(right)
    if xa.dtype != dtype:
        xa = xa.astype(dtype)
    if ya.dtype != dtype:
        ya = ya.astype(dtype)
    r = matmul(xa.reshape((nb, nl, ns)), ya.reshape((nb, ns, nr)))
    labels = batch + left + right
    return _Term(r.reshape(tuple(sizes[c] for c in labels)), labels)


def einsum(*operands, out=None, dtype=None, order='K', casting='safe', optimize=False):
    """Einstein summation over the operands (numpy.einsum): a subscripts
    string and arrays, or NumPy's alternating (array, sublist) form.
    `optimize` is accepted; the contraction order is left to right."""
    if not operands:
        raise TypeError('einsum(): must specify the subscripts string and at least one operand')
    if isinstance(operands[0], str):
        spec, ops = operands[0], list(operands[1:])
    else:
        spec, ops = _from_sublists(operands)
    arrays = [_as_array(x) for x in ops]
    if not arrays:
        raise ValueError('einsum(): must provide at least one operand')
    in_labels, out_labels = _parse(spec, tuple(a.ndim for a in arrays))
    rt = numpy.result_type(*[a.dtype for a in arrays]) if dtype is None else numpy.dtype(dtype)
    for k, a in enumerate(arrays):
        if not numpy.can_cast(a.dtype, rt, casting=casting):
            raise TypeError('Iterator operand {} dtype could not be cast from {!r} to {!r} '
                            'according to the rule {!r}'.format(k, a.dtype, rt, casting))
    _ew.ctype(rt)
    # the size of every label (1 broadcasts, as in NumPy)
    sizes = {}
    for k, (a, ls) in enumerate(zip(arrays, in_labels)):
        for c, n in zip(ls, a.shape):
            m = sizes.get(c)
            if m is None or m == 1:
                sizes[c] = n
            elif n != 1 and n != m:
                if c >= chr(0x100):
                    raise ValueError('operands could not be broadcast together with remapped '
                                     'shapes [original->remapped]: ' + ' '.join(
                                         _ew.shape_text(x.shape) for x in arrays))
                raise ValueError("size of label '{}' for operand {} ({}) does not match previous "
                                 "terms ({}).".format(c, k, n, m))
    terms = [_diagonal(a, ls) for a, ls in zip(arrays, in_labels)]
    # labels nobody else needs are summed out of their operand first
    for k, t in enumerate(terms):
        others = set(out_labels)
        for j, u in enumerate(terms):
            if j != k:
                others.update(u.labels)
        only = [c for c in t.labels if c not in others]
        if only:
            terms[k] = _sum_out(t, only, rt)
    acc = terms[0]
    for k in range(1, len(terms)):
        keep = set(out_labels)
        for u in terms[k + 1:]:
            keep.update(u.labels)
        acc = _contract(acc, terms[k], keep, sizes, rt)
        only = [c for c in acc.labels if c not in keep]
        if only:
            acc = _sum_out(acc, only, rt)
    r = acc.array
    if r.dtype != rt:
        r = r.astype(rt)
    if len(terms) == 1 and acc.labels != out_labels:
        r = _broadcast_to_sizes(_Term(r, acc.labels), sizes)
    r = r.transpose([acc.labels.index(c) for c in out_labels])
    if out is not None:
        if not isinstance(out, _ndarray):
            raise TypeError('einsum: out must be a gpuarray.ndarray')
        if out.shape != r.shape:
            raise ValueError('einsum: out has the wrong shape {} (expected {})'.format(
                out.shape, r.shape))
        _ew.copy_into(r, out)
        return out
    return r
